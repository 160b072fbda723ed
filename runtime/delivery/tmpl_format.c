/* tmpl_format.c — template filters with ICU (see tmpl_format.h).
 * Formatters are costly to open, so each thread keeps the last few it
 * opened (keyed by kind, argument, digits and locale). */
#include "runtime/delivery/tmpl_format.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

void tmpl_locale_id(const char *tag, char *out, size_t outlen) {
  UErrorCode st = U_ZERO_ERROR;
  int32_t parsed = 0;
  out[0] = 0;
  if (tag && *tag) uloc_forLanguageTag(tag, out, (int32_t)outlen, &parsed, &st);
  if (!tag || !*tag || U_FAILURE(st) || !out[0] || parsed != (int32_t)strlen(tag))
    snprintf(out, outlen, "%s", tag && *tag ? tag : "en");
}

/* --------------------------------------------------------------- cache */

enum { CACHE = 16 };

typedef struct Entry {
  int kind, digits;
  char arg[128], locale[64];
  void *fmt; /* UNumberFormat* or UDateFormat* */
  unsigned long used;
} Entry;

static _Thread_local Entry cache[CACHE];
static _Thread_local unsigned long tick;

static void close_fmt(Entry *e) {
  if (!e->fmt) return;
  if (e->kind == TF_DATE) udat_close(e->fmt); else unum_close(e->fmt);
  e->fmt = NULL;
}

static void *open_fmt(const TmplFilter *f, const char *locale) {
  UErrorCode st = U_ZERO_ERROR;
  if (f->kind == TF_DATE) {
    UChar pat[256], tz[] = {'U', 'T', 'C', 0};
    int style = !strcmp(f->arg, "short") ? UDAT_SHORT : !strcmp(f->arg, "medium") ? UDAT_MEDIUM
              : !strcmp(f->arg, "long") ? UDAT_LONG : !strcmp(f->arg, "full") ? UDAT_FULL : -2;
    UDateFormat *d;
    if (style != -2) {
      d = udat_open(UDAT_NONE, (UDateFormatStyle)style, locale, tz, -1, NULL, 0, &st);
    } else {
      int32_t n = 0;
      u_strFromUTF8(pat, 256, &n, f->arg, -1, &st);
      if (U_FAILURE(st)) return NULL;
      d = udat_open(UDAT_PATTERN, UDAT_PATTERN, locale, tz, -1, pat, n, &st);
    }
    if (U_FAILURE(st)) {
      if (d) udat_close(d);
      return NULL;
    }
    return d;
  }
  UNumberFormatStyle style = f->kind == TF_CURRENCY ? UNUM_CURRENCY
                           : f->kind == TF_PERCENT ? UNUM_PERCENT : UNUM_DECIMAL;
  UNumberFormat *nf = unum_open(style, NULL, 0, locale, NULL, &st);
  if (U_FAILURE(st)) {
    if (nf) unum_close(nf);
    return NULL;
  }
  if (f->kind == TF_CURRENCY) {
    UChar code[4];
    u_charsToUChars(f->arg, code, 4);
    unum_setTextAttribute(nf, UNUM_CURRENCY_CODE, code, 3, &st);
  }
  if (f->digits >= 0) {
    unum_setAttribute(nf, UNUM_MIN_FRACTION_DIGITS, f->digits);
    unum_setAttribute(nf, UNUM_MAX_FRACTION_DIGITS, f->digits);
  }
  /* Half-up, as people round money by hand (ICU's default is half-even). */
  unum_setAttribute(nf, UNUM_ROUNDING_MODE, UNUM_ROUND_HALFUP);
  return nf;
}

