/* budget.c — budgets and cost lines (mops.h): committed and actual cost
 * per campaign from camp's tables, the roll-up campaign -> program -> plan
 * of `camp budget`, and a plan's projected cost.  Amounts are integers in
 * 1/10000 units; products are overflow-checked. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mops/mops.h"
#include "runtime/report/report.h"

/* A unit price with as many decimals as it has (at least 2): 0.0125, 0.85. */
static void unit_text(int64_t v, char *out, size_t n) {
  int64_t frac = v % MOPS_AMOUNT_SCALE;
  if (frac % 100 == 0) {
    mops_amount_text(v, out, n);
    return;
  }
  int digits = frac % 10 ? 4 : 3;
  snprintf(out, n, "%lld.%0*lld", (long long)(v / MOPS_AMOUNT_SCALE), digits,
           (long long)(digits == 4 ? frac : frac / 10));
}

static int mul(int64_t a, int64_t b, int64_t *out) { return __builtin_mul_overflow(a, b, out) ? -1 : 0; }
static int add(int64_t *acc, int64_t v) { return __builtin_add_overflow(*acc, v, acc) ? -1 : 0; }

static const char *LINES_SQL =
    "SELECT c.name, c.kind, c.amount, c.scope, c.task,"
    " (SELECT CAST(coalesce(sum(vc.count), 0) AS BIGINT) FROM camp_mops_cost_steps s JOIN camp_version_counts vc"
    "   ON vc.campaign = s.campaign AND vc.output = s.step"
    "   WHERE s.campaign = c.campaign AND s.cost = c.name"
    "   AND vc.version = (SELECT max(version) FROM camp_version_counts v2 WHERE v2.campaign = c.campaign)),"
    " (SELECT count(*) FROM camp_mops_cost_steps s JOIN camp_outbox o ON o.step = s.step"
    "   JOIN camp_runs r ON r.id = o.run_id"
    "   WHERE s.campaign = c.campaign AND s.cost = c.name AND r.campaign = c.campaign AND o.status = 'sent'),"
    " (SELECT count(*) FROM camp_runs r WHERE r.campaign = c.campaign)"
    " FROM camp_mops_costs c WHERE c.campaign = ? ORDER BY c.name";

/* One cost line's committed and actual amounts. */
static int line_amounts(DbStmt *st, int64_t *committed, int64_t *actual) {
  int fixed = !strcmp(db_column(st, 1).s, "fixed");
  int64_t amount = db_column(st, 2).i, planned = db_column(st, 5).i, sent = db_column(st, 6).i;
  int64_t runs = db_column(st, 7).i;
  if (fixed) {
    *committed = amount;
    *actual = runs > 0 ? amount : 0;
    return 0;
  }
  return mul(amount, planned, committed) || mul(amount, sent, actual) ? -1 : 0;
}

