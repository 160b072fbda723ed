/* db_pg.c — the PostgreSQL implementation of db.h on libpq.  The only file
 * of camp that includes libpq-fe.h.
 *
 * Connections: the URL goes to libpq as is (PG* variables, ~/.pgpass and
 * service files are libpq's), then the session is set up so values read
 * back look like SQLite's: UTF-8, TimeZone UTC, DateStyle ISO; camp's
 * schema ($CAMP_PG_SCHEMA, default "camp") goes first on search_path, so
 * camp's tables and the dialect's helper functions (camp_hash, ...; see
 * compiler/sql/dialect_postgres.c) resolve unqualified.  The helpers are
 * created when missing or older than this camp.
 *
 * Statements: `?`/`?N` become $N; the server-side statement is prepared at
 * the first step, typed from the values bound then (integers int8, reals
 * float8, text and NULL left to the server to infer), and every execution
 * sends values as text.  A result is read whole (PQexecPrepared), so a
 * statement may be stepped while others run — as SQLite allows.
 *
 * Values come back as db.h kinds: integer types and booleans as DBV_INT
 * (true = 1), float and numeric as DBV_REAL, everything else as text
 * (timestamps 'YYYY-MM-DD HH:MM:SS', timestamptz without its "+00"). */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/sql/sqlgen.h"
#include "runtime/db/db_backend.h"

/* Type OIDs fixed by PostgreSQL's catalog (pg_type.dat). */
enum {
  OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26,
  OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700, OID_TIMESTAMPTZ = 1184
};

/* Bumped whenever the helper functions of the dialect change. */
enum { HELPERS_VERSION = 1 };

static const DbOps pg_ops;

struct Db {
  const DbOps *ops; /* first: db.c dispatches through it */
  PGconn *c;
  char err[1024];
  char schema[64];     /* camp's schema, plain name */
  char schema_q[80];   /* the same, quoted */
  int64_t lock_key;    /* advisory lock of camp's writers */
  unsigned next_stmt;  /* names of server-side statements */
  int64_t changes;     /* rows changed by the last statement stepped */
  int sp_opened_tx;    /* db_savepoint began the transaction */
};

typedef struct PgParam {
  DbValueKind kind;
  char *text; /* owned; NULL for SQL NULL */
} PgParam;

struct DbStmt {
  Db *db; /* first: db.c finds the connection through it */
  char *sql;       /* with $N placeholders */
  int nparams;
  PgParam *params;
  Oid *types;      /* types the server-side statement was prepared with */
  char name[32];   /* "" until prepared */
  PGresult *res;
  int row, nrows;  /* row = index of the current row, -1 before the first */
  char **conv;     /* per column: converted text of the current row */
};

static void set_err(Db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(Db *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
  size_t n = strlen(db->err); /* libpq's messages end in a newline */
  while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' ')) db->err[--n] = 0;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) abort();
  return p;
}

static char *xstrdup(const char *s) {
  if (!s) return NULL;
  char *p = strdup(s);
  if (!p) abort();
  return p;
}

/* Copies the error of a failed result (or of the connection) into db->err;
 * always clears res. */
static int res_fail(Db *db, PGresult *res) {
  const char *m = res ? PQresultErrorMessage(res) : NULL;
  set_err(db, "%s", m && *m ? m : PQerrorMessage(db->c));
  PQclear(res);
  return -1;
}

static int res_ok(PGresult *res) {
  ExecStatusType s = PQresultStatus(res);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
}

static int pg_exec(Db *db, const char *sql) {
  PGresult *r = PQexec(db->c, sql);
  if (!res_ok(r)) return res_fail(db, r);
  if (*PQcmdTuples(r)) db->changes = strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return 0;
}

/* One statement with text parameters; the result (tuples or command) or
 * NULL with db->err set. */
