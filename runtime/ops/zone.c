/* zone.c — wall-clock times in an IANA zone, read from the system tz
 * database through the C library (TZ + localtime_r), and UTC text.
 * A wall time that does not exist (the spring gap) is read with the offset
 * before the gap, and one that happens twice (the autumn overlap) is the
 * first of the two: RFC 5545's rules, which Python's zoneinfo (fold=0)
 * follows too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/check/ops.h"
#include "runtime/ops/ops.h"

int ops_time_parse(const char *text, time_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int n = 0;
  if (!text || sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                      &tm.tm_min, &tm.tm_sec, &n) != 6 || text[n])
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = timegm(&tm);
  return 0;
}

void ops_time_format(time_t t, char out[20]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Runs with TZ set to zone; restores the previous TZ.  camp is single-
 * threaded where it calls this (the JIT's threads never read the zone). */
typedef struct TzSave {
  char *old;
  int had;
} TzSave;

static int tz_push(const char *zone, TzSave *s) {
  if (!ops_zone_exists(zone)) return -1;
  const char *old = getenv("TZ");
  s->had = old != NULL;
  s->old = old ? strdup(old) : NULL;
  setenv("TZ", zone, 1);
  tzset();
  return 0;
}

static void tz_pop(TzSave *s) {
  if (s->had) setenv("TZ", s->old, 1);
  else unsetenv("TZ");
  tzset();
  free(s->old);
}

static long offset_at(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  return tm.tm_gmtoff;
}

int zone_local_to_utc(const char *zone, const char local[20], time_t *out) {
  time_t naive;
  if (ops_time_parse(local, &naive)) return -1;
  TzSave s;
  if (tz_push(zone, &s)) return -1;
  /* Transitions are months apart: the offsets a day before and after are
   * the only candidates. */
  long before = offset_at(naive - 86400), after = offset_at(naive + 86400);
  long cand[2] = {before, after};
  int found = 0;
  time_t best = 0;
  for (int i = 0; i < 2; i++) {
    time_t u = naive - cand[i];
    struct tm tm;
    localtime_r(&u, &tm);
    char back[20];
    strftime(back, sizeof back, "%Y-%m-%d %H:%M:%S", &tm);
    if (strcmp(back, local) == 0 && (!found || u < best)) {
      best = u;
      found = 1;
    }
  }
  if (!found) best = naive - before; /* in the gap: the offset before it */
  tz_pop(&s);
  *out = best;
  return 0;
}

int zone_utc_to_local(const char *zone, time_t t, char out[20], int *wday) {
  TzSave s;
  if (tz_push(zone, &s)) return -1;
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
  if (wday) *wday = tm.tm_wday;
  tz_pop(&s);
  return 0;
}
