/* db_pg_stats.c — PostgreSQL's side of the catalogue functions of db.h that
 * runtime/db/db_sqlite_stats.c implements with SQLite's catalogue: table
 * names, sizes and which columns an index serves.  Called from there when
 * the connection is PostgreSQL's; only db.h calls here. */
#include <stdlib.h>
#include <string.h>

#include "runtime/db/db_pg_stats.h"

/* Tables in camp's schema or on the search path, name starting with
 * prefix; temporary and catalog tables left out. */
int db_pg_table_names(Db *db, const char *prefix, char ***out) {
  *out = NULL;
  DbStmt *st = db_prepare(db, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)"
                              " AND NOT c.relispartition AND n.nspname NOT LIKE 'pg\\_%'"
                              " AND n.nspname <> 'information_schema'"
                              " AND substr(c.relname, 1, length(?1)) = ?1 ORDER BY c.relname COLLATE \"C\"");
  if (!st || db_bind_text(st, 1, prefix) != 0) {
    db_finalize(st);
    return -1;
  }
  char **names = NULL;
  int n = 0, rc;
  while ((rc = db_step(st)) == 1) {
    names = realloc(names, (size_t)(n + 1) * sizeof *names);
    if (!names) abort();
    names[n] = strdup(db_column(st, 0).s);
    if (!names[n++]) abort();
  }
  db_finalize(st);
  if (rc < 0) { /* freed here: db_free_names' file calls this one */
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return -1;
  }
  *out = names;
  return n;
}

int64_t db_pg_size_bytes(Db *db) { return db_query_int(db, "SELECT pg_database_size(current_database())", -1); }

int64_t db_pg_table_bytes(Db *db, const char *table) {
  DbStmt *st = db_prepare(db, "SELECT pg_total_relation_size(to_regclass(quote_ident(?1)))");
  if (!st) return -1;
  int64_t bytes = -1;
  if (db_bind_text(st, 1, table) == 0 && db_step(st) == 1 && db_column(st, 0).kind == DBV_INT)
    bytes = db_column(st, 0).i;
  db_finalize(st);
  return bytes;
}

/* An index (not partial) whose first column is `column` serves equality
 * look-ups; a partitioned table is indexed when every local leaf partition
 * is, a foreign table counts as indexed (its server's indexes are not
 * visible here). */
int db_pg_column_indexed(Db *db, const char *table, const char *column) {
  /* a foreign table's indexes are on its server, out of sight: not
   * warned about; a partitioned one is indexed when each of its local leaf
   * partitions is (its foreign ones are shards: examples/sharded) */
#define INDEXED(rel) "EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid" \
                     " AND a.attnum = i.indkey[0] WHERE i.indrelid = " rel " AND a.attname = ?2"     \
                     " AND i.indpred IS NULL)"
  DbStmt *st = db_prepare(db, "SELECT CASE c.relkind WHEN 'f' THEN true"
                              " WHEN 'p' THEN NOT EXISTS (SELECT 1 FROM pg_partition_tree(c.oid) t"
                              "   JOIN pg_class l ON l.oid = t.relid"
                              "   WHERE t.isleaf AND l.relkind <> 'f' AND NOT " INDEXED("l.oid") ")"
                              " ELSE " INDEXED("c.oid") " END"
                              " FROM pg_class c WHERE c.oid = to_regclass(quote_ident(?1))");
#undef INDEXED
  if (!st) return -1;
  db_bind_text(st, 1, table);
  db_bind_text(st, 2, column);
  int rc = db_step(st);
  int yes = rc == 1 && db_column(st, 0).i == 1;
  db_finalize(st);
  return rc < 0 ? -1 : yes;
}

char *db_pg_distributed_tables(Db *db) {
  DbStmt *st = db_prepare(db, "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname COLLATE \"C\"), '')"
                              " FROM pg_class c WHERE c.relkind IN ('p', 'f') AND pg_table_is_visible(c.oid)"
                              " AND NOT c.relispartition");
  if (!st) return NULL;
  char *out = NULL;
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    out = strdup(v.s ? v.s : "");
    if (!out) abort();
  }
  db_finalize(st);
  return out;
}
