/* libFuzzer target for the IDX reader: the bytes are an IDX file, plain or
 * gzip, read through snn_idx_read from a memory file (its path is
 * /proc/self/fd/N, a regular file as the reader demands). Any crash,
 * sanitizer report, leak, or memory beyond the content (a gzip bomb behind a
 * small header) is a bug. Run with tests/fuzz.sh; seeds are the fixtures'
 * IDX files. */
#define _GNU_SOURCE	/* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "snn/encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		if ((fd = memfd_create("fuzz_idx", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snn_idx idx;
	snn_diag d;
	if (snn_idx_read(path, &idx, &d) == 0) {
		if (idx.count == 0 || idx.item_size == 0)
			abort();	/* the reader refuses empty files */
		snn_idx_free(&idx);
	}
	return 0;
}
