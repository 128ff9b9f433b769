/* Geometry profiles (docs/geometry.md) and the format's hard limits. */
#include "snn/geometry.h"

#include <stddef.h>
#include <string.h>
#include "snn/config.h"
#include "snn/error.h"

/* docs/geometry.md has the table and where each budget comes from. */
static const snn_profile profiles[] = {
	{"sim", "large simulation profile (golden model, Verilated RTL)",
	 {256, 16384, 16384, 262144, 16, 24, 24, 64, 256, 32, 0, 0, 0, 0, 0, 0}, SNN_MODES_ALL},
	{"icebreaker", "iCEBreaker, Lattice iCE40UP5K: weights and neuron state in 113 KiB of SPRAM (the other 15 KiB the control program's)",
	 {16, 2048, 1024, 115712, 8, 20, 16, 8, 8, 16, 8192, 115712, 64, 8, 8, 20}, SNN_MODES_ICEBREAKER},
	{"ulx3s", "ULX3S, Lattice ECP5 LFE5U-85F: weights and neuron state in 320 KiB of block RAM, "
	 "then 1.7 MiB of SDRAM",
	 {32, 16384, 4096, 327680, 8, 20, 16, 16, 16, 32, 262144, 2097152, 256, 8, 8, 24}, SNN_MODES_ALL},
};

unsigned snn_profile_count(void)
{
	return sizeof profiles / sizeof profiles[0];
}

const snn_profile *snn_profile_at(unsigned i)
{
	return i < snn_profile_count() ? &profiles[i] : NULL;
}

const snn_profile *snn_profile_find(const char *name)
{
	for (unsigned i = 0; i < snn_profile_count(); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const snn_profile *snn_profile_of(const snn_geometry *geo)
{
	for (unsigned i = 0; i < snn_profile_count(); i++)
		if (!memcmp(&profiles[i].geo, geo, sizeof *geo))
			return &profiles[i];
	return NULL;
}

const snn_profile *snn_profile_default(void)
{
	return &profiles[0];
}

int snn_geometry_check(const snn_geometry *g, snn_diag *diag)
{
	static const struct {
		size_t offset;
		const char *name;
		uint32_t lo, hi;
	} limits[] = {
		{offsetof(snn_geometry, n_cores), "n_cores", 1, SNN_MAX_CORES},
		{offsetof(snn_geometry, neurons_per_core), "neurons_per_core", 1, SNN_MAX_NEURONS_PER_CORE},
		{offsetof(snn_geometry, axons_per_core), "axons_per_core", 1, 1u << 24},
		{offsetof(snn_geometry, synapse_words), "synapse_words", 1, 1u << 26},
		{offsetof(snn_geometry, weight_bits), "weight_bits", 2, SNN_MAX_WEIGHT_BITS},
		{offsetof(snn_geometry, membrane_bits), "membrane_bits", 8, SNN_MAX_MEMBRANE_BITS},
		{offsetof(snn_geometry, bias_bits), "bias_bits", 1, SNN_MAX_MEMBRANE_BITS},
		{offsetof(snn_geometry, routes_per_core), "routes_per_core", 1, 65536},
		{offsetof(snn_geometry, input_routes), "input_routes", 1, 65536},
		{offsetof(snn_geometry, max_phases), "max_phases", 1, 256},
		{offsetof(snn_geometry, neuron_total), "neuron_total", 0, 1u << 28},
		{offsetof(snn_geometry, synapse_total), "synapse_total", 0, 1u << 30},
		{offsetof(snn_geometry, route_total), "route_total", 0, 1u << 24},
		{offsetof(snn_geometry, lanes), "lanes", 0, 64},
		{offsetof(snn_geometry, state_words), "state_words", 0, 64},
		{offsetof(snn_geometry, acc_bits), "acc_bits", 0, 32},
	};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		uint32_t v;
		memcpy(&v, (const char *)g + limits[i].offset, sizeof v);
		if (v < limits[i].lo || v > limits[i].hi)
			return snn_fail(diag, SNN_ERR_RANGE,
					"geometry %s = %u is outside %u..%u",
					limits[i].name, v, limits[i].lo, limits[i].hi);
	}
	if (g->acc_bits && g->acc_bits < 8)
		return snn_fail(diag, SNN_ERR_RANGE, "geometry acc_bits %u is below 8 (0 means 32)",
				g->acc_bits);
	if (g->bias_bits > g->membrane_bits)
		return snn_fail(diag, SNN_ERR_RANGE,
				"geometry bias_bits %u exceeds membrane_bits %u",
				g->bias_bits, g->membrane_bits);
	return 0;
}

uint64_t snn_geometry_neuron_total(const snn_geometry *g)
{
	return g->neuron_total ? g->neuron_total : (uint64_t)g->n_cores * g->neurons_per_core;
}

uint64_t snn_geometry_synapse_total(const snn_geometry *g)
{
	return g->synapse_total ? g->synapse_total : (uint64_t)g->n_cores * g->synapse_words;
}

uint64_t snn_geometry_route_total(const snn_geometry *g)
{
	return g->route_total ? g->route_total : (uint64_t)g->n_cores * g->routes_per_core;
}

uint64_t snn_geometry_config_bytes(const snn_geometry *g)
{
	/* Per core: 32 registers, a bias word per neuron, the synapse words
	 * and 16-byte routes, as snn_config_init allocates them. */
	uint64_t per_core = 4u * 32u + 4ull * g->neurons_per_core + 2ull * g->synapse_words +
			    16ull * g->routes_per_core;
	return (uint64_t)g->n_cores * per_core + 16ull * g->input_routes;
}

int snn_geometry_check_profiles(const snn_geometry *g, snn_diag *diag)
{
	uint64_t largest = 0;
	for (unsigned i = 0; i < snn_profile_count(); i++) {
		uint64_t b = snn_geometry_config_bytes(&profiles[i].geo);
		largest = b > largest ? b : largest;
	}
	uint64_t want = snn_geometry_config_bytes(g);
	if (want > largest)
		return snn_fail(diag, SNN_ERR_RANGE,
				"geometry of %u cores x (%u neurons, %u synapse words, %u routes) needs %llu bytes "
				"of configuration memory, more than the largest built-in profile's %llu",
				g->n_cores, g->neurons_per_core, g->synapse_words, g->routes_per_core,
				(unsigned long long)want, (unsigned long long)largest);
	return 0;
}
