/* db.h — the database backend interface.  Every database call of camp goes
 * through here; no other file includes sqlite3.h or libpq-fe.h.  Backends:
 * SQLite (db_sqlite.c) and PostgreSQL (db_pg.c), chosen by db_open from the
 * name's scheme and dispatched by db.c.  Errors are returned as text so
 * callers can report them.
 *
 * SQL passed in is the backend's own dialect, with parameters written `?`
 * or `?N` (1-based) on both backends (PostgreSQL's backend turns them into
 * $N).  Where camp's runtime needs SQL that differs between backends it
 * asks the helpers at the end of this file or sql_dialect(db_backend(db)). */
#ifndef CAMP_DB_H
#define CAMP_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct Db Db;
typedef struct DbStmt DbStmt;

typedef enum { DBV_NULL, DBV_INT, DBV_REAL, DBV_TEXT } DbValueKind;

/* A value bound to or read from a statement.  Text is not owned. */
typedef struct DbValue {
  DbValueKind kind;
  int64_t i;
  double r;
  const char *s;
} DbValue;

typedef enum { DB_OPEN_READONLY, DB_OPEN_READWRITE, DB_OPEN_CREATE } DbOpenMode;

/* Opens a database.  "postgresql://..." and "postgres://..." are
 * PostgreSQL connection URIs handed to libpq (so PG* environment variables,
 * ~/.pgpass and service files work: "postgresql:///?service=crm"); camp's
 * tables and helper functions live in the schema $CAMP_PG_SCHEMA (default
 * "camp"), put first on the session's search_path.  Anything else is a
 * SQLite file; "sqlite:" prefixes are optional; ":memory:" works.
 * A file that is not a database, or missing with a non-CREATE mode, fails.
 * On failure returns NULL and writes a message into err (errlen bytes). */
Db *db_open(const char *path, DbOpenMode mode, char *err, size_t errlen);
void db_close(Db *db);
/* The last error message of this connection. */
const char *db_error(Db *db);
/* Name of the backend ("sqlite" or "postgres"), also the SQL dialect's. */
const char *db_backend(Db *db);

/* Runs one or more statements without results.  0 on success. */
int db_exec(Db *db, const char *sql);
/* Runs camp's own CREATE/ALTER TABLE statements, written in SQLite's
 * spelling, on any backend: on PostgreSQL `INTEGER PRIMARY KEY` becomes an
 * identity column (SQLite's rowid alias numbers rows itself) and `INTEGER`
 * becomes bigint (SQLite's integers are 64-bit).  0 on success. */
int db_exec_ddl(Db *db, const char *sql);
/* Prepares one statement; NULL on error (see db_error). */
DbStmt *db_prepare(Db *db, const char *sql);
/* Binds parameter idx (1-based). */
int db_bind(DbStmt *st, int idx, DbValue v);
int db_bind_int(DbStmt *st, int idx, int64_t v);
/* 1 when camp's tables keep recipient keys as text (PostgreSQL: the
 * column is text), 0 when they keep each key's own type (SQLite: the column
 * has no type).  A step table's key is compared with them accordingly. */
int db_keys_as_text(Db *db);
/* Binds a recipient key compared with camp_outbox.recipient_key: as it is
 * on SQLite (the column keeps each key's type, so an index finds it), as
 * text on PostgreSQL (the column is text; bigint = text is an error). */
int db_bind_key(DbStmt *st, int idx, DbValue v);
int db_bind_text(DbStmt *st, int idx, const char *s);
int db_bind_null(DbStmt *st, int idx);
/* Advances: 1 = a row is ready, 0 = done, -1 = error. */
int db_step(DbStmt *st);
int db_reset(DbStmt *st);
int db_column_count(DbStmt *st);
const char *db_column_name(DbStmt *st, int col);
/* Valid until the next step/reset/finalize. */
DbValue db_column(DbStmt *st, int col);
/* Bytes of a text (or blob) column value: more than strlen of its
 * db_column text when the value holds a NUL character. */
size_t db_column_bytes(DbStmt *st, int col);
void db_finalize(DbStmt *st);

/* Rows changed by the last INSERT/UPDATE/DELETE of this connection. */
int64_t db_changes(Db *db);

/* Convenience: first column of the first row as integer; def if no row. */
int64_t db_query_int(Db *db, const char *sql, int64_t def);

/* Checkpoints the WAL of the SQLite file at path through a connection of
 * its own (PRAGMA wal_checkpoint(PASSIVE), never waiting for a lock): 0
 * when every frame of the WAL is then in the database file, -1 otherwise
 * (readers or writers in the way, no write access, not in WAL mode).  The
 * snapshot uses it to read pages from the file (snapshot_pages.c). */
int db_wal_checkpoint(const char *path);

/* Transactions.  Both take camp's write lock up front, so concurrent camp
 * processes run one write transaction at a time: SQLite's BEGIN IMMEDIATE,
 * PostgreSQL's BEGIN plus a transaction-level advisory lock on camp's
 * schema. */
int db_begin(Db *db);
int db_commit(Db *db);
int db_rollback(Db *db);

