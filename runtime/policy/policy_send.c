/* policy_send.c — the contact policy at send time (policy_sweep) and the
 * recorded removals (policy_counts); see policy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/db/store_track.h"
#include "lang/clock.h"
#include "runtime/policy/policy.h"

typedef struct Stop {
  int64_t id;
  PolicyReason why;
  char *key, *addr;
  char *detail; /* pressure: "email max 3 per 7d: 3 counted"; else NULL */
} Stop;

typedef struct Stops {
  Stop *v;
  size_t n, cap;
} Stops;

static void stops_add(Stops *s, int64_t id, PolicyReason why, DbValue key, const char *addr) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    if (!s->v) abort();
  }
  char k[256];
  if (key.kind == DBV_INT) snprintf(k, sizeof k, "%lld", (long long)key.i);
  else snprintf(k, sizeof k, "%s", key.kind == DBV_TEXT ? key.s : "");
  s->v[s->n++] = (Stop){id, why, strdup(k), addr ? strdup(addr) : NULL, NULL};
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* ------------------------------------------------- pressure at send time */

/* now - secs, both 'YYYY-MM-DD HH:MM:SS' (UTC). */
static int since_of(const char *now, int64_t secs, char out[20]) {
  clock_add_seconds(now, -secs, out);
  return out[0] ? 0 : -1;
}

typedef struct SendRule {
  char *channel, *period; /* channel NULL: all channels */
  int64_t max;
  char since[20];
} SendRule;

/* The pressure rules again, at send time: a message due now (queued or
 * deferred, its send window open) leaves only while (messages on the
 * rule's channel, or any, sent to its recipient within the period before
 * now — by any campaign, also after this run was planned) + (messages
 * admitted before it in this sweep) stays below the rule's max.  Messages
 * are admitted by weight (highest first), then in queue order.
 * Transactional ones are exempt and never count.  Those over a rule join
 * out with reason pressure.  Keys compare as the outbox keeps them (text on
 * PostgreSQL). */
