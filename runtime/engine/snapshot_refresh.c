/* snapshot_refresh.c — makes a snapshot of a set of schemas, reusing what
 * it can of an earlier (stale) one, so that the result is exactly the
 * snapshot a full build would give at this moment.  Per table:
 *
 *   unchanged   the table's content hash (snapshot_pages.c: its b-tree
 *               pages in the database file) equals the earlier one: its
 *               arrays are reused as they are;
 *   versioned   the schema has a `version` column: one scan reads (key,
 *               version, rowid) of every row in key order; merged with the
 *               earlier keys and versions it gives the updated, inserted
 *               and deleted rows exactly.  Only those rows (and the rows at
 *               the earlier latest version: a coarse clock may have written
 *               them again within the same tick) are read whole, by rowid;
 *               the table is then patched in memory:
 *               columns no changed row touches are reused, the others are
 *               re-encoded by the build's own code (snap_put_value,
 *               snap_finish_text: a text column gets its dictionary made
 *               again from the old strings and the new ones).  Anything the
 *               versions cannot vouch for reads the table again: a NULL
 *               version, a version lower than the row's earlier one, a
 *               changed or new row whose version is below the earlier
 *               snapshot's latest, a column that held values outside its
 *               type, a decimal column stored partly as integers;
 *   otherwise   the table is read again (snap_build_table).
 *
 * Links are recomputed where the rows of either side changed, through the
 * old-to-new row maps where a value did not change; collections are
 * regrouped where a link changed.  Everything is read in one transaction.
 *
 * What a version column cannot see: a row changed without a new version.
 * That is the contract of `version` (every insert and update sets it to at
 * least every version already in the table); camp checks what it can. */
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

static void reuse_table(SnapTable *t, Schema *sc, const SnapTable *ot) {
  t->name = strdup(sc->name);
  t->nrows = ot->nrows;
  t->count = ot->count;
  t->max_rowid = ot->max_rowid;
  t->key_col = ot->key_col;
  t->key_bad = ot->key_bad;
  t->ncols = ot->ncols;
  t->cols = calloc((size_t)ot->ncols + 1, sizeof *t->cols);
  if (!t->name || !t->cols) abort();
  for (int k = 0; k < ot->ncols; k++) {
    t->cols[k] = ot->cols[k];
    t->cols[k].name = strdup(ot->cols[k].name);
    if (!t->cols[k].name) abort();
    t->cols[k].link_table = -1;
    t->cols[k].link_rows = NULL;
  }
}

/* ------------------------------------------------------ versioned table */

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
static int old_text_ok(const SnapTable *ot) {
  for (int k = 0; k < ot->ncols; k++) {
    const SnapCol *c = &ot->cols[k];
    if (c->kind != SC_TEXT) continue;
    if (!c->str_off || !c->str_bytes) return 0;
    if (!c->data) {
      if ((int64_t)c->ndict != ot->nrows) return 0;
      continue;
    }
    const int32_t *codes = c->data;
    for (int64_t r = 0; r < ot->nrows; r++)
      if (!snap_is_null(c, r) && (codes[r] < 0 || (uint32_t)codes[r] >= c->ndict)) return 0;
  }
  return 1;
}

static void grow32(int32_t **v, int64_t *cap, int64_t need) {
  if (need <= *cap) return;
  *cap = *cap ? *cap * 2 : 1024;
  if (*cap < need) *cap = need;
  *v = xrealloc(*v, sizeof(int32_t) * (size_t)*cap);
}

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

/* Time literal of seconds since 1970 ('YYYY-MM-DD HH:MM:SS'), as the
 * database stores timestamps.  -1 outside years 0000-9999. */
static int ts_literal(int64_t secs, char *out, size_t len) {
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) rem += 86400, days--;
  int y, m, d;
  snap_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) return -1;
  snprintf(out, len, "'%04d-%02d-%02d %02d:%02d:%02d'", y, m, d, (int)(rem / 3600),
           (int)(rem / 60 % 60), (int)(rem % 60));
  return 0;
}

/* The scan: key, version and a "changed" flag of every row in key order,
 * then either its rowid (by_rowid: the changed rows are fetched after the
 * scan, by rowid) or every column where the version is at least lit (NULL
 * elsewhere, not decoded: for views and tables without rowid).  The unary
 * + drops the column's affinity: the literal is compared as written
 * instead of being tried as a number on every row. */
