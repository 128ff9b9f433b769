/* Host link framing (docs/host-protocol.md): encoder, streaming decoder,
 * and names for messages. */
#include "snn/protocol.h"

#include <string.h>
#include <zlib.h>
#include "snn/error.h"

int snn_frame_encode(uint8_t op, uint8_t seq, const void *payload, size_t len,
		     uint8_t *out)
{
	if (len > SNN_FRAME_MAX_PAYLOAD)
		return SNN_ERR_ARG;
	out[0] = SNN_FRAME_SOF;
	out[1] = op;
	out[2] = seq;
	snn_put16(out + 3, (uint16_t)len);
	if (len)
		memcpy(out + SNN_FRAME_HEADER, payload, len);
	uLong crc = crc32(crc32(0L, Z_NULL, 0), out + 1, (uInt)(SNN_FRAME_HEADER - 1 + len));
	snn_put32(out + SNN_FRAME_HEADER + len, (uint32_t)crc);
	return (int)(SNN_FRAME_HEADER + len + SNN_FRAME_TRAILER);
}

void snn_decoder_init(snn_decoder *d)
{
	memset(d, 0, sizeof *d);
}

snn_decode_status snn_decoder_feed(snn_decoder *d, const uint8_t *data, size_t len,
				   size_t *used, snn_frame *frame)
{
	size_t i = 0;
	while (i < len) {
		uint8_t byte = data[i++];
		if (d->have == 0 && byte != SNN_FRAME_SOF)
			continue;	/* hunting for the start of a frame */
		d->buf[d->have++] = byte;
		if (d->have < SNN_FRAME_HEADER)
			continue;
		uint16_t plen = snn_get16(d->buf + 3);
		if (plen > SNN_FRAME_MAX_PAYLOAD) {
			d->last_op = d->buf[1];
			d->last_seq = d->buf[2];
			d->last_len = plen;
			d->have = 0;
			*used = i;
			return SNN_DECODE_BAD_LENGTH;
		}
		size_t total = SNN_FRAME_HEADER + plen + SNN_FRAME_TRAILER;
		if (d->have < total)
			continue;
		d->have = 0;
		*used = i;
		uLong crc = crc32(crc32(0L, Z_NULL, 0), d->buf + 1, (uInt)(SNN_FRAME_HEADER - 1 + plen));
		if ((uint32_t)crc != snn_get32(d->buf + SNN_FRAME_HEADER + plen)) {
			d->last_op = d->buf[1];
			d->last_seq = d->buf[2];
			return SNN_DECODE_BAD_CRC;
		}
		frame->op = d->buf[1];
		frame->seq = d->buf[2];
		frame->len = plen;
		frame->payload = d->buf + SNN_FRAME_HEADER;
		return SNN_DECODE_FRAME;
	}
	*used = i;
	return SNN_DECODE_NEED_MORE;
}

const char *snn_op_name(unsigned op)
{
	switch (op & ~SNN_REPLY_BIT) {
	case SNN_OP_IDENTIFY: return "IDENTIFY";
	case SNN_OP_RESET: return "RESET";
	case SNN_OP_WRITE_MEM: return "WRITE_MEM";
	case SNN_OP_READ_MEM: return "READ_MEM";
	case SNN_OP_CHECKSUM: return "CHECKSUM";
	case SNN_OP_INPUT: return "INPUT";
	case SNN_OP_STEP: return "STEP";
	case SNN_OP_PIXELS: return "PIXELS";
	case SNN_OP_RUN: return "RUN";
	case SNN_OP_COUNTERS: return "COUNTERS";
	case SNN_OP_ECHO: return "ECHO";
	case SNN_OP_OUTPUT: return "OUTPUT";
	case SNN_OP_ERROR: return "ERROR";
	default: return "UNKNOWN";
	}
}

const char *snn_link_err_name(unsigned code)
{
	static const char *const names[] = {
		"?", "CRC", "LENGTH", "OPCODE", "ADDRESS", "ARG", "CONFIG", "OVERFLOW",
	};
	return code < sizeof names / sizeof names[0] ? names[code] : "?";
}

const char *snn_link_err_meaning(unsigned code, unsigned detail)
{
	if (code != SNN_LERR_CONFIG)
		return NULL;
	switch (detail) {
	case 1: return "configuration written since the last RESET";
	case 2: return "the configuration failed the device's checks at RESET";
	case 3: return "a step ran over the device's cycle budget (watchdog): the configuration "
		       "is not valid for this device";
	default: return NULL;
	}
}

const char *snn_counter_name(unsigned ctr)
{
	static const char *const names[SNN_CTR_COUNT] = {
		"steps", "cycles", "synops", "spikes", "events_in", "events_out", "dropped",
		"frame_errors", "seq_errors",
	};
	return ctr < SNN_CTR_COUNT ? names[ctr] : "?";
}
