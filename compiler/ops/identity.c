/* Identity and Dropout (inference: the input passes unchanged). */
#include "lower.h"
#include "ops.h"

static int identity_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, NULL);
}

static int identity_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	int rc = op_same_as_input(g, n, diag);
	return rc ? rc : op_fold_int64(g, n, op_move_copy, diag);
}

/* The flow passes unchanged. */
static int lower(lower_ctx *x, const ir_node *n)
{
	(void)x;
	(void)n;
	return 0;
}

const ir_op op_identity = {
	.op_type = "Identity", .domain = "", .limits = "",
	.check = identity_check, .resolve = identity_resolve, .eval = op_eval_copy, .lower = lower,
};

static const op_attr_spec dropout_attrs[] = {{"ratio", IR_ATTR_FLOAT}, {"seed", IR_ATTR_INT}, {0}};

static int dropout_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, g->opset < 12 ? 1 : 3, 2, dropout_attrs);
}

static int dropout_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *training = op_in(g, n, 2);
	if (training && (!training->i || ir_numel(training) != 1 || training->i[0]))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "training_mode must be a constant false; export the model in eval mode");
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	/* The mask (all ones at inference) is float here; nothing reads it. */
	int rc = op_set_out(g, n, 0, IR_FLOAT, x->rank, x->dims, diag);
	return rc ? rc : op_set_out(g, n, 1, IR_FLOAT, x->rank, x->dims, diag);
}

static void dropout_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_copy(g, n, vals);
	if (n->n_out > 1 && n->out[1] >= 0)
		for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[1]]); i < len; i++)
			vals->v[n->out[1]][i] = 1.0f;
}

const ir_op op_dropout = {
	.op_type = "Dropout", .domain = "", .limits = "inference (passes its input)",
	.check = dropout_check, .resolve = dropout_resolve, .eval = dropout_eval, .lower = lower,
};
