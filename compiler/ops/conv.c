/* Conv: 2-D convolution, NCHW, group 1, dilation 1. */
#include "ops.h"

static const op_attr_spec attrs[] = {
	{"auto_pad", IR_ATTR_STRING}, {"dilations", IR_ATTR_INTS}, {"group", IR_ATTR_INT},
	{"kernel_shape", IR_ATTR_INTS}, {"pads", IR_ATTR_INTS}, {"strides", IR_ATTR_INTS}, {0},
};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 2, 3, 1, attrs);
	if (!rc && ir_attr_int(n, "group", 1) != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "grouped or depthwise convolution (group = %lld) is not supported; use group 1",
			       (long long)ir_attr_int(n, "group", 1));
	return rc;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *w = op_in(g, n, 1), *b = op_in(g, n, 2);
	int rc = op_want_float(g, n, 0, diag) || op_want_float(g, n, 1, diag) || op_want_float(g, n, 2, diag);
	if (rc)
		return SNN_ERR_UNSUPPORTED;
	if (w->rank != 4 || x->rank != 4)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "only 2-D convolution (4-D input and weight) is supported");
	if (w->dims[1] != x->dims[1])
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the weight expects %lld input channels; the input has %lld",
			       (long long)w->dims[1], (long long)x->dims[1]);
	if (b && (b->rank != 1 || b->dims[0] != w->dims[0]))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the bias must have one value per output channel (%lld)",
			       (long long)w->dims[0]);
	const ir_attr *ks = ir_attr_find(n, "kernel_shape");
	if (ks && (ks->n != 2 || ks->ints[0] != w->dims[2] || ks->ints[1] != w->dims[3]))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "kernel_shape does not match the weight");
	op_window win = {.k = {w->dims[2], w->dims[3]}};
	if ((rc = op_window_resolve(g, n, x, &win, diag)) || (rc = op_window_store(g, n, &win, diag)))
		return rc;
	int64_t dims[4] = {x->dims[0], w->dims[0], win.out[0], win.out[1]};
	return op_set_out(g, n, 0, IR_FLOAT, 4, dims, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const float *x = vals->v[n->in[0]], *w = vals->v[n->in[1]];
	const float *b = op_in(g, n, 2) ? vals->v[n->in[2]] : NULL;
	float *y = vals->v[n->out[0]];
	const op_conv_dims d = op_conv_dims_of(g, n);
	const int64_t C = d.C, H = d.H, W = d.W, KH = d.KH, KW = d.KW, OH = d.OH, OW = d.OW;
	const int64_t sy = d.sy, sx = d.sx, pt = d.pt, pl = d.pl, M = op_in(g, n, 1)->dims[0];
	for (int64_t m = 0; m < M; m++) {
		float *ym = y + m * OH * OW;
		for (int64_t i = 0; i < OH * OW; i++)
			ym[i] = b ? b[m] : 0.0f;
		for (int64_t c = 0; c < C; c++)
			for (int64_t ky = 0; ky < KH; ky++)
				for (int64_t kx = 0; kx < KW; kx++) {
					float wv = w[((m * C + c) * KH + ky) * KW + kx];
					/* output columns whose input column lies inside the image */
					int64_t x0 = pl - kx > 0 ? (pl - kx + sx - 1) / sx : 0;
					int64_t x1 = W - 1 + pl - kx >= 0 ? (W - 1 + pl - kx) / sx + 1 : 0;
					x1 = x1 < OW ? x1 : OW;
					for (int64_t oy = 0; oy < OH; oy++) {
						int64_t iy = oy * sy - pt + ky;
						if (iy < 0 || iy >= H)
							continue;
						const float *xr = x + (c * H + iy) * W - pl + kx;
						float *yr = ym + oy * OW;
						for (int64_t ox = x0; ox < x1; ox++)
							yr[ox] += wv * xr[ox * sx];
					}
				}
	}
}

const ir_op op_conv = {
	.op_type = "Conv", .domain = "",
	.limits = "2-D, group 1, dilation 1; any stride, pads or auto_pad",
	.check = check, .resolve = resolve, .eval = eval,
};
