/* What Keras 3 exports through tf2onnx, built by hand (onnx_build.c) in the
 * shapes tf2onnx writes (models/fixtures/README.md, "The Keras fixtures"):
 * NHWC input, a Transpose to NCHW in front of the first Conv, BatchNorm as
 * Mul + Add, a Transpose back to NHWC in front of Flatten, Flatten as
 * Shape -> Gather -> Cast -> Slice -> Concat -> Cast -> Reshape, Dense as
 * MatMul + Add. Each model is resolved (the shape chain must fold away) and
 * lowered, and both snnc's float executor and a float forward pass of the
 * lowered layers are compared with a reference computed here by naive loops
 * on the NHWC layout, as Keras computes it. Slice alone is held to values
 * worked out by hand, and the refusals (a Slice of a layer's output, shape
 * arithmetic on the input's values, a Transpose that moves data in front of
 * a convolution, a per-pixel constant on the input) to messages that name
 * the node, why, and what to use. A Keras Rescaling layer (Mul and Add of
 * scalars on the input) must fold into the first layer, and a
 * BatchNormalization after a ReLU (Mul and Add per channel) into the next.
 * A colour (3-channel) NHWC input becomes the image's channel-first input,
 * and the data-free scales of such a model are those of its channel-first
 * twin. The images of the one-channel and the colour CNN decompile
 * (snnc decompile) and compile back to the same bytes. */
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

/* Keras's tiny CNN: 6 x 6 x cin input (cin 1, or 3 for a colour image),
 * conv 3 x 3 (pad 1) to C channels, BatchNorm as Mul + Add, ReLU, average
 * pool 2, Flatten (NHWC), Dense 3. */
enum { H = 6, W = 6, C = 2, K = 3, P = 2, HP = H / P, WP = W / P, FLAT = C * HP * WP, OUT = 3, CIN_MAX = 3 };

typedef struct keras_cnn {
	int cin;
	float conv_w[C * CIN_MAX * K * K], conv_b[C], bn_mul[C], bn_add[C];
	float dense_w[FLAT * OUT], dense_b[OUT];	/* dense_w[k][o], k in NHWC order */
} keras_cnn;

static keras_cnn cnn_weights(int cin)
{
	keras_cnn m;
	m.cin = cin;
	fe_fill(m.conv_w, (size_t)(C * cin * K * K), 1);
	fe_fill(m.conv_b, C, 2);
	fe_fill(m.bn_mul, C, 3);
	fe_fill(m.bn_add, C, 4);
	fe_fill(m.dense_w, FLAT * OUT, 5);
	fe_fill(m.dense_b, OUT, 6);
	for (int c = 0; c < C; c++)
		m.bn_mul[c] = 0.5f + fabsf(m.bn_mul[c]);	/* a positive BN scale */
	return m;
}

/* The reference: the network on an NHWC image x[y][x][ci], in Keras's
 * order (conv_w is ONNX's [C][cin][K][K]). */
static void cnn_reference(const keras_cnn *m, const float *x, float *y)
{
	float act[H][W][C], pooled[HP][WP][C];
	for (int r = 0; r < H; r++)
		for (int s = 0; s < W; s++)
			for (int c = 0; c < C; c++) {
				double sum = m->conv_b[c];
				for (int ci = 0; ci < m->cin; ci++)
					for (int i = 0; i < K; i++)
						for (int j = 0; j < K; j++) {
							int yy = r + i - 1, xx = s + j - 1;
							if (yy >= 0 && yy < H && xx >= 0 && xx < W)
								sum += m->conv_w[((c * m->cin + ci) * K + i) * K + j] *
								       x[(yy * W + xx) * m->cin + ci];
						}
				double v = sum * m->bn_mul[c] + m->bn_add[c];
				act[r][s][c] = (float)(v > 0 ? v : 0);
			}
	for (int r = 0; r < HP; r++)
		for (int s = 0; s < WP; s++)
			for (int c = 0; c < C; c++)
				pooled[r][s][c] = (act[2 * r][2 * s][c] + act[2 * r][2 * s + 1][c] +
						   act[2 * r + 1][2 * s][c] + act[2 * r + 1][2 * s + 1][c]) / 4;
	const float *flat = &pooled[0][0][0];	/* Flatten of NHWC: channel fastest */
	for (int o = 0; o < OUT; o++) {
		double sum = m->dense_b[o];
		for (int k = 0; k < FLAT; k++)
			sum += flat[k] * m->dense_w[k * OUT + o];
		y[o] = (float)sum;
	}
}

