# section 5 of tests/pg/run.sh (sourced): failures are clear and safe.
#   - a database that does not exist, a server that is not there: exit 1
#     and a message naming the problem;
#   - a password in the URL never appears in what camp prints;
#   - a column whose PostgreSQL type cannot hold the camp type is reported
#     like a missing column, and nothing runs;
#   - camp's schema is created and migrated once, and a second run finds it.

if want 5; then
  f=$TMP/err.camp
  cat > "$f" << 'CAMP'
schema people { id int key; active bool; born date; email text address(email) }
campaign c { a = people where active and born < 2000-01-01
             email a { subject "hi"; body "hello" } }
CAMP
  camp plan "$f" --db "postgresql://postgres@/no_such_db?host=$PGHOST&port=$PGPORT" > "$TMP/out" 2>&1
  rc=$?
  eq "pg errors: missing database exits 1" 1 "$rc"
  grep -q 'no_such_db' "$TMP/out" && t_pass || { t_fail "pg errors: the message names the database"; cat "$TMP/out"; }
  camp plan "$f" --db "postgresql://alice:s3cr3tpw@/x?host=$TMP/nowhere&port=1" > "$TMP/out" 2>&1
  rc=$?
  eq "pg errors: no server exits 1" 1 "$rc"
  grep -q 'cannot connect' "$TMP/out" && t_pass || { t_fail "pg errors: says it cannot connect"; cat "$TMP/out"; }
  if grep -q 's3cr3tpw' "$TMP/out"; then t_fail "pg errors: the password appears in the output"; else t_pass; fi
  PGPASSWORD=s3cr3tpw camp status --db "postgresql:///x?host=$TMP/nowhere&port=1" > "$TMP/out" 2>&1
  if grep -q 's3cr3tpw' "$TMP/out"; then t_fail "pg errors: PGPASSWORD appears in the output"; else t_pass; fi

  pg_createdb errs
  url=$(pg_url errs)
  pg_psql -d errs -c "CREATE TABLE people(id bigint PRIMARY KEY, active integer, born text, email text)"
  camp plan "$f" --db "$url" > "$TMP/out" 2>&1
  rc=$?
  eq "pg errors: wrong column types exit 1" 1 "$rc"
  grep -q 'active` is integer in the database but bool' "$TMP/out" && t_pass ||
    { t_fail "pg errors: integer column for a bool is reported"; cat "$TMP/out"; }
  grep -q 'born` is text in the database but date' "$TMP/out" && t_pass ||
    { t_fail "pg errors: text column for a date is reported"; cat "$TMP/out"; }
  eq "pg errors: nothing was created for camp's runs" 0 \
    "$(pg_psql -d errs -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'camp'")"

  pg_psql -d errs -c "DROP TABLE people" \
    -c "CREATE TABLE people(id bigint PRIMARY KEY, active boolean, born date, email text)" \
    -c "INSERT INTO people VALUES (1, true, '1990-01-01', 'a@x'), (2, false, '1980-01-01', 'b@x'), (3, true, '2001-01-01', 'c@x')"
  camp run "$f" --db "$url" --now '2026-03-01 00:00:00' > "$TMP/out" 2>&1
  eq "pg store: a run on PostgreSQL" 0 "$?"
  eq "pg store: store version recorded (STORE_VERSION)" "$(sed -n 's/^#define STORE_VERSION //p' runtime/db/store.h)" \
    "$(pg_psql -d errs -At -c "SELECT value FROM camp.camp_meta WHERE key = 'schema_version'")"
  camp run "$f" --db "$url" --now '2026-03-02 00:00:00' --new-run > "$TMP/out" 2>&1
  eq "pg store: a second run on the migrated store" 0 "$?"
  eq "pg store: two runs, one message each" "1:1 2:1" \
    "$(pg_psql -d errs -At -c "SELECT run_id || ':' || count(*) FROM camp.camp_outbox GROUP BY run_id ORDER BY run_id" | tr '\n' ' ' | sed 's/ $//')"
  eq "pg store: step tables live in camp's schema" 2 \
    "$(pg_psql -d errs -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'camp' AND tablename LIKE 'camp_r1_%'")"
  CAMP_PG_SCHEMA=other camp run "$f" --db "$url" --now '2026-03-02 00:00:00' > "$TMP/out" 2>&1
  eq "pg store: CAMP_PG_SCHEMA=other keeps its own runs" "1" \
    "$(pg_psql -d errs -At -c "SELECT count(*) FROM other.camp_runs")"
  CAMP_PG_SCHEMA='x"; DROP' camp status --db "$url" > "$TMP/out" 2>&1
  eq "pg store: an unsafe CAMP_PG_SCHEMA is refused" 1 "$?"
