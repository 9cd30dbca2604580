# tests/linuxref/linuxref.mk - the Linux reference's programs, included by
# the Makefile.
#
# Where the build machine cannot run i386 programs, tools/linux-ref boots a
# Debian kernel under QEMU to be the reference of the user tests, with
# build/linuxref/init as its first process. build/linuxref/probe is what
# tools/linux-ref runs on the host to find out whether it can. Both are
# static i386 programs, built like the tests.

LINUXREF_BIN := $(BUILD)/linuxref/init $(BUILD)/linuxref/probe

$(BUILD)/linuxref/%: tests/linuxref/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

# The user tests need them to choose and run their reference.
user-tests: $(LINUXREF_BIN)
