#!/bin/sh
# tests/mops2/run.sh CAMP — marketing operations, second part
# (docs/marketing-ops.md): `on_shortage limit` (a consuming step cut to the
# stock that is left), the CSV import of calls and meetings as
# interactions, and D365-style logged segments.  Every expectation is
# computed by hand in the comment next to it.  POSIX sh + sqlite3.  Last
# line: `mops2: N passed, N failed`; exit 1 if anything failed.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/mops2/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "mops2: sqlite3 is not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-mops2.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
camp() { timeout -k 5 60 "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
eq() {
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi
}
has() {
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: [$3] not in output:"; sed 's/^/    /' "$2" | head -20; fi
}
hasnt() {
  if grep -qF -- "$3" "$2"; then t_fail "$1: [$3] unexpectedly in output"; else t_pass; fi
}

# ------------------------------------------------------ stock: limit
# customers 1..4 (inserted out of order); one letter each uses 1 leaflet
customers() {
  q "$1" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT);
INSERT INTO customers VALUES (4, 'd', 'w'), (1, 'a', 'x'), (3, 'c', 'z'), (2, 'b', 'y');"
}
limit_case() { # QUANTITY PER -> $TMP/lim.camp and a fresh $TMP/lim.db
  sed -e "s/quantity 3/quantity $1/" -e "s/per_recipient 1/per_recipient $2/" "$HERE/limit.camp" > "$TMP/lim.camp"
  rm -f "$TMP/lim.db"
  customers "$TMP/lim.db"
}
keys() { q "$1" "SELECT group_concat(recipient_key, ',') FROM (SELECT recipient_key FROM camp_outbox WHERE run_id = $2 ORDER BY recipient_key)"; }

# exactly enough: 4 leaflets for 4 letters, nothing cut
limit_case 4 1
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
has "equal: plan keeps 4" "$TMP/out" "letters  mail             4"
hasnt "equal: no cut" "$TMP/out" "left out"
has "equal: projection" "$TMP/out" "stock leaflets: letters uses 4 (4 x 1), level 4 -> 0 (alert at 1)"
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "equal: run" 0 $?
eq "equal: all four queued" "1,2,3,4" "$(keys "$TMP/lim.db" 1)"
eq "equal: no warning" 0 "$(q "$TMP/lim.db" "SELECT count(*) FROM camp_warnings")"

# one less: 3 leaflets, the lowest keys 1, 2, 3 get a letter, 4 is left out
limit_case 3 1
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
has "one less: plan" "$TMP/out" "letters  mail             3"
has "one less: plan note" "$TMP/out" "stock leaflets (on_shortage limit): 3 of 4 recipients kept, 1 left out (level 3, 1 per recipient; lowest keys first)"
has "one less: projection" "$TMP/out" "stock leaflets: letters uses 3 (3 x 1), level 3 -> 0 (alert at 1)"
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "one less: run" 0 $?
hasnt "one less: no shortage warning" "$TMP/out" "uses more stock than is left"
eq "one less: keys 1-3" "1,2,3" "$(keys "$TMP/lim.db" 1)"
eq "one less: extract has 3 rows" "city
x
y
z" "$(tr -d '\r' < "$TMP/letters.csv")"
eq "one less: warning recorded" "letters|1" "$(q "$TMP/lim.db" "SELECT step, count FROM camp_warnings")"
eq "one less: consumption" "leaflets|3|0" \
  "$(camp stock --db "$TMP/lim.db" --format json | python3 -c 'import json,sys; r = json.load(sys.stdin)[0]; print("%s|%d|%d" % (r["item"], r["used"], r["level"]))')"
eq "one less: alert at 0 <= 1" "stock leaflets is out: 0 left (alert at 1)" "$(q "$TMP/lim.db" "SELECT subject FROM camp_notifications")"
# zero left: the next run messages no one
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-02 --new-run > "$TMP/out" 2>&1
eq "zero: run" 0 $?
has "zero: note" "$TMP/out" "0 of 4 recipients kept, 4 left out (level 0, 1 per recipient"
eq "zero: nothing queued" "" "$(keys "$TMP/lim.db" 2)"
# an order of 2 lets the next run reach keys 1 and 2
camp stock order leaflets 2 --db "$TMP/lim.db" --now 2026-03-03 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-03 --new-run > /dev/null 2>&1
eq "after order: keys 1-2" "1,2" "$(keys "$TMP/lim.db" 3)"

# 5 leaflets, 2 per letter: floor(5 / 2) = 2 letters (keys 1, 2), 1 leaflet stays
limit_case 5 2
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "per 2: keys 1-2" "1,2" "$(keys "$TMP/lim.db" 1)"
eq "per 2: level 1" 1 \
  "$(camp stock --db "$TMP/lim.db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["level"])')"
# a plan in memory is not used for a limited campaign: the same counts with --engine interp
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 --engine interp > "$TMP/out" 2>&1
has "interp plan: 1 leaflet, 0 letters" "$TMP/out" "letters  mail             0"

#SEGMENTS#
#INTERACTIONS#

t_summary mops2
[ "$T_FAIL" -eq 0 ]
