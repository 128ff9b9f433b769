/* The accelerators' contract on arrays (tests/fw/step_model.h). */
#include "step_model.h"

#include <stdio.h>
#include "snn/neuron.h"
#include "step_accel.h"

step_model *step_model_now;

static void fault(const char *what, uint32_t a, uint32_t b)
{
	step_model *m = step_model_now;
	if (!m->fault[0])
		snprintf(m->fault, sizeof m->fault, "%s (%u, %u)", what, a, b);
}

/* Is pool line l the network's? Counted (a fault unless lax) if not. */
static bool line_in(uint32_t l, const char *what)
{
	step_model *m = step_model_now;
	if (l < m->lines)
		return true;
	m->outside++;
	if (!m->lax)
		fault(what, l, m->lines);
	return false;
}

/* accumulator word w as the address bits take it */
static uint32_t word_in(uint32_t w, const char *what)
{
	step_model *m = step_model_now;
	if (w < m->words)
		return w;
	m->outside++;
	if (!m->lax)
		fault(what, w, m->words);
	return w % m->words;
}

uint32_t sx_cycles(void)
{
	step_model *m = step_model_now;
	return (uint32_t)(m->line_adds + m->lines_added + m->sweeps + m->neurons_swept + m->scans +
			  m->lines_scanned + m->taps_walked + m->positions_run);
}

/* a signed field of bits bits */
static int64_t sext(uint64_t x, unsigned bits)
{
	uint64_t sign = 1ull << (bits - 1);
	x &= (sign << 1) - 1;
	return (int64_t)(x ^ sign) - (int64_t)sign;
}

/* bytes of a line, read as 0 outside the network */
static uint64_t line_word(uint32_t line, unsigned from, unsigned bytes)
{
	uint64_t x = 0;
	if (line < step_model_now->lines)
		for (unsigned b = 0; b < bytes; b++)
			x |= (uint64_t)step_model_now->pool[8u * line + from + b] << 8 * b;
	return x;
}

/* an operand as its register holds it */
static uint32_t field(uint32_t x, unsigned bits)
{
	return x & ((1u << bits) - 1);
}

/* The line add: count pool lines from line, byte by byte (signed), into
 * the lanes of mask of the accumulator words from word, step apart (the
 * route run's rows and the tap walk's taps). */
static void line_add(uint32_t line, uint32_t count, uint32_t word, uint32_t step, uint32_t mask)
{
	step_model *m = step_model_now;
	line = field(line, m->line_bits);
	count = field(count, 16);
	m->line_adds++;
	m->lines_added += count;
	if (count > 1 && step == 0)
		fault("line add of step 0", line, count);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t l = field(line + k, m->line_bits), w = word_in(word + k * step, "line add: word");
		bool in = line_in(l, "line add: line");
		for (unsigned lane = 0; lane < 8; lane++)
			if (mask >> lane & 1u) {
				int32_t *a = &m->acc[8u * w + lane];
				int8_t x = in ? (int8_t)m->pool[8u * l + lane] : 0;
				*a = (int32_t)sext((uint64_t)(int64_t)*a + (uint64_t)x, m->acc_bits);
			}
	}
}

void sx_acc_zero(uint32_t words)
{
	step_model *m = step_model_now;
	words = field(words, 16);
	m->line_adds++;
	m->lines_added += words;
	for (uint32_t k = 0; k < words; k++) {
		uint32_t w = word_in(k, "zero: word");
		for (unsigned lane = 0; lane < 8; lane++)
			m->acc[8u * w + lane] = 0;
	}
}

void sx_sweep_params(uint32_t param, uint32_t threshold)
{
	step_model_now->param = param;
	step_model_now->threshold = threshold;
}

