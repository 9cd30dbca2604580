# tools/gdb/pagoda_gdb/alloc.py - the allocators:
#
#   pagoda-buddy [-v [ORDER]]  free blocks per order, the hot-block caches
#   pagoda-slab [NAME]         the kernel heap's caches
#
# The buddy allocator's state is static in mm/page_alloc.c: free_area[]
# (one list per order, with its length .nr) and pcp[] (the hot-block cache
# of each small order, with .count). The heap's caches are on kheap.caches
# (mm/slab_internal.h), each with its slabs on three lists by state.

import gdb

from . import kernel as k
from . import memory as m

# mm/slab_internal.h: internal cache flag of the large-kmalloc pseudo-cache
KMEM_CACHE_LARGE = 1 << 16
KMEM_CACHE_DEBUG_ON = 1 << 19
# mm/slab_debug.c: the state word of a live object's debug metadata
KHEAP_LIVE = 0xA110CA7E


def array_len(value):
    return value.type.strip_typedefs().range()[1] + 1


def size_text(nbytes):
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return "%d %s" % (nbytes >> shift, unit)
    return "%d B" % nbytes


def buddy_state():
    """[(order, nr, list length, [pfns])], [(order, count, [pfns])]."""
    free_area = k.variable("free_area", "mm/page_alloc.c")
    pcp = k.variable("pcp", "mm/page_alloc.c")
    free = []
    for order in range(array_len(free_area)):
        fa = free_area[order]
        pfns = [m.pfn_of_page(k.container_of(n, "struct page", "list"))
                for n in k.list_nodes(fa["list"])]
        free.append((order, k.u32(fa["nr"]), pfns))
    cached = []
    for order in range(array_len(pcp)):
        pfns = [m.pfn_of_page(k.container_of(n, "struct page", "list"))
                for n in k.list_nodes(pcp[order]["list"])]
        cached.append((order, k.u32(pcp[order]["count"]), pfns))
    return free, cached


class PagodaBuddy(k.Command):
    """Show the buddy allocator's free blocks per order.
Usage: pagoda-buddy            counts per order
       pagoda-buddy -v [ORDER] also the blocks (frame ranges), of one order

For each order (block of 2^order frames): the blocks on the free list
(free_area[order]), the blocks parked in the hot-block cache of that order
(pcp[order], orders 0-3), and the free frames they add up to. Like
/proc/buddyinfo, which adds the two counts, and the kernel's boot line
"pmm: free blocks per order: ...; cached: ...", which shows them apart.
The total is checked against pmm_count.free, and each list's length
against its counter; a difference is marked."""

    def __init__(self):
        super().__init__("pagoda-buddy")

    def run(self, arg):
        args = k.split_args(arg)
        verbose = bool(args) and args[0] == "-v"
        if verbose:
            args.pop(0)
        if len(args) > 1 or (args and not verbose):
            raise gdb.GdbError("usage: pagoda-buddy [-v [ORDER]]")
        only = k.eval_int(args[0]) if args else None
        free, cached = buddy_state()
        print("order  block     free cached   frames")
        total = total_cached = 0
        bad = []
        largest = -1
        for order, nr, pfns in free:
            ncached = cached[order][1] if order < len(cached) else None
            frames = (len(pfns) + (ncached or 0)) << order
            total += frames
            if ncached:
                total_cached += ncached << order
            if frames:
                largest = order
            print("%5d  %-8s %5d %6s %8d" % (
                order, size_text(k.PAGE_SIZE << order), len(pfns),
                "-" if ncached is None else ncached, frames))
            if len(pfns) != nr:
                bad.append("free_area[%d].nr is %d but its list has %d "
                           "blocks" % (order, nr, len(pfns)))
            if ncached is not None and len(cached[order][2]) != ncached:
                bad.append("pcp[%d].count is %d but its list has %d "
                           "blocks" % (order, ncached,
                                       len(cached[order][2])))
        counted = k.u32(k.variable("pmm_count")["free"])
        print("free: %d frames (%s), %d of them cached; pmm_count.free %d%s"
              % (total, size_text(total * k.PAGE_SIZE), total_cached,
                 counted, "" if counted == total else "  <- DIFFERENT"))
        print("largest free block: order %d" % largest)
        for line in bad:
            print("!! " + line)
        if verbose:
            for order, _, pfns in free:
                if only is not None and order != only:
                    continue
                for what, blocks in (("free", pfns),
                                     ("cached", cached[order][2]
                                      if order < len(cached) else [])):
                    if blocks:
                        print("order %d %s: %s" % (order, what, " ".join(
                            "%05x-%05x" % (p, p + (1 << order) - 1)
                            for p in blocks)))


