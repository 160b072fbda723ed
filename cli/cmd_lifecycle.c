/* cmd_lifecycle.c — `camp start|pause|stop|close|archive CAMPAIGN --db DB
 * [--as NAME] [--reason TEXT] [--now TS]` and `camp campaigns --db DB`
 * (deployed campaigns with state, next launch or why none, last run,
 * launches and messages). */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"
#include "runtime/report/report.h"

static int lifecycle(int argc, char **argv, const char *cmd, LifeOp op) {
  CliOpts o;
  int rc = cli_parse(cmd, argc, argv, "db,as,reason,now", &o);
  if (rc) return rc;
  if (o.nfiles != 1 || !o.db) {
    fprintf(stderr, "usage: camp %s CAMPAIGN --db DB [--as NAME] [--reason TEXT] [--now TIMESTAMP]\n", cmd);
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
  rc = ops_lifecycle(db, o.files[0], op, now, cli_who(&o), o.reason, stdout);
  if (rc < 0) fprintf(stderr, "camp %s: %s\n", cmd, db_error(db));
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_start(int argc, char **argv) { return lifecycle(argc, argv, "start", LO_START); }
int cmd_pause(int argc, char **argv) { return lifecycle(argc, argv, "pause", LO_PAUSE); }
int cmd_stop(int argc, char **argv) { return lifecycle(argc, argv, "stop", LO_STOP); }
int cmd_close(int argc, char **argv) { return lifecycle(argc, argv, "close", LO_CLOSE); }
int cmd_archive(int argc, char **argv) { return lifecycle(argc, argv, "archive", LO_ARCHIVE); }

int cmd_campaigns(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("campaigns", argc, argv, "db,now,format", &o);
  if (rc) return rc;
  if (o.nfiles || !o.db || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "usage: camp campaigns --db DB [--now TIMESTAMP] [--format text|json]\n");
    return 2;
  }
  char now[20];
  if (o.now ? exec_parse_now(o.now, now) : (store_now(now), 0)) {
    fprintf(stderr, "camp campaigns: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp campaigns: %s\n", err);
    return 1;
  }
  int json = !strcmp(o.format, "json");
  DbStmt *st = db_prepare(db,
      "SELECT c.name, c.version, c.state,"
      " (SELECT max(id) FROM camp_runs r WHERE r.campaign = c.name),"
      " (SELECT state || ' ' || coalesce(started_at, '') FROM camp_runs r WHERE r.campaign = c.name ORDER BY id DESC LIMIT 1),"
      " (SELECT count(*) FROM camp_launches l WHERE l.campaign = c.name AND l.state = 'started'),"
      " (SELECT count(*) FROM camp_launches l WHERE l.campaign = c.name AND l.state <> 'started'),"
      " (SELECT count(*) FROM camp_outbox x WHERE x.run_id = (SELECT max(id) FROM camp_runs r WHERE r.campaign = c.name)),"
      " (SELECT count(*) FROM camp_outbox x WHERE x.status = 'held' AND x.run_id IN (SELECT id FROM camp_runs r WHERE r.campaign = c.name))"
      " FROM camp_campaigns c ORDER BY c.name");
  if (!st) {
    if (json) puts("[]");
    else printf("no deployed campaigns in %s\n", o.db);
    db_close(db);
    return 0;
  }
  static const char *const hdr[] = {"CAMPAIGN", "VERSION", "STATE", "NEXT LAUNCH (UTC)", "LAST RUN", "LAUNCHES",
                                    "MESSAGES", "HELD"};
  /* business status codes (marketing operations): a column only when some
   * campaign has one */
  static const char *const hdr_status[] = {"CAMPAIGN", "VERSION", "STATE", "STATUS", "NEXT LAUNCH (UTC)",
                                           "LAST RUN", "LAUNCHES", "MESSAGES", "HELD"};
  int with_status = db_query_int(db, "SELECT count(*) FROM camp_mops_status", 0) > 0;
  ReportTable t;
  if (with_status) rt_init(&t, 9, hdr_status);
  else rt_init(&t, 8, hdr);
  json_t *arr = json_array();
  int n = 0;
  while (db_step(st) == 1) {
    n++;
    char *v[9];
    for (int c = 0; c < 9; c++) v[c] = report_col_text(st, c);
    char next[1600], last[300], launches[64];
    ops_next_launch(db, v[0], now, next, sizeof next);
    snprintf(last, sizeof last, "%s%s%s", v[3] && *v[3] ? "#" : "-", v[3] ? v[3] : "", v[4] && *v[4] ? " " : "");
    if (v[4]) strncat(last, v[4], sizeof last - strlen(last) - 1);
    snprintf(launches, sizeof launches, "%s (%s skipped/missed)", v[5], v[6]);
    if (json) {
      json_t *j = json_object();
      json_object_set_new(j, "campaign", json_string(v[0]));
      json_object_set_new(j, "version", report_col_json(st, 1));
      json_object_set_new(j, "state", json_string(v[2]));
      if (with_status) {
        char code[256];
        mops_status_of(db, v[0], code, sizeof code);
        json_object_set_new(j, "status", code[0] ? json_string(code) : json_null());
      }
      json_object_set_new(j, "next_launch", json_string(next));
      json_object_set_new(j, "last_run", report_col_json(st, 3));
      json_object_set_new(j, "launches", report_col_json(st, 5));
      json_object_set_new(j, "skipped", report_col_json(st, 6));
      json_object_set_new(j, "messages_last_run", report_col_json(st, 7));
      json_object_set_new(j, "held", report_col_json(st, 8));
      json_array_append_new(arr, j);
    } else {
      char code[256];
      mops_status_of(db, v[0], code, sizeof code);
      const char *row[] = {v[0], v[1], v[2], next, last, launches, v[7], v[8]};
      const char *row_status[] = {v[0], v[1], v[2], code[0] ? code : NULL, next, last, launches, v[7], v[8]};
      rt_add(&t, with_status ? row_status : row);
    }
    for (int c = 0; c < 9; c++) free(v[c]);
  }
  db_finalize(st);
  if (json) {
    json_dumpf(arr, stdout, JSON_INDENT(2));
    putchar('\n');
  } else if (n) {
    rt_print(&t, stdout, "");
  } else {
    printf("no deployed campaigns in %s\n", o.db);
  }
  json_decref(arr);
  rt_free(&t);
  db_close(db);
  return 0;
}
