/* Quantisation: normalised float layers to the integer neuron model of
 * docs/neuron-model.md. Per layer, the threshold is the integer scale that
 * maps the largest weight to the largest weight word, so a neuron's rate is
 * (sum of wq + bq) / threshold = the normalised activation. Every float is
 * checked before it becomes an integer, and a layer the integers cannot
 * carry (all weights 0, or one outlier that sets the scale for all) is
 * refused unless --allow-outliers (docs/snnc.md, "Numbers"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "net.h"

/* The largest weight this many times the next is a corrupted value, not a
 * trained one: it would quantise every other weight of the layer to 0. */
#define OUTLIER_RATIO 1000.0

/* v rounded and clamped to [lo, hi]; v must not be NaN (checked first). */
static int32_t clamp_round(double v, int64_t lo, int64_t hi)
{
	double r = nearbyint(v);
	return (int32_t)(r < lo ? lo : r > hi ? hi : r);
}

/* Where weight i of a layer sits in its ONNX weight tensor, for messages:
 * conv weights keep ONNX's [out][in][ky][kx]; dense ones are [input][output]. */
static void weight_at(const snn_layer *l, int64_t i, char *buf, size_t n)
{
	if (l->kind == LAYER_DENSE) {
		snprintf(buf, n, "%s, input %lld to output %lld", l->weight_name, (long long)(i / l->out_c),
			 (long long)(i % l->out_c));
		return;
	}
	int64_t kx = i % l->kw, ky = i / l->kw % l->kh, c = i / ((int64_t)l->kw * l->kh) % l->in_c;
	int64_t o = i / ((int64_t)l->kw * l->kh * l->in_c);
	if (l->deconv)	/* ConvTranspose's weight is [in][out][ky][kx] */
		snprintf(buf, n, "%s[%lld][%lld][%lld][%lld]", l->weight_name, (long long)c, (long long)o,
			 (long long)ky, (long long)kx);
	else
		snprintf(buf, n, "%s[%lld][%lld][%lld][%lld]", l->weight_name, (long long)o, (long long)c,
			 (long long)ky, (long long)kx);
}

/* A refusal, or with --allow-outliers a warning; the message names the
 * layer's node and the weight. */
static int degenerate(const snnc_options *opt, snn_diag *diag, const char *msg)
{
	if (opt->allow_outliers) {
		fprintf(stderr, "snnc: warning: %s\n", msg);
		return 0;
	}
	return snn_fail(diag, SNN_ERR_RANGE, "%s (--allow-outliers compiles it anyway)", msg);
}

/* NaN or infinity anywhere: normalisation overflowed (a huge weight or a
 * tiny activation scale). */
static int check_finite(const snn_layer *l, snn_diag *diag)
{
	char at[200];
	for (int64_t i = 0; i < l->n_w; i++)
		if (!isfinite(l->w[i])) {
			weight_at(l, i, at, sizeof at);
			return snn_fail(diag, SNN_ERR_RANGE, "node %s: weight %s is %g after normalisation", l->name, at,
					l->w[i]);
		}
	for (int o = 0; o < l->out_c; o++)
		if (!isfinite(l->b[o]))
			return snn_fail(diag, SNN_ERR_RANGE, "node %s: the bias of output %d is %g after normalisation",
					l->name, o, l->b[o]);
	return 0;
}

/* The largest weight, and whether it stands alone: OUTLIER_RATIO times
 * the next largest. */
static int check_outlier(const snn_layer *l, const snnc_options *opt, snn_diag *diag)
{
	int64_t top = -1;
	double first = 0, second = 0;
	for (int64_t i = 0; i < l->n_w; i++) {
		double a = fabs(l->w[i]);
		if (a > first) {
			second = first;
			first = a;
			top = i;
		} else if (a > second) {
			second = a;
		}
	}
	if (top < 0 || second == 0 || first < OUTLIER_RATIO * second)
		return 0;
	char at[200], msg[512];
	weight_at(l, top, at, sizeof at);
	snprintf(msg, sizeof msg, "node %s: weight %s = %g is %.3g times the next largest (%g) and would set "
		 "the scale of the whole layer: a corrupted weight?", l->name, at, l->w[top], first / second, second);
	return degenerate(opt, diag, msg);
}

double snn_lif_leak(const snn_layer *l)
{
	double decay = l->tau_rc > 0 ? 1.0 - exp(-l->dt / l->tau_rc) : 0;
	return isnan(decay) ? NAN : clamp_round(256.0 * decay, 0, 255);
}

/* The layer's integer biases at scale (membrane units per normalised
 * unit; a double: the readout's is not a whole number). */
