/* Gemm and MatMul: the fully connected layers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec gemm_attrs[] = {
	{"alpha", IR_ATTR_FLOAT}, {"beta", IR_ATTR_FLOAT}, {"transA", IR_ATTR_INT}, {"transB", IR_ATTR_INT}, {0},
};

static int gemm_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 2, 3, 1, gemm_attrs);
}

static int gemm_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *a = op_in(g, n, 0), *b = op_in(g, n, 1), *c = op_in(g, n, 2);
	if (op_want_float(g, n, 0, diag) || op_want_float(g, n, 1, diag) || op_want_float(g, n, 2, diag))
		return SNN_ERR_UNSUPPORTED;
	if (a->rank != 2 || b->rank != 2)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "A and B must be matrices (rank 2)");
	bool ta = ir_attr_int(n, "transA", 0), tb = ir_attr_int(n, "transB", 0);
	int64_t M = a->dims[ta], K = a->dims[!ta], KB = b->dims[tb], N = b->dims[!tb];
	if (K != KB)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "A has %lld columns but B has %lld rows", (long long)K,
			       (long long)KB);
	int64_t dims[2] = {M, N};
	/* C broadcasts one way, onto [M, N]. */
	for (int d = 0; c && d < c->rank; d++) {
		int64_t want = c->rank > 2 ? -1 : dims[2 - c->rank + d];
		if (c->dims[d] != want && c->dims[d] != 1)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "C does not broadcast to [%lld, %lld]", (long long)M,
				       (long long)N);
	}
	return op_set_out(g, n, 0, IR_FLOAT, 2, dims, diag);
}

static void gemm_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *at = op_in(g, n, 0), *ct = op_in(g, n, 2), *yt = &g->tensors[n->out[0]];
	const float *a = vals->v[n->in[0]], *b = vals->v[n->in[1]], *c = ct ? vals->v[n->in[2]] : NULL;
	float *y = vals->v[n->out[0]];
	bool ta = ir_attr_int(n, "transA", 0), tb = ir_attr_int(n, "transB", 0);
	float alpha = ir_attr_float(n, "alpha", 1.0f), beta = ir_attr_float(n, "beta", 1.0f);
	int64_t M = yt->dims[0], N = yt->dims[1], K = at->dims[!ta];
	int64_t cs[2] = {0, 0};
	if (c)
		op_broadcast_strides(ct, 2, yt->dims, cs);
	for (int64_t m = 0; m < M; m++)
		for (int64_t j = 0; j < N; j++) {
			float acc = 0;
			for (int64_t k = 0; k < K; k++)
				acc += a[ta ? k * M + m : m * K + k] * b[tb ? j * K + k : k * N + j];
			y[m * N + j] = alpha * acc + (c ? beta * c[m * cs[0] + j * cs[1]] : 0.0f);
		}
}

/* A fully connected layer over a pooled map is a conv layer whose kernel
 * covers the whole pooled map: the conv mode pools the events itself, so the
 * weights stay one per pooled input instead of P^2 copies (LeNet-5's fc1:
 * 48,000 words instead of 192,000). wk as for expand_dense. */
static int pooled_dense_as_conv(lower_ctx *x, const float *wk, int n_out, int hp, int wp)
{
	snn_layer *l = &x->p.l;
	int C = x->p.src_c;
	l->kind = LAYER_CONV;
	l->kh = hp;
	l->kw = wp;
	l->stride = 1;
	l->pad_y = l->pad_x = 0;
	l->n_w = (int64_t)n_out * C * hp * wp;
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)n_out, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	float area = (float)(l->pool * l->pool);	/* average = sum / P^2 */
	int64_t k_in = (int64_t)C * hp * wp;
	for (int o = 0; o < n_out; o++)	/* conv layout [o][c][y][x] = [o][k] */
		for (int64_t k = 0; k < k_in; k++)
			l->w[o * k_in + k] = wk[k * n_out + o] / area;
	return 0;
}

/* Rows of wk in the order of the layer's (pooled) input map: the k-th
 * input of the operator is element perm[k] of that map, after a Transpose
 * such as the NCHW -> NHWC one tf2onnx writes in front of Keras's Flatten.
 * Moving the weights leaves the layer reading the map as it is. */
static int unpermute_rows(lower_ctx *x, float *wk, int64_t k_in, int n_out)
{
	float *moved = malloc((size_t)(k_in * n_out) * sizeof *moved);
	if (!moved)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < k_in; k++)
		memcpy(moved + x->p.perm[k] * n_out, wk + k * n_out, (size_t)n_out * sizeof *wk);
	memcpy(wk, moved, (size_t)(k_in * n_out) * sizeof *wk);
	free(moved);
	free(x->p.perm);
	x->p.perm = NULL;
	return 0;
}

/* Dense weights over the source space: transposes in front are folded into
 * the weight rows, pooling in front expanded into them (or run by a conv
 * layer). wk[k * n_out + o] is the operator's weight for its k-th (pooled,
 * permuted) input. */
