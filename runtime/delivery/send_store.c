/* send_store.c — the send worker's database side: camp_delivery records,
 * leases and claims on camp_outbox, outcomes and their camp_feedback rows
 * (see send.h for the states and send_store.h for the calls). */
#include "runtime/delivery/send_store.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "compiler/check/provider.h"
#include "compiler/check/types.h"
#include "runtime/db/store.h"
#include "runtime/delivery/provider.h"
#include "runtime/delivery/send.h"

char *job_strdup(const char *s) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) abort();
  return d;
}

void job_free(Job *j) {
  if (!j) return;
  free(j->step);
  free(j->recipient);
  free(j->channel);
  free(j->address);
  free(j->subject);
  free(j->body);
  free(j->campaign);
  free(j->columns);
  free(j);
}

/* ------------------------------------------------------- run side */

/* 'int' or 'text': how the step's recipient keys are typed in the
 * campaign's schema (a reconcile's unmatched rows are keyed by line
 * number), for readers of a text outbox column (camp outbox --format json) */
static const char *key_type(const Step *s) {
  const Pop *p = s->npops > 0 ? s->pops[0] : NULL;
  if (p && !p->dim) return "int";
  if (!p || !p->dim->key) return "text";
  return p->dim->key->type->kind == T_INT ? "int" : "text";
}

int send_record_step(Db *db, int64_t run_id, const Step *s, const char *source_file, char *err,
                     size_t errlen) {
  char *config = s->provider_decl ? provider_config_json(s->provider_decl, source_file) : NULL;
  char *columns = NULL;
  for (int i = 0; i < s->props.len; i++) {
    const ChannelProp *p = s->props.items[i];
    if (strcmp(p->key, "columns")) continue;
    /* a JSON array of the extract's column names */
    size_t cap = 16;
    for (int k = 0; k < p->cols.len; k++) cap += 2 * strlen(p->cols.items[k]) + 4;
    columns = malloc(cap);
    if (!columns) abort();
    size_t len = 0;
    columns[len++] = '[';
    for (int k = 0; k < p->cols.len; k++) {
      if (k) columns[len++] = ',';
      columns[len++] = '"';
      for (const char *c = p->cols.items[k]; *c; c++) {
        if (*c == '"' || *c == '\\') columns[len++] = '\\';
        columns[len++] = *c;
      }
      columns[len++] = '"';
    }
    columns[len++] = ']';
    columns[len] = 0;
  }
  DbStmt *st = db_prepare(db, "INSERT INTO camp_delivery(run_id, step, channel, provider,"
                              " config, columns, key_type) VALUES (?, ?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT(run_id, step) DO UPDATE SET channel = excluded.channel,"
                              " provider = excluded.provider, config = excluded.config,"
                              " columns = excluded.columns, key_type = excluded.key_type");
  int rc = -1;
  if (st) {
    db_bind_int(st, 1, run_id);
    db_bind_text(st, 2, s->label);
    db_bind_text(st, 3, channel_name(s->channel));
    if (s->provider_decl) db_bind_text(st, 4, s->provider_decl->name); else db_bind_null(st, 4);
    if (config) db_bind_text(st, 5, config); else db_bind_null(st, 5);
    if (columns) db_bind_text(st, 6, columns); else db_bind_null(st, 6);
    db_bind_text(st, 7, key_type(s));
    rc = db_step(st) < 0 ? -1 : 0;
    db_finalize(st);
  }
  if (rc) snprintf(err, errlen, "recording the provider of %s: %s", s->label, db_error(db));
  free(config);
  free(columns);
  return rc;
}

/* ------------------------------------------------------- worker side */

