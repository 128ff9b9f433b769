/* Golden simulator: event-driven execution of a device configuration.
 * The work per step is proportional to synaptic events plus the neurons the
 * model says must be updated (docs/neuron-model.md); idle neurons are never
 * visited. */
#include "snn/sim.h"
#include "kernels.h"

#include <stdlib.h>
#include <string.h>

/* One accumulator buffer of a core: the exact input sums for one step.
 * Conv cores keep their sums, like their state, channel-last (core_rt.ncp),
 * so that one kernel tap is one contiguous row add over channels; a planned
 * conv core first counts a step's events per input cell (cnt), lists per
 * pooled position the channels that received any (pp_nc of them in
 * chans[pp * (in_c + 1) ..]) and the positions that did (pps), and when it runs
 * adds each position's taps once, for all its channels. Cores whose cells get
 * at most one event a step (core_rt.once, direct) list less. */
typedef struct acc_buf {
	int32_t *sum;
	uint32_t *cnt;	/* planned conv: events per input cell */
	uint32_t *pp_nc;	/* planned conv: channels with events, per pooled position */
	/* planned conv: those channels, in_c + 1 slots per position (the last
	 * one for count_event's write that is not kept) */
	uint32_t *chans;
	/* core_rt.once cores list the channels instead as add_positions reads
	 * them (weight offset, count 1), in the same slots */
	sim_conv_in *chan_in;
	uint32_t *pps;	/* planned conv: the pooled positions with pp_nc > 0; n_pp + 1 slots */
	uint32_t n_pps;
	bool all;	/* an event arrived (dense: it touched every neuron) */
	/* Dense cores with 8-bit weights add rows into 16-bit sums, twice the
	 * lanes per vector; after core_rt.max16 row adds, which cannot overflow
	 * them, they are folded into sum (then wide is set). Conv cores whose
	 * step sums cannot leave 16 bits (core_rt.conv16) keep them only here. */
	int16_t *sum16;
	uint32_t n16;	/* row adds into sum16 since the last fold */
	/* Rows waiting to be added to sum16: adding a step's rows together
	 * keeps each block of sums in a register for all of them. */
	const int8_t **pend;
	uint32_t n_pend;
	bool wide;	/* sum holds folded sums */
	/* Synaptic operations added into this buffer, counted when the core
	 * consumes it (docs/host-protocol.md, "Counters"). */
	uint64_t synops;
} acc_buf;

enum {
	MAX_PEND = 256,	/* rows a dense core collects before adding them */
	MAX_IN_COORD = 1 << 20,	/* input indices with tabulated coordinates */
	/* Conv cores larger than this in input cells or taps are not planned:
	 * their events add their taps one at a time (deliver_conv). */
	MAX_CONV_CELLS = 1 << 22,	/* at most 2^24: core_rt.cell_div */
	MAX_CONV_TAPS = 1 << 22,
	/* A planned conv core gathers up to this many positions (and their
	 * channels) of a step before it adds them in one kernel call: the
	 * gathering loads of one position overlap those of the next instead
	 * of waiting behind a call. */
	CONV_CHUNK_POS = 256,
	CONV_CHUNK_IN = 1024,
	ALL_IN_C = 4,	/* core_rt.all_in */
	ALL_IN_POSITIONS = 1 << 16	/* core_rt.all_in: scratch for every position */
};

#define NO_CELL UINT32_MAX

struct core_rt;

/* A route as the simulator follows it: its destination resolved, and
 * whether it delivers into the next step's buffer (phase order, known when
 * the simulator is created). */
typedef struct route_rt {
	uint32_t src_lo, src_hi;
	struct core_rt *dest;	/* NULL: the host */
	int32_t dc, dy, dx;
	uint32_t next_step;	/* 1: into the other parity's buffer */
} route_rt;

/* Precomputed routing of the sources (input indices, or the neurons of one
 * core) whose routes all end on dense cores with byte rows. Each such route
 * is a lane: the weight row it adds for every source (NULL: none), so
 * that a step's events are delivered a lane at a time, the lane's row count
 * in a register. Sources with any other route (host, conv, 16-bit weights)
 * are slow: routed one route at a time by route_event. */
typedef struct fan_lane {
	struct core_rt *dest;
	uint32_t next_step;
	uint32_t lo, len;	/* the sources the route covers: lo .. lo + len - 1 */
	const int8_t **row;	/* len + 1 entries, by source - lo; row[len] is NULL */
	bool full;	/* every source of the space has a row: no checks needed */
	/* A lane to a planned conv core has instead of rows the input cell of
	 * each source (NO_CELL: none), len + 1 entries. */
	uint32_t *cell;
} fan_lane;

/* A route from a conv core into a conv core that receives nothing else
 * (core_rt.sorted_in): the source's spikes come out of its update ordered
 * by padded index, position first, so each input position's events are
 * consecutive and the destination's positions and their channels are
 * listed in that order (seg_deliver) with nothing counted or looked up
 * per position. By the source's padded index: the pooled input position
 * of the destination it reaches (NO_CELL: none) and where its channel's
 * weights start there. */
typedef struct seg_lane {
	struct core_rt *dest;
	uint32_t next_step;
	uint32_t *pp, *w_off;	/* source stride entries each */
} seg_lane;

typedef struct fanout {
	fan_lane *lane;	/* the lanes to dense cores first, then those to conv cores */
	uint32_t n_lanes, n_row_lanes;
	uint8_t *slow;	/* per source; NULL: every source is slow (no lanes) */
	bool all_fast;	/* no source is slow: fire need not look at each spike */
} fanout;

typedef struct core_rt {
	const uint32_t *reg;
	const int32_t *bias;
	const int16_t *syn;
	route_rt *route;
	fanout fan;
	uint32_t in_c, in_h, in_w;	/* the input space (IN_C, IN_H, IN_W) */
	bool flat;	/* dense with in_h = in_w = 1: the axon is c */
	/* Dense weights as bytes when they all fit, each row padded with zeros
	 * to stride (a whole number of SIM_BLOCKs) so that a row add has no
	 * scalar tail. v, bias_pad, sum16 and the live lists are padded alike:
	 * a padding neuron has v = bias = 0 and can never fire. */
	int8_t *syn8;
	uint32_t stride;
	int32_t *bias_pad;	/* the padded copy of bias */
	/* Conv cores keep v, ref, the biases (bias_pad) and the sums
	 * channel-last: the neuron (k, position pos) at pos * ncp + k, with the
	 * nc channels padded to ncp (a multiple of SIM_CONV_LANES); stride is
	 * the padded total, a multiple of SIM_BLOCK. Padding neurons have
	 * v = bias = 0, zero weights, and never fire. */
	/* Conv weights as [c][ky][kw - 1 - kx][ncp]: a tap's channels in a row,
	 * a kernel row's taps backwards, so that at stride 1 the taps of one
	 * kernel row are one contiguous run in the weights and in the sums
	 * (the output positions they reach go forwards as kx goes back). */
	int16_t *wt;
	uint32_t nc, ncp, plane;	/* conv: channels (of the whole group), padded, positions */
	uint32_t *neuron_of;	/* conv: neuron id of each padded index; NO_CELL: padding */
	/* The tap plan of a conv core (planned): the input cells are the
	 * pooled input positions and channels, cell = pp * in_c + c (a
	 * position's channels side by side, as add_positions reads their
	 * counts). The taps of pooled position pp, merged
	 * into runs where both their sums and weights are contiguous, are
	 * run[run_start[pp] .. run_start[pp + 1]), each (sum offset, weight
	 * offset without the channel's c * kh * kw * ncp, length); n_taps[pp]
	 * counts them. */
	bool planned;
	uint32_t ph, pw, n_pp, n_cells;
	uint32_t *run_start, *n_taps;
	uint32_t (*run)[3];
	/* cell / in_c is (cell * cell_div) >> 40, cell_div = ceil(2^40 / in_c):
	 * exact for cell < 2^24 (MAX_CONV_CELLS) and in_c < 2^16, since the
	 * error cell * (cell_div * in_c - 2^40) / 2^40 < 2^24 * in_c / 2^40 is
	 * below 1 / in_c. A multiply instead of a division or a table. */
	uint64_t cell_div;
	/* planned conv: scratch for add_positions, CONV_CHUNK_POS positions
	 * and in_cap >= in_c of their channels */
	sim_conv_pos *pos;
	sim_conv_in *in;
	uint32_t in_cap;
	bool narrow32;	/* membranes of at most 30 bits: if_step32 applies */
	/* planned conv: no step's sum of a neuron can leave 16 bits
	 * (conv16_bound), so the sums are acc_buf.sum16, twice the lanes */
	bool conv16;
	/* planned conv without pooling and with one route in: a cell receives
	 * at most one event a step (a source fires once a step), so its count
	 * is 1 and need not be kept (count_event's once) */
	bool once;
	/* once, with one input channel: a cell is its position, so events are
	 * only listed in acc_buf.pps */
	bool direct;
	/* A layer that the compiler split by channels over consecutive conv
	 * cores (one phase, one input space, kernel and neuron parameters,
	 * the same incoming routes: same_layer) runs as one core, so that a
	 * tap adds all the layer's channels in whole vectors and an event is
	 * counted once. The first core of the group, its host, keeps the
	 * state, sums, weights and plan of every member as its channels
	 * ch_off .. ch_off + nc - 1 (nc, ncp and stride count them all); the
	 * other members have none of these, receive nothing and do not run:
	 * the host updates them and fires each member's spikes as its own. */
	struct core_rt *host;	/* itself unless a member of another's group */
	uint32_t ch_off;	/* its first channel in host */
	uint32_t n_members;	/* host: cores in its group, ids consecutive */
	uint16_t *member_of;	/* host of a group: member of each padded index */
	uint32_t *member_n;	/* host of a group: scratch, spikes per member */
	uint32_t max16;	/* row adds that fit acc_buf.sum16; 0: sum16 unused */
	uint32_t max_pend;	/* capacity of acc_buf.pend, at most max16 */
	bool narrow;	/* v + bias + a 16-bit sum fits int32 */
	uint32_t n_routes, n_neurons, n_axons;
	uint32_t mode, phase;
	snn_neuron_params np;
	int32_t v_init;
	int32_t *v;
	uint32_t *ref;
	acc_buf acc[2];	/* indexed by step parity */
	uint32_t *live, n_live;	/* neurons to update even without input */
	uint32_t *next_live;	/* scratch for rebuilding live (conv: only n_live counts) */
	bool rescan;	/* state was written from outside: rebuild live */
	/* Steps until a refractory counter written from outside (STATE) has
	 * run out: until then the no-refractory fast path would skip it. */
	uint32_t stray_ref;
	/* (the fields below last, so that those above keep their offsets) */
	/* A counting core of at most ALL_IN_C input channels keeps no list of
	 * a position's channels with events (count_all_event): add_all_in
	 * finds them among all in_c, branch-free, and hands the positions to
	 * the kernel ordered by how many they have, where that number is as
	 * good as random (LeNet-1's second conv after 2 x 2 pooling: 1 to 4
	 * of its 4) and the kernel's loops over channels mispredicted */
	bool all_in;
	/* all_in: scratch for a step's positions (n_pp), their channels with
	 * events (in_c a position) and how many they have */
	sim_conv_pos *all_pos;
	sim_conv_in *all_chan;
	uint8_t *all_n;
	/* A direct core with 16-bit sums and kernel rows narrow enough for
	 * its stride (init_masks) adds a step's events as input row masks
	 * (add_masks16): row_mask[py - mask_y0] has bit px + mask_x0 for an
	 * event at (py, px); patterns as sim_conv_masks says, mask_group
	 * columns a group. */
	bool masked;
	uint64_t *row_mask;
	int16_t (*pattern)[32];
	uint32_t mask_group, n_mask_rows;
	int32_t mask_y0, mask_x0;
	uint64_t pw_div;	/* pp / pw as (pp * pw_div) >> 40, like cell_div */
	/* A planned conv core of several input channels, without pooling,
	 * whose one route in comes from one conv core (build_fanout's SEG):
	 * its events are listed by the source in the source's order
	 * (seg_lane) and added by add_sorted. */
	bool sorted_in;
	uint32_t routes_in;	/* routes whose destination is this core */
	/* A planned conv core whose cells receive one event a step (once)
	 * and whose positions differ in runs (a stride above 1) or channels
	 * (several input channels) adds them in add_sorted's order; scratch
	 * for its counting sort, by position and by key. */
	bool sort;
	uint32_t n_keys, *sort_at, *sort_key;
	sim_conv_pos *sort_pos;
	/* sort: per pooled position, the length of its runs if all are alike
	 * (sim_conv_pos.run_len; 0: not), and its shape, which of the core's
	 * distinct (runs, run_len) it has: the sort's key with its channels */
	uint32_t *run_len_of;
	uint8_t *shape;
	/* A conv source's routes to sorted_in cores (seg_deliver) */
	struct seg_lane *seg;
	uint32_t n_seg;
	/* sorted_in, by step parity like acc: the channels of the step's
	 * events (weight offset, count 1) in the order they came, and where
	 * each listed position's start (seg_start[i] for acc.pps[i]; n_pps + 1
	 * entries) */
	sim_conv_in *seg_in[2];
	uint32_t *seg_start[2];
} core_rt;

