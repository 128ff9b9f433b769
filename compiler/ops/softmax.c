/* Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at
 * axis (default 1); from 13 they work along the one axis (default -1). */
#include <math.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {{"axis", IR_ATTR_INT}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, attrs);
}

/* The softmax runs over len elements spaced inner apart, outer times. */
static void extent(const ir_graph *g, const ir_node *n, int64_t *outer, int64_t *len, int64_t *inner)
{
	const ir_tensor *x = op_in(g, n, 0);
	bool legacy = g->opset < 13;
	int64_t axis = ir_attr_int(n, "axis", legacy ? 1 : -1);
	if (axis < 0)
		axis += x->rank;
	*outer = *len = *inner = 1;
	for (int d = 0; d < x->rank; d++)
		*(d < axis ? outer : d == axis || legacy ? len : inner) *= x->dims[d];
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	int64_t axis = ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
	int a;
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	/* Legacy softmax allows axis == rank (an empty trailing block). */
	int rc = g->opset < 13 && axis == x->rank ? 0 : op_axis(g, n, axis, x->rank, &a, diag);
	return rc ? rc : op_same_as_input(g, n, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	int64_t outer, len, inner;
	extent(g, n, &outer, &len, &inner);
	bool log_form = n->op == &op_logsoftmax;
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t o = 0; o < outer; o++)
		for (int64_t i = 0; i < inner; i++) {
			const float *xs = x + o * len * inner + i;
			float *ys = y + o * len * inner + i;
			float mx = -INFINITY;
			double sum = 0;
			for (int64_t k = 0; k < len; k++)
				mx = fmaxf(mx, xs[k * inner]);
			for (int64_t k = 0; k < len; k++)
				sum += exp((double)xs[k * inner] - mx);
			for (int64_t k = 0; k < len; k++)
				ys[k * inner] = log_form ? (float)(xs[k * inner] - mx - log(sum))
							 : (float)(exp((double)xs[k * inner] - mx) / sum);
		}
}

/* The readout's arg-max needs no Softmax: at the output it is dropped. */
static int lower(lower_ctx *x, const ir_node *n)
{
	if (lower_tensor_is_read(x, n->out[0]))
		return lower_fail_node(x, n, "Softmax is only supported at the output, where the argmax "
				       "readout makes it unnecessary", NULL);
	return 0;
}

const ir_op op_softmax = {
	.op_type = "Softmax", .domain = "", .limits = "evaluated; dropped at the output (argmax readout)",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
const ir_op op_logsoftmax = {
	.op_type = "LogSoftmax", .domain = "", .limits = "evaluated; dropped at the output (argmax readout)",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
