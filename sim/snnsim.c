/* snnsim: run a configuration image on the golden simulator, the
 * Verilated RTL, or both in lock step, over an IDX data set, and report
 * accuracy, activity and speed (docs/snnsim.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "engine.h"
#include "raster.h"
#include "recon.h"
#include "regress.h"
#include "snn/encode.h"
#include "snn/file.h"
#include "snn/image.h"
#include "snn/readout.h"

#define PROG "snnsim"
#define EXIT_USAGE 1
#define EXIT_MISMATCH 3

static const char usage_text[] =
	"Usage: snnsim IMAGE.cfg --images IMAGES.idx[.gz] --labels LABELS.idx[.gz] [options]\n"
	"       snnsim IMAGE.cfg --images IMAGES.idx[.gz] --targets TARGETS.csv [options]\n"
	"       snnsim IMAGE.cfg --images IMAGES.idx[.gz] --recon-png GRID.png [options]\n"
	"Run a configuration image on the golden simulator (or the Verilated RTL),\n"
	"one sample at a time, and report accuracy, confusion matrix, activity and\n"
	"wall time.\n"
	"\n"
	"Options:\n"
	"  -i, --images FILE     IDX file of unsigned-byte inputs (plain or gzip)\n"
	"  -l, --labels FILE     IDX file of labels, one byte per sample\n"
	"      --targets FILE    real-valued targets instead of labels: a text file,\n"
	"                        one line a sample, one number an output; reports\n"
	"                        MSE, MSPE, R^2 (and accuracy for 0/1 targets) of the\n"
	"                        outputs read back in the model's units\n"
	"      --decision X      with 0/1 targets: an output above X predicts 1\n"
	"                        (default 0, a logistic regression's logit)\n"
	"      --values FILE     with --targets: write each sample's outputs as CSV\n"
	"      --recon-png FILE  image readout, for a model whose outputs have its\n"
	"                        input's shape (an autoencoder): draw the first 16\n"
	"                        inputs, their reconstructions and, with --targets,\n"
	"                        the reference outputs in a grid (PNG, or SVG for\n"
	"                        .svg); --targets then also reports PSNR\n"
	"  -T, --steps N         time steps per sample (default: the image's)\n"
	"  -n, --limit N         run only the first N samples (default: all)\n"
	"  -e, --encoding KIND   rate or poisson (default: the image's)\n"
	"  -s, --seed S          Poisson base seed; sample k uses S+k (default 1)\n"
	"  -j, --jobs N          run samples on N threads, each with its own golden\n"
	"                        simulator; results are identical for every N\n"
	"                        (default: the number of online cores; 1 with --rtl\n"
	"                        or --cosim, which run one thread only)\n"
	"      --raster FILE     write the spike raster of one sample as CSV\n"
	"      --raster-png FILE also plot it: time across, one band per layer; a PNG,\n"
	"                        or an SVG when FILE ends in .svg\n"
	"      --raster-sample K which sample to record (default 0)\n"
	"      --rtl             run on the Verilated RTL core array instead\n"
	"      --cosim           run the golden model and the RTL in lock step, compare\n"
	"                        every spike, host event and counter at every step, and\n"
	"                        stop at the first divergence\n"
	"      --check-state N   cosim: also compare every neuron's state after every\n"
	"                        N-th step (default: the last step of each sample)\n"
	"      --wave FILE       cosim: VCD of the steps before a divergence\n"
	"                        (default snnsim-divergence.vcd)\n"
	"      --wave-steps N    cosim: how many steps the VCD covers (default 4)\n"
	"      --json            print one JSON object instead of the report\n"
	"  -q, --quiet           no progress on stderr\n"
	"  -h, --help            this text\n"
	"      --version         program and format versions\n"
	"\n"
	"Exit status: 0 success; 1 usage error or bad input (the message names the\n"
	"file and what is wrong); 3 the RTL diverged from the golden model (--cosim).\n";

typedef struct options {
	const char *image, *images, *labels, *raster_csv, *raster_png;
	const char *targets, *values;	/* real-valued runs (sim/regress.h) */
	const char *recon_png;	/* image readout (sim/recon.h) */
	double decision;
	const char *wave;
	long steps, limit, raster_sample, encoding, check_state, wave_steps, jobs;
	uint64_t seed;
	int json, quiet;
	enum engine_kind engine;
} options;

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

