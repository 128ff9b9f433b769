/* Loading an ONNX file into the IR: protobuf-c parses, this file checks
 * every count, size, type and name before anything is used. */
#define _XOPEN_SOURCE 700	/* realpath */
#include "ir.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "onnx.pb-c.h"
#include "snn/file.h"

#define MAX_FILE_BYTES ((size_t)INT32_MAX)	/* protobuf's own limit is 2 GiB */
#define MAX_ITEMS (1 << 24)	/* nodes, tensors, attributes, list entries */
#define MAX_NUMEL (INT64_C(1) << 31)	/* elements per tensor */
#define OPSET_MIN 9
#define OPSET_MAX 22

typedef struct loader {
	ir_graph *g;
	snn_diag *diag;
	int n_init;	/* tensors [0, n_init) are initializers */
	int *slots;	/* name -> tensor index, open addressing; -1 empty */
	size_t n_slots;
	char *dir_real;	/* the model's directory, resolved, for external data */
} loader;

static int fail(loader *ld, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(loader *ld, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return snn_fail(ld->diag, code, "%s: %s", ld->g->path, msg);
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* ---- names ---- */

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int *name_slot(loader *ld, const char *name)
{
	size_t i = name_hash(name) & (ld->n_slots - 1);
	while (ld->slots[i] >= 0 && strcmp(ld->g->tensors[ld->slots[i]].name, name))
		i = (i + 1) & (ld->n_slots - 1);
	return &ld->slots[i];
}

static int name_find(loader *ld, const char *name)
{
	return *name_slot(ld, name);
}

/* Add a named tensor as *t; fails if the name is taken. */
static int name_add(loader *ld, const char *name, const char *what, int *t)
{
	int *slot = name_slot(ld, name);
	if (*slot >= 0)
		return fail(ld, SNN_ERR_FORMAT, "%s %s: the name is already used by another tensor", what, name);
	if ((*t = ir_add_tensor(ld->g, name, IR_FLOAT)) < 0)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	*slot = *t;
	return 0;
}

/* ---- tensor data ---- */

static float half_to_float(uint16_t h)
{
	int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	float v = exp == 0 ? ldexpf((float)man, -24)
	      : exp == 31 ? (man ? NAN : INFINITY)
			  : ldexpf((float)(man | 0x400), exp - 25);
	return h & 0x8000 ? -v : v;
}

static float bits_to_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint64_t le(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t k = n; k-- > 0;)
		v = v << 8 | b[k];
	return v;
}

/* One ONNX element type as the IR holds it. */
typedef struct elem_type {
	int onnx;
	ir_dtype dtype;
	size_t size;	/* bytes in raw_data */
	const char *name;
} elem_type;

static const elem_type elem_types[] = {
	{ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, IR_FLOAT, 4, "FLOAT"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE, IR_FLOAT, 8, "DOUBLE"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, IR_FLOAT, 2, "FLOAT16"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, IR_FLOAT, 2, "BFLOAT16"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT64, IR_INT64, 8, "INT64"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT32, IR_INT64, 4, "INT32"},
	{ONNX__TENSOR_PROTO__DATA_TYPE__BOOL, IR_INT64, 1, "BOOL"},
};

static const elem_type *elem_type_find(int onnx)
{
	for (size_t k = 0; k < sizeof elem_types / sizeof elem_types[0]; k++)
		if (elem_types[k].onnx == onnx)
			return &elem_types[k];
	return NULL;
}

/* Element k of t from its bits (as stored little-endian in raw_data). */
static void decode(const elem_type *e, uint64_t u, ir_tensor *t, int64_t k)
{
	double d;
	switch (e->onnx) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: t->f[k] = bits_to_float((uint32_t)u); break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
		memcpy(&d, &u, sizeof d);
		t->f[k] = (float)d;
		break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: t->f[k] = half_to_float((uint16_t)u); break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: t->f[k] = bits_to_float((uint32_t)u << 16); break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: t->i[k] = (int64_t)u; break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: t->i[k] = (int32_t)(uint32_t)u; break;
	default: t->i[k] = (u & 0xff) != 0; break;	/* BOOL */
	}
}

