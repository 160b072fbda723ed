/* lower.c — checked rule (typed AST) -> rule program nodes (rules.h).
 * Mirrors compiler/sql/sql_expr.c construct by construct, so each node computes
 * what the generated SQL computes on SQLite.  Whatever cannot be matched
 * exactly (added columns, feedback, substr/replace, division of decimals
 * SQLite may hold as integers, columns whose data does not fit their type)
 * makes the compile fail with a reason: the caller then runs the SQL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/rules/rules.h"

typedef struct C {
  VProg *p;
  const Snapshot *s;
  int64_t now;
  int failed;
  const InterpAdded *added;
} C;

static VNode *fail(C *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static VNode *fail(C *c, const char *fmt, ...) {
  if (!c->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->p->why, sizeof c->p->why, fmt, ap);
    va_end(ap);
  }
  c->failed = 1;
  return NULL;
}


/* ------------------------------------------------------------ leaves */

static VNode *k_int(C *c, int64_t v, TypeKind t) {
  VNode *n = vnode_new(c->p, VK_CONST, P_INT, t);
  for (int i = 0; i < VB; i++) n->iv[i] = v;
  return n;
}

static VNode *k_null(C *c, Phys ph, TypeKind t) {
  VNode *n = vnode_new(c->p, VK_CONST, ph, t);
  memset(n->nul, 1, VB);
  return n;
}

static VNode *k_real(C *c, double v) {
  VNode *n = vnode_new(c->p, VK_CONST, P_REAL, T_DECIMAL);
  for (int i = 0; i < VB; i++) n->fv[i] = v;
  return n;
}

static VNode *k_text(C *c, const char *s) {
  VNode *n = vnode_new(c->p, VK_CONST, P_TEXT, T_TEXT);
  n->ks.p = s;
  n->ks.n = (uint32_t)strlen(s);
  for (int i = 0; i < VB; i++) n->sv[i] = n->ks;
  return n;
}

static const SnapTable *table_of(C *c, Schema *s) {
  int ti = s ? snapshot_table(c->s, s->name) : -1;
  if (ti < 0) return fail(c, "table %s is not in the snapshot", s ? s->name : "?"), NULL;
  return &c->s->tables[ti];
}

static const SnapCol *col_of(C *c, const SnapTable *t, Column *col) {
  int ci = snapshot_col(t, col->name);
  if (ci < 0) return fail(c, "column %s.%s is not in the snapshot", t->name, col->name), NULL;
  const SnapCol *sc = &t->cols[ci];
  if (sc->bad)
    return fail(c, "column %s.%s holds values that do not fit its type", t->name, col->name), NULL;
  return sc;
}

static Phys phys_of(TypeKind t) {
  switch (t) {
    case T_DECIMAL: return P_REAL;
    case T_TEXT: case T_ENUM: return P_TEXT;
    default: return P_INT;
  }
}

/* The row a link path points at (E_NAME or E_FIELD with ref REF_LINK). */
static VNode *linkrow(C *c, Expr *e) {
  if (e->ref != REF_LINK || !e->col) return fail(c, "unsupported link path");
  Schema *owner = e->col->owner;
  const SnapTable *t = table_of(c, owner);
  if (!t) return NULL;
  const SnapCol *sc = col_of(c, t, e->col);
  if (!sc) return NULL;
  if (!sc->link_rows) return fail(c, "link %s.%s is not resolved in the snapshot", t->name, e->col->name);
  VNode *n = vnode_new(c->p, VK_LINKROW, P_INT, T_INT);
  n->col = sc;
  n->tab = t;
  n->depth = e->depth;
  if (e->kind == E_FIELD) n->a = linkrow(c, e->left);
  return n;
}

static VNode *column(C *c, Expr *e, Column *col, VNode *rowsrc) {
  const SnapTable *t = table_of(c, col->owner);
  if (!t) return NULL;
  const SnapCol *sc = col_of(c, t, col);
  if (!sc) return NULL;
  VNode *n = vnode_new(c->p, VK_COLUMN, phys_of(col->type->kind), col->type->kind);
  n->col = sc;
  n->tab = t;
  n->depth = e->depth;
  n->a = rowsrc;
  n->mayint = sc->dec_has_int;
  return n;
}

