/* Transpose. One that only moves axes of size 1 (NHWC to NCHW with one
 * channel, say) leaves the data in place: resolve rewrites it into a
 * Reshape, so later passes see a reshape rather than a permutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops.h"

static const op_attr_spec attrs[] = {{"perm", IR_ATTR_INTS}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, attrs);
}

/* The permutation (default: reverse the axes). */
static void perm_of(const ir_node *n, int rank, int64_t *p)
{
	const ir_attr *a = ir_attr_find(n, "perm");
	for (int d = 0; d < rank; d++)
		p[d] = a ? a->ints[d] : rank - 1 - d;
}

static void move(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize)
{
	const ir_tensor *x = op_in(g, n, 0);
	int r = x->rank;
	int64_t p[IR_MAX_RANK], stride[IR_MAX_RANK], idx[IR_MAX_RANK] = {0}, odims[IR_MAX_RANK];
	perm_of(n, r, p);
	int64_t s = 1;
	for (int d = r - 1; d >= 0; d--) {
		stride[d] = s;
		s *= x->dims[d];
	}
	for (int d = 0; d < r; d++)
		odims[d] = x->dims[p[d]];
	const char *src = in[0];
	char *dst = out;
	for (int64_t o = 0, total = ir_numel(x); o < total; o++) {
		int64_t off = 0;
		for (int d = 0; d < r; d++)
			off += idx[d] * stride[p[d]];
		memcpy(dst + o * (int64_t)esize, src + off * (int64_t)esize, esize);
		for (int d = r - 1; d >= 0 && ++idx[d] == odims[d]; d--)
			idx[d] = 0;
	}
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_move(g, n, vals, move);
}

/* Becomes Reshape(x, shape) with a new constant shape tensor. */
static int to_reshape(ir_graph *g, ir_node *n, int rank, const int64_t *dims, snn_diag *diag)
{
	char name[300];
	snprintf(name, sizeof name, "%s:shape", n->name);
	int t = ir_add_tensor(g, name, IR_INT64);
	int *in = realloc(n->in, 2 * sizeof *in);
	char *op_type = strdup("Reshape");
	if (in)
		n->in = in;
	if (t < 0 || !in || !op_type || !(g->tensors[t].i = malloc(((size_t)rank + 1) * sizeof(int64_t)))) {
		free(op_type);
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	}
	ir_tensor *s = &g->tensors[t];
	s->rank = 1;
	s->dims[0] = rank;
	memcpy(s->i, dims, (size_t)rank * sizeof *dims);
	n->in[1] = t;
	n->n_in = 2;
	free(n->op_type);
	n->op_type = op_type;
	n->op = &op_reshape;
	for (int a = 0; a < n->n_attrs; a++) {	/* only perm */
		free(n->attrs[a].ints);
		free(n->attrs[a].name);
	}
	n->n_attrs = 0;
	return 0;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	const ir_attr *a = ir_attr_find(n, "perm");
	int r = x->rank;
	if (a && a->n != (size_t)r)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "perm has %zu entries; the input has rank %d", a->n, r);
	int64_t p[IR_MAX_RANK], dims[IR_MAX_RANK];
	bool seen[IR_MAX_RANK] = {false};
	perm_of(n, r, p);
	for (int d = 0; d < r; d++) {
		if (p[d] < 0 || p[d] >= r || seen[p[d]])
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "perm is not a permutation of the axes");
		seen[p[d]] = true;
		dims[d] = x->dims[p[d]];
	}
	int rc = op_set_out(g, n, 0, x->dtype, r, dims, diag);
	if (rc || op_all_const(g, n))
		return rc ? rc : op_fold_int64(g, n, move, diag);
	/* The axes longer than 1 keep their order: the data does not move. */
	int64_t last = -1;
	bool in_place = true;
	for (int d = 0; d < r; d++)
		if (x->dims[p[d]] != 1) {
			in_place &= p[d] > last;
			last = p[d];
		}
	return in_place ? to_reshape(g, n, r, dims, diag) : 0;
}

const ir_op op_transpose = {
	.op_type = "Transpose", .domain = "",
	.limits = "any permutation; one that only moves size-1 axes becomes a Reshape",
	.check = check, .resolve = resolve, .eval = eval,
};
