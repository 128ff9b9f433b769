/* rtl/snn_engine.v, the time-multiplexed array, against the golden simulator
 * in lock step (sim/cosim.c): the random networks of tests/sim/random_net.c
 * (dense and conv cores, pooling, strides, tiles, every reset and leak mode,
 * refractory periods, recurrent, lateral and host routes), moved to a
 * geometry with shared budgets and packed by their base registers; every
 * spike, host event, counter and neuron state compared at every step; and
 * half as many networks again on engine-tmsd, whose pool is in SDRAM but
 * for 64 lines (the engine held at every access there, answered after
 * random delays), which must be held and identical all the same.
 *
 * Environment: SNN_TEST_LONG=1 runs 300 seeds instead of 30;
 * SNN_TEST_SEEDS=N sets the count, SNN_TEST_SEED=S runs one seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../sim/random_net.h"
#include "snn/cosim.h"
#include "cosim_feed.h"
#include "snn/rtl.h"

/* random_net_small_geo with budgets and the engine's 8 lanes, and 512
 * neurons a core so that a conv core's accumulators as tap lines fit: the
 * engine-tm model of rtl/mk/array.mk. */
static const snn_geometry tm_geo = {16, 512, 256, 8192, 8, 16, 12, 8, 8, 8,
				    4096, 163840, 128, 8, 8, 24};
/* ... with a pool of 196,608 bytes, all but its first 64 lines in SDRAM:
 * engine-tmsd (rtl/mk/array.mk), whose weights and neuron state are read
 * and written through its line port (sim/rtl_model.cpp answers it after
 * random delays). The per-core fields are tm_geo's. */
static const snn_geometry tmsd_geo = {16, 512, 256, 8192, 8, 16, 12, 8, 8, 8,
				      4096, 196608, 128, 8, 8, 24};

static const char *env(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? s : NULL;
}

static unsigned nets, skipped, steps_run, deconv_cores, chan_bias_cores, sd_nets, sd_held_nets;
static uint64_t spikes, synops, sd_held;

/* Conv and deconv core b with channel biases (FLAGS CHAN_BIAS, half
 * records): each channel takes the bias its first neuron drew, so the
 * channels' biases differ and a device that took one from the wrong channel
 * (or a record from the wrong half) would part from the golden model. */
static void to_chan_bias(snn_core_cfg *b)
{
	uint32_t plane = b->reg[SNN_R_OUT_H] * b->reg[SNN_R_OUT_W];
	for (uint32_t k = 0; k < b->reg[SNN_R_OUT_NC]; k++)
		for (uint32_t i = 1; i < plane; i++)
			b->bias[k * plane + i] = b->bias[k * plane];
	b->reg[SNN_R_FLAGS] |= SNN_F_CHAN_BIAS;
	chan_bias_cores++;
}

/* Half of the conv and deconv cores with channel biases (by seed), for
 * random_net_to_budgets. */
static void chan_bias_half(snn_core_cfg *b, unsigned c, void *ctx)
{
	uint64_t seed = *(const uint64_t *)ctx;
	if (snn_mode_is_map(b->reg[SNN_R_MODE]) && (seed + c) % 2)
		to_chan_bias(b);
}

/* cfg (small geometry) moved onto geo (tm_geo's per-core fields), dense
 * cores in whole lanes, half of the conv and deconv cores with channel
 * biases if chan_bias, bases packed. */
static int to_shared(const snn_config *src, snn_config *dst, const snn_geometry *geo, bool chan_bias,
		     uint64_t seed, snn_diag *diag)
{
	return random_net_to_budgets(src, dst, geo, chan_bias ? chan_bias_half : NULL, &seed, diag);
}

/* Random network seed on geo, in lock step with the golden model on the
 * engine model named want. */
