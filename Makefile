# camp — build, test and set-up.  `make test` and `make demo` work on a fresh
# Debian 12 machine: they install the missing packages first (make deps).

CC       ?= gcc
PREFIX   ?= /usr/local
BUILD    ?= build
BIN      ?= bin
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(SAN) -I . -I $(BUILD) -I /usr/include/postgresql $(PKG_CFLAGS) $(CFLAGS)
# Delivery (runtime/delivery): libcurl (SMTP, HTTP), GMime (MIME, with
# GLib), libsodium (SHA-256; HMAC in mk/track.mk).
# pkg-config runs when a command needs the flags, i.e. after `make deps`
# installed the packages (these variables are expanded late on purpose).
PKG_MODS  = gmime-3.0 libcurl libsodium
PKG_CFLAGS = $(shell pkg-config --cflags $(PKG_MODS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKG_MODS) 2>/dev/null)
# libpq: the PostgreSQL backend (runtime/db/db_pg.c)
LIBS      = -lsqlite3 -lpq -ljansson -lcsv -lm -lical $(PKG_LIBS) -lpthread

# Debian packages camp needs to build and run, and `make demo` (its local
# SMTP sink, jq, graphviz) — see README: Dependencies.  `make deps`.
DEB_PKGS := gcc make flex bison libsqlite3-dev libjansson-dev libcsv-dev libgccjit-12-dev tzdata \
            sqlite3 graphviz jq libcurl4-openssl-dev libgmime-3.0-dev libsodium-dev pkg-config \
            python3-aiosmtpd libical-dev libpq-dev

# Packages only the tests need (`make test-deps`, part of make test): a
# throw-away PostgreSQL 15 server (tests/pg/lib.sh runs initdb/pg_ctl),
# valgrind, the editors and shells whose support is tested, groff/man for
# the man page, openssl for the STARTTLS test's certificates, headless
# Chromium for the browser test of `camp serve` (tests/distrib/browser.sh),
# node for the VS Code package, clang and libFuzzer's runtime for the short
# libFuzzer runs of tests/fuzzrun.
DEB_TEST_PKGS := postgresql-15 postgresql-client-15 valgrind vim emacs-nox zsh groff-base man-db patch \
                 openssl chromium clang libclang-rt-14-dev $(if $(shell command -v npm),,nodejs npm)
# Snapshot checksums (XXH3): runtime/engine/snapshot_file.c, compiler/rules/columns_check.c.
DEB_PKGS += libxxhash-dev
LIBS     += -lxxhash

SRC := $(wildcard lang/*.c compiler/*/*.c runtime/*/*.c cli/*.c cli/*/*.c)
GEN := $(BUILD)/parser.c $(BUILD)/lexer.c $(BUILD)/stdlib_embed.c
OBJ := $(patsubst %.c,$(BUILD)/%.o,$(SRC)) $(BUILD)/parser.o $(BUILD)/lexer.o \
       $(BUILD)/stdlib_embed.o

LIB_OBJ := $(filter-out $(BUILD)/cli/%,$(OBJ))
TEST_BINS := $(BUILD)/tests/exec_cases $(BUILD)/tests/db_test $(BUILD)/tests/render_test \
             $(BUILD)/tests/csv_test $(BUILD)/tests/tz_test

.PHONY: all deps test-deps test demo asan fuzz install install-files clean bless bench bench-delivery bench-pg bench-sharded test-bins
all: deps $(BIN)/camp

test-bins: $(TEST_BINS)

include mk/engines.mk
include mk/snapshot.mk
include mk/fuzz.mk
include mk/track.mk
include mk/mops.mk

$(BUILD)/tests/exec_cases: tests/exec/exec_test.c tests/pg/pg_fixture.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< tests/pg/pg_fixture.c $(LIB_OBJ) $(LIBS) $(LDFLAGS)

$(BUILD)/tests/render_test: tests/unit/render_test.c $(BUILD)/runtime/delivery/render.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS) $(LDFLAGS)

# tests/pg: copies SQLite fixtures into PostgreSQL (not a *_test: run by tests/pg/run.sh)
$(BUILD)/tests/pg_load: tests/pg/pg_load.c tests/pg/pg_fixture.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< tests/pg/pg_fixture.c $(LIB_OBJ) $(LIBS) $(LDFLAGS)

test-bins: $(BUILD)/tests/pg_load $(BIN)/retail-gen

$(BUILD)/tests/tz_test: tests/unit/tz_test.c $(BUILD)/compiler/check/timezone.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS) $(LDFLAGS)

# (db.h's backends need the SQL dialects: link the library objects)
$(BUILD)/tests/csv_test: tests/unit/csv_test.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

$(BUILD)/tests/db_test: tests/unit/db_test.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

deps: $(BUILD)/.deps-ok
test-deps: $(BUILD)/.test-deps-ok

