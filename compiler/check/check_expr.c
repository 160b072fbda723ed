/* check_expr.c — names and types of rules and expressions.  Annotates each
 * Expr with its type and what its names refer to; inlines func/filter calls
 * so later stages see only built-in constructs. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_expr_int.h"

static const char *const feedback_events[] = {
#define FEEDBACK(w) w,
#include "lang/keywords.def"
};
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static int is_feedback(const char *name) {
  for (int i = 0; i < COUNT(feedback_events); i++)
    if (strcmp(feedback_events[i], name) == 0) return 1;
  return 0;
}


Scope scope_of_pop(Pop *p) {
  Scope s;
  memset(&s, 0, sizeof s);
  s.schema = p ? p->dim : NULL;
  s.pop = p;
  return s;
}

Scope child_scope(Scope *outer, Schema *child) {
  Scope s;
  memset(&s, 0, sizeof s);
  s.schema = child;
  s.outer = outer;
  s.depth = outer->depth + 1;
  s.func = outer->func;
  return s;
}

int scope_names(Ctx *c, Scope *s, const char ***out) {
  PtrVec v = {0};
  for (Scope *k = s; k; k = k->outer) {
    if (k->func)
      for (int i = 0; i < k->func->params.len; i++)
        vec_push(c->a, &v, ((Param *)k->func->params.items[i])->name);
    if (k->pop)
      for (int i = 0; i < k->pop->added.len; i++)
        vec_push(c->a, &v, ((AddedCol *)k->pop->added.items[i])->name);
    if (k->schema) {
      for (int i = 0; i < k->schema->columns.len; i++) {
        Column *col = k->schema->columns.items[i];
        vec_push(c->a, &v, col->name);
        if (col->link) vec_push(c->a, &v, col->link_name);
      }
      for (int i = 0; i < k->schema->collections.len; i++)
        vec_push(c->a, &v, ((Collection *)k->schema->collections.items[i])->name);
    }
  }
  *out = (const char **)v.items;
  return v.len;
}

/* ------------------------------------------------------------ inlining */

Expr *clone_expr(Ctx *c, Expr *e, Decl *f, PtrVec *args);

static void clone_vec(Ctx *c, PtrVec *dst, PtrVec *src, Decl *f, PtrVec *args) {
  PtrVec v = {0};
  for (int i = 0; i < src->len; i++) vec_push(c->a, &v, clone_expr(c, src->items[i], f, args));
  *dst = v;
}

/* Deep copy of a func/filter body with parameters replaced by arguments. */
Expr *clone_expr(Ctx *c, Expr *e, Decl *f, PtrVec *args) {
  if (!e) return NULL;
  if (e->kind == E_NAME && f) {
    for (int i = 0; i < f->params.len && i < args->len; i++) {
      if (strcmp(((Param *)f->params.items[i])->name, e->name) == 0) {
        Expr *a = args->items[i];
        Expr *copy = arena_alloc(c->a, sizeof *copy);
        *copy = *a;
        copy->frozen = 1;
        copy->paren = 1;
        return copy;
      }
    }
  }
  Expr *n = arena_alloc(c->a, sizeof *n);
  *n = *e;
  n->type = NULL;
  n->ref = REF_NONE;
  n->left = clone_expr(c, e->left, f, args);
  n->right = clone_expr(c, e->right, f, args);
  n->where = clone_expr(c, e->where, f, args);
  clone_vec(c, &n->args, &e->args, f, args);
  return n;
}

