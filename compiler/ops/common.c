/* Helpers every operator shares (declared in ops.h). */
#include "ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int op_fail(const ir_graph *g, const ir_node *n, snn_diag *diag, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return snn_fail(diag, code, "%s: node %s (%s): %s", g->path, n->name, n->op_type, msg);
}

static const char *attr_type_name(ir_attr_type t)
{
	switch (t) {
	case IR_ATTR_FLOAT: return "a float";
	case IR_ATTR_INT: return "an int";
	case IR_ATTR_STRING: return "a string";
	case IR_ATTR_TENSOR: return "a tensor";
	case IR_ATTR_FLOATS: return "a list of floats";
	case IR_ATTR_INTS: return "a list of ints";
	case IR_ATTR_STRINGS: return "a list of strings";
	}
	return "?";
}

/* The ONNX attributes that are booleans stored as INT: Gemm's transB = 5
 * is a broken file, not 1. */
static bool is_flag(const char *name)
{
	static const char *const flags[] = {"transA", "transB", "ceil_mode", "count_include_pad", "allowzero",
					    "training_mode", NULL};
	for (int i = 0; flags[i]; i++)
		if (!strcmp(name, flags[i]))
			return true;
	return false;
}

int op_check(const ir_graph *g, const ir_node *n, snn_diag *diag, int min_in, int max_in, int max_out,
	     const op_attr_spec *attrs)
{
	int n_in = n->n_in;
	while (n_in > 0 && n->in[n_in - 1] < 0)	/* trailing omitted inputs */
		n_in--;
	if (n_in < min_in || n_in > max_in) {
		if (min_in == max_in)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "has %d inputs; it takes %d", n_in, min_in);
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "has %d inputs; it takes %d to %d", n_in, min_in,
			       max_in);
	}
	for (int k = 0; k < min_in; k++)
		if (n->in[k] < 0)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "input %d is required but empty", k);
	if (n->n_out > max_out)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "has %d outputs; it has at most %d", n->n_out,
			       max_out);
	for (int a = 0; a < n->n_attrs; a++) {
		const ir_attr *at = &n->attrs[a];
		const op_attr_spec *s = attrs;
		while (s && s->name && strcmp(s->name, at->name))
			s++;
		if (!s || !s->name)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "unknown attribute %s", at->name);
		if (s->type != at->type)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "attribute %s is %s; it must be %s", at->name,
				       attr_type_name(at->type), attr_type_name(s->type));
		/* A NaN or infinite attribute would reach a float-to-int
		 * conversion (undefined) or poison every weight it scales. */
		for (size_t k = 0; k < (at->type == IR_ATTR_FLOATS ? at->n : at->type == IR_ATTR_FLOAT); k++) {
			float v = at->type == IR_ATTR_FLOAT ? at->f : at->floats[k];
			if (!isfinite(v) && at->type == IR_ATTR_FLOAT)
				return op_fail(g, n, diag, SNN_ERR_FORMAT, "attribute %s is %g; it must be a finite number",
					       at->name, v);
			if (!isfinite(v))
				return op_fail(g, n, diag, SNN_ERR_FORMAT,
					       "attribute %s: entry %zu is %g; it must be a finite number", at->name, k, v);
		}
		if (at->type == IR_ATTR_INT && is_flag(at->name) && at->i != 0 && at->i != 1)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "attribute %s is %lld; it must be 0 or 1", at->name,
				       (long long)at->i);
	}
	return 0;
}

const ir_tensor *op_in(const ir_graph *g, const ir_node *n, int k)
{
	return k < n->n_in && n->in[k] >= 0 ? &g->tensors[n->in[k]] : NULL;
}

bool op_is_const(const ir_tensor *t)
{
	return t->f || t->i;
}

bool op_all_const(const ir_graph *g, const ir_node *n)
{
	for (int k = 0; k < n->n_in; k++)
		if (n->in[k] >= 0 && !op_is_const(&g->tensors[n->in[k]]))
			return false;
	return true;
}

size_t op_esize(ir_dtype d)
{
	return d == IR_INT64 ? sizeof(int64_t) : sizeof(float);
}

const void *op_data(const ir_tensor *t)
{
	return t->dtype == IR_INT64 ? (const void *)t->i : (const void *)t->f;
}

