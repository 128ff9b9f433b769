/* rtl/fw/step.c, step 3's program for a time step, on the host over a
 * model of the accelerators written from their contract
 * (tests/fw/step_model.c), in lock step with the golden simulator: the
 * random networks of tests/sim/random_net.c (dense and conv cores, pools
 * of 1 and 2, tiles, every neuron option, recurrent, lateral and host
 * routes: the iCEBreaker profile's modes, which the route run takes; a
 * network with strides or other pools is drawn and left out) moved to a
 * geometry with budgets and lanes, the pool filled as
 * the host library places a core's words (snn_synapse_word_at(), the
 * neuron records at STATE_BASE); every neuron's v and refractory count,
 * the host events and the synaptic operation and spike counters compared
 * after every step, across a CLEAR, no step cut short. Routes run in one
 * part or, every other seed, in parts of a few events (SX_RUN_MORE). And
 * configurations nobody checked
 * (random registers and routes): every step ends (the watchdog), nothing
 * is written outside the network's pool lines or read outside the
 * program's tables (ASan, under make test-asan).
 *
 * Environment: SNN_TEST_SEEDS=N sets the number of networks drawn (100);
 * SNN_TEST_SEED=S runs one, listing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../sim/random_net.h"
#include "snn/sim.h"
#include "step.h"
#include "step_accel.h"
#include "step_model.h"

/* random_net_small_geo with budgets, 8 lanes and 512 neurons a core (a
 * conv core's accumulators as tap lines fit), test_rtl_engine's tm_geo */
static const snn_geometry geo = {16, 512, 256, 8192, 8, 16, 12, 8, 8, 8, 4096, 163840, 128, 8, 8, 24};

static unsigned nets, skipped, steps_run, map_cores, small_map_cores;
static uint64_t total_spikes, total_synops, total_events;

/* host events of one step, both devices' */
typedef struct events {
	uint32_t n, cap;
	uint32_t *ev;	/* core << 16 | neuron */
} events;

static void on_event(events *e, uint32_t core, uint32_t neuron)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 64;
		e->ev = realloc(e->ev, e->cap * sizeof *e->ev);
		if (!e->ev)
			abort();
	}
	e->ev[e->n++] = core << 16 | neuron;
}

static void fw_out(void *ctx, uint32_t core, uint32_t neuron)
{
	on_event(ctx, core, neuron);
}

