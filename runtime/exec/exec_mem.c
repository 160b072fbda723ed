/* exec_mem.c — `camp plan` with a columnar engine runs the whole step graph
 * in memory over the snapshot: a population is a sorted list of dimension
 * row numbers plus its added columns, and every step (select, combine,
 * dedup, enrich, split, wait, save, channel, ...) is computed on those
 * lists exactly as the generated SQL computes it on the tables (same
 * ordering rules, same seeded hashes, same NULL rules).  Nothing is written
 * to the database, which is what makes a plan over millions of rows fast.
 *
 * A step this file cannot reproduce exactly (a rule the interpreter
 * declines, text keys, `on (...)` combines, reconcile, ...) stops the
 * in-memory plan: exec.c then plans again step by step (SQL tables), so
 * the answer never depends on which path ran. */
#include "runtime/exec/exec_mem_int.h"

static int step_run(ExecMem *m, Step *s) {
  switch (s->kind) {
    case S_SELECT: return mem_step_select(m, s);
    case S_COMBINE: return mem_step_combine(m, s);
    case S_DEDUP: return mem_step_dedup(m, s);
    case S_ENRICH: return mem_step_enrich(m, s);
    case S_SPLIT: return mem_step_split(m, s);
    case S_CHANNEL: return mem_step_channel(m, s);
    case S_WAIT: case S_SAVE:
      *mem_slot(m, s, 0) = mem_input(m, s, 0);
      return 0;
    case S_FORK:
      for (int k = 0; k < s->outputs.len; k++) *mem_slot(m, s, k) = mem_input(m, s, 0);
      return 0;
    case S_JOIN: {
      MPop *p = mem_input_named(m, s, s->primary);
      if (!p) return mem_decline(m, s, "join primary not in memory%s", NULL);
      *mem_slot(m, s, 0) = p;
      return 0;
    }
    case S_RETARGET: /* a plan delivers nothing, so no feedback exists */
      *mem_slot(m, s, 0) = mem_new_pop(m, s->pops[0]);
      return 0;
    case S_AUDIENCE: return mem_step_audience(m, s);
    case S_CHANGE_DIM: return mem_step_change_dim(m, s);
    case S_RECONCILE: return mem_decline(m, s, "reconcile imports a file in SQL%s", NULL);
    case S_LOCAL_APPROVAL: return mem_decline(m, s, "a local approval reads camp_distrib_contacts in SQL%s", NULL);
    case S_HOLDOUT: return mem_step_holdout(m, s);
  }
  return mem_decline(m, s, "unknown step kind%s", NULL);
}

/* ------------------------------------------------------------ API */

/* Static checks before any work: step kinds and keys the memory plan
 * cannot reproduce.  0 = worth trying; 1 = no (m->why). */
static int precheck(ExecMem *m) {
  Decl *camp = m->x->camp;
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (s->kind == S_RECONCILE) return mem_decline(m, s, "reconcile steps import their file in SQL%s", NULL);
    if (s->kind == S_COMBINE && s->on_cols.len) return mem_decline(m, s, "combine on (...) columns runs in SQL%s", NULL);
    for (int k = 0; k < s->npops; k++) {
      Schema *d = s->pops[k]->dim;
      if (!d || !d->key || d->key->type->kind != T_INT)
        return mem_decline(m, s, "the columnar engines need an int key%s", NULL);
    }
  }
  return 0;
}

/* Every expression of the campaign, so one snapshot covers all tables. */
static int collect_exprs(Decl *camp, Expr **out, int cap) {
  int n = 0;
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
#define ADD(e) do { if ((e) && n < cap) out[n++] = (e); } while (0)
    if (s->kind != S_RETARGET) ADD(s->rule);
    for (int k = 0; k < s->keys.len; k++) ADD((Expr *)s->keys.items[k]);
    for (int k = 0; k < s->prefer.len; k++) ADD((Expr *)s->prefer.items[k]);
    for (int k = 0; k < s->enrich.len; k++) ADD(((EnrichItem *)s->enrich.items[k])->expr);
    for (int b = 0; b < s->branches.len; b++) {
      SplitBranch *br = s->branches.items[b];
      ADD(br->rule);
      for (int k = 0; k < br->order.len; k++) ADD(((OrderItem *)br->order.items[k])->expr);
    }
#undef ADD
  }
  return n;
}

/* 1 if the database has a table for schema sc with every column (through
 * db_table_info, so SQLite and PostgreSQL answer alike). */
static int table_matches(Db *db, Schema *sc) {
  DbTableInfo t;
  if (db_table_info(db, sc->name, &t)) return 0;
  int found = 0;
  for (int i = 0; i < t.ncols; i++)
    for (int c = 0; c < sc->columns.len; c++)
      if (!strcmp(((Column *)sc->columns.items[c])->name, t.cols[i].name)) found++;
  db_free_table_info(&t);
  return found == sc->columns.len && found > 0;
}

