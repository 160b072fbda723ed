/* segments.c — segments as in Dynamics 365 (mops.h, docs/marketing-ops.md):
 * a named set of contacts of one dimension, edited by criteria — add the
 * contacts matching a rule, reduce (remove those matching), refine (keep
 * only those matching) — the criteria saved in order so `reapply` rebuilds
 * the segment from today's data, and every version logged with its member
 * snapshot (a "logged segment") so versions can be listed and compared.
 *
 * A criterion is a camp rule over the dimension, compiled with the schema
 * file the segment was created with: the rule becomes the `where` of a
 * one-step campaign, checked like any campaign (errors at `--where:1:COL`)
 * and planned with the runtime's own executor (exec_plan), so a segment
 * matches exactly what a campaign's `DIM where RULE` selects, on SQLite and
 * PostgreSQL alike. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec.h"
#include "runtime/mops/mops.h"
#include "runtime/ops/ops.h"
#include "runtime/report/report.h"

#define CRITERIA_CAMPAIGN "camp_segment_criteria"
#define CRITERIA_PATH "--where"

typedef struct Keys {
  char **v;
  int64_t n, cap;
} Keys;

static void keys_free(Keys *k) {
  for (int64_t i = 0; i < k->n; i++) free(k->v[i]);
  free(k->v);
  memset(k, 0, sizeof *k);
}

/* The plan's inspect hook: the keys of the criteria's one output. */
static int collect_keys(Db *db, const char *prefix, void *ctx) {
  Keys *k = ctx;
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT CAST(\"_key\" AS TEXT) FROM \"%sx\"", prefix);
  DbStmt *st = db_prepare(db, sql);
  if (!st) return 1;
  while (db_step(st) == 1) {
    if (k->n == k->cap) {
      k->cap = k->cap ? k->cap * 2 : 256;
      k->v = realloc(k->v, sizeof *k->v * (size_t)k->cap);
      if (!k->v) abort();
    }
    const char *s = db_column(st, 0).s;
    k->v[k->n] = strdup(s ? s : "");
    if (!k->v[k->n++]) abort();
  }
  db_finalize(st);
  return 0;
}

/* Moves the diagnostics of the generated criteria source onto the rule as
 * the user wrote it: the rule starts line 3 there, line 1 of `--where`. */
static void remap_diags(Program *p, int gen, const char *rule) {
  Diags *d = &p->diags;
  int where = diags_add_source(d, CRITERIA_PATH, rule, strlen(rule));
  const SourceFile *g = diags_file(d, gen);
  if (where < 0 || !g || g->nlines < 3) return;
  int base = g->line_starts[2], kept = 0;
  for (int i = 0; i < d->len; i++) {
    /* the generated step is used by nothing: no warning about that */
    if (d->items[i].loc.file == gen && d->items[i].level != DIAG_ERROR) continue;
    d->items[kept++] = d->items[i];
  }
  d->len = kept;
  for (int i = 0; i < d->len; i++) {
    Loc *l = &d->items[i].loc;
    if (l->file != gen) continue;
    if (l->line < 3) { /* the generated frame: point at the rule's start */
      l->line = l->end_line = 1;
      l->col = l->end_col = 1;
      l->off = l->end_off = 0;
    } else {
      l->line -= 2;
      l->end_line = l->end_line >= 3 ? l->end_line - 2 : l->line;
      l->off = l->off >= base ? l->off - base : 0;
      l->end_off = l->end_off >= base ? l->end_off - base : l->off;
    }
    l->file = where;
  }
}

/* The keys of dimension `dim` matching `rule`, compiled with the schemas of
 * `file`.  0; 1 when the rule (or the file) does not compile, diagnostics
 * printed to errout; -1 on a database error (err). */
