/* Branching graphs (issue 12): a residual Add with an identity shortcut,
 * one with a strided projection shortcut and a BatchNormalization on the
 * main path, a channel Concat of two paths that read the same input, and
 * a residual sum of fully connected layers, built by hand (onnx_build.c).
 * ResNet's downsampling block (a strided 3x3 conv, then a 3x3 conv, beside
 * a strided 1x1 projection: paths that read maps of different sizes, the
 * projection run as its positive and negative parts) is one more.
 * Each is held to a reference computed here by naive loops: snnc's float
 * executor, the lowered layers (fe_net_forward: sources side by side along
 * channels) and the compiled image on the golden simulator (snnc, then
 * snnsim: the class the SNN picks at T = 64 against the reference's
 * argmax on 60 images, at least 95 %); the identity, downsampling and
 * Concat images also run on the RTL in lock step with the golden model
 * (snnsim --cosim). Joins the core
 * array cannot hold are refused with the node, why, and what to use, and
 * snnc decompile refuses a branched image (ONNX-SNN layers are a chain). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "../cli/run_cmd.h"
#include "ir.h"
#include "net.h"
#include "front_end.h"
#include "onnx_build.h"

static char dir[64], path[128];

enum { S = 8, CH = 4, OUT = 3, IMAGES = 60, STEPS = 64 };

/* ---- the reference: naive float loops on C x H x W maps ---- */

/* out[o][r][s] of a K x K convolution, stride st, padding pad. */
static void conv(const float *in, int C, int H, int W, const float *w, const float *b, int O, int K, int st, int pad,
		 float *out, int OH, int OW)
{
	for (int o = 0; o < O; o++)
		for (int r = 0; r < OH; r++)
			for (int s = 0; s < OW; s++) {
				double sum = b ? b[o] : 0;
				for (int c = 0; c < C; c++)
					for (int i = 0; i < K; i++)
						for (int j = 0; j < K; j++) {
							int y = r * st - pad + i, x = s * st - pad + j;
							if (y >= 0 && y < H && x >= 0 && x < W)
								sum += w[((o * C + c) * K + i) * K + j] * in[(c * H + y) * W + x];
						}
				out[(o * OH + r) * OW + s] = (float)sum;
			}
}

static void relu(float *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = v[i] > 0 ? v[i] : 0;
}

/* y[o] = b[o] + sum_k x[k] w[k][o] (Gemm, transB = 0). */
static void dense(const float *x, int K, const float *w, const float *b, int O, float *y)
{
	for (int o = 0; o < O; o++) {
		double sum = b[o];
		for (int k = 0; k < K; k++)
			sum += x[k] * w[k * O + o];
		y[o] = (float)sum;
	}
}

/* ---- the models ---- */

typedef enum model_kind { RES_IDENTITY, RES_PROJECTION, RES_DOWNSAMPLE, CONCAT, RES_DENSE, N_MODELS } model_kind;
static const char *const model_names[] = {"residual_identity", "residual_projection", "residual_downsample", "concat",
					  "residual_dense"};

typedef struct weights {
	float w1[CH * 9], b1[CH], w2[CH * CH * 9], b2[CH], w3[CH * CH], b3[CH], w4[CH * CH * 9], b4[CH];
	float gamma[CH], beta[CH], mean[CH], var[CH];
	float wa[2 * 9], ba[2], wb[3], bb[3], we[CH * 5 * 9], be[CH];
	float d1[S * S * 16], db1[16], d2[16 * 16], db2[16], d3[16 * 16], db3[16];
	float head[CH * S * S * OUT], head_b[OUT];
} weights;

