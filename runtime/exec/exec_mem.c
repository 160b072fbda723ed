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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"
#include "runtime/exec/exec_mem.h"
#include "runtime/engine/interp.h"

/* An added column: values by position in its population, or not computed
 * (first-N rows are JSON made by SQL: only a step that reads it declines). */
typedef struct MCol {
  IVals *v;            /* NULL = not computed in memory */
} MCol;

typedef struct MPop {
  Schema *dim;
  uint32_t *rows;      /* ascending dimension row numbers (= key order) */
  int64_t n;
  MCol *cols;          /* Pop->added order */
  const char **names;  /* their names */
  int ncols;
  /* the columns laid out by dimension row for the interpreter, built per
   * column the first time an expression reads it */
  SnapCol *ov;
  uint8_t *ovready;
} MPop;

struct ExecMem {
  Exec *x;
  EngineKind kind;     /* ENGINE_INTERP or ENGINE_JIT for conditions */
  MPop **pops;         /* per output slot (x->count_base) */
  IVals **vals;        /* every IVals allocated, freed at the end */
  int nvals, capvals;
  void **blocks;       /* overlay arrays */
  int nblocks, capblocks;
  char why[512];
  Step *stopped;
  /* --explain: what evaluated the current step's rules */
  int used_jit, used_interp, nvalues, nvalues_jit;
  char used_why[256];
};

/* ------------------------------------------------------------ memory */

static void *track(ExecMem *m, void *p) {
  if (!p) abort();
  if (m->nblocks == m->capblocks) {
    m->capblocks = m->capblocks ? m->capblocks * 2 : 64;
    m->blocks = realloc(m->blocks, sizeof *m->blocks * (size_t)m->capblocks);
    if (!m->blocks) abort();
  }
  m->blocks[m->nblocks++] = p;
  return p;
}

