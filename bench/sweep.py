#!/usr/bin/python3
"""Parameter sweeps in the manner of seed 003 (docs/benchmarks.md,
"Parameter sweeps").

    make bench-sweep          (or: /usr/bin/python3 bench/sweep.py build)

Seed 003 swept Nengo's max_rate, tau_rc and output synapse filter over a
one-neuron linear regression, a one-neuron logistic regression and an MNIST
classifier. The knobs of a compiled spiking network are the time steps
(T, the counterpart of max_rate x the presentation time), the activation
percentile that sets each layer's threshold, the weight width and the
initial membrane; this compiles the same three kinds of model (the Iris
fixtures of models/fixtures/iris and mlp128 on the 100 committed MNIST
digits) with snnc for each value of one knob, the others at their
defaults, runs snnsim, and writes:

  OUT/sweep.csv   knob, value, model, metric, score
  OUT/sweep.png   one column per knob: the linear regression's MSPE, the
                  regressions' R^2 against their PyTorch model's outputs,
                  the classifiers' accuracy, each model's float reference
                  as a dashed line; then seed 003's own knobs, max_rate
                  and tau_rc, on mlp128 with LIF hidden neurons (below)

OUT is BUILD/sweep. Each run takes a fraction of a second; the whole sweep
about half a minute.
"""

import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import onnx  # noqa: E402
from onnx import helper  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IRIS = os.path.join(ROOT, "models", "fixtures", "iris")
FIX = os.path.join(ROOT, "models", "fixtures")
CM = ["--input-scale", "0.0333333333"]

# name, ONNX, snnc options, snnsim data options, metric, reference (file, key);
# the regressions are also run against their reference's own outputs (the
# .ref file as --targets): R^2 there is how faithfully the spiking network
# computes the trained model, whatever the model's own error.
MODELS = [
    ("linear, membrane readout", f"{IRIS}/iris_linear.onnx", ["--calib", f"{IRIS}/iris_setosa-train-x.idx.gz"] + CM,
     ["-i", f"{IRIS}/iris_setosa-test-x.idx.gz", "--targets", f"{IRIS}/iris_setosa-test-y.txt"], "mspe",
     ("iris_linear", "mspe")),
    ("linear, spike readout", f"{IRIS}/iris_linear.onnx",
     ["--calib", f"{IRIS}/iris_setosa-train-x.idx.gz", "--readout", "spikes"] + CM,
     ["-i", f"{IRIS}/iris_setosa-test-x.idx.gz", "--targets", f"{IRIS}/iris_setosa-test-y.txt"], "mspe",
     ("iris_linear", "mspe")),
    ("logistic (Iris)", f"{IRIS}/iris_logistic.onnx", ["--calib", f"{IRIS}/iris_vv-train-x.idx.gz"] + CM,
     ["-i", f"{IRIS}/iris_vv-test-x.idx.gz", "--targets", f"{IRIS}/iris_vv-test-y.txt"], "accuracy",
     ("iris_logistic", "accuracy")),
    ("MLP 784-128-10 (MNIST)", f"{FIX}/mlp128.onnx", [],
     ["-i", f"{FIX}/mnist-test100-images-idx3-ubyte.gz", "-l", f"{FIX}/mnist-test100-labels-idx1-ubyte.gz"],
     "accuracy", None),
]

DEFAULT_T = 32
# knob: (label, values, (snnc options, snnsim options) for a value)
KNOBS = [
    ("time steps T", [4, 8, 16, 32, 64, 128, 255, 512], lambda v: ([], ["-T", str(v)])),
    ("threshold percentile", [90, 99, 99.9, 99.99, 100], lambda v: (["--percentile", str(v)], [])),
    ("weight bits", [3, 4, 5, 6, 8, 12, 16], lambda v: (["--weight-bits", str(v)], [])),
    ("initial membrane (x threshold)", [0, 0.25, 0.5, 0.75, 1.0], lambda v: (["--v-init", str(v)], [])),
]


