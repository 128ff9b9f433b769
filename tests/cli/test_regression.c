/* Seed 003's regressions end to end: the Iris linear and logistic
 * regressions of models/regress.py, trained in PyTorch and fitted in
 * scikit-learn (exported through skl2onnx), compiled by snnc and run by
 * snnsim, against their references' outputs and scores in
 * models/fixtures/iris/NAME.ref (PyTorch's forward pass, onnxruntime's). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "run_cmd.h"

#define IRIS "models/fixtures/iris"
/* Iris bytes are 30 x cm (models/regress.py) */
#define CM "--input-scale 0.0333333333"

static char dir[] = "/tmp/snn_regression_test.XXXXXX";
static char snnsim[512], snnc[512], cfg[300];

/* A score key=value from a .ref file's "# " lines; NAN if absent. */
static double ref_score(const char *name, const char *key)
{
	char path[300], line[512], pat[64];
	snprintf(path, sizeof path, IRIS "/%s.ref", name);
	snprintf(pat, sizeof pat, "%s=", key);
	FILE *f = fopen(path, "r");
	double v = NAN;
	while (f && fgets(line, sizeof line, f) && line[0] == '#') {
		char *p = strstr(line, pat);
		if (p && (p == line || p[-1] == ' '))
			v = strtod(p + strlen(pat), NULL);
	}
	if (f)
		fclose(f);
	return v;
}

static bool compile(const char *model, const char *train_x, int weight_bits)
{
	char out[8192];
	int rc = run_cmd(out, sizeof out, "%s " IRIS "/%s.onnx -o %s --calib " IRIS "/%s " CM " --weight-bits %d", snnc,
			 model, cfg, train_x, weight_bits);
	return th_expect(rc == 0, "snnc %s --weight-bits %d: exit %d: %s", model, weight_bits, rc, out);
}

/* snnsim's JSON on the test split against targets (a file under IRIS). */
static int run(const char *test_x, const char *targets, char *out, size_t outsz)
{
	return run_cmd(out, outsz, "%s %s -i " IRIS "/%s --targets " IRIS "/%s -T 255 --json -q", snnsim, cfg, test_x,
		       targets);
}

/* Petal width from sepal width: at T = 255 a byte p spikes exactly p
 * times, so what is left is weight quantisation. 8-bit weights: within
 * 0.005 cm RMS of the reference and its MSPE within 5 %; 16-bit: the
 * reference's values. */
static void linear(const char *model)
{
	char out[8192];
	const int bits[2] = {8, 16};
	const double tol_mse[2] = {2.5e-5, 1e-9}, tol_mspe[2] = {0.05, 1e-4};
	double mspe_ref = ref_score(model, "mspe"), r2_ref = ref_score(model, "r2");
	for (int i = 0; i < 2; i++) {
		th_case("%s_%d_bit", model, bits[i]);
		if (!compile(model, "iris_setosa-train-x.idx.gz", bits[i]))
			continue;
		char ref[64];
		snprintf(ref, sizeof ref, "%s.ref", model);
		int rc = run("iris_setosa-test-x.idx.gz", ref, out, sizeof out);
		double mse = json_number(out, "mse");
		th_expect(rc == 0 && mse < tol_mse[i], "MSE against the reference's predictions %g (< %g): exit %d: %s",
			  mse, tol_mse[i], rc, out);
		rc = run("iris_setosa-test-x.idx.gz", "iris_setosa-test-y.txt", out, sizeof out);
		double mspe = json_number(out, "mspe"), r2 = json_number(out, "r2");
		th_expect(rc == 0 && fabs(mspe - mspe_ref) <= tol_mspe[i] * mspe_ref &&
				  fabs(r2 - r2_ref) <= 0.05 * fabs(r2_ref) + 1e-6,
			  "on the true widths MSPE %g %% (reference %g %%), R^2 %g (reference %g): %s", mspe, mspe_ref, r2,
			  r2_ref, out);
	}
}

/* Versicolor or virginica from four features, one output: the logit, read
 * back as a value; its sign is the class. 8-bit weights may flip one of
 * the 20 samples, whose logit is near 0; 16-bit ones give the reference's
 * logits and accuracy. */
