#!/usr/bin/env python3
"""Checks of the page replacement simulator, tools/vmsim.

    tests/vmsim/run.py [--vmsim PATH]

Prints one "PASS name: detail" or "FAIL name: detail" line per check and
ends with "vmsim: N passed, M failed"; the exit status is 1 on any
failure. The checks:

  * the textbook figures: reference string 7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,
    1,7,0,1 with 3 frames gives FIFO 15, LRU 12, OPT 9 faults; 1,2,3,4,1,2,
    5,1,2,3,4,5 under FIFO gives 9 faults with 3 frames and 10 with 4
    (Belady's anomaly), both by --frames and in a --sweep;
  * every policy against an independent model written here (FIFO, exact
    LRU, OPT, second-chance clock, aging, and random with the same
    xorshift32 sequence): faults, cold faults, evictions and write-backs
    must agree exactly on generated traces at several frame counts;
  * properties: OPT never faults more than any policy; LRU and OPT (stack
    algorithms) never fault more with more frames; a dirty page is written
    back once, a clean copy read back from swap is not written again;
  * the command line: stdin and a file give the same result, a bad trace
    is refused, --plot writes a PNG and an SVG.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TEXTBOOK = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]
BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
POLICIES = ["clock", "fifo", "aging", "random", "lru", "opt"]
NEVER = float("inf")


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        line = "%s vmsim %s" % ("PASS" if ok else "FAIL", name)
        print(line + (": " + detail if detail else ""), flush=True)
        return ok


# --- running the simulator --------------------------------------------------

def vmsim(args, trace=None, stdin=None):
    """Runs vmsim; returns (exit status, stdout, stderr)."""
    cmd = VMSIM + list(args)
    path = None
    if trace is not None:
        fd, path = tempfile.mkstemp(prefix="vmsim-test-", suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write(trace_text(trace))
        cmd.append(path)
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=120)
        return p.returncode, p.stdout, p.stderr
    finally:
        if path:
            os.unlink(path)


def trace_text(refs):
    """refs: page numbers, or (page, write) pairs."""
    out = []
    for r in refs:
        if isinstance(r, tuple):
            out.append("%d%s" % (r[0], "W" if r[1] else ""))
        else:
            out.append(str(r))
    return "\n".join(out) + "\n"


def parse_table(out):
    """{policy: (faults, cold, evictions, writebacks)} from a --frames
    table."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+"
                     r"[+-]\d+$", line)
        if m:
            rows[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 6))
    return rows


def parse_sweep(out):
    """{policy: {frames: faults}} from a --sweep table."""
    lines = [l for l in out.splitlines() if l and not l.startswith("#")]
    if not lines or not lines[0].split()[0] == "frames":
        return {}
    names = lines[0].split()[1:]
    table = {n: {} for n in names}
    for l in lines[1:]:
        cols = l.split()
        if len(cols) != len(names) + 1:
            continue
        for n, v in zip(names, cols[1:]):
            table[n][int(cols[0])] = int(v)
    return table


# --- the models --------------------------------------------------------------

def normalize(refs):
    return [r if isinstance(r, tuple) else (r, False) for r in refs]


def model(policy, refs, frames, tick=16, seed=1):
    """Replays refs as tools/vmsim/mmu.c does, with the policy written
    from its textbook description. Returns (faults, cold, evictions,
    writebacks)."""
    refs = normalize(refs)
    nxt = [NEVER] * len(refs)
    last = {}
    for i in range(len(refs) - 1, -1, -1):
        nxt[i] = last.get(refs[i][0], NEVER)
        last[refs[i][0]] = i
    rng = [seed or 1]

    def xorshift():
        x = rng[0]
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        rng[0] = x
        return x

    resident = []          # pages in the policy's order
    accessed, dirty, age, next_use = {}, {}, {}, {}
    seen = set()
    hand = 0               # clock: index into resident (a circle)
    faults = cold = evictions = writebacks = 0
    for i, (page, write) in enumerate(refs):
        if page not in accessed:
            faults += 1
            if page not in seen:
                cold += 1
                seen.add(page)
            if len(resident) == frames:
                if policy == "fifo" or policy == "lru":
                    victim = resident[0]
                elif policy == "clock":
                    while accessed[resident[hand]]:
                        accessed[resident[hand]] = False
                        hand = (hand + 1) % frames
                    victim = resident[hand]
                elif policy == "aging":
                    victim = min(resident, key=lambda p: age[p])
                elif policy == "random":
                    victim = resident[xorshift() % len(resident)]
                elif policy == "opt":
                    far = max(next_use[p] for p in resident)
                    cands = [p for p in resident if next_use[p] == far]
                    clean = [p for p in cands if not dirty[p]]
                    victim = (clean or cands)[0]
                evictions += 1
                writebacks += dirty[victim]
                del accessed[victim], dirty[victim]
                if policy == "clock":
                    # The new page takes the victim's slot; the hand
                    # moves past it.
                    resident[hand] = page
                    hand = (hand + 1) % frames
                else:
                    resident.remove(victim)
                    resident.append(page)
            else:
                resident.append(page)
            dirty[page] = False
            age[page] = 0x80
        accessed[page] = True
        dirty[page] = dirty[page] or write
        next_use[page] = nxt[i]
        if policy == "lru":
            resident.remove(page)
            resident.append(page)
        if policy == "aging" and tick and (i + 1) % tick == 0:
            for p in resident:
                age[p] = (age[p] >> 1) | (0x80 if accessed[p] else 0)
                accessed[p] = False
    return faults, cold, evictions, writebacks


