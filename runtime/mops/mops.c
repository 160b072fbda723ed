/* mops.c — marketing operations in camp's tables (mops.h): deploy-time
 * sync of the checked declarations, tasks, business status codes. */
#include "runtime/mops/mops.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops/ops.h"
#include "runtime/report/report.h"

/* Runs sql with n text parameters (NULL binds NULL).  0 or -1. */
static int run(Db *db, const char *sql, int n, const char *const *args) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  for (int i = 0; i < n; i++) {
    if (args[i]) db_bind_text(st, i + 1, args[i]);
    else db_bind_null(st, i + 1);
  }
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

static const char *or_null(const char *s) { return s && *s ? s : NULL; }

static int sync_model(Db *db, const MopsModel *m) {
  for (int i = 0; i < m->nodes.len; i++) {
    const MopsNode *n = m->nodes.items[i];
    char budget[32];
    snprintf(budget, sizeof budget, "%lld", (long long)n->budget);
    const char *a[] = {n->kind, n->name, n->parent, n->owner, or_null(n->start), or_null(n->end), n->statuses,
                       n->budget >= 0 ? budget : NULL};
    if (run(db, "DELETE FROM camp_mops_nodes WHERE kind = ? AND name = ?", 2, a) ||
        run(db, "INSERT INTO camp_mops_nodes(kind, name, parent, owner, start_date, end_date, statuses, budget)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER))", 8, a))
      return -1;
  }
  for (int i = 0; i < m->sets.len; i++) {
    const MopsStatusSet *s = m->sets.items[i];
    const char *a[] = {s->name};
    if (run(db, "DELETE FROM camp_mops_status_codes WHERE set_name = ?", 1, a) ||
        run(db, "DELETE FROM camp_mops_status_next WHERE set_name = ?", 1, a))
      return -1;
    for (int k = 0; k < s->ncodes; k++) {
      char ord[16];
      snprintf(ord, sizeof ord, "%d", k + 1);
      const char *b[] = {s->name, s->codes[k], ord};
      if (run(db, "INSERT INTO camp_mops_status_codes(set_name, code, ord) VALUES (?, ?, CAST(? AS INTEGER))", 3, b))
        return -1;
      for (int j = 0; j < s->ncodes; j++) {
        if (!s->next[k * s->ncodes + j]) continue;
        const char *c[] = {s->name, s->codes[k], s->codes[j]};
        if (run(db, "INSERT INTO camp_mops_status_next(set_name, code, next_code) VALUES (?, ?, ?)", 3, c))
          return -1;
      }
    }
  }
  for (int i = 0; i < m->stocks.len; i++) {
    const MopsStock *st = m->stocks.items[i];
    char q[32], al[32];
    snprintf(q, sizeof q, "%lld", (long long)st->quantity);
    snprintf(al, sizeof al, "%lld", (long long)st->alert);
    const char *a[] = {st->name, q, al, st->unit, st->block ? "block" : st->limit ? "limit" : "warn"};
    if (run(db, "INSERT INTO camp_mops_stock(item, initial, alert, unit, on_shortage)"
                " VALUES (?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?) ON CONFLICT(item) DO UPDATE SET"
                " initial = excluded.initial, alert = excluded.alert, unit = excluded.unit,"
                " on_shortage = excluded.on_shortage", 5, a))
      return -1;
  }
  for (int i = 0; i < m->interactions.len; i++) {
    const MopsInteraction *t = m->interactions.items[i];
    char cost[32], minutes[32];
    snprintf(cost, sizeof cost, "%lld", (long long)t->unit_cost);
    snprintf(minutes, sizeof minutes, "%lld", (long long)t->unit_minutes);
    const char *a[] = {t->name, t->type, t->channel, cost, minutes};
    if (run(db, "DELETE FROM camp_mops_interaction_templates WHERE name = ?", 1, a) ||
        run(db, "INSERT INTO camp_mops_interaction_templates(name, type, channel, unit_cost, unit_minutes)"
                " VALUES (?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER))", 5, a))
      return -1;
  }
  for (int i = 0; i < m->teams.len; i++) {
    const MopsTeam *t = m->teams.items[i];
    const char *a[] = {t->name, NULL};
    if (run(db, "DELETE FROM camp_mops_teams WHERE team = ?", 1, a)) return -1;
    for (int k = 0; k < t->nmembers; k++) {
      a[1] = t->members[k];
      if (run(db, "INSERT INTO camp_mops_teams(team, member) VALUES (?, ?) ON CONFLICT DO NOTHING", 2, a))
        return -1;
    }
  }
  return 0;
}

