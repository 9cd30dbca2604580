#!/usr/bin/env python3
"""busybox-applets: prints the applet names a busybox executable holds.

    tools/busybox-applets.py BUSYBOX

The names are those `busybox --list` prints, one a line. The build host
may not run i386 programs, so they are read from the executable instead:
busybox keeps them as one sorted run of NUL-terminated strings that
starts with the applets "[" and "[[" and ends with an empty string
(applet_names in busybox's libbb/appletlib.c). The run is checked to be
sorted and made of plausible names; the test layer compares the links
with `busybox --list` run on Pagoda itself.
"""
import re
import sys


def applets(data):
    start = data.find(b"[\0[[\0")
    if start < 0:
        raise ValueError("no applet table (no \"[\" and \"[[\" entries)")
    names = []
    pos = start
    while True:
        end = data.index(b"\0", pos)
        if end == pos:
            break
        names.append(data[pos:end].decode("ascii"))
        pos = end + 1
    if names != sorted(names) or len(names) < 50:
        raise ValueError("the applet table is not a sorted list of names")
    for n in names:
        if not re.fullmatch(r"[][a-z0-9_.+-]+", n, re.I):
            raise ValueError("odd applet name %r" % n)
    return names


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: busybox-applets.py BUSYBOX")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    try:
        names = applets(data)
    except ValueError as e:
        sys.exit("busybox-applets.py: %s: %s" % (sys.argv[1], e))
    print("\n".join(names))


if __name__ == "__main__":
    main()
