# Pagoda - an educational 32-bit x86 kernel about memory management.
#
# `make help` lists the targets. Everything is built into build/.

CROSS   ?= i686-linux-gnu-
CC      := $(CROSS)gcc
LD      := $(CROSS)ld
NM      := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy
NASM    ?= nasm
HOSTCC  ?= gcc
QEMU    ?= qemu-system-i386
GDB     ?= gdb
PYTHON  ?= python3

BUILD   := build
# Quiet build lines; V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
# A student tree of a lab (tools/mklab) has a lab.mk setting LAB and
# LABBUILD=1; see docs/labs/README.md.
-include lab.mk
DEBUG   ?= 0
LABBUILD ?= 0
MEM     ?= 128M
# Extra kernel command line for `make debug` (the ISO of `make run` uses
# iso/boot/grub/grub.cfg), e.g. CMDLINE="loglevel=8".
CMDLINE ?=

KCFLAGS := -std=gnu11 -m32 -march=i686 -ffreestanding -fno-builtin \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-sse -mno-mmx -mno-80387 -mgeneral-regs-only -fno-tree-loop-distribute-patterns \
	-g -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-I. -MMD -MP -DPORT_INLINE_HEADER='"kernel/mm_port_inline.h"'
ifeq ($(DEBUG),1)
KCFLAGS += -Og -fsanitize=undefined -DCONFIG_DEBUG=1
else ifeq ($(LABBUILD),1)
KCFLAGS += -Og
else
KCFLAGS += -O2
endif
# Lab builds: -Og so that GDB shows arguments and locals in every function.
# In a student tree a stub's unused parameters and helpers are warnings,
# not errors.
ifeq ($(LABTREE),1)
LAB_WARNINGS := -Wno-error=unused-parameter -Wno-error=unused-function \
	-Wno-error=unused-variable -Wno-error=unused-but-set-variable
KCFLAGS += $(LAB_WARNINGS)
endif
NASMFLAGS := -f elf32 -g -F dwarf -I boot/
LDFLAGS   := -m elf_i386 -T linker.ld -nostdlib -z noexecstack
# Evaluated when used, so that a fresh machine can install the compiler first.
LIBGCC     = $(shell $(CC) -m32 -print-libgcc-file-name 2>/dev/null)