static void one_seed(uint64_t seed, const snn_geometry *geo, const char *want, bool verbose)
{
	snn_config small, cfg;
	snn_diag diag = {""};
	random_net_info info;
	uint64_t prof_synops[16] = {0}, prof_held[16] = {0};	/* tm_geo's cores */
	random_net_opts opts = RANDOM_NET_DEFAULT_OPTS;
	opts.wide_percent = 0;	/* the engine computes with 8-bit weights */
	opts.deconv_percent = 30;	/* engine-tm is built with the deconv mode */
	if (seed % 3 == 2)	/* conv taps of two lines, padded (docs/geometry.md) */
		opts.max_conv_channels = 15;
	th_case("%s seed %llu", want, (unsigned long long)seed);
	int rc = random_net(&small, seed, &opts, &info, &diag);
	if (!th_expect(rc == 0, "seed %llu: random_net: %s", (unsigned long long)seed, diag.msg)) {
		snn_config_free(&small);
		return;
	}
	rc = to_shared(&small, &cfg, geo, true, seed, &diag);
	snn_config_free(&small);
	if (rc) {	/* beyond 24-bit accumulators: not this geometry's */
		skipped++;
		snn_config_free(&cfg);
		return;
	}
	if (verbose)
		random_net_dump(&cfg, stdout);
	for (unsigned c = 0; c < cfg.global[SNN_G_N_CORES]; c++)
		deconv_cores += cfg.core[c].reg[SNN_R_MODE] == SNN_MODE_DECONV;
	snn_cosim *cs;
	rc = snn_cosim_create(&cfg, &cs, &diag);
	if (!th_expect(rc == 0, "seed %llu: snn_cosim_create: %s", (unsigned long long)seed, diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	th_expect(!strcmp(snn_rtl_name(snn_cosim_rtl(cs)), want), "model %s, want %s",
		  snn_rtl_name(snn_cosim_rtl(cs)), want);
	nets++;
	if (seed & 1)
		snn_rtl_out_stall(snn_cosim_rtl(cs), 40);
	snn_rtl_profile(snn_cosim_rtl(cs), prof_synops, prof_held);	/* cycles held for SDRAM */
	rn_rng r = {seed ^ 0xC05111u};
	uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] * cfg.global[SNN_G_INPUT_W];
	for (unsigned sample = 0; sample < 2; sample++) {
		if (sample)
			snn_cosim_reset(cs);
		unsigned steps = 6 + rn_below(&r, 12);
		for (unsigned s = 0; s < steps; s++) {
			if (rn_below(&r, 100) < 70)
				cosim_feed(cs, &r, chw);
			snn_cosim_diff d;
			if (snn_cosim_step(cs, NULL, NULL, NULL, 1, &d)) {
				th_expect(false, "seed %llu (%s), sample %u, step %u: %s",
					  (unsigned long long)seed, info.summary, sample, d.step, d.what);
				goto out;
			}
			steps_run++;
		}
	}
	const uint64_t *g = snn_sim_counters(snn_cosim_golden(cs));
	spikes += g[SNN_CTR_SPIKES];
	synops += g[SNN_CTR_SYNOPS];
	uint64_t held = 0;
	for (unsigned c = 0; c < 16; c++)
		held += prof_held[c];
	if (geo->synapse_total != tm_geo.synapse_total) {
		sd_nets++;
		sd_held_nets += held > 0;
		sd_held += held;
	} else {
		th_expect(held == 0, "%llu cycles held on a model without SDRAM", (unsigned long long)held);
	}
out:
	snn_cosim_free(cs);
	snn_config_free(&cfg);
}

/* Random network seed, 8-bit weights, on engine-tm's geometry in cfg;
 * false, with nothing left to free, when the generator or the geometry
 * (24-bit accumulators) does not take it. */
static bool geo_net(uint64_t seed, const snn_geometry *geo, snn_config *cfg)
{
	snn_config small;
	snn_diag diag = {""};
	memset(&small, 0, sizeof small);
	memset(cfg, 0, sizeof *cfg);
	random_net_opts opts = RANDOM_NET_DEFAULT_OPTS;
	opts.wide_percent = 0;
	bool ok = random_net(&small, seed, &opts, NULL, &diag) == 0 && to_shared(&small, cfg, geo, false, seed, &diag) == 0;
	snn_config_free(&small);
	if (!ok)
		snn_config_free(cfg);
	return ok;
}

static bool tm_net(uint64_t seed, snn_config *cfg)
{
	snn_config small;
	snn_diag diag = {""};
	memset(&small, 0, sizeof small);
	memset(cfg, 0, sizeof *cfg);
	random_net_opts opts = RANDOM_NET_DEFAULT_OPTS;
	opts.wide_percent = 0;
	bool ok = random_net(&small, seed, &opts, NULL, &diag) == 0 && to_shared(&small, cfg, &tm_geo, false, seed, &diag) == 0;
	snn_config_free(&small);
	if (!ok)
		snn_config_free(cfg);
	return ok;
}

/* The memory port on engine-tmsd's pool lines, at the block RAM's last and
 * in SDRAM (its first, others, the pool's last): each line's words read,
 * written and read back in turn, v, r, the bias bytes and a weight byte of
 * the same line, so that a read after a write of the last SDRAM line read
 * (the engine answers it from its copy of that line) must see the write,
 * and the other words of the line stay. */
static void test_sdram_words(void)
{
	th_case("sdram_words_write_then_read");
	snn_config cfg;
	snn_diag diag = {""};
	uint64_t seed = 3;
	while (!geo_net(seed, &tmsd_geo, &cfg))
		seed++;
	snn_rtl *r;
	if (!th_expect(snn_rtl_create(&cfg, &r, &diag) == 0, "create: %s", diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	th_expect(!strcmp(snn_rtl_name(r), "engine-tmsd"), "model %s", snn_rtl_name(r));
	/* a core number past the image's: snn_rtl_mem adds no base, the index
	 * is the pool's own (the engine's port does not look at the core) */
	const unsigned nc = tmsd_geo.n_cores;
	const uint32_t lines = tmsd_geo.synapse_total / 8, br = 64;	/* rtl/mk/array.mk's tmsd */
	const uint32_t at[] = {br - 1, br, br + 1, br + 2, 777, 4097, lines - 2, lines - 1};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		uint32_t l = at[i], v = 0, w;
		uint32_t sv = 2 * l, sb = l, ss = 8 * l;
		uint32_t x = 1000 + 7 * (uint32_t)i, rr = 1 + (uint32_t)i % 15;
		uint32_t b = (uint32_t)-3 - (uint32_t)i, syn = 0x55 - (uint32_t)i, syn4 = 0;
		int rc = snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv, &v);	/* the line read first */
		w = x;
		rc |= snn_rtl_mem(r, true, SNN_REGION_STATE, nc, sv, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv, &v);
		th_expect(rc == 0 && v == x, "line %u: v %u after writing %u (rc %d)", l, v, x, rc);
		w = rr;
		rc = snn_rtl_mem(r, true, SNN_REGION_STATE, nc, sv + 1, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv + 1, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv, &v);
		th_expect(rc == 0 && w == rr && v == x, "line %u: r %u v %u, want %u %u", l, w, v, rr, x);
		w = b;
		rc = snn_rtl_mem(r, true, SNN_REGION_BIAS, nc, sb, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_BIAS, nc, sb, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv, &v);
		th_expect(rc == 0 && w == b && v == x, "line %u: bias %d v %u, want %d %u", l, (int32_t)w, v,
			  (int32_t)b, x);
		w = syn;	/* byte 5, the spike bits' */
		rc = snn_rtl_mem(r, true, SNN_REGION_SYNAPSE, nc, ss + 5, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, nc, ss + 5, &w);
		rc |= snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, nc, ss + 4, &syn4);	/* r's byte */
		rc |= snn_rtl_mem(r, false, SNN_REGION_STATE, nc, sv, &v);
		th_expect(rc == 0 && w == syn && syn4 == rr && v == x,
			  "line %u: byte 5 %u (want %u), byte 4 %u (want %u), v %u (want %u)", l, w, syn, syn4, rr,
			  v, x);
	}
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

/* The engine's memory port, on a real network: words outside each memory
 * and bad STATE words refused (one bound check per memory since protocol
 * 3: snn_rtl_mem places a core's word by its base registers, so core 0's
 * index that lands one past the pool, the route table or the neuron lines
 * is the first refused), nothing changed by a refusal, and the global
 * registers (kept in the route RAM) read back as written. */
static void test_memory_port(void)
{
	th_case("memory_port");
	snn_config cfg;
	snn_diag diag = {""};
	uint64_t seed = 3;
	while (!tm_net(seed, &cfg))
		seed++;
	snn_rtl *r;
	if (!th_expect(snn_rtl_create(&cfg, &r, &diag) == 0, "create: %s", diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	const snn_geometry *g = snn_rtl_geometry(r);
	const uint32_t *reg0 = cfg.core[0].reg;
	uint32_t w = 1, n = reg0[SNN_R_N_NEURONS];
	uint32_t syn_base = (uint32_t)snn_region_base(&cfg.geo, reg0, SNN_REGION_SYNAPSE);
	uint32_t route_base = (uint32_t)snn_region_base(&cfg.geo, reg0, SNN_REGION_ROUTE);
	uint32_t bias_base = (uint32_t)snn_region_base(&cfg.geo, reg0, SNN_REGION_BIAS);
	uint32_t lines = g->synapse_total / g->state_words;	/* the pool's neuron lines */
	th_expect(n > 0 && bias_base > 0 && bias_base < lines, "core 0's neurons at line %u of %u",
		  bias_base, lines);
	th_expect(snn_rtl_mem(r, true, SNN_REGION_CORE, 0, 32, &w) == SNN_ERR_RANGE, "CORE word 32 accepted");
	th_expect(snn_rtl_mem(r, true, SNN_REGION_CORE, g->n_cores, 0, &w) == SNN_ERR_RANGE,
		  "core %u accepted", g->n_cores);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, g->synapse_total - syn_base - 1, &w) == 0,
		  "the pool's last byte refused");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, g->synapse_total - syn_base, &w) ==
		  SNN_ERR_RANGE, "SYNAPSE word past the pool accepted");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, 0x80000000u, &w) == SNN_ERR_RANGE,
		  "SYNAPSE word 2^31 accepted");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_BIAS, 0, lines - bias_base - 1, &w) == 0,
		  "the last neuron line's BIAS refused");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_BIAS, 0, lines - bias_base, &w) == SNN_ERR_RANGE,
		  "BIAS of line %u accepted", lines);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_ROUTE, 0, 4 * g->route_total - route_base - 1, &w) == 0,
		  "the route table's last word refused");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_ROUTE, 0, 4 * g->route_total - route_base, &w) ==
		  SNN_ERR_RANGE, "ROUTE word %u accepted", 4 * g->route_total);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_INPUT_ROUTE, 0, 4 * g->input_routes, &w) ==
		  SNN_ERR_RANGE, "INPUT_ROUTE word %u accepted", 4 * g->input_routes);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_GLOBAL, 0, 5, &w) == SNN_ERR_RANGE, "GLOBAL word 5 accepted");
	th_expect(snn_rtl_mem(r, false, 7, 0, 0, &w) == SNN_ERR_RANGE, "region 7 accepted");
	th_expect(snn_rtl_mem(r, false, SNN_REGION_STATE, 0, 2 * (lines - bias_base), &w) ==
		  SNN_ERR_RANGE, "STATE of line %u accepted", lines);
	int32_t v0, v1;
	uint32_t r0, r1;
	snn_rtl_get_state(r, 0, 0, &v0, &r0);
	w = 16;
	th_expect(snn_rtl_mem(r, true, SNN_REGION_STATE, 0, 1, &w) == SNN_ERR_ARG, "refractory 16 accepted");
	w = (uint32_t)1 << (g->membrane_bits - 1);
	th_expect(snn_rtl_mem(r, true, SNN_REGION_STATE, 0, 0, &w) == SNN_ERR_ARG, "membrane 2^(M-1) accepted");
	snn_rtl_get_state(r, 0, 0, &v1, &r1);
	th_expect(v0 == v1 && r0 == r1, "a refused STATE write changed the state");
	for (uint32_t k = 0; k < 5; k++) {
		uint32_t x = 0x9E370001u * (k + 1), y = 0;
		th_expect(snn_rtl_mem(r, true, SNN_REGION_GLOBAL, 0, k, &x) == 0 &&
			  snn_rtl_mem(r, false, SNN_REGION_GLOBAL, 0, k, &y) == 0 && y == x,
			  "GLOBAL word %u reads back 0x%08x, written 0x%08x", k, y, x);
	}
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