Expr *inline_call(Ctx *c, Scope *s, Expr *e, Decl *f) {
  if (f->kind == D_FILTER && f->schema && s->schema != f->schema) {
    diag_error(c->d, e->loc, "filter `%s` applies to %s rows, not %s", f->name,
               f->schema->name, s->schema ? s->schema->name : "values");
    return e->type = err_type(), e;
  }
  if (e->args.len != f->params.len) {
    diag_error(c->d, e->loc, "`%s` takes %d argument%s, %d given", f->name, f->params.len,
               f->params.len == 1 ? "" : "s", e->args.len);
    return e->type = err_type(), e;
  }
  int bad_args = 0;
  for (int i = 0; i < e->args.len; i++) {
    Expr *a = check_expr(c, s, e->args.items[i]);
    e->args.items[i] = a;
    Param *prm = f->params.items[i];
    Type *pt = names_type(c, prm->type);
    if (a->type->kind == T_ERROR) bad_args = 1;
    if (!type_compatible(a->type, pt)) {
      diag_error(c->d, a->loc, "argument `%s` of `%s` must be %s, not %s", prm->name,
                 f->name, type_name(c->a, pt), type_name(c->a, a->type));
      bad_args = 1;
    }
  }
  /* The body would only repeat the argument's error in other words. */
  if (bad_args) return e->type = err_type(), e;
  if (f->checking || c->inline_depth > 32) {
    /* Report a cycle once, not at every call that runs into it. */
    if (!f->recursive)
      diag_error(c->d, e->loc, "`%s` calls itself (directly or through other funcs); funcs and filters cannot be recursive",
                 f->name);
    f->recursive = 1;
    return e->type = err_type(), e;
  }
  f->checking = 1;
  c->inline_depth++;
  Expr *body = clone_expr(c, f->body, f, &e->args);
  body->loc = e->loc; /* errors inside point at the call, not the library */
  body = check_expr(c, s, body);
  body->paren = 1;
  c->inline_depth--;
  f->checking = 0;
  return body;
}

/* --------------------------------------------------------------- names */

/* Looks a name up in one scope level; returns 1 and annotates e if found. */
int lookup_level(Ctx *c, Scope *k, Expr *e) {
  /* Parameters of a func/filter body, at its own row level only. */
  if (k->func && (!k->schema || k->depth == 0)) {
    for (int i = 0; i < k->func->params.len; i++) {
      Param *prm = k->func->params.items[i];
      if (strcmp(prm->name, e->name) == 0) {
        e->ref = REF_PARAM;
        e->type = names_type(c, prm->type);
        return 1;
      }
    }
  }
  AddedCol *ac = pop_added(k->pop, e->name);
  if (ac) {
    e->ref = REF_ADDED;
    e->type = ac->type;
    e->depth = k->depth;
    return 1;
  }
  Column *col = schema_column(k->schema, e->name);
  if (col) {
    e->ref = REF_COLUMN;
    e->col = col;
    e->schema = k->schema;
    e->type = col->type;
    e->depth = k->depth;
    return 1;
  }
  col = schema_link(k->schema, e->name);
  if (col) {
    e->ref = REF_LINK;
    e->col = col;
    e->schema = col->link;
    e->type = type_of_schema(c->a, T_LINK, col->link);
    e->depth = k->depth;
    return 1;
  }
  Collection *coll = schema_collection(k->schema, e->name);
  if (coll) {
    e->ref = REF_COLLECTION;
    e->col = coll->fk;
    e->schema = coll->child;
    e->type = type_of_schema(c->a, T_COLLECTION, coll->child);
    e->depth = k->depth;
    return 1;
  }
  return 0;
}

static int in_feedback(Scope *s) {
  for (; s; s = s->outer)
    if (s->feedback) return 1;
  return 0;
}

static Expr *check_name(Ctx *c, Scope *s, Expr *e) {
  for (Scope *k = s; k; k = k->outer)
    if (lookup_level(c, k, e)) return e;
  Decl *f = names_func(c, e->name);
  if (f && f->kind == D_FILTER && f->params.len == 0) return inline_call(c, s, e, f);
  if (in_feedback(s) && is_feedback(e->name)) {
    e->ref = REF_FEEDBACK;
    e->type = type_basic(T_BOOL);
    return e;
  }
  const char **cands;
  int n = scope_names(c, s, &cands);
  const char *where = s->schema ? s->schema->name : NULL;
  if (where)
    diag_error(c->d, e->loc, "unknown column `%s` in %s", e->name, where);
  else
    diag_error(c->d, e->loc, "unknown name `%s`", e->name);
  const char *best = diag_closest(e->name, cands, n);
  if (!best && in_feedback(s)) best = diag_closest(e->name, feedback_events, COUNT(feedback_events));
  if (best) diag_hint(c->d, "did you mean `%s`?", best);
  else if (f) diag_hint(c->d, "`%s` is a %s: call it with (...)", e->name,
                        f->kind == D_FILTER ? "filter with parameters" : "func");
  e->type = err_type();
  return e;
}

