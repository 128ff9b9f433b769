/* Resolution: bind every node to its operator, sort the graph, check each
 * node, infer shapes for a batch of one and fold what is constant (the
 * Shape/Gather/Concat chains exporters write for a dynamic batch size). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/ops.h"

const char *ir_node_refusal(const ir_node *n, bool approximate, char *buf, size_t bufsz)
{
	if (ir_op_find(n->domain, n->op_type))
		return NULL;
	const op_refusal *r = op_refusal_find(n->domain, n->op_type);
	if (r && r->approx && approximate)
		return NULL;
	if (r && r->approx)
		snprintf(buf, bufsz, "%s; or compile with --approximate to run it as %s", r->why, r->approx_as);
	else if (r)
		snprintf(buf, bufsz, "%s", r->why);
	else if (!strcmp(n->domain, "ai.onnx.ml"))
		snprintf(buf, bufsz, "a classic machine-learning operator (ai.onnx.ml), not a neural-network layer; "
				     "it has no spiking equivalent");
	else if (*n->domain)
		snprintf(buf, bufsz, "operators of domain %s are not supported", n->domain);
	else
		snprintf(buf, bufsz, "not an operator snnc knows a spiking equivalent of: the core array "
				     "computes weighted sums (Conv, ConvTranspose, Gemm, MatMul), their sums and "
				     "concatenations (Add, Concat), average pooling, nearest upsampling and IF/LIF "
				     "neurons (Relu, snn.IF, snn.LIF); snnc --list-ops lists every operator it takes");
	return buf;
}

static int bind(ir_graph *g, bool approximate, snn_diag *diag)
{
	char why[400];
	/* A classic ML model is refused as such, whatever default-domain node
	 * (a Cast, an ArgMax) comes before its first ai.onnx.ml one. */
	for (int k = 0; g->has_ml_ops && k < g->n_nodes; k++)
		if (!strcmp(g->nodes[k].domain, "ai.onnx.ml") &&
		    ir_node_refusal(&g->nodes[k], approximate, why, sizeof why))
			return op_fail(g, &g->nodes[k], diag, SNN_ERR_UNSUPPORTED, "%s", why);
	for (int k = 0; k < g->n_nodes; k++) {
		ir_node *n = &g->nodes[k];
		if ((n->op = ir_op_find(n->domain, n->op_type)))
			continue;
		if (ir_node_refusal(n, approximate, why, sizeof why))
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "%s", why);
		const op_refusal *r = op_refusal_find(n->domain, n->op_type);
		n->op = r->approx;
		fprintf(stderr, "snnc: warning: node %s (%s) runs as %s (--approximate); "
				"expect some loss of accuracy\n", n->name, n->op_type, r->approx_as);
	}
	return 0;
}

