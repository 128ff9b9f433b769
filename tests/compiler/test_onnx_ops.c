/* The compiler front end: every supported operator alone and in
 * combination, on small models built here (tests/compiler/onnx_build.c),
 * loaded with ir_load, resolved and run with ir_run, and compared with
 * values computed independently below (naive loops or numbers by hand);
 * every refused operator and malformed file fails with a message naming
 * the node, initializer or file.
 *
 * Environment: SNNC_CORPUS=DIR also writes every valid model to DIR (the
 * fuzzer's seed corpus, tests/compiler/fuzz/corpus). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "net.h"
#include "front_end.h"
#include "onnx_build.h"
#include "snn/file.h"

static char dir[64], path[128];
static int n_corpus;

/* ---- helpers ---- */

static void save_corpus(const mb *b)
{
	const char *cdir = getenv("SNNC_CORPUS");
	if (!cdir)
		return;
	char p[512];
	snprintf(p, sizeof p, "%s/model_%03d.onnx", cdir, n_corpus++);
	mb_write(b, p);
}

/* Write b to path, free it, then load and resolve; on success g is live. */
static int load(mb *b, bool approx, ir_graph *g, snn_diag *d)
{
	if (mb_write(b, path)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	memset(d, 0, sizeof *d);
	int rc = ir_load(path, g, d);
	if (!rc && (rc = ir_resolve(g, approx, d)))
		ir_free(g);
	if (!rc)
		save_corpus(b);
	mb_free(b);
	return rc;
}

static const ir_node *node_named(const ir_graph *g, const char *name)
{
	for (int k = 0; k < g->n_nodes; k++)
		if (!strcmp(g->nodes[k].name, name))
			return &g->nodes[k];
	return NULL;
}

/* Load, resolve and run b on in; compare the tensor named out (its shape
 * must hold n values) with want. */
static void check_run(mb *b, bool approx, const float *in, const char *out, const float *want, size_t n,
		      float tol)
{
	ir_graph g;
	snn_diag d;
	if (!th_expect(load(b, approx, &g, &d) == 0, "load/resolve failed: %s", d.msg))
		return;
	ir_values v;
	int t = fe_tensor_named(&g, out);
	if (th_expect(t >= 0, "no tensor %s", out) &&
	    th_expect(ir_numel(&g.tensors[t]) == (int64_t)n, "%s has %lld values, want %zu", out,
		      (long long)ir_numel(&g.tensors[t]), n) &&
	    th_expect(ir_values_init(&g, &v) == 0, "ir_values_init failed")) {
		ir_run(&g, &v, in);
		fe_close_all(v.v[t], want, n, tol, out);
		ir_values_free(&v);
	}
	ir_free(&g);
}

/* Expect load or resolve to fail with a message holding every needle. */
static void check_error(mb *b, bool approx, const char *needle1, const char *needle2)
{
	ir_graph g;
	snn_diag d;
	int rc = load(b, approx, &g, &d);
	if (!th_expect(rc < 0, "loaded a model that must fail (%s)", needle1)) {
		ir_free(&g);
		return;
	}
	th_expect(!strncmp(d.msg, path, strlen(path)), "message does not start with the file: %s", d.msg);
	th_expect(strstr(d.msg, needle1) != NULL, "message lacks \"%s\": %s", needle1, d.msg);
	th_expect(!needle2 || strstr(d.msg, needle2), "message lacks \"%s\": %s", needle2, d.msg);
}

static const int64_t D1x6[] = {1, 6};

/* A model with input x of the given shape and output y. */
static mb model_xy(int64_t opset, int rank, const int64_t *dims)
{
	mb b = mb_new(opset);
	mb_input(&b, "x", rank, dims);
	mb_output(&b, "y");
	return b;
}

/* ---- independent references ---- */

/* out[m][oy][ox] = b[m] + sum x[c][oy*s+ky-pt][ox*s+kx-pl] w[m][c][ky][kx] */
static void ref_conv(const float *x, int C, int H, int W, const float *w, int M, int KH, int KW, const float *b,
		     int s, int pt, int pl, int OH, int OW, float *out)
{
	for (int m = 0; m < M; m++)
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				double acc = b ? b[m] : 0;
				for (int c = 0; c < C; c++)
					for (int ky = 0; ky < KH; ky++)
						for (int kx = 0; kx < KW; kx++) {
							int iy = oy * s + ky - pt, ix = ox * s + kx - pl;
							if (iy >= 0 && iy < H && ix >= 0 && ix < W)
								acc += (double)x[(c * H + iy) * W + ix] *
								       w[((m * C + c) * KH + ky) * KW + kx];
						}
				out[(m * OH + oy) * OW + ox] = (float)acc;
			}
}

/* Average over the window cells inside the image (or all kh*kw cells). */
static void ref_avgpool(const float *x, int C, int H, int W, int kh, int kw, int s, int pt, int pl, int OH,
			int OW, bool include_pad, float *out)
{
	for (int c = 0; c < C; c++)
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				double sum = 0;
				int cnt = 0;
				for (int ky = 0; ky < kh; ky++)
					for (int kx = 0; kx < kw; kx++) {
						int iy = oy * s - pt + ky, ix = ox * s - pl + kx;
						if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
							sum += x[(c * H + iy) * W + ix];
							cnt++;
						}
					}
				out[(c * OH + oy) * OW + ox] = (float)(sum / (include_pad ? kh * kw : cnt));
			}
}

/* y[m][n] = alpha * sum_k A[m][k] B[k][n] + beta * c[n] (A, B untransposed here) */
static void ref_gemm(const float *a, const float *bm, const float *c, int M, int K, int N, float alpha,
		     float beta, bool tb, float *y)
{
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			double acc = 0;
			for (int k = 0; k < K; k++)
				acc += (double)a[m * K + k] * (tb ? bm[n * K + k] : bm[k * N + n]);
			y[m * N + n] = (float)(alpha * acc + (c ? beta * c[n] : 0));
		}
}

static void ref_softmax(const float *x, int n, float *y, bool log_form)
{
	double mx = x[0], sum = 0;
	for (int i = 1; i < n; i++)
		mx = x[i] > mx ? x[i] : mx;
	for (int i = 0; i < n; i++)
		sum += exp(x[i] - mx);
	for (int i = 0; i < n; i++)
		y[i] = (float)(log_form ? x[i] - mx - log(sum) : exp(x[i] - mx) / sum);
}

/* ---- layers ---- */

static void test_relu(void)
{
	th_case("relu");
	mb b = model_xy(13, 2, D1x6);
	mb_node(&b, "Relu", "x", "y");
	const float in[6] = {-2, -0.5f, 0, 0.25f, 3, -1e-3f}, want[6] = {0, 0, 0, 0.25f, 3, 0};
	check_run(&b, false, in, "y", want, 6, 0);
}

static void test_gemm(void)
{
	float a[2 * 5], w[4 * 5], c[4], want[2 * 4];
	fe_fill(a, 10, 1);
	fe_fill(w, 20, 2);
	fe_fill(c, 4, 3);
	for (int variant = 0; variant < 4; variant++) {
		bool tb = variant & 1, ta = variant == 2, cscalar = variant == 3;
		th_case("gemm transA=%d transB=%d C=%s", ta, tb, cscalar ? "scalar" : "row");
		/* x [1, 10] is reshaped to A [2, 5] (or [5, 2] for transA) */
		const int64_t xd[] = {1, 10}, ad[] = {ta ? 5 : 2, ta ? 2 : 5}, sd[] = {2};
		const int64_t wd[] = {tb ? 4 : 5, tb ? 5 : 4}, cd[] = {4};
		mb b = model_xy(11, 2, xd);
		mb_init_i64(&b, "shape", 1, sd, ad);
		mb_init(&b, "W", 2, wd, w);
		mb_init(&b, "C", cscalar ? 0 : 1, cd, c);
		mb_node(&b, "Reshape", "x,shape", "a");
		Onnx__NodeProto *n = mb_node(&b, "Gemm", "a,W,C", "y");
		mb_attr_f(n, "alpha", 0.5f);
		mb_attr_f(n, "beta", 2.0f);
		mb_attr_i(n, "transB", tb);
		mb_attr_i(n, "transA", ta);
		float in[10], cc[4];
		for (int i = 0; i < 4; i++)
			cc[i] = c[cscalar ? 0 : i];
		/* the input as given to Gemm; the reference sees A untransposed */
		for (int m = 0; m < 2; m++)
			for (int k = 0; k < 5; k++)
				in[ta ? k * 2 + m : m * 5 + k] = a[m * 5 + k];
		ref_gemm(a, w, cc, 2, 5, 4, 0.5f, 2.0f, tb, want);
		check_run(&b, false, in, "y", want, 8, 1e-5f);
	}
}

