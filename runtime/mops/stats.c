/* stats.c — interactions and statistics of a campaign (mops.h): reach,
 * interactions, successes by the declared criterion, cost and cost per
 * success, per channel step and in total, as text, JSON or CSV, and a bar
 * chart in SVG.  Everything is read from camp_outbox, camp_feedback and
 * the imported calls and meetings (the view camp_interactions) and the
 * cost lines. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mops/mops.h"
#include "runtime/report/report.h"

typedef struct StatRow {
  char step[256], channel[16];
  int64_t reach, interactions, successes, cost, minutes;
} StatRow;

/* Cost of the per-unit lines counting step + the templates' cost of its
 * interactions (1/10000 units). */
static int step_cost(Db *db, const char *campaign, const char *step, const char *channel, int64_t *cost,
                     int64_t *minutes) {
  *cost = *minutes = 0;
  DbStmt *st = db_prepare(db,
      "SELECT CAST(coalesce(sum(c.amount * (SELECT count(*) FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id"
      "   WHERE r.campaign = c.campaign AND o.step = s.step AND o.status = 'sent')), 0) AS BIGINT)"
      " FROM camp_mops_costs c JOIN camp_mops_cost_steps s ON s.campaign = c.campaign AND s.cost = c.name"
      " WHERE c.campaign = ?1 AND s.step = ?2 AND c.kind <> 'fixed'");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  db_bind_text(st, 2, step);
  if (db_step(st) == 1) *cost = db_column(st, 0).i;
  db_finalize(st);
  st = db_prepare(db, "SELECT CAST(coalesce(sum(t.unit_cost), 0) AS BIGINT), CAST(coalesce(sum(t.unit_minutes), 0) AS BIGINT) FROM camp_interactions i"
                      " JOIN camp_mops_interaction_templates t ON t.type = i.type"
                      "  AND (t.channel IS NULL OR t.channel = i.channel)"
                      " WHERE i.campaign = ?1 AND i.step = ?2 AND i.channel = ?3");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  db_bind_text(st, 2, step);
  db_bind_text(st, 3, channel);
  if (db_step(st) == 1) {
    *cost += db_column(st, 0).i;
    *minutes = db_column(st, 1).i;
  }
  db_finalize(st);
  return 0;
}

static void ratio(int64_t num, int64_t den, char *out, size_t n) {
  if (den <= 0) snprintf(out, n, "-");
  else snprintf(out, n, "%.1f%%", 100.0 * (double)num / (double)den);
}

static void per(int64_t cost, int64_t n, char *out, size_t len) {
  if (n <= 0) snprintf(out, len, "-");
  else mops_amount_text((cost + n / 2) / n, out, len);
}

/* A bar chart: per step two bars, reach and successes, scaled to the
 * largest reach; labels escaped for XML. */
static int write_svg(const char *path, const char *campaign, const StatRow *rows, int n) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int64_t max = 1;
  for (int i = 0; i < n; i++) max = rows[i].reach > max ? rows[i].reach : max;
  int w = 160 + 120 * (n ? n : 1), h = 320;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
             "font-size=\"12\">\n<title>", w, h);
  for (const char *p = campaign; *p; p++) fputs(*p == '<' ? "&lt;" : *p == '&' ? "&amp;" : *p == '>' ? "&gt;" : (char[]){*p, 0}, f);
  fputs(": reach and successes per step</title>\n", f);
  fprintf(f, "<line x1=\"60\" y1=\"260\" x2=\"%d\" y2=\"260\" stroke=\"#333\"/>\n", w - 20);
  fprintf(f, "<rect x=\"%d\" y=\"12\" width=\"10\" height=\"10\" fill=\"#4c78a8\"/><text x=\"%d\" y=\"21\">reach</text>\n", w - 150, w - 136);
  fprintf(f, "<rect x=\"%d\" y=\"28\" width=\"10\" height=\"10\" fill=\"#f58518\"/><text x=\"%d\" y=\"37\">successes</text>\n", w - 150, w - 136);
  for (int i = 0; i < n; i++) {
    int x = 80 + 120 * i;
    int hr = (int)(200 * rows[i].reach / max), hs = (int)(200 * rows[i].successes / max);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"40\" height=\"%d\" fill=\"#4c78a8\"/>\n", x, 260 - hr, hr);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"40\" height=\"%d\" fill=\"#f58518\"/>\n", x + 42, 260 - hs, hs);
    fprintf(f, "<text x=\"%d\" y=\"%d\">%lld</text><text x=\"%d\" y=\"%d\">%lld</text>\n", x, 255 - hr,
            (long long)rows[i].reach, x + 42, 255 - hs, (long long)rows[i].successes);
    fprintf(f, "<text x=\"%d\" y=\"280\">", x);
    for (const char *p = rows[i].step; *p; p++)
      fputs(*p == '<' ? "&lt;" : *p == '&' ? "&amp;" : *p == '>' ? "&gt;" : (char[]){*p, 0}, f);
    fprintf(f, "</text><text x=\"%d\" y=\"296\">%s</text>\n", x, rows[i].channel);
  }
  fputs("</svg>\n", f);
  return fclose(f) ? -1 : 0;
}

