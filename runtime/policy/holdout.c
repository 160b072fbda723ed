/* holdout.c — control groups of one step (see holdout.h). */
#include "runtime/policy/holdout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int policy_step_held_out(int64_t seed, const char *salt, DbValue key, int bp) {
  DbValue hv[3] = {{DBV_INT, seed, 0, NULL}, {DBV_TEXT, 0, 0, salt}, key};
  return (int64_t)(db_hash_values(hv, 3) % 10000) < bp;
}

void policy_holdout_detail(int bp, const char *step, char *out, size_t n) {
  if (bp % 10 == 0 && bp % 100) snprintf(out, n, "holdout %d.%d%% of %s", bp / 100, bp % 100 / 10, step);
  else if (bp % 100) snprintf(out, n, "holdout %d.%02d%% of %s", bp / 100, bp % 100, step);
  else snprintf(out, n, "holdout %d%% of %s", bp / 100, step);
}

static void key_text(DbValue k, char *out, size_t n) {
  if (k.kind == DBV_INT) snprintf(out, n, "%lld", (long long)k.i);
  else if (k.kind == DBV_TEXT) snprintf(out, n, "%s", k.s);
  else snprintf(out, n, "%.17g", k.r);
}

typedef struct Keys {
  DbValue *v;
  size_t n, cap;
} Keys;

static void keys_add(Keys *k, DbValue v) {
  if (k->n == k->cap) {
    k->cap = k->cap ? k->cap * 2 : 64;
    k->v = realloc(k->v, k->cap * sizeof *k->v);
    if (!k->v) abort();
  }
  k->v[k->n] = v;
  if (v.kind == DBV_TEXT) k->v[k->n].s = strdup(v.s ? v.s : "");
  k->n++;
}

static void keys_free(Keys *k) {
  for (size_t i = 0; i < k->n; i++)
    if (k->v[i].kind == DBV_TEXT) free((char *)k->v[i].s);
  free(k->v);
}

/* Records (and with del, deletes from the table del reads) every key. */
static int record_keys(Db *db, const Keys *k, DbStmt *del, int64_t run_id, const char *channel, int bp,
                       const char *step, const char *now) {
  DbStmt *rec = run_id > 0 ? db_prepare(db, "INSERT INTO camp_policy_removed(run_id, step, recipient_key, channel,"
                                            " address, reason, stage, at, detail) VALUES (?,?,?,?,NULL,'holdout',"
                                            "'render',?,?) ON CONFLICT DO NOTHING")
                           : NULL;
  if (run_id > 0 && !rec) return -1;
  char detail[600];
  policy_holdout_detail(bp, step, detail, sizeof detail);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < k->n; i++) {
    if (del) {
      db_reset(del);
      db_bind(del, 1, k->v[i]);
      if (db_step(del) < 0) rc = -1;
    }
    if (rc == 0 && rec) {
      char key[256];
      key_text(k->v[i], key, sizeof key);
      db_reset(rec);
      db_bind_int(rec, 1, run_id);
      db_bind_text(rec, 2, step);
      db_bind_text(rec, 3, key);
      db_bind_text(rec, 4, channel);
      db_bind_text(rec, 5, now);
      db_bind_text(rec, 6, detail);
      if (db_step(rec) < 0) rc = -1;
    }
  }
  db_finalize(rec);
  return rc;
}

int policy_step_holdout(Db *db, const char *channel, const char *table, int64_t seed, const char *salt, int bp,
                        int64_t run_id, const char *step, const char *now, int64_t *held, char *err,
                        size_t errlen) {
  if (bp <= 0) return 0;
  char sql[700];
  snprintf(sql, sizeof sql, "SELECT \"_key\" FROM %s ORDER BY 1", table);
  DbStmt *st = db_prepare(db, sql);
  int rc = st ? 0 : -1;
  Keys k = {0};
  /* collect first, delete after: no statement changes the table it reads */
  int r = 0;
  while (rc == 0 && (r = db_step(st)) == 1) {
    DbValue v = db_column(st, 0);
    if (policy_step_held_out(seed, salt, v, bp)) keys_add(&k, v);
  }
  if (r < 0) rc = -1;
  db_finalize(st);
  snprintf(sql, sizeof sql, "DELETE FROM %s WHERE \"_key\" = ?", table);
  DbStmt *del = rc == 0 ? db_prepare(db, sql) : NULL;
  if (rc == 0 && (!del || record_keys(db, &k, del, run_id, channel, bp, step, now))) rc = -1;
  db_finalize(del);
  if (rc == 0) *held += (int64_t)k.n;
  else snprintf(err, errlen, "step %s: the holdout: %s", step, db_error(db));
  keys_free(&k);
  return rc;
}

int policy_record_control(Db *db, const char *in_table, const char *out_table, int bp, int64_t run_id,
                          const char *step, const char *now, int64_t *held, char *err, size_t errlen) {
  size_t cap = strlen(in_table) + strlen(out_table) + 200;
  char *sql = malloc(cap);
  if (!sql) abort();
  snprintf(sql, cap, "SELECT i.\"_key\" FROM %s AS i WHERE NOT EXISTS (SELECT 1 FROM %s AS o"
                     " WHERE o.\"_key\" = i.\"_key\") ORDER BY 1", in_table, out_table);
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  int rc = st ? 0 : -1;
  Keys k = {0};
  int r = 0;
  while (rc == 0 && (r = db_step(st)) == 1) keys_add(&k, db_column(st, 0));
  if (r < 0) rc = -1;
  db_finalize(st);
  if (rc == 0 && record_keys(db, &k, NULL, run_id, "audience", bp, step, now)) rc = -1;
  if (rc == 0 && run_id > 0) { /* the treated members, for camp report (intent to treat) */
    size_t cap2 = strlen(out_table) + 64;
    DbStmt *t = NULL;
    char *sql2 = malloc(cap2);
    if (!sql2) abort();
    snprintf(sql2, cap2, "SELECT o.\"_key\" FROM %s AS o", out_table);
    t = db_prepare(db, sql2);
    free(sql2);
    DbStmt *add = db_prepare(db, "INSERT INTO camp_holdout_treated(run_id, step, recipient_key) VALUES (?,?,?)"
                                 " ON CONFLICT DO NOTHING");
    if (!t || !add) rc = -1;
    while (rc == 0 && (r = db_step(t)) == 1) {
      char key[256];
      key_text(db_column(t, 0), key, sizeof key);
      db_reset(add);
      db_bind_int(add, 1, run_id);
      db_bind_text(add, 2, step);
      db_bind_text(add, 3, key);
      if (db_step(add) < 0) rc = -1;
    }
    if (r < 0) rc = -1;
    db_finalize(t);
    db_finalize(add);
  }
  if (rc == 0) *held += (int64_t)k.n;
  else snprintf(err, errlen, "step %s: recording the control group: %s", step, db_error(db));
  keys_free(&k);
  return rc;
}
