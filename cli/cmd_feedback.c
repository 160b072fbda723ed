/* cmd_feedback.c — `camp feedback import FILE --db DB [--now TS]`:
 * delivery events from a provider (runtime/delivery/feedback_import.c),
 * all or nothing. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/delivery/feedback_import.h"
#include "runtime/exec/exec.h"

static void print_err(void *ctx, const char *msg) {
  int *n = ctx;
  if (++*n <= 100) fprintf(stderr, "%s\n", msg);
  else if (*n == 101) fprintf(stderr, "camp feedback: more errors not shown\n");
}

int cmd_feedback(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "import") != 0) {
    if (argc >= 1 && argv[0][0] == '-') { /* an option before `import`: say which is wrong */
      CliOpts bad;
      int rc = cli_parse("feedback", argc, argv, "db,now", &bad);
      if (rc) return rc;
    }
    fprintf(stderr, "usage: camp feedback import FILE --db DB [--now TIMESTAMP]\n");
    return 2;
  }
  CliOpts o;
  int rc = cli_parse("feedback", argc - 1, argv + 1, "db,now", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles != 1) {
    fprintf(stderr, "usage: camp feedback import FILE --db DB [--now TIMESTAMP]\n");
    return 2;
  }
  char now[20], err[1024];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp feedback: --now `%s` is not a date or time\n", o.now);
    return 2;
  }
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp feedback: %s\n", err);
    return 1;
  }
  if (!store_present(db)) {
    fprintf(stderr, "camp feedback: %s holds no camp messages\n", o.db);
    db_close(db);
    return 1;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp feedback: %s\n", err);
    db_close(db);
    return 1;
  }
  FeedbackCounts c;
  int nerr = 0;
  rc = feedback_import(db, o.files[0], now, &c, print_err, &nerr);
  db_close(db);
  if (rc != 0) {
    if (rc > 0)
      fprintf(stderr, "camp feedback: %d bad row%s in %s: nothing imported\n", rc, rc == 1 ? "" : "s",
              o.files[0]);
    else
      fprintf(stderr, "camp feedback: nothing imported\n");
    return 1;
  }
  printf("imported %lld event%s from %s: %lld delivered, %lld hard bounces, %lld soft bounces, "
         "%lld complaints; %lld already present; %lld address%s suppressed\n",
         (long long)c.imported, c.imported == 1 ? "" : "s", o.files[0], (long long)c.delivered,
         (long long)c.bounced_hard, (long long)c.bounced_soft, (long long)c.complaints,
         (long long)c.duplicates, (long long)c.suppressed, c.suppressed == 1 ? "" : "es");
  return 0;
}
