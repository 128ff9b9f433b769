/* sim_bench: synaptic operations per second of the golden simulator on a
 * random fully connected feed-forward network (docs/benchmarks.md).
 *
 * The network is 1000 inputs -> 300 -> 300 -> 10 integrate-and-fire neurons
 * (393,000 synapses, every weight a nonzero 8-bit integer), reset by
 * subtraction, built through the snn_config API on the "sim" profile: each
 * layer is one dense core, or several when it exceeds a core's synapse
 * memory (split by output neurons, each part seeing all of the layer's
 * inputs). The inputs spike as independent Bernoulli trains with rates drawn
 * in [0, 0.2] (10 % of the inputs per step on average), as one seeded pattern
 * of PERIOD steps repeated; the thresholds are set like a rate-converted ANN
 * so that every layer fires about TARGET_RATE of its neurons per step.
 *
 * Only the stepping (input events plus snn_sim_step) is timed, over at
 * least --seconds of wall time, from a reset network; the fastest of
 * --repeat identical runs is reported (the machine is a shared VM). With
 * --export DIR the network, the input pattern and the golden spike counts
 * are written for bench/brian2_bench.py. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "snn/config.h"
#include "snn/encode.h"
#include "snn/geometry.h"
#include "snn/sim.h"

#define PROG "sim_bench"
#define N_LAYERS 4	/* including the input layer */
#define PERIOD 1000u	/* steps of the input pattern, then it repeats */
#define MAX_RATE 0.2	/* input rates are uniform in [0, MAX_RATE] */
#define TARGET_RATE 0.05	/* mean spikes per neuron per step, each layer */
#define WMAX 127	/* weights are in [-WMAX, WMAX] \ {0} */

static const uint32_t layer_size[N_LAYERS] = {1000, 300, 300, 10};

typedef struct net {
	int16_t *w[N_LAYERS];	/* w[l]: layer l-1 -> l, [pre][post], l >= 1 */
	int32_t theta[N_LAYERS];	/* l >= 1 */
	uint32_t *in_start;	/* PERIOD + 1 offsets into in_idx */
	uint32_t *in_idx;	/* input indices spiking at each pattern step */
} net;

typedef struct counts {
	uint32_t steps;	/* steps of the timed run */
	uint8_t layer_of[SNN_MAX_CORES];
	uint64_t spikes[N_LAYERS];	/* whole run */
	uint64_t window[N_LAYERS];	/* steps [0, steps - l) of layer l */
} counts;

static void die(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		die("out of memory");
	return p;
}

