/* snapshot_file.c — snapshot files, in the snapshot directory:
 *
 *   snapshot.bin  the manifest: a fixed header (the fingerprint) and a
 *                 descriptor naming every table, column and collection,
 *                 and each array by (segment, offset);
 *   seg-*.bin     segments: a 32-byte header (magic, tag, length), then
 *                 arrays, 8-byte aligned.
 *
 * A full build writes one segment; a refresh writes one more segment with
 * only the arrays that changed, the arrays it reused stay where they are —
 * an update of a thousand rows writes a few megabytes, not the whole
 * snapshot again.  Every file is written to a temporary name, fsync'ed and
 * renamed, the manifest last: readers see the old snapshot or the new one,
 * never a torn one (lengths and the segments' tags are checked on load as
 * a second guard).
 *
 * Integrity: the manifest carries an XXH3-64 checksum of itself, checked
 * on load, and one per array, checked on first use (columns_check.c), as
 * are all the bounds the engines rely on.  A damaged array makes its
 * column decline (the engines' caller runs SQL) and marks the table in the
 * file `damaged` of the directory: the next open reads that table again
 * from the database.  A refresh copies an array's recorded checksum, never
 * one computed from what is on disk now.  Segments the new manifest does not name are removed
 * once a minute old (a concurrent writer's newest segment may not be named
 * yet); a reader that finds a segment gone reads the manifest again.
 * Loading maps the segments read-only: no copy.  Opening a snapshot for a
 * database (fresh, refreshed or built, and damage marks) is
 * snapshot_open.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "runtime/engine/snapshot_impl.h"

#define MAGIC "CAMPSNP3"
#define SEG_MAGIC "CAMPSEG1"
#define SNAP_FILE_VERSION 3
#define SEG_HEADER 32
#define SEG_GC_AGE 60    /* seconds before an unnamed segment is removed
                          * ($CAMP_SNAPSHOT_GC_AGE overrides it) */
#define TMP_GC_AGE 3600  /* ... and a left-over temporary file */

typedef struct FileHeader {
  char magic[8];
  uint32_t version, ntables;
  SnapFingerprint fp;
  uint64_t desc_off, desc_len, total_len;
  uint64_t sum;  /* XXH3-64 of the whole file with this field zero */
} FileHeader;

typedef struct SegHeader {
  char magic[8];
  uint64_t tag, total_len, pad;
} SegHeader;

static size_t width(SnapColKind k) {
  return k == SC_I64 || k == SC_F64 ? 8 : k == SC_I8 ? 1 : 4;
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) abort();
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* The directory part of path (malloc'd). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  size_t n = (size_t)(slash - path);
  char *d = malloc(n + 2);
  if (!d) abort();
  memcpy(d, path, n ? n : 1);
  d[n ? n : 1] = 0;
  return d;
}

/* ---------------------------------------------------------------- write */

typedef struct Buf {
  char *p;
  size_t len, cap;
} Buf;