static void test_matmul(void)
{
	th_case("matmul rank 3 input, bias Add");
	float x[6 * 4], w[4 * 3], bias[3], want[6 * 3];
	fe_fill(x, 24, 4);
	fe_fill(w, 12, 5);
	fe_fill(bias, 3, 6);
	const int64_t xd[] = {1, 6, 4}, wd[] = {4, 3}, bd[] = {3};
	mb b = mb_new(13);
	mb_input(&b, "x", 3, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 2, wd, w);
	mb_init(&b, "B", 1, bd, bias);
	mb_node(&b, "MatMul", "x,W", "h");
	mb_node(&b, "Add", "h,B", "y");
	ref_gemm(x, w, bias, 6, 4, 3, 1, 1, false, want);
	check_run(&b, false, x, "y", want, 18, 1e-5f);

	th_case("matmul_bad: runtime weight");
	b = mb_new(13);
	const int64_t sq[] = {1, 4};
	mb_input(&b, "x", 2, sq);
	mb_output(&b, "y");
	mb_node(&b, "Transpose", "x", "xt");
	mb_node(&b, "MatMul", "x,xt", "y");
	check_error(&b, false, "node MatMul_1 (MatMul)", "constant 2-D weight");
}

static void test_binary(void)
{
	th_case("add/sub/mul/div broadcast over channels");
	const int64_t xd[] = {1, 2, 2, 3}, cd[] = {2, 1, 1}, sd[] = {1};
	float x[12], c[2] = {0.5f, -2}, s[1] = {4}, want[12];
	fe_fill(x, 12, 7);
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "c", 3, cd, c);
	mb_init(&b, "s", 1, sd, s);
	mb_node(&b, "Add", "x,c", "a");
	mb_node(&b, "Mul", "a,s", "m");
	mb_node(&b, "Sub", "m,c", "u");
	mb_node(&b, "Div", "u,s", "y");
	for (int i = 0; i < 12; i++) {
		float cv = c[i / 6];
		want[i] = ((x[i] + cv) * 4 - cv) / 4;
	}
	check_run(&b, false, x, "y", want, 12, 1e-6f);

	th_case("add of two computed tensors (a residual sum)");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Relu", "x", "r");
	mb_node(&b, "Add", "x,r", "y");
	const float in[6] = {-1, 2, -3, 4, 0, 1}, want2[6] = {-1, 4, -3, 8, 0, 2};
	check_run(&b, false, in, "y", want2, 6, 0);

	th_case("mul_bad: two computed operands");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Relu", "x", "r");
	mb_node(&b, "Mul", "x,r", "y");
	check_error(&b, false, "node Mul_1 (Mul)", "scale by constants");

	th_case("add_bad: shapes do not broadcast");
	b = mb_new(13);
	const int64_t d5[] = {5};
	float five[5] = {0};
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "c", 1, d5, five);
	mb_node(&b, "Add", "x,c", "y");
	check_error(&b, false, "node Add_0 (Add)", "do not broadcast");
}

/* Conv on [1,2,5,6] with a 3x3 kernel, 3 output channels. */
static void conv_case(const char *name, int stride, const int64_t *pads, const char *auto_pad, bool bias, int pt,
		      int pl, int OH, int OW)
{
	th_case("conv %s", name);
	enum { C = 2, H = 5, W = 6, M = 3, K = 3 };
	float x[C * H * W], w[M * C * K * K], bv[M], want[M * 8 * 8];
	fe_fill(x, sizeof x / 4, 11);
	fe_fill(w, sizeof w / 4, 12);
	fe_fill(bv, M, 13);
	const int64_t xd[] = {1, C, H, W}, wd[] = {M, C, K, K}, bd[] = {M};
	const int64_t st[] = {stride, stride}, ks[] = {K, K};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_raw(&b, "W", 4, wd, w);
	if (bias)
		mb_init(&b, "B", 1, bd, bv);
	Onnx__NodeProto *n = mb_node(&b, "Conv", bias ? "x,W,B" : "x,W", "y");
	mb_attr_ints(n, "strides", 2, st);
	mb_attr_ints(n, "kernel_shape", 2, ks);
	if (pads)
		mb_attr_ints(n, "pads", 4, pads);
	if (auto_pad)
		mb_attr_s(n, "auto_pad", auto_pad);
	ref_conv(x, C, H, W, w, M, K, K, bias ? bv : NULL, stride, pt, pl, OH, OW, want);
	check_run(&b, false, x, "y", want, (size_t)(M * OH * OW), 1e-5f);
}

static void test_conv(void)
{
	conv_case("valid stride 1", 1, NULL, NULL, true, 0, 0, 3, 4);
	const int64_t asym[] = {1, 0, 2, 1};
	conv_case("pads 1,0,2,1 stride 2 no bias", 2, asym, NULL, false, 1, 0, 3, 3);
	/* H: out 3, total pad 2*2+3-5 = 2, 1 each side; W: out 3, total 2*2+3-6 = 1,
	 * after (SAME_UPPER) or before (SAME_LOWER) */
	conv_case("SAME_UPPER stride 2", 2, NULL, "SAME_UPPER", true, 1, 0, 3, 3);
	conv_case("SAME_LOWER stride 2", 2, NULL, "SAME_LOWER", true, 1, 1, 3, 3);
	conv_case("VALID stride 2", 2, NULL, "VALID", true, 0, 0, 2, 2);

	th_case("conv auto_pad written back as explicit pads");
	const int64_t xd[] = {1, 1, 4, 4}, wd[] = {1, 1, 3, 3};
	float w[9] = {0};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, wd, w);
	mb_attr_s(mb_node(&b, "Conv", "x,W", "y"), "auto_pad", "SAME_UPPER");
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		const ir_attr *p = ir_attr_find(&g.nodes[0], "pads");
		th_expect(p && p->n == 4 && p->ints[0] == 1 && p->ints[1] == 1 && p->ints[2] == 1 && p->ints[3] == 1,
			  "pads not [1,1,1,1]");
		th_expect(!strcmp(ir_attr_string(&g.nodes[0], "auto_pad", "?"), "NOTSET"), "auto_pad not NOTSET");
		ir_free(&g);
	}

	th_case("conv_bad: group 2");
	b = mb_new(13);
	const int64_t x2[] = {1, 2, 4, 4}, w2[] = {2, 1, 3, 3};
	float w18[18] = {0};
	mb_input(&b, "x", 4, x2);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, w2, w18);
	mb_attr_i(mb_node(&b, "Conv", "x,W", "y"), "group", 2);
	check_error(&b, false, "node Conv_0 (Conv)", "group = 2");

	th_case("conv_bad: dilation 2");
	b = mb_new(13);
	const int64_t two[] = {2, 2};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, wd, w);
	mb_attr_ints(mb_node(&b, "Conv", "x,W", "y"), "dilations", 2, two);
	check_error(&b, false, "node Conv_0 (Conv)", "dilations");
}

static void test_batchnorm(void)
{
	th_case("batchnorm");
	const int64_t xd[] = {1, 3, 2, 2}, cd[] = {3};
	float x[12], sc[3] = {1.5f, -1, 0.5f}, bi[3] = {0.1f, 0.2f, -0.3f}, mean[3] = {0.5f, -0.5f, 0};
	float var[3] = {4, 0.25f, 1}, want[12];
	fe_fill(x, 12, 21);
	mb b = mb_new(9);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "s", 1, cd, sc);
	mb_init(&b, "b", 1, cd, bi);
	mb_init(&b, "m", 1, cd, mean);
	mb_init(&b, "v", 1, cd, var);
	mb_attr_f(mb_node(&b, "BatchNormalization", "x,s,b,m,v", "y"), "epsilon", 1e-3f);
	for (int i = 0; i < 12; i++) {
		int c = i / 4;
		want[i] = (float)((x[i] - mean[c]) / sqrt(var[c] + 1e-3) * sc[c] + bi[c]);
	}
	check_run(&b, false, x, "y", want, 12, 1e-5f);

	th_case("batchnorm_bad: training outputs");
	b = mb_new(9);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "s", 1, cd, sc);
	mb_init(&b, "b", 1, cd, bi);
	mb_init(&b, "m", 1, cd, mean);
	mb_init(&b, "v", 1, cd, var);
	mb_node(&b, "BatchNormalization", "x,s,b,m,v", "y,rm,rv");
	check_error(&b, false, "node BatchNormalization_0 (BatchNormalization)", "eval mode");
}

static void test_clip(void)
{
	const float in[6] = {-3, 0.5f, 2, 6, 7, -0.1f}, want6[6] = {0, 0.5f, 2, 6, 6, 0};
	th_case("clip opset 9 attributes (ReLU6)");
	mb b = mb_new(9);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	Onnx__NodeProto *n = mb_node(&b, "Clip", "x", "y");
	mb_attr_f(n, "min", 0);
	mb_attr_f(n, "max", 6);
	check_run(&b, false, in, "y", want6, 6, 0);

	th_case("clip opset 13 inputs from Constant nodes");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_f(mb_node(&b, "Constant", "", "lo"), "value_float", 0);
	mb_attr_f(mb_node(&b, "Constant", "", "hi"), "value_float", 6);
	mb_node(&b, "Clip", "x,lo,hi", "y");
	check_run(&b, false, in, "y", want6, 6, 0);

	th_case("clip opset 13 max absent");
	b = mb_new(13);
	const float zero[1] = {0}, want_relu[6] = {0, 0.5f, 2, 6, 7, 0};
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "lo", 0, NULL, zero);
	mb_node(&b, "Clip", "x,lo,", "y");
	check_run(&b, false, in, "y", want_relu, 6, 0);

	th_case("clip_bad: min -1");
	b = mb_new(13);
	const float m1[1] = {-1};
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "lo", 0, NULL, m1);
	mb_node(&b, "Clip", "x,lo", "y");
	check_error(&b, false, "node Clip_0 (Clip)", "min is -1");

	th_case("clip_bad: no min (opset 9)");
	b = mb_new(9);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_f(mb_node(&b, "Clip", "x", "y"), "max", 6);
	check_error(&b, false, "node Clip_0 (Clip)", "only Clip(0, max)");
}

