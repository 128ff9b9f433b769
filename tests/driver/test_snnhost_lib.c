/* The snnhost library's calls on the in-process golden device: raw event
 * runs against the golden simulator driven directly (sim/sim.c, the
 * independent reference), neuron state read-back, counters, the
 * pre-load checks with both sides named, the error table, interrupts, and
 * calls out of order. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "cmd.h"
#include "snn/config.h"
#include "snn/encode.h"
#include "snn/readout.h"
#include "snn/sim.h"
#include "snnhost.h"
#include "local_link.h"
#include "snn/protocol.h"
#include "transport.h"

static char dir[] = "/tmp/snnhost_lib.XXXXXX";

typedef struct evlist {
	uint32_t *idx, n;
} evlist;

static void push(void *ctx, uint32_t index)
{
	evlist *l = ctx;
	l->idx[l->n++] = index;
}

static void count_out(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	const void **c = ctx;
	const snn_output_index *ix = c[0];
	uint32_t *counts = (uint32_t *)c[1];
	int32_t k = snn_output_lookup(ix, core, neuron);
	if (k >= 0)
		counts[k]++;
}

/* T steps of the sample enc was started on: its events into l, each
 * step's first in start[t] (start[T] the end), and into the reference
 * simulator, whose outputs go to out with ctx. */
static void encode_and_run(snn_encoder *enc, snn_sim *sim, evlist *l, uint32_t *start, uint32_t T,
			   snn_output_fn out, void *ctx)
{
	for (uint32_t t = 0; t < T; t++) {
		start[t] = l->n;
		snn_encoder_step(enc, push, l);
		for (uint32_t i = start[t]; i < l->n; i++)
			snn_sim_input(sim, l->idx[i]);
		snn_sim_step(sim, out, NULL, ctx);
	}
	start[T] = l->n;
}

typedef struct batch {
	uint32_t cls[8];
	size_t n;
	int32_t mem0[8];
} batch;

static void on_batch(void *ctx, size_t k, const snnhost_sample *s)
{
	batch *b = ctx;
	if (k == b->n && k < 8) {
		b->cls[k] = s->cls;
		b->mem0[k] = s->membranes[0];
		b->n++;
	}
}

/* A device built without the on-device encoder answers PIXELS and RUN with
 * OPCODE: here the golden device behind a filter that does so, opened as
 * `sim` through the RTL opener's hook. */
typedef struct noenc_link {
	local_link l;	/* first: the transport */
	transport *inner;
	snn_decoder dec;
} noenc_link;

static int noenc_write(transport *t, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	noenc_link *n = (noenc_link *)t;
	uint8_t out[SNN_FRAME_MAX], back[4096];
	for (size_t at = 0, used; at < len; at += used) {
		snn_frame f;
		if (snn_decoder_feed(&n->dec, data + at, len - at, &used, &f) != SNN_DECODE_FRAME)
			continue;
		if (f.op == SNN_OP_PIXELS || f.op == SNN_OP_RUN) {
			uint8_t err[4] = {SNN_LERR_OPCODE, f.op, 0, 0};
			snnhost_local_tx(&n->l, out, (size_t)snn_frame_encode(SNN_OP_ERROR, f.seq, err, 4, out));
			continue;
		}
		int rc = n->inner->ops->write(n->inner, out,
					      (size_t)snn_frame_encode(f.op, f.seq, f.payload, f.len, out),
					      timeout_ms);
		if (rc)
			return rc;
		size_t got;	/* the golden device answers inside write: keep the order */
		while (n->inner->ops->read(n->inner, back, sizeof back, &got, 0) == 0 && got)
			snnhost_local_tx(&n->l, back, got);
	}
	return 0;
}

static void noenc_close(transport *t)
{
	noenc_link *n = (noenc_link *)t;
	n->inner->ops->close(n->inner);
	snnhost_local_free(&n->l);	/* frees n, its first member */
}

static const transport_ops noenc_ops = {
	.name = "sim", .write = noenc_write, .read = snnhost_local_read, .close = noenc_close,
};

static int noenc_open(const snn_geometry *geo, uint32_t build_id, int top, transport **out, snn_diag *diag)
{
	(void)top;
	noenc_link *n = calloc(1, sizeof *n);
	if (!n)
		return snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
	int rc = snnhost_golden_open(geo, build_id, &n->inner, diag);
	if (rc) {
		free(n);
		return rc;
	}
	n->l.t.ops = &noenc_ops;
	snn_decoder_init(&n->dec);
	*out = &n->l.t;
	return 0;
}

