/* snnc decompile as a user runs it: every committed fixture compiled for
 * the default target and for icebreaker and ulx3s (where it fits) comes back from its
 * image as an ONNX-SNN model that the onnx package's checker accepts and
 * that snnc compiles to the same image, byte for byte; the residual one
 * (a branched network) is refused with the reason. Also other compile
 * options, LIF neurons, retargeting and bad inputs. The checker needs
 * Debian's python3-onnx: without it those cases are skipped, and fail
 * under SNN_TEST_LONG=1 (make test-long installs it). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "snn/image.h"
#include "run_cmd.h"

#define FIXTURES "models/fixtures"
#define PY "/usr/bin/python3"

static char dir[] = "/tmp/snn_decompile_test.XXXXXX";
static char snnc[512];
static char out[65536];
static bool have_onnx;

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* onnx.checker's full check (with shape inference) on model. */
static void checker(const char *model)
{
	if (!have_onnx) {
		printf("  %s: onnx.checker skipped (no python3-onnx)\n", model);
		th_expect(!getenv("SNN_TEST_LONG"), "python3-onnx is missing");
		return;
	}
	int rc = run_cmd(out, sizeof out,
			 PY " -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), "
			    "full_check=True)' %s", model);
	th_expect(rc == 0, "onnx.checker refuses %s: %s", model, out);
}

/* Decompile image, check the model, compile it back with extra options
 * and compare with want (the image itself unless given). */
static void round_trip(const char *tag, const char *image, const char *extra, const char *want)
{
	char model[700], again[700];
	snprintf(model, sizeof model, "%s/%s.snn.onnx", dir, tag);
	snprintf(again, sizeof again, "%s/%s.again.cfg", dir, tag);
	th_case("%s_decompiles", tag);
	int rc = run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, image, model);
	if (!th_expect(rc == 0 && exists(model) && !strstr(out, "warning"), "decompile exit %d: %s", rc, out))
		return;
	th_case("%s_checker", tag);
	checker(model);
	th_case("%s_same_bytes", tag);
	rc = run_cmd(out, sizeof out, "%s %s -o %s %s", snnc, model, again, extra);
	th_expect(rc == 0 && same_file(want ? want : image, again), "compile back exit %d, %s: %s", rc,
		  rc ? "" : "the image differs", out);
	unlink(model);
	unlink(again);
}

static const char *calib_of(const char *model)
{
	return strncmp(model, "fashion", 7) ? FIXTURES "/mnist-test100-images-idx3-ubyte.gz"
					    : FIXTURES "/fashion-test100-images-idx3-ubyte.gz";
}

/* Every fixture, for every target; a model too big for a board is
 * reported, not failed (test_snnc checks that info says so). */
static void fixtures(void)
{
	DIR *d = opendir(FIXTURES);
	if (!th_expect(d != NULL, "cannot list " FIXTURES))
		return;
	char *names[64];
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 64;) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".onnx"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++)	/* a stable order */
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	th_case("fixtures_found");
	th_expect(n >= 5, "only %d fixtures", n);
	static const char *const targets[] = {"sim", "icebreaker", "ulx3s"};
	for (int i = 0; i < n; i++)
		for (int t = 0; t < 3; t++) {
			char tag[200], image[700];
			snprintf(tag, sizeof tag, "%.*s_%s", (int)(strlen(names[i]) - 5), names[i], targets[t]);
			snprintf(image, sizeof image, "%s/%s.cfg", dir, tag);
			th_case("%s_compiles", tag);
			int rc = run_cmd(out, sizeof out, "%s " FIXTURES "/%s -o %s --calib %s --target %s", snnc,
					 names[i], image, calib_of(names[i]), targets[t]);
			if (t > 0 && rc == 1 && strstr(out, "over by")) {
				printf("  %-24s does not fit %s: no round trip there\n", tag, targets[t]);
				continue;
			}
			if (!th_expect(rc == 0, "snnc exit %d: %s", rc, out))
				continue;
			if (strstr(names[i], "resnet")) {	/* branched: ONNX-SNN layers here are a chain */
				th_case("%s_decompile_refused", tag);
				rc = run_cmd(out, sizeof out, "%s decompile %s -o %s/%s.snn.onnx", snnc, image, dir, tag);
				th_expect(rc == 1 && strstr(out, "a branched network"), "decompile exit %d: %s", rc, out);
			} else {
				round_trip(tag, image, "", NULL);
			}
			unlink(image);
		}
	for (int i = 0; i < n; i++)
		free(names[i]);
}

