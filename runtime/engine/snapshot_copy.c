/* snapshot_copy.c — a table's rows for the snapshot from PostgreSQL, in one
 * `COPY (SELECT ...) TO STDOUT (FORMAT binary)` (db_copy_out), not row by
 * row.  The SELECT casts every column to one of three wire types so values
 * arrive as SQLite would hand them to snap_put_value:
 *   int, duration  bigint            decimal  double precision
 *   bool           bigint 0/1        date     text 'YYYY-MM-DD'
 *   timestamp      text 'YYYY-MM-DD HH:MM:SS'      text, enum  text
 * Rows come in key order (ORDER BY the key), as snap_build_table's scan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/snapshot_impl.h"

/* COPY's binary header: signature, flags, header extension length. */
static const char SIGNATURE[11] = "PGCOPY\n\377\r\n";

typedef struct CopyRead {
  ColBuild *b;
  int nc;
  const int *wire;      /* per column: 0 int8, 1 float8, 2 text */
  int64_t n, cap;
  char *buf;            /* bytes not parsed yet */
  size_t len, bufcap;
  int header_done, ended, bad;
  char *text;           /* NUL-terminated copy of a text field */
  size_t textcap;
} CopyRead;

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

static void grow_rows(CopyRead *r) {
  if (r->n < r->cap) return;
  int64_t ncap = r->cap ? r->cap * 2 : 1024;
  for (int k = 0; k < r->nc; k++) {
    ColBuild *b = &r->b[k];
    b->data = snap_xrealloc(b->data, b->width * (size_t)ncap);
    b->nulls = snap_xrealloc(b->nulls, sizeof(uint64_t) * (size_t)(ncap / 64 + 1));
    memset(b->nulls + r->cap / 64, 0, sizeof(uint64_t) * (size_t)(ncap / 64 + 1 - r->cap / 64));
  }
  r->cap = ncap;
}

/* Parses one tuple at p (avail bytes): its length, 0 if incomplete, -1 if
 * malformed. */
static long tuple(CopyRead *r, const unsigned char *p, size_t avail) {
  if (avail < 2) return 0;
  int16_t nf = (int16_t)((p[0] << 8) | p[1]);
  if (nf == -1) {
    r->ended = 1;
    return 2;
  }
  if (nf != r->nc) return -1;
  size_t at = 2;
  for (int k = 0; k < nf; k++) { /* complete? */
    if (avail < at + 4) return 0;
    int32_t fl = (int32_t)be32(p + at);
    at += 4;
    if (fl > 0) at += (size_t)fl;
    if (fl < -1) return -1;
  }
  if (avail < at) return 0;
  grow_rows(r);
  at = 2;
  for (int k = 0; k < nf; k++) {
    int32_t fl = (int32_t)be32(p + at);
    at += 4;
    DbValue v = {DBV_NULL, 0, 0, NULL};
    if (fl >= 0) {
      const unsigned char *f = p + at;
      switch (r->wire[k]) {
        case 0:
          if (fl != 8) return -1;
          v.kind = DBV_INT;
          v.i = (int64_t)be64(f);
          break;
        case 1: {
          if (fl != 8) return -1;
          uint64_t bits = be64(f);
          v.kind = DBV_REAL;
          memcpy(&v.r, &bits, sizeof v.r);
          break;
        }
        default:
          if ((size_t)fl + 1 > r->textcap) {
            r->textcap = (size_t)fl + 1 > r->textcap * 2 ? (size_t)fl + 1 : r->textcap * 2;
            r->text = snap_xrealloc(r->text, r->textcap);
          }
          memcpy(r->text, f, (size_t)fl);
          r->text[fl] = 0;
          v.kind = DBV_TEXT;
          v.s = r->text;
          break;
      }
      at += (size_t)fl;
    }
    snap_put_value(&r->b[k], r->n, v);
  }
  r->n++;
  return (long)at;
}

static int on_chunk(void *ctx, const char *data, size_t len) {
  CopyRead *r = ctx;
  if (r->bad) return 1;
  if (r->len + len > r->bufcap) {
    r->bufcap = r->len + len > r->bufcap * 2 ? r->len + len : r->bufcap * 2;
    r->buf = snap_xrealloc(r->buf, r->bufcap);
  }
  memcpy(r->buf + r->len, data, len);
  r->len += len;
  size_t at = 0;
  const unsigned char *u = (const unsigned char *)r->buf;
  if (!r->header_done) {
    if (r->len < 19) return 0;
    if (memcmp(r->buf, SIGNATURE, 11)) return r->bad = 1;
    uint32_t ext = be32(u + 15);
    if (r->len < 19 + (size_t)ext) return 0;
    at = 19 + ext;
    r->header_done = 1;
  }
  while (!r->ended && at < r->len) {
    long used = tuple(r, u + at, r->len - at);
    if (used < 0) return r->bad = 1;
    if (used == 0) break;
    at += (size_t)used;
  }
  memmove(r->buf, r->buf + at, r->len - at);
  r->len -= at;
  return 0;
}

