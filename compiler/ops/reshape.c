/* Flatten, Reshape, Squeeze, Unsqueeze: new shapes over the same data. They
 * fold at compile time on constant int64 shape arithmetic too. */
#include <string.h>
#include "lower.h"
#include "ops.h"

/* The new shape is set; the data moves unchanged. */
static int finish(ir_graph *g, ir_node *n, int rank, const int64_t *dims, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	int rc = op_set_out(g, n, 0, x->dtype, rank, dims, diag);
	return rc ? rc : op_fold_int64(g, n, op_move_copy, diag);
}

static const op_attr_spec flatten_attrs[] = {{"axis", IR_ATTR_INT}, {0}};

static int flatten_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, flatten_attrs);
}

static int flatten_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	int64_t axis = ir_attr_int(n, "axis", 1);
	if (axis < -x->rank || axis > x->rank)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "axis %lld is out of range", (long long)axis);
	if (axis < 0)
		axis += x->rank;
	int64_t dims[2] = {1, 1};
	for (int d = 0; d < x->rank; d++)
		dims[d >= axis] *= x->dims[d];
	return finish(g, n, 2, dims, diag);
}

/* Reshaping the input (784 -> 1x28x28) re-reads the same pixels in
 * another shape; elsewhere only flattening keeps the layout. */
static int lower(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *out = &x->g->tensors[n->out[0]];
	if (lower_reads_input(&x->p) && !x->p.linear && !x->p.pool && !x->p.perm && out->rank == 4) {
		int old_c = x->p.src_c;
		int rc = lower_source_from_tensor(x, out);
		rc = rc ? rc : lower_rechannel_rescale(x, n, old_c);
		lower_set_net_input(x);
		return rc;
	}
	if (out->rank > 2 && x->p.src_is_dense)
		return lower_fail_node(x, n, "reshaping a fully connected layer's output into a map is not "
				       "supported", NULL);
	return 0;
}

const ir_op op_flatten = {
	.op_type = "Flatten", .domain = "", .limits = "any axis",
	.check = flatten_check, .resolve = flatten_resolve, .eval = op_eval_copy, .lower = lower,
};

static const op_attr_spec reshape_attrs[] = {{"allowzero", IR_ATTR_INT}, {0}};

static int reshape_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 2, 2, 1, reshape_attrs);
}

static int reshape_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *s = op_in(g, n, 1);
	if (s->dtype != IR_INT64 || !s->i || s->rank != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "the shape input must be a constant 1-D int64 tensor (after folding)");
	int64_t rank = s->dims[0], known = 1;
	int infer = -1;
	bool allowzero = ir_attr_int(n, "allowzero", 0);
	int64_t dims[IR_MAX_RANK];
	if (rank > IR_MAX_RANK)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "the new shape has rank %lld", (long long)rank);
	for (int d = 0; d < rank; d++) {
		int64_t v = s->i[d];
		if (v == 0 && !allowzero) {
			if (d >= x->rank)
				return op_fail(g, n, diag, SNN_ERR_FORMAT, "0 at position %d copies a missing axis",
					       d);
			v = x->dims[d];
		}
		if (v == -1) {
			if (infer >= 0)
				return op_fail(g, n, diag, SNN_ERR_FORMAT, "the shape has more than one -1");
			infer = d;
			v = 1;
		} else if (v < 0 || v > OP_MAX_NUMEL) {
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "the shape has an invalid dimension %lld",
				       (long long)v);
		}
		dims[d] = v;
		if ((known *= v) > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "the new shape is too large");
	}
	int64_t numel = ir_numel(x);
	if (infer >= 0) {
		if (known == 0 || numel % known)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "cannot infer -1: %lld elements into blocks of %lld",
				       (long long)numel, (long long)known);
		dims[infer] = numel / known;
	} else if (known != numel) {
		char a[96];
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "cannot reshape %s (%lld elements) into %lld elements",
			       ir_shape_str(x, a, sizeof a), (long long)numel, (long long)known);
	}
	return finish(g, n, (int)rank, dims, diag);
}

const ir_op op_reshape = {
	.op_type = "Reshape", .domain = "", .limits = "shape constant after folding; 0 and -1",
	.check = reshape_check, .resolve = reshape_resolve, .eval = op_eval_copy, .lower = lower,
};

static const op_attr_spec axes_attrs[] = {{"axes", IR_ATTR_INTS}, {0}};

static int axes_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, g->opset < 13 ? 1 : 2, 1, axes_attrs);
}

static int squeeze_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	const int64_t *axes;
	int64_t count;
	int rc = op_ints_arg(g, n, "axes", 13, 1, &axes, &count, diag);
	if (rc)
		return rc;
	bool drop[IR_MAX_RANK] = {false};
	for (int64_t k = 0; k < count; k++) {
		int a;
		if ((rc = op_axis(g, n, axes[k], x->rank, &a, diag)))
			return rc;
		if (x->dims[a] != 1)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "axis %d has size %lld, not 1", a,
				       (long long)x->dims[a]);
		drop[a] = true;
	}
	int64_t dims[IR_MAX_RANK];
	int rank = 0;
	for (int d = 0; d < x->rank; d++)
		if (!(count ? drop[d] : x->dims[d] == 1))
			dims[rank++] = x->dims[d];
	return finish(g, n, rank, dims, diag);
}

const ir_op op_squeeze = {
	.op_type = "Squeeze", .domain = "", .limits = "axes attribute (< 13) or constant input",
	.check = axes_check, .resolve = squeeze_resolve, .eval = op_eval_copy, .lower = lower,
};

static int unsqueeze_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	const int64_t *axes;
	int64_t count;
	int rc = op_ints_arg(g, n, "axes", 13, 1, &axes, &count, diag);
	if (rc)
		return rc;
	if (!axes || count < 1 || x->rank + count > IR_MAX_RANK)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "needs 1 to %d axes", IR_MAX_RANK - x->rank);
	int rank = x->rank + (int)count;
	bool added[IR_MAX_RANK] = {false};
	for (int64_t k = 0; k < count; k++) {
		int a;
		if ((rc = op_axis(g, n, axes[k], rank, &a, diag)))
			return rc;
		if (added[a])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "axis %d appears twice", a);
		added[a] = true;
	}
	int64_t dims[IR_MAX_RANK];
	for (int d = 0, src = 0; d < rank; d++)
		dims[d] = added[d] ? 1 : x->dims[src++];
	return finish(g, n, rank, dims, diag);
}

const ir_op op_unsqueeze = {
	.op_type = "Unsqueeze", .domain = "", .limits = "axes attribute (< 13) or constant input",
	.check = axes_check, .resolve = unsqueeze_resolve, .eval = op_eval_copy, .lower = lower,
};
