/* Device configuration: allocation, memory-map word access and validation
 * against docs/core-array.md. */
#include "snn/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const core_reg_names[SNN_CORE_REGS] = {
	"MODE", "PHASE", "N_NEURONS", "N_AXONS", "THRESHOLD", "LEAK", "RESET",
	"REFRACTORY", "V_INIT", "FLAGS", "IN_C", "IN_H", "IN_W", "POOL", "KH",
	"KW", "STRIDE", "PAD_Y", "PAD_X", "OUT_C0", "OUT_NC", "OUT_Y0", "OUT_H",
	"OUT_X0", "OUT_W", "SYN_COUNT", "ROUTE_COUNT", "SYN_BASE",
	"STATE_BASE", "NEURON_BASE", "ROUTE_BASE", "DERIVED",
};

static const char *const global_reg_names[SNN_G_REGS] = {
	"N_CORES", "INPUT_C", "INPUT_H", "INPUT_W", "INPUT_ROUTES",
};

static const char *const region_names[SNN_REGION_COUNT] = {
	"GLOBAL", "CORE", "BIAS", "SYNAPSE", "ROUTE", "INPUT_ROUTE", "STATE",
};

const char *snn_core_reg_name(unsigned reg)
{
	return reg < SNN_CORE_REGS ? core_reg_names[reg] : "?";
}

const char *snn_global_reg_name(unsigned reg)
{
	return reg < SNN_G_REGS ? global_reg_names[reg] : "?";
}

const char *snn_region_name(unsigned region)
{
	return region < SNN_REGION_COUNT ? region_names[region] : "?";
}

int snn_config_init(snn_config *cfg, const snn_geometry *geo, snn_diag *diag)
{
	memset(cfg, 0, sizeof *cfg);
	int rc = snn_geometry_check(geo, diag);
	if (rc)
		return rc;
	cfg->geo = *geo;
	cfg->core = calloc(geo->n_cores, sizeof *cfg->core);
	cfg->input_route = calloc(geo->input_routes, sizeof *cfg->input_route);
	if (!cfg->core || !cfg->input_route)
		goto nomem;
	for (uint32_t c = 0; c < geo->n_cores; c++) {
		snn_core_cfg *k = &cfg->core[c];
		k->bias = calloc(geo->neurons_per_core, sizeof *k->bias);
		k->syn = calloc(geo->synapse_words, sizeof *k->syn);
		k->route = calloc(geo->routes_per_core, sizeof *k->route);
		if (!k->bias || !k->syn || !k->route)
			goto nomem;
	}
	return 0;
nomem:
	snn_config_free(cfg);
	return snn_fail(diag, SNN_ERR_NOMEM, "out of memory allocating a configuration");
}

void snn_config_free(snn_config *cfg)
{
	if (cfg->core)
		for (uint32_t c = 0; c < cfg->geo.n_cores; c++) {
			free(cfg->core[c].bias);
			free(cfg->core[c].syn);
			free(cfg->core[c].route);
		}
	free(cfg->core);
	free(cfg->input_route);
	memset(cfg, 0, sizeof *cfg);
}

int snn_config_copy(snn_config *dst, const snn_config *src)
{
	int rc = snn_config_init(dst, &src->geo, NULL);
	if (rc)
		return rc;
	const snn_geometry *g = &src->geo;
	memcpy(dst->global, src->global, sizeof dst->global);
	memcpy(dst->input_route, src->input_route, g->input_routes * sizeof *src->input_route);
	for (uint32_t c = 0; c < g->n_cores; c++) {
		snn_core_cfg *d = &dst->core[c];
		const snn_core_cfg *s = &src->core[c];
		memcpy(d->reg, s->reg, sizeof d->reg);
		/* The memories are large and mostly unused: copy what the
		 * registers say is in use (all of it, in a valid configuration). */
		uint32_t nn = s->reg[SNN_R_N_NEURONS], ns = s->reg[SNN_R_SYN_COUNT];
		uint32_t nr = s->reg[SNN_R_ROUTE_COUNT];
		memcpy(d->bias, s->bias, (nn < g->neurons_per_core ? nn : g->neurons_per_core) * sizeof *s->bias);
		memcpy(d->syn, s->syn, (ns < g->synapse_words ? ns : g->synapse_words) * sizeof *s->syn);
		memcpy(d->route, s->route, (nr < g->routes_per_core ? nr : g->routes_per_core) * sizeof *s->route);
	}
	return 0;
}

snn_neuron_params snn_config_neuron_params(const snn_config *cfg, unsigned c)
{
	const uint32_t *r = cfg->core[c].reg;
	snn_neuron_params p = {
		.threshold = (int32_t)r[SNN_R_THRESHOLD],
		.leak = r[SNN_R_LEAK],
		.reset = r[SNN_R_RESET],
		.refractory = r[SNN_R_REFRACTORY],
		.spiking = (r[SNN_R_FLAGS] & SNN_F_SPIKING) != 0,
		.vmin = snn_vmin(&cfg->geo),
		.vmax = snn_vmax(&cfg->geo),
	};
	return p;
}

void snn_route_pack(const snn_route *r, uint32_t w[SNN_ROUTE_WORDS])
{
	w[0] = r->dest | ((uint32_t)(uint16_t)r->dx << 16);
	w[1] = r->src_lo;
	w[2] = r->src_hi;
	w[3] = (uint16_t)r->dc | ((uint32_t)(uint16_t)r->dy << 16);
}

