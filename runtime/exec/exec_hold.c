/* exec_hold.c — review and send: when a campaign declares `approval`, a
 * channel step still computes and renders every message, but parks them in
 * the outbox as `held` (a sender only claims `queued` rows) and records an
 * approval request with its deadline and reminder times, one pending
 * notification per approver and an audit line — all in the step's own
 * transaction, so no sender can see the messages before they are held.
 * `camp approve` / `camp reject` and `camp tick` (runtime/ops) decide. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/ops.h"
#include "runtime/delivery/provider.h"
#include "lang/clock.h"
#include "runtime/exec/exec_int.h"

static int64_t held_count(Exec *x, Step *s) {
  DbStmt *st = db_prepare(x->db, "SELECT count(*) FROM camp_outbox WHERE run_id = ? AND step = ? AND status = 'held'");
  if (!st) return -1;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  int64_t n = db_step(st) == 1 ? db_column(st, 0).i : -1;
  db_finalize(st);
  return n;
}

/* "to ADDRESS: SUBJECT" for the first few held messages. */
static void sample(Exec *x, Step *s, char *out, size_t outlen) {
  size_t len = 0;
  out[0] = 0;
  DbStmt *st = db_prepare(x->db, "SELECT coalesce(address, ''), coalesce(subject, substr(body, 1, 80))"
                                 " FROM camp_outbox WHERE run_id = ? AND step = ? AND status = 'held'"
                                 " ORDER BY id LIMIT 3");
  if (!st) return;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  while (db_step(st) == 1 && len < outlen) {
    DbValue a = db_column(st, 0), t = db_column(st, 1);
    len += (size_t)snprintf(out + len, outlen - len, "  to %s: %s\n", a.s ? a.s : "", t.s ? t.s : "");
  }
  db_finalize(st);
}

static int notify(Exec *x, Step *s, const char *who, const char *address, const char *subject,
                  const char *body) {
  DbStmt *st = db_prepare(x->db, "INSERT INTO camp_notifications(run_id, step, kind, recipient, subject, body,"
                                 " created_at, address) VALUES (?, ?, 'request', ?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_text(st, 3, who);
  db_bind_text(st, 4, subject);
  db_bind_text(st, 5, body);
  db_bind_text(st, 6, x->now);
  if (address) db_bind_text(st, 7, address); else db_bind_null(st, 7);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* The approvers' addresses and the provider that notifies them, for the
 * reminders and deadline notices a later tick writes (runtime/ops). */
static int record_contacts(Exec *x, Step *s, const CampOps *ops) {
  json_t *c = json_object();
  for (int i = 0; i < ops->napprovers; i++)
    if (ops->approver_addrs && ops->approver_addrs[i])
      json_object_set_new(c, ops->approvers[i], json_string(ops->approver_addrs[i]));
  char *contacts = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(c);
  char *config = ops->notify ? provider_config_json(ops->notify, x->source_file) : NULL;
  DbStmt *st = db_prepare(x->db, "UPDATE camp_approvals SET contacts = ?, notify_config = ? WHERE run_id = ?"
                                 " AND step = ?");
  int rc = -1;
  if (st) {
    db_bind_text(st, 1, contacts ? contacts : "{}");
    if (config) db_bind_text(st, 2, config); else db_bind_null(st, 2);
    db_bind_int(st, 3, x->run_id);
    db_bind_text(st, 4, s->label);
    rc = db_step(st) < 0 ? -1 : 0;
    db_finalize(st);
  }
  free(contacts);
  free(config);
  return rc;
}

int exec_hold(Exec *x, Step *s) {
  const CampOps *ops = program_ops(x->camp);
  if (!ops->approval) return 0;
  DbStmt *st = db_prepare(x->db, "UPDATE camp_outbox SET status = 'held' WHERE run_id = ? AND step = ?"
                                 " AND status = 'queued'");
  if (!st) goto fail;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  int rc = db_step(st);
  db_finalize(st);
  int64_t n = held_count(x, s);
  if (rc < 0 || n < 0) goto fail;
  if (n == 0) return 0; /* nothing to approve */
  char approvers[1024] = "";
  size_t len = 0;
  for (int i = 0; i < ops->napprovers && len < sizeof approvers; i++)
    len += (size_t)snprintf(approvers + len, sizeof approvers - len, "%s%s", i ? ", " : "", ops->approvers[i]);
  if (ops->group && len < sizeof approvers)
    snprintf(approvers + len, sizeof approvers - len, "%sgroup %s", len ? ", " : "", ops->group);
  st = db_prepare(x->db,
      "INSERT INTO camp_approvals(run_id, step, state, messages, requested_at, deadline_at,"
      " deadline_action, remind_every, next_reminder_at, approvers) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT DO NOTHING");
  if (!st) goto fail;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_int(st, 3, n);
  db_bind_text(st, 4, x->now);
  char deadline[20], reminder[20];
  clock_add_seconds(x->now, ops->deadline, deadline);
  clock_add_seconds(x->now, ops->remind, reminder);
  if (ops->deadline > 0) db_bind_text(st, 5, deadline); else db_bind_null(st, 5);
  if (ops->deadline) db_bind_text(st, 6, ops->deadline_send ? "send" : "cancel"); else db_bind_null(st, 6);
  if (ops->remind > 0) db_bind_int(st, 7, ops->remind); else db_bind_null(st, 7);
  if (ops->remind > 0) db_bind_text(st, 8, reminder); else db_bind_null(st, 8);
  db_bind_text(st, 9, approvers);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0) goto fail;
  st = db_prepare(x->db, "INSERT INTO camp_audit(at, who, campaign, run_id, step, action, to_state, reason)"
                         " VALUES (?, 'camp', ?, ?, ?, 'approval requested', 'held', ?)");
  if (!st) goto fail;
  char why[128];
  snprintf(why, sizeof why, "%lld messages wait for approval", (long long)n);
  db_bind_text(st, 1, x->now);
  db_bind_text(st, 2, x->camp->name);
  db_bind_int(st, 3, x->run_id);
  db_bind_text(st, 4, s->label);
  db_bind_text(st, 5, why);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0) goto fail;
  char subject[512], body[4096], smp[1500];
  sample(x, s, smp, sizeof smp);
  snprintf(subject, sizeof subject, "Approval needed: %s, run %lld, step %s (%lld messages)", x->camp->name,
           (long long)x->run_id, s->label, (long long)n);
  snprintf(body, sizeof body,
           "Campaign %s, run %lld: step %s (%s) has %lld messages waiting for approval.\n"
           "Sample:\n%s"
           "Approve: camp approve %lld --step %s --as NAME\n"
           "Reject:  camp reject %lld --step %s --as NAME --reason TEXT\n",
           x->camp->name, (long long)x->run_id, s->label, channel_name(s->channel), (long long)n, smp,
           (long long)x->run_id, s->label, (long long)x->run_id, s->label);
  for (int i = 0; i < ops->napprovers; i++)
    if (notify(x, s, ops->approvers[i], ops->approver_addrs ? ops->approver_addrs[i] : NULL, subject, body))
      goto fail;
  if (ops->group) {
    char g[300];
    snprintf(g, sizeof g, "group:%s", ops->group);
    if (notify(x, s, g, NULL, subject, body)) goto fail;
  }
  if (record_contacts(x, s, ops)) goto fail;
  return 0;
fail:
  snprintf(x->err, sizeof x->err, "holding the messages of %s for approval: %s", s->label, db_error(x->db));
  return -1;
}
