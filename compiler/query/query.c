/* query.c — hover and go-to-definition: which name of the AST is at a byte
 * offset (the "hit"), and what it means after checking. */
#include "compiler/query/query_int.h"

#include <stdio.h>
#include <string.h>

typedef enum {
  H_NONE,
  H_IMPORT,   /* import "path" */
  H_SCHEMA,   /* a schema's name, declared or referred to */
  H_FIELD,    /* a column declaration */
  H_STEP,     /* a step name: output or input */
  H_ENRICH,   /* the name of an enrich item */
  H_EXPR,     /* a name / path / call in an expression */
  H_FUNC,     /* a func / filter declaration's name */
} HitKind;

typedef struct Hit {
  HitKind kind;
  Loc loc;
  const char *name;
  Decl *decl;
  Decl *camp;
  Step *step;
  Expr *expr;
  EnrichItem *item;
  int size;   /* bytes of the best expression so far: smallest wins */
} Hit;

/* ------------------------------------------------------------ helpers */

int qi_in(Loc l, int file, int off) {
  return l.file == file && l.end_off > l.off && off >= l.off && off <= l.end_off;
}

Module *qi_module(Program *p, int file) {
  for (int i = 0; i < p->modules.len; i++) {
    Module *m = p->modules.items[i];
    if (m->file == file) return m;
  }
  return NULL;
}

Decl *qi_campaign_at(Program *p, int file, int off) {
  Module *m = qi_module(p, file);
  for (int i = 0; m && i < m->decls.len; i++) {
    Decl *d = m->decls.items[i];
    if (d->kind == D_CAMPAIGN && qi_in(d->loc, file, off)) return d;
  }
  return NULL;
}

Step *qi_step_at(Decl *camp, int off) {
  for (int i = 0; camp && i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (qi_in(s->loc, s->loc.file, off)) return s;
  }
  return NULL;
}

Step *qi_step_named(Decl *camp, const char *name, int *output) {
  for (int i = 0; camp && name && i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    for (int k = 0; k < s->outputs.len; k++)
      if (strcmp(s->outputs.items[k], name) == 0) {
        if (output) *output = k;
        return s;
      }
  }
  return NULL;
}

Pop *qi_output_pop(Decl *camp, const char *name) {
  int k = 0;
  Step *s = qi_step_named(camp, name, &k);
  return s && s->pops && k < s->npops ? s->pops[k] : NULL;
}

Pop *qi_step_scope(Decl *camp, Step *s) {
  if (s->inputs.len) return qi_output_pop(camp, ((StepInput *)s->inputs.items[0])->name);
  return s->pops && s->npops ? s->pops[0] : NULL;
}

Schema *qi_schema(Program *p, const char *name) {
  for (int i = 0; name && i < p->schemas.len; i++) {
    Schema *s = p->schemas.items[i];
    if (strcmp(s->name, name) == 0) return s;
  }
  return NULL;
}

static char *col_line(Program *p, char *acc, Column *c) {
  acc = arena_printf(&p->arena, "%s  %s %s%s%s", acc, c->name, type_name(&p->arena, c->type),
                     c->is_key ? " key" : "", c->link ? "" : "\n");
  if (c->link)
    acc = arena_printf(&p->arena, "%s -> %s   (link `%s`)\n", acc, c->link->name, c->link_name);
  return acc;
}

char *qi_schema_text(Program *p, Schema *s) {
  char *acc = arena_printf(&p->arena, "```camp\nschema %s {\n", s->name);
  for (int i = 0; i < s->columns.len; i++) acc = col_line(p, acc, s->columns.items[i]);
  for (int i = 0; i < s->collections.len; i++) {
    Collection *c = s->collections.items[i];
    acc = arena_printf(&p->arena, "%s  // collection %s: rows of %s\n", acc, c->name, c->child->name);
  }
  return arena_printf(&p->arena, "%s}\n```", acc);
}

char *qi_pop_text(Program *p, const char *title, Pop *pop) {
  const char *dim = pop->dim ? pop->dim->name : pop->external ? pop->external : "?";
  char *acc = arena_printf(&p->arena, "%s: population of `%s`, %d added column%s\n\n```camp\n",
                           title, dim, pop->added.len, pop->added.len == 1 ? "" : "s");
  for (int i = 0; pop->dim && i < pop->dim->columns.len; i++)
    acc = col_line(p, acc, pop->dim->columns.items[i]);
  for (int i = 0; i < pop->added.len; i++) {
    AddedCol *c = pop->added.items[i];
    acc = arena_printf(&p->arena, "%s  %s %s   // added\n", acc, c->name, type_name(&p->arena, c->type));
  }
  return arena_printf(&p->arena, "%s```", acc);
}

/* ------------------------------------------------------------ the hit */

static void set_hit(Hit *h, HitKind k, Loc loc, const char *name) {
  h->kind = k;
  h->loc = loc;
  h->name = name;
}

