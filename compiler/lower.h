/* Lowering's working state, shared by compiler/lower.c (the walk over the
 * graph), each operator's lower and join (compiler/ops/), and the helpers
 * several of them use: compiler/branch.c (where paths meet: Add, Concat)
 * and compiler/deconv.c (the upsampling layers). */
#ifndef SNNC_LOWER_H
#define SNNC_LOWER_H

#include "net.h"

/* What a tensor is to lowering: spike sources seen through the operators
 * since the last activation, and the layer being assembled from them. */
typedef struct pending {
	/* the spike sources, side by side along channels */
	int src_c, src_h, src_w;	/* their joint shape */
	bool src_is_dense;	/* a dense layer's output (1-D neuron ids) */
	snn_source src[SNN_MAX_SOURCES];
	int n_src;
	bool linear;	/* a Conv/Gemm/MatMul has been seen */
	int pool;	/* average pooling in front of the linear operator */
	int upsample;	/* nearest upsampling factor in front of a Conv (0: none) */
	int pad[4];	/* zero padding in front: top, left, bottom, right */
	int64_t *perm;	/* source flat index for each permuted index, or NULL */
	int64_t n_perm;
	/* Per-channel arithmetic on the source in front of the linear operator
	 * (a Keras Rescaling layer, a BatchNormalization after the activation):
	 * it reads in_mul[c] * source + in_add[c], c the source's channel. NULL
	 * if there is none. */
	float *in_mul, *in_add;
	snn_layer l;
} pending;

typedef struct lower_ctx {
	const ir_graph *g;
	const snnc_options *opt;
	snn_net *net;
	snn_diag *diag;
	pending p;	/* the tensor the current node reads */
	int *n_readers;	/* per tensor: live nodes that read it */
	int *reader;	/* per tensor: the last of them */
} lower_ctx;

/* compiler/lower.c walks the graph and hands each node to its operator
 * (ir_op's lower and join, in compiler/ops/); what follows is what the
 * operators share. */

/* A refusal naming node n; fmt has one %s for detail. */
int lower_fail_node(lower_ctx *x, const ir_node *n, const char *fmt, const char *detail);
/* The refusal of an operator that has no spiking meaning on a layer's
 * output (shape arithmetic that was not folded). */
int lower_unsupported(lower_ctx *x, const ir_node *n);
/* Input k's float data if it is a constant, else NULL. */
const float *lower_const_input(const lower_ctx *x, const ir_node *n, int k);
/* Does the flow read the network's input, and only it? */
bool lower_reads_input(const pending *p);
/* Is tensor t read by any live node? */
bool lower_tensor_is_read(const lower_ctx *x, int t);
/* x->p's source shape from a 1-D to 4-D tensor (batch first). */
int lower_source_from_tensor(lower_ctx *x, const ir_tensor *t);
/* The network's input takes x->p's source shape (the input reshaped or
 * made channel-first). */
void lower_set_net_input(lower_ctx *x);
/* The input, rescaled, now read as x->p.src_c channels instead of old_c. */
int lower_rechannel_rescale(lower_ctx *x, const ir_node *n, int old_c);
/* Begin x->p's layer at node n (refused after another linear operator). */
int lower_start_layer(lower_ctx *x, const ir_node *n, layer_kind kind);
/* Fold x->p's per-channel arithmetic into its new layer's weights. */
void lower_fold_rescale(lower_ctx *x);
/* Every weight and bias of x->p's layer finite after folding node n. */
int lower_check_finite(lower_ctx *x, const ir_node *n);
/* After a Conv, ConvTranspose, Gemm or MatMul made x->p's layer: the
 * arithmetic in front folded in, every number still finite. */
int lower_linear_done(lower_ctx *x, const ir_node *n);
/* x->p's conv or deconv layer takes node n's kernel: output channels from
 * the weight's axis w_out_axis, kernel size, stride, and pads (after those
 * in front, pad_y and pad_x); refused if the strides along the two axes
 * differ or the padding reaches the kernel. */
int lower_conv_kernel(lower_ctx *x, const ir_node *n, int w_out_axis, int pad_y, int pad_x);
/* Multiply output channel o's weights (not its bias) by s. */
void lower_scale_channel_weights(snn_layer *l, int o, float s);
/* Node n, an activation, closes x->p's layer: its neurons are IF (a ReLU)
 * unless neuron, if not NULL, sets l otherwise or refuses. */
typedef int (*lower_neuron_fn)(lower_ctx *x, const ir_node *n, snn_layer *l);
int lower_activation(lower_ctx *x, const ir_node *n, lower_neuron_fn neuron);
/* Append layer l to the net, which takes its weights; 0 or SNN_ERR_NOMEM. */
int lower_append(lower_ctx *x, const snn_layer *l);
void pending_free(pending *p);
/* Deep copy; 0 or SNN_ERR_NOMEM (dst then holds nothing). */
int pending_copy(pending *dst, const pending *src);
/* Does p carry arithmetic, pooling, padding or a permutation in front of
 * its (future) layer? */
bool pending_has_prefix(const pending *p);

/* Upsampling layers (compiler/deconv.c): a ConvTranspose as a deconv
 * layer; a nearest Resize or Upsample kept pending; the Conv after it
 * folded with it into one deconv layer. Errors name the node. */
int lower_conv_transpose(lower_ctx *x, const ir_node *n);
int lower_upsample(lower_ctx *x, const ir_node *n);
int lower_upsampled_conv(lower_ctx *x, const ir_node *n);

/* Node n reads two or more paths (compiler/branch.c): its operator's join
 * runs, or the node is refused. ins[k] is the flow of its k-th input; the
 * result goes to x->p. ins are consumed (freed). */
int lower_join(lower_ctx *x, const ir_node *n, pending *ins, int n_ins);
/* The joins (compiler/branch.c): sign times path 1 added to path 0 (Add,
 * Sub), and paths side by side along channels (Concat). */
int lower_join_sum(lower_ctx *x, const ir_node *n, pending *ins, int n_ins, float sign);
int lower_join_concat(lower_ctx *x, const ir_node *n, pending *ins, int n_ins);

#endif
