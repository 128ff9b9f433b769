#!/bin/sh
# The front-end fuzzer alone, for SECONDS (default 300): tests/fuzz.sh runs
# it with the other readers' fuzzers.
exec "$(dirname "$0")/../../fuzz.sh" "${1:-300}" onnx
