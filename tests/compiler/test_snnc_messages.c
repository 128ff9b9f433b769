/* What snnc says about models it cannot compile (issue 12, "Messages and
 * kinds"): each refusal of shape arithmetic (Expand, Cast, Gather, Concat) names
 * the node, why, and the nearest alternative (docs/snnc.md, EXIT STATUS);
 * `snnc info` describes a refused model (kind, input, outputs, one line per
 * refused node) before it exits 1; and a classic-ML model at opset 22 gets
 * the classic-ML message, not the opset one. Models are built here
 * (onnx_build.c); the expected words come from the issue and the docs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "net.h"
#include "onnx_build.h"

static char dir[64], path[128], snnc[512];

static const int64_t D1x6[] = {1, 6};

static void write_model(mb *b)
{
	if (mb_write(b, path)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	mb_free(b);
}

/* Load, resolve and lower b (written to path); the first failure's status,
 * its message in d. */
static int front_end(mb *b, snn_diag *d)
{
	write_model(b);
	memset(d, 0, sizeof *d);
	ir_graph g;
	int rc = ir_load(path, &g, d);
	if (rc)
		return rc;
	rc = ir_resolve(&g, false, d);
	if (!rc) {
		snnc_options opt = {.target = snn_profile_default(), .weight_bits = 8, .steps = 32,
				    .percentile = 99.99f, .v_init = 0.5f, .readout = SNN_READOUT_MEMBRANE,
				    .input_scale = 1.0f / 255.0f, .verbose = -1};
		snn_net net;
		rc = snn_lower(&g, &opt, &net, d);
		if (!rc)
			snn_net_free(&net);
	}
	ir_free(&g);
	return rc;
}

/* The model must be refused with a message that starts with the file and
 * holds every needle (NULL ends the list). */
static void expect_refused(mb b, const char *needle, ...)
{
	snn_diag d;
	int rc = front_end(&b, &d);
	if (!th_expect(rc != 0, "the front end accepted a model it must refuse (%s)", needle))
		return;
	th_expect(!strncmp(d.msg, path, strlen(path)), "message does not start with the file: %s", d.msg);
	va_list ap;
	va_start(ap, needle);
	for (const char *s = needle; s; s = va_arg(ap, const char *))
		th_expect(strstr(d.msg, s) != NULL, "message lacks \"%s\": %s", s, d.msg);
	va_end(ap);
}

/* Run snnc with args on path; its exit status, stdout and stderr in out. */
static int run_snnc(char *out, size_t outsz, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", snnc, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Shape arithmetic snnc does not fold: Expand to the input's own shape.
 * (tf2onnx's Keras Flatten chain, with its Slice, folds since Slice became
 * an operator: tests/compiler/test_keras_export.c.) */
static mb shape_expand(void)
{
	mb b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Shape", "x", "s");
	mb_node(&b, "Expand", "x,s", "e");
	mb_node(&b, "Relu", "e", "y");
	return b;
}

/* x[1,6] -> Cast(to) -> ... */
static mb cast_of_input(int64_t to)
{
	static const int64_t d6[] = {6};
	static const float w[6] = {1, 2, 3, 4, 5, 6};
	mb b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "W", 1, d6, w);
	mb_attr_i(mb_node(&b, "Cast", "x", "xi"), "to", to);
	mb_node(&b, "Gather", "W,xi", "y");
	return b;
}

/* A TreeEnsembleClassifier (what skl2onnx writes for a random forest) at
 * the given default-domain opset. */
static mb classic_ml(int64_t opset)
{
	mb b = mb_new(opset);
	mb_import(&b, "ai.onnx.ml", 3);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node_in(&b, "ai.onnx.ml", "TreeEnsembleClassifier", "x", "y");
	return b;
}

/* skl2onnx's pipelines put default-domain nodes (here an ArgMax, which
 * snnc does not take) before the ai.onnx.ml ones. */
static mb classic_ml_argmax_first(int64_t opset)
{
	mb b = mb_new(opset);
	mb_import(&b, "ai.onnx.ml", 3);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "ArgMax", "x", "a");
	mb_node_in(&b, "ai.onnx.ml", "LabelEncoder", "a", "y");
	return b;
}

