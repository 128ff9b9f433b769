/* AveragePool and GlobalAveragePool (2-D, NCHW). Under --approximate,
 * MaxPool and GlobalMaxPool run as their average counterparts. */
#include "lower.h"
#include "ops.h"

/* dilations: since opset 19 (all 1 accepted, like MaxPool's) */
static const op_attr_spec avg_attrs[] = {
	{"auto_pad", IR_ATTR_STRING}, {"ceil_mode", IR_ATTR_INT}, {"count_include_pad", IR_ATTR_INT},
	{"dilations", IR_ATTR_INTS}, {"kernel_shape", IR_ATTR_INTS}, {"pads", IR_ATTR_INTS}, {"strides", IR_ATTR_INTS}, {0},
};
static const op_attr_spec max_attrs[] = {
	{"auto_pad", IR_ATTR_STRING}, {"ceil_mode", IR_ATTR_INT}, {"dilations", IR_ATTR_INTS},
	{"kernel_shape", IR_ATTR_INTS}, {"pads", IR_ATTR_INTS}, {"storage_order", IR_ATTR_INT},
	{"strides", IR_ATTR_INTS}, {0},
};

static int avg_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, avg_attrs);
}

static int max_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 1, 2, max_attrs);
	if (!rc && n->n_out > 1 && n->out[1] >= 0)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "the Indices output is not supported");
	return rc;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	const ir_attr *ks = ir_attr_find(n, "kernel_shape");
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	if (!ks || ks->n != 2)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "kernel_shape must give 2 values");
	op_window w = {.k = {ks->ints[0], ks->ints[1]}};
	int rc = op_window_resolve(g, n, x, &w, diag);
	if (rc || (rc = op_window_store(g, n, &w, diag)))
		return rc;
	int64_t dims[4] = {x->dims[0], x->dims[1], w.out[0], w.out[1]};
	return op_set_out(g, n, 0, IR_FLOAT, 4, dims, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *xt = op_in(g, n, 0), *yt = &g->tensors[n->out[0]];
	const ir_attr *ks = ir_attr_find(n, "kernel_shape"), *pads = ir_attr_find(n, "pads");
	const ir_attr *strides = ir_attr_find(n, "strides");
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	/* MaxPool's padding never counts: it stands for -inf there. */
	bool include_pad = n->op == &op_avgpool && ir_attr_int(n, "count_include_pad", 0);
	int64_t C = xt->dims[1], H = xt->dims[2], W = xt->dims[3], OH = yt->dims[2], OW = yt->dims[3];
	int64_t kh = ks->ints[0], kw = ks->ints[1], sy = strides->ints[0], sx = strides->ints[1];
	int64_t pt = pads->ints[0], pl = pads->ints[1];
	for (int64_t c = 0; c < C; c++)
		for (int64_t oy = 0; oy < OH; oy++)
			for (int64_t ox = 0; ox < OW; ox++) {
				int64_t y0 = oy * sy - pt, x0 = ox * sx - pl;
				int64_t ya = y0 > 0 ? y0 : 0, yb = y0 + kh < H ? y0 + kh : H;
				int64_t xa = x0 > 0 ? x0 : 0, xb = x0 + kw < W ? x0 + kw : W;
				float sum = 0;
				for (int64_t iy = ya; iy < yb; iy++)
					for (int64_t ix = xa; ix < xb; ix++)
						sum += x[(c * H + iy) * W + ix];
				int64_t count = include_pad ? kh * kw : (yb - ya) * (xb - xa);
				y[(c * OH + oy) * OW + ox] = count > 0 ? sum / (float)count : 0.0f;
			}
}

/* Average pooling in front of the next layer, which reads the pooled
 * map (the conv mode pools events; a dense layer's weights expand). */
static int lower_pool(lower_ctx *x, const ir_node *n, bool global)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]], *out = &x->g->tensors[n->out[0]];
	if (x->p.linear)
		return lower_fail_node(x, n, "pooling between a layer and its activation is not supported; "
				       "pool after the activation", NULL);
	if (x->p.pool)
		return lower_fail_node(x, n, "two pooling operators in a row are not supported", NULL);
	if (x->p.upsample)
		return lower_fail_node(x, n, "pooling an upsampled map is not supported", NULL);
	if (x->p.perm)
		return lower_fail_node(x, n, "pooling after a Transpose is not supported: pool the NCHW map "
				       "before changing its layout", NULL);
	int64_t P = in->dims[2] / out->dims[2];
	if (P < 1 || in->dims[3] / out->dims[3] != P || in->dims[2] != x->p.src_h || in->dims[3] != x->p.src_w)
		return lower_fail_node(x, n, "only square, non-overlapping pooling (kernel = stride) is supported",
				       NULL);
	if (!global) {
		const ir_attr *k = ir_attr_find(n, "kernel_shape"), *s = ir_attr_find(n, "strides");
		const ir_attr *pads = ir_attr_find(n, "pads");
		bool padded = false;
		for (size_t i = 0; pads && i < pads->n; i++)
			padded |= pads->ints[i] != 0;
		if (padded)
			return lower_fail_node(x, n, "padded pooling is not supported: spikes cannot average "
					       "over zero padding", NULL);
		if (!k || k->n != 2 || k->ints[0] != P || k->ints[1] != P ||
		    (s && s->n == 2 && (s->ints[0] != P || s->ints[1] != P)))
			return lower_fail_node(x, n, "only square, non-overlapping pooling (kernel = stride) is "
					       "supported", NULL);
	}
	x->p.pool = (int)P;
	return 0;
}

static int lower(lower_ctx *x, const ir_node *n)
{
	return lower_pool(x, n, false);
}

const ir_op op_avgpool = {
	.op_type = "AveragePool", .domain = "",
	.limits = "2-D; kernel = stride to fold into the next layer; pads, count_include_pad, auto_pad, "
		  "dilations 1 (MaxPool runs as it with --approximate)",
	.check = avg_check, .resolve = resolve, .eval = eval, .lower = lower,
};

const ir_op op_maxpool_approx = {
	.op_type = "AveragePool", .domain = "", .limits = "MaxPool approximated by average pooling",
	.check = max_check, .resolve = resolve, .eval = eval, .lower = lower,
};

static int global_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, NULL);
}

static int global_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	if (x->rank < 3)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the input needs spatial axes (rank >= 3)");
	int64_t dims[IR_MAX_RANK] = {x->dims[0], x->dims[1]};
	for (int d = 2; d < x->rank; d++)
		dims[d] = 1;
	return op_set_out(g, n, 0, IR_FLOAT, x->rank, dims, diag);
}

static void global_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *xt = op_in(g, n, 0);
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	int64_t planes = xt->dims[0] * xt->dims[1], area = planes ? ir_numel(xt) / planes : 0;
	for (int64_t p = 0; p < planes; p++) {
		float sum = 0;
		for (int64_t i = 0; i < area; i++)
			sum += x[p * area + i];
		y[p] = area ? sum / (float)area : 0.0f;
	}
}

static int global_lower(lower_ctx *x, const ir_node *n)
{
	return lower_pool(x, n, true);
}

const ir_op op_global_avgpool = {
	.op_type = "GlobalAveragePool", .domain = "",
	.limits = "average over all spatial positions (GlobalMaxPool runs as it with --approximate)",
	.check = global_check, .resolve = global_resolve, .eval = global_eval, .lower = global_lower,
};

const ir_op op_global_maxpool_approx = {
	.op_type = "GlobalAveragePool", .domain = "", .limits = "GlobalMaxPool approximated by an average",
	.check = global_check, .resolve = global_resolve, .eval = global_eval, .lower = global_lower,
};
