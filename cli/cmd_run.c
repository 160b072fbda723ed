/* cmd_run.c — `camp plan`, `camp run` and `camp resume`. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/db/store.h"
#include "runtime/ops/ops.h"

/* Bad flags are usage errors, found before any work is done. */
static int check_now(const char *cmd, const char *now) {
  char norm[20];
  if (!now || exec_parse_now(now, norm) == 0) return 0;
  fprintf(stderr, "camp %s: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", cmd, now);
  return 2;
}

static int check_engine(const char *cmd, const char *engine) {
  if (!engine || !strcmp(engine, "sql") || !strcmp(engine, "auto") || !strcmp(engine, "interp") ||
      !strcmp(engine, "jit"))
    return 0;
  fprintf(stderr, "camp %s: --engine must be sql, interp, jit or auto\n", cmd);
  return 2;
}

static void exec_opts(CliOpts *o, ExecOptions *e) {
  memset(e, 0, sizeof *e);
  /* compiler/jit/jit.c reads the dump directory from the environment, so a
   * flag and CAMP_DEBUG_JIT behave alike (dump + reproducer, one process) */
  if (o->debug_jit && *o->debug_jit) setenv("CAMP_DEBUG_JIT", o->debug_jit, 1);
  /* the tracking base URL reaches exec_channel the same way (track_queue.c) */
  if (o->track_url) setenv("CAMP_TRACK_URL", o->track_url, 1);
  e->now = o->now;
  e->engine = o->engine;
  e->db_path = o->db;
  e->explain = o->explain;
  e->new_run = o->new_run;
  e->json = !strcmp(o->format, "json");
  e->progress = isatty(2) && !e->json;
  e->out = stdout;
}

/* Compiles, opens the database and checks the schema against it. */
static int prepare(const char *cmd, CliOpts *o, int writable, Program **pp, Decl **camp, Db **db) {
  if (o->nfiles != 1 || !o->db) {
    fprintf(stderr, "usage: camp %s FILE --db DB [--campaign NAME] [--now TIMESTAMP] [--format text|json]\n"
                    "       [--engine sql|interp|jit|auto] [--explain] [--debug-jit DIR]%s\n", cmd,
            strcmp(cmd, "run") ? "" : " [--new-run]");
    return 2;
  }
  if (strcmp(o->format, "text") && strcmp(o->format, "json")) {
    fprintf(stderr, "camp %s: --format must be text or json\n", cmd);
    return 2;
  }
  if (check_engine(cmd, o->engine) || check_now(cmd, o->now)) return 2;
  int status;
  *pp = cli_compile(o, &status);
  *camp = status ? NULL : program_campaign(*pp, o->campaign);
  if (!*camp) {
    cli_print_diags(*pp, o);
    return 1;
  }
  char err[1024];
  *db = db_open(o->db, writable ? DB_OPEN_READWRITE : DB_OPEN_READONLY, err, sizeof err);
  if (!*db) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    return 1;
  }
  if (exec_verify_schema(*db, *pp, *camp)) {
    fprintf(stderr, "camp %s: the database %s does not match the campaign's schemas:\n", cmd, o->db);
    cli_print_diags(*pp, o);
    return 1;
  }
  return 0;
}

/* camp run --test: a plan whose channel steps also render previews; the
 * database keeps only an audit line (and a deployed draft becomes test). */
static int test_run(CliOpts *o, Db *db, Program *p, Decl *camp) {
  ExecOptions e;
  exec_opts(o, &e);
  e.test = 1;
  e.previews = 3;
  int rc = exec_plan(db, p, camp, o->files[0], &e);
  if (rc == 0) {
    char now[20];
    if (!o->now || exec_parse_now(o->now, now)) store_now(now);
    if (ops_test_run(db, camp->name, now, cli_who(o), o->reason))
      fprintf(stderr, "camp run --test: cannot record the test run: %s\n", db_error(db));
  }
  return rc;
}

/* Before a run of a campaign with a budget: plans it (output discarded),
 * prices the plan and compares with the remaining budget.  Over it: a
 * warning, or with `over_budget "block"` a refusal (1). */
