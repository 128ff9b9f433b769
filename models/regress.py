"""Seed 003's regressions on Iris, as small fixtures for snnc and snnsim.

    make regress-models      (runs this in build/regress-venv)

Seed 003 (../shared/seeds/003) ran, in Nengo, a linear regression with one
LIF neuron (Iris setosa: petal width from sepal width, 43 training and 7
test samples, scored by MSPE) and a logistic regression (a binary choice
from several inputs, one neuron). This trains the same models in PyTorch
and fits the same in scikit-learn, and writes into models/fixtures/iris/
(README.md there):

  iris_linear.onnx      PyTorch Linear(1, 1), input "input" [batch, 1] in cm,
                        output "value" [batch, 1] (petal width, cm)
  iris_logistic.onnx    PyTorch Linear(4, 1), input [batch, 4] in cm, output
                        "logit" [batch, 1] (> 0: virginica, else versicolor)
  skl_linear.onnx       scikit-learn LinearRegression on the linear data,
                        through skl2onnx (ai.onnx.ml LinearRegressor)
  skl_logistic.onnx     scikit-learn LogisticRegression on the logistic data,
                        through skl2onnx (LinearClassifier, Cast, ZipMap)
  NAME.ref              the reference's outputs on the test split, one line
                        per sample (a --targets file for snnsim), after
                        "# key=value" lines with its scores: PyTorch's
                        forward pass for the PyTorch models (checked against
                        onnxruntime on the exported file), onnxruntime's for
                        the scikit-learn ones (checked against scikit-learn)
  iris_setosa-{train,test}-x.idx.gz   sepal width as bytes, p = 30 x cm
  iris_setosa-test-y.txt              petal width, cm (snnsim --targets)
  iris_vv-{train,test}-x.idx.gz       the four features as bytes, 30 x cm
  iris_vv-test-y.txt                  0 versicolor, 1 virginica (--targets)
  iris_vv-test-labels.idx.gz          the same as IDX labels (--labels)
  skl_iris3.onnx, iris3-{train,test}-x.idx.gz, iris3-test-labels.idx.gz
                        scikit-learn's multinomial LogisticRegression on all
                        three species (LinearClassifier, Cast, Normalizer,
                        ZipMap), 120 training and 30 test flowers

Iris measures in steps of 0.1 cm up to 7.9 cm, so 30 x cm is a whole byte
(at most 237): snnc --input-scale 0.0333333333 sees exactly the values the
models were trained on. Data: scikit-learn's bundled copy of Iris (Debian's
python3-sklearn). Deterministic: fixed seeds, full-batch L-BFGS.
"""

import os
import sys

import numpy as np
import onnxruntime as ort
import torch
from skl2onnx import to_onnx
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import FIXTURES, write_idx_gz  # noqa: E402

OUT = os.path.join(FIXTURES, "iris")

BYTES_PER_CM = 30
SEED = 3


def to_bytes(cm):
    p = np.rint(np.asarray(cm) * BYTES_PER_CM)
    assert np.allclose(p / BYTES_PER_CM, cm, atol=1e-9) and p.max() <= 255
    return p.astype(np.uint8)


def split(n, n_test, seed):
    order = np.random.default_rng(seed).permutation(n)
    return order[n_test:], order[:n_test]


def scores(y, t):
    """snnsim's definitions (docs/snnsim.md, REAL-VALUED OUTPUTS)."""
    y, t = np.asarray(y, np.float64).ravel(), np.asarray(t, np.float64).ravel()
    out = {"mse": np.mean((y - t) ** 2)}
    if np.all(t != 0):
        out["mspe"] = 100 * np.mean(((y - t) / t) ** 2)
    out["r2"] = 1 - np.sum((y - t) ** 2) / np.sum((t - t.mean()) ** 2)
    return out


def write_text(path, header, rows):
    with open(path + ".tmp", "w") as f:
        for line in header:
            f.write("# " + line + "\n")
        for r in rows:
            f.write(" ".join("%.9g" % v for v in np.atleast_1d(r)) + "\n")
    os.replace(path + ".tmp", path)


