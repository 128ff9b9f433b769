/* Lowering: the resolved ONNX graph becomes a list of layers, node by node
 * in topological order, each tensor carrying a flow (lower.h). Each node
 * is its operator's to lower (ir_op's lower, in compiler/ops/): runs of
 * linear operators up to an activation fold into one dense or conv layer
 * whose neurons are that activation; where paths meet, the operator's join
 * (compiler/branch.c) merges them. This file walks the graph and holds
 * what the operators share. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"
#include "ops/ops.h"

int lower_fail_node(lower_ctx *x, const ir_node *n, const char *fmt, const char *detail)
{
	char msg[400];
	snprintf(msg, sizeof msg, fmt, detail ? detail : "");
	return snn_fail(x->diag, SNN_ERR_UNSUPPORTED, "%s: node %s (%s): %s", x->g->path, n->name,
			n->op_type, msg);
}

int lower_unsupported(lower_ctx *x, const ir_node *n)
{
	return lower_fail_node(x, n, "not supported in a spiking network (see snnc --list-ops)", NULL);
}

int64_t snn_layer_neurons(const snn_layer *l)
{
	return (int64_t)l->out_c * l->out_h * l->out_w;
}

int64_t snn_layer_inputs(const snn_layer *l)
{
	return (int64_t)l->in_c * l->in_h * l->in_w;
}

int64_t snn_layer_synapses(const snn_layer *l)
{
	if (l->kind == LAYER_DENSE)
		return snn_layer_inputs(l) * l->out_c;
	if (l->deconv)	/* each output sees the taps of its phase of the stride */
		return snn_layer_neurons(l) * l->in_c * ((l->kh + l->stride - 1) / l->stride) *
		       ((l->kw + l->stride - 1) / l->stride);
	return snn_layer_neurons(l) * l->in_c * l->kh * l->kw * l->pool * l->pool;
}

double snn_layer_kernel_reach(const snn_layer *l)
{
	if (l->kind == LAYER_DENSE)
		return 1.0;
	return l->deconv ? 1.0 / ((double)l->stride * l->stride) : (double)l->pool * l->pool;
}

void snn_net_free(snn_net *net)
{
	for (int i = 0; i < net->n_layers; i++) {
		free(net->layers[i].w);
		free(net->layers[i].b);
		free(net->layers[i].wq);
		free(net->layers[i].bq);
	}
	free(net->layers);
	memset(net, 0, sizeof *net);
}

static void *dup_array(const void *p, size_t bytes, bool *failed)
{
	if (!p)
		return NULL;
	void *q = malloc(bytes ? bytes : 1);
	if (!q)
		*failed = true;
	else
		memcpy(q, p, bytes);
	return q;
}

int snn_net_copy(snn_net *dst, const snn_net *src)
{
	*dst = *src;
	dst->layers = calloc((size_t)src->n_layers, sizeof *dst->layers);
	if (!dst->layers) {
		dst->n_layers = 0;
		return SNN_ERR_NOMEM;
	}
	bool failed = false;
	for (int i = 0; i < src->n_layers; i++) {
		const snn_layer *l = &src->layers[i];
		snn_layer *d = &dst->layers[i];
		*d = *l;
		d->w = dup_array(l->w, (size_t)l->n_w * sizeof *l->w, &failed);
		d->wq = dup_array(l->wq, (size_t)l->n_w * sizeof *l->wq, &failed);
		d->b = dup_array(l->b, (size_t)l->out_c * sizeof *l->b, &failed);
		d->bq = dup_array(l->bq, (size_t)snn_layer_neurons(l) * sizeof *l->bq, &failed);
	}
	if (failed) {
		snn_net_free(dst);
		return SNN_ERR_NOMEM;
	}
	return 0;
}

void pending_free(pending *p)
{
	free(p->perm);
	free(p->in_mul);
	free(p->in_add);
	free(p->l.w);
	free(p->l.b);
	memset(p, 0, sizeof *p);
}

int pending_copy(pending *dst, const pending *src)
{
	bool failed = false;
	*dst = *src;
	dst->perm = dup_array(src->perm, (size_t)src->n_perm * sizeof *src->perm, &failed);
	dst->in_mul = dup_array(src->in_mul, (size_t)src->src_c * sizeof *src->in_mul, &failed);
	dst->in_add = dup_array(src->in_add, (size_t)src->src_c * sizeof *src->in_add, &failed);
	dst->l.w = dup_array(src->l.w, (size_t)src->l.n_w * sizeof *src->l.w, &failed);
	dst->l.b = dup_array(src->l.b, (size_t)src->l.out_c * sizeof *src->l.b, &failed);
	if (failed)
		pending_free(dst);
	return failed ? SNN_ERR_NOMEM : 0;
}

