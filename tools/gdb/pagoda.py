# tools/gdb/pagoda.py - GDB commands for looking at Pagoda's memory.
#
# Loaded by build/gdbinit (`make debug`), or by hand with
# `source tools/gdb/pagoda.py`; sourcing it again reloads the commands
# after an edit. `help user-defined` lists them, `help pagoda-pt` (etc.)
# explains one. docs/debugging.md shows each with real output.
#
#   pagoda-pte VA [PID]        walk the page tables for one address
#   pagoda-pt [-k] [PID]       a whole address space, range-compressed
#   pagoda-vmas [-v] [PID]     regions, as /proc/PID/maps prints them
#   pagoda-ps                  processes: pid, name, state, parent, RSS
#   pagoda-page PFN|VA [PID]   one frame: flags, refcount, mappings,
#                              replacement state, swap slot
#   pagoda-buddy [-v [ORDER]]  free blocks per order, hot-block caches
#   pagoda-slab [NAME]         kernel heap caches: objects, slabs, waste
#   pagoda-swap [-v]           swap slots in use, the swap cache
#   pagoda-policy [-a|-n N]    the replacement policy's list and ages
#   pagoda-break-fault [PID|any] [VA]  stop at the next matching page fault
#   pagoda-early [off]         symbols at physical addresses (before paging)
#   pagoda-bt [TF]             backtrace by saved EBP, also from a trap frame
#   pagoda-gdt                 the GDT, each descriptor decoded
#   pagoda-ldt [PID]           a process's LDT (modify_ldt), decoded
#   pagoda-user PROG [PID]     a user program's symbols; `bt` crosses traps
#   pagoda-ubreak LOCATION     a breakpoint only in that program's process
#   pagoda-profile             instructions of one call, per function
#
# The commands live in the package tools/gdb/pagoda_gdb/, one file per
# subject; pagoda_gdb/kernel.py and memory.py read the kernel's data
# structures through its debug information.

import importlib
import os
import sys

_here = os.path.dirname(os.path.abspath(
    __file__ if "__file__" in globals() else "tools/gdb/pagoda.py"))
if _here not in sys.path:
    sys.path.insert(0, _here)
# No __pycache__ directories in the source tree.
sys.dont_write_bytecode = True

import pagoda_gdb  # noqa: E402

# Sourcing the file again picks up edits of the package: the modules the
# others build on first.
_loaded = sorted((n for n in sys.modules if n.startswith("pagoda_gdb.")),
                 key=lambda n: (n != "pagoda_gdb.kernel",
                                n != "pagoda_gdb.memory", n))
for _name in _loaded:
    importlib.reload(sys.modules[_name])
importlib.reload(pagoda_gdb)
pagoda_gdb.register()
