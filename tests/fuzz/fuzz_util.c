/* fuzz_util.c — file helpers for the fuzz targets' seeds (fuzz.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "tests/fuzz/fuzz.h"

char *fuzz_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  if (!b) abort();
  size_t got;
  while ((got = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n < 2) {
      cap *= 2;
      b = realloc(b, cap);
      if (!b) abort();
    }
  }
  fclose(f);
  b[n] = 0;
  if (len) *len = n;
  return b;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int wanted(const char *name, const char *const *suffixes) {
  if (!suffixes) return 1;
  size_t n = strlen(name);
  for (; *suffixes; suffixes++) {
    size_t k = strlen(*suffixes);
    if (n >= k && !strcmp(name + n - k, *suffixes)) return 1;
  }
  return 0;
}

void fuzz_emit_files(const char *dir, const char *const *suffixes, FuzzEmit emit, void *ctx) {
  DIR *d = opendir(dir);
  if (!d) return;
  /* sorted: the same order everywhere */
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    names = realloc(names, sizeof *names * (n + 1));
    if (!names) abort();
    names[n] = strdup(e->d_name);
    if (!names[n++]) abort();
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(len);
    if (!path) abort();
    snprintf(path, len, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      fuzz_emit_files(path, suffixes, emit, ctx);
    } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && wanted(names[i], suffixes)) {
      size_t sz;
      char *b = fuzz_read_file(path, &sz);
      if (b) emit((const uint8_t *)b, sz, ctx);
      free(b);
    }
    free(path);
    free(names[i]);
  }
  free(names);
}

static void write_one(const uint8_t *d, size_t n, void *ctx) {
  const char *dir = ctx;
  char path[1024];
  snprintf(path, sizeof path, "%s/seed-%016llx", dir, (unsigned long long)XXH3_64bits(d, n));
  FILE *f = fopen(path, "wb");
  if (!f) return;
  if (n) fwrite(d, 1, n, f);
  fclose(f);
}

void fuzz_write_seeds(void (*seeds)(FuzzEmit, void *), const char *dir) {
  seeds(write_one, (void *)dir);
}
