/* store_distrib.c — the distributed-marketing tables (see store_distrib.h). */
#include "runtime/db/store_distrib.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Plain types and composite keys only: the same DDL on SQLite and PostgreSQL. */
static const char DDL_V1[] =
    "CREATE TABLE IF NOT EXISTS camp_distrib_entities(name TEXT PRIMARY KEY, label TEXT NOT NULL,"
    " central INTEGER NOT NULL, parent TEXT, data TEXT);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_operators(login TEXT PRIMARY KEY, entity TEXT NOT NULL,"
    " role TEXT NOT NULL, pw_hash TEXT);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_packages(name TEXT PRIMARY KEY, label TEXT NOT NULL,"
    " campaign TEXT NOT NULL, visible_from TEXT, visible_until TEXT, register_by TEXT,"
    " personalize_by TEXT, automatic INTEGER NOT NULL, variant TEXT NOT NULL, cost REAL,"
    " share TEXT, params TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_offers(package TEXT NOT NULL, entity TEXT NOT NULL,"
    " PRIMARY KEY(package, entity));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_orders(package TEXT NOT NULL, entity TEXT NOT NULL,"
    " state TEXT NOT NULL, params TEXT, ordered_by TEXT, ordered_at TEXT, decided_by TEXT,"
    " decided_at TEXT, PRIMARY KEY(package, entity));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_contacts(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " recipient_key TEXT NOT NULL, value TEXT, entity TEXT, state TEXT NOT NULL, decided_by TEXT,"
    " decided_at TEXT, PRIMARY KEY(run_id, step, recipient_key));"
    "CREATE INDEX IF NOT EXISTS camp_distrib_contacts_entity ON camp_distrib_contacts(entity, run_id, step);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_requests(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " entity TEXT NOT NULL, campaign TEXT NOT NULL, requested_at TEXT NOT NULL,"
    " deadline_at TEXT NOT NULL, remind_every INTEGER, next_reminder_at TEXT,"
    " reminders INTEGER NOT NULL DEFAULT 0, contacts INTEGER NOT NULL,"
    " approve_default INTEGER NOT NULL, state TEXT NOT NULL, dim_table TEXT, dim_key TEXT, show_cols TEXT,"
    " PRIMARY KEY(run_id, step, entity));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_values(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " entity TEXT NOT NULL, name TEXT NOT NULL, value TEXT, PRIMARY KEY(run_id, step, entity, name));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_sessions(token_hash TEXT PRIMARY KEY,"
    " login TEXT NOT NULL, csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_log(at TEXT NOT NULL, who TEXT, entity TEXT,"
    " action TEXT NOT NULL, detail TEXT);";

/* Version 2: operator groups, child campaigns (variant campaign), failed
 * logins of `camp serve` (rate limit), the cost-sharing settings. */
static const char DDL_V2[] =
    "CREATE TABLE IF NOT EXISTS camp_distrib_groups(name TEXT PRIMARY KEY, label TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS camp_distrib_members(grp TEXT NOT NULL, login TEXT NOT NULL,"
    " PRIMARY KEY(grp, login));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_children(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " package TEXT NOT NULL, entity TEXT NOT NULL, campaign TEXT NOT NULL, params TEXT,"
    " created_at TEXT NOT NULL, PRIMARY KEY(run_id, package, entity));"
    "CREATE TABLE IF NOT EXISTS camp_distrib_login_failures(who TEXT NOT NULL, at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS camp_distrib_login_failures_who ON camp_distrib_login_failures(who, at);"
    "ALTER TABLE camp_distrib_packages ADD COLUMN central_pct REAL;"
    "ALTER TABLE camp_distrib_packages ADD COLUMN per_message REAL;";

int store_distrib_current(Db *db) {
  return db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                          " WHERE key = 'distrib_schema_version'", -1) == STORE_DISTRIB_VERSION;
}

