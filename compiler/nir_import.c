/* NIR import (docs/nir.md, "Import"): the nodes of a NIR chain become the
 * IR nodes the ONNX-SNN front end would have loaded (Gemm, Conv,
 * AveragePool, Flatten, snn.IF, snn.LIF), so the rest of snnc cannot tell
 * the two apart. NIR has no time step and resets to v_reset; every
 * assumption this makes is stated on o->notes. */
#include "nir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "nir_file.h"
#include "snn/neuron.h"

#define DEFAULT_DT 1e-3	/* Norse's, and ONNX-SNN's LIF default */

typedef struct importer {
	const nir_graph *ng;
	ir_graph *g;
	const nir_import_options *o;
	snn_diag *diag;
	int cur;	/* the tensor the chain has reached */
	int rank;	/* its shape without the batch axis */
	int64_t dims[IR_MAX_RANK];
	int last_bias;	/* the bias tensor of the last Gemm or Conv, for v_leak; -1 */
	float pending_scale;	/* SumPool2d: AveragePool's 1/k^2 undone in the next weights */
	double dt;
	const char *dt_why;
} importer;

static void note(const importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const importer *im, const char *fmt, ...)
{
	if (!im->o->notes)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(im->o->notes, "snnc: note: %s: ", im->ng->path);
	vfprintf(im->o->notes, fmt, ap);
	fputc('\n', im->o->notes);
	va_end(ap);
}

