/* Lock-step co-simulation of the golden simulator and the Verilated RTL
 * (include/snn/cosim.h): the same inputs into both, one step at a time,
 * everything observable compared, and a waveform of the steps before the
 * first divergence made by replaying the sample on a traced model. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snn/cosim.h"
#include "snn/file.h"

typedef struct ev {
	uint16_t core, neuron;
} ev;

typedef struct evlist {
	ev *e;
	size_t n, cap;
	bool oom;
} evlist;

/* One input of the current sample: the step it was queued for. */
typedef struct rec_input {
	uint32_t step, index;
} rec_input;

struct snn_cosim {
	snn_config cfg;	/* kept for the waveform replay */
	snn_sim *gold;
	snn_rtl *rtl;
	evlist gspk, rspk, gout, rout;	/* this step's events */
	rec_input *rec;	/* inputs since the last reset */
	size_t n_rec, cap_rec;
	/* the caller's callbacks */
	snn_output_fn out;
	snn_spike_fn spike;
	void *ctx;
};

static void push(evlist *l, uint16_t core, uint16_t neuron)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		ev *e = realloc(l->e, cap * sizeof *e);
		if (!e) {
			l->oom = true;
			return;
		}
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (ev){core, neuron};
}

static int ev_cmp(const void *a, const void *b)
{
	const ev *x = a, *y = b;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->neuron < y->neuron ? -1 : x->neuron > y->neuron;
}

/* Events within a step come in no particular order (the contract says
 * none); compare them sorted. An empty list may have no array at all. */
static void sort_events(evlist *l)
{
	if (l->n > 1)
		qsort(l->e, l->n, sizeof *l->e, ev_cmp);
}

static void on_gold_out(void *p, uint32_t step, uint16_t core, uint16_t neuron)
{
	snn_cosim *cs = p;
	push(&cs->gout, core, neuron);
	if (cs->out)
		cs->out(cs->ctx, step, core, neuron);
}

static void on_gold_spike(void *p, uint32_t step, uint16_t core, uint16_t neuron)
{
	snn_cosim *cs = p;
	push(&cs->gspk, core, neuron);
	if (cs->spike)
		cs->spike(cs->ctx, step, core, neuron);
}

static void on_rtl_out(void *p, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	push(&((snn_cosim *)p)->rout, core, neuron);
}

static void on_rtl_spike(void *p, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	push(&((snn_cosim *)p)->rspk, core, neuron);
}

int snn_cosim_create(const snn_config *cfg, snn_cosim **out, snn_diag *diag)
{
	*out = NULL;
	snn_cosim *cs = calloc(1, sizeof *cs);
	if (!cs)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	int rc = snn_config_copy(&cs->cfg, cfg);
	if (rc) {
		free(cs);
		return snn_fail(diag, rc, "out of memory");
	}
	rc = snn_sim_create(cfg, &cs->gold, diag);
	if (!rc)
		rc = snn_rtl_create(cfg, &cs->rtl, diag);
	if (rc) {
		snn_cosim_free(cs);
		return rc;
	}
	*out = cs;
	return 0;
}

void snn_cosim_free(snn_cosim *cs)
{
	if (!cs)
		return;
	snn_sim_free(cs->gold);
	snn_rtl_free(cs->rtl);
	snn_config_free(&cs->cfg);
	free(cs->gspk.e);
	free(cs->rspk.e);
	free(cs->gout.e);
	free(cs->rout.e);
	free(cs->rec);
	free(cs);
}

snn_sim *snn_cosim_golden(snn_cosim *cs)
{
	return cs->gold;
}

snn_rtl *snn_cosim_rtl(snn_cosim *cs)
{
	return cs->rtl;
}

void snn_cosim_reset(snn_cosim *cs)
{
	snn_sim_reset(cs->gold);
	snn_rtl_reset(cs->rtl);
	cs->n_rec = 0;
}

int snn_cosim_input(snn_cosim *cs, uint32_t index)
{
	int rc = snn_sim_input(cs->gold, index);
	if (rc)
		return rc;
	snn_rtl_input(cs->rtl, index);	/* same rules: cannot refuse what gold took */
	if (cs->n_rec == cs->cap_rec) {
		size_t cap = cs->cap_rec ? 2 * cs->cap_rec : 1024;
		rec_input *r = realloc(cs->rec, cap * sizeof *r);
		if (!r)
			return SNN_ERR_NOMEM;
		cs->rec = r;
		cs->cap_rec = cap;
	}
	cs->rec[cs->n_rec++] = (rec_input){snn_sim_step_index(cs->gold), index};
	return 0;
}

static int differ(snn_cosim_diff *d, uint32_t step, int core, int neuron, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int differ(snn_cosim_diff *d, uint32_t step, int core, int neuron, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		d->step = step;
		d->core = core;
		d->neuron = neuron;
		vsnprintf(d->what, sizeof d->what, fmt, ap);
		va_end(ap);
	}
	return 1;
}

