/* Golden device: the device side of the host link (docs/host-protocol.md)
 * on the golden simulator, or on another engine with the simulator's calls
 * (the Verilated array, driver/transport_sim.c). Every request frame gets
 * exactly one reply (a STEP reply is preceded by its OUTPUT frames). */
#include "snn/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "snn/config.h"
#include "snn/encode.h"
#include "snn/image.h"
#include "snn/protocol.h"
#include "snn/sim.h"

#define OUTPUT_EVENTS_PER_FRAME ((SNN_FRAME_MAX_PAYLOAD - 4) / 4)

struct snn_golden {
	snn_config cfg;	/* the configuration memory */
	const snn_device_engine *eng;	/* what runs the network */
	void *sim;	/* eng's instance, built from cfg at RESET; NULL if cfg is invalid */
	bool written;	/* configuration changed since the last RESET */
	snn_diag sim_error;	/* why sim is NULL */
	uint32_t build_id;
	snn_tx_fn tx;
	void *tx_ctx;
	snn_decoder dec;
	bool have_seq;
	uint8_t next_seq;
	uint64_t ctr[SNN_CTR_COUNT];	/* device counters, sim's folded in */
	/* the input values PIXELS stores and RUN encodes (docs/host-protocol.md) */
	uint8_t *pixels;
	uint32_t n_pixels;
	snn_encoder enc;
	/* OUTPUT frame being filled during a STEP */
	uint8_t seq, out_payload[SNN_FRAME_MAX_PAYLOAD];
	uint32_t out_events, out_step, step_events;
};

static void send(snn_golden *dev, uint8_t op, uint8_t seq, const void *payload, size_t len)
{
	uint8_t frame[SNN_FRAME_MAX];
	int n = snn_frame_encode(op, seq, payload, len, frame);
	if (n > 0)
		dev->tx(dev->tx_ctx, frame, (size_t)n);
}

static void reply(snn_golden *dev, uint8_t op, uint8_t seq, const void *payload, size_t len)
{
	send(dev, (uint8_t)(op | SNN_REPLY_BIT), seq, payload, len);
}

/* ERROR payload: u8 code, u8 request op, u16 detail, then an optional
 * human-readable message (the golden device always sends one). */
static void error_reply(snn_golden *dev, uint8_t seq, uint8_t op, uint8_t code,
			uint16_t detail, const char *msg)
{
	uint8_t p[4 + 200];
	size_t mlen = msg ? strnlen(msg, 200) : 0;
	p[0] = code;
	p[1] = op;
	snn_put16(p + 2, detail);
	memcpy(p + 4, msg, mlen);
	send(dev, SNN_OP_ERROR, seq, p, 4 + mlen);
}

/* Fold the simulator's counters into the device's before it goes away. */
static void drop_sim(snn_golden *dev)
{
	if (!dev->sim)
		return;
	const uint64_t *c = dev->eng->counters(dev->sim);
	for (int i = 0; i < SNN_CTR_COUNT; i++)
		dev->ctr[i] += c[i];
	dev->eng->destroy(dev->sim);
	dev->sim = NULL;
}

static void counters_now(const snn_golden *dev, uint64_t out[SNN_CTR_COUNT])
{
	memcpy(out, dev->ctr, sizeof dev->ctr);
	if (dev->sim) {
		const uint64_t *c = dev->eng->counters(dev->sim);
		for (int i = 0; i < SNN_CTR_COUNT; i++)
			out[i] += c[i];
	}
}

