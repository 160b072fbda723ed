/* store_abtest.c — the A/B test tables (see store_abtest.h). */
#include "runtime/db/store_abtest.h"

#include <stdio.h>
#include <string.h>

static int to_v1(Db *db) {
  /* SQLite: recipient_key without a type, as in camp_outbox (keys compare as stored) */
  int pg = !strcmp(db_backend(db), "postgres");
  char sql[1400];
  snprintf(sql, sizeof sql,
                 "CREATE TABLE IF NOT EXISTS camp_abtest(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
                 " spec TEXT NOT NULL, variants TEXT NOT NULL, cell_percent REAL NOT NULL, metric TEXT NOT NULL,"
                 " started_at TEXT NOT NULL, due_at TEXT NOT NULL, winner TEXT, decided_at TEXT,"
                 " PRIMARY KEY(run_id, step));"
                 "CREATE TABLE IF NOT EXISTS camp_abtest_cells(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
                 " recipient_key %s NOT NULL, cell TEXT NOT NULL, PRIMARY KEY(run_id, step, recipient_key));"
                 "CREATE TABLE IF NOT EXISTS camp_abtest_results(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
                 " cell TEXT NOT NULL, sent INTEGER NOT NULL, opened INTEGER NOT NULL, clicked INTEGER NOT NULL,"
                 " hits INTEGER NOT NULL, PRIMARY KEY(run_id, step, cell));", pg ? "TEXT" : "");
  return db_exec(db, sql);
}

int store_abtest_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'abtest_schema_version'", 0);
  if (v > STORE_ABTEST_VERSION) {
    snprintf(err, errlen, "this database's A/B test tables were written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_ABTEST_VERSION);
    return -1;
  }
  if (v < 1 && to_v1(db)) goto fail;
  char sql[128];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('abtest_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_ABTEST_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the A/B test tables: %s", db_error(db));
  return -1;
}