/* ---- pooling ---- */

static void pool_case(const char *name, const int64_t *pads, bool include_pad, const char *auto_pad, int pt,
		      int pl, int OH, int OW)
{
	th_case("avgpool %s", name);
	enum { C = 2, H = 5, W = 6 };
	float x[C * H * W], want[C * 4 * 4];
	fe_fill(x, sizeof x / 4, 31);
	const int64_t xd[] = {1, C, H, W}, k[] = {2, 2};
	mb b = mb_new(11);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	Onnx__NodeProto *n = mb_node(&b, "AveragePool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 2, k);
	mb_attr_ints(n, "strides", 2, k);
	if (pads)
		mb_attr_ints(n, "pads", 4, pads);
	if (include_pad)
		mb_attr_i(n, "count_include_pad", 1);
	if (auto_pad)
		mb_attr_s(n, "auto_pad", auto_pad);
	ref_avgpool(x, C, H, W, 2, 2, 2, pt, pl, OH, OW, include_pad, want);
	check_run(&b, false, x, "y", want, (size_t)(C * OH * OW), 1e-6f);
}

static void test_pool(void)
{
	pool_case("kernel 2 stride 2", NULL, false, NULL, 0, 0, 2, 3);
	const int64_t p[] = {1, 1, 0, 1};
	pool_case("pads excluded from the count", p, false, NULL, 1, 1, 3, 4);
	pool_case("pads included in the count", p, true, NULL, 1, 1, 3, 4);
	pool_case("SAME_UPPER", NULL, false, "SAME_UPPER", 0, 0, 3, 3);

	th_case("global average pool");
	const int64_t xd[] = {1, 3, 2, 2};
	float x[12], want[3];
	fe_fill(x, 12, 32);
	for (int c = 0; c < 3; c++)
		want[c] = (x[4 * c] + x[4 * c + 1] + x[4 * c + 2] + x[4 * c + 3]) / 4;
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_node(&b, "GlobalAveragePool", "x", "y");
	check_run(&b, false, x, "y", want, 3, 1e-6f);

	th_case("avgpool_bad: ceil_mode that changes the size");
	b = mb_new(13);
	const int64_t x5[] = {1, 1, 5, 5}, k2[] = {2, 2};
	mb_input(&b, "x", 4, x5);
	mb_output(&b, "y");
	Onnx__NodeProto *n = mb_node(&b, "AveragePool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_attr_i(n, "ceil_mode", 1);
	check_error(&b, false, "node AveragePool_0 (AveragePool)", "ceil_mode");

	th_case("avgpool_bad: dilations 2 (an attribute since opset 19)");
	b = mb_new(19);
	mb_input(&b, "x", 4, x5);
	mb_output(&b, "y");
	n = mb_node(&b, "AveragePool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_attr_ints(n, "dilations", 2, k2);
	check_error(&b, false, "node AveragePool_0 (AveragePool)", "use dilations 1");

	th_case("maxpool_bad: refused without --approximate");
	b = mb_new(13);
	mb_input(&b, "x", 4, x5);
	mb_output(&b, "y");
	n = mb_node(&b, "MaxPool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	check_error(&b, false, "node MaxPool_0 (MaxPool)", "use AveragePool");

	th_case("maxpool approximated by average pooling");
	b = mb_new(13);
	const int64_t x4[] = {1, 1, 4, 4};
	float in[16], wantp[4];
	fe_fill(in, 16, 33);
	mb_input(&b, "x", 4, x4);
	mb_output(&b, "y");
	n = mb_node(&b, "MaxPool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	ref_avgpool(in, 1, 4, 4, 2, 2, 2, 0, 0, 2, 2, false, wantp);
	check_run(&b, true, in, "y", wantp, 4, 1e-6f);
}

/* ---- activations the front end refuses or approximates ---- */

static void test_refused_activations(void)
{
	static const char *const acts[] = {"Tanh", "Sigmoid", "LeakyRelu", "Elu"};
	for (int k = 0; k < 4; k++) {
		char node[64];
		snprintf(node, sizeof node, "node %s_0 (%s)", acts[k], acts[k]);
		th_case("%s_bad: refused, with Relu named", acts[k]);
		mb b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_node(&b, acts[k], "x", "y");
		check_error(&b, false, node, "use Relu");

		th_case("%s approximated as a ReLU", acts[k]);
		b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		Onnx__NodeProto *n = mb_node(&b, acts[k], "x", "y");
		if (!strcmp(acts[k], "LeakyRelu"))
			mb_attr_f(n, "alpha", 0.1f);
		const float in[6] = {-1, 2, 0, -3, 0.5f, 9}, want[6] = {0, 2, 0, 0, 0.5f, 9};
		check_run(&b, true, in, "y", want, 6, 0);
	}

	th_case("unknown_bad: an operator nobody defines");
	mb b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Frobnicate", "x", "y");
	check_error(&b, false, "node Frobnicate_0 (Frobnicate)", "weighted sums (Conv");

	/* the families the table names, each with why and the nearest alternative */
	static const struct {
		const char *op, *why, *alt;
	} family[] = {{"Exp", "element-wise exponential", "use Relu"},
		      {"ReduceMean", "a reduction (a mean)", "use GlobalAveragePool"},
		      {"ArgMax", "the readout takes the arg-max", "layer before the ArgMax"},
		      {"Einsum", "product of two layers' outputs", "use MatMul or Gemm"},
		      {"Where", "comparisons and selections", "readout's arg-max"},
		      {"DepthToSpace", "not a route", "ConvTranspose or Resize"}};
	for (size_t k = 0; k < sizeof family / sizeof family[0]; k++) {
		char node[80];
		snprintf(node, sizeof node, "node %s_0 (%s)", family[k].op, family[k].op);
		th_case("%s_bad: why and the nearest alternative", family[k].op);
		b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_node(&b, family[k].op, "x", "y");
		check_error(&b, false, node, family[k].why);
		b = mb_new(13);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		mb_node(&b, family[k].op, "x", "y");
		check_error(&b, false, node, family[k].alt);
	}

	th_case("ml_bad: classic machine-learning operator");
	b = mb_new(13);
	mb_import(&b, "ai.onnx.ml", 3);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node_in(&b, "ai.onnx.ml", "TreeEnsembleClassifier", "x", "y");
	check_error(&b, false, "node TreeEnsembleClassifier_0 (TreeEnsembleClassifier)", "ai.onnx.ml");

	th_case("lstm_bad: recurrent layer");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "LSTM", "x", "y");
	check_error(&b, false, "node LSTM_0 (LSTM)", "recurrent");
}

/* ---- padding and layout ---- */

static void test_pad(void)
{
	const int64_t xd[] = {1, 1, 2, 3};
	const float x[6] = {1, 2, 3, 4, 5, 6};
	/* pads: top 1, left 0, bottom 0, right 2 -> [1,1,3,5] */
	const float want[15] = {0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0};
	const int64_t pads[8] = {0, 0, 1, 0, 0, 0, 0, 2}, pd[] = {8};
	for (int v = 0; v < 2; v++) {
		th_case("pad opset %d", v ? 13 : 9);
		mb b = mb_new(v ? 13 : 9);
		mb_input(&b, "x", 4, xd);
		mb_output(&b, "y");
		if (v) {
			mb_init_i64(&b, "p", 1, pd, pads);
			mb_node(&b, "Pad", "x,p", "y");
		} else {
			mb_attr_ints(mb_node(&b, "Pad", "x", "y"), "pads", 8, pads);
		}
		check_run(&b, false, x, "y", want, 15, 0);
	}

	th_case("pad_bad: reflect mode");
	mb b = mb_new(9);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	Onnx__NodeProto *n = mb_node(&b, "Pad", "x", "y");
	mb_attr_ints(n, "pads", 8, pads);
	mb_attr_s(n, "mode", "reflect");
	check_error(&b, false, "node Pad_0 (Pad)", "reflect");

	th_case("pad_bad: value 1");
	b = mb_new(9);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	n = mb_node(&b, "Pad", "x", "y");
	mb_attr_ints(n, "pads", 8, pads);
	mb_attr_f(n, "value", 1);
	check_error(&b, false, "node Pad_0 (Pad)", "zeros");
}

static void test_shapes(void)
{
	const int64_t xd[] = {1, 2, 3, 4};
	float x[24];
	fe_fill(x, 24, 41);

	th_case("flatten, reshape 0/-1, squeeze, unsqueeze (opset 11 attributes)");
	mb b = mb_new(11);
	const int64_t s1[] = {0, 3, -1}, sd[] = {3}, ax[] = {1}, ax0[] = {0};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "s", 1, sd, s1);
	mb_attr_i(mb_node(&b, "Flatten", "x", "f"), "axis", 2);	/* [2, 12] */
	mb_node(&b, "Reshape", "f,s", "r");	/* [2, 3, 4] */
	mb_attr_ints(mb_node(&b, "Unsqueeze", "r", "u"), "axes", 1, ax);	/* [2, 1, 3, 4] */
	mb_attr_ints(mb_node(&b, "Squeeze", "u", "q"), "axes", 1, ax);	/* [2, 3, 4] */
	mb_attr_ints(mb_node(&b, "Unsqueeze", "q", "y"), "axes", 1, ax0);	/* [1, 2, 3, 4] */
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		const ir_tensor *f = &g.tensors[fe_tensor_named(&g, "f")], *r = &g.tensors[fe_tensor_named(&g, "r")];
		const ir_tensor *u = &g.tensors[fe_tensor_named(&g, "u")], *y = &g.tensors[fe_tensor_named(&g, "y")];
		th_expect(f->rank == 2 && f->dims[0] == 2 && f->dims[1] == 12, "flatten shape");
		th_expect(r->rank == 3 && r->dims[0] == 2 && r->dims[1] == 3 && r->dims[2] == 4, "reshape shape");
		th_expect(u->rank == 4 && u->dims[1] == 1 && u->dims[2] == 3, "unsqueeze shape");
		th_expect(y->rank == 4 && y->dims[0] == 1 && y->dims[1] == 2, "final shape");
		ir_values v;
		if (th_expect(ir_values_init(&g, &v) == 0, "init")) {
			ir_run(&g, &v, x);
			fe_close_all(v.v[fe_tensor_named(&g, "y")], x, 24, 0, "y");
			ir_values_free(&v);
		}
		ir_free(&g);
	}

	th_case("squeeze and unsqueeze with axes inputs (opset 13)");
	b = mb_new(13);
	const int64_t one[] = {1}, ax_m1[] = {-1};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "a", 1, one, ax_m1);
	mb_node(&b, "Unsqueeze", "x,a", "u");	/* [1,2,3,4,1] */
	mb_node(&b, "Squeeze", "u,a", "y");
	check_run(&b, false, x, "y", x, 24, 0);

	th_case("transpose NCHW to NHWC");
	b = mb_new(13);
	const int64_t perm[] = {0, 2, 3, 1};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_attr_ints(mb_node(&b, "Transpose", "x", "y"), "perm", 4, perm);
	float want[24];
	for (int c = 0; c < 2; c++)
		for (int h = 0; h < 3; h++)
			for (int w = 0; w < 4; w++)
				want[(h * 4 + w) * 2 + c] = x[(c * 3 + h) * 4 + w];
	check_run(&b, false, x, "y", want, 24, 0);

	th_case("transpose of one channel becomes a Reshape");
	b = mb_new(13);
	const int64_t nhwc[] = {1, 3, 4, 1}, to_nchw[] = {0, 3, 1, 2};
	mb_input(&b, "x", 4, nhwc);
	mb_output(&b, "y");
	mb_attr_ints(mb_node(&b, "Transpose", "x", "y"), "perm", 4, to_nchw);
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		const ir_node *n = &g.nodes[0];
		const ir_tensor *s = n->n_in == 2 ? &g.tensors[n->in[1]] : NULL;
		th_expect(!strcmp(n->op_type, "Reshape") && s && s->i && s->dims[0] == 4 && s->i[1] == 1 &&
				  s->i[2] == 3 && s->i[3] == 4,
			  "not rewritten to Reshape(x, [1,1,3,4]): %s", n->op_type);
		ir_values v;
		if (th_expect(ir_values_init(&g, &v) == 0, "init")) {
			ir_run(&g, &v, x);
			fe_close_all(v.v[fe_tensor_named(&g, "y")], x, 12, 0, "y");
			ir_values_free(&v);
		}
		ir_free(&g);
	}

	th_case("concat and gather of computed floats");
	b = mb_new(13);
	const int64_t pick[2] = {-1, 0}, pd[] = {2};
	const int64_t kd2[] = {1, 1, 3, 4};
	float k12[12];
	fe_fill(k12, 12, 42);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "k", 4, kd2, k12);
	mb_init_i64(&b, "idx", 1, pd, pick);
	mb_attr_i(mb_node(&b, "Concat", "x,k", "c"), "axis", 1);	/* [1, 3, 3, 4] */
	mb_attr_i(mb_node(&b, "Gather", "c,idx", "y"), "axis", 2);	/* rows 2 and 0: [1, 3, 2, 4] */
	float cat[36], want2[24];
	memcpy(cat, x, sizeof x);
	memcpy(cat + 24, k12, sizeof k12);
	for (int c = 0; c < 3; c++)
		for (int r = 0; r < 2; r++)
			for (int w = 0; w < 4; w++)
				want2[(c * 2 + r) * 4 + w] = cat[(c * 3 + (r ? 0 : 2)) * 4 + w];
	check_run(&b, false, x, "y", want2, 24, 0);

	th_case("shape with start (opset 15) folds into a reshape");
	b = mb_new(15);
	const int64_t one1[] = {1}, onev[] = {1};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "lead", 1, one1, onev);
	mb_attr_i(mb_node(&b, "Shape", "x", "tail"), "start", 1);	/* [2, 3, 4] */
	mb_attr_i(mb_node(&b, "Concat", "lead,tail", "s"), "axis", 0);
	mb_node(&b, "Reshape", "x,s", "y");
	check_run(&b, false, x, "y", x, 24, 0);

	th_case("reshape_bad: element count differs");
	b = mb_new(13);
	const int64_t bad[] = {1, 5, -1};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "s", 1, sd, bad);
	mb_node(&b, "Reshape", "x,s", "y");
	check_error(&b, false, "node Reshape_0 (Reshape)", "cannot infer -1");

	th_case("squeeze_bad: axis of size 2");
	b = mb_new(11);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_attr_ints(mb_node(&b, "Squeeze", "x", "y"), "axes", 1, ax);
	check_error(&b, false, "node Squeeze_0 (Squeeze)", "not 1");

	th_case("unsqueeze_bad: axes attribute in opset 13");
	b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_attr_ints(mb_node(&b, "Unsqueeze", "x", "y"), "axes", 1, ax);
	check_error(&b, false, "node Unsqueeze_0 (Unsqueeze)", "input since opset 13");
}

