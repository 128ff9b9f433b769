/* The golden simulator's vector kernels (sim/kernels.h), every variant this
 * CPU runs, against scalar references written here: plain 32-bit sums of
 * the rows, and include/snn/neuron.h's snn_neuron_step/snn_neuron_live for
 * the IF update (16- and 32-bit sums), plain multiply-adds for the conv
 * taps of a position's input channels, and add_masks16's
 * definition in kernels.h, lane by lane, for the row masks. Random data, with saturation, thresholds, zero biases and (32-bit)
 * sums far beyond the membrane range made likely. The simulator tests run only the best variant; this one
 * makes the others count too. */
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "../../sim/kernels.h"
#include "random_net.h"
#include "snn/neuron.h"

#define MAX_N 320u	/* neurons, a multiple of SIM_BLOCK */
#define MAX_ROWS 200u	/* 200 * 128 + 7000 < 32768: the sums cannot overflow */
#define ROUNDS 300

static void check_add_rows(const sim_kernels *k, rn_rng *r)
{
	th_case("%s add_rows: %d random row sets against 32-bit sums", k->name, ROUNDS);
	static int8_t w[MAX_ROWS][MAX_N];
	const int8_t *row[MAX_ROWS];
	int16_t sum[MAX_N];
	int32_t want[MAX_N];
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t n = SIM_BLOCK * (1 + rn_below(r, MAX_N / SIM_BLOCK));
		uint32_t n_rows = rn_below(r, MAX_ROWS + 1);
		for (uint32_t i = 0; i < n; i++)
			want[i] = sum[i] = (int16_t)rn_range(r, -7000, 7000);
		for (uint32_t j = 0; j < n_rows; j++) {
			for (uint32_t i = 0; i < n; i++)
				w[j][i] = (int8_t)(rn_chance(r, 10) ? (rn_chance(r, 50) ? 127 : -128)
								    : rn_range(r, -128, 127));
			/* rows may repeat, as two events on one axon do */
			row[j] = j && rn_chance(r, 25) ? row[rn_below(r, j)] : w[j];
		}
		for (uint32_t j = 0; j < n_rows; j++)
			for (uint32_t i = 0; i < n; i++)
				want[i] += row[j][i];
		k->add_rows(sum, row, n_rows, n);
		for (uint32_t i = 0; i < n; i++)
			if (!th_expect(sum[i] == want[i], "round %d (n %u, %u rows): sum[%u] %d, expected %d",
				       round, n, n_rows, i, sum[i], want[i]))
				return;
	}
}

static bool same_list(const uint32_t *got, uint32_t n_got, const uint32_t *want, uint32_t n_want)
{
	return n_got == n_want && memcmp(got, want, n_want * sizeof *want) == 0;
}

