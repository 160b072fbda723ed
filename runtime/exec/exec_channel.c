/* exec_channel.c — what a channel step does besides selecting recipients:
 * renders one message per recipient into the outbox (unique per run, step
 * and recipient, so nothing is ever queued twice), writes the direct-mail
 * extraction file, or stores a saved audience. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec/exec_int.h"
#include "runtime/delivery/extract.h"
#include "runtime/delivery/render.h"
#include "runtime/delivery/track_queue.h"
#include "runtime/delivery/variants.h"
#include "runtime/delivery/mime.h"
#include "runtime/delivery/send.h"

static const char *prop_value(Step *s, const char *key) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, key)) return p->value;
  }
  return NULL;
}

static ChannelProp *prop_of(Step *s, const char *key) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, key)) return p;
  }
  return NULL;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap + 1);
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[len] = 0;
  return buf;
}

/* A template named in the campaign, relative to the campaign file. */
static char *read_template_named(void *ctx, const char *name) {
  char path[PATH_MAX + 256];
  exec_path(ctx, name, path, sizeof path);
  return read_file(path);
}

/* Columns selected for rendering: one SQL expression per placeholder. */
typedef struct Fields {
  char *names[128];
  int n;
} Fields;

static void add_field(Fields *f, const char *name) {
  for (int i = 0; i < f->n; i++)
    if (!strcmp(f->names[i], name)) return;
  if (f->n < 128) f->names[f->n++] = strdup(name);
}

static void fields_free(Fields *f) {
  for (int i = 0; i < f->n; i++) free(f->names[i]);
  f->n = 0;
}

/* Names a template reads: top-level ones and, inside {{#rows}} sections,
 * the population's own columns (select_rows skips the section rows' keys). */
static void collect(Fields *f, const char *tmpl) {
  if (!tmpl) return;
  char **names = NULL;
  int n = render_placeholders(tmpl, &names);
  for (int i = 0; i < n; i++) add_field(f, names[i]);
  render_free_names(names, n);
  n = render_inner_placeholders(tmpl, &names);
  for (int i = 0; i < n; i++) add_field(f, names[i]);
  render_free_names(names, n);
}

typedef struct Row {
  DbStmt *st;
  Fields *f;
  int base; /* first field column in the statement */
  const char *nul; /* a field whose value holds a NUL character */
} Row;

static const char *row_lookup(void *ctx, const char *name) {
  Row *r = ctx;
  for (int i = 0; i < r->f->n; i++) {
    if (strcmp(r->f->names[i], name)) continue;
    DbValue v = db_column(r->st, r->base + i);
    if (v.kind == DBV_NULL) return NULL;
    /* rendered text would end at the NUL: rejected (docs/runtime.md) */
    if (v.kind == DBV_TEXT && db_column_bytes(r->st, r->base + i) > strlen(v.s)) r->nul = r->f->names[i];
    /* Every field is selected CAST(... AS TEXT). */
    return v.kind == DBV_TEXT ? v.s : NULL;
  }
  return NULL;
}

