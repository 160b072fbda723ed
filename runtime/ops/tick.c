/* tick.c — `camp tick`, the one entry point for a scheduler (cron, a
 * systemd timer).  In order: runs whose waits are due go on; due launches
 * start; campaigns whose runs are over complete; approval reminders and
 * deadlines fire; then the send hook.  Every change is its own IMMEDIATE
 * transaction that first re-reads what it decides on, so ticks may run
 * concurrently: camp_launches is unique per (campaign, launch time) and
 * the launch row, the run and its steps commit together, so two ticks
 * never start the same launch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/send.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/ops/ops_int.h"

typedef struct Tick {
  Db *db;
  const TickOptions *o;
  FILE *out;
  char now[20];
  time_t t;
  int failed;
} Tick;

static void exec_options(Tick *k, ExecOptions *e, const char *now) {
  memset(e, 0, sizeof *e);
  e->now = now;
  e->engine = k->o->engine;
  e->db_path = k->o->db_path;
  e->out = k->out;
}

/* ---------------------------------------------------------------- resume */

/* Runs that can go on now: running, failed (retried), or waiting with a
 * wait due — not those of paused or stopped campaigns. */
static void resume_due(Tick *k) {
  DbStmt *st = db_prepare(k->db,
      "SELECT r.id, r.campaign, r.source_file, r.source_hash FROM camp_runs r"
      " LEFT JOIN camp_campaigns c ON c.name = r.campaign"
      " WHERE (r.state IN ('running', 'failed') OR (r.state = 'waiting' AND"
      " (SELECT min(due_at) FROM camp_steps s WHERE s.run_id = r.id AND s.state = 'waiting') <= ?))"
      " AND coalesce(c.state, '') NOT IN ('paused', 'stopped') ORDER BY r.id");
  if (!st) {
    fprintf(stderr, "camp tick: %s\n", db_error(k->db));
    k->failed = 1;
    return;
  }
  db_bind_text(st, 1, k->now);
  typedef struct { int64_t id; char camp[256], file[4096], hash[64]; } Run;
  Run *runs = NULL;
  int n = 0;
  while (db_step(st) == 1) {
    Run *nr = realloc(runs, sizeof *runs * (size_t)(n + 1));
    if (!nr) break;
    runs = nr;
    runs[n].id = db_column(st, 0).i;
    snprintf(runs[n].camp, sizeof runs[n].camp, "%s", db_column(st, 1).s ? db_column(st, 1).s : "");
    snprintf(runs[n].file, sizeof runs[n].file, "%s", db_column(st, 2).s ? db_column(st, 2).s : "");
    snprintf(runs[n].hash, sizeof runs[n].hash, "%s", db_column(st, 3).s ? db_column(st, 3).s : "");
    n++;
  }
  db_finalize(st);
  for (int i = 0; i < n; i++) {
    Program *p;
    Decl *camp;
    char err[1024], hash[17];
    if (ops_compile(runs[i].file, runs[i].camp, &p, &camp, err, sizeof err)) {
      fprintf(stderr, "camp tick: run %lld: cannot compile %s: %s\n", (long long)runs[i].id, runs[i].file, err);
      k->failed = 1;
      continue;
    }
    exec_source_hash(p, hash);
    if (strcmp(hash, runs[i].hash)) {
      fprintf(stderr, "camp tick: run %lld: %s changed since the run started; finish it with the original source\n",
              (long long)runs[i].id, runs[i].file);
      k->failed = 1;
    } else {
      fprintf(k->out, "resume run %lld of %s\n", (long long)runs[i].id, runs[i].camp);
      ExecOptions e;
      exec_options(k, &e, k->now);
      if (exec_continue(k->db, p, camp, runs[i].id, &e)) k->failed = 1;
    }
    program_free(p);
  }
  free(runs);
}

/* -------------------------------------------------------------- launches */

