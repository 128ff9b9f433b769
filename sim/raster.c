/* Spike raster writers: CSV, and a labelled plot (plot/plot.h) as PNG or SVG. */
#include "raster.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot.h"
#include "snn/file.h"

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

/* The plot's layout in pixels. The plot area is PLOT_W wide whatever T is
 * (long runs put several steps in a column) and the layers share PLOT_H by
 * the square root of their sizes, so a 10-neuron readout stays visible
 * beside a 30,000-neuron conv layer (large layers put several neurons in a
 * pixel row). */
#define PLOT_W 800
#define PLOT_H 680
#define MARGIN_L 76
#define MARGIN_R 252
#define MARGIN_T 66
#define MARGIN_B 100
#define LABEL_LINES 4
#define LINE_H 14
#define BAND_MIN (LABEL_LINES * LINE_H + 4)
#define INK 0.05, 0.12, 0.45	/* the colour of a spike */

_Static_assert(MARGIN_L + PLOT_W + MARGIN_R <= RASTER_PNG_MAX_W, "plot too wide");
_Static_assert(MARGIN_T + PLOT_H + MARGIN_B <= RASTER_PNG_MAX_H, "plot too tall");

typedef struct band {
	char label[LABEL_LINES][96];
	uint64_t n;	/* neurons, or input lines */
	uint64_t fold;	/* neurons per pixel row */
	uint64_t rows;
	uint64_t events;	/* spikes, or input events, in the plot */
	double y, h;	/* top and height */
	uint32_t *cells;	/* rows x cols spike counts */
} band;

/* "cores 0-1", "core 4", "3 cores, 2..7" */
static void core_list(uint32_t count, uint32_t first, uint32_t last, char out[32])
{
	if (count == 1)
		snprintf(out, 32, "core %u", first);
	else if (last - first + 1 == count)
		snprintf(out, 32, "cores %u-%u", first, last);
	else
		snprintf(out, 32, "%u cores, %u..%u", count, first, last);
}

/* One band per phase (layer) of the image, after the inputs; core_band and
 * core_off say where each core's neurons go. The layer's name is the one
 * snnc stored in the metadata (docs/config-format.md, META), if any.
 * Returns the number of bands. */
static int make_bands(const snn_image *img, band *b, int *core_band, uint64_t *core_off)
{
	const snn_config *cfg = &img->cfg;
	uint32_t n_cores = cfg->global[SNN_G_N_CORES];
	b[0].n = (uint64_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
		 cfg->global[SNN_G_INPUT_W];
	snprintf(b[0].label[0], sizeof b[0].label[0], "input");
	snprintf(b[0].label[1], sizeof b[0].label[1], "%u x %u x %u pixels, rate-coded",
		 cfg->global[SNN_G_INPUT_C], cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W]);
	int nb = 1;
	for (uint32_t c = 0; c < n_cores; c++)
		core_band[c] = -1;
	for (uint32_t p = 0; p < cfg->geo.max_phases; p++) {
		band *l = &b[nb];
		uint32_t count = 0, first = 0, last = 0, kh = 0, kw = 0;
		bool conv = false, dense = false, spiking = false, whole_map = true;
		uint32_t map_mode = SNN_MODE_CONV;	/* conv or deconv, for the label */
		for (uint32_t c = 0; c < n_cores; c++) {
			const uint32_t *reg = cfg->core[c].reg;
			if (!reg[SNN_R_MODE] || reg[SNN_R_PHASE] != p)
				continue;
			core_band[c] = nb;
			core_off[c] = l->n;
			l->n += reg[SNN_R_N_NEURONS];
			if (!count++)
				first = c;
			last = c;
			conv |= snn_mode_is_map(reg[SNN_R_MODE]);
			dense |= reg[SNN_R_MODE] == SNN_MODE_DENSE;
			spiking |= (reg[SNN_R_FLAGS] & SNN_F_SPIKING) != 0;
			if (snn_mode_is_map(reg[SNN_R_MODE])) {
				map_mode = reg[SNN_R_MODE];
				kh = reg[SNN_R_KH];
				kw = reg[SNN_R_KW];
				/* a Gemm after pooling maps as a conv whose kernel
				 * covers the whole (pooled) input map */
				whole_map &= reg[SNN_R_MODE] == SNN_MODE_CONV && !reg[SNN_R_PAD_Y] && !reg[SNN_R_PAD_X] &&
					     kh * reg[SNN_R_POOL] == reg[SNN_R_IN_H] &&
					     kw * reg[SNN_R_POOL] == reg[SNN_R_IN_W];
			}
		}
		if (!count)
			continue;
		char cores[32], key[32], name[64];
		core_list(count, first, last, cores);
		snprintf(key, sizeof key, "layer.%u", p);
		if (snn_image_get_meta(img, key, name, sizeof name))
			snprintf(l->label[0], sizeof l->label[0], "layer %d: %.28s", nb, name);
		else
			snprintf(l->label[0], sizeof l->label[0], "layer %d", nb);
		if (conv && !dense && whole_map)
			snprintf(l->label[1], sizeof l->label[1], "dense as conv %ux%u, %s", kh, kw, cores);
		else if (conv && !dense)
			snprintf(l->label[1], sizeof l->label[1], "%s %ux%u, %s", snn_mode_name(map_mode), kh, kw, cores);
		else
			snprintf(l->label[1], sizeof l->label[1], "%s, %s", conv ? "dense and conv" : "dense", cores);
		if (!spiking)
			snprintf(l->label[3], sizeof l->label[3], "readout: membrane, no spikes");
		nb++;
	}
	return nb;
}

