# tools/gdb/pagoda_gdb/procs.py - processes and their regions:
#
#   pagoda-ps              every process: pid, name, state, parent, memory
#   pagoda-vmas [-v] [PID] the regions of an address space, as
#                          /proc/PID/maps prints them
#
# Processes are on the list all_procs of kernel/proc/proc.c (struct proc, member
# `all`); regions on mm->vmas (struct vma, member `node`), sorted by
# address (mm/mm.h).

import gdb

from . import frames
from . import kernel as k
from . import memory as m

# The letters ps shows for enum proc_state (procfs_state_name in
# fs/procfs_show.c).
STATE_LETTERS = {"RUNNABLE": "R", "SLEEPING": "S", "ZOMBIE": "Z"}


def vm_size_pages(mm):
    """Pages in every region (VmSize, as mm_get_usage counts it)."""
    return sum((k.u32(v["end"]) - k.u32(v["start"])) >> k.PAGE_SHIFT
               for v in m.vmas(mm))


def wait_channel(p, procs):
    """What a sleeping process waits for: a symbol, a process (wait4 sleeps
    on its own struct proc), or a heap object named by its slab cache."""
    chan = k.u32(p["wait_channel"])
    if not chan:
        return ""
    for q in procs:
        if k.u32(q.address) == chan:
            return "a child's exit (wait4)" if chan == k.u32(p.address) \
                else "pid %d's struct proc" % int(q["pid"])
    try:
        sym = gdb.execute("info symbol 0x%x" % chan, to_string=True)
        sym = sym.split(" in section")[0].strip()
        if not sym.startswith("No symbol"):
            return sym
    except gdb.error:
        pass
    if k.KERNEL_VMA <= chan < k.VMAP_START:
        pfn = (chan - k.KERNEL_VMA) >> k.PAGE_SHIFT
        page = m.page_of_pfn(pfn)
        if page is not None and not k.u32(page["flags"]):
            head = frames.block_head(pfn)
            page = m.page_of_pfn(head[0]) if head else page
        if page is not None and \
                k.u32(page["flags"]) & m.flag_value("PG_SLAB"):
            return "0x%08x (a %s object)" % (
                chan, k.char_array(page["slab"]["cache"]["name"]))
    return "0x%08x" % chan


class PagodaPs(k.Command):
    """List the processes.
Usage: pagoda-ps

One line per process of the kernel's list (kernel/proc/proc.c), in order of
creation, like the ps program: PID, parent's PID, state (R runnable or
running, S sleeping, Z zombie), resident set (mm->rss) and virtual size
(the regions' sizes) in KiB, pages in swap, the name, and what a sleeper
waits for. `*` marks the process on the CPU (`current`); PID 0, the idle
process, runs when nobody else can and is not listed unless current."""

    def __init__(self):
        super().__init__("pagoda-ps")

    def run(self, arg):
        if arg.strip():
            raise gdb.GdbError("usage: pagoda-ps")
        cur = k.u32(k.variable("current"))
        procs = k.processes()
        print("  %5s %5s %-4s %8s %8s %8s %-16s %s"
              % ("PID", "PPID", "STAT", "RSS", "VSZ", "SWAP", "NAME",
                 "WAITING FOR"))
        if cur not in [k.u32(p.address) for p in procs]:
            procs = [k.current_process()] + procs
        for p in procs:
            state = k.enum_name(p["state"], "enum proc_state", "PROC_")
            parent = p["parent"]
            ppid = int(parent["pid"]) if k.u32(parent) else 0
            rss = vsz = swap = 0
            if k.u32(p["mm"]):
                mm = p["mm"].dereference()
                rss = k.u32(mm["rss"])
                swap = k.u32(mm["swap_pages"])
                vsz = vm_size_pages(mm)
            kb = k.PAGE_SIZE // 1024
            print("%s %5d %5d %-4s %8d %8d %8d %-16s %s"
                  % ("*" if k.u32(p.address) == cur else " ",
                     int(p["pid"]), ppid, STATE_LETTERS.get(state, state),
                     rss * kb, vsz * kb, swap * kb, k.proc_name(p),
                     wait_channel(p, procs) if state == "SLEEPING" else ""))


def region_counts(tables, v):
    """(present pages, swap entries) of a region."""
    present = swapped = 0
    for _, pte, _ in tables.entries(k.u32(v["start"]), k.u32(v["end"])):
        if pte & m.PTE_P:
            present += 1
        elif m.is_swap_entry(pte):
            swapped += 1
    return present, swapped


class PagodaVmas(k.Command):
    """List the regions (VMAs) of an address space, like /proc/PID/maps.
Usage: pagoda-vmas [-v] [PID]

Prints the regions of process PID (default: the current process) in
the format of /proc/PID/maps (mm/mm.c): start-end, permissions (r w x,
then p private or s shared), file offset, device, inode and the name
([heap], [stack], the program's path, /dev/zero (deleted) for shared
anonymous memory). -v adds under each region the address of its struct
vma, its kind and flags, and how many of its pages are present and in
swap."""

    def __init__(self):
        super().__init__("pagoda-vmas")

    def run(self, arg):
        verbose, proc = k.option_and_process(arg, "-v",
                                             "pagoda-vmas [-v] [PID]")
        mm = k.process_mm(proc)
        regions = m.vmas(mm)
        print("pid %d (%s): %d regions, struct mm at 0x%08x, brk 0x%08x"
              % (int(proc["pid"]), k.proc_name(proc), len(regions),
                 k.u32(mm.address), k.u32(mm["brk"])))
        tables = m.mm_tables(mm) if verbose else None
        for v in regions:
            print(m.vma_maps_line(v))
            if verbose:
                flags = int(v["flags"])
                names = [n for bit, n in ((m.VMA_SHARED, "shared"),
                                          (m.VMA_GROWSDOWN, "growsdown"),
                                          (m.VMA_LOCKED, "locked"))
                         if flags & bit]
                present, swapped = region_counts(tables, v)
                print("    struct vma 0x%08x, %s, flags %s: %d pages, %d "
                      "present, %d in swap"
                      % (k.u32(v.address), m.vma_kind(v),
                         " ".join(names) or "none",
                         (k.u32(v["end"]) - k.u32(v["start"])) >> 12,
                         present, swapped))
