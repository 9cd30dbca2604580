# Host unit tests: cmocka programs built for the build machine with
# AddressSanitizer and UBSan. Every tests/host/test_*.c becomes
# build/host/test_* and links the real libk/ and mm/ sources against the shim
# in tests/host/shim/ (fake RAM, panic that a test can catch).
#
# libk defines memcpy, snprintf and friends under their standard names for
# the kernel; on the host those would clash with the C library, so
# shim/libk_names.h renames them (libk_memcpy, ...) in every host object.

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -U_FORTIFY_SOURCE -fno-builtin \
	-include tests/host/shim/libk_names.h -MMD -MP \
	-DPORT_INLINE_HEADER='"tests/host/shim/port_inline.h"'
HOST_LDLIBS := -lcmocka
# A lab build (LABBUILD=1): -Og; in a student tree a stub's unused names
# only warn.
ifeq ($(LABBUILD),1)
HOST_CFLAGS := $(filter-out -O1,$(HOST_CFLAGS)) -Og
endif
HOST_CFLAGS += $(LAB_WARNINGS)

# libk/ubsan.c is the kernel's UBSan runtime; host programs use the real
# libubsan instead, and the two would define the same handlers.
HOST_LIB_C  := $(filter-out libk/ubsan.c, \
	$(wildcard libk/*.c mm/*.c tests/host/shim/*.c))
HOST_LIB_O  := $(HOST_LIB_C:%.c=$(BUILD)/host/obj/%.o)
HOST_TEST_C := $(wildcard tests/host/test_*.c)
# Linked into every test program: HOST_TEST=NAME runs one test (one_test.c).
HOST_TEST_LIB_O := $(BUILD)/host/obj/tests/host/lib/one_test.o
HOST_TESTS  := $(HOST_TEST_C:tests/host/%.c=$(BUILD)/host/%)

.PHONY: host-tests
# Keep the objects (they are only named by pattern rules) between builds.
.SECONDARY: $(HOST_LIB_O) $(HOST_TEST_LIB_O) $(HOST_TEST_C:%.c=$(BUILD)/host/obj/%.o)
host-tests: $(HOST_TESTS)

$(BUILD)/host/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/test_%: $(BUILD)/host/obj/tests/host/test_%.o $(HOST_LIB_O) $(HOST_TEST_LIB_O)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

# The credential rules are kernel code with no kernel dependency
# (kernel/proc/cred.h): their test links them alone.
$(BUILD)/host/test_cred: $(BUILD)/host/obj/kernel/proc/cred.o

-include $(HOST_LIB_O:.o=.d) $(HOST_TEST_C:%.c=$(BUILD)/host/obj/%.d)
