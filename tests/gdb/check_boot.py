# tests/gdb/check_boot.py - GDB's side of the scripted debugger test.
#
# Run by tests/gdb/run.sh as `gdb -batch -x tests/gdb/check_boot.py`, with
# QEMU already waiting (-S) for a debugger on PAGODA_GDB_PORT and booting
# with test=SUITE. It checks that a debugger can do what the labs ask of
# it: stop at a breakpoint in higher-half C code, unwind the stack back to
# kmain and read a variable. Then it lets the kernel finish; run.sh checks
# QEMU's exit status.
#
# Progress and the verdict are printed as lines starting with
# "gdb-check:", the last one "gdb-check: ok" or "gdb-check: FAIL <reason>".
#
# Environment: PAGODA_GDB_KERNEL (the ELF), PAGODA_GDB_PORT,
# PAGODA_GDB_EXPECT (the name run_suite must see in s->name).

import os

import gdb

# The frames expected at the breakpoint, innermost first. Frames in between
# (inlined helpers) are allowed.
EXPECTED_CALLERS = ["run_suite", "ktest_run", "kmain"]


class CheckFailed(Exception):
    pass


def say(msg):
    print("gdb-check: " + msg, flush=True)


def run(cmd):
    """Runs a GDB command, turning its errors into a check failure."""
    try:
        return gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        raise CheckFailed("`%s` failed: %s" % (cmd, e))


def frame_names():
    """Lists the function names of the stack, innermost first."""
    names = []
    frame = gdb.newest_frame()
    while frame is not None and len(names) < 64:
        names.append(frame.name() or "??")
        frame = frame.older()
    return names


def is_subsequence(wanted, names):
    """True when wanted appears in names in order, gaps allowed."""
    it = iter(names)
    return all(any(n == w for n in it) for w in wanted)


def check():
    kernel = os.environ["PAGODA_GDB_KERNEL"]
    port = os.environ["PAGODA_GDB_PORT"]
    expect = os.environ["PAGODA_GDB_EXPECT"]

    run("set confirm off")
    run("set pagination off")
    run("set tcp connect-timeout 3")
    run("file " + kernel)
    run("target remote 127.0.0.1:" + port)
    say("connected to QEMU on port " + port)

    bp = gdb.Breakpoint("run_suite")
    if bp.pending:
        raise CheckFailed("no code location for run_suite")
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error as e:
        raise CheckFailed("the kernel never reached run_suite (%s)" % e)
    if bp.hit_count != 1:
        raise CheckFailed("stopped, but not at run_suite: %s"
                          % run("frame").strip())
    say("stopped at run_suite")

    names = frame_names()
    if names[0] != EXPECTED_CALLERS[0] or \
            not is_subsequence(EXPECTED_CALLERS, names):
        raise CheckFailed("backtrace %s lacks %s in that order"
                          % (" <- ".join(names),
                             " <- ".join(EXPECTED_CALLERS)))
    say("backtrace " + " <- ".join(names))

    try:
        name = gdb.parse_and_eval("s->name").string()
    except gdb.error as e:
        raise CheckFailed("cannot read s->name: %s" % e)
    if name != expect:
        raise CheckFailed("s->name is \"%s\", expected \"%s\"" % (name,
                                                                   expect))
    say("s->name is \"%s\"" % name)

    run("delete")
    say("continuing until QEMU exits")
    # QEMU ends when the kernel writes its verdict to isa-debug-exit; GDB
    # reports that as the remote end closing the connection.
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error as e:
        say("QEMU closed the connection (%s)" % e)
        return
    # Newer QEMU (10.0) reports the machine's exit to GDB instead,
    # which GDB shows as the inferior exiting; run.sh checks the status.
    if gdb.selected_inferior().pid == 0:
        say("QEMU reported its exit to GDB")
        return
    raise CheckFailed("the kernel stopped again instead of exiting: %s"
                      % run("frame").strip())


try:
    check()
    say("ok")
except CheckFailed as e:
    say("FAIL " + str(e))
except Exception as e:  # an error in this script is a failure too
    say("FAIL %s: %s" % (type(e).__name__, e))
