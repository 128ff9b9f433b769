/* The golden device (sim/golden_device.c) against the host link protocol as
 * docs/host-protocol.md specifies it; built with PL_RTL, the same cases run
 * against the Verilated RTL device (tests/rtl/test_rtl_protocol,
 * rtl/mk/cmd.mk). Where the two may differ (docs/rtl.md, "snn_top"), the
 * case checks each one's documented behaviour (pl_device_kind): IDENTIFY's
 * device kind, ERROR messages (the RTL sends none), the cycles counter (the
 * golden device's is 0), the width a bias or weight is stored in, and an
 * input tensor larger than the RTL's bitmap. The host side
 * (tests/protocol/link.c) encodes and parses frames itself; runs are
 * compared with the golden simulator driven directly on the same
 * configuration. One case per feature; cases named *_bad check a refusal
 * and its error code. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "link.h"
#include "snn/config.h"
#include "snn/device.h"
#include "snn/geometry.h"
#include "snn/protocol.h"
#include "snn/sim.h"

/* The main test geometry: small enough to read whole regions quickly, with
 * a core of more than 255 neurons so that one step can need several OUTPUT
 * frames. */
static const snn_geometry geo_main = {
	.n_cores = 4, .neurons_per_core = 320, .axons_per_core = 64,
	.synapse_words = 10240, .weight_bits = 8, .membrane_bits = 16,
	.bias_bits = 12, .routes_per_core = 4, .input_routes = 4, .max_phases = 4,
};

#define N_INPUTS 16u	/* the main network's input tensor: 1 x 4 x 4 */
#ifdef PL_LEAN
#define BUILD_ID 0x5EED1235u	/* the lean device (rtl/mk/cmd.mk) */
#else
#define BUILD_ID 0x5EED1234u
#endif

/* ---- small utilities ---- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static int32_t rng_range(rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* What a request returned, for failure messages. */
static const char *rc_str(int rc, const pl_link *l, const pl_reply *r)
{
	static char buf[700];
	if (rc == 0)
		snprintf(buf, sizeof buf, "a normal reply (op 0x%02X)", r->f.op);
	else if (rc < 0)
		snprintf(buf, sizeof buf, "a protocol failure: %s", l->why);
	else
		snprintf(buf, sizeof buf, "ERROR code %d detail %u \"%.200s\"", rc,
			 r->detail, r->msg);
	return buf;
}

static bool expect_ok(int rc, const pl_link *l, const pl_reply *r,
		      const char *what)
{
	return th_expect(rc == 0, "%s: expected a normal reply, got %s", what,
			 rc_str(rc, l, r));
}

/* detail < 0: any detail. */
static bool expect_err(int rc, const pl_link *l, const pl_reply *r, int code,
		       long detail, const char *what)
{
	return th_expect(rc == code && (detail < 0 || r->detail == detail),
			 "%s: expected ERROR code %d detail %ld, got %s", what, code,
			 detail, rc_str(rc, l, r));
}

/* Send raw bytes that should produce exactly one frame (not OUTPUT) with
 * the given seq; returns as pl_xact (error code for ERROR, 0 otherwise). */
static int raw_xact(pl_link *l, const uint8_t *b, size_t n, uint8_t seq,
		    pl_reply *r)
{
	r->code = r->errop = 0;
	r->detail = 0;
	r->msg[0] = 0;
	l->why[0] = 0;
	pl_send(l, b, n);
	int got = pl_next(l, &r->f);
	if (got < 0)
		return -1;
	if (got == 0) {
		snprintf(l->why, sizeof l->why, "no reply (%zu partial bytes)",
			 pl_pending(l));
		return -1;
	}
	if (r->f.seq != seq) {
		snprintf(l->why, sizeof l->why, "reply op 0x%02X seq %u, expected seq %u",
			 r->f.op, r->f.seq, seq);
		return -1;
	}
	if (pl_pending(l)) {
		snprintf(l->why, sizeof l->why, "%zu more device bytes after one reply",
			 pl_pending(l));
		return -1;
	}
	if (r->f.op != PL_ERROR)
		return 0;
	if (!pl_decode_error(&r->f, r, l->why, sizeof l->why))
		return -1;
	return r->code;
}

static bool open_dev(pl_link *l, const snn_geometry *geo)
{
	int rc = pl_open(l, geo, BUILD_ID);
	return th_expect(rc == 0 && l->dev, "snn_golden_open: expected 0 got %d", rc);
}

/* ---- configurations ---- */

static void set_route(snn_route *r, uint16_t dest, uint32_t lo, uint32_t hi,
		      int16_t dc, int16_t dy, int16_t dx)
{
	*r = (snn_route){.dest = dest, .src_lo = lo, .src_hi = hi, .dc = dc,
			 .dy = dy, .dx = dx};
}

/* Route words per docs/config-format.md, packed here (not snn_route_pack). */
static void route_words(const snn_route *r, uint32_t w[4])
{
	w[0] = (uint32_t)r->dest | ((uint32_t)(uint16_t)r->dx << 16);
	w[1] = r->src_lo;
	w[2] = r->src_hi;
	w[3] = (uint32_t)(uint16_t)r->dc | ((uint32_t)(uint16_t)r->dy << 16);
}

static void dense(snn_core_cfg *c, uint32_t phase, uint32_t n, uint32_t a,
		  uint32_t in_c, uint32_t in_h, uint32_t in_w, uint32_t th,
		  uint32_t leak, uint32_t reset, uint32_t refr, int32_t vinit,
		  uint32_t routes)
{
	uint32_t *g = c->reg;
	g[SNN_R_MODE] = SNN_MODE_DENSE;
	g[SNN_R_PHASE] = phase;
	g[SNN_R_N_NEURONS] = n;
	g[SNN_R_N_AXONS] = a;
	g[SNN_R_THRESHOLD] = th;
	g[SNN_R_LEAK] = leak;
	g[SNN_R_RESET] = reset;
	g[SNN_R_REFRACTORY] = refr;
	g[SNN_R_V_INIT] = (uint32_t)vinit;
	g[SNN_R_FLAGS] = SNN_F_SPIKING;
	g[SNN_R_IN_C] = in_c;
	g[SNN_R_IN_H] = in_h;
	g[SNN_R_IN_W] = in_w;
	g[SNN_R_SYN_COUNT] = a * n;
	g[SNN_R_ROUTE_COUNT] = routes;
}

static void fill(snn_core_cfg *c, rng *r, int32_t wlo, int32_t whi, int32_t blo,
		 int32_t bhi)
{
	uint32_t n = c->reg[SNN_R_N_NEURONS], nw = c->reg[SNN_R_SYN_COUNT];
	for (uint32_t i = 0; i < nw; i++)
		c->syn[i] = (int16_t)rng_range(r, wlo, whi);
	for (uint32_t i = 0; i < n; i++)
		c->bias[i] = rng_range(r, blo, bhi);
}

/* The main network: 1x4x4 input -> core 0 (dense 16 -> 32, phase 0) and
 * core 2 (dense, 8 neurons, phase 0, fed by inputs 4..11) -> core 1 (dense
 * 32 -> 300, phase 1) -> host; core 0's first 8 and all of core 2 also go
 * to the host, and core 1's neuron 0 feeds core 0's axon 0 a step later. */
static bool build_main(snn_config *cfg, uint64_t seed)
{
	snn_diag d = {{0}};
	if (!th_expect(snn_config_init(cfg, &geo_main, &d) == 0,
		       "snn_config_init: %s", d.msg))
		return false;
	rng r = {seed};
	cfg->global[SNN_G_N_CORES] = 3;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 4;
	cfg->global[SNN_G_INPUT_W] = 4;
	cfg->global[SNN_G_INPUT_ROUTES] = 2;
	set_route(&cfg->input_route[0], 0, 0, 16, 0, 0, 0);
	set_route(&cfg->input_route[1], 2, 4, 12, 0, 0, 0);

	snn_core_cfg *c0 = &cfg->core[0], *c1 = &cfg->core[1], *c2 = &cfg->core[2];
	dense(c0, 0, 32, 16, 1, 4, 4, 40, 16, SNN_RESET_SUBTRACT, 1, 0, 2);
	fill(c0, &r, -20, 60, -2, 5);
	set_route(&c0->route[0], 1, 0, 32, 0, 0, 0);
	set_route(&c0->route[1], SNN_ROUTE_HOST, 0, 8, 0, 0, 0);

	dense(c1, 1, 300, 32, 32, 1, 1, 30, 0, SNN_RESET_ZERO, 0, -5, 2);
	fill(c1, &r, -10, 40, 12, 12);
	set_route(&c1->route[0], SNN_ROUTE_HOST, 0, 300, 0, 0, 0);
	set_route(&c1->route[1], 0, 0, 16, 0, 0, 0);

	dense(c2, 0, 8, 16, 1, 4, 4, 50, 32, SNN_RESET_SUBTRACT, 2, 10, 2);
	fill(c2, &r, -30, 80, -3, 3);
	set_route(&c2->route[0], SNN_ROUTE_HOST, 0, 8, 0, 0, 0);
	set_route(&c2->route[1], 1, 0, 8, 24, 0, 0);

	return th_expect(snn_config_validate(cfg, &d) == 0,
			 "test network is valid: %s", d.msg);
}

/* Write every configuration word of cfg over the link (no RESET). */
static int load_config(pl_link *l, const snn_config *cfg, pl_reply *r)
{
	const snn_geometry *g = &cfg->geo;
	uint32_t nw = g->synapse_words > g->neurons_per_core ? g->synapse_words
							      : g->neurons_per_core;
	if (nw < 4 * g->routes_per_core)
		nw = 4 * g->routes_per_core;
	if (nw < 4 * g->input_routes)
		nw = 4 * g->input_routes;
	uint32_t *w = xcalloc(nw, sizeof *w);
	int rc = pl_write(l, SNN_REGION_GLOBAL, 0, 0, cfg->global, SNN_G_REGS, r);
	for (unsigned c = 0; rc == 0 && c < g->n_cores; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		rc = pl_write(l, SNN_REGION_CORE, c, 0, k->reg, SNN_CORE_REGS, r);
		for (uint32_t i = 0; i < g->neurons_per_core; i++)
			w[i] = (uint32_t)k->bias[i];
		if (rc == 0)
			rc = pl_write_all(l, SNN_REGION_BIAS, c, 0, w,
					  g->neurons_per_core, r);
		for (uint32_t i = 0; i < g->synapse_words; i++)
			w[i] = (uint32_t)(int32_t)k->syn[i];
		if (rc == 0)
			rc = pl_write_all(l, SNN_REGION_SYNAPSE, c, 0, w,
					  g->synapse_words, r);
		for (uint32_t i = 0; i < g->routes_per_core; i++)
			route_words(&k->route[i], w + 4 * i);
		if (rc == 0)
			rc = pl_write_all(l, SNN_REGION_ROUTE, c, 0, w,
					  4 * g->routes_per_core, r);
	}
	for (uint32_t i = 0; i < g->input_routes; i++)
		route_words(&cfg->input_route[i], w + 4 * i);
	if (rc == 0)
		rc = pl_write_all(l, SNN_REGION_INPUT_ROUTE, 0, 0, w,
				  4 * g->input_routes, r);
	free(w);
	return rc;
}

/* ---- the device and the simulator side by side ---- */

typedef struct pair {
	pl_link l;
	snn_config cfg;
	snn_sim *sim;
	pl_events dev_all, sim_all;	/* every output event so far */
	size_t max_per_step;	/* most host events the simulator saw in one step */
} pair;

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	pl_events_push(ctx, step, core, neuron);
}

static bool pair_open(pair *p, uint64_t seed)
{
	memset(p, 0, sizeof *p);
	pl_reply r;
	if (!build_main(&p->cfg, seed))
		return false;
	if (!open_dev(&p->l, &geo_main))
		return false;
	int rc = load_config(&p->l, &p->cfg, &r);
	if (!expect_ok(rc, &p->l, &r, "loading the network with WRITE_MEM"))
		return false;
	rc = pl_reset(&p->l, SNN_RESET_COUNTERS, &r);
	if (!expect_ok(rc, &p->l, &r, "RESET 1 after loading"))
		return false;
	snn_diag d = {{0}};
	return th_expect(snn_sim_create(&p->cfg, &p->sim, &d) == 0,
			 "snn_sim_create: %s", d.msg);
}

static void pair_close(pair *p)
{
	pl_close(&p->l);
	if (p->sim)
		snn_sim_free(p->sim);
	snn_config_free(&p->cfg);
	pl_events_free(&p->dev_all);
	pl_events_free(&p->sim_all);
}

static bool same_events(pl_events *a, pl_events *b, const char *what)
{
	pl_events_sort(a);
	pl_events_sort(b);
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		pl_event x = a->e[i], y = b->e[i];
		if (x.step != y.step || x.core != y.core || x.neuron != y.neuron)
			return th_expect(false, "%s: event %zu: device (step %u, core %u, "
					 "neuron %u), simulator (step %u, core %u, neuron %u)",
					 what, i, x.step, x.core, x.neuron, y.step, y.core,
					 y.neuron);
	}
	return th_expect(a->n == b->n, "%s: device sent %zu events, simulator %zu",
			 what, a->n, b->n);
}

/* INPUT in (split over two frames when there are several), STEP n, on the
 * device and the simulator; compares the step reply and the events. */
static bool pair_run(pair *p, const uint32_t *in, size_t nin, uint16_t n,
		     const char *what)
{
	pl_reply r;
	char msg[200];
	size_t half = nin / 2;
	int rc = 0;
	if (nin) {
		rc = pl_input(&p->l, in, half, &r);
		if (rc == 0)
			rc = pl_input(&p->l, in + half, nin - half, &r);
	}
	snprintf(msg, sizeof msg, "%s: INPUT of %zu events", what, nin);
	if (!expect_ok(rc, &p->l, &r, msg))
		return false;
	for (size_t i = 0; i < nin; i++)
		snn_sim_input(p->sim, in[i]);
	uint32_t first = snn_sim_step_index(p->sim);
	pl_events sim_ev = {0};
	for (unsigned s = 0; s < n; s++) {
		size_t before = sim_ev.n;
		snn_sim_step(p->sim, on_output, NULL, &sim_ev);
		if (sim_ev.n - before > p->max_per_step)
			p->max_per_step = sim_ev.n - before;
	}
	uint32_t rep[3];
	rc = pl_step(&p->l, n, rep, &r);
	snprintf(msg, sizeof msg, "%s: STEP %u", what, n);
	bool good = expect_ok(rc, &p->l, &r, msg);
	if (good) {
		good = th_expect(rep[1] == first, "%s: first step index %u, expected %u",
				 msg, rep[1], first) && good;
		good = th_expect(rep[2] == sim_ev.n, "%s: reply event count %u, "
				 "simulator %zu", msg, rep[2], sim_ev.n) && good;
		for (size_t i = 0; i < p->l.out.n; i++)
			pl_events_push(&p->dev_all, p->l.out.e[i].step, p->l.out.e[i].core,
				       p->l.out.e[i].neuron);
		good = same_events(&p->l.out, &sim_ev, msg) && good;
	}
	for (size_t i = 0; i < sim_ev.n; i++)
		pl_events_push(&p->sim_all, sim_ev.e[i].step, sim_ev.e[i].core,
			       sim_ev.e[i].neuron);
	pl_events_free(&sim_ev);
	return good;
}

