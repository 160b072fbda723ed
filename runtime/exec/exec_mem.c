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

/* ------------------------------------------------------------ memory */

void *mem_track(ExecMem *m, void *p) {
  if (!p) abort();
  if (m->nblocks == m->capblocks) {
    m->capblocks = m->capblocks ? m->capblocks * 2 : 64;
    m->blocks = realloc(m->blocks, sizeof *m->blocks * (size_t)m->capblocks);
    if (!m->blocks) abort();
  }
  m->blocks[m->nblocks++] = p;
  return p;
}

IVals *mem_new_vals(ExecMem *m) {
  IVals *v = calloc(1, sizeof *v);
  if (!v) abort();
  if (m->nvals == m->capvals) {
    m->capvals = m->capvals ? m->capvals * 2 : 64;
    m->vals = realloc(m->vals, sizeof *m->vals * (size_t)m->capvals);
    if (!m->vals) abort();
  }
  m->vals[m->nvals++] = v;
  return v;
}

/* An empty population of pop's dimension with pop's added columns. */
MPop *mem_new_pop(ExecMem *m, Pop *pop) {
  MPop *p = mem_track(m, calloc(1, sizeof *p));
  p->dim = pop->dim;
  p->ncols = pop->added.len;
  p->cols = mem_track(m, calloc((size_t)p->ncols + 1, sizeof *p->cols));
  p->names = mem_track(m, calloc((size_t)p->ncols + 1, sizeof *p->names));
  for (int c = 0; c < p->ncols; c++) p->names[c] = ((AddedCol *)pop->added.items[c])->name;
  return p;
}

int mem_col_index(const MPop *p, const char *name) {
  for (int c = 0; c < p->ncols; c++)
    if (!strcmp(p->names[c], name)) return c;
  return -1;
}

int mem_decline(ExecMem *m, Step *s, const char *fmt, const char *arg) {
  char msg[300];
  snprintf(msg, sizeof msg, fmt, arg ? arg : "");
  snprintf(m->why, sizeof m->why, "step %s: %s", s->label, msg);
  m->stopped = s;
  return 1;
}

/* Values for n rows, row i taken from srcs[which[i]] at position pos[i]
 * (which NULL: from srcs[0]; which[i] or pos[i] < 0: NULL).  The sources
 * must share one physical type (else NULL is returned: caller declines). */
static IVals *gather_from(ExecMem *m, IVals **srcs, int nsrc, const int32_t *which, const int64_t *pos,
                          int64_t n) {
  const IVals *t = NULL;
  for (int i = 0; i < nsrc; i++) {
    if (!srcs[i]) return NULL;
    if (t && srcs[i]->ph != t->ph) return NULL;
    t = srcs[i];
  }
  if (!t) return NULL;
  IVals *v = mem_new_vals(m);
  v->ph = t->ph, v->t = t->t, v->n = n;
  v->nul = malloc((size_t)n + 1);
  if (!v->nul) abort();
  if (t->ph == P_INT) v->iv = malloc(sizeof *v->iv * (size_t)(n + 1));
  if (t->ph == P_REAL) v->fv = malloc(sizeof *v->fv * (size_t)(n + 1));
  if (t->ph == P_TEXT) v->off = malloc(sizeof *v->off * (size_t)(n + 2));
  if ((t->ph == P_INT && !v->iv) || (t->ph == P_REAL && !v->fv) || (t->ph == P_TEXT && !v->off))
    abort();
  if (v->off) v->off[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int w = which ? which[i] : 0;
    int64_t j = w < 0 ? -1 : pos[i];
    const IVals *src = j < 0 ? NULL : srcs[w];
    v->nul[i] = src ? src->nul[j] : 1;
    if (v->iv) v->iv[i] = src ? src->iv[j] : 0;
    if (v->fv) v->fv[i] = src ? src->fv[j] : 0;
    if (v->off) {
      Str s = src ? ivals_str(src, j) : (Str){"", 0};
      if (v->nbytes + s.n + 1 > v->capbytes) {
        v->capbytes = (v->nbytes + s.n + 1) * 2 + 4096;
        v->bytes = realloc(v->bytes, v->capbytes);
        if (!v->bytes) abort();
      }
      memcpy(v->bytes + v->nbytes, s.p, s.n);
      v->nbytes += s.n;
      v->bytes[v->nbytes++] = 0;
      v->off[i + 1] = v->nbytes;
    }
  }
  return v;
}

static IVals *gather(ExecMem *m, IVals *src, const int64_t *pos, int64_t n) {
  return src ? gather_from(m, &src, 1, NULL, pos, n) : NULL;
}

