/* tmpl.h — the syntax of one template tag (the text between `{{` and
 * `}}`), shared by the checker (compiler/check/check_tmpl.c) and the
 * renderer (runtime/delivery/render.c), and the validation of filter
 * arguments against ICU's data (locales, currencies, date patterns).
 *
 *   {{ name }}                     a value
 *   {{# name }} {{^ name }} {{/ name }}   sections (no filters)
 *   {{ name | filter ARG... | filter ARG... }}
 *
 * Filters (applied left to right; a missing value stays missing except for
 * `default`):
 *   number [DIGITS] ["LOCALE"]     grouped digits; DIGITS fraction digits
 *   currency "ISO4217" ["LOCALE"]  e.g. currency "EUR": €1,573.10 (en),
 *                                  1 573,10 € (sv)
 *   percent [DIGITS] ["LOCALE"]    0.25 -> 25%
 *   date "PATTERN" ["LOCALE"]      ICU pattern ("d MMMM" -> 18 mars in sv)
 *                                  or short | medium | long | full; UTC
 *   default "TEXT"                 TEXT when the value is missing or empty
 * DIGITS is an unquoted integer 0..15, the rest are double-quoted strings
 * (no escapes; a string cannot hold `"` or `}}`).  Without a LOCALE the
 * message's locale is used: the contact's language when the channel step
 * names a `language` column, else "en". */
#ifndef CAMP_TMPL_H
#define CAMP_TMPL_H

#include <stddef.h>

typedef enum { TF_NUMBER, TF_CURRENCY, TF_PERCENT, TF_DATE, TF_DEFAULT } TmplFilterKind;

enum { TMPL_MAX_FILTERS = 8 };

typedef struct TmplFilter {
  TmplFilterKind kind;
  int digits;    /* number/percent: fraction digits, -1 = not given */
  char *arg;     /* currency code, date pattern, default text (malloc'd) */
  char *locale;  /* malloc'd, or NULL */
} TmplFilter;

typedef struct TmplTag {
  char sigil;    /* 0, '#', '^' or '/' */
  char *name;    /* malloc'd */
  TmplFilter filters[TMPL_MAX_FILTERS];
  int nfilters;
} TmplTag;

/* Parses the tag text s[0..len) (without the braces).  0, or -1 with a
 * message (without position) in err.  Argument values are not checked
 * against ICU here: see tmpl_check_filter. */
int tmpl_parse_tag(const char *s, size_t len, TmplTag *out, char *err, size_t errlen);
void tmpl_tag_free(TmplTag *t);

/* Checks a parsed filter's arguments: a known locale, an ISO 4217
 * currency ICU knows, a date pattern ICU accepts.  0, or -1 with err. */
int tmpl_check_filter(const TmplFilter *f, char *err, size_t errlen);
/* Is `tag` a language tag ICU knows a language for (sv, sv-SE, pt_BR)? */
int tmpl_known_locale(const char *tag);
/* The filter's name as written. */
const char *tmpl_filter_name(TmplFilterKind k);

#endif
