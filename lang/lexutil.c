/* lexutil.c — decoding and validating literal tokens for the scanner. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/clock.h"
#include "lang/lexstate.h"

char *lex_string(LexState *s, const char *body, int len, Loc loc) {
  char *out = arena_alloc(s->arena, (size_t)len + 1);
  int w = 0;
  for (int i = 0; i < len; i++) {
    char c = body[i];
    /* Text ends at NUL everywhere camp passes it on (SQL, C strings): a
     * NUL inside a literal would silently cut it. */
    if (c == 0 || (c == '\\' && i + 1 < len && body[i + 1] == '0')) {
      Loc at = loc;
      at.col += 1 + i, at.off += 1 + i; /* the body starts after the quote */
      at.end_line = at.line, at.end_col = at.col + (c ? 2 : 1), at.end_off = at.off + (c ? 2 : 1);
      diag_error(s->diags, at, "a NUL character (%s) cannot be part of a string", c ? "`\\0`" : "byte 0x00");
      diag_hint(s->diags, "text in camp and in the database ends at the first NUL");
      i += c != 0;
      continue;
    }
    if (c != '\\' || i + 1 >= len) {
      out[w++] = c;
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n': out[w++] = '\n'; break;
      case 't': out[w++] = '\t'; break;
      case 'r': out[w++] = '\r'; break;
      case '"': out[w++] = '"'; break;
      case '\\': out[w++] = '\\'; break;
      default:
        diag_error(s->diags, loc, "unknown escape `\\%c` in string", e);
        diag_hint(s->diags, "known escapes: \\n \\t \\r \\\" \\\\");
        out[w++] = e;
    }
  }
  out[w] = 0;
  return out;
}

static int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

static int valid_date(const char *t) {
  int y = atoi(t), m = atoi(t + 5), d = atoi(t + 8);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

char *lex_date(LexState *s, const char *text, Loc loc) {
  if (!valid_date(text)) diag_error(s->diags, loc, "invalid date `%s`", text);
  return arena_strdup(s->arena, text);
}

char *lex_timestamp(LexState *s, const char *text, Loc loc) {
  char norm[20];
  if (clock_normalize(text, norm) == 0) return arena_strdup(s->arena, norm);
  diag_error(s->diags, loc, "invalid timestamp `%s`", text);
  int hh = atoi(text + 11), mm = atoi(text + 14);
  int ss = strlen(text) > 16 ? atoi(text + 17) : 0;
  return arena_printf(s->arena, "%.10s %02d:%02d:%02d", text, hh, mm, ss);
}

int64_t lex_duration(LexState *s, const char *text, int len, Loc loc) {
  int64_t unit = 1;
  switch (text[len - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
  }
  errno = 0;
  long long n = strtoll(text, NULL, 10);
  if (errno || n > INT64_MAX / unit) {
    diag_error(s->diags, loc, "duration `%.*s` is too large", len, text);
    return 0;
  }
  return (int64_t)n * unit;
}

int64_t lex_int(LexState *s, const char *text, Loc loc) {
  errno = 0;
  long long n = strtoll(text, NULL, 10);
  if (errno) {
    diag_error(s->diags, loc, "integer `%s` does not fit in 64 bits", text);
    return 0;
  }
  return n;
}

void lex_too_deep(LexState *s, Loc loc) {
  if (s->too_deep) return;
  s->too_deep = 1;
  diag_error(s->diags, loc, "expression nested more than %d levels deep", CAMP_MAX_DEPTH);
  diag_hint(s->diags, "split it into several steps, funcs or filters");
}

void lex_nest(LexState *s, int open, Loc loc) {
  if (!open) {
    if (s->nest > 0) s->nest--;
    return;
  }
  if (++s->nest > CAMP_MAX_DEPTH) lex_too_deep(s, loc);
}

int64_t lex_ordinal(LexState *s, const char *text, int len, Loc loc) {
  errno = 0;
  long long n = strtoll(text, NULL, 10);
  if (errno || n > 1000000) {
    diag_error(s->diags, loc, "ordinal `%.*s` is too large", len, text);
    return 0;
  }
  /* 1st 2nd 3rd, but 11th 12th 13th, and th for the rest */
  const char *want = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                   : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  if (strncmp(text + len - 2, want, 2) != 0) {
    diag_error(s->diags, loc, "`%.*s` is not an ordinal", len, text);
    diag_hint(s->diags, "write `%lld%s`", n, want);
  }
  return (int64_t)n;
}

void lex_bad_char(LexState *s, const char *text, Loc loc) {
  unsigned char c = (unsigned char)text[0];
  if (c == '\'')
    diag_error(s->diags, loc, "strings are written in double quotes");
  else if (c >= 0x7f || c < 0x20)
    diag_error(s->diags, loc, "unexpected character (byte 0x%02x)", c);
  else
    diag_error(s->diags, loc, "unexpected character `%c`", c);
  if (c == '\'') diag_hint(s->diags, "write \"text\" instead of 'text'");
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static int utf8_len(const unsigned char *p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (!len || (size_t)len > n) return 0;
  for (int i = 1; i < len; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
  if (c == 0xED && p[1] >= 0xA0) return 0; /* surrogate */
  if (c == 0xF0 && p[1] < 0x90) return 0; /* overlong */
  if (c == 0xF4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
  return len;
}

int lex_check_text(Diags *d, int file) {
  const SourceFile *f = diags_file(d, file);
  if (!f) return 0;
  const unsigned char *t = (const unsigned char *)f->text;
  int line = 1, col = 1;
  for (size_t i = 0; i < f->len;) {
    int n = t[i] ? utf8_len(t + i, f->len - i) : 0;
    if (n == 0) {
      Loc whole = {.file = file};
      if (t[i] == 0)
        diag_error(d, whole, "not a text file: a NUL byte at line %d, column %d", line, col);
      else
        diag_error(d, whole, "not UTF-8 text: byte 0x%02x at line %d, column %d", t[i], line, col);
      diag_hint(d, "camp reads .camp sources as UTF-8 text; is this the right file?");
      return -1;
    }
    if (t[i] == '\n') line++, col = 1;
    else col += n; /* columns count bytes, as in every diagnostic */
    i += (size_t)n;
  }
  return 0;
}
