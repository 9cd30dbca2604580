"""The trace layer of tests/run.py: the memory manager's event trace and
deterministic runs.

  tracetool    tools/tracetool on a small trace of known contents
               (tests/trace/test_tracetool.py, on the host)
  memmap       tools/memmap on the dump of `make memmap-example` and on one
               recorded now (tests/trace/test_memmap.py)
  tracetest    tests/trace/tracetest.c as init on a small machine: the
               kinds, pids, addresses and slots of known scenarios, the
               pid filter, on/off, trace_pipe, overflow
  determinism  a swap scenario (memhog under user/mmtrace, bigger than
               RAM) run twice with tools/qemu-run --deterministic: the
               program's output, the trace (times included) and
               /proc/vmstat must be the same bytes
"""
import concurrent.futures
import os
import re
import subprocess
import sys

# The swap scenario of the determinism check: 6 MiB of memhog on an 8 MiB
# machine (about 4 MiB free), with a ring large enough for all of it.
DETERMINISM_RUN = ["--deterministic", "--mem", "8M", "--swap", "16M",
                   "--cmdline", "trace.buf=1M", "--timeout", "90"]
DETERMINISM_PROG = ["mmtrace", "-v", "/bin/memhog", "-m", "6", "-r", "1",
                    "-w", "1"]


def run_cmd(cmd, timeout):
    """(status or None on timeout, output)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace")


def run_tracetool(args, totals, save_log):
    rc, out = run_cmd([sys.executable,
                       os.path.join("tests", "trace", "test_tracetool.py")],
                      180)
    m = re.search(r"^tracetool: (\d+) passed, (\d+) failed$", out, re.M)
    npass, nfail = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    ok = rc == 0 and m is not None and nfail == 0 and npass > 0
    detail = "%d passed, %d failed" % (npass, nfail)
    if not ok:
        failing = re.findall(r"^FAIL tracetool ([^:]*)", out, re.M)
        detail += " [%s] (log: %s)" % (", ".join(failing[:3]),
                                       save_log(args.logdir, "tracetool",
                                                out))
    totals.suite(ok, "trace tracetool (host)", detail, npass, nfail)


def run_memmap(args, totals, save_log):
    """tools/memmap on the captured dump and on one recorded now."""
    rc, out = run_cmd([sys.executable,
                       os.path.join("tests", "trace", "test_memmap.py")],
                      300)
    m = re.search(r"^memmap: (\d+) passed, (\d+) failed$", out, re.M)
    npass, nfail = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    ok = rc == 0 and m is not None and nfail == 0 and npass > 0
    detail = "%d passed, %d failed" % (npass, nfail)
    if not ok:
        failing = re.findall(r"^FAIL memmap ([^:]*)", out, re.M)
        detail += " [%s] (log: %s)" % (", ".join(failing[:3]),
                                       save_log(args.logdir, "memmap", out))
    totals.suite(ok, "trace memmap (pictures of memory)", detail, npass,
                 nfail)


def run_tracetest(args, totals, save_log):
    prog = os.path.join(os.path.dirname(args.kernel), "tests", "trace",
                        "tracetest")
    if not os.path.exists(prog):
        totals.suite(False, "trace tracetest", "no %s (make %s)"
                     % (prog, prog))
        return
    rc, out = run_cmd([os.path.join("tools", "qemu-run"), "--kernel",
                       args.kernel, "--mem", "12M", "--swap", "32M",
                       "--timeout", "90", prog], 120)
    for m in re.finditer(r"^(PASS|FAIL) trace (.*?): (.*)$", out, re.M):
        totals.suite(m.group(1) == "PASS", "trace " + m.group(2),
                     m.group(3)[:60])
    summary = re.search(r"^tracetest: (\d+) passed, (\d+) failed$", out,
                        re.M)
    problem = None
    if rc is None:
        problem = "timeout"
    elif "KERNEL PANIC" in out or rc == 123:
        problem = "kernel panic"
    elif not summary:
        problem = "no summary (qemu-run status %s)" % rc
    elif rc != (1 if int(summary.group(2)) else 0):
        problem = "exit status %s" % rc
    if problem:
        totals.suite(False, "trace tracetest", "%s (log: %s)" % (
            problem, save_log(args.logdir, "trace-tracetest", out)))


def run_determinism(args, totals, save_log):
    memhog = os.path.join(os.path.dirname(args.kernel), "initramfs", "bin",
                          "memhog")
    cmd = [os.path.join("tools", "qemu-run"), "--kernel", args.kernel] + \
        DETERMINISM_RUN + ["--add", memhog] + DETERMINISM_PROG
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: run_cmd(cmd, 150), range(2)))
    (rc1, out1), (rc2, out2) = runs
    trace = out1.partition("# pagoda mm trace:")[2]
    evictions = len(re.findall(r"^\s*\d+\s+\d+ evict ", trace, re.M))
    swapins = len(re.findall(r"^\s*\d+\s+\d+ fault swap-in ", trace, re.M))
    events = len(re.findall(r"^\s*\d+\s+\d+ (fault|evict|swap) ", trace,
                            re.M))
    problem = None
    if rc1 != 0 or rc2 != 0:
        problem = "qemu-run status %s and %s" % (rc1, rc2)
    elif not trace or "# /proc/vmstat" not in out1:
        problem = "no trace or no /proc/vmstat in the output"
    elif "dropped: 0\n" not in out1:
        problem = "the ring overflowed: the scenario is too big for it"
    elif evictions == 0 or swapins == 0:
        problem = "no swapping (%d evictions, %d swap-ins)" % (evictions,
                                                               swapins)
    elif out1 != out2:
        a, b = out1.splitlines(), out2.splitlines()
        first = next((i for i in range(min(len(a), len(b)))
                      if a[i] != b[i]), min(len(a), len(b)))
        problem = "the runs differ from line %d: %r vs %r" % (
            first + 1, a[first] if first < len(a) else "",
            b[first] if first < len(b) else "")
    if problem:
        save_log(args.logdir, "trace-determinism-2", out2)
        detail = "%s (log: %s)" % (problem, save_log(
            args.logdir, "trace-determinism-1", out1))
    else:
        detail = "%d events (%d evictions, %d swap-ins) and /proc/vmstat " \
                 "the same twice" % (events, evictions, swapins)
    totals.suite(problem is None, "trace determinism", detail)


def run_trace(args, totals, save_log):
    """The layer: host tool, in-kernel recording, deterministic runs."""
    run_tracetool(args, totals, save_log)
    run_memmap(args, totals, save_log)
    run_tracetest(args, totals, save_log)
    run_determinism(args, totals, save_log)
