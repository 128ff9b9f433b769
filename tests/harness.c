/* Test harness implementation (see harness.h). */
#define _XOPEN_SOURCE 700	/* mknod */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char current[200];
static int open_case, case_failed, passed, failed, messages;

static void end_case(void)
{
	if (!open_case)
		return;
	if (case_failed)
		failed++;
	else
		passed++;
	open_case = 0;
}

void th_case(const char *fmt, ...)
{
	end_case();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(current, sizeof current, fmt, ap);
	va_end(ap);
	open_case = 1;
	case_failed = 0;
	messages = 0;
}

bool th_expect(bool cond, const char *fmt, ...)
{
	if (cond)
		return true;
	if (!open_case)
		th_case("(unnamed)");
	case_failed = 1;
	if (messages++ < 5) {	/* the first few say enough */
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "FAIL %s: ", current);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	return false;
}

const char *th_scratch_device(const char *path)
{
	if (!mknod(path, S_IFCHR | 0666, makedev(1, 3)))
		return path;
	return geteuid() != 0 ? "/dev/null" : NULL;
}

int th_done(const char *program)
{
	end_case();
	printf("%s: %d passed, %d failed\n", program, passed, failed);
	return failed ? 1 : 0;
}
