# tools/gdb/pagoda_gdb/pagetables.py - the page-table commands:
#
#   pagoda-pte VA [PID]    one address, step by step from CR3 (or from the
#                          page directory of process PID)
#   pagoda-pt [-k] [PID]   a whole address space, region by region, with
#                          runs of alike pages on one line
#
# Tables live in physical memory; they are read through the kernel's
# direct map, or with QEMU's `xp` where there is none (before paging, or
# above lowmem). The entry format is mm/pgtable.h's.

import gdb

from . import kernel as k
from . import memory as m


def pde_flags(entry):
    if not entry & m.PTE_P:
        return "(not present)"
    return " ".join(m.pte_flag_names(entry, True)) or "-"


def pte_flags(entry):
    if not entry & m.PTE_P:
        return "(not present)"
    return " ".join(m.pte_flag_names(entry)) or "-"


def frame_summary(pfn):
    """One line about the struct page of a mapped frame."""
    page = m.page_of_pfn(pfn)
    if page is None:
        return "frame 0x%05x is not managed by the allocator" % pfn
    flags = k.u32(page["flags"])
    text = "frame 0x%05x: refcount %d, flags %s" % (
        pfn, int(page["refcount"]), m.describe_page_flags(flags))
    if flags & m.flag_value("PG_USER"):
        text += ", %d mapping(s)" % len(m.page_mappings(page))
    return text


def swap_summary(slot):
    refs = m.swap_slot_refs(slot)
    cached = m.swap_cache_lookup(slot)
    text = "slot %d: %d reference(s)" % (slot, refs)
    if cached is not None:
        text += ", in the swap cache as frame 0x%05x" % m.pfn_of_page(cached)
    return text


class PagodaPte(k.Command):
    """Walk the page tables for one virtual address.
Usage: pagoda-pte VA [PID]   (VA any expression: 0xc0100000, &kmain, $esp)

Without PID, starts from CR3 (the address space loaded now); with PID,
from the page directory of that process. Prints the page directory entry,
the page table entry when there is one, their flags (mm/pgtable.h names,
COW included) and the physical address VA maps to; for a swap entry, the
slot, its references and whether the swap cache holds it. For a user
address it adds the region (VMA) and the frame's struct page: refcount,
flags and number of mappings (pagoda-page shows everything)."""

    def __init__(self):
        super().__init__("pagoda-pte", gdb.COMPLETE_EXPRESSION)

    def run(self, arg):
        expr, rest = k.expr_and_rest(arg)
        if not expr or len(rest) > 1:
            raise gdb.GdbError("usage: pagoda-pte VA [PID]")
        args = [expr] + rest
        va = k.eval_int(expr)
        if not k.paging_on():
            if len(args) == 2:
                raise gdb.GdbError("paging is off: there are no process "
                                   "page tables yet")
            print("paging is off (CR0.PG = 0): linear address 0x%08x is "
                  "the physical address" % va)
            return
        proc = mm = None
        if len(args) == 2:
            proc = k.find_process(k.eval_int(args[1]))
            mm = k.process_mm(proc)
            tables = m.mm_tables(mm)
            print("pid %d (%s): page directory at physical 0x%08x"
                  % (int(proc["pid"]), k.proc_name(proc), tables.pgdir_phys))
        else:
            cr3 = k.control_register("cr3")
            tables = m.PageTables(cr3)
            cur = k.current_process()
            if k.u32(cur["mm"]) and k.u32(
                    cur["mm"]["space"]["pgdir_phys"]) == tables.pgdir_phys:
                proc, mm = cur, cur["mm"].dereference()
        self.walk(va, tables, proc, mm,
                  k.control_register("cr4") & k.CR4_PSE, len(args) == 1)

    def walk(self, va, tables, proc, mm, pse, show_cr3):
        pdi = va >> m.PDE_SHIFT
        pti = (va >> k.PAGE_SHIFT) & 0x3FF
        half = "kernel" if va >= k.KERNEL_VMA else "user"
        print("vaddr 0x%08x (%s half): PDE index %d, PTE index %d, "
              "offset 0x%03x" % (va, half, pdi, pti, va & 0xFFF))
        if show_cr3:
            cr3 = k.control_register("cr3")
            print("CR3   0x%08x: page directory at physical 0x%08x"
                  % (cr3, tables.pgdir_phys))
        pde_addr = tables.pgdir_phys + pdi * 4
        pde = tables.pgdir()[pdi]
        print("PDE   at 0x%08x = 0x%08x  %s" % (pde_addr, pde,
                                               pde_flags(pde)))
        region = None
        if mm is not None and va < k.KERNEL_VMA:
            region = m.find_vma(m.vmas(mm), va)
            print("region %s" % (m.vma_label(region) if region is not None
                                 else "none: no VMA of pid %d contains it"
                                 % int(proc["pid"])))
        if not pde & m.PTE_P:
            print("=> not mapped: the PDE is not present")
            return
        if pde & m.PDE_PS and pse:
            pa = (pde & m.LARGE_FRAME_MASK) | (va & ~m.LARGE_FRAME_MASK)
            print("=> 4 MiB page at 0x%08x: physical 0x%08x"
                  % (pde & m.LARGE_FRAME_MASK, pa))
            return
        pte_addr = (pde & m.FRAME_MASK) + pti * 4
        pte = tables.table(pde)[pti]
        print("PTE   at 0x%08x = 0x%08x  %s" % (pte_addr, pte,
                                               pte_flags(pte)))
        if not pte & m.PTE_P:
            print("=> " + m.describe_not_present(pte))
            if m.is_swap_entry(pte) and pte & m.PTE_SWAP_MARK:
                print("swap  " + swap_summary(m.swap_slot(pte)))
            return
        pa = (pte & m.FRAME_MASK) | (va & 0xFFF)
        print("=> 4 KiB page at 0x%08x: physical 0x%08x"
              % (pte & m.FRAME_MASK, pa))
        if va < k.KERNEL_VMA:
            print(frame_summary(pte >> k.PAGE_SHIFT))


