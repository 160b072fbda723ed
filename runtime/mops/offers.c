/* offers.c — campaign prices and line discounts (mops.h): activation
 * per segment of the campaign's latest run or per saved D365 segment
 * (camp segment, the members of its current version), deactivation, and the answer
 * to "what does this contact pay for this item on this day". */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"

int mops_offers_activate(Db *db, const char *campaign, const char *now, const char *who, FILE *out, char *err,
                         size_t errlen) {
  int64_t run = 0;
  DbStmt *st = db_prepare(db, "SELECT max(id) FROM camp_runs WHERE campaign = ?");
  if (st) {
    db_bind_text(st, 1, campaign);
    if (db_step(st) == 1 && db_column(st, 0).kind == DBV_INT) run = db_column(st, 0).i;
    db_finalize(st);
  }
  st = db_prepare(db, "SELECT name, segment, targets_only, saved_segment FROM camp_mops_offer_defs"
                      " WHERE campaign = ? ORDER BY name");
  if (!st) goto fail;
  db_bind_text(st, 1, campaign);
  char names[64][256], segs[64][256], saved[64][256];
  int targets[64], n = 0, need_run = 0;
  while (db_step(st) == 1 && n < 64) {
    snprintf(names[n], sizeof names[n], "%s", db_column(st, 0).s);
    snprintf(segs[n], sizeof segs[n], "%s", db_column(st, 1).s ? db_column(st, 1).s : "");
    snprintf(saved[n], sizeof saved[n], "%s", db_column(st, 3).s ? db_column(st, 3).s : "");
    targets[n] = (int)db_column(st, 2).i;
    /* a D365 segment's members are known without a run; its targets are not */
    need_run |= !saved[n][0] || targets[n];
    n++;
  }
  db_finalize(st);
  if (!n) {
    snprintf(err, errlen, "campaign `%s` has no offers (declare `offer NAME { ... }` and deploy)", campaign);
    return 1;
  }
  for (int i = 0; i < n; i++) {
    if (!saved[i][0]) continue;
    st = db_prepare(db, "SELECT version FROM camp_mops_segments WHERE name = ?");
    if (!st) goto fail;
    db_bind_text(st, 1, saved[i]);
    int found = db_step(st) == 1;
    db_finalize(st);
    if (!found) {
      snprintf(err, errlen, "offer %s: no segment `%s` (declare it and run `camp segment apply FILE`, or"
               " `camp segment create %s FILE --of DIMENSION`)", names[i], saved[i], saved[i]);
      return 1;
    }
  }
  if (!run && need_run) {
    snprintf(err, errlen, "campaign `%s` has no run yet: its segments are not known (camp run first)", campaign);
    return 1;
  }
  if (db_begin(db)) goto fail;
  st = db_prepare(db, "DELETE FROM camp_mops_offers WHERE campaign = ?");
  if (!st) goto fail_tx;
  db_bind_text(st, 1, campaign);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) goto fail_tx;
  for (int i = 0; i < n; i++) {
    char table[300], sql[1400];
    if (saved[i][0]) {
      /* the members of the segment's current version (or those the run messaged) */
      snprintf(sql, sizeof sql,
               "INSERT INTO camp_mops_offers(campaign, offer, item, contact, price, discount, valid_from, valid_to,"
               " run_id) SELECT d.campaign, d.name, d.item, m.contact, d.price, d.discount, d.valid_from,"
               " d.valid_to, ?1 FROM camp_mops_segment_members m, camp_mops_offer_defs d"
               " WHERE d.campaign = ?2 AND d.name = ?3 AND m.segment = d.saved_segment"
               " AND m.version = (SELECT s.version FROM camp_mops_segments s WHERE s.name = d.saved_segment)%s",
               targets[i] ? " AND EXISTS (SELECT 1 FROM camp_outbox o WHERE o.run_id = ?1"
                            " AND CAST(o.recipient_key AS TEXT) = m.contact)" : "");
    } else if (segs[i][0]) {
      store_result_table(run, segs[i], table, sizeof table);
      if (!db_table_exists(db, table)) {
        snprintf(err, errlen, "offer %s: the rows of segment `%s` in run %lld are gone (camp gc?); run the campaign again",
                 names[i], segs[i], (long long)run);
        db_rollback(db);
        return 1;
      }
      /* the whole segment, or only its contacts the run messaged */
      snprintf(sql, sizeof sql,
               "INSERT INTO camp_mops_offers(campaign, offer, item, contact, price, discount, valid_from, valid_to,"
               " run_id) SELECT d.campaign, d.name, d.item, CAST(t._key AS TEXT), d.price, d.discount, d.valid_from,"
               " d.valid_to, ?1 FROM \"%s\" t, camp_mops_offer_defs d WHERE d.campaign = ?2 AND d.name = ?3%s",
               table, targets[i] ? " AND EXISTS (SELECT 1 FROM camp_outbox o WHERE o.run_id = ?1"
                                   " AND CAST(o.recipient_key AS TEXT) = CAST(t._key AS TEXT))" : "");
    } else {
      snprintf(sql, sizeof sql,
               "INSERT INTO camp_mops_offers(campaign, offer, item, contact, price, discount, valid_from, valid_to,"
               " run_id) SELECT DISTINCT d.campaign, d.name, d.item, CAST(o.recipient_key AS TEXT), d.price,"
               " d.discount, d.valid_from, d.valid_to, ?1 FROM camp_outbox o, camp_mops_offer_defs d"
               " WHERE o.run_id = ?1 AND d.campaign = ?2 AND d.name = ?3");
    }
    st = db_prepare(db, sql);
    if (!st) goto fail_tx;
    db_bind_int(st, 1, run);
    db_bind_text(st, 2, campaign);
    db_bind_text(st, 3, names[i]);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) goto fail_tx;
    if (saved[i][0] && !targets[i])
      fprintf(out, "%s: offer %s active for %lld contacts (segment %s)\n", campaign, names[i],
              (long long)db_changes(db), saved[i]);
    else
      fprintf(out, "%s: offer %s active for %lld contacts (run %lld)\n", campaign, names[i], (long long)db_changes(db),
              (long long)run);
  }
  if (ops_audit(db, now, who, campaign, run, NULL, "offers", NULL, "active", NULL) || db_commit(db)) goto fail_tx;
  return 0;
