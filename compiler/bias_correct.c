/* Bias correction (see bias_correct.h). The spiking network's rates fall
 * short of (or overshoot) the ANN's by an amount that is mostly per
 * channel and the same from image to image: early spikes that the rest of
 * the run cancels cannot be taken back (docs/benchmarks.md, "Where the BN
 * siblings lose at T = 32"). A constant current per channel moves the rate
 * back. It is measured on the golden simulator running the quantised
 * image, so it corrects what the device does, rounding included. */
#include "bias_correct.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "golden_run.h"

/* Which layers get a correction: spiking IF layers that reset by
 * subtraction (a rate linear in the input current, so a constant current
 * moves it by as much; reset to zero loses the residue) whose ANN
 * activation the executor computes, one value per neuron. */
static bool correctable(const ir_graph *g, const snn_layer *ly)
{
	if (ly->neuron != NEURON_IF || ly->fixed_scale || ly->reset != SNN_RESET_SUBTRACT)
		return false;
	int t = ly->act_tensor >= 0 ? ly->act_tensor : ly->linear_tensor;
	return t >= 0 && ir_numel(&g->tensors[t]) == snn_layer_neurons(ly);
}

/* The quantised net mapped and emitted from a scratch copy (mapping may
 * change a layer's layout), opened on the golden simulator; copy, m and
 * img belong to the caller afterwards. */
static int compile_scratch(const ir_graph *g, const snn_net *net, const snnc_options *opt, snn_net *copy,
			   snn_mapping *m, snn_image *img, snnc_golden_run *run, snn_diag *diag)
{
	if (snn_net_copy(copy, net))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for bias correction");
	int rc = snn_map(copy, opt, m, diag);
	rc = rc ? rc : snn_emit(copy, m, opt, g, img, diag);
	return rc ? rc : snnc_golden_open(run, copy, m, img, diag);
}

/* How close the spiking network's output is to the ANN's on the
 * calibration images: the images whose class the image reads out is the
 * ANN's argmax, and the squared error of the real-valued readout against
 * the ANN's output, summed. Neither alone tells a correction that helps:
 * on fashion_bn at T = 16 the agreement fell by 3 of 500 while the test
 * set gained 0.48 points; on bn16 at T = 32 the squared error grew 5 %
 * while the test set gained 0.65. Where both are worse it hurt (lenet1 at
 * T = 16, the autoencoder). */
typedef struct fidelity {
	size_t agree;
	double sq_err;
} fidelity;

/* One pass of the quantised net over the calibration images: with l >= 0,
 * layer l's mean rate error per output channel, in thresholds per step,
 * into err[out_c]; its fidelity into *fid. */
static int run_pass(const ir_graph *g, const snn_net *net, int l, const snn_calib *calib,
		    const snnc_options *opt, double *err, fidelity *fid, snn_diag *diag)
{
	snn_net copy = {0};
	snn_mapping m = {0};
	snn_image img = {0};
	snnc_golden_run run = {0};
	ir_values vals = {0};
	size_t in_n = (size_t)net->in_c * net->in_h * net->in_w;
	float *x = malloc(in_n * sizeof *x);
	int rc = !x || ir_values_init(g, &vals) ? snn_fail(diag, SNN_ERR_NOMEM, "out of memory for bias correction")
						 : compile_scratch(g, net, opt, &copy, &m, &img, &run, diag);
	if (rc)
		goto out;
	const snn_layer *ly = l >= 0 ? &net->layers[l] : NULL;
	int t = !ly ? -1 : ly->act_tensor >= 0 ? ly->act_tensor : ly->linear_tensor;
	float sign = ly && ly->negated ? -1.0f : 1.0f;	/* a negated residual path is relu(-x) */
	int64_t plane = ly ? snn_layer_neurons(ly) / ly->out_c : 1;
	double T = opt->steps;
	for (int o = 0; ly && o < ly->out_c; o++)
		err[o] = 0;
	*fid = (fidelity){0};
	int out_t = g->outputs[0];
	int64_t n_out = ir_numel(&g->tensors[out_t]);
	for (size_t k = 0; k < calib->count; k++) {
		const uint8_t *px = calib->images + k * calib->item_size;
		for (size_t i = 0; i < in_n; i++)
			x[i] = px[i] * net->input_scale + net->input_offset;
		ir_run(g, &vals, x);
		snnc_golden_start(&run, px);
		for (unsigned s = 0; s < opt->steps; s++)
			snnc_golden_step(&run, ly != NULL);
		fid->agree += snnc_golden_class(&run) == snnc_ann_class(g, &vals);
		for (int64_t i = 0; i < n_out; i++)
			fid->sq_err += pow(snnc_golden_value(&run, opt->steps, (uint32_t)i) - vals.v[out_t][i], 2);
		for (int64_t i = 0; ly && i < snn_layer_neurons(ly); i++) {
			double ann = fmin(fmax(sign * vals.v[t][i] / ly->lambda, 0.0), 1.0);
			err[i / plane] += ann - snnc_golden_count(&run, l, i) / T;
		}
	}
	for (int o = 0; ly && o < ly->out_c; o++)
		err[o] /= (double)calib->count * (double)plane;
out:
	if (run.sim)
		snnc_golden_close(&run);
	snn_image_free(&img);
	snn_mapping_free(&m);
	snn_net_free(&copy);
	ir_values_free(&vals);
	free(x);
	return rc;
}

