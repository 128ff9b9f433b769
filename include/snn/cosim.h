/* Lock-step co-simulation: the golden simulator and the Verilated RTL run
 * the same configuration and inputs, and every time step is compared: the
 * spikes of every neuron, the events to the host, the counters, and (at
 * chosen steps) the state of every neuron. docs/rtl.md, "Co-simulation". */
#ifndef SNN_COSIM_H
#define SNN_COSIM_H

#include <stdbool.h>
#include <stdint.h>
#include "snn/rtl.h"
#include "snn/sim.h"

typedef struct snn_cosim snn_cosim;

/* The first divergence: the step and what differed, e.g. "core 2 neuron
 * 17: membrane golden 120, RTL 118". */
typedef struct snn_cosim_diff {
	uint32_t step;
	int core, neuron;	/* -1 when the difference is not a neuron's */
	char what[256];
} snn_cosim_diff;

/* Both simulators on cfg (snn_sim_create and snn_rtl_create rules). */
int snn_cosim_create(const snn_config *cfg, snn_cosim **out, snn_diag *diag);
void snn_cosim_free(snn_cosim *cs);

snn_sim *snn_cosim_golden(snn_cosim *cs);
snn_rtl *snn_cosim_rtl(snn_cosim *cs);

/* Reset both (a new sample). */
void snn_cosim_reset(snn_cosim *cs);
/* Queue an input on both; the golden simulator's return code (the RTL side
 * applies the same rules). */
int snn_cosim_input(snn_cosim *cs, uint32_t index);

/* Run one step on both. out and spike get the golden model's events. The
 * state of every neuron is compared after every state_every-th step of
 * the sample (step index + 1 a multiple of it; 0: never). Returns 0 if the step was identical, 1 at the
 * first divergence, described in diff. */
int snn_cosim_step(snn_cosim *cs, snn_output_fn out, snn_spike_fn spike, void *ctx,
		   unsigned state_every, snn_cosim_diff *diff);

/* Replay the current sample (since the last reset) on a fresh RTL model
 * and write a VCD of its last `window` steps to path. */
int snn_cosim_waveform(snn_cosim *cs, const char *path, unsigned window, snn_diag *diag);

#endif
