/* abtest_report.c — the A/B test section of camp report (see abtest_report.h). */
#include "runtime/report/abtest_report.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/policy/abtest.h"

typedef struct Steps {
  char names[32][128];
  int n;
} Steps;

static void add_step(void *ctx, const char *step) {
  Steps *s = ctx;
  if (s->n < 32) snprintf(s->names[s->n++], 128, "%s", step);
}

int abtest_report_count(Db *db, int64_t run_id) {
  Steps s = {.n = 0};
  if (abtest_steps(db, run_id, add_step, &s)) return 0;
  return s.n;
}

/* The cell the others are compared with: the winner, or A while undecided. */
static int base_cell(const AbResult *r) {
  for (int i = 0; i < r->n; i++)
    if (r->c[i].cell == (r->winner ? r->winner : 'A')) return i;
  return 0;
}

int abtest_report_text(Db *db, int64_t run_id, FILE *out, char *err, size_t errlen) {
  Steps s = {.n = 0};
  if (abtest_steps(db, run_id, add_step, &s)) {
    snprintf(err, errlen, "reading the A/B tests: %s", db_error(db));
    return -1;
  }
  for (int k = 0; k < s.n; k++) {
    AbResult r;
    if (abtest_load(db, run_id, s.names[k], &r, err, errlen)) return -1;
    fprintf(out, "A/B test of step %s, metric %s (started %s", s.names[k], r.metric, r.started);
    int success = strcmp(r.metric, "open_rate") && strcmp(r.metric, "click_rate");
    if (r.winner) fprintf(out, ", decided %s): winner %c\n", r.decided, r.winner);
    else fprintf(out, ", decided after %s): figures so far%s\n", r.due,
                 success ? " (the success rule is counted at the decision)" : "");
    fprintf(out, "  %-5s %10s %6s %7s %8s", "CELL", "RECIPIENTS", "SENT", "OPENED", "CLICKED");
    if (success) fprintf(out, " %8s", "SUCCESS");
    fprintf(out, " %8s\n", "RATE");
    for (int i = 0; i < r.n; i++) {
      const AbCell *c = &r.c[i];
      fprintf(out, "  %-5c %10lld %6lld %7lld %8lld", c->cell, (long long)c->members, (long long)c->sent,
              (long long)c->opened, (long long)c->clicked);
      if (success) fprintf(out, " %8lld", (long long)c->hits);
      fprintf(out, " %7.2f%%\n", 100 * c->rate);
    }
    int b = base_cell(&r);
    for (int i = 0; i < r.n; i++) {
      if (i == b) continue;
      const AbCell *x = &r.c[b], *y = &r.c[i];
      AbTest t = abtest_ztest(x->hits, x->sent, y->hits, y->sent);
      fprintf(out, "  %c vs %c: %+.2f points, 95%% CI %+.2f to %+.2f, z %.2f, p %.4f: %s\n", x->cell, y->cell,
              100 * t.diff, 100 * t.ci_low, 100 * t.ci_high, t.z, t.p,
              t.significant ? "significant" : "not significant");
    }
  }
  return 0;
}

json_t *abtest_report_json(Db *db, int64_t run_id, char *err, size_t errlen) {
  Steps s = {.n = 0};
  if (abtest_steps(db, run_id, add_step, &s)) {
    snprintf(err, errlen, "reading the A/B tests: %s", db_error(db));
    return NULL;
  }
  json_t *arr = json_array();
  for (int k = 0; k < s.n; k++) {
    AbResult r;
    if (abtest_load(db, run_id, s.names[k], &r, err, errlen)) {
      json_decref(arr);
      return NULL;
    }
    char w[2] = {r.winner, 0};
    json_t *cells = json_array(), *cmp = json_array();
    for (int i = 0; i < r.n; i++) {
      const AbCell *c = &r.c[i];
      char cell[2] = {c->cell, 0};
      json_array_append_new(cells, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f}", "cell", cell, "recipients",
                                             (json_int_t)c->members, "sent", (json_int_t)c->sent, "opened",
                                             (json_int_t)c->opened, "clicked", (json_int_t)c->clicked, "hits",
                                             (json_int_t)c->hits, "rate", c->rate));
    }
    int b = base_cell(&r);
    for (int i = 0; i < r.n; i++) {
      if (i == b) continue;
      const AbCell *x = &r.c[b], *y = &r.c[i];
      AbTest t = abtest_ztest(x->hits, x->sent, y->hits, y->sent);
      char cx[2] = {x->cell, 0}, cy[2] = {y->cell, 0};
      json_array_append_new(cmp, json_pack("{s:s, s:s, s:f, s:f, s:f, s:[f, f], s:b}", "cell", cx, "against", cy,
                                           "difference", t.diff, "z", t.z, "p", t.p, "ci95", t.ci_low, t.ci_high,
                                           "significant", t.significant));
    }
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "step", s.names[k], "metric", r.metric,
                                         "started", r.started, "due", r.due, "winner",
                                         r.winner ? json_string(w) : json_null(), "cells", cells, "comparisons", cmp));
  }
  return arr;
}