bool pending_has_prefix(const pending *p)
{
	return p->pool || p->upsample || p->perm || p->in_mul || p->pad[0] || p->pad[1] || p->pad[2] || p->pad[3];
}

bool lower_reads_input(const pending *p)
{
	return p->n_src == 1 && p->src[0].layer < 0;
}

void snn_input_to_image(const snn_net *net, const uint8_t *model, uint8_t *image)
{
	int C = net->in_c, HW = net->in_h * net->in_w;
	for (int c = 0; c < C; c++)
		for (int i = 0; i < HW; i++)
			image[c * HW + i] = net->input_nhwc ? model[i * C + c] : model[c * HW + i];
}

void snn_input_to_model(const snn_net *net, const uint8_t *image, uint8_t *model)
{
	int C = net->in_c, HW = net->in_h * net->in_w;
	for (int c = 0; c < C; c++)
		for (int i = 0; i < HW; i++)
			model[net->input_nhwc ? i * C + c : c * HW + i] = image[c * HW + i];
}

int snn_layer_channel_source(const snn_layer *l, int c)
{
	for (int k = 0; k < l->n_src; k++)
		if (c >= l->src[k].c0 && c < l->src[k].c0 + l->src[k].nc)
			return l->src[k].layer;
	return -1;
}

const float *lower_const_input(const lower_ctx *x, const ir_node *n, int k)
{
	if (k >= n->n_in || n->in[k] < 0)
		return NULL;
	return x->g->tensors[n->in[k]].f;
}

/* Who reads each tensor, found once: following the chain by scanning every
 * node at every step made lowering quadratic (100,000 nodes took 43 s). */
static int build_use_map(lower_ctx *x)
{
	const ir_graph *g = x->g;
	x->n_readers = calloc((size_t)g->n_tensors + 1, sizeof *x->n_readers);
	x->reader = malloc(((size_t)g->n_tensors + 1) * sizeof *x->reader);
	if (!x->n_readers || !x->reader)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int t = 0; t < g->n_tensors; t++)
		x->reader[t] = -1;
	for (int i = 0; i < g->n_nodes; i++) {
		const ir_node *n = &g->nodes[i];
		for (int k = 0; k < n->n_in && !n->dead; k++) {
			int t = n->in[k];
			if (t < 0 || x->reader[t] == i)
				continue;	/* a node reading t twice is one reader */
			x->n_readers[t]++;
			x->reader[t] = i;
		}
	}
	return 0;
}

bool lower_tensor_is_read(const lower_ctx *x, int t)
{
	return x->reader[t] >= 0;
}

int lower_start_layer(lower_ctx *x, const ir_node *n, layer_kind kind)
{
	if (x->p.linear)
		return lower_fail_node(x, n, "two linear operators without an activation between them; "
				       "fold them in the model or insert a Relu", NULL);
	pending *p = &x->p;
	memset(&p->l, 0, sizeof p->l);
	p->linear = true;
	snn_layer *l = &p->l;
	snprintf(l->name, sizeof l->name, "%s", n->name);
	l->kind = kind;
	l->in_c = x->p.src_c;
	l->in_h = x->p.src_h;
	l->in_w = x->p.src_w;
	l->n_src = x->p.n_src;
	memcpy(l->src, x->p.src, sizeof l->src);
	l->pool = p->pool ? p->pool : 1;
	l->act_tensor = -1;
	l->reset = SNN_RESET_SUBTRACT;
	l->gain = 1.0f;
	return 0;
}

int lower_linear_done(lower_ctx *x, const ir_node *n)
{
	lower_fold_rescale(x);
	return lower_check_finite(x, n);
}

int lower_conv_kernel(lower_ctx *x, const ir_node *n, int w_out_axis, int pad_y, int pad_x)
{
	/* resolve() turned auto_pad into explicit pads and strides */
	const op_conv_dims d = op_conv_dims_of(x->g, n);
	snn_layer *l = &x->p.l;
	if (d.sy != d.sx)
		return lower_fail_node(x, n, "different strides along the two axes are not supported", NULL);
	l->out_c = (int)x->g->tensors[n->in[1]].dims[w_out_axis];
	l->kh = (int)d.KH;
	l->kw = (int)d.KW;
	l->stride = (int)d.sy;
	l->pad_y = (int)d.pt + pad_y;
	l->pad_x = (int)d.pl + pad_x;
	if (l->pad_y >= l->kh || l->pad_x >= l->kw)
		return lower_fail_node(x, n, "padding as large as the kernel is not supported", NULL);
	return 0;
}