/* ------------------------------------------------------- conversions */

static VNode *to_real(C *c, VNode *x) {
  if (!x || x->phys == P_REAL) return x;
  VNode *n = vnode_new(c->p, VK_TO_REAL, P_REAL, T_DECIMAL);
  n->a = x;
  n->mayint = 1;
  return n;
}

static VNode *to_ts(C *c, VNode *x) {
  if (!x || x->t != T_DATE) return x;
  VNode *n = vnode_new(c->p, VK_DATE_TO_TS, P_INT, T_TIMESTAMP);
  n->a = x;
  return n;
}

static int is_temporal(TypeKind t) { return t == T_DATE || t == T_TIMESTAMP; }

static VNode *cx(C *c, Expr *e);

/* ------------------------------------------------------- comparisons */

/* Rough evaluation cost of a subtree: 1 fixed-width, 2 text, 3 collection. */
static int cost(const VNode *x) {
  if (!x) return 0;
  if (x->kind == VK_COLLECTION) return 3;
  int k = x->kind == VK_LIKE || x->kind == VK_TEXTOP || x->kind == VK_CMP_TEXT ||
                  x->kind == VK_TEXTFN || x->kind == VK_CONCAT
              ? 2
              : 1;
  int ka = cost(x->a), kb = cost(x->b);
  k = ka > k ? ka : k;
  k = kb > k ? kb : k;
  for (int i = 0; i < x->nargs; i++) {
    int ki = cost(x->args[i]);
    k = ki > k ? ki : k;
  }
  return k;
}

/* Flattens a chain of the same connective into n->conj, cheap operands
 * first (stable), so expensive tests only see the rows the cheap ones let
 * through.  Order does not change the answer: and / or have no side effects
 * (an overflow bail only sends the rule to SQL). */
static void chain(VNode *n) {
  VNode *side[2] = {n->a, n->b};
  int cnt = 0;
  for (int s = 0; s < 2; s++) cnt += side[s]->kind == n->kind ? side[s]->nconj : 1;
  n->conj = malloc(sizeof *n->conj * (size_t)cnt);
  if (!n->conj) abort();
  for (int s = 0; s < 2; s++) {
    if (side[s]->kind != n->kind) n->conj[n->nconj++] = side[s];
    else
      for (int i = 0; i < side[s]->nconj; i++) n->conj[n->nconj++] = side[s]->conj[i];
  }
  for (int i = 1; i < n->nconj; i++) /* insertion sort: stable, chains are short */
    for (int j = i; j > 0 && cost(n->conj[j - 1]) > cost(n->conj[j]); j--) {
      VNode *t = n->conj[j];
      n->conj[j] = n->conj[j - 1];
      n->conj[j - 1] = t;
    }
}

static VNode *bool_node(C *c, VKind f, VNode *a, VNode *b, int op) {
  VNode *n = vnode_new(c->p, f, P_INT, T_BOOL);
  n->a = a;
  n->b = b;
  n->op = op;
  if ((f == VK_AND || f == VK_OR) && a && b) chain(n);
  return n;
}

static int is_dict_col(VNode *x) {
  return x->kind == VK_COLUMN && x->col->kind == SC_TEXT && x->col->dict_sorted;
}