int store_distrib_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'distrib_schema_version'", 0);
  if (v > STORE_DISTRIB_VERSION) {
    snprintf(err, errlen, "this database's distributed-marketing tables were written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_DISTRIB_VERSION);
    return -1;
  }
  if (v < 1 && db_exec_ddl(db, DDL_V1)) goto fail;
  if (v < 2 && db_exec_ddl(db, DDL_V2)) goto fail;
  char sql[160];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('distrib_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_DISTRIB_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the distributed-marketing tables: %s", db_error(db));
  return -1;
}

int store_distrib_log(Db *db, const char *now, const char *who, const char *entity,
                      const char *action, const char *detail) {
  DbStmt *st = db_prepare(db, "INSERT INTO camp_distrib_log(at, who, entity, action, detail) VALUES (?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_text(st, 1, now);
  if (who) db_bind_text(st, 2, who); else db_bind_null(st, 2);
  if (entity) db_bind_text(st, 3, entity); else db_bind_null(st, 3);
  db_bind_text(st, 4, action);
  if (detail) db_bind_text(st, 5, detail); else db_bind_null(st, 5);
  int rc = db_step(st) < 0 ? -1 : 0;
  db_finalize(st);
  return rc;
}

/* Runs sql with text parameters (NULL binds NULL). */
static int exec_texts(Db *db, const char *sql, const char *const *v, int n) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  for (int i = 0; i < n; i++) {
    if (v[i]) db_bind_text(st, i + 1, v[i]);
    else db_bind_null(st, i + 1);
  }
  int rc = db_step(st) < 0 ? -1 : 0;
  db_finalize(st);
  return rc;
}

static char *params_json(const DistPackage *p) {
  json_t *a = json_array();
  for (int i = 0; i < p->params.len; i++) {
    FormParam *fp = p->params.items[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(fp->name));
    json_object_set_new(o, "type", json_string(fp->type->name));
    Expr *vals[3] = {fp->lo, fp->hi, fp->def};
    const char *keys[3] = {"min", "max", "default"};
    for (int k = 0; k < 3; k++) {
      Expr *e = vals[k];
      if (!e) continue;
      if (e->kind == E_INT) json_object_set_new(o, keys[k], json_integer(e->ival));
      else if (e->kind == E_DEC) json_object_set_new(o, keys[k], json_real(e->dval));
      else if (e->kind == E_STR) json_object_set_new(o, keys[k], json_string(e->text));
    }
    if (fp->has_maxlen) json_object_set_new(o, "maxlen", json_integer(fp->maxlen));
    json_array_append_new(a, o);
  }
  char *s = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  return s;
}

/* Deletes rows of table whose column col is not among names. */
static int prune(Db *db, const char *table, const char *col, const char *const *names, int n) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM %s", col, table);
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  PtrVec gone = {0};
  Arena a = {0};
  while (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    if (v.kind != DBV_TEXT) continue;
    int keep = 0;
    for (int i = 0; i < n && !keep; i++) keep = !strcmp(names[i], v.s);
    if (!keep) vec_push(&a, &gone, arena_strdup(&a, v.s));
  }
  db_finalize(st);
  int rc = 0;
  snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = ?", table, col);
  for (int i = 0; i < gone.len && !rc; i++) {
    const char *v[1] = {gone.items[i]};
    rc = exec_texts(db, sql, v, 1);
  }
  arena_free(&a);
  return rc;
}

