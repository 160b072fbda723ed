/* cmd_report.c — `camp report CAMPAIGN --db DB [--run ID]`: treated
 * against the control group (`holdout N%`) on the campaign's `conversion`
 * filter, evaluated with the run's start as its parameter
 * (runtime/report/uplift.c, docs/policy.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "compiler/check/policy.h"
#include "compiler/sql/sqlgen.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/report/abtest_report.h"
#include "runtime/report/uplift.h"

static int usage(void) {
  fprintf(stderr, "usage: camp report CAMPAIGN --db DB [--run ID] [--holdout LABEL] [--format text|json|svg]"
                  " [--output PATH]\n");
  return 2;
}

/* A control group of the campaign: its own `holdout N%` (label
 * "campaign", step NULL) or one step's. */
typedef struct Holdout {
  const char *label;
  Step *step;
  char what[160];
} Holdout;

/* The campaign's holdouts into h (at most max); their number. */
static int holdouts(Decl *camp, Holdout *h, int max) {
  int n = 0;
  if (program_holdout(camp) > 0 && n < max) {
    h[n] = (Holdout){"campaign", NULL, ""};
    snprintf(h[n].what, sizeof h[n].what, "holdout %g%% of every channel step (campaign header)", program_holdout(camp));
    n++;
  }
  for (int i = 0; i < camp->steps.len && n < max; i++) {
    Step *s = camp->steps.items[i];
    int bp = program_step_holdout_bp(s);
    if (bp <= 0) continue;
    h[n] = (Holdout){s->label, s, ""};
    if (s->kind == S_HOLDOUT)
      snprintf(h[n].what, sizeof h[n].what, "holdout %s%% of %s (audience: treated members vs control)", s->text,
               ((StepInput *)s->inputs.items[0])->name);
    else
      snprintf(h[n].what, sizeof h[n].what, "holdout %g%% in %s step %s (its recipients vs its held out)", bp / 100.0,
               channel_name(s->channel), s->label);
    n++;
  }
  return n;
}

static void list_holdouts(const Holdout *h, int n) {
  for (int i = 0; i < n; i++) fprintf(stderr, "  %-20s %s\n", h[i].label, h[i].what);
}

/* The run (latest of the campaign, or --run) and what it started from. */
static int find_run(Db *db, const char *campaign, const char *run_opt, int64_t *run, char *src, size_t srclen,
                    char started[20]) {
  DbStmt *st = db_prepare(db, run_opt ? "SELECT id, source_file, started_at FROM camp_runs WHERE campaign = ? AND id = ?"
                                      : "SELECT id, source_file, started_at FROM camp_runs WHERE campaign = ?"
                                        " ORDER BY id DESC LIMIT 1");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  if (run_opt) db_bind_int(st, 2, strtoll(run_opt, NULL, 10));
  int rc = db_step(st);
  if (rc == 1) {
    *run = db_column(st, 0).i;
    snprintf(src, srclen, "%s", db_column(st, 1).s ? db_column(st, 1).s : "");
    snprintf(started, 20, "%s", db_column(st, 2).s ? db_column(st, 2).s : "");
  }
  db_finalize(st);
  return rc == 1 ? 0 : -1;
}

/* A run with A/B tests but no conversion metric: the tests alone. */
static int ab_only(Db *db, const char *name, int64_t run, const char *fmt, const char *output) {
  char err[1024];
  FILE *out = stdout;
  if (output && strcmp(output, "-") && !(out = fopen(output, "w"))) {
    fprintf(stderr, "camp report: cannot write %s\n", output);
    return 1;
  }
  int rc = 0;
  if (!strcmp(fmt, "json")) {
    json_t *ab = abtest_report_json(db, run, err, sizeof err);
    if (!ab) rc = 1;
    else {
      json_t *j = json_pack("{s:s, s:I, s:o}", "campaign", name, "run", (json_int_t)run, "abtests", ab);
      json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
      fputc('\n', out);
      json_decref(j);
    }
  } else {
    fprintf(out, "report of %s, run %lld\n", name, (long long)run);
    if (abtest_report_text(db, run, out, err, sizeof err)) rc = 1;
  }
  if (rc) fprintf(stderr, "camp report: %s\n", err);
  if (out != stdout && fclose(out)) rc = 1;
  return rc;
}

