#!/usr/bin/env bash
# tests/gdb/magic.sh - a kernel entered with the wrong Multiboot magic must
# say so and halt.
#
# Usage: tests/gdb/magic.sh KERNEL
#
# No loader passes a wrong magic on purpose, so GDB makes one: QEMU starts
# paused, GDB stops at the physical address of _start with a hardware
# breakpoint (paging is off there), overwrites EAX, and detaches. The
# serial output must then contain the kernel's message, and the kernel must
# neither panic nor reach its prompt. The last line printed is
# "magic: ok" or "magic: FAIL <reason>".

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tools/gdb/stub.sh
. "$root/tools/gdb/stub.sh"

QEMU=${QEMU:-qemu-system-i386}
GDB=${GDB:-gdb}
NM=${NM:-i686-linux-gnu-nm}
KERNEL_VMA=$((0xC0000000))
WRONG_MAGIC=0x12345678

kernel=${1:-}
qemu_pid=
trap 'stub_kill "$qemu_pid"' EXIT

fail()
{
	echo "magic: FAIL $*"
	exit 1
}

[ -f "$kernel" ] || fail "no kernel at '$kernel'"
build=$(cd "$(dirname "$kernel")" && pwd)
serial_log=$build/magic-test-serial.log
qemu_log=$build/magic-test-qemu.log
gdb_log=$build/magic-test-gdb.log

start=$("$NM" "$kernel" | awk '$3 == "_start" { print $1 }')
[ -n "$start" ] || fail "no _start symbol in $kernel"
phys=$(printf '0x%x' $((0x$start - KERNEL_VMA)))

for _ in 1 2 3; do
	port=$(stub_free_ports 1)
	rm -f "$serial_log"
	"$QEMU" -m 32M -no-reboot -display none -monitor none \
		-serial "file:$serial_log" -kernel "$kernel" \
		-S -gdb "tcp:127.0.0.1:$port" </dev/null >"$qemu_log" 2>&1 &
	qemu_pid=$!
	if stub_wait_listen "$qemu_pid" "$port" 30; then
		break
	fi
	stub_kill "$qemu_pid"
	qemu_pid=
	stub_port_was_taken "$qemu_log" || break
done
[ -n "$qemu_pid" ] || fail "QEMU did not start: $(head -c 300 "$qemu_log")"

timeout -k 1 10 "$GDB" -q -batch -nx -iex "set auto-load off" \
	-ex "target remote 127.0.0.1:$port" \
	-ex "hbreak *$phys" -ex "continue" \
	-ex "printf \"stopped at %#x, eax %#x\\n\", \$pc, \$eax" \
	-ex "set \$eax = $WRONG_MAGIC" -ex "delete" -ex "detach" \
	</dev/null >"$gdb_log" 2>&1 || fail "GDB failed; see $gdb_log"
grep -q "stopped at $phys, eax 0x2badb002" "$gdb_log" ||
	fail "GDB did not stop at _start with the loader's magic; see $gdb_log"

# Give the kernel a moment to print, then look.
for _ in $(seq 30); do
	grep -q "Halting" "$serial_log" 2>/dev/null && break
	sleep 0.1
done
grep -q "bad Multiboot magic $WRONG_MAGIC" "$serial_log" ||
	fail "no message about the magic; see $serial_log"
if grep -q -e "KERNEL PANIC" -e "pagoda> " "$serial_log"; then
	fail "the kernel went on after a wrong magic; see $serial_log"
fi
kill -0 "$qemu_pid" 2>/dev/null || fail "QEMU stopped instead of halting"
echo "magic: ok"
