/* exec_engine.c — select steps evaluated by the rule engines (--engine):
 * the engine returns the matching keys, which become the step's table, so
 * everything downstream is the same whichever engine ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"

void exec_engine_free(Exec *x) {
  if (x->eng_ready) engine_free(&x->eng);
  x->eng_ready = 0;
}

static int precompile(Exec *x);

static int on_postgres(Exec *x) { return strcmp(db_backend(x->db), "postgres") == 0; }

int exec_engine_ensure(Exec *x) {
  if (x->eng_ready) return 0;
  int64_t seed = program_seed(x->camp);
  char err[512];
  if (engine_init(&x->eng, x->db, x->o->db_path, x->now, seed, err, sizeof err)) {
    snprintf(x->err, sizeof x->err, "rule engine: %s", err);
    return -1;
  }
  x->eng_ready = 1;
  return precompile(x);
}

static void explain(Exec *x, Step *s, const char *engine, const char *why);

/* Keys of step s's input table (its name into table); 1 = text keys, use
 * SQL (explained); -1 = error in x->err. */
static int input_keys(Exec *x, Step *s, char *table, size_t tablelen, KeyVec *in) {
  exec_table(x, ((StepInput *)s->inputs.items[0])->name, table, tablelen);
  int r = exec_keys_read(x, table, in);
  if (r) {
    keyvec_free(in);
    if (r < 0) snprintf(x->err, sizeof x->err, "%s", db_error(x->db));
    else explain(x, s, "sql", "text keys");
  }
  return r;
}

static int store_keys(Exec *x, const KeyVec *keys) {
  return exec_keys_store(x, "camp_engine_result", keys->v, keys->n);
}

/* Creates the table of output `name` (population pop) from the keys in
 * temp.camp_engine_result, with the input table's added columns. */
static int create_from_keys(Exec *x, const char *name, Pop *pop, const char *input) {
  char out[512];
  exec_table(x, name, out, sizeof out);
  size_t cap = 4096, len = 0;
  char *sql = malloc(cap);
  if (!sql) abort();
  const char *tmp = db_temp_schema(x->db);
  int pg = on_postgres(x);
  len += (size_t)snprintf(sql, cap, "DROP TABLE IF EXISTS %s%s%s; CREATE %sTABLE %s AS SELECT ",
                          x->dry ? tmp : "", x->dry ? "." : "", out, x->dry ? "TEMP " : "", out);
  if (!input) {
    len += (size_t)snprintf(sql + len, cap - len, "r.\"_key\" AS \"_key\" FROM %s.camp_engine_result AS r", tmp);
  } else {
    len += (size_t)snprintf(sql + len, cap - len, "p.\"_key\"");
    for (int i = 0; i < pop->added.len && len < cap - 300; i++)
      len += (size_t)snprintf(sql + len, cap - len, ", p.\"%s\"", ((AddedCol *)pop->added.items[i])->name);
    len += (size_t)snprintf(sql + len, cap - len,
                            " FROM %s AS p JOIN %s.camp_engine_result AS r ON r.\"_key\" = p.\"_key\"", input, tmp);
  }
  /* Same key index as the SQL generator gives every step table (an index
   * lives in its table's schema on PostgreSQL, which also analyzes). */
  snprintf(sql + len, cap - len, "; CREATE INDEX %s\"%s%s__key\" ON %s(\"_key\")%s%s",
           x->dry && !pg ? "temp." : "", x->prefix, name, out, pg ? "; ANALYZE " : "", pg ? out : "");
  int rc = db_exec(x->db, sql);
  free(sql);
  return rc ? -1 : 0;
}

static void explain(Exec *x, Step *s, const char *engine, const char *why) {
  (void)s;
  if (x->o->explain) snprintf(x->step_note, sizeof x->step_note, "%s (%.500s)", engine, why);
}

/* Should auto compile (or load) the rules over dim before the first step?
 * Yes from the JIT's cold break-even on; below it (but above the SQL
 * threshold) only when they are compiled already — a recurring campaign's
 * rules are, from its second run on — so loading costs about a millisecond
 * and the JIT beats the interpreter on any input the columnar engines get. */
static int auto_precompiles(Exec *x, Schema *dim, const EngineBatch *bt, const char **how) {
  int64_t rows = db_row_estimate(x->db, dim->name);
  *how = "compiled in one context";
  if (rows < x->eng.auto_min_rows) return 0;
  if (rows >= x->eng.auto_jit_rows) return 1;
  *how = "found compiled in the cache";
  if (engine_jit_warm(&x->eng, dim, bt)) return 1;
  /* cold: the interpreter answers now, the next run finds the code */
  if (engine_jit_compile_background(&x->eng, dim, bt) == 1 && x->o->explain)
    fprintf(stderr, "explain: jit: %s rules compiling in the background for the next run "
                    "(%lld rows, below the cold break-even of %lld)\n",
            dim->name, (long long)rows, (long long)x->eng.auto_jit_rows);
  return 0;
}