int op_set_out(ir_graph *g, const ir_node *n, int k, ir_dtype dtype, int rank, const int64_t *dims,
	       snn_diag *diag)
{
	if (k >= n->n_out || n->out[k] < 0)
		return 0;
	if (rank < 0 || rank > IR_MAX_RANK)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "output %d would have rank %d (at most %d)",
			       k, rank, IR_MAX_RANK);
	int64_t numel = 1;
	for (int d = 0; d < rank; d++) {
		if (dims[d] < 0)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "output %d would have a negative dimension",
				       k);
		numel *= dims[d];
		if (numel > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_RANGE, "output %d would have more than %lld elements",
				       k, (long long)OP_MAX_NUMEL);
	}
	if (numel > OP_MAX_FOLD && op_all_const(g, n))
		return op_fail(g, n, diag, SNN_ERR_RANGE,
			       "folding it would make a constant of %lld elements (at most %lld)", (long long)numel,
			       (long long)OP_MAX_FOLD);
	ir_tensor *t = &g->tensors[n->out[k]];
	t->dtype = dtype;
	t->rank = rank;
	memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
	return 0;
}

int op_same_as_input(ir_graph *g, const ir_node *n, snn_diag *diag)
{
	const ir_tensor *in = op_in(g, n, 0);
	return op_set_out(g, n, 0, in->dtype, in->rank, in->dims, diag);
}

int op_want_float(const ir_graph *g, const ir_node *n, int k, snn_diag *diag)
{
	const ir_tensor *t = op_in(g, n, k);
	if (t && t->dtype != IR_FLOAT)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "input %s is an integer tensor; it must be float",
			       t->name);
	return 0;
}

int op_axis(const ir_graph *g, const ir_node *n, int64_t axis, int rank, int *out, snn_diag *diag)
{
	if (axis < -rank || axis >= rank)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "axis %lld is out of range for rank %d",
			       (long long)axis, rank);
	*out = (int)(axis < 0 ? axis + rank : axis);
	return 0;
}

int op_ints_arg(const ir_graph *g, const ir_node *n, const char *name, int from_opset, int k,
		const int64_t **vals, int64_t *count, snn_diag *diag)
{
	const ir_attr *a = ir_attr_find(n, name);
	const ir_tensor *t = op_in(g, n, k);
	*vals = NULL;
	*count = 0;
	if (g->opset >= from_opset) {
		if (a)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "%s is an input since opset %d, not an attribute",
				       name, from_opset);
		if (!t)
			return 0;
		if (t->dtype != IR_INT64 || !t->i || t->rank > 1)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
				       "input %s (%s) must be a constant 1-D int64 tensor", t->name, name);
		*vals = t->i;
		*count = ir_numel(t);
		return 0;
	}
	if (t)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "%s is an attribute before opset %d, not an input",
			       name, from_opset);
	if (a) {
		*vals = a->ints;
		*count = (int64_t)a->n;
	}
	return 0;
}

int op_attr_set_ints(ir_node *n, const char *name, const int64_t *v, size_t count)
{
	ir_attr *a = (ir_attr *)ir_attr_find(n, name);
	int64_t *ints = malloc((count ? count : 1) * sizeof *ints);
	if (!ints)
		return SNN_ERR_NOMEM;
	memcpy(ints, v, count * sizeof *ints);
	if (!a) {
		ir_attr *as = realloc(n->attrs, (size_t)(n->n_attrs + 1) * sizeof *as);
		char *nm = strdup(name);
		if (as)
			n->attrs = as;
		if (!as || !nm) {
			free(ints);
			free(nm);
			return SNN_ERR_NOMEM;
		}
		a = &n->attrs[n->n_attrs++];
		memset(a, 0, sizeof *a);
		a->name = nm;
		a->type = IR_ATTR_INTS;
	}
	free(a->ints);
	a->ints = ints;
	a->n = count;
	return 0;
}

int op_broadcast(const ir_graph *g, const ir_node *n, int *rank, int64_t *dims, snn_diag *diag)
{
	const ir_tensor *a = op_in(g, n, 0), *b = op_in(g, n, 1);
	int r = a->rank > b->rank ? a->rank : b->rank;
	for (int d = 0; d < r; d++) {
		int da = d - (r - a->rank), db = d - (r - b->rank);
		int64_t x = da >= 0 ? a->dims[da] : 1, y = db >= 0 ? b->dims[db] : 1;
		if (x != y && x != 1 && y != 1) {
			char sa[96], sb[96];
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "shapes %s and %s do not broadcast",
				       ir_shape_str(a, sa, sizeof sa), ir_shape_str(b, sb, sizeof sb));
		}
		dims[d] = x == 1 ? y : x;
	}
	*rank = r;
	return 0;
}

void op_broadcast_strides(const ir_tensor *t, int rank, const int64_t *dims, int64_t *strides)
{
	int64_t s = 1;
	for (int d = rank - 1; d >= 0; d--) {
		int dt = d - (rank - t->rank);
		if (dt >= 0 && t->dims[dt] == dims[d] && dims[d] != 1) {
			strides[d] = s;
			s *= t->dims[dt];
		} else {
			strides[d] = 0;
		}
	}
}