static void test_identity_dropout(void)
{
	const float x[6] = {1, -2, 3, -4, 5, -6};
	th_case("identity and dropout (opset 9, ratio attribute, mask output)");
	mb b = mb_new(9);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Identity", "x", "i");
	mb_attr_f(mb_node(&b, "Dropout", "i", "y,mask"), "ratio", 0.5f);
	check_run(&b, false, x, "y", x, 6, 0);

	th_case("dropout opset 13 with ratio and training_mode inputs");
	b = mb_new(13);
	const float half[1] = {0.5f};
	const int64_t no[1] = {0};
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "r", 0, NULL, half);
	Onnx__TensorProto *t = mb_init_i64(&b, "t", 0, NULL, no);
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__BOOL;	/* stored in int32_data */
	t->n_int32_data = t->n_int64_data;
	t->int32_data = calloc(1, sizeof *t->int32_data);
	t->n_int64_data = 0;
	mb_node(&b, "Dropout", "x,r,t", "y");
	check_run(&b, false, x, "y", x, 6, 0);

	th_case("dropout_bad: training mode");
	b = mb_new(13);
	const int64_t yes[1] = {1};
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_init(&b, "r", 0, NULL, half);
	mb_init_i64(&b, "t", 0, NULL, yes);
	mb_node(&b, "Dropout", "x,r,t", "y");
	check_error(&b, false, "node Dropout_0 (Dropout)", "eval mode");
}

static void test_softmax(void)
{
	const int64_t xd[] = {1, 2, 3};
	float x[6], want[6];
	fe_fill(x, 6, 51);
	for (int v = 0; v < 4; v++) {
		bool legacy = v < 2, log_form = v & 1;
		th_case("%s opset %d", log_form ? "logsoftmax" : "softmax", legacy ? 11 : 13);
		mb b = mb_new(legacy ? 11 : 13);
		mb_input(&b, "x", 3, xd);
		mb_output(&b, "y");
		mb_node(&b, log_form ? "LogSoftmax" : "Softmax", "x", "y");
		if (legacy) {	/* axis 1: coerced to [1, 6], one softmax over all */
			ref_softmax(x, 6, want, log_form);
		} else {	/* axis -1: one softmax per row of 3 */
			ref_softmax(x, 3, want, log_form);
			ref_softmax(x + 3, 3, want + 3, log_form);
		}
		check_run(&b, false, x, "y", want, 6, 1e-6f);
	}
}

/* ---- constant folding ---- */

/* x.view(x.size(0), -1) as PyTorch exports it: Shape, Gather, Unsqueeze,
 * Concat, Reshape. */
