#!/bin/sh
# ONNX-SNN as the onnx package sees it (run by `make test-long`): every
# fixture converted by `snnc convert` must pass onnx.checker's full check.
# Usage: models/check_onnx_snn.sh BUILD_DIR
set -eu
BUILD=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
for f in models/fixtures/*.onnx; do
	name=$(basename "$f" .onnx)
	case $name in fashion*) calib=models/fixtures/fashion-test100-images-idx3-ubyte.gz ;;
		      *) calib=models/fixtures/mnist-test100-images-idx3-ubyte.gz ;; esac
	if "$BUILD/snnc" convert "$f" -o "$out/$name.snn.onnx" --calib "$calib" >/dev/null 2>&1 &&
	   /usr/bin/python3 -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' \
		"$out/$name.snn.onnx"; then
		pass=$((pass + 1))
	else
		echo "check_onnx_snn: $name.snn.onnx fails onnx.checker" >&2
		fail=$((fail + 1))
	fi
done
echo "check_onnx_snn: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
