/* Vector kernels of the golden simulator (see kernels.h). The x86 variants
 * are compiled for their instruction sets with target attributes and chosen
 * at run time, so the library still runs on any x86-64.
 *
 * The exception to STYLE.md made here, and only here (performance kernels):
 * STYLE.md asks for the neuron arithmetic in one place per language
 * (snn_neuron_step in include/snn/neuron.h) and for code that reads as the
 * specification. These kernels restate the plain-IF step and the synaptic
 * adds branch-free, in vector lanes, once per instruction set, with
 * intrinsics and bit tricks, because that is where the simulator spends its
 * time. What keeps them honest instead of readability:
 *   - every variant is held to scalar references written from the
 *     specification (tests/sim/test_kernels.c: snn_neuron_step, plain sums);
 *   - the whole simulator runs once per variant against the naive
 *     simulator on random dense and conv networks
 *     (tests/sim/test_sim_vs_naive.c), which shares no code with sim.c;
 *   - a kernel is used only where its preconditions (kernels.h: no
 *     overflow of the 16-bit lanes, for conv cores of a step's final sums,
 *     membranes narrow enough for 32-bit lanes, no leak or refractory
 *     period) are proven when the simulator is created; everything else
 *     takes the scalar path through snn_neuron_step.
 * Nothing outside sim/kernels.c and the lane layouts of sim/sim.c may use
 * this exception. */
#include "kernels.h"

#include <stdlib.h>
#include <string.h>

/* ---- portable C ---------------------------------------------------------- */

typedef int16_t block16 __attribute__((vector_size(SIM_BLOCK * sizeof(int16_t))));
typedef int8_t block8 __attribute__((vector_size(SIM_BLOCK)));

/* A block of sums stays in a register while every row is added to it. */
static void add_rows_c(int16_t *sum, const int8_t *const *row, uint32_t n_rows, uint32_t n)
{
	for (uint32_t b = 0; b < n; b += SIM_BLOCK) {
		block16 acc;
		memcpy(&acc, sum + b, sizeof acc);
		for (uint32_t r = 0; r < n_rows; r++) {
			block8 w;
			memcpy(&w, row[r] + b, sizeof w);
			acc += __builtin_convertvector(w, block16);
		}
		memcpy(sum + b, &acc, sizeof acc);
	}
}

/* Branch-free: the lists grow by one only where the condition holds. */
static uint32_t if_step_c(const sim_if_args *a, uint32_t *n_live)
{
	const int32_t spk = a->spiking, sub_mask = a->reset_zero ? 0 : -1;
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		int32_t u = a->v[i] + a->sum[i] + a->bias[i];
		u = u < a->vmin ? a->vmin : u;
		u = u > a->vmax ? a->vmax : u;
		int32_t fired = spk & (u >= a->theta);
		int32_t keep = fired - 1;	/* -1 unless it fired */
		u = (u & keep) | ((u - a->theta) & sub_mask & ~keep);
		a->v[i] = u;
		a->sum[i] = 0;
		a->spikes[ns] = i;
		ns += (uint32_t)fired;
		a->live[nl] = i;
		nl += (uint32_t)((a->bias[i] != 0) | (spk & (u >= a->theta)));
	}
	*n_live = nl;
	return ns;
}

/* if_step_c with 32-bit sums (or 16-bit ones), clamped first (kernels.h). */
static uint32_t if_step32_c(const sim_if_args *a, uint32_t *n_live)
{
	const int32_t spk = a->spiking, sub_mask = a->reset_zero ? 0 : -1;
	const int32_t span = a->vmax - a->vmin;
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		int32_t x = (a->sum32 ? a->sum32[i] : a->sum[i]) + a->bias[i];
		x = x < -span ? -span : x;
		x = x > span ? span : x;
		int32_t u = a->v[i] + x;
		u = u < a->vmin ? a->vmin : u;
		u = u > a->vmax ? a->vmax : u;
		int32_t fired = spk & (u >= a->theta);
		int32_t keep = fired - 1;	/* -1 unless it fired */
		u = (u & keep) | ((u - a->theta) & sub_mask & ~keep);
		a->v[i] = u;
		if (a->sum32)
			a->sum32[i] = 0;
		else
			a->sum[i] = 0;
		a->spikes[ns] = i;
		ns += (uint32_t)fired;
		nl += (uint32_t)((a->bias[i] != 0) | (spk & (u >= a->theta)));
	}
	*n_live = nl;
	return ns;
}

static void add_runs_c(int32_t *sum, const int16_t *w, const uint32_t (*run)[3], uint32_t n_runs,
		       const sim_conv_in *in, uint32_t n_in)
{
	for (uint32_t i = 0; i < n_runs; i++) {
		int32_t *restrict s = sum + run[i][0];
		for (uint32_t j = 0; j < n_in; j++) {
			const int16_t *restrict t = w + in[j].w_off + run[i][1];
			for (uint32_t k = 0; k < run[i][2]; k++)
				s[k] += in[j].cnt * t[k];
		}
	}
}

static void add_positions_c(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
			    const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	for (uint32_t p = 0; p < n_pos; p++)
		add_runs_c(sum, w, run + pos[p].r0, pos[p].n_runs, in + pos[p].in0, pos[p].n_in);
}

