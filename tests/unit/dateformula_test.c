/* dateformula_test.c — compiler/check/dateformula.c against hand-computed
 * dates: month ends, leap years (2024 leap, 2100 not, 2000 yes), negative
 * terms, current-period terms and combinations, and parse errors with the
 * offset of the bad character.  Prints `dateformula_test: N passed, N
 * failed`. */
#include <stdio.h>
#include <string.h>

#include "compiler/check/dateformula.h"

static int passed, failed;

#define CHECK(cond, ...)                                            \
  do {                                                              \
    if (cond) passed++;                                             \
    else {                                                          \
      failed++;                                                     \
      printf("FAIL dateformula_test %s:%d: ", __FILE__, __LINE__);  \
      printf(__VA_ARGS__);                                          \
      printf("\n");                                                 \
    }                                                               \
  } while (0)

static void expect(const char *from, const char *formula, const char *want) {
  DateFormula f;
  int off = -1;
  char err[200], got[11] = "";
  int64_t d, r;
  if (dateformula_parse(formula, &f, &off, err, sizeof err) != 0) {
    CHECK(0, "%s: unexpected parse error at %d: %s", formula, off, err);
    return;
  }
  if (df_parse_date(from, &d) != 0) {
    CHECK(0, "bad test date %s", from);
    return;
  }
  if (dateformula_apply(&f, d, &r) != 0) {
    CHECK(0, "%s + %s: out of range", from, formula);
    return;
  }
  df_format_date(r, got);
  CHECK(!strcmp(got, want), "%s + %s = %s, want %s", from, formula, got, want);
}

static void bad(const char *formula, int want_off, const char *want_msg) {
  DateFormula f;
  int off = -1;
  char err[200] = "";
  int rc = dateformula_parse(formula, &f, &off, err, sizeof err);
  CHECK(rc == -1, "`%s` parsed, want an error", formula);
  CHECK(off == want_off, "`%s`: error at %d, want %d (%s)", formula, off, want_off, err);
  CHECK(strstr(err, want_msg) != NULL, "`%s`: message `%s` lacks `%s`", formula, err, want_msg);
}

static void canon(const char *formula, const char *want) {
  DateFormula f;
  int off;
  char err[200], out[128];
  CHECK(dateformula_parse(formula, &f, &off, err, sizeof err) == 0, "%s: %s", formula, err);
  dateformula_text(&f, out, sizeof out);
  CHECK(!strcmp(out, want), "text of %s = %s, want %s", formula, out, want);
}

int main(void) {
  /* days */
  expect("2026-03-01", "10D", "2026-03-11");
  expect("2026-03-01", "-1D", "2026-02-28");
  expect("2024-03-01", "-1D", "2024-02-29");       /* leap year */
  expect("2026-12-25", "10D", "2027-01-04");       /* year end */
  expect("2026-03-01", "0D", "2026-03-01");
  /* weeks */
  expect("2026-03-04", "-1W", "2026-02-25");
  expect("2026-12-28", "2W", "2027-01-11");
  /* months: clamped to the target month's last day */
  expect("2026-01-31", "1M", "2026-02-28");
  expect("2024-01-31", "1M", "2024-02-29");
  expect("2026-03-31", "-1M", "2026-02-28");
  expect("2026-05-31", "1M", "2026-06-30");
  expect("2026-02-28", "1M", "2026-03-28");        /* not moved to the 31st */
  expect("2026-11-15", "3M", "2027-02-15");
  expect("2026-01-15", "-13M", "2024-12-15");
  expect("2100-01-31", "1M", "2100-02-28");        /* 2100 is no leap year */
  expect("2000-01-31", "1M", "2000-02-29");        /* 2000 is one */
  /* quarters and years */
  expect("2026-11-30", "1Q", "2027-02-28");
  expect("2024-02-29", "1Y", "2025-02-28");
  expect("2024-02-29", "4Y", "2028-02-29");
  expect("2024-02-29", "-1Y", "2023-02-28");
  /* current period: end, and start with a minus */
  expect("2026-02-10", "CM", "2026-02-28");
  expect("2024-02-10", "CM", "2024-02-29");
  expect("2026-02-10", "-CM", "2026-02-01");
  expect("2026-02-10", "CM+1D", "2026-03-01");     /* first day of next month */
  expect("2026-01-31", "1M+CM", "2026-02-28");
  expect("2026-01-15", "1M+CM", "2026-02-28");
  expect("2026-03-04", "CW", "2026-03-08");        /* Wednesday -> Sunday */
  expect("2026-03-04", "-CW", "2026-03-02");       /* -> Monday */
  expect("2026-03-08", "CW", "2026-03-08");        /* Sunday is the week's end */
  expect("2026-03-09", "-CW", "2026-03-09");       /* Monday its start */
  expect("2026-05-17", "CQ", "2026-06-30");
  expect("2026-05-17", "-CQ", "2026-04-01");
  expect("2026-05-17", "CY", "2026-12-31");
  expect("2026-05-17", "-CY", "2026-01-01");
  expect("2026-05-17", "CD", "2026-05-17");
  expect("2026-05-17", "-CM-1D", "2026-04-30");    /* last day of previous month */
  expect("2026-05-17", "-1M-CM", "2026-04-01");
  expect("2026-05-17", "cm+1d", "2026-06-01");     /* lower case */
  expect("2026-05-17", "+5D", "2026-05-22");
  expect("2026-05-17", "M", "2026-06-17");         /* a bare unit counts 1 */
  /* the calendar itself */
  int y, m, d;
  df_civil(0, &y, &m, &d);
  CHECK(y == 1970 && m == 1 && d == 1, "day 0 = %d-%d-%d", y, m, d);
  CHECK(df_days(2000, 3, 1) - df_days(2000, 2, 28) == 2, "2000 has a Feb 29");
  CHECK(df_days(1900, 3, 1) - df_days(1900, 2, 28) == 1, "1900 has no Feb 29");
  int64_t x;
  CHECK(df_parse_date("2026-02-29", &x) == -1, "2026-02-29 is no date");
  CHECK(df_parse_date("2024-02-29", &x) == 0, "2024-02-29 is a date");
  CHECK(df_parse_date("2024-13-01", &x) == -1, "month 13");
  CHECK(df_parse_date("2024-1-01", &x) == -1, "one-digit month");
  CHECK(df_parse_date("2024-01-01 09:00:00", &x) == 0, "timestamp accepted as its date");
  /* range */
  DateFormula f;
  int off;
  char err[100];
  dateformula_parse("9999Y", &f, &off, err, sizeof err);
  int64_t out;
  CHECK(dateformula_apply(&f, df_days(2026, 1, 1), &out) == -1, "year 12025 is out of range");
  /* errors with offsets */
  bad("", 0, "empty");
  bad("10", 2, "needs a unit");
  bad("10X", 2, "unknown date formula unit");
  bad("1M CM", 2, "expected `+` or `-`");
  bad("1MCM", 2, "expected `+` or `-`");
  bad("C", 1, "must be followed by a unit");
  bad("CX", 1, "must be followed by a unit");
  bad("1M+", 3, "ends after a sign");
  bad("10000D", 0, "at most 9999");
  bad("?", 0, "unexpected character");
  /* canonical text */
  canon("cm+1d", "CM+1D");
  canon("-1w", "-1W");
  canon("+M-CQ", "1M-CQ");
  printf("dateformula_test: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
