/* snapshot_file.c — snapshot files: one file per database holding every
 * snapshotted table.  Layout: a fixed header, the column arrays (8-byte
 * aligned), then a descriptor naming each array by offset.  Written to a
 * temporary name, fsync'ed and renamed, so readers see the old file or the
 * new one, never a torn one; the header's total length is checked on load
 * as a second guard.  Loading maps the file read-only: no copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

#define MAGIC "CAMPSNP1"

typedef struct FileHeader {
  char magic[8];
  uint32_t version, ntables;
  SnapFingerprint fp;
  uint64_t desc_off, desc_len, total_len;
} FileHeader;

/* ---------------------------------------------------------------- write */

typedef struct Out {
  FILE *f;
  uint64_t pos;
  int failed;
  char *desc;
  size_t dlen, dcap;
} Out;

static uint64_t put_array(Out *o, const void *p, size_t n) {
  if (!p) return 0;
  static const char zeros[8] = {0};
  size_t pad = (size_t)((8 - o->pos % 8) % 8);
  if (pad && fwrite(zeros, 1, pad, o->f) != pad) o->failed = 1;
  o->pos += pad;
  uint64_t at = o->pos;
  if (n && fwrite(p, 1, n, o->f) != n) o->failed = 1;
  o->pos += n;
  return at;
}

static void d_put(Out *o, const void *p, size_t n) {
  if (o->dlen + n > o->dcap) {
    o->dcap = (o->dlen + n) * 2 + 256;
    o->desc = realloc(o->desc, o->dcap);
    if (!o->desc) abort();
  }
  memcpy(o->desc + o->dlen, p, n);
  o->dlen += n;
}

static void d_int(Out *o, int64_t v) { d_put(o, &v, sizeof v); }

static void d_str(Out *o, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  d_put(o, &n, sizeof n);
  d_put(o, s, n);
}

static size_t width(SnapColKind k) {
  return k == SC_I64 || k == SC_F64 ? 8 : k == SC_I8 ? 1 : 4;
}

static void write_col(Out *o, const SnapTable *t, const SnapCol *c) {
  size_t nr = (size_t)t->nrows;
  d_str(o, c->name);
  d_int(o, c->kind);
  d_int(o, c->type);
  d_int(o, c->bad);
  d_int(o, c->dec_has_int);
  d_int(o, (int64_t)put_array(o, c->nulls, (nr / 64 + 1) * 8));
  d_int(o, (int64_t)put_array(o, c->data, nr * width(c->kind)));
  d_int(o, c->ndict);
  d_int(o, c->dict_sorted);
  d_int(o, (int64_t)put_array(o, c->str_off, c->str_off ? ((size_t)c->ndict + 1) * 8 : 0));
  d_int(o, (int64_t)put_array(o, c->str_bytes, c->str_off ? c->str_off[c->ndict] : 0));
  d_int(o, c->link_table);
  d_int(o, (int64_t)put_array(o, c->link_rows, nr * 4));
}

int snapshot_save(const Snapshot *s, const char *path, char *err, size_t errlen) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 32);
  if (!tmp) abort();
  snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
  Out o = {0};
  o.f = fopen(tmp, "wb");
  if (!o.f) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    free(tmp);
    return -1;
  }
  FileHeader h;
  memset(&h, 0, sizeof h);
  if (fwrite(&h, sizeof h, 1, o.f) != 1) o.failed = 1;
  o.pos = sizeof h;
  for (int i = 0; i < s->ntables; i++) {
    const SnapTable *t = &s->tables[i];
    d_str(&o, t->name);
    d_int(&o, t->nrows);
    d_int(&o, t->count);
    d_int(&o, t->max_rowid);
    d_int(&o, t->key_col);
    d_int(&o, t->key_bad);
    d_int(&o, t->ncols);
    for (int k = 0; k < t->ncols; k++) write_col(&o, t, &t->cols[k]);
    d_int(&o, t->ncolls);
    for (int k = 0; k < t->ncolls; k++) {
      const SnapColl *c = &t->colls[k];
      const SnapTable *ct = &s->tables[c->child_table];
      d_str(&o, c->name);
      d_int(&o, c->child_table);
      d_int(&o, c->fk_col);
      d_int(&o, (int64_t)put_array(&o, c->offsets, ((size_t)t->nrows + 1) * 4));
      d_int(&o, (int64_t)put_array(&o, c->rows, (size_t)ct->nrows * 4));
    }
  }
  memcpy(h.magic, MAGIC, 8);
  h.version = 1;
  h.ntables = (uint32_t)s->ntables;
  h.fp = s->fp;
  h.desc_len = o.dlen;
  h.desc_off = put_array(&o, o.desc ? o.desc : "", o.dlen);
  h.total_len = o.pos;
  if (fseek(o.f, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, o.f) != 1) o.failed = 1;
  if (fflush(o.f) != 0 || fsync(fileno(o.f)) != 0) o.failed = 1;
  if (fclose(o.f) != 0) o.failed = 1;
  free(o.desc);
  if (o.failed || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write snapshot %s: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return -1;
  }
  free(tmp);
  return 0;
}

