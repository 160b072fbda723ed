/* clock.c — see clock.h. */
#include "lang/clock.h"

#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int clock_normalize(const char *text, char out[20]) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  /* blanks around it (a line read from a file) are not part of the clock */
  while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') text++;
  size_t len = strlen(text);
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' || text[len - 1] == '\r'))
    len--;
  if (len != 10 && len != 16 && len != 19) return -1;
  if (digits(text, 4, &y) || text[4] != '-' || digits(text + 5, 2, &mo) || text[7] != '-' ||
      digits(text + 8, 2, &d))
    return -1;
  if (len > 10) {
    if ((text[10] != ' ' && text[10] != 'T') || digits(text + 11, 2, &h) || text[13] != ':' ||
        digits(text + 14, 2, &mi))
      return -1;
    if (len == 19 && (text[16] != ':' || digits(text + 17, 2, &s))) return -1;
  }
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > dm[mo - 1] + (mo == 2 && leap)) return -1;
  if (h > 23 || mi > 59 || s > 59) return -1;
  char buf[32];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
  memcpy(out, buf, 20);
  return 0;
}

void clock_add_seconds(const char *ts, int64_t secs, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  out[0] = 0;
  const char *end = strptime(ts, "%Y-%m-%d %H:%M:%S", &tm);
  if (!end) {
    memset(&tm, 0, sizeof tm);
    if (!(end = strptime(ts, "%Y-%m-%d", &tm))) return;
  }
  time_t t = timegm(&tm) + (time_t)secs;
  struct tm r;
  if (gmtime_r(&t, &r)) strftime(out, 20, "%Y-%m-%d %H:%M:%S", &r);
}
