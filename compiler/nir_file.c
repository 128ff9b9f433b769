/* NIR files through Debian's libhdf5 (docs/nir.md, "File layout"): the
 * file is read whole (snn_file_read_input's checks and size limit) and
 * opened as an in-memory image; a written file is made in memory and
 * handed to snn_output_write, so nothing half-written is ever renamed
 * over the target. */
#include "nir_file.h"

#include <hdf5.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "snn/file.h"

#define MAX_FILE_BYTES ((uint64_t)1 << 31)
#define MAX_ELEMENTS ((int64_t)1 << 26)	/* per dataset: decompressed size is bounded */
#define MAX_NODES 100000
#define NAME_BYTES 256
#define GZIP_LEVEL 4	/* h5py's default */
/* The name of the in-memory file: the core driver refuses a name that
 * exists on disk, and nothing can exist below /dev/null. */
#define MEMORY_NAME "/dev/null/snnc-nir"

static const uint8_t hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

bool nir_file_is_hdf5(const char *path)
{
	uint8_t head[8];
	uint64_t size;
	snn_diag d;	/* a file that cannot be read is the loader's to report */
	int fd = snn_file_open_input(path, MAX_FILE_BYTES, &size, &d);	/* a FIFO must not block here */
	if (fd < 0)
		return false;
	bool yes = size >= sizeof head && read(fd, head, sizeof head) == (ssize_t)sizeof head &&
		   !memcmp(head, hdf5_signature, sizeof head);
	close(fd);
	return yes;
}

/* ---- the graph in memory ---- */

static void free_param(nir_param *p)
{
	free(p->name);
	free(p->s);
	free(p->v);
}

void nir_free(nir_graph *g)
{
	for (int k = 0; k < g->n_nodes; k++) {
		nir_node *n = &g->nodes[k];
		for (int i = 0; i < n->n_params; i++)
			free_param(&n->params[i]);
		free(n->params);
		free(n->name);
		free(n->type);
	}
	free(g->nodes);
	free(g->edges);
	free(g->path);
	free(g->version);
	memset(g, 0, sizeof *g);
}

