/* Mapping: split each layer across cores so it fits the geometry (dense
 * layers by output neurons, conv layers by output channels, or by rows when
 * one channel's map is too large), pad dense slices to whole lanes, and
 * check routes, phases and the shared budgets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"

static int add_slice(snn_mapping *m, core_slice s, snn_diag *diag)
{
	core_slice *p = realloc(m->slices, (size_t)(m->n_slices + 1) * sizeof *p);
	if (!p)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	m->slices = p;
	s.core = m->n_slices;
	m->slices[m->n_slices++] = s;
	return 0;
}

/* A conv or deconv layer's stride and pooling against what the target's
 * engine is built with (snn_profile.modes: the iCEBreaker's has strides of 1
 * and pools of 1 and 2 only, docs/core-array.md "Which devices run it"). */
static int check_conv_features(const snn_layer *l, const snn_profile *t, snn_diag *diag)
{
	if (l->stride != 1 && !(t->modes & SNN_FEAT_STRIDE))
		return snn_fail(diag, SNN_ERR_UNSUPPORTED,
				"layer %s: stride %d is not supported on target %s: its engine is built for "
				"a stride of 1; compile for --target ulx3s, or sim (the golden simulator)",
				l->name, l->stride, t->name);
	if (l->pool != 1 && l->pool != 2 && !(t->modes & SNN_FEAT_POOL))
		return snn_fail(diag, SNN_ERR_UNSUPPORTED,
				"layer %s: %dx%d pooling is not supported on target %s: its engine pools by 1 "
				"or 2 only; compile for --target ulx3s, or sim (the golden simulator)",
				l->name, l->pool, l->pool, t->name);
	return 0;
}

/* A dense layer with more inputs than a core has axons, over a spatial
 * input, becomes a conv layer whose kernel covers the whole input: the conv
 * mode has no axon limit. The weight matrix is transposed to [out][in]. */
static void dense_to_conv(snn_layer *l)
{
	int64_t A = snn_layer_inputs(l), N = l->out_c;
	float *w = malloc((size_t)(A * N) * sizeof *w);
	int16_t *wq = malloc((size_t)(A * N) * sizeof *wq);
	if (!w || !wq) {
		free(w);
		free(wq);
		return;
	}
	for (int64_t a = 0; a < A; a++)
		for (int64_t o = 0; o < N; o++) {
			w[o * A + a] = l->w[a * N + o];
			wq[o * A + a] = l->wq[a * N + o];
		}
	free(l->w);
	free(l->wq);
	l->w = w;
	l->wq = wq;
	l->kind = LAYER_CONV;
	l->kh = l->in_h;
	l->kw = l->in_w;
	l->stride = 1;
	l->pool = 1;
	l->pad_y = l->pad_x = 0;
}

static int64_t round_up(int64_t n, int64_t m)
{
	return (n + m - 1) / m * m;
}

static int map_dense(const snn_layer *l, int li, const snn_geometry *geo, snn_mapping *m,
		     snn_diag *diag)
{
	int64_t A = snn_layer_inputs(l), N = l->out_c, lanes = snn_geometry_lanes(geo);
	int64_t per = geo->synapse_words / A;
	if (per > geo->neurons_per_core)
		per = geo->neurons_per_core;
	if (per >= lanes)
		per -= per % lanes;	/* padding to whole lanes stays within the core */
	if (per < lanes)
		return snn_fail(diag, SNN_ERR_RANGE,
				"layer %s: %lld neurons (one memory word) need %lld synapse words, a core "
				"has %u (over by %lld)",
				l->name, (long long)lanes, (long long)(A * lanes), geo->synapse_words,
				(long long)(A * lanes - geo->synapse_words));
	for (int64_t n0 = 0; n0 < N; n0 += per) {
		core_slice s = {.layer = li, .n0 = n0, .n = N - n0 < per ? N - n0 : per};
		s.pad = round_up(s.n, lanes) - s.n;
		int rc = add_slice(m, s, diag);
		if (rc)
			return rc;
	}
	return 0;
}

bool snn_map_chan_bias(const snn_profile *target, int nc)
{
	return (target->modes & SNN_FEAT_CHAN_BIAS) && nc >= 1 &&
	       snn_chan_bias_fits(&target->geo, (uint32_t)nc);
}

/* Accumulators nc output channels of layer l's full map take on geo
 * (snn_core_acc_slots: a tap line's channels padded). */
