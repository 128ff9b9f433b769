/* rtl/snn_array.v against the golden simulator, in lock step (sim/cosim.c):
 * random networks from tests/sim/random_net.c (dense and conv cores, every
 * reset and leak mode, refractory periods, extreme weights and biases,
 * recurrent, lateral and host routes) with random input bursts, every
 * spike, host event, counter and neuron state compared at every step,
 * half of them with the host port refusing events at random.
 * Then the comparison itself must catch a single changed weight, and the
 * memory port must refuse what the map does not hold.
 *
 * Environment: SNN_TEST_LONG=1 runs 400 seeds instead of 40;
 * SNN_TEST_SEEDS=N sets the count, SNN_TEST_SEED=S runs one seed. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../sim/random_net.h"
#include "snn/cosim.h"
#include "cosim_feed.h"

static const char *env(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? s : NULL;
}

typedef struct tally {
	unsigned nets, wide, stalled, steps;
	uint64_t spikes, synops;
} tally;

static tally tl;

/* One step's random inputs: none, a sparse set, every input, or a dense
 * burst; in random order (the array routes each as it arrives). */
static void one_seed(uint64_t seed, bool verbose)
{
	snn_config cfg;
	snn_diag diag = {""};
	random_net_info info;
	th_case("seed %llu", (unsigned long long)seed);
	int rc = random_net(&cfg, seed, NULL, &info, &diag);
	if (!th_expect(rc == 0, "seed %llu: random_net: %s", (unsigned long long)seed, diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	if (verbose)
		random_net_dump(&cfg, stdout);
	snn_cosim *cs;
	rc = snn_cosim_create(&cfg, &cs, &diag);
	if (!th_expect(rc == 0, "seed %llu: snn_cosim_create: %s", (unsigned long long)seed,
		       diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	tl.nets++;
	tl.wide += info.wide;
	/* every other network: the host port refuses events on 40 % of the
	 * cycles, so routed spikes back up through the bus into the cores */
	if (seed & 1) {
		snn_rtl_out_stall(snn_cosim_rtl(cs), 40);
		tl.stalled++;
	}
	rn_rng r = {seed ^ 0xC05111u};
	uint32_t chw = cfg.global[SNN_G_INPUT_C] * cfg.global[SNN_G_INPUT_H] *
		       cfg.global[SNN_G_INPUT_W];
	/* two samples: the second checks that a reset leaves nothing behind */
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
					  (unsigned long long)seed, info.summary, sample, d.step,
					  d.what);
				goto out;
			}
			tl.steps++;
		}
	}
	const uint64_t *g = snn_sim_counters(snn_cosim_golden(cs));
	tl.spikes += g[SNN_CTR_SPIKES];
	tl.synops += g[SNN_CTR_SYNOPS];
out:
	snn_cosim_free(cs);
	snn_config_free(&cfg);
}

/* A bias changed by one in the RTL alone must be caught, on the right core
 * and neuron. (A neuron that is saturated or refractory the whole time can
 * hide it, so seeds are tried until one shows it.) */
