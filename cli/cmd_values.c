/* cmd_values.c — `camp values FILE --db DB --step S COLUMN`: the 20 most
 * frequent values of a column in a step's population (the "distribution of
 * values" of rule builders).  The campaign is planned (nothing saved) and
 * the step's plan table is counted.  COLUMN is a column the step added
 * (enrich, reconcile), a column of its dimension, or LINK.COLUMN through a
 * link of the dimension. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/exec/exec.h"
#include "runtime/report/report.h"

#define TOP 20

typedef struct {
  Pop *pop;
  const char *output;    /* the step output (its plan table is <prefix><output>) */
  const char *column;
  const char *expr;      /* SQL of the value: p."x", t."x" or l."x" */
  char from[1024];       /* FROM clause */
} Values;

/* Appends "name" (quoted) to buf. */
static void qident(char *buf, size_t n, const char *name) {
  size_t k = strlen(buf);
  if (k + 2 >= n) return;
  buf[k++] = '"';
  for (; *name && k + 3 < n; name++) {
    if (*name == '"') buf[k++] = '"';
    buf[k++] = *name;
  }
  buf[k++] = '"';
  buf[k] = 0;
}

/* The population of output (or step label) name, or NULL; *output is set
 * to the output's name. */
static Pop *find_pop(Decl *camp, const char *name, const char **output) {
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    for (int k = 0; k < s->npops && k < s->outputs.len; k++)
      if (!strcmp(s->outputs.items[k], name) && s->pops[k]) {
        *output = s->outputs.items[k];
        return s->pops[k];
      }
    if (!strcmp(s->label, name) && s->npops == 1 && s->pops[0]) {
      *output = s->label;
      return s->pops[0];
    }
  }
  return NULL;
}

static void list_outputs(Decl *camp) {
  fprintf(stderr, "  steps with a population:");
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    for (int k = 0; k < s->npops && k < s->outputs.len; k++)
      if (s->pops[k]) fprintf(stderr, " %s", (char *)s->outputs.items[k]);
  }
  fputc('\n', stderr);
}

static void list_columns(Pop *pop) {
  fprintf(stderr, "  columns:");
  for (int i = 0; i < pop->added.len; i++)
    fprintf(stderr, " %s", ((AddedCol *)pop->added.items[i])->name);
  if (pop->dim)
    for (int i = 0; i < pop->dim->columns.len; i++) {
      Column *c = pop->dim->columns.items[i];
      fprintf(stderr, " %s%s", c->name, c->link ? " (a link: LINK.COLUMN)" : "");
    }
  fputc('\n', stderr);
}

/* Resolves the column against the population: sets v->expr and the joins.
 * Returns 0, or 1 after printing why not. */
static int resolve(Values *v, char *expr, size_t n) {
  Pop *pop = v->pop;
  expr[0] = 0;
  const char *dot = strchr(v->column, '.');
  if (!dot && pop_added(pop, v->column)) {
    strcat(expr, "p.");
    qident(expr, n, v->column);
    return 0;
  }
  if (!pop->dim) goto unknown;
  Schema *dim = pop->dim;
  if (!dim->key) {
    fprintf(stderr, "camp values: `%s` has no key column\n", dim->name);
    return 1;
  }
  char join[512] = " JOIN ";
  qident(join, sizeof join, dim->name);
  strcat(join, " t ON t.");
  qident(join, sizeof join, dim->key->name);
  strcat(join, " = p._key");
  strncat(v->from, join, sizeof v->from - strlen(v->from) - 1);
  if (!dot) {
    Column *c = schema_column(dim, v->column);
    if (!c) goto unknown;
    strcat(expr, "t.");
    qident(expr, n, c->name);
    return 0;
  }
  char link[256];
  snprintf(link, sizeof link, "%.*s", (int)(dot - v->column), v->column);
  Column *lc = schema_link(dim, link);
  if (!lc) lc = schema_column(dim, link);
  if (!lc || !lc->link || !lc->link->key) goto unknown;
  Column *target = schema_column(lc->link, dot + 1);
  if (!target) {
    fprintf(stderr, "camp values: `%s` has no column `%s`\n", lc->link->name, dot + 1);
    return 1;
  }
  char ljoin[512] = " LEFT JOIN ";
  qident(ljoin, sizeof ljoin, lc->link->name);
  strcat(ljoin, " l ON l.");
  qident(ljoin, sizeof ljoin, lc->link->key->name);
  strcat(ljoin, " = t.");
  qident(ljoin, sizeof ljoin, lc->name);
  strncat(v->from, ljoin, sizeof v->from - strlen(v->from) - 1);
  strcat(expr, "l.");
  qident(expr, n, target->name);
  return 0;
unknown:
  fprintf(stderr, "camp values: step `%s` has no column `%s`\n", v->output, v->column);
  list_columns(pop);
  return 1;
}

