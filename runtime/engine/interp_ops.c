/* interp_ops.c — the interpreter's scalar primitives: one loop per
 * operator and physical type over a selection vector, with SQLite's NULL,
 * integer and real rules (NULL from division by zero, integer division,
 * NaN becomes NULL; integer overflow, where SQLite would switch to reals,
 * bails out so the caller runs the SQL instead). */
#include <math.h>
#include <string.h>

#include "runtime/engine/interp.h"

#define EACH for (int i_ = 0; i_ < nsel; i_++)
#define P (sel[i_])

static void ev(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  if (n) n->eval(n, r, f, sel, nsel);
}

void ev_const(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  (void)r, (void)f, (void)n, (void)sel, (void)nsel; /* filled at compile time */
}

/* The row a column node reads at position p: frame row or link row. */
static inline int64_t row_at(VNode *n, Frame *f, int p) {
  if (n->a) return n->a->nul[p] ? -1 : n->a->iv[p];
  return f->rows[n->depth][p];
}

/* The NULL bit of row (0 without a bitmap), without a branch per row. */
#define NBIT(c, row) ((c)->nulls ? (uint8_t)(((c)->nulls[(row) >> 6] >> ((row) & 63)) & 1) : 0)

/* Fast path for a column of the frame's own rows with NULLs: the value is
 * read unconditionally (the arrays cover every row) and zeroed when NULL. */
#define DIRECT_NULLS(T, DST)                                                  \
  {                                                                           \
    const T *d = c->data;                                                     \
    EACH {                                                                    \
      uint32_t row = rows[P];                                                 \
      uint8_t z = (uint8_t)((c->nulls[row >> 6] >> (row & 63)) & 1);          \
      n->nul[P] = z;                                                          \
      n->DST[P] = z ? 0 : d[row];                                             \
    }                                                                         \
    return 1;                                                                 \
  }

static int column_direct_nulls(VNode *n, Frame *f, const uint16_t *sel, int nsel) {
  const SnapCol *c = n->col;
  const uint32_t *rows = f->rows[n->depth];
  switch (c->kind) {
    case SC_I64: DIRECT_NULLS(int64_t, iv)
    case SC_I32: DIRECT_NULLS(int32_t, iv)
    case SC_I8: DIRECT_NULLS(int8_t, iv)
    case SC_F64: DIRECT_NULLS(double, fv)
    default: return 0;
  }
}

/* Text of the frame's own rows: the code (and the string unless only the
 * code is used, n->ki). */
static void column_text_direct(VNode *n, Frame *f, const uint16_t *sel, int nsel) {
  const SnapCol *c = n->col;
  const uint32_t *rows = f->rows[n->depth];
  const int32_t *codes = c->data;
  EACH {
    uint32_t row = rows[P];
    uint8_t z = NBIT(c, row);
    n->nul[P] = z;
    uint32_t code = codes ? (uint32_t)codes[row] : row;
    n->iv[P] = code;
    if (!n->ki && !z) n->sv[P].p = snap_str(c, code, &n->sv[P].n);
  }
}

/* Fast path: a column of the frame's own rows. */
static int column_direct(VNode *n, Frame *f, const uint16_t *sel, int nsel) {
  const SnapCol *c = n->col;
  if (n->a) return 0;
  if (c->kind == SC_TEXT) return column_text_direct(n, f, sel, nsel), 1;
  if (c->nulls) return column_direct_nulls(n, f, sel, nsel);
  const uint32_t *rows = f->rows[n->depth];
  switch (c->kind) {
    case SC_I64: { const int64_t *d = c->data; EACH { n->iv[P] = d[rows[P]]; n->nul[P] = 0; } return 1; }
    case SC_I32: { const int32_t *d = c->data; EACH { n->iv[P] = d[rows[P]]; n->nul[P] = 0; } return 1; }
    case SC_I8: { const int8_t *d = c->data; EACH { n->iv[P] = d[rows[P]]; n->nul[P] = 0; } return 1; }
    case SC_F64: { const double *d = c->data; EACH { n->fv[P] = d[rows[P]]; n->nul[P] = 0; } return 1; }
    default: return 0;
  }
}

