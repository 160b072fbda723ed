/* names.c — declarations: schemas (columns, keys, links, collections) and
 * the table of funcs/filters, with did-you-mean on unknown names. */
#include <string.h>

#include "compiler/check/check.h"

void names_unknown(Ctx *c, Loc loc, const char *what, const char *name,
                   const char *const *cands, int n) {
  diag_error(c->d, loc, "unknown %s `%s`", what, name);
  const char *best = diag_closest(name, cands, n);
  if (best) diag_hint(c->d, "did you mean `%s`?", best);
}

Schema *names_schema(Ctx *c, const char *name) {
  for (int i = 0; i < c->p->schemas.len; i++) {
    Schema *s = c->p->schemas.items[i];
    if (strcmp(s->name, name) == 0) return s;
  }
  return NULL;
}

Decl *names_func(Ctx *c, const char *name) {
  for (int i = 0; i < c->p->funcs.len; i++) {
    Decl *f = c->p->funcs.items[i];
    if (strcmp(f->name, name) == 0) return f;
  }
  return NULL;
}

static const char *const type_names[] = {"int",  "decimal", "text",    "bool",
                                         "date", "timestamp", "duration"};

Type *names_type(Ctx *c, TypeRef *t) {
  if (!t) return type_basic(T_ERROR);
  if (strcmp(t->name, "enum") == 0) {
    if (t->labels.len == 0) {
      diag_error(c->d, t->loc, "an enum needs at least one label");
      return type_basic(T_ERROR);
    }
    for (int i = 0; i < t->labels.len; i++)
      for (int j = 0; j < i; j++)
        if (strcmp(t->labels.items[i], t->labels.items[j]) == 0)
          diag_error(c->d, t->loc, "enum label `%s` is listed twice",
                     (char *)t->labels.items[i]);
    return type_enum(c->a, t->labels);
  }
  Type *ty = type_from_name(t->name);
  if (ty) return ty;
  names_unknown(c, t->loc, "type", t->name, type_names,
                (int)(sizeof type_names / sizeof type_names[0]));
  return type_basic(T_ERROR);
}

/* `store_id` is navigable as `store`; other link columns keep their name. */
static char *link_name(Arena *a, const char *col) {
  size_t n = strlen(col);
  if (n > 3 && strcmp(col + n - 3, "_id") == 0) return arena_strndup(a, col, n - 3);
  if (n > 4 && strcmp(col + n - 4, "_key") == 0) return arena_strndup(a, col, n - 4);
  return arena_strdup(a, col);
}

static const char *const channels[] = {"email", "sms", "push"};

static void build_column(Ctx *c, Schema *s, FieldDecl *f) {
  Column *prev = schema_column(s, f->name);
  if (prev) {
    diag_error(c->d, f->loc, "column `%s` is declared twice in schema `%s`", f->name,
               s->name);
    return;
  }
  Column *col = arena_alloc(c->a, sizeof *col);
  col->name = f->name;
  col->loc = f->loc;
  col->owner = s;
  col->type = names_type(c, f->type);
  col->is_key = f->is_key;
  col->is_unique = f->is_unique || f->is_key;
  col->is_version = f->is_version;
  col->default_value = f->default_value;
  if (f->is_key) {
    if (s->key)
      diag_error(c->d, f->loc, "schema `%s` has two keys (`%s` and `%s`)", s->name,
                 s->key->name, f->name);
    else
      s->key = col;
  }
  if (f->address) {
    int ok = 0;
    for (size_t i = 0; i < 3; i++) ok |= strcmp(channels[i], f->address) == 0;
    if (!ok) {
      names_unknown(c, f->address_loc, "channel", f->address, channels, 3);
    } else if (schema_address(s, f->address)) {
      diag_error(c->d, f->address_loc, "schema `%s` already has an address(%s) column",
                 s->name, f->address);
    } else if (col->type->kind != T_TEXT && col->type->kind != T_ERROR) {
      diag_error(c->d, f->address_loc, "an address column must be text, not %s",
                 type_name(c->a, col->type));
    }
    col->address = f->address;
  }
  if (f->is_version && col->type->kind != T_TIMESTAMP && col->type->kind != T_INT &&
      col->type->kind != T_ERROR)
    diag_error(c->d, f->loc, "a version column must be a timestamp or an int");
  if (f->is_version) {
    for (int i = 0; i < s->columns.len; i++)
      if (((Column *)s->columns.items[i])->is_version) {
        diag_error(c->d, f->loc, "schema `%s` already has a version column (`%s`)", s->name,
                   ((Column *)s->columns.items[i])->name);
        break;
      }
  }
  if (f->link_target) col->link_name = link_name(c->a, f->name);
  vec_push(c->a, &s->columns, col);
}

