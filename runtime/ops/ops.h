/* ops.h — operating campaigns (docs/operations.md): deployed versions, the
 * lifecycle and its audit, schedules and recurring launches, `camp tick`,
 * test runs and review-and-send approvals.  Built on runtime/exec (a launch
 * is a run) and camp's tables (runtime/db/store.c).  Times passed around
 * as text are UTC 'YYYY-MM-DD HH:MM:SS', like every time camp stores. */
#ifndef CAMP_OPS_RT_H
#define CAMP_OPS_RT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "compiler/check/ops.h"
#include "compiler/check/program.h"
#include "runtime/db/db.h"

/* ------------------------------------------------------------- zone.c */

/* UTC text <-> seconds since the epoch.  parse: 0, or -1 if malformed. */
int ops_time_parse(const char *text, time_t *out);
void ops_time_format(time_t t, char out[20]);
/* A wall-clock time in IANA zone `zone` -> UTC (a time in the spring gap
 * uses the offset before it; one in the autumn overlap is the first).
 * 0, or -1 for a malformed time or an unknown zone. */
int zone_local_to_utc(const char *zone, const char local[20], time_t *out);
/* UTC -> wall-clock text in zone (and its weekday, 0 = Sunday, if wday). */
int zone_utc_to_local(const char *zone, time_t t, char out[20], int *wday);

/* --------------------------------------------------------- schedule.c */

typedef struct Sched Sched;
/* Iterates the launch times of ops' schedule that are >= anchor (and
 * within its from/until, at most `count`, counted from the anchor).  NULL
 * with a message in err on failure.  Close with sched_close. */
Sched *sched_open(const CampOps *ops, time_t anchor, char *err, size_t errlen);
/* The next launch time in increasing order: 1 and *out; 0 when there is
 * none left; -1 on error (sched_error). */
int sched_next(Sched *s, time_t *out);
const char *sched_error(const Sched *s);
void sched_close(Sched *s);
/* The launch key of a launch at t under ops' remessage policy: `day
 * 2026-03-29` (local day), `week 2026-W13`, `month 2026-03`, `ever`, or
 * `launch <local time>`.  0, or -1 for an unknown zone. */
int sched_launch_key(const CampOps *ops, time_t t, char *out, size_t outlen);

/* -------------------------------------------------------- lifecycle.c */

typedef enum {
  CS_DRAFT, CS_TEST, CS_SCHEDULED, CS_LIVE, CS_PAUSED, CS_CLOSED, CS_COMPLETED, CS_STOPPED,
  CS_ARCHIVED, CS_NONE
} CampState;

typedef enum { LO_START, LO_PAUSE, LO_STOP, LO_CLOSE, LO_ARCHIVE } LifeOp;

const char *camp_state_name(CampState s);
/* The state named by text, or CS_NONE. */
CampState camp_state_parse(const char *text);
/* The deployed state of campaign, or CS_NONE when it is not deployed. */
CampState ops_state(Db *db, const char *campaign);

/* Appends one audit line (in the caller's transaction).  0 or -1. */
int ops_audit(Db *db, const char *now, const char *who, const char *campaign, int64_t run,
              const char *step, const char *action, const char *from, const char *to,
              const char *reason);
/* Moves campaign from state `from` to `to` (only if it still is in
 * `from`), with an audit line; in the caller's transaction.  1 if it
 * moved, 0 if it was no longer in `from`, -1 on a database error. */
int ops_move(Db *db, const char *campaign, CampState from, CampState to, const char *now,
             const char *who, const char *action, const char *reason);
/* camp start|pause|stop|close|archive: checks the transition is allowed,
 * makes it (one transaction) and prints what happened to out.  Returns 0,
 * 1 when refused (the message says why), -1 on a database error. */
int ops_lifecycle(Db *db, const char *campaign, LifeOp op, const char *now, const char *who,
                  const char *reason, FILE *out);
/* Records a test run of campaign (camp run --test): a deployed draft moves
 * to `test`; any deployed campaign gets an audit line.  Own transaction;
 * nothing happens for a campaign that is not deployed.  0 or -1. */
