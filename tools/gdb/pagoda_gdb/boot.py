# tools/gdb/pagoda_gdb/boot.py - commands for the code paths GDB cannot
# follow by itself:
#
#   pagoda-early [off]   symbols at load (physical) addresses, for the code
#                        that runs before paging is on
#   pagoda-bt [TF]       backtrace along the saved-EBP chain, also from a
#                        trap frame, and on into the user program a trap
#                        from user mode interrupted (user.py)

import gdb

KERNEL_VMA = 0xC0000000


class PagodaEarly(gdb.Command):
    """Add symbols at load addresses, for code that runs before paging.
Usage: pagoda-early        add them
       pagoda-early off    remove them again

boot/entry.asm runs at physical addresses (the kernel is linked at
0xC0100000 but loaded at 0x100000) until it jumps to higher_half. With the
second copy of the symbols, `break _start`, `list`, `next` and `bt` work
there too; every breakpoint then has two locations, one per copy."""

    def __init__(self):
        super().__init__("pagoda-early", gdb.COMMAND_USER)
        self.loaded_at = None

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg not in ("", "on", "off"):
            raise gdb.GdbError("usage: pagoda-early [off]")
        confirm = gdb.parameter("confirm")
        gdb.execute("set confirm off")
        try:
            if arg == "off":
                self.remove()
            else:
                self.add()
        finally:
            gdb.execute("set confirm %s" % ("on" if confirm else "off"))

    def add(self):
        if self.loaded_at is not None:
            print("early symbols already loaded at 0x%x" % self.loaded_at)
            return
        kernel = gdb.current_progspace().filename
        if not kernel:
            raise gdb.GdbError("no kernel loaded: use `file build/kernel.elf`")
        text = int(gdb.parse_and_eval("(unsigned int)&__text_start"))
        phys = text - KERNEL_VMA
        gdb.execute("add-symbol-file %s 0x%x" % (kernel, phys),
                    to_string=True)
        self.loaded_at = phys
        print("symbols of %s added with .text at 0x%x (physical)"
              % (kernel, phys))

    def remove(self):
        if self.loaded_at is None:
            print("early symbols are not loaded")
            return
        gdb.execute("remove-symbol-file -a 0x%x" % self.loaded_at)
        self.loaded_at = None
        print("early symbols removed")


def describe_pc(pc):
    """Returns "function + offset at file:line" for a code address."""
    try:
        where = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    except gdb.error:
        where = ""
    where = where.split(" in section")[0].strip()
    if not where or where.startswith("No symbol"):
        where = "?"
    sal = gdb.find_pc_line(pc)
    if sal.symtab is not None and sal.line:
        where += " at %s:%d" % (sal.symtab.filename, sal.line)
    return where


