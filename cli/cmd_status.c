/* cmd_status.c — `camp status --db DB [RUN_ID]`: every run in one line
 * each, or one run's steps, outbox summary and warnings (text or JSON).
 * "steps done" counts steps whose state is done or skipped. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/policy/policy.h"
#include "lang/clock.h"
#include "runtime/report/report.h"
#include "runtime/db/store.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"

/* Columns shared by the run list and the run header, in this order. */
#define RUN_COLS \
  "r.id, r.campaign, r.state, r.started_at, r.updated_at, r.finished_at," \
  " (SELECT count(*) FROM camp_steps s WHERE s.run_id = r.id AND s.state IN ('done', 'skipped'))," \
  " (SELECT count(*) FROM camp_steps s WHERE s.run_id = r.id), r.warnings," \
  " (SELECT min(due_at) FROM camp_steps s WHERE s.run_id = r.id AND s.state = 'waiting')," \
  " r.source_file, r.seed"
static const char *const run_keys[] = {"id", "campaign", "state", "started_at", "updated_at",
                                       "finished_at", "steps_done", "steps_total", "warnings",
                                       "next_due", "source_file", "seed"};
enum { RC_ID, RC_CAMPAIGN, RC_STATE, RC_STARTED, RC_UPDATED, RC_FINISHED, RC_DONE, RC_TOTAL,
       RC_WARNINGS, RC_DUE, RC_SOURCE, RC_SEED, RC_N };

/* "2026-03-04 10:00:00 (in 2d 3h)" — or "(overdue 5m)" — relative to now. */
static char *due_text(const char *due, const char *now) {
  if (!due) return NULL;
  int64_t t, n;
  char dur[32], *out = malloc(strlen(due) + 48);
  if (!out) abort();
  if (report_parse_time(due, &t) != 0 || report_parse_time(now, &n) != 0) {
    strcpy(out, due);
    return out;
  }
  report_duration(t - n, dur, sizeof dur);
  sprintf(out, t >= n ? "%s (in %s)" : "%s (overdue %s)", due, dur);
  return out;
}

/* The clock status measures a run's due times from: --now when given;
 * for a run started with --now (clock 'fixed') its own clock, the last
 * time it ran (updated_at) — the wall clock means nothing to it; else the
 * wall clock.  buf holds the run's clock when that is the answer. */
static int now_given;
static const char *run_clock(Db *db, const char *run_id, const char *now, char buf[20]) {
  if (now_given || !run_id) return now;
  DbStmt *st = db_prepare(db, "SELECT updated_at FROM camp_runs WHERE id = ? AND clock = 'fixed'");
  if (!st) return now; /* a store from before runs recorded their clock */
  db_bind_int(st, 1, atoll(run_id));
  const char *r = now;
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT && strlen(v.s) < 20) r = strcpy(buf, v.s);
  }
  db_finalize(st);
  return r;
}

static json_t *run_json(DbStmt *st) {
  json_t *obj = json_object();
  for (int c = 0; c < RC_N; c++) json_object_set_new(obj, run_keys[c], report_col_json(st, c));
  return obj;
}

/* What camp's own tables take, and how to reclaim the result tables. */
static void print_space(Db *db, FILE *out) {
  StoreSpace sp;
  if (store_space(db, &sp) != 0) return;
  char bytes[32], total[32];
  report_bytes(sp.bytes, bytes, sizeof bytes);
  report_bytes(sp.db_bytes, total, sizeof total);
  fprintf(out, "\nspace: %d camp table%s (%d result table%s of %d run%s), %s of the database's %s\n",
          sp.tables, sp.tables == 1 ? "" : "s", sp.result_tables, sp.result_tables == 1 ? "" : "s",
          sp.runs, sp.runs == 1 ? "" : "s", bytes, total);
  if (sp.result_tables)
    fprintf(out, "  `camp gc --db DB [--keep N]` drops the result tables of finished runs "
                 "beyond the newest %d per campaign\n", STORE_GC_KEEP);
}

