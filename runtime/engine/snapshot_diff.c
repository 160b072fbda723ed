/* snapshot_diff.c — refreshes one table of a snapshot from the pages of
 * its b-tree that changed, so that a stale table is patched, not read
 * again, and no promise of the user's (a version column) is needed.
 *
 * The proof: every leaf page of a table's b-tree holds the rows of one
 * range of rowids, and the earlier snapshot recorded the hash of each of
 * its leaves (its bytes and overflow pages, seeded with the CREATE
 * statement and the file's encoding: snapshot_pages.c).  A leaf whose hash
 * is one of those holds exactly the rows it held then, byte for byte: the
 * earlier rows with rowids in its range are kept as they are.  Every other
 * leaf's range is read again through SQL (`WHERE _rowid_ BETWEEN lo AND
 * hi`, in the same read transaction as the pages), and must give as many
 * rows as its cells.  Whatever wrote the change — camp, the user's
 * application, the sqlite3 shell; UPDATE, DELETE, INSERT OR REPLACE,
 * VACUUM — it rewrote the pages holding the rows it touched.
 *
 * The new table is the kept rows and the rows read, merged in key order;
 * columns no read row changed are reused, the others re-encoded by the
 * build's own code (snap_put_value, snap_finish_text).  Anything that does
 * not add up (cell counts, duplicate keys, a key that is not an integer)
 * reads the whole table instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/snapshot_impl.h"

#define xmalloc snap_xmalloc
#define xrealloc snap_xrealloc

static int delta_null(const ColBuild *d, int64_t i) {
  return d->has_null && ((d->nulls[i >> 6] >> (i & 63)) & 1);
}

static const char *old_str(const SnapCol *c, int64_t row) {
  uint32_t len;
  return snap_str(c, snap_code(c, row), &len);
}

/* Does changed row di (old row o) hold another value than before? */
static int differs(const SnapCol *oc, int64_t o, const ColBuild *d, int64_t di) {
  int on = snap_is_null(oc, o), dn = delta_null(d, di);
  if (on != dn) return 1;
  if (on) return 0;
  if (oc->kind == SC_TEXT)
    return strcmp(old_str(oc, o), snap_dict_str(&d->dict, ((const uint32_t *)d->data)[di])) != 0;
  size_t w = d->width;
  return memcmp((const char *)oc->data + (size_t)o * w, (const char *)d->data + (size_t)di * w, w) != 0;
}

/* Column c of the new table: oc's rows where unchanged, the changed rows'
 * values elsewhere; reused as is when no changed row touches it. */
static void assemble_col(Snapshot *s, SnapCol *c, const SnapCol *oc, ColBuild *d, int64_t nr,
                         const int32_t *n2o, const int32_t *dof, const int32_t *d2r, int64_t nd,
                         int rows_same) {
  *c = *oc;
  c->name = strdup(oc->name);
  if (!c->name) abort();
  c->link_table = -1;
  c->link_rows = NULL;
  c->checked = 0;
  c->bad = d->c->bad; /* the old column had no bad value */
  c->dec_has_int = oc->dec_has_int | d->c->dec_has_int;
  int changed = !rows_same;
  for (int64_t di = 0; di < nd && !changed; di++) {
    int32_t o = n2o[d2r[di]];
    changed = o < 0 || differs(oc, o, d, di);
  }
  if (!changed) return;
  size_t words = (size_t)(nr / 64 + 1);
  if (c->kind == SC_TEXT) {
    ColBuild b;
    memset(&b, 0, sizeof b);
    b.c = c;
    b.width = 4;
    b.data = xmalloc(sizeof(uint32_t) * (size_t)(nr + 1));
    b.nulls = calloc(words, sizeof(uint64_t));
    if (!b.nulls) abort();
    uint32_t *ids = b.data;
    const uint32_t *dids = d->data;
    for (int64_t r = 0; r < nr; r++) {
      int32_t di = dof[r], o = n2o[r];
      ids[r] = 0;
      if (di >= 0 ? delta_null(d, di) : snap_is_null(oc, o)) snap_set_null(&b, r);
      else ids[r] = snap_dict_add(&b.dict, di >= 0 ? snap_dict_str(&d->dict, dids[di]) : old_str(oc, o));
    }
    if (b.has_null) c->nulls = snap_own(s, b.nulls);
    else c->nulls = NULL, free(b.nulls);
    snap_finish_text(s, &b, nr);
    return;
  }
  size_t w = d->width;
  char *data = xmalloc(w * (size_t)nr + 8);
  uint64_t *nulls = calloc(words, sizeof(uint64_t));
  if (!nulls) abort();
  int has_null = 0;
  for (int64_t r = 0; r < nr; r++) {
    int32_t di = dof[r], o = n2o[r];
    int isnull;
    if (di >= 0) {
      memcpy(data + (size_t)r * w, (const char *)d->data + (size_t)di * w, w);
      isnull = delta_null(d, di);
    } else {
      memcpy(data + (size_t)r * w, (const char *)oc->data + (size_t)o * w, w);
      isnull = snap_is_null(oc, o);
    }
    if (isnull) nulls[r >> 6] |= 1ULL << (r & 63), has_null = 1;
  }
  c->data = snap_own(s, data);
  if (has_null) c->nulls = snap_own(s, nulls);
  else c->nulls = NULL, free(nulls);
}