void op_bcast_init(op_bcast *it, const ir_graph *g, const ir_node *n)
{
	const ir_tensor *out = &g->tensors[n->out[0]];
	memset(it, 0, sizeof *it);
	it->rank = out->rank;
	it->numel = ir_numel(out);
	memcpy(it->dims, out->dims, sizeof it->dims);
	op_broadcast_strides(op_in(g, n, 0), it->rank, it->dims, it->sa);
	op_broadcast_strides(op_in(g, n, 1), it->rank, it->dims, it->sb);
}

void op_bcast_next(op_bcast *it)
{
	for (int d = it->rank - 1; d >= 0; d--) {
		it->ia += it->sa[d];
		it->ib += it->sb[d];
		if (++it->idx[d] < it->dims[d])
			return;
		it->ia -= it->sa[d] * it->idx[d];
		it->ib -= it->sb[d] * it->idx[d];
		it->idx[d] = 0;
	}
}

int op_window_resolve(const ir_graph *g, const ir_node *n, const ir_tensor *in, op_window *w,
		      snn_diag *diag)
{
	const char *auto_pad = ir_attr_string(n, "auto_pad", "NOTSET");
	const ir_attr *strides = ir_attr_find(n, "strides"), *pads = ir_attr_find(n, "pads");
	const ir_attr *dil = ir_attr_find(n, "dilations");
	if (in->rank != 4)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "input has rank %d; only 2-D (NCHW) is supported",
			       in->rank);
	if (in->dims[0] != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "input has a batch of %lld; it must be 1",
			       (long long)in->dims[0]);
	if (strides && strides->n != 2)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "strides has %zu values; expected 2", strides->n);
	if (pads && pads->n != 4)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "pads has %zu values; expected 4", pads->n);
	if (dil && (dil->n != 2 || dil->ints[0] != 1 || dil->ints[1] != 1))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "dilations other than 1 are not supported: a core's "
			       "kernel and pooling window read neighbouring pixels; use dilations 1 (a dilated "
			       "kernel is a larger kernel with zero taps)");
	int64_t ceil_mode = ir_attr_int(n, "ceil_mode", 0);
	if (ceil_mode != 0 && ceil_mode != 1)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "ceil_mode must be 0 or 1");
	for (int d = 0; d < 2; d++) {
		int64_t size = in->dims[2 + d], k = w->k[d];
		int64_t s = strides ? strides->ints[d] : 1;
		if (k < 1 || k > OP_MAX_NUMEL || s < 1 || s > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "kernel %lld or stride %lld out of range",
				       (long long)k, (long long)s);
		w->s[d] = s;
		int64_t lo = pads ? pads->ints[d] : 0, hi = pads ? pads->ints[d + 2] : 0;
		if (lo < 0 || hi < 0 || lo > OP_MAX_NUMEL || hi > OP_MAX_NUMEL)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "negative or huge pads are not supported");
		if (strcmp(auto_pad, "NOTSET")) {
			if (lo || hi)
				return op_fail(g, n, diag, SNN_ERR_FORMAT, "has both auto_pad %s and pads", auto_pad);
			if (!strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER")) {
				int64_t out = (size + s - 1) / s;
				int64_t total = (out - 1) * s + k - size;
				total = total > 0 ? total : 0;
				lo = !strcmp(auto_pad, "SAME_UPPER") ? total / 2 : total - total / 2;
				hi = total - lo;
			} else if (strcmp(auto_pad, "VALID")) {
				return op_fail(g, n, diag, SNN_ERR_FORMAT, "unknown auto_pad %s", auto_pad);
			}
		}
		if (size + lo + hi < k)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "kernel %lld is larger than the padded input %lld",
				       (long long)k, (long long)(size + lo + hi));
		int64_t out = (size + lo + hi - k) / s + 1;
		if (ceil_mode) {	/* the last window must start inside the input or the left pad */
			int64_t up = (size + lo + hi - k + s - 1) / s + 1;
			if ((up - 1) * s >= size + lo)
				up--;
			if (up != out)
				return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
					       "ceil_mode = 1 changes the output size here; it is not supported");
		}
		w->pad[d] = lo;
		w->pad[d + 2] = hi;
		w->out[d] = out;
	}
	return 0;
}

