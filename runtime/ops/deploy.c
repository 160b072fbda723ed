/* deploy.c — `camp deploy`: a checked campaign becomes a version in the
 * database.  The sources it was compiled from (every file, imports too)
 * and their hash are recorded; an unchanged hash deploys nothing; a
 * changed one is the next version, planned at once, and its counts are
 * shown against the plan recorded for the previous version. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store.h"
#include "runtime/exec/exec.h"
#include "runtime/ops/ops.h"

/* {"path": "text", ...} of every source the program was compiled from. */
static char *sources_json(Program *p) {
  json_t *o = json_object();
  for (int i = 0; i < p->diags.nfiles; i++) {
    const SourceFile *f = p->diags.files[i];
    json_t *t = json_stringn(f->text, f->len);
    json_object_set_new(o, f->path, t ? t : json_null());
  }
  char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
  json_decref(o);
  return s;
}

typedef struct Count {
  int idx;
  char *step, *output;
  int64_t count;
} Count;

/* Runs the plan and collects every output's count. */
static int plan_counts(Db *db, Program *p, Decl *camp, const DeployOptions *o, char now[20], Count **out, int *n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (!mem) return -1;
  ExecOptions e;
  memset(&e, 0, sizeof e);
  e.now = o->now;
  e.engine = o->engine;
  e.db_path = o->db_path;
  e.json = 1;
  e.out = mem;
  int rc = exec_plan(db, p, camp, o->file, &e);
  fclose(mem);
  json_t *root = rc == 0 ? json_loads(buf, 0, NULL) : NULL;
  free(buf);
  if (!root) return -1;
  snprintf(now, 20, "%s", json_string_value(json_object_get(root, "now")));
  json_t *steps = json_object_get(root, "steps");
  *n = 0;
  *out = NULL;
  for (size_t i = 0; i < json_array_size(steps); i++) {
    json_t *s = json_array_get(steps, i);
    json_t *counts = json_object_get(s, "counts");
    const char *key;
    json_t *v;
    json_object_foreach(counts, key, v) {
      *out = realloc(*out, sizeof **out * (size_t)(*n + 1));
      if (!*out) abort();
      Count *c = &(*out)[(*n)++];
      c->idx = (int)i;
      c->step = strdup(json_string_value(json_object_get(s, "step")));
      c->output = strdup(key);
      c->count = json_is_integer(v) ? json_integer_value(v) : -1;
    }
  }
  json_decref(root);
  return 0;
}

static void free_counts(Count *c, int n) {
  for (int i = 0; i < n; i++) free(c[i].step), free(c[i].output);
  free(c);
}

/* `terraform plan`-style lines: + added, - removed, ~ changed. */
static void print_diff(Db *db, const char *campaign, int64_t prev, Count *c, int n, FILE *out) {
  int added = 0, removed = 0, changed = 0, same = 0;
  DbStmt *st = db_prepare(db, "SELECT count FROM camp_version_counts WHERE campaign = ? AND version = ? AND output = ?");
  for (int i = 0; i < n; i++) {
    int64_t before = -1;
    int had = 0;
    if (st && prev > 0) {
      db_reset(st);
      db_bind_text(st, 1, campaign);
      db_bind_int(st, 2, prev);
      db_bind_text(st, 3, c[i].output);
      if (db_step(st) == 1) {
        had = 1;
        before = db_column(st, 0).kind == DBV_INT ? db_column(st, 0).i : -1;
      }
    }
    if (!had) {
      added++;
      fprintf(out, "  + %-24s %10s -> %lld\n", c[i].output, "", (long long)c[i].count);
    } else if (before != c[i].count) {
      changed++;
      fprintf(out, "  ~ %-24s %10lld -> %lld (%+lld)\n", c[i].output, (long long)before, (long long)c[i].count,
              (long long)(c[i].count - before));
    } else {
      same++;
      fprintf(out, "    %-24s %10lld\n", c[i].output, (long long)c[i].count);
    }
  }
  db_finalize(st);
  if (prev > 0) {
    st = db_prepare(db, "SELECT output, count FROM camp_version_counts WHERE campaign = ? AND version = ? ORDER BY idx, rowid");
    if (st) {
      db_bind_text(st, 1, campaign);
      db_bind_int(st, 2, prev);
      while (db_step(st) == 1) {
        const char *name = db_column(st, 0).s;
        int found = 0;
        for (int i = 0; i < n && !found; i++) found = !strcmp(c[i].output, name);
        if (found) continue;
        removed++;
        fprintf(out, "  - %-24s %10lld -> (removed)\n", name, (long long)db_column(st, 1).i);
      }
      db_finalize(st);
    }
  }
  fprintf(out, "%d added, %d changed, %d removed, %d unchanged\n", added, changed, removed, same);
}