static void check_if_step(const sim_kernels *k, rn_rng *r)
{
	th_case("%s if_step: %d random cores against snn_neuron_step", k->name, ROUNDS);
	int32_t v[MAX_N], bias[MAX_N];
	int16_t sum[MAX_N];
	uint32_t spikes[MAX_N + SIM_BLOCK], live[MAX_N + SIM_BLOCK];
	uint32_t want_spikes[MAX_N], want_live[MAX_N];
	int32_t want_v[MAX_N];
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t n = SIM_BLOCK * (1 + rn_below(r, MAX_N / SIM_BLOCK));
		uint32_t mbits = 8 + rn_below(r, 22);	/* 8..29: the narrow case */
		uint32_t bbits = 1 + rn_below(r, mbits);
		snn_neuron_params p = {.vmax = (int32_t)((1u << (mbits - 1)) - 1u),
				       .spiking = rn_chance(r, 85),
				       .reset = rn_chance(r, 50) ? SNN_RESET_ZERO : SNN_RESET_SUBTRACT};
		p.vmin = -p.vmax - 1;
		/* a threshold anywhere up to vmax, often small so neurons fire */
		p.threshold = (int32_t)rn_range(r, 1, rn_chance(r, 50) ? p.vmax : (p.vmax < 300 ? p.vmax : 300));
		int32_t bmax = (int32_t)((1u << (bbits - 1)) - 1u);
		for (uint32_t i = 0; i < n; i++) {
			v[i] = (int32_t)(rn_chance(r, 10) ? (rn_chance(r, 50) ? p.vmax : p.vmin)
							 : rn_range(r, p.vmin, p.vmax));
			sum[i] = (int16_t)rn_range(r, INT16_MIN, INT16_MAX);
			bias[i] = rn_chance(r, 60) ? 0 : (int32_t)rn_range(r, -bmax - 1, bmax);
			/* often land exactly next to or on the threshold */
			int64_t at = (int64_t)p.threshold + rn_range(r, -1, 1) - sum[i] - bias[i];
			if (rn_chance(r, 20) && at >= p.vmin && at <= p.vmax)
				v[i] = (int32_t)at;
		}
		uint32_t n_ws = 0, n_wl = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t ref = 0;
			want_v[i] = v[i];
			if (snn_neuron_step(&p, &want_v[i], &ref, (int64_t)sum[i] + bias[i]))
				want_spikes[n_ws++] = i;
			if (snn_neuron_live(&p, want_v[i], 0, bias[i]))
				want_live[n_wl++] = i;
		}
		sim_if_args a = {.v = v, .sum = sum, .bias = bias, .n = n, .vmin = p.vmin,
				 .vmax = p.vmax, .theta = p.threshold, .spiking = p.spiking,
				 .reset_zero = p.reset == SNN_RESET_ZERO, .spikes = spikes, .live = live};
		uint32_t n_live = 0, n_spikes = k->if_step(&a, &n_live);
		bool cleared = true;
		for (uint32_t i = 0; i < n; i++)
			cleared &= sum[i] == 0;
		bool ok = th_expect(memcmp(v, want_v, n * sizeof *v) == 0,
				    "round %d (n %u, %u-bit membrane, theta %d): membranes differ", round,
				    n, mbits, p.threshold) &&
			  th_expect(same_list(spikes, n_spikes, want_spikes, n_ws),
				    "round %d: %u spikes, expected %u (or other neurons)", round,
				    n_spikes, n_ws) &&
			  th_expect(same_list(live, n_live, want_live, n_wl),
				    "round %d: %u live, expected %u (or other neurons)", round, n_live,
				    n_wl) &&
			  th_expect(cleared, "round %d: sums not cleared", round);
		if (!ok)
			return;
	}
}