struct snn_sim {
	snn_config cfg;
	uint32_t n_cores;
	core_rt *core;
	uint32_t *order, n_order;	/* cores in use, sorted by phase */
	uint32_t *spikes;	/* per-core spike scratch */
	uint32_t *member_spikes;	/* a group's spikes sorted by member */
	const sim_kernels *kern;
	uint32_t in_c, in_h, in_w, in_size;
	route_rt *in_route;
	uint32_t n_in_routes;
	fanout in_fan;
	uint32_t (*in_coord)[3];	/* (c, y, x) of each input index, NULL if too many */
	uint32_t *inq, n_inq;
	uint8_t *inq_mark;	/* 1 if the index is queued for the next step */
	uint32_t step;
	uint64_t ctr[SNN_CTR_COUNT];
};

/* Zeroed and aligned to a cache line: a vector kernel's 64-byte loads of
 * an array that calloc happened to place 16 bytes off a line each touch
 * two lines (the dense benchmark ran 7 % slower when a larger core_rt
 * moved its arrays so). */
static void *xcalloc(size_t n, size_t size, bool *ok)
{
	enum { LINE = 64 };
	n = n ? n : 1;
	if (size && n > (SIZE_MAX - LINE) / size) {
		*ok = false;
		return NULL;
	}
	size_t bytes = (n * size + LINE - 1) / LINE * LINE;
	void *p = aligned_alloc(LINE, bytes);
	if (!p)
		*ok = false;
	else
		memset(p, 0, bytes);
	return p;
}

static void free_fanout(fanout *f)
{
	for (uint32_t l = 0; f->lane && l < f->n_lanes; l++) {
		free(f->lane[l].row);
		free(f->lane[l].cell);
	}
	free(f->lane);
	free(f->slow);
	*f = (fanout){0};
}

static void free_core(core_rt *k)
{
	free(k->v);
	free(k->ref);
	for (int b = 0; b < 2; b++) {
		free(k->acc[b].sum);
		free(k->acc[b].cnt);
		free(k->acc[b].pp_nc);
		free(k->acc[b].chans);
		free(k->acc[b].chan_in);
		free(k->acc[b].pps);
		free(k->seg_in[b]);
		free(k->seg_start[b]);
		free(k->acc[b].sum16);
		free(k->acc[b].pend);
	}
	free(k->syn8);
	free(k->route);
	free_fanout(&k->fan);
	free(k->bias_pad);
	free(k->wt);
	free(k->neuron_of);
	free(k->member_of);
	free(k->member_n);
	free(k->run_start);
	free(k->n_taps);
	free(k->in);
	free(k->pos);
	free(k->run);
	free(k->row_mask);
	free(k->all_pos);
	free(k->sort_at);
	free(k->sort_key);
	free(k->sort_pos);
	free(k->run_len_of);
	for (uint32_t l = 0; k->seg && l < k->n_seg; l++) {
		free(k->seg[l].pp);
		free(k->seg[l].w_off);
	}
	free(k->seg);
	free(k->shape);
	free(k->all_chan);
	free(k->all_n);
	free(k->pattern);
	free(k->live);
	free(k->next_live);
}

void snn_sim_free(snn_sim *sim)
{
	if (!sim)
		return;
	if (sim->core)
		for (uint32_t c = 0; c < sim->n_cores; c++)
			free_core(&sim->core[c]);
	free(sim->core);
	free(sim->order);
	free(sim->spikes);
	free(sim->member_spikes);
	free(sim->inq);
	free(sim->inq_mark);
	free(sim->in_coord);
	free(sim->in_route);
	free_fanout(&sim->in_fan);
	snn_config_free(&sim->cfg);
	free(sim);
}

/* The byte-weight layout of a dense core (see core_rt.syn8). */
static bool init_dense8(core_rt *k)
{
	const uint32_t n = k->n_neurons, stride = k->stride;
	bool ok = true;
	k->syn8 = xcalloc((size_t)k->n_axons * stride, 1, &ok);
	k->bias_pad = xcalloc(stride, sizeof *k->bias_pad, &ok);
	for (int b = 0; b < 2; b++) {
		k->acc[b].sum16 = xcalloc(stride, sizeof(int16_t), &ok);
		k->acc[b].pend = xcalloc(MAX_PEND, sizeof *k->acc[b].pend, &ok);
	}
	if (!ok)
		return false;
	uint32_t max_w = 1, max_bias = 0;
	for (uint32_t a = 0; a < k->n_axons; a++)
		for (uint32_t i = 0; i < n; i++) {
			int16_t w = k->syn[(size_t)a * n + i];
			k->syn8[(size_t)a * stride + i] = (int8_t)w;
			max_w = (uint32_t)abs(w) > max_w ? (uint32_t)abs(w) : max_w;
		}
	for (uint32_t i = 0; i < n; i++) {
		k->bias_pad[i] = k->bias[i];
		max_bias = (uint32_t)abs(k->bias[i]) > max_bias ? (uint32_t)abs(k->bias[i]) : max_bias;
	}
	k->max16 = INT16_MAX / max_w;
	k->max_pend = k->max16 < MAX_PEND ? k->max16 : MAX_PEND;
	/* the lowest v + sum + bias is vmin - max_bias + INT16_MIN */
	k->narrow = -(int64_t)k->np.vmin + max_bias - INT16_MIN <= (int64_t)INT32_MAX + 1;
	return true;
}

/* The output position that tap (ky, kx) of an event at pooled input
 * position (py, px) reaches in conv or deconv core k's tile, if any
 * (docs/core-array.md, conv and deconv modes): a conv tap gathers, so only
 * taps landing on a multiple of the stride reach an output; a deconv tap
 * scatters, from the event's position times the stride. */
static inline bool conv_tap(const core_rt *k, int64_t py, int64_t px, uint32_t ky, uint32_t kx,
			    uint32_t *pos)
{
	const uint32_t *r = k->reg;
	const int64_t stride = r[SNN_R_STRIDE];
	int64_t oy, ox;
	if (k->mode == SNN_MODE_DECONV) {
		oy = py * stride - r[SNN_R_PAD_Y] + ky - r[SNN_R_OUT_Y0];
		ox = px * stride - r[SNN_R_PAD_X] + kx - r[SNN_R_OUT_X0];
	} else {
		int64_t ty = py + r[SNN_R_PAD_Y] - ky, tx = px + r[SNN_R_PAD_X] - kx;
		if (ty < 0 || tx < 0 || ty % stride || tx % stride)
			return false;
		oy = ty / stride - r[SNN_R_OUT_Y0];
		ox = tx / stride - r[SNN_R_OUT_X0];
	}
	if (oy < 0 || ox < 0 || oy >= r[SNN_R_OUT_H] || ox >= r[SNN_R_OUT_W])
		return false;
	*pos = (uint32_t)(oy * r[SNN_R_OUT_W] + ox);
	return true;
}

/* Plan conv core k's taps (core_rt.planned): every pooled input position's
 * taps, listed once when the simulator is created. Cores too large for the
 * plan, or all of them when SNN_SIM_CONV=taps (for the tests), add each
 * event's taps as it arrives instead. */
static bool plannable(const uint32_t *r)
{
	const char *env = getenv("SNN_SIM_CONV");
	uint64_t n_pp = (uint64_t)(r[SNN_R_IN_H] / r[SNN_R_POOL]) * (r[SNN_R_IN_W] / r[SNN_R_POOL]);
	return !(env && strcmp(env, "taps") == 0) && n_pp * r[SNN_R_IN_C] <= MAX_CONV_CELLS &&
	       n_pp * r[SNN_R_KH] * r[SNN_R_KW] <= MAX_CONV_TAPS;
}

static bool plan_conv(core_rt *k)
{
	const uint32_t *r = k->reg;
	const uint32_t pool = r[SNN_R_POOL], kh = r[SNN_R_KH], kw = r[SNN_R_KW];
	k->ph = k->in_h / pool;
	k->pw = k->in_w / pool;
	uint64_t n_pp = (uint64_t)k->ph * k->pw, cells = n_pp * k->in_c;
	if (!plannable(r))
		return true;
	bool ok = true;
	k->n_pp = (uint32_t)n_pp;
	k->n_cells = (uint32_t)cells;
	k->run_start = xcalloc(n_pp + 1, sizeof *k->run_start, &ok);
	k->n_taps = xcalloc(n_pp, sizeof *k->n_taps, &ok);
	k->in_cap = k->in_c > CONV_CHUNK_IN ? k->in_c : CONV_CHUNK_IN;
	k->in = xcalloc(k->in_cap, sizeof *k->in, &ok);
	k->pos = xcalloc(CONV_CHUNK_POS, sizeof *k->pos, &ok);
	for (int b = 0; b < 2; b++) {
		k->acc[b].cnt = xcalloc(cells, sizeof *k->acc[b].cnt, &ok);
		k->acc[b].pp_nc = xcalloc(n_pp, sizeof *k->acc[b].pp_nc, &ok);
		k->acc[b].chans = xcalloc(cells + n_pp, sizeof *k->acc[b].chans, &ok);
		k->acc[b].pps = xcalloc(n_pp + 1, sizeof *k->acc[b].pps, &ok);
	}
	if (!ok)
		return false;
	const uint32_t ncp = k->ncp;
	uint32_t n_runs = 0, pos;
	for (int pass = 0; pass < 2; pass++) {	/* count, then fill */
		n_runs = 0;
		for (uint32_t pp = 0; pp < n_pp; pp++) {
			uint32_t first = n_runs, so = 0, wo = 0, len = 0;
			k->run_start[pp] = n_runs;
			k->n_taps[pp] = 0;
			for (uint32_t ky = 0; ky < kh; ky++)
				for (uint32_t kx = kw; kx-- > 0;) {
					if (!conv_tap(k, pp / k->pw, pp % k->pw, ky, kx, &pos))
						continue;
					uint32_t s_off = pos * ncp, w_off = (ky * kw + kw - 1 - kx) * ncp;
					k->n_taps[pp]++;
					if (n_runs > first && s_off == so + len && w_off == wo + len) {
						len += ncp;	/* extends the run */
					} else {
						so = s_off;
						wo = w_off;
						len = ncp;
						n_runs++;
					}
					if (pass == 1) {
						k->run[n_runs - 1][0] = so;
						k->run[n_runs - 1][1] = wo;
						k->run[n_runs - 1][2] = len;
					}
				}
		}
		k->run_start[n_pp] = n_runs;
		if (pass == 0 && !(k->run = xcalloc(n_runs, sizeof *k->run, &ok)))
			return false;
	}
	k->cell_div = (((uint64_t)1 << 40) + k->in_c - 1) / k->in_c;
	k->planned = true;
	return true;
}

/* The channel-last layout, weights and tap plan of conv core k, with the
 * channels of every member of its group. */