void snn_route_unpack(const uint32_t w[SNN_ROUTE_WORDS], snn_route *r)
{
	r->dest = (uint16_t)w[0];
	r->dx = (int16_t)(uint16_t)(w[0] >> 16);
	r->src_lo = w[1];
	r->src_hi = w[2];
	r->dc = (int16_t)(uint16_t)w[3];
	r->dy = (int16_t)(uint16_t)(w[3] >> 16);
}

uint32_t snn_config_region_words(const snn_config *cfg, unsigned region)
{
	const snn_geometry *g = &cfg->geo;
	switch (region) {
	case SNN_REGION_GLOBAL: return SNN_G_REGS;
	case SNN_REGION_CORE: return SNN_CORE_REGS;
	case SNN_REGION_BIAS: return g->neurons_per_core;
	case SNN_REGION_SYNAPSE: return g->synapse_words;
	case SNN_REGION_ROUTE: return g->routes_per_core * SNN_ROUTE_WORDS;
	case SNN_REGION_INPUT_ROUTE: return g->input_routes * SNN_ROUTE_WORDS;
	case SNN_REGION_STATE: return 2 * g->neurons_per_core;
	default: return 0;
	}
}

/* A core whose registers say it keeps a bias per channel: a map core
 * with FLAGS CHAN_BIAS. */
static bool chan_bias_regs(const uint32_t reg[SNN_CORE_REGS])
{
	return snn_mode_is_map(reg[SNN_R_MODE]) && (reg[SNN_R_FLAGS] & SNN_F_CHAN_BIAS);
}

uint64_t snn_region_base(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS],
			 unsigned region)
{
	if (!snn_geometry_shared(g))
		return 0;
	uint64_t neuron = g->state_words ? reg[SNN_R_STATE_BASE] / g->state_words
					 : reg[SNN_R_NEURON_BASE];
	if (chan_bias_regs(reg) && g->state_words >= 2) {
		/* channel biases and half records (docs/host-protocol.md) */
		uint64_t half = reg[SNN_R_STATE_BASE] / (g->state_words / 2);
		if (region == SNN_REGION_BIAS)
			return SNN_CHAN_WINDOW;
		if (region == SNN_REGION_STATE)
			return SNN_CHAN_WINDOW + 2 * half;
	}
	switch (region) {
	case SNN_REGION_BIAS: return neuron;
	case SNN_REGION_STATE: return 2 * neuron;
	case SNN_REGION_SYNAPSE: return reg[SNN_R_SYN_BASE];
	case SNN_REGION_ROUTE: return (uint64_t)SNN_ROUTE_WORDS * reg[SNN_R_ROUTE_BASE];
	default: return 0;
	}
}

uint64_t snn_region_shared_words(const snn_geometry *g, unsigned region)
{
	if (!snn_geometry_shared(g))
		return 0;
	uint64_t neurons = g->state_words ? snn_geometry_synapse_total(g) / g->state_words
					  : snn_geometry_neuron_total(g);
	switch (region) {
	case SNN_REGION_BIAS: return neurons;
	case SNN_REGION_STATE: return 2 * neurons;
	case SNN_REGION_SYNAPSE: return snn_geometry_synapse_total(g);
	case SNN_REGION_ROUTE: return (uint64_t)SNN_ROUTE_WORDS * snn_geometry_route_total(g);
	default: return 0;
	}
}

static bool per_core_region(unsigned region)
{
	return region == SNN_REGION_CORE || region == SNN_REGION_BIAS ||
	       region == SNN_REGION_SYNAPSE || region == SNN_REGION_ROUTE;
}

static int check_address(const snn_config *cfg, unsigned region, unsigned core,
			 uint32_t index)
{
	if (region >= SNN_REGION_COUNT || region == SNN_REGION_STATE)
		return SNN_ERR_RANGE;
	if (per_core_region(region) && core >= cfg->geo.n_cores)
		return SNN_ERR_RANGE;
	return index < snn_config_region_words(cfg, region) ? 0 : SNN_ERR_RANGE;
}

int snn_config_read_word(const snn_config *cfg, unsigned region, unsigned core,
			 uint32_t index, uint32_t *word)
{
	int rc = check_address(cfg, region, core, index);
	if (rc)
		return rc;
	uint32_t w[SNN_ROUTE_WORDS];
	switch (region) {
	case SNN_REGION_GLOBAL: *word = cfg->global[index]; break;
	case SNN_REGION_CORE: *word = cfg->core[core].reg[index]; break;
	case SNN_REGION_BIAS: *word = (uint32_t)cfg->core[core].bias[index]; break;
	case SNN_REGION_SYNAPSE: *word = (uint32_t)(int32_t)cfg->core[core].syn[index]; break;
	case SNN_REGION_ROUTE:
		snn_route_pack(&cfg->core[core].route[index / SNN_ROUTE_WORDS], w);
		*word = w[index % SNN_ROUTE_WORDS];
		break;
	case SNN_REGION_INPUT_ROUTE:
		snn_route_pack(&cfg->input_route[index / SNN_ROUTE_WORDS], w);
		*word = w[index % SNN_ROUTE_WORDS];
		break;
	}
	return 0;
}