int mops_campaign_totals(Db *db, const char *campaign, MopsTotals *t) {
  memset(t, 0, sizeof *t);
  t->budget = -1;
  DbStmt *st = db_prepare(db, "SELECT budget FROM camp_mops_nodes WHERE kind = 'campaign' AND name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  if (db_step(st) == 1 && db_column(st, 0).kind != DBV_NULL) t->budget = db_column(st, 0).i;
  db_finalize(st);
  st = db_prepare(db, LINES_SQL);
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  int rc = 0, r;
  while ((r = db_step(st)) == 1 && rc == 0) {
    int64_t c, a;
    rc = line_amounts(st, &c, &a) || add(&t->committed, c) || add(&t->actual, a) ? -1 : 0;
  }
  db_finalize(st);
  return r < 0 ? -1 : rc;
}

/* ------------------------------------------------------------- report */

typedef struct Node {
  char kind[16], name[256], parent[256], owner[256];
  MopsTotals t;
  int shown;
} Node;

typedef struct Report {
  Db *db;
  Node *nodes;
  int n;
  ReportTable table;
  json_t *arr;
  int over;
  int err;
} Report;

static void amount(int64_t v, char *out, size_t n) {
  if (v < 0) snprintf(out, n, "-");
  else mops_amount_text(v, out, n);
}

static void row(Report *r, int depth, const char *name, const char *kind, const char *owner, const MopsTotals *t,
                const char *note) {
  char b[40], c[40], a[40], rem[48], ind[300];
  amount(t->budget, b, sizeof b);
  mops_amount_text(t->committed, c, sizeof c);
  mops_amount_text(t->actual, a, sizeof a);
  int over = t->budget >= 0 && t->committed > t->budget;
  if (t->budget >= 0) {
    mops_amount_text(t->budget - t->committed >= 0 ? t->budget - t->committed : t->committed - t->budget, rem,
                     sizeof rem);
    if (over) {
      memmove(rem + 1, rem, strlen(rem) + 1);
      rem[0] = '-';
    }
  } else snprintf(rem, sizeof rem, "-");
  r->over |= over;
  snprintf(ind, sizeof ind, "%*s%s", depth * 2, "", name);
  if (r->arr) {
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(name));
    json_object_set_new(j, "kind", json_string(kind));
    json_object_set_new(j, "depth", json_integer(depth));
    json_object_set_new(j, "owner", owner && *owner ? json_string(owner) : json_null());
    json_object_set_new(j, "budget", t->budget >= 0 ? json_string(b) : json_null());
    json_object_set_new(j, "committed", json_string(c));
    json_object_set_new(j, "actual", json_string(a));
    json_object_set_new(j, "remaining", t->budget >= 0 ? json_string(rem) : json_null());
    json_object_set_new(j, "over", json_boolean(over));
    if (note) json_object_set_new(j, "line", json_string(note));
    json_array_append_new(r->arr, j);
  } else {
    const char *cells[] = {ind, kind, owner && *owner ? owner : NULL, t->budget >= 0 ? b : NULL, c, a,
                           t->budget >= 0 ? rem : NULL, over ? "OVER" : note ? note : ""};
    rt_add(&r->table, cells);
  }
}

static void cost_lines(Report *r, const char *campaign, int depth) {
  DbStmt *st = db_prepare(r->db, LINES_SQL);
  if (!st) {
    r->err = 1;
    return;
  }
  db_bind_text(st, 1, campaign);
  while (db_step(st) == 1) {
    MopsTotals t = {.budget = -1};
    if (line_amounts(st, &t.committed, &t.actual)) {
      r->err = 1;
      break;
    }
    char note[400], unit[40];
    unit_text(db_column(st, 2).i, unit, sizeof unit);
    const char *kind = db_column(st, 1).s, *scope = db_column(st, 3).s;
    if (!strcmp(kind, "fixed")) snprintf(note, sizeof note, "%s", scope);
    else
      snprintf(note, sizeof note, "%s x %lld planned, %lld sent (%s)", unit, (long long)db_column(st, 5).i,
               (long long)db_column(st, 6).i, scope);
    row(r, depth, db_column(st, 0).s, kind, NULL, &t, note);
  }
  db_finalize(st);
}

static Node *find(Report *r, const char *kind, const char *name) {
  for (int i = 0; i < r->n; i++)
    if (!strcmp(r->nodes[i].kind, kind) && !strcmp(r->nodes[i].name, name)) return &r->nodes[i];
  return NULL;
}