static PGresult *query(Db *db, const char *sql, int n, const char *const *vals) {
  PGresult *r = PQexecParams(db->c, sql, n, NULL, vals, NULL, NULL, 0);
  if (!res_ok(r)) {
    res_fail(db, r);
    return NULL;
  }
  return r;
}

/* ---------------------------------------------------------- connections */

/* The URL with any password replaced, for messages. */
static void redact(const char *url, char *out, size_t outlen) {
  const char *at = strchr(url, '@'), *scheme = strstr(url, "://");
  const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
  if (at && colon && colon < at)
    snprintf(out, outlen, "%.*s:***%s", (int)(colon - url), url, at);
  else
    snprintf(out, outlen, "%s", url);
  char *pw = strstr(out, "password=");
  if (pw) snprintf(pw, outlen - (size_t)(pw - out), "password=***");
}

static int valid_schema_name(const char *s) {
  if (!*s || strlen(s) > 60) return 0;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
  return !(s[0] >= '0' && s[0] <= '9');
}

/* FNV-1a of the schema name: the advisory lock camp's writers share. */
static int64_t lock_key_of(const char *schema) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char *p = "camp:"; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
  for (const char *p = schema; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
  return (int64_t)(h >> 1);
}

/* Creates or updates the dialect's helper functions when they are missing
 * or older; under camp's lock, so concurrent camps do not race. */
static int ensure_helpers(Db *db, DbOpenMode mode) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT to_regprocedure('%s.camp_helpers_version()') IS NOT NULL", db->schema_q);
  PGresult *r = query(db, sql, 0, NULL);
  if (!r) return -1;
  int have = PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  if (have) { /* a separate query: the function must exist to be planned */
    snprintf(sql, sizeof sql, "SELECT %s.camp_helpers_version()", db->schema_q);
    if (!(r = query(db, sql, 0, NULL))) return -1;
    have = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  if (have >= HELPERS_VERSION) return 0;
  if (mode == DB_OPEN_READONLY && have > 0) return 0; /* older but usable */
  char *setup = sql_dialect_setup(sql_dialect("postgres"), db->schema, 0);
  size_t cap = strlen(setup) + 512;
  char *all = malloc(cap);
  if (!all) abort();
  snprintf(all, cap,
           "BEGIN; SELECT pg_advisory_xact_lock(%lld);\n%s"
           "CREATE OR REPLACE FUNCTION %s.camp_helpers_version() RETURNS integer"
           " LANGUAGE sql IMMUTABLE AS $f$ SELECT %d $f$;\nCOMMIT;",
           (long long)db->lock_key, setup, db->schema_q, HELPERS_VERSION);
  int rc = pg_exec(db, all);
  free(all);
  free(setup);
  if (rc) {
    char why[sizeof db->err];
    memcpy(why, db->err, sizeof why);
    pg_exec(db, "ROLLBACK");
    set_err(db, "cannot create camp's schema %s and its functions: %.900s", db->schema_q, why);
    return -1;
  }
  return 0;
}

static void pg_close(Db *db) {
  if (!db) return;
  if (db->c) PQfinish(db->c);
  free(db);
}

