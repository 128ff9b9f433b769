/* The Verilated RTL core array as a simulator: the same calls as the golden
 * simulator (include/snn/sim.h), run cycle by cycle on rtl/snn_array.v. A
 * configuration is loaded through the array's memory port, word by word, as
 * a host would load it. docs/rtl.md, "Co-simulation". */
#ifndef SNN_RTL_H
#define SNN_RTL_H

#include <stdbool.h>
#include <stdint.h>
#include "snn/config.h"
#include "snn/sim.h"

typedef struct snn_rtl snn_rtl;

/* Build on the first RTL model built into this program whose arithmetic
 * widths equal cfg's and whose resources hold what cfg uses, load cfg and
 * CLEAR. cfg is validated first. A configuration that fits no model gets
 * SNN_ERR_RANGE with the resource, the need and the best model's size in
 * diag. Returns 0 or a negative snn_err. */
int snn_rtl_create(const snn_config *cfg, snn_rtl **out, snn_diag *diag);
void snn_rtl_free(snn_rtl *rtl);

/* The model chosen, e.g. "sim8", and its geometry. */
const char *snn_rtl_name(const snn_rtl *rtl);
const snn_geometry *snn_rtl_geometry(const snn_rtl *rtl);

/* Write a VCD of every clock cycle from now on (SNN_ERR_UNSUPPORTED when
 * built without tracing, SNN_ERR_IO when the file cannot be opened). */
int snn_rtl_trace(snn_rtl *rtl, const char *path);

/* As snn_sim_reset, snn_sim_reset_counters, snn_sim_input, snn_sim_step. */
void snn_rtl_reset(snn_rtl *rtl);
void snn_rtl_reset_counters(snn_rtl *rtl);
int snn_rtl_input(snn_rtl *rtl, uint32_t index);
/* Take back the last k queued input events, as snn_sim_input_retract. */
void snn_rtl_input_retract(snn_rtl *rtl, uint32_t k);
void snn_rtl_step(snn_rtl *rtl, snn_output_fn out, snn_spike_fn spike, void *ctx);
/* A step or reset that takes more than cycles clock cycles (0: no limit) is
 * abandoned, and snn_rtl_timed_out is true from then on: the RTL is then fit
 * only for snn_rtl_free. */
void snn_rtl_watchdog(snn_rtl *rtl, uint64_t cycles);
bool snn_rtl_timed_out(const snn_rtl *rtl);
/* Did the last step end cut short by the device (the engine's own watchdog,
 * or a core whose sizes exceed the build's widths: docs/rtl.md)? */
bool snn_rtl_aborted(const snn_rtl *rtl);

/* Neuron state, read through the memory port (SNN_ERR_RANGE when out of
 * bounds). */
int snn_rtl_get_state(snn_rtl *rtl, unsigned core, unsigned neuron, int32_t *v,
		      uint32_t *ref);

/* One request on the array's memory port (docs/config-format.md's map):
 * write *word or read into it; index is the word's in (region, core), placed
 * by the loaded configuration's base registers as protocol 3 places it
 * (snn_region_base). 0, SNN_ERR_RANGE for an address outside the port's
 * memory, SNN_ERR_ARG for a STATE value out of range, SNN_ERR_STATE when the
 * RTL takes or answers no request within a million cycles (then
 * snn_rtl_timed_out). Tests use it to change the RTL behind the golden
 * model's back. */
int snn_rtl_mem(snn_rtl *rtl, bool write, unsigned region, unsigned core, uint32_t index,
		uint32_t *word);

/* Back-pressure for tests: the host port refuses events on a random
 * percent of cycles (0: never). Results must not change. */
void snn_rtl_out_stall(snn_rtl *rtl, unsigned percent);

/* For benchmarks: from now on add, per core c below the model's n_cores,
 * the cycles with a synaptic operation to synops[c] and the cycles a
 * routed event waited for the event bus to stalls[c] (NULL: stop). */
void snn_rtl_profile(snn_rtl *rtl, uint64_t *synops, uint64_t *stalls);

/* Counters indexed by enum snn_counter (cycles counts clock cycles of
 * STEP; the link counters stay 0). */
const uint64_t *snn_rtl_counters(snn_rtl *rtl);
uint32_t snn_rtl_step_index(const snn_rtl *rtl);

#endif
