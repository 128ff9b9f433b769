/* Labelled charts with cairo, saved as PNG or SVG (see plot.h). */
#include "plot.h"

#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snn/file.h"

#define FONT "DejaVu Sans"
#define PI 3.14159265358979323846

typedef struct buffer {
	char *data;
	size_t len, cap;
	bool failed;
} buffer;

/* The figure is drawn straight onto the surface of its format (a cairo
 * 1.16 recording surface replayed to SVG leaks its fonts). The texts are
 * kept for the SVG, whose glyphs cairo writes as outlines that no search
 * or screen reader can read. */
struct snn_plot {
	int w, h;
	bool svg;
	cairo_surface_t *surface;
	cairo_t *cr;
	buffer svg_out;	/* what the SVG surface writes */
	char title[256];
	buffer texts;	/* every text drawn, one a line */
};

static void buf_add(buffer *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

/* XML text: the five characters markup gives a meaning escaped. */
static void buf_add_xml(buffer *b, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
			      : *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
		if (e)
			buf_add(b, e, strlen(e));
		else
			buf_add(b, s, 1);
	}
}

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int len)
{
	buffer *b = closure;
	buf_add(b, (const char *)data, len);
	return b->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static bool is_svg(const char *path)
{
	size_t n = strlen(path);
	return n >= 4 && !strcasecmp(path + n - 4, ".svg");
}

snn_plot *snn_plot_new(int w, int h, const char *path)
{
	snn_plot *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->w = w;
	p->h = h;
	p->svg = is_svg(path);
	if (p->svg) {
		p->surface = cairo_svg_surface_create_for_stream(buf_write, &p->svg_out, w, h);
		cairo_svg_surface_set_document_unit(p->surface, CAIRO_SVG_UNIT_PX);
	} else {
		p->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	}
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr)) {
		snn_plot_free(p);
		return NULL;
	}
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_paint(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	snn_plot_font(p, 12, false);
	return p;
}

void snn_plot_free(snn_plot *p)
{
	if (!p)
		return;
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface)
		cairo_surface_destroy(p->surface);
	free(p->svg_out.data);
	free(p->texts.data);
	free(p);
}

cairo_t *snn_plot_cairo(snn_plot *p)
{
	return p->cr;
}

void snn_plot_font(snn_plot *p, double size, bool bold)
{
	cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
		 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 2 && s[0] < 0xC2)
		return 0;	/* overlong */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* s as text that cairo and XML accept: a byte of a broken UTF-8 sequence
 * (a model file named in Latin-1) or a control character becomes '?'. */
static void clean_text(const char *s, char *out, size_t size)
{
	size_t k = 0;
	for (const unsigned char *u = (const unsigned char *)s; *u && k + 5 < size;) {
		size_t n = utf8_len(u);
		if (!n || (n == 1 && *u < 0x20)) {
			out[k++] = '?';
			u++;
			continue;
		}
		memcpy(out + k, u, n);
		k += n;
		u += n;
	}
	out[k] = 0;
}

void snn_plot_text(snn_plot *p, double x, double y, double align, const char *text)
{
	char s[512];
	clean_text(text, s, sizeof s);
	cairo_text_extents_t ext;
	cairo_text_extents(p->cr, s, &ext);
	cairo_move_to(p->cr, x - align * ext.x_advance, y);
	cairo_show_text(p->cr, s);
	cairo_new_path(p->cr);
	buf_add(&p->texts, s, strlen(s));
	buf_add(&p->texts, "\n", 1);
}

void snn_plot_text_up(snn_plot *p, double x, double y, const char *s)
{
	cairo_save(p->cr);
	cairo_translate(p->cr, x, y);
	cairo_rotate(p->cr, -PI / 2);
	snn_plot_text(p, 0, 0, 0.5, s);
	cairo_restore(p->cr);
}

void snn_plot_title(snn_plot *p, double x, const char *title, const char *subtitle)
{
	clean_text(title, p->title, sizeof p->title);
	cairo_set_source_rgb(p->cr, 0.05, 0.05, 0.05);
	snn_plot_font(p, 17, true);
	snn_plot_text(p, x, 28, 0, title);
	if (subtitle && *subtitle) {
		cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
		snn_plot_font(p, 12, false);
		snn_plot_text(p, x, 50, 0, subtitle);
	}
}

double snn_plot_nice_step(double x)
{
	if (!(x > 0) || !isfinite(x))
		return 1;
	double base = pow(10, floor(log10(x)));
	static const double mult[] = {1, 2, 5, 10};
	for (int i = 0; i < 4; i++)
		if (x <= mult[i] * base * (1 + 1e-9))
			return mult[i] * base;
	return 10 * base;
}

