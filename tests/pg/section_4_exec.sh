# section 4 of tests/pg/run.sh (sourced): camp's runtime on PostgreSQL gives
# SQLite's answers.
#
# a. tests/exec/*.test: every case is also planned on PostgreSQL (fixture
#    copied there typed, tests/pg/pg_fixture.c); members of every step
#    output must equal SQLite's (exec_cases with CAMP_TEST_PG_URL).
#    They run twice on PostgreSQL: as camp plans for a plain database
#    (correlated aggregates) and with CAMP_PG_GROUPED=all (grouped joins).
# b. the random plan differential of tests/plans (aggregates as grouped
#    joins, CAMP_PG_GROUPED=all; PG_PLANS_GROUPED=none for the correlated
#    form): PG_PLANS generated
#    campaigns (default 15) and the saved tests/plans/cases: data loaded into
#    SQLite and copied into PostgreSQL, the `saver` campaign run on each
#    backend, then `camp plan` of `pc`: --engine sql on SQLite (the
#    reference), --engine sql, interp, jit and the default auto on
#    PostgreSQL (the engines read a snapshot made with COPY); the members of
#    every output (CAMP_PLAN_KEYS) and the --format json plan are identical.
#    Every PG_PLANS_RUN_EVERY-th seed (default 3) and every saved case is
#    also run: `camp run` of pc and `camp resume` past every wait (as
#    tests/plans/run.sh does) with --engine sql on SQLite (the reference)
#    and with sql and auto on PostgreSQL (PG_RUNS_ENGINES), each on its own
#    database after saver; what each run leaves behind — run and step
#    states and due times, camp_counts, the outbox, saved audiences,
#    warnings, the camp_r* result tables, the extract files — dumped by
#    tests/plans/dump.sh in one text form for both backends (numbers as
#    values, keys as text) must be SQLite's.
# c. runtime end to end (tests/runtime's fixture and full.camp campaign):
#    run, resume after the waits, status, outbox (csv, text, json) and graph on both
#    backends, outputs identical.
# d. decimals as text and collected rows as JSON, with answers written by
#    hand (two bugs the runs of b found).

BIN_DIR=${TEST_BIN_DIR:-build/tests}

