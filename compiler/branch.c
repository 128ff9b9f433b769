/* Where paths meet: a residual Add (or Sub) of two paths becomes one layer
 * whose input is the two paths' sources side by side along channels and
 * whose kernel is the two kernels stacked along input channels (a path
 * with no layer of its own, an identity shortcut, gets an identity
 * kernel); a Concat along channels joins the sources without a sum. The
 * source cores then route into the layer's cores with channel offsets
 * (docs/snnc.md, "Branches"): no new device semantics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

static int nomem(lower_ctx *x)
{
	return snn_fail(x->diag, SNN_ERR_NOMEM, "out of memory");
}

/* Append b's sources to a's, b's channels after a's in_c channels. */
static int append_sources(lower_ctx *x, const ir_node *n, snn_source *a, int *n_a, int a_c,
			  const snn_source *b, int n_b)
{
	if (*n_a + n_b > SNN_MAX_SOURCES)
		return lower_fail_node(x, n, "it joins more than %s layer outputs into one layer; join fewer "
					     "paths at a time", "8");
	for (int k = 0; k < n_b; k++) {
		a[*n_a] = b[k];
		a[(*n_a)++].c0 += a_c;
	}
	return 0;
}

/* A path with no layer of its own since its last activation (an identity
 * shortcut) as a layer that passes it on: a 1x1 identity kernel over a
 * map (pooling in front kept, as an AvgPool shortcut), an identity matrix
 * over a flat vector. Arithmetic in front (a BatchNormalization after the
 * activation) is folded in like any layer's. With two parts, the source is
 * a path's positive and negative parts side by side (materialise): the
 * layer passes their difference. */
static int as_identity(lower_ctx *x, const ir_node *n, pending *p, bool flat, int parts)
{
	if (p->perm || p->pad[0] || p->pad[1] || p->pad[2] || p->pad[3])
		return lower_fail_node(x, n, "a path of the sum is transposed or padded after its last activation; "
					     "add the paths before a Transpose or Pad%s", "");
	if (!flat && p->src_is_dense)
		return lower_fail_node(x, n, "it adds a fully connected layer's output to a map; flatten the map "
					     "and add two vectors%s", "");
	if (flat && p->pool > 1)
		return lower_fail_node(x, n, "a pooled map added as a flat vector is not supported; add the maps "
					     "before flattening them%s", "");
	x->p = *p;
	memset(p, 0, sizeof *p);
	int rc = lower_start_layer(x, n, flat ? LAYER_DENSE : LAYER_CONV);
	if (rc)
		return rc;
	snn_layer *l = &x->p.l;
	int P = l->pool;
	snprintf(l->weight_name, sizeof l->weight_name, "an identity shortcut");
	int64_t A = flat ? snn_layer_inputs(l) : l->in_c;	/* per part: the output's size */
	A /= parts;
	l->out_c = (int)A;
	if (flat) {
		l->out_h = l->out_w = 1;
	} else {
		l->out_h = l->in_h / P;
		l->out_w = l->in_w / P;
		l->kh = l->kw = l->stride = 1;
	}
	l->n_w = A * A * parts;
	l->w = calloc((size_t)l->n_w, sizeof *l->w);
	l->b = calloc((size_t)l->out_c, sizeof *l->b);
	if (!l->w || !l->b)
		return nomem(x);
	for (int part = 0; part < parts; part++)	/* conv [o][c], dense [a][o]: c = a = part A + o */
		for (int64_t o = 0; o < A; o++)
			l->w[flat ? (part * A + o) * A + o : o * A * parts + part * A + o] =
				(part ? -1.0f : 1.0f) / (float)(P * P);
	lower_fold_rescale(x);
	*p = x->p;
	memset(&x->p, 0, sizeof x->p);
	return 0;
}

/* Can the two layers' kernels be stacked over one input space? */
static bool stackable(const snn_layer *a, const snn_layer *b)
{
	return a->kind == b->kind && a->in_h == b->in_h && a->in_w == b->in_w &&
	       (a->kind == LAYER_DENSE || (a->pool == b->pool && a->stride == b->stride));
}

/* A path whose last layer reads a map of another size than the other
 * path's (a ResNet block's strided 1x1 projection beside its second 3x3
 * conv), or with another stride or pooling, cannot share the sum's input
 * space. It runs as layers of its own at the sum's resolution instead: its
 * positive part relu(p) and, when it can be negative, its negative part
 * relu(-p) = relu(-w x - b), spiking neurons like any layer's; the sum adds
 * p = relu(p) - relu(-p) through an identity kernel. k: the Add's input. */
