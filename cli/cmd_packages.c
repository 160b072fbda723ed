/* cmd_packages.c — `camp packages VERB ...`: the distributed-marketing
 * model and its decisions from the command line (runtime/distrib/).  The
 * web page (`camp serve`) does the same for people without a terminal. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/db/store_distrib.h"
#include "runtime/distrib/distrib.h"
#include "runtime/exec/exec.h"

static const char USAGE[] =
    "usage: camp packages sync FILE... --db DB\n"
    "       camp packages list --db DB [--entity E]\n"
    "       camp packages order|unsubscribe PKG --db DB --as LOGIN [--params JSON]\n"
    "       camp packages approve|reject PKG --entity E --db DB --as LOGIN\n"
    "       camp packages passwd LOGIN --db DB      (password from $CAMP_PASSWORD or stdin)\n"
    "       camp packages approve-contacts|remove-contacts RUN --step S --db DB --as LOGIN (--keys K,K | --all)"
    " [--entity GROUP]\n"
    "       camp packages costs PKG --db DB [--entity E]\n"
    "       camp packages children --db DB [--run R] [--entity E]\n"
    "       camp packages edit-child PKG --run R --params JSON --db DB --as LOGIN\n";

static int sync_model(CliOpts *o, Db *db, const char *now) {
  /* files[0] is the verb: compile the rest */
  CliOpts c = *o;
  c.nfiles = o->nfiles - 1;
  for (int i = 0; i < c.nfiles; i++) c.files[i] = o->files[i + 1];
  int status = 0;
  Program *p = cli_compile(&c, &status);
  if (!p) return 1;
  if (status) {
    program_free(p);
    return 1;
  }
  char err[1024];
  int rc = db_begin(db);
  if (!rc) rc = store_distrib_sync(db, p->distrib, now, err, sizeof err);
  else snprintf(err, sizeof err, "the database is busy: %s", db_error(db));
  if (!rc) rc = db_commit(db);
  else db_rollback(db);
  if (rc) fprintf(stderr, "camp packages sync: %s\n", err);
  else
    printf("stored %d entities, %d operators, %d packages\n", p->distrib->entities.len,
           p->distrib->operators.len, p->distrib->packages.len);
  program_free(p);
  return rc ? 1 : 0;
}

/* The password: $CAMP_PASSWORD, else the first line of stdin. */
static int read_password(char *pw, size_t n) {
  const char *env = getenv("CAMP_PASSWORD");
  if (env && *env) {
    snprintf(pw, n, "%s", env);
    return 0;
  }
  if (isatty(0)) fprintf(stderr, "password: ");
  if (!fgets(pw, (int)n, stdin)) return -1;
  pw[strcspn(pw, "\r\n")] = 0;
  return 0;
}

static int report(const char *verb, int rc, const char *err) {
  if (rc == DISTRIB_OK) return 0;
  fprintf(stderr, "camp packages %s: %s%s\n", verb, rc == DISTRIB_FORBIDDEN ? "refused: " : "", err);
  return 1;
}

static int acting(Db *db, CliOpts *o, DistOp *op, const char *verb) {
  if (!o->as || distrib_op_load(db, o->as, op)) {
    fprintf(stderr, "camp packages %s: --as must name an operator declared in an entity (got `%s`)\n", verb,
            o->as ? o->as : "");
    return -1;
  }
  return 0;
}

static int decide_contacts(Db *db, CliOpts *o, const char *verb, const char *now, int approve) {
  DistOp op;
  char *end = NULL;
  long long run = o->nfiles == 2 ? strtoll(o->files[1], &end, 10) : 0;
  if (run < 1 || *end || !o->step || (!o->keys == !o->all)) {
    fputs(USAGE, stderr);
    return 2;
  }
  if (acting(db, o, &op, verb)) return 1;
  char *keys = o->keys ? strdup(o->keys) : NULL;
  const char *list[4096];
  int n = -1;
  if (keys) {
    n = 0;
    for (char *t = strtok(keys, ","); t; t = strtok(NULL, ",")) {
      if (n == 4096) {
        fprintf(stderr, "camp packages %s: at most 4096 keys at a time (or --all)\n", verb);
        free(keys);
        return 2;
      }
      list[n++] = t;
    }
  }
  char err[512] = "";
  int64_t changed = 0;
  int rc = distrib_decide_contacts(db, &op, o->entity, run, o->step, list, n, approve, now, &changed, err, sizeof err);
  free(keys);
  if (rc == DISTRIB_OK) printf("%lld contact%s %s\n", (long long)changed, changed == 1 ? "" : "s", approve ? "approved" : "removed");
  return report(verb, rc, err);
}

