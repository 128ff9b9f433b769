/* scikit-learn's linear models (skl2onnx: ai.onnx.ml LinearRegressor and
 * LinearClassifier) are one Gemm: rewrite them as such before resolution,
 * so that the rest of the compiler sees a single-layer network. The
 * classifier's output formatting (label Cast, ZipMap, Normalizer, ...) is
 * dropped: the readout's argmax of the scores is the label (docs/snnc.md,
 * "Classic machine learning"). Tree and kernel models stay refused by
 * resolve (ops/table.c names their kind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/ops.h"

static bool is_ml(const ir_node *n)
{
	return !strcmp(n->domain, "ai.onnx.ml");
}

static bool is_linear_model(const ir_node *n)
{
	return is_ml(n) && (!strcmp(n->op_type, "LinearRegressor") || !strcmp(n->op_type, "LinearClassifier"));
}

/* What may follow a classifier's outputs: only formatting, which the argmax
 * readout makes moot (the scores' order is the classes'). */
static bool is_formatting(const ir_node *n)
{
	static const char *const ml[] = {"ZipMap", "Normalizer", "ArrayFeatureExtractor"};
	static const char *const onnx[] = {"Cast", "Identity"};
	for (size_t i = 0; i < sizeof ml / sizeof ml[0]; i++)
		if (is_ml(n) && !strcmp(n->op_type, ml[i]))
			return true;
	for (size_t i = 0; i < sizeof onnx / sizeof onnx[0]; i++)
		if (!*n->domain && !strcmp(n->op_type, onnx[i]))
			return true;
	return false;
}

bool ir_is_linear_ml(const ir_graph *g)
{
	bool any = false;
	for (int k = 0; k < g->n_nodes; k++) {
		const ir_node *n = &g->nodes[k];
		if (is_linear_model(n))
			any = true;
		else if (is_ml(n) && !is_formatting(n))
			return false;
	}
	return any;
}

static int fail(const ir_graph *g, const ir_node *n, snn_diag *diag, const char *why)
{
	return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "%s", why);
}

/* A constant tensor of rank 1 or 2 holding a copy of v; its index or -1. */
static int add_const(ir_graph *g, const char *node, const char *what, const float *v, int64_t d0, int64_t d1)
{
	char name[300];
	snprintf(name, sizeof name, "%s.%s", node, what);
	int t = ir_add_tensor(g, name, IR_FLOAT);
	if (t < 0)
		return -1;
	ir_tensor *ts = &g->tensors[t];
	int64_t n = d0 * (d1 ? d1 : 1);
	ts->rank = d1 ? 2 : 1;
	ts->dims[0] = d0;
	ts->dims[1] = d1;
	ts->f = malloc((size_t)(n ? n : 1) * sizeof *ts->f);
	if (!ts->f)
		return -1;
	memcpy(ts->f, v, (size_t)n * sizeof *v);
	return t;
}

