/* Upsampling in the compiler (issue 15): ConvTranspose and nearest
 * Resize/Upsample. The float executor against values worked out by hand
 * and against PyTorch on the autoencoder fixture;
 * the lowered deconv layers (fe_net_forward: each input scattering its
 * kernel, net.h) against the executor running the ONNX operators one by
 * one, so that a wrong weight transpose or a wrong folding of Resize into
 * the Conv after it shows; their images decompile (ConvTranspose, with
 * output_padding) and compile back to the same bytes; what the
 * deconv mode cannot run is refused with the node and the reason, and a
 * board target refuses an upsampling layer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "../cli/run_cmd.h"
#include "snn/encode.h"
#include "ir.h"
#include "net.h"
#include "front_end.h"
#include "onnx_build.h"

static char dir[64], path[128];

/* ---- the float executor on hand-worked cases ---- */

/* y = the graph's output for x; n values compared with want. */
static void expect_run(mb b, const float *x, const float *want, size_t n, const char *what)
{
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "front end: %s", d.msg))
		return;
	ir_values v = {0};
	if (th_expect(ir_values_init(&g, &v) == 0, "out of memory")) {
		ir_run(&g, &v, x);
		th_expect(ir_numel(&g.tensors[g.outputs[0]]) == (int64_t)n, "%s: %lld outputs, want %zu", what,
			  (long long)ir_numel(&g.tensors[g.outputs[0]]), n);
		fe_close_all(v.v[g.outputs[0]], want, n, 1e-6f, what);
		ir_values_free(&v);
	}
	ir_free(&g);
}

/* x [1, 1, 2, 2] = 1 2 / 3 4 through a ConvTranspose of kernel 1 10 / 100
 * 1000, stride 2, pads p (all four sides): the input's values spread 2
 * apart, each stamping the kernel. */
static mb convtranspose_hand(int64_t p)
{
	static const int64_t xd[] = {1, 1, 2, 2}, wd[] = {1, 1, 2, 2};
	static const float w[] = {1, 10, 100, 1000};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "W", 4, wd, w);
	Onnx__NodeProto *n = mb_node(&b, "ConvTranspose", "x,W", "y");
	int64_t st[] = {2, 2}, pads[] = {p, p, p, p};
	mb_attr_ints(n, "strides", 2, st);
	mb_attr_ints(n, "pads", 4, pads);
	return b;
}

/* x [1, 1, 2, 2] upsampled 2 x: Resize (opset 13, PyTorch's asymmetric
 * floor, or the default half_pixel round_prefer_floor) or Upsample (opset 9). */
static mb upsample_hand(const char *op, bool asymmetric)
{
	static const int64_t xd[] = {1, 1, 2, 2}, sd[] = {4};
	static const float scales[] = {1, 1, 2, 2};
	bool resize = !strcmp(op, "Resize");
	mb b = mb_new(resize ? 13 : 9);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init(&b, "scales", 1, sd, scales);
	Onnx__NodeProto *n = mb_node(&b, op, resize ? "x,,scales" : "x,scales", "y");
	mb_attr_s(n, "mode", "nearest");
	if (asymmetric) {
		mb_attr_s(n, "coordinate_transformation_mode", "asymmetric");
		mb_attr_s(n, "nearest_mode", "floor");
	}
	return b;
}

static void hand_cases(void)
{
	static const float x[] = {1, 2, 3, 4};
	static const float full[] = {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000};
	static const float cropped[] = {1000, 200, 30, 4};
	static const float up[] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
	th_case("convtranspose_stride2");
	expect_run(convtranspose_hand(0), x, full, 16, "ConvTranspose stride 2");
	th_case("convtranspose_pads");
	expect_run(convtranspose_hand(1), x, cropped, 4, "ConvTranspose stride 2, pads 1");
	th_case("resize_nearest_asymmetric");
	expect_run(upsample_hand("Resize", true), x, up, 16, "Resize 2x asymmetric floor");
	th_case("resize_nearest_half_pixel");
	expect_run(upsample_hand("Resize", false), x, up, 16, "Resize 2x half_pixel");
	th_case("upsample_opset9");
	expect_run(upsample_hand("Upsample", false), x, up, 16, "Upsample 2x");
}

/* ---- lowered layers against the executor ---- */

enum { C = 2, H = 5, W = 4, M = 3, O = 2 };