/* Random inputs for one step, in random order, no repeats. */
static size_t gen_inputs(rng *r, uint32_t *in, unsigned percent)
{
	size_t n = 0;
	for (uint32_t q = 0; q < N_INPUTS; q++)
		if (rng_below(r, 100) < percent)
			in[n++] = q;
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(r, (uint32_t)i);
		uint32_t t = in[i - 1];
		in[i - 1] = in[j];
		in[j] = t;
	}
	return n;
}

/* READ_MEM of the STATE region of every core in use against the simulator
 * (at the core's place in the shared memory on a geometry with budgets). */
static bool check_state(pair *p, const char *what)
{
	pl_reply r;
	uint32_t w[2 * 320];
	bool good = true;
	for (unsigned c = 0; c < p->cfg.global[SNN_G_N_CORES]; c++) {
		uint32_t n = p->cfg.core[c].reg[SNN_R_N_NEURONS];
		uint32_t base = (uint32_t)snn_region_base(&p->cfg.geo, p->cfg.core[c].reg,
							  SNN_REGION_STATE);
		int rc = pl_read_all(&p->l, SNN_REGION_STATE, c, base, 2 * n, w, &r);
		char msg[200];
		snprintf(msg, sizeof msg, "%s: READ_MEM STATE core %u", what, c);
		if (!expect_ok(rc, &p->l, &r, msg))
			return false;
		for (uint32_t i = 0; i < n; i++) {
			int32_t v = 0;
			uint32_t ref = 0;
			snn_sim_get_state(p->sim, c, i, &v, &ref);
			if (!th_expect(w[2 * i] == (uint32_t)v && w[2 * i + 1] == ref,
				       "%s neuron %u: device v %d ref %u, simulator v %d "
				       "ref %u", msg, i, (int32_t)w[2 * i], w[2 * i + 1], v,
				       ref)) {
				good = false;
				break;
			}
		}
	}
	return good;
}

static bool check_counters(pair *p, const char *what)
{
	pl_reply r;
	uint64_t c[PL_C_COUNT];
	int rc = pl_counters(&p->l, c, &r);
	if (!expect_ok(rc, &p->l, &r, what))
		return false;
	const uint64_t *s = snn_sim_counters(p->sim);
	static const int same[] = {PL_C_STEPS, PL_C_SYNOPS, PL_C_SPIKES,
				   PL_C_EVENTS_IN, PL_C_EVENTS_OUT};
	bool good = true;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		good = th_expect(c[same[i]] == s[same[i]], "%s: counter %s: device %llu, "
				 "simulator %llu", what, snn_counter_name((unsigned)same[i]),
				 (unsigned long long)c[same[i]],
				 (unsigned long long)s[same[i]]) && good;
	if (pl_device_kind == 1)
		good = th_expect(c[PL_C_CYCLES] == 0, "%s: golden cycles counter: "
				 "expected 0 got %llu", what,
				 (unsigned long long)c[PL_C_CYCLES]) && good;
	else	/* the RTL counts the clock cycles of its steps */
		good = th_expect((c[PL_C_CYCLES] > 0) == (c[PL_C_STEPS] > 0),
				 "%s: RTL cycles counter %llu after %llu steps", what,
				 (unsigned long long)c[PL_C_CYCLES],
				 (unsigned long long)c[PL_C_STEPS]) && good;
	return good;
}

/* ---- cases ---- */

/* PIXELS then RUN: the device resets, rate-encodes the stored values itself
 * and runs; against the simulator fed by this test's own encoder, written
 * from docs/neuron-model.md ("Input encoding"): q starts at 127, each step
 * q += p, and q >= 255 spikes and takes 255 off. The last sample runs 300
 * steps, past the 255th, where the RTL encoder's step count (it works q
 * out from the step mod 255, rtl/snn_rate_encoder.v) wraps. */
static void test_pixels_run(void)
{
	th_case("pixels_run");
	pair p;
	if (!pair_open(&p, 77)) {
		pair_close(&p);
		return;
	}
	pl_reply r;
	uint8_t pay[4 + N_INPUTS];
	rng g = {0x91C5u};
	for (unsigned sample = 0; sample < 4; sample++) {
		uint8_t px[N_INPUTS];
		for (uint32_t i = 0; i < N_INPUTS; i++)
			px[i] = (uint8_t)(i % 5 == 0 ? 255 : i % 7 == 0 ? 0 : rng_below(&g, 256));
		/* in two frames, the second at an offset */
		pl_put32(pay, 0);
		memcpy(pay + 4, px, 5);
		expect_ok(pl_xact(&p.l, PL_PIXELS, pay, 4 + 5, &r), &p.l, &r, "PIXELS 0..4");
		pl_put32(pay, 5);
		memcpy(pay + 4, px + 5, N_INPUTS - 5);
		expect_ok(pl_xact(&p.l, PL_PIXELS, pay, 4 + N_INPUTS - 5, &r), &p.l, &r, "PIXELS 5..");
		uint16_t steps = (uint16_t)(sample == 3 ? 300 : 12 + 5 * sample);
		uint8_t flags = sample == 2 ? 0 : 1;	/* the last: no OUTPUT frames */
		uint8_t run[4] = {(uint8_t)steps, (uint8_t)(steps >> 8), flags, 0};
		int rc = pl_xact(&p.l, PL_RUN, run, 4, &r);
		if (!expect_ok(rc, &p.l, &r, "RUN"))
			break;
		/* the reference: a reset, then the spec's encoder into INPUT-like events */
		snn_sim_reset(p.sim);
		pl_events sim_ev = {0};
		uint32_t q[N_INPUTS];
		for (uint32_t i = 0; i < N_INPUTS; i++)
			q[i] = 127;
		for (unsigned s = 0; s < steps; s++) {
			for (uint32_t i = 0; i < N_INPUTS; i++) {
				q[i] += px[i];
				if (q[i] >= 255) {
					q[i] -= 255;
					snn_sim_input(p.sim, i);
				}
			}
			snn_sim_step(p.sim, on_output, NULL, &sim_ev);
		}
		size_t want = flags ? sim_ev.n : 0;
		th_expect(r.f.len == 12 && pl_get32(r.f.payload) == steps && pl_get32(r.f.payload + 4) == 0 &&
				  pl_get32(r.f.payload + 8) == want,
			  "RUN flags %u reply: %u bytes, steps %u, first %u, events %u (expected %zu)", flags,
			  r.f.len, pl_get32(r.f.payload), pl_get32(r.f.payload + 4), pl_get32(r.f.payload + 8),
			  want);
		if (flags)
			same_events(&p.l.out, &sim_ev, "RUN's OUTPUT frames");
		else
			th_expect(p.l.out.n == 0, "RUN with flags 0 sent %zu output events", p.l.out.n);
		pl_events_free(&sim_ev);
		check_state(&p, "after RUN");
	}
	pl_put32(pay, N_INPUTS - 2);
	expect_err(pl_xact(&p.l, PL_PIXELS, pay, 4 + 3, &r), &p.l, &r, PL_E_ARG, 0,
		   "PIXELS past the input tensor");
	uint8_t zero_steps[4] = {0, 0, 1, 0};
	expect_err(pl_xact(&p.l, PL_RUN, zero_steps, 4, &r), &p.l, &r, PL_E_ARG, 0, "RUN of 0 steps");
	expect_err(pl_xact(&p.l, PL_RUN, zero_steps, 3, &r), &p.l, &r, PL_E_LENGTH, 3, "RUN of 3 bytes");
	pair_close(&p);
}

static void test_constants(void)
{
	th_case("header_constants");
	th_expect(SNN_FRAME_SOF == PL_SOF && SNN_FRAME_MAX_PAYLOAD == PL_MAXP &&
		  SNN_PROTOCOL_VERSION == 4 && SNN_REPLY_BIT == 0x80,
		  "protocol.h framing constants: expected SOF 0xA5, max 1024, version 4");
	th_expect(SNN_OP_IDENTIFY == 0x01 && SNN_OP_RESET == 0x02 &&
		  SNN_OP_WRITE_MEM == 0x03 && SNN_OP_READ_MEM == 0x04 &&
		  SNN_OP_CHECKSUM == 0x05 && SNN_OP_INPUT == 0x10 &&
		  SNN_OP_STEP == 0x11 && SNN_OP_COUNTERS == 0x20 &&
		  SNN_OP_ECHO == 0x3F && SNN_OP_OUTPUT == 0x40 &&
		  SNN_OP_ERROR == 0x7F, "protocol.h opcodes equal the spec's table");
	th_expect(SNN_LERR_CRC == 1 && SNN_LERR_LENGTH == 2 && SNN_LERR_OPCODE == 3 &&
		  SNN_LERR_ADDRESS == 4 && SNN_LERR_ARG == 5 && SNN_LERR_CONFIG == 6 &&
		  SNN_LERR_OVERFLOW == 7, "protocol.h error codes equal the spec's table");
	th_expect(SNN_CTR_SEQ_ERRORS == 8 && SNN_CTR_COUNT == 9 &&
		  SNN_CTR_FRAME_ERRORS == 7 && SNN_CTR_EVENTS_OUT == 5,
		  "protocol.h counter order equals the spec's table");
	/* Check our own encoder on a frame worked out by hand: ECHO seq 7 "A". */
	uint8_t b[16];
	size_t n = pl_encode(PL_ECHO, 7, "A", 1, b);
	const uint8_t hdr[] = {0xA5, 0x3F, 0x07, 0x01, 0x00, 0x41};
	th_expect(n == 10 && memcmp(b, hdr, 6) == 0 &&
		  pl_get32(b + 6) == pl_crc(hdr + 1, 5),
		  "test encoder: ECHO frame layout");
}

static void test_identify(void)
{
	th_case("identify");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	int rc = pl_identify(&l, &r);
	if (expect_ok(rc, &l, &r, "IDENTIFY")) {
		const uint8_t *p = r.f.payload;
		th_expect(pl_get16(p) == 4, "protocol version: expected 4 got %u",
			  pl_get16(p));
		th_expect(p[2] == pl_device_kind, "device kind: expected %u got %u",
			  pl_device_kind, p[2]);
		th_expect(p[3] == 0, "reserved byte: expected 0 got %u", p[3]);
		th_expect(pl_get32(p + 4) == BUILD_ID, "build id: expected 0x%08X got "
			  "0x%08X", BUILD_ID, pl_get32(p + 4));
		const uint32_t want[16] = {
			geo_main.n_cores, geo_main.neurons_per_core, geo_main.axons_per_core,
			geo_main.synapse_words, geo_main.weight_bits,
			geo_main.membrane_bits, geo_main.bias_bits,
			geo_main.routes_per_core, geo_main.input_routes,
			geo_main.max_phases, geo_main.neuron_total, geo_main.synapse_total,
			geo_main.route_total, geo_main.lanes, geo_main.state_words,
			geo_main.acc_bits};
		for (int i = 0; i < 16; i++)
			th_expect(pl_get32(p + 8 + 4 * i) == want[i], "geometry field %d: "
				  "expected %u got %u", i, want[i], pl_get32(p + 8 + 4 * i));
	}
	pl_close(&l);
}

static void test_echo(void)
{
	th_case("echo");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	static uint8_t data[1024];
	for (int i = 0; i < 1024; i++)
		data[i] = (uint8_t)(i * 7 + 3);	/* includes 0xA5 bytes */
	static const size_t sizes[] = {0, 1, 2, 100, 1023, 1024};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "ECHO of %zu bytes", sizes[i]);
		expect_ok(pl_echo(&l, data, sizes[i], &r), &l, &r, what);
	}
	pl_close(&l);
}

static void test_echo_length_bad(void)
{
	th_case("echo_length_bad");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	/* A bare 1025-byte length header: refused at once. */
	uint8_t seq = l.seq++;
	uint8_t hdr[5] = {0xA5, PL_ECHO, seq, 0x01, 0x04};
	int rc = raw_xact(&l, hdr, 5, seq, &r);
	expect_err(rc, &l, &r, PL_E_LENGTH, -1, "ECHO header with length 1025");
	uint16_t details[3];
	details[0] = r.detail;
	th_expect(rc != PL_E_LENGTH || r.errop == PL_ECHO,
		  "ERROR LENGTH names op 0x3F, got 0x%02X", r.errop);
	expect_ok(pl_echo(&l, "after", 5, &r), &l, &r, "ECHO after the refused header");

	/* The same with its 1025 payload bytes and a CRC following (none 0xA5):
	 * the receiver hunts through them and finds the next frame. */
	static uint8_t big[5 + 1025 + 4];
	seq = l.seq++;
	memcpy(big, (uint8_t[]){0xA5, PL_ECHO, seq, 0x01, 0x04}, 5);
	for (int i = 0; i < 1025 + 4; i++)
		big[5 + i] = (uint8_t)(i % 0xA5);
	rc = raw_xact(&l, big, sizeof big, seq, &r);
	expect_err(rc, &l, &r, PL_E_LENGTH, -1,
		   "ECHO with 1025 payload bytes and CRC");
	details[1] = r.detail;
	expect_ok(pl_echo(&l, "x", 1, &r), &l, &r, "ECHO after the long frame");

	/* Hunting restarts right after the refused header: a frame that follows
	 * it at once, in the same receive call, is answered. */
	{
		uint8_t two[5 + 9 + 4];
		uint8_t s1 = l.seq++, s2 = l.seq++;
		memcpy(two, (uint8_t[]){0xA5, PL_ECHO, s1, 0x00, 0x08}, 5);
		size_t n2 = 5 + pl_encode(PL_ECHO, s2, "ok!!", 4, two + 5);
		pl_send(&l, two, n2);
		int g1 = pl_next(&l, &r.f);
		th_expect(g1 == 1 && r.f.op == PL_ERROR && r.f.seq == s1 &&
			  r.f.payload[0] == PL_E_LENGTH, "2048-byte header then ECHO: "
			  "first reply ERROR LENGTH seq %u, got %d op 0x%02X seq %u", s1,
			  g1, r.f.op, r.f.seq);
		int g2 = pl_next(&l, &r.f);
		th_expect(g2 == 1 && r.f.op == (PL_ECHO | 0x80) && r.f.seq == s2 &&
			  r.f.len == 4, "2048-byte header then ECHO: second reply the "
			  "ECHO seq %u, got %d op 0x%02X seq %u", s2, g2, r.f.op, r.f.seq);
		th_expect(pl_pending(&l) == 0, "nothing after the two replies");
	}

	/* The largest length a header can carry. */
	seq = l.seq++;
	uint8_t hdr2[5] = {0xA5, PL_IDENTIFY, seq, 0xFF, 0xFF};
	rc = raw_xact(&l, hdr2, 5, seq, &r);
	expect_err(rc, &l, &r, PL_E_LENGTH, -1, "IDENTIFY header with length 65535");
	details[2] = r.detail;
	expect_ok(pl_identify(&l, &r), &l, &r, "IDENTIFY after it");

	/* "LENGTH ... (detail: the length)" holds for a header's length too. */
	th_case("length_header_detail");
	th_expect(details[0] == 1025, "ERROR LENGTH detail for a 1025-byte header: "
		  "expected 1025 got %u", details[0]);
	th_expect(details[1] == 1025, "ERROR LENGTH detail for a 1025-byte frame: "
		  "expected 1025 got %u", details[1]);
	th_expect(details[2] == 65535, "ERROR LENGTH detail for a 65535-byte header: "
		  "expected 65535 got %u", details[2]);
	pl_close(&l);
}

