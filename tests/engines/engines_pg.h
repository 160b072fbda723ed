/* engines_pg.h — the engine differential's PostgreSQL side (tests only):
 * a world copied from its SQLite database into PostgreSQL, and its rules
 * evaluated there by the PostgreSQL dialect's SQL and by the columnar
 * engines over the COPY snapshot. */
#ifndef CAMP_ENGINES_PG_H
#define CAMP_ENGINES_PG_H

#include "compiler/check/program.h"
#include "runtime/db/db.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/interp.h"

typedef struct PgWorld PgWorld;

/* Empties the database at url (tests/pg/pg_fixture.c) and copies the
 * tables of p's schemas from src into it, typed from the schemas; then
 * precompiles the batch over dim for the jit on the PostgreSQL snapshot,
 * clock `now`, seed `seed`.  NULL with a message in err. */
PgWorld *pgw_open(const char *url, Db *src, Program *p, Schema *dim, const EngineBatch *b, const char *now,
                  int64_t seed, char *err, size_t errlen);
void pgw_close(PgWorld *w);

/* The keys of the first step of p's first campaign (`r = dim where RULE`),
 * in ascending order, from its PostgreSQL SQL (sql_params + sql_step of the
 * postgres dialect, as `camp plan --engine sql` runs it).  0, or -1 with
 * the server's message in why. */
int pgw_sql_keys(PgWorld *w, Program *p, KeyVec *out, char *why, size_t whylen);

/* engine_select on PostgreSQL with ENGINE_INTERP (a new context, which
 * finds the world's snapshot in the cache) or ENGINE_JIT (the world's
 * context holding the precompiled rules).  *used: the engine that
 * answered.  engine_select's return contract. */
int pgw_select(PgWorld *w, EngineKind kind, Schema *dim, Expr *rule, const KeyVec *input, KeyVec *out,
               EngineKind *used, char *why, size_t whylen);

/* engine_values_rows over the world's PostgreSQL snapshot (the jit
 * context); *by_jit: how many values the jit computed. */
int pgw_values(PgWorld *w, EngineKind kind, Schema *dim, Expr **expr, const uint32_t *rows, int64_t nrows,
               IVals *out, int *by_jit, char *why, size_t whylen);

/* ---- the checks: PostgreSQL's answers against SQLite's ---- */

/* A generated rule, checked: its program owns the AST. */
typedef struct Case {
  char *text;
  Program *p;
  Expr *rule;
  Schema *dim;
} Case;


/* Checks on PostgreSQL, counted apart (engines_test adds them to its totals). */
typedef struct PgCounts {
  int worlds, passed, failed, declined, known;
  int64_t runs[3];    /* rules evaluated by sql, interp, jit */
  int64_t values;     /* values by interp / jit over the snapshot */
  int64_t sql_values; /* values as enrich columns of the step SQL */
} PgCounts;
extern PgCounts pg_n;

/* Comparisons (engines_test uses them too). */
int same_keys(const KeyVec *a, const KeyVec *b);
void print_keys(const char *label, const KeyVec *k);
/* Values computed two ways over the same rows: bit for bit, the same NULLs;
 * prints the first difference.  1 when identical. */
int same_values(const char *what, const char *a, const char *bname, const IVals *want, const IVals *got,
                int64_t cnt, Case *k, uint64_t seed, int world, int cs, int pass);

/* Rule k on PostgreSQL: its SQL, interp and jit against SQLite's SQL
 * answer want (for input in; e is SQLite's context, for the answer over
 * the whole table).  intdiv: SQLite's interpreter declined the rule for a
 * division of decimals SQLite may hold as integers (then a difference is
 * KNOWN). */
void pg_case(PgWorld *pw, EngineCtx *e, Case *k, const KeyVec *in, const KeyVec *want, int intdiv, uint64_t seed,
             int world, int cs);
/* Value k by interp and jit over PostgreSQL's snapshot against want, the
 * interpreter's over SQLite's (rows r, or all cnt rows). */
void pg_value(PgWorld *pw, Case *k, const uint32_t *r, int64_t cnt, const IVals *want, uint64_t seed, int world,
              int cs, int pass);
/* Value k as an enrich column: PostgreSQL's step SQL against SQLite's (lite). */
void pg_value_sql(PgWorld *pw, Db *lite, Case *k, int intdiv, uint64_t seed, int world, int cs);

/* The world's PostgreSQL connection. */
Db *pgw_db(PgWorld *w);

/* Rows of a value step: `r = dim` then `e = enrich r { v = EXPR }` (the
 * first campaign of p) run as SQL in db's dialect; keys ascending, one
 * value each (owned: text copied). */
typedef struct StepValues {
  int64_t *key;
  DbValue *v;
  size_t n;
} StepValues;

/* Runs the campaign's steps (sql_params + sql_step in db's dialect, clock
 * now) and reads "_key", "v" of the last one.  0, or -1 with why. */
int step_values(Db *db, Program *p, const char *now, StepValues *out, char *why, size_t whylen);
void step_values_free(StepValues *sv);

#endif
