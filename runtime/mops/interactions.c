/* interactions.c — calls and meetings imported from a CSV file into
 * camp_mops_interaction_log (mops.h, docs/marketing-ops.md).  The file is
 * read into a TEMP table (runtime/delivery/csv_import.c: RFC 4180, typed
 * columns, FILE:LINE errors), then every record is checked against the
 * deployed campaigns and interaction templates; any error and nothing is
 * stored — all of it happens in one transaction. */
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/csv_import.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"

/* An amount `12`, `0.85`, `1.2345` (at most 4 decimals, >= 0) in
 * MOPS_AMOUNT_SCALE.  0 or -1. */
static int parse_amount(const char *s, int64_t *out) {
  while (*s == ' ' || *s == '\t') s++;
  int64_t whole = 0, frac = 0;
  int digits = 0, decimals = 0;
  for (; *s >= '0' && *s <= '9'; s++, digits++)
    if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, *s - '0', &whole)) return -1;
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9'; s++, decimals++) {
      if (decimals == 4) return -1;
      frac = frac * 10 + (*s - '0');
    }
    if (!decimals) return -1;
  }
  while (*s == ' ' || *s == '\t') s++;
  if (*s || !digits) return -1;
  for (int k = decimals; k < 4; k++) frac *= 10;
  if (__builtin_mul_overflow(whole, MOPS_AMOUNT_SCALE, &whole) || __builtin_add_overflow(whole, frac, out)) return -1;
  return 0;
}

typedef struct Tmpl {
  char name[256], type[32], channel[16];
  int64_t cost, minutes;
} Tmpl;

static int find_template(Db *db, const char *name, Tmpl *t) {
  DbStmt *st = db_prepare(db, "SELECT type, coalesce(channel, ''), unit_cost, unit_minutes"
                              " FROM camp_mops_interaction_templates WHERE name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  int found = db_step(st) == 1;
  if (found) {
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->type, sizeof t->type, "%s", db_column(st, 0).s);
    snprintf(t->channel, sizeof t->channel, "%s", db_column(st, 1).s);
    t->cost = db_column(st, 2).i;
    t->minutes = db_column(st, 3).i;
  }
  db_finalize(st);
  return found ? 0 : 1;
}

static int campaign_known(Db *db, const char *name) {
  DbStmt *st = db_prepare(db, "SELECT 1 FROM camp_mops_nodes WHERE kind = 'campaign' AND name = ?");
  if (!st) return 0;
  db_bind_text(st, 1, name);
  int found = db_step(st) == 1;
  db_finalize(st);
  return found;
}

#define REPORT(...)                              \
  do {                                           \
    if (bad < 100) {                             \
      fprintf(errout, "%s:%lld: ", path, (long long)line); \
      fprintf(errout, __VA_ARGS__);              \
      fputc('\n', errout);                       \
    }                                            \
    bad++;                                       \
  } while (0)

