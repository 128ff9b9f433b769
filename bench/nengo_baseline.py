"""Nengo baseline: an ONNX network's trained weights run with Nengo's LIF neurons.

    build/venv/bin/python bench/nengo_baseline.py MODEL.onnx IMAGES LABELS
        [--steps 10 40 130 ...] [--limit 500] [--synapse 0.1] [--json]

This reproduces the method of the papers this project measures itself
against (docs/benchmarks.md, "Conversion accuracy"): the Hansung University
conversions of a trained network to Nengo, which rebuilt the network with the
NengoDL MNIST tutorial's settings and loaded the trained weights into it.

- Every activation (Relu) becomes an ensemble of nengo.LIF(amplitude=0.01)
  neurons (tau_rc 20 ms, tau_ref 2 ms) with max_rates 100 Hz and intercepts 0,
  so gain 2.03 and bias 1: J = 2.03 (Wx + b) + 1. The bias of 1 is the value
  the thesis wrote into NengoDL's untrained per-neuron parameters.
- Every linear operator (Conv, Gemm/MatMul, bias Add, BatchNormalization,
  AveragePool, Flatten/Reshape) is a connection into a passthrough node, with
  synapse=None everywhere, as NengoDL's TensorNodes are.
- The input node holds the image (pixel * --input-scale, the min-max
  normalisation the models were trained with) for the whole run; dt = 1 ms.
- The output is probed through a lowpass filter (--synapse, 0.1 s as in the
  NengoDL tutorial the thesis used) and the class is the argmax of the
  filtered output at the last step of a run of N steps. Runs are independent
  per image (the simulator is reset), as NengoDL's stateful=False is.

This is plain Nengo (the reference simulator), not NengoDL: NengoDL only
adds TensorFlow execution and training, and its LIF neurons step with the same
equations. The state after N steps of one long run equals a run of N steps,
so one run of max(--steps) steps per image gives every step count.

Prints one line per step count, or with --json one object. Exit 1 on bad
input or an operator it cannot map.
"""

import argparse
import gzip
import json
import struct
import sys
import time
import warnings

import numpy as np

# Without SciPy Nengo skips some graph optimisations and says so on every
# build; nothing here needs SciPy (no Sparse transforms, see Builder.pad).
warnings.filterwarnings("ignore", message="Skipping some optimization steps because SciPy")

try:
    import nengo
    import onnx
    from onnx import numpy_helper
except ImportError as e:  # pragma: no cover - depends on the environment
    sys.exit(f"nengo_baseline.py: {e}; run it with the bench's venv "
             "(build/venv, see bench/accuracy.sh)")

PROG = "nengo_baseline.py"


def fail(msg):
    sys.exit(f"{PROG}: {msg}")


