/* store.c — creating and migrating camp's tables (see store.h). */
#include "runtime/db/store.h"
#include "runtime/db/store_distrib.h"
#include "runtime/db/store_track.h"
#include "runtime/db/store_holdout.h"
#include "runtime/db/store_mops.h"
#include "runtime/db/store_policy.h"
#include "runtime/db/store_abtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each entry moves the schema from version i to i+1; never edit one that
 * has shipped: add a new entry instead. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE camp_runs(id INTEGER PRIMARY KEY, campaign TEXT NOT NULL,"
    " source_file TEXT, source_hash TEXT NOT NULL, state TEXT NOT NULL,"
    " started_at TEXT, updated_at TEXT, finished_at TEXT, seed INTEGER,"
    " warnings INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE camp_steps(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " idx INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,"
    " started_at TEXT, finished_at TEXT, due_at TEXT, message TEXT,"
    " PRIMARY KEY(run_id, step));"
    "CREATE TABLE camp_counts(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " output TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(run_id, output));"
    "CREATE TABLE camp_outbox(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,"
    " step TEXT NOT NULL, recipient_key NOT NULL, channel TEXT NOT NULL,"
    " address TEXT, subject TEXT, body TEXT, status TEXT NOT NULL DEFAULT 'queued',"
    " queued_at TEXT, sent_at TEXT, UNIQUE(run_id, step, recipient_key));"
    "CREATE TABLE camp_feedback(id INTEGER PRIMARY KEY,"
    " outbox_id INTEGER NOT NULL REFERENCES camp_outbox(id), event TEXT NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX camp_feedback_outbox ON camp_feedback(outbox_id, event);"
    "CREATE TABLE camp_audience(name TEXT NOT NULL, dimension TEXT NOT NULL,"
    " key NOT NULL, run_id INTEGER, saved_at TEXT, PRIMARY KEY(name, key));"
    "CREATE TABLE camp_warnings(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " message TEXT NOT NULL, count INTEGER NOT NULL);",
    /* 1 -> 2: delivery (runtime/delivery/send_store.c): leases, retries,
     * the provider's answers, and the provider each channel step uses */
    "ALTER TABLE camp_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE camp_outbox ADD COLUMN next_attempt_at TEXT;"
    "ALTER TABLE camp_outbox ADD COLUMN lease_owner TEXT;"
    "ALTER TABLE camp_outbox ADD COLUMN lease_expires INTEGER;"
    "ALTER TABLE camp_outbox ADD COLUMN last_error TEXT;"
    "ALTER TABLE camp_outbox ADD COLUMN message_id TEXT;"
    "ALTER TABLE camp_outbox ADD COLUMN provider_message_id TEXT;"
    "ALTER TABLE camp_outbox ADD COLUMN updated_at TEXT;"
    "CREATE INDEX camp_outbox_due ON camp_outbox(status, run_id, step);"
    "ALTER TABLE camp_feedback ADD COLUMN detail TEXT;"
    "ALTER TABLE camp_feedback ADD COLUMN source TEXT;"
    "CREATE TABLE camp_delivery(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " channel TEXT NOT NULL, provider TEXT, config TEXT, columns TEXT,"
    " PRIMARY KEY(run_id, step));",
    /* 2 -> 3: operations (runtime/ops): deployed campaigns and their versions,
     * the lifecycle audit, scheduled launches, approvals, notifications
     * waiting for a sender; a run remembers its launch key */
    "CREATE TABLE camp_campaigns(name TEXT PRIMARY KEY, state TEXT NOT NULL,"
    " version INTEGER NOT NULL, source_file TEXT NOT NULL, started_at TEXT, active_since TEXT,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE TABLE camp_versions(campaign TEXT NOT NULL, version INTEGER NOT NULL,"
    " source_hash TEXT NOT NULL, source_file TEXT NOT NULL, source TEXT NOT NULL,"
    " deployed_at TEXT NOT NULL, deployed_by TEXT NOT NULL, planned_at TEXT,"
    " PRIMARY KEY(campaign, version));"
    "CREATE TABLE camp_version_counts(campaign TEXT NOT NULL, version INTEGER NOT NULL,"
    " idx INTEGER NOT NULL, step TEXT NOT NULL, output TEXT NOT NULL, count INTEGER,"
    " PRIMARY KEY(campaign, version, output));"
    "CREATE TABLE camp_audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL,"
    " campaign TEXT, run_id INTEGER, step TEXT, action TEXT NOT NULL, from_state TEXT,"
    " to_state TEXT, reason TEXT);"
    "CREATE INDEX camp_audit_campaign ON camp_audit(campaign, id);"
    "CREATE TABLE camp_launches(campaign TEXT NOT NULL, launch_at TEXT NOT NULL,"
    " state TEXT NOT NULL, run_id INTEGER, launch_key TEXT, reason TEXT, at TEXT NOT NULL,"
    " PRIMARY KEY(campaign, launch_at));"
    "ALTER TABLE camp_runs ADD COLUMN launch_key TEXT;"
    "CREATE INDEX camp_runs_launch ON camp_runs(campaign, launch_key);"
    "CREATE INDEX camp_outbox_recipient ON camp_outbox(step, recipient_key);"
    "CREATE TABLE camp_approvals(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " state TEXT NOT NULL, messages INTEGER NOT NULL, requested_at TEXT NOT NULL,"
    " deadline_at TEXT, deadline_action TEXT, remind_every INTEGER, next_reminder_at TEXT,"
    " reminders INTEGER NOT NULL DEFAULT 0, approvers TEXT, decided_at TEXT, decided_by TEXT,"
    " reason TEXT, PRIMARY KEY(run_id, step));"
    "CREATE TABLE camp_notifications(id INTEGER PRIMARY KEY, run_id INTEGER, step TEXT,"
    " kind TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL);",
    /* 3 -> 4: whose clock a run follows: 'fixed' when started with --now
     * (status then measures due times from the run's own clock), else
     * 'wall' */
    "ALTER TABLE camp_runs ADD COLUMN clock TEXT NOT NULL DEFAULT 'wall';",
    /* 4 -> 5: approval notifications sent by e-mail: the approvers'
     * addresses and the provider (JSON, as camp_delivery.config) per
     * approval; each notification's address and what happened to it */
    "ALTER TABLE camp_approvals ADD COLUMN contacts TEXT;"
    "ALTER TABLE camp_approvals ADD COLUMN notify_config TEXT;"
    "ALTER TABLE camp_notifications ADD COLUMN address TEXT;"
    "ALTER TABLE camp_notifications ADD COLUMN sent_at TEXT;"
    "ALTER TABLE camp_notifications ADD COLUMN detail TEXT;",
    /* 5 -> 6: the type of each channel step's recipient keys ('int' or
     * 'text'), so readers show a key as the campaign's schema types it
     * even where the outbox column is text (PostgreSQL) */
    "ALTER TABLE camp_delivery ADD COLUMN key_type TEXT;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* The migrations of this backend: PostgreSQL's are in store_pg.c, one
 * for each entry above. */
