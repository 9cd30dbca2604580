#!/usr/bin/env python3
"""Tests of the labs' machinery: the generator and the graders.

    tests/labs/selftest.py [--all | --lab N ...] [--failing]

For each lab: tools/mklab writes the student tree into a temporary
directory; its host tests build (the reference's object files are reused,
so only the stubbed files and the programs are rebuilt); graded with its
own lab's tests the student tree scores below the lab's pass mark, and the
tests of the other labs (the host and vmsim ones) still earn points, so
the stubs break only their own lab; the reference tree scores 100; no
line of a marked body that appears nowhere else in its file is left in the
student tree, and the tree is a git repository of one commit. Without
--all only the quick checks run for every lab (markers parse, the spec
names tests that exist) and the full ones for lab 1.

--failing N lists the host tests the student tree of lab N fails: the
candidates for its grader.

Prints "PASS labs NAME: detail" or "FAIL labs NAME: detail" lines and ends
with "labs: N passed, M failed"; the exit status is 1 on any failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402


def load_tool(name):
    path = os.path.join(ROOT, "tools", name)
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"),
                                                  path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


mklab = load_tool("mklab")
grader = load_tool("grade")
LABS = [0, 1, 2, 3, 4, 5, 6, 7]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s labs %s%s" % ("PASS" if ok else "FAIL", name,
                                ": " + detail if detail else ""),
              flush=True)
        return ok


def host_tests_of(prog):
    """The test names of a host test program, from its source."""
    src = os.path.join(ROOT, "tests", "host", prog + ".c")
    if not os.path.exists(src):
        src = os.path.join(ROOT, "tests", "host", "standalone", prog + ".c")
    if not os.path.exists(src):
        src = os.path.join(ROOT, "tests", "hidden", prog + ".c")
    if not os.path.exists(src):
        return set()
    text = open(src).read()
    main = text[text.rfind("int main"):]
    return set(re.findall(r"(?:cmocka_unit_test\w*|\bT)\(\s*(\w+)", main))


def check_specs(c):
    """Every lab has a spec whose tests exist and whose points add up."""
    regions = mklab.all_regions(ROOT)
    funcs = {}
    for rs in regions.values():
        for r in rs:
            funcs.setdefault(r["lab"], []).append(r["function"])
    for lab in LABS:
        spec = mklab.load_spec(lab)
        bad = []
        for t in spec["tests"]:
            if t["layer"] == "host" and t["test"] not in \
                    host_tests_of(t["program"]):
                bad.append("%s %s" % (t["program"], t["test"]))
        total = sum(t["points"] for t in spec["tests"])
        missing = sorted(set(spec.get("functions", [])) -
                         set(funcs.get(lab, [])))
        want = 100 if spec.get("functions") else 0
        ok = not bad and total == want and not missing and \
            os.path.exists(os.path.join(ROOT, spec["handout"]))
        c.check(ok, "lab %d spec" % lab,
                "%d tests, %d points, %d marked functions" %
                (len(spec["tests"]), total, len(funcs.get(lab, [])))
                if ok else "unknown tests %s; points %d; unmarked %s" %
                (bad[:3], total, missing))


def solution_lines(lab):
    """Per file: the lines of lab's marked bodies found nowhere else in
    that file (stripped, at least 12 characters)."""
    out = {}
    for f, rs in mklab.all_regions(ROOT).items():
        lines = open(os.path.join(ROOT, f)).read().split("\n")
        inside = set()
        for r in rs:
            inside.update(range(r["begin"] + 1, r["end"]))
        outside = set(lines[i].strip() for i in range(len(lines))
                      if i not in inside)
        for r in rs:
            if r["lab"] != lab:
                continue
            for i in range(r["begin"] + 1, r["end"]):
                s = lines[i].strip()
                if len(s) >= 12 and s not in outside and \
                        not s.startswith(("/*", "*")):
                    out.setdefault(f, set()).add(s)
    return out


def make_student(lab, tmp):
    out = os.path.join(tmp, "lab%d" % lab)
    spec, n = mklab.make_tree(lab, out)
    # Reuse the reference's host objects: copied (so newer than the
    # sources mklab wrote), then the stubbed files made newer still.
    src_obj = os.path.join(ROOT, "build", "host", "obj")
    if os.path.isdir(src_obj):
        shutil.copytree(src_obj, os.path.join(out, "build", "host", "obj"),
                        copy_function=shutil.copyfile)
        for f, rs in mklab.all_regions(ROOT).items():
            if any(r["lab"] == lab for r in rs):
                os.utime(os.path.join(out, f))
    return out, spec, n


def check_stubs_only(c, lab):
    """The quick check: the marked files transformed in memory (no tree),
    each stub in place and no solution line left."""
    name = "lab %d" % lab
    found, nstubs = [], 0
    sol = solution_lines(lab)
    for f in mklab.all_regions(ROOT):
        text, stubs = mklab.transform(f, open(os.path.join(ROOT, f)).read(),
                                      lab, None)
        nstubs += len(stubs)
        lines = set(l.strip() for l in text.split("\n"))
        found += ["%s: %s" % (f, x) for x in sorted(sol.get(f, set()) &
                                                    lines)]
    want = len(mklab.load_spec(lab).get("functions", []))
    c.check(not found and nstubs == want, name + " stubs",
            "%d stubs, none of %d solution lines left" %
            (nstubs, sum(len(v) for v in sol.values())) if not found and
            nstubs == want else "%d stubs of %d; left: %s" %
            (nstubs, want, "; ".join(found[:3])))


def check_student(c, lab, tmp, full):
    if not full:
        check_stubs_only(c, lab)
        return
    name = "lab %d" % lab
    try:
        tree, spec, n = make_student(lab, tmp)
    except mklab.MarkerError as e:
        c.check(False, name + " generate", str(e))
        return
    log = subprocess.run(["git", "-C", tree, "log", "--oneline"],
                         stdout=subprocess.PIPE).stdout.decode()
    leftover = [p for p in mklab.INSTRUCTOR_ONLY
                if os.path.exists(os.path.join(tree, p))]
    answers = [f for f in os.listdir(os.path.join(tree, "docs", "labs"))
               if mklab.HANDOUT_CUT in open(os.path.join(
                   tree, "docs", "labs", f)).read()]
    c.check(len(log.splitlines()) == 1 and not leftover and not answers and
            os.path.exists(os.path.join(tree, "lab.mk")),
            name + " generate", "%d stubs, one commit, no instructor "
            "files or answers" % n if not leftover and not answers else
            "left in: %s" % (leftover + answers))
    found = []
    for f, sol in solution_lines(lab).items():
        text = set(l.strip() for l in
                   open(os.path.join(tree, f)).read().split("\n"))
        found += ["%s: %s" % (f, s) for s in sorted(sol & text)]
    c.check(not found, name + " no solution left",
            "%d solution lines checked" % sum(
                len(v) for v in solution_lines(lab).values())
            if not found else "; ".join(found[:3]))
    # The lab's own programs and one that needs no lab's code beyond the
    # policies (test_policy): enough to see both sides, and quick.
    progs = sorted(set(t["program"] for t in spec["tests"]
                       if t["layer"] == "host") | {"test_policy"})
    p = subprocess.run(["make", "-C", tree, "--no-print-directory", "-j2",
                        "LABBUILD=0"] + ["build/host/" + x for x in progs],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode("utf-8", "replace")
    if not c.check(p.returncode == 0, name + " student tree builds",
                   "host tests " + " ".join(progs) if p.returncode == 0 else out[-300:]):
        return
    _, res, earned, total = grader.grade(tree, lab, layers={"host"},
                                         do_build=False, quiet=True)
    s = grader.score(earned, total)
    c.check(s < spec["pass"], name + " stubs fail",
            "student tree scores %d/100, pass mark %d" % (s, spec["pass"]))
    other_earned = other_total = 0
    for o in LABS:
        if o == lab:
            continue
        spec_o = mklab.load_spec(o)
        if not any(t["layer"] == "host" and t["program"] in progs
                   for t in spec_o["tests"]):
            continue
        _, res, e, t = grader.grade(tree, o, layers={"host"},
                                    do_build=False, quiet=True)
        res = [r for r in res if r["program"] in progs]
        e = sum(r["points"] for r in res if r["ok"])
        t = sum(r["points"] for r in res)
        other_earned += e
        other_total += t
    c.check(other_earned > 0, name + " other labs still score",
            "%d of %d host points of the other labs" %
            (other_earned, other_total))
    check_cumulative(c, lab, tree)
    check_stages(c, lab, tree, progs)


def check_stages(c, lab, tree, progs):
    """A lab in stages: an answer to its first stage alone (instructor
    only, spec "stage_answer") passes every first-stage host test and
    fails some of the second stage's, so the stages are graded apart."""
    spec = mklab.load_spec(lab)
    if "stage_answer" not in spec:
        return
    name = "lab %d stage 1" % lab
    bodies = dict(re.findall(r"/\* BODY (\w+) \*/\n(.*?)/\* END \1 \*/",
                             open(os.path.join(ROOT, spec["stage_answer"]))
                             .read(), re.S))
    for f in mklab.all_regions(ROOT):
        path = os.path.join(tree, f)
        text = open(path).read()
        text2 = replace_stubs(text, lab, bodies)
        if text2 != text:
            open(path, "w").write(text2)
    p = subprocess.run(["make", "-C", tree, "--no-print-directory", "-j2",
                        "LABBUILD=0"] + ["build/host/" + x for x in progs],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not c.check(p.returncode == 0, name + " builds",
                   "with %s" % spec["stage_answer"] if p.returncode == 0
                   else p.stdout.decode("utf-8", "replace")[-300:]):
        return
    _, res, _, _ = grader.grade(tree, lab, layers={"host"}, do_build=False,
                                quiet=True)
    failed1 = [r["id"] for r in res if r.get("stage") == 1 and not r["ok"]]
    failed2 = [r["id"] for r in res if r.get("stage") == 2 and not r["ok"]]
    c.check(not failed1 and failed2, name + " graded apart",
            "stage 1's host tests pass; stage 2 fails %s" %
            ", ".join(failed2) if not failed1 and failed2 else
            "stage 1 fails %s; stage 2 fails %s" % (failed1, failed2))


def replace_stubs(text, lab, bodies):
    """text with the body between each LAB lab marker pair replaced by the
    body of the function the markers are in, where bodies has one."""
    lines, out, func = text.split("\n"), [], None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(?:static\s+)?[\w\s\*]*?\b(\w+)\(", line)
        if m and not line.startswith((" ", "\t")):
            func = m.group(1)
        b = mklab.BEGIN_RE.match(line)
        if b and int(b.group(2)) == lab and func in bodies:
            out.append(line)
            out += bodies[func].rstrip("\n").split("\n")
            while not mklab.END_RE.match(lines[i]):
                i += 1
            out.append(lines[i])
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def check_cumulative(c, lab, tree):
    """--cumulative: the next lab's tree keeps this student's own bodies
    of this lab. The student tree's first stub becomes a line of the
    student's own, then the file is transformed for a later lab."""
    later = mklab.LAB_ORDER[mklab.LAB_ORDER.index(lab) + 1:]
    regions = [(f, r) for f, rs in mklab.all_regions(ROOT).items()
               for r in rs if r["lab"] == lab]
    if not later or not regions:
        return
    f, r = regions[0]
    path = os.path.join(tree, f)
    text = open(path).read()
    own = "/* the student's own %s() */" % r["function"]
    stub_line = 'panic("LAB %d: %s() in %s is not written yet");' % (
        lab, r["function"], f)
    with open(path, "w") as fh:
        fh.write(text.replace(stub_line, own, 1))
    ref = open(os.path.join(ROOT, f)).read()
    out, _ = mklab.transform(f, ref, later[0], tree)
    c.check(own in out and stub_line not in out,
            "lab %d cumulative" % lab, "lab %d's tree keeps the student's "
            "%s()" % (later[0], r["function"]) if own in out else
            "the student's body was not carried over")


def check_reference(c, lab):
    _, res, earned, total = grader.grade(ROOT, lab, layers={"host",
                                                            "vmsim"},
                                         do_build=False, quiet=True)
    bad = [r["id"] + ": " + r["why"] for r in res if not r["ok"]]
    c.check(earned == total and total > 0, "lab %d reference" % lab,
            "scores 100 (%d host and vmsim tests)" % len(res) if not bad
            else "; ".join(bad[:2]))


def check_extension(c, lab):
    """A lab's extension grades a policy: the reference's scan-resistant
    clockpro beats clock somewhere, FIFO (clock without its second
    chance) nowhere."""
    ext = mklab.load_spec(lab).get("extension")
    if not ext:
        return
    ok, _ = grader.make(ROOT, ["vmsim"], quiet=True)
    good = grader.grade_extension(mklab.load_spec(lab), ROOT, "clockpro", 1,
                                  quiet=True) if ok else {"ok": False,
                                                          "why": "no vmsim"}
    bad = grader.grade_extension(mklab.load_spec(lab), ROOT, "fifo", 1,
                                 quiet=True) if ok else {"ok": True}
    c.check(good["ok"] and not bad["ok"], "lab %d extension" % lab,
            "clockpro: %s; fifo: %s" % (good["why"], bad.get("why", "")))


def list_failing(lab):
    tmp = tempfile.mkdtemp(prefix="pagoda-labs-")
    try:
        tree, spec, n = make_student(lab, tmp)
        subprocess.run(["make", "-C", tree, "-j2", "LABBUILD=0",
                        "host-tests"], stdout=subprocess.DEVNULL)
        for prog in sorted(os.listdir(os.path.join(tree, "build", "host"))):
            if not prog.startswith("test_"):
                continue
            for t in sorted(host_tests_of(prog)):
                ok, why = grader.run_host({"program": prog, "test": t},
                                          {"root": tree, "seed": 1,
                                           "hostdir": "build/host"})
                if not ok:
                    print("%s %s: %s" % (prog, t, why[:150]))
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", action="store_true",
                    help="the full checks for every lab")
    ap.add_argument("--lab", type=int, action="append",
                    help="the full checks for this lab")
    ap.add_argument("--failing", type=int, metavar="N",
                    help="list the host tests lab N's student tree fails")
    args = ap.parse_args()
    if args.failing is not None:
        list_failing(args.failing)
        return 0
    full = set(LABS) if args.all else set(args.lab or [1])
    c = Checks()
    check_specs(c)
    tmp = tempfile.mkdtemp(prefix="pagoda-labs-")
    try:
        for lab in LABS:
            if mklab.load_spec(lab).get("functions"):
                check_student(c, lab, tmp, lab in full)
            if lab in full and mklab.load_spec(lab)["tests"]:
                check_reference(c, lab)
            check_extension(c, lab)
    finally:
        shutil.rmtree(tmp)
    print("labs: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