static IVals *new_vals(ExecMem *m) {
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
static MPop *new_pop(ExecMem *m, Pop *pop) {
  MPop *p = track(m, calloc(1, sizeof *p));
  p->dim = pop->dim;
  p->ncols = pop->added.len;
  p->cols = track(m, calloc((size_t)p->ncols + 1, sizeof *p->cols));
  p->names = track(m, calloc((size_t)p->ncols + 1, sizeof *p->names));
  for (int c = 0; c < p->ncols; c++) p->names[c] = ((AddedCol *)pop->added.items[c])->name;
  return p;
}

static int col_index(const MPop *p, const char *name) {
  for (int c = 0; c < p->ncols; c++)
    if (!strcmp(p->names[c], name)) return c;
  return -1;
}

static int decline(ExecMem *m, Step *s, const char *fmt, const char *arg) {
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
  IVals *v = new_vals(m);
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
static MPop *subset(ExecMem *m, const MPop *src, const int64_t *pos, int64_t n) {
  MPop *p = track(m, calloc(1, sizeof *p));
  p->dim = src->dim;
  p->ncols = src->ncols;
  p->names = src->names;
  p->cols = track(m, calloc((size_t)p->ncols + 1, sizeof *p->cols));
  p->rows = track(m, malloc(sizeof *p->rows * (size_t)(n + 1)));
  for (int64_t i = 0; i < n; i++) p->rows[i] = src->rows[pos[i]];
  p->n = n;
  for (int c = 0; c < src->ncols; c++) p->cols[c].v = gather(m, src->cols[c].v, pos, n);
  return p;
}

/* ---------------------------------------------------- populations */

static MPop **slot(ExecMem *m, Step *s, int k) { return &m->pops[m->x->count_base[s->index] + k]; }

/* Population of input i of step s (NULL if it is not in memory). */
static MPop *input(ExecMem *m, Step *s, int i) {
  StepInput *si = s->inputs.items[i];
  Step *prod = si->step;
  int k = 0;
  for (int o = 0; o < prod->outputs.len; o++)
    if (!strcmp(prod->outputs.items[o], si->name)) k = o;
  return *slot(m, prod, k);
}

static MPop *input_named(ExecMem *m, Step *s, const char *name) {
  for (int i = 0; i < s->inputs.len; i++)
    if (!strcmp(((StepInput *)s->inputs.items[i])->name, name)) return input(m, s, i);
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
  uint64_t *nulls = track(m, malloc(words * 8));
  memset(nulls, 0xff, words * 8);
  for (int64_t i = 0; i < p->n; i++)
    if (!v->nul[i]) nulls[p->rows[i] >> 6] &= ~(1ULL << (p->rows[i] & 63));
  sc->nulls = nulls;
  sc->type = v->t;
  if (v->ph == P_INT) {
    int64_t *d = track(m, calloc((size_t)nr + 1, sizeof *d));
    for (int64_t i = 0; i < p->n; i++) d[p->rows[i]] = v->iv[i];
    sc->kind = SC_I64, sc->data = d;
    if (sc->type == T_DECIMAL) sc->type = T_INT; /* an integer-valued decimal expression */
  } else if (v->ph == P_REAL) {
    double *d = track(m, calloc((size_t)nr + 1, sizeof *d));
    for (int64_t i = 0; i < p->n; i++) d[p->rows[i]] = v->fv[i];
    sc->kind = SC_F64, sc->data = d, sc->type = T_DECIMAL, sc->dec_has_int = 1;
  } else {
    /* plain text: one string per dimension row (empty outside p) */
    uint64_t *off = track(m, malloc(sizeof *off * (size_t)(nr + 2)));
    char *bytes = track(m, malloc(v->nbytes + (size_t)nr + 1));
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
    p->ov = track(m, calloc((size_t)p->ncols, sizeof *p->ov));
    p->ovready = track(m, calloc((size_t)p->ncols, 1));
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
static int conditions(ExecMem *m, Step *s, MPop *p, Expr **rules, int n, uint8_t *flags) {
  InterpAdded ia;
  const InterpAdded *a = overlay(m, p, rules, n, &ia);
  char why[256] = "";
  m->x->eng.why[0] = 0;
  int rc = engine_eval_rows(&m->x->eng, m->kind, p->dim, rules, n, a, p->rows, p->n, flags, why,
                            sizeof why);
  if (rc) return decline(m, s, "%s", why[0] ? why : "the engines cannot evaluate the rule");
  if (m->x->eng.last_used == ENGINE_JIT) m->used_jit++;
  else m->used_interp++;
  if (m->x->eng.why[0]) snprintf(m->used_why, sizeof m->used_why, "%s", m->x->eng.why);
  return 0;
}

/* Values of exprs over the rows of p into out[0..n-1] (tracked). */
static int values(ExecMem *m, Step *s, MPop *p, Expr **exprs, int n, IVals **out) {
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
    return decline(m, s, "%s", why[0] ? why : "the interpreter cannot compute the value");
  }
  for (int k = 0; k < n; k++) {
    out[k] = new_vals(m);
    *out[k] = tmp[k];
  }
  free(tmp);
  return 0;
}

static MPop *all_rows(ExecMem *m, Pop *pop) {
  const SnapTable *t = engine_table(&m->x->eng, pop->dim);
  MPop *p = new_pop(m, pop);
  p->rows = track(m, malloc(sizeof *p->rows * (size_t)(t->nrows + 1)));
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
  MPop *in = s->inputs.len ? input(m, s, 0) : all_rows(m, s->pops[0]);
  if (!s->rule) {
    *slot(m, s, 0) = in;
    return 0;
  }
  uint8_t *flags = malloc((size_t)in->n + 1);
  if (!flags) abort();
  if (conditions(m, s, in, &s->rule, 1, flags)) return free(flags), 1;
  int64_t cnt;
  int64_t *pos = where_flags(flags, in->n, 1, 0, &cnt);
  *slot(m, s, 0) = subset(m, in, pos, cnt);
  free(pos);
  free(flags);
  return 0;
}

/* union / intersect / except, and the complement output.  An added
 * column's value comes, for a union, from the first input holding the row
 * (the SQL's row_number() over _src); otherwise from the first input (NULL
 * for complement rows it does not hold: the SQL's LEFT JOIN). */
static int step_combine(ExecMem *m, Step *s) {
  if (s->on_cols.len) return decline(m, s, "combine on (...) columns runs in SQL%s", NULL);
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
    MPop *p = input(m, s, i);
    if (p->dim != s->pops[0]->dim) {
      rc = decline(m, s, "inputs of different dimensions%s", NULL);
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
    MPop *out = new_pop(m, pop);
    out->rows = track(m, malloc(sizeof *out->rows * (size_t)(nr + 1)));
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
        rc = decline(m, s, "more than 64 inputs%s", NULL);
        break;
      }
      for (int i = 0; i < nin; i++) {
        MPop *p = input(m, s, i);
        int ci = col_index(p, out->names[c]);
        srcs[i] = ci < 0 ? NULL : p->cols[ci].v;
      }
      out->cols[c].v = gather_from(m, srcs, s->combine == COMB_UNION ? nin : 1, which, pos, n);
      if (!out->cols[c].v) rc = decline(m, s, "column %s is not computed in memory", out->names[c]);
    }
    free(which);
    free(pos);
    *slot(m, s, o) = out;
  }
done:
  free(src), free(at), free(at0), free(hits);
  return rc;
}

/* ------------------------------------------------------ ordering */

/* One sort key over a population: values (NULLs last), ascending or not. */
typedef struct SortKey {
  const IVals *v;      /* NULL: the seeded hash column */
  int desc;
  int nulls_only;      /* non-null(x): (x IS NULL) ascending */
} SortKey;

typedef struct Sorter {
  SortKey keys[40];
  int nkeys;
  int group;           /* the first `group` keys partition (dedup) */
  const uint64_t *hash;
  const int64_t *key;  /* dimension keys by position */
} Sorter;

static Sorter *g_sorter; /* qsort has no context argument in C11 */

static int cmp_val(const IVals *v, int64_t a, int64_t b) {
  if (v->ph == P_INT) return v->iv[a] < v->iv[b] ? -1 : v->iv[a] > v->iv[b];
  if (v->ph == P_REAL) return v->fv[a] < v->fv[b] ? -1 : v->fv[a] > v->fv[b];
  return interp_text_cmp(ivals_str(v, a), ivals_str(v, b));
}

/* Compares positions a and b on key k: NULLS LAST in both directions. */
static int cmp_key(const SortKey *k, const Sorter *so, int64_t a, int64_t b) {
  if (!k->v) return so->hash[a] < so->hash[b] ? -1 : so->hash[a] > so->hash[b];
  int na = k->v->nul[a], nb = k->v->nul[b];
  if (k->nulls_only) return na - nb;
  if (na || nb) return na - nb;
  int c = cmp_val(k->v, a, b);
  return k->desc ? -c : c;
}

static int cmp_pos(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  const Sorter *so = g_sorter;
  for (int i = 0; i < so->nkeys; i++) {
    int c = cmp_key(&so->keys[i], so, a, b);
    if (c) return c;
  }
  return so->key[a] < so->key[b] ? -1 : so->key[a] > so->key[b];
}

/* Same partition (first `group` keys equal; NULLs equal each other). */
static int same_group(const Sorter *so, int64_t a, int64_t b) {
  for (int i = 0; i < so->group; i++) {
    const IVals *v = so->keys[i].v;
    if (v->nul[a] != v->nul[b]) return 0;
    if (!v->nul[a] && cmp_val(v, a, b)) return 0;
  }
  return 1;
}

static int64_t *keys_of(ExecMem *m, const MPop *p) {
  const SnapTable *t = engine_table(&m->x->eng, p->dim);
  const int64_t *k = t->cols[t->key_col].data;
  int64_t *out = malloc(sizeof *out * (size_t)(p->n + 1));
  if (!out) abort();
  for (int64_t i = 0; i < p->n; i++) out[i] = k[p->rows[i]];
  return out;
}

static int cmp64(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return a < b ? -1 : a > b;
}

static void sift_down(int64_t *heap, int64_t n, int64_t i) {
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, big = i;
    if (l < n && cmp_pos(&heap[l], &heap[big]) > 0) big = l;
    if (r < n && cmp_pos(&heap[r], &heap[big]) > 0) big = r;
    if (big == i) return;
    int64_t t = heap[i];
    heap[i] = heap[big];
    heap[big] = t;
    i = big;
  }
}