int sstore_open(SendStore *ss, Db *db, int lease, char *err, size_t errlen) {
  memset(ss, 0, sizeof *ss);
  ss->db = db;
  ss->lease = lease > 0 ? lease : 120;
  if (gethostname(ss->host, sizeof ss->host - 1)) snprintf(ss->host, sizeof ss->host, "localhost");
  for (char *p = ss->host; *p; p++)
    if (*p == ':') *p = '_';
  unsigned nonce = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (!f || fread(&nonce, sizeof nonce, 1, f) != 1) nonce = (unsigned)time(NULL) ^ (unsigned)getpid();
  if (f) fclose(f);
  snprintf(ss->owner, sizeof ss->owner, "%s:%d:%08x", ss->host, (int)getpid(), nonce);
  static const char *const claim =
      "UPDATE camp_outbox SET status = 'sending', lease_owner = ?1, lease_expires = ?2,"
      " attempts = attempts + 1, updated_at = ?3 WHERE id IN (SELECT id FROM camp_outbox"
      " WHERE status = %s AND run_id = ?4 AND step = ?5%s ORDER BY id LIMIT ?6)"
      " RETURNING id, CAST(recipient_key AS TEXT), address, subject, body, attempts, queued_at";
  static const char *const peek =
      "SELECT id, CAST(recipient_key AS TEXT), address, subject, body, attempts + 1, queued_at"
      " FROM camp_outbox"
      " WHERE status = %s AND run_id = ?4 AND step = ?5%s AND id > ?1 ORDER BY id LIMIT ?6";
  char sql[1024];
  /* a message in a send window (contact policy) waits for its due time */
  snprintf(sql, sizeof sql, claim, "'queued'", " AND (policy_due_at IS NULL OR policy_due_at <= ?3)");
  ss->claim_q = db_prepare(db, sql);
  snprintf(sql, sizeof sql, claim, "'deferred'", " AND next_attempt_at <= ?3");
  ss->claim_d = db_prepare(db, sql);
  snprintf(sql, sizeof sql, peek, "'queued'", " AND (policy_due_at IS NULL OR policy_due_at <= ?3)");
  ss->peek_q = db_prepare(db, sql);
  snprintf(sql, sizeof sql, peek, "'deferred'", " AND next_attempt_at <= ?3");
  ss->peek_d = db_prepare(db, sql);
  ss->up_sent = db_prepare(db,
      "UPDATE camp_outbox SET status = 'sent', sent_at = ?1, message_id = ?2,"
      " provider_message_id = ?3, last_error = NULL, next_attempt_at = NULL, lease_owner = NULL,"
      " lease_expires = NULL, updated_at = ?1 WHERE id = ?4 AND status != 'sent'");
  ss->up_defer = db_prepare(db,
      "UPDATE camp_outbox SET status = 'deferred', next_attempt_at = ?1, last_error = ?2,"
      " message_id = ?3, attempts = attempts - ?4, lease_owner = NULL, lease_expires = NULL,"
      " updated_at = ?5 WHERE id = ?6 AND status = 'sending' AND lease_owner = ?7");
  ss->up_final = db_prepare(db,
      "UPDATE camp_outbox SET status = ?1, last_error = ?2, message_id = ?3, next_attempt_at = NULL,"
      " lease_owner = NULL, lease_expires = NULL, updated_at = ?4"
      " WHERE id = ?5 AND status = 'sending' AND lease_owner = ?6");
  ss->fb = db_prepare(db, "INSERT INTO camp_feedback(outbox_id, event, at, detail, source)"
                          " VALUES (?, ?, ?, ?, ?)");
  if (!ss->claim_q || !ss->claim_d || !ss->peek_q || !ss->peek_d || !ss->up_sent || !ss->up_defer ||
      !ss->up_final || !ss->fb) {
    snprintf(err, errlen, "preparing the send worker's statements: %s", db_error(db));
    sstore_close(ss);
    return -1;
  }
  return 0;
}

void sstore_close(SendStore *ss) {
  DbStmt **all[] = {&ss->claim_q, &ss->claim_d, &ss->peek_q, &ss->peek_d,
                    &ss->up_sent, &ss->up_defer, &ss->up_final, &ss->fb};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    db_finalize(*all[i]);
    *all[i] = NULL;
  }
}

