/* libFuzzer target for snnsim's targets reader (sim/regress.c): the first
 * byte picks the model's number of outputs (1 to 4), the rest is the text
 * file, read through regress_read_targets from a memory file (its path is
 * /proc/self/fd/N, a regular file as the reader demands). Any crash,
 * sanitizer report or leak is a bug, and so is a success that holds a
 * value that is not finite. Run with tests/fuzz.sh; seeds are the Iris
 * fixtures' targets and references. */
#define _GNU_SOURCE	/* memfd_create */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "regress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (size < 1)
		return 0;
	if (fd < 0) {
		if ((fd = memfd_create("fuzz_targets", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		abort();
	regress_targets t;
	snn_diag d;
	if (regress_read_targets(path, 1u + data[0] % 4u, &t, &d) == 0) {
		for (size_t i = 0; i < t.count * t.width; i++)
			if (!isfinite(t.v[i]))
				abort();
		regress_targets_free(&t);
	}
	return 0;
}
