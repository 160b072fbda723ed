# mk/fuzz.mk — the fuzz targets (tests/fuzz/fuzz_*.c, issue 12) replayed
# in make test: $(BUILD)/tests/fuzzreplay_test runs every target over its
# seeds and tests/fuzz/regress/.  `make fuzz` (tests/fuzz/build.sh) builds
# them with libFuzzer instead.  Included from the Makefile.
FUZZ_SRC := tests/fuzz/replay_test.c tests/fuzz/fuzz_util.c tests/fuzz/fuzz_check.c \
            tests/fuzz/fuzz_csv.c tests/fuzz/fuzz_render.c tests/fuzz/fuzz_snapshot.c \
            tests/fuzz/fuzz_lsp.c tests/fuzz/fuzz_track.c tests/fuzz/fuzz_reply.c \
            tests/fuzz/fuzz_feedback.c
FUZZ_LSP_OBJ := $(filter $(BUILD)/cli/lsp/%,$(OBJ))
FUZZREPLAY_TEST := $(BUILD)/tests/fuzzreplay_test

$(FUZZREPLAY_TEST): $(FUZZ_SRC) tests/fuzz/fuzz.h cli/cmd_lsp.c $(LIB_OBJ) $(FUZZ_LSP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $(FUZZ_SRC) $(LIB_OBJ) $(FUZZ_LSP_OBJ) $(LIBS) $(LDFLAGS)

test-bins: $(FUZZREPLAY_TEST)

# For tests/fuzz/build.sh: the objects the targets link (built with the
# caller's CC / SAN / BUILD), and their list.
fuzz-objs: $(LIB_OBJ) $(FUZZ_LSP_OBJ)
print-fuzz-objs:
	@echo $(LIB_OBJ) $(FUZZ_LSP_OBJ)
.PHONY: fuzz-objs print-fuzz-objs
