/* jit.c — the JIT engine's driver: plans programs, finds their code in the
 * context's memory or the disk cache (a warm start only dlopens), else
 * compiles all missing programs with signals blocked — split across up to
 * one process per CPU ($CAMP_JIT_PROCS), each process compiling its share
 * in one libgccjit context into its own library (libgccjit serializes
 * compiles within a process; separate processes run in parallel) — writes
 * each library to a temporary name and renames it into the cache; then
 * runs the functions over row ranges, on several threads when asked.
 * CAMP_DEBUG_JIT=DIR writes the libgccjit dump and a reproducer (and
 * compiles in one process); CAMP_JIT_CACHE=DIR overrides the cache
 * directory; CAMP_JIT_FLAGS adds libgccjit options (jit_emit.c). */
#include "compiler/jit/jit.h"

#if !CAMP_JIT
int jit_available(void) { return 0; }
JitCache *jit_cache_new(void) { return NULL; }
void jit_cache_free(JitCache *c) { (void)c; }
int jit_prepare(JitCache *c, VProg **progs, int n, int *ok, char *err, size_t errlen) {
  (void)c, (void)progs, (void)err, (void)errlen;
  for (int i = 0; ok && i < n; i++) ok[i] = 0;
  return 0;
}
int jit_eval(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, uint8_t *out,
             char *why, size_t whylen) {
  (void)c, (void)p, (void)rows, (void)nrows, (void)threads, (void)out;
  snprintf(why, whylen, "this camp was built without libgccjit (make JIT=0)");
  return 1;
}
JitStats jit_last_stats(const JitCache *c) {
  (void)c;
  JitStats s = {0};
  return s;
}
int jit_cached(JitCache *c, VProg **progs, int n) { return (void)c, (void)progs, (void)n, 0; }
int jit_prepare_background(JitCache *c, VProg **progs, int n) { return (void)c, (void)progs, (void)n, -1; }
void jit_wait_background(JitCache *c) { (void)c; }
int jit_loaded(JitCache *c, VProg *p) { return (void)c, (void)p, 0; }
int jit_eval_values(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, IVals *out,
                    char *why, size_t whylen) {
  (void)c, (void)p, (void)rows, (void)nrows, (void)threads, (void)out;
  snprintf(why, whylen, "this camp was built without libgccjit (make JIT=0)");
  return 1;
}
#else
#include <assert.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgccjit.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler/jit/jit_int.h"

/* Under valgrind a forked compiler would run valgrind's leak check over the
 * parent's heap at its exit: compile in one process there. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

int jit_available(void) { return 1; }

/* ------------------------------------------------------------ helpers */

static int64_t h_like(const char *pat, int64_t pn, const char *s, int64_t sn) {
  return rules_like(pat, (size_t)pn, s, (size_t)sn);
}

static int ci_eq(const char *a, const char *b, int64_t n) {
  for (int64_t k = 0; k < n; k++) {
    unsigned char x = (unsigned char)a[k], y = (unsigned char)b[k];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
    if (x != y) return 0;
  }
  return 1;
}

/* LIKE with shape 1 %lit, 2 lit%, 3 %lit%, 4 lit (see interp like_shape). */
static int64_t h_like_fast(int64_t shape, const char *s, int64_t sn, const char *l, int64_t ln) {
  switch (shape) {
    case 1: return sn >= ln && ci_eq(s + sn - ln, l, ln);
    case 2: return sn >= ln && ci_eq(s, l, ln);
    case 4: return sn == ln && ci_eq(s, l, ln);
    default:
      for (int64_t k = 0; k + ln <= sn; k++)
        if (ci_eq(s + k, l, ln)) return 1;
      return 0;
  }
}

static int64_t h_text_cmp(const char *a, int64_t an, const char *b, int64_t bn) {
  Str x = {an ? a : "", (uint32_t)an}, y = {bn ? b : "", (uint32_t)bn};
  return rules_text_cmp(x, y);
}