static int budget_gate(CliOpts *o, Db *db, Program *p, Decl *camp, const MopsCampaign *mc) {
  FILE *sink = fopen("/dev/null", "w");
  if (!sink) return 0;
  ExecOptions e;
  exec_opts(o, &e);
  e.out = sink;
  e.json = 0;
  e.explain = 0;
  MopsProjection pr = {0};
  e.counted = mops_projection_counted;
  e.counted_ctx = &pr;
  int rc = exec_plan(db, p, camp, o->files[0], &e), over = 0, short_block = 0, short_any = 0;
  if (rc == 0) rc = mops_print_projection(db, mc, camp->name, &pr, sink, &over) ? 1 : 0;
  if (rc == 0 && mops_print_stock_projection(db, mc, program_mops(p), &pr, sink, &short_block, &short_any)) rc = 1;
  fclose(sink);
  mops_projection_free(&pr);
  if (rc) return rc;
  if (short_block) {
    fprintf(stderr, "camp run: refused: %s would use more stock than is left (on_shortage block);"
                    " order more with `camp stock order`\n", camp->name);
    return 1;
  }
  if (short_any) fprintf(stderr, "camp run: warning: %s uses more stock than is left\n", camp->name);
  if (!over || mc->budget < 0) return 0;
  if (mc->block) {
    fprintf(stderr, "camp run: refused: the planned cost of %s exceeds its remaining budget (over_budget \"block\");"
                    " see `camp plan` and `camp budget`\n", camp->name);
    return 1;
  }
  fprintf(stderr, "camp run: warning: the planned cost of %s exceeds its remaining budget; see `camp plan`\n", camp->name);
  return 0;
}

static int plan_or_run(int argc, char **argv, const char *cmd, int run) {
  CliOpts o;
  /* A plan queues nothing, so it has no tracking URL and sends nothing. */
  const char *opts = run ? "db,campaign,now,format,engine,explain,debug-jit,track-url,I,send,channel,limit,lease,"
                           "batch,test,as,reason,new-run"
                         : "db,campaign,now,format,engine,explain,debug-jit,I";
  int rc = cli_parse(cmd, argc, argv, opts, &o);
  if (rc) return rc;
  Program *p = NULL;
  Decl *camp = NULL;
  Db *db = NULL;
  rc = prepare(cmd, &o, run, &p, &camp, &db);
  if (rc == 0) {
    ExecOptions e;
    exec_opts(&o, &e);
    if (!run) exec_index_advice(db, p, camp, stderr); /* slow look-ups, before the plan */
    int64_t started = 0;
    e.started_run = &started;
    /* marketing operations: a plan shows its projected cost; a run over
     * the remaining budget is warned about or refused (over_budget) */
    MopsProjection pr = {0};
    const MopsCampaign *mc = program_mops_campaign(camp);
    if (!run && (mc->ncosts || mc->nconsumes) && !e.json) {
      e.counted = mops_projection_counted;
      e.counted_ctx = &pr;
    }
    if (run && !o.test && ((mc->ncosts && mc->budget >= 0) || mc->nconsumes)) rc = budget_gate(&o, db, p, camp, mc);
    if (rc == 0)
      rc = run && o.test ? test_run(&o, db, p, camp)
         : run ? exec_start(db, p, camp, o.files[0], &e) : exec_plan(db, p, camp, o.files[0], &e);
    int over = 0, short_block = 0, short_any = 0;
    if (rc == 0 && pr.n && mops_print_projection(db, mc, camp->name, &pr, stdout, &over) == 0 && over)
      fprintf(stderr, "camp plan: warning: the projected cost exceeds the campaign's remaining budget\n");
    if (rc == 0 && e.counted && mc->nconsumes)
      mops_print_stock_projection(db, mc, program_mops(p), &pr, stdout, &short_block, &short_any);
    mops_projection_free(&pr);
    /* a run used stock: alert at the thresholds (camp_notifications) */
    if (rc == 0 && run && !o.test && mc->nconsumes) {
      char now[20];
      if (!o.now || exec_parse_now(o.now, now)) store_now(now);
      if (mops_stock_alerts(db, now) < 0) fprintf(stderr, "camp run: stock alerts: %s\n", db_error(db));
    }
    /* --send: the run's messages go out now instead of by a later camp send */
    if (rc == 0 && run && !o.test && o.send && started) rc = cli_send(db, &o, started);
  }
  if (db) db_close(db);
  program_free(p);
  return rc;
}

int cmd_plan(int argc, char **argv) { return plan_or_run(argc, argv, "plan", 0); }
int cmd_run(int argc, char **argv) { return plan_or_run(argc, argv, "run", 1); }

