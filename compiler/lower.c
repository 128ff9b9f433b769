/* Lowering: the resolved ONNX graph becomes a list of layers, node by node
 * in topological order, each tensor carrying a flow (lower.h). Each run of
 * linear operators up to an activation is folded into one dense or conv
 * layer whose neurons are that activation; where paths meet, branch.c
 * joins them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

int lower_fail_node(lower_ctx *x, const ir_node *n, const char *fmt, const char *detail)
{
	char msg[400];
	snprintf(msg, sizeof msg, fmt, detail ? detail : "");
	return snn_fail(x->diag, SNN_ERR_UNSUPPORTED, "%s: node %s (%s): %s", x->g->path, n->name,
			n->op_type, msg);
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

/* Does the flow read the network's input, and only it? */
static bool reads_input(const pending *p)
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

static const float *const_input(const lower_ctx *x, const ir_node *n, int k)
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

/* The live node that reads tensor t, NULL if none; how many in *count. */
static const ir_node *consumer(const lower_ctx *x, int t, int *count)
{
	*count = x->n_readers[t];
	return x->reader[t] >= 0 ? &x->g->nodes[x->reader[t]] : NULL;
}

/* Source flat index of every index of a transposed tensor. */
static int apply_transpose(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]];
	const ir_attr *perm = ir_attr_find(n, "perm");
	int64_t numel = ir_numel(in);
	int64_t *map = malloc((size_t)numel * sizeof *map);
	x->p.n_perm = numel;
	if (!map)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	int rank = in->rank;
	int64_t p[IR_MAX_RANK], in_stride[IR_MAX_RANK], out_dims[IR_MAX_RANK];
	for (int k = 0; k < rank; k++)
		p[k] = perm && (int)perm->n == rank ? perm->ints[k] : rank - 1 - k;
	in_stride[rank - 1] = 1;
	for (int k = rank - 2; k >= 0; k--)
		in_stride[k] = in_stride[k + 1] * in->dims[k + 1];
	for (int k = 0; k < rank; k++)
		out_dims[k] = in->dims[p[k]];
	for (int64_t o = 0; o < numel; o++) {
		int64_t rem = o, src = 0;
		for (int k = rank - 1; k >= 0; k--) {
			int64_t idx = rem % out_dims[k];
			rem /= out_dims[k];
			src += idx * in_stride[p[k]];
		}
		map[o] = x->p.perm ? x->p.perm[src] : src;
	}
	free(x->p.perm);
	x->p.perm = map;
	/* A Transpose and its inverse (NCHW -> NHWC -> NCHW, as tf2onnx can
	 * leave them between layers) cancel: the data is back in place. */
	bool identity = true;
	for (int64_t o = 0; o < numel && identity; o++)
		identity = map[o] == o;
	if (identity) {
		free(x->p.perm);
		x->p.perm = NULL;
	}
	return 0;
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

