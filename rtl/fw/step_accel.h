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
/* sx_route_run()'s flags: the source a bitmap in the pool (else neuron
 * lines, RR_FROM's bit 31), their spike bit 41 (not 40, RR_COUNT's bit
 * 30); stop at the first spike and answer its line (the spike search,
 * sx_scan(); RR_COUNT's bit 29), found = bit 15 of the answer; and go on
 * from the last run's next position and coordinate (RR_FROM, RR_YX and
 * RR_C not written: they are the run's counters) */
#define SX_RUN_MAP 0x80000000u
#define SX_RUN_BIT41 0x40000000u
#define SX_RUN_FIND 0x20000000u
#define SX_RUN_FOUND 0x8000u
#define SX_RUN_MORE 0x10000000u
/* sx_run_target()'s: a conv core (else dense), of pool 2 (else 1) */
#define SX_TARGET_CONV 0x20000u
#define SX_TARGET_POOL2 0x10000u

/* The route run's and the tap walk's coordinates and sizes are this many
 * bits, signed (snn_step_io's CB; the registers' fields stay 16 bits
 * wide): the program hands them only cores and routes whose sizes are
 * below SX_COORD_LIMIT and whose offsets keep every coordinate in
 * [-2^(CB-1), 2^CB), where none wraps into a core's input (step.c). */
#define SX_COORD_BITS 12u
#define SX_COORD_LIMIT (1u << (SX_COORD_BITS - 1))

/* snn_step_io's registers (test_rtl_constants holds the Verilog's
 * localparams to these numbers) */