static void *formatter(const TmplFilter *f, const char *locale) {
  const char *arg = f->arg ? f->arg : "";
  Entry *lru = &cache[0];
  for (int i = 0; i < CACHE; i++) {
    Entry *e = &cache[i];
    if (e->fmt && e->kind == (int)f->kind && e->digits == f->digits && !strcmp(e->arg, arg) &&
        !strcmp(e->locale, locale)) {
      e->used = ++tick;
      return e->fmt;
    }
    if (e->used < lru->used) lru = e;
  }
  if (strlen(arg) >= sizeof lru->arg || strlen(locale) >= sizeof lru->locale)
    return NULL; /* too long to cache: such arguments fail the check anyway */
  close_fmt(lru);
  lru->fmt = open_fmt(f, locale);
  lru->kind = (int)f->kind;
  lru->digits = f->digits;
  snprintf(lru->arg, sizeof lru->arg, "%s", arg);
  snprintf(lru->locale, sizeof lru->locale, "%s", locale);
  lru->used = ++tick;
  return lru->fmt;
}

/* ------------------------------------------------------------- values */

/* A decimal number in SQLite's text form ([-]digits[.digits][e[+-]digits]). */
static int is_number(const char *s) {
  const char *p = s;
  if (*p == '-' || *p == '+') p++;
  int d = 0;
  while (isdigit((unsigned char)*p)) p++, d++;
  if (*p == '.') {
    p++;
    while (isdigit((unsigned char)*p)) p++, d++;
  }
  if (!d) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '-' || *p == '+') p++;
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p)) p++;
  }
  return *p == 0;
}

/* 'YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]]' (UTC) -> ms since the epoch. */
static int parse_date(const char *s, UDate *out) {
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
  const char *p = s + 10;
  if (*p == ' ' || *p == 'T') {
    int m = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5) return -1;
    p += 6;
    if (*p == ':') {
      if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2) return -1;
      p += 3;
      if (*p == '.') for (p++; isdigit((unsigned char)*p); p++) {}
    }
  }
  if (*p) return -1;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi, .tm_sec = sec};
  *out = (UDate)timegm(&tm) * 1000.0;
  return 0;
}

static char *to_utf8(const UChar *u, int32_t n) {
  UErrorCode st = U_ZERO_ERROR;
  int32_t need = 0;
  u_strToUTF8(NULL, 0, &need, u, n, &st);
  char *out = malloc((size_t)need + 1);
  if (!out) abort();
  st = U_ZERO_ERROR;
  u_strToUTF8(out, need + 1, NULL, u, n, &st);
  return U_SUCCESS(st) ? out : (free(out), (char *)NULL);
}

/* One filter; returns a new string, or NULL (missing / cannot format). */
static char *apply_one(const TmplFilter *f, const char *v, const char *msg_locale) {
  if (f->kind == TF_DEFAULT) return strdup(v && *v ? v : f->arg);
  if (!v) return NULL;
  char locale[ULOC_FULLNAME_CAPACITY];
  tmpl_locale_id(f->locale ? f->locale : msg_locale, locale, sizeof locale);
  UChar buf[512];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n;
  if (f->kind == TF_DATE) {
    UDate when;
    if (parse_date(v, &when)) return strdup(v);
    UDateFormat *d = formatter(f, locale);
    if (!d) return strdup(v);
    n = udat_format(d, when, buf, 512, NULL, &st);
  } else {
    if (!is_number(v)) return strdup(v);
    UNumberFormat *nf = formatter(f, locale);
    if (!nf) return strdup(v);
    n = unum_formatDecimal(nf, v, -1, buf, 512, NULL, &st);
  }
  if (U_FAILURE(st) || n >= 512) return strdup(v);
  char *out = to_utf8(buf, n);
  return out ? out : strdup(v);
}

char *tmpl_apply(const TmplTag *tag, const char *value, const char *locale) {
  char *cur = value ? strdup(value) : NULL;
  if (value && !cur) abort();
  for (int i = 0; i < tag->nfilters; i++) {
    char *next = apply_one(&tag->filters[i], cur, locale);
    free(cur);
    cur = next;
  }
  return cur;
}
