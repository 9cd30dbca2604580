#!/usr/bin/env python3
"""Records page reference strings of real programs for tools/vmsim.

    tools/vmsim/record-traces.py [--out DIR] [--skip N] [--refs N] [NAME...]

Each program runs on the host under valgrind's lackey
(valgrind --tool=lackey --trace-mem=yes), which reports every data load,
store and modify with its address. The addresses become page numbers
(address >> 12, 4 KiB pages), a store or modify marks the reference as a
write (W), and consecutive references to the same page collapse into one
(a write if any of them was): what a page-fault handler could ever see.
The first --skip collapsed references (the dynamic loader and start-up;
for sort, also the reading of its input) are dropped, the next --refs are kept, and valgrind is stopped there, so
each trace is a window of the program's steady work and vmsim replays it
in well under a second. Each trace goes to DIR/NAME.trace.xz (xz -9), with
comment lines saying how it was made; vmsim reads .xz files directly.

The programs (NAME): cc1 (GCC's compiler proper on tools/vmsim/main.c),
gzip and xz (compressing a generated text file), sort (a generated file
of random lines), python3 and perl (small scripts building and sorting
dictionaries and strings), sqlite3 (inserts, an index and queries).
Their inputs are generated here from fixed seeds, so the same versions of
the programs give the same traces.

Needs valgrind, gcc, xz, gzip, sort, python3, perl and sqlite3 (Debian
packages valgrind, gcc, xz-utils, gzip, coreutils, python3, perl,
sqlite3).
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PAGE_SHIFT = 12  # 4 KiB pages (Intel SDM vol. 3, 4.3)

WORDS = ("page frame swap fault clock hand victim evict table entry "
         "buddy slab heap stack region mapping kernel user process "
         "thread signal timer tick policy reference string").split()

PY_SCRIPT = r"""
import random
random.seed(7)
d = {}
for i in range(60000):
    k = "k%d" % random.randrange(200000)
    d[k] = d.get(k, 0) + i
items = sorted(d.items(), key=lambda kv: (kv[1] % 977, kv[0]))
s = 0
for k, v in items:
    s += len(k) * v
words = [("w%x" % random.getrandbits(24)) * 3 for _ in range(40000)]
words.sort()
print(s, len(items), words[0], words[-1])
"""

PERL_SCRIPT = r"""
srand(7);
my %h;
for my $i (0 .. 80000) {
    my $k = "k" . int(rand(200000));
    $h{$k} += $i;
}
my @keys = sort { $h{$a} % 977 <=> $h{$b} % 977 or $a cmp $b } keys %h;
my $s = 0;
$s += length($_) * $h{$_} for @keys;
my @w = sort map { sprintf("w%x", int(rand(1 << 24))) x 3 } 1 .. 40000;
print "$s ", scalar(@keys), " $w[0] $w[-1]\n";
"""

SQL_SCRIPT_HEAD = """
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, v REAL);
BEGIN;
"""
SQL_SCRIPT_TAIL = """
COMMIT;
CREATE INDEX t_grp ON t(grp);
SELECT grp, count(*), sum(v) FROM t GROUP BY grp ORDER BY grp LIMIT 5;
SELECT name FROM t WHERE grp = 17 ORDER BY v DESC LIMIT 3;
SELECT count(*) FROM t a JOIN t b ON a.grp = b.id WHERE b.v > 0.5;
UPDATE t SET v = v * 2 WHERE grp < 100;
SELECT avg(v) FROM t;
"""


def text_file(path, lines, seed):
    """A text file of random lines of words, reproducible from seed."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for i in range(lines):
            n = rng.randrange(3, 12)
            f.write(" ".join(rng.choice(WORDS) + str(rng.randrange(1000))
                             for _ in range(n)) + "\n")


def setup(name, tmp):
    """The command line of one program, after writing its input into tmp."""
    data = os.path.join(tmp, "input.txt")
    if name == "cc1":
        cc1 = subprocess.run(["gcc", "-print-prog-name=cc1"],
                             stdout=subprocess.PIPE, check=True,
                             universal_newlines=True).stdout.strip()
        multiarch = subprocess.run(["gcc", "-print-multiarch"],
                                   stdout=subprocess.PIPE, check=True,
                                   universal_newlines=True).stdout.strip()
        cmd = [cc1, "-quiet", "-O2", "-I", ROOT]
        if multiarch:
            cmd += ["-imultiarch", multiarch]
        return cmd + [os.path.join(ROOT, "tools", "vmsim", "main.c"),
                      "-o", os.path.join(tmp, "main.s")]
    if name in ("gzip", "xz"):
        text_file(data, 60000, 1)
        return [name, "-9" if name == "gzip" else "-6", "-c", data]
    if name == "sort":
        text_file(data, 60000, 2)
        return ["sort", "-o", os.path.join(tmp, "sorted.txt"), data]
    if name == "python3":
        path = os.path.join(tmp, "work.py")
        with open(path, "w") as f:
            f.write(PY_SCRIPT)
        return [sys.executable, path]
    if name == "perl":
        path = os.path.join(tmp, "work.pl")
        with open(path, "w") as f:
            f.write(PERL_SCRIPT)
        return ["perl", path]
    if name == "sqlite3":
        path = os.path.join(tmp, "work.sql")
        rng = random.Random(3)
        with open(path, "w") as f:
            f.write(SQL_SCRIPT_HEAD)
            for i in range(30000):
                f.write("INSERT INTO t(name, grp, v) VALUES "
                        "('n%d', %d, %.6f);\n"
                        % (rng.randrange(10 ** 6), rng.randrange(3000),
                           rng.random()))
            f.write(SQL_SCRIPT_TAIL)
        return ["sqlite3", os.path.join(tmp, "db.sqlite"), ".read " + path]
    raise KeyError(name)


