/* snnc as a user runs it, end to end: every committed fixture is compiled
 * and run with snnsim on its 100 committed test images, and its accuracy is
 * held to the float model's (computed by snnc eval, which test_fixtures
 * checks against PyTorch), with --calib and without (the data-free
 * default; SNN_TEST_LONG=1 also on 500 images of the test split), and the
 * Keras fixtures also through snnc convert. Also
 * determinism, ONNX-SNN round trips, targets that are too small, and bad
 * files. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../harness.h"
#include "png_facts.h"
#include "run_cmd.h"

#define FIXTURES "models/fixtures"
#define TOLERANCE 0.03	/* on 100 images one sample is 0.01 */
#define DATA_FREE_GOAL 0.0101	/* issue 12: within 1 point of the ANN without --calib */

/* The residual fixture (7 spiking layers) needs the error-optimal scales
 * at T = 32 (docs/snnc.md, "Scales at T"): the default without --calib,
 * and --percentile auto with it. A fixed 99.99th percentile lost 2 points
 * (96.5 % against 98.6 % on 1,000 test digits). On these 100 digits its SNN
 * misses 2 that its ANN gets right, so here it is held to TOLERANCE, and
 * to the 1-point goal without --calib on the whole test split by make
 * test-long (data_free_long_case). */
static bool is_residual(const char *file)
{
	return strstr(file, "resnet") != NULL;	/* resnet, fashion_resnet */
}

static char dir[] = "/tmp/snn_snnc_test.XXXXXX";
static char snnc[512], snnsim[512];

/* The committed 100-image test set that goes with a fixture. */
static const char *dataset_of(const char *model)
{
	return strncmp(model, "fashion", 7) ? "mnist" : "fashion";
}

