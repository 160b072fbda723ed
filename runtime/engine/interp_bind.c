/* interp_bind.c — from a lowered rule program (compiler/rules/rules.h) to
 * one the interpreter runs: each node kind gets its primitive, each
 * collection node its per-parent accumulators. */
#include <assert.h>
#include <stdlib.h>

#include "runtime/engine/interp.h"

static const VEval primitive[VK_COUNT] = {
    [VK_CONST] = ev_const,
    [VK_COLUMN] = ev_column,
    [VK_LINKROW] = ev_linkrow,
    [VK_AND] = ev_and,
    [VK_OR] = ev_or,
    [VK_NOT] = ev_not,
    [VK_ISNULL] = ev_isnull,
    [VK_CMP_INT] = ev_cmp_int,
    [VK_CMP_REAL] = ev_cmp_real,
    [VK_CMP_TEXT] = ev_cmp_text,
    [VK_CODE_RANGE] = ev_code_range,
    [VK_CODE_SET] = ev_code_set,
    [VK_IN] = ev_in,
    [VK_TO_REAL] = ev_to_real,
    [VK_DATE_TO_TS] = ev_date_to_ts,
    [VK_ARITH_INT] = ev_arith_int,
    [VK_ARITH_REAL] = ev_arith_real,
    [VK_NEG] = ev_neg,
    [VK_FUNC] = ev_func,
    [VK_COALESCE] = ev_coalesce,
    [VK_MINMAX] = ev_minmax,
    [VK_LIKE] = ev_like,
    [VK_TEXTOP] = ev_textop,
    [VK_TEXTFN] = ev_textfn,
    [VK_CONCAT] = ev_concat,
    [VK_COLLECTION] = ev_collection,
};

void interp_bind(VProg *p) {
  for (int i = 0; i < p->nall; i++) {
    VNode *n = p->all[i];
    assert(n->kind >= 0 && n->kind < VK_COUNT && primitive[n->kind]);
    n->eval = primitive[n->kind];
    if (n->kind == VK_COLLECTION && !n->acc) {
      n->acc = calloc(1, interp_acc_size());
      if (!n->acc) abort();
    }
  }
}

VProg *interp_compile_ex(const Snapshot *s, Schema *dim, Expr **exprs, int n, int64_t now,
                         const InterpAdded *added, int values, char *why, size_t whylen) {
  VProg *p = rules_lower_ex(s, dim, exprs, n, now, added, values, why, whylen);
  if (p) interp_bind(p);
  return p;
}

VProg *interp_compile(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                      char *why, size_t whylen) {
  return interp_compile_ex(s, dim, rules, n, now, NULL, 0, why, whylen);
}
