/* Random input bursts for the lock-step co-simulation tests of the core
 * array and the engine: one helper, so both see the same input patterns. */
#ifndef TESTS_RTL_COSIM_FEED_H
#define TESTS_RTL_COSIM_FEED_H

#include <stdint.h>
#include "../sim/random_net.h"
#include "snn/cosim.h"

/* Queue this step's inputs on cs: none (15 % of steps), or each of the chw
 * inputs with a density of 10, 50 or 100 %, in a scrambled order. */
void cosim_feed(snn_cosim *cs, rn_rng *r, uint32_t chw);

#endif
