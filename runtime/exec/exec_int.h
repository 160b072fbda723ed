/* exec_int.h — internals shared by the executor's files:
 *   exec.c          plan / start / continue: the pass over the step graph
 *   exec_step.c     one step in one transaction (SQL, counts, state)
 *   exec_channel.c  channel side effects: render, outbox, extract, save
 *   exec_verify.c   the campaign's schemas against the database */
#ifndef CAMP_EXEC_INT_H
#define CAMP_EXEC_INT_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/engine/engine.h"
#include "runtime/exec/exec.h"
#include "compiler/sql/sqlgen.h"
#include "runtime/policy/policy.h"

typedef enum { ST_PENDING, ST_WAITING, ST_DONE, ST_SKIPPED, ST_FAILED } StepState;

typedef struct Exec {
  Db *db;
  Program *p;
  Decl *camp;
  const ExecOptions *o;
  int dry;                 /* plan: TEMP tables, no side effects */
  int64_t run_id;
  char now[20];
  char source_file[PATH_MAX]; /* the campaign file: names in it are relative to it */
  SqlOptions so;
  char *grouped;           /* so.grouped: the database's distributed tables (malloc'd) */
  char prefix[64];         /* result table prefix */
  StepState *state;        /* per step (index in camp->steps) */
  int64_t *counts;         /* per step: count of each output, packed */
  int *count_base;         /* per step: first slot in counts */
  EngineCtx eng;           /* rule engines (interp/jit over a snapshot) */
  EngineKind engine;
  int eng_ready;
  int warnings;
  int commits;             /* for the kill-test hook */
  int busy;                /* another process holds the write lock */
  int stopped;             /* the run was stopped (camp stop): leave it */
  struct ExecMem *mem;     /* plan in memory (exec_mem.c), or NULL */
  int mem_failed;          /* the memory plan declined a step: plan again */
  FILE *keys_out;          /* plan: each output's keys (CAMP_PLAN_KEYS, tests) */
  char step_note[600];     /* --explain: what ran the current step and why */
  char launch_key[128];    /* the run's launch key ("" for a plain run) */
  struct json_t *previews; /* test run: rendered samples per channel step */
  int64_t (*policy)[POL_NREASONS]; /* per step: recipients the contact policy took out, by reason */
  char (*policy_why)[512];  /* per step: the messages that counted against those pressure took out */
  int64_t *stock_cut;       /* per step: recipients `on_shortage limit` left out (exec_stock.c) */
  char (*stock_note)[700];  /* per step: what it says about it */
  int64_t *stock_planned;   /* plan: units of each stock item (program_mops order) earlier steps use */
  char ab_cell[8];          /* A/B test: queue only this cell ("A", "B", "rest"); "" = every row */
  char ab_variant;          /* A/B test: the texts of this variant (0 = the step's own) */
  char err[4096];
} Exec;

/* Rows a `limit P%` subset keeps of n input rows, exactly as the SQL
 * computes it: the percent is printed with %g into the SQL text, then
 * CAST(n * P / 100.0 + 0.5 AS INTEGER). */
static inline int64_t exec_percent_limit(int64_t n, double percent) {
  char text[64];
  snprintf(text, sizeof text, "%g", percent);
  int64_t lim = (int64_t)((double)n * strtod(text, NULL) / 100.0 + 0.5);
  return lim < 0 ? 0 : lim;
}

/* camp_hash(seed, salt, key) as the generated SQL computes it: the order
 * of random subsets and dedup ties. */
static inline uint64_t exec_seeded_hash(int64_t seed, const char *salt, int64_t key) {
  DbValue hv[3] = {{DBV_INT, seed, 0, NULL}, {DBV_TEXT, 0, 0, salt}, {DBV_INT, key, 0, NULL}};
  return db_hash_values(hv, 3);
}

/* exec_step.c */
/* Executes step s; returns its new state, or ST_FAILED with x->err set. */
StepState exec_step(Exec *x, Step *s);
/* Reads the recorded counts of step s (run by this or another process). */
void exec_load_counts(Exec *x, Step *s);
/* Commits the step transaction (with the test kill hook around it). */
int exec_commit(Exec *x);

/* exec_engine.c: a select step through the rule engines.  0 = its table
 * was created; 1 = use SQL instead; -1 = error (x->err). */
int exec_select_engine(Exec *x, Step *s);
/* Sets up the rule engines (snapshot, JIT precompile) once.  0 or -1. */
int exec_engine_ensure(Exec *x);
void exec_engine_free(Exec *x);

/* exec_channel.c: messages for a channel step (rows of its result table),
 * the direct-mail file, or the saved audience.  0 or -1 with x->err. */
int exec_channel(Exec *x, Step *s);
int exec_save(Exec *x, Step *s);

/* exec_launch.c: recurring launches.  The run's launch key from camp_runs
 * (resume); and, before a channel step's messages are made, the removal
 * from its result table of recipients this campaign's step already
 * messaged in another run with the same launch key.  0 or -1 (x->err). */
void exec_load_launch_key(Exec *x);
int exec_exclude_messaged(Exec *x, Step *s);

