/* fuzz_snapshot.c — fuzz target: snapshot files (runtime/engine/
 * snapshot_file.c, compiler/rules/columns_check.c).  Set-up: a small copy
 * of tests/snapshot's fixture and campaign (every column kind, links,
 * collections) in a database file, its snapshot built, and SQL's answer to
 * every select rule.  Each input is a snapshot directory:
 *
 *   flags (1 byte) | name length (2) | segment file name | manifest
 *   length (4) | manifest bytes | segment bytes
 *
 * written to the snapshot directory, then (flags):
 *   1  the manifest is sealed — its fingerprint set to the database's and
 *      its checksum recomputed — as a file written by something else that
 *      knows the format would be: its contents reach the parser and the
 *      engines; without it a mutated manifest must fail its checksum;
 *   4  direct: snapshot_load, (2: every array's checksum recomputed from
 *      the bytes, as crafted files would have them, so that the bound
 *      checks alone stand between the bytes and the engines), and when it
 *      is fresh the interpreter runs every rule over it;
 *   else  as camp does it: each rule through engine_select (interp) in a
 *      new context (open, check, refresh, rebuild, save); unless sealed,
 *      every answer must be SQL's (a different one aborts: a finding).
 * Seeds: the snapshot made at set-up, under every flag.  See fuzz.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "compiler/check/program.h"
#include "runtime/db/db.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/interp.h"
#include "runtime/engine/snapshot.h"
#include "tests/fuzz/fuzz.h"

#define NOW "2026-03-01 00:00:00"
#define MAXR 32

static char dir[256], dbpath[320], snapdir[400];
static Db *db;
static Program *prog;
static Schema *dims[MAXR];
static Expr *rules[MAXR];
static KeyVec want[MAXR];
static int nrules;
static Schema **schemas;
static int nschemas;
static char *manifest, *segment, segname[128];
static size_t mlen, slen;

static void clear_dir(void) {
  DIR *d = opendir(snapdir);
  if (!d) return;
  struct dirent *e;
  char p[700];
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') snprintf(p, sizeof p, "%s/%s", snapdir, e->d_name), unlink(p);
  closedir(d);
}

static void spill(const char *name, const void *b, size_t n) {
  char p[700];
  snprintf(p, sizeof p, "%s/%s", snapdir, name);
  FILE *f = fopen(p, "wb");
  if (!f) abort();
  if (n && fwrite(b, 1, n, f) != n) abort();
  fclose(f);
}

static void cleanup(void) {
  clear_dir();
  rmdir(snapdir);
  char p[700];
  snprintf(p, sizeof p, "%s/db.sqlite-journal", dir);
  unlink(p);
  unlink(dbpath);
  rmdir(dir);
}

void fuzz_snapshot_init(void) {
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(dir, sizeof dir, "%s/camp-fuzz-snap-XXXXXX", base);
  if (!mkdtemp(dir)) abort();
  snprintf(dbpath, sizeof dbpath, "%s/db.sqlite", dir);
  snprintf(snapdir, sizeof snapdir, "%s.camp-snapshot", dbpath);
  atexit(cleanup);
  setenv("CAMP_SNAPSHOT_GC_AGE", "0", 1);
  unsetenv("CAMP_CACHE_DIR");
  char err[256];
  char *sql = fuzz_read_file("tests/snapshot/fixture.sql", NULL), *src = fuzz_read_file("tests/snapshot/snap.camp", NULL);
  db = db_open(dbpath, DB_OPEN_CREATE, err, sizeof err);
  if (!sql || !src || !db || db_exec(db, sql) ||
      db_exec(db, "DELETE FROM customers WHERE id > 300; DELETE FROM purchases WHERE id > 600;"
                  "DELETE FROM tags WHERE id > 200; UPDATE customers SET email = NULL WHERE id % 7 = 0;")) {
    fprintf(stderr, "fuzz_snapshot: set-up failed (run from the repository root)\n");
    abort();
  }
  free(sql);
  prog = program_new();
  program_load_text(prog, "snap.camp", src);
  program_check(prog);
  free(src);
  Decl *camp = prog->campaigns.len ? prog->campaigns.items[prog->campaigns.len - 1] : NULL;
  for (int i = 0; camp && i < camp->steps.len && nrules < MAXR; i++) {
    Step *st = camp->steps.items[i];
    if (st->kind != S_SELECT || !st->rule || !st->npops) continue;
    dims[nrules] = st->pops[0]->dim;
    rules[nrules++] = st->rule;
  }
  for (int i = 0; i < prog->schemas.len; i++) snapshot_add_schema(prog->schemas.items[i], &schemas, &nschemas);
  EngineCtx e;
  char why[256];
  if (prog->diags.nerrors || !nrules || engine_init(&e, db, NULL, NOW, 1, err, sizeof err)) abort();
  for (int i = 0; i < nrules; i++)
    if (engine_select(&e, ENGINE_SQL, dims[i], rules[i], NULL, &want[i], why, sizeof why)) abort();
  engine_free(&e);
  /* the snapshot, built once: the seed */
  if (engine_init(&e, db, dbpath, NOW, 1, err, sizeof err) ||
      engine_prepare_all(&e, schemas, nschemas, rules, nrules, err, sizeof err))
    abort();
  engine_free(&e);
  char p[700];
  snprintf(p, sizeof p, "%s/snapshot.bin", snapdir);
  manifest = fuzz_read_file(p, &mlen);
  DIR *d = opendir(snapdir);
  struct dirent *ent;
  while (d && (ent = readdir(d)))
    if (!strncmp(ent->d_name, "seg-", 4)) snprintf(segname, sizeof segname, "%.100s", ent->d_name);
  if (d) closedir(d);
  snprintf(p, sizeof p, "%s/%s", snapdir, segname);
  segment = fuzz_read_file(p, &slen);
  if (!manifest || !segment || !segname[0]) abort();
}