/* A word a careless or hostile host might write: the edges of every range
 * the RESET checks of snn_cmd (docs/rtl.md) would have refused. */
static uint32_t hostile_word(rn_rng *r)
{
	static const uint32_t edge[] = {0, 1, 2, 3, 15, 16, 255, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
					0xFFFFFF, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
	switch (rn_below(r, 4)) {
	case 0:
		return rn_below(r, 64);
	case 1:
		return (uint32_t)rn_below(r, 1u << 16);
	case 2:
		return ((uint32_t)rn_below(r, 1u << 16) << 16) | (uint32_t)rn_below(r, 1u << 16);
	default:
		return edge[rn_below(r, sizeof edge / sizeof edge[0])];
	}
}

/* The lean command layer of the board builds (snn_cmd CHECK_CONFIG=0) runs
 * whatever configuration the host wrote: a valid network with core
 * registers, routes and GLOBAL words overwritten at random must still
 * finish every CLEAR and STEP, within a bound a host would wait for
 * (docs/rtl.md, "Widths": wider values saturate at the profile's limits). */
static void test_hostile_descriptors(unsigned trials)
{
	th_case("hostile_descriptors");
	const uint64_t limit = 2000000;	/* cycles a command may take: the models' watchdog is 2^20 */
	unsigned ran = 0, steps = 0;
	uint64_t worst = 0;
	for (uint64_t seed = 1; ran < trials && seed < 10 * trials; seed++) {
		snn_config cfg;
		snn_diag diag = {""};
		if (!tm_net(seed, &cfg))
			continue;
		snn_rtl *r;
		if (!th_expect(snn_rtl_create(&cfg, &r, &diag) == 0, "create: %s", diag.msg)) {
			snn_config_free(&cfg);
			return;
		}
		ran++;
		snn_rtl_watchdog(r, limit);
		rn_rng g = {seed * 0x9E3779B97F4A7C15u};
		const snn_geometry *geo = snn_rtl_geometry(r);
		uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] *
			       cfg.global[SNN_G_INPUT_W];
		char what[160] = "";
		unsigned writes = 1 + (unsigned)rn_below(&g, 8);
		for (unsigned k = 0; k < writes; k++) {
			unsigned region, core = (unsigned)rn_below(&g, geo->n_cores);
			uint32_t index, w = hostile_word(&g);
			switch (rn_below(&g, 8)) {
			case 0:
				region = SNN_REGION_GLOBAL, index = (uint32_t)rn_below(&g, 5);
				break;
			case 1:
				region = SNN_REGION_INPUT_ROUTE;
				index = (uint32_t)rn_below(&g, 4 * geo->input_routes);
				break;
			case 2:
			case 3:
				region = SNN_REGION_ROUTE;
				index = (uint32_t)rn_below(&g, 4 * geo->routes_per_core);
				break;
			default:
				region = SNN_REGION_CORE, index = (uint32_t)rn_below(&g, 32);
			}
			snn_rtl_mem(r, true, region, core, index, &w);
			size_t len = strlen(what);
			snprintf(what + len, sizeof what - len, "%s%u/%u/%u=0x%x", k ? " " : "", region,
				 core, index, w);
		}
		snn_rtl_reset(r);
		for (unsigned s = 0; s < 4 && !snn_rtl_timed_out(r); s++) {
			uint64_t before = snn_rtl_counters(r)[SNN_CTR_CYCLES];
			for (unsigned i = 0; i < 8 && chw; i++)
				snn_rtl_input(r, (uint32_t)rn_below(&g, chw));
			snn_rtl_step(r, NULL, NULL, NULL);
			if (!snn_rtl_timed_out(r)) {
				uint64_t took = snn_rtl_counters(r)[SNN_CTR_CYCLES] - before;
				worst = took > worst ? took : worst;
				steps++;
			}
		}
		th_expect(!snn_rtl_timed_out(r), "seed %llu: a command ran over %llu cycles after "
			  "writing (region/core/word=value) %s", (unsigned long long)seed,
			  (unsigned long long)limit, what);
		snn_rtl_free(r);
		snn_config_free(&cfg);
	}
	printf("  %u hostile configurations, %u steps, the longest %llu cycles\n", ran, steps,
	       (unsigned long long)worst);
	th_expect(ran == trials, "only %u of %u configurations ran", ran, trials);
}