void lower_scale_channel_weights(snn_layer *l, int o, float s)
{
	int64_t per = l->n_w / l->out_c;	/* weights per output channel */
	if (l->kind == LAYER_CONV)
		for (int64_t i = 0; i < per; i++)
			l->w[o * per + i] *= s;
	else
		for (int64_t a = 0; a < per; a++)
			l->w[a * l->out_c + o] *= s;
}

/* The input, rescaled, is re-read as a map of other channels (Keras's
 * Rescaling, then Reshape((28, 28, 1)) of a flat input): only a rescaling
 * the same for every old channel still applies per new channel. */
int lower_rechannel_rescale(lower_ctx *x, const ir_node *n, int old_c)
{
	pending *p = &x->p;
	if (!p->in_mul || old_c == x->p.src_c)
		return 0;
	for (int ch = 1; ch < old_c; ch++)
		if (p->in_mul[ch] != p->in_mul[0] || p->in_add[ch] != p->in_add[0])
			return lower_fail_node(x, n, "reshaping an input scaled element by element into a map of other "
					       "channels is not supported; scale after the reshape", NULL);
	float m = p->in_mul[0], a = p->in_add[0];
	float *mul = realloc(p->in_mul, (size_t)x->p.src_c * sizeof *mul);
	if (mul)
		p->in_mul = mul;
	float *add = realloc(p->in_add, (size_t)x->p.src_c * sizeof *add);
	if (add)
		p->in_add = add;
	if (!mul || !add)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int ch = 0; ch < x->p.src_c; ch++) {
		p->in_mul[ch] = m;
		p->in_add[ch] = a;
	}
	return 0;
}

/* The pending per-channel arithmetic, folded into the new layer's weights
 * and bias: w (m x + a) = (w m) x + w a. A constant a enters every tap,
 * also those on the zero padding, which it should not: exact only away
 * from the border. */
void lower_fold_rescale(lower_ctx *x)
{
	snn_layer *l = &x->p.l;
	const float *m = x->p.in_mul, *a = x->p.in_add;
	if (!m)
		return;
	bool shifted = false;
	int64_t per = l->n_w / l->out_c, area = (int64_t)l->in_h * l->in_w;
	int64_t per_channel = l->kind == LAYER_CONV ? per / l->in_c : area;
	float taps = (float)snn_layer_kernel_reach(l);
	for (int o = 0; o < l->out_c; o++) {
		double sum = 0;
		for (int64_t i = 0; i < per; i++) {	/* conv: [o][c][y][x]; dense: [source][o] */
			float *w = l->kind == LAYER_CONV ? &l->w[o * per + i] : &l->w[i * l->out_c + o];
			int ch = (int)(i / per_channel);
			sum += (double)*w * a[ch];
			*w *= m[ch];
			shifted |= a[ch] != 0;
		}
		l->b[o] += (float)(sum * taps);
	}
	if (shifted && l->kind == LAYER_CONV && (l->pad_y || l->pad_x || l->deconv))
		fprintf(stderr, "snnc: warning: the constant added in front of %s is folded into its bias, which is "
				"exact only away from its zero padding\n", l->name);
}

/* After folding node n into the pending layer: every weight and bias must
 * still be a finite float. Attributes and initializers are finite, but
 * their products need not be (alpha 1e30 times a weight of 1e10, a Div by
 * 0, a BatchNormalization variance of -eps). */
int lower_check_finite(lower_ctx *x, const ir_node *n)
{
	const snn_layer *l = &x->p.l;
	char what[256];
	for (int64_t i = 0; i < l->n_w; i++)
		if (!isfinite(l->w[i])) {
			snprintf(what, sizeof what, "weight %lld of %s is %g after folding it in; the numbers overflow",
				 (long long)i, l->weight_name, l->w[i]);
			return lower_fail_node(x, n, "%s", what);
		}
	for (int o = 0; o < l->out_c; o++)
		if (!isfinite(l->b[o])) {
			snprintf(what, sizeof what, "the bias of output %d is %g after folding it in; the numbers overflow",
				 o, l->b[o]);
			return lower_fail_node(x, n, "%s", what);
		}
	return 0;
}

int lower_append(lower_ctx *x, const snn_layer *l)
{
	snn_net *net = x->net;
	snn_layer *ls = realloc(net->layers, (size_t)(net->n_layers + 1) * sizeof *ls);
	if (!ls)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	net->layers = ls;
	net->layers[net->n_layers++] = *l;
	return 0;
}