static void b_put(Buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 256;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

static void b_int(Buf *b, int64_t v) { b_put(b, &v, sizeof v); }

static void b_str(Buf *b, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  b_put(b, &n, sizeof n);
  b_put(b, s, n);
}

typedef struct Out {
  const Snapshot *s;
  const char *dir;
  Buf desc;
  /* segments the manifest names: earlier ones (reused) and the new one */
  int *named;           /* s->segs index -> manifest index + 1, 0 = not yet */
  int *usable;          /* s->segs index: its file is still there */
  char **names;
  uint64_t *tags, *lens;
  int nnames;
  /* the new segment */
  FILE *f;
  char *tmp, *name;
  uint64_t tag, pos;
  int index;            /* manifest index, -1 until opened */
  int failed;
  char err[256];
} Out;

static int name_segment(Out *o, const char *name, uint64_t tag, uint64_t len) {
  o->names = realloc(o->names, sizeof *o->names * (size_t)(o->nnames + 1));
  o->tags = realloc(o->tags, sizeof *o->tags * (size_t)(o->nnames + 1));
  o->lens = realloc(o->lens, sizeof *o->lens * (size_t)(o->nnames + 1));
  if (!o->names || !o->tags || !o->lens) abort();
  o->names[o->nnames] = strdup(name);
  if (!o->names[o->nnames]) abort();
  o->tags[o->nnames] = tag;
  o->lens[o->nnames] = len;
  return o->nnames++;
}

static void open_segment(Out *o) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  static uint64_t counter;
  o->tag = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40) ^
           (++counter << 20);
  char name[64];
  snprintf(name, sizeof name, "seg-%016llx.bin", (unsigned long long)o->tag);
  o->name = join(o->dir, name);
  size_t n = strlen(o->name) + 32;
  o->tmp = malloc(n);
  if (!o->tmp) abort();
  snprintf(o->tmp, n, "%s.tmp.%ld", o->name, (long)getpid());
  o->f = fopen(o->tmp, "wb");
  if (!o->f) {
    snprintf(o->err, sizeof o->err, "cannot write %s: %s", o->tmp, strerror(errno));
    o->failed = 1;
    return;
  }
  static const char zeros[SEG_HEADER] = {0};
  if (fwrite(zeros, 1, SEG_HEADER, o->f) != SEG_HEADER) o->failed = 1;
  o->pos = SEG_HEADER;
  o->index = name_segment(o, name, o->tag, 0);
}

/* The reference to array p of n bytes: where it already is when that is a
 * segment file still there, else appended to the new segment. */
static void put_array(Out *o, const void *p, size_t n) {
  if (!p) {
    b_int(&o->desc, -1);
    b_int(&o->desc, 0);
    b_int(&o->desc, 0);
    return;
  }
  /* the checksum: recorded for an array read from a file (checked first
   * when only part of it is written), computed for one built in memory */
  uint64_t sum;
  SnapArr *a = (SnapArr *)snapshot_array(o->s, p);
  if (a && a->state == 0 && a->len != n) a->state = XXH3_64bits(a->p, a->len) == a->sum ? 1 : -1;
  if (a && a->state < 0) {
    snprintf(o->err, sizeof o->err, "an array of segment %s is damaged", o->s->segs[a->seg].name);
    o->failed = 1;
  }
  if (a && a->len == n) sum = a->sum;
  else if (a && n > a->len) {
    snprintf(o->err, sizeof o->err, "an array of segment %s is shorter than its column", o->s->segs[a->seg].name);
    o->failed = 1;
    sum = 0;
  } else sum = XXH3_64bits(p, n);
  const char *c = p;
  for (int i = 0; i < o->s->nsegs; i++) {
    const SnapSeg *g = &o->s->segs[i];
    if (!o->usable[i] || c < g->base + SEG_HEADER || c > g->base + g->len ||
        n > (size_t)(g->base + g->len - c) || (c - g->base) % 8)
      continue;
    if (!o->named[i]) o->named[i] = name_segment(o, g->name, g->tag, g->len) + 1;
    b_int(&o->desc, o->named[i] - 1);
    b_int(&o->desc, c - g->base);
    b_int(&o->desc, (int64_t)sum);
    return;
  }
  if (!o->f && !o->failed) open_segment(o);
  if (o->failed) {
    b_int(&o->desc, -1);
    b_int(&o->desc, 0);
    b_int(&o->desc, 0);
    return;
  }
  static const char zeros[8] = {0};
  size_t pad = (size_t)((8 - o->pos % 8) % 8);
  if (pad && fwrite(zeros, 1, pad, o->f) != pad) o->failed = 1;
  o->pos += pad;
  b_int(&o->desc, o->index);
  b_int(&o->desc, (int64_t)o->pos);
  b_int(&o->desc, (int64_t)sum);
  if (n && fwrite(p, 1, n, o->f) != n) o->failed = 1;
  o->pos += n;
}

