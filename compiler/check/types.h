/* types.h — the typed model the checker builds from the AST: value types,
 * schemas (tables with keys and links) and populations (a dimension plus
 * added columns), the data every later stage (SQL, runtime) reads. */
#ifndef CAMP_TYPES_H
#define CAMP_TYPES_H

#include "lang/ast.h"

typedef enum {
  T_ERROR,     /* already reported: suppresses follow-on errors */
  T_NULL,      /* the literal null: fits every type */
  T_BOOL,
  T_INT,
  T_DECIMAL,
  T_TEXT,
  T_DATE,
  T_TIMESTAMP,
  T_DURATION,
  T_ENUM,      /* labels */
  T_ROWS,      /* collected rows of a schema (first N ...): schema */
  T_COLLECTION,/* one-to-many collection (only inside exists/aggregates) */
  T_LINK,      /* many-to-one link (only as prefix of a path) */
} TypeKind;

typedef struct Type {
  TypeKind kind;
  PtrVec labels;          /* T_ENUM: char* */
  struct Schema *schema;  /* T_ROWS, T_COLLECTION, T_LINK: target schema */
} Type;

typedef struct Column {
  char *name;
  Type *type;
  Loc loc;
  int is_key, is_unique, is_version;
  char *address;           /* channel this column addresses, or NULL */
  Expr *default_value;
  struct Schema *link;     /* many-to-one target, or NULL */
  char *link_name;         /* navigable name: `store` for store_id */
  struct Schema *owner;
} Column;

/* One-to-many: child rows of `child` whose `fk` points at this schema. */
typedef struct Collection {
  char *name;              /* purchases */
  struct Schema *child;
  Column *fk;
} Collection;

typedef struct Schema {
  char *name;
  Loc loc;
  PtrVec columns;          /* Column* in declaration order */
  Column *key;             /* NULL if the schema has no key */
  PtrVec collections;      /* Collection* */
  Decl *decl;
} Schema;

/* An added (enriched, reconciled) column of a population. */
typedef struct AddedCol {
  char *name;
  Type *type;
  Loc loc;
} AddedCol;

/* A population: rows of `dim` identified by its key, plus added columns.
 * For the unmatched rows of a reconcile, dim is NULL and `external` names
 * the imported file: rows are identified by their line number. */
typedef struct Pop {
  Schema *dim;
  PtrVec added;            /* AddedCol* */
  char *table;             /* SQL table holding the step's rows */
  char *step_name;         /* output name */
  Step *step;
  int output;              /* which output of the step */
  char *external;          /* reconcile unmatched: file */
} Pop;

/* Singletons for scalar types; enum/rows types are allocated. */
Type *type_basic(TypeKind k);
Type *type_enum(Arena *a, PtrVec labels);
Type *type_of_schema(Arena *a, TypeKind k, Schema *s);
/* Name for messages: "int", "enum(bronze, silver, gold)", "rows(purchases)". */
const char *type_name(Arena *a, const Type *t);
/* Same type, or null on either side, or an enum vs text comparison. */
int type_compatible(const Type *a, const Type *b);
int type_is_numeric(const Type *t);
int type_is_temporal(const Type *t);
/* Parses a type name (`int`, `text` ...); NULL if unknown. */
Type *type_from_name(const char *name);

Column *schema_column(const Schema *s, const char *name);
Column *schema_link(const Schema *s, const char *link_name);
Collection *schema_collection(const Schema *s, const char *name);
AddedCol *pop_added(const Pop *p, const char *name);
/* The column of dim that addresses channel ch ("email", "sms", "push"). */
Column *schema_address(const Schema *s, const char *channel);

#endif