static void check_if_step32(const sim_kernels *k, rn_rng *r)
{
	th_case("%s if_step32: %d random cores with 32-bit or 16-bit sums against snn_neuron_step",
		k->name, ROUNDS);
	int32_t v[MAX_N], bias[MAX_N], sum[MAX_N], want_v[MAX_N];
	int16_t sum16[MAX_N];
	uint32_t spikes[MAX_N + SIM_BLOCK];
	uint32_t want_spikes[MAX_N], n_wl;
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t n = SIM_BLOCK * (1 + rn_below(r, MAX_N / SIM_BLOCK));
		uint32_t mbits = 8 + rn_below(r, 23);	/* 8..30: what if_step32 is for */
		uint32_t bbits = 1 + rn_below(r, mbits);
		snn_neuron_params p = {.vmax = (int32_t)((1u << (mbits - 1)) - 1u),
				       .spiking = rn_chance(r, 85),
				       .reset = rn_chance(r, 50) ? SNN_RESET_ZERO : SNN_RESET_SUBTRACT};
		p.vmin = -p.vmax - 1;
		p.threshold = (int32_t)rn_range(r, 1, rn_chance(r, 50) ? p.vmax : (p.vmax < 300 ? p.vmax : 300));
		int32_t bmax = (int32_t)((1u << (bbits - 1)) - 1u);
		bool narrow = rn_chance(r, 50);	/* sums in 16 bits (conv16 cores) */
		for (uint32_t i = 0; i < n; i++) {
			v[i] = (int32_t)(rn_chance(r, 10) ? (rn_chance(r, 50) ? p.vmax : p.vmin)
							 : rn_range(r, p.vmin, p.vmax));
			bias[i] = rn_chance(r, 60) ? 0 : (int32_t)rn_range(r, -bmax - 1, bmax);
			/* sum + bias fits 32 bits (the accumulator bound), often far
			 * outside the membrane range, or just at its edge */
			unsigned kind = rn_below(r, 4);
			int64_t lo = (int64_t)INT32_MIN + bmax + 1, hi = (int64_t)INT32_MAX - bmax;
			int64_t span = (int64_t)p.vmax - p.vmin;
			int64_t x = kind == 0 ? rn_range(r, -100000, 100000)
				  : kind == 1 ? (rn_chance(r, 50) ? lo + rn_range(r, 0, 3) : hi - rn_range(r, 0, 3))
				  : kind == 2 ? (rn_chance(r, 50) ? span : -span) + rn_range(r, -2, 2)
					      : (int64_t)rn_range(r, 0, 0x7fffffff) * (rn_chance(r, 50) ? 1 : -1);
			x = x < lo ? lo : x > hi ? hi : x;
			if (narrow)
				x = rn_chance(r, 10) ? (rn_chance(r, 50) ? INT16_MAX : INT16_MIN)
						     : rn_range(r, INT16_MIN, INT16_MAX);
			sum[i] = (int32_t)x;
			sum16[i] = (int16_t)x;
			int64_t at = (int64_t)p.threshold + rn_range(r, -1, 1) - sum[i] - bias[i];
			if (rn_chance(r, 20) && at >= p.vmin && at <= p.vmax)
				v[i] = (int32_t)at;
		}
		uint32_t n_ws = 0;
		n_wl = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t ref = 0;
			want_v[i] = v[i];
			if (snn_neuron_step(&p, &want_v[i], &ref, (int64_t)sum[i] + bias[i]))
				want_spikes[n_ws++] = i;
			n_wl += snn_neuron_live(&p, want_v[i], 0, bias[i]);
		}
		sim_if_args a = {.v = v, .sum32 = narrow ? NULL : sum, .sum = sum16, .bias = bias,
				 .n = n, .vmin = p.vmin,
				 .vmax = p.vmax, .theta = p.threshold, .spiking = p.spiking,
				 .reset_zero = p.reset == SNN_RESET_ZERO, .spikes = spikes};	/* no live list */
		uint32_t n_live = 0, n_spikes = k->if_step32(&a, &n_live);
		bool cleared = true;
		for (uint32_t i = 0; i < n; i++)
			cleared &= narrow ? sum16[i] == 0 : sum[i] == 0;
		bool ok = th_expect(memcmp(v, want_v, n * sizeof *v) == 0,
				    "round %d (n %u, %u-bit membrane, theta %d, %s sums): membranes "
				    "differ", round, n, mbits, p.threshold, narrow ? "16-bit" : "32-bit") &&
			  th_expect(same_list(spikes, n_spikes, want_spikes, n_ws),
				    "round %d: %u spikes, expected %u (or other neurons)", round,
				    n_spikes, n_ws) &&
			  th_expect(n_live == n_wl, "round %d: %u live, expected %u", round, n_live,
				    n_wl) &&
			  th_expect(cleared, "round %d: sums not cleared", round);
		if (!ok)
			return;
	}
}

#define RUN_SUMS 4096u
#define RUN_W 2048u
#define MAX_RUNS 64u
#define MAX_IN 8u	/* input channels of one pooled position */
#define MAX_POS 4u	/* positions of one call */

