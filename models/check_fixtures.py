#!/usr/bin/python3
"""Check the committed fixtures without PyTorch.

    /usr/bin/python3 models/check_fixtures.py [--ops]

For every models/fixtures/*.onnx: onnx.checker (full check), the interface
(input "input" [batch,1,28,28], output "logits" [batch,10]; the Keras
fixtures keras_*: input "input" [batch,28,28,1], NHWC, one output [batch,10]
as tf2onnx names it), and an independent NumPy evaluation of the graph on the
100 test images beside it, compared with the PyTorch (or Keras) logits in the
matching .ref file; the autoencoder of models/fixtures/autoenc/ likewise,
against PyTorch's reconstructions. --ops prints each
graph's nodes in order with their attributes. Exits non-zero on any mismatch.
"""

import glob
import gzip
import os
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
DATA = {"mlp": "mnist", "mlp128": "mnist", "lenet1": "mnist", "lenet5": "mnist", "cnn": "mnist",
        "fashion_bn": "fashion", "keras_mlp": "mnist", "keras_cnn": "mnist", "resnet": "mnist",
        "fashion_resnet": "fashion"}
SIZE_LIMIT = 5 * 1024 * 1024 + 512 * 1024  # the Keras fixtures added 156 KB to 5.0 MiB


def read_idx(path):
    data = gzip.open(path, "rb").read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_ref(path):
    with open(path) as f:
        n, k = map(int, f.readline().split())
        rows = [f.readline().split() for _ in range(n)]
        if f.read().strip():
            raise ValueError(f"{path}: trailing data")
    labels = np.array([int(r[0]) for r in rows])
    logits = np.array([[float(v) for v in r[1:]] for r in rows], dtype=np.float64)
    assert logits.shape == (n, k)
    return labels, logits


def write_ref(path, labels, logits):
    """The .ref file for logits (float32 rows) and labels, written whole or
    not at all."""
    with open(path + ".tmp", "w") as f:
        f.write(f"{len(logits)} {logits.shape[1]}\n")
        for lab, row in zip(labels, logits):
            f.write(str(int(lab)) + "".join(" %.9g" % float(v) for v in row) + "\n")
    os.replace(path + ".tmp", path)


# --- a NumPy interpreter for the op types the exporter emits -----------------