/* The earlier snapshot's text codes must index its dictionaries. */

static void grow_delta(ColBuild *d, int nc, int64_t *cap, int64_t need) {
  if (need <= *cap) return;
  int64_t ncap = *cap ? *cap * 2 : 256;
  for (int k = 0; k < nc; k++) {
    d[k].data = xrealloc(d[k].data, d[k].width * (size_t)ncap);
    d[k].nulls = xrealloc(d[k].nulls, sizeof(uint64_t) * (size_t)(ncap / 64 + 1));
    memset(d[k].nulls + *cap / 64, 0, sizeof(uint64_t) * (size_t)(ncap / 64 + 1 - *cap / 64));
  }
  *cap = ncap;
}

static int cmp_hash(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : x[1] > y[1];
}

uint64_t *snap_leaf_set(Snapshot *s, const SnapLeaf *leaves, size_t n) {
  uint64_t *h = snap_own(s, xmalloc(sizeof(uint64_t) * 2 * (n + 1)));
  for (size_t i = 0; i < n; i++) h[2 * i] = leaves[i].h[0], h[2 * i + 1] = leaves[i].h[1];
  qsort(h, n, 2 * sizeof(uint64_t), cmp_hash);
  return h;
}

/* SELECT of the columns and the rowid of a range of rowids. */
static char *range_sql(Schema *sc) {
  size_t cap = 96 + strlen(sc->name);
  for (int k = 0; k < sc->columns.len; k++) cap += strlen(((Column *)sc->columns.items[k])->name) + 4;
  char *sql = xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT ");
  for (int k = 0; k < sc->columns.len; k++)
    n += (size_t)snprintf(sql + n, cap - n, "\"%s\", ", ((Column *)sc->columns.items[k])->name);
  snprintf(sql + n, cap - n, "_rowid_ FROM \"%s\" WHERE _rowid_ BETWEEN ? AND ?", sc->name);
  return sql;
}

typedef struct Ord {
  int64_t v;
  int32_t i;
} Ord;

