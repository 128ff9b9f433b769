/* Seeded generator of random valid device configurations for the
 * simulator cross-checks: multi-layer feed-forward networks of dense and
 * conv layers split across cores, plus recurrent, lateral, skip and host
 * routes, with every neuron-model option and extreme weights and biases. */
#ifndef SNN_TEST_RANDOM_NET_H
#define SNN_TEST_RANDOM_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "snn/config.h"

/* splitmix64 generator. */
typedef struct rn_rng {
	uint64_t s;
} rn_rng;

uint64_t rn_next(rn_rng *r);
/* Uniform in 0 .. n-1 (n >= 1). */
uint32_t rn_below(rn_rng *r, uint32_t n);
/* Uniform in lo .. hi inclusive (lo <= hi). */
int64_t rn_range(rn_rng *r, int64_t lo, int64_t hi);
/* True with probability percent / 100. */
bool rn_chance(rn_rng *r, unsigned percent);

typedef struct random_net_opts {
	unsigned min_layers, max_layers;	/* 2 .. 5 */
	unsigned max_cores_per_layer;	/* 1 .. 3 */
	unsigned wide_percent;	/* chance of the 16-bit weight, 31-bit membrane geometry */
	/* Most output channels of a conv layer; 0: 6. Above 6, a layer too large
	 * for its cores gives up positions before channels, so that a pooled
	 * input position has many channels (the conv kernels add them together). */
	unsigned max_conv_channels;
	/* Chance that a conv layer split over cores is split as the compiler
	 * does: one phase, one set of neuron parameters and the same routes
	 * into every core (the golden simulator runs such a layer as one). */
	unsigned split_layer_percent;
	/* chance that a conv layer is a deconv (transposed) one; 0 draws no
	 * random number for it, so a seed gives the network it always gave */
	unsigned deconv_percent;
} random_net_opts;

#define RANDOM_NET_DEFAULT_OPTS {2, 5, 3, 15, 0, 0, 0}

typedef struct random_net_info {
	unsigned layers;
	unsigned cores;	/* cores with MODE != 0 */
	bool wide;
	char summary[256];	/* one line, e.g. "3 layers: conv x2, dense x1, ..." */
} random_net_info;

/* The two geometries used: 16 cores x 256 neurons, 256 axons, 8192 synapse
 * words, 8 routes/core, 8 input routes, 8 phases; small = 8-bit weights,
 * 16-bit membrane, 12-bit bias (saturation is easy to reach); wide = 16-bit
 * weights, 31-bit membrane and bias. */
extern const snn_geometry random_net_small_geo, random_net_wide_geo;

/* Initialise cfg (snn_config_init) and fill it with a random valid network
 * drawn from seed. Returns 0, or the negative snn_err of snn_config_init or
 * snn_config_validate (a generator bug, or a validator that rejects a valid
 * configuration) with the reason in diag; cfg is then still initialised and
 * must be freed. opts and info may be NULL. */
int random_net(snn_config *cfg, uint64_t seed, const random_net_opts *opts,
	       random_net_info *info, snn_diag *diag);

/* src moved onto geo, a geometry with shared budgets and lanes whose
 * per-core sizes are at least src's: dense cores widened to whole lanes
 * (each weight row padded with zero weights for neurons that no route reads
 * and no input reaches, bias 0: they step like the others, which every
 * device must agree on), adjust (unless NULL) called on each core, the
 * bases packed (snn_config_pack_bases) and the whole validated. Returns 0
 * or the negative snn_err of snn_config_init or snn_config_validate (a
 * network beyond geo's accumulators, say) with diag; dst is initialised
 * either way and must be freed. */
int random_net_to_budgets(const snn_config *src, snn_config *dst, const snn_geometry *geo,
			  void (*adjust)(snn_core_cfg *core, unsigned c, void *ctx), void *ctx,
			  snn_diag *diag);

/* Largest number of events core c can receive in one step per the
 * accumulator bound (route widths; C*H*W per input route, because the host
 * may send duplicates), and the bound's left side E * Wmax + Bmax. */
uint64_t random_net_max_events(const snn_config *cfg, unsigned c);
uint64_t random_net_acc_bound(const snn_config *cfg, unsigned c);

/* Human-readable listing of a configuration, for failure reports. */
void random_net_dump(const snn_config *cfg, FILE *f);

#endif
