/* jit.c — the JIT engine's driver: plans programs, finds their code in the
 * context's memory or the disk cache (a warm start only dlopens), else
 * compiles all missing programs in one libgccjit context with signals
 * blocked, writes the library to a temporary name and renames it into the
 * cache; then runs the functions over row ranges, on several threads when
 * asked.  CAMP_DEBUG_JIT=DIR writes the libgccjit dump and a reproducer;
 * CAMP_JIT_CACHE=DIR overrides the cache directory. */
#include "jit.h"

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
#else
#include <dlfcn.h>
#include <errno.h>
#include <libgccjit.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jit_int.h"

int jit_available(void) { return 1; }

/* ------------------------------------------------------------ helpers */

static int64_t h_like(const char *pat, int64_t pn, const char *s, int64_t sn) {
  return interp_like(pat, (size_t)pn, s, (size_t)sn);
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
  return interp_text_cmp(x, y);
}

static int64_t h_textop(int64_t starts, const char *x, int64_t xn, const char *y, int64_t yn) {
  if (yn == 0) return 1;
  if (xn < yn) return 0;
  if (starts) return memcmp(x, y, (size_t)yn) == 0;
  return memmem(x, (size_t)xn, y, (size_t)yn) != NULL;
}

const JitHelpers jit_helpers = {h_like, h_like_fast, h_text_cmp, h_textop};

int jit_opt_level(void) {
  const char *o = getenv("CAMP_JIT_OPT");
  return o && *o >= '0' && *o <= '3' && !o[1] ? *o - '0' : 2;
}

const char *jit_options_id(void) {
  static char id[128];
  snprintf(id, sizeof id, "gccjit %d.%d.%d -O%d jb1024 emitter %s", gcc_jit_version_major(),
           gcc_jit_version_minor(), gcc_jit_version_patchlevel(), jit_opt_level(), jemit_build_id());
  return id;
}

/* -------------------------------------------------------------- cache */

typedef struct Entry {
  uint64_t hash;  /* of the plan key + options */
  JitFn fn;
} Entry;

struct JitCache {
  Entry *v;
  int n, cap;
  void **libs;
  int nlibs, caplibs;
  JitStats last;
};

JitCache *jit_cache_new(void) {
  JitCache *c = calloc(1, sizeof *c);
  if (!c) abort();
  return c;
}

void jit_cache_free(JitCache *c) {
  if (!c) return;
  for (int i = 0; i < c->nlibs; i++) dlclose(c->libs[i]);
  free(c->libs);
  free(c->v);
  free(c);
}

JitStats jit_last_stats(const JitCache *c) {
  JitStats s = {0};
  return c ? c->last : s;
}

static JitFn find(JitCache *c, uint64_t h) {
  for (int i = 0; i < c->n; i++)
    if (c->v[i].hash == h) return c->v[i].fn;
  return NULL;
}

static void add(JitCache *c, uint64_t h, JitFn fn) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    c->v = realloc(c->v, sizeof *c->v * (size_t)c->cap);
    if (!c->v) abort();
  }
  c->v[c->n].hash = h;
  c->v[c->n++].fn = fn;
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

/* Loads path and registers camp_rule_i for plans[i] (hashes[i]). */
static int load(JitCache *c, const char *path, JPlan **plans, uint64_t *hashes, int n, char *err,
                size_t errlen) {
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(err, errlen, "internal error: cannot load compiled rules: %s", dlerror());
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "camp_rule_%d", i);
    JitFn fn;
    *(void **)&fn = dlsym(lib, name);
    if (!fn) {
      snprintf(err, errlen, "internal error: %s missing from %s", name, path);
      dlclose(lib);
      return -1;
    }
    if (!find(c, hashes[i])) add(c, hashes[i], fn);
  }
  (void)plans;
  if (c->nlibs == c->caplibs) {
    c->caplibs = c->caplibs ? c->caplibs * 2 : 8;
    c->libs = realloc(c->libs, sizeof *c->libs * (size_t)c->caplibs);
    if (!c->libs) abort();
  }
  c->libs[c->nlibs++] = lib;
  return 0;
}

/* Compiles plans to path.tmp with every signal blocked, then renames. */
static int compile(JPlan **plans, int n, const char *path, char *err, size_t errlen) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%.4200s.%d.tmp", path, (int)getpid());
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  const char *dbg = getenv("CAMP_DEBUG_JIT");
  if (dbg && *dbg) mkdirs(dbg);
  int rc = jemit_compile(plans, n, tmp, dbg && *dbg ? dbg : NULL, err, errlen);
  if (rc == 0 && rename(tmp, path)) {
    snprintf(err, errlen, "internal error: cannot rename %s: %s", tmp, strerror(errno));
    rc = -1;
  }
  if (rc) unlink(tmp);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

static uint64_t plan_hash(const JPlan *pl) {
  const char *o = jit_options_id();
  return jit_hash(o, strlen(o), pl->hash);
}

/* Makes sure every ok plan has code in c (memory, disk, or compiled). */
static int ensure(JitCache *c, JPlan *pl, int n, char *err, size_t errlen) {
  JPlan **miss = calloc((size_t)n + 1, sizeof *miss);
  uint64_t *mh = calloc((size_t)n + 1, sizeof *mh);
  if (!miss || !mh) abort();
  int nm = 0;
  uint64_t group = 0;
  for (int i = 0; i < n; i++) {
    if (!pl[i].ok) continue;
    uint64_t h = plan_hash(&pl[i]);
    int dup = 0;
    for (int j = 0; j < nm; j++) dup |= mh[j] == h;
    if (find(c, h) || dup) continue;
    miss[nm] = &pl[i];
    mh[nm++] = h;
    group = jit_hash(&h, sizeof h, group);
  }
  memset(&c->last, 0, sizeof c->last);
  c->last.from_memory = nm == 0;
  int rc = 0;
  if (nm) {
    char dir[4096], path[4200];
    cache_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%016llx.so", dir, (unsigned long long)group);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c->last.from_disk = access(path, R_OK) == 0;
    if (!c->last.from_disk) rc = compile(miss, nm, path, err, errlen);
    c->last.compile_ms = c->last.from_disk ? 0 : ms_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == 0) rc = load(c, path, miss, mh, nm, err, errlen);
    c->last.load_ms = ms_since(&t0);
    c->last.nfuncs = nm;
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

/* ---------------------------------------------------------------- run */

typedef struct Work {
  JitFn fn;
  JitArgs args;
  const uint32_t *rows;
  int64_t begin, end;
  uint8_t *out;
  int rc;
} Work;

static void *work(void *w_) {
  Work *w = w_;
  w->rc = w->fn(&w->args, w->rows, w->begin, w->end, w->out);
  return NULL;
}

int jit_eval(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, uint8_t *out,
             char *why, size_t whylen) {
  JPlan pl;
  jplan_build(&pl, p);
  if (!pl.ok) {
    snprintf(why, whylen, "%s", pl.why);
    jplan_free(&pl);
    return 1;
  }
  int rc = ensure(c, &pl, 1, why, whylen);
  JitFn fn = rc ? NULL : find(c, plan_hash(&pl));
  if (!fn) {
    jplan_free(&pl);
    return -1;
  }
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
    w[t] = (Work){fn, {pl.ptr, pl.k, pl.f, &jit_helpers, 0}, rows, b, e, out, 0};
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
  jplan_free(&pl);
  if (bail) {
    snprintf(why, whylen, "integer overflow (SQLite switches to reals): jit declines");
    return 1;
  }
  return 0;
}
#endif
