# tools/gdb/pagoda_gdb/profile.py - pagoda-profile: where the instructions
# of one call go, function by function.
#
# Stopped at the first instruction of a function (a breakpoint on it),
# `pagoda-profile` single-steps the CPU until that call returns and counts
# each instruction against the function it belongs to; an inline
# function's instructions count as its own, under the name of the inline
# function. The result is the table docs/benchmarks.md's breakdowns are
# made of: the same figures -icount gives for the whole call, split up.
# With -d DEPTH it counts inclusively instead: each instruction against
# the function DEPTH calls below the profiled one that it runs under
# (-d 1: the profiled function's direct callees, with everything they
# call), which is how a fault's cost splits into its steps. A CPU
# exception (a page fault inside the call) counts as a call of its
# handler; the call stack is followed by decoding call, ret and iret.
#
# How it knows the call has returned: on entry [esp] holds the return
# address; the call is over when EIP reaches that address with ESP above
# the entry ESP (a recursive call returning to the same address has a
# lower ESP). A `rep` string instruction is counted once, as -icount
# counts it, though the stub stops after each of its iterations.
#
# QEMU's stub steps with interrupts masked, so the timer does not get in.

import collections

import gdb


def _function_at(pc, cache):
    """The name of the (inline) function containing pc."""
    name = cache.get(pc)
    if name is not None:
        return name
    name = "?"
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        block = None
    while block is not None:
        if block.function is not None:
            name = block.function.name
            break
        block = block.superblock
    if name == "?":
        sym = gdb.execute("info symbol 0x%x" % pc, to_string=True)
        if " in section " in sym:
            name = sym.split(" in section ")[0].split(" + ")[0].strip()
    cache[pc] = name
    return name


class PagodaProfile(gdb.Command):
    """Count the instructions of one call, per function.

Usage: pagoda-profile [-d DEPTH] [-n LIMIT] [-t TOP]
Run it stopped at a function's first instruction (break FUNC, continue).
It steps until that call returns, then prints how many instructions each
function executed (inline functions under their own names), most first,
and the total. A rep-prefixed string instruction counts once, as QEMU's
-icount counts it. -n stops after LIMIT instructions (default 200000);
-t prints only the TOP largest rows (default all). -d DEPTH counts
inclusively, per function DEPTH calls below this one (1: its direct
callees, with all they call; "(self)" is the function's own)."""

    def __init__(self):
        super().__init__("pagoda-profile", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        limit, top, depth = 200000, None, 0
        while argv:
            opt = argv.pop(0)
            if opt == "-d" and argv:
                depth = int(argv.pop(0), 0)
            elif opt == "-n" and argv:
                limit = int(argv.pop(0), 0)
            elif opt == "-t" and argv:
                top = int(argv.pop(0), 0)
            else:
                raise gdb.GdbError(
                    "usage: pagoda-profile [-d DEPTH] [-n LIMIT] [-t TOP]")
        frame = gdb.selected_frame()
        esp = int(gdb.parse_and_eval("$esp")) & 0xFFFFFFFF
        inf = gdb.selected_inferior()
        ret = int.from_bytes(bytes(inf.read_memory(esp, 4)), "little")
        counts = collections.Counter()
        cache = {}
        # stepi's own report of each stop goes nowhere meanwhile.
        gdb.execute("set logging file /dev/null", to_string=True)
        gdb.execute("set logging redirect on", to_string=True)
        gdb.execute("set logging enabled on", to_string=True)
        try:
            total = self._step(frame, esp, ret, inf, counts, cache, limit,
                               depth)
        finally:
            gdb.execute("set logging enabled off", to_string=True)
            gdb.execute("set logging redirect off", to_string=True)
        rows = counts.most_common(top)
        width = max([len(n) for n, _ in rows] + [8])
        for name, n in rows:
            gdb.write("%-*s %7d\n" % (width, name, n))
        gdb.write("%-*s %7d%s\n" % (width, "total", total,
                                    "  (limit reached)" if total >= limit
                                    else ""))

    def _step(self, frame, esp, ret, inf, counts, cache, limit, depth):
        """Steps until the call returns; returns the instructions counted."""
        total = 0
        last_pc = None
        pc = int(frame.pc())
        # The functions called below the profiled one, outermost first.
        stack = [_function_at(pc, cache)]
        while total < limit:
            cur_esp = int(gdb.parse_and_eval("$esp")) & 0xFFFFFFFF
            if pc == ret and cur_esp > esp:
                break
            if pc != last_pc or not self._is_rep(pc, inf):
                if depth:
                    name = stack[depth] if len(stack) > depth else "(self)"
                else:
                    name = _function_at(pc, cache)
                counts[name] += 1
                total += 1
            kind = self._flow(pc, inf) if depth else None
            last_pc = pc
            gdb.execute("stepi", to_string=True)
            pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF
            if not depth:
                continue
            if kind == "call" or (kind is None and pc != last_pc and
                                  _function_at(pc, cache).startswith(
                                      "trap_stub_")):
                stack.append(_function_at(pc, cache))
            elif kind == "ret" and len(stack) > 1:
                stack.pop()
        return total

    @staticmethod
    def _flow(pc, inf):
        """'call', 'ret' (ret or iret) or None for the instruction at pc."""
        code = bytes(inf.read_memory(pc, 2))
        op = code[0]
        if op == 0xE8 or (op == 0xFF and (code[1] >> 3) & 7 == 2):
            return "call"
        if op in (0xC3, 0xC2, 0xCF):
            return "ret"
        return None

    @staticmethod
    def _is_rep(pc, inf):
        """Whether the instruction at pc has a rep prefix (F3 or F2)."""
        head = bytes(inf.read_memory(pc, 4))
        for b in head:
            if b in (0xF2, 0xF3):
                return True
            # Other legacy prefixes may come first (66, 67, segment).
            if b not in (0x66, 0x67, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65):
                return False
        return False