static uint64_t conv_acc_slots(const snn_geometry *geo, const snn_layer *l, int64_t nc)
{
	uint32_t reg[SNN_CORE_REGS] = {0};
	reg[SNN_R_MODE] = SNN_MODE_CONV;
	reg[SNN_R_N_NEURONS] = (uint32_t)(nc * l->out_h * l->out_w);
	reg[SNN_R_OUT_NC] = (uint32_t)nc;
	reg[SNN_R_OUT_H] = (uint32_t)l->out_h;
	reg[SNN_R_OUT_W] = (uint32_t)l->out_w;
	return snn_core_acc_slots(geo, reg);
}

static int map_conv(const snn_layer *l, int li, const snn_profile *target, snn_mapping *m,
		    snn_diag *diag)
{
	const snn_geometry *geo = &target->geo;
	int64_t words = (int64_t)l->in_c * l->kh * l->kw, plane = (int64_t)l->out_h * l->out_w;
	if (words > geo->synapse_words)
		return snn_fail(diag, SNN_ERR_RANGE,
				"layer %s: one output channel needs %lld synapse words, a core has %u "
				"(over by %lld)",
				l->name, (long long)words, geo->synapse_words,
				(long long)(words - geo->synapse_words));
	int64_t nc = geo->synapse_words / words;
	if (nc * plane > geo->neurons_per_core)
		nc = geo->neurons_per_core / plane;
	/* a channel bias table holds SNN_CHAN_BIAS_MAX channels a core */
	if (nc > (int64_t)SNN_CHAN_BIAS_MAX && snn_map_chan_bias(target, (int)SNN_CHAN_BIAS_MAX))
		nc = SNN_CHAN_BIAS_MAX;
	/* ... and its accumulators, a tap line's channels padded, a core's neurons */
	while (nc > 1 && conv_acc_slots(geo, l, nc) > geo->neurons_per_core)
		nc--;
	if (nc >= 1) {
		for (int c0 = 0; c0 < l->out_c; c0 += (int)nc) {
			core_slice s = {.layer = li, .c0 = c0, .nc = l->out_c - c0 < nc ? l->out_c - c0 : (int)nc,
					.h = l->out_h};
			int rc = add_slice(m, s, diag);
			if (rc)
				return rc;
		}
		return 0;
	}
	int rows = (int)(geo->neurons_per_core / l->out_w);	/* one channel, tiled by rows */
	if (rows < 1)
		return snn_fail(diag, SNN_ERR_RANGE, "layer %s: a row of %d neurons exceeds the %u neurons of a core",
				l->name, l->out_w, geo->neurons_per_core);
	for (int c = 0; c < l->out_c; c++)
		for (int y0 = 0; y0 < l->out_h; y0 += rows) {
			core_slice s = {.layer = li, .c0 = c, .nc = 1, .y0 = y0,
					.h = l->out_h - y0 < rows ? l->out_h - y0 : rows};
			int rc = add_slice(m, s, diag);
			if (rc)
				return rc;
		}
	return 0;
}

/* Routes out of each core of layer li (-1: input routes): one to every
 * core of each layer it feeds, once per time it feeds it; the last layer's
 * one goes to the host. */
static int fan_out(const snn_net *net, const snn_mapping *m, int li)
{
	if (li == net->n_layers - 1)
		return 1;
	int fan = 0;
	for (int j = li + 1; j < net->n_layers; j++)
		for (int k = 0; k < net->layers[j].n_src; k++)
			fan += net->layers[j].src[k].layer == li ? m->first_slice[j + 1] - m->first_slice[j] : 0;
	return fan;
}

/* What the slices take of the shared budgets, counted as lib's
 * snn_core_synapse_share() and check_budgets() count them. */
static void count_use(const snn_net *net, const snn_profile *target, snn_mapping *m)
{
	const snn_geometry *geo = &target->geo;
	int64_t lanes = snn_geometry_lanes(geo);
	snn_budget_use u = {0};
	for (int i = 0; i < m->n_slices; i++) {
		const core_slice *s = &m->slices[i];
		const snn_layer *l = &net->layers[s->layer];
		int64_t neurons, words, record = geo->state_words;
		if (l->kind == LAYER_DENSE) {
			neurons = s->n + s->pad;
			words = snn_layer_inputs(l) * neurons;
		} else {
			neurons = (int64_t)s->nc * s->h * l->out_w;
			words = round_up(s->nc, lanes) * l->in_c * l->kh * l->kw;
			if (snn_map_chan_bias(target, s->nc))	/* half records */
				record /= 2;
		}
		u.neurons += neurons;
		u.synapses += round_up(words, lanes);
		/* state records start aligned, as lib's packed_bases() places them */
		int64_t sw = geo->state_words ? geo->state_words : 1;
		int64_t end = round_up(u.synapses + u.state, sw) + round_up(neurons * record, lanes);
		u.state = end - u.synapses;
		u.routes += fan_out(net, m, s->layer);
	}
	m->use = u;
}

