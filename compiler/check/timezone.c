/* timezone.c — UTC to wall-clock time in an IANA zone, read from the
 * system's tz database (tzdata: $TZDIR or /usr/share/zoneinfo), the same
 * files glibc reads.  A zone file is TZif (RFC 8536): a table of UTC
 * instants where the offset changes, then a POSIX TZ rule
 * ("CET-1CEST,M3.5.0,M10.5.0/3") for every instant after the table.
 *
 * Why not a library: setenv("TZ") + localtime_r is not thread-safe (camp
 * compiles rules in a background thread); libical's icaltimezone gives
 * wrong offsets in zones whose rules it cannot express (measured against
 * glibc: America/St_Johns after 2038, Sao Paulo in 2014, Dublin's negative
 * DST); ICU carries its own tz data, frozen at its release (Mexico's 2022
 * change is missing from Debian 12's ICU 72).  tests/unit/tz_test.c
 * compares this reader with glibc over every zone of the system.
 *
 * Zones are parsed once and cached (a mutex guards the cache; a parsed
 * zone is immutable, so conversions need no lock). */
#include "compiler/check/timezone.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A POSIX TZ rule: standard offset, and optionally a DST offset with the
 * local times (seconds into the day, may exceed a day) it starts and ends. */
typedef struct {
  char kind;      /* 'J' (1..365, no Feb 29), 'D' (0..365), 'M' (month.week.day) */
  int a, b, c;    /* J/D: day in a; M: month a, week b (5 = last), weekday c */
  int32_t time;   /* local time of day of the change */
} RuleDate;

typedef struct {
  int32_t std_off, dst_off; /* seconds east of UTC */
  int has_dst;
  RuleDate start, end;      /* start in standard time, end in DST */
} TzRule;

typedef struct Zone {
  struct Zone *next;
  char *name;
  int ok;                   /* 0: no such zone (cached too) */
  int64_t *when;            /* transition instants, ascending */
  uint8_t *type;            /* offset index after each transition */
  int nwhen;
  int32_t *off;             /* offsets of the types */
  int ntypes;
  int has_rule;
  TzRule rule;              /* after the last transition */
} Zone;

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static Zone *zones;
static int nzones;

/* ------------------------------------------------------------ calendar */

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* Local seconds since the epoch at which rule date r falls in year y. */
static int64_t rule_local(const RuleDate *r, int64_t y) {
  int64_t day;
  if (r->kind == 'J') {
    day = days_from_civil(y, 1, 1) + r->a - 1 + (is_leap(y) && r->a >= 60);
  } else if (r->kind == 'D') {
    day = days_from_civil(y, 1, 1) + r->a;
  } else {
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t first = days_from_civil(y, r->a, 1);
    int wd = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    int64_t d = first + (r->c - wd + 7) % 7 + 7 * (r->b - 1);
    int len = mdays[r->a - 1] + (r->a == 2 && is_leap(y));
    while (d >= first + len) d -= 7; /* week 5: the last such weekday */
    day = d;
  }
  return day * 86400 + r->time;
}

/* Offset the POSIX rule gives at UTC instant t. */
static int32_t rule_offset(const TzRule *r, int64_t t) {
  if (!r->has_dst) return r->std_off;
  int64_t y;
  int m, d;
  civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
  /* the changes of the year before and after matter near new year */
  for (int64_t k = y - 1; k <= y + 1; k++) {
    int64_t s = rule_local(&r->start, k) - r->std_off, e = rule_local(&r->end, k) - r->dst_off;
    if (s < e) {
      if (t >= s && t < e) return r->dst_off;
    } else if (k == y) { /* DST across new year (southern zones, Dublin) */
      return (t >= e && t < s) ? r->std_off : r->dst_off;
    }
  }
  return r->std_off;
}

/* --------------------------------------------------- POSIX TZ strings */

static const char *parse_name(const char *p) {
  if (*p == '<') {
    const char *q = strchr(p, '>');
    return q && q - p >= 2 ? q + 1 : NULL;
  }
  const char *q = p;
  while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')) q++;
  return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]] with hours up to 167 (RFC 8536's extension). */
static const char *parse_hms(const char *p, int32_t *out) {
  int sign = 1;
  if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
  int part[3] = {0, 0, 0}, n = 0;
  while (n < 3) {
    if (*p < '0' || *p > '9') return NULL;
    int v = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 3) v = v * 10 + (*p++ - '0'), digits++;
    part[n++] = v;
    if (*p != ':') break;
    p++;
  }
  if (part[0] > 167 || part[1] > 59 || part[2] > 59) return NULL;
  *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
  return p;
}

