/* db_sqlite_stats.c — SQLite's catalogue through the db.h interface: table
 * names, the space tables take (dbstat, else page counts), which columns
 * have an index, and dropping tables.  It issues SQLite-specific SQL
 * (sqlite_master, pragmas, dbstat) but calls no SQLite function itself:
 * only db_sqlite.c does.  Declared in db.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/db.h"
#include "runtime/db/db_pg_stats.h"

/* PostgreSQL's catalogue is another's: db_pg_stats.c answers there. */
static int on_pg(Db *db) { return strcmp(db_backend(db), "postgres") == 0; }

static char *dup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) abort();
  return d;
}

/* name as an SQL identifier: as is when it is a plain word, else in
 * double quotes with quotes doubled. */
static void quote_ident(const char *name, char *out, size_t n) {
  size_t k = 0;
  int plain = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || *name == '_';
  for (const char *p = name; plain && *p; p++)
    plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
            (*p >= '0' && *p <= '9');
  if (plain) {
    snprintf(out, n, "%s", name);
    return;
  }
  if (n < 3) {
    if (n) out[0] = 0;
    return;
  }
  out[k++] = '"';
  for (const char *p = name; *p && k + 3 < n; p++) {
    if (*p == '"') out[k++] = '"';
    out[k++] = *p;
  }
  out[k++] = '"';
  out[k] = 0;
}

int db_table_names(Db *db, const char *prefix, char ***out) {
  if (on_pg(db)) return db_pg_table_names(db, prefix, out);
  *out = NULL;
  /* substr() instead of LIKE: `_` and `%` in prefix are literal. */
  DbStmt *st = db_prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND substr(name, 1, length(?1)) = ?1 ORDER BY name");
  if (!st || db_bind_text(st, 1, prefix) != 0) {
    db_finalize(st);
    return -1;
  }
  char **names = NULL;
  int n = 0, rc;
  while ((rc = db_step(st)) == 1) {
    names = realloc(names, (size_t)(n + 1) * sizeof *names);
    if (!names) abort();
    names[n++] = dup(db_column(st, 0).s);
  }
  db_finalize(st);
  if (rc < 0) {
    db_free_names(names, n);
    return -1;
  }
  *out = names;
  return n;
}

void db_free_names(char **names, int n) {
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
}

int64_t db_size_bytes(Db *db) {
  if (on_pg(db)) return db_pg_size_bytes(db);
  int64_t pages = db_query_int(db, "PRAGMA page_count", -1);
  int64_t size = db_query_int(db, "PRAGMA page_size", -1);
  return pages < 0 || size < 0 ? -1 : pages * size;
}

int64_t db_table_bytes(Db *db, const char *table) {
  if (on_pg(db)) return db_pg_table_bytes(db, table);
  /* dbstat is compiled into Debian's SQLite; where it is missing the
   * prepare fails and the size is unknown.  A table's indexes count too. */
  DbStmt *st = db_prepare(db, "SELECT coalesce(sum(d.pgsize), 0) FROM sqlite_master m "
                              "JOIN dbstat d ON d.name = m.name WHERE m.tbl_name = ?1");
  if (!st) return -1;
  int64_t bytes = -1;
  if (db_bind_text(st, 1, table) == 0 && db_step(st) == 1) bytes = db_column(st, 0).i;
  db_finalize(st);
  return bytes;
}

int db_column_indexed(Db *db, const char *table, const char *column) {
  if (on_pg(db)) return db_pg_column_indexed(db, table, column);
  /* The rowid alias (INTEGER PRIMARY KEY) is the table's own b-tree key. */
  DbStmt *st = db_prepare(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE "
                              "AND pk = 1 AND upper(type) = 'INTEGER' AND "
                              "(SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1");
  if (!st) return -1;
  db_bind_text(st, 1, table);
  db_bind_text(st, 2, column);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  if (rc == 1) return 1;
  /* Any index (primary key, unique or plain, not partial) whose first
   * column it is serves equality lookups and joins on it. */
  st = db_prepare(db, "SELECT 1 FROM pragma_index_list(?1) il "
                      "JOIN pragma_index_info(il.name) ii "
                      "WHERE ii.seqno = 0 AND ii.name = ?2 COLLATE NOCASE AND NOT il.partial");
  if (!st) return -1;
  db_bind_text(st, 1, table);
  db_bind_text(st, 2, column);
  rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : rc;
}

void db_index_sql(Db *db, const char *table, const char *column, char *out, size_t n) {
  (void)db;
  char qt[300], qc[300], qi[300], name[300];
  snprintf(name, sizeof name, "%s_%s", table, column);
  quote_ident(table, qt, sizeof qt);
  quote_ident(column, qc, sizeof qc);
  quote_ident(name, qi, sizeof qi);
  snprintf(out, n, "CREATE INDEX %s ON %s(%s);", qi, qt, qc);
}

int db_drop_table(Db *db, const char *table) {
  char q[600], sql[700];
  quote_ident(table, q, sizeof q);
  snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", q);
  return db_exec(db, sql);
}

char *db_distributed_tables(Db *db) {
  if (on_pg(db)) return db_pg_distributed_tables(db);
  char *none = strdup(""); /* a SQLite file is one piece */
  if (!none) abort();
  return none;
}