static int push_layer(lower_ctx *x)
{
	snn_net *net = x->net;
	int rc = lower_append(x, &x->p.l);
	if (rc)
		return rc;
	const snn_layer *l = &x->p.l;
	pending next = {.src_c = l->out_c, .src_h = l->out_h, .src_w = l->out_w,
			.src_is_dense = l->kind == LAYER_DENSE, .n_src = 1};
	next.src[0] = (snn_source){.layer = net->n_layers - 1, .c0 = 0, .nc = l->out_c};
	x->p.l.w = x->p.l.b = NULL;	/* now the net's */
	pending_free(&x->p);
	x->p = next;
	return 0;
}

int lower_activation(lower_ctx *x, const ir_node *n, lower_neuron_fn neuron)
{
	snn_layer *l = &x->p.l;
	if (!x->p.linear)
		return lower_fail_node(x, n, "an activation must follow a Conv, Gemm or MatMul", NULL);
	l->neuron = NEURON_IF;
	int rc = neuron ? neuron(x, n, l) : 0;
	if (rc)
		return rc;
	l->linear_tensor = n->in[0];
	l->act_tensor = n->out[0];
	return push_layer(x);
}

/* The source's shape from a 1-D, 2-D or 4-D tensor (batch first). A 4-D
 * tensor is NCHW, except [N, H, W, 1]: Keras's one-channel NHWC image,
 * whose bytes are the same as NCHW's (a map one pixel wide is no image). */
int lower_source_from_tensor(lower_ctx *x, const ir_tensor *t)
{
	if (t->rank == 4 && t->dims[3] == 1 && t->dims[2] > 1) {
		x->p.src_c = 1;
		x->p.src_h = (int)t->dims[1];
		x->p.src_w = (int)t->dims[2];
	} else if (t->rank == 4) {
		x->p.src_c = (int)t->dims[1];
		x->p.src_h = (int)t->dims[2];
		x->p.src_w = (int)t->dims[3];
	} else if (t->rank == 3) {
		x->p.src_c = 1;
		x->p.src_h = (int)t->dims[1];
		x->p.src_w = (int)t->dims[2];
	} else if (t->rank == 2 || t->rank == 1) {
		x->p.src_c = (int)t->dims[t->rank - 1];
		x->p.src_h = x->p.src_w = 1;
	} else {
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED, "%s: input %s has rank %d; expected 2, 3 or 4",
				x->g->path, t->name, t->rank);
	}
	x->p.n_src = 1;
	x->p.src[0] = (snn_source){.layer = -1, .c0 = 0, .nc = x->p.src_c};
	return 0;
}

void lower_set_net_input(lower_ctx *x)
{
	x->net->in_c = x->p.src_c;
	x->net->in_h = x->p.src_h;
	x->net->in_w = x->p.src_w;
}

/* Node n reads one path: its operator lowers it (NULL before ir_resolve
 * bound it, which no caller does). */
static int step(lower_ctx *x, const ir_node *n)
{
	return n->op && n->op->lower ? n->op->lower(x, n) : lower_unsupported(x, n);
}

/* Move tensor t's flow into *out, or copy it while other readers still
 * need it. */
static int take_flow(lower_ctx *x, pending **at, int t, pending *out)
{
	if (--x->n_readers[t] > 0)
		return pending_copy(out, at[t]) ? snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory") : 0;
	*out = *at[t];
	free(at[t]);
	at[t] = NULL;
	return 0;
}

/* Lower node n: gather the flows it reads, run it as one path's operator
 * or as a join of paths, and leave its output's flow in *out. */
static int lower_node(lower_ctx *x, pending **at, const ir_node *n)
{
	pending ins[SNN_MAX_SOURCES];
	int n_ins = 0, rc = 0;
	for (int k = 0; k < n->n_in && !rc; k++) {
		int t = n->in[k], seen = -1;
		for (int j = 0; j < k; j++)
			if (n->in[j] == t)
				seen = j;
		if (t < 0 || (!at[t] && seen < 0))
			continue;	/* a constant */
		if (n_ins == SNN_MAX_SOURCES) {
			rc = lower_fail_node(x, n, "it joins more than %s paths; join them in steps", "8");
			break;
		}
		if (seen >= 0)	/* Add(a, a): its one reader already took a */
			rc = pending_copy(&ins[n_ins], &ins[n_ins - 1]) ? snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory")
									 : 0;
		else
			rc = take_flow(x, at, t, &ins[n_ins]);
		n_ins += !rc;
	}
	if (rc || n_ins == 0) {
		for (int k = 0; k < n_ins; k++)
			pending_free(&ins[k]);
		return rc;	/* no flow: constants only, nothing to run */
	}
	if (n_ins > 1) {
		rc = lower_join(x, n, ins, n_ins);
	} else {
		x->p = ins[0];
		rc = step(x, n);
	}
	if (rc)
		return rc;
	pending *out = malloc(sizeof *out);
	if (!out)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	*out = x->p;
	memset(&x->p, 0, sizeof x->p);
	at[n->out[0]] = out;
	return 0;
}

