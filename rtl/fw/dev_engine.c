/* The device behind the command layer (rtl/fw/fw_dev.h): snn_engine and
 * the rate encoder behind snn_engine_io's registers (docs/rtl.md,
 * "snn_engine_io"), the iCEBreaker core's DEVICE = 3. */
#include "fw_dev.h"
#include "snn_engine_io.h"

/* CLEAR or ZERO, waited for (they make no events and need no watchdog) */
static void engine_cmd(unsigned cmd)
{
	snn_eio_write(SNN_EIO_CMD, cmd);
	while (!(snn_eio_read(SNN_EIO_EVENT) & SNN_EIO_DONE))
		;
}

void dev_zero(void)
{
	engine_cmd(SNN_ECMD_ZERO);
}

void dev_clear(void)
{
	engine_cmd(SNN_ECMD_CLEAR);
}

void dev_seek(unsigned region, unsigned core, uint32_t index)
{
	snn_eio_write(SNN_EIO_MEM_SEL, region | (uint32_t)core << 16);
	snn_eio_write(SNN_EIO_MEM_INDEX, index);
}

/* the engine knows its memories' extents: its status of a read there */
bool dev_word_ok(unsigned region, unsigned core, uint32_t index)
{
	dev_seek(region, core, index);
	snn_eio_read(SNN_EIO_MEM_DATA);
	return snn_eio_read(SNN_EIO_MEM_STATUS) == 0;
}

uint32_t dev_read_next(void)
{
	return snn_eio_read(SNN_EIO_MEM_DATA);
}

void dev_write_next(uint32_t w)
{
	snn_eio_write(SNN_EIO_MEM_DATA, w);
}

void dev_input(uint32_t q)
{
	snn_eio_write(SNN_EIO_INPUT, q);
}

uint32_t dev_step_index(void)
{
	return snn_eio_read(SNN_EIO_STEP);
}

bool dev_step(bool encode, uint32_t in_size, bool first, dev_out_fn *out)
{
	if (encode)	/* this step's input spikes to the engine */
		snn_eio_write(SNN_EIO_ENCODE, in_size | (first ? SNN_EENC_FIRST : 0));
	snn_eio_write(SNN_EIO_CMD, SNN_ECMD_STEP);
	uint32_t ev;
	while (!((ev = snn_eio_read(SNN_EIO_EVENT)) & SNN_EIO_DONE))
		out(ev >> 16 & 0x7FFFu, ev & 0xFFFFu);
	return !(ev & SNN_EIO_ABORTED);
}

uint32_t dev_counter(unsigned c, bool high)
{
	snn_eio_write(SNN_EIO_CNT_SEL, c | (high ? 8u : 0u));
	return snn_eio_read(SNN_EIO_CNT);
}

void dev_counters_clear(void)
{
	snn_eio_write(SNN_EIO_CNT_SEL, SNN_EIO_CNT_CLEAR);
}

void dev_pixels_at(uint32_t index)
{
	snn_eio_write(SNN_EIO_PIX_INDEX, index);
}

void dev_pixel(unsigned value)
{
	snn_eio_write(SNN_EIO_PIX_VALUE, value);
}

void dev_pixels_zero(void)
{
	snn_eio_write(SNN_EIO_ENCODE, SNN_EENC_ZERO);
}

void dev_encoder_wait(void)
{
	snn_eio_read(SNN_EIO_ENCODE);
}
