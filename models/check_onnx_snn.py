#!/usr/bin/python3
"""The ANN meaning of an ONNX-SNN model (docs/onnx-snn.md), checked without snnc.

    /usr/bin/python3 models/check_onnx_snn.py MODEL.snn.onnx FIXTURE
    /usr/bin/python3 models/check_onnx_snn.py --gain G IN.snn.onnx OUT.snn.onnx

Evaluates MODEL.snn.onnx in NumPy (check_fixtures.run_graph, whose snn.IF is
max(0, x) / v_th * amplitude and snn.LIF the LIF rate curve) on the 100
committed test images of FIXTURE and compares the logits with PyTorch's in
models/fixtures/FIXTURE.ref (Keras's for keras_*, on NHWC images): a model
`snnc convert` wrote from a ReLU network must compute that network. Exits non-zero on a mismatch.

--gain writes a variant of IN with the same ANN: each snn.IF node gets
amplitude / v_th = G (v_th divided by G) and the Conv or Gemm in front of it
weights and bias divided by G, so that `snnc convert` of OUT must give a
model that computes the fixture again.
"""

import os
import sys

import numpy as np
import onnx

from onnx import numpy_helper

from check_fixtures import DATA, FIXTURES, read_idx, read_ref, run_graph


def regain(src, dst, gain):
    model = onnx.load(src)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    producers = {n.output[0]: n for n in g.node}
    for node in g.node:
        if node.domain != "snn" or node.op_type != "IF":
            continue
        for at in node.attribute:
            if at.name == "v_th":
                at.f = at.f / gain
        front = producers[node.input[0]]
        assert front.op_type in ("Conv", "Gemm"), front.op_type
        for name in front.input[1:3]:
            t = inits[name]
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t) / np.float32(gain), name))
    onnx.save(model, dst)


def main():
    if sys.argv[1] == "--gain":
        regain(sys.argv[3], sys.argv[4], float(sys.argv[2]))
        return
    path, name = sys.argv[1], sys.argv[2]
    base = "mlp" if name.startswith("mlp_opset") else name
    images = read_idx(os.path.join(FIXTURES, f"{DATA[base]}-test100-images-idx3-ubyte.gz"))
    _, ref = read_ref(os.path.join(FIXTURES, f"{base}.ref"))
    x = (images.astype(np.float32) / 255.0).astype(np.float64)
    x = x[..., None] if name.startswith("keras_") else x[:, None]  # Keras: NHWC
    model = onnx.load(path)
    ops = {n.op_type for n in model.graph.node if n.domain == "snn"}
    got = run_graph(model, x)
    err = np.abs(got - ref).max()
    ok = ops and err < 1e-4 * max(1.0, np.abs(ref).max()) and np.array_equal(got.argmax(1), ref.argmax(1))
    print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(path)}: snn ops {sorted(ops)}, "
          f"max |numpy - {'keras' if name.startswith('keras_') else 'torch'}| {err:.2e}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
