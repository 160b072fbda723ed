/* exec_local.c — the local approval step in a run (docs/distributed.md).
 * When the run first reaches it, in the step's transaction: every row of
 * its input goes to camp_distrib_contacts with its distribution value, the
 * breakdown gives each value its local entity (and caps it at its limit),
 * each entity gets a request and its operators a notification; the branch
 * then waits until the deadline like a wait step.  At the deadline the
 * step's SQL (compiler/sql/sql_step.c) keeps what was approved, and this
 * file closes the requests. */
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "compiler/check/distrib.h"
#include "runtime/db/store_distrib.h"
#include "runtime/exec/exec_int.h"

/* 'YYYY-MM-DD HH:MM:SS' plus secs; "" when ts is not such a time. */
static void plus_seconds(const char *ts, int64_t secs, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(ts, "%Y-%m-%d %H:%M:%S", &tm); /* ts may be out */
  out[0] = 0;
  if (!end) return;
  time_t t = timegm(&tm) + (time_t)secs;
  struct tm r;
  if (gmtime_r(&t, &r)) strftime(out, 20, "%Y-%m-%d %H:%M:%S", &r);
}

static int fail_db(Exec *x, Step *s, const char *what) {
  snprintf(x->err, sizeof x->err, "step %s: %s: %s", s->label, what, db_error(x->db));
  return -1;
}

/* Caps the rows of one breakdown value at its limit: the first rows by key
 * stay pending, the others become over_limit. */
static int apply_limit(Exec *x, Step *s, const DistLine *l) {
  char sql[300];
  snprintf(sql, sizeof sql, "SELECT recipient_key FROM camp_distrib_contacts WHERE run_id = %lld"
                            " AND step = ? AND value = ? AND state = 'pending' ORDER BY recipient_key",
           (long long)x->run_id);
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) return fail_db(x, s, "limit");
  db_bind_text(st, 1, s->label);
  db_bind_text(st, 2, l->value);
  Arena a = {0};
  PtrVec keys = {0};
  while (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    vec_push(&a, &keys, arena_strdup(&a, v.kind == DBV_TEXT ? v.s : ""));
  }
  db_finalize(st);
  int64_t n = keys.len;
  int64_t cap = l->percent ? exec_percent_limit(n, (double)l->limit) : l->limit;
  int rc = 0;
  snprintf(sql, sizeof sql, "UPDATE camp_distrib_contacts SET state = 'over_limit' WHERE run_id = %lld"
                            " AND step = ? AND recipient_key = ?", (long long)x->run_id);
  for (int64_t i = cap; i < n && !rc; i++) {
    DbStmt *u = db_prepare(x->db, sql);
    if (!u) { rc = fail_db(x, s, "limit"); break; }
    db_bind_text(u, 1, s->label);
    db_bind_text(u, 2, keys.items[i]);
    if (db_step(u) < 0) rc = fail_db(x, s, "limit");
    db_finalize(u);
  }
  arena_free(&a);
  return rc;
}

static int64_t entity_contacts(Exec *x, Step *s, const char *entity) {
  DbStmt *st = db_prepare(x->db, "SELECT count(*) FROM camp_distrib_contacts WHERE run_id = ? AND step = ?"
                                 " AND entity = ? AND state = 'pending'");
  int64_t n = 0;
  if (!st) return 0;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_text(st, 3, entity);
  if (db_step(st) == 1) n = db_column(st, 0).i;
  db_finalize(st);
  return n;
}

static int notify(Exec *x, Step *s, const DistEntity *e, int64_t n, const char *deadline, int approve_default) {
  char subject[512], body[2048];
  snprintf(subject, sizeof subject, "%s: %lld contact%s of %s to review before %s", x->camp->name,
           (long long)n, n == 1 ? "" : "s", e->label, deadline);
  snprintf(body, sizeof body,
           "The central entity selected %lld contact%s of %s for campaign %s (step %s).\n"
           "Review them on the local page (camp serve): approve them, or remove those who should "
           "not receive it, before %s UTC.\nWithout a decision they are %s at the deadline.\n",
           (long long)n, n == 1 ? "" : "s", e->label, x->camp->name, s->label, deadline,
           approve_default ? "approved" : "dropped");
  for (int i = 0; i < e->operators.len; i++) {
    DistOperator *o = e->operators.items[i];
    if (o->role == DROLE_VIEWER) continue;
    DbStmt *st = db_prepare(x->db, "INSERT INTO camp_notifications(run_id, step, kind, recipient, subject, body, created_at)"
                                   " VALUES (?, ?, 'local-request', ?, ?, ?, ?)");
    if (!st) return fail_db(x, s, "notification");
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
    db_bind_text(st, 3, o->login);
    db_bind_text(st, 4, subject);
    db_bind_text(st, 5, body);
    db_bind_text(st, 6, x->now);
    int rc = db_step(st);
    db_finalize(st);
    if (rc < 0) return fail_db(x, s, "notification");
  }
  return 0;
}

