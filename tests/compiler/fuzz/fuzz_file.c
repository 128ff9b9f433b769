/* One scratch file per fuzz target (fuzz_file.h). */
#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64], path[128];

static void remove_file(void)
{
	unlink(path);
	rmdir(dir);
}

const char *fuzz_file_write(const char *name, const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(dir, sizeof dir, "/dev/shm/fuzz_snnc_XXXXXX");
		if (!mkdtemp(dir)) {
			snprintf(dir, sizeof dir, "/tmp/fuzz_snnc_XXXXXX");
			if (!mkdtemp(dir))
				abort();
		}
		snprintf(path, sizeof path, "%s/%s", dir, name);
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	return path;
}