static void write_col(Out *o, const SnapTable *t, const SnapCol *c) {
  size_t nr = (size_t)t->nrows;
  b_str(&o->desc, c->name);
  b_int(&o->desc, c->kind);
  b_int(&o->desc, c->type);
  b_int(&o->desc, c->bad);
  b_int(&o->desc, c->dec_has_int);
  put_array(o, c->nulls, (nr / 64 + 1) * 8);
  put_array(o, c->data, nr * width(c->kind));
  b_int(&o->desc, c->ndict);
  b_int(&o->desc, c->dict_sorted);
  put_array(o, c->str_off, c->str_off ? ((size_t)c->ndict + 1) * 8 : 0);
  put_array(o, c->str_bytes, c->str_off ? c->str_off[c->ndict] : 0);
  b_int(&o->desc, c->link_table);
  put_array(o, c->link_rows, nr * 4);
}

/* Closes the new segment: header, fsync, rename. */
static void finish_segment(Out *o) {
  if (!o->f) return;
  SegHeader h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, SEG_MAGIC, 8);
  h.tag = o->tag;
  h.total_len = o->pos;
  o->lens[o->index] = o->pos;
  if (fseek(o->f, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, o->f) != 1) o->failed = 1;
  if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0) o->failed = 1;
  if (fclose(o->f) != 0) o->failed = 1;
  o->f = NULL;
  if (!o->failed && rename(o->tmp, o->name) != 0) o->failed = 1;
  if (o->failed) {
    if (!o->err[0]) snprintf(o->err, sizeof o->err, "cannot write %s: %s", o->name, strerror(errno));
    unlink(o->tmp);
  }
}

/* Removes segments the manifest does not name (a minute old) and
 * temporary files left by crashed writers (an hour old). */
static void collect_garbage(Out *o) {
  DIR *d = opendir(o->dir);
  if (!d) return;
  time_t now = time(NULL);
  const char *age = getenv("CAMP_SNAPSHOT_GC_AGE"); /* tests */
  long seg_age = age && *age ? atol(age) : SEG_GC_AGE;
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *n = e->d_name;
    size_t len = strlen(n);
    int tmp = strstr(n, ".tmp.") != NULL;
    int seg = !tmp && !strncmp(n, "seg-", 4) && len > 8 && !strcmp(n + len - 4, ".bin");
    if (!tmp && !seg) continue;
    if (tmp && strncmp(n, "seg-", 4) && strncmp(n, "snapshot.bin", 12)) continue;
    int named = 0;
    for (int i = 0; seg && i < o->nnames; i++) named |= !strcmp(o->names[i], n);
    if (named) continue;
    char *path = join(o->dir, n);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        now - st.st_mtime >= (tmp ? TMP_GC_AGE : seg_age))
      unlink(path);
    free(path);
  }
  closedir(d);
}

