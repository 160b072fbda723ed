# section 2 of tests/pg/run.sh (sourced): PostgreSQL SQL goldens.
#
# For each tests/sql/**/X.camp: `camp sql --dialect postgres X.camp` must equal
# X.camp.pg.sql (BLESS=1 rewrites it), and that script must run in the real
# server with `psql -v ON_ERROR_STOP=1` over an empty database holding
#   - one table per `schema` of X.camp, columns typed as a PostgreSQL user
#     would type them (int bigint, decimal numeric, bool boolean, date date,
#     timestamp timestamp, text and enums text),
#   - camp's runtime tables the script reads, as runtime/db/store.c creates
#     them on PostgreSQL (camp_outbox, camp_feedback, camp_audience),
#   - one camp_import_<step> table per reconcile step (`_line` plus every
#     i."column" the script reads, typed from the step's `columns (...)`),
# and every user table must still exist afterwards.

# pg_schema_ddl FILE — CREATE TABLE statements for the schemas of FILE.
pg_schema_ddl() {
  "$CAMP" fmt --output - "$1" | awk '
    function unq(s) { gsub(/`/, "", s); return s }
    function pgtype(t) {
      if (t == "int") return "bigint"
      if (t == "decimal") return "numeric"
      if (t == "bool") return "boolean"
      if (t == "date") return "date"
      if (t == "timestamp") return "timestamp"
      return "text"
    }
    /^schema / { name = unq($2); cols = ""; inside = 1; next }
    inside && /^}/ { printf "CREATE TABLE \"%s\"(%s);\n", name, cols; inside = 0; next }
    inside && NF > 0 && $1 !~ /^\/\// {
      c = unq($1); cols = cols (cols == "" ? "" : ", ") "\"" c "\" " pgtype($2)
    }'
}

# pg_import_ddl CAMPFILE SQLFILE — camp_import_<step>(_line, columns read);
# a column declared in some `columns (name type, ...)` of the file gets that
# type, others text.
pg_import_ddl() {
  decls=$(tr '\n' ' ' < "$1" | grep -o 'columns *([^)]*)' | sed 's/columns *(//; s/)//' | tr ',' '\n')
  printf '%s\n' "$decls" | awk 'NF >= 2 { print $1, $2 }' > "$TMP/import_types"
  awk -v types="$TMP/import_types" '
    BEGIN {
      while ((getline line < types) > 0) {
        split(line, f, " ")
        t = f[2]
        ty[f[1]] = t == "int" ? "bigint" : t == "decimal" ? "numeric" : t == "bool" ? "boolean" : \
                   t == "date" ? "date" : t == "timestamp" ? "timestamp" : "text"
      }
    }
    function flush(   c, cols) {
      if (tbl == "") return
      cols = "\"_line\" bigint"
      for (c in seen) if (c != "_line") cols = cols ", \"" c "\" " (c in ty ? ty[c] : "text")
      printf "CREATE TABLE \"%s\"(%s);\n", tbl, cols
      tbl = ""; split("", seen)
    }
    /^-- step / { flush() }
    {
      line = $0
      if (tbl == "" && match(line, /"camp_import_[A-Za-z0-9_]+"/))
        tbl = substr(line, RSTART + 1, RLENGTH - 2)
      while (match(line, /i\."[A-Za-z0-9_]+"/)) {
        seen[substr(line, RSTART + 3, RLENGTH - 4)] = 1
        line = substr(line, RSTART + RLENGTH)
      }
    }
    END { flush() }' "$2"
}

# camp's runtime tables as the PostgreSQL store creates them (store.c).
PG_RUNTIME_DDL='CREATE TABLE camp_outbox(id bigserial PRIMARY KEY, run_id bigint, step text, recipient_key text, channel text, address text, subject text, body text, status text, queued_at text, sent_at text);
CREATE TABLE camp_feedback(id bigserial PRIMARY KEY, outbox_id bigint, event text, at text);
CREATE TABLE camp_audience(name text, dimension text, key text, run_id bigint, saved_at text);'

pg_sql_one() {
  f=$1
  camp sql --dialect postgres --now '2026-03-01 12:00:00' "$f" > "$TMP/pg.sql" 2> "$TMP/err"
  rc=$?
  if [ "$rc" != 0 ]; then
    t_fail "pg sql $f: exit $rc"
    sed -n '1,10s/^/    /p' "$TMP/err"
    return
  fi
  t_golden "pg sql $f" "$f.pg.sql" "$TMP/pg.sql" || return
  t_pass
  pg_createdb sqlgold
  pg_schema_ddl "$f" > "$TMP/schema.sql"
  {
    cat "$TMP/schema.sql"
    echo "$PG_RUNTIME_DDL"
    pg_import_ddl "$f" "$TMP/pg.sql"
  } > "$TMP/ddl.sql"
  if ! pg_psql -d sqlgold -f "$TMP/ddl.sql" > "$TMP/out" 2>&1; then
    t_fail "pg sql $f: cannot create the fixture tables"
    sed -n '1,10s/^/    /p' "$TMP/out"
    return
  fi
  want=$(($(grep -c '^CREATE TABLE' "$TMP/ddl.sql")))
  if ! psql -X -q -v ON_ERROR_STOP=1 -d sqlgold -f "$TMP/pg.sql" > "$TMP/out" 2> "$TMP/err"; then
    t_fail "pg sql $f: psql -v ON_ERROR_STOP=1 rejects the script"
    sed -n '1,12s/^/    /p' "$TMP/err"
    return
  fi
  got=$(pg_psql -d sqlgold -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if [ -s "$TMP/err" ] || [ "$got" != "$want" ]; then
    t_fail "pg sql $f: $got of $want tables left after the script, or stderr output:"
    sed -n '1,10s/^/    /p' "$TMP/err"
    return
  fi
  t_pass
}

if want 2; then
  find tests/sql -name '*.camp' -type f | LC_ALL=C sort > "$TMP/sql.list"
  while IFS= read -r f; do pg_sql_one "$f"; done < "$TMP/sql.list"
fi