static weights make_weights(void)
{
	weights m;
	fe_fill(m.w1, sizeof m.w1 / sizeof *m.w1, 1);
	fe_fill(m.b1, CH, 2);
	fe_fill(m.w2, sizeof m.w2 / sizeof *m.w2, 3);
	fe_fill(m.b2, CH, 4);
	fe_fill(m.w3, sizeof m.w3 / sizeof *m.w3, 5);
	fe_fill(m.b3, CH, 6);
	fe_fill(m.w4, sizeof m.w4 / sizeof *m.w4, 25);
	fe_fill(m.b4, CH, 26);
	fe_fill(m.gamma, CH, 7);
	fe_fill(m.beta, CH, 8);
	fe_fill(m.mean, CH, 9);
	fe_fill(m.var, CH, 10);
	for (int c = 0; c < CH; c++) {
		m.gamma[c] = 0.5f + fabsf(m.gamma[c]);
		m.var[c] = 0.2f + fabsf(m.var[c]);
		m.b1[c] = 0.1f * m.b1[c];
	}
	fe_fill(m.wa, 18, 11);
	fe_fill(m.ba, 2, 12);
	fe_fill(m.wb, 3, 13);
	fe_fill(m.bb, 3, 14);
	fe_fill(m.we, sizeof m.we / sizeof *m.we, 15);
	fe_fill(m.be, CH, 16);
	fe_fill(m.d1, sizeof m.d1 / sizeof *m.d1, 17);
	fe_fill(m.db1, 16, 18);
	fe_fill(m.d2, 256, 19);
	fe_fill(m.db2, 16, 20);
	fe_fill(m.d3, 256, 21);
	fe_fill(m.db3, 16, 22);
	fe_fill(m.head, sizeof m.head / sizeof *m.head, 23);
	fe_fill(m.head_b, OUT, 24);
	for (int i = 0; i < S * S * 16; i++)
		m.d1[i] *= 0.25f;	/* 64 inputs: keep the first layer's sums near 1 */
	return m;
}

/* The reference on one image x (S x S, values 0..1). */
static void reference(model_kind k, const weights *m, const float *x, float *y)
{
	float a[CH * S * S], c[CH * S * S], d[CH * S * S], cat[5 * S * S];
	switch (k) {
	case RES_IDENTITY:	/* relu(conv4(relu(conv2(a))) + a), avg pool 2, dense */
		conv(x, 1, S, S, m->w1, m->b1, CH, 3, 1, 1, a, S, S);
		relu(a, CH * S * S);
		conv(a, CH, S, S, m->w2, m->b2, CH, 3, 1, 1, d, S, S);
		relu(d, CH * S * S);
		conv(d, CH, S, S, m->w4, m->b4, CH, 3, 1, 1, c, S, S);
		for (int i = 0; i < CH * S * S; i++)
			c[i] += a[i];
		relu(c, CH * S * S);
		for (int ch = 0; ch < CH; ch++)
			for (int r = 0; r < S / 2; r++)
				for (int s = 0; s < S / 2; s++) {
					const float *p = &c[(ch * S + 2 * r) * S + 2 * s];
					d[(ch * S / 2 + r) * S / 2 + s] = (p[0] + p[1] + p[S] + p[S + 1]) / 4;
				}
		dense(d, CH * S * S / 4, m->head, m->head_b, OUT, y);
		break;
	case RES_PROJECTION:	/* relu(bn(conv2 stride 2 (a)) + conv1x1 stride 2 (a)), dense */
		conv(x, 1, S, S, m->w1, m->b1, CH, 3, 1, 1, a, S, S);
		relu(a, CH * S * S);
		conv(a, CH, S, S, m->w2, m->b2, CH, 3, 2, 1, c, S / 2, S / 2);
		conv(a, CH, S, S, m->w3, m->b3, CH, 1, 2, 0, d, S / 2, S / 2);
		for (int ch = 0; ch < CH; ch++)
			for (int i = 0; i < S * S / 4; i++) {
				float *v = &c[ch * S * S / 4 + i];
				*v = (*v - m->mean[ch]) * m->gamma[ch] / sqrtf(m->var[ch] + 1e-5f) + m->beta[ch];
				*v += d[ch * S * S / 4 + i];
			}
		relu(c, CH * S * S / 4);
		dense(c, CH * S * S / 4, m->head, m->head_b, OUT, y);
		break;
	case RES_DOWNSAMPLE:	/* ResNet's: relu(conv4(relu(conv2 stride 2 (a))) + conv1x1 stride 2 (a)) */
		conv(x, 1, S, S, m->w1, m->b1, CH, 3, 1, 1, a, S, S);
		relu(a, CH * S * S);
		conv(a, CH, S, S, m->w2, m->b2, CH, 3, 2, 1, d, S / 2, S / 2);
		relu(d, CH * S * S / 4);
		conv(d, CH, S / 2, S / 2, m->w4, m->b4, CH, 3, 1, 1, c, S / 2, S / 2);
		conv(a, CH, S, S, m->w3, m->b3, CH, 1, 2, 0, d, S / 2, S / 2);
		for (int i = 0; i < CH * S * S / 4; i++)
			c[i] += d[i];
		relu(c, CH * S * S / 4);
		dense(c, CH * S * S / 4, m->head, m->head_b, OUT, y);
		break;
	case CONCAT:	/* the input feeds a 3x3 and a 1x1 conv; their ReLUs joined, conv stride 2, dense */
		conv(x, 1, S, S, m->wa, m->ba, 2, 3, 1, 1, cat, S, S);
		conv(x, 1, S, S, m->wb, m->bb, 3, 1, 1, 0, cat + 2 * S * S, S, S);
		relu(cat, 5 * S * S);
		conv(cat, 5, S, S, m->we, m->be, CH, 3, 2, 1, c, S / 2, S / 2);
		relu(c, CH * S * S / 4);
		dense(c, CH * S * S / 4, m->head, m->head_b, OUT, y);
		break;
	default:	/* relu(a + dense3(relu(dense2(a)))), a = relu(dense1(x)), dense */
		dense(x, S * S, m->d1, m->db1, 16, a);
		relu(a, 16);
		dense(a, 16, m->d2, m->db2, 16, c);
		relu(c, 16);
		dense(c, 16, m->d3, m->db3, 16, d);
		for (int i = 0; i < 16; i++)
			d[i] += a[i];
		relu(d, 16);
		dense(d, 16, m->head, m->head_b, OUT, y);
		break;
	}
}