static bool init_conv(snn_sim *sim, core_rt *k)
{
	bool ok = true;
	const uint32_t ncp = k->ncp, kw = k->reg[SNN_R_KW];
	const uint32_t taps = k->in_c * k->reg[SNN_R_KH] * kw;
	k->wt = xcalloc((size_t)taps * ncp, sizeof *k->wt, &ok);
	k->bias_pad = xcalloc(k->stride, sizeof *k->bias_pad, &ok);
	k->neuron_of = xcalloc(k->stride, sizeof *k->neuron_of, &ok);
	if (k->n_members > 1) {
		k->member_of = xcalloc(k->stride, sizeof *k->member_of, &ok);
		k->member_n = xcalloc(k->n_members + 1, sizeof *k->member_n, &ok);
	}
	if (!ok)
		return false;
	for (uint32_t i = 0; i < k->stride; i++)
		k->neuron_of[i] = NO_CELL;
	for (uint32_t m = 0; m < k->n_members; m++) {	/* members are set up after their host */
		const uint32_t off = k[m].ch_off;
		const snn_core_cfg *kc = &sim->cfg.core[(k - sim->core) + m];
		for (uint32_t ch = 0; ch < kc->reg[SNN_R_OUT_NC]; ch++)
			for (uint32_t t = 0; t < taps; t++)	/* t = (c * kh + ky) * kw + kx */
				k->wt[(size_t)(t - t % kw + kw - 1 - t % kw) * ncp + off + ch] =
					kc->syn[(size_t)ch * taps + t];
		for (uint32_t n = 0; n < kc->reg[SNN_R_N_NEURONS]; n++) {
			uint32_t i = (n % k->plane) * ncp + off + n / k->plane;
			k->neuron_of[i] = n;
			k->bias_pad[i] = kc->bias[n];
			if (k->member_of)
				k->member_of[i] = (uint16_t)m;
		}
	}
	/* vmax - vmin <= 2^30 - 1 (kernels.h, if_step32) */
	k->narrow32 = (int64_t)k->np.vmax - k->np.vmin <= ((int64_t)1 << 30) - 1;
	return plan_conv(k);
}

/* The padded channel count of a conv core (a multiple of SIM_CONV_LANES):
 * channels are padded to 16 where that adds at most a third more lanes;
 * otherwise to 4 (at most 4 channels) or 8 (at most 8), else to 4. Chosen
 * when add_runs split each position's channels alike (lenet1's 12 went
 * faster as 16, cnn's 20 as 20); now that it adds runs across positions,
 * lenet1 with 12 instead of 16 is the same within 2 %. */
static uint32_t conv_lanes(uint32_t nc)
{
	uint32_t by16 = (nc + 15) / 16 * 16, by4 = (nc + 3) / 4 * 4;
	if (nc <= 8)
		return by4;
	return 3 * by16 <= 4 * nc ? by16 : by4;
}

/* Do the routes of one source space into core a equal, in order, those
 * into core b (destinations aside)? */
static bool same_routes_into(const snn_route *r, uint32_t n, uint32_t a, uint32_t b)
{
	uint32_t i = 0, j = 0;
	for (;;) {
		while (i < n && r[i].dest != a)
			i++;
		while (j < n && r[j].dest != b)
			j++;
		if (i == n || j == n)
			return i == n && j == n;
		if (r[i].src_lo != r[j].src_lo || r[i].src_hi != r[j].src_hi || r[i].dc != r[j].dc ||
		    r[i].dy != r[j].dy || r[i].dx != r[j].dx)
			return false;
		i++;
		j++;
	}
}

/* May conv core b run as channels of core a's group (core_rt.host)? The
 * same phase, input space, kernel, output tile and neuron parameters, and
 * every source reaches both the same way: then both receive the same
 * events, whatever the step. */
static bool same_layer(const snn_config *cfg, uint32_t a, uint32_t b)
{
	static const int same[] = {SNN_R_MODE, SNN_R_PHASE, SNN_R_THRESHOLD, SNN_R_LEAK,
				   SNN_R_RESET, SNN_R_REFRACTORY, SNN_R_V_INIT, SNN_R_FLAGS,
				   SNN_R_IN_C, SNN_R_IN_H, SNN_R_IN_W, SNN_R_POOL, SNN_R_KH,
				   SNN_R_KW, SNN_R_STRIDE, SNN_R_PAD_Y, SNN_R_PAD_X,
				   SNN_R_OUT_Y0, SNN_R_OUT_H, SNN_R_OUT_X0, SNN_R_OUT_W};
	const uint32_t *ra = cfg->core[a].reg, *rb = cfg->core[b].reg;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		if (ra[same[i]] != rb[same[i]])
			return false;
	if (ra[SNN_R_MODE] != SNN_MODE_CONV || !plannable(ra) ||
	    !same_routes_into(cfg->input_route, cfg->global[SNN_G_INPUT_ROUTES], a, b))
		return false;
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES]; c++)
		if (!same_routes_into(cfg->core[c].route, cfg->core[c].reg[SNN_R_ROUTE_COUNT], a, b))
			return false;
	return true;
}

/* Group the split layers' cores (core_rt.host); returns the most neurons
 * of one group. */
static uint32_t group_layers(snn_sim *sim)
{
	uint32_t most = 0;
	for (uint32_t c = 0; c < sim->n_cores;) {
		core_rt *h = &sim->core[c];
		uint32_t m = 1, nc = sim->cfg.core[c].reg[SNN_R_OUT_NC];
		uint32_t neurons = sim->cfg.core[c].reg[SNN_R_N_NEURONS];
		h->host = h;
		h->n_members = 1;
		while (c + m < sim->n_cores && m < UINT16_MAX && same_layer(&sim->cfg, c, c + m)) {
			core_rt *k = &sim->core[c + m];
			k->host = h;
			k->ch_off = nc;
			nc += sim->cfg.core[c + m].reg[SNN_R_OUT_NC];
			neurons += sim->cfg.core[c + m].reg[SNN_R_N_NEURONS];
			m++;
		}
		h->n_members = m;
		most = neurons > most ? neurons : most;
		c += m;
	}
	return most;
}

static bool init_core(snn_sim *sim, uint32_t c)
{
	core_rt *k = &sim->core[c];
	const snn_core_cfg *kc = &sim->cfg.core[c];
	bool ok = true;
	k->reg = kc->reg;
	k->bias = kc->bias;
	k->syn = kc->syn;
	k->in_c = kc->reg[SNN_R_IN_C];
	k->in_h = kc->reg[SNN_R_IN_H];
	k->in_w = kc->reg[SNN_R_IN_W];
	k->mode = kc->reg[SNN_R_MODE];
	k->phase = kc->reg[SNN_R_PHASE];
	k->n_routes = kc->reg[SNN_R_ROUTE_COUNT];
	k->n_neurons = k->mode ? kc->reg[SNN_R_N_NEURONS] : 0;
	k->n_axons = kc->reg[SNN_R_N_AXONS];
	k->np = snn_config_neuron_params(&sim->cfg, c);
	k->v_init = (int32_t)kc->reg[SNN_R_V_INIT];
	uint32_t n = k->n_neurons;
	k->stride = (n + SIM_BLOCK - 1) / SIM_BLOCK * SIM_BLOCK;
	k->plane = kc->reg[SNN_R_OUT_H] * kc->reg[SNN_R_OUT_W];
	if (k->host != k)
		return true;	/* its host holds it all */
	if (snn_mode_is_map(k->mode)) {
		k->nc = 0;
		for (uint32_t m = 0; m < k->n_members; m++)
			k->nc += sim->cfg.core[c + m].reg[SNN_R_OUT_NC];
		k->ncp = conv_lanes(k->nc);
		uint64_t padded = (uint64_t)k->plane * k->ncp;
		k->stride = (uint32_t)((padded + SIM_BLOCK - 1) / SIM_BLOCK * SIM_BLOCK);
	}
	k->flat = k->mode == SNN_MODE_DENSE && k->in_h == 1 && k->in_w == 1;
	k->v = xcalloc(k->stride, sizeof *k->v, &ok);
	k->ref = xcalloc(k->stride, sizeof *k->ref, &ok);
	for (int b = 0; b < 2; b++)
		k->acc[b].sum = xcalloc(k->stride, sizeof(int32_t), &ok);
	/* room for the kernels' whole-vector list writes (kernels.h) */
	k->live = xcalloc(k->stride + SIM_BLOCK, sizeof *k->live, &ok);
	k->next_live = xcalloc(k->stride + SIM_BLOCK, sizeof *k->next_live, &ok);
	uint32_t words = kc->reg[SNN_R_SYN_COUNT];
	bool bytes = true;
	for (uint32_t i = 0; i < words && bytes; i++)
		bytes = kc->syn[i] >= INT8_MIN && kc->syn[i] <= INT8_MAX;
	/* Padded byte rows, unless padding would make them larger than the
	 * configuration's 16-bit weights (and more than 1 MiB): tiny cores. */
	uint64_t padded = (uint64_t)k->stride * k->n_axons;
	if (ok && k->mode == SNN_MODE_DENSE && bytes &&
	    (padded <= 2 * (uint64_t)n * k->n_axons || padded <= (1u << 20)))
		ok = init_dense8(k);
	if (ok && snn_mode_is_map(k->mode))
		ok = init_conv(sim, k);
	return ok;
}

/* The axon of dense core k that an event at (c, y, x) reaches, if any
 * (docs/core-array.md). */
static inline bool dense_axon(const core_rt *k, int64_t c, int64_t y, int64_t x, uint64_t *axon)
{
	if (k->flat) {
		if ((y | x) != 0 || (uint64_t)c >= k->in_c)
			return false;
		*axon = (uint64_t)c;
	} else {
		if (c < 0 || y < 0 || x < 0 || c >= k->in_c || y >= k->in_h || x >= k->in_w)
			return false;
		*axon = ((uint64_t)c * k->in_h + (uint64_t)y) * k->in_w + (uint64_t)x;
	}
	return *axon < k->n_axons;
}

static inline void neuron_coord(const core_rt *k, uint32_t n, int64_t *c, int64_t *y,
				int64_t *x)
{
	if (k->mode == SNN_MODE_DENSE) {
		*c = n;
		*y = 0;
		*x = 0;
		return;
	}
	uint32_t oh = k->reg[SNN_R_OUT_H], ow = k->reg[SNN_R_OUT_W];
	*c = n / (oh * ow);
	*y = (n / ow) % oh;
	*x = n % ow;
}

/* Routes from core src (NULL: the host input). Input events and spikes
 * routed to a later phase arrive within the step, the others in the next
 * step (docs/neuron-model.md). */
static route_rt *compile_routes(snn_sim *sim, const snn_route *routes, uint32_t n,
				const core_rt *src, bool *ok)
{
	route_rt *rt = xcalloc(n, sizeof *rt, ok);
	for (uint32_t i = 0; *ok && i < n; i++) {
		const snn_route *r = &routes[i];
		core_rt *d = r->dest == SNN_ROUTE_HOST ? NULL : &sim->core[r->dest];
		rt[i] = (route_rt){.src_lo = r->src_lo, .src_hi = r->src_hi, .dest = d,
				   .dc = r->dc, .dy = r->dy, .dx = r->dx,
				   .next_step = src && d && d->phase <= src->phase};
	}
	return rt;
}

/* Coordinates of input index q: from the table, or by division for inputs
 * too large to tabulate. */
static inline void input_coord(const snn_sim *sim, uint32_t q, int64_t *c, int64_t *y,
			       int64_t *x)
{
	if (sim->in_coord) {
		*c = sim->in_coord[q][0];
		*y = sim->in_coord[q][1];
		*x = sim->in_coord[q][2];
		return;
	}
	*c = q / (sim->in_h * sim->in_w);
	*y = q / sim->in_w % sim->in_h;
	*x = q % sim->in_w;
}

/* The input cell of planned conv core k that an event at (c, y, x)
 * reaches, or NO_CELL. Also NO_CELL where no tap of the position reaches
 * an output (a stride larger than the kernel: resnet's 1 x 1 projections
 * of stride 2 take a quarter of their input): such an event adds nothing,
 * so it need not be listed, and without it the update is the same (zero
 * sums leave a neuron that is not live as it was). */
static inline uint32_t conv_cell(const core_rt *k, int64_t c, int64_t y, int64_t x)
{
	if (c < 0 || y < 0 || x < 0 || c >= k->in_c || y >= k->in_h || x >= k->in_w)
		return NO_CELL;
	const int64_t pool = k->reg[SNN_R_POOL], py = y / pool, px = x / pool;
	if (py >= k->ph || px >= k->pw || k->n_taps[py * k->pw + px] == 0)
		return NO_CELL;
	return (uint32_t)((py * k->pw + px) * k->in_c + c);
}

static bool fast_route(const route_rt *rt)
{
	return rt->dest && ((rt->dest->mode == SNN_MODE_DENSE && rt->dest->max16) ||
			    (snn_mode_is_map(rt->dest->mode) && rt->dest->planned));
}

