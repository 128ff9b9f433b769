/* The layer list between the ONNX graph and the core array: what lowering
 * produces and normalisation, quantisation and mapping refine. */
#ifndef SNNC_NET_H
#define SNNC_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "ir.h"
#include "snn/config.h"
#include "snn/image.h"

typedef enum layer_kind { LAYER_DENSE, LAYER_CONV } layer_kind;

typedef enum neuron_kind {
	NEURON_IF,	/* ReLU, Clip(0, max), snn.IF */
	NEURON_LIF,	/* snn.LIF, snn.SoftLIFRate */
	NEURON_READOUT,	/* the output layer: non-spiking, read by membrane */
} neuron_kind;

/* Where a layer's input events come from: a source's output, placed at
 * channels c0 .. c0+nc-1 of the layer's input space. Several sources make a
 * residual sum (their kernels stacked along input channels) or a channel
 * Concat; the source cores route into the layer's cores with dc = c0. */
#define SNN_MAX_SOURCES 8
typedef struct snn_source {
	int layer;	/* an earlier layer, or -1 for the network's input */
	int c0, nc;
} snn_source;

typedef struct snn_layer {
	char name[96];	/* the ONNX node that produced the layer's output */
	char weight_name[96];	/* its weight tensor, for messages */
	layer_kind kind;
	/* Events arrive in the space of the sources: their outputs (or the
	 * input tensor) side by side along channels, before any pooling. */
	int in_c, in_h, in_w;
	snn_source src[SNN_MAX_SOURCES];
	int n_src;
	int pool;	/* sum pooling folded in front (conv), 1 = none */
	int out_c, out_h, out_w;	/* dense: out_c neurons, 1 x 1 */
	int kh, kw, stride, pad_y, pad_x;	/* conv */
	/* Conv kind run as a deconv core (compiler/deconv.c): a ConvTranspose,
	 * or a nearest upsampling folded with the Conv after it; w keeps the
	 * conv layout [o][c][ky][kx], tap (ky, kx) reaching output
	 * (y stride - pad_y + ky, x stride - pad_x + kx) from input (y, x). */
	bool deconv;
	/* Float parameters after folding (BN, pooling, permutations):
	 * dense w[axon * out_c + n], conv w[((o * in_c + c) * kh + y) * kw + x];
	 * b per output neuron (dense) or channel (conv). */
	float *w, *b;
	int64_t n_w;
	neuron_kind neuron;
	float tau_rc, tau_ref, dt;	/* LIF, seconds */
	int reset;	/* enum snn_reset_mode */
	float clip;	/* Clip's max (0: none) */
	int act_tensor;	/* IR tensor holding the ANN activation, -1 for readout */
	int linear_tensor;	/* IR tensor before the activation */
	/* A path of a residual sum run as layers of its own (compiler/branch.c):
	 * no act_tensor; the ANN activation is relu(linear_tensor), or with
	 * negated relu(-linear_tensor). */
	bool negated;
	float lambda;	/* activation scale: a rate of 1 spike/step means lambda */
	/* The ANN activation per unit of input current above threshold: 1
	 * for ReLU and Clip, amplitude / v_th for snn.IF (docs/onnx-snn.md).
	 * A rate of 1 needs an input of lambda_in = lambda / gain per step. */
	float gain;
	float lambda_in;	/* set by normalisation (LIF: by lowering, fixed) */
	bool fixed_scale;	/* LIF: the rate curve fixes both scales; data cannot move them */
	float v_th, amplitude;	/* snn.LIF's, kept for the ONNX-SNN writer */
	/* Quantised (compiler/quantise.c). */
	int16_t *wq;
	int32_t *bq;	/* per output neuron, both kinds */
	int32_t threshold, v_init;
	uint32_t leak, refractory;
	float scale;	/* membrane units per normalised unit */
} snn_layer;

typedef struct snn_net {
	snn_layer *layers;
	int n_layers;
	int in_c, in_h, in_w;	/* input tensor (batch dropped) */
	/* The model takes its input H x W x C (a Keras NHWC image of several
	 * channels) and the image C x H x W: the host transposes it. */
	bool input_nhwc;
	float input_scale, input_offset;	/* x = pixel * scale + offset */
	int n_classes;
	char input_name[SNN_IMAGE_NAME_BYTES], output_name[SNN_IMAGE_NAME_BYTES];
	char normalisation[96];	/* where the scales came from, for the image's metadata */
} snn_net;

/* --percentile auto: each layer's scale minimises its rate error at T
 * steps (compiler/normalise.c). */
#define SNN_PERCENTILE_AUTO 0.0f

/* Compile options shared by the passes. */
typedef struct snnc_options {
	const snn_profile *target;
	unsigned weight_bits;	/* quantised weight width, <= target's */
	unsigned steps;	/* default time steps written into the image */
	float percentile;	/* data-based normalisation percentile, e.g. 99.9, or SNN_PERCENTILE_AUTO */
	float v_init;	/* initial membrane as a fraction of the threshold */
	uint32_t readout;	/* enum snn_readout */
	bool approximate;	/* accept MaxPool/Tanh/... with warnings */
	float input_scale, input_offset;	/* the model's view of a pixel */
	size_t calib_images;	/* calibration images used (0: weights only) */
	bool allow_outliers;	/* outlier weights, all-zero layers: warn, do not refuse */
	bool size_only;	/* only sizing the model (info): worst-case scales, no synthetic run */
	bool threshold_search;	/* with the bias correction, each layer's scale tuned first */
	int verbose;
} snnc_options;

