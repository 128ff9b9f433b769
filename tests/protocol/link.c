/* Host side of the link protocol for the protocol tests (see link.h). */
#include "link.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined PL_LEAN
const unsigned pl_device_kind = 3;
#elif defined PL_RTL
const unsigned pl_device_kind = 2;
#else
const unsigned pl_device_kind = 1;
#endif
unsigned long long pl_violations;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

void pl_events_push(pl_events *l, uint32_t step, uint16_t core, uint16_t neuron)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->e = xrealloc(l->e, l->cap * sizeof *l->e);
	}
	l->e[l->n++] = (pl_event){step, core, neuron};
}

void pl_events_free(pl_events *l)
{
	free(l->e);
	*l = (pl_events){0};
}

static int ev_cmp(const void *a, const void *b)
{
	const pl_event *x = a, *y = b;
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->neuron < y->neuron ? -1 : x->neuron > y->neuron;
}

void pl_events_sort(pl_events *l)
{
	if (l->n > 1)
		qsort(l->e, l->n, sizeof *l->e, ev_cmp);
}

void pl_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xFF);
	p[1] = (uint8_t)(v >> 8);
}

void pl_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v & 0xFF);
	p[1] = (uint8_t)((v >> 8) & 0xFF);
	p[2] = (uint8_t)((v >> 16) & 0xFF);
	p[3] = (uint8_t)(v >> 24);
}

uint16_t pl_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] + 256u * p[1]);
}

uint32_t pl_get32(const uint8_t *p)
{
	return (uint32_t)p[0] + ((uint32_t)p[1] << 8) + ((uint32_t)p[2] << 16) +
	       ((uint32_t)p[3] << 24);
}

uint64_t pl_get64(const uint8_t *p)
{
	return (uint64_t)pl_get32(p) + ((uint64_t)pl_get32(p + 4) << 32);
}

uint32_t pl_crc(const void *data, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)len);
}

size_t pl_encode(uint8_t op, uint8_t seq, const void *payload, size_t len,
		 uint8_t *out)
{
	out[0] = PL_SOF;
	out[1] = op;
	out[2] = seq;
	pl_put16(out + 3, (uint16_t)len);
	if (len)
		memcpy(out + 5, payload, len);
	pl_put32(out + 5 + len, pl_crc(out + 1, 4 + len));
	return 9 + len;
}

static void tx(void *ctx, const uint8_t *data, size_t len)
{
	pl_link *l = ctx;
	if (l->rx_len + len > l->rx_cap) {
		size_t cap = l->rx_cap ? l->rx_cap : 4096;
		while (cap < l->rx_len + len)
			cap *= 2;
		l->rx = xrealloc(l->rx, cap);
		l->rx_cap = cap;
	}
	memcpy(l->rx + l->rx_len, data, len);
	l->rx_len += len;
}

int pl_open(pl_link *l, const snn_geometry *geo, uint32_t build_id)
{
	memset(l, 0, sizeof *l);
#ifdef PL_RTL
	/* Pause the link both ways at random, so every handshake of the device
	 * is exercised; the bytes must come out the same. */
	int rc = snn_rtldev_open(geo, build_id, tx, l, &l->dev);
	if (rc == 0)
		snn_rtldev_pauses(l->dev, 10, 20);
	return rc;
#else
	return snn_golden_open(geo, build_id, tx, l, &l->dev);
#endif
}

void pl_close(pl_link *l)
{
	if (l->dev) {
#ifdef PL_RTL
		pl_violations += snn_rtldev_violations(l->dev);
		snn_rtldev_close(l->dev);
#else
		snn_golden_close(l->dev);
#endif
	}
	free(l->rx);
	pl_events_free(&l->out);
	memset(l, 0, sizeof *l);
}

void pl_send(pl_link *l, const uint8_t *b, size_t n)
{
#ifdef PL_RTL
	snn_rtldev_receive(l->dev, b, n);
#else
	snn_golden_receive(l->dev, b, n);
#endif
}

size_t pl_pending(const pl_link *l)
{
	return l->rx_len - l->rx_pos;
}

static int fail(pl_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(pl_link *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->why, sizeof l->why, fmt, ap);
	va_end(ap);
	return -1;
}

int pl_next(pl_link *l, pl_frame *f)
{
	size_t have = pl_pending(l);
	const uint8_t *p = l->rx + l->rx_pos;
	if (have == 0)
		return 0;
	if (p[0] != PL_SOF) {
		/* The device sends nothing but frames: no byte may come between. */
		l->rx_pos = l->rx_len;
		return fail(l, "device sent 0x%02X where a frame (SOF 0xA5) should start",
			    p[0]);
	}
	if (have < 5)
		return 0;
	uint16_t len = pl_get16(p + 3);
	if (len > PL_MAXP) {
		l->rx_pos = l->rx_len;
		return fail(l, "device sent a frame (op 0x%02X) with length %u > 1024",
			    p[1], len);
	}
	if (have < 9u + len)
		return 0;
	uint32_t want = pl_crc(p + 1, 4u + len), got = pl_get32(p + 5 + len);
	l->rx_pos += 9u + len;
	if (want != got)
		return fail(l, "device frame op 0x%02X seq %u len %u has CRC 0x%08X, "
			    "expected 0x%08X", p[1], p[2], len, got, want);
	f->op = p[1];
	f->seq = p[2];
	f->len = len;
	memcpy(f->payload, p + 5, len);
	if (l->rx_pos == l->rx_len)
		l->rx_pos = l->rx_len = 0;
	return 1;
}