static void check_add_positions(const sim_kernels *k, rn_rng *r)
{
	th_case("%s add_positions, add_positions16 and add_alike16: %d random position lists, runs and channel "
		"sets against 32-bit multiply-adds", k->name, ROUNDS);
	static int32_t sum[RUN_SUMS], want[RUN_SUMS];
	static int16_t sum16[RUN_SUMS], alike16[RUN_SUMS];
	static int16_t w[RUN_W];
	uint32_t run[MAX_POS * MAX_RUNS][3];
	sim_conv_in in[MAX_POS * MAX_IN];
	sim_conv_pos pos[MAX_POS];
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t n_pos = 1 + rn_below(r, MAX_POS), n_runs = 0, n_in = 0;
		/* runs of whole positions of 4 .. 160 padded channels, at
		 * positions' offsets or (from other layouts) at any 4 lanes */
		uint32_t ncp = SIM_CONV_LANES * (1 + rn_below(r, 40));
		uint32_t at = rn_chance(r, 50) ? ncp : SIM_CONV_LANES;
		bool ones = rn_chance(r, 40);	/* no pooling: every count 1 */
		/* positions of 1 to 4 runs alike that do not overlap (run_len),
		 * of lengths with a register body and without */
		static const uint32_t fixed_lens[] = {16, 32, 48, 64, 96, 80, 128, 12};
		const bool fixed = rn_chance(r, 40);
		const uint32_t fixed_len = fixed_lens[rn_below(r, 8)];
		for (uint32_t i = 0; i < RUN_SUMS; i++) {
			want[i] = sum[i] = (int32_t)rn_range(r, -1000000, 1000000);
			alike16[i] = sum16[i] = (int16_t)(uint16_t)sum[i];
		}
		for (uint32_t i = 0; i < RUN_W; i++)
			w[i] = (int16_t)(rn_chance(r, 10) ? (rn_chance(r, 50) ? INT16_MAX : INT16_MIN)
							 : rn_range(r, INT16_MIN, INT16_MAX));
		for (uint32_t p = 0; p < n_pos; p++) {
			/* positions may share runs or channels with earlier ones */
			pos[p].r0 = rn_chance(r, 20) ? 0 : n_runs;
			pos[p].n_runs = rn_below(r, MAX_RUNS + 1);
			pos[p].run_len = 0;
			if (fixed) {	/* runs of their own, so that they do not overlap */
				pos[p].r0 = n_runs;
				pos[p].n_runs = 1 + rn_below(r, 5);
				pos[p].run_len = fixed_len;
			}
			pos[p].in0 = rn_chance(r, 20) ? 0 : n_in;
			pos[p].n_in = 1 + rn_below(r, MAX_IN);
			if (pos[p].r0 + pos[p].n_runs > n_runs)
				n_runs = pos[p].r0 + pos[p].n_runs;
			if (pos[p].in0 + pos[p].n_in > n_in)
				n_in = pos[p].in0 + pos[p].n_in;
		}
		uint32_t max_len = 0;
		for (uint32_t t = 0; t < n_runs; t++) {	/* any offsets, overlaps allowed */
			uint32_t len = ncp * (1 + rn_below(r, 5));	/* 1 .. 5 positions */
			run[t][0] = rn_below(r, (RUN_SUMS - len) / at + 1) * at;
			if (fixed) {	/* a position's runs apart, in any order */
				len = fixed_len;
				run[t][0] = t % 5 * 800 + rn_below(r, 6) * 96 + 4 * rn_below(r, 8);
			}
			run[t][2] = len;
			max_len = len > max_len ? len : max_len;
		}
		/* run[t][1] + in[j].w_off stays within w for every pair */
		uint32_t half = (RUN_W - max_len) / 2;
		for (uint32_t t = 0; t < n_runs; t++)
			run[t][1] = rn_below(r, half + 1);
		for (uint32_t j = 0; j < n_in; j++) {
			in[j].w_off = rn_below(r, half + 1);
			/* 0 too: nothing in the kernels needs a count above 0 */
			in[j].cnt = ones ? 1 : (int32_t)rn_range(r, 0, 8);
		}
		for (uint32_t p = 0; p < n_pos; p++) {
			pos[p].mul = false;	/* as the simulator sets it */
			for (uint32_t j = pos[p].in0; j < pos[p].in0 + pos[p].n_in; j++)
				pos[p].mul |= in[j].cnt != 1;
			for (uint32_t t = pos[p].r0; t < pos[p].r0 + pos[p].n_runs; t++)
				for (uint32_t j = pos[p].in0; j < pos[p].in0 + pos[p].n_in; j++)
					for (uint32_t c = 0; c < run[t][2]; c++)
						want[run[t][0] + c] +=
							in[j].cnt * w[in[j].w_off + run[t][1] + c];
		}
		k->add_positions(sum, w, (const uint32_t(*)[3])run, pos, n_pos, in);
		/* the 16-bit adds wrap: their sums are the 32-bit ones mod 2^16 */
		k->add_positions16(sum16, w, (const uint32_t(*)[3])run, pos, n_pos, in);
		k->add_alike16(alike16, w, (const uint32_t(*)[3])run, pos, n_pos, in);
		bool same16 = true;
		for (uint32_t i = 0; i < RUN_SUMS; i++)
			same16 &= sum16[i] == (int16_t)(uint16_t)want[i] &&
				  alike16[i] == (int16_t)(uint16_t)want[i];
		if (!th_expect(memcmp(sum, want, sizeof sum) == 0,
			       "round %d (%u positions, %u runs, %u input channels, %u lanes, "
			       "counts %s): sums differ",
			       round, n_pos, n_runs, n_in, ncp, ones ? "1" : "0..8") ||
		    !th_expect(same16, "round %d (%u positions, %u lanes, runs of %u alike): 16-bit sums differ",
			       round, n_pos, ncp, fixed ? fixed_len : 0))
			return;
	}
}

#define MASK_ROWS 8u
#define MASK_KH 5u
#define MASK_STEP 3u	/* input rows per output row (stride) */