/* Heights: each band at least BAND_MIN (less when many share the plot),
 * the rest by the square root of its size; then the neurons per row. */
static void size_bands(band *b, int nb)
{
	double band_min = nb * BAND_MIN <= PLOT_H ? BAND_MIN : (double)PLOT_H / nb;
	double rest = PLOT_H - nb * band_min, total = 0, y = MARGIN_T;
	for (int i = 0; i < nb; i++)
		total += sqrt((double)b[i].n);
	for (int i = 0; i < nb; i++) {
		b[i].h = floor(band_min + (total > 0 ? rest * sqrt((double)b[i].n) / total : 0));
		b[i].y = y;
		y += b[i].h;
		uint64_t px = b[i].h >= 1 ? (uint64_t)b[i].h : 1, n = b[i].n ? b[i].n : 1;
		b[i].fold = (n + px - 1) / px;
		b[i].rows = (n + b[i].fold - 1) / b[i].fold;
		if (b[i].fold > 1 && !b[i].label[3][0]) {
			char num[32];
			snprintf(b[i].label[3], sizeof b[i].label[3], "1 pixel row = %s %s",
				 snn_plot_count(b[i].fold, num), i ? "neurons" : "input lines");
		}
	}
}

/* Shade of a cell holding k of at most cap spikes: a single spike is
 * still plainly visible, a full cell is solid. */
static double shade(double k, double cap)
{
	return cap > 1 ? 0.25 + 0.75 * fmin(1.0, k / cap) : 1.0;
}

/* A band's cells as one image at the plot's resolution (one pixel per
 * pixel, so that neither PNG nor SVG viewers blur it), with a pixel of gap
 * between cells wide enough to spare it. */
static cairo_surface_t *band_image(const band *b, uint32_t cols, uint32_t step_fold)
{
	int w = PLOT_W, h = (int)b->h;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	if (cairo_surface_status(s))
		return s;
	cairo_surface_flush(s);
	uint8_t *px = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	double col_w = (double)w / cols, row_h = (double)h / (double)b->rows;
	double cap = (double)b->fold * step_fold;
	static const double ink[3] = {INK};
	for (int y = 0; y < h; y++) {
		uint64_t r = (uint64_t)(y / row_h);
		bool gap_y = row_h >= 4 && (uint64_t)((y + 1) / row_h) != r;
		uint32_t *line = (uint32_t *)(void *)(px + (size_t)y * stride);
		for (int x = 0; x < w; x++) {
			uint32_t c = (uint32_t)(x / col_w);
			bool gap_x = col_w >= 4 && (uint32_t)((x + 1) / col_w) != c;
			uint32_t k = r < b->rows && c < cols ? b->cells[r * cols + c] : 0;
			line[x] = 0;
			if (!k || gap_x || gap_y)
				continue;
			double a = shade(k, cap);	/* premultiplied ARGB */
			line[x] = (uint32_t)lround(255 * a) << 24 | (uint32_t)lround(255 * a * ink[0]) << 16 |
				  (uint32_t)lround(255 * a * ink[1]) << 8 | (uint32_t)lround(255 * a * ink[2]);
		}
	}
	cairo_surface_mark_dirty(s);
	return s;
}

