# tools/gdb/pagoda_gdb/swapping.py - swap and page replacement:
#
#   pagoda-swap [-v]       the swap areas' slots and the swap cache
#   pagoda-policy [-a|-n N] the active replacement policy's list
#
# The swap areas are `areas` of mm/swapfile.c (refs[] per slot, slot
# numbers global: each area owns [base, base + last_page]); the swap
# cache is the two-level table `chunks` of mm/swap_state.c plus the pages
# of shared memory objects that hold a slot. The active policy is `active`
# of mm/vmscan.c; each policy keeps its pages on one list (the static
# NAME_pages of mm/policy_NAME.c), oldest or next-to-examine first.

import struct

import gdb

from . import frames
from . import kernel as k
from . import memory as m

# mm/swapfile.c: refs[] of the header and bad pages
REFS_UNUSABLE = 0xFFFF


def slot_refs(area):
    """[(global slot, refs)] of every slot of a swap area, slot 0 (its
    header) first."""
    n = k.u32(area["last_page"]) + 1
    base = k.u32(area["base"])
    data = gdb.selected_inferior().read_memory(k.u32(area["refs"]),
                                               2 * n).tobytes()
    return list(enumerate(struct.unpack("<%dH" % n, data), base))


def ranges_by_refs(refs):
    """[(first, last, refs)] runs of allocated slots with equal counts."""
    out = []
    for slot, r in refs:
        if r == 0 or r == REFS_UNUSABLE:
            continue
        if out and out[-1][1] == slot - 1 and out[-1][2] == r:
            out[-1] = (out[-1][0], slot, r)
        else:
            out.append((slot, slot, r))
    return out


def swap_cache_private():
    """[(slot, struct page)] of the lookup table of mm/swap_state.c."""
    chunks = k.variable("chunks", "mm/swap_state.c")
    out = []
    ptr = k.lookup_type("struct page").pointer()
    inferior = gdb.selected_inferior()
    per = m.SWAP_CACHE_CHUNK_SLOTS
    for i in range(chunks.type.strip_typedefs().range()[1] + 1):
        chunk = k.u32(chunks[i])
        if not chunk:
            continue
        data = inferior.read_memory(chunk, 4 * per).tobytes()
        for j, addr in enumerate(struct.unpack("<%dI" % per, data)):
            if addr:
                out.append((i * per + j,
                            gdb.Value(addr).cast(ptr).dereference()))
    return out


def shm_objects():
    """Every shm object some process maps, or SysV keeps (mm/shm.c)."""
    seen = {}
    for p in k.processes():
        if not k.u32(p["mm"]):
            continue
        for v in m.vmas(p["mm"].dereference()):
            if m.vma_kind(v) == "shm" and k.u32(v["shm"]):
                seen[k.u32(v["shm"])] = v["shm"].dereference()
    segments = k.variable("segments", "mm/shm.c")
    for i in range(segments.type.strip_typedefs().range()[1] + 1):
        if k.u32(segments[i]):
            seen[k.u32(segments[i])] = segments[i].dereference()
    return seen


def swap_cache_shared(objects):
    """[(slot, struct page, object address, index)] of shm pages that
    are in the swap cache (user.slot set)."""
    out = []
    for addr, shm in sorted(objects.items()):
        pages = shm["pages"]
        for i in range(k.u32(shm["npages"])):
            page = pages[i]
            if k.u32(page) and k.u32(page["user"]["slot"]):
                out.append((k.u32(page["user"]["slot"]),
                            page.dereference(), addr, i))
    return out


class PagodaSwap(k.Command):
    """Show the swap areas and the swap cache.
Usage: pagoda-swap [-v]

The area (mm/swapfile.c): its device, usable slots, slots in use and
free, bad pages; then the slots in use as ranges with their reference
counts (one per swap PTE, shared memory object or swap-cache page that
holds the slot). The swap cache (mm/swap_state.c): frames whose contents
equal a slot's, so that eviction can drop them without writing; each with
who maps it. /proc/meminfo's SwapTotal and SwapFree and /proc/vmstat's
nr_swapcache report the same numbers. -v also lists the swap entries of
every process (pid, address, slot)."""

    def __init__(self):
        super().__init__("pagoda-swap")

    def run(self, arg):
        args = k.split_args(arg)
        if args not in ([], ["-v"]):
            raise gdb.GdbError("usage: pagoda-swap [-v]")
        areas = m.swap_areas()
        if not areas:
            print("swap is off")
            return
        refs = []
        for area in areas:
            dev = area["dev"].dereference()
            mine = slot_refs(area)
            refs += mine
            used = [s for s, r in mine if r and r != REFS_UNUSABLE]
            total, nfree = k.u32(area["total"]), k.u32(area["nfree"])
            base = k.u32(area["base"])
            print("swap area on %s: %d usable slots (%d KiB), %d in use, %d "
                  "free, %d bad; priority %d, slots %d-%d; next search "
                  "from slot %d"
                  % (k.c_string(dev["name"]), total, total * 4, len(used),
                     nfree, k.u32(area["bad"]), int(area["prio"]), base,
                     base + k.u32(area["last_page"]),
                     base + k.u32(area["cursor"])))
            if total - nfree != len(used):
                print("!! total - nfree is %d but %d slots have references"
                      % (total - nfree, len(used)))
        runs = ranges_by_refs(sorted(refs))
        if runs:
            print("slots in use (references):")
            for first, last, r in runs:
                slots = "%d" % first if first == last else \
                    "%d-%d" % (first, last)
                print("  %-13s %d each" % (slots, r) if first != last
                      else "  %-13s %d" % (slots, r))
        owners = k.owners_of_mms()
        private = swap_cache_private()
        shared = swap_cache_shared(shm_objects())
        counted = k.u32(k.variable("nr_cached", "mm/swap_state.c"))
        n = len(private) + len(shared)
        print("swap cache: %d page%s (nr_cached %d%s)"
              % (n, "" if n == 1 else "s", counted,
                 "" if counted == n else "  <- DIFFERENT"))
        for slot, page in private:
            maps = ", ".join("%s at 0x%08x" % (k.describe_mm(m, owners), va)
                             for m, va in m.page_mappings(page)) or \
                "not mapped"
            print("  slot %-6d frame 0x%05x  %s"
                  % (slot, m.pfn_of_page(page), maps))
        for slot, page, addr, index in shared:
            print("  slot %-6d frame 0x%05x  page %d of shm object 0x%08x"
                  % (slot, m.pfn_of_page(page), index, addr))
        if args:
            self.entries(owners)

    def entries(self, owners):
        print("swap entries:")
        for mm_addr, p in sorted(owners.items(),
                                 key=lambda kv: int(kv[1]["pid"])):
            tables = m.mm_tables(p["mm"].dereference())
            for va, pte, _ in tables.entries(0, k.KERNEL_VMA):
                if m.is_swap_entry(pte):
                    print("  pid %-5d 0x%08x  slot %d"
                          % (int(p["pid"]), va, m.swap_slot(pte)))