static void pytorch_flatten(mb *b, int64_t opset, const char *in, const char *out)
{
	const int64_t one[] = {1}, zero_idx[1] = {0}, minus1[1] = {-1};
	mb_init_i64(b, "idx0", 0, NULL, zero_idx);
	mb_init_i64(b, "m1", 1, one, minus1);
	mb_node(b, "Shape", in, "shp");
	mb_attr_i(mb_node(b, "Gather", "shp,idx0", "n"), "axis", 0);
	if (opset >= 13) {
		mb_init_i64(b, "ax0", 1, one, zero_idx);
		mb_node(b, "Unsqueeze", "n,ax0", "n1");
	} else {
		mb_attr_ints(mb_node(b, "Unsqueeze", "n", "n1"), "axes", 1, zero_idx);
	}
	mb_attr_i(mb_node(b, "Concat", "n1,m1", "newshape"), "axis", 0);
	char ins[64];
	snprintf(ins, sizeof ins, "%s,newshape", in);
	mb_node(b, "Reshape", ins, out);
}

static void test_folding(void)
{
	const int64_t xd[] = {MB_DYN, 2, 2, 2};
	float x[8];
	fe_fill(x, 8, 61);
	for (int v = 0; v < 2; v++) {
		int64_t opset = v ? 13 : 9;
		th_case("pytorch dynamic-batch flatten folds (opset %lld)", (long long)opset);
		mb b = mb_new(opset);
		mb_input(&b, "x", 4, xd);
		mb_output(&b, "y");
		pytorch_flatten(&b, opset, "x", "y");
		ir_graph g;
		snn_diag d;
		if (!th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg))
			continue;
		int live = 0;
		for (int k = 0; k < g.n_nodes; k++)
			live += !g.nodes[k].dead;
		const ir_tensor *y = &g.tensors[fe_tensor_named(&g, "y")];
		const ir_tensor *s = &g.tensors[fe_tensor_named(&g, "newshape")];
		th_expect(live == 1 && !node_named(&g, "Reshape_4")->dead, "%d live nodes, want only the Reshape",
			  live);
		th_expect(s->i && s->i[0] == 1 && s->i[1] == -1, "shape not folded to [1, -1]");
		th_expect(y->rank == 2 && y->dims[0] == 1 && y->dims[1] == 8, "output shape not [1, 8]");
		th_expect(g.tensors[g.input].dims[0] == 1, "dynamic batch not set to 1");
		ir_free(&g);
	}

	th_case("integer shape arithmetic folds (Gather, Mul, Add, Sub, Div, Cast, Unsqueeze, Concat)");
	const int64_t xd4[] = {1, 2, 3, 4}, one_d[] = {1};
	const int64_t i1[1] = {1}, im1[1] = {-1}, i0[1] = {0};
	float x24[24];
	fe_fill(x24, 24, 62);
	mb b = model_xy(13, 4, xd4);
	mb_init_i64(&b, "one", 0, NULL, i1);
	mb_init_i64(&b, "m1", 1, one_d, im1);
	mb_init_i64(&b, "ax0", 1, one_d, i0);
	mb_init(&b, "two_f", 0, NULL, (const float[]){2});
	mb_node(&b, "Shape", "x", "shp");
	for (int k = 1; k <= 3; k++) {
		char idx[16], out[16];
		snprintf(idx, sizeof idx, "i%d", k);
		snprintf(out, sizeof out, "d%d", k);
		mb_init_i64(&b, idx, 0, NULL, (const int64_t[]){k});
		char ins[32];
		snprintf(ins, sizeof ins, "shp,%s", idx);
		mb_node(&b, "Gather", ins, out);
	}
	mb_node(&b, "Mul", "d1,d2", "ch");
	mb_node(&b, "Mul", "ch,d3", "chw");	/* 24 */
	mb_node(&b, "Add", "chw,one", "t");	/* 25 */
	mb_node(&b, "Sub", "t,one", "t2");	/* 24 */
	mb_attr_i(mb_node(&b, "Cast", "two_f", "two"), "to", 7);
	mb_node(&b, "Div", "t2,two", "half");	/* 12 */
	mb_node(&b, "Unsqueeze", "half,ax0", "u");
	mb_attr_i(mb_node(&b, "Concat", "m1,u", "s"), "axis", 0);	/* [-1, 12] */
	mb_node(&b, "Reshape", "x,s", "y");
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		const ir_tensor *y = &g.tensors[fe_tensor_named(&g, "y")];
		th_expect(y->rank == 2 && y->dims[0] == 2 && y->dims[1] == 12, "y is not [2, 12]");
		ir_free(&g);
	}

	th_case("int_div_bad: integer division by zero");
	b = model_xy(13, 4, xd4);
	mb_init_i64(&b, "zero", 0, NULL, i0);
	mb_node(&b, "Shape", "x", "shp");
	mb_node(&b, "Div", "shp,zero", "y");
	check_error(&b, false, "node Div_1 (Div)", "division by zero");

	th_case("constant sub-graphs fold (Constant, Cast, Mul, Transpose of a weight)");
	const int64_t wd[] = {3, 2}, x13[] = {1, 3};
	const float w[6] = {1, 2, 3, 4, 5, 6};
	const float in[3] = {1, -1, 2};
	b = model_xy(13, 2, x13);
	mb_init(&b, "Wt", 2, wd, w);	/* [3, 2], transposed to [2, 3] then back */
	mb_attr_t(mb_node(&b, "Constant", "", "two"), "value", mb_tensor("two", 0, NULL, (const float[]){2}));
	const int64_t i3[] = {3};
	mb_attr_ints(mb_node(&b, "Constant", "", "ints"), "value_ints", 1, i3);
	mb_attr_i(mb_node(&b, "Cast", "ints", "three"), "to", 1);
	mb_attr_ints(mb_node(&b, "Transpose", "Wt", "W1"), "perm", 2, (const int64_t[]){1, 0});
	mb_node(&b, "Transpose", "W1", "W2");
	mb_node(&b, "Mul", "W2,two", "W3");
	mb_node(&b, "MatMul", "x,W3", "h");
	mb_node(&b, "Add", "h,three", "y");
	/* y[j] = sum_k in[k] * 2 w[k][j] + 3 */
	const float want[2] = {2 * (1 - 3 + 10) + 3, 2 * (2 - 4 + 12) + 3};
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		const ir_node *mm = node_named(&g, "MatMul_6");
		th_expect(mm && !mm->dead && g.tensors[mm->in[1]].f, "MatMul's weight is not a folded constant");
		for (int k = 0; k < g.n_nodes; k++)
			th_expect(g.nodes[k].dead == (k < 6), "node %s dead=%d", g.nodes[k].name, g.nodes[k].dead);
		ir_values v;
		if (th_expect(ir_values_init(&g, &v) == 0, "init")) {
			ir_run(&g, &v, in);
			fe_close_all(v.v[g.outputs[0]], want, 2, 1e-6f, "y");
			ir_values_free(&v);
		}
		ir_free(&g);
	}

	th_case("cast_bad: to int8");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_i(mb_node(&b, "Cast", "x", "y"), "to", 3);
	check_error(&b, false, "node Cast_0 (Cast)", "type 3");

	th_case("cast_bad: integers computed from the input");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_i(mb_node(&b, "Cast", "x", "xi"), "to", 7);
	mb_attr_i(mb_node(&b, "Cast", "xi", "y"), "to", 1);
	check_error(&b, false, "node Cast_0 (Cast)", "integer data");

	th_case("dead branches are pruned");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Relu", "x", "y");
	mb_node(&b, "Identity", "x", "unused");
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		th_expect(!g.nodes[0].dead && g.nodes[1].dead, "the unused Identity is live");
		ir_free(&g);
	}

	th_case("nodes out of order are sorted");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Relu", "h", "y");
	mb_node(&b, "Identity", "x", "h");
	const float xs[6] = {-1, 1, -2, 2, -3, 3}, ys[6] = {0, 1, 0, 2, 0, 3};
	check_run(&b, false, xs, "y", ys, 6, 0);

	th_case("cycle_bad");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Add", "x,b", "a");
	mb_node(&b, "Relu", "a", "b");
	mb_node(&b, "Identity", "b", "y");
	check_error(&b, false, "cycle", NULL);
}

/* ---- snn domain ---- */