/* snnhost_run_sample and _batch on such a device (the auto mode): the host
 * encodes from the first refusal on, with the golden device's results on
 * the same samples; the device mode says why it cannot. */
static void no_device_encoder(const snn_image *img, const snn_idx *images, uint32_t n_in)
{
	th_case("no_device_encoder_host_encodes");
	transport_sim_open_fn saved = snnhost_sim_opener;
	snnhost_sim_opener = noenc_open;
	snnhost_options o = {.geometry = &img->cfg.geo};
	snnhost *old = NULL, *old2 = NULL, *gold = NULL;
	snn_diag d;
	uint32_t n_out = img->io.n_outputs, ca[32];
	if (th_expect(n_out <= 32 && snnhost_open("sim", &o, &old, &d) == 0 &&
			      snnhost_open("sim", &o, &old2, &d) == 0 && snnhost_open("golden", &o, &gold, &d) == 0,
		      "open: %s", d.msg) &&
	    th_expect(snnhost_load(old, img) == 0 && snnhost_load(old2, img) == 0 && snnhost_load(gold, img) == 0,
		      "load: %s / %s", snnhost_last_error(old), snnhost_last_error(gold))) {
		snnhost_sample a, b;
		for (unsigned k = 0; k < 4; k++) {
			const uint8_t *px = images->data + (size_t)k * n_in;
			int ra = snnhost_run_sample(old, px, NULL, &a);
			if (ra == 0)
				memcpy(ca, a.counts, n_out * sizeof *ca);
			int rb = snnhost_run_sample(gold, px, NULL, &b);
			if (!th_expect(ra == 0 && rb == 0, "sample %u: %s / %s", k, snnhost_last_error(old),
				       snnhost_last_error(gold)))
				break;
			th_expect(!a.device_encoded && b.device_encoded && a.cls == b.cls &&
					  a.input_events == b.input_events && !memcmp(ca, b.counts, n_out * sizeof *ca),
				  "sample %u: encoded on the device %d (want 0), class %u against %u", k,
				  a.device_encoded, a.cls, b.cls);
		}
		batch bo = {{0}, 0, {0}}, bg = {{0}, 0, {0}};
		int ro = snnhost_run_batch(old2, images->data, 6, NULL, on_batch, &bo);
		int rg = snnhost_run_batch(gold, images->data, 6, NULL, on_batch, &bg);
		th_expect(ro == 0 && rg == 0 && bo.n == 6 && bg.n == 6 && !memcmp(bo.cls, bg.cls, sizeof bo.cls) &&
				  !memcmp(bo.mem0, bg.mem0, sizeof bo.mem0),
			  "batch of 6 after a refused first sample: %s", snnhost_last_error(old2));
		snnhost_run_options dev = {.encoding = -1, .mode = SNNHOST_MODE_DEVICE};
		int rd = snnhost_run_sample(old, images->data, &dev, &a);
		th_expect(rd == SNNHOST_ERROR_DEVICE && strstr(snnhost_last_error(old), "OPCODE"),
			  "device mode on a device without the encoder: %s: %s", snnhost_error_name(rd),
			  snnhost_last_error(old));
	}
	snnhost_close(old);
	snnhost_close(old2);
	snnhost_close(gold);
	snnhost_sim_opener = saved;
}

/* A small network for rtl/snn_top.v's "main" build (rtl/mk/cmd.mk):
 * 1x4x4 input -> 10 dense neurons -> host, spike-count readout. */
static const snn_geometry geo_top = {
	.n_cores = 4, .neurons_per_core = 320, .axons_per_core = 64,
	.synapse_words = 10240, .weight_bits = 8, .membrane_bits = 16,
	.bias_bits = 12, .routes_per_core = 4, .input_routes = 4, .max_phases = 4,
};
#define TOP_BUILD_ID 0x5EED1234u

