/* check_ops.c — checks a campaign's `schedule`, `approval` and its
 * `start_date` / `end_date` headers, and fills its CampOps (ops.h).  Every
 * mistake is an error at the word that is wrong: unknown day names,
 * impossible times and days, intervals under 15 minutes, unknown zones. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/check/check.h"
#include "compiler/check/ops.h"
#include "compiler/check/provider.h"

#define MIN_GAP 900 /* seconds: launches are at least 15 minutes apart */

static const char *const day_names[] = {"sunday", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday"};

const char *remessage_name(Remessage r) {
  static const char *const n[] = {"always", "daily", "weekly", "monthly", "never"};
  return n[r];
}

static CampOps default_ops = {.tz = "UTC", .remessage = RM_DAILY};

const CampOps *program_ops(const Decl *campaign) {
  return campaign && campaign->ops ? campaign->ops : &default_ops;
}

int ops_zone_exists(const char *name) {
  if (!name || !*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 100) return 0;
  for (const char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p)) return 0;
  const char *dir = getenv("TZDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char magic[4] = {0};
  size_t n = fread(magic, 1, 4, f);
  fclose(f);
  return n == 4 && memcmp(magic, "TZif", 4) == 0;
}

/* Weekday number of a day name (`monday`, `mon`; any case), or -1. */
static int weekday_of(const char *w) {
  for (int d = 0; d < 7; d++)
    if (!strcasecmp(w, day_names[d]) || (strlen(w) == 3 && !strncasecmp(w, day_names[d], 3))) return d;
  return -1;
}

static void unknown_day(Ctx *c, Loc loc, const char *w) {
  diag_error(c->d, loc, "unknown day `%s`", w);
  const char *best = diag_closest(w, day_names, 7);
  if (best) diag_hint(c->d, "did you mean `%s`?", best);
  else diag_hint(c->d, "days are monday ... sunday (or mon ... sun)");
}

/* The word before the times must be `at`. */
static int want_at(Ctx *c, const char *word, Loc loc, const char *example) {
  if (word && !strcmp(word, "at")) return 1;
  diag_error(c->d, loc, "expected `at` before the time, not `%s`", word ? word : "");
  diag_hint(c->d, "write `%s`", example);
  return 0;
}

/* Times of day: valid, not repeated, at least 15 minutes apart (cyclic
 * over midnight when cyclic, as for daily rules). */
static void read_times(Ctx *c, OpItem *it, SchedRule *r) {
  for (int i = 0; i < it->times.len; i++) {
    OpTime *t = it->times.items[i];
    if (t->hour < 0 || t->hour > 23 || t->minute < 0 || t->minute > 59) {
      diag_error(c->d, t->loc, "impossible time `%lld:%02lld`", (long long)t->hour, (long long)t->minute);
      diag_hint(c->d, "times run from 00:00 to 23:59");
      continue;
    }
    if (r->ntimes >= SCHED_MAX_TIMES) {
      diag_error(c->d, t->loc, "too many times (at most %d per rule)", SCHED_MAX_TIMES);
      return;
    }
    r->hour[r->ntimes] = (int)t->hour;
    r->minute[r->ntimes] = (int)t->minute;
    r->ntimes++;
  }
}

static void check_gaps(Ctx *c, Loc loc, const int *hour, const int *minute, int n, int cyclic) {
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      int a = hour[i] * 60 + minute[i], b = hour[j] * 60 + minute[j];
      int d = abs(a - b);
      if (cyclic && 1440 - d < d) d = 1440 - d;
      if (d == 0) {
        diag_error(c->d, loc, "the time %02d:%02d is given twice", hour[i], minute[i]);
        return;
      }
      if (d * 60 < MIN_GAP) {
        diag_error(c->d, loc, "launches at %02d:%02d and %02d:%02d are %d minutes apart", hour[i], minute[i],
                   hour[j], minute[j], d);
        diag_hint(c->d, "launches must be at least 15 minutes apart");
        return;
      }
    }
}