static Onnx__NodeProto *weighted(mb *b, const char *op, const char *in, const char *out, const char *tag,
				 const int64_t wd[4], int64_t n_bias, unsigned seed)
{
	char wn[32], bn[32], ins[96];
	float w[512], bias[16];
	fe_fill(w, (size_t)(wd[0] * wd[1] * wd[2] * wd[3]), seed);
	fe_fill(bias, (size_t)n_bias, seed + 100);
	snprintf(wn, sizeof wn, "%s.W", tag);
	snprintf(bn, sizeof bn, "%s.B", tag);
	mb_init(b, wn, 4, wd, w);
	mb_init(b, bn, 1, &n_bias, bias);
	snprintf(ins, sizeof ins, "%s,%s,%s", in, wn, bn);
	return mb_node(b, op, ins, out);
}

static void resize_node(mb *b, const char *in, const char *out, const char *scales_name, float s, const char *mode)
{
	static const int64_t sd[] = {4};
	float scales[] = {1, 1, s, s};
	char ins[96];
	mb_init(b, scales_name, 1, sd, scales);
	snprintf(ins, sizeof ins, "%s,,%s", in, scales_name);
	Onnx__NodeProto *n = mb_node(b, "Resize", ins, out);
	mb_attr_s(n, "mode", mode);
}

/* ConvTranspose 3x3 stride 2 pads (1, 1, 0, 0) output_padding 1, Relu,
 * ConvTranspose 2x2 stride 1 (the readout). */
static mb two_convtransposes(void)
{
	static const int64_t xd[] = {1, C, H, W}, w1[] = {C, M, 3, 3}, w2[] = {M, O, 2, 2};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	Onnx__NodeProto *n = weighted(&b, "ConvTranspose", "x", "t1", "t1", w1, M, 1);
	int64_t st[] = {2, 2}, pads[] = {1, 1, 0, 0}, op[] = {1, 1};	/* 11 x 9: more than a crop of 0 */
	mb_attr_ints(n, "strides", 2, st);
	mb_attr_ints(n, "pads", 4, pads);
	mb_attr_ints(n, "output_padding", 2, op);
	mb_node(&b, "Relu", "t1", "a1");
	weighted(&b, "ConvTranspose", "a1", "y", "t2", w2, O, 2);
	return b;
}

/* Conv, Relu; Resize 2x, Conv 3x3 pad 1, Relu; Resize 3x (half_pixel),
 * Conv 2x2 pads (1, 0, 0, 1) (the readout). */
static mb upsampled_convs(void)
{
	static const int64_t xd[] = {1, C, H, W}, w1[] = {M, C, 1, 1}, w2[] = {M, M, 3, 3}, w3[] = {O, M, 2, 2};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	weighted(&b, "Conv", "x", "c1", "c1", w1, M, 3);
	mb_node(&b, "Relu", "c1", "a1");
	resize_node(&b, "a1", "u1", "s1", 2, "nearest");
	Onnx__NodeProto *n = weighted(&b, "Conv", "u1", "c2", "c2", w2, M, 4);
	int64_t p1[] = {1, 1, 1, 1}, p2[] = {1, 0, 0, 1};
	mb_attr_ints(n, "pads", 4, p1);
	mb_node(&b, "Relu", "c2", "a2");
	resize_node(&b, "a2", "u2", "s2", 3, "nearest");
	n = weighted(&b, "Conv", "u2", "y", "c3", w3, O, 5);
	mb_attr_ints(n, "pads", 4, p2);
	return b;
}

/* The lowered layers give the executor's output on random inputs, and
 * every upsampling layer became a deconv layer (n_deconv of them). */
static void lowered_case(const char *name, mb b, int n_deconv)
{
	th_case("%s_lowered", name);
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "front end: %s", d.msg))
		return;
	snnc_options opt = fe_options();
	snn_net net;
	ir_values v = {0};
	int rc = snn_lower(&g, &opt, &net, &d);
	if (th_expect(rc == 0, "lowering: %s", d.msg) && th_expect(ir_values_init(&g, &v) == 0, "out of memory")) {
		int deconv = 0;
		for (int i = 0; i < net.n_layers; i++)
			deconv += net.layers[i].deconv;
		th_expect(deconv == n_deconv, "%d deconv layers, want %d", deconv, n_deconv);
		int64_t n_out = ir_numel(&g.tensors[g.outputs[0]]);
		float x[C * H * W], *got = calloc((size_t)n_out, sizeof *got);
		for (unsigned k = 0; k < 4 && got; k++) {
			fe_fill(x, C * H * W, 50 + k);
			for (int i = 0; i < C * H * W; i++)
				x[i] = fabsf(x[i]);	/* spike rates: never negative */
			ir_run(&g, &v, x);
			fe_net_forward(&net, x, got);
			fe_close_all(got, v.v[g.outputs[0]], (size_t)n_out, 1e-4f, "the lowered deconv layers");
		}
		free(got);
		ir_values_free(&v);
	}
	if (rc == 0)
		snn_net_free(&net);
	ir_free(&g);
}

