/* The operator table drives lowering (issue 12): every operator in the
 * table, and every stand-in a refusal runs as under --approximate, has a
 * lower function; lowering a graph whose nodes' names were all replaced
 * gives the same layers, number for number (so lower.c dispatches through
 * each node's operator, never its name); and an operator outside the
 * table, with its own lower function, lowers without any change to
 * lower.c. The graphs are every bundled fixture (models/fixtures) and
 * models built here for what the fixtures lack (approximated operators,
 * ONNX-SNN neurons, upsampling, a Concat). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "front_end.h"
#include "ir.h"
#include "lower.h"
#include "net.h"
#include "onnx_build.h"
#include "ops/ops.h"

static char dir[64], path[128];

static void test_every_op_lowers(void)
{
	th_case("every operator in the table has a lower function");
	size_t i = 0;
	for (const ir_op *op; (op = ir_op_at(i)); i++)
		th_expect(op->lower != NULL, "%s (domain \"%s\") has no lower", op->op_type, op->domain);
	th_expect(i > 30, "the table lists %zu operators; expected the 35 or so snnc supports", i);

	th_case("every operator a refusal runs as under --approximate has a lower function");
	size_t approx = 0;
	for (const op_refusal *r; (r = op_refusal_at(approx)); approx++)
		if (r->approx)
			th_expect(r->approx->lower != NULL, "%s runs as %s, which has no lower", r->op_type,
				  r->approx_as);
	th_expect(approx > 10, "only %zu refusals listed", approx);

	th_case("the operators that join paths have a join (Add, Sub, Concat), and no others");
	static const char *const joins[] = {"Add", "Sub", "Concat"};
	for (size_t k = 0; k < sizeof joins / sizeof joins[0]; k++) {
		const ir_op *op = ir_op_find("", joins[k]);
		th_expect(op && op->join, "%s has no join", joins[k]);
	}
	const ir_op *relu = ir_op_find("", "Relu");
	th_expect(relu && !relu->join, "Relu has a join");
}

/* Does a's lowering equal b's, field by field and weight by weight? The
 * first difference is a th_expect failure naming the layer. */
static bool same_layers(const snn_net *a, const snn_net *b, const char *what)
{
	if (!th_expect(a->n_layers == b->n_layers, "%s: %d layers against %d", what, a->n_layers, b->n_layers))
		return false;
	if (!th_expect(a->in_c == b->in_c && a->in_h == b->in_h && a->in_w == b->in_w &&
		       a->input_nhwc == b->input_nhwc, "%s: the input shapes differ", what))
		return false;
	for (int i = 0; i < a->n_layers; i++) {
		const snn_layer *x = &a->layers[i], *y = &b->layers[i];
		bool same = x->kind == y->kind && x->neuron == y->neuron && x->in_c == y->in_c && x->in_h == y->in_h &&
			    x->in_w == y->in_w && x->n_src == y->n_src && x->pool == y->pool && x->out_c == y->out_c &&
			    x->out_h == y->out_h && x->out_w == y->out_w && x->kh == y->kh && x->kw == y->kw &&
			    x->stride == y->stride && x->pad_y == y->pad_y && x->pad_x == y->pad_x &&
			    x->deconv == y->deconv && x->n_w == y->n_w && x->reset == y->reset && x->clip == y->clip &&
			    x->act_tensor == y->act_tensor && x->linear_tensor == y->linear_tensor &&
			    x->negated == y->negated && x->gain == y->gain && x->lambda == y->lambda &&
			    x->lambda_in == y->lambda_in && x->fixed_scale == y->fixed_scale &&
			    x->tau_rc == y->tau_rc && x->dt == y->dt && !strcmp(x->name, y->name);
		for (int k = 0; same && k < x->n_src; k++)
			same = x->src[k].layer == y->src[k].layer && x->src[k].c0 == y->src[k].c0 &&
			       x->src[k].nc == y->src[k].nc;
		same = same && !memcmp(x->w, y->w, (size_t)x->n_w * sizeof *x->w) &&
		       !memcmp(x->b, y->b, (size_t)x->out_c * sizeof *x->b);
		if (!th_expect(same, "%s: layer %d (%s) differs", what, i, x->name))
			return false;
	}
	return true;
}

/* Every node's name becomes one no operator has: what is left to go by is
 * the operator each node was bound to. */
static bool rename_every_node(ir_graph *g)
{
	for (int i = 0; i < g->n_nodes; i++) {
		char *renamed = strdup("Renamed");
		if (!renamed)
			return false;
		free(g->nodes[i].op_type);
		g->nodes[i].op_type = renamed;
	}
	return true;
}