ExecMem *exec_mem_new(Exec *x, char *why, size_t whylen) {
  ExecMem *m = calloc(1, sizeof *m);
  if (!m) abort();
  m->x = x;
  m->kind = x->engine == ENGINE_INTERP ? ENGINE_INTERP : ENGINE_JIT;
  if (!engine_have_jit()) m->kind = ENGINE_INTERP;
  int slots = 0;
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *s = x->camp->steps.items[i];
    slots += s->outputs.len ? s->outputs.len : 1;
  }
  m->pops = calloc((size_t)slots + 1, sizeof *m->pops);
  if (!m->pops) abort();
  if (precheck(m)) goto no;
  Expr **ex = malloc(sizeof *ex * 4096);
  if (!ex) abort();
  int n = collect_exprs(x->camp, ex, 4096);
  char err[256];
  Schema *dims[256];
  int nd = 0;
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *s = x->camp->steps.items[i];
    for (int k = 0; k < s->npops; k++) {
      int seen = 0;
      for (int d = 0; d < nd; d++) seen |= dims[d] == s->pops[k]->dim;
      if (!seen && nd < 256) dims[nd++] = s->pops[k]->dim;
    }
  }
  /* Every other schema of the program whose table is in the database goes
   * in too: campaigns sharing a schema file then share one snapshot
   * instead of rebuilding it for each other's table set. */
  for (int i = 0; i < x->p->schemas.len && nd && nd < 256; i++) {
    Schema *sc = x->p->schemas.items[i];
    int seen = 0;
    for (int d = 0; d < nd; d++) seen |= dims[d] == sc;
    if (!seen && table_matches(x->db, sc)) dims[nd++] = sc;
  }
  if (!nd) {
    free(ex);
    snprintf(m->why, sizeof m->why, "no population to plan");
    goto no;
  }
  int bad = engine_prepare_all(&x->eng, dims, nd, ex, n, err, sizeof err);
  free(ex);
  if (bad) {
    snprintf(m->why, sizeof m->why, "snapshot: %s", err);
    goto no;
  }
  int64_t most = 0;
  for (int d = 0; d < nd; d++) {
    const SnapTable *t = engine_table(&x->eng, dims[d]);
    if (!t) {
      snprintf(m->why, sizeof m->why, "table %s is not in the snapshot", dims[d]->name);
      goto no;
    }
    /* populations are keyed through the key column: check it first */
    if (t->key_col >= 0 && !t->key_bad &&
        snapshot_check_col(x->eng.snap, t, t->key_col, m->why, sizeof m->why))
      goto no;
    if (t->nrows > most) most = t->nrows;
  }
  /* auto below the jit's cold break-even (a compile costs 20-60 ms): code
   * already loaded (found in the cache) runs, other rules are interpreted */
  if (x->engine == ENGINE_AUTO && most < x->eng.auto_jit_rows) x->eng.jit_loaded_only = 1;
  return m;
no:
  snprintf(why, whylen, "%s", m->why);
  exec_mem_free(m);
  return NULL;
}

/* CAMP_PLAN_KEYS test hook: the same lines exec_step.c writes from tables. */
static void write_keys(ExecMem *m, const MPop *p, const char *name) {
  fprintf(m->x->keys_out, "%s:", name);
  if (p && p->n) {
    int64_t *keys = mem_keys_of(m, p);
    for (int64_t i = 0; i < p->n; i++) fprintf(m->x->keys_out, " %lld", (long long)keys[i]);
    free(keys);
  }
  fputc('\n', m->x->keys_out);
}

/* --explain: which engine evaluated the step's conditions, and why. */
static void explain_step(ExecMem *m, Step *s) {
  if (!m->x->o->explain) return;
  char c[400] = "";
  const char *why = m->used_why;
  if (!strncmp(why, "interp: ", 8)) why += 8;
  if (m->used_jit || m->used_interp)
    snprintf(c, sizeof c, "conditions by %s%s%s", m->used_jit && m->used_interp ? "jit and interp" : m->used_jit ? "jit" : "interp",
             why[0] ? ": " : "", why);
  (void)s;
  char v[80] = "";
  if (m->nvalues_jit == m->nvalues && m->nvalues) snprintf(v, sizeof v, "values by jit");
  else if (m->nvalues_jit) snprintf(v, sizeof v, "values: %d by jit, %d by interp", m->nvalues_jit, m->nvalues - m->nvalues_jit);
  else if (m->nvalues) snprintf(v, sizeof v, "values by interp");
  snprintf(m->x->step_note, sizeof m->x->step_note, "in memory (%s%s%s)", c, c[0] && v[0] ? "; " : "",
           v[0] ? v : c[0] ? "" : "no rule");
}

int exec_mem_step(ExecMem *m, Step *s, char *why, size_t whylen) {
  m->used_jit = m->used_interp = m->nvalues = m->nvalues_jit = 0;
  m->used_why[0] = 0;
  if (step_run(m, s)) {
    snprintf(why, whylen, "%s", m->why);
    return 1;
  }
  explain_step(m, s);
  int n = s->outputs.len ? s->outputs.len : 1;
  for (int k = 0; k < n; k++) {
    MPop *p = *mem_slot(m, s, k);
    m->x->counts[m->x->count_base[s->index] + k] = p ? p->n : 0;
    if (m->x->keys_out) write_keys(m, p, s->outputs.len ? s->outputs.items[k] : s->label);
  }
  return 0;
}

void exec_mem_free(ExecMem *m) {
  if (!m) return;
  for (int i = 0; i < m->nvals; i++) {
    ivals_free(m->vals[i]);
    free(m->vals[i]);
  }
  for (int i = 0; i < m->nblocks; i++) free(m->blocks[i]);
  free(m->vals);
  free(m->blocks);
  free(m->pops);
  free(m);
}
