/* libFuzzer target for the configuration image reader: the bytes are an
 * image, decoded (snn_image_decode); one that decodes must encode again and
 * decode once more. Any crash, sanitizer report, leak or slow input (a
 * geometry that claims more than it holds) is a bug. A CRC guards every
 * byte, so random changes rarely get past it: when the first byte is odd,
 * the rest is resealed (every CRC made right) first, so the fuzzer reaches
 * the section decoders and the validation behind them. Run with
 * tests/fuzz.sh; seeds are images compiled from the fixtures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "snn/image.h"
#include "snn/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Right CRCs for every section that lies inside the buffer, and the header. */
static void reseal(uint8_t *b, size_t len)
{
	if (len < SNN_IMAGE_HEADER_BYTES)
		return;
	uint32_t n_sec = snn_get32(b + SNN_IMAGE_SECTIONS_AT);
	if (n_sec > (len - SNN_IMAGE_HEADER_BYTES) / 16)
		return;
	for (uint32_t i = 0; i < n_sec; i++) {
		uint8_t *e = b + SNN_IMAGE_HEADER_BYTES + 16 * i;
		uint32_t off = snn_get32(e + 4), n = snn_get32(e + 8);
		if (off <= len && n <= len - off)
			snn_put32(e + 12, (uint32_t)crc32(0, b + off, n));
	}
	uLong crc = crc32(0, b, SNN_IMAGE_HEADER_CRC_AT);
	crc = crc32(crc, b + SNN_IMAGE_HEADER_BYTES, 16 * n_sec);
	snn_put32(b + SNN_IMAGE_HEADER_CRC_AT, (uint32_t)crc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t *b = malloc(size);
	if (!b)
		return 0;
	memcpy(b, data + 1, size - 1);
	if (data[0] & 1)
		reseal(b, size - 1);
	snn_image img, again;
	snn_diag d;
	if (snn_image_decode(b, size - 1, &img, &d) == 0) {
		uint8_t *out;
		size_t len;
		if (snn_image_encode(&img, &out, &len, &d))
			abort();	/* what the reader accepts, the writer must write */
		if (snn_image_decode(out, len, &again, &d))
			abort();
		snn_image_free(&again);
		free(out);
		snn_image_free(&img);
	}
	free(b);
	return 0;
}