def conv(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    assert a.get("group", 1) == 1 and cg == c
    assert list(a.get("dilations", [1, 1])) == [1, 1]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    y = np.einsum("nckluv,mckl->nmuv", cols, w)
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def avgpool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    assert a.get("ceil_mode", 0) == 0 and not any(a.get("pads", [0, 0, 0, 0]))
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    y = np.zeros(x.shape[:2] + (oh, ow), x.dtype)
    for i in range(kh):
        for j in range(kw):
            y += x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    return y / (kh * kw)


def conv_transpose(x, w, b, a):
    """Each input pixel stamps the kernel, stride apart; pads crop."""
    n, c, h, wd = x.shape
    cw, m, kh, kw = w.shape
    assert a.get("group", 1) == 1 and cw == c and not a.get("output_shape")
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    oph, opw = a.get("output_padding", [0, 0])
    full = np.zeros((n, m, (h - 1) * sh + kh + oph, (wd - 1) * sw + kw + opw), x.dtype)
    for i in range(kh):
        for j in range(kw):
            full[:, :, i:i + sh * h:sh, j:j + sw * wd:sw] += np.einsum("nchw,cm->nmhw", x, w[:, :, i, j])
    y = full[:, :, pt:full.shape[2] - pb, pl:full.shape[3] - pr]
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def resize_nearest(x, scales, a):
    """Whole-factor nearest upsampling; the modes that repeat each pixel."""
    assert a.get("mode", b"nearest") in (b"nearest", "nearest")
    f = [int(round(v)) for v in scales]
    assert f[0] == f[1] == 1 and all(float(v) == int(v) for v in scales)
    return x.repeat(f[2], axis=2).repeat(f[3], axis=3)


def run_graph(model, x):
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64)
           if t.data_type == onnx.TensorProto.FLOAT else numpy_helper.to_array(t)
           for t in g.initializer}
    env[g.input[0].name] = x
    for node in g.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op == "Identity":
            y = i[0]
        elif op == "Conv":
            y = conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "ConvTranspose":
            y = conv_transpose(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Resize":
            y = resize_nearest(i[0], i[2] if len(i) > 2 else i[1], a)
        elif op == "AveragePool":
            y = avgpool(i[0], a)
        elif op == "Pad":
            pads = i[1] if len(i) > 1 else np.array(a["pads"])
            assert a.get("mode", b"constant") in (b"constant", "constant")
            value = float(i[2]) if len(i) > 2 and i[2] is not None else a.get("value", 0.0)
            r = len(pads) // 2
            y = np.pad(i[0], [(int(pads[d]), int(pads[d + r])) for d in range(r)],
                       constant_values=value)
        elif op == "BatchNormalization":
            xx, s, bb, mean, var = i
            shape = (1, -1) + (1,) * (xx.ndim - 2)
            y = (xx - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + a.get("epsilon", 1e-5)) \
                * s.reshape(shape) + bb.reshape(shape)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Shape":
            y = np.array(i[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            axes = i[1] if len(i) > 1 else a["axes"]
            y = i[0]
            for ax in sorted(int(v) for v in np.atleast_1d(axes)):
                y = np.expand_dims(y, ax)
        elif op == "Concat":
            y = np.concatenate([np.atleast_1d(v) for v in i], axis=a["axis"])
        elif op == "Reshape":
            y = i[0].reshape([int(v) for v in i[1]])
        elif op == "Gemm":
            aa = i[0].T if a.get("transA", 0) else i[0]
            bm = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * aa @ bm
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Transpose":
            y = np.transpose(i[0], a["perm"])
        elif op == "Cast":
            y = i[0].astype({1: np.float64, 6: np.int32, 7: np.int64}[a["to"]])
        elif op == "Slice":
            data, starts, ends = i[:3]
            axes = i[3] if len(i) > 3 else range(len(starts))
            steps = i[4] if len(i) > 4 else [1] * len(starts)
            cut = [slice(None)] * data.ndim
            for ax, b, e, st in zip(axes, starts, ends, steps):
                cut[int(ax)] = slice(int(b), int(e), int(st))
            y = data[tuple(cut)]
        elif node.domain == "snn" and op == "IF":   # docs/onnx-snn.md, "Semantics as an ANN"
            v_th = a.get("v_th", 0.0)
            y = np.maximum(i[0], 0) * (a.get("amplitude", 1.0) / v_th if v_th > 0 else 1.0)
        elif node.domain == "snn" and op in ("LIF", "SoftLIFRate"):
            v_th, xx = a.get("v_th", 1.0), i[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                r = a.get("amplitude", 1.0) / (a.get("tau_ref", 0.002)
                                               - a.get("tau_rc", 0.02) * np.log1p(-v_th / xx))
            y = np.where(xx > v_th, r, 0.0)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y
    return env[g.output[0].name]


def describe(model):
    for node in model.graph.node:
        attrs = ", ".join(f"{at.name}={onnx.helper.get_attribute_value(at)}"
                          for at in node.attribute if at.name != "value")
        if node.op_type == "Constant":
            v = numpy_helper.to_array(node.attribute[0].t)
            attrs = f"value={v.tolist()} ({v.dtype}, shape {list(v.shape)})"
        print(f"    {node.op_type}({', '.join(node.input)}) -> {', '.join(node.output)}"
              + (f"  [{attrs}]" if attrs else ""))


def check_autoenc():
    """The autoencoder (models/autoenc.py) against PyTorch's reconstructions;
    True when it agrees."""
    base = os.path.join(FIXTURES, "autoenc", "fashion_autoenc")
    model = onnx.load(base + ".onnx")
    onnx.checker.check_model(model, full_check=True)
    images = read_idx(os.path.join(FIXTURES, "fashion-test100-images-idx3-ubyte.gz"))
    ref = np.loadtxt(base + ".ref")
    x = (images.astype(np.float32) / 255.0).astype(np.float64)[:, None]
    got = run_graph(model, x).reshape(len(x), -1)
    err = np.abs(got - ref).max()
    mse = float(np.mean((got - x.reshape(len(x), -1)) ** 2))
    ok = got.shape == ref.shape and err < 1e-4
    print(f"{'ok  ' if ok else 'FAIL'} autoenc/fashion_autoenc.onnx: max |numpy - torch| {err:.2e} (the .ref keeps "
          f"5 digits), MSE to the input {mse:.5f}, PSNR {10 * np.log10(1 / mse):.2f} dB")
    return ok


def main():
    show_ops = "--ops" in sys.argv[1:]
    failed = 0 if check_autoenc() else 1
    total = 0
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*"))):
        total += os.path.getsize(path)
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.onnx"))):
        name = os.path.basename(path)[:-5]
        base = "mlp" if name.startswith("mlp_opset") else name
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opset = {o.domain: o.version for o in model.opset_import}[""]
        ins, outs = model.graph.input, model.graph.output
        dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        keras = name.startswith("keras_")
        assert [v.name for v in ins] == ["input"], [v.name for v in ins]
        if keras:  # tf2onnx names the batch axis and the output itself
            assert dims(ins[0])[1:] == [28, 28, 1] and len(outs) == 1 and dims(outs[0])[1:] == [10], \
                (dims(ins[0]), dims(outs[0]))
        else:
            assert dims(ins[0]) == ["batch", 1, 28, 28], dims(ins[0])
            assert [v.name for v in outs] == ["logits"] and dims(outs[0]) == ["batch", 10], dims(outs[0])
        ops = {}
        for node in model.graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        data = DATA[base]
        images = read_idx(os.path.join(FIXTURES, f"{data}-test100-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(FIXTURES, f"{data}-test100-labels-idx1-ubyte.gz"))
        ref_labels, ref = read_ref(os.path.join(FIXTURES, f"{base}.ref"))
        x = (images.astype(np.float32) / 255.0).astype(np.float64)
        x = x[..., None] if keras else x[:, None]
        got = run_graph(model, x)
        err = np.abs(got - ref).max()
        ok = (np.array_equal(ref_labels, labels) and err < 1e-4 * max(1.0, np.abs(ref).max())
              and np.array_equal(got.argmax(1), ref.argmax(1)))
        failed += not ok
        acc = (ref.argmax(1) == labels).mean()
        print(f"{'ok  ' if ok else 'FAIL'} {name}.onnx: opset {opset}, {os.path.getsize(path)} bytes, "
              f"{len(model.graph.node)} nodes, max |numpy - {'keras' if keras else 'torch'}| {err:.2e}, "
              f"{100 * acc:.0f}/100 correct")
        print("    ops: " + ", ".join(f"{k} x{v}" for k, v in ops.items()))
        if show_ops:
            describe(model)
    print(f"fixtures: {total} bytes in total (limit {SIZE_LIMIT})")
    if total >= SIZE_LIMIT:
        failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
