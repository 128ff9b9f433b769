/* A time step over the accelerators (rtl/fw/step.h). For each phase p and
 * each core t of that phase, as the engine does (rtl/snn_engine.v):
 * 1. gather: every route into t, the input routes' this step's inputs, a
 *    core's spikes of this step for a source of an earlier phase, of the
 *    last step for the others (the contract's same-step and next-step
 *    delivery), each route one run of the route run, which finds the
 *    spikes and adds them: a dense row, or a conv event's taps;
 * 2. sweep: t's neurons through the neuron unit, a channel a sweep for a
 *    map core (its accumulators lie a plane apart by groups of eight);
 * 3. its spikes on routes to the host, found by the spike search.
 * The cores the run takes are those of the iCEBreaker's profile: dense,
 * and conv of stride 1 and pools of 1 and 2 (no SNN_FEAT_STRIDE,
 * SNN_FEAT_POOL or deconv mode); a step that meets another, or sizes past
 * the run's registers (only in a configuration nobody checked), is cut
 * short, as the engine's is by a mode it does not have.
 * Neuron n of core c is pool line STATE_BASE / 8 + n: its spike of step s
 * is bit 40 + s % 2, so nothing is cleared between steps. */
#include "step.h"
#include "step_accel.h"


#define LANES 8u

/* the fields of a route's words: dest | dx << 16, src_lo, src_hi, dc | dy << 16 */
static uint32_t rt_dest(const uint32_t *w) { return w[0] & 0xFFFFu; }

/* An event's coordinate, passed by its parts: no structure is copied
 * (freestanding, the program has no memcpy). */
typedef struct coord {
	int32_t c, y, x;
} coord;

static uint32_t state_line(const uint32_t *r)
{
	return r[SNN_R_STATE_BASE] / LANES;
}

static int in_use(const step_dev *d, uint32_t c)
{
	return c < d->global[SNN_G_N_CORES] && d->core[c][SNN_R_MODE] != SNN_MODE_OFF;
}

/* Core r's routes: ROUTE_COUNT from ROUTE_BASE, but none past the route
 * memory (a configuration nobody checked). */
static uint32_t route_count(const step_dev *d, const uint32_t *r)
{
	uint32_t base = r[SNN_R_ROUTE_BASE], n = r[SNN_R_ROUTE_COUNT];
	return base >= d->route_total ? 0 : n < d->route_total - base ? n : d->route_total - base;
}

static const uint32_t *core_route(const step_dev *d, const uint32_t *r, uint32_t k)
{
	return &d->route[4 * (r[SNN_R_ROUTE_BASE] + k)];
}

/* Has the step run past the watchdog? Then it stays cut short. The
 * clock is read every 16th time: it is an I/O read, and the loops that
 * ask run a block at most 65,535 lines each time. */
static int expired(step_dev *d)
{
	if (d->watchdog && !d->cut && !(++d->polls & 15u) && sx_cycles() - d->started >= d->watchdog)
		d->cut = 1;
	return d->cut;
}

/* a map core's output channels a line: the line's bytes for one tap */
static uint32_t tap_bytes(const uint32_t *r)
{
	return (r[SNN_R_OUT_NC] + LANES - 1) / LANES * LANES;
}

/* a map core of fewer channels than lanes: its channels rounded up to a
 * power of two, the lanes one position takes */
static uint32_t small_lanes(uint32_t nc)
{
	uint32_t p = 1;
	while (p < nc)
		p <<= 1;
	return p;
}

/* What an event into a map core needs, worked out once a gather: the
 * products and divisions out of the per-tap loop (RV32I divides in
 * software). */
typedef struct target {
	const uint32_t *r;
	uint32_t syn_line, groups, plane, nc;
	/* fewer channels than lanes: log2 of the positions a word, the lanes
	 * a position (p) and log2 of that */
	uint32_t pw_shift, p, p_shift;
	/* a stride-1 conv core whose sizes the tap walk takes: an event's
	 * taps are one run of it, its channel's first line chan_lines apart */
	int walk;
	uint32_t chan_lines;
	/* a core the route run takes (a dense core whose IN_C IN_H IN_W is
	 * below 2^16; a conv core the walk takes, of pool 1 or 2; each size
	 * below SX_COORD_LIMIT), and the cycles an event of it takes at most */
	int run;
	uint32_t event_cycles;
	int32_t lim_h, lim_w;	/* the run's: the rows and columns of its input that land */
	int32_t in_c, in_h, in_w, kh, kw, s, pool, pad_y, pad_x, y0, x0, oh, ow, pooled_h, pooled_w;
} target;