# --- pagoda-pt ---------------------------------------------------------------

class Run:
    """Consecutive pages of one kind: present with the same flags and
    contiguous frames, swap entries with consecutive slots and the same
    software bits, or never touched."""

    def __init__(self, va, kind, value, flags):
        self.start = va
        self.end = va + k.PAGE_SIZE
        self.kind = kind      # "present", "swap", "none", "large"
        self.first = value    # first frame address or slot
        self.last = value
        self.flags = flags

    def extend(self, va, kind, value, flags):
        if va != self.end or kind != self.kind or flags != self.flags:
            return False
        if kind == "present" and value != self.last + k.PAGE_SIZE:
            return False
        if kind == "swap" and value != self.last + 1:
            return False
        self.end = va + k.PAGE_SIZE
        self.last = value
        return True

    def pages(self):
        return (self.end - self.start) >> k.PAGE_SHIFT

    def text(self):
        n = self.pages()
        count = "%-12s" % ("%d page%s" % (n, "" if n == 1 else "s"))
        if self.kind == "present":
            if self.first == self.last:
                what = "phys %08x" % self.first
            else:
                what = "phys %08x-%08x" % (self.first,
                                          self.last + k.PAGE_SIZE - 1)
            flags = " ".join(m.pte_flag_names(self.flags)) or "-"
        elif self.kind == "large":
            what = "phys %08x (4 MiB page)" % self.first
            flags = " ".join(m.pte_flag_names(self.flags, True))
        elif self.kind == "swap":
            what = "swap slot %d" % self.first if self.first == self.last \
                else "swap slots %d-%d" % (self.first, self.last)
            soft = [name for bit, name in m.PTE_BITS
                    if m.PTE_SOFT_MASK & self.flags & (1 << bit)]
            flags = " ".join(soft) if soft else "-"
        else:
            what = "not present (never touched)"
            flags = ""
        return ("  %08x-%08x %s %-26s %s" % (self.start, self.end, count,
                                            what, flags)).rstrip()


def classify(pte, ignore_ad):
    """(kind, value, flags) of an entry, for Run."""
    if pte & m.PTE_P:
        flags = pte & 0xFFF
        if ignore_ad:
            flags &= ~(m.PTE_A | m.PTE_D)
        return "present", pte & m.FRAME_MASK, flags
    if pte == 0:
        return "none", 0, 0
    return "swap", m.swap_slot(pte), pte & 0xFFF


def runs(entries, start, end, ignore_ad=False, show_none=True):
    """Compresses (va, entry, size) entries of [start, end) into Runs,
    with runs of never-touched pages for the gaps when show_none."""
    out = []
    va = start

    def gap_to(stop):
        if out and out[-1].kind == "none" and out[-1].end == va:
            out[-1].end = stop
        else:
            gap = Run(va, "none", 0, 0)
            gap.end = stop
            out.append(gap)

    for eva, entry, size in entries:
        if eva < start or eva >= end:
            continue
        if show_none and eva > va:
            gap_to(eva)
        if size != k.PAGE_SIZE:
            run = Run(eva, "large", entry & m.LARGE_FRAME_MASK, entry & 0xFFF)
            run.end = eva + size
            out.append(run)
        else:
            kind, value, flags = classify(entry, ignore_ad)
            if not out or not out[-1].extend(eva, kind, value, flags):
                out.append(Run(eva, kind, value, flags))
        va = eva + size
    if show_none and va < end:
        gap_to(end)
    return out


