/* Shell commands (tests/cli/run_cmd.h) and JSON fields for the driver tests. */
#ifndef SNN_TEST_DRIVER_CMD_H
#define SNN_TEST_DRIVER_CMD_H

#include <stddef.h>
#include "../cli/run_cmd.h"

/* The number after "key": in a JSON object (-1 if absent). */
double json_num(const char *json, const char *key);
/* The text of key's value (up to the next top-level comma): 0 or -1. */
int json_field(const char *json, const char *key, char *out, size_t cap);

#endif
