"""The Python side of tests/compiler/test_nir.c (docs/nir.md, "Tests"),
run with the venv `make test-nir` builds (PyPI nir 1.0.8, snnTorch, sinabs):

  nir_check.py summary IN.nir OUT.txt REWRITTEN.nir
      read IN.nir with nir.read(type_check=True), write what nir sees (one
      line per node, parameter and edge) and write the graph back with
      nir.write, for the C reader to compare.
  nir_check.py fixtures DIR
      NIR files written by Python from the mlp fixture's trained weights:
      by nir itself (IF neurons, as a converted ReLU network), by snnTorch
      (export_to_nir of Leaky neurons) and by sinabs (to_nir of IAF neurons).
"""
import sys

import numpy as np
import nir
import onnx
from onnx import numpy_helper

FIXTURE = "models/fixtures/mlp.onnx"


def summary(src, out, rewritten):
    g = nir.read(src, type_check=True)
    with open(out, "w") as f:
        for name in sorted(g.nodes):
            node = g.nodes[name]
            f.write(f"node {name} {type(node).__name__}\n")
            fields = {k: getattr(node, k) for k in node.__dataclass_fields__
                      if k not in ("input_type", "output_type", "metadata")}
            if isinstance(node, nir.Input):  # stored as its shape
                fields = {"shape": node.input_type["input"]}
            if isinstance(node, nir.Output):
                fields = {"shape": node.output_type["output"]}
            if isinstance(node, nir.Flatten):  # its input_type is a stored parameter
                fields["input_type"] = node.input_type["input"]
            for key in sorted(fields):
                v = fields[key]
                if isinstance(v, str):
                    continue
                a = np.asarray(v, dtype=np.float64)
                dims = " ".join(str(d) for d in a.shape)
                # weighted by position, so that a transposed array differs
                weighted = (a.ravel() * (np.arange(a.size) % 7 + 1)).sum()
                f.write(f"param {name} {key} {a.ndim} {dims} sum {a.sum():.17g} weighted {weighted:.17g}\n")
        for a, b in g.edges:
            f.write(f"edge {a} {b}\n")
    nir.write(rewritten, g)


def mlp_weights():
    m = onnx.load(FIXTURE)
    return {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}


def by_nir(path, w):
    """The converted ReLU network as NIR says it: IF neurons with threshold 1
    (one spike per step stands for an activation of 1), an LI readout."""
    n1 = w["1.weight"].shape[0]
    g = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([1, 28, 28])}),
            "flatten": nir.Flatten(input_type={"input": np.array([1, 28, 28])}, start_dim=0, end_dim=-1),
            "fc1": nir.Affine(weight=w["1.weight"], bias=w["1.bias"]),
            "if1": nir.IF(r=np.ones(n1), v_threshold=np.ones(n1), v_reset=np.zeros(n1)),
            "fc2": nir.Affine(weight=w["3.weight"], bias=w["3.bias"]),
            "readout": nir.LI(tau=np.full(10, 0.02), r=np.ones(10), v_leak=np.zeros(10)),
            "output": nir.Output(output_type={"output": np.array([10])}),
        },
        edges=[("input", "flatten"), ("flatten", "fc1"), ("fc1", "if1"), ("if1", "fc2"),
               ("fc2", "readout"), ("readout", "output")],
    )
    nir.write(path, g)


def torch_layers(w):
    """The mlp fixture's two Linear layers with its trained weights."""
    import torch
    layers = []
    for k in ("1", "3"):
        out, inp = w[f"{k}.weight"].shape
        layer = torch.nn.Linear(inp, out)
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(w[f"{k}.weight"]))
            layer.bias.copy_(torch.tensor(w[f"{k}.bias"]))
        layers.append(layer)
    return layers


def by_snntorch(path, w):
    import torch
    import snntorch as snn
    from snntorch.export_nir import export_to_nir
    fc1, fc2 = torch_layers(w)
    # beta close to 1: a Leaky neuron that approximates the ReLU's rate;
    # one beta per neuron, or nir's type inference fails on a scalar one
    n1 = w["1.weight"].shape[0]
    net = torch.nn.Sequential(torch.nn.Flatten(), fc1,
                              snn.Leaky(beta=torch.full((n1,), 0.99), threshold=torch.ones(n1), init_hidden=True), fc2,
                              snn.Leaky(beta=torch.full((10,), 0.99), threshold=torch.ones(10),
                                        init_hidden=True, output=True))
    nir.write(path, export_to_nir(net, torch.zeros(1, 1, 28, 28), ignore_dims=[0]))


def by_sinabs(path, w):
    import torch
    import sinabs.layers as sl
    from sinabs.nir import to_nir
    fc1, fc2 = torch_layers(w)
    # IAFSqueeze: plain IAF wants (batch, time, ...) and exports no shape
    net = torch.nn.Sequential(torch.nn.Flatten(), fc1, sl.IAFSqueeze(spike_threshold=1.0, batch_size=1), fc2)
    net(torch.zeros(1, 1, 28, 28))  # sinabs sizes its state on a first pass
    g = to_nir(net, torch.zeros(1, 1, 28, 28))
    for node in g.nodes.values():  # sinabs leaves Flatten's input type out, which nir.write cannot store
        if isinstance(node, nir.Flatten) and node.input_type.get("input") is None:
            node.input_type = {"input": np.array([1, 28, 28])}
    nir.write(path, g)


def fixtures(out):
    w = mlp_weights()
    by_nir(f"{out}/mlp_nir.nir", w)
    by_snntorch(f"{out}/mlp_snntorch.nir", w)
    by_sinabs(f"{out}/mlp_sinabs.nir", w)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "summary":
        summary(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    else:
        sys.exit(__doc__)