static int cmp_ord(const void *a, const void *b) {
  const Ord *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* The rows read again, as columns being built (ColBuild) with their rowids. */
typedef struct Delta {
  ColBuild *d;
  SnapCol *dc;
  int64_t *rowid, *key;
  int64_t n, cap;
  int nc;
} Delta;

static void delta_free(Delta *x) {
  for (int k = 0; k < x->nc; k++) {
    free(x->d[k].data);
    free(x->d[k].nulls);
    snap_dict_free(&x->d[k].dict);
  }
  free(x->d);
  free(x->dc);
  free(x->rowid);
  free(x->key);
}

#define BAIL(...) do { snprintf(tr->why, sizeof tr->why, __VA_ARGS__); rc = 1; goto done; } while (0)

int snap_patch_table(Snapshot *s, Db *db, Schema *sc, const SnapTable *ot, const SnapLeaf *leaves,
                     size_t nleaves, SnapRowMap *map, SnapTable *t, SnapTableReport *tr, char *err,
                     size_t errlen) {
  int nc = sc->columns.len, kc = ot->key_col, rc = 0;
  int64_t onr = ot->nrows;
  Delta x;
  memset(&x, 0, sizeof x);
  char *kept = NULL, *matched = NULL;
  int32_t *n2o = NULL, *o2n = NULL, *dof = NULL, *d2r = NULL;
  Ord *ord = NULL, *dord = NULL;
  int64_t *nrowid = NULL;
  DbStmt *q = NULL;
  if (kc < 0 || ot->key_bad || ot->cols[kc].type != T_INT)
    BAIL("no integer key with distinct values");
  if (!ot->has_leaves) BAIL("the earlier snapshot has no page hashes");
  if (snap_shadows_rowid(sc)) BAIL("a column shadows the rowid");
  for (int k = 0; k < nc; k++)
    if (ot->cols[k].bad) BAIL("column %s held values outside its type", ot->cols[k].name);
  if (onr > INT32_MAX - 1) BAIL("too many rows");
  const int64_t *okey = ot->cols[kc].data;

  /* 1. the leaves now: unchanged (a hash of the earlier snapshot) or not */
  uint64_t clean_cells = 0, dirty_cells = 0;
  size_t nclean = 0, nranges = 0;
  int64_t (*clean)[2] = xmalloc(sizeof *clean * (nleaves + 1));
  int64_t (*ranges)[2] = xmalloc(sizeof *ranges * (nleaves + 1));
  int prev_dirty = 0;
  for (size_t i = 0; i < nleaves; i++) {
    const SnapLeaf *l = &leaves[i];
    if (ot->nleaves && bsearch(l->h, ot->leaves, (size_t)ot->nleaves, 2 * sizeof(uint64_t), cmp_hash)) {
      clean[nclean][0] = l->lo, clean[nclean++][1] = l->hi;
      clean_cells += l->ncell;
      prev_dirty = 0;
    } else {
      /* neighbouring changed leaves: one range (no row lies between them) */
      if (prev_dirty) ranges[nranges - 1][1] = l->hi;
      else ranges[nranges][0] = l->lo, ranges[nranges++][1] = l->hi;
      dirty_cells += l->ncell;
      prev_dirty = 1;
    }
  }

  /* 2. the earlier rows on unchanged leaves are kept: sweep them in rowid
   * order against the unchanged ranges */
  kept = calloc((size_t)onr + 1, 1);
  if (!kept) abort();
  ord = xmalloc(sizeof *ord * (size_t)(onr + 1));
  for (int64_t r = 0; r < onr; r++) ord[r].v = ot->rowids ? ot->rowids[r] : okey[r], ord[r].i = (int32_t)r;
  if (ot->rowids) qsort(ord, (size_t)onr, sizeof *ord, cmp_ord);
  uint64_t nkept = 0;
  size_t c = 0;
  for (int64_t j = 0; j < onr; j++) {
    while (c < nclean && clean[c][1] < ord[j].v) c++;
    if (c < nclean && clean[c][0] <= ord[j].v) kept[ord[j].i] = 1, nkept++;
  }
  free(clean);
  if (nkept != clean_cells) {
    free(ranges);
    BAIL("the earlier snapshot's rows do not match its pages");
  }

  /* 3. the rows of the changed leaves, read again */
  x.nc = nc;
  x.d = calloc((size_t)nc + 1, sizeof *x.d);
  x.dc = calloc((size_t)nc + 1, sizeof *x.dc);
  if (!x.d || !x.dc) abort();
  for (int k = 0; k < nc; k++) {
    x.dc[k].type = ot->cols[k].type;
    x.dc[k].kind = ot->cols[k].kind;
    x.d[k].c = &x.dc[k];
    x.d[k].width = snap_kind_width(x.dc[k].kind);
  }
  char *sql = range_sql(sc);
  q = db_prepare(db, sql);
  free(sql);
  if (!q) {
    free(ranges);
    snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
    rc = -1;
    goto done;
  }
  for (size_t i = 0; i < nranges && rc == 0; i++) {
    db_bind_int(q, 1, ranges[i][0]);
    db_bind_int(q, 2, ranges[i][1]);
    int st;
    while ((st = db_step(q)) == 1) {
      if (x.n + 1 > x.cap) {
        int64_t cap = x.cap;
        grow_delta(x.d, nc, &cap, x.n + 1);
        x.rowid = xrealloc(x.rowid, sizeof *x.rowid * (size_t)cap);
        x.key = xrealloc(x.key, sizeof *x.key * (size_t)cap);
        x.cap = cap;
      }
      DbValue kv = db_column(q, kc), rv = db_column(q, nc);
      if (kv.kind != DBV_INT || rv.kind != DBV_INT) {
        snprintf(tr->why, sizeof tr->why, "a key is not an integer");
        rc = 1;
        break;
      }
      for (int k = 0; k < nc; k++) snap_put_column(&x.d[k], x.n, q, k);
      x.key[x.n] = kv.i;
      x.rowid[x.n++] = rv.i;
    }
    if (st < 0 && rc == 0) {
      snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
      rc = -1;
    }
    db_reset(q);
  }
  free(ranges);
  if (rc) goto done;
  if ((uint64_t)x.n != dirty_cells) BAIL("the changed pages hold %llu rows, SQL read %lld",
                                          (unsigned long long)dirty_cells, (long long)x.n);

  /* 4. kept rows (in key order already) and read rows (sorted), merged */
  int64_t nd = x.n, nr = (int64_t)nkept + nd;
  if (nr > INT32_MAX - 1) BAIL("too many rows");
  dord = xmalloc(sizeof *dord * (size_t)(nd + 1));
  for (int64_t j = 0; j < nd; j++) dord[j].v = x.key[j], dord[j].i = (int32_t)j;
  qsort(dord, (size_t)nd, sizeof *dord, cmp_ord);
  n2o = xmalloc(sizeof *n2o * (size_t)(nr + 1));
  dof = xmalloc(sizeof *dof * (size_t)(nr + 1));
  d2r = xmalloc(sizeof *d2r * (size_t)(nd + 1));
  o2n = xmalloc(sizeof *o2n * (size_t)(onr + 1));
  nrowid = xmalloc(sizeof *nrowid * (size_t)(nr + 1));
  matched = calloc((size_t)onr + 1, 1);
  if (!matched) abort();
  for (int64_t r = 0; r < onr; r++) o2n[r] = -1;
  int64_t updated = 0, inserted = 0, deleted = 0, same = 0, o = 0, j = 0, at = 0, prev = 0;
  while (o < onr || j < nd) {
    while (o < onr && !kept[o]) o++;
    int take_old = o < onr && (j == nd || okey[o] < dord[j].v);
    if (!take_old && j == nd) break;
    int64_t key = take_old ? okey[o] : dord[j].v;
    if (at && key <= prev) BAIL("key %lld is not unique", (long long)key);
    prev = key;
    if (take_old) {
      n2o[at] = (int32_t)o, dof[at] = -1, o2n[o] = (int32_t)at;
      nrowid[at] = ot->rowids ? ot->rowids[o] : okey[o];
      o++;
    } else {
      int32_t di = dord[j++].i;
      int64_t orow = snapshot_find_key(ot, key);
      if (orow >= 0 && (kept[orow] || matched[orow])) BAIL("key %lld is not unique", (long long)key);
      n2o[at] = (int32_t)orow, dof[at] = di, d2r[di] = (int32_t)at;
      nrowid[at] = x.rowid[di];
      if (orow < 0) {
        inserted++;
      } else {
        matched[orow] = 1, o2n[orow] = (int32_t)at;
        int diff = 0;
        for (int k = 0; k < nc && !diff; k++) diff = differs(&ot->cols[k], orow, &x.d[k], di);
        if (diff) updated++;
        else same++;
      }
    }
    at++;
  }
  for (int64_t r = 0; r < onr; r++) deleted += !kept[r] && !matched[r];
  for (int k = 0; k < nc; k++)
    if (ot->cols[k].dec_has_int && (updated || deleted))
      BAIL("decimal column %s holds integers", ot->cols[k].name);

  /* 5. the columns */
  int rows_same = !inserted && !deleted;
  t->name = strdup(sc->name);
  t->nrows = nr;
  t->count = nr;
  t->key_col = kc;
  t->ncols = nc;
  t->cols = calloc((size_t)nc + 1, sizeof *t->cols);
  if (!t->name || !t->cols) abort();
  for (int k = 0; k < nc; k++) assemble_col(s, &t->cols[k], &ot->cols[k], &x.d[k], nr, n2o, dof, d2r, nd, rows_same);
  SnapCol *kcol = &t->cols[kc];
  t->key_bad = kcol->bad || kcol->nulls; /* increasing: checked by the merge */
  int plain = 1;
  for (int64_t r = 0; r < nr && plain; r++) plain = nrowid[r] == ((const int64_t *)kcol->data)[r];
  if (!plain) t->rowids = snap_own(s, nrowid), nrowid = NULL; /* NULL: the rowid is the key */
  char mq[512];
  snprintf(mq, sizeof mq, "SELECT max(rowid) FROM \"%s\"", sc->name);
  t->max_rowid = db_query_int(db, mq, -1);
  map->rows_same = rows_same;
  if (!rows_same) map->new_to_old = n2o, n2o = NULL, map->old_to_new = o2n, o2n = NULL;
  tr->rows_read = nd;
  tr->updated = updated;
  tr->inserted = inserted;
  tr->deleted = deleted;
  tr->rechecked = same;
  tr->pages = (int64_t)nleaves;
  tr->pages_changed = (int64_t)nleaves - (int64_t)nclean;
done:
  if (q) db_finalize(q);
  delta_free(&x);
  free(kept);
  free(matched);
  free(ord);
  free(dord);
  free(n2o);
  free(o2n);
  free(dof);
  free(d2r);
  free(nrowid);
  return rc;
}
