/* check_call.c — calls in rules: built-in functions (arity and argument
 * types from lang/keywords.def), aggregates over collections and `exists`.
 * Calls of user funcs/filters are inlined by check_expr.c first. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_expr_int.h"

typedef struct {
  const char *name;
  int lo, hi;
} Builtin;

static const Builtin builtins[] = {
#define FUNC(w, lo, hi) {w, lo, hi},
#include "lang/keywords.def"
};
static const char *const aggregates[] = {
#define AGG(w) w,
#include "lang/keywords.def"
};
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static const Builtin *find_builtin(const char *name) {
  for (int i = 0; i < COUNT(builtins); i++)
    if (strcmp(builtins[i].name, name) == 0) return &builtins[i];
  return NULL;
}

static int is_aggregate(const char *name) {
  for (int i = 0; i < COUNT(aggregates); i++)
    if (strcmp(aggregates[i], name) == 0) return 1;
  return 0;
}


/* --------------------------------------------------------- aggregates */

/* Splits `purchases.product.price` into the collection path (`purchases`)
 * and the value path evaluated on each child row (`product.price`). */
static int split_collection(Ctx *c, Scope *s, Expr *path, Expr **coll, Expr **value) {
  Expr *chain[64];
  int n = 0;
  for (Expr *k = path; k && n < 64; k = k->left) {
    if (k->kind != E_NAME && k->kind != E_FIELD) return 0;
    chain[n++] = k;
    if (k->kind == E_NAME) break;
  }
  if (n == 0 || chain[n - 1]->kind != E_NAME) return 0;
  /* chain[n-1] is the root name; chain[0] the whole path. */
  Expr probe = *chain[n - 1];
  int found = 0;
  for (Scope *k = s; k && !found; k = k->outer) found = lookup_level(c, k, &probe);
  if (!found) return 0;
  Schema *cur = NULL;
  int i = n - 1;
  if (probe.ref == REF_COLLECTION) goto split;
  if (probe.ref != REF_LINK) return 0;
  cur = probe.schema;
  for (i = n - 2; i >= 0; i--) {
    if (schema_collection(cur, chain[i]->name)) goto split;
    Column *l = schema_link(cur, chain[i]->name);
    if (!l) return 0;
    cur = l->link;
  }
  return 0;
split:
  *coll = chain[i];
  *value = NULL;
  for (int j = i - 1; j >= 0; j--) {
    Expr *v;
    if (!*value) {
      v = expr_new(c->a, E_NAME, chain[j]->loc);
      v->name = chain[j]->name;
    } else {
      v = expr_new(c->a, E_FIELD, chain[j]->loc);
      v->name = chain[j]->name;
      v->left = *value;
    }
    *value = v;
  }
  return 1;
}

Expr *check_aggregate(Ctx *c, Scope *s, Expr *e) {
  if (e->args.len != 1) {
    diag_error(c->d, e->loc, "aggregate %s(...) takes one collection argument", e->name);
    return e->type = err_type(), e;
  }
  Expr *arg = e->args.items[0];
  Expr *coll = NULL, *value = NULL;
  if (!split_collection(c, s, arg, &coll, &value)) {
    Expr *chk = check_expr(c, s, arg);
    if (chk->type->kind != T_ERROR)
      diag_error(c->d, arg->loc, "%s(...) needs a one-to-many collection, but this is %s",
                 e->name, type_name(c->a, chk->type));
    return e->type = err_type(), e;
  }
  Expr *where = arg->where ? arg->where : e->where;
  coll = check_expr(c, s, coll);
  e->args.items[0] = coll;
  Scope cs = child_scope(s, coll->schema);
  if (value) value = check_expr(c, &cs, value);
  if (where) where = check_rule(c, &cs, where, "an aggregate filter");
  e->right = value;
  e->where = where;
  arg->where = NULL;
  e->ref = REF_COLLECTION;
  e->schema = coll->schema;
  e->depth = s->depth;
  Type *vt = value ? value->type : NULL;
  if (strcmp(e->name, "count") == 0) {
    e->type = type_basic(T_INT);
  } else if (!value) {
    diag_error(c->d, e->loc, "%s(...) needs a column: write %s(%s.column)", e->name, e->name,
               coll->kind == E_NAME ? coll->name : "collection");
    e->type = err_type();
  } else if (strcmp(e->name, "sum") == 0 || strcmp(e->name, "avg") == 0) {
    if (!type_is_numeric(vt) && vt->kind != T_DURATION) {
      diag_error(c->d, value->loc, "%s(...) needs numbers, not %s", e->name,
                 type_name(c->a, vt));
      e->type = err_type();
    } else {
      e->type = strcmp(e->name, "avg") == 0 ? type_basic(T_DECIMAL) : vt;
    }
  } else {
    if (vt->kind == T_ROWS || vt->kind == T_COLLECTION || vt->kind == T_LINK) {
      diag_error(c->d, value->loc, "%s(...) needs a column value", e->name);
      e->type = err_type();
    } else {
      e->type = vt;
    }
  }
  return e;
}

