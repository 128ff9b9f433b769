#!/bin/sh
# RTL core array benchmark (docs/benchmarks.md, "RTL core array").
# Usage: bench/rtl_bench.sh BUILD_DIR [IMAGES]   (run by `make bench-rtl`)
# Compiles the MLP, LeNet-1, LeNet-5 and fashion_bn fixtures with snnc
# (calibrated on the fixtures' 100 test images), then runs IMAGES (default
# 5) images of each on the Verilated array at T = 32; then the networks the
# iCEBreaker holds, compiled for it, on the time-multiplexed engine at
# T = 16 and 32; then the MLP 784-256-10, LeNet-5 and the Fashion
# autoencoder (deconv cores) compiled for the ULX3S, on its engine at T = 16.
set -eu
BUILD=${1:-build}
N=${2:-5}
OUT=$BUILD/bench/rtl
FX=models/fixtures
mkdir -p "$OUT"
for m in mlp lenet1 lenet5 fashion_bn; do
	case $m in fashion*) data=$FX/fashion-test100-images-idx3-ubyte.gz ;;
		   *) data=$FX/mnist-test100-images-idx3-ubyte.gz ;; esac
	"$BUILD/snnc" "$FX/$m.onnx" -o "$OUT/$m.cfg" --calib "$data" >/dev/null
	"$BUILD/bench/rtl_bench" "$OUT/$m.cfg" "$data" "$N" 32
	echo
done
data=$FX/mnist-test100-images-idx3-ubyte.gz
for m in mlp128 lenet1 lenet5; do
	"$BUILD/snnc" "$FX/$m.onnx" -o "$OUT/${m}_icebreaker.cfg" --calib "$data" --target icebreaker >/dev/null
	for t in 16 32; do
		"$BUILD/bench/rtl_bench" "$OUT/${m}_icebreaker.cfg" "$data" "$N" $t
		echo
	done
done
for m in mlp lenet5 autoenc; do
	case $m in autoenc) onnx=$FX/autoenc/fashion_autoenc.onnx data=$FX/fashion-test100-images-idx3-ubyte.gz ;;
		   *) onnx=$FX/$m.onnx data=$FX/mnist-test100-images-idx3-ubyte.gz ;; esac
	"$BUILD/snnc" "$onnx" -o "$OUT/${m}_ulx3s.cfg" --calib "$data" --target ulx3s >/dev/null
	"$BUILD/bench/rtl_bench" "$OUT/${m}_ulx3s.cfg" "$data" "$N" 16
	echo
done
