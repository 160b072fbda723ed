/* pg_fixture.c — copies a test fixture from SQLite into PostgreSQL, typed
 * the way a PostgreSQL user would type it (tests only).
 *
 * Every table of the program's schemas is created in the destination with
 * the schema's columns: int bigint, decimal numeric (not double: the
 * dialect must turn it into SQLite's REAL itself), bool boolean, date date,
 * timestamp timestamp, text and enums text; keys become primary keys, links
 * foreign keys are left out (fixtures need not be consistent).  camp's own
 * tables a fixture may hold (camp_outbox, camp_feedback, camp_audience) are
 * created as runtime/db/store_pg.c creates them.  Rows are copied through
 * db.h with bound values, so both backends are used exactly as camp uses
 * them. */
#include "tests/pg/pg_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store.h"

static const char *pg_type(const Type *t) {
  switch (t ? t->kind : T_TEXT) {
    case T_INT: case T_DURATION: return "bigint";
    case T_DECIMAL: return "numeric";
    case T_BOOL: return "boolean";
    case T_DATE: return "date";
    case T_TIMESTAMP: return "timestamp";
    default: return "text";
  }
}

/* Appends to a growing string. */
static void put(char **s, size_t *len, size_t *cap, const char *fmt, const char *a) {
  size_t need = strlen(fmt) + (a ? strlen(a) : 0) + 1;
  while (*len + need >= *cap) {
    *cap = *cap ? *cap * 2 : 256;
    *s = realloc(*s, *cap);
    if (!*s) abort();
  }
  *len += (size_t)snprintf(*s + *len, *cap - *len, fmt, a);
}

/* INSERT INTO table(cols) VALUES (?, ...), ... for `rows` rows. */
static char *insert_sql(const char *insert, int n, int rows) {
  size_t cap = strlen(insert) + (size_t)rows * ((size_t)n * 3 + 4) + 16, len = 0;
  char *sql = malloc(cap);
  if (!sql) abort();
  len += (size_t)snprintf(sql, cap, "%s", insert);
  for (int r = 0; r < rows; r++) {
    len += (size_t)snprintf(sql + len, cap - len, r ? ", (" : "(");
    for (int i = 0; i < n; i++) len += (size_t)snprintf(sql + len, cap - len, i ? ", ?" : "?");
    len += (size_t)snprintf(sql + len, cap - len, ")");
  }
  return sql;
}

enum { BATCH_ROWS = 400 };

/* Inserts the rows held in vals (rows x n) with one statement. */
static int flush_rows(Db *dst, const char *insert, DbValue *vals, int n, int rows, char *err, size_t errlen) {
  char *sql = insert_sql(insert, n, rows);
  DbStmt *d = db_prepare(dst, sql);
  free(sql);
  int rc = d ? 0 : -1;
  for (int i = 0; d && i < rows * n; i++) db_bind(d, i + 1, vals[i]);
  if (d && db_step(d) < 0) rc = -1;
  if (rc) snprintf(err, errlen, "%s...: %s", insert, db_error(dst));
  db_finalize(d);
  for (int i = 0; i < rows * n; i++)
    if (vals[i].kind == DBV_TEXT) free((char *)vals[i].s);
  return rc;
}

/* Copies the rows of `select` (on src) into dst with `insert` (up to
 * VALUES), in batches of BATCH_ROWS rows; bools (is_bool[i]) are written as
 * 'true'/'false'. */
static int copy_rows(Db *src, Db *dst, const char *select, const char *insert, const int *is_bool, int n,
                     char *err, size_t errlen) {
  DbStmt *s = db_prepare(src, select);
  if (!s) return snprintf(err, errlen, "%s: %s", select, db_error(src)), -1;
  DbValue *vals = calloc((size_t)n * BATCH_ROWS + 1, sizeof *vals);
  if (!vals) abort();
  int rows = 0, rc, bad = 0;
  while (!bad && (rc = db_step(s)) == 1) {
    for (int i = 0; i < n; i++) {
      DbValue v = db_column(s, i);
      if (is_bool && is_bool[i] && v.kind != DBV_NULL) {
        int truth = v.kind == DBV_INT ? v.i != 0 : v.kind == DBV_REAL ? v.r != 0 : strcmp(v.s, "0") != 0;
        v.kind = DBV_TEXT;
        v.s = truth ? "true" : "false";
      }
      if (v.kind == DBV_TEXT) v.s = strdup(v.s);
      vals[rows * n + i] = v;
    }
    if (++rows == BATCH_ROWS) {
      bad = flush_rows(dst, insert, vals, n, rows, err, errlen) != 0;
      rows = 0;
    }
  }
  if (!bad && rc < 0) {
    snprintf(err, errlen, "%s: %s", select, db_error(src));
    bad = 1;
  }
  if (!bad && rows) bad = flush_rows(dst, insert, vals, n, rows, err, errlen) != 0;
  else if (bad)
    for (int i = 0; i < rows * n; i++)
      if (vals[i].kind == DBV_TEXT) free((char *)vals[i].s);
  free(vals);
  db_finalize(s);
  return bad ? -1 : 0;
}

/* The fixture's own indexes (SQLite's CREATE INDEX statements are
 * PostgreSQL's too): without the index on purchases.customer_id every
 * correlated aggregate scans the whole table, on either backend. */
