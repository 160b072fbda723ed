/* rules_text.c — SQLite's text semantics, shared by every consumer of the
 * rule program (the lowering folds constant patterns with them, the
 * interpreter and the JIT's helpers call them per row): comparison by
 * bytes (BINARY collation) and LIKE with `%` / `_` and ASCII-only case
 * folding (`_` is one UTF-8 character). */
#include <stdlib.h>
#include <string.h>

#include "compiler/rules/rules.h"

int rules_text_cmp(Str a, Str b) {
  uint32_t n = a.n < b.n ? a.n : b.n;
  int c = memcmp(a.p, b.p, n);
  if (c) return c < 0 ? -1 : 1;
  return (a.n > b.n) - (a.n < b.n);
}

int rules_like(const char *p, size_t pn, const char *s, size_t sn) {
  size_t i = 0, j = 0;
  while (i < pn) {
    char c = p[i];
    if (c == '%') {
      while (i < pn && (p[i] == '%' || p[i] == '_')) {
        if (p[i] == '_') {
          if (j >= sn) return 0;
          j = rules_skip_char(s, j, sn);
        }
        i++;
      }
      if (i == pn) return 1;
      for (;;) {
        if (rules_like(p + i, pn - i, s + j, sn - j)) return 1;
        if (j >= sn) return 0;
        j = rules_skip_char(s, j, sn);
      }
    }
    if (j >= sn) return 0;
    if (c == '_') {
      j = rules_skip_char(s, j, sn);
      i++;
      continue;
    }
    if (rules_fold((unsigned char)c) != rules_fold((unsigned char)s[j])) return 0;
    i++;
    j++;
  }
  return j == sn;
}