static void sort_positions(Sorter *so, int64_t *pos, int64_t n) {
  g_sorter = so;
  qsort(pos, (size_t)n, sizeof *pos, cmp_pos);
  g_sorter = NULL;
}

/* Leaves the k first positions in sort order (so's order) at pos[0..k),
 * sorted: a bounded max-heap, so a small top-N over millions of rows costs
 * about one comparison per row instead of a full sort. */
static void top_k(Sorter *so, int64_t *pos, int64_t n, int64_t k) {
  if (k <= 0) return;
  if (k * 8 >= n) {
    sort_positions(so, pos, n);
    return;
  }
  g_sorter = so;
  /* heap in pos[0..k): the root is the largest kept */
  for (int64_t i = k / 2 - 1; i >= 0; i--) sift_down(pos, k, i);
  for (int64_t i = k; i < n; i++) {
    if (cmp_pos(&pos[i], &pos[0]) >= 0) continue;
    pos[0] = pos[i];
    sift_down(pos, k, 0);
  }
  qsort(pos, (size_t)k, sizeof *pos, cmp_pos);
  g_sorter = NULL;
}

typedef struct HashPos {
  uint64_t h;
  int64_t key, pos;
} HashPos;

static int cmp_hashpos(const void *pa, const void *pb) {
  const HashPos *a = pa, *b = pb;
  if (a->h != b->h) return a->h < b->h ? -1 : 1;
  return a->key < b->key ? -1 : a->key > b->key;
}

