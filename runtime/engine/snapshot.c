/* snapshot.c — snapshot bookkeeping: which tables a rule reads, what the
 * database looked like (fingerprint), freshness and comparison.  Building is in snapshot_build.c, files in
 * snapshot_file.c; the layout and look-ups in compiler/rules/columns.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/snapshot_impl.h"

void snapshot_add_schema(Schema *s, Schema ***set, int *n) {
  if (!s) return;
  for (int i = 0; i < *n; i++)
    if ((*set)[i] == s) return;
  Schema **v = realloc(*set, sizeof *v * (size_t)(*n + 1));
  if (!v) abort();
  v[(*n)++] = s;
  *set = v;
}

void snapshot_rule_schemas(Expr *e, Schema ***set, int *n) {
  if (!e) return;
  if (e->ref == REF_COLUMN && e->col) snapshot_add_schema(e->col->owner, set, n);
  if (e->ref == REF_LINK && e->col) {
    snapshot_add_schema(e->col->owner, set, n);
    snapshot_add_schema(e->col->link, set, n);
  }
  if (e->ref == REF_COLLECTION && e->schema) snapshot_add_schema(e->schema, set, n);
  if (e->ref == REF_COLLECTION && e->col && e->col->link) snapshot_add_schema(e->col->link, set, n);
  snapshot_rule_schemas(e->left, set, n);
  snapshot_rule_schemas(e->right, set, n);
  snapshot_rule_schemas(e->where, set, n);
  for (int i = 0; i < e->args.len; i++) snapshot_rule_schemas(e->args.items[i], set, n);
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int snapshot_fingerprint(const char *db_path, SnapFingerprint *fp) {
  memset(fp, 0, sizeof *fp);
  if (!db_path || !strcmp(db_path, ":memory:")) return 0;
  if (!strncmp(db_path, "sqlite:", 7)) db_path += 7;
  int fd = snap_db_fd(db_path); /* never closed: see snapshot_fd.c */
  if (fd < 0) return -1;
  unsigned char h[100];
  struct stat st;
  int ok = pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h && fstat(fd, &st) == 0;
  if (!ok) return -1;
  fp->change_counter = be32(h + 24);
  fp->wal_mode = h[18] == 2;
  fp->db_size = st.st_size;
  fp->db_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  fp->db_ino = (uint64_t)st.st_ino;
  fp->db_dev = (uint64_t)st.st_dev;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  fp->taken_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
  /* In WAL mode commits do not touch the header: the WAL's size and salts
   * (which change when it restarts) identify its content. */
  size_t n = strlen(db_path);
  char *wal = malloc(n + 5);
  if (!wal) abort();
  memcpy(wal, db_path, n);
  memcpy(wal + n, "-wal", 5);
  fd = open(wal, O_RDONLY);
  free(wal);
  if (fd >= 0) {
    unsigned char w[32];
    if (fstat(fd, &st) == 0) {
      fp->wal_size = st.st_size;
      fp->wal_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    if (pread(fd, w, sizeof w, 0) == (ssize_t)sizeof w) {
      fp->wal_salt1 = be32(w + 16);
      fp->wal_salt2 = be32(w + 20);
    }
    close(fd);
  }
  return 0;
}

static uint64_t fnv(uint64_t h, const char *s) {
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return (h ^ 0xff) * 1099511628211ULL;
}

#define SNAP_LAYOUT "camp-snapshot-layout-2"

uint64_t snapshot_schema_hash(Schema **schemas, int n) {
  uint64_t h = fnv(1469598103934665603ULL, SNAP_LAYOUT);
  char num[32];
  for (int i = 0; i < n; i++) {
    Schema *s = schemas[i];
    h = fnv(h, s->name);
    for (int k = 0; k < s->columns.len; k++) {
      Column *c = s->columns.items[k];
      h = fnv(h, c->name);
      snprintf(num, sizeof num, "%d/%d", (int)c->type->kind, c->is_key);
      h = fnv(h, num);
      h = fnv(h, c->link ? c->link->name : "-");
    }
  }
  return h;
}

void snap_table_free(SnapTable *t) {
  free(t->name);
  for (int k = 0; k < t->ncols; k++) free(t->cols[k].name);
  for (int k = 0; k < t->ncolls; k++) free(t->colls[k].name);
  free(t->cols);
  free(t->colls);
  memset(t, 0, sizeof *t);
}

void snapshot_free(Snapshot *s) {
  if (!s) return;
  for (int i = 0; i < s->ntables; i++) snap_table_free(&s->tables[i]);
  free(s->tables);
  for (int i = 0; i < s->nblocks; i++) free(s->blocks[i]);
  free(s->blocks);
  for (int i = 0; i < s->nsegs; i++) {
    munmap((void *)s->segs[i].base, s->segs[i].len);
    free(s->segs[i].name);
  }
  free(s->segs);
  free(s->arrs);
  free(s->dir);
  free(s);
}

