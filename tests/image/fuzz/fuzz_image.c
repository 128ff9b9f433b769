/* libFuzzer target for the configuration image reader: the bytes are an
 * image, decoded (snn_image_decode); one that decodes must encode again to
 * the same bytes' meaning and decode once more. Any crash, sanitizer report,
 * leak or slow input (a geometry that claims more than it holds) is a bug.
 * Run with tests/fuzz.sh; seeds are images compiled from the fixtures. */
#include <stdint.h>
#include <stdlib.h>
#include "snn/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	snn_image img, again;
	snn_diag d;
	if (snn_image_decode(data, size, &img, &d))
		return 0;
	uint8_t *out;
	size_t len;
	if (snn_image_encode(&img, &out, &len, &d))
		abort();	/* what the reader accepts, the writer must write */
	if (snn_image_decode(out, len, &again, &d))
		abort();
	snn_image_free(&again);
	free(out);
	snn_image_free(&img);
	return 0;
}
