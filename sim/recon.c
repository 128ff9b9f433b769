/* snnsim's image readout: reconstructions beside their inputs (recon.h). */
#include "recon.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot.h"
#include "snn/readout.h"

enum {
	ZOOM = 3,	/* screen pixels per image pixel */
	GAP = 8,	/* between images */
	MARGIN_L = 90,	/* row labels */
	MARGIN_T = 70,	/* title */
	MARGIN_B = 24,
	MIN_W = 560,	/* room for the title */
};

/* Output j's place (c, y, x) in its core's output space. */
static void output_coord(const snn_image *img, uint32_t j, int64_t *c, int64_t *y, int64_t *x)
{
	const snn_output_ref *o = &img->io.outputs[j];
	const uint32_t *r = img->cfg.core[o->core].reg;
	if (!snn_mode_is_map(r[SNN_R_MODE])) {	/* dense: neuron n is (n, 0, 0) */
		*c = o->neuron;
		*y = *x = 0;
		return;
	}
	uint32_t plane = r[SNN_R_OUT_H] * r[SNN_R_OUT_W];
	*c = r[SNN_R_OUT_C0] + o->neuron / plane;
	*y = r[SNN_R_OUT_Y0] + o->neuron % plane / r[SNN_R_OUT_W];
	*x = r[SNN_R_OUT_X0] + o->neuron % r[SNN_R_OUT_W];
}

int recon_check(const snn_image *img, const char *image_path, snn_diag *diag)
{
	const uint32_t *G = img->cfg.global;
	uint64_t C = G[SNN_G_INPUT_C], H = G[SNN_G_INPUT_H], W = G[SNN_G_INPUT_W];
	if (img->io.n_outputs != C * H * W)
		return snn_fail(diag, SNN_ERR_UNSUPPORTED,
				"%s: %u outputs, but its input has %llux%llux%llu = %llu values: an image "
				"readout needs one output per input value (an autoencoder)",
				image_path, img->io.n_outputs, (unsigned long long)C, (unsigned long long)H,
				(unsigned long long)W, (unsigned long long)(C * H * W));
	for (uint32_t j = 0; j < img->io.n_outputs && H * W > 1; j++) {
		int64_t c, y, x;
		output_coord(img, j, &c, &y, &x);
		bool dense = y == 0 && x == 0 && c == (int64_t)j;
		if (!dense && (c != (int64_t)(j / (H * W)) || y != (int64_t)(j / W % H) || x != (int64_t)(j % W)))
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"%s: output %u is (%lld, %lld, %lld) of its layer's map, not the input's "
					"(%llu, %llu, %llu): the outputs are not an image of the input's shape",
					image_path, j, (long long)c, (long long)y, (long long)x,
					(unsigned long long)(j / (H * W)), (unsigned long long)(j / W % H),
					(unsigned long long)(j % W));
	}
	if (!(snn_readout_unit(img) > 0))
		return snn_fail(diag, SNN_ERR_UNSUPPORTED,
				"%s: no output_scale in its metadata, so its outputs cannot be read back as "
				"values: compile the model again with this snnc", image_path);
	return 0;
}

double recon_psnr(const snn_image *img, double mse)
{
	double peak = 255.0 * fabs((double)img->io.input_scale);
	return mse > 0 ? 10.0 * log10(peak * peak / mse) : INFINITY;
}

/* A value in the model's units as a grey level: where the pixel that the
 * model sees as that value would be (pixel x scale + offset). */
