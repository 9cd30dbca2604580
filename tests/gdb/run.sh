#!/usr/bin/env bash
# tests/gdb/run.sh - the scripted debugger test: GDB drives a booting kernel.
#
# Usage: tests/gdb/run.sh KERNEL [SUITE [EXPECTED_NAME]]
#
# Boots KERNEL in QEMU with test=SUITE (default libk), stopped (-S) until
# GDB connects to its stub on a free port of 127.0.0.1. GDB runs
# tests/gdb/check_boot.py in batch mode: breakpoint at run_suite,
# backtrace run_suite <- ktest_run <- kmain, s->name == EXPECTED_NAME
# (default SUITE), then on to the end. QEMU must then exit with status 33,
# "tests passed" (drivers/qemu.h).
#
# The last line printed is "gdb: ok" or "gdb: FAIL <reason>"; the exit
# status is 0 or 1. Each step has a time limit and the whole test takes
# less than 15 seconds; on any failure QEMU and GDB are killed. Logs are
# kept next to KERNEL: gdb-test.log (GDB), gdb-test-serial.log (the
# kernel's output) and gdb-test-qemu.log (QEMU's own messages).

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tools/gdb/stub.sh
. "$root/tools/gdb/stub.sh"

QEMU=${QEMU:-qemu-system-i386}
GDB=${GDB:-gdb}
LISTEN_TENTHS=30   # for QEMU to open its stub
GDB_SECONDS=9      # for the whole GDB session
EXIT_TENTHS=20     # for QEMU to exit once GDB is done
QEMU_EXIT_SUCCESS=33  # (0x10 << 1) | 1, drivers/qemu.h

kernel=${1:-}
suite=${2:-libk}
expect=${3:-$suite}

qemu_pid=
gdb_log=
cleanup()
{
	stub_kill "$qemu_pid"
}
trap cleanup EXIT

# Prints the reason as the last line, after the end of the GDB log.
fail()
{
	if [ -n "$gdb_log" ] && [ -s "$gdb_log" ]; then
		echo "--- last lines of $gdb_log:"
		tail -n 15 "$gdb_log" | sed 's/^/    /'
	fi
	echo "gdb: FAIL $*"
	exit 1
}

[ -n "$kernel" ] || fail "usage: $0 KERNEL [SUITE [EXPECTED_NAME]]"
[ -f "$kernel" ] || fail "no kernel at $kernel"
for prog in "$QEMU" "$GDB" python3 timeout; do
	command -v "$prog" >/dev/null || fail "$prog is not installed"
done

build=$(cd "$(dirname "$kernel")" && pwd)
kernel=$build/$(basename "$kernel")
serial_log=$build/gdb-test-serial.log
qemu_log=$build/gdb-test-qemu.log
rm -f "$build/gdb-test.log"

# A free port can be taken before QEMU binds it: try again with another.
for _ in 1 2 3; do
	port=$(stub_free_ports 1)
	"$QEMU" -m 128M -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$serial_log" -kernel "$kernel" \
		-append "test=$suite" -S -gdb "tcp:127.0.0.1:$port" \
		</dev/null >"$qemu_log" 2>&1 &
	qemu_pid=$!
	if stub_wait_listen "$qemu_pid" "$port" "$LISTEN_TENTHS"; then
		break
	fi
	stub_kill "$qemu_pid"
	qemu_pid=
	stub_port_was_taken "$qemu_log" || break
done
[ -n "$qemu_pid" ] || fail "QEMU did not start: $(head -c 300 "$qemu_log")"

gdb_log=$build/gdb-test.log
PAGODA_GDB_KERNEL=$kernel PAGODA_GDB_PORT=$port PAGODA_GDB_EXPECT=$expect \
	timeout -k 1 "$GDB_SECONDS" "$GDB" -q -batch -nx -iex "set auto-load off" \
	-x "$here/check_boot.py" </dev/null >"$gdb_log" 2>&1
gdb_status=$?

verdict=$(grep '^gdb-check: ' "$gdb_log" | tail -n 1)
verdict=${verdict#gdb-check: }
if [ "$gdb_status" -eq 124 ] || [ "$gdb_status" -eq 137 ]; then
	fail "GDB timed out after ${GDB_SECONDS}s; last step: ${verdict:-none}"
fi
case $verdict in
ok) ;;
"FAIL "*) fail "${verdict#FAIL }" ;;
*) fail "the GDB script did not finish (GDB status $gdb_status)" ;;
esac

# The kernel ran to its end under GDB: QEMU must exit with the verdict.
for ((i = 0; i < EXIT_TENTHS; i++)); do
	kill -0 "$qemu_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$qemu_pid" 2>/dev/null; then
	fail "QEMU did not exit after the tests; see $serial_log"
fi
wait "$qemu_pid"
qemu_status=$?
qemu_pid=
if [ "$qemu_status" -ne "$QEMU_EXIT_SUCCESS" ]; then
	fail "QEMU exited with status $qemu_status, expected" \
		"$QEMU_EXIT_SUCCESS; see $serial_log"
fi
echo "gdb: ok"
