/* Vector kernels of the golden simulator's dense and conv cores, in every
 * variant the CPU can run: AVX-512, AVX2 and portable C. All variants give
 * identical results (tests/sim/test_kernels.c); the simulator uses the best
 * one. */
#ifndef SNN_SIM_KERNELS_H
#define SNN_SIM_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

/* Arrays of sums, membranes and biases are padded to a whole number of
 * blocks; index lists need room for a block past their end. */
#define SIM_BLOCK 32u

/* Conv cores keep their channels padded to a multiple of this (one SSE
 * vector of 32-bit lanes), so that a kernel tap is whole vectors. */
#define SIM_CONV_LANES 4u

/* One step of the plain IF neurons (no leak, no refractory period) of a
 * dense core whose step sums are 16 bits wide and where v + sum + bias
 * cannot overflow 32 bits: docs/neuron-model.md's step, with snn_neuron_live
 * deciding which neurons go on the live list. */
typedef struct sim_if_args {
	int32_t *v;	/* n membranes, updated */
	int16_t *sum;	/* n step sums, cleared (if_step) */
	int32_t *sum32;	/* n step sums, cleared (if_step32) */
	const int32_t *bias;	/* n biases */
	uint32_t n;	/* a multiple of SIM_BLOCK */
	int32_t vmin, vmax, theta;
	bool spiking, reset_zero;
	uint32_t *spikes;	/* out: neurons that fired, ascending; n + SIM_BLOCK entries */
	uint32_t *live;	/* out: neurons live next step, ascending; n + SIM_BLOCK entries */
} sim_if_args;

/* One input channel of a pooled position in a conv core's step: where its
 * kernel's weights start, and how many events it received. */
typedef struct sim_conv_in {
	uint32_t w_off;
	int32_t cnt;
} sim_conv_in;

/* One pooled position of a conv core's step: its runs are
 * run[r0 .. r0 + n_runs), its input channels in[in0 .. in0 + n_in); mul
 * when any of their counts is not 1 (it may also be set when all are 1:
 * then the kernels multiply by 1). run_len, when not 0, says that every
 * run of the position is run_len lanes long and that no two of them
 * overlap: add_alike16 may then keep all its sums in registers while it
 * goes over the channels (the other kernels do not read it). The kernels are fastest when consecutive
 * positions have the same n_runs, run_len, n_in and mul (their loops then
 * run as the branch predictor expects). */
typedef struct sim_conv_pos {
	uint32_t r0, n_runs, in0, n_in;
	bool mul;
	uint32_t run_len;
} sim_conv_pos;

/* A step of a direct conv core (one input channel, one event a cell)
 * with narrow kernel rows, for add_masks16: the events of each input row
 * as a bit mask, and the kernel rows of every pattern of group columns
 * side by side precomputed, so that the adds need neither a list of
 * events nor a branch on one. */
#define SIM_MASK_UNITS 16u	/* add_masks16: output rows of at most 16 x 16 lanes */

typedef struct sim_conv_masks {
	int16_t *sum;	/* output row oy's lanes at sum + oy * row_len */
	/* output row oy, kernel row ky reads mask[oy * row_step + ky] (row_step:
	 * the stride) */
	const uint64_t *mask;
	/* pattern[(ky << group) + p][0 .. 32): the taps, in kernel row ky, of
	 * the columns i < group set in p, column i's starting i * 16 / group
	 * lanes on; all 0 for p = 0 (so rows without events may be skipped) */
	const int16_t (*pattern)[32];
	uint32_t oh, kh, row_len, group, row_step;
} sim_conv_masks;

typedef struct sim_kernels {
	const char *name;
	/* sum[0..n) += row[r][0..n) for every r < n_rows, in 16 bits (the
	 * caller makes sure they cannot overflow); n is a multiple of SIM_BLOCK. */
	void (*add_rows)(int16_t *sum, const int8_t *const *row, uint32_t n_rows, uint32_t n);
	/* Returns the number of spikes; *n_live gets the live list's length. */
	uint32_t (*if_step)(const sim_if_args *a, uint32_t *n_live);
	/* The same step with 32-bit sums (sum32): for conv cores, whose sums
	 * fit 32 bits (the configuration's accumulator bound) but not always
	 * 16; with sum32 NULL it reads and clears the 16-bit sum instead. The
	 * caller makes sure that vmax - vmin <= 2^30 - 1 (membranes of at most
	 * 30 bits): then sum + bias is clamped to +-(vmax - vmin) before it is
	 * added, which cannot change the saturated result and keeps v + it
	 * within 32 bits. It writes no live list (live is unused): *n_live gets
	 * only the number of neurons live next step. */
	uint32_t (*if_step32)(const sim_if_args *a, uint32_t *n_live);
	/* A conv core's synaptic add, for the pooled input positions
	 * pos[0..n_pos) whose input channels received events in the step
	 * (one call per core and step, not per position): for each position
	 * p, its channels c = in + p.in0 (j < p.n_in) and its runs
	 * r = run + p.r0 (i < p.n_runs; kernel taps whose sums and weights
	 * are contiguous), sum[r[i][0] + k] += the sum over j of c[j].cnt *
	 * w[c[j].w_off + r[i][1] + k], for k < r[i][2] (the caller makes sure
	 * nothing overflows 32 bits). A position's channels are summed in a
	 * register first, so that each sum is read and written once per
	 * position, not once per channel. Every run's length is a multiple of
	 * SIM_CONV_LANES (whole output positions of padded channels); the
	 * kernels add it in the widest vectors that fit, across positions. */
	void (*add_positions)(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
			      const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in);
	/* add_positions into 16-bit sums, for conv cores where no step's sum
	 * of a neuron can leave 16 bits: the adds wrap, and the caller makes
	 * sure that every final sum fits. Twice the lanes per vector. */
	void (*add_positions16)(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
				const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in);
	/* A direct conv core's synaptic add into 16-bit sums, 16 lanes (a
	 * unit) at a time, wrapping like add_positions16: with g = group and
	 * pm = 2^g - 1, for each output row oy < oh, unit u < ceil(row_len /
	 * 16) and kernel row ky < kh, m = mask[oy * row_step + ky],
	 * sum[oy * row_len + 16u + l] += pattern[(ky << g) + (m >> g(u + 1) & pm)][l]
	 *                             + pattern[(ky << g) + (m >> gu & pm)][16 + l]
	 * for l < 16 and 16u + l < row_len (<= 16 SIM_MASK_UNITS; g(u + 2) <= 64). A unit is
	 * read and written whole: sum has room for 16 lanes past the last row. */
	void (*add_masks16)(const sim_conv_masks *a);
	/* add_positions16 that reads sim_conv_pos.run_len: a position whose
	 * runs are alike (1 to 4 of 16, 32, 48, 64 or 96 lanes) and whose
	 * counts are 1 is added channel by channel with all its sums in
	 * registers. A kernel of its own, so that add_positions16's code stays
	 * as it was for the cores that have no such positions. */
	void (*add_alike16)(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
			    const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in);
} sim_kernels;

/* The fastest variant this CPU runs, or the one the environment variable
 * SNN_SIM_KERNELS names if the CPU runs it. */
const sim_kernels *sim_kernels_best(void);

/* Every variant this CPU runs, fastest first; returns how many (at most max). */
unsigned sim_kernels_all(const sim_kernels **out, unsigned max);

#endif