static int match(Db *db, const char *file, const char *dim, const char *rule, const char *now, Keys *out,
                 FILE *errout, char *err, size_t errlen) {
  if (strchr(rule, '}')) { /* it would close the generated campaign early */
    fprintf(errout, CRITERIA_PATH ":1:%d: error: a rule has no `}`\n", (int)(strchr(rule, '}') - rule) + 1);
    return 1;
  }
  Program *p = program_new();
  if (program_load(p, file)) {
    fprintf(errout, "camp segment: cannot read %s\n", file);
    program_free(p);
    return 1;
  }
  size_t n = strlen(rule) + strlen(dim) + 128;
  char *text = malloc(n);
  if (!text) abort();
  snprintf(text, n, "campaign " CRITERIA_CAMPAIGN " {\n  x = %s where\n%s\n}\n", dim, rule);
  int before = p->diags.nfiles;
  program_load_text(p, "<segment criteria>", text);
  free(text);
  int gen = before < p->diags.nfiles ? before : -1;
  program_check(p);
  int known = 0;
  for (int i = 0; i < p->schemas.len; i++) known |= !strcmp(((Schema *)p->schemas.items[i])->name, dim);
  if (!known) {
    fprintf(errout, "camp segment: %s declares no schema `%s`\n", file, dim);
    program_free(p);
    return 1;
  }
  if (gen >= 0) remap_diags(p, gen, rule);
  if (p->diags.nerrors) {
    diags_sort(&p->diags);
    diags_print_text(&p->diags, errout, 0);
    program_free(p);
    return 1;
  }
  Decl *camp = program_campaign(p, CRITERIA_CAMPAIGN);
  ExecOptions e;
  memset(&e, 0, sizeof e);
  e.now = now;
  e.engine = "sql";
  FILE *sink = fopen("/dev/null", "w");
  e.out = sink ? sink : stdout;
  e.inspect = collect_keys;
  e.inspect_ctx = out;
  int rc = camp ? exec_plan(db, p, camp, file, &e) : 1;
  if (sink) fclose(sink);
  program_free(p);
  if (rc) {
    snprintf(err, errlen, "the segment's criteria could not be evaluated: %s", db_error(db));
    keys_free(out);
    return -1;
  }
  return 0;
}

typedef struct Seg {
  char dim[256], file[4096];
  int64_t version;
  int declared;          /* kept by `camp segment apply` from a .camp file */
} Seg;

static int load_seg(Db *db, const char *name, Seg *s) {
  DbStmt *st = db_prepare(db, "SELECT dimension, source_file, version, declared FROM camp_mops_segments"
                              " WHERE name = ?");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  int found = db_step(st) == 1;
  if (found) {
    snprintf(s->dim, sizeof s->dim, "%s", db_column(st, 0).s);
    snprintf(s->file, sizeof s->file, "%s", db_column(st, 1).s);
    s->version = db_column(st, 2).i;
    s->declared = (int)db_column(st, 3).i;
  }
  db_finalize(st);
  return found ? 0 : 1;
}

static int exec1(Db *db, const char *sql, const char *a, int64_t i) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  if (a) db_bind_text(st, 1, a);
  if (i >= 0) db_bind_int(st, a ? 2 : 1, i);
  int rc = db_step(st);
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

/* The working set camp_seg_cur (TEMP): starts as version `from` (0: empty). */
static int cur_load(Db *db, const char *name, int64_t from) {
  if (db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS camp_seg_cur(contact TEXT PRIMARY KEY);"
                  "CREATE TEMP TABLE IF NOT EXISTS camp_seg_match(contact TEXT PRIMARY KEY);"
                  "DELETE FROM camp_seg_cur; DELETE FROM camp_seg_match"))
    return -1;
  return exec1(db, "INSERT INTO camp_seg_cur(contact) SELECT contact FROM camp_mops_segment_members"
                   " WHERE segment = ? AND version = ?", name, from);
}

/* camp_seg_cur op= keys. */
static int cur_apply(Db *db, const char *op, const Keys *k) {
  if (db_exec(db, "DELETE FROM camp_seg_match")) return -1;
  DbStmt *ins = db_prepare(db, "INSERT INTO camp_seg_match(contact) VALUES (?) ON CONFLICT DO NOTHING");
  if (!ins) return -1;
  for (int64_t i = 0; i < k->n; i++) {
    db_reset(ins);
    db_bind_text(ins, 1, k->v[i]);
    if (db_step(ins) < 0) {
      db_finalize(ins);
      return -1;
    }
  }
  db_finalize(ins);
  const char *sql =
      !strcmp(op, "add") ? "INSERT INTO camp_seg_cur(contact) SELECT contact FROM camp_seg_match"
                           " WHERE contact NOT IN (SELECT contact FROM camp_seg_cur)"
      : !strcmp(op, "reduce") ? "DELETE FROM camp_seg_cur WHERE contact IN (SELECT contact FROM camp_seg_match)"
                              : "DELETE FROM camp_seg_cur WHERE contact NOT IN (SELECT contact FROM camp_seg_match)";
  return db_exec(db, sql);
}