static int node_fail(const importer *im, const nir_node *n, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int node_fail(const importer *im, const nir_node *n, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return snn_fail(im->diag, code, "%s: node %s (%s): %s", im->ng->path, n->name, n->type, msg);
}

bool nir_is_nir_path(const char *path)
{
	size_t len = strlen(path);
	return (len > 4 && !strcmp(path + len - 4, ".nir")) || nir_file_is_hdf5(path);
}

/* ---- parameters ---- */

static const nir_param *need(const importer *im, const nir_node *n, const char *name, int *rc)
{
	const nir_param *p = *rc ? NULL : nir_param_find(n, name);
	if (!*rc && (!p || p->is_string))
		*rc = node_fail(im, n, SNN_ERR_FORMAT, "has no numeric dataset %s", name);
	return p;
}

/* A neuron parameter: one value for the whole layer (the cores have one
 * register), given once, per channel of a map or per neuron (count values). */
static int uniform(const importer *im, const nir_node *n, const char *name, int64_t count, double *v)
{
	int rc = 0;
	const nir_param *p = need(im, n, name, &rc);
	if (rc)
		return rc;
	bool per_channel = im->rank == 3 && p->n == im->dims[0];
	if (p->n != 1 && p->n != count && !per_channel)
		return node_fail(im, n, SNN_ERR_FORMAT, "%s has %lld values; the layer has %lld neurons (%lld "
				 "channels)", name, (long long)p->n, (long long)count,
				 (long long)(im->rank == 3 ? im->dims[0] : count));
	for (int64_t i = 1; i < p->n; i++)
		if (p->v[i] != p->v[0])
			return node_fail(im, n, SNN_ERR_UNSUPPORTED, "%s differs between neurons (%g at 0, %g at %lld); "
					 "a layer's cores share one value", name, p->v[0], p->v[i], (long long)i);
	if (!isfinite(p->v[0]))
		return node_fail(im, n, SNN_ERR_FORMAT, "%s is not a finite number", name);
	*v = p->v[0];
	return 0;
}

/* Two integers (height, width) from a scalar or a pair. */
static int pair(const importer *im, const nir_node *n, const char *name, int64_t dflt, int64_t lo, int64_t *out)
{
	const nir_param *p = nir_param_find(n, name);
	if (!p) {
		out[0] = out[1] = dflt;
		return 0;
	}
	if (p->is_string || (p->n != 1 && p->n != 2))
		return node_fail(im, n, SNN_ERR_FORMAT, "%s must be one or two integers", name);
	for (int k = 0; k < 2; k++) {
		double v = p->v[p->n == 2 ? k : 0];
		if (v != floor(v) || v < (double)lo || v > 4096)
			return node_fail(im, n, SNN_ERR_FORMAT, "%s = %g is not an integer from %lld to 4096", name, v,
					 (long long)lo);
		out[k] = (int64_t)v;
	}
	return 0;
}

/* ---- IR building ---- */

static int oom(const importer *im)
{
	return snn_fail(im->diag, SNN_ERR_NOMEM, "out of memory");
}

/* A constant float tensor named node.what, from doubles (or zeros). */
static int add_const(importer *im, const nir_node *n, const char *what, int rank, const int64_t *dims,
		     const double *v, float scale)
{
	char name[300];
	snprintf(name, sizeof name, "%s.%s", n->name, what);
	int t = ir_add_tensor(im->g, name, IR_FLOAT);
	if (t < 0)
		return -1;
	ir_tensor *tt = &im->g->tensors[t];
	tt->rank = rank;
	memcpy(tt->dims, dims, (size_t)rank * sizeof *dims);
	int64_t numel = ir_numel(tt);
	if (!(tt->f = malloc((size_t)(numel ? numel : 1) * sizeof *tt->f)))
		return -1;
	for (int64_t i = 0; i < numel; i++)
		tt->f[i] = v ? (float)(v[i] * scale) : 0.0f;
	return t;
}

static ir_attr *add_attr(ir_node *n, const char *name, ir_attr_type type)
{
	ir_attr *grown = realloc(n->attrs, (size_t)(n->n_attrs + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	n->attrs = grown;
	ir_attr *a = &n->attrs[n->n_attrs];
	memset(a, 0, sizeof *a);
	if (!(a->name = strdup(name)))
		return NULL;
	a->type = type;
	n->n_attrs++;
	return a;
}

static int attr_float(ir_node *n, const char *name, double v)
{
	ir_attr *a = add_attr(n, name, IR_ATTR_FLOAT);
	if (a)
		a->f = (float)v;
	return !a;
}

static int attr_int(ir_node *n, const char *name, int64_t v)
{
	ir_attr *a = add_attr(n, name, IR_ATTR_INT);
	if (a)
		a->i = v;
	return !a;
}

static int attr_string(ir_node *n, const char *name, const char *v)
{
	ir_attr *a = add_attr(n, name, IR_ATTR_STRING);
	return !a || !(a->s = strdup(v));
}

static int attr_ints(ir_node *n, const char *name, const int64_t *v, size_t count)
{
	ir_attr *a = add_attr(n, name, IR_ATTR_INTS);
	if (!a || !(a->ints = malloc(count * sizeof *a->ints)))
		return 1;
	memcpy(a->ints, v, count * sizeof *v);
	a->n = count;
	return 0;
}

/* A node reading the chain's tensor (and the constants in extra), whose
 * output becomes the chain's tensor; named after the NIR node (suffix for
 * the second IR node of one NIR node). */
static ir_node *add_node(importer *im, const nir_node *nn, const char *suffix, const char *op, const char *domain,
			 const int *extra, int n_extra)
{
	ir_graph *g = im->g;
	char name[300];
	snprintf(name, sizeof name, "%s%s", nn->name, suffix);
	int out = ir_add_tensor(g, name, IR_FLOAT);
	ir_node *grown = out < 0 ? NULL : realloc(g->nodes, (size_t)(g->n_nodes + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	g->nodes = grown;
	ir_node *n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof *n);
	g->n_nodes++;
	n->name = strdup(name);
	n->op_type = strdup(op);
	n->domain = strdup(domain);
	n->in = malloc((size_t)(1 + n_extra) * sizeof *n->in);
	n->out = malloc(sizeof *n->out);
	if (!n->name || !n->op_type || !n->domain || !n->in || !n->out)
		return NULL;
	n->in[0] = im->cur;
	for (int i = 0; i < n_extra; i++)
		n->in[1 + i] = extra[i];
	n->n_in = 1 + n_extra;
	n->out[0] = out;
	n->n_out = 1;
	g->tensors[out].producer = g->n_nodes - 1;
	im->cur = out;
	return n;
}

static int64_t numel_of(const importer *im)
{
	int64_t k = 1;
	for (int d = 0; d < im->rank; d++)
		k *= im->dims[d];
	return k;
}

/* ---- one converter per node type ---- */

/* The factor a SumPool2d before this layer left for its weights. */
static float take_scale(importer *im)
{
	float scale = im->pending_scale;
	im->pending_scale = 1.0f;
	return scale;
}

static int conv_affine(importer *im, const nir_node *n)
{
	int rc = 0;
	const nir_param *w = need(im, n, "weight", &rc);
	const nir_param *b = strcmp(n->type, "Affine") ? NULL : need(im, n, "bias", &rc);
	if (rc)
		return rc;
	if (w->rank != 2)
		return node_fail(im, n, SNN_ERR_FORMAT, "weight has %d dimensions; it must be [outputs, inputs]", w->rank);
	if (im->rank != 1)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "its input has %d dimensions; a Flatten must come first",
				 im->rank);
	if (w->dims[1] != im->dims[0])
		return node_fail(im, n, SNN_ERR_FORMAT, "weight is [%lld, %lld] but its input has %lld values",
				 (long long)w->dims[0], (long long)w->dims[1], (long long)im->dims[0]);
	if (b && (b->n != w->dims[0]))
		return node_fail(im, n, SNN_ERR_FORMAT, "bias has %lld values for %lld outputs", (long long)b->n,
				 (long long)w->dims[0]);
	float scale = take_scale(im);
	int in[2];
	in[0] = add_const(im, n, "weight", 2, w->dims, w->v, scale);
	in[1] = add_const(im, n, "bias", 1, w->dims, b ? b->v : NULL, 1.0f);
	ir_node *g = in[0] < 0 || in[1] < 0 ? NULL : add_node(im, n, "", "Gemm", "", in, 2);
	if (!g || attr_int(g, "transB", 1))
		return oom(im);
	im->last_bias = in[1];
	im->dims[0] = w->dims[0];
	return 0;
}

/* Output size of one axis of a convolution or pooling. */
static int64_t out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil)
{
	return (in + 2 * pad - dil * (k - 1) - 1) / stride + 1;
}

static int conv_conv2d(importer *im, const nir_node *n)
{
	int rc = 0;
	const nir_param *w = need(im, n, "weight", &rc), *b = need(im, n, "bias", &rc);
	if (rc)
		return rc;
	if (w->rank != 4)
		return node_fail(im, n, SNN_ERR_FORMAT, "weight has %d dimensions; it must be [out, in, kh, kw]",
				 w->rank);
	if (im->rank != 3)
		return node_fail(im, n, SNN_ERR_FORMAT, "its input has %d dimensions, not [channels, height, width]",
				 im->rank);
	int64_t stride[2], pad[2], dil[2], groups[2];
	const nir_param *padding = nir_param_find(n, "padding");
	if (padding && padding->is_string) {	/* torch's "valid" and "same" (stride 1, odd kernels) */
		bool same = !strcmp(padding->s, "same");
		if (!same && strcmp(padding->s, "valid"))
			return node_fail(im, n, SNN_ERR_FORMAT, "padding '%s' is none of valid, same or numbers",
					 padding->s);
		pad[0] = same ? w->dims[2] / 2 : 0;
		pad[1] = same ? w->dims[3] / 2 : 0;
	} else if ((rc = pair(im, n, "padding", 0, 0, pad))) {
		return rc;
	}
	if ((rc = pair(im, n, "stride", 1, 1, stride)) || (rc = pair(im, n, "dilation", 1, 1, dil)) ||
	    (rc = pair(im, n, "groups", 1, 1, groups)))
		return rc;
	if (w->dims[1] * groups[0] != im->dims[0])
		return node_fail(im, n, SNN_ERR_FORMAT, "weight takes %lld input channels (groups %lld); its input "
				 "has %lld", (long long)w->dims[1], (long long)groups[0], (long long)im->dims[0]);
	if (b->n != w->dims[0])
		return node_fail(im, n, SNN_ERR_FORMAT, "bias has %lld values for %lld channels", (long long)b->n,
				 (long long)w->dims[0]);
	float scale = take_scale(im);
	int in[2];
	in[0] = add_const(im, n, "weight", 4, w->dims, w->v, scale);
	in[1] = add_const(im, n, "bias", 1, w->dims, b->v, 1.0f);
	ir_node *c = in[0] < 0 || in[1] < 0 ? NULL : add_node(im, n, "", "Conv", "", in, 2);
	int64_t pads[4] = {pad[0], pad[1], pad[0], pad[1]};
	if (!c || attr_ints(c, "strides", stride, 2) || attr_ints(c, "pads", pads, 4) ||
	    attr_ints(c, "dilations", dil, 2) || attr_int(c, "group", groups[0]))
		return oom(im);
	im->last_bias = in[1];
	im->dims[0] = w->dims[0];
	for (int k = 0; k < 2; k++)
		im->dims[1 + k] = out_size(im->dims[1 + k], w->dims[2 + k], stride[k], pad[k], dil[k]);
	return 0;
}

static int conv_pool(importer *im, const nir_node *n)
{
	int64_t k[2], stride[2], pad[2];
	int rc = pair(im, n, "kernel_size", 0, 1, k);
	if (!rc && !nir_param_find(n, "kernel_size"))
		rc = node_fail(im, n, SNN_ERR_FORMAT, "has no dataset kernel_size");
	if (!rc)
		rc = pair(im, n, "stride", k[0], 1, stride);
	if (!rc && !nir_param_find(n, "stride"))
		stride[1] = k[1];
	if (!rc)
		rc = pair(im, n, "padding", 0, 0, pad);
	if (rc)
		return rc;
	if (pad[0] || pad[1])
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "padded pooling is not supported");
	if (im->rank != 3)
		return node_fail(im, n, SNN_ERR_FORMAT, "its input has %d dimensions, not [channels, height, width]",
				 im->rank);
	ir_node *p = add_node(im, n, "", "AveragePool", "", NULL, 0);
	if (!p || attr_ints(p, "kernel_shape", k, 2) || attr_ints(p, "strides", stride, 2))
		return oom(im);
	if (!strcmp(n->type, "SumPool2d"))	/* a sum is the average times the window */
		im->pending_scale *= (float)(k[0] * k[1]);
	for (int a = 0; a < 2; a++)
		im->dims[1 + a] = out_size(im->dims[1 + a], k[a], stride[a], 0, 1);
	return 0;
}

static int conv_flatten(importer *im, const nir_node *n)
{
	const nir_param *start = nir_param_find(n, "start_dim"), *end = nir_param_find(n, "end_dim");
	double s = start && !start->is_string && start->n == 1 ? start->v[0] : 0;
	double e = end && !end->is_string && end->n == 1 ? end->v[0] : -1;
	if (!((s == 0 || s == -im->rank) && (e == -1 || e == im->rank - 1)))
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "flattens dimensions %g to %g of %d; snnc flattens "
				 "everything (start_dim 0, end_dim -1)", s, e, im->rank);
	ir_node *f = add_node(im, n, "", "Flatten", "", NULL, 0);
	if (!f || attr_int(f, "axis", 1))
		return oom(im);
	im->dims[0] = numel_of(im);
	im->rank = 1;
	return 0;
}