Db *db_pg_open(const char *url, DbOpenMode mode, char *err, size_t errlen) {
  char shown[512];
  redact(url, shown, sizeof shown);
  const char *schema = getenv("CAMP_PG_SCHEMA");
  if (!schema || !*schema) schema = "camp";
  if (!valid_schema_name(schema)) {
    snprintf(err, errlen, "CAMP_PG_SCHEMA `%s` is not a plain lower-case name", schema);
    return NULL;
  }
  Db *db = xcalloc(1, sizeof *db);
  db->ops = &pg_ops;
  snprintf(db->schema, sizeof db->schema, "%s", schema);
  snprintf(db->schema_q, sizeof db->schema_q, "\"%s\"", schema);
  db->lock_key = lock_key_of(schema);
  const char *keys[] = {"dbname", "fallback_application_name", NULL};
  const char *vals[] = {url, "camp", NULL};
  db->c = PQconnectdbParams(keys, vals, 1);
  if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
    snprintf(err, errlen, "cannot connect to %s: %s", shown, db->c ? PQerrorMessage(db->c) : "out of memory");
    size_t n = strlen(err);
    while (n && err[n - 1] == '\n') err[--n] = 0;
    pg_close(db);
    return NULL;
  }
  if (PQserverVersion(db->c) < 120000) {
    snprintf(err, errlen, "%s: PostgreSQL %d is too old (camp needs 12 or later)", shown,
             PQserverVersion(db->c) / 10000);
    pg_close(db);
    return NULL;
  }
  PQsetClientEncoding(db->c, "UTF8");
  char setup[1024];
  snprintf(setup, sizeof setup,
           "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';"
           " SET client_min_messages = warning; SET extra_float_digits = 1; %s"
           " SELECT set_config('search_path', '%s, ' || current_setting('search_path'), false);",
           sql_dialect_session(sql_dialect("postgres")), db->schema_q);
  /* a read-only open still tries to install missing helpers (plans need
   * camp_hash) but goes on without them when it may not */
  if (pg_exec(db, setup) != 0 || (ensure_helpers(db, mode) != 0 && mode != DB_OPEN_READONLY)) {
    snprintf(err, errlen, "%s: %s", shown, db->err);
    pg_close(db);
    return NULL;
  }
  db->err[0] = 0;
  return db;
}

static const char *pg_error(Db *db) { return db->err; }

static int64_t pg_changes(Db *db) { return db->changes; }

/* ----------------------------------------------------------- statements */

/* sql with ? and ?N (outside quotes and comments) turned into $N. */
static char *placeholders(const char *sql, int *nparams) {
  size_t n = strlen(sql);
  char *out = malloc(n * 4 + 16);
  if (!out) abort();
  size_t o = 0;
  int next = 0, most = 0;
  for (size_t i = 0; i < n; i++) {
    char c = sql[i];
    if (c == '\'' || c == '"') { /* copy a quoted part whole */
      out[o++] = c;
      for (i++; i < n; i++) {
        out[o++] = sql[i];
        if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) out[o++] = sql[++i];
          else break;
        }
      }
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') out[o++] = sql[i++];
      if (i < n) out[o++] = '\n';
      continue;
    }
    if (c == '?') {
      int num = 0;
      size_t j = i + 1;
      while (j < n && sql[j] >= '0' && sql[j] <= '9' && num < 100000) num = num * 10 + (sql[j++] - '0');
      if (j == i + 1) num = ++next;
      else next = num;
      if (num > most) most = num;
      o += (size_t)sprintf(out + o, "$%d", num);
      i = j - 1;
      continue;
    }
    out[o++] = c;
  }
  out[o] = 0;
  *nparams = most;
  return out;
}

static DbStmt *pg_prepare(Db *db, const char *sql) {
  const char *p = sql;
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
  if (!*p) {
    set_err(db, "empty SQL statement");
    return NULL;
  }
  DbStmt *st = xcalloc(1, sizeof *st);
  st->db = db;
  st->sql = placeholders(sql, &st->nparams);
  st->params = xcalloc((size_t)st->nparams, sizeof *st->params);
  st->row = -1;
  return st;
}

static void clear_result(DbStmt *st) {
  if (st->conv) {
    int nc = st->res ? PQnfields(st->res) : 0;
    for (int i = 0; i < nc; i++) free(st->conv[i]);
    free(st->conv);
    st->conv = NULL;
  }
  PQclear(st->res);
  st->res = NULL;
  st->row = -1;
  st->nrows = 0;
}

