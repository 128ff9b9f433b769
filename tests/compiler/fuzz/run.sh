#!/bin/sh
# Build the front-end fuzzer with clang's libFuzzer and run it.
#   tests/compiler/fuzz/run.sh [SECONDS] [extra libFuzzer options]
# Needs clang and its runtime (Debian: clang-14 libclang-rt-14-dev) and the
# generated protobuf-c code (`make build/libsnnc.a` writes build/gen/).
# New inputs go to build/fuzz-corpus; crashes to build/fuzz-crashes/.
set -e
cd "$(dirname "$0")/../../.."
CLANG=${CLANG:-$(command -v clang-14 || command -v clang)}
SECONDS_TO_RUN=${1:-300}
[ $# -gt 0 ] && shift
[ -f build/gen/onnx.pb-c.c ] || make build/libsnnc.a
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iinclude -Ibuild/gen -Icompiler -D_POSIX_C_SOURCE=200809L \
	tests/compiler/fuzz/fuzz_onnx.c compiler/ir.c compiler/onnx_load.c compiler/shape.c \
	compiler/eval.c compiler/ops/*.c lib/error.c build/gen/onnx.pb-c.c \
	-lprotobuf-c -lmd -lm -o build/fuzz_onnx
mkdir -p build/fuzz-corpus build/fuzz-crashes
build/fuzz_onnx -max_total_time="$SECONDS_TO_RUN" -close_fd_mask=2 -artifact_prefix=build/fuzz-crashes/ \
	-dict=tests/compiler/fuzz/onnx.dict \
	"$@" build/fuzz-corpus tests/compiler/fuzz/corpus