static void test_snn(void)
{
	const float x[6] = {-1, 0.5f, 1, 1.5f, 3, 10};
	th_case("snn.IF: max(0, x) / v_th * amplitude");
	mb b = mb_new(13);
	mb_import(&b, "snn", 1);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	Onnx__NodeProto *n = mb_node_in(&b, "snn", "IF", "x", "y");
	mb_attr_f(n, "v_th", 2);
	mb_attr_f(n, "amplitude", 3);
	mb_attr_s(n, "reset", "zero");
	float want[6];
	for (int i = 0; i < 6; i++)
		want[i] = x[i] > 0 ? x[i] * 1.5f : 0;
	check_run(&b, false, x, "y", want, 6, 1e-6f);

	static const char *const lifs[] = {"LIF", "SoftLIFRate"};
	for (int k = 0; k < 2; k++) {
		th_case("snn.%s: the LIF rate curve", lifs[k]);
		b = mb_new(13);
		mb_import(&b, "snn", 1);
		mb_input(&b, "x", 2, D1x6);
		mb_output(&b, "y");
		n = mb_node_in(&b, "snn", lifs[k], "x", "y");
		mb_attr_f(n, "tau_rc", 0.02f);
		mb_attr_f(n, "tau_ref", 0.004f);
		mb_attr_f(n, "v_th", 1);
		mb_attr_f(n, "amplitude", 0.5f);
		for (int i = 0; i < 6; i++)	/* 1 / (tau_ref + tau_rc ln(x / (x - 1))) */
			want[i] = x[i] > 1 ? (float)(0.5 / (0.004 + 0.02 * log(x[i] / (x[i] - 1.0)))) : 0;
		check_run(&b, false, x, "y", want, 6, 1e-5f);
	}

	th_case("snn.Izhikevich loads and resolves");
	b = mb_new(13);
	mb_import(&b, "snn", 1);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	n = mb_node_in(&b, "snn", "Izhikevich", "x", "y");
	mb_attr_f(n, "a", 0.02f);
	mb_attr_f(n, "b", 0.2f);
	mb_attr_f(n, "c", -65);
	mb_attr_f(n, "d", 8);
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		th_expect(g.snn_opset == 1, "snn_opset %lld", (long long)g.snn_opset);
		ir_free(&g);
	}

	th_case("snn_bad: reset \"sometimes\"");
	b = mb_new(13);
	mb_import(&b, "snn", 1);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_s(mb_node_in(&b, "snn", "IF", "x", "y"), "reset", "sometimes");
	check_error(&b, false, "node IF_0 (IF)", "reset");

	th_case("snn_bad: LIF tau_rc 0");
	b = mb_new(13);
	mb_import(&b, "snn", 1);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_f(mb_node_in(&b, "snn", "LIF", "x", "y"), "tau_rc", 0);
	check_error(&b, false, "node LIF_0 (LIF)", "tau_rc");
}

/* ---- everything together ---- */

enum { LC1 = 2, LC2 = 3, LF = 10, LOUT = 4 };

/* x[1,1,8,8] -> Conv3x3 -> Relu -> AvgPool2 -> Conv2x2 pad 1 -> BN -> Relu ->
 * flatten (PyTorch's Shape chain) -> Gemm -> Relu -> Gemm -> Softmax */
static mb lenet_like(const float *p, int64_t opset)
{
	const int64_t xd[] = {MB_DYN, 1, 8, 8}, w1[] = {LC1, 1, 3, 3}, w2[] = {LC2, LC1, 2, 2};
	const int64_t c1[] = {LC1}, c2[] = {LC2}, w3[] = {LF, LC2 * 16}, f[] = {LF}, w4[] = {LOUT, LF}, o[] = {LOUT};
	const int64_t k2[] = {2, 2}, pad1[] = {1, 1, 1, 1};
	mb b = mb_new(opset);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "prob");
	mb_init(&b, "W1", 4, w1, p);
	mb_init(&b, "B1", 1, c1, p + 18);
	mb_init(&b, "W2", 4, w2, p + 20);
	mb_init(&b, "bn_s", 1, c2, p + 44);
	mb_init(&b, "bn_b", 1, c2, p + 47);
	mb_init(&b, "bn_m", 1, c2, p + 50);
	const float var[3] = {0.5f, 1, 2};
	mb_init(&b, "bn_v", 1, c2, var);
	mb_init(&b, "W3", 2, w3, p + 56);
	mb_init(&b, "B3", 1, f, p + 536);
	mb_init(&b, "W4", 2, w4, p + 546);
	mb_init(&b, "B4", 1, o, p + 586);
	mb_node(&b, "Conv", "x,W1,B1", "c1");
	mb_node(&b, "Relu", "c1", "r1");
	Onnx__NodeProto *n = mb_node(&b, "AveragePool", "r1", "p1");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_attr_ints(mb_node(&b, "Conv", "p1,W2", "c2"), "pads", 4, pad1);
	mb_node(&b, "BatchNormalization", "c2,bn_s,bn_b,bn_m,bn_v", "bn");
	mb_node(&b, "Relu", "bn", "r2");
	pytorch_flatten(&b, opset, "r2", "flat");
	n = mb_node(&b, "Gemm", "flat,W3,B3", "fc");
	mb_attr_i(n, "transB", 1);
	mb_node(&b, "Relu", "fc", "r3");
	mb_attr_i(mb_node(&b, "Gemm", "r3,W4,B4", "logits"), "transB", 1);
	mb_attr_i(mb_node(&b, "Softmax", "logits", "prob"), "axis", 1);
	return b;
}

static void test_lenet_like(void)
{
	float p[600], x[64];
	fe_fill(p, 600, 71);
	fe_fill(x, 64, 72);
	for (int i = 0; i < 64; i++)
		x[i] = (x[i] + 1) / 2;
	/* the reference, layer by layer */
	float c1[LC1 * 36], p1[LC1 * 9], c2[LC2 * 16], fc[LF], logits[LOUT], prob[LOUT];
	ref_conv(x, 1, 8, 8, p, LC1, 3, 3, p + 18, 1, 0, 0, 6, 6, c1);
	for (int i = 0; i < LC1 * 36; i++)
		c1[i] = c1[i] > 0 ? c1[i] : 0;
	ref_avgpool(c1, LC1, 6, 6, 2, 2, 2, 0, 0, 3, 3, false, p1);
	ref_conv(p1, LC1, 3, 3, p + 20, LC2, 2, 2, NULL, 1, 1, 1, 4, 4, c2);
	const float var[3] = {0.5f, 1, 2};
	for (int i = 0; i < LC2 * 16; i++) {
		int c = i / 16;
		float v = (float)((c2[i] - p[50 + c]) / sqrt(var[c] + 1e-5) * p[44 + c] + p[47 + c]);
		c2[i] = v > 0 ? v : 0;
	}
	ref_gemm(c2, p + 56, p + 536, 1, LC2 * 16, LF, 1, 1, true, fc);
	for (int i = 0; i < LF; i++)
		fc[i] = fc[i] > 0 ? fc[i] : 0;
	ref_gemm(fc, p + 546, p + 586, 1, LF, LOUT, 1, 1, true, logits);
	ref_softmax(logits, LOUT, prob, false);

	for (int v = 0; v < 2; v++) {
		int64_t opset = v ? 13 : 9;
		th_case("lenet-like network, opset %lld: logits and softmax", (long long)opset);
		mb b = lenet_like(p, opset);
		check_run(&b, false, x, "logits", logits, LOUT, 1e-5f);
		b = lenet_like(p, opset);
		check_run(&b, false, x, "prob", prob, LOUT, 1e-5f);
	}

	th_case("lenet-like network lowers to four layers");
	mb b = lenet_like(p, 13);
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "%s", d.msg)) {
		snnc_options opt = {.target = snn_profile_default(), .input_scale = 1.0f / 255};
		snn_net net;
		if (th_expect(snn_lower(&g, &opt, &net, &d) == 0, "snn_lower: %s", d.msg)) {
			th_expect(net.n_layers == 4, "%d layers, want 4", net.n_layers);
			snn_net_free(&net);
		}
		ir_free(&g);
	}
}

/* ---- initializer encodings ---- */

static void test_types(void)
{
	th_case("initializers as DOUBLE, FLOAT16 (raw), BFLOAT16 (typed) and INT32 (raw)");
	const float zeros[6] = {0}, x[6] = {1, 2, 3, 4, 5, 6};
	const double dv[6] = {0.5, -1.25, 1e-3, 2, -4, 1e3};
	const uint16_t half[6] = {0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000};
	const float half_f[6] = {1, -2, 0.5f, 65504, 5.9604645e-8f, 0};
	const int32_t bf16[6] = {0x3f80, 0xc040, 0, 0x4120, 0x3e80, 0xbf00};	/* 1 -3 0 10 .25 -.5 */
	const float bf_f[6] = {1, -3, 0, 10, 0.25f, -0.5f};
	const int32_t shape[2] = {6, -1};
	mb b = model_xy(13, 2, D1x6);
	Onnx__TensorProto *t = mb_init(&b, "cd", 2, D1x6, zeros);
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	t->n_float_data = 0;
	t->n_double_data = 6;
	t->double_data = malloc(sizeof dv);
	memcpy(t->double_data, dv, sizeof dv);
	t = mb_init_raw(&b, "ch", 2, D1x6, zeros);
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
	t->raw_data.len = 12;
	for (int i = 0; i < 6; i++) {
		t->raw_data.data[2 * i] = half[i] & 0xff;
		t->raw_data.data[2 * i + 1] = half[i] >> 8;
	}
	t = mb_init(&b, "cb", 2, D1x6, zeros);
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
	t->n_float_data = 0;
	t->n_int32_data = 6;
	t->int32_data = malloc(sizeof bf16);
	memcpy(t->int32_data, bf16, sizeof bf16);
	t = mb_init_raw(&b, "shape", 1, (const int64_t[]){2}, zeros);
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
	t->raw_data.len = 8;
	for (int i = 0; i < 8; i++)
		t->raw_data.data[i] = (uint8_t)((uint32_t)shape[i / 4] >> (8 * (i % 4)));
	mb_node(&b, "Add", "x,cd", "a");
	mb_node(&b, "Add", "a,ch", "h");
	mb_node(&b, "Add", "h,cb", "r");
	mb_node(&b, "Reshape", "r,shape", "y");	/* [6, 1] */
	float want[6];
	for (int i = 0; i < 6; i++)
		want[i] = x[i] + (float)dv[i] + half_f[i] + bf_f[i];
	check_run(&b, false, x, "y", want, 6, 1e-6f);
}