static int64_t h_textop(int64_t starts, const char *x, int64_t xn, const char *y, int64_t yn) {
  if (yn == 0) return 1;
  if (xn < yn) return 0;
  if (starts) return memcmp(x, y, (size_t)yn) == 0;
  return memmem(x, (size_t)xn, y, (size_t)yn) != NULL;
}

const JitHelpers jit_helpers = {h_like, h_like_fast, h_text_cmp, h_textop};

const char *jit_options_id(void) {
  static char id[128];
  const char *x = getenv("CAMP_JIT_FLAGS");
  snprintf(id, sizeof id, "gccjit %d.%d.%d -O%d jb1024 emitter %s x %016llx", gcc_jit_version_major(),
           gcc_jit_version_minor(), gcc_jit_version_patchlevel(), jit_opt_level(), jemit_build_id(),
           x ? (unsigned long long)jit_hash(x, strlen(x), 0) : 0ULL);
  return id;
}

/* -------------------------------------------------------------- cache */

typedef struct Entry {
  uint64_t hash;  /* of the plan key + options */
  JitFn fn;       /* a library's camp_rules ... */
  int which;      /* ... and the plan's index in that library */
} Entry;

/* A loaded library: a dlopen handle, or pages mapped by obj_load. */
typedef struct Lib {
  void *dl;
  void *map;
  size_t len;
} Lib;

struct JitCache {
  Entry *v;
  int n, cap;
  Lib *libs;
  int nlibs, caplibs;
  JitStats last;
  pid_t bg;            /* a background compile (jit_prepare_background) */
};

JitCache *jit_cache_new(void) {
  JitCache *c = calloc(1, sizeof *c);
  if (!c) abort();
  return c;
}

void jit_cache_free(JitCache *c) {
  if (!c) return;
  jit_wait_background(c);
  for (int i = 0; i < c->nlibs; i++) {
    if (c->libs[i].dl) dlclose(c->libs[i].dl);
    if (c->libs[i].map) munmap(c->libs[i].map, c->libs[i].len);
  }
  free(c->libs);
  free(c->v);
  free(c);
}

JitStats jit_last_stats(const JitCache *c) {
  JitStats s = {0};
  return c ? c->last : s;
}

static const Entry *find(JitCache *c, uint64_t h) {
  for (int i = 0; i < c->n; i++)
    if (c->v[i].hash == h) return &c->v[i];
  return NULL;
}

static void add(JitCache *c, uint64_t h, JitFn fn, int which) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    c->v = realloc(c->v, sizeof *c->v * (size_t)c->cap);
    if (!c->v) abort();
  }
  c->v[c->n++] = (Entry){h, fn, which};
}

static double ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int mkdirs(const char *dir) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", dir);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
      *p = '/';
    }
  return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* $CAMP_JIT_CACHE, else $XDG_CACHE_HOME/camp/jit, ~/.cache/camp/jit,
 * /tmp/camp-jit-UID. */
