/* snapshot_refresh.c — makes a snapshot of a set of schemas, reusing what
 * it can of an earlier (stale) one, so that the result is exactly the
 * snapshot a full build would give at this moment.  Per table:
 *
 *   unchanged   the table's content hash (snapshot_pages.c: its b-tree
 *               pages in the database file) equals the earlier one: its
 *               arrays are reused as they are;
 *   changed     the rows on the leaf pages of its b-tree that changed are
 *               read again, the others kept (snapshot_diff.c: the leaf
 *               hashes the earlier snapshot recorded prove them unchanged),
 *               and the table is patched in memory: columns no read row
 *               changed are reused, the others re-encoded by the build's
 *               own code (snap_put_value, snap_finish_text: a text column
 *               gets its dictionary made again from the old strings and
 *               the new ones).  A `version` column is not needed, nor
 *               trusted;
 *   otherwise   the table is read again (snap_build_table).
 *
 * Links are recomputed where the rows of either side changed, through the
 * old-to-new row maps where a value did not change; collections are
 * regrouped where a link changed.  Everything is read in one transaction.
 *
 * Nothing of the earlier snapshot is used before its checksums and
 * bounds are checked (snapshot_check_table): damage is never carried on. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runtime/engine/snapshot_impl.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define xmalloc snap_xmalloc
#define xrealloc snap_xrealloc

typedef struct TabState {
  const SnapTable *ot;  /* the earlier table this one was made from, or NULL */
  int rows_same;        /* the same keys in the same rows as ot */
  int32_t *new_to_old;  /* !rows_same: row -> ot row, -1 when inserted */
  int32_t *old_to_new;  /* !rows_same: ot row -> row, -1 when deleted */
  uint32_t root;        /* b-tree root page, 0 if unknown */
  char *sql;            /* CREATE statement */
  int has_hash;
  uint64_t hash[2];
  SnapLeaf *leaves;     /* its b-tree's leaves now (when has_hash) */
  size_t nleaves;
} TabState;

/* Root pages and CREATE statements of the schemas' tables.  A temporary
 * table of the same name would be the one SQL reads: no hash then. */
static void current_roots(Db *db, Schema **schemas, int n, TabState *ts) {
  DbStmt *st = db_prepare(db, "SELECT name, rootpage, sql FROM sqlite_master WHERE type = 'table'");
  if (!st) return;
  while (db_step(st) == 1) {
    DbValue nm = db_column(st, 0), rp = db_column(st, 1), sq = db_column(st, 2);
    if (nm.kind != DBV_TEXT || rp.kind != DBV_INT || rp.i < 2 || rp.i > (int64_t)UINT32_MAX) continue;
    for (int i = 0; i < n; i++) {
      if (strcasecmp(schemas[i]->name, nm.s)) continue;
      ts[i].root = (uint32_t)rp.i;
      free(ts[i].sql);
      ts[i].sql = strdup(sq.kind == DBV_TEXT ? sq.s : "");
      if (!ts[i].sql) abort();
    }
  }
  db_finalize(st);
  st = db_prepare(db, "SELECT name FROM temp.sqlite_master");
  if (!st) return;
  while (db_step(st) == 1) {
    DbValue nm = db_column(st, 0);
    for (int i = 0; nm.kind == DBV_TEXT && i < n; i++)
      if (!strcasecmp(schemas[i]->name, nm.s)) ts[i].root = 0;
  }
  db_finalize(st);
}

/* ------------------------------------------------------ unchanged table */

/* t becomes ot's rows and columns, named name; links are dropped (they
 * point into ot's snapshot) and collections left to the caller. */
static void reuse_table(SnapTable *t, const char *name, const SnapTable *ot) {
  t->name = strdup(name);
  t->nrows = ot->nrows;
  t->count = ot->count;
  t->max_rowid = ot->max_rowid;
  t->key_col = ot->key_col;
  t->key_bad = ot->key_bad;
  t->rowids = ot->rowids;
  t->ncols = ot->ncols;
  t->cols = calloc((size_t)ot->ncols + 1, sizeof *t->cols);
  if (!t->name || !t->cols) abort();
  for (int k = 0; k < ot->ncols; k++) {
    t->cols[k] = ot->cols[k];
    t->cols[k].name = strdup(ot->cols[k].name);
    if (!t->cols[k].name) abort();
    t->cols[k].link_table = -1;
    t->cols[k].link_rows = NULL;
    t->cols[k].checked = 0;
  }
}

