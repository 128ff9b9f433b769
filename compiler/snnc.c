/* snnc: the ONNX to spiking-network compiler (docs/snnc.md).
 *   snnc [compile] MODEL.onnx -o OUT.cfg   compile to a configuration image
 *   snnc convert MODEL.onnx -o OUT.onnx    write ONNX-SNN
 *   snnc info MODEL.onnx                   what the model is and whether it fits
 *   snnc eval MODEL.onnx --images --labels the ANN's float accuracy
 *   snnc decompile IMAGE.cfg -o OUT.onnx   an image back to ONNX-SNN
 *   snnc export-nir IMAGE.cfg -o OUT.nir   an image as NIR
 *   snnc --list-ops                        supported operators */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bias_correct.h"
#include "convert.h"
#include "decompile.h"
#include "ir.h"
#include "net.h"
#include "nir.h"
#include "percentile_choice.h"
#include "report.h"
#include "snn/encode.h"
#include "snn/file.h"

#define PROG "snnc"
#define EXIT_INPUT 1

static const char usage_text[] =
	"Usage: snnc [compile] MODEL.onnx -o OUT.cfg [options]\n"
	"       snnc convert MODEL.onnx -o MODEL.snn.onnx [options]\n"
	"       snnc info MODEL.onnx [--target PROFILE]\n"
	"       snnc eval MODEL.onnx --images IMAGES --labels LABELS [--limit N]\n"
	"       snnc decompile IMAGE.cfg -o MODEL.snn.onnx\n"
	"       snnc export-nir IMAGE.cfg -o MODEL.nir\n"
	"       snnc --list-ops\n"
	"\n"
	"Compile a trained network (ONNX, or ONNX-SNN with snn.LIF/IF neurons) into a\n"
	"configuration image for the LIF core array: activations become spiking\n"
	"neurons, weights are normalised and quantised, layers are mapped onto cores.\n"
	"decompile turns a configuration image back into a quantised ONNX-SNN model that\n"
	"compiles to the same image, byte for byte (docs/onnx-snn.md). MODEL may also be\n"
	"a NIR file (.nir or HDF5; docs/nir.md); export-nir writes an image as NIR.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE       the image (compile), ONNX-SNN model (convert, decompile) or\n"
	"                          NIR file (export-nir)\n"
	"      --calib IMAGES      IDX images to measure the activation scales on (without\n"
	"                          them: 256 synthetic images over the input range)\n"
	"      --calib-limit N     calibration images to use (default 500)\n"
	"      --calib-labels F    their labels, for the report's accuracy per step count\n"
	"      --no-bias-correction  with --calib, keep the biases as trained (by default each\n"
	"                          spiking layer's bias is shifted per channel by the mean\n"
	"                          rate error the golden simulator shows on the --calib images)\n"
	"      --threshold-search  with --calib, before each layer's bias correction try a few\n"
	"                          multiples of its scale on the golden simulator and keep\n"
	"                          the best (off by default; docs/snnc.md, THRESHOLD SEARCH)\n"
	"      --percentile P      activation percentile per layer that one spike per step\n"
	"                          stands for, or auto: the scale with the least clipping\n"
	"                          plus rate rounding error at -T steps (default: with\n"
	"                          --calib, 99.99 or auto, whichever the golden simulator\n"
	"                          finds clearly closer to the ANN; 99.99 with\n"
	"                          --no-bias-correction; without --calib, auto or 99.5,\n"
	"                          whichever is clearly closer to the ANN on the synthetic\n"
	"                          images)\n"
	"  -T, --steps N           time steps per sample written into the image (default 32)\n"
	"      --target PROFILE    device geometry: sim (default), icebreaker or ulx3s\n"
	"                          (docs/geometry.md); info without it tries each\n"
	"      --weight-bits B     quantised weight width (default 8)\n"
	"      --readout MODE      membrane (default) or spikes\n"
	"      --v-init F          initial membrane as a fraction of the threshold (default 0.5)\n"
	"      --input-scale S     the model saw a pixel p as p*S+O (default 1/255)\n"
	"      --input-offset O    (default 0)\n"
	"      --mean M --std S    the same as S = 1/(255*std), O = -mean/std\n"
	"      --nir-dt S          a NIR model's LIF time step in seconds (default: from\n"
	"                          snnTorch's r = tau/dt if present, else 0.001)\n"
	"      --nir-reset MODE    reset a NIR model's neurons by zero or subtract (default:\n"
	"                          the file's v_reset, which must be 0)\n"
	"      --approximate       accept MaxPool (as average) and other activations (as IF)\n"
	"      --allow-outliers    warn about, instead of refusing, a layer whose scale one outlier\n"
	"                          weight sets, whose weights all quantise to 0, or whose biases clip\n"
	"      --report FILE       write the conversion report (needs --calib), and its\n"
	"                          charts beside it: FILE-rates, FILE-accuracy (.png, .svg)\n"
	"      --images F --labels F --limit N   data for eval\n"
	"  -v, --verbose           the mapping table and progress\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 success; 1 usage error, bad or unsupported model, or a model that\n"
	"does not fit the target (the message names the node or layer and by how much).\n";

