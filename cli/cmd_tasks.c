/* cmd_tasks.c — `camp tasks --db DB [--who NAME] [--due-before DATE]
 * [--campaign C] [--done ID]` and `camp set-status CAMPAIGN CODE --db DB`:
 * marketing operations' tasks and business status codes
 * (runtime/mops/mops.h, docs/marketing-ops.md). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/check/dateformula.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"

/* --now or the current UTC time into now; 0, or 2 after a usage error. */
static int clock_now(const char *cmd, const CliOpts *o, char now[20]) {
  if (!o->now) {
    store_now(now);
    return 0;
  }
  if (exec_parse_now(o->now, now) == 0) return 0;
  fprintf(stderr, "camp %s: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", cmd, o->now);
  return 2;
}

static Db *open_store(const char *cmd, const char *path) {
  char err[1024];
  Db *db = db_open(path, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    return NULL;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    db_close(db);
    return NULL;
  }
  return db;
}

int cmd_tasks(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("tasks", argc, argv, "db,who,due-before,done,campaign,as,now,format", &o);
  if (rc) return rc;
  if (o.nfiles || !o.db || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "usage: camp tasks --db DB [--who NAME] [--due-before DATE] [--campaign C] [--done ID]"
                    " [--format text|json]\n");
    return 2;
  }
  char now[20];
  if ((rc = clock_now("tasks", &o, now))) return rc;
  int64_t day;
  if (o.due_before && df_parse_date(o.due_before, &day)) {
    fprintf(stderr, "camp tasks: --due-before `%s` is not a date (use YYYY-MM-DD)\n", o.due_before);
    return 2;
  }
  char *end = NULL;
  long long id = o.done ? strtoll(o.done, &end, 10) : 0;
  if (o.done && (!*o.done || *end || id <= 0)) {
    fprintf(stderr, "camp tasks: --done takes a task id (a positive number, see `camp tasks`)\n");
    return 2;
  }
  Db *db = open_store("tasks", o.db);
  if (!db) return 1;
  if (o.done) {
    char err[1024];
    rc = mops_task_done(db, id, now, cli_who(&o), err, sizeof err);
    if (rc == 0) printf("task %lld done\n", id);
    else fprintf(stderr, "camp tasks: %s\n", err);
    db_close(db);
    return rc ? 1 : 0;
  }
  char before[11] = "";
  if (o.due_before) df_format_date(day, before);
  MopsTaskFilter f = {.who = o.who, .due_before = o.due_before ? before : NULL, .campaign = o.campaign};
  rc = mops_print_tasks(db, &f, now, !strcmp(o.format, "json"), stdout);
  if (rc < 0) fprintf(stderr, "camp tasks: %s\n", db_error(db));
  db_close(db);
  return rc < 0 ? 1 : 0;
}

int cmd_set_status(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("set-status", argc, argv, "db,as,reason,now", &o);
  if (rc) return rc;
  if (o.nfiles != 2 || !o.db) {
    fprintf(stderr, "usage: camp set-status CAMPAIGN CODE --db DB [--as NAME] [--reason TEXT]\n");
    return 2;
  }
  char now[20];
  if ((rc = clock_now("set-status", &o, now))) return rc;
  Db *db = open_store("set-status", o.db);
  if (!db) return 1;
  char err[2048];
  rc = mops_set_status(db, o.files[0], o.files[1], now, cli_who(&o), o.reason, err, sizeof err);
  if (rc == 0) printf("%s: status %s\n", o.files[0], o.files[1]);
  else fprintf(stderr, "camp set-status: %s\n", err);
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_budget(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("budget", argc, argv, "db,format", &o);
  if (rc) return rc;
  if (o.nfiles > 1 || !o.db || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "usage: camp budget --db DB [CAMPAIGN] [--format text|json]\n");
    return 2;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp budget: %s\n", err);
    return 1;
  }
  if (!db_table_exists(db, "camp_mops_nodes")) {
    if (!strcmp(o.format, "json")) puts("[]");
    else puts("no plans, programs or campaigns with marketing operations");
    db_close(db);
    return o.nfiles ? 1 : 0;
  }
  rc = mops_print_budget(db, o.nfiles ? o.files[0] : NULL, !strcmp(o.format, "json"), stdout);
  if (rc < 0 && o.nfiles == 0) fprintf(stderr, "camp budget: %s\n", db_error(db));
  db_close(db);
  return rc < 0 ? 1 : 0;
}

