/* cmd_suppress.c — `camp suppress add|remove|list`: the manual entries of
 * the suppression list (runtime/policy/suppress.c, docs/policy.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/policy/policy.h"
#include "runtime/policy/suppress.h"

static int usage(void) {
  fprintf(stderr, "usage: camp suppress add ADDRESS... --db DB --channel C [--reason TEXT] [--now TS]\n"
                  "       camp suppress remove ADDRESS... --db DB --channel C\n"
                  "       camp suppress list --db DB [--channel C] [--format text|csv]\n");
  return 2;
}

int cmd_suppress(int argc, char **argv) {
  if (argc < 1 || (strcmp(argv[0], "add") && strcmp(argv[0], "remove") && strcmp(argv[0], "list"))) {
    if (argc >= 1 && argv[0][0] == '-') { /* an option before the verb: say which is wrong */
      CliOpts bad;
      int rc = cli_parse("suppress", argc, argv, "db,channel,reason,now,format", &bad);
      if (rc) return rc;
    }
    return usage();
  }
  const char *verb = argv[0];
  CliOpts o;
  int rc = cli_parse("suppress", argc - 1, argv + 1, "db,channel,reason,now,format", &o);
  if (rc) return rc;
  int list = !strcmp(verb, "list");
  if (!o.db || (list ? o.nfiles != 0 : o.nfiles < 1 || !o.channel)) return usage();
  if (o.channel && strcmp(o.channel, "email") && strcmp(o.channel, "sms") && strcmp(o.channel, "push") &&
      strcmp(o.channel, "mail")) {
    fprintf(stderr, "camp suppress: --channel must be email, sms, push or mail\n");
    return 2;
  }
  if (o.format && strcmp(o.format, "text") && strcmp(o.format, "csv")) {
    fprintf(stderr, "camp suppress: --format must be text or csv\n");
    return 2;
  }
  char now[20], err[1024];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp suppress: --now `%s` is not a date or time\n", o.now);
    return 2;
  }
  if (!list)
    for (int i = 0; i < o.nfiles; i++)
      if (!strcmp(verb, "add") && !policy_address_valid(o.channel, o.files[i]))
        fprintf(stderr, "camp suppress: note: `%s` is not a valid %s address (added anyway)\n", o.files[i],
                o.channel);
  Db *db = db_open(o.db, list ? DB_OPEN_READWRITE : DB_OPEN_CREATE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp suppress: %s\n", err);
    return 1;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp suppress: %s\n", err);
    db_close(db);
    return 1;
  }
  int n;
  if (list) {
    n = suppress_list(db, o.channel, o.format && !strcmp(o.format, "csv"), stdout, err, sizeof err);
  } else if (!strcmp(verb, "add")) {
    n = suppress_add(db, o.channel, (const char *const *)o.files, o.nfiles, o.reason, now, err, sizeof err);
    if (n >= 0) printf("%d address%s added to the %s suppression list (%d already listed)\n", n,
                       n == 1 ? "" : "es", o.channel, o.nfiles - n);
  } else {
    n = suppress_remove(db, o.channel, (const char *const *)o.files, o.nfiles, err, sizeof err);
    if (n >= 0) printf("%d address%s removed from the %s suppression list\n", n, n == 1 ? "" : "es", o.channel);
  }
  db_close(db);
  if (n < 0) {
    fprintf(stderr, "camp suppress: %s\n", err);
    return 1;
  }
  return 0;
}