static const char *parse_int(const char *p, int *out, int lo, int hi) {
  if (*p < '0' || *p > '9') return NULL;
  long v = 0;
  while (*p >= '0' && *p <= '9' && v <= hi) v = v * 10 + (*p++ - '0');
  if (v < lo || v > hi) return NULL;
  *out = (int)v;
  return p;
}

static const char *parse_date(const char *p, RuleDate *r) {
  r->time = 7200; /* 02:00 unless written */
  if (*p == 'J') {
    r->kind = 'J';
    p = parse_int(p + 1, &r->a, 1, 365);
  } else if (*p == 'M') {
    r->kind = 'M';
    p = parse_int(p + 1, &r->a, 1, 12);
    if (p && *p == '.') p = parse_int(p + 1, &r->b, 1, 5); else p = NULL;
    if (p && *p == '.') p = parse_int(p + 1, &r->c, 0, 6); else p = NULL;
  } else {
    r->kind = 'D';
    p = parse_int(p, &r->a, 0, 365);
  }
  if (p && *p == '/') p = parse_hms(p + 1, &r->time);
  return p;
}

/* Parses a footer such as "NST3:30NDT,M3.2.0,M11.1.0"; 0 on success. */
static int parse_rule(const char *s, TzRule *r) {
  memset(r, 0, sizeof *r);
  int32_t v;
  const char *p = parse_name(s);
  if (!p || !(p = parse_hms(p, &v))) return -1;
  r->std_off = -v; /* POSIX offsets count hours west of Greenwich */
  if (!*p) return 0;
  if (!(p = parse_name(p))) return -1;
  r->has_dst = 1;
  r->dst_off = r->std_off + 3600;
  if (*p && *p != ',') {
    if (!(p = parse_hms(p, &v))) return -1;
    r->dst_off = -v;
  }
  if (*p != ',') return -1; /* TZif footers always spell the rule out */
  if (!(p = parse_date(p + 1, &r->start)) || *p != ',') return -1;
  if (!(p = parse_date(p + 1, &r->end)) || *p) return -1;
  return 0;
}

/* --------------------------------------------------------- TZif files */

static int64_t be(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | p[i];
  if (n == 4) return (int32_t)(uint32_t)v;
  return (int64_t)v;
}

/* Zone names are paths below the tz directory: letters, digits, _ + - and
 * /, no `.` components, nothing absolute. */
static int safe_name(const char *n) {
  size_t len = strlen(n);
  if (len == 0 || len > 64 || n[0] == '/' || n[len - 1] == '/') return 0;
  for (const char *p = n; *p; p++) {
    char ch = *p;
    int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '+' || ch == '-' || ch == '/';
    if (!ok) return 0;
    if (ch == '/' && p[1] == '/') return 0;
  }
  return 1;
}

static unsigned char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
    if (len == cap) {
      if (cap >= (1u << 20)) { free(buf); buf = NULL; break; } /* no zone is this big */
      unsigned char *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); buf = NULL; }
      buf = nb;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (err) { free(buf); return NULL; }
  *n = len;
  return buf;
}

/* Fills z from the TZif bytes; 0 on success. */
static int parse_tzif(Zone *z, const unsigned char *b, size_t n) {
  if (n < 44 || memcmp(b, "TZif", 4) != 0) return -1;
  int version = b[4];
  const unsigned char *h = b;
  int tsize = 4;
  for (int pass = 0;; pass++) {
    int64_t isut = be(h + 20, 4), isstd = be(h + 24, 4), leap = be(h + 28, 4), timecnt = be(h + 32, 4),
            typecnt = be(h + 36, 4), charcnt = be(h + 40, 4);
    if (isut < 0 || isstd < 0 || leap < 0 || timecnt < 0 || typecnt < 1 || typecnt > 256 ||
        charcnt < 0 || timecnt > 100000)
      return -1;
    size_t body = (size_t)(timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) +
                           isstd + isut);
    if ((size_t)(h - b) + 44 + body > n) return -1;
    if (pass == 0 && version >= '2') { /* skip the 32-bit block: the 64-bit one follows */
      h += 44 + body;
      if ((size_t)(h - b) + 44 > n || memcmp(h, "TZif", 4) != 0) return -1;
      tsize = 8;
      continue;
    }
    if (leap > 0) return -1; /* "right/" zones count leap seconds: not supported */
    const unsigned char *p = h + 44;
    z->nwhen = (int)timecnt;
    z->ntypes = (int)typecnt;
    z->when = malloc(sizeof *z->when * (size_t)(timecnt + 1));
    z->type = malloc((size_t)timecnt + 1);
    z->off = malloc(sizeof *z->off * (size_t)typecnt);
    if (!z->when || !z->type || !z->off) return -1;
    for (int i = 0; i < timecnt; i++) z->when[i] = be(p + (size_t)i * tsize, tsize);
    p += timecnt * tsize;
    for (int i = 0; i < timecnt; i++) {
      z->type[i] = p[i];
      if (p[i] >= typecnt) return -1;
      if (i && z->when[i] <= z->when[i - 1]) return -1;
    }
    p += timecnt;
    for (int i = 0; i < typecnt; i++) {
      int64_t off = be(p + i * 6, 4);
      if (off < -25 * 3600 || off > 26 * 3600) return -1;
      z->off[i] = (int32_t)off;
    }
    p += typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
    /* v2+: "\n<POSIX TZ>\n" after the data */
    if (version >= '2' && p < b + n && *p == '\n') {
      const unsigned char *e = memchr(p + 1, '\n', (size_t)(b + n - p - 1));
      if (!e) return -1;
      if (e > p + 1) {
        char tz[128];
        size_t len = (size_t)(e - p - 1);
        if (len >= sizeof tz) return -1;
        memcpy(tz, p + 1, len);
        tz[len] = 0;
        if (parse_rule(tz, &z->rule) != 0) return -1;
        z->has_rule = 1;
      }
    }
    return 0;
  }
}

