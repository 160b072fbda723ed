/* distrib.c — operators, passwords, orders and local approval decisions
 * (see distrib.h).  Each decision runs in one write transaction that first
 * re-reads what the operator may touch, so two managers deciding at once
 * (or a manager and the deadline) never interleave. */
#include "runtime/distrib/distrib.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store_distrib.h"

static void copy(char *dst, size_t n, DbValue v) {
  snprintf(dst, n, "%s", v.kind == DBV_TEXT ? v.s : "");
}

int distrib_op_load(Db *db, const char *login, DistOp *op) {
  memset(op, 0, sizeof *op);
  DbStmt *st = db_prepare(db, "SELECT o.login, o.entity, o.role, e.central FROM camp_distrib_operators AS o"
                              " JOIN camp_distrib_entities AS e ON e.name = o.entity WHERE o.login = ?");
  if (!st) return -1;
  db_bind_text(st, 1, login);
  int rc = -1;
  if (db_step(st) == 1) {
    copy(op->login, sizeof op->login, db_column(st, 0));
    copy(op->entity, sizeof op->entity, db_column(st, 1));
    copy(op->role, sizeof op->role, db_column(st, 2));
    op->central = db_column(st, 3).i != 0;
    rc = 0;
  }
  db_finalize(st);
  return rc;
}

int distrib_set_password(Db *db, const char *login, const char *pw, char *err, size_t errlen) {
  size_t n = strlen(pw);
  if (n < 8 || n > 1024) {
    snprintf(err, errlen, "a password has 8 to 1024 characters");
    return DISTRIB_INVALID;
  }
  DistOp op;
  if (distrib_op_load(db, login, &op)) {
    snprintf(err, errlen, "no operator `%s` (declare it in an entity, then `camp packages sync`)", login);
    return DISTRIB_INVALID;
  }
  if (sodium_init() < 0) {
    snprintf(err, errlen, "libsodium cannot start");
    return DISTRIB_ERROR;
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
    snprintf(err, errlen, "out of memory while hashing the password");
    return DISTRIB_ERROR;
  }
  DbStmt *st = db_prepare(db, "UPDATE camp_distrib_operators SET pw_hash = ? WHERE login = ?");
  int rc = st ? 0 : -1;
  if (st) {
    db_bind_text(st, 1, hash);
    db_bind_text(st, 2, login);
    rc = db_step(st) < 0 ? -1 : 0;
    db_finalize(st);
  }
  sodium_memzero(hash, sizeof hash);
  if (rc) {
    snprintf(err, errlen, "cannot store the password: %s", db_error(db));
    return DISTRIB_ERROR;
  }
  return DISTRIB_OK;
}

int distrib_check_password(Db *db, const char *login, const char *pw) {
  if (sodium_init() < 0) return 0;
  DbStmt *st = db_prepare(db, "SELECT pw_hash FROM camp_distrib_operators WHERE login = ?");
  if (!st) return 0;
  db_bind_text(st, 1, login);
  int ok = 0;
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind == DBV_TEXT) ok = crypto_pwhash_str_verify(v.s, pw, strlen(pw)) == 0;
  }
  db_finalize(st);
  return ok;
}

/* ------------------------------------------------------------- orders */

typedef struct Pkg {
  char campaign[128], from[20], until[20], register_by[20], params[8192];
  int automatic, offered;
} Pkg;

