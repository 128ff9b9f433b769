#!/usr/bin/python3
"""Where a chain CNN loses accuracy between its ANN and its spiking network at T steps.

    /usr/bin/python3 bench/conversion_dynamics.py MODEL.onnx [--n 1000] [-T 32]
        [--lambdas L0,L1,...] [--bias-correction N] [--snnc build/snnc]

For a chain of Conv / Gemm layers (BatchNormalization, zero Pad,
AveragePool and Flatten between them, each hidden layer ending in Relu),
such as models/bn_siblings.py writes, on the first N Fashion-MNIST test
images (Debian's dataset-fashion-mnist):

- the ANN's accuracy;
- the count-quantised ANN: each hidden activation clipped at its layer's
  scale lambda and rounded to a multiple of lambda / T, what an IF neuron
  fed a constant current would give (the rounding the scale choice sees);
- a float simulation of the golden model's IF neurons (reset by
  subtraction, membrane starting at half the threshold, the rate-coded
  input encoder of docs/neuron-model.md, membrane readout): its accuracy
  and, per hidden layer, the share of neurons that "overfire": they spiked
  earlier than their whole input over T steps justifies (membrane below 0
  at the end, with spikes counted); no later input can take those spikes
  back;
- with --bias-correction N: each hidden layer's bias shifted per channel by
  the mean difference between the ANN's clipped activation and the
  spiking rate times lambda, measured on N training images, layer after
  layer, and the simulation's accuracy after it.

The scales are snnc's (read from `snnc MODEL -o ... -v -T T`, the data-free
default) unless --lambdas gives them. Debian's python3-torch and
python3-onnx; docs/benchmarks.md ("Where the BN siblings lose at T=32")
has the figures it produced.
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

FASHION = "/usr/share/datasets/fashion-mnist"


def idx_images(path, n):
    raw = gzip.open(path).read()
    return torch.tensor(np.frombuffer(raw[16:], np.uint8)[:n * 784].reshape(n, 1, 28, 28).astype(np.int64))


def idx_labels(path, n):
    return np.frombuffer(gzip.open(path).read()[8:], np.uint8)[:n]


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def layers_of(model):
    """The chain as a list of layers, each a list of (op, params) steps,
    the weighted op's bias folded into a per-output-channel bias."""
    w = {i.name: torch.tensor(numpy_helper.to_array(i).copy()).double() for i in model.graph.initializer}
    consts = {}
    layers, cur = [], []
    for n in model.graph.node:
        a = attrs(n)
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(a["value"])
        elif n.op_type == "Conv":
            cur.append(("conv", w[n.input[1]], w[n.input[2]] if len(n.input) > 2 else None,
                        a.get("pads", [0, 0, 0, 0]), a.get("strides", [1, 1])))
        elif n.op_type == "Gemm":
            wt = w[n.input[1]]
            cur.append(("gemm", wt if a.get("transB", 0) else wt.T, w[n.input[2]] if len(n.input) > 2 else None))
        elif n.op_type == "BatchNormalization":
            g, b, mu, var = (w[x] for x in n.input[1:5])
            s = g / torch.sqrt(var + a.get("epsilon", 1e-5))
            cur.append(("affine", s, b - mu * s))
        elif n.op_type == "Pad":
            pads = consts.get(n.input[1]) if n.input[1] in consts else w[n.input[1]].numpy()
            if np.any(np.asarray(pads) != 0):
                sys.exit(f"conversion_dynamics: node {n.name}: only a Pad of zeros is handled")
        elif n.op_type == "AveragePool":
            cur.append(("avgpool", a["kernel_shape"][0], a.get("strides", a["kernel_shape"])[0]))
        elif n.op_type == "Flatten":
            cur.append(("flatten",))
        elif n.op_type == "Relu":
            layers.append(cur)
            cur = []
        else:
            sys.exit(f"conversion_dynamics: node {n.name} ({n.op_type}) is not handled")
    layers.append(cur)	# the readout
    return layers


def run_layer(steps, x, bias_shift=None):
    """One layer's pre-activation; bias_shift adds per output channel."""
    for s in steps:
        if s[0] == "conv":
            p = s[3]
            x = F.conv2d(x, s[1], s[2], stride=s[4], padding=(p[0], p[1]))
        elif s[0] == "gemm":
            x = x @ s[1].T + (s[2] if s[2] is not None else 0)
        elif s[0] == "affine":
            shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
            x = x * s[1].view(shape) + s[2].view(shape)
        elif s[0] == "avgpool":
            x = F.avg_pool2d(x, s[1], s[2])
        elif s[0] == "flatten":
            x = x.flatten(1)
    if bias_shift is not None:
        x = x + bias_shift.view((1, -1, 1, 1) if x.dim() == 4 else (1, -1))
    return x