/* A link column that keeps its name (`tariff text -> plans`) is a value
 * where it is used as one and a link where it is followed with `.`: the
 * name resolved to the column, the `.` makes it the link. */
void as_link(Ctx *c, Expr *l) {
  if ((l->kind != E_NAME && l->kind != E_FIELD) || l->ref != REF_COLUMN || !l->col || !l->col->link) return;
  l->ref = REF_LINK;
  l->schema = l->col->link;
  l->type = type_of_schema(c->a, T_LINK, l->col->link);
}

static Expr *check_field(Ctx *c, Scope *s, Expr *e) {
  e->left = check_expr(c, s, e->left);
  Expr *l = e->left;
  if (l->type->kind == T_ERROR) return e->type = err_type(), e;
  as_link(c, l);
  if (l->type->kind != T_LINK) {
    if (l->type->kind == T_COLLECTION)
      diag_error(c->d, e->loc, "`%s` has many rows per %s: use it inside exists or an aggregate such as sum(...)",
                 l->kind == E_NAME ? l->name : "collection", s->schema ? s->schema->name : "row");
    else
      diag_error(c->d, e->loc, "`.%s`: only links to another schema can be followed with `.`",
                 e->name);
    return e->type = err_type(), e;
  }
  Scope target;
  memset(&target, 0, sizeof target);
  target.schema = l->type->schema;
  target.depth = l->depth;
  e->name = e->name;
  if (lookup_level(c, &target, e)) {
    e->depth = l->depth;
    return e;
  }
  const char **cands;
  int n = scope_names(c, &target, &cands);
  diag_error(c->d, e->loc, "unknown column `%s` in %s", e->name, target.schema->name);
  const char *best = diag_closest(e->name, cands, n);
  if (best) diag_hint(c->d, "did you mean `%s`?", best);
  return e->type = err_type(), e;
}

/* ------------------------------------------------------------ enums */

/* `tier = gold`: a bare name compared with an enum is one of its labels. */
static Expr *enum_label(Ctx *c, Expr *e, Type *enum_type) {
  if (!enum_type || enum_type->kind != T_ENUM) return NULL;
  if (e->kind != E_NAME && e->kind != E_STR) return NULL;
  const char *label = e->kind == E_NAME ? e->name : e->text;
  for (int i = 0; i < enum_type->labels.len; i++) {
    if (strcmp(enum_type->labels.items[i], label) == 0) {
      e->kind = E_STR;
      e->text = (char *)label;
      e->ref = REF_ENUM;
      e->type = enum_type;
      return e;
    }
  }
  if (e->kind == E_STR || e->kind == E_NAME) {
    diag_error(c->d, e->loc, "`%s` is not a label of %s", label, type_name(c->a, enum_type));
    const char *best = diag_closest(label, (const char *const *)enum_type->labels.items,
                                    enum_type->labels.len);
    if (best) diag_hint(c->d, "did you mean `%s`?", best);
    e->type = err_type();
    return e;
  }
  return NULL;
}

/* Would the bare name e resolve to a column or other name in scope? */
static int resolves(Ctx *c, Scope *s, Expr *e) {
  Expr probe = *e;
  for (Scope *k = s; k; k = k->outer)
    if (lookup_level(c, k, &probe)) return 1;
  return names_func(c, e->name) != NULL;
}

