/* The configuration image ("bitstream.cfg"): a device configuration plus its
 * input/output maps and metadata, byte-exact as in docs/config-format.md. */
#ifndef SNN_IMAGE_H
#define SNN_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "snn/config.h"

#define SNN_IMAGE_MAGIC "SNNCFG\r\n"	/* 8 bytes; CR LF catches text-mode mangling */
#define SNN_IMAGE_VERSION_MAJOR 2u	/* 2: geometry with shared budgets (15 fields) */
#define SNN_IMAGE_VERSION_MINOR 1u	/* 1: deconv cores (MODE 3); written only when used */
/* Header layout (docs/config-format.md, "Layout"). */
#define SNN_IMAGE_GEOMETRY_AT 16u
#define SNN_IMAGE_SECTIONS_AT (SNN_IMAGE_GEOMETRY_AT + SNN_GEOMETRY_BYTES)	/* u32 count */
#define SNN_IMAGE_HEADER_CRC_AT (SNN_IMAGE_SECTIONS_AT + 4u)
#define SNN_IMAGE_HEADER_BYTES (SNN_IMAGE_HEADER_CRC_AT + 4u)	/* the section table follows */
#define SNN_IMAGE_NAME_BYTES 32u
/* The largest image file a reader takes: above the largest image any
 * built-in profile can hold (docs/config-format.md, "Limits"). */
#define SNN_IMAGE_MAX_BYTES (256u << 20)

/* Section types, in the order the writer emits them. */
enum snn_section {
	SNN_SEC_CORES = 1,	/* n_cores x 32 u32 core registers */
	SNN_SEC_BIAS = 2,	/* per core, N_NEURONS i32 */
	SNN_SEC_SYNAPSES = 3,	/* per core, SYN_COUNT i16 */
	SNN_SEC_ROUTES = 4,	/* per core, ROUTE_COUNT entries of 4 u32 */
	SNN_SEC_INPUT = 5,	/* global registers, input routes, encoding */
	SNN_SEC_OUTPUT = 6,	/* readout mode and output neuron map */
	SNN_SEC_META = 7,	/* key=value text pairs */
	SNN_SEC_LAST = SNN_SEC_META
};

enum snn_input_encoding {
	SNN_ENC_RATE = 0,	/* deterministic accumulator encoder */
	SNN_ENC_POISSON = 1,	/* seeded Bernoulli per step */
};

enum snn_readout {
	SNN_READOUT_SPIKES = 0,	/* argmax of spike counts (ties: membrane) */
	SNN_READOUT_MEMBRANE = 1,	/* argmax of final membrane potential */
};

typedef struct snn_output_ref {
	uint16_t core, neuron;
} snn_output_ref;

typedef struct snn_io_map {
	char input_name[SNN_IMAGE_NAME_BYTES];	/* NUL-terminated */
	uint32_t encoding;	/* enum snn_input_encoding */
	uint32_t steps;	/* default number of time steps per sample */
	/* How the source model saw a pixel p (0..255): x = p * scale + offset.
	 * The compiler folds these into the first layer; runners only read them
	 * to report them and to encode non-IDX inputs the same way. */
	float input_scale, input_offset;
	char output_name[SNN_IMAGE_NAME_BYTES];
	uint32_t readout;	/* enum snn_readout */
	uint32_t n_outputs;
	snn_output_ref *outputs;	/* n_outputs entries */
} snn_io_map;

typedef struct snn_image {
	snn_config cfg;
	snn_io_map io;
	char *meta;	/* "key=value\n" lines, NUL-terminated; may be NULL */
} snn_image;

/* Allocate an empty image for geo. */
int snn_image_init(snn_image *img, const snn_geometry *geo, snn_diag *diag);
void snn_image_free(snn_image *img);

/* Set a metadata key (replacing any earlier value). Keys and values must not
 * contain '=' (keys) or newlines. */
int snn_image_set_meta(snn_image *img, const char *key, const char *value);
/* Value of key in a static-per-call buffer, or NULL. */
const char *snn_image_get_meta(const snn_image *img, const char *key, char *buf,
			       size_t bufsz);

/* Serialise to a malloc'd buffer. The image is validated first. */
int snn_image_encode(const snn_image *img, uint8_t **out, size_t *outlen,
		     snn_diag *diag);
/* Parse and validate; every offset, length and CRC is checked. On failure
 * img is left freed and diag names the section, byte offset and problem. */
int snn_image_decode(const uint8_t *buf, size_t len, snn_image *img,
		     snn_diag *diag);

/* File wrappers (snn/file.h): write goes to "path.tmp.XXXXXX" then renames,
 * so a failed write never leaves a half-written image; read takes only a
 * regular file of at most SNN_IMAGE_MAX_BYTES. Messages name the file. */
int snn_image_write_file(const snn_image *img, const char *path, snn_diag *diag);
int snn_image_read_file(const char *path, snn_image *img, snn_diag *diag);

const char *snn_section_name(unsigned type);

#endif
