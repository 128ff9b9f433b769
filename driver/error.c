/* Names and messages of enum snnhost_error. */
#include "snnhost.h"

static const struct {
	int code;
	const char *name, *msg;
} errors[] = {
	{SNNHOST_OK, "SNNHOST_OK", "success"},
	{SNNHOST_ERROR_ARG, "SNNHOST_ERROR_ARG", "invalid argument or device spec"},
	{SNNHOST_ERROR_NOT_FOUND, "SNNHOST_ERROR_NOT_FOUND", "no such device attached"},
	{SNNHOST_ERROR_ACCESS, "SNNHOST_ERROR_ACCESS",
	 "permission denied: install the udev rules (docs/snnhost.md)"},
	{SNNHOST_ERROR_BUSY, "SNNHOST_ERROR_BUSY", "the device is in use by another program"},
	{SNNHOST_ERROR_NO_DEVICE, "SNNHOST_ERROR_NO_DEVICE", "the device was unplugged"},
	{SNNHOST_ERROR_TIMEOUT, "SNNHOST_ERROR_TIMEOUT", "no reply within the timeout"},
	{SNNHOST_ERROR_PIPE, "SNNHOST_ERROR_PIPE", "USB endpoint stalled"},
	{SNNHOST_ERROR_IO, "SNNHOST_ERROR_IO", "USB transfer failed"},
	{SNNHOST_ERROR_PROTOCOL, "SNNHOST_ERROR_PROTOCOL", "malformed or unexpected reply"},
	{SNNHOST_ERROR_DEVICE, "SNNHOST_ERROR_DEVICE", "the device refused a request"},
	{SNNHOST_ERROR_MISMATCH, "SNNHOST_ERROR_MISMATCH",
	 "the image does not fit the device (protocol or geometry)"},
	{SNNHOST_ERROR_VERIFY, "SNNHOST_ERROR_VERIFY", "read-back differs from the image"},
	{SNNHOST_ERROR_UNSUPPORTED, "SNNHOST_ERROR_UNSUPPORTED",
	 "not available on this device or in this build"},
	{SNNHOST_ERROR_NOMEM, "SNNHOST_ERROR_NOMEM", "out of memory"},
	{SNNHOST_ERROR_INTERRUPTED, "SNNHOST_ERROR_INTERRUPTED", "interrupted"},
	{SNNHOST_ERROR_STATE, "SNNHOST_ERROR_STATE",
	 "not possible now: no image loaded, or the link failed earlier"},
	{SNNHOST_ERROR_INPUT, "SNNHOST_ERROR_INPUT", "bad image or sample data"},
};

const char *snnhost_error_name(int code)
{
	for (unsigned i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == code)
			return errors[i].name;
	return "SNNHOST_ERROR_UNKNOWN";
}

const char *snnhost_strerror(int code)
{
	for (unsigned i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == code)
			return errors[i].msg;
	return "unknown error code";
}
