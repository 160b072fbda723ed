/* check_call.c — calls in rules: built-in functions (arity and argument
 * types from lang/keywords.def), aggregates over collections and `exists`.
 * Calls of user funcs/filters are inlined by check_expr.c first. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_expr_int.h"
#include "compiler/check/timezone.h"

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

/* Deepest row scope the SQL aliases t0..t7 can name. */
#define MAX_DEPTH 7

/* Splits `purchases.product.price` into the collection path (`purchases`)
 * and the value path evaluated on each child row (`product.price`).  A
 * collection of the collection's rows (`policies.claims.amount`) is split
 * off too: *inner gets its names (innermost last, at most 8), *ninner their
 * count, and the value path is evaluated on the innermost rows. */
static int split_collection(Ctx *c, Scope *s, Expr *path, Expr **coll, Expr **value,
                            Expr **inner, int *ninner) {
  Expr *chain[64];
  int n = 0;
  *ninner = 0;
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
  if (probe.ref == REF_COLLECTION) {
    cur = probe.schema;
    goto split;
  }
  if (probe.ref != REF_LINK) return 0;
  cur = probe.schema;
  for (i = n - 2; i >= 0; i--) {
    Collection *cl = schema_collection(cur, chain[i]->name);
    if (cl) {
      cur = cl->child;
      goto split;
    }
    Column *l = schema_link(cur, chain[i]->name);
    if (!l) return 0;
    cur = l->link;
  }
  return 0;
split:
  *coll = chain[i];
  /* Collections of the collection's rows, as long as the path names them:
   * only a name that is not a column or link of the rows (those win, as in
   * lookup_level) continues the chain. */
  while (i > 0 && *ninner < 8) {
    const char *nm = chain[i - 1]->name;
    if (schema_column(cur, nm) || schema_link(cur, nm)) break;
    Collection *cl = schema_collection(cur, nm);
    if (!cl) break;
    Expr *v = expr_new(c->a, E_NAME, chain[i - 1]->loc);
    v->name = chain[i - 1]->name;
    inner[(*ninner)++] = v;
    cur = cl->child;
    i--;
  }
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

/* Checks the collection coll (and its chain of inner collections) in s and
 * sets *rows to the scope of the innermost rows (scopes[] holds the levels).
 * 0 when an error was reported. */
static int check_rows(Ctx *c, Scope *s, Expr **coll, Expr **inner, int ninner, Scope *scopes,
                      Scope **rows) {
  if (s->depth + 1 + ninner > MAX_DEPTH) {
    diag_error(c->d, (*coll)->loc, "collections nested too deep: at most %d levels", MAX_DEPTH);
    return 0;
  }
  *coll = check_expr(c, s, *coll);
  if ((*coll)->type->kind == T_ERROR) return 0;
  scopes[0] = child_scope(s, (*coll)->schema);
  Expr *prev = *coll;
  for (int k = 0; k < ninner; k++) {
    Scope bare = scopes[k];
    bare.outer = NULL; /* the name is one of these rows' collections */
    bare.pop = NULL;
    bare.func = NULL;
    if (!lookup_level(c, &bare, inner[k]) || inner[k]->ref != REF_COLLECTION) return 0;
    prev->inner = inner[k];
    prev = inner[k];
    scopes[k + 1] = child_scope(&scopes[k], inner[k]->schema);
  }
  *rows = &scopes[ninner];
  return 1;
}

static int agg_is(const Expr *e, const char *n) { return strcmp(e->name, n) == 0; }

/* string_agg / group_concat: joins the values of a collection. */
static int is_string_agg(const Expr *e) {
  return agg_is(e, "string_agg") || agg_is(e, "group_concat");
}

Expr *check_aggregate(Ctx *c, Scope *s, Expr *e) {
  int lo = agg_is(e, "string_agg") ? 2 : 1, hi = is_string_agg(e) ? 2 : 1;
  if (e->args.len < lo || e->args.len > hi) {
    if (is_string_agg(e))
      diag_error(c->d, e->loc, "%s(...) takes a collection's column%s: %s(%scollection.column, \", \")",
                 e->name, lo == 2 ? " and a separator" : " and an optional separator", e->name,
                 e->distinct ? "distinct " : "");
    else
      diag_error(c->d, e->loc, "aggregate %s(...) takes one collection argument", e->name);
    return e->type = err_type(), e;
  }
  if (e->distinct && !agg_is(e, "count") && !is_string_agg(e)) {
    diag_error(c->d, e->loc, "`distinct` is for count(distinct ...) and string_agg(distinct ...), not %s(...)",
               e->name);
    return e->type = err_type(), e;
  }
  if (e->args.len == 2) {
    Expr *sep = e->args.items[1];
    if (sep->where) {
      diag_error(c->d, sep->where->loc, "`where` belongs to the first argument of %s(...)", e->name);
      return e->type = err_type(), e;
    }
    if (sep->kind != E_STR) {
      diag_error(c->d, sep->loc, "the separator of %s(...) must be a string literal, e.g. \", \"",
                 e->name);
      return e->type = err_type(), e;
    }
    sep->type = type_basic(T_TEXT);
  }
  Expr *arg = e->args.items[0];
  Expr *coll = NULL, *value = NULL, *inner[8];
  int ninner = 0;
  if (!split_collection(c, s, arg, &coll, &value, inner, &ninner)) {
    Expr *chk = check_expr(c, s, arg);
    if (chk->type->kind != T_ERROR)
      diag_error(c->d, arg->loc, "%s(...) needs a one-to-many collection, but this is %s",
                 e->name, type_name(c->a, chk->type));
    return e->type = err_type(), e;
  }
  Expr *where = arg->where ? arg->where : e->where;
  Scope scopes[9], *rows;
  if (!check_rows(c, s, &coll, inner, ninner, scopes, &rows)) return e->type = err_type(), e;
  e->args.items[0] = coll;
  if (value) value = check_expr(c, rows, value);
  if (where) where = check_rule(c, rows, where, "an aggregate filter");
  e->right = value;
  e->where = where;
  arg->where = NULL;
  e->ref = REF_COLLECTION;
  e->schema = rows->schema;
  e->depth = s->depth;
  Type *vt = value ? value->type : NULL;
  if (vt && vt->kind == T_ERROR) return e->type = err_type(), e;
  if (!value && (!agg_is(e, "count") || e->distinct)) {
    const char *path = coll->kind == E_NAME ? coll->name : "collection";
    for (Expr *k = coll->inner; k; k = k->inner) path = arena_printf(c->a, "%s.%s", path, k->name);
    diag_error(c->d, e->loc, "%s(%s...) needs a column: write %s(%s%s.column)", e->name,
               e->distinct ? "distinct " : "", e->name, e->distinct ? "distinct " : "", path);
    return e->type = err_type(), e;
  }
  /* count(x.link) counts the rows whose link is set. */
  if (vt && (vt->kind == T_ROWS || vt->kind == T_COLLECTION ||
             (vt->kind == T_LINK && !agg_is(e, "count")))) {
    diag_error(c->d, value->loc, "%s(...) needs a column value, not %s", e->name,
               type_name(c->a, vt));
    if (vt->kind == T_COLLECTION)
      diag_hint(c->d, "name the column of its rows: %s(%s.column)", e->name,
                value->kind == E_NAME ? value->name : "collection");
    return e->type = err_type(), e;
  }
  if (agg_is(e, "count")) {
    e->type = type_basic(T_INT);
  } else if (agg_is(e, "sum") || agg_is(e, "avg")) {
    if (!type_is_numeric(vt) && vt->kind != T_DURATION) {
      diag_error(c->d, value->loc, "%s(...) needs numbers, not %s", e->name,
                 type_name(c->a, vt));
      e->type = err_type();
    } else {
      e->type = agg_is(e, "avg") ? type_basic(T_DECIMAL) : vt;
    }
  } else if (agg_is(e, "stddev") || agg_is(e, "stddev_pop")) {
    if (!type_is_numeric(vt)) {
      diag_error(c->d, value->loc, "%s(...) needs numbers, not %s", e->name,
                 type_name(c->a, vt));
      e->type = err_type();
    } else {
      e->type = type_basic(T_DECIMAL);
    }
  } else if (is_string_agg(e)) {
    if (vt->kind == T_BOOL) {
      diag_error(c->d, value->loc, "%s(...) joins text, numbers or dates, not %s", e->name,
                 type_name(c->a, vt));
      e->type = err_type();
    } else {
      e->type = type_basic(T_TEXT);
    }
  } else {
    e->type = vt;
  }
  return e;
}

Expr *check_exists(Ctx *c, Scope *s, Expr *e) {
  Expr *coll = NULL, *value = NULL, *inner[8];
  int ninner = 0;
  if (!split_collection(c, s, e->left, &coll, &value, inner, &ninner) || value) {
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
  Scope scopes[9], *rows;
  if (!check_rows(c, s, &coll, inner, ninner, scopes, &rows)) return e->type = err_type(), e;
  e->left = coll;
  if (e->right) e->right = check_rule(c, rows, e->right, "an exists filter");
  e->schema = rows->schema;
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

/* The units of date_trunc; a checked call holds the unit's index in ival
 * (the order of the dialects' trunc_date / trunc_ts templates). */
static const char *const date_trunc_units[] = {"year", "quarter", "month", "week", "day", "hour", "minute"};

/* date_trunc("month", x): the unit is a string literal; the result has the
 * type of x (a date stays a date). */
static Type *date_trunc_type(Ctx *c, Expr *e) {
  Expr *u = e->args.items[0], *x = e->args.items[1];
  int ok = want(c, x, type_is_temporal(x->type) || x->type->kind == T_NULL, e->name,
                "a date or timestamp");
  if (u->kind != E_STR) {
    if (u->type->kind != T_ERROR)
      diag_error(c->d, u->loc, "the unit of date_trunc(...) must be a string literal such as \"month\"");
    return err_type();
  }
  int unit = -1;
  for (int i = 0; i < COUNT(date_trunc_units); i++)
    if (!strcmp(u->text, date_trunc_units[i])) unit = i;
  if (unit < 0) {
    diag_error(c->d, u->loc, "unknown unit \"%s\" for date_trunc(...)", u->text);
    const char *best = diag_closest(u->text, date_trunc_units, COUNT(date_trunc_units));
    if (best)
      diag_hint(c->d, "did you mean \"%s\"?", best);
    else
      diag_hint(c->d, "units: year, quarter, month, week, day, hour, minute");
    return err_type();
  }
  if (!ok) return err_type();
  if (x->type->kind == T_DATE && unit >= 5) {
    diag_error(c->d, u->loc, "a date has no %ss: date_trunc(\"%s\", ...) needs a timestamp",
               u->text, u->text);
    return err_type();
  }
  e->ival = unit;
  return x->type->kind == T_DATE ? type_basic(T_DATE) : type_basic(T_TIMESTAMP);
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
      !strcmp(n, "weekday") || !strcmp(n, "weekday_iso") || !strcmp(n, "days_since") ||
      !strcmp(n, "age") || !strcmp(n, "hour")) {
    want(c, a[0], type_is_temporal(a[0]->type) || a[0]->type->kind == T_NULL, n,
         "a date or timestamp");
    return type_basic(T_INT);
  }
  if (!strcmp(n, "date")) {
    want(c, a[0], type_is_temporal(a[0]->type) || a[0]->type->kind == T_NULL, n,
         "a date or timestamp");
    return type_basic(T_DATE);
  }
  if (!strcmp(n, "days_between")) {
    for (int i = 0; i < 2; i++)
      want(c, a[i], type_is_temporal(a[i]->type) || a[i]->type->kind == T_NULL, n,
           "dates or timestamps");
    return type_basic(T_INT);
  }
  if (!strcmp(n, "date_trunc")) return date_trunc_type(c, e);
  if (!strcmp(n, "to_timezone")) {
    want(c, a[0], type_is_temporal(a[0]->type) || a[0]->type->kind == T_NULL, n,
         "a date or timestamp (in UTC)");
    if (want(c, a[1], a[1]->type->kind == T_TEXT || a[1]->type->kind == T_NULL, n,
             "a time zone name (text)") &&
        a[1]->kind == E_STR && !tz_known(a[1]->text)) {
      diag_error(c->d, a[1]->loc, "unknown time zone \"%s\"", a[1]->text);
      diag_hint(c->d, "write an IANA zone name such as \"Europe/Stockholm\" or \"UTC\"");
    }
    return type_basic(T_TIMESTAMP);
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
  int minmax2 = (!strcmp(e->name, "min") || !strcmp(e->name, "max")) && e->args.len >= 2;
  if (e->distinct && (!is_aggregate(e->name) || minmax2)) {
    diag_error(c->d, e->loc, "`distinct` is for count(distinct ...) and string_agg(distinct ...), not %s(...)",
               e->name);
    for (int i = 0; i < e->args.len; i++) e->args.items[i] = check_expr(c, s, e->args.items[i]);
    return e->type = err_type(), e;
  }
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
