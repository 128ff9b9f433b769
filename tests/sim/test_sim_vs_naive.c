/* Cross-check of the golden simulator (sim/) against the naive reference
 * simulator (tests/sim/naive_sim.c) on random valid networks
 * (tests/sim/random_net.c) driven by random input spike trains. Every step
 * compares the set of spiking neurons, the host output events, the state
 * (v, r) of every neuron and the counters; each run has a mid-run reset.
 *
 * The seeds run once for every vector kernel variant this CPU has
 * (sim/kernels.h), or only for the one SNN_SIM_KERNELS names, and each
 * time three times: with conv cores planned (events counted per input cell,
 * taps added when the core runs; direct cores with narrow kernel rows by
 * input row masks, at any stride; one-event cores' positions sorted by
 * shape and channels, alike runs added with their sums in registers; cores
 * fed by one conv core listed in its spike order), with
 * SNN_SIM_CONV=positions (planned, but every core's positions added by
 * add_positions in the order they came, no masks, no lists in a source's
 * order) and with SNN_SIM_CONV=taps
 * (each event's taps added as it arrives), or only the way SNN_SIM_CONV
 * says. A fifth as many
 * seeds again draw conv layers of up to CONV_CHANNELS output channels, so
 * that the next layer's pooled positions get events on many channels in
 * one step (which the conv kernels add together), and most conv layers
 * split over cores split as the compiler does it (one phase, one set of
 * neuron parameters, the same routes in: the simulator runs such a layer
 * as one core).
 *
 * Environment: SNN_TEST_LONG=1 runs 10000 seeds instead of 1000;
 * SNN_TEST_SEEDS=n runs n seeds; SNN_TEST_SEED=s runs only seed s and dumps
 * its network (SNN_TEST_CHANNELS=n: drawn with up to n conv channels);
 * SNN_TEST_DUMP=1 dumps the network of every failing seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../../sim/kernels.h"
#include "naive_sim.h"
#include "random_net.h"
#include "snn/protocol.h"
#include "snn/sim.h"

#define CONV_CHANNELS 40

typedef struct ev {
	uint16_t core, neuron;
} ev;

typedef struct evlist {
	ev *e;
	size_t n, cap;
} evlist;

typedef struct collect {
	evlist spk, out;
	uint32_t want_step;	/* step index the callbacks must report */
	bool bad_step;
	uint32_t got_step;
} collect;

static void push(evlist *l, uint16_t core, uint16_t neuron)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		ev *e = realloc(l->e, cap * sizeof *e);
		if (!e) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (ev){core, neuron};
}

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	collect *c = ctx;
	if (step != c->want_step && !c->bad_step) {
		c->bad_step = true;
		c->got_step = step;
	}
	push(&c->out, core, neuron);
}

static void on_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	collect *c = ctx;
	if (step != c->want_step && !c->bad_step) {
		c->bad_step = true;
		c->got_step = step;
	}
	push(&c->spk, core, neuron);
}

static int ev_cmp(const void *a, const void *b)
{
	const ev *x = a, *y = b;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->neuron < y->neuron ? -1 : x->neuron > y->neuron;
}

/* What the random networks actually exercised, summed over all seeds. */
typedef struct coverage {
	uint64_t nets, wide_nets, steps, spikes, host_events, at_vmax, at_vmin,
		refractory, conv_cores, conv_if_cores, conv_pool_cores, conv_stride_cores, conv_skip_cores, conv_many_in_cores, conv_split_alike,
		conv_pad_cores, deconv_cores, deconv_stride_cores, dense_cores, silent_cores, idle_cores,
		dup_inputs, full_inputs, lif_cores, subtract_cores, recurrent_routes,
		delayed_ff, state_writes;
} coverage;

static coverage cov;

static const char *env(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? s : NULL;
}

/* The kernel variant under test, for messages. */
static const char *conv_name(void)
{
	return env("SNN_SIM_CONV") ? env("SNN_SIM_CONV") : "planned";
}

static const char *kernels_name(void)
{
	return env("SNN_SIM_KERNELS") ? env("SNN_SIM_KERNELS") : "best";
}

