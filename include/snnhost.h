/* snnhost: the host library of the SNN accelerator. Opens a device (an FPGA
 * board on USB, or the golden model or Verilated RTL in process), loads a
 * configuration image and runs samples on it over the host link of
 * docs/host-protocol.md. Manual: docs/snnhost.md.
 *
 * Every action function returns 0 or a negative snnhost_error; after a
 * failure snnhost_last_error() says what went wrong and what to do. No call
 * blocks longer than the handle's timeout per reply. A handle is used by
 * one thread at a time; snnhost_interrupt() may be called from a signal
 * handler. */
#ifndef SNNHOST_H
#define SNNHOST_H

#include <stddef.h>
#include <stdint.h>
#include "snn/image.h"
#include "snn/protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (libusb style: 0 is success, errors are negative). */
typedef enum snnhost_error {
	SNNHOST_OK = 0,
	SNNHOST_ERROR_ARG = -1,	/* invalid argument or device spec */
	SNNHOST_ERROR_NOT_FOUND = -2,	/* no such device attached */
	SNNHOST_ERROR_ACCESS = -3,	/* permission denied: install the udev rules */
	SNNHOST_ERROR_BUSY = -4,	/* interface claimed by another program */
	SNNHOST_ERROR_NO_DEVICE = -5,	/* device unplugged */
	SNNHOST_ERROR_TIMEOUT = -6,	/* no reply within the timeout */
	SNNHOST_ERROR_PIPE = -7,	/* endpoint stalled */
	SNNHOST_ERROR_IO = -8,	/* other USB transfer failure */
	SNNHOST_ERROR_PROTOCOL = -9,	/* malformed, corrupted or unexpected reply */
	SNNHOST_ERROR_DEVICE = -10,	/* the device refused a request (ERROR frame) */
	SNNHOST_ERROR_MISMATCH = -11,	/* image and device disagree: version or geometry */
	SNNHOST_ERROR_VERIFY = -12,	/* read-back checksum differs from the image */
	SNNHOST_ERROR_UNSUPPORTED = -13,	/* not available on this device or build */
	SNNHOST_ERROR_NOMEM = -14,	/* out of memory */
	SNNHOST_ERROR_INTERRUPTED = -15,	/* stopped by snnhost_interrupt() */
	SNNHOST_ERROR_STATE = -16,	/* no image loaded, or the handle failed before */
	SNNHOST_ERROR_INPUT = -17,	/* bad image or sample data from the caller */
} snnhost_error;

/* "SNNHOST_ERROR_TIMEOUT" and a one-line description of a code. */
const char *snnhost_error_name(int code);
const char *snnhost_strerror(int code);

typedef struct snnhost snnhost;

/* A device snnhost_list() found, or an open handle's. */
typedef struct snnhost_device_info {
	char spec[32];	/* what snnhost_open takes: "usb0", "golden", ... */
	char transport[16];	/* "golden", "sim", "ftdi" or "bulk" */
	char board[48];	/* the board table's name, e.g. "iCEBreaker (FT2232H, channel B)" */
	uint16_t vid, pid;	/* USB only */
	uint8_t bus, address;
	char serial[64];	/* USB serial number, "" if none or unreadable */
} snnhost_device_info;

/* Fill up to max entries with attached boards (usb0, usb1, ... in this
 * order); *count is the number found. 0, or a negative error (diag). */
int snnhost_list(snnhost_device_info *out, size_t max, size_t *count, snn_diag *diag);

typedef struct snnhost_options {
	unsigned timeout_ms;	/* longest wait for one reply; 0: 5000 */
	/* In-process devices (golden, sim) are built for this geometry and
	 * build id; NULL: the spec's profile ("golden:icebreaker") or sim. */
	const snn_geometry *geometry;
	uint32_t build_id;
	uint32_t baud;	/* FTDI UART rate; 0: 3000000 */
} snnhost_options;

/* Open a device: "golden[:PROFILE]", "sim", "sim:top", "usbN" (the N-th
 * board snnhost_list finds) or "usb:VID:PID[:SERIAL]" (hex IDs, any
 * vendor-bulk or FTDI board). opt may be NULL. Sends IDENTIFY; on failure
 * diag says why. */
int snnhost_open(const char *spec, const snnhost_options *opt, snnhost **out,
		 snn_diag *diag);
/* Release the device (a loaded network is reset first, best effort). */
void snnhost_close(snnhost *h);

/* The detail of the handle's last failure ("" if none). */
const char *snnhost_last_error(const snnhost *h);
const snnhost_device_info *snnhost_info(const snnhost *h);

