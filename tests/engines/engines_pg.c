/* engines_pg.c — the engine differential on PostgreSQL (tests only; see
 * engines_pg.h).  The world's tables are created typed from its camp
 * schemas (int bigint, decimal numeric, bool boolean, date, timestamp,
 * text) by tests/pg/pg_fixture.c, so the dialect and the COPY snapshot
 * must turn PostgreSQL's values into SQLite's themselves.  The checks at
 * the end hold each answer on PostgreSQL to SQLite's and count them in
 * pg_n. */
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

/* ------------------------------------------------------------- checks */

PgCounts pg_n;

int same_keys(const KeyVec *a, const KeyVec *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->v[i] != b->v[i]) return 0;
  return 1;
}

void print_keys(const char *label, const KeyVec *k) {
  fprintf(stderr, "    %s (%zu):", label, k->n);
  for (size_t i = 0; i < k->n && i < 40; i++) fprintf(stderr, " %lld", (long long)k->v[i]);
  fprintf(stderr, "%s\n", k->n > 40 ? " ..." : "");
}


static void pg_check(int ok, const char *what, Case *k, const KeyVec *want, const KeyVec *got, const char *why,
                     uint64_t seed, int world, int cs) {
  if (ok) {
    pg_n.passed++;
    return;
  }
  pg_n.failed++;
  fprintf(stderr, "FAIL %s on PostgreSQL (seed %llu world %d case %d): %s\n  rule: %s\n", what,
          (unsigned long long)seed, world, cs, why ? why : "different keys", k->text);
  if (!why) {
    print_keys("sqlite sql", want);
    print_keys(what, got);
  }
}

/* The keys of `in` (in its order, duplicates kept) that are in `sorted`:
 * what a rule whose whole answer is `sorted` selects from the input. */
