/* Concat along one axis (shape arithmetic, or joining computed tensors). */
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {{"axis", IR_ATTR_INT}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, OP_MAX_INPUTS, 1, attrs);
	for (int k = 0; !rc && k < n->n_in; k++)
		if (n->in[k] < 0)
			rc = op_fail(g, n, diag, SNN_ERR_FORMAT, "input %d is empty", k);
	if (!rc && !ir_attr_find(n, "axis"))
		rc = op_fail(g, n, diag, SNN_ERR_FORMAT, "the axis attribute is required");
	return rc;
}

static void move(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize)
{
	const ir_tensor *y = &g->tensors[n->out[0]];
	int axis = (int)ir_attr_int(n, "axis", 0);
	axis = axis < 0 ? axis + y->rank : axis;
	int64_t outer = 1, inner = 1;
	for (int d = 0; d < y->rank; d++)
		if (d != axis)
			*(d < axis ? &outer : &inner) *= y->dims[d];
	char *dst = out;
	for (int64_t o = 0; o < outer; o++)
		for (int k = 0; k < n->n_in; k++) {
			size_t block = (size_t)(op_in(g, n, k)->dims[axis] * inner) * esize;
			memcpy(dst, (const char *)in[k] + o * (int64_t)block, block);
			dst += block;
		}
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_move(g, n, vals, move);
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	int axis;
	int rc = op_axis(g, n, ir_attr_int(n, "axis", 0), x->rank, &axis, diag);
	if (rc)
		return rc;
	int64_t dims[IR_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	for (int k = 1; k < n->n_in; k++) {
		const ir_tensor *t = op_in(g, n, k);
		bool same = t->rank == x->rank && t->dtype == x->dtype;
		for (int d = 0; same && d < x->rank; d++)
			same = d == axis || t->dims[d] == x->dims[d];
		if (!same)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "input %s does not match the others' type and shape",
				       t->name);
		if ((dims[axis] += t->dims[axis]) > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_RANGE, "the result is too large");
	}
	rc = op_set_out(g, n, 0, x->dtype, x->rank, dims, diag);
	return rc ? rc : op_fold_int64(g, n, move, diag);
}

/* Folded over shapes and constants (resolve); on a layer's output, refused. */
static int lower(lower_ctx *x, const ir_node *n)
{
	return lower_fail_node(x, n, "%s", "joining a layer's output with a constant is not supported: a spiking "
				"layer's output is spikes, and snnc folds Concat only over shapes and constants; Concat "
				"layer outputs (along channels) or fold the constant into the next layer's bias");
}

const ir_op op_concat = {
	.op_type = "Concat", .domain = "", .limits = "shapes, constants: any axis; activations: channels",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower, .join = lower_join_concat,
};
