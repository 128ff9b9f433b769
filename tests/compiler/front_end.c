/* Test helpers around snnc's front end (see front_end.h). */
#include "front_end.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"

void fe_fill(float *v, size_t n, unsigned seed)
{
	uint32_t s = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		v[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
}

int fe_load(mb *b, const char *path, bool approximate, ir_graph *g, snn_diag *d)
{
	if (mb_write(b, path)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	mb_free(b);
	memset(d, 0, sizeof *d);
	int rc = ir_load(path, g, d);
	if (!rc && (rc = ir_resolve(g, approximate, d)))
		ir_free(g);
	return rc;
}

snnc_options fe_options(void)
{
	return (snnc_options){.target = snn_profile_default(), .weight_bits = 8, .steps = 32,
			      .percentile = 99.99f, .v_init = 0.5f, .readout = SNN_READOUT_MEMBRANE,
			      .input_scale = 1.0f / 255.0f, .verbose = -1, .size_only = true};
}

int fe_tensor_named(const ir_graph *g, const char *name)
{
	for (int t = 0; t < g->n_tensors; t++)
		if (!strcmp(g->tensors[t].name, name))
			return t;
	return -1;
}

bool fe_close_all(const float *got, const float *want, size_t n, float tol, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i]))))
			return th_expect(false, "%s[%zu]: got %.7g, want %.7g", what, i, got[i], want[i]);
	return true;
}