/* Exit status once standard output is flushed: a failed write there is
 * an error, not a success. */
static int stdout_status(int status)
{
	return snn_stdout_status(PROG, status, EXIT_USAGE);
}

static long parse_long(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		die_usage("%s takes a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
	return v;
}

static options parse_args(int argc, char **argv)
{
	enum { OPT_RASTER = 256, OPT_RASTER_PNG, OPT_RASTER_SAMPLE, OPT_JSON, OPT_VERSION,
	       OPT_RTL, OPT_COSIM, OPT_CHECK_STATE, OPT_WAVE, OPT_WAVE_STEPS, OPT_TARGETS, OPT_VALUES,
	       OPT_DECISION, OPT_RECON_PNG };
	static const struct option longopts[] = {
		{"images", required_argument, NULL, 'i'},
		{"labels", required_argument, NULL, 'l'},
		{"targets", required_argument, NULL, OPT_TARGETS},
		{"values", required_argument, NULL, OPT_VALUES},
		{"decision", required_argument, NULL, OPT_DECISION},
		{"recon-png", required_argument, NULL, OPT_RECON_PNG},
		{"steps", required_argument, NULL, 'T'},
		{"limit", required_argument, NULL, 'n'},
		{"encoding", required_argument, NULL, 'e'},
		{"seed", required_argument, NULL, 's'},
		{"jobs", required_argument, NULL, 'j'},
		{"raster", required_argument, NULL, OPT_RASTER},
		{"raster-png", required_argument, NULL, OPT_RASTER_PNG},
		{"raster-sample", required_argument, NULL, OPT_RASTER_SAMPLE},
		{"json", no_argument, NULL, OPT_JSON},
		{"rtl", no_argument, NULL, OPT_RTL},
		{"cosim", no_argument, NULL, OPT_COSIM},
		{"check-state", required_argument, NULL, OPT_CHECK_STATE},
		{"wave", required_argument, NULL, OPT_WAVE},
		{"wave-steps", required_argument, NULL, OPT_WAVE_STEPS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	options o = {.steps = -1, .limit = -1, .encoding = -1, .seed = 1, .check_state = -1, .jobs = -1,
		     .wave = "snnsim-divergence.vcd", .wave_steps = 4, .engine = ENGINE_GOLDEN};
	int c;
	while ((c = getopt_long(argc, argv, "i:l:T:n:e:s:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.images = optarg; break;
		case 'l': o.labels = optarg; break;
		case OPT_TARGETS: o.targets = optarg; break;
		case OPT_VALUES: o.values = optarg; break;
		case OPT_RECON_PNG: o.recon_png = optarg; break;
		case OPT_DECISION: {
			char *end;
			errno = 0;
			o.decision = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o.decision))
				die_usage("--decision takes a finite number, not '%s'", optarg);
			break;
		}
		case 'T': o.steps = parse_long(optarg, "--steps", 1, 1000000); break;
		case 'n': o.limit = parse_long(optarg, "--limit", 0, 1L << 30); break;
		case 'e':
			if (!strcmp(optarg, "rate"))
				o.encoding = SNN_ENC_RATE;
			else if (!strcmp(optarg, "poisson"))
				o.encoding = SNN_ENC_POISSON;
			else
				die_usage("--encoding is rate or poisson, not '%s'", optarg);
			break;
		case 's': o.seed = (uint64_t)parse_long(optarg, "--seed", 0, 1L << 62); break;
		case 'j': o.jobs = parse_long(optarg, "--jobs", 1, 1024); break;
		case OPT_RASTER: o.raster_csv = optarg; break;
		case OPT_RASTER_PNG: o.raster_png = optarg; break;
		case OPT_RASTER_SAMPLE:
			o.raster_sample = parse_long(optarg, "--raster-sample", 0, 1L << 30);
			break;
		case OPT_JSON: o.json = 1; break;
		case OPT_RTL: o.engine = ENGINE_RTL; break;
		case OPT_COSIM: o.engine = ENGINE_COSIM; break;
		case OPT_CHECK_STATE:
			o.check_state = parse_long(optarg, "--check-state", 1, 1000000);
			break;
		case OPT_WAVE: o.wave = optarg; break;
		case OPT_WAVE_STEPS: o.wave_steps = parse_long(optarg, "--wave-steps", 1, 1000000); break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); exit(stdout_status(0));
		case OPT_VERSION:
			printf(PROG " 0.1 (image format %u.%u)\n", SNN_IMAGE_VERSION_MAJOR,
			       SNN_IMAGE_VERSION_MINOR);
			exit(stdout_status(0));
		default: die_usage("unknown option");
		}
	}
	if (optind != argc - 1)
		die_usage(optind >= argc ? "no configuration image given" : "more than one image given");
	o.image = argv[optind];
	if (o.recon_png && o.labels)
		die_usage("--recon-png reads the outputs back as images: give --targets (the reference "
			  "reconstructions) or neither, not --labels");
	if (o.labels && o.targets)
		die_usage("give one of --labels or --targets, not both");
	if (!o.images || (!o.labels && !o.targets && !o.recon_png))
		die_usage("--images and one of --labels, --targets or --recon-png are required");
	if (o.values && !o.targets)
		die_usage("--values needs --targets");
	if (o.engine != ENGINE_GOLDEN && o.jobs > 1)
		die_usage("--jobs %ld: --rtl and --cosim run one thread only", o.jobs);
	if (o.jobs < 0) {
		long cores = o.engine == ENGINE_GOLDEN ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
		o.jobs = cores < 1 ? 1 : cores > 1024 ? 1024 : cores;
	}
	return o;
}

/* Per-sample context for the simulator callbacks. */
typedef struct run_ctx {
	engine *eng;
	const snn_output_index *outs;
	uint32_t *counts;
	raster *raster;	/* non-NULL while recording */
	uint32_t step;
	int input_error;
} run_ctx;

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	run_ctx *r = ctx;
	(void)step;
	int32_t k = snn_output_lookup(r->outs, core, neuron);
	if (k >= 0)
		r->counts[k]++;
}

