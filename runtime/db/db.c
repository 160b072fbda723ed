/* db.c — db.h's entry points: picks the backend in db_open and dispatches
 * every other call through the connection's DbOps (db_backend.h). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "runtime/db/db_backend.h"

static const DbOps *ops(Db *db) { return *(const DbOps *const *)db; }
static Db *stmt_db(DbStmt *st) { return *(Db *const *)st; }

static int is_pg_url(const char *path) {
  return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

Db *db_open(const char *path, DbOpenMode mode, char *err, size_t errlen) {
  if (is_pg_url(path)) return db_pg_open(path, mode, err, errlen);
  return db_sqlite_open(path, mode, err, errlen);
}

void db_close(Db *db) {
  if (db) ops(db)->close(db);
}
const char *db_error(Db *db) { return ops(db)->error(db); }
const char *db_backend(Db *db) { return ops(db)->name; }
int db_exec(Db *db, const char *sql) { return ops(db)->exec(db, sql); }
DbStmt *db_prepare(Db *db, const char *sql) { return ops(db)->prepare(db, sql); }
int db_bind(DbStmt *st, int idx, DbValue v) { return ops(stmt_db(st))->bind(st, idx, v); }

int db_keys_as_text(Db *db) { return strcmp(db_backend(db), "postgres") == 0; }

int db_bind_key(DbStmt *st, int idx, DbValue v) {
  if (!db_keys_as_text(stmt_db(st)) || v.kind != DBV_INT) return db_bind(st, idx, v);
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)v.i);
  return db_bind_text(st, idx, text); /* PostgreSQL copies the text at bind time */
}

int db_bind_int(DbStmt *st, int idx, int64_t v) {
  DbValue x = {DBV_INT, v, 0, NULL};
  return db_bind(st, idx, x);
}

/* A NULL pointer binds SQL NULL.  The text is copied (caller keeps it). */
int db_bind_text(DbStmt *st, int idx, const char *s) {
  DbValue x = {s ? DBV_TEXT : DBV_NULL, 0, 0, s};
  return db_bind(st, idx, x);
}

int db_bind_null(DbStmt *st, int idx) {
  DbValue x = {DBV_NULL, 0, 0, NULL};
  return db_bind(st, idx, x);
}

int db_step(DbStmt *st) { return ops(stmt_db(st))->step(st); }
int db_reset(DbStmt *st) { return ops(stmt_db(st))->reset(st); }
int db_column_count(DbStmt *st) { return ops(stmt_db(st))->column_count(st); }
const char *db_column_name(DbStmt *st, int col) { return ops(stmt_db(st))->column_name(st, col); }
DbValue db_column(DbStmt *st, int col) { return ops(stmt_db(st))->column(st, col); }

size_t db_column_bytes(DbStmt *st, int col) {
  const DbOps *o = ops(stmt_db(st));
  return o->column_bytes ? o->column_bytes(st, col) : 0;
}

void db_finalize(DbStmt *st) {
  if (st) ops(stmt_db(st))->finalize(st);
}

/* NULL in the first column also gives def; errors give def and set
 * db_error.  Reals are truncated, text is read as a number. */
int64_t db_query_int(Db *db, const char *sql, int64_t def) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return def;
  int64_t r = def;
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_INT) r = v.i;
    else if (v.kind == DBV_REAL) r = (int64_t)v.r;
    else if (v.kind == DBV_TEXT) r = strtoll(v.s, NULL, 10);
  }
  db_finalize(st);
  return r;
}

int64_t db_changes(Db *db) { return ops(db)->changes(db); }
int db_begin(Db *db) { return ops(db)->begin(db); }
int db_commit(Db *db) { return ops(db)->commit(db); }
int db_rollback(Db *db) { return ops(db)->rollback(db); }

int db_tables(Db *db, DbTableInfo **out) { return ops(db)->tables(db, out); }
int db_table_info(Db *db, const char *table, DbTableInfo *out) { return ops(db)->table_info(db, table, out); }
int db_foreign_keys(Db *db, const char *table, DbForeignKey **out) {
  return ops(db)->foreign_keys(db, table, out);
}

int db_table_exists(Db *db, const char *name) { return ops(db)->table_exists(db, name); }
const char *db_temp_schema(Db *db) { return strcmp(db_backend(db), "postgres") == 0 ? "pg_temp" : "temp"; }
int db_savepoint(Db *db, const char *name) { return ops(db)->savepoint(db, name); }
int db_savepoint_end(Db *db, const char *name, int rollback) { return ops(db)->savepoint_end(db, name, rollback); }
int64_t db_row_estimate(Db *db, const char *table) { return ops(db)->row_estimate(db, table); }
int db_copy_out(Db *db, const char *query, DbCopyFn fn, void *ctx) { return ops(db)->copy_out(db, query, fn, ctx); }
