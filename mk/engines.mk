# mk/engines.mk — rule engines (issue 4): libgccjit flags, the differential
# test binary and the benchmark.  Included from the Makefile.
#
#   make JIT=0       builds without libgccjit (the jit engine then declines
#                    and auto uses the interpreter)
#   make test        also builds $(BUILD)/tests/engines_test, which
#                    tests/run.sh runs with the unit binaries
#   make bench       the benchmark of bench/README (not part of make test)

JIT ?= 1
ifeq ($(JIT),1)
CFLAGS_ALL += -DCAMP_JIT=1
LIBS += -lgccjit -ldl -lpthread
else
CFLAGS_ALL += -DCAMP_JIT=0
endif

ENGINES_TEST := $(BUILD)/tests/engines_test

# engines_pg.c + pg_fixture.c: the PostgreSQL mode (CAMP_TEST_PG_URL, tests/pg section 13)
ENGINES_TEST_SRC := tests/engines/engines_pg.c tests/pg/pg_fixture.c

$(ENGINES_TEST): tests/engines/engines_test.c $(ENGINES_TEST_SRC) tests/engines/engines_pg.h tests/pg/pg_fixture.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(ENGINES_TEST_SRC) $(LIB_OBJ) $(LIBS) $(LDFLAGS)

test-bins: $(ENGINES_TEST)

# ------------------------------------------------------------------ bench
# make bench [BENCH_CUSTOMERS=10000000] [BENCH_RUNS=7]: generates the
# database once (cached under build/bench/), then runs bench/run.sh, which
# prints every figure and the target ratios (recorded in bench/RESULTS.md).
BENCH_CUSTOMERS ?= 10000000
BENCH_RUNS ?= 7
BENCH_BIN := $(BUILD)/bench/bench

$(BENCH_BIN): bench/bench.c bench/baseline.c bench/baseline.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -I bench -o $@ bench/bench.c bench/baseline.c $(LIB_OBJ) $(LIBS) $(LDFLAGS)

bench: $(BIN)/camp $(BIN)/retail-gen $(BENCH_BIN)
	@sh bench/run.sh $(BIN)/camp $(BIN)/retail-gen $(BENCH_BIN) $(BENCH_CUSTOMERS) $(BENCH_RUNS)
