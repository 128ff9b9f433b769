/* Test model builder (see onnx_build.h). Every field is malloc'd so that
 * onnx__model_proto__free_unpacked can free the whole tree. */
#include "onnx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "onnx_build: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = xcalloc(strlen(s) + 1, 1);
	return strcpy(d, s);
}

/* Append item to a protobuf-c repeated field. */
static void push(void *arr, size_t *n, void *item)
{
	void ***a = arr;
	void **grown = realloc(*a, (*n + 1) * sizeof **a);
	if (!grown) {
		fprintf(stderr, "onnx_build: out of memory\n");
		exit(2);
	}
	grown[(*n)++] = item;
	*a = grown;
}

mb mb_new(int64_t opset)
{
	mb b;
	b.m = xcalloc(1, sizeof *b.m);
	onnx__model_proto__init(b.m);
	b.m->has_ir_version = 1;
	b.m->ir_version = 7;
	b.m->producer_name = xstrdup("snnc-tests");
	b.m->producer_version = xstrdup("1");
	b.g = xcalloc(1, sizeof *b.g);
	onnx__graph_proto__init(b.g);
	b.g->name = xstrdup("test");
	b.m->graph = b.g;
	if (opset)
		mb_import(&b, "", opset);
	return b;
}

void mb_import(mb *b, const char *domain, int64_t version)
{
	Onnx__OperatorSetIdProto *o = xcalloc(1, sizeof *o);
	onnx__operator_set_id_proto__init(o);
	o->domain = xstrdup(domain);
	o->has_version = 1;
	o->version = version;
	push(&b->m->opset_import, &b->m->n_opset_import, o);
}

static Onnx__ValueInfoProto *value_info(const char *name, int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = xcalloc(1, sizeof *vi);
	onnx__value_info_proto__init(vi);
	vi->name = xstrdup(name);
	Onnx__TypeProto *tp = xcalloc(1, sizeof *tp);
	onnx__type_proto__init(tp);
	Onnx__TypeProto__Tensor *tt = xcalloc(1, sizeof *tt);
	onnx__type_proto__tensor__init(tt);
	tt->has_elem_type = 1;
	tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	vi->type = tp;
	if (rank < 0)
		return vi;	/* no shape at all */
	Onnx__TensorShapeProto *sh = xcalloc(1, sizeof *sh);
	onnx__tensor_shape_proto__init(sh);
	for (int d = 0; d < rank; d++) {
		Onnx__TensorShapeProto__Dimension *dim = xcalloc(1, sizeof *dim);
		onnx__tensor_shape_proto__dimension__init(dim);
		if (dims[d] == MB_DYN) {
			dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			dim->dim_param = xstrdup("N");
		} else {
			dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			dim->dim_value = dims[d];
		}
		push(&sh->dim, &sh->n_dim, dim);
	}
	tt->shape = sh;
	return vi;
}

Onnx__ValueInfoProto *mb_input(mb *b, const char *name, int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = value_info(name, rank, dims);
	push(&b->g->input, &b->g->n_input, vi);
	return vi;
}

void mb_output(mb *b, const char *name)
{
	Onnx__ValueInfoProto *vi = xcalloc(1, sizeof *vi);
	onnx__value_info_proto__init(vi);
	vi->name = xstrdup(name);
	push(&b->g->output, &b->g->n_output, vi);
}

static Onnx__TensorProto *tensor(const char *name, int rank, const int64_t *dims, int type)
{
	Onnx__TensorProto *t = xcalloc(1, sizeof *t);
	onnx__tensor_proto__init(t);
	t->name = xstrdup(name);
	t->has_data_type = 1;
	t->data_type = type;
	t->n_dims = (size_t)rank;
	t->dims = xcalloc((size_t)rank, sizeof *t->dims);
	if (rank)
		memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
	return t;
}

static size_t numel(int rank, const int64_t *dims)
{
	size_t n = 1;
	for (int d = 0; d < rank; d++)
		n *= (size_t)dims[d];
	return n;
}

