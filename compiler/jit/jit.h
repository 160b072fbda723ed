/* jit.h — the libgccjit rule engine (compiler/jit_*.c).
 *
 * Input: rule programs already lowered by the interpreter's compiler
 * (runtime/engine/interp.h: a typed, resolved VNode tree per rule, built from the
 * checked AST over one snapshot), so the JIT and the interpreter share one
 * lowering and cannot disagree on typing.  Output: shared libraries with
 * one exported function each; the programs of a batch are split across up
 * to one process per CPU (forked children, each compiling its share in its
 * own gcc_jit_context into its own library, because libgccjit serializes
 * compiles within a process), and within a library all programs live in
 *
 *   int camp_rules(JitArgs *a, const uint32_t *rows, int64_t begin,
 *                  int64_t end, uint8_t *out, int which)
 *
 * which evaluates every root of program `which` for positions begin..end-1
 * (row = rows[i], or i when rows is NULL) into out[i * nroots + k].  It
 * returns 1 (a->bail set) when SQLite's answer cannot be reproduced
 * (integer overflow).  Generated code reads every snapshot-dependent
 * value (column arrays, dictionary code bounds, constants, now()) from
 * a->ptr / a->k / a->f and calls runtime helpers only through a->h, so a
 * compiled library depends only on the structure of the rules and is
 * cached on disk under a hash of that structure + libgccjit version +
 * options.
 *
 * Everything here exists only when built with CAMP_JIT=1 (make JIT=1, the
 * default); with JIT=0 jit_available() is 0 and the engine falls back. */
#ifndef CAMP_JIT_H
#define CAMP_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/rules/rules.h"

typedef struct JitCache JitCache;

/* 1 when this binary was built with libgccjit. */
int jit_available(void);

/* A per-engine-context store of compiled rules (in memory) over the disk
 * cache.  jit_cache_free dlcloses everything. */
JitCache *jit_cache_new(void);
void jit_cache_free(JitCache *c);

/* Compiles (or finds, in memory or on disk) all programs in one context.
 * Programs the JIT cannot express are skipped: ok[i] = 0 and why_i says
 * which construct (ok may be NULL).  Returns 0, or -1 on a libgccjit error
 * (an internal error: message in err; callers fall back to interp). */
int jit_prepare(JitCache *c, VProg **progs, int n, int *ok, char *err, size_t errlen);

/* 1 when jit_prepare(c, progs, n) would compile nothing: every program the
 * JIT can express (at least one) has code in c or in the disk cache. */
int jit_cached(JitCache *c, VProg **progs, int n);
/* 1 when p's code is loaded in c (jit_eval would not compile). */
int jit_loaded(JitCache *c, VProg *p);

/* Compiles what jit_prepare(c, progs, n) would compile, into the disk
 * cache only, in a forked background process, so that a later run finds
 * the code (c itself loads nothing).  1 when a compile was started, 0 when
 * the code is cached already, -1 when none could start (under valgrind, a
 * failed fork, one still running).  jit_wait_background (also called by
 * jit_cache_free) waits for it. */
int jit_prepare_background(JitCache *c, VProg **progs, int n);
void jit_wait_background(JitCache *c);

/* Evaluates p (compiling it if jit_prepare did not) over rows (NULL = row
 * numbers 0..nrows-1) with `threads` threads; out[i*nroots+k] as
 * interp_eval.  0 on success; 1 to decline (why: construct not compiled,
 * or an integer overflow SQL treats differently); -1 on a libgccjit error
 * (why: internal error). */
int jit_eval(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads,
             uint8_t *out, char *why, size_t whylen);

/* Evaluates value program p (interp_compile_ex with values = 1; text roots
 * decline) over rows into out[k] per root, exactly as interp_eval_values
 * would (arrays malloc'd here: ivals_free).  Same return contract as
 * jit_eval. */
int jit_eval_values(JitCache *c, VProg *p, const uint32_t *rows, int64_t nrows, int threads, IVals *out,
                    char *why, size_t whylen);

/* Statistics of the last jit_prepare / jit_eval on c, for --explain and
 * the benchmark: compile milliseconds (0 when served from a cache) and
 * where the code came from. */
typedef struct JitStats {
  double compile_ms;   /* emit + libgccjit compile + rename, this call */
  double load_ms;      /* dlopen + dlsym */
  int from_disk;       /* 1 = warm start: the shared library was cached */
  int from_memory;     /* 1 = already loaded in this context */
  int nfuncs;          /* functions compiled or loaded */
  int nprocs;          /* processes that compiled them (0 = none) */
} JitStats;
JitStats jit_last_stats(const JitCache *c);

#endif
