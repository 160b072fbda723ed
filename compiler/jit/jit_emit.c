/* jit_emit.c — planned programs -> libgccjit code -> an object file (or a
 * shared library when the driver asks for one).
 *
 * All programs of a compile go into ONE exported function
 *   int camp_rules(JitArgs *a, const uint32_t *rows, int64_t begin,
 *                  int64_t end, uint8_t *out, int which)
 * that switches on `which` to program `which`'s code (GCC's fixed cost is
 * largely per function).  Per block of JB positions and per root:
 *   phase 1  straight-line code over the cheap conjuncts of the root (fixed-
 *            width columns, dictionary codes, arithmetic, 3-valued logic as
 *            0/1 integer algebra: no branches) -> one flag per row, written
 *            branch-free into a selection vector.  Emitted twice: for
 *            row = position (rows == NULL) and for row = rows[position], so
 *            the hot loop loads columns directly;
 *   phase 2  the expensive conjuncts (text helpers, collections) on the
 *            survivors only, short-circuiting per row.  Emitted once: the
 *            row of a survivor is picked by a branch that goes the same way
 *            for a whole call.
 * Values are (v, null) pairs of locals; NULL rows read row 0 (a masked
 * index) so no load depends on a branch.  Integer overflow sets a bail
 * flag checked once per block.  Parameter slots are loaded (once, before
 * the loop) only when the code uses them. */
#if CAMP_JIT
#include <libgccjit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/jit/jit_int.h"

/* -O level of the generated code: $CAMP_JIT_OPT (0-3), default 2. */
int jit_opt_level(void) {
  const char *o = getenv("CAMP_JIT_OPT");
  return o && *o >= '0' && *o <= '3' && !o[1] ? *o - '0' : 2;
}

#define JB 1024

typedef struct JV {
  gcc_jit_rvalue *v, *n, *len; /* len: text only (v is then the char *) */
} JV;

typedef struct Em {
  gcc_jit_context *c;
  gcc_jit_function *fn;
  gcc_jit_block *b;
  gcc_jit_type *i64, *u64, *i128, *dbl, *i32, *u32, *i8, *u8, *cp, *vp, *bl;
  gcc_jit_rvalue **P, **K, **F, **H; /* parameter slots, loaded on first use */
  gcc_jit_block *slots;               /* the block they are loaded in */
  gcc_jit_rvalue *a_ptr, *a_k, *a_f, *a_h, *a_nul;
  gcc_jit_field **fld;
  gcc_jit_lvalue *bail;
  gcc_jit_lvalue *row[VMAXD + 1];
  int nloc, nblk;
  gcc_jit_rvalue *rows, *begin, *end, *out;
  gcc_jit_lvalue *sel;
  gcc_jit_lvalue *ident; /* 1 when rows == NULL */
  int rmode;             /* row of position i: 0 i, 1 rows[i], 2 either (branch on ident) */
} Em;

static gcc_jit_rvalue *I(Em *e, long v) { return gcc_jit_context_new_rvalue_from_long(e->c, e->i64, v); }
static gcc_jit_rvalue *RV(gcc_jit_lvalue *l) { return gcc_jit_lvalue_as_rvalue(l); }

static gcc_jit_lvalue *local(Em *e, gcc_jit_type *t) {
  char name[32];
  snprintf(name, sizeof name, "t%d", e->nloc++);
  return gcc_jit_function_new_local(e->fn, NULL, t, name);
}

/* A fresh local holding v (assigned in the current block). */
static gcc_jit_rvalue *let(Em *e, gcc_jit_type *t, gcc_jit_rvalue *v) {
  gcc_jit_lvalue *l = local(e, t);
  gcc_jit_block_add_assignment(e->b, NULL, l, v);
  return RV(l);
}

static gcc_jit_block *blk(Em *e) {
  char name[32];
  snprintf(name, sizeof name, "b%d", e->nblk++);
  return gcc_jit_function_new_block(e->fn, name);
}

static gcc_jit_rvalue *bin(Em *e, enum gcc_jit_binary_op op, gcc_jit_type *t, gcc_jit_rvalue *a,
                           gcc_jit_rvalue *b) {
  return gcc_jit_context_new_binary_op(e->c, NULL, op, t, a, b);
}
static gcc_jit_rvalue *AND(Em *e, gcc_jit_rvalue *a, gcc_jit_rvalue *b) { return bin(e, GCC_JIT_BINARY_OP_BITWISE_AND, e->i64, a, b); }
static gcc_jit_rvalue *OR(Em *e, gcc_jit_rvalue *a, gcc_jit_rvalue *b) { return bin(e, GCC_JIT_BINARY_OP_BITWISE_OR, e->i64, a, b); }
static gcc_jit_rvalue *XOR(Em *e, gcc_jit_rvalue *a, gcc_jit_rvalue *b) { return bin(e, GCC_JIT_BINARY_OP_BITWISE_XOR, e->i64, a, b); }
static gcc_jit_rvalue *NOT1(Em *e, gcc_jit_rvalue *a) { return XOR(e, a, I(e, 1)); }
static gcc_jit_rvalue *cast(Em *e, gcc_jit_rvalue *v, gcc_jit_type *t) { return gcc_jit_context_new_cast(e->c, NULL, v, t); }

static enum gcc_jit_comparison cmp_of(int op) {
  switch (op) {
    case OP_EQ: return GCC_JIT_COMPARISON_EQ;
    case OP_NE: return GCC_JIT_COMPARISON_NE;
    case OP_LT: return GCC_JIT_COMPARISON_LT;
    case OP_LE: return GCC_JIT_COMPARISON_LE;
    case OP_GT: return GCC_JIT_COMPARISON_GT;
    default: return GCC_JIT_COMPARISON_GE;
  }
}

/* (a op b) as a 0/1 int64. */
static gcc_jit_rvalue *CMP(Em *e, enum gcc_jit_comparison op, gcc_jit_rvalue *a, gcc_jit_rvalue *b) {
  return cast(e, gcc_jit_context_new_comparison(e->c, NULL, op, a, b), e->i64);
}

static gcc_jit_rvalue *at(Em *e, gcc_jit_rvalue *ptr, gcc_jit_rvalue *idx) {
  return RV(gcc_jit_context_new_array_access(e->c, NULL, ptr, idx));
}

