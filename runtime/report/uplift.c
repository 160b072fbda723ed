/* uplift.c — treated against control (see uplift.h). */
#include "runtime/report/uplift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int count(Db *db, const char *sql, int64_t run, const char *step, int64_t *out) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  db_bind_int(st, 1, run);
  if (step) db_bind_text(st, 2, step);
  int rc = db_step(st);
  if (rc == 1) *out = db_column(st, 0).i;
  db_finalize(st);
  return rc == 1 ? 0 : -1;
}

#define TREATED "SELECT recipient_key FROM camp_outbox WHERE run_id = ?1 AND status NOT IN ('suppressed', 'cancelled')"
/* the campaign-wide holdout's records carry no detail; a step's do */
#define CONTROL                                                                                  \
  "SELECT recipient_key FROM camp_policy_removed WHERE run_id = ?1 AND reason = 'holdout'"       \
  " AND detail IS NULL"                                                                          \
  " AND recipient_key NOT IN (SELECT CAST(recipient_key AS TEXT) FROM camp_outbox WHERE run_id = ?1" \
  " AND status NOT IN ('suppressed', 'cancelled'))"
/* a channel step's holdout: that step's recipients against its held out */
#define STEP_TREATED                                                                             \
  "SELECT recipient_key FROM camp_outbox WHERE run_id = ?1 AND step = ?2"                        \
  " AND status NOT IN ('suppressed', 'cancelled')"
#define STEP_CONTROL                                                                             \
  "SELECT recipient_key FROM camp_policy_removed WHERE run_id = ?1 AND step = ?2"                \
  " AND reason = 'holdout' AND detail IS NOT NULL"
/* an audience holdout: its treated members (intent to treat) against its control group */
#define AUD_TREATED "SELECT recipient_key FROM camp_holdout_treated WHERE run_id = ?1 AND step = ?2"

int uplift_compute(Db *db, int64_t run, const char *step, int audience, const char *dim, const char *key_column,
                   const char *rule_sql, Uplift *u, char *err, size_t errlen) {
  memset(u, 0, sizeof *u);
  size_t cap = strlen(rule_sql) + 1024;
  char *sql = malloc(cap);
  if (!sql) abort();
  int rc = 0;
  const char *groups[2] = {TREATED, CONTROL};
  if (step) {
    groups[0] = audience ? AUD_TREATED : STEP_TREATED;
    groups[1] = STEP_CONTROL;
  }
  int64_t *n[2] = {&u->treated, &u->control}, *c[2] = {&u->treated_conv, &u->control_conv};
  for (int g = 0; rc == 0 && g < 2; g++) {
    snprintf(sql, cap, "SELECT count(DISTINCT CAST(recipient_key AS TEXT)) FROM (%s) AS g", groups[g]);
    if (count(db, sql, run, step, n[g])) rc = -1;
    /* the keys compared as text: outbox keys keep their type, recorded ones are text */
    snprintf(sql, cap, "SELECT count(*) FROM \"%s\" AS t0 WHERE CAST(t0.\"%s\" AS TEXT) IN"
                       " (SELECT CAST(recipient_key AS TEXT) FROM (%s) AS g) AND (%s)",
             dim, key_column, groups[g], rule_sql);
    if (rc == 0 && count(db, sql, run, step, c[g])) rc = -1;
  }
  free(sql);
  if (rc) {
    snprintf(err, errlen, "counting conversions: %s", db_error(db));
    return -1;
  }
  u->p_treated = u->treated ? (double)u->treated_conv / (double)u->treated : 0;
  u->p_control = u->control ? (double)u->control_conv / (double)u->control : 0;
  u->abs_uplift = u->p_treated - u->p_control;
  u->rel_uplift = u->p_control > 0 ? u->abs_uplift / u->p_control : NAN;
  double se = sqrt((u->treated ? u->p_treated * (1 - u->p_treated) / (double)u->treated : 0) +
                   (u->control ? u->p_control * (1 - u->p_control) / (double)u->control : 0));
  u->ci_low = u->abs_uplift - 1.96 * se;
  u->ci_high = u->abs_uplift + 1.96 * se;
  u->significant = u->treated && u->control && (u->ci_low > 0 || u->ci_high < 0);
  return 0;
}

static void esc(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", out);
    else if (*s == '>') fputs("&gt;", out);
    else if (*s == '&') fputs("&amp;", out);
    else if (*s == '"') fputs("&quot;", out);
    else fputc(*s, out);
  }
}

void uplift_svg(FILE *out, const char *campaign, const char *metric, const Uplift *u) {
  const double W = 480, H = 320, top = 60, bottom = 270, left = 60;
  double ci[2][2];
  double p[2] = {u->p_treated, u->p_control};
  int64_t n[2] = {u->treated, u->control}, c[2] = {u->treated_conv, u->control_conv};
  double max = 0.01;
  for (int g = 0; g < 2; g++) {
    double se = n[g] ? sqrt(p[g] * (1 - p[g]) / (double)n[g]) : 0;
    ci[g][0] = fmax(0, p[g] - 1.96 * se);
    ci[g][1] = fmin(1, p[g] + 1.96 * se);
    if (ci[g][1] > max) max = ci[g][1];
  }
  max *= 1.15;
  fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
               " font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H);
  fprintf(out, "<title>");
  esc(out, campaign);
  fprintf(out, ": conversion, treated vs control</title>\n");
  fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%.0f\" y=\"22\" font-size=\"14\" font-weight=\"bold\">", left);
  esc(out, campaign);
  fprintf(out, " — ");
  esc(out, metric);
  fprintf(out, "</text>\n<text x=\"%.0f\" y=\"42\">uplift %+.2f points (95%% CI %+.2f to %+.2f)%s</text>\n", left,
          100 * u->abs_uplift, 100 * u->ci_low, 100 * u->ci_high, u->significant ? ", significant" : ", not significant");
  fprintf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", left, bottom, W - 20, bottom);
  static const char *const names[2] = {"treated", "control"};
  static const char *const fill[2] = {"#4878cf", "#aaaaaa"};
  for (int g = 0; g < 2; g++) {
    double x = left + 60 + g * 180, bw = 100;
    double y = bottom - (bottom - top) * p[g] / max;
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"%s\"><title>%s: %lld of %lld (%.2f%%)</title></rect>\n",
            x, y, bw, bottom - y, fill[g], names[g], (long long)c[g], (long long)n[g], 100 * p[g]);
    double y0 = bottom - (bottom - top) * ci[g][0] / max, y1 = bottom - (bottom - top) * ci[g][1] / max;
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x + bw / 2, y0, x + bw / 2, y1);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x + bw / 2 - 8, y1, x + bw / 2 + 8, y1);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x + bw / 2 - 8, y0, x + bw / 2 + 8, y0);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.2f%%</text>\n", x + bw / 2, y1 - 6, 100 * p[g]);
    fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s (n = %lld)</text>\n", x + bw / 2, bottom + 18,
            names[g], (long long)n[g]);
  }
  fprintf(out, "</svg>\n");
}
