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
	/* what the blocks did: runs, lines added, neurons swept, lines scanned;
	 * their sum stands for the clock (sx_cycles()) */
	uint64_t line_adds, lines_added, sweeps, neurons_swept, scans, lines_scanned;
	/* a line outside the network's read (as 0) or written (dropped, as
	 * snn_step_io drops it), an accumulator word outside (wrapped, as the
	 * address bits do), counted; unless lax, the first is a fault */
	bool lax;
	uint64_t outside;
	/* set when a call broke the contract (a line or word outside, a slot
	 * step of 0 or above 8), with what */
	char fault[128];
} step_model;

/* The model sx_line_add(), sx_sweep_params(), sx_sweep() and sx_scan() use. */
extern step_model *step_model_now;

#endif