def fit_torch(model, x, loss_fn, t):
    """Full-batch L-BFGS: deterministic, and exact for these convex losses."""
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=500, tolerance_grad=1e-10,
                            tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        return loss
    opt.step(closure)


def export_torch(model, n_in, name, out_name):
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, torch.zeros(1, n_in), path, input_names=["input"], output_names=[out_name],
                      dynamic_axes={"input": {0: "batch"}, out_name: {0: "batch"}}, opset_version=13)
    return path


def save_skl(model, x, name):
    """skl2onnx's export, its opset imports sorted (skl2onnx's order varies
    from run to run) so that the same model gives the same bytes."""
    onx = to_onnx(model, x.astype(np.float32), target_opset={"": 13, "ai.onnx.ml": 1})
    imports = sorted(((o.domain, o.version) for o in onx.opset_import))
    del onx.opset_import[:]
    for domain, version in imports:
        onx.opset_import.add(domain=domain, version=version)
    path = os.path.join(OUT, name + ".onnx")
    with open(path + ".tmp", "wb") as f:
        f.write(onx.SerializeToString())
    os.replace(path + ".tmp", path)
    return path


def ort_run(path, x):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: x.astype(np.float32)})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    iris = load_iris()
    X, y = iris.data, iris.target

    # linear regression: setosa, petal width (3) from sepal width (1)
    sx, sy = X[y == 0, 1], X[y == 0, 3]
    tr, te = split(len(sx), 7, SEED)
    xb = to_bytes(sx).reshape(-1, 1)
    write_idx_gz(os.path.join(OUT, "iris_setosa-train-x.idx.gz"), xb[tr])
    write_idx_gz(os.path.join(OUT, "iris_setosa-test-x.idx.gz"), xb[te])
    write_text(os.path.join(OUT, "iris_setosa-test-y.txt"), ["Iris setosa petal width, cm"], sy[te])
    xf = torch.tensor(xb / BYTES_PER_CM, dtype=torch.float32)
    lin = torch.nn.Linear(1, 1)
    fit_torch(lin, xf[tr], torch.nn.functional.mse_loss, torch.tensor(sy[tr], dtype=torch.float32).view(-1, 1))
    path = export_torch(lin, 1, "iris_linear", "value")
    with torch.no_grad():
        pred = lin(xf[te]).numpy()
    assert np.allclose(ort_run(path, xf[te].numpy())[0], pred, atol=1e-6), "onnxruntime disagrees with PyTorch"
    s = scores(pred, sy[te])
    write_text(os.path.join(OUT, "iris_linear.ref"),
               ["PyTorch's predictions for iris_setosa-test-x, cm",
                "weight=%.9g bias=%.9g" % (lin.weight.item(), lin.bias.item()),
                "mse=%.9g mspe=%.9g r2=%.9g" % (s["mse"], s["mspe"], s["r2"])], pred)
    print("iris_linear: w %.4f b %.4f; test MSE %.5f MSPE %.2f %% R2 %.3f" %
          (lin.weight.item(), lin.bias.item(), s["mse"], s["mspe"], s["r2"]))

    skl = LinearRegression().fit(xb[tr] / BYTES_PER_CM, sy[tr])
    path = save_skl(skl, xb[:1] / BYTES_PER_CM, "skl_linear")
    pred = ort_run(path, xb[te] / BYTES_PER_CM)[0]
    assert np.allclose(pred.ravel(), skl.predict(xb[te] / BYTES_PER_CM), atol=1e-5), "onnxruntime vs scikit-learn"
    s = scores(pred, sy[te])
    write_text(os.path.join(OUT, "skl_linear.ref"),
               ["onnxruntime's predictions of skl_linear.onnx for iris_setosa-test-x, cm",
                "mse=%.9g mspe=%.9g r2=%.9g" % (s["mse"], s["mspe"], s["r2"])], pred)
    print("skl_linear: test MSE %.5f MSPE %.2f %% R2 %.3f" % (s["mse"], s["mspe"], s["r2"]))

    # logistic regression: versicolor (0) or virginica (1) from all four features
    vx, vy = X[y > 0], (y[y > 0] == 2).astype(np.int64)
    tr, te = split(len(vx), 20, SEED)
    xb = to_bytes(vx)
    write_idx_gz(os.path.join(OUT, "iris_vv-train-x.idx.gz"), xb[tr])
    write_idx_gz(os.path.join(OUT, "iris_vv-test-x.idx.gz"), xb[te])
    write_idx_gz(os.path.join(OUT, "iris_vv-test-labels.idx.gz"), vy[te].astype(np.uint8))
    write_text(os.path.join(OUT, "iris_vv-test-y.txt"), ["1 virginica, 0 versicolor"], vy[te])
    xf = torch.tensor(xb / BYTES_PER_CM, dtype=torch.float32)
    logi = torch.nn.Linear(4, 1)
    fit_torch(logi, xf[tr], torch.nn.functional.binary_cross_entropy_with_logits,
              torch.tensor(vy[tr], dtype=torch.float32).view(-1, 1))
    path = export_torch(logi, 4, "iris_logistic", "logit")
    with torch.no_grad():
        logit = logi(xf[te]).numpy()
    assert np.allclose(ort_run(path, xf[te].numpy())[0], logit, atol=1e-5), "onnxruntime disagrees with PyTorch"
    acc = np.mean((logit.ravel() > 0) == vy[te])
    write_text(os.path.join(OUT, "iris_logistic.ref"),
               ["PyTorch's logits for iris_vv-test-x (> 0: virginica)", "accuracy=%.9g" % acc], logit)
    print("iris_logistic: test accuracy %.1f %%" % (100 * acc))

    skl = LogisticRegression(max_iter=1000).fit(xb[tr] / BYTES_PER_CM, vy[tr])
    path = save_skl(skl, xb[:1] / BYTES_PER_CM, "skl_logistic")
    label = ort_run(path, xb[te] / BYTES_PER_CM)[0]
    assert np.array_equal(label, skl.predict(xb[te] / BYTES_PER_CM)), "onnxruntime vs scikit-learn"
    acc = np.mean(label == vy[te])
    write_text(os.path.join(OUT, "skl_logistic.ref"),
               ["onnxruntime's labels from skl_logistic.onnx for iris_vv-test-x", "accuracy=%.9g" % acc], label)
    print("skl_logistic: test accuracy %.1f %%" % (100 * acc))

    # three classes: multinomial LogisticRegression (LinearClassifier,
    # Cast, Normalizer, ZipMap) on all 150 flowers
    tr, te = split(len(X), 30, SEED)
    xb = to_bytes(X)
    write_idx_gz(os.path.join(OUT, "iris3-train-x.idx.gz"), xb[tr])
    write_idx_gz(os.path.join(OUT, "iris3-test-x.idx.gz"), xb[te])
    write_idx_gz(os.path.join(OUT, "iris3-test-labels.idx.gz"), y[te].astype(np.uint8))
    skl = LogisticRegression(max_iter=1000).fit(xb[tr] / BYTES_PER_CM, y[tr])
    path = save_skl(skl, xb[:1] / BYTES_PER_CM, "skl_iris3")
    label = ort_run(path, xb[te] / BYTES_PER_CM)[0]
    assert np.array_equal(label, skl.predict(xb[te] / BYTES_PER_CM)), "onnxruntime vs scikit-learn"
    acc = np.mean(label == y[te])
    write_text(os.path.join(OUT, "skl_iris3.ref"),
               ["onnxruntime's labels from skl_iris3.onnx for iris3-test-x", "accuracy=%.9g" % acc], label)
    print("skl_iris3: test accuracy %.1f %%" % (100 * acc))


if __name__ == "__main__":
    main()