/* DERIVED (register 31, docs/config-format.md): the golden model refuses a
 * conv or deconv core whose word is not OUT_H x OUT_W | KH x KW << 16, naming
 * it, and so does the image writer; the engine, which trusts it, given such
 * words behind the golden model's back still ends every STEP and changes no
 * configuration word of any core. */
static void test_derived_bad(void)
{
	th_case("derived_bad");
	unsigned tried = 0;
	for (uint64_t seed = 1; seed < 400 && tried < 3; seed++) {
		snn_config cfg;
		snn_diag diag = {""};
		if (!tm_net(seed, &cfg))
			continue;
		uint32_t conv = cfg.geo.n_cores;
		for (uint32_t c = 0; c < cfg.global[SNN_G_N_CORES] && conv == cfg.geo.n_cores; c++)
			if (snn_mode_is_map(cfg.core[c].reg[SNN_R_MODE]))
				conv = c;
		if (conv == cfg.geo.n_cores) {
			snn_config_free(&cfg);
			continue;
		}
		tried++;
		uint32_t *reg = cfg.core[conv].reg, good = reg[SNN_R_DERIVED];
		th_expect(good == snn_core_derived(&cfg, conv) && (good & 0xFFFFu) ==
			  ((reg[SNN_R_OUT_H] * reg[SNN_R_OUT_W]) & 0xFFFFu) &&
			  good >> 16 == reg[SNN_R_KH] * reg[SNN_R_KW],
			  "seed %llu core %u: DERIVED 0x%08x", (unsigned long long)seed, conv, good);
		const uint32_t bad[] = {0, good + 1, good + 0x10000u, good ^ 0x80008000u, 0xFFFFFFFFu};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			reg[SNN_R_DERIVED] = bad[i];
			snn_sim *sim = NULL;
			int rc = snn_sim_create(&cfg, &sim, &diag);
			th_expect(rc == SNN_ERR_RANGE && strstr(diag.msg, "DERIVED"),
				  "seed %llu core %u: DERIVED 0x%08x: %s", (unsigned long long)seed, conv,
				  bad[i], rc ? diag.msg : "accepted");
			snn_sim_free(sim);
		}
		reg[SNN_R_DERIVED] = good;
		snn_rtl *r;
		if (!th_expect(snn_rtl_create(&cfg, &r, &diag) == 0, "create: %s", diag.msg)) {
			snn_config_free(&cfg);
			return;
		}
		snn_rtl_watchdog(r, 2000000);
		rn_rng g = {seed};
		uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] *
			       cfg.global[SNN_G_INPUT_W];
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			uint32_t w = bad[i];
			snn_rtl_mem(r, true, SNN_REGION_CORE, conv, SNN_R_DERIVED, &w);
			for (unsigned s = 0; s < 3 && !snn_rtl_timed_out(r); s++) {
				for (unsigned k = 0; k < 16 && chw; k++)
					snn_rtl_input(r, (uint32_t)rn_below(&g, chw));
				snn_rtl_step(r, NULL, NULL, NULL);
			}
			th_expect(!snn_rtl_timed_out(r), "seed %llu core %u: DERIVED 0x%08x hung a STEP",
				  (unsigned long long)seed, conv, bad[i]);
		}
		reg[SNN_R_DERIVED] = bad[sizeof bad / sizeof bad[0] - 1];
		unsigned differ = 0;
		for (uint32_t c = 0; c < cfg.geo.n_cores; c++) {
			const snn_core_cfg *k = &cfg.core[c];
			uint32_t w;
			for (uint32_t i = 0; i < SNN_CORE_REGS; i++)
				differ += snn_rtl_mem(r, false, SNN_REGION_CORE, c, i, &w) || w != k->reg[i];
			/* as the host placed them: a conv core's taps as lines */
			for (uint32_t i = 0; i < snn_core_synapse_share(&cfg, c); i++) {
				int64_t at = snn_synapse_word_at(&cfg.geo, k->reg, i);
				differ += snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, c, i, &w) ||
					  (int32_t)w != (at < 0 ? 0 : k->syn[at]);
			}
			for (uint32_t i = 0; i < k->reg[SNN_R_N_NEURONS]; i++)
				differ += snn_rtl_mem(r, false, SNN_REGION_BIAS, c, i, &w) ||
					  (int32_t)w != k->bias[i];
			for (uint32_t i = 0; i < k->reg[SNN_R_ROUTE_COUNT]; i++) {
				uint32_t want[SNN_ROUTE_WORDS];
				snn_route_pack(&k->route[i], want);
				for (unsigned j = 0; j < SNN_ROUTE_WORDS; j++)
					differ += snn_rtl_mem(r, false, SNN_REGION_ROUTE, c, 4 * i + j, &w) ||
						  w != want[j];
			}
		}
		th_expect(differ == 0, "seed %llu: %u configuration words changed after steps with a bad "
			  "DERIVED", (unsigned long long)seed, differ);
		snn_rtl_free(r);
		snn_config_free(&cfg);
	}
	th_expect(tried == 3, "only %u random networks with a conv core", tried);
}

