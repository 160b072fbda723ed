/* sql_buf.c — string building and quoting for generated SQL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/sql/sql_internal.h"

static void sb_grow(SqlBuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) abort();
  b->s = s;
  b->cap = cap;
}

void sb_putn(SqlBuf *b, const char *s, size_t n) {
  sb_grow(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

void sb_put(SqlBuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

void sb_printf(SqlBuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  sb_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void sb_quoted(SqlBuf *b, const char *text, char q) {
  sb_putn(b, &q, 1);
  for (const char *p = text; *p; p++) {
    if (*p == q) sb_putn(b, &q, 1);
    sb_putn(b, p, 1);
  }
  sb_putn(b, &q, 1);
}

void sb_ident(SqlBuf *b, const char *name) { sb_quoted(b, name, '"'); }
void sb_string(SqlBuf *b, const char *text) { sb_quoted(b, text, '\''); }

char *sb_take(SqlBuf *b) {
  char *s = b->s ? b->s : strdup("");
  if (!s) abort();
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void sb_free(SqlBuf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

void sb_tmpl(SqlBuf *b, const char *tmpl, const char *a1, const char *a2, const char *a3) {
  for (const char *p = tmpl; *p; p++) {
    if (p[0] == '%' && p[1] >= '1' && p[1] <= '3') {
      const char *arg = p[1] == '1' ? a1 : p[1] == '2' ? a2 : a3;
      sb_put(b, arg ? arg : "NULL");
      p++;
      continue;
    }
    sb_putn(b, p, 1);
  }
}
