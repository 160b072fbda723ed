/* rules.h — the lowered rule program: the IR both rule engines consume.
 *
 * compiler/rules/lower.c turns checked rules (typed AST, compiler/check)
 * into a tree of VNodes per rule, resolved against one columnar layout
 * (compiler/rules/columns.h): every name is a column array, a link row
 * or a collection, every operator has its physical type, constants and
 * dictionary-code ranges are precomputed.  Consumers:
 *   runtime/engine/interp*.c  binds one primitive per node kind and runs
 *                             the tree over batches of VB rows;
 *   compiler/jit/             emits native code per node kind.
 * Both share this one lowering, so they cannot disagree on typing.
 *
 * Each node owns output vectors for one batch (VB positions).  A frame
 * maps batch positions to row numbers per row scope depth (0 = dimension
 * row, 1.. = collection rows); collections expand into child frames. */
#ifndef CAMP_RULES_H
#define CAMP_RULES_H

#include <stdint.h>

#include "compiler/rules/columns.h"

/* What a node computes (the interpreter binds one primitive per kind:
 * runtime/engine/interp_bind.c; the JIT emits code per kind). */
typedef enum {
  VK_CONST,
  VK_COLUMN,
  VK_LINKROW,
  VK_AND,
  VK_OR,
  VK_NOT,
  VK_ISNULL,
  VK_CMP_INT,
  VK_CMP_REAL,
  VK_CMP_TEXT,
  VK_CODE_RANGE,
  VK_CODE_SET,
  VK_IN,
  VK_TO_REAL,
  VK_DATE_TO_TS,
  VK_ARITH_INT,
  VK_ARITH_REAL,
  VK_NEG,
  VK_FUNC,
  VK_COALESCE,
  VK_MINMAX,
  VK_LIKE,
  VK_TEXTOP,
  VK_TEXTFN,
  VK_CONCAT,
  VK_COLLECTION,
  VK_COUNT
} VKind;

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
/* A primitive: fills n's vectors at the positions sel[0..nsel-1]. */
typedef void (*VEval)(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel);

struct VNode {
  VKind kind;
  VEval eval;          /* bound by the interpreter (interp_bind); NULL before */
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

/* Lowers n rules (conditions) over dimension `dim` of layout s; NULL with
 * why set when a construct or a column cannot be evaluated exactly like
 * SQL (the caller then uses SQL).  Nodes are unbound (eval NULL). */
VProg *rules_lower(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                   char *why, size_t whylen);

/* Added (enriched) columns of a population, laid out like snapshot columns
 * of the dimension table (indexed by dimension row; rows outside the
 * population are NULL), so rules that read them compile to column reads. */
typedef struct InterpAdded {
  const char **names;
  const SnapCol *cols;
  int n;
} InterpAdded;

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

/* rules_lower with added columns (may be NULL) and, when values != 0,
 * roots of any type (expressions whose values an engine computes)
 * instead of conditions.  p->uses_added tells whether any root reads one. */
VProg *rules_lower_ex(const Snapshot *s, Schema *dim, Expr **exprs, int n, int64_t now,
                      const InterpAdded *added, int values, char *why, size_t whylen);

/* Frees the value arrays of v (v itself stays, zeroed). */
void ivals_free(IVals *v);
static inline Str ivals_str(const IVals *v, int64_t i) {
  Str s = {v->bytes + v->off[i], (uint32_t)(v->off[i + 1] - v->off[i] - 1)};
  return s;
}
/* Frees p and all its nodes (NULL is a no-op). */
void rules_free(VProg *p);

/* Node memory (rules.c): a new node of kind k with batch vectors for
 * physical type ph, registered in p->all. */
VNode *vnode_new(VProg *p, VKind k, Phys ph, TypeKind t);
/* Text results of a batch live in a chain of buffers owned by the node:
 * reset before a batch, put copies len bytes (valid for the batch). */
void vnode_text_reset(VNode *n);
const char *vnode_text_put(VNode *n, const char *s, size_t len);

/* SQLite's text semantics (rules_text.c): BINARY comparison (-1, 0, 1)
 * and LIKE with ASCII-only case folding. */
int rules_text_cmp(Str a, Str b);
int rules_like(const char *p, size_t pn, const char *s, size_t sn);
static inline unsigned char rules_fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Advances over one character as SQLite's SQLITE_SKIP_UTF8 does. */
static inline size_t rules_skip_char(const char *s, size_t i, size_t n) {
  if ((unsigned char)s[i++] >= 0xc0)
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80) i++;
  return i;
}


/* Function ids for VK_FUNC (n->op). */
enum {
  F_YEAR, F_MONTH, F_DAY, F_HOUR, F_WEEKDAY, F_DATE, F_DAYS_SINCE, F_AGE, F_ABS, F_ROUND,
  F_FLOOR, F_CEIL, F_SECONDS_BETWEEN, F_DATE_ADD, F_TS_ADD, F_LENGTH, F_LOWER, F_UPPER, F_TRIM
};

#endif
