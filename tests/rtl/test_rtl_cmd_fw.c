/* The command layer as a program (rtl/fw/cmd_layer.c on snn_ctrl, the
 * iCEBreaker core's DEVICE = 3 over the engine, and DEVICE = 4 over step
 * 3's accelerators, rtl/fw/dev_step.c) against the hardware one it replaces
 * (rtl/snn_cmd.v's lean layer, DEVICE = 1): both designs behind their UART,
 * bit by bit (sim/rtl_device.cpp), are sent the same bytes and must answer
 * with the same frames, byte for byte but for IDENTIFY's build id (each
 * model has its own) and the cycles counter (the engine held while the
 * processor sends an OUTPUT frame). DEVICE = 3 runs the same engine, so
 * every difference is the command layer's; DEVICE = 4 keeps the
 * configuration's words in the program's tables and must bound and answer
 * them as the engine's port does: each error of docs/host-protocol.md in
 * the spec's order, each request's edges, then random requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "snn/config.h"
#include "snn/geometry.h"
#include "snn/protocol.h"
#include "snn/rtl_device.h"

/* rtl/mk/uart.mk: the firmware devices are ibdev (build id 0) and ibstep
 * (2), the hardware one ibhw (build id 1). */
static const uint32_t fw_build_ids[] = {0u, 2u};
#define HW_BUILD_ID 1u

typedef struct side {
	snn_rtldev *dev;
	uint8_t *out;
	size_t n, cap;
} side;

static side fw, hw;
static unsigned seq;
static unsigned long long frames_compared;

static void collect(void *ctx, const uint8_t *data, size_t len)
{
	side *s = ctx;
	if (s->n + len > s->cap) {
		s->cap = 2 * (s->n + len) + 4096;
		s->out = realloc(s->out, s->cap);
		if (!s->out) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
	}
	memcpy(s->out + s->n, data, len);
	s->n += len;
}

/* The frames of an output, decoded; the ones whose payload carries a
 * model's own value masked (IDENTIFY's build id, COUNTERS' cycles). */
typedef struct frames {
	unsigned n;
	uint8_t op[64], seq[64];
	uint16_t len[64];
	uint8_t pay[64][SNN_FRAME_MAX_PAYLOAD];
	unsigned bad;	/* bytes the decoder refused */
} frames;

static void decode(const side *s, frames *f)
{
	snn_decoder d;
	snn_decoder_init(&d);
	memset(f, 0, sizeof *f);
	size_t at = 0;
	while (at < s->n) {
		size_t used = 0;
		snn_frame fr;
		snn_decode_status st = snn_decoder_feed(&d, s->out + at, s->n - at, &used, &fr);
		at += used;
		if (st == SNN_DECODE_BAD_CRC || st == SNN_DECODE_BAD_LENGTH)
			f->bad++;
		if (st != SNN_DECODE_FRAME || f->n == 64)
			continue;
		f->op[f->n] = fr.op;
		f->seq[f->n] = fr.seq;
		f->len[f->n] = fr.len;
		memcpy(f->pay[f->n], fr.payload, fr.len);
		if (fr.op == (SNN_OP_IDENTIFY | SNN_REPLY_BIT) && fr.len >= 8)
			memset(f->pay[f->n] + 4, 0, 4);
		if (fr.op == (SNN_OP_COUNTERS | SNN_REPLY_BIT) && fr.len >= 16)
			memset(f->pay[f->n] + 8 * SNN_CTR_CYCLES, 0, 8);
		f->n++;
	}
}

static frames ffw, fhw;

