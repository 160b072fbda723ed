/* cmd_snapshot.c — `camp snapshot --db DB [FILE...] [--campaign NAME]`:
 * builds (or confirms fresh) the columnar snapshot of the tables the
 * campaign's rules read; without FILE, of every table of the database
 * (schemas as `camp schema --from-db` would write them).  Prints one line
 * per table and whether the file was reused or rebuilt. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db.h"
#include "schema_import.h"
#include "snapshot.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Every schema a campaign's steps read: populations and rules. */
static void campaign_schemas(Decl *c, Schema ***set, int *n) {
  for (int i = 0; i < c->steps.len; i++) {
    Step *s = c->steps.items[i];
    for (int k = 0; k < s->npops; k++)
      if (s->pops[k] && s->pops[k]->dim) snapshot_add_schema(s->pops[k]->dim, set, n);
    snapshot_rule_schemas(s->rule, set, n);
    for (int k = 0; k < s->branches.len; k++)
      snapshot_rule_schemas(((SplitBranch *)s->branches.items[k])->rule, set, n);
  }
}

/* Schemas of every table of db, through the --from-db importer. */
static Program *db_program(Db *db, const char *label) {
  char *text = NULL, err[256];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  int rc = schema_import(db, label, f, err, sizeof err);
  fclose(f);
  if (rc) {
    fprintf(stderr, "camp snapshot: %s\n", err);
    free(text);
    return NULL;
  }
  Program *p = program_new();
  program_load_text(p, label, text);
  program_check(p);
  free(text);
  return p;
}

int cmd_snapshot(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("snapshot", argc, argv, "db,campaign,I", &o);
  if (rc) return rc;
  if (!o.db) {
    fprintf(stderr, "usage: camp snapshot --db DB [FILE...] [--campaign NAME]\n");
    return 2;
  }
  char err[256];
  Db *db = db_open(o.db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp snapshot: %s\n", err);
    return 1;
  }
  int status = 0;
  Program *p = o.nfiles ? cli_compile(&o, &status) : db_program(db, o.db);
  Schema **set = NULL;
  int n = 0;
  if (p && !status && o.nfiles) {
    Decl *c = program_campaign(p, o.campaign);
    if (c) campaign_schemas(c, &set, &n);
  } else if (p && !status) {
    for (int i = 0; i < p->schemas.len; i++) snapshot_add_schema(p->schemas.items[i], &set, &n);
  }
  if (!p || status || p->diags.nerrors || n == 0) {
    if (p) cli_print_diags(p, &o);
    if (p && !p->diags.nerrors && n == 0) fprintf(stderr, "camp snapshot: no tables to snapshot\n");
    free(set);
    program_free(p);
    db_close(db);
    return 1;
  }
  int rebuilt = 0;
  double t0 = now_ms();
  Snapshot *s = snapshot_open(db, o.db, set, n, &rebuilt, err, sizeof err);
  double ms = now_ms() - t0;
  if (!s) {
    fprintf(stderr, "camp snapshot: %s\n", err);
    rc = 1;
  } else {
    char *dir = snapshot_dir(o.db);
    printf("snapshot %s/snapshot.bin: %s in %.1f ms\n", dir, rebuilt ? "built" : "fresh, reused", ms);
    free(dir);
    for (int i = 0; i < s->ntables; i++) {
      const SnapTable *t = &s->tables[i];
      int bad = 0;
      for (int k = 0; k < t->ncols; k++) bad += t->cols[k].bad;
      printf("  %-20s %10lld rows  %2d columns  %d collections%s%s\n", t->name, (long long)t->nrows,
             t->ncols, t->ncolls, bad ? "  (columns with values outside their type: rules reading them use SQL)" : "",
             t->key_bad ? "  (key not unique/int: SQL only)" : "");
    }
    snapshot_free(s);
  }
  free(set);
  program_free(p);
  db_close(db);
  return rc;
}
