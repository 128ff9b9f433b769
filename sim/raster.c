/* Spike raster writers (CSV, PNG through libpng). */
#include "raster.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snn/file.h"

#define MAX_ROWS 4000u	/* taller rasters are folded, several neurons a row */
#define TARGET_WIDTH 640u	/* columns widen to about this many pixels */

void raster_add(raster *r, uint32_t step, int32_t core, uint32_t neuron)
{
	if (r->failed)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4096;
		raster_event *p = realloc(r->ev, cap * sizeof *p);
		if (!p) {
			r->failed = 1;
			return;
		}
		r->ev = p;
		r->cap = cap;
	}
	r->ev[r->n++] = (raster_event){step, core, neuron};
}

void raster_free(raster *r)
{
	free(r->ev);
	memset(r, 0, sizeof *r);
}

int raster_write_csv(const raster *r, const char *path, snn_diag *diag)
{
	if (r->failed)
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory recording the raster", path);
	snn_output o;
	int rc = snn_output_open(&o, path, diag);
	if (rc)
		return rc;
	fprintf(o.f, "step,core,neuron\n");
	for (size_t i = 0; i < r->n; i++) {	/* errors stick to o.f; commit sees them */
		if (r->ev[i].core < 0)
			fprintf(o.f, "%u,input,%u\n", r->ev[i].step, r->ev[i].neuron);
		else
			fprintf(o.f, "%u,%d,%u\n", r->ev[i].step, r->ev[i].core, r->ev[i].neuron);
	}
	return snn_output_commit(&o, diag);
}

int raster_write_png(const raster *r, const snn_config *cfg, uint32_t steps, const char *path,
		     snn_diag *diag)
{
	/* Row layout: input rows, then each core's neurons in phase order. */
	uint32_t n_cores = cfg->global[SNN_G_N_CORES];
	uint64_t *first = calloc(n_cores + 1, sizeof *first);
	uint8_t *layer_break = calloc(n_cores + 1, 1);
	if (!first || !layer_break) {
		free(first);
		free(layer_break);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	uint64_t rows = (uint64_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
			cfg->global[SNN_G_INPUT_W];
	for (uint32_t p = 0; p < cfg->geo.max_phases; p++) {
		bool phase_start = true;
		for (uint32_t c = 0; c < n_cores; c++) {
			const uint32_t *reg = cfg->core[c].reg;
			if (!reg[SNN_R_MODE] || reg[SNN_R_PHASE] != p)
				continue;
			layer_break[c] = phase_start;
			phase_start = false;
			first[c] = rows;
			rows += reg[SNN_R_N_NEURONS];
		}
	}
	uint64_t fold = rows > MAX_ROWS ? (rows + MAX_ROWS - 1) / MAX_ROWS : 1;
	uint32_t col_px = steps && steps < TARGET_WIDTH / 3 ? TARGET_WIDTH / steps : 3;
	uint32_t height = (uint32_t)((rows + fold - 1) / fold), width = steps * col_px;
	if (height == 0 || width == 0) {
		free(first);
		free(layer_break);
		return snn_fail(diag, SNN_ERR_ARG, "%s: nothing to plot", path);
	}
	uint8_t *img = malloc((size_t)width * height);
	if (!img) {
		free(first);
		free(layer_break);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	memset(img, 255, (size_t)width * height);
	for (uint32_t c = 0; c < n_cores; c++)	/* grey line above each layer */
		if (layer_break[c])
			memset(img + (size_t)(first[c] / fold) * width, 190, width);
	for (size_t i = 0; i < r->n; i++) {
		const raster_event *e = &r->ev[i];
		uint64_t row = e->core < 0 ? e->neuron : first[e->core] + e->neuron;
		if (e->step >= steps || row >= rows)
			continue;
		uint8_t *px = img + (size_t)(row / fold) * width + (size_t)e->step * col_px;
		for (unsigned k = 0; k + 1 < col_px; k++)
			px[k] = 0;
	}
	free(first);
	free(layer_break);
	snn_output o;
	int rc = snn_output_open(&o, path, diag);
	if (rc) {
		free(img);
		return rc;
	}
	int ok = 0;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (png && info && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, o.f);
		png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (uint32_t y = 0; y < height; y++)
			png_write_row(png, img + (size_t)y * width);
		png_write_end(png, NULL);
		ok = 1;
	}
	png_destroy_write_struct(&png, &info);
	free(img);
	if (!ok) {
		snn_output_abort(&o);
		return snn_fail(diag, SNN_ERR_IO, "%s: writing the PNG failed", path);
	}
	return snn_output_commit(&o, diag);
}