/* The same bytes to both designs; their answers must be the same frames. */
static bool both_bytes(const char *what, const uint8_t *b, size_t n)
{
	fw.n = hw.n = 0;
	snn_rtldev_receive(fw.dev, b, n);
	snn_rtldev_receive(hw.dev, b, n);
	decode(&fw, &ffw);
	decode(&hw, &fhw);
	bool ok = th_expect(ffw.bad == 0 && fhw.bad == 0, "%s: undecodable bytes (program %u, hardware %u)",
			    what, ffw.bad, fhw.bad);
	ok = ok && th_expect(ffw.n == fhw.n, "%s: the program sent %u frames, the hardware %u", what, ffw.n,
			     fhw.n);
	for (unsigned i = 0; ok && i < ffw.n; i++) {
		ok = th_expect(ffw.op[i] == fhw.op[i] && ffw.seq[i] == fhw.seq[i] && ffw.len[i] == fhw.len[i],
			       "%s: frame %u: program op 0x%02X seq %u len %u, hardware op 0x%02X seq %u "
			       "len %u",
			       what, i, ffw.op[i], ffw.seq[i], ffw.len[i], fhw.op[i], fhw.seq[i], fhw.len[i]);
		for (unsigned k = 0; ok && k < ffw.len[i]; k++)
			ok = th_expect(ffw.pay[i][k] == fhw.pay[i][k],
				       "%s: frame %u (op 0x%02X): payload byte %u is 0x%02X, the hardware's "
				       "0x%02X",
				       what, i, ffw.op[i], k, ffw.pay[i][k], fhw.pay[i][k]);
	}
	frames_compared += ffw.n;
	return ok;
}

static bool req(const char *what, uint8_t op, const void *p, size_t len)
{
	uint8_t b[SNN_FRAME_MAX];
	int n = snn_frame_encode(op, (uint8_t)seq++, p, len, b);
	if (!th_expect(n > 0, "%s: could not encode", what))
		return false;
	return both_bytes(what, b, (size_t)n);
}

/* A memory request's payload: address, then count or words. */
static size_t mem_pay(uint8_t *p, unsigned region, unsigned core, uint32_t index)
{
	p[0] = (uint8_t)region;
	p[1] = 0;
	snn_put16(p + 2, (uint16_t)core);
	snn_put32(p + 4, index);
	return 8;
}

static bool global_write(const char *what, uint32_t ncores, uint32_t c, uint32_t h, uint32_t w,
			 uint32_t iroutes)
{
	uint8_t p[8 + 4 * SNN_G_REGS];
	mem_pay(p, SNN_REGION_GLOBAL, 0, 0);
	uint32_t g[SNN_G_REGS] = {0};
	g[SNN_G_N_CORES] = ncores;
	g[SNN_G_INPUT_C] = c;
	g[SNN_G_INPUT_H] = h;
	g[SNN_G_INPUT_W] = w;
	g[SNN_G_INPUT_ROUTES] = iroutes;
	for (unsigned i = 0; i < SNN_G_REGS; i++)
		snn_put32(p + 8 + 4 * i, g[i]);
	return req(what, SNN_OP_WRITE_MEM, p, sizeof p);
}

static void frame_errors(void)
{
	th_case("frame errors: bad CRC, a length over 1024, then a good frame");
	uint8_t b[SNN_FRAME_MAX + 16];
	int n = snn_frame_encode(SNN_OP_ECHO, (uint8_t)seq++, "abc", 3, b);
	b[n - 1] ^= 0x40;
	both_bytes("bad CRC", b, (size_t)n);
	uint8_t longhdr[5] = {SNN_FRAME_SOF, SNN_OP_ECHO, (uint8_t)seq++, 0x01, 0x04};	/* 1025 */
	both_bytes("length 1025", longhdr, sizeof longhdr);
	req("ECHO after them", SNN_OP_ECHO, "xyz", 3);
	uint8_t noise[4] = {0x00, 0x13, 0xFF, 0x42};
	both_bytes("bytes before a SOF", noise, sizeof noise);
	req("IDENTIFY after noise", SNN_OP_IDENTIFY, NULL, 0);

	th_case("unknown op, and a length wrong for each op");
	req("op 0x55", 0x55, NULL, 0);
	req("op 0x40 (OUTPUT is not a request)", SNN_OP_OUTPUT, "1234", 4);
	static const struct {
		uint8_t op;
		size_t len;
	} bad_len[] = {
		{SNN_OP_IDENTIFY, 1}, {SNN_OP_RESET, 0}, {SNN_OP_RESET, 2}, {SNN_OP_WRITE_MEM, 8},
		{SNN_OP_WRITE_MEM, 14}, {SNN_OP_READ_MEM, 9}, {SNN_OP_READ_MEM, 12}, {SNN_OP_CHECKSUM, 10},
		{SNN_OP_INPUT, 3}, {SNN_OP_STEP, 0}, {SNN_OP_STEP, 4}, {SNN_OP_PIXELS, 4},
		{SNN_OP_RUN, 2}, {SNN_OP_COUNTERS, 4},
	};
	uint8_t zero[32] = {0};
	for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "%s of %zu bytes", snn_op_name(bad_len[i].op), bad_len[i].len);
		req(what, bad_len[i].op, zero, bad_len[i].len);
	}
	th_case("sequence gaps counted");
	seq += 5;
	req("IDENTIFY after a gap", SNN_OP_IDENTIFY, NULL, 0);
	req("COUNTERS", SNN_OP_COUNTERS, NULL, 0);
}