static void target_init(target *g, const uint32_t *r)
{
	g->r = r;
	g->nc = r[SNN_R_OUT_NC];
	g->syn_line = r[SNN_R_SYN_BASE] / LANES;
	g->groups = tap_bytes(r) / LANES;
	g->plane = r[SNN_R_OUT_H] * r[SNN_R_OUT_W];
	g->p = g->nc >= LANES ? LANES : small_lanes(g->nc);
	g->pw_shift = g->p_shift = 0;
	for (uint32_t per_word = LANES / g->p; per_word > 1; per_word >>= 1)
		g->pw_shift++;
	while (1u << g->p_shift < g->p)
		g->p_shift++;
	g->in_c = (int32_t)r[SNN_R_IN_C];
	g->in_h = (int32_t)r[SNN_R_IN_H];
	g->in_w = (int32_t)r[SNN_R_IN_W];
	g->kh = (int32_t)r[SNN_R_KH];
	g->kw = (int32_t)r[SNN_R_KW];
	g->s = (int32_t)r[SNN_R_STRIDE];
	g->pool = (int32_t)r[SNN_R_POOL];
	g->pad_y = (int32_t)r[SNN_R_PAD_Y];
	g->pad_x = (int32_t)r[SNN_R_PAD_X];
	g->y0 = (int32_t)r[SNN_R_OUT_Y0];
	g->x0 = (int32_t)r[SNN_R_OUT_X0];
	g->oh = (int32_t)r[SNN_R_OUT_H];
	g->ow = (int32_t)r[SNN_R_OUT_W];
	/* pools of 1 and 2 (the usual) by a shift: RV32I divides in software */
	g->pooled_h = g->pool == 1 ? g->in_h : g->pool == 2 ? g->in_h >> 1 : g->pool ? g->in_h / g->pool : 0;
	g->pooled_w = g->pool == 1 ? g->in_w : g->pool == 2 ? g->in_w >> 1 : g->pool ? g->in_w / g->pool : 0;
	/* the walk's operands are SX_COORD_BITS bits signed, its kernel and
	 * lines a tap 8 bits: (i0, j0) below (OH + KH, OW + KW) */
	g->walk = r[SNN_R_MODE] == SNN_MODE_CONV && g->s == 1 && g->kh < 256 && g->kw < 256 &&
		  g->groups < 256 && g->oh < (int32_t)SX_COORD_LIMIT && g->ow < (int32_t)SX_COORD_LIMIT;
	g->chan_lines = 0;
	g->run = 0;
	if (r[SNN_R_MODE] == SNN_MODE_DENSE) {
		uint32_t n = r[SNN_R_N_NEURONS], axons = r[SNN_R_N_AXONS], ch = (uint32_t)g->in_c * (uint32_t)g->in_h;
		g->run = !(n % LANES) && !(r[SNN_R_SYN_BASE] % LANES) && ch < 65536 &&
			 ch * (uint32_t)g->in_w < 65536 && g->in_c < (int32_t)SX_COORD_LIMIT &&
			 g->in_h < (int32_t)SX_COORD_LIMIT && g->in_w < (int32_t)SX_COORD_LIMIT;
		g->event_cycles = n / LANES + 16;
		g->lim_h = g->in_h;
		g->lim_w = g->in_w;
		if (g->run)
			sx_run_target((uint32_t)g->in_c, (uint32_t)g->in_h, (uint32_t)g->in_w, n / LANES,
				      axons < 65535 ? axons : 65535, g->syn_line, 0);
	}
	if (g->walk) {
		g->chan_lines = (uint32_t)g->kh * (uint32_t)g->kw * g->groups;
		sx_tap_shape((uint32_t)g->oh, (uint32_t)g->ow, (uint32_t)g->kh, (uint32_t)g->kw, g->groups,
			     g->pw_shift, g->plane);
		int32_t pdy = g->pad_y - g->y0, pdx = g->pad_x - g->x0, ps = g->pool == 2;
		/* (i0, j0) = (y / pool + pdy, x / pool + pdx) for y, x within
		 * the input, and the taps' j0 - kx, stay within SX_COORD_BITS
		 * bits, signed */
		int32_t lim = (int32_t)SX_COORD_LIMIT;
		g->run = (g->pool == 1 || g->pool == 2) && g->in_c < lim && g->in_h < lim && g->in_w < lim &&
			 g->chan_lines < 65536 && pdy >= -lim && g->pooled_h + pdy <= lim &&
			 pdx - (g->kw - 1) >= -lim && g->pooled_w + pdx <= lim;
		g->event_cycles = g->chan_lines + 5u * (uint32_t)(g->kh * g->kw) + 16;
		g->lim_h = g->pooled_h << ps;
		g->lim_w = g->pooled_w << ps;
		if (g->run)
			sx_run_target((uint32_t)g->in_c, (uint32_t)g->lim_h, (uint32_t)g->lim_w,
				      g->chan_lines, ((uint32_t)pdy & 0xFFFFu) | (uint32_t)pdx << 16, g->syn_line,
				      SX_TARGET_CONV | (ps ? SX_TARGET_POOL2 : 0));
	}
}

