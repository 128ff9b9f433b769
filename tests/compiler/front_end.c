/* Test helpers around snnc's front end (see front_end.h). */
#include "front_end.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "../cli/run_cmd.h"

void fe_fill(float *v, size_t n, unsigned seed)
{
	uint32_t s = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		v[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
}

int fe_load(mb *b, const char *path, bool approximate, ir_graph *g, snn_diag *d)
{
	if (mb_write(b, path)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	mb_free(b);
	memset(d, 0, sizeof *d);
	int rc = ir_load(path, g, d);
	if (!rc && (rc = ir_resolve(g, approximate, d)))
		ir_free(g);
	return rc;
}

snnc_options fe_options(void)
{
	return (snnc_options){.target = snn_profile_default(), .weight_bits = 8, .steps = 32,
			      .percentile = 99.99f, .v_init = 0.5f, .readout = SNN_READOUT_MEMBRANE,
			      .input_scale = 1.0f / 255.0f, .verbose = -1, .size_only = true};
}

float fe_first_scale(mb *b, const char *path, const snn_calib *calib, const snnc_options *opt, bool *nhwc)
{
	ir_graph g;
	snn_diag d;
	snn_net net;
	float lambda = NAN;
	if (!th_expect(fe_load(b, path, false, &g, &d) == 0, "load: %s", d.msg))
		return lambda;
	if (th_expect(snn_lower(&g, opt, &net, &d) == 0, "lower: %s", d.msg)) {
		if (nhwc)
			*nhwc = net.input_nhwc;
		if (th_expect(snn_normalise(&g, &net, calib, opt, &d) == 0, "normalise: %s", d.msg))
			lambda = net.layers[0].lambda;
		snn_net_free(&net);
	}
	ir_free(&g);
	return lambda;
}

int fe_tensor_named(const ir_graph *g, const char *name)
{
	for (int t = 0; t < g->n_tensors; t++)
		if (!strcmp(g->tensors[t].name, name))
			return t;
	return -1;
}

bool fe_close_all(const float *got, const float *want, size_t n, float tol, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i]))))
			return th_expect(false, "%s[%zu]: got %.7g, want %.7g", what, i, got[i], want[i]);
	return true;
}

/* Layer l's input space filled from its sources' outputs (outs[k] is
 * layer k's, x the network's input), each at its channel offset. */
static float *gather_input(const snn_net *net, const snn_layer *l, float *const *outs, const float *x)
{
	int64_t plane = (int64_t)l->in_h * l->in_w;
	float *in = calloc((size_t)snn_layer_inputs(l), sizeof *in);
	for (int k = 0; k < l->n_src; k++) {
		const snn_source *s = &l->src[k];
		const float *from = s->layer < 0 ? x : outs[s->layer];
		int64_t n = (int64_t)s->nc * plane;
		if (s->layer >= 0 && snn_layer_neurons(&net->layers[s->layer]) != n)
			th_expect(false, "layer %s: source %d has %lld neurons, its channels hold %lld", l->name, k,
				  (long long)snn_layer_neurons(&net->layers[s->layer]), (long long)n);
		else
			memcpy(in + s->c0 * plane, from, (size_t)n * sizeof *in);
	}
	return in;
}

void fe_net_forward(const snn_net *net, const float *x, float *y)
{
	float **outs = calloc((size_t)net->n_layers, sizeof *outs);
	for (int li = 0; li < net->n_layers; li++) {
		const snn_layer *l = &net->layers[li];
		float *src = gather_input(net, l, outs, x);
		int64_t n_out = snn_layer_neurons(l);
		float *dst = calloc((size_t)n_out, sizeof *dst);
		if (l->kind == LAYER_DENSE) {
			for (int n = 0; n < l->out_c; n++) {
				double sum = l->b[n];
				for (int64_t a = 0; a < snn_layer_inputs(l); a++)
					sum += l->w[a * l->out_c + n] * src[a];
				dst[n] = (float)sum;
			}
		} else if (l->deconv) {	/* each input scatters its kernel */
			for (int o = 0; o < l->out_c; o++)
				for (int64_t i = 0; i < (int64_t)l->out_h * l->out_w; i++)
					dst[o * l->out_h * l->out_w + i] = l->b[o];
			for (int c = 0; c < l->in_c; c++)
				for (int iy = 0; iy < l->in_h; iy++)
					for (int ix = 0; ix < l->in_w; ix++)
						for (int o = 0; o < l->out_c; o++)
							for (int i = 0; i < l->kh; i++)
								for (int j = 0; j < l->kw; j++) {
									int oy = iy * l->stride - l->pad_y + i;
									int ox = ix * l->stride - l->pad_x + j;
									if (oy < 0 || oy >= l->out_h || ox < 0 ||
									    ox >= l->out_w)
										continue;
									dst[(o * l->out_h + oy) * l->out_w + ox] +=
										l->w[((o * l->in_c + c) * l->kh + i) *
										     l->kw + j] *
										src[(c * l->in_h + iy) * l->in_w + ix];
								}
		} else {
			int hp = l->in_h / l->pool, wp = l->in_w / l->pool;
			for (int o = 0; o < l->out_c; o++)
				for (int r = 0; r < l->out_h; r++)
					for (int s = 0; s < l->out_w; s++) {
						double sum = l->b[o];
						for (int c = 0; c < l->in_c; c++)
							for (int i = 0; i < l->kh; i++)
								for (int j = 0; j < l->kw; j++) {
									int py = r * l->stride - l->pad_y + i;
									int px = s * l->stride - l->pad_x + j;
									if (py < 0 || py >= hp || px < 0 || px >= wp)
										continue;
									double win = 0;
									for (int dy = 0; dy < l->pool; dy++)
										for (int dx = 0; dx < l->pool; dx++)
											win += src[(c * l->in_h + py * l->pool + dy) *
												   l->in_w + px * l->pool + dx];
									sum += l->w[((o * l->in_c + c) * l->kh + i) * l->kw + j] *
									       win;
								}
						dst[(o * l->out_h + r) * l->out_w + s] = (float)sum;
					}
		}
		for (int64_t i = 0; l->neuron != NEURON_READOUT && i < n_out; i++)
			dst[i] = dst[i] > 0 ? dst[i] : 0;
		free(src);
		outs[li] = dst;
	}
	memcpy(y, outs[net->n_layers - 1], sizeof(float) * (size_t)snn_layer_neurons(&net->layers[net->n_layers - 1]));
	for (int li = 0; li < net->n_layers; li++)
		free(outs[li]);
	free(outs);
}