int snn_config_write_word(snn_config *cfg, unsigned region, unsigned core,
			  uint32_t index, uint32_t word)
{
	int rc = check_address(cfg, region, core, index);
	if (rc)
		return rc;
	uint32_t w[SNN_ROUTE_WORDS];
	snn_route *r = NULL;
	switch (region) {
	case SNN_REGION_GLOBAL: cfg->global[index] = word; break;
	case SNN_REGION_CORE: cfg->core[core].reg[index] = word; break;
	case SNN_REGION_BIAS: cfg->core[core].bias[index] = (int32_t)word; break;
	case SNN_REGION_SYNAPSE:
		/* The memory holds weight_bits; wider values are truncated like
		 * the hardware's, and validation reports them. */
		cfg->core[core].syn[index] = (int16_t)(uint16_t)word;
		break;
	case SNN_REGION_ROUTE: r = &cfg->core[core].route[index / SNN_ROUTE_WORDS]; break;
	case SNN_REGION_INPUT_ROUTE: r = &cfg->input_route[index / SNN_ROUTE_WORDS]; break;
	}
	if (r) {
		snn_route_pack(r, w);
		w[index % SNN_ROUTE_WORDS] = word;
		snn_route_unpack(w, r);
	}
	return 0;
}

/* ---- validation ---- */

static bool route_is_zero(const snn_route *r)
{
	return !r->dest && !r->src_lo && !r->src_hi && !r->dc && !r->dy && !r->dx;
}

static int check_range(snn_diag *diag, unsigned c, unsigned reg, uint32_t v,
		       uint32_t lo, uint32_t hi)
{
	if (v >= lo && v <= hi)
		return 0;
	return snn_fail(diag, SNN_ERR_RANGE, "core %u: register %s = %u is outside %u..%u",
			c, snn_core_reg_name(reg), v, lo, hi);
}