int snapshot_save(const Snapshot *s, const char *path, char *err, size_t errlen) {
  Out o;
  memset(&o, 0, sizeof o);
  o.s = s;
  o.index = -1;
  char *dir = dir_of(path);
  o.dir = dir;
  o.named = calloc((size_t)s->nsegs + 1, sizeof *o.named);
  o.usable = calloc((size_t)s->nsegs + 1, sizeof *o.usable);
  if (!o.named || !o.usable) abort();
  /* reuse only segments of this directory that are still there */
  for (int i = 0; i < s->nsegs; i++) {
    char *p = join(dir, s->segs[i].name);
    struct stat st;
    o.usable[i] = stat(p, &st) == 0 && (uint64_t)st.st_size == s->segs[i].len;
    free(p);
  }
  for (int i = 0; i < s->ntables; i++) {
    const SnapTable *t = &s->tables[i];
    b_str(&o.desc, t->name);
    b_int(&o.desc, t->nrows);
    b_int(&o.desc, t->count);
    b_int(&o.desc, t->max_rowid);
    b_int(&o.desc, t->key_col);
    b_int(&o.desc, t->key_bad);
    b_int(&o.desc, t->has_hash);
    b_int(&o.desc, (int64_t)t->hash[0]);
    b_int(&o.desc, (int64_t)t->hash[1]);
    put_array(&o, t->rowids, (size_t)t->nrows * 8);
    b_int(&o.desc, t->has_leaves);
    b_int(&o.desc, t->has_leaves ? t->nleaves : 0);
    put_array(&o, t->has_leaves ? t->leaves : NULL, t->has_leaves ? (size_t)t->nleaves * 16 : 0);
    b_int(&o.desc, t->ncols);
    for (int k = 0; k < t->ncols; k++) write_col(&o, t, &t->cols[k]);
    b_int(&o.desc, t->ncolls);
    for (int k = 0; k < t->ncolls; k++) {
      const SnapColl *c = &t->colls[k];
      const SnapTable *ct = &s->tables[c->child_table];
      b_str(&o.desc, c->name);
      b_int(&o.desc, c->child_table);
      b_int(&o.desc, c->fk_col);
      put_array(&o, c->offsets, ((size_t)t->nrows + 1) * 4);
      put_array(&o, c->rows, (size_t)ct->nrows * 4);
    }
  }
  finish_segment(&o);
  int rc = -1;
  char *tmp = NULL;
  if (o.failed) {
    snprintf(err, errlen, "%s", o.err[0] ? o.err : "cannot write the snapshot");
    goto done;
  }
  /* the manifest: header, the segments it names, then the tables */
  Buf m = {0};
  FileHeader h;
  memset(&h, 0, sizeof h);
  b_put(&m, &h, sizeof h);
  size_t desc_off = m.len;
  b_int(&m, o.nnames);
  for (int i = 0; i < o.nnames; i++) {
    b_str(&m, o.names[i]);
    b_int(&m, (int64_t)o.tags[i]);
    b_int(&m, (int64_t)o.lens[i]);
  }
  b_put(&m, o.desc.p ? o.desc.p : "", o.desc.len);
  memcpy(h.magic, MAGIC, 8);
  h.version = SNAP_FILE_VERSION;
  h.ntables = (uint32_t)s->ntables;
  h.fp = s->fp;
  h.desc_off = desc_off;
  h.desc_len = m.len - desc_off;
  h.total_len = m.len;
  memcpy(m.p, &h, sizeof h);
  h.sum = XXH3_64bits(m.p, m.len);
  memcpy(m.p, &h, sizeof h);
  size_t n = strlen(path) + 32;
  tmp = malloc(n);
  if (!tmp) abort();
  snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(m.p, 1, m.len, f) == m.len;
  if (f) ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok, ok = fclose(f) == 0 && ok;
  free(m.p);
  if (!ok || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write snapshot %s: %s", path, strerror(errno));
    unlink(tmp);
    if (o.index >= 0) unlink(o.name); /* named by no manifest */
    goto done;
  }
  rc = 0;
  collect_garbage(&o);
done:
  free(tmp);
  free(o.desc.p);
  for (int i = 0; i < o.nnames; i++) free(o.names[i]);
  free(o.names);
  free(o.tags);
  free(o.lens);
  free(o.named);
  free(o.usable);
  free(o.tmp);
  free(o.name);
  free(dir);
  return rc;
}

/* ----------------------------------------------------------------- read */