/* Load and resolve p, lower it as it is and again with its nodes renamed;
 * both must give the same layers. */
static void lower_without_names(const char *p, bool approximate, const char *what)
{
	th_case("%s lowers the same with every node renamed", what);
	snnc_options opt = fe_options();
	ir_graph g[2];
	snn_net net[2];
	snn_diag d;
	int lowered = 0;
	for (int k = 0; k < 2; k++) {
		int rc = ir_load(p, &g[k], &d);
		rc = rc ? rc : ir_resolve(&g[k], approximate, &d);
		if (th_expect(rc == 0, "%s: load and resolve: %s", what, d.msg)) {
			if (k == 1 && !th_expect(rename_every_node(&g[k]), "out of memory"))
				rc = 1;
			if (!rc && th_expect(snn_lower(&g[k], &opt, &net[k], &d) == 0, "%s: lower (%s): %s", what,
					     k ? "renamed" : "as exported", d.msg))
				lowered++;
		}
		ir_free(&g[k]);
		if (lowered != k + 1)
			break;
	}
	if (lowered == 2)
		same_layers(&net[0], &net[1], what);
	for (int k = 0; k < lowered; k++)
		snn_net_free(&net[k]);
}

static void test_fixtures_without_names(void)
{
	static const char *const dirs[] = {"models/fixtures", "models/fixtures/iris", "models/fixtures/autoenc"};
	int seen = 0;
	for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
		DIR *dp = opendir(dirs[k]);
		for (struct dirent *e; dp && (e = readdir(dp));) {
			size_t len = strlen(e->d_name);
			if (len < 6 || strcmp(e->d_name + len - 5, ".onnx"))
				continue;
			char p[512];
			snprintf(p, sizeof p, "%s/%s", dirs[k], e->d_name);
			lower_without_names(p, false, p);
			seen++;
		}
		if (dp)
			closedir(dp);
	}
	th_case("the bundled fixtures are there");
	th_expect(seen >= 10, "found %d .onnx fixtures under models/fixtures; expected the dozen or more bundled",
		  seen);
}

/* What the fixtures do not hold, built here and lowered as above. */
static void lower_built(mb *b, bool approximate, const char *what)
{
	if (!th_expect(mb_write(b, path) == 0, "cannot write %s", path)) {
		mb_free(b);
		return;
	}
	mb_free(b);
	lower_without_names(path, approximate, what);
	unlink(path);
}