/* add_positions into 16-bit sums (kernels.h, add_positions16), written once
 * with vector types and inlined into each variant, whose target decides
 * the registers: 32 lanes of 16 bits, then 16, 8 and 4. The arithmetic is
 * unsigned, so that it wraps (only the final sums are bounded). */
typedef uint16_t lanes32 __attribute__((vector_size(64)));
typedef uint16_t lanes16 __attribute__((vector_size(32)));
typedef uint16_t lanes8 __attribute__((vector_size(16)));
typedef uint16_t lanes4 __attribute__((vector_size(8)));

/* s[0..L) += the channels' weights at offset off, times their counts. */
#define DEFINE_ADD_LANES(NAME, T)                                                          \
	static inline __attribute__((always_inline)) void NAME(                            \
		int16_t *s, const int16_t *w, const sim_conv_in *in, uint32_t n_in, uint32_t off, \
		bool mul)                                                                  \
	{                                                                                  \
		T acc, x;                                                                  \
		memcpy(&acc, s, sizeof acc);                                               \
		for (uint32_t j = 0; j < n_in; j++) {                                      \
			memcpy(&x, w + in[j].w_off + off, sizeof x);                        \
			acc += mul ? x * (uint16_t)in[j].cnt : x;                           \
		}                                                                          \
		memcpy(s, &acc, sizeof acc);                                               \
	}
DEFINE_ADD_LANES(add_lanes32, lanes32)
DEFINE_ADD_LANES(add_lanes16, lanes16)
DEFINE_ADD_LANES(add_lanes8, lanes8)
DEFINE_ADD_LANES(add_lanes4, lanes4)

static inline __attribute__((always_inline)) void
add_runs16_body(int16_t *sum, const int16_t *w, const uint32_t (*run)[3], uint32_t n_runs,
		const sim_conv_in *in, uint32_t n_in, bool mul)
{
	for (uint32_t i = 0; i < n_runs; i++) {
		int16_t *s = sum + run[i][0];
		const uint32_t wo = run[i][1], len = run[i][2];
		uint32_t k = 0;
		for (; k + 32 <= len; k += 32)
			add_lanes32(s + k, w, in, n_in, wo + k, mul);
		if (k + 16 <= len) {
			add_lanes16(s + k, w, in, n_in, wo + k, mul);
			k += 16;
		}
		if (k + 8 <= len) {
			add_lanes8(s + k, w, in, n_in, wo + k, mul);
			k += 8;
		}
		if (k < len)	/* 4 more */
			add_lanes4(s + k, w, in, n_in, wo + k, mul);
	}
}

/* A position of R runs of L lanes each (sim_conv_pos.run_len) and counts
 * of 1, channel by channel: all its sums in registers (R x L / 32 vectors
 * of 32 lanes, and one of 16 if L is an odd multiple of 16), one pass
 * over its channels, each channel's weight offset read once. Why: the
 * residual fixtures' 3 x 3 layers (3 runs of 48 or 96 lanes) spent one
 * loop iteration, a load of the offset and a taken branch per 32 lanes
 * and channel, 40 to 120 cycles a position. */
static inline __attribute__((always_inline)) void
add_fixed16(int16_t *restrict sum, const int16_t *restrict w, const uint32_t (*restrict r)[3],
	    const sim_conv_in *restrict c, uint32_t n_in, const uint32_t R, const uint32_t L)
{
	enum { MAX_R = 4, MAX_V = 3 };
	const uint32_t n32 = L / 32, half = L % 32 != 0;
	lanes32 a32[MAX_R][MAX_V], x32;
	lanes16 a16[MAX_R], x16;
	uint32_t wo[MAX_R];
	for (uint32_t i = 0; i < R; i++) {
		wo[i] = r[i][1];
		for (uint32_t v = 0; v < n32; v++)
			memcpy(&a32[i][v], sum + r[i][0] + 32 * v, sizeof x32);
		if (half)
			memcpy(&a16[i], sum + r[i][0] + 32 * n32, sizeof x16);
	}
	for (uint32_t j = 0; j < n_in; j++) {
		const int16_t *wj = w + c[j].w_off;
		for (uint32_t i = 0; i < R; i++) {
			for (uint32_t v = 0; v < n32; v++) {
				memcpy(&x32, wj + wo[i] + 32 * v, sizeof x32);
				a32[i][v] += x32;
			}
			if (half) {
				memcpy(&x16, wj + wo[i] + 32 * n32, sizeof x16);
				a16[i] += x16;
			}
		}
	}
	for (uint32_t i = 0; i < R; i++) {
		for (uint32_t v = 0; v < n32; v++)
			memcpy(sum + r[i][0] + 32 * v, &a32[i][v], sizeof x32);
		if (half)
			memcpy(sum + r[i][0] + 32 * n32, &a16[i], sizeof x16);
	}
}

/* add_fixed16 for the shapes it has a body for (at most 9 vectors of 32
 * lanes); false for the others. */
