/* One run of the quantised network over the calibration images on the
 * golden simulator beside the ANN: what the bias correction and the
 * threshold search measure a candidate network by. */
#ifndef SNNC_CALIB_PASS_H
#define SNNC_CALIB_PASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ir.h"
#include "net.h"

/* How close the spiking network's output is to the ANN's on the
 * calibration images: the images whose class the image reads out is the
 * ANN's argmax, and the squared error of the real-valued readout against
 * the ANN's output, summed. */
typedef struct snn_fidelity {
	size_t agree;
	double sq_err;
} snn_fidelity;

/* What one layer's spikes miss of its ANN activation a (relu of the
 * linear output for a residual path), per neuron and image; for the
 * membrane readout, how its real value v maps onto the ANN's output a. */
typedef struct snn_layer_error {
	/* per output channel: mean of min(a / lambda, 1) - spikes / T, in
	 * thresholds per step (what a bias shift of as much takes back); for
	 * the readout the offset of the least-squares fit a = gain v + offset,
	 * in the ANN's units (its membrane is linear in its bias) */
	double *mean;
	/* the readout's only, per output channel: that fit's gain, within
	 * 0.5 .. 2 */
	double *gain;
	/* sum over neurons and images of (a - spikes / T x lambda)^2, less
	 * each channel's mean of it squared: the error, in the ANN's units,
	 * that a per-channel bias cannot remove (clipping above lambda
	 * counts, rounding and early spikes too) */
	double residual;
} snn_layer_error;

/* The IR tensor holding layer ly's ANN value: its activation, or its
 * linear output (a residual path's, or the readout's: then the logits a
 * trailing Softmax, which the readout drops, was applied to). */
int snn_ann_tensor(const ir_graph *g, const snn_layer *ly);

/* The ANN's side of a pass for one layer, kept for the next passes over
 * the same images (the threshold search runs five): per image, layer l's
 * activation tensor, the output and the ANN's class. */
typedef struct snn_ann_cache {
	float *act, *out;
	uint32_t *cls;
	int64_t n_act, n_out;	/* values per image */
	bool filled;
} snn_ann_cache;
void snn_ann_cache_free(snn_ann_cache *c);

/* Map and emit a scratch copy of net, run it for opt->steps steps on each
 * calibration image. With l >= 0 and err, layer l's error into *err (its
 * mean holds layer l's out_c values); the output's fidelity into *fid.
 * With cache (l >= 0 and err only), the ANN's values are taken from it
 * if filled, else computed and kept in it. 0 or a negative snn_err. */
int snn_calib_pass(const ir_graph *g, const snn_net *net, int l, const snn_calib *calib,
		   const snnc_options *opt, snn_layer_error *err, snn_fidelity *fid, snn_ann_cache *cache,
		   snn_diag *diag);

#endif
