/* db_sqlite.c — the SQLite implementation of db.h.  The only file of camp
 * that includes sqlite3.h: connections, statements, transactions, schema
 * introspection and camp's SQL functions (camp_hash, camp_to_timezone). */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/check/timezone.h"
#include "runtime/db/db_backend.h"

static const DbOps sqlite_ops;
static void sq_close(Db *db);

struct Db {
  const DbOps *ops; /* first: db.c dispatches through it */
  sqlite3 *h;
  char err[512];
};

struct DbStmt {
  Db *db; /* first: db.c finds the connection through it */
  sqlite3_stmt *st;
};

/* Concurrent camp processes wait this long for a lock instead of failing. */
enum { BUSY_TIMEOUT_MS = 10000 };

static void set_err(Db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_err(Db *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
}

/* Copies SQLite's message for the last failed call into db->err. */
static void sqlite_err(Db *db) { set_err(db, "%s", sqlite3_errmsg(db->h)); }

static char *xstrdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (!p) abort();
  return memcpy(p, s, n);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) abort();
  return p;
}

/* ------------------------------------------------------------ camp_hash */

typedef struct {
  uint64_t h;
} Fnv;

static void fnv_bytes(Fnv *f, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    f->h ^= b[i];
    f->h *= 0x100000001b3ULL;
  }
}

/* Little-endian by construction, so the hash is the same on every host. */
static void fnv_u64(Fnv *f, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
  fnv_bytes(f, b, 8);
}

static void fnv_tagged(Fnv *f, char tag, const void *p, size_t n) {
  fnv_bytes(f, &tag, 1);
  fnv_u64(f, (uint64_t)n); /* length prefix: ("ab","c") != ("a","bc") */
  fnv_bytes(f, p, n);
}

static void fnv_real(Fnv *f, double r) {
  if (r == 0) r = 0; /* -0.0 and 0.0 compare equal: hash them equally */
  uint64_t bits;
  memcpy(&bits, &r, sizeof bits);
  fnv_bytes(f, "R", 1);
  fnv_u64(f, bits);
}

static void fnv_int(Fnv *f, int64_t i) {
  fnv_bytes(f, "I", 1);
  fnv_u64(f, (uint64_t)i);
}

/* splitmix64's finalizer: FNV alone mixes the last bytes poorly. */
static uint64_t hash_finish(Fnv *f) {
  uint64_t z = f->h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return z >> 1; /* 63 bits: a non-negative SQL integer */
}

static const uint64_t FNV_OFFSET = 0xcbf29ce484222325ULL;

/* Encoding per argument: tag byte, then 'I': int64 as 8 LE bytes; 'R': IEEE
 * bits as 8 LE bytes; 'T'/'B': length as 8 LE bytes + the bytes; 'N':
 * nothing. */
uint64_t db_hash_values(const DbValue *v, int n) {
  Fnv f = {FNV_OFFSET};
  for (int i = 0; i < n; i++) {
    switch (v[i].kind) {
      case DBV_NULL: fnv_bytes(&f, "N", 1); break;
      case DBV_INT: fnv_int(&f, v[i].i); break;
      case DBV_REAL: fnv_real(&f, v[i].r); break;
      case DBV_TEXT: fnv_tagged(&f, 'T', v[i].s, v[i].s ? strlen(v[i].s) : 0); break;
    }
  }
  return hash_finish(&f);
}

/* camp_to_timezone(utc, zone): the wall-clock time in an IANA zone of a
 * UTC timestamp (to_timezone in camp).  NULL when either is NULL, the zone
 * is unknown or the time is not a timestamp: SQL's answer to "no value". */
static void camp_to_timezone_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *t = (const char *)sqlite3_value_text(argv[0]);
  const char *z = (const char *)sqlite3_value_text(argv[1]);
  char out[32];
  if (!t || !z || tz_from_utc(t, z, out, sizeof out) != 0) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void camp_hash_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (argc < 1) {
    sqlite3_result_error(ctx, "camp_hash() needs at least one argument", -1);
    return;
  }
  Fnv f = {FNV_OFFSET};
  for (int i = 0; i < argc; i++) {
    sqlite3_value *a = argv[i];
    switch (sqlite3_value_type(a)) {
      case SQLITE_INTEGER: fnv_int(&f, sqlite3_value_int64(a)); break;
      case SQLITE_FLOAT: fnv_real(&f, sqlite3_value_double(a)); break;
      case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_value_text(a);
        fnv_tagged(&f, 'T', t, (size_t)sqlite3_value_bytes(a));
        break;
      }
      case SQLITE_BLOB: {
        const void *b = sqlite3_value_blob(a);
        fnv_tagged(&f, 'B', b, (size_t)sqlite3_value_bytes(a));
        break;
      }
      default: fnv_bytes(&f, "N", 1); break;
    }
  }
  sqlite3_result_int64(ctx, (sqlite3_int64)hash_finish(&f));
}