/* `weekly on monday, thursday at 09:00`: the words after `on`. */
static void read_weekly(Ctx *c, OpItem *it, SchedRule *r) {
  int n = it->values.len;
  OpValue *last = n ? it->values.items[n - 1] : NULL;
  if (!last || last->kind != OV_WORD || !want_at(c, last->word, last->loc, "weekly on monday at 09:00")) return;
  int expect_day = 1;
  for (int i = 0; i < n - 1; i++) {
    OpValue *v = it->values.items[i];
    if (v->kind == OV_COMMA) {
      if (expect_day) diag_error(c->d, v->loc, "expected a day before `,`");
      expect_day = 1;
      continue;
    }
    if (!expect_day) {
      diag_error(c->d, v->loc, "expected `,` or `at` here");
      return;
    }
    expect_day = 0;
    if (v->kind != OV_WORD) {
      diag_error(c->d, v->loc, "expected a day name");
      diag_hint(c->d, "a weekly rule names days: `weekly on monday, thursday at 09:00`");
      continue;
    }
    int d = weekday_of(v->word);
    if (d < 0) unknown_day(c, v->loc, v->word);
    else if (r->wdays & (1 << d)) diag_error(c->d, v->loc, "`%s` is given twice", v->word);
    else r->wdays |= 1 << d;
  }
  if (expect_day) diag_error(c->d, last->loc, "expected a day before `at`");
}

/* One day of a monthly rule: `15th`, `2nd tuesday`, `last friday`,
 * `last day`.  Consumes the words at *i. */
static void monthly_day(Ctx *c, OpItem *it, int *i, int end, SchedRule *r) {
  OpValue *v = it->values.items[*i];
  OpValue *next = *i + 1 < end ? it->values.items[*i + 1] : NULL;
  int has_day = next && next->kind == OV_WORD;
  if (r->ndays >= SCHED_MAX_DAYS) {
    diag_error(c->d, v->loc, "too many days (at most %d per rule)", SCHED_MAX_DAYS);
    *i = end;
    return;
  }
  int k = r->ndays;
  if (v->kind == OV_ORDINAL && !has_day) {
    (*i)++;
    if (v->n < 1 || v->n > 31) {
      diag_error(c->d, v->loc, "impossible day of the month `%lld`", (long long)v->n);
      diag_hint(c->d, "days of the month run from 1st to 31st; `last day` is the last one");
      return;
    }
    if (v->n > 28) {
      diag_warning(c->d, v->loc, "months without a day %lld have no launch", (long long)v->n);
      diag_hint(c->d, "write `last day` for the last day of every month");
    }
    r->nth[k] = 0;
    r->mday[k] = (int)v->n;
    r->ndays++;
    return;
  }
  int nth = 0;
  if (v->kind == OV_ORDINAL) nth = (int)(v->n > 99 ? 99 : v->n);
  else if (v->kind == OV_WORD && !strcasecmp(v->word, "last")) nth = -1;
  if (!nth || !has_day) {
    diag_error(c->d, v->loc, "expected a day of the month (`15th`, `2nd tuesday`, `last friday`)");
    (*i)++;
    return;
  }
  *i += 2;
  if (nth == -1 && !strcasecmp(next->word, "day")) {
    r->nth[k] = 0;
    r->mday[k] = -1;
    r->ndays++;
    return;
  }
  int d = weekday_of(next->word);
  if (d < 0) {
    unknown_day(c, next->loc, next->word);
    return;
  }
  if (nth > 5) {
    diag_error(c->d, v->loc, "impossible day: a month has at most five %ss", day_names[d]);
    return;
  }
  if (nth == 5) diag_warning(c->d, v->loc, "months with four %ss have no launch", day_names[d]);
  r->nth[k] = nth;
  r->wday[k] = d;
  r->ndays++;
}

static void read_monthly(Ctx *c, OpItem *it, SchedRule *r) {
  int n = it->values.len;
  OpValue *last = n ? it->values.items[n - 1] : NULL;
  if (!last || last->kind != OV_WORD || !want_at(c, last->word, last->loc, "monthly on 2nd tuesday at 10:00"))
    return;
  int expect_day = 1;
  for (int i = 0; i < n - 1;) {
    OpValue *v = it->values.items[i];
    if (v->kind == OV_COMMA) {
      if (expect_day) diag_error(c->d, v->loc, "expected a day before `,`");
      expect_day = 1;
      i++;
      continue;
    }
    if (!expect_day) {
      diag_error(c->d, v->loc, "expected `,` or `at` here");
      return;
    }
    expect_day = 0;
    monthly_day(c, it, &i, n - 1, r);
  }
  if (expect_day) diag_error(c->d, last->loc, "expected a day before `at`");
}