static int pressure_sweep(Db *db, int64_t run_id, const char *channel, const char *now, Stops *out) {
  if (db_table_exists(db, "camp_policy_rules") != 1) return 0;
  const char *tmp = db_temp_schema(db);
  char sql[900];
  DbStmt *rules = db_prepare(db, "SELECT channel, max_messages, period_seconds, period FROM camp_policy_rules ORDER BY id");
  if (!rules) return -1;
  SendRule rs[32];
  int nr = 0;
  while (nr < 32 && db_step(rules) == 1) {
    DbValue c = db_column(rules, 0), pt = db_column(rules, 3);
    rs[nr] = (SendRule){c.kind == DBV_TEXT ? strdup(c.s) : NULL, strdup(pt.kind == DBV_TEXT ? pt.s : ""),
                        db_column(rules, 1).i, ""};
    if (since_of(now, db_column(rules, 2).i, rs[nr].since)) rs[nr].since[0] = 0;
    nr++;
  }
  db_finalize(rules);
  int rc = 0;
  if (nr == 0) return 0;
  snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.camp_pressure_admitted;"
                            "CREATE TEMP TABLE camp_pressure_admitted(dimension TEXT, recipient_key%s, channel TEXT)",
           tmp, db_keys_as_text(db) ? " TEXT" : "");
  if (db_exec(db, sql)) rc = -1;
  DbStmt *cand = rc ? NULL : db_prepare(db,
      "SELECT o.id, o.recipient_key, o.channel, ps.dimension, o.address FROM camp_outbox o"
      " JOIN camp_policy_steps ps ON ps.run_id = o.run_id AND ps.step = o.step"
      " WHERE o.status IN ('queued', 'deferred') AND ps.transactional = 0"
      " AND (o.policy_due_at IS NULL OR o.policy_due_at <= ?3)"
      " AND (CAST(?1 AS INTEGER) = 0 OR o.run_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR o.channel = ?2)"
      " ORDER BY ps.weight DESC, o.id");
  snprintf(sql, sizeof sql,
      "SELECT (SELECT count(*) FROM camp_outbox o LEFT JOIN camp_policy_steps ps"
      " ON ps.run_id = o.run_id AND ps.step = o.step WHERE o.recipient_key = ?1"
      " AND COALESCE(ps.dimension, ?2) = ?2 AND COALESCE(ps.transactional, 0) = 0"
      " AND (CAST(?3 AS TEXT) IS NULL OR o.channel = ?3) AND o.status = 'sent'"
      " AND o.sent_at > ?4 AND o.sent_at <= ?5)"
      " + (SELECT count(*) FROM %s.camp_pressure_admitted a WHERE a.recipient_key = ?1"
      " AND a.dimension = ?2 AND (CAST(?3 AS TEXT) IS NULL OR a.channel = ?3))", tmp);
  DbStmt *sent = rc ? NULL : db_prepare(db, sql);
  snprintf(sql, sizeof sql, "INSERT INTO %s.camp_pressure_admitted VALUES (?, ?, ?)", tmp);
  DbStmt *admit = rc ? NULL : db_prepare(db, sql);
  if (!cand || !sent || !admit) rc = -1;
  if (rc == 0) {
    db_bind_int(cand, 1, run_id);
    if (channel) db_bind_text(cand, 2, channel); else db_bind_null(cand, 2);
    db_bind_text(cand, 3, now);
  }
  /* the messages already stopped by consent, address or suppression */
  size_t nstopped = out->n;
  int64_t *stopped = malloc((nstopped + 1) * sizeof *stopped);
  if (!stopped) abort();
  for (size_t i = 0; i < nstopped; i++) stopped[i] = out->v[i].id;
  qsort(stopped, nstopped, sizeof *stopped, cmp_id);
  int r = 0;
  while (rc == 0 && (r = db_step(cand)) == 1) {
    int64_t id = db_column(cand, 0).i;
    if (bsearch(&id, stopped, nstopped, sizeof *stopped, cmp_id)) continue;
    DbValue key = db_column(cand, 1), a = db_column(cand, 4);
    const char *ch = db_column(cand, 2).s, *dim = db_column(cand, 3).s;
    int over = -1;
    int64_t n = 0;
    for (int i = 0; i < nr && over < 0 && rc == 0; i++) {
      if ((rs[i].channel && strcmp(rs[i].channel, ch)) || !rs[i].since[0]) continue;
      db_reset(sent);
      db_bind(sent, 1, key);
      db_bind_text(sent, 2, dim);
      if (rs[i].channel) db_bind_text(sent, 3, rs[i].channel); else db_bind_null(sent, 3);
      db_bind_text(sent, 4, rs[i].since);
      db_bind_text(sent, 5, now);
      if (db_step(sent) != 1) rc = -1;
      else if ((n = db_column(sent, 0).i) >= rs[i].max) over = i;
      db_reset(sent);
    }
    if (rc) break;
    if (over >= 0) {
      stops_add(out, id, POL_PRESSURE, key, a.kind == DBV_TEXT ? a.s : NULL);
      char detail[160];
      snprintf(detail, sizeof detail, "%s max %lld per %s: %lld counted at send", rs[over].channel ? rs[over].channel : "all",
               (long long)rs[over].max, rs[over].period, (long long)n);
      out->v[out->n - 1].detail = strdup(detail);
      continue;
    }
    db_reset(admit);
    db_bind_text(admit, 1, dim);
    db_bind(admit, 2, key);
    db_bind_text(admit, 3, ch);
    if (db_step(admit) < 0) rc = -1;
  }
  if (r < 0) rc = -1;
  free(stopped);
  db_finalize(cand);
  db_finalize(sent);
  db_finalize(admit);
  snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.camp_pressure_admitted", tmp);
  db_exec(db, sql);
  for (int i = 0; i < nr; i++) {
    free(rs[i].channel);
    free(rs[i].period);
  }
  return rc;
}