/* Sorts by a 64-bit value (LSD radix, 16-bit digits): grouping millions of
 * rows by key hash without a comparison sort. */
static void radix_sort(HashPos *v, int64_t n) {
  HashPos *tmp = malloc(sizeof *tmp * (size_t)(n + 1));
  size_t *cnt = malloc(sizeof *cnt * 65536);
  if (!tmp || !cnt) abort();
  for (int shift = 0; shift < 64; shift += 16) {
    memset(cnt, 0, sizeof *cnt * 65536);
    for (int64_t i = 0; i < n; i++) cnt[(v[i].h >> shift) & 0xffff]++;
    size_t sum = 0;
    for (int d = 0; d < 65536; d++) {
      size_t c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; i++) tmp[cnt[(v[i].h >> shift) & 0xffff]++] = v[i];
    memcpy(v, tmp, sizeof *v * (size_t)n);
  }
  free(tmp);
  free(cnt);
}

/* FNV-1a of the key values of position i (the grouping hash of dedup). */
static uint64_t key_hash(IVals **v, int nk, int64_t i) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int k = 0; k < nk; k++) {
    const unsigned char *b;
    size_t len;
    int64_t iv;
    double fv;
    Str st;
    if (v[k]->ph == P_INT) iv = v[k]->iv[i], b = (const unsigned char *)&iv, len = 8;
    else if (v[k]->ph == P_REAL) fv = v[k]->fv[i] == 0 ? 0.0 : v[k]->fv[i], b = (const unsigned char *)&fv, len = 8;
    else st = ivals_str(v[k], i), b = (const unsigned char *)st.p, len = st.n;
    for (size_t j = 0; j < len; j++) h = (h ^ b[j]) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL; /* separator */
  }
  return h;
}

/* ------------------------------------------------------------ dedup */

static int is_random(Expr *e) {
  return e->kind == E_NAME || (e->kind == E_CALL && !strcmp(e->name, "random"));
}

/* Numeric or text equality of x[i] and a constant list item, as SQL `=`
 * (NULL never equal; 1 = 1.0). */
static int vals_equal(const IVals *x, int64_t i, const IVals *k) {
  if (x->nul[i] || k->nul[0]) return 0;
  if (x->ph == P_TEXT || k->ph == P_TEXT) {
    if (x->ph != k->ph) return 0;
    return !interp_text_cmp(ivals_str(x, i), ivals_str(k, 0));
  }
  if (x->ph == P_INT && k->ph == P_INT) return x->iv[i] == k->iv[0];
  double a = x->ph == P_INT ? (double)x->iv[i] : x->fv[i], b = k->ph == P_INT ? (double)k->iv[0] : k->fv[0];
  return a == b;
}

/* The CASE rank of `prefer x in [...]` per row: index of the first equal
 * item, else the list's length.  NULL (declined) on a non-constant item. */