/* The columns the web page shows of a contact: its addresses first, then
 * text columns, at most four. */
static const char *show_cols(Exec *x, Schema *dim) {
  char *out = "";
  int n = 0;
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < dim->columns.len && n < 4; i++) {
      Column *c = dim->columns.items[i];
      if (c->is_key || (pass == 0) != (c->address != NULL)) continue;
      if (pass == 1 && (!c->type || c->type->kind != T_TEXT)) continue;
      out = arena_printf(&x->p->arena, "%s%s%s", out, n ? "," : "", c->name);
      n++;
    }
  return out;
}

/* Participation: when packages other than `variant target` publish the
 * campaign, only the entities whose order of one of them stands (approved
 * by the centre, or registered in automatic mode) take part; the contacts
 * of the others become not_participating (in states `from`).  Contacts of
 * an operator group (not an entity) are not concerned. */
static int exclude_non_participants(Exec *x, Step *s, const char *from) {
  char *sql = arena_printf(&x->p->arena,
      "UPDATE camp_distrib_contacts SET state = 'not_participating' WHERE run_id = ? AND step = ?"
      " AND state IN (%s) AND entity IN (SELECT name FROM camp_distrib_entities)"
      " AND EXISTS (SELECT 1 FROM camp_distrib_packages WHERE campaign = ? AND variant <> 'target')"
      " AND entity NOT IN (SELECT o.entity FROM camp_distrib_orders AS o JOIN camp_distrib_packages AS k"
      " ON k.name = o.package WHERE k.campaign = ? AND k.variant <> 'target'"
      " AND o.state IN ('approved', 'registered'))", from);
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) return fail_db(x, s, "participation");
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_text(st, 3, x->camp->name);
  db_bind_text(st, 4, x->camp->name);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? fail_db(x, s, "participation") : 0;
}

static int create_children(Exec *x, Step *s);