/* The golden simulator as the device's engine. */
static int sim_create(const snn_config *cfg, void **out, snn_diag *diag)
{
	snn_sim *sim;
	int rc = snn_sim_create(cfg, &sim, diag);
	*out = rc ? NULL : sim;
	return rc;
}
static void sim_destroy(void *e) { snn_sim_free(e); }
static void sim_reset(void *e) { snn_sim_reset(e); }
static void sim_reset_counters(void *e) { snn_sim_reset_counters(e); }
static int sim_input(void *e, uint32_t index) { return snn_sim_input(e, index); }
static void sim_input_retract(void *e, uint32_t k) { snn_sim_input_retract(e, k); }
static void sim_step(void *e, snn_output_fn out, void *ctx) { snn_sim_step(e, out, NULL, ctx); }
static int sim_get_state(void *e, unsigned core, unsigned neuron, int32_t *v, uint32_t *ref)
{
	return snn_sim_get_state(e, core, neuron, v, ref);
}
static int sim_set_state(void *e, unsigned core, unsigned neuron, int32_t v, uint32_t ref)
{
	return snn_sim_set_state(e, core, neuron, v, ref);
}
static const uint64_t *sim_counters(void *e) { return snn_sim_counters(e); }
static uint32_t sim_step_index(void *e) { return snn_sim_step_index(e); }

const snn_device_engine snn_golden_engine = {
	.kind = SNN_DEVICE_GOLDEN,
	.create = sim_create,
	.destroy = sim_destroy,
	.reset = sim_reset,
	.reset_counters = sim_reset_counters,
	.input = sim_input,
	.input_retract = sim_input_retract,
	.step = sim_step,
	.get_state = sim_get_state,
	.set_state = sim_set_state,
	.counters = sim_counters,
	.step_index = sim_step_index,
};

int snn_golden_open(const snn_geometry *geo, uint32_t build_id, snn_tx_fn tx, void *ctx,
		    snn_golden **out)
{
	return snn_golden_open_engine(geo, build_id, &snn_golden_engine, tx, ctx, out);
}

int snn_golden_open_engine(const snn_geometry *geo, uint32_t build_id,
			   const snn_device_engine *eng, snn_tx_fn tx, void *ctx, snn_golden **out)
{
	*out = NULL;
	snn_golden *dev = calloc(1, sizeof *dev);
	if (!dev)
		return SNN_ERR_NOMEM;
	int rc = snn_config_init(&dev->cfg, geo, NULL);
	if (rc) {
		free(dev);
		return rc;
	}
	dev->build_id = build_id;
	dev->eng = eng;
	dev->tx = tx;
	dev->tx_ctx = ctx;
	dev->written = true;	/* an empty configuration needs a RESET too */
	snn_decoder_init(&dev->dec);
	*out = dev;
	return 0;
}

void snn_golden_close(snn_golden *dev)
{
	if (!dev)
		return;
	drop_sim(dev);
	free(dev->pixels);
	snn_encoder_free(&dev->enc);
	snn_config_free(&dev->cfg);
	free(dev);
}

/* A pixel buffer, zeroed, the size of a valid configuration's input
 * tensor; none otherwise (PIXELS and RUN then refuse with CONFIG). */
static void alloc_pixels(snn_golden *dev)
{
	free(dev->pixels);
	snn_encoder_free(&dev->enc);
	dev->pixels = NULL;
	dev->n_pixels = 0;
	if (!dev->sim)
		return;
	const snn_config *cfg = &dev->cfg;	/* what sim was built from */
	uint32_t n = cfg->global[SNN_G_INPUT_ROUTES] ? cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
							cfg->global[SNN_G_INPUT_W] : 0;
	dev->pixels = calloc(n ? n : 1, 1);
	if (dev->pixels && snn_encoder_init(&dev->enc, SNN_ENC_RATE, n) == 0)
		dev->n_pixels = n;
}

/* An image built for a board's profile runs here only if the board could
 * run it: the golden device stands in for that board, and must not run a
 * core mode its RTL engine lacks (deconv). Other geometries: every mode. */
static int check_modes(const snn_golden *dev, snn_diag *d)
{
	const snn_profile *p = snn_profile_of(&dev->cfg.geo);
	char who[64];
	snprintf(who, sizeof who, "the %s device", p ? p->name : "");
	return p ? snn_config_check_modes(&dev->cfg, p->modes, who, d) : 0;
}