/* The reset mode: --nir-reset, else what v_reset says (0: to zero). */
static int reset_mode(const importer *im, const nir_node *n, int64_t count, const char **mode)
{
	double v_reset = 0;
	const nir_param *p = nir_param_find(n, "v_reset");
	int rc = p ? uniform(im, n, "v_reset", count, &v_reset) : 0;
	if (im->o->reset >= 0) {
		*mode = im->o->reset == SNN_RESET_SUBTRACT ? "subtract" : "zero";
		if (!rc)
			note(im, "node %s: reset by %s (--nir-reset; the file's v_reset = %g is not used)", n->name,
			     *mode, v_reset);
		return 0;	/* the option overrides even a non-uniform v_reset */
	}
	if (rc)
		return rc;
	if (v_reset != 0)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "v_reset = %g: the cores reset to 0 or by subtracting the "
				 "threshold; choose one with --nir-reset zero|subtract", v_reset);
	*mode = "zero";
	note(im, "node %s: reset to v_reset = 0, as NIR says (--nir-reset subtract keeps the residue, which "
	     "converted networks usually need)", n->name);
	return 0;
}

/* v_leak / r is a constant input current: it joins the last layer's bias. */
static int fold_leak(importer *im, const nir_node *n, double v_leak, double r)
{
	if (v_leak == 0)
		return 0;
	int p = im->g->tensors[im->cur].producer;
	const char *op = p >= 0 ? im->g->nodes[p].op_type : "";
	if (im->last_bias < 0 || (strcmp(op, "Gemm") && strcmp(op, "Conv")))
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "v_leak = %g needs an Affine or Conv2d right before it, "
				 "whose bias takes it", v_leak);
	ir_tensor *b = &im->g->tensors[im->last_bias];
	for (int64_t i = 0; i < ir_numel(b); i++)
		b->f[i] += (float)(v_leak / r);
	note(im, "node %s: v_leak = %g is a constant input of v_leak / r, added to the bias before it", n->name,
	     v_leak);
	return 0;
}