/* Kahn's algorithm; a graph already in order (as ONNX requires) is kept. */
static int sort(ir_graph *g, snn_diag *diag)
{
	int nn = g->n_nodes, rc = 0;
	bool sorted = true;
	for (int k = 0; k < nn && sorted; k++)
		for (int i = 0; i < g->nodes[k].n_in; i++) {
			int t = g->nodes[k].in[i];
			if (t >= 0 && g->tensors[t].producer >= k)
				sorted = false;
		}
	if (sorted)
		return 0;
	size_t n_edges = 0, nt = (size_t)g->n_tensors + 1;
	for (int k = 0; k < nn; k++)
		n_edges += (size_t)g->nodes[k].n_in;
	int *pending = calloc((size_t)nn, sizeof *pending), *order = malloc((size_t)nn * sizeof *order);
	int *first = calloc(nt, sizeof *first), *fill = calloc(nt, sizeof *fill);
	int *users = malloc((n_edges ? n_edges : 1) * sizeof *users);
	ir_node *nodes = malloc((size_t)nn * sizeof *nodes);
	if (!pending || !order || !first || !fill || !users || !nodes) {
		rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* users[first[t] .. first[t+1]) are the nodes that read tensor t. */
	for (int k = 0; k < nn; k++)
		for (int i = 0; i < g->nodes[k].n_in; i++)
			if (g->nodes[k].in[i] >= 0)
				first[g->nodes[k].in[i] + 1]++;
	for (int t = 0; t < g->n_tensors; t++)
		first[t + 1] += first[t];
	for (int k = 0; k < nn; k++)
		for (int i = 0; i < g->nodes[k].n_in; i++) {
			int t = g->nodes[k].in[i];
			if (t < 0)
				continue;
			users[first[t] + fill[t]++] = k;
			if (g->tensors[t].producer >= 0)
				pending[k]++;
		}
	int head = 0, tail = 0;
	for (int k = 0; k < nn; k++)
		if (!pending[k])
			order[tail++] = k;
	while (head < tail) {
		const ir_node *n = &g->nodes[order[head++]];
		for (int o = 0; o < n->n_out; o++) {
			int t = n->out[o];
			for (int u = t >= 0 ? first[t] : 0; t >= 0 && u < first[t + 1]; u++)
				if (--pending[users[u]] == 0)
					order[tail++] = users[u];
		}
	}
	if (tail < nn) {
		int k = 0;
		while (!pending[k])
			k++;
		rc = op_fail(g, &g->nodes[k], diag, SNN_ERR_FORMAT, "is part of a cycle, or fed by one");
		goto out;
	}
	for (int k = 0; k < nn; k++)
		nodes[k] = g->nodes[order[k]];
	memcpy(g->nodes, nodes, (size_t)nn * sizeof *nodes);
	for (int k = 0; k < nn; k++)
		for (int o = 0; o < g->nodes[k].n_out; o++)
			if (g->nodes[k].out[o] >= 0)
				g->tensors[g->nodes[k].out[o]].producer = k;
out:
	free(pending);
	free(order);
	free(first);
	free(fill);
	free(users);
	free(nodes);
	return rc;
}

/* Evaluate a node whose inputs are all constant, once, at compile time. */
static int fold(ir_graph *g, ir_node *n, snn_diag *diag)
{
	ir_values tmp = {.v = calloc((size_t)g->n_tensors, sizeof *tmp.v), .n = g->n_tensors};
	if (!tmp.v)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	for (int k = 0; k < n->n_in; k++)
		if (n->in[k] >= 0)
			tmp.v[n->in[k]] = g->tensors[n->in[k]].f;
	int rc = 0;
	for (int k = 0; k < n->n_out && !rc; k++)
		if (n->out[k] >= 0) {
			int64_t numel = ir_numel(&g->tensors[n->out[k]]);
			if (!(tmp.v[n->out[k]] = calloc((size_t)(numel ? numel : 1), sizeof(float))))
				rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		}
	if (!rc)
		n->op->eval(g, n, &tmp);
	for (int k = 0; k < n->n_out; k++)
		if (n->out[k] >= 0) {
			if (rc)
				free(tmp.v[n->out[k]]);
			else
				g->tensors[n->out[k]].f = tmp.v[n->out[k]];
		}
	free(tmp.v);
	n->dead = !rc;
	return rc;
}

static int resolve_node(ir_graph *g, ir_node *n, snn_diag *diag)
{
	for (int k = 0; k < n->n_in; k++) {
		const ir_tensor *t = op_in(g, n, k);
		if (t && t->rank < 0)
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "input %s has no known shape", t->name);
	}
	int rc = n->op->check(g, n, diag);
	if (!rc)
		rc = n->op->resolve(g, n, diag);
	if (rc)
		return rc;
	bool all_data = true, all_float = true;
	for (int k = 0; k < n->n_out; k++) {
		const ir_tensor *t = n->out[k] >= 0 ? &g->tensors[n->out[k]] : NULL;
		if (!t)
			continue;
		all_data &= op_is_const(t);
		all_float &= t->dtype == IR_FLOAT;
		if (t->dtype == IR_INT64 && !op_is_const(t) && t->rank >= 0)
			return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED,
				       "computes integer data from the network's input values: a spiking network "
				       "carries only firing rates, and snnc folds integer (shape) arithmetic only "
				       "when it depends on shapes; use Flatten or a Reshape to a constant shape");
	}
	if (all_data)
		n->dead = true;
	else if (all_float && n->op->eval && op_all_const(g, n))
		return fold(g, n, diag);
	return 0;
}

/* Nodes whose outputs nothing live reads and that are not graph outputs. */
static int prune(ir_graph *g, snn_diag *diag)
{
	bool *needed = calloc((size_t)g->n_tensors + 1, sizeof *needed);
	if (!needed)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	for (int k = 0; k < g->n_outputs; k++)
		needed[g->outputs[k]] = true;
	for (int k = g->n_nodes - 1; k >= 0; k--) {
		ir_node *n = &g->nodes[k];
		bool live = false;
		for (int o = 0; o < n->n_out; o++)
			live |= n->out[o] >= 0 && needed[n->out[o]];
		if (!live)
			n->dead = true;
		if (n->dead)
			continue;
		for (int i = 0; i < n->n_in; i++)
			if (n->in[i] >= 0)
				needed[n->in[i]] = true;
	}
	free(needed);
	return 0;
}

int ir_resolve(ir_graph *g, bool approximate, snn_diag *diag)
{
	int rc = ir_rewrite_linear_ml(g, diag);
	if (!rc)
		rc = bind(g, approximate, diag);
	if (!rc)
		rc = sort(g, diag);
	for (int k = 0; k < g->n_nodes && !rc; k++)
		rc = resolve_node(g, &g->nodes[k], diag);
	if (!rc)
		rc = prune(g, diag);
	for (int k = 0; k < g->n_outputs && !rc; k++) {
		const ir_tensor *t = &g->tensors[g->outputs[k]];
		if (t->rank < 0 || t->dtype != IR_FLOAT)
			rc = snn_fail(diag, SNN_ERR_UNSUPPORTED,
				      "%s: graph output %s is %s; outputs must be float tensors", g->path, t->name,
				      t->rank < 0 ? "never computed" : "an integer tensor");
	}
	return rc;
}
