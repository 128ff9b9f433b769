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

/* a signed field of bits bits */
static int64_t sext(uint64_t x, unsigned bits)
{
	uint64_t sign = 1ull << (bits - 1);
	x &= (sign << 1) - 1;
	return (int64_t)(x ^ sign) - (int64_t)sign;
}

static uint64_t line_word(uint32_t line, unsigned from, unsigned bytes)
{
	uint64_t x = 0;
	for (unsigned b = 0; b < bytes; b++)
		x |= (uint64_t)step_model_now->pool[8u * line + from + b] << 8 * b;
	return x;
}

void sx_line_add(uint32_t line, uint32_t count, uint32_t word, uint32_t step, uint32_t mask)
{
	step_model *m = step_model_now;
	m->line_adds++;
	m->lines_added += count;
	if (count > 1 && step == 0)
		fault("line add of step 0", line, count);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t l = line + k, w = word + k * step;
		if (l >= m->lines || w >= m->words) {
			fault("line add outside: line, word", l, w);
			return;
		}
		for (unsigned lane = 0; lane < 8; lane++)
			if (mask >> lane & 1u) {
				int32_t *a = &m->acc[8u * w + lane];
				*a = (int32_t)sext((uint64_t)(int64_t)*a + (uint64_t)(int8_t)m->pool[8u * l + lane],
						   m->acc_bits);
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
		uint32_t l = line + k, s = slot + k * step, w = s / 8;
		if (l >= m->lines || w >= m->words) {
			fault("sweep outside: line, word", l, w);
			return spikes;
		}
		int32_t v = (int32_t)sext(line_word(l, 0, 4), m->membrane_bits);
		uint32_t ref = m->pool[8u * l + 4] & 0xFu;
		int64_t bias = sext(line_word(l, 6, 2), m->bias_bits);
		int64_t acc = m->acc[s];
		uint32_t other = m->pool[8u * l + 5] >> !cur & 1u;
		bool spike = snn_neuron_step(&p, &v, &ref, acc + bias);
		spikes += spike;
		for (unsigned b = 0; b < 4; b++)
			m->pool[8u * l + b] = (uint8_t)((uint32_t)v >> 8 * b);
		m->pool[8u * l + 4] = (uint8_t)ref;
		m->pool[8u * l + 5] = (uint8_t)((spike ? 1u : 0u) << cur | other << !cur);
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
	m->scans++;
	for (uint32_t l = line; l < end; l++) {
		m->lines_scanned++;
		if (l >= m->lines) {
			fault("scan outside", l, end);
			return end;
		}
		if (m->pool[8u * l + 5] >> bit & 1u)
			return l | SX_SCAN_FOUND;
	}
	return end;
}
