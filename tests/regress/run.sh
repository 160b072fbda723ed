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
#   REG_MAKEFILE=FILE  section 5 runs make with this makefile (to show the
#                      test fails with the rule before the fix)

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

# ---- 2. a link column not named *_id / *_key, to a text key ----------------
if want 2; then
  d=$(ws s2)
  cat > "$d/t.camp" <<'EOF'
import "schema"
campaign t {
  big = subs where tariff.data_gb > 5
  named = subs where plan_code.name starts with "M" or tariff = "S"
  all = subs
  info = enrich all { gb = tariff.data_gb; pname = plan_code.name }
  rich = info where gb >= 10 and pname is not null
  x, y = split info { x when tariff.data_gb < plan_code.data_gb else }
  st = stores where manager.loyalty > 1000
  save big as "big"
  save named as "named"
  save rich as "rich"
  save x as "x"
  save y as "y"
  save st as "st"
}
EOF
  db=$d/db.sqlite
  keys() { q "$db" "$1" | tr '\n' ' ' | sed 's/ $//'; }
  want2="big: $(keys "SELECT s.id FROM subs s JOIN plans p ON p.code = s.tariff WHERE p.data_gb > 5 ORDER BY 1")
named: $(keys "SELECT s.id FROM subs s LEFT JOIN plans p ON p.code = s.plan_code WHERE p.name LIKE 'M%' OR s.tariff = 'S' ORDER BY 1")
rich: $(keys "SELECT s.id FROM subs s JOIN plans p ON p.code = s.tariff JOIN plans q ON q.code = s.plan_code WHERE p.data_gb >= 10 ORDER BY 1")
x: $(keys "SELECT s.id FROM subs s JOIN plans p ON p.code = s.tariff JOIN plans q ON q.code = s.plan_code WHERE p.data_gb < q.data_gb ORDER BY 1")
st: $(keys "SELECT s.id FROM stores s JOIN customers c ON c.id = s.manager WHERE c.loyalty > 1000 ORDER BY 1")"
  camp check "$d/t.camp" > "$d/check.out" 2>&1
  rc "2: check" 0 $? "$d/check.out"
  for e in auto sql interp jit; do
    CAMP_PLAN_KEYS=$d/keys.$e camp plan "$d/t.camp" --db "$db" --now "$NOW" --engine "$e" > "$d/plan.$e" 2>&1
    rc "2: plan --engine $e" 0 $? "$d/plan.$e"
    eq "2: plan --engine $e members" "$want2" "$(grep -e '^big:' -e '^named:' -e '^rich:' -e '^x:' -e '^st:' "$d/keys.$e" | sed 's/ *$//')"
  done
  for e in auto interp; do
    cp "$db" "$d/run.$e.sqlite"
    camp run "$d/t.camp" --db "$d/run.$e.sqlite" --now "$NOW" --engine "$e" > "$d/run.$e" 2>&1
    rc "2: run --engine $e" 0 $? "$d/run.$e"
    eq "2: run --engine $e saved x" "$(q "$db" "SELECT s.id FROM subs s JOIN plans p ON p.code = s.tariff JOIN plans q ON q.code = s.plan_code WHERE p.data_gb < q.data_gb")" \
      "$(q "$d/run.$e.sqlite" "SELECT key FROM camp_audience WHERE name = 'x'")"
  done
  # what camp schema --from-db writes for a text foreign key is usable
  sqlite3 "$d/fk.sqlite" "CREATE TABLE plans(code TEXT PRIMARY KEY, data_gb INTEGER);
    CREATE TABLE subs(id INTEGER PRIMARY KEY, email TEXT, plan_code TEXT REFERENCES plans(code));
    INSERT INTO plans VALUES ('S', 2), ('L', 50); INSERT INTO subs VALUES (1, 'a@x', 'S'), (2, 'b@x', 'L'), (3, 'c@x', NULL);"
  camp schema --from-db "$d/fk.sqlite" > "$d/fk.camp" 2> "$d/fk.err"
  rc "2: schema --from-db" 0 $? "$d/fk.err"
  has "2: schema --from-db writes the text link" "$d/fk.camp" "plan_code text -> plans"
  printf 'campaign f {\n  big = subs where plan_code.data_gb > 5\n  save big as "big"\n}\n' >> "$d/fk.camp"
  camp plan "$d/fk.camp" --db "$d/fk.sqlite" --now "$NOW" > "$d/fk.plan" 2>&1
  rc "2: plan over the imported schema" 0 $? "$d/fk.plan"
  eq "2: plan over the imported schema counts" "big=1" "$(plan_counts "$d/fk.plan")"
