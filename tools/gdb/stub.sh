# tools/gdb/stub.sh - starting QEMU with its GDB stub on a free TCP port.
#
# Sourced by tools/debug.sh (`make debug`) and tests/gdb/run.sh. A port is
# free when the kernel hands it out for bind(port 0); another program may
# still take it before QEMU binds it, so callers retry when QEMU reports
# that it could not bind. Only 127.0.0.1 is used: the stub lets whoever
# connects read and write the guest's memory.
#
# shellcheck shell=bash

# Prints $1 (default 1) free TCP ports on 127.0.0.1, separated by spaces.
stub_free_ports()
{
	python3 - "${1:-1}" <<'EOF'
import socket
import sys

# Keep every socket open until all are bound, so the ports differ.
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Waits until process $1 listens on 127.0.0.1:$2, for at most $3 tenths of
# a second. Returns 0 when it listens, 1 when the process died or time ran
# out. Another program listening on the port does not count: the socket
# must be one of the process's files. Without /proc (not Linux) it only
# waits a moment: GDB's `target remote` retries the connection by itself.
stub_wait_listen()
{
	local pid=$1 hex tenths=$3 i inodes
	hex=$(printf '%04X' "$2")
	if [ ! -r /proc/net/tcp ]; then
		sleep 0.5
		kill -0 "$pid" 2>/dev/null
		return
	fi
	for ((i = 0; i < tenths; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		# State 0A is LISTEN; 0100007F:PORT is 127.0.0.1:PORT; field 10
		# is the socket's inode.
		inodes=$(awk -v a="0100007F:$hex" \
			'$2 == a && $4 == "0A" { printf " %s ", $10 }' /proc/net/tcp)
		if [ -n "$inodes" ] && stub_has_socket "$pid" "$inodes"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# True when process $1 has open one of the sockets whose inodes are listed
# in $2 (each surrounded by spaces).
stub_has_socket()
{
	local fd link inode
	for fd in "/proc/$1/fd/"*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		case $link in
		socket:\[*\]) ;;
		*) continue ;;
		esac
		inode=${link#socket:[}
		inode=${inode%]}
		case $2 in
		*" $inode "*) return 0 ;;
		esac
	done
	return 1
}

# True when QEMU's log $1 says that it could not bind its port.
stub_port_was_taken()
{
	grep -qi -e "bind" -e "address already in use" "$1"
}

# Stops process $1 (TERM, then KILL after a second) and reaps it.
stub_kill()
{
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