/* Random input indices for one step; at most chw of them. */
static size_t gen_inputs(rn_rng *r, uint32_t chw, unsigned density, uint32_t *buf,
			 bool *dup)
{
	size_t n = 0;
	unsigned mode = rn_below(r, 100);
	*dup = false;
	if (mode < 20) {
		return 0;
	} else if (mode < 55) {
		for (uint32_t q = 0; q < chw; q++)
			if (rn_below(r, 100) < density)
				buf[n++] = q;
	} else if (mode < 70) {
		for (uint32_t q = 0; q < chw; q++)
			buf[n++] = q;
	} else {	/* burst with duplicates, up to chw events */
		n = (size_t)rn_range(r, 1, chw);
		uint32_t hot = chw < 3 ? chw : 3;
		bool hotset = rn_chance(r, 50);
		for (size_t i = 0; i < n; i++)
			buf[i] = hotset && rn_chance(r, 70) ? rn_below(r, hot) : rn_below(r, chw);
		*dup = n >= 2;
	}
	if (rn_chance(r, 50))	/* arrival order must not matter */
		for (size_t i = n; i > 1; i--) {
			size_t j = rn_below(r, (uint32_t)i);
			uint32_t t = buf[i - 1];
			buf[i - 1] = buf[j];
			buf[j] = t;
		}
	return n;
}

typedef struct run {
	uint64_t seed;
	const snn_config *cfg;
	snn_sim *sim;
	naive_sim *ns;
	collect col;
	uint8_t *gspk;	/* golden spike flags, n_cores x neurons_per_core */
	uint32_t run_step;	/* steps since creation, for messages */
} run;

/* Compare one step's results; false (with a message) on the first
 * difference. */
static bool compare_step(run *R)
{
	const snn_config *cfg = R->cfg;
	const snn_geometry *geo = &cfg->geo;
	unsigned npc = geo->neurons_per_core;
	uint32_t t = R->run_step, sidx = naive_step_index(R->ns) - 1;
	collect *col = &R->col;
	if (!th_expect(!col->bad_step,
		       "seed %llu step %u: callback reported step %u, expected step %u",
		       (unsigned long long)R->seed, t, col->got_step, sidx))
		return false;
	/* spikes */
	memset(R->gspk, 0, (size_t)geo->n_cores * npc);
	for (size_t i = 0; i < col->spk.n; i++) {
		ev e = col->spk.e[i];
		if (!th_expect(naive_core_exists(R->ns, e.core) &&
				       e.neuron < naive_core_neurons(R->ns, e.core),
			       "seed %llu step %u: golden spike from nonexistent neuron %u.%u",
			       (unsigned long long)R->seed, t, e.core, e.neuron))
			return false;
		uint8_t *f = &R->gspk[(size_t)e.core * npc + e.neuron];
		if (!th_expect(!*f, "seed %llu step %u: golden reported spike %u.%u twice",
			       (unsigned long long)R->seed, t, e.core, e.neuron))
			return false;
		*f = 1;
	}
	int32_t vmax = (int32_t)(((int64_t)1 << (geo->membrane_bits - 1)) - 1);
	int32_t vmin = -vmax - 1;
	for (unsigned c = 0; c < geo->n_cores; c++) {
		unsigned n = naive_core_neurons(R->ns, c);
		for (unsigned k = 0; k < n; k++) {
			bool want = naive_spiked(R->ns, c, k);
			bool got = R->gspk[(size_t)c * npc + k] != 0;
			if (!th_expect(want == got,
				       "seed %llu step %u (since reset %u): neuron %u.%u spike "
				       "expected %d, golden %d",
				       (unsigned long long)R->seed, t, sidx, c, k, want, got))
				return false;
			int32_t wv, gv;
			uint32_t wr, gr;
			naive_state(R->ns, c, k, &wv, &wr);
			int rc = snn_sim_get_state(R->sim, c, k, &gv, &gr);
			if (!th_expect(rc == 0 && wv == gv && wr == gr,
				       "seed %llu step %u (since reset %u): neuron %u.%u state "
				       "expected v=%d r=%u, golden v=%d r=%u (rc %d)",
				       (unsigned long long)R->seed, t, sidx, c, k, wv, wr, gv, gr,
				       rc))
				return false;
			cov.at_vmax += wv == vmax;
			cov.at_vmin += wv == vmin;
			cov.refractory += wr > 0;
		}
	}
	cov.spikes += col->spk.n;
	/* host output events, as multisets (the order within a step is not
	 * part of the contract) */
	const uint16_t *oc, *on;
	size_t nout = naive_host_events(R->ns, &oc, &on);
	if (col->out.n > 1)
		qsort(col->out.e, col->out.n, sizeof *col->out.e, ev_cmp);
	if (!th_expect(nout == col->out.n,
		       "seed %llu step %u: %zu host events expected, golden sent %zu",
		       (unsigned long long)R->seed, t, nout, col->out.n))
		return false;
	for (size_t i = 0; i < nout; i++)
		if (!th_expect(oc[i] == col->out.e[i].core && on[i] == col->out.e[i].neuron,
			       "seed %llu step %u: host event %zu (sorted) expected %u.%u, "
			       "golden %u.%u",
			       (unsigned long long)R->seed, t, i, oc[i], on[i],
			       col->out.e[i].core, col->out.e[i].neuron))
			return false;
	cov.host_events += nout;
	/* counters (cumulative since creation; reset does not clear them) */
	const uint64_t *ctr = snn_sim_counters(R->sim);
	if (!th_expect(ctr[SNN_CTR_SYNOPS] == naive_synops(R->ns),
		       "seed %llu step %u: synops expected %llu, golden %llu",
		       (unsigned long long)R->seed, t,
		       (unsigned long long)naive_synops(R->ns),
		       (unsigned long long)ctr[SNN_CTR_SYNOPS]))
		return false;
	if (!th_expect(ctr[SNN_CTR_SPIKES] == naive_spikes(R->ns),
		       "seed %llu step %u: spike counter expected %llu, golden %llu",
		       (unsigned long long)R->seed, t,
		       (unsigned long long)naive_spikes(R->ns),
		       (unsigned long long)ctr[SNN_CTR_SPIKES]))
		return false;
	if (!th_expect(snn_sim_step_index(R->sim) == naive_step_index(R->ns),
		       "seed %llu step %u: step index expected %u, golden %u",
		       (unsigned long long)R->seed, t, naive_step_index(R->ns),
		       snn_sim_step_index(R->sim)))
		return false;
	return th_expect(!naive_acc_overflowed(R->ns),
			 "seed %llu step %u: an accumulator left 32 bits (generator bug)",
			 (unsigned long long)R->seed, t);
}

