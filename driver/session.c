/* The protocol session over a transport (session.h). */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WRITE_CHUNK 16384u	/* queued bytes that trigger a write */
#define READ_SLICE_MS 100u	/* longest single wait, so an interrupt is seen */

static int fail(session *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(session *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	return code;
}

/* A transport failure: its own detail. */
static int fail_link(session *s, int code, const char *doing)
{
	s->broken = code != SNNHOST_ERROR_INTERRUPTED;
	return fail(s, code, "%s: %s", doing, s->t->why[0] ? s->t->why : snnhost_strerror(code));
}

void snnhost_session_init(session *s, transport *t, unsigned timeout_ms, volatile int *interrupted)
{
	memset(s, 0, sizeof *s);
	s->t = t;
	s->timeout_ms = timeout_ms;
	s->interrupted = interrupted;
	t->interrupted = interrupted;
	snn_decoder_init(&s->dec);
}

void snnhost_session_free(session *s)
{
	free(s->out);
	s->out = NULL;
}

int snnhost_session_flush(session *s)
{
	if (!s->out_len)
		return 0;
	int rc = s->t->ops->write(s->t, s->out, s->out_len, s->timeout_ms);
	if (rc)
		return fail_link(s, rc, "writing to the device");
	s->bytes_out += s->out_len;
	s->out_len = 0;
	return 0;
}

int snnhost_session_send(session *s, uint8_t op, const void *payload, size_t len, int want_len)
{
	if (s->broken)
		return fail(s, SNNHOST_ERROR_STATE, "the link lost step with the device after an "
			    "earlier failure; close and reopen it");
	/* No more requests in flight than the window, nor more bytes than the
	 * device side holds (the transport's ahead_bytes). */
	size_t frame = SNN_FRAME_HEADER + len + SNN_FRAME_TRAILER;
	while (s->pend_n == SESSION_WINDOW ||
	       (s->pend_n && s->t->ahead_bytes && s->pend_total + frame > s->t->ahead_bytes)) {
		int rc = snnhost_session_collect(s, NULL);
		if (rc)
			return rc;
	}
	if (s->out_len + SNN_FRAME_MAX > s->out_cap) {
		size_t cap = s->out_cap ? 2 * s->out_cap : 4 * SNN_FRAME_MAX;
		uint8_t *o = realloc(s->out, cap);
		if (!o)
			return fail(s, SNNHOST_ERROR_NOMEM, "out of memory");
		s->out = o;
		s->out_cap = cap;
	}
	int n = snn_frame_encode(op, s->seq, payload, len, s->out + s->out_len);
	if (n < 0)
		return fail(s, SNNHOST_ERROR_ARG, "%s payload of %zu bytes is over 1024",
			    snn_op_name(op), len);
	s->out_len += (size_t)n;
	unsigned k = (s->pend_head + s->pend_n++) % SESSION_WINDOW;
	s->pend_op[k] = op;
	s->pend_seq[k] = s->seq++;
	s->pend_want[k] = want_len;
	s->pend_bytes[k] = (uint16_t)n;
	s->pend_total += (size_t)n;
	s->requests++;
	return s->out_len >= WRITE_CHUNK ? snnhost_session_flush(s) : 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* The next whole frame from the device, or a failure. *f's payload is
 * valid until the next call. */
static int next_frame(session *s, snn_frame *f, uint8_t op, uint8_t seq)
{
	double deadline = now_ms() + s->timeout_ms;
	for (;;) {
		while (s->in_pos < s->in_len) {
			size_t used;
			snn_decode_status st = snn_decoder_feed(&s->dec, s->in + s->in_pos,
								s->in_len - s->in_pos, &used, f);
			s->in_pos += used;
			if (st == SNN_DECODE_FRAME)
				return 0;
			if (st == SNN_DECODE_BAD_CRC || st == SNN_DECODE_BAD_LENGTH) {
				s->broken = true;
				return fail(s, SNNHOST_ERROR_PROTOCOL,
					    "corrupted reply while waiting for %s (seq %u): %s; "
					    "check the cable and the link's baud rate",
					    snn_op_name(op), seq,
					    st == SNN_DECODE_BAD_CRC ? "frame CRC mismatch"
								     : "frame length over 1024");
			}
		}
		s->in_pos = s->in_len = 0;
		if (s->interrupted && *s->interrupted)
			return fail(s, SNNHOST_ERROR_INTERRUPTED, "interrupted");
		double left = deadline - now_ms();
		if (left <= 0) {
			s->broken = true;
			return fail(s, SNNHOST_ERROR_TIMEOUT,
				    "no reply to %s (seq %u) within %u ms; is the board running the "
				    "SNN design, and is the timeout (--timeout) long enough?",
				    snn_op_name(op), seq, s->timeout_ms);
		}
		unsigned slice = left < READ_SLICE_MS ? (unsigned)left + 1 : READ_SLICE_MS;
		size_t got = 0;
		int rc = s->t->ops->read(s->t, s->in, sizeof s->in, &got, slice);
		if (rc)
			return fail_link(s, rc, "reading from the device");
		s->in_len = got;
		s->bytes_in += got;
	}
}

/* An ERROR frame's fields and message into s->why. */
static int device_error(session *s, const snn_frame *f, uint8_t op, unsigned *code)
{
	if (f->len < 4) {
		s->broken = true;
		return fail(s, SNNHOST_ERROR_PROTOCOL, "malformed ERROR frame (%u bytes) for %s",
			    f->len, snn_op_name(op));
	}
	unsigned c = f->payload[0];
	if (code)
		*code = c;
	unsigned detail = snn_get16(f->payload + 2);
	int mlen = f->len - 4;
	char msg[256] = "";
	if (mlen > 0) {
		int k = 0;
		for (int i = 0; i < mlen && k < (int)sizeof msg - 1; i++) {
			uint8_t ch = f->payload[4 + i];
			msg[k++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
		}
		msg[k] = 0;
	} else if (snn_link_err_meaning(c, detail)) {	/* a device that sends no message */
		snprintf(msg, sizeof msg, "%s", snn_link_err_meaning(c, detail));
	}
	/* A CRC or LENGTH error means our request was damaged on the way: the
	 * device acted on nothing, but the link is not to be trusted. */
	if (c == SNN_LERR_CRC || c == SNN_LERR_LENGTH)
		s->broken = true;
	return fail(s, SNNHOST_ERROR_DEVICE, "the device refused %s: %s (detail %u)%s%s", snn_op_name(op),
		    snn_link_err_name(c), detail, msg[0] ? ": " : "", msg);
}

int snnhost_session_collect(session *s, unsigned *code)
{
	if (!s->pend_n)
		return fail(s, SNNHOST_ERROR_STATE, "no request pending");
	int rc = snnhost_session_flush(s);
	if (rc)
		return rc;
	unsigned k = s->pend_head;
	uint8_t op = s->pend_op[k], seq = s->pend_seq[k];
	int want = s->pend_want[k];
	for (;;) {
		snn_frame f;
		rc = next_frame(s, &f, op, seq);
		if (rc)
			return rc;
		if (f.op == SNN_OP_OUTPUT && f.seq == seq) {
			if (f.len < 8 || (f.len - 4) % 4) {
				s->broken = true;
				return fail(s, SNNHOST_ERROR_PROTOCOL, "malformed OUTPUT frame of %u bytes",
					    f.len);
			}
			uint32_t step = snn_get32(f.payload);
			for (unsigned i = 4; i < f.len; i += 4) {
				if (s->on_output)
					s->on_output(s->out_ctx, step, snn_get16(f.payload + i),
						     snn_get16(f.payload + i + 2));
				s->output_events++;
			}
			continue;
		}
		s->pend_total -= s->pend_bytes[s->pend_head];
		s->pend_head = (s->pend_head + 1) % SESSION_WINDOW;
		s->pend_n--;
		if (f.seq != seq) {
			s->broken = true;
			return fail(s, SNNHOST_ERROR_PROTOCOL,
				    "reply with seq %u (op 0x%02X) while waiting for %s seq %u: a frame "
				    "was lost", f.seq, f.op, snn_op_name(op), seq);
		}
		if (f.op == SNN_OP_ERROR)
			return device_error(s, &f, op, code);
		if (f.op != (op | SNN_REPLY_BIT)) {
			s->broken = true;
			return fail(s, SNNHOST_ERROR_PROTOCOL, "reply op 0x%02X to %s (seq %u)", f.op,
				    snn_op_name(op), seq);
		}
		if (want >= 0 && f.len != want) {
			s->broken = true;
			return fail(s, SNNHOST_ERROR_PROTOCOL,
				    "%s reply of %u bytes, expected %d", snn_op_name(op), f.len, want);
		}
		memcpy(s->reply, f.payload, f.len);
		s->reply_len = f.len;
		return 0;
	}
}

int snnhost_session_xact(session *s, uint8_t op, const void *payload, size_t len, int want_len)
{
	int rc = snnhost_session_send(s, op, payload, len, want_len);
	return rc ? rc : snnhost_session_collect(s, NULL);
}

void snnhost_session_drain(session *s)
{
	unsigned saved = s->timeout_ms;
	volatile int *intr = s->interrupted;
	s->interrupted = NULL;	/* the drain itself is short and bounded */
	if (s->timeout_ms > 500)
		s->timeout_ms = 500;
	while (s->pend_n && !s->broken) {
		if (snnhost_session_collect(s, NULL) && s->broken)
			break;
	}
	s->timeout_ms = saved;
	s->interrupted = intr;
	if (s->broken) {
		s->pend_n = 0;
		s->out_len = 0;
	}
}
