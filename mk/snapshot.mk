# mk/snapshot.mk — snapshot integrity (issue 12): the damage test binary,
# run by tests/run.sh's unit suite (make test, make asan).  Included from
# the Makefile.
SNAPDAMAGE_TEST := $(BUILD)/tests/snapdamage_test

$(SNAPDAMAGE_TEST): tests/snapshot/damage_test.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

test-bins: $(SNAPDAMAGE_TEST)