/* --------------------------------------------------- links, collections */

static void resolve_links(Snapshot *s, Schema **schemas, TabState *ts, const Snapshot *old) {
  for (int i = 0; i < s->ntables; i++) {
    SnapTable *t = &s->tables[i];
    for (int k = 0; k < t->ncols; k++) {
      Column *col = schemas[i]->columns.items[k];
      SnapCol *c = &t->cols[k];
      if (!col->link || c->bad || c->type != T_INT) continue;
      int ti = snapshot_table(s, col->link->name);
      if (ti < 0 || s->tables[ti].key_bad || s->tables[ti].key_col < 0) continue;
      const SnapTable *tt = &s->tables[ti];
      /* the earlier link of this column into the same earlier table */
      const SnapCol *oc = NULL;
      if (old && ts[i].ot && ts[ti].ot) {
        const SnapCol *x = &ts[i].ot->cols[k];
        if (x->link_rows && x->link_table >= 0 && x->link_table < old->ntables &&
            &old->tables[x->link_table] == ts[ti].ot)
          oc = x;
      }
      c->link_table = ti;
      if (oc && c->data == oc->data && c->nulls == oc->nulls && ts[i].rows_same && ts[ti].rows_same) {
        c->link_rows = oc->link_rows;
        continue;
      }
      int32_t *rows = snap_own(s, xmalloc(sizeof(int32_t) * (size_t)(t->nrows + 1)));
      const int64_t *v = c->data, *ov = oc ? oc->data : NULL;
      int64_t tnr = oc ? ts[ti].ot->nrows : 0;
      for (int64_t r = 0; r < t->nrows; r++) {
        if (snap_is_null(c, r)) {
          rows[r] = -1;
          continue;
        }
        if (oc) {
          int64_t o = ts[i].rows_same ? r : ts[i].new_to_old[r];
          if (o >= 0 && !snap_is_null(oc, o) && ov[o] == v[r]) {
            int32_t ol = oc->link_rows[o];
            if (ol >= 0 && ol < tnr) {
              rows[r] = ts[ti].rows_same ? ol : ts[ti].old_to_new[ol];
              continue;
            }
          }
        }
        rows[r] = (int32_t)snapshot_find_key(tt, v[r]);
      }
      c->link_rows = rows;
    }
  }
}