static void fixture_case(const char *file)
{
	static char out[65536];
	char model[600], cfg[600], cfg2[600], imgs[600], labs[600];
	const char *ds = dataset_of(file);
	snprintf(model, sizeof model, FIXTURES "/%s", file);
	snprintf(cfg, sizeof cfg, "%s/%s.cfg", dir, file);
	snprintf(cfg2, sizeof cfg2, "%s/%s.again.cfg", dir, file);
	snprintf(imgs, sizeof imgs, FIXTURES "/%s-test100-images-idx3-ubyte.gz", ds);
	snprintf(labs, sizeof labs, FIXTURES "/%s-test100-labels-idx1-ubyte.gz", ds);
	if (access(imgs, R_OK)) {
		th_case("fixture_%s", file);
		th_expect(0, "no committed test images %s", imgs);
		return;
	}

	th_case("fixture_%s_compiles", file);
	const char *flags = is_residual(file) ? " --percentile auto" : "";
	int rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s%s", snnc, model, cfg, imgs, flags);
	if (!th_expect(rc == 0, "snnc exit %d: %s", rc, out))
		return;

	th_case("fixture_%s_deterministic", file);
	rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s%s", snnc, model, cfg2, imgs, flags);
	th_expect(rc == 0 && same_file(cfg, cfg2), "a second compile gave a different image");

	th_case("fixture_%s_accuracy", file);
	rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, model, imgs, labs);
	const char *p = strstr(out, "float accuracy ");
	double ann = p ? atof(p + strlen("float accuracy ")) / 100.0 : -1;
	th_expect(rc == 0 && ann > 0.5, "eval exit %d, float accuracy %.3f: %s", rc, ann, out);
	rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 32 --json -q", snnsim, cfg, imgs, labs);
	double snn = json_number(out, "accuracy");
	printf("  %-22s ANN %.2f %%, SNN (T=32) %.2f %% on 100 images\n", file, 100 * ann, 100 * snn);
	th_expect(rc == 0 && snn >= ann - TOLERANCE, "SNN accuracy %.3f vs ANN %.3f: %s", snn, ann, out);

	/* At T = 16 with --calib and no --percentile snnc tries the error-
	 * optimal scales too (docs/snnc.md, "Scales at T"): the residual
	 * fixtures take them (with the 99.99th percentile they lost 4 and 5
	 * of these 100 images), the others keep the percentile. */
	if (is_residual(file)) {
		th_case("fixture_%s_T16_scales_chosen", file);
		rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s -T 16", snnc, model, cfg2, imgs);
		th_expect(rc == 0, "snnc -T 16 exit %d: %s", rc, out);
		rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 16 --json -q", snnsim, cfg2, imgs, labs);
		snn = json_number(out, "accuracy");
		printf("  %-22s ANN %.2f %%, SNN (T=16, scales chosen) %.2f %% on 100 images\n", file, 100 * ann,
		       100 * snn);
		th_expect(rc == 0 && snn >= ann - TOLERANCE, "SNN accuracy at T=16 %.3f vs ANN %.3f: %s", snn, ann,
			  out);
	}

	/* The data-free default (issue 12): without --calib the scales come
	 * from synthetic images, and the spiking network must stay within a
	 * point of the ANN on the same images (the goal; one image here). */
	{
		th_case("fixture_%s_data_free", file);
		rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, cfg2);
		th_expect(rc == 0 && !strstr(out, "warning"), "data-free compile: exit %d: %s", rc, out);
		rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 32 --json -q", snnsim, cfg2, imgs,
			     labs);
		double free_acc = json_number(out, "accuracy");
		printf("  %-22s without --calib: SNN (T=32) %.2f %%\n", file, 100 * free_acc);
		double tol = is_residual(file) ? TOLERANCE : DATA_FREE_GOAL;
		th_expect(rc == 0 && free_acc >= ann - tol, "data-free SNN accuracy %.3f vs ANN %.3f: %s", free_acc,
			  ann, out);
	}

	/* The iCEBreaker board must hold the networks of the research this
	 * project reproduces (issue 10); whatever fits must work as well there,
	 * with its 20-bit membrane and lanes of padding. */
	bool board_set = !strcmp(file, "mlp128.onnx") || !strcmp(file, "lenet1.onnx") ||
			 !strcmp(file, "lenet5.onnx");
	th_case("fixture_%s_icebreaker", file);
	rc = run_cmd(out, sizeof out, "%s info %s", snnc, model);
	bool fits = strstr(out, "fits      yes, on icebreaker") != NULL;
	th_expect(rc == 0 && (fits || strstr(out, "fits      no, on icebreaker")) && strstr(out, "on ulx3s"),
		  "info names every profile: %s", out);
	th_expect(!board_set || fits, "%s must fit the iCEBreaker: %s", file, out);
	th_expect(fits || strstr(out, "over by"), "info says by how much: %s", out);
	/* the board's engine has strides of 1 only: a ResNet's strided stem
	 * is named too, after the budget it is over */
	th_expect(!strstr(file, "resnet") || strstr(out, "stride 2 is not supported on target icebreaker"),
		  "info names the strided conv: %s", out);
	if (fits) {
		rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --target icebreaker%s", snnc, model, cfg2, imgs,
			     flags);
		th_expect(rc == 0, "compile for icebreaker: %s", out);
		rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 32 --json -q", snnsim, cfg2, imgs, labs);
		double board = json_number(out, "accuracy");
		printf("  %-22s on icebreaker: SNN (T=32) %.2f %%\n", file, 100 * board);
		th_expect(rc == 0 && board >= ann - TOLERANCE, "icebreaker accuracy %.3f vs ANN %.3f: %s", board,
			  ann, out);
	}
	unlink(cfg);
	unlink(cfg2);
}

/* A Keras fixture (tf2onnx's graph) through snnc convert: the ONNX-SNN model
 * keeps the ANN's meaning (snnc eval gives the original's accuracy) and,
 * compiled from the scales it carries, runs within a point of the ANN. */