/* Introspection for `camp schema --from-db` and schema/database checks. */
typedef struct DbColumnInfo {
  char *name;
  char *decl_type;     /* as declared, may be "" */
  int notnull;
  int pk;              /* position in the primary key, 0 if not part */
  char *fk_table;      /* referenced table of a single-column foreign key
                        * (spelled as in sqlite_master when it exists), or
                        * NULL; composite keys: see db_foreign_keys */
  char *fk_column;     /* referenced column; when the key names none, the
                        * referenced table's single-column primary key;
                        * NULL if that cannot be resolved */
  int unique;          /* a single-column UNIQUE index/constraint (not the
                        * primary key's own index, not partial indexes) */
} DbColumnInfo;

typedef struct DbTableInfo {
  char *name;
  DbColumnInfo *cols;
  int ncols;
} DbTableInfo;

/* User tables (not sqlite_* nor camp_*), sorted by name.  Caller frees with
 * db_free_tables.  Returns count, or -1 on error. */
int db_tables(Db *db, DbTableInfo **out);
void db_free_tables(DbTableInfo *t, int n);
/* Describes one table; 0 if it exists, -1 if not. */
int db_table_info(Db *db, const char *table, DbTableInfo *out);
void db_free_table_info(DbTableInfo *t);

/* Every foreign key of a table, composite ones included (the column
 * fields above only describe single-column keys). */
typedef struct DbForeignKey {
  char *table;         /* referenced table, as declared */
  int ncols;
  char **from;         /* columns of this table */
  char **to;           /* referenced columns; an entry is NULL when the key
                        * names no column (the referenced primary key) */
} DbForeignKey;

/* Foreign keys of `table` in declaration order.  Caller frees with
 * db_free_foreign_keys.  Returns count, or -1 on error. */
int db_foreign_keys(Db *db, const char *table, DbForeignKey **out);
void db_free_foreign_keys(DbForeignKey *fks, int n);

/* ---- catalogue, space and indexes (runtime/db/db_sqlite_stats.c) ---- */

/* Tables whose name starts with prefix ("" for all; camp's own included),
 * sorted.  Caller frees with db_free_names.  Returns count, or -1. */
int db_table_names(Db *db, const char *prefix, char ***out);
void db_free_names(char **names, int n);
/* Bytes the database takes (pages in use and free); -1 on error. */
int64_t db_size_bytes(Db *db);
/* Bytes a table and its indexes take, or -1 when the backend cannot say
 * (SQLite built without dbstat). */
int64_t db_table_bytes(Db *db, const char *table);
/* 1 when lookups of `column` in `table` by equality use an index (the
 * column leads an index or is the rowid alias), 0 when they scan the
 * table, -1 on error. */
int db_column_indexed(Db *db, const char *table, const char *column);
/* The statement that indexes table(column) ("CREATE INDEX ...;"). */
void db_index_sql(Db *db, const char *table, const char *column, char *out, size_t n);
/* Drops table if it exists.  0 on success. */
int db_drop_table(Db *db, const char *table);

/* Registers camp's SQL functions on the connection (done by db_open):
 *   camp_hash(seed, salt, value) -> deterministic integer in [0, 2^63),
 *     used for seeded random sampling and tie-breaks.  Any number (>= 1) of
 *     arguments is accepted.  Each argument is hashed with its storage
 *     class: integer 42, real 42.0 and text '42' give different results;
 *     NULL is a value of its own.  The result is the same on every machine
 *     and SQLite version (FNV-1a over a byte encoding, splitmix64 finish;
 *     see db_hash_values for the exact encoding). */

/* The function behind camp_hash, for callers that hash outside SQL (the
 * runtime's in-memory steps must agree with the SQL they generate). */
uint64_t db_hash_values(const DbValue *v, int n);

/* ------------------------------------------------------------------
 * Differences between backends that camp's runtime SQL depends on. */

/* 1 if a table (or view) of this name exists where unqualified names find
 * it (temporary tables, camp's schema, the search path). */
int db_table_exists(Db *db, const char *name);
/* The qualifier of temporary tables: "temp" (SQLite), "pg_temp". */
const char *db_temp_schema(Db *db);
/* A savepoint that also works outside a transaction (PostgreSQL then
 * opens one).  db_savepoint_end releases it, rolling back first when
 * `rollback`; a transaction the savepoint opened ends with it. */
int db_savepoint(Db *db, const char *name);
int db_savepoint_end(Db *db, const char *name, int rollback);
/* A cheap estimate of a table's row count (SQLite: max(rowid), 0 for an
 * empty table; PostgreSQL: the planner's estimate, or count(*) when there
 * is none); -1 on error (e.g. a WITHOUT ROWID table). */
int64_t db_row_estimate(Db *db, const char *table);
/* The user's tables that live elsewhere or in parts — PostgreSQL's
 * partitioned and foreign tables on the search path (postgres_fdw shards)
 * — as names separated by commas; "" on SQLite or when there are none,
 * NULL on error.  Malloc'd. */
char *db_distributed_tables(Db *db);

/* Streams the output of `COPY (query) TO STDOUT (FORMAT binary)` to fn in
 * chunks as they arrive (PostgreSQL only; SQLite returns -1 with an error).
 * fn returns 0 to go on, non-zero to stop (then -1 is returned). */
typedef int (*DbCopyFn)(void *ctx, const char *data, size_t len);
int db_copy_out(Db *db, const char *query, DbCopyFn fn, void *ctx);

#endif
