/* snnsim's engines (sim/engine.h): dispatch to the golden simulator, the
 * RTL, or the lock-step pair. */
#include "engine.h"

int engine_open(engine *e, enum engine_kind kind, const snn_config *cfg, snn_diag *diag)
{
	*e = (engine){.kind = kind, .state_every = 1};
	switch (kind) {
	case ENGINE_RTL:
		return snn_rtl_create(cfg, &e->rtl, diag);
	case ENGINE_COSIM:
		return snn_cosim_create(cfg, &e->cs, diag);
	default:
		return snn_sim_create(cfg, &e->sim, diag);
	}
}

void engine_close(engine *e)
{
	snn_sim_free(e->sim);
	snn_rtl_free(e->rtl);
	snn_cosim_free(e->cs);
	e->sim = NULL;
	e->rtl = NULL;
	e->cs = NULL;
}

const char *engine_name(const engine *e)
{
	return e->kind == ENGINE_RTL ? "rtl" : e->kind == ENGINE_COSIM ? "cosim" : "golden";
}

void engine_reset(engine *e)
{
	if (e->rtl)
		snn_rtl_reset(e->rtl);
	else if (e->cs)
		snn_cosim_reset(e->cs);
	else
		snn_sim_reset(e->sim);
}

int engine_input(engine *e, uint32_t index)
{
	if (e->rtl)
		return snn_rtl_input(e->rtl, index);
	if (e->cs)
		return snn_cosim_input(e->cs, index);
	return snn_sim_input(e->sim, index);
}

int engine_step(engine *e, snn_output_fn out, snn_spike_fn spike, void *ctx)
{
	if (e->rtl) {
		snn_rtl_step(e->rtl, out, spike, ctx);
		return 0;
	}
	if (e->cs)
		return snn_cosim_step(e->cs, out, spike, ctx, e->state_every, &e->diff);
	snn_sim_step(e->sim, out, spike, ctx);
	return 0;
}

int engine_get_state(engine *e, unsigned core, unsigned neuron, int32_t *v, uint32_t *ref)
{
	if (e->rtl)
		return snn_rtl_get_state(e->rtl, core, neuron, v, ref);
	if (e->cs)
		return snn_sim_get_state(snn_cosim_golden(e->cs), core, neuron, v, ref);
	return snn_sim_get_state(e->sim, core, neuron, v, ref);
}

const uint64_t *engine_counters(engine *e)
{
	if (e->rtl)
		return snn_rtl_counters(e->rtl);
	if (e->cs)
		return snn_sim_counters(snn_cosim_golden(e->cs));
	return snn_sim_counters(e->sim);
}

uint64_t engine_cycles(engine *e)
{
	if (e->rtl)
		return snn_rtl_counters(e->rtl)[SNN_CTR_CYCLES];
	if (e->cs)
		return snn_rtl_counters(snn_cosim_rtl(e->cs))[SNN_CTR_CYCLES];
	return 0;
}
