/* IDX reader (the MNIST file format), plain or gzip, through zlib. */
#include "snn/encode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "snn/protocol.h"

#define IDX_MAX_BYTES (1u << 30)

static int read_all(const char *path, uint8_t **out, size_t *outlen, snn_diag *diag)
{
	/* gzread reads gzip and, transparently, plain files. */
	gzFile f = gzopen(path, "rb");
	if (!f)
		return snn_fail(diag, SNN_ERR_IO, "%s: %s", path, errno ? strerror(errno) : "cannot open");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1u << 20;
			uint8_t *p = cap <= IDX_MAX_BYTES ? realloc(data, cap) : NULL;
			if (!p) {
				rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: too large or out of memory", path);
				goto out;
			}
			data = p;
		}
		int n = gzread(f, data + len, (unsigned)(cap - len));
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(f, &zerr);
			rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: after %zu bytes: %s", path, len, msg);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = data;
	*outlen = len;
	data = NULL;
out:
	free(data);
	gzclose(f);
	return rc;
}

int snn_idx_read(const char *path, snn_idx *idx, snn_diag *diag)
{
	memset(idx, 0, sizeof *idx);
	uint8_t *d = NULL;
	size_t len = 0;
	int rc = read_all(path, &d, &len, diag);
	if (rc)
		return rc;
	if (len < 4 || d[0] != 0 || d[1] != 0) {
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 0: not an IDX file (bad magic)", path);
		goto fail;
	}
	if (d[2] != 0x08) {
		rc = snn_fail(diag, SNN_ERR_FORMAT,
			      "%s: offset 2: element type 0x%02x, only unsigned bytes (0x08) are supported",
			      path, d[2]);
		goto fail;
	}
	idx->ndims = d[3];
	if (idx->ndims < 1 || idx->ndims > 4) {
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: offset 3: %u dimensions, expected 1..4", path,
			      idx->ndims);
		goto fail;
	}
	size_t header = 4 + 4 * (size_t)idx->ndims;
	if (len < header) {
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: truncated header (%zu bytes)", path, len);
		goto fail;
	}
	uint64_t total = 1;
	for (uint32_t i = 0; i < idx->ndims; i++) {
		const uint8_t *p = d + 4 + 4 * i;
		idx->dims[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		total *= idx->dims[i];
		if (total > IDX_MAX_BYTES) {
			rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: offset %zu: dimensions too large", path,
				      (size_t)(4 + 4 * i));
			goto fail;
		}
	}
	if (len - header != total) {
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: header promises %llu data bytes, file has %zu",
			      path, (unsigned long long)total, len - header);
		goto fail;
	}
	idx->count = idx->dims[0];
	idx->item_size = idx->count ? (size_t)(total / idx->count) : 0;
	memmove(d, d + header, total);
	idx->data = d;
	return 0;
fail:
	free(d);
	return rc;
}

void snn_idx_free(snn_idx *idx)
{
	free(idx->data);
	memset(idx, 0, sizeof *idx);
}
