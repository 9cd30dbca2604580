# Host benchmarks: the same mm/ and libk/ sources as the host unit tests,
# built with optimisation and without sanitizers, so that timings mean
# something. `make bench-host` builds and runs each one; they print
# `name value unit` lines.
#
#   bench_kheap  the kernel heap against glibc malloc on a generated
#                kernel-like allocation trace (BENCH_SEED, BENCH_OPS)

BENCH_CFLAGS := -std=gnu11 -g -O2 -Wall -Wextra -Werror -I. \
	-U_FORTIFY_SOURCE -fno-builtin \
	-include tests/host/shim/libk_names.h -MMD -MP \
	-DPORT_INLINE_HEADER='"tests/host/shim/port_inline.h"'
BENCH_SEED ?= 1
BENCH_OPS  ?= 2000000

BENCH_LIB_C := $(filter-out libk/ubsan.c, \
	$(wildcard libk/*.c mm/*.c tests/host/shim/*.c))
BENCH_LIB_O := $(BENCH_LIB_C:%.c=$(BUILD)/bench/obj/%.o)

.PHONY: bench-host
bench-host: $(BUILD)/bench/bench_kheap
	$(BUILD)/bench/bench_kheap $(BENCH_SEED) $(BENCH_OPS)

$(BUILD)/bench/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) -c $< -o $@

$(BUILD)/bench/bench_%: $(BUILD)/bench/obj/tests/host/bench_%.o $(BENCH_LIB_O)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) $^ -o $@

# Keep the objects between runs (they are only named by pattern rules).
.SECONDARY: $(BENCH_LIB_O) $(BUILD)/bench/obj/tests/host/bench_kheap.o

-include $(BENCH_LIB_O:.o=.d) $(BUILD)/bench/obj/tests/host/bench_kheap.d