Onnx__TensorProto *mb_tensor(const char *name, int rank, const int64_t *dims, const float *data)
{
	Onnx__TensorProto *t = tensor(name, rank, dims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	t->n_float_data = numel(rank, dims);
	t->float_data = xcalloc(t->n_float_data, sizeof *t->float_data);
	memcpy(t->float_data, data, t->n_float_data * sizeof *data);
	return t;
}

Onnx__TensorProto *mb_init(mb *b, const char *name, int rank, const int64_t *dims, const float *data)
{
	Onnx__TensorProto *t = mb_tensor(name, rank, dims, data);
	push(&b->g->initializer, &b->g->n_initializer, t);
	return t;
}

Onnx__TensorProto *mb_init_raw(mb *b, const char *name, int rank, const int64_t *dims, const float *data)
{
	Onnx__TensorProto *t = tensor(name, rank, dims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	size_t n = numel(rank, dims);
	t->has_raw_data = 1;
	t->raw_data.len = n * 4;
	t->raw_data.data = xcalloc(n * 4, 1);
	for (size_t i = 0; i < n; i++) {	/* little-endian, whatever the host */
		uint32_t u;
		memcpy(&u, &data[i], 4);
		for (int k = 0; k < 4; k++)
			t->raw_data.data[i * 4 + k] = (uint8_t)(u >> (8 * k));
	}
	push(&b->g->initializer, &b->g->n_initializer, t);
	return t;
}

Onnx__TensorProto *mb_init_i64(mb *b, const char *name, int rank, const int64_t *dims, const int64_t *data)
{
	Onnx__TensorProto *t = tensor(name, rank, dims, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
	t->n_int64_data = numel(rank, dims);
	t->int64_data = xcalloc(t->n_int64_data, sizeof *t->int64_data);
	memcpy(t->int64_data, data, t->n_int64_data * sizeof *data);
	push(&b->g->initializer, &b->g->n_initializer, t);
	return t;
}

/* Split "a,,b" into names. */
static void names(const char *list, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!*list)
		return;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		char *s = xcalloc(len + 1, 1);
		memcpy(s, p, len);
		push(out, n, s);
		if (!p[len])
			break;
		p += len + 1;
	}
}

Onnx__NodeProto *mb_node_in(mb *b, const char *domain, const char *op_type, const char *inputs,
			    const char *outputs)
{
	Onnx__NodeProto *n = xcalloc(1, sizeof *n);
	onnx__node_proto__init(n);
	n->op_type = xstrdup(op_type);
	n->domain = xstrdup(domain);
	char name[64];
	snprintf(name, sizeof name, "%s_%zu", op_type, b->g->n_node);
	n->name = xstrdup(name);
	names(inputs, &n->input, &n->n_input);
	names(outputs, &n->output, &n->n_output);
	push(&b->g->node, &b->g->n_node, n);
	return n;
}

Onnx__NodeProto *mb_node(mb *b, const char *op_type, const char *inputs, const char *outputs)
{
	return mb_node_in(b, "", op_type, inputs, outputs);
}

static Onnx__AttributeProto *attr(Onnx__NodeProto *n, const char *name, int type)
{
	Onnx__AttributeProto *a = xcalloc(1, sizeof *a);
	onnx__attribute_proto__init(a);
	a->name = xstrdup(name);
	a->has_type = 1;
	a->type = type;
	push(&n->attribute, &n->n_attribute, a);
	return a;
}

void mb_attr_i(Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	a->has_i = 1;
	a->i = v;
}

void mb_attr_f(Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
	a->has_f = 1;
	a->f = v;
}

void mb_attr_s(Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
	a->has_s = 1;
	a->s.len = strlen(v);
	a->s.data = (uint8_t *)xstrdup(v);
}

void mb_attr_ints(Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	a->n_ints = count;
	a->ints = xcalloc(count, sizeof *a->ints);
	memcpy(a->ints, v, count * sizeof *v);
}

void mb_attr_floats(Onnx__NodeProto *n, const char *name, size_t count, const float *v)
{
	Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
	a->n_floats = count;
	a->floats = xcalloc(count, sizeof *a->floats);
	memcpy(a->floats, v, count * sizeof *v);
}

void mb_attr_t(Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t)
{
	attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t = t;
}

uint8_t *mb_pack(const mb *b, size_t *len)
{
	*len = onnx__model_proto__get_packed_size(b->m);
	uint8_t *buf = xcalloc(*len, 1);
	onnx__model_proto__pack(b->m, buf);
	return buf;
}

int mb_write(const mb *b, const char *path)
{
	size_t len;
	uint8_t *buf = mb_pack(b, &len);
	FILE *f = fopen(path, "wb");
	int rc = f && fwrite(buf, 1, len, f) == len ? 0 : -1;
	if (f && fclose(f))
		rc = -1;
	free(buf);
	return rc;
}

void mb_free(mb *b)
{
	onnx__model_proto__free_unpacked(b->m, NULL);
	b->m = NULL;
	b->g = NULL;
}
