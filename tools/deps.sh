#!/bin/sh
# Installs the packages Pagoda needs to build, run and test, if any are
# missing. Used by `make deps`, and with --quiet by `make run` and
# `make test` before they start.
#
# On Debian and Ubuntu it asks dpkg which packages are missing and installs
# them with apt-get (through sudo when not run as root), saying what it
# installs. A second run finds nothing to do. Elsewhere it cannot install
# anything: it checks that the needed commands exist and, if some do not,
# prints the package list (Debian names) and fails.
#
# Usage: tools/deps.sh [--quiet]
#   --quiet  print nothing when everything is already installed
set -eu

# The packages every part of the build and the test suite uses. The clang
# runtime package (libFuzzer and the sanitizers) is added separately, since
# its name carries clang's version. util-linux provides mkswap and swaplabel
# for the swap tests; Debian always has it installed, it is listed so that
# other systems are told. gnuplot-nox draws the simulator's plots
# (tools/vmsim, tested by make test); xz-utils decompresses the
# real-program traces it replays (tests/vmsim/traces, make vmsim-table).
# Only remaking those traces (tools/vmsim/record-traces.py) needs
# valgrind, perl and sqlite3 besides; the script says what is missing.
# curl, gpgv, xz-utils and debian-archive-keyring let tools/userland.sh
# fetch and check Debian's static i386 busybox and bash for the initramfs
# (docs/userland.md).
PACKAGES="make gcc gcc-i686-linux-gnu binutils-i686-linux-gnu
libc6-dev-i386-cross nasm grub-pc-bin grub-common xorriso mtools
qemu-system-x86 cpio libcmocka-dev clang gdb python3 util-linux gnuplot-nox
curl gpgv xz-utils debian-archive-keyring"

# Commands that stand for the packages where dpkg is not available.
COMMANDS="make gcc i686-linux-gnu-gcc i686-linux-gnu-ld nasm grub-mkrescue
xorriso mformat qemu-system-i386 cpio clang gdb python3 gnuplot curl gpgv xz
dpkg-deb"

quiet=0
installed_any=0
updated=0
sudo=""

usage() {
	echo "usage: $0 [--quiet]" >&2
	exit 2
}

say() {
	printf '%s\n' "$*"
}

# Prints a message on stderr and stops.
die() {
	printf 'deps.sh: %s\n' "$*" >&2
	exit 1
}

# Succeeds if /etc/os-release names Debian, Ubuntu or a derivative of them.
is_debian_like() {
	[ -r /etc/os-release ] || return 1
	# shellcheck disable=SC1091
	ids=$(. /etc/os-release && printf '%s %s' "${ID:-}" "${ID_LIKE:-}")
	case " $ids " in
	*" debian "* | *" ubuntu "*) return 0 ;;
	*) return 1 ;;
	esac
}

# Succeeds if dpkg records the package as installed.
is_installed() {
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

# Prints the packages from the arguments that are not installed.
missing_of() {
	for pkg in "$@"; do
		is_installed "$pkg" || printf '%s ' "$pkg"
	done
}

# Decides how to run apt-get: directly as root, else through sudo.
choose_sudo() {
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		die "installing needs root, and sudo is not available;" \
			"as root run: apt-get install $*"
	fi
}

# Stops with a hint if apt knows none of the package sources holding some
# of the packages in the arguments. On Ubuntu the cross compiler, NASM,
# cmocka, clang, xorriso and gnuplot are in the "universe" component,
# which minimal installations and containers often leave out.
check_available() {
	unknown=""
	for pkg in "$@"; do
		candidate=$(apt-cache policy "$pkg" 2>/dev/null |
			sed -n 's/^ *Candidate: *//p')
		case "$candidate" in
		"" | "(none)") unknown="$unknown $pkg" ;;
		esac
	done
	[ -n "$unknown" ] || return 0
	say "deps.sh: no enabled package source has:$unknown" >&2
	# shellcheck disable=SC1091
	distro=$(. /etc/os-release && printf '%s' "${ID:-}")
	if [ "$distro" = ubuntu ]; then
		say "On Ubuntu these are in the 'universe' component. Enable it" \
			"with" >&2
		say "    sudo add-apt-repository -y universe" \
			"   (package software-properties-common)" >&2
		say "or add 'universe' to the Components: line of" \
			"/etc/apt/sources.list.d/ubuntu.sources (24.04)" >&2
		say "or to each 'deb' line of /etc/apt/sources.list (22.04)," \
			"then run: sudo apt-get update" >&2
	else
		say "They are in Debian's 'main' component: check that" \
			"/etc/apt/sources.list (or /etc/apt/sources.list.d/)" \
			"lists main for your release, then run: sudo apt-get" \
			"update" >&2
	fi
	exit 1
}

