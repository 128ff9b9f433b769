/* Shell commands and JSON fields for the driver tests. */
#ifndef SNN_TEST_DRIVER_CMD_H
#define SNN_TEST_DRIVER_CMD_H

#include <stddef.h>

/* Run a shell command (stderr folded into stdout); its exit status, -1 if
 * it did not exit. */
int cmd_run(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The number after "key": in a JSON object (-1 if absent). */
double json_num(const char *json, const char *key);
/* The text of key's value (up to the next top-level comma): 0 or -1. */
int json_field(const char *json, const char *key, char *out, size_t cap);

#endif