/* Are core r's sizes within a valid configuration's (below 65,536, no
 * divisor 0), so that no coordinate's arithmetic overflows? A core of a
 * configuration nobody checked that is not takes no part in a step. */
static int sizes_sane(const uint32_t *r)
{
	for (unsigned i = SNN_R_IN_C; i <= SNN_R_OUT_W; i++)
		if (r[i] >> 16)
			return 0;
	return !(r[SNN_R_N_NEURONS] >> 16) &&
	       !(snn_mode_is_map(r[SNN_R_MODE]) && (!r[SNN_R_POOL] || !r[SNN_R_STRIDE]));
}

/* A walk through a source's positions in increasing order: the
 * coordinate of each found from the last by additions, for a map's
 * (channel, row, column) or the input tensor's; divisions only where the
 * walk starts. */
typedef struct walker {
	uint32_t at, h, w;	/* position at, whose coordinate is e; rows, columns */
	coord e;
} walker;

/* the walk from position at of a C x h x w map (h, w not 0) */
static void walk_start(walker *k, uint32_t at, uint32_t h, uint32_t w)
{
	if (!at) {	/* most walks start there: no division */
		k->at = 0;
		k->h = h;
		k->w = w;
		k->e.c = k->e.y = k->e.x = 0;
		return;
	}
	uint32_t hw = h * w, rest = at % hw;
	k->at = at;
	k->h = h;
	k->w = w;
	k->e.c = (int32_t)(at / hw);
	k->e.y = (int32_t)(rest / w);
	k->e.x = (int32_t)(rest % w);
}

/* A route into core g (g->run) from positions p in [lo, hi) of a C x h x w
 * source (h, w not 0): the route run makes their spikes' events, position p
 * at at + p (a neuron line, or with SX_RUN_MAP in flags a bit of the pool).
 * 0 if the run does not take it (sizes past its registers). */
static int route_run(step_dev *d, const target *g, uint32_t lo, uint32_t hi, uint32_t h, uint32_t w,
		     const uint32_t *route, uint32_t at, uint32_t flags)
{
	int32_t dc = (int16_t)(route[3] & 0xFFFFu), dy = (int16_t)(route[3] >> 16), dx = (int16_t)(route[0] >> 16);
	if (lo >= hi)
		return 1;
	if ((hi - lo) >> 16 || lo >> 20 || h >= SX_COORD_LIMIT || w >= SX_COORD_LIMIT ||
	    (!(flags & SX_RUN_MAP) && (at > d->pool_lines || hi > d->pool_lines - at)))
		return 0;
	walker wk;
	walk_start(&wk, lo, h, w);
	/* The run counts coordinates modulo 2^SX_COORD_BITS and takes them as
	 * signed: one from 2^(B-1) to 2^B - 1 is outside every core (whose
	 * sizes are below 2^(B-1)) as a negative one is, but one below
	 * -2^(B-1) or from 2^B up would wrap back in. The positions' channels,
	 * rows and columns, offsets added: c from c0 to at most c1 (one more
	 * a position at most; exactly, by a division, where that is not
	 * enough), y from dy to h - 1 + dy, x likewise. A route none of whose
	 * spikes can land adds nothing; one whose coordinates could leave
	 * [-2^(B-1), 2^B) is not run. */
	const int32_t c_min = -(1 << (SX_COORD_BITS - 1)), c_end = 1 << SX_COORD_BITS;
	int32_t c0 = wk.e.c + dc, c1 = c0 + (int32_t)(hi - lo - 1);
	if (c1 >= c_end)
		c1 = (int32_t)((hi - 1) / (h * w)) + dc;
	if (c1 < 0 || c0 >= g->in_c || (int32_t)h + dy <= 0 || dy >= g->lim_h || (int32_t)w + dx <= 0 ||
	    dx >= g->lim_w)
		return 1;
	if (c0 < c_min || c1 >= c_end || dy < c_min || (int32_t)h + dy > c_end || dx < c_min ||
	    (int32_t)w + dx > c_end)
		return 0;
	/* runs of about 2^16 cycles at most, the watchdog asked between them
	 * (a power of two: no division) */
	uint32_t chunk = 1, most = d->run_cycles && d->run_cycles < 65536u ? d->run_cycles : 65536u;
	while (chunk < 65536u && 2 * chunk * g->event_cycles <= most)
		chunk <<= 1;
	sx_run_coords((uint32_t)(wk.e.c + dc), (uint32_t)(wk.e.y + dy), (uint32_t)(wk.e.x + dx),
		      (uint32_t)dx, w + (uint32_t)dx, (uint32_t)dy, h + (uint32_t)dy);
	for (uint32_t p = lo; p < hi && !expired(d); p += chunk) {
		uint32_t q = hi - p < chunk ? hi : p + chunk;
		uint32_t added = sx_route_run(at + p, q - p, flags | (p == lo ? 0 : SX_RUN_MORE));
		d->synops += added * (g->r[SNN_R_MODE] == SNN_MODE_DENSE ? g->r[SNN_R_N_NEURONS] : g->nc);
	}
	return 1;
}

