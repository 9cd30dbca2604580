# tests/gdb/check_helpers.py - the GDB helpers of tools/gdb checked
# against what the kernel itself reports, in the same boot.
#
# Run by tests/gdb/helpers.sh through
#   make debug GDBSCRIPT=tests/gdb/check_helpers.py CMDLINE=init=/bin/gdbprobe
# (build/gdbinit has loaded the helpers and connected to QEMU). The first
# process is tests/gdb/gdbprobe.c, which builds pages of every kind,
# prints its /proc files and stops at a raw nanosleep. The checks:
#
#   at boot, after pmm_dump_stats():
#     pagoda-buddy         = the "free blocks per order" line it printed
#   at the probe's nanosleep (nothing changed since it printed):
#     pagoda-ps            = /proc/PID/status of both processes, and the
#                            lines of the ps the child ran
#     pagoda-vmas PID      = /proc/PID/maps, line for line
#     pagoda-ldt PID       = the LDT entries the probe wrote and read back
#                            with modify_ldt (raw words, base, limit); the
#                            child, forked before, has none
#     pagoda-gdt           = glibc's TLS entry as get_thread_area reads
#                            it; entry 10 describes the probe's LDT
#     pagoda-pt PID        = per region, Rss and Swap of /proc/PID/smaps;
#                            the probe's regions look as built (never
#                            touched, COW, broken COW, swap entries)
#     pagoda-pte VA [PID]  = the same entries as pagoda-pt
#     pagoda-page VA PID   = smaps' Rss, Pss, Shared/Private Clean/Dirty
#                            and Referenced of the probe's regions,
#                            recomputed from each page's refcount and PTE;
#                            map count = refcount (+1 for shm), the rmap
#                            invariant of mm/rmap.h
#     pagoda-buddy         = pmm_dump_stats(), called from GDB now
#     pagoda-slab          = kheap_dump_stats(), called from GDB now
#     pagoda-swap          = SwapTotal/SwapFree/SwapCached of meminfo,
#                            nr_swapcache of vmstat, VmSwap per process;
#                            slot references = swap PTEs + swap cache
#     pagoda-policy        = policy_* counters of /proc/vmstat; after
#                            vm_policy_set("aging") from GDB, every page
#                            on the aging list with the age of a new page
#   then pagoda-break-fault stops at the probe's demand-zero, COW and
#   swap-in faults with the right decoding, and after `finish` the pages
#   are as the kernel's fault handler leaves them; the demand-zero fault
#   runs to its end under pagoda-profile -d 1 instead of `finish`, whose
#   table must add up and leave the CPU where `finish` would.
#
# Lines start with "helpers-check:"; the last is "helpers-check: ok" or
# "helpers-check: FAIL <count> <first failure>".

import re

import gdb

import pagoda_gdb.session as session

failures = []


def say(msg):
    print("helpers-check: " + msg, flush=True)


def fail(msg):
    failures.append(msg)
    say("FAIL " + msg)


def same(what, got, want):
    """Records a failure unless got == want; returns whether equal."""
    if got != want:
        fail("%s: helper says %r, kernel says %r" % (what, got, want))
        return False
    return True


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def stage(name, fn, *args):
    """Runs one group of checks; an exception is a failure, not the end."""
    try:
        fn(*args)
        say("checked " + name)
    except (gdb.error, gdb.GdbError, AssertionError, KeyError, ValueError,
            IndexError, AttributeError, TypeError) as e:
        fail("%s: %s: %s" % (name, type(e).__name__, e))


# --- what the kernel printed -------------------------------------------------

