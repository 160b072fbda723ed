/* stock.c — stock items, order lines, consumption and threshold alerts
 * (mops.h).  A level is computed from the tables every time (initial +
 * orders - units used by queued messages), so waits that queue messages
 * days later, resumes and stopped runs need no bookkeeping. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store_mops.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"
#include "runtime/report/report.h"

#define LEVELS_SQL STORE_MOPS_LEVELS_SQL

int mops_stock_level(Db *db, const char *item, int64_t *level) {
  return store_mops_stock_level(db, item, level);
}

static const char *state_of(int64_t level, int64_t alert) {
  return level <= 0 ? "out" : level <= alert ? "low" : "ok";
}

int mops_print_stock(Db *db, int json, FILE *out) {
  DbStmt *st = db_prepare(db, LEVELS_SQL " ORDER BY s.item");
  if (!st) {
    fputs(json ? "[]\n" : "no stock items\n", out);
    return 0;
  }
  static const char *const hdr[] = {"ITEM", "START", "ORDERED", "USED", "LEVEL", "ALERT AT", "STATE", "UNIT"};
  ReportTable t;
  rt_init(&t, 8, hdr);
  json_t *arr = json_array();
  int n = 0;
  while (db_step(st) == 1) {
    int64_t level = db_column(st, 1).i + db_column(st, 2).i - db_column(st, 3).i;
    const char *state = state_of(level, db_column(st, 4).i);
    if (json) {
      json_t *j = json_object();
      json_object_set_new(j, "item", json_string(db_column(st, 0).s));
      json_object_set_new(j, "start", json_integer(db_column(st, 1).i));
      json_object_set_new(j, "ordered", json_integer(db_column(st, 2).i));
      json_object_set_new(j, "used", json_integer(db_column(st, 3).i));
      json_object_set_new(j, "level", json_integer(level));
      json_object_set_new(j, "alert", json_integer(db_column(st, 4).i));
      json_object_set_new(j, "state", json_string(state));
      json_array_append_new(arr, j);
    } else {
      char c[5][32];
      for (int k = 0; k < 4; k++) snprintf(c[k], sizeof c[k], "%lld", (long long)db_column(st, k + 1).i);
      snprintf(c[4], sizeof c[4], "%lld", (long long)level);
      const char *row[] = {db_column(st, 0).s, c[0], c[1], c[2], c[4], c[3], state, db_column(st, 5).s};
      rt_add(&t, row);
    }
    n++;
  }
  db_finalize(st);
  if (json) {
    json_dumpf(arr, out, JSON_INDENT(2));
    fputc('\n', out);
  } else if (n) rt_print(&t, out, "");
  else fputs("no stock items\n", out);
  json_decref(arr);
  rt_free(&t);
  return n;
}

int mops_stock_order(Db *db, const char *item, int64_t quantity, const char *now, const char *who,
                     const char *reason, char *err, size_t errlen) {
  int64_t level;
  if (mops_stock_level(db, item, &level)) {
    snprintf(err, errlen, "no stock item `%s` (declare it with `stock %s { quantity N }` and deploy)", item, item);
    return 1;
  }
  if (db_begin(db)) goto fail;
  DbStmt *st = db_prepare(db, "INSERT INTO camp_mops_stock_orders(id, item, quantity, at, who, reason) VALUES"
                              " ((SELECT coalesce(max(id), 0) + 1 FROM camp_mops_stock_orders), ?, ?, ?, ?, ?)");
  if (!st) goto fail_tx;
  db_bind_text(st, 1, item);
  db_bind_int(st, 2, quantity);
  db_bind_text(st, 3, now);
  db_bind_text(st, 4, who);
  if (reason) db_bind_text(st, 5, reason); else db_bind_null(st, 5);
  int rc = db_step(st);
  db_finalize(st);
  char to[64];
  snprintf(to, sizeof to, "+%lld", (long long)quantity);
  if (rc < 0 || ops_audit(db, now, who, NULL, 0, item, "stock order", NULL, to, reason) || db_commit(db))
    goto fail_tx;
  return 0;
fail_tx:
  db_rollback(db);
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int mops_stock_alerts(Db *db, const char *now) {
  DbStmt *st = db_prepare(db, LEVELS_SQL " ORDER BY s.item");
  if (!st) return 0;
  char items[64][256];
  int64_t levels[64], alerts[64];
  int flags[64], n = 0;
  while (db_step(st) == 1 && n < 64) {
    snprintf(items[n], sizeof items[n], "%s", db_column(st, 0).s);
    levels[n] = db_column(st, 1).i + db_column(st, 2).i - db_column(st, 3).i;
    alerts[n] = db_column(st, 4).i;
    flags[n] = (int)db_column(st, 7).i;
    n++;
  }
  db_finalize(st);
  int raised = 0;
  for (int i = 0; i < n; i++) {
    int low = levels[i] <= alerts[i];
    if (low == flags[i]) continue;
    if (db_begin(db)) return -1;
    DbStmt *u = db_prepare(db, "UPDATE camp_mops_stock SET alerted = ? WHERE item = ? AND alerted = ?");
    if (!u) goto fail;
    db_bind_int(u, 1, low);
    db_bind_text(u, 2, items[i]);
    db_bind_int(u, 3, !low);
    int rc = db_step(u);
    db_finalize(u);
    if (rc < 0) goto fail;
    if (low && db_changes(db) == 1) {  /* this process won the crossing: one notification */
      char subject[512], body[1024];
      snprintf(subject, sizeof subject, "stock %s is %s: %lld left (alert at %lld)", items[i],
               levels[i] <= 0 ? "out" : "low", (long long)levels[i], (long long)alerts[i]);
      snprintf(body, sizeof body, "The level of stock item %s fell to %lld, at or below its alert threshold of %lld. "
               "Order more with: camp stock order %s QUANTITY --db DB", items[i], (long long)levels[i],
               (long long)alerts[i], items[i]);
      DbStmt *ins = db_prepare(db, "INSERT INTO camp_notifications(run_id, step, kind, recipient, subject, body,"
                                   " status, created_at) VALUES (NULL, ?, 'stock_alert', 'stock', ?, ?, 'pending', ?)");
      if (!ins) goto fail;
      db_bind_text(ins, 1, items[i]);
      db_bind_text(ins, 2, subject);
      db_bind_text(ins, 3, body);
      db_bind_text(ins, 4, now);
      rc = db_step(ins);
      db_finalize(ins);
      if (rc < 0) goto fail;
      raised++;
    }
    if (db_commit(db)) goto fail;
  }
  return raised;