static uint64_t input_size(const snn_config *cfg)
{
	return (uint64_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
	       cfg->global[SNN_G_INPUT_W];
}

static int check_route(const snn_config *cfg, const snn_route *r, const char *owner,
		       unsigned idx, uint64_t src_limit, bool host_ok, snn_diag *diag)
{
	if (r->src_lo >= r->src_hi || r->src_hi > src_limit)
		return snn_fail(diag, SNN_ERR_RANGE,
				"%s route %u: source range [%u, %u) is empty or exceeds %llu",
				owner, idx, r->src_lo, r->src_hi, (unsigned long long)src_limit);
	if (r->dest == SNN_ROUTE_HOST) {
		if (host_ok)
			return 0;
		return snn_fail(diag, SNN_ERR_RANGE, "%s route %u: input routed straight to the host",
				owner, idx);
	}
	if (r->dest >= cfg->global[SNN_G_N_CORES] ||
	    cfg->core[r->dest].reg[SNN_R_MODE] == SNN_MODE_OFF)
		return snn_fail(diag, SNN_ERR_RANGE, "%s route %u: destination core %u is not in use",
				owner, idx, r->dest);
	return 0;
}

static int check_dense(const snn_config *cfg, unsigned c, snn_diag *diag)
{
	const uint32_t *r = cfg->core[c].reg;
	const snn_geometry *g = &cfg->geo;
	int rc;
	if ((rc = check_range(diag, c, SNN_R_N_AXONS, r[SNN_R_N_AXONS], 1, g->axons_per_core)))
		return rc;
	for (unsigned k = SNN_R_IN_C; k <= SNN_R_IN_W; k++)
		if ((rc = check_range(diag, c, k, r[k], 1, 0xFFFFu)))
			return rc;
	for (unsigned k = SNN_R_POOL; k <= SNN_R_OUT_W; k++)
		if ((rc = check_range(diag, c, k, r[k], 0, 0)))
			return rc;
	uint64_t need = (uint64_t)r[SNN_R_N_AXONS] * r[SNN_R_N_NEURONS];
	if (r[SNN_R_SYN_COUNT] != need)
		return snn_fail(diag, SNN_ERR_RANGE,
				"core %u: SYN_COUNT %u should be N_AXONS x N_NEURONS = %llu",
				c, r[SNN_R_SYN_COUNT], (unsigned long long)need);
	return 0;
}

static int check_chan_bias(const snn_config *cfg, unsigned c, snn_diag *diag);

static int check_conv(const snn_config *cfg, unsigned c, snn_diag *diag)
{
	const uint32_t *r = cfg->core[c].reg;
	int rc;
	if ((rc = check_range(diag, c, SNN_R_N_AXONS, r[SNN_R_N_AXONS], 0, 0)))
		return rc;
	static const unsigned at_least_one[] = {SNN_R_IN_C, SNN_R_IN_H, SNN_R_IN_W, SNN_R_POOL,
		SNN_R_KH, SNN_R_KW, SNN_R_STRIDE, SNN_R_OUT_NC, SNN_R_OUT_H, SNN_R_OUT_W};
	for (size_t i = 0; i < sizeof at_least_one / sizeof at_least_one[0]; i++)
		if ((rc = check_range(diag, c, at_least_one[i], r[at_least_one[i]], 1, 0xFFFFu)))
			return rc;
	for (unsigned k = SNN_R_PAD_Y; k <= SNN_R_OUT_W; k++)
		if ((rc = check_range(diag, c, k, r[k], 0, 0xFFFFu)))
			return rc;
	/* a deconv core scatters each event as it comes: nothing pools it */
	uint32_t max_pool = r[SNN_R_IN_H] < r[SNN_R_IN_W] ? r[SNN_R_IN_H] : r[SNN_R_IN_W];
	if ((rc = check_range(diag, c, SNN_R_POOL, r[SNN_R_POOL], 1,
			      r[SNN_R_MODE] == SNN_MODE_DECONV ? 1 : max_pool)))
		return rc;
	if ((rc = check_range(diag, c, SNN_R_PAD_Y, r[SNN_R_PAD_Y], 0, r[SNN_R_KH] - 1)) ||
	    (rc = check_range(diag, c, SNN_R_PAD_X, r[SNN_R_PAD_X], 0, r[SNN_R_KW] - 1)))
		return rc;
	uint64_t neurons = (uint64_t)r[SNN_R_OUT_NC] * r[SNN_R_OUT_H] * r[SNN_R_OUT_W];
	if (r[SNN_R_N_NEURONS] != neurons)
		return snn_fail(diag, SNN_ERR_RANGE,
				"core %u: N_NEURONS %u should be OUT_NC x OUT_H x OUT_W = %llu",
				c, r[SNN_R_N_NEURONS], (unsigned long long)neurons);
	uint64_t need = (uint64_t)r[SNN_R_OUT_NC] * r[SNN_R_IN_C] * r[SNN_R_KH] * r[SNN_R_KW];
	if (r[SNN_R_SYN_COUNT] != need)
		return snn_fail(diag, SNN_ERR_RANGE,
				"core %u: SYN_COUNT %u should be OUT_NC x IN_C x KH x KW = %llu",
				c, r[SNN_R_SYN_COUNT], (unsigned long long)need);
	return 0;
}

static int check_core_regs(const snn_config *cfg, unsigned c, snn_diag *diag)
{
	const uint32_t *r = cfg->core[c].reg;
	const snn_geometry *g = &cfg->geo;
	int rc;
	if ((rc = check_range(diag, c, SNN_R_MODE, r[SNN_R_MODE], 0, SNN_MODE_COUNT - 1)))
		return rc;
	if (r[SNN_R_MODE] == SNN_MODE_OFF) {
		for (unsigned k = 0; k < SNN_CORE_REGS; k++)
			if ((rc = check_range(diag, c, k, r[k], 0, 0)))
				return rc;
		return 0;
	}
	if ((rc = check_range(diag, c, SNN_R_PHASE, r[SNN_R_PHASE], 0, g->max_phases - 1)) ||
	    (rc = check_range(diag, c, SNN_R_N_NEURONS, r[SNN_R_N_NEURONS], 1, g->neurons_per_core)) ||
	    (rc = check_range(diag, c, SNN_R_THRESHOLD, r[SNN_R_THRESHOLD], 1,
			      (uint32_t)snn_vmax(g))) ||
	    (rc = check_range(diag, c, SNN_R_LEAK, r[SNN_R_LEAK], 0, 255)) ||
	    (rc = check_range(diag, c, SNN_R_RESET, r[SNN_R_RESET], 0, SNN_RESET_SUBTRACT)) ||
	    (rc = check_range(diag, c, SNN_R_REFRACTORY, r[SNN_R_REFRACTORY], 0, SNN_MAX_REFRACTORY)) ||
	    (rc = check_range(diag, c, SNN_R_SYN_COUNT, r[SNN_R_SYN_COUNT], 0, g->synapse_words)) ||
	    (rc = check_range(diag, c, SNN_R_ROUTE_COUNT, r[SNN_R_ROUTE_COUNT], 0, g->routes_per_core)))
		return rc;
	int32_t v0 = (int32_t)r[SNN_R_V_INIT];
	if (v0 < snn_vmin(g) || v0 > snn_vmax(g))
		return snn_fail(diag, SNN_ERR_RANGE, "core %u: V_INIT %d is outside the membrane range %d..%d",
				c, v0, snn_vmin(g), snn_vmax(g));
	if (r[SNN_R_FLAGS] & ~(uint32_t)SNN_F_ALL)
		return snn_fail(diag, SNN_ERR_RANGE, "core %u: FLAGS 0x%x has undefined bits", c,
				r[SNN_R_FLAGS]);
	if (!snn_geometry_shared(g) && (rc = check_range(diag, c, SNN_R_DERIVED, r[SNN_R_DERIVED], 0, 0)))
		return rc;
	rc = r[SNN_R_MODE] == SNN_MODE_DENSE ? check_dense(cfg, c, diag) : check_conv(cfg, c, diag);
	return rc ? rc : check_chan_bias(cfg, c, diag);
}

static bool all_zero(const void *p, size_t bytes)
{
	static const uint8_t zero[4096];
	for (const uint8_t *b = p; bytes > 0;) {
		size_t n = bytes < sizeof zero ? bytes : sizeof zero;
		if (memcmp(b, zero, n))
			return false;
		b += n;
		bytes -= n;
	}
	return true;
}

/* Words beyond the used counts must be zero: the image stores only the used
 * part, so anything else would be lost in a round trip. */
static int check_memories(const snn_config *cfg, unsigned c, snn_diag *diag)
{
	const snn_core_cfg *k = &cfg->core[c];
	const snn_geometry *g = &cfg->geo;
	uint32_t nn = k->reg[SNN_R_MODE] ? k->reg[SNN_R_N_NEURONS] : 0;
	uint32_t ns = k->reg[SNN_R_SYN_COUNT] < g->synapse_words ? k->reg[SNN_R_SYN_COUNT] : g->synapse_words;
	nn = nn < g->neurons_per_core ? nn : g->neurons_per_core;
	const int32_t bmax = (int32_t)((1u << (g->bias_bits - 1)) - 1);
	const int32_t wmax = (int32_t)((1u << (g->weight_bits - 1)) - 1);
	for (uint32_t i = 0; i < nn; i++)
		if (k->bias[i] > bmax || k->bias[i] < -bmax - 1)
			return snn_fail(diag, SNN_ERR_RANGE, "core %u: bias %d of neuron %u exceeds %u bits",
					c, k->bias[i], i, g->bias_bits);
	if (!all_zero(k->bias + nn, (g->neurons_per_core - nn) * sizeof *k->bias))
		return snn_fail(diag, SNN_ERR_RANGE, "core %u: a bias beyond N_NEURONS %u is not 0", c, nn);
	for (uint32_t i = 0; i < ns; i++)
		if (k->syn[i] > wmax || k->syn[i] < -wmax - 1)
			return snn_fail(diag, SNN_ERR_RANGE, "core %u: weight %d at word %u exceeds %u bits",
					c, k->syn[i], i, g->weight_bits);
	if (!all_zero(k->syn + ns, (g->synapse_words - ns) * sizeof *k->syn))
		return snn_fail(diag, SNN_ERR_RANGE, "core %u: a synapse word beyond SYN_COUNT %u is not 0",
				c, ns);
	for (uint32_t i = k->reg[SNN_R_ROUTE_COUNT]; i < g->routes_per_core; i++)
		if (!route_is_zero(&k->route[i]))
			return snn_fail(diag, SNN_ERR_RANGE, "core %u: unused route %u is not 0", c, i);
	return 0;
}

/* The most events of one route that can add a weight to one neuron of core
 * c: a route's events have distinct coordinates, so a dense neuron takes at
 * most one per axon, a conv neuron one per input position of its kernel
 * window, POOL x POOL positions pooled into each (docs/neuron-model.md). */
static uint64_t route_fan_in(const snn_config *cfg, uint32_t c)
{
	const uint32_t *r = cfg->core[c].reg;
	if (r[SNN_R_MODE] == SNN_MODE_DENSE)
		return r[SNN_R_N_AXONS];
	return (uint64_t)r[SNN_R_IN_C] * r[SNN_R_KH] * r[SNN_R_KW] * r[SNN_R_POOL] * r[SNN_R_POOL];
}

/* E of the bound: what each route into core dest adds, its width at most. */
static void count_route_events(const snn_config *cfg, const snn_route *r, uint64_t width,
			       uint64_t *events)
{
	uint64_t fan = route_fan_in(cfg, r->dest);
	events[r->dest] += width < fan ? width : fan;
}

/* docs/neuron-model.md: E * Wmax + Bmax <= 2^(A-1) - 1 for every core, A
 * the geometry's accumulator width (32 unless it keeps fewer bits). */
static int check_accumulator(const snn_config *cfg, snn_diag *diag)
{
	uint32_t n = cfg->global[SNN_G_N_CORES];
	uint64_t *events = calloc(n ? n : 1, sizeof *events);
	if (!events)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	uint64_t in_size = input_size(cfg);
	for (uint32_t i = 0; i < cfg->global[SNN_G_INPUT_ROUTES]; i++) {
		const snn_route *r = &cfg->input_route[i];
		uint64_t w = r->src_hi - r->src_lo;
		count_route_events(cfg, r, w < in_size ? w : in_size, events);
	}
	for (uint32_t c = 0; c < n; c++)
		for (uint32_t i = 0; i < cfg->core[c].reg[SNN_R_ROUTE_COUNT]; i++) {
			const snn_route *r = &cfg->core[c].route[i];
			if (r->dest != SNN_ROUTE_HOST)
				count_route_events(cfg, r, r->src_hi - r->src_lo, events);
		}
	int rc = 0;
	for (uint32_t c = 0; c < n && !rc; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		int64_t wmax = 0, bmax = 0;
		for (uint32_t i = 0; i < k->reg[SNN_R_SYN_COUNT]; i++)
			wmax = llabs(k->syn[i]) > wmax ? llabs(k->syn[i]) : wmax;
		for (uint32_t i = 0; i < k->reg[SNN_R_N_NEURONS]; i++)
			bmax = llabs(k->bias[i]) > bmax ? llabs(k->bias[i]) : bmax;
		uint64_t worst = events[c] * (uint64_t)wmax + (uint64_t)bmax;
		unsigned bits = snn_geometry_acc_bits(&cfg->geo);
		if (worst > (1ull << (bits - 1)) - 1)
			rc = snn_fail(diag, SNN_ERR_RANGE,
				      "core %u: up to %llu events per step x weight %lld + bias %lld "
				      "can overflow the %u-bit accumulator",
				      c, (unsigned long long)events[c], (long long)wmax, (long long)bmax, bits);
	}
	free(events);
	return rc;
}

static uint64_t round_up(uint64_t n, uint64_t m)
{
	return (n + m - 1) / m * m;
}

uint64_t snn_core_synapse_share(const snn_config *cfg, unsigned c)
{
	const uint32_t *r = cfg->core[c].reg;
	uint64_t lanes = snn_geometry_lanes(&cfg->geo);
	uint64_t words = r[SNN_R_SYN_COUNT];
	if (snn_mode_is_map(r[SNN_R_MODE]))	/* output channels side by side in a word */
		words = round_up(r[SNN_R_OUT_NC], lanes) * r[SNN_R_IN_C] * r[SNN_R_KH] * r[SNN_R_KW];
	return round_up(words, lanes);
}

/* A map core's tap line on geometry g with fewer channels than lanes
 * (docs/geometry.md, "Conv taps as lines"): the channels of one output
 * position take p words, OUT_NC up to a power of two, and the line holds
 * lanes / p positions' worth (the weights repeated); *per is that count,
 * 1 from OUT_NC >= lanes, where p is the lanes. */
static uint64_t tap_channels(const snn_geometry *g, uint32_t out_nc, uint64_t *per)
{
	uint64_t lanes = snn_geometry_lanes(g), p = 1;
	while (p < out_nc && p < lanes)
		p *= 2;
	if (out_nc >= lanes || p > lanes)
		p = lanes;
	*per = lanes / p;
	return p;
}

static bool taps_as_lines(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS])
{
	return snn_geometry_shared(g) && snn_mode_is_map(reg[SNN_R_MODE]);
}