/* The smallest name, path or call around off in e and its children. */
static void hit_expr(Hit *h, int file, int off, Expr *e, int depth) {
  if (!e || depth > 2000) return;
  int size = e->loc.end_off - e->loc.off;
  if ((e->kind == E_NAME || e->kind == E_FIELD || e->kind == E_CALL) && qi_in(e->loc, file, off) &&
      (h->kind != H_EXPR || size < h->size)) {
    set_hit(h, H_EXPR, e->loc, e->name);
    h->expr = e;
    h->size = size;
  }
  hit_expr(h, file, off, e->left, depth + 1);
  hit_expr(h, file, off, e->right, depth + 1);
  hit_expr(h, file, off, e->where, depth + 1);
  for (int i = 0; i < e->args.len; i++) hit_expr(h, file, off, e->args.items[i], depth + 1);
}

static void hit_order(Hit *h, int file, int off, PtrVec *order) {
  for (int i = 0; i < order->len; i++)
    hit_expr(h, file, off, ((OrderItem *)order->items[i])->expr, 0);
}

static void hit_step_exprs(Hit *h, int file, int off, Step *s) {
  hit_expr(h, file, off, s->rule, 0);
  hit_expr(h, file, off, s->wait_for, 0);
  hit_expr(h, file, off, s->wait_until, 0);
  for (int i = 0; i < s->keys.len; i++) hit_expr(h, file, off, s->keys.items[i], 0);
  for (int i = 0; i < s->prefer.len; i++) hit_expr(h, file, off, s->prefer.items[i], 0);
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (qi_in(it->loc, file, off)) {
      set_hit(h, H_ENRICH, it->loc, it->name);
      h->item = it;
      return;
    }
    hit_expr(h, file, off, it->expr, 0);
    hit_expr(h, file, off, it->collection, 0);
    hit_expr(h, file, off, it->where, 0);
    hit_order(h, file, off, &it->order);
  }
  for (int i = 0; i < s->branches.len; i++) {
    SplitBranch *b = s->branches.items[i];
    hit_expr(h, file, off, b->rule, 0);
    hit_order(h, file, off, &b->order);
  }
}

static void hit_step(Hit *h, int file, int off, Decl *camp, Step *s) {
  h->camp = camp;
  h->step = s;
  for (int k = 0; k < s->outputs.len && k < s->output_locs.len; k++)
    if (qi_in(*(Loc *)s->output_locs.items[k], file, off))
      return set_hit(h, H_STEP, *(Loc *)s->output_locs.items[k], s->outputs.items[k]);
  for (int k = 0; k < s->inputs.len; k++) {
    StepInput *si = s->inputs.items[k];
    if (qi_in(si->loc, file, off)) return set_hit(h, H_STEP, si->loc, si->name);
  }
  if (s->source && qi_in(s->source_loc, file, off))
    return set_hit(h, qi_step_named(camp, s->source, NULL) ? H_STEP : H_SCHEMA, s->source_loc,
                   s->source);
  if (s->primary && qi_in(s->primary_loc, file, off))
    return set_hit(h, H_STEP, s->primary_loc, s->primary);
  hit_step_exprs(h, file, off, s);
}

static void hit_decl(Hit *h, int file, int off, Decl *d) {
  h->decl = d;
  if (d->kind == D_IMPORT) return set_hit(h, H_IMPORT, d->name_loc, d->name);
  if (qi_in(d->name_loc, file, off))
    return set_hit(h, d->kind == D_SCHEMA ? H_SCHEMA
                      : d->kind == D_CAMPAIGN || d->kind == D_PROVIDER || d->kind == D_DISTRIB ? H_NONE : H_FUNC,
                   d->name_loc, d->name);
  if (d->on_schema && qi_in(d->on_loc, file, off))
    return set_hit(h, H_SCHEMA, d->on_loc, d->on_schema);
  for (int i = 0; i < d->fields.len; i++) {
    FieldDecl *f = d->fields.items[i];
    if (qi_in(f->loc, file, off)) return set_hit(h, H_FIELD, f->loc, f->name);
    if (f->link_target && qi_in(f->link_loc, file, off))
      return set_hit(h, H_SCHEMA, f->link_loc, f->link_target);
  }
  hit_expr(h, file, off, d->body, 0);
  Step *s = d->kind == D_CAMPAIGN ? qi_step_at(d, off) : NULL;
  if (s) hit_step(h, file, off, d, s);
}

static Hit find_hit(Program *p, int file, int off) {
  Hit h;
  memset(&h, 0, sizeof h);
  Module *m = qi_module(p, file);
  for (int i = 0; m && i < m->decls.len; i++) {
    Decl *d = m->decls.items[i];
    if (qi_in(d->loc, file, off)) {
      hit_decl(&h, file, off, d);
      break;
    }
  }
  return h;
}

/* ------------------------------------------------------------ hover */

static Schema *decl_schema(Program *p, Decl *d, const char *name) {
  return d && d->kind == D_SCHEMA && d->schema ? d->schema : qi_schema(p, name);
}