Expr *check_exists(Ctx *c, Scope *s, Expr *e) {
  Expr *coll = NULL, *value = NULL;
  if (!split_collection(c, s, e->left, &coll, &value) || value) {
    Expr *chk = check_expr(c, s, e->left);
    if (chk->type->kind != T_ERROR) {
      diag_error(c->d, e->left->loc, "exists needs a one-to-many collection, but this is %s",
                 type_name(c->a, chk->type));
      if (chk->type->kind == T_LINK)
        diag_hint(c->d, "to test a link write `%s is not null`",
                  chk->col ? chk->col->name : "column");
    }
    return e->type = err_type(), e;
  }
  e->left = check_expr(c, s, coll);
  Scope cs = child_scope(s, e->left->schema);
  if (e->right) e->right = check_rule(c, &cs, e->right, "an exists filter");
  e->schema = e->left->schema;
  e->depth = s->depth;
  e->type = type_basic(T_BOOL);
  return e;
}

/* --------------------------------------------------------- functions */

static int want(Ctx *c, Expr *a, int ok, const char *fn, const char *what) {
  if (!ok && a->type->kind != T_ERROR)
    diag_error(c->d, a->loc, "%s(...) needs %s, not %s", fn, what, type_name(c->a, a->type));
  return ok;
}

static Type *builtin_type(Ctx *c, Expr *e) {
  const char *n = e->name;
  Expr **a = (Expr **)e->args.items;
  int na = e->args.len;
  if (!strcmp(n, "now")) return type_basic(T_TIMESTAMP);
  if (!strcmp(n, "today")) return type_basic(T_DATE);
  if (!strcmp(n, "lower") || !strcmp(n, "upper") || !strcmp(n, "trim")) {
    want(c, a[0], a[0]->type->kind == T_TEXT || a[0]->type->kind == T_ENUM ||
                  a[0]->type->kind == T_NULL, n, "text");
    return type_basic(T_TEXT);
  }
  if (!strcmp(n, "length")) {
    want(c, a[0], a[0]->type->kind == T_TEXT || a[0]->type->kind == T_ENUM ||
                  a[0]->type->kind == T_NULL, n, "text");
    return type_basic(T_INT);
  }
  if (!strcmp(n, "substr")) {
    want(c, a[0], a[0]->type->kind == T_TEXT || a[0]->type->kind == T_NULL, n, "text");
    for (int i = 1; i < na; i++) want(c, a[i], a[i]->type->kind == T_INT || a[i]->type->kind == T_NULL, n, "an int position");
    return type_basic(T_TEXT);
  }
  if (!strcmp(n, "replace")) {
    for (int i = 0; i < na; i++) want(c, a[i], a[i]->type->kind == T_TEXT || a[i]->type->kind == T_NULL, n, "text");
    return type_basic(T_TEXT);
  }
  if (!strcmp(n, "concat")) return type_basic(T_TEXT);
  if (!strcmp(n, "coalesce")) {
    Type *t = a[0]->type;
    for (int i = 1; i < na; i++) {
      if (!type_compatible(t, a[i]->type)) {
        diag_error(c->d, a[i]->loc, "coalesce(...) arguments must have one type: %s and %s",
                   type_name(c->a, t), type_name(c->a, a[i]->type));
        return err_type();
      }
      if (t->kind == T_NULL || (t->kind == T_INT && a[i]->type->kind == T_DECIMAL)) t = a[i]->type;
    }
    return t;
  }
  if (!strcmp(n, "abs")) {
    want(c, a[0], type_is_numeric(a[0]->type) || a[0]->type->kind == T_DURATION, n, "a number");
    return a[0]->type;
  }
  if (!strcmp(n, "round")) {
    want(c, a[0], type_is_numeric(a[0]->type), n, "a number");
    if (na > 1) want(c, a[1], a[1]->type->kind == T_INT, n, "an int number of digits");
    return type_basic(T_DECIMAL);
  }
  if (!strcmp(n, "floor") || !strcmp(n, "ceil")) {
    want(c, a[0], type_is_numeric(a[0]->type), n, "a number");
    return type_basic(T_INT);
  }
  if (!strcmp(n, "year") || !strcmp(n, "month") || !strcmp(n, "day") ||
      !strcmp(n, "weekday") || !strcmp(n, "days_since") || !strcmp(n, "age") ||
      !strcmp(n, "hour")) {
    want(c, a[0], type_is_temporal(a[0]->type) || a[0]->type->kind == T_NULL, n,
         "a date or timestamp");
    return type_basic(T_INT);
  }
  if (!strcmp(n, "date")) {
    want(c, a[0], type_is_temporal(a[0]->type) || a[0]->type->kind == T_NULL, n,
         "a date or timestamp");
    return type_basic(T_DATE);
  }
  return err_type();
}