/* SELECT p."_key", <address>, <each field> FROM result p JOIN dim t0 ... */
static DbStmt *select_rows(Exec *x, Step *s, Pop *pop, const char *address, Fields *f, int *skipped) {
  char table[512];
  exec_table(x, s->label, table, sizeof table);
  size_t cap = 4096, len = 0;
  char *sql = malloc(cap);
  if (!sql) abort();
#define APPEND(...)                                                      \
  do {                                                                   \
    int need = snprintf(NULL, 0, __VA_ARGS__);                           \
    while (len + (size_t)need + 1 > cap) {                               \
      cap *= 2;                                                          \
      sql = realloc(sql, cap);                                           \
      if (!sql) abort();                                                 \
    }                                                                    \
    snprintf(sql + len, cap - len, __VA_ARGS__);                         \
    len += (size_t)need;                                                 \
  } while (0)
  APPEND("SELECT p.\"_key\", %s%s%s", address ? "t0.\"" : "NULL", address ? address : "",
         address ? "\"" : "");
  *skipped = 0;
  for (int i = 0; i < f->n; i++) {
    Expr *e = program_placeholder(x->p, pop, f->names[i]);
    if (!e) { /* a name inside a {{#rows}} section: render resolves it */
      APPEND(", NULL");
      continue;
    }
    char *ex = sql_text_expression(e, &x->so);
    APPEND(", %s", ex);
    free(ex);
  }
  APPEND(" FROM %s AS p", table);
  if (pop->dim)
    APPEND(" JOIN \"%s\" AS t0 ON t0.\"%s\" = p.\"_key\"", pop->dim->name, pop->dim->key->name);
  if (x->ab_cell[0]) /* an A/B test's cell (exec_abtest.c); its keys are text on PostgreSQL */
    APPEND(" WHERE %s IN (SELECT recipient_key FROM camp_abtest_cells WHERE run_id = %lld AND step = '%s'"
           " AND cell = '%s')", db_keys_as_text(x->db) ? "CAST(p.\"_key\" AS TEXT)" : "p.\"_key\"",
           (long long)x->run_id, s->label, x->ab_cell);
  APPEND(" ORDER BY p.\"_key\"");
#undef APPEND
  DbStmt *st = db_prepare(x->db, sql);
  if (!st) snprintf(x->err, sizeof x->err, "preparing messages of %s: %s", s->label, db_error(x->db));
  free(sql);
  return st;
}

static int warn(Exec *x, Step *s, const char *msg, int count) {
  DbStmt *st = db_prepare(x->db, "INSERT INTO camp_warnings(run_id, step, message, count) VALUES (?,?,?,?)");
  if (!st) return -1;
  db_bind_int(st, 1, x->run_id);
  db_bind_text(st, 2, s->label);
  db_bind_text(st, 3, msg);
  db_bind_int(st, 4, count);
  int rc = db_step(st);
  db_finalize(st);
  x->warnings += count;
  char sql[160];
  snprintf(sql, sizeof sql, "UPDATE camp_runs SET warnings = warnings + %d WHERE id = %lld", count,
           (long long)x->run_id);
  db_exec(x->db, sql);
  return rc < 0 ? -1 : 0;
}

static int queue(Exec *x, DbStmt *ins, Step *s, DbValue key, const char *addr, const char *subject,
                 const char *body) {
  if (x->dry && x->o->preview) { /* camp preview; a test run (no callback) fills its TEMP outbox */
    if (x->o->preview(x->o->preview_ctx, key, addr, subject, body) == 0) return 0;
    snprintf(x->err, sizeof x->err, "preview of %s stopped", s->label);
    return -1;
  }
  db_reset(ins);
  db_bind_int(ins, 1, x->run_id);
  db_bind_text(ins, 2, s->label);
  db_bind(ins, 3, key);
  db_bind_text(ins, 4, channel_name(s->channel));
  if (addr) db_bind_text(ins, 5, addr); else db_bind_null(ins, 5);
  if (subject) db_bind_text(ins, 6, subject); else db_bind_null(ins, 6);
  if (body) db_bind_text(ins, 7, body); else db_bind_null(ins, 7);
  db_bind_text(ins, 8, x->now);
  if (db_step(ins) < 0) {
    snprintf(x->err, sizeof x->err, "queueing a message of %s: %s", s->label, db_error(x->db));
    return -1;
  }
  return 0;
}

/* Direct mail: the extract row of every recipient goes to the outbox and
 * the whole file is (re)written atomically from them. */
typedef struct MailIt {
  DbStmt *st;
  const char **fields;
  int n;
} MailIt;

