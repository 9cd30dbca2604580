# tools/gdb/pagoda_gdb/user.py - debugging user programs along with the
# kernel:
#
#   pagoda-user PROG [PID]   load PROG's symbols at the addresses it is
#                            linked at (static i386 programs are not
#                            relocated); PID, or else PROG's name, is the
#                            process that pagoda-ubreak stops in
#   pagoda-user -d           forget them
#   pagoda-ubreak LOCATION   a breakpoint that stops only in that process
#
# and an unwinder for the trap entry (boot/trap_entry.asm), so that GDB's
# own `bt` goes on from trap_dispatch through the trap frame into the code
# the trap interrupted: the kernel's, or the user program's, whose
# functions GDB then names and unwinds (with the program's .eh_frame) once
# pagoda-user has loaded its symbols.
#
# Why hardware breakpoints: every process maps its program at the same
# addresses, and a software breakpoint is an int3 written into the frame
# behind the address, which GDB writes through the page tables loaded at
# that moment: into another process's page, into a file page that
# processes share after fork, or nowhere (a page not yet touched). A
# debug-register breakpoint (SDM vol. 3B, 17.2) compares linear addresses
# and writes nothing; it fires in every process at that address, and the
# breakpoint's stop() lets GDB stop only when `current` is the process
# asked for. x86 has four debug registers: four such breakpoints at once.

import os

import gdb
import gdb.unwinder

from . import kernel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

# Where a program name is looked for, in order (the initramfs's /bin
# first: it is what the kernel runs).
PROGRAM_DIRS = ["build/initramfs/bin", "build/tests/user", "build/tests/gdb",
                "build/tests/trace", "build/tests/robust"]

# The loaded program: its path, and the process filter.
_state = {"path": None, "name": None, "pid": None}


def find_program(prog):
    if os.path.sep in prog or os.path.exists(prog):
        if os.path.isfile(prog):
            return prog
        raise gdb.GdbError("pagoda-user: no file %s" % prog)
    for d in PROGRAM_DIRS:
        path = os.path.join(ROOT, d, prog)
        if os.path.isfile(path):
            return path
    raise gdb.GdbError("pagoda-user: no program %s in %s"
                       % (prog, ", ".join(PROGRAM_DIRS)))


def unload():
    if _state["path"]:
        try:
            gdb.execute("remove-symbol-file %s" % _state["path"],
                        to_string=True)
        except gdb.error:
            pass
    _state.update(path=None, name=None, pid=None)


def in_target_process():
    """Whether the process on the CPU is the one pagoda-user names."""
    p = kernel.current_process()
    if _state["pid"] is not None:
        return int(p["pid"]) == _state["pid"]
    return kernel.proc_name(p) == _state["name"]


class PagodaUser(kernel.Command):
    """Load a user program's symbols, for breakpoints in one process.
Usage: pagoda-user PROG [PID]   PROG: a path, or a name in build/initramfs/bin
                                 (or build/tests/{user,gdb,trace,robust})
       pagoda-user -d           remove the symbols again
       pagoda-user              say what is loaded

Pagoda runs static i386 programs at the addresses they are linked at, so
the symbols apply as they are: `break`, `list`, `info symbol` and `bt` know
the program's functions. Every process maps its program at the same
addresses; pagoda-ubreak makes breakpoints that stop only in process PID,
or, without a PID, in the processes named PROG. `bt` goes from the kernel
through the trap frame into the program (see `help pagoda-ubreak`)."""

    def __init__(self):
        super().__init__("pagoda-user", gdb.COMPLETE_FILENAME)

    def run(self, arg):
        args = kernel.split_args(arg)
        if not args:
            if _state["path"]:
                print("%s loaded; breakpoints stop in %s" % (
                    _state["path"], "pid %d" % _state["pid"]
                    if _state["pid"] is not None
                    else "processes named %s" % _state["name"]))
            else:
                print("no user program loaded")
            return
        if args == ["-d"]:
            unload()
            print("user symbols removed")
            return
        if len(args) > 2:
            raise gdb.GdbError("usage: pagoda-user PROG [PID] | -d")
        path = find_program(args[0])
        pid = kernel.eval_int(args[1]) if len(args) == 2 else None
        unload()
        gdb.execute("add-symbol-file %s" % path, to_string=True)
        # The kernel keeps the base name, cut like Linux's comm (15 bytes).
        _state.update(path=path, name=os.path.basename(path)[:15], pid=pid)
        print("symbols of %s loaded; pagoda-ubreak stops in %s" % (
            path, "pid %d" % pid if pid is not None
            else "processes named %s" % _state["name"]))


class UserBreakpoint(gdb.Breakpoint):
    """A hardware breakpoint that stops only in the chosen process."""

    def stop(self):
        try:
            return in_target_process()
        except gdb.error:
            return False


class PagodaUbreak(kernel.Command):
    """Break at a user address, only in the process pagoda-user names.
Usage: pagoda-ubreak LOCATION   a function, file:line or *ADDRESS of the
                                program loaded by pagoda-user

The breakpoint uses a debug register (four at most), so it writes nothing
into memory that other processes share, and it fires in every process at
that address: GDB goes on at once unless the process on the CPU is the
one pagoda-user named. At the stop, `bt` shows the user program's frames;
in the kernel (say at a system call), `bt` continues through the trap
frame into them."""

    def __init__(self):
        super().__init__("pagoda-ubreak", gdb.COMPLETE_LOCATION)

    def run(self, arg):
        if not arg.strip():
            raise gdb.GdbError("usage: pagoda-ubreak LOCATION")
        if not _state["path"]:
            raise gdb.GdbError("pagoda-ubreak: load a program first "
                               "(pagoda-user PROG [PID])")
        bp = UserBreakpoint(arg.strip(), type=gdb.BP_HARDWARE_BREAKPOINT)
        print("Hardware breakpoint %d at %s, only in %s" % (
            bp.number, arg.strip(), "pid %d" % _state["pid"]
            if _state["pid"] is not None
            else "processes named %s" % _state["name"]))


