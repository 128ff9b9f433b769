/* snnsim --targets: real-valued outputs read back in the model's units and
 * scored against targets. A hand-built network whose values, MSE, R^2 and
 * accuracy are computed by hand below, a trained MLP whose read-back logits
 * are compared with PyTorch's (models/fixtures/mlp128.ref), and the
 * messages for bad targets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "run_cmd.h"
#include "two_input_model.h"
#include "snn/image.h"

static char dir[] = "/tmp/snn_targets_test.XXXXXX";
static char snnsim[512], snnc[512];

static const char *path_in(const char *name)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Two inputs x0, x1 (spike counts over T), two non-spiking neurons:
 * v0 = 2 x0 + x1 + 1 per step, v1 = -x0; output_scale (when given) turns
 * a membrane unit per step into the model's units. */
static void write_model(const char *path, const char *output_scale)
{
	snn_image img;
	uint32_t *r = two_input_model(&img);
	snn_core_cfg *core = &img.cfg.core[0];
	r[SNN_R_THRESHOLD] = (uint32_t)snn_vmax(&img.cfg.geo);
	/* syn[axon * 2 + neuron] */
	core->syn[0] = 2;
	core->syn[1] = -1;
	core->syn[2] = 1;
	core->bias[0] = 1;
	img.io.readout = SNN_READOUT_MEMBRANE;
	if (output_scale)
		snn_image_set_meta(&img, "output_scale", output_scale);
	two_input_model_write(&img, path);
}

static bool near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

/* By hand, T = 10, rate encoding (a pixel p spikes floor((127 + 10 p) / 255)
 * times): sample 0 = (255, 0) gives counts (10, 0), v = (2*10 + 10, -10),
 * values x 0.25 / 10 = (0.75, -0.25); sample 1 = (51, 102) gives counts
 * (2, 4), v = (4 + 4 + 10, -2), values (0.45, -0.05). */
static void hand_model(const char *model, const char *x)
{
	char out[8192], t[300], vals[300], bad_csv[300];
	snprintf(t, sizeof t, "%s", path_in("t.txt"));
	snprintf(vals, sizeof vals, "%s", path_in("v.csv"));
	snprintf(bad_csv, sizeof bad_csv, "%s", path_in("bad.csv"));

	th_case("values_exact");
	write_text(t, "# y0, y1\n0.75, -0.25\n0.45 -0.05\n");
	int rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --json -q", snnsim, model, x, t);
	th_expect(rc == 0 && near(json_number(out, "mse"), 0, 1e-12) && near(json_number(out, "mspe"), 0, 1e-9) &&
			  near(json_number(out, "r2"), 1, 1e-9) && isnan(json_number(out, "accuracy")),
		  "targets equal to the hand-computed values: MSE 0, MSPE 0, R^2 1, no accuracy: exit %d: %s", rc, out);
	write_text(t, "0.75 -0.25\n0.45 -0.05");	/* no newline after the last number */
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --json -q", snnsim, model, x, t);
	th_expect(rc == 0 && near(json_number(out, "mse"), 0, 1e-12), "a last line without a newline: exit %d: %s", rc,
		  out);

	th_case("scores");
	/* errors (0, 0, -0.05, -0.05): MSE 0.00125; a target 0: no MSPE; R^2
	 * per output 1 - 0.0025 / 0.03125 = 0.92 */
	write_text(t, "0.75,-0.25\n0.5,0\n");
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --json -q --values %s", snnsim, model, x, t, vals);
	th_expect(rc == 0 && near(json_number(out, "mse"), 0.00125, 1e-9) && isnan(json_number(out, "mspe")) &&
			  near(json_number(out, "r2"), 0.92, 1e-9),
		  "MSE 0.00125, MSPE null, R^2 0.92: exit %d: %s", rc, out);
	char buf[256] = "";
	FILE *f = fopen(vals, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	th_expect(!strcmp(buf, "0.75,-0.25\n0.45,-0.05\n"), "--values holds the hand-computed values: '%s'", buf);
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s -q", snnsim, model, x, t);
	th_expect(rc == 0 && strstr(out, "MSE        0.00125\n") && strstr(out, "MSPE       undefined") &&
			  strstr(out, "R^2        0.920000"), "the text report says the same: %s", out);

	th_case("accuracy_binary");
	/* 0/1 targets: above 0, (1, 0) and (1, 0) predicted against (1, 0)
	 * and (0, 0): 3 of 4; above 0.5, 0.45 predicts 0: 4 of 4 */
	write_text(t, "1 0\n0 0\n");
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --json -q", snnsim, model, x, t);
	th_expect(rc == 0 && near(json_number(out, "accuracy"), 0.75, 1e-9), "decision 0: accuracy 0.75: %s", out);
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --decision 0.5 --json -q", snnsim, model, x, t);
	th_expect(rc == 0 && near(json_number(out, "accuracy"), 1, 1e-9), "decision 0.5: accuracy 1: %s", out);

	th_case("targets_bad");
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"0.75\n0.45 -0.05\n", "t.txt: line 1: 1 values, but the model has 2 outputs"},
		{"0.75 1 2\n0.45 -0.05\n", "t.txt: line 1: more than 2 values"},
		{"0.75 -0.25\n0.45 abc\n", "t.txt: line 2: 'abc' is not a finite number"},
		{"0.75 nan\n0.45 0\n", "t.txt: line 1: 'nan' is not a finite number"},
		{"0.75 -0.25\n", "expected 2 lines of targets, one per item"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_text(t, bad[i].text);
		rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s -q --values %s", snnsim, model, x, t, bad_csv);
		th_expect(rc == 1 && strstr(out, bad[i].want) && access(bad_csv, F_OK) != 0,
			  "targets '%s': exit 1, '%s', no --values file: exit %d: %s", bad[i].text, bad[i].want, rc, out);
	}
}

