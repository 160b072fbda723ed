/* check_expr_int.h — internals shared by check_expr.c (names, operators,
 * inlining) and check_call.c (functions, aggregates, exists). */
#ifndef CAMP_CHECK_EXPR_INT_H
#define CAMP_CHECK_EXPR_INT_H

#include "compiler/check/check.h"

/* The type of an ill-typed expression (errors already reported). */
static inline Type *err_type(void) { return type_basic(T_ERROR); }

/* check_expr.c */
/* Scope for the rows of collection schema `child` inside outer. */
Scope child_scope(Scope *outer, Schema *child);
/* Replaces call e of user func/filter f by its body, checked in s. */
Expr *inline_call(Ctx *c, Scope *s, Expr *e, Decl *f);
/* Looks e's name up in one scope level; 1 (e annotated) if found. */
int lookup_level(Ctx *c, Scope *k, Expr *e);

/* check_call.c */
Expr *check_call(Ctx *c, Scope *s, Expr *e);
Expr *check_aggregate(Ctx *c, Scope *s, Expr *e);
Expr *check_exists(Ctx *c, Scope *s, Expr *e);

#endif
