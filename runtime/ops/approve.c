/* approve.c — review and send.  A run of a campaign with `approval` parks
 * each channel step's messages as `held` (runtime/exec/exec_hold.c); here
 * people decide (camp approve / camp reject, by name, audited) and time
 * decides for them (camp tick: reminders as pending notifications, and at
 * the deadline the declared action, send or cancel).  Approving moves the
 * messages to `queued`, where the sender picks them up; rejecting or an
 * expired deadline with `cancel` makes them `cancelled`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops/ops.h"

/* Moves the held messages of (run, step) to status `to`. */
static int release(Db *db, int64_t run, const char *step, const char *to) {
  DbStmt *st = db_prepare(db, "UPDATE camp_outbox SET status = ? WHERE run_id = ? AND step = ? AND status = 'held'");
  if (!st) return -1;
  db_bind_text(st, 1, to);
  db_bind_int(st, 2, run);
  db_bind_text(st, 3, step);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* Closes a pending approval; 1 if it was still pending, 0 if not. */
static int close_approval(Db *db, int64_t run, const char *step, const char *state, const char *now,
                          const char *who, const char *reason) {
  DbStmt *st = db_prepare(db, "UPDATE camp_approvals SET state = ?, decided_at = ?, decided_by = ?, reason = ?"
                              " WHERE run_id = ? AND step = ? AND state = 'pending'");
  if (!st) return -1;
  db_bind_text(st, 1, state);
  db_bind_text(st, 2, now);
  db_bind_text(st, 3, who);
  if (reason && *reason) db_bind_text(st, 4, reason); else db_bind_null(st, 4);
  db_bind_int(st, 5, run);
  db_bind_text(st, 6, step);
  int rc = db_step(st);
  int64_t changed = db_changes(db);
  db_finalize(st);
  if (rc < 0) return -1;
  return changed == 1;
}

/* The e-mail address of approver `to` of (run, step), from the contacts
 * the run recorded (exec_hold.c), into out; "" when it has none. */
static void contact_address(Db *db, int64_t run, const char *step, const char *to, char *out, size_t outlen) {
  out[0] = 0;
  DbStmt *st = db_prepare(db, "SELECT contacts FROM camp_approvals WHERE run_id = ? AND step = ?");
  if (!st) return;
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, step);
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    json_t *c = v.kind == DBV_TEXT ? json_loads(v.s, 0, NULL) : NULL;
    const char *a = json_string_value(json_object_get(c, to));
    if (a) snprintf(out, outlen, "%s", a);
    json_decref(c);
  }
  db_finalize(st);
}

