#!/bin/sh
# build.sh — `make fuzz`: builds every fuzz target of tests/fuzz/ (fuzz.h:
# check = .camp sources, csv = reconcile files, render = templates,
# snapshot = snapshot files, lsp = language-server input, track = requests
# to the tracking server, reply = provider answers, feedback = feedback
# import files) with libFuzzer,
# ASan and UBSan (clang), seeds each corpus from the repository's tests,
# and runs each target for FUZZ_SECONDS (default 60) in turn.
#
#   make fuzz FUZZ_SECONDS=600        ten minutes per target
#   FUZZ_TARGETS="csv lsp" make fuzz  only these
#   FUZZ_BUILD=dir                    build directory (default build/fuzz)
#   FUZZ_ARGS="-jobs=2 -workers=2"    extra libFuzzer flags
#   FUZZ_RUN=0                        build only
#
# Corpora (FUZZ_BUILD/corpus/TARGET) persist between runs; the check target
# also gets a dictionary of camp's words from lang/keywords.def.  Findings
# are written to tests/fuzz/failures/TARGET-crash-* (-leak-, -timeout-);
# reproduce one with `FUZZ_BUILD/fuzz_TARGET FILE`.  Once fixed, move it to
# tests/fuzz/regress/TARGET/: make test replays it from then on
# (build/tests/fuzzreplay_test).  Needs clang and libclang-rt-14-dev
# (libFuzzer's runtime), installed here through tools/deps.sh when missing.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${FUZZ_BUILD:-build/fuzz}
SECONDS_=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-check csv render snapshot lsp track reply feedback}

# The project's own packages come from `make deps` (the fuzz target's
# prerequisite); libFuzzer needs clang and its runtime library on top.
sh tools/deps.sh clang libclang-rt-14-dev
CLANG=$(command -v clang || command -v clang-14)
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
# The Makefile's own rules build every object once, instrumented for
# libFuzzer (no JIT: libgccjit's code is not what is fuzzed); warnings
# clang adds beyond gcc's are not errors here.
set -- BUILD="$B" CC="$CLANG" JIT=0 OPT="-O1 -g" SAN="-fsanitize=fuzzer-no-link $SAN" CFLAGS=-Wno-error
make -s -j"${FUZZ_MAKE_JOBS:-2}" "$@" fuzz-objs
OBJS=$(make -s "$@" print-fuzz-objs)
LIBS=$(printf 'print-libs:\n\t@echo $(LIBS)\n' | make -s -f Makefile -f - JIT=0 print-libs)

# lang/keywords.def -> libFuzzer dictionary: every word and some punctuation.
mkdir -p "$B"
sed -n 's/^[A-Z]*("\([^"]*\)".*/"\1"/p' lang/keywords.def | sort -u > "$B/camp.dict"
for tok in '{' '}' '(' ')' '[' ']' '->' '=' '==' '!=' '<=' '>=' '||' '/*' '*/' \
    '//' ',' ';' '.' '%' '90d' '2026-03-01' '2026-03-01 12:00'; do
  printf '"%s"\n' "$tok"
done >> "$B/camp.dict"

mkdir -p tests/fuzz/failures
for t in $TARGETS; do
  echo "fuzz: building $B/fuzz_$t with $CLANG"
  # shellcheck disable=SC2086
  "$CLANG" -std=c11 -D_GNU_SOURCE -DFUZZ_LIBFUZZER -DCAMP_JIT=0 -g -O1 -fsanitize=fuzzer $SAN \
    -I . -I "$B" -o "$B/fuzz_$t" "tests/fuzz/fuzz_$t.c" tests/fuzz/fuzz_util.c $OBJS $LIBS
  mkdir -p "$B/corpus/$t"
  # seeds (written by the target itself), then the regression inputs
  FUZZ_WRITE_SEEDS="$B/corpus/$t" "$B/fuzz_$t" -runs=0 "$B/corpus/$t" > "$B/seed-$t.log" 2>&1 ||
    { cat "$B/seed-$t.log"; exit 1; }
  [ -d "tests/fuzz/regress/$t" ] && cp tests/fuzz/regress/"$t"/* "$B/corpus/$t/" 2> /dev/null || true
done
[ "${FUZZ_RUN:-1}" = 0 ] && exit 0

# A finding stops its target (libFuzzer's way), not the others.
found=
for t in $TARGETS; do
  dict=
  [ "$t" = check ] && dict="-dict=$B/camp.dict"
  echo "fuzz: $t for ${SECONDS_}s (corpus $B/corpus/$t: $(ls "$B/corpus/$t" | wc -l) inputs)"
  # shellcheck disable=SC2086
  "$B/fuzz_$t" -max_total_time="$SECONDS_" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 $dict -artifact_prefix="tests/fuzz/failures/$t-" ${FUZZ_ARGS:-} "$B/corpus/$t" ||
    found="$found $t"
done
if [ -n "$found" ]; then
  echo "fuzz: findings from:$found (tests/fuzz/failures/)"
  exit 1
fi
echo "fuzz: no findings"
