/* Naive reference simulator (see naive_sim.h). Written from the specs only:
 * docs/neuron-model.md (the neuron and the time step) and
 * docs/core-array.md (coordinates, routes, dense, conv and deconv cores). It does
 * not use the inline neuron functions of include/snn/neuron.h. */
#include "naive_sim.h"

#include <stdlib.h>
#include <string.h>

typedef struct ncore {
	bool exists;
	uint32_t mode, phase, n;	/* n = N_NEURONS */
	int32_t threshold;
	uint32_t leak, reset, refractory;
	bool spiking;
	int32_t v_init;
	/* conv output tile shape, for neuron coordinates */
	uint32_t out_h, out_w;
	/* input space */
	int64_t in_c, in_h, in_w;
	size_t space;	/* in_c * in_h * in_w */
	int64_t *mat;	/* space x n: weight from input coordinate to neuron */
	uint64_t *rowsyn;	/* synaptic operations of one event per coordinate */
	int32_t *bias;	/* n */
	snn_route *route;
	uint32_t n_routes;
	/* state */
	int32_t *v;
	uint32_t *r;
	bool *spiked;
	/* event counts per input coordinate: this step, next step */
	uint32_t *cur, *next;
	int64_t *acc;	/* n, scratch */
} ncore;

struct naive_sim {
	unsigned n_cores;	/* geometry's n_cores */
	uint32_t max_phases;
	int64_t vmin, vmax;
	ncore *core;
	/* host input */
	uint32_t in_c, in_h, in_w;
	snn_route *in_route;
	uint32_t n_in_routes;
	/* per step output */
	uint16_t *ev_core, *ev_neuron;
	size_t n_ev, cap_ev;
	uint64_t synops, spikes;
	uint32_t step;
	bool overflow;
};

/* Floor of x / 256 from the definition: the largest q with 256 q <= x. */
static int64_t floor_div_256(int64_t x)
{
	int64_t q = x / 256;	/* C truncates toward zero */
	if (q * 256 > x)
		q -= 1;
	return q;
}

static int32_t sreg(uint32_t r)
{
	return (int32_t)r;	/* registers hold two's complement */
}

/* Expand a dense core: event at coordinate index a (row-major over
 * IN_C x IN_H x IN_W, which is exactly the axon number) hits axon a if
 * a < N_AXONS. */
static void build_dense(ncore *c, const snn_core_cfg *cc)
{
	uint32_t n_axons = cc->reg[SNN_R_N_AXONS];
	for (size_t a = 0; a < c->space; a++) {
		if (a >= n_axons) {
			c->rowsyn[a] = 0;
			continue;
		}
		for (uint32_t n = 0; n < c->n; n++)
			c->mat[a * c->n + n] = cc->syn[a * c->n + n];
		c->rowsyn[a] = c->n;
	}
}

/* Expand a conv core from the output's point of view:
 * out[k][oy][ox] = sum_{c,ky,kx} w[k][c][ky][kx] *
 *                  pooled[c][oy*S - PAD_Y + ky][ox*S - PAD_X + kx],
 * pooled[c][py][px] = sum_{dy,dx < P} in[c][py*P + dy][px*P + dx],
 * with pooled rows py < floor(IN_H / P) (likewise columns) only. */
static void build_conv(ncore *c, const snn_core_cfg *cc)
{
	const uint32_t *r = cc->reg;
	int64_t P = r[SNN_R_POOL], KH = r[SNN_R_KH], KW = r[SNN_R_KW];
	int64_t S = r[SNN_R_STRIDE], PY = r[SNN_R_PAD_Y], PX = r[SNN_R_PAD_X];
	int64_t NC = r[SNN_R_OUT_NC], OH = r[SNN_R_OUT_H], OW = r[SNN_R_OUT_W];
	int64_t Y0 = r[SNN_R_OUT_Y0], X0 = r[SNN_R_OUT_X0];
	int64_t pooled_h = c->in_h / P, pooled_w = c->in_w / P;
	for (int64_t k = 0; k < NC; k++)
		for (int64_t i = 0; i < OH; i++)
			for (int64_t j = 0; j < OW; j++) {
				size_t n = (size_t)((k * OH + i) * OW + j);
				int64_t oy = Y0 + i, ox = X0 + j;
				for (int64_t ch = 0; ch < c->in_c; ch++)
					for (int64_t ky = 0; ky < KH; ky++)
						for (int64_t kx = 0; kx < KW; kx++) {
							int64_t py = oy * S - PY + ky;
							int64_t px = ox * S - PX + kx;
							if (py < 0 || px < 0 || py >= pooled_h ||
							    px >= pooled_w)
								continue;	/* padding */
							int64_t w = cc->syn[((k * c->in_c + ch) * KH + ky) *
									    KW + kx];
							for (int64_t dy = 0; dy < P; dy++)
								for (int64_t dx = 0; dx < P; dx++) {
									int64_t y = py * P + dy;
									int64_t x = px * P + dx;
									size_t idx = (size_t)((ch * c->in_h + y) *
											      c->in_w + x);
									c->mat[idx * c->n + n] += w;
									c->rowsyn[idx] += 1;
								}
						}
			}
}

