/* Normalisation: choose each layer's activation scale lambda (the ANN value
 * that one spike per step stands for) and rescale weights and biases so
 * every layer works in rates of 0..1 spikes per step (Rueckauer et al.,
 * 2017: data-based percentile; Diehl et al., 2015: weight-based). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net.h"

#define SAMPLES_PER_LAYER (1u << 20)	/* reservoir of activations per layer */

/* k-th smallest of v[0..n) (quickselect; v is reordered). */
static float select_kth(float *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		float pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				float t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

typedef struct reservoir {
	float *v;
	size_t n, seen;
} reservoir;

static void reservoir_add(reservoir *r, float x, uint64_t *rng)
{
	r->seen++;
	if (r->n < SAMPLES_PER_LAYER) {
		r->v[r->n++] = x;
		return;
	}
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	uint64_t j = (*rng >> 11) % r->seen;
	if (j < SAMPLES_PER_LAYER)
		r->v[j] = x;
}

/* Fill x with the model's view of a sample: pixel * scale + offset. */
static void to_input(const snn_net *net, const uint8_t *px, size_t n, float *x)
{
	for (size_t i = 0; i < n; i++)
		x[i] = px[i] * net->input_scale + net->input_offset;
}

/* Does the layer spike, so that its rates need a scale? A membrane readout
 * only needs its argmax preserved. */
static bool scaled(const snn_layer *l, const snnc_options *opt)
{
	return l->neuron != NEURON_READOUT || opt->readout == SNN_READOUT_SPIKES;
}

/* Does it need one measured? LIF layers' scales follow from their rate
 * curve (lowering sets them); their activations are measured anyway, to
 * find rates beyond the device's. */
static bool measured(const snn_layer *l, const snnc_options *opt)
{
	return scaled(l, opt) && !l->fixed_scale;
}

/* The input channel that weight i of output o reads (dense: i is the
 * axon; conv: the index within o's kernel). */
static int weight_channel(const snn_layer *ly, int64_t i)
{
	return ly->kind == LAYER_DENSE ? (int)(i / ((int64_t)ly->in_h * ly->in_w)) : (int)(i / ((int64_t)ly->kh * ly->kw));
}

/* What a unit of input channel c of layer ly stands for: its source
 * layer's scale, or input for the network's input. Each source of a
 * residual sum or Concat carries its own scale (docs/snnc.md, "Branches"). */
static float channel_scale(const snn_net *net, const snn_layer *ly, int c, float input)
{
	int src = snn_layer_channel_source(ly, c);
	return src < 0 ? input : net->layers[src].lambda;
}

/* The largest activation layer ly's weights allow, given inputs of at most
 * their sources' scales (the largest input value for the input). */
static float weight_bound(const snn_net *net, const snn_layer *ly, float input)
{
	float best = 0;
	for (int o = 0; o < ly->out_c; o++) {
		double sum = fmax(0.0, ly->b[o]);
		if (ly->kind == LAYER_DENSE)
			for (int64_t a = 0; a < snn_layer_inputs(ly); a++)
				sum += fmax(0.0, ly->w[a * ly->out_c + o]) *
				       channel_scale(net, ly, weight_channel(ly, a), input);
		else
			for (int64_t i = 0, per = ly->n_w / ly->out_c; i < per; i++)
				sum += fmax(0.0, ly->w[o * per + i]) * channel_scale(net, ly, weight_channel(ly, i), input) *
				       ly->pool * ly->pool;
		/* beyond FLT_MAX the conversion is undefined: infinity, refused below */
		best = fmaxf(best, sum > FLT_MAX ? INFINITY : (float)sum);
	}
	return best > 0 ? best : 1.0f;
}

static float input_max(const snn_net *net)
{
	return fmaxf(255.0f * net->input_scale + net->input_offset, 1e-6f);
}

/* Worst-case bounds (Diehl et al., 2015): only for sizing a model (info),
 * where no scale is ever used to run it. */
static void weight_scales(snn_net *net)
{
	for (int l = 0; l < net->n_layers; l++)
		net->layers[l].lambda = net->layers[l].fixed_scale ? net->layers[l].lambda
			: weight_bound(net, &net->layers[l], input_max(net)) * net->layers[l].gain;
}

/* ---- synthetic inputs: the data-free default ----
 * Without --calib, the activation percentiles are measured like those of
 * real data, on images snnc draws itself: smooth Gaussian random fields
 * (the blur's sigma 1 to 3 pixels per 28, a low-pass texture like strokes,
 * edges and blobs), thresholded at a random level so that from half to a
 * few per cent of the pixels are lit, over the whole pixel range 0..255
 * (then seen through --input-scale/--input-offset like any image). Their
 * percentiles land within about 20 per cent of those of MNIST and
 * Fashion-MNIST on the bundled networks (most within 5); uniform noise
 * overestimates first layers and underestimates deep ones by up to 3 fold
 * (docs/snnc.md, "Scales without data").
 * Deterministic: the same model gives the same images. */
#define SYNTH_IMAGES 256

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(uint64_t *s)
{
	double u = uniform01(s), v = uniform01(s);
	return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* One smooth field of h x w with unit variance and zero mean into z; tmp
 * holds (h + 2r) x (w + 2r) doubles, k 2r + 1. Blurs only along axes longer
 * than one. */
static void smooth_field(double *z, int h, int w, double sigma, int r, double *tmp, double *k,
			 uint64_t *rng)
{
	int ry = h > 1 ? r : 0, rx = w > 1 ? r : 0, H = h + 2 * ry, W = w + 2 * rx;
	double ks = 0;
	for (int i = -r; i <= r; i++)
		ks += k[i + r] = exp(-0.5 * i * i / (sigma * sigma));
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= ks;
	for (int i = 0; i < H * W; i++)
		tmp[i] = gauss(rng);
	/* along x into rows ry..: tmp[y][x] for x < w, then along y into z */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int i = -rx; i <= rx; i++)
				a += k[i + r] * tmp[y * W + x + rx + i];
			tmp[y * W + x] = a;	/* only reads columns >= x */
		}
	double mean = 0, var = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int i = -ry; i <= ry; i++)
				a += k[i + r] * tmp[(y + ry + i) * W + x];
			z[y * w + x] = a;
			mean += a;
		}
	mean /= (double)h * w;
	for (int i = 0; i < h * w; i++)
		var += (z[i] - mean) * (z[i] - mean);
	double sd = var > 0 ? sqrt(var / ((double)h * w)) : 1.0;
	for (int i = 0; i < h * w; i++)
		z[i] = (z[i] - mean) / sd;
}