typedef struct cli {
	const char *cmd, *model, *output, *calib, *calib_labels, *report, *images, *labels;
	long calib_limit, limit;
	float mean, std;
	bool have_mean;
	bool target_set;	/* --target given */
	bool no_bias_correction;
	bool percentile_default;	/* no --percentile: snnc chooses (percentile_choice.h) */
	bool threshold_search;
	const char *tuned;	/* an option a quantised ONNX-SNN records (it wins) */
	nir_import_options nir;
	bool nir_set;	/* --nir-dt or --nir-reset given */
	snnc_options opt;
} cli;

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	va_end(ap);
	exit(EXIT_INPUT);
}

static double parse_num(const char *s, const char *opt, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= lo && v <= hi))
		die_usage("%s takes a number from %g to %g, not '%s'", opt, lo, hi, s);
	return v;
}

/* Counts are decimal whole numbers: "1.5" or "0x20" is a mistake, not 1 or 32. */
static long parse_whole(const char *s, const char *opt, long lo, long hi)
{
	char *end = (char *)s;
	errno = 0;
	long v = *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : 0;	/* no sign, no space */
	if (errno || *end || end == s || v < lo || v > hi)
		die_usage("%s takes a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
	return v;
}

/* Exit status once standard output is flushed: a failed write there is
 * an error, not a success. */
static int stdout_status(int status)
{
	return snn_stdout_status(PROG, status, EXIT_INPUT);
}

static void list_ops(void)
{
	printf("%-22s %-6s %s\n", "operator", "domain", "limits");
	for (size_t i = 0; ir_op_at(i); i++) {
		const ir_op *op = ir_op_at(i);
		printf("%-22s %-6s %s\n", op->op_type, *op->domain ? op->domain : "onnx", op->limits);
	}
	/* not in the table: compiler/linear_ml.c rewrites them as a Gemm first */
	printf("%-22s %-6s %s\n", "LinearRegressor", "ai.onnx.ml",
	       "scikit-learn's linear regressions: one layer, a readout per target; post_transform NONE");
	printf("%-22s %-6s %s\n", "LinearClassifier", "ai.onnx.ml",
	       "scikit-learn's linear classifiers: one layer, a readout per class; the label's Cast, ZipMap, "
	       "Normalizer and ArrayFeatureExtractor after it are dropped");
}

static cli parse_args(int argc, char **argv)
{
	enum { O_CALIB = 256, O_CALIB_LIMIT, O_CALIB_LABELS, O_PERCENTILE, O_TARGET, O_WBITS, O_READOUT,
	       O_VINIT, O_ISCALE, O_IOFFSET, O_MEAN, O_STD, O_APPROX, O_REPORT, O_IMAGES, O_LABELS,
	       O_LIMIT, O_LIST, O_OUTLIERS, O_NIR_DT, O_NIR_RESET, O_NO_BIAS, O_THRESHOLD };
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'}, {"calib", required_argument, NULL, O_CALIB},
		{"calib-limit", required_argument, NULL, O_CALIB_LIMIT},
		{"calib-labels", required_argument, NULL, O_CALIB_LABELS},
		{"no-bias-correction", no_argument, NULL, O_NO_BIAS},
		{"threshold-search", no_argument, NULL, O_THRESHOLD},
		{"percentile", required_argument, NULL, O_PERCENTILE},
		{"steps", required_argument, NULL, 'T'}, {"target", required_argument, NULL, O_TARGET},
		{"weight-bits", required_argument, NULL, O_WBITS},
		{"readout", required_argument, NULL, O_READOUT}, {"v-init", required_argument, NULL, O_VINIT},
		{"input-scale", required_argument, NULL, O_ISCALE},
		{"input-offset", required_argument, NULL, O_IOFFSET},
		{"mean", required_argument, NULL, O_MEAN}, {"std", required_argument, NULL, O_STD},
		{"approximate", no_argument, NULL, O_APPROX}, {"report", required_argument, NULL, O_REPORT},
		{"allow-outliers", no_argument, NULL, O_OUTLIERS},
		{"nir-dt", required_argument, NULL, O_NIR_DT}, {"nir-reset", required_argument, NULL, O_NIR_RESET},
		{"images", required_argument, NULL, O_IMAGES}, {"labels", required_argument, NULL, O_LABELS},
		{"limit", required_argument, NULL, O_LIMIT}, {"list-ops", no_argument, NULL, O_LIST},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cli c = {.calib_limit = 500, .limit = -1, .std = 1.0f, .nir = {.reset = -1, .notes = stderr}};
	c.opt = (snnc_options){.target = snn_profile_default(), .weight_bits = 8, .steps = 32,
			       .percentile = -1, .v_init = 0.5f,
			       .readout = SNN_READOUT_MEMBRANE, .input_scale = 1.0f / 255.0f};
	int ch;
	/* What a quantised ONNX-SNN records: compiling one refuses these. */
	static const struct {
		int ch;
		const char *name;
	} tuning[] = {{O_PERCENTILE, "--percentile"}, {'T', "--steps"}, {O_WBITS, "--weight-bits"},
		      {O_READOUT, "--readout"}, {O_VINIT, "--v-init"}, {O_ISCALE, "--input-scale"},
		      {O_IOFFSET, "--input-offset"}, {O_MEAN, "--mean"}, {O_STD, "--std"}};
	while ((ch = getopt_long(argc, argv, "o:T:vh", longopts, NULL)) != -1) {
		for (size_t i = 0; i < sizeof tuning / sizeof tuning[0]; i++)
			if (ch == tuning[i].ch)
				c.tuned = tuning[i].name;
		switch (ch) {
		case 'o': c.output = optarg; break;
		case O_CALIB: c.calib = optarg; break;
		case O_CALIB_LIMIT: c.calib_limit = parse_whole(optarg, "--calib-limit", 1, 10000000); break;
		case O_CALIB_LABELS: c.calib_labels = optarg; break;
		case O_NO_BIAS: c.no_bias_correction = true; break;
		case O_THRESHOLD: c.threshold_search = true; break;
		case O_PERCENTILE:
			c.opt.percentile = !strcmp(optarg, "auto") ? SNN_PERCENTILE_AUTO
				: (float)parse_num(optarg, "--percentile", 50, 100);
			break;
		case 'T': c.opt.steps = (unsigned)parse_whole(optarg, "--steps", 1, 1000000); break;
		case O_TARGET:
			if (!(c.opt.target = snn_profile_find(optarg)))
				die_usage("unknown --target '%s' (sim, icebreaker or ulx3s)", optarg);
			c.target_set = true;
			break;
		case O_WBITS: c.opt.weight_bits = (unsigned)parse_whole(optarg, "--weight-bits", 2, 16); break;
		case O_READOUT:
			if (!strcmp(optarg, "membrane"))
				c.opt.readout = SNN_READOUT_MEMBRANE;
			else if (!strcmp(optarg, "spikes"))
				c.opt.readout = SNN_READOUT_SPIKES;
			else
				die_usage("--readout is membrane or spikes, not '%s'", optarg);
			break;
		case O_VINIT: c.opt.v_init = (float)parse_num(optarg, "--v-init", 0, 1); break;
		case O_ISCALE: c.opt.input_scale = (float)parse_num(optarg, "--input-scale", -1e6, 1e6); break;
		case O_IOFFSET: c.opt.input_offset = (float)parse_num(optarg, "--input-offset", -1e6, 1e6); break;
		case O_MEAN: c.mean = (float)parse_num(optarg, "--mean", -1e6, 1e6); c.have_mean = true; break;
		case O_STD: c.std = (float)parse_num(optarg, "--std", 1e-9, 1e6); c.have_mean = true; break;
		case O_APPROX: c.opt.approximate = true; break;
		case O_OUTLIERS: c.opt.allow_outliers = true; break;
		case O_NIR_DT: c.nir.dt = parse_num(optarg, "--nir-dt", 1e-9, 1e3); c.nir_set = true; break;
		case O_NIR_RESET:
			if (!strcmp(optarg, "zero"))
				c.nir.reset = SNN_RESET_ZERO;
			else if (!strcmp(optarg, "subtract"))
				c.nir.reset = SNN_RESET_SUBTRACT;
			else
				die_usage("--nir-reset is zero or subtract, not '%s'", optarg);
			c.nir_set = true;
			break;
		case O_REPORT: c.report = optarg; break;
		case O_IMAGES: c.images = optarg; break;
		case O_LABELS: c.labels = optarg; break;
		case O_LIMIT: c.limit = parse_whole(optarg, "--limit", 0, 1000000000); break;
		case O_LIST: list_ops(); exit(stdout_status(0));
		case 'v': c.opt.verbose++; break;
		case 'h': fputs(usage_text, stdout); exit(stdout_status(0));
		default: die_usage("unknown option");
		}
	}
	if (c.have_mean) {	/* x = (p/255 - mean) / std */
		c.opt.input_scale = 1.0f / (255.0f * c.std);
		c.opt.input_offset = -c.mean / c.std;
	}
	if (c.opt.weight_bits > c.opt.target->geo.weight_bits)
		die_usage("--weight-bits %u exceeds the %s target's %u", c.opt.weight_bits,
			  c.opt.target->name, c.opt.target->geo.weight_bits);
	static const char *const cmds[] = {"compile", "convert", "info", "eval", "decompile", "export-nir",
					     NULL};
	c.cmd = "compile";
	for (int i = 0; cmds[i] && optind < argc; i++)
		if (!strcmp(argv[optind], cmds[i]) && optind + 1 < argc) {
			c.cmd = cmds[i];
			optind++;
			break;
		}
	if (optind != argc - 1)
		die_usage(optind >= argc ? "no model given" : "one model at a time");
	c.model = argv[optind];
	bool image_in = !strcmp(c.cmd, "decompile") || !strcmp(c.cmd, "export-nir");
	bool needs_output = !strcmp(c.cmd, "compile") || !strcmp(c.cmd, "convert") || image_in;
	if (needs_output && !c.output)
		die_usage("-o OUTPUT is required");
	if (!strcmp(c.cmd, "eval") && (!c.images || !c.labels))
		die_usage("eval needs --images and --labels");
	if (c.report && !c.calib)
		die_usage("--report needs --calib images");
	if (c.no_bias_correction && !c.calib)
		die_usage("--no-bias-correction needs --calib: without calibration images no bias is corrected");
	if (c.threshold_search && (!c.calib || c.no_bias_correction))
		die_usage("--threshold-search needs --calib and the bias correction: it tunes the scales the "
			  "correction then corrects, on the calibration images");
	c.opt.threshold_search = c.threshold_search;
	/* The default scale: on real data the 99.99th percentile (the error-
	 * optimal one costs the Fashion BN fixture 0.75 points there), or the
	 * error-optimal one where the golden simulator finds it clearly closer
	 * to the ANN (percentile_choice.h); on synthetic images, whose largest
	 * activations are the least like real data's, the error-optimal one,
	 * or the 99.5th percentile where it is clearly closer on them. */
	c.percentile_default = c.opt.percentile < 0;
	if (c.opt.percentile < 0)
		c.opt.percentile = c.calib ? 99.99f : SNN_PERCENTILE_AUTO;
	if (image_in && (c.calib || c.report || c.images || c.labels || c.tuned || c.target_set || c.nir_set))
		die_usage("%s takes an image and -o only: the image holds its settings", c.cmd);
	if (c.nir_set && !image_in && !nir_is_nir_path(c.model))
		die_usage("--nir-dt and --nir-reset are for NIR models; %s is not one", c.model);
	return c;
}

static const char *model_kind(const ir_graph *g)
{
	if (g->linear_ml)
		return "classic machine learning (ai.onnx.ml linear model), compiled as one layer";
	if (g->has_ml_ops)
		return "classic machine learning (ai.onnx.ml operators)";
	if (!g->model)	/* only the NIR importer builds a graph without an ONNX model */
		return "spiking neural network (NIR)";
	if (g->snn_opset)
		return "spiking neural network (ONNX-SNN, snn domain)";
	return "deep neural network";
}

/* What info says of every model it can read, whether or not it compiles. */
static void info_header(const cli *c, const ir_graph *g)
{
	char shape[96];
	printf("model     %s\nkind      %s\nproducer  %s, opset %lld\n", c->model, model_kind(g),
	       g->producer ? g->producer : "?", (long long)g->opset);
	if (g->input >= 0)
		printf("input     %s %s\n", g->tensors[g->input].name,
		       ir_shape_str(&g->tensors[g->input], shape, sizeof shape));
	for (int i = 0; i < g->n_outputs; i++)
		printf("output    %s %s\n", g->tensors[g->outputs[i]].name,
		       ir_shape_str(&g->tensors[g->outputs[i]], shape, sizeof shape));
}

/* info on a model the front end refuses: what it is, then one line per
 * node no operator takes (or the one refusal resolve stopped at). */
static void info_refused(const cli *c, const ir_graph *g, const snn_diag *d)
{
	char why[400];
	int count = 0;
	info_header(c, g);
	for (int k = 0; k < g->n_nodes; k++) {
		const ir_node *n = &g->nodes[k];
		if (ir_node_refusal(n, c->opt.approximate, why, sizeof why)) {
			printf("refused   node %s (%s): %s\n", n->name, n->op_type, why);
			count++;
		}
	}
	if (!count)
		printf("refused   %s\n", d->msg);
	printf("fits      no: the model does not compile (above)\n");
}

static int load_model(const cli *c, ir_graph *g)
{
	snn_diag d;
	if (nir_is_nir_path(c->model) ? nir_import(c->model, &c->nir, g, &d) : ir_load(c->model, g, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_INPUT;
	}
	if (g->has_ml_ops && !ir_is_linear_ml(g) && !strcmp(c->cmd, "info"))
		return 0;	/* info describes it; nothing here can run it */
	if (ir_resolve(g, c->opt.approximate, &d)) {
		if (!strcmp(c->cmd, "info")) {
			info_refused(c, g, &d);
			fflush(stdout);
		}
		fprintf(stderr, PROG ": %s\n", d.msg);
		ir_free(g);
		return EXIT_INPUT;
	}
	return 0;
}

/* Read an IDX file whose items must match the model's input. */
static int load_idx(const char *path, const ir_graph *g, snn_idx *idx)
{
	snn_diag d;
	if (snn_idx_read(path, idx, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_INPUT;
	}
	int64_t want = ir_numel(&g->tensors[g->input]);
	if ((int64_t)idx->item_size != want) {
		fprintf(stderr, PROG ": %s: items have %zu values, the model's input %s has %lld\n", path,
			idx->item_size, g->tensors[g->input].name, (long long)want);
		snn_idx_free(idx);
		return EXIT_INPUT;
	}
	return 0;
}

/* The ANN's float accuracy: the reference the spiking network is held to. */
static int cmd_eval(const cli *c, const ir_graph *g)
{
	snn_idx x, y;
	snn_diag d;
	if (load_idx(c->images, g, &x))
		return EXIT_INPUT;
	if (snn_idx_read(c->labels, &y, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		snn_idx_free(&x);
		return EXIT_INPUT;
	}
	if (y.item_size != 1 || y.count != x.count) {
		fprintf(stderr, PROG ": %s: expected %zu one-byte labels (one per image of %s), found %zu of %zu bytes\n",
			c->labels, x.count, c->images, y.count, y.item_size);
		snn_idx_free(&x);
		snn_idx_free(&y);
		return EXIT_INPUT;
	}
	ir_values vals = {0};
	size_t n = c->limit >= 0 && (size_t)c->limit < x.count ? (size_t)c->limit : x.count;
	float *in = malloc(x.item_size * sizeof *in);
	if (!in || ir_values_init(g, &vals)) {
		fprintf(stderr, PROG ": out of memory\n");
		free(in);
		snn_idx_free(&x);
		snn_idx_free(&y);
		return EXIT_INPUT;
	}
	size_t correct = 0;
	int out = g->outputs[0];
	int64_t k = ir_numel(&g->tensors[out]);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < x.item_size; j++)
			in[j] = x.data[i * x.item_size + j] * c->opt.input_scale + c->opt.input_offset;
		ir_run(g, &vals, in);
		const float *logits = vals.v[out];
		int64_t best = 0;
		for (int64_t j = 1; j < k; j++)
			if (logits[j] > logits[best])
				best = j;
		correct += best == y.data[i];
	}
	printf("%s: float accuracy %.2f %% (%zu/%zu)\n", c->model, n ? 100.0 * correct / n : 0.0, correct, n);
	free(in);
	ir_values_free(&vals);
	snn_idx_free(&x);
	snn_idx_free(&y);
	return 0;
}

/* Map net onto opt->target and say whether it fits: with detail, the
 * mapping table and every budget's use; else one line. Mapping may turn a
 * dense layer into a conv layer, so it works on a copy of the layers. */
static void fits_on(const snn_net *net, const snnc_options *opt, bool detail)
{
	snn_net copy;
	snn_diag d;
	snn_mapping m;
	if (snn_net_copy(&copy, net)) {
		printf("fits      ?, on %s: out of memory\n", opt->target->name);
		return;
	}
	if (snn_map(&copy, opt, &m, &d) == 0) {
		if (detail) {
			printf("\n");
			snn_mapping_print(&copy, &m, opt, stdout);
		}
		printf("fits      yes, on %-10s %d of %u cores, %lld of %llu neurons, %lld of %llu synapse "
		       "words\n",
		       opt->target->name, m.n_slices, opt->target->geo.n_cores, (long long)m.use.neurons,
		       (unsigned long long)snn_geometry_neuron_total(&opt->target->geo),
		       (long long)(m.use.synapses + m.use.state),
		       (unsigned long long)snn_geometry_synapse_total(&opt->target->geo));
		snn_mapping_free(&m);
	} else {
		printf("fits      no, on %-11s %s\n", opt->target->name, d.msg);
	}
	snn_net_free(&copy);
}

static int cmd_info(const cli *c, const ir_graph *g)
{
	info_header(c, g);
	if (g->has_ml_ops) {
		char why[600];
		for (int k = 0; k < g->n_nodes; k++)
			if (ir_node_refusal(&g->nodes[k], false, why, sizeof why))
				printf("refused   node %s (%s): %s\n", g->nodes[k].name, g->nodes[k].op_type, why);
		printf("fits      no: of classic ML models only linear ones run on the LIF core array\n");
		return 0;
	}
	int64_t params = 0;
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].producer < 0 && g->tensors[t].f && t != g->input)
			params += ir_numel(&g->tensors[t]);
	printf("params    %lld\n", (long long)params);
	snn_net net;
	snn_diag d;
	snnc_options opt = c->opt;
	opt.verbose = -1;
	opt.size_only = true;	/* sizes only: no synthetic calibration run */
	if (snn_lower(g, &opt, &net, &d)) {
		printf("fits      no: %s\n", d.msg);
		return 0;
	}
	snn_normalise(g, &net, NULL, &opt, &d);
	if (snn_quantise(&net, &opt, &d)) {
		printf("fits      no: %s\n", d.msg);
		snn_net_free(&net);
		return 0;
	}
	if (c->target_set) {
		fits_on(&net, &opt, true);
	} else {	/* one line per profile: where does it run, and what is short */
		for (unsigned i = 0; i < snn_profile_count(); i++) {
			opt.target = snn_profile_at(i);
			fits_on(&net, &opt, false);
		}
	}
	snn_net_free(&net);
	return 0;
}

