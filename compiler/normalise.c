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

static int data_scales(const ir_graph *g, snn_net *net, const snn_calib *calib,
		       const snnc_options *opt, snn_diag *diag)
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
			for (int64_t i = 0; i < n; i++)
				if (a[i] > 0)
					reservoir_add(&res[l], a[i], &rng);
		}
		if (opt->verbose && isatty(2) && (k % 50 == 49 || k + 1 == calib->count))
			fprintf(stderr, "\rsnnc: calibrating, %zu/%zu images", k + 1, calib->count);
	}
	if (opt->verbose && isatty(2))
		fputc('\n', stderr);
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		if (!scaled(ly, opt))
			continue;
		if (res[l].n == 0) {
			fprintf(stderr, "snnc: warning: layer %s never activates on the calibration data\n",
				ly->name);
			ly->lambda = 1.0f;
			continue;
		}
		size_t k = (size_t)((double)opt->percentile / 100.0 * (double)(res[l].n - 1) + 0.5);
		ly->lambda = select_kth(res[l].v, res[l].n, k < res[l].n ? k : res[l].n - 1);
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

/* Without data: the largest activation the weights allow, given inputs of at
 * most one (input) or lambda of the layer before. */
static void weight_scales(snn_net *net)
{
	float prev = fmaxf(255.0f * net->input_scale + net->input_offset, 1e-6f);
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		float best = 0;
		for (int o = 0; o < ly->out_c; o++) {
			double sum = fmax(0.0, ly->b[o]);
			if (ly->kind == LAYER_DENSE)
				for (int64_t a = 0; a < snn_layer_inputs(ly); a++)
					sum += fmax(0.0, ly->w[a * ly->out_c + o]) * prev;
			else
				for (int64_t i = 0, per = ly->n_w / ly->out_c; i < per; i++)
					sum += fmax(0.0, ly->w[o * per + i]) * prev * ly->pool * ly->pool;
			/* beyond FLT_MAX the conversion is undefined: infinity, refused below */
			best = fmaxf(best, sum > FLT_MAX ? INFINITY : (float)sum);
		}
		ly->lambda = best > 0 ? best : 1.0f;
		prev = ly->lambda;
	}
}

/* ONNX-SNN models carry each layer's scale in its neurons' v_th. */
static bool scales_from_model(const snn_net *net)
{
	for (int l = 0; l < net->n_layers; l++)
		if (net->layers[l].neuron != NEURON_READOUT && !(net->layers[l].lambda > 0))
			return false;
	return net->n_layers > 1;
}

int snn_normalise(const ir_graph *g, snn_net *net, const snn_calib *calib,
		  const snnc_options *opt, snn_diag *diag)
{
	if (calib && calib->count) {
		int rc = data_scales(g, net, calib, opt, diag);
		if (rc)
			return rc;
	} else if (!scales_from_model(net)) {
		if (opt->verbose >= 0)	/* info passes -1: it only sizes the model */
			fprintf(stderr, "snnc: note: no --calib data; scaling from the weights alone. Data-based "
					"scaling (--calib IMAGES) is more accurate.\n");
		weight_scales(net);
	}
	/* A rate r in the source means r * prev_lambda (+ offset for pixels). */
	float prev = 255.0f * net->input_scale, offset = net->input_offset;
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		if (ly->clip > 0 && ly->lambda > ly->clip)
			ly->lambda = ly->clip;	/* a rate neuron saturates like Clip */
		float lambda = scaled(ly, opt) ? ly->lambda : 1.0f;
		if (!(isfinite(lambda) && lambda > 0))
			return snn_fail(diag, SNN_ERR_RANGE,
					"node %s: the activation scale is %g, not a positive finite number: its weights "
					"(%s), biases or activations overflow", ly->name, lambda, ly->weight_name);
		int64_t per = ly->n_w / ly->out_c;
		for (int o = 0; o < ly->out_c; o++) {
			double shift = 0;	/* the pixel offset, folded into the bias */
			for (int64_t i = 0; i < per; i++) {
				float *w = ly->kind == LAYER_CONV ? &ly->w[o * per + i]
								  : &ly->w[i * ly->out_c + o];
				shift += (double)*w * offset * (ly->kind == LAYER_CONV ? ly->pool * ly->pool : 1);
				*w = *w * prev / lambda;
			}
			double b = (ly->b[o] + shift) / lambda;
			ly->b[o] = fabs(b) > FLT_MAX ? (float)copysign(INFINITY, b) : (float)b;	/* quantise refuses it */
		}
		if (l == 0 && offset != 0 && ly->kind == LAYER_CONV && (ly->pad_y || ly->pad_x))
			fprintf(stderr, "snnc: warning: the input offset is folded into %s's bias, which is "
					"exact only away from its zero padding\n", ly->name);
		prev = lambda;
		offset = 0;
	}
	return 0;
}
