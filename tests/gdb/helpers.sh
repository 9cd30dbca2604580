#!/usr/bin/env bash
# tests/gdb/helpers.sh - the GDB helpers (tools/gdb/pagoda_gdb) checked
# against the kernel's own reports, in one scripted session.
#
# Usage: tests/gdb/helpers.sh
#
# Runs `make debug GDBSCRIPT=tests/gdb/check_helpers.py` with the probe of
# tests/gdb/gdbprobe.c as the first process: the batch mode of make debug
# is itself part of what is tested. The last line printed is
# "helpers: ok" or "helpers: FAIL <reason>"; the exit status is 0 or 1.
# GDB's output is kept in build/gdb-helpers.log, the kernel's in
# build/gdbscript-check_helpers/serial.log.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SECONDS_MAX=60
log=$root/build/gdb-helpers.log

# Called from `make test`, the outer make's job-server options would make
# the inner one complain; this make is not part of that build.
unset MAKEFLAGS MFLAGS MAKELEVEL

cd "$root" || exit 1
timeout -k 2 "$SECONDS_MAX" make --no-print-directory debug \
	GDBSCRIPT=tests/gdb/check_helpers.py CMDLINE="init=/bin/gdbprobe" \
	>"$log" 2>&1
status=$?

verdict=$(grep '^helpers-check: ' "$log" | tail -n 1)
verdict=${verdict#helpers-check: }
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	verdict="FAIL timed out after ${SECONDS_MAX}s"
elif [ -z "$verdict" ]; then
	verdict="FAIL the GDB script did not run (status $status)"
fi
if [ "$verdict" != ok ]; then
	echo "--- failures and last lines of $log:"
	{ grep '^helpers-check: FAIL' "$log"; tail -n 15 "$log"; } |
		sed 's/^/    /'
	echo "helpers: $verdict"
	exit 1
fi
echo "helpers: ok"
