/* abtest.h — A/B content tests at run time (docs/policy.md): seeded cells,
 * each cell's figures from camp_outbox and camp_feedback, the winner, and
 * the two-proportion z-test camp report prints.  The spec is checked by
 * compiler/check/check_abtest.c; the tables are runtime/db/store_abtest.c. */
#ifndef CAMP_POLICY_ABTEST_H
#define CAMP_POLICY_ABTEST_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/check/abtest.h"
#include "runtime/db/db.h"

/* The cell of key in the test of (campaign, step): the variant letter
 * (index i when its seeded hash, in 0..9999, falls in [i*P*100, (i+1)*P*100))
 * or 0 for the remainder.  Stable for the same campaign, step and key. */
char abtest_cell(const char *campaign, const char *step, DbValue key, const AbSpec *sp);

/* Starts the test of run_id/step: records it (camp_abtest, due at
 * started + after) and each row of `table` (column "_key") in its cell
 * (camp_abtest_cells).  Returns 0 with due filled, or -1 with err. */
int abtest_start(Db *db, int64_t run_id, const char *campaign, const char *step, const char *spec, const AbSpec *sp,
                 const char *table, const char *now, char due[20], char *err, size_t errlen);

typedef struct AbCell {
  char cell;               /* 'A', 'B', ... */
  int64_t members;         /* recipients in the cell */
  int64_t sent, opened, clicked, hits; /* hits: the metric's count */
  double rate;             /* hits / sent (0 when nothing was sent) */
} AbCell;

typedef struct AbResult {
  int n;
  AbCell c[26];
  char winner;             /* 0 until decided */
  char metric[16];
  char started[20], due[20], decided[20];
} AbResult;

/* The figures of each cell now: sent = messages of the cell with status
 * 'sent'; opened/clicked = those with at least one such camp_feedback
 * event; hits by the metric.  0, or -1 with err. */
int abtest_figures(Db *db, int64_t run_id, const char *step, AbResult *r, char *err, size_t errlen);

/* A success rule's hits: per cell, the sent messages whose recipient's row
 * of dim (key column keycol, alias t0) satisfies cond (SQL; its now() must
 * read the test's start).  Sets hits and rate of each cell.  0 or -1. */
int abtest_success_hits(Db *db, int64_t run_id, const char *step, const char *dim, const char *keycol,
                        const char *cond, AbResult *r, char *err, size_t errlen);

/* The winner of r: the highest rate (compared exactly, hits_i * sent_j),
 * a tie going to the earlier letter (A, the step's own texts, first). */
char abtest_winner(const AbResult *r);

/* Records the decision: the figures (camp_abtest_results) and the winner.  0 or -1. */
int abtest_decide(Db *db, int64_t run_id, const char *step, const AbResult *r, char winner, const char *now,
                  char *err, size_t errlen);

/* The recorded test of run_id/step: figures as recorded at the decision,
 * or computed now when undecided.  0, 1 when there is none, -1 with err. */
int abtest_load(Db *db, int64_t run_id, const char *step, AbResult *r, char *err, size_t errlen);

/* Calls fn for each step of run_id with a test, in step order.  0 or -1. */
int abtest_steps(Db *db, int64_t run_id, void (*fn)(void *ctx, const char *step), void *ctx);

/* Two-proportion z-test of x1/n1 against x2/n2: z (pooled standard error),
 * the two-sided p-value, and the 95% CI of p1 - p2 (unpooled).  A zero
 * standard error gives z = 0, p = 1. */
typedef struct AbTest {
  double diff, z, p, ci_low, ci_high;
  int significant; /* p < 0.05 */
} AbTest;
AbTest abtest_ztest(int64_t x1, int64_t n1, int64_t x2, int64_t n2);

#endif
