/* cmd_segment.c — `camp segment ...` (D365 segments edited by criteria,
 * versions logged) and `camp interactions import FILE` (calls and
 * meetings from CSV): runtime/mops/mops.h, docs/marketing-ops.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"

static int usage_segment(void) {
  fprintf(stderr, "usage: camp segment create NAME FILE --of DIMENSION --db DB [--as NAME]\n"
                  "       camp segment add|reduce|refine NAME --where RULE --db DB [--as NAME]\n"
                  "       camp segment reapply NAME --db DB [--as NAME]\n"
                  "       camp segment show NAME [VERSION] --db DB [--format text|json]\n"
                  "       camp segment log NAME --db DB [--format text|json]\n"
                  "       camp segment diff NAME VERSION VERSION --db DB\n"
                  "       camp segment apply FILE --db DB [--as NAME] [--now TS]\n");
  return 2;
}

/* --now or the current UTC time into now; 0, or 2 after a usage error. */
static int clock_of(const char *cmd, const CliOpts *o, char now[20]) {
  if (!o->now) {
    store_now(now);
    return 0;
  }
  if (exec_parse_now(o->now, now) == 0) return 0;
  fprintf(stderr, "camp %s: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", cmd, o->now);
  return 2;
}

static Db *open_rw(const char *cmd, const char *path) {
  char err[1024];
  Db *db = db_open(path, DB_OPEN_READWRITE, err, sizeof err);
  if (db && store_migrate(db, err, sizeof err)) {
    db_close(db);
    db = NULL;
  }
  if (!db) fprintf(stderr, "camp %s: %s\n", cmd, err);
  return db;
}

/* A version number operand (>= 1) into *v; -1 when it is not one. */
static int version_arg(const char *s, int64_t *v) {
  char *end = NULL;
  long long n = strtoll(s, &end, 10);
  if (!*s || *end || n < 1) return -1;
  *v = n;
  return 0;
}

/* `camp segment apply FILE`: the segments declared in FILE, checked, then
 * stored and computed (mops_segment_apply). */
static int segment_apply(CliOpts *o, const char *file, const char *now) {
  Program *p = program_new();
  for (int i = 0; i < o->nincludes; i++) vec_push(&p->arena, &p->include_dirs, (void *)o->includes[i]);
  if (program_load(p, file)) {
    fprintf(stderr, "camp segment: cannot read %s\n", file);
    program_free(p);
    return 1;
  }
  program_check(p);
  if (p->diags.nerrors) {
    cli_print_diags(p, o);
    program_free(p);
    return 1;
  }
  cli_print_diags(p, o); /* warnings */
  Db *db = open_rw("segment", o->db);
  if (!db) {
    program_free(p);
    return 1;
  }
  char err[1024] = "";
  int rc = mops_segment_apply(db, program_mops(p), file, now, cli_who(o), stdout, stderr, err, sizeof err);
  if (rc && err[0]) fprintf(stderr, "camp segment: %s\n", err);
  db_close(db);
  program_free(p);
  return rc ? 1 : 0;
}

int cmd_segment(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("segment", argc, argv, "db,of,where,as,now,format", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles < 2 || (strcmp(o.format, "text") && strcmp(o.format, "json"))) return usage_segment();
  const char *verb = o.files[0], *name = o.files[1];
  int edit = !strcmp(verb, "add") || !strcmp(verb, "reduce") || !strcmp(verb, "refine");
  int64_t v1 = 0, v2 = 0;
  if (!strcmp(verb, "create") ? o.nfiles != 3 || !o.of
      : edit ? o.nfiles != 2 || !o.where || !*o.where
      : !strcmp(verb, "reapply") || !strcmp(verb, "log") || !strcmp(verb, "apply") ? o.nfiles != 2
      : !strcmp(verb, "show") ? o.nfiles > 3 || (o.nfiles == 3 && version_arg(o.files[2], &v1))
      : !strcmp(verb, "diff") ? o.nfiles != 4 || version_arg(o.files[2], &v1) || version_arg(o.files[3], &v2)
                              : 1)
    return usage_segment();
  char now[20];
  if ((rc = clock_of("segment", &o, now))) return rc;
  if (!strcmp(verb, "apply")) return segment_apply(&o, name, now);
  Db *db = open_rw("segment", o.db);
  if (!db) return 1;
  char err[1024] = "";
  int json = !strcmp(o.format, "json");
  if (!strcmp(verb, "create"))
    rc = mops_segment_create(db, name, o.files[2], o.of, now, cli_who(&o), stdout, stderr, err, sizeof err);
  else if (edit || !strcmp(verb, "reapply"))
    rc = mops_segment_edit(db, name, verb, edit ? o.where : NULL, now, cli_who(&o), stdout, stderr, err, sizeof err);
  else if (!strcmp(verb, "show")) rc = mops_segment_show(db, name, v1, json, stdout, err, sizeof err);
  else if (!strcmp(verb, "log")) rc = mops_segment_log(db, name, json, stdout, err, sizeof err);
  else rc = mops_segment_diff(db, name, v1, v2, stdout, err, sizeof err);
  if (rc && err[0]) fprintf(stderr, "camp segment: %s\n", err);
  db_close(db);
  return rc ? 1 : 0;
}

int cmd_interactions(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("interactions", argc, argv, "db,as,now", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles != 2 || strcmp(o.files[0], "import")) {
    fprintf(stderr, "usage: camp interactions import FILE --db DB [--as NAME] [--now TS]\n");
    return 2;
  }
  char now[20];
  if ((rc = clock_of("interactions", &o, now))) return rc;
  Db *db = open_rw("interactions", o.db);
  if (!db) return 1;
  rc = mops_interactions_import(db, o.files[1], now, cli_who(&o), stdout, stderr);
  db_close(db);
  return rc ? 1 : 0;
}
