/* diag.c — collecting and printing diagnostics (text with caret, or JSON). */
#include "lang/diag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diags_init(Diags *d, Arena *a) {
  memset(d, 0, sizeof *d);
  d->arena = a;
}

void diags_free(Diags *d) {
  free(d->files);
  free(d->items);
  d->files = NULL;
  d->items = NULL;
}

int diags_add_source(Diags *d, const char *path, const char *text, size_t len) {
  SourceFile *f = arena_alloc(d->arena, sizeof *f);
  f->path = arena_strdup(d->arena, path);
  f->text = arena_strndup(d->arena, text, len);
  f->len = len;
  int n = 1;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') n++;
  f->line_starts = arena_alloc(d->arena, sizeof(int) * (size_t)(n + 1));
  f->nlines = 0;
  f->line_starts[f->nlines++] = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') f->line_starts[f->nlines++] = (int)i + 1;
  if (d->nfiles == d->capfiles) {
    d->capfiles = d->capfiles ? d->capfiles * 2 : 8;
    d->files = realloc(d->files, sizeof(SourceFile *) * (size_t)d->capfiles);
    if (!d->files) abort();
  }
  d->files[d->nfiles] = f;
  return d->nfiles++;
}

int diags_load_file(Diags *d, const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, fp)) > 0) {
    len += n;
    if (len == cap) {
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        buf = NULL;
      } else {
        buf = nb;
      }
    }
  }
  int err = ferror(fp);
  fclose(fp);
  if (!buf || err) {
    free(buf);
    return -1;
  }
  int idx = diags_add_source(d, path, buf, len);
  free(buf);
  return idx;
}

const SourceFile *diags_file(const Diags *d, int file) {
  if (file < 0 || file >= d->nfiles) return NULL;
  return d->files[file];
}

