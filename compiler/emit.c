/* Emission: the mapped, quantised network as a device configuration and
 * configuration image (docs/config-format.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"

/* The coordinate of a slice's first neuron in its layer's output space. */
static void slice_origin(const snn_layer *l, const core_slice *s, int *c, int *y)
{
	*c = l->kind == LAYER_DENSE ? (int)s->n0 : s->c0;
	*y = l->kind == LAYER_DENSE ? 0 : s->y0;
}

static uint32_t slice_neurons(const snn_layer *l, const core_slice *s)
{
	return l->kind == LAYER_DENSE ? (uint32_t)s->n : (uint32_t)(s->nc * s->h * l->out_w);
}

static void emit_core(const snn_net *net, const core_slice *s, const snnc_options *opt,
		      snn_core_cfg *k)
{
	const snn_layer *l = &net->layers[s->layer];
	uint32_t *r = k->reg;
	uint32_t nn = slice_neurons(l, s) + (uint32_t)s->pad;	/* silent padding: zero weights */
	bool readout = l->neuron == NEURON_READOUT;
	r[SNN_R_MODE] = l->kind == LAYER_DENSE ? SNN_MODE_DENSE : l->deconv ? SNN_MODE_DECONV : SNN_MODE_CONV;
	r[SNN_R_PHASE] = (uint32_t)s->layer;
	r[SNN_R_N_NEURONS] = nn;
	r[SNN_R_THRESHOLD] = (uint32_t)l->threshold;
	r[SNN_R_LEAK] = l->leak;
	r[SNN_R_RESET] = (uint32_t)l->reset;
	r[SNN_R_REFRACTORY] = l->refractory;
	r[SNN_R_V_INIT] = (uint32_t)l->v_init;
	r[SNN_R_FLAGS] = readout && opt->readout == SNN_READOUT_MEMBRANE ? 0 : SNN_F_SPIKING;
	r[SNN_R_IN_C] = (uint32_t)l->in_c;
	r[SNN_R_IN_H] = (uint32_t)l->in_h;
	r[SNN_R_IN_W] = (uint32_t)l->in_w;
	if (l->kind == LAYER_DENSE) {
		uint32_t A = (uint32_t)snn_layer_inputs(l);
		r[SNN_R_N_AXONS] = A;
		r[SNN_R_SYN_COUNT] = A * nn;
		for (uint32_t a = 0; a < A; a++)
			for (uint32_t j = 0; j < s->n; j++)
				k->syn[a * nn + j] = l->wq[(int64_t)a * l->out_c + s->n0 + j];
		for (uint32_t j = 0; j < s->n; j++)
			k->bias[j] = l->bq[s->n0 + j];
		return;
	}
	uint32_t per = (uint32_t)(l->in_c * l->kh * l->kw);
	r[SNN_R_POOL] = (uint32_t)l->pool;
	r[SNN_R_KH] = (uint32_t)l->kh;
	r[SNN_R_KW] = (uint32_t)l->kw;
	r[SNN_R_STRIDE] = (uint32_t)l->stride;
	r[SNN_R_PAD_Y] = (uint32_t)l->pad_y;
	r[SNN_R_PAD_X] = (uint32_t)l->pad_x;
	r[SNN_R_OUT_C0] = (uint32_t)s->c0;
	r[SNN_R_OUT_NC] = (uint32_t)s->nc;
	/* half records, a bias a channel, where the target's engine has them
	 * (docs/geometry.md, "Channel biases"; map.c counts them so) */
	if (snn_map_chan_bias(opt->target, s->nc))
		r[SNN_R_FLAGS] |= SNN_F_CHAN_BIAS;
	r[SNN_R_OUT_Y0] = (uint32_t)s->y0;
	r[SNN_R_OUT_H] = (uint32_t)s->h;
	r[SNN_R_OUT_W] = (uint32_t)l->out_w;
	r[SNN_R_SYN_COUNT] = (uint32_t)s->nc * per;
	memcpy(k->syn, l->wq + (int64_t)s->c0 * per, (size_t)s->nc * per * sizeof *k->syn);
	for (int c = 0; c < s->nc; c++)
		for (int y = 0; y < s->h; y++)
			for (int x = 0; x < l->out_w; x++)
				k->bias[(c * s->h + y) * l->out_w + x] =
					l->bq[((int64_t)(s->c0 + c) * l->out_h + s->y0 + y) * l->out_w + x];
}

/* Routes from a core (or the input, li -1) whose events start at (c0, y0)
 * of layer li's output: to every core of each layer that reads li,
 * shifted to where li's channels sit in that layer's input. */