/* Every budget the network is over, in one message, so that a user sees
 * all of what has to shrink at once. */
static int check_budgets(const snn_net *net, const snn_profile *target, snn_mapping *m,
			 snn_diag *diag)
{
	const snn_geometry *geo = &target->geo;
	count_use(net, target, m);
	const snn_budget_use *u = &m->use;
	int64_t nt = (int64_t)snn_geometry_neuron_total(geo), st = (int64_t)snn_geometry_synapse_total(geo);
	int64_t rt = (int64_t)snn_geometry_route_total(geo);
	char msg[768] = "";
	size_t n = 0;
	if (u->neurons > nt)
		n += (size_t)snprintf(msg + n, sizeof msg - n,
				      "the network needs %lld neurons, the target %s holds %lld (over by %lld)",
				      (long long)u->neurons, target->name, (long long)nt, (long long)(u->neurons - nt));
	if (u->synapses + u->state > st && n < sizeof msg)
		n += (size_t)snprintf(msg + n, sizeof msg - n,
				      "%sthe network needs %lld synapse words (%lld of weights, %lld of neuron state), "
				      "the target %s holds %lld (over by %lld)", n ? "; and " : "",
				      (long long)(u->synapses + u->state), (long long)u->synapses, (long long)u->state,
				      target->name, (long long)st, (long long)(u->synapses + u->state - st));
	if (u->routes > rt && n < sizeof msg)
		n += (size_t)snprintf(msg + n, sizeof msg - n,
				      "%sthe network needs %lld routes, the target %s holds %lld (over by %lld)",
				      n ? "; and " : "", (long long)u->routes, target->name, (long long)rt,
				      (long long)(u->routes - rt));
	return n ? snn_fail(diag, SNN_ERR_RANGE, "%s", msg) : 0;
}

void snn_mapping_free(snn_mapping *m)
{
	free(m->slices);
	free(m->first_slice);
	memset(m, 0, sizeof *m);
}

int snn_map(const snn_net *cnet, const snnc_options *opt, snn_mapping *m, snn_diag *diag)
{
	snn_net *net = (snn_net *)cnet;	/* dense_to_conv rewrites layers in place */
	const snn_geometry *geo = &opt->target->geo;
	memset(m, 0, sizeof *m);
	m->first_slice = calloc((size_t)net->n_layers + 1, sizeof *m->first_slice);
	if (!m->first_slice)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	int rc = 0;
	/* a stride or pooling the target's engine lacks: reported after the
	 * sizes, so that a model over a budget still says by how much */
	snn_diag unsupported = {""};
	int unsupported_rc = 0;
	if ((unsigned)net->n_layers > geo->max_phases)
		rc = snn_fail(diag, SNN_ERR_RANGE, "the network has %d layers, the target runs %u phases (over by %d)",
			      net->n_layers, geo->max_phases, net->n_layers - (int)geo->max_phases);
	for (int li = 0; li < net->n_layers && !rc; li++) {
		snn_layer *l = &net->layers[li];
		if (l->kind == LAYER_DENSE && snn_layer_inputs(l) > geo->axons_per_core) {
			if (l->in_h * l->in_w == 1)
				rc = snn_fail(diag, SNN_ERR_RANGE,
					      "layer %s: %lld inputs exceed the %u axons of a core (over by %lld)",
					      l->name, (long long)snn_layer_inputs(l), geo->axons_per_core,
					      (long long)(snn_layer_inputs(l) - geo->axons_per_core));
			else
				dense_to_conv(l);
		}
		if (!rc && l->deconv && !(opt->target->modes & SNN_MODE_BIT(SNN_MODE_DECONV)))
			rc = snn_fail(diag, SNN_ERR_UNSUPPORTED,
				      "layer %s: an upsampling (deconv) layer is not supported on target %s: its "
				      "engine is built without the deconv core mode; compile for --target ulx3s, "
				      "or sim (the golden simulator)", l->name, opt->target->name);
		if (!rc && l->kind != LAYER_DENSE && !unsupported_rc)
			unsupported_rc = check_conv_features(l, opt->target, &unsupported);
		m->first_slice[li] = m->n_slices;
		if (!rc)
			rc = l->kind == LAYER_DENSE ? map_dense(l, li, geo, m, diag) : map_conv(l, li, opt->target, m, diag);
	}
	m->first_slice[net->n_layers] = m->n_slices;
	if (!rc && (unsigned)m->n_slices > geo->n_cores)
		rc = snn_fail(diag, SNN_ERR_RANGE, "the network needs %d cores, the target %s has %u (over by %u)",
			      m->n_slices, opt->target->name, geo->n_cores, m->n_slices - geo->n_cores);
	if (!rc && (unsigned)fan_out(net, m, -1) > geo->input_routes)
		rc = snn_fail(diag, SNN_ERR_RANGE, "the layers reading the input need %d input routes, the target has %u",
			      fan_out(net, m, -1), geo->input_routes);
	for (int li = 0; li + 1 < net->n_layers && !rc; li++) {
		int fan = fan_out(net, m, li);
		if ((unsigned)fan > geo->routes_per_core)
			rc = snn_fail(diag, SNN_ERR_RANGE,
				      "layer %s: each core needs %d routes (one per core of the layers it feeds), a "
				      "core has %u (over by %u)",
				      net->layers[li].name, fan, geo->routes_per_core, fan - geo->routes_per_core);
	}
	if (!rc)
		rc = check_budgets(net, opt->target, m, diag);
	if (rc && unsupported_rc && diag) {
		size_t n = strlen(diag->msg);
		snprintf(diag->msg + n, sizeof diag->msg - n, "; and %s", unsupported.msg);
	} else if (!rc && unsupported_rc) {
		if (diag)
			*diag = unsupported;
		rc = unsupported_rc;
	}
	if (rc)
		snn_mapping_free(m);
	return rc;
}