fail_tx:
  db_rollback(db);
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int mops_offers_deactivate(Db *db, const char *campaign, const char *now, const char *who, char *err,
                           size_t errlen) {
  if (db_begin(db)) goto fail;
  DbStmt *st = db_prepare(db, "DELETE FROM camp_mops_offers WHERE campaign = ?");
  if (!st) goto fail_tx;
  db_bind_text(st, 1, campaign);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) goto fail_tx;
  if (db_changes(db) == 0) {
    db_rollback(db);
    snprintf(err, errlen, "campaign `%s` has no active offers", campaign);
    return 1;
  }
  if (ops_audit(db, now, who, campaign, 0, NULL, "offers", "active", "inactive", NULL) || db_commit(db)) goto fail_tx;
  return 0;
fail_tx:
  db_rollback(db);
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int mops_offer_lookup(Db *db, const char *contact, const char *item, const char *day, int json, FILE *out) {
  DbStmt *st = db_prepare(db, "SELECT campaign, offer, price, discount, coalesce(valid_from, ''), coalesce(valid_to, '')"
                              " FROM camp_mops_offers WHERE contact = ? AND item = ?"
                              " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)"
                              " ORDER BY price IS NULL, price, discount DESC, campaign, offer");
  json_t *arr = json_array();
  int n = 0;
  int64_t best_price = -1, best_disc = -1;
  char best_price_from[600] = "", best_disc_from[600] = "";
  if (!json) fprintf(out, "contact %s, item %s, on %s:\n", contact, item, day);
  if (st) {
    db_bind_text(st, 1, contact);
    db_bind_text(st, 2, item);
    db_bind_text(st, 3, day);
    db_bind_text(st, 4, day);
    while (db_step(st) == 1) {
      n++;
      const char *camp = db_column(st, 0).s, *offer = db_column(st, 1).s;
      DbValue p = db_column(st, 2), d = db_column(st, 3);
      char amount[40], from[40], to[40];
      snprintf(from, sizeof from, "%s", db_column(st, 4).s);
      snprintf(to, sizeof to, "%s", db_column(st, 5).s);
      if (p.kind == DBV_INT) mops_amount_text(p.i, amount, sizeof amount);
      else mops_amount_text(d.i, amount, sizeof amount);
      if (p.kind == DBV_INT && (best_price < 0 || p.i < best_price)) {
        best_price = p.i;
        snprintf(best_price_from, sizeof best_price_from, "%s/%s", camp, offer);
      }
      if (p.kind != DBV_INT && d.i > best_disc) {
        best_disc = d.i;
        snprintf(best_disc_from, sizeof best_disc_from, "%s/%s", camp, offer);
      }
      if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "campaign", json_string(camp));
        json_object_set_new(j, "offer", json_string(offer));
        json_object_set_new(j, p.kind == DBV_INT ? "price" : "discount_percent", json_string(amount));
        json_object_set_new(j, "valid_from", from[0] ? json_string(from) : json_null());
        json_object_set_new(j, "valid_to", to[0] ? json_string(to) : json_null());
        json_array_append_new(arr, j);
      } else {
        fprintf(out, "  %-8s %10s%s  %s/%s (%s .. %s)\n", p.kind == DBV_INT ? "price" : "discount", amount,
                p.kind == DBV_INT ? " " : "%", camp, offer, from[0] ? from : "open", to[0] ? to : "open");
      }
    }
    db_finalize(st);
  }
  char a[40];
  if (json) {
    json_t *root = json_object();
    json_object_set_new(root, "contact", json_string(contact));
    json_object_set_new(root, "item", json_string(item));
    json_object_set_new(root, "on", json_string(day));
    json_object_set_new(root, "offers", arr);
    if (best_price >= 0) mops_amount_text(best_price, a, sizeof a);
    json_object_set_new(root, "best_price", best_price >= 0 ? json_string(a) : json_null());
    if (best_disc >= 0) mops_amount_text(best_disc, a, sizeof a);
    json_object_set_new(root, "best_discount_percent", best_disc >= 0 ? json_string(a) : json_null());
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
    return n;
  }
  json_decref(arr);
  if (!n) fputs("  no campaign price or discount\n", out);
  if (best_price >= 0) {
    mops_amount_text(best_price, a, sizeof a);
    fprintf(out, "best price %s (%s)\n", a, best_price_from);
  }
  if (best_disc >= 0) {
    mops_amount_text(best_disc, a, sizeof a);
    fprintf(out, "best discount %s%% (%s)\n", a, best_disc_from);
  }
  return n;
}