static void cache_dir(char *out, size_t len) {
  const char *e = getenv("CAMP_JIT_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
  if (e && *e) snprintf(out, len, "%s", e);
  else if (x && *x) snprintf(out, len, "%s/camp/jit", x);
  else if (h && *h) snprintf(out, len, "%s/.cache/camp/jit", h);
  else snprintf(out, len, "/tmp/camp-jit-%d", (int)getuid());
  if (mkdirs(out)) snprintf(out, len, "/tmp/camp-jit-%d", (int)getuid()), mkdirs(out);
}

static void add_lib(JitCache *c, Lib l) {
  if (c->nlibs == c->caplibs) {
    c->caplibs = c->caplibs ? c->caplibs * 2 : 8;
    c->libs = realloc(c->libs, sizeof *c->libs * (size_t)c->caplibs);
    if (!c->libs) abort();
  }
  c->libs[c->nlibs++] = l;
}

/* Loads path (an object via obj_load, else a shared library via dlopen)
 * and registers its camp_rules for hashes[0..n) (`which` i is plan i of
 * the part).  -1 with err when it cannot be loaded. */
static int load(JitCache *c, const char *path, const uint64_t *hashes, int n, char *err,
                size_t errlen) {
  size_t pl = strlen(path);
  JitFn fn;
  Lib l = {0};
  if (pl > 2 && !strcmp(path + pl - 2, ".o")) {
    ObjMap m;
    char why[256];
    *(void **)&fn = jit_obj_load(path, &m, why, sizeof why);
    if (!fn) {
      snprintf(err, errlen, "internal error: cannot load %s: %s", path, why);
      return -1;
    }
    l.map = m.base, l.len = m.len;
  } else {
    l.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!l.dl) {
      snprintf(err, errlen, "internal error: cannot load compiled rules: %s", dlerror());
      return -1;
    }
    *(void **)&fn = dlsym(l.dl, "camp_rules");
    if (!fn) {
      snprintf(err, errlen, "internal error: camp_rules missing from %s", path);
      dlclose(l.dl);
      return -1;
    }
  }
  for (int i = 0; i < n; i++)
    if (!find(c, hashes[i])) add(c, hashes[i], fn, i);
  add_lib(c, l);
  return 0;
}

/* Compiles plans to path.PID.tmp, then renames it to path.  Signals are
 * blocked by the caller. */
static int compile(JPlan **plans, int n, const char *path, int part, char *err, size_t errlen) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%.4200s.%d.tmp", path, (int)getpid());
  const char *dbg = getenv("CAMP_DEBUG_JIT");
  if (dbg && *dbg) mkdirs(dbg);
  size_t pl = strlen(path);
  int object = pl > 2 && !strcmp(path + pl - 2, ".o");
  int rc = jemit_compile(plans, n, tmp, object, dbg && *dbg ? dbg : NULL, part, err, errlen);
  if (rc == 0 && rename(tmp, path)) {
    snprintf(err, errlen, "internal error: cannot rename %s: %s", tmp, strerror(errno));
    rc = -1;
  }
  if (rc) unlink(tmp);
  return rc;
}

/* How many processes compile nm functions: $CAMP_JIT_PROCS, else one per
 * online CPU (at most JIT_MAXPROCS), never more than one per function;
 * one under valgrind. */
#define JIT_MAXPROCS 4
static int in_background; /* this process is a background compile */
static int nprocs_for(int nm) {
  const char *e = getenv("CAMP_JIT_PROCS");
  long p = e && *e ? atol(e) : sysconf(_SC_NPROCESSORS_ONLN);
  if (UNDER_VALGRIND() || in_background) p = 1; /* leave the other cores to the run */
  if (p < 1) p = 1;
  if (p > JIT_MAXPROCS) p = JIT_MAXPROCS;
  return nm < p ? nm : (int)p;
}

/* part[i] for plan i: the largest plans first, each to the part with the
 * least work so far (work ~ the length of the plan's structural key).
 * Deterministic, so a warm start finds the same split. */
static void partition(JPlan **miss, int nm, int np, int *part) {
  size_t load_of[JIT_MAXPROCS] = {0};
  int *order = malloc(sizeof *order * (size_t)(nm + 1));
  if (!order) abort();
  for (int i = 0; i < nm; i++) order[i] = i;
  for (int i = 1; i < nm; i++) /* insertion sort by key length, stable */
    for (int j = i; j > 0 && miss[order[j]]->keylen > miss[order[j - 1]]->keylen; j--) {
      int t = order[j];
      order[j] = order[j - 1], order[j - 1] = t;
    }
  for (int i = 0; i < nm; i++) {
    int best = 0;
    for (int k = 1; k < np; k++)
      if (load_of[k] < load_of[best]) best = k;
    part[order[i]] = best;
    load_of[best] += miss[order[i]]->keylen + 256; /* + a per-function cost */
  }
  free(order);
}