int ops_test_run(Db *db, const char *campaign, const char *now, const char *who, const char *reason);
/* Is a launch of campaign still in progress (a run running, waiting or
 * failed, or messages waiting for approval)?  Writes which into why. */
int ops_in_progress(Db *db, const char *campaign, char *why, size_t whylen);

/* ----------------------------------------------------------- deploy.c */

typedef struct DeployOptions {
  const char *file;        /* the campaign's source file */
  const char *now;         /* the plan's clock (NULL = now) */
  const char *who, *reason;
  const char *engine;      /* the plan's engine */
  const char *db_path;
  FILE *out;
} DeployOptions;

/* camp deploy: records the checked campaign (sources and hash) as a new
 * version unless it is unchanged, plans it, stores the plan's counts and
 * prints them against the previous version's (like `terraform plan`).
 * Returns 0, or 1 after printing an error. */
int ops_deploy(Db *db, Program *p, Decl *campaign, const DeployOptions *o);

/* Compiles a campaign file (and its imports): 0 with *p and *camp, or -1
 * with the diagnostics' first error in err (*p is freed then). */
int ops_compile(const char *file, const char *campaign, Program **p, Decl **camp, char *err, size_t errlen);

/* ------------------------------------------------------------- tick.c */

typedef struct TickOptions {
  const char *now;         /* the clock (NULL = now) */
  const char *who;
  const char *engine;
  const char *db_path;
  FILE *out;
} TickOptions;

/* camp tick: resumes due runs, starts due launches (each at most once,
 * also with ticks running in parallel; skipped while the previous launch
 * of the campaign is in progress), completes finished campaigns, fires
 * approval reminders and deadlines, then calls the send hook.  Returns 0,
 * or 1 when something failed (reported on stderr; the rest still ran). */
int ops_tick(Db *db, const TickOptions *o);

/* The next launch of a deployed campaign after `now`, or why there is
 * none, into out ("2026-03-02 07:00:00", "paused", "before its start date
 * ...").  Returns 1 when there is a next launch, 0 when not, -1 on error. */
int ops_next_launch(Db *db, const char *campaign, const char *now, char *out, size_t outlen);

/* Sends the pending approval notifications that have an address and a
 * provider (the approval's `notify`) through that provider's sender
 * (runtime/ops/notify.c): sent, failed (the answer in detail) or pending
 * again after a temporary failure.  0, or 1 after printing why (a
 * database error, a provider's missing environment variable). */
int ops_send_notifications(Db *db, const char *now, FILE *out);

/* Runs camp send's worker (runtime/delivery/send.c) over every due message
 * with the tick's clock: called by every tick after approvals were decided,
 * so approved messages go out in the same tick; held, cancelled and
 * suppressed messages are never sent.  0, or 1 when sending failed (the
 * worker printed why). */
int ops_send_due(Db *db, const char *now, FILE *out);

/* ---------------------------------------------------------- approve.c */

/* camp approve / camp reject: decides the pending approvals of run (one
 * step, or all when step is NULL) as `who`.  Approving releases the held
 * messages to the sender (held -> queued); rejecting cancels them.  An
 * approval that names approvers only accepts them.  0, 1 refused, -1
 * error; prints to out. */
int ops_decide(Db *db, int64_t run, const char *step, int approve, const char *who,
               const char *reason, const char *now, FILE *out);
/* Reminders due by now and deadlines passed (send or cancel as declared),
 * for approvals of campaigns that are not paused.  Counts what it did. */
int ops_approvals_due(Db *db, const char *now, FILE *out, int *reminders, int *deadlines);
/* For `camp status`: the approvals and audit lines of a run (run > 0), or
 * the audit lines of a campaign (or of all when campaign is NULL); at most
 * the latest `limit` lines when limit > 0.  Prints nothing without them. */
void ops_print_audit(Db *db, const char *campaign, int64_t run, int limit, FILE *out);

#endif
