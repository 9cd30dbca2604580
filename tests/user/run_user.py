#!/usr/bin/env python3
"""Differential user tests: each program in tests/user/ runs on Linux
(the reference) and on Pagoda (through tools/qemu-run), and the two
outputs and exit statuses must be identical.

    tests/user/run_user.py [options] [NAME...]

The reference is the host itself where it runs i386 programs ("native"),
else a stock Debian kernel booted under QEMU by tools/linux-ref
("linux-qemu"), which runs every program in one boot and caches the
results; --reference or $PAGODA_REFERENCE forces one (see
docs/testing.md). The first line says which was used, e.g.
"reference: Linux 6.1.0-57-amd64 under QEMU (cached 15/16)"; if there is
none, one line "FAIL user reference: what to do".

Then one line per test, "PASS user NAME" or "FAIL user NAME: why", and
the summary "user: N passed, M failed"; the exit status is 1 on any
failure. A test also fails when it fails on Linux: its own checks are
wrong there, or Linux differs from what the test assumes. Logs of
failures (both outputs and a diff) go to --logdir.

A test may ask for more of the machine in a line "run_user: OPTIONS" of
its source: qemu-run options (e.g. --mem 64M --swap 256M for a program
bigger than RAM), and --no-leak to keep it out of the leak run, which
boots with the default options.

--small runs the comparison again with Pagoda as a small machine, 16 MiB
of RAM and 64 MiB of swap (tools/qemu-run --mem 16M --swap 64M): every
test that does not ask for more memory must give Linux's output there
too. Its lines say "user-16M" instead of "user".

--leak instead boots once with tests/user/leakcheck as init, which runs
every test several times and compares MemFree before and after each one
in the last pass (see leakcheck.c); its PASS/FAIL lines are counted the
same way. It runs only on Pagoda and needs no reference.

The reference runs get the environment Pagoda gives init (HOME=/,
PATH=/bin, TERM=linux), the working directory /, standard input
/dev/null, an 8 MiB stack limit and no core dumps, so that both sides
start alike (tests/linuxref/init.c does the same under QEMU). Each test
finds its helpers (echoargs) in the directory of its argv[0]:
build/tests/user natively, /bin on Pagoda and under QEMU.
"""
import argparse
import concurrent.futures
import difflib
import importlib.machinery
import importlib.util
import os
import re
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def load_linux_ref():
    """tools/linux-ref as a module (its file name has no .py). No
    bytecode is written: it would leave a __pycache__ in tools/."""
    path = os.path.join(ROOT, "tools", "linux-ref")
    loader = importlib.machinery.SourceFileLoader("linux_ref", path)
    spec = importlib.util.spec_from_loader("linux_ref", loader)
    module = importlib.util.module_from_spec(spec)
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module


linux_ref = load_linux_ref()

# Programs that are not tests themselves.
HELPERS = {"echoargs", "leakcheck"}
# Debian's busybox and bash (tools/userland.sh), copied beside the tests by
# tests/user/user.mk: not tests either. On Pagoda they are added only to
# the tests that say "run_user: --userland" (they are 3 MB, and most tests
# run on small machines); the reference boots once with all of them.
USERLAND = ("busybox", "bash")
# Data files beside the tests, made by tests/user/user.mk: a file whose
# long name tests /proc/PID/maps and smaps lines with long paths.
DATA_PREFIXES = ("long-name-",)
ENV = {"HOME": "/", "PATH": "/bin", "TERM": "linux"}
STACK_LIMIT = 8 << 20
# --small: the smallest machine the tests must fit, with swap to spare.
SMALL_MEM, SMALL_SWAP = "16M", "64M"


def host_limits():
    """Runs in the child before exec: Pagoda's default limits."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if hard == resource.RLIM_INFINITY or hard >= STACK_LIMIT:
        resource.setrlimit(resource.RLIMIT_STACK, (STACK_LIMIT, hard))


def run(cmd, timeout, native):
    """Runs cmd; returns (exit status as a shell reports it, output)."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=ENV if native else None,
                           cwd="/" if native else None,
                           preexec_fn=host_limits if native else None)
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode("utf-8", "replace")
    except OSError as e:
        return "not run", "cannot run %s: %s\n" % (cmd[0], e.strerror)
    rc = p.returncode
    if rc < 0:
        rc = 128 - rc   # killed by a signal, as a shell would say
    return rc, p.stdout.decode("utf-8", "replace")


def save_log(logdir, name, text):
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, "user-%s.log" % name)
    with open(path, "w") as f:
        f.write(text)
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def first_difference(a, b):
    """Describes the first line where two outputs differ."""
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "(end of output)"
        y = lb[i] if i < len(lb) else "(end of output)"
        if x != y:
            return "line %d: linux '%s', pagoda '%s'" % (i + 1, x[:60],
                                                        y[:60])
    return "same lines, different line endings"