/* ---- the fixture against PyTorch ---- */

#define AUTOENC "models/fixtures/autoenc/fashion_autoenc"
#define FASHION100 "models/fixtures/fashion-test100-images-idx3-ubyte.gz"

/* The next line of f that is not a "# " comment, into line; false at the end. */
static bool data_line(FILE *f, char *line, size_t cap)
{
	while (fgets(line, (int)cap, f))
		if (line[0] != '#')
			return true;
	return false;
}

/* snnc's float executor on the autoencoder fixture (a Resize and a
 * ConvTranspose among its nodes) gives PyTorch's reconstructions of the
 * 100 test images, recorded by models/autoenc.py. */
static void fixture_executor(void)
{
	th_case("autoenc_fixture_executor");
	ir_graph g;
	snn_diag d;
	snn_idx images;
	if (!th_expect(ir_load(AUTOENC ".onnx", &g, &d) == 0, "load: %s", d.msg))
		return;
	FILE *ref = fopen(AUTOENC ".ref", "r");
	ir_values v = {0};
	static char line[1 << 16];
	if (th_expect(ir_resolve(&g, false, &d) == 0, "resolve: %s", d.msg) &&
	    th_expect(snn_idx_read(FASHION100, &images, &d) == 0, "%s", d.msg)) {
		if (th_expect(ref && ir_values_init(&g, &v) == 0, "no %s.ref", AUTOENC)) {
			float x[784];
			double worst = 0;
			size_t k = 0;
			for (; k < images.count && data_line(ref, line, sizeof line); k++) {
				for (int i = 0; i < 784; i++)
					x[i] = images.data[k * 784 + i] / 255.0f;
				ir_run(&g, &v, x);
				const float *y = v.v[g.outputs[0]];
				char *p = line;
				for (int i = 0; i < 784; i++) {
					double want = strtod(p, &p);
					worst = fmax(worst, fabs(y[i] - want));
				}
			}
			printf("  autoenc fixture: %zu images, max |executor - PyTorch| %.3g\n", k, worst);
			th_expect(k == images.count && worst < 1e-4, "%zu of %zu images, max difference %g", k,
				  images.count, worst);
			ir_values_free(&v);
		}
		snn_idx_free(&images);
		ir_free(&g);
	} else {
		ir_free(&g);
	}
	if (ref)
		fclose(ref);
}

/* ---- decompile ---- */

/* The model compiled, decompiled to ONNX-SNN (a ConvTranspose per deconv
 * layer, with output_padding where the crop is negative) and compiled
 * again gives the same image. */
static void round_trip(const char *name, mb b)
{
	th_case("%s_decompile_round_trip", name);
	if (fe_decompile_round_trip(&b, dir, name, "") && strstr(name, "convtranspose")) {
		static char out[256];
		int rc = run_cmd(out, sizeof out, "grep -c output_padding %s/%s.snn.onnx", dir, name);
		th_expect(rc == 0, "the ONNX-SNN model has no output_padding: %s", out);
	}
	char snn[160];
	snprintf(snn, sizeof snn, "%s/%s.snn.onnx", dir, name);
	unlink(snn);
}

/* ---- refusals ---- */

/* The front end or lowering (for target, if not NULL) refuses b, naming
 * node and why. */
static void expect_refused(const char *what, mb b, const char *target, const char *node, const char *why)
{
	th_case("%s_bad", what);
	ir_graph g;
	snn_diag d;
	int rc = fe_load(&b, path, false, &g, &d);
	if (rc == 0) {
		snnc_options opt = fe_options();
		if (target)
			opt.target = snn_profile_find(target);
		snn_net net;
		snn_mapping map;
		rc = snn_lower(&g, &opt, &net, &d);
		if (rc == 0) {
			rc = snn_map(&net, &opt, &map, &d);
			if (rc == 0)
				snn_mapping_free(&map);
			snn_net_free(&net);
		}
		ir_free(&g);
	}
	th_expect(rc != 0 && strstr(d.msg, node) && strstr(d.msg, why), "exit %d: \"%s\" lacks \"%s\" or \"%s\"", rc,
		  d.msg, node, why);
}