# The parts of the kernel half (docs/architecture.md).
KERNEL_AREAS = [
    (k.KERNEL_VMA, k.VMAP_START, "direct map of physical memory"),
    (k.VMAP_START, k.VMAP_END, "dynamic mappings: kernel stacks, vmap"),
    (k.VMAP_END, 1 << 32, "reserved for temporary mappings"),
]


class PagodaPt(k.Command):
    """Show a whole address space, range-compressed.
Usage: pagoda-pt [-k] [PID]

Walks the page tables of process PID (default: the current process) and
prints every region (VMA) in address order, as in /proc/PID/maps, with
its pages below it. Consecutive pages that look alike share one line:

  present pages with the same flags (P W U A D G, COW...) and contiguous
      frames: "phys FIRST-LAST" and the flags;
  swap entries (not present, non-zero: mm/pgtable.h) with consecutive
      slots and the same software bits: "swap slots FIRST-LAST";
  pages of the region with no entry: "not present (never touched)".

A region's header counts its present pages and swap entries (smaps calls
them Rss and Swap). Entries outside every region would be a bug and are
listed apart. The footer compares the totals with the kernel's own
counters (mm->rss, mm->swap_pages).

-k adds the kernel half, which every address space shares (the direct
map, kernel stacks); there the accessed and dirty bits are ignored, or
every page would be a line of its own."""

    def __init__(self):
        super().__init__("pagoda-pt")

    def run(self, arg):
        kernel_half, proc = k.option_and_process(arg, "-k",
                                                 "pagoda-pt [-k] [PID]")
        mm = k.process_mm(proc)
        tables = m.mm_tables(mm)
        regions = m.vmas(mm)
        print("pid %d (%s): page directory at physical 0x%08x, %d user "
              "page tables, %d regions"
              % (int(proc["pid"]), k.proc_name(proc), tables.pgdir_phys,
                 int(mm["space"]["nr_pgtables"]), len(regions)))
        entries = list(tables.entries(0, k.KERNEL_VMA))
        present = swapped = 0
        inside = set()
        for v in regions:
            start, end = k.u32(v["start"]), k.u32(v["end"])
            rs = runs(entries, start, end)
            p = sum(r.pages() for r in rs if r.kind == "present")
            s = sum(r.pages() for r in rs if r.kind == "swap")
            present += p
            swapped += s
            n = (end - start) >> k.PAGE_SHIFT
            print("region %s  (%s, %d page%s: %d present, %d in swap)"
                  % (m.vma_label(v), m.vma_kind(v), n, "" if n == 1 else "s",
                     p, s))
            for r in rs:
                print(r.text())
            inside.update(e[0] for e in entries if start <= e[0] < end)
        stray = [e for e in entries if e[0] not in inside]
        if stray:
            print("outside every region (a bug: mm_check would say so):")
            for r in runs(stray, 0, k.KERNEL_VMA, show_none=False):
                print(r.text())
                if r.kind == "present":
                    present += r.pages()
                elif r.kind == "swap":
                    swapped += r.pages()
        rss, swap_pages = k.u32(mm["rss"]), k.u32(mm["swap_pages"])
        print("total: %d present, %d in swap; the kernel counts rss %d, "
              "swap_pages %d%s"
              % (present, swapped, rss, swap_pages,
                 "" if (present, swapped) == (rss, swap_pages)
                 else "  <- DIFFERENT"))
        if kernel_half:
            self.kernel_half(tables)
        else:
            print("kernel half: PDEs %d-1023, the same in every address "
                  "space (pagoda-pt -k shows it)" % m.KERNEL_PDE_FIRST)

    def kernel_half(self, tables):
        entries = list(tables.entries(k.KERNEL_VMA, 1 << 32))
        for start, end, name in KERNEL_AREAS:
            rs = runs(entries, start, end, ignore_ad=True, show_none=False)
            pages = sum(r.pages() for r in rs if r.kind in ("present",
                                                            "large"))
            print("kernel %08x-%08x %s  (%d pages mapped; A and D not "
                  "shown)" % (start, end - 1, name, pages))
            for r in rs:
                print(r.text())