bool fe_decompile_round_trip(mb *b, const char *dir, const char *name, const char *opts)
{
	static char out[1 << 14];
	char snnc[256], model[256], cfg[256], snn[256], again[256];
	snprintf(snnc, sizeof snnc, "%s/snnc", getenv("BUILD") ? getenv("BUILD") : "build");
	snprintf(model, sizeof model, "%s/%s.onnx", dir, name);
	snprintf(cfg, sizeof cfg, "%s/%s.cfg", dir, name);
	snprintf(snn, sizeof snn, "%s/%s.snn.onnx", dir, name);
	snprintf(again, sizeof again, "%s/%s.again.cfg", dir, name);
	if (mb_write(b, model)) {
		fprintf(stderr, "cannot write %s\n", model);
		exit(2);
	}
	mb_free(b);
	int rc = run_cmd(out, sizeof out, "(%s %s -o %s %s && %s decompile %s -o %s && %s %s -o %s)", snnc, model,
			 cfg, opts, snnc, cfg, snn, snnc, snn, again);
	bool same = rc == 0 && same_file(cfg, again);
	th_expect(same, "exit %d, images %s: %s", rc, same_file(cfg, again) ? "equal" : "differ", out);
	unlink(model);
	unlink(cfg);
	unlink(again);
	return same;
}

mb fe_random_mlp(int layers, const int *widths, unsigned seed, float bias_shift, float *const *w, float *const *b)
{
	const int64_t in[] = {1, widths[0]};
	mb m = mb_new(13);
	mb_input(&m, "x", 2, in);
	mb_output(&m, "y");
	for (int l = 0; l < layers; l++) {
		const int64_t wd[] = {widths[l], widths[l + 1]}, bd[] = {widths[l + 1]};
		char wn[16], bn[16], ins[64], lin[16], act[16];
		fe_fill(w[l], (size_t)widths[l] * widths[l + 1], seed + l);
		fe_fill(b[l], (size_t)widths[l + 1], seed + 10 + l);
		for (int o = 0; o < widths[l + 1]; o++)
			b[l][o] = 0.5f * b[l][o] + bias_shift;
		snprintf(wn, sizeof wn, "W%d", l);
		snprintf(bn, sizeof bn, "B%d", l);
		mb_init(&m, wn, 2, wd, w[l]);
		mb_init(&m, bn, 1, bd, b[l]);
		if (l == 0)
			snprintf(ins, sizeof ins, "x,%s,%s", wn, bn);
		else
			snprintf(ins, sizeof ins, "r%d,%s,%s", l - 1, wn, bn);
		snprintf(lin, sizeof lin, "h%d", l);
		snprintf(act, sizeof act, "r%d", l);
		mb_node(&m, "Gemm", ins, l == layers - 1 ? "y" : lin);
		if (l < layers - 1)
			mb_node(&m, "Relu", lin, act);
	}
	return m;
}

void fe_random_images(uint8_t *px, size_t n, unsigned seed)
{
	uint32_t s = seed;
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		px[i] = (s >> 24) % 3 ? 0 : (uint8_t)(s >> 8);
	}
}

void fe_write_idx(const char *file, const uint8_t *px, unsigned items, unsigned size)
{
	const uint8_t head[] = {0, 0, 8, 2, (uint8_t)(items >> 24), (uint8_t)(items >> 16), (uint8_t)(items >> 8),
				(uint8_t)items, (uint8_t)(size >> 24), (uint8_t)(size >> 16), (uint8_t)(size >> 8),
				(uint8_t)size};
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(head, 1, sizeof head, f) != sizeof head || fwrite(px, 1, (size_t)items * size, f) != (size_t)items * size ||
	    fclose(f)) {
		fprintf(stderr, "cannot write %s\n", file);
		exit(2);
	}
}

int fe_golden_open(fe_golden *f, const ir_graph *g, const snn_net *net, const snnc_options *opt)
{
	snn_diag d;
	*f = (fe_golden){0};
	if (snn_net_copy(&f->net, net)) {
		th_expect(false, "out of memory copying the network");
		return -1;
	}
	if (snn_map(&f->net, opt, &f->m, &d) || snn_emit(&f->net, &f->m, opt, g, &f->img, &d) ||
	    snnc_golden_open(&f->run, &f->net, &f->m, &f->img, &d)) {
		th_expect(false, "cannot run the image: %s", d.msg);
		snn_image_free(&f->img);
		snn_mapping_free(&f->m);
		snn_net_free(&f->net);
		return -1;
	}
	return 0;
}

void fe_golden_close(fe_golden *f)
{
	snnc_golden_close(&f->run);
	snn_image_free(&f->img);
	snn_mapping_free(&f->m);
	snn_net_free(&f->net);
}
