/* The choice between the 99.99th percentile and the error-optimal scale
 * (docs/snnc.md, "SCALES AT T"): each candidate compiled as snnc would
 * compile it and measured by how often it reads out the ANN's class on
 * the calibration images (the fidelity snn_bias_correct measures). */
#include "percentile_choice.h"

#include <stdio.h>
#include "bias_correct.h"
#include "snn/error.h"

/* net (lowered) normalised, quantised and corrected at opt's percentile,
 * and its fidelity on calib (the correction's last run measured it). */
static int compile_candidate(const ir_graph *g, snn_net *net, const snn_calib *calib, const snnc_options *opt,
			     snn_fidelity *fid, snn_diag *diag)
{
	int rc = snn_normalise(g, net, calib, opt, diag);
	rc = rc ? rc : snn_quantise(net, opt, diag);
	return rc ? rc : snn_bias_correct(g, net, calib, opt, fid, diag);
}

int snn_percentile_choose(const ir_graph *g, snn_net *net, const snn_calib *calib, snnc_options *opt,
			  snn_diag *diag)
{
	snn_net optimal;
	if (snn_net_copy(&optimal, net))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory copying the network");
	snnc_options opt_optimal = *opt;
	opt_optimal.percentile = SNN_PERCENTILE_AUTO;
	snn_fidelity fixed = {0}, best = {0};
	int rc = compile_candidate(g, net, calib, opt, &fixed, diag);
	rc = rc ? rc : compile_candidate(g, &optimal, calib, &opt_optimal, &best, diag);
	if (rc) {
		snn_net_free(&optimal);
		return rc;
	}
	size_t lead = calib->count / 200 > 3 ? calib->count / 200 : 3;
	bool take = best.agree >= fixed.agree + lead && best.sq_err <= fixed.sq_err;
	if (opt->verbose > 0)
		fprintf(stderr, "snnc: scales at T = %u: the ANN's class on %zu of %zu calibration images with the "
			"%gth percentile, %zu with the error-optimal scale (output squared error %g, %g): %s\n",
			opt->steps, fixed.agree, calib->count, (double)opt->percentile, best.agree, fixed.sq_err, best.sq_err,
			take ? "error-optimal kept" : "percentile kept");
	if (take) {
		snn_net_free(net);
		*net = optimal;
		opt->percentile = SNN_PERCENTILE_AUTO;
	} else {
		snn_net_free(&optimal);
	}
	return 0;
}
