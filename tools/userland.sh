#!/bin/sh
# Fetches the third-party userland of the initramfs: Debian 12's static
# i386 busybox (package busybox-static) and bash (package bash-static).
#
# It leaves the host's apt configuration alone (no dpkg --add-architecture):
#   1. downloads dists/bookworm/InRelease from the Debian mirror and checks
#      its signature with gpgv against the Debian archive keyring;
#   2. downloads main/binary-i386/Packages.xz and checks its SHA256 against
#      the one the signed InRelease lists;
#   3. finds each package's .deb in it, downloads the .deb and checks its
#      SHA256 against the one the Packages file lists;
#   4. unpacks it with dpkg-deb -x and copies the one binary out.
# The results go to $PAGODA_USERLAND_CACHE (default build/userland):
#   busybox, bash        the static i386 executables
#   VERSIONS             "package version sha256-of-the-.deb" per package
# A second run with both binaries present does nothing. Nothing is
# installed on the host.
#
# The mirror is the first Debian one apt is configured with
# (/etc/apt/sources.list and sources.list.d), else http://deb.debian.org/debian;
# PAGODA_DEBIAN_MIRROR overrides it.
#
# Usage: tools/userland.sh [--quiet] [--force]
set -eu

SUITE=bookworm
ARCH=i386
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# package:binary-inside-the-.deb:name-in-the-cache
WANTED="busybox-static:bin/busybox:busybox bash-static:bin/bash-static:bash"

quiet=0
force=0
for arg in "$@"; do
	case "$arg" in
	--quiet) quiet=1 ;;
	--force) force=1 ;;
	*)
		echo "usage: $0 [--quiet] [--force]" >&2
		exit 2
		;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PAGODA_USERLAND_CACHE:-$top/build/userland}

say() {
	[ "$quiet" -eq 1 ] || printf '%s\n' "$*"
}

die() {
	printf 'userland.sh: %s\n' "$*" >&2
	printf 'userland.sh: the initramfs needs Debian'\''s busybox-static and bash-static (i386);\n' >&2
	printf 'userland.sh: set PAGODA_DEBIAN_MIRROR=http://... to another Debian mirror, or put\n' >&2
	printf 'userland.sh: static i386 busybox and bash executables into %s by hand.\n' "$cache" >&2
	exit 1
}

if [ "$force" -eq 0 ] && [ -x "$cache/busybox" ] && [ -x "$cache/bash" ]; then
	exit 0
fi

# The first Debian mirror apt uses (one-line and deb822 formats).
find_mirror() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\(https\{0,1\}:[^ ]*\) .*/\2/p' \
			-e 's/^URIs: *\(https\{0,1\}:[^ ]*\).*/\1/p' "$f"
	done | grep -v -e security -e '/ubuntu' | grep '/debian/*$' | head -n 1 |
		sed 's:/*$::'
}

mirror=${PAGODA_DEBIAN_MIRROR:-$(find_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}

for cmd in gpgv dpkg-deb sha256sum xz; do
	command -v "$cmd" >/dev/null 2>&1 ||
		die "the command $cmd is missing (packages gpgv, dpkg, coreutils, xz-utils)"
done
if command -v curl >/dev/null 2>&1; then
	fetch() { curl -fsSL --retry 2 -m 300 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
	fetch() { wget -q -T 60 -O "$2" "$1"; }
else
	die "neither curl nor wget is installed"
fi
[ -r "$KEYRING" ] || die "no $KEYRING (package debian-archive-keyring)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$cache"

say "userland: fetching busybox-static and bash-static ($ARCH, Debian $SUITE) from $mirror"

fetch "$mirror/dists/$SUITE/InRelease" "$work/InRelease" ||
	die "cannot download $mirror/dists/$SUITE/InRelease"
gpgv --keyring "$KEYRING" --output "$work/Release" "$work/InRelease" \
	>"$work/gpgv.log" 2>&1 ||
	{ cat "$work/gpgv.log" >&2; die "bad signature on $mirror/dists/$SUITE/InRelease"; }

# The SHA256 section of Release: " hash size path".
index=main/binary-$ARCH/Packages.xz
want=$(awk -v p="$index" '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 }
	s && $3 == p { print $1; exit }' "$work/Release")
[ -n "$want" ] || die "the signed Release of $SUITE does not list $index"
fetch "$mirror/dists/$SUITE/$index" "$work/Packages.xz" ||
	die "cannot download $mirror/dists/$SUITE/$index"
got=$(sha256sum "$work/Packages.xz" | cut -d' ' -f1)
[ "$got" = "$want" ] || die "$index: SHA256 $got, the Release says $want"
xz -dc "$work/Packages.xz" >"$work/Packages"

: >"$work/VERSIONS"
for entry in $WANTED; do
	pkg=${entry%%:*}
	rest=${entry#*:}
	inside=${rest%%:*}
	name=${rest#*:}
	# The package's stanza: Filename, SHA256 and Version.
	stanza=$(awk -v p="$pkg" '/^Package: / { s = ($2 == p) } s' "$work/Packages")
	file=$(printf '%s\n' "$stanza" | sed -n 's/^Filename: //p' | head -n 1)
	sum=$(printf '%s\n' "$stanza" | sed -n 's/^SHA256: //p' | head -n 1)
	ver=$(printf '%s\n' "$stanza" | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$file" ] && [ -n "$sum" ] ||
		die "$pkg is not in $SUITE's $ARCH Packages"
	say "userland: $pkg $ver ($file)"
	fetch "$mirror/$file" "$work/$pkg.deb" || die "cannot download $mirror/$file"
	got=$(sha256sum "$work/$pkg.deb" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "$file: SHA256 $got, the Packages file says $sum"
	dpkg-deb -x "$work/$pkg.deb" "$work/$pkg"
	[ -f "$work/$pkg/$inside" ] || die "$file holds no $inside"
	cp "$work/$pkg/$inside" "$cache/$name.tmp"
	chmod 755 "$cache/$name.tmp"
	mv "$cache/$name.tmp" "$cache/$name"
	printf '%s %s %s\n' "$pkg" "$ver" "$sum" >>"$work/VERSIONS"
done
cp "$work/VERSIONS" "$cache/VERSIONS"
say "userland: busybox and bash are in $cache"