int64_t snn_synapse_word_at(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS],
			    uint64_t offset)
{
	if (!taps_as_lines(g, reg))
		return (int64_t)offset;
	uint64_t nc = reg[SNN_R_OUT_NC], taps = (uint64_t)reg[SNN_R_IN_C] * reg[SNN_R_KH] * reg[SNN_R_KW];
	uint64_t line = round_up(nc, snn_geometry_lanes(g));	/* a tap's words */
	if (!line || offset / line >= taps)
		return -1;
	uint64_t per, p = tap_channels(g, reg[SNN_R_OUT_NC], &per), j = offset % line;
	uint64_t k = nc < snn_geometry_lanes(g) ? (j < per * p ? j % p : nc) : j;
	return k < nc ? (int64_t)(k * taps + offset / line) : -1;
}

uint64_t snn_core_acc_slots(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS])
{
	if (!taps_as_lines(g, reg))
		return reg[SNN_R_N_NEURONS];
	uint64_t lanes = snn_geometry_lanes(g), nc = reg[SNN_R_OUT_NC], per;
	uint64_t plane = (uint64_t)reg[SNN_R_OUT_H] * reg[SNN_R_OUT_W];
	if (nc >= lanes)	/* a word a position, a group of lanes channels */
		return round_up(nc, lanes) * plane;
	tap_channels(g, reg[SNN_R_OUT_NC], &per);
	return (plane + per - 1) / per * lanes;	/* per positions a word */
}

