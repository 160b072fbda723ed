/* tmpl.c — template tag syntax and filter validation (see tmpl.h). */
#include "lang/tmpl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucurr.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

static const char *const names[] = {"number", "currency", "percent", "date", "default"};

const char *tmpl_filter_name(TmplFilterKind k) { return names[k]; }

static int is_name_char(char c) {
  return isalnum((unsigned char)c) || c == '_' || c == '.';
}

void tmpl_tag_free(TmplTag *t) {
  free(t->name);
  for (int i = 0; i < t->nfilters; i++) {
    free(t->filters[i].arg);
    free(t->filters[i].locale);
  }
  memset(t, 0, sizeof *t);
}

typedef struct Lex {
  const char *p, *end;
} Lex;

static void skip(Lex *l) {
  while (l->p < l->end && (*l->p == ' ' || *l->p == '\t')) l->p++;
}

/* One argument: 1 = string (into *s), 2 = integer (*n), 0 = none here, -1 bad. */
static int arg(Lex *l, char **s, int *n, char *err, size_t errlen) {
  skip(l);
  if (l->p >= l->end || *l->p == '|') return 0;
  if (*l->p == '"') {
    const char *q = memchr(l->p + 1, '"', (size_t)(l->end - l->p - 1));
    if (!q) {
      snprintf(err, errlen, "a string argument has no closing `\"`");
      return -1;
    }
    *s = strndup(l->p + 1, (size_t)(q - l->p - 1));
    if (!*s) abort();
    l->p = q + 1;
    return 1;
  }
  if (isdigit((unsigned char)*l->p)) {
    long v = 0;
    while (l->p < l->end && isdigit((unsigned char)*l->p) && v < 1000) v = v * 10 + (*l->p++ - '0');
    if (l->p < l->end && *l->p != ' ' && *l->p != '\t' && *l->p != '|') {
      snprintf(err, errlen, "`%.*s` is not an argument (strings are in double quotes)",
               (int)(l->end - l->p), l->p);
      return -1;
    }
    *n = (int)v;
    return 2;
  }
  const char *w = l->p;
  while (l->p < l->end && *l->p != ' ' && *l->p != '|') l->p++;
  snprintf(err, errlen, "`%.*s` is not an argument (strings are in double quotes)",
           (int)(l->p - w), w);
  return -1;
}

static int parse_filter(Lex *l, TmplFilter *f, char *err, size_t errlen) {
  skip(l);
  const char *w = l->p;
  while (l->p < l->end && isalpha((unsigned char)*l->p)) l->p++;
  size_t wl = (size_t)(l->p - w);
  int k = -1;
  for (int i = 0; i < 5; i++)
    if (wl == strlen(names[i]) && !strncmp(w, names[i], wl)) k = i;
  if (k < 0) {
    snprintf(err, errlen, "unknown filter `%.*s` (filters: number, currency, percent, date, default)",
             (int)(wl ? wl : 1), wl ? w : (l->p < l->end ? l->p : "|"));
    return -1;
  }
  memset(f, 0, sizeof *f);
  f->kind = (TmplFilterKind)k;
  f->digits = -1;
  char *s[3] = {0};
  int n[3] = {0}, kinds[3] = {0}, na = 0;
  for (; na < 3; na++) {
    int r = arg(l, &s[na], &n[na], err, errlen);
    if (r < 0) goto bad;
    if (r == 0) break;
    kinds[na] = r;
  }
  skip(l);
  if (na == 3 || (l->p < l->end && *l->p != '|')) {
    snprintf(err, errlen, "too many arguments to `%s`", names[k]);
    goto bad;
  }
  int i = 0;
  switch (f->kind) {
    case TF_NUMBER:
    case TF_PERCENT:
      if (i < na && kinds[i] == 2) {
        if (n[i] > 15) {
          snprintf(err, errlen, "`%s` takes 0 to 15 fraction digits", names[k]);
          goto bad;
        }
        f->digits = n[i++];
      }
      if (i < na && kinds[i] == 1) f->locale = s[i], s[i++] = NULL;
      if (i < na) {
        snprintf(err, errlen, "`%s` takes [DIGITS] [\"LOCALE\"]", names[k]);
        goto bad;
      }
      break;
    case TF_CURRENCY:
    case TF_DATE:
      if (i < na && kinds[i] == 1) f->arg = s[i], s[i++] = NULL;
      else {
        snprintf(err, errlen, f->kind == TF_CURRENCY ? "`currency` needs a currency code, e.g. currency \"EUR\""
                                                     : "`date` needs a pattern, e.g. date \"d MMMM yyyy\"");
        goto bad;
      }
      if (i < na && kinds[i] == 1) f->locale = s[i], s[i++] = NULL;
      if (i < na) {
        snprintf(err, errlen, "`%s` takes \"%s\" [\"LOCALE\"]", names[k],
                 f->kind == TF_CURRENCY ? "CODE" : "PATTERN");
        goto bad;
      }
      break;
    case TF_DEFAULT:
      if (na != 1 || kinds[0] != 1) {
        snprintf(err, errlen, "`default` takes one string, e.g. default \"friend\"");
        goto bad;
      }
      f->arg = s[0], s[0] = NULL;
      break;
  }
  return 0;
bad:
  for (int j = 0; j < 3; j++) free(s[j]);
  free(f->arg);
  free(f->locale);
  f->arg = f->locale = NULL;
  return -1;
}