/* Is conv core b the next channels of core a's layer, split as the
 * compiler splits (the registers that must agree agree; routes aside)? */
static bool split_alike(const snn_config *cfg, unsigned a, unsigned b)
{
	const uint32_t *ra = cfg->core[a].reg, *rb = cfg->core[b].reg;
	for (int i = SNN_R_MODE; i <= SNN_R_OUT_W; i++)
		if (i != SNN_R_N_NEURONS && i != SNN_R_OUT_C0 && i != SNN_R_OUT_NC && ra[i] != rb[i])
			return false;
	return ra[SNN_R_MODE] == SNN_MODE_CONV;
}

static void note_config(const snn_config *cfg)
{
	cov.nets++;
	cov.wide_nets += cfg->geo.membrane_bits > 16;
	for (unsigned c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		const uint32_t *rg = cfg->core[c].reg;
		if (rg[SNN_R_MODE] == SNN_MODE_OFF) {
			cov.idle_cores++;
			continue;
		}
		cov.conv_cores += rg[SNN_R_MODE] == SNN_MODE_CONV;
		if (rg[SNN_R_MODE] == SNN_MODE_CONV) {	/* the conv kernels' variants */
			cov.conv_if_cores += rg[SNN_R_LEAK] == 0 && rg[SNN_R_REFRACTORY] == 0;
			cov.conv_pool_cores += rg[SNN_R_POOL] > 1;
			cov.conv_many_in_cores += rg[SNN_R_IN_C] >= 8;
			cov.conv_split_alike += c > 0 && split_alike(cfg, c - 1, c);
			cov.conv_stride_cores += rg[SNN_R_STRIDE] > 1;
			/* input positions that no tap takes to an output (their
			 * events are not listed) */
			cov.conv_skip_cores += rg[SNN_R_STRIDE] > rg[SNN_R_KH] ||
					       rg[SNN_R_STRIDE] > rg[SNN_R_KW];
			cov.conv_pad_cores += rg[SNN_R_PAD_Y] + rg[SNN_R_PAD_X] > 0;
		}
		if (rg[SNN_R_MODE] == SNN_MODE_DECONV) {
			cov.deconv_cores++;
			cov.deconv_stride_cores += rg[SNN_R_STRIDE] > 1;
		}
		cov.dense_cores += rg[SNN_R_MODE] == SNN_MODE_DENSE;
		cov.silent_cores += !(rg[SNN_R_FLAGS] & SNN_F_SPIKING);
		cov.lif_cores += rg[SNN_R_LEAK] != 0;
		cov.subtract_cores += rg[SNN_R_RESET] == SNN_RESET_SUBTRACT;
		for (uint32_t k = 0; k < rg[SNN_R_ROUTE_COUNT]; k++) {
			uint16_t d = cfg->core[c].route[k].dest;
			if (d == SNN_ROUTE_HOST)
				continue;
			if (cfg->core[d].reg[SNN_R_PHASE] <= rg[SNN_R_PHASE])
				cov.recurrent_routes++;
		}
	}
}