/* The file of part k of np of a group: an object (ext "o", what compiles
 * write) or a shared library (ext "so", when the object was refused). */
static void part_path(char *out, size_t len, const char *dir, uint64_t group, int k, int np,
                      const char *ext) {
  if (np == 1) snprintf(out, len, "%s/%016llx.%s", dir, (unsigned long long)group, ext);
  else snprintf(out, len, "%s/%016llx.%dof%d.%s", dir, (unsigned long long)group, k + 1, np, ext);
}

static int part_cached(const char *dir, uint64_t group, int k, int np) {
  char p[4200];
  part_path(p, sizeof p, dir, group, k, np, "o");
  if (access(p, R_OK) == 0) return 1;
  part_path(p, sizeof p, dir, group, k, np, "so");
  return access(p, R_OK) == 0;
}

/* Loads part k: its object, else (none, or refused by obj_load) its
 * shared library, linked now if it is not cached. */
static int load_part(JitCache *c, const char *dir, uint64_t group, int k, int np, JPlan **plans,
                     const uint64_t *hashes, int n, char *err, size_t errlen) {
  char o[4200], so[4200];
  part_path(o, sizeof o, dir, group, k, np, "o");
  part_path(so, sizeof so, dir, group, k, np, "so");
  if (access(o, R_OK) == 0) {
    if (load(c, o, hashes, n, err, errlen) == 0) return 0;
    unlink(o);
  }
  if (access(so, R_OK)) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = compile(plans, n, so, np > 1 ? k + 1 : 0, err, errlen);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) return -1;
  }
  return load(c, so, hashes, n, err, errlen);
}

/* Compiles the parts of a split to paths[k]: parts 1..np-1 in forked
 * children, part 0 here; a part whose fork fails is compiled here too.
 * Children only compile (libgccjit is idle in this process at the fork:
 * compiles are never concurrent within camp), rename and _exit — no
 * atexit handlers, no stdio flush, signals stay blocked; an error message
 * comes back through a pipe. */
static int compile_parts(JPlan ***pp, const int *pn, int np, char paths[][4200], char *err,
                         size_t errlen) {
  pid_t pid[JIT_MAXPROCS] = {0};
  int fd[JIT_MAXPROCS];
  for (int k = 1; k < np; k++) {
    int p[2];
    fd[k] = -1;
    if (pipe(p)) continue;
    pid[k] = fork();
    if (pid[k] == 0) {
      close(p[0]);
      char e[512] = "";
      int rc = compile(pp[k], pn[k], paths[k], k + 1, e, sizeof e);
      if (rc) {
        ssize_t w = write(p[1], e, strlen(e));
        (void)w;
      }
      _exit(rc ? 1 : 0);
    }
    close(p[1]);
    if (pid[k] < 0) {
      close(p[0]);
      pid[k] = 0;
    } else {
      fd[k] = p[0];
    }
  }
  int rc = compile(pp[0], pn[0], paths[0], np > 1 ? 1 : 0, err, errlen);
  for (int k = 1; k < np; k++) {
    if (!pid[k]) { /* no child: compile here */
      if (rc == 0) rc = compile(pp[k], pn[k], paths[k], k + 1, err, errlen);
      continue;
    }
    char e[512];
    ssize_t got = 0, r;
    while ((r = read(fd[k], e + got, sizeof e - 1 - (size_t)got)) > 0 || (r < 0 && errno == EINTR))
      if (r > 0) got += r;
    e[got] = 0;
    close(fd[k]);
    int st = 0;
    while (waitpid(pid[k], &st, 0) < 0 && errno == EINTR) {}
    if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
      if (got) snprintf(err, errlen, "%s", e);
      else snprintf(err, errlen, "internal error: the jit compile process failed (status %d)", st);
      rc = -1;
    }
  }
  if (rc)
    for (int k = 0; k < np; k++) unlink(paths[k]);
  return rc;
}