/* Element k of the typed field (typed_count) as the bits decode() takes. */
static uint64_t typed_bits(const elem_type *e, const void *typed, int64_t k)
{
	uint32_t u32;
	uint64_t u64;
	switch (e->onnx) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
		memcpy(&u32, (const float *)typed + k, sizeof u32);
		return u32;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
		memcpy(&u64, (const double *)typed + k, sizeof u64);
		return u64;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return (uint64_t)((const int64_t *)typed)[k];
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return ((const int32_t *)typed)[k] != 0;
	default: return (uint32_t)((const int32_t *)typed)[k];	/* INT32, FLOAT16, BFLOAT16 */
	}
}

/* Parse a non-negative decimal integer (external data offset or length). */
static bool parse_size(const char *s, int64_t *v)
{
	if (!s || !*s)
		return false;
	int64_t x = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return true;
}

/* The model's directory, resolved. */
static int model_dir(loader *ld, const char *what)
{
	if (ld->dir_real)
		return 0;
	char *dir = strdup(ld->g->path);
	if (!dir)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	ld->dir_real = realpath(slash ? dir : ".", NULL);
	free(dir);
	if (!ld->dir_real)
		return fail(ld, SNN_ERR_IO, "%s: cannot resolve the model's directory: %s", what, strerror(errno));
	return 0;
}

/* Read want bytes of external data, only from a file inside the model's
 * directory: no absolute paths, no "..", and no symlink that leads out. */
