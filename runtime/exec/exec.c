/* exec.c — the pass over a campaign's step graph for plan, run and
 * resume.  Steps are in dependency order, so one pass runs every step whose
 * inputs are done; a waiting step holds back only its own branch. */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/clock.h"
#include "runtime/exec/exec_int.h"
#include "compiler/check/policy.h"
#include "runtime/exec/exec_mem.h"
#include "compiler/graph/graph.h"
#include "runtime/db/store.h"
#include "compiler/rules/columns.h"

int exec_parse_now(const char *text, char out[20]) { return clock_normalize(text, out); }

void exec_source_hash(Program *p, char out[17]) {
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < p->diags.nfiles; i++) {
    const SourceFile *f = p->diags.files[i];
    for (size_t k = 0; k < f->len; k++) {
      h ^= (unsigned char)f->text[k];
      h *= 1099511628211ULL;
    }
  }
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}


static int exec_init(Exec *x, Db *db, Program *p, Decl *camp, const char *source_file,
                     const ExecOptions *o, int dry) {
  memset(x, 0, sizeof *x);
  x->db = db;
  x->p = p;
  x->camp = camp;
  x->o = o;
  x->dry = dry;
  if (o->now) {
    if (exec_parse_now(o->now, x->now)) {
      fprintf(stderr, "camp: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o->now);
      return -1;
    }
  } else {
    store_now(x->now);
  }
  if (source_file) snprintf(x->source_file, sizeof x->source_file, "%s", source_file);
  int n = camp->steps.len;
  x->state = calloc((size_t)n + 1, sizeof *x->state);
  x->count_base = calloc((size_t)n + 1, sizeof *x->count_base);
  int slots = 0;
  for (int i = 0; i < n; i++) {
    Step *s = camp->steps.items[i];
    x->count_base[i] = slots;
    slots += s->outputs.len ? s->outputs.len : 1;
  }
  x->counts = calloc((size_t)slots + 1, sizeof *x->counts);
  if (!x->state || !x->count_base || !x->counts) abort();
  x->so.dialect = sql_dialect(db_backend(db));
  x->engine = ENGINE_AUTO;
  if (o->engine && engine_parse_kind(o->engine, &x->engine)) {
    fprintf(stderr, "camp: --engine must be sql, interp, jit or auto\n");
    return -1;
  }
  x->so.now = x->now;
  /* aggregates over sharded (partitioned or foreign) tables as grouped
   * joins the shards compute; CAMP_PG_GROUPED overrides: "all", "none" or
   * table names (docs/postgres.md) */
  const char *env = getenv("CAMP_PG_GROUPED");
  if (env && *env)
    x->grouped = strdup(strcmp(env, "none") ? env : "");
  else
    x->grouped = db_distributed_tables(db);
  if (!x->grouped) {
    fprintf(stderr, "camp: cannot list the database's partitioned tables: %s\n", db_error(db));
    return -1;
  }
  x->so.grouped = x->grouped;
  return 0;
}

static void exec_free(Exec *x) {
  exec_engine_free(x);
  free(x->grouped);
  if (x->previews) json_decref(x->previews);
  free(x->state);
  free(x->count_base);
  free(x->counts);
  free(x->policy);
  free(x->policy_why);
  free(x->stock_cut);
  free(x->stock_note);
  free(x->stock_planned);
}

/* Can s run now?  ST_PENDING = yes; ST_WAITING = an input is not ready yet;
 * ST_SKIPPED = an input was skipped (or is an empty `skip empty` subset). */
static StepState readiness(Exec *x, Step *s) {
  int waiting = 0, skipped = 0, primary_skipped = 0;
  for (int i = 0; i < s->inputs.len; i++) {
    StepInput *si = s->inputs.items[i];
    Step *prod = si->step;
    StepState ps = x->state[prod->index];
    if (ps == ST_SKIPPED || ps == ST_FAILED) {
      skipped = 1;
      if (s->kind == S_JOIN && !strcmp(si->name, s->primary)) primary_skipped = 1;
      continue;
    }
    if (ps != ST_DONE) {
      waiting = 1;
      continue;
    }
    if (prod->kind == S_SPLIT && prod->skip_empty) {
      for (int k = 0; k < prod->outputs.len; k++)
        if (!strcmp(prod->outputs.items[k], si->name) && exec_count(x, prod, k) == 0) {
          skipped = 1;
          if (s->kind == S_JOIN && !strcmp(si->name, s->primary)) primary_skipped = 1;
        }
    }
  }
  /* An AND-join waits for every input, and runs unless its primary is off. */
  if (s->kind == S_JOIN) return waiting ? ST_WAITING : primary_skipped ? ST_SKIPPED : ST_PENDING;
  if (skipped) return ST_SKIPPED;
  return waiting ? ST_WAITING : ST_PENDING;
}

/* `[3/17] uniq  (4,508 rows so far)` on a TTY: steps done and rows made. */
static void progress(Exec *x, int done, int total, Step *s) {
  if (!x->o->progress) return;
  long long rows = 0;
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *t = x->camp->steps.items[i];
    if (x->state[i] != ST_DONE) continue;
    for (int k = 0; k < (t->outputs.len ? t->outputs.len : 1); k++) rows += exec_count(x, t, k);
  }
  fprintf(stderr, "\r\033[K[%d/%d] %s  (%lld rows so far)", done, total, s ? s->label : "done", rows);
  if (!s) fputc('\n', stderr);
}