static void test_garbage_skipped(void)
{
	th_case("garbage_before_frame");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	uint8_t b[64 + PL_FRAME_MAX];
	size_t n = 0;
	const uint8_t junk[] = {0x00, 0xFF, 0x5A, 0x3F, 0x01, 0x00, 0x00, 0xA4,
				0xA6, 0x25, 0x80, 0x7F};
	memcpy(b, junk, sizeof junk);
	n = sizeof junk;
	uint8_t seq = l.seq++;
	n += pl_encode(PL_ECHO, seq, "hello", 5, b + n);
	int rc = raw_xact(&l, b, n, seq, &r);
	th_expect(rc == 0 && r.f.op == (PL_ECHO | 0x80) && r.f.len == 5 &&
		  memcmp(r.f.payload, "hello", 5) == 0,
		  "ECHO after 12 junk bytes: expected the ECHO reply, got %s",
		  rc_str(rc, &l, &r));
	/* Junk alone produces nothing. */
	pl_send(&l, junk, sizeof junk);
	th_expect(pl_pending(&l) == 0, "junk alone: expected no device bytes, got %zu",
		  pl_pending(&l));
	expect_ok(pl_echo(&l, "ok", 2, &r), &l, &r, "ECHO after junk alone");
	pl_close(&l);
}

/* What a read returns for a word written to geo_main's BIAS or SYNAPSE. The
 * golden device keeps a bias whole and a weight's low 16 bits
 * (docs/config-format.md); the RTL array stores bias_bits and weight_bits
 * and sign-extends on read (docs/rtl.md, "snn_array", memory port). Words a
 * valid configuration holds fit both, so they read back the same. */
static uint32_t stored_word(unsigned region, uint32_t w)
{
	unsigned bits = 32;
	if (region == SNN_REGION_SYNAPSE)
		bits = pl_device_kind != 1 ? geo_main.weight_bits : 16;
	else if (region == SNN_REGION_BIAS && pl_device_kind != 1)
		bits = geo_main.bias_bits;
	if (bits == 32)
		return w;
	uint32_t m = 1u << (bits - 1);
	return ((w & ((m << 1) - 1)) ^ m) - m;
}

static void test_byte_by_byte(void)
{
	th_case("frame_split_byte_by_byte");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	uint32_t words[40];
	for (int i = 0; i < 40; i++)
		words[i] = 0xA5A5A500u + (uint32_t)i;
	uint8_t p[8 + 160];
	pl_addr(p, SNN_REGION_SYNAPSE, 1, 100);
	for (int i = 0; i < 40; i++)
		pl_put32(p + 8 + 4 * i, words[i]);
	uint8_t b[PL_FRAME_MAX];
	uint8_t seq = l.seq++;
	size_t n = pl_encode(PL_WRITE_MEM, seq, p, sizeof p, b);
	bool early = false;
	for (size_t i = 0; i < n; i++) {
		pl_send(&l, b + i, 1);
		if (i + 1 < n && pl_pending(&l))
			early = true;
	}
	th_expect(!early, "no reply before the last byte of the frame");
	int got = pl_next(&l, &r.f);
	th_expect(got == 1 && r.f.op == (PL_WRITE_MEM | 0x80) && r.f.seq == seq &&
		  r.f.len == 0 && pl_pending(&l) == 0,
		  "WRITE_MEM fed byte by byte: expected one empty WRITE_MEM reply, got "
		  "%d frame op 0x%02X seq %u len %u", got, r.f.op, r.f.seq, r.f.len);
	/* Read back, the request again fed one byte at a time. */
	uint8_t q[10];
	pl_addr(q, SNN_REGION_SYNAPSE, 1, 100);
	pl_put16(q + 8, 40);
	seq = l.seq++;
	n = pl_encode(PL_READ_MEM, seq, q, sizeof q, b);
	for (size_t i = 0; i < n; i++)
		pl_send(&l, b + i, 1);
	got = pl_next(&l, &r.f);
	if (th_expect(got == 1 && r.f.op == (PL_READ_MEM | 0x80) && r.f.len == 160,
		      "READ_MEM fed byte by byte: expected 160-byte reply, got %d op "
		      "0x%02X len %u", got, r.f.op, r.f.len))
		for (int i = 0; i < 40; i++) {
			uint32_t want = stored_word(SNN_REGION_SYNAPSE, words[i]);
			if (!th_expect(pl_get32(r.f.payload + 4 * i) == want,
				       "word %d: expected 0x%08X got 0x%08X", i, want,
				       pl_get32(r.f.payload + 4 * i)))
				break;
		}
	pl_close(&l);
}

static void test_pipelined(void)
{
	th_case("pipelined_frames");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	uint8_t b[8 * PL_FRAME_MAX];
	size_t n = 0;
	uint8_t seq0 = l.seq;
	uint8_t rd[10];
	pl_addr(rd, SNN_REGION_GLOBAL, 0, 0);
	pl_put16(rd + 8, 5);
	uint8_t wr[12];
	pl_addr(wr, SNN_REGION_GLOBAL, 0, 2);
	pl_put32(wr + 8, 0xCAFEF00Du);
	const struct {
		uint8_t op;
		const void *p;
		size_t len;
		uint8_t rop;
		size_t rlen;
	} fr[] = {
		{PL_IDENTIFY, NULL, 0, PL_IDENTIFY | 0x80, 72},
		{PL_ECHO, "one", 3, PL_ECHO | 0x80, 3},
		{PL_WRITE_MEM, wr, 12, PL_WRITE_MEM | 0x80, 0},
		{PL_READ_MEM, rd, 10, PL_READ_MEM | 0x80, 20},
		{0x66, NULL, 0, PL_ERROR, 0},
		{PL_COUNTERS, NULL, 0, PL_COUNTERS | 0x80, 72},
		{PL_ECHO, "three", 5, PL_ECHO | 0x80, 5},
	};
	size_t nf = sizeof fr / sizeof fr[0];
	for (size_t i = 0; i < nf; i++)
		n += pl_encode(fr[i].op, l.seq++, fr[i].p, fr[i].len, b + n);
	pl_send(&l, b, n);
	for (size_t i = 0; i < nf; i++) {
		int got = pl_next(&l, &r.f);
		if (!th_expect(got == 1, "reply %zu of %zu: %s", i, nf,
			       got < 0 ? l.why : "missing"))
			break;
		th_expect(r.f.seq == (uint8_t)(seq0 + i) && r.f.op == fr[i].rop &&
			  (fr[i].rop == PL_ERROR || r.f.len == fr[i].rlen),
			  "reply %zu: expected op 0x%02X seq %u len %zu, got op 0x%02X "
			  "seq %u len %u", i, fr[i].rop, (uint8_t)(seq0 + i), fr[i].rlen,
			  r.f.op, r.f.seq, r.f.len);
		if (i == 3 && r.f.len == 20)
			th_expect(pl_get32(r.f.payload + 8) == 0xCAFEF00Du,
				  "pipelined READ_MEM sees the WRITE_MEM before it: got 0x%08X",
				  pl_get32(r.f.payload + 8));
	}
	th_expect(pl_pending(&l) == 0, "no bytes after the %zu replies", nf);
	pl_close(&l);
}

static void test_crc_bad(void)
{
	th_case("crc_bad");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	uint32_t before[5];
	expect_ok(pl_read(&l, SNN_REGION_GLOBAL, 0, 0, 5, before, &r), &l, &r,
		  "READ_MEM GLOBAL");
	/* WRITE_MEM GLOBAL[1] = 0x77 with one CRC bit flipped. */
	uint8_t p[12], b[32];
	pl_addr(p, SNN_REGION_GLOBAL, 0, 1);
	pl_put32(p + 8, 0x77);
	uint8_t seq = l.seq++;
	size_t n = pl_encode(PL_WRITE_MEM, seq, p, sizeof p, b);
	b[n - 1] ^= 0x10;
	int rc = raw_xact(&l, b, n, seq, &r);
	expect_err(rc, &l, &r, PL_E_CRC, -1, "WRITE_MEM with a bad CRC");
	th_expect(rc != PL_E_CRC || r.errop == PL_WRITE_MEM,
		  "ERROR CRC echoes op 0x03, got 0x%02X", r.errop);
	/* A damaged payload byte instead. */
	seq = l.seq++;
	n = pl_encode(PL_WRITE_MEM, seq, p, sizeof p, b);
	b[5 + 8] ^= 0x01;
	rc = raw_xact(&l, b, n, seq, &r);
	expect_err(rc, &l, &r, PL_E_CRC, -1, "WRITE_MEM with a damaged payload byte");
	/* A damaged seq: the error echoes the seq as received. */
	seq = l.seq++;
	n = pl_encode(PL_WRITE_MEM, seq, p, sizeof p, b);
	b[2] ^= 0x40;
	rc = raw_xact(&l, b, n, (uint8_t)(seq ^ 0x40), &r);
	expect_err(rc, &l, &r, PL_E_CRC, -1, "WRITE_MEM with a damaged seq byte");
	uint32_t after[5];
	if (expect_ok(pl_read(&l, SNN_REGION_GLOBAL, 0, 0, 5, after, &r), &l, &r,
		      "READ_MEM GLOBAL after the damaged frames"))
		th_expect(memcmp(before, after, sizeof before) == 0,
			  "GLOBAL[1] unchanged by damaged WRITE_MEMs: expected 0x%08X got "
			  "0x%08X", before[1], after[1]);
	expect_ok(pl_echo(&l, "still", 5, &r), &l, &r, "ECHO after damaged frames");
	pl_close(&l);

	/* On a running network a damaged WRITE_MEM is not acted on either: it
	 * does not mark the configuration as written. */
	th_case("crc_bad_not_a_config_write");
	pair pr;
	if (pair_open(&pr, 11)) {
		uint8_t q[12];
		pl_addr(q, SNN_REGION_CORE, 0, SNN_R_THRESHOLD);
		pl_put32(q + 8, 0);
		seq = pr.l.seq++;
		n = pl_encode(PL_WRITE_MEM, seq, q, sizeof q, b);
		b[n - 4] ^= 0xFF;
		rc = raw_xact(&pr.l, b, n, seq, &r);
		expect_err(rc, &pr.l, &r, PL_E_CRC, -1, "WRITE_MEM THRESHOLD=0 bad CRC");
		uint32_t in[2] = {1, 5};
		pair_run(&pr, in, 2, 3, "run after the damaged WRITE_MEM");
		uint32_t th = 0;
		expect_ok(pl_read(&pr.l, SNN_REGION_CORE, 0, SNN_R_THRESHOLD, 1, &th, &r),
			  &pr.l, &r, "READ_MEM THRESHOLD");
		th_expect(th == 40, "THRESHOLD of core 0: expected 40 got %u", th);
	}
	pair_close(&pr);
}

/* A damaged frame is skipped whole: a frame inside its payload is not
 * seen, and a damaged len that swallows the next frame leaves that frame
 * without a reply (docs/host-protocol.md, "Frames"). */
static void test_crc_skip(void)
{
	th_case("crc_bad_frame_skipped_whole");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	uint8_t inner[32], outer[64];
	uint8_t s_in = 200;	/* a seq the host never uses here */
	size_t ni = pl_encode(PL_ECHO, s_in, "in", 2, inner);
	uint8_t seq = l.seq++;
	size_t no = pl_encode(PL_ECHO, seq, inner, ni, outer);
	outer[no - 2] ^= 0x01;
	int rc = raw_xact(&l, outer, no, seq, &r);
	expect_err(rc, &l, &r, PL_E_CRC, -1,
		   "damaged ECHO whose payload is a whole ECHO frame");
	th_expect(rc != PL_E_CRC || r.errop == PL_ECHO,
		  "ERROR CRC names op 0x3F, got 0x%02X", r.errop);
	expect_ok(pl_echo(&l, "next", 4, &r), &l, &r, "ECHO after it");

	th_case("damaged_length_swallows_next");
	uint8_t b[64];
	uint8_t sa = l.seq++, sb = l.seq++;
	size_t na = pl_encode(PL_ECHO, sa, "abcd", 4, b);
	b[3] = 20;	/* len 4 -> 20: 16 more payload bytes plus a CRC */
	size_t nb = pl_encode(PL_ECHO, sb, "xyz", 3, b + na);
	size_t n = na + nb;
	while (n < 5 + 20 + 4)
		b[n++] = 0x11;
	rc = raw_xact(&l, b, n, sa, &r);
	expect_err(rc, &l, &r, PL_E_CRC, -1,
		   "ECHO with len damaged to 20, swallowing the next ECHO");
	expect_ok(pl_echo(&l, "after", 5, &r), &l, &r, "ECHO after the swallow");
	pl_close(&l);
}

static void test_opcode_bad(void)
{
	th_case("opcode_bad");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	static const uint8_t ops[] = {0x00, 0x06, 0x0F, 0x14, 0x21, 0x3E, 0x40,
				      0x7F, 0x80, 0x81, 0x91, 0xBF, 0xFF};
	for (size_t i = 0; i < sizeof ops; i++) {
		char what[64];
		snprintf(what, sizeof what, "op 0x%02X, no payload", ops[i]);
		expect_err(pl_xact(&l, ops[i], NULL, 0, &r), &l, &r, PL_E_OPCODE, -1,
			   what);
		snprintf(what, sizeof what, "op 0x%02X, 3-byte payload", ops[i]);
		expect_err(pl_xact(&l, ops[i], "abc", 3, &r), &l, &r, PL_E_OPCODE, -1,
			   what);
	}
	expect_ok(pl_echo(&l, "ok", 2, &r), &l, &r, "ECHO after unknown opcodes");
	pl_close(&l);
}