static char *expr_hover(Program *p, Hit *h) {
  Expr *e = h->expr;
  Arena *a = &p->arena;
  const char *t = e->type ? type_name(a, e->type) : "?";
  const char *owner = e->schema ? e->schema->name : "?";
  switch (e->ref) {
    case REF_COLUMN: return arena_printf(a, "`%s`: **%s** (column of `%s`)", e->name, t, owner);
    case REF_ADDED: return arena_printf(a, "`%s`: **%s** (added column)", e->name, t);
    case REF_LINK:
      return arena_printf(a, "`%s`: link to `%s` (via `%s`)", e->name, owner, e->col ? e->col->name : "?");
    case REF_COLLECTION:
      return arena_printf(a, "`%s`: collection of `%s` rows (by `%s`)", e->name, owner,
                          e->col ? e->col->name : "?");
    case REF_ENUM: return arena_printf(a, "`%s`: label of **%s**", e->name, t);
    case REF_FEEDBACK: return arena_printf(a, "`%s`: delivery feedback event", e->name);
    default: break;
  }
  if (e->kind == E_CALL) return arena_printf(a, "`%s(...)`: **%s**", e->name, t);
  return e->type ? arena_printf(a, "`%s`: **%s**", e->name ? e->name : "expression", t) : NULL;
}

char *query_hover(Program *p, int file, int off, Loc *range) {
  Hit h = find_hit(p, file, off);
  *range = h.loc;
  Arena *a = &p->arena;
  switch (h.kind) {
    case H_STEP: {
      Pop *pop = qi_output_pop(h.camp, h.name);
      return pop ? qi_pop_text(p, arena_printf(a, "step `%s`", h.name), pop) : NULL;
    }
    case H_SCHEMA: {
      Schema *s = decl_schema(p, h.decl, h.name);
      return s ? qi_schema_text(p, s) : NULL;
    }
    case H_FIELD: {
      Column *c = h.decl->schema ? schema_column(h.decl->schema, h.name) : NULL;
      return c ? arena_printf(a, "`%s`: **%s** (column of `%s`)", c->name, type_name(a, c->type),
                              h.decl->name) : NULL;
    }
    case H_ENRICH:
      return h.item->type ? arena_printf(a, "`%s`: **%s** (added by `enrich`)", h.name,
                                         type_name(a, h.item->type)) : NULL;
    case H_EXPR: return expr_hover(p, &h);
    case H_FUNC:
      return arena_printf(a, "%s `%s`%s%s", h.decl->kind == D_FUNC ? "func" : "filter", h.name,
                          h.decl->ret_type ? ": " : "",
                          h.decl->ret_type ? type_name(a, h.decl->ret_type) : "");
    case H_IMPORT: return arena_printf(a, "import `%s`", h.name);
    default: return NULL;
  }
}

/* ------------------------------------------------------------ definition */

static int import_target(Program *p, Hit *h, const char **path) {
  if (strncmp(h->name, "std/", 4) == 0) return 0;  /* embedded: no file to open */
  const char *from = diags_file(&p->diags, h->decl->name_loc.file)->path;
  size_t n = strlen(h->name);
  const char *name = n > 5 && strcmp(h->name + n - 5, ".camp") == 0
                         ? h->name : arena_printf(&p->arena, "%s.camp", h->name);
  char out[4096];
  if (program_find_file(from, name, 0, out, sizeof out) != 0) return 0;
  *path = arena_strdup(&p->arena, out);
  return 1;
}

/* The declaration an expression's name resolved to. */
static int expr_target(Hit *h, Loc *target) {
  Expr *e = h->expr;
  if ((e->ref == REF_COLUMN || e->ref == REF_LINK || e->ref == REF_COLLECTION) && e->col) {
    *target = e->col->loc;
    return 1;
  }
  if (e->ref == REF_ADDED && h->step) {
    AddedCol *ac = pop_added(qi_step_scope(h->camp, h->step), e->name);
    if (ac) *target = ac->loc;
    return ac != NULL;
  }
  if (e->callee) {
    *target = e->callee->name_loc;
    return 1;
  }
  return 0;
}

int query_definition(Program *p, int file, int off, const char **path, Loc *target) {
  Hit h = find_hit(p, file, off);
  memset(target, 0, sizeof *target);
  int ok = 0;
  switch (h.kind) {
    case H_IMPORT: return import_target(p, &h, path);
    case H_STEP: {
      int k = 0;
      Step *s = qi_step_named(h.camp, h.name, &k);
      if (s && k < s->output_locs.len) *target = *(Loc *)s->output_locs.items[k];
      ok = s != NULL;
      break;
    }
    case H_SCHEMA: {
      Schema *s = decl_schema(p, h.decl, h.name);
      if (s && s->decl) *target = s->decl->name_loc;
      ok = s && s->decl;
      break;
    }
    case H_FIELD: case H_FUNC: case H_ENRICH: *target = h.loc; ok = 1; break;
    case H_EXPR: ok = expr_target(&h, target); break;
    default: break;
  }
  if (!ok || target->file < 0 || target->file >= p->diags.nfiles) return 0;
  *path = diags_file(&p->diags, target->file)->path;
  return strncmp(*path, "<stdlib>", 8) != 0;
}
