/* USB transports on libusb-1.0 (usb.h): the board table, enumeration,
 * opening, and the asynchronous engine: USB_IN_TRANSFERS IN transfers
 * always submitted and up to USB_OUT_TRANSFERS OUT transfers in flight, so
 * the link, not the host, sets the pace. */
#include "usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const usb_board snnhost_usb_boards[] = {
	/* FTDI's default IDs: channel A is the board's flash programmer and is
	 * never touched; the FPGA's UART is on channel B. */
	{0x0403, 0x6010, USB_FTDI, 1, "iCEBreaker (FT2232H, channel B)"},
	/* FT232H: one channel. */
	{0x0403, 0x6014, USB_FTDI, 0, "FT232H UART"},
	/* A USB device core in the FPGA: pid.codes' test ID until a board
	 * gets its own; any other is opened with usb:VID:PID. */
	{0x1209, 0x0001, USB_BULK, -1, "vendor bulk (pid.codes test ID)"},
};
const unsigned snnhost_usb_board_count = sizeof snnhost_usb_boards / sizeof snnhost_usb_boards[0];

int snnhost_usb_error(int rc)
{
	switch (rc) {
	case LIBUSB_SUCCESS: return 0;
	case LIBUSB_ERROR_ACCESS: return SNNHOST_ERROR_ACCESS;
	case LIBUSB_ERROR_NO_DEVICE: return SNNHOST_ERROR_NO_DEVICE;
	case LIBUSB_ERROR_NOT_FOUND: return SNNHOST_ERROR_NOT_FOUND;
	case LIBUSB_ERROR_BUSY: return SNNHOST_ERROR_BUSY;
	case LIBUSB_ERROR_TIMEOUT: return SNNHOST_ERROR_TIMEOUT;
	case LIBUSB_ERROR_PIPE: return SNNHOST_ERROR_PIPE;
	case LIBUSB_ERROR_NO_MEM: return SNNHOST_ERROR_NOMEM;
	case LIBUSB_ERROR_INTERRUPTED: return SNNHOST_ERROR_INTERRUPTED;
	case LIBUSB_ERROR_NOT_SUPPORTED: return SNNHOST_ERROR_UNSUPPORTED;
	default: return SNNHOST_ERROR_IO;
	}
}

static const usb_board *board_of(const struct libusb_device_descriptor *d)
{
	for (unsigned i = 0; i < snnhost_usb_board_count; i++)
		if (snnhost_usb_boards[i].vid == d->idVendor && snnhost_usb_boards[i].pid == d->idProduct)
			return &snnhost_usb_boards[i];
	return NULL;
}

static int cmp_dev(const void *a, const void *b)
{
	libusb_device *x = *(libusb_device *const *)a, *y = *(libusb_device *const *)b;
	int kx = libusb_get_bus_number(x) * 256 + libusb_get_device_address(x);
	int ky = libusb_get_bus_number(y) * 256 + libusb_get_device_address(y);
	return (kx > ky) - (kx < ky);
}

static void fill_info(libusb_device *dev, const struct libusb_device_descriptor *d,
		      const usb_board *b, unsigned n, libusb_device_handle *h,
		      snnhost_device_info *info)
{
	memset(info, 0, sizeof *info);
	snprintf(info->spec, sizeof info->spec, "usb%u", n);
	snprintf(info->transport, sizeof info->transport, "%s", b->kind == USB_FTDI ? "ftdi" : "bulk");
	snprintf(info->board, sizeof info->board, "%s", b->name);
	info->vid = d->idVendor;
	info->pid = d->idProduct;
	info->bus = libusb_get_bus_number(dev);
	info->address = libusb_get_device_address(dev);
	if (h && d->iSerialNumber &&
	    libusb_get_string_descriptor_ascii(h, d->iSerialNumber, (unsigned char *)info->serial,
					       sizeof info->serial) < 0)
		info->serial[0] = 0;
}

/* Walk the supported boards in bus/address order; stop at the one that
 * match() accepts (returns it referenced) or list them all. */
typedef bool (*match_fn)(libusb_device *dev, const struct libusb_device_descriptor *d,
			 unsigned n, void *ctx);

