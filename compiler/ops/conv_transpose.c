/* ConvTranspose: 2-D transposed convolution, NCHW, group 1, dilation 1,
 * explicit pads (the deconv core mode, docs/core-array.md). */
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {
	OP_CONV_ATTRS, {"output_padding", IR_ATTR_INTS}, {"output_shape", IR_ATTR_INTS}, {0},
};

/* A 2-entry ints attribute with every value in lo..hi; default when absent. */
static int pair(const ir_graph *g, const ir_node *n, const char *name, int64_t dflt, int64_t lo, int64_t hi,
		int64_t out[2], snn_diag *diag)
{
	const ir_attr *a = ir_attr_find(n, name);
	out[0] = out[1] = dflt;
	if (!a)
		return 0;
	if (a->n != 2)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "%s has %zu values; expected 2", name, a->n);
	for (int d = 0; d < 2; d++) {
		if (a->ints[d] < lo || a->ints[d] > hi)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "%s %lld is outside %lld..%lld", name,
				       (long long)a->ints[d], (long long)lo, (long long)hi);
		out[d] = a->ints[d];
	}
	return 0;
}

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_conv_check(g, n, attrs, "grouped transposed convolution", diag);
	if (rc)
		return rc;
	if (strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET"))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "auto_pad %s is not supported on ConvTranspose; export explicit pads",
			       ir_attr_string(n, "auto_pad", ""));
	if (ir_attr_find(n, "output_shape"))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "output_shape is not supported; export explicit pads and output_padding");
	const ir_attr *dil = ir_attr_find(n, "dilations");
	if (dil && (dil->n != 2 || dil->ints[0] != 1 || dil->ints[1] != 1))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "dilations other than 1 are not supported");
	const ir_attr *pads = ir_attr_find(n, "pads");
	if (pads && pads->n != 4)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "pads has %zu values; expected 4", pads->n);
	for (size_t i = 0; pads && i < 4; i++)
		if (pads->ints[i] < 0 || pads->ints[i] > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "negative or huge pads are not supported");
	return 0;
}

/* Output size along one axis: (in - 1) s + k - pad_lo - pad_hi + output_padding. */
static int64_t out_size(int64_t in, int64_t s, int64_t k, int64_t lo, int64_t hi, int64_t op)
{
	return (in - 1) * s + k - lo - hi + op;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *w = op_in(g, n, 1);
	/* ConvTranspose's weight is [in][out][kh][kw] */
	int rc = op_conv_check_tensors(g, n, 0, "transposed convolution", diag);
	if (rc)
		return rc;
	if (x->dims[0] != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "input has a batch of %lld; it must be 1",
			       (long long)x->dims[0]);
	int64_t s[2], op[2];
	rc = pair(g, n, "strides", 1, 1, 65535, s, diag);
	rc = rc ? rc : pair(g, n, "output_padding", 0, 0, 65535, op, diag);
	if (rc)
		return rc;
	const ir_attr *pads = ir_attr_find(n, "pads");
	int64_t dims[4] = {1, w->dims[1], 0, 0};
	for (int d = 0; d < 2; d++) {
		int64_t lo = pads ? pads->ints[d] : 0, hi = pads ? pads->ints[d + 2] : 0;
		if (op[d] >= s[d])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "output_padding %lld must be below the stride %lld",
				       (long long)op[d], (long long)s[d]);
		dims[2 + d] = out_size(x->dims[2 + d], s[d], w->dims[2 + d], lo, hi, op[d]);
		if (dims[2 + d] < 1)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "pads leave no output (size %lld)",
				       (long long)dims[2 + d]);
	}
	return op_set_out(g, n, 0, IR_FLOAT, 4, dims, diag);
}

/* y[m][iy*s - pt + ky][ix*s - pl + kx] += w[c][m][ky][kx] x[c][iy][ix]:
 * every input pixel scatters its kernel, as the deconv core does. */
static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const float *x = vals->v[n->in[0]], *w = vals->v[n->in[1]];
	const float *b = op_in(g, n, 2) ? vals->v[n->in[2]] : NULL;
	float *y = vals->v[n->out[0]];
	const op_conv_dims d = op_conv_dims_of(g, n);
	const int64_t C = d.C, H = d.H, W = d.W, KH = d.KH, KW = d.KW, OH = d.OH, OW = d.OW;
	const int64_t sy = d.sy, sx = d.sx, pt = d.pt, pl = d.pl, M = op_in(g, n, 1)->dims[1];
	for (int64_t m = 0; m < M; m++)
		for (int64_t i = 0; i < OH * OW; i++)
			y[m * OH * OW + i] = b ? b[m] : 0.0f;
	for (int64_t c = 0; c < C; c++)
		for (int64_t iy = 0; iy < H; iy++)
			for (int64_t ix = 0; ix < W; ix++) {
				float xv = x[(c * H + iy) * W + ix];
				if (xv == 0.0f)
					continue;
				for (int64_t m = 0; m < M; m++)
					for (int64_t ky = 0; ky < KH; ky++) {
						int64_t oy = iy * sy - pt + ky;
						if (oy < 0 || oy >= OH)
							continue;
						for (int64_t kx = 0; kx < KW; kx++) {
							int64_t ox = ix * sx - pl + kx;
							if (ox >= 0 && ox < OW)
								y[(m * OH + oy) * OW + ox] +=
									w[((c * M + m) * KH + ky) * KW + kx] * xv;
						}
					}
			}
}

/* A deconv layer (compiler/deconv.c). */
static int lower(lower_ctx *x, const ir_node *n)
{
	int rc = lower_conv_transpose(x, n);
	return rc ? rc : lower_linear_done(x, n);
}

const ir_op op_conv_transpose = {
	.op_type = "ConvTranspose", .domain = "",
	.limits = "2-D, group 1, dilation 1; explicit pads below the kernel, output_padding; runs as a deconv core",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
