/* The compiled image on the golden simulator (see golden_run.h). */
#include "golden_run.h"

#include <stdlib.h>
#include <string.h>

/* Global id (core << 16 | neuron) of every neuron of every layer. */
static int neuron_ids(snnc_golden_run *r, const snn_mapping *m)
{
	const snn_net *net = r->net;
	if (!(r->ids = calloc((size_t)net->n_layers, sizeof *r->ids)))
		return SNN_ERR_NOMEM;
	for (int l = 0; l < net->n_layers; l++) {
		const snn_layer *ly = &net->layers[l];
		if (!(r->ids[l] = malloc((size_t)snn_layer_neurons(ly) * sizeof **r->ids)))
			return SNN_ERR_NOMEM;
		for (int s = m->first_slice[l]; s < m->first_slice[l + 1]; s++) {
			const core_slice *cs = &m->slices[s];
			if (ly->kind == LAYER_DENSE) {
				for (int64_t j = 0; j < cs->n; j++)
					r->ids[l][cs->n0 + j] = (uint32_t)cs->core << 16 | (uint32_t)j;
				continue;
			}
			for (int c = 0; c < cs->nc; c++)
				for (int y = 0; y < cs->h; y++)
					for (int x = 0; x < ly->out_w; x++)
						r->ids[l][((int64_t)(cs->c0 + c) * ly->out_h + cs->y0 + y) * ly->out_w + x] =
							(uint32_t)cs->core << 16 |
							(uint32_t)((c * cs->h + y) * ly->out_w + x);
		}
	}
	return 0;
}

int snnc_golden_open(snnc_golden_run *r, const snn_net *net, const snn_mapping *m, const snn_image *img,
		     snn_diag *diag)
{
	const snn_config *cfg = &img->cfg;
	size_t in_n = (size_t)net->in_c * net->in_h * net->in_w;
	memset(r, 0, sizeof *r);
	r->net = net;
	r->n_cores = cfg->global[SNN_G_N_CORES];
	r->img = img;
	uint32_t n_out = img->io.n_outputs;
	int rc = neuron_ids(r, m);
	if (!rc && (!(r->counts = calloc(r->n_cores, sizeof *r->counts)) || !(r->sample = malloc(in_n)) ||
		    !(r->out_counts = calloc(n_out ? n_out : 1, sizeof *r->out_counts)) ||
		    !(r->membranes = calloc(n_out ? n_out : 1, sizeof *r->membranes)) ||
		    snn_output_index_init(&r->outs, img) || snn_encoder_init(&r->enc, SNN_ENC_RATE, in_n)))
		rc = SNN_ERR_NOMEM;
	for (uint32_t c = 0; c < r->n_cores && !rc; c++)
		if (!(r->counts[c] = calloc(cfg->core[c].reg[SNN_R_N_NEURONS], sizeof **r->counts)))
			rc = SNN_ERR_NOMEM;
	if (rc)
		rc = snn_fail(diag, rc, "out of memory for the golden simulator");
	else
		rc = snn_sim_create(cfg, &r->sim, diag);
	if (rc)
		snnc_golden_close(r);
	return rc;
}

void snnc_golden_close(snnc_golden_run *r)
{
	if (r->ids)
		for (int l = 0; l < r->net->n_layers; l++)
			free(r->ids[l]);
	if (r->counts)
		for (uint32_t c = 0; c < r->n_cores; c++)
			free(r->counts[c]);
	free(r->ids);
	free(r->counts);
	free(r->sample);
	free(r->out_counts);
	free(r->membranes);
	snn_output_index_free(&r->outs);
	snn_encoder_free(&r->enc);
	snn_sim_free(r->sim);
	memset(r, 0, sizeof *r);
}

void snnc_golden_start(snnc_golden_run *r, const uint8_t *px)
{
	const snn_config *cfg = snn_sim_config(r->sim);
	snn_sim_reset(r->sim);
	for (uint32_t c = 0; c < r->n_cores; c++)
		memset(r->counts[c], 0, cfg->core[c].reg[SNN_R_N_NEURONS] * sizeof **r->counts);
	memset(r->out_counts, 0, r->img->io.n_outputs * sizeof *r->out_counts);
	snn_input_to_image(r->net, px, r->sample);
	snn_encoder_start(&r->enc, r->sample, 0);
}

static void on_spike(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	((snnc_golden_run *)ctx)->counts[core][neuron]++;
}

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	snnc_golden_run *r = ctx;
	(void)step;
	int32_t k = snn_output_lookup(&r->outs, core, neuron);
	if (k >= 0)
		r->out_counts[k]++;
}

static void on_input(void *ctx, uint32_t index)
{
	snn_sim_input(ctx, index);
}

void snnc_golden_step(snnc_golden_run *r, bool count)
{
	snn_encoder_step(&r->enc, on_input, r->sim);
	snn_sim_step(r->sim, on_output, count ? on_spike : NULL, r);
}

uint32_t snnc_golden_class(snnc_golden_run *r)
{
	const snn_io_map *io = &r->img->io;
	for (uint32_t j = 0; j < io->n_outputs; j++) {
		uint32_t ref;
		snn_sim_get_state(r->sim, io->outputs[j].core, io->outputs[j].neuron, &r->membranes[j], &ref);
	}
	return snn_readout_class(io->readout, io->n_outputs, r->out_counts, r->membranes);
}

uint32_t snnc_ann_class(const ir_graph *g, const ir_values *vals)
{
	const float *v = vals->v[g->outputs[0]];
	int64_t best = 0;
	for (int64_t i = 1; i < ir_numel(&g->tensors[g->outputs[0]]); i++)
		if (v[i] > v[best])
			best = i;
	return (uint32_t)best;
}

uint32_t snnc_golden_count(const snnc_golden_run *r, int l, int64_t i)
{
	uint32_t id = r->ids[l][i];
	return r->counts[id >> 16][id & 0xFFFF];
}

double snnc_golden_value(const snnc_golden_run *r, uint32_t steps, uint32_t i)
{
	return snn_readout_value(r->img, snn_readout_unit(r->img), steps, i, r->out_counts[i], r->membranes[i]);
}
