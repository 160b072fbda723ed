/* mops.h — marketing operations at run time (docs/marketing-ops.md): the
 * checked declarations of compiler/check/mops.h stored in camp's tables
 * (runtime/db/store_mops.h) at deploy, tasks listed and completed, the
 * business status of campaigns moved only along the declared codes. */
#ifndef CAMP_RUNTIME_MOPS_H
#define CAMP_RUNTIME_MOPS_H

#include <stdint.h>
#include <stdio.h>

#include "compiler/check/mops.h"
#include "runtime/db/db.h"

/* Stores the program's plans, programs, status sets and teams and the
 * campaign's place in the hierarchy and its tasks (due dates computed from
 * its start_date), in one transaction.  Tasks already done stay done;
 * tasks no longer declared are removed.  A campaign with a status set and
 * no status yet gets the set's first code.  0, or -1 with err. */
int mops_sync(Db *db, Program *p, Decl *campaign, const char *now, const char *who, char *err,
              size_t errlen);

typedef struct MopsTaskFilter {
  const char *who;         /* owner, team, or a member of the team; NULL = all */
  const char *due_before;  /* YYYY-MM-DD: due strictly before; NULL = any */
  const char *campaign;    /* NULL = all */
} MopsTaskFilter;

/* Prints the open tasks matching f (a table; json=1: a JSON array), due
 * first, each marked overdue when due before today (the date of now).
 * Returns the number printed, or -1 on a database error. */
int mops_print_tasks(Db *db, const MopsTaskFilter *f, const char *now, int json, FILE *out);

/* Marks task id done (now, who) with an audit line.  0; 1 when no such
 * task; 2 when it was already done (err says when); -1 on error. */
int mops_task_done(Db *db, int64_t id, const char *now, const char *who, char *err, size_t errlen);

/* Prints "Overdue tasks" with one line per open task due before today
 * (optionally of one campaign); nothing when there are none.  Returns the
 * count. */
int mops_print_overdue(Db *db, const char *campaign, const char *now, FILE *out);

/* The business status of a campaign into out ("" when it has none). */
void mops_status_of(Db *db, const char *campaign, char *out, size_t outlen);

/* Moves a campaign's business status to code: refused (1, err says why
 * and what is allowed) unless code is declared next after the current
 * code.  Audited.  0, 1 refused, -1 error. */
int mops_set_status(Db *db, const char *campaign, const char *code, const char *now, const char *who,
                    const char *reason, char *err, size_t errlen);

#endif

/* ----------------------------------------------- budgets and cost lines */

/* What a campaign's cost lines come to (amounts in MOPS_AMOUNT_SCALE):
 * committed = fixed lines + per-unit lines x the messages of the latest
 * deployed version's plan (camp_version_counts); actual = fixed lines once
 * the campaign has a run + per-unit lines x messages with status `sent`
 * in camp_outbox. */
typedef struct MopsTotals {
  int64_t budget;     /* -1 when none */
  int64_t committed;
  int64_t actual;
} MopsTotals;

/* Totals of one campaign.  0, or -1 on error (also an amount too large). */
int mops_campaign_totals(Db *db, const char *campaign, MopsTotals *t);

/* `camp budget`: plans, programs and campaigns with budget, committed,
 * actual and remaining (budget - committed), rolled up campaign ->
 * program -> plan; a campaign's cost lines under it.  With campaign set,
 * that campaign and its program and plan.  Returns 0, 1 when something is
 * over its budget, -1 on error. */
int mops_print_budget(Db *db, const char *campaign, int json, FILE *out);

/* Messages per channel step of one plan (ExecOptions.counted). */
typedef struct MopsProjection {
  int n;
  char *labels[256];
  int64_t counts[256];
} MopsProjection;
void mops_projection_counted(void *ctx, const char *step, int64_t messages);
void mops_projection_free(MopsProjection *pr);

/* Prints a plan's projected cost from its counts and the campaign's cost
 * lines (fixed lines only when the campaign has no run yet), against the
 * remaining budget (budget - actual so far).  *over = 1 when the projected
 * cost exceeds it.  Prints nothing for a campaign without cost lines.
 * 0, or -1 on error. */
int mops_print_projection(Db *db, const MopsCampaign *mc, const char *campaign, const MopsProjection *pr,
                          FILE *out, int *over);

/* ------------------------------------------------------------- stock */

/* The level of a stock item: initial + orders - units used (mops.h of
 * runtime/db/store_mops.h).  -1 on error or an unknown item (*level unset). */
int mops_stock_level(Db *db, const char *item, int64_t *level);

/* `camp stock`: every item with its start, ordered, used, level, alert and
 * state (ok, low, out).  Returns the number of items or -1. */
int mops_print_stock(Db *db, int json, FILE *out);

/* Adds an order line (quantity > 0) to item; audited.  0, 1 when there
 * is no such item, -1 on error. */
int mops_stock_order(Db *db, const char *item, int64_t quantity, const char *now, const char *who,
                     const char *reason, char *err, size_t errlen);

/* Raises an alert (a camp_notifications row, kind stock_alert, recipient
 * "stock") for every item whose level fell to its threshold or below since
 * the last alert, and re-arms items that were replenished above it.
 * Returns the number of alerts raised, or -1. */