static int pg_bind(DbStmt *st, int idx, DbValue v) {
  if (idx < 1 || idx > st->nparams) {
    set_err(st->db, "bind: parameter %d of %d", idx, st->nparams);
    return -1;
  }
  PgParam *p = &st->params[idx - 1];
  free(p->text);
  p->text = NULL;
  p->kind = v.kind;
  char buf[64];
  switch (v.kind) {
    case DBV_INT: snprintf(buf, sizeof buf, "%lld", (long long)v.i); p->text = xstrdup(buf); break;
    case DBV_REAL: snprintf(buf, sizeof buf, "%.17g", v.r); p->text = xstrdup(buf); break;
    case DBV_TEXT: p->text = xstrdup(v.s); if (!v.s) p->kind = DBV_NULL; break;
    case DBV_NULL: break;
  }
  return 0;
}

static Oid kind_oid(DbValueKind k) {
  return k == DBV_INT ? OID_INT8 : k == DBV_REAL ? OID_FLOAT8 : 0;
}

/* Prepares the statement on the server, typed from the current values; a
 * statement prepared before is reused unless a value's kind changed. */
static int ensure_prepared(DbStmt *st) {
  Db *db = st->db;
  if (st->name[0]) {
    int same = 1;
    for (int i = 0; i < st->nparams && same; i++) {
      Oid want = kind_oid(st->params[i].kind);
      if (st->params[i].kind != DBV_NULL && want != st->types[i]) same = 0;
    }
    if (same) return 0;
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE \"%s\"", st->name);
    PQclear(PQexec(db->c, sql));
    st->name[0] = 0;
  }
  if (!st->types) st->types = xcalloc((size_t)st->nparams, sizeof *st->types);
  for (int i = 0; i < st->nparams; i++) st->types[i] = kind_oid(st->params[i].kind);
  snprintf(st->name, sizeof st->name, "camp_%u", ++db->next_stmt);
  PGresult *r = PQprepare(db->c, st->name, st->sql, st->nparams, st->types);
  if (!res_ok(r)) {
    st->name[0] = 0;
    return res_fail(db, r);
  }
  PQclear(r);
  return 0;
}

static int pg_step(DbStmt *st) {
  Db *db = st->db;
  if (!st->res) {
    if (ensure_prepared(st)) return -1;
    const char **vals = xcalloc((size_t)st->nparams, sizeof *vals);
    for (int i = 0; i < st->nparams; i++) vals[i] = st->params[i].text;
    PGresult *r = PQexecPrepared(db->c, st->name, st->nparams, vals, NULL, NULL, 0);
    free(vals);
    if (!res_ok(r)) return res_fail(db, r);
    st->res = r;
    st->nrows = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    const char *ct = PQcmdTuples(r); /* "" for statements that change nothing */
    if (*ct) db->changes = strtoll(ct, NULL, 10);
    st->conv = xcalloc((size_t)PQnfields(r), sizeof *st->conv);
    st->row = -1;
  }
  if (st->row + 1 >= st->nrows) {
    st->row = st->nrows;
    return 0;
  }
  st->row++;
  return 1;
}

static int pg_reset(DbStmt *st) {
  clear_result(st);
  return 0;
}

/* Before the first step the columns come from describing the statement. */
static int pg_column_count(DbStmt *st) {
  if (st->res) return PQnfields(st->res);
  if (ensure_prepared(st)) return 0;
  PGresult *d = PQdescribePrepared(st->db->c, st->name);
  int n = res_ok(d) ? PQnfields(d) : 0;
  PQclear(d);
  return n;
}

static const char *pg_column_name(DbStmt *st, int col) {
  if (!st->res || col < 0 || col >= PQnfields(st->res)) return NULL;
  return PQfname(st->res, col);
}