static int load_pkg(Db *db, const char *pkg, const char *entity, Pkg *p) {
  memset(p, 0, sizeof *p);
  DbStmt *st = db_prepare(db, "SELECT campaign, visible_from, visible_until, register_by, automatic, params,"
                              " (SELECT count(*) FROM camp_distrib_offers AS f WHERE f.package = k.name AND f.entity = ?)"
                              " FROM camp_distrib_packages AS k WHERE name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, entity);
  db_bind_text(st, 2, pkg);
  int rc = -1;
  if (db_step(st) == 1) {
    copy(p->campaign, sizeof p->campaign, db_column(st, 0));
    copy(p->from, sizeof p->from, db_column(st, 1));
    copy(p->until, sizeof p->until, db_column(st, 2));
    copy(p->register_by, sizeof p->register_by, db_column(st, 3));
    p->automatic = db_column(st, 4).i != 0;
    copy(p->params, sizeof p->params, db_column(st, 5));
    p->offered = db_column(st, 6).i > 0;
    rc = 0;
  }
  db_finalize(st);
  return rc;
}

/* Checks the form values against the package's parameters; writes the
 * normalized object (defaults filled in) into *out (malloc'd). */
static int check_params(const char *decl_json, const char *given, char **out, char *err, size_t errlen) {
  json_error_t je;
  json_t *decl = json_loads(decl_json, 0, &je);
  json_t *in = given && *given ? json_loads(given, 0, &je) : json_object();
  json_t *res = json_object();
  int rc = DISTRIB_OK;
  if (!decl || !json_is_array(decl) || !in || !json_is_object(in)) {
    snprintf(err, errlen, "the form values are not a JSON object");
    rc = DISTRIB_INVALID;
    goto done;
  }
  const char *k;
  json_t *v;
  json_object_foreach(in, k, v) {
    int known = 0;
    for (size_t i = 0; i < json_array_size(decl); i++)
      known |= !strcmp(json_string_value(json_object_get(json_array_get(decl, i), "name")), k);
    if (!known) {
      snprintf(err, errlen, "the package has no form parameter `%.100s`", k);
      rc = DISTRIB_INVALID;
      goto done;
    }
  }
  for (size_t i = 0; i < json_array_size(decl); i++) {
    json_t *p = json_array_get(decl, i);
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *type = json_string_value(json_object_get(p, "type"));
    json_t *val = json_object_get(in, name);
    if (!val || json_is_null(val)) val = json_object_get(p, "default");
    if (!val) continue;
    if (!strcmp(type, "text")) {
      if (!json_is_string(val)) { snprintf(err, errlen, "`%s` is a text", name); rc = DISTRIB_INVALID; goto done; }
      json_t *ml = json_object_get(p, "maxlen");
      if (ml && (json_int_t)strlen(json_string_value(val)) > json_integer_value(ml)) {
        snprintf(err, errlen, "`%s` is longer than %lld characters", name, (long long)json_integer_value(ml));
        rc = DISTRIB_INVALID;
        goto done;
      }
      json_object_set(res, name, val);
      continue;
    }
    double d;
    if (json_is_number(val)) d = json_number_value(val);
    else if (json_is_string(val) && *json_string_value(val)) {
      char *end;
      d = strtod(json_string_value(val), &end);
      if (*end) { snprintf(err, errlen, "`%s` is a number", name); rc = DISTRIB_INVALID; goto done; }
    } else { snprintf(err, errlen, "`%s` is a number", name); rc = DISTRIB_INVALID; goto done; }
    if (!strcmp(type, "int") && d != (double)(long long)d) {
      snprintf(err, errlen, "`%s` is a whole number", name);
      rc = DISTRIB_INVALID;
      goto done;
    }
    json_t *lo = json_object_get(p, "min"), *hi = json_object_get(p, "max");
    if ((lo && d < json_number_value(lo)) || (hi && d > json_number_value(hi))) {
      snprintf(err, errlen, "`%s` must be between %g and %g", name, lo ? json_number_value(lo) : d,
               hi ? json_number_value(hi) : d);
      rc = DISTRIB_INVALID;
      goto done;
    }
    json_object_set_new(res, name, !strcmp(type, "int") ? json_integer((json_int_t)d) : json_real(d));
  }
  *out = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
done:
  json_decref(decl);
  json_decref(in);
  json_decref(res);
  return rc;
}

static int acts_locally(const DistOp *op) { return !op->central && strcmp(op->role, "viewer"); }

int distrib_order(Db *db, const DistOp *op, const char *pkg, const char *params_json,
                  int unsubscribe, const char *now, char *err, size_t errlen) {
  if (!acts_locally(op)) {
    snprintf(err, errlen, "only a local entity's manager, approver or administrator orders packages");
    return DISTRIB_FORBIDDEN;
  }
  if (db_begin(db)) {
    snprintf(err, errlen, "the database is busy: %s", db_error(db));
    return DISTRIB_ERROR;
  }
  Pkg p;
  int rc = DISTRIB_OK;
  char *params = NULL;
  if (load_pkg(db, pkg, op->entity, &p) || !p.offered) {
    snprintf(err, errlen, "package `%s` is not offered to %s", pkg, op->entity);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  if ((p.from[0] && strcmp(now, p.from) < 0) || (p.until[0] && strcmp(now, p.until) > 0)) {
    snprintf(err, errlen, "package `%s` is not visible now", pkg);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  if (!p.automatic && p.register_by[0] && strcmp(now, p.register_by) > 0) {
    snprintf(err, errlen, "the registration deadline of `%s` has passed (%s)", pkg, p.register_by);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  if (!unsubscribe && (rc = check_params(p.params, params_json, &params, err, errlen))) goto out;
  const char *state = unsubscribe ? "unsubscribed" : p.automatic ? "registered" : "ordered";
  DbStmt *st = db_prepare(db, "INSERT INTO camp_distrib_orders(package, entity, state, params, ordered_by, ordered_at)"
                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(package, entity) DO UPDATE SET"
                              " state = excluded.state, params = COALESCE(excluded.params, camp_distrib_orders.params),"
                              " ordered_by = excluded.ordered_by, ordered_at = excluded.ordered_at,"
                              " decided_by = NULL, decided_at = NULL");
  if (!st) { rc = DISTRIB_ERROR; goto out; }
  db_bind_text(st, 1, pkg);
  db_bind_text(st, 2, op->entity);
  db_bind_text(st, 3, state);
  if (params) db_bind_text(st, 4, params); else db_bind_null(st, 4);
  db_bind_text(st, 5, op->login);
  db_bind_text(st, 6, now);
  if (db_step(st) < 0) rc = DISTRIB_ERROR;
  db_finalize(st);
  if (!rc) rc = store_distrib_log(db, now, op->login, op->entity, unsubscribe ? "unsubscribe" : "order", pkg) ? DISTRIB_ERROR : 0;
  if (!rc && !unsubscribe && !p.automatic) {
    /* the central entity's approvers hear of it */
    st = db_prepare(db, "INSERT INTO camp_notifications(kind, recipient, subject, body, created_at)"
                        " SELECT 'order', o.login, ?, ?, ? FROM camp_distrib_operators AS o"
                        " JOIN camp_distrib_entities AS e ON e.name = o.entity"
                        " WHERE e.central = 1 AND o.role IN ('administrator', 'approver')");
    if (st) {
      char subj[400];
      snprintf(subj, sizeof subj, "%s ordered package %s", op->entity, pkg);
      db_bind_text(st, 1, subj);
      db_bind_text(st, 2, "Approve or reject the order on the central page of camp serve, or with `camp packages approve`.");
      db_bind_text(st, 3, now);
      if (db_step(st) < 0) rc = DISTRIB_ERROR;
      db_finalize(st);
    } else rc = DISTRIB_ERROR;
  }
out:
  free(params);
  if (rc == DISTRIB_ERROR && !err[0]) snprintf(err, errlen, "%s", db_error(db));
  if (rc) db_rollback(db);
  else if (db_commit(db)) { snprintf(err, errlen, "%s", db_error(db)); return DISTRIB_ERROR; }
  return rc;
}

int distrib_decide_order(Db *db, const DistOp *op, const char *pkg, const char *entity,
                         int approve, const char *now, char *err, size_t errlen) {
  if (!op->central || (strcmp(op->role, "administrator") && strcmp(op->role, "approver"))) {
    snprintf(err, errlen, "only the central entity's approvers and administrators decide orders");
    return DISTRIB_FORBIDDEN;
  }
  if (db_begin(db)) {
    snprintf(err, errlen, "the database is busy: %s", db_error(db));
    return DISTRIB_ERROR;
  }
  DbStmt *st = db_prepare(db, "UPDATE camp_distrib_orders SET state = ?, decided_by = ?, decided_at = ?"
                              " WHERE package = ? AND entity = ? AND state = 'ordered'");
  int rc = st ? 0 : DISTRIB_ERROR;
  if (st) {
    db_bind_text(st, 1, approve ? "approved" : "rejected");
    db_bind_text(st, 2, op->login);
    db_bind_text(st, 3, now);
    db_bind_text(st, 4, pkg);
    db_bind_text(st, 5, entity);
    if (db_step(st) < 0) rc = DISTRIB_ERROR;
    db_finalize(st);
    if (!rc && db_changes(db) != 1) {
      snprintf(err, errlen, "no order of `%s` by %s waits for a decision", pkg, entity);
      rc = DISTRIB_INVALID;
    }
  }
  if (!rc && store_distrib_log(db, now, op->login, entity, approve ? "approve-order" : "reject-order", pkg))
    rc = DISTRIB_ERROR;
  if (rc == DISTRIB_ERROR) snprintf(err, errlen, "%s", db_error(db));
  if (rc) db_rollback(db);
  else if (db_commit(db)) { snprintf(err, errlen, "%s", db_error(db)); return DISTRIB_ERROR; }
  return rc;
}

/* ------------------------------------------------------------ contacts */

int distrib_may_decide(Db *db, const DistOp *op, const char *assignee) {
  if (!strcmp(assignee, op->entity)) return acts_locally(op);
  /* a group: membership read from the database on every decision */
  DbStmt *st = db_prepare(db, "SELECT count(*) FROM camp_distrib_members AS m JOIN camp_distrib_operators AS o"
                              " ON o.login = m.login WHERE m.grp = ? AND m.login = ? AND o.role <> 'viewer'");
  if (!st) return 0;
  db_bind_text(st, 1, assignee);
  db_bind_text(st, 2, op->login);
  int ok = db_step(st) == 1 && db_column(st, 0).i > 0;
  db_finalize(st);
  return ok;
}

int distrib_decide_contacts(Db *db, const DistOp *op, const char *assignee, int64_t run, const char *step,
                            const char *const *keys, int n, int approve, const char *now,
                            int64_t *changed, char *err, size_t errlen) {
  *changed = 0;
  const char *who = assignee && *assignee ? assignee : op->entity;
  if (!distrib_may_decide(db, op, who)) {
    if (!strcmp(who, op->entity))
      snprintf(err, errlen, "only a local entity's manager, approver or administrator decides its contacts");
    else snprintf(err, errlen, "%s is not a member of group %.100s", op->login, who);
    return DISTRIB_FORBIDDEN;
  }
  if (db_begin(db)) {
    snprintf(err, errlen, "the database is busy: %s", db_error(db));
    return DISTRIB_ERROR;
  }
  int rc = DISTRIB_OK;
  /* the request must be this entity's, open, and before its deadline */
  DbStmt *st = db_prepare(db, "SELECT deadline_at, state FROM camp_distrib_requests"
                              " WHERE run_id = ? AND step = ? AND entity = ?");
  if (!st) { rc = DISTRIB_ERROR; goto out; }
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, step);
  db_bind_text(st, 3, who);
  int open = 0;
  if (db_step(st) == 1) {
    DbValue d = db_column(st, 0), s = db_column(st, 1);
    open = s.kind == DBV_TEXT && !strcmp(s.s, "open") && d.kind == DBV_TEXT && strcmp(now, d.s) < 0;
  }
  db_finalize(st);
  if (!open) {
    snprintf(err, errlen, "no open local approval of %s in run %lld step %s", who, (long long)run, step);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  const char *state = approve ? "approved" : "removed";
  if (n < 0) {
    st = db_prepare(db, "UPDATE camp_distrib_contacts SET state = ?, decided_by = ?, decided_at = ?"
                        " WHERE run_id = ? AND step = ? AND entity = ? AND state = 'pending'");
    if (!st) { rc = DISTRIB_ERROR; goto out; }
    db_bind_text(st, 1, state);
    db_bind_text(st, 2, op->login);
    db_bind_text(st, 3, now);
    db_bind_int(st, 4, run);
    db_bind_text(st, 5, step);
    db_bind_text(st, 6, who);
    if (db_step(st) < 0) rc = DISTRIB_ERROR;
    db_finalize(st);
    if (!rc) *changed = db_changes(db);
  } else {
    for (int i = 0; i < n && !rc; i++) {
      /* a key of another entity (or of no run) refuses the whole request */
      st = db_prepare(db, "UPDATE camp_distrib_contacts SET state = ?, decided_by = ?, decided_at = ?"
                          " WHERE run_id = ? AND step = ? AND entity = ? AND recipient_key = ?"
                          " AND state IN ('pending', 'approved', 'removed')");
      if (!st) { rc = DISTRIB_ERROR; break; }
      db_bind_text(st, 1, state);
      db_bind_text(st, 2, op->login);
      db_bind_text(st, 3, now);
      db_bind_int(st, 4, run);
      db_bind_text(st, 5, step);
      db_bind_text(st, 6, who);
      db_bind_text(st, 7, keys[i]);
      if (db_step(st) < 0) rc = DISTRIB_ERROR;
      db_finalize(st);
      if (!rc && db_changes(db) != 1) {
        snprintf(err, errlen, "contact %.64s is not one of %s's contacts in this approval", keys[i], who);
        rc = DISTRIB_FORBIDDEN;
      }
      if (!rc) (*changed)++;
    }
  }
  if (!rc) {
    char detail[300];
    snprintf(detail, sizeof detail, "run %lld step %s: %lld contact%s %s", (long long)run, step,
             (long long)*changed, *changed == 1 ? "" : "s", state);
    if (store_distrib_log(db, now, op->login, who, approve ? "approve-contacts" : "remove-contacts", detail))
      rc = DISTRIB_ERROR;
  }
out:
  if (rc == DISTRIB_ERROR) snprintf(err, errlen, "%s", db_error(db));
  if (rc) {
    db_rollback(db);
    *changed = 0;
  } else if (db_commit(db)) {
    snprintf(err, errlen, "%s", db_error(db));
    return DISTRIB_ERROR;
  }
  return rc;
}

/* ----------------------------------------------------- child campaigns */

int distrib_edit_child(Db *db, const DistOp *op, int64_t run, const char *pkg, const char *params_json,
                       const char *now, char *err, size_t errlen) {
  if (!acts_locally(op)) {
    snprintf(err, errlen, "only a local entity's manager, approver or administrator edits its child campaign");
    return DISTRIB_FORBIDDEN;
  }
  if (db_begin(db)) {
    snprintf(err, errlen, "the database is busy: %s", db_error(db));
    return DISTRIB_ERROR;
  }
  int rc = DISTRIB_OK;
  char *params = NULL;
  /* op's own child of this run, while its local approval is open */
  DbStmt *st = db_prepare(db, "SELECT k.params, r.state, r.deadline_at FROM camp_distrib_children AS ch"
                              " JOIN camp_distrib_packages AS k ON k.name = ch.package"
                              " LEFT JOIN camp_distrib_requests AS r ON r.run_id = ch.run_id AND r.step = ch.step"
                              " AND r.entity = ch.entity"
                              " WHERE ch.run_id = ? AND ch.package = ? AND ch.entity = ?");
  if (!st) { rc = DISTRIB_ERROR; goto out; }
  db_bind_int(st, 1, run);
  db_bind_text(st, 2, pkg);
  db_bind_text(st, 3, op->entity);
  char decl[8192] = "";
  int found = 0, open = 0;
  if (db_step(st) == 1) {
    found = 1;
    copy(decl, sizeof decl, db_column(st, 0));
    DbValue s = db_column(st, 1), d = db_column(st, 2);
    /* editable while the entity's local approval is open (an entity that
     * was handed no contacts has no request: nothing to edit) */
    open = s.kind == DBV_TEXT && !strcmp(s.s, "open") && d.kind == DBV_TEXT && strcmp(now, d.s) < 0;
  }
  db_finalize(st);
  if (!found) {
    snprintf(err, errlen, "%s has no child campaign of `%s` in run %lld", op->entity, pkg, (long long)run);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  if (!open) {
    snprintf(err, errlen, "the child campaign of %s in run %lld can no longer be changed (its deadline has passed)",
             op->entity, (long long)run);
    rc = DISTRIB_FORBIDDEN;
    goto out;
  }
  /* only the parameters the package declares, within their limits */
  if ((rc = check_params(decl, params_json, &params, err, errlen))) goto out;
  st = db_prepare(db, "UPDATE camp_distrib_children SET params = ? WHERE run_id = ? AND package = ? AND entity = ?");
  if (!st) { rc = DISTRIB_ERROR; goto out; }
  db_bind_text(st, 1, params);
  db_bind_int(st, 2, run);
  db_bind_text(st, 3, pkg);
  db_bind_text(st, 4, op->entity);
  if (db_step(st) < 0) rc = DISTRIB_ERROR;
  db_finalize(st);
  if (!rc) {
    char detail[300];
    snprintf(detail, sizeof detail, "run %lld package %.100s: %.150s", (long long)run, pkg, params);
    if (store_distrib_log(db, now, op->login, op->entity, "edit-child", detail)) rc = DISTRIB_ERROR;
  }
out:
  free(params);
  if (rc == DISTRIB_ERROR && !err[0]) snprintf(err, errlen, "%s", db_error(db));
  if (rc) db_rollback(db);
  else if (db_commit(db)) { snprintf(err, errlen, "%s", db_error(db)); return DISTRIB_ERROR; }
  return rc;
}
