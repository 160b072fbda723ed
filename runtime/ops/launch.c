/* launch.c — which launch of a deployed campaign is due.  The schedule
 * (schedule.c) gives the launch times from the campaign's first start (or
 * its `from`); a time is not launched when it is at or before the last one
 * considered (camp_launches), before the last (re)start (launches due
 * while paused or before start are not made up), or outside the campaign's
 * start/end dates; `count` caps the launches that started.  A campaign
 * without a schedule launches once, when started (or at its start date).
 * When several times are due at one tick (tick did not run for a while),
 * the latest is launched and the earlier ones are recorded as missed. */
#include <stdio.h>
#include <string.h>

#include "runtime/ops/ops_int.h"

int ops_load_deployed(Db *db, const char *name, Deployed *d) {
  memset(d, 0, sizeof *d);
  DbStmt *st = db_prepare(db, "SELECT c.name, c.state, c.source_file, v.source_hash, c.version,"
                              " coalesce(c.started_at, ''), coalesce(c.active_since, '') FROM camp_campaigns c"
                              " JOIN camp_versions v ON v.campaign = c.name AND v.version = c.version WHERE c.name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  int rc = -1;
  if (db_step(st) == 1) {
    snprintf(d->name, sizeof d->name, "%s", db_column(st, 0).s);
    d->state = camp_state_parse(db_column(st, 1).s);
    snprintf(d->file, sizeof d->file, "%s", db_column(st, 2).s);
    snprintf(d->hash, sizeof d->hash, "%s", db_column(st, 3).s);
    d->version = db_column(st, 4).i;
    snprintf(d->started_at, sizeof d->started_at, "%s", db_column(st, 5).s);
    snprintf(d->active_since, sizeof d->active_since, "%s", db_column(st, 6).s);
    rc = 0;
  }
  db_finalize(st);
  return rc;
}

/* Last launch time considered and launches started, from camp_launches. */
static void launch_history(Db *db, const char *name, time_t *last, int64_t *started) {
  *last = 0;
  *started = 0;
  DbStmt *st = db_prepare(db, "SELECT max(launch_at), sum(CASE WHEN state = 'started' THEN 1 ELSE 0 END) FROM camp_launches WHERE campaign = ?");
  if (!st) return;
  db_bind_text(st, 1, name);
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT) ops_time_parse(v.s, last);
    *started = db_column(st, 1).i;
  }
  db_finalize(st);
}

static void add_due(LaunchPlan *lp, time_t t) {
  if (lp->has_due) {
    if (lp->nmissed == LAUNCH_MAX_MISSED) memmove(lp->missed, lp->missed + 1, sizeof lp->missed[0] * (LAUNCH_MAX_MISSED - 1)), lp->nmissed--;
    lp->missed[lp->nmissed++] = lp->due;
  }
  lp->has_due = 1;
  lp->due = t;
}

int ops_plan_launch(Db *db, const Deployed *d, const CampOps *ops, time_t now, LaunchPlan *lp) {
  memset(lp, 0, sizeof *lp);
  time_t last, anchor = now, lower = 0, sd = 0, ed = 0;
  int64_t started;
  launch_history(db, d->name, &last, &started);
  if (d->started_at[0]) ops_time_parse(d->started_at, &anchor);
  if (d->active_since[0]) ops_time_parse(d->active_since, &lower);
  if (ops->start_date[0] && zone_local_to_utc(ops->tz, ops->start_date, &sd)) sd = 0;
  if (ops->end_date[0] && zone_local_to_utc(ops->tz, ops->end_date, &ed)) ed = 0;
  char sdt[20] = "", edt[20] = "";
  if (sd) ops_time_format(sd, sdt);
  if (ed) ops_time_format(ed, edt);
  if (ops->count && started >= ops->count) {
    lp->exhausted = 1;
    snprintf(lp->why, sizeof lp->why, "all %lld launches made (count %lld)", (long long)started, (long long)ops->count);
    return 0;
  }
  if (!ops->has_schedule) {
    /* one launch: when started, or at the start date */
    time_t t = lower > sd ? lower : sd;
    if (started > 0 || (last && t <= last)) {
      lp->exhausted = 1;
      snprintf(lp->why, sizeof lp->why, "launched once (no schedule)");
    } else if (ed && t > ed) {
      lp->exhausted = 1;
      snprintf(lp->why, sizeof lp->why, "after its end date %s UTC", edt);
    } else if (t <= now) {
      add_due(lp, t);
      lp->exhausted = 1;
    } else {
      lp->has_next = 1;
      lp->next = t;
      snprintf(lp->why, sizeof lp->why, "waiting for its start date %s UTC", sdt);
    }
    return 0;
  }
  char err[300];
  Sched *s = sched_open(ops, anchor, err, sizeof err);
  if (!s) {
    snprintf(lp->why, sizeof lp->why, "%s", err);
    return -1;
  }
  time_t t;
  int rc;
  while ((rc = sched_next(s, &t)) == 1) {
    if (t <= last || t < lower || (sd && t < sd)) continue;
    if (ed && t > ed) {
      rc = 0;
      snprintf(lp->why, sizeof lp->why, "after its end date %s UTC", edt);
      break;
    }
    if (t <= now) {
      add_due(lp, t);
      continue;
    }
    lp->has_next = 1;
    lp->next = t;
    if (sd && now < sd) snprintf(lp->why, sizeof lp->why, "waiting for its start date %s UTC", sdt);
    break;
  }
  if (rc < 0) snprintf(lp->why, sizeof lp->why, "%s", sched_error(s));
  sched_close(s);
  if (rc < 0) return -1;
  if (!lp->has_next) {
    lp->exhausted = 1;
    if (!lp->why[0]) snprintf(lp->why, sizeof lp->why, "the schedule has no launch left");
  }
  return 0;
}
