/* scikit-learn's linear models as one layer (compiler/linear_ml.c): models
 * built here with skl2onnx's node shapes, whose outputs and layer weights
 * are computed by hand, and the refusals of the other classic-ML kinds
 * (docs/snnc.md, "CLASSIC MACHINE LEARNING"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "net.h"
#include "onnx_build.h"

static char dir[] = "/tmp/snn_linear_ml.XXXXXX", path[128];

static int load(mb *b, ir_graph *g, snn_diag *d)
{
	int rc = mb_write(b, path);
	mb_free(b);
	memset(d, 0, sizeof *d);
	if (rc)
		return rc;
	rc = ir_load(path, g, d);
	return rc ? rc : ir_resolve(g, false, d);
}

static int tensor_named(const ir_graph *g, const char *name)
{
	for (int t = 0; t < g->n_tensors; t++)
		if (!strcmp(g->tensors[t].name, name))
			return t;
	return -1;
}

/* The graph's one output must be out, and running x through it give want. */
static void check_output(ir_graph *g, const char *out, const float *x, const float *want, int n)
{
	int t = tensor_named(g, out);
	if (!th_expect(g->n_outputs == 1 && t >= 0 && g->outputs[0] == t, "the one graph output is %s (%d outputs)",
		       out, g->n_outputs))
		return;
	ir_values v;
	if (!th_expect(ir_values_init(g, &v) == 0, "ir_values_init"))
		return;
	ir_run(g, &v, x);
	for (int i = 0; i < n; i++)
		th_expect(fabsf(v.v[t][i] - want[i]) < 1e-6f, "%s[%d] = %g, want %g", out, i, v.v[t][i], want[i]);
	ir_values_free(&v);
}

/* Lowered, the model is one dense readout layer of the given weights
 * (w[input * outputs + output]) and biases. */
static void check_layer(const ir_graph *g, const float *w, const float *b, int in, int out)
{
	snnc_options opt = {.target = snn_profile_default(), .weight_bits = 8, .steps = 32, .percentile = 99.99f,
			    .v_init = 0.5f, .readout = SNN_READOUT_MEMBRANE, .input_scale = 1.0f / 255.0f,
			    .verbose = -1};
	snn_net net;
	snn_diag d;
	if (!th_expect(snn_lower(g, &opt, &net, &d) == 0, "lower: %s", d.msg))
		return;
	const snn_layer *l = &net.layers[0];
	if (th_expect(net.n_layers == 1 && l->kind == LAYER_DENSE && l->neuron == NEURON_READOUT &&
			      snn_layer_inputs(l) == in && l->out_c == out,
		      "one dense readout layer %d -> %d: %d layers, %lld -> %d", in, out, net.n_layers,
		      (long long)snn_layer_inputs(l), l->out_c)) {
		for (int i = 0; i < in * out; i++)
			th_expect(l->w[i] == w[i], "weight %d: %g, want %g", i, l->w[i], w[i]);
		for (int o = 0; o < out; o++)
			th_expect(l->b[o] == b[o], "bias %d: %g, want %g", o, l->b[o], b[o]);
	}
	snn_net_free(&net);
}

static const int64_t D1x3[] = {MB_DYN, 3}, D1x2[] = {MB_DYN, 2};

/* skl2onnx's LinearRegression with two targets: y = X coefᵀ + intercepts. */
static mb regressor(const char *post, size_t n_coef)
{
	static const float coef[] = {1, 2, 3, -1, 0.5f, 0, 7};
	static const float icpt[] = {0.5f, -2};
	mb b = mb_new(22);
	mb_import(&b, "ai.onnx.ml", 1);
	mb_input(&b, "X", 2, D1x3);
	mb_output(&b, "variable");
	Onnx__NodeProto *n = mb_node_in(&b, "ai.onnx.ml", "LinearRegressor", "X", "variable");
	mb_attr_floats(n, "coefficients", n_coef, coef);
	mb_attr_floats(n, "intercepts", 2, icpt);
	mb_attr_i(n, "targets", 2);
	if (post)
		mb_attr_s(n, "post_transform", post);
	return b;
}

/* skl2onnx's binary LogisticRegression, but with the one row of
 * coefficients ONNX-ML allows for two classes, and its formatting: the
 * label's Cast, the probabilities' ZipMap (then Relu: a layer after it). */
static mb classifier(bool relu_after)
{
	static const float coef[] = {0.5f, -1};
	static const float icpt[] = {0.25f};
	static const int64_t labels[] = {0, 1};
	mb b = mb_new(9);
	mb_import(&b, "ai.onnx.ml", 1);
	mb_input(&b, "X", 2, D1x2);
	mb_output(&b, "output_label");
	mb_output(&b, relu_after ? "r" : "output_probability");
	Onnx__NodeProto *n = mb_node_in(&b, "ai.onnx.ml", "LinearClassifier", "X", "label,probabilities");
	mb_attr_ints(n, "classlabels_ints", 2, labels);
	mb_attr_floats(n, "coefficients", 2, coef);
	mb_attr_floats(n, "intercepts", 1, icpt);
	mb_attr_s(n, "post_transform", "LOGISTIC");
	mb_attr_i(mb_node(&b, "Cast", "label", "output_label"), "to", 7);
	if (relu_after)
		mb_node(&b, "Relu", "probabilities", "r");
	else
		mb_attr_ints(mb_node_in(&b, "ai.onnx.ml", "ZipMap", "probabilities", "output_probability"),
			     "classlabels_int64s", 2, labels);
	return b;
}

