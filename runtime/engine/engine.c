/* engine.c — engine selection and the SQL engine: runs a rule through the
 * SQL the compiler generates (compiler/sql/sql_expr.c) or through a columnar
 * engine over the snapshot, with the fallback rules of engine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/engine.h"
#include "runtime/engine/interp.h"
#include "compiler/jit/jit.h"
#include "runtime/engine/snapshot.h"
#include "compiler/sql/sqlgen.h"

void keyvec_push(KeyVec *k, int64_t key) {
  if (k->n == k->cap) {
    k->cap = k->cap ? k->cap * 2 : 1024;
    k->v = realloc(k->v, sizeof *k->v * k->cap);
    if (!k->v) abort();
  }
  k->v[k->n++] = key;
}

void keyvec_free(KeyVec *k) {
  free(k->v);
  memset(k, 0, sizeof *k);
}

static const char *const kind_names[] = {"sql", "interp", "jit", "auto"};

int engine_parse_kind(const char *s, EngineKind *out) {
  for (int i = 0; i < 4; i++)
    if (s && !strcmp(s, kind_names[i])) return *out = (EngineKind)i, 0;
  return -1;
}

const char *engine_kind_name(EngineKind k) { return kind_names[k]; }

int engine_have_jit(void) { return jit_available(); }

/* Per-context set of schemas the snapshot must hold (grows). */
typedef struct SchemaSet {
  Schema **v;
  int n;
} SchemaSet;

int engine_init(EngineCtx *e, Db *db, const char *db_path, const char *now, int64_t seed,
                char *err, size_t errlen) {
  memset(e, 0, sizeof *e);
  e->db = db;
  e->db_path = db_path && strcmp(db_path, ":memory:") ? db_path : NULL;
  e->snap_mode = e->db_path ? SNAP_FILE : SNAP_MEMORY;
  if (!strcmp(db_backend(db), "postgres")) e->db_path = NULL, e->snap_mode = SNAP_MEMORY;
  e->seed = seed;
  e->auto_min_rows = 20000;
  /* cold compile ~40 ms vs interp at ~100-200M rows/s: jit pays off from
   * a few million rows even without the disk cache */
  e->auto_jit_rows = 2000000;
  const char *th = getenv("CAMP_JIT_THREADS");
  e->jit_threads = th && atoi(th) > 0 ? atoi(th) : 0;
  if (now) {
    int64_t t;
    if (snap_parse_ts(now, &t)) {
      snprintf(err, errlen, "clock `%s` is not 'YYYY-MM-DD HH:MM:SS'", now);
      return -1;
    }
    snprintf(e->now, sizeof e->now, "%s", now);
  } else {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(e->now, sizeof e->now, "%Y-%m-%d %H:%M:%S", &tm);
  }
  e->schemas = calloc(1, sizeof(SchemaSet));
  if (!e->schemas) abort();
  /* PostgreSQL: read with COPY, cached across runs where there is a cache
   * directory (found on first use: engine_prepare), else in memory */
  if (!strcmp(db_backend(db), "postgres")) e->snap_mode = SNAP_PG;
  return 0;
}

void engine_free(EngineCtx *e) {
  jit_cache_free(e->jit);
  free(e->pg_dir);
  snapshot_free(e->snap);
  SchemaSet *ss = e->schemas;
  if (ss) free(ss->v);
  free(ss);
  memset(e, 0, sizeof *e);
}

void engine_invalidate(EngineCtx *e) {
  snapshot_free(e->snap);
  e->snap = NULL;
}

static int covers(const Snapshot *s, SchemaSet *ss) {
  for (int i = 0; i < ss->n; i++)
    if (snapshot_table(s, ss->v[i]->name) < 0) return 0;
  return 1;
}

static int same_file(const Snapshot *s, const char *db_path) {
  return snapshot_file_unchanged(db_path, &s->fp);
}