static bool build_top(snn_image *img)
{
	snn_diag d = {{0}};
	if (snn_image_init(img, &geo_top, &d))
		return th_expect(false, "image: %s", d.msg);
	snn_config *cfg = &img->cfg;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 4;
	cfg->global[SNN_G_INPUT_W] = 4;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = 16};
	uint32_t *g = cfg->core[0].reg;
	g[SNN_R_MODE] = SNN_MODE_DENSE;
	g[SNN_R_N_NEURONS] = 10;
	g[SNN_R_N_AXONS] = 16;
	g[SNN_R_THRESHOLD] = 60;
	g[SNN_R_LEAK] = 16;
	g[SNN_R_RESET] = SNN_RESET_SUBTRACT;
	g[SNN_R_V_INIT] = 0;
	g[SNN_R_FLAGS] = SNN_F_SPIKING;
	g[SNN_R_IN_C] = 1;
	g[SNN_R_IN_H] = 4;
	g[SNN_R_IN_W] = 4;
	g[SNN_R_SYN_COUNT] = 160;
	g[SNN_R_ROUTE_COUNT] = 1;
	uint64_t r = 7;
	for (unsigned i = 0; i < 160; i++)
		cfg->core[0].syn[i] = (int16_t)(snn_splitmix64(&r) % 61) - 20;
	for (unsigned i = 0; i < 10; i++)
		cfg->core[0].bias[i] = (int32_t)(snn_splitmix64(&r) % 9) - 4;
	cfg->core[0].route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = 10};
	img->io.encoding = SNN_ENC_RATE;
	img->io.steps = 12;
	img->io.readout = SNN_READOUT_SPIKES;
	img->io.n_outputs = 10;
	img->io.outputs = calloc(10, sizeof *img->io.outputs);
	if (!img->io.outputs)
		return false;
	for (uint16_t j = 0; j < 10; j++)
		img->io.outputs[j] = (snn_output_ref){0, j};
	return th_expect(snn_config_validate(cfg, &d) == 0, "top network: %s", d.msg);
}

/* rtl/snn_top.v behind `sim:top`: the whole protocol in RTL, the samples
 * encoded by its rate encoder (PIXELS, RUN); results equal the golden
 * device's. */
static void sim_top(void)
{
	th_case("sim_top_equals_golden");
	snn_image img;
	if (!build_top(&img))
		return;
	snnhost_options o = {.geometry = &geo_top, .build_id = TOP_BUILD_ID, .timeout_ms = 2000};
	snnhost *top = NULL, *gold = NULL;
	snn_diag d;
	int rc = snnhost_open("sim:top", &o, &top, &d);
	if (th_expect(rc == 0, "open sim:top: %s", d.msg) &&
	    th_expect(snnhost_identity_of(top)->kind == SNN_DEVICE_RTL &&
			      snnhost_identity_of(top)->build_id == TOP_BUILD_ID, "sim:top identity") &&
	    th_expect(snnhost_load(top, &img) == 0, "load on sim:top: %s", snnhost_last_error(top)) &&
	    th_expect(snnhost_open("golden", &o, &gold, &d) == 0 && snnhost_load(gold, &img) == 0,
		      "golden: %s", d.msg)) {
		uint8_t px[16];
		uint64_t r = 99, spikes = 0;
		for (unsigned k = 0; k < 6; k++) {
			for (unsigned i = 0; i < 16; i++)
				px[i] = (uint8_t)snn_splitmix64(&r);
			snnhost_sample a, b;
			uint32_t ca[10];
			int ra = snnhost_run_sample(top, px, NULL, &a);
			if (ra == 0)
				memcpy(ca, a.counts, sizeof ca);
			int rb = snnhost_run_sample(gold, px, NULL, &b);
			if (!th_expect(ra == 0 && rb == 0, "sample %u: %s / %s", k, snnhost_last_error(top),
				       snnhost_last_error(gold)))
				break;
			for (unsigned j = 0; j < 10; j++)
				spikes += ca[j];
			th_expect(a.cls == b.cls && !memcmp(ca, b.counts, sizeof ca) &&
					  a.input_events == b.input_events && a.device_encoded &&
					  b.device_encoded,
				  "sample %u: sim:top class %u, golden %u (encoded on the device: %d, %d)",
				  k, a.cls, b.cls, a.device_encoded, b.device_encoded);
		}
		th_expect(spikes > 20, "the network hardly spikes (%llu output spikes): a weak test",
			  (unsigned long long)spikes);
	}
	snnhost_close(top);
	snnhost_close(gold);
	snn_image_free(&img);
}

