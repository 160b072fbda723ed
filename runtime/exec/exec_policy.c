/* exec_policy.c — the contact policy on a channel step's rows
 * (runtime/policy/policy.h): after the step's audience is computed, by
 * whichever engine computed it, its rows go through the same SQL, so every
 * engine gives the same recipients.  The removals by reason are kept per
 * step (x->policy) for plan and run to print. */
#include <string.h>

#include "runtime/exec/exec_int.h"
#include "compiler/check/policy.h"
#include "compiler/check/timezone.h"
#include "runtime/policy/holdout.h"
#include "runtime/policy/window.h"

static int64_t *slot(Exec *x, Step *s) {
  if (!x->policy) {
    x->policy = calloc((size_t)x->camp->steps.len + 1, sizeof *x->policy);
    x->policy_why = calloc((size_t)x->camp->steps.len + 1, sizeof *x->policy_why);
    if (!x->policy || !x->policy_why) abort();
  }
  return x->policy[s->index];
}

/* The policy of channel step s; 0, or 1 when it is not a channel step of
 * a keyed dimension. */
static int step_policy(Exec *x, Step *s, PolicyStep *ps, char **consent) {
  Pop *pop = s->pops[0];
  *consent = NULL;
  if (s->kind != S_CHANNEL || !pop || !pop->dim || !pop->dim->key) return 1;
  memset(ps, 0, sizeof *ps);
  ps->channel = channel_name(s->channel);
  ps->dimension = pop->dim->name;
  ps->key_column = pop->dim->key->name;
  Column *addr = s->channel == CH_MAIL ? NULL : schema_address(pop->dim, ps->channel);
  ps->address_column = addr ? addr->name : NULL;
  ps->transactional = program_transactional(x->camp);
  ps->weight = program_weight(x->camp);
  ps->campaign = x->camp->name;
  Expr *rule = program_consent(x->p, pop->dim, s->channel);
  if (rule) *consent = sql_expression(rule, &x->so);
  ps->consent_sql = *consent;
  return 0;
}

int exec_policy_table(Exec *x, Step *s, const char *table, int record) {
  PolicyStep ps;
  char *consent;
  if (step_policy(x, s, &ps, &consent)) return 0;
  int64_t *counts = slot(x, s);
  int rc = policy_apply(x->db, &ps, table, record ? x->run_id : 0, s->label, x->now, counts, x->err,
                        sizeof x->err);
  if (rc == 0)
    rc = policy_pressure(x->db, &ps, table, x->dry, record ? x->run_id : 0, s->label, x->now, counts,
                         x->policy_why[s->index], sizeof x->policy_why[s->index], x->err, sizeof x->err);
  /* the control group, drawn from the recipients the policy allows */
  if (rc == 0)
    rc = policy_holdout(x->db, &ps, table, program_holdout(x->camp), record ? x->run_id : 0, s->label, x->now,
                        counts, x->err, sizeof x->err);
  /* this step's own control group (`holdout 5%` in the step), drawn after
   * the campaign's: a key the campaign holds out is not drawn twice */
  int bp = program_step_holdout_bp(s);
  if (rc == 0 && bp > 0) {
    char salt[600];
    program_holdout_salt(x->camp->name, s->label, salt, sizeof salt);
    rc = policy_step_holdout(x->db, ps.channel, table, program_seed(x->camp), salt, bp, record ? x->run_id : 0,
                             s->label, x->now, &counts[POL_HOLDOUT], x->err, sizeof x->err);
  }
  /* a plan's later steps count this step's recipients as planned messages */
  if (rc == 0 && x->dry) rc = policy_plan_add(x->db, &ps, table, s->label, x->err, sizeof x->err);
  if (rc == 0 && record) rc = policy_record_step(x->db, x->run_id, s->label, &ps, x->err, sizeof x->err);
  free(consent);
  return rc;
}

int exec_policy(Exec *x, Step *s) {
  char table[512];
  exec_table(x, s->label, table, sizeof table);
  return exec_policy_table(x, s, table, !x->dry);
}