static inline __attribute__((always_inline)) bool
add_fixed16_pick(int16_t *restrict sum, const int16_t *restrict w, const uint32_t (*restrict r)[3],
		 const sim_conv_in *restrict c, uint32_t n_in, uint32_t n_runs, uint32_t len)
{
#define FIXED(R, L)                                                  \
	case (R) * 1024 + (L):                                       \
		add_fixed16(sum, w, r, c, n_in, R, L);               \
		return true;
	switch (n_runs * 1024 + len) {
	FIXED(1, 16) FIXED(2, 16) FIXED(3, 16) FIXED(4, 16)
	FIXED(1, 32) FIXED(2, 32) FIXED(3, 32) FIXED(4, 32)
	FIXED(1, 48) FIXED(2, 48) FIXED(3, 48) FIXED(4, 48)
	FIXED(1, 64) FIXED(2, 64) FIXED(3, 64) FIXED(4, 64)
	FIXED(1, 96) FIXED(2, 96) FIXED(3, 96)
	default:
		return false;
	}
#undef FIXED
}

/* A position's channels and counts pick the body: no loop over a single
 * channel, no multiply by counts of 1 (no pooling), and with alike
 * (add_alike16) add_fixed16 where the position's runs allow. restrict: a
 * store to the sums need not make the loop read the lists again. */
static inline __attribute__((always_inline)) void
add_positions16_body(int16_t *restrict sum, const int16_t *restrict w,
		     const uint32_t (*restrict run)[3], const sim_conv_pos *restrict pos,
		     uint32_t n_pos, const sim_conv_in *restrict in, bool alike)
{
	for (uint32_t p = 0; p < n_pos; p++) {
		const uint32_t (*r)[3] = run + pos[p].r0, n_runs = pos[p].n_runs, n_in = pos[p].n_in;
		const sim_conv_in *c = in + pos[p].in0;
		if (alike && pos[p].run_len - 1 < 96 && n_runs <= 4 && !pos[p].mul &&
		    add_fixed16_pick(sum, w, r, c, n_in, n_runs, pos[p].run_len))
			continue;
		if (n_in == 1 && !pos[p].mul)
			add_runs16_body(sum, w, r, n_runs, c, 1, false);
		else if (!pos[p].mul)	/* every count 1: always so in once cores */
			add_runs16_body(sum, w, r, n_runs, c, n_in, false);
		else if (n_in == 1)	/* a few channels, as all_in cores order them */
			add_runs16_body(sum, w, r, n_runs, c, 1, true);
		else if (n_in == 2)
			add_runs16_body(sum, w, r, n_runs, c, 2, true);
		else if (n_in == 3)
			add_runs16_body(sum, w, r, n_runs, c, 3, true);
		else if (n_in == 4)
			add_runs16_body(sum, w, r, n_runs, c, 4, true);
		else
			add_runs16_body(sum, w, r, n_runs, c, n_in, true);
	}
}

/* add_masks16 (kernels.h), written once with vector types and inlined
 * into each variant like add_positions16_body. Why: LeNet-1's first conv
 * (4 channels, 5 x 5) adds an input event as five runs of 20 lanes, each
 * a 16-lane and a 4-lane read-modify-write of sums that the next event
 * (the next column) reads again 4 lanes on; here each output unit of 16
 * lanes is summed in a register from its kernel rows' patterns, looked up
 * by the input rows' bits, and written once, with no branch on the
 * events. The same for the residual fixtures' stem (3 x 3, stride 2,
 * 16 channels), whose events had cost 25 cycles each for 2.25 taps of 16
 * lanes: a group is then two input columns, an output row reads every
 * second input row's masks (row_step), and its 14 units are registers. */
static inline __attribute__((always_inline)) void add_masks16_body(const sim_conv_masks *args,
								   const uint32_t units)
{
	const sim_conv_masks a = *args;	/* a copy no store can alias */
	const uint32_t g = a.group, pm = (1u << g) - 1;
	lanes16 keep;	/* the last unit's lanes that belong to the row */
	for (uint32_t l = 0; l < 16; l++)
		keep[l] = l < a.row_len - 16 * (units - 1) ? 0xffff : 0;
	for (uint32_t oy = 0; oy < a.oh; oy++) {
		const uint64_t *m = a.mask + (size_t)oy * a.row_step;
		uint64_t any = 0;
		for (uint32_t ky = 0; ky < a.kh; ky++)
			any |= m[ky];
		if (!any)
			continue;
		/* the group of bits n of a mask adds its pattern's first 16 lanes
		 * to unit n - 1 and the others to unit n: units + 1 accumulators,
		 * the first one's sums (unit -1) dropped */
		lanes16 acc[SIM_MASK_UNITS + 1] = {{0}}, x;
		for (uint32_t ky = 0; ky < a.kh; ky++) {
			const int16_t(*p)[32] = a.pattern + (ky << g);
			uint64_t t = m[ky];
#pragma GCC unroll 17
			for (uint32_t n = 0; n <= units; n++, t >>= g) {
				const int16_t *q = p[t & pm];
				memcpy(&x, q, sizeof x);
				acc[n] += x;	/* unit n - 1 */
				if (n == units)
					break;	/* its unit n is past the row */
				memcpy(&x, q + 16, sizeof x);
				acc[n + 1] += x;	/* unit n */
			}
		}
		acc[units] &= keep;
		int16_t *s = a.sum + (size_t)oy * a.row_len;
#pragma GCC unroll 16
		for (uint32_t u = 0; u < units; u++) {
			memcpy(&x, s + 16 * u, sizeof x);
			x += acc[u + 1];
			memcpy(s + 16 * u, &x, sizeof x);
		}
	}
}