enum snn_step_io_reg {
	SNN_SIO_LA_ZERO = 2, SNN_SIO_SW_LINE = 3,
	SNN_SIO_SW_SLOT = 4, SNN_SIO_SW_PARAM = 5, SNN_SIO_SW_THR = 6, SNN_SIO_SW_RUN = 7,
	SNN_SIO_PIX_INDEX = 9, SNN_SIO_PIX_VALUE = 10, SNN_SIO_ENCODE = 11,
	SNN_SIO_ENC_EVENT = 12, SNN_SIO_CYCLES = 13, SNN_SIO_MUL = 15, SNN_SIO_TW_SIZE = 16,
	SNN_SIO_TW_KERNEL = 17, SNN_SIO_TW_PLANE = 18, SNN_SIO_RR_FROM = 20,
	SNN_SIO_RR_COUNT = 21, SNN_SIO_RR_YX = 22, SNN_SIO_RR_C = 23, SNN_SIO_RR_WRAP_X = 24,
	SNN_SIO_RR_WRAP_Y = 25, SNN_SIO_RR_RUN = 26, SNN_SIO_GT_SIZE = 27, SNN_SIO_GT_SIZE_X = 28,
	SNN_SIO_GT_AUX = 29, SNN_SIO_GT_SYN = 30,
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

/* Accumulator words 0 .. words - 1 zeroed (by the line add). */
static inline void sx_acc_zero(uint32_t words)
{
	*snn_sio(SNN_SIO_LA_ZERO) = words;
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
 * SX_SCAN_FOUND; else end: a route run that stops at the first spike
 * (end - line below 2^16). */
static inline uint32_t sx_scan(uint32_t line, uint32_t end, uint32_t bit)
{
	if (line >= end)
		return end;
	*snn_sio(SNN_SIO_RR_FROM) = line;	/* neuron lines */
	*snn_sio(SNN_SIO_RR_COUNT) = (end - line) | SX_RUN_FIND | (bit ? SX_RUN_BIT41 : 0);
	*snn_sio(SNN_SIO_RR_RUN) = 0;
	uint32_t r = *snn_sio(SNN_SIO_RR_RUN);
	return r & SX_RUN_FOUND ? (r & 0x7FFFu) | SX_SCAN_FOUND : end;
}

/* The tap walk's target: OH, OW (below SX_COORD_LIMIT), KH, KW, lines a tap,
 * log2 of the positions a word (0 for eight channels or more) and the
 * words from one group of eight channels to the next. */
static inline void sx_tap_shape(uint32_t oh, uint32_t ow, uint32_t kh, uint32_t kw, uint32_t groups,
				uint32_t pw, uint32_t plane)
{
	*snn_sio(SNN_SIO_TW_SIZE) = oh | ow << 16;
	*snn_sio(SNN_SIO_TW_KERNEL) = kh | kw << 8 | groups << 16 | pw << 24;
	*snn_sio(SNN_SIO_TW_PLANE) = plane;
}

/* The core the route runs that follow go into: IN_C, the rows and columns
 * of its input (a conv core's: those that pool into its map), the lines
 * of a dense row or a conv channel, aux (dense: N_AXONS; conv: PAD_Y -
 * OUT_Y0 | (PAD_X - OUT_X0) << 16), its first line and SX_TARGET_*. */
static inline void sx_run_target(uint32_t in_c, uint32_t lim_h, uint32_t lim_w, uint32_t lines,
				 uint32_t aux, uint32_t syn, uint32_t flags)
{
	*snn_sio(SNN_SIO_GT_SIZE) = in_c | lim_h << 16;
	*snn_sio(SNN_SIO_GT_SIZE_X) = lim_w | lines << 16;
	*snn_sio(SNN_SIO_GT_AUX) = aux;
	*snn_sio(SNN_SIO_GT_SYN) = syn | flags;
}

/* A route run's first coordinate (c, y, x), the route's offsets added, and
 * its walk: x from x0 to x1 - 1, then y from y0 to y1 - 1, then c; each
 * SX_COORD_BITS bits, signed (the run counts them modulo 2^SX_COORD_BITS). */
static inline void sx_run_coords(uint32_t c, uint32_t y, uint32_t x, uint32_t x0, uint32_t x1,
				 uint32_t y0, uint32_t y1)
{
	*snn_sio(SNN_SIO_RR_YX) = (y & 0xFFFFu) | x << 16;
	*snn_sio(SNN_SIO_RR_C) = c & 0xFFFFu;
	*snn_sio(SNN_SIO_RR_WRAP_X) = (x0 & 0xFFFFu) | x1 << 16;
	*snn_sio(SNN_SIO_RR_WRAP_Y) = (y0 & 0xFFFFu) | y1 << 16;
}

/* A route's spikes at count positions from from (1 to 65,535; neuron
 * lines, or with SX_RUN_MAP in flags the bits line x 64 + bit of a bitmap
 * in the pool), each at its coordinate, into sx_run_target()'s core: a
 * dense row or a conv event of the tap walk. The rows or taps added.
 * With SX_RUN_MORE, from the last run's next position and coordinate
 * (from and sx_run_coords() not used). */
static inline uint32_t sx_route_run(uint32_t from, uint32_t count, uint32_t flags)
{
	if (!(flags & SX_RUN_MORE))
		*snn_sio(SNN_SIO_RR_FROM) = from | (flags & SX_RUN_MAP);
	*snn_sio(SNN_SIO_RR_COUNT) = count | (flags & SX_RUN_BIT41);
	*snn_sio(SNN_SIO_RR_RUN) = 0;
	return *snn_sio(SNN_SIO_RR_RUN);
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

void sx_acc_zero(uint32_t words);
void sx_sweep_params(uint32_t param, uint32_t threshold);
uint32_t sx_sweep(uint32_t line, uint32_t count, uint32_t slot, uint32_t flags);
uint32_t sx_scan(uint32_t line, uint32_t end, uint32_t bit);
void sx_tap_shape(uint32_t oh, uint32_t ow, uint32_t kh, uint32_t kw, uint32_t groups, uint32_t pw,
		  uint32_t plane);
uint32_t sx_route_run(uint32_t from, uint32_t count, uint32_t flags);
void sx_run_target(uint32_t in_c, uint32_t lim_h, uint32_t lim_w, uint32_t lines, uint32_t aux,
		   uint32_t syn, uint32_t flags);
void sx_run_coords(uint32_t c, uint32_t y, uint32_t x, uint32_t x0, uint32_t x1, uint32_t y0,
		   uint32_t y1);
uint32_t sx_cycles(void);

#endif

#endif
