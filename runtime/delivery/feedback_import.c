/* feedback_import.c — ESP events into camp_feedback (see
 * feedback_import.h).  CSV goes through csv_import (RFC 4180, line
 * numbers, UTF-8 checks) into a TEMP table; JSON lines through jansson. */
#include "runtime/delivery/feedback_import.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/db/store_track.h"
#include "runtime/delivery/csv_import.h"

enum { F_EVENT, F_TYPE, F_OUTBOX, F_MESSAGE, F_PROVIDER, F_AT, F_REASON, NF };
static const char *const field_names[NF] = {"event", "type", "outbox_id", "message_id",
                                            "provider_id", "at", "reason"};
enum { MAX_LINE = 1 << 20 };

typedef struct Import {
  Db *db;
  const char *path, *now;
  FeedbackCounts *c;
  FeedbackErr cb;
  void *ctx;
  int bad;      /* bad rows */
  int has_mid, has_pid; /* camp_outbox has message_id / provider_message_id (camp send) */
  DbStmt *by_id, *by_mid, *by_pid, *seen, *ins, *supp;
} Import;

static void report(Import *im, long line, const char *fmt, ...) {
  char msg[1024];
  int k = line > 0 ? snprintf(msg, sizeof msg, "%s:%ld: ", im->path, line)
                   : snprintf(msg, sizeof msg, "%s: ", im->path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
  va_end(ap);
  im->cb(im->ctx, msg);
}

/* ------------------------------------------------------------- times */

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

/* tm as 'YYYY-MM-DD HH:MM:SS': four-digit years only, so stored times
 * compare as text (strftime's %Y neither pads year 999 nor fits 10000+
 * into 20 bytes).  0 or -1. */
static int fmt_tm(const struct tm *tm, char out[20]) {
  if (tm->tm_year < -1900 || tm->tm_year > 9999 - 1900) return -1;
  char buf[80];
  int n = snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm->tm_year + 1900,
                   tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
  if (n != 19) return -1;
  memcpy(out, buf, 20);
  return 0;
}

/* Normalises an ESP time into 'YYYY-MM-DD HH:MM:SS' (UTC).  0 or -1. */
static int norm_time(const char *s, char out[20]) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) n--;
  if (n && digits(s, (int)n) && n <= 12) { /* Unix seconds */
    time_t t = (time_t)strtoll(s, NULL, 10);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return -1;
    return fmt_tm(&tm, out);
  }
  if (n < 16 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
      !digits(s + 8, 2) || (s[10] != ' ' && s[10] != 'T') || !digits(s + 11, 2) ||
      s[13] != ':' || !digits(s + 14, 2))
    return -1;
  size_t i = 16;
  char sec[3] = "00";
  if (i < n && s[i] == ':') {
    if (i + 3 > n || !digits(s + i + 1, 2)) return -1;
    memcpy(sec, s + i + 1, 2);
    i += 3;
    if (i < n && s[i] == '.') /* fractions of a second: dropped */
      for (i++; i < n && isdigit((unsigned char)s[i]); i++) {}
  }
  const char *zone = s + i;
  size_t zl = n - i;
  if (!(zl == 0 || (zl == 1 && (*zone == 'Z' || *zone == 'z')) ||
        (zl == 6 && (!strncmp(zone, "+00:00", 6) || !strncmp(zone, "-00:00", 6)))))
    return -1;
  struct tm tm = {0};
  tm.tm_year = atoi(s) - 1900;
  tm.tm_mon = atoi(s + 5) - 1;
  tm.tm_mday = atoi(s + 8);
  tm.tm_hour = atoi(s + 11);
  tm.tm_min = atoi(s + 14);
  tm.tm_sec = atoi(sec);
  struct tm chk = tm;
  time_t t = timegm(&chk);
  if (t == (time_t)-1 || chk.tm_mday != tm.tm_mday || chk.tm_mon != tm.tm_mon ||
      chk.tm_hour != tm.tm_hour || chk.tm_min != tm.tm_min || chk.tm_sec != tm.tm_sec)
    return -1;
  return fmt_tm(&tm, out);
}