/* A fresh local holding v, assigned in the slots block. */
static gcc_jit_rvalue *slot_let(Em *e, gcc_jit_type *t, gcc_jit_rvalue *v) {
  gcc_jit_lvalue *l = local(e, t);
  gcc_jit_block_add_assignment(e->slots, NULL, l, v);
  return RV(l);
}

/* Parameter slot i of a->ptr / a->k / a->f, helper i of a->h. */
static gcc_jit_rvalue *SP(Em *e, int i) {
  if (!e->P[i]) e->P[i] = slot_let(e, e->vp, at(e, e->a_ptr, I(e, i)));
  return e->P[i];
}
static gcc_jit_rvalue *SK(Em *e, int i) {
  if (!e->K[i]) e->K[i] = slot_let(e, e->i64, at(e, e->a_k, I(e, i)));
  return e->K[i];
}
static gcc_jit_rvalue *SF(Em *e, int i) {
  if (!e->F[i]) e->F[i] = slot_let(e, e->dbl, at(e, e->a_f, I(e, i)));
  return e->F[i];
}
static gcc_jit_rvalue *SH(Em *e, int i) {
  if (!e->H[i]) {
    gcc_jit_rvalue *fp = RV(gcc_jit_rvalue_dereference_field(e->a_h, NULL, e->fld[5 + i]));
    e->H[i] = slot_let(e, gcc_jit_rvalue_get_type(fp), fp);
  }
  return e->H[i];
}

static gcc_jit_rvalue *P(Em *e, int slot, gcc_jit_type *elem) {
  return cast(e, SP(e, slot), gcc_jit_type_get_pointer(gcc_jit_type_get_const(elem)));
}

static JV emit(Em *e, VNode *n);

static JV mk(gcc_jit_rvalue *v, gcc_jit_rvalue *n) { JV j = {v, n, NULL}; return j; }

/* ------------------------------------------------------------ leaves */

static JV em_const(Em *e, VNode *n) {
  JV j = {NULL, I(e, 0), NULL};
  if (n->nul[0]) {
    j.n = I(e, 1);
    j.v = n->phys == P_REAL ? gcc_jit_context_zero(e->c, e->dbl)
          : n->phys == P_TEXT ? gcc_jit_context_null(e->c, e->cp) : I(e, 0);
    if (n->phys == P_TEXT) j.len = I(e, 0);
    return j;
  }
  if (n->phys == P_INT) j.v = SK(e, n->js_k);
  else if (n->phys == P_REAL) j.v = SF(e, n->js_f);
  else j.v = cast(e, SP(e, n->js_p), e->cp), j.len = SK(e, n->js_k);
  return j;
}

/* Row index of a column / link node: masked to 0 when the source is NULL. */
static gcc_jit_rvalue *row_of(Em *e, VNode *n, gcc_jit_rvalue **neg) {
  if (!n->a) {
    *neg = I(e, 0);
    return RV(e->row[n->depth]);
  }
  JV a = emit(e, n->a);
  *neg = let(e, e->i64, CMP(e, GCC_JIT_COMPARISON_LT, a.v, I(e, 0)));
  gcc_jit_rvalue *sign = bin(e, GCC_JIT_BINARY_OP_RSHIFT, e->i64, a.v, I(e, 63));
  return let(e, e->i64, AND(e, a.v, gcc_jit_context_new_unary_op(e->c, NULL, GCC_JIT_UNARY_OP_BITWISE_NEGATE, e->i64, sign)));
}

static JV em_column(Em *e, VNode *n) {
  const SnapCol *c = n->col;
  int s = n->js_p;
  gcc_jit_rvalue *neg, *row = row_of(e, n, &neg), *nul = neg;
  if (c->kind == SC_TEXT && c->ndict == 0) {
    JV j = {gcc_jit_context_null(e->c, e->cp), I(e, 1), I(e, 0)};
    if (n->ki) j.v = I(e, 0), j.len = NULL;
    return j;
  }
  if (c->nulls) {
    gcc_jit_rvalue *w = at(e, P(e, s + 1, e->u64), bin(e, GCC_JIT_BINARY_OP_RSHIFT, e->i64, row, I(e, 6)));
    gcc_jit_rvalue *bit = bin(e, GCC_JIT_BINARY_OP_RSHIFT, e->u64, w, cast(e, AND(e, row, I(e, 63)), e->u64));
    bit = cast(e, bin(e, GCC_JIT_BINARY_OP_BITWISE_AND, e->u64, bit, gcc_jit_context_one(e->c, e->u64)), e->i64);
    nul = OR(e, nul, bit);
  }
  nul = let(e, e->i64, nul);
  switch (c->kind) {
    case SC_I64: return mk(let(e, e->i64, at(e, P(e, s, e->i64), row)), nul);
    case SC_I32: return mk(let(e, e->i64, cast(e, at(e, P(e, s, e->i32), row), e->i64)), nul);
    case SC_I8: return mk(let(e, e->i64, cast(e, at(e, P(e, s, e->i8), row), e->i64)), nul);
    case SC_F64: return mk(let(e, e->dbl, at(e, P(e, s, e->dbl), row)), nul);
    default: break;
  }
  gcc_jit_rvalue *code = c->data ? cast(e, at(e, P(e, s, e->i32), row), e->i64) : row;
  code = let(e, e->i64, AND(e, code, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, nul, I(e, 1))));
  if (n->ki) return mk(code, nul);
  gcc_jit_rvalue *offs = P(e, s + 2, e->u64);
  gcc_jit_rvalue *off = let(e, e->u64, at(e, offs, code));
  gcc_jit_rvalue *end = at(e, offs, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, code, I(e, 1)));
  JV j;
  j.n = nul;
  j.len = let(e, e->i64, cast(e, bin(e, GCC_JIT_BINARY_OP_MINUS, e->u64, bin(e, GCC_JIT_BINARY_OP_MINUS, e->u64, end, off),
                                     gcc_jit_context_one(e->c, e->u64)), e->i64));
  gcc_jit_rvalue *addr = gcc_jit_lvalue_get_address(
      gcc_jit_context_new_array_access(e->c, NULL, P(e, s + 3, gcc_jit_context_get_type(e->c, GCC_JIT_TYPE_CHAR)), off), NULL);
  j.v = let(e, e->cp, cast(e, addr, e->cp));
  return j;
}

