/* exec_launch.c — what a run launched by a schedule does differently: it
 * carries a launch key (runtime/ops computes it from the campaign's
 * `remessage` policy: the local day, ISO week, month, the launch itself,
 * or one key for ever), and a channel step leaves out every recipient its
 * step already messaged in another run of the same campaign with the same
 * key.  camp_outbox stays unique per (run, step, recipient); re-messaging
 * across runs is governed here, by the policy, not by that constraint. */
#include <stdio.h>
#include <string.h>

#include "runtime/exec/exec_int.h"

void exec_load_launch_key(Exec *x) {
  x->launch_key[0] = 0;
  /* stores older than the operations migration have no launch keys */
  DbStmt *st = db_prepare(x->db, "SELECT launch_key FROM camp_runs WHERE id = ?");
  if (!st) return;
  db_bind_int(st, 1, x->run_id);
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT) snprintf(x->launch_key, sizeof x->launch_key, "%s", v.s);
  }
  db_finalize(st);
}

int exec_exclude_messaged(Exec *x, Step *s) {
  char table[512], sql[1400];
  exec_table(x, s->label, table, sizeof table);
  /* a cancelled message (rejected, expired, stopped) never reached anyone */
  snprintf(sql, sizeof sql,
           "DELETE FROM %s WHERE CAST(\"_key\" AS TEXT) IN (SELECT CAST(o.recipient_key AS TEXT) FROM camp_outbox o"
           " WHERE o.step = ? AND o.status <> 'cancelled' AND o.run_id IN"
           " (SELECT r.id FROM camp_runs r WHERE r.campaign = ? AND r.launch_key = ? AND r.id <> ?))",
           table);
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) {
    snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
    return -1;
  }
  db_bind_text(st, 1, s->label);
  db_bind_text(st, 2, x->camp->name);
  db_bind_text(st, 3, x->launch_key);
  db_bind_int(st, 4, x->run_id);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) {
    snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
    return -1;
  }
  return 0;
}