/* -------------------------------------------------------------- rows */

static int column_exists(Db *db, const char *table, const char *col) {
  DbTableInfo t;
  if (db_table_info(db, table, &t) != 0) return 0;
  int have = 0;
  for (int i = 0; i < t.ncols; i++) have |= !strcmp(t.cols[i].name, col);
  db_free_table_info(&t);
  return have;
}

static int prepare(Import *im) {
  Db *db = im->db;
  im->has_mid = column_exists(db, "camp_outbox", "message_id");
  im->has_pid = column_exists(db, "camp_outbox", "provider_message_id");
  im->by_id = db_prepare(db, "SELECT id, channel, address FROM camp_outbox WHERE id = ?");
  if (im->has_mid)
    im->by_mid = db_prepare(db, "SELECT id, channel, address FROM camp_outbox WHERE message_id = ?");
  if (im->has_pid)
    im->by_pid = db_prepare(db, "SELECT id, channel, address FROM camp_outbox WHERE provider_message_id = ?");
  im->seen = db_prepare(db, "SELECT 1 FROM camp_feedback WHERE outbox_id = ? AND event = ?"
                            " AND at = ? AND detail IS NOT DISTINCT FROM ?");
  im->ins = db_prepare(db, "INSERT INTO camp_feedback(outbox_id, event, at, detail) VALUES (?,?,?,?)");
  im->supp = db_prepare(db, "INSERT INTO camp_suppression(channel, address, reason, at,"
                            " source, outbox_id) VALUES (?, ?, ?, ?, 'feedback import', ?)"
                            " ON CONFLICT DO NOTHING");
  return im->by_id && (!im->has_mid || im->by_mid) && (!im->has_pid || im->by_pid) && im->seen &&
                 im->ins && im->supp
             ? 0
             : -1;
}

static void finalize_all(Import *im) {
  db_finalize(im->by_id);
  db_finalize(im->by_mid);
  db_finalize(im->by_pid);
  db_finalize(im->seen);
  db_finalize(im->ins);
  db_finalize(im->supp);
}

static int is_blank(const char *s) {
  if (!s) return 1;
  while (isspace((unsigned char)*s)) s++;
  return !*s;
}

/* Looks the message up through st bound to v; 1 found (fields set), 0 not, -1 error. */
static int find(DbStmt *st, const char *v, int as_int, int64_t *id, char *channel,
                size_t chlen, char **address) {
  db_reset(st);
  if (as_int) db_bind_int(st, 1, strtoll(v, NULL, 10)); else db_bind_text(st, 1, v);
  int rc = db_step(st);
  if (rc == 1) {
    *id = db_column(st, 0).i;
    DbValue ch = db_column(st, 1), ad = db_column(st, 2);
    snprintf(channel, chlen, "%s", ch.kind == DBV_TEXT ? ch.s : "");
    *address = ad.kind == DBV_TEXT ? strdup(ad.s) : NULL;
    if (db_step(st) == 1) rc = 2; /* the id names several messages */
  }
  db_reset(st);
  return rc;
}

/* Copies v without surrounding blanks (and <> around a Message-ID). */
static void trim_into(const char *v, char *out, size_t n, int brackets) {
  while (isspace((unsigned char)*v)) v++;
  size_t len = strlen(v);
  while (len && isspace((unsigned char)v[len - 1])) len--;
  if (brackets && len >= 2 && v[0] == '<' && v[len - 1] == '>') {
    v++;
    len -= 2;
  }
  if (len >= n) len = n - 1;
  memcpy(out, v, len);
  out[len] = 0;
}

