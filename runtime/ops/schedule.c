/* schedule.c — a campaign's launch times: each rule of its schedule is
 * expanded by libical's RRULE engine (one RRULE per time of day, since an
 * RRULE's BYHOUR x BYMINUTE would cross them), in the zone's wall-clock
 * time, then converted to UTC with the system tz database (zone.c) and the
 * rules are merged in order.  `every N` rules run in UTC so an interval
 * stays N minutes across DST changes.  The validity (`from`, `until`) and
 * `count` bound the result; a campaign's start/end dates do not (a launch
 * outside them is not made, which tick.c decides and reports). */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops/ops.h"

typedef struct Sub {
  icalrecur_iterator *it; /* NULL for a `once` rule */
  int utc;                /* occurrences are UTC (every) or wall-clock */
  int hour, minute;       /* wall-clock rules: the time they produce */
  time_t next;
  int done;
} Sub;

struct Sched {
  const CampOps *ops;
  Sub subs[SCHED_MAX_TIMES * 2 * 16];
  int n;
  time_t lo, hi;
  int64_t emitted;
  char err[256];
};

static const char *const ical_days[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

static void ical_text(struct icaltimetype t, char out[20]) {
  snprintf(out, 20, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

static struct icaltimetype to_ical(const char text[20]) {
  struct icaltimetype t = icaltime_null_time();
  if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d", &t.year, &t.month, &t.day, &t.hour, &t.minute, &t.second) != 6)
    return icaltime_null_time();
  t.is_date = 0;
  return t;
}

/* Adds one RRULE iterator starting at dtstart (text, wall or UTC). */
static int add_sub(Sched *s, const char *rrule, const char dtstart[20], int utc, int hour, int minute) {
  if (s->n >= (int)(sizeof s->subs / sizeof s->subs[0])) {
    snprintf(s->err, sizeof s->err, "the schedule has too many rules");
    return -1;
  }
  struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
  if (r.freq == ICAL_NO_RECURRENCE) {
    snprintf(s->err, sizeof s->err, "libical rejects the rule %s", rrule);
    return -1;
  }
  icalrecur_iterator *it = icalrecur_iterator_new(r, to_ical(dtstart));
  if (!it) {
    snprintf(s->err, sizeof s->err, "libical cannot expand %s", rrule);
    return -1;
  }
  Sub *u = &s->subs[s->n++];
  memset(u, 0, sizeof *u);
  u->it = it;
  u->utc = utc;
  u->hour = hour;
  u->minute = minute;
  return 0;
}

/* Moves u to its first occurrence in [lo, hi]; done when there is none. */
static int sub_advance(Sched *s, Sub *u) {
  if (!u->it) {
    u->done = 1;
    return 0;
  }
  for (long guard = 0; guard < 5000000; guard++) {
    struct icaltimetype t = icalrecur_iterator_next(u->it);
    if (icaltime_is_null_time(t)) {
      u->done = 1;
      return 0;
    }
    if (!u->utc && (t.hour != u->hour || t.minute != u->minute)) continue;
    char text[20];
    ical_text(t, text);
    time_t v;
    if (u->utc ? ops_time_parse(text, &v) : zone_local_to_utc(s->ops->tz, text, &v)) {
      snprintf(s->err, sizeof s->err, "cannot convert %s in zone %s", text, s->ops->tz);
      return -1;
    }
    if (v < s->lo) continue;
    if (v > s->hi) {
      u->done = 1;
      return 0;
    }
    u->next = v;
    return 0;
  }
  snprintf(s->err, sizeof s->err, "the schedule produces no launch for too long");
  return -1;
}

static int add_rule(Sched *s, const SchedRule *r, const char day0[20], const char every0[20]) {
  char rr[600], by[400];
  size_t len = 0;
  switch (r->kind) {
    case SR_ONCE: {
      Sub *u = &s->subs[s->n++];
      memset(u, 0, sizeof *u);
      if (zone_local_to_utc(s->ops->tz, r->at, &u->next)) return -1;
      if (u->next < s->lo || u->next > s->hi) u->done = 1;
      return 0;
    }
    case SR_EVERY:
      snprintf(rr, sizeof rr, "FREQ=MINUTELY;INTERVAL=%lld", (long long)(r->every / 60));
      return add_sub(s, rr, every0, 1, 0, 0);
    case SR_DAILY: by[0] = 0; break;
    case SR_WEEKLY:
      len = (size_t)snprintf(by, sizeof by, ";BYDAY=");
      for (int d = 0, first = 1; d < 7; d++)
        if (r->wdays & (1 << d)) {
          len += (size_t)snprintf(by + len, sizeof by - len, "%s%s", first ? "" : ",", ical_days[d]);
          first = 0;
        }
      break;
    case SR_MONTHLY: break;
  }
  for (int k = 0; k < r->ntimes; k++) {
    const char *freq = r->kind == SR_DAILY ? "DAILY" : r->kind == SR_WEEKLY ? "WEEKLY" : "MONTHLY";
    if (r->kind != SR_MONTHLY) {
      snprintf(rr, sizeof rr, "FREQ=%s%s;BYHOUR=%d;BYMINUTE=%d;BYSECOND=0", freq, by, r->hour[k], r->minute[k]);
      if (add_sub(s, rr, day0, 0, r->hour[k], r->minute[k])) return -1;
      continue;
    }
    /* BYMONTHDAY and BYDAY in one RRULE would intersect: two rules */
    for (int pass = 0; pass < 2; pass++) {
      len = 0;
      by[0] = 0;
      for (int d = 0; d < r->ndays; d++) {
        if ((r->nth[d] != 0) != pass) continue;
        if (pass) len += (size_t)snprintf(by + len, sizeof by - len, "%s%d%s", len ? "," : "", r->nth[d], ical_days[r->wday[d]]);
        else len += (size_t)snprintf(by + len, sizeof by - len, "%s%d", len ? "," : "", r->mday[d]);
      }
      if (!len) continue;
      snprintf(rr, sizeof rr, "FREQ=MONTHLY;%s=%s;BYHOUR=%d;BYMINUTE=%d;BYSECOND=0", pass ? "BYDAY" : "BYMONTHDAY",
               by, r->hour[k], r->minute[k]);
      if (add_sub(s, rr, day0, 0, r->hour[k], r->minute[k])) return -1;
    }
  }
  return 0;
}

Sched *sched_open(const CampOps *ops, time_t anchor, char *err, size_t errlen) {
  Sched *s = calloc(1, sizeof *s);
  if (!s) abort();
  s->ops = ops;
  s->lo = anchor;
  s->hi = (time_t)253402300799LL; /* 9999-12-31 23:59:59 */
  time_t b;
  if (ops->from[0] && zone_local_to_utc(ops->tz, ops->from, &b) == 0 && b > s->lo) s->lo = b;
  if (ops->until[0] && zone_local_to_utc(ops->tz, ops->until, &b) == 0) s->hi = b;
  /* wall-clock rules start on the local day of the lower bound; `every`
   * is aligned on `from`, else on the local midnight of the anchor */
  char local[20], day0[20], every0[20];
  if (zone_utc_to_local(ops->tz, s->lo, local, NULL)) {
    snprintf(err, errlen, "unknown time zone `%s`", ops->tz);
    free(s);
    return NULL;
  }
  snprintf(day0, sizeof day0, "%.10s 00:00:00", local);
  char every_local[20] = "1970-01-01 00:00:00";
  if (ops->from[0]) snprintf(every_local, sizeof every_local, "%s", ops->from);
  else if (zone_utc_to_local(ops->tz, anchor, local, NULL) == 0) snprintf(every_local, sizeof every_local, "%.10s 00:00:00", local);
  time_t e0 = anchor;
  zone_local_to_utc(ops->tz, every_local, &e0);
  ops_time_format(e0, every0);
  for (int i = 0; i < ops->nrules; i++)
    if (add_rule(s, &ops->rules[i], day0, every0)) goto fail;
  for (int i = 0; i < s->n; i++)
    if (s->subs[i].it && sub_advance(s, &s->subs[i])) goto fail;
  return s;
fail:
  snprintf(err, errlen, "%s", s->err);
  sched_close(s);
  return NULL;
}

int sched_next(Sched *s, time_t *out) {
  if (s->ops->count && s->emitted >= s->ops->count) return 0;
  int best = -1;
  for (int i = 0; i < s->n; i++)
    if (!s->subs[i].done && (best < 0 || s->subs[i].next < s->subs[best].next)) best = i;
  if (best < 0) return 0;
  time_t v = s->subs[best].next;
  /* every rule at that instant moves on (two rules may meet) */
  for (int i = 0; i < s->n; i++)
    if (!s->subs[i].done && s->subs[i].next == v && sub_advance(s, &s->subs[i])) return -1;
  s->emitted++;
  *out = v;
  return 1;
}

const char *sched_error(const Sched *s) { return s->err; }

void sched_close(Sched *s) {
  if (!s) return;
  for (int i = 0; i < s->n; i++)
    if (s->subs[i].it) icalrecur_iterator_free(s->subs[i].it);
  free(s);
}

int sched_launch_key(const CampOps *ops, time_t t, char *out, size_t outlen) {
  char local[20];
  if (zone_utc_to_local(ops->tz, t, local, NULL)) return -1;
  switch (ops->remessage) {
    case RM_ALWAYS: snprintf(out, outlen, "launch %s", local); break;
    case RM_DAILY: snprintf(out, outlen, "day %.10s", local); break;
    case RM_MONTHLY: snprintf(out, outlen, "month %.7s", local); break;
    case RM_NEVER: snprintf(out, outlen, "ever"); break;
    case RM_WEEKLY: {
      struct tm tm;
      memset(&tm, 0, sizeof tm);
      sscanf(local, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      tm.tm_hour = 12;
      time_t noon = timegm(&tm);
      gmtime_r(&noon, &tm);
      char week[16];
      strftime(week, sizeof week, "%G-W%V", &tm); /* ISO 8601 week */
      snprintf(out, outlen, "week %s", week);
      break;
    }
  }
  return 0;
}