/* A single ai.onnx.ml node of op_type on X [N, 3]. */
static mb other_ml(const char *op_type)
{
	mb b = mb_new(13);
	mb_import(&b, "ai.onnx.ml", 3);
	mb_input(&b, "X", 2, D1x3);
	mb_output(&b, "y");
	mb_node_in(&b, "ai.onnx.ml", op_type, "X", "y");
	return b;
}

static void expect_refused(mb b, const char *needle1, const char *needle2)
{
	ir_graph g;
	snn_diag d;
	int rc = load(&b, &g, &d);
	th_expect(rc < 0 && !strncmp(d.msg, path, strlen(path)) && strstr(d.msg, needle1) &&
			  (!needle2 || strstr(d.msg, needle2)),
		  "refused naming the file, '%s' and '%s': rc %d: %s", needle1, needle2 ? needle2 : "", rc, d.msg);
	ir_free(&g);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	ir_graph g;
	snn_diag d;

	th_case("regressor");
	{
		mb b = regressor(NULL, 6);
		if (th_expect(load(&b, &g, &d) == 0, "resolve: %s", d.msg)) {
			/* (1, 2, 3): 1 + 4 + 9 + 0.5 and -1 + 1 + 0 - 2 */
			const float x[] = {1, 2, 3}, want[] = {14.5f, -2};
			check_output(&g, "variable", x, want, 2);
			const float w[] = {1, -1, 2, 0.5f, 3, 0}, bias[] = {0.5f, -2};
			check_layer(&g, w, bias, 3, 2);
			th_expect(g.linear_ml && !g.has_ml_ops, "marked a linear classic-ML model");
		}
		ir_free(&g);
	}

	th_case("classifier_one_row");
	{
		mb b = classifier(false);
		if (th_expect(load(&b, &g, &d) == 0, "resolve: %s", d.msg)) {
			/* score 0.5 * 2 - 1 * 1 + 0.25 = 0.25: rows -w and w give
			 * (-0.25, 0.25); the Cast and the ZipMap are gone */
			const float x[] = {2, 1}, want[] = {-0.25f, 0.25f};
			check_output(&g, "probabilities", x, want, 2);
			const float w[] = {-0.5f, 0.5f, 1, -1}, bias[] = {-0.25f, 0.25f};
			check_layer(&g, w, bias, 2, 2);
			bool left = false;
			for (int k = 0; k < g.n_nodes; k++)
				left |= strcmp(g.nodes[k].op_type, "Gemm") != 0;
			th_expect(g.n_nodes == 1 && !left, "one Gemm node left, %d nodes", g.n_nodes);
		}
		ir_free(&g);
	}

	th_case("regressor_post_transform_bad");
	expect_refused(regressor("PROBIT", 6), "node LinearRegressor_0 (LinearRegressor)",
		       "post_transform PROBIT is not linear");
	th_case("regressor_coefficients_bad");
	expect_refused(regressor(NULL, 7), "node LinearRegressor_0 (LinearRegressor)",
		       "7 coefficients are not a whole number per output (2 outputs)");
	th_case("classifier_read_by_a_layer_bad");
	expect_refused(classifier(true), "node Relu_2 (Relu)", "only output formatting");
	th_case("tree_bad");
	expect_refused(other_ml("TreeEnsembleRegressor"), "node TreeEnsembleRegressor_0 (TreeEnsembleRegressor)",
		       "a tree ensemble");
	th_case("kernel_bad");
	expect_refused(other_ml("SVMClassifier"), "node SVMClassifier_0 (SVMClassifier)",
		       "a kernel machine (support vector machine)");
	th_case("other_ml_bad");
	expect_refused(other_ml("Scaler"), "node Scaler_0 (Scaler)", "classic machine-learning operator");

	th_case("list_ops");
	{
		char cmd[600], line[1024];
		const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
		snprintf(cmd, sizeof cmd, "%s/snnc --list-ops", build);
		FILE *p = popen(cmd, "r");
		int found = 0;
		while (p && fgets(line, sizeof line, p))
			found += (!strncmp(line, "LinearRegressor ", 16) || !strncmp(line, "LinearClassifier ", 17)) &&
				 strstr(line, "ai.onnx.ml");
		th_expect(p && pclose(p) == 0 && found == 2, "snnc --list-ops lists both linear models: %d", found);
	}

	unlink(path);
	rmdir(dir);
	return th_done("test_linear_ml");
}