/* Checks operand `e` against an already-typed other side `other`. */
static Expr *check_operand(Ctx *c, Scope *s, Expr *e, Type *other) {
  if (other && other->kind == T_ENUM && !e->frozen) {
    if (e->kind == E_STR) return enum_label(c, e, other);
    if (e->kind == E_NAME) {
      Expr probe = *e;
      int is_col = 0;
      for (Scope *k = s; k && !is_col; k = k->outer) is_col = lookup_level(c, k, &probe);
      for (int i = 0; i < other->labels.len && !is_col; i++)
        if (strcmp(other->labels.items[i], e->name) == 0) return enum_label(c, e, other);
      if (!is_col) return enum_label(c, e, other);
    }
  }
  return check_expr(c, s, e);
}

/* ---------------------------------------------------------- operators */

static int is_scalar(const Type *t) {
  return t->kind != T_ROWS && t->kind != T_COLLECTION && t->kind != T_LINK;
}

static int require_scalar(Ctx *c, Expr *e) {
  if (is_scalar(e->type)) return 1;
  if (e->type->kind == T_LINK)
    diag_error(c->d, e->loc, "`%s` is a link to %s: compare one of its columns, e.g. `%s.%s`",
               e->name ? e->name : "link", e->type->schema->name, e->name ? e->name : "link",
               e->type->schema->key ? e->type->schema->key->name : "id");
  else if (e->type->kind == T_COLLECTION)
    diag_error(c->d, e->loc, "`%s` has many rows: use exists or an aggregate such as count(%s)",
               e->name ? e->name : "collection", e->name ? e->name : "collection");
  else
    diag_error(c->d, e->loc, "collected rows cannot be used in a rule");
  e->type = err_type();
  return 0;
}

static Type *arith_type(Ctx *c, Expr *e, Type *l, Type *r) {
  TypeKind a = l->kind, b = r->kind;
  if (a == T_ERROR || b == T_ERROR) return err_type();
  if (e->op == OP_CONCAT) return type_basic(T_TEXT);
  if (a == T_NULL && b == T_NULL) return type_basic(T_NULL);
  if (type_is_numeric(l) && type_is_numeric(r)) {
    if (a == T_DECIMAL || b == T_DECIMAL) return type_basic(T_DECIMAL);
    return type_basic(a == T_NULL ? b : a);
  }
  if (e->op == OP_ADD || e->op == OP_SUB) {
    if ((a == T_TIMESTAMP || a == T_DATE) && (b == T_DURATION || b == T_NULL)) {
      if (a == T_DATE) {
        Expr *d = e->right;
        if (d->kind == E_DURATION && d->ival % 86400 == 0) return type_basic(T_DATE);
        return type_basic(T_TIMESTAMP);
      }
      return type_basic(T_TIMESTAMP);
    }
    if (e->op == OP_ADD && a == T_DURATION && type_is_temporal(r)) return r;
    if (a == T_DURATION && b == T_DURATION) return type_basic(T_DURATION);
    if (e->op == OP_SUB && type_is_temporal(l) && type_is_temporal(r))
      return type_basic(T_DURATION);
  }
  if ((e->op == OP_MUL || e->op == OP_DIV) && a == T_DURATION && type_is_numeric(r))
    return type_basic(T_DURATION);
  if (e->op == OP_MUL && type_is_numeric(l) && b == T_DURATION) return type_basic(T_DURATION);
  diag_error(c->d, e->loc, "cannot apply `%s` to %s and %s", binop_text(e->op),
             type_name(c->a, l), type_name(c->a, r));
  if (e->op == OP_ADD && (a == T_TEXT || b == T_TEXT))
    diag_hint(c->d, "use `||` to join text");
  return err_type();
}

static int is_text_like(const Type *t) {
  return t->kind == T_TEXT || t->kind == T_ENUM || t->kind == T_NULL || t->kind == T_ERROR;
}

