/* exec_abtest.c — a channel step with an A/B content test
 * (compiler/check/abtest.h, docs/policy.md).  First pass: the step's rows
 * (after the contact policy) are split into seeded cells; each variant's
 * cell is queued with that variant's texts, and the step waits `after`.
 * When a resume or tick reaches it after the wait, the cells' figures are
 * read from camp_outbox and camp_feedback, the winner is chosen and
 * recorded, and the remainder is queued with the winner's texts. */
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"
#include "runtime/policy/abtest.h"

static const char *spec_text(Step *s) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "test")) return p->value;
  }
  return NULL;
}

int exec_abtest_of(Exec *x, Step *s, AbSpec *sp) {
  char err[300];
  return s->kind == S_CHANNEL && !x->dry && abtest_of(s, sp, err, sizeof err) == 0;
}

/* Queues the messages of one cell with one variant's texts. */
static int queue_cell(Exec *x, Step *s, const char *cell, char variant) {
  snprintf(x->ab_cell, sizeof x->ab_cell, "%s", cell);
  x->ab_variant = variant;
  int rc = exec_channel(x, s);
  x->ab_cell[0] = 0;
  x->ab_variant = 0;
  return rc;
}

int exec_abtest_start(Exec *x, Step *s, const AbSpec *sp, char due[32]) {
  char table[512], d[20];
  exec_table(x, s->label, table, sizeof table);
  if (abtest_start(x->db, x->run_id, x->camp->name, s->label, spec_text(s), sp, table, x->now, d, x->err,
                   sizeof x->err))
    return -1;
  snprintf(due, 32, "%s", d);
  for (const char *v = sp->variants; *v; v++) {
    char cell[2] = {*v, 0};
    if (queue_cell(x, s, cell, *v)) return -1;
  }
  return 0;
}

/* The clock camp_params.now reads (the SQL of now()). */
static int set_clock(Exec *x, const char *now) {
  snprintf(x->now, sizeof x->now, "%s", now);
  char *sql = sql_params(x->camp, &x->so);
  int rc = db_exec(x->db, sql);
  free(sql);
  if (rc) snprintf(x->err, sizeof x->err, "%s", db_error(x->db));
  return rc;
}

/* A success rule FILTER(now()) counted with now() = the test's start. */
static int success_hits(Exec *x, Step *s, AbResult *r) {
  Pop *pop = s->pops[0];
  if (!s->ab_success || !pop || !pop->dim || !pop->dim->key) {
    snprintf(x->err, sizeof x->err, "step %s: the A/B test's success rule was not checked", s->label);
    return -1;
  }
  char saved[20];
  snprintf(saved, sizeof saved, "%s", x->now);
  if (set_clock(x, r->started)) return -1;
  char *cond = sql_expression(s->ab_success, &x->so);
  int rc = abtest_success_hits(x->db, x->run_id, s->label, pop->dim->name, pop->dim->key->name, cond, r, x->err,
                               sizeof x->err);
  free(cond);
  if (set_clock(x, saved)) rc = -1;
  return rc;
}

int exec_abtest_finish(Exec *x, Step *s) {
  AbResult r;
  AbSpec sp;
  if (abtest_figures(x->db, x->run_id, s->label, &r, x->err, sizeof x->err)) return -1;
  if (!exec_abtest_of(x, s, &sp)) return -1;
  if (sp.metric == AB_SUCCESS && success_hits(x, s, &r)) return -1;
  char w = abtest_winner(&r);
  if (abtest_decide(x->db, x->run_id, s->label, &r, w, x->now, x->err, sizeof x->err)) return -1;
  return queue_cell(x, s, "rest", w);
}

int exec_abtest_note(Exec *x, Step *s, char *out, size_t n) {
  AbSpec sp;
  char err[300];
  if (s->kind != S_CHANNEL || abtest_of(s, &sp, err, sizeof err)) return 0;
  size_t len = 0;
  len += (size_t)snprintf(out, n, "A/B test: cells of %g%% for", sp.cell_percent);
  for (const char *v = sp.variants; *v && len < n; v++) len += (size_t)snprintf(out + len, n - len, " %c", *v);
  if (len < n)
    len += (size_t)snprintf(out + len, n - len, ", the rest gets the best %s%s", abtest_metric_text(&sp),
                            sp.metric == AB_SUCCESS ? " rate" : "");
  AbResult r;
  if (x->dry || len >= n || abtest_load(x->db, x->run_id, s->label, &r, err, sizeof err)) return 1;
  if (!r.winner) {
    snprintf(out + len, n - len, " after %s UTC", r.due);
    return 1;
  }
  len += (size_t)snprintf(out + len, n - len, ": %c won (", r.winner);
  for (int i = 0; i < r.n && len < n; i++)
    len += (size_t)snprintf(out + len, n - len, "%s%c %lld/%lld", i ? ", " : "", r.c[i].cell, (long long)r.c[i].hits,
                            (long long)r.c[i].sent);
  if (len < n) snprintf(out + len, n - len, ")");
  return 1;
}