int cmd_stock(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("stock", argc, argv, "db,as,reason,now,format", &o);
  if (rc) return rc;
  int order = o.nfiles == 3 && !strcmp(o.files[0], "order");
  if (!o.db || (o.nfiles && !order) || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "usage: camp stock --db DB [--format text|json]\n"
                    "       camp stock order ITEM QUANTITY --db DB [--as NAME] [--reason TEXT]\n");
    return 2;
  }
  char now[20];
  if ((rc = clock_now("stock", &o, now))) return rc;
  char *end = NULL;
  long long qty = order ? strtoll(o.files[2], &end, 10) : 0;
  if (order && (!*o.files[2] || *end || qty <= 0 || qty > 1000000000000LL)) {
    fprintf(stderr, "camp stock: the quantity of an order line is a whole number above 0\n");
    return 2;
  }
  Db *db = open_store("stock", o.db);
  if (!db) return 1;
  char err[1024];
  if (order) {
    rc = mops_stock_order(db, o.files[1], qty, now, cli_who(&o), o.reason, err, sizeof err);
    if (rc) fprintf(stderr, "camp stock: %s\n", err);
    else {
      int64_t level = 0;
      mops_stock_level(db, o.files[1], &level);
      printf("%s: +%lld, level %lld\n", o.files[1], qty, (long long)level);
    }
  } else {
    rc = mops_print_stock(db, !strcmp(o.format, "json"), stdout) < 0;
  }
  /* the level may have crossed a threshold either way (an order re-arms) */
  if (rc == 0 && mops_stock_alerts(db, now) < 0) fprintf(stderr, "camp stock: alerts: %s\n", db_error(db));
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_offers(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("offers", argc, argv, "db,contact,item,on,as,now,format", &o);
  if (rc) return rc;
  int act = o.nfiles == 2 && (!strcmp(o.files[0], "activate") || !strcmp(o.files[0], "deactivate"));
  int look = o.nfiles == 0 && o.contact && o.item;
  if (!o.db || (!act && !look) || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "usage: camp offers activate|deactivate CAMPAIGN --db DB [--as NAME]\n"
                    "       camp offers --db DB --contact KEY --item ITEM [--on DATE] [--format text|json]\n");
    return 2;
  }
  char now[20];
  if ((rc = clock_now("offers", &o, now))) return rc;
  int64_t day;
  if (o.on && df_parse_date(o.on, &day)) {
    fprintf(stderr, "camp offers: --on `%s` is not a date (use YYYY-MM-DD)\n", o.on);
    return 2;
  }
  Db *db = open_store("offers", o.db);
  if (!db) return 1;
  char err[1024];
  if (act && !strcmp(o.files[0], "activate")) {
    rc = mops_offers_activate(db, o.files[1], now, cli_who(&o), stdout, err, sizeof err);
    if (rc) fprintf(stderr, "camp offers: %s\n", err);
  } else if (act) {
    rc = mops_offers_deactivate(db, o.files[1], now, cli_who(&o), err, sizeof err);
    if (rc) fprintf(stderr, "camp offers: %s\n", err);
    else printf("%s: offers deactivated\n", o.files[1]);
  } else {
    char on[11];
    if (o.on) df_format_date(day, on);
    else snprintf(on, sizeof on, "%.10s", now);
    rc = mops_offer_lookup(db, o.contact, o.item, on, !strcmp(o.format, "json"), stdout) < 0;
  }
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_stats(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("stats", argc, argv, "db,format,output", &o);
  if (rc) return rc;
  if (o.nfiles != 1 || !o.db || (strcmp(o.format, "text") && strcmp(o.format, "json") && strcmp(o.format, "csv"))) {
    fprintf(stderr, "usage: camp stats CAMPAIGN --db DB [--format text|json|csv] [--output CHART.svg]\n");
    return 2;
  }
  Db *db = open_store("stats", o.db);
  if (!db) return 1;
  rc = mops_print_stats(db, o.files[0], o.format, o.output, stdout);
  if (rc < 0) fprintf(stderr, "camp stats: %s\n", db_error(db));
  db_close(db);
  return rc ? 1 : 0;
}
