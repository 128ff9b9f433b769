/* The link echo as a program on snn_ctrl: rtl/snn_link_echo.v's frames,
 * byte for byte (docs/boards.md, "The link echo"; docs/host-protocol.md).
 *
 * Bytes before a SOF are skipped. A header whose length is over 1024 is
 * refused as it ends, with ERROR LENGTH (code 2, its op, detail = the
 * length), and the hunt for the next SOF starts with the byte after it,
 * as snn_frame_rx and lib's decoder do. Otherwise the payload is kept
 * until its CRC has checked: a good frame comes back with op | 0x80, the
 * same seq and payload, a bad one as ERROR CRC (code 1, its op, detail 0).
 * Every reply has its request's seq, and the input waits while a reply
 * goes out, so a host gets exactly one reply per request, in order. The
 * busy flag is up from a frame's judgement to its reply's last byte, and a
 * refused frame pulses the refused-frame output, as the hardware echo. */
#include "snn/protocol.h"
#include "snn_ctrl_io.h"

static uint8_t payload[SNN_FRAME_MAX_PAYLOAD];

/* A frame out: SOF, header, payload and CRC; the CRC unit computes it as
 * the bytes pass. */
static void send(unsigned op, unsigned seq, const uint8_t *p, unsigned len)
{
	snn_ctrl_crc_clear();
	snn_ctrl_tx(SNN_FRAME_SOF);
	snn_ctrl_tx_crc(op);
	snn_ctrl_tx_crc(seq);
	snn_ctrl_tx_crc(len);
	snn_ctrl_tx_crc(len >> 8);
	for (const uint8_t *end = p + len; p != end; p++)
		snn_ctrl_tx_crc(*p);
	for (unsigned i = 0; i < SNN_FRAME_TRAILER; i++)
		snn_ctrl_tx(snn_ctrl_crc_byte(i));
}

static void refuse(unsigned code, unsigned op, unsigned seq, unsigned detail)
{
	const uint8_t err[4] = {(uint8_t)code, (uint8_t)op, (uint8_t)detail, (uint8_t)(detail >> 8)};
	snn_ctrl_status(SNN_CTRL_STATUS_BUSY | SNN_CTRL_STATUS_REFUSED);
	send(SNN_OP_ERROR, seq, err, sizeof err);
	snn_ctrl_status(0);
}

/* The CRC of everything fed since the clear, the frame's own CRC included,
 * is the residue when the frame is good. */
static int crc_good(void)
{
	return snn_ctrl_crc_byte(0) == (SNN_CTRL_CRC_RESIDUE & 0xFF) &&
	       snn_ctrl_crc_byte(1) == ((SNN_CTRL_CRC_RESIDUE >> 8) & 0xFF) &&
	       snn_ctrl_crc_byte(2) == ((SNN_CTRL_CRC_RESIDUE >> 16) & 0xFF) &&
	       snn_ctrl_crc_byte(3) == SNN_CTRL_CRC_RESIDUE >> 24;
}

int main(void)
{
	for (;;) {
		while (snn_ctrl_rx() != SNN_FRAME_SOF)
			;
		snn_ctrl_crc_clear();
		unsigned op = snn_ctrl_rx_crc();
		unsigned seq = snn_ctrl_rx_crc();
		unsigned len = snn_ctrl_rx_crc();
		len |= snn_ctrl_rx_crc() << 8;
		if (len > SNN_FRAME_MAX_PAYLOAD) {
			refuse(SNN_LERR_LENGTH, op, seq, len);
			continue;
		}
		for (uint8_t *p = payload, *end = payload + len; p != end; p++)
			*p = (uint8_t)snn_ctrl_rx_crc();
		for (unsigned i = 0; i < SNN_FRAME_TRAILER; i++)
			snn_ctrl_rx_crc();
		if (!crc_good()) {
			refuse(SNN_LERR_CRC, op, seq, 0);
			continue;
		}
		snn_ctrl_status(SNN_CTRL_STATUS_BUSY);
		send(op | SNN_REPLY_BIT, seq, payload, len);
		snn_ctrl_status(0);
	}
}
