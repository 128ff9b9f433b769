/* libFuzzer target for the compiler front end: the bytes are an ONNX file,
 * loaded (ir_load), resolved (ir_resolve, with and without approximation)
 * and, when small, run once on zeros (ir_run). Any crash, sanitizer report
 * or leak is a bug; errors are the expected outcome for most inputs.
 *
 * Build with clang's libFuzzer and run for SECONDS (default 300):
 *   tests/compiler/fuzz/run.sh [SECONDS]
 * The seed corpus (tests/compiler/fuzz/corpus) is written by
 *   SNNC_CORPUS=tests/compiler/fuzz/corpus build/tests/compiler/test_onnx_ops
 * and crashes become regression cases in tests/compiler/test_onnx_ops.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_file.h"
#include "ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_once(const ir_graph *g)
{
	int64_t total = 0;
	for (int t = 0; t < g->n_tensors; t++)
		total += ir_numel(&g->tensors[t]);
	if (total > (1 << 20))
		return;	/* large but valid: not worth the time */
	ir_values vals;
	float *in = calloc((size_t)ir_numel(&g->tensors[g->input]) + 1, sizeof *in);
	if (in && ir_values_init(g, &vals) == 0) {
		ir_run(g, &vals, in);
		ir_values_free(&vals);
	}
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write("m.onnx", data, size);
	for (int approximate = 0; approximate < 2; approximate++) {
		ir_graph g;
		snn_diag d;
		if (ir_load(path, &g, &d))
			return 0;
		if (ir_resolve(&g, approximate, &d) == 0)
			run_once(&g);
		ir_free(&g);
	}
	return 0;
}