/* First dictionary code >= s (upper: > s). */
static int64_t dict_bound(const SnapCol *col, Str s, int upper) {
  int64_t lo = 0, hi = col->ndict;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    Str m;
    m.p = snap_str(col, (uint32_t)mid, &m.n);
    int cmp = rules_text_cmp(m, s);
    if (upper ? cmp <= 0 : cmp < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static VNode *code_range(C *c, VNode *col, int op, Str k) {
  VNode *n = bool_node(c, VK_CODE_RANGE, col, NULL, op);
  int64_t lb = dict_bound(col->col, k, 0), ub = dict_bound(col->col, k, 1);
  int64_t nd = col->col->ndict;
  switch (op) {
    case OP_EQ: n->lo = lb; n->hi = ub; break;
    case OP_NE: n->lo = lb; n->hi = ub; n->ki = 1; break;
    case OP_LT: n->lo = 0; n->hi = lb; break;
    case OP_LE: n->lo = 0; n->hi = ub; break;
    case OP_GT: n->lo = ub; n->hi = nd; break;
    default: n->lo = lb; n->hi = nd; break;
  }
  col->ki = 1; /* codes only: the strings are not needed */
  return n;
}

static int flip(int op) {
  switch (op) {
    case OP_LT: return OP_GT;
    case OP_LE: return OP_GE;
    case OP_GT: return OP_LT;
    case OP_GE: return OP_LE;
    default: return op;
  }
}

/* l <op> r with SQL's typing: NULL literal gives NULL, dates meet
 * timestamps at midnight, ints meet reals numerically, text by bytes. */
static VNode *compare(C *c, int op, VNode *l, VNode *r) {
  if (!l || !r) return NULL;
  if (l->t == T_NULL || r->t == T_NULL) return k_null(c, P_INT, T_BOOL);
  if (is_temporal(l->t) && is_temporal(r->t) && l->t != r->t) {
    l = to_ts(c, l);
    r = to_ts(c, r);
  }
  if (l->phys == P_TEXT || r->phys == P_TEXT) {
    if (l->phys != r->phys) return fail(c, "comparison of text with a non-text value");
    if (is_dict_col(l) && r->kind == VK_CONST) return code_range(c, l, op, r->ks);
    if (is_dict_col(r) && l->kind == VK_CONST) return code_range(c, r, flip(op), l->ks);
    return bool_node(c, VK_CMP_TEXT, l, r, op);
  }
  if (l->phys == P_REAL || r->phys == P_REAL)
    return bool_node(c, VK_CMP_REAL, to_real(c, l), to_real(c, r), op);
  return bool_node(c, VK_CMP_INT, l, r, op);
}

/* ------------------------------------------------------------ text ops */

static int text_like(VNode *x) { return x->phys == P_TEXT || x->t == T_NULL; }

/* Truth table of a LIKE / contains / starts test per dictionary code. */
static VNode *code_set_pattern(C *c, VNode *col, int op, Str pat) {
  const SnapCol *sc = col->col;
  VNode *n = bool_node(c, VK_CODE_SET, col, NULL, op);
  n->codeset = malloc((size_t)sc->ndict + 1);
  if (!n->codeset) abort();
  for (uint32_t k = 0; k < sc->ndict; k++) {
    Str s;
    s.p = snap_str(sc, k, &s.n);
    int m;
    if (op == OP_LIKE || op == OP_NOT_LIKE) m = rules_like(pat.p, pat.n, s.p, s.n);
    else if (op == OP_STARTS || op == OP_NOT_STARTS) m = s.n >= pat.n && !memcmp(s.p, pat.p, pat.n);
    else m = pat.n == 0 || (s.n >= pat.n && memmem(s.p, s.n, pat.p, pat.n));
    n->codeset[k] = (uint8_t)m;
  }
  n->ki = op == OP_NOT_LIKE || op == OP_NOT_STARTS || op == OP_NOT_CONTAINS;
  col->ki = 1;
  return n;
}

/* Shape of a constant LIKE pattern for the fast matcher (see VK_LIKE). */
static void like_shape(VNode *n, Str pat) {
  const char *p = pat.p;
  size_t len = pat.n, b = 0, e = len;
  int lead = len && p[0] == '%', trail = len > 1 && p[len - 1] == '%';
  if (lead) b = 1;
  if (trail) e = len - 1;
  if (len == 1 && lead) { n->lo = 3; n->ks.p = p; n->ks.n = 0; return; }
  for (size_t i = b; i < e; i++)
    if (p[i] == '%' || p[i] == '_' || (unsigned char)p[i] >= 0x80) return;
  n->ks.p = p + b;
  n->ks.n = (uint32_t)(e - b);
  n->lo = lead && trail ? 3 : lead ? 1 : trail ? 2 : 4;
}

static VNode *text_test(C *c, int op, VNode *l, VNode *r) {
  if (!l || !r) return NULL;
  if (!text_like(l) || !text_like(r)) return fail(c, "text operator on non-text values");
  if (l->t == T_NULL || r->t == T_NULL) return k_null(c, P_INT, T_BOOL);
  if (is_dict_col(l) && r->kind == VK_CONST) return code_set_pattern(c, l, op, r->ks);
  int like = op == OP_LIKE || op == OP_NOT_LIKE;
  VNode *n = bool_node(c, like ? VK_LIKE : VK_TEXTOP, l, r, op);
  if (like && r->kind == VK_CONST) like_shape(n, r->ks);
  return n;
}

static VNode *concat_node(C *c, VNode **args, int n, int skip_nulls) {
  VNode *x = vnode_new(c->p, VK_CONCAT, P_TEXT, T_TEXT);
  x->args = calloc((size_t)n + 1, sizeof *x->args);
  if (!x->args) abort();
  for (int i = 0; i < n; i++) {
    if (!args[i]) return NULL;
    if (!text_like(args[i])) return fail(c, "|| or concat of non-text values");
    if (args[i]->phys != P_TEXT) args[i] = k_null(c, P_TEXT, T_NULL);
    x->args[i] = args[i];
  }
  x->nargs = n;
  x->ki = skip_nulls;
  return x;
}

/* ---------------------------------------------------------- arithmetic */

static VNode *func1(C *c, int fn, VNode *a, Phys ph, TypeKind t) {
  if (!a) return NULL;
  VNode *n = vnode_new(c->p, VK_FUNC, ph, t);
  n->op = fn;
  n->a = a;
  return n;
}

static VNode *temporal_shift(C *c, Expr *e) {
  Expr *t = e->left, *dur = e->right;
  if (t->type->kind == T_DURATION) {
    t = e->right;
    dur = e->left;
  }
  int sub = e->op == OP_SUB;
  VNode *tv = cx(c, t);
  if (!tv) return NULL;
  if (e->type->kind == T_DATE && dur->kind == E_DURATION) {
    VNode *n = func1(c, F_DATE_ADD, tv, P_INT, T_DATE);
    n->ki = (sub ? -1 : 1) * (dur->ival / 86400);
    return n;
  }
  VNode *n = func1(c, F_TS_ADD, to_ts(c, tv), P_INT, T_TIMESTAMP);
  if (dur->kind == E_DURATION) {
    n->ki = (sub ? -1 : 1) * dur->ival;
    return n;
  }
  VNode *d = cx(c, dur);
  if (!d) return NULL;
  if (d->phys != P_INT) return fail(c, "a fractional duration");
  if (sub) {
    VNode *neg = vnode_new(c->p, VK_NEG, P_INT, T_DURATION);
    neg->a = d;
    d = neg;
  }
  n->b = d;
  return n;
}

static VNode *arith(C *c, Expr *e) {
  TypeKind lk = e->left->type->kind, rk = e->right->type->kind;
  if (e->op == OP_CONCAT) {
    VNode *a[2] = {cx(c, e->left), cx(c, e->right)};
    return concat_node(c, a, 2, 0);
  }
  if ((e->op == OP_ADD || e->op == OP_SUB) &&
      ((is_temporal(lk) && rk == T_DURATION) || (lk == T_DURATION && is_temporal(rk))))
    return temporal_shift(c, e);
  VNode *l = cx(c, e->left), *r = cx(c, e->right);
  if (!l || !r) return NULL;
  if (e->op == OP_SUB && is_temporal(lk) && is_temporal(rk)) {
    VNode *n = func1(c, F_SECONDS_BETWEEN, to_ts(c, l), P_INT, T_DURATION);
    n->b = to_ts(c, r);
    return n;
  }
  if (l->phys == P_TEXT || r->phys == P_TEXT || is_temporal(l->t) || is_temporal(r->t))
    return fail(c, "arithmetic on text or dates outside date +/- duration");
  if (l->t == T_NULL || r->t == T_NULL) return k_null(c, phys_of(e->type->kind), e->type->kind);
  if (l->phys == P_INT && r->phys == P_INT) {
    VNode *n = vnode_new(c->p, VK_ARITH_INT, P_INT, e->type->kind);
    n->a = l, n->b = r, n->op = e->op;
    return n;
  }
  int mayint = (l->phys == P_INT || l->mayint) && (r->phys == P_INT || r->mayint);
  if (mayint && e->op == OP_DIV)
    return fail(c, "division of decimals SQLite may hold as integers (integer division)");
  VNode *n = vnode_new(c->p, VK_ARITH_REAL, P_REAL, e->type->kind);
  n->a = to_real(c, l), n->b = to_real(c, r), n->op = e->op;
  n->mayint = mayint;
  return n;
}

/* ------------------------------------------------------------ calls */

static VNode *collection(C *c, Expr *e, Expr *coll, Expr *value, Expr *filter, int agg) {
  if (coll->inner || e->distinct) return fail(c, "distinct and collections of collections are computed in SQL");
  if (e->depth + 1 >= VMAXD) return fail(c, "collections nested too deep");
  Schema *parent = coll->col ? coll->col->link : NULL;
  const SnapTable *pt = table_of(c, parent);
  if (!pt) return NULL;
  int ci = snapshot_coll(pt, coll->name);
  if (ci < 0) return fail(c, "collection %s.%s is not in the snapshot", pt->name, coll->name);
  VNode *n = vnode_new(c->p, VK_COLLECTION, P_INT, agg <= 1 ? T_INT : e->type->kind);
  n->coll = &pt->colls[ci];
  n->agg = agg;
  n->coll_depth = e->depth;
  n->depth = coll->depth;
  if (coll->kind == E_FIELD) n->owner = linkrow(c, coll->left);
  const SnapTable *ct = &c->s->tables[n->coll->child_table];
  if (ct->cols[n->coll->fk_col].bad) return fail(c, "bad foreign key column in %s", ct->name);
  n->child = calloc(1, sizeof *n->child);
  if (!n->child) abort(); /* n->acc: the interpreter's, made by interp_bind */
  if (filter) n->filter = cx(c, filter);
  if (value) n->value = cx(c, value);
  if (c->failed) return NULL;
  if (n->value && n->value->t == T_NULL) return fail(c, "aggregate of null");
  if (agg >= 2) {
    Phys ph = agg == 3 ? P_REAL : n->value->phys;
    if (agg <= 3 && ph == P_TEXT) return fail(c, "sum of text");
    n->phys = ph;
    if (ph == P_REAL && !n->fv) n->fv = calloc(VB, sizeof *n->fv);
    if (ph == P_TEXT && !n->sv) n->sv = calloc(VB, sizeof *n->sv);
    n->mayint = agg != 3 && n->value->mayint;
    n->t = e->type->kind;
  }
  return n;
}

static VNode *aggregate(C *c, Expr *e) {
  static const char *names[] = {"count", "sum", "avg", "min", "max"};
  for (int i = 0; i < 5; i++)
    if (!strcmp(e->name, names[i])) return collection(c, e, e->args.items[0], e->right, e->where, i + 1);
  return fail(c, "unknown aggregate %s", e->name);
}

/* coalesce / scalar min / max: operands unified to one physical type. */
static VNode *nary(C *c, Expr *e, VKind f, int op) {
  int n = e->args.len;
  VNode **a = calloc((size_t)n + 1, sizeof *a);
  if (!a) abort();
  Phys ph = P_INT;
  TypeKind t = T_NULL;
  int anyint = 0, anyreal = 0;
  for (int i = 0; i < n; i++) {
    a[i] = cx(c, e->args.items[i]);
    if (!a[i]) { free(a); return NULL; }
    if (a[i]->t == T_NULL) continue;
    if (t != T_NULL && is_temporal(t) && a[i]->t != t) { free(a); return fail(c, "mixed date and timestamp arguments"); }
    if (t == T_NULL || a[i]->phys == P_REAL) t = a[i]->t;
    if (a[i]->phys == P_TEXT) ph = P_TEXT;
    if (a[i]->phys == P_REAL) anyreal = 1;
    if (a[i]->phys == P_INT || a[i]->mayint) anyint = 1;
  }
  if (ph == P_TEXT) {
    for (int i = 0; i < n; i++)
      if (a[i]->phys != P_TEXT && a[i]->t != T_NULL) { free(a); return fail(c, "mixed text arguments"); }
  } else if (anyreal) {
    ph = P_REAL;
    for (int i = 0; i < n; i++) a[i] = to_real(c, a[i]);
  }
  VNode *x = vnode_new(c->p, f, ph, t);
  x->args = a;
  x->nargs = n;
  x->op = op;
  x->mayint = ph == P_REAL && anyint;
  return x;
}

static VNode *call(C *c, Expr *e) {
  if (e->ref == REF_COLLECTION) return aggregate(c, e);
  const char *f = e->name;
  Expr **args = (Expr **)e->args.items;
  int n = e->args.len;
  if (!strcmp(f, "now")) return k_int(c, c->now, T_TIMESTAMP);
  if (!strcmp(f, "today")) return k_int(c, c->now >= 0 ? c->now / 86400 : (c->now - 86399) / 86400, T_DATE);
  if ((!strcmp(f, "min") || !strcmp(f, "max")) && n >= 2) return nary(c, e, VK_MINMAX, !strcmp(f, "max"));
  if (!strcmp(f, "coalesce")) return nary(c, e, VK_COALESCE, 0);
  if (!strcmp(f, "concat")) {
    VNode *a[16];
    for (int i = 0; i < n && i < 16; i++) a[i] = cx(c, args[i]);
    return c->failed ? NULL : concat_node(c, a, n, 1);
  }
  if (n < 1) return fail(c, "function %s", f);
  VNode *a = cx(c, args[0]);
  if (!a) return NULL;
  static const struct { const char *name; int fn; } temporal[] = {
      {"year", F_YEAR}, {"month", F_MONTH}, {"day", F_DAY}, {"hour", F_HOUR},
      {"weekday", F_WEEKDAY}, {"date", F_DATE}, {"days_since", F_DAYS_SINCE}, {"age", F_AGE}};
  for (size_t i = 0; i < sizeof temporal / sizeof temporal[0]; i++) {
    if (strcmp(f, temporal[i].name)) continue;
    TypeKind rt = temporal[i].fn == F_DATE ? T_DATE : T_INT;
    if (a->t == T_NULL) return k_null(c, P_INT, rt);
    if (!is_temporal(a->t)) return fail(c, "%s of a non-date", f);
    if (temporal[i].fn == F_DAYS_SINCE || temporal[i].fn == F_AGE) a = to_ts(c, a);
    return func1(c, temporal[i].fn, a, P_INT, rt);
  }
  if (!strcmp(f, "lower") || !strcmp(f, "upper") || !strcmp(f, "trim") || !strcmp(f, "length")) {
    int fn = !strcmp(f, "lower") ? F_LOWER : !strcmp(f, "upper") ? F_UPPER : !strcmp(f, "trim") ? F_TRIM : F_LENGTH;
    Phys ph = fn == F_LENGTH ? P_INT : P_TEXT;
    TypeKind rt = fn == F_LENGTH ? T_INT : T_TEXT;
    if (a->t == T_NULL) return k_null(c, ph, rt);
    if (a->phys != P_TEXT) return fail(c, "%s of non-text", f);
    VNode *x = vnode_new(c->p, VK_TEXTFN, ph, rt);
    x->op = fn;
    x->a = a;
    return x;
  }
  if (a->t == T_NULL) return k_null(c, phys_of(e->type->kind), e->type->kind);
  if (!strcmp(f, "abs")) {
    VNode *x = func1(c, F_ABS, a, a->phys, a->t);
    x->mayint = a->mayint;
    return x;
  }
  if (!strcmp(f, "round") && n == 1) return func1(c, F_ROUND, to_real(c, a), P_REAL, T_DECIMAL);
  if (!strcmp(f, "floor")) return func1(c, F_FLOOR, a, P_INT, T_INT);
  if (!strcmp(f, "ceil")) return func1(c, F_CEIL, a, P_INT, T_INT);
  return fail(c, "function %s(...) is not supported by the columnar engines", f);
}

/* ------------------------------------------------------------ in, between */

static VNode *in_list(C *c, Expr *e) {
  int n = e->args.len;
  if (n == 0) return k_int(c, e->negated ? 1 : 0, T_BOOL);
  VNode *l = cx(c, e->left);
  if (!l) return NULL;
  if (l->t == T_NULL) return k_null(c, P_INT, T_BOOL);
  int all_str = 1, anyreal = l->phys == P_REAL;
  VNode **a = calloc((size_t)n + 1, sizeof *a);
  if (!a) abort();
  for (int i = 0; i < n; i++) {
    Expr *it = e->args.items[i];
    all_str &= it->kind == E_STR;
    a[i] = cx(c, it);
    if (!a[i]) { free(a); return NULL; }
    if (a[i]->t == T_NULL) { a[i] = k_null(c, l->phys, l->t); continue; }
    if ((a[i]->phys == P_TEXT) != (l->phys == P_TEXT)) { free(a); return fail(c, "in list of another type"); }
    if (is_temporal(l->t) && a[i]->t != l->t) { free(a); return fail(c, "in list mixing dates and timestamps"); }
    if (a[i]->phys == P_REAL) anyreal = 1;
  }
  if (all_str && is_dict_col(l)) {
    VNode *x = bool_node(c, VK_CODE_SET, l, NULL, 0);
    x->codeset = calloc((size_t)l->col->ndict + 1, 1);
    if (!x->codeset) abort();
    for (int i = 0; i < n; i++) {
      int64_t lb = dict_bound(l->col, a[i]->ks, 0), ub = dict_bound(l->col, a[i]->ks, 1);
      for (int64_t k = lb; k < ub; k++) x->codeset[k] = 1;
    }
    x->ki = e->negated;
    l->ki = 1;
    free(a);
    return x;
  }
  if (anyreal) {
    l = to_real(c, l);
    for (int i = 0; i < n; i++) a[i] = to_real(c, a[i]);
  }
  VNode *x = bool_node(c, VK_IN, l, NULL, 0);
  x->args = a;
  x->nargs = n;
  x->ki = e->negated;
  return x;
}

static VNode *between(C *c, Expr *e) {
  Expr *lo = e->args.items[0], *hi = e->args.items[1];
  /* x is compiled twice: each comparison may specialise its own copy. */
  VNode *x = cx(c, e->left), *x2 = cx(c, e->left), *l = cx(c, lo), *h = cx(c, hi);
  if (!x || !x2 || !l || !h) return NULL;
  int ts = is_temporal(e->left->type->kind) &&
           (x->t == T_TIMESTAMP || l->t == T_TIMESTAMP || h->t == T_TIMESTAMP);
  if (ts) x = to_ts(c, x), x2 = to_ts(c, x2), l = to_ts(c, l), h = to_ts(c, h);
  VNode *both = bool_node(c, VK_AND, compare(c, OP_GE, x, l), compare(c, OP_LE, x2, h), 0);
  if (!both->a || !both->b) return NULL;
  if (!e->negated) return both;
  return bool_node(c, VK_NOT, both, NULL, 0);
}

/* ------------------------------------------------------------ dispatch */

/* An added column of the population being evaluated (InterpAdded). */
static VNode *added_column(C *c, Expr *e) {
  for (int i = 0; c->added && i < c->added->n; i++) {
    if (strcmp(c->added->names[i], e->name)) continue;
    const SnapCol *sc = &c->added->cols[i];
    if (e->depth != 0) return fail(c, "added column `%s` inside a collection", e->name);
    if (!sc->data && sc->kind != SC_TEXT) return fail(c, "added column `%s` is not computed in memory", e->name);
    VNode *n = vnode_new(c->p, VK_COLUMN, phys_of(sc->type), sc->type);
    n->col = sc;
    n->tab = c->p->dim;
    n->mayint = n->phys == P_REAL;
    c->p->uses_added = 1;
    return n;
  }
  return fail(c, "added column `%s` is not in the snapshot", e->name);
}

static VNode *name_ref(C *c, Expr *e) {
  switch (e->ref) {
    case REF_COLUMN: return column(c, e, e->col, NULL);
    case REF_ADDED: return added_column(c, e);
    case REF_FEEDBACK: return fail(c, "delivery feedback is evaluated in SQL");
    default: return fail(c, "`%s` cannot be used as a value here", e->name);
  }
}

static VNode *binary(C *c, Expr *e) {
  switch (e->op) {
    case OP_AND: case OP_OR: {
      VNode *a = cx(c, e->left), *b = cx(c, e->right);
      if (!a || !b) return NULL;
      if (a->phys != P_INT || b->phys != P_INT) return fail(c, "non-boolean operand of and/or");
      return bool_node(c, e->op == OP_AND ? VK_AND : VK_OR, a, b, 0);
    }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
      return compare(c, e->op, cx(c, e->left), cx(c, e->right));
    case OP_LIKE: case OP_NOT_LIKE: case OP_CONTAINS: case OP_NOT_CONTAINS:
    case OP_STARTS: case OP_NOT_STARTS:
      return text_test(c, e->op, cx(c, e->left), cx(c, e->right));
    default:
      return arith(c, e);
  }
}

static VNode *cx_inner(C *c, Expr *e) {
  switch (e->kind) {
    case E_INT: return k_int(c, e->ival, T_INT);
    case E_DEC: return k_real(c, strtod(e->text, NULL));
    case E_STR: return k_text(c, e->text);
    case E_BOOL: return k_int(c, e->ival ? 1 : 0, T_BOOL);
    case E_NULL: return k_null(c, P_INT, T_NULL);
    case E_DURATION: return k_int(c, e->ival, T_DURATION);
    case E_DATE: {
      int32_t d;
      if (snap_parse_date(e->text, &d)) return fail(c, "date literal %s", e->text);
      return k_int(c, d, T_DATE);
    }
    case E_TIMESTAMP: {
      int64_t t;
      if (snap_parse_ts(e->text, &t)) return fail(c, "timestamp literal %s", e->text);
      return k_int(c, t, T_TIMESTAMP);
    }
    case E_NAME: return name_ref(c, e);
    case E_FIELD:
      if (e->ref != REF_COLUMN) return fail(c, "link `%s` used as a value", e->name);
      return column(c, e, e->col, linkrow(c, e->left));
    case E_CALL: return call(c, e);
    case E_UNARY: {
      VNode *a = cx(c, e->left);
      if (!a) return NULL;
      if (e->op == OP_NOT) return bool_node(c, VK_NOT, a, NULL, 0);
      if (a->t == T_NULL) return a;
      if (a->phys == P_TEXT) return fail(c, "negation of text");
      VNode *n = vnode_new(c->p, VK_NEG, a->phys, a->t);
      n->a = a;
      n->mayint = a->mayint;
      return n;
    }
    case E_BINARY: return binary(c, e);
    case E_IN: return in_list(c, e);
    case E_BETWEEN: return between(c, e);
    case E_ISNULL: {
      VNode *a = cx(c, e->left);
      if (!a) return NULL;
      VNode *n = bool_node(c, VK_ISNULL, a, NULL, 0);
      n->ki = e->negated;
      return n;
    }
    case E_EXISTS: return collection(c, e, e->left, NULL, e->right, 0);
    case E_LIST: case E_WITHIN: break;
  }
  return fail(c, "construct not supported by the columnar engines");
}

static VNode *cx(C *c, Expr *e) {
  if (c->failed) return NULL;
  if (!e || !e->type) return fail(c, "unchecked expression");
  VNode *n = cx_inner(c, e);
  if (n && n->t == T_DURATION && n->phys == P_REAL) return fail(c, "a fractional duration");
  return c->failed ? NULL : n;
}

VProg *rules_lower(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                   char *why, size_t whylen) {
  return rules_lower_ex(s, dim, rules, n, now, NULL, 0, why, whylen);
}

VProg *rules_lower_ex(const Snapshot *s, Schema *dim, Expr **rules, int n, int64_t now,
                      const InterpAdded *added, int values, char *why, size_t whylen) {
  VProg *p = calloc(1, sizeof *p);
  if (!p) abort();
  C c = {p, s, now, 0, added};
  const SnapTable *t = table_of(&c, dim);
  if (t && (t->key_col < 0 || t->key_bad))
    fail(&c, "table %s has no unique non-null int key", t->name);
  p->dim = t;
  p->snap = s;
  p->now = now;
  p->values = values != 0;
  p->roots = calloc((size_t)n + 1, sizeof *p->roots);
  if (!p->roots) abort();
  for (int i = 0; i < n && !c.failed; i++) {
    p->roots[i] = rules[i] ? cx(&c, rules[i]) : k_int(&c, 1, T_BOOL);
    if (p->roots[i] && p->roots[i]->phys != P_INT && !values) fail(&c, "rule is not a condition");
  }
  p->nroots = n;
  if (c.failed) {
    snprintf(why, whylen, "%s", p->why);
    rules_free(p);
    return NULL;
  }
  return p;
}