uint32_t sx_sweep(uint32_t line, uint32_t count, uint32_t slot, uint32_t flags)
{
	step_model *m = step_model_now;
	uint32_t step = flags & 0xFu, cur = !!(flags & SX_SWEEP_CUR), spikes = 0;
	line = field(line, m->line_bits);
	count = field(count, 16);
	snn_neuron_params p = {
		.threshold = (int32_t)sext(m->threshold, m->membrane_bits),
		.leak = m->param & 0xFFu,
		.reset = m->param & SX_PARAM_SUBTRACT ? SNN_RESET_SUBTRACT : SNN_RESET_ZERO,
		.refractory = m->param >> 8 & 0xFu,
		.spiking = !!(m->param & SX_PARAM_SPIKING),
		.vmin = -(1 << (m->membrane_bits - 1)),
		.vmax = (1 << (m->membrane_bits - 1)) - 1,
	};
	m->sweeps++;
	m->neurons_swept += count;
	if (count && (step == 0 || step > 8))
		fault("sweep of slot step", step, count);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t l = field(line + k, m->line_bits), s = slot + k * step, w = word_in(s / 8, "sweep: word");
		bool in = line_in(l, "sweep: line");
		s = 8 * w + s % 8;
		int32_t v = (int32_t)sext(line_word(l, 0, 4), m->membrane_bits);
		uint32_t ref = (uint32_t)line_word(l, 4, 1) & 0xFu;
		int64_t bias = sext(line_word(l, 6, 2), m->bias_bits);
		int64_t acc = m->acc[s];
		uint32_t other = (uint32_t)line_word(l, 5, 1) >> !cur & 1u;
		bool spike = snn_neuron_step(&p, &v, &ref, acc + bias);
		spikes += spike;
		if (in) {	/* else dropped */
			for (unsigned b = 0; b < 4; b++)
				m->pool[8u * l + b] = (uint8_t)((uint32_t)v >> 8 * b);
			m->pool[8u * l + 4] = (uint8_t)ref;
			m->pool[8u * l + 5] = (uint8_t)((spike ? 1u : 0u) << cur | other << !cur);
		}
		/* the word left: zeroed after its last read */
		if ((flags & SX_SWEEP_ZERO) && (k + 1 == count || (s + step) / 8 != w))
			for (unsigned lane = 0; lane < 8; lane++)
				m->acc[8u * w + lane] = 0;
	}
	return spikes;
}

uint32_t sx_scan(uint32_t line, uint32_t end, uint32_t bit)
{
	step_model *m = step_model_now;
	line = field(line, m->line_bits);
	end = field(end, m->line_bits + 1);
	m->scans++;
	for (uint32_t l = line; l < end; l++) {
		m->lines_scanned++;
		if (line_in(l, "scan: line") && m->pool[8u * l + 5] >> bit & 1u)
			return l | SX_SCAN_FOUND;
	}
	return end;
}

void sx_tap_shape(uint32_t oh, uint32_t ow, uint32_t kh, uint32_t kw, uint32_t groups, uint32_t pw,
		  uint32_t plane)
{
	step_model *m = step_model_now;
	m->tw_oh = field(oh, SX_COORD_BITS);
	m->tw_ow = field(ow, SX_COORD_BITS);
	m->tw_kh = field(kh, 8);
	m->tw_kw = field(kw, 8);
	m->tw_groups = field(groups, 8);
	m->tw_pw = field(pw, 2);
	m->tw_plane = plane;
	if (m->tw_oh >> (SX_COORD_BITS - 1) || m->tw_ow >> (SX_COORD_BITS - 1))
		fault("tap walk of OH or OW past 2^(SX_COORD_BITS - 1)", oh, ow);
}

/* Tap (ky, kx) lands on (i0 - ky, j0 - kx) (SX_COORD_BITS bits, signed);
 * within OH x OW, its groups lines from line + (ky KW + kx) groups into
 * the words from its position (pos >> pw and the lanes of pos mod 2^pw
 * when pw is not 0), positions modulo 2^16. */
static uint32_t tap_walk(uint32_t line, uint32_t i0, uint32_t j0)
{
	step_model *m = step_model_now;
	int32_t i0s = (int32_t)sext(i0, SX_COORD_BITS), j0s = (int32_t)sext(j0, SX_COORD_BITS);
	uint32_t taps = 0, pw = m->tw_pw, per = 1u << pw, lanes = 8u >> pw;
	for (uint32_t ky = 0; ky < m->tw_kh; ky++) {
		int32_t i = i0s - (int32_t)ky;
		if (i < 0)
			break;	/* and every later row */
		for (uint32_t kx = 0; kx < m->tw_kw; kx++) {
			int32_t j = j0s - (int32_t)kx;
			m->taps_walked++;
			if (i >= (int32_t)m->tw_oh || j < 0 || j >= (int32_t)m->tw_ow)
				continue;
			uint32_t pos = field((uint32_t)i * m->tw_ow + (uint32_t)j, 16);
			uint32_t t = ky * m->tw_kw + kx;
			line_add(line + t * m->tw_groups, m->tw_groups, pos >> pw, m->tw_plane,
				    ((1u << lanes) - 1) << (pos % per * lanes));
			taps++;
		}
	}
	return taps;
}

/* bit p of the pool's lines as a bitmap: only the program's bitmap */
static bool map_bit(uint32_t p)
{
	step_model *m = step_model_now;
	uint32_t l = p / 64;
	if (!m->bitmap || l < m->bitmap_line || l - m->bitmap_line >= m->bitmap_lines) {
		m->outside++;
		if (!m->lax)
			fault("route run: bitmap line", l, m->bitmap_line);
		return false;
	}
	return m->bitmap[2 * (l - m->bitmap_line) + p % 64 / 32] >> (p % 32) & 1u;
}

