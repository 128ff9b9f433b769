/* Configuration image: round trip, determinism, and rejection of every
 * truncation, every single-bit flip, random damage and invalid content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "../harness.h"
#include "snn/geometry.h"
#include "snn/image.h"
#include "snn/protocol.h"

static const snn_geometry small_geo = {8, 64, 128, 4096, 8, 16, 12, 4, 4, 4, 0, 0, 0, 0, 0, 0};

static uint64_t rng = 12345;
static uint32_t next_u32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Input 1x6x6 -> conv core 0 (2 channels of 3x3, pad 1, 4x4 tile at (1,1)
 * of the 6x6 output) -> dense core 1 (32 axons x 10) -> host. */
static void build_image(snn_image *img)
{
	snn_diag d;
	if (snn_image_init(img, &small_geo, &d))
		abort();
	snn_config *cfg = &img->cfg;
	cfg->global[SNN_G_N_CORES] = 2;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = 6;
	cfg->global[SNN_G_INPUT_W] = 6;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = 36};
	uint32_t *r = cfg->core[0].reg;
	r[SNN_R_MODE] = SNN_MODE_CONV;
	r[SNN_R_THRESHOLD] = 100;
	r[SNN_R_LEAK] = 13;
	r[SNN_R_RESET] = SNN_RESET_SUBTRACT;
	r[SNN_R_REFRACTORY] = 2;
	r[SNN_R_V_INIT] = (uint32_t)-5;
	r[SNN_R_FLAGS] = SNN_F_SPIKING;
	r[SNN_R_IN_C] = 1;
	r[SNN_R_IN_H] = 6;
	r[SNN_R_IN_W] = 6;
	r[SNN_R_POOL] = 1;
	r[SNN_R_KH] = r[SNN_R_KW] = 3;
	r[SNN_R_STRIDE] = 1;
	r[SNN_R_PAD_Y] = r[SNN_R_PAD_X] = 1;
	r[SNN_R_OUT_NC] = 2;
	r[SNN_R_OUT_Y0] = r[SNN_R_OUT_X0] = 1;
	r[SNN_R_OUT_H] = r[SNN_R_OUT_W] = 4;
	r[SNN_R_N_NEURONS] = 32;
	r[SNN_R_SYN_COUNT] = 18;
	r[SNN_R_ROUTE_COUNT] = 1;
	for (int i = 0; i < 18; i++)
		cfg->core[0].syn[i] = (int16_t)((int)(next_u32() % 255) - 127);
	for (int i = 0; i < 32; i++)
		cfg->core[0].bias[i] = (int32_t)(next_u32() % 4095) - 2047;
	cfg->core[0].route[0] = (snn_route){.dest = 1, .src_lo = 0, .src_hi = 32};
	r = cfg->core[1].reg;
	r[SNN_R_MODE] = SNN_MODE_DENSE;
	r[SNN_R_PHASE] = 1;
	r[SNN_R_THRESHOLD] = 300;
	r[SNN_R_N_NEURONS] = 10;
	r[SNN_R_N_AXONS] = 32;
	r[SNN_R_IN_C] = 2;
	r[SNN_R_IN_H] = 4;
	r[SNN_R_IN_W] = 4;
	r[SNN_R_SYN_COUNT] = 320;
	r[SNN_R_ROUTE_COUNT] = 2;
	for (int i = 0; i < 320; i++)
		cfg->core[1].syn[i] = (int16_t)((int)(next_u32() % 256) - 128);
	cfg->core[1].route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = 10};
	cfg->core[1].route[1] = (snn_route){.dest = 1, .src_lo = 2, .src_hi = 5, .dc = -1, .dy = 3, .dx = -2};
	img->io.steps = 20;
	img->io.readout = SNN_READOUT_SPIKES;
	img->io.encoding = SNN_ENC_POISSON;
	img->io.input_scale = 0.5f;
	img->io.input_offset = -0.25f;
	strcpy(img->io.input_name, "pixels");
	strcpy(img->io.output_name, "logits");
	img->io.n_outputs = 10;
	img->io.outputs = calloc(10, sizeof *img->io.outputs);
	for (uint16_t i = 0; i < 10; i++)
		img->io.outputs[i] = (snn_output_ref){1, i};
	snn_image_set_meta(img, "compiler", "test 1");
	snn_image_set_meta(img, "model", "hand-built");
}

static bool same_route(const snn_route *a, const snn_route *b)
{
	return a->dest == b->dest && a->src_lo == b->src_lo && a->src_hi == b->src_hi &&
	       a->dc == b->dc && a->dy == b->dy && a->dx == b->dx;
}

