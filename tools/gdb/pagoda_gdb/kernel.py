# tools/gdb/pagoda_gdb/kernel.py - reading Pagoda from GDB: variables,
# struct fields, enums, lists, processes, registers and physical memory.
#
# Everything here goes through the kernel's debug information: field names
# come from the C structs (gdb.lookup_type), enumerators from the C enums,
# and static variables are looked up in the file that defines them, so a
# renamed field fails loudly instead of reading the wrong bytes. Only
# preprocessor constants, which the debug information does not carry, are
# repeated below, each with the header it comes from. memory.py builds the
# memory manager's structures on this (page tables, struct page, regions,
# swap); the commands are in the other files of the package, which
# tools/gdb/pagoda.py loads.

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

# CR0.PG and CR4.PSE (SDM vol. 3A, 2.5)
CR0_PG = 1 << 31
CR4_PSE = 1 << 4

# kernel/proc/proc.h
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
    """Byte offset of a member ("list", "user.anon.family") in a struct,
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
    return list(list_entries(variable("all_procs", "kernel/proc/proc.c"),
                             "struct proc", "all"))


def current_process():
    return variable("current").dereference()


def proc_name(p):
    return char_array(p["name"])


def find_process(pid):
    """The process with this PID, or a GdbError."""
    if pid == 0:
        return variable("idle_proc", "kernel/proc/sched.c")
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


def option_and_process(arg, option, usage):
    """For "[OPTION] [PID]" arguments: (whether OPTION was given, the
    process PID names, or the current one)."""
    args = split_args(arg)
    given = option in args
    args = [a for a in args if a != option]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        raise gdb.GdbError("usage: " + usage)
    return given, process_arg(args[0] if args else None)


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