static const char *const rule_names[] = {"once", "every", "daily", "weekly", "monthly"};
static const char *const sched_fields[] = {"once", "every", "daily", "weekly", "monthly", "timezone",
                                           "count", "remessage", "from", "until"};

static void add_rule(Ctx *c, CampOps *ops, SchedRule *r) {
  SchedRule *rules = arena_alloc(c->a, sizeof *rules * (size_t)(ops->nrules + 1));
  if (ops->nrules) memcpy(rules, ops->rules, sizeof *rules * (size_t)ops->nrules);
  rules[ops->nrules++] = *r;
  ops->rules = rules;
}

/* A rule line (once/every/daily/weekly/monthly); 0 if `it` is not one. */
static int read_rule(Ctx *c, CampOps *ops, OpItem *it) {
  int kind = -1;
  for (int k = 0; k < 5; k++)
    if (!strcmp(it->name, rule_names[k])) kind = k;
  if (kind < 0) return 0;
  SchedRule r;
  memset(&r, 0, sizeof r);
  r.kind = (SchedRuleKind)kind;
  r.loc = it->loc;
  static const char *const shapes[] = {"once at 2026-03-02 09:00", "every 30m", "daily at 08:00",
                                       "weekly on monday at 09:00", "monthly on 2nd tuesday at 10:00"};
  static const OpItemKind want[] = {OI_STAMP, OI_VALUES, OI_TIMES, OI_ON, OI_ON};
  if (it->kind != want[kind]) {
    diag_error(c->d, it->loc, "a `%s` rule is written `%s`", it->name, shapes[kind]);
    return 1;
  }
  switch (r.kind) {
    case SR_ONCE:
      if (!want_at(c, it->word, it->word_loc, shapes[0])) return 1;
      snprintf(r.at, sizeof r.at, "%s", it->stamp->text);
      break;
    case SR_EVERY: {
      OpValue *v = it->values.items[0];
      if (it->values.len != 1 || v->kind != OV_LITERAL || v->lit->kind != E_DURATION) {
        diag_error(c->d, v->loc, "`every` takes one duration");
        diag_hint(c->d, "write `every 30m` or `every 2h`");
        return 1;
      }
      int64_t s = v->lit->ival;
      if (s % 60) {
        diag_error(c->d, v->loc, "an interval is a whole number of minutes");
        return 1;
      }
      if (s < MIN_GAP) {
        diag_error(c->d, v->loc, "launches every %lld minutes are too frequent", (long long)(s / 60));
        diag_hint(c->d, "launches must be at least 15 minutes apart");
        return 1;
      }
      r.every = s;
      break;
    }
    case SR_DAILY:
      if (!want_at(c, it->word, it->word_loc, shapes[2])) return 1;
      read_times(c, it, &r);
      check_gaps(c, it->loc, r.hour, r.minute, r.ntimes, 1);
      break;
    case SR_WEEKLY:
      read_weekly(c, it, &r);
      read_times(c, it, &r);
      check_gaps(c, it->loc, r.hour, r.minute, r.ntimes, 0);
      if (!r.wdays) return 1;
      break;
    case SR_MONTHLY:
      read_monthly(c, it, &r);
      read_times(c, it, &r);
      check_gaps(c, it->loc, r.hour, r.minute, r.ntimes, 0);
      if (!r.ndays) return 1;
      break;
  }
  add_rule(c, ops, &r);
  return 1;
}

/* A validity bound: a date (from: its midnight; until: its last second)
 * or a timestamp. */
static void read_bound(Ctx *c, Expr *e, int end, char out[20], const char *what) {
  if (e->kind == E_DATE) snprintf(out, 20, "%.10s %s", e->text, end ? "23:59:59" : "00:00:00");
  else if (e->kind == E_TIMESTAMP) snprintf(out, 20, "%s", e->text);
  else diag_error(c->d, e->loc, "`%s` takes a date or a timestamp", what);
}

static int one_value(Ctx *c, OpItem *it, OpValue **out) {
  if (it->kind != OI_VALUES || it->values.len != 1) {
    diag_error(c->d, it->loc, "`%s` takes one value", it->name);
    return 0;
  }
  *out = it->values.items[0];
  return 1;
}