/* Expand a deconv (transposed conv) core from the output's point of view:
 * out[k][oy][ox] = sum over c, ky, kx and the input cells (y, x) with
 * y*S - PAD_Y + ky = oy and x*S - PAD_X + kx = ox of w[k][c][ky][kx] *
 * in[c][y][x]: a tap reaches the output only where oy + PAD_Y - ky is a
 * multiple of S. */
static void build_deconv(ncore *c, const snn_core_cfg *cc)
{
	const uint32_t *r = cc->reg;
	int64_t KH = r[SNN_R_KH], KW = r[SNN_R_KW];
	int64_t S = r[SNN_R_STRIDE], PY = r[SNN_R_PAD_Y], PX = r[SNN_R_PAD_X];
	int64_t NC = r[SNN_R_OUT_NC], OH = r[SNN_R_OUT_H], OW = r[SNN_R_OUT_W];
	int64_t Y0 = r[SNN_R_OUT_Y0], X0 = r[SNN_R_OUT_X0];
	for (int64_t k = 0; k < NC; k++)
		for (int64_t i = 0; i < OH; i++)
			for (int64_t j = 0; j < OW; j++) {
				size_t n = (size_t)((k * OH + i) * OW + j);
				int64_t oy = Y0 + i, ox = X0 + j;
				for (int64_t ch = 0; ch < c->in_c; ch++)
					for (int64_t ky = 0; ky < KH; ky++)
						for (int64_t kx = 0; kx < KW; kx++) {
							int64_t ty = oy + PY - ky, tx = ox + PX - kx;
							if (ty < 0 || tx < 0 || ty % S || tx % S ||
							    ty / S >= c->in_h || tx / S >= c->in_w)
								continue;
							size_t idx = (size_t)((ch * c->in_h + ty / S) *
									      c->in_w + tx / S);
							c->mat[idx * c->n + n] +=
								cc->syn[((k * c->in_c + ch) * KH + ky) * KW + kx];
							c->rowsyn[idx] += 1;
						}
			}
}

static void free_core(ncore *c)
{
	free(c->mat);
	free(c->rowsyn);
	free(c->bias);
	free(c->route);
	free(c->v);
	free(c->r);
	free(c->spiked);
	free(c->cur);
	free(c->next);
	free(c->acc);
}

void naive_free(naive_sim *ns)
{
	if (!ns)
		return;
	if (ns->core)
		for (unsigned i = 0; i < ns->n_cores; i++)
			free_core(&ns->core[i]);
	free(ns->core);
	free(ns->in_route);
	free(ns->ev_core);
	free(ns->ev_neuron);
	free(ns);
}