bool pl_decode_error(const pl_frame *f, pl_reply *r, char *why, size_t whylen)
{
	if (f->len < 4) {
		snprintf(why, whylen, "ERROR frame with payload length %u < 4", f->len);
		return false;
	}
	r->code = f->payload[0];
	r->errop = f->payload[1];
	r->detail = pl_get16(f->payload + 2);
	size_t m = f->len - 4u;
	memcpy(r->msg, f->payload + 4, m);
	r->msg[m] = 0;
	for (size_t i = 0; i < m; i++)
		if (f->payload[4 + i] < 0x20 || f->payload[4 + i] > 0x7E) {
			snprintf(why, whylen, "ERROR message byte %zu is 0x%02X, not "
				 "printable ASCII", i, f->payload[4 + i]);
			return false;
		}
	/* The golden device sends a message with every ERROR; the RTL devices
	 * send none (the spec leaves it to the device; docs/rtl.md). */
	if (m == 0 && pl_device_kind == 1) {
		snprintf(why, whylen, "ERROR frame (code %u) without a message", r->code);
		return false;
	}
	if (m != 0 && pl_device_kind != 1) {
		snprintf(why, whylen, "ERROR frame (code %u) from the RTL device with a "
			 "%zu-byte message", r->code, m);
		return false;
	}
	return true;
}

int pl_xact(pl_link *l, uint8_t op, const void *payload, size_t len,
	    pl_reply *r)
{
	static uint8_t buf[5 + 65535 + 4];
	uint8_t seq = l->seq++;
	l->out.n = 0;
	l->out_frames = 0;
	l->why[0] = 0;
	r->code = 0;
	r->errop = 0;
	r->detail = 0;
	r->msg[0] = 0;
	if (pl_pending(l))
		return fail(l, "%zu unexpected device bytes before the request",
			    pl_pending(l));
	size_t n = pl_encode(op, seq, payload, len, buf);
	pl_send(l, buf, n);
	for (;;) {
		int got = pl_next(l, &r->f);
		if (got < 0)
			return -1;
		if (got == 0)
			return fail(l, "no reply to op 0x%02X seq %u (%zu partial bytes)",
				    op, seq, pl_pending(l));
		if (r->f.op == PL_OUTPUT) {
			if (r->f.seq != seq)
				return fail(l, "OUTPUT frame with seq %u during request seq %u",
					    r->f.seq, seq);
			if (op != PL_STEP && op != PL_RUN)
				return fail(l, "OUTPUT frame in reply to op 0x%02X", op);
			if (r->f.len < 4 || (r->f.len - 4) % 4)
				return fail(l, "OUTPUT payload length %u is not 4 + 4k",
					    r->f.len);
			uint32_t step = pl_get32(r->f.payload);
			for (size_t i = 4; i < r->f.len; i += 4)
				pl_events_push(&l->out, step, pl_get16(r->f.payload + i),
					       pl_get16(r->f.payload + i + 2));
			if ((r->f.len - 4) / 4 > 255)
				return fail(l, "OUTPUT frame with %u events > 255",
					    (r->f.len - 4) / 4);
			l->out_frames++;
			continue;
		}
		break;
	}
	if (r->f.seq != seq)
		return fail(l, "reply op 0x%02X has seq %u, request seq %u", r->f.op,
			    r->f.seq, seq);
	if (pl_pending(l))
		return fail(l, "%zu device bytes after the reply to op 0x%02X",
			    pl_pending(l), op);
	if (r->f.op == (op | 0x80u))
		return 0;
	if (r->f.op == PL_ERROR) {
		if (!pl_decode_error(&r->f, r, l->why, sizeof l->why))
			return -1;
		if (r->errop != op)
			return fail(l, "ERROR names op 0x%02X, request op 0x%02X", r->errop,
				    op);
		if (r->code == 0)
			return fail(l, "ERROR with code 0");
		return r->code;
	}
	return fail(l, "reply op 0x%02X to request op 0x%02X", r->f.op, op);
}

void pl_addr(uint8_t *p, unsigned region, unsigned core, uint32_t index)
{
	p[0] = (uint8_t)region;
	p[1] = 0;
	pl_put16(p + 2, (uint16_t)core);
	pl_put32(p + 4, index);
}

static int want_len(pl_link *l, int rc, const pl_reply *r, size_t len)
{
	if (rc == 0 && r->f.len != len)
		return fail(l, "reply op 0x%02X payload length %u, expected %zu",
			    r->f.op, r->f.len, len);
	return rc;
}