int cmd_packages(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("packages", argc, argv, "db,as,now,I,entity,params,step,keys,all,run", &o);
  if (rc) return rc;
  if (!o.nfiles || !o.db) {
    fputs(USAGE, stderr);
    return 2;
  }
  const char *verb = o.files[0];
  char now[20];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp packages: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  static const char *const verbs[] = {"sync", "list", "order", "unsubscribe", "approve", "reject", "passwd",
                                      "approve-contacts", "remove-contacts", "costs", "children", "edit-child"};
  int known = 0;
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) known |= !strcmp(verbs[i], verb);
  if (!known) {
    fprintf(stderr, "camp packages: unknown verb `%s`\n", verb);
    fputs(USAGE, stderr);
    return 2;
  }
  char err[1024] = "";
  Db *db = db_open(o.db, !strcmp(verb, "sync") ? DB_OPEN_CREATE : DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp packages: %s\n", err);
    return 1;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp packages: %s\n", err);
    db_close(db);
    return 1;
  }
  DistOp op;
  if (!strcmp(verb, "sync")) {
    rc = o.nfiles < 2 ? (fputs(USAGE, stderr), 2) : sync_model(&o, db, now);
  } else if (!strcmp(verb, "list")) {
    rc = distrib_print_packages(db, o.entity, stdout) ? 1 : 0;
  } else if (!strcmp(verb, "order") || !strcmp(verb, "unsubscribe")) {
    if (o.nfiles != 2) rc = (fputs(USAGE, stderr), 2);
    else if (acting(db, &o, &op, verb)) rc = 1;
    else {
      rc = report(verb, distrib_order(db, &op, o.files[1], o.params, !strcmp(verb, "unsubscribe"), now, err, sizeof err), err);
      if (!rc) printf("%s: %s %s\n", o.files[1], op.entity, !strcmp(verb, "unsubscribe") ? "unsubscribed" : "ordered");
    }
  } else if (!strcmp(verb, "approve") || !strcmp(verb, "reject")) {
    if (o.nfiles != 2 || !o.entity) rc = (fputs(USAGE, stderr), 2);
    else if (acting(db, &o, &op, verb)) rc = 1;
    else {
      rc = report(verb, distrib_decide_order(db, &op, o.files[1], o.entity, !strcmp(verb, "approve"), now, err, sizeof err), err);
      if (!rc) printf("%s: order of %s %s\n", o.files[1], o.entity, !strcmp(verb, "approve") ? "approved" : "rejected");
    }
  } else if (!strcmp(verb, "children") || !strcmp(verb, "edit-child")) {
    char *end = NULL;
    long long run = o.run ? strtoll(o.run, &end, 10) : 0;
    int edit = !strcmp(verb, "edit-child");
    if ((o.run && (*end || run < 1)) || o.nfiles != (edit ? 2 : 1) || (edit && (!o.run || !o.params)))
      rc = (fputs(USAGE, stderr), 2);
    else if (!edit)
      rc = distrib_print_children(db, run, o.entity, stdout) ? 1 : 0;
    else if (acting(db, &o, &op, verb)) rc = 1;
    else {
      rc = report(verb, distrib_edit_child(db, &op, run, o.files[1], o.params, now, err, sizeof err), err);
      if (!rc) printf("%s: child campaign of %s in run %lld changed\n", o.files[1], op.entity, run);
    }
  } else if (!strcmp(verb, "costs")) {
    if (o.nfiles != 2) rc = (fputs(USAGE, stderr), 2);
    else rc = report(verb, distrib_print_costs(db, o.files[1], o.entity, stdout, err, sizeof err), err);
  } else if (!strcmp(verb, "passwd")) {
    char pw[1100];
    if (o.nfiles != 2) rc = (fputs(USAGE, stderr), 2);
    else if (read_password(pw, sizeof pw)) rc = (fprintf(stderr, "camp packages passwd: no password given\n"), 1);
    else {
      rc = report(verb, distrib_set_password(db, o.files[1], pw, err, sizeof err), err);
      if (!rc) printf("password of %s set\n", o.files[1]);
    }
    memset(pw, 0, sizeof pw);
  } else {
    rc = decide_contacts(db, &o, verb, now, !strcmp(verb, "approve-contacts"));
  }
  db_close(db);
  return rc;
}