/* The rows of src at positions pos (ascending), with every column. */
MPop *mem_subset(ExecMem *m, const MPop *src, const int64_t *pos, int64_t n) {
  MPop *p = mem_track(m, calloc(1, sizeof *p));
  p->dim = src->dim;
  p->ncols = src->ncols;
  p->names = src->names;
  p->cols = mem_track(m, calloc((size_t)p->ncols + 1, sizeof *p->cols));
  p->rows = mem_track(m, malloc(sizeof *p->rows * (size_t)(n + 1)));
  for (int64_t i = 0; i < n; i++) p->rows[i] = src->rows[pos[i]];
  p->n = n;
  for (int c = 0; c < src->ncols; c++) p->cols[c].v = gather(m, src->cols[c].v, pos, n);
  return p;
}

/* ---------------------------------------------------- populations */

MPop **mem_slot(ExecMem *m, Step *s, int k) { return &m->pops[m->x->count_base[s->index] + k]; }

/* Population of input i of step s (NULL if it is not in memory). */
MPop *mem_input(ExecMem *m, Step *s, int i) {
  StepInput *si = s->inputs.items[i];
  Step *prod = si->step;
  int k = 0;
  for (int o = 0; o < prod->outputs.len; o++)
    if (!strcmp(prod->outputs.items[o], si->name)) k = o;
  return *mem_slot(m, prod, k);
}

static MPop *input_named(ExecMem *m, Step *s, const char *name) {
  for (int i = 0; i < s->inputs.len; i++)
    if (!strcmp(((StepInput *)s->inputs.items[i])->name, name)) return mem_input(m, s, i);
  return NULL;
}

/* 1 if an expression reads the added column `name`. */
static int reads_added(const Expr *e, const char *name) {
  if (!e) return 0;
  if (e->ref == REF_ADDED && e->name && !strcmp(e->name, name)) return 1;
  if (reads_added(e->left, name) || reads_added(e->right, name) || reads_added(e->where, name)) return 1;
  for (int i = 0; i < e->args.len; i++)
    if (reads_added(e->args.items[i], name)) return 1;
  return 0;
}

/* Lays out added column c of p by dimension row (rows outside p NULL). */
static void overlay_col(ExecMem *m, MPop *p, int c, int64_t nr) {
  SnapCol *sc = &p->ov[c];
  const IVals *v = p->cols[c].v;
  size_t words = (size_t)(nr / 64 + 1);
  sc->link_table = -1;
  if (!v) return; /* not computed: data stays NULL, reading it declines */
  uint64_t *nulls = mem_track(m, malloc(words * 8));
  memset(nulls, 0xff, words * 8);
  for (int64_t i = 0; i < p->n; i++)
    if (!v->nul[i]) nulls[p->rows[i] >> 6] &= ~(1ULL << (p->rows[i] & 63));
  sc->nulls = nulls;
  sc->type = v->t;
  if (v->ph == P_INT) {
    int64_t *d = mem_track(m, calloc((size_t)nr + 1, sizeof *d));
    for (int64_t i = 0; i < p->n; i++) d[p->rows[i]] = v->iv[i];
    sc->kind = SC_I64, sc->data = d;
    if (sc->type == T_DECIMAL) sc->type = T_INT; /* an integer-valued decimal expression */
  } else if (v->ph == P_REAL) {
    double *d = mem_track(m, calloc((size_t)nr + 1, sizeof *d));
    for (int64_t i = 0; i < p->n; i++) d[p->rows[i]] = v->fv[i];
    sc->kind = SC_F64, sc->data = d, sc->type = T_DECIMAL, sc->dec_has_int = 1;
  } else {
    /* plain text: one string per dimension row (empty outside p) */
    uint64_t *off = mem_track(m, malloc(sizeof *off * (size_t)(nr + 2)));
    char *bytes = mem_track(m, malloc(v->nbytes + (size_t)nr + 1));
    size_t at = 0;
    int64_t j = 0;
    for (int64_t r = 0; r < nr; r++) {
      off[r] = at;
      if (j < p->n && p->rows[j] == r) {
        Str s = ivals_str(v, j++);
        memcpy(bytes + at, s.p, s.n);
        at += s.n;
      }
      bytes[at++] = 0;
    }
    off[nr] = at;
    sc->kind = SC_TEXT, sc->data = NULL, sc->ndict = (uint32_t)nr, sc->dict_sorted = 0;
    sc->str_off = off, sc->str_bytes = bytes;
    if (sc->type != T_ENUM) sc->type = T_TEXT;
  }
}

/* The added columns of p that exprs read, as dimension-row columns for the
 * interpreter (the others stay unset: nothing reads them). */