static void on_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	run_ctx *r = ctx;
	raster_add(r->raster, step, core, neuron);
}

static void on_input(void *ctx, uint32_t index)
{
	run_ctx *r = ctx;
	if (r->raster)
		raster_add(r->raster, r->step, -1, index);
	if (engine_input(r->eng, index))
		r->input_error = 1;
}

/* A JSON string literal (paths may hold quotes or backslashes). */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Report a co-simulation divergence and write the waveform before it. */
static int diverged(engine *e, size_t sample, const options *o)
{
	const snn_cosim_diff *d = &e->diff;
	fprintf(stderr, PROG ": co-simulation diverged at sample %zu, step %u: %s\n", sample,
		d->step, d->what);
	snn_diag wd;
	if (snn_cosim_waveform(e->cs, o->wave, (unsigned)o->wave_steps, &wd))
		fprintf(stderr, PROG ": no waveform: %s\n", wd.msg);
	else
		fprintf(stderr, PROG ": waveform of steps %ld..%u of sample %zu in %s\n",
			(long)d->step + 1 > o->wave_steps ? (long)d->step + 1 - o->wave_steps : 0,
			d->step, sample, o->wave);
	return EXIT_MISMATCH;
}

static int fail_input(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	return EXIT_USAGE;
}

/* One thread's share of a run (--jobs): its own engine, encoder and
 * counts; it takes the next sample from a shared counter and writes that
 * sample's class into cls, so the results do not depend on which thread
 * ran which sample, nor on how many threads there were. */
