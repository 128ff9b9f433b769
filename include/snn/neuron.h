/* The neuron time step: the one C definition of the arithmetic in
 * docs/neuron-model.md. The golden simulator, the tests' oracles and the
 * compiler's quantisation all call this; rtl/snn_neuron.v is its twin. */
#ifndef SNN_NEURON_H
#define SNN_NEURON_H

#include <stdbool.h>
#include <stdint.h>

enum snn_reset_mode {
	SNN_RESET_ZERO = 0,	/* v := 0 after a spike */
	SNN_RESET_SUBTRACT = 1,	/* v := v - threshold (keeps the residue) */
};

/* Parameters shared by all neurons of a core. */
typedef struct snn_neuron_params {
	int32_t threshold;	/* 1 .. vmax */
	uint32_t leak;	/* 0 (IF) .. 255; v loses floor(v * leak / 256) per step */
	uint32_t reset;	/* enum snn_reset_mode */
	uint32_t refractory;	/* steps of silence after a spike, 0 .. 15 */
	bool spiking;	/* false: a readout neuron that integrates and never fires */
	int32_t vmin, vmax;	/* saturation bounds from the geometry */
} snn_neuron_params;

/* Floor division by 256 of a signed 64-bit value, written out because C's
 * >> on negative values is implementation-defined. */
static inline int64_t snn_floor_div256(int64_t x)
{
	return x >= 0 ? x / 256 : -((-x + 255) / 256);
}

/* Advance one neuron by one time step.
 * v, ref: the neuron's state, updated in place.
 * input: the exact sum of this step's synaptic weights plus the bias.
 * Returns true if the neuron fired. */
static inline bool snn_neuron_step(const snn_neuron_params *p, int32_t *v,
				   uint32_t *ref, int64_t input)
{
	if (*ref > 0) {		/* refractory: input is discarded, v is held */
		*ref -= 1;
		return false;
	}
	int64_t u = (int64_t)*v - snn_floor_div256((int64_t)*v * p->leak) + input;
	if (u > p->vmax)
		u = p->vmax;
	if (u < p->vmin)
		u = p->vmin;
	*v = (int32_t)u;
	if (!p->spiking || *v < p->threshold)
		return false;
	*v = p->reset == SNN_RESET_ZERO ? 0 : *v - p->threshold;
	*ref = p->refractory;
	return true;
}

/* Does a neuron in this state need an update next step even without input?
 * (Event-driven simulation skips neurons for which this is false and that
 * received no input: their update would change nothing.) */
static inline bool snn_neuron_live(const snn_neuron_params *p, int32_t v,
				   uint32_t ref, int32_t bias)
{
	if (ref > 0 || bias != 0)
		return true;
	if (p->leak != 0 && v != 0 && snn_floor_div256((int64_t)v * p->leak) != 0)
		return true;
	return p->spiking && v >= p->threshold;
}

#endif