/* A host STATE write between steps, to both simulators: a random neuron
 * of a random core in use, any membrane in range, any refractory count
 * (which the golden model's fast paths must notice). */
static void write_state(run *R, rn_rng *r)
{
	unsigned core = rn_below(r, R->cfg->global[SNN_G_N_CORES]);
	if (!naive_core_exists(R->ns, core))
		return;
	unsigned neuron = rn_below(r, naive_core_neurons(R->ns, core));
	snn_neuron_params p = snn_config_neuron_params(R->cfg, core);
	int32_t v = (int32_t)rn_range(r, p.vmin, p.vmax);
	uint32_t ref = rn_chance(r, 50) ? 0 : rn_below(r, SNN_MAX_REFRACTORY + 1);
	th_expect(snn_sim_set_state(R->sim, core, neuron, v, ref) == 0,
		  "seed %llu: STATE write core %u neuron %u v %d r %u refused",
		  (unsigned long long)R->seed, core, neuron, v, ref);
	naive_set_state(R->ns, core, neuron, v, ref);
	cov.state_writes++;
}

/* channels: most output channels of a conv layer (0: the generator's default). */
static void one_seed(uint64_t seed, bool dump, unsigned channels)
{
	th_case("seed %llu, %s kernels, %s conv, up to %u channels", (unsigned long long)seed,
		kernels_name(), conv_name(), channels ? channels : 6);
	snn_config cfg = {0};
	snn_diag d = {{0}};
	random_net_info info;
	random_net_opts opts = RANDOM_NET_DEFAULT_OPTS;
	opts.max_conv_channels = channels;
	opts.split_layer_percent = channels ? 60 : 0;
	opts.deconv_percent = 30;
	int rc = random_net(&cfg, seed, &opts, &info, &d);
	if ((dump || rc) && cfg.core) {
		fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, info.summary);
		random_net_dump(&cfg, stderr);
	}
	if (!th_expect(rc == 0, "seed %llu: generated network rejected: %s (%s)",
		       (unsigned long long)seed, d.msg, snn_error_name(rc))) {
		snn_config_free(&cfg);
		return;
	}
	note_config(&cfg);
	run R = {.seed = seed, .cfg = &cfg};
	rc = snn_sim_create(&cfg, &R.sim, &d);
	if (!th_expect(rc == 0, "seed %llu: snn_sim_create: %s", (unsigned long long)seed,
		       d.msg)) {
		snn_config_free(&cfg);
		return;
	}
	R.ns = naive_create(&cfg);
	R.gspk = calloc((size_t)cfg.geo.n_cores * cfg.geo.neurons_per_core, 1);
	uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] *
		       cfg.global[SNN_G_INPUT_W];
	uint32_t *in = calloc(chw + 1, sizeof *in);
	uint8_t *seen = calloc(chw + 1, 1);
	if (!R.ns || !R.gspk || !in || !seen) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	rn_rng r = {seed ^ 0xA5A5F00DC0FFEEull};
	unsigned steps = (unsigned)rn_range(&r, 20, 40);
	unsigned reset_at = (unsigned)rn_range(&r, 5, steps - 5);
	static const unsigned densities[] = {2, 10, 30, 60, 90};
	unsigned density = densities[rn_below(&r, 5)];
	bool ok = true;
	for (unsigned t = 0; t < steps && ok; t++) {
		if (t == reset_at) {
			if (rn_chance(&r, 50)) {	/* queued input must not survive */
				bool dup;
				size_t n = gen_inputs(&r, chw, density, in, &dup);
				for (size_t i = 0; i < n; i++)
					snn_sim_input(R.sim, in[i]);
			}
			snn_sim_reset(R.sim);
			naive_reset(R.ns);
		}
		if (rn_chance(&r, 5))
			write_state(&R, &r);
		bool dup;
		size_t n = gen_inputs(&r, chw, density, in, &dup);
		cov.dup_inputs += dup;
		cov.full_inputs += n == chw;
		/* An index may spike once per step: repeats are refused and only
		 * the accepted events reach the naive simulator. */
		memset(seen, 0, chw);
		size_t kept = 0;
		for (size_t i = 0; i < n && ok; i++) {
			rc = snn_sim_input(R.sim, in[i]);
			int want = seen[in[i]] ? SNN_ERR_ARG : 0;
			ok = th_expect(rc == want, "seed %llu step %u: snn_sim_input(%u) = %d, want %d",
				       (unsigned long long)seed, t, in[i], rc, want);
			if (!seen[in[i]])
				in[kept++] = in[i];
			seen[in[i]] = 1;
		}
		n = kept;
		if (ok && rn_chance(&r, 10))
			ok = th_expect(snn_sim_input(R.sim, chw) == SNN_ERR_RANGE,
				       "seed %llu step %u: input index %u (= C*H*W) accepted",
				       (unsigned long long)seed, t, chw);
		if (!ok)
			break;
		R.col.spk.n = 0;
		R.col.out.n = 0;
		R.col.bad_step = false;
		R.col.want_step = naive_step_index(R.ns);
		R.run_step = t;
		naive_step(R.ns, in, n);
		snn_sim_step(R.sim, on_output, on_spike, &R.col);
		ok = compare_step(&R);
		cov.steps++;
	}
	if (!ok && !dump) {
		fprintf(stderr,
			"  network: %s\n  rerun: SNN_SIM_KERNELS=%s SNN_SIM_CONV=%s SNN_TEST_CHANNELS=%u "
			"SNN_TEST_SEED=%llu %s\n",
			info.summary, kernels_name(), conv_name(), channels, (unsigned long long)seed,
			"build/tests/sim/test_sim_vs_naive");
		if (env("SNN_TEST_DUMP"))
			random_net_dump(&cfg, stderr);
	}
	free(in);
	free(seen);
	free(R.gspk);
	free(R.col.spk.e);
	free(R.col.out.e);
	naive_free(R.ns);
	snn_sim_free(R.sim);
	snn_config_free(&cfg);
}