fi

# ---- 3. camp sql --now is normalised as plan and run normalise it ----------
if want 3; then
  d=$(ws s3)
  cat > "$d/n.camp" <<'EOF'
import "schema"
campaign n {
  c = customers where exists purchases where at <= now() and at > now() - 1d
  save c as "c"
}
EOF
  # purchase 1 is at exactly 2026-02-20 10:00:00
  want3=$(q "$d/db.sqlite" "SELECT count(DISTINCT customer_id) FROM purchases WHERE at <= '2026-02-20 10:00:00' AND at > '2026-02-19 10:00:00'")
  eq "3: fixture" 1 "$want3"
  for now in "2026-02-20 10:00" "2026-02-20T10:00" "2026-02-20 10:00:00"; do
    camp plan "$d/n.camp" --db "$d/db.sqlite" --now "$now" > "$d/plan" 2>&1
    eq "3: plan --now '$now'" "c=$want3" "$(plan_counts "$d/plan")"
    camp sql "$d/n.camp" --now "$now" > "$d/s.sql" 2> "$d/sql.err"
    rc "3: sql --now '$now'" 0 $? "$d/sql.err"
    has "3: sql --now '$now' writes the normalised clock" "$d/s.sql" "'2026-02-20 10:00:00' AS \"now\""
    got=$( { cat "$d/s.sql"; echo 'SELECT count(*) FROM temp."s_c";'; } | sqlite3 -batch "$d/db.sqlite" 2>&1)
    eq "3: the script of sql --now '$now' selects what plan selects" "$want3" "$got"
  done
  camp sql "$d/n.camp" --now "2026-02-30" > /dev/null 2> "$d/bad.err"
  rc "3: sql --now with an invalid date" 2 $? "$d/bad.err"
  has "3: sql --now invalid: message" "$d/bad.err" "is not a date or time"
fi

# ---- 4. a second `camp run` of a campaign -----------------------------------
if want 4; then
  d=$(ws s4)
  cat > "$d/m.camp" <<'EOF'
import "schema"
campaign m {
  all = customers where email is not null
  email all { subject "Hi {{first_name}}"; body "Hello" }
  later = wait all 2d
  save later as "later"
}
EOF
  cat > "$d/quiet.camp" <<'EOF'
import "schema"
campaign quiet {
  all = customers where email is not null
  save all as "all"
}
EOF
  db=$d/db.sqlite
  n=$(q "$db" "SELECT count(*) FROM customers WHERE email IS NOT NULL")
  camp run "$d/m.camp" --db "$db" --now "$NOW" > "$d/r1.out" 2>&1
  rc "4: first run" 0 $? "$d/r1.out"
  eq "4: first run queued one message per address" "$n" "$(q "$db" "SELECT count(*) FROM camp_outbox")"
  # the run waits: a second run is refused, nothing written
  camp run "$d/m.camp" --db "$db" --now "$NOW" > "$d/r2.out" 2> "$d/r2.err"
  rc "4: second run while the first waits: refused" 1 $? "$d/r2.err"
  has "4: refusal names the unfinished run" "$d/r2.err" "campaign \`m\` has an unfinished run 1 (waiting, next due 2026-03-03 00:00:00)"
  has "4: refusal says how to continue" "$d/r2.err" "\`camp resume\` continues run 1"
  eq "4: refused: no second run" 1 "$(q "$db" "SELECT count(*) FROM camp_runs")"
  eq "4: refused: nothing queued again" "$n" "$(q "$db" "SELECT count(*) FROM camp_outbox")"
  # finished: a re-run would message the same recipients again
  camp resume --db "$db" --now "2026-03-05" > /dev/null 2>&1
  eq "4: the first run is done" done "$(q "$db" "SELECT state FROM camp_runs")"
  camp run "$d/m.camp" --db "$db" --now "2026-03-06" > "$d/r3.out" 2> "$d/r3.err"
  rc "4: re-run after a run that queued messages: refused" 1 $? "$d/r3.err"
  has "4: refusal counts the messages" "$d/r3.err" "run 1 of campaign \`m\` already queued $n messages to $n recipients"
  eq "4: refused: still one run" 1 "$(q "$db" "SELECT count(*) FROM camp_runs")"
  # --new-run says so explicitly
  camp run "$d/m.camp" --db "$db" --now "2026-03-06" --new-run > "$d/r4.out" 2> "$d/r4.err"
  rc "4: --new-run" 0 $? "$d/r4.err"
  eq "4: --new-run queues again" "$((n * 2))" "$(q "$db" "SELECT count(*) FROM camp_outbox")"
  eq "4: still never twice within a run" 0 "$(q "$db" "SELECT count(*) FROM (SELECT 1 FROM camp_outbox GROUP BY run_id, step, recipient_key HAVING count(*) > 1)")"
  # a campaign that queues nothing may run again; other campaigns are not affected
  camp run "$d/quiet.camp" --db "$db" --now "$NOW" > /dev/null 2>&1
  camp run "$d/quiet.camp" --db "$db" --now "$NOW" > "$d/q2.out" 2>&1
  rc "4: a campaign that queued nothing runs again" 0 $? "$d/q2.out"
  camp plan "$d/m.camp" --db "$db" --now "$NOW" > "$d/plan.out" 2>&1
  rc "4: plan is never refused" 0 $? "$d/plan.out"
  camp run "$d/m.camp" --db "$db" --now "$NOW" --new-runx > /dev/null 2> "$d/bad.err"
  rc "4: a misspelt flag is a usage error" 2 $?
