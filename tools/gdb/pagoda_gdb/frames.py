# tools/gdb/pagoda_gdb/frames.py - pagoda-page: everything the kernel
# knows about one physical frame, from its struct page (mm/page.h).
#
# A frame is free (in the buddy allocator or one of its hot-block caches),
# allocated (for the kernel, a slab, a page table, or user memory), or
# reserved; a frame inside a block has no state of its own and is
# described through the block's first frame. For user frames it follows
# the reverse map (mm/rmap.h) to every PTE that maps the frame, and reads
# the replacement policy's and the swap cache's view of it.

import gdb

from . import kernel as k
from . import memory as m


def mm_value(mm_addr):
    return gdb.Value(mm_addr).cast(k.lookup_type("struct mm").pointer()) \
        .dereference()


def policy_list(policy):
    """The list head of a policy: by convention the static NAME_pages of
    mm/policy_NAME.c (every policy keeps its pages on one list,
    mm/policy_internal.h)."""
    name = k.c_string(policy["name"])
    return k.variable("%s_pages" % name, "mm/policy_%s.c" % name)


def active_policy():
    """The active replacement policy (mm/vmscan.c: `active`, NULL meaning
    the first of vm_policies)."""
    active = k.variable("active", "mm/vmscan.c")
    if k.u32(active) == 0:
        active = k.variable("vm_policies")[0]
    return active.dereference()


def policy_position(page, policy):
    """(index of page on the policy's list, list length)."""
    target = k.u32(page["list"].address)
    index = None
    n = 0
    for node in k.list_nodes(policy_list(policy)):
        if k.u32(node) == target:
            index = n
        n += 1
    return index, n


def policy_data(flags):
    return (flags & m.POLICY_DATA_MASK) >> m.POLICY_DATA_SHIFT


def pcp_order_of(page):
    """The order of the hot-block cache holding page, or None."""
    pcp = k.variable("pcp", "mm/page_alloc.c")
    target = k.u32(page["list"].address)
    for order in range(pcp.type.strip_typedefs().range()[1] + 1):
        for node in k.list_nodes(pcp[order]["list"]):
            if k.u32(node) == target:
                return order
    return None


def block_head(pfn):
    """For a frame with no flags: (head pfn, order, what) of the block
    that contains it, or None."""
    buddy, pcp_flag = m.flag_value("PG_BUDDY"), m.flag_value("PG_PCP")
    head_flag = m.flag_value("PG_HEAD")
    for order in range(1, 11):
        head = pfn & ~((1 << order) - 1)
        if head == pfn:
            continue
        page = m.page_of_pfn(head)
        flags = k.u32(page["flags"])
        if flags & buddy and k.u32(page["order"]) >= order:
            return head, k.u32(page["order"]), "a free block"
        if flags & pcp_flag:
            o = pcp_order_of(page)
            if o is not None and o >= order:
                return head, o, "a cached free block"
        if flags & head_flag:
            o = (flags & m.PG_ORDER_MASK) >> m.PG_ORDER_SHIFT
            if o >= order:
                return head, o, "an allocated block (%s)" % " ".join(
                    m.page_flag_names(flags))
    return None


