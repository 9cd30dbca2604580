#!/usr/bin/env bash
# tests/gdb/user.sh - pagoda-user, pagoda-ubreak and backtraces through
# the trap frame into user code, in one scripted session.
#
# Usage: tests/gdb/user.sh
#
# Runs `make debug GDBSCRIPT=tests/gdb/check_user.py` with
# tests/gdb/gdbuser.c (two processes running the same code) as the first
# process. The last line printed is
# "user: ok" or "user: FAIL <reason>"; the exit status is 0 or 1.
# GDB's output is kept in build/gdb-user.log, the kernel's in
# build/gdbscript-check_user/serial.log.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SECONDS_MAX=60
log=$root/build/gdb-user.log

# Called from `make test`, the outer make's job-server options would make
# the inner one complain; this make is not part of that build.
unset MAKEFLAGS MFLAGS MAKELEVEL

cd "$root" || exit 1
timeout -k 2 "$SECONDS_MAX" make --no-print-directory debug \
	GDBSCRIPT=tests/gdb/check_user.py CMDLINE="init=/bin/gdbuser" \
	>"$log" 2>&1
status=$?

verdict=$(grep '^user-check: ' "$log" | tail -n 1)
verdict=${verdict#user-check: }
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	verdict="FAIL timed out after ${SECONDS_MAX}s"
elif [ -z "$verdict" ]; then
	verdict="FAIL the GDB script did not run (status $status)"
fi
if [ "$verdict" != ok ]; then
	echo "--- failures and last lines of $log:"
	{ grep '^user-check: FAIL' "$log"; tail -n 15 "$log"; } |
		sed 's/^/    /'
	echo "user: $verdict"
	exit 1
fi
echo "user: ok"
