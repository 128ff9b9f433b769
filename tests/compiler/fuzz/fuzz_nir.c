/* libFuzzer target for the NIR front end (docs/nir.md): the bytes are a NIR
 * file, imported (nir_import: libhdf5 on an in-memory image, then the chain
 * mapping) and resolved. Any crash, sanitizer report or leak in snnc's code
 * is a bug; libhdf5 itself is not instrumented and parses the container.
 * Not among tests/fuzz.sh's default targets: run tests/fuzz.sh 60 nir. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_file.h"
#include "ir.h"
#include "nir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write("m.nir", data, size);
	nir_import_options o = {.reset = -1};
	ir_graph g;
	snn_diag d;
	if (nir_import(path, &o, &g, &d))
		return 0;
	ir_resolve(&g, false, &d);
	ir_free(&g);
	return 0;
}