fi

# ---- 5. make -j runs bison once (a grouped target) --------------------------
if want 5 && command -v make > /dev/null && command -v bison > /dev/null; then
  d=$TMP/s5
  mkdir -p "$d/b" "$d/bin"
  touch "$d/b/.deps-ok" # the packages are there: make deps is not under test
  real=$(command -v bison)
  printf '#!/bin/sh\necho run >> "%s/bison.log"\nsleep 1\nexec "%s" "$@"\n' "$d" "$real" > "$d/bin/bison"
  chmod +x "$d/bin/bison"
  PATH="$d/bin:$PATH" make -s -C "$ROOT" -f "${REG_MAKEFILE:-Makefile}" -j4 BUILD="$d/b" \
    "$d/b/parser.c" "$d/b/parser.h" "$d/b/lexer.c" > "$d/make.out" 2>&1
  rc "5: make -j4 of the generated parser and lexer" 0 $? "$d/make.out"
  eq "5: bison ran once" 1 "$(wc -l < "$d/bison.log" 2> /dev/null || echo 0)"
fi

# ---- 6. binary and non-UTF-8 input; many errors; unprintable bytes ---------
if want 6; then
  d=$TMP/s6
  mkdir -p "$d"
  # a binary file: one clear error, no source line, nothing unprintable
  head -c 30000 "$CAMP" > "$d/bin.camp"
  camp check "$d/bin.camp" > /dev/null 2> "$d/bin.err"
  rc "6: check of a binary file" 1 $? "$d/bin.err"
  eq "6: a binary file gives one error" 1 "$(grep -c ': error: ' "$d/bin.err")"
  has "6: a binary file: what it is" "$d/bin.err" "error: not a text file: a NUL byte at line 1, column "
  eq "6: no control bytes printed" 0 "$(tr -d '\n\t' < "$d/bin.err" | LC_ALL=C tr -d '\040-\176' | wc -c)"
  for cmd in plan sql fmt; do
    case $cmd in
      plan) camp plan "$d/bin.camp" --db "$d/none.sqlite" > /dev/null 2> "$d/bin.$cmd" ;;
      *) camp "$cmd" "$d/bin.camp" > /dev/null 2> "$d/bin.$cmd" ;;
    esac
    eq "6: camp $cmd of a binary file: one error" 1 "$(grep -c 'not a text file' "$d/bin.$cmd")"
  done
  # Latin-1 text: one error at the first byte that is not UTF-8
  printf 'schema a { id int key } // caf\351\nschema b { id int key } // \351t\351\n' > "$d/latin1.camp"
  camp check "$d/latin1.camp" > /dev/null 2> "$d/latin1.err"
  rc "6: check of Latin-1 text" 1 $? "$d/latin1.err"
  eq "6: Latin-1 text: the error" "$d/latin1.camp: error: not UTF-8 text: byte 0xe9 at line 1, column 31" "$(head -n 1 "$d/latin1.err")"
  eq "6: Latin-1 text: one error" 1 "$(grep -c ': error: ' "$d/latin1.err")"
  # unprintable bytes in a text file are shown as (byte 0x..), caret aligned
  printf 'schema a { id int key }\ncampaign c {\n  x = a where id > 1 \177 and id < 3\n  save x as "x"\n}\n' > "$d/ctl.camp"
  camp check "$d/ctl.camp" > /dev/null 2> "$d/ctl.err"
  rc "6: check with a DEL byte" 1 $? "$d/ctl.err"
  cat > "$d/ctl.want" <<EOF