static bool setup_core(ncore *c, const snn_core_cfg *cc)
{
	const uint32_t *r = cc->reg;
	c->exists = true;
	c->mode = r[SNN_R_MODE];
	c->phase = r[SNN_R_PHASE];
	c->n = r[SNN_R_N_NEURONS];
	c->threshold = sreg(r[SNN_R_THRESHOLD]);
	c->leak = r[SNN_R_LEAK];
	c->reset = r[SNN_R_RESET];
	c->refractory = r[SNN_R_REFRACTORY];
	c->spiking = (r[SNN_R_FLAGS] & SNN_F_SPIKING) != 0;
	c->v_init = sreg(r[SNN_R_V_INIT]);
	c->out_h = r[SNN_R_OUT_H];
	c->out_w = r[SNN_R_OUT_W];
	c->in_c = r[SNN_R_IN_C];
	c->in_h = r[SNN_R_IN_H];
	c->in_w = r[SNN_R_IN_W];
	uint64_t space = (uint64_t)c->in_c * (uint64_t)c->in_h * (uint64_t)c->in_w;
	if (space == 0 || space * c->n > (1u << 24))
		return false;
	c->space = (size_t)space;
	c->mat = calloc(c->space * c->n, sizeof *c->mat);
	c->rowsyn = calloc(c->space, sizeof *c->rowsyn);
	c->bias = calloc(c->n, sizeof *c->bias);
	c->n_routes = r[SNN_R_ROUTE_COUNT];
	c->route = calloc(c->n_routes + 1, sizeof *c->route);
	c->v = calloc(c->n, sizeof *c->v);
	c->r = calloc(c->n, sizeof *c->r);
	c->spiked = calloc(c->n, sizeof *c->spiked);
	c->cur = calloc(c->space, sizeof *c->cur);
	c->next = calloc(c->space, sizeof *c->next);
	c->acc = calloc(c->n, sizeof *c->acc);
	if (!c->mat || !c->rowsyn || !c->bias || !c->route || !c->v || !c->r ||
	    !c->spiked || !c->cur || !c->next || !c->acc)
		return false;
	memcpy(c->bias, cc->bias, c->n * sizeof *c->bias);
	memcpy(c->route, cc->route, c->n_routes * sizeof *c->route);
	if (c->mode == SNN_MODE_DENSE)
		build_dense(c, cc);
	else if (c->mode == SNN_MODE_DECONV)
		build_deconv(c, cc);
	else
		build_conv(c, cc);
	return true;
}