static int insert_counts(Db *db, const char *campaign, int64_t version, Count *c, int n) {
  DbStmt *st = db_prepare(db, "INSERT INTO camp_version_counts(campaign, version, idx, step, output, count)"
                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(campaign, version, output)"
                              " DO UPDATE SET idx = excluded.idx, step = excluded.step, count = excluded.count");
  if (!st) return -1;
  int rc = 0;
  for (int i = 0; i < n && rc >= 0; i++) {
    db_reset(st);
    db_bind_text(st, 1, campaign);
    db_bind_int(st, 2, version);
    db_bind_int(st, 3, c[i].idx);
    db_bind_text(st, 4, c[i].step);
    db_bind_text(st, 5, c[i].output);
    if (c[i].count >= 0) db_bind_int(st, 6, c[i].count); else db_bind_null(st, 6);
    rc = db_step(st);
  }
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

int ops_deploy(Db *db, Program *p, Decl *camp, const DeployOptions *o) {
  FILE *out = o->out ? o->out : stdout;
  char err[512], hash[17], now[20];
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp deploy: %s\n", err);
    return 1;
  }
  exec_source_hash(p, hash);
  int64_t prev = 0;
  CampState state = ops_state(db, camp->name);
  DbStmt *st = db_prepare(db, "SELECT v.version, v.source_hash FROM camp_campaigns c JOIN camp_versions v"
                              " ON v.campaign = c.name AND v.version = c.version WHERE c.name = ?");
  if (!st) goto dberr;
  db_bind_text(st, 1, camp->name);
  int same = 0;
  if (db_step(st) == 1) {
    prev = db_column(st, 0).i;
    same = !strcmp(db_column(st, 1).s, hash);
  }
  db_finalize(st);
  if (state == CS_ARCHIVED || state == CS_CLOSED) {
    fprintf(stderr, "camp deploy: campaign %s is %s; it takes no new version%s\n", camp->name,
            camp_state_name(state), state == CS_ARCHIVED ? " (deploy it under a new name)" : " until it completes");
    return 1;
  }
  if (same) {
    fprintf(out, "%s: version %lld is unchanged (source hash %s); nothing to deploy\n", camp->name,
            (long long)prev, hash);
    return 0;
  }
  Count *counts = NULL;
  int n = 0;
  if (plan_counts(db, p, camp, o, now, &counts, &n)) {
    fprintf(stderr, "camp deploy: the plan of %s failed; nothing was deployed\n", camp->name);
    return 1;
  }
  char *src = sources_json(p);
  char abs[PATH_MAX];
  const char *file = realpath(o->file, abs) ? abs : o->file;
  if (db_begin(db)) {
    free(src);
    free_counts(counts, n);
    goto dberr;
  }
  int64_t version = 1;
  st = db_prepare(db, "SELECT coalesce(max(version), 0) + 1 FROM camp_versions WHERE campaign = ?");
  if (st) {
    db_bind_text(st, 1, camp->name);
    if (db_step(st) == 1) version = db_column(st, 0).i;
    db_finalize(st);
  }
  st = db_prepare(db, "INSERT INTO camp_versions(campaign, version, source_hash, source_file, source, deployed_at,"
                      " deployed_by, planned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  int rc = st ? 0 : -1;
  if (st) {
    db_bind_text(st, 1, camp->name);
    db_bind_int(st, 2, version);
    db_bind_text(st, 3, hash);
    db_bind_text(st, 4, file);
    db_bind_text(st, 5, src ? src : "{}");
    db_bind_text(st, 6, now);
    db_bind_text(st, 7, o->who);
    db_bind_text(st, 8, now);
    rc = db_step(st) < 0 ? -1 : 0;
    db_finalize(st);
  }
  free(src);
  if (rc == 0) rc = insert_counts(db, camp->name, version, counts, n);
  char why[600];
  snprintf(why, sizeof why, "version %lld%s%s", (long long)version, o->reason && *o->reason ? ": " : "",
           o->reason && *o->reason ? o->reason : "");
  CampState to = state == CS_NONE || state == CS_TEST || state == CS_COMPLETED || state == CS_STOPPED ? CS_DRAFT : state;
  if (rc == 0 && state == CS_NONE) {
    st = db_prepare(db, "INSERT INTO camp_campaigns(name, state, version, source_file, created_at, updated_at)"
                        " VALUES (?, 'draft', ?, ?, ?, ?)");
    rc = st ? 0 : -1;
    if (st) {
      db_bind_text(st, 1, camp->name);
      db_bind_int(st, 2, version);
      db_bind_text(st, 3, file);
      db_bind_text(st, 4, now);
      db_bind_text(st, 5, now);
      rc = db_step(st) < 0 ? -1 : 0;
      db_finalize(st);
    }
  } else if (rc == 0) {
    st = db_prepare(db, "UPDATE camp_campaigns SET version = ?, source_file = ?, state = ?, updated_at = ? WHERE name = ?");
    rc = st ? 0 : -1;
    if (st) {
      db_bind_int(st, 1, version);
      db_bind_text(st, 2, file);
      db_bind_text(st, 3, camp_state_name(to));
      db_bind_text(st, 4, now);
      db_bind_text(st, 5, camp->name);
      rc = db_step(st) < 0 ? -1 : 0;
      db_finalize(st);
    }
  }
  if (rc == 0)
    rc = ops_audit(db, now, o->who, camp->name, 0, NULL, "deploy", state == CS_NONE ? NULL : camp_state_name(state),
                   camp_state_name(to), why);
  if (rc || db_commit(db)) {
    db_rollback(db);
    free_counts(counts, n);
    goto dberr;
  }
  fprintf(out, "deployed %s version %lld (%s%s%s), source hash %s\n", camp->name, (long long)version,
          state != CS_NONE && state != to ? camp_state_name(state) : "", state != CS_NONE && state != to ? " -> " : "",
          camp_state_name(to), hash);
  if (prev) fprintf(out, "plan at %s against version %lld's plan:\n", now, (long long)prev);
  else fprintf(out, "plan at %s:\n", now);
  print_diff(db, camp->name, prev, counts, n, out);
  free_counts(counts, n);
  return 0;
dberr:
  fprintf(stderr, "camp deploy: %s\n", db_error(db));
  return 1;
}