fail:
  db_rollback(db);
  return -1;
}

int mops_print_stock_low(Db *db, FILE *out) {
  DbStmt *st = db_prepare(db, LEVELS_SQL " ORDER BY s.item");
  if (!st) return 0;
  int n = 0;
  while (db_step(st) == 1) {
    int64_t level = db_column(st, 1).i + db_column(st, 2).i - db_column(st, 3).i, alert = db_column(st, 4).i;
    if (level > alert) continue;
    if (!n++) fputs("\nStock alerts:\n", out);
    fprintf(out, "  %s: %lld left (alert at %lld)%s\n", db_column(st, 0).s, (long long)level, (long long)alert,
            level <= 0 ? ", out of stock" : "");
  }
  db_finalize(st);
  return n;
}

int mops_print_stock_projection(Db *db, const MopsCampaign *mc, const MopsModel *m, const MopsProjection *pr,
                                FILE *out, int *short_block, int *short_any) {
  *short_block = *short_any = 0;
  for (int i = 0; i < mc->nconsumes; i++) {
    const MopsConsume *u = &mc->consumes[i];
    const MopsStock *s = NULL;
    for (int k = 0; k < m->stocks.len; k++)
      if (!strcmp(((MopsStock *)m->stocks.items[k])->name, u->stock)) s = m->stocks.items[k];
    if (!s) continue;
    int64_t n = 0, need, level;
    for (int j = 0; j < pr->n; j++)
      if (!strcmp(pr->labels[j], u->step)) n += pr->counts[j];
    if (__builtin_mul_overflow(n, u->per, &need)) return -1;
    /* a stock never deployed is at its declared quantity */
    if (mops_stock_level(db, s->name, &level)) level = s->quantity;
    int64_t after = level - need;
    fprintf(out, "stock %s: %s uses %lld (%lld x %lld), level %lld -> %lld (alert at %lld)%s\n", s->name, u->step,
            (long long)need, (long long)n, (long long)u->per, (long long)level, (long long)after,
            (long long)s->alert, after < 0 ? ": not enough" : after <= s->alert ? ": below the alert threshold" : "");
    if (after < 0) {
      *short_any = 1;
      if (s->block) *short_block = 1;
    }
  }
  return 0;
}
