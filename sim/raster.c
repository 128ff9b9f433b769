/* Spike raster writers: CSV, and a labelled plot drawn with cairo as PNG. */
#include "raster.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define PLOT_H 700
#define MARGIN_L 76
#define MARGIN_R 252
#define MARGIN_T 66
#define MARGIN_B 56
#define BAND_MIN 46	/* three label lines */
#define LINE_H 14
#define FONT "DejaVu Sans"

_Static_assert(MARGIN_L + PLOT_W + MARGIN_R <= RASTER_PNG_MAX_W, "plot too wide");
_Static_assert(MARGIN_T + PLOT_H + MARGIN_B <= RASTER_PNG_MAX_H, "plot too tall");

typedef struct band {
	char label[3][96];
	uint64_t n;	/* neurons, or input lines */
	uint64_t fold;	/* neurons per pixel row */
	uint64_t rows;
	uint64_t events;	/* spikes, or input events, in the plot */
	double y, h;	/* top and height */
	uint32_t *cells;	/* rows x cols spike counts */
} band;

/* 37680 -> "37,680" */
static const char *count_str(uint64_t v, char buf[32])
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), k = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = tmp[i];
	}
	buf[k] = 0;
	return buf;
}

/* The smallest of 1, 2, 5, 10, 20, ... at least x. */
static uint64_t nice_step(double x)
{
	uint64_t base = 1;
	for (;;) {
		if (x <= (double)base)
			return base;
		if (x <= 2.0 * (double)base)
			return 2 * base;
		if (x <= 5.0 * (double)base)
			return 5 * base;
		base *= 10;
	}
}

static void text_at(cairo_t *cr, double x, double y, double align, const char *s)
{
	cairo_text_extents_t ext;
	cairo_text_extents(cr, s, &ext);
	cairo_move_to(cr, x - align * ext.x_advance, y);
	cairo_show_text(cr, s);
}

static void set_font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* One band per phase (layer) of the image, after the inputs; core_band and
 * core_off say where each core's neurons go. Returns the number of bands. */
static int make_bands(const snn_config *cfg, band *b, int *core_band, uint64_t *core_off)
{
	uint32_t n_cores = cfg->global[SNN_G_N_CORES];
	b[0].n = (uint64_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
		 cfg->global[SNN_G_INPUT_W];
	snprintf(b[0].label[0], sizeof b[0].label[0], "input %ux%ux%u", cfg->global[SNN_G_INPUT_C],
		 cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W]);
	int nb = 1;
	for (uint32_t c = 0; c < n_cores; c++)
		core_band[c] = -1;
	for (uint32_t p = 0; p < cfg->geo.max_phases; p++) {
		band *l = &b[nb];
		uint32_t count = 0, first = 0, last = 0, kh = 0, kw = 0;
		bool conv = false, dense = false, spiking = false;
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
			conv |= reg[SNN_R_MODE] == SNN_MODE_CONV;
			dense |= reg[SNN_R_MODE] == SNN_MODE_DENSE;
			spiking |= (reg[SNN_R_FLAGS] & SNN_F_SPIKING) != 0;
			if (reg[SNN_R_MODE] == SNN_MODE_CONV) {
				kh = reg[SNN_R_KH];
				kw = reg[SNN_R_KW];
			}
		}
		if (!count)
			continue;
		char cores[32];
		if (count == 1)
			snprintf(cores, sizeof cores, "core %u", first);
		else if (last - first + 1 == count)
			snprintf(cores, sizeof cores, "cores %u-%u", first, last);
		else
			snprintf(cores, sizeof cores, "%u cores, %u..%u", count, first, last);
		if (conv && !dense)
			snprintf(l->label[0], sizeof l->label[0], "layer %d: conv %ux%u, %s", nb, kh, kw, cores);
		else
			snprintf(l->label[0], sizeof l->label[0], "layer %d: %s, %s", nb,
				 conv ? "dense and conv" : "dense", cores);
		if (!spiking)
			snprintf(l->label[2], sizeof l->label[2], "readout: membrane, no spikes");
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
		if (b[i].fold > 1 && !b[i].label[2][0]) {
			char num[32];
			snprintf(b[i].label[2], sizeof b[i].label[2], "1 pixel row = %s neurons",
				 count_str(b[i].fold, num));
		}
	}
}