static void do_reset(snn_golden *dev, uint8_t level)
{
	if (level >= SNN_RESET_ALL) {
		snn_geometry geo = dev->cfg.geo;
		snn_config_free(&dev->cfg);
		snn_config_init(&dev->cfg, &geo, NULL);
		dev->written = true;
	}
	if (dev->written) {	/* rebuild from the new configuration */
		drop_sim(dev);
		snn_diag d;
		if (check_modes(dev, &d) || dev->eng->create(&dev->cfg, &dev->sim, &d))
			dev->sim_error = d;
		dev->written = false;
		alloc_pixels(dev);
	} else if (dev->sim) {
		dev->eng->reset(dev->sim);
	}
	if (level >= SNN_RESET_COUNTERS) {
		memset(dev->ctr, 0, sizeof dev->ctr);
		if (dev->sim)
			dev->eng->reset_counters(dev->sim);
	}
}

/* A STEP, INPUT or STATE access needs a valid configuration loaded by RESET. */
static bool need_sim(snn_golden *dev, const snn_frame *f)
{
	if (dev->written) {
		error_reply(dev, f->seq, f->op, SNN_LERR_CONFIG, 1,
			    "configuration written since the last RESET");
		return false;
	}
	if (!dev->sim) {
		error_reply(dev, f->seq, f->op, SNN_LERR_CONFIG, 2, dev->sim_error.msg);
		return false;
	}
	return true;
}

static void flush_output(snn_golden *dev)
{
	if (!dev->out_events)
		return;
	snn_put32(dev->out_payload, dev->out_step);
	send(dev, SNN_OP_OUTPUT, dev->seq, dev->out_payload, 4 + 4 * (size_t)dev->out_events);
	dev->out_events = 0;
}

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	snn_golden *dev = ctx;
	if (dev->out_events && (step != dev->out_step || dev->out_events == OUTPUT_EVENTS_PER_FRAME))
		flush_output(dev);
	dev->out_step = step;
	uint8_t *p = dev->out_payload + 4 + 4 * dev->out_events++;
	snn_put16(p, core);
	snn_put16(p + 2, neuron);
	dev->step_events++;
}

/* Parse the common (region, core, index) address of memory requests. */
typedef struct mem_addr {
	uint8_t region;
	uint16_t core;
	uint32_t index;
} mem_addr;

static mem_addr parse_addr(const uint8_t *p)
{
	mem_addr a = {p[0], snn_get16(p + 2), snn_get32(p + 4)};
	return a;
}

static bool state_addr_ok(const snn_golden *dev, mem_addr a, uint32_t count)
{
	const snn_config *cfg = &dev->cfg;	/* what sim was built from */
	if (a.core >= cfg->global[SNN_G_N_CORES] || cfg->core[a.core].reg[SNN_R_MODE] == 0)
		return false;
	uint64_t words = 2ull * cfg->core[a.core].reg[SNN_R_N_NEURONS];
	return (uint64_t)a.index + count <= words;
}

/* Is a a BIAS word of a core with a bias per channel (FLAGS CHAN_BIAS)?
 * Its word k is channel k's bias, which every neuron of the channel takes. */
static bool chan_bias_word(const snn_golden *dev, mem_addr a)
{
	return a.region == SNN_REGION_BIAS && a.core < dev->cfg.geo.n_cores &&
	       snn_core_chan_bias(&dev->cfg, a.core);
}

static void write_chan_bias(snn_golden *dev, unsigned core, uint32_t k, uint32_t word)
{
	snn_core_cfg *c = &dev->cfg.core[core];
	uint64_t plane = (uint64_t)c->reg[SNN_R_OUT_H] * c->reg[SNN_R_OUT_W];
	for (uint64_t n = k * plane; n < (k + 1) * plane && n < dev->cfg.geo.neurons_per_core; n++)
		c->bias[n] = (int32_t)word;
}

static bool config_addr_ok(const snn_golden *dev, mem_addr a, uint32_t count)
{
	uint32_t limit = snn_config_region_words(&dev->cfg, a.region);
	if (a.region >= SNN_REGION_COUNT || a.region == SNN_REGION_STATE)
		return false;
	if (a.region != SNN_REGION_GLOBAL && a.region != SNN_REGION_INPUT_ROUTE &&
	    a.core >= dev->cfg.geo.n_cores)
		return false;
	if (chan_bias_word(dev, a))	/* a channel's bias */
		limit = dev->cfg.core[a.core].reg[SNN_R_OUT_NC];
	if (a.region == SNN_REGION_SYNAPSE && snn_geometry_shared(&dev->cfg.geo) &&
	    snn_core_synapse_share(&dev->cfg, a.core) > limit)	/* padded tap lines */
		limit = (uint32_t)snn_core_synapse_share(&dev->cfg, a.core);
	return (uint64_t)a.index + count <= limit;
}