const char *snn_plot_count(uint64_t v, char buf[32])
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

static double axis_frac(const snn_plot_axis *ax, double v)
{
	if (ax->log2)
		return (log2(v) - log2(ax->lo)) / (log2(ax->hi) - log2(ax->lo));
	return (v - ax->lo) / (ax->hi - ax->lo);
}

double snn_plot_x(const snn_plot_area *a, double v)
{
	return a->x + axis_frac(&a->xa, v) * a->w;
}

double snn_plot_y(const snn_plot_area *a, double v)
{
	return a->y + a->h - axis_frac(&a->ya, v) * a->h;
}

/* Tick values of an axis about `spacing` pixels apart over `len`. */
static size_t ticks(const snn_plot_axis *ax, double len, double spacing, double *v, size_t max, double *step)
{
	size_t n = 0;
	if (!(ax->hi > ax->lo) || (ax->log2 && !(ax->lo > 0)))
		return 0;
	if (ax->log2) {
		*step = 1;
		for (double t = exp2(ceil(log2(ax->lo) - 1e-9)); t <= ax->hi * (1 + 1e-9) && n < max; t *= 2)
			v[n++] = t;
		return n;
	}
	*step = snn_plot_nice_step((ax->hi - ax->lo) / fmax(1, floor(len / spacing)));
	for (double t = ceil(ax->lo / *step - 1e-9) * *step; t <= ax->hi + *step * 1e-9 && n < max; t += *step)
		v[n++] = fabs(t) < *step * 1e-9 ? 0 : t;
	return n;
}

static void tick_label(const snn_plot_axis *ax, double v, double step, char out[48])
{
	char num[32];
	if (step >= 1 && v >= 0 && v < 1e15)
		snn_plot_count((uint64_t)llround(v), num);
	else
		snprintf(num, sizeof num, "%.*f", (int)ceil(-log10(step) - 1e-9), v);
	snprintf(out, 48, "%s%s", num, ax->percent ? " %" : "");
}

/* Half a pixel off the grid, so that 1-pixel lines stay sharp. */
static double crisp(double v)
{
	return floor(v) + 0.5;
}

void snn_plot_axes(snn_plot *p, const snn_plot_area *a)
{
	cairo_t *cr = p->cr;
	double xv[64], yv[64], xstep = 1, ystep = 1;
	size_t nx = a->xa.no_ticks ? 0 : ticks(&a->xa, a->w, 80, xv, 64, &xstep);
	size_t ny = a->ya.no_ticks ? 0 : ticks(&a->ya, a->h, 50, yv, 64, &ystep);
	char label[48];
	cairo_set_line_width(cr, 1);
	cairo_set_source_rgb(cr, 0.86, 0.86, 0.88);	/* grid */
	for (size_t i = 0; i < nx; i++) {
		cairo_move_to(cr, crisp(snn_plot_x(a, xv[i])), a->y);
		cairo_line_to(cr, crisp(snn_plot_x(a, xv[i])), a->y + a->h);
	}
	for (size_t i = 0; i < ny; i++) {
		cairo_move_to(cr, a->x, crisp(snn_plot_y(a, yv[i])));
		cairo_line_to(cr, a->x + a->w, crisp(snn_plot_y(a, yv[i])));
	}
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	cairo_rectangle(cr, crisp(a->x) - 1, crisp(a->y) - 1, floor(a->w) + 1, floor(a->h) + 1);
	cairo_stroke(cr);
	snn_plot_font(p, 10, false);
	for (size_t i = 0; i < nx; i++) {
		double x = crisp(snn_plot_x(a, xv[i])), y = a->y + a->h;
		cairo_move_to(cr, x, y);
		cairo_line_to(cr, x, y + 5);
		cairo_stroke(cr);
		tick_label(&a->xa, xv[i], xstep, label);
		snn_plot_text(p, x, y + 17, 0.5, label);
	}
	for (size_t i = 0; i < ny; i++) {
		double y = crisp(snn_plot_y(a, yv[i]));
		cairo_move_to(cr, a->x - 5, y);
		cairo_line_to(cr, a->x, y);
		cairo_stroke(cr);
		tick_label(&a->ya, yv[i], ystep, label);
		snn_plot_text(p, a->x - 7, y + 3.5, 1, label);
	}
	snn_plot_font(p, 12, false);
	if (a->xa.label)
		snn_plot_text(p, a->x + a->w / 2, a->y + a->h + 38, 0.5, a->xa.label);
	if (a->ya.label)
		snn_plot_text_up(p, a->x - 58, a->y + a->h / 2, a->ya.label);
}

