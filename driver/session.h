/* The protocol session (docs/host-protocol.md) over any transport: request
 * frames with sequence numbers, pipelined, and their replies matched in
 * order, OUTPUT frames handed to a callback, ERROR frames decoded, every
 * wait bounded by the timeout. Knows nothing about USB. */
#ifndef SNNHOST_SESSION_H
#define SNNHOST_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/protocol.h"
#include "transport.h"

#define SESSION_WINDOW 32u	/* requests in flight at most */

typedef void (*session_output_fn)(void *ctx, uint32_t step, uint16_t core, uint16_t neuron);

typedef struct session {
	transport *t;
	unsigned timeout_ms;
	volatile int *interrupted;
	uint8_t seq;	/* the next request's */
	bool broken;	/* out of step with the device: no more requests */
	snn_decoder dec;
	uint8_t in[16384];	/* bytes read, not yet decoded */
	size_t in_len, in_pos;
	uint8_t *out;	/* encoded requests not yet written */
	size_t out_len, out_cap;
	uint8_t pend_op[SESSION_WINDOW], pend_seq[SESSION_WINDOW];
	int pend_want[SESSION_WINDOW];	/* reply payload length, -1: any */
	uint16_t pend_bytes[SESSION_WINDOW];	/* the request's frame length */
	size_t pend_total;	/* bytes of the requests not yet answered */
	unsigned pend_head, pend_n;
	session_output_fn on_output;	/* OUTPUT events of the pending request */
	void *out_ctx;
	uint64_t output_events;	/* events received through on_output */
	uint8_t reply[SNN_FRAME_MAX_PAYLOAD];	/* the last reply's payload */
	uint16_t reply_len;
	uint64_t bytes_out, bytes_in, requests;
	char why[512];
} session;

void snnhost_session_init(session *s, transport *t, unsigned timeout_ms, volatile int *interrupted);
void snnhost_session_free(session *s);

/* Queue a request whose reply has want_len payload bytes (-1: any), to be
 * written at the next snnhost_session_collect or when much is queued; if
 * SESSION_WINDOW requests are pending, the oldest reply is collected first
 * (and its failure returned). */
int snnhost_session_send(session *s, uint8_t op, const void *payload, size_t len, int want_len);
/* Write everything queued. */
int snnhost_session_flush(session *s);
/* The oldest pending request's reply: 0 with s->reply filled if it is the
 * expected reply; SNNHOST_ERROR_DEVICE for an ERROR frame, with the
 * device's code in *code when non-NULL. */
int snnhost_session_collect(session *s, unsigned *code);
/* send + collect. */
int snnhost_session_xact(session *s, uint8_t op, const void *payload, size_t len, int want_len);
/* Collect and drop every pending reply (after a failure; best effort). */
void snnhost_session_drain(session *s);

#endif