/* What IDENTIFY reported. */
typedef struct snnhost_identity {
	uint16_t protocol;	/* SNN_PROTOCOL_VERSION */
	uint8_t kind;	/* enum snn_device_kind */
	uint32_t build_id;
	snn_geometry geo;
} snnhost_identity;
const snnhost_identity *snnhost_identity_of(const snnhost *h);
const char *snnhost_kind_name(unsigned kind);	/* "golden", "rtl", "fpga" */

/* SNNHOST_ERROR_MISMATCH unless img fits the device: protocol version and
 * geometry (and build id, if the image's metadata names one); the message
 * names both sides. SNNHOST_ERROR_UNSUPPORTED, naming the core, for a
 * deconv core on a device other than the golden model. */
int snnhost_check_image(snnhost *h, const snn_image *img);
/* Check and validate img, then RESET ALL, write every word in use, compare
 * each written range's CHECKSUM with the image's, and RESET COUNTERS. The
 * handle keeps a copy of img's input and output maps for the runs. */
int snnhost_load(snnhost *h, const snn_image *img);
/* RESET with a level of enum snn_reset_level. */
int snnhost_reset(snnhost *h, unsigned level);
int snnhost_counters(snnhost *h, uint64_t ctr[SNN_CTR_COUNT]);

/* How a sample's input spikes are made. */
enum snnhost_mode {
	SNNHOST_MODE_AUTO = 0,	/* on the device if it can (PIXELS/RUN), else the host */
	SNNHOST_MODE_DEVICE = 1,	/* PIXELS and RUN: rate encoding on the device */
	SNNHOST_MODE_HOST = 2,	/* the host encodes and sends INPUT/STEP */
};

/* One sample's outcome; counts and membranes have the loaded image's
 * n_outputs entries each and belong to the handle (valid until the next
 * run). */
typedef struct snnhost_sample {
	uint32_t cls;	/* the readout's class (docs/neuron-model.md, "Readout") */
	const uint32_t *counts;	/* output spikes per output */
	const int32_t *membranes;	/* final membrane per output */
	uint64_t input_events;	/* input spikes the encoder made */
	uint64_t output_events;	/* OUTPUT events received */
	int device_encoded;	/* 1: PIXELS/RUN, 0: the host sent INPUT/STEP */
} snnhost_sample;

typedef struct snnhost_run_options {
	uint32_t steps;	/* time steps; 0: the image's */
	int encoding;	/* enum snn_input_encoding; -1: the image's */
	uint64_t seed;	/* Poisson: this sample's seed (snnsim uses base + index) */
	int mode;	/* enum snnhost_mode */
} snnhost_run_options;

/* Run one sample of the input tensor's size (C x H x W bytes) from a reset
 * state and read its outputs. */
int snnhost_run_sample(snnhost *h, const uint8_t *pixels, const snnhost_run_options *opt,
		       snnhost_sample *out);
/* Run n samples (pixels holds them one after another) and call fn for each
 * in order. Device-encoded samples are pipelined: sample k+1's requests go
 * out before sample k's replies are read, so the device never waits for
 * the host. Sample k's Poisson seed is opt->seed + k. Stops at the first
 * failure (fn has seen every sample before it). */
typedef void (*snnhost_sample_fn)(void *ctx, size_t k, const snnhost_sample *s);
int snnhost_run_batch(snnhost *h, const uint8_t *pixels, size_t n,
		      const snnhost_run_options *opt, snnhost_sample_fn fn, void *ctx);
/* Run raw input events: step t's indices are index[start[t] .. start[t+1])
 * for t < steps (start has steps + 1 entries). */
int snnhost_run_events(snnhost *h, uint32_t steps, const uint32_t *index,
		       const uint32_t *start, snnhost_sample *out);
/* Neuron state: count neurons of core from neuron, membrane and
 * refractory counter each (either may be NULL). */
int snnhost_read_state(snnhost *h, unsigned core, unsigned neuron, unsigned count,
		       int32_t *v, uint32_t *ref);
/* ECHO len bytes (0..1024) and compare: a link check. */
int snnhost_echo(snnhost *h, const void *data, size_t len);

/* Bytes sent and received since open, and requests made. */
typedef struct snnhost_stats {
	uint64_t bytes_out, bytes_in, requests;
} snnhost_stats;
void snnhost_get_stats(const snnhost *h, snnhost_stats *st);

/* Ask the handle to stop: the call in progress (or the next) returns
 * SNNHOST_ERROR_INTERRUPTED. Async-signal-safe. */
void snnhost_interrupt(snnhost *h);

#ifdef __cplusplus
}
#endif

#endif
