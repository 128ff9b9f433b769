/* A deliberately naive reference simulator of the core array, written only
 * from docs/neuron-model.md and docs/core-array.md, independent of lib/ and
 * sim/. Every core is expanded into an explicit dense weight matrix over its
 * whole input space IN_C x IN_H x IN_W (conv cores: built from the output's
 * point of view), events are counted per input coordinate, and every neuron
 * of every core is updated at every step. Slow on purpose; tests only. */
#ifndef SNN_TEST_NAIVE_SIM_H
#define SNN_TEST_NAIVE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/config.h"

typedef struct naive_sim naive_sim;

/* Build from a configuration that passed snn_config_validate(). cfg is
 * copied. NULL on allocation failure, or when a core's dense matrix
 * (input space x N_NEURONS) would exceed 2^24 entries (too big for a test). */
naive_sim *naive_create(const snn_config *cfg);
void naive_free(naive_sim *ns);

/* v := V_INIT, r := 0, pending events dropped, step index 0. The synop
 * counter is cumulative and is not cleared. */
void naive_reset(naive_sim *ns);

/* Run one time step with these host input indices (each < C*H*W;
 * duplicates allowed, each one delivers). */
void naive_step(naive_sim *ns, const uint32_t *inputs, size_t n_inputs);

/* Did neuron (core, neuron) fire in the last step? false for neurons that
 * do not exist. */
bool naive_spiked(const naive_sim *ns, unsigned core, unsigned neuron);
/* Does the core exist (index < N_CORES and MODE != 0)? Its neuron count. */
bool naive_core_exists(const naive_sim *ns, unsigned core);
unsigned naive_core_neurons(const naive_sim *ns, unsigned core);
void naive_state(const naive_sim *ns, unsigned core, unsigned neuron,
		 int32_t *v, uint32_t *ref);
/* Overwrite a neuron's state, as the host's STATE writes do (the caller
 * keeps v and ref in range); ignored for neurons that do not exist. */
void naive_set_state(naive_sim *ns, unsigned core, unsigned neuron, int32_t v,
		     uint32_t ref);
/* Host output events of the last step, sorted by (core, neuron); a neuron
 * with k routes to the host appears k times. Returns the count. */
size_t naive_host_events(const naive_sim *ns, const uint16_t **core,
			 const uint16_t **neuron);
/* Synaptic operations since creation, counted when an event is added to a
 * core's (same-step or next-step) accumulator: dense N_NEURONS per accepted
 * event, conv one per applying (tap, output channel). */
uint64_t naive_synops(const naive_sim *ns);
/* Spikes since creation (all cores). */
uint64_t naive_spikes(const naive_sim *ns);
/* Index of the next step to run (0 after create/reset). */
uint32_t naive_step_index(const naive_sim *ns);
/* True if some neuron's accumulator plus bias ever left the signed 32-bit
 * range (the configuration then broke the accumulator bound). */
bool naive_acc_overflowed(const naive_sim *ns);

#endif