static int notify(Db *db, int64_t run, const char *step, const char *kind, const char *to, const char *subject,
                  const char *body, const char *now) {
  char address[320];
  contact_address(db, run, step, to, address, sizeof address);
  DbStmt *st = db_prepare(db, "INSERT INTO camp_notifications(run_id, step, kind, recipient, subject, body,"
                              " created_at, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, step);
  db_bind_text(st, 3, kind);
  db_bind_text(st, 4, to);
  db_bind_text(st, 5, subject);
  db_bind_text(st, 6, body);
  db_bind_text(st, 7, now);
  if (address[0]) db_bind_text(st, 8, address); else db_bind_null(st, 8);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* One notification per approver named in `approvers` ("a, b, group g"). */
static int notify_all(Db *db, int64_t run, const char *step, const char *kind, const char *approvers,
                      const char *subject, const char *body, const char *now) {
  char *list = strdup(approvers ? approvers : ""), *save = NULL;
  if (!list) abort();
  int rc = 0;
  for (char *tok = strtok_r(list, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    char to[300];
    if (!strncmp(tok, "group ", 6)) snprintf(to, sizeof to, "group:%s", tok + 6);
    else snprintf(to, sizeof to, "%s", tok);
    if (*to) rc = notify(db, run, step, kind, to, subject, body, now);
  }
  free(list);
  return rc;
}

/* May `who` decide on an approval listing `approvers`?  Named approvers
 * only accept themselves; a group (whose members camp cannot know) accepts
 * any name, which is recorded. */
static int may_decide(const char *approvers, const char *who) {
  if (!approvers || strstr(approvers, "group ")) return 1;
  char *list = strdup(approvers), *save = NULL;
  if (!list) abort();
  int ok = 0;
  for (char *tok = strtok_r(list, ",", &save); tok && !ok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    ok = !strcmp(tok, who);
  }
  free(list);
  return ok;
}

static const char *run_campaign(Db *db, int64_t run, char *out, size_t outlen) {
  out[0] = 0;
  DbStmt *st = db_prepare(db, "SELECT campaign FROM camp_runs WHERE id = ?");
  if (!st) return NULL;
  db_bind_int(st, 1, run);
  if (db_step(st) == 1) snprintf(out, outlen, "%s", db_column(st, 0).s);
  db_finalize(st);
  return out[0] ? out : NULL;
}

int ops_decide(Db *db, int64_t run, const char *step, int approve, const char *who, const char *reason,
               const char *now, FILE *out) {
  const char *verb = approve ? "approve" : "reject";
  char campaign[256];
  if (!run_campaign(db, run, campaign, sizeof campaign)) {
    fprintf(out, "camp %s: there is no run %lld\n", verb, (long long)run);
    return 1;
  }
  if (db_begin(db)) return -1;
  DbStmt *st = db_prepare(db, "SELECT step, approvers, messages FROM camp_approvals WHERE run_id = ?"
                              " AND state = 'pending' AND (CAST(?2 AS TEXT) IS NULL OR step = ?2) ORDER BY step");
  if (!st) goto dberr;
  db_bind_int(st, 1, run);
  if (step) db_bind_text(st, 2, step); else db_bind_null(st, 2);
  char steps[64][256];
  int64_t msgs[64];
  int n = 0, refused = 0;
  while (db_step(st) == 1 && n < 64) {
    const char *apps = db_column(st, 1).s;
    if (!may_decide(apps, who)) {
      fprintf(out, "camp %s: %s is not an approver of run %lld step %s (approvers: %s)\n", verb, who,
              (long long)run, db_column(st, 0).s, apps ? apps : "");
      refused = 1;
      continue;
    }
    snprintf(steps[n], sizeof steps[n], "%s", db_column(st, 0).s);
    msgs[n++] = db_column(st, 2).i;
  }
  db_finalize(st);
  if (refused || n == 0) {
    db_rollback(db);
    if (!refused)
      fprintf(out, "camp %s: run %lld has no %sapproval pending%s%s\n", verb, (long long)run, step ? "such " : "",
              step ? " for step " : "", step ? step : "");
    return 1;
  }
  for (int i = 0; i < n; i++) {
    if (close_approval(db, run, steps[i], approve ? "approved" : "rejected", now, who, reason) != 1) goto dberr;
    if (release(db, run, steps[i], approve ? "queued" : "cancelled")) goto dberr;
    if (ops_audit(db, now, who, campaign, run, steps[i], approve ? "approved" : "rejected", "held",
                  approve ? "queued" : "cancelled", reason))
      goto dberr;
  }
  if (db_commit(db)) goto dberr;
  for (int i = 0; i < n; i++)
    fprintf(out, "run %lld step %s: %lld messages %s by %s%s%s\n", (long long)run, steps[i], (long long)msgs[i],
            approve ? "released to the sender" : "cancelled", who, reason && *reason ? ": " : "",
            reason && *reason ? reason : "");
  return 0;
dberr:
  fprintf(stderr, "camp %s: %s\n", verb, db_error(db));
  db_rollback(db);
  return -1;
}

/* One due approval: its deadline passed (act) or a reminder is due. */
typedef struct Due {
  int64_t run, messages, every, reminders;
  char step[256], approvers[1024], action[16], deadline[20], next[20], campaign[256];
  int expired;
} Due;

static int handle(Db *db, Due *d, const char *now, FILE *out) {
  if (db_begin(db)) return -1;
  char subject[600], body[1200];
  int rc = 0;
  if (d->expired) {
    int send = !strcmp(d->action, "send");
    int c = close_approval(db, d->run, d->step, send ? "deadline-sent" : "deadline-cancelled", now, "deadline",
                           send ? "no decision by the deadline: sent as declared" : "no decision by the deadline: cancelled as declared");
    if (c != 1) {
      db_rollback(db);
      return c < 0 ? -1 : 0; /* decided meanwhile */
    }
    snprintf(subject, sizeof subject, "Deadline passed: %s, run %lld, step %s: %s", d->campaign, (long long)d->run,
             d->step, send ? "sent without approval" : "cancelled");
    snprintf(body, sizeof body, "Nobody decided on the %lld messages of run %lld step %s by %s; as the campaign declares, they were %s.\n",
             (long long)d->messages, (long long)d->run, d->step, d->deadline, send ? "released to the sender" : "cancelled");
    rc = release(db, d->run, d->step, send ? "queued" : "cancelled");
    if (rc == 0)
      rc = ops_audit(db, now, "camp tick", d->campaign, d->run, d->step, send ? "deadline: sent" : "deadline: cancelled",
                     "held", send ? "queued" : "cancelled", "no decision by the deadline");
    if (rc == 0) rc = notify_all(db, d->run, d->step, "deadline", d->approvers, subject, body, now);
    if (rc == 0 && db_commit(db) == 0) {
      fprintf(out, "approval of run %lld step %s: deadline %s passed, %lld messages %s\n", (long long)d->run, d->step,
              d->deadline, (long long)d->messages, send ? "released to the sender" : "cancelled");
      return 1;
    }
  } else {
    /* the next reminder after now, on the reminder grid */
    time_t next, t;
    ops_time_parse(d->next, &next);
    ops_time_parse(now, &t);
    while (next <= t) next += d->every;
    char nexts[20];
    ops_time_format(next, nexts);
    int64_t changed = 0;
    DbStmt *st = db_prepare(db, "UPDATE camp_approvals SET next_reminder_at = ?, reminders = reminders + 1"
                                " WHERE run_id = ? AND step = ? AND state = 'pending' AND next_reminder_at = ?");
    rc = st ? 0 : -1;
    if (st) {
      db_bind_text(st, 1, nexts);
      db_bind_int(st, 2, d->run);
      db_bind_text(st, 3, d->step);
      db_bind_text(st, 4, d->next);
      rc = db_step(st) < 0 ? -1 : 0;
      changed = db_changes(db);
      db_finalize(st);
    }
    if (rc == 0 && changed != 1) {
      db_rollback(db); /* another tick sent this reminder */
      return 0;
    }
    snprintf(subject, sizeof subject, "Reminder %lld: approve %s, run %lld, step %s (%lld messages)",
             (long long)d->reminders + 1, d->campaign, (long long)d->run, d->step, (long long)d->messages);
    snprintf(body, sizeof body, "The %lld messages of run %lld step %s still wait for approval%s%s.\n"
             "Approve: camp approve %lld --step %s --as NAME\nReject:  camp reject %lld --step %s --as NAME --reason TEXT\n",
             (long long)d->messages, (long long)d->run, d->step, d->deadline[0] ? "; deadline " : "", d->deadline,
             (long long)d->run, d->step, (long long)d->run, d->step);
    if (rc == 0) rc = notify_all(db, d->run, d->step, "reminder", d->approvers, subject, body, now);
    if (rc == 0 && db_commit(db) == 0) {
      fprintf(out, "approval of run %lld step %s: reminder %lld queued as a notification\n", (long long)d->run,
              d->step, (long long)d->reminders + 1);
      return 2;
    }
  }
  db_rollback(db);
  return -1;
}

int ops_approvals_due(Db *db, const char *now, FILE *out, int *reminders, int *deadlines) {
  *reminders = *deadlines = 0;
  DbStmt *st = db_prepare(db,
      "SELECT a.run_id, a.step, a.messages, coalesce(a.remind_every, 0), a.reminders, coalesce(a.approvers, ''),"
      " coalesce(a.deadline_action, 'cancel'), coalesce(a.deadline_at, ''), coalesce(a.next_reminder_at, ''),"
      " r.campaign, a.deadline_at IS NOT NULL AND a.deadline_at <= ?1"
      " FROM camp_approvals a JOIN camp_runs r ON r.id = a.run_id LEFT JOIN camp_campaigns c ON c.name = r.campaign"
      " WHERE a.state = 'pending' AND coalesce(c.state, '') <> 'paused'"
      " AND ((a.deadline_at IS NOT NULL AND a.deadline_at <= ?1) OR a.next_reminder_at <= ?1)"
      " ORDER BY a.run_id, a.step");
  if (!st) return db_error(db)[0] ? -1 : 0;
  db_bind_text(st, 1, now);
  Due *due = NULL;
  int n = 0;
  while (db_step(st) == 1) {
    Due *nd = realloc(due, sizeof *due * (size_t)(n + 1));
    if (!nd) break;
    due = nd;
    Due *d = &due[n++];
    memset(d, 0, sizeof *d);
    d->run = db_column(st, 0).i;
    snprintf(d->step, sizeof d->step, "%s", db_column(st, 1).s);
    d->messages = db_column(st, 2).i;
    d->every = db_column(st, 3).i;
    d->reminders = db_column(st, 4).i;
    snprintf(d->approvers, sizeof d->approvers, "%s", db_column(st, 5).s);
    snprintf(d->action, sizeof d->action, "%s", db_column(st, 6).s);
    snprintf(d->deadline, sizeof d->deadline, "%s", db_column(st, 7).s);
    snprintf(d->next, sizeof d->next, "%s", db_column(st, 8).s);
    snprintf(d->campaign, sizeof d->campaign, "%s", db_column(st, 9).s);
    d->expired = (int)db_column(st, 10).i;
    if (!d->expired && d->every <= 0) n--; /* no reminders declared */
  }
  db_finalize(st);
  int rc = 0;
  for (int i = 0; i < n; i++) {
    int r = handle(db, &due[i], now, out);
    if (r < 0) {
      fprintf(stderr, "camp tick: approval of run %lld step %s: %s\n", (long long)due[i].run, due[i].step, db_error(db));
      rc = -1;
    }
    if (r == 1) (*deadlines)++;
    if (r == 2) (*reminders)++;
  }
  free(due);
  return rc;
}

void ops_print_audit(Db *db, const char *campaign, int64_t run, int limit, FILE *out) {
  DbStmt *st = db_prepare(db, "SELECT step, state, messages, requested_at, coalesce(deadline_at, '-'),"
                              " coalesce(deadline_action, '-'), coalesce(decided_by, ''), coalesce(decided_at, ''),"
                              " coalesce(reason, ''), coalesce(approvers, ''), reminders FROM camp_approvals"
                              " WHERE run_id = ? ORDER BY step");
  if (st && run > 0) {
    db_bind_int(st, 1, run);
    int first = 1;
    while (db_step(st) == 1) {
      if (first) fprintf(out, "\napprovals:\n");
      first = 0;
      fprintf(out, "  %s: %s, %lld messages, requested %s, approvers %s, deadline %s (then %s), %lld reminders",
              db_column(st, 0).s, db_column(st, 1).s, (long long)db_column(st, 2).i, db_column(st, 3).s,
              db_column(st, 9).s, db_column(st, 4).s, db_column(st, 5).s, (long long)db_column(st, 10).i);
      if (db_column(st, 6).s[0])
        fprintf(out, "; decided by %s at %s%s%s", db_column(st, 6).s, db_column(st, 7).s,
                db_column(st, 8).s[0] ? ": " : "", db_column(st, 8).s);
      fputc('\n', out);
    }
  }
  db_finalize(st);
  st = db_prepare(db, "SELECT * FROM (SELECT at, who, coalesce(campaign, ''), coalesce(run_id, 0), coalesce(step, ''),"
                      " action, coalesce(from_state, ''), coalesce(to_state, ''), coalesce(reason, ''), id FROM camp_audit"
                      " WHERE (?1 > 0 AND run_id = ?1) OR (?1 <= 0 AND (CAST(?2 AS TEXT) IS NULL OR campaign = ?2))"
                      " ORDER BY id DESC LIMIT ?3) AS a ORDER BY id");
  if (!st) return;
  db_bind_int(st, 1, run);
  if (campaign) db_bind_text(st, 2, campaign); else db_bind_null(st, 2);
  db_bind_int(st, 3, limit > 0 ? limit : INT64_MAX); /* PostgreSQL refuses LIMIT -1 */
  int first = 1;
  while (db_step(st) == 1) {
    if (first) fprintf(out, "\naudit%s:\n", limit > 0 ? " (latest)" : "");
    first = 0;
    fprintf(out, "  %s  %-10s %s", db_column(st, 0).s, db_column(st, 1).s, db_column(st, 2).s);
    if (db_column(st, 3).i) fprintf(out, " run %lld", (long long)db_column(st, 3).i);
    if (db_column(st, 4).s[0]) fprintf(out, " step %s", db_column(st, 4).s);
    fprintf(out, ": %s", db_column(st, 5).s);
    if (db_column(st, 6).s[0] || db_column(st, 7).s[0])
      fprintf(out, " (%s -> %s)", db_column(st, 6).s[0] ? db_column(st, 6).s : "-", db_column(st, 7).s);
    if (db_column(st, 8).s[0]) fprintf(out, ": %s", db_column(st, 8).s);
    fputc('\n', out);
  }
  db_finalize(st);
}
