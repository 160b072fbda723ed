#!/bin/sh
# tests/graph/run.sh CAMP — `camp graph` as marketers read it: no internal
# step names, a legend, shares beside counts, the reason for every drop
# between a step and its channel, clusters for the branches of a split, a
# layout direction that suits the campaign's shape, and the png and html
# formats.
# Runs are read from tests/report/fixture.sql (two runs of promo.camp);
# expected numbers below are worked out from that fixture's camp_counts.
# Needs: sqlite3, graphviz (dot).  Ends with `graph: N passed, N failed`.
CAMP=${1:?usage: tests/graph/run.sh CAMP_BINARY}
case $CAMP in /*) ;; *) CAMP=$(pwd)/$CAMP ;; esac
[ -x "$CAMP" ] || { echo "graph: $CAMP is not an executable"; echo "graph: 0 passed, 1 failed"; exit 1; }
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
. "$root/tests/lib.sh"
cd "$root" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/camp-graph.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
export NO_COLOR=1
for tool in sqlite3 dot; do
  command -v $tool > /dev/null || { t_fail "missing $tool (make deps)"; t_summary graph; exit 1; }
done
db=$tmp/runs.db
sqlite3 "$db" < tests/report/fixture.sql || { t_fail "fixture.sql does not load"; t_summary graph; exit 1; }

# has NAME FILE TEXT / hasnt NAME FILE TEXT — fixed-string checks.
has() { if grep -qF -e "$3" "$2"; then t_pass; else t_fail "$1: no \`$3\` in $2"; fi; }
hasnt() {
  if grep -qF -e "$3" "$2"; then t_fail "$1: \`$3\` in $2: $(grep -F -e "$3" "$2" | head -n 1)"; else t_pass; fi
}
# quiet NAME CMD... — CMD must succeed.
quiet() {
  name=$1
  shift
  if "$@" > "$tmp/out" 2> "$tmp/err"; then t_pass; else t_fail "$name: $(head -n 2 "$tmp/err")"; fi
}

promo=tests/report/promo.camp
long=tests/graph/long.camp
quiet "dot of promo" sh -c "\"$CAMP\" graph $promo > $tmp/promo.dot"
quiet "dot of promo, run 2" sh -c "\"$CAMP\" graph $promo --db $db > $tmp/run.dot"
quiet "dot of the long campaign" sh -c "\"$CAMP\" graph $long > $tmp/long.dot"
t_golden "long.dot" "$dir/expected/long.dot" "$tmp/long.dot" && t_pass

# ---- names: what a step does, never an internal label (_sms_later ...)
for f in promo.dot run.dot long.dot; do
  hasnt "$f: no internal step name" "$tmp/$f" '"_'
  hasnt "$f: no internal step name in a label" "$tmp/$f" '\n_'
done
has "unnamed sms" "$tmp/promo.dot" '"SMS to later" [label="SMS to later\n'
has "unnamed push" "$tmp/promo.dot" '"Push to low" [label="Push to low\n'
has "unnamed save" "$tmp/promo.dot" 'label="Save top as “promo_top”"'
has "unnamed direct mail" "$tmp/promo.dot" 'label="Direct mail to both\nextract: out/both.csv\ncolumns (name)"'
has "edges use the names" "$tmp/promo.dot" '"later" -> "SMS to later";'

# ---- legend: the shapes used; with a run, the state colours too
has "legend" "$tmp/promo.dot" 'subgraph "cluster_legend" {'
has "legend: channels" "$tmp/promo.dot" 'label="email, sms, push, mail", shape=component'
hasnt "legend: only shapes the campaign uses (no retarget in promo)" "$tmp/promo.dot" 'label="retarget"'
has "legend: retarget in the long campaign" "$tmp/long.dot" 'label="retarget", shape=invhouse'
has "legend: states with a run" "$tmp/run.dot" 'label="[waiting]", shape=box, style="filled,bold"'
hasnt "legend: no states without a run" "$tmp/promo.dot" 'label="[waiting]"'

# ---- counts with shares, and the drop before a channel with its reason.
# Run 2 of the fixture: uniq 48 of rest 50, dupes 2; top 5, mid 11, low 32
# of uniq 48 (10.4% 22.9% 66.7%); top_mail reached 3 of top's 5.
has "dedup shares" "$tmp/run.dot" 'uniq 48 (96%) · dupes 2 (4%)'
has "split shares" "$tmp/run.dot" 'top 5 (10%) · mid 11 (23%) · low 32 (67%)'
has "channel drop and why" "$tmp/run.dot" '3 of 5 — 2 without an email address'
has "no drop: the count alone" "$tmp/run.dot" '"Push to low" [label="Push to low\nbody: Low\n[done]\nn = 32"'
has "union: no share (not a part of one input)" "$tmp/run.dot" 'union(nordic, loyal)\n[done]\nn = 60"'
# The drop's numbers agree with the fixture: top's count minus top_mail's.
n_top=$(sqlite3 "$db" "SELECT count FROM camp_counts WHERE run_id = 2 AND output = 'top'")
n_mail=$(sqlite3 "$db" "SELECT count FROM camp_counts WHERE run_id = 2 AND output = 'top_mail'")
has "drop = input - recipients" "$tmp/run.dot" "$n_mail of $n_top — $((n_top - n_mail)) without"

# ---- clusters for the branches of a split; the layout's direction
# a deep campaign stays top to bottom; a wide one (6 audiences side by
# side, 2 steps deep) goes left to right
has "promo: top to bottom" "$tmp/promo.dot" 'rankdir=TB;'
has "long: top to bottom" "$tmp/long.dot" 'rankdir=TB;'
quiet "dot of the wide campaign" sh -c "\"$CAMP\" graph tests/graph/wide.camp > $tmp/wide.dot"
has "wide: left to right" "$tmp/wide.dot" 'rankdir=LR;'
has "branch cluster with its count" "$tmp/run.dot" 'label="mid (11)"; labeljust=l'
for b in vip regular rest; do has "long: branch $b" "$tmp/long.dot" "label=\"$b\"; labeljust=l"; done
# the wait and its sms are inside mid's cluster, the dedup is not in any
awk '/subgraph "cluster_[0-9]/ {d++} /^  }/ {d=0} d && /"later" \[/ {print "in"}' "$tmp/promo.dot" | grep -q in &&
  t_pass || t_fail "later is not inside a branch cluster"
awk '/subgraph "cluster_[0-9]/ {d++} /^  }/ {d=0} d && /"uniq, dupes" \[/ {print "in"}' "$tmp/promo.dot" | grep -q in &&
  t_fail "the dedup before the split is inside a branch cluster" || t_pass

# ---- png
quiet "png" "$CAMP" graph $promo --db "$db" --format png --output "$tmp/g.png"
[ "$(od -An -tx1 -N8 "$tmp/g.png" | tr -d ' \n')" = 89504e470d0a1a0a ] && t_pass || t_fail "png: no PNG signature"
w=$(od -An -tu1 -j16 -N4 "$tmp/g.png" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
[ "${w:-0}" -gt 800 ] && t_pass || t_fail "png: width $w, too small to read"
"$CAMP" graph $promo --format png > "$tmp/stdout.png" 2> "$tmp/err" &&
  [ "$(od -An -tx1 -N4 "$tmp/stdout.png" | tr -d ' \n')" = 89504e47 ] && t_pass || t_fail "png on stdout (redirected)"
mkdir -p "$tmp/emptybin"
env PATH="$tmp/emptybin" "$CAMP" graph $promo --format png --output "$tmp/x.png" 2> "$tmp/err"
[ $? = 1 ] && grep -q graphviz "$tmp/err" && t_pass || t_fail "png without dot: no clear error"

# ---- html: one self-contained page
quiet "html" "$CAMP" graph $promo --db "$db" --format html --output "$tmp/g.html"
h=$tmp/g.html
[ "$(head -n 1 "$h")" = '<!DOCTYPE html>' ] && t_pass || t_fail "html: no doctype"
has "html: inline svg" "$h" '<svg width='
hasnt "html: no xml prolog" "$h" '<?xml'
hasnt "html: no svg doctype" "$h" '<!DOCTYPE svg'
for ext in 'src=' 'href=' 'url(' '<link' '<script' '@import'; do hasnt "html: self-contained ($ext)" "$h" "$ext"; done
has "html: title escaped" "$h" '<title>promo: Promo &quot;Q2&quot; \ test</title>'
has "html: run" "$h" '<p class="run">run 2 (waiting)</p>'
has "html: table row of the channel" "$h" '<tr><td>top_mail</td><td>email</td><td>done</td><td>3 of 5 — 2 without an email address</td></tr>'
has "html: table row of an unnamed step" "$h" '<tr><td>SMS to later</td><td>sms</td><td>pending</td><td></td></tr>'
[ "$(grep -c '<svg' "$h")" = 1 ] && [ "$(grep -c '</svg>' "$h")" = 1 ] && [ "$(tail -n 1 "$h")" = '</html>' ] &&
  t_pass || t_fail "html: one svg, page closed"
quiet "html without a run" "$CAMP" graph $long --format html --output "$tmp/long.html"
has "html without a run: the graph" "$tmp/long.html" '<svg width='
hasnt "html without a run: no table" "$tmp/long.html" '<table>'

# ---- every example renders in every format
for f in $(find examples -name '*.camp' | sort); do
  [ "$(grep -c '^campaign' "$f")" = 1 ] || continue
  "$CAMP" check "$f" > /dev/null 2>&1 || continue
  for fmt in png html; do
    if "$CAMP" graph "$f" --format $fmt --output "$tmp/ex.$fmt" 2> "$tmp/err" && [ -s "$tmp/ex.$fmt" ]; then
      t_pass
    else
      t_fail "graph $f --format $fmt: $(head -n 2 "$tmp/err")"
    fi
  done
done

t_summary graph
[ "$T_FAIL" -eq 0 ]
