/* The calibration pass (see calib_pass.h). */
#include "calib_pass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "golden_run.h"

/* The quantised net mapped and emitted from a scratch copy (mapping may
 * change a layer's layout), opened on the golden simulator; copy, m and
 * img belong to the caller afterwards. */
static int compile_scratch(const ir_graph *g, const snn_net *net, const snnc_options *opt, snn_net *copy,
			   snn_mapping *m, snn_image *img, snnc_golden_run *run, snn_diag *diag)
{
	if (snn_net_copy(copy, net))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for calibration");
	int rc = snn_map(copy, opt, m, diag);
	rc = rc ? rc : snn_emit(copy, m, opt, g, img, diag);
	return rc ? rc : snnc_golden_open(run, copy, m, img, diag);
}

int snn_ann_tensor(const ir_graph *g, const snn_layer *ly)
{
	if (ly->act_tensor >= 0)
		return ly->act_tensor;
	int t = ly->linear_tensor;
	while (ly->neuron == NEURON_READOUT && t >= 0 && g->tensors[t].producer >= 0) {
		const ir_node *n = &g->nodes[g->tensors[t].producer];
		if (strcmp(n->op_type, "Softmax") && strcmp(n->op_type, "LogSoftmax"))
			break;
		t = n->in[0];
	}
	return t;
}

void snn_ann_cache_free(snn_ann_cache *c)
{
	free(c->act);
	free(c->out);
	free(c->cls);
	*c = (snn_ann_cache){0};
}

/* Room for layer l's activations (tensor t), the output and the classes
 * of every image. */
static int cache_init(snn_ann_cache *c, const ir_graph *g, int t, size_t images)
{
	c->n_act = ir_numel(&g->tensors[t]);
	c->n_out = ir_numel(&g->tensors[g->outputs[0]]);
	c->act = malloc(images * (size_t)c->n_act * sizeof *c->act);
	c->out = malloc(images * (size_t)c->n_out * sizeof *c->out);
	c->cls = malloc(images * sizeof *c->cls);
	return c->act && c->out && c->cls ? 0 : SNN_ERR_NOMEM;
}

int snn_calib_pass(const ir_graph *g, const snn_net *net, int l, const snn_calib *calib,
		   const snnc_options *opt, snn_layer_error *err, snn_fidelity *fid, snn_ann_cache *cache,
		   snn_diag *diag)
{
	snn_net copy = {0};
	snn_mapping m = {0};
	snn_image img = {0};
	snnc_golden_run run = {0};
	ir_values vals = {0};
	const snn_layer *ly = l >= 0 && err ? &net->layers[l] : NULL;
	size_t in_n = (size_t)net->in_c * net->in_h * net->in_w;
	float *x = malloc(in_n * sizeof *x);
	/* per channel: sums of the unclipped error and of its square; for the
	 * readout those of v, v^2, a v and a */
	double *sum = ly ? calloc(4 * (size_t)ly->out_c, sizeof *sum) : NULL;
	int rc = !x || (ly && !sum) || ir_values_init(g, &vals)
			 ? snn_fail(diag, SNN_ERR_NOMEM, "out of memory for calibration")
			 : compile_scratch(g, net, opt, &copy, &m, &img, &run, diag);
	if (rc)
		goto out;
	int t = ly ? snn_ann_tensor(g, ly) : -1;
	if (!ly)
		cache = NULL;
	bool cached = cache && cache->filled;
	if (cache && !cached && cache_init(cache, g, t, calib->count)) {
		rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory for calibration");
		goto out;
	}
	bool readout = ly && ly->neuron == NEURON_READOUT;
	float sign = ly && ly->negated ? -1.0f : 1.0f;	/* a negated residual path is relu(-x) */
	int64_t plane = ly ? snn_layer_neurons(ly) / ly->out_c : 1;
	double T = opt->steps;
	for (int o = 0; ly && o < ly->out_c; o++)
		err->mean[o] = 0;
	*fid = (snn_fidelity){0};
	int out_t = g->outputs[0];
	int64_t n_out = ir_numel(&g->tensors[out_t]);
	for (size_t k = 0; k < calib->count; k++) {
		const uint8_t *px = calib->images + k * calib->item_size;
		const float *act = ly ? vals.v[t] : NULL, *out = vals.v[out_t];
		uint32_t cls;
		if (cached) {
			act = cache->act + k * (size_t)cache->n_act;
			out = cache->out + k * (size_t)cache->n_out;
			cls = cache->cls[k];
		} else {
			for (size_t i = 0; i < in_n; i++)
				x[i] = px[i] * net->input_scale + net->input_offset;
			ir_run(g, &vals, x);
			cls = snnc_ann_class(g, &vals);
		}
		if (cache && !cached) {
			memcpy(cache->act + k * (size_t)cache->n_act, act, (size_t)cache->n_act * sizeof *act);
			memcpy(cache->out + k * (size_t)cache->n_out, out, (size_t)cache->n_out * sizeof *out);
			cache->cls[k] = cls;
		}
		snnc_golden_start(&run, px);
		for (unsigned s = 0; s < opt->steps; s++)
			snnc_golden_step(&run, ly != NULL);
		fid->agree += snnc_golden_class(&run) == cls;
		for (int64_t i = 0; i < n_out; i++)
			fid->sq_err += pow(snnc_golden_value(&run, opt->steps, (uint32_t)i) - out[i], 2);
		for (int64_t i = 0; readout && i < snn_layer_neurons(ly); i++) {
			double v = snnc_golden_value(&run, opt->steps, (uint32_t)i);
			double *s = sum + 4 * (i / plane);	/* for the fit below */
			s[0] += v;
			s[1] += v * v;
			s[2] += act[i] * v;
			s[3] += act[i];
		}
		for (int64_t i = 0; ly && !readout && i < snn_layer_neurons(ly); i++) {
			double ann = fmax(sign * act[i] / ly->lambda, 0.0);
			double rate = snnc_golden_count(&run, l, i) / T;
			err->mean[i / plane] += fmin(ann, 1.0) - rate;
			sum[2 * (i / plane)] += ann - rate;
			sum[2 * (i / plane) + 1] += (ann - rate) * (ann - rate);
		}
	}
	if (cache)
		cache->filled = true;
	double per_channel = (double)calib->count * (double)plane;
	if (ly)
		err->residual = 0;
	for (int o = 0; readout && o < ly->out_c; o++) {
		/* a = gain v + offset, least squares over images and positions */
		const double *s = sum + 4 * o;
		double n = per_channel, den = n * s[1] - s[0] * s[0];
		double gain = den > 0 ? (n * s[2] - s[3] * s[0]) / den : 1.0;
		err->gain[o] = gain = fmin(fmax(gain, 0.5), 2.0);
		err->mean[o] = (s[3] - gain * s[0]) / n;
	}
	for (int o = 0; ly && !readout && o < ly->out_c; o++) {
		err->mean[o] /= per_channel;
		err->residual += (sum[2 * o + 1] - sum[2 * o] * sum[2 * o] / per_channel) * (double)ly->lambda *
				 (double)ly->lambda;
	}
out:
	if (run.sim)
		snnc_golden_close(&run);
	snn_image_free(&img);
	snn_mapping_free(&m);
	snn_net_free(&copy);
	ir_values_free(&vals);
	free(sum);
	free(x);
	return rc;
}
