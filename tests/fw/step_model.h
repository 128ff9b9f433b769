/* A C model of step 3's accelerators (docs/rtl.md, "Step 3's
 * accelerators: the contract"), written from the contract's text, so that
 * rtl/fw/step.c runs on a host against the golden model: the pool and the
 * accumulators as arrays, the neuron arithmetic by snn_neuron_step(). */
#ifndef SNN_TEST_STEP_MODEL_H
#define SNN_TEST_STEP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct step_model {
	uint8_t *pool;	/* lines x 8 bytes */
	uint32_t lines;
	int32_t *acc;	/* words x 8 lanes */
	uint32_t words;
	/* the registers' widths: a line's address (LA; 14 on the UP5K), a
	 * count is 16 bits */
	unsigned line_bits;
	unsigned membrane_bits, bias_bits, acc_bits;
	/* SW_PARAM and SW_THR as last written */
	uint32_t param, threshold;
	/* the lines past the network that hold the step program's input
	 * bitmap (the route run's map mode reads them), from bitmap_line */
	const uint32_t *bitmap;
	uint32_t bitmap_line, bitmap_lines;
	/* the tap walk's TW_SIZE, TW_KERNEL and TW_PLANE as last written (the
	 * route run's conv events walk their taps) */
	uint32_t tw_oh, tw_ow, tw_kh, tw_kw, tw_groups, tw_pw, tw_plane;
	/* the route run's target and first coordinate, as last written */
	uint32_t gt_in_c, gt_lim_h, gt_lim_w, gt_lines, gt_aux, gt_syn, gt_flags;
	uint32_t rr_c, rr_y, rr_x, rr_x0, rr_x1, rr_y0, rr_y1;
	/* the position and coordinate after the last run's last */
	uint32_t rr_next, rr_next_c, rr_next_y, rr_next_x;
	/* what the blocks did: runs, lines added, neurons swept, lines scanned,
	 * taps walked, positions a route run took;
	 * their sum stands for the clock (sx_cycles()) */
	uint64_t line_adds, lines_added, sweeps, neurons_swept, scans, lines_scanned, taps_walked,
		 positions_run;
	/* a line outside the network's read (as 0) or written (dropped, as
	 * snn_step_io drops it), an accumulator word outside (wrapped, as the
	 * address bits do), counted; unless lax, the first is a fault */
	bool lax;
	uint64_t outside;
	/* set when a call broke the contract (a line or word outside, a slot
	 * step of 0 or above 8), with what */
	char fault[128];
} step_model;

/* The model the sx_*() functions of rtl/fw/step_accel.h use. */
extern step_model *step_model_now;

#endif
