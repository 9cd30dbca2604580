#!/usr/bin/env python3
"""Pagoda's test runner: every test layer, one line per suite, one summary.

Layers, in order:
  host     cmocka unit tests of libk/ and mm/ (build/host/test_*)
  vmsim    the page replacement simulator: textbook figures, policy models
  fuzz     a short libFuzzer run over the allocators
  kernel   in-kernel suites under QEMU at several memory sizes (TAP output),
           once more with the kernel heap's debug mode, and once at 128M
           with the direct map capped (lowmem=32M: highmem on a small
           machine)
  user     programs run on the host (Linux) and on Pagoda, outputs compared;
           then all of them in one boot with a leak check
  robust   random system calls from user space (tests/robust/sysfuzz.c),
           with a leak check; the runner must notice a panic, a hang and
           a leak in such a run; signals from user space to init
           (tests/robust/init_signals.c)
  swap     user/swaptest booted once per replacement policy and once per
           special case (out of memory, an OOM storm of thousands of
           processes, swap write and read errors, swapoff and swapon)
  boot     the ISO booted through GRUB to the prompt, then powered off; a
           scripted session at the busybox shell (jobs, ^C, ^Z, dmesg);
           boots with each kind of swap device (none, bad image, mkswap);
           SysRq commands sent as a BREAK on the serial line
           (tests/boot/run_sysrq.py)
  gdb      scripted GDB sessions: a test boot, a wrong Multiboot magic, and
           the GDB helpers (tools/gdb) against the kernel's own reports
  selftest the runner itself must notice a panic; tools/qemu-run ends at
           a panic, refuses swap it cannot set up, runs a 16 MiB machine
  trace    the memory manager's event trace: tools/tracetool on a known
           trace, tools/memmap on a known and a fresh dump, the events of known scenarios (tests/trace/tracetest.c),
           and a swap scenario run twice under --deterministic with the
           same bytes out (tests/trace/run_trace.py)
  labs     the coursework labs' machinery (tests/labs/selftest.py): each
           lab's grader names real tests worth 100 points, its stubs
           leave no solution line; lab 1's student tree is generated,
           built and graded (below the pass mark; the reference 100)

A QEMU run fails on a kernel panic, a triple fault (QEMU exits with status
0 under -no-reboot), a timeout, or a missing final line. The last line is
exactly "N passed, N failed, N skipped" (a test that skips itself, TAP's
"# SKIP" or cmocka's SKIPPED, is counted apart, neither passed nor
failed); the exit status is non-zero on any failure.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "trace"))
import run_trace  # noqa: E402 (tests/trace/run_trace.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "boot"))
import run_sysrq  # noqa: E402 (tests/boot/run_sysrq.py)

# The memory sizes of the kernel boots of make test.
DEFAULT_MEM = "8M,128M,1G,3G"
# isa-debug-exit statuses, see drivers/qemu.h.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 33, 35, 37
QEMU = os.environ.get("QEMU", "qemu-system-i386")


class Totals:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.lines = []

    def suite(self, ok, name, detail="", passed=None, failed=None,
              skipped=0):
        """Records one suite; passed/failed/skipped count its tests
        (default: one test, passed or failed)."""
        if passed is None:
            passed, failed = (1, 0) if ok else (0, 1)
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        if not ok and failed == 0:
            self.failed += 1
        status = "PASS" if ok else "FAIL"
        line = "%-4s %-28s %s" % (status, name, detail)
        print(line.rstrip(), flush=True)


def qemu_cmd(kernel, mem, append, initrd=None, extra=()):
    cmd = [QEMU, "-m", mem, "-no-reboot", "-display", "none",
           "-serial", "stdio", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", kernel, "-append", append]
    if initrd and os.path.exists(initrd) and os.path.getsize(initrd) > 0:
        cmd += ["-initrd", initrd]
    cmd += list(extra)
    return cmd


def run_qemu(cmd, timeout, stdin_text=None):
    """Runs QEMU; returns (exit status or None on timeout, output, seconds)."""
    start = time.time()
    try:
        p = subprocess.run(cmd, input=(stdin_text or "").encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), \
            time.time() - start
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out, time.time() - start


def save_log(logdir, name, text):
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".log")
    with open(path, "w") as f:
        f.write(text)
    return path


def verdict_problem(status, out, final_re):
    """Says what went wrong with a QEMU run, or None if it ended properly."""
    if status is None:
        return "timeout"
    if "KERNEL PANIC" in out:
        m = re.search(r"KERNEL PANIC:.*", out)
        return "panic: " + (m.group(0)[14:80] if m else "")
    if status == 0:
        return "QEMU exited without a verdict (triple fault or reset?)"
    if not re.search(final_re, out):
        return "missing final line"
    return None


def run_host(args, totals):
    bindir = args.host_bin
    if not os.path.isdir(bindir):
        totals.suite(False, "host", "no host tests built in " + bindir)
        return
    tests = sorted(f for f in os.listdir(bindir)
                   if f.startswith("test_") and
                   os.access(os.path.join(bindir, f), os.X_OK))
    for t in tests:
        path = os.path.join(bindir, t)
        try:
            p = subprocess.run([path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=120)
            out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
        npass = sum(int(n) for n in
                    re.findall(r"\[  PASSED  \] (\d+) test", out))
        nfail = sum(int(n) for n in
                    re.findall(r"\[  FAILED  \] (\d+) test", out))
        # cmocka counts a skipped test apart ("[  SKIPPED ] N test(s)").
        nskip = sum(int(n) for n in
                    re.findall(r"\[  SKIPPED \] (\d+) test", out))
        ok = rc == 0 and nfail == 0 and npass > 0
        detail = "%d passed, %d failed" % (npass, nfail)
        if nskip:
            detail += ", %d skipped" % nskip
        if rc is None:
            detail += ", timeout"
        elif rc != 0 and nfail == 0:
            detail += ", exit status %d" % rc
        if not ok:
            detail += " (log: %s)" % save_log(args.logdir, "host-" + t, out)
        totals.suite(ok, "host " + t[5:], detail, npass, nfail, nskip)


def run_fuzz(args, totals):
    """A short libFuzzer run of the allocators (make fuzz-ci)."""
    try:
        p = subprocess.run(["make", "-s", "--no-print-directory", "fuzz-ci"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=120)
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    runs = int(m.group(1)) if m else 0
    ok = rc == 0 and runs > 0
    detail = "%d inputs, no crash" % runs if ok else \
        "status %s (log: %s)" % (rc, save_log(args.logdir, "fuzz", out))
    totals.suite(ok, "fuzz mm (5 s)", detail)


def parse_tap(out):
    """Returns [(suite, passed, failed, failing case names, skipped,
    skipped case names, case names that ran)] from TAP. "ok N - name #
    SKIP" is a skipped test, not a passed one."""
    suites, current = [], None
    for line in out.splitlines():
        line = line.rstrip("\r")
        m = re.match(r"# suite (\S+)$", line)
        if m:
            current = [m.group(1), 0, 0, [], 0, [], []]
            suites.append(current)
            continue
        m = re.match(r"(not ok|ok) \d+ - (\S+)(\s+# SKIP\b)?", line)
        if m:
            if current is None:
                current = ["?", 0, 0, [], 0, [], []]
                suites.append(current)
            if m.group(1) == "ok" and m.group(3):
                current[4] += 1
                current[5].append(m.group(2))
                continue
            if m.group(1) == "ok":
                current[1] += 1
            else:
                current[2] += 1
                current[3].append(m.group(2))
            current[6].append(m.group(2))
    return suites