/* The clock a consent rule's now() reads (SQLite: temp.camp_params). */
static int set_params(Db *db, const char *now) {
  if (strcmp(db_backend(db), "sqlite")) return 0;
  if (db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS camp_params(now TEXT, seed INTEGER, run_id INTEGER);"
                  "DELETE FROM temp.camp_params"))
    return -1;
  DbStmt *st = db_prepare(db, "INSERT INTO temp.camp_params VALUES (?, 0, 0)");
  if (!st) return -1;
  db_bind_text(st, 1, now);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* The messages of one recorded step that the policy refuses now. */
static int sweep_step(Db *db, DbStmt *step_row, DbStmt *supp, Stops *out) {
  int64_t run = db_column(step_row, 0).i;
  const char *step = db_column(step_row, 1).s, *channel = db_column(step_row, 2).s;
  const char *dim = db_column(step_row, 3).s, *keycol = db_column(step_row, 4).s;
  DbValue ac = db_column(step_row, 5), cs = db_column(step_row, 6);
  int transactional = db_column(step_row, 7).kind == DBV_INT && db_column(step_row, 7).i;
  const char *consent = cs.kind == DBV_TEXT && !transactional ? cs.s : NULL;
  DbStmt *cons = NULL;
  if (consent) {
    size_t cap = strlen(consent) + strlen(dim) + strlen(keycol) + 200;
    char *sql = malloc(cap);
    if (!sql) abort();
    snprintf(sql, cap, "SELECT CASE WHEN (%s) THEN 1 ELSE 0 END FROM \"%s\" AS t0 WHERE t0.\"%s\" = ?",
             consent, dim, keycol);
    cons = db_prepare(db, sql);
    free(sql);
    if (!cons) return -1;
  }
  DbStmt *msgs = db_prepare(db, "SELECT id, recipient_key, address FROM camp_outbox WHERE run_id = ?"
                                " AND step = ? AND status IN ('queued', 'deferred') ORDER BY id");
  if (!msgs) {
    db_finalize(cons);
    return -1;
  }
  db_bind_int(msgs, 1, run);
  db_bind_text(msgs, 2, step);
  int r, rc = 0;
  while ((r = db_step(msgs)) == 1) {
    DbValue id = db_column(msgs, 0), key = db_column(msgs, 1), a = db_column(msgs, 2);
    const char *addr = a.kind == DBV_TEXT ? a.s : NULL;
    PolicyReason why = POL_NREASONS;
    if (ac.kind == DBV_TEXT && !policy_address_valid(channel, addr)) why = POL_INVALID_ADDRESS;
    if (why == POL_NREASONS && cons) {
      db_reset(cons);
      db_bind(cons, 1, key);
      int c = db_step(cons);
      if (c < 0) {
        rc = -1;
        break;
      }
      /* a recipient whose row is gone has no consent either */
      if (c == 0 || db_column(cons, 0).kind != DBV_INT || !db_column(cons, 0).i) why = POL_NO_CONSENT;
      db_reset(cons);
    }
    if (why == POL_NREASONS && supp && addr) {
      char norm[1024];
      store_track_norm_address(channel, addr, norm, sizeof norm);
      db_reset(supp);
      db_bind_text(supp, 1, channel);
      db_bind_text(supp, 2, norm);
      if (db_step(supp) == 1) why = POL_SUPPRESSED;
      db_reset(supp);
    }
    if (why != POL_NREASONS) stops_add(out, id.i, why, key, addr);
  }
  if (r < 0) rc = -1;
  db_finalize(msgs);
  db_finalize(cons);
  return rc;
}

