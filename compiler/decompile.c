/* snnc decompile (docs/snnc.md): a configuration image as a quantised
 * ONNX-SNN model (docs/onnx-snn.md, "Quantised ONNX-SNN"). The cores of
 * one PHASE are one layer; each becomes [AveragePool] Conv or [Flatten]
 * Gemm with the integer weight words as float weights, then an snn.IF or
 * snn.LIF node whose integer attributes are the core registers. What the
 * image knows besides (target, steps, readout, input scale, META text) goes
 * into metadata_props, so compiling the model gives the image back byte for
 * byte. The model is built with the protobuf-c code generated from
 * onnx.proto and packed by it. */
#include "decompile.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx.pb-c.h"
#include "snn/file.h"
#include "snn/image.h"

#define SNN_DOMAIN "snn"
#define ONNX_OPSET 13
#define ONNX_IR_VERSION 7
#define KEY_QUANTISED "snn.quantised"
#define KEY_TARGET "snn.target"
#define KEY_WBITS "snn.weight_bits"
#define KEY_STEPS "snn.steps"
#define KEY_READOUT "snn.readout"
#define KEY_ENCODING "snn.encoding"
#define KEY_ISCALE "snn.input_scale"
#define KEY_IOFFSET "snn.input_offset"
#define KEY_META "snn.image_meta"

/* ---- one layer as the image holds it ---- */

typedef snnc_image_layer dlayer;

static int bad(snn_diag *d, const char *path, const char *fmt, int core, const char *what)
{
	char msg[300];
	snprintf(msg, sizeof msg, fmt, core, what);
	return snn_fail(d, SNN_ERR_FORMAT, "%s: %s; snnc decompile takes the images snnc compiles", path, msg);
}

/* The real (unpadded) neuron count of dense core k: from its routes to the
 * next layer, or for the last layer from the output map. */
static int64_t dense_neurons(const snn_image *img, int k, bool last)
{
	const snn_core_cfg *c = &img->cfg.core[k];
	if (!last)
		return c->reg[SNN_R_ROUTE_COUNT] ? (int64_t)c->route[0].src_hi : -1;
	int64_t n = 0;
	for (uint32_t i = 0; i < img->io.n_outputs; i++)
		n += img->io.outputs[i].core == k;
	return n;
}