static const char *migration(Db *db, int i) {
  return strcmp(db_backend(db), "postgres") == 0 ? store_pg_migration(i) : migrations[i];
}

int store_present(Db *db) { return db_table_exists(db, "camp_meta"); }
/* 1 when every table of this camp is there: nothing to lock (a resume from
 * cron must not wait for another process's write lock, or fail on it, just
 * to find that out). */
static int up_to_date(Db *db) {
  if (!store_present(db)) return 0;
  return db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta WHERE key = 'schema_version'",
                      -1) == NMIGRATIONS &&
         db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'track_schema_version'", -1) == STORE_TRACK_VERSION &&
         db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'mops_schema_version'", -1) == STORE_MOPS_VERSION &&
         db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'policy_schema_version'", -1) == STORE_POLICY_VERSION &&
         db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'holdout_schema_version'", -1) == STORE_HOLDOUT_VERSION &&
         db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'abtest_schema_version'", -1) == STORE_ABTEST_VERSION &&
         store_distrib_current(db);
}

int store_migrate(Db *db, char *err, size_t errlen) {
  if (up_to_date(db)) return 0;
  if (db_begin(db) != 0) {
    snprintf(err, errlen, "cannot lock the database: %s", db_error(db));
    return -1;
  }
  if (db_exec(db, "CREATE TABLE IF NOT EXISTS camp_meta(key TEXT PRIMARY KEY, value TEXT)") != 0)
    goto fail;
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta WHERE key = 'schema_version'", 0);
  if (v > NMIGRATIONS) {
    snprintf(err, errlen,
             "this database was written by a newer camp (store version %lld; this camp knows %d)",
             (long long)v, NMIGRATIONS);
    db_rollback(db);
    return -1;
  }
  for (int i = (int)v; i < NMIGRATIONS; i++) {
    const char *m = migration(db, i);
    if (!m) {
      snprintf(err, errlen, "camp's store version %d has no PostgreSQL migration (runtime/db/store_pg.c)", i + 1);
      db_rollback(db);
      return -1;
    }
    if (db_exec(db, m) != 0) goto fail;
  }
  char sql[200];
  snprintf(sql, sizeof sql,
           "INSERT INTO camp_meta(key, value) VALUES ('schema_version', '%d')"
           " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
           NMIGRATIONS);
  if (db_exec(db, sql) != 0) goto fail;
  if (store_track_migrate(db, err, errlen) != 0) {
    db_rollback(db);
    return -1;
  }
  if (store_mops_migrate(db, err, errlen) != 0) {  /* issue 18 */
    db_rollback(db);
    return -1;
  }
  if (store_distrib_migrate(db, err, errlen) != 0) {
    db_rollback(db);
    return -1;
  }
  if (store_holdout_migrate(db, err, errlen) != 0) { /* audience holdouts (docs/policy.md) */
    db_rollback(db);
    return -1;
  }
  if (store_policy_migrate(db, err, errlen) != 0) {
    db_rollback(db);
    return -1;
  }
  if (store_abtest_migrate(db, err, errlen) != 0) { /* A/B content tests */
    db_rollback(db);
    return -1;
  }
  if (db_commit(db) != 0) goto fail;
  return 0;
fail:
  snprintf(err, errlen, "cannot create camp's tables: %s", db_error(db));
  db_rollback(db);
  return -1;
}

void store_result_table(int64_t run_id, const char *name, char *out, size_t outlen) {
  snprintf(out, outlen, "camp_r%lld_%s", (long long)run_id, name);
}

void store_now(char out[20]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
