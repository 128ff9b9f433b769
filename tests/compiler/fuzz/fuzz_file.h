/* The compiler's fuzz targets read paths: each input goes to one file in a
 * private directory, on tmpfs where there is one (a disk file per run is
 * the bottleneck), removed at exit. */
#ifndef SNN_FUZZ_FILE_H
#define SNN_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Write data to the target's file (named name, e.g. "m.onnx") and return
 * its path; aborts if it cannot. */
const char *fuzz_file_write(const char *name, const uint8_t *data, size_t size);

#endif