/* ----------------------------------------------------------------- read */

typedef struct In {
  const char *base;
  uint64_t len;
  const char *d;
  uint64_t dlen, at;
  int bad;
} In;

static int64_t g_int(In *in) {
  int64_t v = 0;
  if (in->at + 8 > in->dlen) { in->bad = 1; return 0; }
  memcpy(&v, in->d + in->at, 8);
  in->at += 8;
  return v;
}

static char *g_str(In *in) {
  uint32_t n = 0;
  if (in->at + 4 > in->dlen) { in->bad = 1; return strdup(""); }
  memcpy(&n, in->d + in->at, 4);
  in->at += 4;
  if (in->at + n > in->dlen) { in->bad = 1; return strdup(""); }
  char *s = malloc((size_t)n + 1);
  if (!s) abort();
  memcpy(s, in->d + in->at, n);
  s[n] = 0;
  in->at += n;
  return s;
}

/* Pointer to an array of n bytes at the offset read next; NULL if 0. */
static const void *g_arr(In *in, uint64_t n) {
  uint64_t off = (uint64_t)g_int(in);
  if (!off) return NULL;
  if (off % 8 || off > in->len || n > in->len - off) { in->bad = 1; return NULL; }
  return in->base + off;
}

static void read_col(In *in, SnapTable *t, SnapCol *c) {
  uint64_t nr = (uint64_t)t->nrows;
  c->name = g_str(in);
  c->kind = (SnapColKind)g_int(in);
  c->type = (TypeKind)g_int(in);
  c->bad = (int)g_int(in);
  c->dec_has_int = (int)g_int(in);
  c->nulls = g_arr(in, (nr / 64 + 1) * 8);
  c->data = g_arr(in, nr * width(c->kind));
  c->ndict = (uint32_t)g_int(in);
  c->dict_sorted = (int)g_int(in);
  c->str_off = g_arr(in, ((uint64_t)c->ndict + 1) * 8);
  uint64_t nb = c->str_off ? c->str_off[c->ndict] : 0;
  c->str_bytes = g_arr(in, nb);
  c->link_table = (int)g_int(in);
  c->link_rows = g_arr(in, nr * 4);
  if (c->kind == SC_TEXT && (!c->str_off || !c->str_bytes)) in->bad = 1;
}

