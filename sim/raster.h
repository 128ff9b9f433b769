/* Spike raster of one sample: CSV and plot writers for snnsim --raster. */
#ifndef SNN_SIM_RASTER_H
#define SNN_SIM_RASTER_H

#include <stddef.h>
#include <stdint.h>
#include "snn/image.h"
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

/* What the plot's title names. */
typedef struct raster_plot {
	const char *image_path;	/* the configuration image run */
	size_t sample;	/* index of the recorded sample in the data set */
	uint32_t steps;	/* T */
} raster_plot;

void raster_add(raster *r, uint32_t step, int32_t core, uint32_t neuron);
void raster_free(raster *r);
/* "step,core,neuron" lines; core is "input" for input events. */
int raster_write_csv(const raster *r, const char *path, snn_diag *diag);
/* A labelled plot (docs/snnsim.md, "RASTER PLOT"), SVG if path ends in
 * .svg, else PNG: time steps across, one band per layer down (the inputs,
 * then the cores of each phase), at most RASTER_PNG_MAX_W x
 * RASTER_PNG_MAX_H pixels whatever the network's size. */
int raster_write_plot(const raster *r, const snn_image *img, const raster_plot *p,
		      const char *path, snn_diag *diag);

#define RASTER_PNG_MAX_W 1200
#define RASTER_PNG_MAX_H 900

#endif