static double uniform(uint64_t *s)
{
	return (double)(snn_splitmix64(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Random weights, the input pattern and thresholds calibrated on the
 * pattern's rates: rate_j = relu(sum_i rate_i w_ij) / theta, theta chosen so
 * the layer's mean rate is TARGET_RATE (what an IF neuron with subtractive
 * reset converges to). */
static void make_net(net *nt, uint64_t seed)
{
	uint64_t s = seed;
	for (unsigned l = 1; l < N_LAYERS; l++) {
		size_t n = (size_t)layer_size[l - 1] * layer_size[l];
		nt->w[l] = xcalloc(n, sizeof *nt->w[l]);
		for (size_t k = 0; k < n; k++) {
			int v = (int)(snn_splitmix64(&s) % (2 * WMAX)) - WMAX;	/* -WMAX .. WMAX-1 */
			nt->w[l][k] = (int16_t)(v >= 0 ? v + 1 : v);
		}
	}
	uint32_t n_in = layer_size[0];
	double *rate = xcalloc(n_in, sizeof *rate);
	for (uint32_t i = 0; i < n_in; i++)
		rate[i] = MAX_RATE * uniform(&s);
	nt->in_start = xcalloc(PERIOD + 1, sizeof *nt->in_start);
	nt->in_idx = xcalloc((size_t)PERIOD * n_in, sizeof *nt->in_idx);
	uint32_t k = 0;
	uint32_t *n_spk = xcalloc(n_in, sizeof *n_spk);
	for (uint32_t t = 0; t < PERIOD; t++) {
		nt->in_start[t] = k;
		for (uint32_t i = 0; i < n_in; i++)
			if (uniform(&s) < rate[i]) {
				nt->in_idx[k++] = i;
				n_spk[i]++;
			}
	}
	nt->in_start[PERIOD] = k;
	/* Calibrate on the pattern's actual rates. */
	double *r = xcalloc(n_in, sizeof *r);
	for (uint32_t i = 0; i < n_in; i++)
		r[i] = (double)n_spk[i] / PERIOD;
	for (unsigned l = 1; l < N_LAYERS; l++) {
		uint32_t np = layer_size[l - 1], nq = layer_size[l];
		double *drive = xcalloc(nq, sizeof *drive), sum = 0;
		for (uint32_t i = 0; i < np; i++)
			for (uint32_t j = 0; j < nq; j++)
				drive[j] += r[i] * nt->w[l][(size_t)i * nq + j];
		for (uint32_t j = 0; j < nq; j++)
			sum += drive[j] > 0 ? drive[j] : 0;
		double theta = sum / nq / TARGET_RATE;
		nt->theta[l] = theta < 1 ? 1 : (int32_t)lround(theta);
		free(r);
		r = drive;
		for (uint32_t j = 0; j < nq; j++) {
			r[j] = r[j] > 0 ? r[j] / nt->theta[l] : 0;
			r[j] = r[j] > 1 ? 1 : r[j];
		}
	}
	free(r);
	free(n_spk);
	free(rate);
}

static void free_net(net *nt)
{
	for (unsigned l = 1; l < N_LAYERS; l++)
		free(nt->w[l]);
	free(nt->in_start);
	free(nt->in_idx);
}

/* Lay the network out on cores: layer l (>= 1) gets parts[l] dense cores of
 * at most per_core[l] neurons, starting at first[l]. */
typedef struct layout {
	uint32_t first[N_LAYERS], parts[N_LAYERS], per_core[N_LAYERS];
	uint32_t n_cores;
} layout;

static void build_config(const net *nt, snn_config *cfg, layout *lay, counts *cnt)
{
	const snn_profile *prof = snn_profile_find("sim");
	snn_diag d;
	if (!prof)
		die("no \"sim\" profile");
	if (snn_config_init(cfg, &prof->geo, &d))
		die(d.msg);
	const snn_geometry *g = &cfg->geo;
	uint32_t c = 0;
	for (unsigned l = 1; l < N_LAYERS; l++) {
		uint32_t n_in = layer_size[l - 1], n = layer_size[l];
		if (n_in > g->axons_per_core)
			die("a layer has more inputs than a core has axons");
		uint32_t fit = g->synapse_words / n_in;
		fit = fit < g->neurons_per_core ? fit : g->neurons_per_core;
		if (fit == 0)
			die("a layer's input does not fit a core's synapse memory");
		uint32_t parts = (n + fit - 1) / fit;
		lay->first[l] = c;
		lay->parts[l] = parts;
		lay->per_core[l] = (n + parts - 1) / parts;
		c += parts;
	}
	lay->n_cores = c;
	if (c > g->n_cores || N_LAYERS - 1 > g->max_phases)
		die("the network does not fit the sim profile");
	cfg->global[SNN_G_N_CORES] = c;
	cfg->global[SNN_G_INPUT_C] = layer_size[0];
	cfg->global[SNN_G_INPUT_H] = 1;
	cfg->global[SNN_G_INPUT_W] = 1;
	for (unsigned l = 1; l < N_LAYERS; l++) {
		uint32_t n_in = layer_size[l - 1], n = layer_size[l];
		for (uint32_t p = 0; p < lay->parts[l]; p++) {
			uint32_t core = lay->first[l] + p;
			uint32_t lo = p * lay->per_core[l];
			uint32_t hi = lo + lay->per_core[l] < n ? lo + lay->per_core[l] : n;
			uint32_t nn = hi - lo;
			snn_core_cfg *k = &cfg->core[core];
			cnt->layer_of[core] = (uint8_t)l;
			k->reg[SNN_R_MODE] = SNN_MODE_DENSE;
			k->reg[SNN_R_PHASE] = l - 1;
			k->reg[SNN_R_N_NEURONS] = nn;
			k->reg[SNN_R_N_AXONS] = n_in;
			k->reg[SNN_R_THRESHOLD] = (uint32_t)nt->theta[l];
			k->reg[SNN_R_LEAK] = 0;
			k->reg[SNN_R_RESET] = SNN_RESET_SUBTRACT;
			k->reg[SNN_R_FLAGS] = SNN_F_SPIKING;
			k->reg[SNN_R_IN_C] = n_in;
			k->reg[SNN_R_IN_H] = 1;
			k->reg[SNN_R_IN_W] = 1;
			k->reg[SNN_R_SYN_COUNT] = n_in * nn;
			for (uint32_t a = 0; a < n_in; a++)
				for (uint32_t j = 0; j < nn; j++)
					k->syn[(size_t)a * nn + j] = nt->w[l][(size_t)a * n + lo + j];
			/* Who feeds this core: the host input, or every part of the
			 * previous layer, its neurons shifted to their layer index. */
			if (l == 1) {
				uint32_t r = cfg->global[SNN_G_INPUT_ROUTES]++;
				if (r >= g->input_routes)
					die("too many input routes");
				cfg->input_route[r] = (snn_route){.dest = (uint16_t)core,
					.src_lo = 0, .src_hi = n_in};
			} else {
				for (uint32_t q = 0; q < lay->parts[l - 1]; q++) {
					snn_core_cfg *src = &cfg->core[lay->first[l - 1] + q];
					uint32_t r = src->reg[SNN_R_ROUTE_COUNT]++;
					if (r >= g->routes_per_core)
						die("too many routes");
					src->route[r] = (snn_route){.dest = (uint16_t)core,
						.src_lo = 0, .src_hi = src->reg[SNN_R_N_NEURONS],
						.dc = (int16_t)(q * lay->per_core[l - 1])};
				}
			}
			/* The output layer reports its spikes to the host. */
			if (l == N_LAYERS - 1) {
				k->route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0,
							  .src_hi = nn};
				k->reg[SNN_R_ROUTE_COUNT] = 1;
			}
		}
	}
	if (snn_config_validate(cfg, &d))
		die(d.msg);
}

static void count_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	counts *c = ctx;
	unsigned l = c->layer_of[core];
	(void)neuron;
	c->spikes[l]++;
	if (step + l < c->steps)
		c->window[l]++;
}

