#!/bin/sh
# plans suite: a randomized differential test of `camp plan` and `camp run`.
# For each seed tests/plans/plan_gen.c writes random schemas + data
# (DIR/data.sql) and a random campaign `pc` (DIR/campaign.camp, with a
# helper campaign `saver`); the data is loaded into a fresh SQLite file,
# `camp run --campaign saver` saves the audiences pc reads, then pc is
# planned four times:
#
#   --engine sql      every step in SQLite TEMP tables (the reference)
#   --engine interp   in memory over the columnar snapshot (runtime/exec/exec_mem.c)
#   --engine jit      the same with rules compiled by libgccjit
#   --engine auto     the default: on these small tables step by step, each
#                     select / split step by the engine auto picks
#
# Assertions per case: for interp, jit and auto, the members of every step
# output (CAMP_PLAN_KEYS: `output: key key ...`) and the printed plan
# (--format json: states and counts) are byte-identical to sql's (4), and
# sql's printed counts agree with its key lists (1).  Every
# PLANS_RUN_EVERY-th seed (and every saved case) is also *run* with each
# of the four engines, each on its own copy of the database, and resumed
# past every wait: each run must end `done`, and what it left behind (step
# states and due times, camp_counts, the outbox, saved audiences,
# warnings, every result table camp_r*, extraction files) must equal the
# sql run's.  Any error or difference fails.  --explain tells
# whether a plan ran in memory; the suite fails when fewer than
# PLANS_MIN_MEM percent of the interp/jit plans did (so it cannot pass by
# always falling back), and when more than PLANS_MAX_BAD percent of the
# generated campaigns do not check (a generator bug).
#
#   sh tests/plans/run.sh CAMP
#   PLANS_CASES=1000 PLANS_SEED=$(date +%s) sh tests/plans/run.sh bin/camp
#   PLANS_ONLY="20260317 20260342" sh tests/plans/run.sh bin/camp   (replay)
#
# Environment:
#   PLANS_CASES    generated cases (default 150; 6 with VALGRIND=1)
#   PLANS_SEED     first seed (default 20260301): case i uses PLANS_SEED + i
#   PLANS_ONLY     these seeds (or cases/NAME) instead, e.g. to replay
#   PLANS_JOBS     cases run in parallel (default 2)
#   PLANS_RUN_EVERY  seeds divisible by it are also run (default 3: the
#                  runs cost about as much as the plans of 3 cases)
#   PLANS_TMP      work directory (default /dev/shm when writable, else TMPDIR)
#   PLANS_KEEP     failing cases are copied there (default TMPDIR or /tmp,
#                  camp-plans-failures/SEED: campaign, data, keys, explain)
#   PLANS_MIN_MEM  least percentage of interp/jit plans in memory (default 80)
#   PLANS_MAX_BAD  most percentage of campaigns that may not check (default 3)
#   PLAN_GEN_NO    constructs of known bugs to leave out (see plan_gen.c)
#   CAMP_JIT_OPT   default 0, and 2 for seeds ending in 0 or 5
#   T_TIMEOUT      seconds per camp call (default 60); CC compiles plan_gen
# The saved cases tests/plans/cases/NAME (campaign.camp, data.sql,
# expected.keys = the right members, NOTE) run first, with the same checks
# plus sql == expected.keys.
# Ends with `plans: N passed, N failed`.

# run_dump DIR: what a run of pc left in DIR/db.sqlite and DIR/out, sorted,
# one line per row (tests/plans/dump.sh, shared with tests/pg; run from the
# repository's root).
. "$(dirname "$0")/dump.sh"