void ev_column(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  if (column_direct(n, f, sel, nsel)) return;
  const SnapCol *c = n->col;
  switch (c->kind) {
    case SC_I64: {
      const int64_t *d = c->data;
      EACH { int64_t row = row_at(n, f, P); n->nul[P] = row < 0 || snap_is_null(c, row); n->iv[P] = n->nul[P] ? 0 : d[row]; }
      return;
    }
    case SC_I32: {
      const int32_t *d = c->data;
      EACH { int64_t row = row_at(n, f, P); n->nul[P] = row < 0 || snap_is_null(c, row); n->iv[P] = n->nul[P] ? 0 : d[row]; }
      return;
    }
    case SC_I8: {
      const int8_t *d = c->data;
      EACH { int64_t row = row_at(n, f, P); n->nul[P] = row < 0 || snap_is_null(c, row); n->iv[P] = n->nul[P] ? 0 : d[row]; }
      return;
    }
    case SC_F64: {
      const double *d = c->data;
      EACH { int64_t row = row_at(n, f, P); n->nul[P] = row < 0 || snap_is_null(c, row); n->fv[P] = n->nul[P] ? 0 : d[row]; }
      return;
    }
    case SC_TEXT:
      EACH {
        int64_t row = row_at(n, f, P);
        n->nul[P] = row < 0 || snap_is_null(c, row);
        if (n->nul[P]) continue;
        uint32_t code = snap_code(c, row);
        n->iv[P] = code;
        if (!n->ki) n->sv[P].p = snap_str(c, code, &n->sv[P].n);
      }
      return;
  }
}

void ev_linkrow(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  const int32_t *lr = n->col->link_rows;
  EACH {
    int64_t row = row_at(n, f, P);
    int32_t t = row < 0 ? -1 : lr[row];
    n->nul[P] = t < 0;
    n->iv[P] = t;
  }
}

/* ------------------------------------------------------------ logic */

/* and / or over the flattened chain n->conj: each operand runs only on the
 * positions the earlier ones left undecided (compacted in place, without
 * branches); a decided position gets its final value at once.  and: false
 * decides (value 0, not NULL); or: true decides (value 1). */
static void chain_eval(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel, int is_or) {
  uint16_t cur[VB];
  int nc = nsel;
  EACH { cur[i_] = P; n->nul[P] = 0; n->iv[P] = is_or; }
  for (int k = 0; k < n->nconj && nc; k++) {
    VNode *x = n->conj[k];
    x->eval(x, r, f, cur, nc);
    const uint8_t *xn = x->nul;
    const int64_t *xv = x->iv;
    int m = 0;
    for (int i = 0; i < nc; i++) {
      int p = cur[i], ln = xn[p], lv = xv[p] != 0;
      int keep = ln | (lv ^ is_or); /* NULL, or the value that does not decide */
      n->nul[p] = (uint8_t)((n->nul[p] | ln) & keep);
      cur[m] = (uint16_t)p;
      m += keep;
    }
    nc = m;
  }
  /* undecided to the end: and -> true unless NULL; or -> false / NULL */
  for (int i = 0; i < nc; i++) n->iv[cur[i]] = !is_or && !n->nul[cur[i]];
}

void ev_and(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  chain_eval(n, r, f, sel, nsel, 0);
}

void ev_or(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  chain_eval(n, r, f, sel, nsel, 1);
}

void ev_not(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  EACH { n->nul[P] = n->a->nul[P]; n->iv[P] = !n->a->nul[P] && !n->a->iv[P]; }
}

void ev_isnull(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  EACH { n->nul[P] = 0; n->iv[P] = n->a->nul[P] ^ (int)n->ki; }
}

/* ------------------------------------------------------- comparisons */

static inline int cmp_res(int op, int c) {
  switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
  }
}

#define CMP_LOOP(X, Y)                                                  \
  EACH {                                                                \
    int p = P;                                                          \
    n->nul[p] = a->nul[p] | b->nul[p];                                  \
    if (n->nul[p]) continue;                                            \
    n->iv[p] = cmp_res(n->op, (X[p] > Y[p]) - (X[p] < Y[p]));           \
  }

