/* engine.h — rule engines: the API the executor calls to evaluate a checked
 * rule (audience filter, split condition) over the rows of a dimension.
 *
 *   ENGINE_SQL     the SQL of compiler/sql/sql_expr.c, run in the database
 *   ENGINE_INTERP  the vectorized interpreter over the columnar snapshot
 *                  (runtime/interp*.c): batches, selection vectors, one
 *                  primitive per operator and type
 *   ENGINE_JIT     libgccjit-compiled code over the snapshot (compiler/jit/jit.h);
 *                  where the JIT declines a construct the interpreter runs
 *                  (why says so), where that declines too the answer is 1;
 *                  a libgccjit failure is reported in why as an internal
 *                  error and the interpreter runs instead
 *   ENGINE_AUTO    SQL for small inputs and rules the columnar engines cannot
 *                  express, interp below auto_jit_rows rows, jit above
 *
 * All engines consume the checked AST (the typed rule IR): they never
 * re-parse or re-type.  They must select exactly the keys the SQL selects on
 * SQLite (three-valued logic, LIKE rules, integer division, NULL from
 * division by zero, byte-wise text order, dates as text, ...).
 *
 * The columnar engines read a snapshot of the tables (runtime/engine/snapshot.h).
 * The context builds or maps it on first use and re-validates it before each
 * evaluation: a snapshot is used as is only while the database file is
 * provably unchanged (snapshot_file_unchanged); otherwise it is refreshed,
 * each table proven unchanged from its pages or patched from the rows of
 * the pages that changed (snapshot_diff.c) — never used stale. */
#ifndef CAMP_ENGINE_H
#define CAMP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"
#include "compiler/check/types.h"

typedef enum { ENGINE_SQL, ENGINE_INTERP, ENGINE_JIT, ENGINE_AUTO } EngineKind;

/* A list of dimension keys (int64 keys only: text keys are not supported
 * by the columnar engines, which then answer 1 = "use SQL"). */
typedef struct KeyVec {
  int64_t *v;
  size_t n, cap;
} KeyVec;

void keyvec_push(KeyVec *k, int64_t key);
void keyvec_free(KeyVec *k);

struct Snapshot;

/* Where snapshots live and how they are used. */
typedef enum {
  SNAP_FILE,    /* DB.camp-snapshot/ (or $CAMP_CACHE_DIR): map, build if stale */
  SNAP_MEMORY,  /* build in memory every time the context needs one (tests) */
  SNAP_PG,      /* PostgreSQL: cached in pg_dir, tables checked by content hash */
} SnapMode;

typedef struct EngineCtx {
  Db *db;
  const char *db_path;     /* file of db; NULL for :memory: (forces SNAP_MEMORY) */
  SnapMode snap_mode;
  char *pg_dir;            /* SNAP_PG: the cache directory (snapshot_pg_dir), set on first use */
  struct Snapshot *snap;   /* owned; NULL until a columnar engine needs it */
  char now[20];            /* the clock 'YYYY-MM-DD HH:MM:SS' */
  int64_t seed;
  int64_t auto_min_rows;   /* ENGINE_AUTO: SQL below this many input rows */
  int64_t auto_jit_rows;   /* ENGINE_AUTO: jit from this many rows (break-even) */
  int jit_threads;         /* threads the jit engine uses (env
                              CAMP_JIT_THREADS; default 0 = auto: one per
                              CPU, at most 4, for inputs of >= 1M rows) */
  void *jit;               /* compiled rules (compiler/jit/jit.h JitCache) */
  int values_by_jit;       /* values the last engine_values_rows had the jit compute */
  int jit_loaded_only;     /* ENGINE_JIT runs only rules whose code is
                              loaded, the interpreter the others (auto below
                              the break-even: a compile would not pay) */
  void *schemas;           /* tables the snapshot must hold (engine.c) */
  int snap_rebuilt;        /* how many times a snapshot file was (re)built */
  /* SNAP_PG, summed over the snapshots opened (explained by camp plan):
   * tables whose content the server hashed, proven fresh earlier by this
   * process instead, reused from the cache, read with COPY, and other
   * tables kept in the cache file */
  int pg_opens, pg_hashed, pg_proven, pg_reused, pg_copied, pg_kept;
  char why[256];           /* why the last engine_select chose its engine */
  EngineKind last_used;    /* engine that actually produced the last answer */
} EngineCtx;

/* Parses "sql" | "interp" | "jit" | "auto"; 0 on success, -1 if unknown. */
int engine_parse_kind(const char *s, EngineKind *out);
const char *engine_kind_name(EngineKind k);
/* 1 if this binary was built with libgccjit (CAMP_JIT=1). */
int engine_have_jit(void);

/* Sets up a context.  now: 'YYYY-MM-DD HH:MM:SS' (NULL = the current UTC
 * time).  db_path NULL or ":memory:" means in-memory snapshots.  0 on
 * success, -1 with a message in err. */
int engine_init(EngineCtx *e, Db *db, const char *db_path, const char *now, int64_t seed,
                char *err, size_t errlen);
void engine_free(EngineCtx *e);
/* Drops the in-memory snapshot: SNAP_MEMORY contexts do not watch the
 * database, so a caller that changed it calls this before the next use. */
void engine_invalidate(EngineCtx *e);

