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
			  m->lines_scanned);
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

void sx_line_add(uint32_t line, uint32_t count, uint32_t word, uint32_t step, uint32_t mask)
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
		bool in = (mask & SX_LINE_ZERO) || line_in(l, "line add: line");
		for (unsigned lane = 0; lane < 8; lane++)
			if (mask & SX_LINE_ZERO)
				m->acc[8u * w + lane] = 0;
			else if (mask >> lane & 1u) {
				int32_t *a = &m->acc[8u * w + lane];
				int8_t x = in ? (int8_t)m->pool[8u * l + lane] : 0;
				*a = (int32_t)sext((uint64_t)(int64_t)*a + (uint64_t)x, m->acc_bits);
			}
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
