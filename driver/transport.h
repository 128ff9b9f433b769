/* The transport interface: moves bytes to and from a device, nothing more.
 * One implementation per file: transport_golden.c (in process),
 * transport_sim.c (Verilated RTL in process), usb_ftdi.c and usb_bulk.c
 * (libusb). The protocol (session.c) knows only these calls. */
#ifndef SNNHOST_TRANSPORT_H
#define SNNHOST_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"
#include "snn/geometry.h"
#include "snnhost.h"

typedef struct transport transport;

typedef struct transport_ops {
	const char *name;	/* "golden", "sim", "ftdi", "bulk" */
	/* Send all len bytes, waiting at most timeout_ms for room. */
	int (*write)(transport *t, const uint8_t *data, size_t len, unsigned timeout_ms);
	/* Wait at most timeout_ms for bytes; *got = 0 on a timeout (returns 0). */
	int (*read)(transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms);
	void (*close)(transport *t);
} transport_ops;

struct transport {
	const transport_ops *ops;
	/* Request bytes the device side can hold unanswered: a UART without
	 * flow control drops what its receive queue cannot take while the
	 * device is busy (the iCEBreaker's holds 2 KiB). 0: no limit. */
	size_t ahead_bytes;
	char why[256];	/* detail of the last failure */
	volatile int *interrupted;	/* the handle's flag, checked while waiting */
};

/* Constructors: 0 or a negative snnhost_error, with diag. */
int snnhost_golden_open(const snn_geometry *geo, uint32_t build_id, transport **out,
			  snn_diag *diag);

/* The Verilated RTL: linked in only by programs that call
 * snnhost_enable_sim() (driver/transport_sim.c; it needs C++ and the
 * Verilated models). top selects rtl/snn_top.v (SNNHOST_SIM_TOP: the link
 * and command layer in RTL, only for the geometries it was built for) or
 * the iCEBreaker design behind its UART at bit level (SNNHOST_SIM_UART:
 * the icebreaker profile only) instead of the core array behind the C
 * protocol front end (0). */
enum { SNNHOST_SIM_TOP = 1, SNNHOST_SIM_UART = 2 };

/* ahead_bytes of the UART transports: the iCEBreaker design's receive queue
 * (rtl/snn_uart_link.v, docs/boards.md). */
#define SNNHOST_UART_AHEAD 2048u
typedef int (*transport_sim_open_fn)(const snn_geometry *geo, uint32_t build_id, int top,
				     transport **out, snn_diag *diag);
extern transport_sim_open_fn snnhost_sim_opener;
void snnhost_enable_sim(void);

/* USB (driver/usb.c): list boards, open by index or IDs. */
int snnhost_usb_list(snnhost_device_info *out, size_t max, size_t *count, snn_diag *diag);
int snnhost_usb_open_index(unsigned index, uint32_t baud, transport **out, snnhost_device_info *info,
		   snn_diag *diag);
int snnhost_usb_open_ids(uint16_t vid, uint16_t pid, const char *serial, uint32_t baud, transport **out,
		 snnhost_device_info *info, snn_diag *diag);

#endif
