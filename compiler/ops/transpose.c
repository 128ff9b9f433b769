/* Transpose. One that only moves axes of size 1 (NHWC to NCHW with one
 * channel, say) leaves the data in place: resolve rewrites it into a
 * Reshape, so later passes see a reshape rather than a permutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"
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

/* Source flat index of every index of a transposed tensor. */
static int apply_transpose(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]];
	const ir_attr *perm = ir_attr_find(n, "perm");
	int64_t numel = ir_numel(in);
	int64_t *map = malloc((size_t)numel * sizeof *map);
	x->p.n_perm = numel;
	if (!map)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	int rank = in->rank;
	int64_t p[IR_MAX_RANK], in_stride[IR_MAX_RANK], out_dims[IR_MAX_RANK];
	for (int k = 0; k < rank; k++)
		p[k] = perm && (int)perm->n == rank ? perm->ints[k] : rank - 1 - k;
	in_stride[rank - 1] = 1;
	for (int k = rank - 2; k >= 0; k--)
		in_stride[k] = in_stride[k + 1] * in->dims[k + 1];
	for (int k = 0; k < rank; k++)
		out_dims[k] = in->dims[p[k]];
	for (int64_t o = 0; o < numel; o++) {
		int64_t rem = o, src = 0;
		for (int k = rank - 1; k >= 0; k--) {
			int64_t idx = rem % out_dims[k];
			rem /= out_dims[k];
			src += idx * in_stride[p[k]];
		}
		map[o] = x->p.perm ? x->p.perm[src] : src;
	}
	free(x->p.perm);
	x->p.perm = map;
	/* A Transpose and its inverse (NCHW -> NHWC -> NCHW, as tf2onnx can
	 * leave them between layers) cancel: the data is back in place. */
	bool identity = true;
	for (int64_t o = 0; o < numel && identity; o++)
		identity = map[o] == o;
	if (identity) {
		free(x->p.perm);
		x->p.perm = NULL;
	}
	return 0;
}

/* tf2onnx's NHWC -> NCHW Transpose on a Keras input of several channels,
 * rescaled or not: the core array reads maps channel-first, and no route
 * or kernel can swap axes, so the image takes the input C x H x W (as
 * tf2onnx's --inputs-as-nchw would export it) and the host transposes. */
static bool nhwc_input(const lower_ctx *x, const ir_node *n)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]];
	const ir_attr *perm = ir_attr_find(n, "perm");
	return lower_reads_input(&x->p) && !x->p.pool && !x->p.perm && in->rank == 4 && in->dims[3] > 1 && perm &&
	       perm->n == 4 && perm->ints[0] == 0 && perm->ints[1] == 3 && perm->ints[2] == 1 && perm->ints[3] == 2;
}

static int take_nhwc_input(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *out = &x->g->tensors[n->out[0]];
	int old_c = x->p.src_c;
	x->p.src_c = (int)out->dims[1];
	x->p.src_h = (int)out->dims[2];
	x->p.src_w = (int)out->dims[3];
	x->p.src[0].nc = x->p.src_c;
	int rc = lower_rechannel_rescale(x, n, old_c);
	lower_set_net_input(x);
	x->net->input_nhwc = true;
	if (!rc && x->opt->verbose >= 0)
		fprintf(stderr, "snnc: note: %s: the input %s is NHWC (%d x %d x %d) and node %s makes it "
				"channel-first; the image takes the input as %d x %d x %d (channel, row, column), "
				"so give snnsim and snnhost samples in that order (--calib and eval take the "
				"model's own)\n", x->g->path, x->g->tensors[x->g->input].name, x->p.src_h, x->p.src_w,
			x->p.src_c, n->name, x->p.src_c, x->p.src_h, x->p.src_w);
	return rc;
}

static int lower(lower_ctx *x, const ir_node *n)
{
	if (x->p.linear)
		return lower_fail_node(x, n, "a Transpose inside a layer is not supported", NULL);
	return nhwc_input(x, n) ? take_nhwc_input(x, n) : apply_transpose(x, n);
}

const ir_op op_transpose = {
	.op_type = "Transpose", .domain = "",
	.limits = "any permutation; one that only moves size-1 axes becomes a Reshape",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