/* ---------------------------------------------------------- connections */

static const char *strip_prefix(const char *path) {
  if (strncmp(path, "sqlite:", 7) == 0) {
    path += 7;
    if (strncmp(path, "//", 2) == 0) path += 2; /* sqlite://file.db */
  }
  return path;
}

/* Explains why `path` cannot be opened before SQLite gives a vaguer error. */
static int check_file(const char *path, DbOpenMode mode, char *err, size_t errlen) {
  if (strcmp(path, ":memory:") == 0 || path[0] == 0) return 0;
  struct stat sb;
  if (stat(path, &sb) != 0) {
    if (errno == ENOENT && mode == DB_OPEN_CREATE) return 0;
    snprintf(err, errlen, "cannot open database `%s`: %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(sb.st_mode)) {
    snprintf(err, errlen, "cannot open database `%s`: it is a directory", path);
    return -1;
  }
  return 0;
}

static int open_flags(DbOpenMode mode) {
  switch (mode) {
    case DB_OPEN_READONLY: return SQLITE_OPEN_READONLY;
    case DB_OPEN_READWRITE: return SQLITE_OPEN_READWRITE;
    case DB_OPEN_CREATE: break;
  }
  return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
}

/* sqlite3_open reads nothing; the first query finds non-databases. */
static int probe(Db *db, const char *path, char *err, size_t errlen) {
  int rc = sqlite3_exec(db->h, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
  if (rc == SQLITE_OK) return 0;
  if (rc == SQLITE_NOTADB)
    snprintf(err, errlen, "`%s` is not a SQLite database", path);
  else
    snprintf(err, errlen, "cannot read database `%s`: %s", path, sqlite3_errmsg(db->h));
  return -1;
}

Db *db_sqlite_open(const char *path, DbOpenMode mode, char *err, size_t errlen) {
  path = strip_prefix(path);
  if (check_file(path, mode, err, errlen) != 0) return NULL;
  Db *db = xcalloc(1, sizeof *db);
  db->ops = &sqlite_ops;
  int rc = sqlite3_open_v2(path, &db->h, open_flags(mode), NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open database `%s`: %s", path,
             db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
    sq_close(db);
    return NULL;
  }
  /* CAMP_BUSY_TIMEOUT_MS shortens the wait for tests of a busy database. */
  const char *bt = getenv("CAMP_BUSY_TIMEOUT_MS");
  sqlite3_busy_timeout(db->h, bt && atoi(bt) > 0 ? atoi(bt) : BUSY_TIMEOUT_MS);
  /* CAMP_SQLITE_CACHE_MB: SQLite's page cache (default: SQLite's 2 MB),
   * for large databases whose pages the OS does not keep cached. */
  const char *cm = getenv("CAMP_SQLITE_CACHE_MB");
  if (cm && atoll(cm) > 0) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%lld", atoll(cm) * 1024);
    sqlite3_exec(db->h, pragma, NULL, NULL, NULL);
  }
  /* Foreign keys stay off: user databases need not be consistent. */
  if (probe(db, path, err, errlen) != 0) {
    sq_close(db);
    return NULL;
  }
  rc = sqlite3_create_function_v2(db->h, "camp_to_timezone", 2,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, camp_to_timezone_fn, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db->h, "camp_hash", -1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, camp_hash_fn, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot register camp_hash: %s", sqlite3_errmsg(db->h));
    sq_close(db);
    return NULL;
  }
  return db;
}

int db_wal_checkpoint(const char *path) {
  path = strip_prefix(path);
  sqlite3 *h = NULL;
  if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    sqlite3_close_v2(h);
    return -1;
  }
  /* a first read puts the connection in WAL mode (else it reports -1) */
  sqlite3_busy_timeout(h, 0);
  int log = -1, ckpt = -1;
  int rc = sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_wal_checkpoint_v2(h, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
  sqlite3_close_v2(h);
  return rc == SQLITE_OK && log >= 0 && log == ckpt ? 0 : -1;
}

static void sq_close(Db *db) {
  if (!db) return;
  sqlite3_close_v2(db->h);
  free(db);
}

static const char *sq_error(Db *db) { return db->err; }

/* ----------------------------------------------------------- statements */

static int sq_exec(Db *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
  set_err(db, "%s", msg ? msg : sqlite3_errmsg(db->h));
  sqlite3_free(msg);
  return -1;
}

static DbStmt *sq_prepare(Db *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
    sqlite_err(db);
    return NULL;
  }
  if (!st) { /* only blanks or comments */
    set_err(db, "empty SQL statement");
    return NULL;
  }
  DbStmt *s = xcalloc(1, sizeof *s);
  s->db = db;
  s->st = st;
  return s;
}

