/* The RTL device: the Verilated rtl/snn_top.v (link framing, command layer
 * and core array) behind the same byte-stream calls as the golden device
 * (include/snn/device.h), so a host or a protocol test talks to it exactly
 * as to the golden device or a board. Only the geometries it was built for
 * exist (rtl/mk/cmd.mk); docs/rtl.md, "snn_top". */
#ifndef SNN_RTL_DEVICE_H
#define SNN_RTL_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "snn/device.h"
#include "snn/geometry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct snn_rtldev snn_rtldev;

/* A device built for exactly geo and build_id, reset and idle (its power-on
 * sequence run). SNN_ERR_UNSUPPORTED when no model of this program has that
 * geometry and build id, SNN_ERR_NOMEM when out of memory. */
int snn_rtldev_open(const snn_geometry *geo, uint32_t build_id, snn_tx_fn tx,
		    void *ctx, snn_rtldev **out);
/* The same, but the iCEBreaker board's design (its UART, the frame codec,
 * the command layer and the engine) with the host's side of the serial
 * line modelled bit by bit: rtl/mk/uart.mk builds it for the icebreaker
 * profile only. */
int snn_rtldev_open_uart(const snn_geometry *geo, uint32_t build_id, snn_tx_fn tx,
			 void *ctx, snn_rtldev **out);
void snn_rtldev_close(snn_rtldev *dev);

/* Feed received bytes at one per clock cycle (the link pauses while the
 * device is busy) and clock the device until it is idle again; its bytes
 * are sent through tx before this returns. */
void snn_rtldev_receive(snn_rtldev *dev, const uint8_t *data, size_t len);

/* Clock cycles since the device was opened. */
uint64_t snn_rtldev_cycles(const snn_rtldev *dev);

/* For tests: from now on, leave the input idle before a byte with
 * probability idle_pct % per cycle, and hold the output (i_ready low) in
 * stall_pct % of cycles, so the device's handshakes see pauses. */
void snn_rtldev_pauses(snn_rtldev *dev, unsigned idle_pct, unsigned stall_pct);

/* Cycles in which the device's output broke the valid/ready rule (withdrew
 * or changed a byte not yet taken); 0 for a correct device. */
uint64_t snn_rtldev_violations(const snn_rtldev *dev);

#ifdef __cplusplus
}
#endif

#endif