/* Turn n into Gemm(X, W, B) with transB = 1 writing out. */
static int become_gemm(ir_graph *g, ir_node *n, const float *w, const float *b, int64_t rows, int64_t cols,
		       int out, snn_diag *diag)
{
	int wt = add_const(g, n->name, "coefficients", w, rows, cols);
	int bt = wt < 0 ? -1 : add_const(g, n->name, "intercepts", b, rows, 0);
	int *in = bt < 0 ? NULL : realloc(n->in, 3 * sizeof *in);
	ir_attr *attr = in ? calloc(1, sizeof *attr) : NULL;
	char *name = attr ? strdup("transB") : NULL, *op = name ? strdup("Gemm") : NULL;
	char *domain = op ? strdup("") : NULL;
	if (!domain) {
		if (in)
			n->in = in;
		free(attr);
		free(name);
		free(op);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	n->in = in;
	n->in[1] = wt;
	n->in[2] = bt;
	n->n_in = 3;
	n->out[0] = out;
	n->n_out = 1;
	ir_node_free_attrs(n);
	*attr = (ir_attr){.name = name, .type = IR_ATTR_INT, .i = 1, .tensor = -1};
	n->attrs = attr;
	n->n_attrs = 1;
	free(n->op_type);
	free(n->domain);
	n->op_type = op;
	n->domain = domain;
	return 0;
}

/* The coefficients as rows x cols, rows from the intercepts (or the
 * classes); w and b are malloc'd (b zeros when the model has none). */
static int weights(const ir_graph *g, const ir_node *n, int64_t rows, float **w, float **b, int64_t *cols,
		   snn_diag *diag)
{
	const ir_attr *c = ir_attr_find(n, "coefficients"), *i = ir_attr_find(n, "intercepts");
	*w = *b = NULL;
	if (!c || c->type != IR_ATTR_FLOATS || !c->n)
		return fail(g, n, diag, "has no coefficients (a list of floats)");
	if (i && (i->type != IR_ATTR_FLOATS || (int64_t)i->n != rows))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "has %zu intercepts for %lld outputs", i->n, (long long)rows);
	if (rows < 1 || c->n % (size_t)rows)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "its %zu coefficients are not a whole number per output "
			       "(%lld outputs)", c->n, (long long)rows);
	*cols = (int64_t)c->n / rows;
	*w = malloc(c->n * sizeof **w);
	*b = calloc((size_t)rows, sizeof **b);
	if (!*w || !*b) {
		free(*w);
		free(*b);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	memcpy(*w, c->floats, c->n * sizeof **w);
	if (i)
		memcpy(*b, i->floats, (size_t)rows * sizeof **b);
	return 0;
}

static int rewrite_regressor(ir_graph *g, ir_node *n, snn_diag *diag)
{
	const char *post = ir_attr_string(n, "post_transform", "NONE");
	if (strcmp(post, "NONE"))
		return op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "post_transform %s is not linear; only NONE compiles",
			       post);
	int64_t rows = ir_attr_int(n, "targets", 1), cols;
	float *w, *b;
	int rc = weights(g, n, rows, &w, &b, &cols, diag);
	if (!rc)
		rc = become_gemm(g, n, w, b, rows, cols, n->out[0], diag);
	free(w);
	free(b);
	return rc;
}

/* The classifier's scores become its one output (a new tensor if the model
 * omitted it); *label is the label output it no longer writes. One row for
 * two classes (a binary model's single score) becomes the rows -w and w, so
 * that class 1 wins when the score is positive, as ONNX-ML defines it. */
static int rewrite_classifier(ir_graph *g, ir_node *n, int *label, snn_diag *diag)
{
	const ir_attr *li = ir_attr_find(n, "classlabels_ints"), *ls = ir_attr_find(n, "classlabels_strings");
	int64_t classes = li ? (int64_t)li->n : ls ? (int64_t)ls->n : 0;
	const ir_attr *ic = ir_attr_find(n, "intercepts");
	int64_t rows = ic ? (int64_t)ic->n : classes, cols;
	if (classes < 2)
		return fail(g, n, diag, "has fewer than two class labels");
	if (rows != classes && !(rows == 1 && classes == 2))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "has %lld rows of coefficients for %lld classes",
			       (long long)rows, (long long)classes);
	float *w, *b;
	int rc = weights(g, n, rows, &w, &b, &cols, diag);
	if (rc)
		return rc;
	if (rows == 1) {
		float *w2 = malloc(2 * (size_t)cols * sizeof *w2), *b2 = malloc(2 * sizeof *b2);
		if (!w2 || !b2) {
			free(w);
			free(b);
			free(w2);
			free(b2);
			return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		}
		for (int64_t k = 0; k < cols; k++) {
			w2[k] = -w[k];
			w2[cols + k] = w[k];
		}
		b2[0] = -b[0];
		b2[1] = b[0];
		free(w);
		free(b);
		w = w2;
		b = b2;
		rows = 2;
	}
	*label = n->out[0];
	int scores = n->n_out > 1 ? n->out[1] : -1;
	if (scores < 0) {
		char name[300];
		snprintf(name, sizeof name, "%s.scores", n->name);
		scores = ir_add_tensor(g, name, IR_FLOAT);
	}
	rc = scores < 0 ? snn_fail(diag, SNN_ERR_NOMEM, "out of memory")
			: become_gemm(g, n, w, b, rows, cols, scores, diag);
	free(w);
	free(b);
	return rc;
}

