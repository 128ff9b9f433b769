/* IDX reader (the MNIST file format), plain or gzip, through zlib. The
 * header is read and checked before the payload is inflated, and the
 * payload is read no further than the header promises. */
#include "snn/encode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "snn/file.h"

#define IDX_MAX_BYTES (1u << 30)	/* payload, after inflating; docs/snnsim.md */

/* Exactly n bytes from f, or fewer at the end of the data; -1 on an error
 * (damaged gzip), whose text goes to *msg. */
static long long read_some(gzFile f, uint8_t *to, size_t n, const char **msg)
{
	size_t got = 0;
	while (got < n) {
		unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
		int r = gzread(f, to + got, chunk);
		if (r < 0) {
			int zerr;
			*msg = gzerror(f, &zerr);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long long)got;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Magic, type and dimensions from the first bytes; *total: payload bytes. */
static int check_header(const char *path, gzFile f, snn_idx *idx, size_t *header, uint64_t *total,
			snn_diag *diag)
{
	uint8_t h[4 + 4 * 4];
	const char *msg;
	long long got = read_some(f, h, 4, &msg);
	if (got < 0)
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 0: %s", path, msg);
	if (got < 4 || h[0] != 0 || h[1] != 0)
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 0: not an IDX file (bad magic)", path);
	if (h[2] != 0x08)
		return snn_fail(diag, SNN_ERR_FORMAT,
				"%s: offset 2: element type 0x%02x, only unsigned bytes (0x08) are supported",
				path, h[2]);
	idx->ndims = h[3];
	if (idx->ndims < 1 || idx->ndims > 4)
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 3: %u dimensions, expected 1..4", path,
				idx->ndims);
	*header = 4 + 4 * (size_t)idx->ndims;
	got = read_some(f, h + 4, *header - 4, &msg);
	if (got < 0)
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 4: %s", path, msg);
	if ((size_t)got < *header - 4)
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: truncated header (%zu bytes)", path, 4 + (size_t)got);
	*total = 1;
	for (uint32_t i = 0; i < idx->ndims; i++) {
		idx->dims[i] = be32(h + 4 + 4 * i);
		if (idx->dims[i] == 0)
			return snn_fail(diag, SNN_ERR_FORMAT, "%s: offset %u: dimension %u is 0: the file holds %s",
					path, 4 + 4 * i, i, i ? "empty items" : "no items");
		*total *= idx->dims[i];
		if (*total > IDX_MAX_BYTES)
			return snn_fail(diag, SNN_ERR_RANGE,
					"%s: offset %u: dimensions promise more than %u bytes, the limit", path,
					4 + 4 * i, IDX_MAX_BYTES);
	}
	return 0;
}

int snn_idx_read(const char *path, snn_idx *idx, snn_diag *diag)
{
	memset(idx, 0, sizeof *idx);
	uint64_t file_size;
	int fd = snn_file_open_input(path, IDX_MAX_BYTES, &file_size, diag);
	if (fd < 0)
		return fd;
	/* gzread reads gzip and, transparently, plain files. */
	gzFile f = gzdopen(fd, "rb");
	if (!f) {
		close(fd);
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	}
	size_t header = 0;
	uint64_t total = 0;
	uint8_t *data = NULL;
	int rc = check_header(path, f, idx, &header, &total, diag);
	/* Grow with what is really there: a short file claiming a gigabyte
	 * costs what it holds, not what it claims. */
	size_t len = 0, cap = 0;
	while (!rc && len < total) {
		cap = cap ? 2 * cap : 1u << 20;
		cap = cap > total ? (size_t)total : cap;
		uint8_t *p = realloc(data, cap);
		if (!p) {
			rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
			break;
		}
		data = p;
		const char *msg;
		long long got = read_some(f, data + len, cap - len, &msg);
		if (got < 0)
			rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: after %zu bytes: %s", path, header + len, msg);
		else if ((size_t)got < cap - len)
			rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: header promises %llu data bytes, file has %zu",
				      path, (unsigned long long)total, len + (size_t)got);
		else
			len += (size_t)got;
	}
	uint8_t extra;
	const char *msg;
	if (!rc && read_some(f, &extra, 1, &msg) != 0)
		rc = snn_fail(diag, SNN_ERR_FORMAT,
			      "%s: offset %zu: data after the %llu bytes the header promises", path,
			      header + len, (unsigned long long)total);
	gzclose(f);
	if (rc) {
		free(data);
		memset(idx, 0, sizeof *idx);
		return rc;
	}
	idx->count = idx->dims[0];
	idx->item_size = (size_t)(total / idx->count);
	idx->data = data;
	return 0;
}

void snn_idx_free(snn_idx *idx)
{
	free(idx->data);
	memset(idx, 0, sizeof *idx);
}
