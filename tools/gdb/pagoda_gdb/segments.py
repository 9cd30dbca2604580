# tools/gdb/pagoda_gdb/segments.py - segment descriptors:
#
#   pagoda-gdt          the global descriptor table, decoded
#   pagoda-ldt [PID]    a process's local descriptor table (modify_ldt)
#
# The GDT is the array `gdt` of kernel/arch/gdt.c (its layout is in
# kernel/arch/gdt.h); a process's LDT is mm->ldt, a struct ldt of
# kernel/arch/ldt.h (a count, then the descriptors). A descriptor is
# decoded as Intel SDM vol. 3A, 3.4.5 (figure 3-8) lays it out: base and
# limit in pieces, the type (table 3-1 for code and data, table 3-2 for
# system segments), S, DPL, P, AVL, D/B and G.

import struct

import gdb

from . import kernel as k

# Names of the GDT entries (kernel/arch/gdt.h).
GDT_NAMES = {0: "null", 1: "kernel code", 2: "kernel data", 3: "user code",
             4: "user data", 5: "TSS", 6: "TLS 0", 7: "TLS 1", 8: "TLS 2",
             9: "double-fault TSS", 10: "LDT of the running process"}

# System-segment and gate types (SDM vol. 3A, 3.5, table 3-2).
SYSTEM_TYPES = {1: "16-bit TSS (available)", 2: "LDT",
                3: "16-bit TSS (busy)", 4: "16-bit call gate",
                5: "task gate", 6: "16-bit interrupt gate",
                7: "16-bit trap gate", 9: "32-bit TSS (available)",
                11: "32-bit TSS (busy)", 12: "32-bit call gate",
                14: "32-bit interrupt gate", 15: "32-bit trap gate"}


def decode(lo, hi):
    """The fields of the descriptor (lo, hi) as a dict."""
    limit = (lo & 0xFFFF) | (hi & 0xF0000)
    g = bool(hi >> 23 & 1)
    return {
        "lo": lo, "hi": hi,
        "base": (lo >> 16) | (hi & 0xFF) << 16 | (hi & 0xFF000000),
        "limit": limit,
        "g": g,
        "last": (limit << 12 | 0xFFF) if g else limit,
        "type": hi >> 8 & 0xF,
        "s": bool(hi >> 12 & 1),
        "dpl": hi >> 13 & 3,
        "p": bool(hi >> 15 & 1),
        "avl": bool(hi >> 20 & 1),
        "db": bool(hi >> 22 & 1),
    }


def type_text(d):
    """The type field in words."""
    t = d["type"]
    if not d["s"]:
        return SYSTEM_TYPES.get(t, "reserved system type %d" % t)
    if t & 8:
        words = ["code", "conforming" if t & 4 else "non-conforming",
                 "readable" if t & 2 else "execute-only"]
    else:
        words = ["data", "expand-down" if t & 4 else "expand-up",
                 "writable" if t & 2 else "read-only"]
    if t & 1:
        words.append("accessed")
    return ", ".join(words)


def describe(lo, hi):
    """One line for a descriptor: raw words, then its fields."""
    raw = "0x%08x_%08x" % (hi, lo)
    if lo == 0 and hi == 0:
        return "%s  (empty: no segment)" % raw
    d = decode(lo, hi)
    size = "32-bit" if d["db"] else "16-bit"
    gran = "4 KiB units" if d["g"] else "bytes"
    # Valid offsets (SDM vol. 3A, 5.3): 0..last, or for an expand-down
    # data segment last+1 up to 0xFFFF (16-bit) or 0xFFFFFFFF (32-bit).
    if d["s"] and not d["type"] & 8 and d["type"] & 4:
        top = 0xFFFFFFFF if d["db"] else 0xFFFF
        valid = "valid 0x%08x-0x%08x" % (min(d["last"] + 1, top), top)
    else:
        valid = "last 0x%08x" % d["last"]
    line = ("%s  base 0x%08x limit 0x%05x (%s, %s)  %s  DPL %d "
            "%s%s %s"
            % (raw, d["base"], d["limit"], gran, valid, type_text(d),
               d["dpl"], "P" if d["p"] else "not present",
               " AVL" if d["avl"] else "", size if d["s"] else ""))
    return line.rstrip()


