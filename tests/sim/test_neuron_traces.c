/* Hand-computed neuron traces (docs/neuron-model.md), worked out on paper
 * and written down as literals. Each trace drives both snn_neuron_step()
 * (include/snn/neuron.h) and a one-core golden simulator built through
 * snn_config (input tensor 1x1x8 -> one input route -> dense core of one
 * neuron and 8 axons -> host route), so the arithmetic and the plumbing
 * (registers, bias, synapses, routes, callbacks, state) are both checked. */
#include <stdio.h>
#include <string.h>
#include "../harness.h"
#include "snn/config.h"
#include "snn/neuron.h"
#include "snn/sim.h"

#define MAXS 20
#define AXONS 8

typedef struct trace {
	const char *name;
	uint32_t wbits, mbits, bbits;	/* geometry widths */
	int32_t threshold;
	uint32_t leak, reset, refractory;
	bool spiking;
	int32_t v_init, bias;
	int16_t w[AXONS];	/* weight of axon (= input index) 0..7 */
	unsigned steps;
	/* per step: the input indices as digits (each at most once a step),
	 * then the expected accumulator, membrane, refractory counter, spike */
	const char *in[MAXS];
	int64_t a[MAXS];
	int32_t v[MAXS];
	uint32_t r[MAXS];
	uint8_t spike[MAXS];
} trace;

/* VMAX/VMIN of a 31-bit membrane: 2^30 - 1 and -2^30. */
#define V31MAX 1073741823
#define V31MIN (-1073741824)

