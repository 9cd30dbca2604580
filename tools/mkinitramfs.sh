#!/bin/sh
# Builds the initramfs: a cpio "newc" archive of the staging tree $1,
# written to $2. Extra files can be copied into the tree before this runs.
# The fixture tree tests/initramfs-fixtures/ (files, directories and
# symbolic links the in-kernel tests look up under /test) is copied in too.
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
fi
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd "$tree"
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	find . -mindepth 1 -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible > "$abs_out"
else
	find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 > "$abs_out"
fi