/* Writes camp_seg_cur as version cur + 1 with its log row; prints it. */
static int write_version(Db *db, const char *name, int64_t cur, const char *op, const char *rule, const char *now,
                         const char *who, FILE *out) {
  int64_t v = cur + 1;
  DbStmt *st = db_prepare(db, "INSERT INTO camp_mops_segment_members(segment, version, contact)"
                              " SELECT ?, ?, contact FROM camp_seg_cur");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, v);
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  int64_t members = db_query_int(db, "SELECT count(*) FROM camp_seg_cur", 0), added = 0, removed = 0;
  st = db_prepare(db, "SELECT (SELECT count(*) FROM camp_seg_cur c WHERE c.contact NOT IN"
                      "  (SELECT m.contact FROM camp_mops_segment_members m WHERE m.segment = ?1 AND m.version = ?2)),"
                      " (SELECT count(*) FROM camp_mops_segment_members m WHERE m.segment = ?1 AND m.version = ?2"
                      "  AND m.contact NOT IN (SELECT c.contact FROM camp_seg_cur c))");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, cur);
  if (db_step(st) == 1) {
    added = db_column(st, 0).i;
    removed = db_column(st, 1).i;
  }
  db_finalize(st);
  st = db_prepare(db, "INSERT INTO camp_mops_segment_versions(segment, version, op, rule, at, who, members, added,"
                      " removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, v);
  db_bind_text(st, 3, op);
  if (rule) db_bind_text(st, 4, rule); else db_bind_null(st, 4);
  db_bind_text(st, 5, now);
  db_bind_text(st, 6, who);
  db_bind_int(st, 7, members);
  db_bind_int(st, 8, added);
  db_bind_int(st, 9, removed);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  st = db_prepare(db, "UPDATE camp_mops_segments SET version = ? WHERE name = ?");
  if (!st) return -1;
  db_bind_int(st, 1, v);
  db_bind_text(st, 2, name);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0) return -1;
  char to[64];
  snprintf(to, sizeof to, "version %lld", (long long)v);
  if (ops_audit(db, now, who, NULL, 0, name, "segment", op, to, rule)) return -1;
  fprintf(out, "segment %s version %lld (%s): %lld members, +%lld -%lld\n", name, (long long)v, op,
          (long long)members, (long long)added, (long long)removed);
  return 0;
}

static int fail_db(Db *db, char *err, size_t errlen) {
  snprintf(err, errlen, "%s", db_error(db));
  db_rollback(db);
  return -1;
}

int mops_segment_create(Db *db, const char *name, const char *file, const char *dim, const char *now,
                        const char *who, FILE *out, FILE *errout, char *err, size_t errlen) {
  Seg s;
  int rc = load_seg(db, name, &s);
  if (rc < 0) return fail_db(db, err, errlen);
  if (rc == 0) {
    snprintf(err, errlen, "segment `%s` exists already (version %lld)", name, (long long)s.version);
    return 1;
  }
  /* the dimension must exist in the file: an empty rule-less check */
  Keys k = {0};
  rc = match(db, file, dim, "false", now, &k, errout, err, errlen);
  keys_free(&k);
  if (rc) return rc;
  char abs[4096];
  if (!realpath(file, abs)) snprintf(abs, sizeof abs, "%s", file);
  if (db_begin(db)) return fail_db(db, err, errlen);
  DbStmt *st = db_prepare(db, "INSERT INTO camp_mops_segments(name, dimension, source_file, version, created_at,"
                              " created_by) VALUES (?, ?, ?, 0, ?, ?)");
  if (!st) return fail_db(db, err, errlen);
  db_bind_text(st, 1, name);
  db_bind_text(st, 2, dim);
  db_bind_text(st, 3, abs);
  db_bind_text(st, 4, now);
  db_bind_text(st, 5, who);
  rc = db_step(st);
  db_finalize(st);
  if (rc < 0 || cur_load(db, name, 0) || write_version(db, name, 0, "create", NULL, now, who, out) || db_commit(db))
    return fail_db(db, err, errlen);
  return 0;
}

