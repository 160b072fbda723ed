/* window.c — when a message in a send window may leave (see window.h).
 * Local times go through the C library's tz database (TZ + mktime /
 * localtime_r, the files of Debian's tzdata): no hand-written DST rules. */
#include "runtime/policy/window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_utc(const char *s, time_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (!strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) return -1;
  *out = timegm(&tm);
  return 0;
}

/* Switches the process's zone (restored by zone_end). */
static char *zone_begin(const char *zone) {
  const char *old = getenv("TZ");
  char *saved = old ? strdup(old) : NULL;
  setenv("TZ", zone, 1);
  tzset();
  return saved;
}

static void zone_end(char *saved) {
  if (saved) setenv("TZ", saved, 1);
  else unsetenv("TZ");
  tzset();
  free(saved);
}

/* The UTC instant of local day `day` (a tm at local midnight) plus minutes;
 * a local time that does not exist (the spring-forward gap) moves forward. */
static time_t local_at(const struct tm *day, int minutes) {
  struct tm t = *day;
  t.tm_hour = minutes / 60;
  t.tm_min = minutes % 60;
  t.tm_sec = 0;
  t.tm_isdst = -1;
  return mktime(&t);
}

int window_due(const PolicyWindow *w, const char *zone, const char *now_utc, char out[20]) {
  time_t now;
  if (parse_utc(now_utc, &now) || !w->days) return -1;
  char *saved = zone_begin(zone);
  struct tm lt;
  localtime_r(&now, &lt);
  int rc = -1;
  for (int k = 0; k < 8; k++) {
    struct tm day = lt;
    day.tm_mday += k;
    day.tm_hour = 12; /* normalize the date at noon, clear of DST changes */
    day.tm_min = day.tm_sec = 0;
    day.tm_isdst = -1;
    mktime(&day);
    if (!(w->days & (1u << day.tm_wday))) continue;
    time_t s = local_at(&day, w->start), e = local_at(&day, w->end);
    if (now >= e) continue;
    time_t due = now > s ? now : s;
    struct tm u;
    gmtime_r(&due, &u);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &u);
    rc = 0;
    break;
  }
  zone_end(saved);
  return rc;
}
