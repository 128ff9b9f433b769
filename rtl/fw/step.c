/* A time step over the accelerators (rtl/fw/step.h). For each phase p and
 * each core t of that phase, as the engine does (rtl/snn_engine.v):
 * 1. gather: every route into t, the input routes' this step's inputs, a
 *    core's spikes of this step for a source of an earlier phase, of the
 *    last step for the others (the contract's same-step and next-step
 *    delivery), each spike found by the scan and added as pool lines by the
 *    line add: a dense row, or a conv tap's output channels;
 * 2. sweep: t's neurons through the neuron unit, a channel a sweep for a
 *    map core (its accumulators lie a plane apart by groups of eight);
 * 3. its spikes on routes to the host, found by the scan.
 * Neuron n of core c is pool line STATE_BASE / 8 + n: its spike of step s
 * is bit 40 + s % 2, so nothing is cleared between steps. */
#include "step.h"
#include "step_accel.h"

/* The deconv mode (docs/core-array.md): built in unless a device leaves it
 * out, as the iCEBreaker's profile does (rtl/mk/step.mk, for room); a step
 * that meets a deconv core then is cut short, as the engine's is. */
#ifndef STEP_DECONV
#define STEP_DECONV 1
#endif

#define LANES 8u

/* the fields of a route's words: dest | dx << 16, src_lo, src_hi, dc | dy << 16 */
static uint32_t rt_dest(const uint32_t *w) { return w[0] & 0xFFFFu; }

/* An event's coordinate, passed by its parts: no structure is copied
 * (freestanding, the program has no memcpy). */
typedef struct coord {
	int32_t c, y, x;
} coord;

/* e moved by route w's offsets */
static void rt_shift(coord *e, const uint32_t *w)
{
	e->c += (int16_t)(w[3] & 0xFFFFu);
	e->y += (int16_t)(w[3] >> 16);
	e->x += (int16_t)(w[0] >> 16);
}

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
	g->pooled_h = g->pool ? g->in_h / g->pool : 0;
	g->pooled_w = g->pool ? g->in_w / g->pool : 0;
}

