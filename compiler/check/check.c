/* check.c — program_check: the order of the checker's passes. */
#include <string.h>

#include "compiler/check/check.h"

void program_check(Program *p) {
  if (p->checked) return;
  p->checked = 1;
  Ctx c = {.p = p, .a = &p->arena, .d = &p->diags};
  names_build_schemas(&c);   /* schemas first: everything refers to them */
  names_collect_funcs(&c);
  check_funcs(&c);
  check_policy(&c);
  check_providers(&c);
  check_distrib_model(&c);   /* entities before the steps that name them */
  for (int i = 0; i < p->campaigns.len; i++) {
    check_campaign(&c, p->campaigns.items[i]);
    check_channel_providers(&c, p->campaigns.items[i]);
    check_ops(&c, p->campaigns.items[i]);
  }
  check_mops(&c);  /* after check_ops: tasks start at the campaign's start_date */
  /* A file given on the command line that declares nothing checks, but
   * plan/run/sql would stop at "no campaign": say so here already. */
  for (int i = 0; i < p->roots.len && !p->diags.nerrors; i++) {
    Module *m = p->roots.items[i];
    if (m->decls.len) continue;
    Loc none = {.file = m->file};
    diag_warning(&p->diags, none, "nothing is declared in this file (no schema, campaign, func or filter)");
    diag_hint(&p->diags, "`camp plan`, `camp run` and `camp sql` need a campaign");
  }
}

Expr *program_placeholder(Program *p, Pop *pop, const char *name) {
  Ctx c = {.p = p, .a = &p->arena, .d = &p->diags};
  Expr *e = NULL;
  const char *rest = name, *dot;
  while ((dot = strchr(rest, '.'))) {
    Expr *f = expr_new(c.a, e ? E_FIELD : E_NAME, (Loc){0});
    f->name = arena_strndup(c.a, rest, (size_t)(dot - rest));
    f->left = e;
    e = f;
    rest = dot + 1;
  }
  Expr *last = expr_new(c.a, e ? E_FIELD : E_NAME, (Loc){0});
  last->name = arena_strdup(c.a, rest);
  last->left = e;
  /* Resolution errors are expected for names inside {{#rows}} sections:
   * report nothing, just say no. */
  int len = p->diags.len, nerr = p->diags.nerrors;
  Scope s = scope_of_pop(pop);
  Expr *r = check_expr(&c, &s, last);
  int failed = p->diags.nerrors != nerr;
  p->diags.len = len;
  p->diags.nerrors = nerr;
  if (failed || !r->type || r->type->kind == T_COLLECTION || r->type->kind == T_LINK) return NULL;
  return r;
}

static void add_schema(Program *p, PtrVec *out, Schema *s) {
  if (!s) return;
  for (int i = 0; i < out->len; i++)
    if (out->items[i] == s) return;
  vec_push(&p->arena, out, s);
}

static void expr_schemas(Program *p, PtrVec *out, Expr *e) {
  if (!e) return;
  if (e->col) add_schema(p, out, e->col->owner);
  if (e->ref == REF_LINK || e->ref == REF_COLLECTION) add_schema(p, out, e->schema);
  expr_schemas(p, out, e->left);
  expr_schemas(p, out, e->right);
  expr_schemas(p, out, e->where);
  for (int i = 0; i < e->args.len; i++) expr_schemas(p, out, e->args.items[i]);
}

void program_schemas_used(Program *p, Decl *campaign, PtrVec *out) {
  for (int i = 0; i < campaign->steps.len; i++) {
    Step *s = campaign->steps.items[i];
    for (int k = 0; k < s->npops; k++) add_schema(p, out, s->pops[k] ? s->pops[k]->dim : NULL);
    expr_schemas(p, out, s->rule);
    for (int k = 0; k < s->keys.len; k++) expr_schemas(p, out, s->keys.items[k]);
    for (int k = 0; k < s->prefer.len; k++) expr_schemas(p, out, s->prefer.items[k]);
    for (int k = 0; k < s->enrich.len; k++) {
      EnrichItem *it = s->enrich.items[k];
      expr_schemas(p, out, it->expr);
      expr_schemas(p, out, it->collection);
      expr_schemas(p, out, it->where);
      if (it->collection) add_schema(p, out, it->collection->schema);
      for (int j = 0; j < it->order.len; j++) expr_schemas(p, out, ((OrderItem *)it->order.items[j])->expr);
    }
    for (int k = 0; k < s->branches.len; k++) {
      SplitBranch *b = s->branches.items[k];
      expr_schemas(p, out, b->rule);
      for (int j = 0; j < b->order.len; j++) expr_schemas(p, out, ((OrderItem *)b->order.items[j])->expr);
    }
  }
}
