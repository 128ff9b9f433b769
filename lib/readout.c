/* Output readout shared by snnsim and the host driver. */
#include "snn/readout.h"

#include <math.h>
#include <stdlib.h>

int snn_output_index_init(snn_output_index *ix, const snn_image *img)
{
	const snn_config *cfg = &img->cfg;
	ix->n_cores = cfg->global[SNN_G_N_CORES];
	ix->slot = calloc(ix->n_cores ? ix->n_cores : 1, sizeof *ix->slot);
	if (!ix->slot)
		return SNN_ERR_NOMEM;
	for (uint32_t i = 0; i < img->io.n_outputs; i++) {
		const snn_output_ref *o = &img->io.outputs[i];
		if (!ix->slot[o->core]) {
			/* neuron ids are 16-bit, so a full row needs no bound check */
			ix->slot[o->core] = malloc(65536 * sizeof(int32_t));
			if (!ix->slot[o->core]) {
				snn_output_index_free(ix);
				return SNN_ERR_NOMEM;
			}
			for (uint32_t k = 0; k < 65536; k++)
				ix->slot[o->core][k] = -1;
		}
		ix->slot[o->core][o->neuron] = (int32_t)i;
	}
	return 0;
}

void snn_output_index_free(snn_output_index *ix)
{
	if (ix->slot)
		for (uint32_t c = 0; c < ix->n_cores; c++)
			free(ix->slot[c]);
	free(ix->slot);
	ix->slot = NULL;
}

uint32_t snn_readout_class(uint32_t readout, uint32_t n, const uint32_t *counts,
			   const int32_t *membranes)
{
	uint32_t best = 0;
	for (uint32_t i = 1; i < n; i++) {
		if (readout == SNN_READOUT_SPIKES) {
			if (counts[i] > counts[best] ||
			    (counts[i] == counts[best] && membranes[i] > membranes[best]))
				best = i;
		} else if (membranes[i] > membranes[best]) {
			best = i;
		}
	}
	return best;
}

double snn_readout_unit(const snn_image *img)
{
	char buf[64], *end;
	if (!snn_image_get_meta(img, "output_scale", buf, sizeof buf))
		return 0;
	double u = strtod(buf, &end);
	return *end || !isfinite(u) || u <= 0 ? 0 : u;
}

double snn_readout_value(const snn_image *img, double unit, uint32_t steps, uint32_t i,
			 uint32_t count, int32_t membrane)
{
	if (img->io.readout == SNN_READOUT_SPIKES)
		return unit * count / steps;
	const snn_output_ref *o = &img->io.outputs[i];
	int32_t v_init = (int32_t)img->cfg.core[o->core].reg[SNN_R_V_INIT];
	return unit * ((double)membrane - v_init) / steps;
}
