/* Random valid configurations (see random_net.h). */
#include "random_net.h"

#include <stdlib.h>
#include <string.h>

const snn_geometry random_net_small_geo = {16, 256, 256, 8192, 8, 16, 12, 8, 8, 8, 0, 0, 0, 0, 0, 0};
const snn_geometry random_net_wide_geo = {16, 256, 256, 8192, 16, 31, 31, 8, 8, 8, 0, 0, 0, 0, 0, 0};

#define MAX_LAYER_CORES 3u
#define MAX_CORE_NEURONS 256u

uint64_t rn_next(rn_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint32_t rn_below(rn_rng *r, uint32_t n)
{
	return n <= 1 ? 0 : (uint32_t)(rn_next(r) % n);
}

int64_t rn_range(rn_rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;
	if (span == 0)
		return (int64_t)rn_next(r);
	return lo + (int64_t)(rn_next(r) % span);
}

bool rn_chance(rn_rng *r, unsigned percent)
{
	return rn_below(r, 100) < percent;
}

/* A core of a layer: its id, its neuron count, and the offset that takes
 * its local neuron coordinate to the layer's output coordinate. */
typedef struct lcore {
	unsigned id;
	uint32_t n;
	int16_t dc, dy, dx;
} lcore;

typedef struct layer {
	lcore core[MAX_LAYER_CORES];
	unsigned n;
	uint32_t oc, oh, ow;	/* output shape */
	bool conv;
	bool uniform;	/* split as the compiler splits (random_net_opts.split_layer_percent) */
} layer;

typedef struct gen {
	rn_rng rng;
	snn_config *cfg;
	uint32_t max_oc;	/* random_net_opts.max_conv_channels */
	unsigned split_pct;	/* random_net_opts.split_layer_percent */
	int64_t vmin, vmax, wmin, wmax, bmin, bmax;
	unsigned next_core;
} gen;

static uint32_t *reg(gen *g, unsigned c)
{
	return g->cfg->core[c].reg;
}

static bool add_route(gen *g, int src, snn_route r)
{
	if (src < 0) {
		uint32_t *cnt = &g->cfg->global[SNN_G_INPUT_ROUTES];
		if (*cnt >= g->cfg->geo.input_routes)
			return false;
		g->cfg->input_route[(*cnt)++] = r;
		return true;
	}
	uint32_t *cnt = &reg(g, (unsigned)src)[SNN_R_ROUTE_COUNT];
	if (*cnt >= g->cfg->geo.routes_per_core)
		return false;
	g->cfg->core[src].route[(*cnt)++] = r;
	return true;
}

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Weights and biases of core c (syn_count words, n neurons) and its neuron
 * parameters. */
static void gen_core_values(gen *g, unsigned c, bool last)
{
	rn_rng *r = &g->rng;
	uint32_t *rg = reg(g, c);
	uint32_t nsyn = rg[SNN_R_SYN_COUNT], n = rg[SNN_R_N_NEURONS];
	unsigned wstyle = rn_below(r, 6);
	int64_t wscale = wstyle == 1 ? 8 : g->wmax / 2;
	for (uint32_t i = 0; i < nsyn; i++) {
		int64_t w;
		switch (wstyle) {
		case 0:
			w = rn_range(r, g->wmin, g->wmax);
			break;
		case 1:
			w = rn_range(r, -8, 8);
			break;
		case 2:
			w = rn_range(r, 0, g->wmax);
			break;
		case 3:
			w = rn_chance(r, 55) ? g->wmax : g->wmin;
			break;
		case 4:
			w = rn_chance(r, 80) ? 0 : rn_range(r, g->wmin, g->wmax);
			break;
		default:
			w = rn_range(r, -g->wmax / 4, g->wmax);
			break;
		}
		g->cfg->core[c].syn[i] = (int16_t)w;
	}
	unsigned bstyle = rn_below(r, 100);
	for (uint32_t i = 0; i < n; i++) {
		int64_t b = 0;
		if (bstyle < 40)
			b = 0;
		else if (bstyle < 65)
			b = rn_range(r, -wscale / 4, wscale / 4);
		else if (bstyle < 80)
			b = rn_chance(r, 50) ? g->bmax : g->bmin;
		else
			b = rn_range(r, g->bmin, g->bmax);
		g->cfg->core[c].bias[i] = (int32_t)b;
	}
	int64_t thr;
	unsigned t = rn_below(r, 100);
	if (t < 8)
		thr = 1;
	else if (t < 16)
		thr = g->vmax;
	else if (t < 24)
		thr = rn_range(r, 1, g->vmax);
	else
		thr = rn_range(r, 1, wscale * (1 + rn_below(r, 8)));
	rg[SNN_R_THRESHOLD] = (uint32_t)clamp64(thr, 1, g->vmax);
	t = rn_below(r, 100);
	rg[SNN_R_LEAK] = t < 40 ? 0 : t < 50 ? 255 : (uint32_t)rn_range(r, 1, 254);
	rg[SNN_R_RESET] = rn_below(r, 2);
	rg[SNN_R_REFRACTORY] = rn_chance(r, 50) ? 0 : (uint32_t)rn_range(r, 1, 15);
	t = rn_below(r, 100);
	int64_t v0 = t < 55 ? 0 : t < 65 ? g->vmin : t < 75 ? g->vmax : rn_range(r, g->vmin, g->vmax);
	rg[SNN_R_V_INIT] = (uint32_t)(int32_t)v0;
	bool spiking = !(last ? rn_chance(r, 35) : rn_chance(r, 5));
	rg[SNN_R_FLAGS] = spiking ? SNN_F_SPIKING : 0;
}

/* Split total into k >= 1 positive parts at random cut points. */
static void random_split(rn_rng *r, uint32_t total, unsigned k, uint32_t *part)
{
	if (k > total)
		k = total;
	uint32_t cut[MAX_LAYER_CORES + 1];
	cut[0] = 0;
	cut[k] = total;
	for (unsigned i = 1; i < k; i++) {
		/* strictly increasing cuts: choose among the remaining room */
		uint32_t lo = cut[i - 1] + 1, hi = total - (k - i);
		cut[i] = (uint32_t)rn_range(r, lo, hi);
	}
	for (unsigned i = 0; i < k; i++)
		part[i] = cut[i + 1] - cut[i];
}

static unsigned alloc_core(gen *g)
{
	return g->next_core++;
}

static void build_dense(gen *g, const uint32_t in[3], unsigned ncores, bool last,
			layer *L)
{
	rn_rng *r = &g->rng;
	uint32_t space = in[0] * in[1] * in[2];
	uint32_t total = last ? (uint32_t)rn_range(r, 1, 16) : (uint32_t)rn_range(r, 1, 96);
	if (ncores > total)
		ncores = total;
	uint32_t part[MAX_LAYER_CORES];
	random_split(r, total, ncores, part);
	uint32_t n0 = 0;
	L->n = ncores;
	L->conv = false;
	L->uniform = false;
	for (unsigned k = 0; k < ncores; k++) {
		unsigned c = alloc_core(g);
		uint32_t *rg = reg(g, c);
		uint32_t n = part[k];
		uint32_t axons = space;
		if (axons > g->cfg->geo.axons_per_core)
			axons = g->cfg->geo.axons_per_core;
		if (axons > g->cfg->geo.synapse_words / n)
			axons = g->cfg->geo.synapse_words / n;
		if (rn_chance(r, 10))	/* fewer axons: the rest is ignored */
			axons = (uint32_t)rn_range(r, 1, axons);
		rg[SNN_R_MODE] = SNN_MODE_DENSE;
		rg[SNN_R_N_NEURONS] = n;
		rg[SNN_R_N_AXONS] = axons;
		rg[SNN_R_IN_C] = in[0];
		rg[SNN_R_IN_H] = in[1];
		rg[SNN_R_IN_W] = in[2];
		if (rn_chance(r, 8)) {	/* input space not matching the source */
			unsigned which = rn_below(r, 3);
			int64_t v = (int64_t)in[which] + rn_range(r, -1, 1);
			rg[SNN_R_IN_C + which] = (uint32_t)(v < 1 ? 1 : v);
		}
		rg[SNN_R_SYN_COUNT] = axons * n;
		L->core[k] = (lcore){.id = c, .n = n, .dc = (int16_t)n0};
		n0 += n;
		gen_core_values(g, c, last);
	}
	L->oc = total;
	L->oh = 1;
	L->ow = 1;
}

static uint32_t conv_out(uint32_t pooled, uint32_t pad_lo, uint32_t pad_hi, uint32_t k,
			 uint32_t s)
{
	return (pooled + pad_lo + pad_hi - k) / s + 1;
}

/* Output size of a transposed conv: (in - 1) S + K - pad_lo - pad_hi. */
static uint32_t deconv_out(uint32_t in, uint32_t pad_lo, uint32_t pad_hi, uint32_t k, uint32_t s)
{
	return (in - 1) * s + k - pad_lo - pad_hi;
}

static void build_conv(gen *g, const uint32_t in[3], unsigned ncores, bool last, bool deconv,
		       layer *L)
{
	rn_rng *r = &g->rng;
	uint32_t ic = in[0], ih = in[1], iw = in[2];
	uint32_t P = 1;
	if (!deconv && ih >= 2 && iw >= 2 && rn_chance(r, 40))
		P = 2;
	if (!deconv && ih >= 3 && iw >= 3 && rn_chance(r, 5))
		P = 3;
	uint32_t ph = ih / P, pw = iw / P;
	uint32_t KH = (uint32_t)rn_range(r, 1, 5);
	uint32_t KW = rn_chance(r, 50) ? KH : (uint32_t)rn_range(r, 1, 5);
	uint32_t S = rn_chance(r, 30) ? 2 : 1;
	uint32_t OC = (uint32_t)rn_range(r, 1, g->max_oc);
	if ((uint64_t)ic * KH * KW > g->cfg->geo.synapse_words / 6) {
		KH = 1;
		KW = 1;
	}
	while ((uint64_t)OC * ic * KH * KW > g->cfg->geo.synapse_words)
		OC--;
	uint32_t PY = rn_below(r, KH), PX = rn_below(r, KW);
	uint32_t PB = rn_below(r, KH), PR = rn_below(r, KW);
	if (ph + PY + PB < KH)
		PB = KH - ph - PY;
	if (pw + PX + PR < KW)
		PR = KW - pw - PX;
	uint32_t OH = conv_out(ph, PY, PB, KH, S), OW = conv_out(pw, PX, PR, KW, S);
	if (deconv) {	/* PY + PB < K keeps at least one output row */
		PB = PY + PB < KH ? PB : KH - 1 - PY;
		PR = PX + PR < KW ? PR : KW - 1 - PX;
		OH = deconv_out(ih, PY, PB, KH, S);
		OW = deconv_out(iw, PX, PR, KW, S);
	}
	if (rn_chance(r, 10) && OH > 1)	/* tiles need not reach the edge */
		OH--;
	/* fit the layer in its cores, then cut it */
	uint32_t nc[MAX_LAYER_CORES], th[MAX_LAYER_CORES], tw[MAX_LAYER_CORES];
	unsigned axis = 0, k;
	for (;;) {
		while ((uint64_t)OC * OH * OW > (uint64_t)ncores * 200) {
			if (g->max_oc > 6 && OH * OW > 4 && OH >= OW)
				OH--;	/* channels first */
			else if (g->max_oc > 6 && OH * OW > 4)
				OW--;
			else if (OC > 1)
				OC--;
			else if (OH >= OW)
				OH--;
			else
				OW--;
		}
		unsigned axes[3], na = 0;
		if (OC >= ncores)
			axes[na++] = 0;
		if (OH >= ncores)
			axes[na++] = 1;
		if (OW >= ncores)
			axes[na++] = 2;
		if (na == 0) {
			ncores = 1;
			continue;
		}
		bool ok = false;
		for (int attempt = 0; attempt < 20 && !ok; attempt++) {
			axis = axes[rn_below(r, na)];
			uint32_t part[MAX_LAYER_CORES];
			random_split(r, axis == 0 ? OC : axis == 1 ? OH : OW, ncores, part);
			ok = true;
			for (k = 0; k < ncores; k++) {
				nc[k] = axis == 0 ? part[k] : OC;
				th[k] = axis == 1 ? part[k] : OH;
				tw[k] = axis == 2 ? part[k] : OW;
				if (nc[k] * th[k] * tw[k] > MAX_CORE_NEURONS)
					ok = false;
			}
		}
		if (ok)
			break;
		if (OC > 1)	/* shrink and try again */
			OC--;
		else if (OH >= OW)
			OH--;
		else
			OW--;
	}
	L->n = ncores;
	L->conv = true;
	uint32_t c0 = 0, y0 = 0, x0 = 0;
	for (k = 0; k < ncores; k++) {
		unsigned c = alloc_core(g);
		uint32_t *rg = reg(g, c);
		rg[SNN_R_MODE] = deconv ? SNN_MODE_DECONV : SNN_MODE_CONV;
		rg[SNN_R_IN_C] = ic;
		rg[SNN_R_IN_H] = ih;
		rg[SNN_R_IN_W] = iw;
		rg[SNN_R_POOL] = P;
		rg[SNN_R_KH] = KH;
		rg[SNN_R_KW] = KW;
		rg[SNN_R_STRIDE] = S;
		rg[SNN_R_PAD_Y] = PY;
		rg[SNN_R_PAD_X] = PX;
		rg[SNN_R_OUT_C0] = c0;
		rg[SNN_R_OUT_NC] = nc[k];
		rg[SNN_R_OUT_Y0] = y0;
		rg[SNN_R_OUT_H] = th[k];
		rg[SNN_R_OUT_X0] = x0;
		rg[SNN_R_OUT_W] = tw[k];
		rg[SNN_R_N_NEURONS] = nc[k] * th[k] * tw[k];
		rg[SNN_R_SYN_COUNT] = nc[k] * ic * KH * KW;
		L->core[k] = (lcore){.id = c, .n = rg[SNN_R_N_NEURONS], .dc = (int16_t)c0,
				     .dy = (int16_t)y0, .dx = (int16_t)x0};
		if (axis == 0)
			c0 += nc[k];
		else if (axis == 1)
			y0 += th[k];
		else
			x0 += tw[k];
		gen_core_values(g, c, last);
	}
	L->oc = OC;
	L->oh = OH;
	L->ow = OW;
	/* drawn only when asked for, so that other seeds' networks stay as they were */
	L->uniform = g->split_pct && ncores > 1 && rn_chance(r, g->split_pct);
	for (k = 1; L->uniform && k < ncores; k++)
		for (int i = SNN_R_THRESHOLD; i <= SNN_R_FLAGS; i++)
			reg(g, L->core[k].id)[i] = reg(g, L->core[0].id)[i];
}

/* Routes from source (core id, or -1 for the host input with n indices)
 * into every core of layer L, with the source's coordinate offset. */
static void connect(gen *g, int src, uint32_t n, int16_t dc, int16_t dy, int16_t dx,
		    const layer *L)
{
	rn_rng *r = &g->rng;
	enum { WHOLE, TWO_RANGES, PART } how = WHOLE;
	uint32_t m = 0, lo = 0, hi = n;
	for (unsigned k = 0; k < L->n; k++) {
		snn_route rt = {.dest = (uint16_t)L->core[k].id, .src_lo = 0, .src_hi = n,
				.dc = dc, .dy = dy, .dx = dx};
		if (k == 0 || !L->uniform) {	/* a uniform layer's cores: all alike */
			how = WHOLE;
			if (n >= 2 && rn_chance(r, 20)) {	/* the same, in two ranges */
				how = TWO_RANGES;
				m = (uint32_t)rn_range(r, 1, n - 1);
			} else if (n >= 2 && rn_chance(r, 8)) {	/* only part of the source */
				how = PART;
				lo = (uint32_t)rn_range(r, 0, n - 1);
				hi = (uint32_t)rn_range(r, lo + 1, n);
			}
		}
		if (how == TWO_RANGES) {
			rt.src_hi = m;
			add_route(g, src, rt);
			rt.src_lo = m;
			rt.src_hi = n;
		} else if (how == PART) {
			rt.src_lo = lo;
			rt.src_hi = hi;
		}
		add_route(g, src, rt);
	}
}

static void random_range(rn_rng *r, uint32_t n, uint32_t *lo, uint32_t *hi)
{
	if (rn_chance(r, 50)) {
		*lo = 0;
		*hi = n;
		return;
	}
	*lo = (uint32_t)rn_range(r, 0, n - 1);
	*hi = (uint32_t)rn_range(r, *lo + 1, n);
}

/* Mostly small shifts; rarely the extremes of the signed 16-bit field, so
 * that sign extension and out-of-range rejection are exercised. */
static int16_t small_offset(rn_rng *r)
{
	if (rn_chance(r, 2))
		return rn_chance(r, 50) ? INT16_MIN : INT16_MAX;
	return (int16_t)(rn_chance(r, 50) ? 0 : rn_range(r, -3, 3));
}

uint64_t random_net_max_events(const snn_config *cfg, unsigned c)
{
	uint64_t e = 0;
	uint32_t used = cfg->global[SNN_G_N_CORES];
	for (unsigned s = 0; s < used; s++) {
		const snn_core_cfg *sc = &cfg->core[s];
		for (uint32_t k = 0; k < sc->reg[SNN_R_ROUTE_COUNT]; k++)
			if (sc->route[k].dest == c)
				e += sc->route[k].src_hi - sc->route[k].src_lo;
	}
	uint64_t chw = (uint64_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
		       cfg->global[SNN_G_INPUT_W];
	for (uint32_t k = 0; k < cfg->global[SNN_G_INPUT_ROUTES]; k++)
		if (cfg->input_route[k].dest == c)
			e += chw;
	return e;
}

static void core_extremes(const snn_config *cfg, unsigned c, uint64_t *wmax, uint64_t *bmax)
{
	const snn_core_cfg *cc = &cfg->core[c];
	*wmax = 0;
	*bmax = 0;
	for (uint32_t i = 0; i < cc->reg[SNN_R_SYN_COUNT]; i++) {
		int64_t w = cc->syn[i];
		uint64_t m = (uint64_t)(w < 0 ? -w : w);
		if (m > *wmax)
			*wmax = m;
	}
	for (uint32_t i = 0; i < cc->reg[SNN_R_N_NEURONS]; i++) {
		int64_t b = cc->bias[i];
		uint64_t m = (uint64_t)(b < 0 ? -b : b);
		if (m > *bmax)
			*bmax = m;
	}
}

uint64_t random_net_acc_bound(const snn_config *cfg, unsigned c)
{
	uint64_t wmax, bmax;
	core_extremes(cfg, c, &wmax, &bmax);
	return random_net_max_events(cfg, c) * wmax + bmax;
}

/* Keep every core within E * Wmax + Bmax <= 2^31 - 1 by halving its
 * weights (then its biases) where needed. */
static void enforce_bound(gen *g)
{
	snn_config *cfg = g->cfg;
	for (unsigned c = 0; c < cfg->global[SNN_G_N_CORES]; c++) {
		snn_core_cfg *cc = &cfg->core[c];
		if (cc->reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		while (random_net_acc_bound(cfg, c) > INT32_MAX) {
			uint64_t wmax, bmax;
			core_extremes(cfg, c, &wmax, &bmax);
			if (wmax > 0)
				for (uint32_t i = 0; i < cc->reg[SNN_R_SYN_COUNT]; i++)
					cc->syn[i] = (int16_t)(cc->syn[i] / 2);
			else
				for (uint32_t i = 0; i < cc->reg[SNN_R_N_NEURONS]; i++)
					cc->bias[i] /= 2;
		}
	}
}

int random_net(snn_config *cfg, uint64_t seed, const random_net_opts *opts,
	       random_net_info *info, snn_diag *diag)
{
	static const random_net_opts defaults = RANDOM_NET_DEFAULT_OPTS;
	if (!opts)
		opts = &defaults;
	if (info)
		memset(info, 0, sizeof *info);
	gen g = {.rng = {seed * 0x2545F4914F6CDD1Dull + 0x1234567ull}, .cfg = cfg,
		 .max_oc = opts->max_conv_channels ? opts->max_conv_channels : 6,
		 .split_pct = opts->split_layer_percent};
	rn_rng *r = &g.rng;
	rn_next(r);
	bool wide = rn_chance(r, opts->wide_percent);
	int rc = snn_config_init(cfg, wide ? &random_net_wide_geo : &random_net_small_geo,
				 diag);
	if (rc)
		return rc;
	const snn_geometry *geo = &cfg->geo;
	g.vmax = ((int64_t)1 << (geo->membrane_bits - 1)) - 1;
	g.vmin = -g.vmax - 1;
	g.wmax = ((int64_t)1 << (geo->weight_bits - 1)) - 1;
	g.wmin = -g.wmax - 1;
	g.bmax = ((int64_t)1 << (geo->bias_bits - 1)) - 1;
	g.bmin = -g.bmax - 1;

	/* input tensor */
	uint32_t in[3];
	if (rn_chance(r, 20)) {
		in[0] = 1;
		in[1] = 1;
		in[2] = (uint32_t)rn_range(r, 1, 64);
	} else {
		in[0] = (uint32_t)rn_range(r, 1, 3);
		in[1] = (uint32_t)rn_range(r, 1, 10);
		in[2] = (uint32_t)rn_range(r, 1, 10);
	}
	uint32_t chw = in[0] * in[1] * in[2];
	cfg->global[SNN_G_INPUT_C] = in[0];
	cfg->global[SNN_G_INPUT_H] = in[1];
	cfg->global[SNN_G_INPUT_W] = in[2];

	unsigned lo = opts->min_layers < 1 ? 1 : opts->min_layers;
	unsigned hi = opts->max_layers < lo ? lo : opts->max_layers;
	unsigned nl = (unsigned)rn_range(r, lo, hi);
	unsigned maxc = opts->max_cores_per_layer;
	if (maxc < 1)
		maxc = 1;
	if (maxc > MAX_LAYER_CORES)
		maxc = MAX_LAYER_CORES;
	if (nl * maxc > geo->n_cores)
		nl = geo->n_cores / maxc;

	layer Ls[16];
	uint32_t shape[3] = {in[0], in[1], in[2]};
	char summary[200];
	size_t sl = (size_t)snprintf(summary, sizeof summary, "%s in %ux%ux%u:",
				     wide ? "wide" : "small", in[0], in[1], in[2]);
	for (unsigned l = 0; l < nl; l++) {
		bool last = l + 1 == nl;
		unsigned ncores = (unsigned)rn_range(r, 1, maxc);
		unsigned left = geo->n_cores - g.next_core;
		unsigned reserve = (nl - l - 1) * maxc;
		if (left > reserve + ncores && rn_chance(r, 10))
			g.next_core++;	/* an idle core (MODE 0) below N_CORES */
		bool spatial = shape[1] > 1 || shape[2] > 1;
		bool conv = last ? rn_chance(r, 25) : rn_chance(r, spatial ? 55 : 25);
		bool deconv = conv && opts->deconv_percent && rn_chance(r, opts->deconv_percent);
		if (conv)
			build_conv(&g, shape, ncores, last, deconv, &Ls[l]);
		else
			build_dense(&g, shape, ncores, last, &Ls[l]);
		shape[0] = Ls[l].oc;
		shape[1] = Ls[l].oh;
		shape[2] = Ls[l].ow;
		if (sl < sizeof summary)
			sl += (size_t)snprintf(summary + sl, sizeof summary - sl, " %s[%u]->%ux%ux%u",
					       deconv ? "deconv" : conv ? "conv" : "dense", Ls[l].n, shape[0],
					       shape[1], shape[2]);
	}
	if (g.next_core < geo->n_cores && rn_chance(r, 10))
		g.next_core++;	/* an idle core at the end */
	cfg->global[SNN_G_N_CORES] = g.next_core;

	/* phases */
	unsigned pmode = rn_below(r, 100);
	unsigned spacing = nl * 2 <= geo->max_phases && rn_chance(r, 40) ? 2 : 1;
	for (unsigned l = 0; l < nl; l++)
		for (unsigned k = 0; k < Ls[l].n; k++) {
			uint32_t p;
			if (pmode < 60)
				p = l * spacing + (spacing == 2 ? rn_below(r, 2) : 0);
			else if (pmode < 85)
				p = rn_chance(r, 20) ? rn_below(r, geo->max_phases) : l;
			else
				p = rn_below(r, geo->max_phases);
			reg(&g, Ls[l].core[k].id)[SNN_R_PHASE] = p;
		}
	for (unsigned l = 0; l < nl; l++)	/* no draws: the other seeds stay as they were */
		for (unsigned k = 1; Ls[l].uniform && k < Ls[l].n; k++)
			reg(&g, Ls[l].core[k].id)[SNN_R_PHASE] = reg(&g, Ls[l].core[0].id)[SNN_R_PHASE];

	/* feed-forward routes */
	connect(&g, -1, chw, 0, 0, 0, &Ls[0]);
	for (unsigned l = 1; l < nl; l++)
		for (unsigned k = 0; k < Ls[l - 1].n; k++) {
			const lcore *s = &Ls[l - 1].core[k];
			connect(&g, (int)s->id, s->n, s->dc, s->dy, s->dx, &Ls[l]);
		}
	/* host outputs: the last layer, and some hidden cores */
	for (unsigned l = 0; l < nl; l++)
		for (unsigned k = 0; k < Ls[l].n; k++) {
			const lcore *s = &Ls[l].core[k];
			bool last = l + 1 == nl;
			if (!(last ? rn_chance(r, 95) : rn_chance(r, 15)))
				continue;
			snn_route rt = {.dest = SNN_ROUTE_HOST};
			random_range(r, s->n, &rt.src_lo, &rt.src_hi);
			add_route(&g, (int)s->id, rt);
			if (rn_chance(r, 20)) {	/* overlapping second host route */
				random_range(r, s->n, &rt.src_lo, &rt.src_hi);
				add_route(&g, (int)s->id, rt);
			}
		}
	/* recurrent, lateral, skip and stray routes between any cores */
	for (unsigned l = 0; l < nl; l++)
		for (unsigned k = 0; k < Ls[l].n; k++) {
			const lcore *s = &Ls[l].core[k];
			unsigned extra = rn_chance(r, 35) ? (unsigned)rn_range(r, 1, 3) : 0;
			for (unsigned e = 0; e < extra; e++) {
				unsigned dl = rn_below(r, nl);
				const lcore *d = &Ls[dl].core[rn_below(r, Ls[dl].n)];
				if (rn_chance(r, 30))
					d = s;	/* self-recurrence */
				snn_route rt = {.dest = (uint16_t)d->id};
				random_range(r, s->n, &rt.src_lo, &rt.src_hi);
				rt.dc = (int16_t)clamp64(s->dc + small_offset(r), INT16_MIN, INT16_MAX);
				rt.dy = (int16_t)clamp64(s->dy + small_offset(r), INT16_MIN, INT16_MAX);
				rt.dx = (int16_t)clamp64(s->dx + small_offset(r), INT16_MIN, INT16_MAX);
				add_route(&g, (int)s->id, rt);
			}
		}
	/* extra input routes: skips into deeper layers, shifted copies */
	unsigned extra_in = rn_chance(r, 35) ? (unsigned)rn_range(r, 1, 4) : 0;
	for (unsigned e = 0; e < extra_in; e++) {
		unsigned dl = rn_below(r, nl);
		snn_route rt = {.dest = (uint16_t)Ls[dl].core[rn_below(r, Ls[dl].n)].id};
		random_range(r, chw, &rt.src_lo, &rt.src_hi);
		rt.dc = small_offset(r);
		rt.dy = small_offset(r);
		rt.dx = small_offset(r);
		add_route(&g, -1, rt);
	}

	enforce_bound(&g);
	for (unsigned c = 0; c < cfg->global[SNN_G_N_CORES]; c++)
		if (cfg->core[c].reg[SNN_R_MODE] != SNN_MODE_OFF &&
		    random_net_acc_bound(cfg, c) > INT32_MAX)
			return snn_fail(diag, SNN_ERR_RANGE, "generator: core %u breaks the accumulator bound", c);

	if (info) {
		info->layers = nl;
		info->cores = 0;
		for (unsigned l = 0; l < nl; l++)
			info->cores += Ls[l].n;
		info->wide = wide;
		snprintf(info->summary, sizeof info->summary, "%s", summary);
	}
	return snn_config_validate(cfg, diag);
}

void random_net_dump(const snn_config *cfg, FILE *f)
{
	const snn_geometry *g = &cfg->geo;
	fprintf(f, "geometry: cores %u neurons %u axons %u syn %u wbits %u mbits %u bbits %u "
		   "routes %u inroutes %u phases %u\n",
		g->n_cores, g->neurons_per_core, g->axons_per_core, g->synapse_words,
		g->weight_bits, g->membrane_bits, g->bias_bits, g->routes_per_core,
		g->input_routes, g->max_phases);
	fprintf(f, "global:");
	for (unsigned i = 0; i < SNN_G_REGS; i++)
		fprintf(f, " %s=%u", snn_global_reg_name(i), cfg->global[i]);
	fputc('\n', f);
	for (uint32_t k = 0; k < cfg->global[SNN_G_INPUT_ROUTES]; k++) {
		const snn_route *rt = &cfg->input_route[k];
		fprintf(f, "  input route %u: dest %u [%u,%u) +(%d,%d,%d)\n", k, rt->dest,
			rt->src_lo, rt->src_hi, rt->dc, rt->dy, rt->dx);
	}
	for (unsigned c = 0; c < g->n_cores; c++) {
		const snn_core_cfg *cc = &cfg->core[c];
		if (cc->reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		fprintf(f, "core %u:", c);
		for (unsigned i = 0; i < SNN_CORE_REGS; i++)
			if (cc->reg[i])
				fprintf(f, " %s=%d", snn_core_reg_name(i), (int32_t)cc->reg[i]);
		fputc('\n', f);
		for (uint32_t k = 0; k < cc->reg[SNN_R_ROUTE_COUNT]; k++) {
			const snn_route *rt = &cc->route[k];
			if (rt->dest == SNN_ROUTE_HOST)
				fprintf(f, "  route %u: host [%u,%u)\n", k, rt->src_lo, rt->src_hi);
			else
				fprintf(f, "  route %u: dest %u [%u,%u) +(%d,%d,%d)\n", k, rt->dest,
					rt->src_lo, rt->src_hi, rt->dc, rt->dy, rt->dx);
		}
		fprintf(f, "  bias:");
		for (uint32_t i = 0; i < cc->reg[SNN_R_N_NEURONS]; i++)
			fprintf(f, " %d", cc->bias[i]);
		fprintf(f, "\n  syn:");
		for (uint32_t i = 0; i < cc->reg[SNN_R_SYN_COUNT]; i++)
			fprintf(f, " %d", cc->syn[i]);
		fputc('\n', f);
	}
}

/* A dense core widened to whole lanes of geo: each weight row padded with
 * zero weights for the new neurons. */
static void pad_dense(snn_core_cfg *b, const snn_core_cfg *a, const snn_geometry *geo)
{
	uint32_t n = a->reg[SNN_R_N_NEURONS], axons = a->reg[SNN_R_N_AXONS];
	uint32_t lanes = snn_geometry_lanes(geo), wide = (n + lanes - 1) / lanes * lanes;
	if (wide == n || (uint64_t)wide * axons > geo->synapse_words)
		return;	/* already whole, or too large: validation says so */
	memset(b->syn, 0, geo->synapse_words * sizeof *b->syn);
	for (uint32_t x = 0; x < axons; x++)
		memcpy(&b->syn[(size_t)x * wide], &a->syn[(size_t)x * n], n * sizeof *b->syn);
	for (uint32_t i = n; i < wide && i < geo->neurons_per_core; i++)
		b->bias[i] = 0;
	b->reg[SNN_R_N_NEURONS] = wide;
	b->reg[SNN_R_SYN_COUNT] = wide * axons;
}

int random_net_to_budgets(const snn_config *src, snn_config *dst, const snn_geometry *geo,
			  void (*adjust)(snn_core_cfg *core, unsigned c, void *ctx), void *ctx,
			  snn_diag *diag)
{
	int rc = snn_config_init(dst, geo, diag);
	if (rc)
		return rc;
	memcpy(dst->global, src->global, sizeof dst->global);
	for (uint32_t c = 0; c < src->geo.n_cores && c < geo->n_cores; c++) {
		const snn_core_cfg *a = &src->core[c];
		snn_core_cfg *b = &dst->core[c];
		memcpy(b->reg, a->reg, sizeof b->reg);
		memcpy(b->bias, a->bias, src->geo.neurons_per_core * sizeof *b->bias);
		memcpy(b->syn, a->syn, src->geo.synapse_words * sizeof *b->syn);
		memcpy(b->route, a->route, src->geo.routes_per_core * sizeof *b->route);
		if (a->reg[SNN_R_MODE] == SNN_MODE_DENSE)
			pad_dense(b, a, geo);
		if (adjust)
			adjust(b, c, ctx);
	}
	memcpy(dst->input_route, src->input_route, src->geo.input_routes * sizeof *dst->input_route);
	snn_config_pack_bases(dst);
	return snn_config_validate(dst, diag);
}
