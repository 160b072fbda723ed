/* tz_test.c — compiler/check/timezone.c (to_timezone's conversion through
 * libical) against an independent reference: glibc's localtime_r with TZ
 * set to the zone (fine here: this test is single-threaded while it sets
 * TZ).  Every zone of a list with unusual rules (half-hour and 45-minute
 * offsets, southern DST, Morocco's Ramadan switches, Lord Howe's 30-minute
 * DST), then every zone of /usr/share/zoneinfo, is compared at the seconds
 * around each change of offset from 1970 to 2060 and at random instants
 * from 1900 to 2100.  Then the same conversions run in 4 threads
 * at once and must give the same answers.  Prints `tz_test: N passed, N
 * failed`. */
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/check/timezone.h"

static int passed, failed;

#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (cond) {                                           \
      passed++;                                           \
    } else {                                              \
      failed++;                                           \
      if (failed <= 2000) {                                 \
        fprintf(stdout, "FAIL tz_test %s:%d: ", __FILE__, __LINE__); \
        fprintf(stdout, __VA_ARGS__);                     \
        fprintf(stdout, "\n");                            \
      }                                                   \
    }                                                     \
  } while (0)

static const char *zones[] = {
    "Europe/Stockholm", "America/New_York", "Asia/Kolkata",    "Australia/Lord_Howe",
    "America/Sao_Paulo", "Europe/London",   "Pacific/Chatham", "Africa/Casablanca",
    "America/Santiago",  "Asia/Kathmandu",  "Pacific/Apia",    "Europe/Dublin",
    "America/St_Johns",  "Asia/Tokyo",      "UTC",             "Etc/UTC"};
#define NZONES ((int)(sizeof zones / sizeof zones[0]))

static void utc_text(time_t t, char *out, size_t n) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void reference(const char *zone, time_t t, char *out, size_t n) {
  setenv("TZ", zone, 1);
  tzset();
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static int compare(const char *zone, time_t t) {
  char utc[32], want[32], got[32] = "";
  utc_text(t, utc, sizeof utc);
  reference(zone, t, want, sizeof want);
  int rc = tz_from_utc(utc, zone, got, sizeof got);
  CHECK(rc == 0 && strcmp(got, want) == 0, "%s %s UTC: got %s, want %s", zone, utc,
        rc ? "(error)" : got, want);
  return rc == 0 && strcmp(got, want) == 0;
}

static long gmtoff(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  return tm.tm_gmtoff;
}

/* Every instant from 1970 to 2060 where the zone's UTC offset changes
 * (found by glibc: a scan in 2-day steps, then bisection to the second),
 * the seconds around it, and 100 random instants from 1900 to 2100. */
static int zones_seen, zone_failures;

static void test_zone(const char *zone) {
  zones_seen++;
  int before = failed;
  setenv("TZ", zone, 1);
  tzset();
  time_t t = 0;
  long off = gmtoff(t);
  for (; t < 2840140800; t += 2 * 86400) {
    if (gmtoff(t) == off) continue;
    time_t lo = t - 2 * 86400, hi = t; /* off at lo, changed at hi */
    while (hi - lo > 1) {
      time_t mid = lo + (hi - lo) / 2;
      if (gmtoff(mid) == off) lo = mid; else hi = mid;
    }
    off = gmtoff(t);
    for (time_t s = hi - 1; s <= hi; s++) compare(zone, s);
    setenv("TZ", zone, 1);
    tzset();
  }
  unsigned seed = 12345;
  for (const char *p = zone; *p; p++) seed = seed * 31 + (unsigned char)*p;
  for (int i = 0; i < 100; i++) {
    seed = seed * 1103515245u + 12345u;
    time_t r = -2208988800LL + (time_t)(((unsigned long long)seed * 6311433600ull) >> 32);
    compare(zone, r);
  }
  if (failed > before) zone_failures++;
}

static const char *tzdir = "/usr/share/zoneinfo";

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag != FTW_F) return 0;
  const char *name = path + strlen(tzdir) + 1;
  if (!strncmp(name, "right/", 6) || !strncmp(name, "posix/", 6)) return 0;
  FILE *f = fopen(path, "rb");
  char magic[4] = "";
  if (f) {
    if (fread(magic, 1, 4, f) != 4) magic[0] = 0;
    fclose(f);
  }
  if (memcmp(magic, "TZif", 4) == 0) test_zone(name);
  return 0;
}