static void before_reset(void)
{
	th_case("power-on: the configuration counts as written (CONFIG 1)");
	uint8_t p[16] = {0};
	req("IDENTIFY", SNN_OP_IDENTIFY, NULL, 0);
	req("COUNTERS", SNN_OP_COUNTERS, NULL, 0);
	snn_put16(p, 1);
	req("STEP 1", SNN_OP_STEP, p, 2);
	req("INPUT", SNN_OP_INPUT, p, 4);
	req("PIXELS", SNN_OP_PIXELS, p, 5);
	p[2] = 1;
	req("RUN", SNN_OP_RUN, p, 4);
	mem_pay(p, SNN_REGION_STATE, 0, 0);
	snn_put16(p + 8, 1);
	req("READ_MEM STATE", SNN_OP_READ_MEM, p, 10);
	mem_pay(p, SNN_REGION_GLOBAL, 0, 0);
	snn_put16(p + 8, 5);
	req("READ_MEM GLOBAL (no configuration needed)", SNN_OP_READ_MEM, p, 10);
}

static void resets(void)
{
	th_case("RESET: a level above 2, then 2, 1 and 0");
	uint8_t l = 3;
	req("RESET 3", SNN_OP_RESET, &l, 1);
	l = 2;
	req("RESET 2", SNN_OP_RESET, &l, 1);
	req("COUNTERS after RESET 2", SNN_OP_COUNTERS, NULL, 0);
	l = 1;
	req("RESET 1", SNN_OP_RESET, &l, 1);
	l = 0;
	req("RESET 0", SNN_OP_RESET, &l, 1);
	req("COUNTERS after RESET 0", SNN_OP_COUNTERS, NULL, 0);
}