int mops_print_stats(Db *db, const char *campaign, const char *format, const char *svg, FILE *out) {
  char success[32] = "";
  DbStmt *st = db_prepare(db, "SELECT coalesce(success, '') FROM camp_mops_nodes WHERE kind = 'campaign' AND name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  int known = db_step(st) == 1;
  if (known) snprintf(success, sizeof success, "%s", db_column(st, 0).s);
  db_finalize(st);
  if (!known) {
    fprintf(stderr, "camp stats: no deployed campaign `%s`\n", campaign);
    return 1;
  }
  st = db_prepare(db,
      "SELECT o.step, o.channel, count(DISTINCT CASE WHEN o.status = 'sent' THEN o.recipient_key END),"
      " (SELECT count(*) FROM camp_interactions i WHERE i.campaign = ?1 AND i.step = o.step),"
      " (SELECT count(DISTINCT i.contact) FROM camp_interactions i WHERE i.campaign = ?1 AND i.step = o.step"
      "  AND i.type = ?2)"
      " FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE r.campaign = ?1"
      " GROUP BY o.step, o.channel ORDER BY o.step");
  if (!st) return -1;
  db_bind_text(st, 1, campaign);
  db_bind_text(st, 2, success[0] ? success : "-");
  StatRow *rows = NULL;
  int n = 0, cap = 0;
  while (db_step(st) == 1) {
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      rows = realloc(rows, sizeof *rows * (size_t)cap);
      if (!rows) abort();
    }
    StatRow *r = &rows[n++];
    memset(r, 0, sizeof *r);
    snprintf(r->step, sizeof r->step, "%s", db_column(st, 0).s);
    snprintf(r->channel, sizeof r->channel, "%s", db_column(st, 1).s);
    r->reach = db_column(st, 2).i;
    r->interactions = db_column(st, 3).i;
    r->successes = db_column(st, 4).i;
  }
  db_finalize(st);
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) rc = step_cost(db, campaign, rows[i].step, rows[i].channel, &rows[i].cost, &rows[i].minutes);
  /* calls and meetings imported (camp interactions import): one row per
   * template, its type in the channel column, cost and minutes as logged */
  st = rc ? NULL : db_prepare(db,
      "SELECT template, type, count(DISTINCT contact), count(*), count(DISTINCT CASE WHEN type = ?2 THEN contact END),"
      " CAST(sum(cost) AS BIGINT), CAST(sum(minutes) AS BIGINT) FROM camp_mops_interaction_log WHERE campaign = ?1 GROUP BY template, type"
      " ORDER BY template");
  if (st) {
    db_bind_text(st, 1, campaign);
    db_bind_text(st, 2, success[0] ? success : "-");
    while (db_step(st) == 1) {
      if (n == cap) {
        cap = cap ? cap * 2 : 8;
        rows = realloc(rows, sizeof *rows * (size_t)cap);
        if (!rows) abort();
      }
      StatRow *r = &rows[n++];
      memset(r, 0, sizeof *r);
      snprintf(r->step, sizeof r->step, "%s", db_column(st, 0).s);
      snprintf(r->channel, sizeof r->channel, "%s", db_column(st, 1).s);
      r->reach = db_column(st, 2).i;
      r->interactions = db_column(st, 3).i;
      r->successes = db_column(st, 4).i;
      r->cost = db_column(st, 5).i;
      r->minutes = db_column(st, 6).i;
    }
    db_finalize(st);
  }
  /* totals: distinct contacts over all steps; fixed lines are campaign cost */
  StatRow total = {.step = "total", .channel = ""};
  /* reach: contacts messaged, or called / met (an imported interaction) */
  st = db_prepare(db, "SELECT (SELECT count(DISTINCT contact) FROM camp_interactions WHERE campaign = ?1"
                      "  AND (type = 'sent' OR outbox_id IS NULL)),"
                      " (SELECT count(*) FROM camp_interactions WHERE campaign = ?1),"
                      " (SELECT count(DISTINCT contact) FROM camp_interactions WHERE campaign = ?1 AND type = ?2),"
                      " (SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM camp_mops_costs WHERE campaign = ?1 AND kind = 'fixed')"
                      "  * CASE WHEN EXISTS (SELECT 1 FROM camp_runs WHERE campaign = ?1) THEN 1 ELSE 0 END");
  if (!st) rc = -1;
  else {
    db_bind_text(st, 1, campaign);
    db_bind_text(st, 2, success[0] ? success : "-");
    if (db_step(st) == 1) {
      total.reach = db_column(st, 0).i;
      total.interactions = db_column(st, 1).i;
      total.successes = db_column(st, 2).i;
      total.cost = db_column(st, 3).i;
    }
    db_finalize(st);
  }
  for (int i = 0; i < n; i++) {
    total.cost += rows[i].cost;
    total.minutes += rows[i].minutes;
  }
  if (rc) {
    free(rows);
    return -1;
  }
  int json = !strcmp(format, "json"), csv = !strcmp(format, "csv");
  static const char *const hdr[] = {"STEP", "CHANNEL", "REACH", "INTERACTIONS", "MINUTES", "SUCCESSES", "RATE",
                                    "COST", "COST/SUCCESS"};
  ReportTable t;
  rt_init(&t, 9, hdr);
  json_t *arr = json_array();
  if (csv) {
    const char *h[] = {"step", "channel", "reach", "interactions", "minutes", "successes", "success_rate", "cost",
                       "cost_per_success"};
    report_csv_row(out, h, 9);
  }
  for (int i = 0; i <= n; i++) {
    const StatRow *r = i < n ? &rows[i] : &total;
    char reach[32], inter[32], succ[32], rate[32], cost[40], cps[40], mins[32];
    snprintf(mins, sizeof mins, "%lld", (long long)r->minutes);
    snprintf(reach, sizeof reach, "%lld", (long long)r->reach);
    snprintf(inter, sizeof inter, "%lld", (long long)r->interactions);
    snprintf(succ, sizeof succ, "%lld", (long long)r->successes);
    ratio(r->successes, r->reach, rate, sizeof rate);
    mops_amount_text(r->cost, cost, sizeof cost);
    per(r->cost, r->successes, cps, sizeof cps);
    const char *cells[] = {r->step, r->channel[0] ? r->channel : NULL, reach, inter, mins, succ, rate, cost, cps};
    if (json) {
      json_t *j = json_object();
      json_object_set_new(j, "step", json_string(r->step));
      json_object_set_new(j, "channel", r->channel[0] ? json_string(r->channel) : json_null());
      json_object_set_new(j, "reach", json_integer(r->reach));
      json_object_set_new(j, "interactions", json_integer(r->interactions));
      json_object_set_new(j, "minutes", json_integer(r->minutes));
      json_object_set_new(j, "successes", json_integer(r->successes));
      json_object_set_new(j, "success_rate", r->reach ? json_real((double)r->successes / (double)r->reach) : json_null());
      json_object_set_new(j, "cost", json_string(cost));
      json_object_set_new(j, "cost_per_success", r->successes ? json_string(cps) : json_null());
      json_array_append_new(arr, j);
    } else if (csv) {
      report_csv_row(out, cells, 9);
    } else {
      rt_add(&t, cells);
    }
  }
  if (json) {
    json_t *root = json_object();
    json_object_set_new(root, "campaign", json_string(campaign));
    json_object_set_new(root, "success", success[0] ? json_string(success) : json_null());
    json_object_set_new(root, "steps", arr);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
  } else {
    json_decref(arr);
    if (!csv) {
      fprintf(out, "%s: success = %s\n", campaign, success[0] ? success : "(none declared: `success \"clicked\"`)");
      rt_print(&t, out, "");
    }
  }
  rt_free(&t);
  if (svg && write_svg(svg, campaign, rows, n)) {
    fprintf(stderr, "camp stats: cannot write %s\n", svg);
    rc = -1;
  }
  free(rows);
  return rc;
}