$d/ctl.camp:3:22: error: unexpected character (byte 0x7f)
    3 |   x = a where id > 1 (byte 0x7f) and id < 3
      |                      ^~~~~~~~~~~
EOF
  if cmp -s "$d/ctl.want" "$d/ctl.err"; then t_pass; else t_fail "6: a DEL byte is shown as (byte 0x7f)"; t_diff "$d/ctl.want" "$d/ctl.err"; fi
  # 3,000 errors: 50 shown, then one line counting the others
  awk 'BEGIN { print "schema a { id int key }"; for (i = 0; i < 1000; i++) print "# # #" }' > "$d/many.camp"
  camp check "$d/many.camp" > /dev/null 2> "$d/many.err"
  rc "6: check with 3000 errors" 1 $? "$d/many.err"
  eq "6: 50 errors shown" 50 "$(grep -c ': error: ' "$d/many.err")"
  eq "6: the others counted" "camp: 2950 more errors not shown" "$(tail -n 1 "$d/many.err")"
  camp check --format json "$d/many.camp" > "$d/many.json" 2> /dev/null
  eq "6: --format json has them all" 3000 "$(grep -c '"severity": "error"' "$d/many.json")"
fi

# ---- 7. waits on the run's clock: after a kill, behind a wait; status -------
if want 7; then
  d=$(ws s7)
  cat > "$d/w.camp" <<'EOF'
import "schema"
campaign w {
  all = customers where loyalty > 0
  later = wait all 2d
  then = wait later 1d
  save then as "then"
}
EOF
  db=$d/db.sqlite
  # killed right after step `all` committed (commit 1 is the run itself)
  CAMP_TEST_KILL=after:2 camp run "$d/w.camp" --db "$db" --now "2026-06-01 00:00" > /dev/null 2>&1
  eq "7: the kill left all done, later pending" "all|done later|pending" \
    "$(q "$db" "SELECT step || '|' || state FROM camp_steps WHERE step IN ('all', 'later') ORDER BY idx" | tr '\n' ' ' | sed 's/ $//')"
  camp resume --db "$db" --now "2026-06-02 00:00" > "$d/r1.out" 2>&1
  eq "7: after the kill, the wait is due 2d after its input finished" "waiting|2026-06-03 00:00:00" \
    "$(q "$db" "SELECT state || '|' || due_at FROM camp_steps WHERE step = 'later'")"
  camp status --db "$db" 1 > "$d/st.txt" 2>&1
  has "7: status measures a --now run's due time from its own clock" "$d/st.txt" "next due  2026-06-03 00:00:00 (in 1d)"
  camp status --db "$db" > "$d/list.txt" 2>&1
  has "7: the run list too" "$d/list.txt" "2026-06-03 00:00:00 (in 1d)"
  camp status --db "$db" 1 --now "2026-06-05" > "$d/st5.txt" 2>&1
  has "7: status --now still wins" "$d/st5.txt" "next due  2026-06-03 00:00:00 (overdue 2d)"
  # a resume long after: both waits are over, each on the run's clock
  camp resume --db "$db" --now "2026-06-10 00:00" > "$d/r2.out" 2>&1
  eq "7: resume long after: the run is done" done "$(q "$db" "SELECT state FROM camp_runs")"
  eq "7: a wait behind a wait is due 1d after the first was over" \
    "later|2026-06-03 00:00:00|2026-06-03 00:00:00 then|2026-06-04 00:00:00|2026-06-04 00:00:00" \
    "$(q "$db" "SELECT step || '|' || due_at || '|' || finished_at FROM camp_steps WHERE step IN ('later', 'then') ORDER BY idx" | tr '\n' ' ' | sed 's/ $//')"
  # an uninterrupted run on the wall clock keeps measuring from the wall clock
  d2=$(ws s7b)
  camp run "$d/w.camp" --db "$d2/db.sqlite" > /dev/null 2>&1
  camp status --db "$d2/db.sqlite" 1 > "$d2/st.txt" 2>&1
  has "7: a wall-clock run: due from the wall clock" "$d2/st.txt" "(in "
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

