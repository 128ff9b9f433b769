/* Lowering, normalisation and quantisation on hostile numbers and shapes
 * (issue 13): linear time in the number of nodes, every float checked
 * before it becomes an integer with the node and tensor named, and layers
 * that quantise to nothing or to one outlier refused. Models are built
 * here (onnx_build.c); expectations are written from the issue. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "net.h"
#include "front_end.h"
#include "onnx_build.h"

static char dir[64], path[128];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* x[1,4] -> Identity x n_ident -> Gemm(W1, B1) -> Relu -> Gemm(W2, B2) -> y */
static mb two_layers(int n_ident, const float *w1, const float *b1, const float *w2)
{
	static const int64_t x_dims[] = {1, 4}, w_dims[] = {4, 4}, b_dims[] = {4};
	mb b = mb_new(13);
	mb_input(&b, "x", 2, x_dims);
	mb_output(&b, "y");
	char in[32] = "x", out[32];
	for (int i = 0; i < n_ident; i++) {
		snprintf(out, sizeof out, "i%d", i);
		mb_node(&b, "Identity", in, out);
		snprintf(in, sizeof in, "%s", out);
	}
	mb_init(&b, "W1", 2, w_dims, w1);
	mb_init(&b, "B1", 1, b_dims, b1);
	mb_init(&b, "W2", 2, w_dims, w2);
	char args[64];
	snprintf(args, sizeof args, "%s,W1,B1", in);
	mb_node(&b, "Gemm", args, "h");
	mb_node(&b, "Relu", "h", "a");
	mb_node(&b, "Gemm", "a,W2", "y");
	return b;
}

static const float ident4[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
static const float zero4[4] = {0};

/* Lower, normalise (weights only: size_only) and quantise; the status of the first
 * pass that fails, its message in d. */
static int compile(mb *b, const snnc_options *opt, snn_diag *d)
{
	ir_graph g;
	int rc = fe_load(b, path, false, &g, d);
	if (rc)
		return rc;
	snn_net net;
	rc = snn_lower(&g, opt, &net, d);
	if (!rc) {
		rc = snn_normalise(&g, &net, NULL, opt, d);
		if (!rc)
			rc = snn_quantise(&net, opt, d);
		snn_net_free(&net);
	}
	ir_free(&g);
	return rc;
}

static void expect_refused(mb *b, const snnc_options *opt, const char *want1, const char *want2)
{
	snn_diag d = {""};
	int rc = compile(b, opt, &d);
	if (th_expect(rc != 0, "compiled a model that must be refused (%s)", want1))
		th_expect(strstr(d.msg, want1) && (!want2 || strstr(d.msg, want2)), "message \"%s\" lacks \"%s\"%s%s",
			  d.msg, want1, want2 ? " or " : "", want2 ? want2 : "");
}

/* The old lowering scanned every node for each node's consumer: 10,000
 * nodes took 0.4 s, 100,000 took 43 s. Linear, 100,000 take well under
 * a second; the bound leaves room for sanitizers and a busy machine. */
static void test_long_chain(void)
{
	th_case("lowering_100000_node_chain_is_linear");
	mb b = two_layers(100000, ident4, zero4, ident4);
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "load: %s", d.msg))
		return;
	snnc_options opt = fe_options();
	snn_net net;
	double t0 = now();
	int rc = snn_lower(&g, &opt, &net, &d);
	double seconds = now() - t0;
	if (th_expect(rc == 0, "lower: %s", d.msg)) {
		th_expect(net.n_layers == 2, "%d layers, want 2", net.n_layers);
		snn_net_free(&net);
	}
	th_expect(seconds < 8.0, "lowering 100,000 nodes took %.1f s", seconds);
	ir_free(&g);
}

static mb with_gemm_attr(const char *attr, float f, int64_t i)
{
	mb b = two_layers(0, ident4, zero4, ident4);
	Onnx__NodeProto *gemm = b.g->node[0];
	if (attr[0] == 't')
		mb_attr_i(gemm, attr, i);
	else
		mb_attr_f(gemm, attr, f);
	return b;
}

/* Every float that reaches an integer is checked first, and the message
 * names the node (and the tensor and index where there is one). */
