# tools/gdb/pagoda_gdb/memory.py - the memory manager's structures as the
# helpers read them: page tables (mm/pgtable.h), struct page and the
# reverse map (mm/page.h, mm/rmap.h), regions (mm/mm.h) and the swap area
# and cache (mm/swapfile.c, mm/swap_state.c). Built on kernel.py, which
# knows how to find variables, fields and lists.

import gdb

from .kernel import (KERNEL_VMA, LIST_LIMIT, PAGE_SHIFT, PAGE_SIZE, c_string,
                     control_register, enum_name, enum_values, list_entries,
                     lookup_type, read_phys_words, u32, variable)

# mm/pgtable.h (Intel SDM vol. 3A, 4.3, tables 4-5 and 4-6)
PTE_P = 1 << 0
PTE_W = 1 << 1
PTE_U = 1 << 2
PTE_A = 1 << 5
PTE_D = 1 << 6
PDE_PS = 1 << 7
PTE_COW = 1 << 9
PTE_SWAP_MARK = 1 << 1  # set in every swap entry (not present)
PTE_SOFT_MASK = 0xE00
FRAME_MASK = 0xFFFFF000
LARGE_FRAME_MASK = 0xFFC00000
PDE_SHIFT = 22
KERNEL_PDE_FIRST = KERNEL_VMA >> PDE_SHIFT
# Bit names of PTEs and PDEs as mm/pgtable.h defines them; bit 7 is PS in
# a PDE and PAT in a PTE, bits 9-11 are the software bits.
PTE_BITS = [
    (0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"),
    (6, "D"), (7, None), (8, "G"), (9, "COW"), (10, "SOFT10"),
    (11, "SOFT11"),
]

# mm/page.h: bits of struct page .flags beside enum page_flags
PG_ORDER_SHIFT = 24
PG_ORDER_MASK = 0xF << PG_ORDER_SHIFT
PG_POLICY_SHIFT = 15
PG_POLICY_MASK = 0x1FF << PG_POLICY_SHIFT
# mm/policy.h and mm/policy_internal.h: the policy's bits
PG_POLICY_TRACKED = 1 << PG_POLICY_SHIFT
POLICY_DATA_SHIFT = PG_POLICY_SHIFT + 1
POLICY_DATA_MASK = PG_POLICY_MASK & ~PG_POLICY_TRACKED

# mm/mm.h: protection and region flags
MM_PROT_READ, MM_PROT_WRITE, MM_PROT_EXEC = 1, 2, 4
VMA_SHARED, VMA_GROWSDOWN, VMA_LOCKED = 1, 2, 4


# --- page tables -------------------------------------------------------------

def pte_flag_names(entry, is_pde=False):
    """The names of the flag bits of a present PTE or PDE."""
    names = []
    for bit, name in PTE_BITS:
        if entry & (1 << bit):
            names.append(name if name else ("PS" if is_pde else "PAT"))
    return names


def is_swap_entry(pte):
    return not pte & PTE_P and pte != 0


def swap_slot(pte):
    return pte >> PAGE_SHIFT


def describe_not_present(entry):
    """A non-present entry the way mm/pgtable.h encodes it."""
    if entry == 0:
        return "not present, never used"
    if entry & PTE_SWAP_MARK:
        soft = [name for bit, name in PTE_BITS
                if PTE_SOFT_MASK & entry & (1 << bit)]
        return "not present, swap entry: slot %d, software bits %s" % (
            swap_slot(entry), " ".join(soft) if soft else "none")
    return "not present, 0x%08x is neither empty nor a swap entry" % entry


class PageTables:
    """The two-level tables of one page directory, read on demand (a
    table at a time) and kept for the life of the object, which is one
    command: the CPU is stopped meanwhile."""

    def __init__(self, pgdir_phys):
        self.pgdir_phys = pgdir_phys & FRAME_MASK
        self._pgdir = None
        self._tables = {}

    def pgdir(self):
        if self._pgdir is None:
            self._pgdir = read_phys_words(self.pgdir_phys, 1024)
        return self._pgdir

    def table(self, pde):
        frame = pde & FRAME_MASK
        if frame not in self._tables:
            self._tables[frame] = read_phys_words(frame, 1024)
        return self._tables[frame]

    def lookup(self, va):
        """(pde, pte) of va; pte is None when there is no page table
        (PDE absent, or a 4 MiB page)."""
        pde = self.pgdir()[va >> PDE_SHIFT]
        if not pde & PTE_P or pde & PDE_PS:
            return pde, None
        return pde, self.table(pde)[(va >> PAGE_SHIFT) & 0x3FF]

    def entries(self, start, end):
        """(va, entry, size) for every entry that is not none in
        [start, end), in address order: size is PAGE_SIZE for a PTE, 4 MiB
        for a PDE that maps a 4 MiB page itself (PS)."""
        pgdir = self.pgdir()
        va = start & FRAME_MASK
        while va < end:
            pdi = va >> PDE_SHIFT
            pde = pgdir[pdi]
            next_pde = (pdi + 1) << PDE_SHIFT
            if not pde & PTE_P:
                va = next_pde
                continue
            if pde & PDE_PS:
                yield pdi << PDE_SHIFT, pde, 1 << PDE_SHIFT
                va = next_pde
                continue
            table = self.table(pde)
            stop = min(end, next_pde)
            while va < stop:
                pte = table[(va >> PAGE_SHIFT) & 0x3FF]
                if pte:
                    yield va, pte, PAGE_SIZE
                va += PAGE_SIZE


def mm_tables(mm):
    return PageTables(u32(mm["space"]["pgdir_phys"]))


def current_tables():
    return PageTables(control_register("cr3"))


# --- struct page -------------------------------------------------------------

def mem_map():
    return variable("mem_map")


def max_pfn():
    return u32(variable("max_pfn"))


def page_of_pfn(pfn):
    """struct page of frame pfn (a gdb.Value), or None if not managed."""
    if pfn >= max_pfn():
        return None
    return mem_map()[pfn]


def pfn_of_page(page):
    """Frame number of a struct page (a value or its address)."""
    addr = u32(page.address) if isinstance(page, gdb.Value) and \
        page.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT \
        else u32(page)
    size = lookup_type("struct page").sizeof
    return (addr - u32(mem_map())) // size


def page_flag_names(flags):
    """Names of the enum page_flags bits set in flags (without PG_)."""
    return [name for name, v in enum_values("enum page_flags", "PG_")
            if flags & v]


def describe_page_flags(flags):
    """flags of a struct page in words: names, order, policy bits."""
    parts = page_flag_names(flags) or ["none"]
    text = " ".join(parts)
    if flags & PG_ORDER_MASK:
        text += ", order %d" % ((flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT)
    if flags & PG_POLICY_TRACKED:
        text += ", tracked by the policy"
        data = (flags & POLICY_DATA_MASK) >> POLICY_DATA_SHIFT
        if data:
            text += " (policy data 0x%02x)" % data
    return text


def page_mappings(page):
    """[(mm address, va)] of a user frame: its reverse map (mm/rmap.h).
    A private page is found through its anonymous family: in each region
    of the family, the address of the page's index, if the region covers
    it and its PTE maps the frame. A shm page has its chain of items."""
    flags = u32(page["flags"])
    out = []
    if not flags & flag_value("PG_SHM"):
        return family_mappings(page)
    item = page["rmap"].cast(lookup_type("struct rmap_item").pointer())
    count = 0
    while u32(item):
        out.append((u32(item["mm"]), u32(item["va"])))
        item = item["next"]
        count += 1
        if count > LIST_LIMIT:
            raise gdb.GdbError("reverse map of frame 0x%x loops"
                               % pfn_of_page(page))
    return out


def family_mappings(page):
    """The mappings of a private frame, walking its family's regions as
    mm/rmap.c does; stops after map count of them."""
    left = u32(page["mapcount"])
    family = page["user"]["anon"]["family"]
    if not left or not u32(family):
        return []
    index = u32(page["user"]["anon"]["index"])
    frame = pfn_of_page(page) << PAGE_SHIFT
    out = []
    for v in list_entries(family["vmas"], "struct vma", "family_node"):
        vpn = (index - u32(v["anon_delta"])) & 0xFFFFFFFF
        va = (vpn << PAGE_SHIFT) & 0xFFFFFFFF
        if not (vpn < (1 << 20) and u32(v["start"]) <= va < u32(v["end"])):
            continue
        _, pte = mm_tables(v["mm"].dereference()).lookup(va)
        if pte is None or not pte & PTE_P or pte & FRAME_MASK != frame:
            continue
        out.append((u32(v["mm"]), va))
        if len(out) == left:
            break
    return out


def family_regions(page):
    """The regions of a private frame's anonymous family (mm/rmap.h)."""
    family = page["user"]["anon"]["family"]
    if not u32(family):
        return []
    return list(list_entries(family["vmas"], "struct vma", "family_node"))


_flag_cache = {}


def flag_value(name):
    """The value of a PG_* enumerator."""
    if name not in _flag_cache:
        for n, v in enum_values("enum page_flags"):
            _flag_cache[n] = v
    if name not in _flag_cache:
        raise gdb.GdbError("enum page_flags has no %s" % name)
    return _flag_cache[name]


# --- regions -----------------------------------------------------------------

def vmas(mm):
    """The regions of an address space, in address order."""
    return list(list_entries(mm["vmas"], "struct vma", "node"))


def find_vma(regions, va):
    for v in regions:
        if u32(v["start"]) <= va < u32(v["end"]):
            return v
    return None


def vma_perms(v):
    prot, flags = int(v["prot"]), int(v["flags"])
    return "%s%s%s%s" % ("r" if prot & MM_PROT_READ else "-",
                         "w" if prot & MM_PROT_WRITE else "-",
                         "x" if prot & MM_PROT_EXEC else "-",
                         "s" if flags & VMA_SHARED else "p")


def vma_kind(v):
    return enum_name(v["kind"], "enum vma_kind", "VMA_").lower()


def vma_name(v):
    """What /proc/PID/maps shows as the region's path (mm/mm.c,
    vma_describe)."""
    kind = vma_kind(v)
    if kind == "file":
        return c_string(v["file"]["path"])
    if kind == "heap":
        return "[heap]"
    if kind == "stack":
        return "[stack]"
    if kind == "shm":
        shm = v["shm"].dereference()
        if int(shm["id"]) >= 0:
            return "/SYSV%08x%s" % (u32(shm["orig_key"]),
                                    " (deleted)" if bool(shm["removed"])
                                    else "")
        return "/dev/zero (deleted)"
    return ""


# mm/mm.c: the column where maps lines put the path, and the device number
# shown for shared memory.
MAPS_NAME_COLUMN = 72
MAPS_SHM_DEV = 0x01


def vma_maps_line(v):
    """The region as a line of /proc/PID/maps, as mm/mm.c formats it."""
    kind = vma_kind(v)
    offset = dev = ino = 0
    if kind == "file":
        offset = int(v["file"]["offset"])  # 64-bit, as Linux prints it
        dev = u32(v["file"]["dev"])
        ino = u32(v["file"]["ino"])
    elif kind == "shm":
        offset = u32(v["shm_pgoff"]) << PAGE_SHIFT
        dev = MAPS_SHM_DEV
        ino = u32(v["shm"]["ino"])
    line = "%08x-%08x %s %08x %02x:%02x %d " % (
        u32(v["start"]), u32(v["end"]), vma_perms(v), offset, dev >> 8,
        dev & 0xFF, ino)
    name = vma_name(v)
    if name:
        line = line.ljust(MAPS_NAME_COLUMN) + " " + name
    return line


def vma_label(v):
    """A short label of a region: range, permissions, name or kind."""
    name = vma_name(v) or "[%s]" % vma_kind(v)
    return "%08x-%08x %s %s" % (u32(v["start"]), u32(v["end"]),
                                vma_perms(v), name)


# --- swap --------------------------------------------------------------------

def swap_areas():
    """The active swap areas (areas[] of mm/swapfile.c with a device),
    in the order of the array."""
    table = variable("areas", "mm/swapfile.c")
    n = table.type.strip_typedefs().range()[1] + 1
    return [table[i] for i in range(n) if u32(table[i]["dev"])]


def swap_slot_refs(slot):
    """References of a swap slot (mm/swapfile.c refs[]), 0 if none. A
    slot number is global: its area is the one whose range holds it."""
    for area in swap_areas():
        base = u32(area["base"])
        if base <= slot <= base + u32(area["last_page"]):
            return int(area["refs"][slot - base])
    return 0


# mm/swap_state.c: slots per chunk of the swap cache's lookup table
SWAP_CACHE_CHUNK_SLOTS = 1024


def swap_cache_lookup(slot):
    """The struct page in the swap cache for slot (private pages), or
    None (mm/swap_state.c, swap_cache_lookup)."""
    chunks = variable("chunks", "mm/swap_state.c")
    index = slot // SWAP_CACHE_CHUNK_SLOTS
    nchunks = chunks.type.strip_typedefs().range()[1] + 1
    if index >= nchunks or u32(chunks[index]) == 0:
        return None
    page = chunks[index][slot % SWAP_CACHE_CHUNK_SLOTS]
    return page.dereference() if u32(page) else None
