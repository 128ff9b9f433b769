#!/bin/sh
# Host-side throughput of snnhost (docs/benchmarks.md, "Host driver").
# Usage: bench/host_bench.sh BUILD_DIR   (run by `make bench-host`)
# 1. snnhost run --device golden on the MLP fixture: samples/s and bytes a
#    sample, device- and host-encoded.
# 2. The emulated FT2232H of tests/driver/test_usb_umockdev (libusb through
#    umockdev) at 3 Mbaud and unlimited: samples/s against the link's bound,
#    MB/s, input events/s and the host thread's CPU time a sample.
# 3. The iCEBreaker's and the ULX3S's designs behind their bit-level UARTs
#    (sim:uart): bytes an image and the images/s their 3 Mbaud links allow,
#    device- and host-encoded.
set -eu
BUILD=${1:-build}
FX=models/fixtures
IMGS=$FX/mnist-test100-images-idx3-ubyte.gz
LABS=$FX/mnist-test100-labels-idx1-ubyte.gz
CFG=$BUILD/bench/mlp.cfg
mkdir -p "$BUILD/bench"
"$BUILD/snnc" "$FX/mlp.onnx" -o "$CFG" --calib "$IMGS" --calib-limit 50 >/dev/null

for enc in device host; do
	# 10 passes over the 100 images, the run loop's own rate (the golden
	# device's simulation in the same thread included)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$BUILD/snnhost" run -d golden -c "$CFG" -i "$IMGS" -l "$LABS" --encode $enc --json -q
	done > "$BUILD/bench/host_$enc.json"
	awk -v enc="$enc" '
		/images_per_second/ {
			match($0, /"images_per_second": [0-9.]+/); ips += substr($0, RSTART + 21, RLENGTH - 21)
			match($0, /"bytes_out": [0-9]+/); out += substr($0, RSTART + 13, RLENGTH - 13)
			match($0, /"bytes_in": [0-9]+/); in_ += substr($0, RSTART + 12, RLENGTH - 12)
			match($0, /"images": [0-9]+/); n += substr($0, RSTART + 10, RLENGTH - 10); runs++ }
		END { printf "bench: golden, %s-encoded: %.0f samples/s (%.3f ms a sample, host and device in one thread), %.0f bytes out and %.0f in a sample, %.1f MB/s out\n",
			enc, ips / runs, 1e3 * runs / ips, out / n, in_ / n, out / n * ips / runs / 1e6 }' "$BUILD/bench/host_$enc.json"
done

SNNHOST_BENCH=1 BUILD=$BUILD "$BUILD/tests/driver/test_usb_umockdev" | grep -E '^bench:|FAIL|passed'

# 3. The boards' designs through their UARTs modelled bit by bit (sim:uart):
#    bytes an image each way, and what that allows at the boards' 3 Mbaud
#    (10 bits a byte: 300,000 bytes/s) against what the engine's clock
#    cycles allow at the board's clock. T=16, 5 images: the MLP 784-128-10
#    on the iCEBreaker design (48 MHz), the MLP 784-256-10 on the ULX3S's
#    (30 MHz).
uart_rows() {	# CONFIG, board name, MHz
	for enc in device host; do
		"$BUILD/snnhost" run -d sim:uart -c "$1" -i "$IMGS" -l "$LABS" -n 5 -T 16 --encode $enc --json -q |
		awk -v enc="$enc" -v board="$2" -v mhz="$3" '
			{ match($0, /"bytes_out": [0-9]+/); out = substr($0, RSTART + 13, RLENGTH - 13)
			  match($0, /"bytes_in": [0-9]+/); in_ = substr($0, RSTART + 12, RLENGTH - 12)
			  match($0, /"images": [0-9]+/); n = substr($0, RSTART + 10, RLENGTH - 10)
			  match($0, /"cycles_per_image": [0-9.]+/); cyc = substr($0, RSTART + 20, RLENGTH - 20) }
			END { out += 0; in_ += 0; link = 300000 / ((out > in_ ? out : in_) / n)
			      printf "bench: sim:uart (%s design), %s-encoded: %.0f bytes out and %.0f in an image; at 3 Mbaud the link allows %.0f images/s, the engine at %d MHz %.0f (%.0f cycles an image)\n",
				board, enc, out / n, in_ / n, link, mhz, mhz * 1e6 / cyc, cyc }'
	done
}
CFG_IB=$BUILD/bench/mlp128_icebreaker.cfg
"$BUILD/snnc" "$FX/mlp128.onnx" -o "$CFG_IB" --calib "$IMGS" --calib-limit 50 --target icebreaker >/dev/null
uart_rows "$CFG_IB" iCEBreaker 48
CFG_UX=$BUILD/bench/mlp_ulx3s.cfg
"$BUILD/snnc" "$FX/mlp.onnx" -o "$CFG_UX" --calib "$IMGS" --calib-limit 50 --target ulx3s >/dev/null
uart_rows "$CFG_UX" ULX3S 30
