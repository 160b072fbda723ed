# dump_sql.awk — writes the SELECTs of run_dump (tests/plans/dump.sh).
# Input: `table<TAB>column<TAB>type` per column (type: PostgreSQL's
# information_schema data_type, empty on SQLite); -v be=sqlite|pg, and
# -v loose=loose to render recipient keys as text.
# Output: one SELECT per table giving one text line per row in dump.sh's
# canonical form; camp's own tables give the columns below (not ids, not
# times of day that differ between runs), result tables camp_r* all.
BEGIN {
  FS = "\t"
  fixed["camp_runs"] = "run|campaign state| WHERE campaign = 'pc'"
  fixed["camp_steps"] = "step|step kind state due_at|"
  fixed["camp_counts"] = "count|step output count|"
  fixed["camp_outbox"] = "outbox|step recipient_key channel address subject body status queued_at|"
  fixed["camp_audience"] = "audience|name dimension key|"
  fixed["camp_warnings"] = "warning|step message count|"
  astext["camp_outbox.recipient_key"] = 1
  astext["camp_audience.key"] = 1
  tab = be == "pg" ? "chr(9)" : "char(9)"
  nl = be == "pg" ? "chr(10)" : "char(10)"
  cr = be == "pg" ? "chr(13)" : "char(13)"
}

function esc(x) {
  return "replace(replace(replace(replace(" x ", '\\', '\\\\'), " nl ", '\\n'), " cr ", '\\r'), " tab ", '\\t')"
}

function quoted(x) {
  return "COALESCE('''' || " esc(x) " || '''', 'NULL')"
}

function render(t, c, q, ty) {
  q = "\"" c "\""
  if (loose == "loose" && (t "." c) in astext) return quoted("CAST(" q " AS TEXT)")
  if (be == "sqlite")
    return "CASE typeof(" q ") WHEN 'null' THEN 'NULL' WHEN 'integer' THEN CAST(" q " AS TEXT)" \
           " WHEN 'real' THEN '~' || printf('%!.17g', " q ") WHEN 'blob' THEN 'x' || hex(" q ")" \
           " ELSE " quoted(q) " END"
  ty = type[t, c]
  if (ty == "smallint" || ty == "integer" || ty == "bigint") return "COALESCE(" q "::text, 'NULL')"
  if (ty == "real" || ty == "double precision" || ty == "numeric") return "COALESCE('~' || " q "::text, 'NULL')"
  if (ty == "boolean") return "CASE WHEN " q " IS NULL THEN 'NULL' WHEN " q " THEN '1' ELSE '0' END"
  if (ty == "bytea") return "COALESCE('x' || upper(encode(" q ", 'hex')), 'NULL')"
  return quoted(q "::text")
}

{
  if (!($1 in ncol)) order[++n] = $1
  cols[$1, ++ncol[$1]] = $2
  type[$1, $2] = $3
}

END {
  for (i = 1; i <= n; i++) {
    t = order[i]
    if (t in fixed) {
      split(fixed[t], f, "|")
      label = f[1]
      m = split(f[2], list, " ")
      where = f[3]
    } else {
      label = t
      m = ncol[t]
      for (j = 1; j <= m; j++) list[j] = cols[t, j]
      where = ""
    }
    sel = "'" label "'"
    for (j = 1; j <= m; j++) sel = sel " || " tab " || " render(t, list[j])
    print "SELECT " sel " FROM \"" t "\"" where ";"
  }
}