static void memory(const snn_geometry *geo)
{
	th_case("memory requests: address checks, counts, STATE values, read back and checksum");
	uint8_t p[8 + 4 * 64];
	/* address checks, at each pool region's last word and past it */
	const uint32_t syn = geo->synapse_total, lines = syn / 8;
	const struct {
		unsigned region, core;
		uint32_t index, count;
	} addr[] = {
		{7, 0, 0, 1}, {SNN_REGION_CORE, 16, 0, 1}, {SNN_REGION_CORE, 15, 31, 1}, {SNN_REGION_CORE, 15, 31, 2},
		{SNN_REGION_SYNAPSE, 0, syn - 1, 1}, {SNN_REGION_SYNAPSE, 0, syn - 1, 2}, {SNN_REGION_SYNAPSE, 0, syn, 1},
		{SNN_REGION_SYNAPSE, 0, 131071, 1}, {SNN_REGION_SYNAPSE, 0, 262143, 1},
		{SNN_REGION_SYNAPSE, 0, 0x80000000u, 1}, {SNN_REGION_GLOBAL, 9, 4, 1}, {SNN_REGION_GLOBAL, 0, 5, 1},
		{SNN_REGION_ROUTE, 0, 255, 1}, {SNN_REGION_ROUTE, 0, 256, 1}, {SNN_REGION_INPUT_ROUTE, 0, 31, 2},
		{SNN_REGION_BIAS, 0, lines - 1, 1}, {SNN_REGION_BIAS, 0, lines, 1}, {SNN_REGION_BIAS, 0, 16383, 1},
		{SNN_REGION_STATE, 0, 2 * lines - 1, 1}, {SNN_REGION_STATE, 0, 2 * lines, 1},
		{SNN_REGION_STATE, 0, 32767, 1}, {SNN_REGION_STATE, 0, 32768, 1},
	};
	for (size_t i = 0; i < sizeof addr / sizeof addr[0]; i++) {
		char what[96];
		size_t n = mem_pay(p, addr[i].region, addr[i].core, addr[i].index);
		snn_put16(p + n, (uint16_t)addr[i].count);
		snprintf(what, sizeof what, "READ_MEM %s core %u at %u, %u", snn_region_name(addr[i].region),
			 addr[i].core, addr[i].index, addr[i].count);
		req(what, SNN_OP_READ_MEM, p, n + 2);
		snn_put32(p + n, addr[i].count);
		snprintf(what, sizeof what, "CHECKSUM %s core %u at %u, %u", snn_region_name(addr[i].region),
			 addr[i].core, addr[i].index, addr[i].count);
		req(what, SNN_OP_CHECKSUM, p, n + 4);
	}
	size_t n = mem_pay(p, SNN_REGION_SYNAPSE, 0, 100);
	snn_put16(p + n, 0);
	req("READ_MEM count 0", SNN_OP_READ_MEM, p, n + 2);
	snn_put16(p + n, 257);
	req("READ_MEM count 257", SNN_OP_READ_MEM, p, n + 2);
	snn_put32(p + n, 0);
	req("CHECKSUM count 0", SNN_OP_CHECKSUM, p, n + 4);

	/* words written, read back, checksummed */
	for (unsigned i = 0; i < 64; i++)
		snn_put32(p + n + 4 * i, 0x9E3779B9u * (i + 1));
	req("WRITE_MEM SYNAPSE, 64 words", SNN_OP_WRITE_MEM, p, n + 4 * 64);
	n = mem_pay(p, SNN_REGION_SYNAPSE, 0, 98);
	snn_put16(p + n, 70);
	req("READ_MEM them", SNN_OP_READ_MEM, p, n + 2);
	snn_put32(p + n, 70);
	req("CHECKSUM them", SNN_OP_CHECKSUM, p, n + 4);
	n = mem_pay(p, SNN_REGION_BIAS, 3, 20);
	snn_put32(p + n, 0x1234);
	snn_put32(p + n + 4, 0xFFFF8000u);
	req("WRITE_MEM BIAS", SNN_OP_WRITE_MEM, p, n + 8);
	snn_put16(p + n, 4);
	req("READ_MEM BIAS", SNN_OP_READ_MEM, p, n + 2);
	snn_put32(p + n, 4);
	req("CHECKSUM BIAS", SNN_OP_CHECKSUM, p, n + 4);

	/* a configuration write: STATE refused until RESET */
	n = mem_pay(p, SNN_REGION_STATE, 0, 10);
	snn_put16(p + n, 4);
	req("READ_MEM STATE after a configuration write", SNN_OP_READ_MEM, p, n + 2);
	uint8_t l = 0;
	req("RESET 0", SNN_OP_RESET, &l, 1);
	req("READ_MEM STATE", SNN_OP_READ_MEM, p, n + 2);

	/* STATE values: v within 20 bits, refractory at most 15 */
	static const uint32_t vals[][4] = {
		{5, 3, 0xFFFFFFFBu, 15},	/* all in range */
		{0x7FFFF, 0, 0xFFF80000u, 0},	/* v at its bounds */
		{0x80000, 0, 0, 0},	/* v one over */
		{0, 16, 0, 0},	/* refractory 16 */
		{0, 0, 0xFFF7FFFFu, 0},	/* v one under */
		{0, 0, 0, 0x80000000u},
	};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		for (uint32_t at = 10; at <= 11; at++) {	/* even and odd first index */
			char what[64];
			n = mem_pay(p, SNN_REGION_STATE, 0, at);
			for (unsigned k = 0; k < 4; k++)
				snn_put32(p + n + 4 * k, vals[i][k]);
			snprintf(what, sizeof what, "WRITE_MEM STATE set %zu at %u", i, at);
			req(what, SNN_OP_WRITE_MEM, p, n + 16);
		}
	}
	n = mem_pay(p, SNN_REGION_STATE, 0, 10);
	snn_put16(p + n, 6);
	req("READ_MEM STATE back", SNN_OP_READ_MEM, p, n + 2);

	/* whole frames of the pool's regions, read back in stretches (the
	 * program keeps them in the pool itself, below its own lines) */
	static uint8_t big[SNN_FRAME_MAX_PAYLOAD];
	static const unsigned pool_regions[] = {SNN_REGION_BIAS, SNN_REGION_SYNAPSE, SNN_REGION_STATE};
	uint32_t x = 0x2545F491u;
	for (size_t r = 0; r < sizeof pool_regions / sizeof pool_regions[0]; r++) {
		unsigned reg = pool_regions[r];
		uint32_t end = reg == SNN_REGION_SYNAPSE ? syn : reg == SNN_REGION_BIAS ? lines : 2 * lines;
		uint32_t at = end - 600;	/* near the top: the program's own lines follow */
		size_t m = mem_pay(big, reg, 1, at);
		for (unsigned i = 0; i < 254; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			uint32_t w = x;
			if (reg == SNN_REGION_STATE)	/* v in 20 bits, the refractory count in 4 */
				w = (at + i) & 1 ? w & 15 : (uint32_t)((int32_t)(w << 12) >> 12);
			snn_put32(big + m + 4 * i, w);
		}
		char what[64];
		snprintf(what, sizeof what, "WRITE_MEM %s, 254 words", snn_region_name(reg));
		req(what, SNN_OP_WRITE_MEM, big, m + 4 * 254);
		for (uint32_t from = at - 2; from < at + 254; from += 200) {
			m = mem_pay(big, reg, 1, from);
			snn_put16(big + m, 256);
			snprintf(what, sizeof what, "READ_MEM %s at %u, 256", snn_region_name(reg), from);
			req(what, SNN_OP_READ_MEM, big, m + 2);
			snn_put32(big + m, 256);
			snprintf(what, sizeof what, "CHECKSUM %s at %u, 256", snn_region_name(reg), from);
			req(what, SNN_OP_CHECKSUM, big, m + 4);
		}
	}
}