bool snn_geometry_shared(const snn_geometry *g)
{
	return g->neuron_total || g->synapse_total || g->route_total;
}

bool snn_chan_bias_fits(const snn_geometry *g, uint32_t out_nc)
{
	return snn_geometry_shared(g) && g->state_words >= 2 && g->state_words % 2 == 0 &&
	       g->membrane_bits <= SNN_CHAN_BIAS_MEMBRANE_BITS && out_nc >= 1 &&
	       out_nc <= SNN_CHAN_BIAS_MAX;
}

bool snn_core_chan_bias(const snn_config *cfg, unsigned c)
{
	return chan_bias_regs(cfg->core[c].reg);
}

uint32_t snn_core_bias_words(const snn_config *cfg, unsigned c)
{
	const uint32_t *r = cfg->core[c].reg;
	return snn_core_chan_bias(cfg, c) ? r[SNN_R_OUT_NC] : r[SNN_R_N_NEURONS];
}

int32_t snn_core_bias_word(const snn_config *cfg, unsigned c, uint32_t k)
{
	const uint32_t *r = cfg->core[c].reg;
	uint64_t n = snn_core_chan_bias(cfg, c) ? (uint64_t)k * r[SNN_R_OUT_H] * r[SNN_R_OUT_W] : k;
	return n < cfg->geo.neurons_per_core ? cfg->core[c].bias[n] : 0;
}

/* A core's neuron state in the synapse memory: whole lanes; a CHAN_BIAS
 * core's records are half the size (docs/geometry.md, "Channel biases"). */
static uint64_t state_share(const snn_config *cfg, unsigned c)
{
	const snn_geometry *g = &cfg->geo;
	uint64_t sw = snn_core_chan_bias(cfg, c) ? g->state_words / 2 : g->state_words;
	return round_up(sw * cfg->core[c].reg[SNN_R_N_NEURONS], snn_geometry_lanes(g));
}

/* docs/geometry.md, "Channel biases": a CHAN_BIAS core is a map core the
 * geometry gives half records, and every neuron of an output channel has
 * the channel's bias (an image is refused, not altered, where one differs). */
static int check_chan_bias(const snn_config *cfg, unsigned c, snn_diag *diag)
{
	const uint32_t *r = cfg->core[c].reg;
	if (!(r[SNN_R_FLAGS] & SNN_F_CHAN_BIAS))
		return 0;
	if (!snn_mode_is_map(r[SNN_R_MODE]))
		return snn_fail(diag, SNN_ERR_RANGE, "core %u: FLAGS CHAN_BIAS on a %s core (conv and deconv only)",
				c, snn_mode_name(r[SNN_R_MODE]));
	if (!snn_chan_bias_fits(&cfg->geo, r[SNN_R_OUT_NC]))
		return snn_fail(diag, SNN_ERR_RANGE,
				"core %u: FLAGS CHAN_BIAS needs a geometry with budgets, an even state_words, "
				"a membrane of at most %u bits and at most %u output channels (OUT_NC %u)",
				c, SNN_CHAN_BIAS_MEMBRANE_BITS, SNN_CHAN_BIAS_MAX, r[SNN_R_OUT_NC]);
	uint64_t plane = (uint64_t)r[SNN_R_OUT_H] * r[SNN_R_OUT_W];
	for (uint32_t k = 0; k < r[SNN_R_OUT_NC]; k++)
		for (uint64_t i = 1; i < plane; i++) {
			const int32_t *b = cfg->core[c].bias + k * plane;
			if (b[i] != b[0])
				return snn_fail(diag, SNN_ERR_RANGE,
						"core %u: channel %u (output channel %u): neuron %llu has bias %d, "
						"the channel's first %d; a CHAN_BIAS core keeps one bias a channel",
						c, k, r[SNN_R_OUT_C0] + k, (unsigned long long)(k * plane + i),
						b[i], b[0]);
		}
	return 0;
}

/* The base registers of core c, packed in core order: each core's weights,
 * then its neuron state, in the synapse memory; neurons and routes counted
 * up. A core that is off, and any core of a geometry without budgets, has
 * bases 0. */
/* Where core c's neuron state starts, its weights starting at syn_base: a
 * neuron's state is a whole, aligned record of state_words. */
