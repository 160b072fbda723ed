/* cmd_gc.c — `camp gc --db DB [--keep N] [--dry-run]`: drops the result
 * tables of old finished runs (runtime/db/store_gc.c).  Exit 0 on success,
 * 1 when the database cannot be used, 2 on bad usage. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/report/report.h"

int cmd_gc(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("gc", argc, argv, "db,keep,dry-run", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles) {
    fprintf(stderr, "usage: camp gc --db DB [--keep N] [--dry-run]\n");
    return 2;
  }
  int keep = STORE_GC_KEEP;
  if (o.keep) {
    char *end;
    long v = strtol(o.keep, &end, 10);
    if (!*o.keep || *end || v < 0 || v > 1000000) {
      fprintf(stderr, "camp gc: --keep needs a number of runs (0 or more), not `%s`\n", o.keep);
      return 2;
    }
    keep = (int)v;
  }
  char err[1024];
  Db *db = db_open(o.db, o.dry_run ? DB_OPEN_READONLY : DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp gc: %s\n", err);
    return 1;
  }
  if (!store_present(db)) {
    printf("no camp runs in %s\n", o.db);
    db_close(db);
    return 0;
  }
  StoreGcRun *runs;
  int n;
  rc = store_gc(db, keep, o.dry_run, &runs, &n, err, sizeof err) ? 1 : 0;
  int64_t total = 0;
  int tables = 0;
  for (int i = 0; i < n; i++) {
    char size[64];
    report_bytes(runs[i].bytes, size, sizeof size);
    printf("%s run %lld (%s): %d table%s, %s\n", o.dry_run ? "would drop" : "dropped",
           (long long)runs[i].id, runs[i].campaign, runs[i].ntables,
           runs[i].ntables == 1 ? "" : "s", size);
    tables += runs[i].ntables;
    total = total < 0 || runs[i].bytes < 0 ? -1 : total + runs[i].bytes;
  }
  if (rc) {
    fprintf(stderr, "camp gc: %s\n", err);
  } else if (n == 0) {
    printf("nothing to drop: no finished run beyond the newest %d per campaign has tables\n", keep);
  } else {
    char size[64];
    report_bytes(total, size, sizeof size);
    printf("%s %d table%s of %d run%s, %s%s\n", o.dry_run ? "would drop" : "dropped", tables,
           tables == 1 ? "" : "s", n, n == 1 ? "" : "s", size,
           o.dry_run ? "" : " (SQLite reuses the pages; VACUUM shrinks the file)");
  }
  free(runs);
  db_close(db);
  return rc;
}