/* Every route into core t: the inputs, then each core's spikes, each
 * route one run of the route run (or the step cut short, above). */
static void gather(step_dev *d, uint32_t t, uint32_t phase, uint32_t cur)
{
	const uint32_t *r = d->core[t];
	uint32_t in_h = d->global[SNN_G_INPUT_H], in_w = d->global[SNN_G_INPUT_W];
	if (!sizes_sane(r) || in_h * in_w == 0)	/* the GLOBALs unchecked: no division by 0 */
		return;
	target g;
	target_init(&g, r);
	for (uint32_t k = 0; k < d->global[SNN_G_INPUT_ROUTES] && k < d->input_routes; k++) {
		const uint32_t *w = &d->route[4 * (d->route_total + k)];
		if (rt_dest(w) != t)
			continue;
		uint32_t hi = w[2] < d->input_max ? w[2] : d->input_max;
		if (g.run && route_run(d, &g, w[1], hi, in_h, in_w, w, 64u * d->input_line, SX_RUN_MAP))
			continue;
		d->cut = 1;
	}
	for (uint32_t s = 0; s < d->n_cores; s++) {
		const uint32_t *sr = d->core[s];
		if (!in_use(d, s) || !sizes_sane(sr))
			continue;
		/* a source of an earlier phase has stepped: this step's spikes */
		uint32_t bit = sr[SNN_R_PHASE] < phase ? cur : !cur, base = state_line(sr);
		/* a map's positions walked (its plane not 0: sizes_sane leaves it
		 * to this), a dense source's neurons at (n, 0, 0) */
		int map = sr[SNN_R_MODE] != SNN_MODE_DENSE && sr[SNN_R_OUT_H] * sr[SNN_R_OUT_W] != 0;
		if (!map && sr[SNN_R_MODE] != SNN_MODE_DENSE)
			continue;	/* a map of no positions (unchecked): outside every core */
		for (uint32_t k = 0; k < route_count(d, sr); k++) {
			const uint32_t *w = core_route(d, sr, k);
			if (rt_dest(w) != t)
				continue;
			if (g.run && route_run(d, &g, w[1], w[2], map ? sr[SNN_R_OUT_H] : 1,
					       map ? sr[SNN_R_OUT_W] : 1, w, base, bit ? SX_RUN_BIT41 : 0))
				continue;
			d->cut = 1;
		}
	}
}

/* Core t's neurons through the sweep: its spikes. */
static uint32_t sweep(step_dev *d, uint32_t t, uint32_t cur)
{
	const uint32_t *r = d->core[t];
	uint32_t line = state_line(r), n = r[SNN_R_N_NEURONS], flags = cur ? SX_SWEEP_CUR : 0;
	sx_sweep_params(r[SNN_R_LEAK] | r[SNN_R_REFRACTORY] << 8 |
			(r[SNN_R_RESET] == SNN_RESET_SUBTRACT ? SX_PARAM_SUBTRACT : 0) |
			(r[SNN_R_FLAGS] & SNN_F_SPIKING ? SX_PARAM_SPIKING : 0), r[SNN_R_THRESHOLD]);
	if (r[SNN_R_MODE] == SNN_MODE_DENSE)	/* neuron n in lane n % 8 of word n / 8 */
		return sx_sweep(line, n, 0, flags | 1u | SX_SWEEP_ZERO);
	/* a map core a channel at a time: channel k of eight or more in lane
	 * k % 8 of words (k / 8) x plane + pos, each group's words zeroed after
	 * its last channel; of fewer, at slot pos x p + k */
	uint32_t nc = r[SNN_R_OUT_NC], plane = r[SNN_R_OUT_H] * r[SNN_R_OUT_W], spikes = 0;
	uint32_t p = nc >= LANES ? LANES : small_lanes(nc);
	for (uint32_t k = 0; k < nc && !expired(d); k++) {
		uint32_t slot = nc >= LANES ? (k / LANES) * plane * LANES + k % LANES : k;
		int last = k + 1 == nc || (nc >= LANES && k % LANES == LANES - 1);
		spikes += sx_sweep(line + k * plane, plane, slot, flags | p | (last ? SX_SWEEP_ZERO : 0));
	}
	return spikes;
}