/* A core's tensor fields take CW bits in the engine (docs/rtl.md): 13 for the
 * tm model (bits of INPUT_MAX 4096 + 1). A dense core with IN_W 2^13 - 1 is
 * computed as the golden model does; with 2^13, valid for the golden model,
 * the engine refuses the step (cut short, o_cmd_abort) instead of
 * computing something else. */
static void test_wide_core(void)
{
	th_case("wide_core");
	const uint32_t cw_limit = 1u << 13;
	for (uint64_t seed = 1; seed < 200; seed++) {
		snn_config cfg;
		snn_diag diag = {""};
		if (!tm_net(seed, &cfg))
			continue;
		uint32_t dense = cfg.geo.n_cores;
		for (uint32_t c = 0; c < cfg.geo.n_cores && dense == cfg.geo.n_cores; c++)
			if (cfg.core[c].reg[SNN_R_MODE] == SNN_MODE_DENSE)
				dense = c;
		if (dense == cfg.geo.n_cores) {
			snn_config_free(&cfg);
			continue;
		}
		uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] *
			       cfg.global[SNN_G_INPUT_W];
		for (uint32_t in_w = cw_limit - 1; in_w <= cw_limit; in_w++) {
			cfg.core[dense].reg[SNN_R_IN_W] = in_w;
			if (!th_expect(snn_config_validate(&cfg, &diag) == 0, "IN_W %u: %s", in_w, diag.msg))
				break;
			snn_cosim *cs;
			if (!th_expect(snn_cosim_create(&cfg, &cs, &diag) == 0, "cosim: %s", diag.msg))
				break;
			rn_rng r = {seed};
			snn_cosim_diff d;
			cosim_feed(cs, &r, chw);
			int differs = snn_cosim_step(cs, NULL, NULL, NULL, 1, &d);
			bool refused = snn_rtl_aborted(snn_cosim_rtl(cs));
			if (in_w < cw_limit)
				th_expect(!refused && !differs, "seed %llu, IN_W %u: %s",
					  (unsigned long long)seed, in_w, refused ? "refused" : d.what);
			else
				th_expect(refused, "seed %llu, IN_W %u (2^CW): the step was not refused",
					  (unsigned long long)seed, in_w);
			snn_cosim_free(cs);
		}
		snn_config_free(&cfg);
		return;
	}
	th_expect(false, "no random network with a dense core");
}

/* A core mode the engine was not built with is refused at STEP (cut short,
 * o_cmd_abort), never computed as another: the iCEBreaker's engine has no
 * deconv mode (DECONV = 0), and no engine has a MODE above 3. A small
 * dense network of that geometry runs; its core then turned into each.
 * On the way: the cycles counter stands still between steps. */
/* cfg for geo with one core, fed by a 1 x 2 x 2 input through one input
 * route; the core's registers are the caller's to set. */
static bool one_core_2x2(snn_config *cfg, const snn_geometry *geo, snn_diag *d)
{
	if (!th_expect(snn_config_init(cfg, geo, d) == 0, "%s", d->msg))
		return false;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = cfg->global[SNN_G_INPUT_W] = 2;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = 4};
	return true;
}

