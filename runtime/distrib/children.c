/* children.c — the child campaigns of `variant campaign` packages (see
 * distrib.h): one per participating entity and run, created with the
 * local approval's hand-out (runtime/exec/exec_local.c), executed by the
 * parent's run and ticks; here their per-entity counts. */
#include <stdlib.h>
#include <string.h>

#include "runtime/distrib/distrib.h"

static void copy(char *dst, size_t n, DbValue v) { snprintf(dst, n, "%s", v.kind == DBV_TEXT ? v.s : ""); }

int distrib_children(Db *db, int64_t run, const char *entity, DistChild **out) {
  *out = NULL;
  DbStmt *st = db_prepare(db,
      "SELECT ch.run_id, ch.step, ch.package, ch.entity, ch.campaign, COALESCE(ch.params, ''), COALESCE(r.state, '?'),"
      " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = ch.run_id AND c.step = ch.step"
      "  AND c.entity = ch.entity AND c.state <> 'not_participating'),"
      " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = ch.run_id AND c.step = ch.step"
      "  AND c.entity = ch.entity AND c.state IN ('approved', 'approved-by-default')),"
      " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = ch.run_id AND c.step = ch.step"
      "  AND c.entity = ch.entity AND c.state = 'removed'),"
      " (SELECT count(*) FROM camp_outbox AS o WHERE o.run_id = ch.run_id AND CAST(o.recipient_key AS TEXT) IN"
      "  (SELECT c.recipient_key FROM camp_distrib_contacts AS c WHERE c.run_id = ch.run_id AND c.step = ch.step"
      "   AND c.entity = ch.entity)),"
      " (SELECT count(*) FROM camp_outbox AS o WHERE o.run_id = ch.run_id AND o.status = 'sent'"
      "  AND CAST(o.recipient_key AS TEXT) IN (SELECT c.recipient_key FROM camp_distrib_contacts AS c"
      "   WHERE c.run_id = ch.run_id AND c.step = ch.step AND c.entity = ch.entity))"
      " FROM camp_distrib_children AS ch LEFT JOIN camp_runs AS r ON r.id = ch.run_id"
      " WHERE (?1 = 0 OR ch.run_id = ?1) AND (?2 = '' OR ch.entity = ?2)"
      " ORDER BY ch.run_id DESC, ch.package, ch.entity");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, entity ? entity : "");
  int n = 0;
  DistChild *v = NULL;
  while (db_step(st) == 1) {
    if (n % 16 == 0) {
      DistChild *g = realloc(v, (size_t)(n + 16) * sizeof *g);
      if (!g) {
        free(v);
        db_finalize(st);
        return -1;
      }
      v = g;
    }
    DistChild *c = &v[n++];
    memset(c, 0, sizeof *c);
    c->run = db_column(st, 0).i;
    copy(c->step, sizeof c->step, db_column(st, 1));
    copy(c->package, sizeof c->package, db_column(st, 2));
    copy(c->entity, sizeof c->entity, db_column(st, 3));
    copy(c->campaign, sizeof c->campaign, db_column(st, 4));
    copy(c->params, sizeof c->params, db_column(st, 5));
    copy(c->state, sizeof c->state, db_column(st, 6));
    c->contacts = db_column(st, 7).i;
    c->approved = db_column(st, 8).i;
    c->removed = db_column(st, 9).i;
    c->messages = db_column(st, 10).i;
    c->sent = db_column(st, 11).i;
  }
  db_finalize(st);
  *out = v;
  return n;
}

int distrib_print_children(Db *db, int64_t run, const char *entity, FILE *out) {
  DistChild *v;
  int n = distrib_children(db, run, entity, &v);
  if (n < 0) {
    fprintf(stderr, "camp packages children: %s\n", db_error(db));
    return -1;
  }
  fprintf(out, "%-5s %-16s %-24s %-9s %8s %8s %8s %8s %6s  %s\n", "run", "package", "child campaign", "state",
          "contacts", "approved", "removed", "messages", "sent", "values");
  for (int i = 0; i < n; i++) {
    DistChild *c = &v[i];
    fprintf(out, "%-5lld %-16s %-24s %-9s %8lld %8lld %8lld %8lld %6lld  %s\n", (long long)c->run, c->package,
            c->campaign, c->state, (long long)c->contacts, (long long)c->approved, (long long)c->removed,
            (long long)c->messages, (long long)c->sent, c->params[0] ? c->params : "-");
  }
  if (!n) fprintf(out, "(no child campaign%s%s)\n", entity ? " of " : "", entity ? entity : "");
  free(v);
  return 0;
}
