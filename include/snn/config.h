/* Device configuration: the memory map that the image stores, the host link
 * writes and the cores execute (docs/config-format.md, docs/core-array.md). */
#ifndef SNN_CONFIG_H
#define SNN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "snn/error.h"
#include "snn/geometry.h"
#include "snn/neuron.h"

/* Memory regions addressed by the host link's READ/WRITE_MEM (one 32-bit
 * word per index). */
enum snn_region {
	SNN_REGION_GLOBAL = 0,	/* global registers, core field ignored */
	SNN_REGION_CORE = 1,	/* per-core registers (enum snn_core_reg) */
	SNN_REGION_BIAS = 2,	/* per-neuron bias, sign-extended */
	SNN_REGION_SYNAPSE = 3,	/* per-core weight words, sign-extended */
	SNN_REGION_ROUTE = 4,	/* per-core routes, 4 words per entry */
	SNN_REGION_INPUT_ROUTE = 5,	/* host-input routes, 4 words per entry */
	SNN_REGION_STATE = 6,	/* neuron state: 2 words per neuron (v, ref) */
	SNN_REGION_COUNT
};

/* Global registers. */
enum snn_global_reg {
	SNN_G_N_CORES = 0,	/* cores in use: 0 .. n_cores; the rest idle */
	SNN_G_INPUT_C = 1,	/* input tensor shape: channels */
	SNN_G_INPUT_H = 2,	/* rows */
	SNN_G_INPUT_W = 3,	/* columns */
	SNN_G_INPUT_ROUTES = 4,	/* entries in the input route table */
	SNN_G_REGS
};

/* Per-core registers. Every core has SNN_CORE_REGS words; unused ones are 0. */
enum snn_core_reg {
	SNN_R_MODE = 0,	/* enum snn_core_mode */
	SNN_R_PHASE = 1,	/* 0 .. max_phases-1: order within a time step */
	SNN_R_N_NEURONS = 2,	/* neurons in use */
	SNN_R_N_AXONS = 3,	/* dense: input lines in use */
	SNN_R_THRESHOLD = 4,	/* firing threshold, 1 .. vmax */
	SNN_R_LEAK = 5,	/* leak multiplier 0 .. 255 (0 = IF) */
	SNN_R_RESET = 6,	/* enum snn_reset_mode */
	SNN_R_REFRACTORY = 7,	/* 0 .. 15 steps */
	SNN_R_V_INIT = 8,	/* membrane after a RESET, signed */
	SNN_R_FLAGS = 9,	/* SNN_F_* bits */
	SNN_R_IN_C = 10,	/* input space of the core: channels */
	SNN_R_IN_H = 11,	/* rows (dense: 1 or the source's rows) */
	SNN_R_IN_W = 12,	/* columns */
	SNN_R_POOL = 13,	/* conv: sum-pooling window (1 = none) */
	SNN_R_KH = 14,	/* conv: kernel rows */
	SNN_R_KW = 15,	/* conv: kernel columns */
	SNN_R_STRIDE = 16,	/* conv: stride, both axes */
	SNN_R_PAD_Y = 17,	/* conv: zero rows above the (pooled) input */
	SNN_R_PAD_X = 18,	/* conv: zero columns left of it */
	SNN_R_OUT_C0 = 19,	/* conv: first output channel of this core */
	SNN_R_OUT_NC = 20,	/* conv: output channels in this core */
	SNN_R_OUT_Y0 = 21,	/* conv: first output row of this core's tile */
	SNN_R_OUT_H = 22,	/* conv: tile rows */
	SNN_R_OUT_X0 = 23,	/* conv: first output column */
	SNN_R_OUT_W = 24,	/* conv: tile columns */
	SNN_R_SYN_COUNT = 25,	/* synapse words in use */
	SNN_R_ROUTE_COUNT = 26,	/* route entries in use */
	/* Where the core's share of the geometry's shared memories starts
	 * (docs/geometry.md, "Budgets"); all 0 on a geometry without budgets. */
	SNN_R_SYN_BASE = 27,	/* first synapse word of its weights */
	SNN_R_STATE_BASE = 28,	/* first synapse word of its neuron state */
	SNN_R_NEURON_BASE = 29,	/* neurons of the cores before it */
	SNN_R_ROUTE_BASE = 30,	/* routes of the cores before it */
	/* Sizes an engine would otherwise multiply out at every STEP, written
	 * with the bases (snn_core_derived()); 0 on a geometry without budgets. */
	SNN_R_DERIVED = 31,	/* conv, deconv: OUT_H x OUT_W | KH x KW << 16 */
	SNN_CORE_REGS = 32
};

