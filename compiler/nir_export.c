/* snnc export-nir (docs/nir.md, "Export"): a configuration image as a NIR
 * graph. Each layer (the cores of one PHASE, as snnc decompile reads
 * them) becomes [SumPool2d] Conv2d or [Flatten] Affine with the integer
 * weight words, then IF, LIF or, for the membrane readout, LI. What NIR
 * cannot say (reset by subtraction, refractory period, initial membrane,
 * fixed-point widths, the input scale) is stated on notes. */
#include "nir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "decompile.h"
#include "nir_file.h"
#include "snn/image.h"
#include "snn/neuron.h"

#define EXPORT_DT 1e-3	/* the time step tau is written for (ONNX-SNN's) */
#define NO_LEAK_TAU 1e9	/* seconds: a membrane that does not leak */

typedef struct exporter {
	nir_graph *ng;
	const char *path;	/* the image, for notes */
	FILE *notes;
	int prev;	/* the node the chain has reached */
	bool oom;
} exporter;

static void note(const exporter *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const exporter *ex, const char *fmt, ...)
{
	if (!ex->notes)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(ex->notes, "snnc: note: %s: ", ex->path);
	vfprintf(ex->notes, fmt, ap);
	fputc('\n', ex->notes);
	va_end(ap);
}

/* A node after the chain's last, joined to it by an edge. */
static nir_node *chain(exporter *ex, const char *type, const char *fmt, int i)
{
	char name[48];
	snprintf(name, sizeof name, fmt, i);
	nir_node *n = nir_add_node(ex->ng, name, type);
	if (!n || (ex->prev >= 0 && nir_add_edge(ex->ng, ex->prev, ex->ng->n_nodes - 1))) {
		ex->oom = true;
		return NULL;
	}
	ex->prev = ex->ng->n_nodes - 1;
	return n;
}

static double *param(exporter *ex, nir_node *n, const char *name, int rank, const int64_t *dims, bool is_int)
{
	nir_param *p = n ? nir_add_param(n, name, rank, dims) : NULL;
	if (!p) {
		ex->oom = true;
		return NULL;
	}
	p->is_int = is_int;
	return p->v;
}

/* An integer pair (height, width). */
static void ints2(exporter *ex, nir_node *n, const char *name, int64_t a, int64_t b)
{
	int64_t two = 2;
	double *v = param(ex, n, name, 1, &two, true);
	if (v)
		v[0] = (double)a, v[1] = (double)b;
}

static void int_scalar(exporter *ex, nir_node *n, const char *name, int64_t v)
{
	nir_param *p = n ? nir_add_scalar(n, name, (double)v) : NULL;
	if (p)
		p->is_int = true;
	else
		ex->oom = true;
}

/* One value per neuron, all the same (the cores' register). */
static void per_neuron(exporter *ex, nir_node *n, const char *name, int rank, const int64_t *dims, double v)
{
	double *p = param(ex, n, name, rank, dims, false);
	int64_t numel = 1;
	for (int d = 0; d < rank; d++)
		numel *= dims[d];
	for (int64_t i = 0; p && i < numel; i++)
		p[i] = v;
}

static void shape_node(exporter *ex, const char *type, const char *name, int rank, const int64_t *dims)
{
	nir_node *n = chain(ex, type, name, 0);
	int64_t r = rank;
	double *v = param(ex, n, "shape", 1, &r, true);
	for (int d = 0; v && d < rank; d++)
		v[d] = (double)dims[d];
}

