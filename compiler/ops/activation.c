/* Relu and Clip(0, max): the activations a rate-coded IF neuron computes.
 * The ReLU-like stand-in for Tanh, Sigmoid, ... under --approximate. */
#include <float.h>
#include <math.h>
#include "lower.h"
#include "ops.h"

static int relu_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, NULL);
}

static int relu_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	return op_want_float(g, n, 0, diag) ? SNN_ERR_UNSUPPORTED : op_same_as_input(g, n, diag);
}

/* An IF neuron closes the layer (Relu, and what runs as it). */
static int relu_lower(lower_ctx *x, const ir_node *n)
{
	return lower_activation(x, n, NULL);
}

const ir_op op_relu = {
	.op_type = "Relu", .domain = "",
	.limits = "becomes an IF neuron (Tanh, Sigmoid, LeakyRelu, Elu, Selu, HardSigmoid, Softplus run as it "
		  "with --approximate)",
	.check = relu_check, .resolve = relu_resolve, .eval = op_eval_relu, .lower = relu_lower,
};

/* Any activation run as a ReLU: its attributes and extra inputs are moot. */
static int relu_like_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	if (n->n_in < 1 || n->in[0] < 0 || n->n_out > 1)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "needs one input and one output");
	return 0;
}

const ir_op op_relu_like = {
	.op_type = "Relu", .domain = "", .limits = "an activation approximated by a ReLU",
	.check = relu_like_check, .resolve = relu_resolve, .eval = op_eval_relu, .lower = relu_lower,
};

static const op_attr_spec clip_attrs[] = {{"min", IR_ATTR_FLOAT}, {"max", IR_ATTR_FLOAT}, {0}};

static int clip_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	/* min and max are attributes before opset 11, optional inputs after. */
	if (g->opset < 11)
		return op_check(g, n, diag, 1, 1, 1, clip_attrs);
	return op_check(g, n, diag, 1, 3, 1, NULL);
}

/* The bounds: a missing min is -inf, a missing max +inf. */
static int clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi, snn_diag *diag)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	if (g->opset < 11) {
		const ir_attr *mn = ir_attr_find(n, "min"), *mx = ir_attr_find(n, "max");
		*lo = mn && mn->f > -FLT_MAX ? mn->f : -INFINITY;
		*hi = mx && mx->f < FLT_MAX ? mx->f : INFINITY;
		return 0;
	}
	for (int k = 1; k < 3; k++) {
		const ir_tensor *t = op_in(g, n, k);
		if (!t)
			continue;
		if (!t->f || ir_numel(t) != 1)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "%s must be a constant float scalar",
				       k == 1 ? "min" : "max");
		*(k == 1 ? lo : hi) = t->f[0];
	}
	return 0;
}

static int clip_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	float lo, hi;
	int rc = op_want_float(g, n, 0, diag) ? SNN_ERR_UNSUPPORTED : clip_bounds(g, n, &lo, &hi, diag);
	if (rc)
		return rc;
	if (lo != 0.0f)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "min is %g; only Clip(0, max), a bounded ReLU, is a neuron's firing rate", lo);
	if (!(hi > 0))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "max must be positive");
	return op_same_as_input(g, n, diag);
}

static void clip_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	float lo, hi;
	clip_bounds(g, n, &lo, &hi, NULL);
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = fminf(fmaxf(x[i], lo), hi);
}

/* An IF neuron whose rate is capped at max. */
static int clip_neuron(lower_ctx *x, const ir_node *n, snn_layer *l)
{
	const float *mx = lower_const_input(x, n, 2);
	l->clip = mx ? *mx : ir_attr_float(n, "max", 0.0f);
	return 0;
}

static int clip_lower(lower_ctx *x, const ir_node *n)
{
	return lower_activation(x, n, clip_neuron);
}

const ir_op op_clip = {
	.op_type = "Clip", .domain = "",
	.limits = "min 0, max constant or absent (ReLU6); becomes an IF neuron",
	.check = clip_check, .resolve = clip_resolve, .eval = clip_eval, .lower = clip_lower,
};
