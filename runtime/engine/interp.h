/* interp.h — the vectorized interpreter (runtime/engine/interp_*.c): runs
 * a lowered rule program (compiler/rules/rules.h) over batches of VB rows
 * with selection vectors, one primitive per node kind and physical type,
 * after evaluating a node's operands on the same (or, for and/or, a
 * narrower) selection. */
#ifndef CAMP_INTERP_H
#define CAMP_INTERP_H

#include <stdint.h>

#include "compiler/rules/rules.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/snapshot.h"

/* Lowers (rules_lower) and binds the primitives: ready for interp_eval
 * and for the JIT (which folds constants through the bound primitives). */
VProg *interp_compile(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                      char *why, size_t whylen);
VProg *interp_compile_ex(const Snapshot *s, Schema *dim, Expr **exprs, int n, int64_t now,
                         const InterpAdded *added, int values, char *why, size_t whylen);
/* Binds every node of p to its primitive (and its per-parent state). */
void interp_bind(VProg *p);
/* The release of a program: rules_free. */
static inline void interp_free(VProg *p) { rules_free(p); }

/* Evaluates every root of p (compiled with values = 1) over rows (NULL =
 * 0..nrows-1) into out[k] (allocated here; free with ivals_free).  0, or 1
 * when it bailed (r->bail). */
int interp_eval_values(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, IVals *out);
/* Evaluates roots over the rows (row numbers of dim; NULL = 0..nrows-1);
 * out[i*nroots+k] = 1
 * when rule k holds for rows[i].  0 on success, 1 when it bailed (r->bail). */
int interp_eval(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, uint8_t *out);

/* Primitives (interp_ops.c, interp_text.c, interp_coll.c). */
void ev_const(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_column(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_linkrow(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_and(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_or(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_not(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_isnull(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_cmp_int(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_cmp_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_cmp_text(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_code_range(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_code_set(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_in(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_to_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_date_to_ts(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_arith_int(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_arith_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_neg(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_func(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_coalesce(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_minmax(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_like(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_textop(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_textfn(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
void ev_concat(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);
size_t interp_acc_size(void);
void ev_collection(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);

/* julianday arithmetic exactly as SQLite does it. */
double interp_julian(int64_t secs);
double interp_round(double r);

#endif
