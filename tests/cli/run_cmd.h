/* Running the command-line tools from tests, as a user would, and comparing
 * what they write. */
#ifndef SNN_TEST_RUN_CMD_H
#define SNN_TEST_RUN_CMD_H

#include <stdbool.h>
#include <stddef.h>

/* Run a shell command built from fmt; its stdout and stderr go to out
 * (NUL-terminated, truncated to outsz). Returns the exit status, -1 if the
 * command could not run or was killed. */
int run_cmd(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Do the files at a and b hold the same bytes (false if either is missing)? */
bool same_file(const char *a, const char *b);

/* The number after "key": in a tool's --json line; NAN if absent or null. */
double json_number(const char *json, const char *key);

#endif