static int lower_conv(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	int rc = lower_start_layer(x, n, LAYER_CONV);
	if (rc)
		return rc;
	snn_layer *l = &x->p.l;
	if (x->p.perm)
		return lower_fail_node(x, n, "a Transpose that moves data in front of a convolution is not supported "
				       "(of the input, only tf2onnx's NHWC -> NCHW one is taken, as the image's input "
				       "layout): the core array reads maps channel-first; export with NCHW input "
				       "(tf2onnx: --inputs-as-nchw input)", NULL);
	if (x->p.src_is_dense)
		return lower_fail_node(x, n, "a convolution over a fully connected layer's output is not supported",
				 NULL);
	const ir_tensor *in = &g->tensors[n->in[0]], *wt = &g->tensors[n->in[1]];
	const ir_tensor *out = &g->tensors[n->out[0]];
	const float *w = const_input(x, n, 1), *b = const_input(x, n, 2);
	if (!w || wt->rank != 4)
		return lower_fail_node(x, n, "the weight must be a constant 4-D tensor", NULL);
	if (in->dims[1] != x->p.src_c || in->dims[2] != x->p.src_h / l->pool || in->dims[3] != x->p.src_w / l->pool)
		return lower_fail_node(x, n, "input shape does not follow from the previous layer", NULL);
	const ir_attr *strides = ir_attr_find(n, "strides"), *pads = ir_attr_find(n, "pads");
	int sy = strides && strides->n == 2 ? (int)strides->ints[0] : 1;
	int sx = strides && strides->n == 2 ? (int)strides->ints[1] : 1;
	if (sy != sx)
		return lower_fail_node(x, n, "different strides along the two axes are not supported", NULL);
	/* resolve() turned auto_pad into explicit pads, or they are absent (0). */
	int pt = pads && pads->n == 4 ? (int)pads->ints[0] : 0, pl = pads && pads->n == 4 ? (int)pads->ints[1] : 0;
	l->out_c = (int)wt->dims[0];
	l->kh = (int)wt->dims[2];
	l->kw = (int)wt->dims[3];
	l->stride = sy;
	l->pad_y = pt + x->p.pad[0];
	l->pad_x = pl + x->p.pad[1];
	l->out_h = (int)out->dims[2];
	l->out_w = (int)out->dims[3];
	if (l->pad_y >= l->kh || l->pad_x >= l->kw)
		return lower_fail_node(x, n, "padding as large as the kernel is not supported", NULL);
	snprintf(l->weight_name, sizeof l->weight_name, "%s", wt->name);
	l->n_w = ir_numel(wt);
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)l->out_c, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	float pool_area = (float)(l->pool * l->pool);	/* average = sum / P^2 */
	for (int64_t i = 0; i < l->n_w; i++)
		l->w[i] = w[i] / pool_area;
	if (b)
		memcpy(l->b, b, (size_t)l->out_c * sizeof *l->b);
	return 0;
}

/* A fully connected layer over a pooled map is a conv layer whose kernel
 * covers the whole pooled map: the conv mode pools the events itself, so the
 * weights stay one per pooled input instead of P^2 copies (LeNet-5's fc1:
 * 48,000 words instead of 192,000). wk as for expand_dense. */
static int pooled_dense_as_conv(lower_ctx *x, const float *wk, int n_out, int hp, int wp)
{
	snn_layer *l = &x->p.l;
	int C = x->p.src_c;
	l->kind = LAYER_CONV;
	l->kh = hp;
	l->kw = wp;
	l->stride = 1;
	l->pad_y = l->pad_x = 0;
	l->n_w = (int64_t)n_out * C * hp * wp;
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)n_out, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	float area = (float)(l->pool * l->pool);	/* average = sum / P^2 */
	int64_t k_in = (int64_t)C * hp * wp;
	for (int o = 0; o < n_out; o++)	/* conv layout [o][c][y][x] = [o][k] */
		for (int64_t k = 0; k < k_in; k++)
			l->w[o * k_in + k] = wk[k * n_out + o] / area;
	return 0;
}

/* Rows of wk in the order of the layer's (pooled) input map: the k-th
 * input of the operator is element perm[k] of that map, after a Transpose
 * such as the NCHW -> NHWC one tf2onnx writes in front of Keras's Flatten.
 * Moving the weights leaves the layer reading the map as it is. */
static int unpermute_rows(lower_ctx *x, float *wk, int64_t k_in, int n_out)
{
	float *moved = malloc((size_t)(k_in * n_out) * sizeof *moved);
	if (!moved)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < k_in; k++)
		memcpy(moved + x->p.perm[k] * n_out, wk + k * n_out, (size_t)n_out * sizeof *wk);
	memcpy(wk, moved, (size_t)(k_in * n_out) * sizeof *wk);
	free(moved);
	free(x->p.perm);
	x->p.perm = NULL;
	return 0;
}

/* Dense weights over the source space: transposes in front are folded into
 * the weight rows, pooling in front expanded into them (or run by a conv
 * layer). wk[k * n_out + o] is the operator's weight for its k-th (pooled,
 * permuted) input. */