if want 4; then
  if [ ! -x "$BIN_DIR/exec_cases" ] || [ ! -x "$BIN_DIR/pg_load" ]; then
    t_fail "pg exec: missing $BIN_DIR/exec_cases or pg_load (make test-bins)"
  else
    pg_createdb execcases
    CAMP_TEST_PG_URL=$(pg_url execcases) CAMP_TEST_PG_ONLY=1 "$BIN_DIR/exec_cases" tests/exec/*.test \
      > "$TMP/exec.out" 2>&1
    grep '^FAIL' -A8 "$TMP/exec.out" | head -n 60
    counts=$(t_parse_summary "$TMP/exec.out")
    set -- $counts
    if [ -z "$counts" ]; then
      t_fail "pg exec: no summary line"
      tail -n 5 "$TMP/exec.out"
    else
      T_PASS=$((T_PASS + $1))
      T_FAIL=$((T_FAIL + $2))
    fi
    n=$(sed -n 's/^exec: \([0-9]*\) cases planned on PostgreSQL too$/\1/p' "$TMP/exec.out")
    if [ "${n:-0}" -ge 10 ]; then t_pass; else t_fail "pg exec: only ${n:-0} cases planned on PostgreSQL"; fi
    # again with every aggregate as a grouped join (what a sharded
    # database gets): the same members as SQLite's
    CAMP_PG_GROUPED=all CAMP_TEST_PG_URL=$(pg_url execcases) CAMP_TEST_PG_ONLY=1 "$BIN_DIR/exec_cases" \
      tests/exec/*.test > "$TMP/exec.grouped.out" 2>&1
    grep '^FAIL' -A8 "$TMP/exec.grouped.out" | sed 's/^FAIL /FAIL (grouped) /' | head -n 60
    counts=$(t_parse_summary "$TMP/exec.grouped.out")
    if [ -z "$counts" ]; then
      t_fail "pg exec (grouped): no summary line"
      tail -n 5 "$TMP/exec.grouped.out"
    else
      set -- $counts
      T_PASS=$((T_PASS + $1))
      T_FAIL=$((T_FAIL + $2))
    fi
  fi
fi

# plan_case SEED|cases/NAME — one case of the plan differential on both backends.
plan_case() {
  d=$TMP/plans/$(echo "$1" | tr '/' '_')
  rm -rf "$d"
  mkdir -p "$d"
  case $1 in
    cases/*) cp "tests/plans/$1/campaign.camp" "tests/plans/$1/data.sql" "$d/" || return ;;
    *) "$TMP/plan_gen" "$1" "$d" 2> /dev/null || { t_fail "pg plans $1: generator failed"; return; } ;;
  esac
  "$CAMP" check "$d/campaign.camp" > /dev/null 2>&1 || return 0 # counted by tests/plans
  sqlite3 -bail "$d/db.sqlite" < "$d/data.sql" 2> /dev/null || { t_fail "pg plans $1: load failed"; return; }
  url=$(pg_url plans) # emptied by pg_load
  # PostgreSQL writes every aggregate as a grouped join here (sql_group.c;
  # the exec cases above cover the correlated form too)
  CAMP_PG_GROUPED=${PG_PLANS_GROUPED-all}
  export CAMP_PG_GROUPED
  if ! "$BIN_DIR/pg_load" "$d/campaign.camp" "$d/db.sqlite" "$url" > "$d/load.err" 2>&1; then
    t_fail "pg plans $1: copying to PostgreSQL: $(head -n 1 "$d/load.err")"
    return
  fi
  # runs (below): every PG_PLANS_RUN_EVERY-th seed and every saved case;
  # the second database is loaded now, before saver writes camp's tables
  # into the SQLite file (pg_load would copy them)
  runs=0
  case $1 in
    cases/*) runs=1 ;;
    *) [ $(($1 % ${PG_PLANS_RUN_EVERY:-3})) = 0 ] && runs=1 ;;
  esac
  auto_url=$(pg_url plans_auto)
  if [ "$runs" = 1 ] && ! "$BIN_DIR/pg_load" "$d/campaign.camp" "$d/db.sqlite" "$auto_url" > "$d/load.auto.err" 2>&1; then
    t_fail "pg runs $1: copying to PostgreSQL: $(head -n 1 "$d/load.auto.err")"
    return
  fi
  for b in sqlite pg; do
    db=$d/db.sqlite
    [ $b = pg ] && db=$url
    if grep -q '^campaign saver' "$d/campaign.camp" &&
        ! camp run "$d/campaign.camp" --campaign saver --db "$db" --now "$now" > "$d/saver.$b" 2>&1; then
      t_fail "pg plans $1: saver on $b: $(tail -n 1 "$d/saver.$b")"
      return
    fi
    engines=sql
    [ $b = pg ] && engines=${PG_PLANS_ENGINES:-sql interp jit auto}
    for e in $engines; do
      CAMP_PLAN_KEYS=$d/keys.$b.$e camp plan "$d/campaign.camp" --campaign pc --db "$db" --now "$now" \
        --engine "$e" --format json > "$d/plan.$b.$e" 2> "$d/err.$b.$e"
      echo $? > "$d/rc.$b.$e"
    done
  done
  for e in $engines; do
    if [ "$(cat "$d/rc.sqlite.sql")" != "$(cat "$d/rc.pg.$e")" ]; then
      t_fail "pg plans $1 ($e): exit $(cat "$d/rc.sqlite.sql") on SQLite, $(cat "$d/rc.pg.$e") on PostgreSQL: $(head -n 2 "$d/err.pg.$e" | tr '\n' ' ' | cut -c 1-300)"
    elif [ "$(cat "$d/rc.sqlite.sql")" != 0 ]; then
      t_pass # both refuse (a plan error the generator provokes): same answer
    elif ! cmp -s "$d/keys.sqlite.sql" "$d/keys.pg.$e"; then
      t_fail "pg plans $1 ($e): members differ: $(diff "$d/keys.sqlite.sql" "$d/keys.pg.$e" | grep '^[<>]' | head -n 2 | cut -c 1-200 | tr '\n' ' ')"
      mkdir -p "${TMPDIR:-/tmp}/camp-pg-failures" && cp -r "$d" "${TMPDIR:-/tmp}/camp-pg-failures/"
    elif ! cmp -s "$d/plan.sqlite.sql" "$d/plan.pg.$e"; then
      t_fail "pg plans $1 ($e): --format json plans differ"
    else
      t_pass
    fi
  done
  # the runs, when SQLite's plan succeeded
  [ "$runs" = 1 ] && [ "$(cat "$d/rc.sqlite.sql")" = 0 ] || return 0
  # the reference: --engine sql on a copy of the SQLite file (saver ran)
  mkdir -p "$d/run.sqlite"
  cp "$d/db.sqlite" "$d/run.sqlite/db.sqlite" || return
  plan_run "$d/run.sqlite" "$d/run.sqlite/db.sqlite" sql
  run_dump "$d/run.sqlite" "" loose > "$d/run.sqlite/dump" 2>> "$d/run.sqlite/log"
  if [ "$(cat "$d/run.sqlite/rc")" != 0 ] || ! grep -q "^run	'pc'	'done'$" "$d/run.sqlite/dump"; then
    t_fail "pg runs $1: the run on SQLite did not finish: $(grep -v '^explain:' "$d/run.sqlite/log" | head -n 2 | tr '\n' ' ' | cut -c 1-300)"
    return
  fi
  # PostgreSQL: sql on the database just planned (plans leave nothing
  # behind), auto on the second one, saver run first
  if grep -q '^campaign saver' "$d/campaign.camp" &&
      ! camp run "$d/campaign.camp" --campaign saver --db "$auto_url" --now "$now" > "$d/saver.auto" 2>&1; then
    t_fail "pg runs $1: saver on PostgreSQL: $(tail -n 1 "$d/saver.auto")"
    return
  fi
  for e in ${PG_RUNS_ENGINES:-sql auto}; do
    r=$d/run.pg.$e
    db=$url
    [ "$e" = sql ] || db=$auto_url
    mkdir -p "$r"
    plan_run "$r" "$db" "$e"
    run_dump "$r" "$db" loose > "$r/dump" 2>> "$r/log"
    if [ "$(cat "$r/rc")" != 0 ]; then
      t_fail "pg runs $1 ($e): exit $(cat "$r/rc") on PostgreSQL: $(grep -v '^explain:' "$r/log" | head -n 2 | tr '\n' ' ' | cut -c 1-300)"
    elif cmp -s "$d/run.sqlite/dump" "$r/dump"; then
      t_pass
    else
      t_fail "pg runs $1 ($e): what the run left on PostgreSQL differs from SQLite's (--engine sql): $(diff "$d/run.sqlite/dump" "$r/dump" | grep '^[<>]' | head -n 2 | cut -c 1-200 | tr '\n' ' ')"
      mkdir -p "${TMPDIR:-/tmp}/camp-pg-failures" && cp -r "$d" "${TMPDIR:-/tmp}/camp-pg-failures/"
    fi
  done
}

# plan_run DIR DB ENGINE — `camp run` of pc (campaign copied into DIR, its
# extracts in DIR/out) on DB with --engine ENGINE, resumed past every wait
# as tests/plans/run.sh does (a resume may reach another wait); the log in
# DIR/log, the exit status in DIR/rc.
plan_run() {
  mkdir -p "$1/out"
  cp "$(dirname "$1")/campaign.camp" "$1/" || return
  ( camp run "$1/campaign.camp" --campaign pc --db "$2" --now "$now" --engine "$3" &&
    for when in 2026-04-15 2026-05-15 2026-06-15 2026-07-15; do
      [ "$(plan_run_state "$2")" = done ] && break
      camp resume --db "$2" --now "$when" --engine "$3" || exit 1
    done ) > "$1/log" 2>&1
  echo $? > "$1/rc"
}

plan_run_state() {
  case $1 in
    postgresql:*) psql -X -At "$1" -c "SELECT state FROM ${CAMP_PG_SCHEMA:-camp}.camp_runs WHERE campaign = 'pc'" ;;
    *) sqlite3 "$1" "SELECT state FROM camp_runs WHERE campaign = 'pc'" ;;
  esac
}

if want 4; then
  now="2026-03-01 00:00:00"
  mkdir -p "$TMP/plans"
  pg_createdb plans
  pg_createdb plans_auto
  . tests/plans/dump.sh
  if ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$TMP/plan_gen" tests/plans/plan_gen.c 2> "$TMP/cc.err"; then
    for c in tests/plans/cases/*/; do
      [ -d "$c" ] && plan_case "cases/$(basename "$c")"
    done
    i=0
    seed=${PG_PLANS_SEED:-20260301}
    while [ "$i" -lt "${PG_PLANS:-15}" ]; do
      plan_case $((seed + i))
      i=$((i + 1))
    done
    unset CAMP_PG_GROUPED
  else
    t_fail "pg plans: cannot compile tests/plans/plan_gen.c"
    sed -n '1,5s/^/    /p' "$TMP/cc.err"
  fi