static void test_numbers(void)
{
	snnc_options opt = fe_options();
	snn_diag d;

	th_case("two_layers_compile");
	mb b = two_layers(0, ident4, zero4, ident4);
	th_expect(compile(&b, &opt, &d) == 0, "the plain model: %s", d.msg);

	th_case("gemm_alpha_nan_bad");
	b = with_gemm_attr("alpha", NAN, 0);
	expect_refused(&b, &opt, "(Gemm): attribute alpha is nan", NULL);
	th_case("gemm_beta_infinite_bad");
	b = with_gemm_attr("beta", INFINITY, 0);
	expect_refused(&b, &opt, "(Gemm): attribute beta is inf", NULL);
	th_case("gemm_transB_5_bad");
	b = with_gemm_attr("transB", 0, 5);
	expect_refused(&b, &opt, "(Gemm): attribute transB is 5; it must be 0 or 1", NULL);

	th_case("gemm_alpha_overflows_weights_bad");
	b = with_gemm_attr("alpha", 1e38f, 0);
	float w_big[16];
	for (int i = 0; i < 16; i++)
		w_big[i] = ident4[i] * 100.0f;
	memcpy(b.g->initializer[0]->float_data, w_big, sizeof w_big);
	expect_refused(&b, &opt, "(Gemm): weight 0 of W1 is inf after folding it in", NULL);

	th_case("division_by_zero_bad");
	{
		static const int64_t one[] = {1};
		const float zero = 0;
		b = two_layers(0, ident4, zero4, ident4);
		Onnx__NodeProto *relu = b.g->node[1];
		free(relu->input[0]);
		relu->input[0] = strdup("hd");
		mb_init(&b, "Z", 1, one, &zero);
		mb_node(&b, "Div", "h,Z", "hd");
		expect_refused(&b, &opt, "(Div): weight 0 of W1 is inf", NULL);
	}

	/* A 3.6e37 bias: its layer's scale follows it and every weight
	 * quantises to 0. */
	th_case("huge_bias_bad");
	const float b_huge[4] = {3.6e37f, 0, 0, 0};
	b = two_layers(0, ident4, b_huge, ident4);
	expect_refused(&b, &opt, "node Gemm", "quantise to 0");

	/* One corrupted weight in an otherwise sane layer: the old compiler
	 * warned and the network fell to chance. */
	th_case("corrupted_weight_bad");
	float w_bad[16];
	memcpy(w_bad, ident4, sizeof w_bad);
	w_bad[2 * 4 + 1] = -1.25e37f;	/* input 2 to output 1 */
	b = two_layers(0, w_bad, zero4, ident4);
	expect_refused(&b, &opt, "weight W1, input 2 to output 1 = -1.25e+37", "corrupted");
	th_case("corrupted_weight_allowed_with_flag");
	opt.allow_outliers = true;
	b = two_layers(0, w_bad, zero4, ident4);
	th_expect(compile(&b, &opt, &d) == 0, "--allow-outliers: %s", d.msg);
	opt.allow_outliers = false;

	/* All weights huge: the second layer's scale overflowed to infinity
	 * and every weight became 0, exit 0. */
	th_case("all_huge_weights_bad");
	float w_huge[16];
	for (int i = 0; i < 16; i++)
		w_huge[i] = 1e30f;
	b = two_layers(0, w_huge, zero4, w_huge);
	expect_refused(&b, &opt, "node Gemm_2: weight W2, input 0 to output 0 is inf after normalisation", NULL);
	th_case("all_huge_weights_spike_readout_bad");
	opt.readout = SNN_READOUT_SPIKES;
	b = two_layers(0, w_huge, zero4, w_huge);
	expect_refused(&b, &opt, "node Gemm_2: the activation scale is inf", "W2");
	opt.readout = SNN_READOUT_MEMBRANE;

	th_case("batchnorm_scale_overflows_bad");
	{	/* gamma / sqrt(var + eps) = 3e38 / 0.1: beyond float */
		static const int64_t c4[] = {4};
		const float gamma[4] = {3e38f, 3e38f, 3e38f, 3e38f}, var[4] = {0.01f, 0.01f, 0.01f, 0.01f};
		b = two_layers(0, ident4, zero4, ident4);
		Onnx__NodeProto *relu = b.g->node[1];
		free(relu->input[0]);
		relu->input[0] = strdup("hb");
		mb_init(&b, "g", 1, c4, gamma);
		mb_init(&b, "be", 1, c4, zero4);
		mb_init(&b, "mu", 1, c4, zero4);
		mb_init(&b, "var", 1, c4, var);
		mb_node(&b, "BatchNormalization", "h,g,be,mu,var", "hb");
		expect_refused(&b, &opt, "(BatchNormalization): weight 0 of W1 is inf", NULL);
	}
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/snnc_lower_XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	test_numbers();
	test_long_chain();
	unlink(path);
	rmdir(dir);
	return th_done("test_lower");
}