static uint64_t plan_hash(const JPlan *pl) {
  const char *o = jit_options_id();
  return jit_hash(o, strlen(o), pl->hash);
}

/* Makes sure every ok plan has code in c (memory, disk, or compiled).  The
 * missing plans form one group, cached as one object GROUP.o or, when
 * compiled by np processes, np objects GROUP.KofNP.o (a part whose object
 * cannot be loaded here is linked into GROUP[.KofNP].so instead). */
/* The ok plans of pl[0..n-1] without code in c (each once) into miss / mh
 * (n + 1 slots each); returns how many, with the hash of their group. */
static int missing(JitCache *c, JPlan *pl, int n, JPlan **miss, uint64_t *mh, uint64_t *group) {
  int nm = 0;
  *group = 0;
  for (int i = 0; i < n; i++) {
    if (!pl[i].ok) continue;
    uint64_t h = plan_hash(&pl[i]);
    int dup = 0;
    for (int j = 0; j < nm; j++) dup |= mh[j] == h;
    if (find(c, h) || dup) continue;
    miss[nm] = &pl[i];
    mh[nm++] = h;
    *group = jit_hash(&h, sizeof h, *group);
  }
  return nm;
}

/* How many processes compiled the complete split of group (of nm
 * functions) found in dir; 0 when no split is complete. */
static int disk_split(const char *dir, uint64_t group, int nm) {
  for (int p = 1; p <= JIT_MAXPROCS && p <= nm; p++) {
    int all = 1;
    for (int k = 0; k < p && all; k++) all = part_cached(dir, group, k, p);
    if (all) return p;
  }
  return 0;
}

static int ensure(JitCache *c, JPlan *pl, int n, char *err, size_t errlen) {
  JPlan **miss = calloc((size_t)n + 1, sizeof *miss);
  uint64_t *mh = calloc((size_t)n + 1, sizeof *mh);
  if (!miss || !mh) abort();
  uint64_t group;
  int nm = missing(c, pl, n, miss, mh, &group);
  memset(&c->last, 0, sizeof c->last);
  c->last.from_memory = nm == 0;
  int rc = 0;
  if (nm) {
    char dir[4096], paths[JIT_MAXPROCS][4200];
    cache_dir(dir, sizeof dir);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int np = disk_split(dir, group, nm); /* a warm start */
    c->last.from_disk = np > 0;
    const char *dbg = getenv("CAMP_DEBUG_JIT");
    if (!np) np = dbg && *dbg ? 1 : nprocs_for(nm);
    int *part = calloc((size_t)nm + 1, sizeof *part);
    JPlan **pp[JIT_MAXPROCS];
    uint64_t *ph[JIT_MAXPROCS];
    int pn[JIT_MAXPROCS] = {0};
    if (!part) abort();
    partition(miss, nm, np, part);
    for (int k = 0; k < np; k++) {
      part_path(paths[k], sizeof paths[k], dir, group, k, np, "o");
      pp[k] = calloc((size_t)nm + 1, sizeof *pp[k]);
      ph[k] = calloc((size_t)nm + 1, sizeof *ph[k]);
      if (!pp[k] || !ph[k]) abort();
    }
    for (int i = 0; i < nm; i++) {
      int k = part[i];
      pp[k][pn[k]] = miss[i];
      ph[k][pn[k]++] = mh[i];
    }
    if (!c->last.from_disk) {
      sigset_t all, old;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, &old);
      rc = compile_parts(pp, pn, np, paths, err, errlen);
      pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    c->last.compile_ms = c->last.from_disk ? 0 : ms_since(&t0);
    c->last.nprocs = c->last.from_disk ? 0 : np;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < np && rc == 0; k++)
      rc = load_part(c, dir, group, k, np, pp[k], ph[k], pn[k], err, errlen);
    c->last.load_ms = ms_since(&t0);
    c->last.nfuncs = nm;
    for (int k = 0; k < np; k++) free(pp[k]), free(ph[k]);
    free(part);
  }
  free(miss);
  free(mh);
  return rc;
}

