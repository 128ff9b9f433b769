/* Add, Sub, Mul, Div with numpy broadcasting: biases, scales and input
 * normalisation, and integer shape arithmetic at compile time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

typedef enum { ADD, SUB, MUL, DIV } binop;

static binop kind(const ir_node *n)
{
	return n->op == &op_add ? ADD : n->op == &op_sub ? SUB : n->op == &op_mul ? MUL : DIV;
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

/* Add/Sub/Mul/Div with a constant after the linear operator: a bias or a
 * scale, per output channel (or a scalar). */
static int lower_affine(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	int k = x->g->tensors[n->in[0]].f ? 0 : 1;	/* the constant operand */
	const float *c = lower_const_input(x, n, k);
	if (!c)
		return lower_fail_node(x, n, "both operands are computed; one must be a constant", NULL);
	int64_t numel = ir_numel(&x->g->tensors[n->in[k]]);
	if (numel != 1 && numel != l->out_c)
		return lower_fail_node(x, n, "the constant must be a scalar or one value per output channel", NULL);
	binop op = kind(n);
	if (op == SUB && k == 0)
		return lower_fail_node(x, n, "constant minus a layer's output is not supported", NULL);
	if (op == DIV && k == 0)
		return lower_fail_node(x, n, "dividing a constant by a layer's output is not supported", NULL);
	for (int o = 0; o < l->out_c; o++) {
		float v = c[numel == 1 ? 0 : o];
		if (op == ADD)
			l->b[o] += v;
		else if (op == SUB)
			l->b[o] -= v;
		else {
			float s = op == MUL ? v : 1.0f / v;
			l->b[o] *= s;
			lower_scale_channel_weights(l, o, s);
		}
	}
	return 0;
}

/* The constant operand k of n as one value per channel of the source, if
 * it is a scalar or broadcasts along the channel axis only ([C], [1, C] on
 * a dense source; [C, 1, 1], [1, C, 1, 1] on a map). */
static const float *per_channel(const lower_ctx *x, const ir_node *n, int k, bool *scalar)
{
	const ir_tensor *c = &x->g->tensors[n->in[k]], *t = &x->g->tensors[n->in[1 - k]];
	int64_t numel = ir_numel(c);
	*scalar = numel == 1;
	if (!c->f || *scalar)
		return c->f;
	if (numel != x->p.src_c || t->rank < 2 || t->dims[1] != x->p.src_c || c->rank > t->rank)
		return NULL;
	for (int d = 0; d < c->rank; d++)	/* right-aligned: all 1 but the channel axis */
		if (c->dims[d] != (c->rank - d == t->rank - 1 ? x->p.src_c : 1))
			return NULL;
	return c->f;
}

/* Add/Sub/Mul/Div of a constant, a scalar or one value per channel, in
 * front of the linear operator (Keras's Rescaling, x / 255 or x / 127.5 -
 * 1; a BatchNormalization after a ReLU, as Mul and Add): kept per channel
 * in in_mul and in_add, folded into the weights once the layer has them. */
static int lower_rescale(lower_ctx *x, const ir_node *n)
{
	pending *p = &x->p;
	int k = x->g->tensors[n->in[0]].f ? 0 : 1;	/* the constant operand */
	bool scalar;
	const float *c = per_channel(x, n, k, &scalar);
	if (!c || p->perm)
		return lower_fail_node(x, n, "element-wise arithmetic on spikes (not after a Conv, Gemm or MatMul) is "
				       "supported only with a constant scalar or one per channel, in front of a layer "
				       "(a rescaling, a BatchNormalization after the activation); fold it into the "
				       "next layer in the model", NULL);
	if (!p->in_mul && lower_reads_input(p) && x->opt->input_scale != 1.0f && x->opt->verbose >= 0 &&
	    !x->opt->size_only)
		fprintf(stderr, "snnc: note: node %s (%s) rescales the network's input inside the model, and snnc "
				"feeds the model pixel * %g + %g (--input-scale, --input-offset): for a model that takes "
				"raw pixels 0..255, as Keras's Rescaling(1/255) does, pass --input-scale 1\n",
			n->name, n->op_type, x->opt->input_scale, x->opt->input_offset);
	if (!p->in_mul) {
		p->in_mul = malloc((size_t)x->p.src_c * sizeof *p->in_mul);
		p->in_add = calloc((size_t)x->p.src_c, sizeof *p->in_add);
		if (!p->in_mul || !p->in_add)
			return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
		for (int ch = 0; ch < x->p.src_c; ch++)
			p->in_mul[ch] = 1.0f;
	}
	binop op = kind(n);
	if (op == DIV && k == 0)
		return lower_fail_node(x, n, "dividing a constant by spikes is not supported", NULL);
	for (int ch = 0; ch < x->p.src_c; ch++) {
		float v = c[scalar ? 0 : ch];
		if (op == ADD) {
			p->in_add[ch] += v;
		} else if (op == SUB && k == 1) {
			p->in_add[ch] -= v;
		} else if (op == SUB) {	/* v - x */
			p->in_mul[ch] = -p->in_mul[ch];
			p->in_add[ch] = v - p->in_add[ch];
		} else {
			float f = op == MUL ? v : 1.0f / v;
			p->in_mul[ch] *= f;
			p->in_add[ch] *= f;
		}
	}
	return 0;
}

/* After a layer's linear operator, a bias or scale of it; otherwise a
 * rescaling of its sources. */
static int lower(lower_ctx *x, const ir_node *n)
{
	int rc = x->p.linear ? lower_affine(x, n) : lower_rescale(x, n);
	return rc ? rc : lower_check_finite(x, n);
}

/* Two paths meeting: Add and Sub sum them (compiler/branch.c). */
static int add_join(lower_ctx *x, const ir_node *n, pending *ins, int n_ins)
{
	return lower_join_sum(x, n, ins, n_ins, 1.0f);
}

static int sub_join(lower_ctx *x, const ir_node *n, pending *ins, int n_ins)
{
	return lower_join_sum(x, n, ins, n_ins, -1.0f);
}

static int product_join(lower_ctx *x, const ir_node *n, pending *ins, int n_ins)
{
	(void)ins;
	(void)n_ins;
	return lower_fail_node(x, n, "%s", "multiplying or dividing two paths (a gate, an attention) has no "
					   "spiking equivalent: a core only adds weighted spikes; join paths with "
					   "Add or Concat");
}

const ir_op op_add = {
	.op_type = "Add", .domain = "", .limits = "a constant (bias), or two paths: a residual sum",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower, .join = add_join,
};
const ir_op op_sub = {
	.op_type = "Sub", .domain = "", .limits = "numpy broadcasting; a constant, or two paths as Add",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower, .join = sub_join,
};
const ir_op op_mul = {
	.op_type = "Mul", .domain = "", .limits = "numpy broadcasting; one operand constant",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower, .join = product_join,
};
const ir_op op_div = {
	.op_type = "Div", .domain = "", .limits = "numpy broadcasting; one operand constant",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower, .join = product_join,
};
