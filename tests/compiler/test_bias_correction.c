/* Bias correction (compiler/bias_correct.c, docs/snnc.md "Bias
 * correction"). A small MLP of random mixed-sign weights (32 inputs, three
 * ReLU layers of 24, a readout of 4) has the early-spike error the BN CNNs
 * show: a neuron whose inputs cancel over the run fires on the first ones
 * and cannot take the spikes back, so its rate sits above (or below) the
 * ANN's activation by an amount that is the same from image to image
 * (here 0.5 % of lambda in the deepest layer, a sixth of a spike in 32
 * steps). On images held out from the calibration set, each hidden layer's
 * mean rate error per neuron, against the ANN computed here in plain float
 * (not by the compiler's executor), must shrink with the correction: to at
 * most half in the deepest layer, 70 % in the middle one, and so must the
 * readout's mean error per output; and `snnc --no-bias-correction` must write the image the
 * passes without the correction write, byte for byte, while `snnc` with
 * the correction writes another; and where the correction takes the
 * output further from the ANN's (lenet1 at T = 16), snnc drops it. */
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

enum { IN = 32, H = 24, OUT = 4, LAYERS = 4, HIDDEN = 3, CALIB = 300, HELD_OUT = 300 };

static char dir[] = "/tmp/snn_bias_test.XXXXXX";
static char path[600];
static float w[LAYERS][IN * H], b[LAYERS][H];	/* IN >= H */
static const int fan_in[LAYERS] = {IN, H, H, H}, fan_out[LAYERS] = {H, H, H, OUT};

/* The model's weights and biases, which the float reference below reads. */
static mb mlp_model(void)
{
	static const int widths[LAYERS + 1] = {IN, H, H, H, OUT};
	float *wl[LAYERS], *bl[LAYERS];
	for (int l = 0; l < LAYERS; l++) {
		wl[l] = w[l];
		bl[l] = b[l];
	}
	return fe_random_mlp(LAYERS, widths, 11, -0.3f, wl, bl);
}

/* The ANN's hidden activations of one image, layer after layer, in float:
 * the reference the rates are held to. */
static void ann_hidden(const uint8_t *px, float act[HIDDEN][H])
{
	float x[IN];
	const float *in = x;
	for (int i = 0; i < IN; i++)
		x[i] = px[i] / 255.0f;
	for (int l = 0; l < HIDDEN; l++) {
		for (int o = 0; o < H; o++) {
			double s = b[l][o];
			for (int i = 0; i < fan_in[l]; i++)
				s += (double)in[i] * w[l][i * fan_out[l] + o];
			act[l][o] = s > 0 ? (float)s : 0.0f;
		}
		in = act[l];
	}
}

/* The ANN's output (the readout's linear layer) of one image, in float. */
static void ann_output(const uint8_t *px, float out[OUT])
{
	float act[HIDDEN][H];
	ann_hidden(px, act);
	for (int o = 0; o < OUT; o++) {
		double s = b[HIDDEN][o];
		for (int i = 0; i < H; i++)
			s += (double)act[HIDDEN - 1][i] * w[HIDDEN][i * OUT + o];
		out[o] = (float)s;
	}
}

/* Mean over the hidden neurons of layer l of |mean over the images of
 * (min(ANN / lambda, 1) - spikes / T)|, for the quantised net; in
 * err[HIDDEN] the same over the outputs of the readout's real value
 * against the ANN's output. */