/* Protocol 3 on a geometry with budgets: LeNet-1 compiled for the
 * iCEBreaker, whose cores sit at their base registers in the golden
 * device's shared memories. snnhost loads it at the bases, reads the
 * output neurons' state at their core's STATE base (snnhost_read_state
 * finds it in the device's registers, a sample's readout in the image's),
 * and both equal the golden simulator's after the same events. */
static void shared_bases(const char *build, const char *imgs, const snn_idx *images)
{
	th_case("state_at_shared_bases");
	char out[8192], cfg[300];
	snn_diag d;
	snn_image img;
	snprintf(cfg, sizeof cfg, "%s/lenet1_ib.cfg", dir);
	if (!th_expect(run_cmd(out, sizeof out, "%s/snnc models/fixtures/lenet1.onnx -o %s --target icebreaker "
			       "--calib %s --calib-limit 20", build, cfg, imgs) == 0, "snnc: %s", out) ||
	    !th_expect(snn_image_read_file(cfg, &img, &d) == 0, "%s", d.msg))
		return;
	uint32_t n_in = img.cfg.global[SNN_G_INPUT_C] * img.cfg.global[SNN_G_INPUT_H] *
			img.cfg.global[SNN_G_INPUT_W], T = 8;
	uint32_t *idx = malloc((size_t)n_in * T * sizeof *idx), start[9];
	snn_sim *sim = NULL;
	snn_encoder enc;
	snnhost *h = NULL;
	bool enc_ok = snn_encoder_init(&enc, SNN_ENC_RATE, n_in) == 0;
	if (th_expect(idx && enc_ok && snn_sim_create(&img.cfg, &sim, &d) == 0, "reference: %s", d.msg) &&
	    th_expect(snnhost_open("golden:icebreaker", NULL, &h, &d) == 0, "open: %s", d.msg) &&
	    th_expect(snnhost_load(h, &img) == 0, "load: %s", snnhost_last_error(h))) {
		evlist l = {idx, 0};
		snn_encoder_start(&enc, images->data, 0);
		encode_and_run(&enc, sim, &l, start, T, NULL, NULL);
		snnhost_sample s;
		int rc = snnhost_run_events(h, T, idx, start, &s);
		const snn_output_ref *o0 = &img.io.outputs[0];
		uint32_t base = (uint32_t)snn_region_base(&img.cfg.geo, img.cfg.core[o0->core].reg,
							  SNN_REGION_STATE);
		bool same = rc == 0 && base > 0;
		for (uint32_t j = 0; same && j < img.io.n_outputs; j++) {
			int32_t v, sv;
			uint32_t r, sr;
			const snn_output_ref *o = &img.io.outputs[j];
			snn_sim_get_state(sim, o->core, o->neuron, &sv, &sr);
			same = snnhost_read_state(h, o->core, o->neuron, 1, &v, &r) == 0 && v == sv &&
			       r == sr && s.membranes[j] == sv;
		}
		th_expect(same, "output core %u at STATE word %u: state or readout differ from the "
			  "simulator (%s)", o0->core, base, snnhost_last_error(h));
	}
	snnhost_close(h);
	snn_sim_free(sim);
	if (enc_ok)
		snn_encoder_free(&enc);
	free(idx);
	snn_image_free(&img);
}