static char *scan_sql(Schema *sc, const char *key, const char *ver, const char *lit, int by_rowid) {
  size_t cap = 256 + strlen(sc->name) + strlen(key) * 2 + strlen(ver) * 2 + strlen(lit);
  for (int k = 0; k < sc->columns.len; k++)
    cap += strlen(((Column *)sc->columns.items[k])->name) + strlen(ver) + strlen(lit) + 40;
  char *sql = xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT \"%s\", \"%s\", +\"%s\" >= %s", key, ver, ver, lit);
  if (by_rowid) n += (size_t)snprintf(sql + n, cap - n, ", _rowid_");
  for (int k = 0; !by_rowid && k < sc->columns.len; k++)
    n += (size_t)snprintf(sql + n, cap - n, ", CASE WHEN +\"%s\" >= %s THEN \"%s\" END", ver, lit,
                          ((Column *)sc->columns.items[k])->name);
  snprintf(sql + n, cap - n, " FROM \"%s\" ORDER BY \"%s\"", sc->name, key);
  return sql;
}

/* SELECT of one row's columns by rowid. */
static char *fetch_sql(Schema *sc) {
  size_t cap = 64 + strlen(sc->name);
  for (int k = 0; k < sc->columns.len; k++) cap += strlen(((Column *)sc->columns.items[k])->name) + 4;
  char *sql = xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT ");
  for (int k = 0; k < sc->columns.len; k++)
    n += (size_t)snprintf(sql + n, cap - n, "%s\"%s\"", k ? ", " : "", ((Column *)sc->columns.items[k])->name);
  snprintf(sql + n, cap - n, " FROM \"%s\" WHERE _rowid_ = ?", sc->name);
  return sql;
}

/* A column of the schema shadows the rowid's names. */
static int shadows_rowid(Schema *sc) {
  for (int k = 0; k < sc->columns.len; k++) {
    const char *n = ((Column *)sc->columns.items[k])->name;
    if (!strcasecmp(n, "rowid") || !strcasecmp(n, "_rowid_") || !strcasecmp(n, "oid")) return 1;
  }
  return 0;
}

/* Patches ot into t from its changed rows.  0 done, 1 not possible
 * (tr->why says why: the caller reads the table), -1 database error. */
