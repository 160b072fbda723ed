/* columns_check.c — the integrity of a snapshot read from files
 * (columns.h): checksums of the mapped arrays and every bound the engines
 * rely on, checked the first time a column or collection is used.
 *
 * Why on first use and not at load: a plan reads a few columns of each
 * table, and hashing a whole 10M-row snapshot would cost more than the
 * plan's own pass over them.  A column is hashed and walked once (the
 * answer is cached in it), at memory speed; an array built in memory has
 * no registry entry and needs nothing.
 *
 * The checksums catch damage (a flipped bit, a zeroed block); the bound
 * checks make sure that even a file written with matching checksums by
 * something else cannot make camp read outside an array: codes index
 * dictionaries, offsets index string bytes and every string ends with its
 * NUL, link rows and collection rows index their tables, collection
 * offsets are ordered and within the child table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <xxhash.h>

#include "compiler/rules/columns.h"

static int cmp_arr(const void *a, const void *b) {
  const char *x = ((const SnapArr *)a)->p, *y = ((const SnapArr *)b)->p;
  return x < y ? -1 : x > y;
}

void snapshot_sort_arrays(Snapshot *s) {
  if (s->narrs > 1) qsort(s->arrs, (size_t)s->narrs, sizeof *s->arrs, cmp_arr);
}

const SnapArr *snapshot_array(const Snapshot *s, const void *p) {
  if (!p || !s || !s->narrs) return NULL;
  SnapArr key = {0};
  key.p = p;
  return bsearch(&key, s->arrs, (size_t)s->narrs, sizeof *s->arrs, cmp_arr);
}

static int nchecked;
static double check_ms;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void snapshot_check_stats(int *checked, double *ms) {
  *checked = nchecked;
  *ms = check_ms;
}

/* State of a checked column/collection: a cache of a pure function of
 * the (read-only) arrays, hence written through the const pointer. */
#define SET_CHECKED(obj, v) (*(int *)&(obj)->checked = (v))

typedef struct Ck {
  const Snapshot *s;
  const SnapTable *t;
  const char *name;      /* column or collection */
  const char *file;      /* first segment file involved */
  int mapped;            /* some array comes from a file */
  char *why;
  size_t whylen;
} Ck;

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

/* Registers array p with the check: 0 when absent, built in memory or its
 * checksum matches; -1 when it does not. */
static int arr(Ck *k, const void *p) {
  SnapArr *a = (SnapArr *)snapshot_array(k->s, p);
  if (!a) return 0;
  k->mapped = 1;
  if (!k->file) k->file = k->s->segs[a->seg].name;
  if (a->state == 0) {
    /* the pages in one call rather than a fault per page: the hash pass
     * is memory-bound, and the engines then find them mapped */
    if (a->len >= (1u << 20)) {
      uintptr_t lo = (uintptr_t)a->p & ~(uintptr_t)4095, hi = (uintptr_t)a->p + a->len;
      (void)madvise((void *)lo, hi - lo, MADV_POPULATE_READ); /* older kernels: EINVAL, faults */
    }
    a->state = XXH3_64bits(a->p, (size_t)a->len) == a->sum ? 1 : -1;
  }
  if (a->state > 0) return 0;
  k->file = k->s->segs[a->seg].name;
  return -1;
}

static int damaged(Ck *k, const char *what) {
  Snapshot *s = (Snapshot *)k->s;
  s->damaged = 1;
  snprintf(k->why, k->whylen, "snapshot file %s%s%s is damaged (%s.%s: %s)", s->dir ? s->dir : "",
           s->dir ? "/" : "", k->file ? k->file : "snapshot.bin", k->t->name, k->name, what);
  if (s->on_damage) {
    char w[300];
    snprintf(w, sizeof w, "%s.%s: %s", k->t->name, k->name, what);
    s->on_damage(s, k->t, k->file ? k->file : "snapshot.bin", w);
  }
  return -1;
}

/* Days of 0000-01-01 and 9999-12-31: the dates snap_parse_date accepts. */
#define DAY_MIN (-719528)
#define DAY_MAX 2932896

static int text_ok(Ck *k, const SnapCol *c, int64_t nr) {
  const uint64_t *off = c->str_off;
  if (!off || !c->str_bytes) return damaged(k, "strings missing");
  const SnapArr *sb = snapshot_array(k->s, c->str_bytes);
  uint64_t nbytes = sb ? sb->len : off[c->ndict];
  if (off[0] != 0 || off[c->ndict] != nbytes) return damaged(k, "string offsets out of range");
  /* every offset within the bytes before any byte is read through one */
  for (uint32_t i = 0; i < c->ndict; i++)
    if (off[i + 1] <= off[i] || off[i + 1] > nbytes) return damaged(k, "string offsets out of order");
  for (uint32_t i = 0; i < c->ndict; i++)
    if (c->str_bytes[off[i + 1] - 1] != 0) return damaged(k, "a string without its terminator");
  if (c->dict_sorted)
    for (uint32_t i = 1; i < c->ndict; i++)
      if (strcmp(c->str_bytes + off[i - 1], c->str_bytes + off[i]) >= 0)
        return damaged(k, "the dictionary is not sorted");
  if (!c->data) {
    if ((int64_t)c->ndict != nr) return damaged(k, "a plain column without one string per row");
    return 0;
  }
  const int32_t *codes = c->data;
  for (int64_t r = 0; r < nr; r++) {
    int32_t v = codes[r];
    if (v == -1 ? !snap_is_null(c, r) : v < 0 || (uint32_t)v >= c->ndict)
      return damaged(k, "a dictionary code out of range");
  }
  return 0;
}

