/* The command layer as a program on snn_ctrl: the requests of
 * docs/host-protocol.md on the device behind rtl/fw/fw_dev.h (the engine
 * behind rtl/snn_engine_io.v, rtl/fw/dev_engine.c; or the step as a
 * program over step 3's accelerators, rtl/fw/dev_step.c), as the lean
 * hardware layer (snn_cmd with CHECK_CONFIG 0: device kind 3, only
 * the GLOBAL words checked at RESET) answers them, byte for byte
 * (docs/rtl.md, "snn_cmd" has every rule this follows).
 *
 * The geometry comes from the build (fw_device.h, made by rtl/mk/ctrl.mk
 * from the board's profile and core parameters). One frame at a time:
 * received whole and its CRC checked before anything is done, then exactly
 * one reply (a STEP's or RUN's OUTPUT frames first). */
#include <stddef.h>
#include "snn/config.h"
#include "snn/geometry.h"
#include "snn/protocol.h"
#include "fw_dev.h"
#include "snn_frame_io.h"
#include "fw_device.h"	/* FW_GEOMETRY, FW_BUILD_ID, FW_INPUT_MAX */

/* IDENTIFY's geometry words, and the fields the checks use */
static const uint32_t geometry[SNN_GEOMETRY_FIELDS] = FW_GEOMETRY;
#define GEO(field) geometry[offsetof(snn_geometry, field) / 4]
#define FW_N_CORES GEO(n_cores)
#define FW_INPUT_ROUTES GEO(input_routes)
#define FW_MEMBRANE_BITS GEO(membrane_bits)
/* A word index or count inside the largest region needs xb bits (at least
 * 16), as snn_cmd's XB: an address check beyond is refused at once. */
static unsigned xb;

/* A frame's payload; during a STEP the OUTPUT frame being gathered (its
 * step index, then 255 events: 1,024 bytes). */
static uint8_t pay[SNN_FRAME_MAX_PAYLOAD];

static uint32_t frame_errors, seq_errors;	/* the link counters */
static unsigned next_seq;
static bool have_seq;
static bool cfg_written, cfg_bad;	/* CONFIG detail 1, 2 */
static uint32_t in_size;	/* C*H*W, 0 without input routes */
static uint32_t in_map[FW_INPUT_MAX / 32];	/* inputs queued for the next step */
static bool in_dirty;

static unsigned req_op, req_seq;	/* the request being answered */

/* ---- frames out ------------------------------------------------------- */

/* A frame of the request's seq (a reply, an ERROR or an OUTPUT) */
static void head(unsigned op, unsigned len)
{
	snn_fw_frame_head(op, req_seq, len);
}

static void put8s(const uint8_t *p, unsigned len)
{
	for (const uint8_t *end = p + len; p != end; p++)
		snn_ctrl_tx_crc(*p);
}

static void put32(uint32_t w)
{
	for (unsigned i = 0; i < 4; i++, w >>= 8)
		snn_ctrl_tx_crc(w & 0xFF);
}

static void reply_empty(void)
{
	head(req_op | SNN_REPLY_BIT, 0);
	snn_fw_frame_tail();
}

/* ERROR: code, the request's op, detail; OPCODE and LENGTH (and the
 * receiver's CRC and LENGTH) count as frame errors. */
static void refuse(unsigned code, unsigned detail)
{
	if (code <= SNN_LERR_OPCODE)
		frame_errors++;
	snn_ctrl_status(SNN_CTRL_STATUS_BUSY | SNN_CTRL_STATUS_REFUSED);
	head(SNN_OP_ERROR, 4);
	snn_ctrl_tx_crc(code);
	snn_ctrl_tx_crc(req_op);
	snn_ctrl_tx_crc(detail & 0xFF);
	snn_ctrl_tx_crc((detail >> 8) & 0xFF);
	snn_fw_frame_tail();
}

/* ---- payload fields (little-endian) ----------------------------------- */

static uint32_t u16_at(unsigned off)
{
	return pay[off] | (uint32_t)pay[off + 1] << 8;
}

static uint32_t u32_at(unsigned off)
{
	return u16_at(off) | u16_at(off + 2) << 16;
}

/* ---- the pool's regions --------------------------------------------------
 * The engine's memory port leaves SYNAPSE, STATE and BIAS to this program
 * (snn_engine's MEM_POOL 0): the words are read and written in the pool,
 * at FW_POOL_BASE, as the port would (docs/rtl.md, "snn_engine"): a
 * SYNAPSE word is pool byte `index`, sign-extended; a neuron's line is 8
 * bytes, v the 32-bit word at its start (STATE 2n), the refractory count
 * byte 4's low nibble (STATE 2n + 1), the bias bytes 6 and 7 (BIAS n). */
