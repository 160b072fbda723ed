/* engines_pg.c — the engine differential on PostgreSQL (tests only; see
 * engines_pg.h).  The world's tables are created typed from its camp
 * schemas (int bigint, decimal numeric, bool boolean, date, timestamp,
 * text) by tests/pg/pg_fixture.c, so the dialect and the COPY snapshot
 * must turn PostgreSQL's values into SQLite's themselves. */
#include "tests/engines/engines_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/sql/sqlgen.h"
#include "tests/pg/pg_fixture.h"

struct PgWorld {
  Db *db;
  EngineCtx jctx; /* the jit's context: rules of the world precompiled */
  char now[20];
  int64_t seed;
};

PgWorld *pgw_open(const char *url, Db *src, Program *p, Schema *dim, const EngineBatch *b, const char *now,
                  int64_t seed, char *err, size_t errlen) {
  PgWorld *w = calloc(1, sizeof *w);
  if (!w) abort();
  snprintf(w->now, sizeof w->now, "%s", now);
  w->seed = seed;
  w->db = pg_fixture_fresh(url, err, errlen);
  if (!w->db || pg_fixture_copy(src, w->db, p, err, errlen)) {
    if (w->db) db_close(w->db);
    free(w);
    return NULL;
  }
  if (engine_init(&w->jctx, w->db, NULL, now, seed, err, errlen)) {
    db_close(w->db);
    free(w);
    return NULL;
  }
  int ncomp = 0;
  if (dim && engine_jit_precompile_batch(&w->jctx, dim, b, &ncomp, err, errlen)) {
    pgw_close(w);
    return NULL;
  }
  return w;
}

void pgw_close(PgWorld *w) {
  if (!w) return;
  engine_free(&w->jctx);
  db_close(w->db);
  free(w);
}

int pgw_sql_keys(PgWorld *w, Program *p, KeyVec *out, char *why, size_t whylen) {
  Decl *c = p->campaigns.len ? p->campaigns.items[0] : NULL;
  Step *st = c && c->steps.len ? c->steps.items[0] : NULL;
  if (!st) {
    snprintf(why, whylen, "no step");
    return -1;
  }
  SqlOptions so = {0};
  so.dialect = sql_dialect("postgres");
  so.now = w->now;
  char *params = sql_params(c, &so), *step = sql_step(p, c, st, &so);
  int rc = db_exec(w->db, params) || db_exec(w->db, step) ? -1 : 0;
  free(params);
  free(step);
  char sel[300];
  snprintf(sel, sizeof sel, "SELECT \"_key\" FROM pg_temp.\"s_%s\" ORDER BY 1",
           st->outputs.len ? (const char *)st->outputs.items[0] : st->label);
  DbStmt *q = rc ? NULL : db_prepare(w->db, sel);
  int r = q ? 0 : -1;
  while (q && (r = db_step(q)) == 1) keyvec_push(out, db_column(q, 0).i);
  db_finalize(q);
  if (r < 0) {
    snprintf(why, whylen, "%s", db_error(w->db));
    return -1;
  }
  return 0;
}

int pgw_select(PgWorld *w, EngineKind kind, Schema *dim, Expr *rule, const KeyVec *input, KeyVec *out,
               EngineKind *used, char *why, size_t whylen) {
  if (kind == ENGINE_JIT) {
    int rc = engine_select(&w->jctx, ENGINE_JIT, dim, rule, input, out, why, whylen);
    *used = w->jctx.last_used;
    return rc;
  }
  EngineCtx e;
  if (engine_init(&e, w->db, NULL, w->now, w->seed, why, whylen)) return -1;
  int rc = engine_select(&e, kind, dim, rule, input, out, why, whylen);
  *used = e.last_used;
  engine_free(&e);
  return rc;
}

int pgw_values(PgWorld *w, EngineKind kind, Schema *dim, Expr **expr, const uint32_t *rows, int64_t nrows,
               IVals *out, int *by_jit, char *why, size_t whylen) {
  if (engine_prepare(&w->jctx, dim, expr, 1, why, whylen)) return -1;
  int rc = engine_values_rows(&w->jctx, kind, dim, expr, 1, NULL, rows, nrows, out, why, whylen);
  *by_jit = w->jctx.values_by_jit;
  return rc;
}

Db *pgw_db(PgWorld *w) { return w->db; }

int step_values(Db *db, Program *p, const char *now, StepValues *out, char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  Decl *c = p->campaigns.len ? p->campaigns.items[0] : NULL;
  if (!c || !c->steps.len) {
    snprintf(why, whylen, "no steps");
    return -1;
  }
  SqlOptions so = {0};
  so.dialect = sql_dialect(db_backend(db));
  so.now = now;
  char *sql = sql_params(c, &so);
  int rc = db_exec(db, sql);
  free(sql);
  Step *last = NULL;
  for (int i = 0; !rc && i < c->steps.len; i++) {
    last = c->steps.items[i];
    sql = sql_step(p, c, last, &so);
    rc = db_exec(db, sql);
    free(sql);
  }
  char sel[300];
  snprintf(sel, sizeof sel, "SELECT \"_key\", \"v\" FROM %s.\"s_%s\" ORDER BY 1", db_temp_schema(db),
           last && last->outputs.len ? (const char *)last->outputs.items[0] : last ? last->label : "");
  DbStmt *q = rc ? NULL : db_prepare(db, sel);
  int r = q ? 0 : -1;
  size_t cap = 0;
  while (q && (r = db_step(q)) == 1) {
    if (out->n == cap) {
      cap = cap ? cap * 2 : 256;
      out->key = realloc(out->key, cap * sizeof *out->key);
      out->v = realloc(out->v, cap * sizeof *out->v);
      if (!out->key || !out->v) abort();
    }
    out->key[out->n] = db_column(q, 0).i;
    DbValue v = db_column(q, 1);
    if (v.kind == DBV_TEXT) v.s = strdup(v.s);
    out->v[out->n++] = v;
  }
  db_finalize(q);
  if (r < 0) {
    snprintf(why, whylen, "%s", db_error(db));
    step_values_free(out);
    return -1;
  }
  return 0;
}

void step_values_free(StepValues *sv) {
  for (size_t i = 0; i < sv->n; i++)
    if (sv->v[i].kind == DBV_TEXT) free((char *)sv->v[i].s);
  free(sv->key);
  free(sv->v);
  memset(sv, 0, sizeof *sv);
}
