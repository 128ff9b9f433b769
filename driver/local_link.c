/* The in-process byte pipe of the golden and sim transports (local_link.h). */
#include "local_link.h"

#include <stdlib.h>
#include <string.h>

void snnhost_local_tx(void *ctx, const uint8_t *data, size_t len)
{
	local_link *l = ctx;
	if (l->pos == l->len)
		l->pos = l->len = 0;
	if (l->len + len > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		while (cap < l->len + len)
			cap *= 2;
		uint8_t *rx = realloc(l->rx, cap);
		if (!rx) {
			l->nomem = 1;
			return;
		}
		l->rx = rx;
		l->cap = cap;
	}
	memcpy(l->rx + l->len, data, len);
	l->len += len;
}

int snnhost_local_read(transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	local_link *l = (local_link *)t;
	(void)timeout_ms;	/* everything the device will say is here already */
	if (l->nomem)
		return SNNHOST_ERROR_NOMEM;
	size_t n = l->len - l->pos;
	if (n > cap)
		n = cap;
	memcpy(buf, l->rx + l->pos, n);
	l->pos += n;
	*got = n;
	return 0;
}

void snnhost_local_free(local_link *l)
{
	free(l->rx);
	free(l);
}