static int load(Report *r) {
  DbStmt *st = db_prepare(r->db, "SELECT kind, name, coalesce(parent, ''), coalesce(owner, ''), budget"
                                 " FROM camp_mops_nodes ORDER BY kind, name");
  if (!st) return -1;
  int cap = 0;
  while (db_step(st) == 1) {
    if (r->n == cap) {
      cap = cap ? cap * 2 : 16;
      Node *nn = realloc(r->nodes, sizeof(Node) * (size_t)cap);
      if (!nn) abort();
      r->nodes = nn;
    }
    Node *n = &r->nodes[r->n++];
    memset(n, 0, sizeof *n);
    snprintf(n->kind, sizeof n->kind, "%s", db_column(st, 0).s);
    snprintf(n->name, sizeof n->name, "%s", db_column(st, 1).s);
    snprintf(n->parent, sizeof n->parent, "%s", db_column(st, 2).s);
    snprintf(n->owner, sizeof n->owner, "%s", db_column(st, 3).s);
    n->t.budget = db_column(st, 4).kind == DBV_NULL ? -1 : db_column(st, 4).i;
  }
  db_finalize(st);
  /* campaigns' own totals, then the roll-up into programs and plans */
  for (int i = 0; i < r->n; i++) {
    Node *n = &r->nodes[i];
    if (strcmp(n->kind, "campaign")) continue;
    int64_t budget = n->t.budget;
    if (mops_campaign_totals(r->db, n->name, &n->t)) return -1;
    n->t.budget = budget;
  }
  for (int pass = 0; pass < 2; pass++) {
    const char *child = pass == 0 ? "campaign" : "program", *parent = pass == 0 ? "program" : "plan";
    for (int i = 0; i < r->n; i++) {
      Node *n = &r->nodes[i];
      Node *p = strcmp(n->kind, child) || !n->parent[0] ? NULL : find(r, parent, n->parent);
      if (p && (add(&p->t.committed, n->t.committed) || add(&p->t.actual, n->t.actual))) return -1;
    }
  }
  return 0;
}

static void show_campaign(Report *r, Node *c, int depth) {
  c->shown = 1;
  row(r, depth, c->name, "campaign", c->owner, &c->t, NULL);
  cost_lines(r, c->name, depth + 1);
}

static void show_program(Report *r, Node *p, int depth, const char *only) {
  p->shown = 1;
  row(r, depth, p->name, "program", p->owner, &p->t, NULL);
  for (int i = 0; i < r->n; i++) {
    Node *c = &r->nodes[i];
    if (!strcmp(c->kind, "campaign") && !strcmp(c->parent, p->name) && (!only || !strcmp(only, c->name)))
      show_campaign(r, c, depth + 1);
  }
}