# Kernel test cases seen skipped, and seen run, over the kernel boots.
kernel_cases = {"skipped": set(), "ran": set()}


def check_kernel_skips(totals):
    """Every in-kernel test must run in at least one of the boots of make
    test: a test that skips itself everywhere checks nothing."""
    never = sorted(kernel_cases["skipped"] - kernel_cases["ran"])
    detail = "every test ran in some boot" if not never else \
        "skipped in every boot: " + ", ".join(never)
    totals.suite(not never, "kernel tests all ran", detail[:70])


def run_kernel(args, totals, mem, selection, timeout, options=""):
    """One boot with test=selection (and more kernel options); a line per
    suite. The kernel's own count ("# ktest: N passed, N failed, N
    skipped") must agree with the suites'."""
    name = ("kernel -m %s %s" % (mem, options)).rstrip()
    cmd = qemu_cmd(args.kernel, mem, ("test=%s loglevel=4 %s" % (
        selection, options)).rstrip(), args.initrd_mini)
    status, out, secs = run_qemu(cmd, timeout)
    problem = verdict_problem(status, out, r"# ktest: \d+ passed")
    suites = parse_tap(out)
    for sname, p, f, bad, k, skipped, ran in suites:
        kernel_cases["skipped"].update(skipped)
        kernel_cases["ran"].update(ran)
        detail = "%d passed, %d failed" % (p, f)
        if k:
            detail += ", %d skipped" % k
        if bad:
            detail += ": " + ", ".join(bad[:4])
        totals.suite(f == 0, "%s %s" % (name, sname), detail, p, f, k)
    m = re.search(r"# ktest: (\d+) passed, (\d+) failed, (\d+) skipped",
                  out)
    counted = [sum(x[i] for x in suites) for i in (1, 2, 4)]
    if problem is None and m and [int(g) for g in m.groups()] != counted:
        problem = "the kernel counted %s passed, %s failed, %s skipped; " \
            "the runner %d, %d, %d" % (m.groups() + tuple(counted))
    expected = EXIT_PASS if all(s[2] == 0 for s in suites) else EXIT_FAIL
    if problem is None and status != expected:
        problem = "QEMU exit status %s, expected %d" % (status, expected)
    if problem:
        log = save_log(args.logdir, name, out)
        totals.suite(False, name, "%s (log: %s)" % (problem, log))
    elif not suites:
        totals.suite(False, name, "no suites ran")


