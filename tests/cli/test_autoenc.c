/* Seed 004's convolutional autoencoder end to end (issue 15): the
 * Fashion-MNIST fixture of models/autoenc.py (a ConvTranspose and an
 * upsampled Conv in its decoder) compiled by snnc and run by snnsim, whose
 * reconstructions are held to PyTorch's (models/fixtures/autoenc/
 * fashion_autoenc.ref) by MSE and PSNR, and drawn in a grid (--recon-png)
 * that is checked as a reader sees it. The image decompiles to ONNX-SNN and
 * compiles back to the same bytes; it runs on the ULX3S's RTL engine spike
 * for spike with the golden model; what cannot run it says so: export-nir,
 * the iCEBreaker, the per-core RTL array, and an image readout of a
 * classifier. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "png_facts.h"
#include "run_cmd.h"

#define MODEL "models/fixtures/autoenc/fashion_autoenc.onnx"
#define REF "models/fixtures/autoenc/fashion_autoenc.ref"
#define IMAGES "models/fixtures/fashion-test100-images-idx3-ubyte.gz"
#define STEPS 64
/* Against PyTorch's reconstructions at T = 64: the SNN's error must stay
 * well below the ANN's own error against the input (PSNR 24.9 dB, MSE
 * 0.0032 on these images), so that it adds little to it. */
#define MIN_PSNR_VS_ANN 30.0

static char dir[] = "/tmp/snn_autoenc_test.XXXXXX";
static char snnc[512], snnsim[512], cfg[300];
static char out[1 << 16];

static bool compiled(void)
{
	th_case("autoenc_compiles");
	int rc = run_cmd(out, sizeof out, "%s " MODEL " -o %s --calib " IMAGES, snnc, cfg);
	if (!th_expect(rc == 0, "snnc exit %d: %s", rc, out))
		return false;
	rc = run_cmd(out, sizeof out, "%s info " MODEL " --target sim", snnc);
	th_expect(rc == 0 && strstr(out, "deconv"), "info lists its deconv layers: %s", out);
	return true;
}

/* snnsim against PyTorch's reconstructions: scores and the grid. */
static void reconstruction(void)
{
	th_case("autoenc_psnr_vs_pytorch");
	const char *png = path_in_dir(dir, "recon.png");
	int rc = run_cmd(out, sizeof out, "%s %s -i " IMAGES " --targets " REF " -T %d --recon-png %s --json -q",
			 snnsim, cfg, STEPS, png);
	double mse = json_number(out, "mse"), psnr = json_number(out, "psnr_db");
	printf("  autoenc at T=%d: MSE %.5g, PSNR %.2f dB against PyTorch's reconstructions\n", STEPS, mse, psnr);
	th_expect(rc == 0 && psnr >= MIN_PSNR_VS_ANN, "PSNR %.2f dB (want >= %.1f): exit %d: %s", psnr,
		  MIN_PSNR_VS_ANN, rc, out);
	/* PSNR is 10 log10(1 / MSE) here: the input's range is 255 x 1/255 */
	th_expect(fabs(psnr - 10 * log10(1 / mse)) < 1e-3, "PSNR %g does not follow from MSE %g", psnr, mse);

	th_case("autoenc_recon_png");
	png_facts f = read_png(png);
	/* 16 images of 28 x 3 pixels and gaps across, three rows of them */
	th_expect(f.ok && f.w >= 16 * 84 && f.h >= 3 * 84, "%s: %ux%u (decodes: %d)", png, f.w, f.h, f.ok);
	unsigned char *rgb = f.ok ? read_png_rgb(png) : NULL;
	if (rgb) {	/* the grid shows the images: grey levels, light and dark */
		size_t light = 0, dark = 0;
		for (size_t i = 0; i < (size_t)f.w * f.h; i++) {
			const unsigned char *p = rgb + 3 * i;
			bool grey = abs(p[0] - p[1]) < 8 && abs(p[1] - p[2]) < 8;
			light += grey && p[0] > 160 && p[0] < 250;
			dark += grey && p[0] < 40;
		}
		th_expect(light > 3000 && dark > 30000, "%zu light and %zu dark grey pixels", light, dark);
		free(rgb);
	}

	th_case("autoenc_recon_only");
	rc = run_cmd(out, sizeof out, "%s %s -i " IMAGES " -n 4 -T 8 --recon-png %s", snnsim, cfg, png);
	th_expect(rc == 0 && strstr(out, "the first 4 inputs and their reconstructions"), "exit %d: %s", rc, out);
}

