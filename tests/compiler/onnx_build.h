/* Building small ONNX models in tests: protobuf-c structs filled in code and
 * packed with onnx__model_proto__pack, so tests need no exported files. */
#ifndef SNNC_TEST_ONNX_BUILD_H
#define SNNC_TEST_ONNX_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "onnx.pb-c.h"

/* Symbolic dimension (dim_param "N") in mb_input's dims. */
#define MB_DYN (-1)

typedef struct mb {
	Onnx__ModelProto *m;
	Onnx__GraphProto *g;
} mb;

/* A model importing the default domain at opset (0: import nothing). */
mb mb_new(int64_t opset);
void mb_import(mb *b, const char *domain, int64_t version);
/* A FLOAT graph input; dims entries MB_DYN are symbolic. */
Onnx__ValueInfoProto *mb_input(mb *b, const char *name, int rank, const int64_t *dims);
void mb_output(mb *b, const char *name);
/* Initializers, in float_data / int64_data (mb_raw: float as raw_data). */
Onnx__TensorProto *mb_init(mb *b, const char *name, int rank, const int64_t *dims, const float *data);
Onnx__TensorProto *mb_init_raw(mb *b, const char *name, int rank, const int64_t *dims, const float *data);
Onnx__TensorProto *mb_init_i64(mb *b, const char *name, int rank, const int64_t *dims, const int64_t *data);
/* A tensor not attached to anything (for Constant's value attribute). */
Onnx__TensorProto *mb_tensor(const char *name, int rank, const int64_t *dims, const float *data);
/* A node; inputs and outputs are comma-separated names ("x,,B": the
 * middle input omitted). */
Onnx__NodeProto *mb_node(mb *b, const char *op_type, const char *inputs, const char *outputs);
Onnx__NodeProto *mb_node_in(mb *b, const char *domain, const char *op_type, const char *inputs,
			    const char *outputs);
void mb_attr_i(Onnx__NodeProto *n, const char *name, int64_t v);
void mb_attr_f(Onnx__NodeProto *n, const char *name, float v);
void mb_attr_s(Onnx__NodeProto *n, const char *name, const char *v);
void mb_attr_ints(Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v);
void mb_attr_floats(Onnx__NodeProto *n, const char *name, size_t count, const float *v);
void mb_attr_t(Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t);
/* Pack (caller frees) or write to path; 0 on success. */
uint8_t *mb_pack(const mb *b, size_t *len);
int mb_write(const mb *b, const char *path);
void mb_free(mb *b);

#endif
