# tools/gdb/pagoda_gdb/kernel.py - reading Pagoda's own data structures
# from GDB: variables, lists, processes, physical memory, flags.
#
# Everything here goes through the kernel's debug information: field names
# come from the C structs (gdb.lookup_type), enumerators from the C enums,
# and static variables are looked up in the file that defines them, so a
# renamed field fails loudly instead of reading the wrong bytes. Only
# preprocessor constants, which the debug information does not carry, are
# repeated below, each with the header it comes from.
#
# The commands built on this module are in the other files of the package;
# tools/gdb/pagoda.py loads them all.

import re
import struct

import gdb

# mm/types.h
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
KERNEL_VMA = 0xC0000000
LOWMEM_LIMIT = 0x30000000  # physical memory below is direct-mapped
# mm/vm.h: the dynamic kernel mappings (kernel stacks, vmap)
VMAP_START = 0xF0000000
VMAP_END = 0xFF800000

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

# CR0.PG and CR4.PSE (SDM vol. 3A, 2.5)
CR0_PG = 1 << 31
CR4_PSE = 1 << 4

# mm/page.h: bits of struct page .flags beside enum page_flags
PG_ORDER_SHIFT = 24
PG_ORDER_MASK = 0xF << PG_ORDER_SHIFT
PG_POLICY_SHIFT = 15
PG_POLICY_MASK = 0x1FF << PG_POLICY_SHIFT
# mm/policy.h and mm/policy_internal.h: the policy's bits
PG_POLICY_TRACKED = 1 << PG_POLICY_SHIFT
POLICY_DATA_SHIFT = PG_POLICY_SHIFT + 1
POLICY_DATA_MASK = PG_POLICY_MASK & ~PG_POLICY_TRACKED

# mm/mm.h: page-fault error code (SDM vol. 3A, 4.7) and region flags
PF_BITS = [(0, "present", "not-present"), (1, "write", "read"),
           (2, "user", "kernel"), (3, "reserved-bit", None),
           (4, "fetch", None)]
MM_PROT_READ, MM_PROT_WRITE, MM_PROT_EXEC = 1, 2, 4
VMA_SHARED, VMA_GROWSDOWN, VMA_LOCKED = 1, 2, 4

# kernel/proc.h
PROC_MAX_PIDS = 32768

# Lists longer than this are taken to be corrupt (a loop that never
# returns to its head).
LIST_LIMIT = 1 << 22


def u32(value):
    """A gdb.Value (or int) as an unsigned 32-bit Python int."""
    return int(value) & 0xFFFFFFFF


def variable(name, filename=None):
    """The value of a kernel variable: a global, or the static one that
    the source file ending with `filename` defines."""
    sym = None
    if filename is None:
        sym = gdb.lookup_global_symbol(name)
        if sym is None:
            sym = gdb.lookup_static_symbol(name)
    else:
        for s in gdb.lookup_static_symbols(name):
            if s.symtab is not None and \
                    s.symtab.filename.endswith(filename):
                sym = s
                break
    if sym is None:
        where = " of %s" % filename if filename else ""
        raise gdb.GdbError("no variable %s%s in the symbols: is "
                           "build/kernel.elf loaded (`file`)?"
                           % (name, where))
    value = sym.value()
    if value.is_optimized_out:
        raise gdb.GdbError("%s is optimized out" % name)
    return value


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise gdb.GdbError("no type %s in the kernel's debug information"
                           % name)


def offset_of(type_, path):
    """Byte offset of a member ("list", "user.map.mm") in a struct,
    looking through anonymous unions and structs as C does."""
    type_ = type_.strip_typedefs()
    offset = 0
    for name in path.split("."):
        found = _find_field(type_, name)
        if found is None:
            raise gdb.GdbError("%s has no member %s" % (type_, name))
        field_offset, type_ = found
        offset += field_offset
        type_ = type_.strip_typedefs()
    return offset


def _find_field(type_, name):
    for f in type_.fields():
        if f.name == name:
            return f.bitpos // 8, f.type
        if f.name is None:  # an anonymous union or struct
            inner = _find_field(f.type.strip_typedefs(), name)
            if inner is not None:
                return f.bitpos // 8 + inner[0], inner[1]
    return None