/* The layers' shapes and parameters from the cores. */
static int read_layer(const snn_image *img, const char *path, dlayer *L, bool last, snn_diag *d)
{
	const snn_config *cfg = &img->cfg;
	const uint32_t *r = cfg->core[L->first].reg;
	static const int same[] = {SNN_R_MODE, SNN_R_THRESHOLD, SNN_R_LEAK, SNN_R_RESET, SNN_R_REFRACTORY,
				   SNN_R_V_INIT, SNN_R_FLAGS, SNN_R_IN_C, SNN_R_IN_H, SNN_R_IN_W, SNN_R_POOL,
				   SNN_R_KH, SNN_R_KW, SNN_R_STRIDE, SNN_R_PAD_Y, SNN_R_PAD_X, SNN_R_OUT_W};
	static const char *const names[] = {"MODE", "THRESHOLD", "LEAK", "RESET", "REFRACTORY", "V_INIT", "FLAGS",
					    "IN_C", "IN_H", "IN_W", "POOL", "KH", "KW", "STRIDE", "PAD_Y", "PAD_X",
					    "OUT_W"};
	L->reg = r;
	for (int k = L->first + 1; k < L->first + L->n_cores; k++)
		for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
			if (cfg->core[k].reg[same[i]] != r[same[i]])
				return bad(d, path, "core %d: register %s differs from the first core of its phase (one "
					   "layer's cores share it)", k, names[i]);
	L->deconv = r[SNN_R_MODE] == SNN_MODE_DECONV;
	L->conv = snn_mode_is_map(r[SNN_R_MODE]);
	if (r[SNN_R_MODE] != SNN_MODE_DENSE && !L->conv)
		return bad(d, path, "core %d: MODE %s", L->first, "is off");
	L->in_c = (int)r[SNN_R_IN_C];
	L->in_h = (int)r[SNN_R_IN_H];
	L->in_w = (int)r[SNN_R_IN_W];
	if (!L->conv) {
		int64_t A = (int64_t)L->in_c * L->in_h * L->in_w;
		if (r[SNN_R_N_AXONS] != A)
			return bad(d, path, "core %d: N_AXONS %s", L->first, "is not IN_C x IN_H x IN_W");
		L->out_h = L->out_w = 1;
		for (int k = L->first; k < L->first + L->n_cores; k++) {
			int64_t n = dense_neurons(img, k, last);
			const uint32_t *q = cfg->core[k].reg;
			if (n <= 0 || n > q[SNN_R_N_NEURONS])
				return bad(d, path, "core %d: %s", k, "its neuron count cannot be told from its routes");
			if (q[SNN_R_SYN_COUNT] != A * q[SNN_R_N_NEURONS])
				return bad(d, path, "core %d: SYN_COUNT %s", k, "is not N_AXONS x N_NEURONS");
			L->out_c += (int)n;
		}
		L->n_w = A * L->out_c;
		L->w = malloc((size_t)L->n_w * sizeof *L->w);
		L->b = malloc((size_t)L->out_c * sizeof *L->b);
		if (!L->w || !L->b)
			return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
		int64_t n0 = 0;
		for (int k = L->first; k < L->first + L->n_cores; k++) {
			const snn_core_cfg *c = &cfg->core[k];
			int64_t n = dense_neurons(img, k, last), nn = c->reg[SNN_R_N_NEURONS];
			for (int64_t a = 0; a < A; a++)
				for (int64_t j = 0; j < n; j++)
					L->w[a * L->out_c + n0 + j] = c->syn[a * nn + j];
			for (int64_t j = 0; j < n; j++)
				L->b[n0 + j] = (float)c->bias[j];
			n0 += n;
		}
		L->pool = 1;
		return 0;
	}
	L->pool = (int)r[SNN_R_POOL];
	L->kh = (int)r[SNN_R_KH];
	L->kw = (int)r[SNN_R_KW];
	L->stride = (int)r[SNN_R_STRIDE];
	L->pad_y = (int)r[SNN_R_PAD_Y];
	L->pad_x = (int)r[SNN_R_PAD_X];
	L->out_w = (int)r[SNN_R_OUT_W];
	if (L->pool < 1 || L->stride < 1 || L->kh < 1 || L->kw < 1)
		return bad(d, path, "core %d: %s", L->first, "POOL, STRIDE, KH and KW must be at least 1");
	int64_t tiled = 0;	/* channel rows the cores compute */
	for (int k = L->first; k < L->first + L->n_cores; k++) {
		const uint32_t *q = cfg->core[k].reg;
		if ((int)(q[SNN_R_OUT_C0] + q[SNN_R_OUT_NC]) > L->out_c)
			L->out_c = (int)(q[SNN_R_OUT_C0] + q[SNN_R_OUT_NC]);
		if ((int)(q[SNN_R_OUT_Y0] + q[SNN_R_OUT_H]) > L->out_h)
			L->out_h = (int)(q[SNN_R_OUT_Y0] + q[SNN_R_OUT_H]);
		tiled += (int64_t)q[SNN_R_OUT_NC] * q[SNN_R_OUT_H];
	}
	if (tiled != (int64_t)L->out_c * L->out_h)	/* before allocating for out_c channels */
		return bad(d, path, "core %d: %s", L->first, "the cores' tiles do not cover the layer's output once");
	int64_t per = (int64_t)L->in_c * L->kh * L->kw;
	L->n_w = per * L->out_c;
	L->w = calloc((size_t)L->n_w, sizeof *L->w);
	L->b = calloc((size_t)L->out_c, sizeof *L->b);
	bool *have = calloc((size_t)L->out_c, sizeof *have);	/* channel's bias known */
	if (!L->w || !L->b || !have) {
		free(have);
		return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
	}
	/* AveragePool divides by P^2, which the compiler folds back: the weights
	 * in the model are the words times P^2. */
	float area = (float)(L->pool * L->pool);
	int rc = 0;
	for (int k = L->first; k < L->first + L->n_cores && !rc; k++) {
		const snn_core_cfg *c = &cfg->core[k];
		int c0 = (int)c->reg[SNN_R_OUT_C0], nc = (int)c->reg[SNN_R_OUT_NC], h = (int)c->reg[SNN_R_OUT_H];
		if (c->reg[SNN_R_SYN_COUNT] != nc * per) {
			rc = bad(d, path, "core %d: SYN_COUNT %s", k, "is not OUT_NC x IN_C x KH x KW");
			break;
		}
		if (c->reg[SNN_R_OUT_X0] != 0) {	/* snnc tiles by rows, never by columns */
			rc = bad(d, path, "core %d: OUT_X0 %s", k, "is not 0");
			break;
		}
		if (c->reg[SNN_R_N_NEURONS] != (int64_t)nc * h * L->out_w) {
			rc = bad(d, path, "core %d: N_NEURONS %s", k, "is not OUT_NC x OUT_H x OUT_W");
			break;
		}
		for (int64_t i = 0; i < nc * per; i++)
			L->w[c0 * per + i] = c->syn[i] * area;
		for (int ch = 0; ch < nc && !rc; ch++)
			for (int64_t j = 0; j < (int64_t)h * L->out_w; j++) {
				float v = (float)c->bias[ch * h * L->out_w + j];
				if (have[c0 + ch] && L->b[c0 + ch] != v) {
					rc = bad(d, path, "core %d: %s", k,
						 "a channel's biases differ between positions (a Conv has one per channel)");
					break;
				}
				L->b[c0 + ch] = v;
				have[c0 + ch] = true;
			}
	}
	free(have);
	return rc;
}

/* ---- ONNX building: every allocation is checked once, at the end ---- */

typedef struct builder {
	Onnx__ModelProto *m;
	Onnx__GraphProto *g;
	bool oom;
} builder;

static void *bmalloc(builder *b, size_t n)
{
	void *p = calloc(1, n ? n : 1);
	b->oom |= !p;
	return p;
}

