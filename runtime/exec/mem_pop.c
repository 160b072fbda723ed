/* mem_pop.c — populations of the in-memory plan: memory they own, row
 * subsets and gathered columns, inputs, the overlay that lets rules read
 * added columns, and rule evaluation through the engines. */
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
IVals *mem_gather_from(ExecMem *m, IVals **srcs, int nsrc, const int32_t *which, const int64_t *pos,
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
  return src ? mem_gather_from(m, &src, 1, NULL, pos, n) : NULL;
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

MPop *mem_input_named(ExecMem *m, Step *s, const char *name) {
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

MPop *mem_all_rows(ExecMem *m, Pop *pop) {
  const SnapTable *t = engine_table(&m->x->eng, pop->dim);
  MPop *p = mem_new_pop(m, pop);
  p->rows = mem_track(m, malloc(sizeof *p->rows * (size_t)(t->nrows + 1)));
  for (int64_t i = 0; i < t->nrows; i++) p->rows[i] = (uint32_t)i;
  p->n = t->nrows;
  return p;
}

/* Positions of p whose flag (column k of n) is set. */
int64_t *mem_where_flags(const uint8_t *flags, int64_t rows, int n, int k, int64_t *cnt) {
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
