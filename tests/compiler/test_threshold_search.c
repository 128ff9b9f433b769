/* Threshold search (compiler/threshold_search.c, docs/snnc.md "THRESHOLD
 * SEARCH"). A small MLP of random mixed-sign weights (32 inputs, two ReLU
 * layers of 24, a readout of 4), compiled for T = 16 with --calib:
 * - rescaling a layer keeps the network's meaning: the golden simulator
 *   run long (T = 256) classifies held-out images as the ANN does,
 *   computed here in plain float, as often with the second layer's scale
 *   doubled as without;
 * - a deliberately bad scale (the second layer's lambda doubled: a spike
 *   stands for twice the activation, so its neurons fire half as often and
 *   round coarsely) is recovered: the search moves lambda back down, and
 *   on held-out images the layer's rates times lambda come closer to the
 *   float ANN's activations (squared error) than with the bad scale;
 * - `snnc --calib` without --threshold-search writes the image the passes
 *   write with the bias correction alone, byte for byte; with it, the
 *   search runs; it needs --calib and the bias correction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "../cli/run_cmd.h"
#include "bias_correct.h"
#include "front_end.h"
#include "golden_run.h"
#include "ir.h"
#include "net.h"
#include "onnx_build.h"
#include "threshold_search.h"

enum { IN = 32, H = 24, OUT = 4, LAYERS = 3, HIDDEN = 2, CALIB = 300, HELD_OUT = 300, STEPS = 16 };

static char dir[] = "/tmp/snn_threshold_test.XXXXXX";
static char path[600];
static float w[LAYERS][IN * H], b[LAYERS][H];	/* IN >= H */
static const int fan_in[LAYERS] = {IN, H, H}, fan_out[LAYERS] = {H, H, OUT};

/* The model's weights and biases, which the float reference below reads. */
static mb mlp_model(void)
{
	static const int widths[LAYERS + 1] = {IN, H, H, OUT};
	float *wl[LAYERS], *bl[LAYERS];
	for (int l = 0; l < LAYERS; l++) {
		wl[l] = w[l];
		bl[l] = b[l];
	}
	return fe_random_mlp(LAYERS, widths, 31, -0.2f, wl, bl);
}

/* The ANN in plain float: hidden activations and the class of one image. */
static int ann(const uint8_t *px, float act[HIDDEN][H])
{
	float x[IN], y[OUT];
	const float *in = x;
	for (int i = 0; i < IN; i++)
		x[i] = px[i] / 255.0f;
	for (int l = 0; l < LAYERS; l++) {
		for (int o = 0; o < fan_out[l]; o++) {
			double s = b[l][o];
			for (int i = 0; i < fan_in[l]; i++)
				s += (double)in[i] * w[l][i * fan_out[l] + o];
			if (l < HIDDEN)
				act[l][o] = s > 0 ? (float)s : 0.0f;
			else
				y[o] = (float)s;
		}
		in = act[l < HIDDEN ? l : 0];
	}
	int best = 0;
	for (int o = 1; o < OUT; o++)
		best = y[o] > y[best] ? o : best;
	return best;
}

/* On the held-out images, run for steps: the squared error of layer l's
 * rates times its lambda against the float ANN's activations (summed),
 * and how many images read out the float ANN's class. */
static int held_out(const ir_graph *g, const snn_net *net, const snnc_options *opt, unsigned steps,
		    const uint8_t *px, int l, double *sq_err, int *agree)
{
	fe_golden f;
	snnc_options o = *opt;
	o.steps = steps;
	if (fe_golden_open(&f, g, net, &o))
		return -1;
	*sq_err = 0;
	*agree = 0;
	for (int k = 0; k < HELD_OUT; k++) {
		float act[HIDDEN][H];
		int cls = ann(px + k * IN, act);
		snnc_golden_start(&f.run, px + k * IN);
		for (unsigned t = 0; t < steps; t++)
			snnc_golden_step(&f.run, true);
		*agree += (int)snnc_golden_class(&f.run) == cls;
		for (int o2 = 0; o2 < H; o2++)
			*sq_err += pow(act[l][o2] - (double)snnc_golden_count(&f.run, l, o2) / steps * net->layers[l].lambda,
				       2);
	}
	fe_golden_close(&f);
	return 0;
}