static int conv_if(importer *im, const nir_node *n)
{
	int64_t count = numel_of(im);
	double r, v_th;
	const char *mode;
	int rc = uniform(im, n, "r", count, &r);
	rc = rc ? rc : uniform(im, n, "v_threshold", count, &v_th);
	rc = rc ? rc : reset_mode(im, n, count, &mode);
	if (rc)
		return rc;
	if (r <= 0 || v_th <= 0)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "r = %g and v_threshold = %g must be positive", r, v_th);
	ir_node *x = add_node(im, n, "", "IF", "snn", NULL, 0);
	if (!x || attr_float(x, "v_th", v_th / r) || attr_float(x, "amplitude", 1.0) || attr_string(x, "reset", mode))
		return oom(im);
	note(im, "node %s: IF integrates r * x = %g x per time step (sinabs's reading of NIR's dv/dt = R I) and "
	     "fires at v_threshold = %g; a spike is worth 1 to the next layer", n->name, r, v_th);
	return 0;
}

static int conv_lif(importer *im, const nir_node *n)
{
	int64_t count = numel_of(im);
	double tau, r, v_leak, v_th;
	const char *mode;
	int rc = uniform(im, n, "tau", count, &tau);
	rc = rc ? rc : uniform(im, n, "r", count, &r);
	rc = rc ? rc : uniform(im, n, "v_leak", count, &v_leak);
	rc = rc ? rc : uniform(im, n, "v_threshold", count, &v_th);
	rc = rc ? rc : reset_mode(im, n, count, &mode);
	if (rc)
		return rc;
	if (tau <= 0 || r <= 0 || v_th <= 0)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "tau = %g, r = %g and v_threshold = %g must be positive",
				 tau, r, v_th);
	if ((rc = fold_leak(im, n, v_leak, r)))
		return rc;
	ir_node *x = add_node(im, n, "", "LIF", "snn", NULL, 0);
	/* One spike per step is 1/dt Hz; amplitude dt makes it worth 1. */
	if (!x || attr_float(x, "tau_rc", tau) || attr_float(x, "tau_ref", 0) || attr_float(x, "v_th", v_th / r) ||
	    attr_float(x, "amplitude", im->dt) || attr_float(x, "dt", im->dt) || attr_string(x, "reset", mode))
		return oom(im);
	double leak = 256 * (1 - exp(-im->dt / tau));
	note(im, "node %s: LIF with tau = %g s at dt = %g s (%s): leak L = %.0f/256 a step (1 - exp(-dt/tau)); "
	     "fires from an input of v_threshold / r = %g on; no refractory period", n->name, tau, im->dt,
	     im->dt_why, leak < 0 ? 0 : leak > 255 ? 255 : round(leak), v_th / r);
	return 0;
}

