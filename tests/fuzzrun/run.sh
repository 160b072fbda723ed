#!/bin/sh
# tests/fuzzrun/run.sh CAMP — libFuzzer itself, for a short fixed time per
# target, in every `make test` (CI): tests/fuzz/build.sh builds each fuzz
# target (tests/fuzz/fuzz_*.c: .camp sources, reconcile CSV, templates,
# snapshot files, LSP messages, tracking-server requests, provider answers,
# feedback import files) with clang, libFuzzer, ASan and UBSan into
# build/fuzz, seeds the corpora from the tests and runs each target for
# FUZZRUN_SECONDS (default 8) with a fixed seed (-seed=1), so a run is
# repeatable.  One check per target: no crash, leak, timeout or sanitizer
# report.  A finding is kept in a temporary directory and its path printed;
# the replayed regression inputs (tests/fuzz/regress, fuzzreplay_test) stay
# the fast, deterministic part.  `make fuzz` runs the same targets longer.
# CAMP is not used (the targets link the library directly).
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
SECS=${FUZZRUN_SECONDS:-8}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-fuzzrun.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
if ! command -v clang > /dev/null 2>&1 && ! command -v clang-14 > /dev/null 2>&1; then
  t_fail "fuzzrun: clang is not installed (make test-deps installs clang and libclang-rt-14-dev)"
  t_summary fuzzrun
  exit 1
fi
FUZZ_BUILD=${FUZZRUN_BUILD:-build/fuzz} FUZZ_SECONDS=$SECS FUZZ_ARGS="-seed=1 -artifact_prefix=$TMP/" \
  sh tests/fuzz/build.sh > "$TMP/log" 2>&1
rc=$?
targets=$(sed -n 's/^fuzz: \([a-z_]*\) for [0-9]*s .*/\1/p' "$TMP/log")
if [ -z "$targets" ]; then
  t_fail "fuzzrun: no target ran (exit $rc):"
  tail -n 15 "$TMP/log" | sed 's/^/    /'
fi
found=$(sed -n 's/^fuzz: findings from:\(.*\) (tests.*/\1/p' "$TMP/log")
for t in $targets; do
  case " $found " in
    *" $t "*)
      t_fail "fuzzrun: $t found a problem in ${SECS}s:"
      grep -E 'ERROR|SUMMARY|Test unit written' "$TMP/log" | sed 's/^/    /' | head -10
      ;;
    *) t_pass ;;
  esac
done
if [ -n "$targets" ] && [ "$rc" != 0 ] && [ -z "$found" ]; then
  t_fail "fuzzrun: build.sh failed (exit $rc):"
  tail -n 15 "$TMP/log" | sed 's/^/    /'
fi
if [ -n "$found" ]; then
  mkdir -p tests/fuzz/failures
  cp "$TMP"/crash-* "$TMP"/leak-* "$TMP"/timeout-* tests/fuzz/failures/ 2> /dev/null || true
  echo "fuzzrun: the inputs are in tests/fuzz/failures/ (see tests/fuzz/README.md)"
fi
t_summary fuzzrun
[ "$T_FAIL" = 0 ]