int snap_table_layout_matches(const SnapTable *t, Schema *s) {
  if (t->ncols != s->columns.len) return 0;
  int key = -1;
  for (int k = 0; k < t->ncols; k++) {
    Column *c = s->columns.items[k];
    if (strcmp(t->cols[k].name, c->name) || t->cols[k].type != c->type->kind) return 0;
    if (c == s->key) key = k;
  }
  return t->key_col == key;
}

/* 1 if table t of snapshot s was built with exactly schema sc's columns,
 * key and link targets. */
static int table_matches(const Snapshot *s, const SnapTable *t, Schema *sc) {
  if (!snap_table_layout_matches(t, sc)) return 0;
  for (int k = 0; k < t->ncols; k++) {
    Column *c = sc->columns.items[k];
    int lt = t->cols[k].link_table;
    if (lt < 0) continue;
    if (!c->link || lt >= s->ntables || strcmp(s->tables[lt].name, c->link->name)) return 0;
  }
  return 1;
}

int snapshot_same_file(const SnapFingerprint *a, const SnapFingerprint *b) {
  return a->change_counter == b->change_counter && a->wal_mode == b->wal_mode && a->db_size == b->db_size &&
         a->wal_size == b->wal_size && a->wal_salt1 == b->wal_salt1 &&
         a->wal_salt2 == b->wal_salt2 && a->db_mtime_ns == b->db_mtime_ns &&
         a->wal_mtime_ns == b->wal_mtime_ns && a->db_ino == b->db_ino && a->db_dev == b->db_dev;
}

/* Two seconds: more than any file system's modification time granularity
 * (FAT's is two seconds; Linux file systems tick at most every 10 ms). */
#define RACY_NS 2000000000LL

int snapshot_file_unchanged(const char *db_path, const SnapFingerprint *fp) {
  /* In-memory databases have no file to watch: never trust a snapshot. */
  if (!db_path || !strcmp(db_path, ":memory:")) return 0;
  SnapFingerprint now;
  if (snapshot_fingerprint(db_path, &now) != 0 || !snapshot_same_file(&now, fp)) return 0;
  /* rollback journal: every commit changed the header's change counter */
  if (!fp->wal_mode) return 1;
  /* WAL mode, with frames in the WAL: a commit appends to it (its size),
   * restarts it (new salts) or truncates it (its size) */
  if (fp->wal_size > 0) return 1;
  /* no frames: a commit whose frames were checkpointed away (the WAL
   * deleted or truncated again) wrote the database file: its modification
   * time shows it, unless within the clock tick of fp */
  return fp->db_mtime_ns <= fp->taken_ns - RACY_NS;
}

int snapshot_fresh(const Snapshot *s, Db *db, const char *db_path, Schema **schemas, int n) {
  (void)db;
  /* No commit since the fingerprint (every commit changes the header's
   * change counter, the WAL or the file's modification time): no table
   * changed.  Row counts are not compared: a count(*) costs a scan. */
  if (!snapshot_file_unchanged(db_path, &s->fp)) return 0;
  for (int i = 0; i < n; i++) {
    int ti = snapshot_table(s, schemas[i]->name);
    if (ti < 0 || s->tables[ti].damaged || !table_matches(s, &s->tables[ti], schemas[i])) return 0;
  }
  return 1;
}

/* ------------------------------------------------------------ compare */

#define DIFF(...) return snprintf(why, whylen, __VA_ARGS__), 1

static int same_bytes(const void *a, const void *b, size_t n) {
  if (!n) return 1;
  if (!a || !b) return a == b;
  return memcmp(a, b, n) == 0;
}

static int col_width(SnapColKind k) { return k == SC_I64 || k == SC_F64 ? 8 : k == SC_I8 ? 1 : 4; }

