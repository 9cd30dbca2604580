#!/usr/bin/env python3
"""Differential user tests: each program in tests/user/ runs natively on
the host (Linux, the reference) and on Pagoda (through tools/qemu-run),
and the two outputs and exit statuses must be identical.

    tests/user/run_user.py [options] [NAME...]

One line per test, "PASS user NAME" or "FAIL user NAME: why", then the
summary "user: N passed, M failed"; the exit status is 1 on any failure.
A test also fails when it fails on the host: its own checks are wrong
there, or the host differs from what the test assumes. Logs of failures
(both outputs and a diff) go to --logdir.

A test may ask for more of the machine in a line "run_user: OPTIONS" of
its source: qemu-run options (e.g. --mem 64M --swap 256M for a program
bigger than RAM), and --no-leak to keep it out of the leak run, which
boots with the default options.

--leak instead boots once with tests/user/leakcheck as init, which runs
every test several times and compares MemFree before and after each one
in the last pass (see leakcheck.c); its PASS/FAIL lines are counted the
same way.

The host runs get the environment Pagoda gives init (HOME=/,
PATH=/bin, TERM=linux), the working directory /, an 8 MiB stack limit
and no core dumps, so that both sides start alike. Each test finds its
helpers (echoargs) in the directory of its argv[0]: build/tests/user on
the host, /bin on Pagoda.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# Programs that are not tests themselves.
HELPERS = {"echoargs", "leakcheck"}
ENV = {"HOME": "/", "PATH": "/bin", "TERM": "linux"}
STACK_LIMIT = 8 << 20


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
            return "line %d: host '%s', pagoda '%s'" % (i + 1, x[:60],
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


def qemu_cmd(args, prog, prog_args=(), timeout=None, extra=(), opts=()):
    """The qemu-run command for prog, with the helpers (and extra files)
    copied into /bin next to it."""
    cmd = [args.qemu_run, "--kernel", args.kernel, "--mem", args.mem,
           "--timeout", str(timeout or args.timeout)] + list(opts)
    files = [os.path.join(args.bin_dir, h) for h in sorted(HELPERS)]
    for path in files + list(extra):
        if os.path.exists(path) and path != prog:
            cmd += ["--add", path]
    return cmd + [prog] + list(prog_args)


def run_one(args, name):
    """Runs one test both ways; returns (ok, detail)."""
    prog = os.path.join(args.bin_dir, name)
    host_rc, host_out = run([prog], args.timeout, True)
    if args.native_only:
        ok = host_rc == 0
        detail = "" if ok else "host exit status %s" % host_rc
        if not ok:
            detail += " (log: %s)" % save_log(args.logdir, name, host_out)
        return ok, detail
    opts = [o for o in test_options(name) if o != "--no-leak"]
    pag_rc, pag_out = run(qemu_cmd(args, prog, opts=opts), args.timeout + 30,
                          False)
    ok = host_rc == 0 and pag_rc == host_rc and pag_out == host_out
    if ok:
        return True, ""
    if host_rc != 0:
        why = "fails on the host too (exit status %s)" % host_rc
    elif pag_out != host_out:
        why = first_difference(host_out, pag_out)
    else:
        why = "exit status %s on Pagoda" % pag_rc
    if pag_rc != host_rc and host_rc == 0:
        why += "; exit status %s on Pagoda" % pag_rc
    diff = "".join(difflib.unified_diff(
        host_out.splitlines(True), pag_out.splitlines(True),
        "host (exit %s)" % host_rc, "pagoda (exit %s)" % pag_rc))
    log = save_log(args.logdir, name,
                   "=== host, exit status %s\n%s\n=== pagoda, exit status "
                   "%s\n%s\n=== diff\n%s" % (host_rc, host_out, pag_rc,
                                             pag_out, diff))
    return False, "%s (log: %s)" % (why, log)


def list_tests(args):
    if args.names:
        return args.names
    names = []
    for f in sorted(os.listdir(args.bin_dir)):
        path = os.path.join(args.bin_dir, f)
        if f not in HELPERS and os.path.isfile(path) and \
                os.access(path, os.X_OK) and \
                not (args.leak and "--no-leak" in test_options(f)):
            names.append(f)
    return names


def run_leak(args, names):
    """One boot: leakcheck runs every test; returns (passed, failed)."""
    prog = os.path.join(args.bin_dir, "leakcheck")
    timeout = args.timeout * (len(names) + 1)
    cmd = qemu_cmd(args, prog, ["-n", str(args.passes)] + names, timeout,
                   [os.path.join(args.bin_dir, n) for n in names])
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
    ap.add_argument("--native-only", action="store_true",
                    help="only run the tests on the host")
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
    names = list_tests(args)
    if args.leak:
        passed, failed = run_leak(args, names)
    else:
        passed = failed = 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_one, args, n) for n in names]
            for name, fut in zip(names, futures):
                ok, detail = fut.result()
                line = "%s user %s" % ("PASS" if ok else "FAIL", name)
                print(line + (": " + detail if detail else ""), flush=True)
                passed += ok
                failed += not ok
    print("user: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