static void test_built_without_names(void)
{
	static const int64_t x_dims[] = {1, 1, 8, 8}, wc_dims[] = {4, 1, 3, 3}, wd_dims[] = {64, 10};
	static const int64_t k2[] = {2, 2}, p1[] = {1, 1, 1, 1}, flat_dims[] = {1, 16}, wf_dims[] = {16, 8};
	float wc[36], wd[640], wf[128], scale[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	fe_fill(wc, 36, 7);
	fe_fill(wd, 640, 8);
	fe_fill(wf, 128, 9);

	/* Conv -> Tanh -> MaxPool -> Flatten -> Gemm: the stand-ins of --approximate */
	mb b = mb_new(13);
	mb_input(&b, "x", 4, x_dims);
	mb_output(&b, "y");
	mb_init(&b, "Wc", 4, wc_dims, wc);
	mb_init(&b, "Wd", 2, wd_dims, wd);
	Onnx__NodeProto *n = mb_node(&b, "Conv", "x,Wc", "c");
	mb_attr_ints(n, "pads", 4, p1);
	mb_node(&b, "Tanh", "c", "t");
	n = mb_node(&b, "MaxPool", "t", "m");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_node(&b, "Flatten", "m", "f");
	mb_node(&b, "Gemm", "f,Wd", "y");
	lower_built(&b, true, "Conv, Tanh, MaxPool, Flatten, Gemm (--approximate)");

	/* Gemm -> Mul -> snn.LIF -> Gemm -> snn.IF -> Gemm: ONNX-SNN neurons, a scale */
	b = mb_new(13);
	mb_import(&b, "snn", 1);
	mb_input(&b, "x", 2, flat_dims);
	mb_output(&b, "y");
	mb_init(&b, "W1", 2, wf_dims, wf);
	mb_init(&b, "W2", 2, (const int64_t[]){8, 8}, wd);
	mb_init(&b, "W3", 2, (const int64_t[]){8, 10}, wd + 64);
	mb_init(&b, "S", 1, (const int64_t[]){8}, scale);
	mb_node(&b, "Gemm", "x,W1", "h1");
	mb_node(&b, "Mul", "h1,S", "s1");
	n = mb_node_in(&b, "snn", "LIF", "s1", "a1");
	mb_attr_f(n, "v_th", 0.5f);
	mb_node(&b, "Gemm", "a1,W2", "h2");
	n = mb_node_in(&b, "snn", "IF", "h2", "a2");
	mb_attr_f(n, "v_th", 2.0f);
	mb_attr_f(n, "amplitude", 3.0f);
	mb_node(&b, "Gemm", "a2,W3", "y");
	lower_built(&b, false, "Gemm, Mul, snn.LIF, Gemm, snn.IF, Gemm");

	/* Conv -> Relu, Conv -> Clip, Concat of the two activations, Resize ->
	 * Conv: a join, upsampling */
	static const int64_t w2_dims[] = {4, 4, 3, 3}, w3_dims[] = {2, 8, 1, 1};
	float w2[144], w3[16];
	fe_fill(w2, 144, 10);
	fe_fill(w3, 16, 11);
	b = mb_new(13);
	mb_input(&b, "x", 4, x_dims);
	mb_output(&b, "y");
	mb_init(&b, "Wc", 4, wc_dims, wc);
	mb_init(&b, "W2", 4, w2_dims, w2);
	mb_init(&b, "W3", 4, w3_dims, w3);
	mb_init(&b, "lo", 1, (const int64_t[]){1}, (const float[]){0});
	mb_init(&b, "hi", 1, (const int64_t[]){1}, (const float[]){6});
	mb_init(&b, "scales", 1, (const int64_t[]){4}, (const float[]){1, 1, 2, 2});
	n = mb_node(&b, "Conv", "x,Wc", "c1");
	mb_attr_ints(n, "pads", 4, p1);
	mb_node(&b, "Relu", "c1", "r1");
	n = mb_node(&b, "Conv", "r1,W2", "c2");
	mb_attr_ints(n, "pads", 4, p1);
	mb_node(&b, "Clip", "c2,lo,hi", "r2");
	n = mb_node(&b, "Concat", "r1,r2", "cat");
	mb_attr_i(n, "axis", 1);
	n = mb_node(&b, "Resize", "cat,,scales", "u");
	mb_attr_s(n, "mode", "nearest");
	mb_node(&b, "Conv", "u,W3", "y");
	lower_built(&b, false, "Conv, Relu, Conv, Clip, Concat, Resize, Conv");
}

/* An operator that is in no table: a ReLU under another name, lowered by
 * its own function through lower.h alone. */
static int test_relu_calls;

static int test_relu_lower(lower_ctx *x, const ir_node *n)
{
	test_relu_calls++;
	return lower_activation(x, n, NULL);
}

static void test_op_outside_table(void)
{
	th_case("an operator outside the table lowers through its own lower function");
	const ir_op *relu = ir_op_find("", "Relu");
	if (!th_expect(relu != NULL, "no Relu in the table"))
		return;
	ir_op mine = *relu;
	mine.op_type = "MyRelu";
	mine.lower = test_relu_lower;
	snnc_options opt = fe_options();
	ir_graph g[2];
	snn_net net[2];
	snn_diag d;
	int lowered = 0, rebound = 0;
	for (int k = 0; k < 2; k++) {
		int rc = ir_load("models/fixtures/mlp.onnx", &g[k], &d);
		rc = rc ? rc : ir_resolve(&g[k], false, &d);
		if (!th_expect(rc == 0, "mlp.onnx: load and resolve: %s", d.msg))
			break;
		for (int i = 0; k == 1 && i < g[k].n_nodes; i++)
			if (g[k].nodes[i].op == relu) {
				g[k].nodes[i].op = &mine;
				rebound++;
			}
		if (th_expect(snn_lower(&g[k], &opt, &net[k], &d) == 0, "lower: %s", d.msg))
			lowered++;
		ir_free(&g[k]);
		if (lowered != k + 1)
			break;
	}
	th_expect(rebound > 0, "mlp.onnx has no Relu to rebind");
	th_expect(test_relu_calls == rebound, "MyRelu's lower ran %d times for %d nodes", test_relu_calls, rebound);
	if (lowered == 2)
		same_layers(&net[0], &net[1], "mlp.onnx with MyRelu for Relu");
	for (int k = 0; k < lowered; k++)
		snn_net_free(&net[k]);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_op_lowering.XXXXXX");
	th_case("a scratch directory");
	if (!th_expect(mkdtemp(dir) != NULL, "mkdtemp failed"))
		return th_done("test_op_lowering");
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	test_every_op_lowers();
	test_fixtures_without_names();
	test_built_without_names();
	test_op_outside_table();
	rmdir(dir);
	return th_done("test_op_lowering");
}
