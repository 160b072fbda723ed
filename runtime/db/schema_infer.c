/* schema_infer.c — what `camp schema` guesses beyond the declared types,
 * from column names and from a sample of the values (schema_infer.h). */
#include "runtime/db/schema_infer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ addresses */

/* Lower-cased copy of s into buf. */
static void lower(const char *s, char *buf, size_t n) {
  size_t k = 0;
  for (; *s && k + 1 < n; s++) buf[k++] = (char)tolower((unsigned char)*s);
  buf[k] = 0;
}

static int is_word(const char *name, const char *const *words) {
  for (; *words; words++)
    if (!strcmp(name, *words)) return 1;
  return 0;
}

int infer_address(const char *column, const char **channel) {
  static const char *const email_exact[] = {"email", "e_mail", "email_address", "emailaddress",
                                            "mail_address", NULL};
  static const char *const sms_exact[] = {"msisdn", "mobile", "mobile_phone", "mobile_number",
                                          "mobilephone", "cell", "cellphone", "cell_phone",
                                          "phone", "phone_number", "phonenumber", "sms", NULL};
  static const char *const push_exact[] = {"push_token", "device_token", "fcm_token",
                                           "apns_token", "gcm_token", "push_id",
                                           "registration_token", NULL};
  char n[128];
  lower(column, n, sizeof n);
  *channel = NULL;
  if (is_word(n, email_exact)) return *channel = "email", 3;
  if (is_word(n, push_exact)) return *channel = "push", 3;
  if (is_word(n, sms_exact)) {
    *channel = "sms";
    /* a mobile number is a better SMS address than a plain phone */
    return strstr(n, "phone") && !strstr(n, "mobile") ? 2 : 3;
  }
  /* Looser: a word inside the name, not a flag or date about it
   * (email_verified, phone_opt_in, email_sent_at). */
  static const char *const not_address[] = {"verified", "opt", "consent", "valid", "sent",
                                            "bounce", "domain", "type", "_at", "date",
                                            "count", "status", "flag", NULL};
  for (const char *const *w = not_address; *w; w++)
    if (strstr(n, *w)) return 0;
  if (strstr(n, "email")) return *channel = "email", 1;
  if (strstr(n, "msisdn") || strstr(n, "mobile")) return *channel = "sms", 1;
  if (strstr(n, "phone")) return *channel = "sms", 1;
  if (strstr(n, "token") && (strstr(n, "push") || strstr(n, "device") || strstr(n, "fcm") ||
                             strstr(n, "apns")))
    return *channel = "push", 1;
  return 0;
}

/* --------------------------------------------------------------- values */

#define SAMPLE 1000
#define ENUM_MAX 8

/* Appends "name" to buf in double quotes (quotes doubled). */
static void qident(char *buf, size_t n, const char *name) {
  size_t k = strlen(buf);
  if (k + 3 >= n) return;
  buf[k++] = '"';
  for (; *name && k + 3 < n; name++) {
    if (*name == '"') buf[k++] = '"';
    buf[k++] = *name;
  }
  buf[k++] = '"';
  buf[k] = 0;
}

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

