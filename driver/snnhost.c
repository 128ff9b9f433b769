/* The snnhost API (include/snnhost.h): device specs, identify, image
 * check and load, sample runs and readout, on a protocol session. */
#include "snnhost.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "session.h"
#include "snn/config.h"
#include "snn/encode.h"
#include "snn/readout.h"

#define DEFAULT_TIMEOUT_MS 5000u
#define WRITE_WORDS ((SNN_FRAME_MAX_PAYLOAD - 8) / 4)	/* 254 words a WRITE_MEM */
#define PIXELS_PER_FRAME (SNN_FRAME_MAX_PAYLOAD - 4)
#define INPUTS_PER_FRAME (SNN_FRAME_MAX_PAYLOAD / 4)
#define READ_NEURONS 128u	/* a READ_MEM of STATE: 2 words a neuron, 256 words */
/* Pipelined runs send at most this many request bytes ahead of the sample
 * the device works on, on every transport: the iCEBreaker's UART has no
 * flow control and a 2 KiB receive queue (docs/boards.md), so more could be
 * dropped while the device is busy. (UART transports also bound the
 * session itself: transport.h, ahead_bytes.) */
#define AHEAD_BYTES SNNHOST_UART_AHEAD
#define MAX_DEPTH 4u	/* samples in flight at most */

transport_sim_open_fn snnhost_sim_opener;

/* A run of output neurons read by one READ_MEM of STATE. */
typedef struct out_group {
	uint16_t core;
	uint32_t neuron, n, first;	/* first: output index of neuron */
	uint32_t base;	/* the core's STATE words in the device's memory (snn_region_base) */
} out_group;

struct snnhost {
	transport *t;
	session s;
	snnhost_device_info info;
	snnhost_identity id;
	volatile int interrupted;
	char err[512];
	/* the loaded image's maps */
	bool loaded;
	uint32_t n_inputs, n_outputs, steps, encoding, readout;
	snn_output_index outs;
	out_group *groups;
	uint32_t n_groups;
	uint32_t *counts;
	int32_t *membranes;
	snn_encoder enc;	/* host-side encoder (kind enc.kind) */
	bool enc_ready;
	bool no_device_encoding;	/* the device refused PIXELS/RUN with OPCODE */
	uint32_t *evbuf;	/* one step's input indices */
};

static int set_err(snnhost *h, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(snnhost *h, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->err, sizeof h->err, fmt, ap);
	va_end(ap);
	return code;
}

/* A session failure: its message becomes the handle's. */
static int sess_err(snnhost *h, int rc)
{
	if (rc)
		snprintf(h->err, sizeof h->err, "%s", h->s.why);
	return rc;
}

const char *snnhost_last_error(const snnhost *h)
{
	return h ? h->err : "";
}

const snnhost_device_info *snnhost_info(const snnhost *h)
{
	return &h->info;
}

const snnhost_identity *snnhost_identity_of(const snnhost *h)
{
	return &h->id;
}

const char *snnhost_kind_name(unsigned kind)
{
	switch (kind) {
	case SNN_DEVICE_GOLDEN: return "golden";
	case SNN_DEVICE_RTL: return "rtl";
	case SNN_DEVICE_FPGA: return "fpga";
	default: return "unknown";
	}
}

void snnhost_interrupt(snnhost *h)
{
	if (h)
		h->interrupted = 1;
}

void snnhost_get_stats(const snnhost *h, snnhost_stats *st)
{
	st->bytes_out = h->s.bytes_out;
	st->bytes_in = h->s.bytes_in;
	st->requests = h->s.requests;
}

int snnhost_list(snnhost_device_info *out, size_t max, size_t *count, snn_diag *diag)
{
	return snnhost_usb_list(out, max, count, diag);
}

static int identify(snnhost *h)
{
	int rc = snnhost_session_xact(&h->s, SNN_OP_IDENTIFY, NULL, 0, -1);
	if (rc)
		return sess_err(h, rc);
	const uint8_t *p = h->s.reply;
	if (h->s.reply_len < 8)
		return set_err(h, SNNHOST_ERROR_PROTOCOL, "IDENTIFY reply of %u bytes",
			       h->s.reply_len);
	h->id.protocol = snn_get16(p);
	h->id.kind = p[2];
	h->id.build_id = snn_get32(p + 4);
	memset(&h->id.geo, 0, sizeof h->id.geo);
	if (h->id.protocol == SNN_PROTOCOL_VERSION && h->s.reply_len != 8 + SNN_GEOMETRY_BYTES)
		return set_err(h, SNNHOST_ERROR_PROTOCOL,
			       "IDENTIFY reply of %u bytes; protocol %u has %u", h->s.reply_len,
			       SNN_PROTOCOL_VERSION, 8 + SNN_GEOMETRY_BYTES);
	uint32_t *g = &h->id.geo.n_cores;
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS && 8 + 4 * i + 4 <= h->s.reply_len; i++)
		g[i] = snn_get32(p + 8 + 4 * i);
	return 0;
}

