/* notify.c — approval requests, reminders and deadline notices sent by
 * e-mail through the provider the campaign's approval names (`notify`):
 * each tick sends the pending camp_notifications rows that have an address
 * and a provider (runtime/delivery/direct.c: the provider's own sender).
 * Accepted -> sent; refused -> failed with the answer; a temporary failure
 * stays pending for the next tick.  Rows without an address or provider
 * stay pending: they are the record `camp status` shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/direct.h"
#include "runtime/ops/ops.h"

enum { NOTIFY_BATCH = 1000 }; /* per tick: a backlog drains over ticks */

typedef struct Note {
  int64_t id;
  char *recipient, *address, *subject, *body, *config, *step;
  int outcome;          /* 0 not tried, 1 sent, 2 failed, 3 try again */
  char detail[300];
} Note;

static char *col_dup(DbStmt *st, int c) {
  DbValue v = db_column(st, c);
  char *s = strdup(v.kind == DBV_TEXT ? v.s : "");
  if (!s) abort();
  return s;
}

static void done(void *ctx, const DirectMsg *m, int accepted, int temporary, const char *detail) {
  Note *n = (Note *)ctx + m->tag;
  n->outcome = accepted ? 1 : temporary ? 3 : 2;
  snprintf(n->detail, sizeof n->detail, "%s", detail ? detail : "");
}

static int record(Db *db, const Note *n, const char *now) {
  DbStmt *st = db_prepare(db, "UPDATE camp_notifications SET status = ?, sent_at = ?, detail = ? WHERE id = ?");
  if (!st) return -1;
  db_bind_text(st, 1, n->outcome == 1 ? "sent" : n->outcome == 2 ? "failed" : "pending");
  if (n->outcome == 1) db_bind_text(st, 2, now); else db_bind_null(st, 2);
  db_bind_text(st, 3, n->detail);
  db_bind_int(st, 4, n->id);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* Loads up to NOTIFY_BATCH sendable rows, grouped by provider. */
static int load(Db *db, Note **out) {
  DbStmt *st = db_prepare(db,
      "SELECT n.id, n.recipient, n.address, n.subject, n.body, a.notify_config, n.step"
      " FROM camp_notifications n JOIN camp_approvals a ON a.run_id = n.run_id AND a.step = n.step"
      " WHERE n.status = 'pending' AND n.address IS NOT NULL AND a.notify_config IS NOT NULL"
      " ORDER BY a.notify_config, n.id LIMIT 1000");
  if (!st) return -1;
  Note *v = calloc(NOTIFY_BATCH, sizeof *v);
  if (!v) abort();
  int n = 0;
  while (n < NOTIFY_BATCH && db_step(st) == 1) {
    v[n].id = db_column(st, 0).i;
    v[n].recipient = col_dup(st, 1);
    v[n].address = col_dup(st, 2);
    v[n].subject = col_dup(st, 3);
    v[n].body = col_dup(st, 4);
    v[n].config = col_dup(st, 5);
    v[n].step = col_dup(st, 6);
    n++;
  }
  db_finalize(st);
  *out = v;
  return n;
}

static void free_notes(Note *v, int n) {
  for (int i = 0; i < n; i++) {
    free(v[i].recipient);
    free(v[i].address);
    free(v[i].subject);
    free(v[i].body);
    free(v[i].config);
    free(v[i].step);
  }
  free(v);
}

int ops_send_notifications(Db *db, const char *now, FILE *out) {
  Note *v = NULL;
  int n = load(db, &v);
  if (n < 0) {
    fprintf(stderr, "camp tick: notifications: %s\n", db_error(db));
    return 1;
  }
  time_t t = 0;
  ops_time_parse(now, &t);
  int failed = 0;
  /* one sender per provider: rows come ordered by their config */
  for (int i = 0; i < n && !failed;) {
    int k = i;
    while (k < n && !strcmp(v[k].config, v[i].config)) k++;
    DirectMsg *m = calloc((size_t)(k - i), sizeof *m);
    if (!m) abort();
    for (int j = i; j < k; j++)
      m[j - i] = (DirectMsg){.to = v[j].address, .recipient = v[j].recipient, .subject = v[j].subject,
                             .body = v[j].body, .tag = j};
    char err[512];
    if (direct_send(v[i].config, "email", "camp-notify", m, k - i, t, done, v, err, sizeof err)) {
      fprintf(stderr, "camp tick: notifications: %s\n", err);
      failed = 1;
    }
    free(m);
    i = k;
  }
  int sent = 0, refused = 0, again = 0;
  if (db_begin(db) == 0) {
    for (int i = 0; i < n; i++) {
      if (!v[i].outcome) continue;
      if (record(db, &v[i], now)) failed = 1;
      sent += v[i].outcome == 1;
      refused += v[i].outcome == 2;
      again += v[i].outcome == 3;
    }
    if (failed ? db_rollback(db) : db_commit(db)) failed = 1;
  } else {
    failed = 1;
  }
  if (sent + refused + again)
    fprintf(out, "notifications: %d sent, %d refused, %d to try again next tick\n", sent, refused, again);
  free_notes(v, n);
  return failed;
}