/* column <op> constant: one loop per operator, the constant in a register. */
#define CMP_K(OPR)                                                      \
  EACH { int p = P; n->nul[p] = a->nul[p]; n->iv[p] = a->iv[p] OPR k; }

static int cmp_int_const(VNode *n, VNode *a, int64_t k, int op, const uint16_t *sel, int nsel) {
  switch (op) {
    case OP_EQ: CMP_K(==) return 1;
    case OP_NE: CMP_K(!=) return 1;
    case OP_LT: CMP_K(<) return 1;
    case OP_LE: CMP_K(<=) return 1;
    case OP_GT: CMP_K(>) return 1;
    case OP_GE: CMP_K(>=) return 1;
  }
  return 0;
}

void ev_cmp_int(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  ev(a, r, f, sel, nsel);
  ev(b, r, f, sel, nsel);
  if (b->kind == VK_CONST && !b->nul[0] && cmp_int_const(n, a, b->iv[0], n->op, sel, nsel)) return;
  CMP_LOOP(a->iv, b->iv)
}

void ev_cmp_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  ev(a, r, f, sel, nsel);
  ev(b, r, f, sel, nsel);
  CMP_LOOP(a->fv, b->fv)
}

void ev_cmp_text(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  ev(a, r, f, sel, nsel);
  ev(b, r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = a->nul[p] | b->nul[p];
    if (!n->nul[p]) n->iv[p] = cmp_res(n->op, rules_text_cmp(a->sv[p], b->sv[p]));
  }
}

/* Sorted dictionary: `col <op> 'const'` is lo <= code < hi (ki=1: not). */
void ev_code_range(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a;
  ev(a, r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = a->nul[p];
    n->iv[p] = ((a->iv[p] >= n->lo) & (a->iv[p] < n->hi)) ^ (int)n->ki;
  }
}

/* Per-code truth table: `in` lists and LIKE patterns over a dictionary. */
void ev_code_set(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a;
  ev(a, r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = a->nul[p];
    n->iv[p] = a->nul[p] ? 0 : n->codeset[a->iv[p]] ^ (int)n->ki;
  }
}

static int eq_vals(VNode *x, VNode *y, int p) {
  switch (x->phys) {
    case P_INT: return x->iv[p] == y->iv[p];
    case P_REAL: return x->fv[p] == y->fv[p];
    default: return rules_text_cmp(x->sv[p], y->sv[p]) == 0;
  }
}

void ev_in(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  for (int k = 0; k < n->nargs; k++) ev(n->args[k], r, f, sel, nsel);
  EACH {
    int p = P, found = 0, null = n->a->nul[p];
    for (int k = 0; k < n->nargs && !n->a->nul[p] && !found; k++) {
      if (n->args[k]->nul[p]) null = 1;
      else if (eq_vals(n->a, n->args[k], p)) found = 1;
    }
    if (found) null = 0;
    n->nul[p] = null != 0;
    n->iv[p] = null ? 0 : found ^ (int)n->ki;
  }
}

/* ------------------------------------------------------- conversions */

void ev_to_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  EACH { n->nul[P] = n->a->nul[P]; n->fv[P] = (double)n->a->iv[P]; }
}

void ev_date_to_ts(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  EACH { n->nul[P] = n->a->nul[P]; n->iv[P] = n->a->iv[P] * 86400; }
}

/* -------------------------------------------------------- arithmetic */

void ev_arith_int(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  ev(a, r, f, sel, nsel);
  ev(b, r, f, sel, nsel);
  EACH {
    int p = P;
    int64_t x = a->iv[p], y = b->iv[p], z = 0;
    n->nul[p] = a->nul[p] | b->nul[p];
    if (n->nul[p]) continue;
    int ovf = 0;
    switch (n->op) {
      case OP_ADD: ovf = __builtin_add_overflow(x, y, &z); break;
      case OP_SUB: ovf = __builtin_sub_overflow(x, y, &z); break;
      case OP_MUL: ovf = __builtin_mul_overflow(x, y, &z); break;
      case OP_DIV:
        if (y == 0) { n->nul[p] = 1; continue; }
        if (x == INT64_MIN && y == -1) { ovf = 1; break; }
        z = x / y;
        break;
      default: /* OP_MOD */
        if (y == 0) { n->nul[p] = 1; continue; }
        z = y == -1 ? 0 : x % y;
        break;
    }
    if (ovf) { r->bail = "integer overflow (SQLite switches to reals)"; n->nul[p] = 1; continue; }
    n->iv[p] = z;
  }
}

