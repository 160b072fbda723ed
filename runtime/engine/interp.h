/* interp.h — the vectorized interpreter's internals (runtime/interp_*.c).
 *
 * A checked rule compiles to a tree of VNodes.  Each node owns output
 * vectors for one batch (VB positions) and an eval function — one
 * primitive per operator and physical type — that fills them for the
 * positions in a selection vector, after evaluating its operands on the
 * same (or, for and/or, a narrower) selection.  A frame maps batch
 * positions to row numbers per row scope depth (0 = dimension row, 1.. =
 * collection rows); collections expand into child frames. */
#ifndef CAMP_INTERP_H
#define CAMP_INTERP_H

#include <stdint.h>

#include "runtime/engine/engine.h"
#include "runtime/engine/snapshot.h"

#define VB 1024
#define VMAXD 8

typedef enum { P_INT, P_REAL, P_TEXT } Phys;

typedef struct Str {
  const char *p;
  uint32_t n;
} Str;

typedef struct Frame {
  int n;
  uint32_t rows[VMAXD][VB];
  uint16_t parent[VB]; /* position in the parent frame (child frames) */
} Frame;

typedef struct VRun {
  const Snapshot *snap;
  int64_t now;            /* seconds */
  const char *bail;       /* set when SQL's answer cannot be reproduced */
} VRun;

typedef struct VNode VNode;
typedef void (*VEval)(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);

struct VNode {
  VEval eval;
  Phys phys;
  TypeKind t;          /* camp type of the value (T_DATE: days, T_TIMESTAMP: secs) */
  int mayint;          /* REAL that SQLite might hold as an integer */
  int op;
  int64_t *iv;
  double *fv;
  Str *sv;
  uint8_t *nul;
  VNode *a, *b;
  VNode **args;
  int nargs;
  VNode **conj;        /* and / or: the operands of the whole chain, cheap first */
  int nconj;
  /* constants */
  int64_t ki;
  double kf;
  Str ks;
  /* columns */
  const SnapTable *tab;
  const SnapCol *col;
  int depth;
  int64_t lo, hi;      /* dictionary code range tests */
  uint8_t *codeset;    /* per dictionary code: 1 = in set / matches */
  /* text results */
  char *buf;
  size_t buflen, bufcap;
  /* collections */
  const SnapColl *coll;
  VNode *owner;        /* link row node when the collection hangs off a link */
  int coll_depth;      /* depth of the collection's owner row */
  VNode *filter, *value;
  Frame *child;
  void *acc;           /* per-parent accumulators (interp_coll.c) */
  int agg;             /* 0 exists, 1 count, 2 sum, 3 avg, 4 min, 5 max */
  /* JIT planning (compiler/jit/jit_plan.c): node kind, first parameter slots */
  int jk, jexp, jrow;
  int js_p, js_k, js_f;
};

/* A compiled rule (or several, for split). */
typedef struct VProg {
  VNode **roots;
  int nroots;
  VNode **all;         /* every node, for freeing */
  int nall, capall;
  const SnapTable *dim;
  const Snapshot *snap;
  int64_t now;         /* the clock, seconds (constant folding) */
  int uses_added;      /* some root reads an added column (InterpAdded) */
  int values;          /* roots are values (interp_compile_ex values = 1) */
  char why[256];
} VProg;

/* Compiles rules over dimension `dim`; NULL with why set when a construct
 * or a column cannot be evaluated exactly like SQL (caller uses SQL). */
VProg *interp_compile(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                      char *why, size_t whylen);

/* Added (enriched) columns of a population, laid out like snapshot columns
 * of the dimension table (indexed by dimension row; rows outside the
 * population are NULL), so rules that read them compile to column reads. */
typedef struct InterpAdded {
  const char **names;
  const SnapCol *cols;
  int n;
} InterpAdded;

/* interp_compile with added columns (may be NULL) and, when values != 0,
 * roots of any type (expressions whose values interp_eval_values reads)
 * instead of conditions.  p->uses_added tells whether any root reads one. */
VProg *interp_compile_ex(const Snapshot *s, Schema *dim, Expr **exprs, int n, int64_t now,
                         const InterpAdded *added, int values, char *why, size_t whylen);

/* The values of one root over a list of rows: physical type ph (P_TEXT:
 * strings at bytes + off[i] .. off[i+1]-1, NUL-terminated), NULL flags. */
typedef struct IVals {
  Phys ph;
  TypeKind t;
  int64_t n;
  int64_t *iv;
  double *fv;
  uint64_t *off;
  char *bytes;
  size_t nbytes, capbytes;
  uint8_t *nul;
} IVals;

/* Evaluates every root of p (compiled with values = 1) over rows (NULL =
 * 0..nrows-1) into out[k] (allocated here; free with ivals_free).  0, or 1
 * when it bailed (r->bail). */
int interp_eval_values(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, IVals *out);
void ivals_free(IVals *v);
static inline Str ivals_str(const IVals *v, int64_t i) {
  Str s = {v->bytes + v->off[i], (uint32_t)(v->off[i + 1] - v->off[i] - 1)};
  return s;
}
void interp_free(VProg *p);
/* Evaluates roots over the rows (row numbers of dim; NULL = 0..nrows-1);
 * out[i*nroots+k] = 1
 * when rule k holds for rows[i].  0 on success, 1 when it bailed (r->bail). */
int interp_eval(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, uint8_t *out);

/* Node helpers for the compiler files. */
VNode *vnode_new(VProg *p, VEval f, Phys ph, TypeKind t);
void vnode_text_reset(VNode *n);
const char *vnode_text_put(VNode *n, const char *s, size_t len);

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

/* Text semantics of SQLite (interp_text.c). */
int interp_like(const char *p, size_t pn, const char *s, size_t sn);
int interp_text_cmp(Str a, Str b);
/* julianday arithmetic exactly as SQLite does it. */
double interp_julian(int64_t secs);
double interp_round(double r);

/* Function ids for ev_func (n->op). */
enum {
  F_YEAR, F_MONTH, F_DAY, F_HOUR, F_WEEKDAY, F_DATE, F_DAYS_SINCE, F_AGE, F_ABS, F_ROUND,
  F_FLOOR, F_CEIL, F_SECONDS_BETWEEN, F_DATE_ADD, F_TS_ADD, F_LENGTH, F_LOWER, F_UPPER, F_TRIM
};

#endif
