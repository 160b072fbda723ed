/* exec_step.c — one step, one transaction: its SQL, its counts, its side
 * effects and its new state commit together or not at all. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/delivery/csv_import.h"
#include "lang/clock.h"
#include "runtime/exec/exec_int.h"
#include "runtime/exec/exec_mem.h"
#include "runtime/policy/abtest.h"

/* Test hook: CAMP_TEST_KILL=before:N / after:N sends SIGKILL to this process
 * around its N-th step commit, to prove that a killed run resumes exactly. */
static void kill_hook(Exec *x, const char *when) {
  const char *spec = getenv("CAMP_TEST_KILL");
  if (!spec) return;
  size_t n = strlen(when);
  if (strncmp(spec, when, n) != 0 || spec[n] != ':') return;
  if (atoi(spec + n + 1) == x->commits) kill(getpid(), SIGKILL);
}

int exec_commit(Exec *x) {
  if (x->dry) return 0;
  x->commits++;
  kill_hook(x, "before");
  if (db_commit(x->db) != 0) {
    snprintf(x->err, sizeof x->err, "cannot commit: %s", db_error(x->db));
    return -1;
  }
  kill_hook(x, "after");
  return 0;
}

static int set_params(Exec *x) {
  char *sql = sql_params(x->camp, &x->so);
  int rc = db_exec(x->db, sql);
  free(sql);
  if (rc) snprintf(x->err, sizeof x->err, "%s", db_error(x->db));
  return rc;
}

static int record_counts(Exec *x, Step *s) {
  int n = s->outputs.len ? s->outputs.len : 1;
  for (int k = 0; k < n; k++) {
    const char *name = s->outputs.len ? s->outputs.items[k] : s->label;
    char table[512], sql[700];
    exec_table(x, name, table, sizeof table);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    int64_t c = db_query_int(x->db, sql, -1);
    if (c < 0) {
      snprintf(x->err, sizeof x->err, "counting %s: %s", name, db_error(x->db));
      return -1;
    }
    x->counts[x->count_base[s->index] + k] = c;
    if (x->dry) continue;
    DbStmt *st = db_prepare(x->db, "INSERT INTO camp_counts(run_id, step, output, count)"
                                   " VALUES (?, ?, ?, ?) ON CONFLICT(run_id, output)"
                                   " DO UPDATE SET step = excluded.step, count = excluded.count");
    if (!st) return -1;
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
    db_bind_text(st, 3, name);
    db_bind_int(st, 4, c);
    int rc = db_step(st);
    db_finalize(st);
    if (rc < 0) {
      snprintf(x->err, sizeof x->err, "%s", db_error(x->db));
      return -1;
    }
  }
  return 0;
}

static int set_state_at(Exec *x, Step *s, const char *state, const char *due, const char *msg,
                        const char *finished);

static int set_state(Exec *x, Step *s, const char *state, const char *due, const char *msg) {
  return set_state_at(x, s, state, due, msg, x->now);
}

/* set_state with the time the step finished (a wait: its due time). */
static int set_state_at(Exec *x, Step *s, const char *state, const char *due, const char *msg,
                        const char *finished) {
  if (x->dry) return 0;
  DbStmt *st = db_prepare(x->db,
      "UPDATE camp_steps SET state = ?, due_at = coalesce(?, due_at), message = ?,"
      " started_at = coalesce(started_at, ?), finished_at = CASE WHEN ? IN ('done','skipped','failed')"
      " THEN ? END WHERE run_id = ? AND step = ?");
  if (!st) return -1;
  db_bind_text(st, 1, state);
  if (due) db_bind_text(st, 2, due); else db_bind_null(st, 2);
  if (msg) db_bind_text(st, 3, msg); else db_bind_null(st, 3);
  db_bind_text(st, 4, x->now);
  db_bind_text(st, 5, state);
  db_bind_text(st, 6, finished);
  db_bind_int(st, 7, x->run_id);
  db_bind_text(st, 8, s->label);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* The stored state of a step in this run (durable runs only). */
static StepState stored_state(Exec *x, Step *s, char *due, size_t duelen) {
  DbStmt *st = db_prepare(x->db, "SELECT state, due_at FROM camp_steps WHERE run_id = ? AND step = ?");
  if (!st) return ST_FAILED;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  StepState r = ST_FAILED;
  if (due) due[0] = 0;
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    const char *t = v.kind == DBV_TEXT ? v.s : "";
    r = !strcmp(t, "pending") ? ST_PENDING : !strcmp(t, "waiting") ? ST_WAITING
      : !strcmp(t, "done") ? ST_DONE : !strcmp(t, "skipped") ? ST_SKIPPED : ST_FAILED;
    DbValue d = db_column(st, 1);
    if (due && d.kind == DBV_TEXT) snprintf(due, duelen, "%s", d.s);
  }
  db_finalize(st);
  return r;
}