enum snn_core_mode {
	SNN_MODE_OFF = 0,
	SNN_MODE_DENSE = 1,	/* event on axon a adds weight row a */
	SNN_MODE_CONV = 2,	/* event (c,y,x) adds kernel taps */
	SNN_MODE_DECONV = 3,	/* event (c,y,x) scatters its kernel (transposed conv) */
	SNN_MODE_COUNT
};

/* Conv and deconv cores: neurons are an output map tile, weights a kernel
 * (docs/core-array.md); they share every register. */
static inline bool snn_mode_is_map(uint32_t mode)
{
	return mode == SNN_MODE_CONV || mode == SNN_MODE_DECONV;
}

/* Sets of modes a device runs: bit (1 << mode), and above them the conv
 * features an engine may be built without: SNN_FEAT_STRIDE, a conv or deconv
 * core with STRIDE above 1; SNN_FEAT_POOL, one with POOL other than 1 or 2
 * (snn_engine's STRIDE_ANY, POOL_ANY: docs/core-array.md, "Which devices run
 * it"). The golden simulator runs them all; snn_array has no deconv mode
 * (SNN_MODES_RTL); the iCEBreaker's engine (snn_profile.modes) has neither
 * the deconv mode nor the two features (SNN_MODES_ICEBREAKER); the other
 * engines have everything. */
#define SNN_MODE_BIT(m) (1u << (m))
#define SNN_FEAT_STRIDE (1u << 8)
#define SNN_FEAT_POOL (1u << 9)
/* SNN_FEAT_CHAN_BIAS: a conv or deconv core with FLAGS CHAN_BIAS (half-size
 * neuron records, a bias per output channel; snn_engine's CHAN_BIAS). */
#define SNN_FEAT_CHAN_BIAS (1u << 10)
#define SNN_FEATS_ALL (SNN_FEAT_STRIDE | SNN_FEAT_POOL | SNN_FEAT_CHAN_BIAS)
#define SNN_MODES_ALL (SNN_MODE_BIT(SNN_MODE_DENSE) | SNN_MODE_BIT(SNN_MODE_CONV) | \
		       SNN_MODE_BIT(SNN_MODE_DECONV) | SNN_FEATS_ALL)
#define SNN_MODES_RTL (SNN_MODE_BIT(SNN_MODE_DENSE) | SNN_MODE_BIT(SNN_MODE_CONV) | SNN_FEATS_ALL)
#define SNN_MODES_ICEBREAKER (SNN_MODE_BIT(SNN_MODE_DENSE) | SNN_MODE_BIT(SNN_MODE_CONV))

enum snn_core_flags {
	SNN_F_SPIKING = 1u << 0,	/* clear: non-spiking readout neurons */
	/* conv, deconv on a geometry with state_words: neuron records of half
	 * the size, the bias one per output channel (format 2.3,
	 * docs/geometry.md "Channel biases") */
	SNN_F_CHAN_BIAS = 1u << 1,
};
#define SNN_F_ALL (SNN_F_SPIKING | SNN_F_CHAN_BIAS)
/* Most output channels a CHAN_BIAS core has (the engine's bias table holds
 * as many a core), and the widest membrane its half records keep. */
#define SNN_CHAN_BIAS_MAX 64u
#define SNN_CHAN_BIAS_MEMBRANE_BITS 24u
/* Protocol 3: bit 31 of a BIAS or STATE word index selects a CHAN_BIAS
 * core's channel table or half records (docs/host-protocol.md, "Address"). */
#define SNN_CHAN_WINDOW 0x80000000u

/* Route destination meaning "send to the host". */
#define SNN_ROUTE_HOST 0xFFFFu
#define SNN_ROUTE_WORDS 4u

/* One routing entry: source neurons [src_lo, src_hi) of the owning core (or
 * input indices, for input routes) go to dest, their coordinates shifted by
 * (dc, dy, dx). Words (docs/config-format.md): dest | dx << 16, src_lo,
 * src_hi, dc | dy << 16 (offsets are signed 16-bit). */