fi

# feedback import (tests/track's newsletter): the same events file on
# both backends gives the same feedback rows, suppressions and summary.
if want 5; then
  W=$TMP/fb
  mkdir -p "$W"
  cp tests/track/*.camp "$W/" && cp -R tests/track/templates "$W/"
  sqlite3 -batch "$W/db.sqlite" < tests/track/fixture.sql
  pg_createdb fb
  url=$(pg_url fb)
  cat > "$W/events.csv" << 'CSV'
event,type,outbox_id,at,reason
delivered,,1,2026-03-01 08:00:00,
bounced,hard,2,2026-03-01T08:01:02Z,550 5.1.1 user unknown
bounced,soft,3,2026-03-01 08:02,452 mailbox full
complaint,,4,1772352000,
delivered,,5,2026-03-01 08:05:00.250+00:00,
CSV
  if "${TEST_BIN_DIR:-build/tests}/pg_load" "$W/news.camp" "$W/db.sqlite" "$url" > "$W/load" 2>&1; then
    for b in sqlite pg; do
      db=db.sqlite
      [ $b = pg ] && db=$url
      (cd "$W" && camp run news.camp --db "$db" --now 2026-03-01 > /dev/null 2>&1 &&
        camp feedback import events.csv --db "$db" > "fb.$b" 2>&1 &&
        camp feedback import events.csv --db "$db" >> "fb.$b" 2>&1 &&
        camp outbox --db "$db" --format csv > "outbox.$b" 2>&1)
    done
    for f in fb outbox; do
      if cmp -s "$W/$f.sqlite" "$W/$f.pg" && [ -s "$W/$f.sqlite" ]; then t_pass; else
        t_fail "pg feedback import: $f differs"
        t_diff "$W/$f.sqlite" "$W/$f.pg"
      fi
    done
    a=$(sqlite3 "$W/db.sqlite" "SELECT outbox_id || '|' || event || '|' || at || '|' || coalesce(detail, '') FROM camp_feedback ORDER BY outbox_id, id" | tr '\n' ';')
    b=$(pg_psql -d fb -At -c "SELECT outbox_id || '|' || event || '|' || at || '|' || coalesce(detail, '') FROM camp.camp_feedback ORDER BY outbox_id, id" | tr '\n' ';')
    eq "pg feedback import: camp_feedback rows" "$a" "$b"
    a=$(sqlite3 "$W/db.sqlite" "SELECT channel || '|' || address || '|' || reason FROM camp_suppression ORDER BY address" | tr '\n' ';')
    b=$(pg_psql -d fb -At -c "SELECT channel || '|' || address || '|' || reason FROM camp.camp_suppression ORDER BY address" | tr '\n' ';')
    eq "pg feedback import: suppressions" "$a" "$b"
  else
    t_fail "pg feedback import: copying the fixture: $(head -n 1 "$W/load")"
  fi
fi

# camp schema --from-db on PostgreSQL: keys, links and unique columns from
# the catalog; partitions are not tables of their own.
if want 5; then
  pg_createdb imp
  pg_psql -d imp -c "CREATE TABLE stores(id bigint PRIMARY KEY, city varchar(40));
    CREATE TABLE customers(id integer PRIMARY KEY, email text UNIQUE, store_id bigint REFERENCES stores,
      score numeric(8,2), ok boolean, born date, seen timestamptz);
    CREATE TABLE events(id bigint, at timestamp) PARTITION BY RANGE (at);
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');" > /dev/null
  camp schema --from-db "$(pg_url imp)" > "$TMP/imp.camp" 2> "$TMP/imp.err"
  eq "pg schema import: exit 0" 0 "$?"
  for want_line in "schema customers {" "id int key" "email text unique" "store_id int -> stores" \
                   "score decimal" "ok bool" "born date" "seen timestamp" "city text" "schema events {"; do
    if grep -qF "$want_line" "$TMP/imp.camp"; then t_pass; else t_fail "pg schema import: no \`$want_line\`"; fi
  done
  if grep -q 'events_2026' "$TMP/imp.camp"; then t_fail "pg schema import: a partition listed as a table"; else t_pass; fi
  camp check "$TMP/imp.camp" > /dev/null 2>&1
  eq "pg schema import: the schemas check" 0 "$?"
fi
