# Hidden tests (instructor's tree only; tools/mklab leaves tests/hidden/
# out of student trees). Built like the host tests into build/hidden/ and
# run by `make grade HIDDEN=1` (tools/grade --hidden) with the specs
# tests/hidden/labN.json. Not part of make test's host layer.

HIDDEN_TEST_C := $(wildcard tests/hidden/test_*.c)
HIDDEN_TESTS  := $(HIDDEN_TEST_C:tests/hidden/%.c=$(BUILD)/hidden/%)

.PHONY: hidden-tests
.SECONDARY: $(HIDDEN_TEST_C:%.c=$(BUILD)/host/obj/%.o)
hidden-tests: $(HIDDEN_TESTS)

$(BUILD)/hidden/test_%: $(BUILD)/host/obj/tests/hidden/test_%.o $(HOST_LIB_O) $(HOST_TEST_LIB_O)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

-include $(HIDDEN_TEST_C:%.c=$(BUILD)/host/obj/%.d)