/* Layer l's biases shifted by err (one a channel), requantised. */
static int shift_biases(snn_layer *ly, const double *err, const snn_calib *calib, const snnc_options *opt,
			snn_diag *diag)
{
	double mean_abs = 0, largest = 0;
	for (int o = 0; o < ly->out_c; o++) {
		/* a rate of r thresholds per step more needs r more bias per step */
		ly->b[o] += (float)err[o];
		mean_abs += fabs(err[o]) / ly->out_c;
		largest = fmax(largest, fabs(err[o]));
	}
	if (opt->verbose > 0)
		fprintf(stderr, "snnc: bias correction, %s: mean |shift| %.4f, largest %.4f of a threshold "
				"per step (%zu images)\n", ly->name, mean_abs, largest, calib->count);
	return snn_quantise_bias(ly, opt, diag);
}

/* Put back the biases trained (from orig, the net before any shift). */
static void restore_biases(snn_net *net, const snn_net *orig)
{
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		memcpy(ly->b, orig->layers[l].b, (size_t)ly->out_c * sizeof *ly->b);
		memcpy(ly->bq, orig->layers[l].bq, (size_t)snn_layer_neurons(ly) * sizeof *ly->bq);
	}
}

int snn_bias_correct(const ir_graph *g, snn_net *net, const snn_calib *calib, const snnc_options *opt,
		     snn_diag *diag)
{
	if (!calib || !calib->count)
		return 0;
	snn_net orig;
	if (snn_net_copy(&orig, net))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for bias correction");
	fidelity before = {0}, after = {0};
	int rc = 0, corrected = 0;
	for (int l = 0; l < net->n_layers && !rc; l++) {
		snn_layer *ly = &net->layers[l];
		if (!correctable(g, ly))
			continue;
		double *err = malloc((size_t)ly->out_c * sizeof *err);
		rc = !err ? snn_fail(diag, SNN_ERR_NOMEM, "out of memory for bias correction")
			  : run_pass(g, net, l, calib, opt, err, corrected ? &after : &before, diag);
		rc = rc ? rc : shift_biases(ly, err, calib, opt, diag);
		corrected++;
		free(err);
	}
	/* Rates closer to the ANN's on average can still take the output
	 * further from it (lenet1 at T = 16, docs/benchmarks.md, "Bias
	 * correction"): the correction goes if on the calibration images the
	 * output's squared error grows and no more images agree. */
	rc = rc || !corrected ? rc : run_pass(g, net, -1, calib, opt, NULL, &after, diag);
	if (!rc && corrected && opt->verbose > 0)
		fprintf(stderr, "snnc: bias correction: on the %zu calibration images the ANN's class %zu times "
				"before, %zu after; output squared error %g before, %g after\n", calib->count,
			before.agree, after.agree, before.sq_err, after.sq_err);
	if (!rc && corrected && after.sq_err > before.sq_err && after.agree <= before.agree) {
		restore_biases(net, &orig);
		if (opt->verbose >= 0)
			fprintf(stderr, "snnc: note: bias correction would take the output further from the ANN's on "
					"the %zu calibration images (squared error %g against %g, its class on %zu "
					"against %zu); the biases stay as trained\n", calib->count, after.sq_err,
				before.sq_err, after.agree, before.agree);
	} else if (!rc && corrected) {
		size_t used = strlen(net->normalisation);	/* the image's metadata says so */
		snprintf(net->normalisation + used, sizeof net->normalisation - used, ", biases corrected");
	}
	snn_net_free(&orig);
	return rc;
}
