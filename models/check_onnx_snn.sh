#!/bin/sh
# ONNX-SNN as the onnx package sees it (run by `make test-long`): every
# fixture converted by `snnc convert` must pass onnx.checker's full check,
# and its ANN meaning, evaluated in NumPy by models/check_onnx_snn.py (IF as
# max(0, x) / v_th * amplitude), must be PyTorch's logits of the fixture.
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
		"$out/$name.snn.onnx" &&
	   /usr/bin/python3 models/check_onnx_snn.py "$out/$name.snn.onnx" "$name"; then
		pass=$((pass + 1))
	else
		echo "check_onnx_snn: $name.snn.onnx fails onnx.checker or its ANN is not the fixture's" >&2
		fail=$((fail + 1))
	fi
	# the same ANN with IF gains of 4 (amplitude = 4 v_th), converted again
	case $name in mlp|lenet5)
		if /usr/bin/python3 models/check_onnx_snn.py --gain 4 "$out/$name.snn.onnx" "$out/$name.gain4.onnx" &&
		   "$BUILD/snnc" convert "$out/$name.gain4.onnx" -o "$out/$name.gain4.snn.onnx" >/dev/null 2>&1 &&
		   /usr/bin/python3 models/check_onnx_snn.py "$out/$name.gain4.snn.onnx" "$name"; then
			pass=$((pass + 1))
		else
			echo "check_onnx_snn: $name with IF gains of 4 does not convert to the fixture's ANN" >&2
			fail=$((fail + 1))
		fi ;;
	esac
done
echo "check_onnx_snn: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