typedef struct worker {
	const options *o;
	const snn_image *img;
	const snn_idx *images, *labels;
	const snn_output_index *outs;
	size_t n, in_size;
	uint32_t steps, encoding;
	raster *rast;	/* the raster sample's; only the thread that runs it writes */
	atomic_size_t *next, *done, *correct;
	atomic_int *stop;	/* a divergence or an error: take no more samples */
	uint32_t *cls;	/* per sample */
	double *values;	/* --targets: per sample, n_outputs values in the model's units */
	double unit;	/* the image's output_scale */
	engine eng;
	bool eng_open, progress;	/* progress: this thread reports it */
	uint64_t input_events;
	int input_error, nomem;
	int status;	/* EXIT_MISMATCH when the co-simulation diverged */
	size_t diverged_at;
} worker;

static void *run_worker(void *arg)
{
	worker *w = arg;
	const uint32_t n_out = w->img->io.n_outputs;
	uint32_t *counts = calloc(n_out, sizeof *counts);
	int32_t *membranes = calloc(n_out, sizeof *membranes);
	snn_encoder enc = {0};
	if (!counts || !membranes || snn_encoder_init(&enc, w->encoding, w->in_size)) {
		w->nomem = 1;
		atomic_store(w->stop, 1);
		goto out;
	}
	run_ctx rc = {.eng = &w->eng, .outs = w->outs, .counts = counts};
	double last_report = now_seconds();
	while (!atomic_load(w->stop)) {
		size_t k = atomic_fetch_add(w->next, 1);
		if (k >= w->n)
			break;
		bool record = (w->o->raster_csv || w->o->raster_png) && (long)k == w->o->raster_sample;
		rc.raster = record ? w->rast : NULL;
		engine_reset(&w->eng);
		memset(counts, 0, n_out * sizeof *counts);
		snn_encoder_start(&enc, w->images->data + k * w->in_size, w->o->seed + k);
		for (uint32_t t = 0; t < w->steps && !w->status; t++) {
			rc.step = t;
			w->input_events += snn_encoder_step(&enc, on_input, &rc);
			if (engine_step(&w->eng, on_output, record ? on_spike : NULL, &rc)) {
				w->status = EXIT_MISMATCH;
				w->diverged_at = k;
				atomic_store(w->stop, 1);
			}
		}
		if (w->status)
			break;
		for (uint32_t j = 0; j < n_out; j++) {
			uint32_t ref;
			engine_get_state(&w->eng, w->img->io.outputs[j].core,
					 w->img->io.outputs[j].neuron, &membranes[j], &ref);
		}
		size_t correct = 0;
		if (w->values) {
			for (uint32_t j = 0; j < n_out; j++)
				w->values[k * n_out + j] = snn_readout_value(w->img, w->unit, w->steps, j, counts[j],
									     membranes[j]);
		} else {
			w->cls[k] = snn_readout_class(w->img->io.readout, n_out, counts, membranes);
			correct = atomic_fetch_add(w->correct, w->cls[k] == w->labels->data[k]) +
				  (w->cls[k] == w->labels->data[k]);
		}
		size_t done = atomic_fetch_add(w->done, 1) + 1;
		double t = now_seconds();
		if (w->progress && w->values && (t - last_report > 0.5 || done == w->n)) {
			fprintf(stderr, "\r" PROG ": %zu/%zu samples", done, w->n);
			last_report = t;
		} else if (w->progress && (t - last_report > 0.5 || done == w->n)) {
			fprintf(stderr, "\r" PROG ": %zu/%zu samples, accuracy %.2f %%", done, w->n,
				100.0 * correct / done);
			last_report = t;
		}
	}
	w->input_error = rc.input_error;
out:
	snn_encoder_free(&enc);
	free(counts);
	free(membranes);
	return NULL;
}

/* What every report says about a run besides its scores. */
typedef struct run_summary {
	const options *o;
	const snn_image *img;
	engine *eng;
	size_t n, jobs;
	uint32_t steps, encoding;
	double per, seconds;	/* per: 1 / n */
	const uint64_t *ctr;
	uint64_t input_events, cycles;
} run_summary;

