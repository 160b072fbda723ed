/* cmd_outbox.c — `camp outbox --db DB`: the messages campaigns queued
 * (camp_outbox), as a text table, RFC 4180 CSV or a JSON array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/report/report.h"

#define NCOLS 10
#define KEY_COL 3
static const char *const columns[NCOLS] = {"id", "run", "step", "recipient_key", "channel",
                                           "address", "subject", "body", "status", "queued_at"};
/* Text-table widths: long subjects and bodies are cut to keep rows readable. */
static const int text_width[NCOLS] = {0, 0, 32, 32, 0, 40, 40, 48, 0, 0};

/* 1 when camp_delivery records key types (store version 6): this command
 * only reads, so an older store is shown as it is, not migrated. */
static int has_key_types(Db *db) {
  DbTableInfo t;
  if (db_table_info(db, "camp_delivery", &t) != 0) return 0;
  int found = 0;
  for (int i = 0; i < t.ncols; i++) found |= !strcmp(t.cols[i].name, "key_type");
  db_free_table_info(&t);
  return found;
}

static DbStmt *outbox_query(Db *db, const CliOpts *o) {
  DbStmt *st = db_prepare(db, has_key_types(db)
      ? "SELECT o.id, o.run_id, o.step, o.recipient_key, o.channel, o.address, o.subject, o.body,"
        " o.status, o.queued_at, d.key_type FROM camp_outbox o"
        " LEFT JOIN camp_delivery d ON d.run_id = o.run_id AND d.step = o.step"
        " WHERE o.run_id = coalesce(?1, o.run_id) AND o.step = coalesce(?2, o.step) ORDER BY o.id"
      : "SELECT id, run_id, step, recipient_key, channel, address, subject, body, status, queued_at,"
        " NULL FROM camp_outbox WHERE run_id = coalesce(?1, run_id) AND step = coalesce(?2, step)"
        " ORDER BY id");
  if (!st) return NULL;
  if (o->run) db_bind_int(st, 1, strtoll(o->run, NULL, 10));
  else db_bind_null(st, 1);
  if (o->step) db_bind_text(st, 2, o->step);
  else db_bind_null(st, 2);
  return st;
}

static int write_text(DbStmt *st, FILE *out) {
  ReportTable t;
  rt_init(&t, NCOLS, columns);
  int rc, n = 0;
  while ((rc = db_step(st)) == 1) {
    char *cells[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
      char *v = report_col_text(st, c);
      cells[c] = report_cell(v, text_width[c]);
      free(v);
    }
    rt_add(&t, (const char *const *)cells);
    for (int c = 0; c < NCOLS; c++) free(cells[c]);
    n++;
  }
  if (rc == 0) {
    if (n) rt_print(&t, out, "");
    else fprintf(out, "no queued messages\n");
  }
  rt_free(&t);
  return rc;
}

static int write_csv(DbStmt *st, FILE *out) {
  report_csv_row(out, columns, NCOLS);
  int rc;
  while ((rc = db_step(st)) == 1) {
    char *cells[NCOLS];
    for (int c = 0; c < NCOLS; c++) cells[c] = report_col_text(st, c);
    report_csv_row(out, (const char *const *)cells, NCOLS);
    for (int c = 0; c < NCOLS; c++) free(cells[c]);
  }
  return rc;
}

/* The recipient key as its schema types it: PostgreSQL's outbox column is
 * text, so an int key comes back as text there (SQLite keeps the integer);
 * camp_delivery.key_type (column NCOLS) says which keys are ints. */
static json_t *key_json(DbStmt *st) {
  DbValue v = db_column(st, KEY_COL);
  DbValue kt = db_column(st, NCOLS);
  if (v.kind == DBV_TEXT && v.s && kt.kind == DBV_TEXT && kt.s && !strcmp(kt.s, "int")) {
    char *end;
    errno = 0;
    long long k = strtoll(v.s, &end, 10);
    if (*v.s && !*end && !errno) return json_integer((json_int_t)k);
  }
  return report_col_json(st, KEY_COL);
}

static int write_json(DbStmt *st, FILE *out) {
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == 1) {
    json_t *obj = json_object();
    for (int c = 0; c < NCOLS; c++)
      json_object_set_new(obj, columns[c], c == KEY_COL ? key_json(st) : report_col_json(st, c));
    json_array_append_new(arr, obj);
  }
  if (rc == 0) {
    json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
  }
  json_decref(arr);
  return rc;
}

static int check_opts(const CliOpts *o) {
  const char *f = o->format;
  if (strcmp(f, "text") && strcmp(f, "csv") && strcmp(f, "json")) {
    fprintf(stderr, "camp outbox: unknown format `%s` (text, csv or json)\n", f);
    return 2;
  }
  if (!o->db || o->nfiles) {
    fprintf(stderr, "usage: camp outbox --db DB [--run ID] [--step NAME] [--format text|csv|json] [--output PATH]\n");
    return 2;
  }
  if (o->run) {
    char *end;
    strtoll(o->run, &end, 10);
    if (!*o->run || *end) {
      fprintf(stderr, "camp outbox: --run needs a run id (a number), not `%s`\n", o->run);
      return 2;
    }
  }
  return 0;
}

/* An empty listing in the requested format (a DB camp never ran on). */
static void write_empty(const CliOpts *o, FILE *out) {
  if (!strcmp(o->format, "csv")) report_csv_row(out, columns, NCOLS);
  else if (!strcmp(o->format, "json")) fputs("[]\n", out);
  else fputs("no camp runs in DB\n", out);
}

int cmd_outbox(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("outbox", argc, argv, "db,run,step,format,output", &o);
  if (rc) return rc;
  if ((rc = check_opts(&o))) return rc;
  Db *db = report_open("outbox", o.db);
  if (!db) return 1;
  FILE *out = report_output("outbox", o.output);
  if (!out) {
    db_close(db);
    return 1;
  }
  int status = 0;
  if (!report_has_runs(db)) {
    write_empty(&o, out);
  } else {
    DbStmt *st = outbox_query(db, &o);
    int step_rc = -1;
    if (st) {
      if (!strcmp(o.format, "csv")) step_rc = write_csv(st, out);
      else if (!strcmp(o.format, "json")) step_rc = write_json(st, out);
      else step_rc = write_text(st, out);
      db_finalize(st);
    }
    if (step_rc != 0) {
      fprintf(stderr, "camp outbox: cannot read the outbox: %s\n", db_error(db));
      status = 1;
    }
  }
  if (report_close_output("outbox", out, o.output) != 0) status = 1;
  db_close(db);
  return status;
}
