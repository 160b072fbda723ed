/* cmd_policy.c — `camp policy apply FILE --db DB` installs a file's
 * pressure rules as the database's (replacing the ones before); `camp
 * policy show --db DB` prints them (docs/policy.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/check/policy.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/policy/rules.h"

static int usage(void) {
  fprintf(stderr, "usage: camp policy apply FILE --db DB [--now TS]\n"
                  "       camp policy show --db DB\n");
  return 2;
}

int cmd_policy(int argc, char **argv) {
  if (argc < 1 || (strcmp(argv[0], "apply") && strcmp(argv[0], "show"))) {
    if (argc >= 1 && argv[0][0] == '-') {
      CliOpts bad;
      int rc = cli_parse("policy", argc, argv, "db,now,I", &bad);
      if (rc) return rc;
    }
    return usage();
  }
  int apply = !strcmp(argv[0], "apply");
  CliOpts o;
  int rc = cli_parse("policy", argc - 1, argv + 1, "db,now,I", &o);
  if (rc) return rc;
  if (!o.db || (apply ? o.nfiles != 1 : o.nfiles != 0)) return usage();
  char now[20], err[1024];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp policy: --now `%s` is not a date or time\n", o.now);
    return 2;
  }
  Program *p = NULL;
  PolicyRule rules[32];
  int n = 0;
  if (apply) {
    int status;
    p = cli_compile(&o, &status);
    if (p && (status || p->diags.len)) {
      if (!o.format) o.format = "text";
      cli_print_diags(p, &o);
    }
    if (!p || status) {
      if (p) program_free(p);
      return 1;
    }
    PtrVec decls = {0};
    program_pressure(p, &decls);
    if (decls.len == 0 || decls.len > 32) {
      fprintf(stderr, "camp policy: %s declares %s pressure rule\n", o.files[0], decls.len ? "more than 32" : "no");
      program_free(p);
      return 1;
    }
    for (int i = 0; i < decls.len; i++) {
      Decl *d = decls.items[i];
      rules[n++] = (PolicyRule){d->consent ? channel_name((Channel)(d->consent - 1)) : NULL, d->pmax,
                                d->pperiod->ival, d->pperiod->text ? d->pperiod->text : "?"};
    }
  }
  Db *db = db_open(o.db, apply ? DB_OPEN_CREATE : DB_OPEN_READWRITE, err, sizeof err);
  if (!db || store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp policy: %s\n", err);
    if (db) db_close(db);
    if (p) program_free(p);
    return 1;
  }
  rc = 0;
  if (apply && policy_rules_install(db, rules, n, o.files[0], now, err, sizeof err)) {
    fprintf(stderr, "camp policy: %s\n", err);
    rc = 1;
  } else if (apply) {
    printf("%d pressure rule%s installed in %s:\n", n, n == 1 ? "" : "s", o.db);
  }
  if (rc == 0 && policy_rules_print(db, stdout) == 0 && !apply) printf("no pressure rules installed\n");
  db_close(db);
  if (p) program_free(p);
  return rc;
}