/* Remove the formatting nodes behind a classifier: every node that reads a
 * dropped tensor (its label, or the output of a removed node); the scores
 * replace the outputs they fed. */
static int drop_formatting(ir_graph *g, bool *gone, int scores, snn_diag *diag)
{
	bool *fed_by_scores = calloc((size_t)g->n_tensors + 1, sizeof *fed_by_scores);
	if (!fed_by_scores)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	fed_by_scores[scores] = true;
	int kept = 0, rc = 0;
	for (int k = 0; k < g->n_nodes; k++) {
		ir_node *n = &g->nodes[k];
		bool reads_gone = false, reads_scores = false;
		for (int i = 0; i < n->n_in; i++)
			if (n->in[i] >= 0) {
				reads_gone |= gone[n->in[i]];
				reads_scores |= fed_by_scores[n->in[i]];
			}
		if ((reads_gone || reads_scores) && !rc && !is_formatting(n))
			rc = op_fail(g, n, diag, SNN_ERR_UNSUPPORTED, "reads a linear classifier's output; only output "
				     "formatting (Cast, ZipMap, Normalizer, ArrayFeatureExtractor) may follow one");
		if (reads_gone || reads_scores) {
			for (int o = 0; o < n->n_out; o++)
				if (n->out[o] >= 0) {
					gone[n->out[o]] = reads_gone && !reads_scores;
					fed_by_scores[n->out[o]] = reads_scores;
				}
			ir_node_free(n);
			continue;
		}
		g->nodes[kept++] = *n;
	}
	g->n_nodes = kept;
	/* outputs: scores once, in place of what they fed; labels go */
	int n_out = 0;
	bool have_scores = false;
	for (int k = 0; k < g->n_outputs; k++) {
		int t = g->outputs[k];
		if (fed_by_scores[t] && !have_scores) {
			g->outputs[n_out++] = scores;
			have_scores = true;
		} else if (!gone[t] && !fed_by_scores[t]) {
			g->outputs[n_out++] = t;
		}
	}
	if (!have_scores)	/* the model's outputs were labels only */
		g->outputs[n_out++] = scores;
	g->n_outputs = n_out;
	free(fed_by_scores);
	return rc;
}

int ir_rewrite_linear_ml(ir_graph *g, snn_diag *diag)
{
	if (!g->has_ml_ops || !ir_is_linear_ml(g))
		return 0;	/* other classic ML: resolve refuses it, naming its kind */
	bool *gone = calloc((size_t)g->n_tensors + 1, sizeof *gone);
	if (!gone)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	int rc = 0;
	for (int k = 0; k < g->n_nodes && !rc; k++) {
		ir_node *n = &g->nodes[k];
		if (!is_linear_model(n))
			continue;
		if (!strcmp(n->op_type, "LinearRegressor")) {
			rc = rewrite_regressor(g, n, diag);
			continue;
		}
		int label = -1, n_before = g->n_tensors;
		rc = rewrite_classifier(g, n, &label, diag);
		bool *grown = rc ? NULL : realloc(gone, ((size_t)g->n_tensors + 1) * sizeof *gone);
		if (!rc && !grown)
			rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		if (rc)
			break;
		gone = grown;
		memset(gone + n_before, 0, (size_t)(g->n_tensors - n_before + 1) * sizeof *gone);
		if (label >= 0) {
			gone[label] = true;
			g->tensors[label].producer = -1;
		}
		rc = drop_formatting(g, gone, n->out[0], diag);
		k = -1;	/* nodes moved: look again from the start */
	}
	free(gone);
	if (!rc) {	/* a neural network from here on */
		g->has_ml_ops = false;
		g->linear_ml = true;
	}
	/* node indices moved: the producers follow them */
	for (int t = 0; t < g->n_tensors && !rc; t++)
		g->tensors[t].producer = -1;
	for (int k = 0; k < g->n_nodes && !rc; k++)
		for (int o = 0; o < g->nodes[k].n_out; o++)
			if (g->nodes[k].out[o] >= 0)
				g->tensors[g->nodes[k].out[o]].producer = k;
	return rc;
}
