/* plot/plot.h, the charts snnsim and snnc draw with: a chart of known data
 * drawn as PNG and SVG, read back and held to positions and values worked
 * out by hand from the area and axis ranges; tick steps and number
 * formats; a file that cannot be written. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../cli/png_facts.h"
#include "../harness.h"
#include "plot.h"

static char dir[] = "/tmp/snn_plot_test.XXXXXX";

static const char *path_in(const char *name)
{
	return path_in_dir(dir, name);
}

/* 400 x 300 pixels; the area 300 x 200 at (60, 40); x 0..10, y 0..100;
 * a red line from (0, 0) to (10, 100), so through the area's centre
 * (210, 140); a legend at (70, 50), clear of the line. */
static const snn_plot_area area = {60, 40, 300, 200, {0, 10, "time (steps)", false, false, false},
				   {0, 100, "share", false, false, true}};

static int draw_known(const char *path, snn_diag *d)
{
	snn_plot *p = snn_plot_new(400, 300, path);
	if (!p)
		return -1;
	snn_plot_title(p, 60, "A & B <chart>", "known data");
	snn_plot_axes(p, &area);
	snn_plot_key keys[2] = {{.label = "series one", .rgb = {1, 0, 0}, .marker = true},
				{.label = "a swatch", .rgb = {0, 0, 1}, .swatch = true}};
	double x[2] = {0, 10}, y[2] = {0, 100};
	snn_plot_series(p, &area, x, y, 2, &keys[0]);
	snn_plot_legend(p, 70, 50, keys, 2);
	int rc = snn_plot_save(p, path, d);
	snn_plot_free(p);
	return rc;
}

/* Pixels of a PNG, RGB, or NULL. */
static unsigned char *pixels(const char *path, unsigned *w, unsigned *h)
{
	png_facts f = read_png(path);
	*w = f.w;
	*h = f.h;
	return f.ok ? read_png_rgb(path) : NULL;
}

static bool red_near(const unsigned char *px, unsigned w, int cx, int cy)
{
	for (int y = cy - 1; y <= cy + 1; y++)
		for (int x = cx - 1; x <= cx + 1; x++) {
			const unsigned char *p = px + 3 * ((size_t)y * w + x);
			if (p[0] > 180 && p[1] < 100 && p[2] < 100)
				return true;
		}
	return false;
}