/* add_masks16_body with the row's units known, so that its accumulators
 * are registers. */
static inline __attribute__((always_inline)) void add_masks16_pick(const sim_conv_masks *a)
{
	switch ((a->row_len + 15) / 16) {
	case 1: add_masks16_body(a, 1); break;
	case 2: add_masks16_body(a, 2); break;
	case 3: add_masks16_body(a, 3); break;
	case 4: add_masks16_body(a, 4); break;
	case 5: add_masks16_body(a, 5); break;
	case 6: add_masks16_body(a, 6); break;
	case 7: add_masks16_body(a, 7); break;
	case 8: add_masks16_body(a, 8); break;
	case 9: add_masks16_body(a, 9); break;
	case 10: add_masks16_body(a, 10); break;
	case 11: add_masks16_body(a, 11); break;
	case 12: add_masks16_body(a, 12); break;
	case 13: add_masks16_body(a, 13); break;
	case 14: add_masks16_body(a, 14); break;
	case 15: add_masks16_body(a, 15); break;
	case 16: add_masks16_body(a, 16); break;
	default: break;	/* more than SIM_MASK_UNITS: not called */
	}
}

static void add_masks16_c(const sim_conv_masks *a)
{
	add_masks16_pick(a);
}

static void add_positions16_c(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
			      const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, false);
}

static void add_alike16_c(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
			      const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, true);
}

static const sim_kernels kernels_c = {"c", add_rows_c, if_step_c, if_step32_c, add_positions_c,
				      add_positions16_c, add_masks16_c, add_alike16_c};

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* ---- AVX2: 16 lanes of 16 bits, 8 of 32 --------------------------------- */

/* Up to four blocks (eight registers) per pass share each row pointer load. */
__attribute__((target("avx2")))
static inline void add_rows_avx2_pass(int16_t *sum, const int8_t *const *row, uint32_t n_rows,
				      uint32_t b, int blocks)
{
	__m256i acc[8];
	for (int j = 0; j < 2 * blocks; j++)
		acc[j] = _mm256_loadu_si256((const __m256i *)(sum + b + 16 * j));
	for (uint32_t r = 0; r < n_rows; r++)
		for (int j = 0; j < 2 * blocks; j++)
			acc[j] = _mm256_add_epi16(acc[j], _mm256_cvtepi8_epi16(_mm_loadu_si128(
								  (const __m128i *)(row[r] + b + 16 * j))));
	for (int j = 0; j < 2 * blocks; j++)
		_mm256_storeu_si256((__m256i *)(sum + b + 16 * j), acc[j]);
}

__attribute__((target("avx2")))
static void add_rows_avx2(int16_t *sum, const int8_t *const *row, uint32_t n_rows, uint32_t n)
{
	uint32_t b = 0;
	for (; b + 4 * SIM_BLOCK <= n; b += 4 * SIM_BLOCK)
		add_rows_avx2_pass(sum, row, n_rows, b, 4);
	switch ((n - b) / SIM_BLOCK) {
	case 3: add_rows_avx2_pass(sum, row, n_rows, b, 3); break;
	case 2: add_rows_avx2_pass(sum, row, n_rows, b, 2); break;
	case 1: add_rows_avx2_pass(sum, row, n_rows, b, 1); break;
	}
}

/* compress8[m]: the lanes set in the 8-bit mask m, in order, one per
 * nibble; the AVX2 lists are written eight entries at a time through it. */
static uint32_t compress8[256];

__attribute__((constructor)) static void init_compress8(void)
{
	for (unsigned m = 0; m < 256; m++) {
		uint32_t packed = 0;
		for (unsigned lane = 0, k = 0; lane < 8; lane++)
			if (m >> lane & 1)
				packed |= lane << (4 * k++);
		compress8[m] = packed;
	}
}

/* Append the indices base + lane of the lanes set in m to list at *n. */
__attribute__((target("avx2,popcnt")))
static inline void append8(uint32_t *list, uint32_t *n, unsigned m, __m256i base)
{
	const __m256i nibble = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
	__m256i lanes = _mm256_and_si256(
		_mm256_srlv_epi32(_mm256_set1_epi32((int32_t)compress8[m]), nibble),
		_mm256_set1_epi32(15));
	_mm256_storeu_si256((__m256i *)(list + *n), _mm256_add_epi32(base, lanes));
	*n += (uint32_t)__builtin_popcount(m);
}

