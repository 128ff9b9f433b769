#!/usr/bin/python3
"""Train, export and record the reference networks.

    /usr/bin/python3 models/train.py NAME [NAME ...]     (or: all)

NAME is a row of ARCHS below. For each, on the CPU with two threads and fixed
seeds, this trains the network, measures its float accuracy on the whole test
split, and writes into models/fixtures/:

  NAME.onnx        torch.onnx.export, opset 13, input "input" [batch,1,28,28]
                   (pixel/255 in [0,1], no mean/std normalisation), output
                   "logits" [batch,10], batch axis dynamic
  NAME.ref         PyTorch's logits for the first 100 test images (format in
                   models/fixtures/README.md)
  {mnist,fashion}-test100-{images-idx3,labels-idx1}-ubyte.gz
                   those 100 test images and labels
  mlp_opset9.onnx, mlp_opset17.onnx   (mlp only) the same weights exported at
                   opset 9 and at this torch's highest opset

and a summary in build/models/NAME.json. Data: MNIST from
build/data/mnist-*-ubyte.gz (models/get_data.sh), Fashion-MNIST from Debian's
/usr/share/datasets/fashion-mnist.

Use Debian's interpreter (/usr/bin/python3: python3-torch, python3-onnx).
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import check_fixtures  # models/, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
FIXTURES = os.path.join(ROOT, "models", "fixtures")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
N_REF = 100
OPSET = 13
MAX_OPSET = 17  # highest opset torch 1.13's exporter supports


# --- data ------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzip or not) as a numpy array of unsigned bytes."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic >> 8 != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        sys.exit(f"{path}: {arr.size} bytes of data for dims {dims}")
    return arr.reshape(dims)


def write_idx_gz(path, arr):
    """Write unsigned bytes as gzipped IDX, byte-for-byte reproducibly."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    with open(path + ".tmp", "wb") as f:
        f.write(gzip.compress(header + arr.tobytes(), compresslevel=9, mtime=0))
    os.replace(path + ".tmp", path)


DATASETS = {
    "mnist": {
        "train": ("{build}/data/mnist-train-images-idx3-ubyte.gz",
                  "{build}/data/mnist-train-labels-idx1-ubyte.gz"),
        "test": ("{build}/data/mnist-test-images-idx3-ubyte.gz",
                 "{build}/data/mnist-test-labels-idx1-ubyte.gz"),
        "hint": "run models/get_data.sh (make data) first",
    },
    "fashion": {
        "train": (FASHION_DIR + "/train-images-idx3-ubyte.gz",
                  FASHION_DIR + "/train-labels-idx1-ubyte.gz"),
        "test": (FASHION_DIR + "/t10k-images-idx3-ubyte.gz",
                 FASHION_DIR + "/t10k-labels-idx1-ubyte.gz"),
        "hint": "install Debian's dataset-fashion-mnist (tools/deps.sh dataset-fashion-mnist)",
    },
}


def load(dataset, split):
    paths = [p.format(build=BUILD) for p in DATASETS[dataset][split]]
    for p in paths:
        if not os.path.exists(p):
            sys.exit(f"train.py: {p} missing; {DATASETS[dataset]['hint']}")
    images, labels = (read_idx(p) for p in paths)
    assert images.shape[1:] == (28, 28) and len(images) == len(labels)
    return images, labels


