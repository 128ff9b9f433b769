/* libFuzzer target for the host-link frame decoder: the bytes are a byte
 * stream from the link, fed to snn_decoder_feed in chunks whose sizes the
 * first byte chooses. Every frame it returns must be whole (its length
 * within the maximum payload) and every call must consume something. Run
 * with tests/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include "snn/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	snn_decoder dec;
	snn_decoder_init(&dec);
	while (size) {
		size_t n = size < chunk ? size : chunk, used = 0;
		snn_frame f;
		snn_decode_status st = snn_decoder_feed(&dec, data, n, &used, &f);
		if (used == 0 || used > n)
			abort();
		if (st == SNN_DECODE_FRAME && (f.len > SNN_FRAME_MAX_PAYLOAD || (f.len && !f.payload)))
			abort();
		data += used;
		size -= used;
	}
	return 0;
}
