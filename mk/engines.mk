# mk/engines.mk — rule engines (issue 4): the differential test binary and
# the benchmark.  Included from the Makefile.
#
#   make test        also builds $(BUILD)/tests/engines_test, which
#                    tests/run.sh runs with the unit binaries
# (make bench is not written yet: see the engines report.)

ENGINES_TEST := $(BUILD)/tests/engines_test

$(ENGINES_TEST): tests/engines/engines_test.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

test-bins: $(ENGINES_TEST)