/* A Conv node named out with its weights (dims wd) and bias as
 * initializers out_w and out_b. */
static void conv_node(mb *b, const char *in, const char *out, const int64_t wd[4], const float *w, const float *bias,
		      int stride, int pad)
{
	char wn[64], bn[64], ins[200];
	snprintf(wn, sizeof wn, "%s_w", out);
	snprintf(bn, sizeof bn, "%s_b", out);
	mb_init(b, wn, 4, wd, w);
	mb_init(b, bn, 1, wd, bias);	/* dims[0]: the output channels */
	snprintf(ins, sizeof ins, "%s,%s,%s", in, wn, bn);
	Onnx__NodeProto *n = mb_node(b, "Conv", ins, out);
	const int64_t strides[] = {stride, stride}, pads[] = {pad, pad, pad, pad};
	mb_attr_ints(n, "strides", 2, strides);
	mb_attr_ints(n, "pads", 4, pads);
}

/* A Gemm node out = in w + bias, w of k x n, as initializers out_w, out_b. */
static void gemm_node(mb *b, const char *in, const char *out, int64_t k, int64_t n, const float *w, const float *bias)
{
	char wn[64], bn[64], ins[200];
	const int64_t wd[] = {k, n};
	snprintf(wn, sizeof wn, "%s_w", out);
	snprintf(bn, sizeof bn, "%s_b", out);
	mb_init(b, wn, 2, wd, w);
	mb_init(b, bn, 1, wd + 1, bias);
	snprintf(ins, sizeof ins, "%s,%s,%s", in, wn, bn);
	mb_node(b, "Gemm", ins, out);
}