static char *fmt_count(int64_t n, char *buf, size_t len) {
  char raw[32];
  snprintf(raw, sizeof raw, "%lld", (long long)n);
  size_t r = strlen(raw), k = 0;
  for (size_t i = 0; i < r && k + 2 < len; i++) {
    if (i && raw[i - 1] != '-' && (r - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = raw[i];
  }
  buf[k] = 0;
  return buf;
}

/* The plan's inspect hook: counts the values in the step's plan table. */
static int count_values(Db *db, const char *prefix, void *ctx) {
  Values *v = ctx;
  char table[300], expr[800];
  snprintf(table, sizeof table, "%s%s", prefix, v->output);
  snprintf(v->from, sizeof v->from, " FROM ");
  qident(v->from, sizeof v->from, table);
  strcat(v->from, " p");
  if (resolve(v, expr, sizeof expr)) return 1;
  char sql[4096];
  /* NULL is one value more when some row has it (count(DISTINCT) skips it). */
  snprintf(sql, sizeof sql, "SELECT count(*), count(DISTINCT %s), count(%s)%s", expr, expr, v->from);
  DbStmt *st = db_prepare(db, sql);
  if (!st || db_step(st) != 1) {
    fprintf(stderr, "camp values: %s\n", db_error(db));
    db_finalize(st);
    return 1;
  }
  int64_t total = db_column(st, 0).i;
  int64_t distinct = db_column(st, 1).i + (db_column(st, 2).i < total);
  db_finalize(st);
  char a[32], b[32];
  printf("%s in %s: %s rows, %s distinct value%s\n", v->column, v->output,
         fmt_count(total, a, sizeof a), fmt_count(distinct, b, sizeof b), distinct == 1 ? "" : "s");
  if (total == 0) return 0;
  /* Most frequent first; ties in value order, so the list is stable. */
  snprintf(sql, sizeof sql, "SELECT %s, count(*) AS n%s GROUP BY 1 ORDER BY n DESC, 1 LIMIT %d",
           expr, v->from, TOP);
  st = db_prepare(db, sql);
  if (!st) {
    fprintf(stderr, "camp values: %s\n", db_error(db));
    return 1;
  }
  static const char *const heads[] = {"value", "count", "%"};
  ReportTable t;
  rt_init(&t, 3, heads);
  int64_t shown = 0;
  int rows = 0, rc;
  while ((rc = db_step(st)) == 1) {
    char *val = report_col_text(st, 0);
    char *cell = val ? report_cell(val, 60) : strdup("(null)");
    int64_t n = db_column(st, 1).i;
    char pct[32];
    snprintf(pct, sizeof pct, "%.1f%%", 100.0 * (double)n / (double)total);
    const char *cells[3] = {cell, fmt_count(n, a, sizeof a), pct};
    rt_add(&t, cells);
    free(val);
    free(cell);
    shown += n;
    rows++;
  }
  db_finalize(st);
  if (rc < 0) {
    fprintf(stderr, "camp values: %s\n", db_error(db));
    rt_free(&t);
    return 1;
  }
  rt_print(&t, stdout, "  ");
  rt_free(&t);
  if (distinct > rows)
    printf("  (%s more value%s: %s rows, %.1f%%)\n", fmt_count(distinct - rows, a, sizeof a),
           distinct - rows == 1 ? "" : "s", fmt_count(total - shown, b, sizeof b),
           100.0 * (double)(total - shown) / (double)total);
  return 0;
}

int cmd_values(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("values", argc, argv, "db,step,campaign,now,I", &o);
  if (rc) return rc;
  if (o.nfiles != 2 || !o.db || !o.step) {
    fprintf(stderr, "usage: camp values FILE --db DB --step STEP COLUMN [--campaign NAME] [--now TS]\n");
    return 2;
  }
  char norm[20];
  if (o.now && exec_parse_now(o.now, norm) != 0) {
    fprintf(stderr, "camp values: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n",
            o.now);
    return 2;
  }
  Values v = {.column = o.files[1]};
  o.nfiles = 1; /* the second operand is the column, not a file */
  int status;
  Program *p = cli_compile(&o, &status);
  Decl *camp = status ? NULL : program_campaign(p, o.campaign);
  if (!camp) {
    cli_print_diags(p, &o);
    program_free(p);
    return 1;
  }
  v.pop = find_pop(camp, o.step, &v.output);
  if (!v.pop) {
    fprintf(stderr, "camp values: campaign `%s` has no step `%s` with a population\n", camp->name,
            o.step);
    list_outputs(camp);
    program_free(p);
    return 1;
  }
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp values: %s\n", err);
    program_free(p);
    return 1;
  }
  if (exec_verify_schema(db, p, camp)) {
    fprintf(stderr, "camp values: the database %s does not match the campaign's schemas:\n", o.db);
    cli_print_diags(p, &o);
    rc = 1;
  } else {
    ExecOptions e = {0};
    e.engine = "sql"; /* every step as a table to count in, the same rows as any engine */
    e.now = o.now;
    e.db_path = o.db;
    e.out = stdout;
    e.inspect = count_values;
    e.inspect_ctx = &v;
    rc = exec_plan(db, p, camp, o.files[0], &e);
  }
  db_close(db);
  program_free(p);
  return rc;
}
