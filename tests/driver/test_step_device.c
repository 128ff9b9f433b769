/* The step-3 device: the iCEBreaker core's DEVICE = 4 (no engine: the
 * time step as a program, rtl/fw/step.c, over the line add, the sweep and
 * the spike scan behind rtl/snn_step_io.v), Verilated behind its UART bit
 * by bit (sim:uart, build id 2), against the golden device. The MLP
 * 784-128-10, LeNet-1 and LeNet-5 compiled for the iCEBreaker by snnc,
 * MNIST digits encoded on the device (PIXELS, RUN: its rate encoder) and
 * by the host (INPUT, STEP): each sample's class, output spike counts and
 * membranes, then every neuron's state of every core and the counters
 * (steps, synaptic operations, spikes, events in and out) equal.
 * SNN_TEST_LONG=1: more digits, at T = 32. The step program is slow
 * (docs/rtl.md, "Step 3, built": LeNet-5 is 10^8 cycles a digit), so
 * the short run is few digits at small T. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../cli/run_cmd.h"
#include "snn/config.h"
#include "snn/encode.h"
#include "snn/image.h"
#include "snn/protocol.h"
#include "snnhost.h"
#include "transport.h"

#define STEP_BUILD_ID 2u	/* rtl/mk/step.mk's RTL_STEP_BUILD_ID */

static char dir[] = "/tmp/snn_step_dev.XXXXXX";