static void test_mode_not_built(void)
{
	th_case("mode_not_built");
	snn_config cfg;
	snn_diag d = {""};
	if (!one_core_2x2(&cfg, &snn_profile_find("icebreaker")->geo, &d))
		return;
	uint32_t *g = cfg.core[0].reg;
	g[SNN_R_MODE] = SNN_MODE_DENSE;
	g[SNN_R_N_NEURONS] = 8;	/* one line of lanes */
	g[SNN_R_N_AXONS] = 4;
	g[SNN_R_THRESHOLD] = 10;
	g[SNN_R_FLAGS] = SNN_F_SPIKING;
	g[SNN_R_IN_C] = 1;
	g[SNN_R_IN_H] = g[SNN_R_IN_W] = 2;
	g[SNN_R_SYN_COUNT] = 32;
	for (int i = 0; i < 32; i++)
		cfg.core[0].syn[i] = (int16_t)(i % 7 + 3);
	snn_config_pack_bases(&cfg);
	snn_rtl *r = NULL;
	if (th_expect(snn_rtl_create(&cfg, &r, &d) == 0, "create: %s", d.msg)) {
		th_expect(!strcmp(snn_rtl_name(r), "engine-icebreaker"), "model %s", snn_rtl_name(r));
		snn_rtl_watchdog(r, 2000000);
		snn_rtl_input(r, 0);
		snn_rtl_step(r, NULL, NULL, NULL);
		th_expect(!snn_rtl_aborted(r), "the dense network's step was refused");
		/* the cycles counter counts steps only (docs/host-protocol.md), not
		 * the memory requests between them (input events wait in sim/rtl.c
		 * until the step) */
		uint64_t cycles = snn_rtl_counters(r)[SNN_CTR_CYCLES];
		uint32_t word;
		snn_rtl_mem(r, false, SNN_REGION_CORE, 0, SNN_R_THRESHOLD, &word);
		snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, 5, &word);
		th_expect(cycles > 0 && snn_rtl_counters(r)[SNN_CTR_CYCLES] == cycles,
			  "cycles %llu after the step, %llu after two reads", (unsigned long long)cycles,
			  (unsigned long long)snn_rtl_counters(r)[SNN_CTR_CYCLES]);
		static const uint32_t modes[] = {SNN_MODE_DECONV, 4, 0x80000001u};
		for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
			uint32_t w = modes[i];
			snn_rtl_mem(r, true, SNN_REGION_CORE, 0, SNN_R_MODE, &w);
			snn_rtl_input(r, 1);
			snn_rtl_step(r, NULL, NULL, NULL);
			th_expect(snn_rtl_aborted(r) && !snn_rtl_timed_out(r), "MODE 0x%x: the step was not refused",
				  modes[i]);
		}
		uint32_t w = SNN_MODE_DENSE;	/* and back: it runs again */
		snn_rtl_mem(r, true, SNN_REGION_CORE, 0, SNN_R_MODE, &w);
		snn_rtl_step(r, NULL, NULL, NULL);
		th_expect(!snn_rtl_aborted(r), "MODE 1 again: the step was refused");
	}
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

/* Channel biases (FLAGS CHAN_BIAS, docs/geometry.md): a conv core of four
 * channels of a 2 x 2 tile with zero weights and no input, biases -15, -5,
 * 5, 15 by channel, no leak, no threshold reached: after three steps neuron
 * n's v is 3 x its channel's bias, worked out here, not by the golden
 * model, so a bias taken from another channel, or a record from the other
 * half of its line, shows. The channel table and the half records read
 * back through the memory port, and a write of one neuron's refractory
 * counter leaves its neighbour in the line as it was. */