static const InterpAdded *overlay(ExecMem *m, MPop *p, Expr **exprs, int n, InterpAdded *ia) {
  ia->n = 0;
  if (!p->ncols) return NULL;
  const SnapTable *t = engine_table(&m->x->eng, p->dim);
  if (!t) return NULL;
  if (!p->ov) {
    p->ov = mem_track(m, calloc((size_t)p->ncols, sizeof *p->ov));
    p->ovready = mem_track(m, calloc((size_t)p->ncols, 1));
    for (int c = 0; c < p->ncols; c++) p->ov[c].link_table = -1;
  }
  for (int c = 0; c < p->ncols; c++) {
    if (p->ovready[c]) continue;
    int used = 0;
    for (int k = 0; k < n && !used; k++) used = reads_added(exprs[k], p->names[c]);
    if (!used) continue;
    overlay_col(m, p, c, t->nrows);
    p->ovready[c] = 1;
  }
  ia->cols = p->ov;
  ia->names = p->names;
  ia->n = p->ncols;
  return ia;
}

/* ------------------------------------------------------------ rules */

/* flags[i*n+k] for rules over the rows of p.  0, or 1 (declined). */
int mem_conditions(ExecMem *m, Step *s, MPop *p, Expr **rules, int n, uint8_t *flags) {
  InterpAdded ia;
  const InterpAdded *a = overlay(m, p, rules, n, &ia);
  char why[256] = "";
  m->x->eng.why[0] = 0;
  int rc = engine_eval_rows(&m->x->eng, m->kind, p->dim, rules, n, a, p->rows, p->n, flags, why,
                            sizeof why);
  if (rc) return mem_decline(m, s, "%s", why[0] ? why : "the engines cannot evaluate the rule");
  if (m->x->eng.last_used == ENGINE_JIT) m->used_jit++;
  else m->used_interp++;
  if (m->x->eng.why[0]) snprintf(m->used_why, sizeof m->used_why, "%s", m->x->eng.why);
  return 0;
}

/* Values of exprs over the rows of p into out[0..n-1] (tracked). */
int mem_values(ExecMem *m, Step *s, MPop *p, Expr **exprs, int n, IVals **out) {
  InterpAdded ia;
  const InterpAdded *a = overlay(m, p, exprs, n, &ia);
  IVals *tmp = calloc((size_t)n + 1, sizeof *tmp);
  if (!tmp) abort();
  char why[256] = "";
  int rc = engine_values_rows(&m->x->eng, m->kind, p->dim, exprs, n, a, p->rows, p->n, tmp, why, sizeof why);
  m->nvalues += n;
  m->nvalues_jit += m->x->eng.values_by_jit;
  if (rc) {
    free(tmp);
    return mem_decline(m, s, "%s", why[0] ? why : "the interpreter cannot compute the value");
  }
  for (int k = 0; k < n; k++) {
    out[k] = mem_new_vals(m);
    *out[k] = tmp[k];
  }
  free(tmp);
  return 0;
}

static MPop *all_rows(ExecMem *m, Pop *pop) {
  const SnapTable *t = engine_table(&m->x->eng, pop->dim);
  MPop *p = mem_new_pop(m, pop);
  p->rows = mem_track(m, malloc(sizeof *p->rows * (size_t)(t->nrows + 1)));
  for (int64_t i = 0; i < t->nrows; i++) p->rows[i] = (uint32_t)i;
  p->n = t->nrows;
  return p;
}

/* Positions of p whose flag (column k of n) is set. */
static int64_t *where_flags(const uint8_t *flags, int64_t rows, int n, int k, int64_t *cnt) {
  int64_t *pos = malloc(sizeof *pos * (size_t)(rows + 1));
  if (!pos) abort();
  int64_t c = 0;
  for (int64_t i = 0; i < rows; i++) {
    pos[c] = i;
    c += flags[i * n + k] != 0;
  }
  *cnt = c;
  return pos;
}

/* ------------------------------------------------------------ steps */

static int step_select(ExecMem *m, Step *s) {
  MPop *in = s->inputs.len ? mem_input(m, s, 0) : all_rows(m, s->pops[0]);
  if (!s->rule) {
    *mem_slot(m, s, 0) = in;
    return 0;
  }
  uint8_t *flags = malloc((size_t)in->n + 1);
  if (!flags) abort();
  if (mem_conditions(m, s, in, &s->rule, 1, flags)) return free(flags), 1;
  int64_t cnt;
  int64_t *pos = where_flags(flags, in->n, 1, 0, &cnt);
  *mem_slot(m, s, 0) = mem_subset(m, in, pos, cnt);
  free(pos);
  free(flags);
  return 0;
}

