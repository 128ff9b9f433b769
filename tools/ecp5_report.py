#!/usr/bin/python3
"""Print an ECP5 design's fit and timing from nextpnr-ecp5's --report JSON; exit 1 when it does not fit or misses its clock.

Usage: ecp5_report.py REPORT.json [NAME]

Prints the LUT4s, flip-flops, block RAM (DP16KD), multipliers (MULT18X18D)
and PLLs used of those on the part, and each clock's achieved Fmax against
its constraint (nextpnr's --freq). tools/ice40_report.py is the iCE40 twin.
Exit status: 0 when everything fits and every clock meets its constraint,
1 when something does not, 2 when the report cannot be read.
"""
import json
import sys

# The resources that matter for a design, in the order printed. A
# TRELLIS_COMB is one LUT4 of a slice (a CCU2C carry cell takes two).
RESOURCES = [
    ("TRELLIS_COMB", "LUT4"),
    ("TRELLIS_FF", "flip-flops"),
    ("TRELLIS_RAMW", "LUTRAM write"),
    ("DP16KD", "EBR (18 kbit)"),
    ("MULT18X18D", "DSP 18x18"),
    ("EHXPLLL", "PLL"),
    ("TRELLIS_IO", "I/O"),
]


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: ecp5_report.py REPORT.json [NAME]", file=sys.stderr)
        return 2
    name = argv[2] if len(argv) == 3 else "design"
    try:
        with open(argv[1]) as f:
            report = json.load(f)
        util = report["utilization"]
        fmax = report.get("fmax", {})
    except (OSError, ValueError, KeyError) as e:
        print(f"ecp5_report: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2

    ok = True
    print(f"{name}: resources used / available")
    for key, what in RESOURCES:
        u = util.get(key, {"used": 0, "available": 0})
        used, avail = u["used"], u["available"]
        pct = f"{100.0 * used / avail:5.1f} %" if avail else "    -  "
        flag = "" if used <= avail else "  OVER"
        ok = ok and used <= avail
        print(f"  {what:<14} {key:<13} {used:>6} / {avail:<6} {pct}{flag}")
    # Anything else over the part (global buffers, other primitives) fails too.
    for key, u in sorted(util.items()):
        if key not in dict(RESOURCES) and u["used"] > u["available"]:
            ok = False
            print(f"  {key}: {u['used']} / {u['available']}  OVER")

    if not fmax:
        print(f"{name}: no clock in the timing report")
        ok = False
    for clk, t in sorted(fmax.items()):
        achieved, constraint = t["achieved"], t["constraint"]
        met = achieved >= constraint
        ok = ok and met
        print(f"{name}: Fmax {clk}: {achieved:.2f} MHz against {constraint:.2f} MHz:"
              f" {'met' if met else 'MISSED'} ({100.0 * (achieved / constraint - 1):+.1f} %)")
    print(f"{name}: {'fits and meets timing' if ok else 'FAILED: does not fit or misses timing'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