/* LI: only as the readout, which the membrane of the last layer is. */
static int conv_li(importer *im, const nir_node *n, bool last)
{
	int64_t count = numel_of(im);
	double tau, r, v_leak;
	int rc = uniform(im, n, "tau", count, &tau);
	rc = rc ? rc : uniform(im, n, "r", count, &r);
	rc = rc ? rc : uniform(im, n, "v_leak", count, &v_leak);
	if (rc)
		return rc;
	if (!last)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "an LI (non-spiking) node is supported only as the "
				 "readout, right before the Output");
	if (r <= 0)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "r = %g must be positive", r);
	note(im, "node %s: LI readout becomes the last layer's membrane, integrated without its leak (tau = %g s); "
	     "r = %g and v_leak = %g, the same for every neuron, do not change which class wins", n->name, tau, r,
	     v_leak);
	return 0;
}

/* ---- the chain ---- */

static const char *const supported[] = {"Input", "Output", "Affine", "Linear", "Conv2d", "SumPool2d",
					"AvgPool2d", "Flatten", "IF", "LIF", "LI", NULL};

/* Kahn's algorithm over all nodes: what is left is on a cycle or after one. */
static int check_acyclic(const importer *im, int *indeg)
{
	const nir_graph *ng = im->ng;
	int *queue = malloc((size_t)(ng->n_nodes ? ng->n_nodes : 1) * sizeof *queue);
	bool *done = calloc((size_t)(ng->n_nodes ? ng->n_nodes : 1), sizeof *done);
	if (!queue || !done) {
		free(queue);
		free(done);
		return oom(im);
	}
	int head = 0, tail = 0;
	for (int k = 0; k < ng->n_nodes; k++)
		if (!indeg[k])
			queue[tail++] = k;
	while (head < tail) {
		int k = queue[head++];
		done[k] = true;
		for (int e = 0; e < ng->n_edges; e++)
			if (ng->edges[e][0] == k && !--indeg[ng->edges[e][1]])
				queue[tail++] = ng->edges[e][1];
	}
	int rc = 0;
	for (int e = 0; e < ng->n_edges && !rc; e++) {	/* an edge between two left-over nodes is on or after a cycle */
		int a = ng->edges[e][0], b = ng->edges[e][1];
		if (!done[a] && !done[b])
			rc = snn_fail(im->diag, SNN_ERR_FORMAT, "%s: node %s: the edges form a cycle through it (%s -> %s); "
				      "snnc takes feed-forward chains", ng->path, ng->nodes[b].name, ng->nodes[a].name,
				      ng->nodes[b].name);
	}
	free(queue);
	free(done);
	return rc;
}

