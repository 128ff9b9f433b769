/* The compiled image run on the golden simulator inside the compiler, one
 * sample at a time, with each layer neuron's spike count: what the
 * conversion report and bias correction measure the device by. */
#ifndef SNNC_GOLDEN_RUN_H
#define SNNC_GOLDEN_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include "net.h"
#include "snn/encode.h"
#include "snn/readout.h"
#include "snn/sim.h"

typedef struct snnc_golden_run {
	const snn_net *net;	/* the mapped network the image came from */
	snn_sim *sim;
	snn_encoder enc;
	uint32_t **ids;	/* per layer, per neuron: core << 16 | device neuron */
	uint32_t **counts;	/* per core, per device neuron: spikes this sample */
	uint32_t n_cores;
	uint8_t *sample;	/* the sample in the image's input layout */
	const snn_image *img;
	snn_output_index outs;
	uint32_t *out_counts;	/* per output: events to the host this sample */
	int32_t *membranes;	/* per output, read by snnc_golden_class */
} snnc_golden_run;

/* A simulator for img, compiled from net mapped by m. 0 or a negative
 * snn_err (diag says what). */
int snnc_golden_open(snnc_golden_run *r, const snn_net *net, const snn_mapping *m, const snn_image *img,
		     snn_diag *diag);
void snnc_golden_close(snnc_golden_run *r);
/* Reset the network and the counts, and start the rate encoder on px (one
 * sample in the model's input layout). */
void snnc_golden_start(snnc_golden_run *r, const uint8_t *px);
/* One time step; spikes are counted only if count. */
void snnc_golden_step(snnc_golden_run *r, bool count);
/* The class the host reads out now (the image's readout mode). */
uint32_t snnc_golden_class(snnc_golden_run *r);
/* Output i's value now in the source model's units (snn_readout_value):
 * read after snnc_golden_class, which reads the membranes, at steps. */
double snnc_golden_value(const snnc_golden_run *r, uint32_t steps, uint32_t i);
/* The ANN's class for the values vals of g last ran: the argmax of its
 * first output, what the image's readout class is compared with. */
uint32_t snnc_ann_class(const ir_graph *g, const ir_values *vals);
/* Spikes neuron i of layer l fired since the start. */
uint32_t snnc_golden_count(const snnc_golden_run *r, int l, int64_t i);

#endif