/* Room for the column list of sc's SELECT and what surrounds it. */
static size_t sql_cap(Schema *sc, size_t extra) {
  size_t cap = 256 + extra + strlen(sc->name) * 2 + (sc->key ? strlen(sc->key->name) * 2 : 0);
  for (int k = 0; k < sc->columns.len; k++) cap += strlen(((Column *)sc->columns.items[k])->name) * 2 + 64;
  return cap;
}

/* Appends at sql+n the columns of sc, each cast to its wire type (set in
 * wire); the new length. */
static size_t cast_list(Schema *sc, int *wire, char *sql, size_t n, size_t cap) {
  int w;
  for (int k = 0; k < sc->columns.len; k++) {
    Column *c = sc->columns.items[k];
    const char *fmt;
    switch (c->type->kind) {
      case T_INT: case T_DURATION: fmt = "CAST(\"%s\" AS bigint)"; w = 0; break;
      case T_DECIMAL: fmt = "CAST(\"%s\" AS double precision)"; w = 1; break;
      case T_BOOL: fmt = "CAST(CAST(\"%s\" AS integer) AS bigint)"; w = 0; break;
      case T_DATE: fmt = "to_char(\"%s\", 'YYYY-MM-DD')"; w = 2; break;
      case T_TIMESTAMP: fmt = "to_char(\"%s\", 'YYYY-MM-DD HH24:MI:SS')"; w = 2; break;
      default: fmt = "CAST(\"%s\" AS text)"; w = 2; break;
    }
    wire[k] = w;
    if (k) n += (size_t)snprintf(sql + n, cap - n, ", ");
    n += (size_t)snprintf(sql + n, cap - n, fmt, c->name);
  }
  return n;
}

/* The SELECT behind the COPY: every column cast to its wire type. */
static char *copy_sql(Schema *sc, int *wire) {
  size_t cap = sql_cap(sc, 0);
  char *sql = snap_xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT ");
  n = cast_list(sc, wire, sql, n, cap);
  n += (size_t)snprintf(sql + n, cap - n, " FROM \"%s\"", sc->name);
  if (sc->key) snprintf(sql + n, cap - n, " ORDER BY \"%s\"", sc->key->name);
  return sql;
}

static int copy_rows(Db *db, Schema *sc, ColBuild *b, int nc, int64_t *nrows, char *err, size_t errlen) {
  int *wire = calloc((size_t)nc + 1, sizeof *wire);
  if (!wire) abort();
  char *sql = copy_sql(sc, wire);
  CopyRead r = {.b = b, .nc = nc, .wire = wire};
  int rc = db_copy_out(db, sql, on_chunk, &r);
  free(sql);
  if (rc == 0 && (r.bad || !r.header_done || !r.ended || r.len)) {
    snprintf(err, errlen, "snapshot of table %s: unexpected COPY data from the server", sc->name);
    rc = -1;
  } else if (rc) {
    snprintf(err, errlen, "snapshot of table %s: %s", sc->name, db_error(db));
  }
  *nrows = r.n;
  free(r.buf);
  free(r.text);
  free(wire);
  return rc;
}

int snap_copy_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, char *err, size_t errlen) {
  int nc = sc->columns.len;
  ColBuild *b = snap_table_begin(t, sc);
  int64_t n = 0;
  if (copy_rows(db, sc, b, nc, &n, err, errlen)) {
    for (int k = 0; k < nc; k++) free(b[k].data), free(b[k].nulls), snap_dict_free(&b[k].dict);
    free(b);
    return -1;
  }
  return snap_finish_table(s, db, sc, t, b, n, NULL, 1);
}

/* hashtextextended (PostgreSQL 11+) of the text of the row's columns
 * (as stored: cheaper than COPY's casts, and any change COPY would see
 * changes that text), summed exactly as numeric and reduced modulo 2^64
 * on the server, and the row count.  One pass, parallel on the server. */
int snap_pg_table_hash(Db *db, Schema *sc, uint64_t out[2]) {
  size_t cap = sql_cap(sc, 0) + 512;
  char *sql = snap_xmalloc(cap);
  size_t n = (size_t)snprintf(sql, cap, "SELECT count(*), CAST(mod(mod(coalesce(sum(CAST(hashtextextended(CAST(ROW(");
  for (int k = 0; k < sc->columns.len; k++)
    n += (size_t)snprintf(sql + n, cap - n, "%s\"%s\"", k ? ", " : "", ((Column *)sc->columns.items[k])->name);
  snprintf(sql + n, cap - n,
           ") AS text), 0) AS numeric)), 0), 18446744073709551616) + 18446744073709551616,"
           " 18446744073709551616) AS text) FROM \"%s\"",
           sc->name);
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  int rc = -1;
  if (st && db_step(st) == 1) {
    DbValue c = db_column(st, 0), h = db_column(st, 1);
    if (c.kind == DBV_INT && h.kind == DBV_TEXT) {
      out[0] = strtoull(h.s, NULL, 10);
      out[1] = (uint64_t)c.i;
      rc = 0;
    }
  }
  db_finalize(st);
  return rc;
}
