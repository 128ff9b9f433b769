/* Frames on snn_ctrl's link for its programs (docs/host-protocol.md,
 * "Frames"): the header and trailer of a frame sent, the body of one
 * received and its CRC check, with the CRC unit computing as the bytes
 * pass (snn_ctrl_io.h). Shared by the link echo and the command layer. */
#ifndef SNN_FRAME_IO_H
#define SNN_FRAME_IO_H

#include <stdbool.h>
#include "snn/protocol.h"
#include "snn_ctrl_io.h"

/* SOF and header of a frame going out; its payload follows through
 * snn_ctrl_tx_crc, then snn_fw_frame_tail. */
static inline void snn_fw_frame_head(unsigned op, unsigned seq, unsigned len)
{
	snn_ctrl_crc_clear();
	snn_ctrl_tx(SNN_FRAME_SOF);
	snn_ctrl_tx_crc(op);
	snn_ctrl_tx_crc(seq);
	snn_ctrl_tx_crc(len);
	snn_ctrl_tx_crc(len >> 8);
}

/* The frame's CRC, as the bytes since its head made it. */
static inline void snn_fw_frame_tail(void)
{
	for (unsigned i = 0; i < SNN_FRAME_TRAILER; i++)
		snn_ctrl_tx(snn_ctrl_crc_byte(i));
}

/* A received frame's payload (len bytes into p) and its CRC, after a
 * header read through snn_ctrl_rx_crc; true if the CRC checks: the CRC of
 * everything after the SOF, the frame's own CRC included, is the residue
 * when the frame is good. */
static inline bool snn_fw_frame_body(uint8_t *p, unsigned len)
{
	for (uint8_t *end = p + len; p != end; p++)
		*p = (uint8_t)snn_ctrl_rx_crc();
	for (unsigned i = 0; i < SNN_FRAME_TRAILER; i++)
		snn_ctrl_rx_crc();
	for (unsigned i = 0; i < 4; i++)
		if (snn_ctrl_crc_byte(i) != ((SNN_CTRL_CRC_RESIDUE >> (8 * i)) & 0xFF))
			return false;
	return true;
}

#endif