static int walk(libusb_context *ctx, match_fn match, void *mctx, snnhost_device_info *out,
		size_t max, size_t *count, libusb_device **found, snn_diag *diag)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	if (n < 0)
		return snn_fail(diag, snnhost_usb_error((int)n), "listing USB devices: %s",
				libusb_strerror((int)n));
	qsort(list, (size_t)n, sizeof *list, cmp_dev);
	unsigned k = 0;
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor d;
		if (libusb_get_device_descriptor(list[i], &d))
			continue;
		const usb_board *b = board_of(&d);
		bool wanted = match && match(list[i], &d, k, mctx);
		if (!b && !wanted)
			continue;
		if (wanted) {
			*found = libusb_ref_device(list[i]);
			break;
		}
		if (out && k < max) {
			libusb_device_handle *h = NULL;
			if (libusb_open(list[i], &h))
				h = NULL;
			fill_info(list[i], &d, b, k, h, &out[k]);
			if (h)
				libusb_close(h);
		}
		k++;
	}
	if (count)
		*count = k;
	libusb_free_device_list(list, 1);
	return 0;
}

int snnhost_usb_list(snnhost_device_info *out, size_t max, size_t *count, snn_diag *diag)
{
	libusb_context *ctx;
	int rc = libusb_init(&ctx);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "libusb_init: %s", libusb_strerror(rc));
	rc = walk(ctx, NULL, NULL, out, max, count, NULL, diag);
	libusb_exit(ctx);
	return rc;
}

/* ---- the asynchronous engine ---- */

static void set_error(usb_link *u, int code, const char *what, int status)
{
	if (u->error)
		return;
	u->error = code;
	snprintf(u->error_why, sizeof u->error_why, "%s: %s", what,
		 code == SNNHOST_ERROR_NO_DEVICE ? "the board was unplugged"
		 : code == SNNHOST_ERROR_PIPE ? "the endpoint stalled"
		 : code == SNNHOST_ERROR_TIMEOUT ? "timed out"
		 : libusb_error_name(status));
}

static int status_error(enum libusb_transfer_status st)
{
	switch (st) {
	case LIBUSB_TRANSFER_COMPLETED: return 0;
	case LIBUSB_TRANSFER_TIMED_OUT: return SNNHOST_ERROR_TIMEOUT;
	case LIBUSB_TRANSFER_STALL: return SNNHOST_ERROR_PIPE;
	case LIBUSB_TRANSFER_NO_DEVICE: return SNNHOST_ERROR_NO_DEVICE;
	case LIBUSB_TRANSFER_CANCELLED: return SNNHOST_ERROR_INTERRUPTED;
	default: return SNNHOST_ERROR_IO;
	}
}

static int rx_append(usb_link *u, const uint8_t *p, size_t n)
{
	if (u->rx_pos == u->rx_len)
		u->rx_pos = u->rx_len = 0;
	if (u->rx_len + n > u->rx_cap) {
		if (u->rx_pos) {	/* slide the unread bytes down first */
			memmove(u->rx, u->rx + u->rx_pos, u->rx_len - u->rx_pos);
			u->rx_len -= u->rx_pos;
			u->rx_pos = 0;
		}
		size_t cap = u->rx_cap ? u->rx_cap : 4 * USB_XFER_BYTES;
		while (cap < u->rx_len + n)
			cap *= 2;
		if (cap != u->rx_cap) {
			uint8_t *r = realloc(u->rx, cap);
			if (!r)
				return -1;
			u->rx = r;
			u->rx_cap = cap;
		}
	}
	memcpy(u->rx + u->rx_len, p, n);
	u->rx_len += n;
	return 0;
}

