/* store.c — creating and migrating camp's tables (see store.h). */
#include "runtime/db/store.h"
#include "runtime/db/store_track.h"

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
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* The migrations of this backend: PostgreSQL's are in store_pg.c, one
 * for each entry above. */
static const char *migration(Db *db, int i) {
  return strcmp(db_backend(db), "postgres") == 0 ? store_pg_migration(i) : migrations[i];
}

int store_present(Db *db) { return db_table_exists(db, "camp_meta"); }

int store_migrate(Db *db, char *err, size_t errlen) {
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
