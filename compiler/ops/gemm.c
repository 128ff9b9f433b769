/* Gemm and MatMul: the fully connected layers. */
#include <string.h>
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

const ir_op op_gemm = {
	.op_type = "Gemm", .domain = "",
	.limits = "alpha, beta, transA, transB; C broadcast",
	.check = gemm_check, .resolve = gemm_resolve, .eval = gemm_eval,
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
	.check = matmul_check, .resolve = matmul_resolve, .eval = matmul_eval,
};
