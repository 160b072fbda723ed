/* cmd_schedule.c — `camp schedule FILE [--campaign C] [--next N] [--now TS]
 * [--format text|json]`: the next launch times of a campaign's schedule
 * (from --now, or the schedule's `from` when that is later; within the
 * campaign's start and end dates), in UTC and in the schedule's zone.
 * Reads no database. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/exec/exec.h"
#include "runtime/ops/ops.h"

int cmd_schedule(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("schedule", argc, argv, "campaign,next,now,format,I", &o);
  if (rc) return rc;
  if (o.nfiles != 1) {
    fprintf(stderr, "usage: camp schedule FILE [--campaign NAME] [--next N] [--now TIMESTAMP] [--format text|json]\n");
    return 2;
  }
  char *end = NULL;
  long n = o.next ? strtol(o.next, &end, 10) : 10;
  if ((o.next && (*end || n < 1 || n > 100000)) || (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
    fprintf(stderr, "camp schedule: --next takes a number from 1 to 100000; --format text or json\n");
    return 2;
  }
  char now[20];
  if (o.now ? exec_parse_now(o.now, now) : (ops_time_format(time(NULL), now), 0)) {
    fprintf(stderr, "camp schedule: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
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
  const CampOps *ops = program_ops(camp);
  int json = !strcmp(o.format, "json");
  if (!ops->has_schedule) {
    if (json) puts("[]");
    else printf("%s has no schedule: it launches once, when it is started\n", camp->name);
    program_free(p);
    return 0;
  }
  time_t anchor;
  ops_time_parse(now, &anchor);
  char err[300];
  Sched *s = sched_open(ops, anchor, err, sizeof err);
  if (!s) {
    fprintf(stderr, "camp schedule: %s\n", err);
    program_free(p);
    return 1;
  }
  json_t *arr = json_array();
  if (!json) printf("launches of %s (zone %s) from %s UTC:\n", camp->name, ops->tz, now);
  static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  /* the campaign's start and end dates bound what launches, like camp tick */
  time_t t, sd = 0, ed = 0;
  if (ops->start_date[0]) zone_local_to_utc(ops->tz, ops->start_date, &sd);
  if (ops->end_date[0]) zone_local_to_utc(ops->tz, ops->end_date, &ed);
  long k = 0;
  while (k < n && (rc = sched_next(s, &t)) == 1) {
    if (sd && t < sd) continue;
    if (ed && t > ed) {
      rc = 0;
      break;
    }
    k++;
    char utc[20], local[20], key[160];
    int wday = 0;
    ops_time_format(t, utc);
    zone_utc_to_local(ops->tz, t, local, &wday);
    sched_launch_key(ops, t, key, sizeof key);
    if (json) {
      json_t *o2 = json_object();
      json_object_set_new(o2, "utc", json_string(utc));
      json_object_set_new(o2, "local", json_string(local));
      json_object_set_new(o2, "launch_key", json_string(key));
      json_array_append_new(arr, o2);
    } else {
      printf("  %s %s %s  (%s UTC)\n", wd[wday], local, ops->tz, utc);
    }
  }
  if (rc < 0) fprintf(stderr, "camp schedule: %s\n", sched_error(s));
  if (json) {
    json_dumpf(arr, stdout, JSON_INDENT(2));
    putchar('\n');
  } else if (k == 0) {
    printf("  (no launch left)\n");
  }
  json_decref(arr);
  sched_close(s);
  program_free(p);
  return rc < 0 ? 1 : 0;
}
