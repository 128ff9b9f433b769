/* snnc decompile: a configuration image back to a quantised ONNX-SNN model
 * (docs/onnx-snn.md, "Quantised ONNX-SNN"), and the compile path that turns
 * such a model into the same image, byte for byte. */
#ifndef SNNC_DECOMPILE_H
#define SNNC_DECOMPILE_H

#include <stdbool.h>
#include <stdint.h>
#include "ir.h"
#include "net.h"

/* One layer of an image as snnc compiles them: the cores of one PHASE. */
typedef struct snnc_image_layer {
	int first, n_cores;	/* cores [first, first + n_cores) */
	const uint32_t *reg;	/* the first core's registers */
	bool conv;	/* a map layer: conv, or deconv when deconv is set */
	bool deconv;	/* MODE deconv: a ConvTranspose */
	int in_c, in_h, in_w, pool, kh, kw, stride, pad_y, pad_x;
	int out_c, out_h, out_w;
	float *w, *b;	/* Gemm B [inputs][out_c]; Conv (and deconv) [out][in][kh][kw] times POOL^2 */
	int64_t n_w;
} snnc_image_layer;

/* Split an image's cores into layers by PHASE, with their weight words
 * and biases, and check that they chain; errors name the core. *out is
 * set even on failure: free it with snnc_image_layers_free. */
int snnc_image_layers(const snn_image *img, const char *path, snnc_image_layer **out, int *n_out,
		      snn_diag *diag);
void snnc_image_layers_free(snnc_image_layer *layers, int n);

/* Read the image at image_path and write the ONNX-SNN model to onnx_path
 * (a temporary file, then renamed). Messages name the file. */
int snnc_decompile(const char *image_path, const char *onnx_path, snn_diag *diag);

/* Whether g is a quantised ONNX-SNN (metadata_props snn.quantised = 1). */
bool snnc_is_quantised(const ir_graph *g);
/* The compile options the model records (target unless target_set, weight
 * bits, steps, readout, input scale and offset). */
int snnc_quantised_options(const ir_graph *g, snnc_options *opt, bool target_set, snn_diag *diag);
/* Instead of normalisation and quantisation: every layer's integers from
 * its rounded weights and biases and its neuron node's attributes. */
int snnc_quantised_apply(const ir_graph *g, snn_net *net, const snnc_options *opt, snn_diag *diag);
/* After emission: the recorded META text and input encoding. */
int snnc_quantised_finish(const ir_graph *g, const snnc_options *opt, snn_image *img, snn_diag *diag);

#endif
