/* jit_int.h — internals shared by compiler/jit_*.c (CAMP_JIT builds only). */
#ifndef CAMP_JIT_INT_H
#define CAMP_JIT_INT_H

#include <stdint.h>

#include "compiler/jit/jit.h"

/* Runtime helpers the generated code calls through a->h (never by name). */
typedef struct JitHelpers {
  int64_t (*like)(const char *pat, int64_t pn, const char *s, int64_t sn);
  int64_t (*like_fast)(int64_t shape, const char *s, int64_t sn, const char *lit, int64_t ln);
  int64_t (*text_cmp)(const char *a, int64_t an, const char *b, int64_t bn);
  int64_t (*textop)(int64_t starts, const char *x, int64_t xn, const char *y, int64_t yn);
} JitHelpers;

/* What generated code receives (layout mirrored in jit_emit.c). */
typedef struct JitArgs {
  const void *const *ptr;
  const int64_t *k;
  const double *f;
  const JitHelpers *h;
  int64_t bail;
  uint8_t *nul;        /* value programs: NULL flags, nul[i * nroots + k] */
} JitArgs;

/* Conditions write out[i * nroots + k] = 0 / 1; value programs (VProg
 * values) write root k's value of position i to ((int64_t *) out or
 * (double *) out)[i * nroots + k] and its NULL flag to a->nul. */
typedef int (*JitFn)(JitArgs *a, const uint32_t *rows, int64_t begin, int64_t end, uint8_t *out,
                     int which);

/* Node kinds the emitter knows (VNode.jk). */
enum {
  J_NONE, J_CONST, J_COLUMN, J_LINK, J_AND, J_OR, J_NOT, J_ISNULL, J_CMP_INT, J_CMP_REAL,
  J_CMP_TEXT, J_RANGE, J_SET, J_IN, J_TOREAL, J_D2TS, J_ARITH_INT, J_ARITH_REAL, J_NEG,
  J_LIKE, J_TEXTOP, J_COLL
};

/* A program prepared for the JIT: its structural key (what the generated
 * code depends on) and the parameter arrays bound to one snapshot. */
typedef struct JPlan {
  VProg *p;
  int ok;
  char why[200];
  char *key;
  size_t keylen, keycap;
  const void **ptr;
  int nptr, capptr;
  int64_t *k;
  int nk, capk;
  double *f;
  int nf, capf;
  uint64_t hash;
} JPlan;

/* Plans p: kinds, slots, constant folding, key.  pl->ok = 0 with why
 * when a construct is not compiled. */
void jplan_build(JPlan *pl, VProg *p);
void jplan_free(JPlan *pl);

/* FNV-1a 64. */
uint64_t jit_hash(const void *data, size_t n, uint64_t h);

/* Emits and compiles plans into an object file (object = 1) or a shared
 * library at path (one context, one function camp_rules: `which` = i runs
 * plans[i]).  debug_dir: where to dump the context (file names carry
 * `part` when it is not 0).  0, or -1 with err. */
int jemit_compile(JPlan **plans, int n, const char *path, int object, const char *debug_dir,
                  int part, char *err, size_t errlen);

extern const JitHelpers jit_helpers;
const char *jemit_build_id(void);
/* The libgccjit version and code-generation options (part of the key). */
const char *jit_options_id(void);
/* -O level of generated code: 2, or $CAMP_JIT_OPT (0..3; the differential
 * test uses 1 to compile thousands of rules quickly). */
int jit_opt_level(void);

/* Pages an object was loaded into (jit_load.c). */
typedef struct ObjMap {
  void *base;
  size_t len;
} ObjMap;
/* Loads the ELF object at path and returns the address of camp_rules in
 * it (m says what to unmap), or NULL with why: the caller then links a
 * shared library and dlopens it. */
void *jit_obj_load(const char *path, ObjMap *m, char *why, size_t whylen);

#endif
