/* Threshold search: with --calib, each spiking layer's scale lambda (its
 * threshold in the ANN's units) tuned on the golden simulator among a few
 * multiples of the one normalisation chose (Li et al., 2021, "A Free
 * Lunch From ANN", threshold calibration; docs/snnc.md, "THRESHOLD
 * SEARCH"). */
#ifndef SNNC_THRESHOLD_SEARCH_H
#define SNNC_THRESHOLD_SEARCH_H

#include "calib_pass.h"
#include "ir.h"
#include "net.h"

/* Layer l's scale lambda times mult, the ANN meaning unchanged: l's
 * weights and bias divided by mult, the weights of every layer that reads
 * l multiplied by mult on l's channels, all of them quantised again. 0
 * or a negative snn_err. */
int snn_rescale_layer(snn_net *net, int l, double mult, const snnc_options *opt, snn_diag *diag);

/* Run layer l (a layer the bias correction corrects; the earlier ones
 * already tuned) with its lambda times each multiplier in turn, keep in
 * net the one whose layer error's residual (calib_pass.h) is least, and
 * leave its error in *err and its fidelity in *fid; *unchanged gets the
 * fidelity of net as it came (multiplier 1). 0 or a negative snn_err. */
int snn_threshold_search(const ir_graph *g, snn_net *net, int l, const snn_calib *calib,
			 const snnc_options *opt, snn_layer_error *err, snn_fidelity *fid,
			 snn_fidelity *unchanged, snn_diag *diag);

#endif
