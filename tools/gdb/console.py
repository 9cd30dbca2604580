#!/usr/bin/env python3
# tools/gdb/console.py - a terminal on the kernel's serial port under `make debug`.
#
# While GDB owns the terminal of `make debug`, QEMU serves the kernel's
# serial port (COM1) on a TCP port of 127.0.0.1 and also copies everything
# the kernel prints into build/serial.log. Run this in a second terminal to
# see the output and type at the kernel's prompt. Ctrl-] quits; QEMU and the
# GDB session go on. The port comes from build/debug-serial.port, written by
# tools/debug.sh, unless given as the argument.

import os
import select
import socket
import sys
import termios
import tty

QUIT_KEY = b"\x1d"  # Ctrl-], as in telnet


def default_port():
    """Reads the serial port number tools/debug.sh left in build/."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    path = os.path.join(root, "build", "debug-serial.port")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        sys.exit("console: no %s; is `make debug` running? "
                 "(or pass the port number)" % path)


def relay(sock):
    """Copies the terminal to the socket and back until Ctrl-] or EOF."""
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([stdin, sock], [], [])
        if sock in ready:
            data = sock.recv(4096)
            if not data:
                return "QEMU closed the serial port"
            os.write(sys.stdout.fileno(), data)
        if stdin in ready:
            data = os.read(stdin, 1024)
            if not data or QUIT_KEY in data:
                return None
            sock.sendall(data)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else default_port()
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        sys.exit("console: cannot connect to 127.0.0.1:%d: %s" % (port, e))
    sock.settimeout(None)
    print("Connected to the kernel's serial port (127.0.0.1:%d). "
          "Ctrl-] quits.\r" % port)
    saved = None
    if sys.stdin.isatty():
        saved = termios.tcgetattr(sys.stdin.fileno())
        # Raw mode: keys go to the kernel as typed; it does the echoing.
        tty.setraw(sys.stdin.fileno())
    try:
        why = relay(sock)
    finally:
        if saved is not None:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        sock.close()
    print("\nconsole: %s" % (why or "closed"))


if __name__ == "__main__":
    main()