static int expand_dense(lower_ctx *x, const ir_node *n, float *wk, int64_t k_in, int n_out)
{
	snn_layer *l = &x->p.l;
	int P = l->pool;
	int64_t src = (int64_t)x->p.src_c * x->p.src_h * x->p.src_w;
	int hp = x->p.src_h / P, wp = x->p.src_w / P;
	if ((int64_t)x->p.src_c * hp * wp != k_in)
		return lower_fail_node(x, n, "its input size does not match the previous layer's output", NULL);
	if (x->p.perm) {
		int rc = unpermute_rows(x, wk, k_in, n_out);
		if (rc)
			return rc;
	}
	l->out_c = n_out;
	l->out_h = l->out_w = 1;
	if (P > 1)
		return pooled_dense_as_conv(x, wk, n_out, hp, wp);
	l->n_w = src * n_out;
	l->w = malloc((size_t)l->n_w * sizeof *l->w);
	l->b = calloc((size_t)n_out, sizeof *l->b);
	if (!l->w || !l->b)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	memcpy(l->w, wk, (size_t)l->n_w * sizeof *l->w);
	return 0;
}

static int lower_gemm(lower_ctx *x, const ir_node *n)
{
	const ir_graph *g = x->g;
	int rc = lower_start_layer(x, n, LAYER_DENSE);
	if (rc)
		return rc;
	bool matmul = !strcmp(n->op_type, "MatMul");
	const ir_tensor *bt = &g->tensors[n->in[1]];
	const float *bw = const_input(x, n, 1), *c = matmul ? NULL : const_input(x, n, 2);
	if (!bw || bt->rank != 2)
		return lower_fail_node(x, n, "the weight must be a constant matrix", NULL);
	if (!matmul && ir_attr_int(n, "transA", 0))
		return lower_fail_node(x, n, "transA = 1 is not supported", NULL);
	bool trans_b = !matmul && ir_attr_int(n, "transB", 0);
	float alpha = matmul ? 1.0f : ir_attr_float(n, "alpha", 1.0f);
	float beta = matmul ? 1.0f : ir_attr_float(n, "beta", 1.0f);
	snprintf(x->p.l.weight_name, sizeof x->p.l.weight_name, "%s", bt->name);
	int64_t k_in = trans_b ? bt->dims[1] : bt->dims[0];
	int n_out = (int)(trans_b ? bt->dims[0] : bt->dims[1]);
	float *wk = malloc((size_t)(k_in * n_out) * sizeof *wk);
	if (!wk)
		return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
	for (int64_t k = 0; k < k_in; k++)
		for (int o = 0; o < n_out; o++)
			wk[k * n_out + o] = alpha * (trans_b ? bw[o * k_in + k] : bw[k * n_out + o]);
	rc = expand_dense(x, n, wk, k_in, n_out);
	free(wk);
	if (rc)
		return rc;
	if (c) {	/* C broadcasts from a scalar or a row */
		int64_t numel = ir_numel(&g->tensors[n->in[2]]);
		for (int o = 0; o < n_out; o++)
			x->p.l.b[o] = beta * c[numel == 1 ? 0 : o];
	}
	return 0;
}

/* Multiply output channel o's weights (not its bias) by s. */
static void scale_channel_weights(snn_layer *l, int o, float s)
{
	int64_t per = l->n_w / l->out_c;	/* weights per output channel */
	if (l->kind == LAYER_CONV)
		for (int64_t i = 0; i < per; i++)
			l->w[o * per + i] *= s;
	else
		for (int64_t a = 0; a < per; a++)
			l->w[a * l->out_c + o] *= s;
}

/* Add/Sub/Mul/Div with a constant after the linear operator: a bias or a
 * scale, per output channel (or a scalar). */