static void test_chan_bias(void)
{
	th_case("chan_bias_channels");
	snn_config cfg;
	snn_diag d = {""};
	if (!one_core_2x2(&cfg, &tm_geo, &d))
		return;
	uint32_t *g = cfg.core[0].reg;
	g[SNN_R_MODE] = SNN_MODE_CONV;
	g[SNN_R_N_NEURONS] = 16;
	g[SNN_R_THRESHOLD] = 30000;
	g[SNN_R_FLAGS] = SNN_F_SPIKING | SNN_F_CHAN_BIAS;
	g[SNN_R_IN_C] = 1;
	g[SNN_R_IN_H] = g[SNN_R_IN_W] = 2;
	g[SNN_R_POOL] = g[SNN_R_KH] = g[SNN_R_KW] = g[SNN_R_STRIDE] = 1;
	g[SNN_R_OUT_NC] = 4;
	g[SNN_R_OUT_H] = g[SNN_R_OUT_W] = 2;
	g[SNN_R_SYN_COUNT] = 4;
	static const int32_t bias[4] = {-15, -5, 5, 15};
	for (unsigned n = 0; n < 16; n++)
		cfg.core[0].bias[n] = bias[n / 4];
	snn_config_pack_bases(&cfg);
	snn_rtl *r = NULL;
	if (th_expect(snn_rtl_create(&cfg, &r, &d) == 0, "create: %s", d.msg)) {
		th_expect(!strcmp(snn_rtl_name(r), "engine-tm"), "model %s", snn_rtl_name(r));
		snn_rtl_watchdog(r, 2000000);
		for (int s = 0; s < 3; s++)
			snn_rtl_step(r, NULL, NULL, NULL);
		th_expect(!snn_rtl_aborted(r), "the step was refused");
		for (unsigned n = 0; n < 16; n++) {
			int32_t v = 0;
			uint32_t ref = 0;
			int rc = snn_rtl_get_state(r, 0, n, &v, &ref);
			th_expect(rc == 0 && v == 3 * bias[n / 4] && ref == 0,
				  "neuron %u (channel %u): v %d r %u, want %d 0", n, n / 4, v, ref,
				  3 * bias[n / 4]);
		}
		th_case("chan_bias_table_read");
		for (unsigned k = 0; k < 4; k++) {
			uint32_t w = 0;
			int rc = snn_rtl_mem(r, false, SNN_REGION_BIAS, 0, k, &w);
			th_expect(rc == 0 && (int32_t)w == bias[k], "BIAS[%u] %d, want %d", k, (int32_t)w, bias[k]);
		}
		th_case("chan_bias_half_write");
		uint32_t w = 7;
		snn_rtl_mem(r, true, SNN_REGION_STATE, 0, 2 * 5 + 1, &w);	/* neuron 5's r */
		int32_t v4 = 0, v5 = 0;
		uint32_t r4 = 0, r5 = 0;
		snn_rtl_get_state(r, 0, 4, &v4, &r4);
		snn_rtl_get_state(r, 0, 5, &v5, &r5);
		th_expect(v5 == -15 && r5 == 7 && v4 == -15 && r4 == 0,
			  "after writing neuron 5's r: neuron 4 %d %u, neuron 5 %d %u", v4, r4, v5, r5);
	}
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

/* Conv taps as pool lines (docs/geometry.md, "Conv taps as lines"): a conv
 * core of nc channels, a 1 x 1 kernel on the 2 x 2 input (four positions),
 * channel k's weight k + 1, no bias or leak. The host's lines read back as
 * worked out here: [1, 2, 3, 0] twice for 3 channels (two positions a
 * word), 1 .. 11 and five zeros for 11. Then every padding byte is
 * overwritten with 127, the input at position 1 spikes, then all four:
 * neuron (k, pos) must hold k + 1 for each spike at pos, so a line added
 * into another position's lanes, or padding that reached a neuron, shows. */
static void test_conv_tap_lanes(void)
{
	static const uint32_t ncs[] = {3, 11};
	for (size_t t = 0; t < sizeof ncs / sizeof ncs[0]; t++) {
		uint32_t nc = ncs[t], line = nc < 8 ? 8 : 16;
		th_case("conv_tap_lanes OUT_NC %u", nc);
		snn_config cfg;
		snn_diag d = {""};
		if (!one_core_2x2(&cfg, &tm_geo, &d))
			return;
		uint32_t *g = cfg.core[0].reg;
		g[SNN_R_MODE] = SNN_MODE_CONV;
		g[SNN_R_N_NEURONS] = 4 * nc;
		g[SNN_R_THRESHOLD] = 30000;
		g[SNN_R_FLAGS] = SNN_F_SPIKING;
		g[SNN_R_IN_C] = 1;
		g[SNN_R_IN_H] = g[SNN_R_IN_W] = 2;
		g[SNN_R_POOL] = g[SNN_R_KH] = g[SNN_R_KW] = g[SNN_R_STRIDE] = 1;
		g[SNN_R_OUT_NC] = nc;
		g[SNN_R_OUT_H] = g[SNN_R_OUT_W] = 2;
		g[SNN_R_SYN_COUNT] = nc;
		for (uint32_t k = 0; k < nc; k++)
			cfg.core[0].syn[k] = (int16_t)(k + 1);
		snn_config_pack_bases(&cfg);
		snn_rtl *r = NULL;
		if (!th_expect(snn_rtl_create(&cfg, &r, &d) == 0, "create: %s", d.msg)) {
			snn_config_free(&cfg);
			return;
		}
		snn_rtl_watchdog(r, 2000000);
		for (uint32_t j = 0; j < line; j++) {
			uint32_t w = 0, want = nc < 8 ? (j % 4 < nc ? j % 4 + 1 : 0) : (j < nc ? j + 1 : 0);
			int rc = snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, j, &w);
			th_expect(rc == 0 && w == want, "SYNAPSE word %u of the line: %u, want %u", j, w, want);
			if (!want) {
				w = 127;
				snn_rtl_mem(r, true, SNN_REGION_SYNAPSE, 0, j, &w);
			}
		}
		snn_rtl_input(r, 1);
		snn_rtl_step(r, NULL, NULL, NULL);
		for (uint32_t i = 0; i < 4; i++)
			snn_rtl_input(r, i);
		snn_rtl_step(r, NULL, NULL, NULL);
		th_expect(!snn_rtl_aborted(r), "a step was refused");
		for (uint32_t n = 0; n < 4 * nc; n++) {
			int32_t v = 0;
			uint32_t ref = 0;
			uint32_t k = n / 4, pos = n % 4;
			int32_t want = (int32_t)(k + 1) * (pos == 1 ? 2 : 1);
			int rc = snn_rtl_get_state(r, 0, n, &v, &ref);
			th_expect(rc == 0 && v == want, "neuron %u (channel %u, position %u): v %d, want %d",
				  n, k, pos, v, want);
		}
		snn_rtl_free(r);
		snn_config_free(&cfg);
	}
}

/* The conv features the iCEBreaker's engine is built without (STRIDE_ANY =
 * POOL_ANY = 0: no divider) are refused like a mode it lacks: by the host
 * side's check (snn_config_check_modes, with the profile's modes), and by
 * the engine at STEP when written anyway. A conv core pooling 2x2 (a shift
 * there) runs; its STRIDE or POOL changed to what the build lacks cuts the
 * step short, and changed back it runs again. */
