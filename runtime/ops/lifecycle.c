/* lifecycle.c — the states of a deployed campaign and the transitions
 * between them, each recorded in camp_audit (when, who, why):
 *
 *   draft --start--> scheduled --(first launch, tick)--> live
 *   draft --run --test--> test --start--> scheduled
 *   scheduled|live --pause--> paused --start--> scheduled|live
 *   scheduled|live|paused --close--> closed --(runs finished, tick)--> completed
 *   scheduled|live --(no launch left, runs finished, tick)--> completed
 *   any but completed|archived --stop--> stopped   (runs stopped, unsent
 *                                                   messages cancelled)
 *   draft|test|completed|stopped --archive--> archived
 *   deploy of a new version: test|completed|stopped --> draft */
#include <stdio.h>
#include <string.h>

#include "runtime/exec/exec.h"
#include "runtime/ops/ops.h"

static const char *const state_names[] = {"draft", "test", "scheduled", "live", "paused", "closed",
                                          "completed", "stopped", "archived"};

const char *camp_state_name(CampState s) { return s < CS_NONE ? state_names[s] : "not deployed"; }

CampState camp_state_parse(const char *text) {
  for (int i = 0; text && i < CS_NONE; i++)
    if (!strcmp(text, state_names[i])) return (CampState)i;
  return CS_NONE;
}

CampState ops_state(Db *db, const char *campaign) {
  DbStmt *st = db_prepare(db, "SELECT state FROM camp_campaigns WHERE name = ?");
  if (!st) return CS_NONE; /* no operations tables yet: nothing is deployed */
  db_bind_text(st, 1, campaign);
  CampState s = CS_NONE;
  if (db_step(st) == 1) s = camp_state_parse(db_column(st, 0).s);
  db_finalize(st);
  return s;
}

