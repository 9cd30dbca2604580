#!/usr/bin/env python3
"""The replacement policies against Belady's OPT on real-program traces.

    tools/vmsim/policy-table.py [--vmsim PATH] [--markdown] [TRACE...]

For every trace (default: tests/vmsim/traces/*.trace.xz, recorded by
tools/vmsim/record-traces.py) and for frames = footprint/8, /4 and /2
(footprint: the trace's distinct pages), runs tools/vmsim with every
policy and prints each policy's faults divided by OPT's, then the
geometric mean of those ratios per policy over all traces and frame
counts, and for each cell the best of the kernel's policies (exact LRU
and OPT exist only in the simulator). --markdown prints the table as
docs/replacement.md shows it. `make vmsim-table` runs it.
"""
import argparse
import glob
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DIVISORS = (8, 4, 2)
# Policies that exist only in the simulator (not candidates for "best").
SIM_ONLY = ("lru", "opt")


def run(vmsim, trace, frames):
    """{policy: faults} for one trace and frame count, and the footprint."""
    out = subprocess.run(vmsim + ["--policy", "all", "--frames", str(frames),
                                  trace],
                         stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout
    faults = {}
    for line in out.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s", line)
        if m:
            faults[m.group(1)] = int(m.group(2))
    return faults


def footprint(vmsim, trace):
    """Distinct pages of a trace, from vmsim's header line."""
    out = subprocess.run(vmsim + ["--policy", "fifo", "--frames", "1", trace],
                         stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout
    m = re.search(r"(\d+) distinct pages", out)
    if not m:
        sys.exit("policy-table: no page count for %s" % trace)
    return int(m.group(1))


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vmsim", default=os.path.join(ROOT, "tools", "vmsim",
                                                    "vmsim"))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("traces", nargs="*")
    args = ap.parse_args()
    traces = args.traces or sorted(glob.glob(os.path.join(
        ROOT, "tests", "vmsim", "traces", "*.trace.xz")))
    if not traces:
        sys.exit("policy-table: no traces (tools/vmsim/record-traces.py "
                 "makes them)")
    vmsim = [args.vmsim]
    rows = []  # (trace name, footprint, frames, {policy: ratio}, opt)
    policies = None
    for trace in traces:
        name = os.path.basename(trace).split(".")[0]
        fp = footprint(vmsim, trace)
        for d in DIVISORS:
            frames = max(1, fp // d)
            faults = run(vmsim, trace, frames)
            opt = faults["opt"]
            if policies is None:
                policies = [p for p in faults if p != "opt"]
            ratios = {p: faults[p] / opt for p in policies}
            rows.append((name, fp, "/%d" % d, frames, ratios, opt))
    kernel = [p for p in policies if p not in SIM_ONLY]
    means = {p: geomean([r[4][p] for r in rows]) for p in policies}
    best = [min(r[4][p] for p in kernel) for r in rows]
    if args.markdown:
        print("| trace | pages | frames | OPT faults | " +
              " | ".join(policies) + " | best |")
        print("|---|---|---|---|" + "---|" * (len(policies) + 1))
        for r, b in zip(rows, best):
            print("| %s | %d | %s = %d | %d | " % (r[0], r[1], r[2], r[3],
                                                  r[5]) +
                  " | ".join("%.2f" % r[4][p] for p in policies) +
                  " | %.2f |" % b)
        print("| **geometric mean** | | | | " +
              " | ".join("**%.2f**" % means[p] for p in policies) +
              " | **%.2f** |" % geomean(best))
        return
    print("%-8s %6s %10s %9s " % ("trace", "pages", "frames", "opt") +
          " ".join("%7s" % p for p in policies) + " %7s" % "best")
    for r, b in zip(rows, best):
        print("%-8s %6d %3s=%6d %9d " % (r[0], r[1], r[2], r[3], r[5]) +
              " ".join("%7.2f" % r[4][p] for p in policies) + " %7.2f" % b)
    print("%-8s %6s %10s %9s " % ("geomean", "", "", "") +
          " ".join("%7.2f" % means[p] for p in policies) +
          " %7.2f" % geomean(best))


if __name__ == "__main__":
    main()
