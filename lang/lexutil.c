/* lexutil.c — decoding and validating literal tokens for the scanner. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lexstate.h"

char *lex_string(LexState *s, const char *body, int len, Loc loc) {
  char *out = arena_alloc(s->arena, (size_t)len + 1);
  int w = 0;
  for (int i = 0; i < len; i++) {
    char c = body[i];
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
  int hh = atoi(text + 11), mm = atoi(text + 14);
  int ss = strlen(text) > 16 ? atoi(text + 17) : 0;
  if (!valid_date(text) || hh > 23 || mm > 59 || ss > 59)
    diag_error(s->diags, loc, "invalid timestamp `%s`", text);
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
  else if (c >= 0x80 || c < 0x20)
    diag_error(s->diags, loc, "unexpected character (byte 0x%02x)", c);
  else
    diag_error(s->diags, loc, "unexpected character `%c`", c);
  if (c == '\'') diag_hint(s->diags, "write \"text\" instead of 'text'");
}
