/* snnhost run against snnsim, as a user runs them: compiled fixtures on
 * --device golden, sim and sim:uart (the iCEBreaker's and the ULX3S's
 * designs through their UARTs, bit by bit), every result field that snnsim reports
 * (accuracy, correct, synaptic ops, spikes, input events, confusion
 * matrix) equal; and the CLI's refusals of bad input with exit status and
 * message. snnsim's golden simulator is the independent reference: it runs
 * the network directly, not through the protocol. With SNN_TEST_LONG, cnn
 * on the ULX3S design too: its pool of 895,304 words reaches 567,624 words
 * into the SDRAM (the board's part modelled on its pins, every timing rule
 * checked), loaded through the UART and read back. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "cmd.h"

static char dir[] = "/tmp/snnhost_cli.XXXXXX";
static char snnc[512], snnsim[512], snnhost[512];
static char out[1 << 16], ref[1 << 16];
static const char *imgs = "models/fixtures/mnist-test100-images-idx3-ubyte.gz";
static const char *labels_file = "models/fixtures/mnist-test100-labels-idx1-ubyte.gz";

/* Every field both report must be equal. */
static void same_results(const char *what)
{
	static const char *const keys[] = {"images", "steps", "encoding", "readout", "accuracy",
					   "correct", "sops_per_image", "spikes_per_image",
					   "input_events_per_image", "confusion"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		char a[4096], b[4096];
		bool ok = json_field(ref, keys[k], a, sizeof a) == 0 &&
			  json_field(out, keys[k], b, sizeof b) == 0 && !strcmp(a, b);
		if (!th_expect(ok, "%s: %s differs: snnsim %.200s, snnhost %.200s", what, keys[k],
			       json_field(ref, keys[k], a, sizeof a) ? "(none)" : a,
			       json_field(out, keys[k], b, sizeof b) ? "(none)" : b))
			return;
	}
}

static bool compile(const char *name, const char *target, char *cfg, size_t cap)
{
	snprintf(cfg, cap, "%s/%s%s%s.cfg", dir, name, target ? "_" : "", target ? target : "");
	th_case("compile_%s%s%s", name, target ? "_" : "", target ? target : "");
	return th_expect(run_cmd(out, sizeof out, "%s models/fixtures/%s.onnx -o %s --calib %s "
				 "--calib-limit 50%s%s", snnc, name, cfg, imgs,
				 target ? " --target " : "", target ? target : "") == 0,
			 "snnc: %s", out);
}

/* snnsim [extra_sim] and snnhost run -d device [extra_host] on the same
 * samples; both must exit 0 and agree. */
