/* The engine's I/O registers (rtl/snn_engine_io.v), as the command layer's
 * program uses them: 32-bit words, read with lw and written with sw; an
 * access that has to wait for the engine holds the processor until it is
 * answered (docs/rtl.md, "snn_engine_io"). */
#ifndef SNN_ENGINE_IO_H
#define SNN_ENGINE_IO_H

#include <stdint.h>

#ifndef SNN_ENGINE_IO_BASE
#define SNN_ENGINE_IO_BASE 0x80000040u	/* after snn_ctrl's own registers */
#endif

enum snn_engine_io_reg {
	SNN_EIO_MEM_SEL = 0,	/* w: region (bits 2:0), core (bits 31:16) */
	SNN_EIO_MEM_INDEX = 1,	/* r/w: word index of the next access */
	SNN_EIO_MEM_DATA = 2,	/* r/w: the word there; the index counts up */
	SNN_EIO_MEM_STATUS = 3,	/* r: the engine's status of the last access (0 done) */
	SNN_EIO_CMD = 4,	/* w: SNN_ECMD_*, once the engine takes it */
	SNN_EIO_EVENT = 5,	/* r: the command's next output event, or SNN_EIO_DONE */
	SNN_EIO_STEP = 6,	/* r: the engine's step index */
	SNN_EIO_INPUT = 7,	/* w: an input event for the next step */
	SNN_EIO_CNT_SEL = 8,	/* w: counter (bits 2:0), high half (bit 3), or clear all (bit 4) */
	SNN_EIO_CNT = 9,	/* r: the selected counter half */
	SNN_EIO_PIX_INDEX = 10,	/* w: the input index of the next PIXELS value */
	SNN_EIO_PIX_VALUE = 11,	/* w: a value there; the index counts up */
	SNN_EIO_ENCODE = 12,	/* w: encode a step (SNN_EENC_*); r: waits until idle */
};

enum snn_engine_cmd { SNN_ECMD_CLEAR = 0, SNN_ECMD_STEP = 1, SNN_ECMD_ZERO = 2 };

#define SNN_EIO_DONE 0x80000000u	/* EVENT: the command is done ... */
#define SNN_EIO_ABORTED 0x00000001u	/* ... cut short by the watchdog */
#define SNN_EIO_CNT_CLEAR 0x10u
#define SNN_EENC_FIRST 0x10000u	/* ENCODE: the sample's first step */
#define SNN_EENC_ZERO 0x20000u	/* ENCODE: zero every value instead */

static inline volatile uint32_t *snn_eio(unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(SNN_ENGINE_IO_BASE + 4u * reg);
}

static inline uint32_t snn_eio_read(unsigned reg)
{
	return *snn_eio(reg);
}

static inline void snn_eio_write(unsigned reg, uint32_t value)
{
	*snn_eio(reg) = value;
}

#endif