/* Keras's Flatten as tf2onnx writes it: the shape of the NCHW map, gathered
 * into NHWC order, cast to int32, its first entry sliced out (the batch),
 * joined with the flat size, cast back to int64, into a Reshape of the NHWC
 * tensor nhwc. Slice's starts, ends and axes are inputs from opset 10 on,
 * attributes before. */
static void keras_flatten(mb *b, int64_t opset, const char *nchw, const char *nhwc, int64_t flat, const char *out)
{
	static const int64_t four[] = {4}, one[] = {1}, to_nhwc[] = {0, 2, 3, 1}, zero[] = {0}, first[] = {1};
	mb_init_i64(b, "flatten_perm", 1, four, to_nhwc);
	mb_init_i64(b, "flatten_size", 1, one, &flat);
	char ins[128];
	snprintf(ins, sizeof ins, "%s", nchw);
	mb_node(b, "Shape", ins, "shape");
	mb_node(b, "Gather", "shape,flatten_perm", "shape_nhwc");
	mb_attr_i(mb_node(b, "Cast", "shape_nhwc", "shape_i32"), "to", 6);
	if (opset >= 10) {
		mb_init_i64(b, "slice_start", 1, one, zero);
		mb_init_i64(b, "slice_end", 1, one, first);
		mb_node(b, "Slice", "shape_i32,slice_start,slice_end,slice_start", "batch");
	} else {
		Onnx__NodeProto *n = mb_node(b, "Slice", "shape_i32", "batch");
		mb_attr_ints(n, "starts", 1, zero);
		mb_attr_ints(n, "ends", 1, first);
		mb_attr_ints(n, "axes", 1, zero);
	}
	mb_attr_i(mb_node(b, "Concat", "batch,flatten_size", "new_shape_i32"), "axis", 0);
	mb_attr_i(mb_node(b, "Cast", "new_shape_i32", "new_shape"), "to", 7);
	snprintf(ins, sizeof ins, "%s,new_shape", nhwc);
	mb_node(b, "Reshape", ins, out);
}

/* The tf2onnx graph of the CNN. two_transposes: the NCHW -> NHWC -> NCHW
 * pair tf2onnx can leave between layers, here after the first ReLU.
 * nchw_input: the same network taking its input channel-first (as
 * --inputs-as-nchw exports it), the first Transpose an Identity. */
static mb cnn_model(const keras_cnn *m, int64_t opset, bool two_transposes, bool nchw_input)
{
	static const int64_t to_nchw[] = {0, 3, 1, 2}, to_nhwc[] = {0, 2, 3, 1};
	const int64_t nhwc_dims[] = {MB_DYN, H, W, m->cin}, nchw_dims[] = {MB_DYN, m->cin, H, W};
	const int64_t *in_dims = nchw_input ? nchw_dims : nhwc_dims, wd[] = {C, m->cin, K, K}, cd[] = {C}, bnd[] = {1, C, 1, 1}, dd[] = {FLAT, OUT}, od[] = {OUT};
	const int64_t pads[] = {1, 1, 1, 1}, kernel[] = {K, K}, pool[] = {P, P};
	mb b = mb_new(opset);
	mb_input(&b, "input", 4, in_dims);
	mb_output(&b, "Identity:0");
	mb_init(&b, "conv_w", 4, wd, m->conv_w);
	mb_init(&b, "conv_b", 1, cd, m->conv_b);
	mb_init(&b, "bn_mul", 4, bnd, m->bn_mul);
	mb_init(&b, "bn_add", 4, bnd, m->bn_add);
	mb_init(&b, "dense_w", 2, dd, m->dense_w);
	mb_init(&b, "dense_b", 1, od, m->dense_b);
	if (nchw_input)
		mb_node(&b, "Identity", "input", "x_nchw");
	else
		mb_attr_ints(mb_node(&b, "Transpose", "input", "x_nchw"), "perm", 4, to_nchw);
	Onnx__NodeProto *conv = mb_node(&b, "Conv", "x_nchw,conv_w,conv_b", "conv");
	mb_attr_ints(conv, "pads", 4, pads);
	mb_attr_ints(conv, "kernel_shape", 2, kernel);
	mb_node(&b, "Mul", "conv,bn_mul", "bn_scaled");
	mb_node(&b, "Add", "bn_scaled,bn_add", "bn");
	mb_node(&b, "Relu", "bn", "relu");
	const char *to_pool = "relu";
	if (two_transposes) {
		mb_attr_ints(mb_node(&b, "Transpose", "relu", "relu_nhwc"), "perm", 4, to_nhwc);
		mb_attr_ints(mb_node(&b, "Transpose", "relu_nhwc", "relu_nchw"), "perm", 4, to_nchw);
		to_pool = "relu_nchw";
	}
	char ins[64];
	snprintf(ins, sizeof ins, "%s", to_pool);
	Onnx__NodeProto *ap = mb_node(&b, "AveragePool", ins, "pool");
	mb_attr_ints(ap, "kernel_shape", 2, pool);
	mb_attr_ints(ap, "strides", 2, pool);
	mb_attr_ints(mb_node(&b, "Transpose", "pool", "pool_nhwc"), "perm", 4, to_nhwc);
	keras_flatten(&b, opset, "pool", "pool_nhwc", FLAT, "flat");
	mb_node(&b, "MatMul", "flat,dense_w", "dense");
	mb_node(&b, "Add", "dense,dense_b", "Identity:0");
	return b;
}