/* The sources lo .. hi - 1 of route rt (from core src, or the input when
 * NULL) that can reach an axon. Worked out for the common case of flat
 * sources (dense neurons, or a C x 1 x 1 input: coordinate (s, 0, 0)) going
 * to a flat dense core; otherwise the route's whole range. */
static void lane_span(const snn_sim *sim, const route_rt *rt, const core_rt *src,
		      uint32_t n_src, uint32_t *lo, uint32_t *hi)
{
	*lo = rt->src_lo < n_src ? rt->src_lo : n_src;
	*hi = rt->src_hi < n_src ? rt->src_hi : n_src;
	bool flat_src = src ? src->mode == SNN_MODE_DENSE : sim->in_h == 1 && sim->in_w == 1;
	if (!flat_src || !rt->dest->flat || *hi <= *lo)
		return;
	int64_t lim = rt->dest->in_c < rt->dest->n_axons ? rt->dest->in_c : rt->dest->n_axons;
	int64_t a = -(int64_t)rt->dc, b = lim - rt->dc;	/* s + dc in [0, lim) */
	if (rt->dy || rt->dx || b <= *lo || a >= *hi) {
		*hi = *lo;
		return;
	}
	if (a > *lo)
		*lo = (uint32_t)a;
	if (b < *hi)
		*hi = (uint32_t)b;
}

/* SNN_SIM_CONV=positions: every planned conv core's step goes through
 * add_positions (no masks, no all_in, no sorted_in), for the tests. */
static bool only_positions(void)
{
	const char *env = getenv("SNN_SIM_CONV");
	return env && strcmp(env, "positions") == 0;
}

/* Can route rt from core src go as a seg_lane (core_rt.sorted_in)? The
 * source a conv core alone (not a split layer's group, whose members fire
 * one after another), the destination a planned conv core of several
 * input channels, without pooling (an event's cell is then its own:
 * source neurons reach distinct cells, and those of one position come
 * together), that no other route reaches. */
static bool seg_route(const route_rt *rt, const core_rt *src)
{
	const core_rt *d = rt->dest;
	return src && snn_mode_is_map(src->mode) && src->host == src && src->n_members == 1 && d &&
	       d->mode == SNN_MODE_CONV && d->planned && d->host == d && d->routes_in == 1 &&
	       d->in_c > 1 && d->reg[SNN_R_POOL] == 1 && !only_positions();
}

/* The tables of seg_lane lane for route rt from conv core src. */
static bool build_seg(seg_lane *lane, const route_rt *rt, const core_rt *src)
{
	bool ok = true;
	core_rt *d = rt->dest;
	*lane = (seg_lane){.dest = d, .next_step = rt->next_step};
	lane->pp = xcalloc(src->stride, sizeof *lane->pp, &ok);
	lane->w_off = xcalloc(src->stride, sizeof *lane->w_off, &ok);
	for (int b = 0; b < 2; b++) {	/* at most a spike of each source neuron */
		d->seg_in[b] = xcalloc((size_t)src->stride + 1, sizeof *d->seg_in[b], &ok);
		d->seg_start[b] = xcalloc((size_t)d->n_pp + 2, sizeof *d->seg_start[b], &ok);
	}
	if (!ok)
		return false;
	const uint32_t w_step = d->reg[SNN_R_KH] * d->reg[SNN_R_KW] * d->ncp;
	for (uint32_t i = 0; i < src->stride; i++) {
		const uint32_t n = src->neuron_of[i];
		uint32_t cell = NO_CELL;
		int64_t c, y, x;
		if (n != NO_CELL && n >= rt->src_lo && n < rt->src_hi) {
			neuron_coord(src, n, &c, &y, &x);
			cell = conv_cell(d, c + rt->dc, y + rt->dy, x + rt->dx);
		}
		lane->pp[i] = cell == NO_CELL ? NO_CELL : cell / d->in_c;
		lane->w_off[i] = cell == NO_CELL ? 0 : cell % d->in_c * w_step;
	}
	d->sorted_in = true;
	return true;
}

/* The lanes of the n_src sources routed by routes (from core src, or from
 * the input when src is NULL). Fast routes become lanes in order while the
 * lanes' entries stay within FAN_BUDGET(n_src); the sources of any other
 * route are slow. */
#define FAN_BUDGET(n_src) ((uint64_t)4 * (n_src) + ((uint64_t)1 << 20))

static bool build_fanout(snn_sim *sim, fanout *f, const route_rt *routes, uint32_t n_routes,
			 core_rt *src, uint32_t n_src)
{
	enum { SLOW, LANE, NOTHING, SEG };	/* what becomes of each route */
	bool ok = true;
	uint64_t entries = 0;
	uint8_t *kind = xcalloc(n_routes, 1, &ok);
	uint32_t n_lanes = 0;
	for (uint32_t i = 0; ok && i < n_routes; i++) {
		const route_rt *rt = &routes[i];
		uint32_t lo, hi;
		if (rt->dest && rt->dest->host != rt->dest) {
			kind[i] = NOTHING;	/* its host receives the same events */
			continue;
		}
		if (!fast_route(rt))
			continue;
		lane_span(sim, rt, src, n_src, &lo, &hi);
		uint64_t len = hi - lo;
		if (len == 0)
			kind[i] = NOTHING;	/* no source reaches an axon */
		else if (entries + len + 1 <= FAN_BUDGET(n_src)) {
			kind[i] = LANE;
			entries += len + 1;
			n_lanes++;
		}
	}
	/* A source of which no spike goes by route_event may list its spikes
	 * for sorted_in cores itself (none reaches them otherwise). */
	uint32_t n_seg = 0;
	bool any_slow = false;
	for (uint32_t i = 0; i < n_routes; i++)
		any_slow |= kind[i] == SLOW && routes[i].src_lo < routes[i].src_hi &&
			    routes[i].src_lo < n_src;
	for (uint32_t i = 0; i < n_routes && !any_slow; i++)
		if (kind[i] == LANE && seg_route(&routes[i], src)) {
			kind[i] = SEG;
			n_seg++;
			n_lanes--;
		}
	if (!ok || n_lanes + n_seg == 0) {
		free(kind);
		return ok;
	}
	f->slow = xcalloc(n_src, 1, &ok);
	f->lane = xcalloc(n_lanes, sizeof *f->lane, &ok);
	if (n_seg)
		src->seg = xcalloc(n_seg, sizeof *src->seg, &ok);
	for (uint32_t i = 0; ok && i < n_routes; i++)
		if (kind[i] == SEG)
			ok = build_seg(&src->seg[src->n_seg++], &routes[i], src);
	/* Sources of the other routes go by route_event, all their routes. */
	for (uint32_t i = 0; ok && i < n_routes; i++)
		for (uint32_t s = routes[i].src_lo; kind[i] == SLOW && s < routes[i].src_hi && s < n_src;
		     s++)
			f->slow[s] = 1;
	f->all_fast = ok && !memchr(f->slow, 1, n_src);
	for (uint32_t pass = 0; ok && pass < 2 * n_routes; pass++) {	/* dense lanes, then conv */
		uint32_t i = pass % n_routes;
		if (kind[i] != LANE || snn_mode_is_map(routes[i].dest->mode) != (pass >= n_routes))
			continue;
		const route_rt *rt = &routes[i];
		f->n_row_lanes += !snn_mode_is_map(rt->dest->mode);
		fan_lane *lane = &f->lane[f->n_lanes++];
		uint32_t lo, hi;
		lane_span(sim, rt, src, n_src, &lo, &hi);
		*lane = (fan_lane){.dest = rt->dest, .next_step = rt->next_step, .lo = lo,
				   .len = hi - lo};
		bool conv = snn_mode_is_map(rt->dest->mode);
		if (conv) {
			if (!(lane->cell = xcalloc((size_t)lane->len + 1, sizeof *lane->cell, &ok)))
				break;
			for (uint32_t j = 0; j <= lane->len; j++)
				lane->cell[j] = NO_CELL;
		} else if (!(lane->row = xcalloc((size_t)lane->len + 1, sizeof *lane->row, &ok)))
			break;
		for (uint32_t s = lane->lo; s < hi; s++) {
			int64_t c, y, x;
			uint64_t axon;
			if (f->slow[s])
				continue;
			if (src)
				neuron_coord(src, s, &c, &y, &x);
			else
				input_coord(sim, s, &c, &y, &x);
			if (conv)
				lane->cell[s - lane->lo] =
					conv_cell(rt->dest, c + rt->dc, y + rt->dy, x + rt->dx);
			else if (dense_axon(rt->dest, c + rt->dc, y + rt->dy, x + rt->dx, &axon))
				lane->row[s - lane->lo] = rt->dest->syn8 + axon * rt->dest->stride;
		}
		lane->full = !conv && lane->lo == 0 && lane->len == n_src;
		for (uint32_t j = 0; lane->full && j < lane->len; j++)
			lane->full = lane->row[j] != NULL;
	}
	free(kind);
	if (!ok)
		free_fanout(f);
	return ok;
}

/* The input channels lo .. hi of its destination that route rt from src
 * (NULL: the host input) reaches: a source's channel grows with its index. */
static void route_channels(const snn_sim *sim, const core_rt *src, const route_rt *rt,
			   int64_t *lo, int64_t *hi)
{
	int64_t y, x;
	if (src) {
		neuron_coord(src, rt->src_lo, lo, &y, &x);
		neuron_coord(src, rt->src_hi - 1, hi, &y, &x);
	} else {
		input_coord(sim, rt->src_lo, lo, &y, &x);
		input_coord(sim, rt->src_hi - 1, hi, &y, &x);
	}
	*lo += rt->dc;
	*hi += rt->dc;
}

/* At most how many events one input cell of conv core k can receive in a
 * step: a source fires at most once a step, so pool^2 for each route into
 * k that reaches the cell's channel (a group's host receives its
 * members'). Sets *ok to false when out of memory. */
static uint64_t events_per_cell(const snn_sim *sim, const core_rt *k, bool *ok)
{
	uint32_t n = 0, total = sim->n_in_routes;
	for (uint32_t c = 0; c < sim->n_cores; c++)
		total += sim->core[c].n_routes;
	int64_t (*span)[2] = xcalloc(total ? total : 1, sizeof *span, ok);
	for (uint32_t c = 0; *ok && c <= sim->n_cores; c++) {	/* n_cores: the input */
		const core_rt *src = c < sim->n_cores ? &sim->core[c] : NULL;
		const route_rt *rt = src ? src->route : sim->in_route;
		for (uint32_t i = 0; i < (src ? src->n_routes : sim->n_in_routes); i++)
			if (rt[i].dest == k && rt[i].src_hi > rt[i].src_lo) {
				route_channels(sim, src, &rt[i], &span[n][0], &span[n][1]);
				n++;
			}
	}
	uint64_t most = 0;	/* routes over one channel: the most start at some route's first */
	for (uint32_t i = 0; *ok && i < n; i++) {
		uint64_t over = 0;
		for (uint32_t j = 0; j < n; j++)
			over += span[j][0] <= span[i][0] && span[i][0] <= span[j][1];
		most = over > most ? over : most;
	}
	free(span);
	const uint64_t pool = k->reg[SNN_R_POOL] ? k->reg[SNN_R_POOL] : 1;
	return most * pool * pool;
}

/* The largest |sum| one step can give a neuron of planned conv core k,
 * whose cells receive at most per_cell events a step: each adds a tap's
 * weight to a neuron at most once, so per_cell times the largest sum of
 * |weights| of one output channel. */
static uint64_t conv16_bound(const core_rt *k, uint64_t per_cell)
{
	const uint64_t taps = (uint64_t)k->in_c * k->reg[SNN_R_KH] * k->reg[SNN_R_KW];
	uint64_t most = 0;
	for (uint32_t o = 0; o < k->ncp; o++) {
		uint64_t total = 0;
		for (uint64_t t = 0; t < taps; t++)
			total += (uint64_t)abs(k->wt[t * k->ncp + o]);
		most = total > most ? total : most;
	}
	return most * per_cell;
}

