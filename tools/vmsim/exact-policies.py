#!/usr/bin/env python3
"""Exact ARC, LIRS and LRU against Belady's OPT on the real-program traces.

    tools/vmsim/exact-policies.py [--vmsim PATH] [--markdown] [TRACE...]

The kernel's policies see a page's accessed bit, sampled when a hand
passes; the policies here see every reference, in order, as a cache in
software does. They show how close a policy that knows the exact order of
references comes to OPT on the same traces and frame counts as
tools/vmsim/policy-table.py (frames = footprint/8, /4 and /2, the
footprint being the trace's distinct pages), and so what accessed bits
cost:

  lru   exact least recently used
  arc   Adaptive Replacement Cache (Megiddo and Modha, FAST 2003): a list
        of pages seen once and a list of pages seen twice or more, each
        with a history of evicted keys; a ghost hit moves the target size
        of the first list towards the side that missed it
  lirs  Low Inter-reference Recency Set (Jiang and Zhang, SIGMETRICS
        2002), the policy CLOCK-Pro approximates: pages whose last two
        references were close are kept (LIR), 10% of the frames hold the
        others (HIR), a recency stack tells the two apart

Each is written from its paper's description in a few dozen lines of
Python. OPT and the kernel's policies come from tools/vmsim (built by
`make vmsim`), which also checks this program's reading of the traces:
its exact LRU must fault exactly as often as this one's. The table gives
each policy's faults divided by OPT's, the best of the kernel's policies
and the best of all (kernel and exact) for each row, and the geometric
means over all rows.
"""
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmsim_tables import DIVISORS, SIM_ONLY, geomean, parse_args, \
    trace_name, vmsim_faults  # noqa: E402 (after the path is set)

EXACT = ("arc", "lirs", "lru")
# LIRS's share of the frames for HIR pages. The paper uses 1%, which at
# these traces' frame counts (5 to 397) is a single frame: a page that
# comes in is evicted at the next fault unless its second use follows at
# once. With 10% exact LIRS comes 1.60 x OPT, with 1% 1.72.
LIRS_HIR_PERCENT = 10


def page_number(tok):
    """A page number as strtoull(tok, NULL, 0) reads it, or None."""
    try:
        if tok[:2].lower() == "0x":
            return int(tok[2:], 16)
        if len(tok) > 1 and tok[0] == "0":
            return int(tok[1:], 8)
        return int(tok, 10)
    except ValueError:
        return None


def read_trace(path):
    """The page numbers of a trace in tools/vmsim's format (see
    tools/vmsim/trace.c): references separated by spaces, commas or
    lines, each a number with an optional R or W suffix, '#' comments;
    read through `xz -dc` if the name ends in .xz. Writes do not matter
    for the faults, so they are dropped."""
    if path.endswith(".xz"):
        text = subprocess.run(["xz", "-dc", "--", path],
                              stdout=subprocess.PIPE, check=True).stdout
        text = text.decode("ascii", "replace")
    else:
        with open(path) as f:
            text = f.read()
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        for tok in line.split("#", 1)[0].replace(",", " ").split():
            if tok in ("W", "w", "R", "r") and refs:
                continue
            if tok[-1] in "WwRr":
                tok = tok[:-1]
            page = page_number(tok)
            if page is None:
                sys.exit("exact-policies: %s:%d: not a reference: %r"
                         % (path, n, tok))
            refs.append(page)
    return refs


def lru_faults(refs, frames):
    """Exact LRU: the page used least recently goes."""
    resident = collections.OrderedDict()  # least recently used first
    faults = 0
    for x in refs:
        if x in resident:
            resident.move_to_end(x)
            continue
        faults += 1
        if len(resident) == frames:
            resident.popitem(last=False)
        resident[x] = True
    return faults


def arc_faults(refs, c):
    """ARC. T1: resident pages seen once recently, T2: seen at least
    twice; B1, B2: keys evicted from T1 and T2. All four lists least
    recently used first. p is the target size of T1."""
    t1, t2 = collections.OrderedDict(), collections.OrderedDict()
    b1, b2 = collections.OrderedDict(), collections.OrderedDict()
    p = 0.0
    faults = 0

    def replace(in_b2):
        # Evict from T1 if it is over its target, else from T2.
        if t1 and (len(t1) > p or (in_b2 and len(t1) == p)):
            y, _ = t1.popitem(last=False)
            b1[y] = True
        else:
            y, _ = t2.popitem(last=False)
            b2[y] = True

    for x in refs:
        if x in t1:
            del t1[x]
            t2[x] = True
            continue
        if x in t2:
            t2.move_to_end(x)
            continue
        faults += 1
        if x in b1:
            # T1's pages were evicted too soon: T1 may grow.
            p = min(float(c), p + max(len(b2) / len(b1), 1.0))
            replace(False)
            del b1[x]
            t2[x] = True
            continue
        if x in b2:
            # T2's pages were evicted too soon: T1 shrinks.
            p = max(0.0, p - max(len(b1) / len(b2), 1.0))
            replace(True)
            del b2[x]
            t2[x] = True
            continue
        # Not remembered at all.
        if len(t1) + len(b1) == c:
            if len(t1) < c:
                b1.popitem(last=False)
                replace(False)
            else:
                t1.popitem(last=False)
        elif len(t1) + len(t2) + len(b1) + len(b2) >= c:
            if len(t1) + len(t2) + len(b1) + len(b2) == 2 * c:
                b2.popitem(last=False)
            replace(False)
        t1[x] = True
    return faults