static void test_refusals(void)
{
	th_case("shape_expand_bad");
	expect_refused(shape_expand(), "node Expand_1 (Expand)", "no spiking equivalent",
		       "Reshape to a constant shape", NULL);

	th_case("cast_of_input_values_bad");
	expect_refused(cast_of_input(7), "node Cast_0 (Cast)", "integer data from the network's input",
		       "Reshape to a constant shape", NULL);

	th_case("cast_to_bool_bad");
	expect_refused(cast_of_input(9), "node Cast_0 (Cast)", "casting to type 9", "cast to one of them", NULL);

	th_case("gather_computed_indices_bad");
	{
		static const int64_t d6[] = {6};
		static const float w[6] = {1, 2, 3, 4, 5, 6};
		mb b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_init(&b, "W", 1, d6, w);
		mb_node(&b, "Relu", "x", "r");
		mb_node(&b, "Gather", "r,W", "y");	/* float indices from the network */
		expect_refused(b, "node Gather_1 (Gather)", "constant integer", "Flatten", NULL);
	}

	th_case("concat_with_a_constant_bad");
	{
		static const int64_t w_dims[] = {12, 2};
		float w[24] = {0}, k[6] = {0};
		mb b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_init(&b, "W", 2, w_dims, w);
		mb_init(&b, "K", 2, D1x6, k);
		mb_attr_i(mb_node(&b, "Concat", "x,K", "c"), "axis", 1);
		mb_node(&b, "Gemm", "c,W", "y");
		expect_refused(b, "node Concat_0 (Concat)", "with a constant", "fold the constant", NULL);
	}

	th_case("classic_ml_opset22_bad");
	{
		snn_diag d;
		mb b = classic_ml(22);
		int rc = front_end(&b, &d);
		th_expect(rc != 0 && strstr(d.msg, "node TreeEnsembleClassifier_0") &&
				  strstr(d.msg, "classic machine-learning") && !strstr(d.msg, "opset"),
			  "exit %d: %s", rc, d.msg);
	}

	th_case("classic_ml_default_node_first_bad");
	{
		snn_diag d;
		mb b = classic_ml_argmax_first(22);
		int rc = front_end(&b, &d);
		th_expect(rc != 0 && strstr(d.msg, "node LabelEncoder_1 (LabelEncoder)") &&
				  strstr(d.msg, "classic machine-learning") && !strstr(d.msg, "ArgMax"),
			  "exit %d: %s", rc, d.msg);
	}

	th_case("dnn_opset23_bad");
	{
		mb b = mb_new(23);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_node(&b, "Relu", "x", "y");
		expect_refused(b, "opset 23 is not supported (9 to 22 are)", NULL);
	}
}

static void test_cli(void)
{
	char out[16384], args[512];
	snprintf(args, sizeof args, "info %s", path);

	th_case("info_refused_model_bad");
	{
		mb b = shape_expand();
		mb_node(&b, "Frobnicate", "y", "z");
		write_model(&b);
		int rc = run_snnc(out, sizeof out, args);
		th_expect(rc == 1, "exit %d, want 1: %s", rc, out);
		th_expect(strstr(out, "kind      deep neural network") && strstr(out, "producer  snnc-tests"),
			  "kind and producer: %s", out);
		th_expect(strstr(out, "input     x [1, 6]") && strstr(out, "output    y"), "input and output: %s",
			  out);
		th_expect(strstr(out, "refused   node Expand_1 (Expand): ") &&
				  strstr(out, "refused   node Frobnicate_3 (Frobnicate): "),
			  "a line per refused node: %s", out);
		th_expect(strstr(out, "snnc: ") && strstr(out, path), "the error names the file: %s", out);
	}

	th_case("info_producer_without_version");	/* skl2onnx writes none */
	{
		mb b = shape_expand();
		free(b.m->producer_version);
		b.m->producer_version = NULL;
		write_model(&b);
		run_snnc(out, sizeof out, args);
		th_expect(strstr(out, "producer  snnc-tests, opset"), "producer line: %s", out);
	}

	th_case("info_refused_after_binding_bad");
	{
		mb b = cast_of_input(7);
		write_model(&b);
		int rc = run_snnc(out, sizeof out, args);
		th_expect(rc == 1 && strstr(out, "input     x [1, 6]") &&
				  strstr(out, "refused   ") && strstr(out, "node Cast_0 (Cast)"),
			  "exit %d: %s", rc, out);
	}

	th_case("info_classic_ml_opset22");
	{
		mb b = classic_ml(22);
		write_model(&b);
		int rc = run_snnc(out, sizeof out, args);
		th_expect(rc == 0 && strstr(out, "kind      classic machine learning") && strstr(out, "opset 22") &&
				  strstr(out, "input     x [1, 6]") && !strstr(out, "is not supported"),
			  "exit %d: %s", rc, out);
	}

	th_case("compile_classic_ml_opset22_bad");
	{
		mb b = classic_ml(22);
		write_model(&b);
		char a[512];
		snprintf(a, sizeof a, "%s -o %s/ml.cfg", path, dir);
		int rc = run_snnc(out, sizeof out, a);
		th_expect(rc == 1 && strstr(out, "classic machine-learning") && !strstr(out, "opset 22"),
			  "exit %d: %s", rc, out);
	}
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	snprintf(dir, sizeof dir, "/tmp/snnc_msg_XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	test_refusals();
	test_cli();
	unlink(path);
	rmdir(dir);
	return th_done("test_snnc_messages");
}