int main(void)
{
	static uint8_t calib_px[CALIB * IN], held_px[HELD_OUT * IN];
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	fe_random_images(calib_px, sizeof calib_px, 1);
	fe_random_images(held_px, sizeof held_px, 2);
	snn_calib calib = {calib_px, CALIB, IN, false};
	snnc_options opt = fe_options();
	opt.size_only = false;
	opt.calib_images = CALIB;
	opt.steps = STEPS;
	opt.verbose = getenv("VERBOSE") ? 1 : -1;

	ir_graph g;
	snn_diag d;
	snn_net net, bad;
	mb model = mlp_model();
	if (fe_load(&model, path, false, &g, &d) || snn_lower(&g, &opt, &net, &d) ||
	    snn_normalise(&g, &net, &calib, &opt, &d) || snn_quantise(&net, &opt, &d) || snn_net_copy(&bad, &net) ||
	    snn_rescale_layer(&bad, 1, 2.0, &opt, &d)) {
		fprintf(stderr, "test_threshold_search: the model does not compile: %s\n", d.msg);
		return 2;
	}

	th_case("rescaling_keeps_the_meaning");
	double sq_good, sq_bad, sq_found;
	int agree_good, agree_bad, agree_found;
	if (!held_out(&g, &net, &opt, 256, held_px, 1, &sq_good, &agree_good) &&
	    !held_out(&g, &bad, &opt, 256, held_px, 1, &sq_bad, &agree_bad)) {
		printf("  T = 256: the ANN's class on %d of %d held-out images, %d with lambda doubled\n", agree_good,
		       HELD_OUT, agree_bad);
		th_expect(agree_good >= HELD_OUT * 9 / 10 && abs(agree_bad - agree_good) <= HELD_OUT / 50,
			  "%d and %d of %d", agree_good, agree_bad, HELD_OUT);
	}
	th_expect(fabsf(bad.layers[1].lambda - 2.0f * net.layers[1].lambda) < 1e-6f * net.layers[1].lambda,
		  "lambda %g, was %g", bad.layers[1].lambda, net.layers[1].lambda);

	th_case("bad_scale_recovered");
	snn_layer_error err = {.mean = calloc(H, sizeof *err.mean)};
	snn_fidelity fid, unchanged;
	float bad_lambda = bad.layers[1].lambda;
	int rc = snn_threshold_search(&g, &bad, 1, &calib, &opt, &err, &fid, &unchanged, &d);
	th_expect(rc == 0, "snn_threshold_search: %s", rc ? d.msg : "");
	if (!rc && !held_out(&g, &net, &opt, STEPS, held_px, 1, &sq_good, &agree_good) &&
	    !held_out(&g, &bad, &opt, STEPS, held_px, 1, &sq_found, &agree_found)) {
		snn_net worse;
		if (snn_net_copy(&worse, &net) || snn_rescale_layer(&worse, 1, 2.0, &opt, &d) ||
		    held_out(&g, &worse, &opt, STEPS, held_px, 1, &sq_bad, &agree_bad))
			th_expect(false, "the bad scale: %s", d.msg);
		snn_net_free(&worse);
		printf("  lambda: chosen %g, bad %g, normalisation's %g; held-out squared error %.4g, bad %.4g, "
		       "normalisation's %.4g\n", bad.layers[1].lambda, bad_lambda, net.layers[1].lambda, sq_found,
		       sq_bad, sq_good);
		th_expect(bad.layers[1].lambda < 0.9f * bad_lambda, "lambda %g, bad %g", bad.layers[1].lambda,
			  bad_lambda);
		th_expect(sq_found < 0.9 * sq_bad, "squared error %g, bad %g", sq_found, sq_bad);
	}
	free(err.mean);

	/* The command line: off (the default) gives the bias correction's
	 * image alone. The percentile is given, as the passes above had it:
	 * at T = 16 snnc would otherwise try the error-optimal scales too
	 * (percentile_choice.h), which this model takes. */
	th_case("default_gives_the_bias_corrected_image");
	char idx[640], lib_cfg[640], off_cfg[640], on_cfg[640], snnc[256], out[4096], steps[16];
	snprintf(idx, sizeof idx, "%s/calib.idx", dir);
	snprintf(lib_cfg, sizeof lib_cfg, "%s/lib.cfg", dir);
	snprintf(off_cfg, sizeof off_cfg, "%s/off.cfg", dir);
	snprintf(on_cfg, sizeof on_cfg, "%s/on.cfg", dir);
	snprintf(snnc, sizeof snnc, "%s/snnc", getenv("BUILD") ? getenv("BUILD") : "build");
	snprintf(steps, sizeof steps, "%d", STEPS);
	fe_write_idx(idx, calib_px, CALIB, IN);
	snn_mapping m = {0};
	snn_image img = {0};
	opt.threshold_search = false;
	if (snn_bias_correct(&g, &net, &calib, &opt, NULL, &d) || snn_map(&net, &opt, &m, &d) ||
	    snn_emit(&net, &m, &opt, &g, &img, &d) || snn_image_write_file(&img, lib_cfg, &d))
		th_expect(false, "the bias-corrected image: %s", d.msg);
	int off = run_cmd(out, sizeof out, "%s %s -o %s -T %s --calib %s --percentile 99.99", snnc, path, off_cfg, steps,
			  idx);
	th_expect(off == 0 && same_file(off_cfg, lib_cfg), "exit %d, images %s: %s", off,
		  same_file(off_cfg, lib_cfg) ? "equal" : "differ", out);
	th_case("threshold_search_runs_when_asked");
	int on = run_cmd(out, sizeof out, "%s %s -o %s -T %s --calib %s --percentile 99.99 --threshold-search -v", snnc,
			 path, on_cfg, steps, idx);
	th_expect(on == 0 && strstr(out, "threshold search, ") && !same_file(on_cfg, lib_cfg), "exit %d, images %s: %s",
		  on, same_file(on_cfg, lib_cfg) ? "equal" : "differ", out);

	th_case("threshold_search_bad_without_calib_or_correction");
	int bad_rc = run_cmd(out, sizeof out, "%s %s -o %s --threshold-search", snnc, path, on_cfg);
	th_expect(bad_rc == 1 && strstr(out, "--threshold-search needs --calib"), "exit %d: %s", bad_rc, out);
	bad_rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --threshold-search --no-bias-correction", snnc, path,
			 on_cfg, idx);
	th_expect(bad_rc == 1 && strstr(out, "--threshold-search needs --calib"), "exit %d: %s", bad_rc, out);

	snn_image_free(&img);
	snn_mapping_free(&m);
	snn_net_free(&net);
	snn_net_free(&bad);
	ir_free(&g);
	unlink(path);
	unlink(idx);
	unlink(lib_cfg);
	unlink(off_cfg);
	unlink(on_cfg);
	rmdir(dir);
	return th_done("test_threshold_search");
}
