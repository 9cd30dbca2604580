#!/bin/sh
# Builds the initramfs: a cpio "newc" archive of the staging tree $1,
# written to $2. Extra files can be copied into the tree before this runs.
# The fixture tree tests/initramfs-fixtures/ (files, directories and
# symbolic links the in-kernel tests look up under /test) is copied in too.
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
find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --owner=0:0 > "$abs_out"