/* The ONNX graph of model k, as PyTorch exports such blocks. */
static mb build(model_kind k, const weights *m)
{
	static const int64_t img[] = {1, 1, S, S}, flat_in[] = {1, S * S}, ch[] = {CH};
	static const int64_t w1d[] = {CH, 1, 3, 3}, w2d[] = {CH, CH, 3, 3}, w3d[] = {CH, CH, 1, 1};
	static const int64_t wad[] = {2, 1, 3, 3}, wbd[] = {3, 1, 1, 1}, wed[] = {CH, 5, 3, 3};
	static const int64_t pool[] = {2, 2};
	mb b = mb_new(13);
	mb_input(&b, "x", k == RES_DENSE ? 2 : 4, k == RES_DENSE ? flat_in : img);
	mb_output(&b, "y");
	switch (k) {
	case RES_IDENTITY:
	case RES_PROJECTION:
		conv_node(&b, "x", "c1", w1d, m->w1, m->b1, 1, 1);
		mb_node(&b, "Relu", "c1", "a");
		conv_node(&b, "a", "c2", w2d, m->w2, m->b2, k == RES_IDENTITY ? 1 : 2, 1);
		if (k == RES_IDENTITY) {
			mb_node(&b, "Relu", "c2", "h");
			conv_node(&b, "h", "c4", w2d, m->w4, m->b4, 1, 1);
			mb_node(&b, "Add", "c4,a", "sum");
			mb_node(&b, "Relu", "sum", "r0");
			Onnx__NodeProto *p = mb_node(&b, "AveragePool", "r0", "r");
			mb_attr_ints(p, "kernel_shape", 2, pool);
			mb_attr_ints(p, "strides", 2, pool);
		} else {
			mb_init(&b, "gamma", 1, ch, m->gamma);
			mb_init(&b, "beta", 1, ch, m->beta);
			mb_init(&b, "mean", 1, ch, m->mean);
			mb_init(&b, "var", 1, ch, m->var);
			mb_node(&b, "BatchNormalization", "c2,gamma,beta,mean,var", "bn");
			conv_node(&b, "a", "proj", w3d, m->w3, m->b3, 2, 0);
			mb_node(&b, "Add", "bn,proj", "sum");
			mb_node(&b, "Relu", "sum", "r");
		}
		break;
	case RES_DOWNSAMPLE:
		conv_node(&b, "x", "c1", w1d, m->w1, m->b1, 1, 1);
		mb_node(&b, "Relu", "c1", "a");
		conv_node(&b, "a", "c2", w2d, m->w2, m->b2, 2, 1);
		mb_node(&b, "Relu", "c2", "h");
		conv_node(&b, "h", "c4", w2d, m->w4, m->b4, 1, 1);
		conv_node(&b, "a", "proj", w3d, m->w3, m->b3, 2, 0);
		mb_node(&b, "Add", "c4,proj", "sum");
		mb_node(&b, "Relu", "sum", "r");
		break;
	case CONCAT:
		conv_node(&b, "x", "ca", wad, m->wa, m->ba, 1, 1);
		conv_node(&b, "x", "cb", wbd, m->wb, m->bb, 1, 0);
		mb_node(&b, "Relu", "ca", "ra");
		mb_node(&b, "Relu", "cb", "rb");
		mb_attr_i(mb_node(&b, "Concat", "ra,rb", "cat"), "axis", 1);
		conv_node(&b, "cat", "ce", wed, m->we, m->be, 2, 1);
		mb_node(&b, "Relu", "ce", "r");
		break;
	default:
		gemm_node(&b, "x", "g1", S * S, 16, m->d1, m->db1);
		mb_node(&b, "Relu", "g1", "a");
		gemm_node(&b, "a", "g2", 16, 16, m->d2, m->db2);
		mb_node(&b, "Relu", "g2", "h");
		gemm_node(&b, "h", "g3", 16, 16, m->d3, m->db3);
		mb_node(&b, "Add", "a,g3", "sum");	/* the shortcut first */
		mb_node(&b, "Relu", "sum", "r");
		break;
	}
	if (k != RES_DENSE)
		mb_node(&b, "Flatten", "r", "flat");
	gemm_node(&b, k == RES_DENSE ? "r" : "flat", "y", k == RES_DENSE ? 16 : CH * S * S / 4, OUT, m->head, m->head_b);
	return b;
}

/* ---- images and labels as IDX files ---- */

static uint8_t pixels[IMAGES][S * S];

static void make_images(void)
{
	float v[S * S];
	for (int i = 0; i < IMAGES; i++) {
		fe_fill(v, S * S, 100 + (unsigned)i);
		for (int p = 0; p < S * S; p++)
			pixels[i][p] = (uint8_t)(v[p] > 0 ? v[p] * 255.0f : 0);	/* about half the pixels lit */
	}
}