/* Was the run stopped (camp stop) since this process loaded it? */
static int run_stopped(Exec *x) {
  DbStmt *st = db_prepare(x->db, "SELECT state = 'stopped' FROM camp_runs WHERE id = ?");
  if (!st) return 0;
  db_bind_int(st, 1, x->run_id);
  int stopped = db_step(st) == 1 && db_column(st, 0).i;
  db_finalize(st);
  return stopped;
}

/* The longest `within` window of a retarget rule (0 if none). */
static int64_t feedback_window(Expr *e) {
  if (!e) return 0;
  int64_t w = e->kind == E_WITHIN && e->right ? e->right->ival : 0;
  int64_t l = feedback_window(e->left), r = feedback_window(e->right);
  if (l > w) w = l;
  if (r > w) w = r;
  for (int i = 0; i < e->args.len; i++) {
    int64_t a = feedback_window(e->args.items[i]);
    if (a > w) w = a;
  }
  return w;
}

void exec_load_counts(Exec *x, Step *s) {
  int n = s->outputs.len ? s->outputs.len : 1;
  for (int k = 0; k < n; k++) {
    DbStmt *c = db_prepare(x->db, "SELECT count FROM camp_counts WHERE run_id = ? AND output = ?");
    if (!c) return;
    db_bind_int(c, 1, x->run_id);
    db_bind_text(c, 2, s->outputs.len ? s->outputs.items[k] : s->label);
    if (db_step(c) == 1) x->counts[x->count_base[s->index] + k] = db_column(c, 0).i;
    db_finalize(c);
  }
}

/* When a wait is over: the fixed time, or the duration after its input
 * step finished — on the run's clock, so a wait a resume reaches late (after
 * a crash, or behind another wait) is due when it would have been in an
 * uninterrupted run.  A retarget on `opened within 3d` waits until 3 days
 * after its channel step was done, so the feedback it reads is complete.
 * The sum is computed here, not in SQL: the same on every backend. */
static void wait_due(Exec *x, Step *s, char out[20]) {
  if (s->kind == S_WAIT && s->wait_until) {
    snprintf(out, 20, "%s", s->wait_until->text);
    return;
  }
  StepInput *si = s->inputs.items[0];
  int64_t secs = s->kind == S_RETARGET ? feedback_window(s->rule) : s->wait_for->ival;
  char base[32];
  snprintf(base, sizeof base, "%s", x->now);
  DbStmt *st = db_prepare(x->db, "SELECT finished_at FROM camp_steps WHERE run_id = ? AND step = ?");
  if (st) {
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, si->step->label);
    if (db_step(st) == 1) {
      DbValue v = db_column(st, 0);
      if (v.kind == DBV_TEXT) snprintf(base, sizeof base, "%s", v.s);
    }
  }
  db_finalize(st);
  clock_add_seconds(base, secs, out);
}

