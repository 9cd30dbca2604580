#!/usr/bin/env bash
# tools/debug.sh - boots the kernel paused in QEMU and opens GDB on it.
#
# Usage: tools/debug.sh KERNEL [INITRD [CMDLINE [MEM]]]   (run by `make debug`)
#        GDBSCRIPT=FILE tools/debug.sh ...   (`make debug GDBSCRIPT=FILE`)
#
# QEMU starts in the background, stopped before the first instruction (-S),
# with its GDB stub on a free TCP port of 127.0.0.1. GDB owns this terminal,
# so the kernel's serial port goes elsewhere: QEMU copies it to
# build/serial.log and serves it on a second port for tools/gdb/console.py,
# which can type at the kernel's prompt. GDB reads build/gdbinit, written
# here for this session. Quitting GDB ends QEMU. The environment variables
# QEMU and GDB choose other binaries (e.g. GDB=gdb-multiarch).
#
# -no-shutdown keeps QEMU alive, stopped, when the guest resets or powers
# off, so that after a triple fault GDB shows where it happened instead of
# losing the connection.
#
# With GDBSCRIPT set (a GDB command file, or a .py Python script), GDB runs
# it in batch mode after connecting, without reading this terminal, and
# exits when it ends; the exit status is GDB's. Its files go to their own
# directory, build/gdbscript-NAME/ (NAME: the script's base name), so a
# batch run and an interactive session do not share logs. The script finds
# the kernel's output through the environment: PAGODA_SERIAL_LOG, and
# PAGODA_QEMU_LOG for QEMU's own messages (tools/gdb/pagoda_gdb/session.py
# reads them). A batch run leaves -no-shutdown out, so that QEMU ends when
# the kernel powers off or exits through isa-debug-exit.
#
# With DETERMINISTIC=1 (`make debug DETERMINISTIC=1 [SEED=N]`) the run is
# the same every time (docs/tracing.md): QEMU counts time in instructions
# (-icount) from a fixed date, and the kernel gets deterministic=1
# random.seed=SEED, so a breakpoint is reached at the same instruction.

set -u

usage="usage: $0 KERNEL [INITRD [CMDLINE [MEM]]]"
kernel=${1:?$usage}
initrd=${2:-}
cmdline=${3:-}
mem=${4:-128M}
QEMU=${QEMU:-qemu-system-i386}
GDB=${GDB:-gdb}
script=${GDBSCRIPT:-}

tools=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/gdb/stub.sh
. "$tools/gdb/stub.sh"

if [ ! -f "$kernel" ]; then
	echo "$0: no kernel at $kernel (run make kernel)" >&2
	exit 1
fi
for prog in "$QEMU" "$GDB" python3; do
	if ! command -v "$prog" >/dev/null; then
		echo "$0: $prog is not installed (make deps installs it)" >&2
		exit 1
	fi
done

if [ -n "$script" ] && [ ! -f "$script" ]; then
	echo "$0: no GDB script at $script" >&2
	exit 1
fi

build=$(cd "$(dirname "$kernel")" && pwd)
kernel=$build/$(basename "$kernel")
files=$build
if [ -n "$script" ]; then
	script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script")
	name=$(basename "$script")
	files=$build/gdbscript-${name%.*}
	mkdir -p "$files"
fi
serial_log=$files/serial.log
port_file=$files/debug-serial.port
qemu_log=$files/qemu.log
gdbinit=$files/gdbinit
rm -f "$serial_log"

# shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
args=(-m "$mem" -no-reboot -display none -monitor none
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel")
if [ -z "$script" ]; then
	args+=(-no-shutdown)
fi
if [ -n "$initrd" ] && [ -s "$initrd" ]; then
	args+=(-initrd "$initrd")
fi
if [ "${DETERMINISTIC:-0}" = 1 ]; then
	args+=(-icount shift=0,sleep=off -rtc clock=vm,base=2000-01-01T00:00:00)
	cmdline="deterministic=1 random.seed=${SEED:-0} $cmdline"
fi
if [ -n "$cmdline" ]; then
	args+=(-append "$cmdline")
fi

# QEMU gets a session of its own so that Ctrl-C, which GDB uses to stop
# the guest, does not reach QEMU as well and end it.
setsid=
if command -v setsid >/dev/null; then
	setsid=setsid
fi

qemu_pid=
cleanup()
{
	stub_kill "$qemu_pid"
	rm -f "$port_file"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM

# A free port can be taken before QEMU binds it: try again with new ones.
for _ in 1 2 3; do
	read -r gdb_port serial_port <<<"$(stub_free_ports 2)"
	$setsid "$QEMU" "${args[@]}" -S -gdb "tcp:127.0.0.1:$gdb_port" \
		-chardev "socket,id=com1,host=127.0.0.1,port=$serial_port,server=on,wait=off,logfile=$serial_log" \
		-serial chardev:com1 </dev/null >"$qemu_log" 2>&1 &
	qemu_pid=$!
	if stub_wait_listen "$qemu_pid" "$gdb_port" 50; then
		break
	fi
	stub_kill "$qemu_pid"
	qemu_pid=
	if ! stub_port_was_taken "$qemu_log"; then
		break
	fi
done
if [ -z "$qemu_pid" ]; then
	echo "$0: QEMU did not start:" >&2
	cat "$qemu_log" >&2
	exit 1
fi
echo "$serial_port" >"$port_file"

cat >"$gdbinit" <<EOF
# Written by tools/debug.sh for one \`make debug\` session (GDB stub on port
# $gdb_port); edit tools/debug.sh rather than this file.
set confirm off
set pagination off
# The same syntax as the NASM sources in boot/.
set disassembly-flavor intel
set tcp connect-timeout 10
file $kernel
source $tools/gdb/pagoda.py
target remote 127.0.0.1:$gdb_port
EOF

export PAGODA_SERIAL_LOG=$serial_log PAGODA_QEMU_LOG=$qemu_log
rel_log=${serial_log#"$PWD"/}
rel_tools=${tools#"$PWD"/}

if [ -n "$script" ]; then
	"$GDB" -q -nx -batch -x "$gdbinit" -x "$script" </dev/null
	status=$?
	echo "Kernel output of this run: $rel_log" >&2
	exit "$status"
fi

cat <<EOF
QEMU is paused before the first instruction, its GDB stub on 127.0.0.1:$gdb_port.
  Set breakpoints (break kmain), then continue. Ctrl-C stops the kernel; quit ends QEMU.
  Kernel output:  tail -f $rel_log
  Kernel prompt:  python3 $rel_tools/gdb/console.py $serial_port   (Ctrl-] leaves it)
  Helpers:        help user-defined    (pagoda-ps, pagoda-pt, pagoda-page, pagoda-buddy, ...)
EOF

"$GDB" -q -x "$gdbinit"