/* Compare two sorted event lists; the first difference goes to d. */
static int compare_events(const evlist *g, const evlist *r, const char *what, uint32_t step,
			  snn_cosim_diff *d)
{
	size_t i = 0;
	while (i < g->n && i < r->n && !ev_cmp(&g->e[i], &r->e[i]))
		i++;
	if (i == g->n && i == r->n)
		return 0;
	bool gold_first = i == r->n || (i < g->n && ev_cmp(&g->e[i], &r->e[i]) < 0);
	const ev *e = gold_first ? &g->e[i] : &r->e[i];
	return differ(d, step, e->core, e->neuron, "core %u neuron %u: %s in the %s only "
		      "(golden %zu, RTL %zu this step)", e->core, e->neuron, what,
		      gold_first ? "golden model" : "RTL", g->n, r->n);
}

static int compare_state(snn_cosim *cs, uint32_t step, snn_cosim_diff *d)
{
	for (uint32_t c = 0; c < cs->cfg.geo.n_cores; c++) {
		const uint32_t *reg = cs->cfg.core[c].reg;
		if (reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		for (uint32_t n = 0; n < reg[SNN_R_N_NEURONS]; n++) {
			int32_t gv = 0, rv = 0;
			uint32_t gr = 0, rr = 0;
			snn_sim_get_state(cs->gold, c, n, &gv, &gr);
			if (snn_rtl_get_state(cs->rtl, c, n, &rv, &rr))
				return differ(d, step, (int)c, (int)n, "core %u neuron %u: the RTL "
					      "refused to read its state", c, n);
			if (gv != rv)
				return differ(d, step, (int)c, (int)n, "core %u neuron %u: membrane "
					      "golden %d, RTL %d", c, n, gv, rv);
			if (gr != rr)
				return differ(d, step, (int)c, (int)n, "core %u neuron %u: refractory "
					      "counter golden %u, RTL %u", c, n, gr, rr);
		}
	}
	return 0;
}

int snn_cosim_step(snn_cosim *cs, snn_output_fn out, snn_spike_fn spike, void *ctx,
		   unsigned state_every, snn_cosim_diff *diff)
{
	uint32_t step = snn_sim_step_index(cs->gold);
	cs->gspk.n = cs->rspk.n = cs->gout.n = cs->rout.n = 0;
	cs->out = out;
	cs->spike = spike;
	cs->ctx = ctx;
	snn_sim_step(cs->gold, on_gold_out, on_gold_spike, cs);
	snn_rtl_step(cs->rtl, on_rtl_out, on_rtl_spike, cs);
	if (cs->gspk.oom || cs->rspk.oom || cs->gout.oom || cs->rout.oom)
		return differ(diff, step, -1, -1, "out of memory");
	sort_events(&cs->gspk);
	sort_events(&cs->rspk);
	sort_events(&cs->gout);
	sort_events(&cs->rout);
	if (compare_events(&cs->gspk, &cs->rspk, "a spike", step, diff) ||
	    compare_events(&cs->gout, &cs->rout, "an event to the host", step, diff))
		return 1;
	const uint64_t *g = snn_sim_counters(cs->gold), *r = snn_rtl_counters(cs->rtl);
	static const unsigned checked[] = {SNN_CTR_STEPS, SNN_CTR_SYNOPS, SNN_CTR_SPIKES,
					   SNN_CTR_EVENTS_IN, SNN_CTR_EVENTS_OUT};
	static const char *const names[] = {"steps", "synaptic operations", "spikes",
					    "input events", "output events"};
	for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++)
		if (g[checked[i]] != r[checked[i]])
			return differ(diff, step, -1, -1, "counter %s: golden %llu, RTL %llu",
				      names[i], (unsigned long long)g[checked[i]],
				      (unsigned long long)r[checked[i]]);
	if (state_every && (step + 1) % state_every == 0)
		return compare_state(cs, step, diff);
	return 0;
}

int snn_cosim_waveform(snn_cosim *cs, const char *path, unsigned window, snn_diag *diag)
{
	uint32_t last = snn_sim_step_index(cs->gold);	/* steps run in this sample */
	uint32_t first = last > window ? last - window : 0;
	snn_rtl *r;
	int rc = snn_rtl_create(&cs->cfg, &r, diag);
	if (rc)
		return rc;
	/* The model writes the VCD by name: into the temporary file of an
	 * output, renamed over path once the trace is closed, so that a
	 * failed replay leaves no half-written waveform. */
	snn_output out;
	rc = snn_output_open(&out, path, diag);
	size_t k = 0;
	for (uint32_t s = 0; s < last && !rc; s++) {
		if (s == first && snn_rtl_trace(r, out.tmp))
			rc = snn_fail(diag, SNN_ERR_IO, "%s: cannot write the waveform", path);
		for (; k < cs->n_rec && cs->rec[k].step == s; k++)
			snn_rtl_input(r, cs->rec[k].index);
		snn_rtl_step(r, NULL, NULL, NULL);
	}
	snn_rtl_free(r);	/* closes the trace */
	if (!rc)
		rc = snn_output_commit(&out, diag);
	else
		snn_output_abort(&out);
	return rc;
}
