/* The boot program of the iCEBreaker's device (snn_ctrl with POOL_PORT,
 * rtl/snn_ctrl.v): its ROM is the one EBR the bitstream fills, the SPRAM
 * is not filled by anyone, so this copies the command layer from the
 * board's SPI flash (FW_FLASH, past the bitstream; `make -C
 * boards/icebreaker prog` writes it there) into the pool's top (FW_BASE)
 * and jumps to it.
 *
 * The flash image (rtl/mk/ctrl.mk) is the program's bytes after an 8-byte
 * head, gzip's trailer of them: their CRC-32 (zlib's), then their length,
 * both little-endian. An erased flash (length 0xFFFFFFFF), a length over
 * FW_BYTES or a CRC that does not check stops here: the refused-frame LED
 * lights and the processor traps, so no half-copied program ever runs. */
#include "snn_ctrl_io.h"

#define FLASH_READ 0x03u	/* read data, a 24-bit address */
#define FLASH_WAKE 0xABu	/* release from deep power-down */

static uint32_t spi_word(void)
{
	uint32_t w = 0;
	for (unsigned i = 0; i < 32; i += 8)
		w |= (uint32_t)snn_ctrl_spi(0) << i;
	return w;
}

static void fail(void)
{
	snn_ctrl_status(SNN_CTRL_STATUS_REFUSED);
	__asm__ volatile("ebreak");
}

int main(void)
{
	/* the flash may sleep (the FPGA's loader leaves it as it was): wake
	 * it and wait its 3 us (tRES1), about ten instructions a loop */
	snn_ctrl_spi_select(1);
	snn_ctrl_spi(FLASH_WAKE);
	snn_ctrl_spi_select(0);
	for (volatile unsigned i = 0; i < 32; i++)
		;
	snn_ctrl_spi_select(1);
	snn_ctrl_spi(FLASH_READ);
	snn_ctrl_spi(FW_FLASH >> 16 & 0xFFu);
	snn_ctrl_spi(FW_FLASH >> 8 & 0xFFu);
	snn_ctrl_spi(FW_FLASH & 0xFFu);
	uint32_t crc = spi_word(), len = spi_word();
	if (len == 0 || len > FW_BYTES)
		fail();
	snn_ctrl_crc_clear();
	volatile uint8_t *p = (volatile uint8_t *)FW_BASE;
	for (uint32_t i = 0; i < len; i++) {
		unsigned b = snn_ctrl_spi(0);
		p[i] = (uint8_t)b;
		snn_ctrl_crc_feed(b);
	}
	snn_ctrl_spi_select(0);
	for (unsigned i = 0; i < 4; i++)
		if (snn_ctrl_crc_byte(i) != (crc >> 8 * i & 0xFFu))
			fail();
	((void (*)(void))FW_BASE)();
	return 0;
}
