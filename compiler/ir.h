/* snnc's intermediate representation: an ONNX graph as the front end loads
 * it (tensors, nodes, attributes), with shapes resolved for a batch of one. */
#ifndef SNNC_IR_H
#define SNNC_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

#define IR_MAX_RANK 8

typedef enum ir_dtype {
	IR_FLOAT = 1,	/* float32 (ONNX FLOAT; DOUBLE and FLOAT16 are converted) */
	IR_INT64 = 7,	/* int64 (ONNX INT64; INT32 is widened) */
} ir_dtype;

typedef struct ir_tensor {
	char *name;
	ir_dtype dtype;
	int rank;	/* -1 until shape inference knows it */
	int64_t dims[IR_MAX_RANK];
	/* Constant data (initializers, Constant nodes, folded sub-graphs), or
	 * NULL for values computed at run time. */
	float *f;
	int64_t *i;
	int producer;	/* node index, or -1 for graph inputs and initializers */
} ir_tensor;

typedef enum ir_attr_type {
	IR_ATTR_FLOAT = 1, IR_ATTR_INT = 2, IR_ATTR_STRING = 3, IR_ATTR_TENSOR = 4,
	IR_ATTR_FLOATS = 6, IR_ATTR_INTS = 7,
	IR_ATTR_STRINGS = 8,	/* only counted (n): classic-ML nodes' class labels and modes */
} ir_attr_type;

typedef struct ir_attr {
	char *name;
	ir_attr_type type;
	float f;
	int64_t i;
	char *s;
	float *floats;
	int64_t *ints;
	size_t n;	/* entries in floats or ints */
	int tensor;	/* IR_ATTR_TENSOR: index of a constant tensor */
} ir_attr;

struct ir_op;
struct lower_ctx;
struct pending;

typedef struct ir_node {
	char *name;	/* the ONNX node name, or "op_type#index" if it had none */
	char *op_type;
	char *domain;	/* "" for the default ONNX domain */
	int *in, n_in;	/* tensor indices; -1 for an omitted optional input */
	int *out, n_out;
	ir_attr *attrs;
	int n_attrs;
	const struct ir_op *op;	/* from the operator table, NULL if unknown */
	bool dead;	/* removed by a pass (folded, fused) */
} ir_node;

typedef struct ir_graph {
	char *path;	/* the model file, for messages */
	char *producer;	/* producer_name producer_version */
	int64_t opset;	/* default-domain opset */
	int64_t snn_opset;	/* 0 if the snn domain is not imported */
	bool has_ml_ops;	/* ai.onnx.ml operators present */
	bool linear_ml;	/* a scikit-learn linear model, rewritten as Gemm (linear_ml.c) */
	ir_tensor *tensors;
	int n_tensors;
	int cap_tensors;	/* allocated: grown by half again, not one at a time */
	ir_node *nodes;	/* in topological order after ir_sort */
	int n_nodes;
	int input;	/* the one non-constant graph input */
	int *outputs, n_outputs;
	uint8_t digest[32];	/* SHA-256 of the model file */
	void *model;	/* the parsed Onnx__ModelProto, for the ONNX-SNN writer */
} ir_graph;

/* Context for the float executor: one buffer per tensor. */
typedef struct ir_values {
	float **v;	/* v[t]: tensor t's data, numel floats (constants: alias;
			 * int64 constants: NULL) */
	int n;
	float *arena;	/* the storage of the computed tensors (owned) */
} ir_values;