def policies():
    """Every policy of vm_policies[] (mm/policy.c), NULL-terminated."""
    table = k.variable("vm_policies")
    out = []
    i = 0
    while k.u32(table[i]):
        out.append(table[i].dereference())
        i += 1
    return out


class PagodaPolicy(k.Command):
    """Show the page replacement policy's pages.
Usage: pagoda-policy [-a | -n N]

The active policy (mm/vmscan.c, chosen with vm.policy= or
/proc/sys/vm/policy), its counters, and the pages on its list in list
order: for clock the hand is at the front (the next page it examines),
for fifo and aging the front is the oldest page. Each row: position,
frame, whether some PTE mapping it has the accessed bit set (`A`: the
clock would spare it and clear the bit), the aging policy's 8-bit age,
and the first mapping (pid and address). The first 20 rows are shown,
-n N shows N, -a all of them. The other policies' counts follow (they
track nothing unless the list is corrupt)."""

    def __init__(self):
        super().__init__("pagoda-policy")

    def run(self, arg):
        args = k.split_args(arg)
        limit = 20
        if args == ["-a"]:
            limit = None
        elif len(args) == 2 and args[0] == "-n":
            limit = k.eval_int(args[1])
        elif args:
            raise gdb.GdbError("usage: pagoda-policy [-a | -n N]")
        policy = frames.active_policy()
        name = k.c_string(policy["name"])
        st = policy["stats"].dereference()
        print("active policy: %s - %s" % (name,
                                          k.c_string(policy["description"])))
        print("tracked %d; chosen %d, scanned %d, spared %d, sampled %d"
              % (k.u32(st["tracked"]), int(st["chosen"]), int(st["scanned"]),
                 int(st["second"]), int(st["sampled"])))
        front = {"clock": "the hand (next page examined)",
                 "fifo": "the oldest page (next victim)",
                 "aging": "the oldest page (victims: smallest age)",
                 "random": "the oldest page (victims: any)"}
        print("front of the list: %s" % front.get(name, "first page"))
        owners = k.owners_of_mms()
        tables = {}
        nodes = list(k.list_nodes(frames.policy_list(policy)))
        print("   #  frame    A  age       mapped at")
        referenced = 0
        for i, node in enumerate(nodes):
            if limit is not None and i >= limit:
                break
            page = k.container_of(node, "struct page", "list")
            flags = k.u32(page["flags"])
            maps = m.page_mappings(page)
            accessed = False
            for mm_addr, va in maps:
                if mm_addr not in tables:
                    tables[mm_addr] = m.mm_tables(frames.mm_value(mm_addr))
                _, pte = tables[mm_addr].lookup(va)
                if pte and pte & m.PTE_A:
                    accessed = True
            referenced += 1 if accessed else 0
            age = format(frames.policy_data(flags), "08b") \
                if name == "aging" else "-"
            first = "%s 0x%08x" % (k.describe_mm(maps[0][0], owners),
                                   maps[0][1]) if maps else "not mapped"
            more = " (+%d more)" % (len(maps) - 1) if len(maps) > 1 else ""
            print("%4d  %05x    %s  %-8s  %s%s"
                  % (i, m.pfn_of_page(page), "A" if accessed else "-", age,
                     first, more))
        shown = len(nodes) if limit is None else min(limit, len(nodes))
        print("%d of %d pages shown, %d of them referenced%s%s"
              % (shown, len(nodes), referenced,
                 "" if len(nodes) == k.u32(st["tracked"])
                 else "  <- the list length differs from tracked",
                 "" if limit is None or limit >= len(nodes)
                 else " (pagoda-policy -a shows all)"))
        others = ["%s %d" % (k.c_string(p["name"]),
                             k.u32(p["stats"]["tracked"]))
                  for p in policies() if k.u32(p.address) !=
                  k.u32(policy.address)]
        print("other policies, pages tracked: %s" % ", ".join(others))
