/* The conversion report's charts (compiler/report_plots.c) from known
 * data: points where the axes put them (worked out by hand from the
 * chart's documented frame: 820 x 580 pixels, plot area 700 x 442 at
 * (86, 74)), every layer in the legend up to sixteen, titles and labels in
 * the SVG, and a file that cannot be written. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../cli/png_facts.h"
#include "../harness.h"
#include "plot.h"
#include "report_plots.h"

#define AREA_X 86.0
#define AREA_Y 74.0
#define AREA_W 700.0
#define AREA_H 442.0

static char dir[] = "/tmp/snn_report_plots.XXXXXX";

static const char *path_in(const char *name)
{
	return path_in_dir(dir, name);
}

/* Is some pixel within 2 of (x, y) close to rgb (0..255)? */
static bool colour_near(const char *png, double x, double y, const int rgb[3])
{
	png_facts f = read_png(png);
	unsigned char *px = f.ok ? read_png_rgb(png) : NULL;
	bool found = false;
	for (int dy = -2; px && dy <= 2 && !found; dy++)
		for (int dx = -2; dx <= 2 && !found; dx++) {
			long cx = lround(x) + dx, cy = lround(y) + dy;
			if (cx < 0 || cy < 0 || cx >= (long)f.w || cy >= (long)f.h)
				continue;
			const unsigned char *p = px + 3 * ((size_t)cy * f.w + (size_t)cx);
			found = abs(p[0] - rgb[0]) < 30 && abs(p[1] - rgb[1]) < 30 && abs(p[2] - rgb[2]) < 30;
		}
	free(px);
	return found;
}

/* Okabe-Ito colours: the first two for layers and the spiking network, vermillion for the ANN */
static const int blue[3] = {0, 115, 179}, orange[3] = {230, 158, 0}, vermillion[3] = {214, 94, 0};

static void accuracy_chart(void)
{
	static const uint32_t at[] = {1, 2, 4, 8};
	static const double snn[] = {10, 50, 90, 95};
	report_accuracy a = {"known.onnx", 200, 4, at, snn, 4, 96};
	snn_diag d = {{0}};
	th_case("accuracy_png");
	int rc = report_plot_accuracy(&a, path_in("acc.png"), &d);
	png_facts f = read_png(path_in("acc.png"));
	th_expect(!rc && f.ok && f.w == 820 && f.h == 580, "written (%d: %s) at %ux%u", rc, d.msg, f.w, f.h);
	/* x: log2 from 1 to 8 over 700 px, so 4 at 2/3; y: 0..105 % over 442 px */
	th_expect(colour_near(path_in("acc.png"), AREA_X + AREA_W * 2 / 3, AREA_Y + AREA_H * (1 - 90 / 105.0), blue),
		  "the point (4 steps, 90 %%) in the spiking network's blue");
	bool ann = false;	/* dashed: somewhere along a dash period of 10 pixels */
	for (int x = 0; x < 10 && !ann; x += 2)
		ann = colour_near(path_in("acc.png"), AREA_X + AREA_W / 6 + x, AREA_Y + AREA_H * (1 - 96 / 105.0),
				  vermillion);
	th_expect(ann, "the ANN's 96 %% line in vermillion");
	th_case("accuracy_svg");
	rc = report_plot_accuracy(&a, path_in("acc.svg"), &d);
	const char *svg = rc ? NULL : read_text(path_in("acc.svg"));
	th_expect(svg && strstr(svg, "<title>Accuracy against time steps: known.onnx</title>") &&
			  strstr(svg, "\n95.0\n") && strstr(svg, "\n10.0\n") && strstr(svg, "ANN (float): 96.0 %\n") &&
			  strstr(svg, "compiled for T = 4\n") && strstr(svg, "time steps (T)") &&
			  strstr(svg, "200 calibration images"),
		  "title, point labels, legend, axis and image count in the SVG (%d: %s)", rc, d.msg);
}

/* n layers, layer l firing at (l + 1) / (n + 1) of its activation. */
static int rates_chart(int n, const char *path, snn_diag *d)
{
	static report_rate_curve curves[20];
	static char names[20][24];
	for (int l = 0; l < n; l++) {
		snprintf(names[l], sizeof names[l], "layer-%02d", l);
		curves[l].name = names[l];
		for (int b = 0; b < REPORT_RATE_BINS; b++)
			curves[l].rate[b] = (b + 0.5) / REPORT_RATE_BINS * (l + 1) / (n + 1);
	}
	curves[0].rate[3] = NAN;	/* too few samples: a gap */
	report_rates r = {"known.onnx", 50, 16, curves, n};
	return report_plot_rates(&r, path, d);
}

static void rates_charts(void)
{
	snn_diag d = {{0}};
	th_case("rates_png");
	int rc = rates_chart(2, path_in("rates.png"), &d);
	png_facts f = read_png(path_in("rates.png"));
	th_expect(!rc && f.ok && f.w == 820 && f.h == 580, "written (%d: %s) at %ux%u", rc, d.msg, f.w, f.h);
	/* layer 0 of 2 at a third of its activation; bin 10's centre is 0.525 */
	th_expect(colour_near(path_in("rates.png"), AREA_X + AREA_W * 0.525, AREA_Y + AREA_H * (1 - 0.525 / 3), blue),
		  "layer 0's point of bin 10 in blue");
	th_expect(colour_near(path_in("rates.png"), AREA_X + AREA_W * 0.525, AREA_Y + AREA_H * (1 - 0.525 * 2 / 3),
			      orange),
		  "layer 1's in orange");
	th_case("rates_svg_every_layer");
	rc = rates_chart(10, path_in("rates.svg"), &d);
	const char *svg = rc ? NULL : read_text(path_in("rates.svg"));
	bool all = svg != NULL;
	for (int l = 0; l < 10 && svg; l++) {
		char name[24];
		snprintf(name, sizeof name, "\nlayer-%02d\n", l);
		all &= strstr(svg, name) != NULL;
	}
	th_expect(all && strstr(svg, "<title>Firing rate against ANN activation: known.onnx</title>") &&
			  strstr(svg, "ideal: rate = activation\n") && strstr(svg, "firing rate (spikes per step)") &&
			  !strstr(svg, "the first"),
		  "ten layers in the legend, title, axis (%d: %s)", rc, d.msg);
	th_case("rates_svg_sixteen_of_twenty");
	rc = rates_chart(20, path_in("rates.svg"), &d);
	svg = rc ? NULL : read_text(path_in("rates.svg"));
	th_expect(svg && strstr(svg, "the first 16 of 20 layers") && strstr(svg, "\nlayer-15\n") &&
			  !strstr(svg, "\nlayer-16\n"),
		  "the chart says it shows 16 of 20 layers (%d: %s)", rc, d.msg);
	th_case("unwritable_bad");
	rc = rates_chart(2, path_in("nodir/rates.png"), &d);
	th_expect(rc < 0 && strstr(d.msg, "nodir/rates.png"), "%d: %s", rc, d.msg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	accuracy_chart();
	rates_charts();
	static const char *const files[] = {"acc.png", "acc.svg", "rates.png", "rates.svg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0] && !getenv("KEEP_PLOTS"); i++)
		unlink(path_in(files[i]));
	rmdir(dir);
	snn_plot_release_caches();	/* as snnc does after its charts */
	return th_done("test_report_plots");
}
