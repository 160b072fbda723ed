/* pressure.c — pressure (fatigue) rules on a channel step's rows, and the
 * plan's record of its planned messages (see policy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/clock.h"
#include "runtime/policy/policy.h"

/* now - secs, both 'YYYY-MM-DD HH:MM:SS' (UTC). */
static int minus(const char *now, int64_t secs, char out[20]) {
  clock_add_seconds(now, -secs, out);
  return out[0] ? 0 : -1;
}

/* A step table's key as the outbox keeps recipient keys (db_keys_as_text). */
static const char *key_as_outbox(Db *db) { return db_keys_as_text(db) ? "CAST(p.\"_key\" AS TEXT)" : "p.\"_key\""; }

/* The plan's messages so far (a temporary table: one plan's, one
 * connection's). */
static int planned_table(Db *db) {
  return db_exec(db, db_keys_as_text(db) ? "CREATE TEMP TABLE IF NOT EXISTS camp_policy_planned(dimension TEXT, channel TEXT,"
                              " recipient_key TEXT, weight INTEGER, step TEXT)"
                            : "CREATE TEMP TABLE IF NOT EXISTS camp_policy_planned(dimension TEXT, channel TEXT,"
                              " recipient_key, weight INTEGER, step TEXT)");
}

/* The counted messages m(k, run_id, step, kind) and the recipients over
 * the rule: ?1 dimension, ?2 channel (NULL = all), ?3 since, ?4 now,
 * ?5 weight, ?6 max. */
static char *rule_sql(Db *db, const char *table, int plan, const char *tail) {
  char planned[400] = "";
  if (plan)
    snprintf(planned, sizeof planned,
             " UNION ALL SELECT recipient_key, 0, step, 'planned' FROM %s.camp_policy_planned"
             " WHERE dimension = ?1 AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2) AND weight >= ?5",
             db_temp_schema(db));
  size_t cap = 2048 + strlen(table) + strlen(tail);
  char *sql = malloc(cap);
  if (!sql) abort();
  snprintf(sql, cap,
           "WITH m(k, run_id, step, kind) AS (SELECT o.recipient_key, o.run_id, o.step,"
           " CASE WHEN o.status = 'sent' THEN 'sent' ELSE 'planned' END"
           " FROM camp_outbox o LEFT JOIN camp_policy_steps ps ON ps.run_id = o.run_id AND ps.step = o.step"
           " WHERE COALESCE(ps.dimension, ?1) = ?1 AND COALESCE(ps.transactional, 0) = 0"
           " AND (CAST(?2 AS TEXT) IS NULL OR o.channel = ?2)"
           " AND ((o.status = 'sent' AND o.sent_at > ?3 AND o.sent_at <= ?4)"
           " OR (o.status IN ('queued', 'deferred', 'sending', 'held') AND COALESCE(ps.weight, 5) >= ?5))%s),"
           " over(key, k, n) AS (SELECT p.\"_key\", %s, count(*) FROM %s AS p"
           " JOIN m ON m.k = %s GROUP BY p.\"_key\" HAVING count(*) >= ?6) %s",
           planned, key_as_outbox(db), table, key_as_outbox(db), tail);
  return sql;
}

static void bind_rule(DbStmt *st, const PolicyStep *ps, const char *channel, const char *since, const char *now,
                      int64_t max) {
  db_bind_text(st, 1, ps->dimension);
  if (channel) db_bind_text(st, 2, channel); else db_bind_null(st, 2);
  db_bind_text(st, 3, since);
  db_bind_text(st, 4, now);
  db_bind_int(st, 5, ps->weight);
  db_bind_int(st, 6, max);
}

/* Which messages counted against the recipients over the rule. */
static void explain(Db *db, const PolicyStep *ps, const char *table, int plan, const char *channel,
                    const char *since, const char *now, int64_t max, char *why, size_t whylen) {
  char *sql = rule_sql(db, table, plan,
                       "SELECT COALESCE(r.campaign, 'this plan'), m.step, m.kind, count(*) FROM m"
                       " JOIN over ON over.k = m.k LEFT JOIN camp_runs r ON r.id = m.run_id"
                       " GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3");
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  if (!st) return;
  bind_rule(st, ps, channel, since, now, max);
  int shown = 0;
  while (db_step(st) == 1) {
    size_t l = strlen(why);
    if (shown == 4) {
      snprintf(why + l, whylen - l, ", ...");
      break;
    }
    snprintf(why + l, whylen - l, "%s%lld %s by %s/%s", l ? ", " : "", (long long)db_column(st, 3).i,
             db_column(st, 2).s, db_column(st, 0).s, db_column(st, 1).s);
    shown++;
  }
  db_finalize(st);
}

