# section 3 of tests/pg/run.sh (sourced): one semantic, two dialects.
#
# a. tests/pg/data/semantics.camp (rules that hit every known difference
#    between SQLite and PostgreSQL) is compiled for both dialects; the SQLite
#    script runs in sqlite3 over semantics.sql, the PostgreSQL one in psql
#    over the same rows in a database with an ICU en-US collation (where
#    'B' < 'a' is false and lower('Ä') is 'ä', unlike SQLite).  Every step
#    table must hold the same keys.  The expectation is SQLite's answer,
#    so a few steps are also pinned to hand-computed keys below, proving
#    the comparison is not vacuous.
# b. camp_hash: PostgreSQL's functions against camp's C implementation
#    (db_hash_values, via tests/pg/hash_ref.c) on integers, extremes, text
#    (empty, UTF-8), reals (-0.0) and NULL — bit for bit.

# semantics_ddl KIND FILE — CREATE TABLEs for the schemas of FILE, typed
# for sqlite (camp's documented storage) or postgres.
semantics_ddl() {
  "$CAMP" fmt --output - "$2" | awk -v kind="$1" '
    function unq(s) { gsub(/`/, "", s); return s }
    function ty(t) {
      if (kind == "sqlite")
        return t == "int" || t == "bool" ? "INTEGER" : t == "decimal" ? "REAL" : "TEXT"
      return t == "int" ? "bigint" : t == "decimal" ? "numeric" : t == "bool" ? "boolean" : \
             t == "date" ? "date" : t == "timestamp" ? "timestamp" : "text"
    }
    /^schema / { name = unq($2); cols = ""; inside = 1; next }
    inside && /^}/ { printf "CREATE TABLE \"%s\"(%s);\n", name, cols; inside = 0; next }
    inside && NF > 0 && $1 !~ /^\/\// {
      c = unq($1); cols = cols (cols == "" ? "" : ", ") "\"" c "\" " ty($2)
    }'
}

# step_tables SQLFILE — names of the step tables a script creates.
step_tables() { sed -n 's/^CREATE TEMP TABLE "\(s_[^"]*\)" AS$/\1/p' "$1"; }

if want 3; then
  f=tests/pg/data/semantics.camp
  now='2026-03-01 12:00:00'
  camp sql --now "$now" "$f" > "$TMP/sem.sqlite.sql" 2> /dev/null
  camp sql --dialect postgres --now "$now" "$f" > "$TMP/sem.pg.sql" 2> /dev/null
  # SQLite: the script plus one `SELECT 'table', key` per step table
  {
    semantics_ddl sqlite "$f"
    cat tests/pg/data/semantics.sql "$TMP/sem.sqlite.sql"
    step_tables "$TMP/sem.sqlite.sql" | while read -r t; do
      echo "SELECT '$t', \"_key\" FROM \"$t\" ORDER BY 2;"
    done
  } > "$TMP/sem.sqlite.run"
  sqlite3 -bail -separator ' ' :memory: < "$TMP/sem.sqlite.run" > "$TMP/sem.sqlite.out" 2> "$TMP/err" ||
    { t_fail "semantics: the SQLite script fails"; sed -n '1,5s/^/    /p' "$TMP/err"; }
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS semantics" \
    -c "CREATE DATABASE semantics TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" > /dev/null
  {
    semantics_ddl postgres "$f"
    cat tests/pg/data/semantics.sql "$TMP/sem.pg.sql"
    step_tables "$TMP/sem.pg.sql" | while read -r t; do
      echo "SELECT '$t', \"_key\" FROM \"$t\" ORDER BY 2;"
    done
  } > "$TMP/sem.pg.run"
  psql -X -q -v ON_ERROR_STOP=1 -At -F ' ' -d semantics -f "$TMP/sem.pg.run" > "$TMP/sem.pg.out" 2> "$TMP/err" ||
    { t_fail "semantics: the PostgreSQL script fails"; sed -n '1,5s/^/    /p' "$TMP/err"; }
  # per step: the same keys
  for t in $(step_tables "$TMP/sem.sqlite.sql"); do
    a=$(awk -v t="$t" '$1 == t { printf "%s ", $2 }' "$TMP/sem.sqlite.out")
    b=$(awk -v t="$t" '$1 == t { printf "%s ", $2 }' "$TMP/sem.pg.out")
    if [ "$a" = "$b" ]; then t_pass; else
      t_fail "semantics: step $t: SQLite [$(echo "$a" | cut -c1-80)], PostgreSQL [$(echo "$b" | cut -c1-80)]"
    fi
  done
  # hand-computed answers (SQLite's semantics, worked out from semantics.sql)
  keys() { awk -v t="$1" '$1 == t { printf "%s ", $2 }' "$TMP/sem.pg.out"; }
  eq "semantics: 0.1 + 0.2 > 0.3 in doubles" "1 " "$(keys s_float_sum)"
  eq "semantics: like is ASCII case-insensitive" "1 2 " "$(keys s_like_ascii)"
  eq "semantics: like leaves non-ASCII case alone" "4 " "$(keys s_like_uni)"
  eq "semantics: like has no escape character" "6 " "$(keys s_like_bs)"
  eq "semantics: lower() is ASCII-only" "4 " "$(keys s_lower_uni)"
  eq "semantics: text order is bytewise" "2 7 " "$(keys s_text_lt)"
  eq "semantics: round half away from zero" "1 2 " "$(keys s_round_half)"
  eq "semantics: x / 0 is NULL" "1 2 3 4 5 6 7 8 9 10 " "$(keys s_div_zero)"
  eq "semantics: scalar min() is NULL with a NULL" "1 8 9 " "$(keys s_min_null)"
  eq "semantics: 5% of 9,040 rows is 452" 452 "$(keys s_five | wc -w)"
  eq "semantics: 33.3% of 9,040 rows is 3010" 3010 "$(keys s_third | wc -w)"
  eq "semantics: NULLs last in an ascending top-N" "4 6 7 " "$(keys s_t3)"
fi

if want 3; then
  if ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I . -o "$TMP/hash_ref" tests/pg/hash_ref.c \
      runtime/db/db_sqlite.c runtime/db/db_info.c compiler/check/timezone.c -lsqlite3 -lical 2> "$TMP/cc.err"; then
    "$TMP/hash_ref" > "$TMP/hash.cases"
    # each line: seed|salt|kind|value|hash  ->  the PostgreSQL call
    awk -F'|' '{
      v = $4
      if ($3 == "int") arg = "(" v ")::bigint"
      else if ($3 == "real") arg = "(" v ")::float8"
      else if ($3 == "null") arg = "NULL::bigint"
      else { gsub(/\047/, "\047\047", v); arg = "\047" v "\047::text" }
      gsub(/\047/, "\047\047", $2)
      printf "SELECT camp_hash(%s, \047%s\047, %s);\n", $1, $2, arg
    }' "$TMP/hash.cases" > "$TMP/hash.sql"
    camp sql --dialect postgres tests/pg/data/semantics.camp 2> /dev/null |
      sed -n '/^-- camp/,/^DO /p' > "$TMP/setup.sql"
    cat "$TMP/setup.sql" "$TMP/hash.sql" | psql -X -q -v ON_ERROR_STOP=1 -At -d postgres > "$TMP/hash.pg" 2> "$TMP/err"
    cut -d'|' -f5 "$TMP/hash.cases" > "$TMP/hash.c"
    n=$(wc -l < "$TMP/hash.c")
    if [ "$n" -ge 50 ] && cmp -s "$TMP/hash.c" "$TMP/hash.pg"; then
      t_pass
    else
      t_fail "camp_hash: PostgreSQL differs from db_hash_values ($n cases)"
      paste -d' ' "$TMP/hash.c" "$TMP/hash.pg" | head -5 | sed 's/^/    /'
      sed -n '1,5s/^/    /p' "$TMP/err"
    fi
  else
    t_fail "camp_hash: cannot compile tests/pg/hash_ref.c"
    sed -n '1,10s/^/    /p' "$TMP/cc.err"
  fi
fi

# to_timezone needs camp's own SQLite function (not in the sqlite3 CLI):
# compared through `camp plan` on both backends instead.
if want 3; then
  cat > "$TMP/tz.camp" << 'CAMP'
schema people { id int key; seen timestamp; tz text }
campaign tz {
  sthlm = people where hour(to_timezone(seen, "Europe/Stockholm")) = 10
  own = people where day(to_timezone(seen, tz)) = 2
  unknown = people where to_timezone(seen, tz) is null
}
CAMP
  rm -f "$TMP/tz.sqlite"
  sqlite3 "$TMP/tz.sqlite" "CREATE TABLE people(id INTEGER PRIMARY KEY, seen TEXT, tz TEXT);
    INSERT INTO people VALUES (1, '2026-03-01 09:30:00', 'Asia/Tokyo'), (2, '2026-07-01 08:00:00', 'America/New_York'),
      (3, '2026-03-01 23:30:00', 'Europe/Helsinki'), (4, '2026-03-01 10:00:00', 'Nowhere/Atlantis'), (5, NULL, 'UTC');"
  pg_createdb tz
  pg_psql -d tz -c "CREATE TABLE people(id bigint PRIMARY KEY, seen timestamp, tz text);
    INSERT INTO people VALUES (1, '2026-03-01 09:30:00', 'Asia/Tokyo'), (2, '2026-07-01 08:00:00', 'America/New_York'),
      (3, '2026-03-01 23:30:00', 'Europe/Helsinki'), (4, '2026-03-01 10:00:00', 'Nowhere/Atlantis'), (5, NULL, 'UTC');" > /dev/null
  CAMP_PLAN_KEYS=$TMP/tz.keys.sqlite camp plan "$TMP/tz.camp" --db "$TMP/tz.sqlite" --now '2026-03-01 00:00:00' > /dev/null 2>&1
  CAMP_PLAN_KEYS=$TMP/tz.keys.pg camp plan "$TMP/tz.camp" --db "$(pg_url tz)" --now '2026-03-01 00:00:00' > /dev/null 2>&1
  # 09:30 UTC is 10:30 in Stockholm (CET), 08:00 UTC 10:00 (CEST), 10:00 UTC 11:00; the
  # 23:30 UTC of 1 March is 2 March in Helsinki; an unknown zone is NULL.
  eq "to_timezone: SQLite's members" "sthlm: 1 2|own: 3|unknown: 4 5" "$(tr '\n' '|' < "$TMP/tz.keys.sqlite" | sed 's/|$//')"
  eq "to_timezone: PostgreSQL gives SQLite's members" "$(cat "$TMP/tz.keys.sqlite")" "$(cat "$TMP/tz.keys.pg")"
fi
