/* exec_mem_int.h — internals shared by the in-memory plan's files, each
 * calling only those below it:
 *   exec_mem.c   the API (exec_mem.h) and the dispatch over step kinds
 *   mem_steps.c  one function per step kind
 *   mem_pop.c    populations, inputs, the added-column overlay, rules
 *   mem_order.c  sorting, top-N, hashing of key columns */
#ifndef CAMP_EXEC_MEM_INT_H
#define CAMP_EXEC_MEM_INT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"
#include "runtime/exec/exec_mem.h"
#include "runtime/engine/interp.h"


/* An added column: values by position in its population, or not computed
 * (first-N rows are JSON made by SQL: only a step that reads it declines). */
typedef struct MCol {
  IVals *v;            /* NULL = not computed in memory */
} MCol;

typedef struct MPop {
  Schema *dim;
  uint32_t *rows;      /* ascending dimension row numbers (= key order) */
  int64_t n;
  MCol *cols;          /* Pop->added order */
  const char **names;  /* their names */
  int ncols;
  /* the columns laid out by dimension row for the interpreter, built per
   * column the first time an expression reads it */
  SnapCol *ov;
  uint8_t *ovready;
} MPop;

struct ExecMem {
  Exec *x;
  EngineKind kind;     /* ENGINE_INTERP or ENGINE_JIT for conditions */
  MPop **pops;         /* per output slot (x->count_base) */
  IVals **vals;        /* every IVals allocated, freed at the end */
  int nvals, capvals;
  void **blocks;       /* overlay arrays */
  int nblocks, capblocks;
  char why[512];
  Step *stopped;
  /* --explain: what evaluated the current step's rules */
  int used_jit, used_interp, nvalues, nvalues_jit;
  char used_why[256];
};

/* One sort key over a population: values (NULLs last), ascending or not. */
typedef struct SortKey {
  const IVals *v;      /* NULL: the seeded hash column */
  int desc;
  int nulls_only;      /* non-null(x): (x IS NULL) ascending */
} SortKey;

typedef struct Sorter {
  SortKey keys[40];
  int nkeys;
  int group;           /* the first `group` keys partition (dedup) */
  const uint64_t *hash;
  const int64_t *key;  /* dimension keys by position */
} Sorter;

typedef struct HashPos {
  uint64_t h;
  int64_t key, pos;
} HashPos;

/* mem_pop.c */
/* Registers p (malloc'd) to be freed with m; returns p. */
void *mem_track(ExecMem *m, void *p);
/* A new empty value array owned by m. */
IVals *mem_new_vals(ExecMem *m);
/* A population of pop's shape with no rows yet, owned by m. */
MPop *mem_new_pop(ExecMem *m, Pop *pop);
/* Index of added column name in p, or -1. */
int mem_col_index(const MPop *p, const char *name);
/* Stops the in-memory plan at s (why = fmt with arg); returns -1. */
int mem_decline(ExecMem *m, Step *s, const char *fmt, const char *arg);
/* The rows of src at positions pos[0..n-1] (ascending), with their columns. */
MPop *mem_subset(ExecMem *m, const MPop *src, const int64_t *pos, int64_t n);
/* Where output k of step s is kept. */
MPop **mem_slot(ExecMem *m, Step *s, int k);
/* The population of input i of s. */
MPop *mem_input(ExecMem *m, Step *s, int i);
/* Evaluates n rules over p: flags[i*n+k] = rule k holds on row i.  0, or
 * -1 after mem_decline. */
int mem_conditions(ExecMem *m, Step *s, MPop *p, Expr **rules, int n, uint8_t *flags);
/* Evaluates n expressions over p into out[k] (owned by m).  0 or -1. */
int mem_values(ExecMem *m, Step *s, MPop *p, Expr **exprs, int n, IVals **out);

/* Values of n rows gathered from srcs[which[i]] at pos[i] (which NULL:
 * srcs[0]; which[i] or pos[i] < 0: NULL); NULL when the sources differ in
 * physical type (the caller declines). */
IVals *mem_gather_from(ExecMem *m, IVals **srcs, int nsrc, const int32_t *which, const int64_t *pos,
                       int64_t n);
/* The population of the input of s called name. */
MPop *mem_input_named(ExecMem *m, Step *s, const char *name);
/* Every row of pop's dimension. */
MPop *mem_all_rows(ExecMem *m, Pop *pop);
/* Positions whose flag k (of n per row) is set; *cnt gets their number. */
int64_t *mem_where_flags(const uint8_t *flags, int64_t rows, int n, int k, int64_t *cnt);

/* mem_order.c */
/* 1 when positions a and b agree on the first so->group keys. */
int mem_same_group(const Sorter *so, int64_t a, int64_t b);
/* The dimension keys of p's rows, by position (owned by m). */
int64_t *mem_keys_of(ExecMem *m, const MPop *p);
/* Sorts pos[0..n-1] by so's keys, as SQL's ORDER BY with the key last. */
void mem_sort_positions(Sorter *so, int64_t *pos, int64_t n);
/* Leaves the first k positions of pos in so's order (bounded heap). */
void mem_top_k(Sorter *so, int64_t *pos, int64_t n, int64_t k);
/* qsort comparators: int64 ascending; HashPos by (h, key). */
int mem_cmp64(const void *pa, const void *pb);
int mem_cmp_hashpos(const void *pa, const void *pb);
/* Sorts v by (h, key) ascending. */
void mem_radix_sort(HashPos *v, int64_t n);
/* A hash of row i's values in v[0..nk-1] (equal values, equal hashes). */
uint64_t mem_key_hash(IVals **v, int nk, int64_t i);

/* mem_steps.c: each 0, or -1 after mem_decline. */
int mem_step_holdout(ExecMem *m, Step *s);
int mem_step_select(ExecMem *m, Step *s);
int mem_step_combine(ExecMem *m, Step *s);
int mem_step_dedup(ExecMem *m, Step *s);
int mem_step_enrich(ExecMem *m, Step *s);
int mem_step_split(ExecMem *m, Step *s);
int mem_step_channel(ExecMem *m, Step *s);
int mem_step_audience(ExecMem *m, Step *s);
int mem_step_change_dim(ExecMem *m, Step *s);

#endif
