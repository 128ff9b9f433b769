/* snnsim as a user runs it: exit codes, messages that name the file, and a
 * run on a hand-built network whose results are computed by hand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../harness.h"
#include "png_facts.h"
#include "run_cmd.h"
#include "two_input_model.h"
#include "snn/image.h"

static char dir[] = "/tmp/snn_cli_test.XXXXXX";
static char snnsim[512], snnc[512];

static const char *path_in(const char *name)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Two inputs, two IF neurons (threshold 2, reset by subtraction), identity
 * weights 1, spike-count readout: output k counts input k's spikes / 2. */
static void write_model(const char *path)
{
	snn_image img;
	uint32_t *r = two_input_model(&img);
	snn_core_cfg *core = &img.cfg.core[0];
	r[SNN_R_THRESHOLD] = 2;
	r[SNN_R_RESET] = SNN_RESET_SUBTRACT;
	r[SNN_R_FLAGS] = SNN_F_SPIKING;
	r[SNN_R_ROUTE_COUNT] = 1;
	core->syn[0] = 1;	/* axon 0 -> neuron 0 */
	core->syn[3] = 1;	/* axon 1 -> neuron 1 */
	core->route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = 2};
	two_input_model_write(&img, path);
}

/* A raster plot as a reader sees it: a PNG no larger than a screen
 * (sim/raster.h's bound: 1200 x 900) and no smaller than a readable plot,
 * whatever the network's size; with spikes drawn in the plot's blue when
 * the sample has any; and a band per layer, whose dark boundary lines run
 * across to the right edge. */
static int png_size_ok(const png_facts *f)
{
	return f->ok && f->w >= 640 && f->w <= 1200 && f->h >= 400 && f->h <= 900;
}

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(1 << 22) : NULL;
	*n = buf ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

/* A CNN (lenet1: 3,000 neurons, which the old plot drew 4,000 pixels tall)
 * and an MLP, compiled by snnc and run on one MNIST digit; the plot as PNG
 * and as SVG. layers: the names of the model's Conv and Gemm nodes (read
 * with onnx in Python), one band each. */
static void raster_png_fixture(const char *name, const char *const *layers, int n_layers)
{
	char out[65536], cfg[320], png[320], svg[320];
	snprintf(cfg, sizeof cfg, "%s", path_in("fixture.cfg"));
	snprintf(png, sizeof png, "%s", path_in("fixture.png"));
	snprintf(svg, sizeof svg, "%s", path_in("fixture.svg"));
	const char *fx = "models/fixtures";
	int rc = run_cmd(out, sizeof out, "%s %s/%s.onnx -o %s --calib %s/mnist-test100-images-idx3-ubyte.gz", snnc,
			 fx, name, cfg, fx);
	if (!th_expect(rc == 0, "snnc %s: exit %d: %s", name, rc, out))
		return;
	rc = run_cmd(out, sizeof out,
		     "%s %s -i %s/mnist-test100-images-idx3-ubyte.gz -l %s/mnist-test100-labels-idx1-ubyte.gz "
		     "-n 1 --raster-png %s -q", snnsim, cfg, fx, fx, png);
	th_expect(rc == 0, "snnsim %s --raster-png: exit %d: %s", name, rc, out);
	png_facts f = read_png(png);
	th_expect(png_size_ok(&f), "%s: PNG decodes (%d) at %ux%u, within 640x400..1200x900", name, f.ok, f.w, f.h);
	th_expect(f.blue > 100, "%s: %zu spike pixels drawn", name, f.blue);
	th_expect(f.boundaries == n_layers, "%s: %d band boundaries, want %d (input, then a band per layer)", name,
		  f.boundaries, n_layers);
	rc = run_cmd(out, sizeof out,
		     "%s %s -i %s/mnist-test100-images-idx3-ubyte.gz -l %s/mnist-test100-labels-idx1-ubyte.gz "
		     "-n 1 --raster-png %s -q", snnsim, cfg, fx, fx, svg);
	size_t n = 0;
	char *text = read_all(svg, &n), want[128];
	th_expect(rc == 0 && text && n > 100 && !strncmp(text, "<?xml", 5), "snnsim %s: SVG raster, exit %d: %s", name,
		  rc, out);
	if (text) {
		text[n < (1 << 22) ? n : n - 1] = 0;
		snprintf(want, sizeof want, "<title>Spike raster: %s.onnx, sample 0, T = ", name);
		th_expect(strstr(text, want) && strstr(text, "time step") && strstr(text, "neuron (index within its layer)"),
			  "%s: SVG names the model, the sample and both axes", name);
		for (int i = 0; i < n_layers; i++) {
			snprintf(want, sizeof want, "layer %d: %s", i + 1, layers[i]);
			th_expect(strstr(text, want) != NULL, "%s: SVG has a band labelled \"layer %d: %s\"", name,
				  i + 1, layers[i]);
		}
	}
	free(text);
	unlink(cfg);
	unlink(png);
	unlink(svg);
}