static int materialise(lower_ctx *x, const ir_node *n, pending *p, int k, bool flat)
{
	const snn_layer *l = &p->l;
	bool negative = false;
	for (int64_t i = 0; i < l->n_w; i++)
		negative |= l->w[i] < 0;
	for (int o = 0; o < l->out_c; o++)
		negative |= l->b[o] < 0;
	int parts = negative ? 2 : 1;
	pending flow = {.src_c = l->out_c * parts, .src_h = l->out_h, .src_w = l->out_w,
			.src_is_dense = l->kind == LAYER_DENSE, .n_src = parts};
	for (int part = 0; part < parts; part++) {
		snn_layer q = *l;
		q.w = malloc((size_t)l->n_w * sizeof *q.w);
		q.b = malloc((size_t)l->out_c * sizeof *q.b);
		if (!q.w || !q.b) {
			free(q.w);
			free(q.b);
			return nomem(x);
		}
		float s = part ? -1.0f : 1.0f;
		for (int64_t i = 0; i < l->n_w; i++)
			q.w[i] = s * l->w[i];
		for (int o = 0; o < l->out_c; o++)
			q.b[o] = s * l->b[o];
		snprintf(q.name, sizeof q.name, "%.70s (%s part)", l->name, part ? "negative" : "positive");
		q.neuron = NEURON_IF;
		q.act_tensor = -1;
		q.linear_tensor = n->in[k];
		q.negated = part == 1;
		int rc = lower_append(x, &q);
		if (rc) {
			free(q.w);
			free(q.b);
			return rc;
		}
		flow.src[part] = (snn_source){.layer = x->net->n_layers - 1, .c0 = part * l->out_c, .nc = l->out_c};
	}
	pending_free(p);
	*p = flow;
	return as_identity(x, n, p, flat, parts);
}

/* One conv kernel of a (its taps moved down and right by dy, dx) into the
 * stacked kernel w of C input channels, at input channel c0, times s. */
static void place_kernel(float *w, int C, int kh, int kw, const snn_layer *a, int c0, int dy, int dx, float s)
{
	for (int o = 0; o < a->out_c; o++)
		for (int c = 0; c < a->in_c; c++)
			for (int y = 0; y < a->kh; y++)
				for (int xx = 0; xx < a->kw; xx++)
					w[(((int64_t)o * C + c0 + c) * kh + y + dy) * kw + xx + dx] =
						s * a->w[(((int64_t)o * a->in_c + c) * a->kh + y) * a->kw + xx];
}

/* a := a + s b, one layer over both paths' sources. */
static int stack(lower_ctx *x, const ir_node *n, snn_layer *a, const snn_layer *b, float s)
{
	int C = a->in_c + b->in_c;
	float *w;
	int64_t n_w;
	if (a->kind == LAYER_DENSE) {
		/* rows are [c][y][x] of the input space: b's channels follow a's */
		n_w = a->n_w + b->n_w;
		if (!(w = malloc((size_t)n_w * sizeof *w)))
			return nomem(x);
		memcpy(w, a->w, (size_t)a->n_w * sizeof *w);
		for (int64_t i = 0; i < b->n_w; i++)
			w[a->n_w + i] = s * b->w[i];
	} else {
		/* the kernels aligned on their padding: the larger of each side */
		int top = a->pad_y > b->pad_y ? a->pad_y : b->pad_y, left = a->pad_x > b->pad_x ? a->pad_x : b->pad_x;
		int below_a = a->kh - 1 - a->pad_y, below_b = b->kh - 1 - b->pad_y;
		int right_a = a->kw - 1 - a->pad_x, right_b = b->kw - 1 - b->pad_x;
		int kh = top + (below_a > below_b ? below_a : below_b) + 1;
		int kw = left + (right_a > right_b ? right_a : right_b) + 1;
		n_w = (int64_t)a->out_c * C * kh * kw;
		if (!(w = calloc((size_t)n_w, sizeof *w)))
			return nomem(x);
		place_kernel(w, C, kh, kw, a, 0, top - a->pad_y, left - a->pad_x, 1.0f);
		place_kernel(w, C, kh, kw, b, a->in_c, top - b->pad_y, left - b->pad_x, s);
		a->kh = kh;
		a->kw = kw;
		a->pad_y = top;
		a->pad_x = left;
	}
	free(a->w);
	a->w = w;
	a->n_w = n_w;
	for (int o = 0; o < a->out_c; o++)
		a->b[o] += s * b->b[o];
	int rc = append_sources(x, n, a->src, &a->n_src, a->in_c, b->src, b->n_src);
	a->in_c = C;
	snprintf(a->name, sizeof a->name, "%s", n->name);
	char names[2 * sizeof a->weight_name + 8];
	snprintf(names, sizeof names, "%s and %s", a->weight_name, b->weight_name);
	snprintf(a->weight_name, sizeof a->weight_name, "%.95s", names);
	return rc;
}

