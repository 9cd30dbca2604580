# The page replacement simulator, tools/vmsim, built for the build machine
# from tools/vmsim/*.c and the kernel's own policies (mm/policy*.c), with
# libk's string functions (libk names renamed as in the host tests).
#
#   make vmsim        build build/tools/vmsim
#   make vmsim-test   run the simulator's checks (tests/vmsim/run.py)
#   make vmsim-table  every policy / OPT on the real-program traces of
#                     tests/vmsim/traces (tools/vmsim/policy-table.py)
#
# The wrapper tools/vmsim/vmsim uses this file on its own
# (make -f tests/host/vmsim.mk vmsim), so it sets what it needs itself.
#
# It also builds build/host/test_policy, the policies' unit test, which
# is part of host-tests. Its source is in tests/host/standalone/, out of
# the reach of host.mk's tests/host/test_*.c: the test brings its own
# simulated MMU (policy_test_and_clear_accessed), which would clash with
# the reverse map's in the rest of mm/, so it links only the policies,
# libk and the shim's panic.

BUILD  ?= build
HOSTCC ?= gcc
PYTHON ?= python3

VMSIM        := $(BUILD)/tools/vmsim
VMSIM_CFLAGS := -std=gnu11 -g -O2 -Wall -Wextra -Werror -I. \
	-U_FORTIFY_SOURCE -fno-builtin \
	-include tests/host/shim/libk_names.h -MMD -MP
VMSIM_SRC    := $(wildcard tools/vmsim/*.c mm/policy*.c) libk/string.c
VMSIM_OBJ    := $(VMSIM_SRC:%.c=$(BUILD)/vmsim/obj/%.o)

.PHONY: vmsim vmsim-test vmsim-table
vmsim: $(VMSIM)

vmsim-test: $(VMSIM)
	@$(PYTHON) tests/vmsim/run.py

vmsim-table: $(VMSIM)
	@$(PYTHON) tools/vmsim/policy-table.py

$(BUILD)/vmsim/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(VMSIM_CFLAGS) -c $< -o $@

$(VMSIM): $(VMSIM_OBJ)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(VMSIM_CFLAGS) $^ -o $@

POLICY_TEST_SRC := tests/host/standalone/test_policy.c \
	$(wildcard mm/policy*.c) \
	$(filter-out libk/ubsan.c, $(wildcard libk/*.c)) \
	tests/host/shim/host_shim.c tests/host/lib/one_test.c
POLICY_TEST_O   := $(POLICY_TEST_SRC:%.c=$(BUILD)/host/obj/%.o)

host-tests: $(BUILD)/host/test_policy

$(BUILD)/host/test_policy: $(POLICY_TEST_O)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

-include $(VMSIM_OBJ:.o=.d) $(POLICY_TEST_O:.o=.d)
