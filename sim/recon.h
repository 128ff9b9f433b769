/* snnsim's image readout (--recon-png): a model whose outputs have its
 * input's shape (an autoencoder) read back as images, drawn in a grid
 * beside the inputs, and scored by PSNR (docs/snnsim.md, "IMAGE READOUT"). */
#ifndef SNNSIM_RECON_H
#define SNNSIM_RECON_H

#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"
#include "snn/image.h"

/* 0 if img's outputs are one per input value (C x H x W of its input, in
 * that order) and can be read back as values (output_scale); otherwise
 * SNN_ERR_UNSUPPORTED saying which of the two fails. */
int recon_check(const snn_image *img, const char *image_path, snn_diag *diag);

/* PSNR in dB of a mean squared error in the model's units, the peak being
 * the input's range there (255 x input scale): +inf for mse 0. */
double recon_psnr(const snn_image *img, double mse);

/* What the grid shows: n samples (at most RECON_MAX_SAMPLES are drawn), each
 * its input pixels (in_size bytes), its outputs (values, in_size doubles in
 * the model's units) and, when targets is not NULL, the reference outputs
 * beside them. */
#define RECON_MAX_SAMPLES 16
typedef struct recon_grid {
	const snn_image *img;
	const char *image_path;	/* for the title */
	const uint8_t *inputs;
	const double *values, *targets;
	size_t n;
	uint32_t steps;
	double mse;	/* shown in the title when targets is set */
} recon_grid;

/* Draw the grid to path (PNG, or SVG for a name ending in .svg), through a
 * temporary file. */
int recon_write_png(const recon_grid *g, const char *path, snn_diag *diag);

#endif