static int bind_rc(DbStmt *st, int rc) {
  if (rc == SQLITE_OK) return 0;
  sqlite_err(st->db);
  return -1;
}

static int sq_bind(DbStmt *st, int idx, DbValue v) {
  switch (v.kind) {
    case DBV_INT: return bind_rc(st, sqlite3_bind_int64(st->st, idx, v.i));
    case DBV_REAL: return bind_rc(st, sqlite3_bind_double(st->st, idx, v.r));
    case DBV_TEXT:
      if (v.s) return bind_rc(st, sqlite3_bind_text(st->st, idx, v.s, -1, SQLITE_TRANSIENT));
      break;
    case DBV_NULL: break;
  }
  return bind_rc(st, sqlite3_bind_null(st->st, idx));
}

static int sq_step(DbStmt *st) {
  int rc = sqlite3_step(st->st);
  if (rc == SQLITE_ROW) return 1;
  if (rc == SQLITE_DONE) return 0;
  sqlite_err(st->db);
  return -1;
}

/* Rewinds the statement; bindings are kept. */
static int sq_reset(DbStmt *st) { return bind_rc(st, sqlite3_reset(st->st)); }

static int sq_column_count(DbStmt *st) { return sqlite3_column_count(st->st); }

static const char *sq_column_name(DbStmt *st, int col) { return sqlite3_column_name(st->st, col); }

/* Blobs are returned as text (camp has no binary type). */
static DbValue sq_column(DbStmt *st, int col) {
  DbValue v = {DBV_NULL, 0, 0, NULL};
  switch (sqlite3_column_type(st->st, col)) {
    case SQLITE_INTEGER:
      v.kind = DBV_INT;
      v.i = sqlite3_column_int64(st->st, col);
      break;
    case SQLITE_FLOAT:
      v.kind = DBV_REAL;
      v.r = sqlite3_column_double(st->st, col);
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      v.kind = DBV_TEXT;
      v.s = (const char *)sqlite3_column_text(st->st, col);
      if (!v.s) v.s = "";
      break;
    default: break;
  }
  return v;
}

static size_t sq_column_bytes(DbStmt *st, int col) {
  int t = sqlite3_column_type(st->st, col);
  if (t != SQLITE_TEXT && t != SQLITE_BLOB) return 0;
  sqlite3_column_text(st->st, col); /* a blob's bytes as text */
  return (size_t)sqlite3_column_bytes(st->st, col);
}

static void sq_finalize(DbStmt *st) {
  if (!st) return;
  sqlite3_finalize(st->st);
  free(st);
}

/* --------------------------------------------------------- transactions */

static int64_t sq_changes(Db *db) { return (int64_t)sqlite3_changes64(db->h); }

static int sq_begin(Db *db) { return sq_exec(db, "BEGIN IMMEDIATE"); }
static int sq_commit(Db *db) { return sq_exec(db, "COMMIT"); }
static int sq_rollback(Db *db) { return sq_exec(db, "ROLLBACK"); }

/* -------------------------------------------------------- introspection */

/* Prepares sql with text parameter ?1 = arg. */
static DbStmt *prepare1(Db *db, const char *sql, const char *arg) {
  DbStmt *st = sq_prepare(db, sql);
  DbValue v = {DBV_TEXT, 0, 0, arg};
  if (st && arg && sq_bind(st, 1, v) != 0) {
    sq_finalize(st);
    return NULL;
  }
  return st;
}

static const char *col_text(DbStmt *st, int col) {
  return (const char *)sqlite3_column_text(st->st, col);
}

/* The table's name as stored in sqlite_master (names are case-blind), or
 * NULL if there is no such table or view. */
static char *canonical_name(Db *db, const char *table) {
  DbStmt *st = prepare1(db,
                        "SELECT name FROM sqlite_master WHERE type IN ('table','view') "
                        "AND name = ?1 COLLATE NOCASE ORDER BY name = ?1 DESC LIMIT 1",
                        table);
  if (!st) return NULL;
  char *name = sq_step(st) == 1 ? xstrdup(col_text(st, 0)) : NULL;
  sq_finalize(st);
  return name;
}