static void filter_keys(const KeyVec *in, const KeyVec *sorted, KeyVec *out) {
  for (size_t i = 0; i < in->n; i++) {
    size_t lo = 0, hi = sorted->n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (sorted->v[mid] < in->v[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sorted->n && sorted->v[lo] == in->v[i]) keyvec_push(out, in->v[i]);
  }
}

/* The rule on PostgreSQL: its SQL (the postgres dialect) over the whole
 * table, interp and jit over the COPY snapshot with the case's input;
 * every answer must be SQLite's SQL answer (want, for input in).
 * intdiv: SQLite's columnar engines declined the rule because it divides
 * decimals SQLite may hold as integers — SQLite then divides a stored 31
 * as an integer (31 / 14 = 2) where PostgreSQL's numeric, like a stored
 * 31.0, gives 2.21; such a difference is reported as KNOWN (docs/postgres.md)
 * and PostgreSQL's engines are held to PostgreSQL's SQL answer instead. */
void pg_case(PgWorld *pw, EngineCtx *e, Case *k, const KeyVec *in, const KeyVec *want, int intdiv,
                        uint64_t seed, int world, int cs) {
  KeyVec all = {0}, pgsql = {0}, fref = {0}, got = {0};
  char why[256];
  const KeyVec *ref = want;
  if (in) { /* the SQL step reads the whole table: SQLite's answer for it */
    if (engine_select(e, ENGINE_SQL, k->dim, k->rule, NULL, &all, why, sizeof why)) {
      pg_check(0, "sqlite sql (no input)", k, NULL, NULL, why, seed, world, cs);
      keyvec_free(&all);
      return;
    }
    ref = &all;
  }
  int rc = pgw_sql_keys(pw, k->p, &pgsql, why, sizeof why);
  pg_n.runs[0]++;
  const KeyVec *cref = want; /* what the columnar engines must select */
  if (rc == 0 && intdiv && !same_keys(ref, &pgsql)) {
    pg_n.known++;
    fprintf(stderr, "KNOWN sql on PostgreSQL (seed %llu world %d case %d): SQLite divides decimals it holds as "
            "integers as integers\n  rule: %s\n", (unsigned long long)seed, world, cs, k->text);
    print_keys("sqlite sql", ref);
    print_keys("postgres sql", &pgsql);
    if (in) filter_keys(in, &pgsql, &fref), cref = &fref;
    else cref = &pgsql;
  } else {
    pg_check(rc == 0 && same_keys(ref, &pgsql), "sql", k, ref, &pgsql, rc ? why : NULL, seed, world, cs);
  }
  EngineKind kinds[] = {ENGINE_INTERP, ENGINE_JIT};
  for (int i = 0; i < 2; i++) {
    if (kinds[i] == ENGINE_JIT && !engine_have_jit()) continue;
    EngineKind used = kinds[i];
    got.n = 0;
    rc = pgw_select(pw, kinds[i], k->dim, k->rule, in, &got, &used, why, sizeof why);
    if (getenv("ENGINES_VERBOSE"))
      fprintf(stderr, "pg %s rc=%d (%s): %s\n", engine_kind_name(kinds[i]), rc, why, k->text);
    if (rc == 1 || (rc == 0 && used != kinds[i])) {
      pg_n.declined++;
      continue;
    }
    pg_n.runs[1 + i]++;
    pg_check(rc == 0 && same_keys(cref, &got), engine_kind_name(kinds[i]), k, cref, &got, rc ? why : NULL, seed,
             world, cs);
  }
  keyvec_free(&all);
  keyvec_free(&pgsql);
  keyvec_free(&fref);
  keyvec_free(&got);
}

/* Compares values computed two ways over the same rows (bit for bit, the
 * same NULLs); prints the first difference.  1 when identical. */
int same_values(const char *what, const char *a, const char *bname, const IVals *want, const IVals *got,
                       int64_t cnt, Case *k, uint64_t seed, int world, int cs, int pass) {
  int64_t bad = -1;
  for (int64_t i = 0; i < cnt && bad < 0 && want->ph == got->ph; i++) {
    int same = want->nul[i] == got->nul[i];
    if (same && !want->nul[i])
      same = want->ph == P_REAL ? memcmp(&want->fv[i], &got->fv[i], sizeof(double)) == 0 : want->iv[i] == got->iv[i];
    if (!same) bad = i;
  }
  if (want->ph == got->ph && bad < 0) return 1;
  fprintf(stderr, "FAIL %s (seed %llu world %d value %d%s): %s\n", what, (unsigned long long)seed, world, cs,
          pass ? ", row list" : "", k->text);
  if (bad >= 0)
    fprintf(stderr, "    position %lld: %s %s %.17g / %lld, %s %s %.17g / %lld\n", (long long)bad, a,
            want->nul[bad] ? "NULL" : "", want->ph == P_REAL ? want->fv[bad] : 0.0,
            want->ph == P_INT ? (long long)want->iv[bad] : 0LL, bname, got->nul[bad] ? "NULL" : "",
            got->ph == P_REAL ? got->fv[bad] : 0.0, got->ph == P_INT ? (long long)got->iv[bad] : 0LL);
  else
    fprintf(stderr, "    %s and %s computed different types\n", a, bname);
  return 0;
}

/* The value on PostgreSQL's snapshot by interp and jit must be the one the
 * interpreter computes over SQLite's (want). */
void pg_value(PgWorld *pw, Case *k, const uint32_t *r, int64_t cnt, const IVals *want, uint64_t seed,
                         int world, int cs, int pass) {
  EngineKind kinds[] = {ENGINE_INTERP, ENGINE_JIT};
  for (int i = 0; i < 2; i++) {
    if (kinds[i] == ENGINE_JIT && !engine_have_jit()) continue;
    IVals got;
    char why[256];
    int by_jit = 0;
    int rc = pgw_values(pw, kinds[i], k->dim, &k->rule, r, cnt, &got, &by_jit, why, sizeof why);
    if (rc < 0) {
      pg_n.failed++;
      fprintf(stderr, "FAIL value on PostgreSQL (seed %llu world %d value %d): %s\n", (unsigned long long)seed, world,
              cs, why);
      continue;
    }
    if (rc || (kinds[i] == ENGINE_JIT && by_jit != 1)) {
      if (!rc) ivals_free(&got);
      pg_n.declined++;
      continue;
    }
    pg_n.values++;
    char what[64];
    snprintf(what, sizeof what, "%s value on PostgreSQL", engine_kind_name(kinds[i]));
    if (same_values(what, "interp on SQLite", "PostgreSQL", want, &got, cnt, k, seed, world, cs, pass))
      pg_n.passed++;
    else
      pg_n.failed++;
    ivals_free(&got);
  }
}

/* Two values of a step's SQL: NULLs alike, text bytewise, numbers equal
 * (as doubles when either is a REAL: SQLite may hold a decimal as an
 * integer where PostgreSQL gives a double). */
static int same_dbvalue(DbValue x, DbValue y) {
  if (x.kind == DBV_NULL || y.kind == DBV_NULL) return x.kind == y.kind;
  if (x.kind == DBV_TEXT || y.kind == DBV_TEXT) return x.kind == y.kind && !strcmp(x.s, y.s);
  if (x.kind == DBV_REAL || y.kind == DBV_REAL)
    return (x.kind == DBV_REAL ? x.r : (double)x.i) == (y.kind == DBV_REAL ? y.r : (double)y.i);
  return x.i == y.i;
}

static void print_dbvalue(const char *label, DbValue v) {
  if (v.kind == DBV_NULL) fprintf(stderr, " %s NULL", label);
  else if (v.kind == DBV_TEXT) fprintf(stderr, " %s '%s'", label, v.s);
  else if (v.kind == DBV_REAL) fprintf(stderr, " %s %.17g", label, v.r);
  else fprintf(stderr, " %s %lld", label, (long long)v.i);
}

/* The value as an enrich column of its step SQL: PostgreSQL's dialect must
 * give SQLite's value on every row.  intdiv: as in run_case_pg. */
void pg_value_sql(PgWorld *pw, Db *lite, Case *k, int intdiv, uint64_t seed, int world, int cs) {
  StepValues a, b;
  char why[256];
  const char *now = "2026-03-01 12:00:00";
  if (step_values(lite, k->p, now, &a, why, sizeof why)) {
    pg_n.failed++;
    fprintf(stderr, "FAIL value sql on SQLite (seed %llu world %d value %d): %s\n", (unsigned long long)seed, world,
            cs, why);
    return;
  }
  int rc = step_values(pgw_db(pw), k->p, now, &b, why, sizeof why);
  pg_n.sql_values++;
  size_t bad = a.n;
  for (size_t i = 0; !rc && i < a.n && i < b.n && bad == a.n; i++)
    if (a.key[i] != b.key[i] || !same_dbvalue(a.v[i], b.v[i])) bad = i;
  if (!rc && a.n == b.n && bad == a.n) {
    pg_n.passed++;
  } else {
    int known = !rc && intdiv && a.n == b.n;
    if (known) pg_n.known++;
    else pg_n.failed++;
    fprintf(stderr, "%s value sql on PostgreSQL (seed %llu world %d value %d): %s\n  value: %s\n",
            known ? "KNOWN" : "FAIL", (unsigned long long)seed, world, cs,
            rc ? why : a.n != b.n ? "different rows" : known ? "SQLite divides decimals it holds as integers as integers"
                                                        : "different values",
            k->text);
    if (!rc && bad < a.n && bad < b.n) {
      fprintf(stderr, "    key %lld:", (long long)a.key[bad]);
      print_dbvalue("sqlite", a.v[bad]);
      print_dbvalue("postgres", b.v[bad]);
      fprintf(stderr, "\n");
    }
  }
  step_values_free(&a);
  if (!rc) step_values_free(&b);
}