#define POOL ((volatile uint8_t *)FW_POOL_BASE)
#define POOL_LINES (GEO(synapse_total) / 8)

static bool in_pool(unsigned region)
{
	return region == SNN_REGION_SYNAPSE || region == SNN_REGION_STATE || region == SNN_REGION_BIAS;
}

/* The port's bound: a word inside its region. */
static bool pool_word_in(unsigned region, uint32_t index)
{
	return region == SNN_REGION_SYNAPSE ? index < GEO(synapse_total)
	       : region == SNN_REGION_STATE ? index < 2 * POOL_LINES : index < POOL_LINES;
}

static uint32_t pool_read(unsigned region, uint32_t index)
{
	if (region == SNN_REGION_SYNAPSE)
		return (uint32_t)(int32_t)(int8_t)POOL[index];
	if (region == SNN_REGION_BIAS)
		return (uint32_t)(int32_t) * (volatile int16_t *)(POOL + 8 * index + 6);
	volatile uint8_t *line = POOL + 8 * (index / 2);
	return index & 1 ? line[4] & 0xFu : *(volatile uint32_t *)line;
}

/* STATE words checked first (state_word_ok) */
static void pool_write(unsigned region, uint32_t index, uint32_t w)
{
	if (region == SNN_REGION_SYNAPSE)
		POOL[index] = (uint8_t)w;
	else if (region == SNN_REGION_BIAS)
		*(volatile uint16_t *)(POOL + 8 * index + 6) = (uint16_t)w;
	else if (index & 1)
		POOL[8 * (index / 2) + 4] = (uint8_t)(w & 0xF);
	else
		*(volatile uint32_t *)(POOL + 8 * (index / 2)) = w;
}

/* Word index + i of a request: the pool's, or the device's next
 * (dev_seek set its start) */
static uint32_t word_read(unsigned region, uint32_t index)
{
	return in_pool(region) ? pool_read(region, index) : dev_read_next();
}

/* The input bitmap emptied (after a step that used it, at RESET). */
static void in_clear(void)
{
	for (unsigned i = 0; i < FW_INPUT_MAX / 32; i++)
		in_map[i] = 0;
	in_dirty = false;
}

/* ---- RESET ------------------------------------------------------------ */

/* The GLOBAL words, as the lean layer checks them: cores and input routes
 * within the device's, and with input routes each dimension 1 ..
 * INPUT_MAX and C*H*W <= INPUT_MAX. Sets in_size; false if refused. */
static bool check_global(void)
{
	uint32_t g[SNN_G_REGS];
	dev_seek(SNN_REGION_GLOBAL, 0, 0);
	for (unsigned i = 0; i < SNN_G_REGS; i++)
		g[i] = dev_read_next();
	in_size = 0;
	if (g[SNN_G_N_CORES] > FW_N_CORES || g[SNN_G_INPUT_ROUTES] > FW_INPUT_ROUTES)
		return false;
	if (g[SNN_G_INPUT_ROUTES] == 0)
		return true;
	uint32_t c = g[SNN_G_INPUT_C], h = g[SNN_G_INPUT_H], w = g[SNN_G_INPUT_W];
	if (c == 0 || h == 0 || w == 0 || c > FW_INPUT_MAX || h > FW_INPUT_MAX || w > FW_INPUT_MAX)
		return false;
	uint32_t hw = h * w;	/* at most 2^22: no overflow */
	if (hw > FW_INPUT_MAX || hw * c > FW_INPUT_MAX)
		return false;
	in_size = hw * c;
	return true;
}

static void op_reset(void)
{
	unsigned level = pay[0];
	if (level > SNN_RESET_ALL) {
		refuse(SNN_LERR_ARG, level);
		return;
	}
	if (level == SNN_RESET_ALL) {
		dev_zero();
		cfg_written = true;
	}
	if (cfg_written) {
		cfg_written = false;
		dev_pixels_zero();	/* a configuration is loaded */
		cfg_bad = !check_global();
	}
	if (!cfg_bad)	/* an invalid configuration is not run, not even CLEAR */
		dev_clear();
	dev_encoder_wait();	/* its values zeroed */
	if (level != SNN_RESET_STATE) {
		dev_counters_clear();
		frame_errors = seq_errors = 0;
	}
	in_clear();
	reply_empty();
}

