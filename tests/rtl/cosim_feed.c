/* Random input bursts for the co-simulation tests (cosim_feed.h). */
#include "cosim_feed.h"

void cosim_feed(snn_cosim *cs, rn_rng *r, uint32_t chw)
{
	unsigned mode = rn_below(r, 100);
	if (mode < 15)
		return;
	unsigned density = mode < 60 ? 10 : mode < 75 ? 100 : 50;
	uint32_t start = rn_below(r, chw);
	for (uint32_t k = 0; k < chw; k++) {
		uint32_t q = (start + k * 7919u) % chw;	/* a scrambled order */
		if (rn_below(r, 100) < density)
			snn_cosim_input(cs, q);
	}
}