static const trace traces[] = {
	/* IF, reset to zero. theta 100, w = {60, 45, -30}.
	 * s0: 0+60=60; s1: 60+60=120 >= 100 fire, v=0; s2: 0+45=45;
	 * s3: a=45-30=15, 45+15=60; s4: a=60+45=105, 60+105=165 fire, v=0 (the
	 * residue 65 is thrown away); s5: 0; s6: -30; s7: -30+105=75;
	 * s8: 75+60=135 fire, v=0. */
	{.name = "IF reset-to-zero", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 100, .leak = 0, .reset = SNN_RESET_ZERO, .refractory = 0,
	 .spiking = true, .v_init = 0, .bias = 0, .w = {60, 45, -30}, .steps = 9,
	 .in = {"0", "0", "1", "12", "01", "", "2", "01", "0"},
	 .a = {60, 60, 45, 15, 105, 0, -30, 105, 60},
	 .v = {60, 0, 45, 60, 0, 0, -30, 75, 0},
	 .spike = {0, 1, 0, 0, 1, 0, 0, 0, 1}},

	/* IF, reset by subtraction, an input far above threshold.
	 * theta 100, w = 127 on axons 0..2.
	 * s0: a=381, v=381 fire, v=281; s1: 281 fire, 181; s2: 181 fire, 81;
	 * s3: 81 (no fire); s4: 81+127=208 fire, 108; s5: 108 fire, 8; s6: 8. */
	{.name = "IF subtract, consecutive spikes", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 100, .reset = SNN_RESET_SUBTRACT, .spiking = true,
	 .w = {127, 127, 127}, .steps = 7,
	 .in = {"012", "", "", "", "0", "", ""},
	 .a = {381, 0, 0, 0, 127, 0, 0},
	 .v = {281, 181, 81, 81, 108, 8, 8},
	 .spike = {1, 1, 1, 0, 1, 1, 0}},

	/* LIF, L = 128 (v loses floor(v/2)), v0 = 100, w0 = -60, theta 1000.
	 * s0: 100 - floor(12800/256 = 50) = 50;  s1: 50 - 25 = 25;
	 * s2: 25 - floor(12.5) = 25-12 = 13;    s3: 13 - floor(6.5) = 7;
	 * s4: 7 - floor(3.5) = 4;  s5: 4 - 2 = 2;  s6: 2 - 1 = 1;
	 * s7: 1 - floor(0.5) = 1 (positive v*L < 256: no further decay);
	 * s8: 1 - 0 - 60 = -59;
	 * s9: -59 - floor(-29.5 -> -30) = -29;  s10: -29 - floor(-14.5 -> -15) = -14;
	 * s11: -14 - (-7) = -7;  s12: -7 - floor(-3.5 -> -4) = -3;
	 * s13: -3 - floor(-1.5 -> -2) = -1;  s14: -1 - floor(-0.5 -> -1) = 0;
	 * s15: 0. */
	{.name = "LIF L=128 floor, positive and negative", .wbits = 8, .mbits = 16,
	 .bbits = 12, .threshold = 1000, .leak = 128, .reset = SNN_RESET_ZERO,
	 .spiking = true, .v_init = 100, .w = {-60}, .steps = 16,
	 .in = {"", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", ""},
	 .a = {0, 0, 0, 0, 0, 0, 0, 0, -60, 0, 0, 0, 0, 0, 0, 0},
	 .v = {50, 25, 13, 7, 4, 2, 1, 1, -59, -29, -14, -7, -3, -1, 0, 0}},

	/* LIF, L = 255, v0 = 1000, w0 = -127, theta 2000.
	 * s0: 1000 - floor(255000/256 = 996.09) = 4;  s1: 4 - floor(1020/256 = 3.98) = 1;
	 * s2: 1 - floor(255/256) = 1;
	 * s3: events on axons 0..7, all -127, a = -1016: 1 - 0 - 1016 = -1015;
	 * s4: -1015 - floor(-258825/256 = -1011.04 -> -1012) = -3;
	 * s5: -3 - floor(-765/256 = -2.99 -> -3) = 0. */
	{.name = "LIF L=255 floor", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 2000, .leak = 255, .reset = SNN_RESET_ZERO, .spiking = true,
	 .v_init = 1000, .w = {-127, -127, -127, -127, -127, -127, -127, -127}, .steps = 6,
	 .in = {"", "", "", "01234567", "", ""},
	 .a = {0, 0, 0, -1016, 0, 0},
	 .v = {4, 1, 1, -1015, -3, 0}},

	/* Refractory R = 3, subtract, theta 50, bias 5, w0 = 60, input every step.
	 * s0: 0+60+5 = 65 fire, v=15, r=3; s1..s3: r 2,1,0, v held at 15, input
	 * and bias discarded; s4: 15+65 = 80 fire, v=30, r=3; s5..s7: r 2,1,0;
	 * s8: 30+65 = 95 fire, v=45, r=3; s9: r=2. */
	{.name = "refractory period", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 50, .reset = SNN_RESET_SUBTRACT, .refractory = 3, .spiking = true,
	 .bias = 5, .w = {60}, .steps = 10,
	 .in = {"0", "0", "0", "0", "0", "0", "0", "0", "0", "0"},
	 .a = {60, 60, 60, 60, 60, 60, 60, 60, 60, 60},
	 .v = {15, 15, 15, 15, 30, 30, 30, 30, 45, 45},
	 .r = {3, 2, 1, 0, 3, 2, 1, 0, 3, 2},
	 .spike = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0}},

	/* Saturation with an 8-bit membrane: VMAX 127, VMIN -128. theta 127,
	 * subtract, w = {100, -128, -128}.
	 * s0: 100; s1: 200 -> 127 (saturate first), fire, 127-127 = 0 (the
	 * residue 73 is lost to saturation); s2: -256 -> -128; s3: -128-128 =
	 * -256 -> -128; s4: -128+100 = -28; s5: 72; s6: 172 -> 127 fire, 0. */
	{.name = "saturation at VMAX and VMIN", .wbits = 8, .mbits = 8, .bbits = 8,
	 .threshold = 127, .reset = SNN_RESET_SUBTRACT, .spiking = true,
	 .w = {100, -128, -128}, .steps = 7,
	 .in = {"0", "0", "12", "1", "0", "0", "0"},
	 .a = {100, 100, -256, -128, 100, 100, 100},
	 .v = {100, 0, -128, -128, -28, 72, 0},
	 .spike = {0, 1, 0, 0, 0, 0, 1}},

	/* Non-spiking neuron, 8-bit membrane, theta 10, bias 40, R = 5 (never
	 * used: it never fires), w = {50, -128}.
	 * s0: 0+40 = 40 (>= theta, no spike); s1: 40+50+40 = 130 -> 127;
	 * s2: 127+40 -> 127; s3: 127-128+40 = 39; s4: events on axons 1 and 2,
	 * 39-256+40 = -177 -> -128; s5: -128+40 = -88. */
	{.name = "non-spiking neuron", .wbits = 8, .mbits = 8, .bbits = 8,
	 .threshold = 10, .reset = SNN_RESET_ZERO, .refractory = 5, .spiking = false,
	 .bias = 40, .w = {50, -128, -128}, .steps = 6,
	 .in = {"", "0", "", "1", "12", ""},
	 .a = {0, 50, 0, -128, -256, 0},
	 .v = {40, 127, 127, 39, -128, -88}},

	/* Bias-only drive, theta 100, bias 30, v0 = -20, reset to zero.
	 * -20+30 = 10, 40, 70, 100 fire -> 0, 30, 60, 90, 120 fire -> 0, 30. */
	{.name = "bias-only drive", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 100, .reset = SNN_RESET_ZERO, .spiking = true, .v_init = -20,
	 .bias = 30, .steps = 9,
	 .in = {""},
	 .v = {10, 40, 70, 0, 30, 60, 90, 0, 30},
	 .spike = {0, 0, 0, 1, 0, 0, 0, 1, 0}},

	/* Bias-only LIF, L = 32 (v loses floor(v/8)), bias -7, v0 = 0.
	 * s0: -7;  s1: -7 - floor(-0.875 -> -1) - 7 = -13;
	 * s2: -13 - floor(-1.625 -> -2) - 7 = -18;  s3: -18 - floor(-2.25 -> -3) - 7 = -22;
	 * s4: -22 - floor(-2.75 -> -3) - 7 = -26;  s5: -26 - floor(-3.25 -> -4) - 7 = -29. */
	{.name = "bias-only LIF, negative", .wbits = 8, .mbits = 16, .bbits = 12,
	 .threshold = 100, .leak = 32, .reset = SNN_RESET_ZERO, .spiking = true,
	 .bias = -7, .steps = 6,
	 .in = {""},
	 .v = {-7, -13, -18, -22, -26, -29}},

	/* 31-bit membrane, non-spiking, v0 = VMAX = 2^30-1, bias = 2^30-1,
	 * w = {32767, -32768}: the sum leaves 32 bits before saturating.
	 * s0: a = 8*32767 = 262136, u = 1073741823 + 262136 + 1073741823 =
	 * 2147745782 > 2^31-1 -> VMAX; s1: a = -262144, u = 2147221502 -> VMAX. */
	{.name = "31-bit membrane, VMAX beyond 32 bits", .wbits = 16, .mbits = 31,
	 .bbits = 31, .threshold = V31MAX, .reset = SNN_RESET_ZERO, .spiking = false,
	 .v_init = V31MAX, .bias = V31MAX, .w = {32767, -32768}, .steps = 2,
	 .in = {"00000000", "11111111"},
	 .a = {262136, -262144},
	 .v = {V31MAX, V31MAX}},

	/* 31-bit membrane, L = 255, v0 = VMIN = -2^30, bias -2^30, w1 = -32768.
	 * s0: v*L = -2^30*255 (needs 64 bits), floor(/256) = -1069547520,
	 * u = -1073741824 + 1069547520 - 262144 - 1073741824 = -1078198272 -> VMIN;
	 * s1: u = -4194304 - 1073741824 = -1077936128 -> VMIN. */
	{.name = "31-bit membrane, leak and VMIN", .wbits = 16, .mbits = 31, .bbits = 31,
	 .threshold = 1, .leak = 255, .reset = SNN_RESET_ZERO, .spiking = true,
	 .v_init = V31MIN, .bias = V31MIN, .w = {0, -32768}, .steps = 2,
	 .in = {"11111111", ""},
	 .a = {-262144, 0},
	 .v = {V31MIN, V31MIN}},
};

