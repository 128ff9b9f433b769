#!/usr/bin/env python3
"""The golden simulator beside the tools a user would pick instead, on the
bundled fixtures (docs/benchmarks.md, "Peers on the fixtures").

For each fixture: snnc compiles it (with calibration) into a configuration
image; build/bench/export_net writes the image's network as JSON; every
peer builds that network with the same integer weights, biases, thresholds
and initial membranes, and runs it on the same rate-coded input spike
trains (docs/neuron-model.md, "Input encoding", computed here) for T steps:

  snnsim      the golden simulator, one thread (-j 1) and all cores
  torch       a hand-written batched PyTorch reference: conv2d / linear and
              integrate-and-fire state, time step by time step
  snntorch    snnTorch: torch.nn layers and snn.Leaky(beta=1, subtract reset)
  sinabs      sinabs: torch.nn layers and IAFSqueeze (single spike, subtract),
              all time steps of a layer in one batch (feed-forward networks)
  nengo       Nengo: ensembles of an IF neuron type, Convolution transforms

Each peer's accuracy is checked against the ANN's (snnc eval on the same
images) and snnsim's: a peer more than --tolerance points below the lower
of the two fails the run (snnsim's counts where the conversion itself
loses more than that, as on resnet's 500 images at T = 32). Runs
at batch 1 (all of Nengo's) take the first --batch1-images (--nengo-images)
images only: they are slow, and their rate does not depend on the images.
Throughput is images per second on one thread (torch.set_num_threads(1)),
at each batch size in --batches (Nengo: 1), and the ratio to snnsim's
(one thread, the same images), which runs again right before each peer
run, so that each ratio compares two runs under the same load of the
machine.

    peers.py BUILD [--models lenet5,...] [--images N] [--steps T]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_grad_enabled(False)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def rate_spikes(pixels, steps):
    """docs/neuron-model.md's rate encoder: q := 127; each step q += p, and
    the input spikes (q -= 255) when q >= 255. [T, N, ...] of 0/1."""
    q = np.full(pixels.shape, 127, np.int32)
    p = pixels.astype(np.int32)
    out = np.zeros((steps,) + pixels.shape, np.uint8)
    for t in range(steps):
        q += p
        s = q >= 255
        q -= 255 * s
        out[t] = s
    return out


# ---- the network of a configuration image, merged back into layers --------

class Layer:
    """One phase of the image: its cores merged into one conv or dense op.
    Its output is its cores' neurons laid end to end (channels of conv
    cores, neurons of dense ones); its input space is assembled from the
    outputs of earlier layers (and the input) at the channel offsets of
    their routes (sources), so that branching graphs (resnet's residual
    blocks, which snnc turns into convolutions over both paths' channels
    side by side) run as the golden simulator runs them."""


def layer_sources(net, phase_of, offset_of, nchan_of, ids, shape):
    """(source layer, -1 for the input; its first channel, end; channel
    offset in this layer's input space) of every route into the cores
    ids, which must all receive the same routes."""
    per_dest = {d: set() for d in ids}
    for r in net["input_routes"]:
        if r["dest"] in per_dest:
            if (r["src_lo"], r["dy"], r["dx"]) != (0, 0, 0) or r["src_hi"] != int(np.prod(net["input"])):
                sys.exit("peers: an input route covers part of the input or shifts it")
            per_dest[r["dest"]].add((-1, 0, net["input"][0], r["dc"]))
    for c in net["cores"]:
        for r in c["routes"]:
            if r["dest"] not in per_dest:
                continue
            if phase_of[c["id"]] >= phase_of[r["dest"]]:
                sys.exit("peers: core %d routes to core %d of a phase not after its own" %
                         (c["id"], r["dest"]))
            if (r["src_lo"], r["dy"], r["dx"]) != (0, 0, 0) or r["src_hi"] != c["n_neurons"]:
                sys.exit("peers: core %d routes part of its neurons or shifts them" % c["id"])
            lo = offset_of[c["id"]]
            per_dest[r["dest"]].add((phase_of[c["id"]], lo, lo + nchan_of[c["id"]], r["dc"]))
    srcs = per_dest[ids[0]]
    if any(per_dest[d] != srcs for d in ids):
        sys.exit("peers: the cores of one phase receive different routes")
    for _, lo, hi, dc in srcs:
        if dc + hi - lo > shape[0]:
            sys.exit("peers: a route writes past its layer's %d input channels" % shape[0])
    return sorted(srcs, key=lambda x: (x[3], x[0]))


def build_layers(net):
    cores = net["cores"]
    phases = sorted({c["phase"] for c in cores})
    index = {ph: i for i, ph in enumerate(phases)}
    phase_of = {c["id"]: index[c["phase"]] for c in cores}
    offset_of, nchan_of, layers = {}, {}, []
    for ph in phases:	# each core's channels in its layer's output
        base = 0
        for c in cores:
            if c["phase"] == ph:
                nchan_of[c["id"]] = c["out_nc"] if c["mode"] == 2 else c["n_neurons"]
                offset_of[c["id"]] = base
                base += nchan_of[c["id"]]
    for i, ph in enumerate(phases):
        cs = [c for c in cores if c["phase"] == ph]
        c0 = cs[0]
        for c in cs:
            for key in ("mode", "in_c", "in_h", "in_w", "pool", "kh", "kw", "stride", "pad_y",
                        "pad_x", "out_y0", "out_h", "out_x0", "out_w", "threshold", "v_init",
                        "reset", "spiking", "leak", "refractory"):
                if c[key] != c0[key]:
                    sys.exit("peers: phase %d: cores differ in %s; not a layer" % (ph, key))
        if c0["leak"] or c0["refractory"] or c0["reset"] != 1:
            sys.exit("peers: phase %d is not plain IF with reset by subtraction" % ph)
        last = i == len(phases) - 1
        L = Layer()
        L.conv = c0["mode"] == 2
        L.threshold = float(c0["threshold"])
        L.v_init = float(c0["v_init"])
        L.spiking = bool(c0["spiking"]) and not last
        if not last and not L.spiking:
            sys.exit("peers: phase %d does not spike but is not the last" % ph)
        L.in_shape = (c0["in_c"], c0["in_h"], c0["in_w"])
        L.sources = layer_sources(net, phase_of, offset_of, nchan_of, [c["id"] for c in cs],
                                  L.in_shape)
        offsets = [offset_of[c["id"]] for c in cs]
        C = sum(nchan_of[c["id"]] for c in cs)
        if L.conv:
            P, S = c0["pool"], c0["stride"]
            kh, kw, oh, ow = c0["kh"], c0["kw"], c0["out_h"], c0["out_w"]
            ph_, pw_ = c0["in_h"] // P, c0["in_w"] // P
            if c0["out_y0"] or c0["out_x0"]:
                sys.exit("peers: phase %d is tiled" % ph)
            out_shape = (C, oh, ow)
            W = np.zeros((C, c0["in_c"], kh, kw), np.float32)
            B = np.zeros((C, oh, ow), np.float32)
            for c, off in zip(cs, offsets):
                nc = c["out_nc"]
                W[off:off + nc] = np.array(c["syn"], np.float32).reshape(nc, c0["in_c"], kh, kw)
                B[off:off + nc] = np.array(c["bias"], np.float32).reshape(nc, oh, ow)
            L.pool, L.stride, L.kernel = P, S, (kh, kw)
            # pad top/left as the core says, bottom/right (or crop) so that
            # the valid convolution gives exactly the tile
            hp, wp = (oh - 1) * S + kh, (ow - 1) * S + kw
            L.pad = (c0["pad_x"], wp - pw_ - c0["pad_x"], c0["pad_y"], hp - ph_ - c0["pad_y"])
            L.pooled = (ph_, pw_)
            L.in_hw = (c0["in_h"], c0["in_w"])
        else:
            n_ax = c0["n_axons"]
            out_shape = (C, 1, 1)
            W = np.zeros((C, n_ax), np.float32)
            B = np.zeros((C,), np.float32)
            for c, off in zip(cs, offsets):
                n = c["n_neurons"]
                W[off:off + n] = np.array(c["syn"], np.float32).reshape(n_ax, n).T
                B[off:off + n] = np.array(c["bias"], np.float32)
            L.n_axons = n_ax
        L.W, L.B = W, B
        L.out_shape = out_shape
        # one source that is the whole input space: passed on as it is
        src_shape = lambda j: tuple(net["input"]) if j < 0 else layers[j].out_shape
        L.direct = len(L.sources) == 1 and L.sources[0][1:] == (0, src_shape(L.sources[0][0])[0], 0) \
            and int(np.prod(src_shape(L.sources[0][0]))) == int(np.prod(L.in_shape))
        if not L.direct:
            for j, lo, hi, dc in L.sources:
                if src_shape(j)[1:] != L.in_shape[1:]:
                    sys.exit("peers: phase %d reads %s into %s" % (ph, src_shape(j), L.in_shape))
        if last:
            L.outputs = []
            for core, neuron in net["outputs"]:
                k = [c["id"] for c in cs].index(core)
                if L.conv:
                    plane = oh * ow
                    L.outputs.append((offsets[k] + neuron // plane) * plane + neuron % plane)
                else:
                    L.outputs.append(offsets[k] + neuron)
        layers.append(L)
    return layers


def layer_input(L, x, outs):
    """Layer L's input space [B, C, H, W] from the network's input x and
    the outputs of the layers before it (outs, by layer)."""
    if L.direct:
        j = L.sources[0][0]
        src = x if j < 0 else outs[j]
        return src.reshape((src.shape[0],) + L.in_shape)
    out = x.new_zeros((x.shape[0],) + L.in_shape)
    for j, lo, hi, dc in L.sources:
        out[:, dc:dc + hi - lo] += (x if j < 0 else outs[j])[:, lo:hi]
    return out


# ---- peers ------------------------------------------------------------------

def torch_ops(layers):
    """Per layer a function from input [B, C, H, W] to input current
    (bias included), in plain torch.nn.functional."""
    ops = []
    for L in layers:
        W, B = torch.from_numpy(L.W), torch.from_numpy(L.B)
        if L.conv:
            def op(x, L=L, W=W, B=B):
                if L.pool > 1:	# sum pooling, exact for counts
                    x = F.avg_pool2d(x[..., :L.pooled[0] * L.pool, :L.pooled[1] * L.pool],
                                     L.pool) * (L.pool * L.pool)
                x = F.pad(x, L.pad)
                return F.conv2d(x, W, stride=L.stride) + B
        else:
            def op(x, L=L, W=W, B=B):
                return F.linear(x.flatten(1)[:, :L.n_axons], W, B)
        ops.append(op)
    return ops


def run_torch(layers, spikes, batch):
    """Hand-written reference: each time step through every layer, IF state
    (v += I; spike where v >= theta; v -= theta)."""
    ops = torch_ops(layers)
    T, N = spikes.shape[:2]
    classes = np.zeros(N, np.int64)
    for b0 in range(0, N, batch):
        x_all = torch.from_numpy(spikes[:, b0:b0 + batch]).float()
        nb = x_all.shape[1]
        v = [torch.full((nb,) + L.out_shape if L.conv else (nb, L.W.shape[0]), L.v_init)
             for L in layers]
        outs = [None] * len(layers)
        for t in range(T):
            for i, (L, op) in enumerate(zip(layers, ops)):
                v[i] += op(layer_input(L, x_all[t], outs))
                if L.spiking:
                    s = (v[i] >= L.threshold).float()
                    v[i] -= s * L.threshold
                    outs[i] = s.view((nb,) + L.out_shape)
        out = v[-1].flatten(1)[:, layers[-1].outputs]
        classes[b0:b0 + nb] = out.argmax(1).numpy()
    return classes


class Crop(nn.Module):
    def __init__(self, h, w):
        super().__init__()
        self.h, self.w = h, w

    def forward(self, x):
        return x[..., :self.h, :self.w]


class Head(nn.Module):
    """A dense core's axons: the first n values of the flattened input."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x.flatten(1)[:, :self.n]


class SumPool(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.pool = nn.AvgPool2d(p)
        self.scale = float(p * p)

    def forward(self, x):
        return self.pool(x) * self.scale


def torch_modules(layers):
    """The layers as torch.nn modules (for snnTorch and sinabs)."""
    mods = []
    for L in layers:
        if L.conv:
            conv = nn.Conv2d(L.W.shape[1], L.W.shape[0], L.kernel, stride=L.stride, bias=False)
            conv.weight.data = torch.from_numpy(L.W)
            seq = []
            if L.pool > 1:
                seq += [Crop(L.pooled[0] * L.pool, L.pooled[1] * L.pool), SumPool(L.pool)]
            seq += [nn.ZeroPad2d(L.pad), conv]
            mods.append((nn.Sequential(*seq), torch.from_numpy(L.B)))
        else:
            lin = nn.Linear(L.n_axons, L.W.shape[0])
            lin.weight.data = torch.from_numpy(L.W)
            lin.bias.data = torch.from_numpy(L.B)
            mods.append((nn.Sequential(Head(L.n_axons), lin), None))
    return mods


def run_snntorch(layers, spikes, batch):
    import snntorch as snn
    mods = torch_modules(layers)
    lifs = [snn.Leaky(beta=1.0, threshold=L.threshold, reset_mechanism="subtract",
                      reset_delay=False) for L in layers]
    T, N = spikes.shape[:2]
    classes = np.zeros(N, np.int64)
    for b0 in range(0, N, batch):
        x_all = torch.from_numpy(spikes[:, b0:b0 + batch]).float()
        nb = x_all.shape[1]
        mem = [torch.full((nb,) + L.out_shape if L.conv else (nb, L.W.shape[0]), L.v_init)
               for L in layers]
        outs = [None] * len(layers)
        for t in range(T):
            for i, (L, (m, bias), lif) in enumerate(zip(layers, mods, lifs)):
                cur = m(layer_input(L, x_all[t], outs))
                if bias is not None:
                    cur = cur + bias
                if L.spiking:
                    spk, mem[i] = lif(cur, mem[i])
                    outs[i] = spk.view((nb,) + L.out_shape)
                else:
                    mem[i] = mem[i] + cur
        classes[b0:b0 + nb] = mem[-1].flatten(1)[:, layers[-1].outputs].argmax(1).numpy()
    return classes


class AddFirst(nn.Module):
    """Adds the bias every step and the initial membrane at the first step
    of each sample (IAF layers start at 0), on [B*T, ...] tensors."""

    def __init__(self, bias, v_init, steps):
        super().__init__()
        self.bias, self.v_init, self.steps = bias, v_init, steps

    def forward(self, x):
        if self.bias is not None:
            x = x + self.bias
        x = x.view((-1, self.steps) + x.shape[1:]).clone()
        x[:, 0] += self.v_init
        return x.view((-1,) + x.shape[2:])


def run_sinabs(layers, spikes, batch):
    import sinabs.layers as sl
    from sinabs.activation import SingleSpike, MembraneSubtract
    T, N = spikes.shape[:2]
    mods = torch_modules(layers)
    model = []	# per layer, on its input space
    for L, (m, bias) in zip(layers, mods):
        seq = [m, AddFirst(bias, L.v_init, T)]
        if L.spiking:
            seq.append(sl.IAFSqueeze(num_timesteps=T, spike_threshold=torch.tensor(L.threshold),
                                     spike_fn=SingleSpike, reset_fn=MembraneSubtract(),
                                     min_v_mem=None))
            if not L.conv:
                seq.append(nn.Unflatten(1, L.out_shape))
        model.append(nn.Sequential(*seq))
    classes = np.zeros(N, np.int64)
    for b0 in range(0, N, batch):
        x = torch.from_numpy(spikes[:, b0:b0 + batch]).float()
        nb = x.shape[1]
        for mod in model:
            for sub in mod.modules():
                if isinstance(sub, sl.IAFSqueeze):
                    sub.reset_states()
        x = x.transpose(0, 1).reshape((nb * T,) + x.shape[2:])	# [B*T, C, H, W]
        outs = []	# each layer's output over all steps, [B*T, ...]
        for L, mod in zip(layers, model):
            outs.append(mod(layer_input(L, x, outs)))
        out = outs[-1].view(nb, T, -1).sum(1)	# the output layer integrates
        classes[b0:b0 + nb] = out[:, layers[-1].outputs].argmax(1).numpy()
    return classes


def input_object(L, inp, objs, nengo):
    """What Nengo connects layer L's input space from: the source's
    neurons (or the input node) itself, or a node that gathers the sources'
    channels at their offsets."""
    if L.direct:
        j = L.sources[0][0]
        return inp if j < 0 else objs[j]
    hw = L.in_shape[1] * L.in_shape[2]
    node = nengo.Node(size_in=int(np.prod(L.in_shape)))
    for j, lo, hi, dc in L.sources:
        nengo.Connection((inp if j < 0 else objs[j])[lo * hw:hi * hw],
                         node[dc * hw:(dc + hi - lo) * hw], synapse=None)
    return node


def run_nengo(layers, spikes, batch):
    import nengo

    class IF(nengo.neurons.NeuronType):
        """Integrate-and-fire with reset by subtraction and a threshold of 1,
        one spike (of 1, not 1/dt) per step at most: the device's neuron
        without saturation. Nengo's own SpikingRectifiedLinear drops
        negative currents (max(J, 0)), which these converted networks need."""
        state = {"voltage": nengo.dists.Choice([0])}
        spiking = True

        def rates(self, x, gain, bias):	# Nengo's build asks: the ReLU rate
            x = np.atleast_1d(np.asarray(x, dtype=float))
            return np.maximum(gain * x[:, None] + bias, 0)

        def step(self, dt, J, output, voltage):
            voltage += J * dt
            s = voltage >= 1
            output[:] = s
            voltage -= s

    dt = 0.001
    T, N = spikes.shape[:2]
    cur = {"x": None}
    with nengo.Network(seed=0) as model:
        inp = nengo.Node(lambda t: cur["x"][min(int(round(t / dt)) - 1, T - 1)],
                         size_out=int(np.prod(spikes.shape[2:])))
        probe, objs = None, []	# objs: each layer's neurons
        for L in layers:
            pre = input_object(L, inp, objs, nengo)
            if L.conv:
                P, (kh, kw), S = L.pool, L.kernel, L.stride
                ci, (h, w) = L.W.shape[1], L.in_hw
                # pooling folded into the kernel: a P-times larger kernel at
                # stride P*S over the padded, unpooled input
                pl, pr, pt, pb = (v * P for v in L.pad)
                hp, wp = L.pooled[0] * P + pt + pb, L.pooled[1] * P + pl + pr
                pad = nengo.Node(size_in=ci * hp * wp)
                src, dst = [], []
                for c in range(ci):
                    for y in range(min(h, L.pooled[0] * P)):
                        for x in range(min(w, L.pooled[1] * P)):
                            yy, xx = y + pt, x + pl
                            if 0 <= yy < hp and 0 <= xx < wp:
                                src.append((c * h + y) * w + x)
                                dst.append((c * hp + yy) * wp + xx)
                nengo.Connection(pre[src], pad[dst], synapse=None)
                Wk = np.repeat(np.repeat(L.W, P, axis=2), P, axis=3)	# [co, ci, kh*P, kw*P]
                tr = nengo.Convolution(L.W.shape[0], (ci, hp, wp), (kh * P, kw * P),
                                       strides=(S * P, S * P), padding="valid",
                                       channels_last=False,
                                       init=Wk.transpose(2, 3, 1, 0))
                n, bias, src_node = L.W.shape[0] * int(np.prod(L.out_shape[1:])), L.B.ravel(), pad
            else:
                tr = L.W
                n, bias = L.W.shape[0], L.B
                src_node = pre[:L.n_axons]
            if L.spiking:
                ens = nengo.Ensemble(n, 1, neuron_type=IF(initial_state={
                    "voltage": nengo.dists.Choice([L.v_init / L.threshold])}),
                    gain=np.full(n, 1.0 / (L.threshold * dt)), bias=bias / (L.threshold * dt))
                nengo.Connection(src_node, ens.neurons, transform=tr, synapse=None)
                objs.append(ens.neurons)
            else:
                out = nengo.Node(size_in=n)
                nengo.Connection(src_node, out, transform=tr, synapse=None)
                probe = nengo.Probe(out, synapse=None)
                out_bias, out_v = bias, L.v_init
    classes = np.zeros(N, np.int64)
    with nengo.Simulator(model, dt=dt, progress_bar=False, optimize=True) as sim:
        for k in range(N):
            cur["x"] = spikes[:, k].reshape(T, -1).astype(np.float64)
            sim.reset()
            sim.run_steps(T)
            v = sim.data[probe].sum(0) + out_bias * T + out_v
            classes[k] = int(np.argmax(v[layers[-1].outputs]))
    return classes


PEERS = {"torch": run_torch, "snntorch": run_snntorch, "sinabs": run_sinabs, "nengo": run_nengo}

# ---- driver -------------------------------------------------------------------

DATA = {
    "mnist": ("{b}/data/mnist-train-images-idx3-ubyte.gz", "{b}/data/mnist-test-images-idx3-ubyte.gz",
              "{b}/data/mnist-test-labels-idx1-ubyte.gz"),
    "fashion": (FASHION + "/train-images-idx3-ubyte.gz", FASHION + "/t10k-images-idx3-ubyte.gz",
                FASHION + "/t10k-labels-idx1-ubyte.gz"),
}


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        sys.exit("peers: %s failed:\n%s" % (" ".join(cmd), r.stdout))
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("--models", default="lenet1,lenet5,cnn,fashion_bn,keras_cnn,resnet,fashion_resnet,mlp")
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--batches", default="1,20,80")
    ap.add_argument("--peers", default="torch,snntorch,sinabs,nengo")
    ap.add_argument("--nengo-images", type=int, default=100,
                    help="Nengo runs batch 1 and slowly: on the first N images")
    ap.add_argument("--batch1-images", type=int, default=100,
                    help="the other peers at batch 1, also slow: on the first N images")
    ap.add_argument("--tolerance", type=float, default=1.0,
                    help="accuracy points a peer may lose against the ANN")
    a = ap.parse_args()
    b = a.build
    out = os.path.join(b, "bench", "peers")
    os.makedirs(out, exist_ok=True)
    batches = [int(x) for x in a.batches.split(",")]
    failed = False
    summary = []
    for name in a.models.split(","):
        train, test, labels_path = (p.format(b=b) for p in DATA["fashion" if name.startswith("fashion") else "mnist"])
        onnx = os.path.join(ROOT, "models", "fixtures", name + ".onnx")
        cfg, js = os.path.join(out, name + ".cfg"), os.path.join(out, name + ".json")
        run([os.path.join(b, "snnc"), onnx, "-o", cfg, "--calib", train, "-T", str(a.steps)])
        run([os.path.join(b, "bench", "export_net"), cfg, js])
        net = json.load(open(js))
        layers = build_layers(net)
        images = read_idx(test)[:a.images]
        labels = read_idx(labels_path)[:a.images].astype(np.int64)
        n = len(images)
        spikes = rate_spikes(images.reshape((n,) + tuple(net["input"])), a.steps)
        ann = run([os.path.join(b, "snnc"), "eval", onnx, "--images", test, "--labels",
                   labels_path, "--limit", str(n)])
        ann_acc = float(ann.split("accuracy")[1].split("%")[0].strip(" :")) / 100
        def snnsim(jobs, limit=n):
            return json.loads(run([os.path.join(b, "snnsim"), cfg, "-i", test, "-l",
                                   labels_path, "-n", str(limit), "-T", str(a.steps), "-j",
                                   str(jobs), "--json", "-q"]))
        golden = {jobs: snnsim(jobs) for jobs in (1, os.cpu_count() or 1)}
        g1 = golden[1]
        g_rate = n / g1["seconds"]
        print("%s: %d images, T = %d, ANN %.2f %%, %.0f synaptic ops per image" %
              (name, n, a.steps, 100 * ann_acc, g1["sops_per_image"]))
        print("  %-10s %5s %10s %9s %8s  %s" % ("tool", "batch", "images/s", "accuracy", "snnsim/x",
                                             "(snnsim run just before)"))
        print("  %-10s %5d %10.0f %8.2f%% %8s" % ("snnsim", 1, g_rate, 100 * g1["accuracy"], ""))
        for jobs, r in golden.items():
            if jobs != 1:
                print("  %-10s %5s %10.0f %8.2f%%   (-j %d)" % ("snnsim", "-", n / r["seconds"],
                                                            100 * r["accuracy"], jobs))
        best = (0.0, None, 0.0)
        worst = None	# the smallest paired ratio
        for peer in a.peers.split(","):
            for batch in ([1] if peer == "nengo" else batches):
                m = min(n, a.nengo_images if peer == "nengo" else
                        a.batch1_images if batch == 1 else n)
                # snnsim again right before each peer run: the machine's load
                # changes, and a ratio of two runs minutes apart would show it
                g = snnsim(1)
                g_now = n / g["seconds"]
                t0 = time.perf_counter()
                cls = PEERS[peer](layers, spikes[:, :m], batch)
                dt = time.perf_counter() - t0
                acc = float((cls == labels[:m]).mean())
                ann_m, snn_m = ann_acc, g1["accuracy"]
                if m != n:	# the ANN and snnsim on the same images
                    ann_m = float(run([os.path.join(b, "snnc"), "eval", onnx, "--images", test,
                                       "--labels", labels_path, "--limit", str(m)])
                                  .split("accuracy")[1].split("%")[0].strip(" :")) / 100
                    snn_m = snnsim(1, m)["accuracy"]
                ref = min(ann_m, snn_m)
                ok = acc >= ref - a.tolerance / 100
                failed |= not ok
                rate = m / dt
                print("  %-10s %5d %10.0f %8.2f%% %7.2fx  (%.0f)%s" % (
                    peer, batch, rate, 100 * acc, g_now / rate, g_now,
                    "" if ok else "  FAIL: %.2f points below %.2f %% (ANN %.2f %%, snnsim %.2f %%) "
                    "on %d images" % (100 * (ref - acc), 100 * ref, 100 * ann_m, 100 * snn_m, m)))
                if rate > best[0]:
                    best = (rate, "%s batch %d" % (peer, batch), g_now)
                if worst is None or g_now / rate < worst[0]:
                    worst = (g_now / rate, "%s batch %d" % (peer, batch))
                sys.stdout.flush()
        if best[1]:
            print("  fastest peer: %s, %.0f images/s; snnsim (one thread) run just before it: "
                  "%.0f, %.2fx; smallest ratio of any pair: %.2fx (%s)" %
                  (best[1], best[0], best[2], best[2] / best[0], worst[0], worst[1]))
            summary.append((name, best[2], best[1], best[0], worst))
    print("summary: " + "; ".join("%s %.2fx %s (smallest pair %.2fx)" % (
        s[0], s[1] / s[3], s[2], s[4][0]) for s in summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
