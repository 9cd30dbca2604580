# tests/gdb/check_user.py - pagoda-user, pagoda-ubreak and backtraces
# through the trap frame, in one scripted session.
#
# Run by tests/gdb/user.sh through
#   make debug GDBSCRIPT=tests/gdb/check_user.py CMDLINE=init=/bin/gdbuser
# The first process is tests/gdb/gdbuser.c: it forks, and parent (PID 1)
# and child (PID 2) each call work() WORK_CALLS times; work() calls
# ask_kernel(), which makes a getppid system call. Checked:
#
#   pagoda-user gdbuser 2, pagoda-ubreak work: every stop until the
#     program ends is at work's address in PID 2, and there are as many
#     as the program says the child makes (its console line), although
#     PID 1 runs the same code at the same address as often;
#   at each stop, GDB's bt names work <- main (the program's symbols);
#   at sys_getppid of PID 2: pagoda-bt gives the kernel frames down to
#     trap_common, then ask_kernel <- work <- main from the trap frame,
#     and the CPU's registers are the same afterwards; GDB's own bt goes
#     past trap_common to the user function the trap interrupted;
#   pagoda-user -d forgets the program; pagoda-ubreak then refuses.
#
# Lines start with "user-check:"; the last is "user-check: ok" or
# "user-check: FAIL <count> <first failure>".

import re

import gdb

import pagoda_gdb.session as session

failures = []


def say(msg):
    print("user-check: " + msg, flush=True)


def fail(msg):
    failures.append(msg)
    say("FAIL " + msg)


def check(ok, msg):
    if not ok:
        fail(msg)
    return ok


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def pid():
    return int(gdb.parse_and_eval("current->pid"))


def regs():
    return [int(gdb.parse_and_eval("$" + r)) & 0xFFFFFFFF
            for r in ("eip", "esp", "ebp", "eax", "ebx", "ecx", "edx",
                      "esi", "edi", "eflags")]


def continue_():
    """Continues; False when the program (and QEMU) ended."""
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        return False
    try:
        gdb.selected_thread().is_valid()
        return gdb.selected_inferior().pid != 0
    except gdb.error:
        return False


def main():
    out = run("pagoda-user gdbuser 2")
    check("loaded" in out, "pagoda-user: %r" % out)
    out = run("pagoda-ubreak work")
    check("only in pid 2" in out, "pagoda-ubreak: %r" % out)
    work = int(gdb.parse_and_eval("(unsigned int)&work"))
    syscall_bp = gdb.Breakpoint("sys_getppid", internal=True)
    stops = []
    checked_trap = False
    while continue_():
        where = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF
        if where == work:
            stops.append(pid())
            bt = run("bt")
            check(re.search(r"#0\s+work .*\n#1 .* in main ", bt) is not None,
                  "bt at work: %r" % bt)
            continue
        # sys_getppid: the kernel side of ask_kernel's system call.
        if pid() != 2 or checked_trap:
            continue
        checked_trap = True
        before = regs()
        bt = run("pagoda-bt")
        check(regs() == before, "pagoda-bt changed the registers")
        names = re.findall(r"^#\d+\s+0x[0-9a-f]+ (\w+)", bt, re.M)
        check(names[:4] == ["sys_getppid", "syscall_dispatch",
                            "trap_dispatch", "trap_common"],
              "pagoda-bt kernel part: %r" % names)
        tail = [n for n in names if n in ("ask_kernel", "work", "main")]
        check(tail == ["ask_kernel", "work", "main"] and
              "trap from user mode" in bt,
              "pagoda-bt user part: %r" % bt)
        gbt = run("bt")
        check(re.search(r"trap_common .*\n#\d+\s+0x0[0-9a-f]+ in \w+",
                        gbt) is not None,
              "GDB's bt does not go past trap_common: %r" % gbt)
        syscall_bp.enabled = False
    log = session.serial_text()
    m = re.search(r"gdbuser: pid 2 calls work (\d+) times", log)
    m1 = re.search(r"gdbuser: pid 1 calls work (\d+) times", log)
    check(m is not None and m1 is not None, "no gdbuser lines in the log")
    if m:
        check(stops == [2] * int(m.group(1)),
              "stops at work: %r, the child calls it %s times"
              % (stops, m.group(1)))
    check(checked_trap, "never stopped at PID 2's getppid")
    run("pagoda-user -d")
    try:
        run("pagoda-ubreak work")
        fail("pagoda-ubreak works without a program loaded")
    except gdb.error as e:
        check("load a program first" in str(e), "pagoda-ubreak: %s" % e)


try:
    main()
except (gdb.error, gdb.GdbError, AttributeError, ValueError) as e:
    fail("%s: %s" % (type(e).__name__, e))
if failures:
    say("FAIL %d %s" % (len(failures), failures[0]))
else:
    say("ok")