/* One run per line, newest last.  Returns 0 or -1 on a database error. */
static int list_runs(Db *db, const CliOpts *o, const char *now, FILE *out) {
  DbStmt *st = db_prepare(db, "SELECT " RUN_COLS " FROM camp_runs r ORDER BY r.id");
  if (!st) return -1;
  int json = !strcmp(o->format, "json"), rc, n = 0;
  json_t *arr = json_array();
  static const char *const hdr[] = {"RUN", "CAMPAIGN", "STATE", "STARTED", "UPDATED",
                                    "FINISHED", "STEPS", "WARNINGS", "NEXT DUE"};
  ReportTable t;
  rt_init(&t, 9, hdr);
  while ((rc = db_step(st)) == 1) {
    n++;
    if (json) {
      json_array_append_new(arr, run_json(st));
      continue;
    }
    char *v[RC_N], steps[48];
    for (int c = 0; c < RC_N; c++) v[c] = report_col_text(st, c);
    snprintf(steps, sizeof steps, "%s/%s", v[RC_DONE], v[RC_TOTAL]);
    char clock[20];
    char *due = due_text(v[RC_DUE], run_clock(db, v[RC_ID], now, clock));
    const char *row[] = {v[RC_ID], v[RC_CAMPAIGN], v[RC_STATE], v[RC_STARTED], v[RC_UPDATED],
                         v[RC_FINISHED], steps, v[RC_WARNINGS], due ? due : ""};
    rt_add(&t, row);
    free(due);
    for (int c = 0; c < RC_N; c++) free(v[c]);
  }
  db_finalize(st);
  if (rc == 0 && json) {
    json_dumpf(arr, out, JSON_INDENT(2));
    fputc('\n', out);
  } else if (rc == 0) {
    if (n) rt_print(&t, out, "");
    else fprintf(out, "no camp runs in DB\n");
    print_space(db, out);
  }
  json_decref(arr);
  rt_free(&t);
  return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ one run */

/* Counts of step `step` of run `run` as "out=N, out2=M" or a JSON object. */
static int step_counts(Db *db, int64_t run, const char *step, char **text, json_t *obj) {
  DbStmt *st = db_prepare(db, "SELECT output, count FROM camp_counts WHERE run_id = ? AND step = ?"
                              " ORDER BY rowid");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, step);
  size_t cap = 64, len = 0;
  char *buf = calloc(1, cap);
  int rc = -1;
  while (buf && (rc = db_step(st)) == 1) {
    DbValue name = db_column(st, 0);
    DbValue cnt = db_column(st, 1);
    const char *nm = name.s ? name.s : "";
    json_object_set_new(obj, nm, report_col_json(st, 1));
    size_t need = len + strlen(nm) + 32;
    if (need > cap && !(buf = realloc(buf, cap = 2 * need))) break;
    len += (size_t)sprintf(buf + len, "%s%s=%lld", len ? ", " : "", nm, (long long)cnt.i);
  }
  if (!buf) abort();
  db_finalize(st);
  *text = buf;
  return rc == 0 ? 0 : -1;
}

static const char *const step_hdr[] = {"#", "STEP", "KIND", "STATE", "COUNTS", "STARTED",
                                       "FINISHED", "NOTE"};

/* Adds one camp_steps row (idx, step, kind, state, started, finished, due,
 * message) to the table and to the JSON array. */
static int add_step(Db *db, int64_t run, DbStmt *st, ReportTable *t, json_t *arr) {
  static const char *const keys[] = {"idx", "step", "kind", "state", "started_at",
                                     "finished_at", "due_at", "message"};
  json_t *obj = json_object(), *counts = json_object();
  char *v[8];
  for (int c = 0; c < 8; c++) {
    v[c] = report_col_text(st, c);
    json_object_set_new(obj, keys[c], report_col_json(st, c));
  }
  char *ctext = NULL;
  int rc = step_counts(db, run, v[1] ? v[1] : "", &ctext, counts);
  json_object_set_new(obj, "counts", counts);
  json_array_append_new(arr, obj);
  char *note = NULL;
  if (v[7]) note = report_cell(v[7], 60);
  else if (v[6]) {
    note = malloc(strlen(v[6]) + 5);
    if (!note) abort();
    sprintf(note, "due %s", v[6]);
  }
  const char *row[] = {v[0], v[1], v[2], v[3], ctext && *ctext ? ctext : "-", v[4], v[5],
                       note ? note : ""};
  rt_add(t, row);
  free(note);
  free(ctext);
  for (int c = 0; c < 8; c++) free(v[c]);
  return rc;
}