static JV em_link(Em *e, VNode *n) {
  gcc_jit_rvalue *neg, *row = row_of(e, n, &neg);
  gcc_jit_rvalue *t = let(e, e->i64, cast(e, at(e, P(e, n->js_p, e->i32), row), e->i64));
  gcc_jit_rvalue *nul = let(e, e->i64, OR(e, neg, CMP(e, GCC_JIT_COMPARISON_LT, t, I(e, 0))));
  gcc_jit_rvalue *v = let(e, e->i64, OR(e, t, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, I(e, 0), nul)));
  return mk(v, nul);
}

/* ------------------------------------------------------------ logic */

static JV em_logic(Em *e, VNode *n) {
  JV a = emit(e, n->a);
  if (n->jk == J_NOT) return mk(let(e, e->i64, AND(e, NOT1(e, a.v), NOT1(e, a.n))), a.n);
  if (n->jk == J_ISNULL) return mk(let(e, e->i64, XOR(e, a.n, I(e, n->ki ? 1 : 0))), I(e, 0));
  JV b = emit(e, n->b);
  gcc_jit_rvalue *anyn = OR(e, a.n, b.n);
  if (n->jk == J_AND) {
    gcc_jit_rvalue *f = let(e, e->i64, OR(e, AND(e, NOT1(e, a.n), NOT1(e, a.v)), AND(e, NOT1(e, b.n), NOT1(e, b.v))));
    gcc_jit_rvalue *nul = let(e, e->i64, AND(e, anyn, NOT1(e, f)));
    return mk(let(e, e->i64, NOT1(e, OR(e, f, nul))), nul);
  }
  gcc_jit_rvalue *t = let(e, e->i64, OR(e, AND(e, NOT1(e, a.n), a.v), AND(e, NOT1(e, b.n), b.v)));
  gcc_jit_rvalue *nul = let(e, e->i64, AND(e, anyn, NOT1(e, t)));
  return mk(t, nul);
}

static JV em_cmp(Em *e, VNode *n) {
  JV a = emit(e, n->a), b = emit(e, n->b);
  return mk(let(e, e->i64, CMP(e, cmp_of(n->op), a.v, b.v)), let(e, e->i64, OR(e, a.n, b.n)));
}

static JV em_codes(Em *e, VNode *n) {
  JV a = emit(e, n->a);
  gcc_jit_rvalue *v;
  if (n->jk == J_RANGE)
    v = AND(e, CMP(e, GCC_JIT_COMPARISON_GE, a.v, SK(e, n->js_k)), CMP(e, GCC_JIT_COMPARISON_LT, a.v, SK(e, n->js_k + 1)));
  else
    v = cast(e, at(e, P(e, n->js_p, e->u8), a.v), e->i64);
  return mk(let(e, e->i64, XOR(e, v, I(e, n->ki ? 1 : 0))), a.n);
}

static JV em_in(Em *e, VNode *n) {
  JV x = emit(e, n->a);
  gcc_jit_rvalue *found = I(e, 0), *anyn = I(e, 0);
  for (int k = 0; k < n->nargs; k++) {
    JV y = emit(e, n->args[k]);
    found = let(e, e->i64, OR(e, found, AND(e, NOT1(e, y.n), CMP(e, GCC_JIT_COMPARISON_EQ, x.v, y.v))));
    anyn = let(e, e->i64, OR(e, anyn, y.n));
  }
  gcc_jit_rvalue *nul = let(e, e->i64, OR(e, x.n, AND(e, anyn, NOT1(e, found))));
  found = AND(e, found, NOT1(e, x.n));
  return mk(let(e, e->i64, AND(e, NOT1(e, nul), XOR(e, found, I(e, n->ki ? 1 : 0)))), nul);
}

/* ------------------------------------------------------- arithmetic */

static void bail_if(Em *e, gcc_jit_rvalue *cond, gcc_jit_rvalue *nul) {
  gcc_jit_block_add_assignment(e->b, NULL, e->bail, OR(e, RV(e->bail), AND(e, cond, NOT1(e, nul))));
}

static JV em_arith_int(Em *e, VNode *n) {
  JV a = emit(e, n->a), b = emit(e, n->b);
  gcc_jit_rvalue *nul = let(e, e->i64, OR(e, a.n, b.n)), *x = a.v, *y = b.v, *z;
  gcc_jit_rvalue *ux = cast(e, x, e->u64), *uy = cast(e, y, e->u64);
  switch (n->op) {
    case OP_ADD: case OP_SUB: {
      int add = n->op == OP_ADD;
      z = let(e, e->i64, cast(e, bin(e, add ? GCC_JIT_BINARY_OP_PLUS : GCC_JIT_BINARY_OP_MINUS, e->u64, ux, uy), e->i64));
      gcc_jit_rvalue *o = add ? AND(e, XOR(e, x, z), XOR(e, y, z)) : AND(e, XOR(e, x, y), XOR(e, x, z));
      bail_if(e, CMP(e, GCC_JIT_COMPARISON_LT, o, I(e, 0)), nul);
      return mk(z, nul);
    }
    case OP_MUL: {
      gcc_jit_rvalue *p = let(e, e->i128, bin(e, GCC_JIT_BINARY_OP_MULT, e->i128, cast(e, x, e->i128), cast(e, y, e->i128)));
      z = let(e, e->i64, cast(e, p, e->i64));
      bail_if(e, CMP(e, GCC_JIT_COMPARISON_NE, cast(e, z, e->i128), p), nul);
      return mk(z, nul);
    }
    default: {
      gcc_jit_rvalue *zero = let(e, e->i64, CMP(e, GCC_JIT_COMPARISON_EQ, y, I(e, 0)));
      gcc_jit_rvalue *m1 = CMP(e, GCC_JIT_COMPARISON_EQ, y, I(e, -1));
      gcc_jit_rvalue *special;
      if (n->op == OP_DIV) {
        special = let(e, e->i64, AND(e, m1, CMP(e, GCC_JIT_COMPARISON_EQ, x, I(e, INT64_MIN))));
        bail_if(e, special, OR(e, nul, zero));
      } else {
        special = let(e, e->i64, m1); /* x % -1 is 0: divide by 1 instead */
      }
      gcc_jit_rvalue *fix = OR(e, zero, special);
      /* ys = fix ? 1 : y, computed without a branch in unsigned arithmetic */
      gcc_jit_rvalue *ys = bin(e, GCC_JIT_BINARY_OP_PLUS, e->u64, uy,
                               bin(e, GCC_JIT_BINARY_OP_MULT, e->u64, cast(e, fix, e->u64),
                                   bin(e, GCC_JIT_BINARY_OP_MINUS, e->u64, gcc_jit_context_one(e->c, e->u64), uy)));
      ys = let(e, e->i64, cast(e, ys, e->i64));
      z = let(e, e->i64, bin(e, n->op == OP_DIV ? GCC_JIT_BINARY_OP_DIVIDE : GCC_JIT_BINARY_OP_MODULO, e->i64, x, ys));
      return mk(z, let(e, e->i64, OR(e, nul, zero)));
    }
  }
}