/* Run steps steps of the input pattern from a reset network; returns the
 * wall time of the stepping alone. */
static double run(snn_sim *sim, const net *nt, uint32_t steps, counts *cnt)
{
	snn_sim_reset(sim);
	snn_sim_reset_counters(sim);
	memset(cnt->spikes, 0, sizeof cnt->spikes);
	memset(cnt->window, 0, sizeof cnt->window);
	cnt->steps = steps;
	double t0 = now();
	for (uint32_t t = 0; t < steps; t++) {
		uint32_t p = t % PERIOD;
		for (uint32_t k = nt->in_start[p]; k < nt->in_start[p + 1]; k++)
			snn_sim_input(sim, nt->in_idx[k]);
		snn_sim_step(sim, NULL, count_spike, cnt);
	}
	double dt = now() - t0;
	/* Input spikes, counted from the pattern. */
	uint64_t per = nt->in_start[PERIOD], in = (uint64_t)(steps / PERIOD) * per;
	in += nt->in_start[steps % PERIOD];
	cnt->spikes[0] = cnt->window[0] = in;
	return dt;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void close_out(FILE *f)
{
	if (ferror(f) | fclose(f))
		die("write failed");
}

static void put_le(FILE *f, uint32_t v, unsigned bytes)
{
	for (unsigned b = 0; b < bytes; b++)
		fputc((int)((v >> (8 * b)) & 0xFF), f);
}

/* DIR/net.txt (sizes, thresholds, steps, the golden counts), DIR/wL.i16
 * (layer L-1 -> L weights, int16 LE, [pre][post]) and DIR/input.i32 (the
 * input pattern as (step, index) int32 LE pairs). */
static void export(const char *dir, const net *nt, const counts *cnt,
		   const uint64_t *ctr, double secs)
{
	FILE *f = open_out(dir, "net.txt");
	fprintf(f, "# written by bench/sim_bench.c; read by bench/brian2_bench.py\n");
	fprintf(f, "sizes");
	for (unsigned l = 0; l < N_LAYERS; l++)
		fprintf(f, " %" PRIu32, layer_size[l]);
	fprintf(f, "\nthresholds");
	for (unsigned l = 1; l < N_LAYERS; l++)
		fprintf(f, " %" PRId32, nt->theta[l]);
	fprintf(f, "\nsteps %" PRIu32 "\nperiod %u\ninput_spikes_per_period %" PRIu32 "\n",
		cnt->steps, PERIOD, nt->in_start[PERIOD]);
	fprintf(f, "golden_spikes");
	for (unsigned l = 0; l < N_LAYERS; l++)
		fprintf(f, " %" PRIu64, cnt->spikes[l]);
	fprintf(f, "\ngolden_spikes_shifted");
	for (unsigned l = 0; l < N_LAYERS; l++)
		fprintf(f, " %" PRIu64, cnt->window[l]);
	fprintf(f, "\ngolden_synops %" PRIu64 "\ngolden_seconds %.6f\n",
		ctr[SNN_CTR_SYNOPS], secs);
	close_out(f);
	for (unsigned l = 1; l < N_LAYERS; l++) {
		char name[32];
		snprintf(name, sizeof name, "w%u.i16", l);
		f = open_out(dir, name);
		size_t n = (size_t)layer_size[l - 1] * layer_size[l];
		for (size_t k = 0; k < n; k++)
			put_le(f, (uint16_t)nt->w[l][k], 2);
		close_out(f);
	}
	f = open_out(dir, "input.i32");
	for (uint32_t t = 0; t < PERIOD; t++)
		for (uint32_t k = nt->in_start[t]; k < nt->in_start[t + 1]; k++) {
			put_le(f, t, 4);
			put_le(f, nt->in_idx[k], 4);
		}
	close_out(f);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [--steps N | --seconds S] [--repeat N] [--seed N] [--export DIR]\n"
		"Time the golden simulator on a random 1000-300-300-10 IF network and\n"
		"print its synaptic operations per second.\n"
		"  --steps N    time steps to run (default: enough for --seconds)\n"
		"  --seconds S  minimum timed wall time when --steps is not given (default 2)\n"
		"  --repeat N   timed runs of those steps; the fastest is reported (default 3)\n"
		"  --seed N     network and input seed (default 1)\n"
		"  --export DIR write the network, input spikes and counts for\n"
		"               bench/brian2_bench.py\n");
}

