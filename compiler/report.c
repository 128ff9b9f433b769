/* Conversion report (see report.h). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "snn/file.h"
#include "golden_run.h"
#include "plot.h"
#include "report_plots.h"

#define REPORT_IMAGES 200	/* enough for stable statistics, quick to run */
#define MAX_CHECKPOINTS 12
#define BIN_MIN_SAMPLES 20	/* fewer neuron-images in a bin: no mean drawn */

typedef struct layer_stats {
	double sx, sy, sxx, syy, sxy, abs_err;
	int64_t n;
	uint8_t *fired, *saturated, *active;	/* per neuron, across images */
	double bin_rate[REPORT_RATE_BINS];	/* sum of rates by ANN activation */
	int64_t bin_n[REPORT_RATE_BINS];
} layer_stats;

#define PATH_BYTES 4096

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static const char *model_name(const ir_graph *g)
{
	return base_name(g->path);
}

/* "out/report.md" and "rates.svg" -> "out/report-rates.svg", beside it. */
static int plot_path(const char *report, const char *what, char out[PATH_BYTES], snn_diag *diag)
{
	const char *dot = strrchr(base_name(report), '.');
	int stem = dot && dot != base_name(report) ? (int)(dot - report) : (int)strlen(report);
	if (snprintf(out, PATH_BYTES, "%.*s-%s", stem, report, what) >= PATH_BYTES)
		return snn_fail(diag, SNN_ERR_ARG, "%s: name too long for the plots beside it", report);
	return 0;
}

/* The report's charts, as PNG and SVG beside it; the PNG names go to
 * acc_png and rates_png for the report's links. */
static int write_plots(const snn_net *net, const layer_stats *st, report_rates rr, const report_accuracy *acc,
		       const char *report, char acc_png[PATH_BYTES], char rates_png[PATH_BYTES], snn_diag *diag)
{
	report_rate_curve *curves = calloc((size_t)net->n_layers, sizeof *curves);
	if (!curves)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory for the report's plots");
	rr.layers = curves;
	rr.n = 0;
	for (int l = 0; l < net->n_layers; l++) {
		if (!st[l].n)
			continue;
		report_rate_curve *c = &curves[rr.n++];
		c->name = net->layers[l].name;
		for (int b = 0; b < REPORT_RATE_BINS; b++)
			c->rate[b] = st[l].bin_n[b] >= BIN_MIN_SAMPLES ? st[l].bin_rate[b] / st[l].bin_n[b] : NAN;
	}
	int rc = 0;
	char svg[PATH_BYTES];
	rc = rc ? rc : plot_path(report, "rates.png", rates_png, diag);
	rc = rc ? rc : plot_path(report, "accuracy.png", acc_png, diag);
	rc = rc ? rc : report_plot_rates(&rr, rates_png, diag);
	rc = rc ? rc : plot_path(report, "rates.svg", svg, diag);
	rc = rc ? rc : report_plot_rates(&rr, svg, diag);
	if (acc) {
		rc = rc ? rc : report_plot_accuracy(acc, acc_png, diag);
		rc = rc ? rc : plot_path(report, "accuracy.svg", svg, diag);
		rc = rc ? rc : report_plot_accuracy(acc, svg, diag);
	}
	snn_plot_release_caches();
	free(curves);
	return rc;
}