int cmd_report(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("report", argc, argv, "db,run,holdout,format,output,I", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles != 1) return usage();
  const char *fmt = o.format ? o.format : "text";
  if (strcmp(fmt, "text") && strcmp(fmt, "json") && strcmp(fmt, "svg")) {
    fprintf(stderr, "camp report: --format must be text, json or svg\n");
    return 2;
  }
  if (o.run && strspn(o.run, "0123456789") != strlen(o.run)) {
    fprintf(stderr, "camp report: --run must be a number\n");
    return 2;
  }
  const char *name = o.files[0];
  char err[1024], src[4096], started[20];
  int64_t run;
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp report: %s\n", err);
    return 1;
  }
  if (!store_present(db) || find_run(db, name, o.run, &run, src, sizeof src, started)) {
    fprintf(stderr, "camp report: no run of `%s`%s%s in %s\n", name, o.run ? " with id " : "", o.run ? o.run : "", o.db);
    db_close(db);
    return 1;
  }
  /* the campaign as it ran: its conversion filter, called with the run's start */
  Program *p = program_new();
  for (int i = 0; i < o.nincludes; i++) vec_push(&p->arena, &p->include_dirs, (void *)o.includes[i]);
  rc = 1;
  if (program_load(p, src)) {
    fprintf(stderr, "camp report: cannot read %s, the source of run %lld\n", src, (long long)run);
    goto out;
  }
  Decl *camp = NULL;
  Module *root = p->modules.len ? p->modules.items[p->modules.len - 1] : NULL;
  for (int i = 0; root && i < root->decls.len; i++) {
    Decl *d = root->decls.items[i];
    if (d->kind == D_CAMPAIGN && !strcmp(d->name, name)) camp = d;
  }
  const char *metric = camp ? program_conversion(camp) : NULL;
  Decl *filter = NULL;
  for (int m = 0; metric && m < p->modules.len; m++) {
    Module *mod = p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++) {
      Decl *d = mod->decls.items[i];
      if (d->kind == D_FILTER && !strcmp(d->name, metric)) filter = d;
    }
  }
  int abn = abtest_report_count(db, run); /* A/B content tests of the run */
  if (!filter && abn > 0 && strcmp(fmt, "svg")) {
    rc = ab_only(db, name, run, fmt, o.output);
    goto out;
  }
  if (!filter) {
    fprintf(stderr, "camp report: campaign `%s` (%s) declares no `conversion \"filter\"` metric%s\n", name, src,
            abn ? " (the SVG draws the control group; its A/B tests: --format text or json)" : " and run no A/B test");
    goto out;
  }
  char text[1024];
  snprintf(text, sizeof text, "campaign camp_report_metric { converted = %s where %s(%s) }", filter->on_schema,
           filter->name, started);
  program_load_text(p, "<camp report>", text);
  program_check(p);
  Decl *rep = NULL;
  for (int i = 0; i < p->campaigns.len; i++)
    if (!strcmp(((Decl *)p->campaigns.items[i])->name, "camp_report_metric")) rep = p->campaigns.items[i];
  Step *s = rep && rep->steps.len ? rep->steps.items[0] : NULL;
  if (p->diags.nerrors || !s || !s->rule || !s->pops[0] || !s->pops[0]->dim || !s->pops[0]->dim->key) {
    o.format = "text";
    cli_print_diags(p, &o);
    fprintf(stderr, "camp report: the conversion metric `%s` does not check\n", metric);
    goto out;
  }
  /* which control group: --holdout, or the campaign's only one */
  Holdout hs[64];
  int nh = holdouts(camp, hs, 64);
  const Holdout *hold = nh == 1 ? &hs[0] : NULL;
  if (o.holdout) {
    hold = NULL;
    for (int i = 0; i < nh; i++)
      if (!strcmp(hs[i].label, o.holdout)) hold = &hs[i];
    if (!hold) {
      fprintf(stderr, "camp report: campaign `%s` has no holdout `%s`%s\n", name, o.holdout,
              nh ? "; its holdouts:" : " (it declares none)");
      list_holdouts(hs, nh);
      goto out;
    }
  } else if (nh > 1) {
    fprintf(stderr, "camp report: campaign `%s` has %d holdouts; choose one with --holdout LABEL:\n", name, nh);
    list_holdouts(hs, nh);
    goto out;
  }
  const char *hstep = hold && hold->step ? hold->step->label : NULL;
  SqlOptions so = {.dialect = sql_dialect(db_backend(db)), .now = started};
  char *rule = sql_expression(s->rule, &so);
  Uplift u;
  int bad = uplift_compute(db, run, hstep, hstep && hold->step->kind == S_HOLDOUT, s->pops[0]->dim->name,
                           s->pops[0]->dim->key->name, rule, &u, err, sizeof err);
  free(rule);
  if (bad) {
    fprintf(stderr, "camp report: %s\n", err);
    goto out;
  }
  FILE *out = stdout;
  if (o.output && strcmp(o.output, "-") && !(out = fopen(o.output, "w"))) {
    fprintf(stderr, "camp report: cannot write %s\n", o.output);
    goto out;
  }
  char title[400];
  snprintf(title, sizeof title, "%s%s%s", name, hstep ? ", holdout " : "", hstep ? hstep : "");
  if (!strcmp(fmt, "svg")) {
    uplift_svg(out, title, metric, &u);
  } else if (!strcmp(fmt, "json")) {
    json_t *j = json_pack("{s:s, s:I, s:s, s:s, s:{s:I, s:I, s:f}, s:{s:I, s:I, s:f}, s:f, s:o, s:[f, f], s:b}",
                          "campaign", name, "run", (json_int_t)run, "metric", metric, "since", started, "treated",
                          "recipients", (json_int_t)u.treated, "converted", (json_int_t)u.treated_conv, "rate",
                          u.p_treated, "control", "recipients", (json_int_t)u.control, "converted",
                          (json_int_t)u.control_conv, "rate", u.p_control, "uplift", u.abs_uplift,
                          "relative_uplift", isnan(u.rel_uplift) ? json_null() : json_real(u.rel_uplift), "ci95",
                          u.ci_low, u.ci_high, "significant", u.significant);
    json_object_set_new(j, "holdout", json_string(hold ? hold->label : "campaign"));
    if (hold) json_object_set_new(j, "holdout_kind", json_string(!hold->step ? "campaign" : hold->step->kind == S_HOLDOUT ? "audience" : "step"));
    if (abn > 0) {
      json_t *ab = abtest_report_json(db, run, err, sizeof err);
      if (ab) json_object_set_new(j, "abtests", ab);
    }
    json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', out);
    json_decref(j);
  } else {
    fprintf(out, "report of %s, run %lld (since %s), conversion: %s\n", name, (long long)run, started, metric);
    if (hstep) fprintf(out, "  holdout  %s: %s\n", hstep, hold->what);
    fprintf(out, "  treated  %lld recipients, %lld converted (%.2f%%)\n", (long long)u.treated,
            (long long)u.treated_conv, 100 * u.p_treated);
    fprintf(out, "  control  %lld recipients, %lld converted (%.2f%%)\n", (long long)u.control,
            (long long)u.control_conv, 100 * u.p_control);
    fprintf(out, "  uplift   %+.2f points", 100 * u.abs_uplift);
    if (!isnan(u.rel_uplift)) fprintf(out, " (%+.1f%% relative)", 100 * u.rel_uplift);
    fprintf(out, ", 95%% CI %+.2f to %+.2f points: %s\n", 100 * u.ci_low, 100 * u.ci_high,
            u.significant ? "significant" : "not significant");
    if (abn > 0 && abtest_report_text(db, run, out, err, sizeof err)) fprintf(stderr, "camp report: %s\n", err);
  }
  if (out != stdout) fclose(out);
  rc = 0;
out:
  program_free(p);
  db_close(db);
  return rc;
}