int main(int argc, char **argv)
{
	uint32_t steps = 0;
	double seconds = 2.0;
	uint64_t seed = 1;
	unsigned repeat = 3;
	const char *export_dir = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			usage(stderr);
			return 1;
		}
		const char *v = argv[++i];
		char *end;
		if (!strcmp(a, "--steps")) {
			unsigned long x = strtoul(v, &end, 10);
			if (*end || x == 0 || x > 1000000000ul)
				die("--steps wants 1 .. 1000000000");
			steps = (uint32_t)x;
		} else if (!strcmp(a, "--seconds")) {
			seconds = strtod(v, &end);
			if (*end || !(seconds > 0 && seconds < 3600))
				die("--seconds wants a number in (0, 3600)");
		} else if (!strcmp(a, "--repeat")) {
			unsigned long x = strtoul(v, &end, 10);
			if (*end || x == 0 || x > 100)
				die("--repeat wants 1 .. 100");
			repeat = (unsigned)x;
		} else if (!strcmp(a, "--seed")) {
			seed = strtoull(v, &end, 10);
			if (*end)
				die("--seed wants an integer");
		} else if (!strcmp(a, "--export")) {
			export_dir = v;
		} else {
			usage(stderr);
			return 1;
		}
	}

	net nt = {0};
	make_net(&nt, seed);
	snn_config cfg;
	layout lay = {0};
	static counts cnt;
	build_config(&nt, &cfg, &lay, &cnt);
	snn_sim *sim;
	snn_diag d;
	if (snn_sim_create(&cfg, &sim, &d))
		die(d.msg);
	snn_config_free(&cfg);

	uint64_t synapses = 0;
	for (unsigned l = 1; l < N_LAYERS; l++)
		synapses += (uint64_t)layer_size[l - 1] * layer_size[l];
	printf("network: %" PRIu32 "-%" PRIu32 "-%" PRIu32 "-%" PRIu32
	       " IF, %" PRIu64 " synapses on %" PRIu32 " dense cores (%" PRIu32 "+%" PRIu32
	       "+%" PRIu32 "), thresholds %" PRId32 " %" PRId32 " %" PRId32
	       ", %.1f input spikes/step, %s kernels\n",
	       layer_size[0], layer_size[1], layer_size[2], layer_size[3], synapses,
	       lay.n_cores, lay.parts[1], lay.parts[2], lay.parts[3], nt.theta[1],
	       nt.theta[2], nt.theta[3], (double)nt.in_start[PERIOD] / PERIOD,
	       snn_sim_kernels(sim));

	if (steps == 0) {
		/* Warm up and size the run: two periods, then scale. */
		double t = run(sim, &nt, 2 * PERIOD, &cnt);
		double want = seconds * 1.1 / (t > 1e-6 ? t : 1e-6) * 2 * PERIOD;
		want = ceil(want / PERIOD) * PERIOD;
		steps = want < PERIOD ? PERIOD : want > 1e9 ? 1000000000u : (uint32_t)want;
	}
	double secs = 0;
	for (unsigned r = 0; r < repeat; r++) {
		double t = run(sim, &nt, steps, &cnt);
		secs = r == 0 || t < secs ? t : secs;
	}
	const uint64_t *ctr = snn_sim_counters(sim);
	uint64_t synops = ctr[SNN_CTR_SYNOPS];
	printf("spikes per layer: in %" PRIu64 ", h1 %" PRIu64 ", h2 %" PRIu64 ", out %" PRIu64
	       " (per neuron per step: %.3f %.3f %.3f %.3f)\n",
	       cnt.spikes[0], cnt.spikes[1], cnt.spikes[2], cnt.spikes[3],
	       (double)cnt.spikes[0] / layer_size[0] / steps,
	       (double)cnt.spikes[1] / layer_size[1] / steps,
	       (double)cnt.spikes[2] / layer_size[2] / steps,
	       (double)cnt.spikes[3] / layer_size[3] / steps);
	printf("golden: %.3g synaptic ops/s (%" PRIu64 " synops, %" PRIu32
	       " steps, %.3f s, best of %u)\n",
	       (double)synops / secs, synops, steps, secs, repeat);
	if (export_dir)
		export(export_dir, &nt, &cnt, ctr, secs);
	snn_sim_free(sim);
	free_net(&nt);
	return 0;
}
