/* The conversion report's charts (docs/snnc.md, CONVERSION REPORT):
 * accuracy against time steps, firing rate against ANN activation. */
#ifndef SNNC_REPORT_PLOTS_H
#define SNNC_REPORT_PLOTS_H

#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

#define REPORT_RATE_BINS 20	/* of the normalised ANN activation, 0 to 1 */

/* Accuracy of the spiking network after each of n step counts, beside the ANN's. */
typedef struct report_accuracy {
	const char *model;	/* for the title */
	size_t images;
	uint32_t steps;	/* T the image was compiled for */
	const uint32_t *at;	/* step counts, rising */
	const double *snn;	/* accuracy in % after each */
	size_t n;
	double ann;	/* in % */
} report_accuracy;

/* One layer's mean firing rate in each activation bin (NaN: too few samples). */
typedef struct report_rate_curve {
	const char *name;
	double rate[REPORT_RATE_BINS];
} report_rate_curve;

typedef struct report_rates {
	const char *model;
	size_t images;
	uint32_t steps;
	const report_rate_curve *layers;
	int n;
} report_rates;

/* Each writes one chart to path, PNG or (name ending in .svg) SVG. */
int report_plot_accuracy(const report_accuracy *a, const char *path, snn_diag *diag);
int report_plot_rates(const report_rates *r, const char *path, snn_diag *diag);

#endif