int ops_audit(Db *db, const char *now, const char *who, const char *campaign, int64_t run, const char *step,
              const char *action, const char *from, const char *to, const char *reason) {
  DbStmt *st = db_prepare(db, "INSERT INTO camp_audit(at, who, campaign, run_id, step, action, from_state,"
                              " to_state, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_text(st, 1, now);
  db_bind_text(st, 2, who);
  if (campaign) db_bind_text(st, 3, campaign); else db_bind_null(st, 3);
  if (run > 0) db_bind_int(st, 4, run); else db_bind_null(st, 4);
  if (step) db_bind_text(st, 5, step); else db_bind_null(st, 5);
  db_bind_text(st, 6, action);
  if (from) db_bind_text(st, 7, from); else db_bind_null(st, 7);
  if (to) db_bind_text(st, 8, to); else db_bind_null(st, 8);
  if (reason && *reason) db_bind_text(st, 9, reason); else db_bind_null(st, 9);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

int ops_move(Db *db, const char *campaign, CampState from, CampState to, const char *now, const char *who,
             const char *action, const char *reason) {
  int active = to == CS_SCHEDULED || to == CS_LIVE;
  int was_active = from == CS_SCHEDULED || from == CS_LIVE;
  DbStmt *st = db_prepare(db, "UPDATE camp_campaigns SET state = ?, updated_at = ?,"
                              " started_at = CASE WHEN ? <> 0 THEN coalesce(started_at, ?) ELSE started_at END,"
                              " active_since = CASE WHEN ? <> 0 THEN ? ELSE active_since END"
                              " WHERE name = ? AND state = ?");
  if (!st) return -1;
  db_bind_text(st, 1, camp_state_name(to));
  db_bind_text(st, 2, now);
  db_bind_int(st, 3, active);
  db_bind_text(st, 4, now);
  db_bind_int(st, 5, active && !was_active);
  db_bind_text(st, 6, now);
  db_bind_text(st, 7, campaign);
  db_bind_text(st, 8, camp_state_name(from));
  int rc = db_step(st);
  int64_t changed = db_changes(db);
  db_finalize(st);
  if (rc < 0) return -1;
  if (changed != 1) return 0;
  return ops_audit(db, now, who, campaign, 0, NULL, action, camp_state_name(from), camp_state_name(to), reason)
             ? -1 : 1;
}

int ops_in_progress(Db *db, const char *campaign, char *why, size_t whylen) {
  DbStmt *st = db_prepare(db, "SELECT id, state FROM camp_runs WHERE campaign = ?"
                              " AND state IN ('running', 'waiting', 'failed') ORDER BY id LIMIT 1");
  if (!st) return 0;
  db_bind_text(st, 1, campaign);
  int busy = 0;
  if (db_step(st) == 1) {
    snprintf(why, whylen, "run %lld is %s", (long long)db_column(st, 0).i, db_column(st, 1).s);
    busy = 1;
  }
  db_finalize(st);
  if (busy) return 1;
  st = db_prepare(db, "SELECT a.run_id, a.step FROM camp_approvals a JOIN camp_runs r ON r.id = a.run_id"
                      " WHERE r.campaign = ? AND a.state = 'pending' ORDER BY a.run_id LIMIT 1");
  if (!st) return 0;
  db_bind_text(st, 1, campaign);
  if (db_step(st) == 1) {
    snprintf(why, whylen, "run %lld awaits approval of step %s", (long long)db_column(st, 0).i,
             db_column(st, 1).s);
    busy = 1;
  }
  db_finalize(st);
  return busy;
}

/* camp stop: the campaign's runs end where they are; messages not yet
 * handed to a sender (queued or held) are cancelled, approvals closed. */
static int stop_runs(Db *db, const char *campaign, const char *now, const char *who) {
  DbStmt *st = db_prepare(db, "UPDATE camp_outbox SET status = 'cancelled' WHERE status IN ('queued', 'held')"
                              " AND run_id IN (SELECT id FROM camp_runs WHERE campaign = ?)");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  st = db_prepare(db, "UPDATE camp_approvals SET state = 'stopped', decided_at = ?, decided_by = ?,"
                      " reason = 'campaign stopped' WHERE state = 'pending'"
                      " AND run_id IN (SELECT id FROM camp_runs WHERE campaign = ?)");
  if (!st) return -1;
  db_bind_text(st, 1, now);
  db_bind_text(st, 2, who);
  db_bind_text(st, 3, campaign);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  st = db_prepare(db, "UPDATE camp_runs SET state = 'stopped', updated_at = ?, finished_at = ?"
                      " WHERE campaign = ? AND state IN ('running', 'waiting', 'failed')");
  if (!st) return -1;
  db_bind_text(st, 1, now);
  db_bind_text(st, 2, now);
  db_bind_text(st, 3, campaign);
  rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* Before start: the deployed file must still be the deployed version. */
static int source_unchanged(Db *db, const char *campaign, char *msg, size_t msglen) {
  DbStmt *st = db_prepare(db, "SELECT c.source_file, v.source_hash, c.version FROM camp_campaigns c JOIN"
                              " camp_versions v ON v.campaign = c.name AND v.version = c.version WHERE c.name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  char file[4096] = "", hash[64] = "";
  int64_t version = 0;
  if (db_step(st) == 1) {
    snprintf(file, sizeof file, "%s", db_column(st, 0).s);
    snprintf(hash, sizeof hash, "%s", db_column(st, 1).s);
    version = db_column(st, 2).i;
  }
  db_finalize(st);
  Program *p;
  Decl *camp;
  char err[1024], now_hash[17];
  if (ops_compile(file, campaign, &p, &camp, err, sizeof err)) {
    snprintf(msg, msglen, "%.2000s does not compile any more: %.1000s", file, err);
    return 0;
  }
  exec_source_hash(p, now_hash);
  program_free(p);
  if (strcmp(now_hash, hash)) {
    snprintf(msg, msglen, "%.2000s changed since version %lld was deployed: deploy it again first", file,
             (long long)version);
    return 0;
  }
  return 1;
}

static int launched_before(Db *db, const char *campaign) {
  DbStmt *st = db_prepare(db, "SELECT count(*) FROM camp_launches WHERE campaign = ? AND state = 'started'");
  if (!st) return 0;
  db_bind_text(st, 1, campaign);
  int n = db_step(st) == 1 ? (int)db_column(st, 0).i : 0;
  db_finalize(st);
  return n > 0;
}

int ops_lifecycle(Db *db, const char *campaign, LifeOp op, const char *now, const char *who, const char *reason,
                  FILE *out) {
  static const char *const verbs[] = {"start", "pause", "stop", "close", "archive"};
  static const char *const allowed[] = {"draft, test or paused", "scheduled or live",
                                        "draft, test, scheduled, live, paused or closed",
                                        "scheduled, live or paused", "draft, test, completed or stopped"};
  CampState s = ops_state(db, campaign);
  if (s == CS_NONE) {
    fprintf(out, "camp %s: campaign `%s` is not deployed in this database (camp deploy FILE --db DB)\n", verbs[op],
            campaign);
    return 1;
  }
  CampState to = CS_NONE;
  switch (op) {
    case LO_START:
      if (s == CS_DRAFT || s == CS_TEST || s == CS_PAUSED) to = launched_before(db, campaign) ? CS_LIVE : CS_SCHEDULED;
      break;
    case LO_PAUSE: if (s == CS_SCHEDULED || s == CS_LIVE) to = CS_PAUSED; break;
    case LO_STOP: if (s <= CS_CLOSED) to = CS_STOPPED; break;
    case LO_CLOSE: if (s == CS_SCHEDULED || s == CS_LIVE || s == CS_PAUSED) to = CS_CLOSED; break;
    case LO_ARCHIVE:
      if (s == CS_DRAFT || s == CS_TEST || s == CS_COMPLETED || s == CS_STOPPED) to = CS_ARCHIVED;
      break;
  }
  if (to == CS_NONE) {
    fprintf(out, "camp %s: campaign %s is %s; %s works on %s campaigns\n", verbs[op], campaign,
            camp_state_name(s), verbs[op], allowed[op]);
    return 1;
  }
  if (op == LO_START) {
    char msg[4600];
    int ok = source_unchanged(db, campaign, msg, sizeof msg);
    if (ok <= 0) {
      fprintf(out, "camp start: %s\n", ok < 0 ? db_error(db) : msg);
      return ok < 0 ? -1 : 1;
    }
  }
  if (db_begin(db)) return -1;
  int moved = ops_move(db, campaign, s, to, now, who, verbs[op], reason);
  if (moved == 1 && op == LO_STOP && stop_runs(db, campaign, now, who)) moved = -1;
  if (moved != 1 || db_commit(db)) {
    db_rollback(db);
    if (moved == 0) {
      fprintf(out, "camp %s: campaign %s changed state meanwhile; try again\n", verbs[op], campaign);
      return 1;
    }
    return -1;
  }
  fprintf(out, "%s: %s -> %s (by %s%s%s)\n", campaign, camp_state_name(s), camp_state_name(to), who,
          reason && *reason ? ": " : "", reason && *reason ? reason : "");
  return 0;
}

int ops_test_run(Db *db, const char *campaign, const char *now, const char *who, const char *reason) {
  CampState s = ops_state(db, campaign);
  if (s == CS_NONE) return 0;
  if (db_begin(db)) return -1;
  int rc = s == CS_DRAFT ? ops_move(db, campaign, CS_DRAFT, CS_TEST, now, who, "test run", reason)
                         : ops_audit(db, now, who, campaign, 0, NULL, "test run", NULL, NULL, reason) ? -1 : 1;
  if (rc < 0 || db_commit(db)) {
    db_rollback(db);
    return -1;
  }
  return 0;
}