/* Makes sure the snapshot covers every table the rules read and is fresh
 * (builds, maps or rebuilds it).  Optional: engine_select calls it too.
 * 0 on success, -1 with a message in err. */
int engine_prepare(EngineCtx *e, Schema *dim, Expr **rules, int nrules, char *err,
                   size_t errlen);

/* Selects the keys of `dim` rows satisfying `rule` (NULL rule = all rows).
 * input: the keys to consider (NULL = every row of dim); keys absent from
 * the table are dropped, duplicates kept, order kept.  With input == NULL
 * the keys come out in ascending key order.  out is appended to.
 * Returns 0 on success; 1 when this engine cannot express the rule or data
 * (why says what; the caller runs the SQL instead; out is unchanged); -1 on
 * error (message in why).  ENGINE_AUTO falls back to SQL itself, except
 * for a rule that reads an enriched column (REF_ADDED): only the step's
 * own SQL sees those, so SQL and AUTO answer 1 for it (as the columnar
 * engines do without the in-memory plan's overlays).  e->last_used /
 * e->why tell what ran. */
int engine_select(EngineCtx *e, EngineKind kind, Schema *dim, Expr *rule,
                  const KeyVec *input, KeyVec *out, char *why, size_t whylen);

/* What a campaign evaluates over one dimension, compiled as one batch:
 * conditions (select rules, split conditions) and values (enrich columns,
 * dedup keys and preferences, split order keys). */
typedef struct EngineBatch {
  Expr **rules;
  int nrules;
  Expr **values;
  int nvalues;
} EngineBatch;

/* Compiles the batch (over dim) into one libgccjit context per compiling
 * process ahead of use, e.g. at plan start, so later evaluations with
 * ENGINE_JIT / AUTO only look the code up.  What the JIT cannot express
 * (text values, values that read enriched columns, ...) is skipped
 * (*ncompiled counts the others).  0 on success (also when JIT is
 * unavailable: nothing to do), -1 with why on a snapshot or libgccjit
 * error. */
int engine_jit_precompile_batch(EngineCtx *e, Schema *dim, const EngineBatch *b, int *ncompiled, char *why,
                                size_t whylen);
/* engine_jit_precompile_batch of conditions only. */
int engine_jit_precompile(EngineCtx *e, Schema *dim, Expr **rules, int n, int *ncompiled,
                          char *why, size_t whylen);

/* 1 when everything of the batch the JIT can express (at least one) is
 * compiled already, in memory or in the disk cache, so that precompiling
 * would only load code (auto then uses the JIT far below its cold
 * break-even).  Builds or maps the snapshot. */
int engine_jit_warm(EngineCtx *e, Schema *dim, const EngineBatch *b);

/* Compiles the batch into the JIT's disk cache in a background process
 * (jit_prepare_background) while this one goes on without it: auto below
 * the break-even, so the next run of the campaign finds the code.  1 when
 * started, 0 when nothing needed compiling, -1 when it could not start.
 * engine_free waits for it. */
int engine_jit_compile_background(EngineCtx *e, Schema *dim, const EngineBatch *b);

/* Split: evaluates n conditions in one pass over the rows.  flags receives
 * one byte per (row, condition): flags[i * n + c] = 1 when input row i (or
 * dimension row i in key order when input == NULL) satisfies rules[c]; keys
 * receives the rows' keys in that order.  Same return contract as
 * engine_select. */
int engine_split(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n,
                 const KeyVec *input, KeyVec *keys, uint8_t **flags, char *why,
                 size_t whylen);

/* --- Row-level access for the in-memory plan (runtime/exec/exec_mem.c) ---
 * Callers run engine_prepare first (with every expression they will
 * evaluate, so the snapshot covers all tables once); rows are row numbers
 * of dim's snapshot table, in any order. */
struct SnapTable;
struct InterpAdded;
struct IVals;
/* engine_prepare for several dimensions at once (one snapshot open). */
int engine_prepare_all(EngineCtx *e, Schema **dims, int ndims, Expr **rules, int nrules, char *err,
                       size_t errlen);
/* dim's snapshot table, or NULL. */
const struct SnapTable *engine_table(EngineCtx *e, Schema *dim);
/* Conditions over rows: flags[i*n+k] = 1 where rules[k] holds for rows[i].
 * kind ENGINE_JIT uses the jit unless a rule reads an added column (then,
 * or when the jit declines, the interpreter).  Same return contract as
 * engine_select; e->last_used / e->why tell what ran. */
int engine_eval_rows(EngineCtx *e, EngineKind kind, Schema *dim, Expr **rules, int n,
                     const struct InterpAdded *added, const uint32_t *rows, int64_t nrows,
                     uint8_t *flags, char *why, size_t whylen);
/* Values of n expressions over rows into out[0..n-1] (runtime/engine/interp.h
 * IVals; free with ivals_free): with kind ENGINE_JIT each numeric value
 * that reads no enriched column by the jit (e->values_by_jit counts
 * them), the others by the interpreter.  0, or 1 (why). */
int engine_values_rows(EngineCtx *e, EngineKind kind, Schema *dim, Expr **exprs, int n,
                       const struct InterpAdded *added, const uint32_t *rows, int64_t nrows,
                       struct IVals *out, char *why, size_t whylen);

#endif
