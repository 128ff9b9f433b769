/* Minimal test harness: cases pass or fail, and the program ends with the
 * closing line "NAME: N passed, N failed" that tests/run.sh adds up. */
#ifndef SNN_TEST_HARNESS_H
#define SNN_TEST_HARNESS_H

#include <stdbool.h>

/* Start a test case (ending the previous one). */
void th_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record a failure of the current case with a message saying what was
 * compared; returns cond so callers can stop early. */
bool th_expect(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A character device to aim writers at that a broken one cannot harm: a
 * node like /dev/null made at path, or /dev/null itself when mknod is not
 * allowed and the process is not root (then /dev is not writable either).
 * NULL when neither is safe. */
const char *th_scratch_device(const char *path);
/* End the last case, print the closing line, return the exit status. */
int th_done(const char *program);

#endif
