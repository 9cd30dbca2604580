# tools/gdb/pagoda_gdb/faults.py - pagoda-break-fault: stop at the next
# page fault of a process, or at an address, and say what it will do.
#
# Every page fault on a user address reaches mm_fault(mm, addr, error)
# (mm/fault.c), from user mode (kernel/arch/usertrap.c, trap_user_exception)
# or from a kernel copy to or from user memory (trap_user_access_fault).
# The breakpoint is on its first instruction, where the arguments are
# still on the stack as the caller pushed them (i386 cdecl: [esp+4],
# [esp+8], [esp+12]), so it does not depend on what -O2 left of the
# debug information. The decoding follows the decisions mm_fault and
# fault_in take, in the same order, on the same data.

import gdb

from . import kernel as k
from . import memory as m

# The page-fault error code's bits (Intel SDM vol. 3A, 4.7; MM_PF_* of
# mm/mm.h): bit, name when set, name when clear.
PF_BITS = [(0, "present", "not-present"), (1, "write", "read"),
           (2, "user", "kernel"), (3, "reserved-bit", None),
           (4, "fetch", None)]


def error_text(error):
    """The error code's bits in words (Intel SDM vol. 3A, 4.7)."""
    words = []
    for bit, yes, no in PF_BITS:
        if error & (1 << bit):
            words.append(yes)
        elif no:
            words.append(no)
    return ", ".join(words)


def fault_reason(mm, addr, error):
    """What mm_fault will do with this fault, as a sentence."""
    write = bool(error & 2)
    if addr >= k.KERNEL_VMA:
        return "a user access to a kernel address: MM_FAULT_KERNEL_ADDRESS " \
               "(SIGSEGV)"
    regions = m.vmas(mm)
    v = m.find_vma(regions, addr)
    if v is None:
        above = [r for r in regions if k.u32(r["start"]) > addr]
        if above and int(above[0]["flags"]) & m.VMA_GROWSDOWN:
            return "below the stack %s: stack growth if RLIMIT_STACK and " \
                   "the gap allow (vma_grow_stack), then a demand-zero " \
                   "page" % m.vma_label(above[0])
        return "no region contains the address: MM_FAULT_UNMAPPED (SIGSEGV)"
    prot = int(v["prot"])
    if not prot & 7 or (write and not prot & m.MM_PROT_WRITE):
        return "the region %s forbids a %s: MM_FAULT_PROTECTION (SIGSEGV)" \
            % (m.vma_label(v), "write" if write else "read")
    where = "in %s" % m.vma_label(v)
    tables = m.mm_tables(mm)
    va = addr & m.FRAME_MASK
    _, pte = tables.lookup(va)
    pte = pte or 0
    if pte & m.PTE_P:
        pfn = pte >> k.PAGE_SHIFT
        page = m.page_of_pfn(pfn)
        if write and not pte & m.PTE_W:
            cached = ""
            if page is not None and k.u32(page["user"]["slot"]):
                cached = "; the page leaves the swap cache (slot %d) first" \
                    % k.u32(page["user"]["slot"])
            if m.vma_kind(v) == "shm":
                return "write to a shared page mapped read-only %s: made " \
                       "writable%s" % (where, cached)
            refs = int(page["refcount"]) if page is not None else 0
            if refs == 1:
                return "copy-on-write %s, frame 0x%05x is no longer shared " \
                       "(refcount 1): made writable, no copy%s" \
                       % (where, pfn, cached)
            return "copy-on-write %s: frame 0x%05x is shared (refcount %d), " \
                   "the writer gets a copy%s" % (where, pfn, refs, cached)
        if not pte & m.PTE_U:
            return "present without U %s: the PTE gets U (defensive)" % where
        return "present and allowed %s: a stale TLB entry, flushed" % where
    rss_note = ""
    limit = int(mm["limit_rss"])
    if limit != (1 << 64) - 1 and k.u32(mm["rss"]) >= max(
            limit >> k.PAGE_SHIFT, 1):
        rss_note = "; over RLIMIT_RSS, so one of its own pages goes first"
    if m.is_swap_entry(pte):
        slot = m.swap_slot(pte)
        cached = m.swap_cache_lookup(slot)
        if cached is not None:
            how = "already in the swap cache as frame 0x%05x, no I/O (%s)" \
                % (m.pfn_of_page(cached),
                   "a private copy of it" if write
                   else "mapped read-only, copy-on-write")
        else:
            how = "read from the swap device (a major fault) into a new " \
                  "frame%s" % ("" if write else
                               " that stays in the swap cache")
        return "swap-in of slot %d %s: %s%s" % (slot, where, how, rss_note)
    kind = m.vma_kind(v)
    if kind == "shm":
        index = k.u32(v["shm_pgoff"]) + ((va - k.u32(v["start"])) >>
                                         k.PAGE_SHIFT)
        return "shared memory %s: page %d of the shm object%s" \
            % (where, index, rss_note)
    if kind == "file":
        off = int(v["file"]["offset"]) + va - k.u32(v["start"])  # 64-bit
        return "file page %s: loaded from the file image at offset 0x%x " \
               "(zeros past its end)%s" % (where, off, rss_note)
    return "demand-zero %s: a new zeroed frame%s" % (where, rss_note)


