/* Running models built with onnx_build through snnc's front end in tests:
 * the weight pattern, write-load-resolve, and lookups and comparisons on
 * the resolved graph, shared by the compiler tests. */
#ifndef SNNC_TEST_FRONT_END_H
#define SNNC_TEST_FRONT_END_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "golden_run.h"
#include "ir.h"
#include "net.h"
#include "onnx_build.h"

/* n deterministic values in [-1, 1) from seed (an LCG; no libc rand). */
void fe_fill(float *v, size_t n, unsigned seed);
/* Write b to path and free it, then load and resolve; 0 with g live, or
 * the failing status with d's message and g freed. Exits 2 if path cannot
 * be written. */
int fe_load(mb *b, const char *path, bool approximate, ir_graph *g, snn_diag *d);
/* snnc's defaults for the sim target, scales from the weights alone
 * (size_only: no synthetic run), quiet. */
snnc_options fe_options(void);
/* Write, load, lower and normalise b with opt on calib (NULL: snnc's
 * synthetic images); the first layer's scale, NaN (and a th_expect
 * failure) if a step fails. nhwc, if not NULL, gets net.input_nhwc. */
float fe_first_scale(mb *b, const char *path, const snn_calib *calib, const snnc_options *opt, bool *nhwc);
/* The index of the tensor called name, or -1. */
int fe_tensor_named(const ir_graph *g, const char *name);
/* Each got[i] within tol * (1 + |want[i]|) of want[i]; the first miss is a
 * th_expect failure naming what[i]. */
bool fe_close_all(const float *got, const float *want, size_t n, float tol, const char *what);
/* The lowered layers in float, as net.h defines them: each layer's input
 * is its sources' outputs side by side along channels; a conv layer sums
 * its P x P input windows (the weights carry the 1 / P^2) and convolves, a
 * dense layer is w[axon * out_c + n], a deconv layer scatters each input's
 * kernel to (y S - pad_y + i, x S - pad_x + j); ReLU except on the readout. y gets
 * the last layer's outputs. */
void fe_net_forward(const snn_net *net, const float *x, float *y);
/* snnc decompile's round trip as a user runs it: b (freed) written to
 * dir/name.onnx, compiled by $BUILD/snnc with opts, the image decompiled
 * to ONNX-SNN and that compiled back; true if the two images hold the same
 * bytes (a th_expect failure otherwise). The ONNX-SNN model is left at
 * dir/name.snn.onnx for the caller to look into and remove. */
bool fe_decompile_round_trip(mb *b, const char *dir, const char *name, const char *opts);

/* A random MLP for the calibration tests: Gemm layers widths[0] ->
 * widths[1] -> ... -> widths[layers], ReLU between them, input "x", output
 * "y". Layer l's weights (widths[l] x widths[l + 1], as Gemm's B) go to w[l],
 * filled with seed + l, its biases to b[l], filled with seed + 10 + l,
 * halved and shifted by bias_shift; both arrays are the caller's, for its
 * own float reference. */
mb fe_random_mlp(int layers, const int *widths, unsigned seed, float bias_shift, float *const *w, float *const *b);
/* n pixel bytes, two in three of them 0 (sparse, like digits). */
void fe_random_images(uint8_t *px, size_t n, unsigned seed);
/* items images of size bytes each as the IDX file snnc --calib reads;
 * exits 2 if it cannot be written. */
void fe_write_idx(const char *file, const uint8_t *px, unsigned items, unsigned size);

/* A copy of net mapped and emitted with opt and opened on the golden
 * simulator, for a test to run samples through (snnc_golden_start, _step,
 * _class, _count on run). */
typedef struct fe_golden {
	snn_net net;
	snn_mapping m;
	snn_image img;
	snnc_golden_run run;
} fe_golden;
/* 0, or -1 with a th_expect failure saying why (nothing left to close). */
int fe_golden_open(fe_golden *f, const ir_graph *g, const snn_net *net, const snnc_options *opt);
void fe_golden_close(fe_golden *f);

#endif