static snn_neuron_params params_of(const trace *t)
{
	snn_neuron_params p = {
		.threshold = t->threshold,
		.leak = t->leak,
		.reset = t->reset,
		.refractory = t->refractory,
		.spiking = t->spiking,
		.vmax = (int32_t)((1u << (t->mbits - 1)) - 1u),
	};
	p.vmin = -p.vmax - 1;
	return p;
}

static int64_t accumulate(const trace *t, unsigned s)
{
	int64_t a = 0;
	const char *in = s < MAXS && t->in[s] ? t->in[s] : "";
	for (const char *c = in; *c; c++)
		a += t->w[*c - '0'];
	return a;
}

static void run_neuron_step(const trace *t)
{
	th_case("%s: snn_neuron_step", t->name);
	snn_neuron_params p = params_of(t);
	int32_t v = t->v_init;
	uint32_t r = 0;
	for (unsigned s = 0; s < t->steps; s++) {
		int64_t a = accumulate(t, s);
		/* the literal accumulators are part of the hand computation */
		if (!th_expect(a == t->a[s], "step %u: literal a=%lld, weights give %lld", s,
			       (long long)t->a[s], (long long)a))
			return;
		bool fired = snn_neuron_step(&p, &v, &r, a + t->bias);
		if (!th_expect(fired == (t->spike[s] != 0) && v == t->v[s] && r == t->r[s],
			       "step %u: expected spike %d v %d r %u, got spike %d v %d r %u", s,
			       t->spike[s], t->v[s], t->r[s], fired, v, r))
			return;
	}
}