def sections(text):
    """{path: text} of the probe's "=== PATH ===" ... "=== end ===" dumps."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^=== (\S+) ===\n(.*?)^=== end ===$", text, re.M | re.S)}


def probe_regions(text):
    return {m.group(1): (int(m.group(2), 16), int(m.group(3), 16))
            for m in re.finditer(r"^gdbprobe: region (\w+) 0x([0-9a-f]+) "
                                 r"0x([0-9a-f]+)$", text, re.M)}


def kv_numbers(section):
    """{"VmRSS": 956, ...} of a "Name:  value" or "name value" file."""
    out = {}
    for line in section.splitlines():
        m = re.match(r"^(\w+):?\s+(-?\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def smaps_entries(section):
    """{(start, end): {"Rss": kB, ...}} of an smaps file."""
    out = {}
    cur = None
    for line in section.splitlines():
        m = re.match(r"^([0-9a-f]{8})-([0-9a-f]{8}) ", line)
        if m:
            cur = out.setdefault((int(m.group(1), 16), int(m.group(2), 16)),
                                 {})
            continue
        m = re.match(r"^(\w+):\s+(\d+) kB$", line)
        if m and cur is not None:
            cur[m.group(1)] = int(m.group(2))
    return out


def buddy_line(text):
    """(free per order, cached per order) of the last line pmm printed."""
    lines = re.findall(r"free blocks per order:((?: \d+:\d+)+); "
                       r"cached:((?: \d+:\d+)+)", text)
    assert lines, "the kernel printed no 'free blocks per order' line"
    free, cached = lines[-1]

    def parse(s):
        return {int(o): int(n) for o, n in
                (p.split(":") for p in s.split())}
    return parse(free), parse(cached)


# --- what the helpers print --------------------------------------------------

def parse_buddy(out):
    rows = {}
    for m in re.finditer(r"^\s*(\d+)\s+\d+ [KM]iB\s+(\d+)\s+(\S+)\s+(\d+)$",
                         out, re.M):
        rows[int(m.group(1))] = (int(m.group(2)), None if m.group(3) == "-"
                                 else int(m.group(3)), int(m.group(4)))
    assert rows, "no rows in pagoda-buddy output"
    return rows


def compare_buddy(where):
    out = run("pagoda-buddy")
    assert "DIFFERENT" not in out and "!!" not in out, out
    rows = parse_buddy(out)
    free, cached = buddy_line(session.serial_text())
    same("%s: free blocks per order" % where,
         {o: r[0] for o, r in rows.items()}, free)
    same("%s: cached blocks per order" % where,
         {o: r[1] for o, r in rows.items() if r[1] is not None}, cached)


class Pt:
    """pagoda-pt output: regions and their runs of pages."""

    def __init__(self, out):
        self.regions = []   # (start, end, perms, kind, pages, present, swap)
        self.runs = []      # (start, end, what, flags)
        self.total = None
        for line in out.splitlines():
            m = re.match(r"^region ([0-9a-f]{8})-([0-9a-f]{8}) (\S+) .*  "
                         r"\((\w+), (\d+) pages?: (\d+) present, (\d+) in "
                         r"swap\)$", line)
            if m:
                self.regions.append((int(m.group(1), 16),
                                     int(m.group(2), 16), m.group(3),
                                     m.group(4), int(m.group(5)),
                                     int(m.group(6)), int(m.group(7))))
                continue
            m = re.match(r"^  ([0-9a-f]{8})-([0-9a-f]{8}) +\d+ pages? +"
                         r"(phys [0-9a-f-]+|swap slots? [0-9-]+|not present "
                         r"\(never touched\))\s*(.*)$", line)
            if m:
                self.runs.append((int(m.group(1), 16), int(m.group(2), 16),
                                  m.group(3), m.group(4).split()))
                continue
            if line.startswith("total:"):
                self.total = line
        assert self.regions and self.runs, "nothing parsed:\n" + out

    def run_at(self, va):
        for r in self.runs:
            if r[0] <= va < r[1]:
                return r
        raise AssertionError("no run covers 0x%08x" % va)

    def pages(self, start, end, kind):
        """[(va, frame address or slot, flags)] of every page of
        [start, end) whose run is of kind "phys" or "swap"."""
        out = []
        for s, e, what, flags in self.runs:
            if not what.startswith(kind) or e <= start or s >= end:
                continue
            first = int(re.findall(r"[0-9a-f]+", what.split(" ", 2)[-1])[0],
                        16 if kind == "phys" else 10)
            for va in range(max(s, start), min(e, end), 4096):
                step = (va - s) // 4096
                value = first + step * (4096 if kind == "phys" else 1)
                out.append((va, value, flags))
        return out


# --- the checks --------------------------------------------------------------

def check_help():
    for name in ("pagoda-pte", "pagoda-pt", "pagoda-vmas", "pagoda-ps",
                 "pagoda-page", "pagoda-buddy", "pagoda-slab", "pagoda-swap",
                 "pagoda-policy", "pagoda-break-fault", "pagoda-early",
                 "pagoda-bt", "pagoda-gdt", "pagoda-ldt", "pagoda-profile"):
        text = run("help " + name)
        assert "Usage:" in text and len(text.splitlines()) >= 4, \
            "help %s is too short: %r" % (name, text)


def check_ps(text, secs, child):
    out = run("pagoda-ps")
    rows = {}
    for m in re.finditer(r"^([* ])\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)"
                         r"\s+(\d+)\s+(\S+)", out, re.M):
        rows[int(m.group(2))] = m.groups()
    same("pagoda-ps: PIDs", sorted(rows), [1, child])
    same("pagoda-ps: current", [p for p, r in rows.items() if r[0] == "*"],
         [1])
    for pid in (1, child):
        st = secs["/proc/%d/status" % pid]
        nums = kv_numbers(st)
        name = re.search(r"^Name:\t(.*)$", st, re.M).group(1)
        state = re.search(r"^State:\t(\S)", st, re.M).group(1)
        _, _, ppid, stat, rss, vsz, swap, pname = rows[pid]
        same("pagoda-ps %d: name" % pid, pname, name)
        same("pagoda-ps %d: state" % pid, stat, state)
        same("pagoda-ps %d: parent" % pid, int(ppid), nums["PPid"])
        same("pagoda-ps %d: RSS" % pid, int(rss), nums["VmRSS"])
        same("pagoda-ps %d: VSZ" % pid, int(vsz), nums["VmSize"])
        same("pagoda-ps %d: swap" % pid, int(swap), nums["VmSwap"])
    # The ps program the child ran (before the parent read its files,
    # after the last change to either address space).
    m = re.search(r"^\s*PID\s+PPID\s+USER\s+STAT\s+RSS\s+VSZ\s+COMMAND\n"
                  r"((?:\s*\d+ .*\n)+)", text, re.M)
    assert m, "no ps output on the console"
    ps = {}
    for line in m.group(1).splitlines():
        f = line.split()  # PID PPID USER STAT RSS VSZ COMMAND
        ps[int(f[0])] = (int(f[1]), int(f[4]), int(f[5]),
                         f[6].rsplit("/", 1)[-1])
    for pid in (1, child):
        _, _, ppid, _, rss, vsz, _, pname = rows[pid]
        same("pagoda-ps %d vs ps" % pid, (int(ppid), int(rss), int(vsz),
                                          pname), ps[pid])


def check_ldt(text, child):
    """pagoda-ldt against the probe's "gdbprobe: ldt" lines; returns the
    address of the probe's descriptors."""
    out = run("pagoda-ldt 1")
    print(out)  # for the log
    head = re.search(r"LDT of (\d+) entries at 0x([0-9a-f]+) .*, (.*)$",
                     out, re.M)
    if not head:
        fail("pagoda-ldt 1: no header line: %r" % out[:200])
        return None
    same("pagoda-ldt 1: entries", int(head.group(1)), 4)
    same("pagoda-ldt 1: loaded", head.group(3), "in the LDTR now")
    for m in re.finditer(r"^gdbprobe: ldt (\d+) 0x(\w+) 0x(\w+) 0x(\w+) "
                         r"0x(\w+)$", text, re.M):
        e, base, limit, hi, lo = m.groups()
        e = int(e)
        want = "  %4d  0x%04x  0x%s_%s  base 0x%s limit 0x%s" % (
            e, e << 3 | 7, hi, lo, base, limit)
        if want not in out:
            fail("pagoda-ldt 1: no line %r in %r" % (want, out))
    same("pagoda-ldt 1: empty count", "1 of 4 entries empty" in out, True)
    same("pagoda-ldt child", "no LDT" in run("pagoda-ldt %d" % child), True)
    return int(head.group(2), 16)