static int sync_tasks(Db *db, const char *camp, const MopsCampaign *mc) {
  /* tasks no longer declared go (done or not: the source is the truth) */
  DbStmt *st = db_prepare(db, "SELECT name FROM camp_mops_tasks WHERE campaign = ?");
  if (!st) return -1;
  db_bind_text(st, 1, camp);
  PtrVec gone = {0};
  Arena tmp = {0};  /* a zeroed arena is empty */
  while (db_step(st) == 1) {
    const char *name = db_column(st, 0).s;
    int keep = 0;
    for (int i = 0; i < mc->ntasks; i++) keep |= !strcmp(mc->tasks[i].name, name);
    if (!keep) vec_push(&tmp, &gone, arena_strdup(&tmp, name));
  }
  db_finalize(st);
  int rc = 0;
  for (int i = 0; i < gone.len && !rc; i++) {
    const char *a[] = {camp, gone.items[i]};
    rc = run(db, "DELETE FROM camp_mops_tasks WHERE campaign = ? AND name = ?", 2, a);
  }
  arena_free(&tmp);
  if (rc) return -1;
  for (int i = 0; i < mc->ntasks; i++) {
    const MopsTask *t = &mc->tasks[i];
    const char *a[] = {camp, t->name, t->after, t->formula, or_null(t->due_date), t->owner, t->team, t->note};
    if (run(db, "UPDATE camp_mops_tasks SET after_task = ?3, formula = ?4, due_date = ?5, owner = ?6,"
                " team = ?7, note = ?8 WHERE campaign = ?1 AND name = ?2", 8, a))
      return -1;
    if (db_changes(db) == 1) continue;
    if (run(db, "INSERT INTO camp_mops_tasks(id, campaign, name, after_task, formula, due_date, owner, team, note)"
                " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM camp_mops_tasks), ?, ?, ?, ?, ?, ?, ?, ?)", 8, a))
      return -1;
  }
  return 0;
}

static int sync_offers(Db *db, const char *camp, const MopsCampaign *mc, const char *from, const char *to) {
  const char *a[] = {camp};
  if (run(db, "DELETE FROM camp_mops_offer_defs WHERE campaign = ?", 1, a)) return -1;
  for (int i = 0; i < mc->noffers; i++) {
    const MopsOffer *o = &mc->offers[i];
    char price[32], disc[32];
    snprintf(price, sizeof price, "%lld", (long long)o->price);
    snprintf(disc, sizeof disc, "%lld", (long long)o->discount);
    const char *b[] = {camp, o->name, o->item, o->price >= 0 ? price : NULL, o->discount >= 0 ? disc : NULL,
                       o->segment, o->targets_only ? "1" : "0", from, to, o->saved_segment};
    if (run(db, "INSERT INTO camp_mops_offer_defs(campaign, name, item, price, discount, segment, targets_only,"
                " valid_from, valid_to, saved_segment) VALUES (?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?,"
                " CAST(? AS INTEGER), ?, ?, ?)", 10, b))
      return -1;
  }
  return 0;
}

static int sync_costs(Db *db, const char *camp, const MopsCampaign *mc) {
  const char *a[] = {camp};
  if (run(db, "DELETE FROM camp_mops_consumes WHERE campaign = ?", 1, a)) return -1;
  for (int i = 0; i < mc->nconsumes; i++) {
    const MopsConsume *u = &mc->consumes[i];
    char per[32];
    snprintf(per, sizeof per, "%lld", (long long)u->per);
    const char *b[] = {camp, u->name, u->stock, u->step, per};
    if (run(db, "INSERT INTO camp_mops_consumes(campaign, name, item, step, per)"
                " VALUES (?, ?, ?, ?, CAST(? AS INTEGER))", 5, b))
      return -1;
  }
  if (run(db, "DELETE FROM camp_mops_costs WHERE campaign = ?", 1, a) ||
      run(db, "DELETE FROM camp_mops_cost_steps WHERE campaign = ?", 1, a))
    return -1;
  static const char *const kinds[] = {"fixed", "per_message", "per_piece"};
  for (int i = 0; i < mc->ncosts; i++) {
    const MopsCost *m = &mc->costs[i];
    char amount[32];
    snprintf(amount, sizeof amount, "%lld", (long long)m->amount);
    const char *b[] = {camp, m->name, kinds[m->kind], amount, m->scope, m->task};
    if (run(db, "INSERT INTO camp_mops_costs(campaign, name, kind, amount, scope, task)"
                " VALUES (?, ?, ?, CAST(? AS INTEGER), ?, ?)", 6, b))
      return -1;
    for (int k = 0; k < m->nsteps; k++) {
      const char *c[] = {camp, m->name, m->steps[k]};
      if (run(db, "INSERT INTO camp_mops_cost_steps(campaign, cost, step) VALUES (?, ?, ?)"
                  " ON CONFLICT DO NOTHING", 3, c))
        return -1;
    }
  }
  return 0;
}

