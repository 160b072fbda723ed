/* program.h — one compilation: the files given on the command line, their
 * imports (the embedded standard library included), and the checked model.
 * Pipeline: program_load (parse + imports) -> program_check (names, types,
 * step graph) -> consumers (sql, fmt, runtime). */
#ifndef CAMP_PROGRAM_H
#define CAMP_PROGRAM_H

#include "lang/ast.h"
#include "compiler/check/types.h"

typedef struct Program {
  Arena arena;
  Diags diags;
  PtrVec modules;    /* Module* in load order (imports before importers) */
  PtrVec roots;      /* Module* given on the command line */
  PtrVec schemas;    /* Schema* */
  PtrVec campaigns;  /* Decl* (D_CAMPAIGN) */
  PtrVec funcs;      /* Decl* (D_FUNC, D_FILTER) */
  PtrVec include_dirs; /* char*: extra import search paths */
  PtrVec providers;  /* Decl* (D_PROVIDER), see compiler/check/provider.h */
  struct MopsModel *mops; /* marketing operations (compiler/check/mops.h) */
  struct DistModel *distrib; /* entities and packages (compiler/check/distrib.h) */
  int checked;
} Program;

Program *program_new(void);
void program_free(Program *p);
/* Parses path and, recursively, everything it imports.  Returns 0 when the
 * file itself could be read (errors inside it are in p->diags). */
int program_load(Program *p, const char *path);
/* Parses an in-memory source as if it were a file (tests, LSP). */
int program_load_text(Program *p, const char *path, const char *text);
/* Resolves names and types of everything loaded; errors go to p->diags. */
void program_check(Program *p);
/* Finds a campaign by name, or the only campaign of the root files when name
 * is NULL.  Reports an error and returns NULL otherwise. */
Decl *program_campaign(Program *p, const char *name);

/* The campaign's `seed` header (0 when it has none). */
int64_t program_seed(const Decl *campaign);

/* Resolves a file named in a campaign (template, CSV, extraction file)
 * written in source file `from`: relative names are looked up in from's
 * directory, then its parents, like imports.  For an input the file must
 * exist; for an output (output=1) its directory must.  Falls back to from's
 * directory.  Writes the path to out; returns 0 if found, -1 if not. */
int program_find_file(const char *from, const char *name, int output, char *out, size_t outlen);

/* Resolves a personalization name (`first_name`, `store.city`) against
 * population pop after checking; NULL if it names no column there. */
Expr *program_placeholder(Program *p, Pop *pop, const char *name);
/* Every schema a checked campaign reads (dimensions, links, collections),
 * without duplicates, in first-use order. */
void program_schemas_used(Program *p, Decl *campaign, PtrVec *out);

#endif