/* "usb:VID:PID[:SERIAL]" */
static int parse_usb_ids(const char *s, uint16_t *vid, uint16_t *pid, char *serial, size_t cap)
{
	char *end;
	unsigned long v = strtoul(s, &end, 16);
	if (end == s || *end != ':' || v > 0xFFFF)
		return -1;
	s = end + 1;
	unsigned long p = strtoul(s, &end, 16);
	if (end == s || (*end && *end != ':') || p > 0xFFFF)
		return -1;
	*vid = (uint16_t)v;
	*pid = (uint16_t)p;
	serial[0] = 0;
	if (*end == ':')
		snprintf(serial, cap, "%s", end + 1);
	return 0;
}

static int open_transport(const char *spec, const snnhost_options *o, transport **t,
			  snnhost_device_info *info, snn_diag *diag)
{
	uint32_t baud = o->baud ? o->baud : 3000000u;
	snprintf(info->spec, sizeof info->spec, "%s", spec);
	if (!strncmp(spec, "golden", 6) || !strncmp(spec, "sim", 3)) {
		bool golden = spec[0] == 'g';
		const char *rest = spec + (golden ? 6 : 3);
		const snn_geometry *geo = o->geometry;
		int top = 0;
		if (*rest && *rest != ':')
			return snn_fail(diag, SNNHOST_ERROR_ARG, "unknown device '%s'", spec);
		if (*rest == ':' && golden) {
			const snn_profile *p = snn_profile_find(rest + 1);
			if (!p)
				return snn_fail(diag, SNNHOST_ERROR_ARG,
						"golden:%s: no such profile (sim, icebreaker, ulx3s)", rest + 1);
			geo = &p->geo;
		} else if (*rest == ':') {
			if (!strcmp(rest, ":top"))
				top = SNNHOST_SIM_TOP;
			else if (!strcmp(rest, ":uart"))
				top = SNNHOST_SIM_UART;
			else
				return snn_fail(diag, SNNHOST_ERROR_ARG,
						"unknown device '%s' (sim, sim:top or sim:uart)", spec);
		}
		if (!geo)
			geo = &snn_profile_default()->geo;
		snprintf(info->transport, sizeof info->transport, "%s", golden ? "golden" : "sim");
		snprintf(info->board, sizeof info->board, "%s", golden ? "golden model in process"
					: top == SNNHOST_SIM_UART ? "Verilated board design, bit-level UART"
					: top ? "Verilated snn_top in process" : "Verilated RTL in process");
		if (golden)
			return snnhost_golden_open(geo, o->build_id, t, diag);
		if (!snnhost_sim_opener)
			return snn_fail(diag, SNNHOST_ERROR_UNSUPPORTED,
					"this program was built without the Verilated RTL (sim); "
					"snnhost has it");
		return snnhost_sim_opener(geo, o->build_id, top, t, diag);
	}
	if (!strncmp(spec, "usb:", 4)) {
		uint16_t vid, pid;
		char serial[64];
		if (parse_usb_ids(spec + 4, &vid, &pid, serial, sizeof serial))
			return snn_fail(diag, SNNHOST_ERROR_ARG,
					"'%s': expected usb:VID:PID[:SERIAL] with hexadecimal IDs", spec);
		return snnhost_usb_open_ids(vid, pid, serial[0] ? serial : NULL, baud, t, info, diag);
	}
	if (!strncmp(spec, "usb", 3) && spec[3]) {
		char *end;
		unsigned long n = strtoul(spec + 3, &end, 10);
		if (*end || n > 255)
			return snn_fail(diag, SNNHOST_ERROR_ARG, "unknown device '%s'", spec);
		return snnhost_usb_open_index((unsigned)n, baud, t, info, diag);
	}
	return snn_fail(diag, SNNHOST_ERROR_ARG,
			"unknown device '%s': golden[:PROFILE], sim, sim:top, sim:uart, usbN or "
			"usb:VID:PID[:SERIAL]", spec);
}