def read_descriptors(addr, count):
    """[(lo, hi)] of count descriptors at addr."""
    if count == 0:
        return []
    data = gdb.selected_inferior().read_memory(addr, 8 * count).tobytes()
    words = struct.unpack("<%dI" % (2 * count), data)
    return [(words[2 * i], words[2 * i + 1]) for i in range(count)]


def selector(index, ldt):
    """The selector of an entry with RPL 3 for the LDT and user entries."""
    if ldt:
        return index << 3 | 4 | 3
    return index << 3 | (3 if index in (3, 4, 6, 7, 8) else 0)


class PagodaGdt(k.Command):
    """Decode the global descriptor table.
Usage: pagoda-gdt

Prints every entry of the GDT (`gdt` in kernel/arch/gdt.c): its index, the
selector that names it (RPL 3 for the entries user mode uses), the two raw
words (high_low), and the fields of Intel SDM vol. 3A, 3.4.5: base, limit
(with G, in bytes or 4 KiB units, and the last valid offset), type (code or
data: table 3-1; system: table 3-2), DPL, present, AVL and D/B. Entries 6-8
hold the TLS segments of the running process (set_thread_area), entry 10
the descriptor of its LDT, if it has one (modify_ldt; pagoda-ldt decodes
the LDT itself). The last line says what the LDTR holds."""

    def __init__(self):
        super().__init__("pagoda-gdt")

    def run(self, arg):
        if arg.strip():
            raise gdb.GdbError("usage: pagoda-gdt")
        gdt = k.variable("gdt", "kernel/arch/gdt.c")
        count = gdt.type.sizeof // 8
        addr = k.u32(gdt.address)
        print("GDT at 0x%08x, %d entries (kernel/arch/gdt.c)" % (addr, count))
        for i, (lo, hi) in enumerate(read_descriptors(addr, count)):
            print("  %2d  0x%04x  %-26s %s"
                  % (i, selector(i, False), GDT_NAMES.get(i, ""),
                     describe(lo, hi)))
        loaded = k.u32(k.variable("loaded_ldt", "kernel/arch/ldt.c"))
        n = k.u32(k.variable("loaded_entries", "kernel/arch/ldt.c"))
        if loaded:
            print("LDTR: selector 0x0050 (entry 10), struct ldt 0x%08x, "
                  "%d entries" % (loaded, n))
        else:
            print("LDTR: null (the running process has no LDT)")


class PagodaLdt(k.Command):
    """Decode a process's local descriptor table.
Usage: pagoda-ldt [PID]

Prints the LDT of process PID (default: the current process), the table
modify_ldt builds (kernel/arch/ldt.c; mm->ldt, a struct ldt): its size and
address, whether it is the one loaded in the LDTR now, then every entry
with its selector (TI = 1, RPL 3), the two raw words (high_low) and the
fields of Intel SDM vol. 3A, 3.4.5, as pagoda-gdt prints them. Empty
entries (all zero: no segment) are counted, not listed. modify_ldt(0, ...)
reads the same bytes from user space."""

    def __init__(self):
        super().__init__("pagoda-ldt")

    def run(self, arg):
        args = k.split_args(arg)
        if len(args) > 1 or any(a.startswith("-") for a in args):
            raise gdb.GdbError("usage: pagoda-ldt [PID]")
        proc = k.process_arg(args[0] if args else None)
        mm = k.process_mm(proc)
        head = "pid %d (%s)" % (int(proc["pid"]), k.proc_name(proc))
        ldt = mm["ldt"]
        if k.u32(ldt) == 0:
            print("%s: no LDT (it never called modify_ldt to write one)"
                  % head)
            return
        ldt = ldt.dereference()
        n = k.u32(ldt["nr_entries"])
        entries = k.u32(ldt["entries"].address)
        loaded = k.u32(k.variable("loaded_ldt", "kernel/arch/ldt.c"))
        print("%s: LDT of %d entries at 0x%08x (struct ldt 0x%08x), %s"
              % (head, n, entries, k.u32(ldt.address),
                 "in the LDTR now" if loaded == k.u32(ldt.address)
                 else "not loaded now"))
        empty = 0
        for i, (lo, hi) in enumerate(read_descriptors(entries, n)):
            if lo == 0 and hi == 0:
                empty += 1
                continue
            print("  %4d  0x%04x  %s" % (i, selector(i, True),
                                         describe(lo, hi)))
        print("%d of %d entries empty" % (empty, n))