/* ---- WRITE_MEM, READ_MEM, CHECKSUM ------------------------------------ */

/* The address check: region and core known, the words below 2^XB, then
 * the device's answer for the last word (it knows its memories' extents). */
static bool mem_ok(unsigned region, unsigned core, uint32_t index, uint32_t count)
{
	if (region > SNN_REGION_STATE || core >= FW_N_CORES)
		return false;
	if (index >> xb || count >> xb || (index + count - 1) >> xb)
		return false;
	if (in_pool(region))
		return pool_word_in(region, index + count - 1);
	return dev_word_ok(region, core, index + count - 1);
}

/* A STATE word in range: v (even index) within the membrane's bits, the
 * refractory count (odd) at most 15. */
static bool state_word_ok(uint32_t index, uint32_t w)
{
	if (index & 1)
		return w <= 15;
	int32_t v = (int32_t)w >> (FW_MEMBRANE_BITS - 1);
	return v == 0 || v == -1;
}

static void op_mem(unsigned len)
{
	unsigned region = pay[0];
	bool per_core = region != SNN_REGION_GLOBAL && region != SNN_REGION_INPUT_ROUTE;
	unsigned core = per_core ? u16_at(2) : 0;
	uint32_t index = u32_at(4), count;
	bool write = req_op == SNN_OP_WRITE_MEM;
	if (write)
		count = (len - 8) / 4;
	else if (req_op == SNN_OP_READ_MEM) {
		count = u16_at(8);
		if (count == 0 || count > 256) {
			refuse(SNN_LERR_ARG, count);
			return;
		}
	} else {
		count = u32_at(8);
		if (count == 0) {
			refuse(SNN_LERR_ARG, 0);
			return;
		}
	}
	if (!mem_ok(region, core, index, count)) {
		refuse(SNN_LERR_ADDRESS, 0);
		return;
	}
	if (write) {
		if (region == SNN_REGION_STATE)
			for (uint32_t i = 0; i < count; i++)
				if (!state_word_ok(index + i, u32_at(8 + 4 * i))) {
					refuse(SNN_LERR_ARG, i);
					return;
				}
		dev_seek(region, core, index);
		for (uint32_t i = 0; i < count; i++)
			if (in_pool(region))
				pool_write(region, index + i, u32_at(8 + 4 * i));
			else
				dev_write_next(u32_at(8 + 4 * i));
		if (region != SNN_REGION_STATE)
			cfg_written = true;
		reply_empty();
		return;
	}
	dev_seek(region, core, index);
	if (req_op == SNN_OP_READ_MEM) {
		head(req_op | SNN_REPLY_BIT, 4 * count);
		for (uint32_t i = 0; i < count; i++)
			put32(word_read(region, index + i));
		snn_fw_frame_tail();
		return;
	}
	snn_ctrl_crc_clear();
	for (uint32_t i = 0; i < count; i++) {
		uint32_t w = word_read(region, index + i);
		for (unsigned b = 0; b < 4; b++, w >>= 8)
			snn_ctrl_crc_feed(w & 0xFF);
	}
	uint32_t crc = 0;
	for (unsigned b = 0; b < 4; b++)
		crc |= (uint32_t)snn_ctrl_crc_byte(b) << (8 * b);
	head(req_op | SNN_REPLY_BIT, 4);
	put32(crc);
	snn_fw_frame_tail();
}

/* ---- INPUT ---------------------------------------------------------------- */

static void op_input(unsigned len)
{
	unsigned n = len / 4;
	for (unsigned i = 0; i < n; i++) {
		uint32_t x = u32_at(4 * i);
		if (x >= in_size || in_map[x / 32] >> (x % 32) & 1) {
			for (unsigned j = 0; j < i; j++) {	/* this frame's marks undone */
				uint32_t y = u32_at(4 * j);
				in_map[y / 32] &= ~(1u << (y % 32));
			}
			refuse(SNN_LERR_ARG, i);
			return;
		}
		in_map[x / 32] |= 1u << (x % 32);
	}
	for (unsigned i = 0; i < n; i++)
		dev_input(u32_at(4 * i));
	if (n)
		in_dirty = true;
	reply_empty();
}

/* ---- STEP, RUN, PIXELS ---------------------------------------------------- */

