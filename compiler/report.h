/* The conversion report: why the spiking network lost accuracy, per layer. */
#ifndef SNNC_REPORT_H
#define SNNC_REPORT_H

#include <stdio.h>
#include "net.h"

typedef struct snnc_report_input {
	const snn_calib *calib;	/* images to compare on */
	const uint8_t *labels;	/* optional: accuracy per step count */
	size_t n_labels;
} snnc_report_input;

/* Run the ANN (float executor) and the compiled image (golden simulator) on
 * the calibration images; write per layer the correlation and mean error of
 * the ANN's normalised activation against the firing rate, the share of
 * silent and saturated neurons with a suggestion, and (with labels) the
 * accuracy against the number of time steps. A summary goes to `summary`. */
int snnc_report(const ir_graph *g, const snn_net *net, const snn_mapping *m, const snn_image *img,
		const snnc_options *opt, const snnc_report_input *in, const char *path, FILE *summary,
		snn_diag *diag);

#endif