int mops_stock_alerts(Db *db, const char *now);

/* Prints "Stock alerts" for items at or below their threshold (status);
 * nothing when there are none.  Returns the count. */
int mops_print_stock_low(Db *db, FILE *out);

/* A plan's use of stock from its counts: per consume item, the units it
 * needs against the level.  *short_block = 1 when an item with
 * on_shortage block would run out, *short_any = 1 when any would. */
int mops_print_stock_projection(Db *db, const MopsCampaign *mc, const MopsModel *m, const MopsProjection *pr,
                                FILE *out, int *short_block, int *short_any);

/* ------------------------------------------------ prices and discounts */

/* Activates a campaign's offers: for each, the contacts of its segment in
 * the campaign's latest run, or of its saved segment's current version
 * (`saved_segment`, camp segment; no run needed unless `who targets`)
 * (or only those the run messaged) become rows
 * of camp_mops_offers, replacing earlier ones; audited.  Prints a count per
 * offer.  0; 1 when the campaign has no offers or no run (err says);
 * -1 on error. */
int mops_offers_activate(Db *db, const char *campaign, const char *now, const char *who, FILE *out, char *err,
                         size_t errlen);
/* Removes the campaign's activated offers; audited.  0, 1 when none were
 * active, -1 on error. */
int mops_offers_deactivate(Db *db, const char *campaign, const char *now, const char *who, char *err,
                           size_t errlen);
/* The campaign prices and discounts of item for contact valid on day
 * (YYYY-MM-DD), and the best of each.  Returns how many apply, or -1. */
int mops_offer_lookup(Db *db, const char *contact, const char *item, const char *day, int json, FILE *out);

/* ------------------------------------------------ interactions, stats */

/* `camp stats`: per channel step of the campaign's runs (the segment it
 * messaged) and in total: reach (contacts sent to), interactions (rows of
 * camp_interactions), successes (contacts with the campaign's `success`
 * event), success rate, cost (per-unit cost lines x messages sent +
 * interaction templates x interactions; the total adds the fixed lines),
 * minutes (unit_minutes of the templates) and cost per success.  format: "text", "json" or "csv".  svg: when not
 * NULL, a bar chart of reach and successes per step is written there.
 * 0, 1 when the campaign is unknown, -1 on error. */
int mops_print_stats(Db *db, const char *campaign, const char *format, const char *svg, FILE *out);

/* `camp interactions import FILE`: calls and meetings from a CSV file with
 * the header columns contact, template, date (YYYY-MM-DD[ HH:MM[:SS]]),
 * campaign, and optionally cost (an amount: overrides the template's
 * unit_cost) and minutes (overrides its unit_minutes).  Every record is
 * checked (a deployed template and campaign, a date, an amount, not
 * already logged); errors are printed to errout as FILE:LINE: message and
 * then nothing is stored (one transaction).  Audited.  Prints the count
 * to out.  0; 1 bad records; -1 on error. */
int mops_interactions_import(Db *db, const char *path, const char *now, const char *who, FILE *out,
                             FILE *errout);

/* ------------------------------------------------------------ segments */

/* Segments as in Dynamics 365 (segments.c).  A rule is a camp rule over
 * the segment's dimension, checked with the schemas of the segment's file
 * (diagnostics to errout at `--where:LINE:COL`).  Each call that changes
 * a segment writes a new version (its members, a log row, an audit line)
 * in one transaction and prints one line to out.  Returns 0; 1 when
 * refused or the rule does not compile (err or errout says why); -1 on a
 * database error (err). */
int mops_segment_create(Db *db, const char *name, const char *file, const char *dim, const char *now,
                        const char *who, FILE *out, FILE *errout, char *err, size_t errlen);
/* op: "add" (members + matching contacts), "reduce" (members - matching),
 * "refine" (members that match) — the rule is saved as the next criterion;
 * or "reapply" (rule NULL): every saved criterion again, in order, from
 * an empty segment, against today's data. */
int mops_segment_edit(Db *db, const char *name, const char *op, const char *rule, const char *now, const char *who,
                      FILE *out, FILE *errout, char *err, size_t errlen);
/* The criteria and the members of a version (0: the latest). */
int mops_segment_show(Db *db, const char *name, int64_t version, int json, FILE *out, char *err, size_t errlen);
/* The versions: what made each, when, by whom, members, added, removed. */
int mops_segment_log(Db *db, const char *name, int json, FILE *out, char *err, size_t errlen);
/* Contacts in version `to` and not in `from` (+), and the reverse (-). */
int mops_segment_diff(Db *db, const char *name, int64_t from, int64_t to, FILE *out, char *err, size_t errlen);
/* `camp segment apply FILE`: the segments declared in FILE (m, checked)
 * stored and computed on today's data: a new one gets version 1; an
 * existing declared one gets a new version (op "apply") only when its
 * criteria, its dimension or its members changed, else prints
 * "unchanged".  A name made with `camp segment create` is refused before
 * anything changes.  Each segment in its own transaction.  0; 1 refused
 * or a criterion does not compile (err/errout); -1 on a database error. */
int mops_segment_apply(Db *db, const MopsModel *m, const char *file, const char *now, const char *who, FILE *out,
                       FILE *errout, char *err, size_t errlen);
