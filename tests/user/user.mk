# tests/user/user.mk - the differential user tests, included by the Makefile.
#
# Each tests/user/X.c becomes a static i386 program build/tests/user/X,
# which runs on the Linux reference (the host as it is, or a Debian kernel
# under QEMU: tools/linux-ref), and is copied into the initramfs tree as
# /bin/X for Pagoda. tests/user/run_user.py runs both and compares.
#
#   make user-tests       build them (and put them in the initramfs tree)
#   make test-user        run them on the reference and on Pagoda
#   make test-user-leak   run them all in one boot under leakcheck

UTEST_C      := $(wildcard tests/user/*.c)
UTEST_BIN    := $(UTEST_C:tests/user/%.c=$(BUILD)/tests/user/%)
UTEST_INITRD := $(UTEST_C:tests/user/%.c=$(BUILD)/initramfs/bin/%)

# A data file with a 210-character name, beside the tests in /bin, for the
# lines of long paths in /proc/PID/maps and smaps (tests/user/proc_smaps.c
# finds it by its prefix "long-name-", as run_user.py does).
# "long-name-" and twenty times "0123456789" ($(eval) expands to nothing,
# so the subst removes the spaces foreach puts between the words).
UTEST_LONG   := long-name-$(subst $(eval) ,,$(foreach i,1 2 3 4 5 6 7 8 9 10 \
		11 12 13 14 15 16 17 18 19 20,0123456789))
UTEST_DATA   := $(BUILD)/tests/user/$(UTEST_LONG)

# Debian's busybox and bash (tools/userland.sh) beside the tests: the
# shell tests run them from the directory of their own argv[0].
UTEST_USERLAND := $(BUILD)/tests/user/busybox $(BUILD)/tests/user/bash

.PHONY: user-tests test-user test-user-leak

$(UTEST_USERLAND): $(BUILD)/tests/user/%: $(BUILD)/userland/VERSIONS
	@mkdir -p $(dir $@)
	$(Q)cp $(BUILD)/userland/$* $@

# The demos' tests compile the demos themselves (tests/user/demo_*.c).
$(BUILD)/tests/user/demo_uffd: user/uffdemo.c
$(BUILD)/tests/user/demo_gc: user/gcdemo.c

$(BUILD)/tests/user/%: tests/user/%.c $(wildcard tests/user/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

$(UTEST_INITRD): $(BUILD)/initramfs/bin/%: $(BUILD)/tests/user/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(UTEST_DATA): tests/user/user.mk
	@mkdir -p $(dir $@)
	$(Q)echo "A file with a long name, mapped by tests/user/proc_smaps.c." > $@

user-tests: $(UTEST_BIN) $(UTEST_INITRD) $(UTEST_DATA) $(UTEST_USERLAND)

# The initramfs carries the tests too (an extra prerequisite of its rule).
$(INITRD): $(UTEST_INITRD)

test-user: $(KERNEL) user-tests
	@$(PYTHON) tests/user/run_user.py --kernel $(KERNEL) \
		--bin-dir $(BUILD)/tests/user

test-user-leak: $(KERNEL) user-tests
	@$(PYTHON) tests/user/run_user.py --leak --kernel $(KERNEL) \
		--bin-dir $(BUILD)/tests/user
