/* Pad with zeros (mode constant, value 0); pads are an attribute before
 * opset 11 and a constant input after. */
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {
	{"mode", IR_ATTR_STRING}, {"pads", IR_ATTR_INTS}, {"value", IR_ATTR_FLOAT}, {0},
};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, g->opset < 11 ? 1 : 2, g->opset < 11 ? 1 : 4, 1, attrs);
	if (rc)
		return rc;
	const char *mode = ir_attr_string(n, "mode", "constant");
	if (strcmp(mode, "constant"))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "mode %s is not supported; only constant zero padding",
			       mode);
	if (ir_attr_float(n, "value", 0.0f) != 0.0f)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "only padding with zeros is supported");
	if (n->n_in > 3 && n->in[3] >= 0)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "the axes input is not supported; pad every axis");
	return 0;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *value = op_in(g, n, 2);
	const int64_t *pads;
	int64_t count;
	int rc = op_ints_arg(g, n, "pads", 11, 1, &pads, &count, diag);
	if (rc)
		return rc;
	if (op_want_float(g, n, 0, diag) || op_want_float(g, n, 2, diag))
		return SNN_ERR_UNSUPPORTED;
	if (value && (!value->f || ir_numel(value) != 1 || value->f[0] != 0.0f))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "constant_value must be a constant 0");
	if (count != 2 * x->rank)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "pads has %lld values; a rank-%d input needs %d",
			       (long long)count, x->rank, 2 * x->rank);
	int64_t dims[IR_MAX_RANK];
	for (int d = 0; d < x->rank; d++) {
		int64_t lo = pads[d], hi = pads[d + x->rank];
		if (lo < 0 || hi < 0 || lo > OP_MAX_NUMEL || hi > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
				       "negative (cropping) or huge pads are not supported");
		dims[d] = x->dims[d] + lo + hi;
	}
	return op_set_out(g, n, 0, IR_FLOAT, x->rank, dims, diag);
}

static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *xt = op_in(g, n, 0), *yt = &g->tensors[n->out[0]];
	const int64_t *pads;
	int64_t count;
	op_ints_arg(g, n, "pads", 11, 1, &pads, &count, NULL);
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	int r = xt->rank;
	memset(y, 0, (size_t)ir_numel(yt) * sizeof *y);
	if (r == 0 || ir_numel(xt) == 0) {
		if (r == 0)
			y[0] = x[0];
		return;
	}
	/* Copy rows along the last axis; idx walks the other input axes. */
	int64_t idx[IR_MAX_RANK] = {0}, row = xt->dims[r - 1], rows = ir_numel(xt) / row;
	for (int64_t k = 0; k < rows; k++) {
		int64_t off = 0;
		for (int d = 0; d < r; d++)
			off = off * yt->dims[d] + (d < r - 1 ? idx[d] : 0) + pads[d];
		memcpy(y + off, x + k * row, (size_t)row * sizeof *y);
		for (int d = r - 2; d >= 0 && ++idx[d] == xt->dims[d]; d--)
			idx[d] = 0;
	}
}

/* Zero padding in front of a Conv, which takes it as its own. */
static int lower(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	const ir_attr *pa = ir_attr_find(n, "pads");
	int64_t v[8] = {0};
	if (pa && pa->n == 8)
		memcpy(v, pa->ints, sizeof v);
	else if (n->n_in > 1 && n->in[1] >= 0 && g->tensors[n->in[1]].i && ir_numel(&g->tensors[n->in[1]]) == 8)
		memcpy(v, g->tensors[n->in[1]].i, sizeof v);
	else
		return lower_fail_node(x, n, "pads must be constant and 4-D", NULL);
	if (v[0] || v[1] || v[4] || v[5] || x->p.linear)
		return lower_fail_node(x, n, "only spatial zero padding in front of a Conv is supported", NULL);
	x->p.pad[0] += (int)v[2];
	x->p.pad[1] += (int)v[3];
	x->p.pad[2] += (int)v[6];
	x->p.pad[3] += (int)v[7];
	return 0;
}

const ir_op op_pad = {
	.op_type = "Pad", .domain = "", .limits = "constant mode, value 0, non-negative pads",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