static void keras_convert_case(const char *file)
{
	static char out[65536];
	char model[600], snn[600], cfg[600], imgs[600], labs[600];
	snprintf(model, sizeof model, FIXTURES "/%s", file);
	snprintf(snn, sizeof snn, "%s/%s.snn.onnx", dir, file);
	snprintf(cfg, sizeof cfg, "%s/%s.snn.cfg", dir, file);
	snprintf(imgs, sizeof imgs, FIXTURES "/mnist-test100-images-idx3-ubyte.gz");
	snprintf(labs, sizeof labs, FIXTURES "/mnist-test100-labels-idx1-ubyte.gz");
	th_case("fixture_%s_converts", file);
	int rc = run_cmd(out, sizeof out, "%s convert %s -o %s --calib %s", snnc, model, snn, imgs);
	if (!th_expect(rc == 0, "convert: exit %d: %s", rc, out))
		return;
	rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, model, imgs, labs);
	const char *p = strstr(out, "float accuracy ");
	double ann = p ? atof(p + strlen("float accuracy ")) / 100.0 : -1;
	rc |= run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, snn, imgs, labs);
	p = strstr(out, "float accuracy ");
	double snn_ann = p ? atof(p + strlen("float accuracy ")) / 100.0 : -1;
	th_expect(rc == 0 && ann > 0.5 && snn_ann == ann, "ONNX-SNN's ANN %.3f, the original's %.3f: %s", snn_ann,
		  ann, out);
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, snn, cfg);
	th_expect(rc == 0, "compile the ONNX-SNN model: %s", out);
	rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 32 --json -q", snnsim, cfg, imgs, labs);
	double acc = json_number(out, "accuracy");
	printf("  %-22s converted to ONNX-SNN: SNN (T=32) %.2f %%\n", file, 100 * acc);
	th_expect(rc == 0 && acc >= ann - DATA_FREE_GOAL, "converted SNN accuracy %.3f vs ANN %.3f: %s", acc, ann,
		  out);
	unlink(snn);
	unlink(cfg);
}

/* SNN_TEST_LONG: the data-free default against the ANN on the whole test
 * split (MNIST's 2,000 digits from models/get_data.sh, Fashion-MNIST's
 * 10,000 images from Debian), where the goal is set: on the first 500
 * images fashion_bn, 0.32 points off on the whole split, was 1.2 off. */
static void data_free_long_case(const char *file, const char *build)
{
	static char out[65536];
	char model[600], cfg[600], imgs[600], labs[600];
	bool fashion = !strcmp(dataset_of(file), "fashion");
	snprintf(model, sizeof model, FIXTURES "/%s", file);
	snprintf(cfg, sizeof cfg, "%s/%s.free.cfg", dir, file);
	snprintf(imgs, sizeof imgs, fashion ? "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
					    : "%s/data/mnist-test-images-idx3-ubyte.gz", build);
	snprintf(labs, sizeof labs, fashion ? "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
					    : "%s/data/mnist-test-labels-idx1-ubyte.gz", build);
	th_case("fixture_%s_data_free_test_split", file);
	if (!th_expect(access(imgs, R_OK) == 0 && access(labs, R_OK) == 0,
		       "no test split %s (models/get_data.sh writes it)", imgs))
		return;
	int rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, model, imgs, labs);
	const char *p = strstr(out, "float accuracy ");
	double ann = p ? atof(p + strlen("float accuracy ")) / 100.0 : -1;
	th_expect(rc == 0 && ann > 0.5, "eval exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0, "data-free compile: exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s -T 32 --json -q", snnsim, cfg, imgs, labs);
	double snn = json_number(out, "accuracy");
	printf("  %-22s ANN %.2f %%, without --calib SNN (T=32) %.2f %% on the test split\n", file, 100 * ann,
	       100 * snn);
	th_expect(rc == 0 && snn >= ann - DATA_FREE_GOAL, "data-free SNN accuracy %.3f vs ANN %.3f: %s", snn,
		  ann, out);
	unlink(cfg);
}