static int values_ok(Ck *k, const SnapCol *c, int64_t nr) {
  if (nr && !c->data) return damaged(k, "values missing");
  switch (c->type) {
    case T_BOOL:
      for (int64_t r = 0; r < nr; r++)
        if (((const int8_t *)c->data)[r] & ~1) return damaged(k, "a bool neither 0 nor 1");
      break;
    case T_DATE:
      for (int64_t r = 0; r < nr; r++) {
        int32_t d = ((const int32_t *)c->data)[r];
        if (d < DAY_MIN || d > DAY_MAX) return damaged(k, "a date out of range");
      }
      break;
    case T_TIMESTAMP:
      for (int64_t r = 0; r < nr; r++) {
        int64_t v = ((const int64_t *)c->data)[r];
        if (v < (int64_t)DAY_MIN * 86400 || v >= ((int64_t)DAY_MAX + 1) * 86400)
          return damaged(k, "a timestamp out of range");
      }
      break;
    default:
      break;
  }
  return 0;
}

int snapshot_check_col(const Snapshot *s, const SnapTable *t, int ci, char *why, size_t whylen) {
  const SnapCol *c = &t->cols[ci];
  if (c->checked > 0) return 0;
  Ck k = {s, t, c->name, NULL, 0, why, whylen};
  if (c->checked < 0) return damaged(&k, "damaged");
  double t0 = now_ms();
  int bad = arr(&k, c->nulls) | arr(&k, c->data) | arr(&k, c->str_off) | arr(&k, c->str_bytes) |
            arr(&k, c->link_rows);
  int rc = 0;
  if (bad) rc = damaged(&k, "checksum mismatch");
  else if (k.mapped) {
    int64_t nr = t->nrows;
    rc = c->kind == SC_TEXT ? text_ok(&k, c, nr) : values_ok(&k, c, nr);
    if (!rc && c->link_rows) {
      if (c->link_table < 0 || c->link_table >= s->ntables) rc = damaged(&k, "link to no table");
      int64_t tn = rc ? 0 : s->tables[c->link_table].nrows;
      for (int64_t r = 0; !rc && r < nr; r++)
        if (c->link_rows[r] < -1 || c->link_rows[r] >= tn) rc = damaged(&k, "a link row out of range");
    }
    if (!rc && ci == t->key_col && !t->key_bad) {
      const int64_t *kv = c->data;
      if (c->type != T_INT || c->nulls) rc = damaged(&k, "the key is not an int without NULLs");
      for (int64_t r = 1; !rc && r < nr; r++)
        if (kv[r] <= kv[r - 1]) rc = damaged(&k, "the keys are out of order");
    }
  }
  SET_CHECKED(c, rc ? -1 : 1);
  nchecked += k.mapped;
  check_ms += now_ms() - t0;
  return rc;
}

int snapshot_check_coll(const Snapshot *s, const SnapTable *t, int ci, char *why, size_t whylen) {
  const SnapColl *c = &t->colls[ci];
  if (c->checked > 0) return 0;
  Ck k = {s, t, c->name, NULL, 0, why, whylen};
  if (c->checked < 0) return damaged(&k, "damaged");
  int rc = 0;
  double t0 = now_ms();
  if (arr(&k, c->offsets) | arr(&k, c->rows)) rc = damaged(&k, "checksum mismatch");
  else if (k.mapped) {
    if (c->child_table < 0 || c->child_table >= s->ntables || !c->offsets) {
      rc = damaged(&k, "no child table");
    } else {
      int64_t cn = s->tables[c->child_table].nrows, nr = t->nrows;
      const uint32_t *off = c->offsets;
      if (off[0] != 0 || off[nr] > cn || (cn && !c->rows)) rc = damaged(&k, "offsets out of range");
      for (int64_t r = 0; !rc && r < nr; r++)
        if (off[r + 1] < off[r]) rc = damaged(&k, "offsets out of order");
      for (int64_t r = 0; !rc && r < (int64_t)off[nr]; r++)
        if (c->rows[r] >= cn) rc = damaged(&k, "a child row out of range");
    }
  }
  SET_CHECKED(c, rc ? -1 : 1);
  nchecked += k.mapped;
  check_ms += now_ms() - t0;
  return rc;
}

int snapshot_check_table(const Snapshot *s, const SnapTable *t, char *why, size_t whylen) {
  Ck k = {s, t, "rowids", NULL, 0, why, whylen};
  if (arr(&k, t->rowids)) return damaged(&k, "checksum mismatch");
  k.name = "page hashes";
  if (arr(&k, t->leaves)) return damaged(&k, "checksum mismatch");
  for (int k = 0; k < t->ncols; k++)
    if (snapshot_check_col(s, t, k, why, whylen)) return -1;
  for (int k = 0; k < t->ncolls; k++)
    if (snapshot_check_coll(s, t, k, why, whylen)) return -1;
  return 0;
}