/* Every zone of the system's tz database. */
static void test_all_zones(void) {
  for (int z = 0; z < NZONES; z++) test_zone(zones[z]);
  nftw(tzdir, visit, 16, FTW_PHYS);
  CHECK(zones_seen > 300, "only %d zones found under %s", zones_seen, tzdir);
  if (zone_failures) printf("tz_test: %d of %d zones differ from glibc\n", zone_failures, zones_seen);
}

static void test_inputs(void) {
  char out[32];
  CHECK(tz_from_utc("2026-03-29", "Europe/Stockholm", out, sizeof out) == 0 &&
            !strcmp(out, "2026-03-29 01:00:00"), "a date is read as midnight UTC: %s", out);
  CHECK(tz_from_utc("2026-03-29 01:00", "Europe/Stockholm", out, sizeof out) == 0 &&
            !strcmp(out, "2026-03-29 03:00:00"), "minutes without seconds: %s", out);
  CHECK(tz_from_utc("2026-03-29 01:00:00", "Europe/Stokholm", out, sizeof out) == -1,
        "an unknown zone is an error");
  CHECK(tz_from_utc("2026-03-29 01:00:00", "", out, sizeof out) == -1, "an empty zone is an error");
  CHECK(tz_from_utc("yesterday", "UTC", out, sizeof out) == -1, "text that is no time");
  CHECK(tz_from_utc("2026-13-01 00:00:00", "UTC", out, sizeof out) == -1, "month 13");
  CHECK(tz_from_utc("2026-01-01 00:00:00junk", "UTC", out, sizeof out) == -1, "trailing text");
  CHECK(tz_from_utc(NULL, "UTC", out, sizeof out) == -1, "NULL time");
  CHECK(tz_known("America/Argentina/Buenos_Aires"), "three-part zone names");
  CHECK(!tz_known("../../etc/passwd"), "a path is no zone");
  CHECK(!tz_known("Europe"), "a folder is no zone");
}

typedef struct {
  int ok;
  int id;
} Job;

static void *worker(void *arg) {
  Job *j = arg;
  j->ok = 1;
  for (int i = 0; i < 2000; i++) {
    const char *zone = zones[(i + j->id) % 4];
    /* 2026-03-29 00:59:59 UTC + i minutes: crosses Stockholm's and
     * London's spring change */
    time_t t = 1774745999 + (time_t)i * 60;
    char utc[32], got[32];
    utc_text(t, utc, sizeof utc);
    if (tz_from_utc(utc, zone, got, sizeof got) != 0) j->ok = 0;
    /* the expected offset, known in advance for these four zones */
    long off = 0;
    if (!strcmp(zone, "Europe/Stockholm")) off = t < 1774746000 ? 3600 : 7200;
    if (!strcmp(zone, "America/New_York")) off = -4 * 3600;
    if (!strcmp(zone, "Asia/Kolkata")) off = 19800;
    if (!strcmp(zone, "Australia/Lord_Howe")) off = 11 * 3600; /* DST until 2026-04-05 */
    char want[32];
    utc_text(t + off, want, sizeof want);
    if (strcmp(got, want) != 0) j->ok = 0;
  }
  return NULL;
}

static void test_threads(void) {
  pthread_t th[4];
  Job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i].id = i;
    pthread_create(&th[i], NULL, worker, &jobs[i]);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    CHECK(jobs[i].ok, "thread %d gave a wrong or no answer", i);
  }
}

int main(void) {
  test_inputs();
  test_threads(); /* before any setenv("TZ"): libical alone */
  test_all_zones();
  printf("tz_test: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