int exec_local_handout(Exec *x, Step *s, char due[20]) {
  DistApproval *a = s->dist;
  DistModel *m = x->p->distrib;
  plus_seconds(x->now, a->deadline, due);
  char err[512];
  if (store_distrib_sync(x->db, m, x->now, err, sizeof err)) {
    snprintf(x->err, sizeof x->err, "step %s: %s", s->label, err);
    return -1;
  }
  StepInput *si = s->inputs.items[0];
  Pop *in = exec_input_pop(s, 0);
  char table[512];
  exec_table(x, si->name, table, sizeof table);
  /* every input row, with its distribution value as text */
  char *sql = arena_printf(&x->p->arena,
                           "INSERT INTO camp_distrib_contacts(run_id, step, recipient_key, value, state)"
                           " SELECT %lld, ?, CAST(p.\"_key\" AS TEXT), CAST(%s.\"%s\" AS TEXT), 'unassigned'"
                           " FROM %s AS p%s%s%s%s%s",
                           (long long)x->run_id, a->field_added || !in->dim ? "p" : "t0", a->field, table,
                           a->field_added || !in->dim ? "" : " JOIN \"",
                           a->field_added || !in->dim ? "" : in->dim->name,
                           a->field_added || !in->dim ? "" : "\" AS t0 ON t0.\"",
                           a->field_added || !in->dim ? "" : in->dim->key->name,
                           a->field_added || !in->dim ? "" : "\" = p.\"_key\"");
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) return fail_db(x, s, "hand-out");
  db_bind_text(st, 1, s->label);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return fail_db(x, s, "hand-out");
  for (int i = 0; i < a->lines.len; i++) {
    DistLine *l = a->lines.items[i];
    st = db_prepare(x->db, "UPDATE camp_distrib_contacts SET entity = ?, state = 'pending'"
                           " WHERE run_id = ? AND step = ? AND value = ?");
    if (!st) return fail_db(x, s, "breakdown");
    db_bind_text(st, 1, l->entity->name);
    db_bind_int(st, 2, x->run_id);
    db_bind_text(st, 3, s->label);
    db_bind_text(st, 4, l->value);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) return fail_db(x, s, "breakdown");
    if (l->has_limit && apply_limit(x, s, l)) return -1;
  }
  if (exclude_non_participants(x, s, "'pending', 'over_limit'")) return -1;
  if (create_children(x, s)) return -1;
  /* one request per entity that received contacts */
  for (int i = 0; i < a->lines.len; i++) {
    DistLine *l = a->lines.items[i];
    int seen = 0;
    for (int k = 0; k < i; k++) seen |= ((DistLine *)a->lines.items[k])->entity == l->entity;
    if (seen) continue;
    int64_t n = entity_contacts(x, s, l->entity->name);
    if (n == 0) continue;
    char next[20] = "";
    if (a->remind) plus_seconds(x->now, a->remind, next);
    st = db_prepare(x->db, "INSERT INTO camp_distrib_requests(run_id, step, entity, campaign, requested_at,"
                           " deadline_at, remind_every, next_reminder_at, contacts, approve_default, state,"
                           " dim_table, dim_key, show_cols)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)"
                           " ON CONFLICT(run_id, step, entity) DO NOTHING");
    if (!st) return fail_db(x, s, "request");
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
    db_bind_text(st, 3, l->entity->name);
    db_bind_text(st, 4, x->camp->name);
    db_bind_text(st, 5, x->now);
    db_bind_text(st, 6, due);
    if (a->remind) db_bind_int(st, 7, a->remind); else db_bind_null(st, 7);
    if (next[0] && strcmp(next, due) < 0) db_bind_text(st, 8, next); else db_bind_null(st, 8);
    db_bind_int(st, 9, n);
    db_bind_int(st, 10, a->approve_default);
    if (in->dim && in->dim->key) {
      db_bind_text(st, 11, in->dim->name);
      db_bind_text(st, 12, in->dim->key->name);
      db_bind_text(st, 13, show_cols(x, in->dim));
    } else {
      db_bind_null(st, 11);
      db_bind_null(st, 12);
      db_bind_null(st, 13);
    }
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) return fail_db(x, s, "request");
    if (notify(x, s, l->entity, n, due, a->approve_default)) return -1;
  }
  return 0;
}

/* By campaign: one child campaign per participating entity of each
 * `variant campaign` package that publishes the campaign, created with
 * the hand-out (same run, same tick) and carrying the entity's parameter
 * values (its order's, editable within the package's form until the
 * deadline: distrib_edit_child). */
static int create_children(Exec *x, Step *s) {
  DistModel *m = x->p->distrib;
  for (int i = 0; m && i < m->packages.len; i++) {
    DistPackage *p = m->packages.items[i];
    if (strcmp(p->variant, "campaign") || !p->campaign || strcmp(p->campaign, x->camp->name)) continue;
    DbStmt *st = db_prepare(x->db, "INSERT INTO camp_distrib_children(run_id, step, package, entity, campaign, params, created_at)"
                                   " SELECT ?, ?, o.package, o.entity, ? || '@' || o.entity, o.params, ?"
                                   " FROM camp_distrib_orders AS o WHERE o.package = ? AND o.state IN ('approved', 'registered')"
                                   " AND o.entity IN (SELECT name FROM camp_distrib_entities)"
                                   " ON CONFLICT(run_id, package, entity) DO NOTHING");
    if (!st) return fail_db(x, s, "child campaigns");
    db_bind_int(st, 1, x->run_id);
    db_bind_text(st, 2, s->label);
    db_bind_text(st, 3, x->camp->name);
    db_bind_text(st, 4, x->now);
    db_bind_text(st, 5, p->name);
    int rc = db_step(st);
    db_finalize(st);
    if (rc < 0) return fail_db(x, s, "child campaigns");
  }
  return 0;
}

/* A form value as text: the order's, else the declared default, else NULL. */
static char *form_value(Exec *x, json_t *order, FormParam *fp) {
  json_t *v = order ? json_object_get(order, fp->name) : NULL;
  if (json_is_string(v)) return arena_strdup(&x->p->arena, json_string_value(v));
  if (json_is_integer(v)) return arena_printf(&x->p->arena, "%lld", (long long)json_integer_value(v));
  if (json_is_real(v)) return arena_printf(&x->p->arena, "%.17g", json_real_value(v));
  Expr *d = fp->def;
  if (!d) return NULL;
  if (d->kind == E_INT) return arena_printf(&x->p->arena, "%lld", (long long)d->ival);
  return d->text;
}