fi

# e2e_run DB OUTDIR — tests/runtime's full.camp run in $TMP/e2e against DB,
# resumed twice; every output goes to OUTDIR.
e2e_run() {
  rm -rf "$TMP/e2e/out"
  (
    cd "$TMP/e2e" || exit 1
    camp run full.camp --db "$1" --now '2026-03-01 09:00:00' > "$2/run.txt" 2>&1
    camp resume --db "$1" --now '2026-03-04 10:00:00' > "$2/resume1.txt" 2>&1
    camp resume --db "$1" --now '2026-03-11 10:00:00' > "$2/resume2.txt" 2>&1
    # the space line measures each backend's own files: not comparable
    camp status --db "$1" 2>&1 | sed '/^space: /d' > "$2/status.txt"
    camp status --db "$1" 1 > "$2/status1.txt" 2>&1
    camp outbox --db "$1" --format csv > "$2/outbox.csv" 2>&1
    camp outbox --db "$1" --format text > "$2/outbox.txt" 2>&1
    # keys typed as the schema types them on both (PostgreSQL's column is text)
    camp outbox --db "$1" --format json > "$2/outbox.json" 2>&1
    camp graph full.camp --db "$1" --run 1 > "$2/graph.dot" 2>&1
    cp -R out "$2/extracts" 2> /dev/null
  )
}

