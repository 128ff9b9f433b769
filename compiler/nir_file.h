/* NIR files (docs/nir.md): the HDF5 layout PyPI `nir` 1.0.8 reads and
 * writes, as a plain graph of typed nodes with numeric parameters. What
 * the nodes mean is for the importer and exporter, not for this module. */
#ifndef SNNC_NIR_FILE_H
#define SNNC_NIR_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

#define NIR_MAX_RANK 8
#define NIR_VERSION "1.0.8"	/* the version written into /version */

/* One dataset of a node: numbers (any integer or float type, read as
 * double; written as float32 unless is_int) or a string. */
typedef struct nir_param {
	char *name;
	bool is_string, is_int;
	char *s;	/* is_string */
	int rank;	/* 0: a scalar */
	int64_t dims[NIR_MAX_RANK];
	double *v;	/* numel values, row-major */
	int64_t n;
} nir_param;

typedef struct nir_node {
	char *name;
	char *type;	/* "Affine", "LIF", ... */
	nir_param *params;
	int n_params;
} nir_node;

typedef struct nir_graph {
	char *path;	/* for messages */
	char *version;	/* /version, or NULL when the file has none */
	nir_node *nodes;	/* in storage (name) order */
	int n_nodes;
	int (*edges)[2];	/* node indices, source then destination */
	int n_edges;
	uint8_t digest[32];	/* SHA-256 of the file */
} nir_graph;

/* Whether the file starts with the HDF5 signature. */
bool nir_file_is_hdf5(const char *path);

/* Read a NIR file. Errors name the file and the node or dataset. On
 * failure g holds nothing (nir_free on it is harmless). */
int nir_read(const char *path, nir_graph *g, snn_diag *diag);
/* Write g (path unused) as `nir` 1.0.8 does: arrays gzip-compressed; a
 * temporary file renamed over path, so a failure replaces nothing. */
int nir_write(const char *path, const nir_graph *g, snn_diag *diag);
void nir_free(nir_graph *g);

/* Building a graph: each returns the new item or NULL when out of memory. */
nir_node *nir_add_node(nir_graph *g, const char *name, const char *type);
nir_param *nir_add_param(nir_node *n, const char *name, int rank, const int64_t *dims);
nir_param *nir_add_scalar(nir_node *n, const char *name, double v);
int nir_add_edge(nir_graph *g, int src, int dst);

/* Look-ups: the node's dataset or NULL; the index of a node or -1. */
const nir_param *nir_param_find(const nir_node *n, const char *name);
int nir_node_find(const nir_graph *g, const char *name);

#endif