__attribute__((target("avx2,popcnt")))
static uint32_t if_step_avx2(const sim_if_args *a, uint32_t *n_live)
{
	const __m256i vmin = _mm256_set1_epi32(a->vmin), vmax = _mm256_set1_epi32(a->vmax);
	const __m256i theta = _mm256_set1_epi32(a->theta);
	const __m256i below = _mm256_set1_epi32(a->theta - 1);	/* theta >= 1 */
	const __m256i spk = _mm256_set1_epi32(a->spiking ? -1 : 0);
	const __m256i sub = _mm256_set1_epi32(a->reset_zero ? 0 : -1);
	const __m256i zero = _mm256_setzero_si256();
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < a->n; i += 8) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(a->v + i));
		__m256i s = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(a->sum + i)));
		__m256i b = _mm256_loadu_si256((const __m256i *)(a->bias + i));
		__m256i u = _mm256_add_epi32(_mm256_add_epi32(v, s), b);
		u = _mm256_min_epi32(_mm256_max_epi32(u, vmin), vmax);
		__m256i fired = _mm256_and_si256(_mm256_cmpgt_epi32(u, below), spk);
		__m256i after = _mm256_and_si256(_mm256_sub_epi32(u, theta), sub);
		u = _mm256_blendv_epi8(u, after, fired);
		_mm256_storeu_si256((__m256i *)(a->v + i), u);
		_mm_storeu_si128((__m128i *)(a->sum + i), _mm_setzero_si128());
		__m256i live = _mm256_or_si256(
			_mm256_andnot_si256(_mm256_cmpeq_epi32(b, zero), _mm256_set1_epi32(-1)),
			_mm256_and_si256(_mm256_cmpgt_epi32(u, below), spk));
		__m256i base = _mm256_set1_epi32((int32_t)i);
		append8(a->spikes, &ns, (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(fired)), base);
		/* live lanes come all or none in most cores (biases); a branch is cheap */
		unsigned lm = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(live));
		if (lm)
			append8(a->live, &nl, lm, base);
	}
	*n_live = nl;
	return ns;
}

__attribute__((target("avx2,popcnt")))
static inline uint32_t if_step32_avx2_body(const sim_if_args *args, uint32_t *n_live, bool wide)
{
	/* a copy no store can alias: the loop keeps its pointers in registers */
	const sim_if_args c = *args;
	const __m256i vmin = _mm256_set1_epi32(c.vmin), vmax = _mm256_set1_epi32(c.vmax);
	const __m256i span = _mm256_set1_epi32(c.vmax - c.vmin);
	const __m256i nspan = _mm256_set1_epi32(c.vmin - c.vmax);
	const __m256i theta = _mm256_set1_epi32(c.theta);
	const __m256i below = _mm256_set1_epi32(c.theta - 1);	/* theta >= 1 */
	const __m256i spk = _mm256_set1_epi32(c.spiking ? -1 : 0);
	const __m256i sub = _mm256_set1_epi32(c.reset_zero ? 0 : -1);
	const __m256i zero = _mm256_setzero_si256();
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < c.n; i += 8) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(c.v + i));
		__m256i s = wide ? _mm256_loadu_si256((const __m256i *)(c.sum32 + i))
				 : _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(c.sum + i)));
		__m256i b = _mm256_loadu_si256((const __m256i *)(c.bias + i));
		__m256i x = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(s, b), nspan), span);
		__m256i u = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, x), vmin), vmax);
		__m256i fired = _mm256_and_si256(_mm256_cmpgt_epi32(u, below), spk);
		__m256i after = _mm256_and_si256(_mm256_sub_epi32(u, theta), sub);
		u = _mm256_blendv_epi8(u, after, fired);
		_mm256_storeu_si256((__m256i *)(c.v + i), u);
		if (wide)
			_mm256_storeu_si256((__m256i *)(c.sum32 + i), zero);
		else
			_mm_storeu_si128((__m128i *)(c.sum + i), _mm_setzero_si128());
		__m256i live = _mm256_or_si256(
			_mm256_andnot_si256(_mm256_cmpeq_epi32(b, zero), _mm256_set1_epi32(-1)),
			_mm256_and_si256(_mm256_cmpgt_epi32(u, below), spk));
		__m256i base = _mm256_set1_epi32((int32_t)i);
		/* no branch on whether any fired: as good as random in busy cores */
		append8(c.spikes, &ns, (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(fired)), base);
		nl += (uint32_t)__builtin_popcount(
			(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(live)));
	}
	*n_live = nl;
	return ns;
}

__attribute__((target("avx2,popcnt")))
static uint32_t if_step32_avx2(const sim_if_args *a, uint32_t *n_live)
{
	return a->sum32 ? if_step32_avx2_body(a, n_live, true) : if_step32_avx2_body(a, n_live, false);
}

/* The channels in[0..n_in)'s weights at offset off, times their counts,
 * summed: 8 lanes (ymm) or 4 (xmm). Counts of 1 (no pooling) skip the
 * multiply. */
__attribute__((target("avx2")))
static inline __m256i in_sum8(const int16_t *w, const sim_conv_in *in, uint32_t n_in, uint32_t off,
			      bool mul)
{
	__m256i acc = _mm256_setzero_si256();
	for (uint32_t j = 0; j < n_in; j++) {
		__m256i x = _mm256_cvtepi16_epi32(
			_mm_loadu_si128((const __m128i *)(w + in[j].w_off + off)));
		if (mul)
			x = _mm256_mullo_epi32(x, _mm256_set1_epi32(in[j].cnt));
		acc = _mm256_add_epi32(acc, x);
	}
	return acc;
}