int exec_local_values(Exec *x, Step *s) {
  DistPackage *pkg = s->dist ? s->dist->form_pkg : NULL;
  if (x->dry) return 0;
  /* an entity that unsubscribed (or whose order was withdrawn) since the
   * hand-out no longer takes part: its decisions do not count */
  if (exclude_non_participants(x, s, "'pending', 'approved', 'removed', 'over_limit'")) return -1;
  if (!pkg) return 0;
  char sql[300];
  snprintf(sql, sizeof sql, "DELETE FROM camp_distrib_values WHERE run_id = %lld AND step = ?", (long long)x->run_id);
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) return fail_db(x, s, "form values");
  db_bind_text(st, 1, s->label);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return fail_db(x, s, "form values");
  /* the entities that received contacts, with their order's values if
   * the order stands (approved, or registered in automatic mode); by
   * campaign, their child campaign's values (as edited since) */
  st = db_prepare(x->db, "SELECT DISTINCT c.entity, CASE WHEN o.entity IS NULL THEN NULL ELSE COALESCE(ch.params, o.params) END"
                         " FROM camp_distrib_contacts AS c"
                         " LEFT JOIN camp_distrib_orders AS o ON o.entity = c.entity AND o.package = ?1"
                         " AND o.state IN ('approved', 'registered')"
                         " LEFT JOIN camp_distrib_children AS ch ON ch.run_id = c.run_id AND ch.package = ?1 AND ch.entity = c.entity"
                         " WHERE c.run_id = ?2 AND c.step = ?3 AND c.entity IS NOT NULL ORDER BY 1");
  if (!st) return fail_db(x, s, "form values");
  db_bind_text(st, 1, pkg->name);
  db_bind_int(st, 2, x->run_id);
  db_bind_text(st, 3, s->label);
  PtrVec ents = {0}, vals = {0};
  while (db_step(st) == 1) {
    DbValue e = db_column(st, 0), pj = db_column(st, 1);
    vec_push(&x->p->arena, &ents, arena_strdup(&x->p->arena, e.kind == DBV_TEXT ? e.s : ""));
    vec_push(&x->p->arena, &vals, pj.kind == DBV_TEXT ? arena_strdup(&x->p->arena, pj.s) : NULL);
  }
  db_finalize(st);
  for (int i = 0; i < ents.len; i++) {
    json_error_t je;
    json_t *order = vals.items[i] ? json_loads(vals.items[i], 0, &je) : NULL;
    for (int k = 0; k < pkg->params.len; k++) {
      FormParam *fp = pkg->params.items[k];
      char *v = form_value(x, order, fp);
      st = db_prepare(x->db, "INSERT INTO camp_distrib_values(run_id, step, entity, name, value) VALUES (?, ?, ?, ?, ?)");
      if (!st) { json_decref(order); return fail_db(x, s, "form values"); }
      db_bind_int(st, 1, x->run_id);
      db_bind_text(st, 2, s->label);
      db_bind_text(st, 3, ents.items[i]);
      db_bind_text(st, 4, fp->name);
      if (v) db_bind_text(st, 5, v); else db_bind_null(st, 5);
      rc = db_step(st);
      db_finalize(st);
      if (rc < 0) { json_decref(order); return fail_db(x, s, "form values"); }
    }
    json_decref(order);
  }
  return 0;
}

int exec_local_close(Exec *x, Step *s) {
  const char *left = s->dist && s->dist->approve_default ? "approved-by-default" : "expired";
  DbStmt *st = db_prepare(x->db, "UPDATE camp_distrib_contacts SET state = ?, decided_at = ?"
                                 " WHERE run_id = ? AND step = ? AND state = 'pending'");
  if (!st) return fail_db(x, s, "close");
  db_bind_text(st, 1, left);
  db_bind_text(st, 2, x->now);
  db_bind_int(st, 3, x->run_id);
  db_bind_text(st, 4, s->label);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return fail_db(x, s, "close");
  st = db_prepare(x->db, "UPDATE camp_distrib_requests SET state = 'closed' WHERE run_id = ? AND step = ?");
  if (!st) return fail_db(x, s, "close");
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? fail_db(x, s, "close") : 0;
}