if want 4; then
  mkdir -p "$TMP/e2e" "$TMP/e2e.sqlite" "$TMP/e2e.pg"
  cp tests/runtime/*.camp "$TMP/e2e/"
  cp -R tests/runtime/data tests/runtime/templates "$TMP/e2e/"
  sqlite3 -batch "$TMP/e2e/db.sqlite" < tests/runtime/fixture.sql
  pg_createdb e2e
  if ! "$BIN_DIR/pg_load" "$TMP/e2e/full.camp" "$TMP/e2e/db.sqlite" "$(pg_url e2e)" > "$TMP/e2e.load" 2>&1; then
    t_fail "pg e2e: copying the fixture: $(head -n 1 "$TMP/e2e.load")"
  else
    e2e_run db.sqlite "$TMP/e2e.sqlite"
    e2e_run "$(pg_url e2e)" "$TMP/e2e.pg"
    for f in run.txt resume1.txt resume2.txt status.txt status1.txt outbox.csv outbox.txt outbox.json graph.dot \
             extracts/stores.csv extracts/vip.csv extracts/rest.csv extracts/unmatched.csv; do
      if [ ! -s "$TMP/e2e.sqlite/$f" ]; then
        t_fail "pg e2e: SQLite wrote no $f"
      elif cmp -s "$TMP/e2e.sqlite/$f" "$TMP/e2e.pg/$f"; then
        t_pass
      else
        t_fail "pg e2e: $f differs between SQLite and PostgreSQL"
        t_diff "$TMP/e2e.sqlite/$f" "$TMP/e2e.pg/$f"
      fi
    done
    eq "pg e2e: the run is done" "done" "$(pg_psql -d e2e -At -c 'SELECT state FROM camp.camp_runs WHERE id = 1')"
  fi
fi

# camp snapshot on PostgreSQL: read with COPY; the same tables, rows,
# columns and collections as SQLite's snapshot of the same data.  Cached
# across runs in $CAMP_CACHE_DIR (tests/pg/run.sh points it into $TMP):
# the second snapshot reuses every table (the server's content hashes are
# the cached ones); after one row changes on the server only its table is
# read again, and --check finds the result identical to a full build; a
# plan through the jit then sees the change (the same members as SQL).
# With CAMP_CACHE_DIR=off it is built in memory and not saved.
if want 4 && [ -s "$TMP/e2e/db.sqlite" ]; then
  snap_shape() { sed -n 's/^  \([a-z_]*\) *\([0-9]* rows *[0-9]* columns *[0-9]* collections\).*/\1 \2/p' "$1"; }
  E2E_URL=$(pg_url e2e)
  (cd "$TMP/e2e" && camp snapshot --db db.sqlite full.camp > snap.sqlite 2>&1)
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" full.camp > snap.pg 2>&1)
  eq "pg snapshot: built and saved in the cache" 1 \
    "$(grep -c "^snapshot $CAMP_CACHE_DIR/pg-[0-9a-f]*.camp-snapshot/snapshot.bin: built in" "$TMP/e2e/snap.pg")"
  a=$(snap_shape "$TMP/e2e/snap.sqlite" | tr '\n' ';')
  b=$(snap_shape "$TMP/e2e/snap.pg" | tr '\n' ';')
  if [ -n "$a" ] && [ "$a" = "$b" ]; then t_pass; else t_fail "pg snapshot: tables differ: [$a] vs [$b]"; fi
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" full.camp > snap.pg2 2>&1)
  ntab=$(snap_shape "$TMP/e2e/snap.pg" | wc -l)
  eq "pg snapshot: the second one reuses every table" "$ntab 0 rows read" \
    "$(grep -c 'unchanged: reused' "$TMP/e2e/snap.pg2") $(sed -n 's/.*refreshed incrementally in [0-9.]* ms, \([0-9]* rows read\)$/\1/p' "$TMP/e2e/snap.pg2")"
  pg_psql -d e2e -q -c "UPDATE customers SET loyalty = loyalty + 5000 WHERE id = (SELECT min(id) FROM customers)"
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" full.camp --check > snap.pg3 2>&1)
  eq "pg snapshot: only the changed table is read again" "1 customers" \
    "$(grep -c 'read again: its content hash changed' "$TMP/e2e/snap.pg3") $(sed -n 's/^  \([a-z_]*\) .*read again: its content hash changed.*/\1/p' "$TMP/e2e/snap.pg3")"
  eq "pg snapshot: --check after the change" 1 "$(grep -c '^check: identical to a full build' "$TMP/e2e/snap.pg3")"
  printf 'import "schema"\ncampaign rich_now {\n  rich = customers where loyalty >= 5000\n}\n' > "$TMP/e2e/rich.camp"
  for e in sql jit; do
    (cd "$TMP/e2e" && CAMP_PLAN_KEYS=rich.$e camp plan rich.camp --db "$E2E_URL" --now '2026-03-01 09:00:00' \
      --engine $e > /dev/null 2>&1)
  done
  if [ -s "$TMP/e2e/rich.sql" ] && cmp -s "$TMP/e2e/rich.sql" "$TMP/e2e/rich.jit"; then t_pass; else
    t_fail "pg snapshot: after the change the jit's members differ from SQL's: $(cat "$TMP/e2e/rich.sql") / $(cat "$TMP/e2e/rich.jit" 2> /dev/null)"
  fi
  (cd "$TMP/e2e" && CAMP_CACHE_DIR=off camp snapshot --db "$E2E_URL" full.camp > snap.pg4 2>&1)
  eq "pg snapshot: CAMP_CACHE_DIR=off builds in memory" 1 "$(grep -c 'built in memory with COPY, not saved' "$TMP/e2e/snap.pg4")"
  # One cache for every command: a snapshot of fewer tables (rich.camp:
  # customers) keeps the others in the file, so the next full one reads
  # nothing again (it used to COPY stores again).
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" full.camp > /dev/null 2>&1 &&
    camp snapshot --db "$E2E_URL" rich.camp > snap.pg5 2>&1 && camp snapshot --db "$E2E_URL" full.camp --check > snap.pg6 2>&1)
  # (stores at least; the in-memory plan of rich.camp above cached the
  # program's other tables too)
  eq "pg snapshot: a command reading fewer tables keeps the others" 1 \
    "$(grep -c '^  ([1-9][0-9]* other tables\{0,1\} of the cache kept, not asked for here)$' "$TMP/e2e/snap.pg5")"
  eq "pg snapshot: ... so the next one reuses every table, identical to a full build" "$ntab 0 rows read 1" \
    "$(grep -c 'unchanged: reused' "$TMP/e2e/snap.pg6") $(sed -n 's/.*refreshed incrementally in [0-9.]* ms, \([0-9]* rows read\)$/\1/p' "$TMP/e2e/snap.pg6") $(grep -c '^check: identical to a full build' "$TMP/e2e/snap.pg6")"
  # Within one command a table is proven fresh once: a step-by-step plan
  # (the reconcile keeps it off the in-memory plan) opens the snapshot for
  # step a (customers), then again for step b (customers and purchases);
  # the second open does not ask the server to hash customers again.
  cat > "$TMP/e2e/grow.camp" << 'CAMP'