static Expr *check_binary(Ctx *c, Scope *s, Expr *e) {
  if (e->op == OP_AND || e->op == OP_OR) {
    e->left = check_rule(c, s, e->left, binop_text(e->op));
    e->right = check_rule(c, s, e->right, binop_text(e->op));
    e->type = type_basic(T_BOOL);
    return e;
  }
  /* The side that is a bare name may be an enum label: type the other first. */
  if (e->left->kind == E_STR || (e->left->kind == E_NAME && !resolves(c, s, e->left))) {
    e->right = check_expr(c, s, e->right);
    e->left = check_operand(c, s, e->left, e->right->type);
  } else {
    e->left = check_expr(c, s, e->left);
    e->right = check_operand(c, s, e->right, e->left->type);
  }
  Expr *l = e->left, *r = e->right;
  if (!require_scalar(c, l) || !require_scalar(c, r)) return e->type = err_type(), e;
  switch (e->op) {
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
      if (!type_compatible(l->type, r->type)) {
        diag_error(c->d, e->loc, "cannot compare %s with %s", type_name(c->a, l->type),
                   type_name(c->a, r->type));
        if ((l->type->kind == T_TEXT && type_is_temporal(r->type)) ||
            (r->type->kind == T_TEXT && type_is_temporal(l->type)))
          diag_hint(c->d, "dates are written without quotes: 2026-03-01");
      }
      e->type = type_basic(T_BOOL);
      return e;
    case OP_LIKE: case OP_NOT_LIKE: case OP_CONTAINS: case OP_NOT_CONTAINS:
    case OP_STARTS: case OP_NOT_STARTS:
      if (!is_text_like(l->type) || !is_text_like(r->type))
        diag_error(c->d, e->loc, "`%s` needs text on both sides, not %s and %s",
                   binop_text(e->op), type_name(c->a, l->type), type_name(c->a, r->type));
      e->type = type_basic(T_BOOL);
      return e;
    default:
      e->type = arith_type(c, e, l->type, r->type);
      return e;
  }
}

/* `x in [a, b]` and `x between a and b`: every operand is compared with x. */
static Expr *check_compared_list(Ctx *c, Scope *s, Expr *e) {
  e->left = check_expr(c, s, e->left);
  require_scalar(c, e->left);
  for (int i = 0; i < e->args.len; i++) {
    Expr *a = check_operand(c, s, e->args.items[i], e->left->type);
    e->args.items[i] = a;
    if (type_compatible(e->left->type, a->type)) continue;
    if (e->kind == E_IN)
      diag_error(c->d, a->loc, "list item is %s but `in` compares with %s",
                 type_name(c->a, a->type), type_name(c->a, e->left->type));
    else
      diag_error(c->d, a->loc, "cannot compare %s with %s", type_name(c->a, e->left->type),
                 type_name(c->a, a->type));
  }
  e->type = type_basic(T_BOOL);
  return e;
}

static Expr *check_unary(Ctx *c, Scope *s, Expr *e) {
  if (e->op == OP_NOT) {
    e->left = check_rule(c, s, e->left, "not");
    e->type = type_basic(T_BOOL);
    return e;
  }
  e->left = check_expr(c, s, e->left);
  Type *t = e->left->type;
  if (!type_is_numeric(t) && t->kind != T_DURATION) {
    diag_error(c->d, e->loc, "cannot negate %s", type_name(c->a, t));
    return e->type = err_type(), e;
  }
  e->type = t;
  return e;
}

static Expr *check_within(Ctx *c, Scope *s, Expr *e) {
  e->type = type_basic(T_BOOL);
  if (!in_feedback(s)) {
    diag_error(c->d, e->loc, "`%s within ...` is delivery feedback: only in retarget rules",
               e->name);
    return e->type = err_type(), e;
  }
  if (!is_feedback(e->name)) {
    names_unknown(c, e->loc, "delivery event", e->name, feedback_events, COUNT(feedback_events));
    return e->type = err_type(), e;
  }
  e->ref = REF_FEEDBACK;
  if (e->right->ival <= 0) diag_error(c->d, e->right->loc, "the window must be positive");
  return e;
}

