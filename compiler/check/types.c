/* types.c — value types, and look-ups in schemas and populations. */
#include "compiler/check/types.h"

#include <string.h>

static Type basic[] = {
    {T_ERROR, {0}, NULL},   {T_NULL, {0}, NULL},    {T_BOOL, {0}, NULL},
    {T_INT, {0}, NULL},     {T_DECIMAL, {0}, NULL}, {T_TEXT, {0}, NULL},
    {T_DATE, {0}, NULL},    {T_TIMESTAMP, {0}, NULL}, {T_DURATION, {0}, NULL},
};

Type *type_basic(TypeKind k) {
  for (size_t i = 0; i < sizeof basic / sizeof basic[0]; i++)
    if (basic[i].kind == k) return &basic[i];
  return &basic[0];
}

Type *type_enum(Arena *a, PtrVec labels) {
  Type *t = arena_alloc(a, sizeof *t);
  t->kind = T_ENUM;
  t->labels = labels;
  return t;
}

Type *type_of_schema(Arena *a, TypeKind k, Schema *s) {
  Type *t = arena_alloc(a, sizeof *t);
  t->kind = k;
  t->schema = s;
  return t;
}

Type *type_from_name(const char *name) {
  static const struct {
    const char *name;
    TypeKind kind;
  } names[] = {{"int", T_INT},         {"decimal", T_DECIMAL},
               {"text", T_TEXT},       {"bool", T_BOOL},
               {"date", T_DATE},       {"timestamp", T_TIMESTAMP},
               {"duration", T_DURATION}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i].name, name) == 0) return type_basic(names[i].kind);
  return NULL;
}

const char *type_name(Arena *a, const Type *t) {
  if (!t) return "?";
  switch (t->kind) {
    case T_ERROR: return "<error>";
    case T_NULL: return "null";
    case T_BOOL: return "bool";
    case T_INT: return "int";
    case T_DECIMAL: return "decimal";
    case T_TEXT: return "text";
    case T_DATE: return "date";
    case T_TIMESTAMP: return "timestamp";
    case T_DURATION: return "duration";
    case T_ENUM: {
      char *s = "enum(";
      for (int i = 0; i < t->labels.len; i++)
        s = arena_printf(a, "%s%s%s", s, i ? ", " : "", (char *)t->labels.items[i]);
      return arena_printf(a, "%s)", s);
    }
    case T_ROWS: return arena_printf(a, "rows(%s)", t->schema ? t->schema->name : "?");
    case T_COLLECTION:
      return arena_printf(a, "collection(%s)", t->schema ? t->schema->name : "?");
    case T_LINK: return arena_printf(a, "link(%s)", t->schema ? t->schema->name : "?");
  }
  return "?";
}

int type_is_numeric(const Type *t) {
  return t->kind == T_INT || t->kind == T_DECIMAL || t->kind == T_NULL ||
         t->kind == T_ERROR;
}

int type_is_temporal(const Type *t) {
  return t->kind == T_DATE || t->kind == T_TIMESTAMP;
}

static int same_labels(const Type *a, const Type *b) {
  if (a->labels.len != b->labels.len) return 0;
  for (int i = 0; i < a->labels.len; i++)
    if (strcmp(a->labels.items[i], b->labels.items[i]) != 0) return 0;
  return 1;
}

int type_compatible(const Type *a, const Type *b) {
  if (a->kind == T_ERROR || b->kind == T_ERROR) return 1;
  if (a->kind == T_NULL || b->kind == T_NULL) return 1;
  if (type_is_numeric(a) && type_is_numeric(b)) return 1;
  if (type_is_temporal(a) && type_is_temporal(b)) return 1;
  if (a->kind == T_ENUM && b->kind == T_ENUM) return same_labels(a, b);
  if ((a->kind == T_ENUM && b->kind == T_TEXT) || (a->kind == T_TEXT && b->kind == T_ENUM))
    return 1;
  return a->kind == b->kind;
}

Column *schema_column(const Schema *s, const char *name) {
  if (!s) return NULL;
  for (int i = 0; i < s->columns.len; i++) {
    Column *c = s->columns.items[i];
    if (strcmp(c->name, name) == 0) return c;
  }
  return NULL;
}

Column *schema_link(const Schema *s, const char *link_name) {
  if (!s) return NULL;
  for (int i = 0; i < s->columns.len; i++) {
    Column *c = s->columns.items[i];
    if (c->link && strcmp(c->link_name, link_name) == 0) return c;
  }
  return NULL;
}

Collection *schema_collection(const Schema *s, const char *name) {
  if (!s) return NULL;
  for (int i = 0; i < s->collections.len; i++) {
    Collection *c = s->collections.items[i];
    if (strcmp(c->name, name) == 0) return c;
  }
  return NULL;
}

AddedCol *pop_added(const Pop *p, const char *name) {
  if (!p) return NULL;
  for (int i = 0; i < p->added.len; i++) {
    AddedCol *c = p->added.items[i];
    if (strcmp(c->name, name) == 0) return c;
  }
  return NULL;
}

Column *schema_address(const Schema *s, const char *channel) {
  if (!s) return NULL;
  for (int i = 0; i < s->columns.len; i++) {
    Column *c = s->columns.items[i];
    if (c->address && strcmp(c->address, channel) == 0) return c;
  }
  return NULL;
}