static int linear_nodes(exporter *ex, const snnc_image_layer *L, int i, bool flat_input, snn_diag *diag)
{
	if (L->conv) {
		int hp = L->in_h / L->pool, wp = L->in_w / L->pool;
		float area = (float)(L->pool * L->pool);
		if (L->pool > 1) {
			nir_node *p = chain(ex, "SumPool2d", "pool%d", i);
			ints2(ex, p, "kernel_size", L->pool, L->pool);
			ints2(ex, p, "stride", L->pool, L->pool);
			ints2(ex, p, "padding", 0, 0);
		}
		if ((hp + 2 * L->pad_y - L->kh) / L->stride + 1 != L->out_h ||
		    (wp + 2 * L->pad_x - L->kw) / L->stride + 1 != L->out_w)
			return snn_fail(diag, SNN_ERR_UNSUPPORTED, "%s: core %d: its padding differs between the top and "
					"bottom or left and right sides; NIR's Conv2d pads both alike", ex->path, L->first);
		nir_node *c = chain(ex, "Conv2d", "conv%d", i);
		int64_t wd[4] = {L->out_c, L->in_c, L->kh, L->kw}, bd = L->out_c;
		double *w = param(ex, c, "weight", 4, wd, false), *b = param(ex, c, "bias", 1, &bd, false);
		for (int64_t k = 0; w && k < L->n_w; k++)
			w[k] = L->w[k] / area;	/* the words themselves: the pool is a sum */
		for (int k = 0; b && k < L->out_c; k++)
			b[k] = L->b[k];
		ints2(ex, c, "input_shape", hp, wp);
		ints2(ex, c, "stride", L->stride, L->stride);
		ints2(ex, c, "padding", L->pad_y, L->pad_x);
		ints2(ex, c, "dilation", 1, 1);
		int_scalar(ex, c, "groups", 1);
		return 0;
	}
	int64_t in = (int64_t)L->in_c * L->in_h * L->in_w;
	if (!flat_input) {
		nir_node *f = chain(ex, "Flatten", "flatten%d", i);
		int64_t three = 3;
		double *t = param(ex, f, "input_type", 1, &three, true);
		if (t)
			t[0] = L->in_c, t[1] = L->in_h, t[2] = L->in_w;
		int_scalar(ex, f, "start_dim", 0);
		int_scalar(ex, f, "end_dim", -1);
	}
	nir_node *a = chain(ex, "Affine", "affine%d", i);
	int64_t wd[2] = {L->out_c, in}, bd = L->out_c;
	double *w = param(ex, a, "weight", 2, wd, false), *b = param(ex, a, "bias", 1, &bd, false);
	for (int64_t o = 0; w && o < L->out_c; o++)	/* NIR's [out][in] from ONNX Gemm's [in][out] */
		for (int64_t k = 0; k < in; k++)
			w[o * in + k] = L->w[k * L->out_c + o];
	for (int k = 0; b && k < L->out_c; k++)
		b[k] = L->b[k];
	return 0;
}

/* The neuron node: IF without leak, LIF with, LI for a non-spiking
 * readout. tau is written for EXPORT_DT, and r = tau / dt makes one step's
 * input count once, as snnTorch writes it. */
static void neuron_nodes(exporter *ex, const snnc_image_layer *L, int i, bool *said)
{
	const uint32_t *r = L->reg;
	int rank = L->conv ? 3 : 1;
	int64_t dims[3] = {L->out_c, L->out_h, L->out_w};
	bool spiking = r[SNN_R_FLAGS] & SNN_F_SPIKING;
	double leak = r[SNN_R_LEAK];
	double tau = leak > 0 ? -EXPORT_DT / log(1.0 - leak / 256.0) : NO_LEAK_TAU;
	nir_node *n = chain(ex, !spiking ? "LI" : leak > 0 ? "LIF" : "IF", "neuron%d", i);
	if (spiking && leak == 0) {
		per_neuron(ex, n, "r", rank, dims, 1.0);
	} else {
		per_neuron(ex, n, "tau", rank, dims, tau);
		per_neuron(ex, n, "r", rank, dims, tau / EXPORT_DT);
		per_neuron(ex, n, "v_leak", rank, dims, 0.0);
	}
	if (spiking) {
		per_neuron(ex, n, "v_threshold", rank, dims, (int32_t)r[SNN_R_THRESHOLD]);
		per_neuron(ex, n, "v_reset", rank, dims, 0.0);
	}
	if (leak > 0 && !said[0]) {
		note(ex, "tau is written for a time step of %g s (r = tau / dt, as snnTorch writes it): simulate with "
		     "that dt (snnc infers it from r); the leak is floor(v L / 256) per step, NIR's exp(-dt / tau) "
		     "rounds differently", EXPORT_DT);
		said[0] = true;
	}
	if (spiking && r[SNN_R_RESET] == SNN_RESET_SUBTRACT && !said[1]) {
		note(ex, "layer %d: the cores reset by subtracting the threshold; NIR resets to v_reset, written as 0 "
		     "(import with snnc --nir-reset subtract to get subtraction back)", i);
		said[1] = true;
	}
	if (r[SNN_R_REFRACTORY])
		note(ex, "layer %d: the refractory period of %u steps has no NIR parameter and is left out", i,
		     r[SNN_R_REFRACTORY]);
	if ((int32_t)r[SNN_R_V_INIT])
		note(ex, "layer %d: the initial membrane %d has no NIR parameter (NIR starts at 0) and is left out", i,
		     (int32_t)r[SNN_R_V_INIT]);
}