__attribute__((target("avx2")))
static inline __m128i in_sum4(const int16_t *w, const sim_conv_in *in, uint32_t n_in, uint32_t off,
			      bool mul)
{
	__m128i acc = _mm_setzero_si128();
	for (uint32_t j = 0; j < n_in; j++) {
		__m128i x = _mm_cvtepi16_epi32(
			_mm_loadl_epi64((const __m128i *)(w + in[j].w_off + off)));
		if (mul)
			x = _mm_mullo_epi32(x, _mm_set1_epi32(in[j].cnt));
		acc = _mm_add_epi32(acc, x);
	}
	return acc;
}

__attribute__((target("avx2")))
static inline void add8(int32_t *s, __m256i x)
{
	_mm256_storeu_si256((__m256i *)s, _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)s), x));
}

__attribute__((target("avx2")))
static inline void add4(int32_t *s, __m128i x)
{
	_mm_storeu_si128((__m128i *)s, _mm_add_epi32(_mm_loadu_si128((const __m128i *)s), x));
}

/* A run is added in the widest vectors that fit, across its output
 * positions (8 lanes a vector, then 4). Splitting every position's
 * channels alike instead, so that the next position's loads met the same
 * addresses and widths as this one's stores (store forwarding), was
 * slower on LeNet-1's 4-channel layer (0.44 against 0.51 s of CPU for
 * 1,000 images) and the same elsewhere: a run's taps in fewer, wider
 * adds win over the stalls. */
__attribute__((target("avx2")))
static inline void add_runs_avx2_body(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
				      uint32_t n_runs, const sim_conv_in *in, uint32_t n_in, bool mul)
{
	for (uint32_t i = 0; i < n_runs; i++) {
		int32_t *s = sum + run[i][0];
		const uint32_t wo = run[i][1], len = run[i][2];
		uint32_t k = 0;
		for (; k + 8 <= len; k += 8)
			add8(s + k, in_sum8(w, in, n_in, wo + k, mul));
		if (k < len)	/* 4 more */
			add4(s + k, in_sum4(w, in, n_in, wo + k, mul));
	}
}

/* A position's channels and counts pick the body: no loop over a single
 * channel, no multiply by counts of 1 (no pooling). */
__attribute__((target("avx2")))
static inline void add_runs_avx2(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
				 uint32_t n_runs, const sim_conv_in *in, uint32_t n_in, bool mul)
{
	if (n_in == 1 && !mul)	/* most positions: one channel, one event; no loop over them */
		add_runs_avx2_body(sum, w, run, n_runs, in, 1, false);
	else if (n_in == 1)
		add_runs_avx2_body(sum, w, run, n_runs, in, 1, true);
	else if (mul)
		add_runs_avx2_body(sum, w, run, n_runs, in, n_in, true);
	else
		add_runs_avx2_body(sum, w, run, n_runs, in, n_in, false);
}

__attribute__((target("avx2")))
static void add_positions_avx2(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
			       const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	for (uint32_t p = 0; p < n_pos; p++)
		add_runs_avx2(sum, w, run + pos[p].r0, pos[p].n_runs, in + pos[p].in0, pos[p].n_in,
			      pos[p].mul);
}

__attribute__((target("avx2")))
static void add_positions16_avx2(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
				const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, false);
}

__attribute__((target("avx2")))
static void add_alike16_avx2(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
			      const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, true);
}

__attribute__((target("avx2")))
static void add_masks16_avx2(const sim_conv_masks *a)
{
	add_masks16_pick(a);
}

static const sim_kernels kernels_avx2 = {"avx2", add_rows_avx2, if_step_avx2, if_step32_avx2,
					 add_positions_avx2, add_positions16_avx2, add_masks16_avx2,
					 add_alike16_avx2};

/* ---- AVX-512: 32 lanes of 16 bits, 16 of 32, masks and compress -------- */

#define AVX512 "avx512f,avx512bw,avx512vl,popcnt"

/* Up to four blocks per pass share each row pointer load. */
__attribute__((target(AVX512)))
static inline void add_rows_avx512_pass(int16_t *sum, const int8_t *const *row, uint32_t n_rows,
					uint32_t b, int blocks)
{
	__m512i acc[4];
	for (int j = 0; j < blocks; j++)
		acc[j] = _mm512_loadu_si512(sum + b + j * SIM_BLOCK);
	for (uint32_t r = 0; r < n_rows; r++)
		for (int j = 0; j < blocks; j++)
			acc[j] = _mm512_add_epi16(acc[j], _mm512_cvtepi8_epi16(_mm256_loadu_si256(
								  (const __m256i *)(row[r] + b + j * SIM_BLOCK))));
	for (int j = 0; j < blocks; j++)
		_mm512_storeu_si512(sum + b + j * SIM_BLOCK, acc[j]);
}

__attribute__((target(AVX512)))
static void add_rows_avx512(int16_t *sum, const int8_t *const *row, uint32_t n_rows, uint32_t n)
{
	uint32_t b = 0;
	for (; b + 4 * SIM_BLOCK <= n; b += 4 * SIM_BLOCK)
		add_rows_avx512_pass(sum, row, n_rows, b, 4);
	switch ((n - b) / SIM_BLOCK) {
	case 3: add_rows_avx512_pass(sum, row, n_rows, b, 3); break;
	case 2: add_rows_avx512_pass(sum, row, n_rows, b, 2); break;
	case 1: add_rows_avx512_pass(sum, row, n_rows, b, 1); break;
	}
}