int mops_segment_edit(Db *db, const char *name, const char *op, const char *rule, const char *now, const char *who,
                      FILE *out, FILE *errout, char *err, size_t errlen) {
  Seg s;
  int rc = load_seg(db, name, &s);
  if (rc) {
    if (rc > 0) snprintf(err, errlen, "no segment `%s` (camp segment create %s FILE --of DIMENSION)", name, name);
    else snprintf(err, errlen, "%s", db_error(db));
    return rc;
  }
  int replay = !strcmp(op, "reapply");
  if (s.declared && !replay) { /* its criteria are the declaration's */
    snprintf(err, errlen, "segment `%s` is declared in %s: change the declaration there and run"
             " `camp segment apply %s`", name, s.file, s.file);
    return 1;
  }
  /* the criteria to evaluate: the one given, or every saved one */
  int n = 0, cap = 1;
  char (*ops)[8] = calloc((size_t)cap, sizeof *ops);
  char **rules = calloc((size_t)cap, sizeof *rules);
  if (!ops || !rules) abort();
  if (replay) {
    DbStmt *st = db_prepare(db, "SELECT op, rule FROM camp_mops_segment_criteria WHERE segment = ? ORDER BY seq");
    if (!st) {
      free(ops);
      free(rules);
      snprintf(err, errlen, "%s", db_error(db));
      return -1;
    }
    db_bind_text(st, 1, name);
    while (db_step(st) == 1) {
      if (n == cap) {
        cap *= 2;
        ops = realloc(ops, sizeof *ops * (size_t)cap);
        rules = realloc(rules, sizeof *rules * (size_t)cap);
        if (!ops || !rules) abort();
      }
      snprintf(ops[n], sizeof ops[n], "%s", db_column(st, 0).s);
      if (!(rules[n++] = strdup(db_column(st, 1).s))) abort();
    }
    db_finalize(st);
  } else {
    n = 1;
    snprintf(ops[0], sizeof ops[0], "%s", op);
    if (!(rules[0] = strdup(rule))) abort();
  }
  Keys *k = calloc((size_t)n + 1, sizeof *k);
  if (!k) abort();
  rc = 0;
  for (int i = 0; i < n && rc == 0; i++) rc = match(db, s.file, s.dim, rules[i], now, &k[i], errout, err, errlen);
  if (rc == 0) {
    if (db_begin(db)) rc = fail_db(db, err, errlen);
    else if (cur_load(db, name, replay ? 0 : s.version)) rc = fail_db(db, err, errlen);
    for (int i = 0; i < n && rc == 0; i++)
      if (cur_apply(db, ops[i], &k[i])) rc = fail_db(db, err, errlen);
    if (rc == 0 && !replay) {
      DbStmt *st = db_prepare(db, "INSERT INTO camp_mops_segment_criteria(segment, seq, op, rule) VALUES"
                                  " (?1, (SELECT coalesce(max(seq), 0) + 1 FROM camp_mops_segment_criteria"
                                  " WHERE segment = ?1), ?2, ?3)");
      if (!st) rc = fail_db(db, err, errlen);
      else {
        db_bind_text(st, 1, name);
        db_bind_text(st, 2, op);
        db_bind_text(st, 3, rule);
        if (db_step(st) < 0) rc = -1;
        db_finalize(st);
        if (rc) rc = fail_db(db, err, errlen);
      }
    }
    if (rc == 0 && (write_version(db, name, s.version, op, replay ? NULL : rule, now, who, out) || db_commit(db)))
      rc = fail_db(db, err, errlen);
  }
  for (int i = 0; i < n; i++) {
    keys_free(&k[i]);
    free(rules[i]);
  }
  free(k);
  free(rules);
  free(ops);
  return rc;
}