static void group_collections(Snapshot *s, Schema **schemas, TabState *ts, const Snapshot *old) {
  for (int i = 0; i < s->ntables; i++) {
    SnapTable *t = &s->tables[i];
    Schema *sc = schemas[i];
    t->colls = calloc((size_t)sc->collections.len + 1, sizeof *t->colls);
    if (!t->colls) abort();
    for (int k = 0; k < sc->collections.len; k++) {
      Collection *coll = sc->collections.items[k];
      int ci = snapshot_table(s, coll->child->name);
      if (ci < 0) continue;
      SnapTable *ct = &s->tables[ci];
      int fk = snapshot_col(ct, coll->fk->name);
      if (fk < 0 || ct->cols[fk].link_table != i) continue;
      const int32_t *link = ct->cols[fk].link_rows;
      const uint32_t *off = NULL, *rows = NULL;
      /* the same links as before: the same groups */
      if (old && ts[i].ot && ts[ci].ot && ts[i].rows_same && ts[ci].rows_same &&
          link == ts[ci].ot->cols[fk].link_rows) {
        int oc = snapshot_coll(ts[i].ot, coll->name);
        const SnapColl *x = oc >= 0 ? &ts[i].ot->colls[oc] : NULL;
        if (x && x->offsets && x->rows && x->child_table >= 0 && x->child_table < old->ntables &&
            &old->tables[x->child_table] == ts[ci].ot && x->fk_col == fk)
          off = x->offsets, rows = x->rows;
      }
      if (!off) {
        uint32_t *o = snap_own(s, calloc((size_t)t->nrows + 2, sizeof(uint32_t)));
        /* calloc: children with a dangling link leave slots unused. */
        uint32_t *rw = snap_own(s, calloc((size_t)ct->nrows + 1, sizeof(uint32_t)));
        if (!o || !rw) abort();
        for (int64_t r = 0; r < ct->nrows; r++)
          if (link[r] >= 0) o[link[r] + 1]++;
        for (int64_t p = 0; p < t->nrows; p++) o[p + 1] += o[p];
        uint32_t *fill = xmalloc(sizeof(uint32_t) * (size_t)(t->nrows + 1));
        memcpy(fill, o, sizeof(uint32_t) * (size_t)(t->nrows + 1));
        for (int64_t r = 0; r < ct->nrows; r++)
          if (link[r] >= 0) rw[fill[link[r]]++] = (uint32_t)r;
        free(fill);
        off = o, rows = rw;
      }
      SnapColl *sl = &t->colls[t->ncolls++];
      sl->name = strdup(coll->name);
      if (!sl->name) abort();
      sl->child_table = ci;
      sl->fk_col = fk;
      sl->offsets = off;
      sl->rows = rows;
    }
  }
}

/* ------------------------------------------------------------- the whole */

/* s takes over old's storage (heap blocks and mapped segments, with the
 * checksums of the arrays in them). */
static void adopt(Snapshot *s, Snapshot *old) {
  for (int i = 0; i < old->nblocks; i++) snap_own(s, old->blocks[i]);
  old->nblocks = 0;
  s->segs = xrealloc(s->segs, sizeof *s->segs * (size_t)(s->nsegs + old->nsegs + 1));
  int base = s->nsegs;
  for (int i = 0; i < old->nsegs; i++) s->segs[s->nsegs++] = old->segs[i];
  old->nsegs = 0;
  s->arrs = xrealloc(s->arrs, sizeof *s->arrs * (size_t)(s->narrs + old->narrs + 1));
  for (int i = 0; i < old->narrs; i++) {
    s->arrs[s->narrs] = old->arrs[i];
    s->arrs[s->narrs++].seg += base;
  }
  old->narrs = 0;
  snapshot_sort_arrays(s);
  if (!s->dir && old->dir) s->dir = old->dir, old->dir = NULL;
  if (!s->on_damage) s->on_damage = old->on_damage;
}

Snapshot *snapshot_refresh(Db *db, const char *db_path, Snapshot *old, Schema **schemas, int n,
                           SnapReport *rep, char *err, size_t errlen) {
  return snap_refresh(db, db_path, 0, old, NULL, schemas, n, rep, err, errlen);
}

/* The hash proven holds for table sc when old (the cache) holds the same:
 * proven earlier in this process, and that is what the cache has. */
static int proven_hash(const Snapshot *proven, const Snapshot *old, const Schema *sc, uint64_t out[2]) {
  int pi = proven ? snapshot_table(proven, sc->name) : -1;
  int oi = pi >= 0 && old ? snapshot_table(old, sc->name) : -1;
  if (oi < 0) return 0;
  const SnapTable *pt = &proven->tables[pi], *ot = &old->tables[oi];
  if (!pt->has_hash || !ot->has_hash || pt->damaged || memcmp(pt->hash, ot->hash, sizeof pt->hash)) return 0;
  memcpy(out, pt->hash, sizeof pt->hash);
  return 1;
}