static void logistic(void)
{
	char out[8192];
	const int bits[2] = {8, 16};
	const double min_r2[2] = {0.98, 0.99999};
	double acc_ref = ref_score("iris_logistic", "accuracy");
	for (int i = 0; i < 2; i++) {
		th_case("iris_logistic_%d_bit", bits[i]);
		if (!compile("iris_logistic", "iris_vv-train-x.idx.gz", bits[i]))
			continue;
		int rc = run("iris_vv-test-x.idx.gz", "iris_logistic.ref", out, sizeof out);
		double r2 = json_number(out, "r2");
		th_expect(rc == 0 && r2 > min_r2[i], "R^2 of the logits against PyTorch's %g (> %g): exit %d: %s", r2,
			  min_r2[i], rc, out);
		rc = run("iris_vv-test-x.idx.gz", "iris_vv-test-y.txt", out, sizeof out);
		double acc = json_number(out, "accuracy");
		th_expect(rc == 0 && acc >= acc_ref - (i ? 0 : 0.05 + 1e-9) && isnan(json_number(out, "mspe")),
			  "accuracy %g (PyTorch %g), MSPE undefined for 0/1 targets: %s", acc, acc_ref, out);
	}
}

/* skl2onnx's LinearClassifier (with its Cast, ZipMap and, for three
 * classes, Normalizer) as a readout of one neuron per class, run on IDX
 * labels like any classifier: 8-bit weights may flip one sample near a
 * decision boundary, 16-bit ones give onnxruntime's accuracy. */
static void skl_classifier(const char *model, const char *data)
{
	char out[8192], train[64];
	double acc_ref = ref_score(model, "accuracy");
	snprintf(train, sizeof train, "%s-train-x.idx.gz", data);
	/* snnc's float executor runs the rewritten Gemm: onnxruntime's accuracy */
	th_case("%s_float", model);
	int rc = run_cmd(out, sizeof out, "%s eval " IRIS "/%s.onnx --images " IRIS "/%s-test-x.idx.gz --labels " IRIS
			 "/%s-test-labels.idx.gz " CM, snnc, model, data, data);
	const char *pct = strstr(out, "float accuracy ");
	double flt = pct ? atof(pct + 15) / 100 : NAN;
	th_expect(rc == 0 && fabs(flt - acc_ref) < 1e-4, "snnc eval %g, onnxruntime %g: exit %d: %s", flt, acc_ref, rc,
		  out);
	for (int bits = 8; bits <= 16; bits += 8) {
		th_case("%s_%d_bit", model, bits);
		if (!compile(model, train, bits))
			continue;
		rc = run_cmd(out, sizeof out, "%s %s -i " IRIS "/%s-test-x.idx.gz -l " IRIS
			     "/%s-test-labels.idx.gz -T 255 --json -q", snnsim, cfg, data, data);
		double acc = json_number(out, "accuracy"), n = json_number(out, "images");
		th_expect(rc == 0 && acc >= acc_ref - (bits == 8 ? 1.0 / n : 0) - 1e-6,	/* JSON has 6 decimals */
			  "accuracy %g (onnxruntime %g): exit %d: %s", acc, acc_ref, rc, out);
	}
}

/* A regression's image decompiles to ONNX-SNN and compiles back to the
 * same bytes, its output_scale with it (docs/snnc.md, decompile). */
static void round_trip(const char *model, const char *train_x)
{
	char out[8192], snn[320], again[320];
	th_case("%s_decompile_round_trip", model);
	if (!compile(model, train_x, 8))
		return;
	snprintf(snn, sizeof snn, "%s/m.snn.onnx", dir);
	snprintf(again, sizeof again, "%s/again.cfg", dir);
	int rc = run_cmd(out, sizeof out, "%s decompile %s -o %s && %s %s -o %s", snnc, cfg, snn, snnc, snn, again);
	th_expect(rc == 0 && same_file(cfg, again), "decompiled and compiled again: exit %d, same bytes %d: %s", rc,
		  same_file(cfg, again), out);
	unlink(snn);
	unlink(again);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	if (!mkdtemp(dir))
		return 1;
	snprintf(cfg, sizeof cfg, "%s/m.cfg", dir);
	th_case("references");
	th_expect(ref_score("iris_linear", "mspe") > 0 && ref_score("skl_linear", "r2") < 1 &&
			  ref_score("iris_logistic", "accuracy") > 0.5 && ref_score("skl_logistic", "accuracy") > 0.5,
		  "the .ref files hold their scores");
	linear("iris_linear");
	linear("skl_linear");
	logistic();
	skl_classifier("skl_logistic", "iris_vv");
	skl_classifier("skl_iris3", "iris3");
	round_trip("iris_linear", "iris_setosa-train-x.idx.gz");
	round_trip("skl_logistic", "iris_vv-train-x.idx.gz");
	unlink(cfg);
	rmdir(dir);
	return th_done("test_regression");
}