int sstore_deliveries(SendStore *ss, int64_t run, const char *channel, Delivery **out, int *n,
                      char *err, size_t errlen) {
  *out = NULL;
  *n = 0;
  DbStmt *st = db_prepare(ss->db,
      "SELECT d.run_id, d.step, d.channel, d.config, d.columns, r.campaign FROM camp_delivery d"
      " JOIN camp_runs r ON r.id = d.run_id WHERE d.provider IS NOT NULL"
      " AND (?1 = 0 OR d.run_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR d.channel = ?2) ORDER BY d.run_id, d.step");
  if (!st) {
    snprintf(err, errlen, "reading camp_delivery: %s", db_error(ss->db));
    return -1;
  }
  db_bind_int(st, 1, run);
  if (channel) db_bind_text(st, 2, channel); else db_bind_null(st, 2);
  int cap = 0, rc;
  while ((rc = db_step(st)) == 1) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      Delivery *nd = realloc(*out, (size_t)cap * sizeof **out);
      if (!nd) abort();
      *out = nd;
    }
    Delivery *d = &(*out)[(*n)++];
    memset(d, 0, sizeof *d);
    d->run_id = db_column(st, 0).i;
    d->step = job_strdup(db_column(st, 1).s);
    d->channel = job_strdup(db_column(st, 2).s);
    d->config = job_strdup(db_column(st, 3).s);
    d->columns = job_strdup(db_column(st, 4).s);
    d->campaign = job_strdup(db_column(st, 5).s);
  }
  db_finalize(st);
  if (rc < 0) {
    snprintf(err, errlen, "reading camp_delivery: %s", db_error(ss->db));
    return -1;
  }
  return 0;
}

void sstore_free_deliveries(Delivery *d, int n) {
  for (int i = 0; i < n; i++) {
    free(d[i].step);
    free(d[i].channel);
    free(d[i].config);
    free(d[i].columns);
    free(d[i].campaign);
  }
  free(d);
}

int64_t sstore_count_unprovided(SendStore *ss, int64_t run, const char *channel) {
  /* per channel step without a provider, through the (status, run_id,
   * step) index: no scan of a large outbox */
  DbStmt *st = db_prepare(ss->db,
      "SELECT (SELECT count(*) FROM camp_outbox o WHERE o.status = 'queued' AND o.run_id = s.run_id"
      " AND o.step = s.step) FROM camp_steps s WHERE s.kind IN ('email', 'sms', 'push', 'mail')"
      " AND (?1 = 0 OR s.run_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR s.kind = ?2) AND NOT EXISTS (SELECT 1"
      " FROM camp_delivery d WHERE d.run_id = s.run_id AND d.step = s.step AND d.provider IS NOT NULL)");
  if (!st) return 0;
  db_bind_int(st, 1, run);
  if (channel) db_bind_text(st, 2, channel); else db_bind_null(st, 2);
  int64_t n = 0;
  while (db_step(st) == 1) n += db_column(st, 0).i;
  db_finalize(st);
  return n;
}

int64_t sstore_count_pending(SendStore *ss, const Delivery *d) {
  DbStmt *st = db_prepare(ss->db, "SELECT count(*) FROM camp_outbox WHERE status IN ('queued', 'deferred')"
                                  " AND run_id = ? AND step = ?");
  if (!st) return 0;
  db_bind_int(st, 1, d->run_id);
  db_bind_text(st, 2, d->step);
  int64_t n = db_step(st) == 1 ? db_column(st, 0).i : 0;
  db_finalize(st);
  return n;
}

void sstore_next_due(SendStore *ss, const Delivery *d, char out[20]) {
  out[0] = 0;
  DbStmt *st = db_prepare(ss->db, "SELECT min(next_attempt_at) FROM camp_outbox WHERE status = 'deferred'"
                                  " AND run_id = ? AND step = ?");
  if (!st) return;
  db_bind_int(st, 1, d->run_id);
  db_bind_text(st, 2, d->step);
  if (db_step(st) == 1 && db_column(st, 0).kind == DBV_TEXT) snprintf(out, 20, "%s", db_column(st, 0).s);
  db_finalize(st);
}