static void diag_vadd(Diags *d, DiagLevel level, Loc loc, const char *fmt,
                      va_list ap) {
  if (d->len == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 16;
    d->items = realloc(d->items, sizeof(Diag) * (size_t)d->cap);
    if (!d->items) abort();
  }
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *msg = arena_alloc(d->arena, (size_t)n + 1);
  vsnprintf(msg, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  Diag *g = &d->items[d->len++];
  g->level = level;
  g->loc = loc;
  g->message = msg;
  g->hint = NULL;
  if (level == DIAG_ERROR) d->nerrors++;
}

#define DIAG_FN(name, level)                               \
  void name(Diags *d, Loc loc, const char *fmt, ...) {     \
    va_list ap;                                            \
    va_start(ap, fmt);                                     \
    diag_vadd(d, level, loc, fmt, ap);                     \
    va_end(ap);                                            \
  }
DIAG_FN(diag_error, DIAG_ERROR)
DIAG_FN(diag_warning, DIAG_WARNING)
DIAG_FN(diag_note, DIAG_NOTE)

void diag_hint(Diags *d, const char *fmt, ...) {
  if (d->len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *h = arena_alloc(d->arena, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(h, (size_t)n + 1, fmt, ap);
  va_end(ap);
  d->items[d->len - 1].hint = h;
}

/* Optimal string alignment distance, case-insensitive; small inputs only. */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return 1000;
  int dp[65][65];
  for (size_t i = 0; i <= la; i++) dp[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) dp[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      int ca = a[i - 1] | 32, cb = b[j - 1] | 32;
      int cost = ca != cb;
      int v = dp[i - 1][j] + 1;
      if (dp[i][j - 1] + 1 < v) v = dp[i][j - 1] + 1;
      if (dp[i - 1][j - 1] + cost < v) v = dp[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          dp[i - 2][j - 2] + 1 < v)
        v = dp[i - 2][j - 2] + 1;
      dp[i][j] = v;
    }
  }
  return dp[la][lb];
}

const char *diag_closest(const char *name, const char *const *cands, int n) {
  const char *best = NULL;
  int bestd = 1000;
  int len = (int)strlen(name);
  int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
  for (int i = 0; i < n; i++) {
    if (!cands[i] || strcmp(cands[i], name) == 0) continue;
    int dist = edit_distance(name, cands[i]);
    if (dist < bestd || (dist == bestd && best && strcmp(cands[i], best) < 0)) {
      bestd = dist;
      best = cands[i];
    }
  }
  return bestd <= limit ? best : NULL;
}

static int loc_cmp(const Loc *a, const Loc *b) {
  if (a->file != b->file) return a->file - b->file;
  if (a->line != b->line) return a->line - b->line;
  return a->col - b->col;
}

static int diag_cmp(const void *pa, const void *pb) {
  const Diag *a = pa, *b = pb;
  int c = loc_cmp(&a->loc, &b->loc);
  return c ? c : strcmp(a->message, b->message);
}

/* A note belongs to the diagnostic before it: groups sort by their head. */
typedef struct {
  Diag d;
  Loc head;
  int head_index, seq;
} Sorted;

static int sorted_cmp(const void *pa, const void *pb) {
  const Sorted *a = pa, *b = pb;
  int c = loc_cmp(&a->head, &b->head);
  if (c) return c;
  if (a->head_index != b->head_index) return a->head_index - b->head_index;
  return a->seq - b->seq;
}

void diags_sort(Diags *d) {
  if (d->len > 1) {
    Sorted *v = malloc(sizeof *v * (size_t)d->len);
    if (!v) abort();
    int head = 0;
    for (int i = 0; i < d->len; i++) {
      if (d->items[i].level != DIAG_NOTE || i == 0) head = i;
      v[i].d = d->items[i];
      v[i].head = d->items[head].loc;
      v[i].head_index = head;
      v[i].seq = i;
    }
    qsort(v, (size_t)d->len, sizeof *v, sorted_cmp);
    for (int i = 0; i < d->len; i++) d->items[i] = v[i].d;
    free(v);
  }
  /* Exact duplicates (same place, level and message) are reported once. */
  int w = 0;
  for (int r = 0; r < d->len; r++) {
    if (w > 0 && diag_cmp(&d->items[w - 1], &d->items[r]) == 0 &&
        d->items[w - 1].level == d->items[r].level)
      continue;
    d->items[w++] = d->items[r];
  }
  d->len = w;
}

static const char *level_name(DiagLevel l) {
  return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

/* Source lines longer than this are shown as a window around the column. */
#define LINE_WINDOW 160

static void print_source_line(FILE *out, const SourceFile *f, const Diag *g,
                              int color) {
  if (!f || g->loc.line < 1 || g->loc.line > f->nlines) return;
  int start = f->line_starts[g->loc.line - 1];
  int end = start;
  while ((size_t)end < f->len && f->text[end] != '\n') end++;
  if (end > start && f->text[end - 1] == '\r') end--;
  int col = g->loc.col < 1 ? 1 : g->loc.col;
  int from = start, to = end;
  if (end - start > LINE_WINDOW) {
    from = start + col - 1 - LINE_WINDOW / 2;
    if (from < start) from = start;
    to = from + LINE_WINDOW;
    if (to > end) to = end;
  }
  const char *pre = from > start ? "..." : "", *post = to < end ? "..." : "";
  fprintf(out, "%5d | %s", g->loc.line, pre);
  /* byte by byte: a NUL (an error of its own) shows as a space */
  for (int i = from; i < to; i++) fputc(f->text[i] ? f->text[i] : ' ', out);
  fprintf(out, "%s\n      | %s", post, from > start ? "   " : "");
  int caret = start + col - 1;
  for (int i = from; i < caret && i < to; i++) fputc(f->text[i] == '\t' ? '\t' : ' ', out);
  int width = 1;
  if (g->loc.end_line == g->loc.line && g->loc.end_col > col) width = g->loc.end_col - col;
  if (caret + width > to) width = to > caret ? to - caret : 1;
  if (color) fputs("\033[1;32m", out);
  fputc('^', out);
  for (int i = 1; i < width; i++) fputc('~', out);
  if (color) fputs("\033[0m", out);
  fputc('\n', out);
}

void diags_print_text(const Diags *d, FILE *out, int color) {
  /* stderr is unbuffered: one write per character would be slow. */
  static char buf[1 << 16];
  if (out == stderr) setvbuf(stderr, buf, _IOFBF, sizeof buf);
  for (int i = 0; i < d->len; i++) {
    const Diag *g = &d->items[i];
    const SourceFile *f = diags_file(d, g->loc.file);
    const char *lc = g->level == DIAG_ERROR     ? "\033[1;31m"
                     : g->level == DIAG_WARNING ? "\033[1;35m"
                                                : "\033[1;36m";
    if (color) fputs("\033[1m", out);
    if (f && g->loc.line > 0)
      fprintf(out, "%s:%d:%d: ", f->path, g->loc.line, g->loc.col);
    else if (f)
      fprintf(out, "%s: ", f->path);
    else
      fputs("camp: ", out);
    if (color) fprintf(out, "%s", lc);
    fprintf(out, "%s: ", level_name(g->level));
    if (color) fputs("\033[0m\033[1m", out);
    fprintf(out, "%s", g->message);
    if (color) fputs("\033[0m", out);
    fputc('\n', out);
    print_source_line(out, f, g, color);
    if (g->hint) fprintf(out, "      = hint: %s\n", g->hint);
  }
  fflush(out);
  if (out == stderr) setvbuf(stderr, NULL, _IONBF, 0);
}

/* JSON strings must be UTF-8; bytes of a broken sequence become '?'. */
static json_t *json_text(const char *s) {
  json_t *j = json_string(s);
  if (j) return j;
  size_t n = strlen(s);
  char *copy = malloc(n + 1);
  if (!copy) abort();
  for (size_t i = 0; i <= n; i++)
    copy[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
  j = json_string(copy);
  free(copy);
  return j;
}

void diags_print_json(const Diags *d, FILE *out) {
  json_t *arr = json_array();
  for (int i = 0; i < d->len; i++) {
    const Diag *g = &d->items[i];
    const SourceFile *f = diags_file(d, g->loc.file);
    json_t *o = json_object();
    json_object_set_new(o, "file", f ? json_text(f->path) : json_null());
    json_object_set_new(o, "line", json_integer(g->loc.line));
    json_object_set_new(o, "column", json_integer(g->loc.col));
    json_object_set_new(o, "end_line", json_integer(g->loc.end_line));
    json_object_set_new(o, "end_column", json_integer(g->loc.end_col));
    json_object_set_new(o, "severity", json_string(level_name(g->level)));
    json_object_set_new(o, "message", json_text(g->message));
    json_object_set_new(o, "hint", g->hint ? json_text(g->hint) : json_null());
    json_array_append_new(arr, o);
  }
  json_t *root = json_object();
  json_object_set_new(root, "diagnostics", arr);
  json_object_set_new(root, "errors", json_integer(d->nerrors));
  char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (s) {
    fprintf(out, "%s\n", s);
    free(s);
  }
  json_decref(root);
}
