/* policy.c — consent, suppression and address validity (see policy.h). */
#include "runtime/policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store_track.h"

static const char *const reason_names[POL_NREASONS] = {"invalid_address", "no_consent", "suppressed", "pressure",
                                                       "holdout"};
static const char *const reason_texts[POL_NREASONS] = {"invalid address", "without consent", "suppressed",
                                                       "over pressure", "held out (control group)"};

const char *policy_reason_name(PolicyReason r) { return r < POL_NREASONS ? reason_names[r] : "?"; }
const char *policy_reason_text(PolicyReason r) { return r < POL_NREASONS ? reason_texts[r] : "?"; }

static int email_valid(const char *a) {
  const char *at = strchr(a, '@');
  if (!at || strchr(at + 1, '@')) return 0;
  size_t local = (size_t)(at - a);
  if (local < 1 || local > 64) return 0;
  for (const unsigned char *c = (const unsigned char *)a; *c; c++)
    if (*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>' || *c == ',' || *c == ';' || *c == '"' ||
        *c == '(' || *c == ')' || *c == '[' || *c == ']' || *c == '\\')
      return 0;
  if (a[0] == '.' || at[-1] == '.') return 0;
  /* the domain: labels separated by single dots */
  const char *d = at + 1;
  if (!*d || strlen(d) > 253) return 0;
  const char *label = d;
  for (const char *c = d;; c++) {
    if (*c == '.' || !*c) {
      size_t n = (size_t)(c - label);
      if (n == 0 || n > 63 || label[0] == '-' || c[-1] == '-') return 0;
      if (!*c) break;
      label = c + 1;
      continue;
    }
    unsigned char u = (unsigned char)*c;
    if (!(u >= 0x80 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-'))
      return 0;
  }
  return 1;
}

static int e164_valid(const char *a) {
  if (a[0] != '+' || a[1] < '1' || a[1] > '9') return 0;
  size_t n = 0;
  for (const char *c = a + 1; *c; c++, n++)
    if (*c < '0' || *c > '9') return 0;
  return n >= 2 && n <= 15;
}

int policy_address_valid(const char *channel, const char *addr) {
  if (!channel) return 1;
  int needs = !strcmp(channel, "email") || !strcmp(channel, "sms") || !strcmp(channel, "push");
  if (!needs) return 1;
  if (!addr || !*addr) return 0;
  if (!strcmp(channel, "email")) return email_valid(addr);
  if (!strcmp(channel, "sms")) return e164_valid(addr);
  for (const unsigned char *c = (const unsigned char *)addr; *c; c++)
    if (*c <= ' ' || *c == 0x7f) return 0;
  return 1;
}

/* ------------------------------------------------------------ render */

static void key_text(DbValue k, char *out, size_t n) {
  if (k.kind == DBV_INT) snprintf(out, n, "%lld", (long long)k.i);
  else if (k.kind == DBV_TEXT) snprintf(out, n, "%s", k.s);
  else snprintf(out, n, "%.17g", k.r);
}

static int record(DbStmt *rec, int64_t run_id, const char *step, const char *key, const char *channel,
                  const char *addr, PolicyReason r, const char *stage, const char *now) {
  db_reset(rec);
  db_bind_int(rec, 1, run_id);
  db_bind_text(rec, 2, step);
  db_bind_text(rec, 3, key);
  db_bind_text(rec, 4, channel);
  if (addr) db_bind_text(rec, 5, addr); else db_bind_null(rec, 5);
  db_bind_text(rec, 6, policy_reason_name(r));
  db_bind_text(rec, 7, stage);
  db_bind_text(rec, 8, now);
  return db_step(rec) < 0 ? -1 : 0;
}

#define RECORD_SQL                                                                              \
  "INSERT INTO camp_policy_removed(run_id, step, recipient_key, channel, address, reason, stage, at)" \
  " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"

int policy_apply(Db *db, const PolicyStep *ps, const char *table, int64_t run_id, const char *step,
                 const char *now, int64_t counts[POL_NREASONS], char *err, size_t errlen) {
  if (!ps->address_column && !ps->consent_sql) return 0; /* direct mail without consent: nothing */
  int consent = ps->consent_sql && !ps->transactional;
  size_t cap = 1024 + (consent ? strlen(ps->consent_sql) : 0) + strlen(table);
  char *sql = malloc(cap);
  if (!sql) abort();
  snprintf(sql, cap, "SELECT p.\"_key\", %s%s%s, %s%s%s FROM %s AS p JOIN \"%s\" AS t0 ON t0.\"%s\" = p.\"_key\"",
           ps->address_column ? "t0.\"" : "NULL", ps->address_column ? ps->address_column : "",
           ps->address_column ? "\"" : "", consent ? "CASE WHEN (" : "1", consent ? ps->consent_sql : "",
           consent ? ") THEN 1 ELSE 0 END" : "", table, ps->dimension, ps->key_column);
  DbStmt *st = db_prepare(db, sql);
  free(sql);
  int have_supp = db_table_exists(db, "camp_suppression") == 1;
  DbStmt *supp = have_supp ? db_prepare(db, "SELECT 1 FROM camp_suppression WHERE channel = ? AND address = ?") : NULL;
  char del_sql[700];
  snprintf(del_sql, sizeof del_sql, "DELETE FROM %s WHERE \"_key\" = ?", table);
  DbStmt *del = db_prepare(db, del_sql);
  DbStmt *rec = run_id > 0 ? db_prepare(db, RECORD_SQL) : NULL;
  if (!st || (have_supp && !supp) || !del || (run_id > 0 && !rec)) {
    snprintf(err, errlen, "step %s: applying the contact policy: %s", step, db_error(db));
    db_finalize(st), db_finalize(supp), db_finalize(del), db_finalize(rec);
    return -1;
  }
  /* Collect first, delete after: no statement changes the table it reads. */
  DbValue *gone = NULL;
  size_t ngone = 0, capgone = 0;
  int rc = 0, r;
  while (rc == 0 && (r = db_step(st)) == 1) {
    DbValue k = db_column(st, 0), a = db_column(st, 1), c = db_column(st, 2);
    const char *addr = a.kind == DBV_TEXT ? a.s : NULL;
    PolicyReason why = POL_NREASONS;
    if (ps->address_column && !policy_address_valid(ps->channel, addr)) why = POL_INVALID_ADDRESS;
    else if (consent && !(c.kind == DBV_INT && c.i)) why = POL_NO_CONSENT;
    else if (supp && addr) {
      char norm[1024];
      store_track_norm_address(ps->channel, addr, norm, sizeof norm);
      db_reset(supp);
      db_bind_text(supp, 1, ps->channel);
      db_bind_text(supp, 2, norm);
      if (db_step(supp) == 1) why = POL_SUPPRESSED;
      db_reset(supp);
    }
    if (why == POL_NREASONS) continue;
    counts[why]++;
    char key[256];
    key_text(k, key, sizeof key);
    if (rec && record(rec, run_id, step, key, ps->channel, addr, why, "render", now)) rc = -1;
    if (why == POL_SUPPRESSED) continue; /* queued as 'suppressed' by the run */
    if (ngone == capgone) {
      capgone = capgone ? capgone * 2 : 256;
      gone = realloc(gone, capgone * sizeof *gone);
      if (!gone) abort();
    }
    gone[ngone] = k;
    if (k.kind == DBV_TEXT) gone[ngone].s = strdup(k.s);
    ngone++;
  }
  if (rc == 0 && r < 0) rc = -1;
  db_finalize(st);
  for (size_t i = 0; i < ngone; i++) {
    if (rc == 0) {
      db_reset(del);
      db_bind(del, 1, gone[i]);
      if (db_step(del) < 0) rc = -1;
    }
    if (gone[i].kind == DBV_TEXT) free((char *)gone[i].s);
  }
  free(gone);
  if (rc) snprintf(err, errlen, "step %s: applying the contact policy: %s", step, db_error(db));
  db_finalize(supp), db_finalize(del), db_finalize(rec);
  return rc;
}

int policy_record_step(Db *db, int64_t run_id, const char *step, const PolicyStep *ps, char *err,
                       size_t errlen) {
  DbStmt *st = db_prepare(db,
      "INSERT INTO camp_policy_steps(run_id, step, channel, dimension, key_column, address_column,"
      " consent_sql, transactional, weight, campaign) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
  if (!st) goto fail;
  db_bind_int(st, 1, run_id);
  db_bind_text(st, 2, step);
  db_bind_text(st, 3, ps->channel);
  db_bind_text(st, 4, ps->dimension);
  db_bind_text(st, 5, ps->key_column);
  if (ps->address_column) db_bind_text(st, 6, ps->address_column); else db_bind_null(st, 6);
  if (ps->consent_sql) db_bind_text(st, 7, ps->consent_sql); else db_bind_null(st, 7);
  db_bind_int(st, 8, ps->transactional);
  db_bind_int(st, 9, ps->weight);
  if (ps->campaign) db_bind_text(st, 10, ps->campaign); else db_bind_null(st, 10);
  int rc = db_step(st);
  db_finalize(st);
  if (rc >= 0) return 0;
fail:
  snprintf(err, errlen, "recording the policy of %s: %s", step, db_error(db));
  return -1;
}

/* ------------------------------------------------------------ holdout */

int policy_held_out(const char *campaign, DbValue key, double percent) {
  DbValue hv[3] = {{DBV_TEXT, 0, 0, "camp-holdout"}, {DBV_TEXT, 0, 0, campaign}, key};
  uint64_t h = db_hash_values(hv, 3);
  return (double)(h % 10000) < percent * 100.0;
}

int policy_holdout(Db *db, const PolicyStep *ps, const char *table, double percent, int64_t run_id,
                   const char *step, const char *now, int64_t counts[POL_NREASONS], char *err, size_t errlen) {
  if (percent <= 0) return 0;
  char sql[700];
  snprintf(sql, sizeof sql, "SELECT \"_key\" FROM %s ORDER BY 1", table);
  DbStmt *st = db_prepare(db, sql);
  snprintf(sql, sizeof sql, "DELETE FROM %s WHERE \"_key\" = ?", table);
  DbStmt *del = db_prepare(db, sql);
  DbStmt *rec = run_id > 0 ? db_prepare(db, RECORD_SQL) : NULL;
  int rc = st && del && (run_id <= 0 || rec) ? 0 : -1;
  DbValue *gone = NULL;
  size_t n = 0, cap = 0;
  while (rc == 0 && db_step(st) == 1) {
    DbValue k = db_column(st, 0);
    if (!policy_held_out(ps->campaign ? ps->campaign : "", k, percent)) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      gone = realloc(gone, cap * sizeof *gone);
      if (!gone) abort();
    }
    gone[n] = k;
    if (k.kind == DBV_TEXT) gone[n].s = strdup(k.s);
    n++;
  }
  db_finalize(st);
  for (size_t i = 0; i < n; i++) {
    if (rc == 0) {
      db_reset(del);
      db_bind(del, 1, gone[i]);
      if (db_step(del) < 0) rc = -1;
    }
    if (rc == 0 && rec) {
      char key[256];
      key_text(gone[i], key, sizeof key);
      if (record(rec, run_id, step, key, ps->channel, NULL, POL_HOLDOUT, "render", now)) rc = -1;
    }
    if (gone[i].kind == DBV_TEXT) free((char *)gone[i].s);
  }
  free(gone);
  if (rc == 0) counts[POL_HOLDOUT] += (int64_t)n;
  else snprintf(err, errlen, "step %s: the holdout: %s", step, db_error(db));
  db_finalize(del);
  db_finalize(rec);
  return rc;
}