# Installing packages must finish before anything compiles, also under
# make -j: every generated file and object waits for this stamp, which is
# made again when the package list (this Makefile) changes.
$(BUILD)/.deps-ok: Makefile $(wildcard mk/*.mk) tools/deps.sh
	@sh tools/deps.sh $(DEB_PKGS)
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/.test-deps-ok: Makefile $(wildcard mk/*.mk) tools/deps.sh | $(BUILD)/.deps-ok
	@sh tools/deps.sh $(DEB_TEST_PKGS)
	@mkdir -p $(BUILD) && touch $@

$(BIN)/camp: $(OBJ)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_ALL) -o $@ $(OBJ) $(LIBS) $(LDFLAGS)

# One bison run makes both files (a grouped target: make -j runs it once).
$(BUILD)/parser.c $(BUILD)/parser.h &: lang/parser.y | $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)
	bison -Wall -Werror --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/lexer.c: lang/lexer.l $(BUILD)/parser.h | $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)
	flex -o $@ $<

$(BUILD)/stdlib_embed.c: $(wildcard stdlib/*.camp) tools/embed.sh
	@mkdir -p $(BUILD)
	sh tools/embed.sh stdlib $@

# Generated scanner code trips -Wextra in flex's own skeleton; keep -Werror
# for everything we write and relax only what flex emits.
$(BUILD)/lexer.o: $(BUILD)/lexer.c
	$(CC) $(CFLAGS_ALL) -Wno-unused-function -Wno-sign-compare -c -o $@ $<

$(BUILD)/%.o: $(BUILD)/%.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/%.o: %.c | $(BUILD)/parser.h $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

-include $(patsubst %.c,$(BUILD)/%.d,$(SRC))

test: all test-bins test-deps
	@TEST_BIN_DIR=$(BUILD)/tests sh tests/run.sh $(BIN)/camp

bless: all test-bins test-deps
	@BLESS=1 TEST_BIN_DIR=$(BUILD)/tests sh tests/run.sh $(BIN)/camp

# ASan + UBSan over the whole suite, in a separate build tree.
asan: test-deps
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build-asan/bin/camp test-bins
	# a sanitized camp runs 3-10x slower: longer limits, fewer random plans
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:suppressions=$(CURDIR)/tools/asan.supp \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
	  SUITE_TIMEOUT=$${SUITE_TIMEOUT:-2700} T_TIMEOUT=$${T_TIMEOUT:-300} PLANS_CASES=$${PLANS_CASES:-50} \
	  TEST_BIN_DIR=build-asan/tests sh tests/run.sh build-asan/bin/camp

$(BIN)/retail-gen: examples/retail/gen.c
	@mkdir -p $(BIN)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ $< -lsqlite3

demo: all $(BIN)/retail-gen
	@GEN=$(BIN)/retail-gen sh examples/retail/demo.sh $(BIN)/camp

# The delivery benchmark (bench/delivery.sh): e-mails/s into a local SMTP
# sink, HTTP messages/s into the stand-in, peak RSS at 1M queued.  Also
# run by `make bench`.
bench-delivery: $(BIN)/camp
	@sh bench/delivery.sh $(BIN)/camp
bench: bench-delivery

# The PostgreSQL benchmark (bench/pg.sh): R1, R2 and the split on SQLite and
# on a throw-away PostgreSQL server (its JIT off and on, camp's engines),
# snapshot extraction, the retail plan end to end; BENCH_PG_CUSTOMERS
# (default 1,000,000).  Needs `make test-deps` (postgresql-15).
bench-pg: $(BIN)/camp $(BIN)/retail-gen $(BUILD)/tests/pg_load
	@sh bench/pg.sh $(BIN)/camp $(BIN)/retail-gen $(BUILD)/tests/pg_load
bench: bench-pg

# The sharded benchmark (bench/sharded.sh): examples/sharded's coordinator and
# 3 shard servers beside one plain PostgreSQL database with the same data:
# loading (through the coordinator and directly), R1, R2, the split,
# snapshot extraction, the retail plan; BENCH_SHARDED_CUSTOMERS (default
# 100,000 so that `make bench` stays short; the 1M and 10M figures are in
# bench/RESULTS.md).  Needs `make test-deps` (postgresql-15).
BENCH_SHARDED_CUSTOMERS ?= 100000
bench-sharded: $(BIN)/camp $(BIN)/retail-gen $(BUILD)/tests/pg_load
	@sh bench/sharded.sh $(BIN)/camp $(BIN)/retail-gen $(BUILD)/tests/pg_load $(BENCH_SHARDED_CUSTOMERS)
bench: bench-sharded

fuzz: deps
	@sh tests/fuzz/build.sh

install: all install-files

# The man page and the shell completions are generated by the binary from
# its command table (cli/commands.c), so they list exactly what it accepts.
# install-files installs an already built $(BIN)/camp (tests/cli uses it).
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/camp/stdlib \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN)/camp $(DESTDIR)$(PREFIX)/bin/camp
	install -m 644 stdlib/*.camp $(DESTDIR)$(PREFIX)/share/camp/stdlib/
	$(BIN)/camp help --man > $(DESTDIR)$(PREFIX)/share/man/man1/camp.1
	$(BIN)/camp completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/camp
	$(BIN)/camp completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_camp
	$(BIN)/camp completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/camp.fish

clean:
	rm -rf build build-asan bin
