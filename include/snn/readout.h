/* Output readout: turning a sample's output spikes or membranes into a
 * class (docs/neuron-model.md, "Readout"). Shared by every runner. */
#ifndef SNN_READOUT_H
#define SNN_READOUT_H

#include <stdint.h>
#include "snn/image.h"

/* Map (core, neuron) of host events to output indices. */
typedef struct snn_output_index {
	uint32_t n_cores;
	int32_t **slot;	/* slot[core][neuron] = output index or -1 */
} snn_output_index;

int snn_output_index_init(snn_output_index *ix, const snn_image *img);
void snn_output_index_free(snn_output_index *ix);
/* Output index of an event, or -1 if it is not an output neuron. */
static inline int32_t snn_output_lookup(const snn_output_index *ix, uint16_t core,
					uint16_t neuron)
{
	return core < ix->n_cores && ix->slot[core] ? ix->slot[core][neuron] : -1;
}

/* The class: argmax of counts (SPIKES; ties by membrane, then lower index)
 * or of membranes (MEMBRANE; ties by lower index). */
uint32_t snn_readout_class(uint32_t readout, uint32_t n, const uint32_t *counts,
			   const int32_t *membranes);

/* Real-valued readout (docs/neuron-model.md, "Real-valued readout"): the
 * image's META key output_scale is the source model's output value of one
 * membrane unit per step (MEMBRANE) or of one spike per step (SPIKES).
 * Returns it, or 0 when the image has none (not compiled for it, or by an
 * older snnc). */
double snn_readout_unit(const snn_image *img);
/* Output i's value in the source model's units after steps steps: its
 * membrane's change (v - v_init of its core) or its spike count, per step,
 * times unit. */
double snn_readout_value(const snn_image *img, double unit, uint32_t steps, uint32_t i,
			 uint32_t count, int32_t membrane);

#endif
