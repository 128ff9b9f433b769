/* The conversion report's charts, drawn with plot/plot.h (see report_plots.h). */
#include "report_plots.h"

#include <math.h>
#include <stdio.h>
#include "plot.h"

#define FIG_W 820
#define FIG_H 580
#define MARGIN_L 86
#define MARGIN_R 34
#define MARGIN_T 74
#define MARGIN_B 64

static const snn_plot_area frame = {MARGIN_L, MARGIN_T, FIG_W - MARGIN_L - MARGIN_R, FIG_H - MARGIN_T - MARGIN_B,
				    {0, 1, NULL, false, false, false}, {0, 1, NULL, false, false, false}};

/* Colours that stay apart for readers with red-green colour blindness
 * (Okabe and Ito). */
static const double palette[][3] = {
	{0.00, 0.45, 0.70}, {0.90, 0.62, 0.00}, {0.00, 0.62, 0.45}, {0.80, 0.47, 0.65},
	{0.34, 0.71, 0.91}, {0.84, 0.37, 0.00}, {0.50, 0.50, 0.50}, {0.94, 0.89, 0.26},
};
#define N_COLOURS (sizeof palette / sizeof palette[0])
#define MAX_LAYERS (2 * (int)N_COLOURS)	/* more lines than a reader can tell apart */

static void colour(double rgb[3], const double from[3])
{
	for (int i = 0; i < 3; i++)
		rgb[i] = from[i];
}

static int finish(snn_plot *p, const char *path, snn_diag *diag)
{
	if (!p)
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory drawing the plot", path);
	int rc = snn_plot_save(p, path, diag);
	snn_plot_free(p);
	return rc;
}

int report_plot_accuracy(const report_accuracy *a, const char *path, snn_diag *diag)
{
	snn_plot *p = snn_plot_new(FIG_W, FIG_H, path);
	if (!p || !a->n)
		return finish(p, path, diag);
	char title[256], sub[256], num[32];
	snprintf(title, sizeof title, "Accuracy against time steps: %.80s", a->model);
	snprintf(sub, sizeof sub, "%zu calibration images with labels; the spiking network read out after "
		 "each number of steps, the ANN once", a->images);
	snn_plot_title(p, MARGIN_L, title, sub);
	snn_plot_area ar = frame;
	ar.xa = (snn_plot_axis){a->at[0], a->at[a->n - 1], "time steps (T), doubling", true, false, false};
	ar.ya = (snn_plot_axis){0, 105, "accuracy on these images", false, false, true};	/* room for labels */
	if (a->at[0] == a->at[a->n - 1])	/* one checkpoint: room either side */
		ar.xa.lo /= 2, ar.xa.hi *= 2;
	snn_plot_axes(p, &ar);
	cairo_t *cr = snn_plot_cairo(p);
	char ann_label[64], t_label[64];
	snprintf(ann_label, sizeof ann_label, "ANN (float): %.1f %%", a->ann);
	snprintf(t_label, sizeof t_label, "compiled for T = %u", a->steps);
	snn_plot_key keys[3] = {
		{.label = "spiking network (golden simulator)", .rgb = {0}, .marker = true},
		{.label = ann_label, .rgb = {0}, .dashed = true},
		{.label = t_label, .rgb = {0.55, 0.55, 0.55}, .dashed = true},
	};
	colour(keys[0].rgb, palette[0]);
	colour(keys[1].rgb, palette[5]);
	if (a->steps >= ar.xa.lo && a->steps <= ar.xa.hi) {
		double x[2] = {a->steps, a->steps}, y[2] = {0, 100};
		snn_plot_series(p, &ar, x, y, 2, &keys[2]);
	}
	double xs[2] = {ar.xa.lo, ar.xa.hi}, ys[2] = {a->ann, a->ann}, at[64];
	snn_plot_series(p, &ar, xs, ys, 2, &keys[1]);
	for (size_t i = 0; i < a->n && i < 64; i++)
		at[i] = a->at[i];
	snn_plot_series(p, &ar, at, a->snn, a->n < 64 ? a->n : 64, &keys[0]);
	snn_plot_font(p, 10, false);	/* each point's value, above it */
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	for (size_t i = 0; i < a->n && i < 64; i++) {
		snprintf(num, sizeof num, "%.1f", a->snn[i]);
		snn_plot_text(p, snn_plot_x(&ar, at[i]), snn_plot_y(&ar, a->snn[i]) - 8, i + 1 < a->n ? 0.5 : 1, num);
	}
	snn_plot_legend(p, ar.x + ar.w - 270, ar.y + ar.h - 76, keys, 3);
	return finish(p, path, diag);
}

int report_plot_rates(const report_rates *r, const char *path, snn_diag *diag)
{
	snn_plot *p = snn_plot_new(FIG_W, FIG_H, path);
	if (!p)
		return finish(p, path, diag);
	char title[256], sub[256], more[48] = "";
	int shown = r->n < MAX_LAYERS ? r->n : MAX_LAYERS;
	if (shown < r->n)
		snprintf(more, sizeof more, "; the first %d of %d layers", shown, r->n);
	snprintf(title, sizeof title, "Firing rate against ANN activation: %.80s", r->model);
	snprintf(sub, sizeof sub, "mean of each layer's neurons over %zu images, T = %u; exact on the diagonal%s",
		 r->images, r->steps, more);
	snn_plot_title(p, MARGIN_L, title, sub);
	snn_plot_area ar = frame;
	ar.xa = (snn_plot_axis){0, 1, "ANN activation / layer scale (lambda), capped at 1", false, false, false};
	ar.ya = (snn_plot_axis){0, 1, "firing rate (spikes per step)", false, false, false};
	snn_plot_axes(p, &ar);
	snn_plot_key keys[MAX_LAYERS + 1] = {
		{.label = "ideal: rate = activation", .rgb = {0.55, 0.55, 0.55}, .dashed = true}};
	double diag_xy[2] = {0, 1}, x[REPORT_RATE_BINS];
	snn_plot_series(p, &ar, diag_xy, diag_xy, 2, &keys[0]);
	for (int b = 0; b < REPORT_RATE_BINS; b++)
		x[b] = (b + 0.5) / REPORT_RATE_BINS;
	for (int l = 0; l < shown; l++) {	/* the colours again, dashed, after the first eight */
		snn_plot_key *k = &keys[l + 1];
		k->label = r->layers[l].name;
		k->marker = true;
		k->dashed = l >= (int)N_COLOURS;
		colour(k->rgb, palette[l % N_COLOURS]);
		snn_plot_series(p, &ar, x, r->layers[l].rate, REPORT_RATE_BINS, k);
	}
	snn_plot_legend(p, ar.x + 12, ar.y + 12, keys, (size_t)shown + 1);
	return finish(p, path, diag);
}