typedef struct snn_route {
	uint16_t dest;	/* core id or SNN_ROUTE_HOST */
	uint32_t src_lo, src_hi;
	int16_t dc, dy, dx;
} snn_route;

typedef struct snn_core_cfg {
	uint32_t reg[SNN_CORE_REGS];
	int32_t *bias;	/* neurons_per_core entries */
	int16_t *syn;	/* synapse_words entries */
	snn_route *route;	/* routes_per_core entries */
} snn_core_cfg;

/* A whole device configuration, sized by its geometry. */
typedef struct snn_config {
	snn_geometry geo;
	uint32_t global[SNN_G_REGS];
	snn_core_cfg *core;	/* geo.n_cores entries */
	snn_route *input_route;	/* geo.input_routes entries */
} snn_config;

/* Allocate a zeroed configuration for geo (checked with snn_geometry_check).
 * Returns 0 or a negative snn_err. */
int snn_config_init(snn_config *cfg, const snn_geometry *geo, snn_diag *diag);
void snn_config_free(snn_config *cfg);
/* Deep copy; dst must not be initialised. */
int snn_config_copy(snn_config *dst, const snn_config *src);

/* Check every register, route and bound against the geometry and
 * docs/core-array.md. Returns 0, or SNN_ERR_RANGE/FORMAT with the core,
 * register or entry and the problem in diag. A configuration that passes
 * cannot make the simulator read out of bounds or overflow the accumulator. */
int snn_config_validate(const snn_config *cfg, snn_diag *diag);

/* 0 if every core in use has a mode in modes (SNN_MODE_BIT set) and, if a
 * conv or deconv core, the stride and pooling modes' SNN_FEAT_* allow, else
 * SNN_ERR_UNSUPPORTED naming the first core and register that device (for
 * the message: "the RTL engine", "the icebreaker profile") does not run. */
/* The core modes an RTL device of geometry g runs: snn_array's (no
 * deconv) without shared budgets, else the engine's as built for g: a board
 * profile's modes, every mode for the other (test) geometries. rtl/mk's
 * engine builds and the board wrappers set snn_engine's DECONV to match. */
uint32_t snn_rtl_modes(const snn_geometry *g);
int snn_config_check_modes(const snn_config *cfg, uint32_t modes, const char *device,
			   snn_diag *diag);
/* The name of a core mode ("dense", "conv", "deconv"), "?" past the end. */
const char *snn_mode_name(uint32_t mode);

/* Synapse words core c takes of the geometry's shared synapse memory
 * (docs/geometry.md, "Budgets"): SYN_COUNT, a conv core's output channels
 * rounded up to whole lanes, the whole rounded up to whole lanes. */
uint64_t snn_core_synapse_share(const snn_config *cfg, unsigned c);

/* A core's SYNAPSE word at offset words from its SYN_BASE, where a device
 * with budgets keeps it (docs/geometry.md, "Conv taps as lines"): offset
 * itself for a dense core or a geometry without budgets; for a conv or
 * deconv core on a geometry with budgets, its weight index k x IN_C x KH x
 * KW + tap (the contract's [k][c][ky][kx]) from tap by tap lines of
 * roundup(OUT_NC, lanes) words, channel k at word k of its tap's line, or
 * with fewer channels than lanes at every word j < (lanes / p) x p with
 * k = j % p (p: OUT_NC up to a power of two); -1 for padding, which holds
 * 0. The host writes and reads a core's share in this order; the golden
 * device maps it back. */
int64_t snn_synapse_word_at(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS],
			    uint64_t offset);
/* Accumulators a core takes on a device with budgets: N_NEURONS, or for a
 * conv or deconv core the lanes of its tap lines' words (roundup(OUT_NC,
 * lanes) x OUT_H x OUT_W, or with fewer channels than lanes lanes x
 * ceil(OUT_H x OUT_W / (lanes / p))); validation holds it to
 * neurons_per_core. */
uint64_t snn_core_acc_slots(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS]);

/* Does the geometry have shared budgets (any total set)? Then the cores'
 * base registers place them in the shared memories. */
bool snn_geometry_shared(const snn_geometry *g);

