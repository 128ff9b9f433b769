/* Shape: always known after inference, so always folded. */
#include <stdlib.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {{"start", IR_ATTR_INT}, {"end", IR_ATTR_INT}, {0}};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	return op_check(g, n, diag, 1, 1, 1, attrs);
}

/* start and end (opset 15) clamp to [0, rank] after adding rank if negative. */
static int64_t clamp_axis(int64_t a, int rank)
{
	a = a < 0 ? a + rank : a;
	return a < 0 ? 0 : a > rank ? rank : a;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	int64_t start = clamp_axis(ir_attr_int(n, "start", 0), x->rank);
	int64_t end = clamp_axis(ir_attr_int(n, "end", x->rank), x->rank);
	int64_t len = end > start ? end - start : 0;
	int rc = op_set_out(g, n, 0, IR_INT64, 1, &len, diag);
	if (rc)
		return rc;
	ir_tensor *out = &g->tensors[n->out[0]];
	if (!(out->i = calloc((size_t)len + 1, sizeof *out->i)))
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < len; k++)
		out->i[k] = x->dims[start + k];
	return 0;
}

const ir_op op_shape = {
	.op_type = "Shape", .domain = "", .limits = "folded (batch 1)",
	.check = check, .resolve = resolve, .eval = NULL, .lower = lower_unsupported,
};