def check_gdt(text, ldt_entries):
    out = run("pagoda-gdt")
    print(out)  # for the log
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(
        r"^\s+(\d+)  0x[0-9a-f]{4}  (.*)$", out, re.M)}
    same("pagoda-gdt: entries", sorted(rows), list(range(11)))
    m = re.search(r"^gdbprobe: tls (\d+) 0x(\w+) 0x(\w+) 0x(\w+)$", text,
                  re.M)
    entry, base, limit, flags = int(m.group(1)), m.group(2), m.group(3), \
        int(m.group(4), 16)
    tls = rows.get(entry, "")
    same("pagoda-gdt: TLS entry %d base and limit" % entry,
         "base 0x%s limit 0x%s" % (base, limit) in tls, True)
    same("pagoda-gdt: TLS entry granularity",
         "4 KiB units" in tls, bool(flags & 0x10))
    same("pagoda-gdt: TLS entry AVL", " AVL" in tls, bool(flags & 0x40))
    same("pagoda-gdt: TLS entry type", "data, expand-up, writable" in tls,
         True)
    ldt = rows.get(10, "")
    if ldt_entries is not None:
        same("pagoda-gdt: LDT descriptor",
             "base 0x%08x limit 0x0001f (bytes" % ldt_entries in ldt and
             " LDT " in ldt, True)
    same("pagoda-gdt: user code", "code, non-conforming, readable" in
         rows.get(3, "") and "DPL 3" in rows.get(3, ""), True)
    same("pagoda-gdt: kernel data", "DPL 0" in rows.get(2, ""), True)
    same("pagoda-gdt: LDTR", "4 entries" in out.splitlines()[-1], True)