static void inputs_and_steps(void)
{
	th_case("GLOBAL checked at RESET; INPUT, STEP, PIXELS, RUN on a configuration of no cores");
	uint8_t l = 0, p[64];
	static const struct {
		uint32_t nc, c, h, w, ir;
	} g[] = {
		{17, 1, 1, 1, 1},	/* too many cores */
		{0, 1, 1, 1, 9},	/* too many input routes */
		{0, 0, 4, 4, 1},	/* a dimension 0 */
		{0, 2, 32, 32, 1},	/* C*H*W 2,048 */
		{0, 1025, 1, 1, 1},
		{0, 5, 0, 0, 0},	/* no input routes: dimensions unchecked */
		{0, 1, 4, 4, 1},	/* 16 inputs */
	};
	for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
		char what[96];
		snprintf(what, sizeof what, "GLOBAL %u cores, %u x %u x %u, %u input routes", g[i].nc, g[i].c,
			 g[i].h, g[i].w, g[i].ir);
		global_write(what, g[i].nc, g[i].c, g[i].h, g[i].w, g[i].ir);
		req("INPUT before RESET", SNN_OP_INPUT, "\0\0\0\0", 4);
		req("RESET 0", SNN_OP_RESET, &l, 1);
		req("INPUT 0", SNN_OP_INPUT, "\0\0\0\0", 4);
		snn_put16(p, 1);
		req("STEP 1", SNN_OP_STEP, p, 2);
	}
	/* 16 inputs: each index once a step, within the tensor */
	static const uint32_t in[][4] = {{0, 1, 15, 7}, {3, 3, 0, 0}, {2, 16, 0, 0}, {4, 5, 6, 0x1000000}};
	static const unsigned in_n[] = {4, 2, 2, 4};
	for (size_t i = 0; i < 4; i++) {
		for (unsigned k = 0; k < in_n[i]; k++)
			snn_put32(p + 4 * k, in[i][k]);
		req("INPUT", SNN_OP_INPUT, p, 4 * in_n[i]);
	}
	snn_put32(p, 1);
	req("INPUT 1 again (queued already)", SNN_OP_INPUT, p, 4);
	req("INPUT of none", SNN_OP_INPUT, NULL, 0);
	snn_put16(p, 0);
	req("STEP 0", SNN_OP_STEP, p, 2);
	snn_put16(p, 3);
	req("STEP 3", SNN_OP_STEP, p, 2);
	snn_put32(p, 1);
	req("INPUT 1 after the step", SNN_OP_INPUT, p, 4);

	/* PIXELS: within C*H*W */
	static const uint32_t pix[][2] = {{0, 16}, {15, 1}, {15, 2}, {16, 1}, {0xFFFFFFFFu, 2}, {8, 4}};
	for (size_t i = 0; i < sizeof pix / sizeof pix[0]; i++) {
		char what[64];
		snn_put32(p, pix[i][0]);
		for (unsigned k = 0; k < pix[i][1]; k++)
			p[4 + k] = (uint8_t)(17 * k + 40);
		snprintf(what, sizeof what, "PIXELS at %u, %u values", pix[i][0], pix[i][1]);
		req(what, SNN_OP_PIXELS, p, 4 + pix[i][1]);
	}
	/* RUN's arguments, then runs */
	static const uint8_t run[][4] = {{0, 0, 1, 0}, {1, 0, 2, 0}, {1, 0, 1, 1}, {1, 0, 0x80, 0},
					 {2, 0, 1, 0}, {3, 0, 0, 0}};
	for (size_t i = 0; i < sizeof run / sizeof run[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "RUN %u flags 0x%02X, 0x%02X", run[i][0], run[i][2], run[i][3]);
		req(what, SNN_OP_RUN, run[i], 4);
	}
	req("COUNTERS", SNN_OP_COUNTERS, NULL, 0);
}

