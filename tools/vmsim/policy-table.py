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
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmsim_tables import DIVISORS, SIM_ONLY, geomean, parse_args, \
    trace_name, vmsim_faults  # noqa: E402 (after the path is set)


def footprint(vmsim, trace):
    """Distinct pages of a trace, from vmsim's header line."""
    out = subprocess.run([vmsim, "--policy", "fifo", "--frames", "1", trace],
                         stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout
    m = re.search(r"(\d+) distinct pages", out)
    if not m:
        sys.exit("policy-table: no page count for %s" % trace)
    return int(m.group(1))


def main():
    args = parse_args(__doc__, "policy-table")
    vmsim = args.vmsim
    rows = []  # (trace name, footprint, frames, {policy: ratio}, opt)
    policies = None
    for trace in args.traces:
        name = trace_name(trace)
        fp = footprint(vmsim, trace)
        for d in DIVISORS:
            frames = max(1, fp // d)
            faults = vmsim_faults(vmsim, trace, frames)
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