/* The nodes from Input to Output, one edge between each two. */
static int chain_order(importer *im, int *order, int *len)
{
	const nir_graph *ng = im->ng;
	int n = ng->n_nodes, input = -1, rc = 0;
	int *indeg = calloc((size_t)(n ? n : 1), sizeof *indeg), *outdeg = calloc((size_t)(n ? n : 1), sizeof *outdeg);
	int *next = malloc((size_t)(n ? n : 1) * sizeof *next);
	if (!indeg || !outdeg || !next) {
		rc = oom(im);
		goto out;
	}
	for (int e = 0; e < ng->n_edges; e++) {
		indeg[ng->edges[e][1]]++;
		outdeg[ng->edges[e][0]]++;
		next[ng->edges[e][0]] = ng->edges[e][1];
	}
	for (int k = 0; k < n && !rc; k++) {
		const nir_node *nn = &ng->nodes[k];
		int i = 0;
		while (supported[i] && strcmp(supported[i], nn->type))
			i++;
		if (!supported[i])
			rc = snn_fail(im->diag, SNN_ERR_UNSUPPORTED, "%s: node %s: type %s is not supported (snnc takes "
				      "Affine, Linear, Conv2d, SumPool2d, AvgPool2d, Flatten, IF, LIF, and LI as the readout)",
				      ng->path, nn->name, nn->type);
		else if (!strcmp(nn->type, "Input"))
			rc = input >= 0 ? snn_fail(im->diag, SNN_ERR_UNSUPPORTED, "%s: node %s: a second Input (after %s); "
						   "snnc takes one input", ng->path, nn->name, ng->nodes[input].name)
					: (input = k, 0);
	}
	if (!rc && input < 0)
		rc = snn_fail(im->diag, SNN_ERR_FORMAT, "%s: has no Input node", ng->path);
	rc = rc ? rc : check_acyclic(im, indeg);
	for (int e = 0; e < ng->n_edges; e++)	/* check_acyclic used up indeg */
		indeg[ng->edges[e][1]]++;
	for (int k = 0; k < n && !rc; k++) {
		const nir_node *nn = &ng->nodes[k];
		if (indeg[k] > 1 || outdeg[k] > 1)
			rc = snn_fail(im->diag, SNN_ERR_UNSUPPORTED, "%s: node %s: has %d inputs and %d outputs; snnc takes "
				      "a chain (no branches or sums of paths)", ng->path, nn->name, indeg[k], outdeg[k]);
	}
	*len = 0;
	for (int k = input; !rc && k >= 0; k = outdeg[k] ? next[k] : -1)
		order[(*len)++] = k;
	for (int k = 0; k < n && !rc; k++) {
		bool reached = false;
		for (int i = 0; i < *len; i++)
			reached |= order[i] == k;
		if (!reached)
			rc = snn_fail(im->diag, SNN_ERR_FORMAT, "%s: node %s: is not reached from the Input node %s",
				      ng->path, ng->nodes[k].name, ng->nodes[input].name);
	}
	if (!rc && strcmp(ng->nodes[order[*len - 1]].type, "Output"))
		rc = snn_fail(im->diag, SNN_ERR_FORMAT, "%s: node %s: the chain from the Input ends here, not in an "
			      "Output node", ng->path, ng->nodes[order[*len - 1]].name);
out:
	free(indeg);
	free(outdeg);
	free(next);
	return rc;
}

