/* dateformula.h — Business Central date formulas (seed 003): `10D`, `-1W`,
 * `1M`, `CM` (end of the current month), `-CM` (its first day), `CM+1D`,
 * `1M+CM`, ...  Pure: no I/O, no allocation, no global state; the checker
 * parses formulas at compile time (errors point at the bad character) and
 * the runtime applies them to dates.
 *
 * A formula is one or more terms, each but the first preceded by `+` or
 * `-` (the first may be): `[N]U` adds N (default 1) units, `CU` moves to
 * the end of the current unit, `-CU` to its start.  Units: D day, W week
 * (7 days; a week runs Monday..Sunday), M month, Q quarter (3 months),
 * Y year.  Letters may be lower case.  Terms apply left to right.  Adding
 * months or years to a day the target month lacks gives that month's last
 * day (2024-01-31 + 1M = 2024-02-29, 2024-02-29 + 1Y = 2025-02-28). */
#ifndef CAMP_DATEFORMULA_H
#define CAMP_DATEFORMULA_H

#include <stddef.h>
#include <stdint.h>

#define DF_MAX_TERMS 16
#define DF_MAX_N 9999

typedef struct DfTerm {
  int sign;      /* +1 or -1 */
  int n;         /* count (>= 0); unused for a current-period term */
  int current;   /* 1: `C` term (period end, or start when sign < 0) */
  char unit;     /* 'D', 'W', 'M', 'Q', 'Y' */
} DfTerm;

typedef struct DateFormula {
  int nterms;
  DfTerm t[DF_MAX_TERMS];
} DateFormula;

/* Parses text into *out.  Returns 0, or -1 with *err_off = the byte offset
 * in text of the offending character and a message in err. */
int dateformula_parse(const char *text, DateFormula *out, int *err_off, char *err, size_t errlen);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t df_days(int y, int m, int d);
void df_civil(int64_t days, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" (a real calendar day; trailing " HH:MM[:SS]" is
 * ignored) into days since 1970-01-01.  Returns 0 or -1. */
int df_parse_date(const char *s, int64_t *days);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL) into out. */
void df_format_date(int64_t days, char out[11]);

/* The date the formula gives from day `from` (days since 1970-01-01).
 * Returns 0, or -1 when the result leaves the years 1..9999. */
int dateformula_apply(const DateFormula *f, int64_t from, int64_t *out);

/* The formula in canonical form (upper case, `+` between terms). */
void dateformula_text(const DateFormula *f, char *out, size_t outlen);

#endif