static const char **call_candidates(Ctx *c, int *n) {
  PtrVec v = {0};
  for (int i = 0; i < COUNT(builtins); i++) vec_push(c->a, &v, (void *)builtins[i].name);
  for (int i = 0; i < COUNT(aggregates); i++) vec_push(c->a, &v, (void *)aggregates[i]);
  for (int i = 0; i < c->p->funcs.len; i++)
    vec_push(c->a, &v, ((Decl *)c->p->funcs.items[i])->name);
  *n = v.len;
  return (const char **)v.items;
}

Expr *check_call(Ctx *c, Scope *s, Expr *e) {
  Decl *f = names_func(c, e->name);
  if (f) return inline_call(c, s, e, f);
  if (is_aggregate(e->name)) {
    int scalar_minmax = (!strcmp(e->name, "min") || !strcmp(e->name, "max")) && e->args.len >= 2;
    if (!scalar_minmax) return check_aggregate(c, s, e);
  }
  const Builtin *b = find_builtin(e->name);
  int scalar_minmax = !b && (!strcmp(e->name, "min") || !strcmp(e->name, "max"));
  if (!b && !scalar_minmax) {
    int n;
    const char **cands = call_candidates(c, &n);
    names_unknown(c, e->loc, "function", e->name, cands, n);
    for (int i = 0; i < e->args.len; i++) e->args.items[i] = check_expr(c, s, e->args.items[i]);
    return e->type = err_type(), e;
  }
  for (int i = 0; i < e->args.len; i++) {
    Expr *a = e->args.items[i];
    if (a->where) {
      diag_error(c->d, a->where->loc, "`where` inside %s(...) is only for aggregates over a collection",
                 e->name);
      a->where = NULL;
    }
    e->args.items[i] = check_expr(c, s, a);
  }
  if (b && (e->args.len < b->lo || e->args.len > b->hi)) {
    if (b->lo == b->hi)
      diag_error(c->d, e->loc, "%s(...) takes %d argument%s, %d given", e->name, b->lo,
                 b->lo == 1 ? "" : "s", e->args.len);
    else
      diag_error(c->d, e->loc, "%s(...) takes %d to %d arguments, %d given", e->name, b->lo,
                 b->hi, e->args.len);
    return e->type = err_type(), e;
  }
  if (scalar_minmax) {
    Type *t = ((Expr *)e->args.items[0])->type;
    for (int i = 1; i < e->args.len; i++) {
      Expr *a = e->args.items[i];
      if (!type_compatible(t, a->type))
        diag_error(c->d, a->loc, "%s(...) arguments must have one type: %s and %s", e->name,
                   type_name(c->a, t), type_name(c->a, a->type));
      if (t->kind == T_NULL || (t->kind == T_INT && a->type->kind == T_DECIMAL)) t = a->type;
    }
    return e->type = t, e;
  }
  e->type = builtin_type(c, e);
  return e;
}