int mops_segment_show(Db *db, const char *name, int64_t version, int json, FILE *out, char *err, size_t errlen) {
  Seg s;
  int rc = load_seg(db, name, &s);
  if (rc) {
    if (rc > 0) snprintf(err, errlen, "no segment `%s`", name);
    else snprintf(err, errlen, "%s", db_error(db));
    return rc;
  }
  if (version <= 0) version = s.version;
  if (version > s.version) {
    snprintf(err, errlen, "segment `%s` has versions 1 to %lld", name, (long long)s.version);
    return 1;
  }
  json_t *root = json_object(), *crit = json_array(), *mem = json_array();
  DbStmt *st = db_prepare(db, "SELECT seq, op, rule FROM camp_mops_segment_criteria WHERE segment = ? ORDER BY seq");
  if (!st) goto fail;
  db_bind_text(st, 1, name);
  if (!json) fprintf(out, "segment %s of %s (%s%s), version %lld of %lld\ncriteria:\n", name, s.dim,
                     s.declared ? "declared in " : "", s.file, (long long)version, (long long)s.version);
  int nc = 0;
  while (db_step(st) == 1) {
    nc++;
    if (json) {
      json_t *c = json_object();
      json_object_set_new(c, "op", json_string(db_column(st, 1).s));
      json_object_set_new(c, "rule", json_string(db_column(st, 2).s));
      json_array_append_new(crit, c);
    } else fprintf(out, "  %lld. %-6s %s\n", (long long)db_column(st, 0).i, db_column(st, 1).s, db_column(st, 2).s);
  }
  db_finalize(st);
  if (!json && !nc) fputs("  (none)\n", out);
  /* keys as text, in key order: numbers by value */
  st = db_prepare(db, "SELECT contact FROM camp_mops_segment_members WHERE segment = ? AND version = ?"
                      " ORDER BY length(contact), contact");
  if (!st) goto fail;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, version);
  int64_t nm = 0;
  if (!json) fputs("members:", out);
  while (db_step(st) == 1) {
    if (json) json_array_append_new(mem, json_string(db_column(st, 0).s));
    else fprintf(out, " %s", db_column(st, 0).s);
    nm++;
  }
  db_finalize(st);
  if (json) {
    json_object_set_new(root, "segment", json_string(name));
    json_object_set_new(root, "dimension", json_string(s.dim));
    json_object_set_new(root, "declared", json_boolean(s.declared));
    json_object_set_new(root, "version", json_integer(version));
    json_object_set_new(root, "latest", json_integer(s.version));
    json_object_set_new(root, "criteria", crit);
    json_object_set_new(root, "members", mem);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
  } else {
    fprintf(out, "%s\n(%lld members)\n", nm ? "" : " (none)", (long long)nm);
    json_decref(crit);
    json_decref(mem);
  }
  json_decref(root);
  return 0;
fail:
  json_decref(root);
  snprintf(err, errlen, "%s", db_error(db));
  return -1;
}

int mops_segment_log(Db *db, const char *name, int json, FILE *out, char *err, size_t errlen) {
  Seg s;
  int rc = load_seg(db, name, &s);
  if (rc) {
    if (rc > 0) snprintf(err, errlen, "no segment `%s`", name);
    else snprintf(err, errlen, "%s", db_error(db));
    return rc;
  }
  DbStmt *st = db_prepare(db, "SELECT version, op, coalesce(rule, ''), at, who, members, added, removed"
                              " FROM camp_mops_segment_versions WHERE segment = ? ORDER BY version");
  if (!st) {
    snprintf(err, errlen, "%s", db_error(db));
    return -1;
  }
  db_bind_text(st, 1, name);
  static const char *const hdr[] = {"VERSION", "OP", "RULE", "AT", "WHO", "MEMBERS", "ADDED", "REMOVED"};
  ReportTable t;
  rt_init(&t, 8, hdr);
  json_t *arr = json_array();
  while (db_step(st) == 1) {
    if (json) {
      json_t *j = json_object();
      json_object_set_new(j, "version", json_integer(db_column(st, 0).i));
      json_object_set_new(j, "op", json_string(db_column(st, 1).s));
      json_object_set_new(j, "rule", db_column(st, 2).s[0] ? json_string(db_column(st, 2).s) : json_null());
      json_object_set_new(j, "at", json_string(db_column(st, 3).s));
      json_object_set_new(j, "who", json_string(db_column(st, 4).s));
      json_object_set_new(j, "members", json_integer(db_column(st, 5).i));
      json_object_set_new(j, "added", json_integer(db_column(st, 6).i));
      json_object_set_new(j, "removed", json_integer(db_column(st, 7).i));
      json_array_append_new(arr, j);
    } else {
      char c[4][32];
      snprintf(c[0], sizeof c[0], "%lld", (long long)db_column(st, 0).i);
      for (int i = 1; i < 4; i++) snprintf(c[i], sizeof c[i], "%lld", (long long)db_column(st, 4 + i).i);
      const char *row[] = {c[0], db_column(st, 1).s, db_column(st, 2).s, db_column(st, 3).s, db_column(st, 4).s,
                           c[1], c[2], c[3]};
      rt_add(&t, row);
    }
  }
  db_finalize(st);
  if (json) {
    json_dumpf(arr, out, JSON_INDENT(2));
    fputc('\n', out);
  } else rt_print(&t, out, "");
  json_decref(arr);
  rt_free(&t);
  return 0;
}

