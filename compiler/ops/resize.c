/* Resize and Upsample, nearest, by a whole factor along H and W: each
 * pixel repeated in an S x S block. The lowering folds it into the Conv
 * that follows, as one deconv layer (compiler/upsample.c). */
#include <math.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec resize_attrs[] = {
	{"mode", IR_ATTR_STRING}, {"coordinate_transformation_mode", IR_ATTR_STRING},
	{"nearest_mode", IR_ATTR_STRING}, {"cubic_coeff_a", IR_ATTR_FLOAT}, {"exclude_outside", IR_ATTR_INT},
	{"extrapolation_value", IR_ATTR_FLOAT}, {0},
};
static const op_attr_spec upsample_attrs[] = {{"mode", IR_ATTR_STRING}, {"scales", IR_ATTR_FLOATS}, {0}};

static int check_common(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	const char *mode = ir_attr_string(n, "mode", "nearest");
	if (strcmp(mode, "nearest"))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "mode %s is not supported: only nearest-neighbour upsampling (mode nearest) has a "
			       "spiking equivalent, a pixel's events repeated over its block", mode);
	return 0;
}

static int check_resize(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 4, 1, resize_attrs);	/* roi, scales, sizes: optional */
	return rc ? rc : check_common(g, n, diag);
}

static int check_upsample(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 2, 1, upsample_attrs);
	return rc ? rc : check_common(g, n, diag);
}

/* The input coordinate ONNX's Resize reads for output coordinate x along
 * an axis of in -> out (scale = out / in), or -1 for a mode it does not
 * take; clamped into the input. */
static int64_t nearest_source(const ir_node *n, int64_t x, int64_t in, int64_t out)
{
	const char *ctm = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
	const char *nm = ir_attr_string(n, "nearest_mode", "round_prefer_floor");
	double s = (double)out / (double)in, xo;
	if (!strcmp(n->op_type, "Upsample") || !strcmp(ctm, "asymmetric"))
		xo = x / s;
	else if (!strcmp(ctm, "half_pixel") || (!strcmp(ctm, "pytorch_half_pixel") && out > 1))
		xo = (x + 0.5) / s - 0.5;
	else
		return -1;
	double r;
	if (!strcmp(n->op_type, "Upsample") || !strcmp(nm, "floor"))
		r = floor(xo);
	else if (!strcmp(nm, "ceil"))
		r = ceil(xo);
	else if (!strcmp(nm, "round_prefer_floor"))
		r = xo - floor(xo) == 0.5 ? floor(xo) : nearbyint(xo);
	else if (!strcmp(nm, "round_prefer_ceil"))
		r = xo - floor(xo) == 0.5 ? ceil(xo) : nearbyint(xo);
	else
		return -1;
	return r < 0 ? 0 : r > (double)(in - 1) ? in - 1 : (int64_t)r;
}

/* The output size along axis d from scales (float) or sizes (int64). */
static int out_dim(const ir_graph *g, const ir_node *n, const ir_tensor *x, int d, int64_t *out, snn_diag *diag)
{
	bool upsample = !strcmp(n->op_type, "Upsample");
	const ir_attr *sa = upsample ? ir_attr_find(n, "scales") : NULL;
	const ir_tensor *st = upsample ? op_in(g, n, 1) : op_in(g, n, n->n_in == 2 ? 1 : 2);
	const ir_tensor *zt = upsample ? NULL : op_in(g, n, 3);
	double scale;
	if (sa && (int)sa->n == x->rank) {
		scale = sa->floats[d];
	} else if (st && st->f && ir_numel(st) == x->rank) {
		scale = st->f[d];
	} else if (zt && zt->i && ir_numel(zt) == x->rank) {
		*out = zt->i[d];
		return 0;
	} else {
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "the scales or sizes must be constant, one per axis of the input");
	}
	if (!(scale >= 1 && scale <= 255))	/* NaN too: the cast below needs a finite value */
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "scale %g along axis %d is not upsampling by 1 to 255", scale, d);
	*out = (int64_t)floor(x->dims[d] * scale);	/* ONNX: floor(input size x scale) */
	return 0;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	if (op_want_float(g, n, 0, diag))
		return SNN_ERR_UNSUPPORTED;
	if (x->rank != 4)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "input has rank %d; only NCHW maps can be upsampled",
			       x->rank);
	int64_t dims[4];
	for (int d = 0; d < 4; d++) {
		int rc = out_dim(g, n, x, d, &dims[d], diag);
		if (rc)
			return rc;
	}
	if (dims[0] != x->dims[0] || dims[1] != x->dims[1])
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "only the spatial axes (H, W) can be resized");
	for (int d = 2; d < 4; d++) {
		if (x->dims[d] < 1 || dims[d] < x->dims[d] || dims[d] % x->dims[d] || dims[d] / x->dims[d] > 255)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
				       "%s from %lld to %lld is not upsampling by a whole factor up to 255",
				       d == 2 ? "the height" : "the width", (long long)x->dims[d], (long long)dims[d]);
		int64_t s = dims[d] / x->dims[d];
		for (int64_t o = 0; o < dims[d]; o++)
			if (nearest_source(n, o, x->dims[d], dims[d]) != o / s)
				return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
					       "coordinate_transformation_mode %s with nearest_mode %s does not repeat "
					       "each pixel %lld times here; use asymmetric with floor (PyTorch's "
					       "nn.Upsample(mode='nearest'))",
					       ir_attr_string(n, "coordinate_transformation_mode", "half_pixel"),
					       ir_attr_string(n, "nearest_mode", "round_prefer_floor"), (long long)s);
	}
	if (dims[2] / x->dims[2] != dims[3] / x->dims[3])
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "different factors along H (%lld) and W (%lld) are not supported",
			       (long long)(dims[2] / x->dims[2]), (long long)(dims[3] / x->dims[3]));
	return op_set_out(g, n, 0, IR_FLOAT, 4, dims, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *xt = op_in(g, n, 0), *yt = &g->tensors[n->out[0]];
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	int64_t C = xt->dims[1], H = xt->dims[2], W = xt->dims[3], OH = yt->dims[2], OW = yt->dims[3];
	int64_t s = OH / H;
	for (int64_t c = 0; c < C; c++)
		for (int64_t oy = 0; oy < OH; oy++)
			for (int64_t ox = 0; ox < OW; ox++)
				y[(c * OH + oy) * OW + ox] = x[(c * H + oy / s) * W + ox / s];
}

const ir_op op_resize = {
	.op_type = "Resize", .domain = "",
	.limits = "nearest, by the same whole factor along H and W; only in front of a Conv of stride 1",
	.check = check_resize, .resolve = resolve, .eval = eval, .lower = lower_upsample,
};

const ir_op op_upsample = {
	.op_type = "Upsample", .domain = "",
	.limits = "nearest, by the same whole factor along H and W; only in front of a Conv of stride 1",
	.check = check_upsample, .resolve = resolve, .eval = eval, .lower = lower_upsample,
};
