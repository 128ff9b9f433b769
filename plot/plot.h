/* Small labelled charts for snnsim's raster and snnc's conversion report:
 * a figure drawn once with cairo, saved as PNG or, when the file name ends
 * in .svg, as SVG; axes with ticks and labels, a title and a legend. */
#ifndef SNN_PLOT_H
#define SNN_PLOT_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

typedef struct snn_plot snn_plot;

typedef struct snn_plot_axis {
	double lo, hi;	/* the values at the plot area's edges */
	const char *label;
	bool log2;	/* ticks at powers of two, spaced evenly */
	bool no_ticks;	/* the caller draws its own (the raster's layer bands) */
	bool percent;	/* tick labels end in " %" */
} snn_plot_axis;

/* Where the data goes, in pixels from the figure's top left corner. */
typedef struct snn_plot_area {
	double x, y, w, h;
	snn_plot_axis xa, ya;
} snn_plot_area;

/* How a series is drawn, and its line in a legend. */
typedef struct snn_plot_key {
	const char *label;
	double rgb[3];
	bool dashed;
	bool marker;	/* a dot at each point */
	bool swatch;	/* a filled square in the legend instead of a line */
	double alpha;	/* swatch only; 0 means opaque */
} snn_plot_key;

/* A white figure of w x h pixels, to be saved to path: SVG if its name
 * ends in .svg, else PNG. NULL when out of memory. */
snn_plot *snn_plot_new(int w, int h, const char *path);
void snn_plot_free(snn_plot *p);
/* For drawing of the caller's own (the raster's cells). */
cairo_t *snn_plot_cairo(snn_plot *p);

void snn_plot_font(snn_plot *p, double size, bool bold);
/* Text with its baseline at y; align 0 puts x at the left end, 0.5 in the
 * middle, 1 at the right end. The SVG lists every text in its <desc>. */
void snn_plot_text(snn_plot *p, double x, double y, double align, const char *s);
/* The same, turned a quarter anticlockwise, centred on (x, y). */
void snn_plot_text_up(snn_plot *p, double x, double y, const char *s);
/* A bold title and a grey line under it, left-aligned at x; the title is
 * also the SVG's <title>. */
void snn_plot_title(snn_plot *p, double x, const char *title, const char *subtitle);

/* Pixel position of a value on the area's axes. */
double snn_plot_x(const snn_plot_area *a, double v);
double snn_plot_y(const snn_plot_area *a, double v);
/* The area's frame, light grid lines, ticks with values, axis labels. */
void snn_plot_axes(snn_plot *p, const snn_plot_area *a);
/* A line through n points (NaN y: a gap), clipped to the area. */
void snn_plot_series(snn_plot *p, const snn_plot_area *a, const double *x, const double *y, size_t n,
		     const snn_plot_key *style);
/* A framed legend with its top left corner at (x, y). */
void snn_plot_legend(snn_plot *p, double x, double y, const snn_plot_key *keys, size_t n);

/* The smallest of 1, 2, 5 times a power of ten that is at least x > 0. */
double snn_plot_nice_step(double x);
/* 37680 -> "37,680" */
const char *snn_plot_count(uint64_t v, char buf[32]);

/* Write the figure to path (snn/file.h: a temporary file, then a rename),
 * in the format snn_plot_new chose; once, after the last drawing. */
int snn_plot_save(snn_plot *p, const char *path, snn_diag *diag);
/* After a program's last plot: give back cairo's and fontconfig's caches,
 * so that leak checkers (make test-asan) see only the program's memory. */
void snn_plot_release_caches(void);

#endif
