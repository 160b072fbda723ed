/* exec_preview.c — `camp run --test`: a plan (every step in TEMP tables
 * inside a savepoint that is rolled back) in which channel steps also
 * render their messages, into TEMP copies of camp's outbox tables that
 * shadow the real ones, so a test run shows what would be sent and changes
 * nothing a later real run depends on: no outbox rows, no saved audience
 * (save steps do not run), no extraction file (direct mail is not
 * rendered). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"

/* Tables a channel step writes; in a test run they are TEMP shadows. */
static const char *const shadowed[] = {"camp_outbox", "camp_warnings"};

static const char *const fallback[] = {
    "CREATE TEMP TABLE camp_outbox(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,"
    " step TEXT NOT NULL, recipient_key NOT NULL, channel TEXT NOT NULL, address TEXT, subject TEXT,"
    " body TEXT, status TEXT NOT NULL DEFAULT 'queued', queued_at TEXT, sent_at TEXT,"
    " UNIQUE(run_id, step, recipient_key))",
    "CREATE TEMP TABLE camp_warnings(run_id INTEGER NOT NULL, step TEXT NOT NULL,"
    " message TEXT NOT NULL, count INTEGER NOT NULL)",
};

int exec_preview_tables(Exec *x) {
  int pg = strcmp(db_backend(x->db), "postgres") == 0;
  for (size_t i = 0; i < sizeof shadowed / sizeof shadowed[0]; i++) {
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.%s", db_temp_schema(x->db), shadowed[i]);
    if (db_exec(x->db, sql)) goto fail;
    if (pg) { /* pg_temp comes first in the search path: the copy shadows camp's table */
      snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s (LIKE %s INCLUDING ALL)", shadowed[i], shadowed[i]);
      if (db_exec(x->db, sql)) goto fail;
      continue;
    }
    /* the same columns as the real table (later migrations add some) */
    DbStmt *st = db_prepare(x->db, "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?");
    if (!st) goto fail;
    db_bind_text(st, 1, shadowed[i]);
    char *create = NULL;
    if (db_step(st) == 1) {
      DbValue v = db_column(st, 0);
      const char *def = v.kind == DBV_TEXT ? v.s : "";
      if (!strncmp(def, "CREATE TABLE ", 13)) {
        size_t n = strlen(def) + 16;
        create = malloc(n);
        if (!create) abort();
        snprintf(create, n, "CREATE TEMP TABLE %s", def + 13);
      }
    }
    db_finalize(st);
    int rc = db_exec(x->db, create ? create : fallback[i]);
    free(create);
    if (rc) goto fail;
  }
  x->previews = json_array();
  return 0;
fail:
  snprintf(x->err, sizeof x->err, "preparing the test run: %s", db_error(x->db));
  return -1;
}

int exec_preview(Exec *x, Step *s) {
  json_t *p = json_object();
  json_object_set_new(p, "step", json_string(s->label));
  json_object_set_new(p, "channel", json_string(channel_name(s->channel)));
  json_object_set_new(p, "messages", json_integer(exec_count(x, s, 0)));
  json_t *samples = json_array();
  json_object_set_new(p, "samples", samples);
  json_array_append_new(x->previews, p);
  if (s->channel == CH_MAIL) {
    json_object_set_new(p, "note", json_string("direct mail: no extraction file in a test run"));
    return 0;
  }
  if (exec_channel(x, s)) return -1;
  DbStmt *st = db_prepare(x->db, "SELECT address, subject, body FROM camp_outbox WHERE run_id = ?"
                                 " AND step = ? ORDER BY id LIMIT ?");
  if (!st) {
    snprintf(x->err, sizeof x->err, "previews of %s: %s", s->label, db_error(x->db));
    return -1;
  }
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_int(st, 3, x->o->previews > 0 ? x->o->previews : 3);
  static const char *const keys[] = {"to", "subject", "body"};
  while (db_step(st) == 1) {
    json_t *m = json_object();
    for (int c = 0; c < 3; c++) {
      DbValue v = db_column(st, c);
      json_t *j = v.kind == DBV_TEXT ? json_string(v.s) : NULL; /* NULL also for bad UTF-8 */
      json_object_set_new(m, keys[c], j ? j : json_null());
    }
    json_array_append_new(samples, m);
  }
  db_finalize(st);
  return 0;
}