static int mark_skipped(Exec *x, Step *s) {
  if (x->dry) return 0;
  if (db_begin(x->db)) return -1;
  DbStmt *st = db_prepare(x->db, "UPDATE camp_steps SET state = 'skipped', finished_at = ?"
                                 " WHERE run_id = ? AND step = ? AND state = 'pending'");
  if (!st) return -1;
  db_bind_text(st, 1, x->now);
  db_bind_int(st, 2, x->run_id);
  db_bind_text(st, 3, s->label);
  db_step(st);
  db_finalize(st);
  return exec_commit(x);
}

/* Monotonic wall clock in milliseconds, for --explain's step timings. */
static double exec_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One pass over the graph.  Returns 0, or -1 after a failed step. */
static int exec_pass(Exec *x) {
  int n = x->camp->steps.len, done = 0;
  for (int i = 0; i < n; i++) {
    Step *s = x->camp->steps.items[i];
    if (x->state[i] == ST_DONE || x->state[i] == ST_SKIPPED) {
      done++;
      continue;
    }
    StepState r = readiness(x, s);
    if (r == ST_WAITING) continue;
    if (r == ST_SKIPPED) {
      x->state[i] = ST_SKIPPED;
      if (mark_skipped(x, s)) return -1;
      done++;
      continue;
    }
    progress(x, done, n, s);
    double t0 = x->o->explain ? exec_now_ms() : 0;
    x->step_note[0] = 0;
    x->state[i] = exec_step(x, s);
    if (x->o->explain)
      fprintf(stderr, "explain: step %s: %s%s%.1f ms\n", s->label, x->step_note, x->step_note[0] ? ", " : "",
              exec_now_ms() - t0);
    if (x->busy || x->stopped) break;
    if (x->state[i] == ST_FAILED) {
      progress(x, done, n, NULL);
      return -1;
    }
    if (x->state[i] == ST_DONE) done++;
  }
  progress(x, done, n, NULL);
  return 0;
}