int engine_prepare(EngineCtx *e, Schema *dim, Expr **rules, int nrules, char *err,
                   size_t errlen) {
  SchemaSet *ss = e->schemas;
  snapshot_add_schema(dim, &ss->v, &ss->n);
  for (int i = 0; i < nrules; i++) snapshot_rule_schemas(rules[i], &ss->v, &ss->n);
  if (e->snap && !e->snap->damaged && covers(e->snap, ss) &&
      (e->snap_mode != SNAP_FILE || same_file(e->snap, e->db_path)))
    return 0;
  /* PostgreSQL: what this command already read or proved is not hashed
   * again when its set of tables grows (snapshot_open_pg) */
  Snapshot *prev = e->snap_mode == SNAP_PG && e->snap && !e->snap->damaged ? e->snap : NULL;
  if (!prev) snapshot_free(e->snap);
  e->snap = NULL;
  /* the cache directory asks the server who it is: only when a snapshot is
   * needed, not for every plan that merely might use an engine */
  if (e->snap_mode == SNAP_PG && !e->pg_dir && !(e->pg_dir = snapshot_pg_dir(e->db))) e->snap_mode = SNAP_MEMORY;
  if (e->snap_mode == SNAP_MEMORY) {
    e->snap = snapshot_build(e->db, ss->v, ss->n, err, errlen);
  } else if (e->snap_mode == SNAP_PG) {
    SnapReport rep;
    e->snap = snapshot_open_pg(e->db, e->pg_dir, ss->v, ss->n, prev, &rep, err, errlen);
    e->snap_rebuilt += e->snap && rep.rows_read > 0;
    if (e->snap) {
      e->pg_opens++;
      e->pg_proven += rep.proven;
      e->pg_hashed += rep.ntables - rep.proven;
      e->pg_kept += rep.kept;
      for (int i = 0; i < rep.ntables; i++) {
        e->pg_reused += rep.tables[i].how == SNAP_TABLE_REUSED;
        e->pg_copied += rep.tables[i].how == SNAP_TABLE_BUILT;
      }
    }
    snapshot_report_free(&rep);
  } else {
    int rebuilt;
    e->snap = snapshot_open(e->db, e->db_path, ss->v, ss->n, &rebuilt, err, errlen);
    e->snap_rebuilt += rebuilt;
  }
  snapshot_free(prev);
  return e->snap ? 0 : -1;
}

/* --------------------------------------------------------------- SQL */

static int set_params(EngineCtx *e, char *why, size_t whylen) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "CREATE TEMP TABLE IF NOT EXISTS \"camp_params\"(\"now\", \"seed\", \"run_id\");"
           "DELETE FROM temp.\"camp_params\";"
           "INSERT INTO temp.\"camp_params\" VALUES ('%s', %lld, 0);",
           e->now, (long long)e->seed);
  if (db_exec(e->db, sql) == 0) return 0;
  snprintf(why, whylen, "%s", db_error(e->db));
  return -1;
}

/* The SELECT of the rule's keys; malloc'd. */
static char *select_sql(Schema *dim, Expr **rules, int n, int with_input, int split) {
  SqlOptions so = {0};
  so.dialect = sql_dialect("sqlite");
  size_t cap = 1024;
  char **parts = calloc((size_t)n + 1, sizeof *parts);
  if (!parts) abort();
  for (int i = 0; i < n; i++) {
    parts[i] = rules[i] ? sql_expression(rules[i], &so) : strdup("1");
    cap += strlen(parts[i]) + 64;
  }
  char *sql = malloc(cap + strlen(dim->name) * 2 + strlen(dim->key->name) * 2);
  if (!sql) abort();
  size_t at = (size_t)sprintf(sql, "SELECT t0.\"%s\"", dim->key->name);
  for (int i = 0; split && i < n; i++)
    at += (size_t)sprintf(sql + at, ", CASE WHEN (%s) THEN 1 ELSE 0 END", parts[i]);
  if (with_input)
    at += (size_t)sprintf(sql + at, " FROM temp.\"camp_engine_input\" AS p JOIN \"%s\" AS t0 ON t0.\"%s\" = p.\"k\"",
                          dim->name, dim->key->name);
  else
    at += (size_t)sprintf(sql + at, " FROM \"%s\" AS t0", dim->name);
  if (!split && n && rules[0]) at += (size_t)sprintf(sql + at, " WHERE (%s)", parts[0]);
  sprintf(sql + at, with_input ? " ORDER BY p.\"pos\"" : " ORDER BY 1");
  for (int i = 0; i < n; i++) free(parts[i]);
  free(parts);
  return sql;
}