/* The OUTPUT frame gathered in pay: the step index, then k events. */
static void send_output(uint32_t step, unsigned k)
{
	head(SNN_OP_OUTPUT, 4 + 4 * k);
	put32(step);
	put8s(pay + 4, 4 * k);
	snn_fw_frame_tail();
}

/* The step's events as OUTPUT frames of at most 255 (unless dropped). */
static uint32_t out_step, out_k, out_sent;
static bool out_drop;

static void out_event(uint32_t core, uint32_t neuron)
{
	if (out_drop)
		return;
	uint8_t *e = pay + 4 + 4 * out_k;	/* (u16 core, u16 neuron) */
	e[0] = (uint8_t)core;
	e[1] = (uint8_t)(core >> 8);
	e[2] = (uint8_t)neuron;
	e[3] = (uint8_t)(neuron >> 8);
	out_sent++;
	if (++out_k == 255) {
		send_output(out_step, out_k);
		out_k = 0;
	}
}

/* n steps, RUN's encoded if run, each one's events sent (unless drop);
 * the events sent, or -1 after a step was cut short (the ERROR is sent). */
static int32_t run_steps(unsigned n, bool run, bool drop)
{
	out_sent = 0;
	out_drop = drop;
	for (unsigned s = 0; s < n; s++) {
		out_step = dev_step_index();
		out_k = 0;
		bool whole = dev_step(run, in_size, s == 0, out_event);
		if (out_k)
			send_output(out_step, out_k);
		if (in_dirty)
			in_clear();
		if (!whole) {
			/* the watchdog: a configuration RESET did not check is
			 * invalid after all */
			cfg_bad = true;
			refuse(SNN_LERR_CONFIG, 3);
			return -1;
		}
	}
	return (int32_t)out_sent;
}

static void reply_steps(uint32_t n, uint32_t first, uint32_t sent)
{
	head(req_op | SNN_REPLY_BIT, 12);
	put32(n);
	put32(first);
	put32(sent);
	snn_fw_frame_tail();
}

static void op_step(void)
{
	unsigned n = u16_at(0);
	int32_t sent = run_steps(n, false, false);
	if (sent >= 0)
		reply_steps(n, dev_step_index() - n, (uint32_t)sent);
}

static void op_run(void)
{
	unsigned n = u16_at(0), flags = pay[2];
	if (n == 0 || flags > 1 || pay[3]) {
		refuse(SNN_LERR_ARG, n == 0 ? 0 : flags > 1 ? 2 : 3);
		return;
	}
	dev_clear();
	if (in_dirty)
		in_clear();
	int32_t sent = run_steps(n, true, !(flags & 1));
	if (sent >= 0)
		reply_steps(n, 0, (uint32_t)sent);
}

static void op_pixels(unsigned len)
{
	uint32_t offset = u32_at(0), count = len - 4;
	if (offset > in_size || count > in_size - offset) {
		refuse(SNN_LERR_ARG, 0);
		return;
	}
	dev_pixels_at(offset);
	for (unsigned i = 4; i < len; i++)
		dev_pixel(pay[i]);
	reply_empty();
}

/* ---- IDENTIFY, COUNTERS ---------------------------------------------------- */

static void op_identify(void)
{
	head(req_op | SNN_REPLY_BIT, 8 + sizeof geometry);
	put32(SNN_PROTOCOL_VERSION | SNN_DEVICE_FPGA << 16);
	put32(FW_BUILD_ID);
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS; i++)
		put32(geometry[i]);
	snn_fw_frame_tail();
}

static void op_counters(void)
{
	head(req_op | SNN_REPLY_BIT, 8 * SNN_CTR_COUNT);
	for (unsigned c = 0; c <= SNN_CTR_EVENTS_OUT; c++)
		for (unsigned high = 0; high < 2; high++)
			put32(dev_counter(c, high));
	put32(0);	/* dropped: the engine's queue holds every input */
	put32(0);
	put32(frame_errors);	/* 32 bits on a board (docs/host-protocol.md) */
	put32(0);
	put32(seq_errors);
	put32(0);
	snn_fw_frame_tail();
}

/* ---- dispatch ---------------------------------------------------------------- */