static uint64_t state_start(const snn_config *cfg, unsigned c, uint64_t syn_base)
{
	uint64_t sw = cfg->geo.state_words ? cfg->geo.state_words : 1;
	return round_up(syn_base + snn_core_synapse_share(cfg, c), sw);
}

static void packed_bases(const snn_config *cfg, uint32_t c, uint32_t base[4])
{
	uint64_t words = 0, neurons = 0, routes = 0;
	for (uint32_t k = 0; k < c; k++) {
		const uint32_t *r = cfg->core[k].reg;
		words = state_start(cfg, k, words) + state_share(cfg, k);
		neurons += r[SNN_R_N_NEURONS];
		routes += r[SNN_R_ROUTE_COUNT];
	}
	bool on = snn_geometry_shared(&cfg->geo) && cfg->core[c].reg[SNN_R_MODE] != SNN_MODE_OFF;
	base[0] = on ? (uint32_t)words : 0;
	base[1] = on ? (uint32_t)state_start(cfg, c, words) : 0;
	base[2] = on ? (uint32_t)neurons : 0;
	base[3] = on ? (uint32_t)routes : 0;
}

void snn_config_pack_bases(snn_config *cfg)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && c < cfg->geo.n_cores; c++) {
		uint32_t b[4];
		packed_bases(cfg, c, b);
		for (unsigned i = 0; i < 4; i++)
			cfg->core[c].reg[SNN_R_SYN_BASE + i] = b[i];
		cfg->core[c].reg[SNN_R_DERIVED] = snn_core_derived(cfg, c);
	}
}

uint32_t snn_core_derived(const snn_config *cfg, unsigned c)
{
	const uint32_t *r = cfg->core[c].reg;
	if (!snn_geometry_shared(&cfg->geo) || !snn_mode_is_map(r[SNN_R_MODE]))
		return 0;
	uint32_t plane = (uint32_t)((uint64_t)r[SNN_R_OUT_H] * r[SNN_R_OUT_W]) & 0xFFFFu;
	uint32_t kk = (uint32_t)((uint64_t)r[SNN_R_KH] * r[SNN_R_KW]) & 0xFFFFu;
	return plane | kk << 16;
}

/* docs/geometry.md, "Budgets": what all cores together take of the shared
 * neuron, synapse and route memories, where each core's share starts, and
 * dense rows in whole lanes. */
static int check_budgets(const snn_config *cfg, snn_diag *diag)
{
	const snn_geometry *g = &cfg->geo;
	uint64_t neurons = 0, syn = 0, state = 0, routes = 0, end = 0;
	uint32_t lanes = snn_geometry_lanes(g);
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		const uint32_t *r = cfg->core[c].reg;
		if (r[SNN_R_MODE] == SNN_MODE_DENSE && r[SNN_R_N_NEURONS] % lanes)
			return snn_fail(diag, SNN_ERR_RANGE,
					"core %u: dense N_NEURONS %u is not a multiple of the geometry's %u lanes",
					c, r[SNN_R_N_NEURONS], lanes);
		uint32_t want[4];
		packed_bases(cfg, c, want);
		for (unsigned i = 0; i < 4; i++)
			if (r[SNN_R_SYN_BASE + i] != want[i])
				return snn_fail(diag, SNN_ERR_RANGE,
						"core %u: register %s = %u, the packing in core order gives %u",
						c, snn_core_reg_name(SNN_R_SYN_BASE + i), r[SNN_R_SYN_BASE + i],
						want[i]);
		if (snn_mode_is_map(r[SNN_R_MODE]) && (uint64_t)r[SNN_R_KH] * r[SNN_R_KW] > 0xFFFFu)
			return snn_fail(diag, SNN_ERR_RANGE,
					"core %u: KH x KW = %llu, a geometry with budgets holds at most 65535 "
					"(register DERIVED)", c,
					(unsigned long long)r[SNN_R_KH] * r[SNN_R_KW]);
		if (snn_core_acc_slots(g, r) > g->neurons_per_core)
			return snn_fail(diag, SNN_ERR_RANGE,
					"core %u: its %u output channels of %u x %u positions take %llu "
					"accumulators as tap lines of %u lanes, a core has %u (over by %llu)",
					c, r[SNN_R_OUT_NC], r[SNN_R_OUT_H], r[SNN_R_OUT_W],
					(unsigned long long)snn_core_acc_slots(g, r), lanes, g->neurons_per_core,
					(unsigned long long)(snn_core_acc_slots(g, r) - g->neurons_per_core));
		if (r[SNN_R_DERIVED] != snn_core_derived(cfg, c))
			return snn_fail(diag, SNN_ERR_RANGE,
					"core %u: register DERIVED = 0x%08x, OUT_H x OUT_W and KH x KW give 0x%08x",
					c, r[SNN_R_DERIVED], snn_core_derived(cfg, c));
		neurons += r[SNN_R_N_NEURONS];
		syn += snn_core_synapse_share(cfg, c);
		routes += r[SNN_R_ROUTE_COUNT];
		end = state_start(cfg, c, end) + state_share(cfg, c);
	}
	state = end - syn;	/* neuron state and the alignment before it */
	if (neurons > snn_geometry_neuron_total(g))
		return snn_fail(diag, SNN_ERR_RANGE,
				"the cores have %llu neurons, the geometry holds %llu (over by %llu)",
				(unsigned long long)neurons, (unsigned long long)snn_geometry_neuron_total(g),
				(unsigned long long)(neurons - snn_geometry_neuron_total(g)));
	uint64_t pool = syn + state;
	if (pool > snn_geometry_synapse_total(g))
		return snn_fail(diag, SNN_ERR_RANGE,
				"the cores take %llu synapse words (%llu weights, %llu for neuron state), "
				"the geometry holds %llu (over by %llu)",
				(unsigned long long)pool, (unsigned long long)syn, (unsigned long long)state,
				(unsigned long long)snn_geometry_synapse_total(g),
				(unsigned long long)(pool - snn_geometry_synapse_total(g)));
	if (routes > snn_geometry_route_total(g))
		return snn_fail(diag, SNN_ERR_RANGE,
				"the cores have %llu routes, the geometry holds %llu (over by %llu)",
				(unsigned long long)routes, (unsigned long long)snn_geometry_route_total(g),
				(unsigned long long)(routes - snn_geometry_route_total(g)));
	return 0;
}