/* mlp128's logits read back from the membrane, against PyTorch's
 * (models/fixtures/mlp128.ref, the label column dropped). */
static void fixture_logits(void)
{
	char out[65536];
	const char *fx = "models/fixtures";
	char cfg[320], t[320], vals[320];
	snprintf(cfg, sizeof cfg, "%s", path_in("mlp128.cfg"));
	snprintf(t, sizeof t, "%s", path_in("logits.txt"));
	snprintf(vals, sizeof vals, "%s", path_in("logits.csv"));
	th_case("mlp128_logits");
	int rc = run_cmd(out, sizeof out, "%s %s/mlp128.onnx -o %s --calib %s/mnist-test100-images-idx3-ubyte.gz",
			 snnc, fx, cfg, fx);
	if (!th_expect(rc == 0, "snnc mlp128: exit %d: %s", rc, out))
		return;
	rc = run_cmd(out, sizeof out, "tail -n +2 %s/mlp128.ref | cut -d' ' -f2- > %s", fx, t);
	rc = run_cmd(out, sizeof out, "%s %s -i %s/mnist-test100-images-idx3-ubyte.gz --targets %s -T 64 --json -q "
		     "--values %s", snnsim, cfg, fx, t, vals);
	double r2 = json_number(out, "r2");
	th_expect(rc == 0 && r2 > 0.995, "R^2 of the read-back logits against PyTorch's at T=64: %g (> 0.995): %s",
		  r2, out);
	/* and per sample: the same largest logit, each within 1 of PyTorch's */
	FILE *fv = fopen(vals, "r"), *ft = fopen(t, "r");
	int same_class = 0, samples = 0;
	double worst = 0;
	for (; fv && ft && samples < 100; samples++) {
		double y[10], r[10];
		int ok = 1;
		for (int j = 0; j < 10; j++)
			ok &= fscanf(fv, j ? ",%lf" : "%lf", &y[j]) == 1 && fscanf(ft, "%lf", &r[j]) == 1;
		if (!ok)
			break;
		int ay = 0, ar = 0;
		for (int j = 0; j < 10; j++) {
			ay = y[j] > y[ay] ? j : ay;
			ar = r[j] > r[ar] ? j : ar;
			worst = fmax(worst, fabs(y[j] - r[j]));
		}
		same_class += ay == ar;
	}
	if (fv)
		fclose(fv);
	if (ft)
		fclose(ft);
	th_expect(samples == 100 && same_class >= 97 && worst < 1.0,
		  "%d samples read; %d with PyTorch's largest logit (>= 97); largest difference %g (< 1)", samples,
		  same_class, worst);
	unlink(cfg);
	unlink(t);
	unlink(vals);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	if (!mkdtemp(dir))
		return 1;
	char out[8192];
	char *model = strdup(path_in("model.cfg")), *bare = strdup(path_in("bare.cfg"));
	char *x = strdup(path_in("x.idx"));
	write_model(model, "0.25");
	write_model(bare, NULL);
	/* IDX: 2 samples of 2 pixels */
	const uint8_t images[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 255, 0, 51, 102};
	FILE *f = fopen(x, "wb");
	fwrite(images, 1, sizeof images, f);
	fclose(f);

	hand_model(model, x);

	th_case("usage");
	const char *t = path_in("t.txt");
	write_text(t, "0 0\n0 0\n");
	int rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s -l %s", snnsim, model, x, t, x);
	th_expect(rc == 1 && strstr(out, "one of --labels or --targets"), "--labels with --targets: exit %d: %s", rc,
		  out);
	rc = run_cmd(out, sizeof out, "%s %s -i %s -l %s --values %s", snnsim, model, x, x, path_in("v.csv"));
	th_expect(rc == 1 && strstr(out, "--values needs --targets"), "--values without --targets: exit %d: %s", rc,
		  out);
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --decision abc", snnsim, model, x, t);
	th_expect(rc == 1 && strstr(out, "--decision takes a finite number"), "--decision abc: exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s --values %s", snnsim, model, x, t, t);
	th_expect(rc == 1 && strstr(out, "--values") && !strstr(out, "MSE"),
		  "--values onto the targets file: refused before the run: exit %d: %s", rc, out);

	th_case("no_output_scale");
	rc = run_cmd(out, sizeof out, "%s %s -i %s --targets %s", snnsim, bare, x, t);
	th_expect(rc == 1 && strstr(out, "bare.cfg: no output_scale"), "an image without output_scale: exit %d: %s",
		  rc, out);

	fixture_logits();

	run_cmd(out, sizeof out, "rm -rf %s", dir);
	free(model);
	free(bare);
	free(x);
	return th_done("test_snnsim_targets");
}
