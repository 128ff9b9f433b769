/* BatchNormalization in its inference form: per channel (axis 1),
 * y = (x - mean) / sqrt(var + epsilon) * scale + B. */
#include <math.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {
	{"epsilon", IR_ATTR_FLOAT}, {"momentum", IR_ATTR_FLOAT}, {"training_mode", IR_ATTR_INT},
	{"spatial", IR_ATTR_INT}, {0},
};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 5, 5, 5, attrs);
	if (rc)
		return rc;
	bool extra = false;
	for (int k = 1; k < n->n_out; k++)
		extra |= n->out[k] >= 0;
	if (extra || ir_attr_int(n, "training_mode", 0))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "is in training mode (running statistics as outputs); export the model in eval mode");
	if (ir_attr_int(n, "spatial", 1) != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "spatial = 0 is not supported");
	return 0;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	if (x->rank < 2)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the input must have a channel axis (rank >= 2)");
	for (int k = 0; k < 5; k++)
		if (op_want_float(g, n, k, diag))
			return SNN_ERR_UNSUPPORTED;
	for (int k = 1; k < 5; k++) {
		const ir_tensor *p = op_in(g, n, k);
		if (p->rank != 1 || p->dims[0] != x->dims[1])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "%s must have one value per channel (%lld)", p->name,
				       (long long)x->dims[1]);
	}
	const ir_tensor *var = op_in(g, n, 4);
	float eps = ir_attr_float(n, "epsilon", 1e-5f);
	for (int64_t c = 0; var->f && c < var->dims[0]; c++)
		if (!(var->f[c] + eps > 0))
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "variance + epsilon is not positive in channel %lld",
				       (long long)c);
	return op_same_as_input(g, n, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *xt = op_in(g, n, 0);
	const float *x = vals->v[n->in[0]], *scale = vals->v[n->in[1]], *bias = vals->v[n->in[2]];
	const float *mean = vals->v[n->in[3]], *var = vals->v[n->in[4]];
	float *y = vals->v[n->out[0]];
	float eps = ir_attr_float(n, "epsilon", 1e-5f);
	int64_t C = xt->dims[1], planes = xt->dims[0] * C, inner = planes ? ir_numel(xt) / planes : 0;
	for (int64_t b = 0; b < xt->dims[0]; b++)
		for (int64_t c = 0; c < C; c++) {
			float s = scale[c] / sqrtf(var[c] + eps), sh = bias[c] - mean[c] * s;
			for (int64_t i = (b * C + c) * inner; i < (b * C + c + 1) * inner; i++)
				y[i] = x[i] * s + sh;
		}
}

/* BatchNormalization after the linear operator, folded into it. */
static int bn_layer(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	if (!x->p.linear)
		return lower_fail_node(x, n, "BatchNormalization must follow a Conv, Gemm or MatMul to be folded "
				       "into it", NULL);
	const float *gamma = lower_const_input(x, n, 1), *beta = lower_const_input(x, n, 2);
	const float *mean = lower_const_input(x, n, 3), *var = lower_const_input(x, n, 4);
	if (!gamma || !beta || !mean || !var)
		return lower_fail_node(x, n, "scale, B, mean and var must be constants", NULL);
	float eps = ir_attr_float(n, "epsilon", 1e-5f);
	for (int o = 0; o < l->out_c; o++) {
		float s = gamma[o] / sqrtf(var[o] + eps);
		l->b[o] = (l->b[o] - mean[o]) * s + beta[o];
		lower_scale_channel_weights(l, o, s);
	}
	return 0;
}

static int lower(lower_ctx *x, const ir_node *n)
{
	int rc = bn_layer(x, n);
	return rc ? rc : lower_check_finite(x, n);
}

const ir_op op_batchnorm = {
	.op_type = "BatchNormalization", .domain = "",
	.limits = "inference form (epsilon); folded into the layer before it",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
