/* Golden simulator: runs a device configuration event-driven, bit-exact with
 * docs/neuron-model.md and docs/core-array.md. */
#ifndef SNN_SIM_H
#define SNN_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include "snn/config.h"
#include "snn/protocol.h"

typedef struct snn_sim snn_sim;

/* Called for every event routed to the host during a step. */
typedef void (*snn_output_fn)(void *ctx, uint32_t step, uint16_t core,
			      uint16_t neuron);
/* Called for every neuron spike (all cores), for rasters and tests. */
typedef void (*snn_spike_fn)(void *ctx, uint32_t step, uint16_t core,
			     uint16_t neuron);

/* Build a simulator for cfg (validated here; cfg is copied, so the caller may
 * free it). The network starts reset. Returns 0 or a negative snn_err. */
int snn_sim_create(const snn_config *cfg, snn_sim **out, snn_diag *diag);
void snn_sim_free(snn_sim *sim);

/* Neurons to V_INIT, refractory 0, pending events dropped, step 0. */
void snn_sim_reset(snn_sim *sim);
void snn_sim_reset_counters(snn_sim *sim);

/* Queue a host input event (flat index into the input tensor) for the next
 * step. SNN_ERR_RANGE if index is outside the input tensor; SNN_ERR_ARG if
 * it is already queued for this step (an input spikes at most once). */
int snn_sim_input(snn_sim *sim, uint32_t index);

/* Take back the last k queued input events (a refused request's). */
void snn_sim_input_retract(snn_sim *sim, uint32_t k);

/* Run one time step. Callbacks may be NULL. */
void snn_sim_step(snn_sim *sim, snn_output_fn out, snn_spike_fn spike,
		  void *ctx);

/* Neuron state access (STATE region). SNN_ERR_RANGE when out of bounds. */
int snn_sim_get_state(const snn_sim *sim, unsigned core, unsigned neuron,
		      int32_t *v, uint32_t *ref);
int snn_sim_set_state(snn_sim *sim, unsigned core, unsigned neuron, int32_t v,
		      uint32_t ref);

/* Counters, indexed by enum snn_counter. snn_sim_step brings them up to
 * date by its end; read them between steps, not from its callbacks. */
const uint64_t *snn_sim_counters(const snn_sim *sim);
uint32_t snn_sim_step_index(const snn_sim *sim);
const snn_config *snn_sim_config(const snn_sim *sim);

/* The vector kernels the simulator runs: "avx512", "avx2" or "c", the best
 * this CPU has unless the environment variable SNN_SIM_KERNELS names
 * another one it has (for comparing them; results are identical). */
const char *snn_sim_kernels(const snn_sim *sim);

#endif