int mops_sync(Db *db, Program *p, Decl *campaign, const char *now, const char *who, char *err,
              size_t errlen) {
  const MopsModel *m = program_mops(p);
  const MopsCampaign *mc = program_mops_campaign(campaign);
  const CampOps *ops = program_ops(campaign);
  if (db_begin(db)) goto fail;
  char start[11] = "", end[11] = "";
  snprintf(start, sizeof start, "%.10s", ops->start_date);
  snprintf(end, sizeof end, "%.10s", ops->end_date);
  char budget[32];
  snprintf(budget, sizeof budget, "%lld", (long long)mc->budget);
  const char *a[] = {"campaign", campaign->name, mc->program, NULL, or_null(start), or_null(end),
                     mc->statuses ? mc->statuses->name : NULL, mc->budget >= 0 ? budget : NULL,
                     mc->block ? "block" : "warn", mc->success};
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "owner") && h->value->kind == E_STR) a[3] = h->value->text;
  }
  if (sync_model(db, m) ||
      run(db, "DELETE FROM camp_mops_nodes WHERE kind = ? AND name = ?", 2, a) ||
      run(db, "INSERT INTO camp_mops_nodes(kind, name, parent, owner, start_date, end_date, statuses, budget,"
              " over_budget, success) VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?)", 10, a) ||
      sync_tasks(db, campaign->name, mc) || sync_costs(db, campaign->name, mc) ||
      sync_offers(db, campaign->name, mc, or_null(start), or_null(end)))
    goto fail_tx;
  if (mc->statuses) {
    /* a campaign whose status set changed starts over at the first code */
    const char *b[] = {campaign->name, mc->statuses->name, mc->statuses->codes[0], now, who};
    if (run(db, "DELETE FROM camp_mops_status WHERE campaign = ? AND set_name <> ?", 2, b) ||
        run(db, "INSERT INTO camp_mops_status(campaign, set_name, code, set_at, set_by) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(campaign) DO NOTHING", 5, b))
      goto fail_tx;
    if (db_changes(db) == 1 &&
        ops_audit(db, now, who, campaign->name, 0, NULL, "status", NULL, mc->statuses->codes[0], NULL))
      goto fail_tx;
  } else {
    const char *b[] = {campaign->name};
    if (run(db, "DELETE FROM camp_mops_status WHERE campaign = ?", 1, b)) goto fail_tx;
  }
  if (db_commit(db)) goto fail_tx;
  return 0;
fail_tx:
  snprintf(err, errlen, "cannot store the marketing operations: %s", db_error(db));
  db_rollback(db);
  return -1;
fail:
  snprintf(err, errlen, "cannot store the marketing operations: %s", db_error(db));
  return -1;
}

/* ------------------------------------------------------------- tasks */

#define TASK_SELECT                                                                             \
  "SELECT t.id, t.campaign, t.name, t.due_date, t.owner, t.team, t.formula, t.after_task, t.note" \
  " FROM camp_mops_tasks t WHERE t.done_at IS NULL"

