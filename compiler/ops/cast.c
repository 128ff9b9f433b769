/* Cast between the IR's two types (float and int64; ONNX's narrower and
 * wider variants map onto them). Constants convert at compile time. */
#include <math.h>
#include <stdlib.h>
#include "lower.h"
#include "ops.h"

/* saturate (opset 19) only changes casts to the float8 types, which are
 * refused. */
static const op_attr_spec attrs[] = {{"saturate", IR_ATTR_INT}, {"to", IR_ATTR_INT}, {0}};

/* The IR type of an ONNX TensorProto.DataType, or 0 if unsupported. */
static ir_dtype target(int64_t to)
{
	switch (to) {
	case 1: case 10: case 11: case 16: return IR_FLOAT;	/* FLOAT, FLOAT16, DOUBLE, BFLOAT16 */
	case 6: case 7: return IR_INT64;	/* INT32, INT64 */
	default: return 0;
	}
}

static int check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 1, 1, attrs);
	if (!rc && !target(ir_attr_int(n, "to", 0)))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
			       "casting to type %lld is not supported: snnc folds Casts of shapes and constants and "
			       "runs the network in float, so only float, double, float16, int32 and int64 are "
			       "meaningful; cast to one of them, or remove the Cast",
			       (long long)ir_attr_int(n, "to", 0));
	return rc;
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0);
	ir_dtype to = target(ir_attr_int(n, "to", 0));
	int32_t narrow = ir_attr_int(n, "to", 0) == 6;	/* INT32 wraps */
	int rc = op_set_out(g, n, 0, to, x->rank, x->dims, diag);
	if (rc || !op_is_const(x) || to == IR_FLOAT)	/* float results fold through eval */
		return rc;
	ir_tensor *out = &g->tensors[n->out[0]];
	int64_t numel = ir_numel(x);
	if (!(out->i = malloc((size_t)(numel ? numel : 1) * sizeof *out->i)))
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < numel; k++) {
		if (x->dtype == IR_FLOAT && !(fabsf(x->f[k]) < 9.2e18f))
			return op_fail(g, n, diag, SNN_ERR_RANGE, "%g does not fit an integer", x->f[k]);
		int64_t v = x->dtype == IR_FLOAT ? (int64_t)x->f[k] : x->i[k];
		out->i[k] = narrow ? (int32_t)(uint32_t)(uint64_t)v : v;
	}
	return 0;
}

/* Float to float at run time, or int64 constant to float when folded. */
static void eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const ir_tensor *x = op_in(g, n, 0);
	float *y = vals->v[n->out[0]];
	for (int64_t k = 0, numel = ir_numel(x); k < numel; k++)
		y[k] = x->dtype == IR_INT64 ? (float)x->i[k] : vals->v[n->in[0]][k];
}

/* Folded over shapes and constants (resolve); on a layer's output, refused. */
static int lower(lower_ctx *x, const ir_node *n)
{
	return lower_fail_node(x, n, "%s", "a Cast of a layer's output is not supported: the network runs in float; "
				"remove the Cast");
}

const ir_op op_cast = {
	.op_type = "Cast", .domain = "", .limits = "to float, double, float16, int32 or int64",
	.check = check, .resolve = resolve, .eval = eval, .lower = lower,
};