static DbValue pg_column(DbStmt *st, int col) {
  DbValue v = {DBV_NULL, 0, 0, NULL};
  if (!st->res || st->row < 0 || st->row >= st->nrows || col < 0 || col >= PQnfields(st->res)) return v;
  if (PQgetisnull(st->res, st->row, col)) return v;
  const char *s = PQgetvalue(st->res, st->row, col);
  switch (PQftype(st->res, col)) {
    case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
      v.kind = DBV_INT;
      v.i = strtoll(s, NULL, 10);
      break;
    case OID_BOOL:
      v.kind = DBV_INT;
      v.i = s[0] == 't';
      break;
    case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
      v.kind = DBV_REAL;
      v.r = strtod(s, NULL);
      break;
    case OID_TIMESTAMPTZ: { /* the session is in UTC: drop "+00" */
      size_t n = strlen(s);
      free(st->conv[col]);
      st->conv[col] = xstrdup(s);
      if (n > 3 && (s[n - 3] == '+' || s[n - 3] == '-')) st->conv[col][n - 3] = 0;
      v.kind = DBV_TEXT;
      v.s = st->conv[col];
      break;
    }
    default:
      v.kind = DBV_TEXT;
      v.s = s;
      break;
  }
  return v;
}

static void pg_finalize(DbStmt *st) {
  if (!st) return;
  clear_result(st);
  if (st->name[0] && PQtransactionStatus(st->db->c) != PQTRANS_INERROR) {
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE \"%s\"", st->name);
    PQclear(PQexec(st->db->c, sql));
  }
  for (int i = 0; i < st->nparams; i++) free(st->params[i].text);
  free(st->params);
  free(st->types);
  free(st->sql);
  free(st);
}

/* --------------------------------------------------------- transactions */

static int pg_begin(Db *db) {
  char sql[128];
  snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)db->lock_key);
  if (pg_exec(db, sql) == 0) return 0;
  if (PQtransactionStatus(db->c) != PQTRANS_IDLE) PQclear(PQexec(db->c, "ROLLBACK"));
  return -1;
}

static int pg_commit(Db *db) { return pg_exec(db, "COMMIT"); }
static int pg_rollback(Db *db) { return pg_exec(db, "ROLLBACK"); }

static int pg_savepoint(Db *db, const char *name) {
  char sql[200];
  db->sp_opened_tx = PQtransactionStatus(db->c) == PQTRANS_IDLE;
  if (db->sp_opened_tx && pg_exec(db, "BEGIN")) return -1;
  snprintf(sql, sizeof sql, "SAVEPOINT \"%s\"", name);
  return pg_exec(db, sql);
}

static int pg_savepoint_end(Db *db, const char *name, int rollback) {
  char sql[400];
  if (rollback)
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT \"%s\"; RELEASE SAVEPOINT \"%s\"", name, name);
  else
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT \"%s\"", name);
  int rc = pg_exec(db, sql);
  if (db->sp_opened_tx) {
    db->sp_opened_tx = 0;
    rc |= pg_exec(db, rc || rollback ? "ROLLBACK" : "COMMIT");
  }
  return rc;
}

/* -------------------------------------------------------- introspection */

static int pg_table_exists(Db *db, const char *name) {
  char q[600];
  char *id = PQescapeIdentifier(db->c, name, strlen(name));
  if (!id) return 0;
  snprintf(q, sizeof q, "%s", id);
  PQfreemem(id);
  const char *vals[] = {q};
  PGresult *r = query(db, "SELECT to_regclass($1) IS NOT NULL", 1, vals);
  int yes = r && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  return yes;
}

/* The table `name` resolves to (its oid as text), or NULL. */
static char *resolve(Db *db, const char *name) {
  char *id = PQescapeIdentifier(db->c, name, strlen(name));
  if (!id) return NULL;
  const char *vals[] = {id};
  PGresult *r = query(db, "SELECT to_regclass($1)::oid::text", 1, vals);
  PQfreemem(id);
  char *oid = r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
  PQclear(r);
  return oid;
}