/* Add(p, q) or Sub(p, q) of two paths, before their common activation. */
int lower_join_sum(lower_ctx *x, const ir_node *n, pending *ins, int n_ins, float sign)
{
	if (n_ins != 2)
		return lower_fail_node(x, n, "%s", "a sum of more than two paths is not supported; add two at a time");
	bool flat = x->g->tensors[n->out[0]].rank <= 2;
	for (int k = 0; k < 2; k++) {
		int rc = ins[k].linear ? 0 : as_identity(x, n, &ins[k], flat, 1);
		if (rc)
			return rc;
	}
	const snn_layer *a = &ins[0].l, *b = &ins[1].l;
	if (a->out_c != b->out_c || a->out_h != b->out_h || a->out_w != b->out_w)
		return lower_fail_node(x, n, "%s", "its two paths give outputs of different shapes");
	/* the cheaper path first, then if need be the other */
	for (int pass = 0; pass < 2 && !stackable(&ins[0].l, &ins[1].l); pass++) {
		int k = (ins[1].l.n_w <= ins[0].l.n_w) == (pass == 0) ? 1 : 0;
		int rc = materialise(x, n, &ins[k], k, flat);
		if (rc)
			return rc;
	}
	int rc = stack(x, n, &ins[0].l, &ins[1].l, sign);
	if (rc)
		return rc;
	x->p = ins[0];
	memset(&ins[0], 0, sizeof ins[0]);
	return lower_check_finite(x, n);
}

/* Concat along channels of activations: their sources side by side. */
int lower_join_concat(lower_ctx *x, const ir_node *n, pending *ins, int n_ins)
{
	const ir_tensor *out = &x->g->tensors[n->out[0]];
	int64_t axis = ir_attr_int(n, "axis", 1);
	if (axis < 0)
		axis += out->rank;
	if (axis != 1 || (out->rank != 4 && out->rank != 2))
		return lower_fail_node(x, n, "%s", "joining layer outputs along an axis other than the channels "
						   "(axis 1 of NCHW, or of a flat vector) is not supported; concatenate "
						   "along channels");
	pending *p = &x->p;
	memset(p, 0, sizeof *p);
	for (int k = 0; k < n_ins; k++) {
		const pending *q = &ins[k];
		if (q->linear)
			return lower_fail_node(x, n, "%s", "a path of the Concat has no activation after its last Conv, "
							   "Gemm or MatMul; put each path's activation before the Concat");
		if (pending_has_prefix(q))
			return lower_fail_node(x, n, "%s", "a path of the Concat is pooled, padded, transposed or scaled "
							   "after its activation; move that after the Concat");
		if (k && (q->src_h != p->src_h || q->src_w != p->src_w || q->src_is_dense != p->src_is_dense))
			return lower_fail_node(x, n, "%s", "its inputs are maps of different sizes (or maps and "
							   "vectors), which one core's input space cannot hold side by "
							   "side; concatenate maps of one size");
		int rc = append_sources(x, n, p->src, &p->n_src, p->src_c, q->src, q->n_src);
		if (rc)
			return rc;
		p->src_c += q->src_c;
		p->src_h = q->src_h;
		p->src_w = q->src_w;
		p->src_is_dense = q->src_is_dense;
	}
	return 0;
}

int lower_join(lower_ctx *x, const ir_node *n, pending *ins, int n_ins)
{
	int rc = n->op && n->op->join ? n->op->join(x, n, ins, n_ins)
		 : lower_fail_node(x, n, "%s", "this operator cannot join two paths; join them with Add (a "
						 "residual sum) or Concat (along channels)");
	for (int k = 0; k < n_ins; k++)
		pending_free(&ins[k]);
	return rc;
}