static void compare_images(const snn_image *a, const snn_image *b)
{
	const snn_config *x = &a->cfg, *y = &b->cfg;
	th_expect(!memcmp(&x->geo, &y->geo, sizeof x->geo), "geometry differs");
	th_expect(!memcmp(x->global, y->global, sizeof x->global), "global registers differ");
	for (uint32_t c = 0; c < x->geo.n_cores; c++) {
		th_expect(!memcmp(x->core[c].reg, y->core[c].reg, sizeof x->core[c].reg),
			  "core %u registers differ", c);
		th_expect(!memcmp(x->core[c].bias, y->core[c].bias, x->geo.neurons_per_core * 4),
			  "core %u biases differ", c);
		th_expect(!memcmp(x->core[c].syn, y->core[c].syn, x->geo.synapse_words * 2),
			  "core %u synapses differ", c);
		for (uint32_t i = 0; i < x->geo.routes_per_core; i++)
			th_expect(same_route(&x->core[c].route[i], &y->core[c].route[i]),
				  "core %u route %u differs", c, i);
	}
	for (uint32_t i = 0; i < x->geo.input_routes; i++)
		th_expect(same_route(&x->input_route[i], &y->input_route[i]), "input route %u differs", i);
	th_expect(a->io.steps == b->io.steps && a->io.readout == b->io.readout &&
			  a->io.encoding == b->io.encoding && a->io.input_scale == b->io.input_scale &&
			  a->io.input_offset == b->io.input_offset,
		  "io fields differ");
	th_expect(!strcmp(a->io.input_name, b->io.input_name) &&
			  !strcmp(a->io.output_name, b->io.output_name),
		  "names differ");
	th_expect(a->io.n_outputs == b->io.n_outputs &&
			  !memcmp(a->io.outputs, b->io.outputs, a->io.n_outputs * sizeof *a->io.outputs),
		  "output maps differ");
	th_expect(a->meta && b->meta && !strcmp(a->meta, b->meta), "metadata differs");
}

/* Recompute a section's CRC and the header CRC after patching content, so
 * the semantic checks (not the CRCs) must catch the change. */
static void reseal(uint8_t *b, unsigned section_type)
{
	uint32_t n_sec = snn_get32(b + SNN_IMAGE_SECTIONS_AT);
	for (uint32_t i = 0; i < n_sec; i++) {
		uint8_t *e = b + SNN_IMAGE_HEADER_BYTES + 16 * i;
		if (snn_get32(e) == section_type)
			snn_put32(e + 12, (uint32_t)crc32(0, b + snn_get32(e + 4), snn_get32(e + 8)));
	}
	uLong crc = crc32(0, b, SNN_IMAGE_HEADER_CRC_AT);
	crc = crc32(crc, b + SNN_IMAGE_HEADER_BYTES, n_sec * 16);
	snn_put32(b + SNN_IMAGE_HEADER_CRC_AT, (uint32_t)crc);
}

static size_t section_offset(const uint8_t *b, unsigned type)
{
	for (uint32_t i = 0; i < snn_get32(b + SNN_IMAGE_SECTIONS_AT); i++)
		if (snn_get32(b + SNN_IMAGE_HEADER_BYTES + 16 * i) == type)
			return snn_get32(b + SNN_IMAGE_HEADER_BYTES + 16 * i + 4);
	abort();
}

/* Decode a patched copy and expect a failure whose message contains want. */
static void expect_bad(const uint8_t *good, size_t len, unsigned type, size_t at,
		       uint32_t value, const char *want)
{
	uint8_t *b = malloc(len);
	memcpy(b, good, len);
	snn_put32(b + section_offset(b, type) + at, value);
	reseal(b, type);
	snn_image img;
	snn_diag d = {""};
	int rc = snn_image_decode(b, len, &img, &d);
	if (th_expect(rc != 0, "patched image was accepted (wanted \"%s\")", want))
		th_expect(strstr(d.msg, want) != NULL, "message \"%s\" lacks \"%s\"", d.msg, want);
	else
		snn_image_free(&img);
	free(b);
}

/* Conv taps as lines (docs/geometry.md): where a conv core's weights lie
 * on the iCEBreaker's geometry (8 lanes) and how many accumulators it
 * takes, against values worked out by hand from the layout there; a dense
 * core and a geometry without budgets keep the image's order. */