class FrameId:
    """A frame's identity for GDB: its stack pointer and code address (GDB
    13 takes any object with these attributes; later ones also offer
    gdb.unwinder.FrameId)."""

    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


class TrapFrameUnwinder(gdb.unwinder.Unwinder):
    """Unwinds trap_common, the assembly trap entry, from its trap frame.

trap_common saves the registers as a struct trapframe (kernel/arch/trap.h)
and calls trap_dispatch with a pointer to it, so in trap_common's frame
(the return address after that call) the word at the stack pointer is
the trapframe. The frame before is the interrupted code: its EIP, EBP,
EFLAGS and general registers are in the trapframe; its ESP is user_esp
after a trap from ring 3, and the address where user_esp would be after
a trap from ring 0, which pushes no stack (SDM vol. 3A, 6.12.1)."""

    REGS = ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "eflags")

    def __init__(self):
        super().__init__("pagoda-trapframe")
        self.range = None

    def trap_common_range(self):
        if self.range is None:
            start = kernel.u32(gdb.parse_and_eval("(unsigned int)&trap_common"))
            # The code from trap_common to the call of trap_dispatch is
            # a few dozen bytes; the return address is in there.
            self.range = (start, start + 0x40)
        return self.range

    def __call__(self, pending_frame):
        try:
            pc = kernel.u32(pending_frame.read_register("eip"))
            lo, hi = self.trap_common_range()
        except gdb.error:
            return None
        if not lo < pc < hi:
            return None
        sp = kernel.u32(pending_frame.read_register("esp"))
        try:
            tf_addr = kernel.read_u32(sp)
            tf = gdb.parse_and_eval("*(struct trapframe *)0x%x" % tf_addr)
            regs = {r: kernel.u32(tf[r]) for r in self.REGS}
            regs["eip"] = kernel.u32(tf["eip"])
            cs = kernel.u32(tf["cs"])
        except (gdb.error, gdb.MemoryError):
            return None
        if cs & 3:
            regs["esp"] = kernel.u32(tf["user_esp"])
        else:
            regs["esp"] = kernel.u32(tf["user_esp"].address)
        info = pending_frame.create_unwind_info(
            FrameId(gdb.Value(sp), gdb.Value(lo)))
        regs["cs"] = cs
        u32_type = gdb.lookup_type("unsigned int")
        for name, value in regs.items():
            v = gdb.Value(value).cast(u32_type)
            rtype = pending_frame.read_register(name).type
            # EFLAGS has a flags type, which nothing casts to: its 32 bits
            # are given as they are.
            if rtype.code != gdb.TYPE_CODE_FLAGS:
                v = v.cast(rtype)
            info.add_saved_register(name, v)
        return info


_unwinder = TrapFrameUnwinder()

# The registers a user backtrace starts from, as struct trapframe names
# them (the stack pointer of a trap from ring 3 is user_esp).
_BT_REGS = (("eip", "eip"), ("esp", "user_esp"), ("ebp", "ebp"),
            ("eax", "eax"), ("ebx", "ebx"), ("ecx", "ecx"), ("edx", "edx"),
            ("esi", "esi"), ("edi", "edi"))


def print_frames(depth, describe, max_frames):
    """Prints GDB's frames from the newest, numbered from depth."""
    frame = gdb.newest_frame()
    first = True
    while frame is not None and depth < max_frames:
        pc = kernel.u32(frame.pc())
        # A return address follows its call: describe the call.
        print("#%-2d 0x%08x %s" % (depth, pc,
                                   describe(pc if first else pc - 1)))
        first = False
        depth += 1
        try:
            frame = frame.older()
        except gdb.error:
            break


def user_backtrace(tf, depth, describe, max_frames=32):
    """Prints the user frames of a trap from ring 3, numbered from depth.

    GDB's unwinder does not follow a frame whose caller is on another
    stack (the user stack below the kernel's), so the user part is
    unwound by GDB with the CPU's registers set for a moment to those the
    trap frame saved, and set back at once: the CPU is stopped, and it
    continues with exactly the registers it had. GDB unwinds the program
    with its .eh_frame and names its functions once pagoda-user has loaded
    its symbols."""
    saved = {r: kernel.u32(gdb.parse_and_eval("$" + r))
             for r, _ in _BT_REGS}
    try:
        for reg, field in _BT_REGS:
            gdb.execute("set $%s = 0x%x" % (reg, kernel.u32(tf[field])),
                        to_string=True)
        print_frames(depth, describe, max_frames)
    finally:
        for reg, _ in _BT_REGS:
            gdb.execute("set $%s = 0x%x" % (reg, saved[reg]),
                        to_string=True)
    if not _state["path"]:
        print("    (pagoda-user PROG loads the program's symbols: its "
              "functions are then named)")


def register_unwinder():
    """Installs the trap-frame unwinder (again, after a reload)."""
    gdb.unwinder.register_unwinder(None, _unwinder, replace=True)
    gdb.invalidate_cached_frames()