/* The single-column primary key of table, or NULL. */
static char *single_pk(Db *db, const char *table) {
  DbStmt *st = prepare1(db, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0", table);
  if (!st) return NULL;
  char *name = NULL;
  int n = 0;
  while (sq_step(st) == 1) {
    if (n++ == 0) name = xstrdup(col_text(st, 0));
  }
  sq_finalize(st);
  if (n != 1) {
    free(name);
    name = NULL;
  }
  return name;
}

static int read_columns(Db *db, DbTableInfo *t) {
  DbStmt *st = prepare1(db,
                        "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) "
                        "ORDER BY cid",
                        t->name);
  if (!st) return -1;
  int cap = 8, rc;
  t->cols = xcalloc((size_t)cap, sizeof *t->cols);
  while ((rc = sq_step(st)) == 1) {
    if (t->ncols == cap) {
      cap *= 2;
      t->cols = realloc(t->cols, (size_t)cap * sizeof *t->cols);
      if (!t->cols) abort();
    }
    DbColumnInfo *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(col_text(st, 0));
    c->decl_type = xstrdup(col_text(st, 1) ? col_text(st, 1) : "");
    c->notnull = sqlite3_column_int(st->st, 2);
    c->pk = sqlite3_column_int(st->st, 3);
  }
  sq_finalize(st);
  return rc < 0 ? -1 : 0;
}

static DbColumnInfo *find_col(DbTableInfo *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (sqlite3_stricmp(t->cols[i].name, name) == 0) return &t->cols[i];
  return NULL;
}

/* Marks columns that carry a single-column UNIQUE index of their own. */
static int read_unique(Db *db, DbTableInfo *t) {
  DbStmt *st = prepare1(db,
                        "SELECT il.name, min(ii.name), count(*), min(ii.cid) "
                        "FROM pragma_index_list(?1) il "
                        "JOIN pragma_index_info(il.name) ii "
                        "WHERE il.\"unique\" AND il.origin <> 'pk' AND NOT il.partial "
                        "GROUP BY il.name",
                        t->name);
  if (!st) return -1;
  int rc;
  while ((rc = sq_step(st)) == 1) {
    if (sqlite3_column_int(st->st, 2) != 1 || sqlite3_column_int(st->st, 3) < 0) continue;
    const char *name = col_text(st, 1);
    DbColumnInfo *c = name ? find_col(t, name) : NULL;
    if (c) c->unique = 1;
  }
  sq_finalize(st);
  return rc < 0 ? -1 : 0;
}


static void fk_add_col(DbForeignKey *fk, const char *from, const char *to) {
  fk->from = realloc(fk->from, (size_t)(fk->ncols + 1) * sizeof *fk->from);
  fk->to = realloc(fk->to, (size_t)(fk->ncols + 1) * sizeof *fk->to);
  if (!fk->from || !fk->to) abort();
  fk->from[fk->ncols] = xstrdup(from);
  fk->to[fk->ncols] = xstrdup(to);
  fk->ncols++;
}

static int sq_foreign_keys(Db *db, const char *table, DbForeignKey **out) {
  *out = NULL;
  /* SQLite numbers keys from the last declared; order by id DESC to get
   * declaration order. */
  DbStmt *st = prepare1(db,
                        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) "
                        "ORDER BY id DESC, seq",
                        table);
  if (!st) return -1;
  DbForeignKey *fks = NULL;
  int n = 0, rc;
  int64_t last_id = -1;
  while ((rc = sq_step(st)) == 1) {
    int64_t id = sqlite3_column_int64(st->st, 0);
    if (n == 0 || id != last_id) {
      fks = realloc(fks, (size_t)(n + 1) * sizeof *fks);
      if (!fks) abort();
      memset(&fks[n], 0, sizeof fks[n]);
      fks[n++].table = xstrdup(col_text(st, 1));
      last_id = id;
    }
    fk_add_col(&fks[n - 1], col_text(st, 2), col_text(st, 3));
  }
  sq_finalize(st);
  if (rc < 0) {
    db_free_foreign_keys(fks, n);
    return -1;
  }
  *out = fks;
  return n;
}