/* Tap t's output channels into the accumulators of position pos. */
static void add_tap(step_dev *d, const target *g, uint32_t t, uint32_t pos)
{
	uint32_t line = g->syn_line + (g->groups == 1 ? t : t * g->groups);
	if (g->nc >= LANES)
		sx_line_add(line, g->groups, pos, g->plane, 0xFFu);
	else
		sx_line_add(line, 1, pos >> g->pw_shift, 1,
			    ((1u << g->p) - 1) << ((pos & ((1u << g->pw_shift) - 1)) << g->p_shift));
	d->synops += g->nc;
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

/* An event at e into core g->r (sizes_sane). */
static void event(step_dev *d, const target *g, const coord *ep)
{
	const uint32_t *r = g->r;
	int32_t ec = ep->c, ey = ep->y, ex = ep->x;
	if (ec < 0 || ey < 0 || ex < 0 || ec >= g->in_c || ey >= g->in_h || ex >= g->in_w)
		return;
	uint32_t mode = r[SNN_R_MODE];
	if (mode == SNN_MODE_DENSE) {
		/* a = (c IN_H + y) IN_W + x, at least c IN_H + y: that first,
		 * so that no product passes 2^32 */
		uint32_t a = (uint32_t)ec * (uint32_t)g->in_h + (uint32_t)ey, n = r[SNN_R_N_NEURONS];
		if (a >= r[SNN_R_N_AXONS])
			return;
		a = a * (uint32_t)g->in_w + (uint32_t)ex;
		if (a >= r[SNN_R_N_AXONS])
			return;
		sx_line_add((r[SNN_R_SYN_BASE] + a * n) / LANES, n / LANES, 0, 1, 0xFFu);
		d->synops += n;
		return;
	}
	int32_t kh = g->kh, kw = g->kw, s = g->s, y0 = g->y0, x0 = g->x0, oh = g->oh, ow = g->ow;
	uint32_t tap0 = (uint32_t)ec * (uint32_t)kh * (uint32_t)kw;
	if (mode == SNN_MODE_DECONV) {	/* the kernel scattered from (y S - PAD_Y, x S - PAD_X) */
		if (!STEP_DECONV)
			return;	/* step_run has cut the step short */
		for (int32_t ky = 0; ky < kh && !expired(d); ky++) {
			int64_t i = (int64_t)ey * s - g->pad_y + ky - y0;
			if (i < 0 || i >= oh)
				continue;
			for (int32_t kx = 0; kx < kw; kx++) {
				int64_t j = (int64_t)ex * s - g->pad_x + kx - x0;
				if (j >= 0 && j < ow && !expired(d))
					add_tap(d, g, tap0 + (uint32_t)ky * (uint32_t)kw + (uint32_t)kx,
						(uint32_t)i * (uint32_t)ow + (uint32_t)j);
			}
		}
		return;
	}
	/* conv: pooled (a shift for the usual 1 and 2), then every tap whose
	 * output position is on the stride and in the tile; a row's tap and
	 * position counted up, not multiplied */
	int32_t py = g->pool == 1 ? ey : g->pool == 2 ? ey >> 1 : ey / g->pool;
	int32_t px = g->pool == 1 ? ex : g->pool == 2 ? ex >> 1 : ex / g->pool;
	if (py >= g->pooled_h || px >= g->pooled_w)
		return;
	uint32_t t_row = tap0;
	for (int32_t ky = 0; ky < kh && !expired(d); ky++, t_row += (uint32_t)kw) {
		int32_t ty = py + g->pad_y - ky;
		if (ty < 0)
			break;	/* and every later row */
		if (s != 1 && ty % s)
			continue;
		int32_t i = (s == 1 ? ty : ty / s) - y0;
		if (i < 0 || i >= oh)
			continue;
		uint32_t pos_row = (uint32_t)i * (uint32_t)ow;
		for (int32_t kx = 0; kx < kw; kx++) {
			int32_t tx = px + g->pad_x - kx;
			if (tx < 0)
				break;
			if (s != 1 && tx % s)
				continue;
			int32_t j = (s == 1 ? tx : tx / s) - x0;
			if (j >= 0 && j < ow && !expired(d))
				add_tap(d, g, t_row + (uint32_t)kx, pos_row + (uint32_t)j);
		}
	}
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
	uint32_t hw = h * w, rest = at % hw;
	k->at = at;
	k->h = h;
	k->w = w;
	k->e.c = (int32_t)(at / hw);
	k->e.y = (int32_t)(rest / w);
	k->e.x = (int32_t)(rest % w);
}

/* ... moved on to position at (not before the last) */
static void walk_to(walker *k, uint32_t at)
{
	uint32_t delta = at - k->at;
	k->at = at;
	if (delta >= k->w * 4) {	/* far: divide once */
		walk_start(k, at, k->h, k->w);
		return;
	}
	k->e.x += (int32_t)delta;
	while (k->e.x >= (int32_t)k->w) {
		k->e.x -= (int32_t)k->w;
		if (++k->e.y == (int32_t)k->h) {
			k->e.y = 0;
			k->e.c++;
		}
	}
}

/* Every route into core t: the inputs, then each core's spikes. */
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
		/* the bitmap a word at a time: most words of a step are empty */
		uint32_t hi = w[2] < d->input_max ? w[2] : d->input_max;
		walker wk;
		walk_start(&wk, w[1], in_h, in_w);
		for (uint32_t q = w[1]; q < hi && !expired(d);) {
			uint32_t bits = d->input[q / 32] >> (q % 32);
			if (!bits) {
				q = (q / 32 + 1) * 32;
				continue;
			}
			while (!(bits & 1u)) {
				bits >>= 1;
				q++;
			}
			if (q >= hi)
				break;
			walk_to(&wk, q);
			coord e = {wk.e.c, wk.e.y, wk.e.x};	/* by field: no memcpy */
			rt_shift(&e, w);
			event(d, &g, &e);
			q++;
		}
	}
	for (uint32_t s = 0; s < d->n_cores; s++) {
		const uint32_t *sr = d->core[s];
		if (!in_use(d, s) || !sizes_sane(sr))
			continue;
		/* a source of an earlier phase has stepped: this step's spikes */
		uint32_t bit = sr[SNN_R_PHASE] < phase ? cur : !cur, base = state_line(sr);
		/* a map's positions walked (its plane not 0: sizes_sane leaves it
		 * to this) */
		int map = sr[SNN_R_MODE] != SNN_MODE_DENSE && sr[SNN_R_OUT_H] * sr[SNN_R_OUT_W] != 0;
		for (uint32_t k = 0; k < route_count(d, sr); k++) {
			const uint32_t *w = core_route(d, sr, k);
			if (rt_dest(w) != t)
				continue;
			uint32_t at = base + w[1], end = base + w[2], found;
			walker wk;
			if (map)
				walk_start(&wk, w[1], sr[SNN_R_OUT_H], sr[SNN_R_OUT_W]);
			while (!expired(d) && (found = sx_scan(at, end, bit)) & SX_SCAN_FOUND) {
				found &= ~SX_SCAN_FOUND;
				coord e;
				if (map) {
					walk_to(&wk, found - base);
					e.c = wk.e.c;
					e.y = wk.e.y;
					e.x = wk.e.x;
				} else {	/* a dense source's neuron n is at (n, 0, 0); a map of
					 * no positions (unchecked) outside every core */
					e.c = sr[SNN_R_MODE] == SNN_MODE_DENSE ? (int32_t)(found - base) : -1;
					e.y = e.x = 0;
				}
				rt_shift(&e, w);
				event(d, &g, &e);
				at = found + 1;
			}
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
	for (uint32_t p = 0; p < d->max_phases; p++)
		for (uint32_t t = 0; t < d->n_cores && !expired(d); t++) {
			if (!in_use(d, t) || d->core[t][SNN_R_PHASE] != p)
				continue;
			if (!STEP_DECONV && d->core[t][SNN_R_MODE] == SNN_MODE_DECONV) {
				d->cut = 1;	/* a mode this device does not have */
				break;
			}
			gather(d, t, p, cur);
			d->spikes += sweep(d, t, cur);
			to_host(d, t, cur, out, ctx);
		}
	for (uint32_t i = 0; i < (d->input_max + 31) / 32; i++)
		d->input[i] = 0;
	d->step++;
	return d->cut ? -1 : 0;
}

int step_input(step_dev *d, uint32_t q)
{
	uint32_t chw = d->global[SNN_G_INPUT_C] * d->global[SNN_G_INPUT_H] * d->global[SNN_G_INPUT_W];
	if (q >= chw || q >= d->input_max)
		return -1;
	d->input[q / 32] |= 1u << (q % 32);
	d->events_in++;
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
