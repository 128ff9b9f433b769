/* The I/O registers of snn_ctrl (rtl/snn_ctrl.v), as its programs use them:
 * the memory map of docs/rtl.md, "snn_ctrl". Register i is the byte at
 * SNN_CTRL_IO_BASE + 4 i; each is 8 bits, read with a byte load and written
 * with a byte store, and a DATA access waits until the link has a byte or
 * the transmitter takes one. test_rtl_constants holds the Verilog's
 * localparams to these numbers. */
#ifndef SNN_CTRL_IO_H
#define SNN_CTRL_IO_H

#include <stdint.h>

#define SNN_CTRL_IO_BASE 0x80000000u	/* address bit 31: I/O, not RAM */

enum snn_ctrl_io_reg {
	SNN_CTRL_IO_DATA = 0,	/* r: next byte from the link (waits); w: a byte to it (waits) */
	SNN_CTRL_IO_DATA_CRC = 1,	/* as DATA, and the byte goes into the CRC */
	SNN_CTRL_IO_STATUS = 2,	/* r: SNN_CTRL_STATUS_RX; w: SNN_CTRL_STATUS_BUSY, _REFUSED */
	SNN_CTRL_IO_CRC_CLEAR = 3,	/* w: start a new CRC */
	SNN_CTRL_IO_CRC = 4,	/* r: 4 .. 7, bytes 0 .. 3 of the CRC-32 (byte 0 goes first on the wire) */
	SNN_CTRL_IO_CRC_FEED = 8,	/* w: a byte into the CRC alone */
	SNN_CTRL_IO_SPI = 9,	/* w: a byte to the flash; r: the byte it answered (waits) */
	SNN_CTRL_IO_SPI_CS = 10,	/* w: bit 0, the flash's chip select (0 selects) */
};

#define SNN_CTRL_STATUS_RX 0x01u	/* read: a byte from the link is waiting */
#define SNN_CTRL_STATUS_BUSY 0x01u	/* write: the device's busy flag (a level) */
#define SNN_CTRL_STATUS_REFUSED 0x02u	/* write: a frame was refused (a pulse) */

/* The CRC-32 (zlib's) of a message followed by its own CRC, little-endian:
 * feeding a received frame's CRC bytes too leaves this when it is good. */
#define SNN_CTRL_CRC_RESIDUE 0x2144DF1Cu

static inline volatile uint8_t *snn_ctrl_io(unsigned reg)
{
	return (volatile uint8_t *)(uintptr_t)(SNN_CTRL_IO_BASE + 4u * reg);
}

/* The next byte from the link; waits for one. */
static inline unsigned snn_ctrl_rx(void)
{
	return *snn_ctrl_io(SNN_CTRL_IO_DATA);
}

/* The same, and the byte goes into the CRC. */
static inline unsigned snn_ctrl_rx_crc(void)
{
	return *snn_ctrl_io(SNN_CTRL_IO_DATA_CRC);
}

/* A byte to the link; waits until the transmitter takes it. */
static inline void snn_ctrl_tx(unsigned b)
{
	*snn_ctrl_io(SNN_CTRL_IO_DATA) = (uint8_t)b;
}

/* The same, and the byte goes into the CRC. */
static inline void snn_ctrl_tx_crc(unsigned b)
{
	*snn_ctrl_io(SNN_CTRL_IO_DATA_CRC) = (uint8_t)b;
}

static inline void snn_ctrl_crc_clear(void)
{
	*snn_ctrl_io(SNN_CTRL_IO_CRC_CLEAR) = 0;
}

/* A byte into the CRC, not sent (a CHECKSUM's words). */
static inline void snn_ctrl_crc_feed(unsigned b)
{
	*snn_ctrl_io(SNN_CTRL_IO_CRC_FEED) = (uint8_t)b;
}

/* Byte i (0 .. 3) of the CRC of the bytes fed since the last clear. */
static inline unsigned snn_ctrl_crc_byte(unsigned i)
{
	return *snn_ctrl_io(SNN_CTRL_IO_CRC + i);
}

/* SNN_CTRL_STATUS_BUSY and SNN_CTRL_STATUS_REFUSED bits. */
static inline void snn_ctrl_status(unsigned bits)
{
	*snn_ctrl_io(SNN_CTRL_IO_STATUS) = (uint8_t)bits;
}

/* A byte to the board's flash and the one it answers meanwhile. */
static inline unsigned snn_ctrl_spi(unsigned b)
{
	*snn_ctrl_io(SNN_CTRL_IO_SPI) = (uint8_t)b;
	return *snn_ctrl_io(SNN_CTRL_IO_SPI);
}

/* The flash's chip select: 1 selects it (the pin is low then). */
static inline void snn_ctrl_spi_select(unsigned on)
{
	*snn_ctrl_io(SNN_CTRL_IO_SPI_CS) = (uint8_t)!on;
}

#endif