/* A LIF layer's leak register L (docs/neuron-model.md): round(256 (1 -
 * exp(-dt / tau_rc))) within 0..255; NaN for meaningless time constants. */
double snn_lif_leak(const snn_layer *l);
void snn_net_free(snn_net *net);
/* Deep copy of src into dst (uninitialised); 0 or SNN_ERR_NOMEM. */
int snn_net_copy(snn_net *dst, const snn_net *src);
int64_t snn_layer_neurons(const snn_layer *l);
int64_t snn_layer_inputs(const snn_layer *l);	/* in_c * in_h * in_w */
int64_t snn_layer_synapses(const snn_layer *l);	/* connections in the network */
/* How many times the sum of a kernel's weights reaches one output on
 * average: a constant c on every input adds c x that x sum. Dense 1,
 * conv P^2 (sum pooling), deconv 1 / stride^2 (each output sees one tap in
 * stride^2; exact for an upsampled Conv away from the border). */
double snn_layer_kernel_reach(const snn_layer *l);
/* One input sample from the model's layout into the image's (C x H x W),
 * or back: they differ only for an NHWC input (input_nhwc). */
void snn_input_to_image(const snn_net *net, const uint8_t *model, uint8_t *image);
void snn_input_to_model(const snn_net *net, const uint8_t *image, uint8_t *model);
/* The layer (or -1, the input) whose output is input channel c of l. */
int snn_layer_channel_source(const snn_layer *l, int c);

/* Lower a resolved graph to layers (compiler/lower.c): the linear
 * operators between activations become one layer; BatchNormalization,
 * bias Adds, pooling, padding, flattening and layout transposes are folded.
 * Branches (a tensor read by several nodes, a residual Add of two paths, a
 * channel Concat) give layers with several sources (compiler/branch.c).
 * Layers are in topological order: every source is an earlier layer.
 * Errors name the node. */
int snn_lower(const ir_graph *g, const snnc_options *opt, snn_net *net, snn_diag *diag);

/* Activation scales (compiler/normalise.c): the percentile of each layer's
 * ANN activations on calibration data or, without data, on synthetic
 * images over the input range; ONNX-SNN models carry theirs; size_only
 * takes the weights' worst case. Rescales w and b so that a rate of 1 spike/step is
 * lambda at every layer. */
typedef struct snn_calib {
	const uint8_t *images;	/* count x item_size pixels */
	size_t count, item_size;
	bool synthetic;	/* drawn by snn_synthetic_images, not data: scales as without data */
} snn_calib;
int snn_normalise(const ir_graph *g, snn_net *net, const snn_calib *calib,
		  const snnc_options *opt, snn_diag *diag);
/* The synthetic images snn_normalise measures on without data, into *out
 * (synthetic set; out->images is *px, malloc'd, the caller frees it), for
 * passes that judge a network on them (percentile_choice.h). 0 or
 * SNN_ERR_NOMEM. */
int snn_synthetic_images(const snn_net *net, uint8_t **px, snn_calib *out);

/* Integer weights, thresholds and biases for the target (compiler/quantise.c). */
int snn_quantise(snn_net *net, const snnc_options *opt, snn_diag *diag);
/* One quantised layer's integer biases again from its float ones (after
 * compiler/bias_correct.c moved them); refuses what snn_quantise would. */
int snn_quantise_bias(snn_layer *ly, const snnc_options *opt, snn_diag *diag);
/* One layer quantised again from its float weights and biases (after
 * compiler/threshold_search.c rescaled them). */
int snn_quantise_layer(snn_layer *ly, const snnc_options *opt, snn_diag *diag);

/* Core allocation and the image (compiler/map.c). */
typedef struct core_slice {
	int layer;
	int core;
	int64_t n0, n;	/* dense: neurons [n0, n0+n) */
	int64_t pad;	/* dense: silent neurons after them, to whole lanes */
	int c0, nc, y0, h;	/* conv: channels and rows of the tile (full width) */
} core_slice;

/* What the mapped network takes of the target's shared budgets
 * (docs/geometry.md, "Budgets"). */
typedef struct snn_budget_use {
	int64_t neurons, synapses, state, routes;	/* state: synapse words of neuron state */
} snn_budget_use;

typedef struct snn_mapping {
	core_slice *slices;
	int n_slices;
	int *first_slice;	/* per layer, index into slices; plus a final entry */
	snn_budget_use use;
} snn_mapping;

int snn_map(const snn_net *net, const snnc_options *opt, snn_mapping *map, snn_diag *diag);
/* Does a conv or deconv core of nc output channels keep half records and a
 * bias a channel (FLAGS CHAN_BIAS) on target: its engine has them and the
 * geometry allows them (snn_chan_bias_fits)? */
bool snn_map_chan_bias(const snn_profile *target, int nc);
void snn_mapping_free(snn_mapping *map);
/* Fill an image from the mapped, quantised network (compiler/emit.c). */
int snn_emit(const snn_net *net, const snn_mapping *map, const snnc_options *opt,
	     const ir_graph *g, snn_image *img, snn_diag *diag);
/* The per-layer table of `snnc -v` and `snnc info`. */
/* The budget use of a mapping against the target, one line a budget. */
void snn_budget_print(const snn_budget_use *use, const snn_profile *target, FILE *out);
void snn_mapping_print(const snn_net *net, const snn_mapping *map, const snnc_options *opt,
		       FILE *out);

#endif
