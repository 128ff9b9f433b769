/* TEMPLATE: how to add an operator. Copy this file to ops/<name>.c, rename
 * op_template and add one line, X(op_<name>), to OP_TABLE in ops/ops.h:
 * that declares it and puts it in the table (ops/table.c), which binds
 * nodes to it and drives every pass below. It is compiled with the rest
 * (so it keeps building) but is not in the table.
 *
 * The steps, in the order the passes call them:
 *   check    (ir_resolve) attributes known and typed, input and output
 *            counts (op_check); anything the operator does not support
 *            fails here, naming the node (op_fail), with the reason and
 *            the nearest alternative.
 *   resolve  (ir_resolve) the inputs' shapes and constness are known:
 *            check them, set every output's type and shape (op_set_out).
 *            If the output is int64 (shape arithmetic), compute it here
 *            when the inputs are constant (op_fold_int64 for pure data
 *            movement); float outputs of constant inputs are folded by
 *            calling eval once.
 *   eval     the float forward pass for batch 1 on vals->v[tensor];
 *            constant int64 inputs are read from g->tensors[t].i. eval
 *            cannot fail: everything that could go wrong was refused by
 *            check or resolve.
 *   lower    (snn_lower, compiler/lower.c) the node reads one spiking
 *            path, x->p (lower.h): the sources, what lies in front of the
 *            layer being built (pooling, padding, a rescaling) and, once a
 *            Conv, Gemm or MatMul has been seen (x->p.linear), the layer.
 *            Fold the node into it, or refuse with lower_fail_node naming
 *            why and what to use; lower.h has the helpers the operators
 *            share (an activation closes the layer: lower_activation).
 *            Every operator in the table has one; lower_unsupported is the
 *            refusal of one that only folds at compile time.
 *   join     optional: the node reads several paths (a residual Add, a
 *            Concat; compiler/branch.c has the joins). Without one, such
 *            a node is refused.
 * The example: y = alpha * x, element-wise. */
#include "lower.h"
#include "ops.h"

/* Every attribute the operator accepts, with its type. */
static const op_attr_spec attrs[] = {{"alpha", IR_ATTR_FLOAT}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 1, 1, attrs);
	if (!rc && !(ir_attr_float(n, "alpha", 1.0f) > 0))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "alpha must be positive; use Mul for other scales");
	return rc;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	return op_same_as_input(g, n, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	float alpha = ir_attr_float(n, "alpha", 1.0f);
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = alpha * x[i];
}

/* After the layer's Conv, Gemm or MatMul the scale folds into its weights
 * and bias; a scale of spikes (before a layer) is refused. */
static int lower(lower_ctx *x, const ir_node *n)
{
	if (!x->p.linear)
		return lower_fail_node(x, n, "a scale must follow a Conv, Gemm or MatMul; fold it into the next "
				       "layer's weights in the model", NULL);
	float alpha = ir_attr_float(n, "alpha", 1.0f);
	snn_layer *l = &x->p.l;
	for (int o = 0; o < l->out_c; o++) {
		l->b[o] *= alpha;
		lower_scale_channel_weights(l, o, alpha);
	}
	return lower_check_finite(x, n);
}

/* limits is the line `snnc --list-ops` prints. */
const ir_op op_template = {
	.op_type = "Template", .domain = "", .limits = "alpha > 0",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
