/* diag.h — diagnostics: collected during every stage, printed at the end as
 * GNU `file:line:col: error: message` with source line and caret, or as JSON.
 * Stages never print directly; they report here so a run shows all errors. */
#ifndef CAMP_DIAG_H
#define CAMP_DIAG_H

#include <stdio.h>

#include "lang/arena.h"

/* A source file loaded into memory; files live for the whole compilation. */
typedef struct SourceFile {
  char *path;   /* as given or resolved, used in messages */
  char *text;   /* NUL-terminated contents */
  size_t len;
  int *line_starts; /* byte offset of each line start */
  int nlines;
} SourceFile;

/* Position range in a source file: 1-based lines and columns (columns count
 * bytes), plus byte offsets. file is an index into the SourceSet. */
typedef struct Loc {
  int file;
  int line, col, end_line, end_col;
  int off, end_off;
} Loc;

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

typedef struct Diag {
  DiagLevel level;
  Loc loc;
  char *message;
  char *hint; /* may be NULL */
} Diag;

typedef struct Diags {
  Arena *arena;
  SourceFile **files;
  int nfiles, capfiles;
  Diag *items;
  int len, cap;
  int nerrors;
} Diags;

void diags_init(Diags *d, Arena *a);
void diags_free(Diags *d);
/* Loads a file; returns its index or -1 (and reports nothing: caller does). */
int diags_load_file(Diags *d, const char *path);
/* Registers an in-memory source (stdlib, tests); returns its index. */
int diags_add_source(Diags *d, const char *path, const char *text, size_t len);
const SourceFile *diags_file(const Diags *d, int file);

void diag_error(Diags *d, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(Diags *d, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(Diags *d, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attaches a hint to the most recent diagnostic. */
void diag_hint(Diags *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Did-you-mean: returns the candidate closest to name by edit distance if it
 * is close enough to be a plausible typo, else NULL. */
const char *diag_closest(const char *name, const char *const *cands, int n);

/* Diagnostics sorted by file, then position, with exact duplicates removed. */
void diags_sort(Diags *d);
/* Prints in GNU format; colour when use_color.  At most 50 errors and
 * warnings, then one line counting the others. */
void diags_print_text(const Diags *d, FILE *out, int use_color);
/* Prints a JSON array of diagnostics (one object per diagnostic). */
void diags_print_json(const Diags *d, FILE *out);

#endif
