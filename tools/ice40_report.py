#!/usr/bin/python3
"""Print an iCE40 design's fit and timing from nextpnr-ice40's --report JSON; exit 1 when it does not fit or misses its clock.

Usage: ice40_report.py REPORT.json [NAME]

Prints the logic cells, block RAM, SPRAM and DSP used of those on the part,
and each clock's achieved Fmax against its constraint (nextpnr's --freq).
Exit status: 0 when everything fits and every clock meets its constraint,
1 when something does not, 2 when the report cannot be read.
"""
import json
import sys

# The resources that matter for a design, in the order printed.
RESOURCES = [
    ("ICESTORM_LC", "logic cells"),
    ("ICESTORM_RAM", "EBR (4 kbit)"),
    ("ICESTORM_SPRAM", "SPRAM (256 kbit)"),
    ("ICESTORM_DSP", "DSP (MAC16)"),
]


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: ice40_report.py REPORT.json [NAME]", file=sys.stderr)
        return 2
    name = argv[2] if len(argv) == 3 else "design"
    try:
        with open(argv[1]) as f:
            report = json.load(f)
        util = report["utilization"]
        fmax = report["fmax"]
    except (OSError, ValueError, KeyError) as e:
        print(f"ice40_report: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2

    ok = True
    print(f"{name}: resources used / available")
    for key, what in RESOURCES:
        u = util.get(key, {"used": 0, "available": 0})
        used, avail = u["used"], u["available"]
        pct = f"{100.0 * used / avail:5.1f} %" if avail else "    -  "
        flag = "" if used <= avail else "  OVER"
        ok = ok and used <= avail
        print(f"  {what:<17} {key:<15} {used:>5} / {avail:<5} {pct}{flag}")
    # Anything else over the part (I/O, PLL, global buffers) fails too.
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