static int cmd_compile(cli *c, const ir_graph *g)
{
	snn_diag d;
	snn_net net;
	snn_idx calib = {0}, calib_labels = {0};
	snn_mapping m = {0};
	snn_image img = {0};
	int status = EXIT_INPUT;
	bool quantised = snnc_is_quantised(g);
	if (quantised && (c->calib || c->calib_labels || c->report || c->tuned)) {
		fprintf(stderr, PROG ": %s: a quantised ONNX-SNN (from snnc decompile) records its integers and "
			"settings; compile it without %s\n", c->model,
			c->tuned ? c->tuned : c->calib ? "--calib" : c->report ? "--report" : "--calib-labels");
		return EXIT_INPUT;
	}
	if (quantised && snnc_quantised_options(g, &c->opt, c->target_set, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_INPUT;
	}
	if (c->calib && load_idx(c->calib, g, &calib))
		return EXIT_INPUT;
	if (c->calib_labels && snn_idx_read(c->calib_labels, &calib_labels, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	if (snn_lower(g, &c->opt, &net, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	snn_calib cal = {calib.data, calib.count < (size_t)c->calib_limit ? calib.count : (size_t)c->calib_limit,
			 calib.item_size, false};
	c->opt.calib_images = cal.count;
	/* No --percentile: with the bias correction the 99.99th percentile or
	 * the error-optimal scale, without data the error-optimal scale or
	 * the 99.5th percentile, whichever the golden simulator finds clearly
	 * closer to the ANN (docs/snnc.md, "SCALES AT T"). */
	bool choose = !quantised && c->percentile_default && !(c->calib && c->no_bias_correction);
	if ((quantised ? snnc_quantised_apply(g, &net, &c->opt, &d)
	     : choose ? (c->calib ? snn_percentile_choose(g, &net, &cal, &c->opt, &d)
			    : snn_percentile_choose_synthetic(g, &net, &c->opt, &d))
		      : snn_normalise(g, &net, c->calib ? &cal : NULL, &c->opt, &d) || snn_quantise(&net, &c->opt, &d)) ||
	    (!quantised && !choose && c->calib && !c->no_bias_correction &&
	     snn_bias_correct(g, &net, &cal, &c->opt, NULL, &d)) ||
	    snn_map(&net, &c->opt, &m, &d) || snn_emit(&net, &m, &c->opt, g, &img, &d) ||
	    (quantised && snnc_quantised_finish(g, &c->opt, &img, &d))) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out_net;
	}
	if (c->opt.verbose)
		snn_mapping_print(&net, &m, &c->opt, stderr);
	if (snn_image_write_file(&img, c->output, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out_net;
	}
	status = 0;
	if (c->report) {
		snnc_report_input rin = {.calib = &cal, .labels = calib_labels.data,
					 .n_labels = calib_labels.count};
		if (snnc_report(g, &net, &m, &img, &c->opt, &rin, c->report, stdout, &d)) {
			fprintf(stderr, PROG ": %s\n", d.msg);
			status = EXIT_INPUT;
		}
	}
out_net:
	snn_image_free(&img);
	snn_mapping_free(&m);
	snn_net_free(&net);
out:
	snn_idx_free(&calib);
	snn_idx_free(&calib_labels);
	return status;
}

static int cmd_convert(cli *c, const ir_graph *g)
{
	snn_diag d;
	snn_net net;
	snn_idx calib = {0};
	int status = EXIT_INPUT;
	if (!g->model) {	/* convert rewrites the parsed ONNX model it came from */
		fprintf(stderr, PROG ": %s is a NIR model; convert writes ONNX-SNN from ONNX: compile it instead\n",
			c->model);
		return EXIT_INPUT;
	}
	if (snnc_is_quantised(g)) {	/* its neuron nodes would lose their integers */
		fprintf(stderr, PROG ": %s is a quantised ONNX-SNN (from snnc decompile) already; compile it\n",
			c->model);
		return EXIT_INPUT;
	}
	if (c->calib && load_idx(c->calib, g, &calib))
		return EXIT_INPUT;
	snn_calib cal = {calib.data, calib.count < (size_t)c->calib_limit ? calib.count : (size_t)c->calib_limit,
			 calib.item_size, false};
	/* without data, the scale compile would choose (the choice judges
	 * quantised candidates, so it runs on a copy; it has said its notes) */
	snn_net trial = {0};
	bool choose = !c->calib && c->percentile_default;
	snnc_options opt = c->opt;
	int rc = snn_lower(g, &opt, &net, &d);
	if (!rc && choose) {
		rc = snn_net_copy(&trial, &net) ? snn_fail(&d, SNN_ERR_NOMEM, "out of memory copying the network")
						: snn_percentile_choose_synthetic(g, &trial, &opt, &d);
		opt.verbose = -1;
	}
	if (rc || snn_normalise(g, &net, c->calib ? &cal : NULL, &opt, &d) || snnc_write_onnx_snn(g, &net, c->output, &d))
		fprintf(stderr, PROG ": %s\n", d.msg);
	else
		status = 0;
	snn_net_free(&trial);
	snn_net_free(&net);
	snn_idx_free(&calib);
	return status;
}

/* Before any work, every output must be writable and none may be an input
 * or another output of the run: a mistake costs nothing, and nothing read
 * is replaced. Files the model refers to are checked when written. */
static int check_outputs(const cli *c)
{
	if (!strcmp(c->cmd, "info") || !strcmp(c->cmd, "eval"))
		return 0;	/* they write nothing */
	const snn_file_use files[] = {
		{c->model, strcmp(c->cmd, "decompile") && strcmp(c->cmd, "export-nir") ? "the model" : "the image"},
		{c->calib, "--calib"},
		{c->calib_labels, "--calib-labels"}, {c->output, "-o"}, {c->report, "--report"},
	};
	snn_diag d;
	if (snn_outputs_check(files, sizeof files / sizeof files[0], 3, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_INPUT;
	}
	return 0;
}

/* decompile and export-nir: an image in, a model out. */
static int cmd_from_image(const cli *c)
{
	snn_diag d;
	if (!strcmp(c->cmd, "export-nir") ? nir_export_image(c->model, c->output, stderr, &d)
					   : snnc_decompile(c->model, c->output, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_INPUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	snn_file_guard_inputs();
	cli c = parse_args(argc, argv);
	ir_graph g;
	if (check_outputs(&c))
		return EXIT_INPUT;
	if (!strcmp(c.cmd, "decompile") || !strcmp(c.cmd, "export-nir"))
		return stdout_status(cmd_from_image(&c));
	if (load_model(&c, &g))
		return EXIT_INPUT;
	int rc;
	if (!strcmp(c.cmd, "info"))
		rc = cmd_info(&c, &g);
	else if (!strcmp(c.cmd, "eval"))
		rc = cmd_eval(&c, &g);
	else if (!strcmp(c.cmd, "convert"))
		rc = cmd_convert(&c, &g);
	else
		rc = cmd_compile(&c, &g);
	ir_free(&g);
	return stdout_status(rc);
}