int jit_prepare(JitCache *c, VProg **progs, int n, int *ok, char *err, size_t errlen) {
  JPlan *pl = calloc((size_t)n + 1, sizeof *pl);
  if (!pl) abort();
  for (int i = 0; i < n; i++) jplan_build(&pl[i], progs[i]);
  int rc = ensure(c, pl, n, err, errlen);
  for (int i = 0; i < n; i++) {
    if (ok) ok[i] = pl[i].ok && rc == 0;
    jplan_free(&pl[i]);
  }
  free(pl);
  return rc;
}

int jit_cached(JitCache *c, VProg **progs, int n) {
  JPlan *pl = calloc((size_t)n + 1, sizeof *pl);
  JPlan **miss = calloc((size_t)n + 1, sizeof *miss);
  uint64_t *mh = calloc((size_t)n + 1, sizeof *mh);
  if (!pl || !miss || !mh) abort();
  int nok = 0;
  for (int i = 0; i < n; i++) jplan_build(&pl[i], progs[i]), nok += pl[i].ok;
  uint64_t group;
  int nm = missing(c, pl, n, miss, mh, &group);
  char dir[4096] = "";
  if (nm) cache_dir(dir, sizeof dir);
  int warm = nok > 0 && (nm == 0 || disk_split(dir, group, nm) > 0);
  for (int i = 0; i < n; i++) jplan_free(&pl[i]);
  free(pl), free(miss), free(mh);
  return warm;
}

int jit_loaded(JitCache *c, VProg *p) {
  JPlan pl;
  jplan_build(&pl, p);
  int in = pl.ok && find(c, plan_hash(&pl)) != NULL;
  jplan_free(&pl);
  return in;
}

int jit_prepare_background(JitCache *c, VProg **progs, int n) {
  if (UNDER_VALGRIND() || c->bg > 0) return -1;
  char dir[4096];
  cache_dir(dir, sizeof dir); /* made here: the child never creates it */
  if (jit_cached(c, progs, n)) return 0;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid > 0) {
    c->bg = pid;
    return 1;
  }
  /* The child compiles into the disk cache and exits: no stdio, no atexit
   * handlers, signals blocked, below the parent's priority, and none of the
   * caller's pipes held open (a shell's $(camp ...) must not wait on it). */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3 && null >= 0; fd++) dup2(null, fd);
  if (nice(5) == -1) { /* the priority is a courtesy */ }
  in_background = 1;
  JitCache *cc = jit_cache_new();
  JPlan *pl = calloc((size_t)n + 1, sizeof *pl);
  if (!pl) _exit(1);
  for (int i = 0; i < n; i++) jplan_build(&pl[i], progs[i]);
  char err[512];
  _exit(access(dir, W_OK) == 0 && ensure(cc, pl, n, err, sizeof err) == 0 ? 0 : 1);
}

void jit_wait_background(JitCache *c) {
  if (!c || c->bg <= 0) return;
  int st;
  while (waitpid(c->bg, &st, 0) < 0 && errno == EINTR) {}
  c->bg = 0;
}

/* ---------------------------------------------------------------- run */

typedef struct Work {
  Entry fn;
  JitArgs args;
  const uint32_t *rows;
  int64_t begin, end;
  uint8_t *out;
  int rc;
} Work;

static void *work(void *w_) {
  Work *w = w_;
  w->rc = w->fn.fn(&w->args, w->rows, w->begin, w->end, w->out, w->fn.which);
  return NULL;
}

/* Runs found's code for plan pl over positions 0..nrows-1 on up to
 * `threads` threads (slices of whole blocks); 1 when any bailed. */
