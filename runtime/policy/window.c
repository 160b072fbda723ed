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

/* The first instant of local day `day` at `minutes` that is not before
 * from: a time that occurs twice (fall-back) tries both readings, earlier
 * first; one that does not occur (the gap) is mktime's, moved forward.
 * (time_t)-1 when that day's time is before from. */
static time_t local_first(const struct tm *day, int minutes, time_t from) {
  time_t best = (time_t)-1;
  for (int dst = 0; dst <= 1; dst++) {
    struct tm t = *day;
    t.tm_hour = minutes / 60;
    t.tm_min = minutes % 60;
    t.tm_sec = 0;
    t.tm_isdst = dst;
    time_t v = mktime(&t);
    struct tm back;
    localtime_r(&v, &back);
    /* a reading mktime had to shift is not this wall-clock time */
    if (back.tm_hour != minutes / 60 || back.tm_min != minutes % 60 || back.tm_mday != day->tm_mday) continue;
    if (v >= from && (best == (time_t)-1 || v < best)) best = v;
  }
  if (best == (time_t)-1) {
    time_t v = local_at(day, minutes);
    struct tm back;
    localtime_r(&v, &back);
    if (v >= from && back.tm_mday == day->tm_mday && back.tm_hour != minutes / 60) best = v; /* the gap */
  }
  return best;
}

int local_time_due(int minutes, const char *zone, const char *from_utc, char out[20]) {
  time_t from;
  if (parse_utc(from_utc, &from) || minutes < 0 || minutes >= 24 * 60) return -1;
  char *saved = zone_begin(zone);
  struct tm lt;
  localtime_r(&from, &lt);
  int rc = -1;
  for (int k = 0; k < 3 && rc; k++) {
    struct tm day = lt;
    day.tm_mday += k;
    day.tm_hour = 12; /* normalize the date at noon, clear of DST changes */
    day.tm_min = day.tm_sec = 0;
    day.tm_isdst = -1;
    mktime(&day);
    time_t t = local_first(&day, minutes, from);
    if (t == (time_t)-1) continue;
    struct tm u;
    gmtime_r(&t, &u);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &u);
    rc = 0;
  }
  zone_end(saved);
  return rc;
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