/* Core a.core's weight at SYNAPSE word a.index + i as the host placed it
 * (a conv core's taps as lines: snn_synapse_word_at); -1 for padding. */
static int64_t synapse_word(const snn_golden *dev, mem_addr a, uint32_t i)
{
	int64_t at = snn_synapse_word_at(&dev->cfg.geo, dev->cfg.core[a.core].reg, a.index + i);
	return at < (int64_t)dev->cfg.geo.synapse_words ? at : -1;
}

static uint32_t read_word(const snn_golden *dev, mem_addr a, uint32_t i)
{
	uint32_t w = 0;
	if (a.region == SNN_REGION_STATE) {
		int32_t v;
		uint32_t ref;
		dev->eng->get_state(dev->sim, a.core, (a.index + i) / 2, &v, &ref);
		w = (a.index + i) % 2 ? ref : (uint32_t)v;
	} else if (chan_bias_word(dev, a)) {
		w = (uint32_t)snn_core_bias_word(&dev->cfg, a.core, a.index + i);
	} else if (a.region == SNN_REGION_SYNAPSE) {
		int64_t at = synapse_word(dev, a, i);
		if (at >= 0)
			snn_config_read_word(&dev->cfg, a.region, a.core, (uint32_t)at, &w);
	} else {
		snn_config_read_word(&dev->cfg, a.region, a.core, a.index + i, &w);
	}
	return w;
}

/* Protocol 3 addresses a core's BIAS, SYNAPSE, ROUTE and STATE words where
 * they lie in the shared memories: its base register's place plus the word
 * (docs/host-protocol.md, "Address"). Back to the core's own word index, by
 * the base registers this device holds; false below the base or past the
 * shared memory (as an engine refuses it). */
static bool to_core_index(const snn_golden *dev, mem_addr *a, uint32_t count)
{
	if (a->core >= dev->cfg.geo.n_cores)
		return true;	/* a per-core region refuses it below */
	const snn_geometry *g = &dev->cfg.geo;
	uint64_t base = snn_region_base(g, dev->cfg.core[a->core].reg, a->region);
	uint64_t size = snn_region_shared_words(g, a->region);
	if (base >= SNN_CHAN_WINDOW)	/* a CHAN_BIAS core's table or half records */
		size = SNN_CHAN_WINDOW + (a->region == SNN_REGION_BIAS
						  ? SNN_CHAN_BIAS_MAX
						  : 2 * snn_geometry_synapse_total(g) / (g->state_words / 2));
	if (a->index < base || (size && (uint64_t)a->index + count > size))
		return false;
	a->index -= (uint32_t)base;
	return true;
}

/* Check a memory request's address, and make its index the core's own;
 * STATE needs a loaded simulator. */
static bool mem_ok(snn_golden *dev, const snn_frame *f, mem_addr *a, uint32_t count)
{
	bool ok;
	mem_addr sent = *a;
	if (a->region == SNN_REGION_STATE) {
		if (!need_sim(dev, f))
			return false;
		ok = to_core_index(dev, a, count) && state_addr_ok(dev, *a, count);
	} else {
		ok = to_core_index(dev, a, count) && config_addr_ok(dev, *a, count);
	}
	if (!ok) {
		char msg[120];
		snprintf(msg, sizeof msg, "region %s core %u words %u..%llu outside the memory map",
			 snn_region_name(sent.region), sent.core, sent.index,
			 (unsigned long long)sent.index + count - 1);
		error_reply(dev, f->seq, f->op, SNN_LERR_ADDRESS, 0, msg);
	}
	return ok;
}

