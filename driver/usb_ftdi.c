/* The FTDI FT2232H/FT232H UART on libusb, written from FTDI's application
 * notes (AN232B-04 latency and the modem status bytes, AN_120 baud
 * rates) and libftdi's request table: a handful of vendor control requests
 * and the two status bytes at the start of every IN packet. Hand-written
 * rather than libftdi1, whose synchronous and asynchronous paths cannot
 * share our libusb event loop (docs/snnhost.md, "USB"). */
#include "usb.h"

#include <stdio.h>

/* Vendor requests (bmRequestType 0x40, device-to-... host-to-device). */
enum ftdi_request {
	FTDI_SIO_RESET = 0x00,	/* wValue: 0 reset, 1 purge RX, 2 purge TX */
	FTDI_SIO_SET_FLOW_CTRL = 0x02,	/* wIndex high byte: 0 none, 1 RTS/CTS */
	FTDI_SIO_SET_BAUDRATE = 0x03,	/* wValue, wIndex: the divisor */
	FTDI_SIO_SET_DATA = 0x04,	/* wValue: bits | parity << 8 | stop << 11 */
	FTDI_SIO_SET_LATENCY_TIMER = 0x09,	/* wValue: 1 .. 255 ms */
	FTDI_SIO_SET_BITMODE = 0x0B,	/* wValue: mask | mode << 8; mode 0 = UART */
};
#define FTDI_REQ_OUT 0x40u
#define FTDI_H_CLOCK 120000000u	/* H-type chips: 120 MHz, divided by 10 for baud */
#define FTDI_LATENCY_MS 1u	/* send a short reply at once, not after 16 ms */
#define FTDI_TIMEOUT_MS 1000u

uint32_t snnhost_usb_ftdi_divisor(uint32_t baud, int channel, uint16_t *value, uint16_t *index)
{
	static const uint8_t frac_code[8] = {0, 3, 2, 4, 1, 5, 6, 7};
	const uint32_t clk = FTDI_H_CLOCK / 10;	/* 12 MHz with "divide by 10" */
	uint32_t enc, best;
	if (baud >= clk) {
		enc = 0;
		best = clk;
	} else if (baud >= clk * 2 / 3) {
		enc = 1;
		best = clk * 2 / 3;
	} else if (baud >= clk / 2) {
		enc = 2;
		best = clk / 2;
	} else {
		/* eighths of the divisor, rounded to the nearest */
		uint32_t div8 = (uint32_t)(((uint64_t)clk * 16 / baud + 1) / 2);
		if (div8 > 0x1FFFF)
			div8 = 0x1FFFF;
		best = (uint32_t)(((uint64_t)clk * 16 / div8 + 1) / 2);
		enc = (div8 >> 3) | ((uint32_t)frac_code[div8 & 7] << 14);
	}
	enc |= 0x20000;	/* H-type: the 12 MHz (120 / 10) reference */
	*value = (uint16_t)enc;
	*index = (uint16_t)(((enc >> 8) & 0xFF00) | (uint16_t)(channel + 1));
	return best;
}

size_t snnhost_usb_ftdi_strip(uint8_t *buf, size_t len, int packet)
{
	size_t out = 0;
	for (size_t at = 0; at < len; at += (size_t)packet) {
		size_t n = len - at < (size_t)packet ? len - at : (size_t)packet;
		if (n <= 2)
			continue;	/* status only: nothing received */
		for (size_t i = 2; i < n; i++)
			buf[out++] = buf[at + i];
	}
	return out;
}

static int request(usb_link *u, uint8_t req, uint16_t value, uint16_t index, const char *what,
		   snn_diag *diag)
{
	int rc = libusb_control_transfer(u->h, FTDI_REQ_OUT, req, value, index, NULL, 0,
					 FTDI_TIMEOUT_MS);
	if (rc < 0)
		return snn_fail(diag, snnhost_usb_error(rc), "FTDI %s: %s", what, libusb_strerror(rc));
	return 0;
}

int snnhost_usb_ftdi_setup(usb_link *u, uint32_t baud, snn_diag *diag)
{
	libusb_device *dev = libusb_get_device(u->h);
	struct libusb_config_descriptor *cfg;
	int rc = libusb_get_active_config_descriptor(dev, &cfg);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "reading the FTDI configuration: %s",
				libusb_strerror(rc));
	u->iface = u->board->iface;
	if (u->iface >= cfg->bNumInterfaces) {
		libusb_free_config_descriptor(cfg);
		return snn_fail(diag, SNNHOST_ERROR_NOT_FOUND,
				"the FTDI chip has no interface %d (channel %c)", u->iface, 'A' + u->iface);
	}
	const struct libusb_interface_descriptor *id = &cfg->interface[u->iface].altsetting[0];
	for (int i = 0; i < id->bNumEndpoints; i++) {
		const struct libusb_endpoint_descriptor *ep = &id->endpoint[i];
		if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
			u->ep_in = ep->bEndpointAddress;
			u->in_packet = ep->wMaxPacketSize;
		} else {
			u->ep_out = ep->bEndpointAddress;
		}
	}
	libusb_free_config_descriptor(cfg);
	if (!u->ep_in || !u->ep_out || u->in_packet <= 2)
		return snn_fail(diag, SNNHOST_ERROR_PROTOCOL,
				"FTDI channel %c has no bulk IN and OUT endpoints", 'A' + u->iface);
	/* ftdi_sio binds the UART channel as ttyUSB: take it over (and give
	 * it back at release). Not supported: a platform without kernel
	 * drivers, which is fine. */
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	rc = libusb_claim_interface(u->h, u->iface);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "claiming FTDI channel %c: %s%s", 'A' + u->iface,
				libusb_strerror(rc),
				rc == LIBUSB_ERROR_BUSY ? " (another program has it open)" : "");
	u->claimed = true;
	uint16_t ch = (uint16_t)(u->iface + 1), value, index;
	uint32_t actual = snnhost_usb_ftdi_divisor(baud, u->iface, &value, &index);
	if (actual < baud - baud / 33 || actual > baud + baud / 33)	/* UART tolerance ~3 % */
		return snn_fail(diag, SNNHOST_ERROR_ARG, "FTDI cannot make %u baud (nearest %u)", baud,
				actual);
	if ((rc = request(u, FTDI_SIO_RESET, 0, ch, "reset", diag)) ||
	    (rc = request(u, FTDI_SIO_SET_BITMODE, 0x0000, ch, "UART mode", diag)) ||
	    (rc = request(u, FTDI_SIO_SET_BAUDRATE, value, index, "baud rate", diag)) ||
	    (rc = request(u, FTDI_SIO_SET_DATA, 8, ch, "8N1 line settings", diag)) ||
	    (rc = request(u, FTDI_SIO_SET_FLOW_CTRL, 0, (uint16_t)(0x0000 | ch), "flow control",
			  diag)) ||
	    (rc = request(u, FTDI_SIO_SET_LATENCY_TIMER, FTDI_LATENCY_MS, ch, "latency timer",
			  diag)) ||
	    (rc = request(u, FTDI_SIO_RESET, 1, ch, "purge RX", diag)) ||
	    (rc = request(u, FTDI_SIO_RESET, 2, ch, "purge TX", diag)))
		return rc;
	return 0;
}
