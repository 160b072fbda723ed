/* store_track.c — the tracking tables' migrations (see store_track.h). */
#include "runtime/db/store_track.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Adds a column unless it exists: another branch of camp may add the same
 * column to camp_feedback, and SQLite has no ADD COLUMN IF NOT EXISTS. */
static int add_column(Db *db, const char *table, const char *col, const char *decl) {
  DbTableInfo t;
  if (db_table_info(db, table, &t) != 0) return -1;
  int have = 0;
  for (int i = 0; i < t.ncols; i++) have |= !strcmp(t.cols[i].name, col);
  db_free_table_info(&t);
  if (have) return 0;
  char sql[256];
  snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", table, col, decl);
  return db_exec_ddl(db, sql);
}

static int to_v1(Db *db) {
  if (db_exec_ddl(db,
              "CREATE TABLE IF NOT EXISTS camp_links(outbox_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
              " url TEXT NOT NULL, PRIMARY KEY(outbox_id, idx));"
              "CREATE TABLE IF NOT EXISTS camp_suppression(channel TEXT NOT NULL,"
              " address TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, source TEXT,"
              " outbox_id INTEGER, PRIMARY KEY(channel, address));"))
    return -1;
  if (add_column(db, "camp_feedback", "link", "INTEGER")) return -1;
  return add_column(db, "camp_feedback", "detail", "TEXT");
}

int store_track_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'track_schema_version'", 0);
  if (v > STORE_TRACK_VERSION) {
    snprintf(err, errlen, "this database's tracking tables were written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_TRACK_VERSION);
    return -1;
  }
  if (v < 1 && to_v1(db)) goto fail;
  char sql[128];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('track_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_TRACK_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the tracking tables: %s", db_error(db));
  return -1;
}

char *store_track_norm_address(const char *channel, const char *address, char *out,
                               size_t outlen) {
  if (!outlen) return out;
  while (*address && isspace((unsigned char)*address)) address++;
  size_t n = strlen(address);
  while (n && isspace((unsigned char)address[n - 1])) n--;
  if (n >= outlen) n = outlen - 1;
  int lower = channel && !strcmp(channel, "email");
  for (size_t i = 0; i < n; i++)
    out[i] = lower ? (char)tolower((unsigned char)address[i]) : address[i];
  out[n] = 0;
  return out;
}