static JV em_arith_real(Em *e, VNode *n) {
  JV a = emit(e, n->a), b = emit(e, n->b);
  gcc_jit_rvalue *nul = OR(e, a.n, b.n), *y = b.v, *z;
  enum gcc_jit_binary_op op = n->op == OP_ADD ? GCC_JIT_BINARY_OP_PLUS
                              : n->op == OP_SUB ? GCC_JIT_BINARY_OP_MINUS
                              : n->op == OP_MUL ? GCC_JIT_BINARY_OP_MULT : GCC_JIT_BINARY_OP_DIVIDE;
  if (n->op == OP_DIV) {
    gcc_jit_rvalue *zero = let(e, e->i64, CMP(e, GCC_JIT_COMPARISON_EQ, y, gcc_jit_context_zero(e->c, e->dbl)));
    nul = OR(e, nul, zero);
    y = bin(e, GCC_JIT_BINARY_OP_PLUS, e->dbl, y, cast(e, zero, e->dbl));
  }
  z = let(e, e->dbl, bin(e, op, e->dbl, a.v, y));
  nul = let(e, e->i64, OR(e, nul, CMP(e, GCC_JIT_COMPARISON_NE, z, z)));
  return mk(z, nul);
}

static JV em_unary(Em *e, VNode *n) {
  JV a = emit(e, n->a);
  switch (n->jk) {
    case J_TOREAL: return mk(let(e, e->dbl, cast(e, a.v, e->dbl)), a.n);
    case J_D2TS: return mk(let(e, e->i64, bin(e, GCC_JIT_BINARY_OP_MULT, e->i64, a.v, I(e, 86400))), a.n);
    default: break; /* J_NEG */
  }
  if (n->phys == P_REAL)
    return mk(let(e, e->dbl, gcc_jit_context_new_unary_op(e->c, NULL, GCC_JIT_UNARY_OP_MINUS, e->dbl, a.v)), a.n);
  bail_if(e, CMP(e, GCC_JIT_COMPARISON_EQ, a.v, I(e, INT64_MIN)), a.n);
  gcc_jit_rvalue *z = bin(e, GCC_JIT_BINARY_OP_MINUS, e->u64, gcc_jit_context_zero(e->c, e->u64), cast(e, a.v, e->u64));
  return mk(let(e, e->i64, cast(e, z, e->i64)), a.n);
}

/* ------------------------------------------------------------ text */

static gcc_jit_rvalue *call(Em *e, int h, int nargs, gcc_jit_rvalue **args) {
  return gcc_jit_context_new_call_through_ptr(e->c, NULL, SH(e, h), nargs, args);
}

static JV em_text(Em *e, VNode *n) {
  JV a = emit(e, n->a), b = emit(e, n->b);
  gcc_jit_rvalue *nul = let(e, e->i64, OR(e, a.n, b.n)), *m;
  int neg = n->op == OP_NOT_LIKE || n->op == OP_NOT_CONTAINS || n->op == OP_NOT_STARTS;
  if (n->jk == J_CMP_TEXT) {
    gcc_jit_rvalue *args[] = {a.v, a.len, b.v, b.len};
    m = CMP(e, cmp_of(n->op), let(e, e->i64, call(e, 2, 4, args)), I(e, 0));
    neg = 0;
  } else if (n->jk == J_LIKE && n->lo) {
    gcc_jit_rvalue *args[] = {I(e, n->lo), a.v, a.len, cast(e, SP(e, n->js_p), e->cp), SK(e, n->js_k)};
    m = call(e, 1, 5, args);
  } else if (n->jk == J_LIKE) {
    gcc_jit_rvalue *args[] = {b.v, b.len, a.v, a.len};
    m = call(e, 0, 4, args);
  } else {
    int starts = n->op == OP_STARTS || n->op == OP_NOT_STARTS;
    gcc_jit_rvalue *args[] = {I(e, starts), a.v, a.len, b.v, b.len};
    m = call(e, 3, 5, args);
  }
  return mk(let(e, e->i64, XOR(e, m, I(e, neg))), nul);
}

/* ------------------------------------------------------- collections */

static void set(Em *e, gcc_jit_lvalue *l, gcc_jit_rvalue *v) { gcc_jit_block_add_assignment(e->b, NULL, l, v); }