static void test_divergence_caught(void)
{
	th_case("divergence_caught");
	for (uint64_t seed = 1; seed < 50; seed++) {
		snn_config cfg;
		snn_diag diag = {""};
		snn_cosim *cs;
		if (random_net(&cfg, seed, NULL, NULL, &diag) ||
		    !th_expect(snn_cosim_create(&cfg, &cs, &diag) == 0, "create: %s", diag.msg)) {
			snn_config_free(&cfg);
			continue;
		}
		uint32_t b = 0;
		snn_rtl_mem(snn_cosim_rtl(cs), false, SNN_REGION_BIAS, 0, 0, &b);
		b = (uint32_t)((int32_t)b > 0 ? (int32_t)b - 1 : (int32_t)b + 1);
		th_expect(snn_rtl_mem(snn_cosim_rtl(cs), true, SNN_REGION_BIAS, 0, 0, &b) == 0,
			  "bias write refused");
		snn_cosim_diff d = {0, -1, -1, ""};
		int found = 0;
		for (unsigned s = 0; s < 20 && !found; s++)
			found = snn_cosim_step(cs, NULL, NULL, NULL, 1, &d);
		if (!found) {
			snn_cosim_free(cs);
			snn_config_free(&cfg);
			continue;
		}
		printf("divergence_caught: seed %llu, step %u: %s\n", (unsigned long long)seed,
		       d.step, d.what);
		th_expect(d.core == 0 && d.neuron == 0, "the bias of core 0 neuron 0 was changed, "
			  "the divergence was reported as: %s", d.what);
		/* the waveform of the steps before it */
		const char *vcd = "test_rtl_array.vcd";
		snn_diag wd = {""};
		int rc = snn_cosim_waveform(cs, vcd, 2, &wd);
		FILE *f = rc ? NULL : fopen(vcd, "r");
		char head[4096] = "";
		size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
		head[n] = 0;
		th_expect(f && strstr(head, "$var") != NULL, "waveform %s not written (%s)", vcd,
			  rc ? wd.msg : "no $var in its header");
		if (f)
			fclose(f);
		remove(vcd);
		/* written through a temporary file: none is left, and a path that
		 * cannot be written is refused by name */
		glob_t g;
		th_expect(glob("test_rtl_array.vcd.tmp.*", 0, NULL, &g) == GLOB_NOMATCH,
			  "a temporary waveform file was left behind");
		globfree(&g);
		rc = snn_cosim_waveform(cs, "no-such-dir/w.vcd", 2, &wd);
		th_expect(rc != 0 && strstr(wd.msg, "no-such-dir/w.vcd"), "unwritable waveform: %d: %s", rc,
			  wd.msg);
		snn_cosim_free(cs);
		snn_config_free(&cfg);
		return;
	}
	th_expect(false, "a bias changed in the RTL went unnoticed on 49 random networks");
}

/* The memory port refuses addresses outside the map and bad STATE words,
 * and changes nothing then. */
static void test_memory_port_bad(void)
{
	th_case("memory_port_bad");
	snn_config cfg;
	snn_diag diag = {""};
	random_net(&cfg, 7, NULL, NULL, &diag);
	snn_rtl *r;
	if (!th_expect(snn_rtl_create(&cfg, &r, &diag) == 0, "create: %s", diag.msg)) {
		snn_config_free(&cfg);
		return;
	}
	const snn_geometry *g = snn_rtl_geometry(r);
	uint32_t w = 1;
	th_expect(snn_rtl_mem(r, true, SNN_REGION_CORE, 0, 32, &w) == SNN_ERR_RANGE,
		  "CORE word 32 accepted");
	th_expect(snn_rtl_mem(r, true, SNN_REGION_CORE, g->n_cores, 0, &w) == SNN_ERR_RANGE,
		  "core %u accepted", g->n_cores);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_SYNAPSE, 0, g->synapse_words, &w) ==
		  SNN_ERR_RANGE, "SYNAPSE word %u accepted", g->synapse_words);
	th_expect(snn_rtl_mem(r, false, SNN_REGION_GLOBAL, 0, 5, &w) == SNN_ERR_RANGE,
		  "GLOBAL word 5 accepted");
	th_expect(snn_rtl_mem(r, false, 7, 0, 0, &w) == SNN_ERR_RANGE, "region 7 accepted");
	uint32_t n = cfg.core[0].reg[SNN_R_N_NEURONS];
	th_expect(snn_rtl_mem(r, false, SNN_REGION_STATE, 0, 2 * n, &w) == SNN_ERR_RANGE,
		  "STATE word %u of a %u-neuron core accepted", 2 * n, n);
	int32_t v0;
	uint32_t r0;
	snn_rtl_get_state(r, 0, 0, &v0, &r0);
	w = 16;
	th_expect(snn_rtl_mem(r, true, SNN_REGION_STATE, 0, 1, &w) == SNN_ERR_ARG,
		  "refractory 16 accepted");
	w = (uint32_t)1 << (g->membrane_bits - 1);
	th_expect(snn_rtl_mem(r, true, SNN_REGION_STATE, 0, 0, &w) == SNN_ERR_ARG,
		  "membrane 2^(M-1) accepted");
	int32_t v1;
	uint32_t r1;
	snn_rtl_get_state(r, 0, 0, &v1, &r1);
	th_expect(v0 == v1 && r0 == r1, "a refused STATE write changed the state");
	w = 0x12345678;
	th_expect(snn_rtl_mem(r, true, SNN_REGION_INPUT_ROUTE, 0, 0, &w) == 0 &&
		  snn_rtl_mem(r, false, SNN_REGION_INPUT_ROUTE, 0, 0, &w) == 0 && w == 0x12345678,
		  "INPUT_ROUTE word 0 did not read back");
	snn_rtl_free(r);
	snn_config_free(&cfg);
}

