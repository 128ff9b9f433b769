/* snnsim's real-valued runs: targets in, scores and values out. */
#include "regress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snn/file.h"

#define TARGETS_MAX_BYTES (256u << 20)

/* Parse one line's numbers into row; returns how many there were (up to
 * width + 1, so that one too many is seen) or -1 with *bad at a non-number. */
static long parse_row(const char *s, const char *end, uint32_t width, double *row, const char **bad)
{
	long k = 0;
	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r'))
			s++;
		if (s == end)
			return k;
		char *stop;
		double v = strtod(s, &stop);
		if (stop == s || stop > end || !isfinite(v) ||
		    (stop < end && !strchr(" \t,\r", *stop))) {
			*bad = s;
			return -1;
		}
		if ((uint32_t)k < width)
			row[k] = v;
		if ((uint32_t)++k > width)
			return k;
		s = stop;
	}
}

int regress_read_targets(const char *path, uint32_t width, regress_targets *t, snn_diag *diag)
{
	uint8_t *data;
	size_t len;
	memset(t, 0, sizeof *t);
	t->width = width;
	int rc = snn_file_read_input(path, TARGETS_MAX_BYTES, &data, &len, diag);
	if (rc)
		return rc;
	if (memchr(data, '\0', len)) {
		free(data);
		return snn_fail(diag, SNN_ERR_FORMAT, "%s: a NUL byte: targets are a text file of numbers", path);
	}
	/* strtod and strcspn stop at a NUL, never past the file's last byte */
	uint8_t *text = realloc(data, len + 1);
	if (!text) {
		free(data);
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	}
	data = text;
	data[len] = '\0';
	size_t cap = 0;
	const char *s = (const char *)data, *end = s + len;
	for (size_t line = 1; s < end; line++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *eol = nl ? nl : end;
		const char *p = s;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < eol && *p != '#') {
			if (t->count == cap) {
				cap = cap ? 2 * cap : 256;
				double *v = realloc(t->v, cap * width * sizeof *v);
				if (!v) {
					rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
					break;
				}
				t->v = v;
			}
			const char *bad = NULL;
			long k = parse_row(p, eol, width, t->v + t->count * width, &bad);
			if (k < 0) {
				int n = (int)strcspn(bad, " \t,\r\n");
				rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: line %zu: '%.*s' is not a finite number", path,
					      line, n > 40 ? 40 : n, bad);
				break;
			}
			if ((uint32_t)k != width) {
				rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: line %zu: %s%ld values, but the model has %u "
					      "output%s", path, line, (uint32_t)k > width ? "more than " : "",
					      (uint32_t)k > width ? (long)width : k, width, width == 1 ? "" : "s");
				break;
			}
			t->count++;
		}
		s = nl ? nl + 1 : end;
	}
	free(data);
	if (rc)
		regress_targets_free(t);
	return rc;
}

void regress_targets_free(regress_targets *t)
{
	free(t->v);
	t->v = NULL;
	t->count = 0;
}

void regress_score(const regress_targets *t, const double *values, size_t n, double decision,
		   regress_scores *s)
{
	const uint32_t w = t->width;
	double se = 0, spe = 0, r2_sum = 0;
	size_t correct = 0;
	memset(s, 0, sizeof *s);
	s->has_mspe = s->has_r2 = s->binary = n > 0;
	for (size_t i = 0; i < n * w; i++) {
		double y = values[i], tv = t->v[i], e = y - tv;
		se += e * e;
		if (tv == 0)
			s->has_mspe = false;
		else
			spe += (e / tv) * (e / tv);
		s->binary &= tv == 0 || tv == 1;
		correct += (y > decision) == (tv == 1);
	}
	for (uint32_t j = 0; j < w && n; j++) {
		double mean = 0, res = 0, tot = 0;
		for (size_t k = 0; k < n; k++)
			mean += t->v[k * w + j];
		mean /= (double)n;
		for (size_t k = 0; k < n; k++) {
			double tv = t->v[k * w + j], e = values[k * w + j] - tv;
			res += e * e;
			tot += (tv - mean) * (tv - mean);
		}
		if (tot > 0)
			r2_sum += 1.0 - res / tot;
		else
			s->has_r2 = false;
	}
	double cells = n ? (double)n * w : 1.0;
	s->mse = se / cells;
	s->mspe = s->has_mspe ? 100.0 * spe / cells : 0;
	s->r2 = s->has_r2 ? r2_sum / w : 0;
	s->accuracy = s->binary ? (double)correct / cells : 0;
}

int regress_write_values(const char *path, const double *values, size_t n, uint32_t width, snn_diag *diag)
{
	snn_output o;
	int rc = snn_output_open(&o, path, diag);
	if (rc)
		return rc;
	for (size_t k = 0; k < n; k++)
		for (uint32_t j = 0; j < width; j++)
			fprintf(o.f, "%.9g%c", values[k * width + j], j + 1 < width ? ',' : '\n');
	return snn_output_commit(&o, diag);
}