typedef struct In {
  const char *d;
  uint64_t dlen, at;
  int bad;
  Snapshot *s;
  char seg[128];    /* the segment file found wrong, if any */
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

/* Registers the array [p, p+n) of segment seg with its checksum. */
static void add_array(Snapshot *s, const void *p, uint64_t n, uint64_t sum, int seg) {
  if (!n) return; /* nothing to check */
  if ((s->narrs & (s->narrs - 1)) == 0) {
    s->arrs = realloc(s->arrs, sizeof *s->arrs * (size_t)(s->narrs ? s->narrs * 2 : 64));
    if (!s->arrs) abort();
  }
  SnapArr *a = &s->arrs[s->narrs++];
  memset(a, 0, sizeof *a);
  a->p = p;
  a->len = n;
  a->sum = sum;
  a->seg = seg;
}

/* The array at (seg, off) of n bytes, with checksum sum; NULL if seg is -1. */
static const void *array_at(In *in, int64_t seg, int64_t off, uint64_t sum, uint64_t n) {
  if (in->bad || seg == -1) return NULL;
  if (seg < 0 || seg >= in->s->nsegs) { in->bad = 1; return NULL; }
  const SnapSeg *g = &in->s->segs[seg];
  if (off < SEG_HEADER || off % 8 || (uint64_t)off > g->len || n > g->len - (uint64_t)off) {
    in->bad = 1;
    return NULL;
  }
  add_array(in->s, g->base + off, n, sum, (int)seg);
  return g->base + off;
}

/* Pointer to the array of n bytes referenced next; NULL if absent. */
static const void *g_arr(In *in, uint64_t n) {
  int64_t seg = g_int(in), off = g_int(in);
  uint64_t sum = (uint64_t)g_int(in);
  return array_at(in, seg, off, sum, n);
}

static void read_col(In *in, SnapTable *t, SnapCol *c, int64_t ntables) {
  uint64_t nr = (uint64_t)t->nrows;
  c->name = g_str(in);
  int64_t kind = g_int(in), type = g_int(in);
  c->bad = (int)g_int(in);
  c->dec_has_int = (int)g_int(in);
  /* the kind must be the one the type is stored as: engines pick the
   * arrays they read by type */
  if (type < T_BOOL || type > T_ENUM || kind != (int64_t)snap_kind_of((TypeKind)type)) {
    in->bad = 1;
    return;
  }
  c->kind = (SnapColKind)kind;
  c->type = (TypeKind)type;
  c->nulls = g_arr(in, (nr / 64 + 1) * 8);
  c->data = g_arr(in, nr * width(c->kind));
  int64_t ndict = g_int(in);
  c->dict_sorted = g_int(in) != 0;
  if (ndict < 0 || ndict > UINT32_MAX - 1) in->bad = 1;
  c->ndict = (uint32_t)ndict;
  c->str_off = in->bad ? NULL : g_arr(in, ((uint64_t)c->ndict + 1) * 8);
  /* the length of the strings: bounds-checked here, the value itself
   * by str_off's checksum on first use */
  uint64_t nb = c->str_off ? c->str_off[c->ndict] : 0;
  c->str_bytes = g_arr(in, nb);
  int64_t lt = g_int(in);
  c->link_rows = g_arr(in, nr * 4);
  if (lt < -1 || lt >= ntables || (lt >= 0) != (c->link_rows != NULL)) in->bad = 1;
  c->link_table = (int)lt;
  if (c->kind == SC_TEXT ? !c->str_off || !c->str_bytes : c->str_off || c->str_bytes) in->bad = 1;
  if (c->kind != SC_TEXT && nr && !c->data) in->bad = 1;
}

/* Maps the segments the manifest names; *gone when a file is missing. */
static void read_segments(In *in, const char *dir, int *gone) {
  int64_t n = g_int(in);
  if (in->bad || n < 0 || n > 100000) { in->bad = 1; return; }
  Snapshot *s = in->s;
  s->segs = calloc((size_t)n + 1, sizeof *s->segs);
  if (!s->segs) abort();
  for (int64_t i = 0; i < n && !in->bad; i++) {
    char *name = g_str(in);
    uint64_t tag = (uint64_t)g_int(in), len = (uint64_t)g_int(in);
    if (in->bad || strncmp(name, "seg-", 4) || strchr(name, '/') || len < SEG_HEADER) {
      free(name);
      in->bad = 1;
      return;
    }
    char *path = join(dir, name);
    int fd = open(path, O_RDONLY);
    free(path);
    struct stat st;
    SegHeader h;
    if (fd < 0) *gone = errno == ENOENT;
    if (fd < 0 || fstat(fd, &st) != 0 || (uint64_t)st.st_size != len ||
        pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h.magic, SEG_MAGIC, 8) ||
        h.tag != tag || h.total_len != len) {
      snprintf(in->seg, sizeof in->seg, "%.60s %s", name,
               fd < 0 ? "is missing" : (uint64_t)st.st_size != len ? "has the wrong length" : "has a wrong header");
      if (fd >= 0) close(fd);
      free(name);
      in->bad = 1;
      return;
    }
    void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
      free(name);
      in->bad = 1;
      return;
    }
    s->segs[s->nsegs].name = name;
    s->segs[s->nsegs].tag = tag;
    s->segs[s->nsegs].base = map;
    s->segs[s->nsegs].len = (size_t)len;
    s->nsegs++;
  }
}