naive_sim *naive_create(const snn_config *cfg)
{
	naive_sim *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->n_cores = cfg->geo.n_cores;
	ns->max_phases = cfg->geo.max_phases;
	ns->vmax = ((int64_t)1 << (cfg->geo.membrane_bits - 1)) - 1;
	ns->vmin = -((int64_t)1 << (cfg->geo.membrane_bits - 1));
	ns->in_c = cfg->global[SNN_G_INPUT_C];
	ns->in_h = cfg->global[SNN_G_INPUT_H];
	ns->in_w = cfg->global[SNN_G_INPUT_W];
	ns->n_in_routes = cfg->global[SNN_G_INPUT_ROUTES];
	ns->core = calloc(ns->n_cores, sizeof *ns->core);
	ns->in_route = calloc(ns->n_in_routes + 1, sizeof *ns->in_route);
	if (!ns->core || !ns->in_route) {
		naive_free(ns);
		return NULL;
	}
	memcpy(ns->in_route, cfg->input_route, ns->n_in_routes * sizeof *ns->in_route);
	uint32_t in_use = cfg->global[SNN_G_N_CORES];
	size_t total_neurons = 0;
	for (unsigned i = 0; i < ns->n_cores; i++) {
		const snn_core_cfg *cc = &cfg->core[i];
		if (i >= in_use || cc->reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		if (!setup_core(&ns->core[i], cc)) {
			naive_free(ns);
			return NULL;
		}
		total_neurons += (size_t)ns->core[i].n * (ns->core[i].n_routes + 1);
	}
	/* Each spike reaches the host at most once per route. */
	ns->cap_ev = total_neurons + 1;
	ns->ev_core = calloc(ns->cap_ev, sizeof *ns->ev_core);
	ns->ev_neuron = calloc(ns->cap_ev, sizeof *ns->ev_neuron);
	if (!ns->ev_core || !ns->ev_neuron) {
		naive_free(ns);
		return NULL;
	}
	naive_reset(ns);
	return ns;
}

void naive_reset(naive_sim *ns)
{
	for (unsigned i = 0; i < ns->n_cores; i++) {
		ncore *c = &ns->core[i];
		if (!c->exists)
			continue;
		for (uint32_t n = 0; n < c->n; n++) {
			c->v[n] = c->v_init;
			c->r[n] = 0;
			c->spiked[n] = false;
		}
		memset(c->cur, 0, c->space * sizeof *c->cur);
		memset(c->next, 0, c->space * sizeof *c->next);
	}
	ns->n_ev = 0;
	ns->step = 0;
}

/* An event at (c, y, x) arrives at core dest, counted into the same-step or
 * next-step event vector. Coordinates outside the core's input space are
 * ignored (both modes). Its synaptic operations, known per coordinate from
 * the expanded matrix, count when the core consumes the vector. */
static void deliver(naive_sim *ns, unsigned dest, int64_t c, int64_t y, int64_t x,
		    bool next_step)
{
	ncore *d = &ns->core[dest];
	if (c < 0 || y < 0 || x < 0 || c >= d->in_c || y >= d->in_h || x >= d->in_w)
		return;
	size_t idx = (size_t)((c * d->in_h + y) * d->in_w + x);
	if (next_step)
		d->next[idx] += 1;
	else
		d->cur[idx] += 1;
}

/* One neuron, one step (docs/neuron-model.md). Returns true on a spike. */
static bool neuron_update(const naive_sim *ns, ncore *c, uint32_t n, int64_t a)
{
	if (c->r[n] > 0) {
		c->r[n] -= 1;
		return false;
	}
	int64_t v = c->v[n];
	int64_t u = v - floor_div_256(v * (int64_t)c->leak) + a + c->bias[n];
	if (u > ns->vmax)
		u = ns->vmax;
	if (u < ns->vmin)
		u = ns->vmin;
	c->v[n] = (int32_t)u;
	if (c->spiking && u >= c->threshold) {
		if (c->reset == SNN_RESET_ZERO)
			c->v[n] = 0;
		else
			c->v[n] = (int32_t)(u - c->threshold);
		c->r[n] = c->refractory;
		return true;
	}
	return false;
}

static void neuron_coord(const ncore *c, uint32_t n, int64_t *ch, int64_t *y,
			 int64_t *x)
{
	if (c->mode == SNN_MODE_DENSE) {
		*ch = n;
		*y = 0;
		*x = 0;
	} else {
		uint32_t plane = c->out_h * c->out_w;
		*ch = n / plane;
		*y = (n % plane) / c->out_w;
		*x = n % c->out_w;
	}
}

static void run_core(naive_sim *ns, unsigned ci)
{
	ncore *c = &ns->core[ci];
	/* a = cur^T * mat: every coordinate's count times its weight row. */
	for (uint32_t n = 0; n < c->n; n++)
		c->acc[n] = 0;
	for (size_t idx = 0; idx < c->space; idx++) {
		uint32_t k = c->cur[idx];
		if (!k)
			continue;
		ns->synops += (uint64_t)k * c->rowsyn[idx];	/* counted when consumed */
		const int64_t *row = &c->mat[idx * c->n];
		for (uint32_t n = 0; n < c->n; n++)
			c->acc[n] += (int64_t)k * row[n];
	}
	memset(c->cur, 0, c->space * sizeof *c->cur);
	for (uint32_t n = 0; n < c->n; n++) {
		int64_t ab = c->acc[n] + c->bias[n];
		if (c->acc[n] > INT32_MAX || c->acc[n] < INT32_MIN || ab > INT32_MAX ||
		    ab < INT32_MIN)
			ns->overflow = true;
		c->spiked[n] = neuron_update(ns, c, n, c->acc[n]);
	}
	for (uint32_t n = 0; n < c->n; n++) {
		if (!c->spiked[n])
			continue;
		ns->spikes++;
		int64_t ch, y, x;
		neuron_coord(c, n, &ch, &y, &x);
		for (uint32_t k = 0; k < c->n_routes; k++) {
			const snn_route *rt = &c->route[k];
			if (n < rt->src_lo || n >= rt->src_hi)
				continue;
			if (rt->dest == SNN_ROUTE_HOST) {
				if (ns->n_ev < ns->cap_ev) {
					ns->ev_core[ns->n_ev] = (uint16_t)ci;
					ns->ev_neuron[ns->n_ev] = (uint16_t)n;
					ns->n_ev++;
				}
				continue;
			}
			bool later = ns->core[rt->dest].phase <= c->phase;
			deliver(ns, rt->dest, ch + rt->dc, y + rt->dy, x + rt->dx, later);
		}
	}
}

void naive_step(naive_sim *ns, const uint32_t *inputs, size_t n_inputs)
{
	ns->n_ev = 0;
	/* Events queued for this step by the previous one become current. */
	for (unsigned i = 0; i < ns->n_cores; i++) {
		ncore *c = &ns->core[i];
		if (!c->exists)
			continue;
		uint32_t *t = c->cur;
		c->cur = c->next;
		c->next = t;
		memset(c->next, 0, c->space * sizeof *c->next);
		memset(c->spiked, 0, c->n * sizeof *c->spiked);
	}
	/* 1. Host input: index q is at (q / (H*W), (q / W) % H, q % W). */
	uint64_t hw = (uint64_t)ns->in_h * ns->in_w;
	for (size_t i = 0; i < n_inputs; i++) {
		uint32_t q = inputs[i];
		int64_t ch = (int64_t)(q / hw), y = (int64_t)((q / ns->in_w) % ns->in_h),
			x = (int64_t)(q % ns->in_w);
		for (uint32_t k = 0; k < ns->n_in_routes; k++) {
			const snn_route *rt = &ns->in_route[k];
			if (q < rt->src_lo || q >= rt->src_hi || rt->dest == SNN_ROUTE_HOST)
				continue;
			deliver(ns, rt->dest, ch + rt->dc, y + rt->dy, x + rt->dx, false);
		}
	}
	/* 2. Phases in order; cores of one phase in index order (they cannot
	 * see each other's spikes within the step, so the order is moot). */
	for (uint32_t p = 0; p < ns->max_phases; p++)
		for (unsigned i = 0; i < ns->n_cores; i++)
			if (ns->core[i].exists && ns->core[i].phase == p)
				run_core(ns, i);
	/* Host events sorted by (core, neuron): insertion sort, stable. */
	for (size_t i = 1; i < ns->n_ev; i++) {
		uint16_t c = ns->ev_core[i], n = ns->ev_neuron[i];
		size_t j = i;
		while (j > 0 && (ns->ev_core[j - 1] > c ||
				 (ns->ev_core[j - 1] == c && ns->ev_neuron[j - 1] > n))) {
			ns->ev_core[j] = ns->ev_core[j - 1];
			ns->ev_neuron[j] = ns->ev_neuron[j - 1];
			j--;
		}
		ns->ev_core[j] = c;
		ns->ev_neuron[j] = n;
	}
	ns->step++;
}

bool naive_core_exists(const naive_sim *ns, unsigned core)
{
	return core < ns->n_cores && ns->core[core].exists;
}

unsigned naive_core_neurons(const naive_sim *ns, unsigned core)
{
	return naive_core_exists(ns, core) ? ns->core[core].n : 0;
}

bool naive_spiked(const naive_sim *ns, unsigned core, unsigned neuron)
{
	return naive_core_exists(ns, core) && neuron < ns->core[core].n &&
	       ns->core[core].spiked[neuron];
}

void naive_state(const naive_sim *ns, unsigned core, unsigned neuron, int32_t *v,
		 uint32_t *ref)
{
	if (!naive_core_exists(ns, core) || neuron >= ns->core[core].n) {
		*v = 0;
		*ref = 0;
		return;
	}
	*v = ns->core[core].v[neuron];
	*ref = ns->core[core].r[neuron];
}

void naive_set_state(naive_sim *ns, unsigned core, unsigned neuron, int32_t v, uint32_t ref)
{
	if (!naive_core_exists(ns, core) || neuron >= ns->core[core].n)
		return;
	ns->core[core].v[neuron] = v;
	ns->core[core].r[neuron] = ref;
}

size_t naive_host_events(const naive_sim *ns, const uint16_t **core,
			 const uint16_t **neuron)
{
	*core = ns->ev_core;
	*neuron = ns->ev_neuron;
	return ns->n_ev;
}

uint64_t naive_synops(const naive_sim *ns)
{
	return ns->synops;
}

uint64_t naive_spikes(const naive_sim *ns)
{
	return ns->spikes;
}

uint32_t naive_step_index(const naive_sim *ns)
{
	return ns->step;
}

bool naive_acc_overflowed(const naive_sim *ns)
{
	return ns->overflow;
}