static IVals *list_rank(ExecMem *m, Step *s, MPop *in, IVals *x, Expr *e) {
  int n = e->args.len;
  IVals *rank = new_vals(m);
  rank->ph = P_INT, rank->t = T_INT, rank->n = in->n;
  rank->iv = malloc(sizeof *rank->iv * (size_t)(in->n + 1));
  rank->nul = calloc((size_t)in->n + 1, 1);
  if (!rank->iv || !rank->nul) abort();
  for (int64_t i = 0; i < in->n; i++) rank->iv[i] = n;
  MPop one = *in;
  one.n = in->n ? 1 : 0; /* constants: evaluate on one row */
  for (int k = n - 1; k >= 0 && one.n; k--) {
    Expr *item = e->args.items[k];
    Expr *lit = item->kind == E_UNARY && item->op == OP_NEG ? item->left : item;
    if (!lit || (lit->kind != E_INT && lit->kind != E_DEC && lit->kind != E_STR && lit->kind != E_BOOL &&
                 lit->kind != E_NAME && lit->kind != E_DATE && lit->kind != E_TIMESTAMP)) {
      decline(m, s, "prefer ... in [...] with a computed item%s", NULL);
      return NULL;
    }
    IVals *kv;
    if (values(m, s, &one, &item, 1, &kv)) return NULL;
    for (int64_t i = 0; i < in->n; i++)
      if (vals_equal(x, i, kv)) rank->iv[i] = k; /* last write = first match */
  }
  return rank;
}

static int step_dedup(ExecMem *m, Step *s) {
  MPop *in = input(m, s, 0);
  int nk = s->keys.len, np = s->prefer.len;
  if (nk + np + 1 > 40) return decline(m, s, "too many dedup keys%s", NULL);
  Expr *ex[40];
  int ne = 0;
  for (int i = 0; i < nk; i++) ex[ne++] = s->keys.items[i];
  for (int i = 0; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) continue;
    ex[ne++] = e->kind == E_IN ? e->left : e->args.items[0];
  }
  IVals *v[40];
  if (ne && values(m, s, in, ex, ne, v)) return 1;
  /* prefer x in [a, b, ...]: CASE WHEN x = a THEN 0 ... ELSE n END */
  for (int i = 0, at = nk; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) continue;
    if (e->kind == E_IN && (v[at] = list_rank(m, s, in, v[at], e)) == NULL) return 1;
    at++;
  }
  Sorter so = {.group = nk};
  int vi = 0, has_random = 0;
  for (int i = 0; i < nk; i++) so.keys[so.nkeys++] = (SortKey){v[vi++], 0, 0};
  for (int i = 0; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) {
      so.keys[so.nkeys++] = (SortKey){NULL, 0, 0};
      has_random = 1;
      continue;
    }
    int mx = e->kind != E_IN && !strcmp(e->name, "max"), mn = e->kind == E_IN || !strcmp(e->name, "min");
    so.keys[so.nkeys++] = (SortKey){v[vi++], mx, !mx && !mn};
  }
  if (!has_random) so.keys[so.nkeys++] = (SortKey){NULL, 0, 0};
  int64_t *keys = keys_of(m, in), seed = program_seed(m->x->camp);
  /* the seeded tie-break hash, computed only for rows that have duplicates */
  uint64_t *hash = malloc(sizeof *hash * (size_t)(in->n + 1));
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1));
  uint8_t *kept = malloc((size_t)in->n + 1);
  HashPos *hp = malloc(sizeof *hp * (size_t)(in->n + 1));
  if (!hash || !pos || !kept || !hp) abort();
  so.hash = hash, so.key = keys;
  /* Rows with a NULL key are kept; the others are grouped by a hash of
   * their key, and only groups of two or more are sorted in full (which
   * also separates rows whose different keys share a hash). */
  int64_t ng = 0;
  for (int64_t i = 0; i < in->n; i++) {
    int nullkey = 0;
    for (int k = 0; k < nk; k++) nullkey |= v[k]->nul[i];
    kept[i] = 1;
    if (!nullkey && s->keep > 0) hp[ng++] = (HashPos){key_hash(v, nk, i), 0, i};
  }
  radix_sort(hp, ng);
  for (int64_t a = 0, b; a < ng; a = b) {
    for (b = a + 1; b < ng && hp[b].h == hp[a].h; b++) {}
    if (b - a == 1) continue;
    int64_t n = b - a;
    for (int64_t j = 0; j < n; j++) {
      pos[j] = hp[a + j].pos;
      hash[pos[j]] = exec_seeded_hash(seed, s->label, keys[pos[j]]);
    }
    sort_positions(&so, pos, n);
    int64_t rank = 0;
    for (int64_t j = 0; j < n; j++) {
      rank = j > 0 && same_group(&so, pos[j - 1], pos[j]) ? rank + 1 : 1;
      kept[pos[j]] = rank <= s->keep;
    }
  }
  free(hp);
  for (int o = 0; o < (s->outputs.len > 1 ? 2 : 1); o++) {
    int64_t c = 0;
    for (int64_t i = 0; i < in->n; i++)
      if (kept[i] == (o == 0)) pos[c++] = i;
    *slot(m, s, o) = subset(m, in, pos, c);
  }
  free(pos), free(kept), free(keys), free(hash);
  return 0;
}