static void test_length_bad(void)
{
	th_case("length_bad");
	pl_link l;
	pl_reply r;
	if (!open_dev(&l, &geo_main))
		return;
	static uint8_t zero[1024];
	/* Valid-looking content (zeros: region GLOBAL, index 0) so that only
	 * the length is wrong. */
	static const struct {
		uint8_t op;
		uint16_t len;
	} bad[] = {
		{PL_IDENTIFY, 1}, {PL_IDENTIFY, 72}, {PL_RESET, 0}, {PL_RESET, 2},
		{PL_READ_MEM, 0}, {PL_READ_MEM, 8}, {PL_READ_MEM, 9},
		{PL_READ_MEM, 11}, {PL_READ_MEM, 12}, {PL_CHECKSUM, 8},
		{PL_CHECKSUM, 10}, {PL_CHECKSUM, 11}, {PL_CHECKSUM, 13},
		{PL_STEP, 0}, {PL_STEP, 1}, {PL_STEP, 3}, {PL_STEP, 4},
		{PL_COUNTERS, 1}, {PL_COUNTERS, 4}, {PL_WRITE_MEM, 0},
		{PL_WRITE_MEM, 7}, {PL_WRITE_MEM, 8}, {PL_WRITE_MEM, 11},
		{PL_WRITE_MEM, 13}, {PL_WRITE_MEM, 14}, {PL_WRITE_MEM, 15},
		{PL_WRITE_MEM, 1023}, {PL_INPUT, 1}, {PL_INPUT, 3}, {PL_INPUT, 6},
		{PL_INPUT, 1022},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char what[80];
		snprintf(what, sizeof what, "op 0x%02X with a %u-byte payload", bad[i].op,
			 bad[i].len);
		expect_err(pl_xact(&l, bad[i].op, zero, bad[i].len, &r), &l, &r,
			   PL_E_LENGTH, bad[i].len, what);
	}
	/* Nothing was written by the refused WRITE_MEMs. */
	uint32_t g[5] = {1, 1, 1, 1, 1};
	expect_ok(pl_write(&l, SNN_REGION_GLOBAL, 0, 0, g, 5, &r), &l, &r,
		  "WRITE_MEM GLOBAL");
	pl_addr(zero, SNN_REGION_GLOBAL, 0, 0);
	expect_err(pl_xact(&l, PL_WRITE_MEM, zero, 14, &r), &l, &r, PL_E_LENGTH, 14,
		   "WRITE_MEM GLOBAL[0] with 14 bytes");
	uint32_t back[5];
	if (expect_ok(pl_read(&l, SNN_REGION_GLOBAL, 0, 0, 5, back, &r), &l, &r,
		      "READ_MEM GLOBAL"))
		th_expect(back[0] == 1, "GLOBAL[0] after a refused WRITE_MEM: expected 1 "
			  "got %u", back[0]);
	/* The longest WRITE_MEM (254 words) is fine. */
	uint32_t w[254] = {0};
	expect_ok(pl_write(&l, SNN_REGION_SYNAPSE, 0, 0, w, 254, &r), &l, &r,
		  "WRITE_MEM of 254 words (1024-byte payload)");
	pl_close(&l);
}

/* Regions of geo_main: words per core (or in all, for GLOBAL/INPUT_ROUTE). */
static uint32_t region_words(unsigned region)
{
	switch (region) {
	case SNN_REGION_GLOBAL: return 5;
	case SNN_REGION_CORE: return 32;
	case SNN_REGION_BIAS: return geo_main.neurons_per_core;
	case SNN_REGION_SYNAPSE: return geo_main.synapse_words;
	case SNN_REGION_ROUTE: return 4 * geo_main.routes_per_core;
	case SNN_REGION_INPUT_ROUTE: return 4 * geo_main.input_routes;
	default: return 0;
	}
}

static bool per_core(unsigned region)
{
	return region != SNN_REGION_GLOBAL && region != SNN_REGION_INPUT_ROUTE;
}

static uint32_t crc_words(const uint32_t *w, size_t n)
{
	uint8_t *b = xcalloc(n, 4);
	for (size_t i = 0; i < n; i++)
		pl_put32(b + 4 * i, w[i]);
	uint32_t c = pl_crc(b, 4 * n);
	free(b);
	return c;
}

static void test_memory(void)
{
	static const char *const names[] = {"GLOBAL", "CORE", "BIAS", "SYNAPSE",
					    "ROUTE", "INPUT_ROUTE"};
	pl_link l;
	pl_reply r;
	th_case("memory_write_read");
	if (!open_dev(&l, &geo_main))
		return;
	rng g = {42};
	/* expect[region][core]: what reads must return. */
	uint32_t *expect[6][4] = {{0}};
	/* Write every region of every core first, then read all back, so that
	 * regions or cores aliasing each other show up. */
	for (unsigned reg = 0; reg < 6; reg++) {
		unsigned ncores = per_core(reg) ? geo_main.n_cores : 1;
		uint32_t nw = region_words(reg);
		for (unsigned c = 0; c < ncores; c++) {
			uint32_t *w = xcalloc(nw, sizeof *w), *e = xcalloc(nw, sizeof *e);
			for (uint32_t i = 0; i < nw; i++) {
				w[i] = (uint32_t)rng_next(&g);
				e[i] = stored_word(reg, w[i]);
			}
			if (reg == SNN_REGION_SYNAPSE && c == 0) {
				static const uint32_t sp[][2] = {
					{0x00007FFF, 0x00007FFF}, {0x00008000, 0xFFFF8000},
					{0xFFFF8000, 0xFFFF8000}, {0x12345678, 0x00005678},
					{0xABCDFFFF, 0xFFFFFFFF}, {0x00010000, 0x00000000},
					{0x0000FFFE, 0xFFFFFFFE}, {0x7FFF0001, 0x00000001}};
				for (unsigned i = 0; i < 8; i++) {
					w[i] = sp[i][0];
					e[i] = pl_device_kind == 1 ? sp[i][1]
						: stored_word(reg, sp[i][0]);
				}
			}
			if (reg == SNN_REGION_BIAS && c == 0) {
				w[0] = 0x80000000u;
				w[1] = 0x7FFFFFFFu;
				w[2] = 0xFFFFFFFFu;
				for (unsigned i = 0; i < 3; i++)
					e[i] = stored_word(reg, w[i]);
			}
			/* GLOBAL and INPUT_ROUTE ignore the core field. */
			unsigned wcore = per_core(reg) ? c : 0xBEEF;
			int rc = pl_write_all(&l, reg, wcore, 0, w, nw, &r);
			char what[80];
			snprintf(what, sizeof what, "WRITE_MEM %s core %u, %u words",
				 names[reg], wcore, nw);
			expect_ok(rc, &l, &r, what);
			expect[reg][c] = e;
			free(w);
		}
	}
	for (unsigned reg = 0; reg < 6; reg++) {
		th_case("memory_readback_%s", names[reg]);
		unsigned ncores = per_core(reg) ? geo_main.n_cores : 1;
		uint32_t nw = region_words(reg);
		uint32_t *got = xcalloc(nw, sizeof *got);
		for (unsigned c = 0; c < ncores; c++) {
			unsigned rcores[2] = {c, per_core(reg) ? c : 3};
			for (int k = 0; k < (per_core(reg) ? 1 : 2); k++) {
				char what[80];
				snprintf(what, sizeof what, "READ_MEM %s core %u", names[reg],
					 rcores[k]);
				int rc = pl_read_all(&l, reg, rcores[k], 0, nw, got, &r);
				if (!expect_ok(rc, &l, &r, what))
					continue;
				for (uint32_t i = 0; i < nw; i++)
					if (!th_expect(got[i] == expect[reg][c][i], "%s word %u: "
						       "expected 0x%08X got 0x%08X", what, i,
						       expect[reg][c][i], got[i]))
						break;
			}
		}
		free(got);
	}
	th_case("checksum");
	for (unsigned reg = 0; reg < 6; reg++) {
		unsigned ncores = per_core(reg) ? geo_main.n_cores : 1;
		uint32_t nw = region_words(reg);
		for (unsigned c = 0; c < ncores; c++) {
			uint32_t crc = 0;
			char what[80];
			snprintf(what, sizeof what, "CHECKSUM %s core %u, all %u words",
				 names[reg], c, nw);
			int rc = pl_checksum(&l, reg, c, 0, nw, &crc, &r);
			if (expect_ok(rc, &l, &r, what))
				th_expect(crc == crc_words(expect[reg][c], nw), "%s: expected "
					  "0x%08X got 0x%08X", what,
					  crc_words(expect[reg][c], nw), crc);
			uint32_t lo = nw / 3, cnt = nw - lo - 1 > 0 ? nw - lo - 1 : 1;
			snprintf(what, sizeof what, "CHECKSUM %s core %u, words %u..%u",
				 names[reg], c, lo, lo + cnt - 1);
			rc = pl_checksum(&l, reg, c, lo, cnt, &crc, &r);
			if (expect_ok(rc, &l, &r, what))
				th_expect(crc == crc_words(expect[reg][c] + lo, cnt),
					  "%s: expected 0x%08X got 0x%08X", what,
					  crc_words(expect[reg][c] + lo, cnt), crc);
		}
	}

	th_case("address_bad");
	struct {
		unsigned reg, core;
		uint32_t index, n;
		const char *what;
	} bad[] = {
		{SNN_REGION_GLOBAL, 0, 5, 1, "GLOBAL[5]"},
		{SNN_REGION_GLOBAL, 0, 4, 2, "GLOBAL[4..5]"},
		{SNN_REGION_CORE, 0, 31, 2, "CORE[31..32]"},
		{SNN_REGION_CORE, 4, 0, 1, "CORE of core 4 (n_cores 4)"},
		{SNN_REGION_CORE, 0xFFFF, 0, 1, "CORE of core 0xFFFF"},
		{SNN_REGION_BIAS, 1, 319, 2, "BIAS[319..320]"},
		{SNN_REGION_BIAS, 1, 0xFFFFFFFFu, 2, "BIAS[0xFFFFFFFF..] (wraps)"},
		{SNN_REGION_SYNAPSE, 2, 10240, 1, "SYNAPSE[10240]"},
		{SNN_REGION_SYNAPSE, 2, 10200, 41, "SYNAPSE[10200..10240]"},
		{SNN_REGION_ROUTE, 3, 16, 1, "ROUTE[16]"},
		{SNN_REGION_ROUTE, 3, 0x80000000u, 1, "ROUTE[2^31]"},
		{SNN_REGION_INPUT_ROUTE, 0, 15, 2, "INPUT_ROUTE[15..16]"},
		{7, 0, 0, 1, "region 7"},
		{0xFF, 0, 0, 1, "region 255"},
	};
	uint32_t ones[64];
	for (int i = 0; i < 64; i++)
		ones[i] = 0x11111111u * (uint32_t)(i % 15 + 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char what[120];
		snprintf(what, sizeof what, "WRITE_MEM %s", bad[i].what);
		expect_err(pl_write(&l, bad[i].reg, bad[i].core, bad[i].index, ones,
				    bad[i].n, &r), &l, &r, PL_E_ADDRESS, -1, what);
		snprintf(what, sizeof what, "READ_MEM %s", bad[i].what);
		expect_err(pl_read(&l, bad[i].reg, bad[i].core, bad[i].index,
				   (uint16_t)bad[i].n, NULL, &r), &l, &r, PL_E_ADDRESS, -1,
			   what);
		snprintf(what, sizeof what, "CHECKSUM %s", bad[i].what);
		expect_err(pl_checksum(&l, bad[i].reg, bad[i].core, bad[i].index,
				       bad[i].n, NULL, &r), &l, &r, PL_E_ADDRESS, -1,
			   what);
	}
	expect_err(pl_checksum(&l, SNN_REGION_SYNAPSE, 0, 1, 0xFFFFFFFFu, NULL, &r),
		   &l, &r, PL_E_ADDRESS, -1, "CHECKSUM SYNAPSE[1], 2^32-1 words");
	expect_err(pl_checksum(&l, SNN_REGION_SYNAPSE, 0, 0, 10241, NULL, &r), &l, &r,
		   PL_E_ADDRESS, -1, "CHECKSUM SYNAPSE[0], 10241 words");
	/* Nothing changed: the words next to the refused ranges. */
	for (unsigned reg = 0; reg < 6; reg++) {
		unsigned ncores = per_core(reg) ? geo_main.n_cores : 1;
		for (unsigned c = 0; c < ncores; c++) {
			uint32_t crc = 0;
			int rc = pl_checksum(&l, reg, c, 0, region_words(reg), &crc, &r);
			if (expect_ok(rc, &l, &r, "CHECKSUM after refused writes"))
				th_expect(crc == crc_words(expect[reg][c], region_words(reg)),
					  "region %s core %u changed by refused WRITE_MEMs",
					  names[reg], c);
		}
	}

	th_case("read_count_bad");
	expect_err(pl_read(&l, SNN_REGION_SYNAPSE, 0, 0, 0, NULL, &r), &l, &r,
		   PL_E_ARG, -1, "READ_MEM count 0");
	expect_err(pl_read(&l, SNN_REGION_SYNAPSE, 0, 0, 257, NULL, &r), &l, &r,
		   PL_E_ARG, -1, "READ_MEM count 257");
	expect_err(pl_read(&l, SNN_REGION_SYNAPSE, 0, 0, 65535, NULL, &r), &l, &r,
		   PL_E_ARG, -1, "READ_MEM count 65535");
	expect_err(pl_checksum(&l, SNN_REGION_SYNAPSE, 0, 0, 0, NULL, &r), &l, &r,
		   PL_E_ARG, -1, "CHECKSUM count 0");
	uint32_t big[256];
	if (expect_ok(pl_read(&l, SNN_REGION_SYNAPSE, 0, 10240 - 256, 256, big, &r),
		      &l, &r, "READ_MEM count 256 at the end of SYNAPSE"))
		th_expect(memcmp(big, expect[SNN_REGION_SYNAPSE][0] + 10240 - 256,
				 sizeof big) == 0, "READ_MEM of 256 words matches");

	for (unsigned reg = 0; reg < 6; reg++)
		for (unsigned c = 0; c < 4; c++)
			free(expect[reg][c]);
	pl_close(&l);
}