int mops_segment_diff(Db *db, const char *name, int64_t from, int64_t to, FILE *out, char *err, size_t errlen) {
  Seg s;
  int rc = load_seg(db, name, &s);
  if (rc) {
    if (rc > 0) snprintf(err, errlen, "no segment `%s`", name);
    else snprintf(err, errlen, "%s", db_error(db));
    return rc;
  }
  if (from < 1 || to < 1 || from > s.version || to > s.version) {
    snprintf(err, errlen, "segment `%s` has versions 1 to %lld", name, (long long)s.version);
    return 1;
  }
  DbStmt *st = db_prepare(db,
      "SELECT d.s, d.c FROM (SELECT '+' AS s, contact AS c FROM camp_mops_segment_members a"
      " WHERE a.segment = ?1 AND a.version = ?3"
      " AND a.contact NOT IN (SELECT contact FROM camp_mops_segment_members WHERE segment = ?1 AND version = ?2)"
      " UNION ALL SELECT '-', contact FROM camp_mops_segment_members b WHERE b.segment = ?1 AND b.version = ?2"
      " AND b.contact NOT IN (SELECT contact FROM camp_mops_segment_members WHERE segment = ?1 AND version = ?3)) d"
      " ORDER BY length(d.c), d.c, d.s");
  if (!st) {
    snprintf(err, errlen, "%s", db_error(db));
    return -1;
  }
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, from);
  db_bind_int(st, 3, to);
  int64_t plus = 0, minus = 0;
  fprintf(out, "segment %s: version %lld -> %lld\n", name, (long long)from, (long long)to);
  while (db_step(st) == 1) {
    fprintf(out, "%s %s\n", db_column(st, 0).s, db_column(st, 1).s);
    if (db_column(st, 0).s[0] == '+') plus++; else minus++;
  }
  db_finalize(st);
  fprintf(out, "%lld added, %lld removed\n", (long long)plus, (long long)minus);
  return 0;
}

/* ------------------------------------------------- declared segments */

/* 1 when segment name's saved criteria are exactly sg's (and of its
 * dimension), 0 when not, -1 on error. */
static int same_criteria(Db *db, const Seg *s, const MopsSegment *sg) {
  if (strcmp(s->dim, sg->dim)) return 0;
  DbStmt *st = db_prepare(db, "SELECT op, rule FROM camp_mops_segment_criteria WHERE segment = ? ORDER BY seq");
  if (!st) return -1;
  db_bind_text(st, 1, sg->name);
  int i = 0, same = 1;
  while (db_step(st) == 1) {
    if (i >= sg->ncriteria || strcmp(db_column(st, 0).s, sg->ops[i]) || strcmp(db_column(st, 1).s, sg->rules[i]))
      same = 0;
    i++;
  }
  db_finalize(st);
  return same && i == sg->ncriteria;
}

/* Contacts in the working set and not in version v, plus the reverse. */
static int64_t changed_members(Db *db, const char *name, int64_t v) {
  DbStmt *st = db_prepare(db, "SELECT (SELECT count(*) FROM camp_seg_cur c WHERE c.contact NOT IN"
                              "  (SELECT m.contact FROM camp_mops_segment_members m WHERE m.segment = ?1 AND m.version = ?2))"
                              " + (SELECT count(*) FROM camp_mops_segment_members m WHERE m.segment = ?1 AND m.version = ?2"
                              "  AND m.contact NOT IN (SELECT c.contact FROM camp_seg_cur c))");
  if (!st) return -1;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, v);
  int64_t n = db_step(st) == 1 ? db_column(st, 0).i : -1;
  db_finalize(st);
  return n;
}

/* One declared segment: its criteria evaluated (keys per criterion in k),
 * then stored in one transaction. */