static int same(const KeyVec *a, const KeyVec *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->v[i] != b->v[i]) return 0;
  return 1;
}

/* The interpreter over a loaded snapshot s (direct mode). */
static void run_direct(Snapshot *s) {
  if (!snapshot_fresh(s, db, dbpath, schemas, nschemas)) return; /* camp would refresh it */
  int64_t now;
  snap_parse_ts(NOW, &now);
  for (int i = 0; i < nrules; i++) {
    char why[256];
    VProg *p = interp_compile(s, dims[i], &rules[i], 1, now, why, sizeof why);
    if (!p) continue;
    int64_t nr = p->dim->nrows;
    uint8_t *out = malloc((size_t)nr + 1);
    if (!out) abort();
    VRun run = {s, now, NULL};
    interp_eval(p, &run, NULL, nr, out);
    free(out);
    interp_free(p);
  }
}

int fuzz_snapshot_one(const uint8_t *d, size_t n) {
  uint8_t flags = n ? d[0] : 0;
  size_t at = 1;
  char name[128];
  uint16_t nl = 0;
  uint32_t ml = 0;
  if (at + 2 <= n) memcpy(&nl, d + at, 2);
  at += 2;
  if (nl > 100 || at + nl > n) return 0;
  memcpy(name, d + at, nl);
  name[nl] = 0;
  at += nl;
  if (strncmp(name, "seg-", 4) || strchr(name, '/')) snprintf(name, sizeof name, "%s", segname);
  if (at + 4 > n) return 0;
  memcpy(&ml, d + at, 4);
  at += 4;
  if (ml > n - at) return 0;
  char *m = malloc((size_t)ml + 1);
  if (!m) abort();
  memcpy(m, d + at, ml);
  at += ml;
  clear_dir();
  SnapFingerprint fp;
  if (flags & 1) {
    snapshot_fingerprint(dbpath, &fp);
    snapshot_manifest_seal(m, ml, &fp);
  }
  spill("snapshot.bin", m, ml);
  spill(name, d + at, n - at);
  free(m);
  char err[256], path[500];
  snprintf(path, sizeof path, "%s/snapshot.bin", snapdir);
  if (flags & 4) {
    Snapshot *s = snapshot_load(path, err, sizeof err);
    if (!s) return 0;
    for (int i = 0; (flags & 2) && i < s->narrs; i++)
      s->arrs[i].sum = XXH3_64bits(s->arrs[i].p, (size_t)s->arrs[i].len);
    s->on_damage = NULL; /* no warnings, no marks */
    run_direct(s);
    snapshot_free(s);
    return 0;
  }
  EngineCtx e;
  if (engine_init(&e, db, dbpath, NOW, 1, err, sizeof err)) abort();
  for (int i = 0; i < nrules; i++) {
    KeyVec got = {0};
    char why[512];
    int rc = engine_select(&e, ENGINE_INTERP, dims[i], rules[i], NULL, &got, why, sizeof why);
    if (rc == 0 && !(flags & 1) && !same(&got, &want[i])) {
      fprintf(stderr, "fuzz_snapshot: rule %d: %zu keys, SQL %zu\n", i, got.n, want[i].n);
      abort();
    }
    keyvec_free(&got);
  }
  engine_free(&e);
  return 0;
}

void fuzz_snapshot_seeds(FuzzEmit emit, void *ctx) {
  size_t nl = strlen(segname), n = 1 + 2 + nl + 4 + mlen + slen;
  uint8_t *b = malloc(n);
  if (!b) abort();
  uint16_t l16 = (uint16_t)nl;
  uint32_t l32 = (uint32_t)mlen;
  memcpy(b + 1, &l16, 2);
  memcpy(b + 3, segname, nl);
  memcpy(b + 3 + nl, &l32, 4);
  memcpy(b + 7 + nl, manifest, mlen);
  memcpy(b + 7 + nl + mlen, segment, slen);
  for (int f = 0; f < 8; f++) {
    b[0] = (uint8_t)f;
    emit(b, n, ctx);
  }
  free(b);
}

FUZZ_LIBFUZZER_MAIN(snapshot)
