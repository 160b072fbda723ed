#!/bin/sh
# build.sh — `make fuzz`: builds tests/fuzz/fuzz_check.c with libFuzzer,
# ASan and UBSan over the whole front end (lang/ compiler/ runtime/, not the
# CLI's main) and runs it for FUZZ_SECONDS (default 60).
#
#   FUZZ_SECONDS=600 make fuzz      longer run
#   FUZZ_BUILD=dir                  build directory (default build/fuzz)
#   FUZZ_ARGS="-jobs=2 -workers=2"  extra libFuzzer flags
#   FUZZ_RUN=0                      build only
#
# The corpus (FUZZ_BUILD/corpus) persists between runs and is re-seeded with
# every tests/ examples/ stdlib/ .camp file; a dictionary of camp's words is
# generated from lang/keywords.def.  Findings are written to
# tests/fuzz/failures/lf-crash-*, lf-leak-*, lf-timeout-*; reproduce one with
#   FUZZ_BUILD/fuzz_check tests/fuzz/failures/lf-crash-...
# Needs clang and libclang-rt-14-dev (libFuzzer's runtime), installed here
# through tools/deps.sh when missing.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${FUZZ_BUILD:-build/fuzz}
SECONDS_=${FUZZ_SECONDS:-60}

# The project's own packages come from `make deps` (the fuzz target's
# prerequisite); libFuzzer needs clang and its runtime library on top.
sh tools/deps.sh clang libclang-rt-14-dev
CLANG=$(command -v clang || command -v clang-14)
# Link with exactly the Makefile's libraries (one list to maintain).
LIBS=$(printf 'print-libs:\n\t@echo $(LIBS)\n' | make -s -f Makefile -f - print-libs)

# Generated sources come from the Makefile's own rules, in a private tree.
make -s BUILD="$B" "$B/parser.c" "$B/lexer.c" "$B/stdlib_embed.c"

# lang/keywords.def -> libFuzzer dictionary: every word and some punctuation.
sed -n 's/^[A-Z]*("\([^"]*\)".*/"\1"/p' lang/keywords.def | sort -u > "$B/camp.dict"
for tok in '{' '}' '(' ')' '[' ']' '->' '=' '==' '!=' '<=' '>=' '||' '/*' '*/' \
    '//' ',' ';' '.' '%' '90d' '2026-03-01' '2026-03-01 12:00'; do
  printf '"%s"\n' "$tok"
done >> "$B/camp.dict"

SRC=$(ls lang/*.c compiler/*/*.c runtime/*/*.c)
echo "fuzz: building $B/fuzz_check with $CLANG"
# shellcheck disable=SC2086
"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I . -I "$B" \
  -o "$B/fuzz_check" tests/fuzz/fuzz_check.c $SRC \
  "$B/parser.c" "$B/lexer.c" "$B/stdlib_embed.c" $LIBS

mkdir -p "$B/corpus" tests/fuzz/failures
for dir in tests examples stdlib; do
  [ -d "$dir" ] || continue
  find "$dir" -name '*.camp' -type f | while IFS= read -r f; do
    # Name by content so re-seeding never duplicates an entry.
    cp "$f" "$B/corpus/seed-$(cksum < "$f" | cut -d' ' -f1)"
  done
done
[ "${FUZZ_RUN:-1}" = 0 ] && exit 0

echo "fuzz: running for ${SECONDS_}s (corpus $B/corpus: $(ls "$B/corpus" | wc -l) inputs)"
# shellcheck disable=SC2086
exec "$B/fuzz_check" -max_total_time="$SECONDS_" -max_len=16384 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -dict="$B/camp.dict" \
  -artifact_prefix=tests/fuzz/failures/lf- ${FUZZ_ARGS:-} "$B/corpus"