static int expand_dense(lower_ctx *x, const ir_node *n, float *wk, int64_t k_in, int n_out)
{
	snn_layer *l = &x->p.l;
	int P = l->pool;
	int64_t src = (int64_t)x->p.src_c * x->p.src_h * x->p.src_w;
	int hp = x->p.src_h / P, wp = x->p.src_w / P;
	if ((int64_t)x->p.src_c * hp * wp != k_in)
		return lower_fail_node(x, n, "its input size does not match the previous layer's output", NULL);
	if (x->p.perm) {
		int rc = unpermute_rows(x, wk, k_in, n_out);
		if (rc)
			return rc;
	}
	l->out_c = n_out;
	l->out_h = l->out_w = 1;
	if (P > 1)
		return pooled_dense_as_conv(x, wk, n_out, hp, wp);
	l->n_w = src * n_out;
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)n_out, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	memcpy(l->w, wk, (size_t)l->n_w * sizeof *l->w);
	return 0;
}
/* The dense layer of a Gemm, or of a MatMul (no C, alpha, beta or transposes). */
static int dense_layer(lower_ctx *x, const ir_node *n, bool matmul)
{
	const ir_graph *g = x->g;
	int rc = lower_start_layer(x, n, LAYER_DENSE);
	if (rc)
		return rc;
	const ir_tensor *bt = &g->tensors[n->in[1]];
	const float *bw = lower_const_input(x, n, 1), *c = matmul ? NULL : lower_const_input(x, n, 2);
	if (!bw || bt->rank != 2)
		return lower_fail_node(x, n, "the weight must be a constant matrix", NULL);
	if (!matmul && ir_attr_int(n, "transA", 0))
		return lower_fail_node(x, n, "transA = 1 is not supported", NULL);
	bool trans_b = !matmul && ir_attr_int(n, "transB", 0);
	float alpha = matmul ? 1.0f : ir_attr_float(n, "alpha", 1.0f);
	float beta = matmul ? 1.0f : ir_attr_float(n, "beta", 1.0f);
	snprintf(x->p.l.weight_name, sizeof x->p.l.weight_name, "%s", bt->name);
	int64_t k_in = trans_b ? bt->dims[1] : bt->dims[0];
	int n_out = (int)(trans_b ? bt->dims[0] : bt->dims[1]);
	float *wk = malloc((size_t)(k_in * n_out) * sizeof *wk);
	if (!wk)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < k_in; k++)
		for (int o = 0; o < n_out; o++)
			wk[k * n_out + o] = alpha * (trans_b ? bw[o * k_in + k] : bw[k * n_out + o]);
	rc = expand_dense(x, n, wk, k_in, n_out);
	free(wk);
	if (rc)
		return rc;
	if (c) {	/* C broadcasts from a scalar or a row */
		int64_t numel = ir_numel(&g->tensors[n->in[2]]);
		for (int o = 0; o < n_out; o++)
			x->p.l.b[o] = beta * c[numel == 1 ? 0 : o];
	}
	return 0;
}

static int lower_dense(lower_ctx *x, const ir_node *n, bool matmul)
{
	if (x->p.upsample)
		return lower_fail_node(x, n, "a fully connected layer over an upsampled map is not supported; "
				       "fold the upsampling into its weights in the model", NULL);
	int rc = dense_layer(x, n, matmul);
	return rc ? rc : lower_linear_done(x, n);
}

static int gemm_lower(lower_ctx *x, const ir_node *n)
{
	return lower_dense(x, n, false);
}

static int matmul_lower(lower_ctx *x, const ir_node *n)
{
	return lower_dense(x, n, true);
}

const ir_op op_gemm = {
	.op_type = "Gemm", .domain = "",
	.limits = "alpha, beta, transA, transB; C broadcast",
	.check = gemm_check, .resolve = gemm_resolve, .eval = gemm_eval, .lower = gemm_lower,
};

static int matmul_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 2, 2, 1, NULL);
}

static int matmul_resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *a = op_in(g, n, 0), *b = op_in(g, n, 1);
	if (op_want_float(g, n, 0, diag) || op_want_float(g, n, 1, diag))
		return SNN_ERR_UNSUPPORTED;
	if (b->rank != 2 || !op_is_const(b) || a->rank < 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "the second operand must be a constant 2-D weight matrix");
	if (a->dims[a->rank - 1] != b->dims[0])
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "inner dimensions differ (%lld and %lld)",
			       (long long)a->dims[a->rank - 1], (long long)b->dims[0]);
	int64_t dims[IR_MAX_RANK];
	memcpy(dims, a->dims, sizeof dims);
	dims[a->rank - 1] = b->dims[1];
	return op_set_out(g, n, 0, IR_FLOAT, a->rank, dims, diag);
}

static void matmul_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *bt = op_in(g, n, 1);
	const float *a = vals->v[n->in[0]], *b = vals->v[n->in[1]];
	float *y = vals->v[n->out[0]];
	int64_t K = bt->dims[0], N = bt->dims[1], rows = ir_numel(op_in(g, n, 0)) / (K ? K : 1);
	for (int64_t r = 0; r < rows; r++)
		for (int64_t j = 0; j < N; j++) {
			float acc = 0;
			for (int64_t k = 0; k < K; k++)
				acc += a[r * K + k] * b[k * N + j];
			y[r * N + j] = acc;
		}
}

const ir_op op_matmul = {
	.op_type = "MatMul", .domain = "",
	.limits = "second operand a constant 2-D matrix",
	.check = matmul_check, .resolve = matmul_resolve, .eval = matmul_eval, .lower = matmul_lower,
};