/* Links need every schema declared first (they may point forward). */
static void resolve_links(Ctx *c, Schema *s) {
  for (int i = 0; i < s->decl->fields.len; i++) {
    FieldDecl *f = s->decl->fields.items[i];
    if (!f->link_target) continue;
    Column *col = schema_column(s, f->name);
    if (!col || col->owner != s || col->loc.off != f->loc.off) continue;
    Schema *t = names_schema(c, f->link_target);
    if (!t) {
      const char **cands = arena_alloc(c->a, sizeof(char *) * (size_t)(c->p->schemas.len + 1));
      for (int k = 0; k < c->p->schemas.len; k++)
        cands[k] = ((Schema *)c->p->schemas.items[k])->name;
      names_unknown(c, f->link_loc, "schema", f->link_target, cands, c->p->schemas.len);
      continue;
    }
    if (!t->key) {
      diag_error(c->d, f->link_loc, "schema `%s` has no key, so `%s` cannot link to it",
                 t->name, f->name);
      continue;
    }
    if (!type_compatible(col->type, t->key->type) || col->type->kind == T_ENUM) {
      diag_error(c->d, f->loc, "link `%s` is %s but the key of `%s` is %s", f->name,
                 type_name(c->a, col->type), t->name, type_name(c->a, t->key->type));
    }
    Column *clash = schema_column(s, col->link_name);
    if (clash && clash != col) {
      diag_error(c->d, f->loc, "link name `%s` of `%s` clashes with column `%s`",
                 col->link_name, f->name, clash->name);
      continue;
    }
    col->link = t;
  }
}

/* customers.purchases: one collection per child link; two links from the
 * same child to the same parent are told apart as child_by_link. */
static void build_collections(Ctx *c) {
  for (int i = 0; i < c->p->schemas.len; i++) {
    Schema *child = c->p->schemas.items[i];
    for (int k = 0; k < child->columns.len; k++) {
      Column *fk = child->columns.items[k];
      if (!fk->link) continue;
      Schema *parent = fk->link;
      int nlinks = 0;
      for (int j = 0; j < child->columns.len; j++) {
        Column *o = child->columns.items[j];
        nlinks += o->link == parent;
      }
      Collection *coll = arena_alloc(c->a, sizeof *coll);
      coll->child = child;
      coll->fk = fk;
      coll->name = nlinks > 1 ? arena_printf(c->a, "%s_by_%s", child->name, fk->link_name)
                              : child->name;
      if (schema_column(parent, coll->name) || schema_link(parent, coll->name)) continue;
      vec_push(c->a, &parent->collections, coll);
    }
  }
}

void names_build_schemas(Ctx *c) {
  for (int m = 0; m < c->p->modules.len; m++) {
    Module *mod = c->p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++) {
      Decl *d = mod->decls.items[i];
      if (d->kind == D_CAMPAIGN) {
        vec_push(c->a, &c->p->campaigns, d);
        continue;
      }
      if (d->kind != D_SCHEMA) continue;
      Schema *prev = names_schema(c, d->name);
      if (prev) {
        diag_error(c->d, d->name_loc, "schema `%s` is declared twice", d->name);
        diag_note(c->d, prev->loc, "first declared here");
        continue;
      }
      Schema *s = arena_alloc(c->a, sizeof *s);
      s->name = d->name;
      s->loc = d->name_loc;
      s->decl = d;
      d->schema = s;
      for (int k = 0; k < d->fields.len; k++) build_column(c, s, d->fields.items[k]);
      vec_push(c->a, &c->p->schemas, s);
    }
  }
  for (int i = 0; i < c->p->schemas.len; i++) resolve_links(c, c->p->schemas.items[i]);
  build_collections(c);
  for (int i = 0; i < c->p->campaigns.len; i++)
    for (int j = 0; j < i; j++) {
      Decl *a = c->p->campaigns.items[i], *b = c->p->campaigns.items[j];
      if (strcmp(a->name, b->name) == 0) {
        diag_error(c->d, a->name_loc, "campaign `%s` is declared twice", a->name);
        diag_note(c->d, b->name_loc, "first declared here");
      }
    }
}

void names_collect_funcs(Ctx *c) {
  for (int m = 0; m < c->p->modules.len; m++) {
    Module *mod = c->p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++) {
      Decl *d = mod->decls.items[i];
      if (d->kind != D_FUNC && d->kind != D_FILTER) continue;
      Decl *prev = names_func(c, d->name);
      if (prev) {
        diag_error(c->d, d->name_loc, "`%s` is declared twice", d->name);
        diag_note(c->d, prev->name_loc, "first declared here");
        continue;
      }
      vec_push(c->a, &c->p->funcs, d);
    }
  }
}