def opt_faults(refs, frames):
    """Belady's OPT fault count, computed the slow, obvious way."""
    refs = [r[0] for r in normalize(refs)]
    mem, faults = set(), 0
    for i, p in enumerate(refs):
        if p in mem:
            continue
        faults += 1
        if len(mem) == frames:
            def next_use(q):
                try:
                    return refs.index(q, i + 1)
                except ValueError:
                    return NEVER
            mem.remove(max(sorted(mem), key=next_use))
        mem.add(p)
    return faults


def random_trace(rng, n, pages, writes, locality):
    """References with some locality: mostly near the previous page."""
    refs, cur = [], 0
    for _ in range(n):
        if rng.random() < locality:
            cur = max(0, min(pages - 1, cur + rng.randint(-2, 2)))
        else:
            cur = rng.randrange(pages)
        refs.append((cur, rng.random() < writes))
    return refs


def gentrace(kind, length, pages, seed):
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools/vmsim/gentrace.py"),
         "--kind", kind, "--length", str(length), "--pages", str(pages),
         "--seed", str(seed)],
        stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    refs = []
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        w = line.endswith("W")
        refs.append((int(line.rstrip("W")), w))
    return refs


# --- the checks --------------------------------------------------------------

def check_textbook(c):
    rc, out, err = vmsim(["--policy", "fifo,lru", "--frames", "3"], TEXTBOOK)
    t = parse_table(out)
    for pol, want in (("fifo", 15), ("lru", 12), ("opt", 9)):
        got = t.get(pol, (None,))[0]
        c.check(rc == 0 and got == want,
                "textbook %s 3 frames" % pol.upper(),
                "%s faults, expected %d%s" % (got, want,
                                              "" if rc == 0 else
                                              " (" + err.strip() + ")"))
    for frames, want in ((3, 9), (4, 10)):
        rc, out, err = vmsim(["-p", "fifo", "-f", str(frames)], BELADY)
        got = parse_table(out).get("fifo", (None,))[0]
        c.check(rc == 0 and got == want,
                "Belady FIFO %d frames" % frames,
                "%s faults, expected %d" % (got, want))
    rc, out, err = vmsim(["-p", "fifo", "--sweep", "1:6"], BELADY)
    s = parse_sweep(out).get("fifo", {})
    c.check(rc == 0 and s.get(3) == 9 and s.get(4) == 10,
            "Belady anomaly in a sweep",
            "FIFO faults by frames: %s" % " ".join(
                "%d:%d" % kv for kv in sorted(s.items())))