static void emit_routes(const snn_net *net, const snn_mapping *m, int li, int c0, int y0, uint32_t n,
			snn_route *routes, uint32_t *count)
{
	for (int j = li + 1; j < net->n_layers; j++)
		for (int k = 0; k < net->layers[j].n_src; k++) {
			if (net->layers[j].src[k].layer != li)
				continue;
			for (int d = m->first_slice[j]; d < m->first_slice[j + 1]; d++)
				routes[(*count)++] = (snn_route){
					.dest = (uint16_t)m->slices[d].core, .src_lo = 0, .src_hi = n,
					.dc = (int16_t)(c0 + net->layers[j].src[k].c0), .dy = (int16_t)y0};
		}
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int emit_meta(const snn_net *net, const snnc_options *opt, const ir_graph *g, snn_image *img)
{
	char buf[128], digest[65];
	const char *base = strrchr(g->path, '/');
	hex(g->digest, 32, digest);
	int rc = snn_image_set_meta(img, "compiler", "snnc 0.1");
	rc = rc ? rc : snn_image_set_meta(img, "model", base ? base + 1 : g->path);
	rc = rc ? rc : snn_image_set_meta(img, "model_sha256", digest);
	rc = rc ? rc : snn_image_set_meta(img, "target", opt->target->name);
	snprintf(buf, sizeof buf, "%u", opt->weight_bits);
	rc = rc ? rc : snn_image_set_meta(img, "weight_bits", buf);
	rc = rc ? rc : snn_image_set_meta(img, "normalisation", net->normalisation);
	snprintf(buf, sizeof buf, "%g", opt->v_init);
	rc = rc ? rc : snn_image_set_meta(img, "v_init", buf);
	snprintf(buf, sizeof buf, "%d", net->n_layers);
	rc = rc ? rc : snn_image_set_meta(img, "layers", buf);
	if (net->input_nhwc)	/* the host transposes the model's samples */
		rc = rc ? rc : snn_image_set_meta(img, "input_layout", "CHW; the model's input is HWC");
	/* What the readout stands for in the model's units, so that runners can
	 * read a real value back (docs/neuron-model.md, "Real-valued readout"):
	 * a spike per step is the readout layer's lambda; a membrane unit per
	 * step is 1 / its quantisation scale. */
	const snn_layer *last = &net->layers[net->n_layers - 1];
	double unit = opt->readout == SNN_READOUT_SPIKES ? last->lambda : 1.0 / last->scale;
	snprintf(buf, sizeof buf, "%.9g", unit);
	if (last->scale > 0 && isfinite(unit) && unit > 0)
		rc = rc ? rc : snn_image_set_meta(img, "output_scale", buf);
	for (int l = 0; l < net->n_layers && !rc; l++) {	/* for plots: "layer.0=/conv1/Conv" */
		char key[32];
		snprintf(key, sizeof key, "layer.%d", l);
		if (net->layers[l].name[0] && !strchr(net->layers[l].name, '\n'))
			rc = snn_image_set_meta(img, key, net->layers[l].name);
	}
	return rc;
}

int snn_emit(const snn_net *net, const snn_mapping *m, const snnc_options *opt, const ir_graph *g,
	     snn_image *img, snn_diag *diag)
{
	int rc = snn_image_init(img, &opt->target->geo, diag);
	if (rc)
		return rc;
	snn_config *cfg = &img->cfg;
	cfg->global[SNN_G_N_CORES] = (uint32_t)m->n_slices;
	cfg->global[SNN_G_INPUT_C] = (uint32_t)net->in_c;
	cfg->global[SNN_G_INPUT_H] = (uint32_t)net->in_h;
	cfg->global[SNN_G_INPUT_W] = (uint32_t)net->in_w;
	uint32_t in_size = (uint32_t)(net->in_c * net->in_h * net->in_w);
	emit_routes(net, m, -1, 0, 0, in_size, cfg->input_route, &cfg->global[SNN_G_INPUT_ROUTES]);
	for (int i = 0; i < m->n_slices; i++) {
		const core_slice *s = &m->slices[i];
		const snn_layer *l = &net->layers[s->layer];
		snn_core_cfg *k = &cfg->core[s->core];
		emit_core(net, s, opt, k);
		int c0, y0;
		slice_origin(l, s, &c0, &y0);
		uint32_t nn = slice_neurons(l, s);
		if (s->layer + 1 < net->n_layers) {
			emit_routes(net, m, s->layer, c0, y0, nn, k->route, &k->reg[SNN_R_ROUTE_COUNT]);
		} else if (opt->readout == SNN_READOUT_SPIKES) {
			k->route[k->reg[SNN_R_ROUTE_COUNT]++] =
				(snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = nn};
		}
	}
	snn_config_pack_bases(cfg);
	/* Output k is neuron k of the last layer, in its flattened order. */
	const snn_layer *last = &net->layers[net->n_layers - 1];
	img->io.n_outputs = (uint32_t)snn_layer_neurons(last);
	img->io.outputs = calloc(img->io.n_outputs, sizeof *img->io.outputs);
	if (!img->io.outputs)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	for (int i = m->first_slice[net->n_layers - 1]; i < m->n_slices; i++) {
		const core_slice *s = &m->slices[i];
		for (uint32_t j = 0; j < slice_neurons(last, s); j++) {
			int64_t flat = last->kind == LAYER_DENSE
					       ? s->n0 + j
					       : ((int64_t)(s->c0 + j / (s->h * last->out_w)) * last->out_h +
						  s->y0 + (j / last->out_w) % s->h) * last->out_w + j % last->out_w;
			img->io.outputs[flat] = (snn_output_ref){(uint16_t)s->core, (uint16_t)j};
		}
	}
	img->io.steps = opt->steps;
	img->io.readout = opt->readout;
	img->io.encoding = SNN_ENC_RATE;
	img->io.input_scale = net->input_scale;
	img->io.input_offset = net->input_offset;
	snprintf(img->io.input_name, sizeof img->io.input_name, "%s", net->input_name);
	snprintf(img->io.output_name, sizeof img->io.output_name, "%s", net->output_name);
	if (emit_meta(net, opt, g, img))
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	return 0;
}
