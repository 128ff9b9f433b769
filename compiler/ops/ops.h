/* What the operators share (compiler/ops/common.c): messages that name the
 * node, attribute and input checks, output shapes, broadcasting, window
 * geometry, and data movement that works on any element size. What their
 * lowering shares is in lower.h (compiler/lower.c). */
#ifndef SNNC_OPS_H
#define SNNC_OPS_H

#include "ir.h"

/* Largest tensor the front end accepts (elements), and the largest constant
 * it folds (far beyond any network the core array can hold). */
#define OP_MAX_NUMEL (INT64_C(1) << 31)
#define OP_MAX_FOLD (INT64_C(1) << 26)
/* Most inputs an operator may have (Concat). */
#define OP_MAX_INPUTS 64

/* Format "FILE: node NAME (OP): message" into diag and return code. */
int op_fail(const ir_graph *g, const ir_node *n, snn_diag *diag, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* An attribute the operator knows, with its ONNX type; lists end with {0}. */
typedef struct op_attr_spec {
	const char *name;
	ir_attr_type type;
} op_attr_spec;

/* Input and output counts within [min, max], every attribute known to the
 * operator and of its type, float attributes finite, flags 0 or 1. */
int op_check(const ir_graph *g, const ir_node *n, snn_diag *diag, int min_in, int max_in, int max_out,
	     const op_attr_spec *attrs);

/* Input k, or NULL if omitted or past the end. */
const ir_tensor *op_in(const ir_graph *g, const ir_node *n, int k);
bool op_is_const(const ir_tensor *t);
/* Every present input is constant. */
bool op_all_const(const ir_graph *g, const ir_node *n);
size_t op_esize(ir_dtype d);
/* A constant tensor's data, whatever its type. */
const void *op_data(const ir_tensor *t);

/* Set output k's type and shape; dims must be >= 0 and the size bounded. */
int op_set_out(ir_graph *g, const ir_node *n, int k, ir_dtype dtype, int rank, const int64_t *dims,
	       snn_diag *diag);
/* The same shape and type as input 0. */
int op_same_as_input(ir_graph *g, const ir_node *n, snn_diag *diag);
/* Input k must be float (computed values are always float). */
int op_want_float(const ir_graph *g, const ir_node *n, int k, snn_diag *diag);

/* Normalise a possibly negative axis for a tensor of the given rank. */
int op_axis(const ir_graph *g, const ir_node *n, int64_t axis, int rank, int *out, snn_diag *diag);
/* A list of ints from attribute name (opset < from_opset) or constant
 * int64 input k (opset >= from_opset). *vals is NULL with *count 0 if
 * neither is present. The list is borrowed. */
int op_ints_arg(const ir_graph *g, const ir_node *n, const char *name, int from_opset, int k,
		const int64_t **vals, int64_t *count, snn_diag *diag);
/* Replace or add an ints attribute. */
int op_attr_set_ints(ir_node *n, const char *name, const int64_t *v, size_t count);

/* Multidirectional (numpy) broadcast of inputs 0 and 1 into out dims. */
int op_broadcast(const ir_graph *g, const ir_node *n, int *rank, int64_t *dims, snn_diag *diag);
/* Strides of t within a broadcast shape of rank dims (0 along broadcast axes). */
void op_broadcast_strides(const ir_tensor *t, int rank, const int64_t *dims, int64_t *strides);
/* Walks output 0 of a broadcasting node in order, with the offsets of the
 * matching elements of inputs 0 (ia) and 1 (ib). */
typedef struct op_bcast {
	int rank;
	int64_t numel, ia, ib;
	int64_t dims[IR_MAX_RANK], sa[IR_MAX_RANK], sb[IR_MAX_RANK], idx[IR_MAX_RANK];
} op_bcast;
void op_bcast_init(op_bcast *it, const ir_graph *g, const ir_node *n);
void op_bcast_next(op_bcast *it);

/* Sliding windows over the spatial axes of a 4-D NCHW input (Conv and the
 * pools): kernel from the caller, strides/pads/auto_pad/dilations/ceil_mode
 * from the node; writes explicit pads (top, left, bottom, right) and the
 * output height and width. */
typedef struct op_window {
	int64_t k[2], s[2], pad[4], out[2];
} op_window;
int op_window_resolve(const ir_graph *g, const ir_node *n, const ir_tensor *in, op_window *w,
		      snn_diag *diag);
/* Write the window back as explicit pads and strides (auto_pad becomes
 * NOTSET), so later passes read one form. */
int op_window_store(const ir_graph *g, ir_node *n, const op_window *w, snn_diag *diag);

/* What Conv and ConvTranspose share. Their attributes (ConvTranspose adds
 * its own); their check: 2 or 3 inputs, one output, attrs, group 1, or a
 * refusal naming grouped ("grouped transposed convolution"). */
#define OP_CONV_ATTRS \
	{"auto_pad", IR_ATTR_STRING}, {"dilations", IR_ATTR_INTS}, {"group", IR_ATTR_INT}, \
	{"kernel_shape", IR_ATTR_INTS}, {"pads", IR_ATTR_INTS}, {"strides", IR_ATTR_INTS}
int op_conv_check(const ir_graph *g, const ir_node *n, const op_attr_spec *attrs, const char *grouped,
		  snn_diag *diag);
/* In resolve: float input, weight and bias; 4-D input and weight (what
 * names the operation: "convolution"); the weight's input channels, on
 * its axis w_in_axis (Conv 1, ConvTranspose 0), those of the input; one
 * bias per output channel (the weight's other axis); kernel_shape, if
 * given, the weight's. */
int op_conv_check_tensors(const ir_graph *g, const ir_node *n, int w_in_axis, const char *what, snn_diag *diag);

/* The sizes Conv's and ConvTranspose's eval read, once resolve has made
 * strides and pads explicit: input C x H x W, kernel KH x KW, output
 * OH x OW, strides, top and left pads. */
typedef struct op_conv_dims {
	int64_t C, H, W, KH, KW, OH, OW, sy, sx, pt, pl;
} op_conv_dims;
op_conv_dims op_conv_dims_of(const ir_graph *g, const ir_node *n);

/* Data movement that is the same for floats and int64s: run(in, out, esize)
 * with in[k] each input's data. eval calls it on float values; resolve
 * calls op_fold_int64 so shape arithmetic folds at compile time. */
typedef void (*op_move_fn)(const ir_graph *g, const ir_node *n, const void *const *in, void *out,
			   size_t esize);
void op_eval_move(const ir_graph *g, const ir_node *n, ir_values *vals, op_move_fn run);
int op_fold_int64(ir_graph *g, const ir_node *n, op_move_fn run, snn_diag *diag);
/* The move for shape-only operators (Reshape, Flatten, Identity, ...). */
void op_move_copy(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize);
void op_eval_copy(const ir_graph *g, const ir_node *n, ir_values *vals);

/* Activation functions that eval shares with the approximations. */
void op_eval_relu(const ir_graph *g, const ir_node *n, ir_values *vals);

/* Operators named by ONNX that the front end refuses, with why; under
 * --approximate some run as a supported operator instead (ops/table.c). */
typedef struct op_refusal {
	const char *op_type;
	const char *domain;
	const char *why;	/* why it cannot be a rate-coded spiking layer and what to use */
	const ir_op *approx;	/* what it runs as with approximate, or NULL */
	const char *approx_as;	/* "average pooling", "a ReLU-like IF neuron" */
} op_refusal;
const op_refusal *op_refusal_find(const char *domain, const char *op_type);
const op_refusal *op_refusal_at(size_t i);	/* NULL past the end */

/* The operator table: every operator snnc supports, one line each, named
 * by its ir_op (defined in ops/<file>.c, one file per operator or
 * family). ops/table.c lists them in this order (snnc --list-ops) and
 * ir_op_find looks them up by domain and name. */
#define OP_TABLE(X) \
	/* layers */ \
	X(op_conv) X(op_conv_transpose) X(op_gemm) X(op_matmul) X(op_batchnorm) \
	X(op_add) X(op_sub) X(op_mul) X(op_div) \
	/* neurons */ \
	X(op_relu) X(op_clip) X(op_snn_if) X(op_snn_lif) X(op_snn_softlifrate) X(op_snn_izhikevich) \
	/* pooling, upsampling and padding */ \
	X(op_avgpool) X(op_global_avgpool) X(op_resize) X(op_upsample) X(op_pad) \
	/* layout */ \
	X(op_flatten) X(op_reshape) X(op_squeeze) X(op_unsqueeze) X(op_transpose) X(op_identity) \
	X(op_dropout) \
	/* outputs */ \
	X(op_softmax) X(op_logsoftmax) \
	/* shape arithmetic, folded */ \
	X(op_shape) X(op_gather) X(op_concat) X(op_constant) X(op_cast) X(op_slice)

#define OP_DECLARE(op) extern const ir_op op;
OP_TABLE(OP_DECLARE)
#undef OP_DECLARE
/* What refused operators run as under --approximate (op_refusal.approx). */
extern const ir_op op_relu_like, op_maxpool_approx, op_global_maxpool_approx;

#endif