static int lower_affine(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	int k = x->g->tensors[n->in[0]].f ? 0 : 1;	/* the constant operand */
	const float *c = const_input(x, n, k);
	if (!c)
		return lower_fail_node(x, n, "both operands are computed; one must be a constant", NULL);
	int64_t numel = ir_numel(&x->g->tensors[n->in[k]]);
	if (numel != 1 && numel != l->out_c)
		return lower_fail_node(x, n, "the constant must be a scalar or one value per output channel", NULL);
	if (!strcmp(n->op_type, "Sub") && k == 0)
		return lower_fail_node(x, n, "constant minus a layer's output is not supported", NULL);
	if (!strcmp(n->op_type, "Div") && k == 0)
		return lower_fail_node(x, n, "dividing a constant by a layer's output is not supported", NULL);
	for (int o = 0; o < l->out_c; o++) {
		float v = c[numel == 1 ? 0 : o];
		if (!strcmp(n->op_type, "Add"))
			l->b[o] += v;
		else if (!strcmp(n->op_type, "Sub"))
			l->b[o] -= v;
		else {
			float s = !strcmp(n->op_type, "Mul") ? v : 1.0f / v;
			l->b[o] *= s;
			scale_channel_weights(l, o, s);
		}
	}
	return 0;
}

/* The constant operand k of n as one value per channel of the source, if
 * it is a scalar or broadcasts along the channel axis only ([C], [1, C] on
 * a dense source; [C, 1, 1], [1, C, 1, 1] on a map). */
static const float *per_channel(const lower_ctx *x, const ir_node *n, int k, bool *scalar)
{
	const ir_tensor *c = &x->g->tensors[n->in[k]], *t = &x->g->tensors[n->in[1 - k]];
	int64_t numel = ir_numel(c);
	*scalar = numel == 1;
	if (!c->f || *scalar)
		return c->f;
	if (numel != x->p.src_c || t->rank < 2 || t->dims[1] != x->p.src_c || c->rank > t->rank)
		return NULL;
	for (int d = 0; d < c->rank; d++)	/* right-aligned: all 1 but the channel axis */
		if (c->dims[d] != (c->rank - d == t->rank - 1 ? x->p.src_c : 1))
			return NULL;
	return c->f;
}

/* Add/Sub/Mul/Div of a constant, a scalar or one value per channel, in
 * front of the linear operator (Keras's Rescaling, x / 255 or x / 127.5 -
 * 1; a BatchNormalization after a ReLU, as Mul and Add): kept per channel
 * in in_mul and in_add, folded into the weights once the layer has them. */
static int lower_rescale(lower_ctx *x, const ir_node *n)
{
	pending *p = &x->p;
	int k = x->g->tensors[n->in[0]].f ? 0 : 1;	/* the constant operand */
	bool scalar;
	const float *c = per_channel(x, n, k, &scalar);
	if (!c || p->perm)
		return lower_fail_node(x, n, "element-wise arithmetic on spikes (not after a Conv, Gemm or MatMul) is "
				       "supported only with a constant scalar or one per channel, in front of a layer "
				       "(a rescaling, a BatchNormalization after the activation); fold it into the "
				       "next layer in the model", NULL);
	if (!p->in_mul && reads_input(p) && x->opt->input_scale != 1.0f && x->opt->verbose >= 0 &&
	    !x->opt->size_only)
		fprintf(stderr, "snnc: note: node %s (%s) rescales the network's input inside the model, and snnc "
				"feeds the model pixel * %g + %g (--input-scale, --input-offset): for a model that takes "
				"raw pixels 0..255, as Keras's Rescaling(1/255) does, pass --input-scale 1\n",
			n->name, n->op_type, x->opt->input_scale, x->opt->input_offset);
	if (!p->in_mul) {
		p->in_mul = malloc((size_t)x->p.src_c * sizeof *p->in_mul);
		p->in_add = calloc((size_t)x->p.src_c, sizeof *p->in_add);
		if (!p->in_mul || !p->in_add)
			return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
		for (int ch = 0; ch < x->p.src_c; ch++)
			p->in_mul[ch] = 1.0f;
	}
	const char *op = n->op_type;
	if (!strcmp(op, "Div") && k == 0)
		return lower_fail_node(x, n, "dividing a constant by spikes is not supported", NULL);
	for (int ch = 0; ch < x->p.src_c; ch++) {
		float v = c[scalar ? 0 : ch];
		if (!strcmp(op, "Add")) {
			p->in_add[ch] += v;
		} else if (!strcmp(op, "Sub") && k == 1) {
			p->in_add[ch] -= v;
		} else if (!strcmp(op, "Sub")) {	/* v - x */
			p->in_mul[ch] = -p->in_mul[ch];
			p->in_add[ch] = v - p->in_add[ch];
		} else {
			float f = !strcmp(op, "Mul") ? v : 1.0f / v;
			p->in_mul[ch] *= f;
			p->in_add[ch] *= f;
		}
	}
	return 0;
}