/* Loads states and counts of a durable run from the database. */
static int load_run(Exec *x) {
  int n = x->camp->steps.len;
  for (int i = 0; i < n; i++) {
    Step *s = x->camp->steps.items[i];
    DbStmt *st = db_prepare(x->db, "SELECT state FROM camp_steps WHERE run_id = ? AND step = ?");
    if (!st) return -1;
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
    if (db_step(st) != 1) {
      db_finalize(st);
      snprintf(x->err, sizeof x->err, "run %lld has no step `%s`: the campaign changed",
               (long long)x->run_id, s->label);
      return -1;
    }
    DbValue v = db_column(st, 0);
    const char *t = v.kind == DBV_TEXT ? v.s : "";
    x->state[i] = !strcmp(t, "done") ? ST_DONE : !strcmp(t, "skipped") ? ST_SKIPPED
                : !strcmp(t, "waiting") ? ST_WAITING : ST_PENDING; /* failed: retried */
    db_finalize(st);
    exec_load_counts(x, s);
  }
  return 0;
}

static const char *state_name(StepState s) {
  static const char *n[] = {"pending", "waiting", "done", "skipped", "failed"};
  return n[s];
}

/* A channel that needs an address passes on only the rows that have one:
 * sets *in to its input's count (1), or 0 for other steps or an input not
 * computed. */
static int channel_input(Exec *x, Step *s, int64_t *in) {
  if (!graph_channel_dropped(s) || s->inputs.len != 1) return 0;
  StepInput *si = s->inputs.items[0];
  if (!si->step || x->state[si->step->index] != ST_DONE) return 0;
  *in = exec_count(x, si->step, graph_input_output(si));
  return 1;
}

/* Recipients the contact policy took out of a step's rows (suppressed
 * ones stay: they are queued as 'suppressed'). */
static int64_t policy_taken(const int64_t *pol) {
  return pol ? pol[POL_INVALID_ADDRESS] + pol[POL_NO_CONSENT] + pol[POL_PRESSURE] + pol[POL_HOLDOUT] : 0;
}

/* Test runs: a few rendered messages of each channel step. */
static void print_previews(Exec *x, FILE *out) {
  if (!x->previews) return;
  for (size_t i = 0; i < json_array_size(x->previews); i++) {
    json_t *p = json_array_get(x->previews, i);
    json_t *samples = json_object_get(p, "samples");
    fprintf(out, "\npreview of %s (%s): %lld messages", json_string_value(json_object_get(p, "step")),
            json_string_value(json_object_get(p, "channel")),
            (long long)json_integer_value(json_object_get(p, "messages")));
    if (json_object_get(p, "note")) fprintf(out, "; %s", json_string_value(json_object_get(p, "note")));
    fputc('\n', out);
    for (size_t k = 0; k < json_array_size(samples); k++) {
      json_t *m = json_array_get(samples, k);
      const char *to = json_string_value(json_object_get(m, "to"));
      const char *subj = json_string_value(json_object_get(m, "subject"));
      const char *body = json_string_value(json_object_get(m, "body"));
      fprintf(out, "  to %s%s%s\n", to ? to : "(no address)", subj ? ": " : "", subj ? subj : "");
      if (!body) continue;
      /* the body on one line, cut to 160 characters */
      fputs("    ", out);
      int n = 0;
      for (const char *c = body; *c && n < 160; c++, n++) fputc(*c == '\n' || *c == '\r' ? ' ' : *c, out);
      fputs(n >= 160 && body[n] ? " ...\n" : "\n", out);
    }
  }
}

/* Hands each channel step's message count to o->counted (plan). */
static void report_counted(Exec *x) {
  if (!x->o->counted) return;
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *s = x->camp->steps.items[i];
    if (s->kind == S_CHANNEL && x->state[i] == ST_DONE) x->o->counted(x->o->counted_ctx, s->label, exec_count(x, s, 0));
  }
}

