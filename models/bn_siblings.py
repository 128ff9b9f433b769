#!/usr/bin/python3
"""Train CNNs of the BN fixtures' families that no fixture is tuned on.

    /usr/bin/python3 models/bn_siblings.py [NAME ...]     (default: all)

Each sibling is Conv-BN-ReLU-AvgPool twice, Flatten, Linear-BN-ReLU, Linear,
like models/fixtures/fashion_bn.onnx, with other widths, kernels and seeds;
half keep BatchNormalization as nodes (TrainingMode.PRESERVE), half are
exported with BN folded into the convolutions by the exporter
(TrainingMode.EVAL). They measure how snnc converts networks it was not
tuned on (docs/benchmarks.md, "BN CNNs beside the fixture"), so they are
written to build/siblings/NAME.onnx, not committed; build/siblings/NAME.json
holds the float test accuracy PyTorch measured. res12 is a sibling of the
residual fixture (models/fixtures/resnet.onnx: train.py's ResNetSmall,
MNIST) with 12 channels instead of 16 and another seed. Debian's python3-torch,
CPU, two threads, fixed seeds: the same files on every run.
"""

import json
import os
import sys

import torch
import torch.nn as nn

import train  # models/train.py: data, training loop, export helpers

# name: conv widths, kernel sizes, hidden units, seed, BN folded by the exporter
# (res12: ResNetSmall's width)
SIBLINGS = {
    "res12": dict(widths=(12,), kernels=(3,), hidden=0, seed=6, folded=False),
    "bn16": dict(widths=(16, 32), kernels=(3, 3), hidden=64, seed=2, folded=False),
    "bn24f": dict(widths=(24, 48), kernels=(5, 3), hidden=48, seed=3, folded=True),
    "bn8f": dict(widths=(8, 16), kernels=(3, 3), hidden=32, seed=4, folded=True),
    "bn32f": dict(widths=(32, 32), kernels=(3, 5), hidden=32, seed=5, folded=True),
    # trained after the data-free scale choice was settled, to check it on
    # networks it had not seen (docs/benchmarks.md, "The scale choice
    # without data"): fres12 is the residual fixture's network on
    # Fashion-MNIST (like fashion_resnet) with 12 channels
    "bn12": dict(widths=(12, 24), kernels=(5, 5), hidden=40, seed=7, folded=False),
    "fres12": dict(widths=(12,), kernels=(3,), hidden=0, seed=8, folded=True),
}
EPOCHS = 3


def make(widths, kernels, hidden):
    (c1, c2), (k1, k2) = widths, kernels
    return nn.Sequential(
        nn.Conv2d(1, c1, k1, padding=k1 // 2), nn.BatchNorm2d(c1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(c1, c2, k2, padding=k2 // 2), nn.BatchNorm2d(c2), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * 7 * 7, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
        nn.Linear(hidden, 10),
    )


def export(model, path, folded):
    from torch.onnx import TrainingMode
    import onnx
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path + ".tmp", opset_version=train.OPSET,
                      input_names=["input"], output_names=["logits"],
                      training=TrainingMode.EVAL if folded else TrainingMode.PRESERVE,
                      do_constant_folding=folded)
    m = onnx.load(path + ".tmp")
    onnx.checker.check_model(m, full_check=True)
    os.replace(path + ".tmp", path)
    return sorted({n.op_type for n in m.graph.node})


def run(name):
    s = SIBLINGS[name]
    train.SEED = s["seed"]
    if name.startswith("fres"):  # as train.py trains fashion_resnet
        spec = dict(make=lambda: train.ResNetSmall(s["widths"][0]), data="fashion", epochs=3, batch=128,
                    lr=2e-3, wd=1e-4, aug=False)
    elif name.startswith("res"):
        spec = dict(make=lambda: train.ResNetSmall(s["widths"][0]), data="mnist", epochs=4, batch=64,
                    lr=2e-3, wd=1e-4, aug=True)
    else:
        spec = dict(make=lambda: make(s["widths"], s["kernels"], s["hidden"]), data="fashion",
                    epochs=EPOCHS, batch=128, lr=2e-3, wd=0, aug=False)
    model, acc, train_s, _ = train.train(name, spec)
    out = os.path.join(train.BUILD, "siblings")
    os.makedirs(out, exist_ok=True)
    ops = export(model, os.path.join(out, f"{name}.onnx"), s["folded"])
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(dict(name=name, **s, epochs=spec["epochs"], test_accuracy=acc, ops=ops,
                       train_seconds=round(train_s[0], 1)), f, indent=1)
    print(f"{name}: test accuracy {100 * acc:.2f} %, ops {' '.join(ops)}", flush=True)


def main():
    names = sys.argv[1:] or list(SIBLINGS)
    for n in names:
        if n not in SIBLINGS:
            sys.exit(f"bn_siblings.py: unknown sibling {n!r}; one of: {', '.join(SIBLINGS)}")
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    for n in names:
        run(n)


if __name__ == "__main__":
    main()
