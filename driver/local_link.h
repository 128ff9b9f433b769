/* The in-process byte pipe shared by the golden and sim transports: the
 * device's replies collect in a buffer that read() drains. A device in
 * process answers inside write(), so read() never needs to wait. */
#ifndef SNNHOST_LOCAL_LINK_H
#define SNNHOST_LOCAL_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "transport.h"

typedef struct local_link {
	transport t;
	uint8_t *rx;
	size_t len, pos, cap;
	int nomem;	/* a reply was lost for want of memory */
} local_link;

/* The device's tx callback (snn_tx_fn): ctx is the local_link. */
void snnhost_local_tx(void *ctx, const uint8_t *data, size_t len);
int snnhost_local_read(transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms);
void snnhost_local_free(local_link *l);

#endif