/* The value expressions of step s the engines compute in a plan in
 * memory (exec_mem.c): enrich columns, dedup keys and preferences, split
 * order keys; appended to v (up to cap). */
static void step_values(Step *s, Expr **v, int *n, int cap) {
  for (int i = 0; s->kind == S_ENRICH && i < s->enrich.len && *n < cap; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (it->expr) v[(*n)++] = it->expr;
  }
  for (int i = 0; s->kind == S_DEDUP && i < s->keys.len && *n < cap; i++) v[(*n)++] = s->keys.items[i];
  for (int i = 0; s->kind == S_DEDUP && i < s->prefer.len && *n < cap; i++) {
    Expr *e = s->prefer.items[i];
    if (e->kind == E_IN) v[(*n)++] = e->left;
    else if (e->kind == E_CALL && e->args.len == 1 && strcmp(e->name, "random")) v[(*n)++] = e->args.items[0];
  }
  for (int b = 0; s->kind == S_SPLIT && b < s->branches.len; b++) {
    SplitBranch *br = s->branches.items[b];
    for (int k = 0; k < br->order.len && *n < cap; k++) v[(*n)++] = ((OrderItem *)br->order.items[k])->expr;
  }
}

/* With --engine jit, everything the engines evaluate over a dimension —
 * select rules and split conditions, and in a plan also the values of
 * enrich, dedup and top-N split steps — is compiled as one batch before
 * the first step; with auto, when auto_precompiles says so. */
static int precompile(Exec *x) {
  if (x->engine != ENGINE_JIT && x->engine != ENGINE_AUTO) return 0;
  if (!engine_have_jit()) return 0;
  PtrVec dims = {0};
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *s = x->camp->steps.items[i];
    int uses = (s->kind == S_SELECT && s->rule) || s->kind == S_SPLIT ||
               (x->dry && (s->kind == S_ENRICH || s->kind == S_DEDUP));
    if (!uses || !s->npops || !s->pops[0]->dim) continue;
    int seen = 0;
    for (int k = 0; k < dims.len; k++) seen |= dims.items[k] == s->pops[0]->dim;
    if (!seen) vec_push(&x->p->arena, &dims, s->pops[0]->dim);
  }
  for (int k = 0; k < dims.len; k++) {
    Schema *dim = dims.items[k];
    Expr *rules[256], *vals[256];
    int n = 0, nv = 0;
    for (int i = 0; i < x->camp->steps.len; i++) {
      Step *s = x->camp->steps.items[i];
      if (!s->npops || s->pops[0]->dim != dim) continue;
      if (s->kind == S_SELECT && s->rule && n < 256) rules[n++] = s->rule;
      for (int b = 0; s->kind == S_SPLIT && b < s->branches.len && n < 256; b++) {
        SplitBranch *br = s->branches.items[b];
        if (br->rule) rules[n++] = br->rule;
      }
      if (x->dry) step_values(s, vals, &nv, 256); /* runs compute values in SQL */
    }
    EngineBatch bt = {rules, n, vals, nv};
    int compiled = 0;
    char why[256] = "";
    const char *how = "compiled in one context";
    if (x->engine == ENGINE_AUTO && !auto_precompiles(x, dim, &bt, &how)) continue;
    if (engine_jit_precompile_batch(&x->eng, dim, &bt, &compiled, why, sizeof why)) {
      /* Not fatal: each step then falls back on its own. */
      if (x->o->explain) fprintf(stderr, "explain: jit precompile for %s failed: %s\n", dim->name, why);
      continue;
    }
    if (x->o->explain)
      fprintf(stderr, "explain: jit: %d of %d %s rules and values %s\n", compiled, n + nv, dim->name, how);
  }
  return 0;
}

typedef struct Cand {
  uint64_t hash;
  int64_t key;
  size_t row;
} Cand;

static int cand_cmp(const void *pa, const void *pb) {
  const Cand *a = pa, *b = pb;
  if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
  return a->key < b->key ? -1 : a->key > b->key;
}

/* A split whose conditions the engines evaluate in one pass; the subsets
 * are then formed exactly as the generated SQL forms them (earlier subsets
 * first unless `overlap`, limits by count or percent of the input rounded
 * half up, random samples ordered by camp_hash(seed, 'split:subset', key)
 * then key).  Top-N subsets (`order by`) need SQL. */