static int pg_foreign_keys(Db *db, const char *table, DbForeignKey **out) {
  *out = NULL;
  char *oid = resolve(db, table);
  if (!oid) {
    set_err(db, "no table `%s`", table);
    return -1;
  }
  const char *vals[] = {oid};
  /* one row per key column, keys in creation order */
  PGresult *r = query(db,
                      "SELECT c.oid, f.relname, a.attname, b.attname"
                      " FROM pg_constraint c JOIN pg_class f ON f.oid = c.confrelid"
                      " CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(src, dst, pos)"
                      " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.src"
                      " JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.dst"
                      " WHERE c.conrelid = $1::oid AND c.contype = 'f' ORDER BY c.oid, k.pos",
                      1, vals);
  free(oid);
  if (!r) return -1;
  DbForeignKey *fks = NULL;
  int n = 0;
  const char *last = "";
  for (int i = 0; i < PQntuples(r); i++) {
    if (n == 0 || strcmp(last, PQgetvalue(r, i, 0))) {
      fks = realloc(fks, (size_t)(n + 1) * sizeof *fks);
      if (!fks) abort();
      memset(&fks[n], 0, sizeof fks[n]);
      fks[n++].table = xstrdup(PQgetvalue(r, i, 1));
      last = PQgetvalue(r, i, 0);
    }
    DbForeignKey *fk = &fks[n - 1];
    fk->from = realloc(fk->from, (size_t)(fk->ncols + 1) * sizeof *fk->from);
    fk->to = realloc(fk->to, (size_t)(fk->ncols + 1) * sizeof *fk->to);
    if (!fk->from || !fk->to) abort();
    fk->from[fk->ncols] = xstrdup(PQgetvalue(r, i, 2));
    fk->to[fk->ncols] = xstrdup(PQgetvalue(r, i, 3));
    fk->ncols++;
  }
  PQclear(r);
  *out = fks;
  return n;
}

static int pg_table_info(Db *db, const char *table, DbTableInfo *out) {
  memset(out, 0, sizeof *out);
  char *oid = resolve(db, table);
  if (!oid) {
    set_err(db, "no table `%s`", table);
    return -1;
  }
  const char *vals[] = {oid};
  PGresult *r = query(db,
                      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                      " coalesce((SELECT k.n FROM unnest(pk.indkey::int2[]) WITH ORDINALITY AS k(att, n)"
                      "   WHERE k.att = a.attnum), 0),"
                      " EXISTS (SELECT 1 FROM pg_index u WHERE u.indrelid = a.attrelid AND u.indisunique"
                      "   AND NOT u.indisprimary AND u.indpred IS NULL AND u.indnatts = 1"
                      "   AND u.indkey[0] = a.attnum),"
                      " (SELECT relname FROM pg_class WHERE oid = $1::oid)"
                      " FROM pg_attribute a"
                      " LEFT JOIN pg_index pk ON pk.indrelid = a.attrelid AND pk.indisprimary"
                      " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped"
                      " ORDER BY a.attnum",
                      1, vals);
  free(oid);
  if (!r) return -1;
  int nc = PQntuples(r);
  out->name = xstrdup(nc ? PQgetvalue(r, 0, 5) : table);
  out->cols = xcalloc((size_t)nc, sizeof *out->cols);
  out->ncols = nc;
  for (int i = 0; i < nc; i++) {
    DbColumnInfo *c = &out->cols[i];
    c->name = xstrdup(PQgetvalue(r, i, 0));
    c->decl_type = xstrdup(PQgetvalue(r, i, 1));
    c->notnull = PQgetvalue(r, i, 2)[0] == 't';
    c->pk = atoi(PQgetvalue(r, i, 3));
    c->unique = PQgetvalue(r, i, 4)[0] == 't';
  }
  PQclear(r);
  DbForeignKey *fks;
  int n = pg_foreign_keys(db, out->name, &fks);
  if (n < 0) {
    db_free_table_info(out);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (fks[i].ncols != 1) continue;
    for (int k = 0; k < out->ncols; k++) {
      DbColumnInfo *c = &out->cols[k];
      if (strcmp(c->name, fks[i].from[0]) || c->fk_table) continue;
      c->fk_table = xstrdup(fks[i].table);
      c->fk_column = xstrdup(fks[i].to[0]);
    }
  }
  db_free_foreign_keys(fks, n);
  return 0;
}