int tmpl_parse_tag(const char *s, size_t len, TmplTag *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  Lex l = {s, s + len};
  skip(&l);
  if (l.p < l.end && (*l.p == '#' || *l.p == '^' || *l.p == '/')) out->sigil = *l.p++;
  skip(&l);
  const char *n = l.p;
  while (l.p < l.end && is_name_char(*l.p)) l.p++;
  const char *ne = l.p;
  skip(&l);
  if (ne == n || (l.p < l.end && *l.p != '|')) {
    snprintf(err, errlen, "`{{%.*s}}` is not a placeholder: names are letters, digits, `_` and "
                          "`.`; filters follow a `|`", (int)len, s);
    return -1;
  }
  out->name = strndup(n, (size_t)(ne - n));
  if (!out->name) abort();
  while (l.p < l.end && *l.p == '|') {
    l.p++;
    if (out->sigil) {
      snprintf(err, errlen, "sections take no filters: `{{%.*s}}`", (int)len, s);
      tmpl_tag_free(out);
      return -1;
    }
    if (out->nfilters == TMPL_MAX_FILTERS) {
      snprintf(err, errlen, "more than %d filters", TMPL_MAX_FILTERS);
      tmpl_tag_free(out);
      return -1;
    }
    if (parse_filter(&l, &out->filters[out->nfilters], err, errlen)) {
      tmpl_tag_free(out);
      return -1;
    }
    out->nfilters++;
    skip(&l);
  }
  return 0;
}

/* ----------------------------------------------------------- with ICU */

int tmpl_known_locale(const char *tag) {
  char id[ULOC_FULLNAME_CAPACITY];
  UErrorCode st = U_ZERO_ERROR;
  int32_t parsed = 0;
  if (!tag || !*tag || strlen(tag) > 64) return 0;
  uloc_forLanguageTag(tag, id, sizeof id, &parsed, &st);
  if (U_FAILURE(st) || parsed != (int32_t)strlen(tag)) {
    /* ICU's own form (sv_SE) is not a BCP 47 tag: try it as an id. */
    for (const char *p = tag; *p; p++)
      if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') return 0;
    snprintf(id, sizeof id, "%s", tag);
  }
  const char *iso3 = uloc_getISO3Language(id);
  char lang[16];
  st = U_ZERO_ERROR;
  uloc_getLanguage(id, lang, sizeof lang, &st);
  return U_SUCCESS(st) && lang[0] && iso3 && iso3[0];
}

static int known_currency(const char *code) {
  if (strlen(code) != 3) return 0;
  for (int i = 0; i < 3; i++)
    if (!isupper((unsigned char)code[i])) return 0;
  UChar u[4];
  u_charsToUChars(code, u, 4);
  UErrorCode st = U_ZERO_ERROR;
  /* Currencies in use at any time ICU knows of. */
  UBool ok = ucurr_isAvailable(u, -1e15, 1e15, &st);
  return U_SUCCESS(st) && ok;
}

static int date_style(const char *p) {
  return !strcmp(p, "short") ? UDAT_SHORT : !strcmp(p, "medium") ? UDAT_MEDIUM
       : !strcmp(p, "long") ? UDAT_LONG : !strcmp(p, "full") ? UDAT_FULL : -2;
}

/* A pattern ICU accepts: only pattern letters ICU defines, quotes balanced. */
static int good_pattern(const char *p, char *bad) {
  static const char letters[] = "GyYuUrQqMLlwWdDFgEecabBhHkKjJCmsSAzZOvVXx";
  int quoted = 0;
  for (; *p; p++) {
    if (*p == '\'') {
      quoted = !quoted;
      continue;
    }
    if (quoted || !isalpha((unsigned char)*p)) continue;
    if (!strchr(letters, *p)) {
      *bad = *p;
      return 0;
    }
  }
  if (quoted) *bad = '\'';
  return !quoted;
}

int tmpl_check_filter(const TmplFilter *f, char *err, size_t errlen) {
  if (f->locale && !tmpl_known_locale(f->locale)) {
    snprintf(err, errlen, "`%s`: unknown locale \"%s\" (a language tag like \"sv\" or \"de-AT\")",
             names[f->kind], f->locale);
    return -1;
  }
  if (f->kind == TF_CURRENCY && !known_currency(f->arg)) {
    snprintf(err, errlen, "`currency`: \"%s\" is not an ISO 4217 currency code (EUR, SEK, USD, ...)",
             f->arg);
    return -1;
  }
  if (f->kind == TF_DATE && date_style(f->arg) == -2) {
    char bad = 0;
    if (!*f->arg || !good_pattern(f->arg, &bad)) {
      if (!*f->arg) snprintf(err, errlen, "`date`: the pattern is empty");
      else if (bad == '\'') snprintf(err, errlen, "`date`: unbalanced `'` in \"%s\"", f->arg);
      else snprintf(err, errlen, "`date`: `%c` is no date pattern letter in \"%s\" "
                                 "(quote literal text: 'at')", bad, f->arg);
      return -1;
    }
  }
  return 0;
}