static int run_steps(Db *db, int64_t run, FILE *out, json_t *arr, int text) {
  DbStmt *st = db_prepare(db, "SELECT idx, step, kind, state, started_at, finished_at, due_at, message"
                              " FROM camp_steps WHERE run_id = ? ORDER BY idx, step");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  ReportTable t;
  rt_init(&t, 8, step_hdr);
  int rc, bad = 0;
  while ((rc = db_step(st)) == 1) bad |= add_step(db, run, st, &t, arr) != 0;
  db_finalize(st);
  if (text) {
    fprintf(out, "\nsteps\n");
    if (t.nrows > 1) rt_print(&t, out, "  ");
    else fprintf(out, "  (none recorded)\n");
  }
  rt_free(&t);
  return rc == 0 && !bad ? 0 : -1;
}

/* Outbox summary: one entry per (step, channel) with a count per status. */
static int run_outbox(Db *db, int64_t run, FILE *out, json_t *arr, int text) {
  /* Steps in run order (camp_steps.idx), so the summary reads like the run. */
  DbStmt *st = db_prepare(db, "SELECT step, channel, status, count(*) FROM camp_outbox o"
                              " WHERE run_id = ?1 GROUP BY step, channel, status ORDER BY"
                              " (SELECT idx FROM camp_steps s WHERE s.run_id = ?1 AND s.step = o.step),"
                              " step, channel, status");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  int rc;
  json_t *cur = NULL;
  while ((rc = db_step(st)) == 1) {
    DbValue step = db_column(st, 0), ch = db_column(st, 1), status = db_column(st, 2);
    DbValue n = db_column(st, 3);
    if (!cur || strcmp(json_string_value(json_object_get(cur, "step")), step.s ? step.s : "") ||
        strcmp(json_string_value(json_object_get(cur, "channel")), ch.s ? ch.s : "")) {
      cur = json_pack("{s:s, s:s, s:{}, s:I}", "step", step.s ? step.s : "", "channel",
                      ch.s ? ch.s : "", "statuses", "total", (json_int_t)0);
      json_array_append_new(arr, cur);
    }
    json_object_set_new(json_object_get(cur, "statuses"), status.s ? status.s : "",
                        json_integer((json_int_t)n.i));
    json_int_t total = json_integer_value(json_object_get(cur, "total")) + (json_int_t)n.i;
    json_object_set_new(cur, "total", json_integer(total));
  }
  db_finalize(st);
  if (!text || rc != 0) return rc == 0 ? 0 : -1;
  fprintf(out, "\noutbox\n");
  if (!json_array_size(arr)) {
    fprintf(out, "  (no messages)\n");
    return 0;
  }
  static const char *const hdr[] = {"STEP", "CHANNEL", "QUEUED", "SENT", "OTHER", "TOTAL"};
  ReportTable t;
  rt_init(&t, 6, hdr);
  size_t i;
  json_t *e;
  json_array_foreach(arr, i, e) {
    json_t *sts = json_object_get(e, "statuses");
    char q[24], s[24], tot[24], other[256] = "";
    snprintf(q, sizeof q, "%lld", (long long)json_integer_value(json_object_get(sts, "queued")));
    snprintf(s, sizeof s, "%lld", (long long)json_integer_value(json_object_get(sts, "sent")));
    snprintf(tot, sizeof tot, "%lld", (long long)json_integer_value(json_object_get(e, "total")));
    const char *k;
    json_t *val;
    json_object_foreach(sts, k, val) {
      if (!strcmp(k, "queued") || !strcmp(k, "sent")) continue;
      size_t l = strlen(other);
      snprintf(other + l, sizeof other - l, "%s%s=%lld", l ? ", " : "", k,
               (long long)json_integer_value(val));
    }
    const char *row[] = {json_string_value(json_object_get(e, "step")),
                         json_string_value(json_object_get(e, "channel")), q, s,
                         other[0] ? other : "-", tot};
    rt_add(&t, row);
  }
  rt_print(&t, out, "  ");
  rt_free(&t);
  return 0;
}