/* The CNN resolves with its shape chain folded away, and snnc's float
 * executor and the lowered layers both compute the reference. */
static void cnn_case(int64_t opset, bool two_transposes, int cin)
{
	th_case("keras_cnn_opset%lld%s%s", (long long)opset, two_transposes ? "_transpose_pair" : "",
		cin > 1 ? "_rgb" : "");
	keras_cnn m = cnn_weights(cin);
	mb b = cnn_model(&m, opset, two_transposes, false);
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "resolve: %s", d.msg))
		return;
	static const char *const chain[] = {"shape", "shape_nhwc", "shape_i32", "batch", "new_shape_i32", "new_shape"};
	for (size_t k = 0; k < sizeof chain / sizeof chain[0]; k++) {
		int t = fe_tensor_named(&g, chain[k]);
		th_expect(t >= 0 && g.tensors[t].i && (g.tensors[t].producer < 0 || g.nodes[g.tensors[t].producer].dead),
			  "%s is not a folded constant", chain[k]);
	}
	const ir_tensor *s = &g.tensors[fe_tensor_named(&g, "new_shape")];
	th_expect(s->rank == 1 && s->dims[0] == 2 && s->i && s->i[0] == 1 && s->i[1] == FLAT,
		  "Flatten's shape did not fold to [1, %d]", FLAT);

	float x[H * W * CIN_MAX], chw[H * W * CIN_MAX], want[OUT], got[OUT];
	for (int trial = 0; trial < 3; trial++) {
		fe_fill(x, (size_t)(H * W * cin), 10 + (unsigned)trial);
		for (int i = 0; i < H * W * cin; i++)
			x[i] = fabsf(x[i]);	/* pixels are >= 0 */
		for (int i = 0; i < H * W; i++)	/* the image takes a colour input channel-first */
			for (int ci = 0; ci < cin; ci++)
				chw[ci * H * W + i] = x[i * cin + ci];
		cnn_reference(&m, x, want);
		ir_values v;
		if (th_expect(ir_values_init(&g, &v) == 0, "ir_values_init")) {
			ir_run(&g, &v, x);
			fe_close_all(v.v[g.outputs[0]], want, OUT, 1e-5f, "snnc's float executor");
			ir_values_free(&v);
		}
		snnc_options opt = fe_options();
		snn_net net;
		if (!th_expect(snn_lower(&g, &opt, &net, &d) == 0, "lower: %s", d.msg))
			break;
		th_expect(net.n_layers == 2 && net.in_c == cin && net.in_h == H && net.in_w == W &&
				  net.input_nhwc == (cin > 1),
			  "%d layers over a %dx%dx%d input (NHWC %d); want 2 over %dx%dx%d", net.n_layers, net.in_c,
			  net.in_h, net.in_w, net.input_nhwc, cin, H, W);
		fe_net_forward(&net, chw, got);
		fe_close_all(got, want, OUT, 1e-5f,
			     "the lowered layers (the Transpose folded into the dense weights)");
		snn_net_free(&net);
	}
	ir_free(&g);
}

/* The first layer's scale without --calib, measured on snnc's synthetic
 * images, of the CNN with an input of cin channels, NHWC or channel-first. */
static float synthetic_scale(int cin, bool nchw_input)
{
	keras_cnn m = cnn_weights(cin);
	mb b = cnn_model(&m, 13, false, nchw_input);
	snnc_options opt = fe_options();
	opt.size_only = false;
	bool nhwc = false;
	float lambda = fe_first_scale(&b, path, NULL, &opt, &nhwc);
	th_expect(nhwc == !nchw_input, "input_nhwc %d", nhwc);
	return lambda;
}