def run_boot_iso(args, totals):
    """Boots the ISO through GRUB, waits for the prompt, powers off."""
    name = "boot iso"
    cmd = [QEMU, "-m", "128M", "-no-reboot", "-display", "none",
           "-serial", "stdio", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-cdrom", args.iso]
    start = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    os.set_blocking(p.stdout.fileno(), False)
    sent = False
    # GRUB reads the whole initramfs (tens of MB) through the BIOS first.
    while time.time() - start < 60:
        try:
            chunk = p.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            out += chunk
        if not sent and (b"pagoda> " in out or b"pagoda$ " in out):
            p.stdin.write(b"uptime\npoweroff\n")
            p.stdin.flush()
            sent = True
        if p.poll() is not None:
            rest = p.stdout.read()
            out += rest or b""
            break
        time.sleep(0.05)
    if p.poll() is None:
        p.kill()
        p.wait()
    text = out.decode("utf-8", "replace")
    ok = sent and p.returncode == 0 and "Powering off" in text and \
        "KERNEL PANIC" not in text
    detail = "GRUB -> prompt -> poweroff in %.1fs" % (time.time() - start)
    if not ok:
        detail = "did not reach the prompt and power off (log: %s)" % \
            save_log(args.logdir, name, text)
    totals.suite(ok, name, detail)


class Console:
    """Drives a QEMU serial console like a person at a terminal: send()
    types, expect() waits for a regular expression in what came back
    since the last match (a small pexpect)."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.text = ""   # everything received, \r removed
        self.pos = 0     # where the next expect() starts looking

    def _read(self):
        try:
            chunk = self.p.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            self.text += chunk.decode("utf-8", "replace").replace("\r", "")
        return bool(chunk)

    def send(self, keys):
        self.p.stdin.write(keys.encode())
        self.p.stdin.flush()

    def expect(self, pattern, timeout=10):
        """Returns the match, or None after timeout seconds."""
        end = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.time() > end or self.p.poll() is not None:
                self._read()
                m = rx.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                return m
            if not self._read():
                time.sleep(0.05)

    def close(self, timeout=10):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self._read()
        return self.p.returncode


PROMPT = r"pagoda\$ "


def run_shell_session(args, totals):
    """Boots the ISO as `make run` does and uses the busybox shell on the
    serial console, step by step, as docs/userland.md shows: /proc, a
    background job beside memhog, kill %1, dmesg, ^C, ^Z and fg, bash.
    Each step is one result; a step that fails ends the session."""
    cmd = [QEMU, "-m", "128M", "-no-reboot", "-display", "none",
           "-serial", "stdio", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-cdrom", args.iso]
    steps = [
        # (name, keys to type, what must come back, seconds)
        ("prompt", None, PROMPT, 40),
        ("cat /proc/meminfo", "cat /proc/meminfo\n",
         r"MemTotal: +\d+ kB(.|\n)*SwapTotal:(.|\n)*" + PROMPT, 10),
        ("vmstat 1 &", "vmstat 1 &\n", PROMPT, 10),
        ("vmstat prints", None, r"\n *\d+ +\d+ +\d+ +\d+ +\d+", 10),
        ("memhog beside it", "memhog -m 8 -r 1\n",
         r"memhog(.|\n)*" + PROMPT, 60),
        ("kill %1", "kill %1; sleep 1; jobs; echo jobs-done\n",
         r"Terminated +vmstat 1(.|\n)*jobs-done\n" + PROMPT, 10),
        ("dmesg | tail", "dmesg | tail -n 3; echo dmesg-done\n",
         r"(\[ *\d+\.\d+\] .*\n){3}dmesg-done", 10),
        ("^C ends the foreground job", "sleep 30\n", None, 0),
        ("^C", "\x03", r"\n" + PROMPT, 5),
        ("^Z stops it", "sleep 30\n", None, 0),
        ("^Z", "\x1a", r"Stopped +sleep 30(.|\n)*" + PROMPT, 5),
        ("the stopped job in ps", "ps -o stat,args | grep '^T'\n",
         r"T +sleep 30", 5),
        ("fg, then ^C", "fg\n", r"sleep 30\n", 5),
        ("^C after fg", "\x03", r"\n" + PROMPT, 5),
        # A background job that reads the terminal is stopped (SIGTTIN);
        # one that writes is too once `stty tostop` asks (SIGTTOU).
        ("background read: SIGTTIN", "cat & sleep 1; jobs\n",
         r"Stopped \(tty input\) +cat", 5),
        ("kill the stopped job", "kill -9 %1; sleep 1; echo gone\n",
         r"gone\n(.|\n)*Killed +cat\n" + PROMPT, 5),
        ("background write: SIGTTOU", "stty tostop; (sleep 0.2; echo out) & "
         "sleep 1; jobs; stty -tostop\n", r"Stopped \(tty output\)", 5),
        ("fg lets it write", "fg\n", r"\nout\n" + PROMPT, 5),
        ("bash trap", "bash -c 'trap \"echo got USR1\" USR1; "
         "kill -USR1 $$; echo after'\n", r"got USR1\nafter\n" + PROMPT, 10),
        ("help", "help\n", r"uffdemo(.|\n)*gcdemo(.|\n)*" + PROMPT, 10),
        # Every applet busybox itself lists is a command in /bin.
        ("busybox --list", "n=0; for a in $(busybox --list); do "
         "[ -e /bin/$a ] || echo missing $a; n=$((n+1)); done; "
         "echo \"applets: $n\"\n",
         r"echo \"applets: \$n\"\napplets: \d{3}\n" + PROMPT, 20),
        ("poweroff", "poweroff\n", r"Powering off", 15),
    ]
    con = Console(cmd)
    start = time.time()
    failed = None
    for name, keys, want, secs in steps:
        if keys:
            # Typed after the output settles, like a person would.
            time.sleep(0.3)
            con.send(keys)
        if want is None:
            time.sleep(1)
            continue
        if not con.expect(want, secs):
            failed = name
            break
    status = con.close(15 if not failed else 1)
    text = con.text
    ok = not failed and status == 0 and "KERNEL PANIC" not in text
    detail = "%d steps in %.1fs" % (len(steps), time.time() - start)
    if not ok:
        why = "step %r" % failed if failed else \
            "QEMU status %s" % status
        detail = "%s failed (log: %s)" % (why, save_log(args.logdir,
                                                         "boot shell", text))
    totals.suite(ok, "boot shell session", detail)


def run_prompt_boot(args, totals, mem):
    """Boots with -kernel at a memory size, checks the map and the prompt."""
    name = "boot -m %s" % mem
    cmd = qemu_cmd(args.kernel, mem, "loglevel=7", args.initrd_mini)
    status, out, secs = run_qemu(cmd, 20, "poweroff\n")
    ok = status == 0 and ("pagoda> " in out or "pagoda$ " in out) and \
        "usable" in out and "KERNEL PANIC" not in out
    detail = "memory map and prompt in %.1fs" % secs
    if not ok:
        detail = "(log: %s)" % save_log(args.logdir, name, out)
    totals.suite(ok, name, detail)


def find_mkswap():
    """mkswap from util-linux: on PATH, or in /usr/sbin or /sbin, which a
    normal user's PATH may lack."""
    for path in (shutil.which("mkswap"), "/usr/sbin/mkswap", "/sbin/mkswap"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def run_swap_boots(args, totals):
    """Boots to the prompt with each kind of swap device and checks the
    line the kernel logs about it: the default RAM-disk, swap=0, a module
    image with a wrong signature, and a module image made by mkswap."""
    workdir = os.path.join(os.path.dirname(args.logdir) or ".", "test-swap")
    os.makedirs(workdir, exist_ok=True)
    bad = os.path.join(workdir, "bad.swap.img")
    with open(bad, "wb") as f:
        page = bytearray(4096)
        page[4086:4096] = b"NOTSWAPSPC"
        f.write(bytes(page) + bytes(1 << 20))
    good = os.path.join(workdir, "mkswap.swap.img")
    mkswap = find_mkswap()
    mkswap_error = None if mkswap else "no mkswap (util-linux) found"
    if mkswap:
        with open(good, "wb") as f:
            f.truncate(2 << 20)
        # No -q: util-linux 2.37 (Ubuntu 22.04) does not have it.
        p = subprocess.run([mkswap, "-f", "-p", "4096", "-L", "pagoda-test",
                            good], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode != 0:
            mkswap_error = "mkswap failed (status %d): %s" % (
                p.returncode, p.stdout.decode("utf-8", "replace").strip())
    cases = [
        ("default", "", None,
         [r"swap: 16384 KiB on ram0 \(4095 slots\)"], []),
        ("swap=0", "swap=0", None, [r"^swap: off"], [r"^ramdisk:"]),
        ("bad image", "", bad,
         [r"ramdisk: /dev/ram0: \d+ KiB of module '[^']*bad\.swap\.img'",
          r"swap: bad header on ram0: no SWAPSPACE2 signature; "
          r"running without swap"],
         [r"swap: \d+ KiB on"]),
        ("mkswap image", "", good,
         [r"swap: 2048 KiB on ram0 \(511 slots\)",
          r"swap: label 'pagoda-test'"], [r"formatted"]),
    ]
    for label, append, image, want, unwanted in cases:
        name = "boot swap %s" % label
        if label == "mkswap image" and mkswap_error:
            totals.suite(False, name, mkswap_error[:200])
            continue
        extra = ()
        initrd = args.initrd_mini
        if image:
            extra = ("-initrd", "%s,%s" % (args.initrd_mini, image))
            initrd = None
        cmd = qemu_cmd(args.kernel, "128M", ("loglevel=8 " + append).strip(),
                       initrd, extra)
        status, out, secs = run_qemu(cmd, 20, "poweroff\n")
        text = out.replace("\r", "")
        missing = [w for w in want if not re.search(w, text, re.M)]
        present = [u for u in unwanted if re.search(u, text, re.M)]
        ok = status == 0 and ("pagoda> " in out or "pagoda$ " in out) and \
            "KERNEL PANIC" not in out and not missing and not present
        detail = "swap line and prompt in %.1fs" % secs
        if not ok:
            why = "missing %r" % missing[0] if missing else \
                "unexpected %r" % present[0] if present else "no prompt"
            detail = "%s (log: %s)" % (why, save_log(args.logdir, name, out))
        totals.suite(ok, name, detail)


def run_gdb(args, totals):
    """Scripted GDB sessions: a test boot, a forced wrong magic, and the
    GDB helpers against the kernel's own reports (through make debug
    GDBSCRIPT=..., which uses build/)."""
    scripts = [("gdb scripted session", "run.sh", "gdb: ok", [args.kernel]),
               ("wrong Multiboot magic", "magic.sh", "magic: ok",
                [args.kernel]),
               ("gdb helpers vs the kernel", "helpers.sh", "helpers: ok", []),
               ("gdb user programs: pagoda-user, bt through traps",
                "user.sh", "user: ok", [])]
    for name, script, good, argv in scripts:
        path = os.path.join("tests", "gdb", script)
        try:
            p = subprocess.run([path] + argv, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
        last = out.strip().splitlines()[-1] if out.strip() else ""
        ok = rc == 0 and last.startswith(good)
        detail = last
        if not ok:
            detail += " (log: %s)" % save_log(args.logdir, script, out)
        totals.suite(ok, name, detail)


def run_user(args, totals, leak, small=False):
    """The differential user tests (tests/user/run_user.py), on the Linux
    reference and on Pagoda; with leak, all of them in one boot under
    leakcheck."""
    cmd = [sys.executable, os.path.join("tests", "user", "run_user.py"),
           "--kernel", os.path.abspath(args.kernel),
           "--bin-dir", os.path.abspath("build/tests/user")]
    if leak:
        cmd.append("--leak")
    if small:
        cmd.append("--small")
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
    for line in out.splitlines():
        # Which Linux the outputs were compared with: the host, or a kernel
        # booted under QEMU (a failure to get one is a FAIL line below).
        m = re.match(r"^reference: (.*)$", line)
        if m and not small:
            totals.suite(True, "user reference", m.group(1))
        m = re.match(r"^(PASS|FAIL) (user\S* \S+)(?:: (.*))?$", line)
        if m:
            totals.suite(m.group(1) == "PASS", m.group(2), m.group(3) or "")
    if not re.search(r"^user: \d+ passed, \d+ failed", out, re.M):
        totals.suite(False, "user leak check" if leak else
                     "user tests at 16M" if small else "user tests",
                     "no summary (log: %s)" %
                     save_log(args.logdir, "user-run", out))


def run_init_signals(args, totals):
    """No signal from user space may end init (tests/robust/init_signals.c,
    run as init)."""
    name = "robust signals to init"
    prog = os.path.abspath("build/tests/robust/init_signals")
    cmd = [os.path.join("tools", "qemu-run"), "--timeout", "60",
           "--kernel", args.kernel, prog]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=90)
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
    m = re.search(r"^init_signals: (\d+) passed, (\d+) failed$", out, re.M)
    ok = rc == 0 and m is not None and m.group(2) == "0"
    if ok:
        detail = "%s cases, init alive" % m.group(1)
    else:
        failing = re.findall(r"^FAIL - ([^:]*)", out, re.M)
        detail = "status %s%s (log: %s)" % (
            rc, ", " + failing[0] if failing else "",
            save_log(args.logdir, name, out))
    totals.suite(ok, name, detail[:70])



# The seeded run of the system-call fuzzer in `make test`: about 8 s of
# fuzzing (tests/robust/sysfuzz.c; `make fuzz-sys` runs longer). -k keeps
# the replacement policy: under aging or random, a failed reclaim keeps
# the CPU for minutes (docs/robustness.md), which would make this run's
# time depend on luck; make fuzz-sys fuzzes the policy too.
SYSFUZZ_ARGS = ["-r", "24", "-n", "300", "-k", "-s", "1"]


def sysfuzz_verdict(rc, out):
    """What a run of tools/qemu-run with sysfuzz says: (kind, detail),
    kind being pass, panic, timeout, hang, leak or fail."""
    if rc == 123 or "KERNEL PANIC" in out:
        m = re.search(r"KERNEL PANIC:.*", out)
        return "panic", m.group(0)[:70] if m else "kernel panic"
    if rc == 124 or rc is None:
        return "timeout", "no end: the machine or the driver hung"
    m = re.search(r"^sysfuzz: FAIL: (hang|leak)?(.*)$", out, re.M)
    if m:
        return m.group(1) or "fail", (m.group(1) or "") + m.group(2)
    m = re.search(r"^sysfuzz: PASS: (.*)$", out, re.M)
    if rc == 0 and m:
        return "pass", m.group(1)
    return "fail", "status %s, no verdict line" % rc


def run_sysfuzz(args, extra, timeout, stdin_text=None):
    """Starts sysfuzz on Pagoda through qemu-run; returns a function that
    waits for it and gives (status or None, output)."""
    cmd = [os.path.join("tools", "qemu-run"), "--timeout", str(timeout),
           "--kernel", args.kernel] + extra
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)

    def wait():
        try:
            out, _ = p.communicate((stdin_text or "").encode(),
                                   timeout=timeout + 30)
            return p.returncode, out.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            return None, out.decode("utf-8", "replace")
    return wait


def run_robust(args, totals):
    """Random system calls from user space must not hurt the kernel: a
    seeded sysfuzz run, judged by its own leak check; and the runner's
    self-check that a panic, a hang and a leak in such a run are each
    noticed. The self-checks run beside the main run (they are short)."""
    prog = os.path.abspath("build/tests/robust/sysfuzz")
    main = run_sysfuzz(args, [prog] + SYSFUZZ_ARGS, 90)
    checks = [
        # A panic: the kernel prompt's `fault` command (init=/none keeps
        # the fuzzer from starting) must be reported as one.
        ("robust self-check: panic", "panic",
         run_sysfuzz(args, ["--cmdline", "init=/none init.required=0",
                            prog, "-r", "1"], 30, "fault\n")),
        # A hang: the driver stops after its warm-up and never ends.
        ("robust self-check: hang", "timeout",
         run_sysfuzz(args, [prog, "-r", "2", "-n", "50", "-S", "hang"], 6)),
        # A leak: the driver keeps 64 KiB before its last reading.
        ("robust self-check: leak", "leak",
         run_sysfuzz(args, [prog, "-r", "2", "-n", "50", "-S", "leak"], 60)),
    ]
    rc, out = main()
    kind, detail = sysfuzz_verdict(rc, out)
    name = "robust sysfuzz seed %s" % SYSFUZZ_ARGS[-1]
    if kind == "pass":
        m = re.search(r"^sysfuzz: (\d+) calls in ([\d.]+) s \((\d+) calls/s\); "
                      r"(\d+) of (\d+) system calls", out, re.M)
        leak = re.search(r"MemFree ([+-]\d+) kB, Slab ([+-]\d+) kB", out)
        if m and leak:
            detail = "%s calls, %s/s, %s/%s calls, MemFree %s kB" % (
                m.group(1), m.group(3), m.group(4), m.group(5),
                leak.group(1))
    else:
        detail = "%s: %s (log: %s)" % (kind, detail,
                                       save_log(args.logdir, name, out))
    totals.suite(kind == "pass", name, detail[:70])
    for name, want, wait in checks:
        rc, out = wait()
        kind, detail = sysfuzz_verdict(rc, out)
        ok = kind == want
        detail = ("noticed: %s" % detail) if ok else \
            "not noticed: %s, %s (log: %s)" % (
                kind, detail, save_log(args.logdir, name, out))
        totals.suite(ok, name, detail[:70])


def run_vmsim(args, totals):
    """The replacement simulator tools/vmsim against the textbook figures
    and independent models of each policy (tests/vmsim/run.py)."""
    cmd = [sys.executable, os.path.join("tests", "vmsim", "run.py")]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
    m = re.search(r"^vmsim: (\d+) passed, (\d+) failed$", out, re.M)
    npass, nfail = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    ok = rc == 0 and m is not None and nfail == 0 and npass > 0
    detail = "%d passed, %d failed" % (npass, nfail)
    if not ok:
        failing = re.findall(r"^FAIL vmsim ([^:]+)", out, re.M)
        if failing:
            detail += " [%s]" % ", ".join(failing[:3])
        elif not m:
            detail += ", no summary, status %s" % rc
        detail += " (log: %s)" % save_log(args.logdir, "vmsim", out)
    totals.suite(ok, "vmsim simulator", detail, npass, nfail)


def run_labs(args, totals):
    """The labs' machinery (tests/labs/selftest.py): every lab's grader
    and stubs, and lab 1's student tree generated, built and graded. In a
    student tree (no selftest.py) there is nothing to check."""
    path = os.path.join("tests", "labs", "selftest.py")
    if not os.path.exists(path):
        return
    try:
        p = subprocess.run([sys.executable, path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace") + "\n(timeout)"
    for line in out.splitlines():
        m = re.match(r"^(PASS|FAIL) (labs .+?)(?:: (.*))?$", line)
        if m:
            totals.suite(m.group(1) == "PASS", m.group(2), m.group(3) or "")
    if not re.search(r"^labs: \d+ passed, \d+ failed$", out, re.M):
        totals.suite(False, "labs", "no summary (log: %s)" %
                     save_log(args.logdir, "labs", out))


def run_vmsim_if_present(args, totals):
    """A student tree has no tests/vmsim/run.py (its models are
    solutions of lab 5): the layer is skipped there."""
    if os.path.exists(os.path.join("tests", "vmsim", "run.py")):
        run_vmsim(args, totals)
        run_replay_check(args, totals)


def run_swap(args, totals):
    """Swapping under pressure (user/swaptest, as init, through qemu-run on
    a small machine): data integrity and shared pages under every policy,
    policy switches and RLIMIT_RSS, the OOM killer (and a storm of
    thousands of processes out of memory at once), injected I/O errors.
    Every boot must end with swaptest's summary and no failure; some also
    need a kernel line on the console (loglevel=4 shows errors)."""
    import concurrent.futures
    prog = os.path.join(os.path.dirname(args.kernel), "initramfs", "bin",
                        "swaptest")
    if not os.path.exists(prog):
        totals.suite(False, "swap", "no %s (make all)" % prog)
        return
    empty = os.path.join(os.path.dirname(args.logdir) or ".", "swap-tree")
    os.makedirs(empty, exist_ok=True)
    small = ["--mem", "12M", "--swap", "64M"]
    # (name, qemu-run options, scenarios, console lines required)
    boots = [
        # An unknown policy is reported and the default (clock) used.
        ("clock", small + ["--policy", "belady"],
         ["integrity", "shared", "policy", "rsslimit"],
         [r"vm\.policy=belady: no such page replacement policy "
          r"\(policies: \[clock\] fifo aging random clockpro\); using clock"]),
        ("fifo", small + ["--policy", "fifo"], ["integrity", "shared"], []),
        ("aging", small + ["--policy", "aging"], ["integrity", "shared"], []),
        ("random", small + ["--policy", "random"], ["integrity", "shared"],
         []),
        ("oom", ["--mem", "12M", "--swap", "8M"], ["oom"],
         [r"OOM: killed pid \d+ \(swaptest\), uid 0: rss \d+ KiB, swap \d+ KiB",
          r"OOM: killed pid \d+ \(swaptest\), uid 1000: rss \d+ KiB, "
          r"swap \d+ KiB"]),
        # Thousands of processes out of memory at once, no swap.
        ("oomstorm", ["--mem", "64M", "--swap", "0"], ["oomstorm", "5000"],
         [r"OOM: killed pid \d+ \(swaptest\), uid 0: rss \d+ KiB, swap 0 KiB"]),
        ("inject-write", small + ["--cmdline", "ramdisk.fail_write=7"],
         ["inject-write"], []),
        # Whole processes swapped out and back, in both modes.
        ("wholeswap", small, ["wholeswap"], []),
        # swapoff brings every kind of page back; swapon again.
        ("swapoff", small, ["swapoff"],
         [r"swap: ram0 is blank: no swap signature"]),
        # Two more RAM-disks made of frames, swap areas of priority 10
        # above ram0: used in turn, one turned off under pressure.
        ("areas", ["--mem", "32M", "--swap", "16M", "--cmdline",
                   "ramdisks=2,8M"], ["areas"], []),
        # tmpfs files in the working set, through swap and back.
        ("tmpfs", small, ["tmpfs"], []),
        ("inject-read", small + ["--cmdline", "ramdisk.fail_read=50"],
         ["inject-read"],
         [r"SIGBUS: pid \d+ \(swaptest\) killed: I/O error reading the "
          r"page back from swap"]),
    ]

    def one(boot):
        name, opts, scenarios, want = boot
        cmd = [os.path.join("tools", "qemu-run"), "--kernel", args.kernel,
               "--tree", empty, "--timeout", "90"] + opts
        # The kernel's error lines too (qemu-run's loglevel=1 hides them).
        if "--cmdline" in opts:
            i = cmd.index("--cmdline")
            cmd[i + 1] = "loglevel=4 " + cmd[i + 1]
        else:
            cmd += ["--cmdline", "loglevel=4"]
        cmd += [prog] + scenarios
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=120)
            return boot, p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            return boot, None, (e.stdout or b"").decode("utf-8", "replace")

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, boots))
    for (name, opts, scenarios, want), rc, out in results:
        label = "swap " + name
        for m in re.finditer(r"^(PASS|FAIL) swap (.*?): (.*)$", out, re.M):
            totals.suite(m.group(1) == "PASS",
                         "%s %s" % (label, m.group(2)), m.group(3)[:60])
        summary = re.search(r"^swaptest: (\d+) passed, (\d+) failed$", out,
                            re.M)
        missing = [w for w in want if not re.search(w, out, re.M)]
        problem = None
        if rc is None:
            problem = "timeout"
        elif "KERNEL PANIC" in out:
            problem = "kernel panic"
        elif not summary:
            problem = "no summary (qemu-run status %s)" % rc
        elif rc != (1 if int(summary.group(2)) else 0):
            problem = "exit status %s" % rc
        elif missing:
            problem = "no console line %r" % missing[0]
        if problem:
            totals.suite(False, label, "%s (log: %s)" % (
                problem, save_log(args.logdir, label, out)))
        elif want:
            totals.suite(True, label + " console",
                         "%d kernel line(s) as expected" % len(want))


def check_tap_counts(totals):
    """The runner's reading of TAP: a "# SKIP" line is a skipped test,
    neither passed nor failed."""
    tap = ("# suite x\nok 1 - x.a\nok 2 - x.b # SKIP\n"
           "not ok 3 - x.c\nok 4 - x.d # SKIP why not\n")
    got = parse_tap(tap)
    want = [["x", 1, 1, ["x.c"], 2, ["x.b", "x.d"], ["x.a", "x.c"]]]
    totals.suite(got == want, "runner counts # SKIP apart",
                 "1 passed, 1 failed, 2 skipped" if got == want else
                 "parsed as %r" % (got,))


def run_selftest(args, totals):
    """The runner must see a panic as a failure, and a kernel stack
    overflow must be reported as one: provoke both."""
    check_tap_counts(totals)
    cases = [("selftest_panic", "runner detects a panic", "assertion failed"),
             ("selftest_stack_overflow", "kernel stack overflow report",
              "kernel stack overflow")]
    for suite, name, expect in cases:
        cmd = qemu_cmd(args.kernel, "32M", "test=%s loglevel=4" % suite)
        status, out, _ = run_qemu(cmd, 20)
        problem = verdict_problem(status, out, r"# ktest: \d+ passed")
        ok = problem is not None and problem.startswith("panic") and \
            status == EXIT_PANIC and expect in out
        if ok:
            detail = "detected: %s" % problem
        else:
            detail = "not detected (status %s, log: %s)" % (
                status, save_log(args.logdir, suite, out))
        totals.suite(ok, name, detail[:70])


def run_qemu_run_checks(args, totals):
    """tools/qemu-run on the edges of a machine: a kernel panic must end it
    at once with status 123 and the report; a --swap the kernel cannot set
    up is refused (status 2, the kernel's reason) before anything runs; a
    16 MiB machine with 64 MiB of swap runs a program; so does a program
    with a 200-byte name; an init the kernel cannot start ends the machine
    (status 126, the kernel's reason) instead of leaving a prompt."""
    qemu_run = [os.path.join("tools", "qemu-run"), "--kernel", args.kernel,
                "--timeout", "30"]

    # The kernel prompt's `fault` command writes to address 0 in ring 0.
    # (The prompt comes when init cannot start and init.required=0.)
    name = "qemu-run ends at a panic"
    start = time.time()
    p = subprocess.Popen(qemu_run + ["--cmdline", "init=/none "
                                     "init.required=0", "hello"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    p.stdin.write(b"fault\n")
    p.stdin.close()
    out, panic_at = b"", None
    for chunk in iter(lambda: p.stdout.read1(4096), b""):
        out += chunk
        if panic_at is None and b"KERNEL PANIC" in out:
            panic_at = time.time()
    rc = p.wait()
    end = time.time()
    text = out.decode("utf-8", "replace")
    ok = rc == 123 and panic_at is not None and end - panic_at < 1.0 and \
        "Backtrace:" in text and "qemu-run: kernel panic" in text
    detail = "status %s, %.2f s after the panic line (%.1f s in all)" % (
        rc, end - panic_at if panic_at else -1, end - start)
    if not ok:
        detail += " (log: %s)" % save_log(args.logdir, name, text)
    totals.suite(ok, name, detail)

    # init= longer than PATH_MAX - 1: refused with ENAMETOOLONG, and no
    # other program (the default /bin/init) is started in its place.
    name = "init= of 4096 bytes refused"
    cmd = qemu_cmd(args.kernel, "32M", "loglevel=4 init.required=1 init=/" +
                   "p" * 4095, args.initrd_mini)
    status, out, _ = run_qemu(cmd, 20)
    ok = status == 41 and re.search(
        r"cmdline: init= is 4096 bytes long, more than 4095 "
        r"\(ENAMETOOLONG", out) and re.search(
        r"Cannot start init: the init= path is longer than 4095 bytes "
        r"\(ENAMETOOLONG\); init\.required=1 is given: stopping", out)
    detail = "QEMU status %s" % status
    if not ok:
        detail += " (log: %s)" % save_log(args.logdir, name, out)
    totals.suite(bool(ok), name, detail)

    # A program with a 200-byte name (echoargs under another name): the
    # kernel's init= takes paths up to PATH_MAX, and argv[0] arrives whole.
    workdir = os.path.join(os.path.dirname(args.logdir) or ".", "test-names")
    os.makedirs(workdir, exist_ok=True)
    long_name = os.path.join(workdir, "p" * 200)
    shutil.copyfile(os.path.join("build", "tests", "user", "echoargs"),
                    long_name)
    os.chmod(long_name, 0o755)
    cases = [
        # (name, options, program and arguments, status, lines the output
        # must have, must lack)
        ("qemu-run refuses --swap 32K", ["--swap", "32K"], ["hello"], 2,
         [r"swap=32K is smaller than the smallest RAM-disk",
          r"swap\.required=1",
          r"cannot set up --swap 32K.*nothing was run"], [r"hello from"]),
        # A swap RAM-disk larger than the kernel's address space could map
        # for good (it is read through temporary mappings), holding a
        # working set eight times the machine's memory.
        ("qemu-run --mem 16M --swap 160M bigmem",
         ["--mem", "16M", "--swap", "160M"],
         ["bigmem", "-p", "2", "-m", "64", "-s", "2", "-c", "16"], 0,
         [r"SwapTotal 163836 ", r"^bigmem: OK, 128 MiB verified"], []),
        # User pages in highmem on a small machine (the direct map capped
        # at 32 MiB), with copy-on-write children and shared memory.
        ("qemu-run --mem 128M lowmem=32M bigmem",
         ["--mem", "128M", "--cmdline", "lowmem=32M"],
         ["bigmem", "-p", "3", "-m", "24", "-s", "4"], 0,
         [r"HighTotal [1-9]\d{4} HighFree", r"^bigmem: OK, 72 MiB verified"],
         []),
        ("qemu-run --mem 16M --swap 64M", ["--mem", "16M", "--swap", "64M"],
         ["hello"], 0, [r"^hello from /bin/hello with 0 arguments$"], []),
        ("qemu-run a 200-byte program name", [], [long_name, "a", "b"], 3,
         [r"^argv\[0\] \(205 bytes\) = \"/bin/p{35}", r"^echoargs: argc = 3$"],
         [r"pagoda> ", r"cmdline:"]),
        ("qemu-run init that cannot start", ["--cmdline", "init=/bin/none"],
         ["hello"], 126,
         [r"^Cannot start init '/bin/none' \(ENOENT, error -2\); "
          r"init\.required=1 is given: stopping$",
          r"could not start hello"], [r"pagoda> ", r"hello from"]),
    ]
    for name, opts, prog, want_rc, want, unwanted in cases:
        try:
            p = subprocess.run(qemu_run + opts + prog,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            rc, text = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, text = None, (e.stdout or b"").decode("utf-8", "replace")
        missing = [w for w in want if not re.search(w, text, re.M)]
        present = [u for u in unwanted if re.search(u, text, re.M)]
        ok = rc == want_rc and not missing and not present
        detail = "status %s" % rc
        if missing:
            detail += ", missing %r" % missing[0]
        if present:
            detail += ", unexpected %r" % present[0]
        if not ok:
            detail += " (log: %s)" % save_log(args.logdir, name, text)
        totals.suite(ok, name, detail)


def run_bench_once(args, mem, icount, user=False):
    extra = ["-icount", "shift=0,sleep=off"] if icount else []
    if user:
        # The kernel's floors, then the user-space benchmarks as init.
        cmd = qemu_cmd(args.kernel, mem,
                       "bench=floors init=/bin/ubench loglevel=3",
                       args.initrd_bench or args.initrd, extra)
    else:
        cmd = qemu_cmd(args.kernel, mem,
                       "bench=%s loglevel=3" % args.bench_sel,
                       args.initrd, extra)
    status, out, _ = run_qemu(cmd, 300)
    results = {}
    for line in out.splitlines():
        m = re.match(r"BENCH (\S+) (\d+) (\S+)", line.strip())
        if m:
            results[m.group(1)] = (int(m.group(2)), m.group(3))
    if status != EXIT_PASS or "KERNEL PANIC" in out:
        path = save_log(args.logdir, "bench-%s" % mem, out)
        print("bench: run at -m %s failed (status %s, log: %s)"
              % (mem, status, path))
        return None
    return results


def derive_boot_per_frame(rows, lines):
    """Boot instructions per extra frame between the smallest and largest
    memory sizes: (boot@big - boot@small) / (frames@big - frames@small)."""
    boot = dict((r[0], r[1]) for r in rows if r[0].startswith("boot.tsc"))
    frames = dict((r[0], r[1]) for r in rows
                  if r[0].startswith("pmm.total_frames"))
    sizes = sorted(((v, k.split("@")[1]) for k, v in frames.items()))
    if len(sizes) < 2:
        return
    (f_small, m_small), (f_big, m_big) = sizes[0], sizes[-1]
    b_small = boot.get("boot.tsc_at_bench@" + m_small)
    b_big = boot.get("boot.tsc_at_bench@" + m_big)
    if b_small is None or b_big is None or f_big == f_small:
        return
    per = (b_big - b_small) // (f_big - f_small)
    name = "boot.insns_per_extra_frame(%s-%s)" % (m_big, m_small)
    rows.append((name, per, "insns", None))
    lines.append("%s %d insns" % (name, per))


def replay_trace():
    """The reference string of tests/kernel/bench_swap.c's policy replay
    (same LCG, same shape): [(page, write)] and the checksum the kernel
    prints as policy_replay.trace_sum."""
    state, total, refs = 1, 0, []
    for r in range(4000):
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        x = (state >> 16) & 0x7FFF
        write = r % 4 == 3
        page = x % 64 if r % 8 == 7 else ((r // 500) * 6 + x % 12) % 64
        total = (total * 31 + page * 2 + int(write)) & 0xFFFFFFFF
        refs.append((page, write))
    return refs, total


def vmsim_replay_faults(logdir):
    """tools/vmsim's faults for every policy (the kernel's, exact LRU,
    OPT) on the reference string of tests/kernel/bench_swap.c's policy
    replay, with its frames and tick: ({name: faults}, the string's
    checksum), or (None, why)."""
    vmsim = os.path.join("tools", "vmsim", "vmsim")
    if not os.access(vmsim, os.X_OK):
        return None, "no %s (make vmsim)" % vmsim
    refs, total = replay_trace()
    os.makedirs(os.path.dirname(logdir) or ".", exist_ok=True)
    path = os.path.join(os.path.dirname(logdir) or ".", "replay.trace")
    with open(path, "w") as f:
        f.write("".join("%d%s\n" % (p, " W" if w else "") for p, w in refs))
    try:
        out = subprocess.run([vmsim, "--policy", "all", "--frames", "16",
                              "--tick", "16", path], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=60)
        text = out.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "vmsim: %s" % e
    faults = {m.group(1): int(m.group(2)) for m in
              re.finditer(r"^(\w+)\s+(\d+)\s+\d+\s+\d+\s+\d+", text, re.M)}
    return faults, total


def derive_policy_replay(rows, lines, logdir):
    """Beside the kernel's faults for each policy on the replay string,
    the simulator's (tools/vmsim) on the same string: Belady's OPT, exact
    LRU, and its own run of the kernel's policies."""
    sums = [r[1] for r in rows if r[0].startswith("policy_replay.trace_sum")]
    if not sums:
        return
    faults, total = vmsim_replay_faults(logdir)
    if faults is None:
        return
    if any(s != total for s in sums):
        print("bench: the kernel's replay string differs from "
              "tests/run.py's (sum %d, expected %d)" % (sums[0], total))
        return
    for policy, n in faults.items():
        name = "policy_replay.vmsim.%s" % policy
        rows.append((name, n, "faults", None))
        lines.append("%s %s faults" % (name, n))


def run_replay_check(args, totals):
    """The kernel replays bench_swap.c's reference string (bench=swap_bench,
    plain TCG: fault counts do not depend on timing) with the same faults
    as tools/vmsim under every policy, random included (both draw the
    xorshift32 stream of seed 1)."""
    faults, total = vmsim_replay_faults(args.logdir)
    if faults is None:
        totals.suite(False, "vmsim kernel replay", total)
        return
    cmd = qemu_cmd(args.kernel, "128M", "bench=swap_bench loglevel=3",
                   args.initrd_mini)
    status, out, _ = run_qemu(cmd, 120)
    kernel = {m.group(1): int(m.group(2)) for m in re.finditer(
        r"^BENCH policy_replay\.(\w+) (\d+) faults", out, re.M)}
    m = re.search(r"^BENCH policy_replay\.trace_sum (\d+) sum", out, re.M)
    if not kernel or not m:
        totals.suite(False, "vmsim kernel replay", "no replay figures (log: %s)"
                     % save_log(args.logdir, "replay", out))
        return
    if int(m.group(1)) != total:
        totals.suite(False, "vmsim kernel replay", "the kernel's string "
                     "differs (sum %s, expected %d)" % (m.group(1), total))
        return
    for policy in sorted(kernel):
        ok = faults.get(policy) == kernel[policy]
        totals.suite(ok, "vmsim kernel replay %s" % policy,
                     "kernel %d, vmsim %s faults" % (kernel[policy],
                                                     faults.get(policy)))


def linux_user_bench(args):
    """user/ubench on the Linux reference (tools/linux-ref) under the same
    -icount: {name: instructions}, or None after saying why not. The result
    is cached by the binary's hash; -icount makes it the same every run."""
    ubench = os.path.join(os.path.dirname(args.initrd), "initramfs", "bin",
                          "ubench")
    cmd = [os.path.join("tools", "linux-ref"), "--icount", "--cached",
           "--timeout", "300", ubench]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
    except subprocess.TimeoutExpired:
        print("bench: Linux reference: timeout")
        return None
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        print("bench: no Linux figures (tools/linux-ref status %d: %s)"
              % (p.returncode, err[-1] if err else "no message"))
        return None
    return dict((m.group(1), int(m.group(2))) for m in
                re.finditer(r"^BENCH (\S+) (\d+) tsc$", out, re.M))


def print_linux_comparison(pagoda, linux, mem, lines):
    """The user-space figures of both kernels side by side."""
    print()
    print("user space, Pagoda vs Linux (guest instructions under -icount):")
    print("%-32s %12s %12s %8s" % ("benchmark", "Pagoda", "Linux",
                                   "ratio"))
    for name, (value, unit) in sorted(pagoda.items()):
        if unit != "tsc" or name not in linux or not linux[name]:
            continue
        ratio = value / linux[name]
        print("%-32s %12d %12d %8.2f" % (name, value, linux[name], ratio))
        lines.append("%s@%s.linux %d insns" % (name, mem, linux[name]))


def run_bench(args):
    """Runs the benchmarks under -icount and plain TCG; prints a table,
    then the user-space figures beside Linux's."""
    rows, lines = [], []
    runs = [(mem, False) for mem in args.bench_mem.split(",")]
    runs.append((args.bench_mem.split(",")[0], True))
    user_exact = {}
    for mem, user in runs:
        exact = run_bench_once(args, mem, True, user)
        if exact is None:
            return 1
        if user:
            exact = dict((k, v) for k, v in exact.items()
                         if not k.startswith("floor.") and
                         not k.startswith("boot."))
            user_exact = exact
        tcg_runs = [run_bench_once(args, mem, False, user)
                    for _ in range(3)]
        if any(r is None for r in tcg_runs):
            return 1
        for name, (value, unit) in exact.items():
            label = "insns" if unit == "tsc" else unit
            tcg = sorted(r[name][0] for r in tcg_runs if name in r)
            tcg_med = tcg[len(tcg) // 2] if tcg else None
            full = "%s@%s" % (name, mem)
            rows.append((full, value, label, tcg_med if unit == "tsc" else None))
            lines.append("%s %d %s" % (full, value, label))
            if unit == "tsc" and tcg_med is not None:
                lines.append("%s.tcg %d ticks" % (full, tcg_med))
    derive_boot_per_frame(rows, lines)
    derive_policy_replay(rows, lines, args.logdir)
    print("%-44s %12s %-6s %14s" % ("benchmark", "icount", "unit", "TCG ticks (median)"))
    for full, value, label, tcg in rows:
        print("%-44s %12d %-6s %14s" % (full, value, label,
                                        "" if tcg is None else tcg))
    linux = linux_user_bench(args)
    if linux:
        print_linux_comparison(user_exact, linux, runs[-1][0], lines)
    os.makedirs(os.path.dirname(args.bench_out) or ".", exist_ok=True)
    with open(args.bench_out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("written to %s" % args.bench_out)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default="build/kernel.elf")
    ap.add_argument("--iso", default="build/pagoda.iso")
    ap.add_argument("--initrd", default="build/initramfs.cpio")
    ap.add_argument("--initrd-mini", default="build/initramfs-mini.cpio",
                    help="the small initramfs for kernel suites and small "
                    "machines")
    ap.add_argument("--host-bin", default="build/host")
    ap.add_argument("--logdir", default="build/test-logs")
    ap.add_argument("--mem", default=DEFAULT_MEM,
                    help="memory sizes for the in-kernel suites")
    ap.add_argument("--only", default="",
                    help="comma list of layers: "
                    "host,vmsim,fuzz,kernel,user,robust,swap,boot,gdb,"
                    "selftest,trace,labs")
    ap.add_argument("--bench", action="store_true",
                    help="run the benchmarks instead of the tests")
    ap.add_argument("--bench-sel", default="all")
    ap.add_argument("--initrd-bench", default=None,
                    help="the image with ubench for the user-space "
                    "benchmarks (default: --initrd)")
    ap.add_argument("--bench-mem", default="128M,1G")
    ap.add_argument("--bench-out", default="build/bench.txt")
    args = ap.parse_args()
    if args.bench:
        return run_bench(args)

    layers = set(args.only.split(",")) if args.only else \
        {"host", "vmsim", "fuzz", "kernel", "user", "robust", "swap", "boot",
         "gdb", "selftest", "trace", "labs"}
    totals = Totals()
    if "host" in layers:
        run_host(args, totals)
    if "vmsim" in layers:
        run_vmsim_if_present(args, totals)
    if "fuzz" in layers:
        run_fuzz(args, totals)
    if "kernel" in layers:
        for mem in args.mem.split(","):
            run_kernel(args, totals, mem, "all", 60)
        # The heap's debug mode (red zones, poisoning, leak reports) is a
        # boot option: its own test skips without it, the others run
        # under it.
        run_kernel(args, totals, args.mem.split(",")[0], "all", 60,
                   "kheap.debug=1")
        # Highmem on a small machine: the direct map capped at 32 MiB,
        # so user pages, swap I/O and the kmap slots are exercised in
        # every suite, not only at 3G.
        run_kernel(args, totals, "128M", "all", 60, "lowmem=32M")
        # Only the full set of boots promises that (at 8M alone, the
        # swap tests have no room to run).
        if args.mem == DEFAULT_MEM:
            check_kernel_skips(totals)
    if "user" in layers:
        run_user(args, totals, False)
        run_user(args, totals, False, small=True)
        run_user(args, totals, True)
    if "robust" in layers:
        run_robust(args, totals)
        run_init_signals(args, totals)
    if "swap" in layers:
        run_swap(args, totals)
    if "boot" in layers:
        run_boot_iso(args, totals)
        run_shell_session(args, totals)
        for mem in ("8M", "3G"):
            run_prompt_boot(args, totals, mem)
        run_swap_boots(args, totals)
        run_sysrq.run_sysrq(args, totals, save_log)
    if "gdb" in layers:
        run_gdb(args, totals)
    if "selftest" in layers:
        run_selftest(args, totals)
        run_qemu_run_checks(args, totals)
    if "trace" in layers:
        run_trace.run_trace(args, totals, save_log)
    if "labs" in layers:
        run_labs(args, totals)
    print("%d passed, %d failed, %d skipped" % (
        totals.passed, totals.failed, totals.skipped))
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