static int quantise_bias(snn_layer *ly, double scale, const snnc_options *opt, snn_diag *diag)
{
	const snn_geometry *geo = &opt->target->geo;
	const int64_t b_max = ((int64_t)1 << (geo->bias_bits - 1)) - 1;
	for (int o = 0; o < ly->out_c; o++)
		if (fabs(ly->b[o] * scale) > (double)b_max) {
			char msg[512];
			snprintf(msg, sizeof msg, "node %s: the bias of output %d (%g thresholds) is beyond the "
				 "%u-bit bias range and would be clipped", ly->name, o, ly->b[o], geo->bias_bits);
			int rc = degenerate(opt, diag, msg);
			if (rc)
				return rc;
			break;
		}
	int64_t plane = (int64_t)ly->out_h * ly->out_w;
	for (int64_t n = 0; n < snn_layer_neurons(ly); n++)	/* conv: per channel */
		ly->bq[n] = clamp_round(ly->b[n / plane] * scale, -b_max - 1, b_max);
	return 0;
}

int snn_quantise_bias(snn_layer *ly, const snnc_options *opt, snn_diag *diag)
{
	for (int o = 0; o < ly->out_c; o++)
		if (!isfinite(ly->b[o]))
			return snn_fail(diag, SNN_ERR_RANGE, "node %s: the bias of output %d is %g after bias correction",
					ly->name, o, ly->b[o]);
	return quantise_bias(ly, ly->scale, opt, diag);
}

/* One layer's integers from its normalised floats. */
static int quantise_layer(snn_layer *ly, const snnc_options *opt, snn_diag *diag)
{
	const snn_geometry *geo = &opt->target->geo;
	const int64_t wq_max = (1 << (opt->weight_bits - 1)) - 1;
	const int32_t vmax = snn_vmax(geo);
	int rc = check_finite(ly, diag);
	if (!rc)
		rc = check_outlier(ly, opt, diag);
	if (rc)
		return rc;
	double wmax = 0;
	for (int64_t i = 0; i < ly->n_w; i++)
		wmax = fmax(wmax, fabs(ly->w[i]));
	double scale;
	if (ly->neuron == NEURON_READOUT && opt->readout == SNN_READOUT_MEMBRANE) {
		scale = wmax > 0 ? wq_max / wmax : 1.0;	/* only the argmax matters */
		ly->threshold = vmax;
	} else {
		/* An integer threshold: floor keeps every weight within range,
		 * and the membrane bounds it (tiny weights would ask more). */
		double th = wmax > 0 ? fmin(floor(wq_max / wmax), vmax) : wq_max;
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
	int64_t nonzero = 0;
	for (int64_t i = 0; i < ly->n_w; i++) {
		ly->wq[i] = (int16_t)clamp_round(ly->w[i] * scale, -wq_max - 1, wq_max);
		nonzero += ly->wq[i] != 0;
	}
	char msg[512];
	if (!nonzero) {
		snprintf(msg, sizeof msg, "node %s: all %lld weights of %s quantise to 0 (the largest is %g of a "
			 "threshold): the layer would pass nothing", ly->name, (long long)ly->n_w,
			 ly->weight_name, wmax);
		if ((rc = degenerate(opt, diag, msg)))
			return rc;
	}
	if ((rc = quantise_bias(ly, scale, opt, diag)))
		return rc;
	ly->v_init = ly->threshold == vmax ? 0 : clamp_round(opt->v_init * ly->threshold, 0, vmax);
	if (ly->neuron == NEURON_LIF) {
		double leak = snn_lif_leak(ly);
		double ref = ly->tau_ref / ly->dt;	/* dt 0: an endless refractory period, clamped */
		if (isnan(leak) || isnan(ref))
			return snn_fail(diag, SNN_ERR_RANGE, "node %s: tau_rc %g, tau_ref %g and dt %g give no leak "
					"or refractory period", ly->name, ly->tau_rc, ly->tau_ref, ly->dt);
		ly->leak = (uint32_t)leak;
		ly->refractory = (uint32_t)clamp_round(ref, 0, SNN_MAX_REFRACTORY);
	}
	return 0;
}

int snn_quantise_layer(snn_layer *ly, const snnc_options *opt, snn_diag *diag)
{
	free(ly->wq);
	free(ly->bq);
	ly->wq = NULL;
	ly->bq = NULL;
	return quantise_layer(ly, opt, diag);
}

int snn_quantise(snn_net *net, const snnc_options *opt, snn_diag *diag)
{
	for (int l = 0; l < net->n_layers; l++) {
		int rc = quantise_layer(&net->layers[l], opt, diag);
		if (rc)
			return rc;
	}
	return 0;
}
