/* cmd_deploy.c — `camp deploy FILE --db DB [--campaign C] [--now TS]
 * [--as NAME] [--reason TEXT] [--engine E]`: a checked campaign becomes a
 * new version in the database (see runtime/ops/deploy.c). */
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"

int cmd_deploy(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("deploy", argc, argv, "db,campaign,now,as,reason,engine,I", &o);
  if (rc) return rc;
  if (o.nfiles != 1 || !o.db) {
    fprintf(stderr, "usage: camp deploy FILE --db DB [--campaign NAME] [--now TIMESTAMP] [--as NAME] [--reason TEXT]\n");
    return 2;
  }
  char norm[20];
  if (o.now && exec_parse_now(o.now, norm)) {
    fprintf(stderr, "camp deploy: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  int status;
  Program *p = cli_compile(&o, &status);
  Decl *camp = status ? NULL : program_campaign(p, o.campaign);
  if (!camp) {
    cli_print_diags(p, &o);
    program_free(p);
    return 1;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp deploy: %s\n", err);
    program_free(p);
    return 1;
  }
  if (exec_verify_schema(db, p, camp)) {
    fprintf(stderr, "camp deploy: the database %s does not match the campaign's schemas:\n", o.db);
    cli_print_diags(p, &o);
    rc = 1;
  } else {
    DeployOptions d = {.file = o.files[0], .now = o.now, .who = cli_who(&o), .reason = o.reason,
                       .engine = o.engine, .db_path = o.db, .out = stdout};
    rc = ops_deploy(db, p, camp, &d);
    if (rc == 0) {
      /* marketing operations (tasks, hierarchy, status codes): stored on every deploy */
      char now[20];
      if (o.now) snprintf(now, sizeof now, "%s", norm);
      else store_now(now);
      if (mops_sync(db, p, camp, now, cli_who(&o), err, sizeof err)) {
        fprintf(stderr, "camp deploy: %s\n", err);
        rc = 1;
      }
    }
  }
  db_close(db);
  program_free(p);
  return rc;
}
