/* format.h — `camp fmt`: the canonical layout of a .camp file.
 * The layout rules are documented at the top of lang/format.c. */
#ifndef CAMP_FORMAT_H
#define CAMP_FORMAT_H

#include "lang/ast.h"

/* Renders module m (parsed from src without syntax errors) in the canonical
 * layout, every comment of m->comments kept exactly once.  Returns a
 * malloc'd NUL-terminated string the caller frees; aborts on OOM. */
char *format_module(const Module *m, const SourceFile *src);

/* Expression e (as parsed, before checking) in the canonical layout on
 * one line, e.g. a declared segment's criterion as camp keeps it.  A
 * malloc'd string the caller frees. */
char *format_expr_text(const Expr *e);

#endif