static void print_counts(Exec *x) {
  FILE *out = x->o->out ? x->o->out : stdout;
  if (x->o->json) {
    json_t *steps = json_array();
    for (int i = 0; i < x->camp->steps.len; i++) {
      Step *s = x->camp->steps.items[i];
      json_t *o = json_object();
      json_object_set_new(o, "step", json_string(s->label));
      json_object_set_new(o, "kind", json_string(graph_kind_name(s)));
      json_object_set_new(o, "state", json_string(state_name(x->state[i])));
      json_t *outs = json_object();
      int known = x->state[i] == ST_DONE;
      for (int k = 0; k < (s->outputs.len ? s->outputs.len : 1); k++)
        json_object_set_new(outs, s->outputs.len ? s->outputs.items[k] : s->label,
                            known ? json_integer(exec_count(x, s, k)) : json_null());
      json_object_set_new(o, "counts", outs);
      int64_t in = 0;
      const int64_t *pol = known ? exec_policy_removed(x, s) : NULL;
      if (known && channel_input(x, s, &in)) {
        json_t *r = json_object();
        json_object_set_new(r, "input", json_integer(in));
        json_object_set_new(r, "without_address",
                            json_integer(in - exec_count(x, s, 0) - policy_taken(pol) - exec_stock_cut(x, s, NULL)));
        json_object_set_new(r, "stock_limited", json_integer(exec_stock_cut(x, s, NULL)));
        json_object_set_new(o, "reach", r);
      }
      if (pol) {
        json_t *r = json_object();
        for (int k = 0; k < POL_NREASONS; k++)
          json_object_set_new(r, policy_reason_name((PolicyReason)k), json_integer(pol[k]));
        const char *why = exec_policy_why(x, s);
        if (why[0]) json_object_set_new(r, "pressure_counted", json_string(why));
        json_object_set_new(o, "policy", r);
      }
      json_array_append_new(steps, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "campaign", json_string(x->camp->name));
    if (!x->dry) json_object_set_new(root, "run", json_integer(x->run_id));
    json_object_set_new(root, "now", json_string(x->now));
    json_object_set_new(root, "steps", steps);
    if (x->previews) json_object_set_new(root, "previews", json_incref(x->previews));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fprintf(out, "%s\n", s);
    free(s);
    json_decref(root);
    return;
  }
  if (!x->dry) fprintf(out, "run %lld of %s (now %s)\n", (long long)x->run_id, x->camp->name, x->now);
  else if (x->o->test) fprintf(out, "test run of %s (now %s): nothing queued, nothing saved\n", x->camp->name, x->now);
  else fprintf(out, "plan of %s (now %s)\n", x->camp->name, x->now);
  if (program_holdout(x->camp) > 0)
    fprintf(out, "  holdout: %g%% of each channel step's recipients form the control group (not messaged)\n",
            program_holdout(x->camp));
  if (program_transactional(x->camp))
    fprintf(out, "  transactional: consent is not required (campaign flag `transactional true`)\n");
  int w = 4;
  for (int i = 0; i < x->camp->steps.len; i++) {
    int n = (int)strlen(((Step *)x->camp->steps.items[i])->label);
    if (n > w) w = n;
  }
  for (int i = 0; i < x->camp->steps.len; i++) {
    Step *s = x->camp->steps.items[i];
    fprintf(out, "  %-*s  %-16s", w, s->label, graph_kind_name(s));
    if (x->state[i] != ST_DONE) {
      fprintf(out, " %s\n", state_name(x->state[i]));
      char abnote[400]; /* an A/B test waiting for its winner */
      if (x->state[i] == ST_WAITING && exec_abtest_note(x, s, abnote, sizeof abnote))
        fprintf(out, "  %-*s  %-16s %s\n", w, "", "", abnote);
      continue;
    }
    for (int k = 0; k < (s->outputs.len ? s->outputs.len : 1); k++) {
      if (s->outputs.len > 1)
        fprintf(out, " %s=%lld", (char *)s->outputs.items[k], (long long)exec_count(x, s, k));
      else
        fprintf(out, " %lld", (long long)exec_count(x, s, k));
    }
    int64_t in = 0, n = exec_count(x, s, 0);
    const int64_t *pol = exec_policy_removed(x, s);
    const char *stock_note = NULL;
    int64_t taken = policy_taken(pol) + exec_stock_cut(x, s, &stock_note);
    if (channel_input(x, s, &in) && in > n + taken) /* U+2014; the policy's share on the next line */
      fprintf(out, " of %lld \xE2\x80\x94 %lld %s", (long long)in, (long long)(in - n - taken),
              graph_channel_dropped(s));
    fputc('\n', out);
    if (pol) { /* the contact policy's removals, by reason (docs/policy.md) */
      fprintf(out, "  %-*s  %-16s policy:", w, "", "");
      const char *sep = " ";
      for (int k = 0; k < POL_NREASONS; k++) {
        if (!pol[k]) continue;
        fprintf(out, "%s%lld %s", sep, (long long)pol[k], policy_reason_text((PolicyReason)k));
        sep = ", ";
      }
      if (pol[POL_SUPPRESSED]) fputs(" (queued as suppressed, never sent)", out);
      fputc('\n', out);
      const char *why = exec_policy_why(x, s);
      if (why[0]) fprintf(out, "  %-*s  %-16s pressure counted %s\n", w, "", "", why);
    }
    if (stock_note) fprintf(out, "  %-*s  %-16s %s\n", w, "", "", stock_note);
    char note[400];
    if (exec_policy_window_note(x, s, note, sizeof note)) fprintf(out, "  %-*s  %-16s %s\n", w, "", "", note);
    if (exec_abtest_note(x, s, note, sizeof note)) fprintf(out, "  %-*s  %-16s %s\n", w, "", "", note);
  }
  print_previews(x, out);
}

/* Plans read the runtime's tables; on a fresh database they are empty. */
static int temp_runtime_tables(Exec *x) {
  if (store_present(x->db)) return 0;
  return db_exec(x->db, store_temp_tables(x->db));
}

/* A plan with a columnar engine runs in memory (exec_mem.c): always with
 * --engine interp / jit; with auto when the campaign's largest dimension
 * table has at least the engines' auto threshold of rows. */
static void plan_in_memory(Exec *x) {
  if (x->engine == ENGINE_SQL || x->camp->steps.len == 0) return;
  if (exec_stock_limited(x)) { /* exec_stock.c cuts a step's table by the stock level */
    if (x->o->explain) fprintf(stderr, "explain: plan: step by step (a stock item with on_shortage limit)\n");
    return;
  }
  if (exec_engine_ensure(x)) {
    if (x->o->explain) fprintf(stderr, "explain: plan: step by step (%s)\n", x->err);
    x->err[0] = 0;
    return;
  }
  if (x->engine == ENGINE_AUTO) {
    int64_t most = 0;
    for (int i = 0; i < x->camp->steps.len; i++) {
      Step *s = x->camp->steps.items[i];
      if (s->kind != S_SELECT || s->inputs.len || !s->npops || !s->pops[0]->dim) continue;
      int64_t n = db_row_estimate(x->db, s->pops[0]->dim->name);
      if (n > most) most = n;
    }
    if (most < x->eng.auto_min_rows) {
      if (x->o->explain)
        fprintf(stderr, "explain: plan: step by step (auto: %lld rows, below %lld)\n", (long long)most,
                (long long)x->eng.auto_min_rows);
      return;
    }
  }
  char why[600];
  x->mem = exec_mem_new(x, why, sizeof why);
  if (x->o->explain) {
    if (x->mem) fprintf(stderr, "explain: plan: in memory over the snapshot (%s)\n", engine_kind_name(x->engine));
    else fprintf(stderr, "explain: plan: step by step (%s)\n", why);
  }
}

int exec_plan(Db *db, Program *p, Decl *camp, const char *source_file, const ExecOptions *o) {
  Exec x;
  if (exec_init(&x, db, p, camp, source_file, o, 1)) return 1;
  snprintf(x.prefix, sizeof x.prefix, "s_");
  x.so.table_prefix = x.prefix;
  int rc = 0;
  if (temp_runtime_tables(&x) || db_savepoint(db, "camp_plan")) {
    fprintf(stderr, "camp plan: %s\n", db_error(db));
    exec_free(&x);
    return 1;
  }
  if (o->test && exec_preview_tables(&x)) {
    fprintf(stderr, "camp run --test: %s\n", x.err);
    db_exec(db, "ROLLBACK TO camp_plan; RELEASE camp_plan");
    exec_free(&x);
    return 1;
  }
  const char *keys = getenv("CAMP_PLAN_KEYS");
  if (keys && *keys && !(x.keys_out = fopen(keys, "w")))
    fprintf(stderr, "camp plan: cannot write %s\n", keys);
  /* inspect reads the step tables; a test run renders from them: step by
   * step, not in memory */
  if (!o->inspect && !o->test) plan_in_memory(&x);
  exec_policy_plan_reset(&x); /* the plan's planned messages (pressure) start empty */
  int failed = exec_pass(&x);
  int nchk;
  double chk_ms;
  snapshot_check_stats(&nchk, &chk_ms);
  if (o->explain && nchk) /* checksums and bounds of the snapshot's columns, on first use */
    fprintf(stderr, "explain: snapshot: %d columns checked on first use, %.1f ms\n", nchk, chk_ms);
  const EngineCtx *e = &x.eng;
  if (o->explain && e->pg_opens) /* what the PostgreSQL cache saved: docs/postgres.md */
    fprintf(stderr,
            "explain: snapshot cache (PostgreSQL): opened %d times; tables hashed on the server %d,"
            " proven earlier by this command %d, reused %d, read with COPY %d; %d other tables kept\n",
            e->pg_opens, e->pg_hashed, e->pg_proven, e->pg_reused, e->pg_copied, e->pg_kept);
  if (x.mem) {
    exec_mem_free(x.mem);
    x.mem = NULL;
    if (o->planned_in_memory) *o->planned_in_memory = !x.mem_failed && !failed;
    if (x.mem_failed) {
      /* The memory plan could not reproduce a step: plan again on tables. */
      if (o->explain) fprintf(stderr, "explain: plan: in memory stopped (%s); planning step by step\n", x.err);
      x.mem_failed = 0;
      memset(x.state, 0, sizeof *x.state * (size_t)camp->steps.len);
      if (x.keys_out) rewind(x.keys_out), (void)!ftruncate(fileno(x.keys_out), 0);
      exec_policy_plan_reset(&x);
      if (x.policy) memset(x.policy, 0, sizeof *x.policy * (size_t)camp->steps.len);
      failed = exec_pass(&x);
    }
  }
  if (failed) {
    fprintf(stderr, "camp plan: %s\n", x.err);
    rc = 1;
  } else if (o->inspect) {
    rc = o->inspect(db, x.prefix, o->inspect_ctx);
  } else {
    print_counts(&x);
    report_counted(&x);
  }
  db_savepoint_end(db, "camp_plan", 1);
  if (x.keys_out) fclose(x.keys_out);
  exec_free(&x);
  return rc;
}

static int finish_run(Exec *x) {
  int waiting = 0, failed = 0;
  for (int i = 0; i < x->camp->steps.len; i++) {
    waiting |= x->state[i] == ST_WAITING || x->state[i] == ST_PENDING;
    failed |= x->state[i] == ST_FAILED;
  }
  const char *state = failed ? "failed" : waiting ? "waiting" : "done";
  char sql[256];
  snprintf(sql, sizeof sql,
           "UPDATE camp_runs SET state = '%s', updated_at = '%s', finished_at = %s%s%s WHERE id = %lld"
           " AND state <> 'stopped'",
           state, x->now, waiting || failed ? "" : "'", waiting || failed ? "NULL" : x->now,
           waiting || failed ? "" : "'", (long long)x->run_id);
  return db_exec(x->db, sql);
}

static int run_pass(Exec *x) {
  snprintf(x->prefix, sizeof x->prefix, "camp_r%lld_", (long long)x->run_id);
  x->so.table_prefix = x->prefix;
  x->so.persistent = 1;
  x->so.run_id = x->run_id;
  int rc = exec_pass(x);
  if (x->stopped) {
    fprintf(stderr, "camp: run %lld was stopped (camp stop); leaving it\n", (long long)x->run_id);
    return 0;
  }
  if (x->busy) {
    fprintf(stderr, "camp: run %lld: %s; another camp process is working on it, leaving it\n",
            (long long)x->run_id, x->err);
    return 0;
  }
  if (rc) fprintf(stderr, "camp: run %lld failed: %s\n", (long long)x->run_id, x->err);
  finish_run(x);
  print_counts(x);
  return rc ? 1 : 0;
}

/* Is there an earlier run of this campaign a new one must not start
 * beside?  One not finished (a resume continues it), or one that queued
 * messages (a new run would message the same recipients for the same steps
 * again).  1 after saying which and what to do; 0 if none. */
static int earlier_run(Exec *x) {
  DbStmt *st = db_prepare(x->db, "SELECT id, state, (SELECT min(due_at) FROM camp_steps s"
                                 " WHERE s.run_id = r.id AND s.state = 'waiting')"
                                 " FROM camp_runs r WHERE campaign = ? AND state IN ('running', 'waiting', 'failed')"
                                 " ORDER BY id DESC");
  if (!st) return 0;
  db_bind_text(st, 1, x->camp->name);
  int found = 0;
  if (db_step(st) == 1) {
    found = 1;
    DbValue due = db_column(st, 2);
    fprintf(stderr,
            "camp run: campaign `%s` has an unfinished run %lld (%s%s%s); a second run would queue its "
            "messages again.\n  `camp resume` continues run %lld; `camp run --new-run` starts another anyway.\n",
            x->camp->name, (long long)db_column(st, 0).i, db_column(st, 1).s ? db_column(st, 1).s : "?",
            due.kind == DBV_TEXT ? ", next due " : "", due.kind == DBV_TEXT ? due.s : "",
            (long long)db_column(st, 0).i);
  }
  db_finalize(st);
  if (found) return 1;
  st = db_prepare(x->db, "SELECT r.id, count(*), count(DISTINCT o.recipient_key) FROM camp_runs r"
                         " JOIN camp_outbox o ON o.run_id = r.id WHERE r.campaign = ?"
                         " GROUP BY r.id ORDER BY r.id DESC");
  if (!st) return 0;
  db_bind_text(st, 1, x->camp->name);
  if (db_step(st) == 1) {
    found = 1;
    fprintf(stderr,
            "camp run: run %lld of campaign `%s` already queued %lld message%s to %lld recipient%s; a new "
            "run would message them again.\n  `camp run --new-run` starts another run anyway.\n",
            (long long)db_column(st, 0).i, x->camp->name, (long long)db_column(st, 1).i,
            db_column(st, 1).i == 1 ? "" : "s", (long long)db_column(st, 2).i,
            db_column(st, 2).i == 1 ? "" : "s");
  }
  db_finalize(st);
  return found;
}

int exec_insert_run(Db *db, Decl *camp, const char *source_file, const char *hash, const char *now,
                    const char *launch_key, int64_t *run_id, char *err, size_t errlen) {
  /* An absolute path, so `camp resume` works from any directory. */
  char abs[PATH_MAX];
  const char *stored = realpath(source_file, abs) ? abs : source_file;
  DbStmt *st = db_prepare(db, "INSERT INTO camp_runs(campaign, source_file, source_hash, state,"
                              " started_at, updated_at, seed, launch_key) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)"
                              " RETURNING id");
  if (!st) goto fail;
  db_bind_text(st, 1, camp->name);
  db_bind_text(st, 2, stored);
  db_bind_text(st, 3, hash);
  db_bind_text(st, 4, now);
  db_bind_text(st, 5, now);
  db_bind_int(st, 6, program_seed(camp));
  if (launch_key) db_bind_text(st, 7, launch_key); else db_bind_null(st, 7);
  int rc = db_step(st);
  if (rc == 1) *run_id = db_column(st, 0).i;
  db_finalize(st);
  if (rc < 0) goto fail;
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    st = db_prepare(db, "INSERT INTO camp_steps(run_id, step, idx, kind, state) VALUES (?, ?, ?, ?, 'pending')");
    if (!st) goto fail;
    db_bind_int(st, 1, *run_id);
    db_bind_text(st, 2, s->label);
    db_bind_int(st, 3, i);
    db_bind_text(st, 4, graph_kind_name(s));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) goto fail;
  }
  return 0;