def container_of(ptr, typename, member):
    """The struct typename that holds the member at address ptr."""
    type_ = lookup_type(typename)
    addr = u32(ptr) - offset_of(type_, member)
    return gdb.Value(addr).cast(type_.pointer()).dereference()


def list_nodes(head):
    """The nodes of a struct list_node list (libk/list.h), given its head
    (the struct, not a pointer), from the first to the last."""
    head_addr = u32(head.address)
    node = head["next"]
    count = 0
    while u32(node) != head_addr:
        if u32(node) == 0:
            raise gdb.GdbError("list at 0x%08x has a NULL link"
                               % head_addr)
        yield node
        count += 1
        if count > LIST_LIMIT:
            raise gdb.GdbError("list at 0x%08x never comes back to its "
                               "head: corrupt?" % head_addr)
        node = node["next"]


def list_entries(head, typename, member):
    """The structs typename linked through their member `member`."""
    for node in list_nodes(head):
        yield container_of(node, typename, member)


def enum_values(typename, prefix=""):
    """[(name without prefix, value)] of a C enum, in value order."""
    out = []
    for f in lookup_type(typename).fields():
        name = f.name[len(prefix):] if f.name.startswith(prefix) \
            else f.name
        out.append((name, f.enumval))
    return sorted(out, key=lambda nv: nv[1])


def enum_name(value, typename, prefix=""):
    for name, v in enum_values(typename, prefix):
        if v == int(value):
            return name
    return str(int(value))


def c_string(ptr, limit=256):
    """The C string a char pointer points at, or "" for NULL."""
    if u32(ptr) == 0:
        return ""
    try:
        return ptr.string(errors="replace", length=-1)[:limit]
    except gdb.MemoryError:
        return "<unreadable 0x%08x>" % u32(ptr)


def char_array(value):
    """A char array member (e.g. proc.name) up to its NUL."""
    return value.string(errors="replace").split("\0")[0]


# --- commands and arguments --------------------------------------------------

class Command(gdb.Command):
    """A pagoda-* command: subclasses implement run(arg). Memory that
    cannot be read (a variable before paging is on, a bad pointer) ends
    the command with one clear line instead of a Python traceback."""

    def invoke(self, arg, from_tty):
        try:
            self.run(arg)
        except gdb.MemoryError as e:
            raise gdb.GdbError(
                "%s: %s (kernel variables are readable once paging is on, "
                "after higher_half in boot/entry.asm)" % (self._name, e))

    def __init__(self, name, *args):
        super().__init__(name, gdb.COMMAND_USER, *args)
        self._name = name


def split_args(arg):
    return gdb.string_to_argv(arg)


def expr_and_rest(arg):
    """(expression, [other words]) of "EXPR [WORDS...]": the whole text
    when it is one expression (spaces allowed, as in `mem_map + 5`),
    else its first word."""
    text = arg.strip()
    try:
        gdb.parse_and_eval(text)
        return text, []
    except gdb.error:
        words = split_args(text)
        return (words[0] if words else ""), words[1:]


def eval_int(expr):
    """An expression (0x1000, $esp, &buf, a variable) as an unsigned int."""
    try:
        return u32(gdb.parse_and_eval(expr))
    except gdb.error as e:
        raise gdb.GdbError("cannot evaluate %s: %s" % (expr, e))


# --- processes ---------------------------------------------------------------

def processes():
    """Every process (struct proc values), in order of creation."""
    return list(list_entries(variable("all_procs", "kernel/proc.c"),
                             "struct proc", "all"))


def current_process():
    return variable("current").dereference()


def proc_name(p):
    return char_array(p["name"])


def find_process(pid):
    """The process with this PID, or a GdbError."""
    if pid == 0:
        return variable("idle_proc", "kernel/sched.c")
    for p in processes():
        if int(p["pid"]) == pid:
            return p
    raise gdb.GdbError("no process with PID %d (pagoda-ps lists them)"
                       % pid)