static void check_schedule(Ctx *c, CampOps *ops, OpBlock *b) {
  ops->has_schedule = 1;
  int seen[10] = {0}, errors = c->d->nerrors;
  Loc until_loc = b->loc;
  for (int i = 0; i < b->items.len; i++) {
    OpItem *it = b->items.items[i];
    if (read_rule(c, ops, it)) continue;
    OpValue *v;
    int k = -1;
    for (int j = 5; j < 10; j++)
      if (!strcmp(it->name, sched_fields[j])) k = j;
    if (k < 0) {
      diag_error(c->d, it->name_loc, "unknown schedule field `%s`", it->name);
      const char *best = diag_closest(it->name, sched_fields, 10);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      else diag_hint(c->d, "a schedule has rules (once, every, daily, weekly, monthly) and timezone, count, remessage, from, until");
      continue;
    }
    if (seen[k]++) {
      diag_error(c->d, it->name_loc, "`%s` is set twice", it->name);
      continue;
    }
    if (k == 8 || k == 9) {
      if (k == 9) until_loc = it->loc;
      read_bound(c, it->stamp, k == 9, k == 8 ? ops->from : ops->until, it->name);
      continue;
    }
    if (!one_value(c, it, &v)) continue;
    if (k == 5) {
      if (v->kind != OV_LITERAL || v->lit->kind != E_STR) {
        diag_error(c->d, v->loc, "`timezone` takes a zone name in quotes");
        diag_hint(c->d, "write `timezone \"Europe/Stockholm\"`");
      } else if (!ops_zone_exists(v->lit->text)) {
        diag_error(c->d, v->loc, "unknown time zone `%s`", v->lit->text);
        diag_hint(c->d, "use an IANA name of the tz database, e.g. \"Europe/Stockholm\" or \"UTC\"");
      } else {
        snprintf(ops->tz, sizeof ops->tz, "%s", v->lit->text);
      }
    } else if (k == 6) {
      if (v->kind != OV_LITERAL || v->lit->kind != E_INT || v->lit->ival < 1)
        diag_error(c->d, v->loc, "`count` takes a number of launches (1 or more)");
      else ops->count = v->lit->ival;
    } else {
      static const char *const pol[] = {"always", "daily", "weekly", "monthly", "never"};
      int p = -1;
      for (int j = 0; j < 5 && v->kind == OV_WORD; j++)
        if (!strcmp(v->word, pol[j])) p = j;
      if (p < 0) {
        diag_error(c->d, v->loc, "`remessage` is always, daily, weekly, monthly or never");
        const char *best = v->kind == OV_WORD ? diag_closest(v->word, pol, 5) : NULL;
        if (best) diag_hint(c->d, "did you mean `%s`?", best);
      } else {
        ops->remessage = (Remessage)p;
      }
    }
  }
  /* "needs a rule" only when the lines themselves were fine */
  if (!ops->nrules && c->d->nerrors == errors)
    diag_error(c->d, b->loc, "a schedule needs a rule: once, every, daily, weekly or monthly");
  if (ops->from[0] && ops->until[0] && strcmp(ops->from, ops->until) > 0)
    diag_error(c->d, until_loc, "the schedule ends (%s) before it starts (%s)", ops->until, ops->from);
  for (int i = 0; i < ops->nrules; i++) {
    SchedRule *r = &ops->rules[i];
    if (r->kind == SR_ONCE && ((ops->from[0] && strcmp(r->at, ops->from) < 0) ||
                               (ops->until[0] && strcmp(r->at, ops->until) > 0)))
      diag_error(c->d, r->loc, "`once at %s` is outside the schedule's validity", r->at);
    /* two daily rules: their times at least 15 minutes apart too */
    for (int j = 0; j < i && r->kind == SR_DAILY; j++) {
      SchedRule *o = &ops->rules[j];
      for (int k = 0; o->kind == SR_DAILY && k < r->ntimes; k++)
        for (int m = 0; m < o->ntimes; m++) {
          int hour[2] = {o->hour[m], r->hour[k]}, minute[2] = {o->minute[m], r->minute[k]};
          check_gaps(c, r->loc, hour, minute, 2, 1);
        }
    }
  }
}

