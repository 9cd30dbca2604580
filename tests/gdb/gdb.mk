# tests/gdb/gdb.mk - the program the GDB helper tests look at, included by
# the Makefile.
#
# tests/gdb/gdbprobe.c becomes /bin/gdbprobe in the initramfs that
# `make debug` boots, so that tests/gdb/helpers.sh (through
# `make debug GDBSCRIPT=...`) and lab sessions can start it with
# CMDLINE="init=/bin/gdbprobe". It runs on Pagoda only.

GDBPROBE        := $(BUILD)/tests/gdb/gdbprobe
GDBPROBE_INITRD := $(BUILD)/initramfs/bin/gdbprobe

$(GDBPROBE): tests/gdb/gdbprobe.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

$(GDBPROBE_INITRD): $(GDBPROBE)
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# The initramfs carries it (an extra prerequisite of its rule).
$(INITRD): $(GDBPROBE_INITRD)

# tests/gdb/gdbuser.c: two processes running the same code, for the test
# of pagoda-user and pagoda-ubreak (tests/gdb/user.sh).
GDBUSER        := $(BUILD)/tests/gdb/gdbuser
GDBUSER_INITRD := $(BUILD)/initramfs/bin/gdbuser

$(GDBUSER): tests/gdb/gdbuser.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

$(GDBUSER_INITRD): $(GDBUSER)
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(INITRD): $(GDBUSER_INITRD)
