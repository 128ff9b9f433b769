/* Which of two scales the spiking layers get when no --percentile is
 * given, chosen on the golden simulator: with calibration images and the
 * bias correction the 99.99th percentile or the error-optimal one
 * (--percentile auto); without data the error-optimal one or the 99.5th
 * percentile of the synthetic images. */
#ifndef SNNC_PERCENTILE_CHOICE_H
#define SNNC_PERCENTILE_CHOICE_H

#include "ir.h"
#include "net.h"

/* net is lowered, not yet normalised. Normalise, quantise and bias-
 * correct it twice, with opt->percentile as given (99.99) and with
 * SNN_PERCENTILE_AUTO, run both on the calib images, and keep the error-
 * optimal one only if it reads out the ANN's class on more images by at
 * least 0.5 % of them (3 at the least; a smaller lead is within what
 * calibration and test images differ by) and its output's squared error
 * against the ANN's is no larger (a regression's output has no class). opt->percentile says which was
 * kept. With verbose, the two counts on stderr. 0 or a negative snn_err. */
int snn_percentile_choose(const ir_graph *g, snn_net *net, const snn_calib *calib, snnc_options *opt,
			  snn_diag *diag);

/* Without calibration images: normalise and quantise net twice, with
 * opt->percentile as given (SNN_PERCENTILE_AUTO) and at the 99.5th
 * percentile, both on the synthetic images snn_normalise draws, run both
 * on those images and keep the percentile by the rule above, with a lead
 * of 3 % of them (8): they only stand in for data. No bias correction (on
 * synthetic images it costs accuracy). */
int snn_percentile_choose_synthetic(const ir_graph *g, snn_net *net, snnc_options *opt, snn_diag *diag);

#endif
