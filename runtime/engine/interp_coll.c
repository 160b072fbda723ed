/* interp_coll.c — exists / count / sum / avg / min / max over a one-to-many
 * collection.  The children of the selected parent rows are laid out in a
 * child frame (up to VB at a time, each remembering its parent position);
 * the filter and value run vectorized over that frame, then reduce per
 * parent with SQLite's aggregate rules (sum: integer unless a real was
 * seen, overflow is an error; avg over the real running sum; NULLs
 * ignored; no rows gives NULL, count 0, exists false). */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/interp.h"

typedef struct Acc {
  int64_t cnt[VB], isum[VB];
  double rsum[VB];
  uint8_t ovf[VB], found[VB];
} Acc;

static int cmp_at(VNode *v, int j, VNode *n, int p) {
  switch (v->phys) {
    case P_INT: return (v->iv[j] > n->iv[p]) - (v->iv[j] < n->iv[p]);
    case P_REAL: return (v->fv[j] > n->fv[p]) - (v->fv[j] < n->fv[p]);
    default: return rules_text_cmp(v->sv[j], n->sv[p]);
  }
}

static void reduce(VNode *n, Acc *acc, const uint16_t *keep, int nk, const uint16_t *parent) {
  VNode *v = n->value;
  for (int i = 0; i < nk; i++) {
    int j = keep[i], p = parent[j];
    if (n->agg == 0) { acc->found[p] = 1; continue; }
    if (v && v->nul[j]) continue;
    acc->cnt[p]++;
    if (n->agg == 2 || n->agg == 3) {
      if (v->phys == P_INT) {
        acc->rsum[p] += (double)v->iv[j];
        if (!acc->ovf[p] && __builtin_add_overflow(acc->isum[p], v->iv[j], &acc->isum[p]))
          acc->ovf[p] = 1;
      } else {
        acc->rsum[p] += v->fv[j];
      }
    } else if (n->agg >= 4) {
      int c = n->nul[p] ? 0 : cmp_at(v, j, n, p);
      if (n->nul[p] || (n->agg == 4 ? c < 0 : c > 0)) {
        n->nul[p] = 0;
        if (v->phys == P_INT) n->iv[p] = v->iv[j];
        else if (v->phys == P_REAL) n->fv[p] = v->fv[j];
        else {
          n->sv[p].p = vnode_text_put(n, v->sv[j].p, v->sv[j].n);
          n->sv[p].n = v->sv[j].n;
        }
      }
    }
  }
}

static void flush(VNode *n, VRun *r, Acc *acc) {
  Frame *c = n->child;
  uint16_t keep[VB] = {0};
  int m = c->n, nk = 0;
  for (int j = 0; j < m; j++) keep[j] = (uint16_t)j;
  nk = m;
  if (n->filter) {
    n->filter->eval(n->filter, r, c, keep, m);
    nk = 0;
    for (int j = 0; j < m; j++)
      if (!n->filter->nul[j] && n->filter->iv[j]) keep[nk++] = (uint16_t)j;
  }
  if (n->value && nk) n->value->eval(n->value, r, c, keep, nk);
  reduce(n, acc, keep, nk, c->parent);
  c->n = 0;
}

void ev_collection(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  Acc *acc = n->acc;
  if (n->owner) n->owner->eval(n->owner, r, f, sel, nsel);
  vnode_text_reset(n);
  for (int i = 0; i < nsel; i++) {
    int p = sel[i];
    acc->cnt[p] = acc->isum[p] = 0;
    acc->rsum[p] = 0;
    acc->ovf[p] = acc->found[p] = 0;
    n->nul[p] = 1;
  }
  Frame *c = n->child;
  c->n = 0;
  const uint32_t *off = n->coll->offsets, *rows = n->coll->rows;
  int D = n->coll_depth;
  for (int i = 0; i < nsel; i++) {
    int p = sel[i];
    int64_t owner = n->owner ? (n->owner->nul[p] ? -1 : n->owner->iv[p]) : f->rows[n->depth][p];
    if (owner < 0) continue;
    for (uint32_t k = off[owner]; k < off[owner + 1]; k++) {
      int j = c->n++;
      c->parent[j] = (uint16_t)p;
      for (int d = 0; d <= D; d++) c->rows[d][j] = f->rows[d][p];
      c->rows[D + 1][j] = rows[k];
      if (c->n == VB) flush(n, r, acc);
    }
  }
  if (c->n) flush(n, r, acc);
  for (int i = 0; i < nsel; i++) {
    int p = sel[i];
    switch (n->agg) {
      case 0: n->nul[p] = 0; n->iv[p] = acc->found[p]; break;
      case 1: n->nul[p] = 0; n->iv[p] = acc->cnt[p]; break;
      case 2:
        n->nul[p] = acc->cnt[p] == 0;
        if (n->nul[p]) break;
        if (n->phys == P_REAL) n->fv[p] = acc->rsum[p];
        else if (acc->ovf[p]) { r->bail = "integer overflow in sum (SQLite reports an error)"; n->nul[p] = 1; }
        else n->iv[p] = acc->isum[p];
        break;
      case 3:
        n->nul[p] = acc->cnt[p] == 0;
        if (!n->nul[p]) n->fv[p] = acc->rsum[p] / (double)acc->cnt[p];
        break;
      default: break; /* min/max already in place */
    }
  }
}

size_t interp_acc_size(void) { return sizeof(Acc); }
