"""tools/vmsim/vmsim_tables.py - what tools/vmsim's table scripts
(policy-table.py, exact-policies.py) share: their command line, the
real-program traces, the frame counts of a table (footprint/8, /4 and
/2), a run of tools/vmsim with every policy, and the geometric mean the
tables end with.
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
# A table's memories: frames = footprint // d, footprint the distinct pages.
DIVISORS = (8, 4, 2)
# Policies that exist only in the simulator (not candidates for "best").
SIM_ONLY = ("lru", "opt")


def parse_args(doc, prog):
    """--vmsim PATH, --markdown and the traces (default: every trace of
    tests/vmsim/traces, recorded by tools/vmsim/record-traces.py); exits
    when there is none."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--vmsim", default=os.path.join(ROOT, "tools", "vmsim",
                                                    "vmsim"))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("traces", nargs="*")
    args = ap.parse_args()
    args.traces = args.traces or sorted(glob.glob(os.path.join(
        ROOT, "tests", "vmsim", "traces", "*.trace.xz")))
    if not args.traces:
        sys.exit("%s: no traces (tools/vmsim/record-traces.py makes them)"
                 % prog)
    return args


def vmsim_faults(vmsim, trace, frames):
    """{policy: faults} of every tools/vmsim policy (the kernel's, exact
    LRU, OPT) on one trace with that many frames."""
    out = subprocess.run([vmsim, "--policy", "all", "--frames", str(frames),
                          trace], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r"^(\w+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s", out, re.M)}


def trace_name(trace):
    """cc1 for tests/vmsim/traces/cc1.trace.xz."""
    return os.path.basename(trace).split(".")[0]


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else 0.0
