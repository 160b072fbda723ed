#!/bin/sh
# run.sh CAMP — every test suite of camp, one summary.  POSIX sh.
#
#   sh tests/run.sh bin/camp          (make test; make asan uses an ASan build)
#   BLESS=1 sh tests/run.sh bin/camp  (make bless: rewrites golden files)
#
# Suites, in order:
#   check   tests/check/**/*.camp: `camp check FILE` stderr == FILE.expected
#           (exit 1 iff it holds an `: error:` line, else 0); with
#           FILE.json.expected also `camp check --format json FILE` stdout.
#           To add a JSON golden: touch FILE.json.expected, then bless.
#   sql     tests/sql/**/*.camp: `camp sql FILE` stdout == FILE.sql, exit 0.
#   scripts tests/{fmt,schema,editors,exec,report,runtime}/run.sh CAMP when
#           present, then any other tests/*/run.sh; each one's last line
#           `X: N passed, N failed[, N skipped]` is added in (ONLY=fmt etc.).
#   unit    $TEST_BIN_DIR/*_test (default tests/unit), same last-line rule.
#   fuzz    tests/fuzz/mutate.c (compiled here with cc): truncations and
#           mutations of every tests/ examples/ stdlib/ .camp file must not
#           crash camp (see the header of mutate.c).  Counts cases.
# The last line is `N passed, N failed[, N skipped]`; exit 1 if any failed.
#
# Environment:
#   BLESS=1        rewrite goldens (check, sql) instead of comparing
#   VALGRIND=1     wrap every camp call in valgrind (fuzz: FUZZ_MAX=200)
#   TEST_BIN_DIR   where the unit test binaries are (default tests/unit)
#   ONLY=LIST      run only these suites, e.g. ONLY="check fuzz"
#   FUZZ=0         skip the fuzz suite
#   FUZZ_BUDGET    seconds the fuzz suite may start new cases (default 50)
#   FUZZ_MAX       cap on fuzz cases;  FUZZ_JOBS parallel runs (default 2)
#   FUZZ_MUT       mutations per seed (default 100); FUZZ_SEED (fixed default)
#   FUZZ_TIMEOUT   seconds per camp run in the fuzz suite (default 5)
#   T_TIMEOUT      seconds per camp run elsewhere (default 60)
#   SUITE_TIMEOUT  seconds per sub-suite script (default 900)
#   TEST_JOBS      sub-suite scripts run at once (default 2)

if [ $# -ne 1 ]; then
  echo "usage: sh tests/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
if [ ! -x "$CAMP" ]; then
  echo "run.sh: $CAMP is not an executable (build it first: make)" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh

TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-tests.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
T_TIMEOUT=${T_TIMEOUT:-60}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-900}
TEST_BIN_DIR=${TEST_BIN_DIR:-tests/unit}

# With VALGRIND=1 every camp call (sub-suites included) goes through a
# wrapper script that execs valgrind; exit 99 marks a memory error.
CAMPX=$CAMP
if [ "${VALGRIND:-0}" = 1 ]; then
  command -v valgrind > /dev/null || { echo "run.sh: valgrind not installed" >&2; exit 2; }
  CAMPX=$TMP/camp-valgrind
  printf '#!/bin/sh\nexec valgrind --error-exitcode=99 --leak-check=full -q "%s" "$@"\n' \
    "$CAMP" > "$CAMPX"
  chmod +x "$CAMPX"
  T_TIMEOUT=$((T_TIMEOUT * 5))
fi

# Runs a camp command under the per-call timeout.
camp() { timeout -k 5 "$T_TIMEOUT" "$CAMPX" "$@"; }

# wanted NAME... — is any of these suites selected by ONLY (all when unset)?
wanted() {
  [ -z "${ONLY:-}" ] && return 0
  for w in "$@"; do
    case " $ONLY " in *" $w "*) return 0 ;; esac
  done
  return 1
}

# Sorted list of *.camp files under $1 (none when it does not exist).
camp_files() {
  [ -d "$1" ] || return 0
  find "$1" -name '*.camp' -type f | LC_ALL=C sort
}