static void golden_out(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	on_event(ctx, core, neuron);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The pool and the step program's configuration from cfg, as the host
 * would write them: weights by snn_synapse_word_at(), biases in the
 * neuron records' bytes 6 and 7, the route words by snn_route_pack(). */
static void load(const snn_config *cfg, step_dev *d, step_model *m)
{
	for (uint32_t c = 0; c < cfg->geo.n_cores; c++) {
		const snn_core_cfg *cc = &cfg->core[c];
		memcpy(d->core[c], cc->reg, sizeof cc->reg);
		if (c >= cfg->global[SNN_G_N_CORES] || cc->reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		uint64_t share = snn_core_synapse_share(cfg, c);
		for (uint64_t off = 0; off < share; off++) {
			int64_t w = snn_synapse_word_at(&cfg->geo, cc->reg, off);
			m->pool[cc->reg[SNN_R_SYN_BASE] + off] = w < 0 ? 0 : (uint8_t)cc->syn[w];
		}
		for (uint32_t n = 0; n < cc->reg[SNN_R_N_NEURONS]; n++) {
			uint8_t *line = &m->pool[cc->reg[SNN_R_STATE_BASE] + 8u * n];
			line[6] = (uint8_t)cc->bias[n];
			line[7] = (uint8_t)((uint32_t)cc->bias[n] >> 8);
		}
		for (uint32_t k = 0; k < cc->reg[SNN_R_ROUTE_COUNT]; k++)
			snn_route_pack(&cc->route[k], &d->route[4 * (cc->reg[SNN_R_ROUTE_BASE] + k)]);
	}
	memcpy(d->global, cfg->global, sizeof d->global);
	for (uint32_t k = 0; k < cfg->global[SNN_G_INPUT_ROUTES]; k++)
		snn_route_pack(&cfg->input_route[k], &d->route[4 * (cfg->geo.route_total + k)]);
}

/* Every neuron's state and the counters, the step program's against the
 * golden model's; false (one failure recorded) at the first difference. */
static bool same_state(const snn_config *cfg, const snn_sim *sim, const step_dev *d,
		       const step_model *m, const char *where)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		const uint32_t *r = cfg->core[c].reg;
		if (r[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		for (uint32_t n = 0; n < r[SNN_R_N_NEURONS]; n++) {
			int32_t v;
			uint32_t ref;
			snn_sim_get_state(sim, c, n, &v, &ref);
			const uint8_t *line = &m->pool[r[SNN_R_STATE_BASE] + 8u * n];
			int32_t fv = (int32_t)(line[0] | line[1] << 8 | line[2] << 16 | (uint32_t)line[3] << 24);
			if (!th_expect(fv == v && (line[4] & 15u) == ref,
				       "%s: core %u neuron %u: v %d ref %u, golden v %d ref %u", where, c, n,
				       fv, line[4] & 15u, v, ref))
				return false;
		}
	}
	const uint64_t *g = snn_sim_counters(sim);
	return th_expect(d->synops == g[SNN_CTR_SYNOPS] && d->spikes == g[SNN_CTR_SPIKES],
			 "%s: synops %llu spikes %llu, golden %llu %llu", where,
			 (unsigned long long)d->synops, (unsigned long long)d->spikes,
			 (unsigned long long)g[SNN_CTR_SYNOPS], (unsigned long long)g[SNN_CTR_SPIKES]);
}

static void one_seed(uint64_t seed, bool verbose)
{
	snn_config small, cfg;
	snn_diag diag = {""};
	random_net_info info;
	random_net_opts opts = RANDOM_NET_DEFAULT_OPTS;
	opts.wide_percent = 0;	/* 8-bit weights: a pool byte each */
	opts.deconv_percent = 0;
	if (seed % 3 == 2)	/* conv taps of two lines, padded */
		opts.max_conv_channels = 15;
	th_case("seed %llu", (unsigned long long)seed);
	memset(&cfg, 0, sizeof cfg);
	int rc = random_net(&small, seed, &opts, &info, &diag);
	if (!th_expect(rc == 0, "random_net: %s", diag.msg)) {
		snn_config_free(&small);
		return;
	}
	rc = random_net_to_budgets(&small, &cfg, &geo, NULL, NULL, &diag);
	snn_config_free(&small);
	if (rc) {	/* beyond 24-bit accumulators: not this geometry's */
		skipped++;
		snn_config_free(&cfg);
		return;
	}
	for (uint32_t c = 0; c < cfg.global[SNN_G_N_CORES]; c++) {
		const uint32_t *reg = cfg.core[c].reg;
		if (reg[SNN_R_MODE] == SNN_MODE_CONV && (reg[SNN_R_STRIDE] != 1 || reg[SNN_R_POOL] > 2)) {
			skipped++;	/* not the iCEBreaker profile's: the run takes none of it */
			snn_config_free(&cfg);
			return;
		}
	}
	if (verbose)
		random_net_dump(&cfg, stdout);
	snn_sim *sim;
	if (!th_expect(snn_sim_create(&cfg, &sim, &diag) == 0, "snn_sim_create: %s", diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	nets++;
	for (uint32_t c = 0; c < cfg.global[SNN_G_N_CORES]; c++)
		if (snn_mode_is_map(cfg.core[c].reg[SNN_R_MODE])) {
			map_cores++;
			small_map_cores += cfg.core[c].reg[SNN_R_OUT_NC] < geo.lanes;
		}

	uint32_t core_regs[16][SNN_CORE_REGS], routes[4 * (128 + 8)], input[4096 / 32];
	step_model m = {.lines = geo.synapse_total / 8, .words = geo.neurons_per_core / 8, .line_bits = 15,
			.membrane_bits = geo.membrane_bits, .bias_bits = geo.bias_bits,
			.acc_bits = geo.acc_bits};
	m.pool = calloc(m.lines, 8);
	m.acc = calloc(m.words, 8 * sizeof *m.acc);
	if (!m.pool || !m.acc)
		abort();
	memset(routes, 0, sizeof routes);
	step_dev d = {.n_cores = geo.n_cores, .route_total = geo.route_total,
		      .input_routes = geo.input_routes, .max_phases = geo.max_phases,
		      .input_max = 4096, .core = core_regs, .route = routes, .pool = m.pool,
		      .pool_lines = m.lines, .input = input, .input_line = m.lines,
		      .run_cycles = seed % 2 ? 0 : 200};	/* routes in parts too */
	m.bitmap = input;	/* the program's bitmap, in the lines past the network */
	m.bitmap_line = m.lines;
	m.bitmap_lines = sizeof input / 8;
	step_model_now = &m;
	load(&cfg, &d, &m);
	step_clear(&d);

	rn_rng r = {seed ^ 0x57E93u};
	uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] * cfg.global[SNN_G_INPUT_W];
	events fe = {0}, ge = {0};
	char where[384];
	for (unsigned sample = 0; sample < 2; sample++) {
		if (sample) {	/* CLEAR */
			snn_sim_reset(sim);
			step_clear(&d);
		}
		unsigned steps = 6 + rn_below(&r, 12);
		for (unsigned s = 0; s < steps; s++) {
			snprintf(where, sizeof where, "seed %llu (%s), sample %u, step %u",
				 (unsigned long long)seed, info.summary, sample, s);
			/* a random set of distinct inputs: the protocol's bitmap */
			if (chw && rn_below(&r, 100) < 70) {
				uint32_t k = 1 + rn_below(&r, chw < 48 ? chw : 48);
				for (uint32_t i = 0; i < k; i++) {
					uint32_t q = rn_below(&r, chw);
					if (input[q / 32] >> (q % 32) & 1u)
						continue;
					step_input(&d, q);
					snn_sim_input(sim, q);
				}
			}
			fe.n = ge.n = 0;
			int cut = step_run(&d, fw_out, &fe);
			snn_sim_step(sim, golden_out, NULL, &ge);
			steps_run++;
			if (!th_expect(!m.fault[0], "%s: the program broke the contract: %s", where, m.fault) ||
			    !th_expect(cut == 0, "%s: the step was cut short", where))
				goto out;
			if (fe.n)
				qsort(fe.ev, fe.n, sizeof *fe.ev, cmp_u32);
			if (ge.n)
				qsort(ge.ev, ge.n, sizeof *ge.ev, cmp_u32);
			if (!th_expect(fe.n == ge.n && (!fe.n || !memcmp(fe.ev, ge.ev, fe.n * sizeof *fe.ev)),
				       "%s: %u host events, golden %u", where, fe.n, ge.n))
				goto out;
			total_events += fe.n;
			if (!same_state(&cfg, sim, &d, &m, where))
				goto out;
		}
	}
	for (uint32_t w = 0; w < 8 * m.words; w++)
		if (!th_expect(m.acc[w] == 0, "seed %llu: accumulator slot %u left %d after the last step",
			       (unsigned long long)seed, w, m.acc[w]))
			break;
	total_spikes += d.spikes;
	total_synops += d.synops;
out:
	free(fe.ev);
	free(ge.ev);
	free(m.pool);
	free(m.acc);
	snn_sim_free(sim);
	snn_config_free(&cfg);
}

/* Configurations nobody checked: every register and route word random
 * (small values half the time, so that some cores do run). Each step must
 * end within the watchdog (the model's clock, sx_cycles(), counts the
 * blocks' lines and neurons) and touch nothing outside. */
static void garbage(uint64_t seed)
{
	th_case("unchecked configuration, seed %llu", (unsigned long long)seed);
	rn_rng r = {seed * 0x9E3779B97F4A7C15u};
	static uint32_t core_regs[16][SNN_CORE_REGS], routes[4 * (128 + 8)], input[4096 / 32];
	step_model m = {.lines = 2048, .words = 64, .line_bits = 14, .membrane_bits = 16, .bias_bits = 12, .acc_bits = 24,
			.lax = true};
	m.pool = calloc(m.lines, 8);
	m.acc = calloc(m.words, 8 * sizeof *m.acc);
	if (!m.pool || !m.acc)
		abort();
	for (uint32_t i = 0; i < 8 * m.lines; i++)
		m.pool[i] = (uint8_t)rn_next(&r);
	for (unsigned c = 0; c < 16; c++)
		for (unsigned i = 0; i < SNN_CORE_REGS; i++)
			core_regs[c][i] = rn_chance(&r, 50) ? rn_below(&r, 12) : (uint32_t)rn_next(&r);
	for (unsigned i = 0; i < sizeof routes / 4; i++)
		routes[i] = rn_chance(&r, 50) ? rn_below(&r, 20) : (uint32_t)rn_next(&r);
	step_dev d = {.n_cores = 16, .route_total = 128, .input_routes = 8, .max_phases = 8,
		      .input_max = 4096, .core = core_regs, .route = routes, .pool = m.pool,
		      .pool_lines = m.lines, .watchdog = 1u << 18, .input = input, .input_line = m.lines};
	m.bitmap = input;
	m.bitmap_line = m.lines;
	m.bitmap_lines = sizeof input / 8;
	for (unsigned i = 0; i < SNN_G_REGS; i++)
		d.global[i] = rn_chance(&r, 70) ? 1 + rn_below(&r, 16) : (uint32_t)rn_next(&r);
	step_model_now = &m;
	step_clear(&d);
	events e = {0};
	unsigned cut = 0;
	for (unsigned s = 0; s < 4; s++) {
		for (unsigned i = 0; i < 20; i++)
			step_input(&d, rn_below(&r, 4096));
		uint32_t before = sx_cycles();
		cut += step_run(&d, fw_out, &e) != 0;
		e.n = 0;
		/* the clock is polled every 16th check, each after at most
		 * two blocks' runs of 65,535 lines */
		th_expect(sx_cycles() - before < (1u << 18) + 32u * 65536u,
			  "step %u ran %u model cycles, past the watchdog's 2^18 and its polling", s,
			  sx_cycles() - before);
	}
	th_expect(!m.fault[0], "%s", m.fault);
	if (seed == 1)
		printf("  unchecked configurations: seed 1 cut %u of 4 steps, %llu accesses outside "
		       "dropped\n", cut, (unsigned long long)m.outside);
	free(e.ev);
	free(m.pool);
	free(m.acc);
}

int main(void)
{
	const char *one = getenv("SNN_TEST_SEED"), *count = getenv("SNN_TEST_SEEDS");
	if (one && *one) {
		one_seed(strtoull(one, NULL, 10), true);
	} else {
		unsigned n = count && *count ? (unsigned)strtoul(count, NULL, 10) : 100;
		for (unsigned s = 1; s <= n; s++)
			one_seed(s, false);
		for (unsigned s = 1; s <= 40; s++)
			garbage(s);
		th_case("coverage");
		th_expect(nets >= n / 3 && map_cores > 0 && small_map_cores > 0 && total_events > 0,
			  "%u of %u networks run (%u skipped), %u map cores (%u of fewer than 8 channels), "
			  "%llu host events", nets, n, skipped, map_cores, small_map_cores,
			  (unsigned long long)total_events);
	}
	printf("test_fw_step: %u networks, %u steps, %llu spikes, %llu synaptic operations, "
	       "%llu host events\n", nets, steps_run, (unsigned long long)total_spikes,
	       (unsigned long long)total_synops, (unsigned long long)total_events);
	return th_done("test_fw_step");
}