/* The lists are written a whole vector at a time (compressed in a
 * register, which is fast everywhere, unlike a compressing store), and only
 * the count of set lanes is kept: hence a block of room past the end. */
__attribute__((target(AVX512)))
static uint32_t if_step_avx512(const sim_if_args *a, uint32_t *n_live)
{
	const __m512i vmin = _mm512_set1_epi32(a->vmin), vmax = _mm512_set1_epi32(a->vmax);
	const __m512i theta = _mm512_set1_epi32(a->theta);
	const __mmask16 spk = a->spiking ? 0xffff : 0;
	const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < a->n; i += 16) {
		__m512i v = _mm512_loadu_si512(a->v + i);
		__m512i s = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(a->sum + i)));
		__m512i b = _mm512_loadu_si512(a->bias + i);
		__m512i u = _mm512_add_epi32(_mm512_add_epi32(v, s), b);
		u = _mm512_min_epi32(_mm512_max_epi32(u, vmin), vmax);
		__mmask16 fired = _mm512_mask_cmpge_epi32_mask(spk, u, theta);
		u = a->reset_zero ? _mm512_maskz_mov_epi32((__mmask16)~fired, u)
				  : _mm512_mask_sub_epi32(u, fired, u, theta);
		_mm512_storeu_si512(a->v + i, u);
		_mm256_storeu_si256((__m256i *)(a->sum + i), _mm256_setzero_si256());
		__mmask16 live = _mm512_test_epi32_mask(b, b) |
				 _mm512_mask_cmpge_epi32_mask(spk, u, theta);
		__m512i idx = _mm512_add_epi32(lane, _mm512_set1_epi32((int32_t)i));
		_mm512_storeu_si512(a->spikes + ns, _mm512_maskz_compress_epi32(fired, idx));
		_mm512_storeu_si512(a->live + nl, _mm512_maskz_compress_epi32(live, idx));
		ns += (uint32_t)__builtin_popcount(fired);
		nl += (uint32_t)__builtin_popcount(live);
	}
	*n_live = nl;
	return ns;
}

__attribute__((target(AVX512)))
static inline uint32_t if_step32_avx512_body(const sim_if_args *args, uint32_t *n_live, bool wide)
{
	/* a copy no store can alias: the loop keeps its pointers in registers */
	const sim_if_args c = *args;
	const __m512i vmin = _mm512_set1_epi32(c.vmin), vmax = _mm512_set1_epi32(c.vmax);
	const __m512i span = _mm512_set1_epi32(c.vmax - c.vmin);
	const __m512i nspan = _mm512_set1_epi32(c.vmin - c.vmax);
	const __m512i theta = _mm512_set1_epi32(c.theta);
	const __mmask16 spk = c.spiking ? 0xffff : 0;
	const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < c.n; i += 16) {
		__m512i v = _mm512_loadu_si512(c.v + i);
		__m512i s = wide ? _mm512_loadu_si512(c.sum32 + i)
				 : _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(c.sum + i)));
		__m512i b = _mm512_loadu_si512(c.bias + i);
		__m512i x = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(s, b), nspan), span);
		__m512i u = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, x), vmin), vmax);
		__mmask16 fired = _mm512_mask_cmpge_epi32_mask(spk, u, theta);
		u = c.reset_zero ? _mm512_maskz_mov_epi32((__mmask16)~fired, u)
				  : _mm512_mask_sub_epi32(u, fired, u, theta);
		_mm512_storeu_si512(c.v + i, u);
		if (wide)
			_mm512_storeu_si512(c.sum32 + i, _mm512_setzero_si512());
		else
			_mm256_storeu_si256((__m256i *)(c.sum + i), _mm256_setzero_si256());
		__mmask16 live = _mm512_test_epi32_mask(b, b) |
				 _mm512_mask_cmpge_epi32_mask(spk, u, theta);
		__m512i idx = _mm512_add_epi32(lane, _mm512_set1_epi32((int32_t)i));
		/* no branch on whether any fired: as good as random in busy cores */
		_mm512_storeu_si512(c.spikes + ns, _mm512_maskz_compress_epi32(fired, idx));
		ns += (uint32_t)__builtin_popcount(fired);
		nl += (uint32_t)__builtin_popcount(live);
	}
	*n_live = nl;
	return ns;
}

__attribute__((target(AVX512)))
static uint32_t if_step32_avx512(const sim_if_args *a, uint32_t *n_live)
{
	return a->sum32 ? if_step32_avx512_body(a, n_live, true)
			: if_step32_avx512_body(a, n_live, false);
}

/* in_sum8 with 16 lanes. */
__attribute__((target(AVX512)))
static inline __m512i in_sum16(const int16_t *w, const sim_conv_in *in, uint32_t n_in,
			       uint32_t off, bool mul)
{
	__m512i acc = _mm512_setzero_si512();
	for (uint32_t j = 0; j < n_in; j++) {
		__m512i x = _mm512_cvtepi16_epi32(
			_mm256_loadu_si256((const __m256i *)(w + in[j].w_off + off)));
		if (mul)
			x = _mm512_mullo_epi32(x, _mm512_set1_epi32(in[j].cnt));
		acc = _mm512_add_epi32(acc, x);
	}
	return acc;
}