static int load_input(EngineCtx *e, const KeyVec *input, char *why, size_t whylen) {
  if (db_exec(e->db, "DROP TABLE IF EXISTS temp.\"camp_engine_input\";"
                     "CREATE TEMP TABLE \"camp_engine_input\"(\"k\" INTEGER, \"pos\" INTEGER PRIMARY KEY)")) {
    snprintf(why, whylen, "%s", db_error(e->db));
    return -1;
  }
  DbStmt *st = db_prepare(e->db, "INSERT INTO temp.\"camp_engine_input\" VALUES (?, ?)");
  if (!st) {
    snprintf(why, whylen, "%s", db_error(e->db));
    return -1;
  }
  for (size_t i = 0; i < input->n; i++) {
    db_bind_int(st, 1, input->v[i]);
    db_bind_int(st, 2, (int64_t)i);
    if (db_step(st) < 0) {
      snprintf(why, whylen, "%s", db_error(e->db));
      db_finalize(st);
      return -1;
    }
    db_reset(st);
  }
  db_finalize(st);
  return 0;
}

static int sql_run(EngineCtx *e, Schema *dim, Expr **rules, int n, int split,
                   const KeyVec *input, KeyVec *out, uint8_t **flags, char *why, size_t whylen) {
  if (!dim->key) {
    snprintf(why, whylen, "schema %s has no key", dim->name);
    return -1;
  }
  if (!strcmp(db_backend(e->db), "postgres")) { /* the step's own SQL does it */
    snprintf(why, whylen, "on PostgreSQL the step runs as its generated SQL");
    return 1;
  }
  if (set_params(e, why, whylen) || (input && load_input(e, input, why, whylen))) return -1;
  char *sql = select_sql(dim, rules, n, input != NULL, split);
  DbStmt *st = db_prepare(e->db, sql);
  free(sql);
  if (!st) {
    snprintf(why, whylen, "%s", db_error(e->db));
    return -1;
  }
  size_t cap = 0, rows = 0;
  uint8_t *fl = NULL;
  int rc;
  while ((rc = db_step(st)) == 1) {
    keyvec_push(out, db_column(st, 0).i);
    if (!split) continue;
    if (rows == cap) {
      cap = cap ? cap * 2 : 1024;
      fl = realloc(fl, cap * (size_t)n);
      if (!fl) abort();
    }
    for (int k = 0; k < n; k++) fl[rows * (size_t)n + (size_t)k] = (uint8_t)db_column(st, k + 1).i;
    rows++;
  }
  if (rc < 0) snprintf(why, whylen, "%s", db_error(e->db));
  db_finalize(st);
  if (split) *flags = fl ? fl : calloc(1, 1);
  return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ columnar */

/* Row numbers of the input keys; NULL for every row (n = row count). */
static uint32_t *input_rows(const SnapTable *t, const KeyVec *input, int64_t *n) {
  if (!input) {
    *n = t->nrows;
    return NULL;
  }
  int64_t cnt = (int64_t)input->n, k = 0;
  uint32_t *rows = malloc(sizeof(uint32_t) * (size_t)(cnt + 1));
  if (!rows) abort();
  for (int64_t i = 0; i < cnt; i++) {
    int64_t r = snapshot_find_key(t, input->v[i]);
    if (r >= 0) rows[k++] = (uint32_t)r;
  }
  *n = k;
  return rows;
}

/* Appends the keys of the rows (rows NULL = 0..n-1) for which sel[i] is
 * set (sel NULL = all), growing out once and copying without a branch per
 * row: the selection is unpredictable, a branch would miss often. */
static void push_keys(KeyVec *out, const int64_t *keys, const uint32_t *rows, int64_t n,
                      const uint8_t *sel) {
  size_t cnt = 0;
  if (sel)
    for (int64_t i = 0; i < n; i++) cnt += sel[i] != 0;
  else cnt = (size_t)n;
  if (out->n + cnt + 1 > out->cap) {
    out->cap = out->n + cnt + 1;
    out->v = realloc(out->v, sizeof *out->v * out->cap);
    if (!out->v) abort();
  }
  int64_t *v = out->v + out->n;
  size_t k = 0;
  if (!sel && !rows) memcpy(v, keys, sizeof *v * cnt), k = cnt;
  else if (!sel) for (int64_t i = 0; i < n; i++) v[k++] = keys[rows[i]];
  else if (!rows) for (int64_t i = 0; i < n; i++) v[k] = keys[i], k += sel[i] != 0;
  else for (int64_t i = 0; i < n; i++) v[k] = keys[rows[i]], k += sel[i] != 0;
  out->n += k;
}

/* Threads for a jit pass over nrows: e->jit_threads when set, else (auto)
 * one per online CPU, at most 4, from JIT_MT_ROWS rows on — below that,
 * starting a thread costs more than half the pass saves. */
#define JIT_MT_ROWS 1000000
static int jit_threads_for(const EngineCtx *e, int64_t nrows) {
  if (e->jit_threads > 0) return e->jit_threads;
  if (nrows < JIT_MT_ROWS) return 1;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
}

/* Runs a compiled program over rows with the jit (when kind asks for it
 * and no root reads an added column) or the interpreter: res[i*n+k].
 * Sets e->last_used (and e->why when the jit declined).  0, 1 (why), -1. */
static int eval_prog(EngineCtx *e, EngineKind kind, VProg *p, const uint32_t *rows, int64_t nrows,
                     uint8_t *res, char *why, size_t whylen) {
  int64_t now;
  snap_parse_ts(e->now, &now);
  int rc = 1;
  char jwhy[256] = "";
  e->last_used = kind;
  /* Enriched columns (p->uses_added) are overlay arrays laid out like
   * snapshot columns: the jit reads them through parameter slots too. */
  if (kind == ENGINE_JIT && e->jit_loaded_only && !(e->jit && jit_loaded(e->jit, p))) {
    snprintf(e->why, sizeof e->why, "interp: the rule is not compiled and a compile would not pay");
  } else if (kind == ENGINE_JIT) {
    if (!e->jit) e->jit = jit_cache_new();
    rc = jit_eval(e->jit, p, rows, nrows, jit_threads_for(e, nrows), res, jwhy, sizeof jwhy);
    if (rc == 0) e->last_used = ENGINE_JIT;
    if (rc == 0 && e->jit_loaded_only) snprintf(e->why, sizeof e->why, "below the jit's cold break-even, code loaded");
    else if (rc) snprintf(e->why, sizeof e->why, "jit %s: %.200s", rc < 0 ? "failed" : "declined", jwhy);
    if (rc < 0) fprintf(stderr, "camp: %s; running the interpreter instead\n", jwhy);
  }
  if (rc != 0) {
    VRun run = {e->snap, now, NULL};
    rc = interp_eval(p, &run, rows, nrows, res);
    e->last_used = ENGINE_INTERP;
    if (rc == 1 && run.bail) snprintf(why, whylen, "%s", run.bail);
    else if (rc == 1) snprintf(why, whylen, "%s", jwhy);
  }
  return rc;
}

static int columnar(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n, int split,
                    const KeyVec *input, KeyVec *out, uint8_t **flags, char *why, size_t whylen) {
  char err[256];
  if (!dim->key || dim->key->type->kind != T_INT) {
    snprintf(why, whylen, "the columnar engines need an int key (%s)", dim->name);
    return 1;
  }
  if (engine_prepare(e, dim, rules, n, err, sizeof err)) {
    snprintf(why, whylen, "snapshot: %.200s", err);
    return 1;
  }
  int64_t now;
  snap_parse_ts(e->now, &now);
  e->last_used = kind;
  VProg *p = interp_compile(e->snap, dim, rules, n, now, why, whylen);
  if (!p && e->snap->damaged) {
    /* a damaged snapshot file (warned): open it again, which reads the
     * damaged tables from the database, and answer from that */
    if (engine_prepare(e, dim, rules, n, err, sizeof err)) {
      snprintf(why, whylen, "snapshot: %.200s", err);
      return 1;
    }
    p = interp_compile(e->snap, dim, rules, n, now, why, whylen);
  }
  if (!p) return 1;
  int64_t nrows;
  uint32_t *rows = input_rows(p->dim, input, &nrows);
  uint8_t *res = malloc((size_t)(nrows + 1) * (size_t)n);
  if (!res) abort();
  int rc = eval_prog(e, kind, p, rows, nrows, res, why, whylen);
  if (rc == 0) {
    push_keys(out, p->dim->cols[p->dim->key_col].data, rows, nrows, split ? NULL : res);
    if (split) *flags = res, res = NULL;
  }
  free(res);
  free(rows);
  interp_free(p);
  return rc;
}

/* The batch lowered over e's snapshot: conditions, then values (those the
 * interpreter declines, e.g. values that read enriched columns, are left
 * out); *m says how many.  Free with free_progs. */
static VProg **lower_all(EngineCtx *e, Schema *dim, const EngineBatch *b, int *m) {
  int64_t now;
  snap_parse_ts(e->now, &now);
  VProg **ps = calloc((size_t)(b->nrules + b->nvalues) + 1, sizeof *ps);
  if (!ps) abort();
  *m = 0;
  for (int i = 0; i < b->nrules + b->nvalues; i++) {
    char w[256];
    int val = i >= b->nrules;
    Expr **x = val ? &b->values[i - b->nrules] : &b->rules[i];
    ps[*m] = interp_compile_ex(e->snap, dim, x, 1, now, NULL, val, w, sizeof w);
    if (ps[*m]) (*m)++;
  }
  return ps;
}

static void free_progs(VProg **ps, int m) {
  for (int i = 0; i < m; i++) interp_free(ps[i]);
  free(ps);
}

/* Makes the snapshot cover the batch's tables; the lowered batch, or NULL
 * (why) when there is nothing the JIT could take. */
static VProg **batch_progs(EngineCtx *e, Schema *dim, const EngineBatch *b, int *m, char *why, size_t whylen,
                           int *err) {
  *m = 0, *err = 0;
  int n = b->nrules + b->nvalues;
  if (!jit_available() || n <= 0 || !dim->key || dim->key->type->kind != T_INT) return NULL;
  Expr **all = calloc((size_t)n + 1, sizeof *all);
  if (!all) abort();
  for (int i = 0; i < n; i++) all[i] = i < b->nrules ? b->rules[i] : b->values[i - b->nrules];
  *err = engine_prepare(e, dim, all, n, why, whylen) != 0;
  free(all);
  if (*err) return NULL;
  if (!e->jit) e->jit = jit_cache_new();
  return lower_all(e, dim, b, m);
}

int engine_jit_precompile_batch(EngineCtx *e, Schema *dim, const EngineBatch *b, int *ncompiled, char *why,
                                size_t whylen) {
  int m, err;
  *ncompiled = 0;
  VProg **ps = batch_progs(e, dim, b, &m, why, whylen, &err);
  if (!ps) return err ? -1 : 0;
  int *ok = calloc((size_t)m + 1, sizeof *ok);
  if (!ok) abort();
  int rc = jit_prepare(e->jit, ps, m, ok, why, whylen);
  for (int i = 0; i < m; i++) *ncompiled += ok[i];
  free_progs(ps, m);
  free(ok);
  return rc;
}

int engine_jit_precompile(EngineCtx *e, Schema *dim, Expr **rules, int n, int *ncompiled, char *why,
                          size_t whylen) {
  EngineBatch b = {rules, n, NULL, 0};
  return engine_jit_precompile_batch(e, dim, &b, ncompiled, why, whylen);
}

int engine_jit_warm(EngineCtx *e, Schema *dim, const EngineBatch *b) {
  char why[256];
  int m, err;
  VProg **ps = batch_progs(e, dim, b, &m, why, sizeof why, &err);
  int warm = ps && m > 0 && jit_cached(e->jit, ps, m);
  free_progs(ps, m);
  return warm;
}

int engine_jit_compile_background(EngineCtx *e, Schema *dim, const EngineBatch *b) {
  char why[256];
  int m, err;
  VProg **ps = batch_progs(e, dim, b, &m, why, sizeof why, &err);
  int rc = ps && m > 0 ? jit_prepare_background(e->jit, ps, m) : -1;
  free_progs(ps, m);
  return rc;
}

/* 1 if an expression reads an added (enriched) column of its population. */
static int reads_added(const Expr *x) {
  if (!x) return 0;
  if (x->ref == REF_ADDED) return 1;
  if (reads_added(x->left) || reads_added(x->right) || reads_added(x->where)) return 1;
  for (int i = 0; i < x->args.len; i++)
    if (reads_added(x->args.items[i])) return 1;
  return 0;
}

/* sql_run sees the dimension table only, not the step's input table that
 * holds the enriched columns: such rules go back to the step's own SQL
 * (answer 1), never to a query that names a column it cannot see. */
static int sql_can_run(Expr **rules, int n, char *why, size_t whylen) {
  for (int i = 0; i < n; i++)
    if (reads_added(rules[i])) {
      snprintf(why, whylen, "the rule reads an enriched column: the step's SQL");
      return 0;
    }
  return 1;
}

/* Rows of dim's table, cheaply (db_row_estimate: SQLite's max(rowid), no
 * scan; PostgreSQL's planner estimate); -1 when it cannot tell (a WITHOUT
 * ROWID SQLite table): the snapshot then counts. */
static int64_t table_rows(EngineCtx *e, Schema *dim) { return db_row_estimate(e->db, dim->name); }

static int dispatch(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n, int split,
                    const KeyVec *input, KeyVec *out, uint8_t **flags, char *why, size_t whylen) {
  char w[256] = "";
  int rc;
  switch (kind) {
    case ENGINE_SQL:
      if (!sql_can_run(rules, n, why, whylen)) return 1;
      rc = sql_run(e, dim, rules, n, split, input, out, flags, w, sizeof w);
      snprintf(e->why, sizeof e->why, "sql requested");
      break;
    case ENGINE_JIT:
    case ENGINE_INTERP:
      e->why[0] = 0;
      rc = columnar(e, kind, dim, rules, n, split, input, out, flags, w, sizeof w);
      if (!e->why[0] || e->last_used == kind) snprintf(e->why, sizeof e->why, "%s requested", kind_names[kind]);
      kind = e->last_used;
      break;
    default: {
      /* the rows the rule reads: the input, or the whole table (an
       * estimate, no scan) — a small one is cheaper to ask the database
       * than to snapshot (README, docs/engines.md) */
      int64_t rows = input ? (int64_t)input->n : table_rows(e, dim);
      if (rows >= 0 && rows < e->auto_min_rows) {
        if (!sql_can_run(rules, n, why, whylen)) return 1;
        snprintf(e->why, sizeof e->why, "auto: %lld %srows, below %lld: sql", (long long)rows,
                 input ? "input " : "", (long long)e->auto_min_rows);
        kind = ENGINE_SQL;
        rc = sql_run(e, dim, rules, n, split, input, out, flags, w, sizeof w);
        break;
      }
      int64_t cnt = rows;
      if (cnt < 0 && !engine_prepare(e, dim, rules, n, w, sizeof w)) {
        int ti = snapshot_table(e->snap, dim->name);
        cnt = ti < 0 ? 0 : e->snap->tables[ti].nrows;
      }
      /* below the break-even only code already loaded (warm) is used */
      int loaded_only = e->jit_loaded_only;
      kind = jit_available() && (cnt >= e->auto_jit_rows || e->jit) ? ENGINE_JIT : ENGINE_INTERP;
      e->jit_loaded_only = cnt < e->auto_jit_rows;
      e->why[0] = 0;
      rc = columnar(e, kind, dim, rules, n, split, input, out, flags, w, sizeof w);
      e->jit_loaded_only = loaded_only;
      kind = e->last_used;
      if (rc == 1) {
        if (!sql_can_run(rules, n, why, whylen)) return 1;
        snprintf(e->why, sizeof e->why, "auto: sql (%.200s)", w);
        kind = ENGINE_SQL;
        rc = sql_run(e, dim, rules, n, split, input, out, flags, w, sizeof w);
      } else {
        char prev[200];
        snprintf(prev, sizeof prev, "%.190s", e->why);
        snprintf(e->why, sizeof e->why, "auto: %s over the snapshot%s%s", kind_names[kind],
                 prev[0] ? " — " : "", prev);
      }
    }
  }
  e->last_used = kind;
  if (rc) snprintf(why, whylen, "%s", w);
  else if (why && whylen) snprintf(why, whylen, "%s", e->why);
  return rc;
}

int engine_select(EngineCtx *e, EngineKind kind, Schema *dim, Expr *rule, const KeyVec *input,
                  KeyVec *out, char *why, size_t whylen) {
  Expr *rules[1] = {rule};
  return dispatch(e, kind, dim, rules, 1, 0, input, out, NULL, why, whylen);
}

int engine_split(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n,
                 const KeyVec *input, KeyVec *keys, uint8_t **flags, char *why, size_t whylen) {
  *flags = NULL;
  return dispatch(e, kind, dim, rules, n, 1, input, keys, flags, why, whylen);
}

/* ------------------------------------------------ rows (exec_mem.c) */

int engine_prepare_all(EngineCtx *e, Schema **dims, int ndims, Expr **rules, int nrules, char *err,
                       size_t errlen) {
  SchemaSet *ss = e->schemas;
  for (int i = 1; i < ndims; i++) snapshot_add_schema(dims[i], &ss->v, &ss->n);
  return engine_prepare(e, dims[0], rules, nrules, err, errlen);
}

const SnapTable *engine_table(EngineCtx *e, Schema *dim) {
  int ti = e->snap && dim ? snapshot_table(e->snap, dim->name) : -1;
  return ti < 0 ? NULL : &e->snap->tables[ti];
}

int engine_eval_rows(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n,
                     const InterpAdded *added, const uint32_t *rows, int64_t nrows, uint8_t *flags,
                     char *why, size_t whylen) {
  int64_t now;
  snap_parse_ts(e->now, &now);
  VProg *p = interp_compile_ex(e->snap, dim, rules, n, now, added, 0, why, whylen);
  if (!p) return 1;
  int rc = eval_prog(e, kind, p, rows, nrows, flags, why, whylen);
  interp_free(p);
  return rc;
}

/* The values of expression k by the jit into *out: 0, or 1 when the
 * interpreter must compute it (why). */
static int value_by_jit(EngineCtx *e, Schema *dim, Expr *ex, const InterpAdded *added, const uint32_t *rows,
                        int64_t nrows, IVals *out, char *why, size_t whylen) {
  int64_t now;
  snap_parse_ts(e->now, &now);
  VProg *p = interp_compile_ex(e->snap, dim, &ex, 1, now, added, 1, why, whylen);
  if (!p) return 1;
  int rc = 1;
  if (e->jit_loaded_only && !(e->jit && jit_loaded(e->jit, p)))
    snprintf(why, whylen, "the value is not compiled and a compile would not pay");
  else {
    if (!e->jit) e->jit = jit_cache_new();
    rc = jit_eval_values(e->jit, p, rows, nrows, jit_threads_for(e, nrows), out, why, whylen);
    if (rc < 0) fprintf(stderr, "camp: %s; running the interpreter instead\n", why);
  }
  interp_free(p);
  return rc != 0;
}

int engine_values_rows(EngineCtx *e, EngineKind kind, Schema *dim, Expr **exprs, int n,
                       const InterpAdded *added, const uint32_t *rows, int64_t nrows, IVals *out, char *why,
                       size_t whylen) {
  int64_t now;
  snap_parse_ts(e->now, &now);
  uint8_t *byjit = calloc((size_t)n + 1, 1);
  Expr **rest = calloc((size_t)n + 1, sizeof *rest);
  int *at = calloc((size_t)n + 1, sizeof *at);
  if (!byjit || !rest || !at) abort();
  int nrest = 0;
  e->values_by_jit = 0;
  for (int k = 0; k < n; k++) {
    char w[256];
    if (kind == ENGINE_JIT && jit_available() &&
        value_by_jit(e, dim, exprs[k], added, rows, nrows, &out[k], w, sizeof w) == 0) {
      byjit[k] = 1, e->values_by_jit++;
      continue;
    }
    at[nrest] = k, rest[nrest++] = exprs[k];
  }
  int rc = 0;
  if (nrest) { /* the others in one interpreter pass */
    IVals *tmp = calloc((size_t)nrest + 1, sizeof *tmp);
    if (!tmp) abort();
    VProg *p = interp_compile_ex(e->snap, dim, rest, nrest, now, added, 1, why, whylen);
    VRun run = {e->snap, now, NULL};
    rc = p ? interp_eval_values(p, &run, rows, nrows, tmp) : 1;
    if (p && rc == 1) snprintf(why, whylen, "%s", run.bail ? run.bail : "the interpreter bailed out");
    for (int i = 0; i < nrest && rc == 0; i++) out[at[i]] = tmp[i];
    if (p && rc) for (int i = 0; i < nrest; i++) ivals_free(&tmp[i]);
    interp_free(p);
    free(tmp);
  }
  if (rc)
    for (int k = 0; k < n; k++)
      if (byjit[k]) ivals_free(&out[k]);
  e->last_used = e->values_by_jit ? ENGINE_JIT : ENGINE_INTERP;
  free(byjit), free(rest), free(at);
  return rc;
}