/* ------------------------------------------------------------ enrich */

static int step_enrich(ExecMem *m, Step *s) {
  MPop *in = input(m, s, 0);
  MPop *out = new_pop(m, s->pops[0]);
  out->rows = in->rows;
  out->n = in->n;
  for (int c = 0; c < out->ncols; c++) {
    int ci = col_index(in, out->names[c]);
    if (ci >= 0) out->cols[c] = in->cols[ci];
  }
  Expr *ex[64];
  int at[64], ne = 0;
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (!it->expr) continue; /* first-N rows: JSON made by the SQL, not computed here */
    if (ne == 64) return decline(m, s, "more than 64 enriched columns%s", NULL);
    ex[ne] = it->expr;
    at[ne++] = col_index(out, it->name);
  }
  IVals *v[64];
  if (ne && values(m, s, in, ex, ne, v)) return 1;
  for (int k = 0; k < ne; k++)
    if (at[k] >= 0) out->cols[at[k]].v = v[k];
  *slot(m, s, 0) = out;
  return 0;
}

/* ------------------------------------------------------------ split */

static int step_split(ExecMem *m, Step *s) {
  MPop *in = input(m, s, 0);
  int nb = s->branches.len, nr = 0;
  if (nb > 64 || s->outputs.len != nb) return decline(m, s, "split shape%s", NULL);
  Expr *rules[64];
  for (int b = 0; b < nb; b++) {
    SplitBranch *br = s->branches.items[b];
    if (!br->is_else) rules[nr++] = br->rule;
  }
  uint8_t *flags = malloc((size_t)in->n * (size_t)(nr ? nr : 1) + 1);
  uint8_t *taken = calloc((size_t)in->n + 1, 1);
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1));
  if (!flags || !taken || !pos) abort();
  int rc = nr ? conditions(m, s, in, rules, nr, flags) : 0;
  int64_t *keys = keys_of(m, in);
  int ri = 0;
  for (int b = 0; b < nb && rc == 0; b++) {
    SplitBranch *br = s->branches.items[b];
    int64_t nc = 0;
    for (int64_t i = 0; i < in->n; i++) {
      int match = br->is_else ? !taken[i] : flags[i * nr + ri] && (s->overlap || !taken[i]);
      pos[nc] = i;
      nc += match != 0;
    }
    int64_t keep = nc;
    if (br->has_limit) {
      int64_t lim = br->is_percent ? exec_percent_limit(in->n, br->limit_percent) : br->limit;
      if (lim < 0) lim = 0;
      if (lim < keep) keep = lim;
      int no = br->order.len;
      if (no > 39) {
        rc = decline(m, s, "too many order keys%s", NULL);
        break;
      }
      if (no) {
        /* top-N: order by the values (NULLs last), then key */
        Sorter so = {0};
        IVals *ov[40];
        Expr *ex[40];
        for (int k = 0; k < no; k++) ex[k] = ((OrderItem *)br->order.items[k])->expr;
        if ((rc = values(m, s, in, ex, no, ov))) break;
        for (int k = 0; k < no; k++) so.keys[so.nkeys++] = (SortKey){ov[k], ((OrderItem *)br->order.items[k])->desc, 0};
        so.key = keys;
        top_k(&so, pos, nc, keep);
      } else {
        /* random: by camp_hash(seed, 'step:subset', key), then key */
        char salt[600];
        snprintf(salt, sizeof salt, "%s:%s", s->label, (char *)s->outputs.items[b]);
        int64_t seed = program_seed(m->x->camp);
        HashPos *hp = malloc(sizeof *hp * (size_t)(nc + 1));
        if (!hp) abort();
        for (int64_t k = 0; k < nc; k++)
          hp[k] = (HashPos){exec_seeded_hash(seed, salt, keys[pos[k]]), keys[pos[k]], pos[k]};
        qsort(hp, (size_t)nc, sizeof *hp, cmp_hashpos);
        for (int64_t k = 0; k < keep; k++) pos[k] = hp[k].pos;
        free(hp);
      }
      qsort(pos, (size_t)keep, sizeof *pos, cmp64); /* back to row order */
    }
    for (int64_t k = 0; k < keep; k++) taken[pos[k]] = 1; /* later subsets skip it (unless overlap) */
    *slot(m, s, b) = subset(m, in, pos, keep);
    if (!br->is_else) ri++;
  }
  free(keys), free(flags), free(taken), free(pos);
  return rc;
}