__attribute__((target(AVX512)))
static inline void add16(int32_t *s, __m512i x)
{
	_mm512_storeu_si512(s, _mm512_add_epi32(_mm512_loadu_si512(s), x));
}

/* add16 of in_sum16 for four vectors at once: four independent sums, and
 * one pass over the channels instead of four. */
__attribute__((target(AVX512)))
static inline void add64(int32_t *s, const int16_t *w, const sim_conv_in *in, uint32_t n_in,
			 uint32_t off, bool mul)
{
	__m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
			  _mm512_setzero_si512()};
	for (uint32_t j = 0; j < n_in; j++) {
		const int16_t *t = w + in[j].w_off + off;
		const __m512i m = _mm512_set1_epi32(in[j].cnt);
		for (int q = 0; q < 4; q++) {
			__m512i x = _mm512_cvtepi16_epi32(
				_mm256_loadu_si256((const __m256i *)(t + 16 * q)));
			acc[q] = _mm512_add_epi32(acc[q], mul ? _mm512_mullo_epi32(x, m) : x);
		}
	}
	for (int q = 0; q < 4; q++)
		add16(s + 16 * q, acc[q]);
}

/* As add_runs_avx2, in vectors of 16 lanes (four at a time), then 8, then 4. */
__attribute__((target(AVX512)))
static inline void add_runs_avx512_body(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
					uint32_t n_runs, const sim_conv_in *in, uint32_t n_in, bool mul)
{
	for (uint32_t i = 0; i < n_runs; i++) {
		int32_t *s = sum + run[i][0];
		const uint32_t wo = run[i][1], len = run[i][2];
		uint32_t k = 0;
		for (; k + 64 <= len; k += 64)	/* four vectors share each channel's loop */
			add64(s + k, w, in, n_in, wo + k, mul);
		for (; k + 16 <= len; k += 16)
			add16(s + k, in_sum16(w, in, n_in, wo + k, mul));
		if (k + 8 <= len) {
			add8(s + k, in_sum8(w, in, n_in, wo + k, mul));
			k += 8;
		}
		if (k < len)	/* 4 more */
			add4(s + k, in_sum4(w, in, n_in, wo + k, mul));
	}
}

/* A position's channels and counts pick the body: no loop over a single
 * channel, no multiply by counts of 1 (no pooling). */
__attribute__((target(AVX512)))
static inline void add_runs_avx512(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
				   uint32_t n_runs, const sim_conv_in *in, uint32_t n_in, bool mul)
{
	if (n_in == 1 && !mul)	/* most positions: one channel, one event; no loop over them */
		add_runs_avx512_body(sum, w, run, n_runs, in, 1, false);
	else if (n_in == 1)
		add_runs_avx512_body(sum, w, run, n_runs, in, 1, true);
	else if (mul)
		add_runs_avx512_body(sum, w, run, n_runs, in, n_in, true);
	else
		add_runs_avx512_body(sum, w, run, n_runs, in, n_in, false);
}

__attribute__((target(AVX512)))
static void add_positions_avx512(int32_t *sum, const int16_t *w, const uint32_t (*run)[3],
				 const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	for (uint32_t p = 0; p < n_pos; p++)
		add_runs_avx512(sum, w, run + pos[p].r0, pos[p].n_runs, in + pos[p].in0,
				pos[p].n_in, pos[p].mul);
}

__attribute__((target(AVX512)))
static void add_positions16_avx512(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
				const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, false);
}

__attribute__((target(AVX512)))
static void add_alike16_avx512(int16_t *sum, const int16_t *w, const uint32_t (*run)[3],
			      const sim_conv_pos *pos, uint32_t n_pos, const sim_conv_in *in)
{
	add_positions16_body(sum, w, run, pos, n_pos, in, true);
}

__attribute__((target(AVX512)))
static void add_masks16_avx512(const sim_conv_masks *a)
{
	add_masks16_pick(a);
}

static const sim_kernels kernels_avx512 = {"avx512", add_rows_avx512, if_step_avx512,
					   if_step32_avx512, add_positions_avx512,
					   add_positions16_avx512, add_masks16_avx512,
					   add_alike16_avx512};

unsigned sim_kernels_all(const sim_kernels **out, unsigned max)
{
	unsigned n = 0;
	__builtin_cpu_init();
	if (n < max && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("popcnt"))
		out[n++] = &kernels_avx512;
	if (n < max && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
		out[n++] = &kernels_avx2;
	if (n < max)
		out[n++] = &kernels_c;
	return n;
}

#else

unsigned sim_kernels_all(const sim_kernels **out, unsigned max)
{
	if (max == 0)
		return 0;
	out[0] = &kernels_c;
	return 1;
}

#endif

const sim_kernels *sim_kernels_best(void)
{
	const sim_kernels *all[4];
	unsigned n = sim_kernels_all(all, 4);
	const char *want = getenv("SNN_SIM_KERNELS");
	for (unsigned i = 0; want && i < n; i++)
		if (strcmp(all[i]->name, want) == 0)
			return all[i];
	return all[0];
}