/* Set up core_rt.masked for direct core k if it applies: 16-bit sums, a
 * whole number of output columns in 16 lanes (G = 16 / ncp of them: ncp
 * 4, 8 or 16), g = stride x G input columns a group (at most 4, so that
 * the patterns stay small), kernel rows that span at most one unit more
 * (kw - 1 <= g: a group's taps fit 32 lanes), and output rows within 64
 * bits of columns. Input column px is bit px + mask_x0 of its row's mask,
 * so that the taps of bit i of group n on output column c, n G - G <= c <
 * n G + G (units n - 1 and n: the pattern's 32 lanes), satisfy
 * i + g n = stride c + kx + off, with off = g - (kw - 1) >= 0 keeping
 * every bit that has taps within the mask. At stride 1 a group's pattern
 * is its columns' kernel rows side by side; at stride 2 (resnet's stem)
 * the events of 2 input columns sum into one output column. */
static bool init_masks(core_rt *k)
{
	const uint32_t *r = k->reg;
	const uint32_t kh = r[SNN_R_KH], kw = r[SNN_R_KW], ncp = k->ncp, s = r[SNN_R_STRIDE];
	const uint64_t big = (uint64_t)16 * s / ncp;
	const uint32_t g = big <= 4 ? (uint32_t)big : 0, cols = 16 / ncp, off = g + 1 - kw;
	const uint64_t units = ((uint64_t)r[SNN_R_OUT_W] * ncp + 15) / 16;
	if (only_positions() || !k->direct || !k->conv16 || k->mode != SNN_MODE_CONV ||
	    16 % ncp != 0 || g == 0 || kw > g + 1 || units > SIM_MASK_UNITS ||
	    g * (units + 2) > 64 || k->pw >= (1u << 16))
		return true;
	bool ok = true;
	/* output row oy reads input rows y0 + stride oy .. y0 + stride oy + kh - 1 */
	k->n_mask_rows = s * (r[SNN_R_OUT_H] - 1) + kh;
	k->row_mask = xcalloc(k->n_mask_rows, sizeof *k->row_mask, &ok);
	k->pattern = xcalloc((size_t)kh << g, sizeof *k->pattern, &ok);
	if (!ok)
		return false;
	for (uint32_t ky = 0; ky < kh; ky++)
		for (uint32_t p = 0; p < (1u << g); p++)
			for (uint32_t i = 0; i < g; i++)
				for (uint32_t kx = 0; p >> i & 1 && kx < kw; kx++) {
					/* output column c - (n - 1) G, if kx reaches one */
					const int32_t t = (int32_t)i - (int32_t)kx - (int32_t)off;
					if ((t % (int32_t)s + (int32_t)s) % (int32_t)s != 0)
						continue;
					const uint32_t l0 = (uint32_t)((int32_t)cols + t / (int32_t)s) * ncp;
					const int16_t *w = k->wt + (ky * kw + kw - 1 - kx) * ncp;
					int16_t *pat = k->pattern[(ky << g) + p];
					for (uint32_t ch = 0; ch < ncp; ch++)
						pat[l0 + ch] = (int16_t)(uint16_t)((uint16_t)pat[l0 + ch] +
										   (uint16_t)w[ch]);
				}
	k->mask_x0 = (int32_t)r[SNN_R_PAD_X] - (int32_t)(s * r[SNN_R_OUT_X0]) + (int32_t)off;
	k->mask_y0 = (int32_t)(s * r[SNN_R_OUT_Y0]) - (int32_t)r[SNN_R_PAD_Y];
	k->mask_group = g;
	k->pw_div = (((uint64_t)1 << 40) + k->pw - 1) / k->pw;
	k->masked = true;
	return true;
}

/* add_sorted's scratch for planned conv core k (core_rt.sort). */
static bool init_sort(core_rt *k)
{
	enum { MAX_SHAPES = 64 };	/* more share the last one */
	bool ok = true;
	uint32_t shapes[MAX_SHAPES][2], n_shapes = 0;
	k->run_len_of = xcalloc(k->n_pp, sizeof *k->run_len_of, &ok);
	k->shape = xcalloc(k->n_pp, sizeof *k->shape, &ok);
	for (uint32_t pp = 0; ok && pp < k->n_pp; pp++) {
		const uint32_t r0 = k->run_start[pp], n = k->run_start[pp + 1] - r0;
		uint32_t len = n ? k->run[r0][2] : 0, s = 0;
		for (uint32_t i = 1; i < n; i++)
			len = k->run[r0 + i][2] == len ? len : 0;
		k->run_len_of[pp] = len;
		while (s < n_shapes && (shapes[s][0] != n || shapes[s][1] != len))
			s++;
		if (s == n_shapes && n_shapes < MAX_SHAPES) {
			shapes[s][0] = n;
			shapes[s][1] = len;
			n_shapes++;
		}
		k->shape[pp] = (uint8_t)(s < MAX_SHAPES ? s : MAX_SHAPES - 1);
	}
	k->n_keys = (n_shapes ? n_shapes : 1) * (k->in_c + 1);
	k->sort_at = xcalloc((size_t)k->n_keys + 1, sizeof *k->sort_at, &ok);
	k->sort_key = xcalloc(k->n_pp + 1, sizeof *k->sort_key, &ok);
	k->sort_pos = xcalloc(k->n_pp + 1, sizeof *k->sort_pos, &ok);
	k->all_pos = xcalloc(k->n_pp + 1, sizeof *k->all_pos, &ok);
	k->sort = ok;
	return ok;
}

/* Which planned conv cores keep their step sums in 16 bits, and which
 * receive at most one event per position a step (core_rt.conv16, direct). */
static bool init_conv_sums(snn_sim *sim)
{
	bool ok = true;
	for (uint32_t c = 0; ok && c < sim->n_cores; c++) {
		core_rt *k = &sim->core[c];
		if (k->host != k || !snn_mode_is_map(k->mode) || !k->planned)
			continue;
		uint64_t per_cell = events_per_cell(sim, k, &ok);
		k->once = per_cell <= 1;
		k->direct = k->once && k->in_c == 1;
		k->all_in = !k->once && k->in_c <= ALL_IN_C && k->n_pp <= ALL_IN_POSITIONS &&
			    !only_positions();
		if (k->all_in) {
			k->all_pos = xcalloc(k->n_pp, sizeof *k->all_pos, &ok);
			k->all_chan = xcalloc((size_t)k->n_pp * k->in_c, sizeof *k->all_chan, &ok);
			k->all_n = xcalloc(k->n_pp, sizeof *k->all_n, &ok);
		}
		for (int b = 0; ok && k->once && !k->direct && !k->sorted_in && b < 2; b++)
			k->acc[b].chan_in = xcalloc((size_t)k->n_pp * (k->in_c + 1),
						    sizeof *k->acc[b].chan_in, &ok);
		if (ok && conv16_bound(k, per_cell) <= INT16_MAX) {
			k->conv16 = true;
			/* add_masks16 may touch 16 lanes past the last row */
			for (int b = 0; ok && b < 2; b++)
				k->acc[b].sum16 = xcalloc(k->stride + SIM_BLOCK, sizeof(int16_t), &ok);
			if (ok)
				ok = init_masks(k);
		}
		if (ok && k->once && !k->masked && (k->reg[SNN_R_STRIDE] > 1 || k->in_c > 1) &&
		    !only_positions())
			ok = init_sort(k);
	}
	return ok;
}

int snn_sim_create(const snn_config *cfg, snn_sim **out, snn_diag *diag)
{
	*out = NULL;
	int rc = snn_config_validate(cfg, diag);
	if (rc)
		return rc;
	snn_sim *sim = calloc(1, sizeof *sim);
	if (!sim)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory creating the simulator");
	if (snn_config_copy(&sim->cfg, cfg)) {
		free(sim);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory copying the configuration");
	}
	bool ok = true;
	const uint32_t *G = sim->cfg.global;
	sim->n_cores = G[SNN_G_N_CORES];
	sim->in_c = G[SNN_G_INPUT_C];
	sim->in_h = G[SNN_G_INPUT_H];
	sim->in_w = G[SNN_G_INPUT_W];
	sim->in_size = G[SNN_G_INPUT_ROUTES] ? sim->in_c * sim->in_h * sim->in_w : 0;
	sim->core = xcalloc(sim->n_cores, sizeof *sim->core, &ok);
	sim->order = xcalloc(sim->n_cores, sizeof *sim->order, &ok);
	sim->inq = xcalloc(sim->in_size, sizeof *sim->inq, &ok);
	sim->inq_mark = xcalloc(sim->in_size, 1, &ok);
	if (sim->in_size <= MAX_IN_COORD)
		sim->in_coord = xcalloc(sim->in_size, sizeof *sim->in_coord, &ok);
	for (uint32_t q = 0; ok && sim->in_coord && q < sim->in_size; q++) {
		sim->in_coord[q][0] = q / (sim->in_h * sim->in_w);
		sim->in_coord[q][1] = q / sim->in_w % sim->in_h;
		sim->in_coord[q][2] = q % sim->in_w;
	}
	sim->kern = sim_kernels_best();
	uint32_t most = ok ? group_layers(sim) : 0;
	if (most < sim->cfg.geo.neurons_per_core)
		most = sim->cfg.geo.neurons_per_core;
	sim->spikes = xcalloc((size_t)most + 2 * SIM_BLOCK, sizeof *sim->spikes, &ok);
	sim->member_spikes = xcalloc((size_t)most + 2 * SIM_BLOCK, sizeof *sim->member_spikes, &ok);
	for (uint32_t c = 0; ok && c < sim->n_cores; c++)
		ok = init_core(sim, c);
	if (!ok) {
		snn_sim_free(sim);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory creating the simulator");
	}
	sim->n_in_routes = G[SNN_G_INPUT_ROUTES];
	sim->in_route = compile_routes(sim, sim->cfg.input_route, sim->n_in_routes, NULL, &ok);
	for (uint32_t c = 0; ok && c < sim->n_cores; c++)
		sim->core[c].route = compile_routes(sim, sim->cfg.core[c].route,
						    sim->core[c].n_routes, &sim->core[c], &ok);
	for (uint32_t i = 0; ok && i < sim->n_in_routes; i++)
		if (sim->in_route[i].dest)
			sim->in_route[i].dest->routes_in++;
	for (uint32_t c = 0; ok && c < sim->n_cores; c++)
		for (uint32_t i = 0; i < sim->core[c].n_routes; i++)
			if (sim->core[c].route[i].dest)
				sim->core[c].route[i].dest->routes_in++;
	if (ok)
		ok = build_fanout(sim, &sim->in_fan, sim->in_route, sim->n_in_routes, NULL,
				  sim->in_size);
	for (uint32_t c = 0; ok && c < sim->n_cores; c++) {
		core_rt *k = &sim->core[c];
		ok = build_fanout(sim, &k->fan, k->route, k->n_routes, k, k->n_neurons);
	}
	if (ok)
		ok = init_conv_sums(sim);
	if (!ok) {
		snn_sim_free(sim);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory creating the simulator");
	}
	/* Counting sort by phase; cores of one phase keep their id order. */
	for (uint32_t p = 0; p < sim->cfg.geo.max_phases; p++)
		for (uint32_t c = 0; c < sim->n_cores; c++)
			if (sim->core[c].mode && sim->core[c].phase == p)
				sim->order[sim->n_order++] = c;
	snn_sim_reset(sim);
	*out = sim;
	return 0;
}

/* Where neuron n's state lives: conv cores keep it channel-last (core_rt). */
static inline uint32_t state_index(const core_rt *k, uint32_t n)
{
	return snn_mode_is_map(k->mode) ? (n % k->plane) * k->host->ncp + k->ch_off + n / k->plane
					: n;
}

/* The live list (conv cores: only its length, which says whether the
 * core must be updated without input). */
static void rebuild_live(core_rt *k)
{
	k->n_live = 0;
	if (snn_mode_is_map(k->mode))	/* padding is never live */
		for (uint32_t i = 0; i < k->stride; i++)
			k->n_live += snn_neuron_live(&k->np, k->v[i], k->ref[i], k->bias_pad[i]);
	else
		for (uint32_t n = 0; n < k->n_neurons; n++)
			if (snn_neuron_live(&k->np, k->v[n], k->ref[n], k->bias[n]))
				k->live[k->n_live++] = n;
	k->rescan = false;
}