static int64_t real_to_int(double d) {
  if (d <= -9223372036854775808.0) return INT64_MIN;
  if (d >= 9223372036854775807.0) return INT64_MAX;
  return (int64_t)d;
}

void ev_arith_real(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  VNode *a = n->a, *b = n->b;
  ev(a, r, f, sel, nsel);
  ev(b, r, f, sel, nsel);
  EACH {
    int p = P;
    double x = a->fv[p], y = b->fv[p], z = 0;
    n->nul[p] = a->nul[p] | b->nul[p];
    if (n->nul[p]) continue;
    switch (n->op) {
      case OP_ADD: z = x + y; break;
      case OP_SUB: z = x - y; break;
      case OP_MUL: z = x * y; break;
      case OP_DIV:
        if (y == 0) { n->nul[p] = 1; continue; }
        z = x / y;
        break;
      default: { /* OP_MOD: both cast to integers, result real */
        int64_t ix = real_to_int(x), iy = real_to_int(y);
        if (iy == 0) { n->nul[p] = 1; continue; }
        if (iy == -1) iy = 1;
        z = (double)(ix % iy);
      }
    }
    if (isnan(z)) { n->nul[p] = 1; continue; }
    n->fv[p] = z;
  }
}

void ev_neg(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = n->a->nul[p];
    if (n->nul[p]) continue;
    if (n->phys == P_REAL) { n->fv[p] = -n->a->fv[p]; continue; }
    if (n->a->iv[p] == INT64_MIN) { r->bail = "integer overflow in negation"; n->nul[p] = 1; continue; }
    n->iv[p] = -n->a->iv[p];
  }
}

/* --------------------------------------------------------- functions */

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

static int64_t days_of(VNode *a, int p) {
  return a->t == T_TIMESTAMP ? floordiv(a->iv[p], 86400) : a->iv[p];
}

static int in_range_days(int64_t d) {
  static const int64_t lo = -719528, hi = 2932896; /* 0000-01-01 .. 9999-12-31 */
  return d >= lo && d <= hi;
}

double interp_julian(int64_t secs) {
  /* SQLite: iJD (milliseconds since the julian epoch) / 86400000.0 */
  return (double)(secs * 1000 + 210866760000000LL) / 86400000.0;
}

double interp_round(double r) {
  if (r >= 0 && r < 9223372036854775806.0) return (double)(int64_t)(r + 0.5);
  if (r < 0 && -r < 9223372036854775806.0) return -(double)(int64_t)(-r + 0.5);
  return r;
}