def check_vmas(secs, pid):
    out = run("pagoda-vmas %d" % pid).splitlines()
    assert out[0].startswith("pid %d (gdbprobe): " % pid), out[0]
    want = secs["/proc/%d/maps" % pid].splitlines()
    if out[1:] != want:
        diff = [(g, w) for g, w in zip(out[1:], want) if g != w]
        fail("pagoda-vmas %d differs from /proc/%d/maps: %d vs %d lines, "
             "first difference %r" % (pid, pid, len(out) - 1, len(want),
                                      diff[0] if diff else None))


def check_pt(secs, pid, regs):
    """pagoda-pt against smaps; the probe's regions as built."""
    pt = Pt(run("pagoda-pt %d" % pid))
    assert "DIFFERENT" not in pt.total and "outside" not in str(pt.runs), \
        pt.total
    smaps = smaps_entries(secs["/proc/%d/smaps" % pid])
    same("pagoda-pt %d: regions" % pid, [(r[0], r[1]) for r in pt.regions],
         sorted(smaps))
    for start, end, _, _, pages, present, swap in pt.regions:
        e = smaps[(start, end)]
        same("pagoda-pt %d %08x: present kB" % (pid, start), present * 4,
             e["Rss"])
        same("pagoda-pt %d %08x: swap kB" % (pid, start), swap * 4,
             e["Swap"])
        covered = sum(r[1] - r[0] for r in pt.runs
                      if start <= r[0] < end) // 4096
        same("pagoda-pt %d %08x: pages in lines" % (pid, start), covered,
             pages)

    def flags(va):
        return pt.run_at(va)[3]

    def what(va):
        return pt.run_at(va)[2]

    for name in ("fresh", "noaccess"):
        s, e = regs[name]
        same("pagoda-pt %d: %s never touched" % (pid, name),
             {what(va) for va in range(s, e, 4096)},
             {"not present (never touched)"})
    for va in range(*regs["cow"], 4096):
        same("pagoda-pt %d: cow page %08x flags" % (pid, va),
             ("COW" in flags(va), "W" in flags(va)), (True, False))
    broken = regs["broken"][0]
    want = (False, True) if pid == 1 else (True, False)
    same("pagoda-pt %d: broken page 0 (COW, W)" % pid,
         ("COW" in flags(broken), "W" in flags(broken)), want)
    swapin = regs["swapin"][0]
    same("pagoda-pt %d: page read back from swap (present, COW, W)" % pid,
         (what(swapin).startswith("phys"), "COW" in flags(swapin),
          "W" in flags(swapin)), (True, True, False))
    swapped = pt.pages(*regs["swapped"], "swap")
    assert swapped, "no swap entries in the swapped region"
    return pt, swapped


def pte_of(out):
    m = re.search(r"^PTE   at 0x[0-9a-f]+ = 0x([0-9a-f]+)", out, re.M)
    assert m, out
    return int(m.group(1), 16)


def check_pte(pt, regs, swapped):
    va = regs["cow"][0]
    with_pid = run("pagoda-pte 0x%x 1" % va)
    without = run("pagoda-pte 0x%x" % va)
    pte = pte_of(with_pid)
    same("pagoda-pte with and without PID", pte_of(without), pte)
    _, frame, flags = pt.pages(va, va + 4096, "phys")[0]
    same("pagoda-pte vs pagoda-pt: frame", pte & 0xFFFFF000, frame)
    names = [n for b, n in ((0, "P"), (1, "W"), (2, "U"), (5, "A"),
                            (6, "D"), (9, "COW")) if pte & (1 << b)]
    same("pagoda-pte vs pagoda-pt: flags", names, flags)
    assert re.search(r"^region bf[0-9a-f]{6}-", with_pid, re.M), with_pid
    va, slot, _ = swapped[0]
    out = run("pagoda-pte 0x%x 1" % va)
    m = re.search(r"swap entry: slot (\d+)", out)
    same("pagoda-pte swap slot", int(m.group(1)) if m else None, slot)