static void write_idx(const char *file, int dims, const uint8_t *data, size_t n)
{
	FILE *f = fopen(file, "wb");
	uint8_t head[16] = {0, 0, 8, (uint8_t)dims, 0, 0, 0, IMAGES, 0, 0, 0, S, 0, 0, 0, S};
	if (!f || fwrite(head, 1, 4 + 4 * (size_t)dims, f) != 4 + 4 * (size_t)dims || fwrite(data, 1, n, f) != n ||
	    fclose(f)) {
		fprintf(stderr, "cannot write %s\n", file);
		exit(2);
	}
}

/* ---- the cases ---- */

static int argmax(const float *y)
{
	int best = 0;
	for (int o = 1; o < OUT; o++)
		best = y[o] > y[best] ? o : best;
	return best;
}

static void model_case(model_kind k, const weights *m, const char *snnc, const char *snnsim)
{
	const char *name = model_names[k];
	float x[S * S], want[OUT], got[OUT];
	uint8_t labels[IMAGES];
	for (int i = 0; i < IMAGES; i++) {
		for (int p = 0; p < S * S; p++)
			x[p] = pixels[i][p] / 255.0f;
		reference(k, m, x, want);
		labels[i] = (uint8_t)argmax(want);
	}
	th_case("%s_float", name);
	mb b = build(k, m);
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "front end: %s", d.msg))
		return;
	ir_values v = {0};
	snnc_options opt = fe_options();
	snn_net net;
	int rc = snn_lower(&g, &opt, &net, &d);
	if (!ir_values_init(&g, &v)) {
		for (int i = 0; i < 5; i++) {
			for (int p = 0; p < S * S; p++)
				x[p] = pixels[i][p] / 255.0f;
			reference(k, m, x, want);
			ir_run(&g, &v, x);
			fe_close_all(v.v[g.outputs[0]], want, OUT, 1e-5f, "snnc's float executor");
			if (rc == 0) {
				fe_net_forward(&net, x, got);
				fe_close_all(got, want, OUT, 1e-4f, "the lowered layers");
			}
		}
		ir_values_free(&v);
	}
	th_case("%s_lowered", name);
	if (th_expect(rc == 0, "lowering: %s", d.msg)) {
		/* the join is one layer over its sources' channels side by side; the
		 * downsampling block's projection runs as its positive and negative
		 * parts, beside the main path */
		const snn_layer *join = &net.layers[net.n_layers - 2];
		int want_src = k == RES_DOWNSAMPLE ? 3 : 2, c = 0;
		for (int s = 0; s < join->n_src; s++)
			c = join->src[s].c0 == c ? c + join->src[s].nc : -1000;
		th_expect(join->n_src == want_src && c == join->in_c, "layer %s: %d sources (want %d), channels %s %d",
			  join->name, join->n_src, want_src, c < 0 ? "not side by side in" : "side by side:", join->in_c);
		snn_net_free(&net);
	}
	ir_free(&g);

	th_case("%s_golden", name);
	char model[160], cfg[160], imgs[160], labs[160];
	static char out[1 << 16];
	snprintf(model, sizeof model, "%s/%s.onnx", dir, name);
	snprintf(cfg, sizeof cfg, "%s/%s.cfg", dir, name);
	snprintf(imgs, sizeof imgs, "%s/images.idx", dir);
	snprintf(labs, sizeof labs, "%s/%s-labels.idx", dir, name);
	b = build(k, m);
	mb_write(&b, model);
	mb_free(&b);
	write_idx(labs, 1, labels, IMAGES);
	if (!th_expect(run_cmd(out, sizeof out, "%s %s -o %s --calib %s", snnc, model, cfg, imgs) == 0, "snnc: %s",
		       out))
		return;
	rc = run_cmd(out, sizeof out, "%s %s -i %s -l %s -T %d --json -q", snnsim, cfg, imgs, labs, STEPS);
	double agree = json_number(out, "accuracy");
	printf("  %-20s the SNN (T=%d) picks the reference's class on %.0f %% of %d images\n", name, STEPS,
	       100 * agree, IMAGES);
	th_expect(rc == 0 && agree >= 0.95, "snnsim exit %d, agreement %.3f: %s", rc, agree, out);
	if (k == RES_IDENTITY) {	/* a chain of ONNX layers cannot say it */
		th_case("%s_decompile_bad", name);
		rc = run_cmd(out, sizeof out, "%s decompile %s -o %s/back.snn.onnx", snnc, cfg, dir);
		th_expect(rc != 0 && strstr(out, "a branched network") && strstr(out, cfg), "decompile exit %d: %s", rc,
			  out);
	}
	if (k == RES_IDENTITY || k == RES_DOWNSAMPLE || k == CONCAT) {
		th_case("%s_cosim", name);
		rc = run_cmd(out, sizeof out, "%s %s -i %s -l %s -n 2 -T 8 --cosim -q", snnsim, cfg, imgs, labs);
		th_expect(rc == 0, "snnsim --cosim exit %d: %s", rc, out);
	}
}