/* Random requests, each a possible mistake of a host: ops, lengths,
 * regions and values drawn at random, STEP and RUN only on a configuration
 * of cores never written (all idle, so a step is quick). */
static uint64_t rng = 0x5EEDF00Du;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void random_requests(unsigned count)
{
	th_case("%u random requests", count);
	static const uint8_t ops[] = {SNN_OP_IDENTIFY, SNN_OP_RESET, SNN_OP_WRITE_MEM, SNN_OP_READ_MEM,
				      SNN_OP_CHECKSUM, SNN_OP_INPUT, SNN_OP_STEP, SNN_OP_PIXELS,
				      SNN_OP_RUN, SNN_OP_COUNTERS, SNN_OP_ECHO, 0x66};
	static const unsigned regions[] = {SNN_REGION_GLOBAL, SNN_REGION_BIAS, SNN_REGION_SYNAPSE,
					   SNN_REGION_STATE, 7};
	uint8_t p[96];
	for (unsigned r = 0; r < count; r++) {
		uint8_t op = ops[rnd(sizeof ops)];
		size_t len = rnd(4) == 0 ? rnd(24) : 0;	/* now and then a random length */
		switch (op) {
		case SNN_OP_RESET: p[0] = (uint8_t)rnd(4); len = rnd(8) ? 1 : len; break;
		case SNN_OP_WRITE_MEM: {
			unsigned region = regions[rnd(sizeof regions / sizeof regions[0])];
			uint32_t index = rnd(4) ? rnd(64) : rnd(1u << 19);
			size_t n = mem_pay(p, region, rnd(20), index);
			unsigned words = 1 + rnd(8);
			if (region == SNN_REGION_GLOBAL) {	/* cores never written: idle */
				index = rnd(5);
				mem_pay(p, region, 0, index);
				words = 1 + rnd(5 - index);
			}
			for (unsigned k = 0; k < words; k++)
				snn_put32(p + n + 4 * k, rnd(3) ? rnd(64) : (uint32_t)rnd(0x7FFFFFFF) * 2u);
			len = rnd(8) ? n + 4 * words : len;
			break;
		}
		case SNN_OP_READ_MEM:
		case SNN_OP_CHECKSUM: {
			unsigned region = regions[rnd(sizeof regions / sizeof regions[0])];
			size_t n = mem_pay(p, region, rnd(20), rnd(4) ? rnd(128) : rnd(1u << 19));
			uint32_t c = rnd(6) ? 1 + rnd(12) : rnd(300);
			if (op == SNN_OP_READ_MEM) {
				snn_put16(p + n, (uint16_t)c);
				len = rnd(8) ? n + 2 : len;
			} else {
				snn_put32(p + n, c);
				len = rnd(8) ? n + 4 : len;
			}
			break;
		}
		case SNN_OP_INPUT: {
			unsigned k = rnd(5);
			for (unsigned i = 0; i < k; i++)
				snn_put32(p + 4 * i, rnd(24));
			len = rnd(8) ? 4 * k : len;
			break;
		}
		case SNN_OP_STEP: snn_put16(p, (uint16_t)rnd(4)); len = rnd(8) ? 2 : len; break;
		case SNN_OP_PIXELS: {
			snn_put32(p, rnd(24));
			unsigned k = 1 + rnd(12);
			for (unsigned i = 0; i < k; i++)
				p[4 + i] = (uint8_t)rnd(256);
			len = rnd(8) ? 4 + k : len;
			break;
		}
		case SNN_OP_RUN:
			snn_put16(p, (uint16_t)rnd(3));
			p[2] = (uint8_t)(rnd(6) ? rnd(2) : rnd(256));
			p[3] = (uint8_t)(rnd(6) ? 0 : rnd(256));
			len = rnd(8) ? 4 : len;
			break;
		case SNN_OP_ECHO:
			len = rnd(40);
			for (size_t i = 0; i < len; i++)
				p[i] = (uint8_t)rnd(256);
			break;
		default: break;
		}
		char what[64];
		snprintf(what, sizeof what, "random request %u (%s, %zu bytes)", r, snn_op_name(op), len);
		if (!req(what, op, p, len))
			break;
	}
}