static int mean_rate_error(const ir_graph *g, const snn_net *net, const snnc_options *opt, const uint8_t *px,
			   double err[HIDDEN + 1])
{
	fe_golden f;
	double sum[HIDDEN][H] = {{0}}, out_sum[OUT] = {0};
	if (fe_golden_open(&f, g, net, opt))
		return -1;
	for (int k = 0; k < HELD_OUT; k++) {
		float act[HIDDEN][H];
		ann_hidden(px + k * IN, act);
		snnc_golden_start(&f.run, px + k * IN);
		for (unsigned t = 0; t < opt->steps; t++)
			snnc_golden_step(&f.run, true);
		for (int l = 0; l < HIDDEN; l++)
			for (int o = 0; o < H; o++)
				sum[l][o] += fmin(act[l][o] / net->layers[l].lambda, 1.0) -
					     (double)snnc_golden_count(&f.run, l, o) / opt->steps;
		float out[OUT];
		ann_output(px + k * IN, out);
		snnc_golden_class(&f.run);	/* reads the membranes the values need */
		for (int o = 0; o < OUT; o++)
			out_sum[o] += out[o] - snnc_golden_value(&f.run, opt->steps, (uint32_t)o);
	}
	for (int l = 0; l < HIDDEN; l++) {
		err[l] = 0;
		for (int o = 0; o < H; o++)
			err[l] += fabs(sum[l][o] / HELD_OUT) / H;
	}
	err[HIDDEN] = 0;
	for (int o = 0; o < OUT; o++)
		err[HIDDEN] += fabs(out_sum[o] / HELD_OUT) / OUT;
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
	opt.verbose = getenv("VERBOSE") ? 1 : -1;

	ir_graph g;
	snn_diag d;
	snn_net net, corrected;
	mb model = mlp_model();
	if (fe_load(&model, path, false, &g, &d) || snn_lower(&g, &opt, &net, &d) ||
	    snn_normalise(&g, &net, &calib, &opt, &d) || snn_quantise(&net, &opt, &d) ||
	    snn_net_copy(&corrected, &net)) {
		fprintf(stderr, "test_bias_correction: the model does not compile: %s\n", d.msg);
		return 2;
	}

	th_case("corrected_rates_closer_to_the_ann");
	double before[HIDDEN + 1], after[HIDDEN + 1];
	int rc = snn_bias_correct(&g, &corrected, &calib, &opt, NULL, &d);
	th_expect(rc == 0, "snn_bias_correct: %s", rc ? d.msg : "");
	if (!rc && !mean_rate_error(&g, &net, &opt, held_px, before) &&
	    !mean_rate_error(&g, &corrected, &opt, held_px, after))
		for (int l = 0; l < HIDDEN; l++) {
			printf("  hidden layer %d: mean |rate error| per neuron %.4f, corrected %.4f\n", l, before[l],
			       after[l]);
			/* the first layer, fed by the encoder alone, has next to
			 * nothing to fix; the error grows with depth */
			double most = l == 0 ? before[l] + 0.001 : l < HIDDEN - 1 ? 0.7 * before[l] : 0.5 * before[l];
			th_expect(after[l] <= most, "layer %d: %.4f after the correction, %.4f before", l, after[l],
				  before[l]);
		}
	/* what is left reaches the readout as a mean offset per output, which
	 * its bias takes back (in the ANN's units) */
	printf("  readout: mean |error| per output %.4f, corrected %.4f\n", before[HIDDEN], after[HIDDEN]);
	th_expect(after[HIDDEN] <= 0.5 * before[HIDDEN], "readout: %.4f after the correction, %.4f before",
		  after[HIDDEN], before[HIDDEN]);
	/* 0.004 of lambda: an eighth of a spike per neuron in 32 steps */
	th_expect(before[HIDDEN - 1] > 0.004, "the deepest hidden layer has no error to correct (%.4f)",
		  before[HIDDEN - 1]);

	th_case("correction_moves_only_biases");
	bool same_w = true, moved_b = false;
	for (int l = 0; l < HIDDEN; l++) {
		same_w &= net.layers[l].threshold == corrected.layers[l].threshold &&
			  !memcmp(net.layers[l].wq, corrected.layers[l].wq, (size_t)net.layers[l].n_w * 2);
		for (int o = 0; o < net.layers[l].out_c; o++)
			moved_b |= net.layers[l].bq[o] != corrected.layers[l].bq[o];
	}
	th_expect(same_w && moved_b, "weights and thresholds %s, biases %s", same_w ? "kept" : "changed",
		  moved_b ? "moved" : "kept");
	/* the readout's weights only scaled, by one gain per output */
	th_case("readout_scaled_by_one_gain_per_output");
	const snn_layer *ro = &net.layers[HIDDEN], *rc_ = &corrected.layers[HIDDEN];
	for (int o = 0; o < OUT; o++) {
		double lo = INFINITY, hi = -INFINITY;
		for (int i = 0; i < H; i++) {
			if (ro->w[i * OUT + o] == 0)
				continue;
			double gain = rc_->w[i * OUT + o] / ro->w[i * OUT + o];
			lo = fmin(lo, gain);
			hi = fmax(hi, gain);
		}
		th_expect(lo >= 0.5 && hi <= 2.0 && hi - lo < 1e-5 * hi, "output %d: gains %g to %g", o, lo, hi);
	}

	/* The command line: off gives the uncorrected passes' image. */
	th_case("no_bias_correction_gives_the_uncorrected_image");
	char idx[640], lib_cfg[640], off_cfg[640], on_cfg[640], snnc[256], out[4096];
	snprintf(idx, sizeof idx, "%s/calib.idx", dir);
	snprintf(lib_cfg, sizeof lib_cfg, "%s/lib.cfg", dir);
	snprintf(off_cfg, sizeof off_cfg, "%s/off.cfg", dir);
	snprintf(on_cfg, sizeof on_cfg, "%s/on.cfg", dir);
	snprintf(snnc, sizeof snnc, "%s/snnc", getenv("BUILD") ? getenv("BUILD") : "build");
	fe_write_idx(idx, calib_px, CALIB, IN);
	snn_mapping m = {0};
	snn_image img = {0};
	if (snn_map(&net, &opt, &m, &d) || snn_emit(&net, &m, &opt, &g, &img, &d) ||
	    snn_image_write_file(&img, lib_cfg, &d))
		th_expect(false, "the uncorrected image: %s", d.msg);
	int off = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --no-bias-correction", snnc, path, off_cfg, idx);
	th_expect(off == 0 && same_file(off_cfg, lib_cfg), "exit %d, images %s: %s", off,
		  same_file(off_cfg, lib_cfg) ? "equal" : "differ", out);
	th_case("bias_correction_on_by_default_with_calib");
	int on = run_cmd(out, sizeof out, "%s %s -o %s --calib %s", snnc, path, on_cfg, idx);
	th_expect(on == 0 && !same_file(on_cfg, lib_cfg), "exit %d, images %s: %s", on,
		  same_file(on_cfg, lib_cfg) ? "equal" : "differ", out);

	th_case("no_bias_correction_bad_without_calib");
	int bad = run_cmd(out, sizeof out, "%s %s -o %s --no-bias-correction", snnc, path, on_cfg);
	th_expect(bad == 1 && strstr(out, "--no-bias-correction needs --calib"), "exit %d: %s", bad, out);

	/* lenet1 at T = 16: the corrected rates double its output's squared
	 * error on the 100 fixture digits (512 to 1142, the class the same on
	 * all), so the trained biases go back and the image is the
	 * uncorrected one, with a note. */
	th_case("guard_puts_the_trained_biases_back");
	char l1_off[640], l1_on[640];
	snprintf(l1_off, sizeof l1_off, "%s/l1_off.cfg", dir);
	snprintf(l1_on, sizeof l1_on, "%s/l1_on.cfg", dir);
	const char *lenet1 = "models/fixtures/lenet1.onnx -T 16 "
			     "--calib models/fixtures/mnist-test100-images-idx3-ubyte.gz";
	off = run_cmd(out, sizeof out, "%s %s -o %s --no-bias-correction", snnc, lenet1, l1_off);
	on = run_cmd(out, sizeof out, "%s %s -o %s", snnc, lenet1, l1_on);
	th_expect(off == 0 && on == 0 && same_file(l1_off, l1_on) && strstr(out, "the biases stay as trained"),
		  "exit %d and %d, images %s: %s", off, on, same_file(l1_off, l1_on) ? "equal" : "differ", out);
	unlink(l1_off);
	unlink(l1_on);

	snn_image_free(&img);
	snn_mapping_free(&m);
	snn_net_free(&net);
	snn_net_free(&corrected);
	ir_free(&g);
	unlink(path);
	unlink(idx);
	unlink(lib_cfg);
	unlink(off_cfg);
	unlink(on_cfg);
	rmdir(dir);
	return th_done("test_bias_correction");
}
