/* store_holdout.c — the audience holdouts' table (see store_holdout.h). */
#include "runtime/db/store_holdout.h"

#include <stdio.h>

int store_holdout_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'holdout_schema_version'", 0);
  if (v > STORE_HOLDOUT_VERSION) {
    snprintf(err, errlen, "this database's holdout table was written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_HOLDOUT_VERSION);
    return -1;
  }
  if (v < 1 && db_exec_ddl(db, "CREATE TABLE IF NOT EXISTS camp_holdout_treated(run_id INTEGER NOT NULL,"
                               " step TEXT NOT NULL, recipient_key TEXT NOT NULL,"
                               " PRIMARY KEY(run_id, step, recipient_key))"))
    goto fail;
  char sql[160];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('holdout_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_HOLDOUT_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the holdout table: %s", db_error(db));
  return -1;
}