/* x, Conv 1x1, Relu, then what: "linear" (Resize bilinear), "half" (Resize
 * by 0.5), "gemm" (Resize, Flatten, Gemm), "end" (the model ends in the
 * Resize), "group" (ConvTranspose of group 2), "stride" (a Conv 3x3 of
 * stride 2), "pool3" (Conv 3x3 padded by 2, Relu, AveragePool 3x3, Conv
 * 1x1), else Resize 2x and a Conv. */
static mb bad_model(const char *what)
{
	static const int64_t xd[] = {1, C, H, W}, w1[] = {2, C, 1, 1}, wt[] = {2, 1, 2, 2}, wg[] = {2 * H * W * 4, 3};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	weighted(&b, "Conv", "x", "c1", "c1", w1, 2, 7);
	mb_node(&b, "Relu", "c1", "a1");
	if (!strcmp(what, "stride")) {
		static const int64_t w2[] = {1, 2, 3, 3}, s2[] = {2, 2};
		mb_attr_ints(weighted(&b, "Conv", "a1", "y", "c2", w2, 1, 9), "strides", 2, s2);
		return b;
	}
	if (!strcmp(what, "pool3")) {	/* padded to 7x6, pooled to 2x2 */
		static const int64_t w2[] = {2, 2, 3, 3}, w3[] = {1, 2, 1, 1}, k3[] = {3, 3}, p2[] = {2, 2, 2, 2};
		mb_attr_ints(weighted(&b, "Conv", "a1", "c2", "c2", w2, 2, 9), "pads", 4, p2);
		mb_node(&b, "Relu", "c2", "a2");
		Onnx__NodeProto *p = mb_node(&b, "AveragePool", "a2", "p");
		mb_attr_ints(p, "kernel_shape", 2, k3);
		mb_attr_ints(p, "strides", 2, k3);
		weighted(&b, "Conv", "p", "y", "c3", w3, 1, 10);
		return b;
	}
	if (!strcmp(what, "group")) {
		Onnx__NodeProto *n = weighted(&b, "ConvTranspose", "a1", "y", "t", wt, 2, 8);
		mb_attr_i(n, "group", 2);
		return b;
	}
	resize_node(&b, "a1", !strcmp(what, "end") ? "y" : "u", "s", !strcmp(what, "half") ? 0.5f : 2.0f,
		    !strcmp(what, "linear") ? "linear" : "nearest");
	if (!strcmp(what, "gemm")) {
		static float w[2 * H * W * 4 * 3];
		mb_node(&b, "Flatten", "u", "f");
		mb_init(&b, "G", 2, wg, w);
		mb_node(&b, "Gemm", "f,G", "y");
	} else if (strcmp(what, "end")) {
		static const int64_t w2[] = {1, 2, 3, 3};
		weighted(&b, "Conv", "u", "y", "c2", w2, 1, 9);
	}
	return b;
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/snnc_deconv.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	hand_cases();
	lowered_case("convtranspose", two_convtransposes(), 2);
	lowered_case("resize_conv", upsampled_convs(), 2);
	fixture_executor();
	round_trip("convtranspose", two_convtransposes());
	round_trip("resize_conv", upsampled_convs());
	expect_refused("resize_bilinear", bad_model("linear"), NULL, "node Resize", "mode linear is not supported");
	expect_refused("resize_downscale", bad_model("half"), NULL, "node Resize", "scale 0.5 along axis 2");
	expect_refused("resize_before_gemm", bad_model("gemm"), NULL, "node Gemm", "over an upsampled map");
	expect_refused("model_ends_in_resize", bad_model("end"), NULL, "model.onnx", "ends in a Resize");
	expect_refused("convtranspose_grouped", bad_model("group"), NULL, "ConvTranspose", "group = 2");
	expect_refused("deconv_on_icebreaker", bad_model("conv"), "icebreaker", "target icebreaker",
		       "built without the deconv core mode");
	/* nor strides above 1 or pools other than 1 and 2 (no divider) */
	expect_refused("strided_conv_on_icebreaker", bad_model("stride"), "icebreaker", "layer Conv_",
		       "stride 2 is not supported on target icebreaker");
	expect_refused("pool3_on_icebreaker", bad_model("pool3"), "icebreaker", "layer Conv_",
		       "3x3 pooling is not supported on target icebreaker");
	unlink(path);
	rmdir(dir);
	return th_done("test_deconv");
}
