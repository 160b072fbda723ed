/* cmd_tick.c — `camp tick --db DB [--now TS] [--as NAME] [--engine E]`:
 * one scheduler step (runtime/ops/tick.c); meant for cron or the systemd
 * timer in contrib/.  Safe to run often and concurrently. */
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/distrib/distrib.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"

int cmd_tick(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("tick", argc, argv, "db,now,as,engine", &o);
  if (rc) return rc;
  if (o.nfiles || !o.db) {
    fprintf(stderr, "usage: camp tick --db DB [--now TIMESTAMP] [--as NAME]\n");
    return 2;
  }
  char norm[20];
  if (o.now && exec_parse_now(o.now, norm)) {
    fprintf(stderr, "camp tick: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  if (o.engine && strcmp(o.engine, "sql") && strcmp(o.engine, "auto") && strcmp(o.engine, "interp") &&
      strcmp(o.engine, "jit")) {
    fprintf(stderr, "camp tick: --engine must be sql, interp, jit or auto\n");
    return 2;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp tick: %s\n", err);
    return 1;
  }
  TickOptions t = {.now = o.now, .who = o.as && *o.as ? o.as : "camp tick", .engine = o.engine, .db_path = o.db,
                   .out = stdout};
  rc = ops_tick(db, &t);
  char now[20];
  if (o.now) snprintf(now, sizeof now, "%s", norm);
  else store_now(now);
  /* launches and resumed waits may have used stock: alert at the thresholds */
  if (mops_stock_alerts(db, now) < 0) fprintf(stderr, "camp tick: stock alerts: %s\n", db_error(db));
  /* distributed marketing: reminders of open local approvals */
  if (distrib_tick(db, now, stdout) < 0) {
    fprintf(stderr, "camp tick: local approval reminders: %s\n", db_error(db));
    rc = 1;
  }
  db_close(db);
  return rc ? 1 : 0;
}
