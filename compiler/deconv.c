/* Upsampling layers: a ConvTranspose, and a nearest Resize/Upsample folded
 * with the Conv after it, each become one deconv layer (docs/core-array.md,
 * deconv mode), whose input events scatter their kernel over the output. */
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops/ops.h"

/* What a deconv layer cannot take in front of it: the core scatters each
 * event as it comes (no pooling), from the source's own coordinates. */
static int check_front(lower_ctx *x, const ir_node *n)
{
	if (x->p.perm)
		return lower_fail_node(x, n, "a Transpose that moves data in front of an upsampling layer is not "
				       "supported: the core array reads maps channel-first", NULL);
	if (x->p.src_is_dense)
		return lower_fail_node(x, n, "upsampling a fully connected layer's output is not supported; "
				       "Reshape it in the model into a map read by a Conv first", NULL);
	if (x->p.pool)
		return lower_fail_node(x, n, "pooling in front of an upsampling layer is not supported", NULL);
	return 0;
}

/* Begin node n's deconv layer: *w its constant 4-D weight, and the
 * output map's size. */
static int start_deconv(lower_ctx *x, const ir_node *n, const float **w)
{
	const ir_tensor *wt = &x->g->tensors[n->in[1]], *out = &x->g->tensors[n->out[0]];
	int rc = check_front(x, n);
	rc = rc ? rc : lower_start_layer(x, n, LAYER_CONV);
	if (rc)
		return rc;
	if (!wt->f || wt->rank != 4)
		return lower_fail_node(x, n, "the weight must be a constant 4-D tensor", NULL);
	*w = wt->f;
	x->p.l.deconv = true;
	x->p.l.out_h = (int)out->dims[2];
	x->p.l.out_w = (int)out->dims[3];
	return 0;
}

/* The layer's float weights (zero) and node n's bias, once its kernel
 * size is set. */
static int alloc_params(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	const float *b = n->n_in > 2 && n->in[2] >= 0 ? x->g->tensors[n->in[2]].f : NULL;
	l->n_w = (int64_t)l->out_c * l->in_c * l->kh * l->kw;
	l->w = calloc((size_t)l->n_w, sizeof *l->w);
	l->b = calloc((size_t)l->out_c, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	if (b)
		memcpy(l->b, b, (size_t)l->out_c * sizeof *l->b);
	return 0;
}

int lower_conv_transpose(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	if (x->p.upsample)
		return lower_fail_node(x, n, "a Resize or Upsample in front of a ConvTranspose is not supported; "
				       "fold it into the ConvTranspose's stride", NULL);
	if (x->p.pad[0] || x->p.pad[1] || x->p.pad[2] || x->p.pad[3])
		return lower_fail_node(x, n, "a Pad in front of a ConvTranspose is not supported", NULL);
	const float *w;
	int rc = start_deconv(x, n, &w);
	if (rc)
		return rc;
	snn_layer *l = &x->p.l;
	const ir_tensor *wt = &g->tensors[n->in[1]];
	if ((rc = lower_conv_kernel(x, n, 1, 0, 0)))
		return rc;
	snprintf(l->weight_name, sizeof l->weight_name, "%s", wt->name);
	if ((rc = alloc_params(x, n)))
		return rc;
	int64_t taps = (int64_t)l->kh * l->kw;	/* ONNX [in][out][ky][kx] -> the core's [out][in][ky][kx] */
	for (int c = 0; c < l->in_c; c++)
		for (int o = 0; o < l->out_c; o++)
			memcpy(l->w + ((int64_t)o * l->in_c + c) * taps, w + ((int64_t)c * l->out_c + o) * taps,
			       (size_t)taps * sizeof *w);
	return 0;
}

int lower_upsample(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]], *out = &x->g->tensors[n->out[0]];
	if (x->p.linear)
		return lower_fail_node(x, n, "upsampling between a layer and its activation is not supported; "
				       "upsample after the activation", NULL);
	if (x->p.upsample)
		return lower_fail_node(x, n, "two upsampling operators in a row are not supported; use one factor",
				       NULL);
	if (x->p.pad[0] || x->p.pad[1] || x->p.pad[2] || x->p.pad[3])
		return lower_fail_node(x, n, "padding in front of an upsampling is not supported; pad after it", NULL);
	int rc = check_front(x, n);
	if (rc)
		return rc;
	if (in->dims[2] != x->p.src_h || in->dims[3] != x->p.src_w)
		return lower_fail_node(x, n, "input shape does not follow from the previous layer", NULL);
	x->p.upsample = (int)(out->dims[2] / in->dims[2]);	/* ops/resize.c: whole, equal factors */
	return 0;
}

/* Conv (stride 1, kernel K, top pad p) over the input repeated S times
 * along an axis reads input row floor((Y - p + k) / S) with tap k: from
 * the input's side, row y reaches Y = y S + (K - 1 - p) - (K - 1 + d - k)
 * for d = 0 .. S-1, a transposed conv of kernel K + S - 1, stride S and
 * pad K - 1 - p whose tap t = K - 1 + d - k sums every (d, k) landing on
 * it. */
int lower_upsampled_conv(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	const float *w;
	int S = x->p.upsample, rc = start_deconv(x, n, &w);
	if (rc)
		return rc;
	snn_layer *l = &x->p.l;
	const ir_tensor *wt = &g->tensors[n->in[1]];
	const op_conv_dims d = op_conv_dims_of(g, n);
	if (d.sy != 1 || d.sx != 1)
		return lower_fail_node(x, n, "a strided Conv after a Resize or Upsample is not supported; use "
				       "stride 1 (or a ConvTranspose)", NULL);
	int K[2] = {(int)wt->dims[2], (int)wt->dims[3]};
	int pt = (int)d.pt + x->p.pad[0], pl = (int)d.pl + x->p.pad[1];
	if (pt >= K[0] || pl >= K[1])
		return lower_fail_node(x, n, "padding as large as the kernel is not supported", NULL);
	l->out_c = (int)wt->dims[0];
	l->kh = K[0] + S - 1;
	l->kw = K[1] + S - 1;
	l->stride = S;
	l->pad_y = K[0] - 1 - pt;
	l->pad_x = K[1] - 1 - pl;
	snprintf(l->weight_name, sizeof l->weight_name, "%.60s (upsampled by %d)", wt->name, S);
	if ((rc = alloc_params(x, n)))
		return rc;
	for (int64_t oc = 0; oc < (int64_t)l->out_c * l->in_c; oc++)	/* (o, c) pairs */
		for (int ky = 0; ky < K[0]; ky++)
			for (int kx = 0; kx < K[1]; kx++)
				for (int dy = 0; dy < S; dy++)
					for (int dx = 0; dx < S; dx++) {
						int ty = K[0] - 1 + dy - ky, tx = K[1] - 1 + dx - kx;
						l->w[(oc * l->kh + ty) * l->kw + tx] += w[(oc * K[0] + ky) * K[1] + kx];
					}
	return 0;
}