fail:
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int exec_start(Db *db, Program *p, Decl *camp, const char *source_file, const ExecOptions *o) {
  Exec x;
  if (exec_init(&x, db, p, camp, source_file, o, 0)) return 1;
  char hash[17], err[512];
  exec_source_hash(p, hash);
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp: %s\n", err);
    exec_free(&x);
    return 1;
  }
  /* The run and all its step rows appear together or not at all. */
  if (db_begin(db)) {
    fprintf(stderr, "camp: cannot start the run: %s\n", db_error(db));
    exec_free(&x);
    return 1;
  }
  /* In the same transaction, so two `camp run` at once cannot both pass.
   * A scheduled launch (launch key) is governed by its remessage policy. */
  if (!o->new_run && !o->launch_key && earlier_run(&x)) {
    db_rollback(db);
    exec_free(&x);
    return 1;
  }
  if (exec_insert_run(db, camp, source_file, hash, x.now, o->launch_key, &x.run_id, err, sizeof err)) {
    fprintf(stderr, "camp: cannot start the run: %s\n", err);
    db_rollback(db);
    exec_free(&x);
    return 1;
  }
  if (o->now) { /* the run follows --now: status measures its due times by it */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE camp_runs SET clock = 'fixed' WHERE id = %lld", (long long)x.run_id);
    if (db_exec(db, sql)) {
      fprintf(stderr, "camp: cannot start the run: %s\n", db_error(db));
      db_rollback(db);
      exec_free(&x);
      return 1;
    }
  }
  if (o->started_run) *o->started_run = x.run_id;
  if (exec_commit(&x)) {
    fprintf(stderr, "camp: cannot start the run: %s\n", x.err);
    exec_free(&x);
    return 1;
  }
  if (o->launch_key) snprintf(x.launch_key, sizeof x.launch_key, "%s", o->launch_key);
  int rc = run_pass(&x);
  exec_free(&x);
  return rc;
}

int exec_continue(Db *db, Program *p, Decl *camp, int64_t run_id, const ExecOptions *o) {
  Exec x;
  if (exec_init(&x, db, p, camp, NULL, o, 0)) return 1;
  x.run_id = run_id;
  DbStmt *st = db_prepare(db, "SELECT source_file FROM camp_runs WHERE id = ?");
  if (st) {
    db_bind_int(st, 1, run_id);
    if (db_step(st) == 1) {
      DbValue v = db_column(st, 0);
      if (v.kind == DBV_TEXT) snprintf(x.source_file, sizeof x.source_file, "%s", v.s);
    }
    db_finalize(st);
  }
  exec_load_launch_key(&x);
  if (load_run(&x)) {
    fprintf(stderr, "camp: %s\n", x.err);
    exec_free(&x);
    return 1;
  }
  /* A wait whose time has come runs in this pass like any pending step. */
  for (int i = 0; i < camp->steps.len; i++)
    if (x.state[i] == ST_WAITING) x.state[i] = ST_PENDING;
  int rc = run_pass(&x);
  exec_free(&x);
  return rc;
}