static void print_json_head(const run_summary *s)
{
	printf("{\"model\": ");
	print_json_string(s->o->image);
	printf(", \"images\": %zu, \"steps\": %u, \"encoding\": \"%s\", \"readout\": \"%s\"", s->n, s->steps,
	       s->encoding == SNN_ENC_RATE ? "rate" : "poisson",
	       s->img->io.readout == SNN_READOUT_SPIKES ? "spikes" : "membrane");
}

static void print_json_activity(const run_summary *s)
{
	printf(", \"sops_per_image\": %.1f, \"spikes_per_image\": %.1f, "
	       "\"input_events_per_image\": %.1f, \"seconds\": %.4f, \"engine\": \"%s\", "
	       "\"cycles_per_image\": %.1f, \"threads\": %zu",
	       (double)s->ctr[SNN_CTR_SYNOPS] * s->per, (double)s->ctr[SNN_CTR_SPIKES] * s->per,
	       (double)s->input_events * s->per, s->seconds, engine_name(s->eng), (double)s->cycles * s->per,
	       s->jobs);
}

static void print_text_head(const run_summary *s)
{
	const engine *eng = s->eng;
	printf("model      %s\n", s->o->image);
	printf("samples    %zu, %u steps each, %s encoding, %s readout\n", s->n, s->steps,
	       s->encoding == SNN_ENC_RATE ? "rate" : "Poisson",
	       s->img->io.readout == SNN_READOUT_SPIKES ? "spike-count" : "membrane");
	if (eng->kind != ENGINE_GOLDEN)
		printf("engine     %s, Verilated RTL (model %s), %.0f clock "
		       "cycles per sample%s\n", engine_name(eng),
		       snn_rtl_name(eng->rtl ? eng->rtl : snn_cosim_rtl(eng->cs)),
		       (double)s->cycles * s->per,
		       eng->kind == ENGINE_COSIM ? "; identical to the golden model" : "");
}

static void print_text_activity(const run_summary *s)
{
	printf("per sample %.0f synaptic ops, %.0f spikes, %.0f input events\n",
	       (double)s->ctr[SNN_CTR_SYNOPS] * s->per, (double)s->ctr[SNN_CTR_SPIKES] * s->per,
	       (double)s->input_events * s->per);
	printf("wall time  %.3f s (%.1f samples/s, %.3g synaptic ops/s", s->seconds,
	       s->seconds > 0 ? s->n / s->seconds : 0.0,
	       s->seconds > 0 ? (double)s->ctr[SNN_CTR_SYNOPS] / s->seconds : 0.0);
	if (s->eng->sim)
		printf(", %s kernels", snn_sim_kernels(s->eng->sim));
	printf(", %zu thread%s", s->jobs, s->jobs == 1 ? "" : "s");
	printf(")\n");
}

/* A score as JSON: null when the targets leave it undefined. */
static void print_json_score(const char *key, bool defined, double v)
{
	if (defined)
		printf(", \"%s\": %.9g", key, v);
	else
		printf(", \"%s\": null", key);
}

/* An image readout (an autoencoder: one output per input value of an input
 * with rows and columns, laid out as it), scored by PSNR: per-pixel MSPE
 * and R^2 say little of an image, and MSPE blows up on the near-black
 * pixels of its targets. A regression with as many outputs as inputs in a
 * row is not one. */
static bool image_readout(const snn_image *img)
{
	snn_diag d;
	return img->cfg.global[SNN_G_INPUT_H] > 1 && img->cfg.global[SNN_G_INPUT_W] > 1 &&
	       recon_check(img, "", &d) == 0;
}