static void test_reset_rules(void)
{
	pair p;
	pl_reply r;
	int rc;
	th_case("reset_config_written_bad");
	if (!pair_open(&p, 5)) {
		pair_close(&p);
		return;
	}
	uint32_t in[3] = {2, 9, 14}, state[2];
	expect_ok(pl_input(&p.l, in, 3, &r), &p.l, &r, "INPUT on a reset device");
	expect_ok(pl_read(&p.l, SNN_REGION_STATE, 0, 0, 2, state, &r), &p.l, &r,
		  "READ_MEM STATE on a reset device");
	uint32_t rep[3];
	expect_ok(pl_step(&p.l, 1, rep, &r), &p.l, &r, "STEP on a reset device");
	/* Rewrite one register with its own value: still a configuration write. */
	uint32_t leak = 16;
	expect_ok(pl_write(&p.l, SNN_REGION_CORE, 0, SNN_R_LEAK, &leak, 1, &r), &p.l,
		  &r, "WRITE_MEM CORE[LEAK]");
	expect_err(pl_input(&p.l, in, 3, &r), &p.l, &r, PL_E_CONFIG, 1,
		   "INPUT after WRITE_MEM");
	expect_err(pl_input(&p.l, NULL, 0, &r), &p.l, &r, PL_E_CONFIG, 1,
		   "empty INPUT after WRITE_MEM");
	expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 1,
		   "STEP after WRITE_MEM");
	expect_err(pl_step(&p.l, 0, rep, &r), &p.l, &r, PL_E_CONFIG, 1,
		   "STEP 0 after WRITE_MEM");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 0, 0, 2, state, &r), &p.l, &r,
		   PL_E_CONFIG, 1, "READ_MEM STATE after WRITE_MEM");
	expect_err(pl_checksum(&p.l, SNN_REGION_STATE, 0, 0, 2, NULL, &r), &p.l, &r,
		   PL_E_CONFIG, 1, "CHECKSUM STATE after WRITE_MEM");
	state[0] = 3;
	state[1] = 0;
	expect_err(pl_write(&p.l, SNN_REGION_STATE, 0, 0, state, 2, &r), &p.l, &r,
		   PL_E_CONFIG, 1, "WRITE_MEM STATE after WRITE_MEM");
	/* Everything else still works. */
	expect_ok(pl_read(&p.l, SNN_REGION_CORE, 0, 0, 32, NULL, &r), &p.l, &r,
		  "READ_MEM CORE after WRITE_MEM");
	uint64_t c[PL_C_COUNT];
	expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS after WRITE_MEM");
	expect_ok(pl_identify(&p.l, &r), &p.l, &r, "IDENTIFY after WRITE_MEM");
	expect_ok(pl_reset(&p.l, 0, &r), &p.l, &r, "RESET 0");
	expect_ok(pl_input(&p.l, in, 3, &r), &p.l, &r, "INPUT after RESET");
	expect_ok(pl_step(&p.l, 1, rep, &r), &p.l, &r, "STEP after RESET");
	th_expect(rep[1] == 0, "first step after RESET: expected 0 got %u", rep[1]);

	th_case("reset_config_invalid_bad");
	uint32_t zero = 0, th;
	expect_ok(pl_write(&p.l, SNN_REGION_CORE, 1, SNN_R_THRESHOLD, &zero, 1, &r),
		  &p.l, &r, "WRITE_MEM core 1 THRESHOLD = 0");
	rc = pl_reset(&p.l, 0, &r);
	expect_ok(rc, &p.l, &r, "RESET with an invalid configuration");
	if (pl_device_kind == 3) {
		/* The lean layer does not check core registers: it runs what it
		 * was given (undefined results), but must answer and recover. */
		th_expect(pl_step(&p.l, 1, rep, &r) >= 0, "lean: STEP with THRESHOLD 0 "
			  "gets no reply");
		goto lean_fixed;
	}
	rc = pl_input(&p.l, in, 1, &r);
	expect_err(rc, &p.l, &r, PL_E_CONFIG, 2, "INPUT after RESET of invalid config");
	if (rc == PL_E_CONFIG && pl_device_kind == 1) {	/* the RTL sends no message */
		char low[sizeof r.msg];
		size_t i;
		for (i = 0; r.msg[i]; i++)
			low[i] = (char)tolower((unsigned char)r.msg[i]);
		low[i] = 0;
		th_expect(strstr(low, "threshold") != NULL,
			  "the ERROR CONFIG message names the problem (THRESHOLD): got "
			  "\"%s\"", r.msg);
	}
	expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 2,
		   "STEP after RESET of invalid config");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 0, 0, 2, state, &r), &p.l, &r,
		   PL_E_CONFIG, 2, "READ_MEM STATE after RESET of invalid config");
	expect_err(pl_reset(&p.l, 1, &r) == 0 ? pl_step(&p.l, 1, rep, &r) : -1, &p.l,
		   &r, PL_E_CONFIG, 2, "STEP after a second RESET, still invalid");
lean_fixed:
	th = 30;
	expect_ok(pl_write(&p.l, SNN_REGION_CORE, 1, SNN_R_THRESHOLD, &th, 1, &r),
		  &p.l, &r, "WRITE_MEM core 1 THRESHOLD back");
	expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 1,
		   "STEP after fixing the configuration, before RESET");
	expect_ok(pl_reset(&p.l, 0, &r), &p.l, &r, "RESET of the valid configuration");
	expect_ok(pl_step(&p.l, 1, rep, &r), &p.l, &r,
		  "STEP after RESET of the valid configuration");
	/* Other invalid configurations. */
	static const struct {
		unsigned reg;
		uint32_t val;
		const char *what;
	} inval[] = {
		{SNN_R_MODE, 3, "MODE 3"}, {SNN_R_PHASE, 4, "PHASE 4 (max_phases 4)"},
		{SNN_R_N_NEURONS, 321, "N_NEURONS 321"}, {SNN_R_LEAK, 256, "LEAK 256"},
		{SNN_R_REFRACTORY, 16, "REFRACTORY 16"},
		{SNN_R_THRESHOLD, 32768, "THRESHOLD 32768 > VMAX"},
		{SNN_R_FLAGS, 2, "FLAGS bit 1"}, {27, 1, "reserved register 27"},
	};
	for (size_t i = 0; i < sizeof inval / sizeof inval[0]; i++) {
		uint32_t old = 0;
		pl_read(&p.l, SNN_REGION_CORE, 0, inval[i].reg, 1, &old, &r);
		pl_write(&p.l, SNN_REGION_CORE, 0, inval[i].reg, &inval[i].val, 1, &r);
		char what[80];
		snprintf(what, sizeof what, "STEP after RESET with core 0 %s",
			 inval[i].what);
		rc = pl_reset(&p.l, 0, &r);
		expect_ok(rc, &p.l, &r, what);
		if (pl_device_kind == 3)	/* unchecked: it must answer */
			th_expect(pl_step(&p.l, 1, rep, &r) >= 0, "lean: %s: no reply", what);
		else
			expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 2, what);
		pl_write(&p.l, SNN_REGION_CORE, 0, inval[i].reg, &old, 1, &r);
	}
	/* Invalid routes and GLOBAL words (the RTL device checks these too:
	 * docs/rtl.md, "What RESET checks"). */
	static const struct {
		unsigned region, core;
		uint32_t index, val;
		const char *what;
	} inval_w[] = {
		{SNN_REGION_ROUTE, 0, 2, 33, "core 0 route 0 src_hi 33 > N_NEURONS 32"},
		{SNN_REGION_ROUTE, 0, 1, 32, "core 0 route 0 src_lo = src_hi"},
		{SNN_REGION_ROUTE, 0, 0, 3, "core 0 route 0 to core 3 (MODE 0)"},
		{SNN_REGION_ROUTE, 0, 0, 4, "core 0 route 0 to core 4 (N_CORES 3)"},
		{SNN_REGION_ROUTE, 0, 13, 5, "core 0 unused route 3 not zero"},
		{SNN_REGION_INPUT_ROUTE, 0, 2, 17, "input route 0 src_hi 17 > C*H*W"},
		{SNN_REGION_INPUT_ROUTE, 0, 0, 0xFFFF, "input route 0 to the host"},
		{SNN_REGION_INPUT_ROUTE, 0, 8, 1, "unused input route 2 not zero"},
		{SNN_REGION_GLOBAL, 0, SNN_G_INPUT_ROUTES, 5, "INPUT_ROUTES 5 > 4"},
		{SNN_REGION_GLOBAL, 0, SNN_G_N_CORES, 5, "N_CORES 5 > 4"},
		{SNN_REGION_GLOBAL, 0, SNN_G_INPUT_H, 0, "INPUT_H 0"},
	};
	for (size_t i = 0; i < sizeof inval_w / sizeof inval_w[0]; i++) {
		uint32_t old = 0;
		pl_read(&p.l, inval_w[i].region, inval_w[i].core, inval_w[i].index, 1, &old, &r);
		pl_write(&p.l, inval_w[i].region, inval_w[i].core, inval_w[i].index,
			 &inval_w[i].val, 1, &r);
		char what[100];
		snprintf(what, sizeof what, "STEP after RESET with %s", inval_w[i].what);
		expect_ok(pl_reset(&p.l, 0, &r), &p.l, &r, what);
		/* the lean layer checks GLOBAL only; other words: it must answer */
		if (pl_device_kind == 3 && inval_w[i].region != SNN_REGION_GLOBAL)
			th_expect(pl_step(&p.l, 1, rep, &r) >= 0, "lean: %s: no reply", what);
		else
			expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 2, what);
		pl_write(&p.l, inval_w[i].region, inval_w[i].core, inval_w[i].index, &old, 1,
			 &r);
	}
	/* An input tensor of 300 x 4 x 4 = 4800 (the routes use its first 16):
	 * valid, but more than the RTL device's input bitmap holds (INPUT_MAX
	 * 4096, docs/rtl.md), so only the RTL refuses it. */
	uint32_t c300 = 300, c1 = 1;
	pl_write(&p.l, SNN_REGION_GLOBAL, 0, SNN_G_INPUT_C, &c300, 1, &r);
	expect_ok(pl_reset(&p.l, 0, &r), &p.l, &r, "RESET with INPUT_C 300");
	if (pl_device_kind != 1)
		expect_err(pl_step(&p.l, 1, rep, &r), &p.l, &r, PL_E_CONFIG, 2,
			   "RTL: STEP with a 4800-input tensor");
	else
		expect_ok(pl_step(&p.l, 1, rep, &r), &p.l, &r,
			  "golden: STEP with a 4800-input tensor");
	pl_write(&p.l, SNN_REGION_GLOBAL, 0, SNN_G_INPUT_C, &c1, 1, &r);
	expect_ok(pl_reset(&p.l, 0, &r), &p.l, &r, "RESET of the restored config");
	expect_ok(pl_step(&p.l, 1, rep, &r), &p.l, &r, "STEP of the restored config");

	th_case("reset_level_bad");
	static const uint8_t lv[] = {3, 4, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof lv; i++) {
		char what[40];
		snprintf(what, sizeof what, "RESET level %u", lv[i]);
		expect_err(pl_reset(&p.l, lv[i], &r), &p.l, &r, PL_E_ARG, -1, what);
	}
	/* A refused RESET does nothing: the step index carries on. */
	uint32_t before = 0;
	if (expect_ok(pl_step(&p.l, 0, rep, &r), &p.l, &r, "STEP 0"))
		before = rep[1];
	expect_err(pl_reset(&p.l, 3, &r), &p.l, &r, PL_E_ARG, -1, "RESET level 3");
	if (expect_ok(pl_step(&p.l, 0, rep, &r), &p.l, &r, "STEP 0 after RESET 3"))
		th_expect(rep[1] == before && before > 0, "step index after a refused "
			  "RESET: expected %u got %u", before, rep[1]);

	th_case("reset_all_zeroes_config");
	expect_ok(pl_reset(&p.l, SNN_RESET_ALL, &r), &p.l, &r, "RESET 2");
	bool all_zero = true;
	for (unsigned reg = 0; reg < 6 && all_zero; reg++) {
		unsigned ncores = per_core(reg) ? geo_main.n_cores : 1;
		uint32_t nw = region_words(reg);
		uint32_t *z = xcalloc(nw, sizeof *z);
		uint32_t want = crc_words(z, nw);
		for (unsigned co = 0; co < ncores; co++) {
			uint32_t crc = 0;
			rc = pl_checksum(&p.l, reg, co, 0, nw, &crc, &r);
			if (!expect_ok(rc, &p.l, &r, "CHECKSUM after RESET 2") ||
			    !th_expect(crc == want, "region %u core %u after RESET 2: CRC "
				       "0x%08X, expected 0x%08X (all zero)", reg, co, crc,
				       want))
				all_zero = false;
		}
		free(z);
	}
	uint32_t cw[32];
	if (expect_ok(pl_read(&p.l, SNN_REGION_CORE, 1, 0, 32, cw, &r), &p.l, &r,
		      "READ_MEM CORE 1 after RESET 2"))
		th_expect(cw[SNN_R_N_NEURONS] == 0 && cw[SNN_R_MODE] == 0,
			  "core 1 registers zero after RESET 2");
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS after RESET 2"))
		for (int i = 0; i < PL_C_COUNT; i++)
			th_expect(c[i] == 0, "counter %d after RESET 2: expected 0 got "
				  "%llu", i, (unsigned long long)c[i]);
	pair_close(&p);
}