static int run_warnings(Db *db, int64_t run, FILE *out, json_t *arr, int text) {
  DbStmt *st = db_prepare(db, "SELECT step, message, count FROM camp_warnings WHERE run_id = ?"
                              " ORDER BY rowid");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  static const char *const hdr[] = {"STEP", "COUNT", "MESSAGE"};
  ReportTable t;
  rt_init(&t, 3, hdr);
  int rc;
  while ((rc = db_step(st)) == 1) {
    json_array_append_new(arr, json_pack("{s:o, s:o, s:o}", "step", report_col_json(st, 0),
                                         "message", report_col_json(st, 1), "count",
                                         report_col_json(st, 2)));
    char *v[3];
    for (int c = 0; c < 3; c++) v[c] = report_col_text(st, c);
    const char *row[] = {v[0], v[2], v[1]};
    rt_add(&t, row);
    for (int c = 0; c < 3; c++) free(v[c]);
  }
  db_finalize(st);
  if (text && rc == 0) {
    fprintf(out, "\nwarnings\n");
    if (t.nrows > 1) rt_print(&t, out, "  ");
    else fprintf(out, "  (none)\n");
  }
  rt_free(&t);
  return rc == 0 ? 0 : -1;
}

/* The contact policy's removals per channel step and stage, by reason
 * (docs/policy.md); the section is printed only when there are any. */
typedef struct PolRow {
  json_t *arr;
} PolRow;

static void pol_add(void *ctx, const char *step, const char *reason, const char *stage, int64_t n) {
  PolRow *r = ctx;
  json_array_append_new(r->arr, json_pack("{s:s, s:s, s:s, s:I}", "step", step, "stage", stage, "reason",
                                          reason, "count", (json_int_t)n));
}

static void run_policy(Db *db, int64_t run, FILE *out, json_t *arr, int text) {
  PolRow r = {arr};
  if (policy_counts(db, run, pol_add, &r) != 0 || !text || !json_array_size(arr)) return;
  static const char *const hdr[] = {"STEP", "STAGE", "INVALID ADDRESS", "WITHOUT CONSENT", "SUPPRESSED",
                                    "PRESSURE", "HOLDOUT"};
  static const char *const reasons[] = {"invalid_address", "no_consent", "suppressed", "pressure", "holdout"};
  ReportTable t;
  rt_init(&t, 7, hdr);
  size_t i = 0;
  while (i < json_array_size(arr)) {
    json_t *e = json_array_get(arr, i);
    const char *step = json_string_value(json_object_get(e, "step"));
    const char *stage = json_string_value(json_object_get(e, "stage"));
    char c[5][24] = {"0", "0", "0", "0", "0"};
    for (; i < json_array_size(arr); i++) {
      json_t *f = json_array_get(arr, i);
      if (strcmp(json_string_value(json_object_get(f, "step")), step) ||
          strcmp(json_string_value(json_object_get(f, "stage")), stage))
        break;
      for (int k = 0; k < 5; k++)
        if (!strcmp(json_string_value(json_object_get(f, "reason")), reasons[k]))
          snprintf(c[k], sizeof c[k], "%lld", (long long)json_integer_value(json_object_get(f, "count")));
    }
    const char *row[] = {step, stage, c[0], c[1], c[2], c[3], c[4]};
    rt_add(&t, row);
  }
  fprintf(out, "\ncontact policy (recipients taken out)\n");
  rt_print(&t, out, "  ");
  rt_free(&t);
}

/* The run header; returns 1 if the run exists, 0 if not, -1 on error. */
static int run_header(Db *db, int64_t run, const char *now, FILE *out, json_t **obj, int text) {
  DbStmt *st = db_prepare(db, "SELECT " RUN_COLS " FROM camp_runs r WHERE r.id = ?");
  if (!st) return -1;
  db_bind_int(st, 1, run);
  int rc = db_step(st);
  if (rc == 1) {
    *obj = run_json(st);
    if (text) {
      char *v[RC_N];
      for (int c = 0; c < RC_N; c++) v[c] = report_col_text(st, c);
      char clock[20];
      char *due = due_text(v[RC_DUE], run_clock(db, v[RC_ID], now, clock));
      fprintf(out, "run %s  %s  %s\n", v[RC_ID], v[RC_CAMPAIGN], v[RC_STATE]);
      fprintf(out, "  source    %s (seed %s)\n", v[RC_SOURCE] ? v[RC_SOURCE] : "-",
              v[RC_SEED] ? v[RC_SEED] : "-");
      fprintf(out, "  started   %s\n  updated   %s\n  finished  %s\n",
              v[RC_STARTED] ? v[RC_STARTED] : "-", v[RC_UPDATED] ? v[RC_UPDATED] : "-",
              v[RC_FINISHED] ? v[RC_FINISHED] : "-");
      fprintf(out, "  steps     %s/%s done, %s warning(s)\n", v[RC_DONE], v[RC_TOTAL],
              v[RC_WARNINGS] ? v[RC_WARNINGS] : "0");
      if (due) fprintf(out, "  next due  %s\n", due);
      free(due);
      for (int c = 0; c < RC_N; c++) free(v[c]);
    }
  }
  db_finalize(st);
  return rc;
}