int mops_print_budget(Db *db, const char *campaign, int json, FILE *out) {
  Report r = {.db = db};
  static const char *const hdr[] = {"NAME", "KIND", "OWNER", "BUDGET", "COMMITTED", "ACTUAL", "REMAINING", ""};
  if (load(&r)) {
    free(r.nodes);
    return -1;
  }
  Node *only = campaign ? find(&r, "campaign", campaign) : NULL;
  if (campaign && !only) {
    fprintf(stderr, "camp budget: no deployed campaign `%s` with marketing operations\n", campaign);
    free(r.nodes);
    return -1;
  }
  rt_init(&r.table, 8, hdr);
  if (json) r.arr = json_array();
  Node *prog = only && only->parent[0] ? find(&r, "program", only->parent) : NULL;
  Node *plan = prog && prog->parent[0] ? find(&r, "plan", prog->parent) : NULL;
  for (int i = 0; i < r.n; i++) {
    Node *pl = &r.nodes[i];
    if (strcmp(pl->kind, "plan") || (only && pl != plan)) continue;
    pl->shown = 1;
    row(&r, 0, pl->name, "plan", pl->owner, &pl->t, NULL);
    for (int k = 0; k < r.n; k++) {
      Node *p = &r.nodes[k];
      if (!strcmp(p->kind, "program") && !strcmp(p->parent, pl->name) && (!only || p == prog))
        show_program(&r, p, 1, campaign);
    }
  }
  for (int k = 0; k < r.n; k++) {  /* programs in no plan */
    Node *p = &r.nodes[k];
    if (!strcmp(p->kind, "program") && !p->shown && (!only || p == prog)) show_program(&r, p, 0, campaign);
  }
  for (int k = 0; k < r.n; k++) {  /* campaigns in no program */
    Node *c = &r.nodes[k];
    /* a deployed campaign with no budget and nothing that costs is left out */
    int empty = c->t.budget < 0 && c->t.committed == 0 && c->t.actual == 0 && !c->parent[0];
    if (!strcmp(c->kind, "campaign") && !c->shown && (only ? c == only : !empty)) show_campaign(&r, c, 0);
  }
  if (json) {
    json_dumpf(r.arr, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(r.arr);
  } else if (r.table.nrows > 1) rt_print(&r.table, out, "");
  else fputs("no plans, programs or campaigns with marketing operations\n", out);
  rt_free(&r.table);
  free(r.nodes);
  return r.err ? -1 : r.over;
}

/* --------------------------------------------------------- projection */

void mops_projection_counted(void *ctx, const char *step, int64_t messages) {
  MopsProjection *pr = ctx;
  if (pr->n == (int)(sizeof pr->labels / sizeof pr->labels[0])) return;
  pr->labels[pr->n] = strdup(step);
  if (!pr->labels[pr->n]) abort();
  pr->counts[pr->n++] = messages;
}

void mops_projection_free(MopsProjection *pr) {
  for (int i = 0; i < pr->n; i++) free(pr->labels[i]);
  pr->n = 0;
}

int mops_print_projection(Db *db, const MopsCampaign *mc, const char *campaign, const MopsProjection *pr,
                          FILE *out, int *over) {
  *over = 0;
  if (!mc->ncosts) return 0;
  int64_t runs = 0;
  DbStmt *st = db_prepare(db, "SELECT count(*) FROM camp_runs WHERE campaign = ?");
  if (st) {
    db_bind_text(st, 1, campaign);
    if (db_step(st) == 1) runs = db_column(st, 0).i;
    db_finalize(st);
  }
  int64_t total = 0;
  char unit[40], sum[40];
  fprintf(out, "projected cost of %s:\n", campaign);
  for (int i = 0; i < mc->ncosts; i++) {
    const MopsCost *m = &mc->costs[i];
    int64_t n = 0, cost;
    for (int k = 0; k < m->nsteps; k++)
      for (int j = 0; j < pr->n; j++)
        if (!strcmp(pr->labels[j], m->steps[k])) n += pr->counts[j];
    unit_text(m->amount, unit, sizeof unit);
    if (m->kind == MC_FIXED) {
      cost = runs ? 0 : m->amount;
      mops_amount_text(cost, sum, sizeof sum);
      fprintf(out, "  %-16s %12s  fixed%s\n", m->name, sum, runs ? " (already committed by an earlier run)" : "");
    } else {
      if (mul(m->amount, n, &cost)) return -1;
      mops_amount_text(cost, sum, sizeof sum);
      fprintf(out, "  %-16s %12s  %lld x %s (%s)\n", m->name, sum, (long long)n, unit, m->scope);
    }
    if (add(&total, cost)) return -1;
  }
  mops_amount_text(total, sum, sizeof sum);
  fprintf(out, "  %-16s %12s\n", "total", sum);
  MopsTotals t;
  if (mops_campaign_totals(db, campaign, &t) == 0 && mc->budget >= 0) {
    int64_t remaining = mc->budget - t.actual;
    char b[40], a[40], rem[40];
    mops_amount_text(mc->budget, b, sizeof b);
    mops_amount_text(t.actual, a, sizeof a);
    mops_amount_text(remaining < 0 ? -remaining : remaining, rem, sizeof rem);
    fprintf(out, "  budget %s, spent %s, remaining %s%s\n", b, a, remaining < 0 ? "-" : "", rem);
    *over = total > remaining;
  } else if (mc->budget >= 0) {
    /* the campaign was never deployed: the whole budget remains */
    char b[40];
    mops_amount_text(mc->budget, b, sizeof b);
    fprintf(out, "  budget %s, spent 0.00, remaining %s\n", b, b);
    *over = total > mc->budget;
  }
  return 0;
}