static void round_trip(void)
{
	th_case("autoenc_decompile_round_trip");
	const char *snn = path_in_dir(dir, "autoenc.snn.onnx"), *again = path_in_dir(dir, "again.cfg");
	int rc = run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, cfg, snn);
	if (!th_expect(rc == 0 && !strstr(out, "warning"), "decompile exit %d: %s", rc, out))
		return;
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, snn, again);
	th_expect(rc == 0 && same_file(cfg, again), "recompiled image differs (exit %d): %s", rc, out);
}

static void refusals(void)
{
	th_case("autoenc_export_nir_bad");
	int rc = run_cmd(out, sizeof out, "%s export-nir %s -o %s", snnc, cfg, path_in_dir(dir, "a.nir"));
	th_expect(rc == 1 && strstr(out, "deconv") && strstr(out, "NIR") && strstr(out, cfg) &&
			  access(path_in_dir(dir, "a.nir"), F_OK) != 0,
		  "exit %d: %s", rc, out);

	th_case("autoenc_icebreaker_bad");
	rc = run_cmd(out, sizeof out, "%s " MODEL " -o %s --target icebreaker", snnc, path_in_dir(dir, "ice.cfg"));
	th_expect(rc == 1 && strstr(out, "not supported on target icebreaker") &&
			  access(path_in_dir(dir, "ice.cfg"), F_OK) != 0,
		  "exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "%s info " MODEL, snnc);
	th_expect(strstr(out, "not supported on target icebreaker") && strstr(out, "fits      yes, on ulx3s"),
		  "info says it for each board: %s", out);

	th_case("autoenc_rtl_array_bad");	/* the per-core array has no deconv mode */
	rc = run_cmd(out, sizeof out, "%s %s -i " IMAGES " --targets " REF " -n 1 --rtl -q", snnsim, cfg);
	th_expect(rc == 1 && strstr(out, "MODE 3 (deconv) is not supported by the RTL model"), "exit %d: %s", rc,
		  out);

	th_case("recon_png_of_a_classifier_bad");
	char mlp[300];
	snprintf(mlp, sizeof mlp, "%s", path_in_dir(dir, "mlp.cfg"));
	rc = run_cmd(out, sizeof out, "%s models/fixtures/mlp128.onnx -o %s", snnc, mlp);
	if (th_expect(rc == 0, "snnc mlp128: %s", out)) {
		rc = run_cmd(out, sizeof out, "%s %s -i models/fixtures/mnist-test100-images-idx3-ubyte.gz "
			     "--recon-png %s", snnsim, mlp, path_in_dir(dir, "no.png"));
		th_expect(rc == 1 && strstr(out, "10 outputs") && strstr(out, "one output per input value") &&
				  access(path_in_dir(dir, "no.png"), F_OK) != 0,
			  "exit %d: %s", rc, out);
	}
	rc = run_cmd(out, sizeof out, "%s %s -i " IMAGES " -l models/fixtures/fashion-test100-labels-idx1-ubyte.gz "
		     "--recon-png %s", snnsim, cfg, path_in_dir(dir, "no.png"));
	th_expect(rc == 1 && strstr(out, "--recon-png"), "with --labels: exit %d: %s", rc, out);
}

/* The ULX3S's engine has the deconv mode: the autoencoder compiled for it
 * runs on the Verilated engine in lock step with the golden model, every
 * spike, host event and counter at every step and every neuron's state at
 * the end of each sample. */
static void on_the_ulx3s_engine(void)
{
	th_case("autoenc_ulx3s_cosim");
	const char *ux = path_in_dir(dir, "ulx3s.cfg");
	int rc = run_cmd(out, sizeof out, "%s " MODEL " -o %s --calib " IMAGES " --calib-limit 50 --target ulx3s",
			 snnc, ux);
	if (!th_expect(rc == 0, "snnc --target ulx3s: exit %d: %s", rc, out))
		return;
	rc = run_cmd(out, sizeof out, "%s %s -i " IMAGES " --targets " REF " -n 2 -T 16 --cosim", snnsim, ux);
	th_expect(rc == 0 && strstr(out, "identical to the golden model") && strstr(out, "engine-ulx3s"),
		  "snnsim --cosim: exit %d: %s", rc, out);
	/* an image readout is scored by PSNR without --recon-png too */
	th_expect(strstr(out, "PSNR") && !strstr(out, "MSPE"), "the report: %s", out);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	if (!mkdtemp(dir))
		return 1;
	snprintf(cfg, sizeof cfg, "%s/autoenc.cfg", dir);
	if (access(MODEL, R_OK) || access(REF, R_OK)) {
		th_case("autoenc_fixture");
		th_expect(0, "no %s or %s (models/autoenc.py writes them)", MODEL, REF);
	} else if (compiled()) {
		reconstruction();
		round_trip();
		refusals();
		on_the_ulx3s_engine();
	}
	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_autoenc");
}
