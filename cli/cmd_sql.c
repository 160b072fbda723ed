/* cmd_sql.c — `camp sql FILE`: the SQL of a campaign or of one step. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lang/clock.h"
#include "compiler/sql/sqlgen.h"

static Step *find_step(Decl *campaign, const char *name) {
  for (int i = 0; i < campaign->steps.len; i++) {
    Step *s = campaign->steps.items[i];
    if (!strcmp(s->label, name)) return s;
    for (int k = 0; k < s->outputs.len; k++)
      if (!strcmp(s->outputs.items[k], name)) return s;
  }
  return NULL;
}

int cmd_sql(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("sql", argc, argv, "campaign,step,dialect,grouped,now,format,I", &o);
  if (rc) return rc;
  if (o.nfiles == 0) {
    fprintf(stderr, "usage: camp sql FILE... [--campaign NAME] [--step NAME] [--dialect sqlite|postgres] [--grouped TABLES] [--now TS]\n");
    return 2;
  }
  SqlOptions so = {0};
  so.dialect = sql_dialect(o.dialect ? o.dialect : "sqlite");
  if (!so.dialect) {
    fprintf(stderr, "camp sql: unknown dialect `%s` (available: sqlite, postgres)\n", o.dialect);
    return 2;
  }
  /* the clock the printed script uses, normalised as plan and run do */
  char now[20];
  if (o.now && clock_normalize(o.now, now)) {
    fprintf(stderr, "camp sql: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  so.now = o.now ? now : NULL;
  so.grouped = o.grouped;
  int status;
  Program *p = cli_compile(&o, &status);
  Decl *campaign = status ? NULL : program_campaign(p, o.campaign);
  Step *step = NULL;
  if (campaign && o.step) {
    step = find_step(campaign, o.step);
    if (!step) {
      Loc none = {.file = -1};
      diag_error(&p->diags, none, "campaign `%s` has no step `%s`", campaign->name, o.step);
    }
  }
  if (p->diags.nerrors) {
    cli_print_diags(p, &o);
    program_free(p);
    return 1;
  }
  char *sql = step ? sql_step(p, campaign, step, &so) : sql_campaign(p, campaign, &so);
  fputs(sql, stdout);
  free(sql);
  program_free(p);
  return 0;
}