def to_tensor(images):
    """Unsigned-byte images to float input [N,1,28,28] = pixel/255."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


# --- networks ----------------------------------------------------------------
# All: ReLU, average pooling, biases kept. Networks whose flattening is
# written `x.view(x.size(0), -1)` export as Shape/Gather/Unsqueeze/Concat +
# Reshape; those using nn.Flatten export as a single Flatten node.

def mlp(hidden=256):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def mlp128():
    # The MNIST MLP that fits the iCE40 UP5K (about 100 K weights at 8 bits).
    return mlp(128)


class LeNet1(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5)      # 28 -> 24
        self.pool1 = nn.AvgPool2d(2)         # -> 12
        self.conv2 = nn.Conv2d(4, 12, 5)     # -> 8
        self.pool2 = nn.AvgPool2d(2)         # -> 4
        self.fc = nn.Linear(12 * 4 * 4, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        return self.fc(x.view(x.size(0), -1))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)  # 28 -> 28
        self.pool1 = nn.AvgPool2d(2)                # -> 14
        self.conv2 = nn.Conv2d(6, 16, 5)            # -> 10
        self.pool2 = nn.AvgPool2d(2)                # -> 5
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1, padding=1)    # 28
        self.conv2 = nn.Conv2d(32, 64, 3, stride=1, padding=1)   # 28
        self.conv3 = nn.Conv2d(64, 128, 3, stride=2, padding=1)  # 14
        self.fc = nn.Linear(128 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        return self.fc(x.view(x.size(0), -1))


def fashion_bn():
    # Hidden layer of 32 (not 128) keeps the fixture under 0.5 MB.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),   # 28
        nn.AvgPool2d(2),                                                  # 14
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),  # 14
        nn.AvgPool2d(2),                                                  # 7
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 32), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, 10),
    )


class ResBlock(nn.Module):
    """Two 3x3 convolutions with BatchNorm and a shortcut added before the
    last ReLU: the identity, or a strided 1x1 projection (with BatchNorm)
    where the block changes the shape. snnc maps the sum onto one layer
    whose input is both paths (docs/snnc.md, "Branches")."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class ResNetSmall(nn.Module):
    """A ResNet-style CNN small enough for a fixture (< 200 KB): a strided
    stem, a block with an identity shortcut, ResNet's downsampling block
    (strided first conv, strided 1x1 projection shortcut), and a linear
    readout."""

    def __init__(self, width=16):
        super().__init__()
        self.stem = nn.Conv2d(1, width, 3, stride=2, padding=1)  # 28 -> 14
        self.bn = nn.BatchNorm2d(width)
        self.block1 = ResBlock(width, width)                      # 14, identity
        self.block2 = ResBlock(width, 2 * width, stride=2)       # 7, projection
        self.fc = nn.Linear(2 * width * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.block2(self.block1(x))
        return self.fc(x.flatten(1))


# name: constructor, data set, epochs, batch size, peak learning rate
# (AdamW, one-cycle schedule), weight decay, augmentation, description
ARCHS = {
    "mlp": dict(make=mlp, data="mnist", epochs=40, batch=128, lr=2e-3, wd=1e-2, aug=True,
                desc="784-256-10 MLP"),
    "mlp128": dict(make=mlp128, data="mnist", epochs=40, batch=128, lr=2e-3, wd=1e-2, aug=True,
                   desc="784-128-10 MLP"),
    "lenet1": dict(make=LeNet1, data="mnist", epochs=30, batch=32, lr=3e-3, wd=0, aug=True,
                   desc="LeNet-1: conv5x5x4, avgpool2, conv5x5x12, avgpool2, fc10"),
    "lenet5": dict(make=LeNet5, data="mnist", epochs=20, batch=64, lr=2e-3, wd=0, aug=True,
                   desc="LeNet-5: conv5x5x6 pad2, avgpool2, conv5x5x16, avgpool2, fc120, fc84, fc10"),
    "cnn": dict(make=CNN, data="mnist", epochs=8, batch=64, lr=1e-3, wd=0, aug=True,
                desc="conv3x3x32 s1, conv3x3x64 s1, conv3x3x128 s2 (pad 1), fc10"),
    "fashion_bn": dict(make=fashion_bn, data="fashion", epochs=4, batch=128, lr=2e-3, wd=0,
                       aug=False,
                       desc="conv3x3x32+BN, avgpool2, conv3x3x64+BN, avgpool2, fc32+BN1d, fc10"),
    "resnet": dict(make=ResNetSmall, data="mnist", epochs=8, batch=64, lr=2e-3, wd=1e-4, aug=True,
                   desc="conv3x3x16 s2+BN, residual block 16 (identity), residual block 32 s2 "
                        "(1x1 projection), fc10"),
    # The residual network again on Fashion-MNIST: a branching graph whose
    # rates are far from saturated, unlike the digits'.
    "fashion_resnet": dict(make=ResNetSmall, data="fashion", epochs=3, batch=128, lr=2e-3, wd=1e-4,
                           aug=False,
                           desc="conv3x3x16 s2+BN, residual block 16 (identity), residual block 32 s2 "
                                "(1x1 projection), fc10"),
}
SEED = 1


# --- training ------------------------------------------------------------------

def augment(x, gen, rot=10.0, scale=0.1, shift=2.0):
    """Random affine distortion of a batch: rotation up to +-rot degrees,
    zoom 1 +- scale, translation up to +-shift pixels (bilinear, zero fill).
    The 8,000 MNIST training digits are too few for the MLP to reach 97 %
    without it."""
    n = len(x)
    r = (torch.rand(n, generator=gen) * 2 - 1) * rot * math.pi / 180
    s = 1 + (torch.rand(n, generator=gen) * 2 - 1) * scale
    t = (torch.rand(n, 2, generator=gen) * 2 - 1) * shift * 2 / 28
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = torch.cos(r) / s
    theta[:, 0, 1] = -torch.sin(r) / s
    theta[:, 1, 0] = torch.sin(r) / s
    theta[:, 1, 1] = torch.cos(r) / s
    theta[:, :, 2] = t
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def train(name, spec):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = spec["make"]()
    xtr, ytr = load(spec["data"], "train")
    xte, yte = load(spec["data"], "test")
    xtr, ytr = to_tensor(xtr), torch.from_numpy(ytr.astype(np.int64))
    xte_t, yte_t = to_tensor(xte), torch.from_numpy(yte.astype(np.int64))

    opt = torch.optim.AdamW(model.parameters(), lr=spec["lr"], weight_decay=spec["wd"])
    steps = spec["epochs"] * ((len(xtr) + spec["batch"] - 1) // spec["batch"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec["lr"], total_steps=steps)
    t0, c0 = time.time(), time.process_time()
    for epoch in range(spec["epochs"]):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(xtr), spec["batch"]):
            idx = perm[i:i + spec["batch"]]
            xb = augment(xtr[idx], gen) if spec["aug"] else xtr[idx]
            loss = F.cross_entropy(model(xb), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"{name}: epoch {epoch + 1}/{spec['epochs']} loss {total / len(xtr):.4f} "
              f"test {100 * evaluate(model, xte_t, yte_t):.2f} % ({time.time() - t0:.0f} s)",
              flush=True)
    train_s = (time.time() - t0, time.process_time() - c0)
    model.eval()
    return model, evaluate(model, xte_t, yte_t), train_s, (xte[:N_REF], yte[:N_REF])


# --- export ------------------------------------------------------------------

def export(model, path, opset):
    from torch.onnx import TrainingMode
    import onnx
    model.eval()
    # TrainingMode.PRESERVE on a model in eval mode exports inference
    # semantics but skips the exporter's eval-mode peephole pass, which would
    # otherwise fold each BatchNormalization into the Conv before it (it does
    # so even with do_constant_folding=False). No constant folding either:
    # the graph stays as the layers were written.
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), path + ".tmp",
        export_params=True, opset_version=opset,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        training=TrainingMode.PRESERVE, do_constant_folding=False)
    m = onnx.load(path + ".tmp")
    onnx.checker.check_model(m, full_check=True)
    os.replace(path + ".tmp", path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"  {os.path.relpath(path, ROOT)}: opset {opset}, {os.path.getsize(path)} bytes, ops {' '.join(ops)}")
    return ops