static int run_threads(const Entry *found, JPlan *pl, const uint32_t *rows, int64_t nrows, int threads,
                       uint8_t *out, uint8_t *nul) {
  if (threads < 1) threads = 1;
  if (threads > 16) threads = 16;
  if (nrows < 65536) threads = 1;
  Work w[16];
  pthread_t tid[16];
  int64_t chunk = (nrows + threads - 1) / threads;
  chunk = (chunk + 1023) & ~(int64_t)1023;
  int nt = 0;
  for (int t = 0; t < threads; t++) {
    int64_t b = chunk * t, e = b + chunk < nrows ? b + chunk : nrows;
    if (b >= e && t > 0) break;
    w[t] = (Work){*found, {pl->ptr, pl->k, pl->f, &jit_helpers, 0, nul}, rows, b, e, out, 0};
    nt++;
  }
  int started[16] = {0};
  for (int t = 1; t < nt; t++)
    if (!(started[t] = pthread_create(&tid[t], NULL, work, &w[t]) == 0)) work(&w[t]);
  work(&w[0]);
  int bail = w[0].rc;
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    bail |= w[t].rc;
  }
  return bail != 0;
}

/* pl built for p with code in c (compiled now if need be): the entry, or
 * NULL with why (rc 1: declined, -1: libgccjit failed). */
static const Entry *code_for(JitCache *c, JPlan *pl, VProg *p, int *rc, char *why, size_t whylen) {
  jplan_build(pl, p);
  if (!pl->ok) {
    snprintf(why, whylen, "%s", pl->why);
    *rc = 1;
    return NULL;
  }
  const Entry *found = ensure(c, pl, 1, why, whylen) ? NULL : find(c, plan_hash(pl));
  *rc = found ? 0 : -1;
  return found;
}

static int overflowed(char *why, size_t whylen) {
  snprintf(why, whylen, "integer overflow (SQLite switches to reals): jit declines");
  return 1;
}

int jit_eval(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, uint8_t *out,
             char *why, size_t whylen) {
  JPlan pl;
  int rc;
  const Entry *found = code_for(c, &pl, p, &rc, why, whylen);
  if (found && run_threads(found, &pl, rows, nrows, threads, out, NULL)) rc = overflowed(why, whylen);
  jplan_free(&pl);
  return rc;
}

int jit_eval_values(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, IVals *out,
                    char *why, size_t whylen) {
  assert(p->values);
  JPlan pl;
  int rc;
  const Entry *found = code_for(c, &pl, p, &rc, why, whylen);
  if (!found) {
    jplan_free(&pl);
    return rc;
  }
  size_t nr = (size_t)p->nroots, cells = (size_t)nrows * nr + 1;
  int64_t *words = malloc(sizeof *words * cells);
  uint8_t *nul = malloc(cells);
  if (!words || !nul) abort();
  if (run_threads(found, &pl, rows, nrows, threads, (uint8_t *)words, nul)) {
    free(words), free(nul), jplan_free(&pl);
    return overflowed(why, whylen);
  }
  for (size_t k = 0; k < nr; k++) { /* one array per root, as interp_eval_values gives */
    IVals *v = &out[k];
    memset(v, 0, sizeof *v);
    v->ph = p->roots[k]->phys, v->t = p->roots[k]->t, v->n = nrows;
    if (nr == 1) {
      v->nul = nul, nul = NULL;
      if (v->ph == P_REAL) v->fv = (double *)(void *)words;
      else v->iv = words;
      words = NULL;
      break;
    }
    v->nul = malloc((size_t)nrows + 1);
    void *arr = malloc(sizeof(int64_t) * ((size_t)nrows + 1));
    if (!v->nul || !arr) abort();
    if (v->ph == P_REAL) v->fv = arr;
    else v->iv = arr;
    int64_t *dst = arr;
    for (int64_t i = 0; i < nrows; i++) {
      dst[i] = words[(size_t)i * nr + k];
      v->nul[i] = nul[(size_t)i * nr + k];
    }
  }
  free(words), free(nul), jplan_free(&pl);
  return 0;
}
#endif
