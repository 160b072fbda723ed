/* dateformula.c — Business Central date formulas: parse, apply, print.
 * See dateformula.h for the language.  Calendar arithmetic is on days
 * since 1970-01-01 (Howard Hinnant's civil-from-days algorithms), so month
 * ends and leap years come from one place. */
#include "compiler/check/dateformula.h"

#include <stdio.h>
#include <string.h>

int64_t df_days(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void df_civil(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_len(int y, int m) {
  static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : len[m - 1];
}

int df_parse_date(const char *s, int64_t *days) {
  int y, m, d, n = 0;
  if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10) return -1;
  if (s[10] && s[10] != ' ' && s[10] != 'T') return -1;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_len(y, m)) return -1;
  *days = df_days(y, m, d);
  return 0;
}

void df_format_date(int64_t days, char out[11]) {
  int y, m, d;
  df_civil(days, &y, &m, &d);
  char tmp[40];  /* y, m and d are in range; the size only silences -Wformat-truncation */
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
  memcpy(out, tmp, 10);
  out[10] = 0;
}

static int unit_of(char c) {
  switch (c) {
    case 'D': case 'd': return 'D';
    case 'W': case 'w': return 'W';
    case 'M': case 'm': return 'M';
    case 'Q': case 'q': return 'Q';
    case 'Y': case 'y': return 'Y';
    default: return 0;
  }
}

static int fail(int *err_off, int off, char *err, size_t errlen, const char *msg) {
  *err_off = off;
  snprintf(err, errlen, "%s", msg);
  return -1;
}

int dateformula_parse(const char *text, DateFormula *out, int *err_off, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t i = 0, len = strlen(text);
  if (len == 0) return fail(err_off, 0, err, errlen, "empty date formula (e.g. `10D`, `1M+CM`)");
  while (i < len) {
    DfTerm t = {.sign = 1, .n = 1};
    if (text[i] == '+' || text[i] == '-') {
      t.sign = text[i] == '-' ? -1 : 1;
      i++;
    } else if (out->nterms > 0) {
      return fail(err_off, (int)i, err, errlen, "expected `+` or `-` between the terms of a date formula");
    }
    if (i >= len) return fail(err_off, (int)i, err, errlen, "a date formula ends after a sign: a term (`1D`, `CM`) must follow");
    if (out->nterms == DF_MAX_TERMS) return fail(err_off, (int)i, err, errlen, "too many terms in a date formula (at most 16)");
    if (text[i] == 'C' || text[i] == 'c') {
      t.current = 1;
      t.n = 0;
      i++;
      if (i >= len || !unit_of(text[i]))
        return fail(err_off, (int)i, err, errlen, "`C` (current period) must be followed by a unit: D, W, M, Q or Y");
      t.unit = (char)unit_of(text[i++]);
    } else if (text[i] >= '0' && text[i] <= '9') {
      long n = 0;
      size_t start = i;
      while (i < len && text[i] >= '0' && text[i] <= '9') {
        n = n * 10 + (text[i] - '0');
        if (n > DF_MAX_N) return fail(err_off, (int)start, err, errlen, "a date formula count must be at most 9999");
        i++;
      }
      t.n = (int)n;
      if (i >= len) return fail(err_off, (int)i, err, errlen, "a number in a date formula needs a unit: D, W, M, Q or Y");
      if (!unit_of(text[i]))
        return fail(err_off, (int)i, err, errlen, "unknown date formula unit (D day, W week, M month, Q quarter, Y year)");
      t.unit = (char)unit_of(text[i++]);
    } else if (unit_of(text[i])) {
      t.unit = (char)unit_of(text[i++]);  /* `M` = `1M` */
    } else {
      return fail(err_off, (int)i, err, errlen,
                  "unexpected character in a date formula (terms are like `10D`, `-1W`, `CM`)");
    }
    out->t[out->nterms++] = t;
  }
  return 0;
}

/* Adds n months, keeping the day unless the target month is shorter. */
static int64_t add_months(int64_t day, int64_t n) {
  int y, m, d;
  df_civil(day, &y, &m, &d);
  int64_t idx = (int64_t)y * 12 + (m - 1) + n;
  int64_t ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
  int nm = (int)(idx - ny * 12) + 1;
  if (ny < 1 || ny > 9999) return INT64_MIN;
  int ml = month_len((int)ny, nm);
  return df_days((int)ny, nm, d > ml ? ml : d);
}

/* End (sign > 0) or start (sign < 0) of the period containing day. */
static int64_t current(int64_t day, char unit, int sign) {
  int y, m, d;
  df_civil(day, &y, &m, &d);
  switch (unit) {
    case 'D': return day;
    case 'W': {
      int64_t wd = ((day % 7) + 7 + 3) % 7;  /* 0 = Monday (1970-01-01 was a Thursday) */
      return sign > 0 ? day + (6 - wd) : day - wd;
    }
    case 'M': return sign > 0 ? df_days(y, m, month_len(y, m)) : df_days(y, m, 1);
    case 'Q': {
      int qs = (m - 1) / 3 * 3 + 1;
      return sign > 0 ? df_days(y, qs + 2, month_len(y, qs + 2)) : df_days(y, qs, 1);
    }
    default: return sign > 0 ? df_days(y, 12, 31) : df_days(y, 1, 1);
  }
}

int dateformula_apply(const DateFormula *f, int64_t from, int64_t *out) {
  const int64_t lo = df_days(1, 1, 1), hi = df_days(9999, 12, 31);
  int64_t day = from;
  for (int i = 0; i < f->nterms; i++) {
    const DfTerm *t = &f->t[i];
    if (day < lo || day > hi) return -1;
    if (t->current) {
      day = current(day, t->unit, t->sign);
      continue;
    }
    int64_t n = (int64_t)t->sign * t->n;
    switch (t->unit) {
      case 'D': day += n; break;
      case 'W': day += 7 * n; break;
      case 'M': day = add_months(day, n); break;
      case 'Q': day = add_months(day, 3 * n); break;
      default: day = add_months(day, 12 * n); break;
    }
    if (day == INT64_MIN) return -1;
  }
  if (day < lo || day > hi) return -1;
  *out = day;
  return 0;
}

void dateformula_text(const DateFormula *f, char *out, size_t outlen) {
  size_t o = 0;
  if (outlen == 0) return;
  out[0] = 0;
  for (int i = 0; i < f->nterms && o + 8 < outlen; i++) {
    const DfTerm *t = &f->t[i];
    if (t->sign < 0) out[o++] = '-';
    else if (i > 0) out[o++] = '+';
    if (t->current) o += (size_t)snprintf(out + o, outlen - o, "C%c", t->unit);
    else o += (size_t)snprintf(out + o, outlen - o, "%d%c", t->n, t->unit);
  }
}
