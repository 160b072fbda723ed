# mk/mops.mk — marketing operations (issue 18): date formulas, tasks,
# hierarchy and status codes.  Included from the Makefile.
$(BUILD)/tests/dateformula_test: tests/unit/dateformula_test.c $(BUILD)/compiler/check/dateformula.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS) $(LDFLAGS)

test-bins: $(BUILD)/tests/dateformula_test