static void set_style(cairo_t *cr, const snn_plot_key *k)
{
	static const double dash[] = {6, 4};
	cairo_set_source_rgb(cr, k->rgb[0], k->rgb[1], k->rgb[2]);
	cairo_set_line_width(cr, 2);
	cairo_set_dash(cr, k->dashed ? dash : NULL, k->dashed ? 2 : 0, 0);
}

void snn_plot_series(snn_plot *p, const snn_plot_area *a, const double *x, const double *y, size_t n,
		     const snn_plot_key *style)
{
	cairo_t *cr = p->cr;
	cairo_save(cr);
	cairo_rectangle(cr, a->x - 4, a->y - 4, a->w + 8, a->h + 8);	/* room for a marker's edge */
	cairo_clip(cr);
	set_style(cr, style);
	bool pen = false;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i])) {
			pen = false;
			continue;
		}
		(pen ? cairo_line_to : cairo_move_to)(cr, snn_plot_x(a, x[i]), snn_plot_y(a, y[i]));
		pen = true;
	}
	cairo_stroke(cr);
	for (size_t i = 0; style->marker && i < n; i++)
		if (!isnan(y[i])) {
			cairo_arc(cr, snn_plot_x(a, x[i]), snn_plot_y(a, y[i]), 3.5, 0, 2 * PI);
			cairo_fill(cr);
		}
	cairo_restore(cr);
}

void snn_plot_legend(snn_plot *p, double x, double y, const snn_plot_key *keys, size_t n)
{
	cairo_t *cr = p->cr;
	snn_plot_font(p, 11, false);
	double wmax = 0, line = 18;
	for (size_t i = 0; i < n; i++) {
		cairo_text_extents_t ext;
		cairo_text_extents(cr, keys[i].label, &ext);
		wmax = fmax(wmax, ext.x_advance);
	}
	cairo_rectangle(cr, crisp(x), crisp(y), ceil(wmax + 50), n * line + 10);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	for (size_t i = 0; i < n; i++) {
		const snn_plot_key *k = &keys[i];
		double cy = y + 5 + line * (i + 0.5);
		if (k->swatch) {
			cairo_set_source_rgba(cr, k->rgb[0], k->rgb[1], k->rgb[2], k->alpha > 0 ? k->alpha : 1);
			cairo_rectangle(cr, x + 14, cy - 6, 14, 12);
			cairo_fill(cr);
		} else {
			set_style(cr, k);
			cairo_move_to(cr, x + 8, cy);
			cairo_line_to(cr, x + 36, cy);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
			if (k->marker) {
				cairo_arc(cr, x + 22, cy, 3.5, 0, 2 * PI);
				cairo_fill(cr);
			}
		}
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		snn_plot_text(p, x + 42, cy + 4, 0, k->label);
	}
}

/* The SVG cairo wrote, with a <title> and a <desc> of every text after
 * its opening <svg ...> tag. */
static int svg_with_texts(const snn_plot *p, const buffer *svg, buffer *out)
{
	const char *open = strstr(svg->data, "<svg");
	const char *end = open ? strchr(open, '>') : NULL;
	if (!end)
		return -1;
	buf_add(out, svg->data, (size_t)(end + 1 - svg->data));
	buf_add(out, "\n<title>", 8);
	buf_add_xml(out, p->title);
	buf_add(out, "</title>\n<desc>", 15);
	if (p->texts.data)
		buf_add_xml(out, p->texts.data);
	buf_add(out, "</desc>", 7);
	buf_add(out, end + 1, svg->len - (size_t)(end + 1 - svg->data));
	return out->failed ? -1 : 0;
}

int snn_plot_save(snn_plot *p, const char *path, snn_diag *diag)
{
	buffer file = {0};
	cairo_status_t st = cairo_status(p->cr);
	if (!st && !p->svg)
		st = cairo_surface_write_to_png_stream(p->surface, buf_write, &file);
	cairo_surface_finish(p->surface);	/* the SVG is written out here */
	st = st ? st : cairo_surface_status(p->surface);
	if (!st && (p->texts.failed || (p->svg && svg_with_texts(p, &p->svg_out, &file))))
		st = CAIRO_STATUS_NO_MEMORY;
	int rc;
	if (st)
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: drawing the plot failed: %s", path,
			      cairo_status_to_string(st));
	else
		rc = snn_output_write(path, file.data, file.len, diag);
	free(file.data);
	return rc;
}

void snn_plot_release_caches(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
