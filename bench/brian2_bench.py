#!/usr/bin/python3
"""Run the network exported by `sim_bench --export DIR` in Brian2 (C++
standalone mode) and print its synaptic operations per second.

Run with Debian's interpreter, /usr/bin/python3 (python3-brian):

    /usr/bin/python3 bench/brian2_bench.py DIR [--project PROJECT_DIR]

Same network (same integer weights and thresholds, IF neurons, v -= theta on
a spike), same input spike trains (a SpikeGeneratorGroup repeating the
exported pattern), same number of 1 ms steps. Brian2 delivers a spike to the
next layer's membrane in the step it is emitted, but thresholds before
delivering, so each layer fires one step later than in the golden simulator
(whose phases deliver within the step): the spike trains are the golden ones
shifted by one step per layer. That moves no work: every input spike still
reaches all of its synapses. The spike counts are compared exactly against the
golden counts over the correspondingly shortened windows.

The time is Brian2's own "time in run" (Network::run's loop in the compiled
binary, std::clock), which excludes code generation, compilation, loading the
arrays and writing results; the binary is run --repeat times and the fastest
run is reported, like sim_bench does.
"""
import argparse
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np  # noqa: E402


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, *vals = line.split()
            meta[key] = vals
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="directory written by sim_bench --export")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the compiled "
                    "binary; the fastest time in run is reported (default 3)")
    ap.add_argument("--project", help="Brian2 standalone project directory "
                    "(default: a temporary directory, removed afterwards)")
    args = ap.parse_args()

    meta = read_meta(os.path.join(args.dir, "net.txt"))
    sizes = [int(x) for x in meta["sizes"]]
    thetas = [float(x) for x in meta["thresholds"]]
    steps = int(meta["steps"][0])
    period = int(meta["period"][0])
    golden_shifted = [int(x) for x in meta["golden_spikes_shifted"]]
    weights = []
    for l in range(1, len(sizes)):
        w = np.fromfile(os.path.join(args.dir, f"w{l}.i16"), dtype="<i2")
        assert w.size == sizes[l - 1] * sizes[l], f"w{l}.i16 has {w.size} weights"
        assert np.all(w != 0)
        weights.append(w.reshape(sizes[l - 1], sizes[l]))
    inp = np.fromfile(os.path.join(args.dir, "input.i32"), dtype="<i4").reshape(-1, 2)

    import brian2 as b2
    b2.prefs.logging.console_log_level = "WARNING"
    cleanup = None
    project = args.project
    if project is None:
        cleanup = tempfile.TemporaryDirectory(prefix="brian2_bench_")
        project = cleanup.name
    b2.set_device("cpp_standalone", directory=project, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0  # one core, like the golden
    b2.defaultclock.dt = 1 * b2.ms

    groups = [b2.SpikeGeneratorGroup(sizes[0], inp[:, 1], inp[:, 0] * b2.ms,
                                      period=period * b2.ms, name="layer0")]
    synapses = []
    for l in range(1, len(sizes)):
        g = b2.NeuronGroup(sizes[l], "v : 1", threshold="v >= theta",
                           reset="v -= theta", method="exact",
                           namespace={"theta": thetas[l - 1]}, name=f"layer{l}")
        s = b2.Synapses(groups[-1], g, "w : 1", on_pre="v_post += w",
                        name=f"syn{l}")
        npre, npost = sizes[l - 1], sizes[l]
        s.connect(i=np.repeat(np.arange(npre), npost), j=np.tile(np.arange(npost), npre))
        s.w = weights[l - 1].reshape(-1).astype(np.float64)  # [pre][post] order
        groups.append(g)
        synapses.append(s)
    monitors = [b2.SpikeMonitor(g, record=False, name=f"count{l}")
                for l, g in enumerate(groups)]
    net = b2.Network(groups, synapses, monitors)
    net.run(steps * b2.ms, namespace={})
    t0 = time.monotonic()
    b2.device.build(directory=project, compile=True, run=True, with_output=False)
    total = time.monotonic() - t0
    run_time = b2.device._last_run_time
    run_binary = b2.device.timers.get("run_binary", float("nan"))
    for _ in range(args.repeat - 1):
        b2.device.run(project, False, [])
        run_time = min(run_time, b2.device._last_run_time)

    counts = [int(np.sum(m.count[:])) for m in monitors]
    events = sum(counts[l] * sizes[l + 1] for l in range(len(sizes) - 1))
    # Brian2's layer l fires at steps [l, steps): the golden spikes of
    # steps [0, steps - l), which sim_bench counted as golden_spikes_shifted.
    same = counts == golden_shifted
    print("brian2 spikes per layer: " + ", ".join(
        f"{n} {c}" for n, c in zip(["in", "h1", "h2", "out"], counts)) +
        (" (identical to golden, shifted one step per layer)" if same else
         f" (golden, shifted one step per layer: {golden_shifted}: MISMATCH)"))
    print(f"brian2 code generation+compilation+first run {total:.1f} s, "
          f"first binary run {run_binary:.2f} s wall")
    print(f"brian2: {events / run_time:.3g} synaptic ops/s ({events} synaptic events, "
          f"{steps} steps, {run_time:.3f} s in run, best of {args.repeat})")
    if cleanup is not None:
        cleanup.cleanup()
    return 0 if same else 2


if __name__ == "__main__":
    sys.exit(main())