@torch.no_grad()
def write_ref(model, path, images, labels):
    model.eval()
    check_fixtures.write_ref(path, labels, model(to_tensor(images)).numpy())


def run(name):
    spec = ARCHS[name]
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    model, acc, train_s, (img100, lab100) = train(name, spec)
    n_params = sum(p.numel() for p in model.parameters())
    os.makedirs(FIXTURES, exist_ok=True)
    write_idx_gz(os.path.join(FIXTURES, f"{spec['data']}-test100-images-idx3-ubyte.gz"), img100)
    write_idx_gz(os.path.join(FIXTURES, f"{spec['data']}-test100-labels-idx1-ubyte.gz"), lab100)
    write_ref(model, os.path.join(FIXTURES, f"{name}.ref"), img100, lab100)
    ops = {f"{name}.onnx": export(model, os.path.join(FIXTURES, f"{name}.onnx"), OPSET)}
    if name == "mlp":
        for opset in (9, MAX_OPSET):
            f = f"mlp_opset{opset}.onnx"
            ops[f] = export(model, os.path.join(FIXTURES, f), opset)
    summary = dict(name=name, data=spec["data"], desc=spec["desc"], params=n_params,
                   test_accuracy=acc, n_test=len(load(spec["data"], "test")[1]),
                   train_seconds=round(train_s[0], 1), train_cpu_seconds=round(train_s[1], 1),
                   load_average=os.getloadavg(), epochs=spec["epochs"],
                   batch=spec["batch"], lr=spec["lr"], wd=spec["wd"],
                   aug=spec["aug"], seed=SEED, ops=ops,
                   torch=torch.__version__)
    os.makedirs(os.path.join(BUILD, "models"), exist_ok=True)
    with open(os.path.join(BUILD, "models", f"{name}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"{name}: {n_params} parameters, test accuracy {100 * acc:.2f} % "
          f"on {summary['n_test']} {spec['data']} test images, trained in {train_s[0]:.0f} s "
          f"({train_s[1]:.0f} s CPU)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="+", metavar="NAME", help=" | ".join(ARCHS) + " | all")
    args = ap.parse_args()
    names = list(ARCHS) if args.names == ["all"] else args.names
    for n in names:
        if n not in ARCHS:
            ap.error(f"unknown network {n!r}; one of: {', '.join(ARCHS)}, all")
    for n in names:
        run(n)


if __name__ == "__main__":
    main()