int snn_config_validate(const snn_config *cfg, snn_diag *diag)
{
	const snn_geometry *g = &cfg->geo;
	int rc = snn_geometry_check(g, diag);
	if (rc)
		return rc;
	const uint32_t *G = cfg->global;
	if (G[SNN_G_N_CORES] > g->n_cores)
		return snn_fail(diag, SNN_ERR_RANGE, "N_CORES %u exceeds the geometry's %u cores",
				G[SNN_G_N_CORES], g->n_cores);
	if (G[SNN_G_INPUT_ROUTES] > g->input_routes)
		return snn_fail(diag, SNN_ERR_RANGE, "INPUT_ROUTES %u exceeds the geometry's %u",
				G[SNN_G_INPUT_ROUTES], g->input_routes);
	uint64_t in_size = input_size(cfg);
	if (G[SNN_G_INPUT_ROUTES] && (in_size == 0 || in_size >= (1u << 24)))
		return snn_fail(diag, SNN_ERR_RANGE, "input tensor %ux%ux%u must have 1 .. 2^24-1 elements",
				G[SNN_G_INPUT_C], G[SNN_G_INPUT_H], G[SNN_G_INPUT_W]);
	for (uint32_t c = 0; c < g->n_cores; c++) {
		if (c >= G[SNN_G_N_CORES]) {
			const snn_core_cfg *k = &cfg->core[c];
			for (unsigned i = 0; i < SNN_CORE_REGS; i++)
				if (k->reg[i])
					return snn_fail(diag, SNN_ERR_RANGE,
							"core %u is beyond N_CORES %u but register %s is set",
							c, G[SNN_G_N_CORES], snn_core_reg_name(i));
		} else if ((rc = check_core_regs(cfg, c, diag))) {
			return rc;
		}
		if ((rc = check_memories(cfg, c, diag)))
			return rc;
	}
	char owner[32];
	for (uint32_t c = 0; c < G[SNN_G_N_CORES]; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		snprintf(owner, sizeof owner, "core %u", c);
		for (uint32_t i = 0; i < k->reg[SNN_R_ROUTE_COUNT]; i++)
			if ((rc = check_route(cfg, &k->route[i], owner, i, k->reg[SNN_R_N_NEURONS], true, diag)))
				return rc;
	}
	for (uint32_t i = 0; i < G[SNN_G_INPUT_ROUTES]; i++)
		if ((rc = check_route(cfg, &cfg->input_route[i], "input", i, in_size, false, diag)))
			return rc;
	for (uint32_t i = G[SNN_G_INPUT_ROUTES]; i < g->input_routes; i++)
		if (!route_is_zero(&cfg->input_route[i]))
			return snn_fail(diag, SNN_ERR_RANGE, "unused input route %u is not 0", i);
	if ((rc = check_budgets(cfg, diag)))
		return rc;
	return check_accumulator(cfg, diag);
}

const char *snn_mode_name(uint32_t mode)
{
	static const char *const names[SNN_MODE_COUNT] = {"off", "dense", "conv", "deconv"};
	return mode < SNN_MODE_COUNT ? names[mode] : "?";
}

uint32_t snn_rtl_modes(const snn_geometry *g)
{
	if (!snn_geometry_shared(g))
		return SNN_MODES_RTL;	/* snn_array */
	const snn_profile *p = snn_profile_of(g);
	return p ? p->modes : SNN_MODES_ALL;
}

int snn_config_check_modes(const snn_config *cfg, uint32_t modes, const char *device,
			   snn_diag *diag)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && c < cfg->geo.n_cores; c++) {
		const uint32_t *r = cfg->core[c].reg;
		uint32_t m = r[SNN_R_MODE];
		if (m != SNN_MODE_OFF && (m >= SNN_MODE_COUNT || !(modes & SNN_MODE_BIT(m))))
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"core %u: MODE %u (%s) is not supported by %s", c, m,
					snn_mode_name(m), device);
		if (!snn_mode_is_map(m))
			continue;
		if (r[SNN_R_STRIDE] != 1 && !(modes & SNN_FEAT_STRIDE))
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"core %u: STRIDE %u is not supported by %s, built for a stride of 1",
					c, r[SNN_R_STRIDE], device);
		if (r[SNN_R_POOL] != 1 && r[SNN_R_POOL] != 2 && !(modes & SNN_FEAT_POOL))
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"core %u: POOL %u is not supported by %s, built for pools of 1 and 2",
					c, r[SNN_R_POOL], device);
		if ((r[SNN_R_FLAGS] & SNN_F_CHAN_BIAS) && !(modes & SNN_FEAT_CHAN_BIAS))
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"core %u: FLAGS CHAN_BIAS (a bias per channel) is not supported by %s, "
					"built for a bias per neuron", c, device);
	}
	return 0;
}
