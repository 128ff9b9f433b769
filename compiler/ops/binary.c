/* Add, Sub, Mul, Div with numpy broadcasting: biases, scales and input
 * normalisation, and integer shape arithmetic at compile time. */
#include <stdlib.h>
#include <string.h>
#include "ops.h"

typedef enum { ADD, SUB, MUL, DIV } binop;

static binop kind(const ir_node *n)
{
	return n->op_type[0] == 'A' ? ADD : n->op_type[0] == 'S' ? SUB : n->op_type[0] == 'M' ? MUL : DIV;
}

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 2, 2, 1, NULL);
}

static int fold_int64(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const int64_t *a = op_in(g, n, 0)->i, *b = op_in(g, n, 1)->i;
	ir_tensor *out = &g->tensors[n->out[0]];
	int64_t *y = calloc((size_t)(ir_numel(out) ? ir_numel(out) : 1), sizeof *y);
	if (!y)
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	binop op = kind(n);
	bool bad = false;
	op_bcast it;
	op_bcast_init(&it, g, n);
	for (int64_t i = 0; i < it.numel; i++, op_bcast_next(&it)) {
		/* Unsigned arithmetic wraps instead of overflowing; shapes stay small. */
		uint64_t x = (uint64_t)a[it.ia], z = (uint64_t)b[it.ib];
		if (op == DIV && (b[it.ib] == 0 || (a[it.ia] == INT64_MIN && b[it.ib] == -1)))
			bad = true;
		else
			y[i] = op == ADD ? (int64_t)(x + z) : op == SUB ? (int64_t)(x - z)
			     : op == MUL ? (int64_t)(x * z) : a[it.ia] / b[it.ib];
	}
	if (bad) {
		free(y);
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "integer division by zero");
	}
	out->i = y;
	return 0;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *a = op_in(g, n, 0), *b = op_in(g, n, 1);
	int rank;
	int64_t dims[IR_MAX_RANK];
	int rc = op_broadcast(g, n, &rank, dims, diag);
	if (rc)
		return rc;
	if (a->dtype != b->dtype)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "mixes integer and float operands");
	if ((rc = op_set_out(g, n, 0, a->dtype, rank, dims, diag)))
		return rc;
	if (a->dtype == IR_INT64)
		return op_all_const(g, n) ? fold_int64(g, n, diag) : 0;
	if ((kind(n) == MUL || kind(n) == DIV) && !op_is_const(a) && !op_is_const(b))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "both operands are computed; a spiking layer can only scale by constants");
	return 0;
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const float *a = vals->v[n->in[0]], *b = vals->v[n->in[1]];
	float *y = vals->v[n->out[0]];
	binop op = kind(n);
	op_bcast it;
	op_bcast_init(&it, g, n);
	for (int64_t i = 0; i < it.numel; i++, op_bcast_next(&it)) {
		float x = a[it.ia], z = b[it.ib];
		y[i] = op == ADD ? x + z : op == SUB ? x - z : op == MUL ? x * z : x / z;
	}
}

const ir_op op_add = {
	.op_type = "Add", .domain = "", .limits = "a constant (bias), or two paths: a residual sum",
	.check = check, .resolve = resolve, .eval = eval,
};
const ir_op op_sub = {
	.op_type = "Sub", .domain = "", .limits = "numpy broadcasting; a constant, or two paths as Add",
	.check = check, .resolve = resolve, .eval = eval,
};
const ir_op op_mul = {
	.op_type = "Mul", .domain = "", .limits = "numpy broadcasting; one operand constant",
	.check = check, .resolve = resolve, .eval = eval,
};
const ir_op op_div = {
	.op_type = "Div", .domain = "", .limits = "numpy broadcasting; one operand constant",
	.check = check, .resolve = resolve, .eval = eval,
};