/* ---- malformed files ---- */

static void write_bytes(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "cannot write %s\n", p);
		exit(2);
	}
}

/* Load the file at path (already written) and expect failure with needle. */
static void check_file_error(const char *needle)
{
	ir_graph g;
	snn_diag d = {{0}};
	int rc = ir_load(path, &g, &d);
	if (!rc) {
		rc = ir_resolve(&g, false, &d);
		ir_free(&g);
	}
	th_expect(rc < 0, "loaded a file that must fail (%s)", needle);
	th_expect(strstr(d.msg, needle) != NULL, "message lacks \"%s\": %s", needle, d.msg);
}

static size_t varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		if (out)
			out[n] = byte | (v ? 0x80 : 0);
		n++;
	} while (v);
	return n;
}

/* model.graph.node.attribute, then levels x (attribute.g.node.attribute):
 * lengths worked out from the inside, bytes written from the outside. */
static void write_deep(const char *p, int levels)
{
	size_t n = 3 + 3 * (size_t)levels, total = 0;
	uint8_t *field = malloc(n), *buf;
	uint64_t *len = malloc((n + 1) * sizeof *len);
	field[0] = 7, field[1] = 1, field[2] = 5;
	for (size_t k = 3; k < n; k += 3)
		field[k] = 6, field[k + 1] = 1, field[k + 2] = 5;
	len[n] = 0;
	for (size_t k = n; k-- > 0;)	/* len[k]: payload of level k */
		len[k] = len[k + 1] + (k + 1 < n ? 1 + varint(NULL, len[k + 1]) : 0);
	total = 1 + varint(NULL, len[0]) + len[0];
	buf = malloc(total);
	size_t pos = 0;
	for (size_t k = 0; k < n; k++) {
		buf[pos++] = (uint8_t)(field[k] << 3 | 2);
		pos += varint(buf + pos, len[k]);
	}
	write_bytes(p, buf, pos);
	free(field);
	free(len);
	free(buf);
}

static mb gemm_model(void)
{
	const int64_t xd[] = {1, 4}, wd[] = {4, 2};
	const float w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	mb b = mb_new(13);
	mb_input(&b, "x", 2, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 2, wd, w);
	mb_node(&b, "Gemm", "x,W", "y");
	return b;
}

static void test_bad_files(void)
{
	th_case("truncated_bad: half a protobuf");
	mb b = gemm_model();
	size_t len;
	uint8_t *buf = mb_pack(&b, &len);
	mb_free(&b);
	write_bytes(path, buf, len / 2);
	check_file_error("does not parse");
	for (size_t cut = 1; cut < len; cut += 7) {	/* no cut may crash */
		write_bytes(path, buf, cut);
		ir_graph g;
		snn_diag d;
		if (ir_load(path, &g, &d) == 0) {
			ir_resolve(&g, false, &d);
			ir_free(&g);
		}
	}
	free(buf);

	th_case("garbage_bad");
	static const char garbage[] = "\x08\x07\x12\xff\xff\xff\xff\x0f junk";
	write_bytes(path, garbage, sizeof garbage - 1);
	check_file_error("does not parse");

	th_case("deep_nesting_bad: 100000 nested sub-graphs (would overflow protobuf-c's stack)");
	write_deep(path, 100000);
	check_file_error("nest more than");

	th_case("empty_bad");
	write_bytes(path, "", 0);
	check_file_error("no graph");

	th_case("missing_file_bad");
	unlink(path);
	check_file_error("No such file");

	th_case("raw_data_bad: length mismatch");
	b = gemm_model();
	const int64_t wd[] = {4, 2};
	const float w[8] = {0};
	Onnx__TensorProto *t = mb_init_raw(&b, "R", 2, wd, w);
	t->raw_data.len = 31;
	check_error(&b, false, "initializer R: raw_data has 31 bytes", NULL);

	th_case("negative_dims_bad");
	b = gemm_model();
	b.g->initializer[0]->dims[0] = -4;
	check_error(&b, false, "initializer W: dimension 0 is negative", NULL);

	th_case("huge_dims_bad");
	b = gemm_model();
	b.g->initializer[0]->dims[0] = INT64_C(1) << 40;
	b.g->initializer[0]->dims[1] = INT64_C(1) << 40;
	check_error(&b, false, "initializer W: has more than", NULL);

	th_case("huge_claim_bad: dims of 2^30 elements over 4 bytes of data (fuzzer find: allocated first)");
	b = gemm_model();
	t = mb_init_raw(&b, "R", 1, (const int64_t[]){1}, w);
	t->dims[0] = INT64_C(1) << 30;
	check_error(&b, false, "initializer R: raw_data has 4 bytes", NULL);
	b = gemm_model();
	b.g->initializer[0]->dims[0] = INT64_C(1) << 28;
	check_error(&b, false, "initializer W: has 8 values; its shape needs", NULL);

	th_case("fold_bad: folding a constant Pad of 2^28 zeros");
	b = gemm_model();
	const int64_t big_pads[2] = {0, INT64_C(1) << 28};
	mb_init_i64(&b, "bp", 1, (const int64_t[]){2}, big_pads);
	mb_init(&b, "one", 1, (const int64_t[]){1}, w);
	mb_node(&b, "Pad", "one,bp", "padded");
	check_error(&b, false, "node Pad_1 (Pad): folding it would make a constant", NULL);

	th_case("typed_count_bad: fewer values than the shape");
	b = gemm_model();
	b.g->initializer[0]->n_float_data = 5;
	check_error(&b, false, "initializer W: has 5 values", NULL);

	th_case("nan_bad: a NaN weight");
	b = gemm_model();
	b.g->initializer[0]->float_data[3] = NAN;
	check_error(&b, false, "initializer W: element 3 is not a finite number", NULL);

	th_case("int8_bad: quantised weights");
	b = gemm_model();
	b.g->initializer[0]->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
	check_error(&b, false, "initializer W: data type 3", "quantised");

	th_case("missing_input_bad: node input nobody produces");
	b = gemm_model();
	mb_node(&b, "Relu", "nowhere", "z");
	check_error(&b, false, "node Relu_1 (Relu): input nowhere is not produced", NULL);

	th_case("missing_output_bad: graph output nobody produces");
	b = gemm_model();
	mb_output(&b, "ghost");
	check_error(&b, false, "graph output ghost", NULL);

	th_case("duplicate_output_bad: two nodes write one tensor");
	b = gemm_model();
	mb_node(&b, "Relu", "x", "y");
	check_error(&b, false, "node Relu_1 (Relu): output y is already produced", NULL);

	th_case("two_inputs_bad");
	b = gemm_model();
	mb_input(&b, "x2", 2, (const int64_t[]){1, 4});
	check_error(&b, false, "more than one graph input (x and x2)", NULL);

	th_case("no_input_bad");
	b = mb_new(13);
	mb_output(&b, "y");
	mb_attr_f(mb_node(&b, "Constant", "", "y"), "value_float", 1);
	check_error(&b, false, "no graph input", NULL);

	th_case("fixed_batch_bad: batch 2");
	b = gemm_model();
	b.g->input[0]->type->tensor_type->shape->dim[0]->dim_value = 2;
	check_error(&b, false, "fixed batch size of 2", NULL);

	th_case("unknown_dim_bad: symbolic width");
	b = mb_new(13);
	mb_input(&b, "x", 2, (const int64_t[]){1, MB_DYN});
	mb_output(&b, "y");
	mb_node(&b, "Relu", "x", "y");
	check_error(&b, false, "input x: dimension 1 is unknown", NULL);

	th_case("no_shape_bad: input without shape");
	b = mb_new(13);
	mb_input(&b, "x", -1, NULL);
	mb_output(&b, "y");
	mb_node(&b, "Relu", "x", "y");
	check_error(&b, false, "input x: has no shape", NULL);

	th_case("opset_bad: opset 8 and opset 23");
	b = gemm_model();
	b.m->opset_import[0]->version = 8;
	check_error(&b, false, "opset 8 is not supported", NULL);
	b = gemm_model();
	b.m->opset_import[0]->version = 23;
	check_error(&b, false, "opset 23 is not supported (9 to 22 are)", NULL);
	b = gemm_model();
	free(b.m->opset_import[0]->domain);
	b.m->opset_import[0]->domain = strdup("com.example");
	check_error(&b, false, "no opset of the default ONNX domain", NULL);

	th_case("attr_type_bad: strides as an int");
	b = mb_new(13);
	const int64_t xd[] = {1, 1, 4, 4}, cw[] = {1, 1, 3, 3};
	const float w9[9] = {0};
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, cw, w9);
	mb_attr_i(mb_node(&b, "Conv", "x,W", "y"), "strides", 2);
	check_error(&b, false, "node Conv_0 (Conv): attribute strides is an int; it must be a list of ints", NULL);

	th_case("attr_type_bad: Gemm alpha as an int, Flatten axis as a float");
	b = gemm_model();
	mb_attr_i(b.g->node[0], "alpha", 2);
	check_error(&b, false, "node Gemm_0 (Gemm): attribute alpha is an int; it must be a float", NULL);
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_attr_f(mb_node(&b, "Flatten", "x", "y"), "axis", 1);
	check_error(&b, false, "node Flatten_0 (Flatten): attribute axis is a float", NULL);

	th_case("attr_bad: unknown attribute, attribute twice, untyped attribute");
	b = gemm_model();
	mb_attr_i(b.g->node[0], "bogus", 1);
	check_error(&b, false, "node Gemm_0 (Gemm): unknown attribute bogus", NULL);
	b = gemm_model();
	mb_attr_f(b.g->node[0], "alpha", 1);
	mb_attr_f(b.g->node[0], "alpha", 2);
	check_error(&b, false, "node Gemm_0 (Gemm): attribute alpha appears twice", NULL);
	b = gemm_model();
	mb_attr_f(b.g->node[0], "alpha", 1);
	b.g->node[0]->attribute[0]->has_type = 0;
	check_error(&b, false, "node Gemm_0 (Gemm): attribute alpha: has no type", NULL);

	th_case("empty_string_bad: auto_pad \"\" (fuzzer find: empty bytes unpack as NULL)");
	b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, cw, w9);
	mb_attr_s(mb_node(&b, "Conv", "x,W", "y"), "auto_pad", "");
	check_error(&b, false, "node Conv_0 (Conv): unknown auto_pad", NULL);

	th_case("initializers also listed as graph inputs stay constants");
	b = gemm_model();
	mb_input(&b, "W", 2, (const int64_t[]){4, 2});
	const float x4[4] = {1, 0, 0, 1}, want_w[2] = {1 + 7, 2 + 8};
	check_run(&b, false, x4, "y", want_w, 2, 0);

	th_case("domain ai.onnx is the default domain");
	b = gemm_model();
	mb_node_in(&b, "ai.onnx", "Relu", "y", "r");
	mb_output(&b, "r");
	check_run(&b, false, x4, "r", want_w, 2, 0);

	th_case("graph_attr_bad: an If node's sub-graph");
	b = gemm_model();
	Onnx__NodeProto *n = mb_node(&b, "If", "y", "z");
	mb_attr_i(n, "then_branch", 0);
	n->attribute[0]->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
	n->attribute[0]->has_i = 0;
	n->attribute[0]->g = calloc(1, sizeof(Onnx__GraphProto));
	onnx__graph_proto__init(n->attribute[0]->g);
	check_error(&b, false, "node If_1 (If): attribute then_branch: graph attributes", NULL);

	th_case("input_type_bad: an int64 graph input");
	b = gemm_model();
	b.g->input[0]->type->tensor_type->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	check_error(&b, false, "input x: element type 7; the input must be FLOAT", NULL);

	th_case("rank_bad: a 9-D initializer");
	b = gemm_model();
	mb_init(&b, "r9", 9, (const int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, w);
	check_error(&b, false, "initializer r9: has 9 dimensions", NULL);

	th_case("two_fields_bad: raw and typed data at once");
	b = gemm_model();
	t = b.g->initializer[0];
	t->has_raw_data = 1;
	t->raw_data.len = 32;
	t->raw_data.data = calloc(32, 1);
	check_error(&b, false, "initializer W: holds data in more than one place", NULL);

	th_case("directory_bad: the model path is a directory");
	ir_graph g;
	snn_diag d;
	th_expect(ir_load(dir, &g, &d) < 0 && strstr(d.msg, "is a directory; only regular files are read"), "loaded a directory: %s", d.msg);

	th_case("input_count_bad: Gemm with one input");
	b = mb_new(13);
	mb_input(&b, "x", 2, D1x6);
	mb_output(&b, "y");
	mb_node(&b, "Gemm", "x", "y");
	check_error(&b, false, "node Gemm_0 (Gemm): has 1 inputs; it takes 2 to 3", NULL);
}