static Snapshot *parse(In *in, const FileHeader *h) {
  Snapshot *s = calloc(1, sizeof *s);
  if (!s) abort();
  s->fp = h->fp;
  s->tables = calloc(h->ntables + 1, sizeof *s->tables);
  if (!s->tables) abort();
  for (uint32_t i = 0; i < h->ntables && !in->bad; i++) {
    SnapTable *t = &s->tables[s->ntables++];
    t->name = g_str(in);
    t->nrows = g_int(in);
    t->count = g_int(in);
    t->max_rowid = g_int(in);
    t->key_col = (int)g_int(in);
    t->key_bad = (int)g_int(in);
    int64_t nc = g_int(in);
    if (in->bad || nc < 0 || nc > 100000 || t->nrows < 0) { in->bad = 1; break; }
    t->cols = calloc((size_t)nc + 1, sizeof *t->cols);
    if (!t->cols) abort();
    for (int64_t k = 0; k < nc && !in->bad; k++) read_col(in, t, &t->cols[t->ncols++]);
    int64_t ncl = g_int(in);
    if (in->bad || ncl < 0 || ncl > 100000) { in->bad = 1; break; }
    t->colls = calloc((size_t)ncl + 1, sizeof *t->colls);
    if (!t->colls) abort();
    for (int64_t k = 0; k < ncl && !in->bad; k++) {
      SnapColl *c = &t->colls[t->ncolls++];
      c->name = g_str(in);
      c->child_table = (int)g_int(in);
      c->fk_col = (int)g_int(in);
      c->offsets = g_arr(in, ((uint64_t)t->nrows + 1) * 4);
      c->rows = g_arr(in, 0); /* child length checked below */
      if (c->child_table < 0 || c->child_table >= (int)h->ntables) in->bad = 1;
    }
  }
  for (int i = 0; i < s->ntables && !in->bad; i++)
    for (int k = 0; k < s->tables[i].ncolls; k++) {
      SnapColl *c = &s->tables[i].colls[k];
      const SnapTable *ct = &s->tables[c->child_table];
      uint64_t off = (uint64_t)((const char *)c->rows - in->base);
      if (!c->rows || off + (uint64_t)ct->nrows * 4 > in->len) in->bad = 1;
    }
  return s;
}

Snapshot *snapshot_load(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(err, errlen, "no snapshot %s", path);
    return NULL;
  }
  struct stat st;
  FileHeader h;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof h ||
      pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h.magic, MAGIC, 8) ||
      h.version != 1 || h.total_len != (uint64_t)st.st_size ||
      h.desc_off + h.desc_len > h.total_len) {
    close(fd);
    snprintf(err, errlen, "snapshot %s is not a complete camp snapshot", path);
    return NULL;
  }
  void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
    return NULL;
  }
  In in = {map, (uint64_t)st.st_size, (const char *)map + h.desc_off, h.desc_len, 0, 0};
  Snapshot *s = parse(&in, &h);
  s->map = map;
  s->maplen = (size_t)st.st_size;
  if (in.bad) {
    snprintf(err, errlen, "snapshot %s is damaged", path);
    snapshot_free(s);
    return NULL;
  }
  return s;
}

/* ------------------------------------------------------------ location */

char *snapshot_dir(const char *db_path) {
  if (!strncmp(db_path, "sqlite:", 7)) db_path += 7;
  const char *cache = getenv("CAMP_CACHE_DIR");
  size_t n = strlen(db_path) + (cache ? strlen(cache) : 0) + 64;
  char *d = malloc(n);
  if (!d) abort();
  if (cache && *cache) {
    char *abs = realpath(db_path, NULL);
    const char *key = abs ? abs : db_path;
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    free(abs);
    snprintf(d, n, "%s/%016llx.camp-snapshot", cache, (unsigned long long)h);
  } else {
    snprintf(d, n, "%s.camp-snapshot", db_path);
  }
  return d;
}

Snapshot *snapshot_open(Db *db, const char *db_path, Schema **schemas, int n, int *rebuilt,
                        char *err, size_t errlen) {
  *rebuilt = 0;
  char *dir = snapshot_dir(db_path);
  size_t plen = strlen(dir) + 32;
  char *path = malloc(plen);
  if (!path) abort();
  snprintf(path, plen, "%s/snapshot.bin", dir);
  char lerr[256];
  Snapshot *s = snapshot_load(path, lerr, sizeof lerr);
  if (s && snapshot_fresh(s, db, db_path, schemas, n)) {
    free(dir);
    free(path);
    return s;
  }
  snapshot_free(s);
  SnapFingerprint fp;
  if (snapshot_fingerprint(db_path, &fp) != 0) {
    snprintf(err, errlen, "cannot read database file %s", db_path);
    free(dir);
    free(path);
    return NULL;
  }
  s = snapshot_build(db, schemas, n, err, errlen);
  if (s) {
    uint64_t hash = s->fp.schema_hash;
    s->fp = fp;
    s->fp.schema_hash = hash;
    *rebuilt = 1;
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
        snapshot_save(s, path, lerr, sizeof lerr) != 0) {
      /* Unsaved is still correct: it just will not be reused. */
      fprintf(stderr, "camp: warning: snapshot not saved: %s\n", lerr);
    }
  }
  free(dir);
  free(path);
  return s;
}