def test_options(name):
    """The "run_user: OPTIONS" words of tests/user/NAME.c, or []."""
    try:
        with open(os.path.join(ROOT, "tests", "user", name + ".c")) as f:
            for _, line in zip(range(60), f):
                m = re.search(r"\brun_user:\s*(.*?)\s*$", line)
                if m:
                    return m.group(1).split()
    except OSError:
        pass
    return []


def helper_files(bin_dir):
    """The helper programs and data files in bin_dir, which every test
    finds beside it in /bin."""
    names = set(HELPERS)
    if os.path.isdir(bin_dir):
        names.update(f for f in os.listdir(bin_dir)
                     if f.startswith(DATA_PREFIXES))
    return [os.path.join(bin_dir, n) for n in sorted(names)
            if os.path.exists(os.path.join(bin_dir, n))]


def userland_files(bin_dir):
    """busybox and bash in bin_dir, for the tests that run them."""
    return [os.path.join(bin_dir, n) for n in USERLAND
            if os.path.exists(os.path.join(bin_dir, n))]


def qemu_cmd(args, prog, prog_args=(), timeout=None, extra=(), opts=()):
    """The qemu-run command for prog, with the helpers (and extra files)
    copied into /bin next to it."""
    opts = list(opts)
    files = helper_files(args.bin_dir)
    if "--userland" in opts:
        opts.remove("--userland")
        files += userland_files(args.bin_dir)
    cmd = [args.qemu_run, "--kernel", args.kernel, "--mem", args.mem,
           "--timeout", str(timeout or args.timeout)] + opts
    for path in files + list(extra):
        if os.path.exists(path) and path != prog:
            cmd += ["--add", path]
    return cmd + [prog] + list(prog_args)


class Reference:
    """Where the reference runs, and the results of the linux-qemu one:
    run_all() boots once for every test before the comparisons start;
    result() then gives one test's (status, output)."""

    def __init__(self, args):
        self.args = args
        self.mode, _ = linux_ref.choose_reference(args.reference)
        self.results = {}

    def run_all(self, names):
        """Returns the line saying which reference this is."""
        if self.mode == "native":
            return "native (%s, runs i386)" % linux_ref.host_description()
        bin_dir = self.args.bin_dir
        for name in names:
            if not os.path.isfile(os.path.join(bin_dir, name)):
                self.results[name] = ("not run", "no program %s in %s\n"
                                      % (name, bin_dir))
        built = [n for n in names if n not in self.results]
        programs = [linux_ref.Program(os.path.join(bin_dir, n),
                                      timeout=self.args.timeout)
                    for n in built]
        helpers = helper_files(bin_dir) + userland_files(bin_dir)
        results, info = linux_ref.run_batch(programs, helpers,
                                            logdir=self.args.logdir)
        for name, (status, output) in zip(built, results):
            self.results[name] = (linux_ref.wait_status_to_shell(status),
                                  output.decode("utf-8", "replace"))
        line = linux_ref.describe(info, len(built))
        if info["boot_seconds"] is not None:
            line += ", booted in %.1f s" % info["boot_seconds"]
        return line

    def result(self, name):
        """(exit status as a shell reports it, output) of one test."""
        if self.mode == "native":
            return run([os.path.join(self.args.bin_dir, name)],
                       self.args.timeout, True)
        return self.results[name]


def run_one(args, ref, name):
    """Runs one test both ways; returns (ok, detail)."""
    prog = os.path.join(args.bin_dir, name)
    ref_rc, ref_out = ref.result(name)
    if args.reference_only:
        ok = ref_rc == 0
        detail = "" if ok else "Linux exit status %s" % ref_rc
        if not ok:
            detail += " (log: %s)" % save_log(args.logdir, name, ref_out)
        return ok, detail
    opts = [o for o in test_options(name) if o != "--no-leak"]
    if args.small:
        # The small machine's own memory settings, and busybox and bash
        # for the tests that run them.
        opts = ["--swap", SMALL_SWAP] + \
            [o for o in opts if o == "--userland"]
    pag_rc, pag_out = run(qemu_cmd(args, prog, opts=opts), args.timeout + 30,
                          False)
    ok = ref_rc == 0 and pag_rc == ref_rc and pag_out == ref_out
    if ok:
        return True, ""
    if ref_rc != 0:
        why = "fails on Linux too (exit status %s)" % ref_rc
    elif pag_out != ref_out:
        why = first_difference(ref_out, pag_out)
    else:
        why = "exit status %s on Pagoda" % pag_rc
    if pag_rc != ref_rc and ref_rc == 0:
        why += "; exit status %s on Pagoda" % pag_rc
    diff = "".join(difflib.unified_diff(
        ref_out.splitlines(True), pag_out.splitlines(True),
        "linux (exit %s)" % ref_rc, "pagoda (exit %s)" % pag_rc))
    log = save_log(args.logdir, name,
                   "=== linux, exit status %s\n%s\n=== pagoda, exit status "
                   "%s\n%s\n=== diff\n%s" % (ref_rc, ref_out, pag_rc,
                                             pag_out, diff))
    return False, "%s (log: %s)" % (why, log)