static JV em_coll(Em *e, VNode *n) {
  gcc_jit_rvalue *owner;
  if (n->owner) owner = emit(e, n->owner).v;
  else owner = RV(e->row[n->depth]);
  owner = let(e, e->i64, owner);
  gcc_jit_rvalue *neg = let(e, e->i64, CMP(e, GCC_JIT_COMPARISON_LT, owner, I(e, 0)));
  gcc_jit_rvalue *safe = let(e, e->i64, AND(e, owner, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, neg, I(e, 1))));
  gcc_jit_rvalue *offs = P(e, n->js_p, e->u32), *crows = P(e, n->js_p + 1, e->u32);
  gcc_jit_rvalue *lo = let(e, e->i64, cast(e, at(e, offs, safe), e->i64));
  gcc_jit_rvalue *hi1 = cast(e, at(e, offs, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, safe, I(e, 1))), e->i64);
  gcc_jit_rvalue *hi = let(e, e->i64, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, lo,
                                          AND(e, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, hi1, lo), bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, neg, I(e, 1)))));
  gcc_jit_lvalue *k = local(e, e->i64), *cnt = local(e, e->i64), *isum = local(e, e->i64), *ovf = local(e, e->i64);
  gcc_jit_lvalue *rsum = local(e, e->dbl);
  int vreal = n->value && n->value->phys == P_REAL;
  gcc_jit_lvalue *best = local(e, vreal ? e->dbl : e->i64);
  set(e, k, lo);
  set(e, cnt, I(e, 0));
  set(e, isum, I(e, 0));
  set(e, ovf, I(e, 0));
  set(e, rsum, gcc_jit_context_zero(e->c, e->dbl));
  set(e, best, vreal ? gcc_jit_context_zero(e->c, e->dbl) : I(e, 0));
  gcc_jit_block *head = blk(e), *body = blk(e), *next = blk(e), *acc = blk(e), *after = blk(e);
  gcc_jit_block_end_with_jump(e->b, NULL, head);
  gcc_jit_block_end_with_conditional(head, NULL, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_LT, RV(k), hi), body, after);
  e->b = body;
  int D = n->coll_depth;
  set(e, e->row[D + 1], cast(e, at(e, crows, RV(k)), e->i64));
  if (n->filter) {
    JV f = emit(e, n->filter);
    gcc_jit_rvalue *keep = AND(e, f.v, NOT1(e, f.n));
    gcc_jit_block *yes = blk(e);
    gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, keep, e->bl), yes, next);
    e->b = yes;
  }
  JV v = {0};
  if (n->value) {
    v = emit(e, n->value);
    gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, v.n, e->bl), next, acc);
  } else {
    gcc_jit_block_end_with_jump(e->b, NULL, acc);
  }
  e->b = acc;
  set(e, cnt, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(cnt), I(e, 1)));
  if (n->agg == 2 || n->agg == 3) {
    if (vreal) {
      set(e, rsum, bin(e, GCC_JIT_BINARY_OP_PLUS, e->dbl, RV(rsum), v.v));
    } else {
      set(e, rsum, bin(e, GCC_JIT_BINARY_OP_PLUS, e->dbl, RV(rsum), cast(e, v.v, e->dbl)));
      gcc_jit_rvalue *z = let(e, e->i64, cast(e, bin(e, GCC_JIT_BINARY_OP_PLUS, e->u64, cast(e, RV(isum), e->u64), cast(e, v.v, e->u64)), e->i64));
      gcc_jit_rvalue *o = CMP(e, GCC_JIT_COMPARISON_LT, AND(e, XOR(e, RV(isum), z), XOR(e, v.v, z)), I(e, 0));
      set(e, ovf, OR(e, RV(ovf), o));
      set(e, isum, z);
    }
  }
  if (n->agg >= 4) {
    gcc_jit_block *take = blk(e);
    gcc_jit_rvalue *first = gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_EQ, RV(cnt), I(e, 1));
    gcc_jit_rvalue *better = gcc_jit_context_new_comparison(e->c, NULL, n->agg == 4 ? GCC_JIT_COMPARISON_LT : GCC_JIT_COMPARISON_GT, v.v, RV(best));
    gcc_jit_block_end_with_conditional(e->b, NULL, bin(e, GCC_JIT_BINARY_OP_LOGICAL_OR, e->bl, first, better), take, next);
    gcc_jit_block_add_assignment(take, NULL, best, v.v);
    gcc_jit_block_end_with_jump(take, NULL, next);
  } else {
    gcc_jit_block_end_with_jump(e->b, NULL, next);
  }
  gcc_jit_block_add_assignment(next, NULL, k, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(k), I(e, 1)));
  gcc_jit_block_end_with_jump(next, NULL, head);
  e->b = after;
  gcc_jit_rvalue *none = let(e, e->i64, CMP(e, GCC_JIT_COMPARISON_EQ, RV(cnt), I(e, 0)));
  switch (n->agg) {
    case 0: return mk(let(e, e->i64, NOT1(e, none)), I(e, 0));
    case 1: return mk(RV(cnt), I(e, 0));
    case 2:
      if (n->phys == P_REAL) return mk(RV(rsum), none);
      bail_if(e, RV(ovf), none);
      return mk(RV(isum), none);
    case 3:
      return mk(let(e, e->dbl, bin(e, GCC_JIT_BINARY_OP_DIVIDE, e->dbl, RV(rsum),
                                   cast(e, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(cnt), none), e->dbl))), none);
    default: return mk(RV(best), none);
  }
}

static JV emit(Em *e, VNode *n) {
  switch (n->jk) {
    case J_CONST: return em_const(e, n);
    case J_COLUMN: return em_column(e, n);
    case J_LINK: return em_link(e, n);
    case J_AND: case J_OR: case J_NOT: case J_ISNULL: return em_logic(e, n);
    case J_CMP_INT: case J_CMP_REAL: return em_cmp(e, n);
    case J_RANGE: case J_SET: return em_codes(e, n);
    case J_IN: return em_in(e, n);
    case J_ARITH_INT: return em_arith_int(e, n);
    case J_ARITH_REAL: return em_arith_real(e, n);
    case J_TOREAL: case J_D2TS: case J_NEG: return em_unary(e, n);
    case J_CMP_TEXT: case J_LIKE: case J_TEXTOP: return em_text(e, n);
    default: return em_coll(e, n);
  }
}

/* --------------------------------------------------------- functions */

static void conjuncts(VNode *n, VNode **out, int *k, int max) {
  if (n->jk == J_AND && *k + 2 <= max) {
    conjuncts(n->a, out, k, max);
    conjuncts(n->b, out, k, max);
    return;
  }
  out[(*k)++] = n;
}

static gcc_jit_rvalue *truth(Em *e, JV j) { return AND(e, j.v, NOT1(e, j.n)); }

/* Sets e->row[0] for position i (see rmode). */
static void load_row(Em *e, gcc_jit_rvalue *i) {
  if (e->rmode < 2) {
    set(e, e->row[0], e->rmode ? cast(e, at(e, e->rows, i), e->i64) : i);
    return;
  }
  gcc_jit_block *yi = blk(e), *yr = blk(e), *j = blk(e);
  gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, RV(e->ident), e->bl), yi, yr);
  gcc_jit_block_add_assignment(yi, NULL, e->row[0], i);
  gcc_jit_block_end_with_jump(yi, NULL, j);
  gcc_jit_block_add_assignment(yr, NULL, e->row[0], cast(e, at(e, e->rows, i), e->i64));
  gcc_jit_block_end_with_jump(yr, NULL, j);
  e->b = j;
}

static gcc_jit_lvalue *out_at(Em *e, gcc_jit_rvalue *out, gcc_jit_rvalue *i, int nroots, int k) {
  gcc_jit_rvalue *idx = bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, bin(e, GCC_JIT_BINARY_OP_MULT, e->i64, i, I(e, nroots)), I(e, k));
  return gcc_jit_context_new_array_access(e->c, NULL, out, idx);
}

/* Phase 1 of a root over positions base..lim-1 in row mode e->rmode: the
 * cheap conjuncts, branch-free, into out (no expensive conjuncts) or the
 * selection vector sel / cnt.  Ends in e->b. */