/* snnsim's JSON without the fields that may differ between --jobs values
 * (the wall time and the thread count): everything else must be identical. */
static void strip_timing(char *json)
{
	static const char *const keys[] = {"\"seconds\": ", "\"threads\": "};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char *p = strstr(json, keys[i]);
		if (!p)
			continue;
		char *end = strstr(p, ", ");
		if (end)
			memmove(p, end + 2, strlen(end + 2) + 1);
	}
}


/* --jobs: lenet1 (conv cores) on 100 digits, one thread and three, with the
 * raster of a sample in the middle: the report (but for the time) and the
 * raster must be byte for byte the same. */
static void jobs_identical(void)
{
	char cfg[320], csv[2][320], out[2][65536];
	snprintf(cfg, sizeof cfg, "%s", path_in("jobs.cfg"));
	const char *fx = "models/fixtures";
	int rc = run_cmd(out[0], sizeof out[0],
			 "%s %s/lenet1.onnx -o %s --calib %s/mnist-test100-images-idx3-ubyte.gz", snnc, fx,
			 cfg, fx);
	if (!th_expect(rc == 0, "snnc lenet1: exit %d: %s", rc, out[0]))
		return;
	const int jobs[2] = {1, 3};
	for (int i = 0; i < 2; i++) {
		snprintf(csv[i], sizeof csv[i], "%s", path_in(i ? "jobs3.csv" : "jobs1.csv"));
		rc = run_cmd(out[i], sizeof out[i],
			     "%s %s -i %s/mnist-test100-images-idx3-ubyte.gz -l "
			     "%s/mnist-test100-labels-idx1-ubyte.gz --json -j %d --raster %s "
			     "--raster-sample 57",
			     snnsim, cfg, fx, fx, jobs[i], csv[i]);
		th_expect(rc == 0 && strstr(out[i], "\"images\": 100,"), "-j %d: exit %d: %s", jobs[i],
			  rc, out[i]);
	}
	th_expect(strstr(out[0], "\"threads\": 1,") && strstr(out[1], "\"threads\": 3,"),
		  "thread counts reported: %s / %s", out[0], out[1]);
	strip_timing(out[0]);
	strip_timing(out[1]);
	th_expect(strcmp(out[0], out[1]) == 0, "-j 1 and -j 3 differ:\n%s\n%s", out[0], out[1]);
	size_t n1, n3;
	char *r1 = read_all(csv[0], &n1), *r3 = read_all(csv[1], &n3);
	th_expect(r1 && r3 && n1 > 1000 && n1 == n3 && memcmp(r1, r3, n1) == 0,
		  "rasters of sample 57: %zu and %zu bytes, identical %d", n1, n3,
		  r1 && r3 && n1 == n3 && memcmp(r1, r3, n1) == 0);
	free(r1);
	free(r3);
	unlink(cfg);
	unlink(csv[0]);
	unlink(csv[1]);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	if (!mkdtemp(dir))
		return 1;
	char out[65536];
	const char *model = strdup(path_in("model.cfg"));
	write_model(model);
	/* 4 samples of 2 pixels; label = the brighter pixel. */
	const uint8_t images[] = {0, 0, 8, 2, 0, 0, 0, 4, 0, 0, 0, 2,
				  255, 0, 0, 255, 200, 100, 51, 204};
	const uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 4, 0, 0, 0, 1};
	const char *img_path = strdup(path_in("x.idx")), *lab_path = strdup(path_in("y.idx"));
	write_bytes(img_path, images, sizeof images);
	write_bytes(lab_path, labels, sizeof labels);

	th_case("help");
	th_expect(run_cmd(out, sizeof out, "%s --help", snnsim) == 0 && strstr(out, "Usage: snnsim") &&
			  strstr(out, "Exit status"),
		  "--help: %s", out);

	th_case("no_arguments_bad");
	th_expect(run_cmd(out, sizeof out, "%s", snnsim) == 1 && strstr(out, "snnsim: no configuration image"),
		  "%s", out);

	th_case("bad_option_value_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --steps zero", snnsim, model, img_path, lab_path) == 1 &&
			  strstr(out, "--steps takes a whole number"),
		  "%s", out);

	th_case("missing_image_file_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s", snnsim, path_in("nope.cfg"), img_path, lab_path) == 1 &&
			  strstr(out, "nope.cfg"),
		  "%s", out);

	th_case("damaged_image_bad");
	{
		FILE *f = fopen(model, "rb");
		uint8_t buf[8192];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		buf[n - 8] ^= 0x40;	/* inside the last section */
		const char *bad = path_in("bad.cfg");
		write_bytes(bad, buf, n);
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s", snnsim, bad, img_path, lab_path) == 1 &&
				  strstr(out, "bad.cfg") && strstr(out, "CRC mismatch"),
			  "%s", out);
	}

	th_case("input_shape_mismatch_bad");
	{
		const uint8_t wide[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3};
		const char *p = path_in("wide.idx");
		write_bytes(p, wide, sizeof wide);
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s", snnsim, model, p, lab_path) == 1 &&
				  strstr(out, "wide.idx") && strstr(out, "expects 2x1x1 = 2 inputs"),
			  "%s", out);
	}

	th_case("label_out_of_range_bad");
	{
		const uint8_t lab[] = {0, 0, 8, 1, 0, 0, 0, 4, 0, 7, 0, 1};
		const char *p = path_in("badlab.idx");
		write_bytes(p, lab, sizeof lab);
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s", snnsim, model, img_path, p) == 1 &&
				  strstr(out, "label 7") && strstr(out, "2 outputs"),
			  "%s", out);
	}

	/* By hand, T = 10 steps, rate encoder (spikes = floor((127 + 10 p)/255)):
	 * sample 0 (255, 0):   inputs 10, 0  -> outputs 5, 0 -> class 0 (label 0)
	 * sample 1 (0, 255):   inputs 0, 10  -> outputs 0, 5 -> class 1 (label 0: wrong)
	 * sample 2 (200, 100): inputs 8, 4   -> outputs 4, 2 -> class 0 (label 0)
	 * sample 3 (51, 204):  inputs 2, 8   -> outputs 1, 4 -> class 1 (label 1)
	 * accuracy 3/4; input events 10+10+12+10 = 42, synops 2 per event = 84,
	 * spikes 5+5+6+5 = 21. */
	th_case("hand_computed_run");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --json", snnsim, model, img_path, lab_path) == 0,
		  "exit: %s", out);
	th_expect(strstr(out, "\"accuracy\": 0.750000") != NULL, "accuracy 0.75: %s", out);
	th_expect(strstr(out, "\"steps\": 10,") != NULL, "steps from the image: %s", out);
	th_expect(strstr(out, "\"sops_per_image\": 21.0") != NULL, "84/4 synops per image: %s", out);
	th_expect(strstr(out, "\"spikes_per_image\": 5.2") != NULL, "21/4 spikes per image: %s", out);
	th_expect(strstr(out, "\"input_events_per_image\": 10.5") != NULL, "42/4 inputs: %s", out);
	th_expect(strstr(out, "\"confusion\": [[2, 1], [0, 1]]") != NULL, "confusion: %s", out);

	th_case("hand_computed_run_jobs");	/* the same figures, each sample on its own thread */
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --json -j 4", snnsim, model, img_path, lab_path) == 0 &&
			  strstr(out, "\"accuracy\": 0.750000") && strstr(out, "\"sops_per_image\": 21.0") &&
			  strstr(out, "\"spikes_per_image\": 5.2") &&
			  strstr(out, "\"input_events_per_image\": 10.5") &&
			  strstr(out, "\"threads\": 4,") && strstr(out, "\"confusion\": [[2, 1], [0, 1]]"),
		  "%s", out);

	th_case("jobs_identical");
	jobs_identical();

	th_case("jobs_with_rtl_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --rtl -j 2", snnsim, model, img_path, lab_path) == 1 &&
			  strstr(out, "--jobs 2: --rtl and --cosim run one thread only"),
		  "%s", out);

	th_case("limit_and_steps");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --json --limit 1 --steps 4", snnsim, model, img_path,
		      lab_path) == 0 && strstr(out, "\"images\": 1,") &&
			  strstr(out, "\"spikes_per_image\": 2.0"),	/* 4 input spikes -> 2 */
		  "%s", out);

	th_case("raster_csv_and_png");
	{
		const char *csv = strdup(path_in("r.csv")), *png = strdup(path_in("r.png"));
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster %s --raster-png %s --raster-sample 2 -q",
			      snnsim, model, img_path, lab_path, csv, png) == 0, "%s", out);
		FILE *f = fopen(csv, "r");
		int lines = 0, inputs = 0;
		char line[128];
		while (f && fgets(line, sizeof line, f)) {
			lines++;
			inputs += strstr(line, ",input,") != NULL;
		}
		if (f)
			fclose(f);
		/* sample 2: 12 input events and 6 spikes, plus the header */
		th_expect(lines == 19 && inputs == 12, "raster has %d lines, %d input events", lines, inputs);
		f = fopen(png, "rb");
		uint8_t sig[8] = {0};
		th_expect(f && fread(sig, 1, 8, f) == 8 && !memcmp(sig, "\x89PNG\r\n\x1a\n", 8), "PNG signature");
		if (f)
			fclose(f);
		png_facts pf = read_png(png);
		/* sample 2's 6 spikes and 12 input events, 2 rows each */
		th_expect(png_size_ok(&pf) && pf.blue > 0 && pf.boundaries == 1,
			  "two-neuron plot decodes (%d) at %ux%u, %zu spike pixels, %d band boundaries (want 1)",
			  pf.ok, pf.w, pf.h, pf.blue, pf.boundaries);
		unlink(csv);
		unlink(png);
		free((char *)csv);
		free((char *)png);
	}

	th_case("raster_svg_counts");	/* the hand-built model's sample 2, as above */
	{
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster-png %s --raster-sample 2 -q", snnsim,
				  model, img_path, lab_path, path_in("r.svg")) == 0,
			  "%s", out);
		size_t n = 0;
		char *text = read_all(path_in("r.svg"), &n);
		if (text)
			text[n < (1 << 22) ? n : n - 1] = 0;
		th_expect(text && strstr(text, "<title>Spike raster: model.cfg, sample 2, T = 10</title>") &&
				  strstr(text, "\n2 lines, 12 events\n") && strstr(text, "\n2 neurons, 6 spikes\n") &&
				  strstr(text, "\nlayer 1\n") && strstr(text, "\ndense, core 0\n"),
			  "SVG: title from the file name (no metadata), 12 input events and 6 spikes, an unnamed layer");
		free(text);
		unlink(path_in("r.svg"));
	}

	th_case("raster_png_cnn");
	/* each band: its name, then what its cores are (a Gemm after pooling
	 * runs as a conv over the whole pooled map) */
	raster_png_fixture("lenet1", (const char *const[]){"/conv1/Conv\nconv 5x5, core", "/conv2/Conv\nconv 5x5, core",
							     "/fc/Gemm\ndense as conv 4x4, core"}, 3);

	th_case("raster_png_mlp");
	raster_png_fixture("mlp128", (const char *const[]){"/1/Gemm\ndense, core", "/3/Gemm\ndense, core"}, 2);

	/* docs/files.md: outputs never replace inputs, devices or each other,
	 * inputs that are not regular files fail at once. */
	th_case("raster_onto_images_bad");
	{
		const uint8_t *want = images;
		int rc = run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster %s -q", snnsim, model, img_path, lab_path,
				 img_path);
		FILE *f = fopen(img_path, "rb");
		uint8_t now[sizeof images] = {0};
		size_t n = f ? fread(now, 1, sizeof now, f) : 0;
		if (f)
			fclose(f);
		th_expect(rc == 1 && strstr(out, "--images") && n == sizeof images && !memcmp(now, want, n),
			  "exit %d, images kept: %s", rc, out);
		write_bytes(img_path, images, sizeof images);	/* for the cases below, whatever happened */
	}

	th_case("raster_csv_and_png_same_file_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster %s --raster-png %s -q", snnsim, model, img_path,
			  lab_path, path_in("r.out"), path_in("r.out")) == 1 &&
			  strstr(out, "--raster-png") && access(path_in("r.out"), F_OK) != 0,
		  "%s", out);

	th_case("raster_onto_device_bad");
	const char *dev = th_scratch_device(path_in("null"));
	struct stat st;
	th_expect(!dev || (run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster-png %s -q", snnsim, model, img_path,
				   lab_path, dev) == 1 && strstr(out, "character device") && !stat(dev, &st) &&
			   S_ISCHR(st.st_mode)),
		  "%s", out);

	th_case("raster_svg_into_missing_directory_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster-png %s -q", snnsim, model, img_path, lab_path,
			  path_in("nodir/r.svg")) == 1 &&
			  strstr(out, "nodir/r.svg") && access(path_in("nodir"), F_OK) != 0,
		  "%s", out);

	th_case("raster_sample_not_run_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s --raster %s --raster-sample 50 -n 2 -q", snnsim, model,
			  img_path, lab_path, path_in("r.csv")) == 1 &&
			  strstr(out, "--raster-sample 50: the run has only 2 samples") && access(path_in("r.csv"), F_OK) != 0,
		  "%s", out);

	th_case("inputs_fifo_do_not_block_bad");
	mkfifo(path_in("fifo"), 0600);
	th_expect(run_cmd(out, sizeof out, "timeout 20 %s %s -i %s -l %s", snnsim, path_in("fifo"), img_path,
			  lab_path) == 1 && strstr(out, "FIFO"),
		  "image FIFO: %s", out);
	th_expect(run_cmd(out, sizeof out, "timeout 20 %s %s -i %s -l %s", snnsim, model, path_in("fifo"),
			  lab_path) == 1 && strstr(out, "FIFO"),
		  "images FIFO: %s", out);
	th_expect(run_cmd(out, sizeof out, "timeout 20 %s /dev/zero -i %s -l %s", snnsim, img_path, lab_path) == 1 &&
			  strstr(out, "character device"),
		  "image /dev/zero: %s", out);

	th_case("json_stdout_write_error_bad");
	th_expect(run_cmd(out, sizeof out, "(%s %s -i %s -l %s --json >/dev/full)", snnsim, model, img_path,
			  lab_path) == 1 && strstr(out, "standard output"),
		  "%s", out);

	const char *files[] = {"model.cfg", "bad.cfg", "x.idx", "y.idx", "wide.idx", "badlab.idx", "fifo", "null"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(path_in(files[i]));
	rmdir(dir);
	free((char *)model);
	free((char *)img_path);
	free((char *)lab_path);
	return th_done("test_snnsim");
}
