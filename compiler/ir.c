/* The IR's graph helpers: freeing, attribute look-up, tensors, shapes. */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx.pb-c.h"

void ir_node_free_attrs(ir_node *n)
{
	for (int a = 0; a < n->n_attrs; a++) {
		free(n->attrs[a].name);
		free(n->attrs[a].s);
		free(n->attrs[a].floats);
		free(n->attrs[a].ints);
	}
	free(n->attrs);
	n->attrs = NULL;
	n->n_attrs = 0;
}

void ir_node_free(ir_node *n)
{
	free(n->name);
	free(n->op_type);
	free(n->domain);
	free(n->in);
	free(n->out);
	ir_node_free_attrs(n);
}

void ir_free(ir_graph *g)
{
	for (int t = 0; t < g->n_tensors; t++) {
		free(g->tensors[t].name);
		free(g->tensors[t].f);
		free(g->tensors[t].i);
	}
	for (int k = 0; k < g->n_nodes; k++)
		ir_node_free(&g->nodes[k]);
	free(g->tensors);
	free(g->nodes);
	free(g->outputs);
	free(g->path);
	free(g->producer);
	if (g->model)
		onnx__model_proto__free_unpacked(g->model, NULL);
	memset(g, 0, sizeof *g);
	g->input = -1;
}

int64_t ir_numel(const ir_tensor *t)
{
	if (t->rank < 0)
		return 0;
	int64_t n = 1;
	for (int k = 0; k < t->rank; k++)
		n *= t->dims[k];
	return n;
}

const ir_attr *ir_attr_find(const ir_node *n, const char *name)
{
	for (int a = 0; a < n->n_attrs; a++)
		if (!strcmp(n->attrs[a].name, name))
			return &n->attrs[a];
	return NULL;
}

/* The typed readers fall back to the default on a type mismatch too; each
 * operator's check() has already refused mistyped attributes. */
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt)
{
	const ir_attr *a = ir_attr_find(n, name);
	return a && a->type == IR_ATTR_INT ? a->i : dflt;
}

float ir_attr_float(const ir_node *n, const char *name, float dflt)
{
	const ir_attr *a = ir_attr_find(n, name);
	return a && a->type == IR_ATTR_FLOAT ? a->f : dflt;
}

const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt)
{
	const ir_attr *a = ir_attr_find(n, name);
	return a && a->type == IR_ATTR_STRING ? a->s : dflt;
}

int ir_add_tensor(ir_graph *g, const char *name, ir_dtype dtype)
{
	if (g->n_tensors == g->cap_tensors) {	/* a 100,000-node graph: no quadratic copying */
		int cap = g->cap_tensors < 16 ? 16 : g->cap_tensors + g->cap_tensors / 2;
		ir_tensor *ts = realloc(g->tensors, (size_t)cap * sizeof *ts);
		if (!ts)
			return -1;
		g->tensors = ts;
		g->cap_tensors = cap;
	}
	ir_tensor *t = &g->tensors[g->n_tensors];
	memset(t, 0, sizeof *t);
	t->name = strdup(name);
	if (!t->name)
		return -1;
	t->dtype = dtype;
	t->rank = -1;
	t->producer = -1;
	return g->n_tensors++;
}

const char *ir_shape_str(const ir_tensor *t, char *buf, size_t bufsz)
{
	if (t->rank < 0) {
		snprintf(buf, bufsz, "[?]");
		return buf;
	}
	size_t len = 0;
	len += (size_t)snprintf(buf, bufsz, "[");
	for (int k = 0; k < t->rank && len < bufsz; k++)
		len += (size_t)snprintf(buf + len, bufsz - len, "%s%lld", k ? ", " : "", (long long)t->dims[k]);
	if (len < bufsz)
		snprintf(buf + len, bufsz - len, "]");
	return buf;
}
