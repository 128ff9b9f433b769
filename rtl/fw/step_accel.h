/* Step 3's accelerators as the step program calls them (docs/rtl.md,
 * "Step 3's accelerators"): on the device, snn_step_io's registers
 * (rtl/snn_step_io.v), each run answered when the block has finished; on a
 * host, a model of the same contract that the test links in
 * (tests/fw/step_model.c), so that rtl/fw/step.c is one source for both. */
#ifndef SNN_STEP_ACCEL_H
#define SNN_STEP_ACCEL_H

#include <stdint.h>

/* SW_SLOT's flags above the slot step */
#define SX_SWEEP_ZERO 0x10u	/* zero each accumulator word after its last read */
#define SX_SWEEP_CUR 0x20u	/* the step is odd: its spike is bit 41 */
/* SW_PARAM's flags above the leak and the refractory count */
#define SX_PARAM_SUBTRACT 0x1000u	/* reset by subtraction */
#define SX_PARAM_SPIKING 0x2000u
/* SC_RUN's answer: found */
#define SX_SCAN_FOUND 0x80000000u
/* sx_line_add's mask: the words are written zero instead */
#define SX_LINE_ZERO 0x100u

/* snn_step_io's registers (test_rtl_constants holds the Verilog's
 * localparams to these numbers) */
enum snn_step_io_reg {
	SNN_SIO_LA_LINE = 0, SNN_SIO_LA_WORD = 1, SNN_SIO_LA_RUN = 2, SNN_SIO_SW_LINE = 3,
	SNN_SIO_SW_SLOT = 4, SNN_SIO_SW_PARAM = 5, SNN_SIO_SW_THR = 6, SNN_SIO_SW_RUN = 7,
	SNN_SIO_SC_RUN = 8, SNN_SIO_PIX_INDEX = 9, SNN_SIO_PIX_VALUE = 10, SNN_SIO_ENCODE = 11,
	SNN_SIO_ENC_EVENT = 12, SNN_SIO_CYCLES = 13, SNN_SIO_MUL = 15,
};

#define SNN_SIO_ENCODE_FIRST 0x10000u	/* ENCODE: the sample's first step */
#define SNN_SIO_ENCODE_ZERO 0x20000u	/* ENCODE: zero every value instead */
#define SNN_SIO_ENC_DONE 0x80000000u	/* ENC_EVENT: the step's spikes are all read */

#if defined(__riscv)

#ifndef SNN_STEP_IO_BASE
#define SNN_STEP_IO_BASE 0x80000040u	/* after snn_ctrl's own registers */
#endif

static inline volatile uint32_t *snn_sio(unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(SNN_STEP_IO_BASE + 4u * reg);
}

/* Adds count pool lines from line into the accumulator words from word,
 * word step apart, the lanes of mask; with SX_LINE_ZERO in mask, writes
 * those words zero instead. */
static inline void sx_line_add(uint32_t line, uint32_t count, uint32_t word, uint32_t step,
			       uint32_t mask)
{
	*snn_sio(SNN_SIO_LA_LINE) = line;
	*snn_sio(SNN_SIO_LA_WORD) = word | step << 16;
	*snn_sio(SNN_SIO_LA_RUN) = count | mask << 16;
}

/* The neuron parameters of the sweeps that follow: SW_PARAM's word and the
 * threshold. */
static inline void sx_sweep_params(uint32_t param, uint32_t threshold)
{
	*snn_sio(SNN_SIO_SW_PARAM) = param;
	*snn_sio(SNN_SIO_SW_THR) = threshold;
}

/* count neurons from pool line line, their accumulators from slot, slot
 * step and SX_SWEEP_* in flags: the spikes. */
static inline uint32_t sx_sweep(uint32_t line, uint32_t count, uint32_t slot, uint32_t flags)
{
	*snn_sio(SNN_SIO_SW_LINE) = line;
	*snn_sio(SNN_SIO_SW_SLOT) = slot | flags << 16;
	*snn_sio(SNN_SIO_SW_RUN) = count;
	return *snn_sio(SNN_SIO_SW_RUN);
}

/* The first line in [line, end) whose spike bit 40 + bit is set, with
 * SX_SCAN_FOUND; else end. */
static inline uint32_t sx_scan(uint32_t line, uint32_t end, uint32_t bit)
{
	*snn_sio(SNN_SIO_SC_RUN) = line | end << 16 | bit << 31;
	return *snn_sio(SNN_SIO_SC_RUN);
}

/* a x b by the multiplier register, a and b below 2^16 */
static inline uint32_t sx_mul16(uint32_t a, uint32_t b)
{
	*snn_sio(SNN_SIO_MUL) = a | b << 16;
	return *snn_sio(SNN_SIO_MUL);
}

/* The clock cycles since reset, low 32 bits: the step's watchdog. */
static inline uint32_t sx_cycles(void)
{
	return *snn_sio(SNN_SIO_CYCLES);
}

#else

void sx_line_add(uint32_t line, uint32_t count, uint32_t word, uint32_t step, uint32_t mask);
void sx_sweep_params(uint32_t param, uint32_t threshold);
uint32_t sx_sweep(uint32_t line, uint32_t count, uint32_t slot, uint32_t flags);
uint32_t sx_scan(uint32_t line, uint32_t end, uint32_t bit);
uint32_t sx_cycles(void);

#endif

#endif