void snn_mapping_print(const snn_net *net, const snn_mapping *m, const snnc_options *opt, FILE *out)
{
	const snn_geometry *geo = &opt->target->geo;
	fprintf(out, "%-28s %-6s %-15s %9s %10s %5s %9s %8s %6s\n", "layer", "kind", "shape", "neurons",
		"synapses", "cores", "mem used", "lambda", "thresh");
	int64_t tn = 0, ts = 0;
	for (int li = 0; li < net->n_layers; li++) {
		const snn_layer *l = &net->layers[li];
		int cores = m->first_slice[li + 1] - m->first_slice[li];
		int64_t words = l->kind == LAYER_DENSE ? snn_layer_inputs(l) * l->out_c
						       : (int64_t)l->out_c * l->in_c * l->kh * l->kw;
		char shape[32];
		snprintf(shape, sizeof shape, "%dx%dx%d", l->out_c, l->out_h, l->out_w);
		fprintf(out, "%-28.28s %-6s %-15s %9lld %10lld %5d %8.1f%% %8.3g %6d\n", l->name,
			l->neuron == NEURON_READOUT ? "output" : l->kind == LAYER_DENSE ? "dense" : l->deconv ? "deconv" : "conv",
			shape, (long long)snn_layer_neurons(l), (long long)snn_layer_synapses(l), cores,
			100.0 * words / (geo->synapse_total ? (double)geo->synapse_total
							     : (double)cores * geo->synapse_words),
			l->lambda, l->threshold);
		tn += snn_layer_neurons(l);
		ts += snn_layer_synapses(l);
	}
	fprintf(out, "total: %lld neurons, %lld synapses, %d of %u cores (%s)\n", (long long)tn,
		(long long)ts, m->n_slices, geo->n_cores, opt->target->name);
	snn_budget_print(&m->use, opt->target, out);
}

static void budget_line(FILE *out, const char *what, int64_t used, uint64_t total, const char *note)
{
	fprintf(out, "  %-15s %10lld of %10llu  %5.1f %%%s\n", what, (long long)used,
		(unsigned long long)total, total ? 100.0 * (double)used / (double)total : 0.0, note);
}

void snn_budget_print(const snn_budget_use *u, const snn_profile *target, FILE *out)
{
	const snn_geometry *g = &target->geo;
	char note[96] = "";
	if (g->state_words)
		snprintf(note, sizeof note, "  (%lld weights, %lld neuron state)", (long long)u->synapses,
			 (long long)u->state);
	fprintf(out, "budgets of %s:\n", target->name);
	budget_line(out, "neurons", u->neurons, snn_geometry_neuron_total(g), "");
	budget_line(out, "synapse words", u->synapses + u->state, snn_geometry_synapse_total(g), note);
	budget_line(out, "routes", u->routes, snn_geometry_route_total(g), "");
}
