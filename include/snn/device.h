/* Golden device: the device side of the host link protocol on top of the
 * golden simulator, so a host driver talks to it exactly as to the FPGA. */
#ifndef SNN_DEVICE_H
#define SNN_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "snn/geometry.h"

typedef struct snn_golden snn_golden;

/* Send bytes back to the host (the device's transmit side). */
typedef void (*snn_tx_fn)(void *ctx, const uint8_t *data, size_t len);

int snn_golden_open(const snn_geometry *geo, uint32_t build_id, snn_tx_fn tx,
		    void *ctx, snn_golden **out);
void snn_golden_close(snn_golden *dev);

/* Feed received bytes; replies are sent through tx as they are produced. */
void snn_golden_receive(snn_golden *dev, const uint8_t *data, size_t len);

#endif