/* Is this lease owner a process of this host that no longer runs? */
static int owner_dead(const SendStore *ss, const char *owner) {
  size_t hl = strlen(ss->host);
  if (strncmp(owner, ss->host, hl) || owner[hl] != ':') return 0;
  long pid = strtol(owner + hl + 1, NULL, 10);
  if (pid <= 0 || pid == (long)getpid()) return 0;
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int64_t sstore_reclaim(SendStore *ss) {
  if (db_begin(ss->db)) return -1;
  int64_t total = 0;
  DbStmt *st = db_prepare(ss->db, "SELECT DISTINCT lease_owner FROM camp_outbox WHERE status = 'sending'");
  DbStmt *up = db_prepare(ss->db,
      "UPDATE camp_outbox SET status = 'queued', lease_owner = NULL, lease_expires = NULL"
      " WHERE status = 'sending' AND (lease_owner = ?1 AND ?2 <> 0 OR lease_expires IS NULL"
      " OR lease_expires < ?3)");
  if (!st || !up) goto fail;
  char *dead[256];
  int ndead = 0;
  while (db_step(st) == 1 && ndead < 256) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT && owner_dead(ss, v.s)) dead[ndead++] = job_strdup(v.s);
  }
  db_finalize(st);
  st = NULL;
  int64_t now = (int64_t)time(NULL);
  for (int i = 0; i <= ndead; i++) {
    db_reset(up);
    if (i < ndead) db_bind_text(up, 1, dead[i]); else db_bind_null(up, 1);
    db_bind_int(up, 2, i < ndead);
    db_bind_int(up, 3, now);
    int rc = db_step(up);
    if (i < ndead) free(dead[i]);
    if (rc < 0) {
      for (int k = i + 1; k < ndead; k++) free(dead[k]);
      goto fail;
    }
    total += db_changes(ss->db);
  }
  db_finalize(up);
  if (db_commit(ss->db)) {
    db_rollback(ss->db);
    return -1;
  }
  return total;
fail:
  db_finalize(st);
  db_finalize(up);
  db_rollback(ss->db);
  return -1;
}

static void read_job(DbStmt *st, const Delivery *d, Job **jobs) {
  Job *j = calloc(1, sizeof *j);
  if (!j) abort();
  j->id = db_column(st, 0).i;
  j->run_id = d->run_id;
  j->recipient = job_strdup(db_column(st, 1).s ? db_column(st, 1).s : "");
  j->address = job_strdup(db_column(st, 2).s);
  j->subject = job_strdup(db_column(st, 3).s);
  j->body = job_strdup(db_column(st, 4).s);
  j->attempts = (int)db_column(st, 5).i;
  DbValue q = db_column(st, 6);
  snprintf(j->queued_at, sizeof j->queued_at, "%s", q.kind == DBV_TEXT ? q.s : "");
  j->step = job_strdup(d->step);
  j->channel = job_strdup(d->channel);
  j->campaign = job_strdup(d->campaign);
  j->columns = job_strdup(d->columns);
  j->next = *jobs;
  *jobs = j;
}

static int claim_one(SendStore *ss, DbStmt *st, const Delivery *d, const char *now, int max, Job **jobs) {
  db_reset(st);
  db_bind_text(st, 1, ss->owner);
  db_bind_int(st, 2, (int64_t)time(NULL) + ss->lease);
  db_bind_text(st, 3, now);
  db_bind_int(st, 4, d->run_id);
  db_bind_text(st, 5, d->step);
  db_bind_int(st, 6, max);
  int n = 0, rc;
  while ((rc = db_step(st)) == 1) {
    read_job(st, d, jobs);
    n++;
  }
  db_reset(st);
  return rc < 0 ? -1 : n;
}

int sstore_claim(SendStore *ss, const Delivery *d, const char *now, int max, Job **jobs) {
  if (db_begin(ss->db)) return -1;
  Job *got = NULL;
  int a = claim_one(ss, ss->claim_d, d, now, max, &got);
  int b = a < 0 || a >= max ? 0 : claim_one(ss, ss->claim_q, d, now, max - a, &got);
  if (a < 0 || b < 0 || db_commit(ss->db)) {
    db_rollback(ss->db);
    while (got) {
      Job *n = got->next;
      job_free(got);
      got = n;
    }
    return -1;
  }
  /* RETURNING gives no order: hand the jobs out by id */
  int n = a + b;
  Job **arr = malloc((size_t)(n ? n : 1) * sizeof *arr);
  if (!arr) abort();
  int k = 0;
  for (Job *j = got; j; j = j->next) arr[k++] = j;
  for (int i = 1; i < n; i++)
    for (int m = i; m > 0 && arr[m - 1]->id > arr[m]->id; m--) {
      Job *t = arr[m];
      arr[m] = arr[m - 1];
      arr[m - 1] = t;
    }
  for (int i = n - 1; i >= 0; i--) {
    arr[i]->next = *jobs;
    *jobs = arr[i];
  }
  free(arr);
  return n;
}