typedef struct seen {
	unsigned spikes, outputs;
	bool bad;
	uint32_t want_step;
} seen;

static void on_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	seen *s = ctx;
	s->spikes++;
	if (step != s->want_step || core != 0 || neuron != 0)
		s->bad = true;
}

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	seen *s = ctx;
	s->outputs++;
	if (step != s->want_step || core != 0 || neuron != 0)
		s->bad = true;
}

static int build_config(const trace *t, snn_config *cfg, snn_diag *d)
{
	snn_geometry geo = {.n_cores = 1, .neurons_per_core = 1, .axons_per_core = AXONS,
			    .synapse_words = AXONS, .weight_bits = t->wbits,
			    .membrane_bits = t->mbits, .bias_bits = t->bbits,
			    .routes_per_core = 2, .input_routes = 1, .max_phases = 1};
	int rc = snn_config_init(cfg, &geo, d);
	if (rc)
		return rc;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 1;
	cfg->global[SNN_G_INPUT_W] = AXONS;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = AXONS};
	uint32_t *r = cfg->core[0].reg;
	r[SNN_R_MODE] = SNN_MODE_DENSE;
	r[SNN_R_N_NEURONS] = 1;
	r[SNN_R_N_AXONS] = AXONS;
	r[SNN_R_THRESHOLD] = (uint32_t)t->threshold;
	r[SNN_R_LEAK] = t->leak;
	r[SNN_R_RESET] = t->reset;
	r[SNN_R_REFRACTORY] = t->refractory;
	r[SNN_R_V_INIT] = (uint32_t)t->v_init;
	r[SNN_R_FLAGS] = t->spiking ? SNN_F_SPIKING : 0;
	r[SNN_R_IN_C] = 1;
	r[SNN_R_IN_H] = 1;
	r[SNN_R_IN_W] = AXONS;
	r[SNN_R_SYN_COUNT] = AXONS;
	r[SNN_R_ROUTE_COUNT] = 1;
	for (unsigned a = 0; a < AXONS; a++)
		cfg->core[0].syn[a] = t->w[a];
	cfg->core[0].bias[0] = t->bias;
	cfg->core[0].route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = 1};
	return snn_config_validate(cfg, d);
}

