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
    is refused, --plot writes a PNG and an SVG;
  * tools/vmsim/exact-policies.py: its exact LRU agrees with the model
    here, its ARC and LIRS never beat OPT and resist a loop or a scan
    that defeats LRU, and it reads the trace syntax vmsim reads.
"""
import argparse
import importlib.util
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
POLICIES = ["clock", "fifo", "aging", "random", "clockpro", "lru", "opt"]
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


class ClockPro:
    """CLOCK-Pro as docs/replacement.md describes it: resident pages hot or
    cold, each list a clock whose front is under its hand; keys of cold
    pages evicted in their test period remembered as ghosts (oldest first)
    with the count of hand_hot's steps at their eviction; a test period
    lasts while hand_hot has made fewer steps than there are hot pages; a
    page that comes in cold is fresh until hand_cold first finds it
    accessed (its fault's use), which gives it one more pass; a hot page
    has a use count, 0 to 3, that hand_hot raises when it finds the page
    accessed and lowers when not, demoting it only at 0."""

    def __init__(self):
        self.hot, self.cold = [], []  # pages, front under the hand
        self.fresh, self.test = set(), set()
        self.use = {}                 # hot page -> use count (0 if absent)
        self.ghosts = {}              # key -> steps (insertion ordered)
        self.target, self.steps = 1, 0
        self.full, self.pending = False, None

    def tracked(self):
        return len(self.hot) + len(self.cold)

    def in_test(self, stamp):
        return self.steps - stamp < max(1, len(self.hot))

    def add(self, p):
        (self.cold if self.full else self.hot).append(p)
        if self.full:
            self.fresh.add(p)
            self.test.add(p)

    def remove(self, p):
        if p == self.pending:
            self.pending = None
        (self.hot if p in self.hot else self.cold).remove(p)
        self.fresh.discard(p)
        self.test.discard(p)
        self.use.pop(p, None)

    def promote(self, p):
        self.cold.remove(p)
        self.test.discard(p)
        self.fresh.discard(p)
        self.hot.append(p)

    def evicted(self, p, key):
        self.ghosts.pop(key, None)
        if p in self.test:
            self.ghosts[key] = self.steps
            while len(self.ghosts) > self.tracked():
                del self.ghosts[next(iter(self.ghosts))]

    def refault(self, p, key):
        if key not in self.ghosts:
            return
        stamp = self.ghosts.pop(key)
        if self.in_test(stamp) and p in self.cold:
            c = self.tracked()
            if self.target < max(c // 4, min(3, c - 2)):
                self.target += 1
            self.promote(p)

    def choose(self, accessed):
        c = self.tracked()
        if self.pending is not None and self.pending in self.cold:
            self.promote(self.pending)
        self.pending = None
        self.full = True
        while self.ghosts:
            key = next(iter(self.ghosts))
            if self.in_test(self.ghosts[key]):
                break
            del self.ghosts[key]
            if self.target > max(1, c // 8):
                self.target -= 1
        cold_min = max(1, min(self.target, c - 1))
        victim = None
        for _ in range(6 * c + 4):
            if self.hot and (not self.cold or
                             len(self.hot) + cold_min > c):
                p = self.hot.pop(0)
                self.steps += 1
                use = self.use.pop(p, 0)
                if accessed[p]:
                    accessed[p] = False
                    self.use[p] = min(use + 1, 3)
                    self.hot.append(p)
                elif use:
                    self.use[p] = use - 1
                    self.hot.append(p)
                else:
                    self.cold.append(p)
                continue
            p = self.cold[0]
            if not accessed[p]:
                victim = p
                break
            accessed[p] = False
            if p in self.fresh:
                self.fresh.discard(p)
                self.cold.append(self.cold.pop(0))
            elif p in self.test:
                self.promote(p)
            else:
                self.test.add(p)
                self.cold.append(self.cold.pop(0))
        if victim is None:
            victim = (self.cold or self.hot)[0]
        lst = self.hot if victim in self.hot else self.cold
        lst.remove(victim)
        lst.append(victim)
        self.pending = victim
        return victim



def model_clockpro(refs, frames):
    """Replays refs with ClockPro as tools/vmsim/mmu.c does (it has no
    use for the tick)."""
    pol = ClockPro()
    accessed, dirty = {}, {}
    seen = set()
    faults = cold = evictions = writebacks = 0
    for i, (page, write) in enumerate(normalize(refs)):
        if page not in accessed:
            faults += 1
            again = page in seen
            if not again:
                cold += 1
                seen.add(page)
            if pol.tracked() == frames:
                victim = pol.choose(accessed)
                evictions += 1
                writebacks += dirty[victim]
                pol.evicted(victim, victim)
                pol.remove(victim)
                del accessed[victim], dirty[victim]
            accessed[page] = False
            dirty[page] = False
            pol.add(page)
            if again:
                pol.refault(page, page)
        accessed[page] = True
        dirty[page] = dirty[page] or write
    return faults, cold, evictions, writebacks


def model(policy, refs, frames, tick=16, seed=1):
    """Replays refs as tools/vmsim/mmu.c does, with the policy written
    from its textbook description. Returns (faults, cold, evictions,
    writebacks)."""
    if policy == "clockpro":
        return model_clockpro(refs, frames)
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
    # Scan resistance: a loop over one page more than the frames makes
    # LRU fault on every reference; clockpro keeps most of it resident.
    loop = [i % 33 for i in range(33 * 30)]
    rc, out, err = vmsim(["-p", "clockpro,lru", "-f", "32"], loop)
    got = parse_table(out)
    ok = rc == 0 and "clockpro" in got and "lru" in got
    c.check(ok and got["lru"][0] == len(loop) and
            2 * got["clockpro"][0] < got["lru"][0],
            "clockpro resists a loop",
            "33-page loop, 32 frames: clockpro %s, lru %s faults of %d" %
            (got.get("clockpro", ("?",))[0], got.get("lru", ("?",))[0],
             len(loop)) if ok else err.strip())
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


def check_exact(c):
    path = os.path.join(ROOT, "tools", "vmsim", "exact-policies.py")
    spec = importlib.util.spec_from_file_location("exact_policies", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    rng = random.Random(11)
    traces = [TEXTBOOK, [p for p, _ in random_trace(rng, 2000, 40, 0, 0.7)],
              [p for p, _ in normalize(gentrace("phases", 3000, 64, 2))]]
    bad = []
    for refs in traces:
        for frames in (1, 2, 3, 7, 16, 33):
            opt = opt_faults(refs, frames)
            lru = model("lru", refs, frames)[0]
            got = {p: ex.EXACT_FUNCS[p](refs, frames) for p in ex.EXACT}
            if got["lru"] != lru:
                bad.append("lru %d frames: %d, model %d" % (
                    frames, got["lru"], lru))
            bad += ["%s %d frames: %d < OPT %d" % (p, frames, f, opt)
                    for p, f in got.items() if f < opt]
    c.check(not bad, "exact policies: LRU as modelled, none beats OPT",
            "; ".join(bad[:3]))
    # A 33-page loop on 32 frames: LRU faults on every reference, LIRS
    # keeps most of the loop. A working set of 24 pages, each used twice
    # in a row, between the pages of a scan used once: LRU loses the
    # working set (its reuse distance is over 32 pages), ARC and LIRS
    # keep it and fault on little more than the scan's own pages.
    loop = [i % 33 for i in range(33 * 30)]
    scan = [i // 4 % 24 if i % 2 == 0 else 1000 + i for i in range(4000)]
    got = [("loop", "lirs", ex.lirs_faults(loop, 32), ex.lru_faults(loop, 32),
            len(loop) // 2)] + [
        ("scan", p, ex.EXACT_FUNCS[p](scan, 32), ex.lru_faults(scan, 32),
         len(scan) // 2 + 2 * 24) for p in ("arc", "lirs")]
    c.check(all(f <= most < lru for _, _, f, lru, most in got),
            "exact policies resist a loop and a scan",
            ", ".join("%s %s %d (at most %d; LRU %d)" % (n, p, f, most, lru)
                      for n, p, f, lru, most in got))
    with tempfile.NamedTemporaryFile("w", suffix=".trace") as f:
        f.write("# a comment\n0x10 W\n16,17W 020\n 3r # more\n")
        f.flush()
        refs = ex.read_trace(f.name)
    c.check(refs == [16, 16, 17, 16, 3], "exact policies read the trace "
            "syntax", "%s" % refs)


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
        check_exact(c)
    print("vmsim: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
