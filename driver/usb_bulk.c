/* A vendor-specific USB interface with one bulk OUT and one bulk IN
 * endpoint: for boards with a USB device core in the FPGA. The protocol's
 * bytes go as they are; no setup requests. */
#include "usb.h"

int snnhost_usb_bulk_setup(usb_link *u, snn_diag *diag)
{
	libusb_device *dev = libusb_get_device(u->h);
	struct libusb_config_descriptor *cfg;
	int rc = libusb_get_active_config_descriptor(dev, &cfg);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "reading the USB configuration: %s",
				libusb_strerror(rc));
	u->iface = -1;
	for (int i = 0; i < cfg->bNumInterfaces && u->iface < 0; i++) {
		const struct libusb_interface_descriptor *id = &cfg->interface[i].altsetting[0];
		uint8_t in = 0, out = 0;
		int packet = 0;
		if (id->bInterfaceClass != LIBUSB_CLASS_VENDOR_SPEC)
			continue;
		for (int e = 0; e < id->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
			if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
				in = ep->bEndpointAddress;
				packet = ep->wMaxPacketSize;
			} else {
				out = ep->bEndpointAddress;
			}
		}
		if (in && out) {
			u->iface = id->bInterfaceNumber;
			u->ep_in = in;
			u->ep_out = out;
			u->in_packet = packet;
		}
	}
	libusb_free_config_descriptor(cfg);
	if (u->iface < 0)
		return snn_fail(diag, SNNHOST_ERROR_NOT_FOUND,
				"no vendor-specific interface with bulk IN and OUT endpoints");
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	rc = libusb_claim_interface(u->h, u->iface);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "claiming interface %d: %s", u->iface,
				libusb_strerror(rc));
	u->claimed = true;
	return 0;
}