static void run_sim(const trace *t)
{
	th_case("%s: golden simulator", t->name);
	snn_config cfg = {0};
	snn_diag d = {{0}};
	int rc = build_config(t, &cfg, &d);
	if (!th_expect(rc == 0, "config rejected: %s", d.msg)) {
		snn_config_free(&cfg);
		return;
	}
	snn_neuron_params want = params_of(t), got = snn_config_neuron_params(&cfg, 0);
	th_expect(got.threshold == want.threshold && got.leak == want.leak &&
			  got.reset == want.reset && got.refractory == want.refractory &&
			  got.spiking == want.spiking && got.vmin == want.vmin &&
			  got.vmax == want.vmax,
		  "snn_config_neuron_params differs from the registers");
	snn_sim *sim = NULL;
	rc = snn_sim_create(&cfg, &sim, &d);
	snn_config_free(&cfg);
	if (!th_expect(rc == 0, "snn_sim_create: %s", d.msg))
		return;
	/* Run the trace twice: the second time after a reset, which must bring
	 * back v0 and r = 0 whatever state the first run left. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			snn_sim_reset(sim);
		int32_t v;
		uint32_t r;
		rc = snn_sim_get_state(sim, 0, 0, &v, &r);
		if (!th_expect(rc == 0 && v == t->v_init && r == 0,
			       "pass %d: state after reset v %d r %u, expected v %d r 0", pass,
			       v, r, t->v_init))
			break;
		bool ok = true;
		for (unsigned s = 0; s < t->steps && ok; s++) {
			const char *in = s < MAXS && t->in[s] ? t->in[s] : "";
			for (const char *c = in; *c; c++)
				snn_sim_input(sim, (uint32_t)(*c - '0'));
			seen sn = {.want_step = s};
			snn_sim_step(sim, on_output, on_spike, &sn);
			rc = snn_sim_get_state(sim, 0, 0, &v, &r);
			ok = th_expect(rc == 0 && !sn.bad && sn.spikes == t->spike[s] &&
					       sn.outputs == t->spike[s] && v == t->v[s] &&
					       r == t->r[s],
				       "pass %d step %u: expected spike %d v %d r %u, got %u "
				       "spikes, %u outputs%s, v %d r %u",
				       pass, s, t->spike[s], t->v[s], t->r[s], sn.spikes,
				       sn.outputs, sn.bad ? " (wrong step/core/neuron)" : "", v, r);
		}
		if (!ok)
			break;
	}
	snn_sim_free(sim);
}

/* A refractory counter written through STATE on a core with no leak and
 * no refractory period still counts down (docs/neuron-model.md, step 1):
 * IF, theta 100, input 127 (axon 0) every step, r written as 3. By hand:
 * s0..s2 refractory (r 2, 1, 0; v held at 0, input discarded), s3 fires
 * (127 >= 100, reset to zero). The RTL co-simulation found the golden
 * model's fast path for such cores skipping the count. */
static void test_written_refractory(void)
{
	th_case("written refractory counter on an IF core without refractory period");
	trace t = {.name = "written r", .wbits = 8, .mbits = 16, .bbits = 12,
		   .threshold = 100, .spiking = true, .w = {127}};
	snn_config cfg = {0};
	snn_diag d = {{0}};
	snn_sim *sim = NULL;
	if (!th_expect(build_config(&t, &cfg, &d) == 0 && snn_sim_create(&cfg, &sim, &d) == 0,
		       "config: %s", d.msg)) {
		snn_config_free(&cfg);
		return;
	}
	snn_config_free(&cfg);
	th_expect(snn_sim_set_state(sim, 0, 0, 0, 3) == 0, "STATE write refused");
	static const uint32_t want_r[4] = {2, 1, 0, 0};
	static const unsigned want_spikes[4] = {0, 0, 0, 1};
	for (unsigned s = 0; s < 4; s++) {
		snn_sim_input(sim, 0);
		seen sn = {.want_step = s};
		snn_sim_step(sim, on_output, on_spike, &sn);
		int32_t v;
		uint32_t r;
		snn_sim_get_state(sim, 0, 0, &v, &r);
		th_expect(sn.spikes == want_spikes[s] && r == want_r[s] && v == 0,
			  "step %u: expected %u spikes, v 0, r %u; got %u spikes, v %d, r %u", s,
			  want_spikes[s], want_r[s], sn.spikes, v, r);
	}
	snn_sim_free(sim);
}

/* Many events a step on one dense core: 4 input routes send each of 256
 * inputs to the same axon, so a step can bring 1024 weight rows. Neuron 0
 * has every weight 127, neuron 1 every weight -128, neuron 2 every weight
 * -1 (IF, theta 150000, reset by subtraction; 20-bit membrane, no
 * saturation). By hand, with all 256 inputs in step 0, inputs 0..99 in
 * step 1 and input 7 in step 2 (E = 1024, 400, 4 events):
 *   v0: 127 E = 130048; + 50800 = 180848 fires, 30848; + 508 = 31356
 *   v1 = -128 E cumulated: -131072, -182272, -182784
 *   v2 = -E cumulated: -1024, -1424, -1428
 * Sums this large overflow any 16-bit accumulator: the golden simulator's
 * narrow row adds must move them to 32 bits in time. */
#define MANY_AXONS 256u
#define MANY_ROUTES 4u

static void count_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	unsigned *per_neuron = ctx;
	if (core == 0 && neuron < 3)
		per_neuron[neuron]++;
}