static void draw(cairo_t *cr, const band *b, int nb, uint32_t steps, uint32_t step_fold, uint32_t cols,
		 const char *title, const char *subtitle, const snn_config *cfg, const int *core_band,
		 const uint64_t *core_off)
{
	const double x0 = MARGIN_L, y0 = MARGIN_T, col_w = (double)PLOT_W / cols;
	const double y1 = b[nb - 1].y + b[nb - 1].h;
	char num[32];
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	for (int i = 0; i < nb; i++) {	/* bands alternate white and light grey */
		double g = i % 2 ? 0.93 : 1.0;
		cairo_set_source_rgb(cr, g, g, g);
		cairo_rectangle(cr, x0, b[i].y, PLOT_W + MARGIN_R - 8, b[i].h);
		cairo_fill(cr);
	}
	uint64_t tstep = nice_step(steps / 12.0);
	cairo_set_line_width(cr, 1);
	cairo_set_source_rgb(cr, 0.82, 0.82, 0.86);	/* time grid */
	for (uint64_t t = 0; t < steps; t += tstep) {
		double x = floor(x0 + ((double)(t / step_fold) + 0.5) * col_w) + 0.5;
		cairo_move_to(cr, x, y0);
		cairo_line_to(cr, x, y1);
	}
	cairo_stroke(cr);

	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	double cw = col_w >= 4 ? col_w - 1 : col_w;
	for (int i = 0; i < nb; i++) {
		double row_h = b[i].h / (double)b[i].rows, rh = row_h >= 4 ? row_h - 1 : row_h;
		double cap = (double)b[i].fold * step_fold;	/* spikes a cell can hold */
		for (uint64_t r = 0; r < b[i].rows; r++)
			for (uint32_t c = 0; c < cols; c++) {
				uint32_t k = b[i].cells[r * cols + c];
				if (!k)
					continue;
				double a = cap > 1 ? 0.3 + 0.7 * fmin(1.0, k / cap) : 1.0;
				cairo_set_source_rgba(cr, 0.05, 0.12, 0.45, a);
				cairo_rectangle(cr, x0 + c * col_w, b[i].y + (double)r * row_h, cw, rh);
				cairo_fill(cr);
			}
	}
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);

	/* Cores of one layer: dashed; layers: solid, across the labels too. */
	static const double dash[] = {4, 3};
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
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
		cairo_move_to(cr, x0 - 8, b[i].y);
		cairo_line_to(cr, x0 + PLOT_W + MARGIN_R - 8, b[i].y);
	}
	cairo_stroke(cr);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, x0 - 0.5, y0 - 0.5, PLOT_W + 1, y1 - y0 + 1);
	cairo_stroke(cr);

	/* Neuron ticks: index within the layer, at the centre of its row. */
	set_font(cr, 10, false);
	for (int i = 0; i < nb; i++) {
		double row_h = b[i].h / (double)b[i].rows;
		uint64_t nstep = nice_step((double)b[i].n / fmax(1.0, floor(b[i].h / 34)));
		for (uint64_t k = 0; k < b[i].n; k += nstep) {
			double y = b[i].y + ((double)(k / b[i].fold) + 0.5) * row_h;
			if (k && y > b[i].y + b[i].h - 10)
				break;
			cairo_move_to(cr, x0 - 4, floor(y) + 0.5);
			cairo_line_to(cr, x0, floor(y) + 0.5);
			cairo_stroke(cr);
			text_at(cr, x0 - 6, y + 3.5, 1.0, count_str(k, num));
		}
	}
	/* Time ticks. */
	for (uint64_t t = 0; t < steps; t += tstep) {
		double x = floor(x0 + ((double)(t / step_fold) + 0.5) * col_w) + 0.5;
		cairo_move_to(cr, x, y1);
		cairo_line_to(cr, x, y1 + 5);
		cairo_stroke(cr);
		text_at(cr, x, y1 + 17, 0.5, count_str(t, num));
	}
	set_font(cr, 12, false);
	char xlabel[96];
	if (step_fold > 1)
		snprintf(xlabel, sizeof xlabel, "time step (one column = %u steps)", step_fold);
	else
		snprintf(xlabel, sizeof xlabel, "time step");
	text_at(cr, x0 + PLOT_W / 2.0, y1 + 38, 0.5, xlabel);
	cairo_save(cr);
	cairo_move_to(cr, 0, 0);
	cairo_translate(cr, 18, y0 + (y1 - y0) / 2);
	cairo_rotate(cr, -2 * atan(1.0));	/* a quarter turn anticlockwise */
	text_at(cr, 0, 0, 0.5, "neuron (index within its layer)");
	cairo_restore(cr);

	/* Band labels, as many lines as the band's height holds. */
	for (int i = 0; i < nb; i++)
		for (int j = 0; j < 3 && b[i].label[j][0]; j++) {
			if ((j + 1) * LINE_H > b[i].h - 2)
				break;
			set_font(cr, 12, j == 0);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			text_at(cr, x0 + PLOT_W + 10, b[i].y + 14 + j * LINE_H, 0, b[i].label[j]);
		}
	set_font(cr, 17, true);
	text_at(cr, x0, 28, 0, title);
	set_font(cr, 12, false);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	text_at(cr, x0, 50, 0, subtitle);
}