static int show_run(Db *db, int64_t run, const CliOpts *o, const char *now, FILE *out) {
  int text = strcmp(o->format, "json") != 0;
  json_t *hdr = NULL;
  int rc = run_header(db, run, now, out, &hdr, text);
  if (rc <= 0) return rc == 0 ? 1 : -1;
  json_t *steps = json_array(), *outbox = json_array(), *warns = json_array();
  int bad = run_steps(db, run, out, steps, text) | run_outbox(db, run, out, outbox, text);
  json_t *pol = json_array();
  run_policy(db, run, out, pol, text);
  bad |= run_warnings(db, run, out, warns, text);
  if (!text && !bad && json_array_size(pol)) json_object_set(hdr, "policy", pol);
  json_decref(pol);
  if (!text && !bad) {
    json_t *doc = json_pack("{s:o, s:o, s:o, s:o}", "run", hdr, "steps", steps, "outbox", outbox,
                            "warnings", warns);
    json_dumpf(doc, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(doc);
  } else {
    json_decref(hdr);
    json_decref(steps);
    json_decref(outbox);
    json_decref(warns);
  }
  return bad ? -1 : 0;
}

static int parse_run_id(const char *s, int64_t *out) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (!*s || *end) return -1;
  *out = v;
  return 0;
}

static int report(Db *db, const CliOpts *o, const char *now) {
  int64_t run = 0;
  if (o->nfiles && parse_run_id(o->files[0], &run) != 0) {
    fprintf(stderr, "camp status: RUN_ID must be a number, not `%s`\n", o->files[0]);
    return 2;
  }
  if (!report_has_runs(db)) {
    if (o->nfiles) {
      fprintf(stderr, "camp status: no run %lld in DB (camp has not run on it)\n", (long long)run);
      return 1;
    }
    fputs(strcmp(o->format, "json") ? "no camp runs in DB\n" : "[]\n", stdout);
    return 0;
  }
  int rc = o->nfiles ? show_run(db, run, o, now, stdout) : list_runs(db, o, now, stdout);
  /* approvals and lifecycle changes (runtime/ops): the run's, or the latest */
  if (rc == 0 && strcmp(o->format, "json")) ops_print_audit(db, o->campaign, run, o->nfiles || o->campaign ? 0 : 20, stdout);
  if (rc == 0 && strcmp(o->format, "json") && !o->nfiles) {
    mops_print_overdue(db, o->campaign, now, stdout);
    if (!o->campaign) mops_print_stock_low(db, stdout);
  }
  if (rc == 1) fprintf(stderr, "camp status: no run %lld in DB\n", (long long)run);
  if (rc < 0) fprintf(stderr, "camp status: cannot read camp's tables: %s\n", db_error(db));
  return rc ? 1 : 0;
}

int cmd_status(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("status", argc, argv, "db,format,now,campaign", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles > 1) {
    fprintf(stderr, "usage: camp status --db DB [RUN_ID] [--campaign C] [--format text|json] [--now TS]\n");
    return 2;
  }
  if (strcmp(o.format, "text") && strcmp(o.format, "json")) {
    fprintf(stderr, "camp status: unknown format `%s` (text or json)\n", o.format);
    return 2;
  }
  char now[20];
  store_now(now);
  if (o.now && clock_normalize(o.now, now)) {
    fprintf(stderr, "camp status: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  now_given = o.now != NULL;
  Db *db = report_open("status", o.db);
  if (!db) return 1;
  rc = report(db, &o, now);
  db_close(db);
  return rc;
}
