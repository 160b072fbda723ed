/* snapshot_build.c — reads tables through db.h into columns: one scan per
 * table in key order, values checked against the camp type (a value SQL
 * would treat differently marks the column bad), text dictionary-encoded.
 * Links and collections, and the whole-snapshot entry points, are in
 * snapshot_refresh.c, which also reuses these column builders to patch a
 * table: a refreshed column is encoded by exactly the same code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/engine/snapshot_impl.h"

void *snap_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) abort();
  return p;
}

void *snap_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) abort();
  return p;
}

#define xmalloc snap_xmalloc
#define xrealloc snap_xrealloc
#define own snap_own

/* Registers a heap block owned by the snapshot. */
void *snap_own(Snapshot *s, void *p) {
  if (s->nblocks == s->capblocks) {
    s->capblocks = s->capblocks ? s->capblocks * 2 : 64;
    s->blocks = xrealloc(s->blocks, sizeof(void *) * (size_t)s->capblocks);
  }
  s->blocks[s->nblocks++] = p;
  return p;
}

/* ------------------------------------------------------- string interning */

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void dict_grow_table(Dict *d) {
  uint32_t ns = d->nslots ? d->nslots * 2 : 1024;
  uint32_t *slots = calloc(ns, sizeof *slots);
  if (!slots) abort();
  for (uint32_t i = 0; i < d->n; i++) {
    uint32_t h = (uint32_t)hash_str(d->bytes + d->off[i]) & (ns - 1);
    while (slots[h]) h = (h + 1) & (ns - 1);
    slots[h] = i + 1;
  }
  free(d->slots);
  d->slots = slots;
  d->nslots = ns;
}

uint32_t snap_dict_add(Dict *d, const char *s) {
  if ((uint64_t)d->n * 2 >= d->nslots) dict_grow_table(d);
  uint32_t h = (uint32_t)hash_str(s) & (d->nslots - 1);
  while (d->slots[h]) {
    uint32_t id = d->slots[h] - 1;
    if (!strcmp(d->bytes + d->off[id], s)) return id;
    h = (h + 1) & (d->nslots - 1);
  }
  size_t n = strlen(s) + 1;
  while (d->len + n > d->cap) {
    d->cap = d->cap ? d->cap * 2 : 4096;
    d->bytes = xrealloc(d->bytes, d->cap);
  }
  if (d->n + 1 >= d->capn) {
    d->capn = d->capn ? d->capn * 2 : 256;
    d->off = xrealloc(d->off, sizeof(uint64_t) * d->capn);
  }
  memcpy(d->bytes + d->len, s, n);
  d->off[d->n] = d->len;
  d->len += n;
  d->slots[h] = d->n + 1;
  return d->n++;
}

void snap_dict_free(Dict *d) {
  free(d->bytes);
  free(d->off);
  free(d->slots);
}

/* ------------------------------------------------------------ one column */

size_t snap_kind_width(SnapColKind k) {
  switch (k) {
    case SC_I64: case SC_F64: return 8;
    case SC_I32: case SC_TEXT: return 4;
    case SC_I8: return 1;
  }
  return 8;
}

SnapColKind snap_kind_of(TypeKind t) {
  switch (t) {
    case T_DECIMAL: return SC_F64;
    case T_DATE: return SC_I32;
    case T_BOOL: return SC_I8;
    case T_TEXT: case T_ENUM: return SC_TEXT;
    default: return SC_I64;
  }
}

void snap_set_null(ColBuild *b, int64_t row) {
  b->nulls[row >> 6] |= 1ULL << (row & 63);
  b->has_null = 1;
}

/* Stores value v of row `row`; marks the column bad where SQL could see
 * something the typed columns cannot represent. */
void snap_put_value(ColBuild *b, int64_t row, DbValue v) {
  SnapCol *c = b->c;
  char *p = (char *)b->data + (size_t)row * b->width;
  memset(p, 0, b->width);
  if (v.kind == DBV_NULL) {
    snap_set_null(b, row);
    return;
  }

  switch (c->type) {
    case T_INT: case T_DURATION:
      if (v.kind != DBV_INT) c->bad = 1;
      *(int64_t *)p = v.i;
      return;
    case T_DECIMAL:
      if (v.kind == DBV_INT) c->dec_has_int = 1, *(double *)p = (double)v.i;
      else if (v.kind == DBV_REAL) *(double *)p = v.r;
      else c->bad = 1;
      return;
    case T_BOOL:
      if (v.kind != DBV_INT || (v.i != 0 && v.i != 1)) c->bad = 1;
      *(int8_t *)p = (int8_t)(v.i != 0);
      return;
    case T_DATE: {
      int32_t d = 0;
      if (v.kind != DBV_TEXT || snap_parse_date(v.s, &d)) c->bad = 1;
      *(int32_t *)p = d;
      return;
    }
    case T_TIMESTAMP: {
      int64_t t = 0;
      if (v.kind != DBV_TEXT || snap_parse_ts(v.s, &t)) c->bad = 1;
      *(int64_t *)p = t;
      return;
    }
    case T_TEXT: case T_ENUM:
      if (v.kind != DBV_TEXT) {
        c->bad = 1;
        snap_set_null(b, row);
        return;
      }
      *(uint32_t *)p = snap_dict_add(&b->dict, v.s);
      return;
    default:
      c->bad = 1;
      return;
  }
}

