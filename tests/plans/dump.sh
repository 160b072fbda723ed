# dump.sh — what a run of the campaign `pc` left behind, as canonical text
# (sourced by tests/plans/run.sh and tests/pg/section_4_exec.sh).  POSIX sh.
#
#   run_dump DIR [URL [loose]]
#
# Prints, sorted, one line per row: the run's state (camp_runs of `pc`),
# every step's kind, state and due time (camp_steps), camp_counts, the
# outbox (step, recipient, channel, address, subject, body, status, queued
# time: not the id), saved audiences, warnings and every step result table
# camp_r*; then each extraction file DIR/out/* whole.  Without URL the run
# is in DIR/db.sqlite; with one it is in that PostgreSQL database (camp's
# schema: $CAMP_PG_SCHEMA, default camp).  Run ids are part of the table
# names, so compared runs must have made the same runs before (saver first).
#
# One line is a label (`run`, `step`, ... or the result table's name) and
# the row's values, separated by tabs.  A value is NULL, an integer as
# written, ~NUMBER for a floating or decimal value, or 'TEXT' with
# backslash, newline, carriage return and tab written \\ \n \r \t (so a
# row is one line).  PostgreSQL booleans are 1 and 0 and other types their
# text form, as SQLite holds them.
#
# `loose` (for comparing SQLite with PostgreSQL) compares numbers as
# values: every ~NUMBER is printed again as the double it denotes (an
# integral one as an integer), so SQLite's REAL 3.0 and 0.1 and
# PostgreSQL's numeric 3.00 and double 0.1 read alike; and recipient keys
# (camp_outbox.recipient_key, camp_audience.key) are rendered as text:
# PostgreSQL stores them as text, SQLite as whatever the key was.  Without
# it (SQLite against SQLite) ~NUMBER is SQLite's printf('%!.17g'), exact
# and distinct from an integer, and keys keep their SQLite type.
run_dump() {
  rd_dir=$1 rd_url=${2:-} rd_loose=${3:-}
  rd_fixed="'camp_runs', 'camp_steps', 'camp_counts', 'camp_outbox', 'camp_audience', 'camp_warnings'"
  if [ -z "$rd_url" ]; then
    sqlite3 -batch -bail -separator '	' "$rd_dir/db.sqlite" \
      "SELECT m.name, p.name, '' FROM sqlite_master m, pragma_table_info(m.name) p
        WHERE m.type = 'table' AND (m.name IN ($rd_fixed) OR m.name GLOB 'camp_r[0-9]*')
        ORDER BY m.name, p.cid" > "$rd_dir/dump.cols" || return 1
    awk -f tests/plans/dump_sql.awk -v be=sqlite -v loose="$rd_loose" "$rd_dir/dump.cols" > "$rd_dir/dump.sql" &&
      sqlite3 -batch -bail "$rd_dir/db.sqlite" < "$rd_dir/dump.sql" > "$rd_dir/rows" || return 1
  else
    rd_schema=${CAMP_PG_SCHEMA:-camp}
    psql -X -q -At -v ON_ERROR_STOP=1 -F '	' "$rd_url" -c \
      "SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = '$rd_schema' AND (table_name IN ($rd_fixed) OR table_name ~ '^camp_r[0-9]')
        ORDER BY table_name, ordinal_position" > "$rd_dir/dump.cols" || return 1
    { echo "SET search_path = \"$rd_schema\";"
      awk -f tests/plans/dump_sql.awk -v be=pg -v loose="$rd_loose" "$rd_dir/dump.cols"; } > "$rd_dir/dump.sql" &&
      psql -X -q -At -v ON_ERROR_STOP=1 "$rd_url" -f "$rd_dir/dump.sql" > "$rd_dir/rows" || return 1
  fi
  # numbers as values (loose), else as written
  awk -F '	' -v OFS='	' -v loose="$rd_loose" '
    loose == "loose" {
      for (i = 2; i <= NF; i++)
        if ($i ~ /^~/) {
          x = substr($i, 2) + 0
          if (x == 0) $i = "0"
          else if (x == int(x) && x < 1e15 && x > -1e15) $i = sprintf("%.0f", x)
          else $i = sprintf("%.17g", x)
        }
    }
    { print }' "$rd_dir/rows" | LC_ALL=C sort
  for f in "$rd_dir"/out/*; do
    [ -f "$f" ] || continue
    echo "file ${f##*/}"
    cat "$f"
  done
}
