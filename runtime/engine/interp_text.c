/* interp_text.c — text primitives with SQLite's exact rules: comparison by
 * bytes (BINARY collation), LIKE with `%` / `_` and ASCII-only case folding
 * (`_` is one UTF-8 character), instr-based contains, starts-with, the
 * ASCII-only lower/upper, space-only trim, character-counting length, and
 * `||` / concat. */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/interp.h"

#define EACH for (int i_ = 0; i_ < nsel; i_++)
#define P (sel[i_])


static int ci_eq(const char *a, const char *b, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (rules_fold((unsigned char)a[k]) != rules_fold((unsigned char)b[k])) return 0;
  return 1;
}

/* ci_eq from the last byte back: a suffix test mostly fails on the last
 * byte, so this rejects after one comparison. */
static int ci_eq_rev(const char *a, const char *b, size_t n) {
  while (n--)
    if (rules_fold((unsigned char)a[n]) != rules_fold((unsigned char)b[n])) return 0;
  return 1;
}

/* LIKE with a constant pattern of shape lit, %lit, lit% or %lit% (no `_`,
 * no inner `%`): n->lo = shape (1 suffix, 2 prefix, 3 infix, 4 exact),
 * n->ks = lit.  Else lo = 0 and the general matcher runs. */
static int like_fast(const VNode *n, Str s) {
  const char *l = n->ks.p;
  size_t ln = n->ks.n;
  switch (n->lo) {
    case 1: return s.n >= ln && ci_eq_rev(s.p + s.n - ln, l, ln);
    case 2: return s.n >= ln && ci_eq(s.p, l, ln);
    case 4: return s.n == ln && ci_eq(s.p, l, ln);
    default:
      for (size_t k = 0; k + ln <= s.n; k++)
        if (ci_eq(s.p + k, l, ln)) return 1;
      return 0;
  }
}

/* LIKE with a fast-shape constant pattern straight over a text column of
 * the frame's rows: reads each string through the column's offsets, without
 * filling the column node's vectors first. */
static void like_column(VNode *n, Frame *f, const uint16_t *sel, int nsel) {
  const SnapCol *c = n->a->col;
  const uint32_t *rows = f->rows[n->a->depth];
  const int32_t *codes = c->data;
  int neg = n->op == OP_NOT_LIKE;
  EACH {
    int p = P;
    uint32_t row = rows[p];
    n->nul[p] = (uint8_t)snap_is_null(c, row);
    if (n->nul[p]) continue;
    Str s;
    s.p = snap_str(c, codes ? (uint32_t)codes[row] : row, &s.n);
    n->iv[p] = like_fast(n, s) ^ neg;
  }
}

void ev_like(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  if (n->lo && a->kind == VK_COLUMN && !a->a && a->col->kind == SC_TEXT && b->kind == VK_CONST &&
      !b->nul[0])
    return like_column(n, f, sel, nsel);
  a->eval(a, r, f, sel, nsel);
  b->eval(b, r, f, sel, nsel);
  int neg = n->op == OP_NOT_LIKE;
  EACH {
    int p = P;
    n->nul[p] = a->nul[p] | b->nul[p];
    if (n->nul[p]) continue;
    int m = n->lo ? like_fast(n, a->sv[p]) : rules_like(b->sv[p].p, b->sv[p].n, a->sv[p].p, a->sv[p].n);
    n->iv[p] = m ^ neg;
  }
}

/* contains (instr(a, b) > 0) and starts with, possibly negated. */
void ev_textop(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  a->eval(a, r, f, sel, nsel);
  b->eval(b, r, f, sel, nsel);
  int neg = n->op == OP_NOT_CONTAINS || n->op == OP_NOT_STARTS;
  int starts = n->op == OP_STARTS || n->op == OP_NOT_STARTS;
  EACH {
    int p = P;
    n->nul[p] = a->nul[p] | b->nul[p];
    if (n->nul[p]) continue;
    Str x = a->sv[p], y = b->sv[p];
    int m;
    if (starts) m = x.n >= y.n && memcmp(x.p, y.p, y.n) == 0;
    else m = y.n == 0 || (x.n >= y.n && memmem(x.p, x.n, y.p, y.n) != NULL);
    n->iv[p] = m ^ neg;
  }
}

static size_t char_len(Str s) {
  size_t k = 0, i = 0;
  while (i < s.n && s.p[i]) {
    k++;
    i = rules_skip_char(s.p, i, s.n);
  }
  return k;
}

void ev_textfn(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a;
  a->eval(a, r, f, sel, nsel);
  vnode_text_reset(n);
  EACH {
    int p = P;
    n->nul[p] = a->nul[p];
    if (n->nul[p]) continue;
    Str s = a->sv[p];
    if (n->op == F_LENGTH) {
      n->iv[p] = (int64_t)char_len(s);
      continue;
    }
    if (n->op == F_TRIM) {
      uint32_t b = 0, e = s.n;
      while (b < e && s.p[b] == ' ') b++;
      while (e > b && s.p[e - 1] == ' ') e--;
      n->sv[p].p = s.p + b;
      n->sv[p].n = e - b;
      continue;
    }
    char *d = (char *)vnode_text_put(n, s.p, s.n);
    for (uint32_t k = 0; k < s.n; k++) {
      unsigned char c = (unsigned char)d[k];
      if (n->op == F_LOWER && c >= 'A' && c <= 'Z') d[k] = (char)(c + 32);
      if (n->op == F_UPPER && c >= 'a' && c <= 'z') d[k] = (char)(c - 32);
    }
    n->sv[p].p = d;
    n->sv[p].n = s.n;
  }
}

/* `a || b` (NULL if either is) when n->ki == 0; concat(...) skipping NULLs
 * (never NULL) when n->ki == 1. */
void ev_concat(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  for (int k = 0; k < n->nargs; k++) n->args[k]->eval(n->args[k], r, f, sel, nsel);
  vnode_text_reset(n);
  EACH {
    int p = P;
    size_t len = 0;
    n->nul[p] = 0;
    for (int k = 0; k < n->nargs; k++) {
      if (n->args[k]->nul[p]) {
        if (!n->ki) n->nul[p] = 1;
        continue;
      }
      len += n->args[k]->sv[p].n;
    }
    if (n->nul[p]) continue;
    char *tmp = malloc(len + 1);
    if (!tmp) abort();
    size_t at = 0;
    for (int k = 0; k < n->nargs; k++) {
      if (n->args[k]->nul[p]) continue;
      memcpy(tmp + at, n->args[k]->sv[p].p, n->args[k]->sv[p].n);
      at += n->args[k]->sv[p].n;
    }
    n->sv[p].p = vnode_text_put(n, tmp, len);
    n->sv[p].n = (uint32_t)len;
    free(tmp);
  }
}
