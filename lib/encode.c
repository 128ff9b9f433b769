/* Input spike encoders shared by every runner (docs/neuron-model.md). */
#include "snn/encode.h"

#include <stdlib.h>
#include <string.h>
#include "snn/image.h"

int snn_encoder_init(snn_encoder *e, uint32_t kind, size_t n)
{
	memset(e, 0, sizeof *e);
	if (kind > SNN_ENC_POISSON)
		return SNN_ERR_ARG;
	e->kind = kind;
	e->rate.n = e->poisson.n = n;
	e->rate.acc = calloc(n ? n : 1, sizeof *e->rate.acc);
	e->rate.lit = calloc(n ? n : 1, sizeof *e->rate.lit);
	e->rate.fired = calloc(n ? n : 1, sizeof *e->rate.fired);
	if (!e->rate.acc || !e->rate.lit || !e->rate.fired) {
		snn_encoder_free(e);
		return SNN_ERR_NOMEM;
	}
	return 0;
}

void snn_encoder_free(snn_encoder *e)
{
	free(e->rate.acc);
	free(e->rate.lit);
	free(e->rate.fired);
	memset(e, 0, sizeof *e);
}

void snn_encoder_start(snn_encoder *e, const uint8_t *pixels, uint64_t seed)
{
	e->rate.pixels = e->poisson.pixels = pixels;
	e->rate.n_lit = 0;
	for (size_t i = 0; i < e->rate.n; i++) {
		e->rate.acc[i] = 127;
		if (pixels[i])
			e->rate.lit[e->rate.n_lit++] = (uint32_t)i;
	}
	e->poisson.state = seed;
}

size_t snn_encoder_step(snn_encoder *e, void (*emit)(void *ctx, uint32_t index), void *ctx)
{
	size_t count = 0;
	if (e->kind == SNN_ENC_RATE) {
		snn_rate_encoder *r = &e->rate;
		/* listed branch-free first: whether a pixel fires is as good as
		 * random, a branch on it mispredicts */
		for (size_t j = 0; j < r->n_lit; j++) {
			uint32_t i = r->lit[j], acc = r->acc[i] + r->pixels[i], fire = acc >= 255;
			r->acc[i] = (uint16_t)(acc - 255 * fire);
			r->fired[count] = i;
			count += fire;
		}
		for (size_t j = 0; j < count; j++)
			emit(ctx, r->fired[j]);
	} else {
		snn_poisson_encoder *p = &e->poisson;
		for (size_t i = 0; i < p->n; i++) {
			uint32_t draw = (uint32_t)(snn_splitmix64(&p->state) >> 32);
			if (draw < (uint32_t)p->pixels[i] * 16843009u) {
				emit(ctx, (uint32_t)i);
				count++;
			}
		}
	}
	return count;
}
