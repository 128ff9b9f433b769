/* The simulator-shaped API of include/snn/rtl.h on the Verilated array:
 * picks a model that fits, loads the configuration word by word through the
 * memory port, and keeps the host-side rules (one spike per input per step)
 * that the array leaves to its caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rtl_model.h"
#include "snn/rtl.h"

struct snn_rtl {
	snn_rtl_model *m;
	unsigned model;
	uint32_t n_inputs;	/* C * H * W */
	uint8_t *queued;	/* inputs queued for the next step */
	uint32_t *inq;
	uint32_t n_inq;
	uint32_t step;
	uint64_t ctr[SNN_CTR_COUNT];
	/* per core and region: where its word 0 lies in the model's memory
	 * (snn_region_base, protocol 3's addresses); 0 without budgets */
	uint32_t (*base)[SNN_REGION_COUNT];
	uint32_t n_base;
	/* the caller's callbacks during a step */
	snn_output_fn out;
	snn_spike_fn spike;
	void *ctx;
};

/* Highest core in use + 1, largest per-core needs, as the model must hold. */
typedef struct needs {
	uint32_t cores, neurons, axons, syn, routes, phases;
} needs;

static needs config_needs(const snn_config *cfg)
{
	needs n = {0, 0, 0, 0, 0, 0};
	for (uint32_t c = 0; c < cfg->geo.n_cores; c++) {
		const uint32_t *r = cfg->core[c].reg;
		if (r[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		n.cores = c + 1;
#define MAXI(f, v) if ((v) > n.f) n.f = (v)
		MAXI(neurons, r[SNN_R_N_NEURONS]);
		MAXI(axons, r[SNN_R_N_AXONS]);
		MAXI(syn, r[SNN_R_SYN_COUNT]);
		MAXI(routes, r[SNN_R_ROUTE_COUNT]);
		MAXI(phases, r[SNN_R_PHASE] + 1);
#undef MAXI
	}
	return n;
}

static bool same_arithmetic(const snn_geometry *a, const snn_geometry *b)
{
	return a->weight_bits == b->weight_bits && a->membrane_bits == b->membrane_bits &&
	       a->bias_bits == b->bias_bits;
}

/* 0 if model geometry g (same arithmetic) holds what cfg uses; else
 * SNN_ERR_RANGE with the first resource short, and by how much. */
static int model_fits(const snn_geometry *g, const snn_config *cfg, const needs *n,
		      const char *name, snn_diag *diag)
{
	struct {
		const char *what;
		uint32_t need, have;
	} r[] = {
		{"cores", n->cores, g->n_cores},
		{"neurons per core", n->neurons, g->neurons_per_core},
		{"axons per core", n->axons, g->axons_per_core},
		{"synapse words per core", n->syn, g->synapse_words},
		{"routes per core", n->routes, g->routes_per_core},
		{"input routes", cfg->global[SNN_G_INPUT_ROUTES], g->input_routes},
		{"phases", n->phases, g->max_phases},
	};
	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (r[i].need > r[i].have)
			return snn_fail(diag, SNN_ERR_RANGE,
					"the configuration needs %u %s, RTL model %s has %u "
					"(over by %u)", r[i].need, r[i].what, name, r[i].have,
					r[i].need - r[i].have);
	return 0;
}

/* A configuration for shared budgets runs on the engine built for exactly
 * that geometry: its base registers place it in that engine's pool. */
static int pick_engine(const snn_config *cfg, unsigned *pick, snn_diag *diag)
{
	char have[256] = "";
	size_t len = 0;
	for (unsigned i = 0; i < snn_rtl_model_count(); i++) {
		const snn_geometry *g = snn_rtl_model_geometry(i);
		if (!memcmp(g, &cfg->geo, sizeof *g)) {
			*pick = i;
			return 0;
		}
		if (snn_geometry_shared(g) && len < sizeof have)
			len += (size_t)snprintf(have + len, sizeof have - len, "%s%s", len ? ", " : "",
						snn_rtl_model_name(i));
	}
	return snn_fail(diag, SNN_ERR_RANGE,
			"no RTL engine is built for this configuration's geometry (engines: %s)",
			len ? have : "none");
}

/* The first model that runs cfg, or SNN_ERR_RANGE saying why none does. */
static int pick_model(const snn_config *cfg, const needs *n, unsigned *pick, snn_diag *diag)
{
	const snn_geometry *cg = &cfg->geo;
	if (snn_geometry_shared(cg))
		return pick_engine(cfg, pick, diag);
	unsigned count = snn_rtl_model_count();
	int first_same = -1;
	for (unsigned i = 0; i < count; i++) {
		const snn_geometry *g = snn_rtl_model_geometry(i);
		if (!same_arithmetic(g, cg) || snn_geometry_shared(g))
			continue;
		if (first_same < 0)
			first_same = (int)i;
		if (!model_fits(g, cfg, n, snn_rtl_model_name(i), NULL)) {
			*pick = i;
			return 0;
		}
	}
	if (first_same >= 0)
		return model_fits(snn_rtl_model_geometry((unsigned)first_same), cfg, n,
				  snn_rtl_model_name((unsigned)first_same), diag);
	char have[256] = "";
	size_t len = 0;
	for (unsigned i = 0; i < count && len < sizeof have; i++) {
		const snn_geometry *g = snn_rtl_model_geometry(i);
		len += (size_t)snprintf(have + len, sizeof have - len, "%s%s %u/%u/%u", i ? ", " : "",
					snn_rtl_model_name(i), g->weight_bits, g->membrane_bits,
					g->bias_bits);
	}
	return snn_fail(diag, SNN_ERR_RANGE,
			"no RTL model built in computes with %u-bit weights, %u-bit membrane, "
			"%u-bit bias (weight/membrane/bias bits of the models: %s)",
			cg->weight_bits, cg->membrane_bits, cg->bias_bits, count ? have : "none");
}

static int write_word(snn_rtl *rtl, unsigned region, unsigned core, uint32_t index,
		      uint32_t word, snn_diag *diag)
{
	int rc = snn_rtl_mem(rtl, true, region, core, index, &word);
	if (rc)
		return snn_fail(diag, SNN_ERR_RANGE,
				"RTL model refused a write to %s core %u word %u (%s)",
				snn_region_name(region), core, index, snn_strerror(rc));
	return 0;
}

static int load(snn_rtl *rtl, const snn_config *cfg, uint32_t n_cores, snn_diag *diag)
{
	int rc = 0;
	for (uint32_t g = 0; g < SNN_G_REGS && !rc; g++)
		rc = write_word(rtl, SNN_REGION_GLOBAL, 0, g,
				g == SNN_G_N_CORES ? n_cores : cfg->global[g], diag);
	for (uint32_t i = 0; i < cfg->global[SNN_G_INPUT_ROUTES] && !rc; i++) {
		uint32_t w[SNN_ROUTE_WORDS];
		snn_route_pack(&cfg->input_route[i], w);
		for (unsigned k = 0; k < SNN_ROUTE_WORDS && !rc; k++)
			rc = write_word(rtl, SNN_REGION_INPUT_ROUTE, 0, i * SNN_ROUTE_WORDS + k,
					w[k], diag);
	}
	for (uint32_t c = 0; c < n_cores && !rc; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		if (k->reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		for (uint32_t i = 0; i < SNN_CORE_REGS && !rc; i++)
			rc = write_word(rtl, SNN_REGION_CORE, c, i, k->reg[i], diag);
		for (uint32_t i = 0; i < snn_core_bias_words(cfg, c) && !rc; i++)
			rc = write_word(rtl, SNN_REGION_BIAS, c, i, (uint32_t)snn_core_bias_word(cfg, c, i),
					diag);
		/* a conv core's taps as lines, padding and all (snn_synapse_word_at) */
		uint64_t ns = snn_geometry_shared(&cfg->geo) ? snn_core_synapse_share(cfg, c)
							      : k->reg[SNN_R_SYN_COUNT];
		for (uint32_t i = 0; i < ns && !rc; i++) {
			int64_t at = snn_synapse_word_at(&cfg->geo, k->reg, i);
			rc = write_word(rtl, SNN_REGION_SYNAPSE, c, i,
					at < 0 || at >= cfg->geo.synapse_words
						? 0
						: (uint32_t)(int32_t)k->syn[at],
					diag);
		}
		for (uint32_t i = 0; i < k->reg[SNN_R_ROUTE_COUNT] && !rc; i++) {
			uint32_t w[SNN_ROUTE_WORDS];
			snn_route_pack(&k->route[i], w);
			for (unsigned j = 0; j < SNN_ROUTE_WORDS && !rc; j++)
				rc = write_word(rtl, SNN_REGION_ROUTE, c, i * SNN_ROUTE_WORDS + j,
						w[j], diag);
		}
	}
	return rc;
}

int snn_rtl_create(const snn_config *cfg, snn_rtl **out, snn_diag *diag)
{
	*out = NULL;
	int rc = snn_config_validate(cfg, diag);
	if (rc)
		return rc;
	needs n = config_needs(cfg);
	unsigned pick = 0;
	rc = pick_model(cfg, &n, &pick, diag);
	if (rc)
		return rc;
	char who[64];	/* snn_array and the iCEBreaker's engine have no deconv mode */
	snprintf(who, sizeof who, "the RTL model %s", snn_rtl_model_name(pick));
	rc = snn_config_check_modes(cfg, snn_rtl_modes(snn_rtl_model_geometry(pick)), who, diag);
	if (rc)
		return rc;
	snn_rtl *rtl = calloc(1, sizeof *rtl);
	if (!rtl)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	rtl->model = pick;
	rtl->n_inputs = cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
			cfg->global[SNN_G_INPUT_W];
	rtl->queued = calloc(rtl->n_inputs ? rtl->n_inputs : 1, 1);
	rtl->inq = calloc(rtl->n_inputs ? rtl->n_inputs : 1, sizeof *rtl->inq);
	rtl->m = snn_rtl_model_open(pick);
	rtl->n_base = cfg->geo.n_cores;
	rtl->base = calloc(rtl->n_base ? rtl->n_base : 1, sizeof *rtl->base);
	for (uint32_t c = 0; rtl->base && c < rtl->n_base; c++)
		for (unsigned k = 0; k < SNN_REGION_COUNT; k++)
			rtl->base[c][k] = (uint32_t)snn_region_base(&cfg->geo, cfg->core[c].reg, k);
	if (!rtl->queued || !rtl->inq || !rtl->m || !rtl->base) {
		snn_rtl_free(rtl);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	rc = load(rtl, cfg, n.cores, diag);
	if (rc) {
		snn_rtl_free(rtl);
		return rc;
	}
	snn_rtl_reset(rtl);
	snn_rtl_reset_counters(rtl);
	*out = rtl;
	return 0;
}

void snn_rtl_free(snn_rtl *rtl)
{
	if (!rtl)
		return;
	snn_rtl_model_close(rtl->m);
	free(rtl->queued);
	free(rtl->inq);
	free(rtl->base);
	free(rtl);
}

const char *snn_rtl_name(const snn_rtl *rtl)
{
	return snn_rtl_model_name(rtl->model);
}

const snn_geometry *snn_rtl_geometry(const snn_rtl *rtl)
{
	return snn_rtl_model_geometry(rtl->model);
}

int snn_rtl_trace(snn_rtl *rtl, const char *path)
{
	return snn_rtl_model_trace(rtl->m, path) ? SNN_ERR_UNSUPPORTED : 0;
}

/* Inputs are handed to the array when the step runs, so that a refused
 * input never reaches it (the array routes an input at once). */
void snn_rtl_reset(snn_rtl *rtl)
{
	for (uint32_t i = 0; i < rtl->n_inq; i++)
		rtl->queued[rtl->inq[i]] = 0;
	rtl->n_inq = 0;
	rtl->step = 0;
	snn_rtl_model_cmd(rtl->m, SNN_RTL_CLEAR, NULL, NULL, NULL);
}

void snn_rtl_reset_counters(snn_rtl *rtl)
{
	snn_rtl_model_clear_counters(rtl->m);
}

int snn_rtl_input(snn_rtl *rtl, uint32_t index)
{
	if (index >= rtl->n_inputs)
		return SNN_ERR_RANGE;
	if (rtl->queued[index])
		return SNN_ERR_ARG;
	rtl->queued[index] = 1;
	rtl->inq[rtl->n_inq++] = index;
	return 0;
}

void snn_rtl_input_retract(snn_rtl *rtl, uint32_t k)
{
	for (; k > 0 && rtl->n_inq > 0; k--)
		rtl->queued[rtl->inq[--rtl->n_inq]] = 0;
}

static void on_out(void *p, uint16_t core, uint16_t neuron)
{
	snn_rtl *rtl = p;
	if (rtl->out)
		rtl->out(rtl->ctx, rtl->step, core, neuron);
}

static void on_spike(void *p, uint16_t core, uint16_t neuron)
{
	snn_rtl *rtl = p;
	if (rtl->spike)
		rtl->spike(rtl->ctx, rtl->step, core, neuron);
}

void snn_rtl_step(snn_rtl *rtl, snn_output_fn out, snn_spike_fn spike, void *ctx)
{
	for (uint32_t i = 0; i < rtl->n_inq; i++) {
		snn_rtl_model_input(rtl->m, rtl->inq[i]);
		rtl->queued[rtl->inq[i]] = 0;
	}
	rtl->n_inq = 0;
	rtl->out = out;
	rtl->spike = spike;
	rtl->ctx = ctx;
	snn_rtl_model_cmd(rtl->m, SNN_RTL_STEP, on_out, spike ? on_spike : NULL, rtl);
	rtl->step++;
}

int snn_rtl_get_state(snn_rtl *rtl, unsigned core, unsigned neuron, int32_t *v,
		      uint32_t *ref)
{
	uint32_t w0 = 0, w1 = 0;
	if (snn_rtl_mem(rtl, false, SNN_REGION_STATE, core, 2u * neuron, &w0) ||
	    snn_rtl_mem(rtl, false, SNN_REGION_STATE, core, 2u * neuron + 1, &w1))
		return SNN_ERR_RANGE;
	*v = (int32_t)w0;
	*ref = w1;
	return 0;
}

const uint64_t *snn_rtl_counters(snn_rtl *rtl)
{
	snn_rtl_model_counters(rtl->m, rtl->ctr);
	return rtl->ctr;
}

uint32_t snn_rtl_step_index(const snn_rtl *rtl)
{
	return rtl->step;
}

int snn_rtl_mem(snn_rtl *rtl, bool write, unsigned region, unsigned core, uint32_t index,
		uint32_t *word)
{
	/* protocol 3: the model's memory port takes the word's place in its
	 * memory, the core's base plus the index */
	uint64_t at = index;
	if (region < SNN_REGION_COUNT && core < rtl->n_base)
		at += rtl->base[core][region];
	if (at > UINT32_MAX)
		return SNN_ERR_RANGE;
	switch (snn_rtl_model_mem(rtl->m, write, region, core, (uint32_t)at, word)) {
	case SNN_RTL_MEM_OK:
		return 0;
	case SNN_RTL_MEM_ARG:
		return SNN_ERR_ARG;
	case SNN_RTL_MEM_NO_ANSWER:
		return SNN_ERR_STATE;	/* snn_rtl_timed_out says so */
	default:
		return SNN_ERR_RANGE;
	}
}

void snn_rtl_watchdog(snn_rtl *rtl, uint64_t cycles)
{
	snn_rtl_model_watchdog(rtl->m, cycles);
}

bool snn_rtl_aborted(const snn_rtl *rtl)
{
	return snn_rtl_model_aborted(rtl->m) != 0;
}

bool snn_rtl_timed_out(const snn_rtl *rtl)
{
	return snn_rtl_model_timed_out(rtl->m) != 0;
}

void snn_rtl_out_stall(snn_rtl *rtl, unsigned percent)
{
	snn_rtl_model_out_stall(rtl->m, percent);
}

void snn_rtl_profile(snn_rtl *rtl, uint64_t *synops, uint64_t *stalls)
{
	snn_rtl_model_profile(rtl->m, synops, stalls);
}
