/* cmd_snapshot.c — `camp snapshot --db DB [FILE...] [--campaign NAME]
 * [--check]`: makes the columnar snapshot of the tables the campaign's
 * rules read fresh and checks it whole (damaged tables are read again); without FILE, of every table of the database (schemas
 * as `camp schema --from-db` would write them); with files that declare no
 * campaign, of every schema they declare.  Prints whether the file was
 * fresh, refreshed (per table: reused, patched from the rows of its
 * changed pages — with the rows read — or read again, and why) or built.  --check then
 * builds the snapshot again from scratch and compares the two: exit 1 if
 * they differ in anything. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/db/schema_import.h"
#include "runtime/engine/snapshot.h"

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

/* Schemas of every table of db, through the --from-db importer (declared
 * types only: the snapshot stores what the database declares). */
static Program *db_program(Db *db, const char *label) {
  char *text = NULL, err[256];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  int rc = schema_import(db, "--from-db", label, 0, f, err, sizeof err);
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

/* Campaigns of the given files (not of the standard library). */
static int own_campaigns(Program *p) {
  int n = 0;
  for (int i = 0; i < p->campaigns.len; i++) n += !((Decl *)p->campaigns.items[i])->from_stdlib;
  return n;
}

static void print_tables(const Snapshot *s, const SnapReport *rep) {
  for (int i = 0; i < s->ntables; i++) {
    const SnapTable *t = &s->tables[i];
    int bad = 0;
    for (int k = 0; k < t->ncols; k++) bad += t->cols[k].bad;
    printf("  %-20s %10lld rows  %2d columns  %d collections", t->name, (long long)t->nrows,
           t->ncols, t->ncolls);
    const SnapTableReport *r = i < rep->ntables ? &rep->tables[i] : NULL;
    if (r && r->how == SNAP_TABLE_REUSED) printf("  unchanged: reused");
    if (r && r->how == SNAP_TABLE_REFRESHED)
      printf("  refreshed: %lld rows read (%lld updated, %lld inserted, %lld deleted, %lld unchanged; "
             "%lld of %lld pages changed)",
             (long long)r->rows_read, (long long)r->updated, (long long)r->inserted,
             (long long)r->deleted, (long long)r->rechecked, (long long)r->pages_changed,
             (long long)r->pages);
    if (r && r->how == SNAP_TABLE_BUILT && rep->how == SNAP_OPEN_REFRESHED)
      printf("  read again: %s", r->why[0] ? r->why : "changed");
    if (r && rep->how != SNAP_OPEN_FRESH) printf("  [%.0f ms]", r->ms);
    printf("%s%s\n", bad ? "  (columns with values outside their type: rules reading them use SQL)" : "",
           t->key_bad ? "  (key not unique/int: SQL only)" : "");
  }
}

/* --check: a second snapshot built from scratch must equal s. */
static int check_against_build(Db *db, const char *db_path, const Snapshot *s, Schema **set, int n) {
  char err[256], why[512];
  for (int i = 0; i < s->ntables; i++)
    if (snapshot_check_table(s, &s->tables[i], why, sizeof why)) {
      printf("check: %s\n", why);
      return 1;
    }
  Snapshot *b = snapshot_refresh(db, db_path, NULL, set, n, NULL, err, sizeof err);
  if (!b) {
    fprintf(stderr, "camp snapshot: --check: %s\n", err);
    return 1;
  }
  int diff = snapshot_compare(s, b, why, sizeof why);
  snapshot_free(b);
  if (diff) {
    printf("check: DIFFERS from a full build: %s\n", why);
    return 1;
  }
  printf("check: identical to a full build\n");
  return 0;
}

int cmd_snapshot(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("snapshot", argc, argv, "db,campaign,I,check", &o);
  if (rc) return rc;
  if (!o.db) {
    fprintf(stderr, "usage: camp snapshot --db DB [FILE...] [--campaign NAME] [--check]\n");
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
  if (p && !status && o.nfiles && (o.campaign || own_campaigns(p))) {
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
  SnapReport rep;
  double t0 = now_ms();
  int pg = !strcmp(db_backend(db), "postgres");
  char *pg_dir = pg ? snapshot_pg_dir(db) : NULL;
  if (pg && !pg_dir) {
    /* nowhere to cache (CAMP_CACHE_DIR=off, no home): read with COPY, in memory */
    Snapshot *s = snapshot_refresh(db, NULL, NULL, set, n, &rep, err, sizeof err);
    double ms = now_ms() - t0;
    if (!s) {
      fprintf(stderr, "camp snapshot: %s\n", err);
      rc = 1;
    } else {
      printf("snapshot (PostgreSQL: built in memory with COPY, not saved): %.1f ms, %lld rows read, %.0f rows/s\n",
             ms, (long long)rep.rows_read, ms > 0 ? rep.rows_read / (ms / 1000) : 0.0);
      print_tables(s, &rep);
      if (o.check) rc = check_against_build(db, NULL, s, set, n);
      snapshot_free(s);
    }
    snapshot_report_free(&rep);
    free(set);
    program_free(p);
    db_close(db);
    return rc;
  }
  Snapshot *s = pg ? snapshot_open_pg(db, pg_dir, set, n, NULL, &rep, err, sizeof err)
                  : snapshot_open_report(db, o.db, set, n, &rep, err, sizeof err);
  /* a fresh snapshot is checked whole here (plans check what they read):
   * damaged tables (warned) are read again */
  char why[512];
  int damaged = 0;
  for (int i = 0; s && rep.how == SNAP_OPEN_FRESH && i < s->ntables; i++)
    damaged |= snapshot_check_table(s, &s->tables[i], why, sizeof why) != 0;
  if (damaged) {
    snapshot_free(s);
    snapshot_report_free(&rep);
    s = pg ? snapshot_open_pg(db, pg_dir, set, n, NULL, &rep, err, sizeof err)
           : snapshot_open_report(db, o.db, set, n, &rep, err, sizeof err);
  }
  double ms = now_ms() - t0;
  if (!s) {
    fprintf(stderr, "camp snapshot: %s\n", err);
    rc = 1;
  } else {
    char *dir = pg ? strdup(pg_dir) : snapshot_dir(o.db);
    printf("snapshot %s/snapshot.bin: ", dir);
    if (rep.how == SNAP_OPEN_FRESH) printf("fresh, reused in %.1f ms\n", ms);
    else if (rep.how == SNAP_OPEN_BUILT) printf("built in %.1f ms, %lld rows read\n", ms, (long long)rep.rows_read);
    else printf("refreshed incrementally in %.1f ms, %lld rows read\n", ms, (long long)rep.rows_read);
    free(dir);
    if (rep.how != SNAP_OPEN_FRESH)
      printf("  (%s %.0f ms, links and collections %.0f ms, files written in %.0f ms)\n",
             pg ? "content hashes on the server" : "page hashes", rep.ms_hash, rep.ms_links, rep.ms_save);
    print_tables(s, &rep);
    if (rep.kept)
      printf("  (%d other table%s of the cache kept, not asked for here)\n", rep.kept, rep.kept == 1 ? "" : "s");
    if (o.check) rc = check_against_build(db, pg ? NULL : o.db, s, set, n);
    snapshot_free(s);
  }
  snapshot_report_free(&rep);
  free(pg_dir);
  free(set);
  program_free(p);
  db_close(db);
  return rc;
}
