/* rules.c — the database's pressure rules (camp_policy_rules): installed
 * by `camp policy apply`, read by every run and plan (pressure.c). */
#include <stdio.h>

#include "runtime/policy/rules.h"

int policy_rules_install(Db *db, const PolicyRule *r, int n, const char *source, const char *now, char *err,
                         size_t errlen) {
  if (db_begin(db)) goto fail0;
  DbStmt *st = NULL;
  if (db_exec(db, "DELETE FROM camp_policy_rules")) goto fail;
  st = db_prepare(db, "INSERT INTO camp_policy_rules(channel, max_messages, period_seconds, period, source,"
                      " installed_at) VALUES (?,?,?,?,?,?)");
  if (!st) goto fail;
  for (int i = 0; i < n; i++) {
    db_reset(st);
    if (r[i].channel) db_bind_text(st, 1, r[i].channel); else db_bind_null(st, 1);
    db_bind_int(st, 2, r[i].max);
    db_bind_int(st, 3, r[i].period_seconds);
    db_bind_text(st, 4, r[i].period);
    db_bind_text(st, 5, source);
    db_bind_text(st, 6, now);
    if (db_step(st) < 0) goto fail;
  }
  db_finalize(st);
  if (db_commit(db) == 0) return 0;
  st = NULL;
fail:
  db_finalize(st);
  snprintf(err, errlen, "installing the pressure rules: %s", db_error(db));
  db_rollback(db);
  return -1;
fail0:
  snprintf(err, errlen, "installing the pressure rules: %s", db_error(db));
  return -1;
}

int policy_rules_print(Db *db, FILE *out) {
  if (db_table_exists(db, "camp_policy_rules") != 1) return 0;
  DbStmt *st = db_prepare(db, "SELECT COALESCE(channel, 'all'), max_messages, period, source, installed_at"
                              " FROM camp_policy_rules ORDER BY id");
  if (!st) return -1;
  int n = 0;
  while (db_step(st) == 1) {
    fprintf(out, "pressure %s max %lld per %s   (from %s, %s)\n", db_column(st, 0).s, (long long)db_column(st, 1).i,
            db_column(st, 2).s, db_column(st, 3).s ? db_column(st, 3).s : "?",
            db_column(st, 4).s ? db_column(st, 4).s : "?");
    n++;
  }
  db_finalize(st);
  return n;
}