int main(void)
{
	snnhost_enable_sim();
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	const char *imgs = "models/fixtures/mnist-test100-images-idx3-ubyte.gz";
	char out[8192], cfg[300];
	snn_diag d;
	if (!mkdtemp(dir))
		return 1;

	th_case("error_table");
	bool names_ok = true;
	for (int c = 0; c >= SNNHOST_ERROR_INPUT; c--)
		for (int k = c - 1; k >= SNNHOST_ERROR_INPUT; k--)
			names_ok &= strcmp(snnhost_error_name(c), snnhost_error_name(k)) != 0;
	for (int c = 0; c >= SNNHOST_ERROR_INPUT; c--)
		names_ok &= strncmp(snnhost_error_name(c), "SNNHOST_", 8) == 0 &&
			    strcmp(snnhost_strerror(c), "unknown error code") != 0;
	th_expect(names_ok, "every code has its own name and a message");
	th_expect(!strcmp(snnhost_error_name(-99), "SNNHOST_ERROR_UNKNOWN"), "unknown code name");

	th_case("bad_specs");
	static const char *const bad[] = {"", "gold", "golden:nope", "sim:x", "usb", "usbx",
					  "usb:", "usb:12345:1", "usb:0403", "toaster"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snnhost *h = NULL;
		int rc = snnhost_open(bad[i], NULL, &h, &d);
		th_expect(rc == SNNHOST_ERROR_ARG && !h && d.msg[0], "'%s': %s %s", bad[i],
			  snnhost_error_name(rc), d.msg);
	}

	snprintf(cfg, sizeof cfg, "%s/lenet1.cfg", dir);
	th_case("setup");
	snn_image img;
	snn_idx images;
	if (!th_expect(run_cmd(out, sizeof out, "%s/snnc models/fixtures/lenet1.onnx -o %s --calib %s "
			       "--calib-limit 50", build, cfg, imgs) == 0, "snnc: %s", out) ||
	    !th_expect(snn_image_read_file(cfg, &img, &d) == 0, "%s", d.msg) ||
	    !th_expect(snn_idx_read(imgs, &images, &d) == 0, "%s", d.msg))
		return th_done("test_snnhost_lib");

	th_case("run_before_load_bad");
	snnhost_options o = {.geometry = &img.cfg.geo};
	snnhost *h;
	if (!th_expect(snnhost_open("golden", &o, &h, &d) == 0, "open: %s", d.msg))
		return th_done("test_snnhost_lib");
	snnhost_sample s;
	int rc = snnhost_run_sample(h, images.data, NULL, &s);
	th_expect(rc == SNNHOST_ERROR_STATE && strstr(snnhost_last_error(h), "no image loaded"),
		  "%s: %s", snnhost_error_name(rc), snnhost_last_error(h));

	th_case("invalid_image_bad");
	img.cfg.core[0].reg[SNN_R_THRESHOLD] = 0;	/* thresholds are 1 .. vmax */
	rc = snnhost_load(h, &img);
	th_expect(rc == SNNHOST_ERROR_INPUT && strstr(snnhost_last_error(h), "invalid"),
		  "%s: %s", snnhost_error_name(rc), snnhost_last_error(h));
	snnhost_close(h);
	snn_image_free(&img);
	snn_image_read_file(cfg, &img, &d);

	th_case("geometry_mismatch_bad");
	rc = snnhost_open("golden:icebreaker", NULL, &h, &d);
	if (th_expect(rc == 0, "open: %s", d.msg)) {
		rc = snnhost_load(h, &img);
		th_expect(rc == SNNHOST_ERROR_MISMATCH && strstr(snnhost_last_error(h), "'sim'") &&
				  strstr(snnhost_last_error(h), "'icebreaker'"),
			  "%s: %s", snnhost_error_name(rc), snnhost_last_error(h));
		snnhost_close(h);
	}

	/* The reference: the golden simulator driven directly, the same
	 * rate-coded events, reset between samples as snnsim does. */
	th_case("events_equal_simulator");
	snn_sim *sim;
	snn_output_index ix;
	uint32_t n_in = img.cfg.global[SNN_G_INPUT_C] * img.cfg.global[SNN_G_INPUT_H] *
			img.cfg.global[SNN_G_INPUT_W], n_out = img.io.n_outputs, T = 10;
	snn_encoder enc;
	uint32_t *idx = malloc((size_t)n_in * T * sizeof *idx), start[11];
	uint32_t counts[32];
	if (!th_expect(snn_sim_create(&img.cfg, &sim, &d) == 0 && snn_output_index_init(&ix, &img) == 0 &&
			       snn_encoder_init(&enc, SNN_ENC_RATE, n_in) == 0 && idx && n_out <= 32,
		       "reference: %s", d.msg))
		return th_done("test_snnhost_lib");
	rc = snnhost_open("golden", &o, &h, &d);
	if (th_expect(rc == 0, "open: %s", d.msg) &&
	    th_expect(snnhost_load(h, &img) == 0, "load: %s", snnhost_last_error(h))) {
		for (unsigned k = 0; k < 5; k++) {
			evlist l = {idx, 0};
			snn_encoder_start(&enc, images.data + (size_t)k * n_in, 0);
			snn_sim_reset(sim);
			memset(counts, 0, sizeof counts);
			const void *cc[2] = {&ix, counts};
			encode_and_run(&enc, sim, &l, start, T, count_out, cc);
			rc = snnhost_run_events(h, T, idx, start, &s);
			if (!th_expect(rc == 0, "sample %u: %s", k, snnhost_last_error(h)))
				break;
			bool same = s.input_events == l.n;
			for (uint32_t j = 0; j < n_out; j++) {
				int32_t v;
				uint32_t ref;
				snn_sim_get_state(sim, img.io.outputs[j].core, img.io.outputs[j].neuron, &v, &ref);
				same &= s.counts[j] == counts[j] && s.membranes[j] == v;
			}
			th_expect(same && s.device_encoded == 0,
				  "sample %u: counts, membranes or input events differ from the simulator", k);
			/* the same sample encoded on the device */
			snnhost_run_options ro = {.steps = T, .encoding = SNN_ENC_RATE,
						  .mode = SNNHOST_MODE_DEVICE};
			uint32_t cls = s.cls;
			rc = snnhost_run_sample(h, images.data + (size_t)k * n_in, &ro, &s);
			th_expect(rc == 0 && s.cls == cls && s.device_encoded == 1 && s.input_events == l.n,
				  "sample %u on the device: %s", k, snnhost_last_error(h));
		}
		th_case("state_and_counters");
		int32_t v[4];
		uint32_t refr[4];
		const snn_output_ref *o0 = &img.io.outputs[0];
		rc = snnhost_read_state(h, o0->core, o0->neuron, 4, v, refr);
		int32_t sv;
		uint32_t sr;
		snn_sim_get_state(sim, o0->core, o0->neuron, &sv, &sr);
		th_expect(rc == 0 && v[0] == sv && refr[0] == sr, "state: %d/%u vs %d/%u (%s)", v[0],
			  refr[0], sv, sr, snnhost_last_error(h));
		uint64_t ctr[SNN_CTR_COUNT];
		rc = snnhost_counters(h, ctr);
		th_expect(rc == 0 && ctr[SNN_CTR_STEPS] == 10u * T, "steps %llu, want %u",
			  (unsigned long long)ctr[SNN_CTR_STEPS], 10u * T);
		th_expect(snnhost_read_state(h, 4095, 0, 1, v, NULL) == SNNHOST_ERROR_DEVICE &&
				  strstr(snnhost_last_error(h), "ADDRESS"),
			  "state outside the map: %s", snnhost_last_error(h));
		th_expect(snnhost_reset(h, 7) == SNNHOST_ERROR_ARG, "reset level 7 accepted");

		th_case("batch_equals_one_at_a_time");	/* pipelined: two samples in flight */
		batch b = {{0}, 0, {0}};
		rc = snnhost_run_batch(h, images.data, 8, &(snnhost_run_options){.steps = T, .encoding = -1},
				       on_batch, &b);
		bool same = rc == 0 && b.n == 8;
		for (unsigned k = 0; same && k < 8; k++) {
			snnhost_run_options ro = {.steps = T, .encoding = -1};
			same = snnhost_run_sample(h, images.data + (size_t)k * n_in, &ro, &s) == 0 &&
			       s.cls == b.cls[k] && s.membranes[0] == b.mem0[k] && s.device_encoded;
		}
		th_expect(same, "batch of 8: rc %d, %zu samples: %s", rc, b.n, snnhost_last_error(h));
		th_case("interrupt");
		snnhost_interrupt(h);
		rc = snnhost_run_sample(h, images.data, NULL, &s);
		th_expect(rc == SNNHOST_ERROR_INTERRUPTED, "after interrupt: %s", snnhost_error_name(rc));
		rc = snnhost_run_sample(h, images.data, NULL, &s);
		th_expect(rc == 0, "the handle works again after an interrupt: %s", snnhost_last_error(h));

		th_case("stats");
		snnhost_stats st;
		snnhost_get_stats(h, &st);
		th_expect(st.bytes_out > 0 && st.bytes_in > 0 && st.requests > 10, "stats %llu %llu %llu",
			  (unsigned long long)st.bytes_out, (unsigned long long)st.bytes_in,
			  (unsigned long long)st.requests);
		snnhost_close(h);
	}
	no_device_encoder(&img, &images, n_in);
	shared_bases(build, imgs, &images);
	free(idx);
	snn_encoder_free(&enc);
	snn_output_index_free(&ix);
	snn_sim_free(sim);
	snn_image_free(&img);
	snn_idx_free(&images);
	sim_top();
	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_snnhost_lib");
}
