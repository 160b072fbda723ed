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
} ExecOptions;

/* Normalises a user clock (`2026-03-01`, `2026-03-01 09:00`, ...) into
 * out[20]; 0 on success, -1 if it is not a valid date/time. */
int exec_parse_now(const char *text, char out[20]);

/* Compares the campaign's schemas with the database: missing tables or
 * columns and incompatible types become errors in p->diags.  0 if fine. */
int exec_verify_schema(Db *db, Program *p, Decl *campaign);

/* Dry run (see above).  Returns 0, or 1 after printing an error. */
int exec_plan(Db *db, Program *p, Decl *campaign, const char *source_file,
              const ExecOptions *o);
/* Starts a run and executes as far as it can; prints the run id and
 * counts.  Returns 0, or 1 after printing an error. */
int exec_start(Db *db, Program *p, Decl *campaign, const char *source_file,
               const ExecOptions *o);
/* Continues run_id (its campaign already compiled into p).  Returns 0, or 1
 * after printing an error. */
int exec_continue(Db *db, Program *p, Decl *campaign, int64_t run_id,
                  const ExecOptions *o);
/* Hash of all loaded sources: a resumed run must see the same campaign. */
void exec_source_hash(Program *p, char out[17]);

#endif