int raster_write_png(const raster *r, const snn_image *img, const raster_plot *p, const char *path,
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
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	band *b = calloc((size_t)cfg->geo.max_phases + 1, sizeof *b);
	int *core_band = calloc((size_t)n_cores + 1, sizeof *core_band);
	uint64_t *core_off = calloc((size_t)n_cores + 1, sizeof *core_off);
	if (!b || !core_band || !core_off)
		goto nomem;
	nb = make_bands(cfg, b, core_band, core_off);
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
	for (int i = 0; i < nb; i++) {
		char n1[32], n2[32];
		snprintf(b[i].label[1], sizeof b[i].label[1], i ? "%s neurons, %s spikes" : "%s lines, %s events",
			 count_str(b[i].n, n1), count_str(b[i].events, n2));
	}
	char model[128], title[256], subtitle[256], n1[32], n2[32];
	const char *base = strrchr(p->image_path, '/');
	base = base ? base + 1 : p->image_path;
	if (!snn_image_get_meta(img, "model", model, sizeof model))
		snprintf(model, sizeof model, "%s", base);
	snprintf(title, sizeof title, "Spike raster: %.60s, sample %zu, T = %u", model, p->sample, steps);
	bool shaded = step_fold > 1;
	for (int i = 0; i < nb; i++)
		shaded |= b[i].fold > 1;
	snprintf(subtitle, sizeof subtitle, "%.60s: %s spikes, %s input events%s", base, count_str(spikes, n1),
		 count_str(inputs, n2), shaded ? "; a paler cell: fewer of its neurons or steps spiked" : "");

	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, MARGIN_L + PLOT_W + MARGIN_R,
					     MARGIN_T + PLOT_H + MARGIN_B);
	cr = cairo_create(surface);
	if (cairo_status(cr))
		goto nomem;
	draw(cr, b, nb, steps, step_fold, cols, title, subtitle, cfg, core_band, core_off);
	if (cairo_status(cr)) {
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: drawing the raster failed: %s", path,
			      cairo_status_to_string(cairo_status(cr)));
		goto out;
	}
	snn_output o;
	rc = snn_output_open(&o, path, diag);
	if (rc)
		goto out;
	if (cairo_surface_write_to_png_stream(surface, write_stream, o.f)) {
		snn_output_abort(&o);
		rc = snn_fail(diag, SNN_ERR_IO, "%s: writing the PNG failed", path);
		goto out;
	}
	rc = snn_output_commit(&o, diag);
	goto out;
nomem:
	rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory drawing the raster", path);
out:
	if (cr)
		cairo_destroy(cr);
	if (surface) {
		cairo_surface_destroy(surface);
		/* snnsim draws one plot per run: give back the font caches, so
		 * that leak checkers (make test-asan) see only our own memory. */
		cairo_debug_reset_static_data();
		FcFini();
	}
	for (int i = 0; b && i < nb; i++)
		free(b[i].cells);
	free(b);
	free(core_band);
	free(core_off);
	return rc;
}