/* One event; f[] are the fields (NULL = absent).  Bad rows are reported. */
static int one_row(Import *im, long line, const char *const f[NF]) {
  im->c->rows++;
  char event[32] = "", type[16] = "", at[20];
  if (is_blank(f[F_EVENT])) {
    report(im, line, "`event` is missing (delivered, bounced or complaint)");
    return 1;
  }
  trim_into(f[F_EVENT], event, sizeof event, 0);
  for (char *p = event; *p; p++) *p = (char)tolower((unsigned char)*p);
  int kind = !strcmp(event, "delivered") ? 0 : !strcmp(event, "bounced") ? 1
           : !strcmp(event, "complaint") ? 2 : -1;
  if (kind < 0) {
    report(im, line, "event `%s` is not delivered, bounced or complaint", f[F_EVENT]);
    return 1;
  }
  int hard = 0;
  if (kind == 1) {
    if (!is_blank(f[F_TYPE])) trim_into(f[F_TYPE], type, sizeof type, 0);
    for (char *p = type; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (strcmp(type, "hard") && strcmp(type, "soft")) {
      report(im, line, "a bounce needs `type` hard or soft (got `%s`)", f[F_TYPE] ? f[F_TYPE] : "");
      return 1;
    }
    hard = !strcmp(type, "hard");
  }
  if (is_blank(f[F_AT])) {
    snprintf(at, sizeof at, "%s", im->now);
  } else if (norm_time(f[F_AT], at)) {
    report(im, line, "`at` value `%s` is not a time (YYYY-MM-DD HH:MM[:SS][Z] or Unix seconds)", f[F_AT]);
    return 1;
  }
  int64_t id = 0;
  char channel[32], *address = NULL, key[512];
  int found = 0;
  if (!is_blank(f[F_OUTBOX])) {
    trim_into(f[F_OUTBOX], key, sizeof key, 0);
    char *end;
    errno = 0;
    long long v = strtoll(key, &end, 10);
    if (*end || errno || v <= 0) {
      report(im, line, "outbox_id `%s` is not a message number", key);
      return 1;
    }
    found = find(im->by_id, key, 1, &id, channel, sizeof channel, &address);
    if (found == 0) report(im, line, "no message with outbox_id %s", key);
  } else if (!is_blank(f[F_MESSAGE])) {
    trim_into(f[F_MESSAGE], key, sizeof key, 1);
    if (!im->has_mid) {
      report(im, line, "message_id `%s`: this database records no message ids (camp send writes "
                       "them); use outbox_id", key);
      return 1;
    }
    found = find(im->by_mid, key, 0, &id, channel, sizeof channel, &address);
    if (found == 0) report(im, line, "no message with message_id `%s`", key);
  } else if (!is_blank(f[F_PROVIDER])) {
    trim_into(f[F_PROVIDER], key, sizeof key, 0);
    if (!im->has_pid) {
      report(im, line, "provider_id `%s`: this database records no provider message ids "
                       "(camp send writes them); use outbox_id", key);
      return 1;
    }
    found = find(im->by_pid, key, 0, &id, channel, sizeof channel, &address);
    if (found == 0) report(im, line, "no message with provider_id `%s`", key);
  } else {
    report(im, line, "no message named: give outbox_id, message_id or provider_id");
    return 1;
  }
  if (found < 0) {
    report(im, line, "database error: %s", db_error(im->db));
    return -1;
  }
  if (found == 2) report(im, line, "`%s` names several messages", key);
  if (found != 1) {
    free(address);
    return 1;
  }
  const char *ev = kind == 0 ? "delivered" : kind == 1 ? "bounced" : "complained";
  char detail[600], reason[512] = "";
  if (!is_blank(f[F_REASON])) trim_into(f[F_REASON], reason, sizeof reason, 0);
  if (kind == 1) snprintf(detail, sizeof detail, "%s%s%s", type, reason[0] ? ": " : "", reason);
  else snprintf(detail, sizeof detail, "%s", reason);
  db_reset(im->seen);
  db_bind_int(im->seen, 1, id);
  db_bind_text(im->seen, 2, ev);
  db_bind_text(im->seen, 3, at);
  if (detail[0]) db_bind_text(im->seen, 4, detail); else db_bind_null(im->seen, 4);
  int seen = db_step(im->seen);
  db_reset(im->seen);
  int rc = seen < 0 ? -1 : 0;
  if (seen == 1) {
    im->c->duplicates++;
  } else if (seen == 0) {
    db_reset(im->ins);
    db_bind_int(im->ins, 1, id);
    db_bind_text(im->ins, 2, ev);
    db_bind_text(im->ins, 3, at);
    if (detail[0]) db_bind_text(im->ins, 4, detail); else db_bind_null(im->ins, 4);
    if (db_step(im->ins) < 0) rc = -1;
    im->c->imported++;
    if (kind == 0) im->c->delivered++;
    else if (kind == 1 && hard) im->c->bounced_hard++;
    else if (kind == 1) im->c->bounced_soft++;
    else im->c->complaints++;
  }
  if (rc == 0 && (hard || kind == 2) && address && *address) {
    char norm[1024];
    store_track_norm_address(channel, address, norm, sizeof norm);
    db_reset(im->supp);
    db_bind_text(im->supp, 1, channel);
    db_bind_text(im->supp, 2, norm);
    db_bind_text(im->supp, 3, hard ? "bounced_hard" : "complaint");
    db_bind_text(im->supp, 4, at);
    db_bind_int(im->supp, 5, id);
    if (db_step(im->supp) < 0) rc = -1;
  }
  free(address);
  if (rc < 0) report(im, line, "database error: %s", db_error(im->db));
  return rc;
}

/* ---------------------------------------------------------- JSON lines */

static int import_jsonl(Import *im, FILE *f) {
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n;
  long line = 0;
  int fatal = 0;
  while (!fatal && (n = getline(&buf, &cap, f)) >= 0) {
    line++;
    if (n > MAX_LINE) {
      report(im, line, "line longer than %d bytes", MAX_LINE);
      im->bad++;
      continue;
    }
    if (is_blank(buf)) continue;
    json_error_t je;
    json_t *o = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
      report(im, line, o ? "not a JSON object" : "bad JSON: %s", je.text);
      json_decref(o);
      im->bad++;
      continue;
    }
    char *vals[NF] = {0};
    int bad = 0;
    for (int k = 0; k < NF; k++) {
      json_t *v = json_object_get(o, field_names[k]);
      if (!v || json_is_null(v)) continue;
      if (json_is_string(v)) vals[k] = strdup(json_string_value(v));
      else if (json_is_integer(v)) {
        if (asprintf(&vals[k], "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0) abort();
      } else {
        report(im, line, "`%s` must be a string or an integer", field_names[k]);
        bad = 1;
      }
    }
    json_decref(o);
    int rc = bad ? 1 : one_row(im, line, (const char *const *)vals);
    for (int k = 0; k < NF; k++) free(vals[k]);
    if (rc < 0) fatal = 1;
    else im->bad += rc;
  }
  free(buf);
  if (!fatal && ferror(f)) {
    report(im, 0, "cannot read: %s", strerror(errno));
    fatal = 1;
  }
  return fatal ? -1 : 0;
}

/* ----------------------------------------------------------------- CSV */

typedef struct Header {
  char *names[64];
  int n, done;
} Header;

static void hdr_field(void *s, size_t len, void *ctx) {
  Header *h = ctx;
  if (h->done || h->n >= 64) return;
  h->names[h->n++] = strndup(s, len);
}

static void hdr_row(int c, void *ctx) {
  (void)c;
  ((Header *)ctx)->done = 1;
}

/* The header row's names, by libcsv (reads the file's first record). */
static int read_header(const char *path, Header *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  struct csv_parser p;
  csv_init(&p, CSV_APPEND_NULL);
  char buf[4096];
  size_t n;
  while (!h->done && (n = fread(buf, 1, sizeof buf, f)) > 0) csv_parse(&p, buf, n, hdr_field, hdr_row, h);
  if (!h->done) csv_fini(&p, hdr_field, hdr_row, h);
  csv_free(&p);
  fclose(f);
  /* A UTF-8 byte order mark is not part of the first name. */
  if (h->n && !strncmp(h->names[0], "\xEF\xBB\xBF", 3)) memmove(h->names[0], h->names[0] + 3, strlen(h->names[0]) - 2);
  return 0;
}

static int import_csv(Import *im) {
  Header h = {0};
  if (read_header(im->path, &h)) {
    report(im, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  CsvColumn cols[NF];
  int idx[NF], nc = 0;
  for (int k = 0; k < NF; k++) {
    idx[k] = -1;
    for (int i = 0; i < h.n; i++)
      if (h.names[i] && !strcmp(h.names[i], field_names[k])) {
        idx[k] = nc;
        cols[nc++] = (CsvColumn){field_names[k], "text"};
        break;
      }
  }
  for (int i = 0; i < h.n; i++) free(h.names[i]);
  if (idx[F_EVENT] < 0) {
    report(im, 1, "the header has no `event` column (columns: event, type, outbox_id, "
                  "message_id, provider_id, at, reason)");
    im->bad++;
    return 0;
  }
  CsvErrors errs = {0};
  int rc = csv_import(im->db, im->path, cols, nc, "camp_feedback_file", 1, &errs);
  for (int i = 0; i < errs.nmsgs; i++) im->cb(im->ctx, errs.msgs[i]);
  csv_errors_free(&errs);
  if (rc != 0) {
    if (rc > 0) im->bad += rc;
    return rc < 0 ? -1 : 0;
  }
  char sql[512];
  int k = snprintf(sql, sizeof sql, "SELECT \"_line\"");
  for (int i = 0; i < nc; i++) k += snprintf(sql + k, sizeof sql - (size_t)k, ", \"%s\"", cols[i].name);
  snprintf(sql + k, sizeof sql - (size_t)k, " FROM %s.\"camp_feedback_file\" ORDER BY \"_line\"",
           db_temp_schema(im->db));
  DbStmt *st = db_prepare(im->db, sql);
  int out = st ? 0 : -1;
  while (out == 0 && (rc = db_step(st)) == 1) {
    const char *vals[NF] = {0};
    char *copies[NF] = {0};
    for (int f = 0; f < NF; f++) {
      if (idx[f] < 0) continue;
      DbValue v = db_column(st, 1 + idx[f]);
      if (v.kind == DBV_TEXT) vals[f] = copies[f] = strdup(v.s);
    }
    int r = one_row(im, (long)db_column(st, 0).i, vals);
    for (int f = 0; f < NF; f++) free(copies[f]);
    if (r < 0) out = -1;
    else im->bad += r;
  }
  if (rc < 0) out = -1;
  db_finalize(st);
  snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.\"camp_feedback_file\"", db_temp_schema(im->db));
  db_exec(im->db, sql);
  if (out < 0) report(im, 0, "database error: %s", db_error(im->db));
  return out;
}

/* ---------------------------------------------------------------- main */

int feedback_import(Db *db, const char *path, const char *now, FeedbackCounts *counts,
                    FeedbackErr err_cb, void *ctx) {
  memset(counts, 0, sizeof *counts);
  Import im = {.db = db, .path = path, .now = now, .c = counts, .cb = err_cb, .ctx = ctx};
  FILE *f = fopen(path, "rb");
  if (!f) {
    report(&im, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  int c;
  while ((c = fgetc(f)) != EOF && isspace(c)) {}
  int jsonl = c == '{';
  if (c == EOF) {
    report(&im, 0, "the file is empty");
    fclose(f);
    return 1;
  }
  rewind(f);
  if (db_begin(db) != 0) {
    report(&im, 0, "cannot lock the database: %s", db_error(db));
    fclose(f);
    return -1;
  }
  int rc = prepare(&im);
  if (rc) report(&im, 0, "database error: %s", db_error(db));
  int64_t before = db_query_int(db, "SELECT count(*) FROM camp_suppression", 0);
  if (rc == 0) rc = jsonl ? import_jsonl(&im, f) : import_csv(&im);
  counts->suppressed = db_query_int(db, "SELECT count(*) FROM camp_suppression", 0) - before;
  fclose(f);
  finalize_all(&im);
  if (rc == 0 && im.bad == 0 && counts->rows == 0) {
    report(&im, 0, "no events in the file");
    im.bad = 1;
  }
  if (rc == 0 && im.bad == 0) {
    if (db_commit(db) == 0) return 0;
    report(&im, 0, "cannot commit: %s", db_error(db));
    rc = -1;
  }
  db_rollback(db);
  memset(counts, 0, sizeof *counts);
  return rc < 0 ? -1 : im.bad;
}