def parse_page(out, pid, va):
    """(refcount, mappings, PTE flags of (pid, va), other text) of
    pagoda-page output."""
    refcount = int(re.search(r"^refcount  (-?\d+)$", out, re.M).group(1))
    mappings = int(re.search(r"^mappings  (\d+) ", out, re.M).group(1))
    m = re.search(r"^  pid %d \(gdbprobe\)\s+va 0x%08x  PTE 0x[0-9a-f]+ "
                  r"(.*?)  " % (pid, va), out, re.M)
    assert m, "no mapping of pid %d at 0x%08x in:\n%s" % (pid, va, out)
    return refcount, mappings, m.group(1).split()


def check_pages_vs_smaps(secs, pid, pt, regs):
    """Each present page of the probe's anonymous and shared regions
    through pagoda-page, added up as smaps does (mm/mm.c, smaps_pte)."""
    smaps = smaps_entries(secs["/proc/%d/smaps" % pid])
    lo = min(s for s, _ in regs.values())
    for start, end, perms, kind, _, _, _ in pt.regions:
        if end <= lo or start >= 0xC0000000 - 0x100000:
            continue  # the program's file and the stack change meanwhile
        acc = dict(Rss=0, Shared_Clean=0, Shared_Dirty=0, Private_Clean=0,
                   Private_Dirty=0, Referenced=0)
        pss_x4096 = 0
        for va, _, _ in pt.pages(start, end, "phys"):
            out = run("pagoda-page -v 0x%x %d" % (va, pid))
            refcount, mappings, flags = parse_page(out, pid, va)
            shm = kind == "shm"
            same("pagoda-page %d %08x: mappings vs refcount" % (pid, va),
                 mappings, refcount - 1 if shm else refcount)
            users = refcount if refcount > 1 else 1
            acc["Rss"] += 4
            pss_x4096 += 4 * 4096 // users
            if "A" in flags:
                acc["Referenced"] += 4
            dirty = "D" in flags
            key = ("Shared_" if users > 1 else "Private_") + \
                ("Dirty" if dirty else "Clean")
            acc[key] += 4
        acc["Pss"] = pss_x4096 // 4096
        e = smaps[(start, end)]
        same("pagoda-page sums for pid %d %08x-%08x" % (pid, start, end),
             acc, {key: e[key] for key in acc})


def check_page_details(regs, child, swapped):
    va = regs["cow"][0]
    out = run("pagoda-page -v 0x%x 1" % va)
    refcount, mappings, _ = parse_page(out, 1, va)
    same("pagoda-page cow page: refcount, mappings", (refcount, mappings),
         (2, 2))
    parse_page(out, child, va)
    assert "policy    clock: position" in out, out
    assert re.search(r"^flags     0x[0-9a-f]{8}: USER HEAD, tracked by the "
                     r"policy$", out, re.M), out
    out = run("pagoda-page -v 0x%x 1" % regs["swapin"][0])
    m = re.search(r"in the swap cache: slot (\d+)", out)
    assert m, out
    cached_slot = int(m.group(1))
    cached_frame = int(re.search(r"^frame 0x([0-9a-f]+)", out, re.M)
                       .group(1), 16)
    out = run("pagoda-page -v 0x%x 1" % regs["shared"][0])
    assert re.search(r"^flags .*\bSHM\b", out, re.M), out
    assert "page 0 of shm object" in out, out
    va, slot, _ = swapped[0]
    out = run("pagoda-page -v 0x%x 1" % va)
    assert "is in swap: PTE 0x%08x, slot %d" % ((slot << 12) | 2, slot) \
        in out, out
    # A free block, and a frame inside it.
    blocks = re.search(r"^order 10 free: ([0-9a-f]+)-", run(
        "pagoda-buddy -v 10"), re.M)
    pfn = int(blocks.group(1), 16)
    assert "free: first frame of a block of order 10" in run(
        "pagoda-page -f 0x%x" % pfn)
    assert "frame 1 of a free block of order 10 starting at frame " \
        "0x%05x" % pfn in run("pagoda-page 0x%x" % (pfn + 1))
    # A slab: the proc cache holds the two processes (in one slab or in
    # several, with empty ones kept, depending on the size of a proc).
    slabs = [(int(m.group(1), 16), int(m.group(2))) for m in re.finditer(
        r"slab at frame 0x([0-9a-f]+): (\d+) in use", run("pagoda-slab proc"))]
    same("processes in the proc cache's slabs",
         sum(n for _, n in slabs), 2)
    frame, used = next((f, n) for f, n in slabs if n)
    out = run("pagoda-page -f 0x%x" % frame)
    assert "slab of cache proc: %d of" % used in out, out
    return cached_slot, cached_frame