static void op_write_mem(snn_golden *dev, const snn_frame *f)
{
	if (f->len < 12 || (f->len - 8) % 4) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len,
			    "WRITE_MEM takes an 8-byte address and whole words");
		return;
	}
	mem_addr a = parse_addr(f->payload);
	uint32_t count = (f->len - 8u) / 4u;
	if (!mem_ok(dev, f, &a, count))
		return;
	const uint8_t *w = f->payload + 8;
	if (a.region == SNN_REGION_STATE) {
		/* Validate every word before writing any, so the write is atomic. */
		for (uint32_t i = 0; i < count; i++) {
			int64_t word = (a.index + i) % 2 ? (int64_t)snn_get32(w + 4 * i)
							 : (int32_t)snn_get32(w + 4 * i);
			bool ok = (a.index + i) % 2
					  ? word <= SNN_MAX_REFRACTORY
					  : word >= snn_vmin(&dev->cfg.geo) && word <= snn_vmax(&dev->cfg.geo);
			if (!ok) {
				error_reply(dev, f->seq, f->op, SNN_LERR_ARG, (uint16_t)i,
					    "state word outside the membrane or refractory range");
				return;
			}
		}
		for (uint32_t i = 0; i < count; i++) {
			int32_t v;
			uint32_t ref;
			uint32_t n = (a.index + i) / 2;
			dev->eng->get_state(dev->sim, a.core, n, &v, &ref);
			if ((a.index + i) % 2)
				ref = snn_get32(w + 4 * i);
			else
				v = (int32_t)snn_get32(w + 4 * i);
			dev->eng->set_state(dev->sim, a.core, n, v, ref);
		}
	} else {
		for (uint32_t i = 0; i < count; i++)
			if (chan_bias_word(dev, a))
				write_chan_bias(dev, a.core, a.index + i, snn_get32(w + 4 * i));
			else if (a.region == SNN_REGION_SYNAPSE && synapse_word(dev, a, i) < 0)
				;	/* a tap line's padding: it holds 0 */
			else if (a.region == SNN_REGION_SYNAPSE)
				snn_config_write_word(&dev->cfg, a.region, a.core,
						      (uint32_t)synapse_word(dev, a, i), snn_get32(w + 4 * i));
			else
				snn_config_write_word(&dev->cfg, a.region, a.core, a.index + i,
						      snn_get32(w + 4 * i));
		dev->written = true;
	}
	reply(dev, f->op, f->seq, NULL, 0);
}

static void op_read_mem(snn_golden *dev, const snn_frame *f)
{
	if (f->len != 10) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len, "READ_MEM takes 10 bytes");
		return;
	}
	mem_addr a = parse_addr(f->payload);
	uint32_t count = snn_get16(f->payload + 8);
	if (count < 1 || count > SNN_FRAME_MAX_PAYLOAD / 4) {
		error_reply(dev, f->seq, f->op, SNN_LERR_ARG, (uint16_t)count,
			    "READ_MEM count must be 1..256 words");
		return;
	}
	if (!mem_ok(dev, f, &a, count))
		return;
	uint8_t p[SNN_FRAME_MAX_PAYLOAD];
	for (uint32_t i = 0; i < count; i++)
		snn_put32(p + 4 * i, read_word(dev, a, i));
	reply(dev, f->op, f->seq, p, 4 * count);
}

static void op_checksum(snn_golden *dev, const snn_frame *f)
{
	if (f->len != 12) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len, "CHECKSUM takes 12 bytes");
		return;
	}
	mem_addr a = parse_addr(f->payload);
	uint32_t count = snn_get32(f->payload + 8);
	if (count < 1) {
		error_reply(dev, f->seq, f->op, SNN_LERR_ARG, 0, "CHECKSUM count must be at least 1");
		return;
	}
	if (!mem_ok(dev, f, &a, count))
		return;
	uLong crc = crc32(0L, Z_NULL, 0);
	for (uint32_t i = 0; i < count; i++) {
		uint8_t b[4];
		snn_put32(b, read_word(dev, a, i));
		crc = crc32(crc, b, 4);
	}
	uint8_t p[4];
	snn_put32(p, (uint32_t)crc);
	reply(dev, f->op, f->seq, p, 4);
}