def describe_fault(mm, addr, error, owners):
    lines = ["page fault: %s at 0x%08x, error 0x%x (%s)"
             % (k.describe_mm(k.u32(mm.address), owners), addr, error,
                error_text(error))]
    cur = k.current_process()
    if error & 4 and k.u32(cur["tf"]):
        lines.append("  from user code at eip 0x%08x"
                     % k.u32(cur["tf"]["eip"]))
    elif not error & 4:
        lines.append("  from the kernel (a copy to or from user memory)")
    lines.append("  => " + fault_reason(mm, addr, error))
    lines.append("  `finish` runs it and shows the enum mm_fault_result")
    return lines


class FaultBreakpoint(gdb.Breakpoint):
    """A one-shot breakpoint at mm_fault that stops only for a fault of
    one process (pid) and/or at one page (page)."""

    def __init__(self, pid, page):
        addr = k.u32(gdb.parse_and_eval("&mm_fault"))
        super().__init__("*0x%x" % addr, internal=False, temporary=True)
        self.want_pid = pid
        self.want_page = page
        self.silent = True

    def stop(self):
        esp = k.u32(gdb.parse_and_eval("$esp"))
        mm_addr = k.read_u32(esp + 4)
        addr = k.read_u32(esp + 8)
        error = k.read_u32(esp + 12)
        if self.want_page is not None and \
                addr & m.FRAME_MASK != self.want_page:
            return False
        owners = k.owners_of_mms()
        if self.want_pid is not None:
            p = owners.get(mm_addr)
            if p is None or int(p["pid"]) != self.want_pid:
                return False
        mm = gdb.Value(mm_addr).cast(
            k.lookup_type("struct mm").pointer()).dereference()
        try:
            lines = describe_fault(mm, addr, error, owners)
        except gdb.error as e:
            lines = ["page fault at 0x%08x, error 0x%x (cannot decode: %s)"
                     % (addr, error, e)]
        for line in lines:
            print(line)
        return True


class PagodaBreakFault(k.Command):
    """Stop at the next page fault of a process, or at an address.
Usage: pagoda-break-fault [PID|any] [VA]

Sets a one-shot breakpoint at the entry of mm_fault (mm/fault.c), which
every page fault on a user address reaches, and `continue` runs to it.
It stops only for faults in the address space of process PID (any: every
process) and, with VA, only for faults in the page that contains VA. A
single number below 32768 is a PID, above it a VA. At the stop it prints
the process, the faulting address, the error code decoded (present or
not, read or write, user or kernel) and what mm_fault will do: demand-zero,
file page, copy-on-write with or without a copy, swap-in (from the swap
cache or the device), stack growth, or the error and signal. `finish`
then runs the fault and shows its result; `delete` removes a breakpoint
that has not been hit yet."""

    def __init__(self):
        super().__init__("pagoda-break-fault", gdb.COMPLETE_EXPRESSION)

    def run(self, arg):
        args = k.split_args(arg)
        if len(args) > 2:
            raise gdb.GdbError("usage: pagoda-break-fault [PID|any] [VA]")
        pid = page = None
        if len(args) == 2:
            if args[0] != "any":
                pid = k.eval_int(args[0])
            page = k.eval_int(args[1]) & m.FRAME_MASK
        elif len(args) == 1 and args[0] != "any":
            n = k.eval_int(args[0])
            if n < k.PROC_MAX_PIDS:
                pid = n
            else:
                page = n & m.FRAME_MASK
        if pid is not None:
            k.find_process(pid)  # a clear error for a wrong PID
        bp = FaultBreakpoint(pid, page)
        what = "pid %d" % pid if pid is not None else "any process"
        if page is not None:
            what += ", page 0x%08x" % page
        print("breakpoint %d: the next page fault of %s (at mm_fault); "
              "continue to it" % (bp.number, what))