def describe_user(page, owners, out):
    """The user-frame part: mappings, policy, swap cache."""
    flags = k.u32(page["flags"])
    shm_flag = m.flag_value("PG_SHM")
    maps = m.page_mappings(page)
    if flags & shm_flag:
        out.append("mappings  %d (reverse-map item%s)"
                   % (len(maps), "" if len(maps) == 1 else "s"))
    else:
        mapcount = k.u32(page["mapcount"])
        regions = m.family_regions(page) if mapcount else []
        out.append("mappings  %d (map count %d; anonymous family 0x%08x, "
                   "index 0x%x, %d region%s)"
                   % (len(maps), mapcount,
                      k.u32(page["user"]["anon"]["family"]),
                      k.u32(page["user"]["anon"]["index"]), len(regions),
                      "" if len(regions) == 1 else "s"))
        if len(maps) != mapcount:
            out.append("  the family finds %d mappings, the map count "
                       "says %d (a bug)" % (len(maps), mapcount))
    referenced = 0
    for mm_addr, va in maps:
        mm = mm_value(mm_addr)
        tables = m.mm_tables(mm)
        _, pte = tables.lookup(va)
        flags_text = " ".join(m.pte_flag_names(pte)) if pte else "no PTE!"
        if pte and pte & m.PTE_A:
            referenced += 1
        region = m.find_vma(m.vmas(mm), va)
        out.append("  %-20s va 0x%08x  PTE 0x%08x %-14s %s"
                   % (k.describe_mm(mm_addr, owners), va, pte or 0,
                      flags_text,
                      m.vma_label(region) if region is not None
                      else "(no region!)"))
    if flags & shm_flag:
        shm = page["user"]["shm"]
        out.append("shm       page %d of shm object 0x%08x (id %d, %d "
                   "pages)" % (k.u32(page["user"]["shm_idx"]), k.u32(shm),
                               int(shm["id"]), k.u32(shm["npages"])))
    policy = active_policy()
    name = k.c_string(policy["name"])
    ref = "referenced (A set in %d of %d PTEs)" % (referenced, len(maps)) \
        if referenced else "not referenced (no PTE has A set)"
    if flags & m.PG_POLICY_TRACKED:
        index, n = policy_position(page, policy)
        where = "position %d of %d from the front" % (index, n) \
            if index is not None else "NOT on its list (a bug)"
        if name == "clock":
            where += " (0 = under the hand)"
        elif name in ("fifo", "aging"):
            where += " (0 = oldest)"
        extra = ""
        if name == "aging":
            age = policy_data(flags)
            extra = ", age 0x%02x (%s)" % (age, format(age, "08b"))
        out.append("policy    %s: %s%s; %s" % (name, where, extra, ref))
    else:
        out.append("policy    not tracked by %s (locked, or not mapped "
                   "yet); %s" % (name, ref))
    slot = k.u32(page["user"]["slot"])
    if slot:
        cached = m.swap_cache_lookup(slot)
        agree = "" if flags & shm_flag or (
            cached is not None and k.u32(cached.address) ==
            k.u32(page.address)) else " (the lookup table disagrees!)"
        out.append("swap      in the swap cache: slot %d holds a copy "
                   "(%d slot references)%s"
                   % (slot, m.swap_slot_refs(slot), agree))
    else:
        out.append("swap      not in the swap cache")


def describe_frame(pfn):
    """The lines pagoda-page prints about frame pfn."""
    page = m.page_of_pfn(pfn)
    if page is None:
        return ["frame 0x%05x is beyond the memory map (max_pfn 0x%05x)"
                % (pfn, m.max_pfn())]
    flags = k.u32(page["flags"])
    out = ["frame 0x%05x (physical 0x%08x), struct page at 0x%08x"
           % (pfn, pfn << k.PAGE_SHIFT, k.u32(page.address)),
           "flags     0x%08x: %s" % (flags, m.describe_page_flags(flags)),
           "refcount  %d" % int(page["refcount"])]
    fv = m.flag_value
    if flags & fv("PG_BUDDY"):
        order = k.u32(page["order"])
        out.append("state     free: first frame of a block of order %d "
                   "(frames 0x%05x-0x%05x) on the buddy list"
                   % (order, pfn, pfn + (1 << order) - 1))
    elif flags & fv("PG_PCP"):
        order = pcp_order_of(page)
        out.append("state     free: first frame of a block in the "
                   "hot-block cache of order %s" % order)
    elif flags & fv("PG_SLAB"):
        slab = page["slab"]
        cache = slab["cache"]
        out.append("state     slab of cache %s: %d of %d objects in use, "
                   "2^%d pages, free list at 0x%08x"
                   % (k.char_array(cache["name"]), int(slab["inuse"]),
                      k.u32(cache["objs_per_slab"]), int(slab["order"]),
                      k.u32(slab["freelist"])))
    elif flags & fv("PG_PGTABLE"):
        out.append("state     a page table or directory: %d entries in "
                   "use" % k.u32(page["pt_used"]))
    elif flags & fv("PG_USER"):
        out.append("state     user memory")
        describe_user(page, k.owners_of_mms(), out)
    elif flags & fv("PG_KERNEL"):
        out.append("state     allocated for the kernel, order %d"
                   % ((flags & m.PG_ORDER_MASK) >> m.PG_ORDER_SHIFT))
    elif flags & fv("PG_RESERVED"):
        out.append("state     reserved: never given to the allocator%s"
                   % (" (boot data, can be released)"
                      if flags & fv("PG_BOOTMEM") else ""))
    elif flags == 0:
        head = block_head(pfn)
        if head is None:
            out.append("state     no flags and no block around it")
        else:
            hpfn, order, what = head
            out.append("state     frame %d of %s of order %d starting at "
                       "frame 0x%05x (pagoda-page -f 0x%x)"
                       % (pfn - hpfn, what, order, hpfn, hpfn))
    return out


