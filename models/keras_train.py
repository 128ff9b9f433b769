"""Train and export the Keras fixtures, the way a Keras user would.

    build/keras-venv/bin/python models/keras_train.py NAME [NAME ...]   (or: all)

(`make keras-models` makes the venv: PyPI keras, tensorflow-cpu and tf2onnx
over Debian's python3 with --system-site-packages.) NAME is a row of ARCHS.
For each, on the CPU with fixed seeds, this trains the network on the MNIST
training split (build/data, models/get_data.sh), measures its accuracy on the
whole test split, and writes into models/fixtures/:

  NAME.onnx   model.export(format="onnx") as Keras 3 writes it (tf2onnx):
              input "input" [batch, 28, 28, 1] (NHWC, pixel / 255), raw
              logits out; nothing edited afterwards
  NAME.ref    Keras's own logits for the first 100 test images (the
              mnist-test100 files beside them), format as for the PyTorch
              fixtures (models/fixtures/README.md)

and a summary in build/models/NAME.json.
"""

import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_fixtures import FIXTURES, read_idx, write_ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
N_REF = 100
SEED = 1


def mlp(keras):
    """Flatten, Dense 32 + BatchNormalization + ReLU, Dense 10 (32: a small fixture)."""
    L = keras.layers
    return [L.Flatten(), L.Dense(32), L.BatchNormalization(), L.ReLU(), L.Dense(10)]


def cnn(keras):
    """The Keras CNN of issue 12: Conv2D + BatchNormalization + ReLU and
    AveragePooling2D twice, Flatten, Dense. Small, to stay a small fixture."""
    L = keras.layers
    return [L.Conv2D(8, 5), L.BatchNormalization(), L.ReLU(), L.AveragePooling2D(2),
            L.Conv2D(16, 5), L.BatchNormalization(), L.ReLU(), L.AveragePooling2D(2),
            L.Flatten(), L.Dense(10)]


ARCHS = {
    "keras_mlp": {"layers": mlp, "epochs": 20, "batch": 64, "lr": 2e-3},
    "keras_cnn": {"layers": cnn, "epochs": 20, "batch": 64, "lr": 3e-3},
}


def load(split):
    images = read_idx(os.path.join(BUILD, "data", f"mnist-{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(BUILD, "data", f"mnist-{split}-labels-idx1-ubyte.gz"))
    return (images.astype(np.float32) / 255.0)[..., None], labels.astype(np.int64)


def run(name):
    import keras
    import tensorflow as tf
    spec = ARCHS[name]
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(2)
    (xtr, ytr), (xte, yte) = load("train"), load("test")
    inp = keras.Input((28, 28, 1), name="input")
    x = inp
    for layer in spec["layers"](keras):
        x = layer(x)
    model = keras.Model(inp, x, name=name)
    steps = spec["epochs"] * ((len(xtr) + spec["batch"] - 1) // spec["batch"])
    rate = keras.optimizers.schedules.CosineDecay(spec["lr"], steps)
    model.compile(optimizer=keras.optimizers.Adam(rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    t0 = time.time()
    model.fit(xtr, ytr, batch_size=spec["batch"], epochs=spec["epochs"], verbose=2, shuffle=True)
    train_s = time.time() - t0
    logits = model.predict(xte, batch_size=500, verbose=0)
    acc = float((logits.argmax(1) == yte).mean())
    os.makedirs(FIXTURES, exist_ok=True)
    onnx_path = os.path.join(FIXTURES, f"{name}.onnx")
    model.export(onnx_path + ".tmp", format="onnx")
    os.replace(onnx_path + ".tmp", onnx_path)
    write_ref(os.path.join(FIXTURES, f"{name}.ref"), yte[:N_REF], logits[:N_REF])
    summary = {"name": name, "test_accuracy": acc, "test_images": len(xte), "train_seconds": train_s,
               "parameters": int(model.count_params()), "keras": keras.__version__,
               "tensorflow": tf.__version__, "onnx_bytes": os.path.getsize(onnx_path)}
    os.makedirs(os.path.join(BUILD, "models"), exist_ok=True)
    with open(os.path.join(BUILD, "models", f"{name}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"{name}: test accuracy {100 * acc:.2f} % on {len(xte)} images, {summary['parameters']} "
          f"parameters, {summary['onnx_bytes']} bytes of ONNX, trained in {train_s:.0f} s")


def main():
    names = sys.argv[1:]
    if names == ["all"]:
        names = list(ARCHS)
    if not names or any(n not in ARCHS for n in names):
        sys.exit(f"usage: keras_train.py NAME... | all (NAME: {', '.join(ARCHS)})")
    for name in names:
        run(name)


if __name__ == "__main__":
    main()
