#!/bin/sh
# Builds the initramfs: a cpio "newc" archive of the staging tree $1,
# written to $2. Extra files can be copied into the tree before this runs.
# The fixture tree tests/initramfs-fixtures/ (files, directories and
# symbolic links the in-kernel tests look up under /test) is copied in too.
#
# Every file belongs to root (--owner=0:0). If the tree has an
# /etc/passwd, each user in it with a uid of 1000 or more gets a home
# directory owned by that user and group, mode 0700: cpio can give one
# owner per archive only, so each home is a small archive of its own
# appended after the main one (the kernel reads archives one after the
# other, as Linux does), and its entry overrides the main archive's.
#
# With SOURCE_DATE_EPOCH set (a number of seconds, the reproducible-builds
# convention), every entry gets that time and the archive holds no host
# inode or device numbers, so the same files make the same bytes: what
# tools/qemu-run --deterministic needs.
set -eu
tree=$1
out=$2
fixtures=$(dirname "$0")/../tests/initramfs-fixtures
mkdir -p "$tree"
if [ -d "$fixtures" ]; then
	cp -R -P "$fixtures/." "$tree/"
	# Git keeps only 0644 and 0755: the fixtures of the permission
	# tests (tests/kernel/test_files.c) get their modes here.
	chmod 700 "$tree/test/private"
	chmod 600 "$tree/test/secret.txt"
	chmod 744 "$tree/test/owner-exec.sh"
fi
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

# archive DIR OWNER FIND-ARGS...: writes the entries of DIR that find
# selects as one archive.
archive() {
	dir=$1 owner=$2
	shift 2
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		(cd "$dir" &&
		 find "$@" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} + &&
		 find "$@" | LC_ALL=C sort |
			cpio --quiet -o -H newc --owner="$owner" --reproducible)
	else
		(cd "$dir" && find "$@" | LC_ALL=C sort |
			cpio --quiet -o -H newc --owner="$owner")
	fi
}

homes=
if [ -f "$tree/etc/passwd" ]; then
	mkdir -p "$tree/home" "$tree/root"
	chmod 755 "$tree/home"
	chmod 700 "$tree/root"
	homes=$(awk -F: '$3 >= 1000 && $3 < 65534 && $6 ~ "^/home/" { print $3 ":" $4 ":" $6 }' "$tree/etc/passwd")
fi

archive "$tree" 0:0 . -mindepth 1 > "$abs_out"
if [ -n "$homes" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for h in $homes; do
		uid=${h%%:*}
		rest=${h#*:}
		gid=${rest%%:*}
		home=${rest#*:}
		mkdir -p "$tmp/$uid$(dirname "$home")"
		mkdir -m 700 "$tmp/$uid$home"
		archive "$tmp/$uid" "$uid:$gid" ".${home}" >> "$abs_out"
	done
fi