static int compare_col(const SnapTable *ta, const SnapCol *a, const SnapCol *b, char *why,
                       size_t whylen) {
  size_t nr = (size_t)ta->nrows;
  const char *t = ta->name, *c = a->name;
  if (strcmp(a->name, b->name)) DIFF("%s: column %s vs %s", t, a->name, b->name);
  if (a->kind != b->kind || a->type != b->type) DIFF("%s.%s: kind or type", t, c);
  if (a->bad != b->bad) DIFF("%s.%s: bad %d vs %d", t, c, a->bad, b->bad);
  if (a->dec_has_int != b->dec_has_int) DIFF("%s.%s: dec_has_int %d vs %d", t, c, a->dec_has_int, b->dec_has_int);
  if (!a->nulls != !b->nulls) DIFF("%s.%s: NULL bitmap present in one only", t, c);
  if (!same_bytes(a->nulls, b->nulls, (nr / 64 + 1) * 8)) DIFF("%s.%s: NULL bitmaps differ", t, c);
  if (!a->data != !b->data) DIFF("%s.%s: data present in one only", t, c);
  if (!same_bytes(a->data, b->data, nr * (size_t)col_width(a->kind))) {
    for (size_t r = 0; r < nr; r++)
      if (memcmp((const char *)a->data + r * (size_t)col_width(a->kind),
                 (const char *)b->data + r * (size_t)col_width(a->kind), (size_t)col_width(a->kind)))
        DIFF("%s.%s: data differ (first at row %zu)", t, c, r);
  }
  if (a->ndict != b->ndict || a->dict_sorted != b->dict_sorted)
    DIFF("%s.%s: dictionary of %u%s vs %u%s strings", t, c, a->ndict, a->dict_sorted ? " sorted" : "",
         b->ndict, b->dict_sorted ? " sorted" : "");
  if (!a->str_off != !b->str_off) DIFF("%s.%s: strings present in one only", t, c);
  if (a->str_off) {
    if (!same_bytes(a->str_off, b->str_off, ((size_t)a->ndict + 1) * 8)) DIFF("%s.%s: string offsets differ", t, c);
    if (!same_bytes(a->str_bytes, b->str_bytes, a->str_off[a->ndict])) DIFF("%s.%s: strings differ", t, c);
  }
  if (!a->link_rows != !b->link_rows) DIFF("%s.%s: link rows present in one only", t, c);
  if (!same_bytes(a->link_rows, b->link_rows, nr * 4)) DIFF("%s.%s: link rows differ", t, c);
  return 0;
}

/* Name of table i of s, "-" when out of range (link_table -1). */
static const char *tname(const Snapshot *s, int i) {
  return i >= 0 && i < s->ntables ? s->tables[i].name : "-";
}

int snapshot_compare(const Snapshot *a, const Snapshot *b, char *why, size_t whylen) {
  if (a->ntables != b->ntables) DIFF("%d vs %d tables", a->ntables, b->ntables);
  /* tables are matched by name: their order is the order they were asked
   * for in, which differs between a campaign and its steps one by one */
  for (int i = 0; i < a->ntables; i++) {
    const SnapTable *x = &a->tables[i];
    int j = snapshot_table(b, x->name);
    if (j < 0) DIFF("table %s is missing from the second snapshot", x->name);
    const SnapTable *y = &b->tables[j];
    if (x->nrows != y->nrows) DIFF("%s: %lld vs %lld rows", x->name, (long long)x->nrows, (long long)y->nrows);
    if (x->count != y->count || x->max_rowid != y->max_rowid)
      DIFF("%s: count/max rowid %lld/%lld vs %lld/%lld", x->name, (long long)x->count,
           (long long)x->max_rowid, (long long)y->count, (long long)y->max_rowid);
    if (x->key_col != y->key_col || x->key_bad != y->key_bad) DIFF("%s: key column or key_bad", x->name);
    if (x->has_hash && y->has_hash && memcmp(x->hash, y->hash, sizeof x->hash))
      DIFF("%s: content hashes differ", x->name);
    if (!x->rowids != !y->rowids || !same_bytes(x->rowids, y->rowids, (size_t)x->nrows * 8))
      DIFF("%s: rowids differ", x->name);
    if (x->has_leaves != y->has_leaves || x->nleaves != y->nleaves ||
        !same_bytes(x->leaves, y->leaves, (size_t)x->nleaves * 16))
      DIFF("%s: page hashes differ", x->name);
    if (x->ncols != y->ncols) DIFF("%s: %d vs %d columns", x->name, x->ncols, y->ncols);
    for (int k = 0; k < x->ncols; k++) {
      if (compare_col(x, &x->cols[k], &y->cols[k], why, whylen)) return 1;
      if (strcmp(tname(a, x->cols[k].link_table), tname(b, y->cols[k].link_table)))
        DIFF("%s.%s: links to %s vs %s", x->name, x->cols[k].name, tname(a, x->cols[k].link_table),
             tname(b, y->cols[k].link_table));
    }
    if (x->ncolls != y->ncolls) DIFF("%s: %d vs %d collections", x->name, x->ncolls, y->ncolls);
    for (int k = 0; k < x->ncolls; k++) {
      const SnapColl *p = &x->colls[k], *q = &y->colls[k];
      if (p->child_table < 0 || p->child_table >= a->ntables || q->child_table < 0 ||
          q->child_table >= b->ntables)
        DIFF("%s.%s: bad child table", x->name, p->name);
      if (strcmp(p->name, q->name) || strcmp(tname(a, p->child_table), tname(b, q->child_table)) ||
          p->fk_col != q->fk_col)
        DIFF("%s: collection %d (%s vs %s)", x->name, k, p->name, q->name);
      if (!same_bytes(p->offsets, q->offsets, ((size_t)x->nrows + 1) * 4))
        DIFF("%s.%s: collection offsets differ", x->name, p->name);
      if (!same_bytes(p->rows, q->rows, (size_t)a->tables[p->child_table].nrows * 4))
        DIFF("%s.%s: collection rows differ", x->name, p->name);
    }
  }
  return 0;
}

#undef DIFF