/* count synthetic images of the net's input shape into *out (malloc'd).
 * A flat input (C x 1 x 1) whose size is a square is drawn as a square
 * image (784 = 28 x 28, a flattened digit), else along its one axis. */
static int synth_images(const snn_net *net, size_t count, uint8_t **out)
{
	int C = net->in_c, h = net->in_h, w = net->in_w;
	if (h == 1 && w == 1 && C > 1) {
		int s = (int)lround(sqrt((double)C));
		if (s * s == C) {
			h = w = s;
		} else {
			w = C;
			fprintf(stderr, "snnc: warning: the input %s is a vector of %d values, not an image: the "
					"synthetic images that set the scales without --calib are only a guess for it; "
					"pass --calib IMAGES (a few hundred training samples as IDX)\n",
				net->input_name, C);
		}
		C = 1;
	}
	size_t n = (size_t)C * h * w;
	double f = fmax(1.0, fmin(h > 1 ? h : w, w > 1 ? w : h) / 28.0);	/* sigma per 28 pixels */
	int r = (int)ceil(3.0 * 3.0 * f);
	size_t big = (size_t)(h + 2 * r) * (w + 2 * r);
	uint8_t *px = malloc(count * n);
	double *tmp = malloc(big * sizeof *tmp), *k = malloc((size_t)(2 * r + 1) * sizeof *k);
	double *base = malloc((size_t)h * w * sizeof *base), *own = malloc((size_t)h * w * sizeof *own);
	if (!px || !tmp || !k || !base || !own) {
		free(px);
		px = NULL;
		goto out;
	}
	uint64_t rng = 0x736e6e63;	/* "snnc" */
	uint8_t *chw = net->input_nhwc ? malloc(n) : NULL;
	if (net->input_nhwc && !chw) {
		free(px);
		px = NULL;
		goto out;
	}
	for (size_t m = 0; m < count; m++) {
		double sigma = (1.0 + 2.0 * uniform01(&rng)) * f;
		smooth_field(base, h, w, sigma, r, tmp, k, &rng);
		for (int c = 0; c < C; c++) {
			/* channels share most of their structure, as colours do */
			if (C > 1)
				smooth_field(own, h, w, sigma, r, tmp, k, &rng);
			double t = 2.0 * uniform01(&rng);
			for (int i = 0; i < h * w; i++) {
				double z = C > 1 ? 0.8 * base[i] + 0.6 * own[i] : base[i];
				double v = nearbyint((z - t) * 2.0 * 255.0);
				(chw ? chw : px + m * n)[(size_t)c * h * w + i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
		}
		if (chw)	/* drawn as the image takes them, run as the model does */
			snn_input_to_model(net, chw, px + m * n);
	}
	free(chw);
out:
	free(tmp);
	free(k);
	free(base);
	free(own);
	*out = px;
	return px ? 0 : SNN_ERR_NOMEM;
}

int snn_synthetic_images(const snn_net *net, uint8_t **px, snn_calib *out)
{
	*out = (snn_calib){0};
	if (synth_images(net, SYNTH_IMAGES, px))
		return SNN_ERR_NOMEM;
	*out = (snn_calib){*px, SYNTH_IMAGES, (size_t)net->in_c * net->in_h * net->in_w, true};
	return 0;
}

static int by_value(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* The default scale (--percentile auto): the lambda that minimises a
 * layer's expected rate error at the compiled T steps, over its positive
 * activations v[0..n) (sorted here). An activation above lambda is
 * clipped, costing (a - lambda)^2; every active neuron's rate is rounded
 * to a multiple of lambda / T, costing (lambda / T)^2 / 12 (a uniform
 * rounding error). A fixed high percentile lets the few largest
 * activations set the scale whatever T is, which at T = 32 leaves the
 * deep layers of a residual network with too few spikes per neuron
 * (docs/snnc.md, "Scales"). */
static float error_optimal_scale(float *v, size_t n, unsigned steps)
{
	qsort(v, n, sizeof *v, by_value);
	double tail = 0, tail_sq = 0;	/* sums over v[k+1..n) */
	double best_err = INFINITY, step = 1.0 / steps;
	float best = v[n - 1];
	for (size_t k = n; k-- > 0;) {
		double lam = v[k], above = (double)(n - 1 - k);
		double err = tail_sq - 2 * lam * tail + above * lam * lam + (double)n * lam * lam * step * step / 12;
		if (err < best_err) {
			best_err = err;
			best = v[k];
		}
		tail += v[k];
		tail_sq += (double)v[k] * v[k];
	}
	return best;
}

/* Each measured layer's scale from its activations on the images into
 * lam[layer] (the --percentile, or the error-optimal one), 0 where the
 * layer never activates. */
static int data_scales(const ir_graph *g, const snn_net *net, const snn_calib *calib,
		       const snnc_options *opt, float *lam, snn_diag *diag)
{
	int rc = 0;
	ir_values vals = {0};
	size_t in_n = (size_t)net->in_c * net->in_h * net->in_w;
	float *x = malloc(in_n * sizeof *x);
	reservoir *res = calloc((size_t)net->n_layers, sizeof *res);
	if (!x || !res || ir_values_init(g, &vals)) {
		rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory for calibration");
		goto out;
	}
	for (int l = 0; l < net->n_layers; l++)
		if (scaled(&net->layers[l], opt) &&
		    !(res[l].v = malloc(SAMPLES_PER_LAYER * sizeof(float)))) {
			rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory for calibration");
			goto out;
		}
	uint64_t rng = 1;
	for (size_t k = 0; k < calib->count; k++) {
		to_input(net, calib->images + k * calib->item_size, in_n, x);
		ir_run(g, &vals, x);
		for (int l = 0; l < net->n_layers; l++) {
			const snn_layer *ly = &net->layers[l];
			if (!scaled(ly, opt))
				continue;
			int t = ly->act_tensor >= 0 ? ly->act_tensor : ly->linear_tensor;
			const float *a = vals.v[t];
			int64_t n = ir_numel(&g->tensors[t]);
			float sign = ly->negated ? -1.0f : 1.0f;
			for (int64_t i = 0; i < n; i++)
				if (sign * a[i] > 0)
					reservoir_add(&res[l], sign * a[i], &rng);
		}
		if (opt->verbose > 0 && isatty(2) && (k % 50 == 49 || k + 1 == calib->count))
			fprintf(stderr, "\rsnnc: calibrating, %zu/%zu images", k + 1, calib->count);
	}
	if (opt->verbose > 0 && isatty(2))
		fputc('\n', stderr);
	for (int l = 0; l < net->n_layers; l++) {
		lam[l] = 0;
		if (res[l].n && opt->percentile == SNN_PERCENTILE_AUTO) {
			lam[l] = error_optimal_scale(res[l].v, res[l].n, opt->steps);
		} else if (res[l].n) {
			size_t k = (size_t)((double)opt->percentile / 100.0 * (double)(res[l].n - 1) + 0.5);
			lam[l] = select_kth(res[l].v, res[l].n, k < res[l].n ? k : res[l].n - 1);
		}
	}
out:
	if (res)
		for (int l = 0; l < net->n_layers; l++)
			free(res[l].v);
	free(res);
	free(x);
	ir_values_free(&vals);
	return rc;
}

/* How far an ONNX-SNN layer's own scale may be from the one synthetic
 * images measure before snnc takes theirs: they land within about 20 per
 * cent of real data's, so a factor of 3 is a model whose v_th does not
 * describe its activations (a layer silent or saturated at T = 32). */
#define MODEL_SCALE_DOUBT 3.0f

/* Each measured layer's scale from lam (data or synthetic images) and the
 * model's own (ONNX-SNN amplitude, when v_th > 0); the weights' worst case
 * where neither has one, with a warning naming the layer (none with
 * opt->verbose < 0: a candidate compiled again says nothing new). */
static void choose_scales(snn_net *net, const float *lam, bool synthetic, size_t images,
			  const snnc_options *opt)
{
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		if (ly->fixed_scale && scaled(ly, opt) && opt->verbose >= 0) {
			/* LIF: the rate curve reaches 1 / tau_ref, the device one
			 * spike in R + 1 steps; beyond it the neurons saturate */
			double r = lam[l] / ly->lambda, steps = nearbyint((double)ly->tau_ref / ly->dt) + 1;
			if (r * steps > 1.0)
				fprintf(stderr, "snnc: warning: node %s: its LIF rates reach %.0f Hz on %s, but with dt "
						"%g s and tau_ref %g s a neuron fires at most %.0f Hz: those neurons "
						"saturate (give the node a longer tau_ref or a shorter dt)\n", ly->name,
					r / ly->dt, synthetic ? "synthetic images" : "the calibration data", ly->dt,
					ly->tau_ref, 1.0 / (steps * ly->dt));
		}
		if (!measured(ly, opt))
			continue;	/* fixed (LIF), or the readout (last) */
		float model = ly->lambda, chosen = lam[l];
		if (synthetic && model > 0) {
			chosen = model;
			/* (a layer the images never activate keeps the model's) */
			if (lam[l] > 0 && (lam[l] > MODEL_SCALE_DOUBT * model || lam[l] * MODEL_SCALE_DOUBT < model)) {
				if (opt->verbose >= 0)
					fprintf(stderr, "snnc: warning: node %s: its v_th and amplitude put one spike per "
						"step at an activation of %g, but on synthetic images the layer reaches "
						"%g: it would be %s; snnc uses %g (pass --calib IMAGES to measure it "
						"on real data)\n", ly->name, model, lam[l],
					lam[l] > model ? "saturated" : "nearly silent", lam[l]);
				chosen = lam[l];
			}
		}
		if (!(chosen > 0)) {
			/* the worst case the weights allow: the layer still passes
			 * what it gets, only coarsely */
			chosen = weight_bound(net, ly, input_max(net)) * ly->gain;
			if (opt->verbose < 0)
				;	/* a second candidate (percentile_choice.c): the first said it */
			else if (synthetic)
				fprintf(stderr, "snnc: warning: layer %s never activates on %zu synthetic images, so "
						"snnc cannot estimate its scale and uses the worst case its weights "
						"allow (%g), which costs accuracy: pass --calib IMAGES (a few hundred "
						"of the training images)\n", ly->name, images, chosen);
			else
				fprintf(stderr, "snnc: warning: layer %s never activates on the %zu calibration "
						"images; its scale is the worst case its weights allow (%g): calibrate "
						"with images from the training data\n", ly->name, images, chosen);
		}
		ly->lambda = chosen;
	}
}

int snn_normalise(const ir_graph *g, snn_net *net, const snn_calib *calib,
		  const snnc_options *opt, snn_diag *diag)
{
	bool all_from_model = net->n_layers > 1, any_from_model = false;
	for (int l = 0; l < net->n_layers; l++)
		if (measured(&net->layers[l], opt)) {
			all_from_model &= net->layers[l].lambda > 0;
			any_from_model |= net->layers[l].lambda > 0;
		}
	if (opt->size_only && !(calib && calib->count)) {
		weight_scales(net);
		snprintf(net->normalisation, sizeof net->normalisation, "weights only");
	} else {
		/* ONNX-SNN scales are checked against synthetic images too */
		bool drawn = calib && calib->count && calib->synthetic;	/* by the caller */
		bool synthetic = !(calib && calib->count) || drawn;
		uint8_t *px = NULL;
		float *lam = calloc((size_t)net->n_layers + 1, sizeof *lam);
		snn_calib syn = {0};
		if (!lam || (synthetic && !drawn && snn_synthetic_images(net, &px, &syn))) {
			free(lam);
			return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for the activation scales");
		}
		if (drawn)
			syn = *calib;
		if (synthetic && !all_from_model && opt->verbose >= 0)
			fprintf(stderr, "snnc: note: no --calib data; activation scales measured on %d synthetic "
					"images over the input range (--calib IMAGES measures them on real data)\n",
				(int)syn.count);
		int rc = data_scales(g, net, synthetic ? &syn : calib, opt, lam, diag);
		if (!rc)
			choose_scales(net, lam, synthetic, synthetic ? syn.count : calib->count, opt);
		free(px);
		free(lam);
		if (rc)
			return rc;
		char how[48];
		if (opt->percentile == SNN_PERCENTILE_AUTO)
			snprintf(how, sizeof how, "error-optimal at T=%u", opt->steps);
		else
			snprintf(how, sizeof how, "percentile %g", opt->percentile);
		if (!synthetic)
			snprintf(net->normalisation, sizeof net->normalisation, "data, %zu images, %s", calib->count,
				 how);
		else
			snprintf(net->normalisation, sizeof net->normalisation, "%s, %d images, %s",
				 all_from_model ? "model, checked on synthetic" : any_from_model ? "model and synthetic"
				 : "synthetic", (int)syn.count, how);
	}
	/* A rate r in a source means r * its lambda (+ offset for pixels); a
	 * rate r of this layer needs r * lambda_in of input current. */
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		if (ly->clip > 0 && ly->lambda > ly->clip)
			ly->lambda = ly->clip;	/* a rate neuron saturates like Clip */
		float lambda = scaled(ly, opt) ? ly->lambda : 1.0f;
		float lambda_in = !scaled(ly, opt) ? 1.0f : ly->fixed_scale ? ly->lambda_in : lambda / ly->gain;
		if (!(isfinite(lambda) && lambda > 0 && isfinite(lambda_in) && lambda_in > 0))
			return snn_fail(diag, SNN_ERR_RANGE,
					"node %s: the activation scale is %g, not a positive finite number: its weights "
					"(%s), biases or activations overflow", ly->name, lambda, ly->weight_name);
		ly->lambda_in = lambda_in;
		int64_t per = ly->n_w / ly->out_c;
		for (int o = 0; o < ly->out_c; o++) {
			double shift = 0;	/* the pixel offset, folded into the bias */
			for (int64_t i = 0; i < per; i++) {
				float *w = ly->kind == LAYER_CONV ? &ly->w[o * per + i]
								  : &ly->w[i * ly->out_c + o];
				int c = weight_channel(ly, i);
				float offset = snn_layer_channel_source(ly, c) < 0 ? net->input_offset : 0.0f;
				shift += (double)*w * offset * snn_layer_kernel_reach(ly);
				*w = *w * channel_scale(net, ly, c, 255.0f * net->input_scale) / lambda_in;
			}
			double b = (ly->b[o] + shift) / lambda_in;
			ly->b[o] = fabs(b) > FLT_MAX ? (float)copysign(INFINITY, b) : (float)b;	/* quantise refuses it */
		}
		if (snn_layer_channel_source(ly, 0) < 0 && net->input_offset != 0 && ly->kind == LAYER_CONV &&
		    (ly->pad_y || ly->pad_x))
			fprintf(stderr, "snnc: warning: the input offset is folded into %s's bias, which is "
					"exact only away from its zero padding\n", ly->name);
	}
	return 0;
}
