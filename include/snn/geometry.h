/* Device geometry: the capacities a configuration must fit (docs/geometry.md). */
#ifndef SNN_GEOMETRY_H
#define SNN_GEOMETRY_H

#include <stdint.h>

/* Field order is the on-wire and in-image order: ten little-endian u32. */
typedef struct snn_geometry {
	uint32_t n_cores;	/* cores in the array */
	uint32_t neurons_per_core;	/* neuron state entries per core */
	uint32_t axons_per_core;	/* dense-mode input lines per core */
	uint32_t synapse_words;	/* weight memory words per core */
	uint32_t weight_bits;	/* width of one weight word, 2..16 */
	uint32_t membrane_bits;	/* width of the membrane potential, 8..31 */
	uint32_t bias_bits;	/* width of a neuron bias, 1..membrane_bits */
	uint32_t routes_per_core;	/* routing table entries per core */
	uint32_t input_routes;	/* routing entries for host input events */
	uint32_t max_phases;	/* distinct core phases (layers) per step */
	/* Budgets shared by all cores (0: no limit beyond the per-core ones). */
	uint32_t neuron_total;	/* neuron state entries, all cores together */
	uint32_t synapse_total;	/* synapse words, all cores together */
	uint32_t route_total;	/* routing entries, all cores together */
	uint32_t lanes;	/* synapse words a device reads per cycle (0 or 1: one) */
	uint32_t state_words;	/* synapse words one neuron's state takes (0: own memory) */
	uint32_t acc_bits;	/* accumulator width the device keeps (0: the contract's 32) */
} snn_geometry;

#define SNN_GEOMETRY_FIELDS 16u
#define SNN_GEOMETRY_BYTES (4u * SNN_GEOMETRY_FIELDS)

/* Hard limits of the format, independent of any profile. */
#define SNN_MAX_CORES 4096u	/* core ids are 12-bit on the wire */
#define SNN_MAX_NEURONS_PER_CORE 65536u	/* neuron ids are 16-bit */
#define SNN_MAX_WEIGHT_BITS 16u
#define SNN_MAX_MEMBRANE_BITS 31u
#define SNN_MAX_REFRACTORY 15u

/* A named profile; the table is in lib/geometry.c and docs/geometry.md. */
typedef struct snn_profile {
	const char *name;
	const char *description;
	snn_geometry geo;
	/* The core modes the hardware built for it runs (SNN_MODE_BIT of
	 * include/snn/config.h): the iCEBreaker's engine has no deconv mode. */
	uint32_t modes;
} snn_profile;

/* The profile called name, or NULL. */
const snn_profile *snn_profile_find(const char *name);
/* Profile i for i in [0, snn_profile_count()). */
const snn_profile *snn_profile_at(unsigned i);
unsigned snn_profile_count(void);
/* The profile whose geometry is exactly geo, or NULL: a board's image on
 * a stand-in device runs only the modes the board has. */
const snn_profile *snn_profile_of(const snn_geometry *geo);
/* The default profile for compilation and simulation ("sim"). */
const snn_profile *snn_profile_default(void);

/* 0 if every field is within the format's hard limits, else a negative
 * snn_err with the offending field named in diag. */
struct snn_diag;
int snn_geometry_check(const snn_geometry *geo, struct snn_diag *diag);

/* Bytes of configuration memory a geometry implies (registers, biases,
 * synapse words and routes of every core): what reading an image allocates. */
uint64_t snn_geometry_config_bytes(const snn_geometry *geo);
/* 0 if that memory is at most the largest built-in profile's: an image
 * cannot make a reader allocate more than a real device holds. */
int snn_geometry_check_profiles(const snn_geometry *geo, struct snn_diag *diag);

/* The budgets with 0 resolved: how many neurons, synapse words and routes
 * the whole array holds, and the lane count (>= 1). */
uint64_t snn_geometry_neuron_total(const snn_geometry *g);
uint64_t snn_geometry_synapse_total(const snn_geometry *g);
uint64_t snn_geometry_route_total(const snn_geometry *g);
static inline uint32_t snn_geometry_lanes(const snn_geometry *g)
{
	return g->lanes ? g->lanes : 1u;
}
static inline uint32_t snn_geometry_acc_bits(const snn_geometry *g)
{
	return g->acc_bits ? g->acc_bits : 32u;
}

/* Membrane range implied by the geometry. */
static inline int32_t snn_vmax(const snn_geometry *g)
{
	return (int32_t)((1u << (g->membrane_bits - 1)) - 1u);
}

static inline int32_t snn_vmin(const snn_geometry *g)
{
	return -snn_vmax(g) - 1;
}

#endif