/* Model W stored in file ext (relative to the model) at offset/length. */
static mb external_model(const char *location, const char *offset, const char *length)
{
	mb b = gemm_model();
	Onnx__TensorProto *t = b.g->initializer[0];
	free(t->float_data);
	t->float_data = NULL;
	t->n_float_data = 0;
	t->has_data_location = 1;
	t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	const char *kv[] = {"location", location, "offset", offset, "length", length};
	for (int k = 0; k < 3; k++) {
		if (!kv[2 * k + 1])
			continue;
		Onnx__StringStringEntryProto *e = calloc(1, sizeof *e);
		onnx__string_string_entry_proto__init(e);
		e->key = strdup(kv[2 * k]);
		e->value = strdup(kv[2 * k + 1]);
		t->external_data = realloc(t->external_data, (t->n_external_data + 1) * sizeof *t->external_data);
		t->external_data[t->n_external_data++] = e;
	}
	return b;
}

static void test_external(void)
{
	/* weights.bin: 16 bytes of padding, then W as little-endian floats */
	uint8_t data[16 + 32] = {0};
	const float w[8] = {1, -2, 3, -4, 5, -6, 7, -8};
	for (int i = 0; i < 8; i++) {
		uint32_t u;
		memcpy(&u, &w[i], 4);
		for (int k = 0; k < 4; k++)
			data[16 + 4 * i + k] = (uint8_t)(u >> (8 * k));
	}
	char p[192];
	snprintf(p, sizeof p, "%s/weights.bin", dir);
	write_bytes(p, data, sizeof data);

	th_case("external data inside the model's directory");
	mb b = external_model("weights.bin", "16", "32");
	const float x[4] = {1, 1, 1, 1}, want[2] = {1 + 3 + 5 + 7, -2 - 4 - 6 - 8};
	check_run(&b, false, x, "y", want, 2, 0);

	th_case("external_bad: ../ escapes the directory");
	b = external_model("../weights.bin", NULL, NULL);
	check_error(&b, false, "initializer W: external data path ../weights.bin leaves", NULL);

	th_case("external_bad: absolute path");
	b = external_model("/etc/passwd", NULL, NULL);
	check_error(&b, false, "initializer W: external data path /etc/passwd is absolute", NULL);

	th_case("external_bad: symlink out of the directory");
	snprintf(p, sizeof p, "%s/link.bin", dir);
	unlink(p);
	if (th_expect(symlink("/etc/passwd", p) == 0, "symlink failed")) {
		b = external_model("link.bin", NULL, NULL);
		check_error(&b, false, "initializer W: external data link.bin resolves outside", NULL);
		unlink(p);
	}

	th_case("external_bad: beyond the end of the file");
	b = external_model("weights.bin", "24", "32");
	check_error(&b, false, "initializer W: external data (offset 24, length 32) is beyond the end", NULL);

	th_case("external_bad: length does not match the shape");
	b = external_model("weights.bin", "0", "48");
	check_error(&b, false, "initializer W: external data has 48 bytes", NULL);

	th_case("external_bad: missing file");
	b = external_model("absent.bin", NULL, NULL);
	check_error(&b, false, "initializer W: external data absent.bin", NULL);

	th_case("external_bad: a FIFO does not block the load");
	snprintf(p, sizeof p, "%s/fifo.bin", dir);
	unlink(p);
	if (th_expect(mkfifo(p, 0600) == 0, "mkfifo failed")) {
		b = external_model("fifo.bin", NULL, NULL);
		check_error(&b, false, "initializer W: external data fifo.bin", "is a FIFO");
		unlink(p);
	}

	th_case("external_bad: offset not a number");
	b = external_model("weights.bin", "-16", NULL);
	check_error(&b, false, "initializer W: external data offset or length is not a number", NULL);

	/* Last: from here on this process guards its inputs, as snnc does.
	 * An output onto a model's external data file (not on the command
	 * line, so only known once it is read) must be refused. */
	th_case("external_data_is_an_input_of_the_run_bad");
	snn_file_guard_inputs();
	b = external_model("weights.bin", "16", "32");
	ir_graph g;
	snn_diag d;
	if (th_expect(load(&b, false, &g, &d) == 0, "load: %s", d.msg)) {
		snprintf(p, sizeof p, "%s/weights.bin", dir);
		th_expect(snn_output_write(p, "x", 1, &d) != 0 && strstr(d.msg, "the same file as the input"),
			  "writing over the external data: %s", d.msg);
		ir_free(&g);
	}
}

static void cleanup(void)
{
	char p[192];
	static const char *const files[] = {"m.onnx", "weights.bin", "link.bin"};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[k]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/snnc_onnx_XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	test_relu();
	test_gemm();
	test_matmul();
	test_binary();
	test_conv();
	test_batchnorm();
	test_clip();
	test_pool();
	test_refused_activations();
	test_pad();
	test_shapes();
	test_identity_dropout();
	test_softmax();
	test_folding();
	test_snn();
	test_lenet_like();
	test_types();
	test_bad_files();
	test_external();
	cleanup();
	return th_done("test_onnx_ops");
}
