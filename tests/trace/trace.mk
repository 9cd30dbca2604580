# tests/trace/trace.mk - the event trace's tests, included by the Makefile.
#
# build/tests/trace/tracetest is a static i386 program that runs only on
# Pagoda (it reads /proc/pagoda), as init through tools/qemu-run. The
# runner's trace layer (tests/trace/run_trace.py) also runs a swap
# scenario twice under --deterministic and compares the two, and checks
# tools/tracetool on a small trace of known contents.

TRACETEST := $(BUILD)/tests/trace/tracetest
TRACE_BIN := $(TRACETEST)

$(TRACETEST): tests/trace/tracetest.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) $< -o $@
