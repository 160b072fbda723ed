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
