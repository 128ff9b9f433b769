#!/bin/sh
# The ANN against its spiking network for each model given: float accuracy
# (snnc eval) and the golden simulator's at T steps, compiled without
# calibration data (default scales: --percentile auto), with --calib (its
# default, the 99.99th percentile) and with --calib --percentile auto, on
# the first N test images. Prints one markdown row per model
# (docs/benchmarks.md, "Scales at T"). With COMPARE=bias the columns are
# instead --calib with --no-bias-correction and --calib as it is (biases
# corrected; docs/benchmarks.md, "Bias correction"); with COMPARE=threshold
# --calib as it is (biases corrected, scales as normalisation chose them)
# and --calib --threshold-search (docs/benchmarks.md, "Threshold search");
# with COMPARE=datafree no calibration data at all: the default (the
# choice on the synthetic images), --percentile auto and --percentile 99.5
# (docs/benchmarks.md, "The scale choice without data").
#
#   bench/conversion_gap.sh DATASET MODEL.onnx ...
#
# DATASET: fashion (Debian's dataset-fashion-mnist) or mnist (make data).
# Environment: BUILD (build), N (2000 test images), T (32), SNNC_ARGS (extra
# options for both compiles), CALIB_LIMIT (500 training images).
set -eu
BUILD=${BUILD:-build} N=${N:-2000} T=${T:-32} SNNC_ARGS=${SNNC_ARGS:-} CALIB_LIMIT=${CALIB_LIMIT:-500}
case ${1:-} in
fashion) D=/usr/share/datasets/fashion-mnist
	TEST_I=$D/t10k-images-idx3-ubyte.gz TEST_L=$D/t10k-labels-idx1-ubyte.gz
	TRAIN_I=$D/train-images-idx3-ubyte.gz ;;
mnist) D=$BUILD/data
	TEST_I=$D/mnist-test-images-idx3-ubyte.gz TEST_L=$D/mnist-test-labels-idx1-ubyte.gz
	TRAIN_I=$D/mnist-train-images-idx3-ubyte.gz ;;
*) echo "usage: $0 fashion|mnist MODEL.onnx ..." >&2; exit 1 ;;
esac
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
acc() { sed -n 's/.*"accuracy": *\([0-9.]*\).*/\1/p' | head -n 1; }
snn() {	# MODEL, extra snnc options: accuracy in % of the compiled image
	# shellcheck disable=SC2086
	"$BUILD/snnc" "$1" -o "$tmp/m.cfg" -T "$T" $SNNC_ARGS $2 2>"$tmp/err" || { cat "$tmp/err" >&2; echo fail; return; }
	"$BUILD/snnsim" "$tmp/m.cfg" -i "$TEST_I" -l "$TEST_L" -n "$N" -j 2 --json -q | acc |
		awk '{ printf "%.2f", $1 <= 1 ? 100 * $1 : $1 }'
}
gap() { echo "$ann $1" | awk '{ printf "%+.2f", $1 - $2 }'; }
if [ "${COMPARE:-}" = bias ]; then
	echo "| model | images | T | ANN | --calib --no-bias-correction | gap | --calib (corrected) | gap |"
	echo "|---|---|---|---|---|---|---|---|"
elif [ "${COMPARE:-}" = threshold ]; then
	echo "| model | images | T | ANN | --calib | gap | --calib --threshold-search | gap |"
	echo "|---|---|---|---|---|---|---|---|"
elif [ "${COMPARE:-}" = datafree ]; then
	echo "| model | images | T | ANN | without --calib | gap | --percentile auto | gap | --percentile 99.5 | gap |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
else
	echo "| model | images | T | ANN | without --calib | gap | with --calib | gap | --calib, auto | gap |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
fi
for m in "$@"; do
	ann=$("$BUILD/snnc" eval "$m" --images "$TEST_I" --labels "$TEST_L" --limit "$N" |
		sed -n 's/.*accuracy[^0-9]*\([0-9.]*\) *%.*/\1/p' | head -n 1)
	row="| $(basename "$m" .onnx) | $N | $T | $ann"
	if [ "${COMPARE:-}" = datafree ]; then
		free=$(snn "$m" "") auto=$(snn "$m" "--percentile auto") p995=$(snn "$m" "--percentile 99.5")
		echo "$row | $free | $(gap "$free") | $auto | $(gap "$auto") | $p995 | $(gap "$p995") |"
		continue
	fi
	cal=$(snn "$m" "--calib $TRAIN_I --calib-limit $CALIB_LIMIT")
	if [ "${COMPARE:-}" = bias ]; then
		off=$(snn "$m" "--calib $TRAIN_I --calib-limit $CALIB_LIMIT --no-bias-correction")
		echo "$row | $off | $(gap "$off") | $cal | $(gap "$cal") |"
		continue
	fi
	if [ "${COMPARE:-}" = threshold ]; then
		on=$(snn "$m" "--calib $TRAIN_I --calib-limit $CALIB_LIMIT --threshold-search")
		echo "$row | $cal | $(gap "$cal") | $on | $(gap "$on") |"
		continue
	fi
	free=$(snn "$m" "")
	auto=$(snn "$m" "--calib $TRAIN_I --calib-limit $CALIB_LIMIT --percentile auto")
	echo "$row | $free | $(gap "$free") | $cal | $(gap "$cal") | $auto | $(gap "$auto") |"
done
