/* The float executor: runs the resolved graph on one input (NCHW, batch 1),
 * the reference the spiking network is measured against. */
#include <stdlib.h>
#include <string.h>
#include "ir.h"

/* A tensor computed at run time: float, shaped, no constant data. */
static bool computed(const ir_tensor *t)
{
	return t->dtype == IR_FLOAT && t->rank >= 0 && !t->f && !t->i;
}

int ir_values_init(const ir_graph *g, ir_values *vals)
{
	memset(vals, 0, sizeof *vals);
	size_t total = 0;
	for (int t = 0; t < g->n_tensors; t++)
		if (computed(&g->tensors[t]))
			total += (size_t)ir_numel(&g->tensors[t]);
	vals->v = calloc((size_t)g->n_tensors + 1, sizeof *vals->v);
	vals->arena = calloc(total + 1, sizeof *vals->arena);
	if (!vals->v || !vals->arena) {
		ir_values_free(vals);
		return SNN_ERR_NOMEM;
	}
	vals->n = g->n_tensors;
	size_t off = 0;
	for (int t = 0; t < g->n_tensors; t++) {
		const ir_tensor *ts = &g->tensors[t];
		if (computed(ts)) {
			vals->v[t] = vals->arena + off;
			off += (size_t)ir_numel(ts);
		} else {
			vals->v[t] = ts->f;	/* constants alias; int64 tensors stay NULL */
		}
	}
	return 0;
}

void ir_values_free(ir_values *vals)
{
	free(vals->v);
	free(vals->arena);
	memset(vals, 0, sizeof *vals);
}

void ir_run(const ir_graph *g, ir_values *vals, const float *input)
{
	memcpy(vals->v[g->input], input, (size_t)ir_numel(&g->tensors[g->input]) * sizeof *input);
	for (int k = 0; k < g->n_nodes; k++) {
		const ir_node *n = &g->nodes[k];
		if (!n->dead && n->op && n->op->eval)
			n->op->eval(g, n, vals);
	}
}