static int split_engine(Exec *x, Step *s) {
  int nb = s->branches.len;
  Expr *rules[256];
  int nr = 0;
  for (int b = 0; b < nb; b++) {
    SplitBranch *br = s->branches.items[b];
    if (br->order.len || nb > 256 || s->outputs.len != nb) {
      explain(x, s, "sql", "top-N subsets (order by) are ordered in SQL");
      return 1;
    }
    if (!br->is_else) rules[nr++] = br->rule;
  }
  if (exec_engine_ensure(x)) return -1;
  Pop *pop = s->pops[0];
  char table[512], why[256] = "";
  KeyVec in = {0}, keys = {0};
  int r = input_keys(x, s, table, sizeof table, &in);
  if (r) return r;
  uint8_t *flags = NULL;
  int rc = engine_split(&x->eng, x->engine, pop->dim, rules, nr, &in, &keys, &flags, why, sizeof why);
  keyvec_free(&in);
  if (rc) {
    keyvec_free(&keys);
    free(flags);
    if (rc == 1) explain(x, s, "sql", why[0] ? why : "the engine cannot express these rules");
    else snprintf(x->err, sizeof x->err, "step %s: rule engine: %s", s->label, why);
    return rc;
  }
  explain(x, s, engine_kind_name(x->eng.last_used), x->eng.why[0] ? x->eng.why : why);
  size_t n = keys.n;
  uint8_t *taken = calloc(n + 1, 1);
  Cand *cand = malloc(sizeof *cand * (n + 1));
  if (!taken || !cand) abort();
  int64_t seed = program_seed(x->camp);
  int ri = 0;
  for (int b = 0; b < nb && rc == 0; b++) {
    SplitBranch *br = s->branches.items[b];
    const char *name = s->outputs.items[b];
    char salt[600];
    snprintf(salt, sizeof salt, "%s:%s", s->label, name);
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
      int match = br->is_else ? !taken[i] : flags[i * (size_t)nr + (size_t)ri] && (s->overlap || !taken[i]);
      if (!match) continue;
      cand[nc].hash = br->has_limit ? exec_seeded_hash(seed, salt, keys.v[i]) : 0;
      cand[nc].key = keys.v[i];
      cand[nc].row = i;
      nc++;
    }
    size_t keep = nc;
    if (br->has_limit) {
      /* Order as the SQL does: hash, then key. */
      qsort(cand, nc, sizeof *cand, cand_cmp);
      int64_t lim = br->is_percent ? exec_percent_limit(n, br->limit_percent) : br->limit;
      if (lim < 0) lim = 0;
      if ((size_t)lim < keep) keep = (size_t)lim;
    }
    KeyVec outk = {0};
    for (size_t k = 0; k < keep; k++) {
      keyvec_push(&outk, cand[k].key);
      taken[cand[k].row] = 1; /* later subsets skip it (unless overlap) */
    }
    rc = store_keys(x, &outk);
    if (rc == 0) rc = create_from_keys(x, name, s->pops[b], table);
    if (rc) snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
    keyvec_free(&outk);
    if (!br->is_else) ri++;
  }
  free(taken);
  free(cand);
  free(flags);
  keyvec_free(&keys);
  return rc;
}

int exec_select_engine(Exec *x, Step *s) {
  if (s->kind == S_SPLIT && x->engine != ENGINE_SQL) return split_engine(x, s);
  if (s->kind != S_SELECT || !s->rule || x->engine == ENGINE_SQL) {
    if (s->kind == S_SELECT && s->rule) explain(x, s, "sql", "--engine sql");
    else if (x->o->explain) explain(x, s, "sql", "only select and split steps run in the columnar engines");
    return 1;
  }
  if (exec_engine_ensure(x)) return -1;
  Pop *pop = s->pops[0];
  KeyVec in = {0}, out = {0};
  char table[512] = "", why[256] = "";
  int have_input = s->inputs.len > 0;
  if (have_input) {
    int r = input_keys(x, s, table, sizeof table, &in);
    if (r) return r;
  }
  int rc = engine_select(&x->eng, x->engine, pop->dim, s->rule, have_input ? &in : NULL, &out, why,
                         sizeof why);
  keyvec_free(&in);
  if (rc == 1) {
    keyvec_free(&out);
    explain(x, s, "sql", why[0] ? why : "the engine cannot express this rule");
    return 1;
  }
  if (rc < 0) {
    snprintf(x->err, sizeof x->err, "step %s: rule engine: %s", s->label, why);
    keyvec_free(&out);
    return -1;
  }
  explain(x, s, engine_kind_name(x->eng.last_used), x->eng.why[0] ? x->eng.why : why);
  rc = store_keys(x, &out);
  keyvec_free(&out);
  if (rc == 0) rc = create_from_keys(x, s->label, s->pops[0], have_input ? table : NULL);
  if (rc) snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
  return rc;
}