static bool white_at(const unsigned char *px, unsigned w, int x, int y)
{
	const unsigned char *p = px + 3 * ((size_t)y * w + x);
	return p[0] > 250 && p[1] > 250 && p[2] > 250;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snn_diag d = {{0}};

	th_case("png_known_chart");
	int rc = draw_known(path_in("c.png"), &d);
	unsigned w = 0, h = 0;
	unsigned char *px = rc ? NULL : pixels(path_in("c.png"), &w, &h);
	th_expect(px && w == 400 && h == 300, "PNG written (%d: %s) at %ux%u, want 400x300", rc, d.msg, w, h);
	if (px) {
		th_expect(red_near(px, w, 210, 140), "the line passes through the area's centre (210, 140)");
		th_expect(red_near(px, w, 60, 240) && red_near(px, w, 360, 40),
			  "it starts at (0, 0) = pixel (60, 240) and ends at (10, 100) = pixel (360, 40)");
		th_expect(white_at(px, w, 300, 200) && white_at(px, w, 5, 5),
			  "away from the line and outside the area, the background is white");
		th_expect(!white_at(px, w, 59, 140) || !white_at(px, w, 58, 140), "the area's left frame line");
	}
	free(px);

	th_case("svg_known_chart_texts");
	rc = draw_known(path_in("c.svg"), &d);
	const char *svg = rc ? NULL : read_text(path_in("c.svg"));
	th_expect(svg && !strncmp(svg, "<?xml", 5) && strstr(svg, "width=\"400px\"") && strstr(svg, "height=\"300px\""),
		  "SVG of 400 x 300 px (%d: %s)", rc, d.msg);
	th_expect(svg && strstr(svg, "<title>A &amp; B &lt;chart&gt;</title>"), "the title, escaped, as <title>");
	th_expect(svg && strstr(svg, "<desc>") && strstr(svg, "time (steps)\n") && strstr(svg, "share\n") &&
			  strstr(svg, "series one\n") && strstr(svg, "a swatch\n") && strstr(svg, "known data\n"),
		  "axis labels, legend entries and subtitle in <desc>");
	/* y: 100 over 200 pixels, ticks about 50 apart: 4 steps of 25, rounded
	 * up to the next 1-2-5 step, 50; x: 10 over 300 pixels, about 80
	 * apart: 3 steps of 3.3, so 5. */
	th_expect(svg && strstr(svg, "\n0 %\n") && strstr(svg, "\n50 %\n") && strstr(svg, "\n100 %\n") &&
			  !strstr(svg, "\n25 %\n") && strstr(svg, "\n5\n") && strstr(svg, "\n10\n") &&
			  !strstr(svg, "\n2\n"),
		  "tick labels 0, 50, 100 %% and 0, 5, 10");

	th_case("save_is_atomic");
	DIR *dp = opendir(dir);
	int files = 0, tmp = 0;
	for (struct dirent *e; dp && (e = readdir(dp));) {
		files += e->d_name[0] != '.';
		tmp += strstr(e->d_name, ".tmp") != NULL;
	}
	if (dp)
		closedir(dp);
	th_expect(files == 2 && tmp == 0, "%d files (want c.png and c.svg), %d temporary", files, tmp);

	th_case("unwritable_path_bad");
	d.msg[0] = 0;
	rc = draw_known(path_in("nodir/c.png"), &d);
	th_expect(rc < 0 && strstr(d.msg, "nodir/c.png"), "exit %d, message names the file: %s", rc, d.msg);
	rc = draw_known(path_in("nodir/c.svg"), &d);
	th_expect(rc < 0 && strstr(d.msg, "nodir/c.svg"), "SVG: %d, %s", rc, d.msg);

	th_case("broken_utf8_drawn_as_question_marks");	/* a model file named in Latin-1 */
	snn_plot *bad = snn_plot_new(200, 100, path_in("u.svg"));
	if (bad) {
		snn_plot_title(bad, 10, "mod\xe8le\x01.onnx", "caf\xc3\xa9");
		rc = snn_plot_save(bad, path_in("u.svg"), &d);
		snn_plot_free(bad);
	}
	svg = bad && !rc ? read_text(path_in("u.svg")) : NULL;
	th_expect(svg && strstr(svg, "<title>mod?le?.onnx</title>") && strstr(svg, "caf\xc3\xa9\n"),
		  "broken bytes replaced, valid UTF-8 kept (%d: %s)", rc, d.msg);
	unlink(path_in("u.svg"));

	th_case("positions_on_axes");
	snn_plot_area lg = {0, 0, 400, 100, {1, 16, NULL, true, false, false}, {0, 1, NULL, false, false, false}};
	th_expect(fabs(snn_plot_x(&lg, 4) - 200) < 1e-9 && fabs(snn_plot_x(&lg, 16) - 400) < 1e-9 &&
			  fabs(snn_plot_x(&lg, 1)) < 1e-9,
		  "log2 axis 1..16 over 400 px: 4 at %g (want 200)", snn_plot_x(&lg, 4));
	th_expect(fabs(snn_plot_y(&area, 25) - 190) < 1e-9, "y 25 of 0..100 on 200 px from 40: %g (want 190)",
		  snn_plot_y(&area, 25));

	th_case("nice_steps_and_counts");
	static const double in[] = {0.3, 3.2, 7, 1, 0.01, 12, 0, -4};
	static const double want[] = {0.5, 5, 10, 1, 0.01, 20, 1, 1};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		th_expect(fabs(snn_plot_nice_step(in[i]) - want[i]) < 1e-12, "nice step of %g: %g, want %g", in[i],
			  snn_plot_nice_step(in[i]), want[i]);
	char num[32];
	th_expect(!strcmp(snn_plot_count(37680, num), "37,680") && !strcmp(snn_plot_count(0, num), "0") &&
			  !strcmp(snn_plot_count(1000, num), "1,000") && !strcmp(snn_plot_count(999, num), "999"),
		  "thousands separated by commas");

	unlink(path_in("c.png"));
	unlink(path_in("c.svg"));
	rmdir(dir);
	snn_plot_release_caches();
	return th_done("test_plot");
}
