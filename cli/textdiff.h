/* textdiff.h — unified diffs of two texts (for `camp fmt --diff`). */
#ifndef CAMP_TEXTDIFF_H
#define CAMP_TEXTDIFF_H

#include <stddef.h>
#include <stdio.h>

/* Compares texts a and b line by line.  When out is not NULL and they
 * differ, prints a unified diff (3 lines of context) headed by
 * `--- name_a` / `+++ name_b`.  Returns the number of removed plus added
 * lines (0 when equal). */
int text_diff(FILE *out, const char *name_a, const char *name_b, const char *a, size_t alen,
              const char *b, size_t blen);

#endif