/* snnc draws its synthetic images channel-first, as the image takes them,
 * and runs them through an NHWC model in the model's order: the scales
 * must be those of the same network taking the same images channel-first
 * (a wrong transposition mixes rows, columns and colours, and the
 * first layer's scale moves). */
static void rgb_synthetic_case(void)
{
	th_case("keras_cnn_rgb_synthetic_scales_as_channel_first");
	float nhwc = synthetic_scale(3, false), nchw = synthetic_scale(3, true);
	th_expect(nhwc > 0 && nhwc == nchw, "first layer's scale %g (NHWC) against %g (channel-first)", nhwc, nchw);
}

/* The image of the Keras CNN (cin channels, NHWC input) decompiles to
 * ONNX-SNN and compiles back to the same bytes; a colour input's layout
 * (the image's input_layout metadata) comes back with it. */
static void decompile_case(int cin)
{
	char name[32];
	snprintf(name, sizeof name, "keras_cnn_c%d", cin);
	th_case("%s_decompile_round_trip", name);
	keras_cnn m = cnn_weights(cin);
	mb b = cnn_model(&m, 15, true, false);
	bool same = fe_decompile_round_trip(&b, dir, name, "-T 16");
	char snn[160];
	snprintf(snn, sizeof snn, "%s/%s.snn.onnx", dir, name);
	if (same) {
		static char out[256];
		int rc = run_cmd(out, sizeof out, "grep -c 'input_layout' %s", snn);
		th_expect((rc == 0) == (cin > 1), "input_layout in the ONNX-SNN model: grep exit %d, %s", rc, out);
	}
	unlink(snn);
}

/* Keras's MLP over an NHWC image: Reshape to [-1, 784]-like, MatMul + Add,
 * BatchNorm as Mul + Add, ReLU, MatMul + Add. The input is one-channel
 * NHWC, so the lowered network's input is a 1 x H x W image. rescale: a
 * Rescaling(1/127.5, offset=-1) layer first, as tf2onnx writes it (Mul,
 * Add), on raw pixels 0..255. */
static void mlp_case(bool rescale)
{
	th_case("keras_mlp_nhwc_input%s", rescale ? "_rescaling" : "");
	enum { HID = 4 };
	static const int64_t in_dims[] = {MB_DYN, H, W, 1}, sd[] = {2}, shape[] = {-1, H * W};
	const int64_t w1d[] = {H * W, HID}, hd[] = {HID}, w2d[] = {HID, OUT}, od[] = {OUT};
	float w1[H * W * HID], b1[HID], bn_mul[HID], bn_add[HID], w2[HID * OUT], b2[OUT];
	fe_fill(w1, H * W * HID, 21);
	fe_fill(b1, HID, 22);
	fe_fill(bn_mul, HID, 23);
	fe_fill(bn_add, HID, 24);
	fe_fill(w2, HID * OUT, 25);
	fe_fill(b2, OUT, 26);
	mb b = mb_new(15);
	mb_input(&b, "input", 4, in_dims);
	mb_output(&b, "Identity:0");
	mb_init_i64(&b, "flat_shape", 1, sd, shape);
	mb_init(&b, "w1", 2, w1d, w1);
	mb_init(&b, "b1", 1, hd, b1);
	mb_init(&b, "bn_mul", 1, hd, bn_mul);
	mb_init(&b, "bn_add", 1, hd, bn_add);
	mb_init(&b, "w2", 2, w2d, w2);
	mb_init(&b, "b2", 1, od, b2);
	if (rescale) {
		static const float scale[1] = {1 / 127.5f}, offset[1] = {-1};
		mb_init(&b, "scale", 0, NULL, scale);
		mb_init(&b, "offset", 0, NULL, offset);
		mb_node(&b, "Mul", "input,scale", "scaled");
		mb_node(&b, "Add", "scaled,offset", "rescaled");
		mb_node(&b, "Reshape", "rescaled,flat_shape", "flat");
	} else {
		mb_node(&b, "Reshape", "input,flat_shape", "flat");
	}
	mb_node(&b, "MatMul", "flat,w1", "d1");
	mb_node(&b, "Add", "d1,b1", "d1b");
	mb_node(&b, "Mul", "d1b,bn_mul", "bn1");
	mb_node(&b, "Add", "bn1,bn_add", "bn");
	mb_node(&b, "Relu", "bn", "h");
	mb_node(&b, "MatMul", "h,w2", "d2");
	mb_node(&b, "Add", "d2,b2", "Identity:0");
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "resolve: %s", d.msg))
		return;
	float x[H * W], want[OUT], got[OUT], hid[HID];
	fe_fill(x, H * W, 27);
	for (int k = 0; rescale && k < H * W; k++)
		x[k] = roundf(fabsf(x[k]) * 255);	/* raw pixels */
	for (int j = 0; j < HID; j++) {
		double sum = b1[j];
		for (int k = 0; k < H * W; k++)
			sum += (rescale ? x[k] / 127.5 - 1 : x[k]) * w1[k * HID + j];
		sum = sum * bn_mul[j] + bn_add[j];
		hid[j] = (float)(sum > 0 ? sum : 0);
	}
	for (int o = 0; o < OUT; o++) {
		double sum = b2[o];
		for (int j = 0; j < HID; j++)
			sum += hid[j] * w2[j * OUT + o];
		want[o] = (float)sum;
	}
	snnc_options opt = fe_options();
	snn_net net;
	if (th_expect(snn_lower(&g, &opt, &net, &d) == 0, "lower: %s", d.msg)) {
		th_expect(net.in_c == 1 && net.in_h == H && net.in_w == W, "input %dx%dx%d, want 1x%dx%d (NHWC, one "
			  "channel)", net.in_c, net.in_h, net.in_w, H, W);
		fe_net_forward(&net, x, got);
		fe_close_all(got, want, OUT, 1e-5f, rescale ? "the lowered layers (the Rescaling folded into the "
							      "first layer)" : "the lowered layers");
		snn_net_free(&net);
	}
	ir_free(&g);
}

