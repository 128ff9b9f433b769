/* demo_net: builds the demo's configuration image in code, until snnc can
 * compile a bundled ONNX model. It fits a softmax-regression classifier to
 * IDX training data (a few epochs of SGD), quantises it to 8-bit weights and
 * writes it as one dense core with membrane readout: rate-coded input spikes
 * in, the class with the highest membrane potential out.
 *
 * Usage: demo_net TRAIN-IMAGES TRAIN-LABELS TEST-IMAGES TEST-LABELS OUT.cfg */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snn/encode.h"
#include "snn/image.h"

#define CLASSES 10
#define EPOCHS 4
#define WEIGHT_MAX 127

static float *train_softmax(const snn_idx *x, const snn_idx *y, size_t dim)
{
	float *w = calloc((dim + 1) * CLASSES, sizeof *w);	/* last row: bias */
	float *in = malloc(dim * sizeof *in);
	if (!w || !in) {
		free(w);
		free(in);
		return NULL;
	}
	for (int e = 0; e < EPOCHS; e++) {
		float lr = 0.05f / (1.0f + e);
		for (size_t k = 0; k < x->count; k++) {
			size_t s = (k * 7919) % x->count;	/* fixed shuffle */
			float z[CLASSES], zmax = -1e30f, sum = 0;
			for (size_t i = 0; i < dim; i++)
				in[i] = x->data[s * dim + i] / 255.0f;
			for (int c = 0; c < CLASSES; c++) {
				z[c] = w[dim * CLASSES + c];
				for (size_t i = 0; i < dim; i++)
					z[c] += w[i * CLASSES + c] * in[i];
				zmax = z[c] > zmax ? z[c] : zmax;
			}
			for (int c = 0; c < CLASSES; c++)
				sum += z[c] = expf(z[c] - zmax);
			for (int c = 0; c < CLASSES; c++) {
				float g = z[c] / sum - (c == y->data[s]);
				for (size_t i = 0; i < dim; i++)
					w[i * CLASSES + c] -= lr * g * in[i];
				w[dim * CLASSES + c] -= lr * g;
			}
		}
	}
	free(in);
	return w;
}

static double float_accuracy(const float *w, const snn_idx *x, const snn_idx *y, size_t dim)
{
	size_t correct = 0;
	for (size_t k = 0; k < x->count; k++) {
		int best = 0;
		float bz = -1e30f;
		for (int c = 0; c < CLASSES; c++) {
			float z = w[dim * CLASSES + c];
			for (size_t i = 0; i < dim; i++)
				z += w[i * CLASSES + c] * (x->data[k * dim + i] / 255.0f);
			if (z > bz) {
				bz = z;
				best = c;
			}
		}
		correct += best == y->data[k];
	}
	return x->count ? (double)correct / x->count : 0;
}

static int build_image(const float *w, size_t dim, const char *path)
{
	snn_image img;
	snn_diag d;
	if (snn_image_init(&img, &snn_profile_default()->geo, &d)) {
		fprintf(stderr, "demo_net: %s\n", d.msg);
		return 1;
	}
	float wmax = 0;
	for (size_t i = 0; i < dim * CLASSES; i++)
		wmax = fabsf(w[i]) > wmax ? fabsf(w[i]) : wmax;
	float scale = WEIGHT_MAX / wmax;	/* membrane units per unit of the ANN */
	snn_config *cfg = &img.cfg;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 28;
	cfg->global[SNN_G_INPUT_W] = 28;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = (uint32_t)dim};
	uint32_t *r = cfg->core[0].reg;
	r[SNN_R_MODE] = SNN_MODE_DENSE;
	r[SNN_R_N_NEURONS] = CLASSES;
	r[SNN_R_N_AXONS] = (uint32_t)dim;
	r[SNN_R_THRESHOLD] = (uint32_t)snn_vmax(&cfg->geo);	/* unused: non-spiking */
	r[SNN_R_IN_C] = 1;
	r[SNN_R_IN_H] = 28;
	r[SNN_R_IN_W] = 28;
	r[SNN_R_SYN_COUNT] = (uint32_t)dim * CLASSES;
	for (size_t i = 0; i < dim * CLASSES; i++)
		cfg->core[0].syn[i] = (int16_t)lrintf(w[i] * scale);
	/* A pixel p spikes at rate p/255, so the bias per step is b * scale. */
	for (int c = 0; c < CLASSES; c++)
		cfg->core[0].bias[c] = (int32_t)lrintf(w[dim * CLASSES + c] * scale);
	img.io.steps = 32;
	img.io.readout = SNN_READOUT_MEMBRANE;
	img.io.n_outputs = CLASSES;
	img.io.outputs = calloc(CLASSES, sizeof *img.io.outputs);
	if (!img.io.outputs) {
		snn_image_free(&img);
		return 1;
	}
	for (int c = 0; c < CLASSES; c++)
		img.io.outputs[c] = (snn_output_ref){0, (uint16_t)c};
	snprintf(img.io.input_name, sizeof img.io.input_name, "image");
	snprintf(img.io.output_name, sizeof img.io.output_name, "class");
	snn_image_set_meta(&img, "model", "softmax regression (tools/demo_net.c)");
	snn_image_set_meta(&img, "compiler", "demo_net 0.1");
	int rc = snn_image_write_file(&img, path, &d);
	if (rc)
		fprintf(stderr, "demo_net: %s\n", d.msg);
	snn_image_free(&img);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: demo_net TRAIN-IMAGES TRAIN-LABELS TEST-IMAGES TEST-LABELS OUT.cfg\n");
		return 1;
	}
	snn_idx x, y, tx, ty;
	snn_diag d;
	if (snn_idx_read(argv[1], &x, &d) || snn_idx_read(argv[2], &y, &d) ||
	    snn_idx_read(argv[3], &tx, &d) || snn_idx_read(argv[4], &ty, &d)) {
		fprintf(stderr, "demo_net: %s\n", d.msg);
		return 1;
	}
	size_t dim = x.item_size;
	if (dim != 784 || tx.item_size != dim || y.count != x.count || ty.count != tx.count) {
		fprintf(stderr, "demo_net: expected 28x28 images with one label each\n");
		return 1;
	}
	float *w = train_softmax(&x, &y, dim);
	if (!w)
		return 1;
	printf("demo_net: float model: %.2f %% on the %zu test images\n",
	       100 * float_accuracy(w, &tx, &ty, dim), tx.count);
	int rc = build_image(w, dim, argv[5]);
	free(w);
	snn_idx_free(&x);
	snn_idx_free(&y);
	snn_idx_free(&tx);
	snn_idx_free(&ty);
	return rc;
}