static int refresh_table(Snapshot *s, Db *db, Schema *sc, const SnapTable *ot, TabState *st,
                         SnapTable *t, SnapTableReport *tr, char *err, size_t errlen) {
  char *why = tr->why;
  size_t wl = sizeof tr->why;
  int nc = sc->columns.len, vc = -1, kc = ot->key_col;
  for (int k = 0; k < nc; k++)
    if (((Column *)sc->columns.items[k])->is_version) vc = k;
  if (vc < 0) return snprintf(why, wl, "no version column"), 1;
  if (kc < 0 || ot->key_bad || ot->cols[kc].type != T_INT)
    return snprintf(why, wl, "no integer key with distinct values"), 1;
  for (int k = 0; k < nc; k++)
    if (ot->cols[k].bad)
      return snprintf(why, wl, "column %s held values outside its type", ot->cols[k].name), 1;
  const SnapCol *ov = &ot->cols[vc];
  if (ov->type != T_TIMESTAMP && ov->type != T_INT)
    return snprintf(why, wl, "version column %s is neither timestamp nor int", ov->name), 1;
  if (ov->nulls) return snprintf(why, wl, "NULL versions in the earlier snapshot"), 1;
  if (ot->nrows == 0) return snprintf(why, wl, "it was empty"), 1;
  if (ot->nrows > INT32_MAX || !ov->data || !ot->cols[kc].data || !old_text_ok(ot))
    return snprintf(why, wl, "the earlier snapshot is damaged"), 1;
  const int64_t *okey = ot->cols[kc].data, *over = ov->data;
  int64_t onr = ot->nrows, omax = over[0];
  for (int64_t r = 1; r < onr; r++) {
    if (okey[r] <= okey[r - 1]) return snprintf(why, wl, "the earlier snapshot is damaged"), 1;
    if (over[r] > omax) omax = over[r];
  }
  char lit[64];
  if (ov->type == T_INT) snprintf(lit, sizeof lit, "%lld", (long long)omax);
  else if (ts_literal(omax, lit, sizeof lit)) return snprintf(why, wl, "versions out of range"), 1;
  const char *key = ot->cols[kc].name, *ver = ov->name;
  /* changed rows by rowid after the scan (cheaper than a CASE per column
   * and row) where the table has rowids; else decoded by the scan */
  int by_rowid = !shadows_rowid(sc);
  char *sql = scan_sql(sc, key, ver, lit, by_rowid);
  DbStmt *q = db_prepare(db, sql);
  free(sql);
  if (!q && by_rowid) {
    by_rowid = 0;
    sql = scan_sql(sc, key, ver, lit, 0);
    q = db_prepare(db, sql);
    free(sql);
  }
  if (!q) {
    snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
    return -1;
  }
  int64_t *rowids = NULL, rcap = 0;

  ColBuild *d = calloc((size_t)nc + 1, sizeof *d);
  SnapCol *dc = calloc((size_t)nc + 1, sizeof *dc);
  int32_t *o2n = xmalloc(sizeof(int32_t) * (size_t)(onr + 1));
  int32_t *n2o = NULL, *dof = NULL, *d2r = NULL;
  int64_t ncap = 0, dcap = 0, d2cap = 0, nr = 0, nd = 0, o = 0;
  int64_t updated = 0, inserted = 0, deleted = 0, rechecked = 0, prev = 0;
  if (!d || !dc) abort();
  for (int64_t r = 0; r < onr; r++) o2n[r] = -1;
  for (int k = 0; k < nc; k++) {
    dc[k].type = ot->cols[k].type;
    dc[k].kind = ot->cols[k].kind;
    d[k].c = &dc[k];
    d[k].width = snap_kind_width(dc[k].kind);
  }
  int rc, bail = 0;
  while ((rc = db_step(q)) == 1) {
    DbValue kv = db_column(q, 0), vv = db_column(q, 1), fv = db_column(q, 2);
    if (kv.kind != DBV_INT) { snprintf(why, wl, "a key is not an integer"); bail = 1; break; }
    if (nr && kv.i <= prev) { snprintf(why, wl, "key %lld is not unique", (long long)kv.i); bail = 1; break; }
    if (nr >= INT32_MAX) { snprintf(why, wl, "too many rows"); bail = 1; break; }
    int64_t v = 0;
    if (vv.kind == DBV_NULL) {
      snprintf(why, wl, "row %lld has a NULL version", (long long)kv.i);
      bail = 1;
      break;
    }
    if (ov->type == T_INT ? vv.kind != DBV_INT : vv.kind != DBV_TEXT || snap_parse_ts(vv.s, &v)) {
      snprintf(why, wl, "the version of row %lld is not a%s", (long long)kv.i,
               ov->type == T_INT ? "n int" : " timestamp");
      bail = 1;
      break;
    }
    if (ov->type == T_INT) v = vv.i;
    if ((fv.kind == DBV_INT && fv.i == 1) != (v >= omax)) {
      snprintf(why, wl, "versions compare differently in SQL");
      bail = 1;
      break;
    }
    while (o < onr && okey[o] < kv.i) deleted++, o++;
    int64_t orow = o < onr && okey[o] == kv.i ? o++ : -1;
    if (orow >= 0 && v < over[orow]) {
      snprintf(why, wl, "the version of row %lld went backwards", (long long)kv.i);
      bail = 1;
      break;
    }
    /* A row at the latest version is read again even when its version
     * did not change: with a coarse clock (timestamps have seconds) it may
     * have been written again within the same tick, after the snapshot. */
    int changed = orow < 0 || v != over[orow] || v >= omax;
    if (changed && v < omax) {
      snprintf(why, wl, "row %lld %s with a version below the latest one of the earlier snapshot",
               (long long)kv.i, orow >= 0 ? "changed" : "appeared");
      bail = 1;
      break;
    }
    if (nr + 1 > ncap) {
      grow32(&n2o, &ncap, nr + 1);
      dof = xrealloc(dof, sizeof(int32_t) * (size_t)ncap);
    }
    n2o[nr] = (int32_t)orow;
    if (orow >= 0) o2n[orow] = (int32_t)nr;
    dof[nr] = -1;
    if (changed) {
      grow_delta(d, nc, &dcap, nd + 1);
      grow32(&d2r, &d2cap, nd + 1);
      if (by_rowid) {
        DbValue rv = db_column(q, 3);
        if (rv.kind != DBV_INT) { snprintf(why, wl, "a rowid is not an integer"); bail = 1; break; }
        if (nd + 1 > rcap) {
          rcap = rcap ? rcap * 2 : 256;
          rowids = xrealloc(rowids, sizeof *rowids * (size_t)rcap);
        }
        rowids[nd] = rv.i;
      } else {
        for (int k = 0; k < nc; k++) snap_put_value(&d[k], nd, db_column(q, 3 + k));
      }
      d2r[nd] = (int32_t)nr;
      dof[nr] = (int32_t)nd++;
      if (orow < 0) inserted++;
      else if (v != over[orow]) updated++;
      else rechecked++;
    }
    prev = kv.i;
    nr++;
  }
  db_finalize(q);
  if (rc < 0 && !bail) snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
  if (rc >= 0 && !bail && by_rowid && nd > 0) {
    /* the changed rows, in the same transaction as the scan */
    sql = fetch_sql(sc);
    DbStmt *f = db_prepare(db, sql);
    free(sql);
    if (!f) rc = -1;
    for (int64_t i = 0; f && i < nd; i++) {
      db_bind_int(f, 1, rowids[i]);
      int frc = db_step(f);
      if (frc < 0) { rc = -1; break; }
      if (frc == 0) { snprintf(why, wl, "row %lld is gone", (long long)rowids[i]); bail = 1; break; }
      for (int k = 0; k < nc; k++) snap_put_value(&d[k], i, db_column(f, k));
      db_reset(f);
    }
    db_finalize(f);
    if (rc < 0) snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
  }
  free(rowids);
  deleted += onr - o;
  for (int k = 0; k < nc && !bail && rc >= 0; k++)
    if (ot->cols[k].dec_has_int && (updated || deleted)) {
      snprintf(why, wl, "decimal column %s holds integers", ot->cols[k].name);
      bail = 1;
    }
  int result = bail ? 1 : rc < 0 ? -1 : 0;
  if (result == 0) {
    int rows_same = !inserted && !deleted;
    t->name = strdup(sc->name);
    t->nrows = nr;
    t->count = nr;
    t->key_col = kc;
    t->ncols = nc;
    t->cols = calloc((size_t)nc + 1, sizeof *t->cols);
    if (!t->name || !t->cols) abort();
    for (int k = 0; k < nc; k++)
      assemble_col(s, &t->cols[k], &ot->cols[k], &d[k], nr, n2o, dof, d2r, nd, rows_same);
    SnapCol *kcol = &t->cols[kc];
    t->key_bad = kcol->bad || kcol->nulls; /* increasing: checked by the scan */
    char mq[512];
    snprintf(mq, sizeof mq, "SELECT max(rowid) FROM \"%s\"", sc->name);
    t->max_rowid = db_query_int(db, mq, -1);
    st->rows_same = rows_same;
    if (!rows_same) {
      st->new_to_old = n2o, n2o = NULL;
      st->old_to_new = o2n, o2n = NULL;
    }
    tr->versions_read = nr;
    tr->rows_read = nd;
    tr->updated = updated;
    tr->inserted = inserted;
    tr->deleted = deleted;
    tr->rechecked = rechecked;
  }
  for (int k = 0; k < nc; k++) {
    free(d[k].data);
    free(d[k].nulls);
    snap_dict_free(&d[k].dict);
  }
  free(d);
  free(dc);
  free(o2n);
  free(n2o);
  free(dof);
  free(d2r);
  return result;
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

/* s takes over old's storage (heap blocks and mapped segments). */
static void adopt(Snapshot *s, Snapshot *old) {
  for (int i = 0; i < old->nblocks; i++) snap_own(s, old->blocks[i]);
  old->nblocks = 0;
  s->segs = xrealloc(s->segs, sizeof *s->segs * (size_t)(s->nsegs + old->nsegs + 1));
  for (int i = 0; i < old->nsegs; i++) s->segs[s->nsegs++] = old->segs[i];
  old->nsegs = 0;
}

Snapshot *snapshot_refresh(Db *db, const char *db_path, Snapshot *old, Schema **schemas, int n,
                           SnapReport *rep, char *err, size_t errlen) {
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
    for (int i = 0; pg && i < n; i++)
      if (ts[i].root) ts[i].has_hash = snap_pages_table_hash(pg, ts[i].root, ts[i].sql, ts[i].hash) == 0;
    snap_pages_close(pg);
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
    if (old && !ot) {
      snprintf(tr[i].why, sizeof tr[i].why, "not in the earlier snapshot");
    } else if (ot && !snap_table_layout_matches(ot, sc)) {
      snprintf(tr[i].why, sizeof tr[i].why, "its schema changed");
    } else if (ot && ot->has_hash && ts[i].has_hash && !memcmp(ot->hash, ts[i].hash, sizeof ot->hash)) {
      reuse_table(t, sc, ot);
      tr[i].how = SNAP_TABLE_REUSED;
      rc = 0;
    } else if (ot) {
      rc = refresh_table(s, db, sc, ot, &ts[i], t, &tr[i], err, errlen);
      if (rc == 0) tr[i].how = SNAP_TABLE_REFRESHED;
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

Snapshot *snapshot_build(Db *db, Schema **schemas, int n, char *err, size_t errlen) {
  return snapshot_refresh(db, NULL, NULL, schemas, n, NULL, err, errlen);
}
