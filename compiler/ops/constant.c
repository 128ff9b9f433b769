/* Constant: its value from exactly one of value, value_float(s), value_int(s). */
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

static const op_attr_spec attrs[] = {
	{"value", IR_ATTR_TENSOR}, {"value_float", IR_ATTR_FLOAT}, {"value_floats", IR_ATTR_FLOATS},
	{"value_int", IR_ATTR_INT}, {"value_ints", IR_ATTR_INTS}, {0},
};

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 0, 0, 1, attrs);
	if (!rc && n->n_attrs != 1)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "needs exactly one value attribute");
	return rc;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_attr *a = &n->attrs[0];
	ir_dtype dtype = a->type == IR_ATTR_INT || a->type == IR_ATTR_INTS ? IR_INT64 : IR_FLOAT;
	int64_t dims[IR_MAX_RANK] = {(int64_t)a->n};
	int rank = a->type == IR_ATTR_FLOATS || a->type == IR_ATTR_INTS;
	const void *src = a->type == IR_ATTR_FLOAT ? (const void *)&a->f : a->type == IR_ATTR_INT ? (const void *)&a->i
			: a->type == IR_ATTR_FLOATS ? (const void *)a->floats : (const void *)a->ints;
	if (a->type == IR_ATTR_TENSOR) {
		const ir_tensor *t = &g->tensors[a->tensor];
		dtype = t->dtype;
		rank = t->rank;
		memcpy(dims, t->dims, sizeof dims);
		src = op_data(t);
	}
	int rc = op_set_out(g, n, 0, dtype, rank, dims, diag);
	if (rc)
		return rc;
	ir_tensor *out = &g->tensors[n->out[0]];
	size_t bytes = (size_t)ir_numel(out) * op_esize(dtype);
	void *data = malloc(bytes ? bytes : 8);
	if (!data)
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	memcpy(data, src, bytes);
	if (dtype == IR_INT64)
		out->i = data;
	else
		out->f = data;
	return 0;
}

const ir_op op_constant = {
	.op_type = "Constant", .domain = "", .limits = "tensor, float(s) or int(s) value; folded",
	.check = check, .resolve = resolve, .eval = NULL, .lower = lower_unsupported,
};