static void check_approval(Ctx *c, CampOps *ops, OpBlock *b) {
  static const char *const fields[] = {"approvers", "group", "deadline", "remind", "notify"};
  if (!b->braced) {
    OpItem *it = b->items.items[0];
    if (strcmp(it->name, "none")) {
      diag_error(c->d, it->name_loc, "`approval %s`: write `approval none` or `approval { ... }`", it->name);
      diag_hint(c->d, "approval { approvers \"alice\", \"bob\"; deadline 2d, cancel; remind 12h }");
    }
    return;
  }
  ops->approval = 1;
  int seen[5] = {0};
  Loc notify_loc = b->loc;
  for (int i = 0; i < b->items.len; i++) {
    OpItem *it = b->items.items[i];
    int k = -1;
    for (int j = 0; j < 5; j++)
      if (!strcmp(it->name, fields[j])) k = j;
    if (k < 0) {
      diag_error(c->d, it->name_loc, "unknown approval field `%s`", it->name);
      const char *best = diag_closest(it->name, fields, 5);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      else diag_hint(c->d, "an approval has approvers, group, deadline, remind and notify");
      continue;
    }
    if (seen[k]++) {
      diag_error(c->d, it->name_loc, "`%s` is set twice", it->name);
      continue;
    }
    if (it->kind != OI_VALUES) {
      diag_error(c->d, it->loc, "`%s` takes values separated by commas", it->name);
      continue;
    }
    if (k == 0) {
      ops->approvers = arena_alloc(c->a, sizeof(char *) * (size_t)it->values.len);
      ops->approver_addrs = arena_alloc(c->a, sizeof(char *) * (size_t)it->values.len);
      for (int j = 0; j < it->values.len; j++) {
        OpValue *v = it->values.items[j];
        const char *text = v->kind == OV_WORD ? v->word
                         : v->kind == OV_LITERAL && v->lit->kind == E_STR ? v->lit->text : NULL;
        char name[256], addr[256];
        if (!text || !*text || approver_parse(text, name, sizeof name, addr, sizeof addr)) {
          diag_error(c->d, v->loc, "an approver is a name, optionally with an e-mail address");
          diag_hint(c->d, "approvers \"lena <lena@shop.example>\", \"omar\"");
          continue;
        }
        for (int m = 0; m < ops->napprovers; m++)
          if (!strcmp(ops->approvers[m], name)) diag_warning(c->d, v->loc, "approver `%s` is named twice", name);
        ops->approver_addrs[ops->napprovers] = addr[0] ? arena_strdup(c->a, addr) : NULL;
        ops->approvers[ops->napprovers++] = arena_strdup(c->a, name);
      }
      continue;
    }
    if (k == 4) {
      OpValue *v = it->values.items[0];
      const char *pname = v->kind == OV_WORD ? v->word : NULL;
      notify_loc = it->loc;
      if (it->values.len != 1 || !pname) {
        diag_error(c->d, it->loc, "`notify` takes the name of an e-mail provider");
        continue;
      }
      const Decl *pd = NULL;
      for (int m = 0; m < c->p->providers.len && !pd; m++)
        if (!strcmp(((Decl *)c->p->providers.items[m])->name, pname)) pd = c->p->providers.items[m];
      if (!pd) {
        diag_error(c->d, v->loc, "unknown provider `%s`", pname);
        diag_hint(c->d, "declare it with `provider %s { kind smtp ... }`", pname);
      } else if (!provider_sends(pd, CH_EMAIL)) {
        diag_error(c->d, v->loc, "provider `%s` cannot send e-mail: approvers are notified by e-mail", pname);
        diag_note(c->d, pd->name_loc, "`%s` is declared here", pd->name);
      } else {
        ops->notify = pd;
      }
      continue;
    }
    OpValue *v = it->values.items[0];
    if (k == 1) {
      if (it->values.len != 1 || !(v->kind == OV_WORD || (v->kind == OV_LITERAL && v->lit->kind == E_STR)))
        diag_error(c->d, it->loc, "`group` takes one group name");
      else ops->group = arena_strdup(c->a, v->kind == OV_WORD ? v->word : v->lit->text);
      continue;
    }
    if (v->kind != OV_LITERAL || v->lit->kind != E_DURATION || v->lit->ival <= 0) {
      diag_error(c->d, v->loc, "`%s` takes a duration", it->name);
      diag_hint(c->d, k == 2 ? "write `deadline 2d` or `deadline 2d, send`" : "write `remind 12h`");
      continue;
    }
    if (k == 3) {
      if (it->values.len != 1) diag_error(c->d, it->loc, "`remind` takes one duration");
      if (v->lit->ival < MIN_GAP) {
        diag_error(c->d, v->loc, "reminders every %lld seconds are too frequent", (long long)v->lit->ival);
        diag_hint(c->d, "remind at most every 15 minutes");
      }
      ops->remind = v->lit->ival;
      continue;
    }
    ops->deadline = v->lit->ival;
    if (it->values.len > 2) diag_error(c->d, it->loc, "`deadline` takes a duration and `send` or `cancel`");
    if (it->values.len == 2) {
      OpValue *w = it->values.items[1];
      if (w->kind == OV_WORD && !strcmp(w->word, "send")) ops->deadline_send = 1;
      else if (!(w->kind == OV_WORD && !strcmp(w->word, "cancel"))) {
        diag_error(c->d, w->loc, "at the deadline camp can `send` or `cancel`");
      }
    }
  }
  if (!ops->napprovers && !ops->group) {
    diag_error(c->d, b->loc, "an approval needs `approvers` or a `group`");
    diag_hint(c->d, "approval { approvers \"alice\", \"bob\" }");
  }
  if (ops->remind && !ops->deadline)
    diag_warning(c->d, b->loc, "reminders without a deadline go on until someone decides");
  for (int i = 0; ops->notify && i < ops->napprovers; i++)
    if (!ops->approver_addrs[i]) {
      diag_error(c->d, notify_loc, "approver `%s` has no e-mail address to notify", ops->approvers[i]);
      diag_hint(c->d, "write \"%s <%s@example.com>\" in `approvers`", ops->approvers[i], ops->approvers[i]);
    }
  if (ops->notify && ops->group) {
    diag_error(c->d, notify_loc, "a group has no address to notify: name its approvers instead");
  }
}