/* Core t's spikes of this step on its routes to the host, neuron by
 * neuron. */
static void to_host(step_dev *d, uint32_t t, uint32_t cur, step_out_fn *out, void *ctx)
{
	const uint32_t *r = d->core[t], *w;
	uint32_t k, routes = route_count(d, r), base = state_line(r), at = base;
	uint32_t end = base + r[SNN_R_N_NEURONS], found;
	for (k = 0; k < routes; k++)
		if (rt_dest(core_route(d, r, k)) == SNN_ROUTE_HOST)
			break;
	if (k == routes)
		return;
	while (!expired(d) && (found = sx_scan(at, end, cur)) & SX_SCAN_FOUND) {
		uint32_t n = (found & ~SX_SCAN_FOUND) - base;
		for (k = 0; k < routes; k++) {
			w = core_route(d, r, k);
			if (rt_dest(w) == SNN_ROUTE_HOST && n >= w[1] && n < w[2]) {
				out(ctx, t, n);
				d->events_out++;
			}
		}
		at = base + n + 1;
	}
}

int step_run(step_dev *d, step_out_fn *out, void *ctx)
{
	uint32_t cur = d->step & 1u;
	d->started = sx_cycles();
	d->cut = 0;
	/* the phases in use in order, each found while the one before runs:
	 * a pass over the cores a phase, not one a phase of the geometry's */
	for (uint32_t p = 0, next; p < d->max_phases && !d->cut; p = next) {
		next = UINT32_MAX;
		for (uint32_t t = 0; t < d->n_cores && !expired(d); t++) {
			uint32_t phase = d->core[t][SNN_R_PHASE];
			if (!in_use(d, t) || phase != p) {
				if (in_use(d, t) && phase > p && phase < next)
					next = phase;
				continue;
			}
			if (d->core[t][SNN_R_MODE] == SNN_MODE_DECONV) {
				d->cut = 1;	/* a mode this device does not have */
				break;
			}
			gather(d, t, p, cur);
			d->spikes += sweep(d, t, cur);
			to_host(d, t, cur, out, ctx);
		}
	}
	for (uint32_t i = 0; i < (d->input_max + 31) / 32; i++)
		d->input[i] = 0;
	d->step++;
	return d->cut ? -1 : 0;
}

uint32_t step_input_limit(const step_dev *d)
{
	uint32_t chw = d->global[SNN_G_INPUT_C] * d->global[SNN_G_INPUT_H] * d->global[SNN_G_INPUT_W];
	return chw < d->input_max ? chw : d->input_max;
}

int step_input(step_dev *d, uint32_t q)
{
	if (q >= step_input_limit(d))
		return -1;
	step_input_mark(d, q);
	return 0;
}

void step_clear(step_dev *d)
{
	for (uint32_t c = 0; c < d->n_cores; c++) {
		if (!in_use(d, c))
			continue;
		const uint32_t *r = d->core[c];
		uint32_t v = r[SNN_R_V_INIT], n_max = r[SNN_R_N_NEURONS];
		if (state_line(r) >= d->pool_lines)
			continue;
		if (n_max > d->pool_lines - state_line(r))	/* none written past the network */
			n_max = d->pool_lines - state_line(r);
		for (uint32_t n = 0; n < n_max; n++) {
			volatile uint8_t *line = d->pool + 8u * (state_line(r) + n);
			for (unsigned b = 0; b < 4; b++)
				line[b] = (uint8_t)(v >> 8 * b);
			line[4] = 0;	/* refractory count */
			line[5] = 0;	/* spike bits */
		}
	}
	for (uint32_t i = 0; i < (d->input_max + 31) / 32; i++)
		d->input[i] = 0;
	d->step = 0;
}