/* The graph input from the Input node's shape (a leading batch axis of 1
 * before [C, H, W] is dropped). */
static int add_input(importer *im, const nir_node *n)
{
	int rc = 0;
	const nir_param *shape = need(im, n, "shape", &rc);
	if (rc)
		return rc;
	int64_t first = shape->n == 4 && shape->v[0] == 1 ? 1 : 0;
	if (shape->n - first < 1 || shape->n - first > 3)
		return node_fail(im, n, SNN_ERR_UNSUPPORTED, "shape has %lld dimensions; snnc takes [N] or [C, H, W]",
				 (long long)shape->n);
	im->rank = (int)(shape->n - first);
	for (int d = 0; d < im->rank; d++) {
		double v = shape->v[first + d];
		if (v != floor(v) || v < 1 || v > 1 << 20)
			return node_fail(im, n, SNN_ERR_FORMAT, "shape has the dimension %g", v);
		im->dims[d] = (int64_t)v;
	}
	if (im->rank == 2)	/* [H, W]: one channel */
		im->dims[2] = im->dims[1], im->dims[1] = im->dims[0], im->dims[0] = 1, im->rank = 3;
	int t = ir_add_tensor(im->g, n->name, IR_FLOAT);
	if (t < 0)
		return oom(im);
	ir_tensor *tt = &im->g->tensors[t];
	tt->rank = im->rank + 1;
	tt->dims[0] = 1;
	memcpy(tt->dims + 1, im->dims, (size_t)im->rank * sizeof *im->dims);
	im->g->input = im->cur = t;
	return 0;
}

/* The time step for every LIF node: --nir-dt, else snnTorch's r = tau / dt
 * if every LIF node agrees on it, else the default. */
