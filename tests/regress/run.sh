#!/bin/sh
# tests/regress/run.sh CAMP — regression tests for the bugs of issue 11
# ("First hour with camp"), one section per bug; each test failed before
# its fix.  POSIX sh + sqlite3.  Last line: `regress: N passed, N failed`.
#
# Expected answers never come from camp: counts and members come from plain
# SQL over the fixture (fixture.sql, tables in schema.camp), written next
# to each test.  Every test works on a copy in a scratch directory.
#
#   sh tests/regress/run.sh bin/camp
#   REG_ONLY="1 4" sh tests/regress/run.sh bin/camp   (only those sections)

if [ $# -ne 1 ]; then
  echo "usage: sh tests/regress/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "regress: sqlite3 is not installed"; echo "regress: 0 passed, 1 failed"; exit 1; }

base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
TMP=$(mktemp -d "${TMPDIR:-$base}/camp-regress.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
export CAMP_JIT_CACHE="$TMP/jit"
unset CAMP_TEST_KILL

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
want() { [ -z "${REG_ONLY:-}" ] && return 0; case " $REG_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# eq NAME WANT GOT
eq() {
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi
}
# has NAME FILE TEXT: FILE contains the fixed string TEXT.
has() {
  if grep -qF -e "$3" "$2"; then t_pass; else
    t_fail "$1: no \`$3\` in:"
    sed -n '1,10s/^/    /p' "$2"
  fi
}
# hasnt NAME FILE TEXT: FILE does not contain TEXT.
hasnt() {
  if grep -qF -e "$3" "$2"; then
    t_fail "$1: unexpected \`$3\` in:"
    sed -n '1,10s/^/    /p' "$2"
  else t_pass; fi
}
# rc NAME WANT GOT [FILE]: an exit status (FILE shown on failure).
rc() {
  if [ "$2" = "$3" ]; then t_pass; else
    t_fail "$1: exit $3, want $2"
    [ -n "${4:-}" ] && sed -n '1,10s/^/    /p' "$4"
  fi
}

# ws NAME: a fresh workspace $TMP/NAME with schema.camp and db.sqlite.
ws() {
  d=$TMP/$1
  rm -rf "$d"
  mkdir -p "$d"
  cp "$HERE/schema.camp" "$d/"
  sqlite3 -batch "$d/db.sqlite" < "$HERE/fixture.sql"
  echo "$d"
}

# plan_counts FILE: the `output=count` pairs of a text plan on one line,
# sorted (internal _save_* steps left out).
plan_counts() {
  awk 'NR > 1 { for (i = 3; i <= NF; i++) if ($i ~ /=/) print $i; else if ($i ~ /^[0-9]+$/) print $1 "=" $i }' "$1" |
    grep -v '^_' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

NOW="2026-03-01 00:00:00"

# ---- 1. a split reading an enriched column under --engine auto -------------
if want 1; then
  d=$(ws s1)
  cat > "$d/v.camp" <<'EOF'
import "schema"
campaign v {
  all = customers
  info = enrich all { x = count(purchases) }
  vip, regular = split info { vip when x > 1 else }
  picked = info where x > 1
  save vip as "vip"
  save regular as "regular"
  save picked as "picked"
}
EOF
  vip=$(q "$d/db.sqlite" "SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM purchases p WHERE p.customer_id = c.id) > 1")
  reg=$(q "$d/db.sqlite" "SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM purchases p WHERE p.customer_id = c.id) <= 1")
  for e in auto sql interp jit; do
    camp plan "$d/v.camp" --db "$d/db.sqlite" --now "$NOW" --engine "$e" > "$d/plan.$e" 2>&1
    rc "1: plan --engine $e" 0 $? "$d/plan.$e"
    eq "1: plan --engine $e counts" "all=6 info=6 picked=$vip regular=$reg vip=$vip" "$(plan_counts "$d/plan.$e")"
  done
  camp run "$d/v.camp" --db "$d/db.sqlite" --now "$NOW" > "$d/run.out" 2>&1
  rc "1: run (auto)" 0 $? "$d/run.out"
  eq "1: run (auto) saved vip" "$vip" "$(q "$d/db.sqlite" "SELECT count(*) FROM camp_audience WHERE name = 'vip'")"
  eq "1: run (auto) saved picked" "$vip" "$(q "$d/db.sqlite" "SELECT count(*) FROM camp_audience WHERE name = 'picked'")"
  eq "1: run (auto) state" "done" "$(q "$d/db.sqlite" "SELECT state FROM camp_runs")"
fi

# ---- 8. an aggregate over a collection of a collection ---------------------
if want 8; then
  d=$(ws s8)
  cat > "$d/p.camp" <<'EOF'
import "schema"
campaign p {
  a = policyholders where count(policies.claims) > 0
  b = policyholders where count(policies.claims where kind = "car") = 1
  all = policyholders
  n = enrich all { claims = count(policies.claims) }
  big = n where claims >= 2
  save a as "a"
  save b as "b"
  save big as "big"
}
EOF
  # claims per holder over all their policies, and over their car policies
  a=$(q "$d/db.sqlite" "SELECT count(*) FROM policyholders h WHERE (SELECT count(*) FROM policies p, claims c WHERE p.holder_id = h.id AND c.policy_id = p.id) > 0")
  b=$(q "$d/db.sqlite" "SELECT count(*) FROM policyholders h WHERE (SELECT count(*) FROM policies p, claims c WHERE p.holder_id = h.id AND c.policy_id = p.id AND p.kind = 'car') = 1")
  big=$(q "$d/db.sqlite" "SELECT count(*) FROM policyholders h WHERE (SELECT count(*) FROM policies p, claims c WHERE p.holder_id = h.id AND c.policy_id = p.id) >= 2")
  eq "8: fixture" "2 1 1" "$a $b $big"
  camp check "$d/p.camp" > "$d/check.out" 2>&1
  rc "8: check" 0 $? "$d/check.out"
  for e in auto sql interp jit; do
    camp plan "$d/p.camp" --db "$d/db.sqlite" --now "$NOW" --engine "$e" > "$d/plan.$e" 2>&1
    rc "8: plan --engine $e" 0 $? "$d/plan.$e"
    eq "8: plan --engine $e counts" "a=$a all=4 b=$b big=$big n=4" "$(plan_counts "$d/plan.$e")"
  done
  camp run "$d/p.camp" --db "$d/db.sqlite" --now "$NOW" > "$d/run.out" 2>&1
  rc "8: run" 0 $? "$d/run.out"
  eq "8: run saved a" "1 2" "$(q "$d/db.sqlite" "SELECT key FROM camp_audience WHERE name = 'a' ORDER BY key" | tr '\n' ' ' | sed 's/ $//')"
fi

t_summary regress
[ "$T_FAIL" = 0 ]