static int read_external(loader *ld, const Onnx__TensorProto *tp, size_t want, uint8_t **out,
			 const char *what)
{
	const char *location = NULL, *offset_s = NULL, *length_s = NULL;
	for (size_t k = 0; k < tp->n_external_data; k++) {
		const Onnx__StringStringEntryProto *e = tp->external_data[k];
		if (!e || !e->key)
			continue;
		if (!strcmp(e->key, "location"))
			location = e->value;
		else if (!strcmp(e->key, "offset"))
			offset_s = e->value;
		else if (!strcmp(e->key, "length"))
			length_s = e->value;
	}
	if (!location || !*location)
		return fail(ld, SNN_ERR_FORMAT, "%s: external data without a location", what);
	if (location[0] == '/')
		return fail(ld, SNN_ERR_FORMAT,
			    "%s: external data path %s is absolute; only files inside the model's directory are read",
			    what, location);
	for (const char *c = location; *c;) {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return fail(ld, SNN_ERR_FORMAT,
				    "%s: external data path %s leaves the model's directory", what, location);
		c += len + (c[len] == '/');
	}
	int64_t offset = 0, length = -1;
	if ((offset_s && !parse_size(offset_s, &offset)) || (length_s && !parse_size(length_s, &length)))
		return fail(ld, SNN_ERR_FORMAT, "%s: external data offset or length is not a number", what);
	int rc = model_dir(ld, what);
	if (rc)
		return rc;
	size_t plen = strlen(ld->dir_real) + strlen(location) + 2;
	char *joined = malloc(plen);
	if (!joined)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	snprintf(joined, plen, "%s/%s", ld->dir_real, location);
	char *real = realpath(joined, NULL);
	free(joined);
	if (!real)
		return fail(ld, SNN_ERR_IO, "%s: external data %s: %s", what, location, strerror(errno));
	size_t dlen = strlen(ld->dir_real);
	bool inside = !strncmp(real, ld->dir_real, dlen) && (real[dlen] == '/' || !strcmp(ld->dir_real, "/"));
	if (!inside) {
		free(real);
		return fail(ld, SNN_ERR_FORMAT, "%s: external data %s resolves outside the model's directory",
			    what, location);
	}
	snn_diag d;
	uint64_t size;
	int fd = snn_file_open_input(real, INT64_MAX, &size, &d);
	free(real);
	if (fd < 0)
		return fail(ld, fd, "%s: external data %s: %s", what, location, d.msg);
	int64_t st_size = (int64_t)size;
	if (length < 0)
		length = st_size > offset ? st_size - offset : 0;
	if ((uint64_t)length != want) {
		rc = fail(ld, SNN_ERR_FORMAT, "%s: external data has %lld bytes; the shape and type need %zu",
			  what, (long long)length, want);
		goto out;
	}
	if (offset > st_size || length > st_size - offset) {
		rc = fail(ld, SNN_ERR_FORMAT,
			  "%s: external data (offset %lld, length %lld) is beyond the end of %s (%lld bytes)", what,
			  (long long)offset, (long long)length, location, (long long)st_size);
		goto out;
	}
	*out = malloc(want ? want : 1);
	if (!*out) {
		rc = fail(ld, SNN_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t got = 0; got < want && !rc;) {
		ssize_t r = pread(fd, *out + got, want - got, (off_t)(offset + (int64_t)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(*out);
			*out = NULL;
			rc = fail(ld, SNN_ERR_IO, "%s: reading external data %s failed", what, location);
		} else {
			got += (size_t)r;
		}
	}
out:
	close(fd);
	return rc;
}

/* The typed field that holds this element type's data, and its length. */
static size_t typed_count(const Onnx__TensorProto *tp, int onnx, const void **data)
{
	switch (onnx) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: *data = tp->float_data; return tp->n_float_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: *data = tp->double_data; return tp->n_double_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: *data = tp->int64_data; return tp->n_int64_data;
	default: *data = tp->int32_data; return tp->n_int32_data;	/* INT32, FLOAT16, BFLOAT16, BOOL */
	}
}

/* Fill tensor t from a TensorProto; what names it in messages. */
static int load_tensor(loader *ld, const Onnx__TensorProto *tp, int t, const char *what)
{
	ir_graph *g = ld->g;
	if (tp->n_dims > IR_MAX_RANK)
		return fail(ld, SNN_ERR_UNSUPPORTED, "%s: has %zu dimensions; at most %d are supported", what,
			    tp->n_dims, IR_MAX_RANK);
	int64_t numel = 1;
	for (size_t d = 0; d < tp->n_dims; d++) {
		if (tp->dims[d] < 0)
			return fail(ld, SNN_ERR_FORMAT, "%s: dimension %zu is negative (%lld)", what, d,
				    (long long)tp->dims[d]);
		if (tp->dims[d] > MAX_NUMEL || (numel *= tp->dims[d]) > MAX_NUMEL)
			return fail(ld, SNN_ERR_RANGE, "%s: has more than %lld elements", what,
				    (long long)MAX_NUMEL);
	}
	if (tp->segment)
		return fail(ld, SNN_ERR_UNSUPPORTED, "%s: segmented tensors are not supported", what);
	int onnx = tp->has_data_type ? tp->data_type : 0;
	const elem_type *e = elem_type_find(onnx);
	if (!e)
		return fail(ld, SNN_ERR_UNSUPPORTED,
			    "%s: data type %d is not supported (float, double, float16, int64, int32, bool)%s", what,
			    onnx,
			    onnx == ONNX__TENSOR_PROTO__DATA_TYPE__INT8 || onnx == ONNX__TENSOR_PROTO__DATA_TYPE__UINT8
				    ? "; is this a quantised model? export the float model" : "");
	ir_tensor *ts = &g->tensors[t];
	ts->dtype = e->dtype;
	ts->rank = (int)tp->n_dims;
	for (size_t d = 0; d < tp->n_dims; d++)
		ts->dims[d] = tp->dims[d];
	bool external = tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	const void *typed;
	size_t n_typed = typed_count(tp, onnx, &typed);
	size_t other = tp->n_float_data + tp->n_double_data + tp->n_int32_data + tp->n_int64_data +
		       tp->n_uint64_data + tp->n_string_data - n_typed;
	if (other)
		return fail(ld, SNN_ERR_FORMAT, "%s: holds data in a field that does not match its type %s", what,
			    e->name);
	if ((int)external + (int)tp->has_raw_data + (n_typed > 0) > 1)
		return fail(ld, SNN_ERR_FORMAT, "%s: holds data in more than one place (raw, typed, external)", what);
	/* Sizes are checked before anything is allocated: the dims alone may
	 * claim gigabytes. */
	size_t bytes = (size_t)numel * e->size;
	uint8_t *ext = NULL;
	if (external) {
		int rc = read_external(ld, tp, bytes, &ext, what);
		if (rc)
			return rc;
	} else if (tp->has_raw_data && tp->raw_data.len != bytes) {
		return fail(ld, SNN_ERR_FORMAT, "%s: raw_data has %zu bytes; %lld %s elements need %zu", what,
			    tp->raw_data.len, (long long)numel, e->name, bytes);
	} else if (!tp->has_raw_data && n_typed != (size_t)numel) {
		return fail(ld, SNN_ERR_FORMAT, n_typed ? "%s: has %zu values; its shape needs %lld"
							: "%s: has no data (%zu values; its shape needs %lld)",
			    what, n_typed, (long long)numel);
	}
	/* At least one element, so that empty constants are still constants. */
	size_t alloc = (size_t)(numel ? numel : 1);
	if (e->dtype == IR_FLOAT)
		ts->f = calloc(alloc, sizeof *ts->f);
	else
		ts->i = calloc(alloc, sizeof *ts->i);
	if (!ts->f && !ts->i) {
		free(ext);
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	}
	const uint8_t *raw = external ? ext : tp->raw_data.data;
	for (int64_t k = 0; k < numel; k++)
		decode(e, raw ? le(raw + k * (int64_t)e->size, e->size) : typed_bits(e, typed, k), ts, k);
	free(ext);
	/* NaN or infinite weights would poison normalisation and quantisation. */
	for (int64_t k = 0; ts->f && k < numel; k++)
		if (!isfinite(ts->f[k]))
			return fail(ld, SNN_ERR_FORMAT, "%s: element %lld is not a finite number", what, (long long)k);
	return 0;
}

/* ---- graph ---- */

/* A classic ML model (scikit-learn through skl2onnx: ai.onnx.ml nodes)
 * is told so by resolve, or described by info, at any default opset: the
 * opset it happens to import (22 today) is not what keeps it off the core
 * array. */
static bool has_ml_nodes(const Onnx__GraphProto *gp)
{
	for (size_t k = 0; k < gp->n_node; k++)
		if (gp->node[k] && gp->node[k]->domain && !strcmp(gp->node[k]->domain, "ai.onnx.ml"))
			return true;
	return false;
}

static int load_opsets(loader *ld, const Onnx__ModelProto *m)
{
	ir_graph *g = ld->g;
	for (size_t k = 0; k < m->n_opset_import; k++) {
		const Onnx__OperatorSetIdProto *o = m->opset_import[k];
		const char *d = o->domain ? o->domain : "";
		int64_t v = o->has_version ? o->version : 0;
		if (!*d || !strcmp(d, "ai.onnx"))
			g->opset = v > g->opset ? v : g->opset;
		else if (!strcmp(d, "snn"))
			g->snn_opset = v;
	}
	if (g->opset == 0)
		return fail(ld, SNN_ERR_FORMAT, "imports no opset of the default ONNX domain");
	if ((g->opset < OPSET_MIN || g->opset > OPSET_MAX) && !has_ml_nodes(m->graph))
		return fail(ld, SNN_ERR_UNSUPPORTED,
			    "opset %lld is not supported (%d to %d are); re-export with opset_version in that range",
			    (long long)g->opset, OPSET_MIN, OPSET_MAX);
	return 0;
}

/* The graph input's shape: a symbolic or unknown first dimension is the
 * batch, set to 1; every other dimension must be known. */
static int load_input(loader *ld, const Onnx__ValueInfoProto *vi, int t)
{
	ir_tensor *ts = &ld->g->tensors[t];
	const Onnx__TypeProto *tp = vi->type;
	if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
		return fail(ld, SNN_ERR_FORMAT, "input %s: not a tensor", vi->name);
	const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
	if (!tt->has_elem_type || tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		return fail(ld, SNN_ERR_UNSUPPORTED, "input %s: element type %d; the input must be FLOAT", vi->name,
			    tt->has_elem_type ? tt->elem_type : 0);
	if (!tt->shape)
		return fail(ld, SNN_ERR_FORMAT, "input %s: has no shape", vi->name);
	if (tt->shape->n_dim > IR_MAX_RANK)
		return fail(ld, SNN_ERR_UNSUPPORTED, "input %s: has %zu dimensions; at most %d are supported",
			    vi->name, tt->shape->n_dim, IR_MAX_RANK);
	int rank = (int)tt->shape->n_dim;
	int64_t numel = 1;
	for (int d = 0; d < rank; d++) {
		const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
		bool known = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		int64_t v = known ? dim->dim_value : 1;
		if (!known && (d > 0 || rank < 2))
			return fail(ld, SNN_ERR_UNSUPPORTED,
				    "input %s: dimension %d is unknown (%s); only the batch dimension may be", vi->name,
				    d, dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
					       ? str_or(dim->dim_param, "?") : "no value");
		if (v < 1 || v > MAX_NUMEL || (numel *= v) > MAX_NUMEL)
			return fail(ld, SNN_ERR_FORMAT, "input %s: dimension %d (%lld) is out of range", vi->name, d,
				    (long long)v);
		if (d == 0 && rank >= 2 && v > 1)
			return fail(ld, SNN_ERR_UNSUPPORTED,
				    "input %s: has a fixed batch size of %lld; export with batch 1 or a dynamic batch",
				    vi->name, (long long)v);
		ts->dims[d] = v;
	}
	ts->rank = rank;
	ts->dtype = IR_FLOAT;
	return 0;
}

static int load_attr(loader *ld, ir_node *n, const Onnx__AttributeProto *ap, ir_attr *a)
{
	char what[300];
	const char *name = ap->name;
	if (!name || !*name)
		return fail(ld, SNN_ERR_FORMAT, "node %s (%s): an attribute has no name", n->name, n->op_type);
	if (!(a->name = strdup(name)))
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	snprintf(what, sizeof what, "node %s (%s): attribute %s", n->name, n->op_type, name);
	if (ap->ref_attr_name && *ap->ref_attr_name)
		return fail(ld, SNN_ERR_FORMAT, "%s: refers to a function attribute outside a function", what);
	if (!ap->has_type)
		return fail(ld, SNN_ERR_FORMAT, "%s: has no type", what);
	switch (ap->type) {
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
		a->f = ap->f;
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
		a->i = ap->i;
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
		if (ap->s.len > MAX_ITEMS || (ap->s.len && memchr(ap->s.data, 0, ap->s.len)))
			return fail(ld, SNN_ERR_FORMAT, "%s: the string holds a NUL byte or is too long", what);
		if (!(a->s = malloc(ap->s.len + 1)))
			return fail(ld, SNN_ERR_NOMEM, "out of memory");
		if (ap->s.len)
			memcpy(a->s, ap->s.data, ap->s.len);
		a->s[ap->s.len] = '\0';
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
		if (!ap->t)
			return fail(ld, SNN_ERR_FORMAT, "%s: has no tensor", what);
		/* Not entered in the name table: only the attribute refers to it. */
		char tname[300];
		snprintf(tname, sizeof tname, "%s:%s", n->name, name);
		if ((a->tensor = ir_add_tensor(ld->g, tname, IR_FLOAT)) < 0)
			return fail(ld, SNN_ERR_NOMEM, "out of memory");
		int rc = load_tensor(ld, ap->t, a->tensor, what);
		if (rc)
			return rc;
		break;
	}
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
		a->n = ap->n_floats;
		if (!(a->floats = malloc((a->n ? a->n : 1) * sizeof *a->floats)))
			return fail(ld, SNN_ERR_NOMEM, "out of memory");
		if (a->n)
			memcpy(a->floats, ap->floats, a->n * sizeof *a->floats);
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
		a->n = ap->n_ints;
		if (!(a->ints = malloc((a->n ? a->n : 1) * sizeof *a->ints)))
			return fail(ld, SNN_ERR_NOMEM, "out of memory");
		if (a->n)
			memcpy(a->ints, ap->ints, a->n * sizeof *a->ints);
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
		/* no operator reads their text; the classic-ML nodes that carry
		 * them get their own message from resolve, not this one */
		a->n = ap->n_strings;
		break;
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
	case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
		return fail(ld, SNN_ERR_UNSUPPORTED,
			    "%s: graph attributes (control flow such as If and Loop) are not supported", what);
	default:
		return fail(ld, SNN_ERR_UNSUPPORTED, "%s: attribute type %d is not supported", what, (int)ap->type);
	}
	a->type = (ir_attr_type)ap->type;
	return 0;
}

/* A node's names, domain and outputs (first pass: every tensor gets made
 * before any input is looked up, so the file's node order does not matter). */
static int load_node_outputs(loader *ld, const Onnx__NodeProto *np, int k)
{
	ir_graph *g = ld->g;
	ir_node *n = &g->nodes[k];
	char fallback[64];
	const char *op = np->op_type;
	if (!op || !*op)
		return fail(ld, SNN_ERR_FORMAT, "node %d (%s) has no op_type", k, str_or(np->name, "unnamed"));
	snprintf(fallback, sizeof fallback, "%.40s#%d", op, k);
	const char *domain = str_or(np->domain, "");
	if (!strcmp(domain, "ai.onnx"))
		domain = "";
	n->name = strdup(str_or(np->name, fallback));
	n->op_type = strdup(op);
	n->domain = strdup(domain);
	if (!n->name || !n->op_type || !n->domain)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	if (!strcmp(domain, "ai.onnx.ml"))
		g->has_ml_ops = true;
	if (np->n_output == 0 || !np->output[0] || !*np->output[0])
		return fail(ld, SNN_ERR_FORMAT, "node %s (%s): has no output", n->name, op);
	if (np->n_output > 64 || np->n_input > 1024 || np->n_attribute > 1024)
		return fail(ld, SNN_ERR_FORMAT, "node %s (%s): too many inputs, outputs or attributes", n->name, op);
	n->out = malloc(np->n_output * sizeof *n->out);
	if (!n->out)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	n->n_out = (int)np->n_output;
	for (size_t o = 0; o < np->n_output; o++) {
		const char *name = np->output[o] ? np->output[o] : "";
		n->out[o] = -1;
		if (!*name)
			continue;	/* an omitted optional output */
		if (name_find(ld, name) >= 0)
			return fail(ld, SNN_ERR_FORMAT, "node %s (%s): output %s is already produced elsewhere", n->name,
				    op, name);
		char what[300];
		snprintf(what, sizeof what, "node %s (%s): output", n->name, op);
		int rc = name_add(ld, name, what, &n->out[o]);
		if (rc)
			return rc;
		g->tensors[n->out[o]].producer = k;
	}
	return 0;
}

static int load_node_inputs(loader *ld, const Onnx__NodeProto *np, int k)
{
	ir_node *n = &ld->g->nodes[k];
	n->in = malloc((np->n_input ? np->n_input : 1) * sizeof *n->in);
	n->attrs = calloc(np->n_attribute ? np->n_attribute : 1, sizeof *n->attrs);
	if (!n->in || !n->attrs)
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	n->n_in = (int)np->n_input;
	for (size_t i = 0; i < np->n_input; i++) {
		const char *name = np->input[i] ? np->input[i] : "";
		n->in[i] = *name ? name_find(ld, name) : -1;
		if (*name && n->in[i] < 0)
			return fail(ld, SNN_ERR_FORMAT,
				    "node %s (%s): input %s is not produced by any node, initializer or graph input",
				    n->name, n->op_type, name);
	}
	for (size_t a = 0; a < np->n_attribute; a++) {
		int rc = load_attr(ld, n, np->attribute[a], &n->attrs[a]);
		n->n_attrs = (int)a + 1;
		if (rc)
			return rc;
		for (size_t b = 0; b < a; b++)
			if (!strcmp(n->attrs[b].name, n->attrs[a].name))
				return fail(ld, SNN_ERR_FORMAT, "node %s (%s): attribute %s appears twice", n->name,
					    n->op_type, n->attrs[a].name);
	}
	return 0;
}

static int load_graph(loader *ld, const Onnx__GraphProto *gp)
{
	ir_graph *g = ld->g;
	if (gp->n_sparse_initializer)
		return fail(ld, SNN_ERR_UNSUPPORTED, "sparse initializers are not supported");
	size_t names = gp->n_initializer + gp->n_input;
	for (size_t k = 0; k < gp->n_node; k++)
		names += gp->node[k]->n_output;
	if (gp->n_node > MAX_ITEMS || names > MAX_ITEMS)
		return fail(ld, SNN_ERR_RANGE, "the graph has too many nodes or tensors");
	for (ld->n_slots = 16; ld->n_slots < 2 * names; ld->n_slots *= 2)
		;
	if (!(ld->slots = malloc(ld->n_slots * sizeof *ld->slots)))
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	memset(ld->slots, 0xff, ld->n_slots * sizeof *ld->slots);

	for (size_t k = 0; k < gp->n_initializer; k++) {
		const Onnx__TensorProto *tp = gp->initializer[k];
		char what[300];
		if (!tp->name || !*tp->name)
			return fail(ld, SNN_ERR_FORMAT, "initializer %zu has no name", k);
		snprintf(what, sizeof what, "initializer %s", tp->name);
		int t, rc = name_add(ld, tp->name, "initializer", &t);
		if (!rc)
			rc = load_tensor(ld, tp, t, what);
		if (rc)
			return rc;
	}
	ld->n_init = g->n_tensors;

	for (size_t k = 0; k < gp->n_input; k++) {
		const Onnx__ValueInfoProto *vi = gp->input[k];
		if (!vi->name || !*vi->name)
			return fail(ld, SNN_ERR_FORMAT, "graph input %zu has no name", k);
		int t = name_find(ld, vi->name);
		if (t >= 0 && t < ld->n_init)
			continue;	/* older exporters list initializers as inputs too */
		if (g->input >= 0)
			return fail(ld, SNN_ERR_UNSUPPORTED,
				    "has more than one graph input (%s and %s); snnc takes one input tensor",
				    g->tensors[g->input].name, vi->name);
		int rc = name_add(ld, vi->name, "graph input", &t);
		if (rc)
			return rc;
		g->input = t;
		rc = load_input(ld, vi, t);
		if (rc)
			return rc;
	}
	if (g->input < 0)
		return fail(ld, SNN_ERR_FORMAT, "has no graph input (every input is an initializer)");

	if (gp->n_node && !(g->nodes = calloc(gp->n_node, sizeof *g->nodes)))
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	for (size_t k = 0; k < gp->n_node; k++) {
		g->n_nodes = (int)k + 1;
		int rc = load_node_outputs(ld, gp->node[k], (int)k);
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < gp->n_node; k++) {
		int rc = load_node_inputs(ld, gp->node[k], (int)k);
		if (rc)
			return rc;
	}

	if (gp->n_output == 0)
		return fail(ld, SNN_ERR_FORMAT, "has no graph output");
	if (!(g->outputs = malloc(gp->n_output * sizeof *g->outputs)))
		return fail(ld, SNN_ERR_NOMEM, "out of memory");
	for (size_t k = 0; k < gp->n_output; k++) {
		const char *name = gp->output[k]->name;
		int t = name ? name_find(ld, name) : -1;
		if (t < 0)
			return fail(ld, SNN_ERR_FORMAT, "graph output %s is not produced by any node",
				    str_or(name, "(unnamed)"));
		g->outputs[g->n_outputs++] = t;
	}
	return 0;
}

/* ---- nesting ---- */

#define MAX_NESTING 64	/* real models nest a few levels per sub-graph */

static bool read_varint(const uint8_t *b, size_t end, size_t *pos, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *pos < end; shift += 7) {
		uint8_t byte = b[(*pos)++];
		*v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return true;
	}
	return false;
}