static double grey(const snn_image *img, double v)
{
	double p = (v - img->io.input_offset) / img->io.input_scale / 255.0;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* One image of the grid, channel 0 (a grey map) at (x0, y0), ZOOM times
 * its size; pixels as grey levels 0..1 from at(). One bitmap drawn with
 * nearest-neighbour scaling, not a rectangle a pixel: an SVG keeps it as one
 * embedded image. */
static void draw_image(cairo_t *cr, double x0, double y0, uint32_t h, uint32_t w,
		       double (*at)(const recon_grid *, size_t, uint32_t), const recon_grid *g, size_t s)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
	if (cairo_surface_status(img)) {
		cairo_surface_destroy(img);
		return;
	}
	cairo_surface_flush(img);
	uint8_t *px = cairo_image_surface_get_data(img);
	int stride = cairo_image_surface_get_stride(img);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = (uint32_t)lround(255 * at(g, s, y * w + x));
			uint32_t rgb = v << 16 | v << 8 | v;
			memcpy(px + (size_t)y * stride + 4 * x, &rgb, 4);
		}
	cairo_surface_mark_dirty(img);
	cairo_save(cr);
	cairo_translate(cr, x0, y0);
	cairo_scale(cr, ZOOM, ZOOM);
	cairo_set_source_surface(cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
	cairo_paint(cr);
	cairo_restore(cr);
	cairo_surface_destroy(img);
}

static size_t in_size(const recon_grid *g)
{
	const uint32_t *G = g->img->cfg.global;
	return (size_t)G[SNN_G_INPUT_C] * G[SNN_G_INPUT_H] * G[SNN_G_INPUT_W];
}

static double input_at(const recon_grid *g, size_t s, uint32_t k)
{
	return g->inputs[s * in_size(g) + k] / 255.0;
}

static double value_at(const recon_grid *g, size_t s, uint32_t k)
{
	return grey(g->img, g->values[s * in_size(g) + k]);
}

static double target_at(const recon_grid *g, size_t s, uint32_t k)
{
	return grey(g->img, g->targets[s * in_size(g) + k]);
}

int recon_write_png(const recon_grid *g, const char *path, snn_diag *diag)
{
	const uint32_t *G = g->img->cfg.global;
	uint32_t h = G[SNN_G_INPUT_H], w = G[SNN_G_INPUT_W];
	size_t n = g->n < RECON_MAX_SAMPLES ? g->n : RECON_MAX_SAMPLES;
	int rows = g->targets ? 3 : 2;
	double cell_w = (double)w * ZOOM + GAP, cell_h = (double)h * ZOOM + GAP;
	int fig_w = MARGIN_L + (int)(n * cell_w) + GAP, fig_h = MARGIN_T + (int)(rows * cell_h) + MARGIN_B;
	snn_plot *p = snn_plot_new(fig_w > MIN_W ? fig_w : MIN_W, fig_h, path);
	if (!p)
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory drawing the reconstructions", path);
	cairo_t *cr = snn_plot_cairo(p);
	static const char *const label[] = {"input", "SNN", "ANN"};
	double (*const at[])(const recon_grid *, size_t, uint32_t) = {input_at, value_at, target_at};
	snn_plot_font(p, 12, false);
	for (int r = 0; r < rows; r++) {
		double y0 = MARGIN_T + r * cell_h;
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		snn_plot_text(p, MARGIN_L - 10, y0 + h * ZOOM / 2.0 + 4, 1, label[r]);
		for (size_t s = 0; s < n; s++)
			draw_image(cr, MARGIN_L + s * cell_w, y0, h, w, at[r], g, s);
	}
	char title[300], subtitle[300];
	snprintf(title, sizeof title, "Reconstructions of the first %zu inputs: %s", n, g->image_path);
	if (g->targets)
		snprintf(subtitle, sizeof subtitle,
			 "rows: the input, the SNN's output after %u steps, the ANN's; over all %zu samples "
			 "MSE %.4g, PSNR %.2f dB against the ANN", g->steps, g->n, g->mse, recon_psnr(g->img, g->mse));
	else
		snprintf(subtitle, sizeof subtitle, "rows: the input, the SNN's output after %u steps", g->steps);
	snn_plot_title(p, 12, title, subtitle);
	int rc = snn_plot_save(p, path, diag);
	snn_plot_free(p);
	snn_plot_release_caches();	/* snnsim draws one such figure per run */
	return rc;
}
