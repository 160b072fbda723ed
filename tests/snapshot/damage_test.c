/* damage_test.c — damaged snapshot files never change an answer.
 *
 * A small copy of tests/snapshot's fixture (fixture.sql, snap.camp: every
 * column kind, links, collections) gets a snapshot of three files: the
 * manifest, the build's segment and a refresh's segment (after an update).
 * Then, per seeded trial, one of the files is damaged — random bit flips
 * (1, 20 or 2,000), a zeroed 4 KiB block, a truncation, a run of random
 * bytes — and every select rule of the campaign is evaluated by interp and
 * by jit (each on a fresh copy of the damage, in a new engine context, as a
 * new process would).  Each answer must be SQL's keys, or the engine must
 * decline (its caller then runs the SQL) or report a clean error; a crash
 * or a sanitizer report fails the suite, a different answer fails the
 * trial.  camp's warnings go to /dev/null (SNAPDAMAGE_VERBOSE=1 keeps
 * them); tests/snapshot/run.sh checks them on the reproductions.
 *
 *   snapdamage_test [TRIALS [SEED]]        (default 1000, 20261204)
 * Runs from the repository root (make test: tests/run.sh's unit suite).
 * Last line: `snapdamage: N passed, N failed`. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compiler/check/program.h"
#include "runtime/db/db.h"
#include "runtime/engine/engine.h"

#define NOW "2026-03-01 00:00:00"
#define MAXRULES 32
#define MAXFILES 8

static uint64_t rng_state;
static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static size_t rn(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static int passed, failed;
static FILE *out; /* the real stderr: camp's warnings go elsewhere */

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) abort();
  b[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return b;
}

static void spill(const char *path, const char *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    exit(2);
  }
}

typedef struct File {
  char name[64];
  char *bytes;
  size_t len;
} File;

static File files[MAXFILES];
static int nfiles;
static char snapdir[300];

/* Empties the snapshot directory. */
static void clear_dir(void) {
  DIR *d = opendir(snapdir);
  if (!d) return;
  struct dirent *e;
  char p[700];
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') snprintf(p, sizeof p, "%.300s/%.300s", snapdir, e->d_name), unlink(p);
  closedir(d);
}

/* Captures the directory's files (the pristine snapshot). */
static void capture(void) {
  DIR *d = opendir(snapdir);
  struct dirent *e;
  char p[700];
  nfiles = 0;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.' || nfiles == MAXFILES) continue;
    File *f = &files[nfiles++];
    snprintf(f->name, sizeof f->name, "%.60s", e->d_name);
    snprintf(p, sizeof p, "%.300s/%.300s", snapdir, e->d_name);
    f->bytes = slurp(p, &f->len);
  }
  if (d) closedir(d);
}

/* Writes the pristine files back with file `which` damaged by `mode`. */
static void restore(int which, int mode, uint64_t seed, char *what, size_t whatlen) {
  clear_dir();
  for (int i = 0; i < nfiles; i++) {
    File *f = &files[i];
    char p[700];
    snprintf(p, sizeof p, "%.300s/%.60s", snapdir, f->name);
    if (i != which) {
      spill(p, f->bytes, f->len);
      continue;
    }
    char *b = malloc(f->len + 1);
    if (!b) abort();
    memcpy(b, f->bytes, f->len);
    size_t n = f->len;
    rng_state = seed;
    switch (mode) {
      case 0: case 1: case 2: {
        static const int flips[] = {1, 20, 2000};
        for (int k = 0; k < flips[mode]; k++) b[rn(n)] ^= (char)(1 << rn(8));
        snprintf(what, whatlen, "%d bit flips in %.60s", flips[mode], f->name);
        break;
      }
      case 3: {
        size_t at = rn(n / 4096 + 1) * 4096, end = at + 4096 < n ? at + 4096 : n;
        memset(b + at, 0, end - at);
        snprintf(what, whatlen, "4 KiB at %zu zeroed in %.60s", at, f->name);
        break;
      }
      case 4:
        n = rn(n);
        snprintf(what, whatlen, "%.60s truncated to %zu bytes", f->name, n);
        break;
      default: {
        size_t at = rn(n), len = 1 + rn(64);
        for (size_t k = at; k < at + len && k < n; k++) b[k] = (char)rnd();
        snprintf(what, whatlen, "random bytes at %zu in %.60s", at, f->name);
        break;
      }
    }
    spill(p, b, n);
    free(b);
  }
}

