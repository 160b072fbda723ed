/* snapshot_open.c — the snapshot of a database, as plans and runs open it:
 * mapped when fresh, else refreshed (snapshot_refresh.c) and saved
 * (snapshot_file.c); the tables a check found damaged (columns_check.c)
 * are named in the directory's `damaged` file and read again by the next
 * open.  Also where snapshots live (snapshot_dir). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/snapshot_impl.h"

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) abort();
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* ------------------------------------------------------------- damage */

/* The file naming the tables a check found damaged (one name a line):
 * the next open reads them again from the database. */
#define DAMAGED_FILE "damaged"

void snapshot_mark_damaged(Snapshot *s, const SnapTable *t, const char *file, const char *what) {
  static char warned[8][64]; /* once per table and process */
  for (int i = 0; i < 8; i++) {
    if (!strcmp(warned[i], t->name)) return;
    if (!warned[i][0]) {
      snprintf(warned[i], sizeof warned[i], "%s", t->name);
      break;
    }
  }
  fprintf(stderr, "camp: warning: snapshot file %s/%s is damaged (%s): table %s is read again from the database\n",
          s->dir ? s->dir : ".", file, what, t->name);
  if (!s->dir) return;
  char *path = join(s->dir, DAMAGED_FILE);
  FILE *f = fopen(path, "a");
  if (f) {
    fprintf(f, "%s\n", t->name);
    fclose(f);
  }
  free(path);
}

/* Flags the tables the directory's `damaged` file names. */
static void apply_marks(Snapshot *s, const char *dir) {
  char *path = join(dir, DAMAGED_FILE);
  FILE *f = fopen(path, "r");
  free(path);
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    int ti = snapshot_table(s, line);
    if (ti >= 0) s->tables[ti].damaged = 1;
  }
  fclose(f);
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

void snapshot_report_free(SnapReport *r) {
  if (!r) return;
  free(r->tables);
  memset(r, 0, sizeof *r);
}

/* Writes s as dir/snapshot.bin (path), creating dir (mode); a failure only
 * warns (unsaved is still correct: it just will not be reused). */