/* A naive check that the random networks really reach what they are
 * meant to test; a generator change that loses coverage fails here. */
static void check_coverage(void)
{
	th_case("coverage of the random networks");
	fprintf(stderr,
		"coverage: %llu nets (%llu wide), %llu steps, %llu spikes, %llu host events, "
		"%llu neuron-steps at VMAX, %llu at VMIN, %llu refractory, %llu conv (%llu IF, "
		"%llu pooled, %llu strided (%llu beyond the kernel), %llu padded, %llu with 8+ input channels, %llu split alike) / %llu deconv (%llu strided) / %llu dense / %llu non-spiking / %llu idle / %llu LIF / %llu subtract cores, %llu "
		"next-step routes, %llu duplicate bursts, %llu full inputs, %llu STATE writes\n",
		(unsigned long long)cov.nets, (unsigned long long)cov.wide_nets,
		(unsigned long long)cov.steps, (unsigned long long)cov.spikes,
		(unsigned long long)cov.host_events, (unsigned long long)cov.at_vmax,
		(unsigned long long)cov.at_vmin, (unsigned long long)cov.refractory,
		(unsigned long long)cov.conv_cores, (unsigned long long)cov.conv_if_cores,
		(unsigned long long)cov.conv_pool_cores, (unsigned long long)cov.conv_stride_cores,
		(unsigned long long)cov.conv_skip_cores, (unsigned long long)cov.conv_pad_cores, (unsigned long long)cov.conv_many_in_cores,
		(unsigned long long)cov.conv_split_alike, (unsigned long long)cov.deconv_cores,
		(unsigned long long)cov.deconv_stride_cores, (unsigned long long)cov.dense_cores,
		(unsigned long long)cov.silent_cores, (unsigned long long)cov.idle_cores,
		(unsigned long long)cov.lif_cores, (unsigned long long)cov.subtract_cores,
		(unsigned long long)cov.recurrent_routes, (unsigned long long)cov.dup_inputs,
		(unsigned long long)cov.full_inputs,
		(unsigned long long)cov.state_writes);
	if (cov.nets < 100)
		return;	/* too few seeds to demand everything */
	th_expect(cov.wide_nets > 0, "no wide-geometry network");
	th_expect(cov.spikes > 0 && cov.host_events > 0, "no spikes or no host events");
	th_expect(cov.at_vmax > 0 && cov.at_vmin > 0, "saturation never reached");
	th_expect(cov.refractory > 0, "no refractory neuron");
	th_expect(cov.conv_cores > 0 && cov.dense_cores > 0 && cov.deconv_cores > 0, "missing a core mode");
	th_expect(cov.deconv_stride_cores > 0, "no strided deconv core");
	th_expect(cov.conv_skip_cores > 0, "no conv core strided beyond its kernel");
	th_expect(cov.conv_if_cores > 0 && cov.conv_pool_cores > 0 && cov.conv_stride_cores > 0 &&
			  cov.conv_pad_cores > 0 && cov.conv_many_in_cores > 0 &&
			  cov.conv_split_alike > 0,
		  "no plain-IF, pooled, strided, padded, many-channel or alike-split conv core");
	th_expect(cov.silent_cores > 0 && cov.idle_cores > 0, "no non-spiking or idle core");
	th_expect(cov.lif_cores > 0 && cov.subtract_cores > 0, "no LIF or subtract core");
	th_expect(cov.recurrent_routes > 0, "no same-or-lower-phase route");
	th_expect(cov.dup_inputs > 0 && cov.full_inputs > 0, "no duplicate or full input");
	th_expect(cov.state_writes > 0, "no STATE write");
}