static void fn_one(VNode *n, VRun *r, int p) {
  VNode *a = n->a;
  int y, m, d;
  switch (n->op) {
    case F_YEAR: case F_MONTH: case F_DAY:
      snap_civil_from_days(days_of(a, p), &y, &m, &d);
      n->iv[p] = n->op == F_YEAR ? y : n->op == F_MONTH ? m : d;
      return;
    case F_HOUR: n->iv[p] = a->t == T_TIMESTAMP ? (a->iv[p] - floordiv(a->iv[p], 86400) * 86400) / 3600 : 0; return;
    case F_WEEKDAY: { int64_t w = (days_of(a, p) + 4) % 7; n->iv[p] = w < 0 ? w + 7 : w; return; }
    case F_DATE: n->iv[p] = days_of(a, p); return;
    case F_DAYS_SINCE: n->iv[p] = real_to_int(interp_julian(r->now) - interp_julian(a->iv[p])); return;
    case F_AGE: {
      int ny, nm, nd;
      snap_civil_from_days(floordiv(r->now, 86400), &ny, &nm, &nd);
      snap_civil_from_days(days_of(a, p), &y, &m, &d);
      n->iv[p] = ny - y - (nm * 100 + nd < m * 100 + d);
      return;
    }
    case F_ABS:
      if (n->phys == P_REAL) { n->fv[p] = fabs(a->fv[p]); return; }
      if (a->iv[p] == INT64_MIN) { r->bail = "integer overflow in abs"; n->nul[p] = 1; return; }
      n->iv[p] = a->iv[p] < 0 ? -a->iv[p] : a->iv[p];
      return;
    case F_ROUND: n->fv[p] = interp_round(a->fv[p]); return;
    case F_FLOOR: case F_CEIL: {
      if (a->phys == P_INT) { n->iv[p] = a->iv[p]; return; }
      double x = a->fv[p];
      if (fabs(x) >= 4e18) { r->bail = "floor/ceil of a huge real"; n->nul[p] = 1; return; }
      int64_t t = (int64_t)x;
      n->iv[p] = n->op == F_FLOOR ? t - (x < (double)t) : t + (x > (double)t);
      return;
    }
    case F_SECONDS_BETWEEN: {
      double jd = (interp_julian(a->iv[p]) - interp_julian(n->b->iv[p])) * 86400;
      n->iv[p] = real_to_int(interp_round(jd));
      return;
    }
    case F_DATE_ADD: {
      int64_t v = a->iv[p] + n->ki;
      if (!in_range_days(v)) { r->bail = "date out of range"; n->nul[p] = 1; return; }
      n->iv[p] = v;
      return;
    }
    case F_TS_ADD: {
      int64_t amount = n->b ? n->b->iv[p] : n->ki, v;
      if (amount > 300000000000LL || amount < -300000000000LL ||
          __builtin_add_overflow(a->iv[p], amount, &v) || !in_range_days(floordiv(v, 86400))) {
        r->bail = "timestamp out of range";
        n->nul[p] = 1;
        return;
      }
      n->iv[p] = v;
      return;
    }
  }
}

void ev_func(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  ev(n->a, r, f, sel, nsel);
  ev(n->b, r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = n->a->nul[p] || (n->b && n->b->nul[p]);
    if (!n->nul[p]) fn_one(n, r, p);
  }
}

void ev_coalesce(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  for (int k = 0; k < n->nargs; k++) ev(n->args[k], r, f, sel, nsel);
  EACH {
    int p = P;
    n->nul[p] = 1;
    for (int k = 0; k < n->nargs; k++) {
      VNode *x = n->args[k];
      if (x->nul[p]) continue;
      n->nul[p] = 0;
      n->iv[p] = x->iv ? x->iv[p] : 0;
      if (n->phys == P_REAL) n->fv[p] = x->fv[p];
      if (n->phys == P_TEXT) n->sv[p] = x->sv[p];
      break;
    }
  }
}

/* Scalar min(a, b, ...) / max(...): NULL if any argument is NULL. */
void ev_minmax(VNode *n, VRun *r, Frame *f, const uint16_t *sel, int nsel) {
  for (int k = 0; k < n->nargs; k++) ev(n->args[k], r, f, sel, nsel);
  EACH {
    int p = P, best = 0;
    n->nul[p] = 0;
    for (int k = 0; k < n->nargs; k++)
      if (n->args[k]->nul[p]) n->nul[p] = 1;
    if (n->nul[p]) continue;
    for (int k = 1; k < n->nargs; k++) {
      VNode *x = n->args[k], *b = n->args[best];
      int c = n->phys == P_INT ? (x->iv[p] > b->iv[p]) - (x->iv[p] < b->iv[p])
              : n->phys == P_REAL ? (x->fv[p] > b->fv[p]) - (x->fv[p] < b->fv[p])
                                  : rules_text_cmp(x->sv[p], b->sv[p]);
      if (n->op ? c > 0 : c < 0) best = k;
    }
    VNode *b = n->args[best];
    if (n->phys == P_INT) n->iv[p] = b->iv[p];
    else if (n->phys == P_REAL) n->fv[p] = b->fv[p];
    else n->sv[p] = b->sv[p];
  }
}
