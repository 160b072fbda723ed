/* sqlgen.h — lowering a checked campaign to SQL.  One table per step
 * output, named "s_<output>", holding `_key` (the dimension key) and the
 * population's added columns.  Dialect differences live in dialect tables
 * (compiler/dialect_*.c), never in the generator's logic.
 *
 * The script starts by (re)creating temp.camp_params(now, seed, run_id):
 * now() and seeded randomness read it, so a runtime can fix the clock.
 * Runtime tables read by some steps (created by the runtime):
 *   camp_outbox(id, run_id, step, recipient_key, channel, address, subject,
 *               body, status, queued_at, sent_at)      -- retarget
 *   camp_feedback(id, outbox_id, event, at)            -- retarget
 *   camp_import_<step>(_line, <declared columns>)      -- reconcile
 *   camp_audience(name, dimension, key)                -- audience "x" */
#ifndef CAMP_SQLGEN_H
#define CAMP_SQLGEN_H

#include "compiler/check/program.h"

typedef struct SqlDialect SqlDialect;

/* The dialect named `name` ("sqlite", "postgres" or "postgresql"), or
 * NULL. */
const SqlDialect *sql_dialect(const char *name);
/* The dialect's canonical name ("sqlite", "postgres"). */
const char *sql_dialect_name(const SqlDialect *d);
/* Statements that must run before the dialect's SQL; "" for SQLite.  For
 * PostgreSQL: the schema `schema` (NULL = "camp") with camp_hash and the
 * other helper functions (idempotent: CREATE OR REPLACE); with `script`
 * also the session settings a psql script needs (its search_path puts the
 * schema first).  Malloc'd. */
char *sql_dialect_setup(const SqlDialect *d, const char *schema, int script);
/* Session settings the dialect's SQL is written for ("" for SQLite; for
 * PostgreSQL partitionwise aggregation, so grouped aggregates over a
 * partitioned table run per partition): set by the runtime on each
 * connection and by a `camp sql` script.  Static. */
const char *sql_dialect_session(const SqlDialect *d);

typedef struct SqlOptions {
  const SqlDialect *dialect;
  const char *now;   /* fixed clock 'YYYY-MM-DD HH:MM:SS', or NULL = current */
  int64_t run_id;    /* value of camp_params.run_id (0 by default) */
  const char *table_prefix; /* step tables are "<prefix><output>"; NULL = "s_" */
  int persistent;    /* CREATE TABLE (durable runs) instead of TEMP tables */
  const char *schema; /* PostgreSQL: camp's schema (NULL = "camp") */
  /* PostgreSQL: aggregates over these collection tables are written as
   * grouped joins that shards can compute (compiler/sql/sql_group.c):
   * table names separated by commas, "all", or NULL/"" for none (each
   * aggregate a correlated subquery).  The runtime names the database's
   * partitioned and foreign tables. */
  const char *grouped;
} SqlOptions;

/* The whole campaign as one script: params, then each step's tables in
 * dependency order.  Returns a malloc'd string (caller frees). */
char *sql_campaign(Program *p, Decl *campaign, const SqlOptions *o);
/* The statements of one step (all its outputs); malloc'd. */
char *sql_step(Program *p, Decl *campaign, Step *s, const SqlOptions *o);
/* `on_shortage limit` (runtime/exec/exec_stock.c): the statement that
 * keeps only the first `keep` rows of channel step s's table, ordered by
 * `order` (OrderItem*, checked against the step's population: the
 * dimension row is t0, the step's row p), then by key, and deletes the
 * rest.  An empty order keeps the lowest keys.  Malloc'd. */
char *sql_limit_rows(Step *s, const PtrVec *order, int64_t keep, const SqlOptions *o);
/* The statement that (re)creates camp_params; malloc'd. */
char *sql_params(Decl *campaign, const SqlOptions *o);

/* One checked expression over a population row (aliases p = population
 * table, t0 = dimension row); malloc'd. */
char *sql_expression(Expr *e, const SqlOptions *o);

/* The same expression as text, the way SQLite's CAST(e AS TEXT) writes
 * its value (reals as "%.15g" with ".0", booleans 1/0, timestamps
 * 'YYYY-MM-DD HH:MM:SS'), on every dialect; malloc'd.  For rendering. */
char *sql_text_expression(Expr *e, const SqlOptions *o);

#endif
