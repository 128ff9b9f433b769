/* Input data: IDX files (MNIST format) and the spike encoders every runner
 * shares (docs/neuron-model.md, "Input encoding"). */
#ifndef SNN_ENCODE_H
#define SNN_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snn/error.h"

/* An unsigned-byte IDX tensor: dims[0] items of item_size bytes each. */
typedef struct snn_idx {
	uint32_t ndims;
	uint32_t dims[4];
	size_t count;	/* dims[0] */
	size_t item_size;	/* product of dims[1..] */
	uint8_t *data;
} snn_idx;

/* Read an IDX file, plain or gzip-compressed (detected by content). Only
 * type 0x08 (unsigned byte) is accepted. Messages name the file and offset. */
int snn_idx_read(const char *path, snn_idx *idx, snn_diag *diag);
void snn_idx_free(snn_idx *idx);

/* Deterministic rate encoder: per pixel an accumulator starting at 127; each
 * step adds p (0..255) and emits a spike whenever it reaches 255. */
typedef struct snn_rate_encoder {
	size_t n;
	const uint8_t *pixels;
	uint16_t *acc;
	/* The pixels above 0, ascending: a pixel of 0 never fires, and most
	 * pixels of digit images are 0, so a step visits only these. */
	uint32_t *lit;
	size_t n_lit;
	uint32_t *fired;	/* scratch: a step's spikes, listed before they are emitted */
} snn_rate_encoder;

/* Poisson (Bernoulli per step) encoder seeded per sample. */
typedef struct snn_poisson_encoder {
	size_t n;
	const uint8_t *pixels;
	uint64_t state;
} snn_poisson_encoder;

/* Generic encoder used by runners. */
typedef struct snn_encoder {
	uint32_t kind;	/* enum snn_input_encoding */
	snn_rate_encoder rate;
	snn_poisson_encoder poisson;
} snn_encoder;

int snn_encoder_init(snn_encoder *e, uint32_t kind, size_t n);
void snn_encoder_free(snn_encoder *e);
/* Start a new sample. seed only matters for Poisson; runners pass
 * base_seed + sample index so results do not depend on order. The pixels
 * must not change until the sample's last step (the rate encoder lists
 * the lit ones here). */
void snn_encoder_start(snn_encoder *e, const uint8_t *pixels, uint64_t seed);
/* Emit this step's spiking input indices through emit; returns how many. */
size_t snn_encoder_step(snn_encoder *e, void (*emit)(void *ctx, uint32_t index),
			void *ctx);

/* splitmix64, the project's one PRNG (docs/neuron-model.md). */
static inline uint64_t snn_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#endif