int snnc_report(const ir_graph *g, const snn_net *net, const snn_mapping *m, const snn_image *img,
		const snnc_options *opt, const snnc_report_input *in, const char *path, FILE *summary,
		snn_diag *diag)
{
	size_t n_img = in->calib->count < REPORT_IMAGES ? in->calib->count : REPORT_IMAGES;
	bool labelled = in->labels && in->n_labels >= n_img;
	uint32_t T = opt->steps, checkpoints[MAX_CHECKPOINTS], n_cp = 0;
	for (uint32_t t = 1; t <= 2 * T && n_cp < MAX_CHECKPOINTS; t *= 2)
		checkpoints[n_cp++] = t;
	uint32_t T_run = labelled ? checkpoints[n_cp - 1] : T;
	size_t correct_cp[MAX_CHECKPOINTS] = {0}, ann_correct = 0;
	int rc = 0;
	snnc_golden_run run = {0};
	ir_values vals = {0};
	size_t in_n = (size_t)net->in_c * net->in_h * net->in_w;
	layer_stats *st = calloc((size_t)net->n_layers, sizeof *st);
	float *x = malloc(in_n * sizeof *x);
	if (!st || !x || ir_values_init(g, &vals)) {
		rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory for the report");
		goto out;
	}
	for (int l = 0; l < net->n_layers && !rc; l++) {
		int64_t nn = snn_layer_neurons(&net->layers[l]);
		st[l].fired = calloc((size_t)nn, 1);
		st[l].saturated = calloc((size_t)nn, 1);
		st[l].active = calloc((size_t)nn, 1);
		if (!st[l].fired || !st[l].saturated || !st[l].active)
			rc = SNN_ERR_NOMEM;
	}
	if (rc || (rc = snnc_golden_open(&run, net, m, img, diag))) {
		rc = rc == SNN_ERR_NOMEM ? snn_fail(diag, rc, "out of memory for the report") : rc;
		goto out;
	}
	for (size_t k = 0; k < n_img; k++) {
		const uint8_t *px = in->calib->images + k * in->calib->item_size;
		for (size_t i = 0; i < in_n; i++)
			x[i] = px[i] * net->input_scale + net->input_offset;
		ir_run(g, &vals, x);
		if (labelled)
			ann_correct += snnc_ann_class(g, &vals) == in->labels[k];
		snnc_golden_start(&run, px);
		for (uint32_t t = 1, cp = 0; t <= T_run; t++) {
			snnc_golden_step(&run, t <= T);
			if (labelled && cp < n_cp && t == checkpoints[cp])
				correct_cp[cp++] += snnc_golden_class(&run) == in->labels[k];
		}
		for (int l = 0; l < net->n_layers; l++) {
			const snn_layer *ly = &net->layers[l];
			if (ly->act_tensor < 0 || ly->neuron == NEURON_READOUT)
				continue;
			const float *a = vals.v[ly->act_tensor];
			layer_stats *s = &st[l];
			for (int64_t i = 0; i < snn_layer_neurons(ly); i++) {
				double ann = fmin(fmax(a[i] / ly->lambda, 0.0), 1.0);
				double rate = (double)snnc_golden_count(&run, l, i) / T;
				s->sx += ann;
				s->sy += rate;
				s->sxx += ann * ann;
				s->syy += rate * rate;
				s->sxy += ann * rate;
				s->abs_err += fabs(ann - rate);
				s->n++;
				s->fired[i] |= rate > 0;
				s->saturated[i] |= rate >= 0.99;
				s->active[i] |= ann > 0.01;
				int b = (int)(ann * REPORT_RATE_BINS);
				b = b < REPORT_RATE_BINS ? b : REPORT_RATE_BINS - 1;
				s->bin_rate[b] += rate;
				s->bin_n[b]++;
			}
		}
	}
	double acc[MAX_CHECKPOINTS];
	for (uint32_t c = 0; c < n_cp; c++)
		acc[c] = 100.0 * correct_cp[c] / n_img;
	report_accuracy ra = {model_name(g), n_img, T, checkpoints, acc, n_cp, 100.0 * ann_correct / n_img};
	char acc_png[PATH_BYTES], rates_png[PATH_BYTES];
	report_rates rr = {model_name(g), n_img, T, NULL, 0};
	if ((rc = write_plots(net, st, rr, labelled ? &ra : NULL, path, acc_png, rates_png, diag)))
		goto out;
	snn_output o;
	if ((rc = snn_output_open(&o, path, diag)))
		goto out;
	FILE *f = o.f;
	fprintf(f, "# Conversion report\n\nmodel %s, %zu calibration images, %u time steps, %u-bit weights, "
		   "target %s\n\n", g->path, n_img, T, opt->weight_bits, opt->target->name);
	fprintf(f, "Per layer: the ANN's activation divided by the layer's scale (lambda), capped at 1, "
		   "against the spiking layer's firing rate (spikes per step) over %u steps.\n\n", T);
	fprintf(f, "![firing rate against ANN activation, per layer](%s)\n\n", base_name(rates_png));
	fprintf(f, "| layer | neurons | lambda | correlation | mean abs error | silent | saturated |\n"
		   "|---|---|---|---|---|---|---|\n");
	fprintf(summary, "%-28s %8s %11s %10s %8s %9s\n", "layer", "neurons", "correlation", "mean err",
		"silent", "saturated");
	for (int l = 0; l < net->n_layers; l++) {
		const snn_layer *ly = &net->layers[l];
		const layer_stats *s = &st[l];
		if (!s->n)
			continue;
		double n = (double)s->n;
		double cov = s->sxy / n - s->sx / n * s->sy / n;
		double vx = s->sxx / n - pow(s->sx / n, 2), vy = s->syy / n - pow(s->sy / n, 2);
		double corr = vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : 0;
		int64_t nn = snn_layer_neurons(ly), silent = 0, sat = 0, active = 0;
		for (int64_t i = 0; i < nn; i++) {
			silent += s->active[i] && !s->fired[i];
			sat += s->saturated[i];
			active += s->active[i];
		}
		double silent_share = active ? (double)silent / active : 0, sat_share = (double)sat / nn;
		fprintf(f, "| %s | %lld | %.4g | %.4f | %.4f | %.1f %% | %.1f %% |\n", ly->name, (long long)nn,
			ly->lambda, corr, s->abs_err / n, 100 * silent_share, 100 * sat_share);
		fprintf(summary, "%-28.28s %8lld %11.4f %10.4f %7.1f%% %8.1f%%\n", ly->name, (long long)nn, corr,
			s->abs_err / n, 100 * silent_share, 100 * sat_share);
		if (silent_share > 0.2)
			fprintf(f, "\nWarning: %.0f %% of %s's active neurons never fire: the layer is nearly "
				   "silent. Use more time steps, a lower --percentile, or a higher --v-init.\n\n",
				100 * silent_share, ly->name);
		if (sat_share > 0.05)
			fprintf(f, "\nWarning: %.0f %% of %s's neurons fire at the maximum rate: the layer "
				   "saturates. Use a higher --percentile (e.g. 99.99 or 100).\n\n",
				100 * sat_share, ly->name);
	}
	if (labelled) {
		fprintf(f, "\n## Accuracy against time steps\n\nANN (float): %.2f %% on these %zu images.\n\n"
			   "![accuracy against time steps](%s)\n\n"
			   "| steps | accuracy |\n|---|---|\n", 100.0 * ann_correct / n_img, n_img, base_name(acc_png));
		fprintf(summary, "accuracy: ANN %.2f %%; SNN", 100.0 * ann_correct / n_img);
		for (uint32_t c = 0; c < n_cp; c++) {
			fprintf(f, "| %u | %.2f %% |\n", checkpoints[c], 100.0 * correct_cp[c] / n_img);
			fprintf(summary, " T=%u %.2f%%", checkpoints[c], 100.0 * correct_cp[c] / n_img);
		}
		fprintf(summary, "\n");
	}
	rc = snn_output_commit(&o, diag);
out:
	if (st)
		for (int l = 0; l < net->n_layers; l++) {
			free(st[l].fired);
			free(st[l].saturated);
			free(st[l].active);
		}
	free(st);
	free(x);
	ir_values_free(&vals);
	if (run.sim)
		snnc_golden_close(&run);
	return rc;
}