static void test_run_vs_sim(void)
{
	pair p;
	pl_reply r;
	th_case("step_outputs_vs_sim");
	if (!pair_open(&p, 1)) {
		pair_close(&p);
		return;
	}
	rng g = {7};
	uint32_t in[N_INPUTS];
	bool good = true;
	for (int t = 0; t < 40 && good; t++) {
		size_t n = gen_inputs(&g, in, 40);
		char what[40];
		snprintf(what, sizeof what, "step %d", t);
		good = pair_run(&p, in, n, 1, what);
	}
	for (int k = 0; k < 4 && good; k++) {
		size_t n = gen_inputs(&g, in, 60);
		good = pair_run(&p, in, n, (uint16_t)(5 + 3 * k), "multi-step run");
	}
	if (good)
		good = pair_run(&p, NULL, 0, 0, "STEP 0");
	if (good)
		good = pair_run(&p, NULL, 0, 300, "STEP 300 without input");
	th_expect(p.max_per_step > 255, "test network: some step has more than 255 "
		  "host events (so needs several OUTPUT frames): max %zu",
		  p.max_per_step);
	th_expect(p.dev_all.n > 1000, "test network produced output: %zu events",
		  p.dev_all.n);

	th_case("step_output_frames");
	/* A step with > 255 events: several frames, each of one step. */
	uint32_t rep[3];
	int rc = pl_step(&p.l, 1, rep, &r);
	if (expect_ok(rc, &p.l, &r, "STEP 1"))
		th_expect(p.l.out_frames >= (p.l.out.n + 254) / 255,
			  "%zu events need at least %zu OUTPUT frames, got %zu", p.l.out.n,
			  (p.l.out.n + 254) / 255, p.l.out_frames);
	snn_sim_step(p.sim, NULL, NULL, NULL);

	th_case("state_readback_vs_sim");
	check_state(&p, "after the runs");

	th_case("counters_vs_sim");
	check_counters(&p, "COUNTERS after the runs");
	uint64_t c[PL_C_COUNT];
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS"))
		th_expect(c[PL_C_DROPPED] == 0 && c[PL_C_FRAME_ERRORS] == 0 &&
			  c[PL_C_SEQ_ERRORS] == 0, "dropped %llu, frame_errors %llu, "
			  "seq_errors %llu: expected 0 on a clean run",
			  (unsigned long long)c[PL_C_DROPPED],
			  (unsigned long long)c[PL_C_FRAME_ERRORS],
			  (unsigned long long)c[PL_C_SEQ_ERRORS]);

	th_case("reset_state_rerun");
	/* Leave pending state behind: a queued INPUT, membranes mid-way, a
	 * recurrent event in flight; RESET 0 must drop all of it. */
	uint32_t leftover[4] = {0, 3, 8, 15};
	expect_ok(pl_input(&p.l, leftover, 4, &r), &p.l, &r, "INPUT before RESET");
	snn_sim_reset(p.sim);
	uint64_t steps_before = 0;
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS"))
		steps_before = c[PL_C_STEPS];
	expect_ok(pl_reset(&p.l, SNN_RESET_STATE, &r), &p.l, &r, "RESET 0");
	/* Every neuron at V_INIT, refractory 0. */
	check_state(&p, "right after RESET 0");
	rng g1 = {99}, g2 = {99};
	pl_events run1 = {0}, run2 = {0};
	for (int pass = 0; pass < 2; pass++) {
		rng *gg = pass ? &g2 : &g1;
		pl_events *ev = pass ? &run2 : &run1;
		for (int t = 0; t < 25; t++) {
			size_t n = gen_inputs(gg, in, 50);
			uint16_t ns = t % 5 == 4 ? 3 : 1;
			if (!pair_run(&p, in, n, ns, pass ? "rerun" : "first run"))
				break;
			for (size_t i = 0; i < p.l.out.n; i++)
				pl_events_push(ev, p.l.out.e[i].step, p.l.out.e[i].core,
					       p.l.out.e[i].neuron);
		}
		if (pass == 0) {
			expect_ok(pl_input(&p.l, leftover, 4, &r), &p.l, &r,
				  "INPUT before RESET");
			expect_ok(pl_reset(&p.l, SNN_RESET_STATE, &r), &p.l, &r, "RESET 0");
			snn_sim_reset(p.sim);
		}
	}
	th_expect(run1.n > 0, "first run produced events");
	same_events(&run1, &run2, "rerun after RESET 0 against the first run");
	pl_events_free(&run1);
	pl_events_free(&run2);
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS"))
		th_expect(c[PL_C_STEPS] > steps_before, "RESET 0 keeps the counters: "
			  "steps %llu, before %llu", (unsigned long long)c[PL_C_STEPS],
			  (unsigned long long)steps_before);

	th_case("reset_counters");
	expect_ok(pl_reset(&p.l, SNN_RESET_COUNTERS, &r), &p.l, &r, "RESET 1");
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS after RESET 1"))
		for (int i = 0; i < PL_C_COUNT; i++)
			th_expect(c[i] == 0, "counter %d after RESET 1: expected 0 got %llu",
				  i, (unsigned long long)c[i]);
	snn_sim_reset(p.sim);
	snn_sim_reset_counters(p.sim);
	g = (rng){123};
	for (int t = 0; t < 10; t++) {
		size_t n = gen_inputs(&g, in, 50);
		if (!pair_run(&p, in, n, 2, "after RESET 1"))
			break;
	}
	check_counters(&p, "COUNTERS after RESET 1 and a run");
	pair_close(&p);
}

static void test_input(void)
{
	pair p;
	pl_reply r;
	uint32_t rep[3];
	th_case("input_index_bad");
	if (!pair_open(&p, 3)) {
		pair_close(&p);
		return;
	}
	/* Refused frames queue nothing: after them only {7} is queued. */
	uint32_t a[1] = {7};
	expect_ok(pl_input(&p.l, a, 1, &r), &p.l, &r, "INPUT {7}");
	uint32_t b1[3] = {1, 2, N_INPUTS};
	expect_err(pl_input(&p.l, b1, 3, &r), &p.l, &r, PL_E_ARG, 2,
		   "INPUT {1, 2, 16} (16 = C*H*W)");
	uint32_t b2[2] = {0xFFFFFFFFu, 4};
	expect_err(pl_input(&p.l, b2, 2, &r), &p.l, &r, PL_E_ARG, 0,
		   "INPUT {0xFFFFFFFF, 4}");

	th_case("input_duplicate_bad");
	uint32_t b3[3] = {3, 5, 3};
	expect_err(pl_input(&p.l, b3, 3, &r), &p.l, &r, PL_E_ARG, 2,
		   "INPUT {3, 5, 3}");
	uint32_t b4[3] = {0, 6, 7};
	expect_err(pl_input(&p.l, b4, 3, &r), &p.l, &r, PL_E_ARG, 2,
		   "INPUT {0, 6, 7} with 7 already queued");
	/* The device's step must be the simulator's with just {7}. */
	snn_sim_input(p.sim, 7);
	pair_run(&p, NULL, 0, 1, "STEP after refused INPUTs");
	/* After the step an index may come again. */
	pair_run(&p, a, 1, 1, "INPUT {7} in the next step");
	pair_run(&p, b3 + 1, 2, 1, "INPUT {5, 3}");

	th_case("input_whole_tensor");
	/* The golden device's queue holds a whole tensor: all 16 inputs of a
	 * step over several frames are taken (never ERROR OVERFLOW); one more
	 * can only be a repeat, ERROR ARG. */
	uint32_t all[N_INPUTS];
	for (uint32_t i = 0; i < N_INPUTS; i++)
		all[i] = N_INPUTS - 1 - i;
	expect_ok(pl_input(&p.l, all, 5, &r), &p.l, &r, "INPUT of 5");
	expect_ok(pl_input(&p.l, all + 5, 11, &r), &p.l, &r, "INPUT of 11 more");
	uint32_t more[2] = {N_INPUTS, 9};
	expect_err(pl_input(&p.l, more, 2, &r), &p.l, &r, PL_E_ARG, 0,
		   "INPUT {16, 9} on a full queue");
	expect_err(pl_input(&p.l, more + 1, 1, &r), &p.l, &r, PL_E_ARG, 0,
		   "INPUT {9} on a full queue");
	for (uint32_t i = 0; i < N_INPUTS; i++)
		snn_sim_input(p.sim, all[i]);
	pair_run(&p, NULL, 0, 1, "STEP with the whole tensor");
	/* A single frame of 17 events (one repeat). */
	uint32_t rep17[17];
	memcpy(rep17, all, sizeof all);
	rep17[16] = all[0];
	expect_err(pl_input(&p.l, rep17, 17, &r), &p.l, &r, PL_E_ARG, 16,
		   "INPUT of 17 events in one frame");
	pair_run(&p, NULL, 0, 1, "STEP after it (nothing queued)");
	check_counters(&p, "COUNTERS after the refused INPUTs");
	uint64_t c[PL_C_COUNT];
	if (expect_ok(pl_counters(&p.l, c, &r), &p.l, &r, "COUNTERS"))
		th_expect(c[PL_C_FRAME_ERRORS] == 0, "ERROR ARG frames are not frame "
			  "errors: frame_errors %llu",
			  (unsigned long long)c[PL_C_FRAME_ERRORS]);
	expect_ok(pl_step(&p.l, 0, rep, &r), &p.l, &r, "STEP 0");
	pair_close(&p);
}

static void test_state_write(void)
{
	pair p;
	pl_reply r;
	th_case("state_write");
	if (!pair_open(&p, 9)) {
		pair_close(&p);
		return;
	}
	rng g = {5};
	uint32_t in[N_INPUTS];
	for (int t = 0; t < 6; t++)
		pair_run(&p, in, gen_inputs(&g, in, 50), 1, "warm-up");
	/* v and ref of a few neurons, written together and one by one. */
	uint32_t w[4] = {123, 3, (uint32_t)-32768, 15};
	expect_ok(pl_write(&p.l, SNN_REGION_STATE, 1, 2 * 5, w, 4, &r), &p.l, &r,
		  "WRITE_MEM STATE core 1 neurons 5, 6");
	snn_sim_set_state(p.sim, 1, 5, 123, 3);
	snn_sim_set_state(p.sim, 1, 6, -32768, 15);
	uint32_t v = 32767;
	expect_ok(pl_write(&p.l, SNN_REGION_STATE, 0, 2 * 31, &v, 1, &r), &p.l, &r,
		  "WRITE_MEM STATE core 0 neuron 31 v");
	int32_t ov;
	uint32_t oref;
	snn_sim_get_state(p.sim, 0, 31, &ov, &oref);
	snn_sim_set_state(p.sim, 0, 31, 32767, oref);
	uint32_t rf = 0;
	expect_ok(pl_write(&p.l, SNN_REGION_STATE, 2, 2 * 4 + 1, &rf, 1, &r), &p.l,
		  &r, "WRITE_MEM STATE core 2 neuron 4 ref");
	snn_sim_get_state(p.sim, 2, 4, &ov, &oref);
	snn_sim_set_state(p.sim, 2, 4, ov, 0);
	uint32_t back[4];
	if (expect_ok(pl_read(&p.l, SNN_REGION_STATE, 1, 10, 4, back, &r), &p.l, &r,
		      "READ_MEM STATE core 1 neurons 5, 6"))
		th_expect(memcmp(back, w, sizeof w) == 0, "read back v, ref: expected "
			  "123 3 -32768 15, got %d %u %d %u", (int32_t)back[0], back[1],
			  (int32_t)back[2], back[3]);
	uint32_t crc = 0;
	if (expect_ok(pl_checksum(&p.l, SNN_REGION_STATE, 1, 10, 4, &crc, &r), &p.l,
		      &r, "CHECKSUM STATE"))
		th_expect(crc == crc_words(w, 4), "CHECKSUM STATE: expected 0x%08X got "
			  "0x%08X", crc_words(w, 4), crc);
	check_state(&p, "after STATE writes");
	/* The written state is what the next steps start from. */
	for (int t = 0; t < 6; t++)
		pair_run(&p, in, gen_inputs(&g, in, 50), 1, "after STATE writes");
	check_state(&p, "after steps from written state");

	th_case("state_write_range_bad");
	uint32_t keep[4];
	pl_read(&p.l, SNN_REGION_STATE, 0, 0, 4, keep, &r);
	static const struct {
		uint32_t idx, val;
		const char *what;
	} bad[] = {
		{0, 32768, "v = 32768 (VMAX + 1)"},
		{0, (uint32_t)-32769, "v = -32769 (VMIN - 1)"},
		{0, 0x7FFFFFFF, "v = 2^31 - 1"},
		{1, 16, "ref = 16"},
		{1, 0xFFFFFFFF, "ref = 0xFFFFFFFF"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char what[80];
		snprintf(what, sizeof what, "WRITE_MEM STATE %s", bad[i].what);
		expect_err(pl_write(&p.l, SNN_REGION_STATE, 0, bad[i].idx, &bad[i].val, 1,
				    &r), &p.l, &r, PL_E_ARG, -1, what);
	}
	/* A frame with good words and one bad one changes nothing at all. */
	uint32_t mix[4] = {7, 0, 8, 99};
	expect_err(pl_write(&p.l, SNN_REGION_STATE, 0, 0, mix, 4, &r), &p.l, &r,
		   PL_E_ARG, -1, "WRITE_MEM STATE {7, 0, 8, ref 99}");
	uint32_t now[4];
	if (expect_ok(pl_read(&p.l, SNN_REGION_STATE, 0, 0, 4, now, &r), &p.l, &r,
		      "READ_MEM STATE"))
		th_expect(memcmp(keep, now, sizeof now) == 0,
			  "STATE unchanged by refused writes: v0 %d->%d ref0 %u->%u v1 "
			  "%d->%d", (int32_t)keep[0], (int32_t)now[0], keep[1], now[1],
			  (int32_t)keep[2], (int32_t)now[2]);
	th_case("state_address_bad");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 1, 2 * 320, 1, NULL, &r), &p.l, &r,
		   PL_E_ADDRESS, -1, "READ_MEM STATE core 1 [640]");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 1, 2 * 320 - 1, 2, NULL, &r), &p.l,
		   &r, PL_E_ADDRESS, -1, "READ_MEM STATE core 1 [639..640]");
	expect_err(pl_write(&p.l, SNN_REGION_STATE, 4, 0, mix, 2, &r), &p.l, &r,
		   PL_E_ADDRESS, -1, "WRITE_MEM STATE core 4");
	expect_err(pl_checksum(&p.l, SNN_REGION_STATE, 0, 0xFFFFFFFFu, 2, NULL, &r),
		   &p.l, &r, PL_E_ADDRESS, -1, "CHECKSUM STATE [2^32-1..]");
	expect_err(pl_write(&p.l, SNN_REGION_STATE, 2, 2 * 320, mix, 2, &r), &p.l, &r,
		   PL_E_ADDRESS, -1, "WRITE_MEM STATE core 2 [640..641]");
	/* The region is 2 x N_NEURONS words (the core's register, not the
	 * geometry's neurons_per_core: docs/config-format.md, memory map). */
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 1, 2 * 300, 2, NULL, &r), &p.l, &r,
		   PL_E_ADDRESS, -1, "READ_MEM STATE core 1 (N_NEURONS 300) [600..601]");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 1, 2 * 300 - 2, 3, NULL, &r), &p.l,
		   &r, PL_E_ADDRESS, -1, "READ_MEM STATE core 1 [598..600]");
	expect_err(pl_read(&p.l, SNN_REGION_STATE, 3, 0, 2, NULL, &r), &p.l, &r,
		   PL_E_ADDRESS, -1, "READ_MEM STATE of core 3 (MODE 0, N_NEURONS 0)");
	expect_ok(pl_read(&p.l, SNN_REGION_STATE, 1, 2 * 300 - 2, 2, NULL, &r), &p.l,
		  &r, "READ_MEM STATE core 1 [598..599]");
	/* A STATE write is not a configuration write: running goes on. */
	pair_run(&p, in, gen_inputs(&g, in, 50), 2, "STEP after STATE writes");
	check_state(&p, "at the end");
	pair_close(&p);
}