static char *bstr(builder *b, const char *s)
{
	char *d = bmalloc(b, strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

/* Append p to the array *arr of *n pointers. */
static void bpush(builder *b, void ***arr, size_t *n, void *p)
{
	if (!p) {
		b->oom = true;
		return;
	}
	void **q = realloc(*arr, (*n + 1) * sizeof *q);
	if (!q) {
		b->oom = true;
		free(p);	/* an empty message or string: nothing below it */
		return;
	}
	q[(*n)++] = p;
	*arr = q;
}

static Onnx__AttributeProto *attr(builder *b, const char *name, Onnx__AttributeProto__AttributeType t)
{
	Onnx__AttributeProto *a = bmalloc(b, sizeof *a);
	if (!a)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = bstr(b, name);
	a->has_type = 1;
	a->type = t;
	return a;
}

static void attr_int(builder *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	if (a) {
		a->has_i = 1;
		a->i = v;
	}
	bpush(b, (void ***)&n->attribute, &n->n_attribute, a);
}

static void attr_float(builder *b, Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
	if (a) {
		a->has_f = 1;
		a->f = v;
	}
	bpush(b, (void ***)&n->attribute, &n->n_attribute, a);
}

static void attr_string(builder *b, Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
	if (a) {
		a->has_s = 1;
		a->s.data = (uint8_t *)bstr(b, v);
		a->s.len = strlen(v);
	}
	bpush(b, (void ***)&n->attribute, &n->n_attribute, a);
}

static void attr_ints(builder *b, Onnx__NodeProto *n, const char *name, const int64_t *v, size_t k)
{
	Onnx__AttributeProto *a = attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	if (a && (a->ints = bmalloc(b, k * sizeof *a->ints))) {
		memcpy(a->ints, v, k * sizeof *v);
		a->n_ints = k;
	}
	bpush(b, (void ***)&n->attribute, &n->n_attribute, a);
}

/* A node with inputs ins (NULL-terminated) and one output. */
static Onnx__NodeProto *node(builder *b, const char *name, const char *domain, const char *op,
			     const char *const *ins, const char *out)
{
	Onnx__NodeProto *n = bmalloc(b, sizeof *n);
	if (!n)
		return NULL;
	onnx__node_proto__init(n);
	n->name = bstr(b, name);
	n->op_type = bstr(b, op);
	if (domain)
		n->domain = bstr(b, domain);
	for (size_t i = 0; ins[i]; i++)
		bpush(b, (void ***)&n->input, &n->n_input, bstr(b, ins[i]));
	bpush(b, (void ***)&n->output, &n->n_output, bstr(b, out));
	bpush(b, (void ***)&b->g->node, &b->g->n_node, n);
	return n;
}

static void initializer(builder *b, const char *name, const int64_t *dims, size_t rank, const float *v,
			int64_t count)
{
	Onnx__TensorProto *t = bmalloc(b, sizeof *t);
	if (t) {
		onnx__tensor_proto__init(t);
		t->name = bstr(b, name);
		t->has_data_type = 1;
		t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
		if ((t->dims = bmalloc(b, rank * sizeof *t->dims))) {
			memcpy(t->dims, dims, rank * sizeof *dims);
			t->n_dims = rank;
		}
		if ((t->float_data = bmalloc(b, (size_t)count * sizeof *t->float_data))) {
			memcpy(t->float_data, v, (size_t)count * sizeof *v);
			t->n_float_data = (size_t)count;
		}
	}
	bpush(b, (void ***)&b->g->initializer, &b->g->n_initializer, t);
}

static Onnx__ValueInfoProto *value_info(builder *b, const char *name, const int64_t *dims, size_t rank)
{
	Onnx__ValueInfoProto *v = bmalloc(b, sizeof *v);
	Onnx__TypeProto *t = bmalloc(b, sizeof *t);
	Onnx__TypeProto__Tensor *tt = bmalloc(b, sizeof *tt);
	Onnx__TensorShapeProto *s = bmalloc(b, sizeof *s);
	if (!v || !t || !tt || !s) {
		free(v);
		free(t);
		free(tt);
		free(s);
		return NULL;
	}
	onnx__value_info_proto__init(v);
	onnx__type_proto__init(t);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(s);
	v->name = bstr(b, name);
	v->type = t;
	t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	t->tensor_type = tt;
	tt->has_elem_type = 1;
	tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tt->shape = s;
	for (size_t i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = bmalloc(b, sizeof *d);
		if (d) {
			onnx__tensor_shape_proto__dimension__init(d);
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			d->dim_value = dims[i];
		}
		bpush(b, (void ***)&s->dim, &s->n_dim, d);
	}
	return v;
}

static void metadata(builder *b, const char *key, const char *value)
{
	Onnx__StringStringEntryProto *e = bmalloc(b, sizeof *e);
	if (e) {
		onnx__string_string_entry_proto__init(e);
		e->key = bstr(b, key);
		e->value = bstr(b, value);
	}
	bpush(b, (void ***)&b->m->metadata_props, &b->m->n_metadata_props, e);
}

static void opset(builder *b, const char *domain, int64_t version)
{
	Onnx__OperatorSetIdProto *o = bmalloc(b, sizeof *o);
	if (o) {
		onnx__operator_set_id_proto__init(o);
		o->domain = bstr(b, domain);
		o->has_version = 1;
		o->version = version;
	}
	bpush(b, (void ***)&b->m->opset_import, &b->m->n_opset_import, o);
}

/* The neuron node of layer i: IF, or LIF when the core leaks or has a
 * refractory period; v_th carries the threshold for readers and eval, the
 * integer attributes carry the registers exactly. */
static void neuron_node(builder *b, const dlayer *L, int i, const char *in, const char *out)
{
	const uint32_t *r = L->reg;
	bool lif = r[SNN_R_LEAK] || r[SNN_R_REFRACTORY];
	char name[48];
	snprintf(name, sizeof name, "neuron%d", i);
	Onnx__NodeProto *n = node(b, name, SNN_DOMAIN, lif ? "LIF" : "IF", (const char *const[]){in, NULL}, out);
	if (!n)
		return;
	attr_float(b, n, "v_th", (float)(int32_t)r[SNN_R_THRESHOLD]);
	attr_float(b, n, "amplitude", 1.0f);
	attr_string(b, n, "reset", r[SNN_R_RESET] == SNN_RESET_ZERO ? "zero" : "subtract");
	if (lif) {
		const float dt = 0.001f;
		/* L = round(256 (1 - exp(-dt / tau_rc))) and R = round(tau_ref / dt)
		 * solved for tau_rc and tau_ref; no leak is a tau_rc of 1e9 s. */
		double leak = r[SNN_R_LEAK];
		attr_float(b, n, "tau_rc", leak > 0 ? (float)(-dt / log(1.0 - leak / 256.0)) : 1e9f);
		attr_float(b, n, "tau_ref", (float)r[SNN_R_REFRACTORY] * dt);
		attr_float(b, n, "dt", dt);
	}
	attr_int(b, n, "threshold", (int32_t)r[SNN_R_THRESHOLD]);
	attr_int(b, n, "v_init", (int32_t)r[SNN_R_V_INIT]);
	attr_int(b, n, "leak", r[SNN_R_LEAK]);
	attr_int(b, n, "refractory", r[SNN_R_REFRACTORY]);
	attr_int(b, n, "spiking", (r[SNN_R_FLAGS] & SNN_F_SPIKING) != 0);
}

/* A deconv layer as a ConvTranspose node reading cur into next (named
 * layerI.linear): its weight back in ONNX's [in][out][kh][kw], and the
 * bottom and right pads (or output_padding) that give the image's output
 * size, (in - 1) S + K - pad_lo - pad_hi + output_padding. */
static void deconv_node(builder *b, const dlayer *L, int i, const char *cur, const char *wname,
			const char *bname, char *next)
{
	char name[48];
	int64_t taps = (int64_t)L->kh * L->kw;
	float *wt = malloc((size_t)L->n_w * sizeof *wt);
	if (!wt) {
		b->oom = true;
		return;
	}
	for (int o = 0; o < L->out_c; o++)
		for (int c = 0; c < L->in_c; c++)
			memcpy(wt + ((int64_t)c * L->out_c + o) * taps, L->w + ((int64_t)o * L->in_c + c) * taps,
			       (size_t)taps * sizeof *wt);
	int64_t wd[4] = {L->in_c, L->out_c, L->kh, L->kw}, bd[1] = {L->out_c};
	initializer(b, wname, wd, 4, wt, L->n_w);
	free(wt);
	initializer(b, bname, bd, 1, L->b, L->out_c);
	int pb = (L->in_h - 1) * L->stride + L->kh - L->pad_y - L->out_h;
	int pr = (L->in_w - 1) * L->stride + L->kw - L->pad_x - L->out_w;
	int64_t pads[4] = {L->pad_y, L->pad_x, pb > 0 ? pb : 0, pr > 0 ? pr : 0};
	int64_t ks[2] = {L->kh, L->kw}, st[2] = {L->stride, L->stride}, op[2] = {pb < 0 ? -pb : 0, pr < 0 ? -pr : 0};
	snprintf(name, sizeof name, "deconv%d", i);
	snprintf(next, 80, "layer%d.linear", i);
	Onnx__NodeProto *n = node(b, name, NULL, "ConvTranspose", (const char *const[]){cur, wname, bname, NULL}, next);
	if (n) {
		attr_ints(b, n, "kernel_shape", ks, 2);
		attr_ints(b, n, "strides", st, 2);
		attr_ints(b, n, "pads", pads, 4);
		if (op[0] || op[1])
			attr_ints(b, n, "output_padding", op, 2);
	}
}

/* The graph from the layers. */
static void build_graph(builder *b, const snn_image *img, const dlayer *Ls, int n_layers)
{
	const snn_config *cfg = &img->cfg;
	char cur[80], next[80], name[48], wname[48], bname[48];
	int64_t in_dims[4] = {1, cfg->global[SNN_G_INPUT_C], cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W]};
	bool spatial = in_dims[2] * in_dims[3] > 1 || Ls[0].conv;
	bpush(b, (void ***)&b->g->input, &b->g->n_input, value_info(b, img->io.input_name, in_dims, spatial ? 4 : 2));
	snprintf(cur, sizeof cur, "%s", img->io.input_name);
	for (int i = 0; i < n_layers; i++) {
		const dlayer *L = &Ls[i];
		snprintf(wname, sizeof wname, "layer%d.weight", i);
		snprintf(bname, sizeof bname, "layer%d.bias", i);
		if (L->conv) {
			int hp = L->in_h / L->pool, wp = L->in_w / L->pool;
			if (L->pool > 1) {
				snprintf(name, sizeof name, "pool%d", i);
				snprintf(next, sizeof next, "layer%d.pooled", i);
				Onnx__NodeProto *n = node(b, name, NULL, "AveragePool", (const char *const[]){cur, NULL}, next);
				int64_t k[2] = {L->pool, L->pool};
				if (n) {
					attr_ints(b, n, "kernel_shape", k, 2);
					attr_ints(b, n, "strides", k, 2);
				}
				snprintf(cur, sizeof cur, "%s", next);
			}
			if (L->deconv) {
				deconv_node(b, L, i, cur, wname, bname, next);
				snprintf(cur, sizeof cur, "%s", next);
				goto neuron;
			}
			int64_t wd[4] = {L->out_c, L->in_c, L->kh, L->kw}, bd[1] = {L->out_c};
			initializer(b, wname, wd, 4, L->w, L->n_w);
			initializer(b, bname, bd, 1, L->b, L->out_c);
			/* bottom and right padding: what gives the image's output size */
			int pb = (L->out_h - 1) * L->stride + L->kh - hp - L->pad_y;
			int pr = (L->out_w - 1) * L->stride + L->kw - wp - L->pad_x;
			int64_t pads[4] = {L->pad_y, L->pad_x, pb > 0 ? pb : 0, pr > 0 ? pr : 0};
			int64_t ks[2] = {L->kh, L->kw}, st[2] = {L->stride, L->stride};
			snprintf(name, sizeof name, "conv%d", i);
			snprintf(next, sizeof next, "layer%d.linear", i);
			Onnx__NodeProto *n = node(b, name, NULL, "Conv", (const char *const[]){cur, wname, bname, NULL}, next);
			if (n) {
				attr_ints(b, n, "kernel_shape", ks, 2);
				attr_ints(b, n, "strides", st, 2);
				attr_ints(b, n, "pads", pads, 4);
			}
			snprintf(cur, sizeof cur, "%s", next);
		} else {
			if (i == 0 ? spatial : Ls[i - 1].conv) {
				snprintf(name, sizeof name, "flatten%d", i);
				snprintf(next, sizeof next, "layer%d.flat", i);
				Onnx__NodeProto *n = node(b, name, NULL, "Flatten", (const char *const[]){cur, NULL}, next);
				if (n)
					attr_int(b, n, "axis", 1);
				snprintf(cur, sizeof cur, "%s", next);
			}
			int64_t wd[2] = {(int64_t)L->in_c * L->in_h * L->in_w, L->out_c}, bd[1] = {L->out_c};
			initializer(b, wname, wd, 2, L->w, L->n_w);
			initializer(b, bname, bd, 1, L->b, L->out_c);
			snprintf(name, sizeof name, "gemm%d", i);
			snprintf(next, sizeof next, "layer%d.linear", i);
			node(b, name, NULL, "Gemm", (const char *const[]){cur, wname, bname, NULL}, next);
			snprintf(cur, sizeof cur, "%s", next);
		}
neuron:;
		bool last = i == n_layers - 1;
		snprintf(next, sizeof next, "layer%d.spikes", i);
		neuron_node(b, L, i, cur, last ? img->io.output_name : next);
		snprintf(cur, sizeof cur, "%s", next);
	}
	const dlayer *L = &Ls[n_layers - 1];
	int64_t od[4] = {1, L->out_c, L->out_h, L->out_w};
	bpush(b, (void ***)&b->g->output, &b->g->n_output,
	      value_info(b, img->io.output_name, od, L->conv ? 4 : 2));
}

/* The built-in target the image was compiled for: the one its META names,
 * if its geometry is the image's, else the first whose geometry is. */
static const snn_profile *image_target(const snn_image *img)
{
	char buf[64];
	const snn_profile *p = snn_profile_find(snn_image_get_meta(img, "target", buf, sizeof buf) ? buf : "");
	if (p && !memcmp(&p->geo, &img->cfg.geo, sizeof p->geo))
		return p;
	for (unsigned i = 0; i < snn_profile_count(); i++)
		if (!memcmp(&snn_profile_at(i)->geo, &img->cfg.geo, sizeof img->cfg.geo))
			return snn_profile_at(i);
	return NULL;
}

static void record_options(builder *b, const snn_image *img, const snn_profile *target)
{
	char buf[64], wb[16];
	metadata(b, KEY_QUANTISED, "1");
	metadata(b, KEY_TARGET, target->name);
	const char *w = snn_image_get_meta(img, "weight_bits", wb, sizeof wb);
	snprintf(buf, sizeof buf, "%u", target->geo.weight_bits);
	metadata(b, KEY_WBITS, w ? w : buf);
	snprintf(buf, sizeof buf, "%u", img->io.steps);
	metadata(b, KEY_STEPS, buf);
	metadata(b, KEY_READOUT, img->io.readout == SNN_READOUT_SPIKES ? "spikes" : "membrane");
	metadata(b, KEY_ENCODING, img->io.encoding == SNN_ENC_POISSON ? "poisson" : "rate");
	snprintf(buf, sizeof buf, "%.9g", img->io.input_scale);
	metadata(b, KEY_ISCALE, buf);
	snprintf(buf, sizeof buf, "%.9g", img->io.input_offset);
	metadata(b, KEY_IOFFSET, buf);
	if (img->meta)
		metadata(b, KEY_META, img->meta);
}

/* Every route goes from one layer to the next: a route that skips layers
 * or starts at the input into a later one is a branch (a residual sum, a
 * Concat), which a chain of ONNX layers cannot write back. */
static int check_chain(const snn_image *img, const char *path, snn_diag *d)
{
	const snn_config *cfg = &img->cfg;
	for (uint32_t r = 0; r < cfg->global[SNN_G_INPUT_ROUTES]; r++)
		if (cfg->core[cfg->input_route[r].dest].reg[SNN_R_PHASE] != 0)
			return bad(d, path, "input route %d: %s", (int)r, "feeds a later layer than the first: a branched "
				   "network (residual sum or Concat), which snnc decompile cannot write back");
	for (uint32_t k = 0; k < cfg->global[SNN_G_N_CORES]; k++)
		for (uint32_t r = 0; r < cfg->core[k].reg[SNN_R_ROUTE_COUNT]; r++) {
			const snn_route *rt = &cfg->core[k].route[r];
			bool again = false;	/* a layer read twice: a Concat or sum of it with itself */
			for (uint32_t q = 0; q < r; q++)
				again |= cfg->core[k].route[q].dest == rt->dest;
			if (rt->dest != SNN_ROUTE_HOST &&
			    (again || cfg->core[rt->dest].reg[SNN_R_PHASE] != cfg->core[k].reg[SNN_R_PHASE] + 1))
				return bad(d, path, "core %d: %s", (int)k, "a route skips to a later layer or repeats one: a "
					   "branched network (residual sum or Concat), which snnc decompile cannot write back");
		}
	return 0;
}

int snnc_image_layers(const snn_image *img, const char *path, dlayer **out, int *n_out, snn_diag *d)
{
	const snn_config *cfg = &img->cfg;
	int n = (int)cfg->global[SNN_G_N_CORES];
	if (n < 1)
		return snn_fail(d, SNN_ERR_FORMAT, "%s: the image has no cores", path);
	dlayer *Ls = calloc((size_t)n, sizeof *Ls);
	if (!Ls)
		return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
	int nl = 0, rc = 0;
	for (int k = 0; k < n && !rc; k++) {
		uint32_t ph = cfg->core[k].reg[SNN_R_PHASE];
		if (ph == (uint32_t)nl) {
			Ls[nl++] = (dlayer){.first = k, .n_cores = 1};
		} else if (ph + 1 == (uint32_t)nl) {
			Ls[nl - 1].n_cores++;
		} else {
			rc = bad(d, path, "core %d: PHASE %s", k, "is not the previous core's or the next one");
		}
	}
	for (int i = 0; i < nl && !rc; i++)
		rc = read_layer(img, path, &Ls[i], i == nl - 1, d);
	rc = rc ? rc : check_chain(img, path, d);
	for (int i = 0; i < nl && !rc; i++) {
		const dlayer *L = &Ls[i];
		int c = i ? Ls[i - 1].out_c : (int)cfg->global[SNN_G_INPUT_C];
		int h = i ? Ls[i - 1].out_h : (int)cfg->global[SNN_G_INPUT_H];
		int w = i ? Ls[i - 1].out_w : (int)cfg->global[SNN_G_INPUT_W];
		if (L->in_c != c || L->in_h != h || L->in_w != w)
			rc = bad(d, path, "core %d: its input space %s", L->first,
				 i ? "is not the previous layer's output" : "is not the image's input");
		else if (L->conv && i && !Ls[i - 1].conv && h * w > 1)
			rc = bad(d, path, "core %d: %s", L->first, "a conv layer over a dense layer");
	}
	const dlayer *last = &Ls[nl - 1];
	if (!rc && (int64_t)img->io.n_outputs != (int64_t)last->out_c * last->out_h * last->out_w)
		rc = bad(d, path, "core %d: the output map %s", last->first, "does not cover the last layer");
	if (!rc && (!img->io.input_name[0] || !img->io.output_name[0] ||
		    !strcmp(img->io.input_name, img->io.output_name)))
		rc = snn_fail(d, SNN_ERR_FORMAT, "%s: the input and output names must be set and differ to name "
			      "ONNX tensors ('%s', '%s')", path, img->io.input_name, img->io.output_name);
	*out = Ls;
	*n_out = nl;
	return rc;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Compile the written model as snnc would and compare with the image's
 * bytes: 0 the same, 1 different (diag says where), < 0 an error. An image
 * snnc wrote always comes back; one edited by other means may hold what
 * the model cannot say (routes, padding neurons' weights, ...). */
static int compile_back(const char *image_path, const char *onnx_path, snn_diag *diag)
{
	ir_graph g;
	snn_net net = {0};
	snn_mapping m = {0};
	snn_image img = {0};
	uint8_t *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	snnc_options opt = {.target = snn_profile_default(), .weight_bits = 8, .steps = 32, .percentile = 99.99f,
			    .v_init = 0.5f, .readout = SNN_READOUT_MEMBRANE, .input_scale = 1.0f / 255.0f,
			    .verbose = -1};
	int rc = ir_load(onnx_path, &g, diag);
	if (rc)
		return rc;
	rc = ir_resolve(&g, false, diag);
	rc = rc ? rc : snnc_quantised_options(&g, &opt, false, diag);
	rc = rc ? rc : snn_lower(&g, &opt, &net, diag);
	if (!rc) {
		rc = snnc_quantised_apply(&g, &net, &opt, diag);
		rc = rc ? rc : snn_map(&net, &opt, &m, diag);
		rc = rc ? rc : snn_emit(&net, &m, &opt, &g, &img, diag);
		rc = rc ? rc : snnc_quantised_finish(&g, &opt, &img, diag);
		rc = rc ? rc : snn_image_encode(&img, &got, &got_len, diag);
		rc = rc ? rc : snn_file_read_input(image_path, SNN_IMAGE_MAX_BYTES, &want, &want_len, diag);
		snn_image_free(&img);
		snn_mapping_free(&m);
		snn_net_free(&net);
	}
	if (!rc && (want_len != got_len || memcmp(want, got, want_len))) {
		/* The first difference past the CRCs of the header and section
		 * table (they differ whenever anything does), and its section. */
		size_t n = want_len < got_len ? want_len : got_len, at = SNN_IMAGE_HEADER_BYTES;
		uint32_t sections = rd32(want + SNN_IMAGE_SECTIONS_AT);	/* the reader checked the table */
		size_t table_end = SNN_IMAGE_HEADER_BYTES + 16u * sections;
		for (at = table_end; at < n && want[at] == got[at]; at++)
			;
		const char *where = "the section table";
		for (uint32_t i = 0; i < sections && at >= table_end; i++) {
			const uint8_t *e = want + SNN_IMAGE_HEADER_BYTES + 16u * i;
			if (at >= rd32(e + 4) && at - rd32(e + 4) < rd32(e + 8))
				where = snn_section_name(rd32(e));
		}
		if (at >= n && want_len == got_len)
			at = 0, where = "the header";
		rc = 1;
		snn_fail(diag, 0, "%s: compiling %s does not give the image back (first difference at byte 0x%zx, in "
			 "%s): the image holds something the model cannot express", image_path, onnx_path, at, where);
	}
	free(want);
	free(got);
	ir_free(&g);
	return rc;
}

int snnc_decompile(const char *image_path, const char *onnx_path, snn_diag *diag)
{
	snn_image img;
	int rc = snn_image_read_file(image_path, &img, diag);
	if (rc)
		return rc;
	dlayer *Ls = NULL;
	int nl = 0;
	const snn_profile *target = image_target(&img);
	if (!target)
		rc = snn_fail(diag, SNN_ERR_FORMAT, "%s: the image's geometry is none of the built-in targets' "
			      "(snnc --target), so snnc could not compile the model back to it", image_path);
	if (!rc)
		rc = snnc_image_layers(&img, image_path, &Ls, &nl, diag);
	Onnx__ModelProto *m = NULL;
	if (!rc) {
		builder b = {0};
		m = b.m = bmalloc(&b, sizeof *m);
		Onnx__GraphProto *g = b.g = bmalloc(&b, sizeof *g);
		if (m && g) {
			onnx__model_proto__init(m);
			onnx__graph_proto__init(g);
			m->graph = g;
			m->has_ir_version = 1;
			m->ir_version = ONNX_IR_VERSION;
			m->producer_name = bstr(&b, "snnc decompile");
			m->producer_version = bstr(&b, "0.1");
			m->doc_string = bstr(&b, "A configuration image as a quantised ONNX-SNN (docs/onnx-snn.md): "
					   "integer weight words, thresholds, leak and reset; snnc compiles it back "
					   "to the same image.");
			g->name = bstr(&b, "decompiled");
			opset(&b, "", ONNX_OPSET);
			opset(&b, SNN_DOMAIN, 1);
			record_options(&b, &img, target);
			build_graph(&b, &img, Ls, nl);
		} else {
			free(g);
			b.m = m = NULL;
		}
		if (b.oom)
			rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	}
	if (!rc) {
		size_t len = onnx__model_proto__get_packed_size(m);
		uint8_t *buf = malloc(len ? len : 1);
		if (!buf) {
			rc = snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
		} else {
			onnx__model_proto__pack(m, buf);
			rc = snn_output_write(onnx_path, buf, len, diag);
			free(buf);
		}
	}
	if (!rc) {	/* the model stays: it shows the image, if not all of it */
		snn_diag why;
		int back = compile_back(image_path, onnx_path, &why);
		if (back)
			fprintf(stderr, "snnc: warning: %s\n", why.msg);
	}
	if (m)
		onnx__model_proto__free_unpacked(m, NULL);
	snnc_image_layers_free(Ls, nl);
	snn_image_free(&img);
	return rc;
}

void snnc_image_layers_free(dlayer *Ls, int n)
{
	for (int i = 0; Ls && i < n; i++) {
		free(Ls[i].w);
		free(Ls[i].b);
	}
	free(Ls);
}

/* ---- compiling a quantised ONNX-SNN ---- */

static const char *meta_value(const ir_graph *g, const char *key)
{
	const Onnx__ModelProto *m = g->model;
	for (size_t i = 0; m && i < m->n_metadata_props; i++)
		if (m->metadata_props[i]->key && !strcmp(m->metadata_props[i]->key, key))
			return m->metadata_props[i]->value ? m->metadata_props[i]->value : "";
	return NULL;
}

bool snnc_is_quantised(const ir_graph *g)
{
	const char *v = meta_value(g, KEY_QUANTISED);
	return v && !strcmp(v, "1");
}

static int meta_number(const ir_graph *g, const char *key, double lo, double hi, double *v, snn_diag *d)
{
	const char *s = meta_value(g, key);
	if (!s)
		return 0;	/* keep the default */
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || *end || !(x >= lo && x <= hi))
		return snn_fail(d, SNN_ERR_FORMAT, "%s: metadata %s = '%s' is not a number from %g to %g", g->path, key,
				s, lo, hi);
	*v = x;
	return 0;
}

int snnc_quantised_options(const ir_graph *g, snnc_options *opt, bool target_set, snn_diag *d)
{
	const char *s = meta_value(g, KEY_TARGET);
	if (s && !target_set && !(opt->target = snn_profile_find(s)))
		return snn_fail(d, SNN_ERR_FORMAT, "%s: metadata %s = '%s' names no built-in target", g->path, KEY_TARGET,
				s);
	double wb = opt->target->geo.weight_bits, steps = opt->steps, scale = opt->input_scale;
	double offset = opt->input_offset;
	int rc = meta_number(g, KEY_WBITS, 2, 16, &wb, d);
	rc = rc ? rc : meta_number(g, KEY_STEPS, 1, 1000000, &steps, d);
	rc = rc ? rc : meta_number(g, KEY_ISCALE, -1e30, 1e30, &scale, d);
	rc = rc ? rc : meta_number(g, KEY_IOFFSET, -1e30, 1e30, &offset, d);
	if (rc)
		return rc;
	if (wb != floor(wb) || steps != floor(steps))
		return snn_fail(d, SNN_ERR_FORMAT, "%s: metadata %s and %s must be whole numbers", g->path, KEY_WBITS,
				KEY_STEPS);
	if (wb > opt->target->geo.weight_bits)
		return snn_fail(d, SNN_ERR_RANGE, "%s: its %g-bit weights exceed the %s target's %u bits", g->path, wb,
				opt->target->name, opt->target->geo.weight_bits);
	opt->weight_bits = (unsigned)wb;
	opt->steps = (unsigned)steps;
	opt->input_scale = (float)scale;
	opt->input_offset = (float)offset;
	if ((s = meta_value(g, KEY_READOUT))) {
		if (strcmp(s, "membrane") && strcmp(s, "spikes"))
			return snn_fail(d, SNN_ERR_FORMAT, "%s: metadata %s is membrane or spikes, not '%s'", g->path,
					KEY_READOUT, s);
		opt->readout = !strcmp(s, "spikes") ? SNN_READOUT_SPIKES : SNN_READOUT_MEMBRANE;
	}
	if ((s = meta_value(g, KEY_ENCODING)) && strcmp(s, "rate") && strcmp(s, "poisson"))
		return snn_fail(d, SNN_ERR_FORMAT, "%s: metadata %s is rate or poisson, not '%s'", g->path, KEY_ENCODING,
				s);
	return 0;
}

/* An integer attribute of node n within [lo, hi]. */
static int int_attr(const ir_graph *g, const ir_node *n, const char *name, int64_t dflt, int64_t lo, int64_t hi,
		    int64_t *v, snn_diag *d)
{
	const ir_attr *a = ir_attr_find(n, name);
	if (a && a->type != IR_ATTR_INT)
		return snn_fail(d, SNN_ERR_FORMAT, "%s: node %s: attribute %s must be an integer", g->path, n->name, name);
	*v = a ? a->i : dflt;
	if (*v < lo || *v > hi)
		return snn_fail(d, SNN_ERR_RANGE, "%s: node %s: %s = %lld is outside %lld .. %lld", g->path, n->name, name,
				(long long)*v, (long long)lo, (long long)hi);
	return 0;
}

int snnc_quantised_apply(const ir_graph *g, snn_net *net, const snnc_options *opt, snn_diag *d)
{
	const snn_geometry *geo = &opt->target->geo;
	const int64_t wq_max = (1 << (opt->weight_bits - 1)) - 1, b_max = ((int64_t)1 << (geo->bias_bits - 1)) - 1;
	for (int li = 0; li < net->n_layers; li++) {
		snn_layer *l = &net->layers[li];
		int p = l->act_tensor >= 0 ? g->tensors[l->act_tensor].producer : -1;
		const ir_node *n = p >= 0 ? &g->nodes[p] : NULL;
		if (!n || !ir_attr_find(n, "threshold"))
			return snn_fail(d, SNN_ERR_FORMAT, "%s: layer %s has no snn neuron node with a threshold attribute, "
					"which a quantised ONNX-SNN (metadata %s) needs on every layer", g->path, l->name,
					KEY_QUANTISED);
		int64_t th, v0, leak, ref, spiking;
		int rc = int_attr(g, n, "spiking", 1, 0, 1, &spiking, d);
		/* A non-spiking readout never fires: the compiler gives it the
		 * largest membrane value as threshold, whatever the target. */
		rc = rc ? rc : int_attr(g, n, "threshold", 0, 1, spiking ? snn_vmax(geo) : INT32_MAX, &th, d);
		if (!spiking && th > snn_vmax(geo))
			th = snn_vmax(geo);
		rc = rc ? rc : int_attr(g, n, "v_init", 0, snn_vmin(geo), snn_vmax(geo), &v0, d);
		rc = rc ? rc : int_attr(g, n, "leak", 0, 0, 255, &leak, d);
		rc = rc ? rc : int_attr(g, n, "refractory", 0, 0, SNN_MAX_REFRACTORY, &ref, d);
		if (rc)
			return rc;
		l->threshold = (int32_t)th;
		l->v_init = (int32_t)v0;
		l->leak = (uint32_t)leak;
		l->refractory = (uint32_t)ref;
		l->lambda = 1.0f;
		l->scale = (float)th;
		l->wq = malloc((size_t)l->n_w * sizeof *l->wq);
		l->bq = malloc((size_t)snn_layer_neurons(l) * sizeof *l->bq);
		if (!l->wq || !l->bq)
			return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
		for (int64_t i = 0; i < l->n_w; i++) {
			double w = nearbyint(l->w[i]);
			if (!(w >= -wq_max - 1 && w <= wq_max))
				return snn_fail(d, SNN_ERR_RANGE, "%s: layer %s: weight %lld of %s is %g, outside the %u-bit "
						"weight words %lld .. %lld", g->path, l->name, (long long)i, l->weight_name,
						l->w[i], opt->weight_bits, (long long)(-wq_max - 1), (long long)wq_max);
			l->wq[i] = (int16_t)w;
		}
		int64_t plane = (int64_t)l->out_h * l->out_w;
		for (int64_t k = 0; k < snn_layer_neurons(l); k++) {
			double b = nearbyint(l->b[k / plane]);
			if (!(b >= -b_max - 1 && b <= b_max))
				return snn_fail(d, SNN_ERR_RANGE, "%s: layer %s: the bias of output %lld is %g, outside the "
						"%u-bit bias range", g->path, l->name, (long long)(k / plane),
						l->b[k / plane], geo->bias_bits);
			l->bq[k] = (int32_t)b;
		}
		/* emit() makes a membrane readout non-spiking; anything else
		 * the model asks for cannot be expressed. */
		bool emitted = !(l->neuron == NEURON_READOUT && opt->readout == SNN_READOUT_MEMBRANE);
		if ((spiking != 0) != emitted)
			return snn_fail(d, SNN_ERR_UNSUPPORTED, "%s: node %s: spiking = %lld contradicts the readout %s "
					"(only a membrane readout's last layer is non-spiking)", g->path, n->name,
					(long long)spiking, opt->readout == SNN_READOUT_SPIKES ? "spikes" : "membrane");
	}
	return 0;
}

int snnc_quantised_finish(const ir_graph *g, const snnc_options *opt, snn_image *img, snn_diag *d)
{
	const char *s = meta_value(g, KEY_ENCODING);
	img->io.encoding = s && !strcmp(s, "poisson") ? SNN_ENC_POISSON : SNN_ENC_RATE;
	if (!(s = meta_value(g, KEY_META)))
		return 0;	/* keep what emit wrote */
	char *text = malloc(strlen(s) + 1);
	if (!text)
		return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
	strcpy(text, s);
	free(img->meta);
	img->meta = text;
	char buf[64];
	const char *t = snn_image_get_meta(img, "target", buf, sizeof buf);
	if (t && strcmp(t, opt->target->name) && snn_image_set_meta(img, "target", opt->target->name))
		return snn_fail(d, SNN_ERR_NOMEM, "out of memory");
	return 0;
}