def cache_stats(c):
    """The figures of kmem_cache_get_stats (mm/slab_stats.c) for one
    cache, from its slab lists."""
    st = {"name": k.char_array(c["name"]), "object_size":
          k.u32(c["object_size"]), "align": k.u32(c["align"])}
    flags = k.u32(c["flags"])
    st["debug"] = bool(flags & KMEM_CACHE_DEBUG_ON)
    if flags & KMEM_CACHE_LARGE:
        total = 0
        for page in k.list_entries(c["full"], "struct page", "list"):
            total += k.PAGE_SIZE << int(page["slab"]["order"])
        n = k.u32(c["nr_slabs"])
        st.update(slot_size=0, objs_per_slab=1, pages_per_slab=0,
                  slabs=n, slabs_full=n, slabs_partial=0, slabs_empty=0,
                  active_objs=n, total_objs=n, bytes_total=total,
                  bytes_requested=int(c["large_requested"]), bytes_free=0)
        st["bytes_wasted"] = total - st["bytes_requested"]
        return st
    per_slab = k.u32(c["objs_per_slab"])
    slot = k.u32(c["slot_size"])
    order = k.u32(c["order"])
    slabs = full = partial = empty = active = requested = 0
    for head in ("partial", "full", "empty"):
        for page in k.list_entries(c[head], "struct page", "list"):
            inuse = int(page["slab"]["inuse"])
            slabs += 1
            active += inuse
            if inuse == 0:
                empty += 1
            elif inuse == per_slab:
                full += 1
            else:
                partial += 1
            if st["debug"]:
                requested += debug_requested(c, page, per_slab, slot)
            else:
                requested += inuse * st["object_size"]
    st.update(slot_size=slot, objs_per_slab=per_slab,
              pages_per_slab=1 << order, slabs=slabs, slabs_full=full,
              slabs_partial=partial, slabs_empty=empty, active_objs=active,
              total_objs=slabs * per_slab,
              bytes_total=slabs * (k.PAGE_SIZE << order),
              bytes_requested=requested)
    st["bytes_free"] = (st["total_objs"] - active) * slot
    st["bytes_wasted"] = st["bytes_total"] - requested - st["bytes_free"]
    return st


def debug_requested(c, page, per_slab, slot):
    """Bytes requested by the live objects of a debug-mode slab: the size
    kept in each live object's metadata (mm/slab_debug.c)."""
    meta = k.u32(c["meta_offset"])
    meta_type = k.lookup_type("struct kheap_debug_meta")
    state_off = k.offset_of(meta_type, "state")
    size_off = k.offset_of(meta_type, "size")
    base = k.KERNEL_VMA + (m.pfn_of_page(page) << k.PAGE_SHIFT)
    total = 0
    for i in range(per_slab):
        m = base + i * slot + meta
        if k.read_u32(m + state_off) == KHEAP_LIVE:
            total += k.read_u32(m + size_off)
    return total


def caches():
    return list(k.list_entries(k.variable("kheap")["caches"],
                               "struct kmem_cache", "link"))


class PagodaSlab(k.Command):
    """Show the kernel heap's slab caches.
Usage: pagoda-slab [NAME]

One line per cache on kheap.caches, in the columns of the kernel's own
report (kheap_dump_stats): objects in use and in total, slot size,
objects per slab, pages per slab, slabs (partial/full/empty), bytes the
slabs hold, and bytes wasted (padding, debug metadata, slab tails: held
for live objects but unusable; mm/slab.h). kmalloc-large is the
pseudo-cache of kmalloc blocks above 4 KiB. With NAME, only caches whose
name contains it, each with the addresses of its slabs."""

    def __init__(self):
        super().__init__("pagoda-slab")

    def run(self, arg):
        args = k.split_args(arg)
        if len(args) > 1:
            raise gdb.GdbError("usage: pagoda-slab [NAME]")
        heap = k.variable("kheap")
        print("%-20s %8s %8s %6s %5s %5s %13s %9s %9s" % (
            "cache", "active", "total", "slot", "objs", "pages",
            "slabs p/f/e", "bytes", "wasted"))
        for c in caches():
            st = cache_stats(c)
            if args and args[0] not in st["name"]:
                continue
            slabs = "%d %d/%d/%d" % (st["slabs"], st["slabs_partial"],
                                     st["slabs_full"], st["slabs_empty"])
            print("%-20s %8d %8d %6d %5d %5d %13s %9d %9d%s" % (
                st["name"], st["active_objs"], st["total_objs"],
                st["slot_size"], st["objs_per_slab"], st["pages_per_slab"],
                slabs, st["bytes_total"], st["bytes_wasted"],
                " debug" if st["debug"] else ""))
            if args:
                for head in ("partial", "full", "empty"):
                    for page in k.list_entries(c[head], "struct page",
                                               "list"):
                        print("    %-7s slab at frame 0x%05x: %d in use"
                              % (head, m.pfn_of_page(page),
                                 int(page["slab"]["inuse"])))
        large = k.variable("kmalloc_large_cache")
        large_pages = sum(1 << int(page["slab"]["order"]) for page in
                          k.list_entries(large["full"], "struct page",
                                         "list"))
        print("heap: %d pages held (peak %d), %d large blocks in %d pages, "
              "%d caches, debug mode %s"
              % (k.u32(heap["pages"]), k.u32(heap["pages_peak"]),
                 k.u32(large["nr_slabs"]), large_pages, len(caches()),
                 "on" if bool(heap["debug"]) else "off"))
