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
#include "ir.h"
#include "nir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char model_dir[64], model_path[96];

static void remove_model(void)
{
	unlink(model_path);
	rmdir(model_dir);
}

/* nir_import reads a path: each input goes to a file on tmpfs if there is one. */
static const char *model_file(void)
{
	if (!model_path[0]) {
		snprintf(model_dir, sizeof model_dir, "/dev/shm/fuzz_nir_XXXXXX");
		if (!mkdtemp(model_dir)) {
			snprintf(model_dir, sizeof model_dir, "/tmp/fuzz_nir_XXXXXX");
			if (!mkdtemp(model_dir))
				abort();
		}
		snprintf(model_path, sizeof model_path, "%s/m.nir", model_dir);
		atexit(remove_model);
	}
	return model_path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = model_file();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	nir_import_options o = {.reset = -1};
	ir_graph g;
	snn_diag d;
	if (nir_import(path, &o, &g, &d))
		return 0;
	ir_resolve(&g, false, &d);
	ir_free(&g);
	return 0;
}