Snapshot *snap_refresh(Db *db, const char *db_path, int pg_hash, Snapshot *old, const Snapshot *proven,
                       Schema **schemas, int n, SnapReport *rep, char *err, size_t errlen) {
  SnapReport local;
  if (!rep) rep = &local;
  memset(rep, 0, sizeof *rep);
  Snapshot *s = calloc(1, sizeof *s);
  if (!s) abort();
  s->tables = calloc((size_t)n + 1, sizeof *s->tables);
  TabState *ts = calloc((size_t)n + 1, sizeof *ts);
  SnapTableReport *tr = calloc((size_t)n + 1, sizeof *tr);
  if (!s->tables || !ts || !tr) abort();
  /* One read transaction: all tables from the same database state; its
   * first read takes the lock that keeps the file as read from then on. */
  int in_tx = db_savepoint(db, "camp_snapshot") == 0;
  double t0 = now_ms();
  if (db_path) {
    current_roots(db, schemas, n, ts);
    SnapPages *pg = snap_pages_open(db_path);
    /* WAL frames hide pages from the file: when a checkpoint (from another
     * connection: this one is in its read transaction) gets every frame
     * into the file, the file holds this transaction's pages */
    if (snap_pages_wal_frames(pg) && db_wal_checkpoint(db_path) == 0) snap_pages_ignore_wal(pg);
    for (int i = 0; pg && i < n; i++)
      if (ts[i].root)
        ts[i].has_hash = snap_pages_table_walk(pg, ts[i].root, ts[i].sql, ts[i].hash, &ts[i].leaves,
                                               &ts[i].nleaves) == 0;
    snap_pages_close(pg);
  } else if (pg_hash) { /* PostgreSQL: each table's content hashed by the server */
    for (int i = 0; i < n; i++) {
      if (proven_hash(proven, old, schemas[i], ts[i].hash)) {
        ts[i].has_hash = 1;
        rep->proven++;
      } else {
        ts[i].has_hash = snap_pg_table_hash(db, schemas[i], ts[i].hash) == 0;
      }
    }
  }
  rep->ms_hash = now_ms() - t0;
  int failed = 0, from_old = 0;
  for (int i = 0; i < n && !failed; i++) {
    Schema *sc = schemas[i];
    SnapTable *t = &s->tables[i];
    s->ntables = i + 1;
    int oi = old ? snapshot_table(old, sc->name) : -1;
    const SnapTable *ot = oi >= 0 ? &old->tables[oi] : NULL;
    int rc = 1;
    double t1 = now_ms();
    char dwhy[400];
    if (old && !ot) {
      snprintf(tr[i].why, sizeof tr[i].why, "not in the earlier snapshot");
    } else if (ot && ot->damaged) {
      snprintf(tr[i].why, sizeof tr[i].why, "damaged in the snapshot files");
    } else if (ot && !snap_table_layout_matches(ot, sc)) {
      snprintf(tr[i].why, sizeof tr[i].why, "its schema changed");
    } else if (ot && snapshot_check_table(old, ot, dwhy, sizeof dwhy)) {
      /* nothing is reused or carried over unchecked: damage would spread */
      snprintf(tr[i].why, sizeof tr[i].why, "%.190s", dwhy);
    } else if (ot && ot->has_hash && ts[i].has_hash && !memcmp(ot->hash, ts[i].hash, sizeof ot->hash)) {
      reuse_table(t, sc->name, ot);
      tr[i].how = SNAP_TABLE_REUSED;
      rc = 0;
    } else if (ot && pg_hash) { /* no leaf pages to patch from: read it again */
      snprintf(tr[i].why, sizeof tr[i].why, ts[i].has_hash ? "its content hash changed" : "its content hash is unknown");
    } else if (ot && !ts[i].has_hash) {
      snprintf(tr[i].why, sizeof tr[i].why, "its pages cannot be read from the file (in the WAL)");
    } else if (ot) {
      SnapRowMap map = {0};
      rc = snap_patch_table(s, db, sc, ot, ts[i].leaves, ts[i].nleaves, &map, t, &tr[i], err, errlen);
      if (rc == 0) {
        tr[i].how = SNAP_TABLE_REFRESHED;
        ts[i].rows_same = map.rows_same;
        ts[i].new_to_old = map.new_to_old;
        ts[i].old_to_new = map.old_to_new;
      } else if (rc == 1) {
        free(t->name);
        memset(t, 0, sizeof *t);
      }
    }
    if (rc == 0) {
      ts[i].ot = ot;
      if (tr[i].how == SNAP_TABLE_REUSED) ts[i].rows_same = 1;
      from_old = 1;
    } else if (rc == 1) {
      tr[i].how = SNAP_TABLE_BUILT;
      rc = strcmp(db_backend(db), "postgres") == 0 ? snap_copy_table(s, db, sc, t, err, errlen)
                                                   : snap_build_table(s, db, sc, t, err, errlen);
      tr[i].rows_read = t->nrows;
    }
    if (rc < 0) failed = 1;
    t->has_hash = ts[i].has_hash;
    memcpy(t->hash, ts[i].hash, sizeof t->hash);
    /* the leaves the next refresh compares with: only with an int key to
     * place the rows by */
    if (rc == 0 && tr[i].how == SNAP_TABLE_REUSED) {
      t->has_leaves = ot->has_leaves, t->nleaves = ot->nleaves, t->leaves = ot->leaves;
    } else if (rc == 0 && !pg_hash && ts[i].has_hash && t->key_col >= 0 && !t->key_bad) {
      t->has_leaves = 1;
      t->nleaves = (int64_t)ts[i].nleaves;
      t->leaves = snap_leaf_set(s, ts[i].leaves, ts[i].nleaves);
    }
    rep->rows_read += tr[i].rows_read;
    tr[i].ms = now_ms() - t1;
  }
  if (in_tx) db_savepoint_end(db, "camp_snapshot", 0);
  if (!failed) {
    double t2 = now_ms();
    resolve_links(s, schemas, ts, old);
    group_collections(s, schemas, ts, old);
    rep->ms_links = now_ms() - t2;
    s->fp.schema_hash = snapshot_schema_hash(schemas, n);
    if (from_old) adopt(s, old);
  }
  for (int i = 0; i < n; i++) {
    free(ts[i].new_to_old);
    free(ts[i].old_to_new);
    free(ts[i].sql);
    free(ts[i].leaves);
  }
  free(ts);
  if (failed) {
    free(tr);
    snapshot_free(s);
    memset(rep, 0, sizeof *rep);
    return NULL;
  }
  rep->how = from_old ? SNAP_OPEN_REFRESHED : SNAP_OPEN_BUILT;
  rep->ntables = n;
  rep->tables = tr;
  if (rep == &local) free(tr);
  return s;
}