typedef struct RowsRef {
  SnapColl *c;
  int64_t seg, off;
  uint64_t sum;
} RowsRef;

static void parse(In *in, const FileHeader *h) {
  Snapshot *s = in->s;
  s->fp = h->fp;
  s->tables = calloc(h->ntables + 1, sizeof *s->tables);
  if (!s->tables) abort();
  RowsRef *refs = NULL;
  size_t nrefs = 0;
  for (uint32_t i = 0; i < h->ntables && !in->bad; i++) {
    SnapTable *t = &s->tables[s->ntables++];
    t->name = g_str(in);
    t->nrows = g_int(in);
    t->count = g_int(in);
    t->max_rowid = g_int(in);
    t->key_col = (int)g_int(in);
    t->key_bad = (int)g_int(in);
    t->has_hash = (int)g_int(in);
    t->hash[0] = (uint64_t)g_int(in);
    t->hash[1] = (uint64_t)g_int(in);
    if (t->nrows < 0 || t->nrows > INT32_MAX) { in->bad = 1; break; }
    t->rowids = g_arr(in, (uint64_t)t->nrows * 8);
    t->has_leaves = g_int(in) != 0;
    t->nleaves = g_int(in);
    if (t->nleaves < 0 || t->nleaves > INT32_MAX) { in->bad = 1; break; }
    t->leaves = g_arr(in, (uint64_t)t->nleaves * 16);
    if (t->has_leaves && t->nleaves && !t->leaves) in->bad = 1;
    int64_t nc = g_int(in);
    if (in->bad || nc < 0 || nc > 100000 || t->nrows < 0 || t->nrows > INT32_MAX) { in->bad = 1; break; }
    t->cols = calloc((size_t)nc + 1, sizeof *t->cols);
    if (!t->cols) abort();
    for (int64_t k = 0; k < nc && !in->bad; k++) read_col(in, t, &t->cols[t->ncols++], h->ntables);
    if (t->key_col < -1 || t->key_col >= t->ncols) in->bad = 1;
    int64_t ncl = g_int(in);
    if (in->bad || ncl < 0 || ncl > 100000) { in->bad = 1; break; }
    t->colls = calloc((size_t)ncl + 1, sizeof *t->colls);
    refs = realloc(refs, sizeof *refs * (nrefs + (size_t)ncl + 1));
    if (!t->colls || !refs) abort();
    for (int64_t k = 0; k < ncl && !in->bad; k++) {
      SnapColl *c = &t->colls[t->ncolls++];
      c->name = g_str(in);
      c->child_table = (int)g_int(in);
      c->fk_col = (int)g_int(in);
      c->offsets = g_arr(in, ((uint64_t)t->nrows + 1) * 4);
      /* the rows' length is the child's row count: checked below */
      refs[nrefs].c = c;
      refs[nrefs].seg = g_int(in);
      refs[nrefs].off = g_int(in);
      refs[nrefs++].sum = (uint64_t)g_int(in);
      if (c->child_table < 0 || c->child_table >= (int)h->ntables || !c->offsets) in->bad = 1;
    }
  }
  for (size_t i = 0; i < nrefs && !in->bad; i++) {
    SnapColl *c = refs[i].c;
    const SnapTable *ct = &s->tables[c->child_table];
    if (c->fk_col < 0 || c->fk_col >= ct->ncols || refs[i].seg < 0 || refs[i].seg >= s->nsegs) {
      in->bad = 1;
      break;
    }
    c->rows = array_at(in, refs[i].seg, refs[i].off, refs[i].sum, (uint64_t)ct->nrows * 4);
  }
  free(refs);
  snapshot_sort_arrays(s);
}

