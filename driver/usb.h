/* USB transports on libusb-1.0: the board table, enumeration and the
 * asynchronous transfer engine (usb.c) shared by the FTDI UART (usb_ftdi.c)
 * and the vendor bulk interface (usb_bulk.c). */
#ifndef SNNHOST_USB_H
#define SNNHOST_USB_H

#include <libusb.h>
#include <stdbool.h>
#include "transport.h"

enum usb_kind { USB_FTDI, USB_BULK };

/* A supported board: one row each (openFPGALoader's cable table style). */
typedef struct usb_board {
	uint16_t vid, pid;
	enum usb_kind kind;
	int iface;	/* FTDI: the channel's interface (1 = B); bulk: -1, found by class */
	const char *name;
} usb_board;

extern const usb_board snnhost_usb_boards[];
extern const unsigned snnhost_usb_board_count;

#define USB_IN_TRANSFERS 4	/* IN transfers kept submitted */
#define USB_OUT_TRANSFERS 4	/* OUT transfers in flight at most */
#define USB_XFER_BYTES 16384	/* bytes a transfer */

typedef struct usb_link {
	transport t;	/* first: the transport */
	libusb_context *ctx;
	libusb_device_handle *h;
	const usb_board *board;	/* &board_copy */
	usb_board board_copy;
	int iface;
	uint8_t ep_in, ep_out;
	int in_packet;	/* IN max packet size (FTDI: status bytes per packet) */
	struct libusb_transfer *in[USB_IN_TRANSFERS], *out[USB_OUT_TRANSFERS];
	bool in_active[USB_IN_TRANSFERS], out_active[USB_OUT_TRANSFERS];
	uint8_t *rx;	/* received payload bytes, status bytes removed */
	size_t rx_len, rx_pos, rx_cap;
	int error;	/* first transfer failure (snnhost_error), sticky */
	char error_why[160];
	bool claimed;
	bool own_ctx;	/* ctx is the link's to exit */
} usb_link;

/* The libusb error as an snnhost_error. */
int snnhost_usb_error(int libusb_rc);

/* FTDI: vendor requests for the channel (reset, bit mode, baud rate, line,
 * flow control, latency timer, purge); 0 or an snnhost_error with diag. */
int snnhost_usb_ftdi_setup(usb_link *u, uint32_t baud, snn_diag *diag);
/* The FTDI baud divisor for an H-type chip: wValue and wIndex (channel in
 * the low byte of wIndex); returns the rate actually produced. */
uint32_t snnhost_usb_ftdi_divisor(uint32_t baud, int channel, uint16_t *value, uint16_t *index);
/* Remove the two modem status bytes that begin every IN packet of
 * packet bytes; returns the payload length left in buf. */
size_t snnhost_usb_ftdi_strip(uint8_t *buf, size_t len, int packet);

/* Vendor bulk: the interface with one bulk IN and one bulk OUT endpoint. */
int snnhost_usb_bulk_setup(usb_link *u, snn_diag *diag);

#endif