/* The input, rescaled, is re-read as a map of other channels (Keras's
 * Rescaling, then Reshape((28, 28, 1)) of a flat input): only a rescaling
 * the same for every old channel still applies per new channel. */
static int rechannel_rescale(lower_ctx *x, const ir_node *n, int old_c)
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

/* BatchNormalization after the linear operator, folded into it. */
static int lower_bn(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	if (!x->p.linear)
		return lower_fail_node(x, n, "BatchNormalization must follow a Conv, Gemm or MatMul to be folded "
				       "into it", NULL);
	const float *gamma = const_input(x, n, 1), *beta = const_input(x, n, 2);
	const float *mean = const_input(x, n, 3), *var = const_input(x, n, 4);
	if (!gamma || !beta || !mean || !var)
		return lower_fail_node(x, n, "scale, B, mean and var must be constants", NULL);
	float eps = ir_attr_float(n, "epsilon", 1e-5f);
	for (int o = 0; o < l->out_c; o++) {
		float s = gamma[o] / sqrtf(var[o] + eps);
		l->b[o] = (l->b[o] - mean[o]) * s + beta[o];
		scale_channel_weights(l, o, s);
	}
	return 0;
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

static int lower_activation(lower_ctx *x, const ir_node *n)
{
	snn_layer *l = &x->p.l;
	if (!x->p.linear)
		return lower_fail_node(x, n, "an activation must follow a Conv, Gemm or MatMul", NULL);
	const char *op = n->op_type;
	l->neuron = NEURON_IF;
	if (!strcmp(op, "Clip")) {
		const float *mx = const_input(x, n, 2);
		l->clip = mx ? *mx : ir_attr_float(n, "max", 0.0f);
	} else if (!strcmp(op, "IF") || !strcmp(op, "LIF") || !strcmp(op, "SoftLIFRate")) {
		/* ONNX-SNN carries its scales (docs/onnx-snn.md, "On the device"):
		 * a spike stands for amplitude, the threshold for v_th */
		bool lif = strcmp(op, "IF") != 0;
		const char *reset = ir_attr_string(n, "reset", "subtract");
		float v_th = ir_attr_float(n, "v_th", lif ? 1.0f : 0.0f), amp = ir_attr_float(n, "amplitude", 1.0f);
		l->reset = !strcmp(reset, "zero") ? SNN_RESET_ZERO : SNN_RESET_SUBTRACT;
		if (!(amp > 0) && (lif || v_th > 0))
			return lower_fail_node(x, n, "amplitude %s: a spike can only stand for a positive value; make "
					       "amplitude positive (a negative one belongs in the next layer's weights)",
					 amp == 0 ? "0" : "below 0");
		if (!lif) {
			l->gain = v_th > 0 ? amp / v_th : 1.0f;	/* v_th 0: a ReLU, to be scaled */
			l->lambda = v_th > 0 ? amp : 0.0f;
		} else {
			/* The device integrates x kappa / v_th thresholds a step
			 * and leaks v kappa (kappa = L / 256): it fires from x =
			 * v_th on, like the rate curve; a spike a step is 1 / dt
			 * Hz, amplitude / dt in the ANN. */
			l->neuron = NEURON_LIF;
			l->tau_rc = ir_attr_float(n, "tau_rc", 0.02f);
			l->tau_ref = ir_attr_float(n, "tau_ref", 0.002f);
			l->dt = ir_attr_float(n, "dt", 0.001f);
			l->v_th = v_th;
			l->amplitude = amp;
			double leak = snn_lif_leak(l);
			double kappa = leak > 0 ? leak / 256.0 : -expm1(-(double)l->dt / l->tau_rc);
			l->lambda = amp / l->dt;
			l->lambda_in = (float)(v_th / kappa);
			l->gain = l->lambda / l->lambda_in;
			l->fixed_scale = true;
			if (!(isfinite(l->lambda) && isfinite(l->lambda_in) && l->lambda_in > 0))
				return lower_fail_node(x, n, "tau_rc, dt, v_th and amplitude give no finite rate scale; "
						       "use dt well below tau_rc", NULL);
		}
	} else if (!strcmp(op, "Izhikevich")) {
		return lower_fail_node(x, n, "the LIF core array cannot run Izhikevich neurons; "
				       "use snn.LIF or snn.IF", NULL);
	}	/* other activations come here only with --approximate, already warned about */
	l->linear_tensor = n->in[0];
	l->act_tensor = n->out[0];
	return push_layer(x);
}

/* Why a shape-arithmetic operator that was not folded (it reads a layer's
 * output, not a shape or a constant) cannot run, and what to use. */
static const char *unfolded_why(const char *op)
{
	if (!strcmp(op, "Concat"))
		return "joining a layer's output with a constant is not supported: a spiking layer's output is "
		       "spikes, and snnc folds Concat only over shapes and constants; Concat layer outputs (along "
		       "channels) or fold the constant into the next layer's bias";
	if (!strcmp(op, "Gather"))
		return "picking elements of a layer's output has no spiking equivalent, and snnc folds Gather only "
		       "over shapes and constants; use Flatten or a Reshape to a constant shape";
	if (!strcmp(op, "Cast"))
		return "a Cast of a layer's output is not supported: the network runs in float; remove the Cast";
	return NULL;
}

static bool is_activation(const char *op)
{
	static const char *const acts[] = {"Relu", "Clip", "IF", "LIF", "SoftLIFRate", "Izhikevich",
		"Tanh", "Sigmoid", "LeakyRelu", "Elu", "Selu", "HardSigmoid", "Softplus", NULL};
	for (int i = 0; acts[i]; i++)
		if (!strcmp(op, acts[i]))
			return true;
	return false;
}

/* The source's shape from a 1-D, 2-D or 4-D tensor (batch first). A 4-D
 * tensor is NCHW, except [N, H, W, 1]: Keras's one-channel NHWC image,
 * whose bytes are the same as NCHW's (a map one pixel wide is no image). */
static int source_from_tensor(lower_ctx *x, const ir_tensor *t)
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

/* tf2onnx's NHWC -> NCHW Transpose on a Keras input of several channels,
 * rescaled or not: the core array reads maps channel-first, and no route
 * or kernel can swap axes, so the image takes the input C x H x W (as
 * tf2onnx's --inputs-as-nchw would export it) and the host transposes. */
static bool nhwc_input(const lower_ctx *x, const ir_node *n)
{
	const ir_tensor *in = &x->g->tensors[n->in[0]];
	const ir_attr *perm = ir_attr_find(n, "perm");
	return reads_input(&x->p) && !x->p.pool && !x->p.perm && in->rank == 4 && in->dims[3] > 1 && perm &&
	       perm->n == 4 && perm->ints[0] == 0 && perm->ints[1] == 3 && perm->ints[2] == 1 && perm->ints[3] == 2;
}

static int take_nhwc_input(lower_ctx *x, const ir_node *n)
{
	const ir_tensor *out = &x->g->tensors[n->out[0]];
	int old_c = x->p.src_c;
	x->p.src_c = (int)out->dims[1];
	x->p.src_h = (int)out->dims[2];
	x->p.src_w = (int)out->dims[3];
	x->p.src[0].nc = x->p.src_c;
	int rc = rechannel_rescale(x, n, old_c);
	x->net->in_c = x->p.src_c;
	x->net->in_h = x->p.src_h;
	x->net->in_w = x->p.src_w;
	x->net->input_nhwc = true;
	if (!rc && x->opt->verbose >= 0)
		fprintf(stderr, "snnc: note: %s: the input %s is NHWC (%d x %d x %d) and node %s makes it "
				"channel-first; the image takes the input as %d x %d x %d (channel, row, column), "
				"so give snnsim and snnhost samples in that order (--calib and eval take the "
				"model's own)\n", x->g->path, x->g->tensors[x->g->input].name, x->p.src_h, x->p.src_w,
			x->p.src_c, n->name, x->p.src_c, x->p.src_h, x->p.src_w);
	return rc;
}

static int step(lower_ctx *x, const ir_node *n)
{
	const char *op = n->op_type;
	const ir_graph *g = x->g;
	int rc = 0;
	if (!strcmp(op, "Identity") || !strcmp(op, "Dropout")) {
	} else if (!strcmp(op, "Flatten") || !strcmp(op, "Reshape") || !strcmp(op, "Squeeze") ||
		   !strcmp(op, "Unsqueeze")) {
		const ir_tensor *out = &g->tensors[n->out[0]];
		/* Reshaping the input (784 -> 1x28x28) re-reads the same pixels in
		 * another shape; elsewhere only flattening keeps the layout. */
		if (reads_input(&x->p) && !x->p.linear && !x->p.pool && !x->p.perm && out->rank == 4) {
			int old_c = x->p.src_c;
			rc = source_from_tensor(x, out);
			rc = rc ? rc : rechannel_rescale(x, n, old_c);
			x->net->in_c = x->p.src_c;
			x->net->in_h = x->p.src_h;
			x->net->in_w = x->p.src_w;
		} else if (out->rank > 2 && x->p.src_is_dense) {
			rc = lower_fail_node(x, n, "reshaping a fully connected layer's output into a map is not "
					     "supported", NULL);
		}
	} else if (!strcmp(op, "Transpose")) {
		rc = x->p.linear ? lower_fail_node(x, n, "a Transpose inside a layer is not supported", NULL)
		     : nhwc_input(x, n) ? take_nhwc_input(x, n) : apply_transpose(x, n);
	} else if (!strcmp(op, "AveragePool") || !strcmp(op, "GlobalAveragePool") || !strcmp(op, "MaxPool") ||
		   !strcmp(op, "GlobalMaxPool")) {
		const ir_tensor *in = &g->tensors[n->in[0]], *out = &g->tensors[n->out[0]];
		if (x->p.linear)
			return lower_fail_node(x, n, "pooling between a layer and its activation is not supported; "
					       "pool after the activation", NULL);
		if (x->p.pool)
			return lower_fail_node(x, n, "two pooling operators in a row are not supported", NULL);
		if (x->p.upsample)
			return lower_fail_node(x, n, "pooling an upsampled map is not supported", NULL);
		if (x->p.perm)
			return lower_fail_node(x, n, "pooling after a Transpose is not supported: pool the NCHW map "
					       "before changing its layout", NULL);
		int64_t P = in->dims[2] / out->dims[2];
		if (P < 1 || in->dims[3] / out->dims[3] != P || in->dims[2] != x->p.src_h || in->dims[3] != x->p.src_w)
			return lower_fail_node(x, n, "only square, non-overlapping pooling (kernel = stride) is supported",
					 NULL);
		if (strncmp(op, "Global", 6)) {
			const ir_attr *k = ir_attr_find(n, "kernel_shape"), *s = ir_attr_find(n, "strides");
			const ir_attr *pads = ir_attr_find(n, "pads");
			bool padded = false;
			for (size_t i = 0; pads && i < pads->n; i++)
				padded |= pads->ints[i] != 0;
			if (padded)
				return lower_fail_node(x, n, "padded pooling is not supported: spikes cannot average "
						       "over zero padding", NULL);
			if (!k || k->n != 2 || k->ints[0] != P || k->ints[1] != P ||
			    (s && s->n == 2 && (s->ints[0] != P || s->ints[1] != P)))
				return lower_fail_node(x, n, "only square, non-overlapping pooling (kernel = stride) is "
						       "supported", NULL);
		}
		x->p.pool = (int)P;
	} else if (!strcmp(op, "Pad")) {
		const float *pads = NULL;
		const ir_attr *pa = ir_attr_find(n, "pads");
		int64_t v[8] = {0};
		if (pa && pa->n == 8)
			memcpy(v, pa->ints, sizeof v);
		else if (n->n_in > 1 && n->in[1] >= 0 && g->tensors[n->in[1]].i && ir_numel(&g->tensors[n->in[1]]) == 8)
			memcpy(v, g->tensors[n->in[1]].i, sizeof v);
		else
			return lower_fail_node(x, n, "pads must be constant and 4-D", NULL);
		(void)pads;
		if (v[0] || v[1] || v[4] || v[5] || x->p.linear)
			return lower_fail_node(x, n, "only spatial zero padding in front of a Conv is supported", NULL);
		x->p.pad[0] += (int)v[2];
		x->p.pad[1] += (int)v[3];
		x->p.pad[2] += (int)v[6];
		x->p.pad[3] += (int)v[7];
	} else if (!strcmp(op, "Resize") || !strcmp(op, "Upsample")) {
		rc = lower_upsample(x, n);
	} else if (!strcmp(op, "ConvTranspose") || (!strcmp(op, "Conv") && x->p.upsample)) {
		rc = !strcmp(op, "Conv") ? lower_upsampled_conv(x, n) : lower_conv_transpose(x, n);
		if (!rc)
			lower_fold_rescale(x);
		rc = rc ? rc : lower_check_finite(x, n);
	} else if (!strcmp(op, "Conv")) {
		rc = lower_conv(x, n);
		if (!rc)
			lower_fold_rescale(x);
		rc = rc ? rc : lower_check_finite(x, n);
	} else if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul")) {
		if (x->p.upsample)
			return lower_fail_node(x, n, "a fully connected layer over an upsampled map is not supported; "
					       "fold the upsampling into its weights in the model", NULL);
		rc = lower_gemm(x, n);
		if (!rc)
			lower_fold_rescale(x);
		rc = rc ? rc : lower_check_finite(x, n);
	} else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Div")) {
		rc = x->p.linear ? lower_affine(x, n) : lower_rescale(x, n);
		rc = rc ? rc : lower_check_finite(x, n);
	} else if (!strcmp(op, "BatchNormalization")) {
		rc = lower_bn(x, n);
		rc = rc ? rc : lower_check_finite(x, n);
	} else if (is_activation(op)) {
		rc = lower_activation(x, n);
	} else if (!strcmp(op, "Softmax") || !strcmp(op, "LogSoftmax")) {
		int count;
		if (consumer(x, n->out[0], &count))
			return lower_fail_node(x, n, "Softmax is only supported at the output, where the argmax "
					       "readout makes it unnecessary", NULL);
	} else if (unfolded_why(op)) {
		rc = lower_fail_node(x, n, "%s", unfolded_why(op));
	} else {
		rc = lower_fail_node(x, n, "not supported in a spiking network (see snnc --list-ops)", NULL);
	}
	return rc;
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
	int rc = at ? source_from_tensor(&x, in) : snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
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