static void test_frame_errors(void)
{
	th_case("frame_errors_counter");
	pl_link l;
	pl_reply r;
	uint64_t c[PL_C_COUNT];
	if (!open_dev(&l, &geo_main))
		return;
	uint8_t b[64];
	uint8_t seq = l.seq++;
	size_t n = pl_encode(PL_ECHO, seq, "abc", 3, b);
	b[6] ^= 0x20;
	expect_err(raw_xact(&l, b, n, seq, &r), &l, &r, PL_E_CRC, -1, "bad CRC");
	seq = l.seq++;
	uint8_t hdr[5] = {0xA5, PL_ECHO, seq, 0xD0, 0x07};
	expect_err(raw_xact(&l, hdr, 5, seq, &r), &l, &r, PL_E_LENGTH, -1,
		   "length 2000");
	expect_err(pl_xact(&l, 0x55, NULL, 0, &r), &l, &r, PL_E_OPCODE, -1,
		   "opcode 0x55");
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_FRAME_ERRORS] == 3, "frame_errors after CRC, length and "
			  "opcode errors: expected 3 got %llu",
			  (unsigned long long)c[PL_C_FRAME_ERRORS]);
	/* Refusals of well-formed frames for their content are not counted. */
	expect_err(pl_reset(&l, 9, &r), &l, &r, PL_E_ARG, -1, "RESET 9");
	expect_err(pl_read(&l, 9, 0, 0, 1, NULL, &r), &l, &r, PL_E_ADDRESS, -1,
		   "READ_MEM region 9");
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_FRAME_ERRORS] == 3, "frame_errors after ARG and ADDRESS "
			  "errors: expected 3 got %llu",
			  (unsigned long long)c[PL_C_FRAME_ERRORS]);
	/* A length wrong for the opcode is a LENGTH refusal too. */
	expect_err(pl_xact(&l, PL_IDENTIFY, "x", 1, &r), &l, &r, PL_E_LENGTH, 1,
		   "IDENTIFY with 1 byte");
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_FRAME_ERRORS] == 4, "frame_errors after a wrong length "
			  "for the opcode: expected 4 got %llu",
			  (unsigned long long)c[PL_C_FRAME_ERRORS]);
	pl_close(&l);
}

static void test_seq_errors(void)
{
	th_case("seq_errors_counter");
	pl_link l;
	pl_reply r;
	uint64_t c[PL_C_COUNT];
	if (!open_dev(&l, &geo_main))
		return;
	/* seq 0, 1, ... from the start, through the wrap 255 -> 0. */
	for (int i = 0; i < 300; i++)
		if (!expect_ok(pl_echo(&l, &i, sizeof i, &r), &l, &r, "ECHO"))
			break;
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_SEQ_ERRORS] == 0, "seq_errors after 301 frames in "
			  "sequence (with a wrap): expected 0 got %llu",
			  (unsigned long long)c[PL_C_SEQ_ERRORS]);
	l.seq += 2;	/* two requests lost */
	if (expect_ok(pl_echo(&l, "gap", 3, &r), &l, &r,
		      "ECHO after a seq gap is still executed"))
		th_expect(r.f.len == 3, "ECHO reply after the gap");
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_SEQ_ERRORS] == 1, "seq_errors after one gap: expected 1 "
			  "got %llu", (unsigned long long)c[PL_C_SEQ_ERRORS]);
	l.seq -= 1;	/* a repeated seq */
	expect_ok(pl_echo(&l, "rep", 3, &r), &l, &r, "ECHO with a repeated seq");
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_SEQ_ERRORS] == 2, "seq_errors after a repeated seq: "
			  "expected 2 got %llu", (unsigned long long)c[PL_C_SEQ_ERRORS]);
	/* Past 2^16: the lean RTL layer keeps the counter in 16-bit RAM words
	 * (rtl/snn_cmd_input.v), so the 65,536th error carries into the next. */
	for (unsigned i = 0; i < 65536; i++) {
		l.seq -= 1;	/* the same seq again */
		if (!expect_ok(pl_echo(&l, NULL, 0, &r), &l, &r, "ECHO with a repeated seq"))
			break;
	}
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS"))
		th_expect(c[PL_C_SEQ_ERRORS] == 65538, "seq_errors after 65,536 more repeated "
			  "seqs: expected 65538 got %llu", (unsigned long long)c[PL_C_SEQ_ERRORS]);
	pl_close(&l);
}

/* ---- robustness fuzz ---- */

static const snn_geometry geo_fuzz = {
	.n_cores = 3, .neurons_per_core = 16, .axons_per_core = 16,
	.synapse_words = 256, .weight_bits = 8, .membrane_bits = 12,
	.bias_bits = 8, .routes_per_core = 2, .input_routes = 2, .max_phases = 2,
};

static bool build_fuzz_net(snn_config *cfg)
{
	snn_diag d = {{0}};
	if (!th_expect(snn_config_init(cfg, &geo_fuzz, &d) == 0,
		       "snn_config_init: %s", d.msg))
		return false;
	rng r = {77};
	cfg->global[SNN_G_N_CORES] = 2;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 2;
	cfg->global[SNN_G_INPUT_W] = 4;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	set_route(&cfg->input_route[0], 0, 0, 8, 0, 0, 0);
	dense(&cfg->core[0], 0, 16, 8, 1, 2, 4, 20, 8, 1, 1, 0, 2);
	fill(&cfg->core[0], &r, -5, 30, 0, 4);
	set_route(&cfg->core[0].route[0], 1, 0, 16, 0, 0, 0);
	set_route(&cfg->core[0].route[1], SNN_ROUTE_HOST, 0, 4, 0, 0, 0);
	dense(&cfg->core[1], 1, 12, 16, 16, 1, 1, 25, 0, 0, 0, 0, 1);
	fill(&cfg->core[1], &r, -5, 20, 1, 6);
	set_route(&cfg->core[1].route[0], SNN_ROUTE_HOST, 0, 12, 0, 0, 0);
	return th_expect(snn_config_validate(cfg, &d) == 0, "fuzz network: %s", d.msg);
}

static bool known_op(uint8_t op)
{
	if (op == PL_PIXELS || op == PL_RUN)
		return true;
	switch (op) {
	case PL_IDENTIFY: case PL_RESET: case PL_WRITE_MEM: case PL_READ_MEM:
	case PL_CHECKSUM: case PL_INPUT: case PL_STEP: case PL_COUNTERS:
	case PL_ECHO:
		return true;
	default:
		return false;
	}
}

/* A random request: mostly well-formed-ish payloads of known ops. */
static size_t fuzz_payload(rng *g, uint8_t *op, uint8_t *p)
{
	static const uint8_t ops[] = {PL_IDENTIFY, PL_RESET, PL_WRITE_MEM,
				      PL_READ_MEM, PL_CHECKSUM, PL_INPUT, PL_STEP,
				      PL_COUNTERS, PL_ECHO};
	uint32_t k = rng_below(g, 100);
	size_t len;
	if (k < 12) {	/* anything at all */
		*op = (uint8_t)rng_next(g);
		len = rng_below(g, 4) ? rng_below(g, 24) : rng_below(g, 1025);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rng_next(g);
		return len;
	}
	*op = ops[rng_below(g, sizeof ops)];
	switch (*op) {
	case PL_RESET:
		p[0] = (uint8_t)(rng_below(g, 10) ? rng_below(g, 2) : rng_below(g, 5));
		len = 1;
		break;
	case PL_WRITE_MEM:
	case PL_READ_MEM:
	case PL_CHECKSUM: {
		unsigned region = rng_below(g, 10) ? rng_below(g, 7) : rng_below(g, 256);
		if (*op == PL_WRITE_MEM && region != SNN_REGION_STATE && rng_below(g, 3))
			region = SNN_REGION_STATE;	/* mostly state: keep the net */
		unsigned core = rng_below(g, 8) ? rng_below(g, 3) : rng_below(g, 65536);
		uint32_t index = rng_below(g, 8) ? rng_below(g, 40) : (uint32_t)rng_next(g);
		pl_addr(p, region, core, index);
		if (*op == PL_WRITE_MEM) {
			size_t nw = 1 + rng_below(g, rng_below(g, 10) ? 8 : 254);
			for (size_t i = 0; i < nw; i++)
				pl_put32(p + 8 + 4 * i, rng_below(g, 2)
					 ? (uint32_t)rng_range(g, -40, 40)
					 : (uint32_t)rng_next(g));
			len = 8 + 4 * nw;
		} else if (*op == PL_READ_MEM) {
			pl_put16(p + 8, (uint16_t)(rng_below(g, 10) ? rng_below(g, 260)
						   : rng_next(g)));
			len = 10;
		} else {
			pl_put32(p + 8, rng_below(g, 10) ? rng_below(g, 600)
				 : (uint32_t)rng_next(g));
			len = 12;
		}
		break;
	}
	case PL_INPUT: {
		size_t n = rng_below(g, 6);
		for (size_t i = 0; i < n; i++)
			pl_put32(p + 4 * i, rng_below(g, 20) ? rng_below(g, 9)
				 : (uint32_t)rng_next(g));
		len = 4 * n;
		break;
	}
	case PL_STEP:
		pl_put16(p, (uint16_t)(rng_below(g, 50) ? rng_below(g, 8)
				       : rng_below(g, 400)));
		len = 2;
		break;
	case PL_ECHO:
		len = rng_below(g, 5) ? rng_below(g, 40) : rng_below(g, 1025);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rng_next(g);
		break;
	default:
		len = 0;
	}
	if (rng_below(g, 15) == 0) {	/* a wrong length now and then */
		size_t extra = rng_below(g, 5);
		len = rng_below(g, 2) && len >= extra ? len - extra : len + extra;
		if (len > 1024)
			len = 1024;
		for (size_t i = 0; i < len; i++)
			if (rng_below(g, 4) == 0)
				p[i] = (uint8_t)rng_next(g);
	}
	return len;
}

enum { F_VALID, F_CRC, F_LEN };

typedef struct pending {
	uint8_t seq, op, kind;
	uint16_t len;
} pending;

static void test_fuzz(void)
{
#ifdef PL_LEAN
	/* Its random writes leave configurations RESET would refuse; the lean
	 * layer runs them, and the snn_array behind this test device relies on
	 * RESET's checks. The board builds put the lean layer in front of
	 * snn_engine, which test_rtl_engine's hostile_descriptors case holds to
	 * finishing every step on such configurations. */
	return;
#endif
	th_case("fuzz_robustness");
	pl_link l;
	pl_reply r;
	snn_config cfg;
	if (!build_fuzz_net(&cfg)) {
		snn_config_free(&cfg);
		return;
	}
	if (!open_dev(&l, &geo_fuzz)) {
		snn_config_free(&cfg);
		return;
	}
	rng g = {0xF00D};
	static uint8_t batch[16 * (PL_FRAME_MAX + 32)], p[PL_MAXP];
	pending q[16];
	unsigned frames = 0, replies = 0, outputs = 0, noise = 0, corrupt = 0,
		 oversize = 0, steps_run = 0, batches = 0;
	unsigned counts[8] = {0};	/* replies by ERROR code; [0] = normal */
	bool good = true;
	while (frames < 20000 && good) {
		if (batches % 150 == 0) {	/* (re)load the network now and then */
			good = expect_ok(load_config(&l, &cfg, &r), &l, &r,
					 "fuzz: reloading the network") &&
			       expect_ok(pl_reset(&l, 1, &r), &l, &r, "fuzz: RESET 1");
			if (!good)
				break;
		}
		batches++;
		size_t n = 0, nq = 0, items = 1 + rng_below(&g, 10);
		for (size_t it = 0; it < items; it++) {
			uint32_t k = rng_below(&g, 100);
			if (k < 12) {	/* noise, never an SOF */
				size_t m = 1 + rng_below(&g, 16);
				for (size_t i = 0; i < m; i++) {
					uint8_t x = (uint8_t)rng_next(&g);
					batch[n++] = x == PL_SOF ? 0x5A : x;
				}
				noise++;
				continue;
			}
			uint8_t seq = l.seq++, op;
			if (k < 16) {	/* a header with a length over 1024 */
				uint16_t len = (uint16_t)(1025 + rng_below(&g, 65535 - 1024));
				op = (uint8_t)rng_next(&g);
				batch[n++] = PL_SOF;
				batch[n++] = op;
				batch[n++] = seq;
				pl_put16(batch + n, len);
				n += 2;
				q[nq++] = (pending){seq, op, F_LEN, len};
				oversize++;
				frames++;
				continue;
			}
			size_t len = fuzz_payload(&g, &op, p);
			size_t fl = pl_encode(op, seq, p, len, batch + n);
			if (k < 26) {	/* damage one bit outside SOF and length */
				size_t pos;
				do
					pos = 1 + rng_below(&g, (uint32_t)fl - 1);
				while (pos == 3 || pos == 4);
				batch[n + pos] ^= (uint8_t)(1u << rng_below(&g, 8));
				q[nq++] = (pending){batch[n + 2], batch[n + 1], F_CRC,
						    (uint16_t)len};
				corrupt++;
			} else {
				q[nq++] = (pending){seq, op, F_VALID, (uint16_t)len};
			}
			n += fl;
			frames++;
		}
		/* Feed the batch in random pieces. */
		for (size_t off = 0; off < n;) {
			size_t piece = rng_below(&g, 4) ? n - off
						       : 1 + rng_below(&g, (uint32_t)(n - off));
			pl_send(&l, batch + off, piece);
			off += piece;
		}
		/* Every frame got exactly one reply, in order. */
		size_t qi = 0;
		for (;;) {
			int got = pl_next(&l, &r.f);
			if (got == 0)
				break;
			if (!th_expect(got > 0, "fuzz batch %u: %s", batches, l.why)) {
				good = false;
				break;
			}
			if (!th_expect(qi < nq, "fuzz batch %u: frame op 0x%02X seq %u after "
				       "all %zu requests were answered", batches, r.f.op,
				       r.f.seq, nq)) {
				good = false;
				break;
			}
			pending *e = &q[qi];
			if (r.f.op == PL_OUTPUT) {
				good = th_expect(e->kind == F_VALID && e->op == PL_STEP &&
						 r.f.seq == e->seq && r.f.len >= 4 &&
						 r.f.len <= 4 + 4 * 255 && r.f.len % 4 == 0,
						 "fuzz batch %u: OUTPUT frame seq %u len %u while "
						 "waiting for op 0x%02X seq %u (kind %u)", batches,
						 r.f.seq, r.f.len, e->op, e->seq, e->kind);
				outputs++;
				if (!good)
					break;
				continue;
			}
			char why[256] = "";
			bool isok = r.f.seq == e->seq;
			if (isok && r.f.op == PL_ERROR) {
				isok = pl_decode_error(&r.f, &r, why, sizeof why) &&
				       r.errop == e->op;
				if (isok && e->kind == F_CRC)
					isok = r.code == PL_E_CRC;
				else if (isok && e->kind == F_LEN)
					isok = r.code == PL_E_LENGTH;	/* detail: length_bad */
				else if (isok)
					isok = known_op(e->op)
						? r.code >= PL_E_LENGTH && r.code <= PL_E_OVERFLOW &&
						  r.code != PL_E_OPCODE
						: r.code == PL_E_OPCODE;
				if (r.code < 8)
					counts[r.code]++;
			} else if (isok) {
				isok = e->kind == F_VALID && known_op(e->op) &&
				       r.f.op == (e->op | 0x80);
				if (isok && e->op == PL_ECHO)
					isok = r.f.len == e->len;
				if (isok && e->op == PL_STEP)
					steps_run++;
				counts[0]++;
			}
			good = th_expect(isok, "fuzz batch %u, request %zu (op 0x%02X seq %u "
					 "len %u kind %u): reply op 0x%02X seq %u len %u "
					 "code %u detail %u %s", batches, qi, e->op, e->seq,
					 e->len, e->kind, r.f.op, r.f.seq, r.f.len, r.code,
					 r.detail, why);
			if (!good)
				break;
			replies++;
			qi++;
		}
		if (good)
			good = th_expect(qi == nq && pl_pending(&l) == 0,
					 "fuzz batch %u: %zu replies for %zu requests, %zu "
					 "bytes left over", batches, qi, nq, pl_pending(&l));
		if (!good) {
			fprintf(stderr, "fuzz batch %u bytes (%zu):", batches, n);
			for (size_t i = 0; i < n && i < 400; i++)
				fprintf(stderr, " %02X", batch[i]);
			fprintf(stderr, "\n");
		}
	}
	th_expect(good && frames >= 20000, "fuzz: %u frames sent", frames);
	/* Did the fuzz reach the interesting places? */
	th_expect(counts[0] > 1000 && counts[PL_E_CRC] > 300 &&
		  counts[PL_E_LENGTH] > 300 && counts[PL_E_OPCODE] > 100 &&
		  counts[PL_E_ADDRESS] > 50 && counts[PL_E_ARG] > 50 &&
		  counts[PL_E_CONFIG] > 20 && steps_run > 50 && outputs > 50,
		  "fuzz coverage: %u normal replies, %u CRC, %u LENGTH, %u OPCODE, %u "
		  "ADDRESS, %u ARG, %u CONFIG errors, %u STEPs, %u OUTPUT frames",
		  counts[0], counts[PL_E_CRC], counts[PL_E_LENGTH], counts[PL_E_OPCODE],
		  counts[PL_E_ADDRESS], counts[PL_E_ARG], counts[PL_E_CONFIG],
		  steps_run, outputs);
	if (getenv("SNN_TEST_VERBOSE"))
		printf("fuzz: %u frames in %u batches (%u damaged, %u over-long "
		       "headers), %u noise runs, %u replies, %u OUTPUT frames; %u "
		       "normal, ERROR: %u CRC %u LENGTH %u OPCODE %u ADDRESS %u ARG "
		       "%u CONFIG %u OVERFLOW; %u STEPs\n", frames, batches, corrupt,
		       oversize, noise, replies, outputs, counts[0], counts[1],
		       counts[2], counts[3], counts[4], counts[5], counts[6],
		       counts[7], steps_run);
	/* Still alive and in step. */
	expect_ok(pl_echo(&l, "alive", 5, &r), &l, &r, "ECHO after the fuzz");
	expect_ok(pl_identify(&l, &r), &l, &r, "IDENTIFY after the fuzz");
	uint64_t c[PL_C_COUNT];
	if (expect_ok(pl_counters(&l, c, &r), &l, &r, "COUNTERS after the fuzz"))
		th_expect(c[PL_C_FRAME_ERRORS] > 0, "frame_errors counted during fuzz");
	pl_close(&l);
	snn_config_free(&cfg);
}