PROGRAMS = ["cc1", "gzip", "xz", "sort", "python3", "perl", "sqlite3"]
# Collapsed references skipped where --skip is not given: sort reads its
# whole input first (every page used once), so its window starts later,
# where it sorts.
SKIP = {"sort": 1500000}


def record(name, cmd, skip, keep, tmp):
    """Runs cmd under lackey; returns (header lines, [(page, write)])."""
    rfd, wfd = os.pipe()
    vg = ["valgrind", "--tool=lackey", "--trace-mem=yes",
          "--log-fd=%d" % wfd] + cmd
    proc = subprocess.Popen(vg, pass_fds=(wfd,), cwd=tmp,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    os.close(wfd)
    refs = []
    seen = 0
    last = None
    last_w = False
    stopped = False
    with os.fdopen(rfd, "r", errors="replace") as log:
        for line in log:
            # Data references: " L addr,size", " S ...", " M ..." (lackey).
            if len(line) < 4 or line[0] != " " or line[1] not in "LSM":
                continue
            page = int(line[3:line.index(",")], 16) >> PAGE_SHIFT
            write = line[1] != "L"
            if page == last:
                last_w = last_w or write
                continue
            if last is not None:
                seen += 1
                if seen > skip:
                    refs.append((last, last_w))
                    if len(refs) >= keep:
                        stopped = True
                        break
            last, last_w = page, write
        if not stopped and last is not None and seen >= skip:
            refs.append((last, last_w))
        if stopped:
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if not stopped and proc.returncode != 0:
        raise RuntimeError("%s exited with status %d" %
                           (" ".join(cmd), proc.returncode))
    return refs


def version(cmd):
    """One line naming the program's version, for the trace's header."""
    prog = os.path.basename(cmd[0])
    try:
        out = subprocess.run([cmd[0], "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=20,
                             universal_newlines=True).stdout
        first = out.strip().splitlines()[0] if out.strip() else ""
    except (OSError, subprocess.SubprocessError):
        first = ""
    return "%s: %s" % (prog, first)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "vmsim",
                                                  "traces"))
    ap.add_argument("--skip", type=int, default=None,
                    help="collapsed references dropped at the start "
                    "(default 100000; sort 1500000)")
    ap.add_argument("--refs", type=int, default=300000,
                    help="collapsed references kept")
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help="programs (default: %s)" % " ".join(PROGRAMS))
    args = ap.parse_args()
    names = args.names or PROGRAMS
    for n in names:
        if n not in PROGRAMS:
            ap.error("unknown program %s (known: %s)" %
                     (n, " ".join(PROGRAMS)))
    # Debian packages of the commands needed.
    need = {"valgrind": "valgrind", "xz": "xz-utils", "gcc": "gcc",
            "gzip": "gzip", "sort": "coreutils", "perl": "perl",
            "sqlite3": "sqlite3"}
    wanted = ["valgrind", "xz"] + [n if n != "cc1" else "gcc"
                                   for n in names if n != "python3"]
    for tool in wanted:
        if not shutil.which(tool):
            sys.exit("record-traces: %s is not installed (Debian package "
                     "%s)" % (tool, need[tool]))
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        with tempfile.TemporaryDirectory(prefix="trace-") as tmp:
            cmd = setup(name, tmp)
            skip = args.skip if args.skip is not None else SKIP.get(
                name, 100000)
            refs = record(name, cmd, skip, args.refs, tmp)
            if len(refs) < args.refs // 2:
                sys.exit("record-traces: %s gave only %d references" %
                         (name, len(refs)))
            pages = len({p for p, _ in refs})
            writes = sum(1 for _, w in refs if w)
            shown = [os.path.basename(cmd[0])] + [
                os.path.basename(a) if os.path.isabs(a) else a
                for a in cmd[1:]]
            head = [
                "# %s: data references of `%s`" % (name, " ".join(shown)),
                "# recorded with valgrind --tool=lackey --trace-mem=yes by "
                "tools/vmsim/record-traces.py",
                "# %s" % version(cmd),
                "# 4 KiB pages, consecutive repeats collapsed; first %d "
                "skipped, %d kept" % (skip, len(refs)),
                "# %d distinct pages, %d writes" % (pages, writes),
            ]
            body = "\n".join(head) + "\n" + "".join(
                "0x%x%s\n" % (p, "W" if w else "") for p, w in refs)
            path = os.path.join(args.out, name + ".trace.xz")
            with open(path, "wb") as f:
                subprocess.run(["xz", "-9", "-c"], input=body.encode(),
                               stdout=f, check=True)
            print("%-8s %7d references, %5d pages, %6d writes -> %s (%d "
                  "bytes)" % (name, len(refs), pages, writes,
                              os.path.relpath(path), os.path.getsize(path)),
                  flush=True)


if __name__ == "__main__":
    main()