# Seed 003's own knobs, max_rate and tau_rc, need LIF neurons: mlp128's
# hidden layer (the regressions have none: their one layer is the readout)
# as ONNX-SNN snn.LIF, from `snnc convert`'s snn.IF (v_th = amplitude = the
# layer's scale lambda): an input of lambda fires at max_rate, which sets
# the threshold, v_th / lambda = 1 - exp((tau_ref - 1 / max_rate) / tau_rc),
# and each spike carries lambda / max_rate. There is no bias current to
# put the threshold at 0 as Nengo's intercepts do: inputs below v_th are
# silent where the ReLU the network was trained with passes them. dt 1 ms,
# tau_ref 2 ms (Nengo's); T = 128 steps (128 ms).
LIF_T = 128
LIF_DEFAULTS = {"tau_rc": 0.02, "max_rate": 200}
LIF_KNOBS = [("LIF max_rate (Hz)", "max_rate", [50, 100, 150, 200, 250]),
             ("LIF tau_rc (s)", "tau_rc", [0.02, 0.07, 0.12, 0.17, 0.22])]


def lif_model(snn_onnx, path, tau_rc, max_rate, tau_ref=0.002, dt=0.001):
    m = onnx.load(snn_onnx)
    for n in m.graph.node:
        if n.domain == "snn" and n.op_type == "IF":
            lam = next(helper.get_attribute_value(a) for a in n.attribute if a.name == "amplitude")
            v_th = lam * (1 - math.exp((tau_ref - 1 / max_rate) / tau_rc))
            del n.attribute[:]
            n.op_type = "LIF"
            n.attribute.extend([helper.make_attribute(k, v) for k, v in
                                [("tau_rc", tau_rc), ("tau_ref", tau_ref), ("v_th", v_th),
                                 ("amplitude", lam / max_rate), ("dt", dt)]])
    onnx.save(m, path)


