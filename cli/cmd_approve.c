/* cmd_approve.c — `camp approve RUN --db DB [--step S] --as NAME [--reason
 * TEXT]` releases messages waiting for approval; `camp reject RUN --db DB
 * [--step S] --as NAME --reason TEXT` cancels them (runtime/ops/approve.c). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/ops/ops.h"

static int decide(int argc, char **argv, const char *cmd, int approve) {
  CliOpts o;
  int rc = cli_parse(cmd, argc, argv, "db,step,as,reason,now", &o);
  if (rc) return rc;
  char *end = NULL;
  long long run = o.nfiles == 1 ? strtoll(o.files[0], &end, 10) : 0;
  if (o.nfiles != 1 || !o.db || *end || run < 1 || (!approve && (!o.reason || !*o.reason))) {
    fprintf(stderr, "usage: camp %s RUN --db DB [--step STEP] --as NAME%s\n", cmd,
            approve ? " [--reason TEXT]" : " --reason TEXT");
    return 2;
  }
  char now[20];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp %s: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", cmd, o.now);
    return 2;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    return 1;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    db_close(db);
    return 1;
  }
  rc = ops_decide(db, run, o.step, approve, cli_who(&o), o.reason, now, stdout);
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_approve(int argc, char **argv) { return decide(argc, argv, "approve", 1); }
int cmd_reject(int argc, char **argv) { return decide(argc, argv, "reject", 0); }