nir_node *nir_add_node(nir_graph *g, const char *name, const char *type)
{
	nir_node *grown = realloc(g->nodes, (size_t)(g->n_nodes + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	g->nodes = grown;
	nir_node *n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof *n);
	n->name = strdup(name);
	n->type = strdup(type);
	if (!n->name || !n->type) {
		free(n->name);
		free(n->type);
		return NULL;
	}
	g->n_nodes++;
	return n;
}

nir_param *nir_add_param(nir_node *n, const char *name, int rank, const int64_t *dims)
{
	int64_t numel = 1;
	for (int d = 0; d < rank; d++)
		numel *= dims[d];
	nir_param *grown = realloc(n->params, (size_t)(n->n_params + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	n->params = grown;
	nir_param *p = &n->params[n->n_params];
	memset(p, 0, sizeof *p);
	p->name = strdup(name);
	p->v = calloc((size_t)(numel ? numel : 1), sizeof *p->v);
	if (!p->name || !p->v) {
		free_param(p);
		return NULL;
	}
	p->rank = rank;
	for (int d = 0; d < rank; d++)	/* dims may be NULL for a scalar */
		p->dims[d] = dims[d];
	p->n = numel;
	n->n_params++;
	return p;
}

nir_param *nir_add_scalar(nir_node *n, const char *name, double v)
{
	nir_param *p = nir_add_param(n, name, 0, NULL);
	if (p)
		p->v[0] = v;
	return p;
}

int nir_add_edge(nir_graph *g, int src, int dst)
{
	int(*grown)[2] = realloc(g->edges, (size_t)(g->n_edges + 1) * sizeof *grown);
	if (!grown)
		return SNN_ERR_NOMEM;
	g->edges = grown;
	g->edges[g->n_edges][0] = src;
	g->edges[g->n_edges][1] = dst;
	g->n_edges++;
	return 0;
}

const nir_param *nir_param_find(const nir_node *n, const char *name)
{
	for (int i = 0; i < n->n_params; i++)
		if (!strcmp(n->params[i].name, name))
			return &n->params[i];
	return NULL;
}

int nir_node_find(const nir_graph *g, const char *name)
{
	for (int k = 0; k < g->n_nodes; k++)
		if (!strcmp(g->nodes[k].name, name))
			return k;
	return -1;
}

/* ---- reading ---- */

typedef struct reader {
	nir_graph *g;
	snn_diag *diag;
} reader;

/* Read count strings of dataset d (variable or fixed length) into out[],
 * each malloc'd. */
static int read_strings(reader *r, hid_t d, hid_t ftype, size_t count, char **out, const char *what)
{
	int rc = 0;
	hid_t mt = H5Tcopy(H5T_C_S1);
	H5Tset_cset(mt, H5Tget_cset(ftype));	/* HDF5 converts no character sets: ASCII or UTF-8 as stored */
	if (H5Tis_variable_str(ftype) > 0) {
		char **raw = calloc(count ? count : 1, sizeof *raw);
		if (!raw || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
		    H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: the strings cannot be read", r->g->path, what);
		for (size_t i = 0; i < count && raw; i++) {
			if (!rc && !(out[i] = strdup(raw[i] ? raw[i] : "")))
				rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
			if (raw[i])
				H5free_memory(raw[i]);
		}
		free(raw);
	} else {
		size_t size = H5Tget_size(ftype);
		char *buf = size && size < 65536 ? calloc(count ? count : 1, size + 1) : NULL;
		if (!buf || H5Tset_size(mt, size + 1) < 0 || H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 ||
		    H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: the strings cannot be read", r->g->path, what);
		for (size_t i = 0; i < count && !rc; i++)
			if (!(out[i] = strndup(buf + i * (size + 1), size)))
				rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
		free(buf);
	}
	H5Tclose(mt);
	return rc;
}

/* The shape of dataset d; its element count in *numel. */
static int read_shape(reader *r, hid_t d, int *rank, int64_t *dims, int64_t *numel, const char *what)
{
	hid_t s = H5Dget_space(d);
	int nd = s < 0 ? -1 : H5Sget_simple_extent_ndims(s);
	hsize_t hd[H5S_MAX_RANK];
	int rc = 0;
	if (nd < 0 || nd > NIR_MAX_RANK || H5Sget_simple_extent_dims(s, hd, NULL) < 0)
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: has no readable shape or more than %d dimensions",
			      r->g->path, what, NIR_MAX_RANK);
	*numel = 1;
	for (int k = 0; k < nd && !rc; k++) {
		dims[k] = (int64_t)hd[k];
		if (hd[k] > (hsize_t)MAX_ELEMENTS || (*numel *= (int64_t)hd[k]) > MAX_ELEMENTS)
			rc = snn_fail(r->diag, SNN_ERR_RANGE, "%s: %s: has more than %lld elements", r->g->path, what,
				      (long long)MAX_ELEMENTS);
	}
	*rank = nd;
	if (s >= 0)
		H5Sclose(s);
	return rc;
}

/* A string dataset holding exactly one string (reading more into one
 * slot would overrun it). */
static int read_one_string(reader *r, hid_t d, hid_t ftype, char **out, const char *what)
{
	int rank;
	int64_t dims[NIR_MAX_RANK], numel;
	int rc = read_shape(r, d, &rank, dims, &numel, what);
	if (!rc && numel != 1)
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: holds %lld strings, not one", r->g->path, what,
			      (long long)numel);
	return rc ? rc : read_strings(r, d, ftype, 1, out, what);
}

/* One dataset of a node: numbers as doubles, or a scalar string. Other
 * kinds (enums, compounds) are left out: a parameter the importer needs
 * is then reported missing. */
static int read_param(reader *r, nir_node *n, hid_t d, const char *name)
{
	char what[2 * NAME_BYTES + 32];
	snprintf(what, sizeof what, "node %s: dataset %s", n->name, name);
	hid_t t = H5Dget_type(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int rank, rc = 0;
	int64_t dims[NIR_MAX_RANK], numel;
	if (cls != H5T_STRING && cls != H5T_INTEGER && cls != H5T_FLOAT)
		goto out;
	rc = read_shape(r, d, &rank, dims, &numel, what);
	if (rc)
		goto out;
	if (cls == H5T_STRING) {
		if (numel != 1)
			goto out;	/* string arrays: none of the supported nodes has one */
		char *s = NULL;
		rc = read_one_string(r, d, t, &s, what);
		nir_param *p = rc ? NULL : nir_add_param(n, name, 0, NULL);
		if (!rc && !p)
			rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
		if (p) {
			p->is_string = true;
			p->s = s;
		} else {
			free(s);
		}
		goto out;
	}
	nir_param *p = nir_add_param(n, name, rank, dims);
	if (!p) {
		rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
		goto out;
	}
	p->is_int = cls == H5T_INTEGER;
	if (numel && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->v) < 0)
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: the values cannot be read (a filter other than "
			      "gzip, or a damaged file)", r->g->path, what);
out:
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

/* The name of link i of group grp. */
static int link_name(reader *r, hid_t grp, hsize_t i, char *name, const char *where)
{
	ssize_t len = H5Lget_name_by_idx(grp, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, NAME_BYTES, H5P_DEFAULT);
	if (len < 0 || len >= NAME_BYTES)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s: entry %llu has no name or one of %d bytes or more",
				r->g->path, where, (unsigned long long)i, NAME_BYTES);
	H5L_info_t info;
	if (H5Lget_info(grp, name, &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_HARD)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: %s/%s: is a soft or external link; NIR files hold "
				"their groups and datasets themselves", r->g->path, where, name);
	return 0;
}

static hsize_t group_size(hid_t grp)
{
	H5G_info_t info;
	return H5Gget_info(grp, &info) < 0 ? 0 : info.nlinks;
}

static int read_node(reader *r, hid_t grp, const char *name)
{
	char where[NAME_BYTES + 32], key[NAME_BYTES];
	snprintf(where, sizeof where, "node %s", name);
	hid_t type_d = H5Lexists(grp, "type", H5P_DEFAULT) > 0 ? H5Dopen2(grp, "type", H5P_DEFAULT) : -1;
	char *type = NULL;
	int rc = 0;
	if (type_d < 0) {
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: node %s: has no type dataset", r->g->path, name);
	} else {
		hid_t t = H5Dget_type(type_d);
		if (H5Tget_class(t) != H5T_STRING)
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: node %s: its type is not a string", r->g->path, name);
		else
			rc = read_one_string(r, type_d, t, &type, where);
		H5Tclose(t);
		H5Dclose(type_d);
	}
	nir_node *n = rc ? NULL : nir_add_node(r->g, name, type);
	free(type);
	if (!rc && !n)
		rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
	hsize_t count = rc ? 0 : group_size(grp);
	for (hsize_t i = 0; i < count && !rc; i++) {
		rc = link_name(r, grp, i, key, where);
		if (rc || !strcmp(key, "type"))
			continue;
		hid_t o = H5Oopen(grp, key, H5P_DEFAULT);
		if (o < 0) {
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: node %s: %s cannot be opened", r->g->path, name, key);
			break;
		}
		if (H5Iget_type(o) == H5I_DATASET)	/* groups (metadata, sub-graphs) are not parameters */
			rc = read_param(r, n, o, key);
		H5Oclose(o);
	}
	return rc;
}

static int read_nodes(reader *r, hid_t top)
{
	char name[NAME_BYTES];
	if (H5Lexists(top, "nodes", H5P_DEFAULT) <= 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: has no /node/nodes group", r->g->path);
	hid_t nodes = H5Gopen2(top, "nodes", H5P_DEFAULT);
	if (nodes < 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/nodes is not a group", r->g->path);
	hsize_t count = group_size(nodes);
	int rc = count > MAX_NODES ? snn_fail(r->diag, SNN_ERR_RANGE, "%s: has more than %d nodes", r->g->path,
					      MAX_NODES) : 0;
	for (hsize_t i = 0; i < count && !rc; i++) {
		rc = link_name(r, nodes, i, name, "/node/nodes");
		hid_t grp = rc ? -1 : H5Gopen2(nodes, name, H5P_DEFAULT);
		if (!rc && grp < 0)
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/nodes/%s is not a group", r->g->path, name);
		if (!rc)
			rc = read_node(r, grp, name);
		if (grp >= 0)
			H5Gclose(grp);
	}
	H5Gclose(nodes);
	return rc;
}

/* /node/edges: (source, destination) name pairs, as node indices. */
static int read_edges(reader *r, hid_t top)
{
	if (H5Lexists(top, "edges", H5P_DEFAULT) <= 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: has no /node/edges dataset", r->g->path);
	hid_t d = H5Dopen2(top, "edges", H5P_DEFAULT);
	if (d < 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/edges is not a dataset", r->g->path);
	hid_t t = H5Dget_type(d);
	int rank, rc = 0;
	int64_t dims[NIR_MAX_RANK], numel = 0;
	char **names = NULL;
	if (H5Tget_class(t) != H5T_STRING)
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/edges does not hold strings", r->g->path);
	if (!rc)
		rc = read_shape(r, d, &rank, dims, &numel, "/node/edges");
	if (!rc && numel && (rank != 2 || dims[1] != 2))
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/edges has shape %lld x %lld; it must be N x 2 "
			      "(source, destination) names", r->g->path, (long long)dims[0],
			      (long long)(rank > 1 ? dims[1] : 1));
	if (!rc && numel && !(names = calloc((size_t)numel, sizeof *names)))
		rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
	if (!rc && numel)
		rc = read_strings(r, d, t, (size_t)numel, names, "/node/edges");
	for (int64_t e = 0; e + 1 < numel && !rc; e += 2) {
		int src = nir_node_find(r->g, names[e]), dst = nir_node_find(r->g, names[e + 1]);
		if (src < 0 || dst < 0)
			rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: edge %lld (%s -> %s): no node is named %s", r->g->path,
				      (long long)(e / 2), names[e], names[e + 1], src < 0 ? names[e] : names[e + 1]);
		else if (nir_add_edge(r->g, src, dst))
			rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
	}
	for (int64_t e = 0; names && e < numel; e++)
		free(names[e]);
	free(names);
	H5Tclose(t);
	H5Dclose(d);
	return rc;
}

static int read_version(reader *r, hid_t f)
{
	if (H5Lexists(f, "version", H5P_DEFAULT) <= 0)
		return 0;
	hid_t d = H5Dopen2(f, "version", H5P_DEFAULT);
	hid_t t = d < 0 ? -1 : H5Dget_type(d);
	int rc = 0;
	if (t >= 0 && H5Tget_class(t) == H5T_STRING)
		rc = read_one_string(r, d, t, &r->g->version, "/version");
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	return rc;
}

static int read_graph(reader *r, hid_t f)
{
	int rc = read_version(r, f);
	if (rc)
		return rc;
	if (H5Lexists(f, "node", H5P_DEFAULT) <= 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: has no /node group: an HDF5 file, but not NIR", r->g->path);
	hid_t top = H5Gopen2(f, "node", H5P_DEFAULT);
	if (top < 0)
		return snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node is not a group", r->g->path);
	char *type = NULL;
	hid_t d = H5Lexists(top, "type", H5P_DEFAULT) > 0 ? H5Dopen2(top, "type", H5P_DEFAULT) : -1;
	hid_t t = d < 0 ? -1 : H5Dget_type(d);
	if (t < 0 || H5Tget_class(t) != H5T_STRING)
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/type is missing or not a string", r->g->path);
	else
		rc = read_one_string(r, d, t, &type, "/node/type");
	if (!rc && strcmp(type, "NIRGraph"))
		rc = snn_fail(r->diag, SNN_ERR_FORMAT, "%s: /node/type is '%s'; a NIR file holds a NIRGraph",
			      r->g->path, type);
	free(type);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	rc = rc ? rc : read_nodes(r, top);
	rc = rc ? rc : read_edges(r, top);
	H5Gclose(top);
	return rc;
}

int nir_read(const char *path, nir_graph *g, snn_diag *diag)
{
	memset(g, 0, sizeof *g);
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = snn_file_read_input(path, MAX_FILE_BYTES, &buf, &len, diag);
	if (rc)
		return rc;
	if (!(g->path = strdup(path))) {
		free(buf);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	SHA2_CTX sha;
	SHA256Init(&sha);
	SHA256Update(&sha, buf, len);
	SHA256Final(g->digest, &sha);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);	/* our messages, not HDF5's error stack */
	reader r = {g, diag};
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	hid_t f = -1;
	if (len < sizeof hdf5_signature || memcmp(buf, hdf5_signature, sizeof hdf5_signature))
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: not a NIR file: no HDF5 signature", path);
	else if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 || H5Pset_file_image(fapl, buf, len) < 0)
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	else if ((f = H5Fopen(MEMORY_NAME, H5F_ACC_RDONLY, fapl)) < 0)
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: not a readable HDF5 file (truncated or damaged)", path);
	if (!rc)
		rc = read_graph(&r, f);
	if (f >= 0)
		H5Fclose(f);
	if (fapl >= 0)
		H5Pclose(fapl);
	free(buf);
	if (rc)
		nir_free(g);
	return rc;
}

/* ---- writing ---- */

static hid_t string_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	return t;
}

/* A dataset of count strings with the given shape (rank 0: a scalar). */
static int write_strings(hid_t loc, const char *name, const char **s, int rank, const hsize_t *dims)
{
	hid_t t = string_type();
	hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
	hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	int rc = d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0;
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(sp);
	H5Tclose(t);
	return rc;
}

/* Numbers as float32 (int64 for is_int), arrays gzip-compressed as `nir`
 * writes them. */
static int write_numbers(hid_t loc, const nir_param *p)
{
	hsize_t dims[NIR_MAX_RANK];
	for (int k = 0; k < p->rank; k++)
		dims[k] = (hsize_t)p->dims[k];
	hid_t sp = p->rank ? H5Screate_simple(p->rank, dims, NULL) : H5Screate(H5S_SCALAR);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	if (p->rank && p->n > 0)	/* one chunk, the whole array */
		(void)(H5Pset_chunk(dcpl, p->rank, dims) < 0 || H5Pset_deflate(dcpl, GZIP_LEVEL) < 0);
	hid_t d = H5Dcreate2(loc, p->name, p->is_int ? H5T_STD_I64LE : H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl,
			     H5P_DEFAULT);
	int rc = d < 0 || (p->n && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->v) < 0);
	if (d >= 0)
		H5Dclose(d);
	H5Pclose(dcpl);
	H5Sclose(sp);
	return rc;
}

static int write_graph(hid_t f, const nir_graph *g)
{
	const char *version = NIR_VERSION, *graph_type = "NIRGraph";
	if (write_strings(f, "version", &version, 0, NULL))
		return 1;
	hid_t top = H5Gcreate2(f, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	hid_t nodes = top < 0 ? -1 : H5Gcreate2(top, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	int rc = nodes < 0;
	const char **names = malloc((size_t)(2 * g->n_edges + 1) * sizeof *names);
	rc |= !names;
	for (int e = 0; e < g->n_edges && !rc; e++) {
		names[2 * e] = g->nodes[g->edges[e][0]].name;
		names[2 * e + 1] = g->nodes[g->edges[e][1]].name;
	}
	hsize_t edims[2] = {(hsize_t)g->n_edges, 2};
	rc = rc || write_strings(top, "edges", names, 2, edims) || write_strings(top, "type", &graph_type, 0, NULL);
	free(names);
	for (int k = 0; k < g->n_nodes && !rc; k++) {
		const nir_node *n = &g->nodes[k];
		hid_t grp = H5Gcreate2(nodes, n->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		const char *type = n->type;
		rc = grp < 0 || write_strings(grp, "type", &type, 0, NULL);
		for (int i = 0; i < n->n_params && !rc; i++) {
			const nir_param *p = &n->params[i];
			const char *s = p->s;
			rc = p->is_string ? write_strings(grp, p->name, &s, 0, NULL) : write_numbers(grp, p);
		}
		if (grp >= 0)
			H5Gclose(grp);
	}
	if (nodes >= 0)
		H5Gclose(nodes);
	if (top >= 0)
		H5Gclose(top);
	return rc;
}

int nir_write(const char *path, const nir_graph *g, snn_diag *diag)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	hid_t f = fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0
			  ? -1
			  : H5Fcreate(MEMORY_NAME, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
	int rc = f < 0 || write_graph(f, g) || H5Fflush(f, H5F_SCOPE_GLOBAL) < 0;
	ssize_t len = rc ? -1 : H5Fget_file_image(f, NULL, 0);
	void *buf = len > 0 ? malloc((size_t)len) : NULL;
	if (!buf || H5Fget_file_image(f, buf, (size_t)len) != len)
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: the HDF5 library could not build the NIR file", path);
	if (f >= 0)
		H5Fclose(f);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (!rc)
		rc = snn_output_write(path, buf, (size_t)len, diag);
	free(buf);
	return rc;
}
