/* extract.c — CSV extraction files and outbox rows (see extract.h). */
#include "runtime/delivery/extract.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A field needs quotes when a reader could misread it unquoted. */
static int needs_quotes(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 1;
  return strpbrk(s, ",\"\r\n") != NULL;
}

/* ------------------------------------------------------------ rows */

char *extract_row_csv(const char *const *fields, int n) {
  size_t total = 1;
  for (int i = 0; i < n; i++) {
    const char *f = fields[i];
    total += 1 + (!f ? 0 : needs_quotes(f) ? csv_write(NULL, 0, f, strlen(f)) : strlen(f));
  }
  char *out = malloc(total), *w = out;
  if (!out) abort();
  for (int i = 0; i < n; i++) {
    const char *f = fields[i];
    if (i) *w++ = ',';
    if (!f) continue;
    size_t len = strlen(f);
    if (needs_quotes(f)) {
      w += csv_write(w, total - (size_t)(w - out), f, len);
    } else {
      memcpy(w, f, len);
      w += len;
    }
  }
  *w = 0;
  return out;
}

static int write_row(FILE *fp, const char *const *fields, int n) {
  for (int i = 0; i < n; i++) {
    const char *f = fields[i];
    if (i && fputc(',', fp) == EOF) return -1;
    if (!f) continue;
    if (needs_quotes(f) ? csv_fwrite(fp, f, strlen(f)) != 0 : fputs(f, fp) == EOF) return -1;
  }
  return fputc('\n', fp) == EOF ? -1 : 0;
}

/* ---------------------------------------------------------- files */

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err && errlen) vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path, char *err, size_t errlen) {
  char *dir = strdup(path);
  if (!dir) abort();
  for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
    *p = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
      int e = errno;
      fail(err, errlen, "cannot create directory %s: %s", dir, strerror(e));
      free(dir);
      return -1;
    }
    *p = '/';
  }
  free(dir);
  return 0;
}

/* fsyncs the directory holding path, so the rename itself is durable. */
static void sync_dir(const char *path) {
  char *dir = strdup(path);
  if (!dir) abort();
  char *slash = strrchr(dir, '/');
  const char *d = slash == dir ? "/" : slash ? (*slash = 0, dir) : ".";
  int fd = open(d, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  free(dir);
}

/* Writes header and rows into fp; errno-based message on failure. */
static int write_all(FILE *fp, const char *const *header, int ncols, ExtractRowFn next_row,
                     void *ctx, const char *tmp, char *err, size_t errlen) {
  if (write_row(fp, header, ncols) != 0)
    return fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
  const char **row = calloc((size_t)ncols + 1, sizeof *row);
  if (!row) abort();
  int rc;
  while ((rc = next_row(ctx, row)) == 1) {
    if (write_row(fp, row, ncols) != 0) {
      rc = fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
      break;
    }
  }
  free(row);
  if (rc < 0 && err && !err[0]) fail(err, errlen, "cannot read the rows for %s", tmp);
  return rc < 0 ? -1 : 0;
}

int extract_write(const char *path, const char *const *header, int ncols,
                  ExtractRowFn next_row, void *ctx, char *err, size_t errlen) {
  if (err && errlen) err[0] = 0;
  if (make_parents(path, err, errlen) != 0) return -1;
  char *tmp = NULL;
  if (asprintf(&tmp, "%s.tmp", path) < 0) abort();
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
  int rc = 0;
  if (!fp) {
    rc = fail(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    if (fd >= 0) close(fd);
  } else {
    rc = write_all(fp, header, ncols, next_row, ctx, tmp, err, errlen);
    if (rc == 0 && (fflush(fp) != 0 || fsync(fd) != 0))
      rc = fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    if (fclose(fp) != 0 && rc == 0)
      rc = fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
  }
  if (rc == 0 && rename(tmp, path) != 0)
    rc = fail(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
  /* Best effort: the file is complete either way, and some file systems
   * refuse fsync on directories. */
  if (rc == 0) sync_dir(path);
  if (rc != 0 && fd >= 0) unlink(tmp);
  free(tmp);
  return rc;
}
