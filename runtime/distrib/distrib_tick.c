/* distrib_tick.c — what `camp tick` does for distributed marketing: the
 * reminders of open local approvals; and the listing of packages and orders
 * for `camp packages list`. */
#include <string.h>
#include <time.h>

#include "runtime/distrib/distrib.h"

static void plus_seconds(const char *ts, int64_t secs, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(ts, "%Y-%m-%d %H:%M:%S", &tm); /* ts may be out */
  out[0] = 0;
  if (!end) return;
  time_t t = timegm(&tm) + (time_t)secs;
  struct tm r;
  if (gmtime_r(&t, &r)) strftime(out, 20, "%Y-%m-%d %H:%M:%S", &r);
}

int distrib_tick(Db *db, const char *now, FILE *out) {
  if (!db_table_exists(db, "camp_distrib_requests")) return 0;
  if (db_begin(db)) return -1;
  DbStmt *st = db_prepare(db, "SELECT run_id, step, entity, campaign, deadline_at, remind_every, next_reminder_at,"
                              " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id"
                              "  AND c.step = r.step AND c.entity = r.entity AND c.state = 'pending')"
                              " FROM camp_distrib_requests AS r WHERE state = 'open'"
                              " AND next_reminder_at IS NOT NULL AND next_reminder_at <= ? AND deadline_at > ?"
                              " ORDER BY run_id, step, entity");
  if (!st) { db_rollback(db); return -1; }
  db_bind_text(st, 1, now);
  db_bind_text(st, 2, now);
  typedef struct { int64_t run, every, pending; char step[128], entity[128], campaign[128], deadline[20], next[20]; } Due;
  Due due[256];
  int n = 0;
  while (db_step(st) == 1 && n < 256) {
    Due *d = &due[n++];
    d->run = db_column(st, 0).i;
    snprintf(d->step, sizeof d->step, "%s", db_column(st, 1).s);
    snprintf(d->entity, sizeof d->entity, "%s", db_column(st, 2).s);
    snprintf(d->campaign, sizeof d->campaign, "%s", db_column(st, 3).s);
    snprintf(d->deadline, sizeof d->deadline, "%s", db_column(st, 4).s);
    d->every = db_column(st, 5).i;
    snprintf(d->next, sizeof d->next, "%s", db_column(st, 6).s);
    d->pending = db_column(st, 7).i;
  }
  db_finalize(st);
  int sent = 0, rc = 0;
  for (int i = 0; i < n && !rc; i++) {
    Due *d = &due[i];
    char subject[512], body[1024], next[20];
    snprintf(subject, sizeof subject, "Reminder: %lld contact%s of campaign %s still to review before %s",
             (long long)d->pending, d->pending == 1 ? "" : "s", d->campaign, d->deadline);
    snprintf(body, sizeof body, "Run %lld, step %s: %lld contact%s of your entity wait for your decision on the "
             "local page (camp serve) until %s UTC.\n", (long long)d->run, d->step, (long long)d->pending,
             d->pending == 1 ? "" : "s", d->deadline);
    st = db_prepare(db, "INSERT INTO camp_notifications(run_id, step, kind, recipient, subject, body, created_at)"
                        " SELECT ?, ?, 'local-reminder', login, ?, ?, ? FROM camp_distrib_operators"
                        " WHERE (entity = ?6 OR login IN (SELECT login FROM camp_distrib_members WHERE grp = ?6))"
                        " AND role <> 'viewer'");
    if (!st) { rc = -1; break; }
    db_bind_int(st, 1, d->run);
    db_bind_text(st, 2, d->step);
    db_bind_text(st, 3, subject);
    db_bind_text(st, 4, body);
    db_bind_text(st, 5, now);
    db_bind_text(st, 6, d->entity);
    if (db_step(st) < 0) rc = -1;
    db_finalize(st);
    /* the next reminder: `remind` after the one that was due, skipping
     * those a late tick missed, never at or after the deadline */
    snprintf(next, sizeof next, "%s", d->next);
    while (next[0] && strcmp(next, now) <= 0 && d->every > 0) plus_seconds(next, d->every, next);
    st = db_prepare(db, "UPDATE camp_distrib_requests SET reminders = reminders + 1, next_reminder_at = ?"
                        " WHERE run_id = ? AND step = ? AND entity = ?");
    if (!st) { rc = -1; break; }
    if (next[0] && strcmp(next, d->deadline) < 0) db_bind_text(st, 1, next);
    else db_bind_null(st, 1);
    db_bind_int(st, 2, d->run);
    db_bind_text(st, 3, d->step);
    db_bind_text(st, 4, d->entity);
    if (db_step(st) < 0) rc = -1;
    db_finalize(st);
    if (!rc) {
      sent++;
      if (out) fprintf(out, "reminder: run %lld step %s, %s (%lld pending, deadline %s)\n", (long long)d->run,
                       d->step, d->entity, (long long)d->pending, d->deadline);
    }
  }
  if (rc || db_commit(db)) {
    db_rollback(db);
    return -1;
  }
  return sent;
}

int distrib_print_packages(Db *db, const char *entity, FILE *out) {
  /* two statements, not `? IS NULL OR ...`: PostgreSQL cannot type an unused NULL parameter */
  char sql[700];
  snprintf(sql, sizeof sql, "SELECT k.name, k.label, k.campaign, k.automatic, k.variant,"
           " COALESCE(k.register_by, ''), f.entity, COALESCE(o.state, '-'), COALESCE(o.params, '')"
           " FROM camp_distrib_packages AS k JOIN camp_distrib_offers AS f ON f.package = k.name"
           " LEFT JOIN camp_distrib_orders AS o ON o.package = k.name AND o.entity = f.entity"
           "%s ORDER BY k.name, f.entity", entity ? " WHERE f.entity = ?" : "");
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  if (entity) db_bind_text(st, 1, entity);
  fprintf(out, "%-16s %-10s %-8s %-14s %-12s %s\n", "package", "mode", "variant", "entity", "order", "form values");
  int n = 0;
  while (db_step(st) == 1) {
    fprintf(out, "%-16s %-10s %-8s %-14s %-12s %s\n", db_column(st, 0).s,
            db_column(st, 3).i ? "automatic" : "manual", db_column(st, 4).s, db_column(st, 6).s,
            db_column(st, 7).s, db_column(st, 8).s);
    n++;
  }
  db_finalize(st);
  if (!n) fprintf(out, "(no package offered%s%s)\n", entity ? " to " : "", entity ? entity : "");
  return 0;
}