# Installs the packages named in the arguments (word-split on purpose).
install_packages() {
	say "Installing: $*"
	choose_sudo "$@"
	if [ "$updated" -eq 0 ]; then
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get -q update ||
			die "apt-get update failed"
		updated=1
	fi
	check_available "$@"
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "$@" ||
		die "apt-get install failed for: $*"
	installed_any=1
}

# Prints the major version of the installed clang, or nothing.
clang_major() {
	clang --version 2>/dev/null |
		sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Succeeds if clang can build a libFuzzer program with the sanitizers.
clang_links_fuzzer() {
	dir=$(mktemp -d) || return 1
	printf '%s\n' \
		'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);' \
		'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)' \
		'{ (void)d; (void)n; return 0; }' >"$dir/fuzz.c"
	ok=0
	clang -fsanitize=fuzzer,address,undefined "$dir/fuzz.c" \
		-o "$dir/fuzz" >/dev/null 2>&1 || ok=1
	rm -rf "$dir"
	return "$ok"
}

# Prints the clang runtime package matching clang's major version if it
# needs installing. If this distribution has no such package, checks that
# libFuzzer works anyway, and warns (on stderr) if it does not.
clang_runtime_missing() {
	major=$(clang_major)
	if [ -z "$major" ]; then
		say "note: cannot tell clang's version; the fuzz step will be" \
			"skipped" >&2
		return 0
	fi
	pkg="libclang-rt-$major-dev"
	if is_installed "$pkg"; then
		return 0
	fi
	if apt-cache show "$pkg" >/dev/null 2>&1; then
		printf '%s ' "$pkg"
	elif ! clang_links_fuzzer; then
		say "note: no $pkg here and clang cannot link" \
			"-fsanitize=fuzzer; the fuzz step will be skipped" >&2
	fi
}

# Where dpkg is missing: check for the commands, else list the packages.
check_foreign_system() {
	absent=""
	for cmd in $COMMANDS; do
		command -v "$cmd" >/dev/null 2>&1 || absent="$absent $cmd"
	done
	if [ -z "$absent" ]; then
		[ "$quiet" -eq 1 ] ||
			say "not Debian or Ubuntu: packages not checked," \
				"but the needed commands are present"
		exit 0
	fi
	say "This is not a Debian or Ubuntu system, so nothing can be installed."
	say "Missing commands:$absent"
	say "Install the equivalents of these Debian packages:"
	# shellcheck disable=SC2086 # one package per word
	say $PACKAGES "libclang-rt-<clang major version>-dev"
	exit 1
}

main() {
	case "${1:-}" in
	"") ;;
	--quiet) quiet=1 ;;
	*) usage ;;
	esac
	[ "$#" -le 1 ] || usage

	if ! is_debian_like || ! command -v dpkg-query >/dev/null 2>&1 ||
		! command -v apt-get >/dev/null 2>&1; then
		check_foreign_system
	fi

	# shellcheck disable=SC2086 # one package per word
	missing=$(missing_of $PACKAGES)
	# The runtime's name depends on clang's version, so it can be worked
	# out now only if clang is already installed; else after installing.
	runtime_checked=0
	if command -v clang >/dev/null 2>&1; then
		missing="$missing$(clang_runtime_missing)"
		runtime_checked=1
	fi
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086 # one package per word
		install_packages $missing
	fi
	if [ "$runtime_checked" -eq 0 ]; then
		runtime=$(clang_runtime_missing)
		# shellcheck disable=SC2086 # one package per word
		[ -z "$runtime" ] || install_packages $runtime
	fi

	if [ "$installed_any" -eq 0 ] && [ "$quiet" -eq 0 ]; then
		say "all dependencies present"
	fi
}

main "$@"