typedef struct Rule {
  const char *name;
  Schema *dim;
  Expr *rule;
  KeyVec want;
} Rule;

static Rule rules[MAXRULES];
static int nrules;

static int same(const KeyVec *a, const KeyVec *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->v[i] != b->v[i]) return 0;
  return 1;
}

static void sql_answers(Db *db) {
  EngineCtx e;
  char err[256], why[256];
  if (engine_init(&e, db, NULL, NOW, 1, err, sizeof err)) abort();
  for (int i = 0; i < nrules; i++) {
    rules[i].want.n = 0;
    if (engine_select(&e, ENGINE_SQL, rules[i].dim, rules[i].rule, NULL, &rules[i].want, why, sizeof why)) {
      fprintf(stderr, "sql engine: %s\n", why);
      exit(2);
    }
  }
  engine_free(&e);
}

/* Every rule through engine `kind` in a new context: 0 all right. */
static int evaluate(Db *db, const char *path, EngineKind kind, const char *what, int *declined) {
  EngineCtx e;
  char err[256], why[512];
  if (engine_init(&e, db, path, NOW, 1, err, sizeof err)) abort();
  /* one snapshot of every table, as a plan opens it */
  Schema *dims[MAXRULES];
  Expr *all[MAXRULES];
  for (int i = 0; i < nrules; i++) dims[i] = rules[i].dim, all[i] = rules[i].rule;
  if (engine_prepare_all(&e, dims, nrules, all, nrules, err, sizeof err)) ++*declined;
  int bad = 0;
  for (int i = 0; i < nrules && !bad; i++) {
    KeyVec got = {0};
    int rc = engine_select(&e, kind, rules[i].dim, rules[i].rule, NULL, &got, why, sizeof why);
    if (rc == 0 && !same(&got, &rules[i].want)) {
      fprintf(out, "FAIL %s: %s: %s: %zu keys, SQL %zu\n", what, engine_kind_name(kind), rules[i].name,
              got.n, rules[i].want.n);
      bad = 1;
    }
    if (rc) ++*declined;
    keyvec_free(&got);
  }
  engine_free(&e);
  return bad;
}