static void LIBUSB_CALL in_done(struct libusb_transfer *x)
{
	usb_link *u = x->user_data;
	unsigned i = 0;
	while (i < USB_IN_TRANSFERS && u->in[i] != x)
		i++;
	u->in_active[i] = false;
	int err = status_error(x->status);
	if (err) {
		if (x->status != LIBUSB_TRANSFER_CANCELLED)
			set_error(u, err, "receiving", LIBUSB_ERROR_IO);
		return;
	}
	size_t n = (size_t)x->actual_length;
	if (u->board->kind == USB_FTDI)
		n = snnhost_usb_ftdi_strip(x->buffer, n, u->in_packet);
	if (n && rx_append(u, x->buffer, n)) {
		set_error(u, SNNHOST_ERROR_NOMEM, "receiving", LIBUSB_ERROR_NO_MEM);
		return;
	}
	int rc = libusb_submit_transfer(x);
	if (rc)
		set_error(u, snnhost_usb_error(rc), "resubmitting an IN transfer", rc);
	else
		u->in_active[i] = true;
}

static void LIBUSB_CALL out_done(struct libusb_transfer *x)
{
	usb_link *u = x->user_data;
	for (unsigned i = 0; i < USB_OUT_TRANSFERS; i++)
		if (u->out[i] == x)
			u->out_active[i] = false;
	int err = status_error(x->status);
	if (err && x->status != LIBUSB_TRANSFER_CANCELLED)
		set_error(u, err, "sending", LIBUSB_ERROR_IO);
	else if (!err && x->actual_length != x->length)
		set_error(u, SNNHOST_ERROR_IO, "sending (short write)", LIBUSB_ERROR_IO);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* Let libusb run callbacks for at most ms milliseconds. */
static int pump(usb_link *u, double ms)
{
	if (ms < 0)
		ms = 0;
	struct timeval tv = {(time_t)(ms / 1000), (long)((ms - 1000.0 * (long)(ms / 1000)) * 1000)};
	int rc = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	if (rc && rc != LIBUSB_ERROR_INTERRUPTED) {
		set_error(u, snnhost_usb_error(rc), "handling USB events", rc);
		return u->error;
	}
	return 0;
}

static int link_error(usb_link *u)
{
	snprintf(u->t.why, sizeof u->t.why, "%s", u->error_why);
	return u->error;
}

static int usb_write(transport *t, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	usb_link *u = (usb_link *)t;
	double deadline = now_ms() + timeout_ms;
	while (len) {
		if (u->error)
			return link_error(u);
		unsigned i = 0;
		while (i < USB_OUT_TRANSFERS && u->out_active[i])
			i++;
		if (i == USB_OUT_TRANSFERS) {	/* all in flight: wait for one */
			double left = deadline - now_ms();
			if (left <= 0) {
				snprintf(t->why, sizeof t->why, "sending: the device takes no data "
					 "(%u ms)", timeout_ms);
				return SNNHOST_ERROR_TIMEOUT;
			}
			if (pump(u, left))
				return link_error(u);
			continue;
		}
		size_t n = len < USB_XFER_BYTES ? len : USB_XFER_BYTES;
		struct libusb_transfer *x = u->out[i];
		memcpy(x->buffer, data, n);
		libusb_fill_bulk_transfer(x, u->h, u->ep_out, x->buffer, (int)n, out_done, u,
					  timeout_ms);
		int rc = libusb_submit_transfer(x);
		if (rc) {
			set_error(u, snnhost_usb_error(rc), "sending", rc);
			return link_error(u);
		}
		u->out_active[i] = true;
		data += n;
		len -= n;
	}
	return 0;
}

static int usb_read(transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	usb_link *u = (usb_link *)t;
	double deadline = now_ms() + timeout_ms;
	*got = 0;
	while (u->rx_pos == u->rx_len) {
		if (u->error)
			return link_error(u);
		double left = deadline - now_ms();
		if (left <= 0)
			return 0;
		if (pump(u, left))
			return link_error(u);
	}
	size_t n = u->rx_len - u->rx_pos;
	if (n > cap)
		n = cap;
	memcpy(buf, u->rx + u->rx_pos, n);
	u->rx_pos += n;
	*got = n;
	return 0;
}

static bool any_active(const usb_link *u)
{
	for (unsigned i = 0; i < USB_IN_TRANSFERS; i++)
		if (u->in_active[i])
			return true;
	for (unsigned i = 0; i < USB_OUT_TRANSFERS; i++)
		if (u->out_active[i])
			return true;
	return false;
}

static void usb_close(transport *t)
{
	usb_link *u = (usb_link *)t;
	for (unsigned i = 0; i < USB_IN_TRANSFERS; i++)
		if (u->in_active[i])
			libusb_cancel_transfer(u->in[i]);
	for (unsigned i = 0; i < USB_OUT_TRANSFERS; i++)
		if (u->out_active[i])
			libusb_cancel_transfer(u->out[i]);
	/* Every cancelled transfer calls back; bounded, as an unplugged
	 * device's do at once. */
	double deadline = now_ms() + 1000;
	while (any_active(u) && now_ms() < deadline) {
		struct timeval tv = {0, 50000};
		libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	}
	bool leaked = any_active(u);	/* then the transfers must not be freed */
	for (unsigned i = 0; !leaked && i < USB_IN_TRANSFERS; i++)
		libusb_free_transfer(u->in[i]);
	for (unsigned i = 0; !leaked && i < USB_OUT_TRANSFERS; i++)
		libusb_free_transfer(u->out[i]);
	if (u->claimed)
		libusb_release_interface(u->h, u->iface);
	if (u->h)
		libusb_close(u->h);
	if (u->own_ctx)
		libusb_exit(u->ctx);
	free(u->rx);
	free(u);
}

static const transport_ops ftdi_ops = {"ftdi", usb_write, usb_read, usb_close};
static const transport_ops bulk_ops = {"bulk", usb_write, usb_read, usb_close};

static int start(usb_link *u, snn_diag *diag)
{
	for (unsigned i = 0; i < USB_IN_TRANSFERS; i++) {
		struct libusb_transfer *x = u->in[i];
		libusb_fill_bulk_transfer(x, u->h, u->ep_in, x->buffer, USB_XFER_BYTES, in_done, u, 0);
		int rc = libusb_submit_transfer(x);
		if (rc)
			return snn_fail(diag, snnhost_usb_error(rc), "starting to receive: %s",
					libusb_strerror(rc));
		u->in_active[i] = true;
	}
	return 0;
}

/* Open dev on ctx (which stays the caller's on failure). */
static int open_dev(libusb_context *ctx, libusb_device *dev, const usb_board *b, uint32_t baud,
		    transport **out, snn_diag *diag)
{
	usb_link *u = calloc(1, sizeof *u);
	if (!u)
		return snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
	u->ctx = ctx;
	u->board_copy = *b;
	u->board = &u->board_copy;
	u->t.ops = b->kind == USB_FTDI ? &ftdi_ops : &bulk_ops;
	if (b->kind == USB_FTDI)	/* a UART without flow control */
		u->t.ahead_bytes = SNNHOST_UART_AHEAD;
	int rc = libusb_open(dev, &u->h);
	if (rc) {
		u->h = NULL;
		rc = snn_fail(diag, snnhost_usb_error(rc), "opening USB device %04x:%04x on bus %u address %u: %s%s",
			      b->vid, b->pid, libusb_get_bus_number(dev), libusb_get_device_address(dev),
			      libusb_strerror(rc),
			      rc == LIBUSB_ERROR_ACCESS ? " (install the udev rules: docs/snnhost.md)" : "");
		goto close_link;
	}
	for (unsigned i = 0; i < USB_IN_TRANSFERS + USB_OUT_TRANSFERS; i++) {
		struct libusb_transfer **x = i < USB_IN_TRANSFERS ? &u->in[i]
								  : &u->out[i - USB_IN_TRANSFERS];
		if (!(*x = libusb_alloc_transfer(0)) || !((*x)->buffer = malloc(USB_XFER_BYTES))) {
			rc = snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
			goto close_link;
		}
		(*x)->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	rc = b->kind == USB_FTDI ? snnhost_usb_ftdi_setup(u, baud, diag) : snnhost_usb_bulk_setup(u, diag);
	if (rc || (rc = start(u, diag)))
		goto close_link;
	u->own_ctx = true;
	*out = &u->t;
	return 0;
close_link:
	usb_close(&u->t);
	return rc;
}

typedef struct by_index {
	unsigned index;
} by_index;

static bool match_index(libusb_device *dev, const struct libusb_device_descriptor *d, unsigned n,
			void *ctx)
{
	(void)dev;
	return board_of(d) && n == ((by_index *)ctx)->index;
}

typedef struct by_ids {
	uint16_t vid, pid;
	const char *serial;
} by_ids;

static bool match_ids(libusb_device *dev, const struct libusb_device_descriptor *d, unsigned n,
		      void *ctx)
{
	by_ids *w = ctx;
	(void)n;
	if (d->idVendor != w->vid || d->idProduct != w->pid)
		return false;
	if (!w->serial)
		return true;
	libusb_device_handle *h;
	char s[64] = "";
	if (libusb_open(dev, &h))
		return false;
	if (d->iSerialNumber)
		libusb_get_string_descriptor_ascii(h, d->iSerialNumber, (unsigned char *)s, sizeof s);
	libusb_close(h);
	return !strcmp(s, w->serial);
}

/* A board's row, or for IDs not in the table a vendor bulk interface (or
 * FTDI's vendor ID: its UART, channel B on a two-channel chip). */
static const usb_board *board_for(const struct libusb_device_descriptor *d, usb_board *tmp)
{
	const usb_board *b = board_of(d);
	if (b)
		return b;
	*tmp = (usb_board){d->idVendor, d->idProduct, d->idVendor == 0x0403 ? USB_FTDI : USB_BULK,
			   d->idVendor == 0x0403 ? 1 : -1, "USB device by ID"};
	return tmp;
}

static int open_match(match_fn m, void *mctx, const char *what, uint32_t baud, transport **out,
		      snnhost_device_info *info, snn_diag *diag)
{
	libusb_context *ctx;
	int rc = libusb_init(&ctx);
	if (rc)
		return snn_fail(diag, snnhost_usb_error(rc), "libusb_init: %s", libusb_strerror(rc));
	libusb_device *dev = NULL;
	size_t count = 0;
	rc = walk(ctx, m, mctx, NULL, 0, &count, &dev, diag);
	if (!rc && !dev)
		rc = snn_fail(diag, SNNHOST_ERROR_NOT_FOUND, "%s: no such board attached (%zu "
			      "supported board%s found; snnhost list shows them)", what, count,
			      count == 1 ? "" : "s");
	if (rc) {
		libusb_exit(ctx);
		return rc;
	}
	struct libusb_device_descriptor d;
	libusb_get_device_descriptor(dev, &d);
	usb_board tmp;	/* open_dev keeps a copy */
	const usb_board *b = board_for(&d, &tmp);
	unsigned n = m == match_index ? ((by_index *)mctx)->index : 0;
	fill_info(dev, &d, b, n, NULL, info);
	snprintf(info->spec, sizeof info->spec, "%s", what);
	rc = open_dev(ctx, dev, b, baud, out, diag);
	if (!rc) {
		usb_link *u = (usb_link *)*out;
		if (d.iSerialNumber &&
		    libusb_get_string_descriptor_ascii(u->h, d.iSerialNumber,
						       (unsigned char *)info->serial,
						       sizeof info->serial) < 0)
			info->serial[0] = 0;
	}
	libusb_unref_device(dev);
	if (rc)
		libusb_exit(ctx);
	return rc;
}

int snnhost_usb_open_index(unsigned index, uint32_t baud, transport **out, snnhost_device_info *info,
		   snn_diag *diag)
{
	by_index w = {index};
	char what[16];
	snprintf(what, sizeof what, "usb%u", index);
	return open_match(match_index, &w, what, baud, out, info, diag);
}

int snnhost_usb_open_ids(uint16_t vid, uint16_t pid, const char *serial, uint32_t baud, transport **out,
		 snnhost_device_info *info, snn_diag *diag)
{
	by_ids w = {vid, pid, serial};
	char what[96];
	snprintf(what, sizeof what, "usb:%04x:%04x%s%.64s", vid, pid, serial ? ":" : "",
		 serial ? serial : "");
	return open_match(match_ids, &w, what, baud, out, info, diag);
}