/* "Lena <lena@shop.example>" -> name "Lena", addr "lena@shop.example";
 * "lena" -> name "lena", addr "".  -1 when malformed (an empty name, a
 * missing '>', an address without '@' or with spaces or control bytes). */
int approver_parse(const char *text, char *name, size_t namelen, char *addr, size_t addrlen) {
  const char *lt = strchr(text, '<');
  const char *end = lt ? lt : text + strlen(text);
  while (end > text && end[-1] == ' ') end--;
  while (*text == ' ') text++;
  if (end <= text || (size_t)(end - text) >= namelen) return -1;
  snprintf(name, namelen, "%.*s", (int)(end - text), text);
  addr[0] = 0;
  if (!lt) return strchr(name, '>') ? -1 : 0;
  const char *gt = strchr(lt, '>');
  if (!gt || gt[1] || gt - lt - 1 <= 0 || (size_t)(gt - lt - 1) >= addrlen) return -1;
  snprintf(addr, addrlen, "%.*s", (int)(gt - lt - 1), lt + 1);
  if (!strchr(addr, '@')) return -1;
  for (const char *p = addr; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '<' || *p == 0x7f) return -1;
  return 0;
}

static void check_dates(Ctx *c, Decl *camp, CampOps *ops) {
  Loc where = camp->name_loc;
  for (int i = 0; i < camp->headers.len; i++) {
    HeaderField *h = camp->headers.items[i];
    int end = !strcmp(h->name, "end_date");
    if (!end && strcmp(h->name, "start_date")) continue;
    where = h->loc;
    read_bound(c, h->value, end, end ? ops->end_date : ops->start_date, h->name);
  }
  if (ops->start_date[0] && ops->end_date[0] && strcmp(ops->start_date, ops->end_date) > 0)
    diag_error(c->d, where, "the campaign ends (%s) before it starts (%s)", ops->end_date, ops->start_date);
}

void check_ops(Ctx *c, Decl *camp) {
  CampOps *ops = arena_alloc(c->a, sizeof *ops);
  memset(ops, 0, sizeof *ops);
  snprintf(ops->tz, sizeof ops->tz, "UTC");
  ops->remessage = RM_DAILY;
  camp->ops = ops;
  if (camp->schedule) check_schedule(c, ops, camp->schedule);
  if (camp->approval) check_approval(c, ops, camp->approval);
  check_dates(c, camp, ops);
}