int store_distrib_sync(Db *db, const DistModel *m, const char *now, char *err, size_t errlen) {
  Arena a = {0};
  const char **names = calloc((size_t)(m->entities.len + m->operators.len + m->packages.len + 1), sizeof *names);
  int rc = 0;
  for (int i = 0; i < m->entities.len && !rc; i++) {
    DistEntity *e = m->entities.items[i];
    const char *v[5] = {e->name, e->label, e->central ? "1" : "0", e->parent ? e->parent->name : NULL, e->data};
    rc = exec_texts(db, "INSERT INTO camp_distrib_entities(name, label, central, parent, data) VALUES (?, ?, CAST(? AS INTEGER), ?, ?)"
                        " ON CONFLICT(name) DO UPDATE SET label = excluded.label, central = excluded.central,"
                        " parent = excluded.parent, data = excluded.data", v, 5);
    names[i] = e->name;
  }
  if (!rc) rc = prune(db, "camp_distrib_entities", "name", names, m->entities.len);
  for (int i = 0; i < m->operators.len && !rc; i++) {
    DistOperator *o = m->operators.items[i];
    const char *v[3] = {o->login, o->entity->name, distrib_role_name(o->role)};
    rc = exec_texts(db, "INSERT INTO camp_distrib_operators(login, entity, role) VALUES (?, ?, ?)"
                        " ON CONFLICT(login) DO UPDATE SET entity = excluded.entity, role = excluded.role", v, 3);
    names[i] = o->login;
  }
  if (!rc) rc = prune(db, "camp_distrib_operators", "login", names, m->operators.len);
  for (int i = 0; i < m->packages.len && !rc; i++) {
    DistPackage *p = m->packages.items[i];
    char *pj = params_json(p);
    char cost[40], pct[40], per[40];
    snprintf(cost, sizeof cost, "%.17g", p->cost);
    snprintf(pct, sizeof pct, "%.17g", p->central_pct);
    snprintf(per, sizeof per, "%.17g", p->per_message);
    const char *v[12] = {p->name, p->label, p->campaign,
                         p->visible_from[0] ? p->visible_from : NULL,
                         p->visible_until[0] ? p->visible_until : NULL,
                         p->register_by[0] ? p->register_by : NULL,
                         p->personalize_by[0] ? p->personalize_by : NULL,
                         p->automatic ? "1" : "0", p->variant, cost,
                         p->cost_by_contacts ? "by_contacts" : "equally", pj};
    rc = exec_texts(db, "INSERT INTO camp_distrib_packages(name, label, campaign, visible_from, visible_until,"
                        " register_by, personalize_by, automatic, variant, cost, share, params)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, CAST(? AS REAL), ?, ?)"
                        " ON CONFLICT(name) DO UPDATE SET label = excluded.label, campaign = excluded.campaign,"
                        " visible_from = excluded.visible_from, visible_until = excluded.visible_until,"
                        " register_by = excluded.register_by, personalize_by = excluded.personalize_by,"
                        " automatic = excluded.automatic, variant = excluded.variant, cost = excluded.cost,"
                        " share = excluded.share, params = excluded.params", v, 12);
    free(pj);
    const char *cv[3] = {pct, per, p->name};
    if (!rc) rc = exec_texts(db, "UPDATE camp_distrib_packages SET central_pct = CAST(? AS REAL),"
                                 " per_message = CAST(? AS REAL) WHERE name = ?", cv, 3);
    names[i] = p->name;
    const char *d[1] = {p->name};
    if (!rc) rc = exec_texts(db, "DELETE FROM camp_distrib_offers WHERE package = ?", d, 1);
    for (int k = 0; k < p->offer.len && !rc; k++) {
      DistEntity *e = p->offer.items[k];
      const char *o[2] = {p->name, e->name};
      rc = exec_texts(db, "INSERT INTO camp_distrib_offers(package, entity) VALUES (?, ?)", o, 2);
      if (!rc && p->automatic) {
        const char *r[4] = {p->name, e->name, "registered", now};
        rc = exec_texts(db, "INSERT INTO camp_distrib_orders(package, entity, state, ordered_by, ordered_at)"
                            " VALUES (?, ?, ?, 'automatic', ?) ON CONFLICT(package, entity) DO NOTHING", r, 4);
      }
    }
  }
  if (!rc) rc = prune(db, "camp_distrib_packages", "name", names, m->packages.len);
  /* operator groups: replaced as a whole (a member removed from the model
   * can no longer decide the group's contacts) */
  if (!rc) rc = db_exec(db, "DELETE FROM camp_distrib_members; DELETE FROM camp_distrib_groups");
  for (int i = 0; i < m->groups.len && !rc; i++) {
    DistEntity *g = m->groups.items[i];
    const char *v[2] = {g->name, g->label};
    rc = exec_texts(db, "INSERT INTO camp_distrib_groups(name, label) VALUES (?, ?)", v, 2);
    for (int k = 0; k < g->operators.len && !rc; k++) {
      const char *mv[2] = {g->name, ((DistOperator *)g->operators.items[k])->login};
      rc = exec_texts(db, "INSERT INTO camp_distrib_members(grp, login) VALUES (?, ?)", mv, 2);
    }
  }
  if (rc) snprintf(err, errlen, "cannot store the distributed-marketing model: %s", db_error(db));
  free(names);
  arena_free(&a);
  return rc;
}
