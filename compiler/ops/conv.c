/* Conv: 2-D convolution, NCHW, group 1, dilation 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {OP_CONV_ATTRS, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_conv_check(g, n, attrs, "grouped or depthwise convolution", diag);
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *w = op_in(g, n, 1);
	int rc = op_conv_check_tensors(g, n, 1, "convolution", diag);
	if (rc)
		return rc;
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

/* A conv layer over x->p's sources, its weights averaging any pooling in
 * front. */
static int conv_layer(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	int rc = lower_start_layer(x, n, LAYER_CONV);
	if (rc)
		return rc;
	snn_layer *l = &x->p.l;
	if (x->p.perm)
		return lower_fail_node(x, n, "a Transpose that moves data in front of a convolution is not supported "
				       "(of the input, only tf2onnx's NHWC -> NCHW one is taken, as the image's input "
				       "layout): the core array reads maps channel-first; export with NCHW input "
				       "(tf2onnx: --inputs-as-nchw input)", NULL);
	if (x->p.src_is_dense)
		return lower_fail_node(x, n, "a convolution over a fully connected layer's output is not supported",
				 NULL);
	const ir_tensor *in = &g->tensors[n->in[0]], *wt = &g->tensors[n->in[1]];
	const ir_tensor *out = &g->tensors[n->out[0]];
	const float *w = lower_const_input(x, n, 1), *b = lower_const_input(x, n, 2);
	if (!w || wt->rank != 4)
		return lower_fail_node(x, n, "the weight must be a constant 4-D tensor", NULL);
	if (in->dims[1] != x->p.src_c || in->dims[2] != x->p.src_h / l->pool || in->dims[3] != x->p.src_w / l->pool)
		return lower_fail_node(x, n, "input shape does not follow from the previous layer", NULL);
	l->out_h = (int)out->dims[2];
	l->out_w = (int)out->dims[3];
	if ((rc = lower_conv_kernel(x, n, 0, x->p.pad[0], x->p.pad[1])))
		return rc;
	snprintf(l->weight_name, sizeof l->weight_name, "%s", wt->name);
	l->n_w = ir_numel(wt);
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)l->out_c, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	float pool_area = (float)(l->pool * l->pool);	/* average = sum / P^2 */
	for (int64_t i = 0; i < l->n_w; i++)
		l->w[i] = w[i] / pool_area;
	if (b)
		memcpy(l->b, b, (size_t)l->out_c * sizeof *l->b);
	return 0;
}

/* After a nearest Resize or Upsample, the Conv folds with it into one
 * deconv layer (compiler/deconv.c). */
static int lower(lower_ctx *x, const ir_node *n)
{
	int rc = x->p.upsample ? lower_upsampled_conv(x, n) : conv_layer(x, n);
	return rc ? rc : lower_linear_done(x, n);
}

const ir_op op_conv = {
	.op_type = "Conv", .domain = "",
	.limits = "2-D, group 1, dilation 1; any stride, pads or auto_pad",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