static void test_feature_not_built(void)
{
	th_case("conv_feature_not_built");
	snn_config cfg;
	snn_diag d = {""};
	if (!th_expect(snn_config_init(&cfg, &snn_profile_find("icebreaker")->geo, &d) == 0, "%s", d.msg))
		return;
	cfg.global[SNN_G_N_CORES] = 1;
	cfg.global[SNN_G_INPUT_C] = 1;
	cfg.global[SNN_G_INPUT_H] = cfg.global[SNN_G_INPUT_W] = 4;
	cfg.global[SNN_G_INPUT_ROUTES] = 1;
	cfg.input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = 16};
	uint32_t *g = cfg.core[0].reg;	/* 4x4 pooled to 2x2, a 1x1 kernel */
	g[SNN_R_MODE] = SNN_MODE_CONV;
	g[SNN_R_N_NEURONS] = 4;
	g[SNN_R_THRESHOLD] = 10;
	g[SNN_R_FLAGS] = SNN_F_SPIKING;
	g[SNN_R_IN_C] = 1;
	g[SNN_R_IN_H] = g[SNN_R_IN_W] = 4;
	g[SNN_R_POOL] = 2;
	g[SNN_R_KH] = g[SNN_R_KW] = g[SNN_R_STRIDE] = 1;
	g[SNN_R_OUT_NC] = 1;
	g[SNN_R_OUT_H] = g[SNN_R_OUT_W] = 2;
	g[SNN_R_SYN_COUNT] = 1;
	cfg.core[0].syn[0] = 4;
	snn_config_pack_bases(&cfg);
	uint32_t modes = snn_rtl_modes(&cfg.geo);
	th_expect(snn_config_check_modes(&cfg, modes, "the engine", &d) == 0, "pool 2 refused: %s", d.msg);
	static const struct {
		unsigned reg;
		uint32_t bad, good;
		const char *msg;
	} lacks[] = {
		{SNN_R_STRIDE, 2, 1, "core 0: STRIDE 2 is not supported by the engine"},
		{SNN_R_POOL, 3, 1, "core 0: POOL 3 is not supported by the engine"},
		{SNN_R_POOL, 4, 2, "core 0: POOL 4 is not supported by the engine"},
	};
	for (size_t i = 0; i < sizeof lacks / sizeof lacks[0]; i++) {
		g[lacks[i].reg] = lacks[i].bad;
		th_expect(snn_config_check_modes(&cfg, modes, "the engine", &d) == SNN_ERR_UNSUPPORTED &&
				  strstr(d.msg, lacks[i].msg),
			  "%s: %s", lacks[i].msg, d.msg);
		th_expect(snn_config_check_modes(&cfg, SNN_MODES_ALL, "the golden model", &d) == 0,
			  "with every feature: %s", d.msg);
		g[lacks[i].reg] = lacks[i].good;
	}
	g[SNN_R_POOL] = 2;
	snn_rtl *r = NULL;
	if (th_expect(snn_rtl_create(&cfg, &r, &d) == 0, "create: %s", d.msg)) {
		th_expect(!strcmp(snn_rtl_name(r), "engine-icebreaker"), "model %s", snn_rtl_name(r));
		snn_rtl_watchdog(r, 2000000);
		for (size_t i = 0; i < sizeof lacks / sizeof lacks[0]; i++) {
			uint32_t w = lacks[i].bad;
			snn_rtl_mem(r, true, SNN_REGION_CORE, 0, lacks[i].reg, &w);
			snn_rtl_input(r, 5);
			snn_rtl_step(r, NULL, NULL, NULL);
			th_expect(snn_rtl_aborted(r) && !snn_rtl_timed_out(r), "%s: the step was not refused",
				  lacks[i].msg);
			w = lacks[i].good;	/* and back: it runs again */
			snn_rtl_mem(r, true, SNN_REGION_CORE, 0, lacks[i].reg, &w);
			snn_rtl_input(r, 5);
			snn_rtl_step(r, NULL, NULL, NULL);
			th_expect(!snn_rtl_aborted(r), "register %u = %u: the step was refused", lacks[i].reg,
				  lacks[i].good);
		}
	}
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

int main(void)
{
	setenv("SNN_RTL_CPU_TRAFFIC", "1", 1);	/* engine-icebreaker's processor accesses (sim/rtl_model.cpp) */
	test_memory_port();
	test_sdram_words();
	test_wide_core();
	test_mode_not_built();
	test_chan_bias();
	test_conv_tap_lanes();
	test_feature_not_built();
	test_derived_bad();
	test_hostile_descriptors(env("SNN_TEST_LONG") ? 400 : 40);
	if (env("SNN_TEST_SEED")) {
		one_seed(strtoull(env("SNN_TEST_SEED"), NULL, 0), &tm_geo, "engine-tm", true);
		one_seed(strtoull(env("SNN_TEST_SEED"), NULL, 0), &tmsd_geo, "engine-tmsd", false);
		return th_done("test_rtl_engine");
	}
	unsigned n = env("SNN_TEST_SEEDS") ? (unsigned)atoi(env("SNN_TEST_SEEDS"))
		     : env("SNN_TEST_LONG") ? 300 : 30;
	for (uint64_t seed = 1; seed <= n; seed++)
		one_seed(seed, &tm_geo, "engine-tm", false);
	/* the pool in SDRAM but for 256 lines: other networks (seeds from
	 * 1001), half as many */
	for (uint64_t seed = 1001; seed <= 1000 + (n + 1) / 2; seed++)
		one_seed(seed, &tmsd_geo, "engine-tmsd", false);
	printf("  engine-tmsd: %u networks, %u of them held for SDRAM lines, %llu cycles held\n",
	       sd_nets, sd_held_nets, (unsigned long long)sd_held);
	printf("  %u networks on the engine (%u beyond 24-bit accumulators skipped, %u deconv "
	       "cores, %u with channel biases), %u steps, %llu spikes, %llu synaptic operations, "
	       "identical\n",
	       nets, skipped, deconv_cores, chan_bias_cores, steps_run, (unsigned long long)spikes,
	       (unsigned long long)synops);
	th_case("enough_networks");
	th_expect(nets >= n / 2, "only %u of %u seeds ran", nets, n);
	th_expect(sd_held_nets >= sd_nets * 3 / 4 && sd_nets >= (n + 1) / 4,
		  "only %u networks of %u on engine-tmsd were held for SDRAM",
		  sd_held_nets, sd_nets);
	th_expect(deconv_cores >= n / 10, "only %u deconv cores in %u seeds", deconv_cores, n);
	th_expect(chan_bias_cores >= n / 4, "only %u cores with channel biases in %u seeds",
		  chan_bias_cores, n);
	return th_done("test_rtl_engine");
}