/* One supported operator: the onnx2c-style three steps plus evaluation. */
typedef struct ir_op {
	const char *op_type;
	const char *domain;
	const char *limits;	/* one line for `snnc --list-ops` */
	/* Check attributes and input count; messages name the node. */
	int (*check)(const ir_graph *g, const ir_node *n, snn_diag *diag);
	/* Set output dtypes and shapes from the inputs' (all known). If every
	 * input is constant and the op can fold, fill the outputs' data too. */
	int (*resolve)(ir_graph *g, ir_node *n, snn_diag *diag);
	/* Float forward pass for one node (NULL: only folded at compile time). */
	void (*eval)(const ir_graph *g, const ir_node *n, ir_values *vals);
	/* Lowering (compiler/lower.h), for a node that reads one spiking path:
	 * fold the node into x's pending layer, or refuse naming the node and
	 * the alternative. Every operator in the table has one. */
	int (*lower)(struct lower_ctx *x, const ir_node *n);
	/* For a node that reads several paths (a residual Add, a Concat):
	 * ins[k] is its k-th path; the result goes to x. NULL: the operator
	 * cannot join paths (compiler/branch.c refuses it). */
	int (*join)(struct lower_ctx *x, const ir_node *n, struct pending *ins, int n_ins);
} ir_op;

/* ---- graph (compiler/ir.c) ---- */
void ir_free(ir_graph *g);
/* Free a node's attributes, leaving it none; or everything it owns. */
void ir_node_free_attrs(ir_node *n);
void ir_node_free(ir_node *n);
int64_t ir_numel(const ir_tensor *t);
const ir_attr *ir_attr_find(const ir_node *n, const char *name);
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt);
float ir_attr_float(const ir_node *n, const char *name, float dflt);
const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt);
/* Add a tensor (name copied); returns its index or -1 on allocation failure. */
int ir_add_tensor(ir_graph *g, const char *name, ir_dtype dtype);
/* "[1, 3, 28, 28]" into buf. */
const char *ir_shape_str(const ir_tensor *t, char *buf, size_t bufsz);

/* ---- front end ---- */
/* Load and check an ONNX file (compiler/onnx_load.c): protobuf-c parse,
 * initializers (raw or typed, external data only from the model's
 * directory), every size checked before use. On failure g holds nothing
 * (ir_free on it is harmless). */
int ir_load(const char *path, ir_graph *g, snn_diag *diag);
/* Bind operators, topologically sort, check, infer shapes with batch 1 and
 * fold constant sub-graphs (compiler/shape.c). Unsupported operators fail
 * here with the node named and the nearest alternative. Afterwards: folded
 * nodes and nodes nothing live reads are dead; Conv and the pools carry
 * explicit pads and strides (auto_pad NOTSET); a Transpose that only moves
 * size-1 axes has become a Reshape with a constant shape input; every live
 * tensor is float (int64 exists only as constants). On failure g stays
 * valid for ir_free. */
int ir_resolve(ir_graph *g, bool approximate, snn_diag *diag);
/* Why the front end refuses node n (written to buf), or NULL when an
 * operator (or, with approximate, an approximation) takes it. */
const char *ir_node_refusal(const ir_node *n, bool approximate, char *buf, size_t bufsz);
/* scikit-learn's linear models (compiler/linear_ml.c): does the graph hold
 * a LinearRegressor or LinearClassifier and no other ai.onnx.ml operator
 * but output formatting (ZipMap, Normalizer, ArrayFeatureExtractor)? */
bool ir_is_linear_ml(const ir_graph *g);
/* If so, rewrite each as a Gemm and drop the classifiers' formatting, the
 * scores becoming the graph output; ir_resolve does this first. Errors
 * name the node. */
int ir_rewrite_linear_ml(ir_graph *g, snn_diag *diag);
/* The operator table (compiler/ops/table.c). */
const ir_op *ir_op_find(const char *domain, const char *op_type);
const ir_op *ir_op_at(size_t i);	/* NULL past the end */

/* ---- float executor (compiler/eval.c) ---- */
int ir_values_init(const ir_graph *g, ir_values *vals);
void ir_values_free(ir_values *vals);
/* Run the graph on one input (numel of the graph input floats); afterwards
 * vals->v[t] holds every tensor's value. */
void ir_run(const ir_graph *g, ir_values *vals, const float *input);

#endif