static int load_import(Exec *x, Step *s) {
  CsvColumn cols[64];
  int n = 0;
  for (int i = 0; i < s->rcols.len && n < 64; i++) {
    ReconcileCol *rc = s->rcols.items[i];
    AddedCol *ac = NULL;
    Pop *un = s->npops > 1 ? s->pops[1] : NULL;
    if (un) ac = pop_added(un, rc->name);
    cols[n].name = rc->name;
    cols[n].type = ac ? type_name(&x->p->arena, ac->type) : rc->type->name;
    if (ac && ac->type->kind == T_ENUM) cols[n].type = "text";
    n++;
  }
  char path[PATH_MAX + 256], table[300];
  exec_path(x, s->text, path, sizeof path);
  snprintf(table, sizeof table, "camp_import_%s", s->label);
  char drop[400];
  snprintf(drop, sizeof drop, "DROP TABLE IF EXISTS %s.\"%s\"", db_temp_schema(x->db), table);
  db_exec(x->db, drop);
  CsvErrors errs;
  memset(&errs, 0, sizeof errs);
  int bad = csv_import(x->db, path, cols, n, table, 1, &errs);
  if (bad != 0) {
    size_t off = 0;
    if (bad < 0) {
      off += (size_t)snprintf(x->err + off, sizeof x->err - off, "%s",
                              errs.nmsgs ? errs.msgs[0] : "cannot read the file");
    } else {
      off += (size_t)snprintf(x->err + off, sizeof x->err - off, "%d bad record%s in %s:", bad,
                              bad == 1 ? "" : "s", path);
      for (int i = 0; i < errs.nmsgs && off < sizeof x->err - 200; i++)
        off += (size_t)snprintf(x->err + off, sizeof x->err - off, "\n  %s", errs.msgs[i]);
    }
    csv_errors_free(&errs);
    return -1;
  }
  csv_errors_free(&errs);
  return 0;
}

/* Test hook (CAMP_PLAN_KEYS): `output: key key ...` in key order, so the
 * memory plan's populations can be compared with the tables'. */
static void write_keys(Exec *x, Step *s) {
  int n = s->outputs.len ? s->outputs.len : 1;
  for (int k = 0; k < n; k++) {
    const char *name = s->outputs.len ? s->outputs.items[k] : s->label;
    char table[512], sql[700];
    exec_table(x, name, table, sizeof table);
    snprintf(sql, sizeof sql, "SELECT \"_key\" FROM %s ORDER BY 1", table);
    fprintf(x->keys_out, "%s:", name);
    DbStmt *st = db_prepare(x->db, sql);
    while (st && db_step(st) == 1) {
      DbValue v = db_column(st, 0);
      if (v.kind == DBV_INT) fprintf(x->keys_out, " %lld", (long long)v.i);
      else fprintf(x->keys_out, " %s", v.kind == DBV_TEXT ? v.s : "?");
    }
    db_finalize(st);
    fputc('\n', x->keys_out);
  }
}

/* What a step kind does besides computing its rows: `before` prepares what
 * its SQL reads, `after` makes its side effects, committed with the step.
 * The dispatch points down into the files that do the work. */
typedef struct StepHooks {
  int (*before)(Exec *x, Step *s);
  int (*after)(Exec *x, Step *s);
} StepHooks;

static StepHooks hooks_of(StepKind k) {
  switch (k) {
    case S_RECONCILE: return (StepHooks){load_import, NULL};
    case S_CHANNEL: return (StepHooks){NULL, exec_channel};
    case S_SAVE: return (StepHooks){NULL, exec_save};
    case S_LOCAL_APPROVAL: return (StepHooks){exec_local_values, exec_local_close};
    default: return (StepHooks){NULL, NULL};
  }
}

static StepState fail(Exec *x, Step *s) {
  if (!x->dry) {
    db_rollback(x->db);
    /* Record the failure in its own transaction: the step's work is gone. */
    if (db_begin(x->db) == 0) {
      set_state(x, s, "failed", NULL, x->err);
      char sql[200];
      snprintf(sql, sizeof sql, "UPDATE camp_runs SET state = 'failed' WHERE id = %lld AND state <> 'stopped'",
               (long long)x->run_id);
      db_exec(x->db, sql);
      db_commit(x->db);
    }
  }
  return ST_FAILED;
}

