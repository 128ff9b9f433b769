/* A small host side of the link protocol for the protocol tests, written
 * from docs/host-protocol.md alone: it encodes request frames itself (header,
 * little-endian fields, zlib CRC-32 of op..payload) and parses the device's
 * replies itself (checking SOF, length and CRC of every frame), so the
 * library's own frame codec is not on the path being tested. */
#ifndef SNN_TEST_PROTOCOL_LINK_H
#define SNN_TEST_PROTOCOL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/device.h"
#include "snn/geometry.h"
#ifdef PL_RTL
#include "snn/rtl_device.h"
#endif

#define PL_SOF 0xA5u
#define PL_MAXP 1024u	/* largest payload */
#define PL_FRAME_MAX (5u + PL_MAXP + 4u)

/* Opcodes, error codes and counters of the spec, spelled out here rather
 * than taken from the header under test (tests/protocol checks they match). */
enum {
	PL_IDENTIFY = 0x01, PL_RESET = 0x02, PL_WRITE_MEM = 0x03,
	PL_READ_MEM = 0x04, PL_CHECKSUM = 0x05, PL_INPUT = 0x10, PL_STEP = 0x11,
	PL_PIXELS = 0x12, PL_RUN = 0x13,
	PL_COUNTERS = 0x20, PL_ECHO = 0x3F, PL_OUTPUT = 0x40, PL_ERROR = 0x7F,
};
enum {
	PL_E_CRC = 1, PL_E_LENGTH = 2, PL_E_OPCODE = 3, PL_E_ADDRESS = 4,
	PL_E_ARG = 5, PL_E_CONFIG = 6, PL_E_OVERFLOW = 7,
};
enum {
	PL_C_STEPS, PL_C_CYCLES, PL_C_SYNOPS, PL_C_SPIKES, PL_C_EVENTS_IN,
	PL_C_EVENTS_OUT, PL_C_DROPPED, PL_C_FRAME_ERRORS, PL_C_SEQ_ERRORS,
	PL_C_COUNT
};

/* The device under test: the golden device, or with PL_RTL defined the
 * Verilated RTL device (tests/rtl/test_rtl_protocol is this test built that
 * way; with PL_LEAN too, test_rtl_protocol_lean against the lean command
 * layer of the board builds). pl_device_kind is what IDENTIFY must report
 * (1 golden, 2 RTL, 3 FPGA: the lean layer). */
#ifdef PL_RTL
typedef snn_rtldev pl_dev;
#else
typedef snn_golden pl_dev;
#endif
extern const unsigned pl_device_kind;
/* RTL device: cycles in which its output broke the valid/ready rule, summed
 * over every link closed so far (the link pauses both directions at random,
 * pl_open). Always 0 for the golden device. */
extern unsigned long long pl_violations;

/* One frame as received. */
typedef struct pl_frame {
	uint8_t op, seq;
	uint16_t len;
	uint8_t payload[PL_MAXP];
} pl_frame;

/* The reply to one request: the frame, and for an ERROR frame its fields. */
typedef struct pl_reply {
	pl_frame f;
	uint8_t code, errop;
	uint16_t detail;
	char msg[PL_MAXP];	/* NUL-terminated message of an ERROR frame */
} pl_reply;

typedef struct pl_event {
	uint32_t step;
	uint16_t core, neuron;
} pl_event;

typedef struct pl_events {
	pl_event *e;
	size_t n, cap;
} pl_events;

void pl_events_push(pl_events *l, uint32_t step, uint16_t core, uint16_t neuron);
void pl_events_free(pl_events *l);
/* Sort by (step, core, neuron). */
void pl_events_sort(pl_events *l);

typedef struct pl_link {
	pl_dev *dev;
	uint8_t *rx;	/* bytes the device transmitted */
	size_t rx_len, rx_cap, rx_pos;	/* rx_pos: first byte not yet parsed */
	uint8_t seq;	/* seq of the next request */
	pl_events out;	/* OUTPUT events received with the last request */
	size_t out_frames;	/* OUTPUT frames received with the last request */
	char why[256];	/* why the last call returned -1 */
} pl_link;

/* Frame encoding: out needs 5 + len + 4 bytes; len may exceed 1024 (for
 * negative tests; the header then carries len and the payload is written). */
size_t pl_encode(uint8_t op, uint8_t seq, const void *payload, size_t len,
		 uint8_t *out);
uint32_t pl_crc(const void *data, size_t len);

void pl_put16(uint8_t *p, uint16_t v);
void pl_put32(uint8_t *p, uint32_t v);
uint16_t pl_get16(const uint8_t *p);
uint32_t pl_get32(const uint8_t *p);
uint64_t pl_get64(const uint8_t *p);

int pl_open(pl_link *l, const snn_geometry *geo, uint32_t build_id);
void pl_close(pl_link *l);

/* Raw bytes to the device. */
void pl_send(pl_link *l, const uint8_t *b, size_t n);
/* Parse the next device frame: 1 and *f filled, 0 if no whole frame is
 * pending, -1 if the device sent a malformed frame (why says what). */
int pl_next(pl_link *l, pl_frame *f);
/* Device bytes received and not yet parsed. */
size_t pl_pending(const pl_link *l);
/* Decode an ERROR frame's fields into r; false if malformed. */
bool pl_decode_error(const pl_frame *f, pl_reply *r, char *why, size_t whylen);

/* One request with seq = l->seq++ (sent in one receive call), then its
 * reply: OUTPUT frames carrying the seq are gathered in l->out, anything
 * else must be the one reply with the same seq, and nothing may follow it.
 * Returns 0 for the reply (op | 0x80), the error code for an ERROR frame
 * naming this op, -1 for anything else (l->why). */
int pl_xact(pl_link *l, uint8_t op, const void *payload, size_t len,
	    pl_reply *r);

/* Typed requests; each returns as pl_xact and checks the reply's length. */
void pl_addr(uint8_t *p, unsigned region, unsigned core, uint32_t index);
int pl_identify(pl_link *l, pl_reply *r);
int pl_reset(pl_link *l, uint8_t level, pl_reply *r);
int pl_write(pl_link *l, unsigned region, unsigned core, uint32_t index,
	     const uint32_t *w, size_t n, pl_reply *r);
/* Any number of words, in chunks of 254; stops at the first refusal. */
int pl_write_all(pl_link *l, unsigned region, unsigned core, uint32_t index,
		 const uint32_t *w, size_t n, pl_reply *r);
int pl_read(pl_link *l, unsigned region, unsigned core, uint32_t index,
	    uint16_t count, uint32_t *w, pl_reply *r);
/* Any number of words, in chunks of 256. */
int pl_read_all(pl_link *l, unsigned region, unsigned core, uint32_t index,
		size_t count, uint32_t *w, pl_reply *r);
int pl_checksum(pl_link *l, unsigned region, unsigned core, uint32_t index,
		uint32_t count, uint32_t *crc, pl_reply *r);
int pl_input(pl_link *l, const uint32_t *idx, size_t n, pl_reply *r);
/* STEP n: rep = {n, first step, events}; also checks the OUTPUT frames
 * (one step each, steps in [first, first+n) and non-decreasing, at most 255
 * events each, total = rep[2]). */
int pl_step(pl_link *l, uint16_t n, uint32_t rep[3], pl_reply *r);
int pl_counters(pl_link *l, uint64_t c[PL_C_COUNT], pl_reply *r);
int pl_echo(pl_link *l, const void *data, size_t n, pl_reply *r);

#endif