/* A configuration no built-in model can run is refused, saying why: one
 * neuron with the up5k profile's arithmetic (20-bit membrane, 16-bit
 * bias), and the same with the small model's arithmetic but 17 cores. */
static void test_no_model_bad(void)
{
	th_case("no_model_bad");
	const snn_geometry geos[2] = {
		{1, 4, 4, 16, 8, 20, 16, 1, 1, 1, 0, 0, 0, 0, 0, 0},
		{32, 4, 4, 16, 8, 16, 12, 1, 1, 1, 0, 0, 0, 0, 0, 0},
	};
	const char *want[2] = {"20-bit membrane", "needs 17 cores"};
	for (int k = 0; k < 2; k++) {
		snn_config cfg;
		snn_diag diag = {""};
		snn_config_init(&cfg, &geos[k], &diag);
		cfg.global[SNN_G_N_CORES] = k ? 17 : 1;
		cfg.global[SNN_G_INPUT_C] = cfg.global[SNN_G_INPUT_H] = cfg.global[SNN_G_INPUT_W] = 1;
		uint32_t *r = cfg.core[k ? 16 : 0].reg;
		r[SNN_R_MODE] = SNN_MODE_DENSE;
		r[SNN_R_N_NEURONS] = r[SNN_R_N_AXONS] = r[SNN_R_THRESHOLD] = 1;
		r[SNN_R_IN_C] = r[SNN_R_IN_H] = r[SNN_R_IN_W] = r[SNN_R_SYN_COUNT] = 1;
		r[SNN_R_FLAGS] = SNN_F_SPIKING;
		snn_rtl *rtl = NULL;
		int rc = snn_rtl_create(&cfg, &rtl, &diag);
		th_expect(rc == SNN_ERR_RANGE && strstr(diag.msg, "RTL model") &&
			  strstr(diag.msg, want[k]), "want '%s': rc %d, %s", want[k], rc, diag.msg);
		snn_rtl_free(rtl);
		snn_config_free(&cfg);
	}
}

int main(void)
{
	const char *one = env("SNN_TEST_SEED");
	if (one) {
		one_seed(strtoull(one, NULL, 0), true);
		return th_done("test_rtl_array");
	}
	unsigned seeds = env("SNN_TEST_LONG") ? 400 : 40;
	if (env("SNN_TEST_SEEDS"))
		seeds = (unsigned)strtoul(env("SNN_TEST_SEEDS"), NULL, 0);
	for (unsigned s = 0; s < seeds; s++)
		one_seed(s, false);
	printf("test_rtl_array: %u networks (%u wide, %u with host back-pressure), %u steps, "
	       "%llu spikes, %llu synaptic operations, identical to the golden model\n",
	       tl.nets, tl.wide, tl.stalled, tl.steps,
	       (unsigned long long)tl.spikes, (unsigned long long)tl.synops);
	test_divergence_caught();
	test_memory_port_bad();
	test_no_model_bad();
	return th_done("test_rtl_array");
}
