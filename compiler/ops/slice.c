/* Slice, folded at compile time: tf2onnx writes Keras's Flatten as
 * Shape -> Cast -> Slice(0:1) -> Concat -> Reshape, so a Slice of a shape
 * (or of a constant) is evaluated once the input shape is known. A Slice
 * of a layer's output has no spiking equivalent and is refused. */
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {
	{"starts", IR_ATTR_INTS}, {"ends", IR_ATTR_INTS}, {"axes", IR_ATTR_INTS}, {0}};

/* Per axis of the input: first element, step and count taken. */
typedef struct slice_plan {
	int64_t start[IR_MAX_RANK], step[IR_MAX_RANK], count[IR_MAX_RANK];
} slice_plan;

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 5, 1, attrs);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The ONNX rule: negative starts and ends count from the end, then clamp
 * to [0, dim] for a positive step and [-1, dim - 1] for a negative one. */
static int plan(const ir_graph *g, const ir_node *n, slice_plan *p, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	const int64_t *starts, *ends, *axes, *steps;
	int64_t n_starts, n_ends, n_axes, n_steps;
	int rc = op_ints_arg(g, n, "starts", 10, 1, &starts, &n_starts, diag);
	rc = rc ? rc : op_ints_arg(g, n, "ends", 10, 2, &ends, &n_ends, diag);
	rc = rc ? rc : op_ints_arg(g, n, "axes", 10, 3, &axes, &n_axes, diag);
	rc = rc ? rc : op_ints_arg(g, n, "steps", 10, 4, &steps, &n_steps, diag);
	if (rc)
		return rc;
	if (!starts || !ends || n_starts != n_ends || (axes && n_axes != n_starts) ||
	    (steps && n_steps != n_starts) || n_starts > x->rank)
		return op_fail(g, n, diag, SNN_ERR_FORMAT,
			       "starts, ends, axes and steps must be present (starts, ends) and of one length, at most "
			       "the input's rank %d", x->rank);
	for (int d = 0; d < x->rank; d++) {
		p->start[d] = 0;
		p->step[d] = 1;
		p->count[d] = x->dims[d];
	}
	bool seen[IR_MAX_RANK] = {false};
	for (int64_t k = 0; k < n_starts; k++) {
		int d;
		if ((rc = op_axis(g, n, axes ? axes[k] : k, x->rank, &d, diag)))
			return rc;
		if (seen[d])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "axis %d is sliced twice", d);
		seen[d] = true;
		int64_t dim = x->dims[d], step = steps ? steps[k] : 1;
		if (step == 0)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "step 0 along axis %d", d);
		int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k];
		int64_t e = ends[k] < 0 ? ends[k] + dim : ends[k];
		if (ends[k] < -dim)	/* INT64_MIN means "from the end down to the front" */
			e = -1;
		s = step > 0 ? clamp(s, 0, dim) : clamp(s, -1, dim - 1);
		e = step > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
		/* |step| as unsigned: -INT64_MIN does not fit an int64 */
		uint64_t mag = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
		int64_t span = step > 0 ? e - s : s - e;
		p->start[d] = s;
		p->step[d] = step;
		p->count[d] = span > 0 ? (int64_t)((uint64_t)(span - 1) / mag) + 1 : 0;
	}
	return 0;
}

static void move(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize)
{
	const ir_tensor *x = op_in(g, n, 0);
	slice_plan p;
	if (plan(g, n, &p, NULL))	/* resolve checked it */
		return;
	int r = x->rank;
	int64_t stride[IR_MAX_RANK], idx[IR_MAX_RANK] = {0}, total = 1;
	int64_t s = 1;
	for (int d = r - 1; d >= 0; s *= x->dims[d], d--)
		stride[d] = s;
	for (int d = 0; d < r; d++)
		total *= p.count[d];
	const char *src = in[0];
	char *dst = out;
	for (int64_t o = 0; o < total; o++) {
		int64_t off = 0;
		for (int d = 0; d < r; d++)
			off += (p.start[d] + idx[d] * p.step[d]) * stride[d];
		memcpy(dst + o * (int64_t)esize, src + off * (int64_t)esize, esize);
		for (int d = r - 1; d >= 0 && ++idx[d] == p.count[d]; d--)
			idx[d] = 0;
	}
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_move(g, n, vals, move);
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	if (!op_is_const(x))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "cutting part of a layer's output (%s) has no spiking equivalent: the core array only "
			       "routes whole layer outputs, and snnc evaluates Slice only on shapes and constants, at "
			       "compile time; use Flatten, or a Reshape to a constant shape", x->name);
	for (int k = 1; k < n->n_in; k++) {
		const ir_tensor *t = op_in(g, n, k);
		if (t && !op_is_const(t))
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
				       "%s, its %s, is computed from the network's input values, so the cut is not "
				       "known at compile time; slice with constant starts and ends, or use Flatten",
				       t->name, k == 1 ? "starts" : k == 2 ? "ends" : k == 3 ? "axes" : "steps");
	}
	slice_plan p;
	int rc = plan(g, n, &p, diag);
	if (rc)
		return rc;
	rc = op_set_out(g, n, 0, x->dtype, x->rank, p.count, diag);
	return rc ? rc : op_fold_int64(g, n, move, diag);
}

const ir_op op_slice = {
	.op_type = "Slice", .domain = "", .limits = "folded: shapes and constants only (Keras's Flatten)",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower_unsupported,
};
