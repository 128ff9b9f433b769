/* How a layer's scale is chosen from its activations (docs/snnc.md, "Scales
 * at T"), against values worked out by hand. A layer that passes its 100
 * inputs through (identity weights, ReLU) is calibrated on 100 images whose
 * pixels are all 51 (0.2 after /255) except two at 255 (1.0): 9,998
 * activations of 0.2 and two of 1.0. The default picks the lambda that
 * minimises  sum max(a - lambda, 0)^2 + n (lambda / T)^2 / 12  (n = 10,000):
 *   T = 32: lambda 1.0 costs 10000 / 32^2 / 12 = 0.814; lambda 0.2 costs
 *           2 x 0.8^2 + 10000 x 0.2^2 / 32^2 / 12 = 1.280 + 0.033 = 1.313;
 *           so 1.0;
 *   T = 8:  lambda 1.0 costs 10000 / 8^2 / 12 = 13.0; lambda 0.2 costs
 *           1.280 + 10000 x 0.04 / 64 / 12 = 1.801; so 0.2.
 * A fixed percentile ignores T: the 99.99th is sorted index
 * round(0.9999 x 9999) = 9998, one of the two 1.0s; the 99th is 0.2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "net.h"
#include "front_end.h"
#include "onnx_build.h"

enum { N = 100, OUT = 2 };

static char dir[] = "/tmp/snn_scales_test.XXXXXX";
static char path[600];

static mb passthrough_model(void)
{
	static float eye[N * N], w2[N * OUT], b1[N];
	const int64_t in[] = {1, N}, wd[] = {N, N}, bd[] = {N}, w2d[] = {N, OUT};
	for (int i = 0; i < N; i++)
		eye[i * N + i] = 1;
	fe_fill(w2, N * OUT, 3);
	mb b = mb_new(13);
	mb_input(&b, "x", 2, in);
	mb_output(&b, "y");
	mb_init(&b, "W1", 2, wd, eye);
	mb_init(&b, "B1", 1, bd, b1);
	mb_init(&b, "W2", 2, w2d, w2);
	mb_node(&b, "Gemm", "x,W1,B1", "h");
	mb_node(&b, "Relu", "h", "r");
	mb_node(&b, "MatMul", "r,W2", "y");
	return b;
}

/* The hidden layer's scale with these options. */
static float hidden_scale(unsigned steps, float percentile)
{
	static uint8_t px[N * N];
	memset(px, 51, sizeof px);
	px[0] = px[1] = 255;
	snn_calib calib = {px, N, N, false};
	mb b = passthrough_model();
	snnc_options opt = fe_options();
	opt.size_only = false;
	opt.steps = steps;
	opt.percentile = percentile;
	return fe_first_scale(&b, path, &calib, &opt, NULL);
}

static void expect_scale(const char *name, unsigned steps, float percentile, float want)
{
	th_case("%s", name);
	float got = hidden_scale(steps, percentile);
	th_expect(fabsf(got - want) < 1e-5f, "lambda %g, want %g", got, want);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	expect_scale("auto_T32_keeps_the_two_largest", 32, SNN_PERCENTILE_AUTO, 1.0f);
	expect_scale("auto_T8_clips_them", 8, SNN_PERCENTILE_AUTO, 0.2f);
	expect_scale("percentile_99.99_ignores_T", 8, 99.99f, 1.0f);
	expect_scale("percentile_99", 32, 99.0f, 0.2f);
	unlink(path);
	rmdir(dir);
	return th_done("test_scales");
}
