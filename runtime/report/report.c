/* report.c — database, value and output helpers of the reporting commands
 * (see report.h). */
#include "runtime/report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) abort();
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

Db *report_open(const char *cmd, const char *path) {
  char err[512];
  Db *db = db_open(path, DB_OPEN_READONLY, err, sizeof err);
  if (!db) fprintf(stderr, "camp %s: %s\n", cmd, err);
  return db;
}

int report_has_runs(Db *db) {
  return db_table_exists(db, "camp_runs");
}

FILE *report_output(const char *cmd, const char *path) {
  if (!path || !strcmp(path, "-")) return stdout;
  FILE *f = fopen(path, "w");
  if (!f) fprintf(stderr, "camp %s: cannot write `%s`: %s\n", cmd, path, strerror(errno));
  return f;
}

int report_close_output(const char *cmd, FILE *out, const char *path) {
  int bad = fflush(out) != 0 || ferror(out);
  if (out != stdout) bad |= fclose(out) != 0;
  if (bad) {
    fprintf(stderr, "camp %s: cannot write `%s`\n", cmd, out == stdout ? "stdout" : path);
    return -1;
  }
  return 0;
}

char *report_col_text(DbStmt *st, int col) {
  DbValue v = db_column(st, col);
  char buf[64];
  switch (v.kind) {
    case DBV_NULL: return NULL;
    case DBV_INT: snprintf(buf, sizeof buf, "%lld", (long long)v.i); return xstrdup(buf);
    case DBV_REAL: snprintf(buf, sizeof buf, "%.17g", v.r); return xstrdup(buf);
    case DBV_TEXT: return xstrdup(v.s ? v.s : "");
  }
  return NULL;
}

json_t *report_col_json(DbStmt *st, int col) {
  DbValue v = db_column(st, col);
  switch (v.kind) {
    case DBV_INT: return json_integer((json_int_t)v.i);
    case DBV_REAL: return json_real(v.r);
    case DBV_TEXT: return json_string(v.s ? v.s : "");
    default: return json_null();
  }
}

int report_parse_time(const char *s, int64_t *out) {
  if (!s) return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int sec = 0;
  int n = sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                 &tm.tm_hour, &tm.tm_min, &sec);
  if (n < 3) return -1;
  tm.tm_sec = n >= 6 ? sec : 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = (int64_t)timegm(&tm);
  return 0;
}

void report_duration(int64_t secs, char *buf, size_t n) {
  if (secs < 0) secs = -secs;
  int64_t d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
  if (d) snprintf(buf, n, h ? "%lldd %lldh" : "%lldd", (long long)d, (long long)h);
  else if (h) snprintf(buf, n, m ? "%lldh %lldm" : "%lldh", (long long)h, (long long)m);
  else if (m) snprintf(buf, n, "%lldm", (long long)m);
  else snprintf(buf, n, "%llds", (long long)s);
}

/* Characters (not bytes) of a UTF-8 string. */
static int utf8_width(const char *s) {
  int w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

char *report_cell(const char *s, int width) {
  if (!s) return xstrdup("-");
  size_t len = strlen(s);
  char *out = xmalloc(len + 4);
  int chars = 0;
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    int starts = (c & 0xC0) != 0x80;
    if (starts && width > 0 && chars == width - 3 && utf8_width(s + i) > 3) {
      memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    chars += starts;
    out[o++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
  }
  out[o] = 0;
  return out;
}

/* ---------------------------------------------------------------- tables */

void rt_init(ReportTable *t, int ncols, const char *const *headers) {
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  rt_add(t, headers);
}

void rt_add(ReportTable *t, const char *const *cells) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 16;
    t->cells = realloc(t->cells, sizeof(char *) * (size_t)(t->cap * t->ncols));
    if (!t->cells) abort();
  }
  for (int c = 0; c < t->ncols; c++)
    t->cells[t->nrows * t->ncols + c] = xstrdup(cells[c] ? cells[c] : "-");
  t->nrows++;
}

void rt_print(const ReportTable *t, FILE *out, const char *indent) {
  int *w = calloc((size_t)t->ncols, sizeof(int));
  if (!w) abort();
  for (int r = 0; r < t->nrows; r++)
    for (int c = 0; c < t->ncols; c++) {
      int cw = utf8_width(t->cells[r * t->ncols + c]);
      if (cw > w[c]) w[c] = cw;
    }
  for (int r = 0; r < t->nrows; r++) {
    fputs(indent, out);
    int last = t->ncols - 1;
    while (last > 0 && !strcmp(t->cells[r * t->ncols + last], "")) last--;
    for (int c = 0; c <= last; c++) {
      const char *cell = t->cells[r * t->ncols + c];
      fputs(cell, out);
      if (c < last)
        for (int k = utf8_width(cell); k < w[c] + 2; k++) fputc(' ', out);
    }
    fputc('\n', out);
  }
  free(w);
}

void rt_free(ReportTable *t) {
  for (int i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
  free(t->cells);
  memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- csv */

static void csv_field(FILE *out, const char *s) {
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

void report_csv_row(FILE *out, const char *const *fields, int n) {
  for (int i = 0; i < n; i++) {
    if (i) fputc(',', out);
    csv_field(out, fields[i]);
  }
  fputs("\r\n", out);
}

void report_bytes(int64_t bytes, char *buf, size_t n) {
  if (bytes < 0) snprintf(buf, n, "an unknown size");
  else if (bytes < 1024) snprintf(buf, n, "%lld bytes", (long long)bytes);
  else if (bytes < 1024 * 1024) snprintf(buf, n, "%.1f KB", (double)bytes / 1024.0);
  else if (bytes < 1024LL * 1024 * 1024) snprintf(buf, n, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
  else snprintf(buf, n, "%.2f GB", (double)bytes / (1024.0 * 1024.0 * 1024.0));
}
