/* costs.c — cost sharing of a campaign package (see distrib.h): the
 * package's fixed `cost`, less the part the centre pays (`central_pays`
 * percent), is shared among the participating entities equally or in
 * proportion to the messages sent to their contacts (`share by_contacts`);
 * each entity also pays `cost_per_message` for every message sent to its
 * contacts.  Sends are camp_outbox rows with status 'sent' of the runs of
 * the package's campaign, each counted for the entity whose contact it was
 * (camp_distrib_contacts). */
#include <stdlib.h>
#include <string.h>

#include "runtime/distrib/distrib.h"

static void copy(char *dst, size_t n, DbValue v) { snprintf(dst, n, "%s", v.kind == DBV_TEXT ? v.s : ""); }
static double num(DbValue v) { return v.kind == DBV_INT ? (double)v.i : v.kind == DBV_REAL ? v.r : v.kind == DBV_TEXT ? atof(v.s) : 0; }

int distrib_costs(Db *db, const char *pkg, DistCosts *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  DbStmt *st = db_prepare(db, "SELECT campaign, COALESCE(cost, 0), COALESCE(share, 'equally'), COALESCE(central_pct, 0),"
                              " COALESCE(per_message, 0), variant FROM camp_distrib_packages WHERE name = ?");
  if (!st) goto dberr;
  db_bind_text(st, 1, pkg);
  if (db_step(st) != 1) {
    db_finalize(st);
    snprintf(err, errlen, "no package `%s` (camp packages sync first)", pkg);
    return DISTRIB_INVALID;
  }
  char variant[32];
  copy(out->campaign, sizeof out->campaign, db_column(st, 0));
  out->cost = num(db_column(st, 1));
  copy(out->share, sizeof out->share, db_column(st, 2));
  out->central_pct = num(db_column(st, 3));
  out->per_message = num(db_column(st, 4));
  copy(variant, sizeof variant, db_column(st, 5));
  db_finalize(st);
  /* participants: a standing order of the package; by target approval
   * (no orders), the entities that were handed contacts; and anyone whose
   * contacts were sent to */
  st = db_prepare(db,
      "WITH sends AS (SELECT (SELECT c.entity FROM camp_distrib_contacts AS c WHERE c.run_id = o.run_id"
      "   AND c.recipient_key = CAST(o.recipient_key AS TEXT) AND c.entity IS NOT NULL LIMIT 1) AS entity"
      "   FROM camp_outbox AS o JOIN camp_runs AS r ON r.id = o.run_id WHERE r.campaign = ?1 AND o.status = 'sent'),"
      " parts AS (SELECT entity FROM camp_distrib_orders WHERE package = ?2 AND state IN ('approved', 'registered')"
      "   UNION SELECT q.entity FROM camp_distrib_requests AS q JOIN camp_runs AS r ON r.id = q.run_id"
      "   WHERE ?3 = 'target' AND r.campaign = ?1 AND q.entity IN (SELECT name FROM camp_distrib_entities)"
      "   UNION SELECT entity FROM sends WHERE entity IN (SELECT name FROM camp_distrib_entities))"
      " SELECT p.entity, (SELECT count(*) FROM sends AS s WHERE s.entity = p.entity) FROM parts AS p ORDER BY p.entity");
  if (!st) goto dberr;
  db_bind_text(st, 1, out->campaign);
  db_bind_text(st, 2, pkg);
  db_bind_text(st, 3, variant);
  while (db_step(st) == 1) {
    if (out->n % 32 == 0) {
      DistCost *grown = realloc(out->rows, (size_t)(out->n + 32) * sizeof *grown);
      if (!grown) {
        db_finalize(st);
        distrib_costs_free(out);
        snprintf(err, errlen, "out of memory");
        return DISTRIB_ERROR;
      }
      out->rows = grown;
    }
    DistCost *c = &out->rows[out->n++];
    memset(c, 0, sizeof *c);
    copy(c->entity, sizeof c->entity, db_column(st, 0));
    c->sent = db_column(st, 1).i;
    out->sent += c->sent;
  }
  db_finalize(st);
  double shared = out->cost * (100.0 - out->central_pct) / 100.0;
  int by_sends = !strcmp(out->share, "by_contacts") && out->sent > 0;
  out->central = out->cost - (out->n ? shared : 0);
  for (int i = 0; i < out->n; i++) {
    DistCost *c = &out->rows[i];
    c->fixed = by_sends ? shared * (double)c->sent / (double)out->sent : shared / out->n;
    c->messages = out->per_message * (double)c->sent;
    c->total = c->fixed + c->messages;
    out->total += c->total;
  }
  out->total += out->central;
  return DISTRIB_OK;
dberr:
  snprintf(err, errlen, "%s", db_error(db));
  return DISTRIB_ERROR;
}

void distrib_costs_free(DistCosts *c) {
  free(c->rows);
  c->rows = NULL;
  c->n = 0;
}

int distrib_print_costs(Db *db, const char *pkg, const char *entity, FILE *out, char *err, size_t errlen) {
  DistCosts c;
  int rc = distrib_costs(db, pkg, &c, err, errlen);
  if (rc) return rc;
  fprintf(out, "package %s (campaign %s): cost %.2f, central pays %g%%, shared %s, %.4f per message sent\n", pkg,
          c.campaign, c.cost, c.central_pct, !strcmp(c.share, "by_contacts") ? "by messages sent" : "equally",
          c.per_message);
  fprintf(out, "%-16s %8s %12s %12s %12s\n", "entity", "sent", "share", "messages", "total");
  for (int i = 0; i < c.n; i++) {
    DistCost *r = &c.rows[i];
    if (entity && strcmp(entity, r->entity)) continue;
    fprintf(out, "%-16s %8lld %12.2f %12.2f %12.2f\n", r->entity, (long long)r->sent, r->fixed, r->messages, r->total);
  }
  if (!entity) {
    fprintf(out, "%-16s %8s %12.2f %12s %12.2f\n", "central", "", c.central, "", c.central);
    fprintf(out, "%-16s %8lld %12s %12s %12.2f\n", "total", (long long)c.sent, "", "", c.total);
  }
  distrib_costs_free(&c);
  return DISTRIB_OK;
}