/* Options that change the image, each recorded in the model. */
static void options(void)
{
	static const struct {
		const char *tag, *model, *opts;
	} cases[] = {
		{"spikes", "lenet5", "--readout spikes -T 50"},
		{"narrow", "mlp128", "--weight-bits 6 --v-init 0.3 --mean 0.1307 --std 0.3081"},
		{"no_calib", "lenet1", "--readout spikes --target icebreaker"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char image[700];
		snprintf(image, sizeof image, "%s/%s.cfg", dir, cases[i].tag);
		th_case("%s_compiles", cases[i].tag);
		int rc = run_cmd(out, sizeof out, "%s " FIXTURES "/%s.onnx -o %s %s %s %s", snnc, cases[i].model, image,
				 cases[i].opts, strcmp(cases[i].tag, "no_calib") ? "--calib" : "",
				 strcmp(cases[i].tag, "no_calib") ? calib_of(cases[i].model) : "");
		if (th_expect(rc == 0, "snnc exit %d: %s", rc, out))
			round_trip(cases[i].tag, image, "", NULL);
		unlink(image);
	}
}

/* LIF neurons with both resets: lenet1's ONNX-SNN with its IF nodes made
 * LIF by the onnx package. */
static void lif(void)
{
	char snn[700], lifm[700], image[700];
	snprintf(snn, sizeof snn, "%s/l1.snn.onnx", dir);
	snprintf(lifm, sizeof lifm, "%s/l1.lif.onnx", dir);
	snprintf(image, sizeof image, "%s/lif.cfg", dir);
	th_case("lif_model");
	if (!have_onnx) {
		printf("  lif: skipped (no python3-onnx)\n");
		th_expect(!getenv("SNN_TEST_LONG"), "python3-onnx is missing");
		return;
	}
	int rc = run_cmd(out, sizeof out, "%s convert " FIXTURES "/lenet1.onnx -o %s --calib %s", snnc, snn,
			 calib_of("lenet1"));
	rc = rc ? rc : run_cmd(out, sizeof out, PY " -c '\n"
			       "import sys, onnx\nfrom onnx import helper\n"
			       "m = onnx.load(sys.argv[1])\nk = 0\n"
			       "for n in m.graph.node:\n"
			       "    if n.domain == \"snn\" and k < 2:\n"
			       "        n.op_type = \"LIF\"\n"
			       "        keep = [a for a in n.attribute if a.name != \"reset\"]\n"
			       "        del n.attribute[:]\n"
			       "        n.attribute.extend(keep + [helper.make_attribute(\"tau_rc\", 0.02 + 0.03 * k),\n"
			       "            helper.make_attribute(\"tau_ref\", 0.003),\n"
			       "            helper.make_attribute(\"reset\", \"zero\" if k == 0 else \"subtract\")])\n"
			       "        k += 1\n"
			       "onnx.save(m, sys.argv[2])' %s %s", snn, lifm);
	rc = rc ? rc : run_cmd(out, sizeof out, "%s %s -o %s --calib %s", snnc, lifm, image, calib_of("lenet1"));
	if (!th_expect(rc == 0, "making and compiling the LIF model: %s", out))
		return;
	round_trip("lif", image, "", NULL);
	th_case("lif_registers_as_attributes");
	char model[700];
	snprintf(model, sizeof model, "%s/lif.onnx", dir);
	rc = run_cmd(out, sizeof out, "%s decompile %s -o %s && " PY " -c '\n"
		     "import sys, onnx\nm = onnx.load(sys.argv[1])\n"
		     "for n in m.graph.node:\n"
		     "    if n.domain == \"snn\":\n"
		     "        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}\n"
		     "        print(n.op_type, a[\"reset\"].decode(), a[\"leak\"], a[\"refractory\"])' %s",
		     snnc, image, model, model);
	th_expect(rc == 0 && strstr(out, "LIF zero 12 3") && strstr(out, "LIF subtract 5 3") &&
			  strstr(out, "IF subtract 0 0"),
		  "neuron nodes: %s", out);
	unlink(snn);
	unlink(lifm);
	unlink(image);
	unlink(model);
}

static void help_and_bad_inputs(void)
{
	char image[700], model[700], path[700];
	snprintf(image, sizeof image, "%s/mlp.cfg", dir);
	snprintf(model, sizeof model, "%s/mlp.snn.onnx", dir);

	th_case("help_mentions_decompile");
	th_expect(run_cmd(out, sizeof out, "%s --help", snnc) == 0 && strstr(out, "snnc decompile IMAGE.cfg"),
		  "%s", out);

	th_case("bad_inputs_setup");
	if (!th_expect(run_cmd(out, sizeof out, "%s " FIXTURES "/mlp.onnx -o %s", snnc, image) == 0, "%s", out))
		return;

	th_case("missing_image_bad");
	snprintf(path, sizeof path, "%s/nope.cfg", dir);
	th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, path, model) == 1 && strstr(out, "nope.cfg") &&
			  !exists(model),
		  "%s", out);

	th_case("onnx_as_image_bad");
	th_expect(run_cmd(out, sizeof out, "%s decompile " FIXTURES "/mlp.onnx -o %s", snnc, model) == 1 &&
			  strstr(out, "mlp.onnx") && !exists(model),
		  "%s", out);

	th_case("truncated_image_bad");
	snprintf(path, sizeof path, "%s/short.cfg", dir);
	run_cmd(out, sizeof out, "head -c 200 %s > %s", image, path);
	th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, path, model) == 1 &&
			  strstr(out, "short.cfg") && !exists(model),
		  "%s", out);
	unlink(path);

	th_case("no_output_bad");
	th_expect(run_cmd(out, sizeof out, "%s decompile %s", snnc, image) == 1 && strstr(out, "-o"), "%s", out);

	th_case("output_onto_image_bad");
	snprintf(path, sizeof path, "%s/keep.cfg", dir);
	run_cmd(out, sizeof out, "cp %s %s", image, path);
	th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, path, path) == 1 && same_file(image, path) &&
			  strstr(out, "the image"),
		  "exit, image kept: %s", out);
	unlink(path);

	th_case("not_snnc_layout_bad");	/* every core in phase 0: one "layer" of mixed cores */
	snn_image img;
	snn_diag d;
	snprintf(path, sizeof path, "%s/phases.cfg", dir);
	if (th_expect(snn_image_read_file(image, &img, &d) == 0, "%s", d.msg)) {
		for (uint32_t k = 0; k < img.cfg.global[SNN_G_N_CORES]; k++)
			img.cfg.core[k].reg[SNN_R_PHASE] = 0;
		if (snn_image_write_file(&img, path, &d) == 0)
			th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, path, model) == 1 &&
					  strstr(out, "phases.cfg") && strstr(out, "core 1") && !exists(model),
				  "%s", out);
		else
			printf("  not_snnc_layout: the writer refuses the image (%s)\n", d.msg);
		snn_image_free(&img);
	}
	unlink(path);

	th_case("inexpressible_image_warns");	/* a route snnc would not write */
	snprintf(path, sizeof path, "%s/route.cfg", dir);
	if (th_expect(snn_image_read_file(image, &img, &d) == 0, "%s", d.msg)) {
		img.cfg.core[0].route[0].dy = 1;
		if (th_expect(snn_image_write_file(&img, path, &d) == 0, "%s", d.msg))
			th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, path, model) == 0 &&
					  strstr(out, "warning") && strstr(out, "ROUTES") && exists(model),
				  "%s", out);
		snn_image_free(&img);
	}
	unlink(path);
	unlink(model);

	th_case("output_dir_missing_bad");
	snprintf(path, sizeof path, "%s/nodir/m.onnx", dir);
	th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, image, path) == 1 && strstr(out, "nodir"),
		  "%s", out);

	th_case("compile_options_refused_bad");
	th_expect(run_cmd(out, sizeof out, "%s decompile %s -o %s --calib %s", snnc, image, model,
			  calib_of("mlp")) == 1 && strstr(out, "decompile takes") && !exists(model),
		  "%s", out);

	th_case("quantised_with_calib_bad");
	int rc = run_cmd(out, sizeof out, "%s decompile %s -o %s", snnc, image, model);
	snprintf(path, sizeof path, "%s/again.cfg", dir);
	th_expect(rc == 0 && run_cmd(out, sizeof out, "%s %s -o %s --calib %s", snnc, model, path, calib_of("mlp")) == 1 &&
			  strstr(out, "quantised ONNX-SNN") && strstr(out, "--calib") && !exists(path),
		  "%s", out);
	th_case("quantised_with_steps_bad");
	th_expect(run_cmd(out, sizeof out, "%s %s -o %s -T 9", snnc, model, path) == 1 && strstr(out, "--steps") &&
			  !exists(path),
		  "%s", out);

	th_case("quantised_convert_bad");
	th_expect(run_cmd(out, sizeof out, "%s convert %s -o %s", snnc, model, path) == 1 &&
			  strstr(out, "quantised ONNX-SNN") && !exists(path),
		  "%s", out);

	th_case("quantised_eval_and_info");
	th_expect(run_cmd(out, sizeof out, "%s eval %s --images " FIXTURES "/mnist-test100-images-idx3-ubyte.gz "
			  "--labels " FIXTURES "/mnist-test100-labels-idx1-ubyte.gz", snnc, model) == 0 &&
			  strstr(out, "float accuracy") &&
			  run_cmd(out, sizeof out, "%s info %s", snnc, model) == 0 && strstr(out, "ONNX-SNN"),
		  "%s", out);

	th_case("quantised_missing_threshold_bad");
	if (have_onnx) {
		snprintf(path, sizeof path, "%s/edited.onnx", dir);
		rc = run_cmd(out, sizeof out, PY " -c '\n"
			     "import sys, onnx\nm = onnx.load(sys.argv[1])\n"
			     "n = [n for n in m.graph.node if n.domain == \"snn\"][0]\n"
			     "keep = [a for a in n.attribute if a.name != \"threshold\"]\n"
			     "del n.attribute[:]\nn.attribute.extend(keep)\n"
			     "onnx.save(m, sys.argv[2])' %s %s", model, path);
		th_expect(rc == 0 && run_cmd(out, sizeof out, "%s %s -o %s/e.cfg", snnc, path, dir) == 1 &&
				  strstr(out, "edited.onnx") && strstr(out, "threshold"),
			  "%s", out);
		unlink(path);
	}

	th_case("quantised_retarget");
	snprintf(path, sizeof path, "%s/l1.cfg", dir);
	char l1[700], l1ice[700];
	snprintf(l1, sizeof l1, "%s/l1.snn.onnx", dir);
	snprintf(l1ice, sizeof l1ice, "%s/l1.ice.cfg", dir);
	rc = run_cmd(out, sizeof out, "%s " FIXTURES "/lenet1.onnx -o %s --calib %s && %s decompile %s -o %s && "
		     "%s %s -o %s --target icebreaker", snnc, path, calib_of("lenet1"), snnc, path, l1, snnc, l1, l1ice);
	th_expect(rc == 0 && run_cmd(out, sizeof out, "grep -a -c target=icebreaker %s", l1ice) == 0,
		  "a quantised model maps onto another target: %s", out);
	unlink(path);
	unlink(l1);
	unlink(l1ice);
	unlink(image);
	unlink(model);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	if (!mkdtemp(dir))
		return 1;
	have_onnx = run_cmd(out, sizeof out, PY " -c 'import onnx'") == 0;
	help_and_bad_inputs();
	fixtures();
	options();
	lif();
	rmdir(dir);
	return th_done("test_decompile");
}