static Snapshot *load_once(const char *path, int *gone, int *damage, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(err, errlen, "no snapshot %s", path);
    return NULL;
  }
  struct stat st;
  FileHeader h;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof h || st.st_size > (1 << 30) ||
      pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h.magic, MAGIC, 8) ||
      h.version != SNAP_FILE_VERSION || h.total_len != (uint64_t)st.st_size ||
      h.desc_off > h.total_len || h.desc_len > h.total_len - h.desc_off) {
    /* an earlier camp's snapshot is not damage: it is just rebuilt */
    *damage = !(st.st_size >= 8 && !memcmp(h.magic, MAGIC, 7) && memcmp(h.magic, MAGIC, 8));
    close(fd);
    snprintf(err, errlen, "snapshot %s is not a complete camp snapshot", path);
    return NULL;
  }
  char *buf = malloc((size_t)st.st_size);
  if (!buf) abort();
  ssize_t got = pread(fd, buf, (size_t)st.st_size, 0);
  close(fd);
  if (got != (ssize_t)st.st_size) {
    free(buf);
    snprintf(err, errlen, "cannot read %s", path);
    return NULL;
  }
  memset(buf + offsetof(FileHeader, sum), 0, sizeof h.sum);
  *damage = 1;
  if (XXH3_64bits(buf, (size_t)st.st_size) != h.sum) {
    free(buf);
    snprintf(err, errlen, "snapshot %s is damaged (checksum mismatch)", path);
    return NULL;
  }
  Snapshot *s = calloc(1, sizeof *s);
  if (!s) abort();
  In in = {buf + h.desc_off, h.desc_len, 0, 0, s, ""};
  char *dir = dir_of(path);
  read_segments(&in, dir, gone);
  s->dir = dir;
  if (!in.bad) parse(&in, &h);
  free(buf);
  if (in.bad) {
    snprintf(err, errlen, "snapshot %s is damaged%s%s%s", path, in.seg[0] ? " (" : "", in.seg,
             in.seg[0] ? ")" : "");
    snapshot_free(s);
    return NULL;
  }
  *damage = 0;
  return s;
}

Snapshot *snap_load(const char *path, int *damage, char *err, size_t errlen) {
  /* a segment gone: a writer replaced the manifest meanwhile; read it again */
  for (int attempt = 0;; attempt++) {
    int gone = 0;
    *damage = 0;
    Snapshot *s = load_once(path, &gone, damage, err, errlen);
    if (s || !gone || attempt == 2) return s;
  }
}

Snapshot *snapshot_load(const char *path, char *err, size_t errlen) {
  int damage;
  return snap_load(path, &damage, err, errlen);
}

int snapshot_manifest_seal(char *buf, size_t len, const SnapFingerprint *fp) {
  FileHeader h;
  if (len < sizeof h) return -1;
  memcpy(&h, buf, sizeof h);
  if (fp) h.fp = *fp;
  h.sum = 0;
  memcpy(buf, &h, sizeof h);
  h.sum = XXH3_64bits(buf, len);
  memcpy(buf, &h, sizeof h);
  return 0;
}