static void zone_clear(Zone *z) {
  free(z->when);
  free(z->type);
  free(z->off);
  z->when = NULL;
  z->type = NULL;
  z->off = NULL;
  z->ok = 0;
}

static Zone *zone_load(const char *name) {
  Zone *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  z->name = strdup(name);
  if (!z->name) { free(z); return NULL; }
  if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC")) {
    z->ok = 1;
    z->has_rule = 1; /* offset 0 everywhere, whatever the files say */
    return z;
  }
  if (!safe_name(name)) return z;
  for (const char *p = name; *p; p++) /* no `.` components at all */
    if (*p == '.') return z;
  const char *dir = getenv("TZDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
  size_t n = 0;
  unsigned char *b = read_file(path, &n);
  if (b && parse_tzif(z, b, n) == 0) z->ok = 1; else zone_clear(z);
  free(b);
  return z;
}

/* The cached zone (NULL when out of memory); every name is cached, known
 * or not, up to 4096 names. */
static const Zone *zone_get(const char *name, Zone **uncached) {
  *uncached = NULL;
  pthread_mutex_lock(&tz_lock);
  for (Zone *z = zones; z; z = z->next)
    if (!strcmp(z->name, name)) {
      pthread_mutex_unlock(&tz_lock);
      return z;
    }
  Zone *z = zone_load(name);
  if (z && nzones < 4096) {
    z->next = zones;
    zones = z;
    nzones++;
  } else {
    *uncached = z; /* the caller frees it */
  }
  pthread_mutex_unlock(&tz_lock);
  return z;
}

static void zone_free(Zone *z) {
  if (!z) return;
  zone_clear(z);
  free(z->name);
  free(z);
}

static int32_t zone_offset(const Zone *z, int64_t t) {
  if (z->nwhen == 0 || t >= z->when[z->nwhen - 1]) {
    if (z->has_rule) return rule_offset(&z->rule, t);
    return z->nwhen ? z->off[z->type[z->nwhen - 1]] : z->off[0];
  }
  if (t < z->when[0]) return z->off[0]; /* RFC 8536: type 0 before the first change */
  int lo = 0, hi = z->nwhen - 1; /* last transition <= t */
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (z->when[mid] <= t) lo = mid; else hi = mid - 1;
  }
  return z->off[z->type[lo]];
}

/* ---------------------------------------------------------------- API */

int tz_known(const char *name) {
  if (!name) return 0;
  Zone *own;
  const Zone *z = zone_get(name, &own);
  int ok = z && z->ok;
  zone_free(own);
  return ok;
}

/* Reads "YYYY-MM-DD[ HH:MM[:SS]]" as UTC seconds since the epoch. */
static int parse_utc(const char *s, int64_t *t) {
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
  const char *p = s + n;
  if (*p == ' ' || *p == 'T') {
    int m = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5) return -1;
    p += 1 + m;
    if (*p == ':') {
      if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2) return -1;
      p += 1 + m;
    }
  }
  if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return -1;
  *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  return 0;
}

int tz_from_utc(const char *utc, const char *name, char *out, size_t outlen) {
  int64_t t;
  if (!utc || !name || parse_utc(utc, &t) != 0) return -1;
  Zone *own;
  const Zone *z = zone_get(name, &own);
  if (!z || !z->ok) {
    zone_free(own);
    return -1;
  }
  int64_t local = t + zone_offset(z, t);
  zone_free(own);
  int64_t y;
  int m, d;
  int64_t days = floor_div(local, 86400), secs = local - days * 86400;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, outlen, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d, (int)(secs / 3600),
           (int)(secs / 60 % 60), (int)(secs % 60));
  return 0;
}