static int copy_indexes(Db *src, Db *dst, const char *table, char *err, size_t errlen) {
  DbStmt *st = db_prepare(src, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                               " AND sql IS NOT NULL");
  if (!st) return 0; /* not a SQLite source: nothing to copy */
  db_bind_text(st, 1, table);
  int rc = 0;
  while (rc == 0 && db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT && db_exec(dst, v.s) != 0) {
      snprintf(err, errlen, "%s: %s", v.s, db_error(dst));
      rc = -1;
    }
  }
  db_finalize(st);
  return rc;
}

static int copy_schema(Db *src, Db *dst, Schema *sc, char *err, size_t errlen) {
  char *ddl = NULL, *sel = NULL, *ins = NULL;
  size_t dl = 0, dc = 0, sl = 0, scap = 0, il = 0, ic = 0;
  int n = sc->columns.len;
  int *is_bool = calloc((size_t)n + 1, sizeof *is_bool);
  if (!is_bool) abort();
  /* public: the user's tables are not camp's (camp's schema is first on
   * the search path, where an unqualified CREATE would put them) */
  put(&ddl, &dl, &dc, "CREATE TABLE public.\"%s\"(", sc->name);
  put(&sel, &sl, &scap, "%s", "SELECT ");
  put(&ins, &il, &ic, "INSERT INTO public.\"%s\" VALUES ", sc->name);
  for (int i = 0; i < n; i++) {
    Column *c = sc->columns.items[i];
    is_bool[i] = c->type && c->type->kind == T_BOOL;
    put(&ddl, &dl, &dc, i ? ", \"%s\"" : "\"%s\"", c->name);
    put(&ddl, &dl, &dc, " %s", pg_type(c->type));
    if (c->is_key) put(&ddl, &dl, &dc, "%s", " PRIMARY KEY");
    put(&sel, &sl, &scap, i ? ", \"%s\"" : "\"%s\"", c->name);
  }
  put(&ddl, &dl, &dc, "%s", ")");
  put(&sel, &sl, &scap, " FROM \"%s\"", sc->name);
  int rc = 0;
  if (db_exec(dst, ddl) != 0) {
    snprintf(err, errlen, "%s: %s", ddl, db_error(dst));
    rc = -1;
  } else {
    rc = copy_rows(src, dst, sel, ins, is_bool, n, err, errlen);
  }
  if (rc == 0) rc = copy_indexes(src, dst, sc->name, err, errlen);
  free(ddl);
  free(sel);
  free(ins);
  free(is_bool);
  return rc;
}

/* camp's tables as the PostgreSQL store has them, when the fixture made
 * its own (retarget and audience cases). */
static int copy_camp_table(Db *src, Db *dst, const char *name, const char *ddl, const char *cols, int n,
                           char *err, size_t errlen) {
  if (!db_table_exists(src, name)) return 0;
  char sel[512], ins[512];
  snprintf(sel, sizeof sel, "SELECT %s FROM %s", cols, name);
  snprintf(ins, sizeof ins, "INSERT INTO %s(%s) VALUES ", name, cols);
  if (db_exec(dst, ddl) != 0) return snprintf(err, errlen, "%s: %s", ddl, db_error(dst)), -1;
  return copy_rows(src, dst, sel, ins, NULL, n, err, errlen);
}

int pg_fixture_copy(Db *src, Db *dst, Program *p, char *err, size_t errlen) {
  err[0] = 0;
  for (int i = 0; i < p->schemas.len; i++) {
    Schema *sc = p->schemas.items[i];
    if (!db_table_exists(src, sc->name)) continue; /* declared, never filled */
    if (copy_schema(src, dst, sc, err, errlen)) return -1;
  }
  if (copy_camp_table(src, dst, "camp_outbox",
                      "CREATE TABLE camp_outbox(id bigint PRIMARY KEY, run_id bigint, step text,"
                      " recipient_key text, channel text, address text, subject text, body text,"
                      " status text, queued_at text, sent_at text)",
                      "id, run_id, step, recipient_key, channel, address, subject, body, status, queued_at, sent_at",
                      11, err, errlen) ||
      copy_camp_table(src, dst, "camp_feedback",
                      "CREATE TABLE camp_feedback(id bigint PRIMARY KEY, outbox_id bigint, event text, at text)",
                      "id, outbox_id, event, at", 4, err, errlen) ||
      copy_camp_table(src, dst, "camp_audience",
                      "CREATE TABLE camp_audience(name text, dimension text, key text)", "name, dimension, key", 3,
                      err, errlen))
    return -1;
  return 0;
}

Db *pg_fixture_fresh(const char *url, char *err, size_t errlen) {
  Db *db = db_open(url, DB_OPEN_READWRITE, err, errlen);
  if (!db) return NULL;
  int rc = db_exec(db, "DROP SCHEMA IF EXISTS camp CASCADE; DROP SCHEMA IF EXISTS public CASCADE;"
                       " CREATE SCHEMA public");
  if (rc) snprintf(err, errlen, "%s", db_error(db));
  db_close(db);
  /* a new connection creates camp's schema and functions again */
  return rc ? NULL : db_open(url, DB_OPEN_READWRITE, err, errlen);
}