# Rejects crashes and sanitizer/valgrind reports; prints why on failure.
sane_rc() { # NAME RC STDERRFILE
  if [ "$2" -ge 124 ]; then
    [ "$2" = 124 ] && t_fail "$1: timed out after ${T_TIMEOUT}s" && return 1
    t_fail "$1: exit status $2$(t_signal_name "$2")"
    sed -n '1,20s/^/    /p' "$3"
    return 1
  fi
  if [ "$2" = 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$3"; then
    t_fail "$1: sanitizer/valgrind report (exit $2)"
    sed -n '1,30s/^/    /p' "$3"
    return 1
  fi
  return 0
}

# ---- a. golden diagnostics -------------------------------------------------

check_one() {
  f=$1
  camp check "$f" > /dev/null 2> "$TMP/err"
  rc=$?
  sane_rc "check $f" "$rc" "$TMP/err" || return
  t_golden "check $f" "$f.expected" "$TMP/err" || return
  want=0
  grep -q ': error:' "$f.expected" && want=1
  if [ "$rc" != "$want" ]; then
    t_fail "check $f: exit $rc, want $want (the golden file $(
      [ $want = 1 ] && echo has || echo has no) errors)"
    return
  fi
  if [ -f "$f.json.expected" ]; then
    camp check --format json "$f" > "$TMP/out" 2> "$TMP/err"
    rc=$?
    sane_rc "check --format json $f" "$rc" "$TMP/err" || return
    t_golden "check --format json $f" "$f.json.expected" "$TMP/out" || return
    [ "$rc" = "$want" ] || { t_fail "check --format json $f: exit $rc, want $want"; return; }
  fi
  t_pass
}

suite_check() {
  camp_files tests/check > "$TMP/check.list"
  while IFS= read -r f; do check_one "$f"; done < "$TMP/check.list"
}

# ---- b. golden SQL -------------------------------------------------------------

sql_one() {
  f=$1
  camp sql "$f" > "$TMP/out" 2> "$TMP/err"
  rc=$?
  sane_rc "sql $f" "$rc" "$TMP/err" || return
  if [ "$rc" != 0 ]; then
    t_fail "sql $f: exit $rc, want 0"
    sed -n '1,20s/^/    /p' "$TMP/err"
    return
  fi
  t_golden "sql $f" "$f.sql" "$TMP/out" && t_pass
}

suite_sql() {
  camp_files tests/sql > "$TMP/sql.list"
  while IFS= read -r f; do sql_one "$f"; done < "$TMP/sql.list"
}

# ---- c./d. scripts and binaries that print their own summary ---------------------

# add_summary NAME OUTFILE RC — adds a sub-suite's last line to the totals.
add_summary() {
  counts=$(t_parse_summary "$2")
  if [ -z "$counts" ]; then
    t_fail "$1: exit $3$(t_signal_name "$3"), no \`X: N passed, N failed\` last line"
    tail -n 20 "$2" | sed 's/^/    /'
    return
  fi
  set -- "$1" "$2" "$3" $counts
  T_PASS=$((T_PASS + $4))
  T_FAIL=$((T_FAIL + $5))
  T_SKIP=$((T_SKIP + $6))
  if [ "$7" != 1 ]; then
    t_fail "$1: exit $3$(t_signal_name "$3"), output after its summary line:"
    grep -v '^[[:space:]]*$' "$2" | tail -n 1 | sed 's/^/    /'
  elif [ "$3" != 0 ] && [ "$5" = 0 ]; then
    t_fail "$1: exit $3$(t_signal_name "$3") although it reported no failures"
  fi
}

# Runs a suite's script with the shell its first line asks for.
run_script() {
  sh_=sh
  head -n 1 "$1" | grep -q bash && sh_=bash
  timeout -k 5 "$SUITE_TIMEOUT" "$sh_" "$1" "$CAMPX"
}

NAMED_SCRIPTS="fmt schema editors exec report runtime"

