#!/bin/sh
# Fuzz the readers of hostile input with clang's libFuzzer, each for a
# bounded time: the ONNX loader, the configuration image reader, the IDX
# reader, the host-link frame decoder and snnsim's targets reader
# (tests/*/fuzz/fuzz_*.c).
#   tests/fuzz.sh [SECONDS] [TARGET...]   targets: onnx image idx frame targets, and nir
#   (the NIR importer: not run by default, since most of what it reaches is
#   libhdf5's own parser)
# Needs clang-14 and libclang-rt-14-dev (`make fuzz` installs them). Each
# target starts from seeds taken from the fixtures and its committed corpus
# (tests/*/fuzz/corpus); what it finds goes to build/fuzz/TARGET/corpus,
# crashes to build/fuzz/TARGET/crashes/ (keep them as regression inputs in
# tests/*/fuzz/regressions/, which every run replays first). An input that takes over 10 s or 1 GiB counts as a crash: work must
# follow the content, not what a header claims. Exit 1 if any target failed.
cd "$(dirname "$0")/.." || exit 1
CLANG=${CLANG:-$(command -v clang-14 || command -v clang)}
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-onnx image idx frame targets}
OUT=build/fuzz
SAN="-fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow"
CC_FUZZ="$CLANG -g -O1 $SAN -Iinclude -D_POSIX_C_SOURCE=200809L"
[ -x build/snnc ] && [ -f build/gen/onnx.pb-c.c ] || make build/snnc >/dev/null || exit 1

# Sources and seeds of each target.
build_target() {
	case $1 in
	onnx) $CC_FUZZ -Ibuild/gen -Icompiler tests/compiler/fuzz/fuzz_onnx.c \
		tests/compiler/fuzz/fuzz_file.c compiler/ir.c compiler/onnx_load.c compiler/shape.c \
		compiler/linear_ml.c compiler/eval.c compiler/ops/*.c lib/error.c lib/file.c \
		build/gen/onnx.pb-c.c -lprotobuf-c -lmd -lm -o "$OUT/fuzz_onnx" &&
		cp models/fixtures/*.onnx models/fixtures/iris/*.onnx models/fixtures/autoenc/*.onnx \
			tests/cli/data/*.onnx "$OUT/onnx/seed/" ;;
	image) $CC_FUZZ tests/image/fuzz/fuzz_image.c lib/image.c lib/config.c lib/geometry.c lib/error.c \
		lib/file.c -lz -o "$OUT/fuzz_image" &&
		for m in mlp128 lenet1; do	# first byte 1: resealed, see fuzz_image.c
			build/snnc models/fixtures/$m.onnx -o "$OUT/image/$m.cfg" --target icebreaker -T 8 \
				2>/dev/null && { printf '\001'; cat "$OUT/image/$m.cfg"; } > "$OUT/image/seed/$m" ||
				return 1
		done ;;
	idx) $CC_FUZZ tests/lib/fuzz/fuzz_idx.c lib/idx.c lib/file.c lib/error.c -lz -o "$OUT/fuzz_idx" &&
		for f in models/fixtures/*-labels-idx1-ubyte.gz models/fixtures/mnist-test100-images-idx3-ubyte.gz; do
			cp "$f" "$OUT/idx/seed/" && gzip -dc "$f" > "$OUT/idx/seed/$(basename "$f" .gz)"
		done ;;
	frame) $CC_FUZZ tests/protocol/fuzz/fuzz_frame.c lib/protocol.c -lz -o "$OUT/fuzz_frame" ;;
	# not a default target: most of what it reaches is libhdf5, which is not ours
	nir) $CC_FUZZ -Ibuild/gen -Icompiler $(pkg-config --cflags hdf5) tests/compiler/fuzz/fuzz_nir.c \
		tests/compiler/fuzz/fuzz_file.c compiler/nir_file.c compiler/nir_import.c compiler/ir.c \
		compiler/shape.c compiler/eval.c compiler/ops/*.c lib/error.c lib/file.c build/gen/onnx.pb-c.c $(pkg-config --libs hdf5) \
		-lprotobuf-c -lmd -lm -o "$OUT/fuzz_nir" &&
		cp build/nir/*.nir "$OUT/nir/seed/" 2>/dev/null
		for m in mlp lenet1; do
			build/snnc models/fixtures/$m.onnx -o "$OUT/nir/$m.cfg" 2>/dev/null &&
				build/snnc export-nir "$OUT/nir/$m.cfg" -o "$OUT/nir/seed/$m.nir" 2>/dev/null || return 1
		done ;;
	targets) $CC_FUZZ -Isim tests/sim/fuzz/fuzz_targets.c sim/regress.c lib/file.c lib/error.c -lm \
		-o "$OUT/fuzz_targets" &&
		for f in models/fixtures/iris/*.txt models/fixtures/iris/*.ref; do	# first byte: outputs - 1
			{ printf '\000'; cat "$f"; } > "$OUT/targets/seed/$(basename "$f")" || return 1
		done ;;
	*) echo "fuzz: unknown target $1 (onnx image idx frame targets nir)" >&2; return 1 ;;
	esac
}

failed=""
for t in $TARGETS; do
	mkdir -p "$OUT/$t/seed" "$OUT/$t/corpus" "$OUT/$t/crashes"
	if ! build_target "$t"; then
		failed="$failed $t(build)"
		continue
	fi
	area=$(dirname "$(ls tests/*/fuzz/fuzz_"$t".c)")
	if [ -d "$area/regressions" ]; then
		"$OUT/fuzz_$t" -rss_limit_mb=1024 -timeout=10 "$area"/regressions/* >/dev/null 2>&1 ||
			{ failed="$failed $t(regression)"; continue; }
	fi
	echo "fuzz: $t for $SECONDS_EACH s"
	dict=""
	[ -f "$area/$t.dict" ] && dict="-dict=$area/$t.dict"
	kept=""	# the committed corpus: what earlier runs found, minimised (-merge=1)
	[ -d "$area/corpus" ] && kept="$area/corpus"
	"$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout=10 -close_fd_mask=2 \
		-artifact_prefix="$OUT/$t/crashes/" $dict "$OUT/$t/corpus" "$OUT/$t/seed" $kept >"$OUT/$t/log" 2>&1 ||
		failed="$failed $t"
	tail -n 1 "$OUT/$t/log"
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed (logs and inputs under $OUT)" >&2
	exit 1
fi
echo "fuzz: no crash in $TARGETS"
