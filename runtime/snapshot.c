/* snapshot.c — snapshot bookkeeping: which tables a rule reads, what the
 * database looked like (fingerprint), freshness, look-ups and the calendar
 * helpers.  Building is in snapshot_build.c, files in snapshot_file.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

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
  int fd = open(db_path, O_RDONLY);
  if (fd < 0) return -1;
  unsigned char h[100];
  struct stat st;
  int ok = pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h && fstat(fd, &st) == 0;
  close(fd);
  if (!ok) return -1;
  fp->change_counter = be32(h + 24);
  fp->db_size = st.st_size;
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
    if (fstat(fd, &st) == 0) fp->wal_size = st.st_size;
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

#define SNAP_LAYOUT "camp-snapshot-layout-1"

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

void snapshot_free(Snapshot *s) {
  if (!s) return;
  for (int i = 0; i < s->ntables; i++) {
    SnapTable *t = &s->tables[i];
    free(t->name);
    for (int k = 0; k < t->ncols; k++) free(t->cols[k].name);
    for (int k = 0; k < t->ncolls; k++) free(t->colls[k].name);
    free(t->cols);
    free(t->colls);
  }
  free(s->tables);
  for (int i = 0; i < s->nblocks; i++) free(s->blocks[i]);
  free(s->blocks);
  if (s->map) munmap(s->map, s->maplen);
  free(s);
}

int snapshot_table(const Snapshot *s, const char *name) {
  for (int i = 0; s && i < s->ntables; i++)
    if (!strcmp(s->tables[i].name, name)) return i;
  return -1;
}

int snapshot_col(const SnapTable *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (!strcmp(t->cols[i].name, name)) return i;
  return -1;
}

int snapshot_coll(const SnapTable *t, const char *name) {
  for (int i = 0; i < t->ncolls; i++)
    if (!strcmp(t->colls[i].name, name)) return i;
  return -1;
}

int64_t snapshot_find_key(const SnapTable *t, int64_t key) {
  if (t->key_col < 0 || t->key_bad) return -1;
  const int64_t *k = t->cols[t->key_col].data;
  int64_t lo = 0, hi = t->nrows;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (k[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo < t->nrows && k[lo] == key ? lo : -1;
}

/* 1 if table t of the snapshot was built with exactly schema s's columns. */
static int table_matches(const SnapTable *t, Schema *s) {
  if (t->ncols != s->columns.len) return 0;
  for (int k = 0; k < t->ncols; k++) {
    Column *c = s->columns.items[k];
    if (strcmp(t->cols[k].name, c->name) || t->cols[k].type != c->type->kind) return 0;
  }
  return 1;
}

/* Same table statistics as when built: rows added or removed show here
 * even when the file fingerprint could not tell. */
static int stats_match(Db *db, const SnapTable *t) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t->name);
  if (db_query_int(db, sql, -2) != t->count) return 0;
  snprintf(sql, sizeof sql, "SELECT max(rowid) FROM \"%s\"", t->name);
  return db_query_int(db, sql, -1) == t->max_rowid;
}

int snapshot_fresh(const Snapshot *s, Db *db, const char *db_path, Schema **schemas, int n) {
  SnapFingerprint fp;
  if (snapshot_fingerprint(db_path, &fp) != 0) return 0;
  /* In-memory databases have no file to watch: never trust a snapshot. */
  if (!db_path || !strcmp(db_path, ":memory:")) return 0;
  if (fp.change_counter != s->fp.change_counter || fp.db_size != s->fp.db_size ||
      fp.wal_size != s->fp.wal_size || fp.wal_salt1 != s->fp.wal_salt1 ||
      fp.wal_salt2 != s->fp.wal_salt2)
    return 0;
  for (int i = 0; i < n; i++) {
    int ti = snapshot_table(s, schemas[i]->name);
    if (ti < 0 || !table_matches(&s->tables[ti], schemas[i])) return 0;
    if (!stats_match(db, &s->tables[ti])) return 0;
  }
  return 1;
}

/* ------------------------------------------------------------ calendar */

int64_t snap_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void snap_civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

static int month_days(int y, int m) {
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : md[m - 1];
}

static int parse_date_part(const char *s, int64_t *days) {
  int y, m, d;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
      digits(s + 8, 2, &d))
    return -1;
  if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return -1;
  *days = snap_days_from_civil(y, m, d);
  return 0;
}

int snap_parse_date(const char *s, int32_t *days) {
  int64_t d;
  if (strlen(s) != 10 || parse_date_part(s, &d)) return -1;
  *days = (int32_t)d;
  return 0;
}

int snap_parse_ts(const char *s, int64_t *secs) {
  int64_t d;
  int hh, mm, ss;
  if (strlen(s) != 19 || parse_date_part(s, &d) || s[10] != ' ' || digits(s + 11, 2, &hh) ||
      s[13] != ':' || digits(s + 14, 2, &mm) || s[16] != ':' || digits(s + 17, 2, &ss))
    return -1;
  if (hh > 23 || mm > 59 || ss > 59) return -1;
  *secs = d * 86400 + hh * 3600 + mm * 60 + ss;
  return 0;
}
