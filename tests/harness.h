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
/* End the last case, print the closing line, return the exit status. */
int th_done(const char *program);

#endif