static int cmp_ids_ctx_sort(const void *a, const void *b);
static const Dict *sort_dict;
static int cmp_ids_ctx_sort(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return strcmp(sort_dict->bytes + sort_dict->off[x], sort_dict->bytes + sort_dict->off[y]);
}

void snap_put_column(ColBuild *b, int64_t row, DbStmt *st, int col) {
  DbValue v = db_column(st, col);
  /* SQL compares and returns text to its full length, NULs included; the
   * columns hold C strings: such a column is SQL's alone */
  if (v.kind == DBV_TEXT && db_column_bytes(st, col) > strlen(v.s)) b->c->bad = 1;
  snap_put_value(b, row, v);
}

/* Text column: a sorted dictionary when values repeat, else plain. */
void snap_finish_text(Snapshot *s, ColBuild *b, int64_t nrows) {
  SnapCol *c = b->c;
  Dict *d = &b->dict;
  uint32_t *ids = b->data;
  int dict = (uint64_t)d->n * 4 <= (uint64_t)nrows || d->n <= 4096;
  if (dict) {
    uint32_t *perm = xmalloc(sizeof(uint32_t) * (d->n + 1));
    for (uint32_t i = 0; i < d->n; i++) perm[i] = i;
    sort_dict = d;
    qsort(perm, d->n, sizeof *perm, cmp_ids_ctx_sort);
    uint32_t *rank = xmalloc(sizeof(uint32_t) * (d->n + 1));
    uint64_t *off = own(s, xmalloc(sizeof(uint64_t) * (d->n + 1)));
    char *bytes = own(s, xmalloc(d->len + 1));
    uint64_t pos = 0;
    for (uint32_t i = 0; i < d->n; i++) {
      const char *str = d->bytes + d->off[perm[i]];
      size_t n = strlen(str) + 1;
      memcpy(bytes + pos, str, n);
      off[i] = pos;
      pos += n;
      rank[perm[i]] = i;
    }
    off[d->n] = pos;
    int32_t *codes = own(s, xmalloc(sizeof(int32_t) * (size_t)(nrows + 1)));
    for (int64_t r = 0; r < nrows; r++)
      codes[r] = snap_is_null(c, r) ? -1 : (int32_t)rank[ids[r]];
    c->data = codes;
    c->ndict = d->n;
    c->dict_sorted = 1;
    c->str_off = off;
    c->str_bytes = bytes;
    free(perm);
    free(rank);
  } else {
    uint64_t total = 0;
    for (int64_t r = 0; r < nrows; r++)
      total += snap_is_null(c, r) ? 1 : strlen(d->bytes + d->off[ids[r]]) + 1;
    uint64_t *off = own(s, xmalloc(sizeof(uint64_t) * (size_t)(nrows + 1)));
    char *bytes = own(s, xmalloc(total + 1));
    uint64_t pos = 0;
    for (int64_t r = 0; r < nrows; r++) {
      const char *str = snap_is_null(c, r) ? "" : d->bytes + d->off[ids[r]];
      size_t n = strlen(str) + 1;
      memcpy(bytes + pos, str, n);
      off[r] = pos;
      pos += n;
    }
    off[nrows] = pos;
    c->data = NULL;
    c->ndict = (uint32_t)nrows;
    c->dict_sorted = 0;
    c->str_off = off;
    c->str_bytes = bytes;
  }
  free(b->data);
  b->data = NULL;
  snap_dict_free(d);
}

/* ------------------------------------------------------------ one table */

int snap_shadows_rowid(Schema *sc) {
  for (int k = 0; k < sc->columns.len; k++) {
    const char *n = ((Column *)sc->columns.items[k])->name;
    if (!strcasecmp(n, "rowid") || !strcasecmp(n, "_rowid_") || !strcasecmp(n, "oid")) return 1;
  }
  return 0;
}


/* The columns in key order, and the rowid last when with_rowid. */
static char *select_sql(Schema *sc, int with_rowid) {
  size_t cap = 256;
  for (int k = 0; k < sc->columns.len; k++)
    cap += strlen(((Column *)sc->columns.items[k])->name) * 2 + 8;
  cap += strlen(sc->name) * 2 + (sc->key ? strlen(sc->key->name) * 2 : 0);
  char *sql = xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT ");
  for (int k = 0; k < sc->columns.len; k++)
    n += (size_t)snprintf(sql + n, cap - n, "%s\"%s\"", k ? ", " : "",
                          ((Column *)sc->columns.items[k])->name);
  if (with_rowid) n += (size_t)snprintf(sql + n, cap - n, ", _rowid_");
  n += (size_t)snprintf(sql + n, cap - n, " FROM \"%s\"", sc->name);
  if (sc->key) snprintf(sql + n, cap - n, " ORDER BY \"%s\"", sc->key->name);
  return sql;
}

