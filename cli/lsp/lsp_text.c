/* lsp_text.c — LSP positions and URIs.  camp locations count bytes from 1;
 * LSP counts lines from 0 and characters in UTF-16 code units, so every
 * conversion walks the line's UTF-8: a 4-byte sequence is two units. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/lsp/lsp.h"

/* Length of the UTF-8 sequence starting with byte c and its UTF-16 units;
 * stray continuation or invalid bytes count as one byte, one unit. */
static int utf8_len(unsigned char c, int *units) {
  *units = 1;
  if (c >= 0xF0 && c < 0xF8) {
    *units = 2;
    return 4;
  }
  if (c >= 0xE0 && c < 0xF0) return 3;
  if (c >= 0xC0 && c < 0xE0) return 2;
  return 1;
}

/* UTF-16 units of the bytes [from, to) of one line. */
static int units_between(const char *text, int from, int to) {
  int u = 0, k;
  for (int i = from; i < to;) {
    if (text[i] == '\n' || text[i] == 0) break;
    int n = utf8_len((unsigned char)text[i], &k);
    if (i + n > to) n = to - i;
    i += n;
    u += k;
  }
  return u;
}

int lsp_offset(const char *text, size_t len, int line, int character) {
  size_t i = 0;
  for (int l = 0; l < line && i < len; i++)
    if (text[i] == '\n') l++;
  int u = 0, k;
  while (i < len && text[i] != '\n' && text[i] != '\r' && u < character) {
    int n = utf8_len((unsigned char)text[i], &k);
    if (i + (size_t)n > len) n = (int)(len - i);
    i += (size_t)n;
    u += k;
  }
  return (int)i;
}

json_t *lsp_position(const char *text, size_t len, int off) {
  if (off < 0) off = 0;
  if ((size_t)off > len) off = (int)len;
  int line = 0, start = 0;
  for (int i = 0; i < off; i++)
    if (text[i] == '\n') {
      line++;
      start = i + 1;
    }
  return json_pack("{s:i, s:i}", "line", line, "character", units_between(text, start, off));
}

static json_t *loc_pos(const SourceFile *f, int line, int col) {
  if (!f || line < 1) return json_pack("{s:i, s:i}", "line", 0, "character", 0);
  if (line > f->nlines) return lsp_position(f->text, f->len, (int)f->len);
  int start = f->line_starts[line - 1];
  int off = start + (col > 1 ? col - 1 : 0);
  if (off > (int)f->len) off = (int)f->len;
  return json_pack("{s:i, s:i}", "line", line - 1, "character", units_between(f->text, start, off));
}

json_t *lsp_range(const SourceFile *f, Loc l) {
  int el = l.end_line, ec = l.end_col;
  if (el < l.line || (el == l.line && ec < l.col)) {
    el = l.line;
    ec = l.col;
  }
  return json_pack("{s:o, s:o}", "start", loc_pos(f, l.line, l.col), "end", loc_pos(f, el, ec));
}

json_t *lsp_text(const char *s) {
  json_t *j = json_string(s ? s : "");
  if (j) return j;
  char *copy = strdup(s);
  if (!copy) abort();
  for (char *c = copy; *c; c++)
    if ((unsigned char)*c >= 0x80) *c = '?';
  j = json_string(copy);
  free(copy);
  return j;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *lsp_uri_to_path(const char *uri) {
  if (strncmp(uri, "file://", 7) != 0) return strdup(uri);
  const char *s = uri + 7;
  if (*s != '/') s = strchr(s, '/') ? strchr(s, '/') : s;  /* file://host/path */
  char *out = malloc(strlen(s) + 1), *o = out;
  if (!out) abort();
  for (; *s; s++) {
    if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
      *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
      s += 2;
    } else {
      *o++ = *s;
    }
  }
  *o = 0;
  return out;
}

char *lsp_path_to_uri(const char *path) {
  char *out = malloc(strlen(path) * 3 + 8), *o = out;
  if (!out) abort();
  o += sprintf(o, "file://");
  for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
    if (isalnum(*s) || strchr("/-._~", *s))
      *o++ = (char)*s;
    else
      o += sprintf(o, "%%%02X", *s);
  }
  *o = 0;
  return out;
}