/* ------------------------------------------------------------ the rest */

/* Rows with an address: NOT NULL and <> '' (as the channel SQL filters). */
static int step_channel(ExecMem *m, Step *s) {
  MPop *in = input(m, s, 0);
  const char *ch = channel_name(s->channel);
  Column *addr = in->dim && s->channel != CH_MAIL ? schema_address(in->dim, ch) : NULL;
  if (!addr) {
    *slot(m, s, 0) = in;
    return 0;
  }
  const SnapTable *t = engine_table(&m->x->eng, in->dim);
  int ci = t ? snapshot_col(t, addr->name) : -1;
  if (ci < 0 || t->cols[ci].kind != SC_TEXT || t->cols[ci].bad)
    return decline(m, s, "address column %s is not text in the snapshot", addr->name);
  const SnapCol *c = &t->cols[ci];
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1)), n = 0;
  if (!pos) abort();
  for (int64_t i = 0; i < in->n; i++) {
    uint32_t r = in->rows[i], len;
    if (snap_is_null(c, r)) continue;
    snap_str(c, snap_code(c, r), &len);
    if (len) pos[n++] = i;
  }
  *slot(m, s, 0) = subset(m, in, pos, n);
  free(pos);
  return 0;
}

/* A saved audience: the keys the SQL's join reads from camp_audience. */
static int step_audience(ExecMem *m, Step *s) {
  Pop *pop = s->pops[0];
  const SnapTable *t = engine_table(&m->x->eng, pop->dim);
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT DISTINCT t0.\"%s\" FROM \"camp_audience\" AS a JOIN \"%s\" AS t0 ON t0.\"%s\" = a.\"key\""
           " WHERE a.\"name\" = ? AND a.\"dimension\" = ?",
           pop->dim->key->name, pop->dim->name, pop->dim->key->name);
  DbStmt *st = db_prepare(m->x->db, sql);
  if (!st) return decline(m, s, "reading camp_audience: %s", db_error(m->x->db));
  db_bind_text(st, 1, s->text);
  db_bind_text(st, 2, pop->dim->name);
  uint8_t *in = calloc((size_t)t->nrows + 1, 1);
  if (!in) abort();
  int rc;
  while ((rc = db_step(st)) == 1) {
    DbValue v = db_column(st, 0);
    int64_t r = v.kind == DBV_INT ? snapshot_find_key(t, v.i) : -1;
    if (r >= 0) in[r] = 1;
  }
  db_finalize(st);
  if (rc < 0) {
    free(in);
    return decline(m, s, "reading camp_audience: %s", db_error(m->x->db));
  }
  MPop *out = new_pop(m, pop);
  out->rows = track(m, malloc(sizeof *out->rows * (size_t)(t->nrows + 1)));
  for (int64_t r = 0; r < t->nrows; r++)
    if (in[r]) out->rows[out->n++] = (uint32_t)r;
  free(in);
  *slot(m, s, 0) = out;
  return 0;
}