int mops_print_tasks(Db *db, const MopsTaskFilter *f, const char *now, int json, FILE *out) {
  DbStmt *st = db_prepare(db, TASK_SELECT
      " AND (CAST(?1 AS TEXT) IS NULL OR t.owner = ?1 OR t.team = ?1 OR EXISTS (SELECT 1 FROM camp_mops_teams m"
      "      WHERE m.team = t.team AND m.member = ?1))"
      " AND (CAST(?2 AS TEXT) IS NULL OR t.due_date < ?2) AND (CAST(?3 AS TEXT) IS NULL OR t.campaign = ?3)"
      " ORDER BY t.due_date IS NULL, t.due_date, t.campaign, t.id");
  if (!st) {
    /* a database camp never wrote to has no tasks */
    if (json) fputs("[]\n", out);
    else fputs("no open tasks\n", out);
    return 0;
  }
  if (f->who) db_bind_text(st, 1, f->who); else db_bind_null(st, 1);
  if (f->due_before) db_bind_text(st, 2, f->due_before); else db_bind_null(st, 2);
  if (f->campaign) db_bind_text(st, 3, f->campaign); else db_bind_null(st, 3);
  static const char *const hdr[] = {"ID", "CAMPAIGN", "TASK", "DUE", "STATE", "OWNER", "TEAM", "FORMULA"};
  ReportTable t;
  rt_init(&t, 8, hdr);
  json_t *arr = json_array();
  int n = 0, rc;
  char today[11];
  snprintf(today, sizeof today, "%.10s", now);
  while ((rc = db_step(st)) == 1) {
    char *v[9];
    for (int c = 0; c < 9; c++) v[c] = report_col_text(st, c);
    const char *state = v[3] && strcmp(v[3], today) < 0 ? "overdue" : "open";
    char formula[160];
    snprintf(formula, sizeof formula, "%s after %s", v[6] ? v[6] : "", v[7] ? v[7] : "start");
    if (json) {
      json_t *j = json_object();
      json_object_set_new(j, "id", report_col_json(st, 0));
      json_object_set_new(j, "campaign", json_string(v[1]));
      json_object_set_new(j, "task", json_string(v[2]));
      json_object_set_new(j, "due", report_col_json(st, 3));
      json_object_set_new(j, "state", json_string(state));
      json_object_set_new(j, "owner", report_col_json(st, 4));
      json_object_set_new(j, "team", report_col_json(st, 5));
      json_object_set_new(j, "formula", report_col_json(st, 6));
      json_object_set_new(j, "after", report_col_json(st, 7));
      json_object_set_new(j, "note", report_col_json(st, 8));
      json_array_append_new(arr, j);
    } else {
      const char *row[] = {v[0], v[1], v[2], v[3], state, v[4], v[5], formula};
      rt_add(&t, row);
    }
    for (int c = 0; c < 9; c++) free(v[c]);
    n++;
  }
  db_finalize(st);
  if (json) {
    json_dumpf(arr, out, JSON_INDENT(2));
    fputc('\n', out);
  } else if (n) rt_print(&t, out, "");
  else fputs("no open tasks\n", out);
  json_decref(arr);
  rt_free(&t);
  return rc < 0 ? -1 : n;
}

int mops_task_done(Db *db, int64_t id, const char *now, const char *who, char *err, size_t errlen) {
  DbStmt *st = db_prepare(db, "SELECT campaign, name, done_at, done_by FROM camp_mops_tasks WHERE id = ?");
  if (!st) {
    snprintf(err, errlen, "no task %lld", (long long)id);
    return 1;
  }
  db_bind_int(st, 1, id);
  char camp[256] = "", name[256] = "";
  int found = db_step(st) == 1, done = 0;
  if (found) {
    snprintf(camp, sizeof camp, "%s", db_column(st, 0).s);
    snprintf(name, sizeof name, "%s", db_column(st, 1).s);
    if (db_column(st, 2).kind != DBV_NULL) {
      done = 1;
      snprintf(err, errlen, "task %lld (%s of %s) was already done at %s by %s", (long long)id, name, camp,
               db_column(st, 2).s, db_column(st, 3).s ? db_column(st, 3).s : "?");
    }
  }
  db_finalize(st);
  if (!found) {
    snprintf(err, errlen, "no task %lld", (long long)id);
    return 1;
  }
  if (done) return 2;
  if (db_begin(db)) goto fail;
  st = db_prepare(db, "UPDATE camp_mops_tasks SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL");
  if (!st) goto fail_tx;
  db_bind_text(st, 1, now);
  db_bind_text(st, 2, who);
  db_bind_int(st, 3, id);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0 || ops_audit(db, now, who, camp, 0, name, "task done", "open", "done", NULL) || db_commit(db))
    goto fail_tx;
  return 0;