/* One run: recompile its campaign and continue it. */
static int resume_one(Db *db, CliOpts *o, int64_t id, const char *campaign, const char *file,
                      const char *hash) {
  CliOpts co = *o;
  co.nfiles = 1;
  co.files[0] = file;
  co.campaign = campaign;
  int status;
  Program *p = cli_compile(&co, &status);
  Decl *camp = status ? NULL : program_campaign(p, campaign);
  int rc = 1;
  char now_hash[17];
  if (!camp) {
    fprintf(stderr, "camp resume: run %lld: cannot compile %s:\n", (long long)id, file);
    cli_print_diags(p, &co);
  } else if (exec_source_hash(p, now_hash), strcmp(now_hash, hash) != 0) {
    fprintf(stderr, "camp resume: run %lld: %s changed since the run started; "
                    "finish it with the original source or start a new run (camp run --new-run)\n",
            (long long)id, file);
  } else {
    ExecOptions e;
    exec_opts(o, &e);
    rc = exec_continue(db, p, camp, id, &e);
  }
  program_free(p);
  return rc;
}

int cmd_resume(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("resume", argc, argv,
                     "db,now,format,engine,explain,debug-jit,run,track-url,I,send,channel,limit,lease,batch", &o);
  if (rc) return rc;
  if (!o.db || o.nfiles) {
    fprintf(stderr, "usage: camp resume --db DB [--now TIMESTAMP] [--run ID] [--send]\n");
    return 2;
  }
  if (check_engine("resume", o.engine) || check_now("resume", o.now)) return 2;
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp resume: %s\n", err);
    return 1;
  }
  if (!store_present(db)) {
    printf("no camp runs in %s\n", o.db);
    db_close(db);
    return 0;
  }
  /* A run started by an older camp: add the tables this one queues with
   * (the opt-out list, tracked links). */
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp resume: %s\n", err);
    db_close(db);
    return 1;
  }
  /* A waiting run whose earliest wait is not due yet is left alone, so a
   * resume from cron that has nothing to do prints one line. */
  char now[20];
  if (o.now) exec_parse_now(o.now, now);
  else store_now(now);
  DbStmt *st = db_prepare(db, "SELECT id, campaign, source_file, source_hash, state,"
                              " (SELECT min(due_at) FROM camp_steps s WHERE s.run_id = r.id"
                              "  AND s.state = 'waiting') FROM camp_runs r"
                              " WHERE state IN ('running', 'waiting', 'failed') ORDER BY id");
  int64_t ids[1024], next_run = 0;
  char *names[1024], *files[1024], *hashes[1024], next_due[20] = "", next_name[256] = "";
  int n = 0, not_due = 0;
  while (st && db_step(st) == 1 && n < 1024) {
    int64_t id = db_column(st, 0).i;
    if (o.run && id != atoll(o.run)) continue;
    DbValue state = db_column(st, 4), due = db_column(st, 5);
    if (state.kind == DBV_TEXT && !strcmp(state.s, "waiting") && due.kind == DBV_TEXT &&
        strcmp(due.s, now) > 0) {
      if (!not_due++ || strcmp(due.s, next_due) < 0) {
        snprintf(next_due, sizeof next_due, "%s", due.s);
        snprintf(next_name, sizeof next_name, "%s", db_column(st, 1).s ? db_column(st, 1).s : "");
        next_run = id;
      }
      continue;
    }
    ids[n] = id;
    names[n] = strdup(db_column(st, 1).s ? db_column(st, 1).s : "");
    files[n] = strdup(db_column(st, 2).s ? db_column(st, 2).s : "");
    hashes[n] = strdup(db_column(st, 3).s ? db_column(st, 3).s : "");
    n++;
  }
  db_finalize(st);
  for (int i = 0; i < n; i++) {
    /* a paused campaign's runs wait for `camp start` */
    if (ops_state(db, names[i]) == CS_PAUSED)
      printf("run %lld: campaign %s is paused; not resumed\n", (long long)ids[i], names[i]);
    else if (resume_one(db, &o, ids[i], names[i], files[i], hashes[i])) rc = 1;
    else if (o.send && cli_send(db, &o, ids[i])) rc = 1;
    free(names[i]);
    free(files[i]);
    free(hashes[i]);
  }
  if (not_due && !strcmp(o.format, "json") && n == 0)
    printf("{\"resumed\": 0, \"waiting\": %d, \"next_due\": \"%s\", \"next_run\": %lld}\n", not_due,
           next_due, (long long)next_run);
  else if (not_due)
    printf("%s%s: %d run%s waiting, the next due %s (run %lld, %s)\n",
           n ? "" : "nothing due in ", n ? "not due yet" : o.db, not_due, not_due == 1 ? "" : "s",
           next_due, (long long)next_run, next_name);
  else if (n == 0)
    printf("nothing to resume in %s\n", o.db);
  /* resumed waits may have queued direct mail that uses stock */
  if (n && mops_stock_alerts(db, now) < 0) fprintf(stderr, "camp resume: stock alerts: %s\n", db_error(db));
  db_close(db);
  return rc;
}