class PagodaPage(k.Command):
    """Describe one physical frame and its struct page.
Usage: pagoda-page PFN              a frame number (below max_pfn)
       pagoda-page VA [PID]         the frame a virtual address maps
       pagoda-page -f PFN | -v VA [PID] | -p PADDR
       pagoda-page PAGE             an expression of type struct page *

A number below max_pfn is taken as a frame number, anything else as a
virtual address (in process PID, default the current address space; the
kernel's direct map needs no PID); -f, -v and -p (physical address)
decide instead. Prints the flags by name, the refcount and the state the
flags tell: a free block and its order, a slab and its cache, a page
table, a reserved frame, a frame inside a larger block. For user memory:
every mapping from the reverse map (pid, virtual address, the PTE and its
flags, the region), the replacement policy's view (tracked or not,
position on its list, the aging policy's age, referenced = accessed bit
set in some PTE) and the swap cache (the slot holding a copy). For a VA
whose PTE is a swap entry, the slot and the cached frame if any."""

    def __init__(self):
        super().__init__("pagoda-page", gdb.COMPLETE_EXPRESSION)

    def run(self, arg):
        mode = None
        text = arg.strip()
        if text[:3] in ("-f ", "-v ", "-p "):
            mode, text = text[:2], text[3:]
        expr, rest = k.expr_and_rest(text)
        args = [expr] + rest
        if not expr or len(args) > 2 or (len(args) == 2 and mode in
                                         ("-f", "-p")):
            raise gdb.GdbError("usage: pagoda-page PFN | VA [PID] | "
                               "-f PFN | -v VA [PID] | -p PADDR")
        if mode is None and len(args) == 1:
            value = gdb.parse_and_eval(args[0])
            t = value.type.strip_typedefs()
            if t.code == gdb.TYPE_CODE_PTR and \
                    t.target().strip_typedefs().tag == "page":
                for line in describe_frame(m.pfn_of_page(value)):
                    print(line)
                return
            mode = "-f" if k.u32(value) < m.max_pfn() else "-v"
        elif mode is None:
            mode = "-v"
        x = k.eval_int(args[0])
        if mode == "-f":
            pfn = x
        elif mode == "-p":
            pfn = x >> k.PAGE_SHIFT
        else:
            pfn = self.resolve_va(x, args[1] if len(args) == 2 else None)
            if pfn is None:
                return
        for line in describe_frame(pfn):
            print(line)

    def resolve_va(self, va, pid_arg):
        """The frame behind va, or None after saying why there is none."""
        if va >= k.KERNEL_VMA and va < k.VMAP_START and pid_arg is None:
            return (va - k.KERNEL_VMA) >> k.PAGE_SHIFT
        if pid_arg is not None:
            proc = k.find_process(k.eval_int(pid_arg))
            tables = m.mm_tables(k.process_mm(proc))
            who = "pid %d" % int(proc["pid"])
        else:
            tables = m.current_tables()
            who = "the current address space"
        pde, pte = tables.lookup(va)
        if pte is None:
            if pde & m.PTE_P and pde & m.PDE_PS:
                return ((pde & m.LARGE_FRAME_MASK) +
                        (va & ~m.LARGE_FRAME_MASK)) >> k.PAGE_SHIFT
            print("0x%08x is not mapped in %s (no page table)" % (va, who))
            return None
        if pte & m.PTE_P:
            return pte >> k.PAGE_SHIFT
        if pte == 0:
            print("0x%08x is not mapped in %s (never touched)" % (va, who))
            return None
        slot = m.swap_slot(pte)
        print("0x%08x in %s is in swap: PTE 0x%08x, slot %d with %d "
              "reference(s)" % (va, who, pte, slot, m.swap_slot_refs(slot)))
        cached = m.swap_cache_lookup(slot)
        if cached is None:
            print("the slot is not in the swap cache: a fault reads it "
                  "from the swap device")
            return None
        print("the swap cache holds it as the frame below: a fault maps "
              "that without I/O")
        return m.pfn_of_page(cached)