fail_tx:
  db_rollback(db);
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int mops_print_overdue(Db *db, const char *campaign, const char *now, FILE *out) {
  char today[11];
  snprintf(today, sizeof today, "%.10s", now);
  DbStmt *st = db_prepare(db, TASK_SELECT " AND t.due_date < ?1 AND (CAST(?2 AS TEXT) IS NULL OR t.campaign = ?2)"
                                          " ORDER BY t.due_date, t.campaign, t.id");
  if (!st) return 0;
  db_bind_text(st, 1, today);
  if (campaign) db_bind_text(st, 2, campaign); else db_bind_null(st, 2);
  int n = 0;
  while (db_step(st) == 1) {
    if (!n++) fputs("\nOverdue tasks:\n", out);
    const char *owner = db_column(st, 4).s ? db_column(st, 4).s : db_column(st, 5).s;
    fprintf(out, "  #%lld %s / %s  due %s  (%s)\n", (long long)db_column(st, 0).i, db_column(st, 1).s,
            db_column(st, 2).s, db_column(st, 3).s, owner ? owner : "nobody");
  }
  db_finalize(st);
  return n;
}

/* ----------------------------------------------------------- status */

void mops_status_of(Db *db, const char *campaign, char *out, size_t outlen) {
  out[0] = 0;
  DbStmt *st = db_prepare(db, "SELECT code FROM camp_mops_status WHERE campaign = ?");
  if (!st) return;
  db_bind_text(st, 1, campaign);
  if (db_step(st) == 1) snprintf(out, outlen, "%s", db_column(st, 0).s);
  db_finalize(st);
}

/* The codes allowed after (set, code), comma-separated, into out. */
static void allowed_next(Db *db, const char *set, const char *code, char *out, size_t outlen) {
  out[0] = 0;
  DbStmt *st = db_prepare(db, "SELECT n.next_code FROM camp_mops_status_next n JOIN camp_mops_status_codes c"
                              " ON c.set_name = n.set_name AND c.code = n.next_code"
                              " WHERE n.set_name = ? AND n.code = ? ORDER BY c.ord");
  if (!st) return;
  db_bind_text(st, 1, set);
  db_bind_text(st, 2, code);
  while (db_step(st) == 1) {
    if (out[0]) strncat(out, ", ", outlen - strlen(out) - 1);
    strncat(out, db_column(st, 0).s, outlen - strlen(out) - 1);
  }
  db_finalize(st);
}

int mops_set_status(Db *db, const char *campaign, const char *code, const char *now, const char *who,
                    const char *reason, char *err, size_t errlen) {
  if (db_begin(db)) goto fail;
  DbStmt *st = db_prepare(db, "SELECT set_name, code FROM camp_mops_status WHERE campaign = ?");
  if (!st) goto fail_tx;
  db_bind_text(st, 1, campaign);
  char set[256] = "", cur[256] = "";
  int have = db_step(st) == 1;
  if (have) {
    snprintf(set, sizeof set, "%s", db_column(st, 0).s);
    snprintf(cur, sizeof cur, "%s", db_column(st, 1).s);
  }
  db_finalize(st);
  if (!have) {
    snprintf(err, errlen, "campaign `%s` has no status codes (deploy it with `program` or `statuses`)", campaign);
    db_rollback(db);
    return 1;
  }
  const char *a[] = {set, cur, code};
  st = db_prepare(db, "SELECT (SELECT count(*) FROM camp_mops_status_codes WHERE set_name = ?1 AND code = ?3),"
                      " (SELECT count(*) FROM camp_mops_status_next WHERE set_name = ?1 AND code = ?2"
                      "  AND next_code = ?3)");
  if (!st) goto fail_tx;
  for (int i = 0; i < 3; i++) db_bind_text(st, i + 1, a[i]);
  int known = 0, ok = 0;
  if (db_step(st) == 1) {
    known = (int)db_column(st, 0).i;
    ok = (int)db_column(st, 1).i;
  }
  db_finalize(st);
  if (!ok) {
    char next[1024];
    allowed_next(db, set, cur, next, sizeof next);
    if (!known) snprintf(err, errlen, "`%s` is not a status code of `%s`", code, set);
    else snprintf(err, errlen, "campaign `%s` is `%s`: `%s` may not follow it", campaign, cur, code);
    size_t l = strlen(err);
    snprintf(err + l, errlen - l, " (allowed next: %s)", next[0] ? next : "none, it is final");
    db_rollback(db);
    return 1;
  }
  const char *b[] = {code, now, who, campaign};
  if (run(db, "UPDATE camp_mops_status SET code = ?, set_at = ?, set_by = ? WHERE campaign = ?", 4, b) ||
      ops_audit(db, now, who, campaign, 0, NULL, "status", cur, code, reason) || db_commit(db))
    goto fail_tx;
  return 0;
fail_tx:
  db_rollback(db);
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}
