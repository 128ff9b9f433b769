#!/bin/sh
# Golden simulator throughput against Brian2 (docs/benchmarks.md).
# Usage: bench/sim_bench.sh BUILD_DIR   (run by `make bench`)
# Runs BUILD_DIR/bench/sim_bench on a random 1000-300-300-10 IF network, then
# the same network and input spikes in Brian2's C++ standalone mode, and
# prints the two rates and their ratio, one line each.
set -eu
BUILD=${1:-build}
BENCH=$BUILD/bench/sim_bench
DATA=$BUILD/bench/data
PROJECT=$BUILD/bench/brian2
# Debian's python3-brian lives in the system interpreter, not whichever
# python3 comes first on PATH.
PY=/usr/bin/python3

[ -x "$BENCH" ] || { echo "sim_bench.sh: $BENCH missing; run make bench" >&2; exit 1; }
mkdir -p "$DATA" "$PROJECT"
rm -f "$DATA"/*

golden_out=$("$BENCH" --seconds 1 --repeat 5 --export "$DATA")
printf '%s\n' "$golden_out" | grep -v '^golden:'
brian_out=$("$PY" "$(dirname "$0")/brian2_bench.py" "$DATA" --repeat 5 --project "$PROJECT") || {
	rc=$?
	printf '%s\n' "$brian_out"
	echo "sim_bench.sh: brian2_bench.py failed (exit $rc)" >&2
	exit 1
}
printf '%s\n' "$brian_out" | grep -v '^brian2:'

golden=$(printf '%s\n' "$golden_out" | grep '^golden:')
brian=$(printf '%s\n' "$brian_out" | grep '^brian2:')
echo "$golden"
echo "$brian"
g=$(echo "$golden" | awk '{print $2}')
b=$(echo "$brian" | awk '{print $2}')
awk -v g="$g" -v b="$b" 'BEGIN { printf "golden/brian2 = %.1fx\n", g / b }'
