/* jit_plan.c — prepares an interpreter program for the JIT: classifies each
 * node, folds row-independent subtrees to constants (evaluated once by the
 * interpreter itself, so folding cannot change an answer), assigns
 * parameter slots for everything that depends on the snapshot or the
 * clock, and writes the structural key the disk cache is indexed by.
 * Constructs the emitter does not handle make the plan decline with the
 * construct's name in why. */
#if CAMP_JIT
#include <stdarg.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/jit/jit_int.h"

uint64_t jit_hash(const void *data, size_t n, uint64_t h) {
  const unsigned char *s = data;
  if (!h) h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
  return h;
}

static void key(JPlan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void key(JPlan *pl, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (pl->keylen + (size_t)need + 1 > pl->keycap) {
    pl->keycap = (pl->keylen + (size_t)need + 1) * 2;
    pl->key = realloc(pl->key, pl->keycap);
    if (!pl->key) abort();
  }
  va_start(ap, fmt);
  vsnprintf(pl->key + pl->keylen, (size_t)need + 1, fmt, ap);
  va_end(ap);
  pl->keylen += (size_t)need;
}

static void decline(JPlan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void decline(JPlan *pl, const char *fmt, ...) {
  if (!pl->ok) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pl->why, sizeof pl->why, fmt, ap);
  va_end(ap);
  pl->ok = 0;
}

static int slot_p(JPlan *pl, const void *v) {
  if (pl->nptr == pl->capptr) {
    pl->capptr = pl->capptr ? pl->capptr * 2 : 16;
    pl->ptr = realloc(pl->ptr, sizeof *pl->ptr * (size_t)pl->capptr);
    if (!pl->ptr) abort();
  }
  pl->ptr[pl->nptr] = v;
  return pl->nptr++;
}

static int slot_k(JPlan *pl, int64_t v) {
  if (pl->nk == pl->capk) {
    pl->capk = pl->capk ? pl->capk * 2 : 16;
    pl->k = realloc(pl->k, sizeof *pl->k * (size_t)pl->capk);
    if (!pl->k) abort();
  }
  pl->k[pl->nk] = v;
  return pl->nk++;
}

static int slot_f(JPlan *pl, double v) {
  if (pl->nf == pl->capf) {
    pl->capf = pl->capf ? pl->capf * 2 : 16;
    pl->f = realloc(pl->f, sizeof *pl->f * (size_t)pl->capf);
    if (!pl->f) abort();
  }
  pl->f[pl->nf] = v;
  return pl->nf++;
}

static int kind_of(VKind f) {
  static const struct { VKind f; int k; } map[] = {
      {VK_CONST, J_CONST}, {VK_COLUMN, J_COLUMN}, {VK_LINKROW, J_LINK}, {VK_AND, J_AND},
      {VK_OR, J_OR}, {VK_NOT, J_NOT}, {VK_ISNULL, J_ISNULL}, {VK_CMP_INT, J_CMP_INT},
      {VK_CMP_REAL, J_CMP_REAL}, {VK_CMP_TEXT, J_CMP_TEXT}, {VK_CODE_RANGE, J_RANGE},
      {VK_CODE_SET, J_SET}, {VK_IN, J_IN}, {VK_TO_REAL, J_TOREAL}, {VK_DATE_TO_TS, J_D2TS},
      {VK_ARITH_INT, J_ARITH_INT}, {VK_ARITH_REAL, J_ARITH_REAL}, {VK_NEG, J_NEG},
      {VK_LIKE, J_LIKE}, {VK_TEXTOP, J_TEXTOP}, {VK_COLLECTION, J_COLL}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (map[i].f == f) return map[i].k;
  return J_NONE;
}

static const char *eval_name(VKind f) {
  if (f == VK_FUNC) return "date/number functions (year, days_since, abs, round, ...)";
  if (f == VK_COALESCE) return "coalesce";
  if (f == VK_MINMAX) return "scalar min/max";
  if (f == VK_TEXTFN) return "text functions (lower, upper, trim, length)";
  if (f == VK_CONCAT) return "|| / concat";
  return "an operator";
}

/* 1 if n's value depends on the row (reads a column or a collection). */
static int row_dependent(VNode *n) {
  if (!n) return 0;
  int r = n->kind == VK_COLUMN || n->kind == VK_LINKROW || n->kind == VK_COLLECTION;
  r |= row_dependent(n->owner) | row_dependent(n->filter) | row_dependent(n->value);
  r |= row_dependent(n->a) | row_dependent(n->b);
  for (int i = 0; i < n->nargs; i++) r |= row_dependent(n->args[i]);
  return n->jrow = r;
}

/* Evaluates a row-independent node once through the primitives the
 * interpreter bound (interp_bind), so a folded constant is the value the
 * interpreter computes: the two engines cannot disagree on it. */
static int fold(VProg *p, VNode *n) {
  if (n->kind == VK_CONST) return 0;
  assert(n->eval); /* programs reach the JIT bound */
  Frame *f = calloc(1, sizeof *f);
  if (!f) abort();
  f->n = 1;
  uint16_t sel[1] = {0};
  VRun r = {p->snap, p->now, NULL};
  n->eval(n, &r, f, sel, 1);
  free(f);
  return r.bail ? -1 : 0;
}

static void plan(JPlan *pl, VNode *n);

static void plan_const(JPlan *pl, VNode *n) {
  n->jk = J_CONST;
  n->jexp = 0;
  if (n->nul[0]) { key(pl, "N%d", n->phys); return; }
  switch (n->phys) {
    case P_INT: n->js_k = slot_k(pl, n->iv[0]); key(pl, "I"); return;
    case P_REAL: n->js_f = slot_f(pl, n->fv[0]); key(pl, "F"); return;
    default:
      n->js_p = slot_p(pl, n->sv[0].p);
      n->js_k = slot_k(pl, n->sv[0].n);
      key(pl, "S");
  }
}

static void plan_column(JPlan *pl, VNode *n) {
  const SnapCol *c = n->col;
  int strings = c->kind == SC_TEXT && !n->ki;
  int empty = c->kind == SC_TEXT && c->ndict == 0;
  key(pl, "c%d.%d.%d.%d.%d.%d.%d(", c->kind, n->phys, n->depth, c->nulls != NULL, strings, empty,
      c->data != NULL);
  if (n->a) plan(pl, n->a);
  key(pl, ")");
  n->js_p = slot_p(pl, c->data);
  slot_p(pl, c->nulls);
  slot_p(pl, c->str_off);
  slot_p(pl, c->str_bytes);
}

static void plan_children(JPlan *pl, VNode *n) {
  key(pl, "(");
  if (n->a) plan(pl, n->a);
  key(pl, ",");
  if (n->b) plan(pl, n->b);
  for (int i = 0; i < n->nargs; i++) key(pl, ","), plan(pl, n->args[i]);
  key(pl, ")");
  n->jexp = (n->a && n->a->jexp) | (n->b && n->b->jexp);
  for (int i = 0; i < n->nargs; i++) n->jexp |= n->args[i]->jexp;
}

static void plan(JPlan *pl, VNode *n) {
  if (!pl->ok) return;
  n->jexp = 0;
  if (!n->jrow) {
    if (fold(pl->p, n)) { decline(pl, "a constant expression overflows"); return; }
    plan_const(pl, n);
    return;
  }
  n->jk = kind_of(n->kind);
  if (n->jk == J_NONE) { decline(pl, "the jit does not compile %s yet", eval_name(n->kind)); return; }
  key(pl, "{%d.%d.%d.%d", n->jk, n->phys, n->t, n->op);
  switch (n->jk) {
    case J_COLUMN: plan_column(pl, n); break;
    case J_LINK:
      key(pl, "L%d(", n->depth);
      if (n->a) plan(pl, n->a);
      key(pl, ")");
      n->js_p = slot_p(pl, n->col->link_rows);
      break;
    case J_RANGE:
      plan_children(pl, n);
      n->js_k = slot_k(pl, n->lo);
      slot_k(pl, n->hi);
      key(pl, "r%d", (int)n->ki);
      break;
    case J_SET:
      plan_children(pl, n);
      n->js_p = slot_p(pl, n->codeset);
      key(pl, "s%d", (int)n->ki);
      break;
    case J_ISNULL: plan_children(pl, n); key(pl, "n%d", (int)n->ki); break;
    case J_IN:
      if (n->a->phys == P_TEXT) { decline(pl, "the jit does not compile `in` over plain text yet"); return; }
      plan_children(pl, n);
      key(pl, "i%d.%d", (int)n->ki, n->nargs);
      break;
    case J_ARITH_REAL:
      if (n->op == OP_MOD) { decline(pl, "the jit does not compile %% on decimals yet"); return; }
      plan_children(pl, n);
      break;
    case J_LIKE:
      plan_children(pl, n);
      n->jexp = 1;
      key(pl, "l%d", (int)n->lo);
      if (n->lo) { n->js_p = slot_p(pl, n->ks.p); n->js_k = slot_k(pl, n->ks.n); }
      break;
    case J_CMP_TEXT: case J_TEXTOP: plan_children(pl, n); n->jexp = 1; break;
    case J_COLL: {
      if (n->agg >= 4 && n->phys == P_TEXT) { decline(pl, "the jit does not compile min/max of text yet"); return; }
      key(pl, "C%d.%d.%d(", n->agg, n->coll_depth, n->depth);
      if (n->owner) plan(pl, n->owner);
      key(pl, "|");
      if (n->filter) plan(pl, n->filter);
      key(pl, "|");
      if (n->value) plan(pl, n->value);
      key(pl, ")");
      n->js_p = slot_p(pl, n->coll->offsets);
      slot_p(pl, n->coll->rows);
      n->jexp = 1;
      break;
    }
    default: plan_children(pl, n); break;
  }
  key(pl, "}");
}

void jplan_build(JPlan *pl, VProg *p) {
  memset(pl, 0, sizeof *pl);
  pl->p = p;
  pl->ok = 1;
  key(pl, "camp-jit-1 %s %d:", p->values ? "values" : "roots", p->nroots);
  for (int i = 0; i < p->nroots && pl->ok; i++) {
    if (p->values && p->roots[i]->phys == P_TEXT) decline(pl, "text values are computed by the interpreter");
    if (!pl->ok) break;
    row_dependent(p->roots[i]);
    plan(pl, p->roots[i]);
    key(pl, ";");
  }
  if (pl->ok) pl->hash = jit_hash(pl->key, pl->keylen, 0);
}

void jplan_free(JPlan *pl) {
  free(pl->key);
  free(pl->ptr);
  free(pl->k);
  free(pl->f);
  memset(pl, 0, sizeof *pl);
}
#endif