/* The engine's watchdog (docs/rtl.md), on the iCEBreaker engine device (the
 * models' watchdog is 2^20 cycles): a core whose 2,048 neurons all spike in
 * the first step and route into its own 1,024 axons, eight times over, asks
 * for 16 M synaptic operations in the second: 2 M lines of eight, more
 * cycles than the watchdog allows. That STEP is answered ERROR CONFIG
 * 3, later ones CONFIG 2, until a configuration is loaded and reset. The
 * configuration is written word by word: it passes the RTL's RESET checks,
 * not the full validation (SYN_COUNT is not N_AXONS x N_NEURONS). */
static void test_watchdog(void)
{
#if defined PL_RTL && !defined PL_LEAN
	th_case("watchdog");
	const snn_profile *ib = snn_profile_find("icebreaker");
	pl_link l;
	pl_reply r;
	uint32_t rep[3];
	if (!th_expect(ib != NULL, "no icebreaker profile"))
		return;
	int rc = pl_open(&l, &ib->geo, 0x5EED1234u);
	if (!th_expect(rc == 0 && l.dev, "no RTL device for the icebreaker profile (%d)", rc))
		return;
	const uint32_t global[SNN_G_REGS] = {1, 1, 1, 1, 0};
	snn_core_cfg core;
	memset(&core, 0, sizeof core);
	uint32_t *reg = core.reg;
	dense(&core, 0, 2048, 1024, 1024, 1, 1, 1, 0, 0, 0, 100, 8);
	reg[SNN_R_SYN_COUNT] = 0;
	snn_route self;
	uint32_t route[8 * 4];
	set_route(&self, 0, 0, 1024, 0, 0, 0);
	for (unsigned i = 0; i < 8; i++)
		route_words(&self, &route[4 * i]);
	bool ok = expect_ok(pl_reset(&l, 2, &r), &l, &r, "RESET 2") &&
		  expect_ok(pl_write(&l, SNN_REGION_GLOBAL, 0, 0, global, SNN_G_REGS, &r), &l, &r,
			    "GLOBAL") &&
		  expect_ok(pl_write(&l, SNN_REGION_CORE, 0, 0, reg, SNN_CORE_REGS, &r), &l, &r,
			    "core 0") &&
		  expect_ok(pl_write(&l, SNN_REGION_ROUTE, 0, 0, route, 8 * 4, &r), &l, &r, "routes") &&
		  expect_ok(pl_reset(&l, 0, &r), &l, &r, "RESET 0") &&
		  expect_ok(pl_step(&l, 1, rep, &r), &l, &r, "step 0: every neuron spikes");
	if (ok) {
		expect_err(pl_step(&l, 1, rep, &r), &l, &r, PL_E_CONFIG, 3,
			   "step 1: 16 M synaptic operations against a 1 M-cycle watchdog");
		expect_err(pl_step(&l, 1, rep, &r), &l, &r, PL_E_CONFIG, 2, "the STEP after it");
		expect_err(pl_reset(&l, 0, &r) == 0 ? pl_step(&l, 1, rep, &r) : -1, &l, &r,
			   PL_E_CONFIG, 2, "STEP after RESET 0 without a new configuration");
		reg[SNN_R_ROUTE_COUNT] = 0;	/* no route back: a short step */
		const uint32_t zero4[4] = {0};
		expect_ok(pl_write(&l, SNN_REGION_CORE, 0, 0, reg, SNN_CORE_REGS, &r), &l, &r,
			  "core 0 without its route");
		expect_ok(pl_write(&l, SNN_REGION_ROUTE, 0, 0, zero4, 4, &r), &l, &r, "route zeroed");
		expect_ok(pl_reset(&l, 0, &r), &l, &r, "RESET 0 of the new configuration");
		expect_ok(pl_step(&l, 2, rep, &r), &l, &r, "two steps of the new configuration");
	}
	pl_close(&l);
#endif
}

/* Protocol 3 on a geometry with budgets (docs/host-protocol.md, "Address"):
 * two cores of the iCEBreaker profile loaded with each core's BIAS,
 * SYNAPSE, ROUTE words at its base plus the word's index, exactly the words
 * in use; the weights read back from there; an index past the synapse
 * memory refused; one below core 1's base refused by the golden device (it
 * maps back by core 1's registers) and read from core 0's words by the
 * engine (which ignores the core); then steps and every neuron's state
 * equal to the golden simulator's. */
static void test_shared_addresses(void)
{
#ifndef PL_LEAN
	th_case("shared_addresses");
	const snn_profile *ib = snn_profile_find("icebreaker");
	if (!th_expect(ib != NULL, "no icebreaker profile"))
		return;
	pair p;
	memset(&p, 0, sizeof p);
	pl_reply r;
	snn_diag d = {{0}};
	snn_config *cfg = &p.cfg;
	if (!th_expect(snn_config_init(cfg, &ib->geo, &d) == 0, "snn_config_init: %s", d.msg))
		return;
	rng g = {77};
	cfg->global[SNN_G_N_CORES] = 2;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 4;
	cfg->global[SNN_G_INPUT_W] = 4;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	set_route(&cfg->input_route[0], 0, 0, 16, 0, 0, 0);
	snn_core_cfg *c0 = &cfg->core[0], *c1 = &cfg->core[1];
	dense(c0, 0, 16, 16, 1, 4, 4, 40, 16, SNN_RESET_SUBTRACT, 1, 0, 2);
	fill(c0, &g, -20, 60, -2, 5);
	set_route(&c0->route[0], 1, 0, 16, 0, 0, 0);
	set_route(&c0->route[1], SNN_ROUTE_HOST, 0, 8, 0, 0, 0);
	dense(c1, 1, 8, 16, 16, 1, 1, 30, 0, SNN_RESET_SUBTRACT, 0, 0, 1);
	fill(c1, &g, -10, 40, -3, 12);
	set_route(&c1->route[0], SNN_ROUTE_HOST, 0, 8, 0, 0, 0);
	snn_config_pack_bases(cfg);
	uint32_t syn1 = (uint32_t)snn_region_base(&cfg->geo, c1->reg, SNN_REGION_SYNAPSE);
	bool ok = th_expect(snn_config_validate(cfg, &d) == 0, "test network is valid: %s", d.msg) &&
		  th_expect(syn1 > 0, "core 1's weights at the pool's start") && open_dev(&p.l, &ib->geo);
	ok = ok && expect_ok(pl_reset(&p.l, SNN_RESET_ALL, &r), &p.l, &r, "RESET 2") &&
	     expect_ok(pl_write(&p.l, SNN_REGION_GLOBAL, 0, 0, cfg->global, SNN_G_REGS, &r), &p.l, &r,
		       "GLOBAL");
	uint32_t w[256], back[256];
	for (unsigned c = 0; ok && c < 2; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		uint32_t n = k->reg[SNN_R_N_NEURONS], ns = k->reg[SNN_R_SYN_COUNT];
		uint32_t nr = k->reg[SNN_R_ROUTE_COUNT];
		uint64_t b[SNN_REGION_COUNT];
		for (unsigned q = 0; q < SNN_REGION_COUNT; q++)
			b[q] = snn_region_base(&cfg->geo, k->reg, q);
		ok = expect_ok(pl_write(&p.l, SNN_REGION_CORE, c, 0, k->reg, SNN_CORE_REGS, &r), &p.l, &r,
			       "CORE");
		for (uint32_t i = 0; i < n; i++)
			w[i] = (uint32_t)k->bias[i];
		ok = ok && expect_ok(pl_write_all(&p.l, SNN_REGION_BIAS, c, (uint32_t)b[SNN_REGION_BIAS],
						  w, n, &r), &p.l, &r, "BIAS at the core's neuron lines");
		for (uint32_t i = 0; i < ns; i++)
			w[i] = (uint32_t)(int32_t)k->syn[i];
		ok = ok && expect_ok(pl_write_all(&p.l, SNN_REGION_SYNAPSE, c,
						  (uint32_t)b[SNN_REGION_SYNAPSE], w, ns, &r),
				     &p.l, &r, "SYNAPSE at SYN_BASE");
		ok = ok && expect_ok(pl_read_all(&p.l, SNN_REGION_SYNAPSE, c,
						 (uint32_t)b[SNN_REGION_SYNAPSE], ns, back, &r),
				     &p.l, &r, "SYNAPSE read back") &&
		     th_expect(memcmp(w, back, ns * sizeof *w) == 0, "core %u's weights read back differ", c);
		for (uint32_t i = 0; i < nr; i++)
			route_words(&k->route[i], w + 4 * i);
		ok = ok && expect_ok(pl_write(&p.l, SNN_REGION_ROUTE, c, (uint32_t)b[SNN_REGION_ROUTE], w,
					      4 * nr, &r), &p.l, &r, "ROUTE at 4 x ROUTE_BASE");
	}
	route_words(&cfg->input_route[0], w);
	ok = ok && expect_ok(pl_write(&p.l, SNN_REGION_INPUT_ROUTE, 0, 0, w, 4, &r), &p.l, &r,
			     "INPUT_ROUTE");
	if (ok) {
		expect_err(pl_read(&p.l, SNN_REGION_SYNAPSE, 1, ib->geo.synapse_total, 1, NULL, &r), &p.l,
			   &r, PL_E_ADDRESS, 0, "SYNAPSE word past the synapse memory");
		if (pl_device_kind == 1)
			expect_err(pl_read(&p.l, SNN_REGION_SYNAPSE, 1, syn1 - 1, 1, NULL, &r), &p.l, &r,
				   PL_E_ADDRESS, 0, "core 1's SYNAPSE below its SYN_BASE");
		else if (expect_ok(pl_read(&p.l, SNN_REGION_SYNAPSE, 1, 0, 1, back, &r), &p.l, &r,
				   "an engine reads pool byte 0 whatever the core"))
			th_expect(back[0] == (uint32_t)(int32_t)c0->syn[0],
				  "pool byte 0: 0x%08x, core 0's first weight %d", back[0], c0->syn[0]);
	}
	ok = ok && expect_ok(pl_reset(&p.l, SNN_RESET_COUNTERS, &r), &p.l, &r, "RESET 1") &&
	     th_expect(snn_sim_create(cfg, &p.sim, &d) == 0, "snn_sim_create: %s", d.msg);
	for (unsigned round = 0; ok && round < 4; round++) {
		uint32_t in[N_INPUTS];
		size_t nin = gen_inputs(&g, in, 60);
		char what[40];
		snprintf(what, sizeof what, "round %u", round);
		ok = pair_run(&p, in, nin, 3, what) && check_state(&p, what);
	}
	pair_close(&p);
#endif
}

int main(void)
{
	test_constants();
	test_identify();
	test_echo();
	test_echo_length_bad();
	test_garbage_skipped();
	test_byte_by_byte();
	test_pipelined();
	test_crc_bad();
	test_crc_skip();
	test_opcode_bad();
	test_length_bad();
	test_memory();
	test_reset_rules();
	test_run_vs_sim();
	test_pixels_run();
	test_input();
	test_state_write();
	test_frame_errors();
	test_seq_errors();
	test_fuzz();
	test_watchdog();
	test_shared_addresses();
	th_case("output_valid_ready");
	th_expect(pl_violations == 0, "device output broke the valid/ready rule "
		  "(byte withdrawn or changed before taken) in %llu cycles", pl_violations);
	return th_done(pl_device_kind == 1 ? "test_protocol"
		       : pl_device_kind == 2 ? "test_rtl_protocol" : "test_rtl_protocol_lean");
}
