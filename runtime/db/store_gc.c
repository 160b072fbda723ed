/* store_gc.c — retention of camp's per-run result tables (see store.h):
 * what camp's tables take in the database, and dropping the result tables
 * of old finished runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store.h"

/* The run id of a result table name "camp_r<RUN>_<output>", or -1 (camp_runs
 * and other camp_ tables are not result tables). */
static int64_t result_run(const char *name) {
  if (strncmp(name, "camp_r", 6) != 0) return -1;
  const char *p = name + 6;
  int64_t id = 0;
  if (*p < '0' || *p > '9') return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (id > (INT64_MAX - 9) / 10) return -1;
    id = id * 10 + (*p - '0');
  }
  return *p == '_' && p[1] ? id : -1;
}

int store_space(Db *db, StoreSpace *s) {
  memset(s, 0, sizeof *s);
  char **names;
  int n = db_table_names(db, "camp_", &names);
  if (n < 0) return -1;
  s->tables = n;
  s->db_bytes = db_size_bytes(db);
  int64_t last = -1;
  for (int i = 0; i < n; i++) {
    int64_t run = result_run(names[i]);
    if (run >= 0) {
      s->result_tables++;
      /* names are sorted, but camp_r10_ sorts before camp_r2_: count
       * distinct runs by looking back for the same id */
      int seen = run == last;
      for (int k = 0; !seen && k < i; k++) seen = result_run(names[k]) == run;
      if (!seen) s->runs++;
      last = run;
    }
    int64_t b = s->bytes < 0 ? -1 : db_table_bytes(db, names[i]);
    s->bytes = b < 0 ? -1 : s->bytes + b;
  }
  db_free_names(names, n);
  return 0;
}

/* Adds the result tables of run to r (sizes measured before dropping). */
static void collect(Db *db, char **names, int n, StoreGcRun *r) {
  for (int i = 0; i < n; i++) {
    if (result_run(names[i]) != r->id) continue;
    r->ntables++;
    int64_t b = r->bytes < 0 ? -1 : db_table_bytes(db, names[i]);
    r->bytes = b < 0 ? -1 : r->bytes + b;
  }
}

/* Drops run's result tables in one transaction, if it is still done. */
static int drop_run(Db *db, char **names, int n, int64_t run, char *err, size_t errlen) {
  if (db_begin(db) != 0) goto fail;
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM camp_runs WHERE id = %lld AND state = 'done'",
           (long long)run);
  if (db_query_int(db, sql, 0) != 1) { /* resumed or changed meanwhile */
    db_rollback(db);
    return 0;
  }
  for (int i = 0; i < n; i++)
    if (result_run(names[i]) == run && db_drop_table(db, names[i]) != 0) {
      db_rollback(db);
      goto fail;
    }
  if (db_commit(db) == 0) return 0;
  db_rollback(db);
fail:
  snprintf(err, errlen, "cannot drop the tables of run %lld: %s", (long long)run, db_error(db));
  return -1;
}

int store_gc(Db *db, int keep, int dry_run, StoreGcRun **out, int *nout, char *err,
             size_t errlen) {
  *out = NULL;
  *nout = 0;
  char **names;
  int n = db_table_names(db, "camp_r", &names);
  if (n < 0) {
    snprintf(err, errlen, "cannot list tables: %s", db_error(db));
    return -1;
  }
  /* Newest first within each campaign; only finished runs are counted and
   * dropped: a running, waiting or failed run still needs its tables. */
  DbStmt *st = db_prepare(db, "SELECT id, campaign FROM camp_runs WHERE state = 'done' "
                              "ORDER BY campaign, id DESC");
  if (!st) {
    snprintf(err, errlen, "cannot read camp_runs: %s", db_error(db));
    db_free_names(names, n);
    return -1;
  }
  StoreGcRun *runs = NULL;
  int nr = 0, rank = 0, rc;
  char prev[256] = "";
  while ((rc = db_step(st)) == 1) {
    const char *camp = db_column(st, 1).s ? db_column(st, 1).s : "";
    rank = strcmp(camp, prev) == 0 ? rank + 1 : 1;
    snprintf(prev, sizeof prev, "%s", camp);
    if (rank <= keep) continue;
    StoreGcRun r = {.id = db_column(st, 0).i};
    snprintf(r.campaign, sizeof r.campaign, "%s", camp);
    collect(db, names, n, &r);
    if (r.ntables == 0) continue; /* collected before */
    runs = realloc(runs, sizeof *runs * (size_t)(nr + 1));
    if (!runs) abort();
    runs[nr++] = r;
  }
  db_finalize(st);
  if (rc < 0) {
    snprintf(err, errlen, "cannot read camp_runs: %s", db_error(db));
    free(runs);
    db_free_names(names, n);
    return -1;
  }
  int status = 0;
  for (int i = 0; i < nr && !dry_run && status == 0; i++)
    status = drop_run(db, names, n, runs[i].id, err, errlen);
  db_free_names(names, n);
  *out = runs;
  *nout = nr;
  return status;
}