import "schema"
campaign grow {
  a = customers where loyalty >= 0
  b = a where sum(purchases.amount) > 0
  matched, unmatched = reconcile "data/ret.csv" columns (email text, amount decimal) to customers on email = email
}
CAMP
  for e in sql interp; do
    (cd "$TMP/e2e" && CAMP_PLAN_KEYS=grow.$e camp plan grow.camp --db "$E2E_URL" --now '2026-03-01 09:00:00' \
      --engine $e --explain > /dev/null 2> grow.$e.err)
  done
  eq "pg snapshot: a growing plan opens twice, hashes customers and purchases once each" \
    "opened 2 times; tables hashed on the server 2, proven earlier by this command 1" \
    "$(sed -n 's/^explain: snapshot cache (PostgreSQL): \(.*\), reused.*/\1/p' "$TMP/e2e/grow.interp.err")"
  if [ -s "$TMP/e2e/grow.sql" ] && cmp -s "$TMP/e2e/grow.sql" "$TMP/e2e/grow.interp"; then t_pass; else
    t_fail "pg snapshot: the growing plan's members differ from SQL's"
  fi
  # A table dropped from the database is not kept in the cache any more.
  pg_psql -d e2e -q -c "CREATE TABLE scratch(id bigint PRIMARY KEY, v bigint); INSERT INTO scratch VALUES (1, 2)"
  printf 'schema scratch { id int key; v int }\ncampaign s { a = scratch where v > 1 }\n' > "$TMP/e2e/scratch.camp"
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" scratch.camp > /dev/null 2>&1 &&
    camp snapshot --db "$E2E_URL" rich.camp > snap.pg7 2>&1)
  pg_psql -d e2e -q -c "DROP TABLE scratch"
  (cd "$TMP/e2e" && camp snapshot --db "$E2E_URL" rich.camp > snap.pg8 2>&1)
  k7=$(sed -n 's/^  (\([0-9]*\) other tables\{0,1\} of the cache kept.*/\1/p' "$TMP/e2e/snap.pg7")
  k8=$(sed -n 's/^  (\([0-9]*\) other tables\{0,1\} of the cache kept.*/\1/p' "$TMP/e2e/snap.pg8")
  eq "pg snapshot: a dropped table is no longer kept in the cache" "$k7" "$((${k8:-0} + 1))"