/* Every neuron of every core in use, both devices' state. */
static bool same_state(snnhost *a, snnhost *b, const snn_config *cfg, const char *name)
{
	enum { CHUNK = 256 };
	int32_t va[CHUNK], vb[CHUNK];
	uint32_t ra[CHUNK], rb[CHUNK];
	for (unsigned c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		uint32_t n = cfg->core[c].reg[SNN_R_N_NEURONS];
		if (cfg->core[c].reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		for (uint32_t at = 0; at < n; at += CHUNK) {
			unsigned k = n - at < CHUNK ? n - at : CHUNK;
			int x = snnhost_read_state(a, c, at, k, va, ra), y = snnhost_read_state(b, c, at, k, vb, rb);
			if (!th_expect(x == 0 && y == 0, "%s: read state: %s / %s", name, snnhost_last_error(a),
				       snnhost_last_error(b)))
				return false;
			for (unsigned i = 0; i < k; i++)
				if (!th_expect(va[i] == vb[i] && ra[i] == rb[i],
					       "%s: core %u neuron %u: v %d ref %u, golden v %d ref %u", name, c,
					       at + i, va[i], ra[i], vb[i], rb[i]))
					return false;
		}
	}
	return true;
}

static void one_net(const char *build, const char *imgs, const snn_idx *images, const char *name,
		    unsigned samples, uint32_t steps)
{
	th_case("%s", name);
	char out[8192], cfg[300];
	snn_diag d;
	snn_image img;
	snprintf(cfg, sizeof cfg, "%s/%s.cfg", dir, name);
	if (!th_expect(run_cmd(out, sizeof out, "%s/snnc models/fixtures/%s.onnx -o %s --target icebreaker "
			       "--calib %s --calib-limit 20", build, name, cfg, imgs) == 0, "snnc: %s", out) ||
	    !th_expect(snn_image_read_file(cfg, &img, &d) == 0, "%s", d.msg))
		return;
	snnhost_options o = {.geometry = &img.cfg.geo, .build_id = STEP_BUILD_ID, .timeout_ms = 600000};
	snnhost *dev = NULL, *gold = NULL;
	if (!th_expect(snnhost_open("sim:uart", &o, &dev, &d) == 0, "open sim:uart: %s", d.msg) ||
	    !th_expect(snnhost_identity_of(dev)->build_id == STEP_BUILD_ID, "the model answering is build %u",
		       snnhost_identity_of(dev)->build_id) ||
	    !th_expect(snnhost_open("golden", &o, &gold, &d) == 0, "open golden: %s", d.msg) ||
	    !th_expect(snnhost_load(dev, &img) == 0, "load on the step device: %s", snnhost_last_error(dev)) ||
	    !th_expect(snnhost_load(gold, &img) == 0, "load on golden: %s", snnhost_last_error(gold)))
		goto out;
	uint32_t n_in = img.cfg.global[SNN_G_INPUT_C] * img.cfg.global[SNN_G_INPUT_H] *
			img.cfg.global[SNN_G_INPUT_W];
	uint64_t out_spikes = 0, membranes_set = 0;
	for (unsigned k = 0; k < samples; k++) {
		/* the last sample's spikes by the host, the others by the device */
		int mode = k + 1 == samples ? SNNHOST_MODE_HOST : SNNHOST_MODE_DEVICE;
		snnhost_run_options ro = {.steps = steps, .encoding = SNN_ENC_RATE, .mode = mode};
		snnhost_sample a, b;
		uint32_t ca[16], ma[16];
		const uint8_t *px = images->data + (size_t)k * n_in;
		int ra = snnhost_run_sample(dev, px, &ro, &a);
		if (ra == 0 && img.io.n_outputs <= 16) {
			memcpy(ca, a.counts, img.io.n_outputs * sizeof *ca);
			memcpy(ma, a.membranes, img.io.n_outputs * sizeof *ma);
		}
		int rb = snnhost_run_sample(gold, px, &ro, &b);
		if (!th_expect(ra == 0 && rb == 0 && img.io.n_outputs <= 16, "sample %u: %s / %s", k,
			       snnhost_last_error(dev), snnhost_last_error(gold)))
			goto out;
		bool same = a.cls == b.cls && a.input_events == b.input_events &&
			    a.device_encoded == (mode == SNNHOST_MODE_DEVICE);
		for (uint32_t j = 0; j < img.io.n_outputs; j++) {
			same &= ca[j] == b.counts[j] && (int32_t)ma[j] == b.membranes[j];
			out_spikes += ca[j];
			membranes_set += ma[j] != 0;
		}
		if (!th_expect(same, "sample %u (%s): class %u, golden %u; input events %llu, golden %llu", k,
			       mode == SNNHOST_MODE_HOST ? "host-encoded" : "device-encoded", a.cls, b.cls,
			       (unsigned long long)a.input_events, (unsigned long long)b.input_events))
			goto out;
		if (!same_state(dev, gold, &img.cfg, name))
			goto out;
	}
	uint64_t ca[SNN_CTR_COUNT], cb[SNN_CTR_COUNT];
	if (th_expect(snnhost_counters(dev, ca) == 0 && snnhost_counters(gold, cb) == 0, "counters: %s",
		      snnhost_last_error(dev))) {
		static const unsigned same_ctr[] = {SNN_CTR_STEPS, SNN_CTR_SYNOPS, SNN_CTR_SPIKES,
						    SNN_CTR_EVENTS_IN, SNN_CTR_EVENTS_OUT};
		for (size_t i = 0; i < sizeof same_ctr / sizeof same_ctr[0]; i++)
			th_expect(ca[same_ctr[i]] == cb[same_ctr[i]], "%s: counter %u is %llu, golden %llu", name,
				  same_ctr[i], (unsigned long long)ca[same_ctr[i]],
				  (unsigned long long)cb[same_ctr[i]]);
		printf("  %s: %u digits at T = %u, %llu spikes (%llu of the outputs), %llu synaptic "
		       "operations, %llu cycles stepping (%llu a sample)\n", name, samples, steps,
		       (unsigned long long)ca[SNN_CTR_SPIKES], (unsigned long long)out_spikes,
		       (unsigned long long)ca[SNN_CTR_SYNOPS], (unsigned long long)ca[SNN_CTR_CYCLES],
		       (unsigned long long)(ca[SNN_CTR_CYCLES] / samples));
		/* the readouts are membranes (non-spiking outputs): the network
		 * must spike inside and leave them set */
		th_expect(ca[SNN_CTR_SPIKES] > 100 && membranes_set > 0,
			  "%s: %llu spikes, %llu output membranes set in %u samples: a weak test", name,
			  (unsigned long long)ca[SNN_CTR_SPIKES], (unsigned long long)membranes_set, samples);
	}
out:
	snnhost_close(dev);
	snnhost_close(gold);
	snn_image_free(&img);
}

int main(void)
{
	snnhost_enable_sim();
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	const char *imgs = "models/fixtures/mnist-test100-images-idx3-ubyte.gz";
	bool lng = getenv("SNN_TEST_LONG") != NULL;
	snn_diag d;
	snn_idx images;
	if (!mkdtemp(dir))
		return 1;
	th_case("setup");
	if (th_expect(snn_idx_read(imgs, &images, &d) == 0, "%s", d.msg)) {
		one_net(build, imgs, &images, "mlp128", lng ? 10 : 2, lng ? 32 : 16);
		one_net(build, imgs, &images, "lenet1", lng ? 5 : 2, lng ? 32 : 4);
		one_net(build, imgs, &images, "lenet5", lng ? 3 : 1, lng ? 32 : 4);
		snn_idx_free(&images);
	}
	char out[256];
	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_step_device");
}