static int cmp_key(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int exec_policy_keys(Exec *x, Step *s, const int64_t *keys, int64_t n, uint8_t *keep) {
  for (int64_t i = 0; i < n; i++) keep[i] = 1;
  PolicyStep ps;
  char *consent;
  if (step_policy(x, s, &ps, &consent)) return 0;
  free(consent);
  char table[64];
  snprintf(table, sizeof table, "%s.camp_policy_keys", db_temp_schema(x->db));
  int rc = exec_keys_store(x, "camp_policy_keys", keys, (size_t)n);
  if (rc == 0) rc = exec_policy_table(x, s, table, 0);
  /* the keys the policy left, sorted: one read instead of a query a key */
  KeyVec left = {0};
  if (rc == 0 && exec_keys_read(x, table, &left)) rc = -1;
  if (rc == 0) {
    /* (none left: left.v is NULL, which qsort and bsearch must not get) */
    if (left.n) qsort(left.v, left.n, sizeof *left.v, cmp_key); /* the bsearch must not rest on the server's ORDER BY */
    for (int64_t i = 0; i < n; i++)
      keep[i] = left.n && bsearch(&keys[i], left.v, left.n, sizeof *left.v, cmp_key) != NULL;
  }
  keyvec_free(&left);
  char drop[96];
  snprintf(drop, sizeof drop, "DROP TABLE IF EXISTS %s", table);
  db_exec(x->db, drop);
  if (rc && !x->err[0]) snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
  return rc;
}

int exec_holdout_step(Exec *x, Step *s) {
  char in[512], out[512];
  exec_table(x, ((StepInput *)s->inputs.items[0])->name, in, sizeof in);
  exec_table(x, s->label, out, sizeof out);
  return policy_record_control(x->db, in, out, program_step_holdout_bp(s), x->dry ? 0 : x->run_id, s->label,
                               x->now, &slot(x, s)[POL_HOLDOUT], x->err, sizeof x->err);
}

void exec_holdout_keys(Exec *x, Step *s, const int64_t *keys, int64_t n, uint8_t *keep) {
  char salt[600];
  program_holdout_salt(x->camp->name, s->label, salt, sizeof salt);
  int bp = program_step_holdout_bp(s);
  int64_t seed = program_seed(x->camp), held = 0;
  for (int64_t i = 0; i < n; i++) {
    keep[i] = !policy_step_held_out(seed, salt, (DbValue){DBV_INT, keys[i], 0, NULL}, bp);
    held += !keep[i];
  }
  slot(x, s)[POL_HOLDOUT] += held;
}

const int64_t *exec_policy_removed(Exec *x, Step *s) {
  if (!x->policy) return NULL;
  const int64_t *c = x->policy[s->index];
  for (int r = 0; r < POL_NREASONS; r++)
    if (c[r]) return c;
  return NULL;
}

const char *exec_policy_why(Exec *x, Step *s) {
  return x->policy_why ? x->policy_why[s->index] : "";
}

void exec_policy_plan_reset(Exec *x) {
  char sql[96];
  snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.camp_policy_planned", db_temp_schema(x->db));
  db_exec(x->db, sql);
  if (x->policy_why) memset(x->policy_why, 0, sizeof *x->policy_why * (size_t)x->camp->steps.len);
}

/* When the local wait w was reached in this run (its finished_at), else now. */
static void wait_reached(Exec *x, Step *w, char out[32]) {
  snprintf(out, 32, "%s", x->now);
  DbStmt *st = db_prepare(x->db, "SELECT finished_at FROM camp_steps WHERE run_id = ? AND step = ?");
  if (!st) return;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, w->label);
  if (db_step(st) == 1 && db_column(st, 0).kind == DBV_TEXT) snprintf(out, 32, "%s", db_column(st, 0).s);
  db_finalize(st);
}

/* A channel step's `window`, and a wait `until 08:00 local` before it:
 * each queued message's due time in its contact's zone (the campaign's
 * contact_timezone column, else its default_timezone, else UTC) — the
 * local time after the wait was reached, then the window's first instant
 * from there; camp send does not claim it before. */