def lif_runs(build, tmp, rows):
    """The LIF knobs on mlp128: the spiking accuracy, and the float LIF
    network's (snnc eval: the rate curve itself) as its reference."""
    snnc, data = os.path.join(build, "snnc"), MODELS[3][3]
    snn = os.path.join(tmp, "mlp128.snn.onnx")
    subprocess.run([snnc, "convert", MODELS[3][1], "-o", snn], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    lif, cfg = os.path.join(tmp, "lif.onnx"), os.path.join(tmp, "lif.cfg")
    for knob, key, values in LIF_KNOBS:
        for v in values:
            lif_model(snn, lif, **dict(LIF_DEFAULTS, **{key: v}))
            subprocess.run([snnc, lif, "-o", cfg], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            acc = snnsim(build, cfg, data, ["-T", str(LIF_T)])["accuracy"]
            ev = subprocess.run([snnc, "eval", lif, "--images", data[1], "--labels", data[3]], check=True,
                                capture_output=True, text=True).stdout
            flt = float(ev.split("float accuracy")[1].split("%")[0]) / 100
            for metric, score in (("accuracy", acc), ("float_accuracy", flt)):
                rows.append((knob, v, MODELS[3][0], metric, score))
            print(f"{knob:32s} {v:>7} {MODELS[3][0]:26s} accuracy {acc} (float LIF network {flt})")


def ref_score(name, key):
    with open(os.path.join(IRIS, name + ".ref")) as f:
        for line in f:
            if not line.startswith("#"):
                break
            for field in line[1:].split():
                k, _, v = field.partition("=")
                if k == key:
                    return float(v)
    return None


def mlp128_reference():
    """PyTorch's accuracy on the 100 digits, from mlp128.ref."""
    with open(os.path.join(FIX, "mlp128.ref")) as f:
        rows = [line.split() for line in f.readlines()[1:]]
    hits = [int(r[0]) == max(range(10), key=lambda k: float(r[1 + k])) for r in rows]
    return sum(hits) / len(hits)


def snnsim(build, cfg, data, snnsim_extra):
    out = subprocess.run([os.path.join(build, "snnsim"), cfg] + data + ["-T", str(DEFAULT_T), "--json", "-q"] +
                         snnsim_extra, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run(build, tmp, model, snnc_extra, snnsim_extra):
    """{metric: score}: the model's metric on the truth and, for the
    regressions, r2_ann, R^2 against the reference's outputs."""
    name, onnx, snnc_opts, data, metric, ref = model
    cfg = os.path.join(tmp, "m.cfg")
    subprocess.run([os.path.join(build, "snnc"), onnx, "-o", cfg] + snnc_opts + snnc_extra, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scores = {metric: snnsim(build, cfg, data, snnsim_extra)[metric]}
    if "--targets" in data:
        ann = data[:data.index("--targets") + 1] + [os.path.join(IRIS, ref[0] + ".ref")]
        scores["r2_ann"] = snnsim(build, cfg, ann, snnsim_extra)["r2"]
    return {k: (None if v is None else float(v)) for k, v in scores.items()}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    out_dir = os.path.join(build, "sweep")
    os.makedirs(out_dir, exist_ok=True)
    refs = {m[0]: (ref_score(*m[5]) if m[5] else mlp128_reference()) for m in MODELS}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for knob, values, opts in KNOBS:
            for v in values:
                snnc_extra, snnsim_extra = opts(v)
                for m in MODELS:
                    for metric, s in run(build, tmp, m, snnc_extra, snnsim_extra).items():
                        rows.append((knob, v, m[0], metric, s))
                        print(f"{knob:32s} {v:>7} {m[0]:26s} {metric:8s} {s if s is None else round(s, 4)}")
        lif_runs(build, tmp, rows)
    with open(os.path.join(out_dir, "sweep.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["knob", "value", "model", "metric", "score"])
        w.writerows(rows)

    fig, axes = plt.subplots(3, len(KNOBS) + len(LIF_KNOBS), figsize=(21, 10), dpi=90)
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for c, (knob, values, _) in enumerate(KNOBS):
        # percentiles crowd near 100: one even step each, labelled
        even = knob == "threshold percentile"

        def pos(v, values=values, even=even):
            return values.index(v) if even else v
        for r, metric in enumerate(["mspe", "r2_ann", "accuracy"]):
            ax = axes[r][c]
            for k, m in enumerate(MODELS):
                pts = [(pos(v), s) for (kn, v, name, mt, s) in rows
                       if kn == knob and name == m[0] and mt == metric and s is not None]
                if not pts:
                    continue
                scale = 100 if metric == "accuracy" else 1
                ax.plot([p[0] for p in pts], [p[1] * scale for p in pts], "o-", color=colours[k], label=m[0])
                if metric != "r2_ann":  # the two linear readouts share one: grey
                    ax.axhline(refs[m[0]] * scale, color="grey" if metric == "mspe" else colours[k], ls="--", lw=1)
            if knob in ("time steps T", "weight bits"):
                ax.set_xscale("log", base=2)
            ax.set_xticks([pos(v) for v in values])
            ax.set_xticklabels([str(v) for v in values])
            ax.set_xlabel(knob + ("" if knob == "time steps T" else f" (T = {DEFAULT_T})"))
            ax.set_ylabel({"mspe": "MSPE against the truth, %", "r2_ann": "R² against the reference's outputs",
                           "accuracy": "accuracy, %"}[metric], fontsize=9)
            ax.grid(alpha=0.3)
            if metric == "r2_ann":
                ax.set_ylim(0, 1.02)  # T = 4 and 8 fall below: in the CSV
            if c == 0:
                ax.legend(fontsize=8, loc="lower right")
    for c, (knob, _, values) in enumerate(LIF_KNOBS, start=len(KNOBS)):
        for r in range(2):
            axes[r][c].axis("off")
        axes[1][c].text(0.5, 0.5, "the regressions have no hidden\nneurons to make LIF: below,\nmlp128's hidden "
                        "layer as LIF", ha="center", va="center", fontsize=10, color="grey")
        ax = axes[2][c]
        for metric, style, label in (("accuracy", "o-", f"MLP, spiking, T = {LIF_T}"),
                                     ("float_accuracy", "s--", "MLP, float LIF rates")):
            pts = [(v, s) for (kn, v, _, mt, s) in rows if kn == knob and mt == metric]
            ax.plot([p[0] for p in pts], [100 * p[1] for p in pts], style, color="tab:red", label=label,
                    alpha=1 if metric == "accuracy" else 0.5)
        ax.axhline(refs[MODELS[3][0]] * 100, color="tab:red", ls="--", lw=1)
        ax.set_xticks(values)
        others = ", ".join(f"{k} {v}" for k, v in LIF_DEFAULTS.items() if k not in knob)
        ax.set_xlabel(f"{knob} ({others})")
        ax.set_ylabel("accuracy, %")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("Seed 003's sweeps on compiled networks (dashed: the PyTorch model). Top: Iris linear regression, "
                 "MSPE; middle: regressions, R² against PyTorch's outputs; bottom: classifiers, accuracy",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "sweep.png"))
    print(f"wrote {out_dir}/sweep.csv and {out_dir}/sweep.png")


if __name__ == "__main__":
    main()
