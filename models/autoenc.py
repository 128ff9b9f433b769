#!/usr/bin/python3
"""Train and export seed 004's convolutional autoencoder fixture.

    /usr/bin/python3 models/autoenc.py

A small Fashion-MNIST autoencoder whose decoder upsamples both ways the
core array runs as its transposed-convolution mode (docs/core-array.md):

  encoder  Conv 1->8 3x3 s2 p1, ReLU (8x14x14); Conv 8->16 3x3 s2 p1, ReLU (16x7x7)
  decoder  ConvTranspose 16->8 4x4 s2 p1, ReLU (8x14x14);
           Upsample x2 nearest (Resize), Conv 8->1 3x3 p1 (1x28x28, linear)

trained on the 60,000 training images (MSE to the input, pixel/255), CPU, two
threads, seed 1. Writes into models/fixtures/autoenc/ (a folder of its own,
so that the classifiers' tests, which take every models/fixtures/*.onnx,
leave it to tests/cli/test_autoenc):

  fashion_autoenc.onnx   opset 13, input "input" [batch,1,28,28], output "recon"
                         [batch,1,28,28], batch axis dynamic
  fashion_autoenc.ref    PyTorch's reconstruction of the first 100 Fashion-MNIST
                         test images (../fashion-test100-*): "# " comment lines
                         (the scores), then one line an image of its 784
                         outputs (pixel/255 units, 5 significant digits: the
                         file takes 0.7 MB, not 1 MB), as snnsim --targets
                         reads

and prints the test split's MSE and PSNR (peak 1).
"""

import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import train  # read_idx, to_tensor, FIXTURES

SEED = 1
EPOCHS = 4
BATCH = 64
LR = 3e-3


def make():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(8, 1, 3, padding=1))


def psnr(mse):
    return 10 * np.log10(1.0 / mse)


def write_ref(path, recon, mse, mse100):
    """The reconstructions as snnsim --targets reads them, scores first."""
    with open(path + ".tmp", "w") as f:
        f.write("# PyTorch's reconstruction of fashion-test100-images (784 outputs a line, pixel/255)\n")
        f.write(f"# test_mse={mse:.6g} test_psnr_db={psnr(mse):.4g} (10,000 t10k images, against the input)\n")
        f.write(f"# mse={mse100:.6g} psnr_db={psnr(mse100):.4g} (these 100 images, against the input)\n")
        for row in recon:
            f.write(" ".join("%.5g" % float(v) for v in row) + "\n")
    os.replace(path + ".tmp", path)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    xtr = train.to_tensor(train.read_idx(train.FASHION_DIR + "/train-images-idx3-ubyte.gz"))
    test_img = train.read_idx(train.FASHION_DIR + "/t10k-images-idx3-ubyte.gz")
    xte = train.to_tensor(test_img)
    model = make()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    steps = EPOCHS * ((len(xtr) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps)
    t0 = time.time()
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(xtr), BATCH):
            xb = xtr[perm[i:i + BATCH]]
            loss = F.mse_loss(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            mse = F.mse_loss(model(xte), xte).item()
        print(f"autoenc: epoch {epoch + 1}/{EPOCHS} test MSE {mse:.5f} PSNR {psnr(mse):.2f} dB "
              f"({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    out_dir = os.path.join(train.FIXTURES, "autoenc")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "fashion_autoenc.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path + ".tmp", export_params=True,
                      opset_version=train.OPSET, input_names=["input"], output_names=["recon"],
                      dynamic_axes={"input": {0: "batch"}, "recon": {0: "batch"}},
                      do_constant_folding=False)
    import onnx
    onnx.checker.check_model(onnx.load(path + ".tmp"), full_check=True)
    os.replace(path + ".tmp", path)
    with torch.no_grad():
        recon = model(train.to_tensor(test_img[:train.N_REF])).reshape(train.N_REF, -1).numpy()
        mse100 = float(np.mean((recon - xte[:train.N_REF].reshape(train.N_REF, -1).numpy()) ** 2))
    write_ref(os.path.join(out_dir, "fashion_autoenc.ref"), recon, mse, mse100)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"autoenc: {n_params} parameters, {time.time() - t0:.0f} s; test split MSE {mse:.5f} "
          f"(PSNR {psnr(mse):.2f} dB), first 100 test images MSE {mse100:.5f} (PSNR {psnr(mse100):.2f} dB)")


if __name__ == "__main__":
    main()