def read_idx(path):
    """An IDX file of unsigned bytes (gzip or not) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"{path}: {e}")
    if len(data) < 4:
        fail(f"{path}: too short for an IDX file")
    magic = struct.unpack(">I", data[:4])[0]
    if magic >> 8 != 0x08:
        fail(f"{path}: not an unsigned-byte IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        fail(f"{path}: {arr.size} bytes of data for dims {dims}")
    return arr.reshape(dims)


# --- ONNX graph to Nengo network -------------------------------------------

class Dyn:
    """A tensor computed by the network: a Nengo object and its shape (no batch)."""

    def __init__(self, obj, shape):
        self.obj = obj
        self.shape = tuple(int(s) for s in shape)

    @property
    def size(self):
        return int(np.prod(self.shape))


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class Builder:
    """Walks the ONNX graph in order and adds Nengo objects for each node."""

    def __init__(self, model, net, neuron_type):
        self.net = net
        self.neuron_type = neuron_type
        self.vals = {}
        self.n_ensembles = 0
        self.n_neurons = 0
        self._one = None
        for init in model.graph.initializer:
            v = numpy_helper.to_array(init)
            self.vals[init.name] = v.astype(np.float64) if v.dtype.kind == "f" else v

    # helpers
    def one(self):
        if self._one is None:
            self._one = nengo.Node([1.0], label="one")
        return self._one

    def node(self, size, label):
        return nengo.Node(size_in=size, label=label)

    def add_bias(self, out, bias_full):
        nengo.Connection(self.one(), out, transform=np.asarray(bias_full).reshape(-1, 1),
                         synapse=None)

    def const(self, name):
        v = self.vals.get(name)
        if v is None or isinstance(v, Dyn):
            return None
        return v

    # operators
    def op_Conv(self, n, a):
        x = self.vals[n.input[0]]
        w = self.const(n.input[1])
        b = self.const(n.input[2]) if len(n.input) > 2 and n.input[2] else None
        if not isinstance(x, Dyn) or w is None or len(x.shape) != 3:
            fail(f"node {n.name}: Conv must take a [C,H,W] network tensor and constant weights")
        if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
            fail(f"node {n.name}: grouped or dilated Conv is not supported")
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET", b"VALID", "VALID"):
            fail(f"node {n.name}: auto_pad {a['auto_pad']} is not supported; use explicit pads")
        c, h, wd = x.shape
        o, ci, kh, kw = w.shape
        if ci != c:
            fail(f"node {n.name}: weights for {ci} channels, input has {c}")
        pads = list(a.get("pads", [0, 0, 0, 0]))
        strides = tuple(a.get("strides", [1, 1]))
        src = x
        if any(pads):
            src = self.pad(x, pads, n.name)
        _, hp, wp = src.shape
        oh, ow = (hp - kh) // strides[0] + 1, (wp - kw) // strides[1] + 1
        conv = nengo.Convolution(o, (c, hp, wp), kernel_size=(kh, kw), strides=strides,
                                 padding="valid", channels_last=False,
                                 init=np.transpose(w, (2, 3, 1, 0)))
        out = self.node(o * oh * ow, n.name)
        nengo.Connection(src.obj, out, transform=conv, synapse=None)
        if b is not None:
            self.add_bias(out, np.repeat(b, oh * ow))
        return Dyn(out, (o, oh, ow))

    def pad(self, x, pads, name):
        """Zero padding [C,H,W] -> [C,H+t+b,W+l+r] as a copy into a slice of
        the padded node. Explicit, because Nengo's "same" pads like
        TensorFlow (the extra row at the bottom), not like PyTorch. A slice,
        not a nengo.transforms.Sparse: without SciPy, Nengo turns a Sparse
        transform into a dense matrix (a 25,088 x 25,088 one, 5 GB, for
        fashion_bn's BatchNormalization), which takes minutes per image."""
        c, h, w = x.shape
        top, left, bottom, right = pads
        hp, wp = h + top + bottom, w + left + right
        ci, yi, xi = np.meshgrid(np.arange(c), np.arange(h), np.arange(w), indexing="ij")
        src = (ci * h + yi) * w + xi
        dst = (ci * hp + yi + top) * wp + xi + left
        assert np.array_equal(src.ravel(), np.arange(c * h * w))
        out = self.node(c * hp * wp, name + ".pad")
        nengo.Connection(x.obj, out[[int(i) for i in dst.ravel()]], synapse=None)
        return Dyn(out, (c, hp, wp))

    def op_Pad(self, n, a):
        x = self.vals[n.input[0]]
        pads = a.get("pads")
        if pads is None:
            pads = self.const(n.input[1])
        value = self.const(n.input[2]) if len(n.input) > 2 and n.input[2] else 0
        mode = a.get("mode", b"constant")
        pads = [int(p) for p in pads]
        if not isinstance(x, Dyn) or len(x.shape) != 3 or len(pads) != 8:
            fail(f"node {n.name}: Pad must take a [1,C,H,W] network tensor")
        if not any(pads):
            return x
        if mode not in (b"constant", "constant") or np.any(np.asarray(value) != 0) \
                or any(pads[i] for i in (0, 1, 4, 5)):
            fail(f"node {n.name}: only zero padding of H and W is supported")
        return self.pad(x, [pads[2], pads[3], pads[6], pads[7]], n.name)

    def op_AveragePool(self, n, a):
        x = self.vals[n.input[0]]
        if not isinstance(x, Dyn) or len(x.shape) != 3:
            fail(f"node {n.name}: AveragePool must take a [C,H,W] network tensor")
        k = tuple(a["kernel_shape"])
        strides = tuple(a.get("strides", k))
        if any(a.get("pads", [0, 0, 0, 0])) or a.get("ceil_mode", 0):
            fail(f"node {n.name}: padded or ceil-mode AveragePool is not supported")
        c, h, w = x.shape
        kern = np.zeros((k[0], k[1], c, c))
        for i in range(c):
            kern[:, :, i, i] = 1.0 / (k[0] * k[1])
        oh, ow = (h - k[0]) // strides[0] + 1, (w - k[1]) // strides[1] + 1
        out = self.node(c * oh * ow, n.name)
        nengo.Connection(x.obj, out, synapse=None, transform=nengo.Convolution(
            c, (c, h, w), kernel_size=k, strides=strides, padding="valid",
            channels_last=False, init=kern))
        return Dyn(out, (c, oh, ow))

    def op_GlobalAveragePool(self, n, a):
        x = self.vals[n.input[0]]
        c, h, w = x.shape
        t = np.kron(np.eye(c), np.full((1, h * w), 1.0 / (h * w)))
        out = self.node(c, n.name)
        nengo.Connection(x.obj, out, transform=t, synapse=None)
        return Dyn(out, (c, 1, 1))

    def linear(self, x, wmat, bias, name):
        """y = wmat @ x + bias, wmat [out, in]."""
        out = self.node(wmat.shape[0], name)
        nengo.Connection(x.obj, out, transform=wmat, synapse=None)
        if bias is not None:
            self.add_bias(out, np.broadcast_to(bias, (wmat.shape[0],)))
        return Dyn(out, (wmat.shape[0],))

    def op_Gemm(self, n, a):
        x = self.vals[n.input[0]]
        w = self.const(n.input[1])
        c = self.const(n.input[2]) if len(n.input) > 2 and n.input[2] else None
        if not isinstance(x, Dyn) or w is None or a.get("transA", 0):
            fail(f"node {n.name}: Gemm must be network tensor x constant weights")
        w = w.T if a.get("transB", 0) else w          # [in, out]
        wmat = a.get("alpha", 1.0) * w.T
        bias = None if c is None else a.get("beta", 1.0) * c.reshape(-1)
        return self.linear(self.flat(x), wmat, bias, n.name)

    def op_MatMul(self, n, a):
        x = self.vals[n.input[0]]
        w = self.const(n.input[1])
        if not isinstance(x, Dyn) or w is None or w.ndim != 2:
            fail(f"node {n.name}: MatMul must be network tensor x constant 2-D weights")
        return self.linear(self.flat(x), w.T, None, n.name)

    def flat(self, x):
        return x if len(x.shape) == 1 else Dyn(x.obj, (x.size,))

    def op_Add(self, n, a):
        p, q = self.vals[n.input[0]], self.vals[n.input[1]]
        if isinstance(p, Dyn) and isinstance(q, Dyn):
            if p.shape != q.shape:
                fail(f"node {n.name}: Add of shapes {p.shape} and {q.shape}")
            out = self.node(p.size, n.name)
            nengo.Connection(p.obj, out, synapse=None)
            nengo.Connection(q.obj, out, synapse=None)
            return Dyn(out, p.shape)
        if not isinstance(p, Dyn):
            p, q = q, p
        if not isinstance(p, Dyn):
            return p + q
        q = np.asarray(q, dtype=np.float64)
        if q.ndim > len(p.shape):   # leading batch axes of 1
            q = q.reshape(q.shape[q.ndim - len(p.shape):])
        bias = np.broadcast_to(q, p.shape)
        out = self.node(p.size, n.name)
        nengo.Connection(p.obj, out, synapse=None)
        self.add_bias(out, bias.ravel())
        return Dyn(out, p.shape)

    def scale_shift(self, x, scale, shift, name):
        """Elementwise y = scale * x + shift (arrays broadcast to x.shape).
        A vector transform, which Nengo applies elementwise (no matrix)."""
        scale = np.array(np.broadcast_to(scale, x.shape).ravel())
        out = self.node(x.size, name)
        nengo.Connection(x.obj, out, synapse=None, transform=scale)
        self.add_bias(out, np.broadcast_to(shift, x.shape).ravel())
        return Dyn(out, x.shape)

    def op_BatchNormalization(self, n, a):
        x = self.vals[n.input[0]]
        g, b, m, v = (self.const(i) for i in n.input[1:5])
        s = g / np.sqrt(v + a.get("epsilon", 1e-5))
        t = b - m * s
        if len(x.shape) == 3:
            s, t = s[:, None, None], t[:, None, None]
        return self.scale_shift(x, s, t, n.name)

    def op_Mul(self, n, a):
        p, q = self.vals[n.input[0]], self.vals[n.input[1]]
        if not isinstance(p, Dyn):
            p, q = q, p
        if not isinstance(p, Dyn):
            return p * q
        if isinstance(q, Dyn):
            fail(f"node {n.name}: Mul of two network tensors is not linear")
        q = np.asarray(q, dtype=np.float64)
        if q.ndim > len(p.shape):   # leading batch axes of 1
            q = q.reshape(q.shape[q.ndim - len(p.shape):])
        return self.scale_shift(p, q, 0.0, n.name)

    def op_Transpose(self, n, a):
        """A layout change (tf2onnx's NCHW <-> NHWC): a permutation matrix,
        or the constant itself permuted."""
        x = self.vals[n.input[0]]
        if not isinstance(x, Dyn):
            return np.transpose(x, a.get("perm"))
        perm = a.get("perm", list(range(len(x.shape), -1, -1)))
        if perm[0] != 0:
            fail(f"node {n.name}: Transpose moves the batch axis")
        order = np.transpose(np.arange(x.size).reshape(x.shape), [p - 1 for p in perm[1:]])
        out = self.node(x.size, n.name)
        nengo.Connection(x.obj[order.ravel().tolist()], out, synapse=None)
        return Dyn(out, order.shape)

    def op_Relu(self, n, a):
        x = self.vals[n.input[0]]
        ens = nengo.Ensemble(x.size, 1, neuron_type=self.neuron_type, label=n.name)
        nengo.Connection(x.obj, ens.neurons, synapse=None)
        self.n_ensembles += 1
        self.n_neurons += x.size
        return Dyn(ens.neurons, x.shape)

    def op_Flatten(self, n, a):
        x = self.vals[n.input[0]]
        if a.get("axis", 1) != 1:
            fail(f"node {n.name}: Flatten with axis {a['axis']} is not supported")
        return self.flat(x)

    def op_Reshape(self, n, a):
        x, shape = self.vals[n.input[0]], self.const(n.input[1])
        if not isinstance(x, Dyn):
            return np.reshape(x, shape)
        shape = [int(s) for s in shape]
        full = [1] + list(x.shape)
        shape = [full[i] if s == 0 else s for i, s in enumerate(shape)]
        shape = list(np.empty(full).reshape(shape).shape)
        if shape[0] != 1:
            fail(f"node {n.name}: Reshape moves data across the batch axis")
        return Dyn(x.obj, shape[1:])

    def op_Identity(self, n, a):
        return self.vals[n.input[0]]

    op_Dropout = op_Identity

    def op_Softmax(self, n, a):
        return self.vals[n.input[0]]    # the readout is an argmax

    op_LogSoftmax = op_Softmax

    # constant sub-graphs (PyTorch's x.view(x.size(0), -1))
    def op_Shape(self, n, a):
        x = self.vals[n.input[0]]
        return np.array([1] + list(x.shape) if isinstance(x, Dyn) else x.shape, dtype=np.int64)

    def op_Constant(self, n, a):
        return numpy_helper.to_array(a["value"])

    def op_Gather(self, n, a):
        return np.take(self.const(n.input[0]), self.const(n.input[1]), axis=a.get("axis", 0))

    def op_Unsqueeze(self, n, a):
        axes = a.get("axes")
        if axes is None:
            axes = self.const(n.input[1])
        v = self.const(n.input[0])
        for ax in sorted(int(i) for i in axes):
            v = np.expand_dims(v, ax)
        return v

    def op_Concat(self, n, a):
        return np.concatenate([np.atleast_1d(self.const(i)) for i in n.input], axis=a["axis"])

    def op_Cast(self, n, a):
        return self.const(n.input[0])

    def op_Slice(self, n, a):   # tf2onnx's Keras Flatten: the batch entry of a shape
        v = self.const(n.input[0])
        starts, ends = self.const(n.input[1]), self.const(n.input[2])
        axes = self.const(n.input[3]) if len(n.input) > 3 and n.input[3] else range(len(starts))
        steps = self.const(n.input[4]) if len(n.input) > 4 and n.input[4] else [1] * len(starts)
        cut = [slice(None)] * v.ndim
        for ax, b, e, st in zip(axes, starts, ends, steps):
            cut[int(ax)] = slice(int(b), int(e), int(st))
        return v[tuple(cut)]

    def run(self, model, inp, in_shape):
        graph = model.graph
        self.vals[graph.input[0].name] = Dyn(inp, in_shape)
        for n in graph.node:
            fn = getattr(self, "op_" + n.op_type, None)
            if fn is None:
                fail(f"node {n.name or n.output[0]}: operator {n.op_type} has no Nengo mapping here")
            for i in n.input:
                if i and i not in self.vals:
                    fail(f"node {n.name}: input {i} is not computed before it")
            res = fn(n, attrs(n))
            self.vals[n.output[0]] = res
        out = self.vals[graph.output[0].name]
        if not isinstance(out, Dyn):
            fail("the graph's output does not depend on its input")
        if self.n_ensembles == 0:
            fail("the network has no Relu activations, so no spiking neurons")
        return out


def input_shape(model):
    dims = model.graph.input[0].type.tensor_type.shape.dim
    shape = [d.dim_value for d in dims][1:]
    if not shape or any(s <= 0 for s in shape):
        fail(f"input {model.graph.input[0].name}: shape {shape} is not static")
    return tuple(shape)


def check(model, shape, x, ref_path):
    """The same mapping with ReLU units (gain 1, bias 0) must give the ONNX
    model's logits: proves the weights, layouts and padding are read right."""
    try:
        with open(ref_path) as f:
            rows = [line.split() for line in f if line.strip()]
    except OSError as e:
        fail(f"{ref_path}: {e}")
    ref = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    n = min(len(ref), len(x))
    current = np.zeros(x.shape[1])
    with nengo.Network(seed=0) as net:
        net.config[nengo.Ensemble].gain = nengo.dists.Choice([1])
        net.config[nengo.Ensemble].bias = nengo.dists.Choice([0])
        net.config[nengo.Connection].synapse = None
        inp = nengo.Node(lambda t: current, size_out=x.shape[1], label="input")
        out = Builder(model, net, nengo.RectifiedLinear()).run(model, inp, shape)
        probe = nengo.Probe(out.obj, synapse=None)
    got = np.zeros((n, ref.shape[1]))
    with nengo.Simulator(net, dt=0.001, progress_bar=False) as sim:
        for i in range(n):
            current[:] = x[i]
            sim.reset()
            sim.run_steps(1)
            got[i] = sim.data[probe][0]
    err = float(np.max(np.abs(got - ref[:n])))
    same = int(np.sum(np.argmax(got, 1) == np.argmax(ref[:n], 1)))
    ok = err < 1e-3 * max(1.0, float(np.max(np.abs(ref))))
    print(f"ReLU mapping vs {ref_path}: {n} images, "
          f"max |logit difference| {err:.2e}, same class {same}/{n}: {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 3


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("labels")
    ap.add_argument("--steps", type=int, nargs="+", default=[10, 40, 70, 100, 130],
                    help="step counts to report (default: the thesis's 10 40 70 100 130)")
    ap.add_argument("--limit", type=int, default=500, help="first N images (default 500)")
    ap.add_argument("--synapse", type=float, nargs="+", default=[0.1],
                    help="output probe lowpass time constants in s, one probe each; "
                         "the first is the main result (default 0.1)")
    ap.add_argument("--input-scale", type=float, default=1 / 255,
                    help="the model saw pixel p as p*S (default 1/255)")
    ap.add_argument("--seed", type=int, default=0, help="network seed (initial voltages)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--check", metavar="REF",
                    help="instead, check the mapping: rectified-linear neurons with gain 1 "
                         "and bias 0, one unfiltered step, logits compared with REF "
                         "(models/fixtures/NAME.ref, for the same first images)")
    args = ap.parse_args()
    if min(args.steps) < 1 or args.limit < 1:
        fail("--steps and --limit must be positive")

    try:
        model = onnx.load(args.model)
    except Exception as e:  # onnx raises several types
        fail(f"{args.model}: {e}")
    images, labels = read_idx(args.images), read_idx(args.labels)
    if len(images) != len(labels):
        fail(f"{len(images)} images but {len(labels)} labels")
    shape = input_shape(model)
    n = min(args.limit, len(images))
    x = images[:n].reshape(n, -1).astype(np.float64) * args.input_scale
    y = labels[:n].astype(np.int64)
    if x.shape[1] != int(np.prod(shape)):
        fail(f"images have {x.shape[1]} values, the model's input {shape} wants {int(np.prod(shape))}")

    if args.check:
        return check(model, shape, x, args.check)

    t0 = time.time()
    current = np.zeros(x.shape[1])
    with nengo.Network(seed=args.seed) as net:
        net.config[nengo.Ensemble].max_rates = nengo.dists.Choice([100])
        net.config[nengo.Ensemble].intercepts = nengo.dists.Choice([0])
        net.config[nengo.Connection].synapse = None
        inp = nengo.Node(lambda t: current, size_out=x.shape[1], label="input")
        b = Builder(model, net, nengo.LIF(amplitude=0.01))
        out = b.run(model, inp, shape)
        probes = [nengo.Probe(out.obj, synapse=syn) for syn in args.synapse]
    steps_max = max(args.steps)
    correct = [{s: 0 for s in args.steps} for _ in probes]
    with nengo.Simulator(net, dt=0.001, progress_bar=False, optimize=True) as sim:
        t_build = time.time() - t0
        for i in range(n):
            current[:] = x[i]
            sim.reset(seed=args.seed)
            sim.run_steps(steps_max)
            for c, probe in zip(correct, probes):
                yhat = np.argmax(sim.data[probe], axis=1)  # per step
                for s in args.steps:
                    c[s] += int(yhat[s - 1] == y[i])
    seconds = time.time() - t0
    acc = [{str(s): c[s] / n for s in sorted(args.steps)} for c in correct]
    meta = {
        "model": args.model, "images": n, "nengo": nengo.__version__,
        "neuron": "LIF tau_rc=0.02 tau_ref=0.002 amplitude=0.01, max_rates 100, intercepts 0",
        "ensembles": b.n_ensembles, "neurons": b.n_neurons,
        "synapse": args.synapse[0], "dt": 0.001, "build_seconds": round(t_build, 2),
        "seconds": round(seconds, 2),
    }
    if args.json:
        print(json.dumps(dict(meta, accuracy=acc[0],
                              by_synapse={str(syn): a for syn, a in zip(args.synapse, acc)})))
    else:
        print(f"{args.model}: Nengo {nengo.__version__}, {b.n_neurons} LIF neurons in "
              f"{b.n_ensembles} ensembles, {n} images, {seconds:.1f} s")
        for syn, c in zip(args.synapse, correct):
            for s in sorted(args.steps):
                print(f"probe synapse {syn} s, steps {s:4d}: {100 * c[s] / n:6.2f} % ({c[s]}/{n})")


if __name__ == "__main__":
    sys.exit(main())