/* add_masks16 against its definition in kernels.h, lane by lane, in
 * 32-bit sums taken mod 2^16. */
static void check_add_masks(const sim_kernels *k, rn_rng *r)
{
	th_case("%s add_masks16: %d random masks and patterns against plain sums", k->name, ROUNDS);
	enum { LANES = MASK_ROWS * 16 * SIM_MASK_UNITS + 16 };
	static int16_t sum[LANES], pattern[MASK_KH << 4][32];
	static int32_t want[LANES];
	uint64_t mask[MASK_STEP * (MASK_ROWS - 1) + MASK_KH];
	for (int round = 0; round < ROUNDS; round++) {
		const uint32_t g = 1u << rn_below(r, 3), pm = (1u << g) - 1;	/* 1, 2 or 4 */
		const uint32_t max_units = 64 / g - 2 < SIM_MASK_UNITS ? 64 / g - 2 : SIM_MASK_UNITS;
		const uint32_t units = 1 + rn_below(r, max_units);
		const uint32_t row_len = 16 * (units - 1) + 4 * (1 + rn_below(r, 4));
		const uint32_t oh = 1 + rn_below(r, MASK_ROWS), kh = 1 + rn_below(r, MASK_KH);
		const uint32_t step = 1 + rn_below(r, MASK_STEP);	/* the stride */
		const unsigned density = rn_below(r, 101);	/* percent of columns with events */
		for (uint32_t i = 0; i < LANES; i++)
			want[i] = sum[i] = (int16_t)rn_range(r, INT16_MIN, INT16_MAX);
		for (uint32_t p = 0; p < (kh << g); p++)
			for (uint32_t l = 0; l < 32; l++)
				pattern[p][l] = p & pm ? (int16_t)(rn_chance(r, 10) ? (rn_chance(r, 50) ? INT16_MAX : INT16_MIN)
										  : rn_range(r, INT16_MIN, INT16_MAX))
						       : 0;	/* no column: no taps (kernels.h) */
		for (uint32_t y = 0; y < step * (oh - 1) + kh; y++) {
			mask[y] = 0;
			if (rn_chance(r, 25))
				continue;	/* rows without events: the kernel may skip an output row */
			for (uint32_t b = 0; b < 64; b++)
				mask[y] |= (uint64_t)rn_chance(r, density) << b;
		}
		for (uint32_t oy = 0; oy < oh; oy++)
			for (uint32_t u = 0; u < units; u++)
				for (uint32_t ky = 0; ky < kh; ky++) {
					const uint64_t m = mask[oy * step + ky];
					const int16_t *lo = pattern[(ky << g) + (uint32_t)(m >> (g * (u + 1)) & pm)];
					const int16_t *hi = pattern[(ky << g) + (uint32_t)(m >> (g * u) & pm)];
					for (uint32_t l = 0; l < 16 && 16 * u + l < row_len; l++)
						want[oy * row_len + 16 * u + l] += lo[l] + hi[16 + l];
				}
		sim_conv_masks a = {.sum = sum, .mask = mask, .pattern = (const int16_t(*)[32])pattern,
				    .oh = oh, .kh = kh, .row_len = row_len, .group = g,
				    .row_step = step};
		k->add_masks16(&a);
		for (uint32_t i = 0; i < LANES; i++)
			if (!th_expect(sum[i] == (int16_t)(uint16_t)want[i],
				       "round %d (group %u, row of %u lanes, %u rows, kh %u, row step %u): sum[%u] %d, expected %d",
				       round, g, row_len, oh, kh, step, i, sum[i], (int16_t)(uint16_t)want[i]))
				return;
	}
}

int main(void)
{
	const sim_kernels *all[8];
	unsigned n = sim_kernels_all(all, 8);
	th_case("sim_kernels_best is the first of sim_kernels_all");
	th_expect(n >= 1 && sim_kernels_best() == all[0], "%u variants", n);
	for (unsigned i = 0; i < n; i++) {
		rn_rng r = {0x5eed0000u};	/* every variant sees the same data */
		check_add_rows(all[i], &r);
		r = (rn_rng){0x5eed1000u};
		check_if_step(all[i], &r);
		r = (rn_rng){0x5eed2000u};
		check_if_step32(all[i], &r);
		r = (rn_rng){0x5eed3000u};
		check_add_positions(all[i], &r);
		r = (rn_rng){0x5eed4000u};
		check_add_masks(all[i], &r);
	}
	return th_done("test_kernels");
}