/* A graph with one join the core array cannot hold: the message names the
 * node and says why. */
static void expect_refused(const char *what, mb b, const char *node, const char *why)
{
	th_case("%s_bad", what);
	ir_graph g;
	snn_diag d;
	int rc = fe_load(&b, path, false, &g, &d);	/* the front end may refuse it first */
	if (rc == 0) {
		snnc_options opt = fe_options();
		snn_net net;
		rc = snn_lower(&g, &opt, &net, &d);
		if (rc == 0)
			snn_net_free(&net);
		ir_free(&g);
	}
	th_expect(rc != 0 && strstr(d.msg, node) && strstr(d.msg, why), "exit %d: \"%s\" lacks \"%s\" or \"%s\"", rc,
		  d.msg, node, why);
}

/* x -> conv -> relu = a, then a conv over a joined by op with a (with
 * Add and axis 0: with the one-channel input, broadcast). */
static mb bad_join(const weights *m, const char *op, int64_t axis)
{
	static const int64_t img[] = {1, 1, S, S}, w1d[] = {CH, 1, 3, 3}, w2d[] = {CH, CH, 3, 3};
	mb b = mb_new(13);
	mb_input(&b, "x", 4, img);
	mb_output(&b, "y");
	conv_node(&b, "x", "c1", w1d, m->w1, m->b1, 1, 1);
	mb_node(&b, "Relu", "c1", "a");
	conv_node(&b, "a", "c2", w2d, m->w2, m->b2, 1, 1);
	bool to_input = !strcmp(op, "Add") && axis == 0;
	Onnx__NodeProto *n = mb_node(&b, op, to_input ? "c2,x" : "c2,a", "j");
	if (!strcmp(op, "Concat"))
		mb_attr_i(n, "axis", axis);
	mb_node(&b, "Relu", "j", "y");
	return b;
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/snnc_branches.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	const char *build_dir = getenv("BUILD") ? getenv("BUILD") : "build";
	char snnc[256], snnsim[256], imgs[160];
	snprintf(snnc, sizeof snnc, "%s/snnc", build_dir);
	snprintf(snnsim, sizeof snnsim, "%s/snnsim", build_dir);
	weights m = make_weights();
	make_images();
	snprintf(imgs, sizeof imgs, "%s/images.idx", dir);
	write_idx(imgs, 3, &pixels[0][0], sizeof pixels);
	for (int k = 0; k < N_MODELS; k++)
		model_case((model_kind)k, &m, snnc, snnsim);

	expect_refused("add_of_different_channels", bad_join(&m, "Add", 0), "node Add_", "different shapes");
	expect_refused("mul_of_two_paths", bad_join(&m, "Mul", 1), "node Mul_", "both operands are computed");
	expect_refused("concat_of_pre_activations", bad_join(&m, "Concat", 1), "node Concat_",
		       "put each path's activation before the Concat");
	expect_refused("concat_along_rows", bad_join(&m, "Concat", 2), "node Concat_", "along channels");
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (!getenv("KEEP") && system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return th_done("test_branches");
}