static void em_phase1(Em *e, VNode **cj, int ncj, int nexp, int k, int nroots, gcc_jit_rvalue *base,
                      gcc_jit_rvalue *lim, gcc_jit_rvalue *out, gcc_jit_lvalue *sel, gcc_jit_lvalue *cnt) {
  gcc_jit_lvalue *i = local(e, e->i64);
  set(e, i, base);
  gcc_jit_block *h1 = blk(e), *b1 = blk(e), *d1 = blk(e);
  gcc_jit_block_end_with_jump(e->b, NULL, h1);
  gcc_jit_block_end_with_conditional(h1, NULL, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_LT, RV(i), lim), b1, d1);
  e->b = b1;
  load_row(e, RV(i));
  gcc_jit_rvalue *flag = I(e, 1);
  for (int c = 0; c < ncj; c++)
    if (!cj[c]->jexp) flag = let(e, e->i64, AND(e, flag, truth(e, emit(e, cj[c]))));
  gcc_jit_lvalue *o = out_at(e, out, RV(i), nroots, k);
  set(e, o, cast(e, nexp ? I(e, 0) : flag, e->u8));
  if (nexp) {
    gcc_jit_lvalue *slot = gcc_jit_context_new_array_access(e->c, NULL, RV(sel), RV(cnt));
    set(e, slot, cast(e, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, RV(i), base), e->i32));
    set(e, cnt, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(cnt), flag));
  }
  set(e, i, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(i), I(e, 1)));
  gcc_jit_block_end_with_jump(e->b, NULL, h1);
  e->b = d1;
}

/* Phase 2 of a root: the expensive conjuncts on the cnt positions of sel
 * (relative to base), short-circuiting per row.  Ends in e->b. */
static void em_phase2(Em *e, VNode **cj, int ncj, int k, int nroots, gcc_jit_rvalue *base,
                      gcc_jit_rvalue *out, gcc_jit_lvalue *sel, gcc_jit_lvalue *cnt) {
  gcc_jit_lvalue *j = local(e, e->i64);
  set(e, j, I(e, 0));
  gcc_jit_block *h2 = blk(e), *b2 = blk(e), *skip = blk(e), *d2 = blk(e);
  gcc_jit_block_end_with_jump(e->b, NULL, h2);
  gcc_jit_block_end_with_conditional(h2, NULL, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_LT, RV(j), RV(cnt)), b2, d2);
  e->b = b2;
  gcc_jit_rvalue *pos = let(e, e->i64, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, base,
                                           cast(e, at(e, RV(sel), RV(j)), e->i64)));
  load_row(e, pos);
  for (int c = 0; c < ncj; c++) {
    if (!cj[c]->jexp) continue;
    gcc_jit_rvalue *t = truth(e, emit(e, cj[c]));
    gcc_jit_block *yes = blk(e);
    gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, t, e->bl), yes, skip);
    e->b = yes;
  }
  set(e, out_at(e, out, pos, nroots, k), gcc_jit_context_one(e->c, e->u8));
  gcc_jit_block_end_with_jump(e->b, NULL, skip);
  gcc_jit_block_add_assignment(skip, NULL, j, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(j), I(e, 1)));
  gcc_jit_block_end_with_jump(skip, NULL, h2);
  e->b = d2;
}

/* Value roots over positions base..lim-1: each row's values (computed
 * whole: a value has no cheap part to filter on) into out as int64 or
 * double and their NULL flags into a->nul.  Ends in e->b. */
static void em_values(Em *e, VProg *p, gcc_jit_rvalue *base, gcc_jit_rvalue *lim) {
  gcc_jit_lvalue *i = local(e, e->i64);
  set(e, i, base);
  gcc_jit_block *h = blk(e), *b = blk(e), *d = blk(e);
  gcc_jit_block_end_with_jump(e->b, NULL, h);
  gcc_jit_block_end_with_conditional(h, NULL, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_LT, RV(i), lim), b, d);
  e->b = b, e->rmode = 2;
  load_row(e, RV(i));
  for (int k = 0; k < p->nroots; k++) {
    VNode *r = p->roots[k];
    JV j = emit(e, r);
    gcc_jit_type *t = r->phys == P_REAL ? e->dbl : e->i64;
    gcc_jit_rvalue *vout = cast(e, e->out, gcc_jit_type_get_pointer(t));
    set(e, out_at(e, vout, RV(i), p->nroots, k), r->phys == P_REAL ? j.v : cast(e, j.v, e->i64));
    set(e, out_at(e, e->a_nul, RV(i), p->nroots, k), cast(e, j.n, e->u8));
  }
  set(e, i, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(i), I(e, 1)));
  gcc_jit_block_end_with_jump(e->b, NULL, h);
  e->b = d;
}

/* All roots over positions base..lim-1: per root, phase 1 in both row
 * modes, then phase 2 once.  Ends in e->b. */
static void em_roots(Em *e, VProg *p, gcc_jit_rvalue *base, gcc_jit_rvalue *lim) {
  if (p->values) {
    em_values(e, p, base, lim);
    return;
  }
  for (int k = 0; k < p->nroots; k++) {
    VNode *cj[64];
    int ncj = 0, nexp = 0;
    conjuncts(p->roots[k], cj, &ncj, 64);
    for (int i = 0; i < ncj; i++) nexp += cj[i]->jexp;
    gcc_jit_lvalue *cnt = local(e, e->i64);
    set(e, cnt, I(e, 0));
    gcc_jit_block *bi = blk(e), *br = blk(e), *join = blk(e);
    gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, RV(e->ident), e->bl), bi, br);
    for (int m = 0; m < 2; m++) {
      e->b = m ? br : bi, e->rmode = m;
      em_phase1(e, cj, ncj, nexp, k, p->nroots, base, lim, e->out, e->sel, cnt);
      gcc_jit_block_end_with_jump(e->b, NULL, join);
    }
    e->b = join, e->rmode = 2;
    if (nexp) em_phase2(e, cj, ncj, k, p->nroots, base, e->out, e->sel, cnt);
  }
}