static void test_many_events(void)
{
	th_case("1024 events a step on one dense core: sums beyond 16 bits");
	snn_geometry geo = {.n_cores = 1, .neurons_per_core = 3, .axons_per_core = MANY_AXONS,
			    .synapse_words = 3 * MANY_AXONS, .weight_bits = 8,
			    .membrane_bits = 20, .bias_bits = 12, .routes_per_core = 1,
			    .input_routes = MANY_ROUTES, .max_phases = 1};
	snn_config cfg = {0};
	snn_diag d = {{0}};
	snn_sim *sim = NULL;
	int rc = snn_config_init(&cfg, &geo, &d);
	if (rc == 0) {
		cfg.global[SNN_G_N_CORES] = 1;
		cfg.global[SNN_G_INPUT_C] = MANY_AXONS;
		cfg.global[SNN_G_INPUT_H] = 1;
		cfg.global[SNN_G_INPUT_W] = 1;
		cfg.global[SNN_G_INPUT_ROUTES] = MANY_ROUTES;
		for (unsigned i = 0; i < MANY_ROUTES; i++)
			cfg.input_route[i] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = MANY_AXONS};
		uint32_t *r = cfg.core[0].reg;
		r[SNN_R_MODE] = SNN_MODE_DENSE;
		r[SNN_R_N_NEURONS] = 3;
		r[SNN_R_N_AXONS] = MANY_AXONS;
		r[SNN_R_THRESHOLD] = 150000;
		r[SNN_R_RESET] = SNN_RESET_SUBTRACT;
		r[SNN_R_FLAGS] = SNN_F_SPIKING;
		r[SNN_R_IN_C] = MANY_AXONS;
		r[SNN_R_IN_H] = 1;
		r[SNN_R_IN_W] = 1;
		r[SNN_R_SYN_COUNT] = 3 * MANY_AXONS;
		for (unsigned a = 0; a < MANY_AXONS; a++) {
			cfg.core[0].syn[3 * a + 0] = 127;
			cfg.core[0].syn[3 * a + 1] = -128;
			cfg.core[0].syn[3 * a + 2] = -1;
		}
		rc = snn_config_validate(&cfg, &d);
	}
	if (rc == 0)
		rc = snn_sim_create(&cfg, &sim, &d);
	snn_config_free(&cfg);
	if (!th_expect(rc == 0, "config: %s", d.msg))
		return;
	static const unsigned inputs[3] = {MANY_AXONS, 100, 1};
	static const int32_t want_v[3][3] = {
		{130048, -131072, -1024}, {30848, -182272, -1424}, {31356, -182784, -1428}};
	for (unsigned s = 0; s < 3; s++) {
		for (unsigned q = 0; q < inputs[s]; q++)
			snn_sim_input(sim, s == 2 ? 7 : q);
		unsigned spikes[3] = {0};
		snn_sim_step(sim, NULL, count_spike, spikes);
		for (unsigned n = 0; n < 3; n++) {
			int32_t v;
			uint32_t ref;
			snn_sim_get_state(sim, 0, n, &v, &ref);
			unsigned want_spikes = s == 1 && n == 0;
			th_expect(v == want_v[s][n] && spikes[n] == want_spikes,
				  "step %u neuron %u: expected v %d and %u spikes, got v %d and %u",
				  s, n, want_v[s][n], want_spikes, v, spikes[n]);
		}
	}
	snn_sim_free(sim);
}

int main(void)
{
	test_written_refractory();
	test_many_events();
	for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		run_neuron_step(&traces[i]);
		run_sim(&traces[i]);
	}
	return th_done("test_neuron_traces");
}