# The named sub-suites first, then any other tests/*/run.sh, alphabetically.
script_dirs() {
  echo $NAMED_SCRIPTS
  for s in tests/*/run.sh; do
    [ -f "$s" ] || continue
    d=${s#tests/}
    d=${d%/run.sh}
    case " $NAMED_SCRIPTS " in *" $d "*) ;; *) echo "$d" ;; esac
  done
}

# Sub-suites run TEST_JOBS at a time (default 2: CI has 2 cores); each
# one's output is kept and printed whole, in order, with its time.
TEST_JOBS=${TEST_JOBS:-2}

# wait_slots N: until at most N started sub-suites are still running.
wait_slots() {
  while :; do
    done_=$(ls "$TMP"/sub.*.rc 2> /dev/null | wc -l)
    [ $((started_ - done_)) -le "$1" ] && return
    sleep 1
  done
}

suite_scripts() {
  started_=0
  list_=""
  for d in $(script_dirs); do
    s=tests/$d/run.sh
    [ -f "$s" ] || continue
    wanted "$d" scripts || continue
    wait_slots $((TEST_JOBS - 1))
    (
      t0_=$(date +%s)
      run_script "$s" > "$TMP/sub.$d.out" 2>&1
      rc_=$?
      echo $(($(date +%s) - t0_)) > "$TMP/sub.$d.sec"
      echo "$rc_" > "$TMP/sub.$d.rc.tmp" && mv "$TMP/sub.$d.rc.tmp" "$TMP/sub.$d.rc"
    ) &
    started_=$((started_ + 1))
    list_="$list_ $d"
  done
  wait
  for d in $list_; do
    s=tests/$d/run.sh
    echo "== $d ($s)"
    cat "$TMP/sub.$d.out"
    echo "-- $d: $(cat "$TMP/sub.$d.sec") s"
    add_summary "$s" "$TMP/sub.$d.out" "$(cat "$TMP/sub.$d.rc")"
  done
}

suite_unit() {
  [ -d "$TEST_BIN_DIR" ] || return 0
  for b in "$TEST_BIN_DIR"/*_test; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    timeout -k 5 "$SUITE_TIMEOUT" "$b" > "$TMP/unit.out" 2>&1
    rc=$?
    grep -v '^[[:space:]]*$' "$TMP/unit.out" | tail -n 30
    add_summary "$b" "$TMP/unit.out" "$rc"
  done
}

# ---- e. crash freedom ------------------------------------------------------------

suite_fuzz() {
  if [ "${FUZZ:-1}" = 0 ]; then
    echo "fuzz: not run (FUZZ=0)"
    return
  fi
  if ! ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -I . -o "$TMP/mutate" \
      tests/fuzz/mutate.c -ljansson 2> "$TMP/cc.err"; then
    t_fail "fuzz: cannot compile tests/fuzz/mutate.c"
    sed -n '1,20s/^/    /p' "$TMP/cc.err"
    return
  fi
  { camp_files tests; camp_files examples; camp_files stdlib; } |
    grep -v '^tests/fuzz/failures/' > "$TMP/seeds.list"
  camp_files tests/fuzz/failures > "$TMP/regress.list"
  max=${FUZZ_MAX:-}
  timeout=${FUZZ_TIMEOUT:-5}
  if [ "${VALGRIND:-0}" = 1 ]; then
    max=${FUZZ_MAX:-200}
    timeout=${FUZZ_TIMEOUT:-60}
  fi
  mkdir -p "$TMP/fuzz"
  "$TMP/mutate" -c "$CAMPX" -l "$TMP/seeds.list" -R "$TMP/regress.list" \
    -w "$TMP/fuzz" -f tests/fuzz/failures -j "${FUZZ_JOBS:-2}" -t "$timeout" \
    -b "${FUZZ_BUDGET:-50}" -m "${FUZZ_MUT:-100}" ${max:+-n "$max"} \
    ${FUZZ_SEED:+-s "$FUZZ_SEED"} > "$TMP/fuzz.out" 2>&1
  rc=$?
  cat "$TMP/fuzz.out"
  add_summary fuzz "$TMP/fuzz.out" "$rc"
}

# ---- main -----------------------------------------------------------------------

# Runs one suite and prints its share of the totals.
run_suite() { # NAME FUNCTION [ALSO-SELECTED-BY...]
  n_=$1 f_=$2
  shift 2
  wanted "$n_" "$@" || return 0
  p0=$T_PASS f0=$T_FAIL s0=$T_SKIP t0=$(date +%s)
  "$f_"
  p=$((T_PASS - p0)) f=$((T_FAIL - f0)) s=$((T_SKIP - s0))
  line="$n_: $p passed, $f failed"
  [ "$s" -gt 0 ] && line="$line, $s skipped"
  echo "-- $line ($(($(date +%s) - t0)) s)"
}

[ "${BLESS:-0}" = 1 ] && echo "BLESS=1: rewriting golden files"
[ "${VALGRIND:-0}" = 1 ] && echo "VALGRIND=1: camp runs under valgrind"
run_suite check suite_check
run_suite sql suite_sql
run_suite scripts suite_scripts $(script_dirs)
run_suite unit suite_unit
run_suite fuzz suite_fuzz

if [ "$T_SKIP" -gt 0 ]; then
  echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
else
  echo "$T_PASS passed, $T_FAIL failed"
fi
[ "$T_FAIL" = 0 ]
