/* The data-free default's messages (docs/snnc.md, "Scales without data"):
 * where snnc cannot estimate a layer's scale without --calib it says so,
 * naming the layer or input and what to pass, and it stays quiet where it
 * can. Also: without --calib the same model gives the same image, the
 * image records where its scales came from, and the scale choice on the
 * synthetic images keeps the candidate it names. Models are built in code and
 * compiled by snnc as a user runs it (BUILD, default build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "../cli/run_cmd.h"
#include "onnx_build.h"

static char dir[] = "/tmp/snn_data_free_test.XXXXXX";
static char snnc[512];
static char out[65536];

/* a command's exit status, its output in out */
#define run(...) run_cmd(out, sizeof out, __VA_ARGS__)

/* input (rank 2 [1, n_in] or 4 [1, 1, 28, 28]), Gemm to 16 with bias
 * hidden_bias, Relu (v_th > 0: snn.IF with v_th = amplitude), Gemm to 3.
 * Weights a fixed pattern in [-0.05, 0.05]. */
static int write_snn_mlp(const char *path, int rank, int n_in, float hidden_bias, float v_th)
{
	static const int64_t img[4] = {1, 1, 28, 28};
	int64_t vec[2] = {1, n_in}, w1d[2] = {n_in, 16}, b1d[1] = {16}, w2d[2] = {16, 3}, b2d[1] = {3};
	float *w1 = malloc((size_t)n_in * 16 * sizeof *w1), b1[16], w2[48], b2[3] = {0.1f, 0, -0.1f};
	for (int i = 0; i < n_in * 16; i++)
		w1[i] = (float)((i * 7919 % 101) - 50) / 1000.0f;
	for (int i = 0; i < 16; i++)
		b1[i] = hidden_bias;
	for (int i = 0; i < 48; i++)
		w2[i] = (float)((i * 31 % 17) - 8) / 10.0f;
	mb b = mb_new(13);
	if (v_th > 0)
		mb_import(&b, "snn", 1);
	mb_input(&b, "input", rank, rank == 4 ? img : vec);
	mb_output(&b, "logits");
	mb_init(&b, "W1", 2, w1d, w1);
	mb_init(&b, "B1", 1, b1d, b1);
	mb_init(&b, "W2", 2, w2d, w2);
	mb_init(&b, "B2", 1, b2d, b2);
	free(w1);
	mb_node(&b, "Flatten", "input", "flat");
	mb_node(&b, "Gemm", "flat,W1,B1", "h");
	if (v_th > 0) {
		Onnx__NodeProto *n = mb_node_in(&b, "snn", "IF", "h", "r");
		mb_attr_f(n, "v_th", v_th);
		mb_attr_f(n, "amplitude", v_th);
	} else {
		mb_node(&b, "Relu", "h", "r");
	}
	mb_node(&b, "Gemm", "r,W2,B2", "logits");
	int rc = mb_write(&b, path);
	mb_free(&b);
	return rc;
}

static int write_mlp(const char *path, int rank, int n_in, float hidden_bias)
{
	return write_snn_mlp(path, rank, n_in, hidden_bias, 0);
}