/* Outputs never replace an input, a device or each other, are checked
 * before any work, and keep the mode of what they replace; inputs that are
 * not regular files fail at once (docs/files.md). Each case compares the
 * files afterwards with copies taken before. */
/* The report's charts beside it (docs/snnc.md, CONVERSION REPORT): PNG
 * and SVG, each of a size a screen shows, with data drawn in the plot
 * area, the SVG naming its title, axes and the model's spiking layer
 * (mlp.onnx's first Gemm node, read with onnx in Python; the second is
 * the readout, which has no rate); the report links the PNGs; no
 * temporary file left behind. */
static void report_plots(const char *in, const char *stem)
{
	static const char *const charts[][4] = {
		{"accuracy", "Accuracy against time steps: mlp.onnx", "time steps (T)", "ANN (float)"},
		{"rates", "Firing rate against ANN activation: mlp.onnx", "ANN activation / layer scale", "/1/Gemm"},
	};
	char path[512], md[8192];
	snprintf(path, sizeof path, "%s/%s.md", in, stem);
	snprintf(md, sizeof md, "%s", read_text(path) ? read_text(path) : "");
	for (int c = 0; c < 2; c++) {
		th_case("report_plot_%s", charts[c][0]);
		snprintf(path, sizeof path, "%s/%s-%s.png", in, stem, charts[c][0]);
		png_facts pf = read_png(path);
		th_expect(pf.ok && pf.w >= 640 && pf.w <= 1200 && pf.h >= 400 && pf.h <= 900 && pf.blue > 200,
			  "%s decodes (%d) at %ux%u with %zu data pixels", path, pf.ok, pf.w, pf.h, pf.blue);
		char link[128];
		snprintf(link, sizeof link, "](%s-%s.png)", stem, charts[c][0]);
		th_expect(strstr(md, link) != NULL, "the report links %s", link + 2);
		snprintf(path, sizeof path, "%s/%s-%s.svg", in, stem, charts[c][0]);
		const char *svg = read_text(path);
		char title[160];
		snprintf(title, sizeof title, "<title>%s</title>", charts[c][1]);
		th_expect(svg && !strncmp(svg, "<?xml", 5) && strstr(svg, title) && strstr(svg, charts[c][2]) &&
				  strstr(svg, charts[c][3]),
			  "%s: an SVG with %s, \"%s\" and \"%s\"", path, title, charts[c][2], charts[c][3]);
	}
	th_case("report_plots_no_temporary_files");
	DIR *d = opendir(in);
	int tmp = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		tmp += strstr(e->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	th_expect(d && tmp == 0, "%d temporary files left in %s", tmp, in);
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < 2; k++) {
			snprintf(path, sizeof path, "%s/%s-%s.%s", in, stem, charts[c][0], k ? "svg" : "png");
			unlink(path);
		}
}