/* A calendar date YYYY-MM-DD at s (month 1-12, day 1-31). */
static int date_at(const char *s) {
  if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
    return 0;
  int m = atoi(s + 5), d = atoi(s + 8);
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* The shape of a text value: 1 a date, 2 camp's timestamp
 * (YYYY-MM-DD HH:MM:SS[.fff]), 3 a timestamp camp cannot compare as text
 * (a `T` separator, a zone, no seconds), 0 anything else. */
static int time_shape(const char *s) {
  size_t n = strlen(s);
  if (n < 10 || !date_at(s)) return 0;
  if (n == 10) return 1;
  if ((s[10] != ' ' && s[10] != 'T') || n < 16 || !digits(s + 11, 2) || s[13] != ':' ||
      !digits(s + 14, 2))
    return 0;
  const char *p = s + 16;
  int secs = *p == ':' && digits(p + 1, 2);
  if (secs) p += 3;
  if (*p == '.') {
    p++;
    while (isdigit((unsigned char)*p)) p++;
  }
  if (*p == 0) return s[10] == ' ' && secs ? 2 : 3;
  if (*p == 'Z' || *p == '+' || *p == '-') return 3;
  return 0;
}

/* A label camp can write bare or in backquotes: [A-Za-z_][A-Za-z0-9_]*. */
static int label_ok(const char *s) {
  if (!(isalpha((unsigned char)*s) || *s == '_')) return 0;
  size_t n = 1;
  for (s++; *s; s++, n++)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return n <= 40;
}

/* Names that say a 0/1 column is a yes/no. */
static int boolish_name(const char *column) {
  char n[128];
  lower(column, n, sizeof n);
  static const char *const prefixes[] = {"is_", "has_", "can_", "was_", "should_", NULL};
  for (const char *const *p = prefixes; *p; p++)
    if (!strncmp(n, *p, strlen(*p))) return 1;
  static const char *const words[] = {"active", "enabled", "disabled", "deleted", "opt_in",
                                      "optin", "opted_in", "opt_out", "subscribed", "consent",
                                      "verified", "flag", "blocked", "vip", NULL};
  for (const char *const *w = words; *w; w++)
    if (strstr(n, *w)) return 1;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads up to SAMPLE non-null values of table.column: *nvals values, of
 * which *ntext are text, *nint integers (ints[] holds distinct ones, up to
 * 3) and the distinct texts (up to ENUM_MAX + 1) in texts[].  Returns 0,
 * or -1 when the column cannot be read. */
typedef struct {
  int nvals, ntext, nint, nreal;
  int shape_count[4];    /* time_shape of the texts */
  int64_t ints[3];
  int nints_distinct;    /* distinct integers seen, capped at 3 */
  char *texts[ENUM_MAX + 1];
  int ntexts_distinct;   /* capped at ENUM_MAX + 1 */
  int text_labels_ok;
} Sample;

static void add_text(Sample *s, const char *v) {
  s->ntext++;
  s->shape_count[time_shape(v)]++;
  if (!label_ok(v)) s->text_labels_ok = 0;
  for (int i = 0; i < s->ntexts_distinct; i++)
    if (!strcmp(s->texts[i], v)) return;
  if (s->ntexts_distinct <= ENUM_MAX) {
    s->texts[s->ntexts_distinct] = strdup(v);
    if (!s->texts[s->ntexts_distinct]) abort();
  }
  if (s->ntexts_distinct <= ENUM_MAX) s->ntexts_distinct++;
}

static void add_int(Sample *s, int64_t v) {
  s->nint++;
  for (int i = 0; i < s->nints_distinct; i++)
    if (s->ints[i] == v) return;
  if (s->nints_distinct < 3) s->ints[s->nints_distinct++] = v;
}

static int sample(Db *db, const char *table, const char *column, Sample *s) {
  memset(s, 0, sizeof *s);
  s->text_labels_ok = 1;
  char sql[1024] = "SELECT ";
  qident(sql, sizeof sql, column);
  strcat(sql, " FROM ");
  qident(sql, sizeof sql, table);
  strcat(sql, " WHERE ");
  qident(sql, sizeof sql, column);
  snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " IS NOT NULL LIMIT %d", SAMPLE);
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  int rc;
  while ((rc = db_step(st)) == 1) {
    DbValue v = db_column(st, 0);
    s->nvals++;
    if (v.kind == DBV_TEXT) add_text(s, v.s);
    else if (v.kind == DBV_INT) add_int(s, v.i);
    else if (v.kind == DBV_REAL) s->nreal++;
  }
  db_finalize(st);
  return rc < 0 ? -1 : 0;
}

static void sample_free(Sample *s) {
  for (int i = 0; i < s->ntexts_distinct && i <= ENUM_MAX; i++) free(s->texts[i]);
}

void infer_values(Db *db, const char *table, const char *column, const char *type, int declared,
                  Inferred *out) {
  memset(out, 0, sizeof *out);
  out->type = type;
  int text = !strcmp(type, "text"), integer = !strcmp(type, "int");
  if (!text && !integer) return;
  Sample s;
  if (sample(db, table, column, &s) != 0 || s.nvals == 0) {
    sample_free(&s);
    return;
  }
  if (text && s.ntext == s.nvals) {
    if (s.shape_count[1] == s.nvals) {
      out->type = "date";
      snprintf(out->note, sizeof out->note, "guessed: every sampled value is a date");
    } else if (s.shape_count[2] == s.nvals) {
      out->type = "timestamp";
      snprintf(out->note, sizeof out->note, "guessed: every sampled value is a timestamp");
    } else if (s.shape_count[3] > 0 && s.shape_count[1] + s.shape_count[2] + s.shape_count[3] == s.nvals) {
      snprintf(out->note, sizeof out->note,
               "times, but not as `YYYY-MM-DD HH:MM:SS` text (what camp compares): "
               "kept as text");
    } else if (s.text_labels_ok && s.ntexts_distinct <= ENUM_MAX && s.ntexts_distinct >= 2 &&
               s.nvals >= 3 * s.ntexts_distinct) {
      /* A few names repeated over many rows: a category.  Only a guess:
       * the sample may miss rare values, which an enum would then reject. */
      qsort(s.texts, (size_t)s.ntexts_distinct, sizeof s.texts[0], cmp_str);
      out->type = "enum";
      out->nlabels = s.ntexts_distinct;
      for (int i = 0; i < s.ntexts_distinct; i++) {
        out->labels[i] = s.texts[i];
        s.texts[i] = NULL;
      }
      snprintf(out->note, sizeof out->note,
               "guessed: %d distinct values in %d sampled rows; use text if others can occur",
               out->nlabels, s.nvals);
    }
  } else if (integer && s.nint == s.nvals && s.nints_distinct <= 2 && boolish_name(column)) {
    int only01 = 1;
    for (int i = 0; i < s.nints_distinct; i++) only01 &= s.ints[i] == 0 || s.ints[i] == 1;
    if (only01) {
      out->type = "bool";
      snprintf(out->note, sizeof out->note, "guessed: a yes/no name holding only 0 and 1%s",
               declared ? "" : " (declared without a type)");
    }
  }
  sample_free(&s);
}

void inferred_free(Inferred *in) {
  for (int i = 0; i < in->nlabels; i++) free(in->labels[i]);
  in->nlabels = 0;
}