static int build(exporter *ex, const snn_image *img, const snnc_image_layer *Ls, int nl, snn_diag *diag)
{
	const snn_config *cfg = &img->cfg;
	int64_t in[3] = {cfg->global[SNN_G_INPUT_C], cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W]};
	for (int i = 0; i < nl; i++)	/* before any note on the layers */
		if (Ls[i].deconv)
			return snn_fail(diag, SNN_ERR_UNSUPPORTED,
					"%s: core %d: a deconv (transposed convolution) layer, which NIR 1.0.8 has "
					"no node for (only Conv1d and Conv2d); snnc decompile writes it as ONNX-SNN "
					"(ConvTranspose)", ex->path, Ls[i].first);
	bool flat = in[1] * in[2] == 1 && !Ls[0].conv;
	shape_node(ex, "Input", "input", flat ? 1 : 3, in);
	bool said[2] = {false, false};
	for (int i = 0; i < nl && !ex->oom; i++) {
		int rc = linear_nodes(ex, &Ls[i], i, i ? !Ls[i - 1].conv : flat, diag);
		if (rc)
			return rc;
		neuron_nodes(ex, &Ls[i], i, said);
	}
	const snnc_image_layer *L = &Ls[nl - 1];
	int64_t out[3] = {L->out_c, L->out_h, L->out_w};
	shape_node(ex, "Output", "output", L->conv ? 3 : 1, out);
	char wb[16];
	const char *wbits = snn_image_get_meta(img, "weight_bits", wb, sizeof wb);
	note(ex, "weights, biases and thresholds are the image's integers (%s-bit weights), so the graph computes "
	     "in membrane units; the input scale (pixel x %g + %g), the %u-bit membrane's saturation and the %s "
	     "readout over %u steps are not NIR parameters", wbits ? wbits : "?", img->io.input_scale, img->io.input_offset, cfg->geo.membrane_bits,
	     img->io.readout == SNN_READOUT_SPIKES ? "spike-count" : "membrane", img->io.steps);
	return ex->oom ? snn_fail(diag, SNN_ERR_NOMEM, "out of memory") : 0;
}

int nir_export_image(const char *image_path, const char *nir_path, FILE *notes, snn_diag *diag)
{
	snn_image img;
	int rc = snn_image_read_file(image_path, &img, diag);
	if (rc)
		return rc;
	snnc_image_layer *Ls = NULL;
	int nl = 0;
	nir_graph ng = {0};
	exporter ex = {.ng = &ng, .path = image_path, .notes = notes, .prev = -1};
	rc = snnc_image_layers(&img, image_path, &Ls, &nl, diag);
	rc = rc ? rc : build(&ex, &img, Ls, nl, diag);
	rc = rc ? rc : nir_write(nir_path, &ng, diag);
	nir_free(&ng);
	snnc_image_layers_free(Ls, nl);
	snn_image_free(&img);
	return rc;
}