/* The image's metadata value of key, from the raw bytes ("key=value\n"). */
static bool meta_has(const char *path, const char *kv)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i + strlen(kv) <= n; i++)
		if (!memcmp(buf + i, kv, strlen(kv)))
			return true;
	return false;
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	if (!mkdtemp(dir))
		return 1;
	char model[600], cfg[600], cfg2[600];
	snprintf(model, sizeof model, "%s/m.onnx", dir);
	snprintf(cfg, sizeof cfg, "%s/m.cfg", dir);
	snprintf(cfg2, sizeof cfg2, "%s/m2.cfg", dir);

	th_case("image_input_quiet");
	th_expect(write_mlp(model, 4, 784, 0.1f) == 0, "writing %s", model);
	int rc = run("%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && !strstr(out, "warning") && strstr(out, "synthetic images"),
		  "an image model: a note, no warning: exit %d: %s", rc, out);
	th_case("data_free_deterministic");
	rc = run("%s %s -o %s", snnc, model, cfg2);
	th_expect(rc == 0 && same_file(cfg, cfg2), "two compiles without --calib differ: %s", out);
	th_case("data_free_recorded_in_metadata");
	th_expect(meta_has(cfg, "normalisation=synthetic, 256 images, error-optimal at T=32"),
		  "the image does not say its scales are synthetic");

	th_case("flat_square_input_is_an_image");
	th_expect(write_mlp(model, 2, 784, 0.1f) == 0, "writing %s", model);
	rc = run("%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && !strstr(out, "warning"), "784 values are drawn as 28 x 28: exit %d: %s", rc, out);

	th_case("vector_input_warns_bad");
	th_expect(write_mlp(model, 2, 30, 0.1f) == 0, "writing %s", model);
	rc = run("%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && strstr(out, "warning: the input input is a vector of 30 values") &&
			  strstr(out, "--calib IMAGES"),
		  "a vector input must be named as a guess, with what to pass: exit %d: %s", rc, out);

	th_case("silent_layer_warns_bad");
	th_expect(write_mlp(model, 4, 784, -1000.0f) == 0, "writing %s", model);
	rc = run("%s %s -o %s", snnc, model, cfg);
	const char *warned = strstr(out, "warning: layer Gemm_1 never activates on 256 synthetic images");
	th_expect(rc == 0 && warned && strstr(out, "--calib IMAGES"),
		  "a layer the synthetic images never activate must be named: exit %d: %s", rc, out);
	th_expect(!warned || !strstr(strstr(warned, "never activates") + 1, "never activates"),
		  "the scale choice's second candidate must not warn again: %s", out);
	th_case("silent_layer_warned_once_with_calib");
	rc = run("%s %s -o %s --calib models/fixtures/mnist-test100-images-idx3-ubyte.gz", snnc, model, cfg);
	warned = strstr(out, "warning: layer Gemm_1 never activates on the 100 calibration images");
	th_expect(rc == 0 && warned, "a layer the calibration images never activate must be named: exit %d: %s", rc,
		  out);
	th_expect(!warned || !strstr(strstr(warned, "never activates") + 1, "never activates"),
		  "the --calib choice's second candidate must not warn again: %s", out);
	th_case("silent_onnx_snn_layer_keeps_its_scale");
	th_expect(write_snn_mlp(model, 4, 784, -1000.0f, 2.5f) == 0, "writing %s", model);
	rc = run("%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && !strstr(out, "warning") && meta_has(cfg, "normalisation=model, checked on synthetic"),
		  "an ONNX-SNN layer the images never activate keeps the model's scale: exit %d: %s", rc, out);
	th_case("info_stays_cheap");
	rc = run("%s info %s", snnc, model);
	th_expect(rc == 0 && !strstr(out, "synthetic") && !strstr(out, "warning"),
		  "info only sizes the model: exit %d: %s", rc, out);

	/* The scale choice without data (docs/snnc.md, "SCALES AT T"): the
	 * error-optimal scale or the 99.5th percentile, judged on the
	 * synthetic images; the image is the kept candidate's, byte for byte,
	 * and an explicit --percentile is taken as given. fashion_resnet keeps
	 * the percentile, fashion_bn the error-optimal scale (docs/benchmarks.md,
	 * "The scale choice without data"): the test sees both ways. */
	static const char *const fixtures[] = {"fashion_resnet", "fashion_bn"};
	for (int i = 0; i < 2; i++) {
		th_case(i ? "choice_keeps_error_optimal" : "choice_takes_percentile");
		rc = run("%s models/fixtures/%s.onnx -o %s -v", snnc, fixtures[i], cfg);
		const char *line = strstr(out, "scales at T = 32: the ANN's class on ");
		bool pct = line && strstr(line, "of 256 synthetic images") && strstr(line, "99.5th percentile kept");
		bool opt = line && strstr(line, "of 256 synthetic images") && strstr(line, "error-optimal scale kept");
		th_expect(rc == 0 && (i ? opt : pct), "%s without --calib: exit %d, the choice's line: %s", fixtures[i],
			  rc, line ? line : out);
		rc = run("%s models/fixtures/%s.onnx -o %s --percentile %s -v", snnc, fixtures[i], cfg2,
			 i ? "auto" : "99.5");
		th_expect(rc == 0 && !strstr(out, "scales at T") && same_file(cfg, cfg2),
			  "%s: the chosen image is not what --percentile %s writes (or the explicit one chose): %s",
			  fixtures[i], i ? "auto" : "99.5", out);
		th_expect(meta_has(cfg, i ? "normalisation=synthetic, 256 images, error-optimal at T=32"
					  : "normalisation=synthetic, 256 images, percentile 99.5"),
			  "%s: the image does not record the kept scale", fixtures[i]);
	}

	unlink(model);
	unlink(cfg);
	unlink(cfg2);
	rmdir(dir);
	return th_done("test_data_free");
}