static void test_taps_as_lines(void)
{
	th_case("taps_as_lines");
	const snn_geometry *ib = &snn_profile_find("icebreaker")->geo, *sim = &snn_profile_find("sim")->geo;
	uint32_t reg[SNN_CORE_REGS] = {0};
	reg[SNN_R_MODE] = SNN_MODE_CONV;
	reg[SNN_R_IN_C] = 2;	/* two taps of a 1 x 1 kernel */
	reg[SNN_R_KH] = reg[SNN_R_KW] = 1;
	reg[SNN_R_OUT_NC] = 3;	/* p = 4: two positions' worth a line */
	reg[SNN_R_OUT_H] = reg[SNN_R_OUT_W] = 4;
	reg[SNN_R_N_NEURONS] = 48;
	static const int64_t nc3[] = {0, 2, 4, -1, 0, 2, 4, -1, 1, 3, 5, -1, 1, 3, 5, -1, -1};
	for (uint64_t o = 0; o < sizeof nc3 / sizeof nc3[0]; o++)
		th_expect(snn_synapse_word_at(ib, reg, o) == nc3[o], "OUT_NC 3: word %llu holds %lld, want %lld",
			  (unsigned long long)o, (long long)snn_synapse_word_at(ib, reg, o), (long long)nc3[o]);
	th_expect(snn_core_acc_slots(ib, reg) == 64, "OUT_NC 3 of 4 x 4: %llu accumulators, want 64",
		  (unsigned long long)snn_core_acc_slots(ib, reg));
	th_expect(snn_synapse_word_at(sim, reg, 1) == 1 && snn_core_acc_slots(sim, reg) == 48,
		  "no budgets: the image's order and N_NEURONS");
	reg[SNN_R_OUT_NC] = 11;	/* two lines a tap, five padding words */
	reg[SNN_R_N_NEURONS] = 176;
	static const int64_t nc11[] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, -1, -1, -1, -1, -1, 1, 3};
	for (uint64_t o = 0; o < sizeof nc11 / sizeof nc11[0]; o++)
		th_expect(snn_synapse_word_at(ib, reg, o) == nc11[o], "OUT_NC 11: word %llu holds %lld, want %lld",
			  (unsigned long long)o, (long long)snn_synapse_word_at(ib, reg, o), (long long)nc11[o]);
	th_expect(snn_core_acc_slots(ib, reg) == 256, "OUT_NC 11 of 4 x 4: %llu accumulators, want 256",
		  (unsigned long long)snn_core_acc_slots(ib, reg));
	reg[SNN_R_OUT_NC] = 1;	/* eight positions a word: 17 take three */
	reg[SNN_R_OUT_H] = 1;
	reg[SNN_R_OUT_W] = 17;
	th_expect(snn_core_acc_slots(ib, reg) == 24, "OUT_NC 1 of 1 x 17: %llu accumulators, want 24",
		  (unsigned long long)snn_core_acc_slots(ib, reg));
	reg[SNN_R_MODE] = SNN_MODE_DENSE;
	th_expect(snn_synapse_word_at(ib, reg, 11) == 11, "a dense core's word 11 moved");
}