static void clear_acc(const core_rt *k, acc_buf *a)
{
	/* a buffer into which nothing was delivered is all zero already */
	if (!a->all && !a->n_pend && !a->n16 && !a->wide && !a->n_pps && !a->synops)
		return;
	memset(a->sum, 0, k->stride * sizeof *a->sum);
	if (a->sum16)
		memset(a->sum16, 0, k->stride * sizeof *a->sum16);
	for (uint32_t i = 0; i < a->n_pps; i++) {
		memset(a->cnt + (size_t)a->pps[i] * k->in_c, 0, k->in_c * sizeof *a->cnt);
		a->pp_nc[a->pps[i]] = 0;
	}
	a->n_pps = 0;
	a->n16 = 0;
	a->n_pend = 0;
	a->wide = false;
	a->all = false;
	a->synops = 0;
}

void snn_sim_reset(snn_sim *sim)
{
	for (uint32_t c = 0; c < sim->n_cores; c++) {
		core_rt *k = &sim->core[c];
		if (k->host != k)
			continue;	/* reset with its host */
		if (snn_mode_is_map(k->mode))
			for (uint32_t i = 0; i < k->stride; i++)
				k->v[i] = k->neuron_of[i] == NO_CELL ? 0 : k->v_init;
		else
			for (uint32_t n = 0; n < k->n_neurons; n++)
				k->v[n] = k->v_init;
		memset(k->ref, 0, k->stride * sizeof *k->ref);
		k->stray_ref = 0;
		clear_acc(k, &k->acc[0]);
		clear_acc(k, &k->acc[1]);
		rebuild_live(k);
	}
	for (uint32_t i = 0; i < sim->n_inq; i++)
		sim->inq_mark[sim->inq[i]] = 0;
	sim->n_inq = 0;
	sim->step = 0;
}

void snn_sim_reset_counters(snn_sim *sim)
{
	memset(sim->ctr, 0, sizeof sim->ctr);
}

int snn_sim_input(snn_sim *sim, uint32_t index)
{
	if (index >= sim->in_size)
		return SNN_ERR_RANGE;
	if (sim->inq_mark[index])	/* an input spikes at most once per step */
		return SNN_ERR_ARG;
	sim->inq_mark[index] = 1;
	sim->inq[sim->n_inq++] = index;
	return 0;
}

void snn_sim_input_retract(snn_sim *sim, uint32_t k)
{
	for (; k > 0 && sim->n_inq > 0; k--)
		sim->inq_mark[sim->inq[--sim->n_inq]] = 0;
}

/* A dense event with 16-bit weights adds one weight row to the
 * accumulators. Cloned for AVX2 so that the vectorised version runs where
 * it can. */
__attribute__((target_clones("avx2", "default")))
static void add_row16(int32_t *restrict sum, const int16_t *restrict w, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sum[i] += w[i];
}

/* Move the 16-bit sums into the 32-bit ones before they could overflow,
 * or before an update that reads only the 32-bit ones. */
static void fold16(acc_buf *a, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		a->sum[i] += a->sum16[i];
		a->sum16[i] = 0;
	}
	a->n16 = 0;
	a->wide = true;
}

static void add_pending(const snn_sim *sim, core_rt *k, acc_buf *a)
{
	if (a->n16 + a->n_pend > k->max16)
		fold16(a, k->n_neurons);
	sim->kern->add_rows(a->sum16, a->pend, a->n_pend, k->stride);
	a->n16 += a->n_pend;
	a->n_pend = 0;
}

/* An event into input cell e (of in_c channels a pooled position, cell_div
 * as core_rt's) of a planned conv core's buffer (acc_buf's cnt, pp_nc,
 * chans, pps, with n_pps = np); returns the new n_pps. Branch-free: whether
 * the cell and its position are new to the step is as good as random
 * (LeNet-1's layer after a 2 x 2 pool), so the lists are always written
 * and grow only where they should (hence their spare slots). */
static inline uint32_t count_event(uint32_t *restrict cnt, uint32_t *restrict pp_nc,
				   uint32_t *restrict chans, uint32_t *restrict pps, uint32_t np,
				   uint32_t e, uint64_t cell_div, uint32_t in_c)
{
	uint32_t first = cnt[e]++ == 0;
	uint32_t pp = (uint32_t)((e * cell_div) >> 40), nc = pp_nc[pp];
	pps[np] = pp;
	np += first & (nc == 0);
	chans[pp * (in_c + 1) + nc] = e - pp * in_c;
	pp_nc[pp] = nc + first;
	return np;
}

/* count_event for a core_rt.once core: every event is new to its cell, so
 * nothing is counted, and its channel goes into chan_in as add_positions
 * reads it (channel c's weights at c * w_step). */
static inline uint32_t list_event(uint32_t *restrict pp_nc, sim_conv_in *restrict chan_in,
				  uint32_t *restrict pps, uint32_t np, uint32_t e,
				  uint64_t cell_div, uint32_t in_c, uint32_t w_step)
{
	uint32_t pp = (uint32_t)((e * cell_div) >> 40), nc = pp_nc[pp];
	pps[np] = pp;
	np += nc == 0;
	chan_in[pp * (in_c + 1) + nc] = (sim_conv_in){(e - pp * in_c) * w_step, 1};
	pp_nc[pp] = nc + 1;
	return np;
}

/* count_event for a core_rt.all_in core, which reads every channel's count
 * and no list of channels: pp_nc only says whether the position is listed
 * (1), so that its next event need not wait for this one's count of
 * channels (LeNet-1's pooled events come four to a position in a row). */
static inline uint32_t count_all_event(uint32_t *restrict cnt, uint32_t *restrict pp_nc,
				       uint32_t *restrict pps, uint32_t np, uint32_t e,
				       uint64_t cell_div)
{
	uint32_t pp = (uint32_t)((e * cell_div) >> 40);
	cnt[e]++;
	pps[np] = pp;
	np += pp_nc[pp] == 0;
	pp_nc[pp] = 1;
	return np;
}

/* Where channel c's weights start in conv core k's wt: c * conv_w_step(k). */
static inline uint32_t conv_w_step(const core_rt *k)
{
	return k->reg[SNN_R_KH] * k->reg[SNN_R_KW] * k->ncp;
}

/* An event into input cell cell of planned conv core k's buffer a. */
static inline void count_cell(const core_rt *k, acc_buf *a, uint32_t cell)
{
	if (k->direct)
		a->pps[a->n_pps++] = cell;
	else if (k->once)
		a->n_pps = list_event(a->pp_nc, a->chan_in, a->pps, a->n_pps, cell, k->cell_div,
				      k->in_c, conv_w_step(k));
	else if (k->all_in)
		a->n_pps = count_all_event(a->cnt, a->pp_nc, a->pps, a->n_pps, cell, k->cell_div);
	else
		a->n_pps = count_event(a->cnt, a->pp_nc, a->chans, a->pps, a->n_pps, cell,
				       k->cell_div, k->in_c);
	a->all = true;
}

/* Queue a byte row of dense core k for buffer a; the caller counts its
 * synaptic operations. */
static inline void push_row(snn_sim *sim, core_rt *k, acc_buf *a, const int8_t *row)
{
	if (a->n_pend == k->max_pend)
		add_pending(sim, k, a);
	a->pend[a->n_pend++] = row;
	a->all = true;
}

/* An event at (c, y, x) arrives at dense core k into buffer a. */
static inline void deliver_dense(snn_sim *sim, core_rt *k, acc_buf *a, int64_t c, int64_t y,
				 int64_t x)
{
	uint64_t axon;
	if (!dense_axon(k, c, y, x, &axon))
		return;
	const uint32_t nn = k->n_neurons;
	if (k->max16)
		push_row(sim, k, a, k->syn8 + axon * k->stride);
	else {
		add_row16(a->sum, k->syn + axon * nn, nn);
		a->all = true;
	}
	a->synops += nn;
}

/* Does source s go by route_event (all its routes) rather than lanes? */
static inline bool routed_slowly(const fanout *f, uint32_t s)
{
	return !f->slow || f->slow[s];
}

/* Count the events of sources src[0..n) along conv lane lane into buffer
 * a; returns how many there were. */
static inline __attribute__((always_inline)) uint32_t
count_lane(const fan_lane *lane, acc_buf *a, const uint32_t *src, uint32_t n, bool once,
	   bool all_in)
{
	const uint32_t lo = lane->lo, len = lane->len, *cell = lane->cell;
	const uint64_t cell_div = lane->dest->cell_div;
	const uint32_t in_c = lane->dest->in_c, w_step = conv_w_step(lane->dest);
	uint32_t *cnt = a->cnt, *pp_nc = a->pp_nc, *chans = a->chans, *pps = a->pps;
	sim_conv_in *chan_in = a->chan_in;
	uint32_t np = a->n_pps, events = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t q = src[i] - lo;	/* wraps below lo */
		uint32_t e = cell[q < len ? q : len];
		if (e == NO_CELL)
			continue;
		events++;
		np = once     ? list_event(pp_nc, chan_in, pps, np, e, cell_div, in_c, w_step)
		     : all_in ? count_all_event(cnt, pp_nc, pps, np, e, cell_div)
			      : count_event(cnt, pp_nc, chans, pps, np, e, cell_div, in_c);
	}
	a->n_pps = np;
	return events;
}

/* Deliver the events of sources src[0..n) along every lane of f (slow
 * sources have no row in any lane), counting each lane's synaptic
 * operations once, into its buffer. */
static void fan_deliver(snn_sim *sim, const fanout *f, const uint32_t *src, uint32_t n)
{
	const uint32_t cur = sim->step & 1;
	for (uint32_t l = 0; l < f->n_row_lanes; l++) {
		const fan_lane *lane = &f->lane[l];
		core_rt *d = lane->dest;
		acc_buf *a = &d->acc[cur ^ lane->next_step];
		const int8_t *const *row = lane->row, **pend = a->pend;
		const uint32_t max_pend = d->max_pend, lo = lane->lo, len = lane->len;
		uint64_t rows = 0;
		for (uint32_t i = 0; i < n;) {
			if (a->n_pend == max_pend)
				add_pending(sim, d, a);
			/* a chunk that cannot overflow pend: no check inside */
			uint32_t np = a->n_pend, end = i + (n - i < max_pend - np ? n - i : max_pend - np);
			if (lane->full)
				for (; i < end; i++)
					pend[np++] = row[src[i]];
			for (; i < end; i++) {
				uint32_t q = src[i] - lo;	/* wraps below lo */
				const int8_t *r = row[q < len ? q : len];
				pend[np] = r;	/* kept only if not NULL */
				np += r != NULL;
			}
			rows += np - a->n_pend;
			a->n_pend = np;
		}
		a->all |= rows != 0;
		a->synops += rows * d->n_neurons;
	}
	for (uint32_t l = f->n_row_lanes; l < f->n_lanes; l++) {	/* to conv cores: count per cell */
		const fan_lane *lane = &f->lane[l];
		acc_buf *a = &lane->dest->acc[cur ^ lane->next_step];
		uint32_t events = 0;
		if (lane->dest->direct) {	/* each cell new to the step: only list it */
			const uint32_t lo = lane->lo, len = lane->len, *cell = lane->cell;
			uint32_t *pps = a->pps, np = a->n_pps;
			for (uint32_t i = 0; i < n; i++) {
				uint32_t q = src[i] - lo;	/* wraps below lo */
				uint32_t e = cell[q < len ? q : len];
				pps[np] = e;	/* kept only if a cell */
				np += e != NO_CELL;
			}
			events = np - a->n_pps;
			a->n_pps = np;
		} else if (lane->dest->once)
			events = count_lane(lane, a, src, n, true, false);
		else if (lane->dest->all_in)
			events = count_lane(lane, a, src, n, false, true);
		else
			events = count_lane(lane, a, src, n, false, false);
		a->all |= events != 0;
	}
}

/* List the spikes (padded indices, ascending) of conv core k along its
 * seg_lanes: a destination position's events come one after another, so
 * a new position is one that differs from the last one listed, kept in a
 * register, and nothing is read back from memory (count_event's pp_nc). */