int pl_identify(pl_link *l, pl_reply *r)
{
	return want_len(l, pl_xact(l, PL_IDENTIFY, NULL, 0, r), r, 72);
}

int pl_reset(pl_link *l, uint8_t level, pl_reply *r)
{
	return want_len(l, pl_xact(l, PL_RESET, &level, 1, r), r, 0);
}

int pl_write(pl_link *l, unsigned region, unsigned core, uint32_t index,
	     const uint32_t *w, size_t n, pl_reply *r)
{
	uint8_t p[PL_MAXP];
	pl_addr(p, region, core, index);
	for (size_t i = 0; i < n; i++)
		pl_put32(p + 8 + 4 * i, w[i]);
	return want_len(l, pl_xact(l, PL_WRITE_MEM, p, 8 + 4 * n, r), r, 0);
}

int pl_write_all(pl_link *l, unsigned region, unsigned core, uint32_t index,
		 const uint32_t *w, size_t n, pl_reply *r)
{
	for (size_t i = 0; i < n; i += 254) {
		size_t k = n - i < 254 ? n - i : 254;
		int rc = pl_write(l, region, core, index + (uint32_t)i, w + i, k, r);
		if (rc)
			return rc;
	}
	return 0;
}

int pl_read(pl_link *l, unsigned region, unsigned core, uint32_t index,
	    uint16_t count, uint32_t *w, pl_reply *r)
{
	uint8_t p[10];
	pl_addr(p, region, core, index);
	pl_put16(p + 8, count);
	int rc = want_len(l, pl_xact(l, PL_READ_MEM, p, 10, r), r, 4u * count);
	if (rc == 0 && w)
		for (unsigned i = 0; i < count; i++)
			w[i] = pl_get32(r->f.payload + 4 * i);
	return rc;
}

int pl_read_all(pl_link *l, unsigned region, unsigned core, uint32_t index,
		size_t count, uint32_t *w, pl_reply *r)
{
	for (size_t i = 0; i < count; i += 256) {
		size_t k = count - i < 256 ? count - i : 256;
		int rc = pl_read(l, region, core, index + (uint32_t)i, (uint16_t)k,
				 w + i, r);
		if (rc)
			return rc;
	}
	return 0;
}

int pl_checksum(pl_link *l, unsigned region, unsigned core, uint32_t index,
		uint32_t count, uint32_t *crc, pl_reply *r)
{
	uint8_t p[12];
	pl_addr(p, region, core, index);
	pl_put32(p + 8, count);
	int rc = want_len(l, pl_xact(l, PL_CHECKSUM, p, 12, r), r, 4);
	if (rc == 0 && crc)
		*crc = pl_get32(r->f.payload);
	return rc;
}

int pl_input(pl_link *l, const uint32_t *idx, size_t n, pl_reply *r)
{
	uint8_t p[PL_MAXP];
	for (size_t i = 0; i < n; i++)
		pl_put32(p + 4 * i, idx[i]);
	return want_len(l, pl_xact(l, PL_INPUT, p, 4 * n, r), r, 0);
}

int pl_step(pl_link *l, uint16_t n, uint32_t rep[3], pl_reply *r)
{
	uint8_t p[2];
	pl_put16(p, n);
	int rc = want_len(l, pl_xact(l, PL_STEP, p, 2, r), r, 12);
	if (rc)
		return rc;
	for (int i = 0; i < 3; i++)
		rep[i] = pl_get32(r->f.payload + 4 * i);
	if (rep[0] != n)
		return fail(l, "STEP %u reply says %u steps", n, rep[0]);
	if (rep[2] != l->out.n)
		return fail(l, "STEP reply says %u events, OUTPUT frames carried %zu",
			    rep[2], l->out.n);
	for (size_t i = 0; i < l->out.n; i++) {
		uint32_t s = l->out.e[i].step;
		if (s - rep[1] >= n)
			return fail(l, "OUTPUT event of step %u outside the run %u..%u",
				    s, rep[1], rep[1] + n - 1);
		if (i && s < l->out.e[i - 1].step)
			return fail(l, "OUTPUT step %u after step %u", s,
				    l->out.e[i - 1].step);
	}
	return 0;
}

int pl_counters(pl_link *l, uint64_t c[PL_C_COUNT], pl_reply *r)
{
	int rc = want_len(l, pl_xact(l, PL_COUNTERS, NULL, 0, r), r, 8 * PL_C_COUNT);
	if (rc == 0)
		for (int i = 0; i < PL_C_COUNT; i++)
			c[i] = pl_get64(r->f.payload + 8 * i);
	return rc;
}

int pl_echo(pl_link *l, const void *data, size_t n, pl_reply *r)
{
	int rc = want_len(l, pl_xact(l, PL_ECHO, data, n, r), r, n);
	if (rc == 0 && n && memcmp(r->f.payload, data, n))
		return fail(l, "ECHO reply differs from the %zu bytes sent", n);
	return rc;
}
