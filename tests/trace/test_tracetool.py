#!/usr/bin/env python3
"""Host tests of tools/tracetool on a small trace of known contents.

The trace below is written by hand in the kernel's format (docs/tracing.md),
with a program's output before it and /proc/vmstat after it, as
user/mmtrace prints them. Checked: which lines are events, the reference
string `tracetool vmsim` makes of them (failed accesses left out, W for
the faults that write, one space per process), that tools/vmsim replays
it with the fault counts worked out by hand, the summary's counts, and
that `tracetool plot` writes an SVG (when gnuplot is installed).

Prints one "PASS tracetool NAME" or "FAIL tracetool NAME: why" line per
check and "tracetool: N passed, M failed"; exits 1 on a failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "tracetool")
VMSIM = os.path.join(ROOT, "tools", "vmsim", "vmsim")

TRACE = """\
hello from the program
# pagoda mm trace: tracing off, pid 0, entries-in-buffer/entries-written: 11/11, dropped: 0
#         TIME   PID EVENT KIND            ADDRESS     PFN   SLOT INFO
          1000     5 fault zero         0x00001000 0x00100      - -
          1010     5 fault file         0x00002000 0x00101      - -
          1020     5 fault zero         0x00003000 0x00102      - -
          1030     5 swap  alloc                 -       -      7 -
          1040     5 evict written      0x00001000 0x00100      7 clock
          1050     6 fault zero         0x00001000 0x00100      - -
          1060     5 fault swap-in      0x00001000 0x00103      7 -
          1070     5 swap  free                  -       -      7 -
          1080     5 fault cow-copy     0x00002000 0x00104      - -
          1090     5 fault segv         0x00000000       -      - -
          1100     7 shm   attach       0x40000000       -      - id=3
# /proc/vmstat
nr_free_pages 100
"""

# The faults of pid 5 as vmsim pages: 1 W, 2, 3 W, 1, 2 W.
WANT_PID5 = ["1 W", "2", "3 W", "1", "2 W"]

passed = failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS tracetool %s" % name)
    else:
        failed += 1
        print("FAIL tracetool %s: %s" % (name, why))


def run(args):
    p = subprocess.run([TOOL] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=60)
    return p.returncode, p.stdout


def references(text):
    return [l for l in text.splitlines() if l and not l.startswith("#")]


def vmsim_faults(path):
    """{policy: faults} from tools/vmsim's table for 2 frames."""
    p = subprocess.run([VMSIM, "--policy", "fifo,opt", "--frames", "2",
                        path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=120)
    return dict((m.group(1), int(m.group(2))) for m in
                re.finditer(r"^(\w+)\s+(\d+)\s+\d+", p.stdout, re.M))


def main():
    tmp = tempfile.mkdtemp(prefix="test-tracetool-")
    try:
        trace = os.path.join(tmp, "run.trace")
        with open(trace, "w") as f:
            f.write(TRACE)

        rc, out = run(["vmsim", "--pid", "5", trace])
        got = references(out)
        check(rc == 0 and got == WANT_PID5, "vmsim one process",
              "status %d, got %r" % (rc, got))

        rc, out = run(["vmsim", trace])
        got = references(out)
        # Two processes: pid 6's page 1 is 6 * 2^20 + 1, apart from pid 5's.
        want = ["%d W" % ((5 << 20) + 1), "%d" % ((5 << 20) + 2),
                "%d W" % ((5 << 20) + 3), "%d W" % ((6 << 20) + 1),
                "%d" % ((5 << 20) + 1), "%d W" % ((5 << 20) + 2)]
        check(rc == 0 and got == want, "vmsim every process",
              "status %d, got %r, want %r" % (rc, got, want))

        refs = os.path.join(tmp, "run.refs")
        rc, out = run(["vmsim", "--pid", "5", trace, refs])
        faults = vmsim_faults(refs) if rc == 0 else {}
        # 1 2 3 1 2 in 2 frames: FIFO faults on all 5, OPT keeps 1 for
        # its next use and faults 4 times.
        check(faults == {"fifo": 5, "opt": 4}, "replay in vmsim",
              "status %d, faults %r" % (rc, faults))

        rc, out = run(["summary", trace])
        rows = dict(((int(m.group(1)), m.group(2), m.group(3)),
                     int(m.group(4))) for m in re.finditer(
            r"^\s*(\d+) (\w+)\s+(\S+)\s+(\d+)$", out, re.M))
        check(rc == 0 and rows.get((5, "fault", "zero")) == 2 and
              rows.get((5, "evict", "written")) == 1 and
              rows.get((7, "shm", "attach")) == 1 and
              "11 events" in out, "summary", "got %r" % out[-300:])

        with open(os.path.join(tmp, "empty.txt"), "w") as f:
            f.write("no trace here\n")
        rc, out = run(["vmsim", os.path.join(tmp, "empty.txt")])
        check(rc == 2 and "no trace" in out, "refuses a file without "
              "a trace", "status %d: %s" % (rc, out.strip()))

        if shutil.which("gnuplot"):
            svg = os.path.join(tmp, "run.svg")
            rc, out = run(["plot", trace, svg])
            body = open(svg).read() if os.path.exists(svg) else ""
            check(rc == 0 and "<svg" in body and "eviction" in body,
                  "plot svg", "status %d: %s" % (rc, out.strip()[-200:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("tracetool: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