static void seg_deliver(const snn_sim *sim, const core_rt *k, const uint32_t *spikes,
			uint32_t n)
{
	const uint32_t cur = sim->step & 1;
	for (uint32_t l = 0; l < k->n_seg; l++) {
		const seg_lane *lane = &k->seg[l];
		acc_buf *a = &lane->dest->acc[cur ^ lane->next_step];
		const uint32_t *restrict to_pp = lane->pp, *restrict to_w = lane->w_off;
		const uint32_t b = cur ^ lane->next_step;
		uint32_t *restrict pps = a->pps, *restrict start = lane->dest->seg_start[b];
		sim_conv_in *restrict in = lane->dest->seg_in[b];
		uint32_t np = 0, j = 0, last = NO_CELL;
		for (uint32_t i = 0; i < n; i++) {
			const uint32_t s = spikes[i], pp = to_pp[s], hit = pp != NO_CELL;
			in[j] = (sim_conv_in){to_w[s], 1};	/* kept if hit */
			pps[np] = pp;	/* kept if a new position */
			start[np] = j;
			np += hit & (pp != last);
			j += hit;
			last ^= (last ^ pp) & (0u - hit);	/* pp if hit, without a branch */
		}
		start[np] = j;
		a->n_pps = np;
		a->all |= j != 0;
	}
}

/* An event at (c, y, x) arrives at conv core k into buffer a: counted in
 * its input cell when the core is planned, otherwise every kernel tap it
 * reaches is added now. */
static void deliver_conv(core_rt *k, acc_buf *a, int64_t c, int64_t y, int64_t x)
{
	if (k->planned) {
		uint32_t cell = conv_cell(k, c, y, x);
		if (cell != NO_CELL)
			count_cell(k, a, cell);
		return;
	}
	const uint32_t *r = k->reg;
	if (c < 0 || y < 0 || x < 0 || c >= k->in_c || y >= k->in_h || x >= k->in_w)
		return;
	const uint32_t pool = r[SNN_R_POOL], kh = r[SNN_R_KH], kw = r[SNN_R_KW];
	const int64_t py = y / pool, px = x / pool;
	if (py >= r[SNN_R_IN_H] / pool || px >= r[SNN_R_IN_W] / pool)
		return;
	uint64_t taps = 0;
	for (uint32_t ky = 0; ky < kh; ky++)
		for (uint32_t kx = 0; kx < kw; kx++) {
			uint32_t pos;
			if (!conv_tap(k, py, px, ky, kx, &pos))
				continue;
			const int16_t *w = k->wt + (((uint64_t)c * kh + ky) * kw + kw - 1 - kx) * k->ncp;
			int32_t *sum = a->sum + (uint64_t)pos * k->ncp;
			for (uint32_t ch = 0; ch < k->nc; ch++)
				sum[ch] += w[ch];
			taps++;
		}
	a->all = true;
	a->synops += taps * k->nc;
}

/* Route one spike (or input event) at coordinate (c, y, x). */
static void route_event(snn_sim *sim, const route_rt *routes, uint32_t n_routes,
			uint32_t src, uint32_t src_core, int64_t c, int64_t y, int64_t x,
			snn_output_fn out, void *ctx)
{
	const uint32_t cur = sim->step & 1;
	for (uint32_t i = 0; i < n_routes; i++) {
		const route_rt *rt = &routes[i];
		if (src < rt->src_lo || src >= rt->src_hi)
			continue;
		core_rt *d = rt->dest;
		if (!d) {
			sim->ctr[SNN_CTR_EVENTS_OUT]++;
			if (out)
				out(ctx, sim->step, (uint16_t)src_core, (uint16_t)src);
			continue;
		}
		if (d->host != d)
			continue;	/* its host receives the same event */
		acc_buf *a = &d->acc[cur ^ rt->next_step];
		if (d->mode == SNN_MODE_DENSE)
			deliver_dense(sim, d, a, c + rt->dc, y + rt->dy, x + rt->dx);
		else
			deliver_conv(d, a, c + rt->dc, y + rt->dy, x + rt->dx);
	}
}

/* Report and route the spikes of one core. */
static inline __attribute__((always_inline)) void fire(snn_sim *sim, uint32_t core, const uint32_t *spikes, uint32_t n_spikes,
		 snn_output_fn out, snn_spike_fn spike, void *ctx)
{
	core_rt *k = &sim->core[core];
	sim->ctr[SNN_CTR_SPIKES] += n_spikes;
	if (spike || !k->fan.all_fast)
		for (uint32_t i = 0; i < n_spikes; i++) {
			uint32_t n = spikes[i];
			if (spike)
				spike(ctx, sim->step, (uint16_t)core, (uint16_t)n);
			if (!routed_slowly(&k->fan, n))
				continue;	/* fan_deliver's */
			int64_t c, y, x;
			neuron_coord(k, n, &c, &y, &x);
			route_event(sim, k->route, k->n_routes, n, core, c, y, x, out, ctx);
		}
	fan_deliver(sim, &k->fan, spikes, n_spikes);
}

/* Update one neuron and remember it if it must be updated next step too. */
static inline bool update_neuron(core_rt *k, int32_t *sum, uint32_t n, uint32_t *n_next)
{
	bool spiked = snn_neuron_step(&k->np, &k->v[n], &k->ref[n], (int64_t)*sum + k->bias[n]);
	*sum = 0;
	if (snn_neuron_live(&k->np, k->v[n], k->ref[n], k->bias[n]))
		k->next_live[(*n_next)++] = n;
	return spiked;
}

/* Update every neuron of a core. With plain_if (no leak, no refractory
 * period, known at the call) the compiler drops that arithmetic from the
 * inlined neuron step: the common case of converted networks. */
static inline __attribute__((always_inline)) uint32_t
update_all(core_rt *k, acc_buf *a, uint32_t *spikes, uint32_t *n_next, bool plain_if)
{
	snn_neuron_params np = k->np;
	if (plain_if) {
		np.leak = 0;
		np.refractory = 0;
	}
	uint32_t n_spikes = 0;
	for (uint32_t n = 0; n < k->n_neurons; n++) {
		uint32_t ref = plain_if ? 0 : k->ref[n];
		bool spiked = snn_neuron_step(&np, &k->v[n], &ref, (int64_t)a->sum[n] + k->bias[n]);
		if (!plain_if)
			k->ref[n] = ref;
		a->sum[n] = 0;
		if (snn_neuron_live(&np, k->v[n], ref, k->bias[n]))
			k->next_live[(*n_next)++] = n;
		if (spiked)
			spikes[n_spikes++] = n;
	}
	return n_spikes;
}

/* The plain-IF update of update_all for dense cores whose sums are all in
 * sum16 (narrow: nothing can overflow), by the vector kernel. */
static uint32_t update_if16(const snn_sim *sim, core_rt *k, acc_buf *a, uint32_t *spikes,
			    uint32_t *n_next)
{
	sim_if_args args = {.v = k->v, .sum = a->sum16, .bias = k->bias_pad, .n = k->stride,
			    .vmin = k->np.vmin, .vmax = k->np.vmax, .theta = k->np.threshold,
			    .spiking = k->np.spiking, .reset_zero = k->np.reset == SNN_RESET_ZERO,
			    .spikes = spikes, .live = k->next_live};
	a->n16 = 0;
	return sim->kern->if_step(&args, n_next);
}

/* Add the taps of the n_pos positions gathered in conv core k's scratch
 * core_rt.pos, with their channels in in, to buffer a's sums, 16 or 32
 * bits wide. */
static void add_chunk(const snn_sim *sim, const core_rt *k, acc_buf *a, uint32_t n_pos,
		      const sim_conv_in *in)
{
	if (k->conv16)
		sim->kern->add_positions16(a->sum16, k->wt, k->run, k->pos, n_pos, in);
	else
		sim->kern->add_positions(a->sum, k->wt, k->run, k->pos, n_pos, in);
}

/* Add the taps of every pooled position of planned conv core k's buffer
 * a that received events, all its input channels at once, each times its
 * count of events, and count their synaptic operations. */
static void add_positions(const snn_sim *sim, core_rt *k, acc_buf *a)
{
	const uint32_t khw_ncp = conv_w_step(k), in_c = k->in_c;
	sim_conv_in *restrict in = k->in;
	sim_conv_pos *restrict pos = k->pos;
	uint64_t taps = 0;
	uint32_t n_pos = 0, n_in_all = 0;
	const bool direct = k->direct, once = k->once && !direct;
	/* once cores' channels are listed already, in chan_in's slots */
	const sim_conv_in *chunk_in = once ? a->chan_in : in;
	if (direct)	/* channel 0, one event, nothing counted */
		in[0] = (sim_conv_in){0, 1};
	for (uint32_t i = 0; i < a->n_pps; i++) {
		uint32_t pp = a->pps[i], n_in = direct ? 1 : a->pp_nc[pp], events = 0;
		if (n_pos == CONV_CHUNK_POS || n_in_all + n_in > k->in_cap) {
			add_chunk(sim, k, a, n_pos, chunk_in);
			n_pos = n_in_all = 0;
		}
		uint32_t *restrict cnt = a->cnt + (size_t)pp * in_c;
		const uint32_t *restrict chan = a->chans + (size_t)pp * (in_c + 1);
		bool mul = false;
		uint32_t in0 = n_in_all;
		if (direct) {
			in0 = 0;
			events = 1;
		} else if (once) {
			in0 = pp * (in_c + 1);
			events = n_in;
		} else {
			/* several channels multiply even by counts of 1: whether all
			 * are 1 is as good as random after pooling (kernels' mul) */
			mul = n_in > 1;
			for (uint32_t j = 0; j < n_in; j++) {
				uint32_t c = chan[j], e = cnt[c];
				in[n_in_all + j] = (sim_conv_in){c * khw_ncp, (int32_t)e};
				events += e;
				mul |= e != 1;
				cnt[c] = 0;
			}
			n_in_all += n_in;	/* only counted channels fill the scratch */
		}
		uint32_t r0 = k->run_start[pp];
		pos[n_pos++] = (sim_conv_pos){r0, k->run_start[pp + 1] - r0, in0, n_in, mul, 0};
		taps += (uint64_t)k->n_taps[pp] * events;
		a->pp_nc[pp] = 0;
	}
	add_chunk(sim, k, a, n_pos, chunk_in);
	a->n_pps = 0;
	a->synops += taps * k->nc;
}

/* add_positions for a core_rt.sort core (one event a cell, so every
 * count is 1): the positions handed to the kernel ordered by their shape
 * (number and length of runs) and number of channels with events (a
 * counting sort), so that the
 * kernel's loops over a position's runs and channels run as often as the
 * last position's. Without it, they follow the parity of a strided
 * core's positions and how many channels fired, as good as random, and
 * mispredict. The channels are listed by seg_deliver (sorted_in), by
 * list_event (once, in chan_in's slots), or are the one channel of a
 * direct core. */
static void add_sorted(const snn_sim *sim, core_rt *k, acc_buf *a)
{
	const uint32_t b = (uint32_t)(a - k->acc);	/* the step's parity */
	const uint32_t *restrict pps = a->pps, *restrict start = k->seg_start[b];
	const uint32_t n_pps = a->n_pps, width = k->in_c + 1;
	const bool seg = k->sorted_in, direct = k->direct;
	uint32_t *restrict at = k->sort_at, *restrict key = k->sort_key;
	uint32_t *restrict pp_nc = a->pp_nc;
	const uint32_t *restrict run_start = k->run_start, *restrict n_taps = k->n_taps;
	const uint32_t *restrict run_len_of = k->run_len_of;
	const uint8_t *restrict shape = k->shape;
	sim_conv_pos *restrict listed = k->sort_pos, *restrict pos = k->all_pos;
	const sim_conv_in *in = seg ? k->seg_in[b] : direct ? k->in : a->chan_in;
	uint64_t taps = 0;
	if (direct)	/* channel 0, one event */
		k->in[0] = (sim_conv_in){0, 1};
	memset(at, 0, (k->n_keys + 1) * sizeof *at);
	for (uint32_t i = 0; i < n_pps; i++) {
		const uint32_t pp = pps[i], r0 = run_start[pp], n_runs = run_start[pp + 1] - r0;
		uint32_t n_in = 1, in0 = 0;
		if (seg) {
			in0 = start[i];
			n_in = start[i + 1] - start[i];
		} else if (!direct) {
			in0 = pp * width;
			n_in = pp_nc[pp];
			pp_nc[pp] = 0;
		}
		listed[i] = (sim_conv_pos){r0, n_runs, in0, n_in, false, run_len_of[pp]};
		key[i] = shape[pp] * width + n_in;
		at[key[i] + 1]++;
		taps += (uint64_t)n_taps[pp] * n_in;
	}
	for (uint32_t j = 1; j <= k->n_keys; j++)
		at[j] += at[j - 1];
	for (uint32_t i = 0; i < n_pps; i++)
		pos[at[key[i]]++] = listed[i];
	if (k->conv16)
		sim->kern->add_alike16(a->sum16, k->wt, k->run, pos, n_pps, in);
	else
		sim->kern->add_positions(a->sum, k->wt, k->run, pos, n_pps, in);
	a->n_pps = 0;
	a->synops += taps * k->nc;
}