/* Load b (freed), lower it, and hold the lowered layers on input x to what
 * snnc's float executor computes from the graph (OUT outputs). in_c, in_h,
 * in_w: the input the lowered network must read. */
static void expect_lowered_as_graph(mb *b, const float *x, int in_c, int in_h, int in_w)
{
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(b, path, false, &g, &d) == 0, "resolve: %s", d.msg))
		return;
	snnc_options opt = fe_options();
	snn_net net;
	ir_values v;
	if (th_expect(snn_lower(&g, &opt, &net, &d) == 0, "lower: %s", d.msg)) {
		th_expect(net.in_c == in_c && net.in_h == in_h && net.in_w == in_w,
			  "input %dx%dx%d, want %dx%dx%d", net.in_c, net.in_h, net.in_w, in_c, in_h, in_w);
		if (th_expect(ir_values_init(&g, &v) == 0, "ir_values_init")) {
			float got[OUT];
			ir_run(&g, &v, x);
			fe_net_forward(&net, x, got);
			fe_close_all(got, v.v[g.outputs[0]], OUT, 1e-5f, "the lowered layers");
			ir_values_free(&v);
		}
		snn_net_free(&net);
	}
	ir_free(&g);
}

/* Keras's Conv2D(activation="relu") then BatchNormalization: tf2onnx
 * writes the BatchNorm as Mul and Add of [1, C, 1, 1] constants after the
 * Relu, which fold per input channel into the next layer, here a conv
 * (valid padding, so the shift is exact) and then, after a second such
 * BatchNorm, a dense layer. The lowered layers must compute what snnc's
 * float executor computes from the graph. */
static void bn_after_relu_case(void)
{
	th_case("batchnorm_after_relu_folds_into_next_layer");
	static const int64_t in[] = {1, 1, 8, 8}, w1d[] = {2, 1, 3, 3}, w2d[] = {3, 2, 3, 3}, k3[] = {3, 3};
	static const int64_t c2[] = {1, 2, 1, 1}, c3[] = {1, 3, 1, 1}, wdd[] = {3 * 4 * 4, OUT};
	float w1[18], w2[54], s1[2], t1[2], s2[3], t2[3], wd[3 * 4 * 4 * OUT];
	fe_fill(w1, 18, 41);
	fe_fill(w2, 54, 42);
	fe_fill(s1, 2, 43);
	fe_fill(t1, 2, 44);
	fe_fill(s2, 3, 45);
	fe_fill(t2, 3, 46);
	fe_fill(wd, sizeof wd / sizeof wd[0], 47);
	mb b = mb_new(13);
	mb_input(&b, "x", 4, in);
	mb_output(&b, "y");
	mb_init(&b, "w1", 4, w1d, w1);
	mb_init(&b, "w2", 4, w2d, w2);
	mb_init(&b, "s1", 4, c2, s1);
	mb_init(&b, "t1", 4, c2, t1);
	mb_init(&b, "s2", 4, c3, s2);
	mb_init(&b, "t2", 4, c3, t2);
	mb_init(&b, "wd", 2, wdd, wd);
	mb_attr_ints(mb_node(&b, "Conv", "x,w1", "c1"), "kernel_shape", 2, k3);	/* 2 x 6 x 6 */
	mb_node(&b, "Relu", "c1", "r1");
	mb_node(&b, "Mul", "r1,s1", "m1");
	mb_node(&b, "Add", "m1,t1", "a1");
	mb_attr_ints(mb_node(&b, "Conv", "a1,w2", "c2"), "kernel_shape", 2, k3);	/* 3 x 4 x 4 */
	mb_node(&b, "Relu", "c2", "r2");
	mb_node(&b, "Mul", "r2,s2", "m2");
	mb_node(&b, "Add", "m2,t2", "a2");
	mb_node(&b, "Flatten", "a2", "f");
	mb_node(&b, "MatMul", "f,wd", "y");
	float x[64];
	fe_fill(x, 64, 48);
	expect_lowered_as_graph(&b, x, 1, 8, 8);
}