static void hostile_path_cases(const char *mlp, const char *imgs, const char *labs)
{
	static char out[65536];
	char model[600], calib[600], cfg[600], ref[600], cmd[2000];
	snprintf(model, sizeof model, "%s/model.onnx", dir);
	snprintf(calib, sizeof calib, "%s/calib.idx.gz", dir);
	snprintf(cfg, sizeof cfg, "%s/out.cfg", dir);
	snprintf(cmd, sizeof cmd, "cp %s %s && cp %s %s", mlp, model, imgs, calib);
	if (!th_expect(system(cmd) == 0, "copying the fixtures"))
		return;

	th_case("output_onto_model_bad");
	int rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, model);
	th_expect(rc == 1 && strstr(out, "the model") && same_file(model, mlp), "exit %d, model kept: %s", rc, out);

	th_case("convert_onto_model_bad");
	rc = run_cmd(out, sizeof out, "%s convert %s -o %s", snnc, model, model);
	th_expect(rc == 1 && same_file(model, mlp), "exit %d, model kept: %s", rc, out);

	th_case("output_onto_calibration_bad");
	rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s", snnc, model, calib, calib);
	th_expect(rc == 1 && strstr(out, "--calib") && same_file(calib, imgs), "exit %d, calibration kept: %s",
		  rc, out);

	th_case("report_onto_output_bad");
	rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --report %s", snnc, model, cfg, calib, cfg);
	th_expect(rc == 1 && strstr(out, "--report") && access(cfg, F_OK) != 0, "exit %d, nothing written: %s", rc,
		  out);

	th_case("report_into_missing_directory_fails_first_bad");
	rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --report %s/nodir/r.md", snnc, model, cfg, calib, dir);
	th_expect(rc == 1 && strstr(out, "nodir") && access(cfg, F_OK) != 0,
		  "exit %d; the image must not be written first: %s", rc, out);

	th_case("output_onto_device_bad");
	struct stat st;
	snprintf(ref, sizeof ref, "%s/null", dir);
	const char *dev = th_scratch_device(ref);
	if (dev) {
		rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, dev);
		th_expect(rc == 1 && strstr(out, "character device") && !stat(dev, &st) && S_ISCHR(st.st_mode),
			  "exit %d, %s still a device: %s", rc, dev, out);
		unlink(ref);
	}

	th_case("output_onto_fifo_bad");
	snprintf(ref, sizeof ref, "%s/fifo", dir);
	mkfifo(ref, 0600);
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, ref);
	th_expect(rc == 1 && strstr(out, "FIFO") && !stat(ref, &st) && S_ISFIFO(st.st_mode),
		  "exit %d, still a FIFO: %s", rc, out);

	th_case("model_fifo_does_not_block_bad");
	rc = run_cmd(out, sizeof out, "timeout 20 %s %s -o %s", snnc, ref, cfg);
	th_expect(rc == 1 && strstr(out, "FIFO"), "exit %d (124: it blocked): %s", rc, out);
	th_case("calibration_fifo_does_not_block_bad");
	rc = run_cmd(out, sizeof out, "timeout 20 %s %s -o %s --calib %s", snnc, model, cfg, ref);
	th_expect(rc == 1 && strstr(out, "FIFO"), "exit %d (124: it blocked): %s", rc, out);
	unlink(ref);

	th_case("output_keeps_mode");
	FILE *f = fopen(cfg, "w");
	if (f)
		fclose(f);
	chmod(cfg, 0600);
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && !stat(cfg, &st) && (st.st_mode & 0777) == 0600 && st.st_size > 1000,
		  "exit %d, mode %o (want 0600), %lld bytes: %s", rc, (unsigned)(st.st_mode & 0777),
		  (long long)st.st_size, out);
	unlink(cfg);

	th_case("output_new_under_umask");
	rc = run_cmd(out, sizeof out, "umask 077 && %s %s -o %s", snnc, model, cfg);
	th_expect(rc == 0 && !stat(cfg, &st) && (st.st_mode & 0777) == 0600, "exit %d, mode %o (want 0600): %s",
		  rc, (unsigned)(st.st_mode & 0777), out);
	unlink(cfg);

	th_case("stdout_write_error_bad");
	rc = run_cmd(out, sizeof out, "(%s info %s >/dev/full)", snnc, model);
	th_expect(rc == 1 && strstr(out, "standard output"), "info into a full disk: exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "(%s eval %s --images %s --labels %s >/dev/full)", snnc, model, imgs, labs);
	th_expect(rc == 1 && strstr(out, "standard output"), "eval into a full disk: exit %d: %s", rc, out);

	th_case("steps_not_whole_bad");
	rc = run_cmd(out, sizeof out, "%s %s -o %s -T 1.5", snnc, model, cfg);
	th_expect(rc == 1 && strstr(out, "'1.5'") && access(cfg, F_OK) != 0, "-T 1.5: exit %d: %s", rc, out);
	rc = run_cmd(out, sizeof out, "%s %s -o %s -T 0x20", snnc, model, cfg);
	th_expect(rc == 1 && strstr(out, "'0x20'") && access(cfg, F_OK) != 0, "-T 0x20: exit %d: %s", rc, out);

	th_case("eval_labels_missing_bad");
	rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s/nope.idx", snnc, model, imgs, dir);
	th_expect(rc == 1 && strstr(out, "nope.idx: No such file"), "exit %d: %s", rc, out);
	th_case("eval_labels_wrong_bad");
	rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, model, imgs, imgs);
	th_expect(rc == 1 && strstr(out, "expected 100 one-byte labels") && strstr(out, "of 784 bytes"),
		  "exit %d: %s", rc, out);
	unlink(model);
	unlink(calib);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	if (!mkdtemp(dir))
		return 1;
	static char out[65536];
	char path[600], path2[600];
	const char *mlp = FIXTURES "/mlp.onnx";
	const char *imgs = FIXTURES "/mnist-test100-images-idx3-ubyte.gz";
	const char *labs = FIXTURES "/mnist-test100-labels-idx1-ubyte.gz";

	th_case("help");
	th_expect(run_cmd(out, sizeof out, "%s --help", snnc) == 0 && strstr(out, "Usage: snnc") &&
			  strstr(out, "Exit status"),
		  "%s", out);

	th_case("list_ops");
	th_expect(run_cmd(out, sizeof out, "%s --list-ops", snnc) == 0 && strstr(out, "Conv") &&
			  strstr(out, "Gemm") && strstr(out, "LIF") && strstr(out, "BatchNormalization"),
		  "%s", out);

	th_case("info_fits");
	th_expect(run_cmd(out, sizeof out, "%s info %s", snnc, mlp) == 0 && strstr(out, "deep neural network") &&
			  strstr(out, "fits      yes"),
		  "%s", out);

	/* 784-256-10 at 8 bits: 200,704 + 256 x 16 weight bytes and 272 x 8 of
	 * neuron state against the 115,712 bytes of the UP5K's SPRAM the
	 * icebreaker profile gives networks (the other 15 KiB the program's). */
	th_case("info_too_big_for_icebreaker_bad");
	th_expect(run_cmd(out, sizeof out, "%s info %s --target icebreaker", snnc, mlp) == 0 &&
			  strstr(out, "fits      no") && strstr(out, "(over by 91264)") &&
			  strstr(out, "2176 of neuron state"),
		  "info should say by how much it does not fit: %s", out);

	/* the Fashion ResNet on the iCEBreaker is over two budgets
	 * (docs/snnc.md, "MAPPING"): its neurons and its pool words; info names
	 * both. (cnn was the example on the ULX3S until the pool grew into
	 * SDRAM: it fits there now, below.) */
	th_case("info_names_every_budget_over_bad");
	snprintf(path, sizeof path, "models/fixtures/fashion_resnet.onnx");
	th_expect(run_cmd(out, sizeof out, "%s info %s --target icebreaker", snnc, path) == 0 &&
			  strstr(out, "fits      no") && strstr(out, "15690 neurons") &&
			  strstr(out, "; and the network needs") && strstr(out, "synapse words"),
		  "info should name the neurons and the pool words over: %s", out);

	/* cnn, 100,362 neurons and 895,304 pool words, fits the ULX3S's pool
	 * of block RAM and SDRAM (issue 10: every bundled fixture). */
	th_case("info_cnn_fits_ulx3s");
	snprintf(path, sizeof path, "models/fixtures/cnn.onnx");
	th_expect(run_cmd(out, sizeof out, "%s info %s --target ulx3s", snnc, path) == 0 &&
			  strstr(out, "fits      yes, on ulx3s"),
		  "cnn should fit the ULX3S: %s", out);

	th_case("compile_too_big_bad");
	snprintf(path, sizeof path, "%s/icebreaker.cfg", dir);
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s --target icebreaker", snnc, mlp, path) == 1 &&
			  strstr(out, "over by") && access(path, F_OK) != 0,
		  "exit 1, amount over, no file: %s", out);

	th_case("compile_without_calibration");
	snprintf(path, sizeof path, "%s/weights.cfg", dir);
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s", snnc, mlp, path) == 0 && strstr(out, "--calib") &&
			  access(path, R_OK) == 0,
		  "scaling from synthetic images should work and name --calib: %s", out);
	unlink(path);

	th_case("convert_onnx_snn_round_trip");
	snprintf(path, sizeof path, "%s/mlp.snn.onnx", dir);
	snprintf(path2, sizeof path2, "%s/mlp.snn.cfg", dir);
	int rc = run_cmd(out, sizeof out, "%s convert %s -o %s --calib %s", snnc, mlp, path, imgs);
	th_expect(rc == 0, "convert: %s", out);
	th_expect(run_cmd(out, sizeof out, "%s info %s", snnc, path) == 0 && strstr(out, "spiking neural network"),
		  "info on ONNX-SNN: %s", out);
	rc = run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, path, imgs, labs);
	char ann_line[200] = "";
	if (strstr(out, "float accuracy"))
		snprintf(ann_line, sizeof ann_line, "%s", strstr(out, "float accuracy"));
	rc |= run_cmd(out, sizeof out, "%s eval %s --images %s --labels %s", snnc, mlp, imgs, labs);
	th_expect(rc == 0 && ann_line[0] && strstr(out, ann_line),
		  "ONNX-SNN evaluates like the original: %s vs %s", ann_line, out);
	/* Its v_th carry the scales, so no calibration data is needed. */
	rc = run_cmd(out, sizeof out, "%s %s -o %s", snnc, path, path2);
	th_expect(rc == 0 && !strstr(out, "--calib"), "ONNX-SNN compiles from its own scales: %s", out);
	rc = run_cmd(out, sizeof out, "%s %s --images %s --labels %s --json -q", snnsim, path2, imgs, labs);
	th_expect(rc == 0 && json_number(out, "accuracy") > 0.85, "ONNX-SNN accuracy: %s", out);
	unlink(path);
	unlink(path2);

	th_case("conversion_report");
	snprintf(path, sizeof path, "%s/report.md", dir);
	snprintf(path2, sizeof path2, "%s/report.cfg", dir);
	rc = run_cmd(out, sizeof out, "%s %s -o %s --calib %s --calib-labels %s --report %s", snnc, mlp, path2, imgs,
		 labs, path);
	th_expect(rc == 0 && strstr(out, "correlation") && strstr(out, "accuracy: ANN"),
		  "terminal summary: %s", out);
	FILE *rf = fopen(path, "r");
	char report[8192] = "";
	if (rf) {
		report[fread(report, 1, sizeof report - 1, rf)] = '\0';
		fclose(rf);
	}
	th_expect(strstr(report, "| layer | neurons | lambda | correlation") && strstr(report, "| 32 |") &&
			  strstr(report, "/1/Gemm"),
		  "report file: %s", report);
	report_plots(dir, "report");
	th_case("report_needs_calibration_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s --report %s", snnc, mlp, path2, path) == 1 &&
			  strstr(out, "--report needs --calib"),
		  "%s", out);
	unlink(path);
	unlink(path2);

	th_case("report_plot_blocked_bad");	/* a directory where a plot goes: no plot, no report */
	snprintf(path, sizeof path, "%s/blocked-rates.png", dir);
	mkdir(path, 0700);
	snprintf(path2, sizeof path2, "%s/blocked.md", dir);
	rc = run_cmd(out, sizeof out, "%s %s -o %s/blocked.cfg --calib %s --report %s", snnc, mlp, dir, imgs, path2);
	th_expect(rc == 1 && strstr(out, "blocked-rates.png") && access(path2, F_OK) != 0,
		  "exit %d, no report: %s", rc, out);
	rmdir(path);
	snprintf(path, sizeof path, "%s/blocked.cfg", dir);
	unlink(path);

	/* a linear classic-ML model is one layer (tests/compiler/test_linear_ml.c
	 * checks its weights; tests/cli/test_sklearn.c runs skl2onnx's) */
	char ml_cfg[300];
	snprintf(ml_cfg, sizeof ml_cfg, "%s/ml.cfg", dir);
	th_case("info_classic_ml_linear");
	th_expect(run_cmd(out, sizeof out, "%s info tests/cli/data/linear_classifier.onnx", snnc) == 0 &&
			  strstr(out, "classic machine learning (ai.onnx.ml linear model), compiled as one layer") &&
			  strstr(out, "fits      yes"),
		  "%s", out);
	th_case("compile_classic_ml_linear");
	th_expect(run_cmd(out, sizeof out, "%s tests/cli/data/linear_classifier.onnx -o %s/ml.cfg", snnc, dir) == 0,
		  "%s", out);
	unlink(ml_cfg);
	th_case("info_classic_ml_tree");
	th_expect(run_cmd(out, sizeof out, "%s info tests/cli/data/tree_classifier.onnx", snnc) == 0 &&
			  strstr(out, "classic machine learning (ai.onnx.ml operators)") &&
			  strstr(out, "refused   node TreeEnsembleClassifier (TreeEnsembleClassifier): a classic "
				      "machine-learning operator (ai.onnx.ml) of a tree ensemble") &&
			  strstr(out, "fits      no"),
		  "%s", out);
	th_case("compile_classic_ml_tree_bad");
	th_expect(run_cmd(out, sizeof out, "%s tests/cli/data/tree_classifier.onnx -o %s/ml.cfg", snnc, dir) == 1 &&
			  strstr(out, "tree_classifier.onnx") && strstr(out, "TreeEnsembleClassifier") &&
			  strstr(out, "tree ensemble") && access(ml_cfg, F_OK) != 0,
		  "%s", out);

	th_case("missing_model_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s/nope.onnx -o %s/x.cfg", snnc, dir, dir) == 1 &&
			  strstr(out, "nope.onnx"),
		  "%s", out);

	th_case("not_onnx_bad");
	snprintf(path, sizeof path, "%s/text.onnx", dir);
	FILE *f = fopen(path, "w");
	fputs("this is not a protobuf\n", f);
	fclose(f);
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s/x.cfg", snnc, path, dir) == 1 && strstr(out, "text.onnx"),
		  "%s", out);
	unlink(path);

	th_case("truncated_model_bad");
	snprintf(path, sizeof path, "%s/cut.onnx", dir);
	char cmd[1400];
	snprintf(cmd, sizeof cmd, "head -c 5000 %s > %s", mlp, path);
	th_expect(system(cmd) == 0, "head");
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s/x.cfg", snnc, path, dir) == 1 && strstr(out, "cut.onnx"),
		  "%s", out);
	th_expect(access("x.cfg", F_OK) != 0, "no output written");
	unlink(path);

	th_case("calibration_shape_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s/x.cfg --calib %s", snnc, mlp, dir, labs) == 1 &&
			  strstr(out, "has 784"),
		  "labels as calibration images: %s", out);

	hostile_path_cases(mlp, imgs, labs);

	DIR *d = opendir(FIXTURES);
	int fixtures = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".onnx")) {
			fixture_case(e->d_name);
			if (!strncmp(e->d_name, "keras_", 6))
				keras_convert_case(e->d_name);
			if (getenv("SNN_TEST_LONG") && *getenv("SNN_TEST_LONG"))
				data_free_long_case(e->d_name, build);
			fixtures++;
		}
	}
	if (d)
		closedir(d);
	th_case("fixtures_present");
	th_expect(fixtures >= 1, "no fixtures in " FIXTURES);
	rmdir(dir);
	return th_done("test_snnc");
}