KERNEL_C   := $(wildcard kernel/*.c kernel/*/*.c fs/*.c mm/*.c drivers/*.c libk/*.c tests/kernel/*.c)
KERNEL_ASM := $(wildcard boot/*.asm)
KERNEL_OBJ := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o) \
	$(BUILD)/k/gen/syscall_names.o
# Linux's i386 system-call numbers, from the cross toolchain's headers.
UNISTD_32 ?= /usr/i686-linux-gnu/include/asm/unistd_32.h

KERNEL := $(BUILD)/kernel.elf
ISO    := $(BUILD)/pagoda.iso
INITRD := $(BUILD)/initramfs.cpio
INITRD_MINI := $(BUILD)/initramfs-mini.cpio
# ubench alone, for make bench: the full image (every test program) leaves
# too little of a 128 MiB machine for its 64 MiB fork benchmark.
INITRD_BENCH := $(BUILD)/initramfs-bench.cpio
# The small initramfs has Pagoda's own small shell as /bin/sh.
MINI_PROGS  := init minish hello

.PHONY: all kernel iso run debug test test-bigmem bench lab grade grade-selftest trace-example memmap-example bench-host fuzz fuzz-ci fuzz-sys clean compdb \
	format help deps

# Objects depend on a file holding the compiler flags, rewritten only when
# they change, so that switching DEBUG=0/1 rebuilds everything.
FLAGS_STAMP := $(BUILD)/.kcflags
$(shell mkdir -p $(BUILD); echo '$(KCFLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(KCFLAGS)' > $(FLAGS_STAMP))

all: $(KERNEL) $(ISO) $(INITRD_MINI)

kernel: $(KERNEL)
iso: $(ISO)

help:
	@echo "Pagoda make targets:"
	@echo "  all      build build/kernel.elf and build/pagoda.iso (default)"
	@echo "  run      boot the ISO through GRUB in QEMU on this terminal (quit: Ctrl-A X)"
	@echo "  debug    boot paused with a GDB stub and open GDB connected to it"
	@echo "  test     run every test layer; ends with 'N passed, N failed, N skipped'"
	@echo "  test-bigmem  2.5 GiB in highmem at 3G, 1 GiB through swap at 48M (minutes)"
	@echo "  bench    run the in-kernel benchmarks and print a table"
	@echo "  fuzz     run the libFuzzer harness for the allocators (FUZZ_SECONDS=60)"
	@echo "  fuzz-sys random system calls on Pagoda, with a table (SECONDS=300 SEED=1)"
	@echo "  bench-host  replay a kernel-like allocation trace: kmalloc vs glibc malloc"
	@echo "  trace-example  a deterministic run of memhog traced and drawn into docs/img"
	@echo "  memmap-example  pictures of an address space and of physical memory into docs/img"
	@echo "  vmsim    build the page-replacement simulator (tools/vmsim/vmsim --help)"
	@echo "  vmsim-test  check the simulator against the textbook figures"
	@echo "  vmsim-table every policy / OPT on the real-program traces (tests/vmsim/traces)"
	@echo "  lab      write the student tree of a lab: make lab LAB=n OUT=dir"
	@echo "  grade    grade a lab: make grade [LAB=n] [HIDDEN=1] (docs/labs/README.md)"
	@echo "  grade-selftest  check every lab's student tree and grader (slow)"
	@echo "  iso      build build/pagoda.iso only"
	@echo "  clean    remove build/"
	@echo "  compdb   write compile_commands.json for clangd"
	@echo "  format   reformat the C sources with clang-format"
	@echo "  deps     install missing build and test packages (apt-get)"
	@echo "Variables: DEBUG=1 (-Og, UBSan), MEM=128M (QEMU RAM), CMDLINE='key=value ...',"
	@echo "  GDBSCRIPT=FILE (make debug runs FILE in GDB's batch mode),"
	@echo "  DETERMINISTIC=1 SEED=N (make run: the same run every time, docs/tracing.md)"

# --- dependencies -------------------------------------------------------------

deps:
	@tools/deps.sh

# --- kernel -------------------------------------------------------------------

$(BUILD)/k/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/gen/syscall_names.c: tools/gensyscalls.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gensyscalls.py $(UNISTD_32) > $@

$(BUILD)/k/gen/syscall_names.o: $(BUILD)/gen/syscall_names.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -Wno-missing-variable-declarations -c $< -o $@

$(BUILD)/k/%.o: %.asm $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

# The kernel embeds its own symbol table for symbolized backtraces. Pass 1
# links with an empty table; the table generated from pass 1 is linked into
# pass 2. .ksyms comes after .text and .rodata, so text addresses agree.
$(BUILD)/ksyms-empty.o: tools/gensyms.py
	@mkdir -p $(BUILD)
	$(Q)$(PYTHON) tools/gensyms.py --empty > $(BUILD)/ksyms-empty.asm
	$(Q)$(NASM) -f elf32 $(BUILD)/ksyms-empty.asm -o $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJ) $(BUILD)/ksyms-empty.o linker.ld
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms-empty.o $(LIBGCC)

$(BUILD)/ksyms.o: $(BUILD)/kernel.pass1.elf tools/gensyms.py
	@echo "  KSYMS   $@"
	$(Q)$(NM) -n --defined-only $< | $(PYTHON) tools/gensyms.py > $(BUILD)/ksyms.asm
	$(Q)$(NASM) -f elf32 $(BUILD)/ksyms.asm -o $@

$(KERNEL): $(KERNEL_OBJ) $(BUILD)/ksyms.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms.o $(LIBGCC)
	@$(NM) -n --defined-only $@ | $(PYTHON) tools/gensyms.py --check $(BUILD)/ksyms.asm
	@if command -v grub-file >/dev/null; then \
		grub-file --is-x86-multiboot $@ || { echo "error: $@ is not Multiboot"; exit 1; }; \
	fi

-include $(KERNEL_OBJ:.o=.d)

# --- initramfs and ISO -------------------------------------------------------

USER_C    := $(wildcard user/*.c)
USER_BIN  := $(USER_C:user/%.c=$(BUILD)/initramfs/bin/%)
UCFLAGS   := -m32 -static -O2 -g -Wall -Wextra -Werror -std=gnu11

$(BUILD)/initramfs/bin/%: user/%.c $(wildcard user/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

# Regular files and directories only: make cannot stat looping symlinks.
FIXTURES := $(shell find tests/initramfs-fixtures -type f -o -type d 2>/dev/null)

# Debian's static i386 busybox and bash (tools/userland.sh fetches and
# checks them; docs/userland.md). busybox's applets become symbolic links
# to it in /bin, except where Pagoda has a program of its own by that name
# (init, and free and ps, which explain the memory columns): busybox's are
# still there as `busybox free`, `busybox ps`.
USERLAND := $(BUILD)/userland
USERLAND_BIN := $(USERLAND)/busybox $(USERLAND)/bash
OWN_PROGS := $(USER_C:user/%.c=%) help

# VERSIONS is written last, so it stands for both executables.
$(USERLAND)/VERSIONS: tools/userland.sh
	$(Q)tools/userland.sh
	@touch $@

$(BUILD)/initramfs/bin/help: user/help.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

$(BUILD)/initramfs/etc/profile: user/profile.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 644 $< $@

# The users (docs/users.md): root, alice and bob. Their home directories
# are made by tools/mkinitramfs.sh from /etc/passwd, owned by each user.
$(BUILD)/initramfs/etc/%: user/etc/%
	@mkdir -p $(dir $@)
	$(Q)install -m 644 $< $@

# The stamp stands for busybox, bash and the applet links together.
$(BUILD)/userland-links.stamp: $(USERLAND)/VERSIONS tools/busybox-applets.py Makefile
	@mkdir -p $(BUILD)/initramfs/bin
	@echo "  BUSYBOX $(BUILD)/initramfs/bin"
	$(Q)install -m 755 $(USERLAND)/busybox $(USERLAND)/bash $(BUILD)/initramfs/bin/
	$(Q)$(PYTHON) tools/busybox-applets.py $(USERLAND)/busybox > $(BUILD)/busybox-applets.txt
	$(Q)for a in $$(cat $(BUILD)/busybox-applets.txt); do \
		case " $(OWN_PROGS) busybox " in *" $$a "*) continue ;; esac; \
		ln -sfn busybox $(BUILD)/initramfs/bin/$$a; \
	done
	@touch $@

$(INITRD): $(USER_BIN) $(BUILD)/initramfs/bin/help $(BUILD)/initramfs/etc/profile \
		$(BUILD)/initramfs/etc/passwd $(BUILD)/initramfs/etc/group \
		$(BUILD)/userland-links.stamp \
		tools/mkinitramfs.sh $(FIXTURES)
	@mkdir -p $(BUILD)/initramfs
	@echo "  CPIO    $@"
	$(Q)tools/mkinitramfs.sh $(BUILD)/initramfs $@

# A small initramfs (the shell and a test program) for the in-kernel suites
# and for machines too small to hold every program (-m 8M).
$(INITRD_MINI): $(MINI_PROGS:%=$(BUILD)/initramfs/bin/%) tools/mkinitramfs.sh $(FIXTURES)
	@rm -rf $(BUILD)/initramfs-mini
	@mkdir -p $(BUILD)/initramfs-mini/bin
	@cp $(MINI_PROGS:%=$(BUILD)/initramfs/bin/%) $(BUILD)/initramfs-mini/bin/
	@mv $(BUILD)/initramfs-mini/bin/minish $(BUILD)/initramfs-mini/bin/sh
	@echo "  CPIO    $@"
	$(Q)tools/mkinitramfs.sh $(BUILD)/initramfs-mini $@

$(INITRD_BENCH): $(BUILD)/initramfs/bin/ubench tools/mkinitramfs.sh
	@rm -rf $(BUILD)/initramfs-bench
	@mkdir -p $(BUILD)/initramfs-bench/bin
	@cp $(BUILD)/initramfs/bin/ubench $(BUILD)/initramfs-bench/bin/
	@echo "  CPIO    $@"
	$(Q)tools/mkinitramfs.sh $(BUILD)/initramfs-bench $@

$(ISO): $(KERNEL) $(INITRD) iso/boot/grub/grub.cfg
	@rm -rf $(BUILD)/isodir
	@mkdir -p $(BUILD)/isodir/boot/grub
	$(Q)cp iso/boot/grub/grub.cfg $(BUILD)/isodir/boot/grub/
	$(Q)cp $(KERNEL) $(BUILD)/isodir/boot/kernel.elf
	$(Q)cp $(INITRD) $(BUILD)/isodir/boot/initramfs.cpio
	@echo "  ISO     $@"
	$(Q)grub-mkrescue -o $@ $(BUILD)/isodir 2>$(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

# --- running ------------------------------------------------------------------

QEMU_COMMON := -m $(MEM) -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# DETERMINISTIC=1: the same run every time (docs/tracing.md). QEMU counts
# time in guest instructions and starts its clock at a fixed date; the
# kernel (booted directly, to pass it deterministic=1 and the seed) takes
# its random numbers from SEED and its date from nowhere else.
DETERMINISTIC ?= 0
SEED ?= 0
QEMU_DETERMINISTIC := -icount shift=0,sleep=off -rtc clock=vm,base=2000-01-01T00:00:00

run:
	@tools/deps.sh --quiet
ifeq ($(DETERMINISTIC),1)
	@$(MAKE) --no-print-directory -j$(JOBS) $(KERNEL) $(INITRD)
	@echo "Booting build/kernel.elf deterministically (seed $(SEED)); quit QEMU with Ctrl-A then X."
	$(QEMU) $(QEMU_COMMON) $(QEMU_DETERMINISTIC) -kernel $(KERNEL) -initrd $(INITRD) \
		-append "deterministic=1 random.seed=$(SEED) $(CMDLINE)" \
		-display none -serial mon:stdio || true
else
	@$(MAKE) --no-print-directory -j$(JOBS) $(ISO)
	@echo "Booting build/pagoda.iso; quit QEMU with Ctrl-A then X."
	$(QEMU) $(QEMU_COMMON) -cdrom $(ISO) -display none -serial mon:stdio || true
endif

# GDBSCRIPT=FILE runs FILE (GDB commands, or Python if it ends in .py) in
# batch mode instead of an interactive session: for labs and tests.
GDBSCRIPT ?=

debug:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) $(KERNEL) $(INITRD)
	@GDBSCRIPT="$(GDBSCRIPT)" DETERMINISTIC="$(DETERMINISTIC)" SEED="$(SEED)" \
		tools/debug.sh $(KERNEL) $(INITRD) "$(CMDLINE)" $(MEM)

# The example picture of docs/tracing.md, from a real deterministic run:
# memhog, 6 MiB on an 8 MiB machine, under user/mmtrace.
TRACE_EXAMPLE := $(BUILD)/memhog.trace

trace-example:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) $(KERNEL) $(INITRD)
	tools/tracetool record -o $(TRACE_EXAMPLE) --cmdline trace.buf=1M \
		--mem 8M --swap 16M memhog -m 6 -r 1 -w 1
	tools/tracetool plot --title "memhog -m 6 -r 1 -w 1 on 8 MiB: faults and evictions" \
		$(TRACE_EXAMPLE) docs/img/trace-memhog.png
	tools/tracetool plot --title "memhog -m 6 -r 1 -w 1 on 8 MiB: faults and evictions" \
		$(TRACE_EXAMPLE) $(BUILD)/trace-memhog.svg

# The pictures of docs/pictures.md, from a real deterministic run of
# user/memdump -e (pages of every kind) on a 16 MiB machine; the dump is
# also the fixture of tools/memmap's test (tests/trace/test_memmap.py).
MEMMAP_EXAMPLE := tests/trace/memmap-example.dump

memmap-example:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) $(KERNEL) $(INITRD)
	tools/memmap record $(MEMMAP_EXAMPLE) --mem 16M
	tools/memmap space $(MEMMAP_EXAMPLE) docs/img/memmap-space.png
	tools/memmap space $(MEMMAP_EXAMPLE) docs/img/memmap-space.svg
	tools/memmap phys $(MEMMAP_EXAMPLE) docs/img/memmap-phys.png
	tools/memmap phys $(MEMMAP_EXAMPLE) docs/img/memmap-phys.svg

# --- tests --------------------------------------------------------------------

include tests/host/host.mk
# Instructor's tree only (absent from a lab's student tree).
-include tests/hidden/hidden.mk
include tests/host/vmsim.mk
include tests/host/bench.mk
include tests/fuzz/fuzz.mk
include tests/user/user.mk
include tests/linuxref/linuxref.mk
include tests/gdb/gdb.mk

# Pagoda-only robustness programs (random system calls): run by tests/run.py
# through tools/qemu-run, never on the host.
include tests/robust/robust.mk
include tests/trace/trace.mk

test:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) all host-tests user-tests $(ROBUST_BIN) $(TRACE_BIN) $(FUZZ_BIN)
	@$(PYTHON) tests/run.py --kernel $(KERNEL) --iso $(ISO) --initrd $(INITRD) \
		--initrd-mini $(INITRD_MINI) --host-bin $(BUILD)/host

# The large working sets of docs/testing.md, too slow for make test: user/
# bigmem verifies every word of 5 x 512 MiB on a 3 GiB machine (highmem),
# then of 2 x 512 MiB on a 48 MiB machine with a 1 GiB swap RAM-disk.
test-bigmem:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) all
	tools/qemu-run --mem 3G --timeout 1800 bigmem -p 5 -m 512 -r 1
	tools/qemu-run --mem 48M --swap 1G --timeout 1800 bigmem -p 2 -m 512 -r 1 -s 4 -c 0

bench:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory -j$(JOBS) $(KERNEL) $(INITRD) $(INITRD_BENCH)
	@$(PYTHON) tests/run.py --bench --kernel $(KERNEL) --initrd $(INITRD) \
		--initrd-bench $(INITRD_BENCH)
	@echo "Host: the kernel heap against glibc malloc on a kernel-like trace"
	@$(MAKE) --no-print-directory -s bench-host | tee -a $(BUILD)/bench.txt

# --- labs (docs/labs/README.md) ---------------------------------------------

LAB    ?=
OUT    ?=
HIDDEN ?= 0

lab:
	@test -n "$(LAB)" -a -n "$(OUT)" || { echo "usage: make lab LAB=n OUT=dir [CUMULATIVE=dir]"; exit 2; }
	@tools/mklab $(LAB) $(OUT) $(if $(CUMULATIVE),--cumulative $(CUMULATIVE))

grade:
	@tools/deps.sh --quiet
	@tools/grade $(if $(LAB),--lab $(LAB)) $(if $(filter 1,$(HIDDEN)),--hidden) \
		$(if $(POLICY),--policy $(POLICY))

# Every lab: generate, build and grade the student tree, grade the reference.
grade-selftest:
	@$(PYTHON) tests/labs/selftest.py --all

# --- housekeeping -------------------------------------------------------------

clean:
	rm -rf $(BUILD) compile_commands.json

compdb:
	@command -v bear >/dev/null || { echo "compdb needs bear (apt-get install bear)"; exit 1; }
	$(MAKE) clean
	bear -- $(MAKE) -j$$(nproc) all host-tests

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
