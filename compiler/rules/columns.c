/* columns.c — look-ups in the columnar layout and the calendar helpers
 * that give dates and timestamps their integer form (columns.h). */
#include <stdlib.h>
#include <string.h>

#include "compiler/rules/columns.h"

int snapshot_table(const Snapshot *s, const char *name) {
  for (int i = 0; s && i < s->ntables; i++)
    if (!strcmp(s->tables[i].name, name)) return i;
  return -1;
}

int snapshot_col(const SnapTable *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (!strcmp(t->cols[i].name, name)) return i;
  return -1;
}

int snapshot_coll(const SnapTable *t, const char *name) {
  for (int i = 0; i < t->ncolls; i++)
    if (!strcmp(t->colls[i].name, name)) return i;
  return -1;
}

int64_t snapshot_find_key(const SnapTable *t, int64_t key) {
  if (t->key_col < 0 || t->key_bad) return -1;
  const int64_t *k = t->cols[t->key_col].data;
  int64_t lo = 0, hi = t->nrows;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (k[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo < t->nrows && k[lo] == key ? lo : -1;
}

/* ------------------------------------------------------------ calendar */

int64_t snap_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void snap_civil_from_days(int64_t z, int *y, int *m, int *d) {
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

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

static int month_days(int y, int m) {
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : md[m - 1];
}

static int parse_date_part(const char *s, int64_t *days) {
  int y, m, d;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
      digits(s + 8, 2, &d))
    return -1;
  if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return -1;
  *days = snap_days_from_civil(y, m, d);
  return 0;
}

int snap_parse_date(const char *s, int32_t *days) {
  int64_t d;
  if (strlen(s) != 10 || parse_date_part(s, &d)) return -1;
  *days = (int32_t)d;
  return 0;
}

int snap_parse_ts(const char *s, int64_t *secs) {
  int64_t d;
  int hh, mm, ss;
  if (strlen(s) != 19 || parse_date_part(s, &d) || s[10] != ' ' || digits(s + 11, 2, &hh) ||
      s[13] != ':' || digits(s + 14, 2, &mm) || s[16] != ':' || digits(s + 17, 2, &ss))
    return -1;
  if (hh > 23 || mm > 59 || ss > 59) return -1;
  *secs = d * 86400 + hh * 3600 + mm * 60 + ss;
  return 0;
}