def list_tests(args):
    if args.names:
        return args.names
    names = []
    for f in sorted(os.listdir(args.bin_dir)):
        path = os.path.join(args.bin_dir, f)
        if f not in HELPERS and f not in USERLAND and \
                not f.startswith(DATA_PREFIXES) and \
                os.path.isfile(path) and \
                os.access(path, os.X_OK) and \
                not (args.leak and "--no-leak" in test_options(f)) and \
                not (args.small and "--mem" in test_options(f)):
            names.append(f)
    return names


def run_leak(args, names):
    """One boot: leakcheck runs every test; returns (passed, failed)."""
    prog = os.path.join(args.bin_dir, "leakcheck")
    timeout = args.timeout * (len(names) + 1)
    cmd = qemu_cmd(args, prog, ["-n", str(args.passes)] + names, timeout,
                   [os.path.join(args.bin_dir, n) for n in names] +
                   userland_files(args.bin_dir))
    rc, out = run(cmd, timeout + 60, False)
    passed = failed = 0
    for line in out.splitlines():
        m = re.match(r"(PASS|FAIL) leak (\S+): (.*)", line)
        if not m:
            continue
        ok = m.group(1) == "PASS"
        print("%s user-leak %s: %s" % (m.group(1), m.group(2), m.group(3)),
              flush=True)
        passed += ok
        failed += not ok
    summary = re.search(r"leakcheck: (\d+) passed, (\d+) failed", out)
    if rc != (1 if failed else 0) or not summary or \
            passed + failed != len(names) + 1:
        log = save_log(args.logdir, "leakcheck", out)
        print("FAIL user-leak leakcheck: exit status %s, %d results for %d "
              "tests (log: %s)" % (rc, passed + failed, len(names), log),
              flush=True)
        failed += 1
    elif failed:
        # Every reading of every pass is in the output: keep it.
        print("user-leak: log of the failing check: %s"
              % save_log(args.logdir, "leakcheck", out), flush=True)
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "tests",
                                                      "user"))
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build",
                                                     "kernel.elf"))
    ap.add_argument("--qemu-run", default=os.path.join(ROOT, "tools",
                                                       "qemu-run"))
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds per run")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--logdir", default=os.path.join(ROOT, "build",
                                                     "test-logs"))
    ap.add_argument("--reference", choices=("auto", "native", "linux-qemu"),
                    default=None,
                    help="where Linux runs the tests: the host, a kernel "
                    "under QEMU, or auto (default: $PAGODA_REFERENCE, "
                    "else auto: the host if it runs i386 programs)")
    ap.add_argument("--reference-only", "--native-only", action="store_true",
                    help="only run the tests on the reference (each must "
                    "pass there)")
    ap.add_argument("--small", action="store_true",
                    help="Pagoda as a small machine: --mem %s --swap %s "
                    "(tests that ask for more memory are left out)"
                    % (SMALL_MEM, SMALL_SWAP))
    ap.add_argument("--leak", action="store_true",
                    help="leak check: all tests in one boot under leakcheck")
    ap.add_argument("--passes", type=int, default=3,
                    help="leakcheck passes (the last one is judged)")
    ap.add_argument("names", nargs="*", metavar="NAME")
    args = ap.parse_args()

    if not os.path.isdir(args.bin_dir):
        print("FAIL user: no tests built in %s (make user-tests)"
              % args.bin_dir)
        print("user: 0 passed, 1 failed")
        return 1
    if args.small:
        args.mem = SMALL_MEM
    label = "user-%s" % SMALL_MEM if args.small else "user"
    names = list_tests(args)
    if args.leak:
        passed, failed = run_leak(args, names)
    else:
        try:
            ref = Reference(args)
            print("reference: " + ref.run_all(names), flush=True)
        except linux_ref.RefError as e:
            print("FAIL user reference: %s" % e)
            print("user: 0 passed, 1 failed")
            return 1
        passed = failed = 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_one, args, ref, n) for n in names]
            for name, fut in zip(names, futures):
                ok, detail = fut.result()
                line = "%s %s %s" % ("PASS" if ok else "FAIL", label, name)
                print(line + (": " + detail if detail else ""), flush=True)
                passed += ok
                failed += not ok
    print("user: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