/* change dimension: the distinct rows of the new dimension reached through
 * the link column `via` (many-to-one: the input rows' link; one-to-many:
 * the children whose link points at an input row). */
static int step_change_dim(ExecMem *m, Step *s) {
  MPop *in = input(m, s, 0);
  Pop *pop = s->pops[0];
  const SnapTable *from = engine_table(&m->x->eng, in->dim), *to = engine_table(&m->x->eng, pop->dim);
  const SnapTable *lt = s->keep ? from : to; /* table holding the link column */
  int ci = snapshot_col(lt, s->via);
  if (ci < 0 || !lt->cols[ci].link_rows || lt->cols[ci].bad)
    return decline(m, s, "link %s is not resolved in the snapshot", s->via);
  const int32_t *link = lt->cols[ci].link_rows;
  uint8_t *hit = calloc((size_t)to->nrows + 1, 1);
  if (!hit) abort();
  if (s->keep) {
    for (int64_t i = 0; i < in->n; i++)
      if (link[in->rows[i]] >= 0) hit[link[in->rows[i]]] = 1;
  } else {
    uint8_t *inset = calloc((size_t)from->nrows + 1, 1);
    if (!inset) abort();
    for (int64_t i = 0; i < in->n; i++) inset[in->rows[i]] = 1;
    for (int64_t c = 0; c < to->nrows; c++)
      if (link[c] >= 0 && inset[link[c]]) hit[c] = 1;
    free(inset);
  }
  MPop *out = new_pop(m, pop);
  out->rows = track(m, malloc(sizeof *out->rows * (size_t)(to->nrows + 1)));
  for (int64_t r = 0; r < to->nrows; r++)
    if (hit[r]) out->rows[out->n++] = (uint32_t)r;
  free(hit);
  *slot(m, s, 0) = out;
  return 0;
}

static int step_run(ExecMem *m, Step *s) {
  switch (s->kind) {
    case S_SELECT: return step_select(m, s);
    case S_COMBINE: return step_combine(m, s);
    case S_DEDUP: return step_dedup(m, s);
    case S_ENRICH: return step_enrich(m, s);
    case S_SPLIT: return step_split(m, s);
    case S_CHANNEL: return step_channel(m, s);
    case S_WAIT: case S_SAVE:
      *slot(m, s, 0) = input(m, s, 0);
      return 0;
    case S_FORK:
      for (int k = 0; k < s->outputs.len; k++) *slot(m, s, k) = input(m, s, 0);
      return 0;
    case S_JOIN: {
      MPop *p = input_named(m, s, s->primary);
      if (!p) return decline(m, s, "join primary not in memory%s", NULL);
      *slot(m, s, 0) = p;
      return 0;
    }
    case S_RETARGET: /* a plan delivers nothing, so no feedback exists */
      *slot(m, s, 0) = new_pop(m, s->pops[0]);
      return 0;
    case S_AUDIENCE: return step_audience(m, s);
    case S_CHANGE_DIM: return step_change_dim(m, s);
    case S_RECONCILE: return decline(m, s, "reconcile imports a file in SQL%s", NULL);
  }
  return decline(m, s, "unknown step kind%s", NULL);
}

/* ------------------------------------------------------------ API */

/* Static checks before any work: step kinds and keys the memory plan
 * cannot reproduce.  0 = worth trying; 1 = no (m->why). */
static int precheck(ExecMem *m) {
  Decl *camp = m->x->camp;
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (s->kind == S_RECONCILE) return decline(m, s, "reconcile steps import their file in SQL%s", NULL);
    if (s->kind == S_COMBINE && s->on_cols.len) return decline(m, s, "combine on (...) columns runs in SQL%s", NULL);
    for (int k = 0; k < s->npops; k++) {
      Schema *d = s->pops[k]->dim;
      if (!d || !d->key || d->key->type->kind != T_INT)
        return decline(m, s, "the columnar engines need an int key%s", NULL);
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
    int64_t *keys = keys_of(m, p);
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
    MPop *p = *slot(m, s, k);
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