/* union / intersect / except, and the complement output.  An added
 * column's value comes, for a union, from the first input holding the row
 * (the SQL's row_number() over _src); otherwise from the first input (NULL
 * for complement rows it does not hold: the SQL's LEFT JOIN). */
static int step_combine(ExecMem *m, Step *s) {
  if (s->on_cols.len) return mem_decline(m, s, "combine on (...) columns runs in SQL%s", NULL);
  const SnapTable *t = engine_table(&m->x->eng, s->pops[0]->dim);
  int64_t nr = t->nrows;
  int nin = s->inputs.len, rc = 0;
  /* src[r] = first input holding row r (-1: none), at[r] = its position;
   * hits[r] = how many inputs after the first hold it */
  int32_t *src = malloc(sizeof *src * (size_t)(nr + 1));
  int64_t *at = malloc(sizeof *at * (size_t)(nr + 1)), *at0 = malloc(sizeof *at0 * (size_t)(nr + 1));
  int32_t *hits = calloc((size_t)nr + 1, sizeof *hits);
  if (!src || !at || !at0 || !hits) abort();
  memset(src, 0xff, sizeof *src * (size_t)(nr + 1));
  for (int i = 0; i < nin; i++) {
    MPop *p = mem_input(m, s, i);
    if (p->dim != s->pops[0]->dim) {
      rc = mem_decline(m, s, "inputs of different dimensions%s", NULL);
      goto done;
    }
    for (int64_t j = 0; j < p->n; j++) {
      uint32_t r = p->rows[j];
      if (src[r] < 0) src[r] = i, at[r] = j;
      if (i == 0) at0[r] = j;
      else hits[r]++;
    }
  }
  int nouts = s->outputs.len > 1 ? 2 : 1;
  for (int o = 0; o < nouts; o++) {
    Pop *pop = s->pops[o < s->npops ? o : 0];
    MPop *out = mem_new_pop(m, pop);
    out->rows = mem_track(m, malloc(sizeof *out->rows * (size_t)(nr + 1)));
    int32_t *which = malloc(sizeof *which * (size_t)(nr + 1));
    int64_t *pos = malloc(sizeof *pos * (size_t)(nr + 1)), n = 0;
    if (!which || !pos) abort();
    for (int64_t r = 0; r < nr; r++) {
      int in0 = src[r] == 0, keep;
      if (s->combine == COMB_UNION) keep = src[r] >= 0;
      else if (s->combine == COMB_INTERSECT) keep = (in0 && hits[r] == nin - 1) == (o == 0) && src[r] >= 0;
      else keep = in0 && (hits[r] == 0) == (o == 0);
      if (!keep) continue;
      out->rows[n] = (uint32_t)r;
      which[n] = s->combine == COMB_UNION ? src[r] : in0 ? 0 : -1;
      pos[n] = s->combine == COMB_UNION ? at[r] : in0 ? at0[r] : -1;
      n++;
    }
    out->n = n;
    for (int c = 0; c < out->ncols && rc == 0; c++) {
      IVals *srcs[64];
      if (nin > 64) {
        rc = mem_decline(m, s, "more than 64 inputs%s", NULL);
        break;
      }
      for (int i = 0; i < nin; i++) {
        MPop *p = mem_input(m, s, i);
        int ci = mem_col_index(p, out->names[c]);
        srcs[i] = ci < 0 ? NULL : p->cols[ci].v;
      }
      out->cols[c].v = gather_from(m, srcs, s->combine == COMB_UNION ? nin : 1, which, pos, n);
      if (!out->cols[c].v) rc = mem_decline(m, s, "column %s is not computed in memory", out->names[c]);
    }
    free(which);
    free(pos);
    *mem_slot(m, s, o) = out;
  }
done:
  free(src), free(at), free(at0), free(hits);
  return rc;
}

static int step_run(ExecMem *m, Step *s) {
  switch (s->kind) {
    case S_SELECT: return step_select(m, s);
    case S_COMBINE: return step_combine(m, s);
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
      MPop *p = input_named(m, s, s->primary);
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

/* 1 if the database has a table for schema sc with every column. */
static int table_matches(Db *db, Schema *sc) {
  char sql[400];
  snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", sc->name);
  if (strchr(sc->name, '\'')) return 0;
  DbStmt *st = db_prepare(db, sql);
  if (!st) return 0;
  int found = 0;
  while (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    for (int c = 0; v.kind == DBV_TEXT && c < sc->columns.len; c++)
      if (!strcmp(((Column *)sc->columns.items[c])->name, v.s)) found++;
  }
  db_finalize(st);
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

