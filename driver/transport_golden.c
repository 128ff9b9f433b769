/* The `golden` device: sim/golden_device.c in process, fed the same
 * protocol bytes as a board. */
#include <stdlib.h>
#include "local_link.h"
#include "snn/device.h"

typedef struct golden_link {
	local_link l;	/* first: the transport */
	snn_golden *dev;
} golden_link;

static int golden_write(transport *t, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	golden_link *g = (golden_link *)t;
	(void)timeout_ms;
	snn_golden_receive(g->dev, data, len);
	return 0;
}

static void golden_close(transport *t)
{
	golden_link *g = (golden_link *)t;
	snn_golden_close(g->dev);
	snnhost_local_free(&g->l);
}

static const transport_ops golden_ops = {
	.name = "golden",
	.write = golden_write,
	.read = snnhost_local_read,
	.close = golden_close,
};

int snnhost_golden_open(const snn_geometry *geo, uint32_t build_id, transport **out,
			  snn_diag *diag)
{
	golden_link *g = calloc(1, sizeof *g);
	if (!g)
		return snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
	g->l.t.ops = &golden_ops;
	int rc = snn_golden_open(geo, build_id, snnhost_local_tx, &g->l, &g->dev);
	if (rc) {
		free(g);
		return snn_fail(diag, SNNHOST_ERROR_ARG, "golden device: %s", snn_strerror(rc));
	}
	*out = &g->l.t;
	return 0;
}