static void save(Snapshot *s, const char *dir, mode_t mode, const char *path, SnapReport *rep) {
  char lerr[256];
  if (mkdir(dir, mode) != 0 && errno != EEXIST) {
    fprintf(stderr, "camp: warning: snapshot not saved: cannot create %s: %s\n", dir, strerror(errno));
    return;
  }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  if (snapshot_save(s, path, lerr, sizeof lerr) != 0) {
    fprintf(stderr, "camp: warning: snapshot not saved: %s\n", lerr);
  } else {
    rep->saved = 1;
    char *marks = join(dir, DAMAGED_FILE); /* the damaged tables were read again */
    unlink(marks);
    free(marks);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  rep->ms_save = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

/* The cached snapshot at dir/snapshot.bin, if any, with its damage marks. */
static Snapshot *load_old(const char *dir, const char *path) {
  char lerr[256];
  int damage;
  Snapshot *old = snap_load(path, &damage, lerr, sizeof lerr);
  if (!old && damage)
    fprintf(stderr, "camp: warning: %s: every table is read again from the database\n", lerr);
  if (old) old->on_damage = snapshot_mark_damaged, apply_marks(old, dir);
  return old;
}

Snapshot *snapshot_open_report(Db *db, const char *db_path, Schema **schemas, int n,
                               SnapReport *rep, char *err, size_t errlen) {
  memset(rep, 0, sizeof *rep);
  char *dir = snapshot_dir(db_path);
  size_t plen = strlen(dir) + 32;
  char *path = malloc(plen);
  if (!path) abort();
  snprintf(path, plen, "%s/snapshot.bin", dir);
  Snapshot *old = load_old(dir, path);
  if (old && snapshot_fresh(old, db, db_path, schemas, n)) {
    rep->how = SNAP_OPEN_FRESH;
    free(dir);
    free(path);
    return old;
  }
  /* WAL mode: the refresh reads pages from the file once every frame is
   * checkpointed there (snapshot_refresh.c).  Done first, before the
   * fingerprint: the checkpoint writes the file, and the snapshot must
   * record the file as it is after it (the refresh's own checkpoint then
   * has nothing left to write). */
  if (db_path && strcmp(db_path, ":memory:")) {
    char *wal = malloc(strlen(db_path) + 8);
    if (!wal) abort();
    sprintf(wal, "%s-wal", !strncmp(db_path, "sqlite:", 7) ? db_path + 7 : db_path);
    struct stat ws;
    if (stat(wal, &ws) == 0 && ws.st_size > 0) db_wal_checkpoint(db_path);
    free(wal);
  }
  /* The fingerprint is taken before anything is read: a change made while
   * reading makes the new snapshot stale at once, never wrongly fresh. */
  SnapFingerprint fp;
  if (snapshot_fingerprint(db_path, &fp) != 0) {
    snprintf(err, errlen, "cannot read database file %s", db_path);
    snapshot_free(old);
    free(dir);
    free(path);
    return NULL;
  }
  Snapshot *s = snapshot_refresh(db, db_path, old, schemas, n, rep, err, errlen);
  snapshot_free(old); /* s took over the storage it still uses */
  if (s) {
    uint64_t hash = s->fp.schema_hash;
    s->fp = fp;
    s->fp.schema_hash = hash;
    save(s, dir, 0777, path, rep); /* beside the database: its readers may share it */
  }
  free(dir);
  free(path);
  return s;
}

Snapshot *snapshot_open(Db *db, const char *db_path, Schema **schemas, int n, int *rebuilt,
                        char *err, size_t errlen) {
  SnapReport rep;
  Snapshot *s = snapshot_open_report(db, db_path, schemas, n, &rep, err, errlen);
  *rebuilt = s && rep.how != SNAP_OPEN_FRESH;
  snapshot_report_free(&rep);
  return s;
}

/* ------------------------------------------------------------ PostgreSQL */

char *snapshot_pg_dir(Db *db) {
  const char *cache = getenv("CAMP_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char base[4096];
  if (cache && *cache) snprintf(base, sizeof base, "%s", cache);
  else if (xdg && *xdg) snprintf(base, sizeof base, "%s/camp", xdg);
  else if (home && *home) snprintf(base, sizeof base, "%s/.cache/camp", home);
  else return NULL;
  if (!strcmp(base, "off")) return NULL;
  /* which server, database, role and tables: one cache per such, so two
   * databases do not keep overwriting each other's (the content hashes
   * keep it correct whatever shares a directory) */
  DbStmt *st = db_prepare(db, "SELECT concat_ws('|', current_database(), current_user, current_setting('port'),"
                              " coalesce(host(inet_server_addr()), 'socket'), current_setting('search_path'))");
  uint64_t h = 1469598103934665603ULL;
  int ok = st && db_step(st) == 1;
  if (ok) {
    DbValue v = db_column(st, 0);
    for (const char *p = v.kind == DBV_TEXT ? v.s : ""; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  }
  db_finalize(st);
  if (!ok) return NULL;
  for (char *p = strchr(base + 1, '/'); ; p = strchr(p + 1, '/')) { /* mkdir -p, private */
    if (p) *p = 0;
    if (mkdir(base, 0700) != 0 && errno != EEXIST) return NULL;
    if (!p) break;
    *p = '/';
  }
  size_t len = strlen(base) + 64;
  char *d = malloc(len);
  if (!d) abort();
  snprintf(d, len, "%s/pg-%016llx.camp-snapshot", base, (unsigned long long)h);
  return d;
}

Snapshot *snapshot_open_pg(Db *db, const char *dir, Schema **schemas, int n, const Snapshot *proven,
                           SnapReport *rep, char *err, size_t errlen) {
  memset(rep, 0, sizeof *rep);
  size_t plen = strlen(dir) + 32;
  char *path = malloc(plen);
  if (!path) abort();
  snprintf(path, plen, "%s/snapshot.bin", dir);
  Snapshot *old = load_old(dir, path);
  Snapshot *s = snap_refresh(db, NULL, 1, old, proven, schemas, n, rep, err, errlen);
  if (s) {
    /* one cache serves every command on this database: a command that
     * reads fewer tables must not make the next one COPY the others again */
    int n0 = s->ntables;
    rep->kept = snap_carry_tables(s, old, db);
    save(s, dir, 0700, path, rep); /* no file fingerprint: freshness is the tables' hashes */
    snap_drop_carried(s, n0);
  }
  snapshot_free(old); /* s took over the storage it still uses */
  free(path);
  return s;
}