static void compare(const char *cfg, const char *device, const char *args, const char *extra_sim,
		    const char *extra_host)
{
	int rs = run_cmd(ref, sizeof ref, "%s %s -i %s -l %s %s %s --json -q", snnsim, cfg, imgs,
			 labels_file, args, extra_sim);
	int rh = run_cmd(out, sizeof out, "%s run -d %s -c %s -i %s -l %s %s %s --json -q", snnhost,
			 device, cfg, imgs, labels_file, args, extra_host);
	if (!th_expect(rs == 0 && rh == 0, "exit snnsim %d, snnhost %d: %.300s | %.300s", rs, rh,
		       ref, out))
		return;
	same_results(device);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	snprintf(snnhost, sizeof snnhost, "%s/snnhost", build);
	if (!mkdtemp(dir))
		return 1;
	char mlp[300], lenet1[300], mlp128[300];
	bool have_mlp = compile("mlp", NULL, mlp, sizeof mlp);
	bool have_lenet1 = compile("lenet1", NULL, lenet1, sizeof lenet1);
	bool have_mlp128 = compile("mlp128", "icebreaker", mlp128, sizeof mlp128);
	char lenet1_ib[300], lenet1_ux[300];
	bool have_lenet1_ib = compile("lenet1", "icebreaker", lenet1_ib, sizeof lenet1_ib);
	bool have_lenet1_ux = compile("lenet1", "ulx3s", lenet1_ux, sizeof lenet1_ux);

	if (have_mlp) {
		th_case("mlp_golden_device_encoded");	/* PIXELS and RUN */
		compare(mlp, "golden", "", "", "");
		th_expect(strstr(out, "\"encode\": \"device\"") != NULL, "not encoded on the device: %s", out);
		th_case("mlp_golden_host_encoded");	/* INPUT and STEP */
		compare(mlp, "golden", "-n 30 -T 20", "", "--encode host");
		th_expect(strstr(out, "\"encode\": \"host\"") != NULL, "not encoded on the host: %s", out);
		th_case("mlp_golden_poisson");	/* the host's Poisson encoder, seeds per sample */
		compare(mlp, "golden", "-n 20 -e poisson -s 7", "", "");
		th_case("mlp_sim");	/* the Verilated core array behind the protocol */
		compare(mlp, "sim", "-n 2 -T 12", "--rtl", "");
		th_expect(strstr(out, "\"engine\": \"rtl\"") && json_num(out, "cycles_per_image") ==
				  json_num(ref, "cycles_per_image"),
			  "sim: engine and clock cycles not the RTL's: %.400s | %.400s", out, ref);
	}
	if (have_lenet1) {
		th_case("lenet1_golden");
		compare(lenet1, "golden", "-n 20 -T 16", "", "");
		th_case("lenet1_golden_host_encoded");
		compare(lenet1, "golden", "-n 5 -T 16", "", "--encode host");
	}
	if (have_lenet1_ib) {
		/* The iCEBreaker design (UART, frame codec, command layer, engine)
		 * with the host's serial line modelled bit by bit: the requests
		 * must never overrun its 2 KiB receive queue (the device then
		 * refuses a frame with a CRC error). */
		th_case("lenet1_icebreaker_sim_uart");
		compare(lenet1_ib, "sim:uart", "-n 3 -T 16", "", "--encode host");
		th_expect(strstr(out, "\"device\": \"sim:uart\"") != NULL, "not on sim:uart: %.300s", out);
		/* and the images sent as pixels, encoded by the design (PIXELS, RUN) */
		th_case("lenet1_icebreaker_sim_uart_device_encoded");
		compare(lenet1_ib, "sim:uart", "-n 3 -T 16", "", "");
		th_expect(strstr(out, "\"encode\": \"device\"") != NULL, "not encoded on the device: %.400s",
			  out);
	}
	if (have_lenet1_ux) {
		/* The ULX3S design the same way: its UART at 10 clocks a bit, the
		 * command layer and its engine (eight lanes, the deconv mode). */
		th_case("lenet1_ulx3s_sim_uart_device_encoded");
		compare(lenet1_ux, "sim:uart", "-n 2 -T 16", "", "");
		th_expect(strstr(out, "\"encode\": \"device\"") != NULL, "not encoded on the device: %.400s",
			  out);
		th_case("lenet1_ulx3s_sim_uart_host_encoded");
		compare(lenet1_ux, "sim:uart", "-n 1 -T 16", "", "--encode host");
	}
	if (getenv("SNN_TEST_LONG") && *getenv("SNN_TEST_LONG")) {
		/* issue 10: the ULX3S holds every bundled fixture; cnn's weights
		 * of conv3 and fc and their neuron state are SDRAM lines (docs/rtl.md,
		 * "The pool in SDRAM"). About four minutes: most of it the image's
		 * megabyte through the modelled UART. */
		char cnn_ux[300];
		if (compile("cnn", "ulx3s", cnn_ux, sizeof cnn_ux)) {
			th_case("cnn_ulx3s_sim_uart_load");	/* written, read back, compared */
			int rc = run_cmd(out, sizeof out, "%s load %s -d sim:uart", snnhost, cnn_ux);
			th_expect(rc == 0, "snnhost load: exit %d: %.400s", rc, out);
			th_case("cnn_ulx3s_sim_uart");
			compare(cnn_ux, "sim:uart", "-n 2 -T 8", "", "");
		}
	}
	if (have_mlp128) {
		th_case("mlp128_icebreaker_golden");
		compare(mlp128, "golden", "-n 20", "", "");
		th_case("mlp128_icebreaker_sim");	/* the time-multiplexed engine */
		compare(mlp128, "sim", "-n 1 -T 8", "--rtl", "");
		th_case("mlp128_on_a_sim_profile_device_bad");
		int rc = run_cmd(out, sizeof out, "%s run -d golden:sim -c %s -i %s -l %s -n 1", snnhost,
				 mlp128, imgs, labels_file);
		th_expect(rc == 1 && strstr(out, "'icebreaker'") && strstr(out, "'sim'") &&
				  strstr(out, "n_cores is 16 in the image and 256 on the device"),
			  "a geometry mismatch names both sides, exit 1: %d %s", rc, out);
	}

	/* Refusals: exit status and message. */
	th_case("usage_bad");
	th_expect(run_cmd(out, sizeof out, "%s", snnhost) == 1 && strstr(out, "no command given"),
		  "no command: %s", out);
	th_expect(run_cmd(out, sizeof out, "%s fly", snnhost) == 1 && strstr(out, "unknown command 'fly'"),
		  "unknown command: %s", out);
	th_expect(run_cmd(out, sizeof out, "%s run -d golden -c x.cfg", snnhost) == 1 &&
			  strstr(out, "run needs --config, --images and --labels"),
		  "missing options: %s", out);
	th_expect(run_cmd(out, sizeof out, "%s run -d golden -c x -i y -l z -T 0", snnhost) == 1 &&
			  strstr(out, "--steps takes a whole number"),
		  "bad --steps: %s", out);
	th_case("missing_image_bad");
	th_expect(run_cmd(out, sizeof out, "%s run -d golden -c %s/none.cfg -i %s -l %s", snnhost,
			  dir, imgs, labels_file) == 1 && strstr(out, "none.cfg"),
		  "missing image: %s", out);
	if (have_mlp) {
		th_case("labels_bad");
		th_expect(run_cmd(out, sizeof out, "%s run -d golden -c %s -i %s -l %s", snnhost, mlp,
				  imgs, imgs) == 1 && strstr(out, "one-byte labels"),
			  "images as labels: %s", out);
		th_case("device_spec_bad");
		th_expect(run_cmd(out, sizeof out, "%s run -d toaster -c %s -i %s -l %s", snnhost, mlp,
				  imgs, labels_file) == 1 && strstr(out, "unknown device 'toaster'"),
			  "unknown device: %s", out);
		th_expect(run_cmd(out, sizeof out, "%s info -d usb:xyz", snnhost) == 1 &&
				  strstr(out, "usb:VID:PID"), "bad USB IDs: %s", out);
		th_expect(run_cmd(out, sizeof out, "%s info -d golden:nope", snnhost) == 1 &&
				  strstr(out, "no such profile"), "bad profile: %s", out);
		th_case("no_board_bad");	/* nothing on this machine's USB answers */
		int rc = run_cmd(out, sizeof out, "%s info -d usb:1d50:ffff", snnhost);
		th_expect(rc == 2 && strstr(out, "no such board attached"),
			  "absent board: exit %d: %s", rc, out);
		th_case("load_and_info");
		th_expect(run_cmd(out, sizeof out, "%s load %s -d golden", snnhost, mlp) == 0 &&
				  strstr(out, "written and read back"), "load: %s", out);
		th_expect(run_cmd(out, sizeof out, "%s info -d golden:icebreaker", snnhost) == 0 &&
				  strstr(out, "profile icebreaker") && strstr(out, "ECHO 1024 bytes"),
			  "info: %s", out);
		th_case("text_report");
		th_expect(run_cmd(out, sizeof out, "%s run -d golden -c %s -i %s -l %s -n 10", snnhost,
				  mlp, imgs, labels_file) == 0 && strstr(out, "accuracy") &&
				  strstr(out, "confusion") && strstr(out, "bytes out") &&
				  strstr(out, "latency"), "report: %s", out);
		th_case("ctrl_c");	/* stops between requests, reports what ran, resets */
		int rc2 = run_cmd(out, sizeof out, "timeout --preserve-status -s INT 1 %s run -d golden "
				  "-c %s -i %s -l %s -T 20000 --json", snnhost, mlp, imgs, labels_file);
		th_expect(rc2 == 2 && strstr(out, "interrupted after") &&
				  (strstr(out, "after 0 samples") || strstr(out, "\"images\": ")),
			  "SIGINT: exit %d: %.400s", rc2, out);
		th_case("help");
		th_expect(run_cmd(out, sizeof out, "%s --help", snnhost) == 0 &&
				  strstr(out, "Exit status") && strstr(out, "usb:VID:PID"), "help: %s", out);
	}
	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_snnhost_cli");
}