class PagodaBt(gdb.Command):
    """Backtrace by the saved-EBP chain, also across a trap frame.
Usage: pagoda-bt        from the current $pc and $ebp
       pagoda-bt TF     from a struct trapframe *, e.g. `pagoda-bt tf`
                        in panic_trap or trap_dispatch

The kernel keeps frame pointers, so each frame holds the caller's EBP at
[ebp] and the return address at [ebp+4]: this command follows that chain,
as the kernel's panic backtrace does. When the chain ends at the trap
entry (boot/trap_entry.asm) and the trap came from user mode (a system
call, a page fault), it goes on with the user program's frames from the
trap frame (current->tf), named when pagoda-user has loaded the program's
symbols; TF from user mode starts there. GDB's own `bt` crosses the trap
frame too, but stops after the first user frame: it does not follow a
caller on another stack."""

    MAX_FRAMES = 32
    PUSH_EBP = b"\x55"  # the opcode of `push ebp`

    def __init__(self):
        super().__init__("pagoda-bt", gdb.COMMAND_USER,
                         gdb.COMPLETE_EXPRESSION)

    def start(self, arg):
        """Returns the first PC, EBP and ESP: from a trap frame or the CPU."""
        if arg:
            tf = gdb.parse_and_eval(arg)
            if tf.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                tf = tf.dereference()
            # A trap from ring 0 pushes no ESP: the interrupted stack
            # begins where user_esp would be (SDM vol. 3A, 6.12.1).
            esp = None
            if not int(tf["cs"]) & 3:
                esp = int(tf["user_esp"].address) & 0xFFFFFFFF
            return (int(tf["eip"]) & 0xFFFFFFFF,
                    int(tf["ebp"]) & 0xFFFFFFFF, esp)
        return (int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF,
                int(gdb.parse_and_eval("$ebp")) & 0xFFFFFFFF,
                int(gdb.parse_and_eval("$esp")) & 0xFFFFFFFF)

    def caller_of_frameless(self, pc, esp):
        """Finds the caller of a function that has not set up its frame.

        Until the prologue's `push ebp; mov ebp, esp` has run, EBP is still
        the caller's frame pointer, and the caller is known only by the
        return address: at [esp] on the first instruction, [esp+4] after
        `push ebp`. A function GCC compiled without a frame (a small leaf)
        never pushes EBP; its return address is at [esp] unless it pushed
        something else, so that case is a guess. Returns (address, is_guess)
        or (None, False)."""
        block = gdb.block_for_pc(pc)
        while block is not None and block.function is None:
            block = block.superblock
        if block is None or esp is None:
            return None, False
        inferior = gdb.selected_inferior()
        first = inferior.read_memory(block.start, 1).tobytes()
        if pc == block.start:
            slot, guess = esp, False
        elif first == self.PUSH_EBP and pc == block.start + 1:
            slot, guess = esp + 4, False
        elif first != self.PUSH_EBP:
            slot, guess = esp, True
        else:
            return None, False
        ret = int.from_bytes(inferior.read_memory(slot, 4).tobytes(),
                             "little")
        text_start = int(gdb.parse_and_eval("(unsigned int)&__text_start"))
        text_end = int(gdb.parse_and_eval("(unsigned int)&__text_end"))
        if not text_start < ret <= text_end:
            return None, False
        return ret, guess

    def user_tf(self, arg):
        """The trap frame of a trap from user mode this backtrace should
        continue with: TF itself, or current->tf of a user process."""
        from . import kernel
        try:
            if arg:
                tf = gdb.parse_and_eval(arg)
                if tf.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                    tf = tf.dereference()
            else:
                p = kernel.current_process()
                if kernel.u32(p["mm"]) == 0 or kernel.u32(p["tf"]) == 0:
                    return None
                tf = p["tf"].dereference()
            return tf if int(tf["cs"]) & 3 else None
        except (gdb.error, gdb.MemoryError):
            return None

    def invoke(self, arg, from_tty):
        from . import user
        arg = arg.strip()
        if not arg and int(gdb.parse_and_eval("$cs")) & 3:
            # Stopped in user code: GDB's frames are the program's.
            user.print_frames(0, describe_pc, self.MAX_FRAMES)
            return
        if arg:
            tf = self.user_tf(arg)
            if tf is not None:
                print("    --- user mode: the trap frame %s ---" % arg)
                user.user_backtrace(tf, 0, describe_pc, self.MAX_FRAMES)
                return
        try:
            pc, ebp, esp = self.start(arg)
            entry_ret, guess = self.caller_of_frameless(pc, esp)
        except (gdb.error, gdb.MemoryError) as e:
            raise gdb.GdbError("pagoda-bt: %s" % e)
        inferior = gdb.selected_inferior()
        print("#0  0x%08x %s" % (pc, describe_pc(pc)))
        last_pc = pc
        depth = 1
        if entry_ret is not None:
            print("#1  0x%08x %s%s" % (entry_ret, describe_pc(entry_ret - 1),
                                       "  (guess: top of stack)" if guess
                                       else ""))
            depth = 2
        while depth < self.MAX_FRAMES:
            # The outermost frame has EBP 0 (boot/entry.asm clears it).
            if ebp < KERNEL_VMA or ebp & 3:
                break
            try:
                frame = inferior.read_memory(ebp, 8).tobytes()
            except gdb.MemoryError:
                print("    (cannot read the frame at 0x%08x)" % ebp)
                break
            caller_ebp = int.from_bytes(frame[0:4], "little")
            ret = int.from_bytes(frame[4:8], "little")
            if ret < KERNEL_VMA:
                break
            # The return address follows the call: describe the call.
            print("#%-2d 0x%08x %s" % (depth, ret, describe_pc(ret - 1)))
            last_pc = ret - 1
            depth += 1
            if caller_ebp <= ebp:
                break
            ebp = caller_ebp
        # The outermost kernel frame is the trap entry's: go on into the
        # user code it interrupted.
        if not arg and describe_pc(last_pc).startswith("trap_common"):
            tf = self.user_tf("")
            if tf is not None:
                print("    --- trap from user mode: current->tf ---")
                user.user_backtrace(tf, depth, describe_pc,
                                    self.MAX_FRAMES)