def lirs_faults(refs, c):
    """LIRS. S: the recency stack (bottom first) of LIR pages, and of HIR
    pages (resident or not) more recent than the bottom LIR page; Q: the
    resident HIR pages, the next victim first. An HIR page referenced
    again while in S has a shorter reuse distance than the bottom LIR
    page: it becomes LIR and that page HIR."""
    if c < 2:
        return lru_faults(refs, c)  # one frame: every policy is the same
    hirs = max(1, c * LIRS_HIR_PERCENT // 100)
    lirs = c - hirs
    s = collections.OrderedDict()  # page -> True
    q = collections.OrderedDict()
    lir = set()
    resident = set()
    faults = 0

    def prune():
        # The bottom of S is always an LIR page.
        while s:
            y = next(iter(s))
            if y in lir:
                break
            del s[y]

    def demote_bottom():
        # The bottom LIR page becomes a resident HIR page.
        y, _ = s.popitem(last=False)
        lir.discard(y)
        q[y] = True
        prune()

    for x in refs:
        if x in lir:
            s.move_to_end(x)
            prune()
            continue
        if x in resident:  # a resident HIR page
            if x in s:
                s.move_to_end(x)
                del q[x]
                lir.add(x)
                demote_bottom()
            else:
                s[x] = True
                q.move_to_end(x)
            continue
        faults += 1
        if len(lir) < lirs:
            # Filling up: the first pages are LIR.
            resident.add(x)
            lir.add(x)
            s[x] = True
            continue
        if len(resident) == c:
            y, _ = q.popitem(last=False)
            resident.discard(y)  # stays in S, if it is there, as a ghost
        resident.add(x)
        if x in s:
            s.move_to_end(x)
            lir.add(x)
            demote_bottom()
        else:
            s[x] = True
            q[x] = True
    return faults


EXACT_FUNCS = {"arc": arc_faults, "lirs": lirs_faults, "lru": lru_faults}


def main():
    args = parse_args(__doc__, "exact-policies")
    rows = []  # (name, footprint, divisor, frames, opt, {policy: ratio})
    for trace in args.traces:
        name = trace_name(trace)
        refs = read_trace(trace)
        fp = len(set(refs))
        for d in DIVISORS:
            frames = max(1, fp // d)
            sim = vmsim_faults(args.vmsim, trace, frames)
            exact = {p: EXACT_FUNCS[p](refs, frames) for p in EXACT}
            if exact["lru"] != sim.get("lru"):
                sys.exit("exact-policies: %s at %d frames: exact LRU %d "
                         "faults here, %s in tools/vmsim: the trace was "
                         "read differently" % (name, frames, exact["lru"],
                                               sim.get("lru")))
            opt = sim["opt"]
            kernel = {p: f for p, f in sim.items() if p not in SIM_ONLY}
            ratios = {p: f / opt for p, f in exact.items()}
            ratios["kernel"] = min(kernel.values()) / opt
            ratios["all"] = min(list(kernel.values()) +
                                list(exact.values())) / opt
            rows.append((name, fp, d, frames, opt, ratios))
    cols = list(EXACT) + ["kernel", "all"]
    heads = ["arc", "lirs", "lru", "best kernel", "best of all"]
    means = {p: geomean([r[5][p] for r in rows]) for p in cols}
    if args.markdown:
        print("| trace | pages | frames | OPT faults | exact " +
              " | exact ".join(EXACT) + " | best kernel | best of all |")
        print("|---|---|---|---|" + "---|" * len(cols))
        for r in rows:
            print("| %s | %d | /%d = %d | %d | " % r[:5] +
                  " | ".join("%.2f" % r[5][p] for p in cols) + " |")
        print("| **geometric mean** | | | | " +
              " | ".join("**%.2f**" % means[p] for p in cols) + " |")
        return
    print("%-8s %6s %10s %9s " % ("trace", "pages", "frames", "opt") +
          " ".join("%7s" % h.split()[-1] for h in heads[:3]) +
          " %7s %7s" % ("kernel", "all"))
    for r in rows:
        print("%-8s %6d  /%d=%6d %9d " % r[:5] +
              " ".join("%7.2f" % r[5][p] for p in cols))
    print("%-8s %6s %10s %9s " % ("geomean", "", "", "") +
          " ".join("%7.2f" % means[p] for p in cols))
    print("(exact: every reference seen, in order; kernel: the best of the "
          "kernel's policies on accessed bits; all: the best of both)")


if __name__ == "__main__":
    main()
