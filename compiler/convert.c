/* ONNX-SNN writer (docs/onnx-snn.md): edits the parsed ModelProto in place
 * and packs it with protobuf-c. */
#include "convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx.pb-c.h"
#include "snn/file.h"

#define SNN_DOMAIN "snn"
#define SNN_DOMAIN_VERSION 1

static char *dup_str(const char *s)
{
	char *d = malloc(strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

static Onnx__AttributeProto *new_attr(const char *name)
{
	Onnx__AttributeProto *a = malloc(sizeof *a);
	if (!a)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = dup_str(name);
	a->has_type = 1;
	return a;
}

static Onnx__AttributeProto *float_attr(const char *name, float v)
{
	Onnx__AttributeProto *a = new_attr(name);
	if (a) {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
		a->has_f = 1;
		a->f = v;
	}
	return a;
}

static Onnx__AttributeProto *string_attr(const char *name, const char *v)
{
	Onnx__AttributeProto *a = new_attr(name);
	if (a) {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
		a->has_s = 1;
		a->s.len = strlen(v);
		a->s.data = (uint8_t *)dup_str(v);
	}
	return a;
}

/* Replace node n's operator by an snn neuron with the given attributes. */
static int rewrite_node(Onnx__NodeProto *n, const snn_layer *l)
{
	bool lif = l->neuron == NEURON_LIF || l->tau_rc > 0;	/* a LIF readout too */
	Onnx__AttributeProto *attrs[8];
	size_t k = 0;
	/* IF: a rate of 1 needs lambda_in of input and stands for lambda; a
	 * readout (an activation at the end) has no scale, only its gain */
	bool readout = l->neuron == NEURON_READOUT;
	attrs[k++] = float_attr("v_th", lif ? l->v_th : readout ? 1.0f : l->lambda_in);
	attrs[k++] = float_attr("amplitude", lif ? l->amplitude : readout ? l->gain : l->lambda);
	attrs[k++] = string_attr("reset", l->reset == SNN_RESET_ZERO ? "zero" : "subtract");
	if (lif) {
		attrs[k++] = float_attr("tau_rc", l->tau_rc);
		attrs[k++] = float_attr("tau_ref", l->tau_ref);
		attrs[k++] = float_attr("dt", l->dt);
	}
	for (size_t i = 0; i < k; i++)
		if (!attrs[i])
			return SNN_ERR_NOMEM;
	for (size_t i = 0; i < n->n_attribute; i++)
		onnx__attribute_proto__free_unpacked(n->attribute[i], NULL);
	free(n->attribute);
	n->attribute = malloc(k * sizeof *n->attribute);
	if (!n->attribute)
		return SNN_ERR_NOMEM;
	memcpy(n->attribute, attrs, k * sizeof *attrs);
	n->n_attribute = k;
	free(n->op_type);
	free(n->domain);
	n->op_type = dup_str(lif ? "LIF" : "IF");
	n->domain = dup_str(SNN_DOMAIN);
	for (size_t i = 1; i < n->n_input; i++)	/* Clip's min and max go */
		free(n->input[i]);
	n->n_input = n->n_input ? 1 : 0;
	return n->op_type && n->domain ? 0 : SNN_ERR_NOMEM;
}

static int import_snn_domain(Onnx__ModelProto *m)
{
	for (size_t i = 0; i < m->n_opset_import; i++)
		if (m->opset_import[i]->domain && !strcmp(m->opset_import[i]->domain, SNN_DOMAIN))
			return 0;
	Onnx__OperatorSetIdProto **p = realloc(m->opset_import, (m->n_opset_import + 1) * sizeof *p);
	if (!p)
		return SNN_ERR_NOMEM;
	m->opset_import = p;
	Onnx__OperatorSetIdProto *o = malloc(sizeof *o);
	if (!o)
		return SNN_ERR_NOMEM;
	onnx__operator_set_id_proto__init(o);
	o->domain = dup_str(SNN_DOMAIN);
	o->has_version = 1;
	o->version = SNN_DOMAIN_VERSION;
	m->opset_import[m->n_opset_import++] = o;
	return 0;
}

int snnc_write_onnx_snn(const ir_graph *g, const snn_net *net, const char *path, snn_diag *diag)
{
	Onnx__ModelProto *m = g->model;
	if (!m || !m->graph)
		return snn_fail(diag, SNN_ERR_STATE, "%s: no parsed model to convert", g->path);
	for (int l = 0; l < net->n_layers; l++) {
		const snn_layer *ly = &net->layers[l];
		if (ly->act_tensor < 0)
			continue;
		const char *name = g->tensors[ly->act_tensor].name;
		for (size_t i = 0; i < m->graph->n_node; i++) {
			Onnx__NodeProto *n = m->graph->node[i];
			if (n->n_output >= 1 && !strcmp(n->output[0], name) && rewrite_node(n, ly))
				return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		}
	}
	if (import_snn_domain(m))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	size_t len = onnx__model_proto__get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	onnx__model_proto__pack(m, buf);
	int rc = snn_output_write(path, buf, len, diag);
	free(buf);
	return rc;
}