/* The report of a --targets run (docs/snnsim.md, "REAL-VALUED OUTPUTS"). */
static void print_regression(const run_summary *s, const regress_scores *sc)
{
	bool image = image_readout(s->img);
	if (s->o->json) {
		print_json_head(s);
		print_json_score("mse", s->n > 0, sc->mse);
		print_json_score("mspe", sc->has_mspe, sc->mspe);
		print_json_score("r2", sc->has_r2, sc->r2);
		print_json_score("accuracy", sc->binary, sc->accuracy);
		if (image)
			print_json_score("psnr_db", isfinite(recon_psnr(s->img, sc->mse)), recon_psnr(s->img, sc->mse));
		print_json_activity(s);
		printf("}\n");
		return;
	}
	print_text_head(s);
	printf("targets    %s, outputs read back in the model's units (x %g per %s per step)\n",
	       s->o->targets, snn_readout_unit(s->img),
	       s->img->io.readout == SNN_READOUT_SPIKES ? "spike" : "membrane unit");
	printf("MSE        %.6g\n", sc->mse);
	if (image) {
		printf("PSNR       %.2f dB (peak %g, the input's range in the model's units)\n",
		       recon_psnr(s->img, sc->mse), 255.0 * fabs((double)s->img->io.input_scale));
		if (s->o->recon_png)
			printf("images     %s\n", s->o->recon_png);
		print_text_activity(s);
		return;
	}
	if (sc->has_mspe)
		printf("MSPE       %.4g %%\n", sc->mspe);
	else
		printf("MSPE       undefined (a target is 0)\n");
	if (sc->has_r2)
		printf("R^2        %.6f\n", sc->r2);
	else
		printf("R^2        undefined (an output's targets do not vary)\n");
	if (sc->binary)
		printf("accuracy   %.2f %% (0/1 targets; an output above %g predicts 1)\n", 100.0 * sc->accuracy,
		       s->o->decision);
	print_text_activity(s);
}

/* The report of a --recon-png run without --targets: nothing to score. */
static void print_recon(const run_summary *s)
{
	if (s->o->json) {
		print_json_head(s);
		printf(", \"recon_png\": ");
		print_json_string(s->o->recon_png);
		print_json_activity(s);
		printf("}\n");
		return;
	}
	print_text_head(s);
	printf("images     %s: the first %zu inputs and their reconstructions\n", s->o->recon_png,
	       s->n < RECON_MAX_SAMPLES ? s->n : (size_t)RECON_MAX_SAMPLES);
	print_text_activity(s);
}

/* Before any work, every output must be writable and none may be an input
 * or another output of the run. */
static int check_outputs(const options *o)
{
	const snn_file_use files[] = {
		{o->image, "the configuration image"}, {o->images, "--images"}, {o->labels, "--labels"},
		{o->targets, "--targets"},
		{o->raster_csv, "--raster"}, {o->raster_png, "--raster-png"}, {o->values, "--values"},
		{o->recon_png, "--recon-png"},
		{o->engine == ENGINE_COSIM ? o->wave : NULL, "--wave"},
	};
	snn_diag d;
	if (snn_outputs_check(files, sizeof files / sizeof files[0], 4, &d))
		return fail_input(d.msg);
	return 0;
}