int64_t policy_sweep(Db *db, int64_t run_id, const char *channel, const char *now, char *err,
                     size_t errlen) {
  if (db_table_exists(db, "camp_policy_steps") != 1) return 0;
  if (db_begin(db)) {
    snprintf(err, errlen, "applying the contact policy: %s", db_error(db));
    return -1;
  }
  Stops stops = {0};
  DbStmt *steps = db_prepare(db,
      "SELECT s.run_id, s.step, s.channel, s.dimension, s.key_column, s.address_column, s.consent_sql,"
      " s.transactional FROM camp_policy_steps s WHERE (CAST(?1 AS INTEGER) = 0 OR s.run_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR s.channel = ?2)"
      " AND EXISTS (SELECT 1 FROM camp_outbox o WHERE o.run_id = s.run_id AND o.step = s.step"
      " AND o.status IN ('queued', 'deferred')) ORDER BY s.run_id, s.step");
  DbStmt *supp = db_table_exists(db, "camp_suppression") == 1
                     ? db_prepare(db, "SELECT 1 FROM camp_suppression WHERE channel = ? AND address = ?")
                     : NULL;
  int rc = steps && set_params(db, now) == 0 ? 0 : -1;
  int r = 0;
  if (rc == 0) {
    db_bind_int(steps, 1, run_id);
    if (channel) db_bind_text(steps, 2, channel); else db_bind_null(steps, 2);
    while (rc == 0 && (r = db_step(steps)) == 1) rc = sweep_step(db, steps, supp, &stops);
    if (r < 0) rc = -1;
  }
  /* pressure again, on what was sent since the run (other campaigns too) */
  if (rc == 0 && pressure_sweep(db, run_id, channel, now, &stops)) rc = -1;
  db_finalize(steps);
  db_finalize(supp);
  DbStmt *upd = rc == 0 ? db_prepare(db, "UPDATE camp_outbox SET status = 'suppressed', last_error = ?,"
                                         " lease_owner = NULL, lease_expires = NULL WHERE id = ?")
                        : NULL;
  DbStmt *rec = rc == 0 ? db_prepare(db,
      "INSERT INTO camp_policy_removed(run_id, step, recipient_key, channel, address, reason, stage, at, detail)"
      " SELECT run_id, step, ?, channel, address, ?, 'send', ?, ? FROM camp_outbox WHERE id = ?"
      " ON CONFLICT DO NOTHING") : NULL;
  if (rc == 0 && (!upd || !rec)) rc = -1;
  for (size_t i = 0; i < stops.n; i++) {
    Stop *s = &stops.v[i];
    if (rc == 0) {
      char why[64];
      snprintf(why, sizeof why, "policy: %s", policy_reason_name(s->why));
      db_reset(upd);
      db_bind_text(upd, 1, why);
      db_bind_int(upd, 2, s->id);
      db_reset(rec);
      db_bind_text(rec, 1, s->key);
      db_bind_text(rec, 2, policy_reason_name(s->why));
      db_bind_text(rec, 3, now);
      if (s->detail) db_bind_text(rec, 4, s->detail); else db_bind_null(rec, 4);
      db_bind_int(rec, 5, s->id);
      if (db_step(upd) < 0 || db_step(rec) < 0) rc = -1;
    }
    free(s->key);
    free(s->addr);
    free(s->detail);
  }
  free(stops.v);
  db_finalize(upd);
  db_finalize(rec);
  if (rc == 0 && db_commit(db) == 0) return (int64_t)stops.n;
  snprintf(err, errlen, "applying the contact policy: %s", db_error(db));
  db_rollback(db);
  return -1;
}

int policy_counts(Db *db, int64_t run_id, PolicyCountFn fn, void *ctx) {
  if (db_table_exists(db, "camp_policy_removed") != 1) return -1;
  DbStmt *st = db_prepare(db, "SELECT step, reason, stage, count(*) FROM camp_policy_removed WHERE run_id = ?"
                              " GROUP BY step, reason, stage ORDER BY step, stage, reason");
  if (!st) return -1;
  db_bind_int(st, 1, run_id);
  while (db_step(st) == 1)
    fn(ctx, db_column(st, 0).s, db_column(st, 1).s, db_column(st, 2).s, db_column(st, 3).i);
  db_finalize(st);
  return 0;
}
