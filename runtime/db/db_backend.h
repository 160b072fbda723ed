/* db_backend.h — what a database backend provides behind db.h (runtime/db
 * only).  Each backend's `struct Db` starts with `const DbOps *ops` and its
 * `struct DbStmt` with `Db *db`; runtime/db/db.c dispatches every db.h
 * call through those first members (a pointer to a struct may be read as a
 * pointer to its first member), so backends share no other layout. */
#ifndef CAMP_DB_BACKEND_H
#define CAMP_DB_BACKEND_H

#include "runtime/db/db.h"

typedef struct DbOps {
  const char *name; /* db_backend(): "sqlite", "postgres" */
  void (*close)(Db *db);
  const char *(*error)(Db *db);
  int (*exec)(Db *db, const char *sql);
  DbStmt *(*prepare)(Db *db, const char *sql);
  int (*bind)(DbStmt *st, int idx, DbValue v);
  int (*step)(DbStmt *st);
  int (*reset)(DbStmt *st);
  int (*column_count)(DbStmt *st);
  const char *(*column_name)(DbStmt *st, int col);
  DbValue (*column)(DbStmt *st, int col);
  /* NULL: text never holds a NUL (PostgreSQL) */
  size_t (*column_bytes)(DbStmt *st, int col);
  void (*finalize)(DbStmt *st);
  int64_t (*changes)(Db *db);
  int (*begin)(Db *db);
  int (*commit)(Db *db);
  int (*rollback)(Db *db);
  int (*savepoint)(Db *db, const char *name);
  int (*savepoint_end)(Db *db, const char *name, int rollback);
  int (*table_exists)(Db *db, const char *name);
  int (*tables)(Db *db, DbTableInfo **out);
  int (*table_info)(Db *db, const char *table, DbTableInfo *out);
  int (*foreign_keys)(Db *db, const char *table, DbForeignKey **out);
  int64_t (*row_estimate)(Db *db, const char *table);
  int (*copy_out)(Db *db, const char *query, DbCopyFn fn, void *ctx);
} DbOps;

/* The backends' openers (db_open picks one by the name's scheme). */
Db *db_sqlite_open(const char *path, DbOpenMode mode, char *err, size_t errlen);
Db *db_pg_open(const char *url, DbOpenMode mode, char *err, size_t errlen);

#endif
