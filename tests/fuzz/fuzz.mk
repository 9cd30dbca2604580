# libFuzzer harness for the memory manager (tests/fuzz/fuzz_mm.c).
#
#   make fuzz                  fuzz for FUZZ_SECONDS (default 60) seconds
#   make fuzz-ci               a short run (5 s) for continuous integration
#
# The harness links the real libk/ and mm/ sources with the host shim, built
# by clang with libFuzzer, AddressSanitizer and UBSan. The corpus grows in
# build/fuzz/corpus; a crashing input is written to build/fuzz/ as
# crash-<hash> and can be replayed with `build/fuzz/fuzz_mm <file>`.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_mm
FUZZ_CORPUS  := $(FUZZ_DIR)/corpus

FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -U_FORTIFY_SOURCE -fno-builtin \
	-include tests/host/shim/libk_names.h -MMD -MP \
	-DPORT_INLINE_HEADER='"tests/host/shim/port_inline.h"'
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

# As in tests/host/host.mk: the real libubsan replaces libk/ubsan.c here.
FUZZ_SRC := $(filter-out libk/ubsan.c, \
	$(wildcard libk/*.c mm/*.c tests/host/shim/*.c)) tests/fuzz/fuzz_mm.c
FUZZ_OBJ := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

.PHONY: fuzz fuzz-ci

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BIN): $(FUZZ_OBJ)
	@echo "  CLANGLD $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) $^ -o $@

# $(call run_fuzz,SECONDS): fuzz for that long, growing the corpus.
define run_fuzz
	@mkdir -p $(FUZZ_CORPUS)
	$(FUZZ_BIN) -max_total_time=$(1) -max_len=2048 \
		-artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(FUZZ_CORPUS)
endef

fuzz: $(FUZZ_BIN)
	$(call run_fuzz,$(FUZZ_SECONDS))

fuzz-ci: $(FUZZ_BIN)
	$(call run_fuzz,5)

-include $(FUZZ_OBJ:.o=.d)