/* Keras's Rescaling on a flat input, then Reshape((6, 6, 1)) into a map
 * for a conv (tf2onnx: Mul, Add, Reshape [-1, 1, 6, 6]): the rescaling,
 * counted per element of the flat input, applies per channel of the map. */
static void rescaling_then_reshape_case(void)
{
	th_case("rescaling_then_reshape_into_a_map");
	static const int64_t in[] = {1, H * W}, shape_d[] = {4}, shape[] = {-1, 1, H, W}, wd[] = {C, 1, K, K};
	static const int64_t k3[] = {K, K}, dd[] = {C * (H - 2) * (W - 2), OUT};
	float w[C * K * K], wdense[C * (H - 2) * (W - 2) * OUT];
	fe_fill(w, C * K * K, 51);
	fe_fill(wdense, sizeof wdense / sizeof wdense[0], 52);
	mb b = mb_new(13);
	mb_input(&b, "x", 2, in);
	mb_output(&b, "y");
	mb_init(&b, "scale", 0, NULL, (const float[]){1 / 127.5f});
	mb_init(&b, "offset", 0, NULL, (const float[]){-1});
	mb_init_i64(&b, "shape", 1, shape_d, shape);
	mb_init(&b, "w", 4, wd, w);
	mb_init(&b, "wd", 2, dd, wdense);
	mb_node(&b, "Mul", "x,scale", "xs");
	mb_node(&b, "Add", "xs,offset", "xr");
	mb_node(&b, "Reshape", "xr,shape", "map");
	mb_attr_ints(mb_node(&b, "Conv", "map,w", "c"), "kernel_shape", 2, k3);
	mb_node(&b, "Relu", "c", "r");
	mb_node(&b, "Flatten", "r", "f");
	mb_node(&b, "MatMul", "f,wd", "y");
	float x[H * W];
	fe_fill(x, H * W, 53);
	for (int i = 0; i < H * W; i++)
		x[i] = roundf(fabsf(x[i]) * 255);	/* raw pixels */
	expect_lowered_as_graph(&b, x, 1, H, W);	/* the map, not the flat input */
}

/* Slice alone, folded: its result is read back as a Reshape's shape. */
static void slice_fold_case(const char *name, int64_t opset, const int64_t *data, int64_t n_data,
			    const int64_t *starts, const int64_t *ends, const int64_t *axes, const int64_t *steps,
			    const int64_t *want, int64_t n_want)
{
	th_case("slice_folds_%s", name);
	static const int64_t xd[] = {1, 2, 3, 4};
	const int64_t dd[] = {n_data}, one[] = {1};
	mb b = mb_new(opset);
	mb_input(&b, "x", 4, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "data", 1, dd, data);
	if (opset >= 10) {
		mb_init_i64(&b, "starts", 1, one, starts);
		mb_init_i64(&b, "ends", 1, one, ends);
		mb_init_i64(&b, "axes", 1, one, axes);
		mb_init_i64(&b, "steps", 1, one, steps);
		mb_node(&b, "Slice", "data,starts,ends,axes,steps", "cut");
	} else {
		Onnx__NodeProto *n = mb_node(&b, "Slice", "data", "cut");
		mb_attr_ints(n, "starts", 1, starts);
		mb_attr_ints(n, "ends", 1, ends);
		mb_attr_ints(n, "axes", 1, axes);
	}
	mb_node(&b, "Identity", "x", "y");
	mb_node(&b, "Identity", "cut", "unused");	/* pruned; the folded value stays on "cut" */
	ir_graph g;
	snn_diag d;
	if (!th_expect(fe_load(&b, path, false, &g, &d) == 0, "resolve: %s", d.msg))
		return;
	const ir_tensor *t = &g.tensors[fe_tensor_named(&g, "cut")];
	bool same = t->i && t->rank == 1 && t->dims[0] == n_want;
	for (int64_t k = 0; same && k < n_want; k++)
		same = t->i[k] == want[k];
	th_expect(same, "Slice folded to %lld values starting %lld; want %lld starting %lld",
		  (long long)(t->rank == 1 ? t->dims[0] : -1), (long long)(t->i && t->dims[0] ? t->i[0] : -1),
		  (long long)n_want, (long long)(n_want ? want[0] : -1));
	ir_free(&g);
}