Expr *check_expr(Ctx *c, Scope *s, Expr *e) {
  if (!e) return e;
  if (e->frozen && e->type) return e;
  switch (e->kind) {
    case E_INT: e->type = type_basic(T_INT); return e;
    case E_DEC: e->type = type_basic(T_DECIMAL); return e;
    case E_STR: e->type = e->ref == REF_ENUM && e->type ? e->type : type_basic(T_TEXT); return e;
    case E_BOOL: e->type = type_basic(T_BOOL); return e;
    case E_NULL: e->type = type_basic(T_NULL); return e;
    case E_DATE: e->type = type_basic(T_DATE); return e;
    case E_TIMESTAMP: e->type = type_basic(T_TIMESTAMP); return e;
    case E_DURATION: e->type = type_basic(T_DURATION); return e;
    case E_NAME: return check_name(c, s, e);
    case E_FIELD: return check_field(c, s, e);
    case E_CALL: return check_call(c, s, e);
    case E_UNARY: return check_unary(c, s, e);
    case E_BINARY: return check_binary(c, s, e);
    case E_IN:
    case E_BETWEEN: return check_compared_list(c, s, e);
    case E_ISNULL:
      e->left = check_expr(c, s, e->left);
      require_scalar(c, e->left);
      e->type = type_basic(T_BOOL);
      return e;
    case E_EXISTS: return check_exists(c, s, e);
    case E_LIST:
      diag_error(c->d, e->loc, "a list [...] can only follow `in`");
      return e->type = err_type(), e;
    case E_WITHIN: return check_within(c, s, e);
  }
  e->type = err_type();
  return e;
}

Expr *check_rule(Ctx *c, Scope *s, Expr *e, const char *what) {
  e = check_expr(c, s, e);
  TypeKind k = e->type->kind;
  if (k != T_BOOL && k != T_NULL && k != T_ERROR) {
    diag_error(c->d, e->loc, "%s needs a condition (bool), but this is %s", what,
               type_name(c->a, e->type));
    if (k == T_INT || k == T_DECIMAL) diag_hint(c->d, "compare it, e.g. `... > 0`");
  }
  return e;
}

void check_funcs(Ctx *c) {
  for (int i = 0; i < c->p->funcs.len; i++) {
    Decl *f = c->p->funcs.items[i];
    for (int k = 0; k < f->params.len; k++) {
      Param *prm = f->params.items[k];
      names_type(c, prm->type);
      for (int j = 0; j < k; j++)
        if (strcmp(((Param *)f->params.items[j])->name, prm->name) == 0)
          diag_error(c->d, prm->loc, "parameter `%s` is listed twice", prm->name);
    }
    Scope s;
    memset(&s, 0, sizeof s);
    s.func = f;
    if (f->kind == D_FILTER) {
      f->schema = names_schema(c, f->on_schema);
      if (!f->schema) {
        const char **cands = arena_alloc(c->a, sizeof(char *) * (size_t)(c->p->schemas.len + 1));
        for (int k = 0; k < c->p->schemas.len; k++)
          cands[k] = ((Schema *)c->p->schemas.items[k])->name;
        names_unknown(c, f->on_loc, "schema", f->on_schema, cands, c->p->schemas.len);
        continue;
      }
      s.schema = f->schema;
      /* Check a copy: checking rewrites nodes in place, and every use
       * inlines a fresh copy of the untouched body. */
      f->checking = 1;
      check_rule(c, &s, clone_expr(c, f->body, NULL, NULL), arena_printf(c->a, "filter `%s`", f->name));
      f->checking = 0;
    } else {
      f->ret_type = names_type(c, f->ret);
      f->checking = 1;
      Expr *body = check_expr(c, &s, clone_expr(c, f->body, NULL, NULL));
      f->checking = 0;
      if (!type_compatible(body->type, f->ret_type))
        diag_error(c->d, body->loc, "func `%s` returns %s but its body is %s", f->name,
                   type_name(c->a, f->ret_type), type_name(c->a, body->type));
    }
  }
}