/* Can a conv or deconv core of OUT_NC out_nc channels have FLAGS CHAN_BIAS
 * on geometry g (budgets, an even state_words, a membrane of at most
 * SNN_CHAN_BIAS_MEMBRANE_BITS, out_nc at most SNN_CHAN_BIAS_MAX)? */
bool snn_chan_bias_fits(const snn_geometry *g, uint32_t out_nc);
/* Does core c keep a bias per output channel (a map core with FLAGS
 * CHAN_BIAS)? */
bool snn_core_chan_bias(const snn_config *cfg, unsigned c);
/* The BIAS words a host writes for core c: N_NEURONS, or OUT_NC for a
 * CHAN_BIAS core, word k then the bias of channel k (its first neuron's). */
uint32_t snn_core_bias_words(const snn_config *cfg, unsigned c);
int32_t snn_core_bias_word(const snn_config *cfg, unsigned c, uint32_t k);

/* Set every core's SYN_BASE, STATE_BASE, NEURON_BASE and ROUTE_BASE to the
 * packing validation requires (docs/geometry.md, "Budgets"), and its DERIVED
 * register to snn_core_derived(); all 0 on a geometry without budgets. Call
 * after the other registers are final. */
void snn_config_pack_bases(snn_config *cfg);

/* The DERIVED register core c must hold (docs/config-format.md): on a
 * geometry with budgets, for a conv or deconv core, OUT_H x OUT_W in bits
 * 15..0 (modulo 2^16: 65,536 only with one output channel, which no step
 * uses) and KH x KW in bits 31..16 (validation keeps it below 2^16); else 0. */
uint32_t snn_core_derived(const snn_config *cfg, unsigned c);

/* Neuron parameters of core c, as the neuron step takes them. */
snn_neuron_params snn_config_neuron_params(const snn_config *cfg, unsigned c);

/* Route entry <-> 4 memory words. */
void snn_route_pack(const snn_route *r, uint32_t w[SNN_ROUTE_WORDS]);
void snn_route_unpack(const uint32_t w[SNN_ROUTE_WORDS], snn_route *r);

/* Word access by region, as the host link sees the memory. Out-of-range
 * addresses return SNN_ERR_RANGE. STATE is not part of the configuration and
 * is handled by the device. */
int snn_config_read_word(const snn_config *cfg, unsigned region, unsigned core,
			 uint32_t index, uint32_t *word);
int snn_config_write_word(snn_config *cfg, unsigned region, unsigned core,
			  uint32_t index, uint32_t word);
/* Words in a region of one core (the addressable extent). */
uint32_t snn_config_region_words(const snn_config *cfg, unsigned region);
/* Where word 0 of (region, core) lies in a device's shared memory, for the
 * address of a memory request (protocol 3, docs/host-protocol.md,
 * "Address"): on a geometry with budgets, BIAS at the core's first neuron
 * record (STATE_BASE / state_words, or NEURON_BASE when state_words is 0),
 * STATE at twice that, SYNAPSE at SYN_BASE, ROUTE at 4 x ROUTE_BASE, from
 * the registers reg of that core; 0 for every other region and on a
 * geometry without budgets. A request's index is this plus the word's.
 * A core with FLAGS CHAN_BIAS (a map core) has its BIAS words, its channel
 * biases, at SNN_CHAN_WINDOW, and its STATE words at SNN_CHAN_WINDOW plus
 * twice its first half record, STATE_BASE / (state_words / 2). */
uint64_t snn_region_base(const snn_geometry *g, const uint32_t reg[SNN_CORE_REGS],
			 unsigned region);
/* The words those indices run through on a geometry with budgets: the
 * synapse memory (SYNAPSE), its neuron records (BIAS; the neuron total when
 * state_words is 0), twice that (STATE), 4 x the route total (ROUTE); an
 * index at or past it lies outside the device's memory. 0 for the other
 * regions and on a geometry without budgets (the core's region bounds). */
uint64_t snn_region_shared_words(const snn_geometry *g, unsigned region);

/* Names for messages and docs. */
const char *snn_core_reg_name(unsigned reg);
const char *snn_global_reg_name(unsigned reg);
const char *snn_region_name(unsigned region);

/* Conv-core output geometry helpers (docs/core-array.md). */
static inline uint32_t snn_conv_pooled(uint32_t n, uint32_t pool)
{
	return pool ? n / pool : 0;
}

#endif