StepState exec_step(Exec *x, Step *s) {
  char due[32] = "";
  if (x->mem) {
    /* plan in memory: no tables, no transaction */
    char why[600];
    if (exec_mem_step(x->mem, s, why, sizeof why) == 0) return ST_DONE;
    snprintf(x->err, sizeof x->err, "%s", why);
    x->mem_failed = 1;
    return ST_FAILED;
  }
  if (!x->dry) {
    if (db_begin(x->db) != 0) {
      /* Another camp process is working on this database: leave the step
       * (and the run's state) to it; a later resume goes on. */
      snprintf(x->err, sizeof x->err, "the database is busy (%s)", db_error(x->db));
      x->busy = 1;
      return ST_WAITING;
    }
    if (run_stopped(x)) {
      db_rollback(x->db);
      x->stopped = 1;
      return ST_WAITING;
    }
    StepState now_state = stored_state(x, s, due, sizeof due);
    if (now_state == ST_DONE || now_state == ST_SKIPPED) {
      /* Another process did it meanwhile: just read its counts. */
      exec_load_counts(x, s);
      db_rollback(x->db);
      return now_state;
    }
  }
  /* an A/B test's second pass: the cells went out; after the wait the
   * winner goes to the rest (exec_abtest.c) */
  AbSpec ab;
  int abt = exec_abtest_of(x, s, &ab);
  if (abt && due[0]) {
    if (strcmp(x->now, due) < 0) {
      db_rollback(x->db);
      return ST_WAITING;
    }
    if (set_params(x) || exec_abtest_finish(x, s) || exec_hold(x, s) || exec_policy_window(x, s))
      return fail(x, s);
    if (set_state_at(x, s, "done", due, NULL, due) || exec_commit(x)) return fail(x, s);
    exec_load_counts(x, s);
    return ST_DONE;
  }
  if (set_params(x)) return fail(x, s);
  /* a wait until a local time holds messages per contact, not the branch */
  int timed = (s->kind == S_WAIT && !s->wait_local) || s->kind == S_LOCAL_APPROVAL ||
              (s->kind == S_RETARGET && feedback_window(s->rule) > 0);
  if (timed && !x->dry) {
    if (!due[0] && s->kind == S_LOCAL_APPROVAL) {
      /* first reached: the rows go to the local entities until the deadline */
      if (exec_local_handout(x, s, due)) return fail(x, s);
    } else if (!due[0]) wait_due(x, s, due);
    if (strcmp(x->now, due) < 0) {
      if (set_state(x, s, "waiting", due, NULL) || exec_commit(x)) return fail(x, s);
      return ST_WAITING;
    }
  }
  StepHooks hooks = hooks_of(s->kind);
  if (hooks.before && hooks.before(x, s)) return fail(x, s);
  int rc = exec_select_engine(x, s);
  if (rc < 0) return fail(x, s);
  if (rc == 1) {
    char *sql = sql_step(x->p, x->camp, s, &x->so);
    rc = db_exec(x->db, sql);
    free(sql);
  }
  if (rc) {
    snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
    return fail(x, s);
  }
  /* a recurring launch leaves out whom an earlier launch already messaged */
  if (s->kind == S_CHANNEL && !x->dry && x->launch_key[0] && exec_exclude_messaged(x, s))
    return fail(x, s);
  /* the contact policy, whatever the campaign says (runtime/policy) */
  if (s->kind == S_CHANNEL && exec_policy(x, s)) return fail(x, s);
  /* an audience holdout's control group: the input's rows its SQL left out */
  if (s->kind == S_HOLDOUT && exec_holdout_step(x, s)) return fail(x, s);
  /* a stock item declared `on_shortage limit` caps the recipients (exec_stock.c) */
  if (s->kind == S_CHANNEL && exec_stock_limit(x, s)) return fail(x, s);
  if (record_counts(x, s)) return fail(x, s);
  if (x->keys_out) write_keys(x, s);
  if (x->dry && s->kind == S_CHANNEL && x->o->preview && !strcmp(s->label, x->o->preview_step) &&
      exec_channel(x, s))
    return fail(x, s); /* camp preview: renders, queues nothing */
  if (x->dry && x->o->test && s->kind == S_CHANNEL && exec_preview(x, s)) return fail(x, s);
  if (!x->dry) {
    if (abt) { /* the test cells now, the rest after the wait */
      char adue[32];
      if (exec_abtest_start(x, s, &ab, adue) || exec_hold(x, s) || exec_policy_window(x, s)) return fail(x, s);
      if (set_state(x, s, "waiting", adue, NULL) || exec_commit(x)) return fail(x, s);
      return ST_WAITING;
    }
    if (hooks.after && hooks.after(x, s)) return fail(x, s);
    if (s->kind == S_CHANNEL && exec_hold(x, s)) return fail(x, s);
    if (s->kind == S_CHANNEL && exec_policy_window(x, s)) return fail(x, s);
    /* a wait finished when it was over, not when this pass noticed */
    const char *finished = timed && due[0] ? due : x->now;
    if (set_state_at(x, s, "done", timed && due[0] ? due : NULL, NULL, finished) || exec_commit(x))
      return fail(x, s);
  }
  return ST_DONE;
}