/* protobuf-c's unpack recurses once per nested message without a limit, so
 * a small file of deeply nested sub-graphs would overflow the stack. Before
 * unpacking, bound the nesting: walk only tags and lengths, against
 * protobuf-c's own descriptors; the values are left to protobuf-c. Returns
 * 0, or the depth limit exceeded (1) or a malformed buffer (-1). */
static int check_nesting(const uint8_t *b, size_t len)
{
	struct {
		size_t end;
		const ProtobufCMessageDescriptor *desc;
	} stack[MAX_NESTING];
	int top = 0;
	size_t pos = 0;
	stack[0].end = len;
	stack[0].desc = &onnx__model_proto__descriptor;
	for (;;) {
		while (top >= 0 && pos == stack[top].end)
			top--;
		if (top < 0)
			return 0;
		size_t end = stack[top].end;
		uint64_t tag, v;
		if (!read_varint(b, end, &pos, &tag))
			return -1;
		switch (tag & 7) {
		case 0:
			if (!read_varint(b, end, &pos, &v))
				return -1;
			break;
		case 1:
		case 5:
			if (end - pos < ((tag & 7) == 1 ? 8u : 4u))
				return -1;
			pos += (tag & 7) == 1 ? 8 : 4;
			break;
		case 2: {
			if (!read_varint(b, end, &pos, &v) || v > end - pos)
				return -1;
			const ProtobufCFieldDescriptor *f =
				tag >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(stack[top].desc,
												 (unsigned)(tag >> 3))
						       : NULL;
			if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (top + 1 == MAX_NESTING)
					return 1;
				top++;
				stack[top].end = pos + v;
				stack[top].desc = f->descriptor;
			} else {
				pos += v;
			}
			break;
		}
		default:	/* groups: not in ONNX, and protobuf-c refuses them */
			return -1;
		}
	}
}