/* Fills fk_table/fk_column from the first single-column key of a column. */
static int read_fks(Db *db, DbTableInfo *t) {
  DbForeignKey *fks;
  int n = sq_foreign_keys(db, t->name, &fks);
  if (n < 0) return -1;
  for (int i = 0; i < n; i++) {
    if (fks[i].ncols != 1) continue;
    DbColumnInfo *c = find_col(t, fks[i].from[0]);
    if (!c || c->fk_table) continue;
    char *canon = canonical_name(db, fks[i].table);
    c->fk_table = canon ? canon : xstrdup(fks[i].table);
    c->fk_column = fks[i].to[0] ? xstrdup(fks[i].to[0]) : single_pk(db, c->fk_table);
  }
  db_free_foreign_keys(fks, n);
  return 0;
}

static int sq_table_info(Db *db, const char *table, DbTableInfo *out) {
  memset(out, 0, sizeof *out);
  out->name = canonical_name(db, table);
  if (!out->name) {
    set_err(db, "no table `%s`", table);
    return -1;
  }
  if (read_columns(db, out) != 0 || read_unique(db, out) != 0 || read_fks(db, out) != 0) {
    db_free_table_info(out);
    return -1;
  }
  return 0;
}


static int sq_tables(Db *db, DbTableInfo **out) {
  *out = NULL;
  /* `_` is a LIKE wildcard: escape it so `campaign` is not skipped. */
  DbStmt *st = sq_prepare(db,
                          "SELECT name FROM sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                          "AND name NOT LIKE 'camp\\_%' ESCAPE '\\' ORDER BY name");
  if (!st) return -1;
  char **names = NULL;
  int n = 0, rc;
  while ((rc = sq_step(st)) == 1) {
    names = realloc(names, (size_t)(n + 1) * sizeof *names);
    if (!names) abort();
    names[n++] = xstrdup(col_text(st, 0));
  }
  sq_finalize(st);
  DbTableInfo *t = xcalloc((size_t)n, sizeof *t);
  int ok = rc == 0;
  for (int i = 0; i < n; i++) {
    if (ok && sq_table_info(db, names[i], &t[i]) != 0) ok = 0;
    free(names[i]);
  }
  free(names);
  if (!ok) {
    db_free_tables(t, n);
    return -1;
  }
  *out = t;
  return n;
}

/* ------------------------------------------------- backend differences */

static int sq_table_exists(Db *db, const char *name) {
  DbStmt *st = prepare1(db,
                        "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?1 "
                        "COLLATE NOCASE UNION ALL SELECT 1 FROM temp.sqlite_master WHERE "
                        "type IN ('table','view') AND name = ?1 COLLATE NOCASE",
                        name);
  if (!st) return 0;
  int found = sq_step(st) == 1;
  sq_finalize(st);
  return found;
}

/* SAVEPOINT opens a transaction when there is none; RELEASE of that
 * outermost savepoint commits it. */
static int sq_savepoint(Db *db, const char *name) {
  char sql[160];
  snprintf(sql, sizeof sql, "SAVEPOINT \"%s\"", name);
  return sq_exec(db, sql);
}

static int sq_savepoint_end(Db *db, const char *name, int rollback) {
  char sql[320];
  if (rollback)
    snprintf(sql, sizeof sql, "ROLLBACK TO \"%s\"; RELEASE \"%s\"", name, name);
  else
    snprintf(sql, sizeof sql, "RELEASE \"%s\"", name);
  return sq_exec(db, sql);
}

static int64_t sq_row_estimate(Db *db, const char *table) {
  char *sql = sqlite3_mprintf("SELECT max(rowid) FROM \"%w\"", table);
  if (!sql) abort();
  sqlite3_stmt *st = NULL;
  int64_t n = -1;
  /* an empty table has no max(rowid): 0 rows, not "cannot tell" */
  if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
  else
    sqlite_err(db);
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return n;
}

static int sq_copy_out(Db *db, const char *query, DbCopyFn fn, void *ctx) {
  (void)query, (void)fn, (void)ctx;
  set_err(db, "COPY ... TO STDOUT is a PostgreSQL feature (the SQLite backend reads tables directly)");
  return -1;
}

static const DbOps sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .error = sq_error,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .reset = sq_reset,
    .column_count = sq_column_count,
    .column_name = sq_column_name,
    .column = sq_column,
    .column_bytes = sq_column_bytes,
    .finalize = sq_finalize,
    .changes = sq_changes,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .savepoint_end = sq_savepoint_end,
    .table_exists = sq_table_exists,
    .tables = sq_tables,
    .table_info = sq_table_info,
    .foreign_keys = sq_foreign_keys,
    .row_estimate = sq_row_estimate,
    .copy_out = sq_copy_out,
};