int mops_interactions_import(Db *db, const char *path, const char *now, const char *who, FILE *out,
                             FILE *errout) {
  static const CsvColumn cols[] = {{"contact", "text"}, {"template", "text"}, {"date", "text"},
                                   {"campaign", "text"}, {"cost", "text"},    {"minutes", "int"}};
  if (db_begin(db)) {
    fprintf(errout, "camp interactions: %s\n", db_error(db));
    return -1;
  }
  CsvErrors ce = {0};
  int rc = csv_import(db, path, cols, 6, "camp_interactions_in", 1, &ce);
  if (rc != 0) {
    for (int i = 0; i < ce.nmsgs; i++) fprintf(errout, "%s\n", ce.msgs[i]);
    if (ce.count > ce.nmsgs) fprintf(errout, "... and %d more\n", ce.count - ce.nmsgs);
    csv_errors_free(&ce);
    db_rollback(db);
    return rc < 0 ? -1 : 1;
  }
  csv_errors_free(&ce);
  DbStmt *st = db_prepare(db, "SELECT \"_line\", contact, template, date, campaign, cost, minutes"
                              " FROM camp_interactions_in ORDER BY \"_line\"");
  DbStmt *ins = db_prepare(db,
      "INSERT INTO camp_mops_interaction_log(id, campaign, contact, template, type, channel, at, cost, minutes,"
      " source, imported_at, imported_by) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM camp_mops_interaction_log),"
      " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  if (!st || !ins) {
    fprintf(errout, "camp interactions: %s\n", db_error(db));
    db_finalize(st);
    db_finalize(ins);
    db_rollback(db);
    return -1;
  }
  int64_t bad = 0, n = 0, cost_sum = 0, line = 0;
  rc = 0;
  while (db_step(st) == 1) {
    line = db_column(st, 0).i;
    const char *contact = db_column(st, 1).s, *tname = db_column(st, 2).s, *date = db_column(st, 3).s,
               *camp = db_column(st, 4).s, *cost_text = db_column(st, 5).s;
    DbValue mins = db_column(st, 6);
    Tmpl t;
    char at[20];
    int64_t cost = 0;
    int ok = 1;
    if (!contact) { REPORT("column `contact`: empty (the contact's key)"); ok = 0; }
    if (!tname) { REPORT("column `template`: empty (an `interaction` template)"); ok = 0; }
    else if (find_template(db, tname, &t)) {
      REPORT("column `template`: no interaction template `%s` is deployed", tname);
      ok = 0;
    }
    if (!date || exec_parse_now(date, at)) { REPORT("column `date`: `%s` is not a date or time", date ? date : ""); ok = 0; }
    if (!camp) { REPORT("column `campaign`: empty"); ok = 0; }
    else if (!campaign_known(db, camp)) { REPORT("column `campaign`: no deployed campaign `%s`", camp); ok = 0; }
    if (cost_text && parse_amount(cost_text, &cost))
      { REPORT("column `cost`: `%s` is not an amount (at least 0, at most 4 decimals)", cost_text); ok = 0; }
    if (mins.kind == DBV_INT && mins.i < 0) { REPORT("column `minutes`: %lld is below 0", (long long)mins.i); ok = 0; }
    if (!ok) continue;
    if (!cost_text) cost = t.cost;
    char source[4200];
    snprintf(source, sizeof source, "%s:%lld", path, (long long)line);
    db_reset(ins);
    db_bind_text(ins, 1, camp);
    db_bind_text(ins, 2, contact);
    db_bind_text(ins, 3, tname);
    db_bind_text(ins, 4, t.type);
    if (t.channel[0]) db_bind_text(ins, 5, t.channel); else db_bind_null(ins, 5);
    db_bind_text(ins, 6, at);
    db_bind_int(ins, 7, cost);
    db_bind_int(ins, 8, mins.kind == DBV_INT ? mins.i : t.minutes);
    db_bind_text(ins, 9, source);
    db_bind_text(ins, 10, now);
    db_bind_text(ins, 11, who);
    if (db_step(ins) < 0) {
      rc = -1;
      break;
    }
    /* the same contact, template, campaign and time twice is one interaction */
    if (db_changes(db) != 1) {
      REPORT("contact %s, template %s, campaign %s at %s is already logged", contact, tname, camp, at);
      continue;
    }
    n++;
    cost_sum += cost;
  }
  db_finalize(st);
  db_finalize(ins);
  if (rc < 0) fprintf(errout, "camp interactions: %s\n", db_error(db));
  db_exec(db, "DROP TABLE camp_interactions_in");
  if (rc == 0 && bad) {
    if (bad > 100) fprintf(errout, "... and %lld more\n", (long long)(bad - 100));
    fprintf(errout, "camp interactions: %lld bad record%s in %s: nothing imported\n", (long long)bad,
            bad == 1 ? "" : "s", path);
    rc = 1;
  }
  char to[64];
  snprintf(to, sizeof to, "%lld imported", (long long)n);
  if (rc == 0 && ops_audit(db, now, who, NULL, 0, NULL, "interactions import", NULL, to, path)) rc = -1;
  if (rc == 0 && db_commit(db)) rc = -1;
  if (rc != 0) {
    if (rc < 0) fprintf(errout, "camp interactions: %s\n", db_error(db));
    db_rollback(db);
    return rc;
  }
  char amount[40];
  mops_amount_text(cost_sum, amount, sizeof amount);
  fprintf(out, "%lld interaction%s imported from %s (cost %s)\n", (long long)n, n == 1 ? "" : "s", path, amount);
  return 0;
}