# ---- 9. auto picks SQL below 20,000 rows, also for a select from a table ---
if want 9; then
  d=$(ws s9)
  cat > "$d/a.camp" <<'EOF'
import "schema"
campaign a {
  due = customers where loyalty > 900 and exists purchases where amount > 50
  save due as "due"
}
EOF
  want9=$(q "$d/db.sqlite" "SELECT count(*) FROM customers c WHERE loyalty > 900 AND EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND p.amount > 50)")
  camp run "$d/a.camp" --db "$d/db.sqlite" --now "$NOW" --explain > "$d/run.out" 2> "$d/run.err"
  rc "9: run" 0 $? "$d/run.err"
  has "9: auto on 6 rows: sql" "$d/run.err" "step due: sql (auto: 6 rows, below 20000: sql)"
  eq "9: auto on 6 rows: members" "$want9" "$(q "$d/db.sqlite" "SELECT count(*) FROM camp_audience WHERE name = 'due'")"
  hasnt "9: auto on 6 rows: no snapshot built" "$d/run.err" "interp"
  eq "9: no snapshot files next to the database" 0 "$(ls -d "$d"/db.sqlite.camp-snapshot 2> /dev/null | wc -l)"
  # an empty table is 0 rows, not "cannot tell": SQL too, no snapshot
  d0=$(ws s9e)
  q "$d0/db.sqlite" "DELETE FROM purchases; DELETE FROM customers"
  camp run "$d/a.camp" --db "$d0/db.sqlite" --now "$NOW" --explain > "$d0/run.out" 2> "$d0/run.err"
  rc "9: run on empty tables" 0 $? "$d0/run.err"
  has "9: auto on an empty table: sql" "$d0/run.err" "step due: sql (auto: 0 rows, below 20000: sql)"
  eq "9: empty: no snapshot files" 0 "$(ls -d "$d0"/db.sqlite.camp-snapshot 2> /dev/null | wc -l)"
  # from 20,000 rows on, the interpreter
  d2=$(ws s9b)
  q "$d2/db.sqlite" "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 20100)
    INSERT INTO customers SELECT i, 'c' || i || '@x.se', 'N', i % 2000, 1 FROM n;
    INSERT INTO purchases SELECT 1000 + id, id, 60.0, '2026-01-01 00:00:00' FROM customers WHERE id % 7 = 0"
  want9b=$(q "$d2/db.sqlite" "SELECT count(*) FROM customers c WHERE loyalty > 900 AND EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND p.amount > 50)")
  camp run "$d/a.camp" --db "$d2/db.sqlite" --now "$NOW" --explain > "$d2/run.out" 2> "$d2/run.err"
  rc "9: run on 20,007 rows" 0 $? "$d2/run.err"
  has "9: auto on 20,007 rows: the interpreter" "$d2/run.err" "step due: interp (auto: interp over the snapshot"
  eq "9: auto on 20,007 rows: members" "$want9b" "$(q "$d2/db.sqlite" "SELECT count(*) FROM camp_audience WHERE name = 'due'")"
fi

# ---- 10. an empty file: check warns as plan and sql refuse ------------------
if want 10; then
  d=$TMP/s10
  mkdir -p "$d"
  : > "$d/empty.camp"
  camp check "$d/empty.camp" > /dev/null 2> "$d/check.err"
  rc "10: check of an empty file: a warning, exit 0" 0 $? "$d/check.err"
  has "10: check says nothing is declared" "$d/check.err" "$d/empty.camp: warning: nothing is declared in this file"
  camp sql "$d/empty.camp" > /dev/null 2> "$d/sql.err"
  rc "10: sql of an empty file" 1 $? "$d/sql.err"
  has "10: sql says no campaign" "$d/sql.err" "no campaign in the given files"
  printf 'schema a { id int key }\n' > "$d/schema_only.camp"
  camp check "$d/schema_only.camp" > /dev/null 2> "$d/schema.err"
  eq "10: a file of schemas alone checks silently" "" "$(cat "$d/schema.err")"
fi

# a sanitizer report in any output kept above (make asan) fails the suite
bad=$(grep -rl -e 'Sanitizer' -e 'runtime error:' "$TMP" 2> /dev/null | head -n 3)
if [ -n "$bad" ]; then t_fail "sanitizer report in: $(echo $bad)"; else t_pass; fi

t_summary regress
[ "$T_FAIL" = 0 ]