/* The block loop of one program; jumps to done or bailed at the end. */
static void em_loop(Em *e, VProg *p, gcc_jit_block *done, gcc_jit_block *bailed) {
  gcc_jit_lvalue *base = local(e, e->i64);
  set(e, base, e->begin);
  gcc_jit_block *head = blk(e), *body = blk(e);
  gcc_jit_block_end_with_jump(e->b, NULL, head);
  gcc_jit_block_end_with_conditional(head, NULL, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_LT, RV(base), e->end), body, done);
  e->b = body;
  /* lim = min(base + JB, end), branch-free */
  gcc_jit_rvalue *d = let(e, e->i64, bin(e, GCC_JIT_BINARY_OP_MINUS, e->i64, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, RV(base), I(e, JB)), e->end));
  gcc_jit_rvalue *lim = let(e, e->i64, bin(e, GCC_JIT_BINARY_OP_PLUS, e->i64, e->end, AND(e, d, bin(e, GCC_JIT_BINARY_OP_RSHIFT, e->i64, d, I(e, 63)))));
  gcc_jit_rvalue *b0 = let(e, e->i64, RV(base));
  em_roots(e, p, b0, lim);
  set(e, base, lim);
  gcc_jit_block *more = blk(e);
  gcc_jit_block_end_with_conditional(e->b, NULL, cast(e, RV(e->bail), e->bl), bailed, more);
  gcc_jit_block_end_with_jump(more, NULL, head);
}

/* Program pl's code from e->b: its parameter slots block, then the loop;
 * the slots block is closed last, holding only the slots the code used. */
static void em_body(Em *e, JPlan *pl, gcc_jit_rvalue *a, gcc_jit_field **fld, gcc_jit_block *done,
                    gcc_jit_block *bailed) {
  e->a_ptr = RV(gcc_jit_rvalue_dereference_field(a, NULL, fld[0]));
  e->a_k = RV(gcc_jit_rvalue_dereference_field(a, NULL, fld[1]));
  e->a_f = RV(gcc_jit_rvalue_dereference_field(a, NULL, fld[2]));
  e->a_h = RV(gcc_jit_rvalue_dereference_field(a, NULL, fld[3]));
  e->a_nul = RV(gcc_jit_rvalue_dereference_field(a, NULL, fld[9]));
  e->fld = fld;
  e->P = calloc((size_t)pl->nptr + 1, sizeof *e->P);
  e->K = calloc((size_t)pl->nk + 1, sizeof *e->K);
  e->F = calloc((size_t)pl->nf + 1, sizeof *e->F);
  e->H = calloc(4, sizeof *e->H);
  if (!e->P || !e->K || !e->F || !e->H) abort();
  e->slots = e->b;
  gcc_jit_block *start = blk(e);
  e->b = start;
  em_loop(e, pl->p, done, bailed);
  gcc_jit_block_end_with_jump(e->slots, NULL, start);
  free(e->P), free(e->K), free(e->F), free(e->H);
}

/* camp_rules: shared locals, then switch (which) to each program's code. */
static void em_function(Em *e, JPlan **plans, int n, gcc_jit_type *args_t, gcc_jit_field **fld) {
  gcc_jit_type *int_t = gcc_jit_context_get_type(e->c, GCC_JIT_TYPE_INT);
  gcc_jit_param *prm[6] = {
      gcc_jit_context_new_param(e->c, NULL, gcc_jit_type_get_pointer(args_t), "a"),
      gcc_jit_context_new_param(e->c, NULL, gcc_jit_type_get_pointer(gcc_jit_type_get_const(e->u32)), "rows"),
      gcc_jit_context_new_param(e->c, NULL, e->i64, "begin"),
      gcc_jit_context_new_param(e->c, NULL, e->i64, "end"),
      gcc_jit_context_new_param(e->c, NULL, gcc_jit_type_get_pointer(e->u8), "out"),
      gcc_jit_context_new_param(e->c, NULL, int_t, "which")};
  e->fn = gcc_jit_context_new_function(e->c, NULL, GCC_JIT_FUNCTION_EXPORTED, int_t, "camp_rules", 6, prm, 0);
  e->b = blk(e);
  gcc_jit_rvalue *a = gcc_jit_param_as_rvalue(prm[0]);
  e->rows = gcc_jit_param_as_rvalue(prm[1]);
  e->begin = gcc_jit_param_as_rvalue(prm[2]);
  e->end = gcc_jit_param_as_rvalue(prm[3]);
  e->out = gcc_jit_param_as_rvalue(prm[4]);
  e->bail = local(e, e->i64);
  set(e, e->bail, I(e, 0));
  for (int d = 0; d <= VMAXD; d++) e->row[d] = local(e, e->i64);
  e->sel = local(e, gcc_jit_context_new_array_type(e->c, NULL, e->i32, JB));
  e->ident = local(e, e->i64);
  set(e, e->ident, cast(e, gcc_jit_context_new_comparison(e->c, NULL, GCC_JIT_COMPARISON_EQ, e->rows, gcc_jit_context_null(e->c, gcc_jit_rvalue_get_type(e->rows))), e->i64));
  gcc_jit_block *done = blk(e), *bailed = blk(e);
  gcc_jit_block_end_with_return(done, NULL, gcc_jit_context_zero(e->c, int_t));
  gcc_jit_block_add_assignment(bailed, NULL, gcc_jit_rvalue_dereference_field(a, NULL, fld[4]), I(e, 1));
  gcc_jit_block_end_with_return(bailed, NULL, gcc_jit_context_one(e->c, int_t));
  gcc_jit_case **cases = calloc((size_t)n + 1, sizeof *cases);
  gcc_jit_block **entry = calloc((size_t)n + 1, sizeof *entry);
  if (!cases || !entry) abort();
  for (int i = 0; i < n; i++) {
    entry[i] = blk(e);
    gcc_jit_rvalue *v = gcc_jit_context_new_rvalue_from_int(e->c, int_t, i);
    cases[i] = gcc_jit_context_new_case(e->c, v, v, entry[i]);
  }
  gcc_jit_block_end_with_switch(e->b, NULL, gcc_jit_param_as_rvalue(prm[5]), done, n, cases);
  for (int i = 0; i < n; i++) {
    e->b = entry[i];
    em_body(e, plans[i], a, fld, done, bailed);
  }
  free(cases);
  free(entry);
}

/* struct JitArgs and struct JitHelpers as libgccjit types; fld[0..4] are
 * JitArgs' fields, fld[5..8] the helpers, fld[9] JitArgs' nul. */
