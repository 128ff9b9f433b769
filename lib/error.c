/* Names and messages for snn_err codes, and the diag formatter. */
#include "snn/error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	int code;
	const char *name, *text;
} errors[] = {
	{SNN_OK, "SNN_OK", "success"},
	{SNN_ERR_IO, "SNN_ERR_IO", "input/output error"},
	{SNN_ERR_NOMEM, "SNN_ERR_NOMEM", "out of memory"},
	{SNN_ERR_FORMAT, "SNN_ERR_FORMAT", "malformed data"},
	{SNN_ERR_RANGE, "SNN_ERR_RANGE", "value out of range for the device"},
	{SNN_ERR_ARG, "SNN_ERR_ARG", "invalid argument"},
	{SNN_ERR_STATE, "SNN_ERR_STATE", "operation not valid in this state"},
	{SNN_ERR_UNSUPPORTED, "SNN_ERR_UNSUPPORTED", "not supported"},
};

const char *snn_error_name(int code)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == code)
			return errors[i].name;
	return "SNN_ERR_UNKNOWN";
}

const char *snn_strerror(int code)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error";
}

int snn_fail(snn_diag *diag, int code, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}