/* The length each request must have. */
static bool length_ok(unsigned len)
{
	switch (req_op) {
	case SNN_OP_IDENTIFY:
	case SNN_OP_COUNTERS: return len == 0;
	case SNN_OP_RESET: return len == 1;
	case SNN_OP_WRITE_MEM: return len >= 12 && len % 4 == 0;
	case SNN_OP_READ_MEM: return len == 10;
	case SNN_OP_CHECKSUM: return len == 12;
	case SNN_OP_INPUT: return len % 4 == 0;
	case SNN_OP_STEP: return len == 2;
	case SNN_OP_PIXELS: return len >= 5;
	case SNN_OP_RUN: return len == 4;
	default: return true;
	}
}

static bool op_known(void)
{
	switch (req_op) {
	case SNN_OP_IDENTIFY: case SNN_OP_RESET: case SNN_OP_WRITE_MEM: case SNN_OP_READ_MEM:
	case SNN_OP_CHECKSUM: case SNN_OP_INPUT: case SNN_OP_STEP: case SNN_OP_PIXELS:
	case SNN_OP_RUN: case SNN_OP_COUNTERS: case SNN_OP_ECHO:
		return true;
	default:
		return false;
	}
}

/* INPUT, STEP, PIXELS, RUN and STATE access need a configuration RESET
 * has taken. */
static bool needs_config_ok(void)
{
	switch (req_op) {
	case SNN_OP_INPUT: case SNN_OP_STEP: case SNN_OP_PIXELS: case SNN_OP_RUN:
		return true;
	case SNN_OP_WRITE_MEM: case SNN_OP_READ_MEM: case SNN_OP_CHECKSUM:
		return pay[0] == SNN_REGION_STATE;
	default:
		return false;
	}
}

static void handle(unsigned len)
{
	if (!op_known()) {
		refuse(SNN_LERR_OPCODE, 0);
		return;
	}
	if (!length_ok(len)) {
		refuse(SNN_LERR_LENGTH, len);
		return;
	}
	if (needs_config_ok() && (cfg_written || cfg_bad)) {
		refuse(SNN_LERR_CONFIG, cfg_written ? 1 : 2);
		return;
	}
	switch (req_op) {
	case SNN_OP_IDENTIFY: op_identify(); break;
	case SNN_OP_RESET: op_reset(); break;
	case SNN_OP_WRITE_MEM: case SNN_OP_READ_MEM: case SNN_OP_CHECKSUM: op_mem(len); break;
	case SNN_OP_INPUT: op_input(len); break;
	case SNN_OP_STEP: op_step(); break;
	case SNN_OP_PIXELS: op_pixels(len); break;
	case SNN_OP_RUN: op_run(); break;
	case SNN_OP_COUNTERS: op_counters(); break;
	default:	/* ECHO */
		head(req_op | SNN_REPLY_BIT, len);
		put8s(pay, len);
		snn_fw_frame_tail();
		break;
	}
}

int main(void)
{
	/* power-on: the memories as after RESET 2, the configuration counted
	 * as written. Busy (o_busy, as the hardware layer's "not idle") from
	 * here, and from each frame's SOF, until its reply is out. */
	snn_ctrl_status(SNN_CTRL_STATUS_BUSY);
	cfg_written = true;	/* the rest starts zero: start.S clears .bss */
	uint32_t ext = GEO(synapse_words) > 2 * GEO(neurons_per_core) ? GEO(synapse_words)
								       : 2 * GEO(neurons_per_core);
	if (GEO(synapse_total) > ext)
		ext = GEO(synapse_total);
	if (2 * GEO(neuron_total) > ext)
		ext = 2 * GEO(neuron_total);
	for (xb = 16; ext >> xb; xb++)	/* ext + 1 <= 2^xb */
		;
	dev_zero();
	dev_clear();
	dev_encoder_wait();
	for (;;) {
		snn_ctrl_status(0);
		while (snn_ctrl_rx() != SNN_FRAME_SOF)
			;
		snn_ctrl_status(SNN_CTRL_STATUS_BUSY);
		snn_ctrl_crc_clear();
		req_op = snn_ctrl_rx_crc();
		req_seq = snn_ctrl_rx_crc();
		unsigned len = snn_ctrl_rx_crc();
		len |= snn_ctrl_rx_crc() << 8;
		if (len > SNN_FRAME_MAX_PAYLOAD) {	/* not trusted: no sequence check */
			refuse(SNN_LERR_LENGTH, len);
			continue;
		}
		if (!snn_fw_frame_body(pay, len)) {
			refuse(SNN_LERR_CRC, 0);
			continue;
		}
		if (have_seq && req_seq != next_seq)
			seq_errors++;
		have_seq = true;
		next_seq = (req_seq + 1) & 0xFF;
		handle(len);
	}
}