/* What the shades mean, under the time axis. */
static void draw_key(snn_plot *p, double x, double y, bool shaded)
{
	cairo_t *cr = snn_plot_cairo(p);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	snn_plot_font(p, 11, false);
	if (!shaded) {
		cairo_set_source_rgb(cr, INK);
		cairo_rectangle(cr, x, y - 9, 14, 10);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		snn_plot_text(p, x + 20, y, 0, "a spike: one neuron (pixel row) at one time step (column)");
		return;
	}
	snn_plot_text(p, x, y, 0, "A pixel row holds one neuron, or as many as the layer's label says; a "
				  "column one time step or as many as the axis says.");
	snn_plot_text(p, x, y + 18, 0, "Shade of a cell: the share of its neurons x steps that spiked:");
	double x1 = x + 356;
	static const double at[] = {0, 0.25, 0.5, 1};
	static const char *const what[] = {"one spike", "25 %", "50 %", "all (100 %)"};
	for (int i = 0; i < 4; i++) {
		cairo_set_source_rgba(cr, INK, shade(at[i] * 100, 100));
		cairo_rectangle(cr, x1, y + 9, 14, 10);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		snn_plot_text(p, x1 + 18, y + 18, 0, what[i]);
		cairo_text_extents_t ext;
		cairo_text_extents(cr, what[i], &ext);
		x1 += 34 + ext.x_advance;
	}
}

static void draw(snn_plot *p, const band *b, int nb, uint32_t steps, uint32_t step_fold, uint32_t cols,
		 const snn_config *cfg, const int *core_band, const uint64_t *core_off, bool shaded)
{
	cairo_t *cr = snn_plot_cairo(p);
	const double x0 = MARGIN_L, y1 = b[nb - 1].y + b[nb - 1].h;
	char num[32], xlabel[96];
	for (int i = 0; i < nb; i++) {	/* bands alternate white and light grey */
		double g = i % 2 ? 0.93 : 1.0;
		cairo_set_source_rgb(cr, g, g, g);
		cairo_rectangle(cr, x0, b[i].y, PLOT_W + MARGIN_R - 8, b[i].h);
		cairo_fill(cr);
	}
	if (step_fold > 1)
		snprintf(xlabel, sizeof xlabel, "time step (one column = %u steps)", step_fold);
	else
		snprintf(xlabel, sizeof xlabel, "time step (one column each, 0 to %u)", steps - 1);
	/* A column's centre is its first step (more steps: the axis is a bit
	 * stretched, which the label says). */
	snn_plot_area area = {x0, MARGIN_T, PLOT_W, y1 - MARGIN_T,
			      {-0.5 * step_fold, (cols - 0.5) * step_fold, xlabel, false, false, false},
			      {0, 1, "neuron (index within its layer)", false, true, false}};
	snn_plot_axes(p, &area);
	for (int i = 0; i < nb; i++) {
		cairo_surface_t *img = band_image(&b[i], cols, step_fold);
		cairo_set_source_surface(cr, img, x0, b[i].y);
		cairo_paint(cr);
		cairo_surface_destroy(img);
	}

	/* Cores of one layer: dashed; layers: solid, across the labels too. */
	static const double dash[] = {4, 3};
	cairo_set_line_width(cr, 1);
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	cairo_set_dash(cr, dash, 2, 0);
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		if (core_band[c] < 0 || !core_off[c])
			continue;
		const band *l = &b[core_band[c]];
		double y = floor(l->y + (double)(core_off[c] / l->fold) * l->h / (double)l->rows) + 0.5;
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x0 + PLOT_W, y);
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	cairo_set_line_width(cr, 1.5);
	for (int i = 1; i < nb; i++) {
		cairo_move_to(cr, x0 - 30, b[i].y);
		cairo_line_to(cr, x0 + PLOT_W + MARGIN_R - 8, b[i].y);
	}
	cairo_stroke(cr);
	cairo_set_line_width(cr, 1);

	/* Neuron ticks: index within the layer, at the centre of its row; the
	 * first one below the band's top line. */
	snn_plot_font(p, 10, false);
	for (int i = 0; i < nb; i++) {
		double row_h = b[i].h / (double)b[i].rows;
		double per_tick = (double)b[i].n / fmax(1.0, floor(b[i].h / 34));
		uint64_t nstep = (uint64_t)snn_plot_nice_step(fmax(1.0, per_tick));	/* whole neurons */
		for (uint64_t k = 0; k < b[i].n; k += nstep) {
			double y = b[i].y + ((double)(k / b[i].fold) + 0.5) * row_h;
			if (k && y > b[i].y + b[i].h - 10)
				break;
			cairo_move_to(cr, x0 - 4, floor(y) + 0.5);
			cairo_line_to(cr, x0, floor(y) + 0.5);
			cairo_stroke(cr);
			snn_plot_text(p, x0 - 6, fmax(y + 3.5, b[i].y + 10), 1.0, snn_plot_count(k, num));
		}
	}

	/* Band labels, as many lines as the band's height holds. */
	for (int i = 0; i < nb; i++)
		for (int j = 0, line = 0; j < LABEL_LINES; j++) {
			if (!b[i].label[j][0])
				continue;
			if ((line + 1) * LINE_H > b[i].h - 2)
				break;
			snn_plot_font(p, 12, j == 0);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			snn_plot_text(p, x0 + PLOT_W + 10, b[i].y + 14 + line * LINE_H, 0, b[i].label[j]);
			line++;
		}
	draw_key(p, x0, y1 + 64, shaded);
}