int main(void)
{
	snn_image img, back;
	snn_diag d;
	uint8_t *buf, *buf2;
	size_t len, len2;
	build_image(&img);
	test_taps_as_lines();

	th_case("round_trip");
	th_expect(snn_image_encode(&img, &buf, &len, &d) == 0, "encode failed: %s", d.msg);
	th_expect(snn_image_decode(buf, len, &back, &d) == 0, "decode failed: %s", d.msg);
	compare_images(&img, &back);

	th_case("deterministic_bytes");
	th_expect(snn_image_encode(&back, &buf2, &len2, &d) == 0, "re-encode failed: %s", d.msg);
	th_expect(len == len2 && !memcmp(buf, buf2, len), "re-encoded image differs");
	free(buf2);
	snn_image_free(&back);

	th_case("header_layout");
	th_expect(!memcmp(buf, "SNNCFG\r\n", 8), "magic");
	th_expect(snn_get16(buf + 8) == 2 && snn_get16(buf + 10) == 0, "version 2.0");
	th_expect(snn_get32(buf + 12) == len, "total size field %u vs %zu", snn_get32(buf + 12), len);
	th_expect(snn_get32(buf + 16) == small_geo.n_cores && snn_get32(buf + 52) == small_geo.max_phases,
		  "geometry fields at 16..79");
	th_expect(snn_get32(buf + section_offset(buf, SNN_SEC_CORES)) == 2, "CORES starts with N=2");
	th_expect(len % 4 == 0, "file length is a multiple of 4");

	th_case("every_truncation_bad");
	int accepted = 0, silent = 0;
	for (size_t n = 0; n < len; n++) {
		d.msg[0] = '\0';
		if (snn_image_decode(buf, n, &back, &d) == 0) {
			accepted++;
			snn_image_free(&back);
		} else if (!d.msg[0]) {
			silent++;
		}
	}
	th_expect(accepted == 0, "%d truncations accepted", accepted);
	th_expect(silent == 0, "%d truncations rejected without a message", silent);

	th_case("every_bit_flip_bad");
	accepted = silent = 0;
	for (size_t bit = 0; bit < 8 * len; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		d.msg[0] = '\0';
		if (snn_image_decode(buf, len, &back, &d) == 0) {
			accepted++;
			snn_image_free(&back);
		} else if (!d.msg[0]) {
			silent++;
		}
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	th_expect(accepted == 0, "%d single-bit flips accepted", accepted);
	th_expect(silent == 0, "%d flips rejected without a message", silent);

	th_case("random_damage_bad");
	accepted = 0;
	uint8_t *dam = malloc(len + 64);
	for (int trial = 0; trial < 3000; trial++) {
		memcpy(dam, buf, len);
		size_t n = len;
		int kind = (int)(next_u32() % 3);
		if (kind == 0)	/* a burst of random bytes */
			for (uint32_t k = 0, m = 1 + next_u32() % 16; k < m; k++)
				dam[next_u32() % len] = (uint8_t)next_u32();
		else if (kind == 1)	/* trailing junk */
			for (uint32_t k = 0, m = 1 + next_u32() % 64; k < m; k++)
				dam[n++] = (uint8_t)next_u32();
		else	/* a word rewritten at an aligned offset */
			snn_put32(dam + 4 * (next_u32() % (len / 4)), next_u32());
		if (n == len && !memcmp(dam, buf, len))
			continue;
		if (snn_image_decode(dam, n, &back, &d) == 0) {
			accepted++;
			snn_image_free(&back);
		}
	}
	free(dam);
	th_expect(accepted == 0, "%d damaged images accepted", accepted);

	/* Format 2.1: a deconv core makes the minor 1, and only then. */
	th_case("deconv_minor_version");
	img.cfg.core[0].reg[SNN_R_MODE] = SNN_MODE_DECONV;
	if (th_expect(snn_image_encode(&img, &buf2, &len2, &d) == 0, "encode with a deconv core: %s", d.msg)) {
		th_expect(snn_get16(buf2 + 8) == 2 && snn_get16(buf2 + 10) == 1, "version %u.%u, want 2.1",
			  snn_get16(buf2 + 8), snn_get16(buf2 + 10));
		th_expect(snn_image_decode(buf2, len2, &back, &d) == 0, "decode 2.1: %s", d.msg);
		compare_images(&img, &back);
		snn_image_free(&back);
		th_case("deconv_in_version_2_0_bad");
		snn_put16(buf2 + 10, 0);
		reseal(buf2, 0);
		th_expect(snn_image_decode(buf2, len2, &back, &d) != 0 && strstr(d.msg, "offset 0xa") &&
				  strstr(d.msg, "core 0 is one"),
			  "a deconv core in a 2.0 image: \"%s\"", d.msg);
		free(buf2);
	}
	th_case("deconv_pooled_bad");
	img.cfg.core[0].reg[SNN_R_POOL] = 2;
	th_expect(snn_image_encode(&img, &buf2, &len2, &d) != 0 && strstr(d.msg, "core 0: register POOL = 2"),
		  "a pooled deconv core: \"%s\"", d.msg);
	img.cfg.core[0].reg[SNN_R_POOL] = 1;
	img.cfg.core[0].reg[SNN_R_MODE] = SNN_MODE_CONV;

	/* Content that passes the CRCs but breaks the contract. */
	th_case("threshold_zero_bad");
	expect_bad(buf, len, SNN_SEC_CORES, 4 + 4 * SNN_R_THRESHOLD, 0, "core 0: register THRESHOLD = 0");
	th_case("mode_unknown_bad");
	expect_bad(buf, len, SNN_SEC_CORES, 4 + 128 + 4 * SNN_R_MODE, 7, "core 1: register MODE = 7");
	th_case("conv_neuron_count_bad");
	expect_bad(buf, len, SNN_SEC_CORES, 4 + 4 * SNN_R_OUT_H, 5, "core 0");
	th_case("too_many_cores_bad");
	expect_bad(buf, len, SNN_SEC_CORES, 0, 9, "core count 9 exceeds the limit 8");
	th_case("route_to_unused_core_bad");
	expect_bad(buf, len, SNN_SEC_ROUTES, 0, 5, "destination core 5 is not in use");
	th_case("route_range_bad");
	expect_bad(buf, len, SNN_SEC_ROUTES, 8, 33, "source range [0, 33)");
	th_case("weight_too_wide_bad");
	expect_bad(buf, len, SNN_SEC_SYNAPSES, 0, 0x01000100, "exceeds 8 bits");
	th_case("output_neuron_bad");
	expect_bad(buf, len, SNN_SEC_OUTPUT, 44, 1u | 40u << 16, "output 0 refers to core 1 neuron 40");
	th_case("encoding_bad");
	expect_bad(buf, len, SNN_SEC_INPUT, 44, 9, "unknown encoding 9");
	th_case("input_route_bad");
	expect_bad(buf, len, SNN_SEC_INPUT, 68 + 8, 37, "input route 0");
	/* The hand-built image by hand: 32 + 10 neurons, 1 + 2 routes; synapse
	 * words with 2 lanes: conv 2 channels x 1 x 3 x 3 = 18, dense 32 x 10
	 * = 320; with 5 lanes the conv's 2 channels take 5 places: 45 + 320.
	 * With 3 state words: core 0's state at 18 (96 words), core 1's
	 * weights at 114, its state at 435 (434 rounded up to a record, 30
	 * words): 465 in all, 127 of them state. */
	th_case("budgets");
	{
		snn_image bi;
		build_image(&bi);
		snn_geometry *g = &bi.cfg.geo;
		static const struct {
			uint32_t neurons, syn, routes, lanes, state;
			const char *want;	/* NULL: fits */
		} cases[] = {
			{42, 0, 0, 0, 0, NULL},
			{41, 0, 0, 0, 0, "42 neurons, the geometry holds 41 (over by 1)"},
			{0, 0, 3, 0, 0, NULL},
			{0, 0, 2, 0, 0, "3 routes, the geometry holds 2 (over by 1)"},
			{0, 465, 0, 2, 3, NULL},
			{0, 464, 0, 2, 3, "465 synapse words (338 weights, 127 for neuron state), the geometry holds 464 (over by 1)"},
			{0, 365, 0, 5, 0, NULL},
			{0, 364, 0, 5, 0, "365 synapse words"},
			{0, 0, 0, 4, 0, "core 1: dense N_NEURONS 10 is not a multiple of the geometry's 4 lanes"},
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			g->neuron_total = cases[i].neurons;
			g->synapse_total = cases[i].syn;
			g->route_total = cases[i].routes;
			g->lanes = cases[i].lanes;
			g->state_words = cases[i].state;
			snn_config_pack_bases(&bi.cfg);
			int vrc = snn_config_validate(&bi.cfg, &d);
			if (!cases[i].want)
				th_expect(vrc == 0, "budget case %zu should fit: %s", i, d.msg);
			else
				th_expect(vrc != 0 && strstr(d.msg, cases[i].want), "budget case %zu: want '%s', got '%s'",
					  i, cases[i].want, vrc ? d.msg : "accepted");
		}
		/* Bases must be the packing: 2 lanes, 3 state words: core 1's
		 * weights start after core 0's 18 and 96, its state after its 320,
		 * at the next multiple of 3. */
		g->neuron_total = 0;
		g->synapse_total = 1000;
		g->route_total = 0;
		g->lanes = 2;
		g->state_words = 3;
		snn_config_pack_bases(&bi.cfg);
		const uint32_t *r1 = bi.cfg.core[1].reg;
		th_expect(r1[SNN_R_SYN_BASE] == 114 && r1[SNN_R_STATE_BASE] == 435 && r1[SNN_R_NEURON_BASE] == 32 &&
				  r1[SNN_R_ROUTE_BASE] == 1 && bi.cfg.core[0].reg[SNN_R_STATE_BASE] == 18,
			  "packed bases %u %u %u %u", r1[SNN_R_SYN_BASE], r1[SNN_R_STATE_BASE], r1[SNN_R_NEURON_BASE],
			  r1[SNN_R_ROUTE_BASE]);
		/* Format 2.2: the conv core 0 (2 x 1 x 3 x 3 taps, 4 x 4 tile)
		 * carries OUT_H x OUT_W and KH x KW in DERIVED; the dense core 0. */
		th_case("derived_minor_version");
		const uint32_t *r0 = bi.cfg.core[0].reg;
		uint32_t want0 = (r0[SNN_R_OUT_H] * r0[SNN_R_OUT_W]) | (r0[SNN_R_KH] * r0[SNN_R_KW]) << 16;
		th_expect(r0[SNN_R_MODE] == SNN_MODE_CONV && r0[SNN_R_DERIVED] == want0 && want0 != 0 &&
				  r1[SNN_R_DERIVED] == 0,
			  "DERIVED 0x%08x 0x%08x, want 0x%08x 0", r0[SNN_R_DERIVED], r1[SNN_R_DERIVED], want0);
		uint8_t *b3 = NULL;
		size_t n3 = 0;
		snn_image back3;
		if (th_expect(snn_image_encode(&bi, &b3, &n3, &d) == 0, "encode with budgets: %s", d.msg)) {
			th_expect(snn_get16(b3 + 10) == 2, "version 2.%u, want 2.2", snn_get16(b3 + 10));
			size_t at = section_offset(b3, SNN_SEC_CORES) + 4 + 4 * SNN_R_DERIVED;
			th_case("derived_filled_in_version_2_0");
			snn_put16(b3 + 10, 0);
			snn_put32(b3 + at, 0);
			reseal(b3, SNN_SEC_CORES);
			if (th_expect(snn_image_decode(b3, n3, &back3, &d) == 0, "a 2.0 image: %s", d.msg)) {
				th_expect(back3.cfg.core[0].reg[SNN_R_DERIVED] == want0, "DERIVED 0x%08x filled in",
					  back3.cfg.core[0].reg[SNN_R_DERIVED]);
				snn_image_free(&back3);
			}
			th_case("derived_in_version_2_0_bad");
			snn_put32(b3 + at, want0);
			reseal(b3, SNN_SEC_CORES);
			th_expect(snn_image_decode(b3, n3, &back3, &d) != 0 && strstr(d.msg, "offset 0xa") &&
					  strstr(d.msg, "core 0 sets it"),
				  "register 31 in a 2.0 image: \"%s\"", d.msg);
			th_case("derived_bad");
			snn_put16(b3 + 10, 2);
			snn_put32(b3 + at, want0 + 1);
			reseal(b3, SNN_SEC_CORES);
			th_expect(snn_image_decode(b3, n3, &back3, &d) != 0 && strstr(d.msg, "register DERIVED"),
				  "a DERIVED off by one: \"%s\"", d.msg);
			free(b3);
		}
		bi.cfg.core[1].reg[SNN_R_STATE_BASE]++;
		th_expect(snn_config_validate(&bi.cfg, &d) != 0 && strstr(d.msg, "core 1: register STATE_BASE = 436"),
			  "a base off by one: %s", d.msg);
		/* Format 2.3, channel biases (docs/geometry.md): with 4 state
		 * words the conv core 0's 32 neurons take 2 words each, its state
		 * at 20 (18 weights, then the next multiple of 4), core 1's
		 * weights at 84; its BIAS and STATE words behind bit 31. */
		th_case("chan_bias_packing");
		g->state_words = 4;
		snn_core_cfg *k0 = &bi.cfg.core[0];
		uint32_t plane = k0->reg[SNN_R_OUT_H] * k0->reg[SNN_R_OUT_W];
		for (uint32_t n = 0; n < k0->reg[SNN_R_N_NEURONS]; n++)
			k0->bias[n] = n < plane ? 5 : -3;
		k0->reg[SNN_R_FLAGS] |= SNN_F_CHAN_BIAS;
		snn_config_pack_bases(&bi.cfg);
		th_expect(snn_config_validate(&bi.cfg, &d) == 0, "channel biases: %s", d.msg);
		th_expect(k0->reg[SNN_R_STATE_BASE] == 20 && r1[SNN_R_SYN_BASE] == 84,
			  "bases %u %u, want 20 84", k0->reg[SNN_R_STATE_BASE], r1[SNN_R_SYN_BASE]);
		th_expect(snn_region_base(g, k0->reg, SNN_REGION_BIAS) == SNN_CHAN_WINDOW &&
				  snn_region_base(g, k0->reg, SNN_REGION_STATE) == SNN_CHAN_WINDOW + 20,
			  "region bases 0x%llx 0x%llx",
			  (unsigned long long)snn_region_base(g, k0->reg, SNN_REGION_BIAS),
			  (unsigned long long)snn_region_base(g, k0->reg, SNN_REGION_STATE));
		th_expect(snn_core_bias_words(&bi.cfg, 0) == 2 && snn_core_bias_word(&bi.cfg, 0, 0) == 5 &&
				  snn_core_bias_word(&bi.cfg, 0, 1) == -3,
			  "channel words %u: %d %d", snn_core_bias_words(&bi.cfg, 0),
			  snn_core_bias_word(&bi.cfg, 0, 0), snn_core_bias_word(&bi.cfg, 0, 1));
		th_case("chan_bias_unsupported_bad");
		th_expect(snn_config_check_modes(&bi.cfg, SNN_MODES_ICEBREAKER, "the icebreaker profile", &d) != 0 &&
				  strstr(d.msg, "core 0: FLAGS CHAN_BIAS"),
			  "a device without channel biases: \"%s\"", d.msg);
		th_case("chan_bias_minor_version");
		uint8_t *b4 = NULL;
		size_t n4 = 0;
		snn_image back4;
		if (th_expect(snn_image_encode(&bi, &b4, &n4, &d) == 0, "encode with channel biases: %s", d.msg)) {
			th_expect(snn_get16(b4 + 10) == 3, "version 2.%u, want 2.3", snn_get16(b4 + 10));
			th_case("chan_bias_in_version_2_2_bad");
			snn_put16(b4 + 10, 2);
			reseal(b4, SNN_SEC_CORES);
			th_expect(snn_image_decode(b4, n4, &back4, &d) != 0 && strstr(d.msg, "offset 0xa") &&
					  strstr(d.msg, "CHAN_BIAS"),
				  "CHAN_BIAS in a 2.2 image: \"%s\"", d.msg);
			free(b4);
		}
		th_case("chan_bias_not_uniform_bad");
		k0->bias[plane + 5] = 9;
		th_expect(snn_config_validate(&bi.cfg, &d) != 0 &&
				  strstr(d.msg, "core 0: channel 1 (output channel ") &&
				  strstr(d.msg, "neuron 21 has bias 9, the channel's first -3"),
			  "a channel with two biases: \"%s\"", d.msg);
		g->membrane_bits = 25;
		k0->bias[plane + 5] = -3;
		th_case("chan_bias_wide_membrane_bad");
		th_expect(snn_config_validate(&bi.cfg, &d) != 0 && strstr(d.msg, "core 0: FLAGS CHAN_BIAS needs"),
			  "a 25-bit membrane: \"%s\"", d.msg);
		snn_image_free(&bi);
	}

	th_case("accumulator_bound_bad");
	{	/* 65536 source neurons into one core: 65536 x |-32768| = 2^31 overflows,
		 * 65536 x 32767 plus a small bias does not. */
		const snn_geometry wide = {2, 65536, 65536, 65536, 16, 31, 16, 1, 1, 2, 0, 0, 0, 0, 0, 0};
		snn_config cfg;
		th_expect(snn_config_init(&cfg, &wide, &d) == 0, "init: %s", d.msg);
		cfg.global[SNN_G_N_CORES] = 2;
		for (int c = 0; c < 2; c++) {
			uint32_t *r = cfg.core[c].reg;
			r[SNN_R_MODE] = SNN_MODE_DENSE;
			r[SNN_R_PHASE] = (uint32_t)c;
			r[SNN_R_THRESHOLD] = 1;
			r[SNN_R_IN_C] = r[SNN_R_IN_H] = r[SNN_R_IN_W] = 1;
			r[SNN_R_N_AXONS] = 1;
		}
		cfg.core[0].reg[SNN_R_N_NEURONS] = 65536;
		cfg.core[0].reg[SNN_R_SYN_COUNT] = 65536;
		cfg.core[0].reg[SNN_R_ROUTE_COUNT] = 1;
		cfg.core[0].route[0] = (snn_route){.dest = 1, .src_lo = 0, .src_hi = 65536};
		/* 65536 axons, so every event may reach the neuron */
		cfg.core[1].reg[SNN_R_IN_C] = 65535;
		cfg.core[1].reg[SNN_R_N_AXONS] = 65536;
		cfg.core[1].reg[SNN_R_N_NEURONS] = 1;
		cfg.core[1].reg[SNN_R_SYN_COUNT] = 65536;
		cfg.core[1].syn[0] = 32767;
		cfg.core[1].bias[0] = 65535 / 2;
		th_expect(snn_config_validate(&cfg, &d) == 0, "65536 x 32767 + 32767 should fit: %s", d.msg);
		cfg.core[1].syn[0] = -32768;
		th_expect(snn_config_validate(&cfg, &d) != 0 && strstr(d.msg, "core 1") &&
				  strstr(d.msg, "accumulator"),
			  "65536 x 32768 should be refused: %s", d.msg);
		/* A neuron takes one weight per axon: with 1,024 axons the same
		 * route counts 1,024 events, 1024 x 32768 fits. */
		cfg.core[1].reg[SNN_R_N_AXONS] = 1024;
		cfg.core[1].reg[SNN_R_SYN_COUNT] = 1024;
		th_expect(snn_config_validate(&cfg, &d) == 0, "1024 axons x 32768 should fit: %s", d.msg);

		/* A conv neuron takes one weight per input position of its 3x3
		 * window, 2x2 pooled: the route of 65536 counts 36 events. With
		 * 20-bit accumulators (2^19 - 1 = 524287): 36 x 14000 + 1000 fits,
		 * 36 x 14600 + 1000 does not. */
		cfg.geo.acc_bits = 20;
		uint32_t *r = cfg.core[1].reg;
		r[SNN_R_MODE] = SNN_MODE_CONV;
		r[SNN_R_N_AXONS] = 0;
		r[SNN_R_IN_C] = 1;
		r[SNN_R_IN_H] = r[SNN_R_IN_W] = 256;
		r[SNN_R_POOL] = 2;
		r[SNN_R_KH] = r[SNN_R_KW] = 3;
		r[SNN_R_STRIDE] = 1;
		r[SNN_R_OUT_NC] = 1;
		r[SNN_R_OUT_H] = r[SNN_R_OUT_W] = 126;
		r[SNN_R_N_NEURONS] = 126 * 126;
		r[SNN_R_SYN_COUNT] = 9;
		memset(cfg.core[1].syn, 0, 65536 * sizeof *cfg.core[1].syn);
		cfg.core[1].syn[4] = -14000;
		cfg.core[1].bias[0] = 1000;
		th_expect(snn_config_validate(&cfg, &d) == 0, "conv 36 x 14000 + 1000 should fit: %s", d.msg);
		cfg.core[1].syn[4] = 14600;
		th_expect(snn_config_validate(&cfg, &d) != 0 && strstr(d.msg, "36 events"),
			  "conv 36 x 14600 + 1000 should be refused: %s", d.msg);
		snn_config_free(&cfg);
	}

	/* A 500-byte image claiming 4096 cores of 2^26 synapse words made the
	 * reader allocate for all of them: minutes and gigabytes. */
	th_case("geometry_beyond_profiles_bad");
	{
		uint8_t *b = malloc(len);
		memcpy(b, buf, len);
		snn_put32(b + SNN_IMAGE_GEOMETRY_AT, 4096);	/* n_cores */
		snn_put32(b + SNN_IMAGE_GEOMETRY_AT + 12, 1u << 26);	/* synapse_words */
		reseal(b, 0);
		snn_image bad;
		d.msg[0] = '\0';
		int rc = snn_image_decode(b, len, &bad, &d);
		if (th_expect(rc != 0, "accepted"))
			th_expect(strstr(d.msg, "offset 0x10") && strstr(d.msg, "largest built-in profile"),
				  "message: %s", d.msg);
		else
			snn_image_free(&bad);
		free(b);
	}

	/* The largest image each built-in profile can hold, counted from the
	 * layout in docs/config-format.md, must be readable. */
	th_case("size_cap_holds_every_profile");
	for (unsigned i = 0; i < snn_profile_count(); i++) {
		const snn_geometry *g = &snn_profile_at(i)->geo;
		uint64_t n = g->n_cores, most = SNN_IMAGE_HEADER_BYTES + 7 * 16 + (4 + 128 * n) +
			     n * g->neurons_per_core * 4 + n * g->synapse_words * 2 + n * g->routes_per_core * 16 +
			     (32 + 36 + 16ull * g->input_routes) + (32 + 12 + 4 * n * g->neurons_per_core) + 4096;
		th_expect(most <= SNN_IMAGE_MAX_BYTES, "profile %s: images up to %llu bytes, cap %u",
			  snn_profile_at(i)->name, (unsigned long long)most, SNN_IMAGE_MAX_BYTES);
	}

	/* docs/config-format.md: extension sections are skipped, whatever
	 * their bytes; the old reader called them "outside every section". */
	th_case("extension_section_skipped");
	{
		uint32_t n_sec = snn_get32(buf + SNN_IMAGE_SECTIONS_AT);
		size_t table_end = SNN_IMAGE_HEADER_BYTES + 16 * n_sec, ext_len = 8;
		size_t big_len = len + 16 + ext_len;
		uint8_t *b = calloc(1, big_len);
		memcpy(b, buf, table_end);	/* header and table, then one more entry */
		memcpy(b + table_end + 16, buf + table_end, len - table_end);
		for (uint32_t i = 0; i < n_sec; i++) {	/* every section moved by 16 */
			uint8_t *e = b + SNN_IMAGE_HEADER_BYTES + 16 * i;
			snn_put32(e + 4, snn_get32(e + 4) + 16);
		}
		const uint8_t ext[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		memcpy(b + len + 16, ext, ext_len);
		uint8_t *e = b + table_end;
		snn_put32(e, 300);
		snn_put32(e + 4, (uint32_t)(len + 16));
		snn_put32(e + 8, (uint32_t)ext_len);
		snn_put32(e + 12, (uint32_t)crc32(0, ext, (uInt)ext_len));
		snn_put32(b + SNN_IMAGE_SECTIONS_AT, n_sec + 1);
		snn_put32(b + 12, (uint32_t)big_len);
		reseal(b, 0);
		snn_image ext_img;
		th_expect(snn_image_decode(b, big_len, &ext_img, &d) == 0, "decode: %s", d.msg);
		compare_images(&img, &ext_img);
		snn_image_free(&ext_img);
		free(b);
	}

	th_case("file_write_read");
	char dir[] = "/tmp/snn_image_test.XXXXXX";
	th_expect(mkdtemp(dir) != NULL, "mkdtemp");
	char path[256];
	snprintf(path, sizeof path, "%s/model.cfg", dir);
	th_expect(snn_image_write_file(&img, path, &d) == 0, "write: %s", d.msg);
	th_expect(snn_image_read_file(path, &back, &d) == 0, "read: %s", d.msg);
	compare_images(&img, &back);
	snn_image_free(&back);

	th_case("file_missing_bad");
	snprintf(path, sizeof path, "%s/absent.cfg", dir);
	th_expect(snn_image_read_file(path, &back, &d) != 0 && strstr(d.msg, path),
		  "missing file message should name it: %s", d.msg);

	th_case("file_unwritable_leaves_nothing_bad");
	snprintf(path, sizeof path, "%s/model.cfg", dir);
	chmod(dir, 0500);
	bool root = geteuid() == 0;	/* root ignores the permission */
	if (!root) {
		snprintf(path, sizeof path, "%s/new.cfg", dir);
		th_expect(snn_image_write_file(&img, path, &d) != 0 && strstr(d.msg, path),
			  "write into a read-only directory should fail naming the file: %s", d.msg);
		th_expect(access(path, F_OK) != 0, "a partial file was left behind");
	}
	chmod(dir, 0700);
	snprintf(path, sizeof path, "%s/nodir/x.cfg", dir);
	th_expect(snn_image_write_file(&img, path, &d) != 0 && strstr(d.msg, path),
		  "write into a missing directory should fail naming the file: %s", d.msg);

	th_case("file_over_size_cap_bad");
	{	/* sparse: costs no disk, and must cost no reading either */
		snprintf(path, sizeof path, "%s/huge.cfg", dir);
		FILE *f = fopen(path, "wb");
		th_expect(f && ftruncate(fileno(f), (off_t)SNN_IMAGE_MAX_BYTES + 1) == 0, "sparse file");
		if (f)
			fclose(f);
		th_expect(snn_image_read_file(path, &back, &d) == SNN_ERR_RANGE && strstr(d.msg, path) &&
				  strstr(d.msg, "more than"),
			  "an image over the cap: %s", d.msg);
		unlink(path);
	}

	th_case("invalid_image_not_written_bad");
	img.cfg.core[0].reg[SNN_R_THRESHOLD] = 0;
	snprintf(path, sizeof path, "%s/invalid.cfg", dir);
	th_expect(snn_image_write_file(&img, path, &d) != 0 && strstr(d.msg, "THRESHOLD"),
		  "invalid configuration written: %s", d.msg);
	th_expect(access(path, F_OK) != 0, "invalid image file exists");
	img.cfg.core[0].reg[SNN_R_THRESHOLD] = 100;

	snprintf(path, sizeof path, "%s/model.cfg", dir);
	unlink(path);
	rmdir(dir);
	free(buf);
	snn_image_free(&img);
	return th_done("test_image");
}
