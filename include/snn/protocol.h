/* Host link protocol: frame layout, opcodes and error codes
 * (docs/host-protocol.md). Knows nothing about transports. */
#ifndef SNN_PROTOCOL_H
#define SNN_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNN_PROTOCOL_VERSION 4u	/* 3: per-core words addressed in the shared memories; 4: conv taps as lines */
#define SNN_FRAME_SOF 0xA5u	/* start-of-frame byte */
#define SNN_FRAME_HEADER 5u	/* SOF, op, seq, len lo, len hi */
#define SNN_FRAME_TRAILER 4u	/* CRC-32 of op..payload, little-endian */
#define SNN_FRAME_MAX_PAYLOAD 1024u
#define SNN_FRAME_MAX (SNN_FRAME_HEADER + SNN_FRAME_MAX_PAYLOAD + SNN_FRAME_TRAILER)
#define SNN_REPLY_BIT 0x80u	/* reply opcode = request opcode | 0x80 */

/* Request opcodes (host -> device). */
enum snn_op {
	SNN_OP_IDENTIFY = 0x01,	/* -> version, device kind, build id, geometry */
	SNN_OP_RESET = 0x02,	/* u8 level (enum snn_reset_level) */
	SNN_OP_WRITE_MEM = 0x03,	/* u8 region, u8 0, u16 core, u32 index, u32 words[] */
	SNN_OP_READ_MEM = 0x04,	/* u8 region, u8 0, u16 core, u32 index, u16 count */
	SNN_OP_CHECKSUM = 0x05,	/* same as READ_MEM, count u32 -> u32 CRC-32 */
	SNN_OP_INPUT = 0x10,	/* u32 input indices[] for the next step */
	SNN_OP_STEP = 0x11,	/* u16 steps -> OUTPUT frames, then STEP reply */
	SNN_OP_PIXELS = 0x12,	/* u32 offset, u8 values[]: the input values of the next RUN */
	SNN_OP_RUN = 0x13,	/* u16 steps, u8 flags, u8 0: reset, encode on the device, run */
	SNN_OP_COUNTERS = 0x20,	/* -> u64 counters[SNN_CTR_COUNT] */
	SNN_OP_ECHO = 0x3F,	/* -> the same payload */
};

/* Device-to-host frames that are not replies to one request. */
enum snn_dev_op {
	SNN_OP_OUTPUT = 0x40,	/* u32 step, then (u16 core, u16 neuron)[] */
	SNN_OP_ERROR = 0x7F,	/* u8 code, u8 request op, u16 detail */
};

enum snn_reset_level {
	SNN_RESET_STATE = 0,	/* neurons to V_INIT, queues empty, step 0 */
	SNN_RESET_COUNTERS = 1,	/* state and counters */
	SNN_RESET_ALL = 2,	/* state, counters and configuration */
};

/* Error reply codes (payload byte 0 of an ERROR frame). */
enum snn_link_err {
	SNN_LERR_CRC = 1,	/* frame CRC mismatch: frame discarded */
	SNN_LERR_LENGTH = 2,	/* payload length wrong for the opcode or too long */
	SNN_LERR_OPCODE = 3,	/* unknown opcode */
	SNN_LERR_ADDRESS = 4,	/* region/core/index outside the memory map */
	SNN_LERR_ARG = 5,	/* an argument out of range */
	SNN_LERR_CONFIG = 6,	/* STEP on a configuration that fails validation */
	SNN_LERR_OVERFLOW = 7,	/* input queue full: events refused */
};

/* Device kinds reported by IDENTIFY. */
enum snn_device_kind {
	SNN_DEVICE_GOLDEN = 1,	/* sim/ C model */
	SNN_DEVICE_RTL = 2,	/* Verilated rtl/ */
	SNN_DEVICE_FPGA = 3,	/* a board */
};

/* Status counters, in COUNTERS reply order. */
enum snn_counter {
	SNN_CTR_STEPS = 0,	/* time steps run */
	SNN_CTR_CYCLES,	/* device clock cycles (golden: 0) */
	SNN_CTR_SYNOPS,	/* synaptic operations (weight additions) */
	SNN_CTR_SPIKES,	/* neuron spikes, all cores */
	SNN_CTR_EVENTS_IN,	/* host input events accepted */
	SNN_CTR_EVENTS_OUT,	/* events sent to the host */
	SNN_CTR_DROPPED,	/* events dropped (queue overflow) */
	SNN_CTR_FRAME_ERRORS,	/* frames rejected (CRC, length, opcode) */
	SNN_CTR_SEQ_ERRORS,	/* sequence gaps seen */
	SNN_CTR_COUNT
};

/* A decoded frame; payload points into the decoder's buffer. */
typedef struct snn_frame {
	uint8_t op, seq;
	uint16_t len;
	const uint8_t *payload;
} snn_frame;

/* Encode a frame into out (room for SNN_FRAME_MAX). Returns its length, or a
 * negative snn_err if len exceeds the maximum payload. */
int snn_frame_encode(uint8_t op, uint8_t seq, const void *payload, size_t len,
		     uint8_t *out);

/* Streaming decoder: feed bytes, get whole frames. Bytes before a SOF, and
 * frames with a bad length or CRC, are discarded and reported. */
typedef enum snn_decode_status {
	SNN_DECODE_NEED_MORE = 0,	/* consumed bytes, no frame yet */
	SNN_DECODE_FRAME = 1,	/* *frame is valid until the next call */
	SNN_DECODE_BAD_CRC = 2,	/* a whole frame arrived with a bad CRC */
	SNN_DECODE_BAD_LENGTH = 3,	/* header length exceeds the maximum */
} snn_decode_status;

typedef struct snn_decoder {
	uint8_t buf[SNN_FRAME_MAX];
	size_t have;	/* bytes of the current frame in buf */
	uint8_t last_op, last_seq;	/* header of the last rejected frame */
	uint16_t last_len;
} snn_decoder;

void snn_decoder_init(snn_decoder *d);
/* Consume bytes from data[0..len); *used is set to the bytes consumed (a
 * frame ends the call early so the caller can act on it). */
snn_decode_status snn_decoder_feed(snn_decoder *d, const uint8_t *data,
				   size_t len, size_t *used, snn_frame *frame);

const char *snn_op_name(unsigned op);
const char *snn_link_err_name(unsigned code);
/* What an ERROR's detail means where the spec says (CONFIG 1 .. 3), for
 * devices that send no message; NULL otherwise. */
const char *snn_link_err_meaning(unsigned code, unsigned detail);
const char *snn_counter_name(unsigned ctr);

/* Little-endian helpers used by every encoder in the project. */
static inline void snn_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void snn_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void snn_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t snn_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t snn_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t snn_get64(const uint8_t *p)
{
	return (uint64_t)snn_get32(p) | ((uint64_t)snn_get32(p + 4) << 32);
}

#endif
