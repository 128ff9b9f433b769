/* What snnsim runs a sample on: the golden simulator, the Verilated RTL, or
 * both in lock step. One small interface so the CLI does not care. */
#ifndef SNN_ENGINE_H
#define SNN_ENGINE_H

#include <stdint.h>
#include "snn/cosim.h"

enum engine_kind { ENGINE_GOLDEN, ENGINE_RTL, ENGINE_COSIM };

typedef struct engine {
	enum engine_kind kind;
	snn_sim *sim;
	snn_rtl *rtl;
	snn_cosim *cs;
	unsigned state_every;	/* cosim: compare every neuron's state at these steps */
	snn_cosim_diff diff;	/* cosim: the divergence, when engine_step returned 1 */
} engine;

/* Build the engine on cfg. Returns 0 or a negative snn_err (diag says why). */
int engine_open(engine *e, enum engine_kind kind, const snn_config *cfg, snn_diag *diag);
void engine_close(engine *e);
const char *engine_name(const engine *e);

void engine_reset(engine *e);
int engine_input(engine *e, uint32_t index);
/* 0, or 1 when the co-simulation diverged (e->diff). */
int engine_step(engine *e, snn_output_fn out, snn_spike_fn spike, void *ctx);
int engine_get_state(engine *e, unsigned core, unsigned neuron, int32_t *v, uint32_t *ref);
/* The counters of the engine that defines the results (golden under cosim),
 * and the RTL's clock cycles of STEP (0 for golden). */
const uint64_t *engine_counters(engine *e);
uint64_t engine_cycles(engine *e);

#endif