int main(int argc, char **argv) {
  int trials = argc > 1 ? atoi(argv[1]) : 1000;
  uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261204;
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  char tmp[256], path[300], cmd[400], err[256];
  snprintf(tmp, sizeof tmp, "%s/camp-damage-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : base);
  if (!mkdtemp(tmp)) return 2;
  snprintf(path, sizeof path, "%s/db.sqlite", tmp);
  snprintf(snapdir, sizeof snapdir, "%.250s.camp-snapshot", path);
  snprintf(cmd, sizeof cmd, "%s/jit", tmp);
  setenv("CAMP_JIT_CACHE", cmd, 1);
  setenv("CAMP_SNAPSHOT_GC_AGE", "0", 1);
  unsetenv("CAMP_CACHE_DIR");

  /* the fixture, made small: a trial that rebuilds must stay cheap */
  char *sql = slurp("tests/snapshot/fixture.sql", NULL), *src = slurp("tests/snapshot/snap.camp", NULL);
  if (!sql || !src) {
    fprintf(stderr, "run from the repository root (tests/snapshot/fixture.sql)\n");
    return 2;
  }
  Db *db = db_open(path, DB_OPEN_CREATE, err, sizeof err);
  if (!db || db_exec(db, sql) ||
      db_exec(db, "DELETE FROM customers WHERE id > 1500; DELETE FROM purchases WHERE id > 3000;"
                  "DELETE FROM tags WHERE id > 800;")) {
    fprintf(stderr, "fixture: %s\n", db ? db_error(db) : err);
    return 2;
  }
  Program *p = program_new();
  program_load_text(p, "snap.camp", src);
  program_check(p);
  Decl *camp = p->campaigns.len ? p->campaigns.items[p->campaigns.len - 1] : NULL;
  for (int i = 0; camp && i < camp->steps.len && nrules < MAXRULES; i++) {
    Step *st = camp->steps.items[i];
    if (st->kind != S_SELECT || !st->rule || !st->npops) continue;
    rules[nrules].name = st->outputs.len ? st->outputs.items[0] : "?";
    rules[nrules].dim = st->pops[0]->dim;
    rules[nrules++].rule = st->rule;
  }
  if (p->diags.nerrors || nrules < 5) {
    fprintf(stderr, "snap.camp: %d errors, %d rules\n", p->diags.nerrors, nrules);
    return 2;
  }

  /* a build, then an update and its refresh: two segments */
  int declined = 0;
  out = stderr;
  sql_answers(db);
  if (evaluate(db, path, ENGINE_INTERP, "build", &declined) ||
      db_exec(db, "UPDATE customers SET loyalty = loyalty + 7, country = 'EE' WHERE id % 50 = 2;"
                  "UPDATE purchases SET amount = amount * 2 WHERE id % 40 = 1;"))
    return 2;
  sql_answers(db);
  /* A database modified in the last two seconds makes the snapshot's
   * fingerprint "racy" (snapshot.c): every open would refresh it and find
   * the damage there.  Back-dated, the snapshot is used as it is and the
   * engines meet the damage on first use; odd trials date the file now,
   * so that the refresh meets it. */
  struct timespec past[2];
  clock_gettime(CLOCK_REALTIME, &past[0]);
  past[0].tv_sec -= 60;
  past[1] = past[0];
  if (utimensat(AT_FDCWD, path, past, 0)) return 2;
  declined = 0;
  if (evaluate(db, path, ENGINE_INTERP, "refresh", &declined) || declined) {
    fprintf(stderr, "the undamaged snapshot does not answer every rule (%d declined)\n", declined);
    return 2;
  }
  capture();
  for (int i = 0; getenv("SNAPDAMAGE_VERBOSE") && i < nfiles; i++) fprintf(stderr, "file %s %zu\n", files[i].name, files[i].len);
  int segs = 0;
  for (int i = 0; i < nfiles; i++) segs += !strncmp(files[i].name, "seg-", 4);
  if (segs != 2 || nfiles != 3) {
    fprintf(stderr, "expected a manifest and two segments, found %d files\n", nfiles);
    failed++;
  }

  int kinds[2] = {ENGINE_INTERP, ENGINE_JIT}, ndecl = 0;
  out = fdopen(dup(2), "w");
  if (!out) return 2;
  setvbuf(out, NULL, _IONBF, 0);
  if (!getenv("SNAPDAMAGE_VERBOSE") && !freopen("/dev/null", "w", stderr)) return 2;
  for (int t = 0; t < trials; t++) {
    uint64_t s = seed * 1000003 + (uint64_t)t;
    rng_state = s;
    int which = (int)rn((size_t)nfiles), mode = (int)rn(6);
    char what[200];
    int bad = 0;
    for (int k = 0; k < 2 && !bad; k++) {
      if (k == 1 && !engine_have_jit()) break;
      restore(which, mode, s + 17, what, sizeof what);
      if (utimensat(AT_FDCWD, path, t % 2 ? NULL : past, 0)) return 2;
      char label[300];
      snprintf(label, sizeof label, "trial %d (%s)", t, what);
      int d = 0;
      bad = evaluate(db, path, (EngineKind)kinds[k], label, &d);
      ndecl += d;
    }
    if (bad) failed++;
    else passed++;
  }
  /* the repaired snapshot answers like SQL, with no decline */
  restore(-1, 0, 0, cmd, sizeof cmd);
  if (utimensat(AT_FDCWD, path, past, 0)) return 2;
  declined = 0;
  if (evaluate(db, path, ENGINE_INTERP, "after the trials", &declined) || declined) failed++;
  else passed++;
  fprintf(out, "snapdamage: %d trials over %d files, %d rule evaluations declined (SQL answers)\n", trials,
          nfiles, ndecl);

  program_free(p);
  db_close(db);
  for (int i = 0; i < nfiles; i++) free(files[i].bytes);
  free(sql);
  free(src);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
  for (int i = 0; i < nrules; i++) keyvec_free(&rules[i].want);
  printf("snapdamage: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
