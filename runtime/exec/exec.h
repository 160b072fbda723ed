/* exec.h — the campaign runtime: executes a checked campaign against a
 * database, all rows of a step together, with exact counts.
 *
 *   exec_plan      dry run: every audience-shaping step in TEMP tables,
 *                  counts printed, nothing saved or queued
 *   exec_start     a durable run: camp_runs/camp_steps rows, step results
 *                  in camp_r<RUN>_<output>, messages in camp_outbox
 *   exec_continue  goes on with a run (resume): due waits pass, pending
 *                  steps execute; steps already done are never redone
 *
 * Each step executes in one IMMEDIATE transaction that also records its
 * state, so a process killed at any moment leaves every step either done or
 * not started, and two processes never execute the same step. */
#ifndef CAMP_EXEC_H
#define CAMP_EXEC_H

#include <stdio.h>

#include "runtime/db/db.h"
#include "compiler/check/program.h"

typedef struct ExecOptions {
  const char *now;        /* fixed clock 'YYYY-MM-DD HH:MM:SS' or NULL */
  const char *engine;     /* sql | interp | jit | auto (NULL = auto) */
  const char *db_path;    /* the database file (for the columnar snapshot) */
  int explain;            /* print which engine ran each step and why */
  int new_run;            /* run: start even if an earlier run of the campaign
                             is unfinished or already queued messages */
  int json;               /* machine-readable output */
  int progress;           /* progress lines on stderr (a TTY) */
  FILE *out;              /* where counts are printed */
  int *planned_in_memory; /* plan: set to 1 when the memory plan ran every step */
  /* camp preview: a plan (engine sql) that renders the messages of the
   * channel step labelled preview_step and hands each to preview instead
   * of queueing it (return non-zero to stop with an error). */
  const char *preview_step;
  int (*preview)(void *ctx, DbValue key, const char *address, const char *subject,
                 const char *body);
  void *preview_ctx;
  /* plan: when set, called instead of printing the counts, after every step
   * ran step by step and before the plan's tables go; table_prefix names
   * them (<prefix><output>).  Its return value is exec_plan's. */
  int (*inspect)(Db *db, const char *table_prefix, void *ctx);
  void *inspect_ctx;
  int64_t *started_run;   /* start: set to the new run's id */
  /* operations (runtime/ops) */
  const char *launch_key; /* start: the run's launch key (scheduled launches):
                           * recipients already messaged by another run of
                           * the campaign with the same key are left out */
  int test;               /* plan: a test run — channel steps render into
                           * throw-away tables and show previews */
  int previews;           /* test: rendered messages shown per channel step */
  /* plan: called after the counts for every channel step that ran, with
   * its label and its number of messages (marketing operations' projected
   * cost, runtime/mops/budget.c). */
  void (*counted)(void *ctx, const char *step, int64_t messages);
  void *counted_ctx;
} ExecOptions;

/* Normalises a user clock (`2026-03-01`, `2026-03-01 09:00`, ...) into
 * out[20]; 0 on success, -1 if it is not a valid date/time. */
int exec_parse_now(const char *text, char out[20]);

/* Compares the campaign's schemas with the database: missing tables or
 * columns and incompatible types become errors in p->diags.  0 if fine. */
int exec_verify_schema(Db *db, Program *p, Decl *campaign);

/* Prints to out a warning, with the CREATE INDEX that fixes it, for every
 * column the campaign's SQL looks rows up by (a collection's link column, a
 * link's or dimension's key) that has no index in db, on tables of 1,000
 * rows and more.  Returns the number of warnings (exec_index.c). */
int exec_index_advice(Db *db, Program *p, Decl *campaign, FILE *out);

/* Dry run (see above).  Returns 0, or 1 after printing an error. */
int exec_plan(Db *db, Program *p, Decl *campaign, const char *source_file,
              const ExecOptions *o);
/* Starts a run and executes as far as it can; prints the run id and
 * counts.  Unless o->new_run, refuses (1, nothing written) while an earlier
 * run of the campaign is unfinished or when one already queued messages: a
 * second run would message the same recipients again.  Returns 0, or 1
 * after printing an error. */
int exec_start(Db *db, Program *p, Decl *campaign, const char *source_file,
               const ExecOptions *o);
/* Records a new run of campaign (camp_runs and one pending camp_steps row
 * per step) inside the caller's open transaction, with clock now and an
 * optional launch key; sets *run_id.  The store must be migrated.  Returns
 * 0, or -1 with a message in err.  exec_continue then executes it. */
int exec_insert_run(Db *db, Decl *campaign, const char *source_file, const char *hash,
                    const char *now, const char *launch_key, int64_t *run_id, char *err,
                    size_t errlen);
/* Continues run_id (its campaign already compiled into p).  Returns 0, or 1
 * after printing an error. */
int exec_continue(Db *db, Program *p, Decl *campaign, int64_t run_id,
                  const ExecOptions *o);
/* Hash of all loaded sources: a resumed run must see the same campaign. */
void exec_source_hash(Program *p, char out[17]);

#endif
