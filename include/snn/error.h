/* snn error codes: one enum shared by the image library, simulator and device. */
#ifndef SNN_ERROR_H
#define SNN_ERROR_H

#include <stddef.h>

/* Every action function returns 0 or one of these (negative) codes. */
typedef enum snn_err {
	SNN_OK = 0,
	SNN_ERR_IO = -1,	/* reading or writing a file failed (errno kept) */
	SNN_ERR_NOMEM = -2,	/* allocation failed */
	SNN_ERR_FORMAT = -3,	/* malformed input: bad magic, length, CRC, value */
	SNN_ERR_RANGE = -4,	/* a value outside what the geometry allows */
	SNN_ERR_ARG = -5,	/* invalid argument from the caller */
	SNN_ERR_STATE = -6,	/* operation not valid in the current state */
	SNN_ERR_UNSUPPORTED = -7,	/* a valid request this build cannot do */
} snn_err;

/* Short symbolic name ("SNN_ERR_FORMAT") of a code. */
const char *snn_error_name(int code);
/* Human-readable description of a code. */
const char *snn_strerror(int code);

/* Detail sink: functions that can fail on bad input write one line here.
 * Pass NULL when the detail is not wanted. */
typedef struct snn_diag {
	char msg[512];
} snn_diag;

/* Format a message into diag (if non-NULL) and return code. */
int snn_fail(snn_diag *diag, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