if [ "$1" = --case ]; then
  # ---- one case (run in parallel by the main script) ----------------------
  # --case SEED WORKDIR CAMP GEN: writes WORKDIR/SEED/result, lines of
  #   pass NAME | fail NAME: why | mem ENGINE 0|1 [why] | bad why
  # A SEED of the form cases/NAME is the saved case tests/plans/cases/NAME
  # (campaign.camp + data.sql, optionally expected.keys) instead.
  seed=$2 work=$3 CAMP=$4 GEN=$5
  d=$work/$seed
  rm -rf "$d"
  mkdir -p "$d/out"
  res=$d/result
  : > "$res"
  now="2026-03-01 00:00:00"
  later="2026-04-15 2026-05-15 2026-06-15 2026-07-15"  # resumes: each past every wait plan_gen writes
  tmo=${T_TIMEOUT:-60}
  camp() { timeout -k 5 "$tmo" "$CAMP" "$@"; }
  # compiling dominates a case: libgccjit -O0 (~0.3 s), every 5th seed -O2
  if [ -z "${CAMP_JIT_OPT:-}" ]; then
    case $seed in
      *[05]) CAMP_JIT_OPT=2 ;;
      *) CAMP_JIT_OPT=0 ;;
    esac
    export CAMP_JIT_OPT
  fi
  case $seed in
    cases/*)
      cp "tests/plans/$seed/campaign.camp" "tests/plans/$seed/data.sql" "$d/" || exit 0
      [ -f "tests/plans/$seed/expected.keys" ] && cp "tests/plans/$seed/expected.keys" "$d/"
      ;;
    *)
      if ! "$GEN" "$seed" "$d" 2> "$d/gen.err"; then
        echo "fail generator: $(head -n 1 "$d/gen.err")" >> "$res"
        exit 0
      fi
      ;;
  esac
  camp check "$d/campaign.camp" > /dev/null 2> "$d/check.err"
  rc=$?
  if [ "$rc" != 0 ]; then
    echo "bad camp check exit $rc: $(grep -m 1 'error' "$d/check.err")" >> "$res"
    exit 0
  fi
  if ! sqlite3 -bail "$d/db.sqlite" < "$d/data.sql" 2> "$d/load.err"; then
    echo "fail load: $(head -n 1 "$d/load.err")" >> "$res"
    exit 0
  fi
  if grep -q '^campaign saver' "$d/campaign.camp" &&
      ! camp run "$d/campaign.camp" --campaign saver --db "$d/db.sqlite" --now "$now" \
      > "$d/saver.out" 2>&1; then
    echo "fail camp run --campaign saver: $(tail -n 1 "$d/saver.out")" >> "$res"
    exit 0
  fi
  for e in sql interp jit auto; do
    CAMP_PLAN_KEYS=$d/keys.$e camp plan "$d/campaign.camp" --campaign pc --db "$d/db.sqlite" \
      --now "$now" --engine "$e" --explain --format json > "$d/plan.$e.json" 2> "$d/plan.$e.err"
    echo $? > "$d/rc.$e"
  done
  # runs (every PLANS_RUN_EVERY-th case): each engine runs pc on its own
  # copy of the database and campaign directory, then resumes it past every
  # wait; what the runs left behind must be identical (run_dump)
  runs=
  case $seed in
    cases/*) runs="sql interp jit auto" ;;
    *) [ $((seed % ${PLANS_RUN_EVERY:-3})) = 0 ] && runs="sql interp jit auto" ;;
  esac
  for e in $runs; do
    r=$d/run.$e
    mkdir -p "$r/out"
    cp "$d/campaign.camp" "$r/" && cp "$d/db.sqlite" "$r/db.sqlite" || exit 0
    # a wait reached by a resume may start another one: resume until done
    ( camp run "$r/campaign.camp" --campaign pc --db "$r/db.sqlite" --now "$now" --engine "$e" --explain &&
      for when in $later; do
        [ "$(sqlite3 "$r/db.sqlite" "SELECT state FROM camp_runs WHERE campaign = 'pc'")" = done ] && break
        camp resume --db "$r/db.sqlite" --now "$when" --engine "$e" --explain || exit 1
      done ) > "$r/log" 2>&1
    echo $? > "$r/rc"
    run_dump "$r" > "$r/dump" 2>> "$r/log"
  done
  # a saved case knows the right answer
  if [ -f "$d/expected.keys" ]; then
    if cmp -s "$d/expected.keys" "$d/keys.sql"; then
      echo "pass sql expected" >> "$res"
    else
      first=$(diff "$d/expected.keys" "$d/keys.sql" | grep '^[<>]' | head -n 2 | cut -c 1-160 | tr '\n' ' ')
      echo "fail sql: members differ from expected.keys: ${first:-(plan failed)}" >> "$res"
    fi
  fi
  rc=$(cat "$d/rc.sql")
  if [ "$rc" != 0 ]; then
    echo "fail plan --engine sql: exit $rc: $(grep -v '^explain:' "$d/plan.sql.err" | head -n 1)" >> "$res"
    for e in interp jit; do
      [ "$(cat "$d/rc.$e")" = 0 ] && echo "    (--engine $e: exit 0)" >> "$res"
    done
    exit 0
  fi
  # sql's printed counts == the lengths of its key lists (outputs that ran)
  if command -v jq > /dev/null; then
    jq -r '.steps[] | select(.state == "done") | .counts | to_entries[] | "\(.key): \(.value)"' \
      "$d/plan.sql.json" | LC_ALL=C sort > "$d/counts.json"
    awk '{ n = NF - 1; sub(/:.*/, ""); print $0 ": " n }' "$d/keys.sql" | LC_ALL=C sort > "$d/counts.keys"
    if cmp -s "$d/counts.json" "$d/counts.keys"; then
      echo "pass sql counts" >> "$res"
    else
      echo "fail sql: printed counts differ from the key lists: $(diff "$d/counts.keys" "$d/counts.json" | grep '^[<>]' | head -n 2 | tr '\n' ' ')" >> "$res"
    fi
  fi
  for e in interp jit auto; do
    rc=$(cat "$d/rc.$e")
    err=$d/plan.$e.err
    if [ "$rc" != 0 ]; then
      echo "fail $e: exit $rc: $(grep -v '^explain:' "$err" | head -n 1)" >> "$res"
      [ "$e" = auto ] || echo "mem $e 0 plan failed" >> "$res"
      continue
    fi
    if [ "$e" = auto ]; then
      :
    elif grep -q '^explain: plan: in memory over the snapshot' "$err" &&
        ! grep -q '^explain: plan: in memory stopped' "$err"; then
      echo "mem $e 1" >> "$res"
    else
      why=$(grep -m 1 -e '^explain: plan: step by step' -e '^explain: plan: in memory stopped' "$err" |
        sed -e 's/^explain: plan: //' -e 's/step [A-Za-z0-9_]*: //')
      echo "mem $e 0 ${why:-no explain line}" >> "$res"
    fi
    if cmp -s "$d/keys.sql" "$d/keys.$e"; then
      echo "pass $e keys" >> "$res"
    else
      first=$(diff "$d/keys.sql" "$d/keys.$e" | grep '^[<>]' | head -n 2 | cut -c 1-160 | tr '\n' ' ')
      echo "fail $e: members differ from --engine sql: $first" >> "$res"
    fi
    if cmp -s "$d/plan.sql.json" "$d/plan.$e.json"; then
      echo "pass $e counts" >> "$res"
    else
      echo "fail $e: --format json plan differs from --engine sql" >> "$res"
    fi
  done
  # the runs: each must finish (exit 0, run done) and leave what sql's left
  if [ -n "$runs" ]; then
    for e in $runs; do
      r=$d/run.$e
      if [ "$(cat "$r/rc")" != 0 ]; then
        echo "fail run --engine $e: exit $(cat "$r/rc"): $(grep -v '^explain:' "$r/log" | grep -m 1 -i -e error -e 'camp' -e fail)" >> "$res"
      elif ! grep -q "^run	'pc'	'done'$" "$r/dump"; then
        echo "fail run --engine $e: the run is not done after resume: $(grep -m 1 "^run	" "$r/dump")" >> "$res"
      elif [ "$e" != sql ]; then
        if cmp -s "$d/run.sql/dump" "$r/dump"; then
          echo "pass run $e" >> "$res"
        else
          first=$(diff "$d/run.sql/dump" "$r/dump" | grep '^[<>]' | head -n 2 | cut -c 1-160 | tr '\n' ' ')
          echo "fail run --engine $e: what the run left differs from --engine sql: $first" >> "$res"
        fi
      fi
    done
  fi
  for f in "$d"/*.err "$d/saver.out" "$d"/run.*/log; do
    [ -f "$f" ] || continue
    if grep -q -e 'Sanitizer' -e 'runtime error:' -e '^==[0-9]*== ' "$f"; then
      echo "fail sanitizer/valgrind report in ${f##*/}: $(grep -m 1 -e 'Sanitizer' -e 'runtime error:' -e '^==[0-9]*== ' "$f")" >> "$res"
    fi
  done
  # keep the files of failing cases only (tmpfs)
  grep -q -e '^fail' -e '^bad' "$res" ||
    rm -rf "$d/db.sqlite" "$d/db.sqlite.camp-snapshot" "$d/data.sql" "$d"/run.*
  exit 0
