# tests/robust/robust.mk - the system-call fuzzer, included by the Makefile.
#
# build/tests/robust/sysfuzz is a static i386 program that runs only on
# Pagoda (tools/qemu-run), never on the host: its random system calls
# would damage a real machine. Its list of calls is generated from the
# kernel's SYSCALL() registrations, so a call added to the kernel is
# fuzzed without changing the fuzzer.
#
#   make fuzz-sys [SECONDS=300] [SEED=1] [KEEP_POLICY=1]
#        a long run, with the table of results per call; the output is
#        kept in build/fuzz-sys.log. KEEP_POLICY=1 (sysfuzz -k) keeps the
#        fuzzers from switching the replacement policy.
#
# `make test` runs a short seeded run (tests/run.py, run_robust).

SYSFUZZ      := $(BUILD)/tests/robust/sysfuzz
SYSFUZZ_GEN  := $(BUILD)/gen/sysfuzz_calls.h
# init_signals.c is a program of its own (run as init by tests/run.py).
INIT_SIGNALS := $(BUILD)/tests/robust/init_signals
SYSFUZZ_SRC  := $(filter-out tests/robust/init_signals.c,\
	$(wildcard tests/robust/*.c))
ROBUST_BIN   := $(SYSFUZZ) $(INIT_SIGNALS)
SECONDS      ?= 300
SEED         ?= 1
KEEP_POLICY  ?= 0

.PHONY: fuzz-sys

# Every kernel source is a prerequisite: a new SYSCALL() line anywhere
# must reach the list.
$(SYSFUZZ_GEN): tests/robust/gencalls.py kernel/syscall/syscall.h $(KERNEL_C)
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tests/robust/gencalls.py kernel/syscall/syscall.h \
		$(filter kernel/%.c fs/%.c mm/%.c drivers/%.c,$(KERNEL_C)) > $@.tmp
	$(Q)mv $@.tmp $@

# -fno-stack-protector: the fuzzing loop must not touch GS (the stack
# protector's canary lives there), since fuzzed set_thread_area calls
# change the segment it selects.
$(SYSFUZZ): $(SYSFUZZ_SRC) $(wildcard tests/robust/*.h) $(SYSFUZZ_GEN)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(UCFLAGS) -fno-stack-protector -I$(BUILD)/gen \
		-Itests/robust $(SYSFUZZ_SRC) -o $@

$(INIT_SIGNALS): tests/robust/init_signals.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@

fuzz-sys: $(KERNEL) $(SYSFUZZ)
	@echo "sysfuzz: $(SECONDS) s, seed $(SEED); output in $(BUILD)/fuzz-sys.log"
	@start=$$(date +%s); \
	{ tools/qemu-run --timeout $$(($(SECONDS) + 300)) --kernel $(KERNEL) \
		$(SYSFUZZ) -t $(SECONDS) -s $(SEED) -v \
		$(if $(filter 1,$(KEEP_POLICY)),-k) 2>&1; \
	  echo $$? > $(BUILD)/fuzz-sys.status; } | tee $(BUILD)/fuzz-sys.log; \
	rc=$$(cat $(BUILD)/fuzz-sys.status); end=$$(date +%s); \
	echo "fuzz-sys: qemu-run status $$rc, $$((end - start)) s on the host" \
		| tee -a $(BUILD)/fuzz-sys.log; exit $$rc
