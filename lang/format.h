/* format.h — `camp fmt`: the canonical layout of a .camp file.
 * The layout rules are documented at the top of lang/format.c. */
#ifndef CAMP_FORMAT_H
#define CAMP_FORMAT_H

#include "lang/ast.h"

/* Renders module m (parsed from src without syntax errors) in the canonical
 * layout, every comment of m->comments kept exactly once.  Returns a
 * malloc'd NUL-terminated string the caller frees; aborts on OOM. */
char *format_module(const Module *m, const SourceFile *src);

#endif