static int insert_launch(Db *db, const char *campaign, const char *at, const char *state, int64_t run,
                         const char *key, const char *reason, const char *now) {
  DbStmt *st = db_prepare(db, "INSERT INTO camp_launches(campaign, launch_at, state, run_id, launch_key,"
                              " reason, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  db_bind_text(st, 2, at);
  db_bind_text(st, 3, state);
  if (run > 0) db_bind_int(st, 4, run); else db_bind_null(st, 4);
  if (key) db_bind_text(st, 5, key); else db_bind_null(st, 5);
  if (reason) db_bind_text(st, 6, reason); else db_bind_null(st, 6);
  db_bind_text(st, 7, now);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* Starts the due launch of d (compiled into p/camp) unless another tick
 * did, the campaign left scheduled/live, or its previous launch is still
 * in progress (then it is recorded as skipped).  Returns the new run's id,
 * 0 when nothing was started, -1 on error. */
static int64_t start_launch(Tick *k, const Deployed *d, Decl *camp, const CampOps *ops, const LaunchPlan *lp) {
  char at[20], key[160], err[600], why[300];
  ops_time_format(lp->due, at);
  if (sched_launch_key(ops, lp->due, key, sizeof key)) snprintf(key, sizeof key, "launch %s", at);
  if (db_begin(k->db)) {
    fprintf(stderr, "camp tick: %s: %s\n", d->name, db_error(k->db));
    return -1;
  }
  /* re-read inside the write lock: another tick may have been first */
  DbStmt *st = db_prepare(k->db, "SELECT state FROM camp_launches WHERE campaign = ? AND launch_at = ?");
  int taken = 0;
  if (st) {
    db_bind_text(st, 1, d->name);
    db_bind_text(st, 2, at);
    taken = db_step(st) == 1;
    db_finalize(st);
  }
  CampState state = ops_state(k->db, d->name);
  if (taken || (state != CS_SCHEDULED && state != CS_LIVE)) {
    db_rollback(k->db);
    return 0;
  }
  int64_t run = 0;
  int rc = 0;
  char missed_why[100];
  snprintf(missed_why, sizeof missed_why, "missed: a later launch (%s) was due when camp tick ran", at);
  for (int i = 0; i < lp->nmissed && rc == 0; i++) {
    char m[20];
    ops_time_format(lp->missed[i], m);
    rc = insert_launch(k->db, d->name, m, "missed", 0, NULL, missed_why, k->now);
  }
  if (rc == 0 && ops_in_progress(k->db, d->name, why, sizeof why)) {
    /* the current task has priority */
    char reason[400];
    snprintf(reason, sizeof reason, "previous launch still in progress: %s", why);
    rc = insert_launch(k->db, d->name, at, "skipped", 0, key, reason, k->now);
    if (rc == 0 && db_commit(k->db) == 0) {
      fprintf(k->out, "%s: launch %s skipped (%s)\n", d->name, at, reason);
      return 0;
    }
  } else if (rc == 0) {
    rc = exec_insert_run(k->db, camp, d->file, d->hash, at, key, &run, err, sizeof err);
    if (rc == 0) rc = insert_launch(k->db, d->name, at, "started", run, key, NULL, k->now);
    if (rc == 0 && state == CS_SCHEDULED)
      rc = ops_move(k->db, d->name, CS_SCHEDULED, CS_LIVE, k->now, k->o->who, "first launch", NULL) < 0 ? -1 : 0;
    if (rc == 0) {
      char reason[300];
      snprintf(reason, sizeof reason, "launch %s, key %s", at, key);
      rc = ops_audit(k->db, k->now, k->o->who, d->name, run, NULL, "launch", NULL, NULL, reason);
    }
    if (rc == 0 && db_commit(k->db) == 0) {
      fprintf(k->out, "%s: launch %s started run %lld (launch key %s)\n", d->name, at, (long long)run, key);
      return run;
    }
  }
  fprintf(stderr, "camp tick: %s: cannot record launch %s: %s\n", d->name, at, rc ? db_error(k->db) : db_error(k->db));
  db_rollback(k->db);
  return -1;
}

/* Says which steps of a new run wait for approval. */
static void print_held(Tick *k, int64_t run) {
  DbStmt *st = db_prepare(k->db, "SELECT step, messages, coalesce(deadline_at, 'no deadline') FROM camp_approvals"
                                 " WHERE run_id = ? AND state = 'pending' ORDER BY step");
  if (!st) return;
  db_bind_int(st, 1, run);
  while (db_step(st) == 1)
    fprintf(k->out, "run %lld step %s: %lld messages wait for approval (deadline %s)\n", (long long)run,
            db_column(st, 0).s, (long long)db_column(st, 1).i, db_column(st, 2).s);
  db_finalize(st);
}

/* Launches and completion of one deployed campaign. */
static void tick_campaign(Tick *k, const char *name) {
  Deployed d;
  if (ops_load_deployed(k->db, name, &d)) return;
  if (d.state != CS_SCHEDULED && d.state != CS_LIVE && d.state != CS_CLOSED) return;
  char why[300];
  if (d.state == CS_CLOSED) {
    if (ops_in_progress(k->db, name, why, sizeof why)) return;
    if (db_begin(k->db) == 0) {
      int m = ops_move(k->db, name, CS_CLOSED, CS_COMPLETED, k->now, k->o->who, "complete", "closed and its runs finished");
      if (m < 0 || db_commit(k->db)) db_rollback(k->db);
      else if (m == 1) fprintf(k->out, "%s: closed -> completed\n", name);
    }
    return;
  }
  Program *p;
  Decl *camp;
  char err[1024], hash[17];
  if (ops_compile(d.file, name, &p, &camp, err, sizeof err)) {
    fprintf(stderr, "camp tick: %s: not launched: %s\n", name, err);
    k->failed = 1;
    return;
  }
  exec_source_hash(p, hash);
  if (strcmp(hash, d.hash)) {
    fprintf(stderr, "camp tick: %s: not launched: %s changed since version %lld was deployed (camp deploy it)\n",
            name, d.file, (long long)d.version);
    k->failed = 1;
    program_free(p);
    return;
  }
  const CampOps *ops = program_ops(camp);
  LaunchPlan lp;
  if (ops_plan_launch(k->db, &d, ops, k->t, &lp)) {
    fprintf(stderr, "camp tick: %s: %s\n", name, lp.why);
    k->failed = 1;
    program_free(p);
    return;
  }
  if (lp.has_due) {
    int64_t run = start_launch(k, &d, camp, ops, &lp);
    if (run < 0) k->failed = 1;
    if (run > 0) {
      /* the launch runs with its scheduled time as clock: a late tick
       * selects the same audience */
      ExecOptions e;
      char at[20];
      ops_time_format(lp.due, at);
      exec_options(k, &e, at);
      if (exec_continue(k->db, p, camp, run, &e)) k->failed = 1;
      print_held(k, run);
    }
  }
  if (lp.exhausted && !ops_in_progress(k->db, name, why, sizeof why) && db_begin(k->db) == 0) {
    CampState s = ops_state(k->db, name);
    int m = s == CS_SCHEDULED || s == CS_LIVE ? ops_move(k->db, name, s, CS_COMPLETED, k->now, k->o->who, "complete", lp.why) : 0;
    if (m < 0 || db_commit(k->db)) db_rollback(k->db);
    else if (m == 1) fprintf(k->out, "%s: %s -> completed (%s)\n", name, camp_state_name(s), lp.why);
  }
  program_free(p);
}

static void launch_due(Tick *k) {
  DbStmt *st = db_prepare(k->db, "SELECT name FROM camp_campaigns WHERE state IN ('scheduled', 'live', 'closed')"
                                 " ORDER BY name");
  if (!st) return;
  char **names = NULL;
  int n = 0;
  while (db_step(st) == 1) {
    char **nn = realloc(names, sizeof *names * (size_t)(n + 1));
    if (!nn) break;
    names = nn;
    names[n++] = strdup(db_column(st, 0).s);
  }
  db_finalize(st);
  for (int i = 0; i < n; i++) {
    tick_campaign(k, names[i]);
    free(names[i]);
  }
  free(names);
}

/* ------------------------------------------------------------------ tick */

int ops_send_due(Db *db, const char *now, FILE *out) {
  /* camp send's worker over every due message; `held`, `cancelled` and
   * `suppressed` messages are never claimed (it claims queued and
   * deferred ones).  Steps whose channel has no provider stay queued. */
  int64_t due = db_query_int(db, "SELECT count(*) FROM camp_outbox WHERE status IN ('queued', 'deferred')", 0);
  if (due <= 0) return 0;
  SendOptions so;
  send_options_init(&so);
  so.now = now;
  so.out = out;
  SendStats st;
  return send_outbox(db, &so, &st);
}

int ops_tick(Db *db, const TickOptions *o) {
  Tick k;
  memset(&k, 0, sizeof k);
  k.db = db;
  k.o = o;
  k.out = o->out ? o->out : stdout;
  if (o->now) {
    if (exec_parse_now(o->now, k.now)) {
      fprintf(stderr, "camp tick: --now `%s` is not a date or time\n", o->now);
      return 1;
    }
  } else {
    store_now(k.now);
  }
  ops_time_parse(k.now, &k.t);
  char err[512];
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp tick: %s\n", err);
    return 1;
  }
  fprintf(k.out, "tick at %s\n", k.now);
  resume_due(&k);
  /* deadlines before launches: a decision at the deadline frees the way */
  int reminders = 0, deadlines = 0;
  if (ops_approvals_due(db, k.now, k.out, &reminders, &deadlines)) k.failed = 1;
  launch_due(&k);
  if (ops_send_notifications(db, k.now, k.out)) k.failed = 1;
  if (ops_send_due(db, k.now, k.out)) k.failed = 1;
  return k.failed;
}

int ops_next_launch(Db *db, const char *campaign, const char *now, char *out, size_t outlen) {
  Deployed d;
  if (ops_load_deployed(db, campaign, &d)) {
    snprintf(out, outlen, "not deployed");
    return 0;
  }
  if (d.state != CS_SCHEDULED && d.state != CS_LIVE) {
    snprintf(out, outlen, "none: %s", camp_state_name(d.state));
    return 0;
  }
  Program *p;
  Decl *camp;
  char err[1024], hash[17];
  if (ops_compile(d.file, campaign, &p, &camp, err, sizeof err)) {
    snprintf(out, outlen, "none: the source does not compile (%s)", err);
    return 0;
  }
  exec_source_hash(p, hash);
  if (strcmp(hash, d.hash)) {
    snprintf(out, outlen, "none: %s changed since it was deployed", d.file);
    program_free(p);
    return 0;
  }
  time_t t;
  ops_time_parse(now, &t);
  LaunchPlan lp;
  int rc = ops_plan_launch(db, &d, program_ops(camp), t, &lp);
  program_free(p);
  if (rc) {
    snprintf(out, outlen, "none: %s", lp.why);
    return -1;
  }
  char when[20];
  if (lp.has_due) {
    ops_time_format(lp.due, when);
    snprintf(out, outlen, "%s (due now)", when);
    return 1;
  }
  if (!lp.has_next) {
    snprintf(out, outlen, "none: %s", lp.why);
    return 0;
  }
  ops_time_format(lp.next, when);
  snprintf(out, outlen, "%s%s%s%s", when, lp.why[0] ? " (" : "", lp.why, lp.why[0] ? ")" : "");
  return 1;
}