static int mail_next(void *ctx, const char **fields) {
  MailIt *m = ctx;
  if (db_step(m->st) != 1) return 0;
  for (int i = 0; i < m->n; i++) {
    DbValue v = db_column(m->st, 2 + i);
    fields[i] = v.kind == DBV_NULL ? NULL : v.s;
  }
  return 1;
}

static int exec_mail(Exec *x, Step *s, Pop *pop, DbStmt *ins) {
  ChannelProp *cols = prop_of(s, "columns");
  Fields f = {0};
  for (int i = 0; i < cols->cols.len; i++) add_field(&f, cols->cols.items[i]);
  int skipped;
  DbStmt *st = select_rows(x, s, pop, NULL, &f, &skipped);
  if (!st) {
    fields_free(&f);
    return -1;
  }
  const char *vals[128];
  int rc = 0;
  while (rc == 0 && db_step(st) == 1) {
    for (int i = 0; i < f.n; i++) {
      DbValue v = db_column(st, 2 + i);
      vals[i] = v.kind == DBV_NULL ? NULL : v.s;
    }
    char *line = extract_row_csv(vals, f.n);
    rc = queue(x, ins, s, db_column(st, 0), NULL, NULL, line);
    free(line);
  }
  db_reset(st);
  char path[PATH_MAX + 256];
  exec_out_path(x, prop_value(s, "extract"), path, sizeof path);
  MailIt it = {st, vals, f.n};
  if (rc == 0 && !x->dry &&
      extract_write(path, (const char *const *)f.names, f.n, mail_next, &it, x->err, sizeof x->err))
    rc = -1;
  db_finalize(st);
  fields_free(&f);
  return rc;
}

static int exec_channel_queue(Exec *x, Step *s);

int exec_channel(Exec *x, Step *s) {
  if (exec_channel_queue(x, s)) return -1;
  /* which provider sends these messages (camp send reads it); a preview or
   * test run queues nothing camp send could read */
  if (x->dry) return 0;
  return send_record_step(x->db, x->run_id, s, x->source_file, x->err, sizeof x->err);
}

