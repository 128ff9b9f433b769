/* Bias correction (Li et al., 2021, "A Free Lunch From ANN"): each spiking
 * layer's bias shifted per channel by the mean error between the ANN's
 * activation and the compiled network's rate on the calibration images. */
#ifndef SNNC_BIAS_CORRECT_H
#define SNNC_BIAS_CORRECT_H

#include "calib_pass.h"
#include "ir.h"
#include "net.h"

/* After snn_quantise (the scales and weights fixed): for each IF layer in
 * turn (topological order), map and emit a scratch copy of net, run it on
 * the golden simulator for opt->steps steps on the calib images, add to
 * the layer's normalised bias of each output channel (conv) or neuron (dense)
 * the mean of (min(ANN activation, lambda) - spikes / T x lambda) / lambda
 * over the images and the channel's positions, and quantise its biases
 * again. Later layers are measured with the earlier ones corrected. LIF
 * layers and IF layers that reset to zero keep theirs. If at the end the
 * output's squared error against the ANN's on the images grew and no more
 * images read out the ANN's class, every bias goes back to what it was (a
 * note says so). Then the membrane readout's weights and bias are fitted
 * to the ANN's output, a gain and an offset per output channel, kept if
 * the output comes no further from the ANN's.
 * net->normalisation gains ", biases corrected" when the correction stays.
 * fid, if not NULL, gets the fidelity of the network before the readout's
 * fit: fitted to these same images, the fit would flatter whichever
 * network it fits (the runs above measure it; one more run if no layer
 * was correctable).
 * With verbose, one line per layer to stderr. 0 or a negative snn_err. */
int snn_bias_correct(const ir_graph *g, snn_net *net, const snn_calib *calib, const snnc_options *opt,
		     snn_fidelity *fid, snn_diag *diag);

#endif