/* Title: the model the image came from (its metadata), else the image. */
static void title_of(const snn_image *img, const raster_plot *p, uint64_t spikes, uint64_t inputs, bool shaded,
		     char title[256], char subtitle[256])
{
	char model[128], n1[32], n2[32];
	const char *base = strrchr(p->image_path, '/');
	base = base ? base + 1 : p->image_path;
	if (!snn_image_get_meta(img, "model", model, sizeof model))
		snprintf(model, sizeof model, "%s", base);
	snprintf(title, 256, "Spike raster: %.60s, sample %zu, T = %u", model, p->sample, p->steps);
	snprintf(subtitle, 256, "image %.60s: %s spikes and %s input events in this sample%s", base,
		 snn_plot_count(spikes, n1), snn_plot_count(inputs, n2),
		 shaded ? "; paler cells: fewer of their neurons spiked (key below)" : "");
}

int raster_write_plot(const raster *r, const snn_image *img, const raster_plot *p, const char *path,
		      snn_diag *diag)
{
	const snn_config *cfg = &img->cfg;
	uint32_t n_cores = cfg->global[SNN_G_N_CORES], steps = p->steps;
	if (r->failed)
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory recording the raster", path);
	if (!steps)
		return snn_fail(diag, SNN_ERR_ARG, "%s: nothing to plot (0 time steps)", path);
	uint32_t step_fold = (steps + PLOT_W - 1) / PLOT_W, cols = (steps + step_fold - 1) / step_fold;
	int rc = 0, nb = 0;
	snn_plot *plot = NULL;
	band *b = calloc((size_t)cfg->geo.max_phases + 1, sizeof *b);
	int *core_band = calloc((size_t)n_cores + 1, sizeof *core_band);
	uint64_t *core_off = calloc((size_t)n_cores + 1, sizeof *core_off);
	if (!b || !core_band || !core_off)
		goto nomem;
	nb = make_bands(img, b, core_band, core_off);
	size_bands(b, nb);
	for (int i = 0; i < nb; i++)
		if (!(b[i].cells = calloc(b[i].rows * cols, sizeof *b[i].cells)))
			goto nomem;
	uint64_t spikes = 0, inputs = 0;
	for (size_t i = 0; i < r->n; i++) {
		const raster_event *e = &r->ev[i];
		int k = e->core < 0 ? 0 : (uint32_t)e->core < n_cores ? core_band[e->core] : -1;
		if (k < 0 || e->step >= steps)
			continue;
		uint64_t off = e->core < 0 ? 0 : core_off[e->core];
		if (e->core >= 0 && e->neuron >= cfg->core[e->core].reg[SNN_R_N_NEURONS])
			continue;
		off += e->neuron;
		if (off >= b[k].n)
			continue;
		b[k].cells[off / b[k].fold * cols + e->step / step_fold]++;
		b[k].events++;
		*(e->core < 0 ? &inputs : &spikes) += 1;
	}
	bool shaded = step_fold > 1;
	for (int i = 0; i < nb; i++) {
		char n1[32], n2[32];
		snprintf(b[i].label[2], sizeof b[i].label[2], i ? "%s neurons, %s spikes" : "%s lines, %s events",
			 snn_plot_count(b[i].n, n1), snn_plot_count(b[i].events, n2));
		shaded |= b[i].fold > 1;
	}
	char title[256], subtitle[256];
	title_of(img, p, spikes, inputs, shaded, title, subtitle);
	if (!(plot = snn_plot_new(MARGIN_L + PLOT_W + MARGIN_R, MARGIN_T + PLOT_H + MARGIN_B, path)))
		goto nomem;
	draw(plot, b, nb, steps, step_fold, cols, cfg, core_band, core_off, shaded);
	snn_plot_title(plot, MARGIN_L, title, subtitle);
	rc = snn_plot_save(plot, path, diag);
	goto out;
nomem:
	rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory drawing the raster", path);
out:
	if (plot) {
		snn_plot_free(plot);
		snn_plot_release_caches();	/* snnsim draws one plot per run */
	}
	for (int i = 0; b && i < nb; i++)
		free(b[i].cells);
	free(b);
	free(core_band);
	free(core_off);
	return rc;
}