int sstore_peek(SendStore *ss, const Delivery *d, const char *now, int max, int64_t *after, Job **jobs) {
  Job *got = NULL;
  int n = 0;
  DbStmt *sts[2] = {ss->peek_d, ss->peek_q};
  for (int s = 0; s < 2 && n < max; s++) {
    DbStmt *st = sts[s];
    db_reset(st);
    db_bind_int(st, 1, *after);
    db_bind_text(st, 3, now);
    db_bind_int(st, 4, d->run_id);
    db_bind_text(st, 5, d->step);
    db_bind_int(st, 6, max - n);
    int rc;
    while ((rc = db_step(st)) == 1) {
      read_job(st, d, &got);
      n++;
    }
    db_reset(st);
    if (rc < 0) return -1;
  }
  for (Job *j = got; j; j = j->next)
    if (j->id > *after) *after = j->id;
  while (got) {
    Job *nx = got->next;
    got->next = *jobs;
    *jobs = got;
    got = nx;
  }
  return n;
}

int sstore_renew(SendStore *ss) {
  DbStmt *st = db_prepare(ss->db, "UPDATE camp_outbox SET lease_expires = ? WHERE status = 'sending'"
                                  " AND lease_owner = ?");
  if (!st) return -1;
  db_bind_int(st, 1, (int64_t)time(NULL) + ss->lease);
  db_bind_text(st, 2, ss->owner);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

int sstore_record(SendStore *ss, SendRecord *o, int n, const char *now) {
  if (!n) return 0;
  if (db_begin(ss->db)) return -1;
  for (int i = 0; i < n; i++) {
    Result *r = o[i].r;
    Job *j = r->job;
    DbStmt *st;
    if (!strcmp(o[i].status, "sent")) {
      st = ss->up_sent;
      db_reset(st);
      db_bind_text(st, 1, now);
      db_bind_text(st, 2, j->message_id);
      if (r->provider_id[0]) db_bind_text(st, 3, r->provider_id); else db_bind_null(st, 3);
      db_bind_int(st, 4, j->id);
    } else if (!strcmp(o[i].status, "deferred")) {
      st = ss->up_defer;
      db_reset(st);
      db_bind_text(st, 1, o[i].next_at);
      db_bind_text(st, 2, r->detail);
      db_bind_text(st, 3, j->message_id);
      db_bind_int(st, 4, o[i].uncount);
      db_bind_text(st, 5, now);
      db_bind_int(st, 6, j->id);
      db_bind_text(st, 7, ss->owner);
    } else {
      st = ss->up_final;
      db_reset(st);
      db_bind_text(st, 1, o[i].status);
      db_bind_text(st, 2, r->detail);
      db_bind_text(st, 3, j->message_id);
      db_bind_text(st, 4, now);
      db_bind_int(st, 5, j->id);
      db_bind_text(st, 6, ss->owner);
    }
    if (db_step(st) < 0) goto fail;
    /* a row another worker reclaimed in between is not ours to report */
    if (db_changes(ss->db) == 0 || o[i].uncount) continue;
    db_reset(ss->fb);
    db_bind_int(ss->fb, 1, j->id);
    db_bind_text(ss->fb, 2, o[i].status);
    db_bind_text(ss->fb, 3, now);
    db_bind_text(ss->fb, 4, r->detail);
    db_bind_text(ss->fb, 5, o[i].source);
    if (db_step(ss->fb) < 0) goto fail;
  }
  if (db_commit(ss->db)) goto fail;
  return 0;
fail:
  db_rollback(ss->db);
  return -1;
}
