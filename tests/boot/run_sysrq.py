"""SysRq over the serial console, for the boot layer of tests/run.py.

Boots the kernel with /bin/minish (the small shell) as init and the serial port on QEMU's mux
console (-serial mon:stdio), where Ctrl-A b sends a BREAK, and checks:

  - a BREAK then t lists the processes: minish as PID 1, sleeping, with the
    resident size ps gives (VmRSS of /proc/1/status, in KiB);
  - Ctrl-O then m (the fallback) prints the frame summary, whose managed
    frames are free's total (MemTotal of /proc/meminfo);
  - BREAK v lists the regions of minish, the ranges pmap 1 gives;
  - BREAK p prints minish's page tables, whose present pages add up to the
    rss in its header;
  - BREAK b, s, w print the buddy, slab and swap dumps; an unknown letter
    prints the help;
  - the shell never saw any of it: a command typed afterwards runs, and no
    letter reached it as input.
"""
import os
import re
import select
import subprocess
import time

QEMU = os.environ.get("QEMU", "qemu-system-i386")
BREAK = b"\x01b"     # QEMU's mux console: Ctrl-A b sends a BREAK
SYSRQ_KEY = b"\x0f"  # Ctrl-O, kernel/sysrq.h


class Console:
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.out = b""

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.p.stdout], [], [], 0.1)
            if r:
                chunk = self.p.stdout.read()
                if chunk:
                    self.out += chunk
                elif self.p.poll() is not None:
                    return

    def wait_for(self, pattern, start, seconds=15):
        end = time.time() + seconds
        while time.time() < end:
            m = re.search(pattern, self.out[start:])
            if m:
                return m
            self.pump(0.2)
            if self.p.poll() is not None:
                break
        return None

    def send(self, data):
        start = len(self.out)
        self.p.stdin.write(data)
        self.p.stdin.flush()
        return start

    def close(self):
        if self.p.poll() is None:
            try:
                self.send(b"\x01x")  # QEMU: Ctrl-A x quits
                self.p.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()


def section(c, start, end_pattern=rb"pagoda\$ |\nsysrq: "):
    """The text printed from start to the next prompt or SysRq header."""
    text = c.out[start:]
    first = text.find(b"sysrq: ")
    m = re.search(end_pattern, text[first + 7:]) if first >= 0 else None
    if first < 0:
        return ""
    stop = first + 7 + m.start() if m else len(text)
    return text[first:stop].decode("utf-8", "replace").replace("\r", "")


def sysrq(c, keys, name):
    """Sends keys; returns the command's output once it has printed."""
    start = c.send(keys)
    if not c.wait_for(b"sysrq: " + name.encode(), start):
        return None
    c.pump(1.0)
    return section(c, start)


def shell(c, command):
    start = c.send(command.encode() + b"\n")
    c.wait_for(rb"pagoda\$ ", start + len(command) + 1)
    return c.out[start:].decode("utf-8", "replace").replace("\r", "")


def run_checks(c):
    """Yields (ok, name, why) for each check."""
    if not c.wait_for(rb"pagoda\$ ", 0, 30):
        yield False, "prompt", "no shell prompt"
        return
    # The shell's own programs read /proc: ps (VmRSS of /proc/1/status),
    # free (MemTotal of /proc/meminfo), pmap (/proc/1/maps). ps runs twice
    # so that whatever the shell touches after its first child is in.
    shell(c, "ps")
    out = shell(c, "ps")
    m = re.search(r"^\s+1\s+0\s+root\s+S\s+(\d+)\s", out, re.M)
    rss_kb = int(m.group(1)) if m else -1
    out = shell(c, "free")
    m = re.search(r"^Mem:\s+(\d+)", out, re.M)
    total_kb = int(m.group(1)) if m else -1
    out = shell(c, "pmap 1")
    ranges = [("%08x" % int(a, 16), "%08x" % (int(a, 16) + int(kb) * 1024))
              for a, kb in re.findall(r"^([0-9a-f]{8})\s+(\d+)\s", out,
                                      re.M)]

    out = sysrq(c, BREAK + b"t", "show-tasks")
    m = out and re.search(r"^\s+1\s+0\s+S \(sleeping\)\s+(\d+)\s+0 minish$", out,
                          re.M)
    yield (m is not None and int(m.group(1)) * 4 == rss_kb,
           "BREAK t: minish as PID 1 with its VmRSS",
           "VmRSS %d kB; got %r" % (rss_kb, out))

    out = sysrq(c, SYSRQ_KEY + b"m", "show-memory")
    m = out and re.search(r"frames: (\d+) managed, (\d+) free", out)
    yield (m is not None and int(m.group(1)) * 4 == total_kb,
           "Ctrl-O m: managed frames are MemTotal",
           "MemTotal %d kB; got %r" % (total_kb, out))

    out = sysrq(c, BREAK + b"v", "show-regions")
    got = re.findall(r"^([0-9a-f]{8})-([0-9a-f]{8}) ", out or "", re.M)
    yield (got == ranges and len(got) > 3,
           "BREAK v: the regions pmap shows",
           "maps %r; got %r" % (ranges, got))

    out = sysrq(c, BREAK + b"p", "show-page-tables")
    m = out and re.search(r"rss (\d+), swap (\d+)", out)
    present = sum(int(n) for n in re.findall(
        r"^  [0-9a-f]{8}-[0-9a-f]{8}\s+(\d+) pages?\s+phys", out or "", re.M))
    yield (m is not None and int(m.group(1)) == present and present > 0 and
           "/bin/minish" in out and "[stack]" in out,
           "BREAK p: present pages add up to the rss",
           "present %d; got %r" % (present, (out or "")[:400]))

    for key, name, word in ((b"b", "show-buddy", "free"),
                            (b"s", "show-slab", "kheap:"),
                            (b"w", "show-swap", "swap:")):
        out = sysrq(c, BREAK + key, name)
        yield (out is not None and word in out,
               "BREAK %s: %s" % (key.decode(), name), repr(out)[:300])

    out = sysrq(c, BREAK + b"z", "BREAK")
    yield (out is not None and "t(show-tasks)" in out,
           "an unknown letter prints the help", repr(out)[:300])

    after = shell(c, "echo after-sysrq")
    yield ("\nafter-sysrq\n" in after and "not found" not in
           c.out.decode("utf-8", "replace"),
           "the shell saw none of the SysRq keys", after[-300:])


def run_sysrq(args, totals, save_log):
    cmd = [QEMU, "-m", "128M", "-no-reboot", "-display", "none",
           "-serial", "mon:stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", args.kernel, "-initrd", args.initrd,
           "-append", "init=/bin/minish loglevel=4"]  # the small shell: its prompt
    c = Console(cmd)
    results = []
    try:
        results = list(run_checks(c))
    finally:
        c.close()
    text = c.out.decode("utf-8", "replace")
    npass = sum(1 for ok, _, _ in results if ok)
    nfail = len(results) - npass
    ok = nfail == 0 and npass > 0 and "KERNEL PANIC" not in text
    detail = "%d passed, %d failed" % (npass, nfail)
    if not ok:
        failing = ["%s: %s" % (name, why) for good, name, why in results
                   if not good]
        log = save_log(args.logdir, "boot sysrq",
                       text + "\n\n" + "\n".join(failing))
        detail += " [%s] (log: %s)" % (
            ", ".join(name for good, name, _ in results if not good)[:200],
            log)
    totals.suite(ok, "boot sysrq (BREAK and Ctrl-O on the serial console)",
                 detail, npass, nfail)