fi

# d. decimals written as text and collected rows as JSON: an integral
#    decimal that SQLite's NUMERIC column holds as an integer is still a
#    REAL (33.0) in placeholders, extracts, string_agg and {{#rows}}; the
#    JSON of `first N` rows is SQLite's compact text on both backends.
#    Expected values written by hand (found by the run differential above:
#    SQLite wrote 33, PostgreSQL 33.0; PostgreSQL's JSON had spaces).
if want 4; then
  D=$TMP/fmt
  mkdir -p "$D/sqlite/out" "$D/pg/out"
  cat > "$D/fmt.camp" <<'CAMP'
schema customers {
  id int key
  email text address(email)
  rating decimal
}
schema purchases {
  id int key
  customer_id int -> customers
  amount decimal
  note text
}
campaign fmt {
  all = customers where true
  e = enrich all {
    last2 = first 2 purchases order by amount
    amts = string_agg(purchases.amount, "/")
  }
  m = email e { subject "R {{rating}} {{amts}}"; body "{{#last2}}[{{amount}} {{id}}]{{/last2}}" }
  mail e { extract "out/fmt.csv" columns (rating, amts) }
}
CAMP
  cat > "$D/fixture.sql" <<'SQL'
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, rating NUMERIC);
CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, amount NUMERIC, note TEXT);
INSERT INTO customers VALUES (1, 'a@x.com', 33), (2, 'b@x.com', 2.5);
INSERT INTO purchases VALUES (10, 1, 20, 'n"1'), (11, 1, 1.25, 'b'), (12, 2, 7, NULL);
SQL
  sqlite3 -bail "$D/sqlite/db.sqlite" < "$D/fixture.sql"
  pg_createdb fmt
  FMT_URL=$(pg_url fmt)
  "$BIN_DIR/pg_load" "$D/fmt.camp" "$D/sqlite/db.sqlite" "$FMT_URL" > "$D/load.err" 2>&1 ||
    t_fail "pg fmt: copying to PostgreSQL: $(head -n 1 "$D/load.err")"
  for b in sqlite pg; do
    db=$D/sqlite/db.sqlite
    [ $b = pg ] && db=$FMT_URL
    cp "$D/fmt.camp" "$D/$b/"
    camp run "$D/$b/fmt.camp" --db "$db" --now "2026-03-01 00:00:00" > "$D/$b/run.out" 2>&1 ||
      t_fail "pg fmt ($b): camp run: $(tail -n 1 "$D/$b/run.out")"
    # (a body ends with a newline)
    q="SELECT recipient_key || '|' || subject || '|' || body FROM camp_outbox ORDER BY recipient_key"
    j="SELECT last2 FROM camp_r1_e ORDER BY _key"
    if [ $b = sqlite ]; then
      sqlite3 "$db" "$q" > "$D/$b/outbox"
      sqlite3 "$db" "$j" > "$D/$b/json"
    else
      psql -X -q -At "$db" -c "SET search_path = camp" -c "$q" > "$D/$b/outbox"
      psql -X -q -At "$db" -c "SET search_path = camp" -c "$j" > "$D/$b/json"
    fi
    eq "pg fmt ($b): placeholders and {{#rows}}" "1|R 33.0 1.25/20.0|[1.25 11][20.0 10];;2|R 2.5 7.0|[7.0 12];;" \
      "$(tr '\n' ';' < "$D/$b/outbox")"
    eq "pg fmt ($b): extract" "rating,amts;33.0,1.25/20.0;2.5,7.0;" "$(tr '\n' ';' < "$D/$b/out/fmt.csv" 2> /dev/null)"
    eq "pg fmt ($b): first N rows as JSON" \
      '[{"id":11,"customer_id":1,"amount":1.25,"note":"b"},{"id":10,"customer_id":1,"amount":20.0,"note":"n\"1"}];[{"id":12,"customer_id":2,"amount":7.0,"note":null}];' \
      "$(tr '\n' ';' < "$D/$b/json")"
  done
fi