ColBuild *snap_table_begin(SnapTable *t, Schema *sc) {
  int nc = sc->columns.len;
  t->name = strdup(sc->name);
  t->ncols = nc;
  t->cols = calloc((size_t)nc + 1, sizeof *t->cols);
  t->key_col = -1;
  ColBuild *b = calloc((size_t)nc + 1, sizeof *b);
  if (!t->name || !t->cols || !b) abort();
  for (int k = 0; k < nc; k++) {
    Column *col = sc->columns.items[k];
    t->cols[k].name = strdup(col->name);
    t->cols[k].type = col->type->kind;
    t->cols[k].kind = snap_kind_of(col->type->kind);
    t->cols[k].link_table = -1;
    if (col == sc->key) t->key_col = k;
    b[k].c = &t->cols[k];
    b[k].width = snap_kind_width(t->cols[k].kind);
  }
  return b;
}

int snap_build_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, char *err, size_t errlen) {
  int nc = sc->columns.len;
  ColBuild *b = snap_table_begin(t, sc);
  /* the rowids place the rows a refresh keeps (snapshot_diff.c); a view
   * or a table without rowid has none */
  int with_rowid = !snap_shadows_rowid(sc);
  char *sql = select_sql(sc, with_rowid);
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  if (!st && with_rowid) {
    with_rowid = 0;
    sql = select_sql(sc, 0);
    st = db_prepare(db, sql);
    free(sql);
  }
  if (!st) {
    snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
    free(b);
    return -1;
  }
  int64_t cap = 0, n = 0, *rowids = NULL;
  int rc;
  while ((rc = db_step(st)) == 1) {
    if (n == cap) {
      int64_t ncap = cap ? cap * 2 : 1024;
      rowids = xrealloc(rowids, sizeof *rowids * (size_t)ncap);
      for (int k = 0; k < nc; k++) {
        b[k].data = xrealloc(b[k].data, b[k].width * (size_t)ncap);
        b[k].nulls = xrealloc(b[k].nulls, sizeof(uint64_t) * (size_t)(ncap / 64 + 1));
        memset(b[k].nulls + cap / 64, 0, sizeof(uint64_t) * (size_t)(ncap / 64 + 1 - cap / 64));
      }
      cap = ncap;
    }
    for (int k = 0; k < nc; k++) snap_put_column(&b[k], n, st, k);
    DbValue rv = with_rowid ? db_column(st, nc) : (DbValue){0};
    if (rv.kind != DBV_INT) with_rowid = 0;
    rowids[n] = rv.i;
    n++;
  }
  db_finalize(st);
  if (rc < 0) {
    free(rowids);
    snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
    for (int k = 0; k < nc; k++) free(b[k].data), free(b[k].nulls), snap_dict_free(&b[k].dict);
    free(b);
    return -1;
  }
  if (!with_rowid) free(rowids), rowids = NULL;
  return snap_finish_table(s, db, sc, t, b, n, rowids, 0);
}

int snap_finish_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, ColBuild *b, int64_t n, int64_t *rowids,
                      int pg) {
  int nc = sc->columns.len;
  int with_rowid = rowids != NULL;
  t->nrows = n;
  for (int k = 0; k < nc; k++) {
    SnapCol *c = &t->cols[k];
    if (!b[k].data) b[k].data = xmalloc(8);
    if (!b[k].nulls) b[k].nulls = xmalloc(8), b[k].nulls[0] = 0;
    if (b[k].has_null) c->nulls = own(s, b[k].nulls); else free(b[k].nulls);
    if (c->kind == SC_TEXT) snap_finish_text(s, &b[k], n);
    else c->data = own(s, b[k].data);
  }
  free(b);
  if (t->key_col >= 0) {
    SnapCol *kc = &t->cols[t->key_col];
    const int64_t *kv = kc->data;
    t->key_bad = kc->bad || kc->nulls || kc->type != T_INT;
    for (int64_t r = 1; r < n && !t->key_bad; r++)
      if (kv[r] <= kv[r - 1]) t->key_bad = 1;
    /* kept only where some rowid is not the key (NULL: the key is) */
    int plain = 1;
    for (int64_t r = 0; r < n && plain && with_rowid && !t->key_bad; r++) plain = rowids[r] == kv[r];
    if (with_rowid && !t->key_bad && !plain) t->rowids = own(s, rowids), rowids = NULL;
  }
  free(rowids);
  char q[512];
  snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\"", sc->name);
  t->count = db_query_int(db, q, -2);
  if (pg) {
    t->max_rowid = -1;
  } else {
    snprintf(q, sizeof q, "SELECT max(rowid) FROM \"%s\"", sc->name);
    t->max_rowid = db_query_int(db, q, -1);
  }
  return 0;
}

