#include "two_input_model.h"

#include <stdio.h>
#include <stdlib.h>

uint32_t *two_input_model(snn_image *img)
{
	static const snn_geometry geo = {4, 16, 16, 256, 8, 16, 8, 2, 2, 2, 0, 0, 0, 0, 0, 0};
	snn_diag d;
	snn_image_init(img, &geo, &d);
	snn_config *cfg = &img->cfg;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 2;
	cfg->global[SNN_G_INPUT_H] = 1;
	cfg->global[SNN_G_INPUT_W] = 1;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = 2};
	uint32_t *r = cfg->core[0].reg;
	r[SNN_R_MODE] = SNN_MODE_DENSE;
	r[SNN_R_N_NEURONS] = 2;
	r[SNN_R_N_AXONS] = 2;
	r[SNN_R_IN_C] = 2;
	r[SNN_R_IN_H] = r[SNN_R_IN_W] = 1;
	r[SNN_R_SYN_COUNT] = 4;
	img->io.steps = 10;
	img->io.n_outputs = 2;
	img->io.outputs = calloc(2, sizeof *img->io.outputs);
	if (img->io.outputs)
		img->io.outputs[1] = (snn_output_ref){0, 1};
	return r;
}

void two_input_model_write(snn_image *img, const char *path)
{
	snn_diag d;
	if (snn_image_write_file(img, path, &d))
		fprintf(stderr, "%s\n", d.msg);
	snn_image_free(img);
}