static int apply_rule(Db *db, const PolicyStep *ps, const char *table, int plan, int64_t run_id, const char *step,
                      const char *now, const char *channel, int64_t max, int64_t period, const char *period_text,
                      int64_t counts[POL_NREASONS], char *why, size_t whylen) {
  char since[20];
  if (minus(now, period, since)) return -1;
  explain(db, ps, table, plan, channel, since, now, max, why, whylen);
  char *sql = rule_sql(db, table, plan, "SELECT key, n FROM over ORDER BY key");
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  if (!st) return -1;
  bind_rule(st, ps, channel, since, now, max);
  DbValue *keys = NULL;
  int64_t *ns = NULL;
  size_t n = 0, cap = 0;
  int r;
  while ((r = db_step(st)) == 1) {
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      keys = realloc(keys, cap * sizeof *keys);
      ns = realloc(ns, cap * sizeof *ns);
      if (!keys || !ns) abort();
    }
    keys[n] = db_column(st, 0);
    if (keys[n].kind == DBV_TEXT) keys[n].s = strdup(keys[n].s);
    ns[n++] = db_column(st, 1).i;
  }
  db_finalize(st);
  int rc = r < 0 ? -1 : 0;
  char del_sql[700];
  snprintf(del_sql, sizeof del_sql, "DELETE FROM %s WHERE \"_key\" = ?", table);
  DbStmt *del = rc == 0 ? db_prepare(db, del_sql) : NULL;
  DbStmt *rec = rc == 0 && run_id > 0
                    ? db_prepare(db, "INSERT INTO camp_policy_removed(run_id, step, recipient_key, channel, address,"
                                     " reason, stage, at, detail) VALUES (?,?,?,?,NULL,'pressure','render',?,?)"
                                     " ON CONFLICT DO NOTHING")
                    : NULL;
  if (rc == 0 && (!del || (run_id > 0 && !rec))) rc = -1;
  for (size_t i = 0; i < n; i++) {
    if (rc == 0) {
      db_reset(del);
      db_bind(del, 1, keys[i]);
      if (db_step(del) < 0) rc = -1;
    }
    if (rc == 0 && rec) {
      char key[256], detail[160];
      if (keys[i].kind == DBV_INT) snprintf(key, sizeof key, "%lld", (long long)keys[i].i);
      else snprintf(key, sizeof key, "%s", keys[i].kind == DBV_TEXT ? keys[i].s : "");
      snprintf(detail, sizeof detail, "%s max %lld per %s: %lld counted", channel ? channel : "all",
               (long long)max, period_text, (long long)ns[i]);
      db_reset(rec);
      db_bind_int(rec, 1, run_id);
      db_bind_text(rec, 2, step);
      db_bind_text(rec, 3, key);
      db_bind_text(rec, 4, ps->channel);
      db_bind_text(rec, 5, now);
      db_bind_text(rec, 6, detail);
      if (db_step(rec) < 0) rc = -1;
    }
    if (keys[i].kind == DBV_TEXT) free((char *)keys[i].s);
  }
  if (rc == 0) counts[POL_PRESSURE] += (int64_t)n;
  free(keys);
  free(ns);
  db_finalize(del);
  db_finalize(rec);
  return rc;
}

int policy_pressure(Db *db, const PolicyStep *ps, const char *table, int plan, int64_t run_id,
                    const char *step, const char *now, int64_t counts[POL_NREASONS], char *why,
                    size_t whylen, char *err, size_t errlen) {
  if (whylen) why[0] = 0;
  if (ps->transactional || db_table_exists(db, "camp_policy_rules") != 1) return 0;
  if (plan && planned_table(db)) goto fail;
  DbStmt *rules = db_prepare(db, "SELECT channel, max_messages, period_seconds, period FROM camp_policy_rules"
                                 " WHERE channel IS NULL OR channel = ? ORDER BY id");
  if (!rules) goto fail;
  db_bind_text(rules, 1, ps->channel);
  typedef struct { char *channel, *period; int64_t max, secs; } Rule;
  Rule rs[32];
  int nr = 0, r;
  while (nr < 32 && (r = db_step(rules)) == 1) {
    DbValue c = db_column(rules, 0);
    rs[nr] = (Rule){c.kind == DBV_TEXT ? strdup(c.s) : NULL, strdup(db_column(rules, 3).s ? db_column(rules, 3).s : ""),
                    db_column(rules, 1).i, db_column(rules, 2).i};
    nr++;
  }
  db_finalize(rules);
  int rc = 0;
  for (int i = 0; i < nr; i++) {
    char part[512] = "";
    if (rc == 0 && apply_rule(db, ps, table, plan, run_id, step, now, rs[i].channel, rs[i].max, rs[i].secs,
                              rs[i].period, counts, part, sizeof part))
      rc = -1;
    if (rc == 0 && part[0] && whylen) {
      size_t l = strlen(why);
      snprintf(why + l, whylen - l, "%s%s max %lld per %s: %s", l ? "; " : "", rs[i].channel ? rs[i].channel : "all",
               (long long)rs[i].max, rs[i].period, part);
    }
    free(rs[i].channel);
    free(rs[i].period);
  }
  if (rc == 0) return 0;
fail:
  snprintf(err, errlen, "step %s: applying the pressure rules: %s", step, db_error(db));
  return -1;
}

int policy_plan_add(Db *db, const PolicyStep *ps, const char *table, const char *step, char *err,
                    size_t errlen) {
  /* only pressure reads it */
  if (db_table_exists(db, "camp_policy_rules") != 1) return 0;
  if (planned_table(db)) goto fail;
  if (ps->transactional) return 0;
  char sql[900];
  snprintf(sql, sizeof sql,
           "INSERT INTO %s.camp_policy_planned SELECT ?, ?, %s, ?, ? FROM %s AS p",
           db_temp_schema(db), key_as_outbox(db), table);
  DbStmt *st = db_prepare(db, sql);
  if (!st) goto fail;
  db_bind_text(st, 1, ps->dimension);
  db_bind_text(st, 2, ps->channel);
  db_bind_int(st, 3, ps->weight);
  db_bind_text(st, 4, step);
  int rc = db_step(st);
  db_finalize(st);
  if (rc >= 0) return 0;
fail:
  snprintf(err, errlen, "step %s: recording the plan's messages: %s", step, db_error(db));
  return -1;
}