static int exec_channel_queue(Exec *x, Step *s) {
  Pop *pop = s->pops[0];
  DbStmt *ins = db_prepare(x->db,
      "INSERT INTO camp_outbox(run_id, step, recipient_key, channel, address, subject,"
      " body, status, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?) ON CONFLICT DO NOTHING");
  if (!ins) {
    snprintf(x->err, sizeof x->err, "%s", db_error(x->db));
    return -1;
  }
  if (s->channel == CH_MAIL) {
    int rc = exec_mail(x, s, pop, ins);
    db_finalize(ins);
    return rc;
  }
  /* The step's texts, per contact language when it has variants. */
  Variants vs;
  if (variants_load_ab(&vs, s, x->ab_variant, read_template_named, x, x->err, sizeof x->err)) {
    db_finalize(ins);
    return -1;
  }
  Fields f = {0};
  for (int i = 0; i < vs.n; i++) {
    collect(&f, vs.v[i].subject);
    collect(&f, vs.v[i].main);
  }
  if (vs.language) add_field(&f, vs.language);
  Column *addr = schema_address(pop->dim, channel_name(s->channel));
  int skipped;
  DbStmt *st = select_rows(x, s, pop, addr ? addr->name : NULL, &f, &skipped);
  /* Opt-outs and link tracking of each queued message: track_queue.c. */
  TrackQueue *tq = st && !x->dry ? track_queue_open(x->db, channel_name(s->channel), x->err, sizeof x->err) : NULL;
  int rc = st && (tq || x->dry) ? 0 : -1;
  int html = s->channel == CH_EMAIL;
  RenderTally tally = {0}; /* which placeholders rendered empty, in how many messages */
  while (rc == 0 && db_step(st) == 1) {
    Row r = {st, &f, 2, NULL};
    RenderStats stats = {0};
    char *subj = NULL, *text = NULL;
    const char *lang = vs.language ? row_lookup(&r, vs.language) : NULL, *subject, *main_text;
    variants_pick(&vs, lang, &subject, &main_text);
    if (subject)
      subj = render_template_loc(subject, row_lookup, &r, 0, lang, &stats, x->err, sizeof x->err);
    /* a subject is a header: a value's line break must not start another */
    mime_clean_header(subj);
    if (main_text && (!subject || subj))
      text = render_template_loc(main_text, row_lookup, &r, html, lang, &stats, x->err, sizeof x->err);
    if ((subject && !subj) || (main_text && !text)) {
      rc = -1;
    } else if (r.nul) {
      DbValue k = db_column(st, 0);
      char key[64];
      if (k.kind == DBV_INT) snprintf(key, sizeof key, "%lld", (long long)k.i);
      else snprintf(key, sizeof key, "%.40s", k.kind == DBV_TEXT ? k.s : "?");
      snprintf(x->err, sizeof x->err,
               "recipient %s: the value of `%.200s` holds a NUL character; camp does not render text "
               "that would be cut there (fix the data, then resume)", key, r.nul);
      rc = -1;
    } else {
      render_tally_add(&tally, &stats);
      DbValue a = db_column(st, 1);
      rc = queue(x, ins, s, db_column(st, 0), a.kind == DBV_TEXT ? a.s : NULL, subj, text);
      if (rc == 0)
        rc = track_queue_after(tq, x->run_id, s->label, db_column(st, 0), a.kind == DBV_TEXT ? a.s : NULL,
                               text, x->err, sizeof x->err);
    }
    free(subj);
    free(text);
  }
  /* One warning per placeholder, naming it and how many recipients got it
   * empty (a message with two empty placeholders counts in both). */
  for (int i = 0; rc == 0 && !x->dry && i < tally.n; i++) {
    char msg[256];
    snprintf(msg, sizeof msg, "{{%s}} rendered empty for %d recipient%s", tally.names[i],
             tally.counts[i], tally.counts[i] == 1 ? "" : "s");
    rc = warn(x, s, msg, tally.counts[i]);
  }
  if (rc == 0 && track_queue_suppressed(tq)) {
    char msg[256];
    int64_t n = track_queue_suppressed(tq);
    snprintf(msg, sizeof msg, "%lld message%s suppressed: the address opted out or bounced (camp_suppression)",
             (long long)n, n == 1 ? "" : "s");
    rc = warn(x, s, msg, (int)n);
  }
  track_queue_close(tq);
  render_tally_free(&tally);
  db_finalize(st);
  db_finalize(ins);
  fields_free(&f);
  variants_free(&vs);
  return rc;
}

int exec_save(Exec *x, Step *s) {
  Pop *pop = s->pops[0];
  char table[512], sql[1024];
  exec_table(x, s->label, table, sizeof table);
  DbStmt *del = db_prepare(x->db, "DELETE FROM camp_audience WHERE name = ?");
  if (!del) return -1;
  db_bind_text(del, 1, s->text);
  int rc = db_step(del);
  db_finalize(del);
  snprintf(sql, sizeof sql,
           "INSERT INTO camp_audience(name, dimension, key, run_id, saved_at)"
           " SELECT ?, ?, \"_key\", ?, ? FROM %s", table);
  DbStmt *ins = db_prepare(x->db, sql);
  if (!ins || rc < 0) {
    snprintf(x->err, sizeof x->err, "saving %s: %s", s->text, db_error(x->db));
    db_finalize(ins);
    return -1;
  }
  db_bind_text(ins, 1, s->text);
  db_bind_text(ins, 2, pop->dim ? pop->dim->name : "");
  db_bind_int(ins, 3, x->run_id);
  db_bind_text(ins, 4, x->now);
  rc = db_step(ins);
  db_finalize(ins);
  if (rc < 0) snprintf(x->err, sizeof x->err, "saving %s: %s", s->text, db_error(x->db));
  return rc < 0 ? -1 : 0;
}
