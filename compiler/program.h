/* program.h — one compilation: the files given on the command line, their
 * imports (the embedded standard library included), and the checked model.
 * Pipeline: program_load (parse + imports) -> program_check (names, types,
 * step graph) -> consumers (sql, fmt, runtime). */
#ifndef CAMP_PROGRAM_H
#define CAMP_PROGRAM_H

#include "ast.h"
#include "types.h"

typedef struct Program {
  Arena arena;
  Diags diags;
  PtrVec modules;    /* Module* in load order (imports before importers) */
  PtrVec roots;      /* Module* given on the command line */
  PtrVec schemas;    /* Schema* */
  PtrVec campaigns;  /* Decl* (D_CAMPAIGN) */
  PtrVec funcs;      /* Decl* (D_FUNC, D_FILTER) */
  PtrVec include_dirs; /* char*: extra import search paths */
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

#endif
