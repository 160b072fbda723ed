/* query.h — editor queries over a checked Program: what is at a position of
 * a source file, what may be typed there, where a name is defined.  The
 * language server (cli/lsp_*.c) answers completion, hover and go-to-
 * definition with these.  Positions are byte offsets into the file's text
 * (diags_file(&p->diags, file)->text); the caller converts from LSP's
 * line/UTF-16 positions.  Every result lives in p's arena (or, for
 * completion items taken from the fallback program, in that one's). */
#ifndef CAMP_QUERY_H
#define CAMP_QUERY_H

#include "compiler/check/program.h"

typedef enum {
  QC_COLUMN,     /* dimension column */
  QC_ADDED,      /* enriched / reconciled column of the population */
  QC_LINK,       /* many-to-one link: `store` (then `store.`) */
  QC_COLLECTION, /* one-to-many collection */
  QC_STEP,       /* step output name of the campaign */
  QC_SCHEMA,
  QC_FUNC,       /* func / filter / built-in function */
  QC_KEYWORD,
} QueryCompKind;

typedef struct QueryItem {
  const char *label;
  const char *detail;  /* type or short description; may be NULL */
  QueryCompKind kind;
} QueryItem;

/* Completion candidates at byte offset off of `file` in the checked program
 * p.  The population in scope is the one the step around the cursor reads;
 * when that step did not parse or resolve (the user is typing), it is found
 * from the statement's text and looked up in p, then in `fallback` (an older
 * checked program of the same document, may be NULL).  After `a.b.` only the
 * columns, links and collections of the schema that path reaches are
 * offered; otherwise also step names, schemas, functions and keywords.
 * Appends QueryItem* to out (allocated in p's arena); duplicates removed. */
void query_complete(Program *p, int file, int off, Program *fallback, PtrVec *out);

/* Hover text (Markdown) for the name at byte offset off of `file`: a
 * column's type, a step's population (dimension + added columns with their
 * types), a schema's columns.  Sets *range to the hovered name.  Returns
 * NULL when there is nothing to say. */
char *query_hover(Program *p, int file, int off, Loc *range);

/* Where the name at off is defined: a step output, a schema, a column, a
 * func, or (for an import) the imported file.  On success sets *path to the
 * file (for imports: the resolved path, *target zeroed) and *target to the
 * definition's location, and returns 1; returns 0 when off names nothing
 * with a definition on disk (e.g. the embedded standard library). */
int query_definition(Program *p, int file, int off, const char **path, Loc *target);

#endif