void sx_run_target(uint32_t in_c, uint32_t lim_h, uint32_t lim_w, uint32_t lines, uint32_t aux,
		   uint32_t syn, uint32_t flags)
{
	step_model *m = step_model_now;
	m->gt_in_c = field(in_c, SX_COORD_BITS);
	m->gt_lim_h = field(lim_h, SX_COORD_BITS);
	m->gt_lim_w = field(lim_w, SX_COORD_BITS);
	m->gt_lines = field(lines, 16);
	m->gt_aux = aux;
	m->gt_syn = field(syn, m->line_bits);
	m->gt_flags = flags;
}

void sx_run_coords(uint32_t c, uint32_t y, uint32_t x, uint32_t x0, uint32_t x1, uint32_t y0,
		   uint32_t y1)
{
	step_model *m = step_model_now;
	m->rr_c = field(c, SX_COORD_BITS);
	m->rr_y = field(y, SX_COORD_BITS);
	m->rr_x = field(x, SX_COORD_BITS);
	m->rr_x0 = field(x0, SX_COORD_BITS);
	m->rr_x1 = field(x1, SX_COORD_BITS);
	m->rr_y0 = field(y0, SX_COORD_BITS);
	m->rr_y1 = field(y1, SX_COORD_BITS);
}

/* a coordinate (SX_COORD_BITS bits, signed) within [0, lim) */
static bool coord_in(uint32_t v, uint32_t lim)
{
	return !(v >> (SX_COORD_BITS - 1)) && v < lim;
}

/* Positions from .. to - 1, neuron lines or bitmap bits (LA + 6 bits),
 * each at its coordinate, counted up from sx_run_coords()'s; a spike
 * within the target's input is an event: dense, the row of axon a = (c
 * IN_H + y) IN_W + x if a < N_AXONS; conv, a tap walk. */
uint32_t sx_route_run(uint32_t from, uint32_t count, uint32_t flags)
{
	step_model *m = step_model_now;
	uint32_t events = 0, bit = flags & SX_RUN_BIT41 ? 1u : 0u;
	bool more = flags & SX_RUN_MORE;
	uint32_t c = more ? m->rr_next_c : m->rr_c, y = more ? m->rr_next_y : m->rr_y;
	uint32_t x = more ? m->rr_next_x : m->rr_x, lines = m->gt_lines, syn = m->gt_syn;
	bool conv = m->gt_flags & SX_TARGET_CONV, pool2 = m->gt_flags & SX_TARGET_POOL2;
	from = more ? m->rr_next : field(from, m->line_bits + 6);
	count = field(count, 16);
	uint32_t to = from + (count ? count : 1u << 16);
	if (!(flags & SX_RUN_MAP) && to > 1u << m->line_bits)
		fault("route run past the lines", from, to);
	for (uint32_t p = from; p < to; p++) {
		m->positions_run++;
		uint32_t l = field(p, m->line_bits);
		bool spike = flags & SX_RUN_MAP ? map_bit(p)
			     : line_in(l, "route run: line") && m->pool[8u * l + 5] >> bit & 1u;
		if (spike && coord_in(c, m->gt_in_c) && coord_in(y, m->gt_lim_h) && coord_in(x, m->gt_lim_w)) {
			if (conv) {
				uint32_t i0 = field((y >> pool2) + m->gt_aux, SX_COORD_BITS);
				uint32_t j0 = field((x >> pool2) + (m->gt_aux >> 16), SX_COORD_BITS);
				events += tap_walk(field(syn + c * lines, m->line_bits), i0, j0);
			} else {
				uint32_t a = field((c * m->gt_lim_h + y) * m->gt_lim_w + x, 16);
				if (a < field(m->gt_aux, 16)) {
					line_add(field(syn + a * lines, m->line_bits), lines, 0, 1, 0xFFu);
					events++;
				}
			}
		}
		/* the next position's coordinate */
		if ((x = field(x + 1, SX_COORD_BITS)) == m->rr_x1) {
			x = m->rr_x0;
			if ((y = field(y + 1, SX_COORD_BITS)) == m->rr_y1) {
				y = m->rr_y0;
				c = field(c + 1, SX_COORD_BITS);
			}
		}
	}
	m->rr_next = field(to, m->line_bits + 6);	/* where SX_RUN_MORE goes on */
	m->rr_next_c = c;
	m->rr_next_y = y;
	m->rr_next_x = x;
	return field(events, 16);
}