def ann(layers, px, lambdas=None, steps=0):
    """Accuracy logits and hidden activations; with steps, each activation
    clipped at lambda and rounded to multiples of lambda / steps."""
    h, acts = px.double() / 255, []
    for k, L in enumerate(layers[:-1]):
        h = F.relu(run_layer(L, h))
        if steps:
            h = torch.floor(torch.clamp(h / lambdas[k], 0, 1) * steps + 0.5) / steps * lambdas[k]
        acts.append(h)
    return acts, run_layer(layers[-1], h)


def snn(layers, px, lambdas, steps, shifts, upto=None):
    """The IF network in float: spike counts and final membranes of the
    first `upto` hidden layers, and the readout's accumulated current."""
    upto = len(layers) - 1 if upto is None else upto
    q = torch.full_like(px, 127)
    v, cnt, out = [None] * upto, [None] * upto, 0
    scale_in = [1.0] + list(lambdas)
    for _ in range(steps):
        q = q + px
        fired = q >= 255
        q = q - 255 * fired.long()
        inp = fired.double()
        for k in range(upto):
            cur = run_layer(layers[k], inp * scale_in[k], shifts[k]) / lambdas[k]
            if v[k] is None:
                v[k], cnt[k] = torch.full_like(cur, 0.5), torch.zeros_like(cur)
            v[k] = v[k] + cur
            inp = (v[k] >= 1).double()
            v[k] = v[k] - inp
            cnt[k] = cnt[k] + inp
        if upto == len(layers) - 1:
            out = out + run_layer(layers[-1], inp * scale_in[-1])
    return cnt, v, out


def snnc_lambdas(snnc, model, steps):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([snnc, model, "-o", os.path.join(d, "m.cfg"), "-T", str(steps), "-v"],
                           capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"conversion_dynamics: snnc failed: {r.stderr}")
    lam = [float(m.group(1)) for m in re.finditer(r"^\S+\s+(?:conv|dense)\s.*?(\S+)\s+\d+\s*$", r.stderr + r.stdout, re.M)]
    return lam


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("-T", "--steps", type=int, default=32)
    ap.add_argument("--lambdas")
    ap.add_argument("--bias-correction", type=int, default=0, metavar="N")
    ap.add_argument("--snnc", default=os.path.join(os.environ.get("BUILD", "build"), "snnc"))
    a = ap.parse_args()
    torch.set_num_threads(2)
    layers = layers_of(onnx.load(a.model))
    lam = [float(x) for x in a.lambdas.split(",")] if a.lambdas else snnc_lambdas(a.snnc, a.model, a.steps)
    if len(lam) != len(layers) - 1:
        sys.exit(f"conversion_dynamics: {len(lam)} scales for {len(layers) - 1} hidden layers")
    px = idx_images(f"{FASHION}/t10k-images-idx3-ubyte.gz", a.n)
    lab = idx_labels(f"{FASHION}/t10k-labels-idx1-ubyte.gz", a.n)
    accuracy = lambda logits: 100.0 * float((logits.argmax(1).numpy() == lab).mean())
    print(f"model {a.model}, {a.n} test images, T = {a.steps}, lambdas {', '.join(f'{x:g}' for x in lam)}")
    print(f"ANN                        {accuracy(ann(layers, px)[1]):6.2f} %")
    print(f"count-quantised ANN        {accuracy(ann(layers, px, lam, a.steps)[1]):6.2f} %")
    shifts = [None] * len(lam)
    cnt, v, out = snn(layers, px, lam, a.steps, shifts)
    print(f"IF simulation              {accuracy(out):6.2f} %")
    for k in range(len(lam)):
        over = ((v[k] < 0) & (cnt[k] > 0)).double().mean().item()
        print(f"  hidden layer {k}: mean {cnt[k].mean().item():.2f} spikes per neuron, "
              f"{100 * over:.1f} % of neurons overfired")
    if a.bias_correction:
        cal = idx_images(f"{FASHION}/train-images-idx3-ubyte.gz", a.bias_correction)
        acts = ann(layers, cal)[0]
        for k in range(len(lam)):
            cnt = snn(layers, cal, lam, a.steps, shifts, k + 1)[0]
            err = torch.clamp(acts[k], max=lam[k]) - cnt[k] / a.steps * lam[k]
            shifts[k] = err.mean(dim=[0, 2, 3] if err.dim() == 4 else [0])
            print(f"  hidden layer {k}: bias shift mean |{shifts[k].abs().mean().item():.4f}|, "
                  f"largest {shifts[k].abs().max().item():.4f}")
        print(f"IF simulation, corrected   {accuracy(snn(layers, px, lam, a.steps, shifts)[2]):6.2f} %")


if __name__ == "__main__":
    main()
