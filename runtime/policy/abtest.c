/* abtest.c — A/B content tests at run time (see abtest.h). */
#include "runtime/policy/abtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char abtest_cell(const char *campaign, const char *step, DbValue key, const AbSpec *sp) {
  DbValue hv[4] = {{DBV_TEXT, 0, 0, "camp-abtest"}, {DBV_TEXT, 0, 0, campaign}, {DBV_TEXT, 0, 0, step}, key};
  double h = (double)(db_hash_values(hv, 4) % 10000);
  size_t n = strlen(sp->variants);
  for (size_t i = 0; i < n; i++)
    if (h < (double)(i + 1) * sp->cell_percent * 100.0) return sp->variants[i];
  return 0;
}

static void plus_seconds(const char *ts, int64_t secs, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  out[0] = 0;
  if (!strptime(ts, "%Y-%m-%d %H:%M:%S", &tm)) return;
  time_t t = timegm(&tm) + (time_t)secs;
  gmtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

int abtest_start(Db *db, int64_t run_id, const char *campaign, const char *step, const char *spec, const AbSpec *sp,
                 const char *table, const char *now, char due[20], char *err, size_t errlen) {
  plus_seconds(now, sp->after, due);
  DbStmt *t = db_prepare(db, "INSERT INTO camp_abtest(run_id, step, spec, variants, cell_percent, metric, started_at,"
                             " due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, step) DO NOTHING");
  char sql[700];
  snprintf(sql, sizeof sql, "SELECT \"_key\" FROM %s ORDER BY 1", table);
  DbStmt *rows = db_prepare(db, sql);
  DbStmt *ins = db_prepare(db, "INSERT INTO camp_abtest_cells(run_id, step, recipient_key, cell) VALUES (?, ?, ?, ?)"
                               " ON CONFLICT DO NOTHING");
  int rc = t && rows && ins && due[0] ? 0 : -1;
  if (rc == 0) {
    db_bind_int(t, 1, run_id);
    db_bind_text(t, 2, step);
    db_bind_text(t, 3, spec);
    db_bind_text(t, 4, sp->variants);
    db_bind(t, 5, (DbValue){DBV_REAL, 0, sp->cell_percent, NULL});
    db_bind_text(t, 6, abtest_metric_text(sp));
    db_bind_text(t, 7, now);
    db_bind_text(t, 8, due);
    if (db_step(t) < 0) rc = -1;
  }
  while (rc == 0 && db_step(rows) == 1) {
    DbValue k = db_column(rows, 0);
    char c = abtest_cell(campaign, step, k, sp);
    char cell[8];
    snprintf(cell, sizeof cell, "%s", c ? (char[]){c, 0} : "rest");
    db_reset(ins);
    db_bind_int(ins, 1, run_id);
    db_bind_text(ins, 2, step);
    db_bind(ins, 3, k);
    db_bind_text(ins, 4, cell);
    if (db_step(ins) < 0) rc = -1;
  }
  if (rc) snprintf(err, errlen, "step %s: starting the A/B test: %s", step, db_error(db));
  db_finalize(t);
  db_finalize(rows);
  db_finalize(ins);
  return rc;
}

/* The test's header row into r (variants, metric, times, winner); 1 if none. */
static int load_head(Db *db, int64_t run_id, const char *step, AbResult *r, char *variants) {
  DbStmt *st = db_prepare(db, "SELECT variants, metric, started_at, due_at, winner, decided_at FROM camp_abtest"
                              " WHERE run_id = ? AND step = ?");
  if (!st) return -1;
  db_bind_int(st, 1, run_id);
  db_bind_text(st, 2, step);
  int rc = db_step(st);
  if (rc == 1) {
    snprintf(variants, 27, "%s", db_column(st, 0).s);
    snprintf(r->metric, sizeof r->metric, "%s", db_column(st, 1).s);
    snprintf(r->started, sizeof r->started, "%s", db_column(st, 2).s);
    snprintf(r->due, sizeof r->due, "%s", db_column(st, 3).s);
    DbValue w = db_column(st, 4), d = db_column(st, 5);
    r->winner = w.kind == DBV_TEXT ? w.s[0] : 0;
    snprintf(r->decided, sizeof r->decided, "%s", d.kind == DBV_TEXT ? d.s : "");
  }
  db_finalize(st);
  return rc == 1 ? 0 : rc < 0 ? -1 : 1;
}

int abtest_figures(Db *db, int64_t run_id, const char *step, AbResult *r, char *err, size_t errlen) {
  char variants[27];
  memset(r, 0, sizeof *r);
  int h = load_head(db, run_id, step, r, variants);
  if (h) {
    snprintf(err, errlen, "step %s of run %lld has no A/B test%s%s", step, (long long)run_id, h < 0 ? ": " : "",
             h < 0 ? db_error(db) : "");
    return -1;
  }
  /* a success rule's hits are counted by abtest_success_hits */
  const char *ev = !strcmp(r->metric, "open_rate") ? "opened" : !strcmp(r->metric, "click_rate") ? "clicked" : NULL;
  DbStmt *st = db_prepare(db,
      "SELECT count(*), count(o.id) FILTER (WHERE o.status = 'sent'),"
      " count(o.id) FILTER (WHERE o.status = 'sent' AND EXISTS (SELECT 1 FROM camp_feedback f"
      "  WHERE f.outbox_id = o.id AND f.event = 'opened')),"
      " count(o.id) FILTER (WHERE o.status = 'sent' AND EXISTS (SELECT 1 FROM camp_feedback f"
      "  WHERE f.outbox_id = o.id AND f.event = 'clicked')),"
      " count(o.id) FILTER (WHERE o.status = 'sent' AND EXISTS (SELECT 1 FROM camp_feedback f"
      "  WHERE f.outbox_id = o.id AND f.event = ?4))"
      " FROM camp_abtest_cells c LEFT JOIN camp_outbox o ON o.run_id = c.run_id AND o.step = c.step"
      " AND o.recipient_key = c.recipient_key WHERE c.run_id = ?1 AND c.step = ?2 AND c.cell = ?3");
  if (!st) {
    snprintf(err, errlen, "A/B test figures: %s", db_error(db));
    return -1;
  }
  for (int i = 0; variants[i]; i++) {
    AbCell *c = &r->c[r->n++];
    c->cell = variants[i];
    char cell[2] = {variants[i], 0};
    db_reset(st);
    db_bind_int(st, 1, run_id);
    db_bind_text(st, 2, step);
    db_bind_text(st, 3, cell);
    if (ev) db_bind_text(st, 4, ev); else db_bind_null(st, 4);
    if (db_step(st) != 1) {
      snprintf(err, errlen, "A/B test figures: %s", db_error(db));
      db_finalize(st);
      return -1;
    }
    c->members = db_column(st, 0).i;
    c->sent = db_column(st, 1).i;
    c->opened = db_column(st, 2).i;
    c->clicked = db_column(st, 3).i;
    c->hits = db_column(st, 4).i;
    c->rate = c->sent ? (double)c->hits / (double)c->sent : 0;
  }
  db_finalize(st);
  return 0;
}

int abtest_success_hits(Db *db, int64_t run_id, const char *step, const char *dim, const char *keycol,
                        const char *cond, AbResult *r, char *err, size_t errlen) {
  size_t cap = strlen(cond) + strlen(dim) + strlen(keycol) + 600;
  char *sql = malloc(cap);
  if (!sql) abort();
  snprintf(sql, cap,
           "SELECT count(*) FROM camp_abtest_cells c JOIN camp_outbox o ON o.run_id = c.run_id AND o.step = c.step"
           " AND o.recipient_key = c.recipient_key AND o.status = 'sent' JOIN \"%s\" AS t0 ON t0.\"%s\" = c.recipient_key"
           " WHERE c.run_id = ? AND c.step = ? AND c.cell = ? AND (%s)", dim, keycol, cond);
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  int rc = st ? 0 : -1;
  for (int i = 0; rc == 0 && i < r->n; i++) {
    AbCell *c = &r->c[i];
    char cell[2] = {c->cell, 0};
    db_reset(st);
    db_bind_int(st, 1, run_id);
    db_bind_text(st, 2, step);
    db_bind_text(st, 3, cell);
    if (db_step(st) != 1) rc = -1;
    else {
      c->hits = db_column(st, 0).i;
      c->rate = c->sent ? (double)c->hits / (double)c->sent : 0;
    }
  }
  if (rc) snprintf(err, errlen, "step %s: the A/B test's success rule: %s", step, db_error(db));
  db_finalize(st);
  return rc;
}

char abtest_winner(const AbResult *r) {
  int best = -1;
  for (int i = 0; i < r->n; i++) {
    if (best < 0) {
      best = i;
      continue;
    }
    const AbCell *a = &r->c[i], *b = &r->c[best];
    /* a's rate above b's, exactly: hits_a / sent_a > hits_b / sent_b (0/0 = 0) */
    __int128 lhs = (__int128)a->hits * (b->sent ? b->sent : 1), rhs = (__int128)b->hits * (a->sent ? a->sent : 1);
    if (!a->sent) lhs = 0;
    if (!b->sent) rhs = 0;
    if (lhs > rhs) best = i;
  }
  return best < 0 ? 0 : r->c[best].cell;
}

int abtest_decide(Db *db, int64_t run_id, const char *step, const AbResult *r, char winner, const char *now,
                  char *err, size_t errlen) {
  DbStmt *ins = db_prepare(db, "INSERT INTO camp_abtest_results(run_id, step, cell, sent, opened, clicked, hits)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, step, cell) DO UPDATE SET"
                               " sent = excluded.sent, opened = excluded.opened, clicked = excluded.clicked,"
                               " hits = excluded.hits");
  DbStmt *up = db_prepare(db, "UPDATE camp_abtest SET winner = ?, decided_at = ? WHERE run_id = ? AND step = ?");
  int rc = ins && up ? 0 : -1;
  for (int i = 0; rc == 0 && i < r->n; i++) {
    const AbCell *c = &r->c[i];
    char cell[2] = {c->cell, 0};
    db_reset(ins);
    db_bind_int(ins, 1, run_id);
    db_bind_text(ins, 2, step);
    db_bind_text(ins, 3, cell);
    db_bind_int(ins, 4, c->sent);
    db_bind_int(ins, 5, c->opened);
    db_bind_int(ins, 6, c->clicked);
    db_bind_int(ins, 7, c->hits);
    if (db_step(ins) < 0) rc = -1;
  }
  if (rc == 0) {
    char w[2] = {winner, 0};
    db_bind_text(up, 1, w);
    db_bind_text(up, 2, now);
    db_bind_int(up, 3, run_id);
    db_bind_text(up, 4, step);
    if (db_step(up) < 0) rc = -1;
  }
  if (rc) snprintf(err, errlen, "step %s: recording the A/B test's winner: %s", step, db_error(db));
  db_finalize(ins);
  db_finalize(up);
  return rc;
}

int abtest_load(Db *db, int64_t run_id, const char *step, AbResult *r, char *err, size_t errlen) {
  if (db_table_exists(db, "camp_abtest") != 1) return 1;
  char variants[27];
  memset(r, 0, sizeof *r);
  int h = load_head(db, run_id, step, r, variants);
  if (h) return h;
  if (!r->winner) return abtest_figures(db, run_id, step, r, err, errlen) ? -1 : 0;
  /* decided: the figures it was decided on, and the members as now */
  AbResult now;
  if (abtest_figures(db, run_id, step, &now, err, errlen)) return -1;
  DbStmt *st = db_prepare(db, "SELECT sent, opened, clicked, hits FROM camp_abtest_results WHERE run_id = ?"
                              " AND step = ? AND cell = ?");
  if (!st) return -1;
  for (int i = 0; i < now.n; i++) {
    AbCell *c = &now.c[i];
    char cell[2] = {c->cell, 0};
    db_reset(st);
    db_bind_int(st, 1, run_id);
    db_bind_text(st, 2, step);
    db_bind_text(st, 3, cell);
    if (db_step(st) == 1) {
      c->sent = db_column(st, 0).i;
      c->opened = db_column(st, 1).i;
      c->clicked = db_column(st, 2).i;
      c->hits = db_column(st, 3).i;
      c->rate = c->sent ? (double)c->hits / (double)c->sent : 0;
    }
  }
  db_finalize(st);
  *r = now;
  return 0;
}

int abtest_steps(Db *db, int64_t run_id, void (*fn)(void *ctx, const char *step), void *ctx) {
  if (db_table_exists(db, "camp_abtest") != 1) return 0;
  DbStmt *st = db_prepare(db, "SELECT step FROM camp_abtest WHERE run_id = ? ORDER BY started_at, step");
  if (!st) return -1;
  db_bind_int(st, 1, run_id);
  while (db_step(st) == 1) fn(ctx, db_column(st, 0).s);
  db_finalize(st);
  return 0;
}

AbTest abtest_ztest(int64_t x1, int64_t n1, int64_t x2, int64_t n2) {
  AbTest t = {0, 0, 1, 0, 0, 0};
  if (n1 <= 0 || n2 <= 0) return t;
  double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
  double p = (double)(x1 + x2) / (double)(n1 + n2);
  double se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
  double seu = sqrt(p1 * (1 - p1) / (double)n1 + p2 * (1 - p2) / (double)n2);
  t.diff = p1 - p2;
  t.ci_low = t.diff - 1.959964 * seu;
  t.ci_high = t.diff + 1.959964 * seu;
  if (se > 0) {
    t.z = t.diff / se;
    t.p = erfc(fabs(t.z) / sqrt(2.0));
  }
  t.significant = t.p < 0.05;
  return t;
}
