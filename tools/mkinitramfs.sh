#!/bin/sh
# Builds the initramfs: a cpio "newc" archive of the staging tree $1,
# written to $2. Extra files can be copied into the tree before this runs.
set -eu
tree=$1
out=$2
mkdir -p "$tree"
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd "$tree"
find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --owner=0:0 > "$abs_out"
