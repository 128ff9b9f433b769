#!/usr/bin/python3
"""Print an iCE40 design's fit and timing from nextpnr-ice40's --report JSON; exit 1 when it does not fit or misses its clock.

Usage: ice40_report.py REPORT.json [NAME]
       ice40_report.py --log NEXTPNR.log [NAME]

Prints the logic cells, block RAM, SPRAM and DSP used of those on the part,
and each clock's achieved Fmax against its constraint (nextpnr's --freq).
A design that does not fit stops nextpnr before it writes the report; --log
reads the packer's utilisation from nextpnr's log instead and says by how
much each resource is over.
Exit status: 0 when everything fits and every clock meets its constraint,
1 when something does not, 2 when the report cannot be read.
"""
import json
import re
import sys

# The resources that matter for a design, in the order printed.
RESOURCES = [
    ("ICESTORM_LC", "logic cells"),
    ("ICESTORM_RAM", "EBR (4 kbit)"),
    ("ICESTORM_SPRAM", "SPRAM (256 kbit)"),
    ("ICESTORM_DSP", "DSP (MAC16)"),
]


def from_log(path, name):
    """The packer's utilisation lines ("ICESTORM_LC:  8602/ 5280   162%")."""
    util = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.search(r"\b(ICESTORM_[A-Z]+|SB_[A-Z_0-9]+):\s*(\d+)/\s*(\d+)", line)
                if m and m.group(1) not in util:
                    util[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    except OSError as e:
        print(f"ice40_report: cannot read {path}: {e}", file=sys.stderr)
        return 2
    if not util:
        print(f"ice40_report: no utilisation in {path}", file=sys.stderr)
        return 2
    ok = True
    print(f"{name}: resources used / available (packed; nextpnr stopped before routing)")
    for key, what in RESOURCES:
        used, avail = util.get(key, (0, 0))
        pct = f"{100.0 * used / avail:5.1f} %" if avail else "    -  "
        over = f"  OVER by {used - avail:,}" if used > avail else ""
        ok = ok and used <= avail
        print(f"  {what:<17} {key:<15} {used:>5} / {avail:<5} {pct}{over}")
    for key, (used, avail) in sorted(util.items()):
        if key not in dict(RESOURCES) and used > avail:
            ok = False
            print(f"  {key}: {used} / {avail}  OVER by {used - avail:,}")
    print(f"{name}: {'packed; placement or routing failed (see the log)' if ok else 'FAILED: does not fit'}")
    return 1


def main(argv):
    if len(argv) in (3, 4) and argv[1] == "--log":
        return from_log(argv[2], argv[3] if len(argv) == 4 else "design")
    if len(argv) not in (2, 3):
        print("usage: ice40_report.py REPORT.json [NAME]\n       ice40_report.py --log NEXTPNR.log [NAME]",
              file=sys.stderr)
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