def check_models(c):
    rng = random.Random(5)
    traces = [
        ("textbook", TEXTBOOK),
        ("belady", BELADY),
        ("local", random_trace(rng, 3000, 40, 0.3, 0.7)),
        ("uniform", random_trace(rng, 3000, 25, 0.5, 0.0)),
        ("mix", gentrace("mix", 4000, 48, 3)),
        ("phases", gentrace("phases", 4000, 64, 4)),
    ]
    for name, refs in traces:
        npages = len(set(p for p, _ in normalize(refs)))
        frame_counts = sorted(set([1, 2, 3, max(1, npages // 4),
                                   max(1, npages // 2), npages - 1, npages]))
        for tick in (1, 16):
            bad = []
            for frames in frame_counts:
                rc, out, err = vmsim(["-p", "all", "-f", str(frames),
                                      "--tick", str(tick), "--seed", "7"],
                                     refs)
                got = parse_table(out)
                if rc != 0:
                    bad.append("%d frames: exit %d %s" % (frames, rc,
                                                          err.strip()))
                    continue
                for pol in POLICIES:
                    want = model(pol, refs, frames, tick, 7)
                    if got.get(pol) != want:
                        bad.append("%s %d frames: %s, model %s" % (
                            pol, frames, got.get(pol), want))
            c.check(not bad, "models %s tick %d" % (name, tick),
                    "%d policies x %d frame counts agree" %
                    (len(POLICIES), len(frame_counts)) if not bad
                    else "; ".join(bad[:3]))
        # The model of OPT against the obvious definition.
        wrong = [f for f in frame_counts
                 if model("opt", refs, f)[0] != opt_faults(refs, f)]
        c.check(not wrong, "OPT model %s" % name,
                "matches Belady's definition" if not wrong else
                "differs at %s frames" % wrong)


def check_properties(c):
    refs = gentrace("mix", 6000, 64, 9)
    rc, out, err = vmsim(["-p", "all", "--sweep", "1:70:3"], refs)
    table = parse_sweep(out)
    ok = rc == 0 and set(POLICIES) <= set(table)
    worse = []
    for pol in POLICIES if ok else []:
        for f, v in table[pol].items():
            if v < table["opt"][f]:
                worse.append("%s %d:%d<%d" % (pol, f, v, table["opt"][f]))
    c.check(ok and not worse, "OPT is a floor",
            "%d frame counts x %d policies" % (len(table.get("opt", {})),
                                                len(POLICIES))
            if ok and not worse else (err.strip() or " ".join(worse[:4])))
    for pol in ("lru", "opt"):
        col = table.get(pol, {})
        up = [f for f in col if f + 3 in col and col[f + 3] > col[f]]
        c.check(ok and col and not up, "%s never worse with more frames"
                % pol.upper(), "stack algorithm" if not up else
                "more faults after %s" % up)
    # Write-backs: 1 is written, evicted dirty, read back clean, evicted
    # clean (no write), written again, evicted dirty.
    refs = [(1, True), (2, False), (1, False), (2, False), (1, True),
            (2, False)]
    rc, out, err = vmsim(["-p", "fifo", "-f", "1"], refs)
    got = parse_table(out).get("fifo")
    c.check(got == (6, 2, 5, 2), "write-backs of dirty pages only",
            "faults/cold/evictions/write-backs %s, expected (6, 2, 5, 2)"
            % (got,))


def check_cli(c):
    text = trace_text(TEXTBOOK)
    rc1, out1, _ = vmsim(["-p", "all", "-f", "3"], stdin=text)
    rc2, out2, _ = vmsim(["-p", "all", "-f", "3"], TEXTBOOK)
    same = parse_table(out1) == parse_table(out2) and len(
        parse_table(out1)) == len(POLICIES)
    c.check(rc1 == 0 and rc2 == 0 and same, "stdin and file agree")
    rc, out, err = vmsim(["-f", "3"], stdin="1\n2 # comment\n3x\n")
    c.check(rc != 0 and "stdin:3" in err and "not a reference" in err,
            "bad trace refused", err.strip() or "exit status %d" % rc)
    rc, out, err = vmsim(["-p", "nosuch", "-f", "3"], stdin="1\n")
    c.check(rc != 0 and "unknown policy" in err, "unknown policy refused")
    rc, out, err = vmsim(["-f", "2"], stdin="# comment only\n1, 2W 3 w\n")
    t = parse_table(out)
    c.check(rc == 0 and t.get("opt", (0,))[0] == 3 and
            "(2 writes)" in out, "trace syntax: commas, W, comments",
            out.splitlines()[0] if out else err.strip())
    tmp = tempfile.mkdtemp(prefix="vmsim-plot-")
    for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<svg")):
        path = os.path.join(tmp, "plot" + ext)
        rc, out, err = vmsim(["-p", "fifo,lru", "--sweep", "1:8",
                              "--plot", path], TEXTBOOK)
        data = b""
        if os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)
        c.check(rc == 0 and magic in data[:4096], "plot %s" % ext[1:],
                "%d bytes" % len(data) if rc == 0 else err.strip())
    os.rmdir(tmp)


def main():
    global VMSIM
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmsim", default=os.path.join(ROOT, "tools", "vmsim",
                                                    "vmsim"),
                    help="the simulator (default: the wrapper, which "
                    "builds it)")
    args = ap.parse_args()
    VMSIM = [args.vmsim]
    c = Checks()
    rc, out, err = vmsim(["--help"])
    if rc != 0:
        c.check(False, "build", err.strip()[-300:])
    else:
        check_textbook(c)
        check_models(c)
        check_properties(c)
        check_cli(c)
    print("vmsim: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
