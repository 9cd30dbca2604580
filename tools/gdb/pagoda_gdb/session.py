# tools/gdb/pagoda_gdb/session.py - helpers for GDB scripts that
# `make debug GDBSCRIPT=FILE` runs in batch mode (labs, tests).
#
# tools/debug.sh tells the script where QEMU writes the kernel's serial
# output (PAGODA_SERIAL_LOG). While the CPU is stopped nothing more is
# written, so what the log holds is everything the kernel printed up to
# the stop, including what a function called from GDB (`call
# pmm_dump_stats()`) printed just now. A script imports this module with
#
#   import pagoda_gdb.session as session
#
# (tools/gdb is on sys.path once pagoda.py is loaded).

import os

import gdb


def serial_log():
    """The path of the serial log of this run."""
    path = os.environ.get("PAGODA_SERIAL_LOG")
    if not path:
        raise gdb.GdbError("PAGODA_SERIAL_LOG is not set: run the script "
                           "with make debug GDBSCRIPT=...")
    return path


def serial_text():
    """Everything the kernel printed so far, with \\r\\n made \\n."""
    try:
        with open(serial_log(), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return ""
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def run(command):
    """A GDB command's output as a string (its errors raise gdb.error)."""
    return gdb.execute(command, to_string=True)


def call_and_capture(expression):
    """Calls a kernel function from GDB and returns what it printed on
    the serial port, e.g. call_and_capture("pmm_dump_stats()")."""
    before = len(serial_text())
    gdb.execute("call (void)%s" % expression, to_string=True)
    return serial_text()[before:]
