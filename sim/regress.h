/* snnsim's real-valued runs (--targets): the targets file, the scores of
 * the decoded outputs against it, and the --values file (docs/snnsim.md,
 * "REAL-VALUED OUTPUTS"). */
#ifndef SNNSIM_REGRESS_H
#define SNNSIM_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

/* count samples of width targets each, row-major. */
typedef struct regress_targets {
	size_t count;
	uint32_t width;
	double *v;
} regress_targets;

/* Read a targets file: one line per sample of width numbers separated by
 * commas or blanks; empty lines and lines starting with '#' are skipped.
 * Messages name the file, the line and what is wrong. */
int regress_read_targets(const char *path, uint32_t width, regress_targets *t, snn_diag *diag);
void regress_targets_free(regress_targets *t);

/* Scores of values (n samples of t->width) against the first n targets.
 * A score that is undefined for these targets has its has_ flag clear. */
typedef struct regress_scores {
	double mse;	/* mean of (y - t)^2 */
	double mspe;	/* mean of ((y - t) / t)^2, in per cent: needs no target 0 */
	double r2;	/* 1 - SS_res / SS_tot per output, averaged: needs varying targets */
	double accuracy;	/* binary targets: share of (y > decision) == t */
	bool has_mspe, has_r2, binary;
} regress_scores;

void regress_score(const regress_targets *t, const double *values, size_t n, double decision,
		   regress_scores *s);

/* Write n samples of width values as CSV, one line a sample, through a
 * temporary file (docs/files.md). */
int regress_write_values(const char *path, const double *values, size_t n, uint32_t width, snn_diag *diag);

#endif