/* exec_keys.c: exec_keys_store (re)creates TEMP table `table` (a plain
 * name) with a "_key" column holding keys[0..n) (duplicates kept once);
 * exec_keys_read appends the "_key" column of any table to out, in key
 * order: 0, 1 when a key is not an integer (text keys), -1 on error. */
int exec_keys_store(Exec *x, const char *table, const int64_t *keys, size_t n);
int exec_keys_read(Exec *x, const char *table, KeyVec *out);

/* exec_policy.c: the contact policy (runtime/policy) on channel step s's
 * result table (exec_policy: recorded in a run), on any table holding its
 * rows' "_key" (record: 1 = into camp_policy_removed), or on the keys of an
 * in-memory plan (keep[i] = 0 for a key it takes out).  0 or -1 (x->err).
 * exec_policy_removed: the step's counts by PolicyReason, or NULL if none. */
int exec_policy(Exec *x, Step *s);
int exec_policy_table(Exec *x, Step *s, const char *table, int record);
int exec_policy_keys(Exec *x, Step *s, const int64_t *keys, int64_t n, uint8_t *keep);
const int64_t *exec_policy_removed(Exec *x, Step *s);
/* The audience step `holdout N% of INPUT` (docs/policy.md): after its SQL
 * kept the treated members, exec_holdout_step counts (and in a run
 * records) the input's other rows as the step's control group;
 * exec_holdout_keys is the in-memory plan's version (keep[i] = 0 for a
 * held-out key).  Both count under POL_HOLDOUT.  0 or -1 (x->err). */
int exec_holdout_step(Exec *x, Step *s);
void exec_holdout_keys(Exec *x, Step *s, const int64_t *keys, int64_t n, uint8_t *keep);
/* Which messages counted against the recipients pressure took out of s
 * ("" if none); the plan's record of planned messages emptied. */
const char *exec_policy_why(Exec *x, Step *s);
void exec_policy_plan_reset(Exec *x);
/* The due time of each message of channel step s with a `window`. 0/-1. */
int exec_policy_window(Exec *x, Step *s);
/* What plan and run print about step s's send window; 0 if it has none. */
int exec_policy_window_note(Exec *x, Step *s, char *out, size_t n);

/* exec_abtest.c: a channel step with an A/B test.  exec_abtest_of: 1 (sp
 * filled) when s has one and this is a real run.  _start: assigns the
 * cells, queues each variant's cell, due gets the decision time.  _finish:
 * chooses and records the winner and queues the remainder with its texts.
 * _note: the line plan and run print under the step (1), or 0. */
struct AbSpec;
int exec_abtest_of(Exec *x, Step *s, struct AbSpec *sp);
int exec_abtest_start(Exec *x, Step *s, const struct AbSpec *sp, char due[32]);
int exec_abtest_finish(Exec *x, Step *s);
int exec_abtest_note(Exec *x, Step *s, char *out, size_t n);

/* exec_hold.c: a campaign with `approval` parks a channel step's new
 * messages as `held` and records the approval request (camp_approvals,
 * camp_notifications), in the step's transaction.  0 or -1 (x->err). */
int exec_hold(Exec *x, Step *s);

/* exec_local.c: a local approval step (docs/distributed.md).  The first
 * time a run reaches it: hands the input's rows to the local entities and
 * writes the deadline into due.  At the deadline, after its SQL: closes the
 * requests, undecided rows dropped or approved by default.  0 or -1. */
int exec_local_handout(Exec *x, Step *s, char due[20]);
int exec_local_close(Exec *x, Step *s);
/* By form: before the step's SQL at the deadline, each entity's form values
 * (its standing order's, else the defaults) into camp_distrib_values. */
int exec_local_values(Exec *x, Step *s);
/* exec_preview.c: test runs.  Shadows camp's outbox tables with TEMP ones
 * (inside the plan's savepoint), and after a channel step rendered into
 * them, keeps a few messages as previews in x->previews. */
int exec_preview_tables(Exec *x);
int exec_preview(Exec *x, Step *s);

/* exec_stock.c: `on_shortage limit`.  exec_stock_limited: 1 when the
 * campaign consumes an item declared with it.  exec_stock_limit: cuts
 * channel step s's result table to the recipients the level covers (lowest
 * keys first), recorded as a warning in a run.  0 or -1 (x->err).
 * exec_stock_cut: how many it left out of s (0 if none) and a note. */
int exec_stock_limited(Exec *x);
int exec_stock_limit(Exec *x, Step *s);
int64_t exec_stock_cut(Exec *x, Step *s, const char **note);

/* exec_names.c */
/* Population of input i of step s. */
Pop *exec_input_pop(Step *s, int i);
/* Count of output k of step s (after it ran). */
int64_t exec_count(Exec *x, Step *s, int k);
/* The result table of output `name`, quoted, into out. */
void exec_table(Exec *x, const char *name, char *out, size_t outlen);
/* Path of an input / output file named in the campaign (program_find_file). */
void exec_path(Exec *x, const char *name, char *out, size_t outlen);
void exec_out_path(Exec *x, const char *name, char *out, size_t outlen);

#endif
