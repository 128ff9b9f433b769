/* Threshold search (see threshold_search.h). A layer's scale lambda trades
 * clipping against too few spikes per neuron; normalisation picks it from
 * the ANN's activations alone, before anything is known of how the
 * spiking layer loses (early spikes, the rounding of the layers before).
 * Measured on the quantised image itself, a lambda somewhat above or below
 * can leave less error than any bias can take back. */
#include "threshold_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The multiples of lambda tried, 1 (the scale as chosen) among them. */
static const double multipliers[] = {0.7, 0.85, 1.0, 1.15, 1.3};
#define N_MULTIPLIERS (sizeof multipliers / sizeof multipliers[0])

/* The input channel weight i of a layer reads (dense: i is the axon;
 * conv: the index within an output channel's kernel). */
static int weight_channel(const snn_layer *ly, int64_t i)
{
	return ly->kind == LAYER_DENSE ? (int)(i / ((int64_t)ly->in_h * ly->in_w))
				       : (int)(i / ((int64_t)ly->kh * ly->kw));
}

/* Layer k's weights on the channels it reads from layer l, times mult. */
static bool scale_inputs_from(snn_layer *k, int l, double mult)
{
	bool reads = false;
	int64_t per = k->n_w / k->out_c;
	for (int64_t i = 0; i < per; i++) {
		if (snn_layer_channel_source(k, weight_channel(k, i)) != l)
			continue;
		reads = true;
		for (int o = 0; o < k->out_c; o++) {
			float *w = k->kind == LAYER_CONV ? &k->w[o * per + i] : &k->w[i * k->out_c + o];
			*w = (float)(*w * mult);
		}
	}
	return reads;
}

int snn_rescale_layer(snn_net *net, int l, double mult, const snnc_options *opt, snn_diag *diag)
{
	snn_layer *ly = &net->layers[l];
	ly->lambda = (float)(ly->lambda * mult);
	ly->lambda_in = (float)(ly->lambda_in * mult);
	for (int64_t i = 0; i < ly->n_w; i++)
		ly->w[i] = (float)(ly->w[i] / mult);
	for (int o = 0; o < ly->out_c; o++)
		ly->b[o] = (float)(ly->b[o] / mult);
	int rc = snn_quantise_layer(ly, opt, diag);
	for (int k = l + 1; k < net->n_layers && !rc; k++)	/* readers come later (topological order) */
		if (scale_inputs_from(&net->layers[k], l, mult))
			rc = snn_quantise_layer(&net->layers[k], opt, diag);
	return rc;
}

int snn_threshold_search(const ir_graph *g, snn_net *net, int l, const snn_calib *calib,
			 const snnc_options *opt, snn_layer_error *err, snn_fidelity *fid,
			 snn_fidelity *unchanged, snn_diag *diag)
{
	const snn_layer *ly = &net->layers[l];
	snn_layer_error trial = {.mean = malloc((size_t)ly->out_c * sizeof *trial.mean)};
	if (!trial.mean)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for the threshold search");
	snn_ann_cache ann = {0};	/* the ANN's side is the same for every candidate */
	int rc = snn_calib_pass(g, net, l, calib, opt, err, unchanged, &ann, diag);
	*fid = *unchanged;
	snn_net best_net = {0};	/* the best rescaled copy so far, if any beats net */
	double best = 1.0, first = err->residual;
	for (size_t j = 0; j < N_MULTIPLIERS && !rc; j++) {
		double mult = multipliers[j];
		if (mult == 1.0 || (ly->clip > 0 && ly->lambda * mult > ly->clip))
			continue;	/* as it is, measured above; beyond a Clip's ceiling */
		snn_net cand;
		snn_fidelity cand_fid;
		if (snn_net_copy(&cand, net)) {
			rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory for the threshold search");
			break;
		}
		rc = snn_rescale_layer(&cand, l, mult, opt, diag);
		rc = rc ? rc : snn_calib_pass(g, &cand, l, calib, opt, &trial, &cand_fid, &ann, diag);
		if (!rc && trial.residual < err->residual) {
			snn_net_free(&best_net);
			best_net = cand;
			double *spare = err->mean;
			*err = trial;
			trial.mean = spare;
			*fid = cand_fid;
			best = mult;
		} else {
			snn_net_free(&cand);
		}
	}
	if (!rc && opt->verbose > 0)
		fprintf(stderr, "snnc: threshold search, %s: lambda x %g (residual error %.4g, at x 1 %.4g)\n",
			ly->name, best, err->residual, first);
	if (!rc && best != 1.0) {
		snn_net_free(net);
		*net = best_net;
	} else {
		snn_net_free(&best_net);
	}
	free(trial.mean);
	snn_ann_cache_free(&ann);
	return rc;
}