/* User tables: visible on the search path, not in camp's schema or the
 * catalogs, not camp_*, not partitions (their parent is the table). */
static int pg_tables(Db *db, DbTableInfo **out) {
  *out = NULL;
  const char *vals[] = {db->schema};
  PGresult *r = query(db,
                      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_table_is_visible(c.oid)"
                      " AND NOT c.relispartition AND n.nspname <> $1"
                      " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                      " AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND c.relname NOT LIKE 'camp\\_%'"
                      " ORDER BY c.relname COLLATE \"C\"",
                      1, vals);
  if (!r) return -1;
  int n = PQntuples(r);
  DbTableInfo *t = xcalloc((size_t)n, sizeof *t);
  int ok = 1;
  for (int i = 0; i < n && ok; i++)
    if (pg_table_info(db, PQgetvalue(r, i, 0), &t[i]) != 0) ok = 0;
  PQclear(r);
  if (!ok) {
    db_free_tables(t, n);
    return -1;
  }
  *out = t;
  return n;
}

static int64_t pg_row_estimate(Db *db, const char *table) {
  char *oid = resolve(db, table);
  if (!oid) return -1;
  const char *vals[] = {oid};
  PGresult *r = query(db, "SELECT reltuples::bigint FROM pg_class WHERE oid = $1::oid", 1, vals);
  int64_t n = r && PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
  PQclear(r);
  free(oid);
  if (n < 0) { /* never analyzed: count */
    char *id = PQescapeIdentifier(db->c, table, strlen(table));
    if (!id) return -1;
    size_t len = strlen(id) + 40;
    char *sql = malloc(len);
    if (!sql) abort();
    snprintf(sql, len, "SELECT count(*) FROM %s", id);
    PQfreemem(id);
    r = query(db, sql, 0, NULL);
    free(sql);
    n = r ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
  }
  return n;
}

/* ----------------------------------------------------------------- COPY */

static int pg_copy_out(Db *db, const char *q, DbCopyFn fn, void *ctx) {
  size_t len = strlen(q) + 64;
  char *sql = malloc(len);
  if (!sql) abort();
  snprintf(sql, len, "COPY (%s) TO STDOUT (FORMAT binary)", q);
  PGresult *r = PQexec(db->c, sql);
  free(sql);
  if (PQresultStatus(r) != PGRES_COPY_OUT) return res_fail(db, r);
  PQclear(r);
  int stop = 0, n;
  char *buf;
  while ((n = PQgetCopyData(db->c, &buf, 0)) > 0) {
    if (!stop && fn(ctx, buf, (size_t)n)) stop = 1; /* drain the rest */
    PQfreemem(buf);
  }
  r = PQgetResult(db->c);
  int rc = 0;
  if (n == -2 || PQresultStatus(r) != PGRES_COMMAND_OK) rc = res_fail(db, r), r = NULL;
  PQclear(r);
  while ((r = PQgetResult(db->c))) PQclear(r);
  if (stop && rc == 0) {
    set_err(db, "the COPY reader stopped");
    rc = -1;
  }
  return rc;
}

static const DbOps pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .error = pg_error,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .reset = pg_reset,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column = pg_column,
    .finalize = pg_finalize,
    .changes = pg_changes,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .savepoint_end = pg_savepoint_end,
    .table_exists = pg_table_exists,
    .tables = pg_tables,
    .table_info = pg_table_info,
    .foreign_keys = pg_foreign_keys,
    .row_estimate = pg_row_estimate,
    .copy_out = pg_copy_out,
};