static int read_file(loader *ld, const char *path, uint8_t **buf, size_t *len)
{
	snn_diag d;
	int rc = snn_file_read_input(path, MAX_FILE_BYTES, buf, len, &d);
	if (rc == SNN_ERR_RANGE)
		return snn_fail(ld->diag, rc, "%s; protobuf's limit is 2 GiB: store the weights as external data",
				d.msg);
	return rc ? snn_fail(ld->diag, rc, "%s", d.msg) : 0;
}

int ir_load(const char *path, ir_graph *g, snn_diag *diag)
{
	memset(g, 0, sizeof *g);
	g->input = -1;
	loader ld = {.g = g, .diag = diag};
	if (!(g->path = strdup(path)))
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_file(&ld, path, &buf, &len);
	if (rc)
		goto out;
	SHA2_CTX sha;
	SHA256Init(&sha);
	SHA256Update(&sha, buf, len);
	SHA256Final(g->digest, &sha);
	int nesting = check_nesting(buf, len);
	Onnx__ModelProto *m = nesting ? NULL : onnx__model_proto__unpack(NULL, len, buf);
	free(buf);
	if (nesting > 0) {
		rc = fail(&ld, SNN_ERR_FORMAT, "not an ONNX model: messages nest more than %d deep", MAX_NESTING);
		goto out;
	}
	if (!m) {
		rc = fail(&ld, SNN_ERR_FORMAT, "not an ONNX model: the protobuf does not parse (truncated?)");
		goto out;
	}
	g->model = m;
	if (!m->graph) {
		rc = fail(&ld, SNN_ERR_FORMAT, "not an ONNX model: it has no graph");
		goto out;
	}
	size_t plen = strlen(str_or(m->producer_name, "?")) + strlen(str_or(m->producer_version, "")) + 2;
	if ((g->producer = malloc(plen)))
		snprintf(g->producer, plen, "%s%s%s", str_or(m->producer_name, "?"),
			 *str_or(m->producer_version, "") ? " " : "", str_or(m->producer_version, ""));	/* no version: no space */
	rc = load_opsets(&ld, m);
	if (!rc)
		rc = load_graph(&ld, m->graph);
out:
	free(ld.slots);
	free(ld.dir_real);
	if (rc)
		ir_free(g);
	return rc;
}