int main(int argc, char **argv)
{
	snn_file_guard_inputs();
	options o = parse_args(argc, argv);
	if (check_outputs(&o))
		return EXIT_USAGE;
	snn_diag d;
	snn_image img;
	snn_idx images, labels = {0};
	regress_targets targets = {0};
	if (snn_image_read_file(o.image, &img, &d))
		return fail_input(d.msg);
	if (snn_idx_read(o.images, &images, &d)) {
		snn_image_free(&img);
		return fail_input(d.msg);
	}
	if ((o.recon_png && recon_check(&img, o.image, &d)) ||
	    (o.labels && snn_idx_read(o.labels, &labels, &d)) ||
	    (o.targets && regress_read_targets(o.targets, img.io.n_outputs, &targets, &d))) {
		snn_image_free(&img);
		snn_idx_free(&images);
		return fail_input(d.msg);
	}
	int status = EXIT_USAGE;
	bool real = o.targets || o.recon_png;	/* outputs read back as values */
	double unit = real ? snn_readout_unit(&img) : 0, *values = NULL;
	snn_output_index outs = {0};
	raster rast = {0};
	uint32_t *confusion = NULL, *cls = NULL;
	worker *w = NULL;
	size_t n_workers = 0;	/* with an engine open */
	const snn_config *cfg = &img.cfg;
	size_t in_size = (size_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
			 cfg->global[SNN_G_INPUT_W];
	uint32_t n_out = img.io.n_outputs;
	if (images.item_size != in_size) {
		fprintf(stderr, PROG ": %s: items have %zu values but %s expects %ux%ux%u = %zu inputs\n",
			o.images, images.item_size, o.image, cfg->global[SNN_G_INPUT_C],
			cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W], in_size);
		goto out;
	}
	if (o.targets && targets.count != images.count) {
		fprintf(stderr, PROG ": %s: expected %zu lines of targets, one per item of %s, found %zu\n",
			o.targets, images.count, o.images, targets.count);
		goto out;
	}
	if (real && !(unit > 0)) {
		fprintf(stderr, PROG ": %s: no output_scale in its metadata, so its outputs cannot be read "
				"back as values: compile the model again with this snnc\n", o.image);
		goto out;
	}
	if (o.labels && (labels.item_size != 1 || labels.count != images.count)) {
		fprintf(stderr, PROG ": %s: expected %zu one-byte labels, found %zu of %zu bytes\n",
			o.labels, images.count, labels.count, labels.item_size);
		goto out;
	}
	size_t n = o.limit >= 0 && (size_t)o.limit < images.count ? (size_t)o.limit : images.count;
	if ((o.raster_csv || o.raster_png) && (size_t)o.raster_sample >= n) {
		fprintf(stderr, PROG ": --raster-sample %ld: the run has only %zu samples; no raster\n",
			o.raster_sample, n);
		goto out;
	}
	for (size_t i = 0; o.labels && i < n; i++)
		if (labels.data[i] >= n_out) {
			fprintf(stderr, PROG ": %s: offset %zu: label %u, but the model has %u outputs\n",
				o.labels, 8 + i, labels.data[i], n_out);
			goto out;
		}
	uint32_t steps = o.steps > 0 ? (uint32_t)o.steps : img.io.steps;
	uint32_t encoding = o.encoding >= 0 ? (uint32_t)o.encoding : img.io.encoding;
	/* no more threads than samples, but at least one engine for the report */
	size_t jobs = (size_t)o.jobs < n ? (size_t)o.jobs : n ? n : 1;
	w = calloc(jobs, sizeof *w);
	confusion = calloc((size_t)n_out * n_out, sizeof *confusion);
	cls = calloc(n ? n : 1, sizeof *cls);
	values = real ? calloc(n ? n * n_out : 1, sizeof *values) : NULL;
	if (!w || !confusion || !cls || (real && !values) || snn_output_index_init(&outs, &img)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	atomic_size_t next = 0, done = 0, n_correct = 0;
	atomic_int stop = 0;
	bool progress = !o.quiet && isatty(2) && n > 1;
	for (; n_workers < jobs; n_workers++) {
		worker *wk = &w[n_workers];
		if (engine_open(&wk->eng, o.engine, cfg, &d)) {
			fprintf(stderr, PROG ": %s: %s\n", o.image, d.msg);
			goto out;
		}
		wk->eng_open = true;
		wk->eng.state_every = o.check_state > 0 ? (unsigned)o.check_state : steps;
		*wk = (worker){.o = &o, .img = &img, .images = &images, .labels = &labels,
			       .outs = &outs, .n = n, .in_size = in_size, .steps = steps,
			       .encoding = encoding, .rast = &rast, .next = &next, .done = &done,
			       .correct = &n_correct, .stop = &stop, .cls = cls, .values = values,
			       .unit = unit, .eng = wk->eng,
			       .eng_open = true, .progress = progress && n_workers == 0};
	}
	double t0 = now_seconds();
	pthread_t *tid = calloc(jobs, sizeof *tid);
	size_t started = 1;	/* thread 0 is this one */
	for (; tid && started < jobs; started++)
		if (pthread_create(&tid[started], NULL, run_worker, &w[started]))
			break;	/* fewer threads: the others take their samples */
	run_worker(&w[0]);
	for (size_t i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	double seconds = now_seconds() - t0;
	if (progress)
		fputc('\n', stderr);
	uint64_t input_events = 0, ctr[SNN_CTR_COUNT] = {0}, cycles = 0;
	bool input_error = false, nomem = false;
	for (size_t i = 0; i < jobs; i++) {
		if (w[i].status) {	/* only --cosim, which runs one thread */
			status = diverged(&w[i].eng, w[i].diverged_at, &o);
			goto out;
		}
		input_error |= w[i].input_error;
		nomem |= w[i].nomem;
		input_events += w[i].input_events;
		const uint64_t *c = engine_counters(&w[i].eng);
		for (int j = 0; j < SNN_CTR_COUNT; j++)
			ctr[j] += c[j];
		cycles += engine_cycles(&w[i].eng);
	}
	if (nomem) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if (input_error) {
		fprintf(stderr, PROG ": input events refused by the simulator\n");
		goto out;
	}
	size_t correct = 0;
	for (size_t k = 0; o.labels && k < n; k++) {
		confusion[(size_t)labels.data[k] * n_out + cls[k]]++;
		correct += cls[k] == labels.data[k];
	}
	if (o.raster_csv && raster_write_csv(&rast, o.raster_csv, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	raster_plot plot = {.image_path = o.image, .sample = (size_t)o.raster_sample, .steps = steps};
	if (o.raster_png && raster_write_plot(&rast, &img, &plot, o.raster_png, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	if (o.values && regress_write_values(o.values, values, n, n_out, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	engine *eng = &w[0].eng;
	double per = n ? 1.0 / (double)n : 0.0;
	run_summary sum = {.o = &o, .img = &img, .eng = eng, .n = n, .steps = steps, .encoding = encoding,
			   .per = per, .ctr = ctr, .input_events = input_events, .seconds = seconds,
			   .cycles = cycles, .jobs = jobs};
	regress_scores sc = {0};
	if (o.targets)
		regress_score(&targets, values, n, o.decision, &sc);
	recon_grid grid = {.img = &img, .image_path = o.image, .inputs = images.data, .values = values,
			   .targets = o.targets ? targets.v : NULL, .n = n, .steps = steps, .mse = sc.mse};
	if (o.recon_png && recon_write_png(&grid, o.recon_png, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	if (o.targets || o.recon_png) {
		if (o.targets)
			print_regression(&sum, &sc);
		else
			print_recon(&sum);
		status = 0;
		goto out;
	}
	double accuracy = n ? (double)correct / (double)n : 0.0;
	if (o.json) {
		print_json_head(&sum);
		printf(", \"accuracy\": %.6f, \"correct\": %zu", accuracy, correct);
		print_json_activity(&sum);
		printf(", \"confusion\": [");
		for (uint32_t a = 0; a < n_out; a++) {
			printf("%s[", a ? ", " : "");
			for (uint32_t b = 0; b < n_out; b++)
				printf("%s%u", b ? ", " : "", confusion[(size_t)a * n_out + b]);
			printf("]");
		}
		printf("]}\n");
	} else {
		print_text_head(&sum);
		printf("accuracy   %.2f %% (%zu/%zu)\n", 100.0 * accuracy, correct, n);
		print_text_activity(&sum);
		printf("confusion  (rows: label, columns: predicted)\n      ");
		for (uint32_t b = 0; b < n_out; b++)
			printf("%6u", b);
		printf("\n");
		for (uint32_t a = 0; a < n_out; a++) {
			printf("%6u", a);
			for (uint32_t b = 0; b < n_out; b++)
				printf("%6u", confusion[(size_t)a * n_out + b]);
			printf("\n");
		}
	}
	status = 0;
out:
	raster_free(&rast);
	snn_output_index_free(&outs);
	free(confusion);
	free(cls);
	free(values);
	regress_targets_free(&targets);
	for (size_t i = 0; w && i < n_workers; i++)
		if (w[i].eng_open)
			engine_close(&w[i].eng);
	free(w);
	snn_idx_free(&images);
	snn_idx_free(&labels);
	snn_image_free(&img);
	return stdout_status(status);
}