static void op_input(snn_golden *dev, const snn_frame *f)
{
	if (f->len % 4) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len, "INPUT takes whole u32 indices");
		return;
	}
	if (!need_sim(dev, f))
		return;
	const snn_config *cfg = &dev->cfg;	/* what sim was built from */
	uint32_t size = cfg->global[SNN_G_INPUT_ROUTES] ? cfg->global[SNN_G_INPUT_C] *
			cfg->global[SNN_G_INPUT_H] * cfg->global[SNN_G_INPUT_W] : 0;
	uint32_t n = f->len / 4u;
	/* Check the whole frame first so that a refused frame queues nothing:
	 * each index must be inside the tensor and not yet queued. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t q = snn_get32(f->payload + 4 * i);
		int rc = q < size ? dev->eng->input(dev->sim, q) : SNN_ERR_RANGE;
		if (rc) {
			dev->eng->input_retract(dev->sim, i);
			error_reply(dev, f->seq, f->op, SNN_LERR_ARG, (uint16_t)i,
				    rc == SNN_ERR_RANGE ? "input index outside the input tensor"
							: "input index already queued for this step");
			return;
		}
	}
	reply(dev, f->op, f->seq, NULL, 0);
}

static void op_step(snn_golden *dev, const snn_frame *f)
{
	if (f->len != 2) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len, "STEP takes a u16 step count");
		return;
	}
	if (!need_sim(dev, f))
		return;
	uint16_t n = snn_get16(f->payload);
	uint32_t first = dev->eng->step_index(dev->sim);
	dev->seq = f->seq;
	dev->out_events = 0;
	dev->step_events = 0;
	for (uint16_t i = 0; i < n; i++) {
		dev->eng->step(dev->sim, on_output, dev);
		flush_output(dev);
	}
	uint8_t p[12];
	snn_put32(p, n);
	snn_put32(p + 4, first);
	snn_put32(p + 8, dev->step_events);
	reply(dev, f->op, f->seq, p, sizeof p);
}

static void op_pixels(snn_golden *dev, const snn_frame *f)
{
	if (f->len < 5) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len,
			    "PIXELS takes a u32 offset and at least one value");
		return;
	}
	if (!need_sim(dev, f))
		return;
	uint32_t at = snn_get32(f->payload), n = f->len - 4u;
	if (at > dev->n_pixels || n > dev->n_pixels - at) {
		error_reply(dev, f->seq, f->op, SNN_LERR_ARG, 0, "values beyond the input tensor");
		return;
	}
	memcpy(dev->pixels + at, f->payload + 4, n);
	reply(dev, f->op, f->seq, NULL, 0);
}

static void emit_input(void *ctx, uint32_t index)
{
	snn_golden *dev = ctx;
	dev->eng->input(dev->sim, index);	/* the encoder emits each index once a step */
}

/* RUN: a sample from the stored values, encoded on the device: reset of
 * level 0, the rate encoder started, then n steps as STEP runs them. */
static void op_run(snn_golden *dev, const snn_frame *f)
{
	if (f->len != 4) {
		error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len,
			    "RUN takes a u16 step count, a u8 flags byte and a u8 0");
		return;
	}
	if (!need_sim(dev, f))
		return;
	uint16_t n = snn_get16(f->payload);
	uint8_t flags = f->payload[2];
	if (n == 0 || flags > 1 || f->payload[3]) {
		error_reply(dev, f->seq, f->op, SNN_LERR_ARG, n == 0 ? 0 : flags > 1 ? 2 : 3,
			    "RUN needs 1..65535 steps, flags 0 or 1, and a 0 byte");
		return;
	}
	dev->eng->reset(dev->sim);
	snn_encoder_start(&dev->enc, dev->pixels, 0);
	dev->seq = f->seq;
	dev->out_events = 0;
	dev->step_events = 0;
	for (uint16_t i = 0; i < n; i++) {
		snn_encoder_step(&dev->enc, emit_input, dev);
		dev->eng->step(dev->sim, flags ? on_output : NULL, dev);
		flush_output(dev);
	}
	uint8_t p[12];
	snn_put32(p, n);
	snn_put32(p + 4, 0);
	snn_put32(p + 8, dev->step_events);
	reply(dev, f->op, f->seq, p, sizeof p);
}

