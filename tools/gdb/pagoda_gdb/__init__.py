# tools/gdb/pagoda_gdb/__init__.py - the GDB commands of tools/gdb/pagoda.py,
# one module per subject:
#
#   kernel.py      reading the kernel: variables, fields, enums, lists,
#                  processes, registers, physical memory
#   memory.py      page tables, struct page and reverse map, regions, swap
#   pagetables.py  pagoda-pte, pagoda-pt
#   procs.py       pagoda-ps, pagoda-vmas
#   frames.py      pagoda-page
#   alloc.py       pagoda-buddy, pagoda-slab
#   swapping.py    pagoda-swap, pagoda-policy
#   faults.py      pagoda-break-fault
#   boot.py        pagoda-early, pagoda-bt
#   segments.py    pagoda-gdt, pagoda-ldt
#   user.py        pagoda-user, pagoda-ubreak, and the unwinder that takes
#                  `bt` through a trap frame into the interrupted code
#   profile.py     pagoda-profile
#   session.py     helpers for scripts run by `make debug GDBSCRIPT=...`

from . import (alloc, boot, faults, frames, pagetables, procs, profile,
               segments, swapping, user)

_commands = []


def register():
    """Creates the commands (again, after a reload: GDB replaces them)."""
    _commands[:] = [
        pagetables.PagodaPte(), pagetables.PagodaPt(), procs.PagodaPs(),
        procs.PagodaVmas(), frames.PagodaPage(), alloc.PagodaBuddy(),
        alloc.PagodaSlab(), swapping.PagodaSwap(), swapping.PagodaPolicy(),
        faults.PagodaBreakFault(), boot.PagodaEarly(), boot.PagodaBt(),
        segments.PagodaGdt(), segments.PagodaLdt(),
        user.PagodaUser(), user.PagodaUbreak(), profile.PagodaProfile(),
    ]
    user.register_unwinder()