/* The end of the graph: a readout layer still open, or the last layer's
 * activation, read by membrane. */
static int finish(lower_ctx *x, int end)
{
	const ir_graph *g = x->g;
	snn_net *net = x->net;
	int rc = 0;
	if (x->p.linear) {	/* the last layer has no activation: readout */
		x->p.l.neuron = NEURON_READOUT;
		x->p.l.linear_tensor = end;
		return push_layer(x);
	}
	if (net->n_layers == 0)
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED, "%s: no Conv, Gemm or MatMul layer found", g->path);
	if (x->p.pool)
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED, "%s: the model ends in pooling", g->path);
	if (x->p.upsample)
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED,
				"%s: the model ends in a Resize or Upsample, which the readout cannot apply; end on a "
				"Conv or ConvTranspose after it", g->path);
	if (x->p.in_mul)
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED,
				"%s: the model ends in arithmetic after its last activation (a scaling or a "
				"BatchNormalization with no layer after it), which the readout cannot apply; end on a "
				"Conv, Gemm or MatMul, or fold it into the last layer", g->path);
	if (x->p.n_src != 1 || x->p.src[0].layer != net->n_layers - 1)
		return snn_fail(x->diag, SNN_ERR_UNSUPPORTED,
				"%s: the output %s joins several layers' outputs (a Concat or a branch at the end); the "
				"readout reads one layer: end on a Conv, Gemm or MatMul over them", g->path,
				g->tensors[end].name);
	net->layers[net->n_layers - 1].neuron = NEURON_READOUT;	/* ends on an activation */
	return rc;
}

int snn_lower(const ir_graph *g, const snnc_options *opt, snn_net *net, snn_diag *diag)
{
	memset(net, 0, sizeof *net);
	lower_ctx x = {.g = g, .opt = opt, .net = net, .diag = diag};
	const ir_tensor *in = &g->tensors[g->input];
	pending **at = calloc((size_t)g->n_tensors + 1, sizeof *at);
	int rc = at ? lower_source_from_tensor(&x, in) : snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = build_use_map(&x);
	if (!rc && !(at[g->input] = malloc(sizeof **at)))
		rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	if (!rc) {
		*at[g->input] = x.p;
		memset(&x.p, 0, sizeof x.p);
	}
	net->in_c = rc ? 0 : at[g->input]->src_c;
	net->in_h = rc ? 0 : at[g->input]->src_h;
	net->in_w = rc ? 0 : at[g->input]->src_w;
	net->input_scale = opt->input_scale;
	net->input_offset = opt->input_offset;
	snprintf(net->input_name, sizeof net->input_name, "%.31s", in->name);
	/* nodes are in topological order: every layer's sources come first */
	int end = g->input;
	for (int i = 0; i < g->n_nodes && !rc; i++) {
		const ir_node *n = &g->nodes[i];
		if (n->dead)
			continue;
		rc = lower_node(&x, at, n);
		if (!rc && at[n->out[0]] && x.n_readers[n->out[0]] == 0)
			end = n->out[0];	/* nothing reads it: the last such is the output */
	}
	if (!rc && at[end]) {
		x.p = *at[end];
		free(at[end]);
		at[end] = NULL;
		rc = finish(&x, end);
	}
	for (int t = 0; at && t < g->n_tensors; t++)
		if (at[t]) {
			pending_free(at[t]);
			free(at[t]);
		}
	free(at);
	pending_free(&x.p);
	free(x.n_readers);
	free(x.reader);
	if (rc) {
		snn_net_free(net);
		return rc;
	}
	bool is_output = false;
	for (int k = 0; k < g->n_outputs; k++)
		is_output |= g->outputs[k] == end;
	if (!is_output)
		fprintf(stderr, "snnc: warning: the chain ends at %s, which is not a graph output\n",
			g->tensors[end].name);
	net->n_classes = net->layers[net->n_layers - 1].out_c;
	snprintf(net->output_name, sizeof net->output_name, "%.31s",
		 g->n_outputs ? g->tensors[g->outputs[0]].name : "output");
	return 0;
}
