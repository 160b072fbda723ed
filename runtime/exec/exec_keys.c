/* exec_keys.c — temporary tables of integer recipient keys: what the rule
 * engines and the in-memory plan hand back to SQL (a step's result, the
 * rows the contact policy should look at).  Filled in bulk: one prepared
 * insert per key on SQLite (in-process, cheap), one statement with an
 * array on PostgreSQL (a round trip per key would dominate). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"

static int on_postgres(Exec *x) { return strcmp(db_backend(x->db), "postgres") == 0; }

/* PostgreSQL: the keys as one array literal, unnested by the server. */
static int fill_pg(Exec *x, const char *table, const int64_t *keys, size_t n) {
  size_t cap = n * 21 + 16, len = 0;
  char *arr = malloc(cap);
  if (!arr) abort();
  arr[len++] = '{';
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(arr + len, cap - len, "%s%lld", i ? "," : "", (long long)keys[i]);
  arr[len++] = '}';
  arr[len] = 0;
  char sql[300];
  snprintf(sql, sizeof sql, "INSERT INTO pg_temp.%s(\"_key\") SELECT unnest(CAST(? AS bigint[])) ON CONFLICT DO NOTHING",
           table);
  DbStmt *ins = db_prepare(x->db, sql);
  int rc = ins ? db_bind_text(ins, 1, arr) : -1;
  if (rc == 0 && db_step(ins) < 0) rc = -1;
  db_finalize(ins);
  free(arr);
  return rc;
}

int exec_keys_store(Exec *x, const char *table, const int64_t *keys, size_t n) {
  assert(table && !strchr(table, '"') && !strchr(table, '.'));
  int pg = on_postgres(x);
  char sql[300];
  snprintf(sql, sizeof sql,
           pg ? "DROP TABLE IF EXISTS pg_temp.%s; CREATE TEMP TABLE %s(\"_key\" bigint PRIMARY KEY)"
              : "DROP TABLE IF EXISTS temp.%s; CREATE TEMP TABLE %s(\"_key\" INTEGER PRIMARY KEY)",
           table, table);
  if (db_exec(x->db, sql)) return -1;
  if (pg) return fill_pg(x, table, keys, n);
  snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO temp.%s(\"_key\") VALUES (?)", table);
  DbStmt *ins = db_prepare(x->db, sql);
  if (!ins) return -1;
  for (size_t i = 0; i < n; i++) {
    db_reset(ins);
    db_bind_int(ins, 1, keys[i]);
    if (db_step(ins) < 0) {
      db_finalize(ins);
      return -1;
    }
  }
  db_finalize(ins);
  return 0;
}

int exec_keys_read(Exec *x, const char *table, KeyVec *out) {
  char sql[700];
  snprintf(sql, sizeof sql, "SELECT \"_key\" FROM %s ORDER BY \"_key\"", table);
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) return -1;
  int rc;
  while ((rc = db_step(st)) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind != DBV_INT) { /* text keys: the engines take integers only */
      db_finalize(st);
      return 1;
    }
    keyvec_push(out, v.i);
  }
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}