int snap_carry_tables(Snapshot *s, Snapshot *old, Db *db) {
  if (!old || !old->ntables) return 0;
  s->tables = xrealloc(s->tables, sizeof *s->tables * (size_t)(s->ntables + old->ntables + 1));
  int n0 = s->ntables;
  for (int i = 0; i < old->ntables; i++) {
    const SnapTable *ot = &old->tables[i];
    /* once per name: a snapshot may hold two tables of one name (two
     * programs' schemas of that name; the first is the one found) */
    if (ot->damaged || snapshot_table(s, ot->name) >= 0 || !db_table_exists(db, ot->name)) continue;
    SnapTable *t = &s->tables[s->ntables++];
    memset(t, 0, sizeof *t);
    reuse_table(t, ot->name, ot); /* links dropped: they point at old's rows of other tables */
    t->has_hash = ot->has_hash;
    memcpy(t->hash, ot->hash, sizeof t->hash);
    t->colls = calloc(1, sizeof *t->colls);
    if (!t->colls) abort();
  }
  /* their arrays stay where they are: s takes over old's storage */
  if (s->ntables > n0) adopt(s, old);
  assert(s->ntables <= n0 + old->ntables);
  return s->ntables - n0;
}

void snap_drop_carried(Snapshot *s, int n0) {
  assert(n0 <= s->ntables);
  for (int i = n0; i < s->ntables; i++) snap_table_free(&s->tables[i]);
  s->ntables = n0;
}

Snapshot *snapshot_build(Db *db, Schema **schemas, int n, char *err, size_t errlen) {
  return snapshot_refresh(db, NULL, NULL, schemas, n, NULL, err, errlen);
}
