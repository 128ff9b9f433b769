/* snnsim --rtl and --cosim on compiled fixtures, as a user runs them: the
 * MLP, LeNet-5 and the residual CNN (branches: routes into one layer with
 * channel offsets, a skip across layers) of models/fixtures compiled by
 * snnc, run on the Verilated
 * core array, and the MLP 784-128-10, LeNet-1 and LeNet-5 compiled for the
 * iCEBreaker and the MLP 784-256-10 and the Fashion-MNIST BN CNN (its
 * conv cores with channel biases, half a pool line a neuron) compiled for
 * the ULX3S on the
 * time-multiplexed engine each board is built as, in lock step with the
 * golden model (every spike, host event
 * and counter at every step, every neuron's state at the end of each
 * sample), and --rtl's report held to the golden run's on the same images.
 * (tests/rtl/test_rtl_array covers random networks and refusals.)
 * SNN_TEST_LONG=1: 20 MLP digits and 5 each of LeNet-1 and LeNet-5 at
 * T = 32 (about 2 minutes). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "run_cmd.h"

static char dir[] = "/tmp/snn_rtl_cli.XXXXXX";

static const char *path_in(const char *name)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

typedef struct net_run {
	const char *name;
	int images, steps;
	const char *target;	/* NULL: the default profile */
	const char *data;	/* the fixtures' test images: NULL MNIST, else this prefix */
} net_run;

int main(void)
{
	/* the icebreaker engine with the processor's random pool accesses
	 * holding it (sim/rtl_model.cpp): still the golden model's spikes */
	setenv("SNN_RTL_CPU_TRAFFIC", "1", 1);
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char snnc[512], snnsim[512];
	snprintf(snnc, sizeof snnc, "%s/snnc", build);
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build);
	if (!mkdtemp(dir))
		return 1;
	static char out[1 << 16], gold[1 << 16];
	const char *fx = "models/fixtures";
	const char *imgs = "models/fixtures/mnist-test100-images-idx3-ubyte.gz";
	const char *labs = "models/fixtures/mnist-test100-labels-idx1-ubyte.gz";

	/* name, images, steps: LeNet-5's conv layers cost about 8 s an image at
	 * T = 8 on the RTL */
	static const net_run quick[] = {{"mlp", 3, 16, NULL, NULL}, {"lenet5", 1, 8, NULL, NULL}, {"resnet", 2, 8, NULL, NULL},
					{"mlp128", 3, 16, "icebreaker", NULL}, {"lenet1", 2, 16, "icebreaker", NULL},
					{"lenet5", 1, 16, "icebreaker", NULL}, {"mlp", 2, 16, "ulx3s", NULL},
					{"fashion_bn", 1, 8, "ulx3s", "fashion"}},
	  full[] = {{"mlp", 20, 32, NULL, NULL}, {"lenet1", 5, 32, NULL, NULL}, {"lenet5", 5, 32, NULL, NULL}, {"resnet", 5, 32, NULL, NULL},
		    {"mlp128", 20, 32, "icebreaker", NULL}, {"lenet1", 10, 32, "icebreaker", NULL},
		    {"lenet5", 5, 32, "icebreaker", NULL}, {"mlp", 10, 32, "ulx3s", NULL}, {"lenet5", 5, 32, "ulx3s", NULL},
		    {"fashion_bn", 3, 32, "ulx3s", "fashion"}};
	bool long_run = getenv("SNN_TEST_LONG") && *getenv("SNN_TEST_LONG");
	const net_run *nets = long_run ? full : quick;
	size_t n_nets = long_run ? sizeof full / sizeof full[0] : sizeof quick / sizeof quick[0];
	for (size_t i = 0; i < n_nets; i++) {
		char cfg[300], name[64], engine[64], imgs_f[300], labs_f[300];
		if (nets[i].data) {	/* the Fashion-MNIST fixtures */
			snprintf(imgs_f, sizeof imgs_f, "%s/%s-test100-images-idx3-ubyte.gz", fx, nets[i].data);
			snprintf(labs_f, sizeof labs_f, "%s/%s-test100-labels-idx1-ubyte.gz", fx, nets[i].data);
		} else {
			snprintf(imgs_f, sizeof imgs_f, "%s", imgs);
			snprintf(labs_f, sizeof labs_f, "%s", labs);
		}
		const char *target = nets[i].target;
		snprintf(name, sizeof name, "%s%s%s", nets[i].name, target ? "_" : "", target ? target : "");
		snprintf(cfg, sizeof cfg, "%s", path_in(name));
		snprintf(engine, sizeof engine, "engine-%s", target ? target : "");
		th_case("%s_compile", name);
		if (!th_expect(run_cmd(out, sizeof out, "%s %s/%s.onnx -o %s --calib %s --calib-limit 50%s%s",
				       snnc, fx, nets[i].name, cfg, imgs_f, target ? " --target " : "",
				       target ? target : "") == 0, "snnc: %s", out))
			continue;
		th_case("%s_cosim", name);
		th_expect(run_cmd(out, sizeof out, "%s %s -i %s -l %s -n %d -T %d --cosim", snnsim,
				  cfg, imgs_f, labs_f, nets[i].images, nets[i].steps) == 0 &&
				  strstr(out, "identical to the golden model") &&
				  (!target || strstr(out, engine)),
			  "snnsim --cosim (the board's images on the engine): %s", out);
		th_case("%s_rtl_matches_golden", name);
		int rg = run_cmd(gold, sizeof gold, "%s %s -i %s -l %s -n %d -T %d --json -q", snnsim,
				 cfg, imgs_f, labs_f, nets[i].images, nets[i].steps);
		int rr = run_cmd(out, sizeof out, "%s %s -i %s -l %s -n %d -T %d --json -q --rtl",
				 snnsim, cfg, imgs_f, labs_f, nets[i].images, nets[i].steps);
		static const char *const keys[] = {"accuracy", "sops_per_image", "spikes_per_image",
						   "input_events_per_image"};
		th_expect(rg == 0 && rr == 0, "exit golden %d, rtl %d: %s", rg, rr, out);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			th_expect(json_number(gold, keys[k]) == json_number(out, keys[k]) &&
					  json_number(out, keys[k]) >= 0,
				  "%s: golden %g, RTL %g", keys[k], json_number(gold, keys[k]),
				  json_number(out, keys[k]));
		th_expect(strstr(out, "\"engine\": \"rtl\"") && json_number(out, "cycles_per_image") > 0,
			  "the RTL run does not report its engine and cycles: %s", out);
	}

	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_snnsim_rtl");
}
