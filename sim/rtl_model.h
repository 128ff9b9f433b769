/* The Verilated core array (rtl/snn_array.v) behind a small C API: one
 * model per parameter set built into the program, driven cycle by cycle
 * through the array's ports (docs/rtl.md, "snn_array"). sim/rtl.c builds
 * the simulator-shaped API (include/snn/rtl.h) on top of it. */
#ifndef SNN_RTL_MODEL_H
#define SNN_RTL_MODEL_H

#include <stdint.h>
#include "snn/geometry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct snn_rtl_model snn_rtl_model;

/* Called for an event to the host, and for every neuron spike. */
typedef void (*snn_rtl_event_fn)(void *ctx, uint16_t core, uint16_t neuron);

/* Commands of the array's command port. */
enum snn_rtl_cmd { SNN_RTL_CLEAR = 0, SNN_RTL_STEP = 1, SNN_RTL_ZERO = 2 };

/* Memory request status, as the array reports it. */
/* SNN_RTL_MEM_NO_ANSWER: the device took no request or gave no answer
 * within SNN_RTL_MEM_CYCLES (a hung device fails its test, never hangs it). */
enum snn_rtl_mem_status { SNN_RTL_MEM_OK = 0, SNN_RTL_MEM_ADDRESS = 1, SNN_RTL_MEM_ARG = 2,
			  SNN_RTL_MEM_NO_ANSWER = 3 };
#define SNN_RTL_MEM_CYCLES 1000000u

/* The parameter sets built into this program. */
unsigned snn_rtl_model_count(void);
const char *snn_rtl_model_name(unsigned i);
const snn_geometry *snn_rtl_model_geometry(unsigned i);

/* A fresh model of parameter set i, reset (i_rst) and idle; NULL when out
 * of memory. */
snn_rtl_model *snn_rtl_model_open(unsigned i);
void snn_rtl_model_close(snn_rtl_model *m);

/* Write a VCD of every cycle from now on to path (0, or -1 if this program
 * was built without tracing or the file cannot be opened). */
int snn_rtl_model_trace(snn_rtl_model *m, const char *path);

/* One memory request: writes *word, or reads into *word. Returns its
 * enum snn_rtl_mem_status. */
int snn_rtl_model_mem(snn_rtl_model *m, int write, unsigned region, unsigned core,
		      uint32_t index, uint32_t *word);

/* Run a command to its end. During a STEP, out gets the events to the host
 * and spike every spike (either may be NULL). */
void snn_rtl_model_cmd(snn_rtl_model *m, enum snn_rtl_cmd cmd, snn_rtl_event_fn out,
		       snn_rtl_event_fn spike, void *ctx);

/* Hand one input event to the array (it routes it at once). */
void snn_rtl_model_input(snn_rtl_model *m, uint32_t index);

/* The array's counters 0 .. 5 of docs/host-protocol.md, and clearing them. */
void snn_rtl_model_counters(const snn_rtl_model *m, uint64_t ctr[6]);
void snn_rtl_model_clear_counters(snn_rtl_model *m);

/* From now on, hold the output port's ready low on a random percent of
 * cycles (back-pressure on the event bus; 0 to stop). */
void snn_rtl_model_out_stall(snn_rtl_model *m, unsigned percent);

/* From now on, count per core the cycles with a synaptic operation and the
 * cycles a routed event waited for the bus (the array's monitors), into
 * synops[c] and stalls[c] for c < the model's cores; NULL stops. */
void snn_rtl_model_profile(snn_rtl_model *m, uint64_t *synops, uint64_t *stalls);

/* Clock cycles since the model was opened. */
uint64_t snn_rtl_model_cycles(const snn_rtl_model *m);

/* Abandon a command that runs more than cycles clock cycles (0: never);
 * snn_rtl_model_timed_out then says so, and the model is fit only to be
 * closed. For configurations nobody validated (test_rtl_engine). */
void snn_rtl_model_watchdog(snn_rtl_model *m, uint64_t cycles);
int snn_rtl_model_timed_out(const snn_rtl_model *m);

/* Did the last command end cut short by the device itself (snn_engine's
 * watchdog, or a core too wide for the build: o_cmd_abort)? */
int snn_rtl_model_aborted(const snn_rtl_model *m);

#ifdef __cplusplus
}
#endif

#endif