static void slice_cases(void)
{
	static const int64_t ten[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	/* [2:7:2] -> 2 4 6; [-2::-3] (end below the front) -> 8 5 2; [7:100] -> 7 8 9;
	 * opset 9 [1:-1] -> 1..8; [5:2] -> nothing */
	slice_fold_case("step_2", 13, ten, 10, (const int64_t[]){2}, (const int64_t[]){7}, (const int64_t[]){0},
			(const int64_t[]){2}, (const int64_t[]){2, 4, 6}, 3);
	slice_fold_case("negative_step", 13, ten, 10, (const int64_t[]){-2}, (const int64_t[]){INT64_MIN},
			(const int64_t[]){-1}, (const int64_t[]){-3}, (const int64_t[]){8, 5, 2}, 3);
	slice_fold_case("end_clamped", 13, ten, 10, (const int64_t[]){7}, (const int64_t[]){100},
			(const int64_t[]){0}, (const int64_t[]){1}, (const int64_t[]){7, 8, 9}, 3);
	slice_fold_case("opset9_attributes", 9, ten, 10, (const int64_t[]){1}, (const int64_t[]){-1},
			(const int64_t[]){0}, NULL, (const int64_t[]){1, 2, 3, 4, 5, 6, 7, 8}, 8);
	slice_fold_case("empty", 13, ten, 10, (const int64_t[]){5}, (const int64_t[]){2}, (const int64_t[]){0},
			(const int64_t[]){1}, NULL, 0);
}

/* Expect resolve or lowering to refuse b with every needle in the message,
 * which starts with the file. */
static void expect_refused(mb *b, const char *n1, const char *n2, const char *n3)
{
	ir_graph g;
	snn_diag d;
	int rc = fe_load(b, path, false, &g, &d);
	if (!rc) {
		snnc_options opt = fe_options();
		snn_net net;
		rc = snn_lower(&g, &opt, &net, &d);
		if (!rc)
			snn_net_free(&net);
		ir_free(&g);
	}
	if (!th_expect(rc != 0, "accepted a model that must be refused (%s)", n1))
		return;
	th_expect(!strncmp(d.msg, path, strlen(path)), "the message does not start with the file: %s", d.msg);
	const char *needles[] = {n1, n2, n3};
	for (int k = 0; k < 3; k++)
		th_expect(!needles[k] || strstr(d.msg, needles[k]), "the message lacks \"%s\": %s", needles[k], d.msg);
}

static void refusal_cases(void)
{
	static const int64_t xd[] = {1, 6}, one[] = {1}, zero[] = {0}, three[] = {3};
	th_case("slice_of_layer_output_bad");
	mb b = mb_new(13);
	mb_input(&b, "x", 2, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "s", 1, one, zero);
	mb_init_i64(&b, "e", 1, one, three);
	mb_init_i64(&b, "a", 1, one, one);
	mb_node(&b, "Slice", "x,s,e,a", "y");
	expect_refused(&b, "node Slice_0 (Slice)", "cutting part of a layer's output",
		       "use Flatten, or a Reshape to a constant shape");

	/* A "shape" computed from the input's values: Keras's Flatten chain
	 * would read Shape; this one casts the data itself. */
	th_case("shape_chain_from_input_values_bad");
	static const int64_t nd[] = {1, 2, 2, 1}, two_d[] = {2}, flat[] = {4};
	b = mb_new(13);
	mb_input(&b, "x", 4, nd);
	mb_output(&b, "y");
	mb_init_i64(&b, "s", 1, one, zero);
	mb_init_i64(&b, "e", 1, one, one);
	mb_init_i64(&b, "size", 1, one, flat);
	mb_init_i64(&b, "r", 1, two_d, (const int64_t[]){1, 4});
	mb_node(&b, "Reshape", "x,r", "xf");
	mb_attr_i(mb_node(&b, "Cast", "xf", "xi"), "to", 6);
	mb_node(&b, "Slice", "xi,s,e,s", "batch");
	mb_attr_i(mb_node(&b, "Concat", "batch,size", "shape"), "axis", 0);
	mb_node(&b, "Reshape", "x,shape", "y");
	expect_refused(&b, "node Cast_1 (Cast)", "from the network's input values",
		       "use Flatten or a Reshape to a constant shape");

	th_case("slice_starts_from_input_values_bad");
	b = mb_new(13);
	mb_input(&b, "x", 2, xd);
	mb_output(&b, "y");
	mb_init_i64(&b, "data", 1, (const int64_t[]){6}, (const int64_t[]){1, 2, 3, 4, 5, 6});
	mb_init_i64(&b, "e", 1, one, three);
	mb_node(&b, "Slice", "data,x,e", "cut");
	mb_node(&b, "Identity", "x", "y");
	mb_node(&b, "Reshape", "x,cut", "z");
	expect_refused(&b, "node Slice_0 (Slice)", "starts", "not known at compile time");

	/* A constant per pixel of a map is neither a rescaling nor per channel. */
	th_case("rescaling_per_pixel_bad");
	static const int64_t map[] = {1, 1, 4, 4}, kd[] = {2, 1, 3, 3}, k33[] = {3, 3};
	float px[16], kw[18];
	fe_fill(px, 16, 32);
	fe_fill(kw, 18, 33);
	b = mb_new(13);
	mb_input(&b, "x", 4, map);
	mb_output(&b, "y");
	mb_init(&b, "k", 4, map, px);
	mb_init(&b, "w", 4, kd, kw);
	mb_node(&b, "Mul", "x,k", "xk");
	mb_attr_ints(mb_node(&b, "Conv", "xk,w", "y"), "kernel_shape", 2, k33);
	expect_refused(&b, "node Mul_0 (Mul)", "a constant scalar or one per channel", "fold it into the next layer");

	/* Nothing follows the last activation to take a BatchNormalization. */
	th_case("arithmetic_after_last_activation_bad");
	b = mb_new(13);
	mb_input(&b, "x", 2, xd);
	mb_output(&b, "y");
	mb_init(&b, "w", 2, (const int64_t[]){6, 2}, (const float[]){1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1});
	mb_init(&b, "s", 1, (const int64_t[]){2}, (const float[]){2, -1});
	mb_node(&b, "MatMul", "x,w", "h");
	mb_node(&b, "Relu", "h", "r");
	mb_node(&b, "Mul", "r,s", "y");
	expect_refused(&b, "ends in arithmetic after its last activation", "fold it into the last layer", NULL);

	/* Three channels: a Transpose of the input other than NHWC -> NCHW
	 * (here rows and columns swapped too) moves data, which the core array
	 * cannot do at its input. */
	th_case("rgb_transpose_other_than_nhwc_before_conv_bad");
	static const int64_t rgb[] = {1, 4, 4, 3}, to_nchw[] = {0, 3, 2, 1}, wd[] = {2, 3, 3, 3}, ks[] = {3, 3};
	float w[54];
	fe_fill(w, 54, 31);
	b = mb_new(13);
	mb_input(&b, "x", 4, rgb);
	mb_output(&b, "y");
	mb_init(&b, "w", 4, wd, w);
	mb_attr_ints(mb_node(&b, "Transpose", "x", "xt"), "perm", 4, to_nchw);
	mb_attr_ints(mb_node(&b, "Conv", "xt,w", "c"), "kernel_shape", 2, ks);
	mb_node(&b, "Relu", "c", "y");
	expect_refused(&b, "node Conv_1 (Conv)", "channel-first", "--inputs-as-nchw");
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/snnc_keras_XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/m.onnx", dir);
	cnn_case(15, false, 1);
	cnn_case(9, false, 1);
	cnn_case(13, true, 1);
	cnn_case(13, false, 3);
	cnn_case(22, true, 3);
	rgb_synthetic_case();
	decompile_case(1);
	decompile_case(3);
	mlp_case(false);
	mlp_case(true);
	bn_after_relu_case();
	rescaling_then_reshape_case();
	slice_cases();
	refusal_cases();
	unlink(path);
	rmdir(dir);
	return th_done("test_keras_export");
}
