#!/usr/bin/env python3
"""Tests of tools/memmap: on the captured dump tests/trace/memmap-example.dump
(made by `make memmap-example`), and on a dump recorded now from Pagoda.

Checked: `memmap summary` against the dump's lines counted here by other
code (pages in swap, pages never touched, frames per use, free frames); the
pages memdump -e builds (some in swap, one in the swap cache, two of
shared memory, copy-on-write pages shared with its child); that `space`
and `phys` write PNG and SVG files holding what they should (the PNG
signature and size, the legend's words in the SVG); that a dump cut short,
a line that is not memdump's and a picture name without .png or .svg are
refused with a message. Then a live run: `memmap record` boots Pagoda
with memdump -e and the same facts must hold for what it recorded.

Prints one "PASS memmap NAME" or "FAIL memmap NAME: why" line per check
and "memmap: N passed, M failed"; exits 1 on a failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "memmap")
FIXTURE = os.path.join(ROOT, "tests", "trace", "memmap-example.dump")

passed = failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS memmap %s" % name)
    else:
        failed += 1
        print("FAIL memmap %s: %s" % (name, why))
    return ok


def run(args, timeout=120):
    p = subprocess.run([sys.executable, TOOL] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=timeout)
    return p.returncode, p.stdout


def count_dump(path):
    """The numbers the summary must give, counted straight from the lines."""
    pages = swapped = present = 0
    frames = free = slab = 0
    for line in open(path):
        w = line.split()
        if w[0] == "maps":
            lo, hi = (int(x, 16) for x in w[1].split("-"))
            pages += (hi - lo) // 4096
        elif w[0] == "pagemap":
            e = int(w[2], 16)
            swapped += (e >> 62) & 1
            present += (e >> 63) & 1
        elif w[0] == "frames":
            n, flags, order = int(w[2]), int(w[3], 16), w[5]
            frames += n
            if order != "-":
                free += n
            elif (flags >> 7) & 1:
                slab += n
    return {"pages": pages, "swapped": swapped,
            "untouched": pages - swapped - present, "frames": frames,
            "free": free, "slab": slab}


def parse_summary(out):
    vals = dict((m.group(1), int(m.group(2))) for m in re.finditer(
        r"^\s+(?:page|frame) (\S+)\s+(\d+)", out, re.M))
    m = re.search(r"^frames: (\d+)$", out, re.M)
    vals["frames"] = int(m.group(1)) if m else -1
    m = re.search(r"(\d+) pages$", out.splitlines()[0]) if out else None
    vals["pages"] = int(m.group(1)) if m else -1
    vals["free"] = sum(v for k, v in vals.items() if re.match(r"free\d+$", k))
    return vals


def check_dump(path, tag):
    rc, out = run(["summary", path])
    if not check(rc == 0, "%s summary runs" % tag, out[-300:]):
        return
    got, want = parse_summary(out), count_dump(path)
    for key in ("pages", "swapped", "untouched", "frames", "free", "slab"):
        check(got.get(key) == want[key], "%s summary %s" % (tag, key),
              "summary %s, the dump's lines %s" % (got.get(key), want[key]))
    # What memdump -e builds (user/memdump.c).
    check(got.get("swapped", 0) > 0, "%s pages in swap" % tag, str(got))
    check(got.get("swapcache") == 1, "%s one page in the swap cache" % tag,
          str(got.get("swapcache")))
    check(got.get("shm") == 2, "%s two pages of shared memory" % tag,
          str(got.get("shm")))
    check(got.get("cow", 0) >= 4, "%s copy-on-write pages" % tag,
          str(got.get("cow")))
    check(got.get("pgtable", 0) > 0 and got.get("anon", 0) > 0,
          "%s page tables and anonymous frames" % tag, str(got))


def check_pictures(path, tmp):
    for kind, word in (("space", "in swap"), ("phys", "free, order 0 block")):
        png = os.path.join(tmp, kind + ".png")
        svg = os.path.join(tmp, kind + ".svg")
        rc1, out1 = run([kind, path, png])
        rc2, out2 = run([kind, path, svg])
        head = open(png, "rb").read(8) if os.path.exists(png) else b""
        check(rc1 == 0 and head == b"\x89PNG\r\n\x1a\n" and
              os.path.getsize(png) > 5000, "%s png" % kind, out1[-200:])
        body = open(svg).read() if os.path.exists(svg) else ""
        check(rc2 == 0 and "<svg" in body and word in body,
              "%s svg has '%s'" % (kind, word), out2[-200:])


def check_refusals(tmp):
    text = open(FIXTURE).read()
    cut = os.path.join(tmp, "cut.dump")
    with open(cut, "w") as f:
        f.write(text[:len(text) // 2].rsplit("\n", 1)[0] + "\n")
    rc, out = run(["summary", cut])
    check(rc == 1 and "cut short" in out, "refuses a dump cut short",
          "status %d: %s" % (rc, out.strip()))
    bad = os.path.join(tmp, "bad.dump")
    with open(bad, "w") as f:
        f.write("memdump: begin pid 1\nframes 0 x\nmemdump: end\n")
    rc, out = run(["summary", bad])
    check(rc == 1 and "bad.dump:2" in out, "names a bad line",
          "status %d: %s" % (rc, out.strip()))
    rc, out = run(["space", FIXTURE, os.path.join(tmp, "x.jpg")])
    check(rc == 1 and ".png or .svg" in out, "refuses another picture type",
          "status %d: %s" % (rc, out.strip()))


def main():
    tmp = tempfile.mkdtemp(prefix="test-memmap-")
    try:
        check_dump(FIXTURE, "fixture")
        check_refusals(tmp)
        if shutil.which("gnuplot"):
            check_pictures(FIXTURE, tmp)
        if os.path.exists(os.path.join(ROOT, "build", "kernel.elf")):
            live = os.path.join(tmp, "live.dump")
            rc, out = run(["record", live, "--mem", "16M"], timeout=240)
            if check(rc == 0 and os.path.exists(live), "record runs",
                     out[-400:]):
                check_dump(live, "live")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("memmap: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