fi

# ---- main --------------------------------------------------------------------

if [ $# -ne 1 ]; then
  echo "usage: sh tests/plans/run.sh CAMP" >&2
  exit 2
fi
CAMP_ARG=$1
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
SELF=$(cd "$(dirname "$0")" && pwd)/run.sh
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh

for tool in sqlite3 timeout; do
  if ! command -v $tool > /dev/null; then
    echo "plans: $tool is not installed (make deps)"
    echo "plans: 0 passed, 1 failed"
    exit 1
  fi
done

# Work on tmpfs when there is one: loading data and saving audiences are
# fsync-bound on disk, in memory they take no time.
base=${PLANS_TMP:-}
if [ -z "$base" ]; then
  base=${TMPDIR:-/tmp}
  [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
fi
TMP=$(mktemp -d "$base/camp-plans.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
export CAMP_JIT_CACHE="$TMP/jit"  # cold compiles, and ~/.cache stays clean
# one binary for the whole run, even if bin/camp is rebuilt meanwhile
cp "$CAMP" "$TMP/camp" && CAMP=$TMP/camp

GEN=$TMP/plan_gen
if ! ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" tests/plans/plan_gen.c 2> "$TMP/cc.err"; then
  sed 's/^/    /' "$TMP/cc.err"
  echo "plans: 0 passed, 1 failed"
  exit 1
fi

N=${PLANS_CASES:-150}
[ "${VALGRIND:-0}" = 1 ] && N=${PLANS_CASES:-6}
SEED=${PLANS_SEED:-20260301}
KEEP=${PLANS_KEEP:-${TMPDIR:-/tmp}/camp-plans-failures}
if [ -n "${PLANS_ONLY:-}" ]; then
  printf '%s\n' $PLANS_ONLY > "$TMP/seeds"
else
  for c in tests/plans/cases/*/campaign.camp; do
    [ -f "$c" ] && echo "${c#tests/plans/}" | sed 's|/campaign.camp$||'
  done > "$TMP/seeds"
  awk -v s="$SEED" -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "%.0f\n", s + i }' >> "$TMP/seeds"
fi
ncases=$(wc -l < "$TMP/seeds")
t0=$(date +%s)
mkdir -p "$TMP/work"
xargs -P "${PLANS_JOBS:-2}" -I{} sh "$SELF" --case {} "$TMP/work" "$CAMP" "$GEN" < "$TMP/seeds"

# ---- totals ----------------------------------------------------------------------

mem_yes=0 mem_no=0 bad=0 kept=0
: > "$TMP/why"
while IFS= read -r seed; do
  res=$TMP/work/$seed/result
  failed_here=0
  label="seed $seed"
  case $seed in cases/*) label=$seed ;; esac
  if [ ! -f "$res" ]; then
    t_fail "$label: the case did not run"
    continue
  fi
  while IFS= read -r line; do
    case $line in
      pass\ *) t_pass ;;
      fail\ *) t_fail "$label: ${line#fail }"; failed_here=1 ;;
      "    "*) echo "$line" ;;
      bad\ *)
        bad=$((bad + 1))
        echo "generator: $label does not check: ${line#bad }"
        failed_here=1
        ;;
      "mem interp 1" | "mem jit 1") mem_yes=$((mem_yes + 1)) ;;
      mem\ *)
        mem_no=$((mem_no + 1))
        echo "${line#mem * 0 }" >> "$TMP/why"
        ;;
    esac
  done < "$res"
  if [ "$failed_here" = 1 ]; then
    case $seed in
      cases/*) echo "    see tests/plans/$seed/NOTE; replay: PLANS_ONLY=$seed sh tests/plans/run.sh $CAMP_ARG" ;;
      *)
        mkdir -p "$KEEP"
        rm -rf "${KEEP:?}/$seed"
        cp -r "$TMP/work/$seed" "$KEEP/$seed" && kept=1
        echo "    replay: ${PLAN_GEN_NO:+PLAN_GEN_NO=\"$PLAN_GEN_NO\" }PLANS_ONLY=$seed sh tests/plans/run.sh $CAMP_ARG  (files: $KEEP/$seed)"
        ;;
    esac
  fi
done < "$TMP/seeds"

total=$((mem_yes + mem_no))
pct=0
[ "$total" -gt 0 ] && pct=$((mem_yes * 100 / total))
echo "plans: $ncases cases in $(($(date +%s) - t0)) s; $mem_yes of $total interp/jit plans ran in memory ($pct%)"
if [ "$mem_no" -gt 0 ]; then
  echo "plans: fell back to step by step:"
  sed -e "s/[0-9][0-9]* rows/N rows/" -e "s/e[0-9][0-9]*_[0-9][0-9]*/eN_M/g" "$TMP/why" | LC_ALL=C sort | uniq -c | sort -rn | head -n 8 | sed 's/^/    /'
fi
if [ -z "${PLANS_ONLY:-}" ] && [ "$pct" -lt "${PLANS_MIN_MEM:-80}" ]; then
  t_fail "only $pct% of the interp/jit plans ran in memory (want at least ${PLANS_MIN_MEM:-80}%)"
fi
if [ "$bad" -gt 0 ]; then
  if [ $((bad * 100)) -gt $((ncases * ${PLANS_MAX_BAD:-3})) ]; then
    t_fail "$bad of $ncases generated campaigns do not check (generator bugs; at most ${PLANS_MAX_BAD:-3}%)"
  else
    echo "plans: $bad of $ncases generated campaigns do not check (tolerated: at most ${PLANS_MAX_BAD:-3}%)"
  fi
fi
[ "$kept" = 1 ] && echo "plans: failing cases copied to $KEEP"
t_summary plans
[ "$T_FAIL" = 0 ]