int op_window_store(const ir_graph *g, ir_node *n, const op_window *w, snn_diag *diag)
{
	if (op_attr_set_ints(n, "pads", w->pad, 4) || op_attr_set_ints(n, "strides", w->s, 2))
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	ir_attr *a = (ir_attr *)ir_attr_find(n, "auto_pad");	/* after the above may move attrs */
	if (a) {
		char *notset = strdup("NOTSET");
		if (!notset)
			return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
		free(a->s);
		a->s = notset;
	}
	return 0;
}

void op_eval_move(const ir_graph *g, const ir_node *n, ir_values *vals, op_move_fn run)
{
	const void *in[OP_MAX_INPUTS] = {0};
	for (int k = 0; k < n->n_in && k < OP_MAX_INPUTS; k++) {
		const ir_tensor *t = op_in(g, n, k);
		if (t)
			in[k] = t->dtype == IR_INT64 ? (const void *)t->i : (const void *)vals->v[n->in[k]];
	}
	run(g, n, in, vals->v[n->out[0]], sizeof(float));
}

int op_fold_int64(ir_graph *g, const ir_node *n, op_move_fn run, snn_diag *diag)
{
	ir_tensor *out = &g->tensors[n->out[0]];
	if (out->dtype != IR_INT64 || !op_all_const(g, n))
		return 0;
	const void *in[OP_MAX_INPUTS] = {0};
	for (int k = 0; k < n->n_in && k < OP_MAX_INPUTS; k++) {
		const ir_tensor *t = op_in(g, n, k);
		in[k] = t ? op_data(t) : NULL;
	}
	int64_t numel = ir_numel(out);
	int64_t *data = calloc((size_t)(numel ? numel : 1), sizeof *data);
	if (!data)
		return op_fail(g, n, diag, SNN_ERR_NOMEM, "out of memory");
	run(g, n, in, data, sizeof *data);
	free(out->i);
	out->i = data;
	return 0;
}

void op_move_copy(const ir_graph *g, const ir_node *n, const void *const *in, void *out, size_t esize)
{
	memcpy(out, in[0], (size_t)ir_numel(&g->tensors[n->out[0]]) * esize);
}

void op_eval_copy(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	op_eval_move(g, n, vals, op_move_copy);
}

void op_eval_relu(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = x[i] > 0 ? x[i] : 0;
}

op_conv_dims op_conv_dims_of(const ir_graph *g, const ir_node *n)
{
	const ir_tensor *x = op_in(g, n, 0), *w = op_in(g, n, 1), *y = &g->tensors[n->out[0]];
	const ir_attr *pads = ir_attr_find(n, "pads"), *strides = ir_attr_find(n, "strides");
	return (op_conv_dims){
		.C = x->dims[1], .H = x->dims[2], .W = x->dims[3], .KH = w->dims[2], .KW = w->dims[3],
		.OH = y->dims[2], .OW = y->dims[3], .sy = strides ? strides->ints[0] : 1,
		.sx = strides ? strides->ints[1] : 1, .pt = pads ? pads->ints[0] : 0, .pl = pads ? pads->ints[1] : 0,
	};
}

int op_conv_check(const ir_graph *g, const ir_node *n, const op_attr_spec *attrs, const char *grouped,
		  snn_diag *diag)
{
	int rc = op_check(g, n, diag, 2, 3, 1, attrs);
	int64_t group = ir_attr_int(n, "group", 1);
	if (!rc && group != 1)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "%s (group = %lld) is not supported; use group 1",
			       grouped, (long long)group);
	return rc;
}

int op_conv_check_tensors(const ir_graph *g, const ir_node *n, int w_in_axis, const char *what, snn_diag *diag)
{
	const ir_tensor *x = op_in(g, n, 0), *w = op_in(g, n, 1), *b = op_in(g, n, 2);
	if (op_want_float(g, n, 0, diag) || op_want_float(g, n, 1, diag) || op_want_float(g, n, 2, diag))
		return SNN_ERR_UNSUPPORTED;
	if (w->rank != 4 || x->rank != 4)
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "only 2-D %s (4-D input and weight) is supported",
			       what);
	int64_t w_in = w->dims[w_in_axis], w_out = w->dims[1 - w_in_axis];
	if (w_in != x->dims[1])
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the weight expects %lld input channels; the input has %lld",
			       (long long)w_in, (long long)x->dims[1]);
	if (b && (b->rank != 1 || b->dims[0] != w_out))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "the bias must have one value per output channel (%lld)",
			       (long long)w_out);
	const ir_attr *ks = ir_attr_find(n, "kernel_shape");
	if (ks && (ks->n != 2 || ks->ints[0] != w->dims[2] || ks->ints[1] != w->dims[3]))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "kernel_shape does not match the weight");
	return 0;
}