static void op_identify(snn_golden *dev, const snn_frame *f)
{
	uint8_t p[8 + SNN_GEOMETRY_BYTES];
	snn_put16(p, SNN_PROTOCOL_VERSION);
	p[2] = dev->eng->kind;
	p[3] = 0;
	snn_put32(p + 4, dev->build_id);
	const uint32_t *g = &dev->cfg.geo.n_cores;
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS; i++)
		snn_put32(p + 8 + 4 * i, g[i]);
	reply(dev, f->op, f->seq, p, sizeof p);
}

static void handle(snn_golden *dev, const snn_frame *f)
{
	if (dev->have_seq && f->seq != dev->next_seq)
		dev->ctr[SNN_CTR_SEQ_ERRORS]++;
	dev->have_seq = true;
	dev->next_seq = (uint8_t)(f->seq + 1);
	uint8_t counters[8 * SNN_CTR_COUNT];
	uint64_t now[SNN_CTR_COUNT];
	switch (f->op) {
	case SNN_OP_IDENTIFY:
		if (f->len)
			break;
		op_identify(dev, f);
		return;
	case SNN_OP_RESET:
		if (f->len != 1)
			break;
		if (f->payload[0] > SNN_RESET_ALL) {
			error_reply(dev, f->seq, f->op, SNN_LERR_ARG, f->payload[0], "unknown reset level");
			return;
		}
		do_reset(dev, f->payload[0]);
		reply(dev, f->op, f->seq, NULL, 0);
		return;
	case SNN_OP_WRITE_MEM: op_write_mem(dev, f); return;
	case SNN_OP_READ_MEM: op_read_mem(dev, f); return;
	case SNN_OP_CHECKSUM: op_checksum(dev, f); return;
	case SNN_OP_INPUT: op_input(dev, f); return;
	case SNN_OP_STEP: op_step(dev, f); return;
	case SNN_OP_PIXELS: op_pixels(dev, f); return;
	case SNN_OP_RUN: op_run(dev, f); return;
	case SNN_OP_COUNTERS:
		if (f->len)
			break;
		counters_now(dev, now);
		for (int i = 0; i < SNN_CTR_COUNT; i++)
			snn_put64(counters + 8 * i, now[i]);
		reply(dev, f->op, f->seq, counters, sizeof counters);
		return;
	case SNN_OP_ECHO:
		reply(dev, f->op, f->seq, f->payload, f->len);
		return;
	default:
		dev->ctr[SNN_CTR_FRAME_ERRORS]++;
		error_reply(dev, f->seq, f->op, SNN_LERR_OPCODE, 0, "unknown opcode");
		return;
	}
	dev->ctr[SNN_CTR_FRAME_ERRORS]++;
	error_reply(dev, f->seq, f->op, SNN_LERR_LENGTH, f->len, "wrong payload length for this opcode");
}

void snn_golden_receive(snn_golden *dev, const uint8_t *data, size_t len)
{
	while (len) {
		size_t used;
		snn_frame f;
		snn_decode_status st = snn_decoder_feed(&dev->dec, data, len, &used, &f);
		data += used;
		len -= used;
		switch (st) {
		case SNN_DECODE_FRAME:
			handle(dev, &f);
			break;
		case SNN_DECODE_BAD_CRC:
			dev->ctr[SNN_CTR_FRAME_ERRORS]++;
			error_reply(dev, dev->dec.last_seq, dev->dec.last_op, SNN_LERR_CRC, 0,
				    "frame CRC mismatch; frame discarded");
			break;
		case SNN_DECODE_BAD_LENGTH:
			dev->ctr[SNN_CTR_FRAME_ERRORS]++;
			error_reply(dev, dev->dec.last_seq, dev->dec.last_op, SNN_LERR_LENGTH,
				    dev->dec.last_len, "frame length exceeds the maximum payload");
			break;
		case SNN_DECODE_NEED_MORE:
			break;
		}
	}
}