int exec_policy_window(Exec *x, Step *s) {
  const char *spec = NULL;
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "window")) spec = p->value;
  }
  Pop *pop = s->pops[0];
  Step *lw = program_local_wait(s);
  if ((!spec && !lw) || !pop || !pop->dim || !pop->dim->key) return 0;
  PolicyWindow w;
  if (spec && policy_window_parse(spec, &w, x->err, sizeof x->err)) return -1;
  char reached[32];
  if (lw) wait_reached(x, lw, reached);
  const char *col = program_contact_tz(x->camp), *def = program_default_tz(x->camp);
  Column *tzc = NULL;
  for (int i = 0; col && i < pop->dim->columns.len; i++)
    if (!strcmp(((Column *)pop->dim->columns.items[i])->name, col)) tzc = pop->dim->columns.items[i];
  if (col && !tzc) {
    snprintf(x->err, sizeof x->err, "contact_timezone: `%s` has no column `%s`", pop->dim->name, col);
    return -1;
  }
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT o.id, %s%s%s FROM camp_outbox o LEFT JOIN \"%s\" AS t0"
           " ON CAST(t0.\"%s\" AS TEXT) = CAST(o.recipient_key AS TEXT)"
           " WHERE o.run_id = ? AND o.step = ? ORDER BY 2, 1",
           tzc ? "t0.\"" : "NULL", tzc ? tzc->name : "", tzc ? "\"" : "", pop->dim->name, pop->dim->key->name);
  DbStmt *st = db_prepare(x->db, sql);
  DbStmt *up = db_prepare(x->db, "UPDATE camp_outbox SET policy_due_at = ? WHERE id = ?");
  int rc = st && up ? 0 : -1;
  if (rc == 0) {
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
  }
  while (rc == 0 && db_step(st) == 1) {
    DbValue z = db_column(st, 1);
    const char *zone = z.kind == DBV_TEXT && tz_known(z.s) ? z.s : def; /* unknown zone: the default */
    char due[20], local[20];
    const char *from = x->now;
    if (lw) {
      if (local_time_due(lw->wait_local - 1, zone, reached, local)) continue;
      from = local;
    }
    if (spec ? window_due(&w, zone, from, due) : (snprintf(due, sizeof due, "%s", from), 0)) continue;
    if (strcmp(due, x->now) <= 0) continue; /* inside the window now: due at once */
    db_reset(up);
    db_bind_text(up, 1, due);
    db_bind_int(up, 2, db_column(st, 0).i);
    if (db_step(up) < 0) rc = -1;
  }
  if (rc) snprintf(x->err, sizeof x->err, "step %s: %s: %s", s->label, spec ? "send window" : "local wait", db_error(x->db));
  db_finalize(st);
  db_finalize(up);
  return rc;
}

int exec_policy_window_note(Exec *x, Step *s, char *out, size_t n) {
  const char *spec = NULL;
  for (int i = 0; s->kind == S_CHANNEL && i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "window")) spec = p->value;
  }
  Step *lw = s->kind == S_CHANNEL ? program_local_wait(s) : NULL;
  if (!spec && !lw) return 0;
  const char *col = program_contact_tz(x->camp);
  char what[160] = "";
  if (lw) snprintf(what, sizeof what, "due at %02d:%02d (wait %s)%s", (lw->wait_local - 1) / 60,
                   (lw->wait_local - 1) % 60, lw->label, spec ? ", then " : "");
  int len = snprintf(out, n, "%s%s%s in the contact's zone (%s%s%sdefault %s)", what, spec ? "window " : "",
                     spec ? spec : "", col ? "column " : "", col ? col : "", col ? ", " : "",
                     program_default_tz(x->camp));
  if (!x->dry && len > 0 && (size_t)len < n) {
    DbStmt *st = db_prepare(x->db, "SELECT count(*), min(policy_due_at) FROM camp_outbox WHERE run_id = ?"
                                   " AND step = ? AND policy_due_at IS NOT NULL");
    if (st) {
      db_bind_int(st, 1, x->run_id);
      db_bind_text(st, 2, s->label);
      if (db_step(st) == 1 && db_column(st, 0).i > 0)
        snprintf(out + len, n - (size_t)len, ": %lld held, the first until %s UTC", (long long)db_column(st, 0).i,
                 db_column(st, 1).s);
      db_finalize(st);
    }
  }
  return 1;
}
