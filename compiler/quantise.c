/* Quantisation: normalised float layers to the integer neuron model of
 * docs/neuron-model.md. Per layer, the threshold is the integer scale that
 * maps the largest weight to the largest weight word, so a neuron's rate is
 * (sum of wq + bq) / threshold = the normalised activation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "net.h"

static int32_t clamp_round(double v, int64_t lo, int64_t hi)
{
	double r = nearbyint(v);
	return (int32_t)(r < lo ? lo : r > hi ? hi : r);
}

int snn_quantise(snn_net *net, const snnc_options *opt, snn_diag *diag)
{
	const snn_geometry *geo = &opt->target->geo;
	const int64_t wq_max = (1 << (opt->weight_bits - 1)) - 1;
	const int64_t b_max = ((int64_t)1 << (geo->bias_bits - 1)) - 1;
	const int32_t vmax = snn_vmax(geo);
	for (int l = 0; l < net->n_layers; l++) {
		snn_layer *ly = &net->layers[l];
		double wmax = 0;
		for (int64_t i = 0; i < ly->n_w; i++)
			wmax = fmax(wmax, fabs(ly->w[i]));
		double scale;
		if (ly->neuron == NEURON_READOUT && opt->readout == SNN_READOUT_MEMBRANE) {
			scale = wmax > 0 ? wq_max / wmax : 1.0;	/* only the argmax matters */
			ly->threshold = vmax;
		} else {
			/* An integer threshold: floor keeps every weight within range. */
			double th = wmax > 0 ? floor(wq_max / wmax) : wq_max;
			if (th < 1) {
				fprintf(stderr, "snnc: warning: layer %s: weights up to %.3g thresholds; "
						"clipped to %lld (try a higher --percentile)\n",
					ly->name, wmax, (long long)wq_max);
				th = 1;
			}
			scale = th;
			ly->threshold = (int32_t)th;
		}
		ly->scale = (float)scale;
		ly->wq = malloc((size_t)ly->n_w * sizeof *ly->wq);
		ly->bq = malloc((size_t)snn_layer_neurons(ly) * sizeof *ly->bq);
		if (!ly->wq || !ly->bq)
			return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		for (int64_t i = 0; i < ly->n_w; i++)
			ly->wq[i] = (int16_t)clamp_round(ly->w[i] * scale, -wq_max - 1, wq_max);
		int64_t plane = (int64_t)ly->out_h * ly->out_w;
		for (int64_t n = 0; n < snn_layer_neurons(ly); n++)	/* conv: per channel */
			ly->bq[n] = clamp_round(ly->b[n / plane] * scale, -b_max - 1, b_max);
		ly->v_init = ly->threshold == vmax ? 0 : clamp_round(opt->v_init * ly->threshold, 0, vmax);
		if (ly->neuron == NEURON_LIF) {
			double decay = ly->tau_rc > 0 ? 1.0 - exp(-ly->dt / ly->tau_rc) : 0;
			ly->leak = (uint32_t)clamp_round(256.0 * decay, 0, 255);
			ly->refractory = (uint32_t)clamp_round(ly->tau_ref / ly->dt, 0, SNN_MAX_REFRACTORY);
		}
	}
	return 0;
}