static int apply_one(Db *db, const MopsSegment *sg, const char *abs, const Seg *s, int exists, Keys *k,
                     const char *now, const char *who, FILE *out, char *err, size_t errlen) {
  int same = exists ? same_criteria(db, s, sg) : 0;
  if (same < 0) return fail_db(db, err, errlen);
  if (db_begin(db) || cur_load(db, sg->name, 0)) return fail_db(db, err, errlen);
  for (int i = 0; i < sg->ncriteria; i++)
    if (cur_apply(db, sg->ops[i], &k[i])) return fail_db(db, err, errlen);
  int64_t changed = exists ? changed_members(db, sg->name, s->version) : 1;
  if (changed < 0) return fail_db(db, err, errlen);
  if (same && changed == 0) { /* nothing new: no version (the file may have moved) */
    int64_t members = db_query_int(db, "SELECT count(*) FROM camp_seg_cur", 0);
    DbStmt *st = db_prepare(db, "UPDATE camp_mops_segments SET source_file = ? WHERE name = ?");
    if (!st) return fail_db(db, err, errlen);
    db_bind_text(st, 1, abs);
    db_bind_text(st, 2, sg->name);
    int rc = db_step(st);
    db_finalize(st);
    if (rc < 0 || db_commit(db)) return fail_db(db, err, errlen);
    fprintf(out, "segment %s version %lld: unchanged, %lld members\n", sg->name, (long long)s->version,
            (long long)members);
    return 0;
  }
  DbStmt *st = db_prepare(db, exists ? "UPDATE camp_mops_segments SET dimension = ?, source_file = ?, declared = 1"
                                       " WHERE name = ?"
                                     : "INSERT INTO camp_mops_segments(dimension, source_file, name, version,"
                                       " created_at, created_by, declared) VALUES (?, ?, ?, 0, ?, ?, 1)");
  if (!st) return fail_db(db, err, errlen);
  db_bind_text(st, 1, sg->dim);
  db_bind_text(st, 2, abs);
  db_bind_text(st, 3, sg->name);
  if (!exists) {
    db_bind_text(st, 4, now);
    db_bind_text(st, 5, who);
  }
  int rc = db_step(st);
  db_finalize(st);
  if (rc < 0 || exec1(db, "DELETE FROM camp_mops_segment_criteria WHERE segment = ?", sg->name, -1))
    return fail_db(db, err, errlen);
  for (int i = 0; i < sg->ncriteria; i++) {
    st = db_prepare(db, "INSERT INTO camp_mops_segment_criteria(segment, seq, op, rule) VALUES (?, ?, ?, ?)");
    if (!st) return fail_db(db, err, errlen);
    db_bind_text(st, 1, sg->name);
    db_bind_int(st, 2, i + 1);
    db_bind_text(st, 3, sg->ops[i]);
    db_bind_text(st, 4, sg->rules[i]);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) return fail_db(db, err, errlen);
  }
  if (write_version(db, sg->name, exists ? s->version : 0, "apply", NULL, now, who, out) || db_commit(db))
    return fail_db(db, err, errlen);
  return 0;
}

int mops_segment_apply(Db *db, const MopsModel *m, const char *file, const char *now, const char *who, FILE *out,
                       FILE *errout, char *err, size_t errlen) {
  if (!m->segments.len) {
    snprintf(err, errlen, "%s declares no segment (segment NAME on SCHEMA { add where RULE ... })", file);
    return 1;
  }
  char abs[4096];
  if (!realpath(file, abs)) snprintf(abs, sizeof abs, "%s", file);
  /* a name the CLI made is not taken over: refuse before changing anything */
  for (int i = 0; i < m->segments.len; i++) {
    const MopsSegment *sg = m->segments.items[i];
    Seg s;
    int rc = load_seg(db, sg->name, &s);
    if (rc < 0) return fail_db(db, err, errlen);
    if (rc == 0 && !s.declared) {
      snprintf(err, errlen, "segment `%s` exists already, made with `camp segment create` (version %lld):"
               " a declaration does not replace it; rename the declared segment", sg->name, (long long)s.version);
      return 1;
    }
  }
  for (int i = 0; i < m->segments.len; i++) {
    const MopsSegment *sg = m->segments.items[i];
    Seg s;
    memset(&s, 0, sizeof s);
    int found = load_seg(db, sg->name, &s);
    if (found < 0) return fail_db(db, err, errlen);
    Keys *k = calloc((size_t)sg->ncriteria + 1, sizeof *k);
    if (!k) abort();
    int rc = 0;
    for (int j = 0; j < sg->ncriteria && rc == 0; j++)
      rc = match(db, abs, sg->dim, sg->rules[j], now, &k[j], errout, err, errlen);
    if (rc > 0) snprintf(err, errlen, "segment `%s`: its criteria do not compile with %s", sg->name, file);
    if (rc == 0) rc = apply_one(db, sg, abs, &s, found == 0, k, now, who, out, err, errlen);
    for (int j = 0; j < sg->ncriteria; j++) keys_free(&k[j]);
    free(k);
    if (rc) return rc;
  }
  return 0;
}
