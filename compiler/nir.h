/* NIR import and export (docs/nir.md): a NIR graph as the same IR the
 * ONNX-SNN front end builds, and a configuration image as a NIR graph. */
#ifndef SNNC_NIR_H
#define SNNC_NIR_H

#include <stdbool.h>
#include <stdio.h>
#include "ir.h"

typedef struct nir_import_options {
	double dt;	/* LIF time step in seconds; 0: inferred or assumed (docs/nir.md) */
	int reset;	/* enum snn_reset_mode, or -1 for what the file's v_reset says */
	FILE *notes;	/* where the assumptions are stated; NULL: nowhere */
} nir_import_options;

/* Whether path names a NIR file: a .nir extension or the HDF5 signature. */
bool nir_is_nir_path(const char *path);

/* Read a NIR file into g as ir_load reads an ONNX-SNN model: Affine and
 * Linear as Gemm, Conv2d as Conv, pools as AveragePool, Flatten, IF and
 * LIF as snn.IF and snn.LIF with their parameters mapped, an LI readout
 * left to the membrane readout. Errors name the file and the node. */
int nir_import(const char *path, const nir_import_options *o, ir_graph *g, snn_diag *diag);

/* snnc export-nir: the configuration image at image_path as a NIR graph
 * (quantised weights as they run, thresholds, leak as tau), written to
 * nir_path; what NIR cannot say is stated on notes. */
int nir_export_image(const char *image_path, const char *nir_path, FILE *notes, snn_diag *diag);

#endif
