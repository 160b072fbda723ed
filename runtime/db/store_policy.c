/* store_policy.c — the contact policy's tables (see store_policy.h). */
#include "runtime/db/store_policy.h"

#include <stdio.h>

static int to_v1(Db *db) {
  return db_exec_ddl(db,
                 "CREATE TABLE IF NOT EXISTS camp_policy_steps(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
                 " channel TEXT NOT NULL, dimension TEXT NOT NULL, key_column TEXT NOT NULL,"
                 " address_column TEXT, consent_sql TEXT, transactional INTEGER NOT NULL DEFAULT 0,"
                 " PRIMARY KEY(run_id, step));"
                 "CREATE TABLE IF NOT EXISTS camp_policy_removed(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
                 " recipient_key TEXT NOT NULL, channel TEXT NOT NULL, address TEXT, reason TEXT NOT NULL,"
                 " stage TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(run_id, step, recipient_key, stage));");
}

/* Pressure rules (installed by `camp policy apply`), campaign weights and
 * why a recipient was taken out. */
static int to_v2(Db *db) {
  return db_exec_ddl(db,
                 "CREATE TABLE IF NOT EXISTS camp_policy_rules(id INTEGER PRIMARY KEY, channel TEXT,"
                 " max_messages INTEGER NOT NULL, period_seconds INTEGER NOT NULL, period TEXT NOT NULL,"
                 " source TEXT, installed_at TEXT NOT NULL);"
                 "ALTER TABLE camp_policy_steps ADD COLUMN weight INTEGER NOT NULL DEFAULT 5;"
                 "ALTER TABLE camp_policy_steps ADD COLUMN campaign TEXT;"
                 "ALTER TABLE camp_policy_removed ADD COLUMN detail TEXT;");
}

/* Send windows: when a queued message may leave (camp send waits for it). */
static int to_v3(Db *db) {
  return db_exec_ddl(db, "ALTER TABLE camp_outbox ADD COLUMN policy_due_at TEXT");
}

/* Pressure at send time looks up each recipient's messages. */
static int to_v4(Db *db) {
  return db_exec(db, "CREATE INDEX IF NOT EXISTS camp_outbox_key ON camp_outbox(recipient_key)");
}

int store_policy_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'policy_schema_version'", 0);
  if (v > STORE_POLICY_VERSION) {
    snprintf(err, errlen, "this database's policy tables were written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_POLICY_VERSION);
    return -1;
  }
  if (v < 1 && to_v1(db)) goto fail;
  if (v < 2 && to_v2(db)) goto fail;
  if (v < 3 && to_v3(db)) goto fail;
  if (v < 4 && to_v4(db)) goto fail;
  char sql[128];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('policy_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_POLICY_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the policy tables: %s", db_error(db));
  return -1;
}