int snnhost_open(const char *spec, const snnhost_options *opt, snnhost **out, snn_diag *diag)
{
	snnhost_options o = {0};
	if (opt)
		o = *opt;
	*out = NULL;
	if (!spec)
		return snn_fail(diag, SNNHOST_ERROR_ARG, "no device spec");
	snnhost *h = calloc(1, sizeof *h);
	if (!h)
		return snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
	int rc = open_transport(spec, &o, &h->t, &h->info, diag);
	if (rc) {
		free(h);
		return rc;
	}
	snnhost_session_init(&h->s, h->t, o.timeout_ms ? o.timeout_ms : DEFAULT_TIMEOUT_MS, &h->interrupted);
	rc = identify(h);
	if (rc) {
		snn_fail(diag, rc, "%s: IDENTIFY failed: %s", spec, h->err);
		snnhost_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

static void unload(snnhost *h)
{
	snn_output_index_free(&h->outs);
	free(h->groups);
	free(h->counts);
	free(h->membranes);
	free(h->evbuf);
	if (h->enc_ready)
		snn_encoder_free(&h->enc);
	h->groups = NULL;
	h->counts = NULL;
	h->membranes = NULL;
	h->evbuf = NULL;
	h->enc_ready = false;
	h->loaded = false;
}

void snnhost_close(snnhost *h)
{
	if (!h)
		return;
	h->interrupted = 0;
	snnhost_session_drain(&h->s);
	if (h->loaded && !h->s.broken) {	/* leave no sample half run */
		uint8_t level = SNN_RESET_STATE;
		snnhost_session_xact(&h->s, SNN_OP_RESET, &level, 1, 0);
	}
	unload(h);
	snnhost_session_free(&h->s);
	h->t->ops->close(h->t);
	free(h);
}

/* ---- image check and load ---- */

static const char *const geo_field[SNN_GEOMETRY_FIELDS] = {
	"n_cores", "neurons_per_core", "axons_per_core", "synapse_words", "weight_bits",
	"membrane_bits", "bias_bits", "routes_per_core", "input_routes", "max_phases",
	"neuron_total", "synapse_total", "route_total", "lanes", "state_words", "acc_bits",
};

static const char *profile_of(const snn_geometry *g)
{
	const snn_profile *p = snn_profile_of(g);
	return p ? p->name : NULL;
}

int snnhost_check_image(snnhost *h, const snn_image *img)
{
	if (h->id.protocol != SNN_PROTOCOL_VERSION)
		return set_err(h, SNNHOST_ERROR_MISMATCH,
			       "the device speaks protocol %u, this snnhost protocol %u: update the "
			       "board's bitstream or snnhost", h->id.protocol, SNN_PROTOCOL_VERSION);
	const uint32_t *a = &img->cfg.geo.n_cores, *b = &h->id.geo.n_cores;
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS; i++) {
		if (a[i] == b[i])
			continue;
		const char *pi = profile_of(&img->cfg.geo), *pd = profile_of(&h->id.geo);
		return set_err(h, SNNHOST_ERROR_MISMATCH,
			       "the image is for geometry %s%s%s, the device has %s%s%s: %s is %u in "
			       "the image and %u on the device; compile with snnc --target for this "
			       "device",
			       pi ? "'" : "", pi ? pi : "(no profile)", pi ? "'" : "", pd ? "'" : "",
			       pd ? pd : "(no profile)", pd ? "'" : "", geo_field[i], a[i], b[i]);
	}
	/* Only the golden model has every core mode everywhere; an RTL or FPGA
	 * device runs the modes its engine was built with (docs/core-array.md,
	 * "Which devices run it"). The golden device checks for itself. */
	snn_diag md;
	char who[48];
	snprintf(who, sizeof who, "the %s device", snnhost_kind_name(h->id.kind));
	if (h->id.kind != SNN_DEVICE_GOLDEN &&
	    snn_config_check_modes(&img->cfg, snn_rtl_modes(&h->id.geo), who, &md))
		return set_err(h, SNNHOST_ERROR_UNSUPPORTED, "%s; run the image on the golden device "
			       "(snnsim, or snnhost --device golden)", md.msg);
	char buf[64];
	const char *bid = snn_image_get_meta(img, "build_id", buf, sizeof buf);
	if (bid && strtoul(bid, NULL, 0) != h->id.build_id)
		return set_err(h, SNNHOST_ERROR_MISMATCH,
			       "the image is for build id %s, the device reports 0x%08X", bid,
			       h->id.build_id);
	return 0;
}

/* Write words[0..n) at (region, core) and read back their CHECKSUM;
 * reg: the core's registers, whose bases place the words (protocol 3). */
static int write_region(snnhost *h, unsigned region, unsigned core, const uint32_t *reg,
			const uint32_t *w, uint32_t n)
{
	uint32_t base = reg ? (uint32_t)snn_region_base(&h->id.geo, reg, region) : 0;
	if (!n)
		return 0;
	uint8_t p[SNN_FRAME_MAX_PAYLOAD];
	uLong crc = crc32(0L, Z_NULL, 0);
	for (uint32_t at = 0; at < n; at += WRITE_WORDS) {
		uint32_t k = n - at < WRITE_WORDS ? n - at : WRITE_WORDS;
		p[0] = (uint8_t)region;
		p[1] = 0;
		snn_put16(p + 2, (uint16_t)core);
		snn_put32(p + 4, base + at);
		for (uint32_t i = 0; i < k; i++)
			snn_put32(p + 8 + 4 * i, w[at + i]);
		crc = crc32(crc, p + 8, 4 * k);
		int rc = snnhost_session_send(&h->s, SNN_OP_WRITE_MEM, p, 8 + 4 * k, 0);
		if (rc)
			return sess_err(h, rc);
	}
	p[0] = (uint8_t)region;
	p[1] = 0;
	snn_put16(p + 2, (uint16_t)core);
	snn_put32(p + 4, base);
	snn_put32(p + 8, n);
	int rc = snnhost_session_send(&h->s, SNN_OP_CHECKSUM, p, 12, 4);
	while (!rc && h->s.pend_n)
		rc = snnhost_session_collect(&h->s, NULL);
	if (rc)
		return sess_err(h, rc);
	if (snn_get32(h->s.reply) != (uint32_t)crc)
		return set_err(h, SNNHOST_ERROR_VERIFY,
			       "read-back of %s core %u words 0..%u: device CRC 0x%08X, image 0x%08X; "
			       "the link or the device's memory is faulty", snn_region_name(region),
			       core, n - 1, snn_get32(h->s.reply), (uint32_t)crc);
	return 0;
}

/* Words up to the last non-zero one: the rest is zero after RESET ALL. */
static uint32_t extent(const uint32_t *w, uint32_t n)
{
	while (n && !w[n - 1])
		n--;
	return n;
}

/* The SYNAPSE words the host sends core c: its region, or on a geometry
 * with budgets its share where that is more (a conv core's padded lines). */
static uint32_t synapse_extent(const snn_config *cfg, unsigned c)
{
	uint64_t share = snn_geometry_shared(&cfg->geo) && c < cfg->global[SNN_G_N_CORES]
				 ? snn_core_synapse_share(cfg, c)
				 : 0;
	return share > cfg->geo.synapse_words ? (uint32_t)share : cfg->geo.synapse_words;
}

static int write_config(snnhost *h, const snn_config *cfg)
{
	const snn_geometry *g = &cfg->geo;
	size_t nw = g->synapse_words;
	if (nw < g->neurons_per_core)
		nw = g->neurons_per_core;
	if (nw < (size_t)SNN_ROUTE_WORDS * g->routes_per_core)
		nw = (size_t)SNN_ROUTE_WORDS * g->routes_per_core;
	if (nw < (size_t)SNN_ROUTE_WORDS * g->input_routes)
		nw = (size_t)SNN_ROUTE_WORDS * g->input_routes;
	if (nw < SNN_CORE_REGS)
		nw = SNN_CORE_REGS;
	for (unsigned c = 0; c < g->n_cores; c++)
		if (nw < synapse_extent(cfg, c))
			nw = synapse_extent(cfg, c);
	uint32_t *w = malloc(nw * sizeof *w);
	if (!w)
		return set_err(h, SNNHOST_ERROR_NOMEM, "out of memory");
	int rc = write_region(h, SNN_REGION_GLOBAL, 0, NULL, cfg->global, SNN_G_REGS);
	for (unsigned c = 0; !rc && c < g->n_cores; c++) {
		const snn_core_cfg *k = &cfg->core[c];
		rc = write_region(h, SNN_REGION_CORE, c, NULL, k->reg, extent(k->reg, SNN_CORE_REGS));
		/* a bias a neuron, or a channel's where the core keeps one a channel */
		uint32_t nb = c < cfg->global[SNN_G_N_CORES] ? snn_core_bias_words(cfg, c) : 0;
		for (uint32_t i = 0; i < g->neurons_per_core; i++)
			w[i] = i < nb ? (uint32_t)snn_core_bias_word(cfg, c, i) : 0;
		if (!rc)
			rc = write_region(h, SNN_REGION_BIAS, c, k->reg, w, extent(w, nb));
		/* in the device's order: a conv core's taps as lines, its share
		 * (snn_synapse_word_at) */
		uint32_t ns = synapse_extent(cfg, c);
		for (uint32_t i = 0; i < ns; i++) {
			int64_t at = snn_synapse_word_at(g, k->reg, i);
			w[i] = at < 0 || at >= g->synapse_words ? 0 : (uint32_t)(int32_t)k->syn[at];
		}
		if (!rc)
			rc = write_region(h, SNN_REGION_SYNAPSE, c, k->reg, w, extent(w, ns));
		for (uint32_t i = 0; i < g->routes_per_core; i++)
			snn_route_pack(&k->route[i], w + SNN_ROUTE_WORDS * i);
		if (!rc)
			rc = write_region(h, SNN_REGION_ROUTE, c, k->reg, w,
					  extent(w, SNN_ROUTE_WORDS * g->routes_per_core));
	}
	for (uint32_t i = 0; i < g->input_routes; i++)
		snn_route_pack(&cfg->input_route[i], w + SNN_ROUTE_WORDS * i);
	if (!rc)
		rc = write_region(h, SNN_REGION_INPUT_ROUTE, 0, NULL, w,
				  extent(w, SNN_ROUTE_WORDS * g->input_routes));
	free(w);
	return rc;
}

static int prepare_maps(snnhost *h, const snn_image *img)
{
	const snn_config *cfg = &img->cfg;
	h->n_inputs = cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
		      cfg->global[SNN_G_INPUT_W];
	h->n_outputs = img->io.n_outputs;
	h->steps = img->io.steps;
	h->encoding = img->io.encoding;
	h->readout = img->io.readout;
	h->counts = calloc(h->n_outputs ? h->n_outputs : 1, sizeof *h->counts);
	h->membranes = calloc(h->n_outputs ? h->n_outputs : 1, sizeof *h->membranes);
	h->groups = calloc(h->n_outputs ? h->n_outputs : 1, sizeof *h->groups);
	h->evbuf = calloc(h->n_inputs ? h->n_inputs : 1, sizeof *h->evbuf);
	if (!h->counts || !h->membranes || !h->groups || !h->evbuf ||
	    snn_output_index_init(&h->outs, img))
		return set_err(h, SNNHOST_ERROR_NOMEM, "out of memory");
	h->n_groups = 0;
	for (uint32_t j = 0; j < h->n_outputs; j++) {
		const snn_output_ref *o = &img->io.outputs[j];
		out_group *last = h->n_groups ? &h->groups[h->n_groups - 1] : NULL;
		if (last && last->core == o->core && last->neuron + last->n == o->neuron &&
		    last->first + last->n == j && last->n < READ_NEURONS) {
			last->n++;
			continue;
		}
		uint32_t base = (uint32_t)snn_region_base(&cfg->geo, cfg->core[o->core].reg,
							  SNN_REGION_STATE);
		h->groups[h->n_groups++] = (out_group){o->core, o->neuron, 1, j, base};
	}
	return 0;
}

int snnhost_reset(snnhost *h, unsigned level)
{
	uint8_t l = (uint8_t)level;
	if (level > SNN_RESET_ALL)
		return set_err(h, SNNHOST_ERROR_ARG, "reset level %u: 0, 1 or 2", level);
	return sess_err(h, snnhost_session_xact(&h->s, SNN_OP_RESET, &l, 1, 0));
}

int snnhost_load(snnhost *h, const snn_image *img)
{
	snn_diag d;
	unload(h);
	if (snn_config_validate(&img->cfg, &d))
		return set_err(h, SNNHOST_ERROR_INPUT, "the image's configuration is invalid: %s",
			       d.msg);
	int rc = snnhost_check_image(h, img);
	if (rc)
		return rc;
	if ((rc = snnhost_reset(h, SNN_RESET_ALL)) || (rc = write_config(h, &img->cfg)) ||
	    (rc = snnhost_reset(h, SNN_RESET_COUNTERS)))
		return rc;
	if ((rc = prepare_maps(h, img))) {
		unload(h);
		return rc;
	}
	h->loaded = true;
	h->no_device_encoding = false;
	return 0;
}

int snnhost_counters(snnhost *h, uint64_t ctr[SNN_CTR_COUNT])
{
	int rc = snnhost_session_xact(&h->s, SNN_OP_COUNTERS, NULL, 0, 8 * SNN_CTR_COUNT);
	if (rc)
		return sess_err(h, rc);
	for (unsigned i = 0; i < SNN_CTR_COUNT; i++)
		ctr[i] = snn_get64(h->s.reply + 8 * i);
	return 0;
}

int snnhost_echo(snnhost *h, const void *data, size_t len)
{
	if (len > SNN_FRAME_MAX_PAYLOAD)
		return set_err(h, SNNHOST_ERROR_ARG, "ECHO takes at most 1024 bytes");
	int rc = snnhost_session_xact(&h->s, SNN_OP_ECHO, data, len, (int)len);
	if (rc)
		return sess_err(h, rc);
	if (len && memcmp(h->s.reply, data, len))
		return set_err(h, SNNHOST_ERROR_VERIFY, "ECHO came back different");
	return 0;
}

/* ---- running samples ---- */

static void on_output(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	snnhost *h = ctx;
	(void)step;
	int32_t k = snn_output_lookup(&h->outs, core, neuron);
	if (k >= 0)
		h->counts[k]++;
}

static int send_state_reads(snnhost *h)
{
	for (uint32_t i = 0; i < h->n_groups; i++) {
		const out_group *g = &h->groups[i];
		uint8_t p[10] = {SNN_REGION_STATE, 0};
		snn_put16(p + 2, g->core);
		snn_put32(p + 4, g->base + 2 * g->neuron);
		snn_put16(p + 8, (uint16_t)(2 * g->n));
		int rc = snnhost_session_send(&h->s, SNN_OP_READ_MEM, p, sizeof p, (int)(8 * g->n));
		if (rc)
			return rc;
	}
	return 0;
}

/* Collect every pending reply; the last n_groups are the state reads. */
static int collect_sample(snnhost *h, snnhost_sample *out, uint64_t ev0)
{
	int rc = 0;
	while (!rc && h->s.pend_n > h->n_groups)
		rc = snnhost_session_collect(&h->s, NULL);
	for (uint32_t i = 0; !rc && i < h->n_groups; i++) {
		rc = snnhost_session_collect(&h->s, NULL);
		for (uint32_t k = 0; !rc && k < h->groups[i].n; k++)
			h->membranes[h->groups[i].first + k] = (int32_t)snn_get32(h->s.reply + 8 * k);
	}
	if (rc)
		return rc;
	out->counts = h->counts;
	out->membranes = h->membranes;
	out->output_events = h->s.output_events - ev0;
	out->cls = snn_readout_class(h->readout, h->n_outputs, h->counts, h->membranes);
	return 0;
}

static int begin_run(snnhost *h, snnhost_sample *out)
{
	memset(out, 0, sizeof *out);
	if (!h->loaded)
		return set_err(h, SNNHOST_ERROR_STATE, "no image loaded: snnhost_load first");
	if (h->s.broken)
		return set_err(h, SNNHOST_ERROR_STATE, "the link failed earlier: %s", h->s.why);
	if (h->interrupted) {
		h->interrupted = 0;	/* reported once */
		return set_err(h, SNNHOST_ERROR_INTERRUPTED, "interrupted");
	}
	if (h->n_groups > SESSION_WINDOW / 2)
		return set_err(h, SNNHOST_ERROR_UNSUPPORTED, "outputs scattered over %u runs of "
			       "neurons; at most %u", h->n_groups, SESSION_WINDOW / 2);
	memset(h->counts, 0, h->n_outputs * sizeof *h->counts);
	h->s.on_output = on_output;
	h->s.out_ctx = h;
	return 0;
}

static int end_run(snnhost *h, int rc)
{
	h->s.on_output = NULL;
	if (rc) {
		sess_err(h, rc);
		snnhost_session_drain(&h->s);	/* back in step with the device, if it can be */
	}
	if (rc == SNNHOST_ERROR_INTERRUPTED)
		h->interrupted = 0;
	return rc;
}

/* Steps of host events: INPUT frames then STEP; silent steps merged. */
static int send_events(snnhost *h, uint32_t steps, const uint32_t *const *ev, const uint32_t *nev)
{
	uint8_t level = SNN_RESET_STATE;
	int rc = snnhost_session_send(&h->s, SNN_OP_RESET, &level, 1, 0);
	uint32_t idle = 0;
	uint8_t p[SNN_FRAME_MAX_PAYLOAD];
	for (uint32_t t = 0; !rc && t <= steps; t++) {
		if (t < steps && !nev[t] && idle < 65535) {
			idle++;
			continue;
		}
		if (idle) {
			snn_put16(p, (uint16_t)idle);
			rc = snnhost_session_send(&h->s, SNN_OP_STEP, p, 2, 12);
			idle = 0;
		}
		if (t == steps || rc)
			break;
		for (uint32_t at = 0; !rc && at < nev[t]; at += INPUTS_PER_FRAME) {
			uint32_t k = nev[t] - at < INPUTS_PER_FRAME ? nev[t] - at : INPUTS_PER_FRAME;
			for (uint32_t i = 0; i < k; i++)
				snn_put32(p + 4 * i, ev[t][at + i]);
			rc = snnhost_session_send(&h->s, SNN_OP_INPUT, p, 4 * k, 0);
		}
		idle = 1;	/* this step's STEP, merged with silent ones after it */
	}
	return rc;
}

int snnhost_run_events(snnhost *h, uint32_t steps, const uint32_t *index, const uint32_t *start,
		       snnhost_sample *out)
{
	int rc = begin_run(h, out);
	if (rc)
		return rc;
	if (!steps)
		return set_err(h, SNNHOST_ERROR_ARG, "no steps to run");
	const uint32_t **ev = malloc(steps * sizeof *ev);
	uint32_t *nev = malloc(steps * sizeof *nev);
	if (!ev || !nev) {
		free(ev);
		free(nev);
		return set_err(h, SNNHOST_ERROR_NOMEM, "out of memory");
	}
	for (uint32_t t = 0; t < steps; t++) {
		ev[t] = index + start[t];
		nev[t] = start[t + 1] - start[t];
		out->input_events += nev[t];
	}
	uint64_t ev0 = h->s.output_events;
	rc = send_events(h, steps, ev, nev);
	if (!rc)
		rc = send_state_reads(h);
	if (!rc)
		rc = collect_sample(h, out, ev0);
	free(ev);
	free(nev);
	return end_run(h, rc);
}

static void count_input(void *ctx, uint32_t index)
{
	(void)index;
	(*(uint64_t *)ctx)++;
}

typedef struct ev_sink {
	uint32_t *buf, n;
} ev_sink;

static void take_input(void *ctx, uint32_t index)
{
	ev_sink *s = ctx;
	s->buf[s->n++] = index;
}

static int ensure_encoder(snnhost *h, uint32_t kind)
{
	if (h->enc_ready && h->enc.kind == kind)
		return 0;
	if (h->enc_ready)
		snn_encoder_free(&h->enc);
	h->enc_ready = false;
	if (snn_encoder_init(&h->enc, kind, h->n_inputs))
		return set_err(h, SNNHOST_ERROR_NOMEM, "out of memory");
	h->enc_ready = true;
	return 0;
}

/* The host encodes: INPUT and STEP frames, a step at a time in one stream. */
static int run_host(snnhost *h, const uint8_t *pixels, uint32_t steps, uint32_t enc,
		    uint64_t seed, snnhost_sample *out)
{
	int rc = ensure_encoder(h, enc);
	if (rc)
		return rc;
	uint64_t ev0 = h->s.output_events;
	uint8_t level = SNN_RESET_STATE, p[SNN_FRAME_MAX_PAYLOAD];
	rc = snnhost_session_send(&h->s, SNN_OP_RESET, &level, 1, 0);
	snn_encoder_start(&h->enc, pixels, seed);
	uint32_t idle = 0;
	for (uint32_t t = 0; !rc && t <= steps; t++) {
		ev_sink sink = {h->evbuf, 0};
		if (t < steps)
			snn_encoder_step(&h->enc, take_input, &sink);
		out->input_events += sink.n;
		if (t < steps && !sink.n && idle && idle < 65535) {
			idle++;
			continue;
		}
		if (idle) {
			snn_put16(p, (uint16_t)idle);
			rc = snnhost_session_send(&h->s, SNN_OP_STEP, p, 2, 12);
			idle = 0;
		}
		if (t == steps)
			break;
		for (uint32_t at = 0; !rc && at < sink.n; at += INPUTS_PER_FRAME) {
			uint32_t k = sink.n - at < INPUTS_PER_FRAME ? sink.n - at : INPUTS_PER_FRAME;
			for (uint32_t i = 0; i < k; i++)
				snn_put32(p + 4 * i, sink.buf[at + i]);
			rc = snnhost_session_send(&h->s, SNN_OP_INPUT, p, 4 * k, 0);
		}
		idle = 1;
	}
	if (!rc)
		rc = send_state_reads(h);
	return rc ? rc : collect_sample(h, out, ev0);
}

/* The device encodes: PIXELS, RUN, and the state reads, in one stream;
 * device_finish reads the replies. */
static int device_send(snnhost *h, const uint8_t *pixels, uint32_t steps)
{
	uint8_t p[SNN_FRAME_MAX_PAYLOAD];
	int rc = 0;
	for (uint32_t at = 0; !rc && at < h->n_inputs; at += PIXELS_PER_FRAME) {
		uint32_t k = h->n_inputs - at < PIXELS_PER_FRAME ? h->n_inputs - at : PIXELS_PER_FRAME;
		snn_put32(p, at);
		memcpy(p + 4, pixels + at, k);
		rc = snnhost_session_send(&h->s, SNN_OP_PIXELS, p, 4 + k, 0);
	}
	snn_put16(p, (uint16_t)steps);
	p[2] = h->readout == SNN_READOUT_SPIKES;	/* OUTPUT frames only when counted */
	p[3] = 0;
	if (!rc)
		rc = snnhost_session_send(&h->s, SNN_OP_RUN, p, 4, 12);
	return rc ? rc : send_state_reads(h);
}

/* Requests device_send makes for one sample. */
static unsigned device_requests(const snnhost *h)
{
	return (h->n_inputs + PIXELS_PER_FRAME - 1) / PIXELS_PER_FRAME + 1 + h->n_groups;
}

/* Request bytes device_send writes for one sample. */
static size_t device_bytes(const snnhost *h)
{
	size_t frames = (h->n_inputs + PIXELS_PER_FRAME - 1) / PIXELS_PER_FRAME;
	return h->n_inputs + frames * (SNN_FRAME_HEADER + 4 + SNN_FRAME_TRAILER) +
	       (SNN_FRAME_HEADER + 4 + SNN_FRAME_TRAILER) +
	       h->n_groups * (SNN_FRAME_HEADER + 10 + SNN_FRAME_TRAILER);
}

/* Read one device-encoded sample's replies (the oldest pending). */
static int device_finish(snnhost *h, const uint8_t *pixels, uint32_t steps, snnhost_sample *out,
			 unsigned *code)
{
	uint64_t ev0 = h->s.output_events;
	memset(h->counts, 0, h->n_outputs * sizeof *h->counts);
	memset(out, 0, sizeof *out);
	int rc = 0;
	for (unsigned i = device_requests(h) - h->n_groups; !rc && i > 0; i--)
		rc = snnhost_session_collect(&h->s, code);
	for (uint32_t i = 0; !rc && i < h->n_groups; i++) {
		rc = snnhost_session_collect(&h->s, code);
		for (uint32_t k = 0; !rc && k < h->groups[i].n; k++)
			h->membranes[h->groups[i].first + k] = (int32_t)snn_get32(h->s.reply + 8 * k);
	}
	if (rc)
		return rc;
	/* The encoder's input events, counted here as snnsim counts them. */
	snn_encoder_start(&h->enc, pixels, 0);
	for (uint32_t t = 0; t < steps; t++)
		snn_encoder_step(&h->enc, count_input, &out->input_events);
	out->device_encoded = 1;
	out->counts = h->counts;
	out->membranes = h->membranes;
	out->output_events = h->s.output_events - ev0;
	out->cls = snn_readout_class(h->readout, h->n_outputs, h->counts, h->membranes);
	return 0;
}

static int run_device(snnhost *h, const uint8_t *pixels, uint32_t steps, snnhost_sample *out,
		      unsigned *code)
{
	int rc = device_send(h, pixels, steps);
	return rc ? rc : device_finish(h, pixels, steps, out, code);
}

int snnhost_run_sample(snnhost *h, const uint8_t *pixels, const snnhost_run_options *opt,
		       snnhost_sample *out)
{
	snnhost_run_options o = {.encoding = -1};
	if (opt)
		o = *opt;
	int rc = begin_run(h, out);
	if (rc)
		return rc;
	uint32_t steps = o.steps ? o.steps : h->steps;
	uint32_t enc = o.encoding >= 0 ? (uint32_t)o.encoding : h->encoding;
	if (enc > SNN_ENC_POISSON)
		return set_err(h, SNNHOST_ERROR_ARG, "encoding %u: 0 rate or 1 Poisson", enc);
	if (!steps)
		return set_err(h, SNNHOST_ERROR_ARG, "no steps to run");
	bool device_can = enc == SNN_ENC_RATE && steps <= 65535 && h->n_inputs;
	if (o.mode == SNNHOST_MODE_DEVICE && !device_can)
		return set_err(h, SNNHOST_ERROR_UNSUPPORTED,
			       "the device encodes only rate-coded samples of 1..65535 steps");
	bool device = o.mode == SNNHOST_MODE_DEVICE ||
		      (o.mode == SNNHOST_MODE_AUTO && device_can && !h->no_device_encoding);
	if (device) {
		unsigned code = 0;
		if ((rc = ensure_encoder(h, SNN_ENC_RATE)))
			return rc;
		rc = run_device(h, pixels, steps, out, &code);
		if (rc == SNNHOST_ERROR_DEVICE && code == SNN_LERR_OPCODE &&
		    o.mode == SNNHOST_MODE_AUTO) {
			/* A device built without the encoder (OPCODE for PIXELS): the host
			 * encodes from now on. */
			snnhost_session_drain(&h->s);
			h->no_device_encoding = true;
			memset(out, 0, sizeof *out);
			memset(h->counts, 0, h->n_outputs * sizeof *h->counts);
		} else {
			return end_run(h, rc);
		}
	}
	return end_run(h, run_host(h, pixels, steps, enc, o.seed, out));
}

int snnhost_run_batch(snnhost *h, const uint8_t *pixels, size_t n,
		      const snnhost_run_options *opt, snnhost_sample_fn fn, void *ctx)
{
	snnhost_run_options o = {.encoding = -1};
	if (opt)
		o = *opt;
	snnhost_sample s;
	int rc = begin_run(h, &s);
	if (rc)
		return rc;
	uint32_t steps = o.steps ? o.steps : h->steps;
	uint32_t enc = o.encoding >= 0 ? (uint32_t)o.encoding : h->encoding;
	bool pipelined = o.mode != SNNHOST_MODE_HOST && enc == SNN_ENC_RATE && steps && steps <= 65535 &&
			 h->n_inputs && !h->no_device_encoding;
	/* Samples in flight: the one the device works on and those whose
	 * requests fit AHEAD_BYTES; replies must fit the session's window. */
	size_t ahead = h->s.t->ahead_bytes;
	size_t depth = ahead ? ahead / device_bytes(h) : 1 + AHEAD_BYTES / device_bytes(h);
	if (!depth)	/* a sample larger than the queue: the session holds it back */
		depth = 1;
	if (depth > MAX_DEPTH)
		depth = MAX_DEPTH;
	if (depth > SESSION_WINDOW / device_requests(h))
		depth = SESSION_WINDOW / device_requests(h);
	size_t k = 0;
	if (pipelined && n) {
		unsigned code = 0;
		rc = ensure_encoder(h, SNN_ENC_RATE);
		for (size_t j = 0; !rc && j + 1 < depth && j < n; j++)
			rc = device_send(h, pixels + j * h->n_inputs, steps);
		for (; !rc && k < n; k++) {
			if (k + depth - 1 < n)
				rc = device_send(h, pixels + (k + depth - 1) * h->n_inputs, steps);
			if (!rc)
				rc = device_finish(h, pixels + k * h->n_inputs, steps, &s, &code);
			if (rc)
				break;
			fn(ctx, k, &s);
		}
		if (rc == SNNHOST_ERROR_DEVICE && code == SNN_LERR_OPCODE && k == 0 &&
		    o.mode == SNNHOST_MODE_AUTO) {
			snnhost_session_drain(&h->s);	/* no PIXELS/RUN here: one at a time below */
			h->no_device_encoding = true;
			rc = 0;
		} else {
			return end_run(h, rc);
		}
	}
	end_run(h, 0);
	for (; !rc && k < n; k++) {
		snnhost_run_options ok = o;
		ok.seed = o.seed + k;
		rc = snnhost_run_sample(h, pixels + k * h->n_inputs, &ok, &s);
		if (!rc)
			fn(ctx, k, &s);
	}
	return rc;
}

/* Where core's STATE words start in the device's memory (protocol 3): by
 * its base registers, read from the device. */
static int state_base(snnhost *h, unsigned core, uint32_t *base)
{
	uint32_t reg[SNN_CORE_REGS] = {0};
	*base = 0;
	if (!snn_geometry_shared(&h->id.geo))
		return 0;
	uint8_t p[10] = {SNN_REGION_CORE, 0};
	snn_put16(p + 2, (uint16_t)core);
	snn_put32(p + 4, 0);
	snn_put16(p + 8, SNN_CORE_REGS);	/* MODE and FLAGS too: a CHAN_BIAS core's half records */
	int rc = snnhost_session_xact(&h->s, SNN_OP_READ_MEM, p, sizeof p, 4 * SNN_CORE_REGS);
	if (rc)
		return sess_err(h, rc);
	for (unsigned i = 0; i < SNN_CORE_REGS; i++)
		reg[i] = snn_get32(h->s.reply + 4 * i);
	*base = (uint32_t)snn_region_base(&h->id.geo, reg, SNN_REGION_STATE);
	return 0;
}

int snnhost_read_state(snnhost *h, unsigned core, unsigned neuron, unsigned count, int32_t *v,
		       uint32_t *ref)
{
	uint32_t base;
	int rc0 = state_base(h, core, &base);
	if (rc0)
		return rc0;
	for (unsigned at = 0; at < count; at += READ_NEURONS) {
		unsigned k = count - at < READ_NEURONS ? count - at : READ_NEURONS;
		uint8_t p[10] = {SNN_REGION_STATE, 0};
		snn_put16(p + 2, (uint16_t)core);
		snn_put32(p + 4, base + 2 * (neuron + at));
		snn_put16(p + 8, (uint16_t)(2 * k));
		int rc = snnhost_session_xact(&h->s, SNN_OP_READ_MEM, p, sizeof p, (int)(8 * k));
		if (rc)
			return sess_err(h, rc);
		for (unsigned i = 0; i < k; i++) {
			if (v)
				v[at + i] = (int32_t)snn_get32(h->s.reply + 8 * i);
			if (ref)
				ref[at + i] = snn_get32(h->s.reply + 8 * i + 4);
		}
	}
	return 0;
}
