/* Gather along one axis with constant int64 indices (shape arithmetic, or
 * picking entries of a constant). */
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {{"axis", IR_ATTR_INT}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 2, 2, 1, attrs);
}

static void move(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize)
{
	const ir_tensor *x = op_in(g, n, 0), *it = op_in(g, n, 1);
	int axis = (int)ir_attr_int(n, "axis", 0);
	axis = axis < 0 ? axis + x->rank : axis;
	int64_t outer = 1, inner = 1, dim = x->dims[axis];
	for (int d = 0; d < x->rank; d++)
		if (d != axis)
			*(d < axis ? &outer : &inner) *= x->dims[d];
	const int64_t *idx = in[1];
	int64_t count = ir_numel(it);
	size_t block = (size_t)inner * esize;
	const char *src = in[0];
	char *dst = out;
	for (int64_t o = 0; o < outer; o++)
		for (int64_t k = 0; k < count; k++) {
			int64_t j = idx[k] < 0 ? idx[k] + dim : idx[k];
			memcpy(dst + (o * count + k) * (int64_t)block, src + (o * dim + j) * (int64_t)block, block);
		}
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_move(g, n, vals, move);
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *it = op_in(g, n, 1);
	int axis;
	int rc = op_axis(g, n, ir_attr_int(n, "axis", 0), x->rank, &axis, diag);
	if (rc)
		return rc;
	if (it->dtype != IR_INT64 || !it->i)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "the indices must be a constant integer tensor: picking elements by computed indices "
			       "has no spiking equivalent, and only Gathers of shapes and constants are folded; "
			       "use Flatten or a Reshape to a constant shape");
	for (int64_t k = 0, count = ir_numel(it); k < count; k++)
		if (it->i[k] < -x->dims[axis] || it->i[k] >= x->dims[axis])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "index %lld is out of range for a dimension of %lld",
				       (long long)it->i[k], (long long)x->dims[axis]);
	if (x->rank - 1 + it->rank > IR_MAX_RANK)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "the output would have too many dimensions");
	int64_t dims[IR_MAX_RANK];
	int rank = 0;
	for (int d = 0; d < x->rank; d++) {
		if (d != axis) {
			dims[rank++] = x->dims[d];
			continue;
		}
		for (int e = 0; e < it->rank; e++)
			dims[rank++] = it->dims[e];
	}
	rc = op_set_out(g, n, 0, x->dtype, rank, dims, diag);
	return rc ? rc : op_fold_int64(g, n, move, diag);
}

/* Folded over shapes and constants (resolve); on a layer's output, refused. */
static int lower(lower_ctx *x, const ir_node *n)
{
	return lower_fail_node(x, n, "%s", "picking elements of a layer's output has no spiking equivalent, and "
				"snnc folds Gather only over shapes and constants; use Flatten or a Reshape to a "
				"constant shape");
}

const ir_op op_gather = {
	.op_type = "Gather", .domain = "", .limits = "constant indices",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