static gcc_jit_type *em_types(Em *e, gcc_jit_field **fld) {
  gcc_jit_context *c = e->c;
  e->i64 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT64_T);
  e->u64 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT64_T);
  e->i128 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT128_T);
  e->dbl = gcc_jit_context_get_type(c, GCC_JIT_TYPE_DOUBLE);
  e->i32 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT32_T);
  e->u32 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT32_T);
  e->i8 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT8_T);
  e->u8 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT8_T);
  e->bl = gcc_jit_context_get_type(c, GCC_JIT_TYPE_BOOL);
  e->vp = gcc_jit_context_get_type(c, GCC_JIT_TYPE_CONST_CHAR_PTR);
  e->cp = e->vp;
  gcc_jit_type *i64 = e->i64, *cp = e->cp;
  gcc_jit_type *like[] = {cp, i64, cp, i64}, *fast[] = {i64, cp, i64, cp, i64};
  gcc_jit_type *fps[4] = {
      gcc_jit_context_new_function_ptr_type(c, NULL, i64, 4, like, 0),
      gcc_jit_context_new_function_ptr_type(c, NULL, i64, 5, fast, 0),
      gcc_jit_context_new_function_ptr_type(c, NULL, i64, 4, like, 0),
      gcc_jit_context_new_function_ptr_type(c, NULL, i64, 5, fast, 0)};
  static const char *hn[] = {"like", "like_fast", "text_cmp", "textop"};
  for (int i = 0; i < 4; i++) fld[5 + i] = gcc_jit_context_new_field(c, NULL, fps[i], hn[i]);
  gcc_jit_struct *hs = gcc_jit_context_new_struct_type(c, NULL, "JitHelpers", 4, fld + 5);
  fld[0] = gcc_jit_context_new_field(c, NULL, gcc_jit_type_get_pointer(gcc_jit_type_get_const(e->vp)), "ptr");
  fld[1] = gcc_jit_context_new_field(c, NULL, gcc_jit_type_get_pointer(gcc_jit_type_get_const(i64)), "k");
  fld[2] = gcc_jit_context_new_field(c, NULL, gcc_jit_type_get_pointer(gcc_jit_type_get_const(e->dbl)), "f");
  fld[3] = gcc_jit_context_new_field(c, NULL, gcc_jit_type_get_pointer(gcc_jit_type_get_const(gcc_jit_struct_as_type(hs))), "h");
  fld[4] = gcc_jit_context_new_field(c, NULL, i64, "bail");
  fld[9] = gcc_jit_context_new_field(c, NULL, gcc_jit_type_get_pointer(e->u8), "nul");
  gcc_jit_field *args[6] = {fld[0], fld[1], fld[2], fld[3], fld[4], fld[9]};
  return gcc_jit_struct_as_type(gcc_jit_context_new_struct_type(c, NULL, "JitArgs", 6, args));
}

/* Changes with every build of the emitter: cached code from an older
 * emitter is never reused. */
const char *jemit_build_id(void) { return __DATE__ " " __TIME__; }

/* Options of every compile, at -O2 (CAMP_JIT_OPT): passes whose compile
 * time the generated kernels do not pay back, and a link without the C
 * runtime's start files and libraries (the code calls nothing by name; an
 * implicit call GCC might emit, e.g. memset, is resolved at dlopen from
 * the process).  Measured in bench/RESULTS.md ("cold compile"). */
static const char *const cc_opts[] = {
    "-fno-tree-vrp", "-fno-tree-vectorize", "-fno-schedule-insns2", "-fno-tree-pre",
    "-fno-code-hoisting", "-fno-gcse", "-fno-thread-jumps", "-fno-tree-dominator-opts",
    "-fno-tree-pta", "-fno-tree-bit-ccp", "-fno-dse", "-fno-forward-propagate"};
static const char *const driver_opts[] = {"-nostdlib"};

/* $CAMP_JIT_FLAGS: more options, comma-separated ("-D:" before a driver
 * option); for measurements (part of the cache key). */
static void extra_opts(gcc_jit_context *c) {
  const char *x = getenv("CAMP_JIT_FLAGS");
  while (x && *x) {
    size_t l = strcspn(x, ",");
    char o[128];
    if (l && l < sizeof o) {
      memcpy(o, x, l);
      o[l] = 0;
      if (!strncmp(o, "-D:", 3)) gcc_jit_context_add_driver_option(c, o + 3);
      else if (o[0] == '-') gcc_jit_context_add_command_line_option(c, o);
    }
    x += l + (x[l] == ',');
  }
}

int jemit_compile(JPlan **plans, int n, const char *path, int object, const char *debug_dir,
                  int part, char *err, size_t errlen) {
  Em e;
  memset(&e, 0, sizeof e);
  e.c = gcc_jit_context_acquire();
  if (!e.c) {
    snprintf(err, errlen, "internal error: libgccjit could not create a context");
    return -1;
  }
  gcc_jit_context_set_int_option(e.c, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL, jit_opt_level());
  gcc_jit_context_set_bool_print_errors_to_stderr(e.c, 0);
  for (size_t i = 0; i < sizeof cc_opts / sizeof *cc_opts; i++)
    gcc_jit_context_add_command_line_option(e.c, cc_opts[i]);
  for (size_t i = 0; i < sizeof driver_opts / sizeof *driver_opts; i++)
    gcc_jit_context_add_driver_option(e.c, driver_opts[i]);
  extra_opts(e.c);
  gcc_jit_field *fld[10];
  gcc_jit_type *args_t = em_types(&e, fld);
  em_function(&e, plans, n, args_t, fld);
  if (debug_dir) {
    char f[4096];
    char sfx[16] = "";
    if (part) snprintf(sfx, sizeof sfx, "-%d", part);
    snprintf(f, sizeof f, "%s/camp-jit-rules%s.c", debug_dir, sfx);
    gcc_jit_context_dump_to_file(e.c, f, 1);
    snprintf(f, sizeof f, "%s/camp-jit-reproducer%s.c", debug_dir, sfx);
    gcc_jit_context_dump_reproducer_to_file(e.c, f);
  }
  gcc_jit_context_compile_to_file(e.c, object ? GCC_JIT_OUTPUT_KIND_OBJECT_FILE : GCC_JIT_OUTPUT_KIND_DYNAMIC_LIBRARY,
                                  path);
  const char *fe = gcc_jit_context_get_first_error(e.c);
  int rc = 0;
  if (fe) {
    snprintf(err, errlen, "internal error: libgccjit: %s", fe);
    rc = -1;
  }
  gcc_jit_context_release(e.c);
  return rc;
}
#endif