/* add_positions for a core_rt.masked core: the step's events become bits
 * of their input rows' masks, and add_masks16 adds them all. */
static void add_masks(const snn_sim *sim, core_rt *k, acc_buf *a)
{
	uint64_t *restrict mask = k->row_mask;
	const uint32_t *restrict pps = a->pps;
	const uint64_t pw_div = k->pw_div;
	const uint32_t pw = k->pw, n_rows = k->n_mask_rows;
	const int32_t y0 = k->mask_y0, x0 = k->mask_x0;
	uint64_t taps = 0;
	for (uint32_t i = 0; i < a->n_pps; i++) {
		const uint32_t pp = pps[i], py = (uint32_t)((pp * pw_div) >> 40);
		const int64_t row = (int64_t)py - y0, bit = (int64_t)(pp - py * pw) + x0;
		taps += k->n_taps[pp];
		/* an event out of these has no taps (kernels.h: g(u + 2) <= 64) */
		if (row >= 0 && row < n_rows && bit >= 0 && bit < 64)
			mask[row] |= (uint64_t)1 << bit;
	}
	sim_conv_masks m = {.sum = a->sum16, .mask = mask,
			    .pattern = (const int16_t(*)[32])k->pattern,
			    .oh = k->reg[SNN_R_OUT_H], .kh = k->reg[SNN_R_KH],
			    .row_len = k->reg[SNN_R_OUT_W] * k->ncp, .group = k->mask_group,
			    .row_step = k->reg[SNN_R_STRIDE]};
	sim->kern->add_masks16(&m);
	memset(mask, 0, n_rows * sizeof *mask);
	a->n_pps = 0;
	a->synops += taps * k->nc;
}

/* add_positions for a core_rt.all_in core: each position's channels with
 * events found among all in_c (no list, no branch), and the positions
 * handed to the kernel ordered by how many they have, so that its loop
 * over a position's channels runs as often as the last one's. */
static void add_all_in(const snn_sim *sim, core_rt *k, acc_buf *a)
{
	const uint32_t in_c = k->in_c, step = conv_w_step(k), n_pps = a->n_pps;
	sim_conv_in *restrict chan = k->all_chan;
	uint8_t *restrict n_of = k->all_n;
	uint32_t at[ALL_IN_C + 2] = {0};
	uint64_t taps = 0;
	for (uint32_t i = 0; i < n_pps; i++) {
		const uint32_t pp = a->pps[i];
		uint32_t *restrict cnt = a->cnt + (size_t)pp * in_c, n = 0, events = 0;
		for (uint32_t c = 0; c < in_c; c++) {
			const uint32_t e = cnt[c];
			chan[i * in_c + n] = (sim_conv_in){c * step, (int32_t)e};	/* kept if e */
			n += e != 0;
			events += e;
			cnt[c] = 0;
		}
		n_of[i] = (uint8_t)n;
		at[n + 1]++;
		taps += (uint64_t)k->n_taps[pp] * events;
		a->pp_nc[pp] = 0;
	}
	for (uint32_t n = 1; n <= in_c; n++)	/* at[n]: where positions of n channels start */
		at[n] += at[n - 1];
	for (uint32_t i = 0; i < n_pps; i++) {
		const uint32_t pp = a->pps[i], r0 = k->run_start[pp];
		k->all_pos[at[n_of[i]]++] =
			(sim_conv_pos){r0, k->run_start[pp + 1] - r0, i * in_c, n_of[i], true, 0};
	}
	if (k->conv16)
		sim->kern->add_positions16(a->sum16, k->wt, k->run, k->all_pos, n_pps, chan);
	else
		sim->kern->add_positions(a->sum, k->wt, k->run, k->all_pos, n_pps, chan);
	a->n_pps = 0;
	a->synops += taps * k->nc;
}

/* Update every neuron of conv core k (channel-last, see core_rt); spikes
 * are listed by padded index. The vector kernel when the neurons are plain IF and
 * narrow enough for it, otherwise snn_neuron_step for each. */
static uint32_t update_conv(const snn_sim *sim, core_rt *k, acc_buf *a, uint32_t *spikes,
			    bool plain_if)
{
	uint32_t n_spikes = 0, n_live = 0;
	if (plain_if && k->narrow32) {
		sim_if_args args = {.v = k->v, .sum32 = k->conv16 ? NULL : a->sum, .sum = a->sum16,
				    .bias = k->bias_pad, .n = k->stride,
				    .vmin = k->np.vmin, .vmax = k->np.vmax,
				    .theta = k->np.threshold, .spiking = k->np.spiking,
				    .reset_zero = k->np.reset == SNN_RESET_ZERO, .spikes = spikes};
		n_spikes = sim->kern->if_step32(&args, &n_live);
	} else {
		for (uint32_t i = 0; i < k->stride; i++) {
			if (k->neuron_of[i] == NO_CELL)
				continue;
			int32_t sum = k->conv16 ? a->sum16[i] : a->sum[i];
			if (snn_neuron_step(&k->np, &k->v[i], &k->ref[i], (int64_t)sum + k->bias_pad[i]))
				spikes[n_spikes++] = i;
			a->sum[i] = 0;
			if (k->conv16)
				a->sum16[i] = 0;
			n_live += snn_neuron_live(&k->np, k->v[i], k->ref[i], k->bias_pad[i]);
		}
	}
	k->n_live = n_live;
	return n_spikes;
}

/* run_core for a conv core. */
static __attribute__((noinline)) void run_conv(snn_sim *sim, uint32_t core, uint32_t *spikes, snn_output_fn out,
		     snn_spike_fn spike, void *ctx)
{
	core_rt *k = &sim->core[core];
	acc_buf *a = &k->acc[sim->step & 1];
	bool plain_if = k->np.leak == 0 && k->np.refractory == 0 && !k->stray_ref;
	uint32_t n_spikes = 0;
	if (a->n_pps && k->masked)
		add_masks(sim, k, a);
	else if (a->n_pps && k->sort)
		add_sorted(sim, k, a);
	else if (a->n_pps && k->all_in)
		add_all_in(sim, k, a);
	else if (a->n_pps)
		add_positions(sim, k, a);
	sim->ctr[SNN_CTR_SYNOPS] += a->synops;
	a->synops = 0;
	/* Without input and without a live neuron, an update changes nothing. */
	if (a->all || k->n_live)
		n_spikes = update_conv(sim, k, a, spikes, plain_if);
	a->all = false;
	if (k->stray_ref)
		k->stray_ref--;
	if (k->n_members == 1) {
		if (k->n_seg)
			seg_deliver(sim, k, spikes, n_spikes);
		for (uint32_t i = 0; i < n_spikes; i++)
			spikes[i] = k->neuron_of[spikes[i]];
		fire(sim, core, spikes, n_spikes, out, spike, ctx);
		return;
	}
	/* Each member's spikes in the order they came (position first), as
	 * the member would have fired them alone: a counting sort. */
	uint32_t *at = k->member_n, *sorted = sim->member_spikes;
	memset(at, 0, (k->n_members + 1) * sizeof *at);
	for (uint32_t i = 0; i < n_spikes; i++)
		at[k->member_of[spikes[i]] + 1]++;
	for (uint32_t m = 0; m < k->n_members; m++)
		at[m + 1] += at[m];
	for (uint32_t i = 0; i < n_spikes; i++)
		sorted[at[k->member_of[spikes[i]]]++] = k->neuron_of[spikes[i]];
	for (uint32_t m = 0, first = 0; m < k->n_members; first = at[m], m++)
		fire(sim, core + m, sorted + first, at[m] - first, out, spike, ctx);
}

/* Spikes are collected first and routed after the core's update, so a
 * core's own same-step deliveries can never reach neurons it has not yet
 * updated (they go to the next-step buffer anyway). */
static void run_core(snn_sim *sim, uint32_t core, uint32_t *spikes, snn_output_fn out,
		     snn_spike_fn spike, void *ctx)
{
	core_rt *k = &sim->core[core];
	if (k->host != k)
		return;	/* its host ran it */
	if (k->rescan)
		rebuild_live(k);
	acc_buf *a = &k->acc[sim->step & 1];
	uint32_t n_spikes = 0, n_next = 0;
	bool plain_if = k->np.leak == 0 && k->np.refractory == 0 && !k->stray_ref;
	if (snn_mode_is_map(k->mode)) {
		run_conv(sim, core, spikes, out, spike, ctx);
		return;
	}
	sim->ctr[SNN_CTR_SYNOPS] += a->synops;
	a->synops = 0;
	if (a->n_pend)
		add_pending(sim, k, a);
	bool fast = a->all && plain_if && k->narrow && !a->wide;
	if (!fast && a->n16)
		fold16(a, k->n_neurons);	/* the other paths read sum only */
	if (fast)
		n_spikes = update_if16(sim, k, a, spikes, &n_next);
	else if (a->all && plain_if)
		n_spikes = update_all(k, a, spikes, &n_next, true);
	else if (a->all)
		n_spikes = update_all(k, a, spikes, &n_next, false);
	else	/* no input: only the live neurons can change */
		for (uint32_t i = 0; i < k->n_live; i++) {
			uint32_t n = k->live[i];
			if (update_neuron(k, &a->sum[n], n, &n_next))
				spikes[n_spikes++] = n;
		}
	a->all = false;
	a->wide = false;
	if (k->stray_ref)
		k->stray_ref--;
	uint32_t *t = k->live;
	k->live = k->next_live;
	k->next_live = t;
	k->n_live = n_next;
	fire(sim, core, spikes, n_spikes, out, spike, ctx);
}

void snn_sim_step(snn_sim *sim, snn_output_fn out, snn_spike_fn spike, void *ctx)
{
	for (uint32_t i = 0; i < sim->n_inq; i++) {
		uint32_t q = sim->inq[i];
		sim->inq_mark[q] = 0;
		if (routed_slowly(&sim->in_fan, q)) {
			int64_t c, y, x;
			input_coord(sim, q, &c, &y, &x);
			route_event(sim, sim->in_route, sim->n_in_routes, q, 0, c, y, x, out, ctx);
		}
	}
	fan_deliver(sim, &sim->in_fan, sim->inq, sim->n_inq);
	sim->ctr[SNN_CTR_EVENTS_IN] += sim->n_inq;
	sim->n_inq = 0;
	for (uint32_t i = 0; i < sim->n_order; i++)
		run_core(sim, sim->order[i], sim->spikes, out, spike, ctx);
	sim->step++;
	sim->ctr[SNN_CTR_STEPS]++;
}

int snn_sim_get_state(const snn_sim *sim, unsigned core, unsigned neuron, int32_t *v,
		      uint32_t *ref)
{
	if (core >= sim->n_cores || neuron >= sim->core[core].n_neurons)
		return SNN_ERR_RANGE;
	const core_rt *k = &sim->core[core];
	*v = k->host->v[state_index(k, neuron)];
	*ref = k->host->ref[state_index(k, neuron)];
	return 0;
}

int snn_sim_set_state(snn_sim *sim, unsigned core, unsigned neuron, int32_t v, uint32_t ref)
{
	if (core >= sim->n_cores || neuron >= sim->core[core].n_neurons)
		return SNN_ERR_RANGE;
	const core_rt *k = &sim->core[core];
	if (v < k->np.vmin || v > k->np.vmax || ref > SNN_MAX_REFRACTORY)
		return SNN_ERR_RANGE;
	core_rt *h = k->host;
	h->v[state_index(k, neuron)] = v;
	h->ref[state_index(k, neuron)] = ref;
	h->rescan = true;
	if (ref > h->stray_ref)
		h->stray_ref = ref;
	return 0;
}

const uint64_t *snn_sim_counters(const snn_sim *sim)
{
	return sim->ctr;
}

uint32_t snn_sim_step_index(const snn_sim *sim)
{
	return sim->step;
}

const snn_config *snn_sim_config(const snn_sim *sim)
{
	return &sim->cfg;
}

const char *snn_sim_kernels(const snn_sim *sim)
{
	return sim->kern->name;
}