int main(void)
{
	const char *one = env("SNN_TEST_SEED");
	if (one) {
		unsigned channels = env("SNN_TEST_CHANNELS") ?
			(unsigned)strtoul(env("SNN_TEST_CHANNELS"), NULL, 0) : 0;
		one_seed(strtoull(one, NULL, 0), true, channels);
		return th_done("test_sim_vs_naive");
	}
	unsigned seeds = env("SNN_TEST_LONG") ? 10000 : 1000;
	if (env("SNN_TEST_SEEDS"))
		seeds = (unsigned)strtoul(env("SNN_TEST_SEEDS"), NULL, 0);
	const sim_kernels *all[4];
	unsigned n_kernels = sim_kernels_all(all, 4);
	bool chosen = env("SNN_SIM_KERNELS") != NULL, conv_chosen = env("SNN_SIM_CONV") != NULL;
	static const char *const conv_modes[] = {"planned", "positions", "taps"};
	for (unsigned k = 0; k < (chosen ? 1 : n_kernels); k++) {
		if (!chosen)
			setenv("SNN_SIM_KERNELS", all[k]->name, 1);
		for (unsigned m = 0; m < (conv_chosen ? 1 : 3); m++) {
			if (!conv_chosen)
				setenv("SNN_SIM_CONV", conv_modes[m], 1);
			for (unsigned s = 0; s < seeds; s++)
				one_seed(s, false, 0);
			for (unsigned s = 0; s < seeds / 5; s++)
				one_seed(s, false, CONV_CHANNELS);
		}
	}
	check_coverage();
	return th_done("test_sim_vs_naive");
}