def process_arg(arg):
    """The process a PID argument names; the current one when empty."""
    if arg is None or arg == "":
        return current_process()
    return find_process(eval_int(arg))


def process_mm(p):
    """The struct mm of a process, or a GdbError saying why it has none."""
    mm = p["mm"]
    if u32(mm) == 0:
        what = "the idle process" if int(p["pid"]) == 0 else \
            "it is a zombie" if enum_name(p["state"], "enum proc_state",
                                          "PROC_") == "ZOMBIE" else \
            "none"
        raise gdb.GdbError("PID %d (%s) has no address space (%s); give "
                           "the PID of a user process"
                           % (int(p["pid"]), proc_name(p), what))
    return mm.dereference()


def owners_of_mms():
    """{address of a struct mm: the process using it}."""
    return {u32(p["mm"]): p for p in processes() if u32(p["mm"])}


def describe_mm(mm_addr, owners):
    p = owners.get(mm_addr)
    if p is None:
        return "mm 0x%08x (no process)" % mm_addr
    return "pid %d (%s)" % (int(p["pid"]), proc_name(p))


# --- registers and physical memory ------------------------------------------

def control_register(name):
    """CR0/CR3/CR4, from GDB's registers or the QEMU monitor."""
    try:
        return u32(gdb.parse_and_eval("$" + name))
    except gdb.error:
        pass
    # Older QEMU stubs do not describe control registers to GDB.
    out = gdb.execute("monitor info registers", to_string=True)
    m = re.search(r"\b%s=([0-9a-fA-F]+)" % name.upper(), out)
    if not m:
        raise gdb.GdbError("cannot read %s" % name)
    return int(m.group(1), 16)


def paging_on():
    return bool(control_register("cr0") & CR0_PG)


def read_phys_xp(paddr, nwords):
    """nwords 32-bit words at a physical address, via QEMU's `xp`."""
    out = gdb.execute("monitor xp /%dwx 0x%x" % (nwords, paddr),
                      to_string=True)
    words = []
    for line in out.splitlines():
        if ":" in line:
            words += [int(w, 16) for w in
                      re.findall(r"0x([0-9a-fA-F]+)", line.split(":", 1)[1])]
    if len(words) != nwords:
        raise gdb.GdbError("cannot read physical address 0x%08x: %s"
                           % (paddr, out.strip()[:200]))
    return words


def read_phys_words(paddr, nwords):
    """32-bit words at a physical address: through the kernel's direct map
    when the address is in lowmem and paging is on (one memory read),
    else (or if that fails) through QEMU's monitor."""
    inferior = gdb.selected_inferior()
    size = nwords * 4
    if paging_on():
        if paddr + size <= LOWMEM_LIMIT:
            try:
                data = inferior.read_memory(KERNEL_VMA + paddr,
                                            size).tobytes()
                return list(struct.unpack("<%dI" % nwords, data))
            except gdb.MemoryError:
                pass
    else:
        # Paging off: linear addresses are physical.
        data = inferior.read_memory(paddr, size).tobytes()
        return list(struct.unpack("<%dI" % nwords, data))
    return read_phys_xp(paddr, nwords)


def read_u32(addr):
    data = gdb.selected_inferior().read_memory(addr, 4).tobytes()
    return struct.unpack("<I", data)[0]


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
    """[(mm address, va)] of a user frame: its reverse map (mm/rmap.h),
    the pair kept in the struct page first, then the chain of items."""
    flags = u32(page["flags"])
    out = []
    shm = flag_value("PG_SHM")
    if not flags & shm and u32(page["user"]["map"]["mm"]):
        out.append((u32(page["user"]["map"]["mm"]),
                    u32(page["user"]["map"]["va"])))
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
        offset = u32(v["file"]["offset"])
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

def swap_area():
    return variable("area", "mm/swapfile.c")


def swap_slot_refs(slot):
    """References of a swap slot (mm/swapfile.c refs[]), 0 if none."""
    area = swap_area()
    if u32(area["dev"]) == 0 or slot > u32(area["last_page"]):
        return 0
    return int(area["refs"][slot])


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
