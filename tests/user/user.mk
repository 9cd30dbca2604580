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

.PHONY: user-tests test-user test-user-leak

$(BUILD)/tests/user/%: tests/user/%.c tests/user/utest.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

$(UTEST_INITRD): $(BUILD)/initramfs/bin/%: $(BUILD)/tests/user/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

user-tests: $(UTEST_BIN) $(UTEST_INITRD)

# The initramfs carries the tests too (an extra prerequisite of its rule).
$(INITRD): $(UTEST_INITRD)

test-user: $(KERNEL) user-tests
	@$(PYTHON) tests/user/run_user.py --kernel $(KERNEL) \
		--bin-dir $(BUILD)/tests/user

test-user-leak: $(KERNEL) user-tests
	@$(PYTHON) tests/user/run_user.py --leak --kernel $(KERNEL) \
		--bin-dir $(BUILD)/tests/user