static void choose_dt(importer *im)
{
	im->dt = DEFAULT_DT;
	im->dt_why = "assumed: NIR has no time step; Norse uses 1 ms, snnTorch 0.1 ms, sinabs counts tau in steps "
		     "(--nir-dt 1); override with --nir-dt";
	if (im->o->dt > 0) {
		im->dt = im->o->dt;
		im->dt_why = "--nir-dt";
		return;
	}
	double found = 0;
	for (int k = 0; k < im->ng->n_nodes; k++) {
		const nir_node *n = &im->ng->nodes[k];
		const nir_param *tau = nir_param_find(n, "tau"), *r = nir_param_find(n, "r");
		if (strcmp(n->type, "LIF") || !tau || !r || tau->n < 1 || r->n < 1 || tau->is_string || r->is_string)
			continue;
		double dt = r->v[0] != 1 && r->v[0] > 0 ? tau->v[0] / r->v[0] : 0;
		if (!(dt > 0 && dt < 1) || (found && fabs(dt - found) > 1e-6 * found))
			return;
		found = dt;
	}
	if (found) {
		im->dt = found;
		im->dt_why = "from r = tau / dt, snnTorch's export; override with --nir-dt";
	}
}

int nir_import(const char *path, const nir_import_options *o, ir_graph *g, snn_diag *diag)
{
	memset(g, 0, sizeof *g);
	g->input = -1;
	nir_graph ng;
	int rc = nir_read(path, &ng, diag);
	if (rc)
		return rc;
	importer im = {.ng = &ng, .g = g, .o = o, .diag = diag, .last_bias = -1, .pending_scale = 1.0f};
	int *order = malloc((size_t)(ng.n_nodes ? ng.n_nodes : 1) * sizeof *order), len = 0;
	g->path = strdup(path);
	size_t plen = sizeof "NIR " + (ng.version ? strlen(ng.version) : 1);
	if ((g->producer = malloc(plen)))
		snprintf(g->producer, plen, "NIR %s", ng.version ? ng.version : "?");
	memcpy(g->digest, ng.digest, sizeof g->digest);
	g->snn_opset = 1;
	g->opset = 13;
	if (!order || !g->path || !g->producer)
		rc = oom(&im);
	rc = rc ? rc : chain_order(&im, order, &len);
	if (!rc)
		choose_dt(&im);
	for (int i = 0; i < len && !rc; i++) {
		const nir_node *n = &ng.nodes[order[i]];
		const char *t = n->type;
		bool last = i + 2 == len;	/* right before the Output */
		if (!strcmp(t, "Input"))
			rc = i ? node_fail(&im, n, SNN_ERR_FORMAT, "an Input inside the chain") : add_input(&im, n);
		else if (!strcmp(t, "Output"))
			rc = 0;
		else if (!strcmp(t, "Affine") || !strcmp(t, "Linear"))
			rc = conv_affine(&im, n);
		else if (!strcmp(t, "Conv2d"))
			rc = conv_conv2d(&im, n);
		else if (!strcmp(t, "SumPool2d") || !strcmp(t, "AvgPool2d"))
			rc = conv_pool(&im, n);
		else if (!strcmp(t, "Flatten"))
			rc = conv_flatten(&im, n);
		else if (!strcmp(t, "IF"))
			rc = conv_if(&im, n);
		else if (!strcmp(t, "LIF"))
			rc = conv_lif(&im, n);
		else
			rc = conv_li(&im, n, last);
	}
	if (!rc && im.pending_scale != 1.0f)
		rc = snn_fail(diag, SNN_ERR_UNSUPPORTED, "%s: the chain ends in pooling", path);
	if (!rc && !(g->outputs = malloc(sizeof *g->outputs)))
		rc = oom(&im);
	if (!rc) {
		g->outputs[0] = im.cur;
		g->n_outputs = 1;
	}
	free(order);
	nir_free(&ng);
	if (rc)
		ir_free(g);
	return rc;
}