int main(void)
{
	const snn_profile *ib = snn_profile_find("icebreaker");
	if (!ib) {
		fprintf(stderr, "no icebreaker profile\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof fw_build_ids / sizeof fw_build_ids[0]; i++) {
		uint32_t id = fw_build_ids[i];
		th_case("open the program's design (build id %u) and the hardware's", id);
		fw.dev = hw.dev = NULL;
		seq = 0;
		rng = 0x5EEDF00Du;
		frames_compared = 0;
		int a = snn_rtldev_open_uart(&ib->geo, id, collect, &fw, &fw.dev);
		int b = snn_rtldev_open_uart(&ib->geo, HW_BUILD_ID, collect, &hw, &hw.dev);
		if (th_expect(a == 0 && b == 0, "snn_rtldev_open_uart: program %d, hardware %d", a, b)) {
			before_reset();
			frame_errors();
			resets();
			memory(&ib->geo);
			inputs_and_steps();
			random_requests(getenv("SNN_TEST_LONG") ? 2000 : 200);
			printf("build id %u: %llu frames compared; clock cycles for the same bytes: program "
			       "%llu, hardware %llu\n", id, frames_compared,
			       (unsigned long long)snn_rtldev_cycles(fw.dev),
			       (unsigned long long)snn_rtldev_cycles(hw.dev));
		}
		if (fw.dev)
			snn_rtldev_close(fw.dev);
		if (hw.dev)
			snn_rtldev_close(hw.dev);
	}
	free(fw.out);
	free(hw.out);
	return th_done("test_rtl_cmd_fw");
}
