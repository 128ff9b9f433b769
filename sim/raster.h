/* Spike raster of one sample: CSV and PNG writers for snnsim --raster. */
#ifndef SNN_SIM_RASTER_H
#define SNN_SIM_RASTER_H

#include <stdint.h>
#include "snn/config.h"
#include "snn/error.h"

typedef struct raster_event {
	uint32_t step;
	int32_t core;	/* -1: host input event */
	uint32_t neuron;
} raster_event;

typedef struct raster {
	raster_event *ev;
	size_t n, cap;
	int failed;
} raster;

void raster_add(raster *r, uint32_t step, int32_t core, uint32_t neuron);
void raster_free(raster *r);
/* "step,core,neuron" lines; core is "input" for input events. */
int raster_write_csv(const raster *r, const char *path, snn_diag *diag);
/* One column per step, one row per neuron: inputs on top, then the cores in
 * phase order, layers separated by a grey line. */
int raster_write_png(const raster *r, const snn_config *cfg, uint32_t steps,
		     const char *path, snn_diag *diag);

#endif