def check_slab():
    out = run("pagoda-slab")
    dump = session.call_and_capture("kheap_dump_stats()")
    kernel = {}
    for m in re.finditer(r"^kheap: (\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                         r"(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", dump, re.M):
        kernel[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    helper = {}
    for m in re.finditer(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                         r"(\d+) \d+/\d+/\d+\s+(\d+)\s+(\d+)", out, re.M):
        helper[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    assert kernel, "kheap_dump_stats printed nothing:\n" + dump
    same("pagoda-slab caches", helper, kernel)
    total = re.search(r"^kheap: (\d+ pages held \(peak \d+\), \d+ large "
                      r"blocks in \d+ pages, \d+ caches)", dump, re.M)
    assert total and ("heap: " + total.group(1)) in out, (dump, out)


def check_swap(secs, child, cached_slot, cached_frame):
    out = run("pagoda-swap -v")
    m = re.search(r"(\d+) usable slots \(\d+ KiB\), (\d+) in use, (\d+) free",
                  out)
    usable, used, free = (int(x) for x in m.groups())
    meminfo = kv_numbers(secs["/proc/meminfo"])
    vmstat = kv_numbers(secs["/proc/vmstat"])
    same("pagoda-swap: SwapTotal kB", usable * 4, meminfo["SwapTotal"])
    same("pagoda-swap: SwapFree kB", free * 4, meminfo["SwapFree"])
    cache = re.findall(r"^  slot (\d+)\s+frame 0x([0-9a-f]+)", out, re.M)
    n = int(re.search(r"^swap cache: (\d+) page", out, re.M).group(1))
    same("pagoda-swap: swap cache pages", n, vmstat["nr_swapcache"])
    same("pagoda-swap: SwapCached kB", n * 4, meminfo["SwapCached"])
    same("pagoda-swap: the probe's cached page",
         (cached_slot, cached_frame) in
         [(int(s), int(f, 16)) for s, f in cache], True)
    entries = re.findall(r"^  pid (\d+)\s+0x[0-9a-f]+  slot (\d+)$", out,
                         re.M)
    for pid in (1, child):
        same("pagoda-swap: swap entries of %d (kB)" % pid,
             4 * sum(1 for p, _ in entries if int(p) == pid),
             kv_numbers(secs["/proc/%d/status" % pid])["VmSwap"])
    # Every reference of a slot is a swap PTE or the swap cache's.
    want = {}
    for _, slot in entries:
        want[int(slot)] = want.get(int(slot), 0) + 1
    for slot, _ in cache:
        want[int(slot)] = want.get(int(slot), 0) + 1
    got = {}
    for m in re.finditer(r"^  (\d+)(?:-(\d+))?\s+(\d+)", out, re.M):
        for slot in range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1):
            got[slot] = int(m.group(3))
    same("pagoda-swap: references per slot", got, want)
    same("pagoda-swap: slots in use", len(got), used)


def check_policy(secs):
    out = run("pagoda-policy -a")
    vmstat = kv_numbers(secs["/proc/vmstat"])
    name = re.search(r"^active policy: (\w+)", out, re.M).group(1)
    same("pagoda-policy: active", vmstat["policy_%s_active" % name], 1)
    tracked = int(re.search(r"^tracked (\d+);", out, re.M).group(1))
    same("pagoda-policy: tracked", tracked, vmstat["policy_%s_tracked" % name])
    shown = re.search(r"^(\d+) of (\d+) pages shown", out, re.M)
    same("pagoda-policy: rows", (int(shown.group(1)), int(shown.group(2))),
         (tracked, tracked))
    rows = re.findall(r"^\s*\d+  [0-9a-f]{5}    [A-]", out, re.M)
    same("pagoda-policy: rows printed", len(rows), tracked)
    others = dict((n, int(c)) for n, c in re.findall(
        r"(\w+) (\d+)", re.search(r"^other policies, pages tracked: (.*)$",
                                  out, re.M).group(1)))
    same("pagoda-policy: other policies",
         others, {n: vmstat["policy_%s_tracked" % n] for n in others})


def check_aging(regs):
    """Switches the policy to aging as /proc/sys/vm/policy would
    (vm_policy_set), which moves every page over with the age a new page
    gets, AGING_USED (mm/policy_aging.c)."""
    before = int(re.search(r"^tracked (\d+);", run("pagoda-policy"),
                           re.M).group(1))
    status = int(gdb.parse_and_eval("vm_policy_set(vm_policy_aging.name)"))
    assert status == 0, "vm_policy_set returned %d" % status
    out = run("pagoda-policy -a")
    assert out.startswith("active policy: aging - "), out
    ages = re.findall(r"^\s*\d+  [0-9a-f]{5}    [A-]  ([01]{8})  ", out, re.M)
    same("pagoda-policy aging: ages", (len(ages), set(ages)),
         (before, {"10000000"}))
    assert "other policies, pages tracked: clock 0, fifo 0, random 0" in out
    out = run("pagoda-page -v 0x%x 1" % regs["cow"][0])
    assert re.search(r"^policy    aging: position \d+ of %d from the front "
                     r"\(0 = oldest\), age 0x80 \(10000000\);" % before, out,
                     re.M), out


def check_errors():
    try:
        run("pagoda-vmas 99")
    except gdb.error as e:
        assert "no process with PID 99" in str(e), str(e)
    else:
        raise AssertionError("pagoda-vmas 99 did not fail")


def profile_to_return():
    """Runs the rest of mm_fault under pagoda-profile -d 1 and checks the
    table: rows that add up to the total, fault_in among them, and the CPU
    back in the caller with MM_FAULT_OK (0) in EAX, as `finish` leaves it."""
    out = run("pagoda-profile -d 1")
    rows = dict((m.group(1), int(m.group(2))) for m in
                re.finditer(r"^(\S+)\s+(\d+)\s*$", out, re.M))
    total = rows.pop("total", None)
    assert total and total == sum(rows.values()), \
        "pagoda-profile rows do not add up:\n%s" % out
    assert rows.get("fault_in", 0) > 0, "no fault_in row:\n%s" % out
    frame = gdb.selected_frame()
    assert frame.name() != "mm_fault", "still in mm_fault after the profile"
    assert int(gdb.parse_and_eval("$eax")) == 0, \
        "mm_fault returned %d" % int(gdb.parse_and_eval("$eax"))
    say("pagoda-profile: mm_fault of a demand-zero fault took %d "
        "instructions, fault_in %d" % (total, rows["fault_in"]))


def fault_stop(pid, va, error, reason, profile=False):
    """Sets pagoda-break-fault, continues to it, checks the report, then
    runs the fault to its end (under pagoda-profile if asked). Returns the
    report."""
    run("pagoda-break-fault %d 0x%x" % (pid, va))
    out = run("continue")
    head = "page fault: pid %d (gdbprobe) at 0x%08x, error 0x%x" % (
        pid, va, error)
    assert head in out, "expected %r in:\n%s" % (head, out)
    assert re.search(reason, out), "expected /%s/ in:\n%s" % (reason, out)
    frame = gdb.selected_frame()
    assert frame.name() == "mm_fault", frame.name()
    if profile:
        profile_to_return()
        return out
    # `finish` prints the returned value outside what to_string captures;
    # GDB keeps it as the newest value of its history.
    run("finish")
    result = str(gdb.history(0))
    assert result == "MM_FAULT_OK", "mm_fault returned %s" % result
    return out


def check_faults(regs, child, swapped, pt1):
    va = regs["fresh"][0]
    fault_stop(1, va, 0x6, r"=> demand-zero in bf", profile=True)
    out = run("pagoda-page -v 0x%x 1" % va)
    same("after demand-zero: refcount, mappings", parse_page(out, 1, va)[:2],
         (1, 1))
    assert " W " in " %s " % " ".join(parse_page(out, 1, va)[2])

    va = regs["cow"][0] + 4096
    before = pt1.pages(va, va + 4096, "phys")[0][1]
    fault_stop(1, va, 0x7, r"=> copy-on-write in bf.*shared \(refcount 2\), "
               r"the writer gets a copy")
    out = run("pagoda-page -v 0x%x 1" % va)
    refcount, mappings, flags = parse_page(out, 1, va)
    same("after COW copy: pid 1 page", (refcount, mappings, "W" in flags,
                                        "COW" in flags), (1, 1, True, False))
    after = re.search(r"^frame 0x([0-9a-f]+)", out, re.M).group(1)
    assert int(after, 16) << 12 != before, "the writer kept the frame"
    out = run("pagoda-page -v 0x%x %d" % (va, child))
    same("after COW copy: the child's page (refcount, mappings)",
         parse_page(out, child, va)[:2], (1, 1))

    # The probe reads the swapped pages in address order: stopping at the
    # last one means passing the faults of the others. A breakpoint for
    # the child, which makes no fault, must not stop at the parent's.
    run("pagoda-break-fault %d" % child)
    va, slot, _ = swapped[-1]
    fault_stop(1, va, 0x4, r"=> swap-in of slot %d in bf.*read from the "
               r"swap device" % slot)
    out = run("pagoda-page -v 0x%x 1" % va)
    assert "in the swap cache: slot %d" % slot in out, out
    flags = parse_page(out, 1, va)[2]
    same("after swap-in (COW, W)", ("COW" in flags, "W" in flags),
         (True, False))


def check_end():
    run("delete")
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        pass  # QEMU ends with the kernel: the connection closes
    text = session.serial_text()
    assert "gdbprobe: done" in text, "the probe did not finish"
    assert "KERNEL PANIC" not in text and "gdbprobe: FAIL" not in text, \
        text[-2000:]


def main():
    run("set pagination off")
    stage("help texts", check_help)

    # Boot: the allocator right after it printed its free lists.
    bp = gdb.Breakpoint("pmm_dump_stats")
    run("continue")
    bp.delete()
    run("finish")
    stage("pagoda-buddy at boot", compare_buddy, "boot")

    bp = gdb.Breakpoint("sys_nanosleep")
    run("continue")
    bp.delete()
    assert int(gdb.parse_and_eval("current->pid")) == 1, "not the probe"
    text = session.serial_text()
    secs = sections(text)
    regs = probe_regions(text)
    child = int(re.search(r"^gdbprobe: child (\d+)$", text, re.M).group(1))
    say("stopped in the probe's nanosleep; regions %s" % sorted(regs))

    stage("pagoda-ps", check_ps, text, secs, child)
    ldt = {}
    stage("pagoda-ldt", lambda: ldt.update(entries=check_ldt(text, child)))
    stage("pagoda-gdt", check_gdt, text, ldt.get("entries"))
    results = {}
    for pid in (1, child):
        stage("pagoda-vmas %d" % pid, check_vmas, secs, pid)
        stage("pagoda-pt %d" % pid,
              lambda p: results.__setitem__(p, check_pt(secs, p, regs)), pid)
    pt1, swapped = results[1]
    stage("pagoda-pte", check_pte, pt1, regs, swapped)
    for pid in (1, child):
        stage("pagoda-page vs smaps %d" % pid, check_pages_vs_smaps, secs,
              pid, results[pid][0], regs)
    details = {}
    stage("pagoda-page details", lambda: details.update(
        zip(("slot", "frame"), check_page_details(regs, child, swapped))))
    stage("pagoda-buddy now", lambda: (session.call_and_capture(
        "pmm_dump_stats()"), compare_buddy("now")))
    stage("pagoda-slab", check_slab)
    stage("pagoda-swap", check_swap, secs, child, details.get("slot"),
          details.get("frame"))
    stage("pagoda-policy", check_policy, secs)
    stage("pagoda-policy aging", check_aging, regs)
    stage("errors", check_errors)
    stage("pagoda-break-fault", check_faults, regs, child, swapped, pt1)
    stage("end of the run", check_end)


try:
    main()
except Exception as e:  # an error outside the stages ends the run
    fail("%s: %s" % (type(e).__name__, e))
if failures:
    say("FAIL %d: %s" % (len(failures), failures[0]))
else:
    say("ok")
