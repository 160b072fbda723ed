/* ops.h — what a campaign says about operating it, checked: its schedule
 * (rules, zone, validity, number of launches, the re-messaging policy), its
 * approval (approvers, deadline, reminders) and its start/end dates.  The
 * checker (check_ops.c) fills one CampOps per campaign (Decl.ops); the
 * runtime (runtime/ops/) expands the rules with libical and enforces the
 * rest.  Times here are wall-clock times in the schedule's zone. */
#ifndef CAMP_OPS_H
#define CAMP_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "lang/ast.h"

typedef enum { SR_ONCE, SR_EVERY, SR_DAILY, SR_WEEKLY, SR_MONTHLY } SchedRuleKind;

#define SCHED_MAX_TIMES 48
#define SCHED_MAX_DAYS 40

/* One rule of a schedule.  daily/weekly/monthly launch at each of the
 * times on the days the rule selects. */
typedef struct SchedRule {
  SchedRuleKind kind;
  Loc loc;                        /* the rule's line */
  char at[20];                    /* SR_ONCE: 'YYYY-MM-DD HH:MM:SS' */
  int64_t every;                  /* SR_EVERY: seconds, whole minutes >= 15 */
  int ntimes;
  int hour[SCHED_MAX_TIMES], minute[SCHED_MAX_TIMES];
  int wdays;                      /* SR_WEEKLY: bit d = weekday d (0 Sunday) */
  int ndays;                      /* SR_MONTHLY: day specs below */
  int nth[SCHED_MAX_DAYS];        /* 0 = a day of the month (mday); 1..5 or -1
                                   * (last) = that weekday of the month */
  int mday[SCHED_MAX_DAYS];       /* 1..31, or -1 = the last day */
  int wday[SCHED_MAX_DAYS];       /* weekday for nth != 0 */
} SchedRule;

/* Whether a recipient already messaged by an earlier launch of the same
 * campaign (same step) is messaged again: the launch key groups launches. */
typedef enum {
  RM_ALWAYS,  /* every launch messages everyone it selects */
  RM_DAILY,   /* at most once per day (the default) */
  RM_WEEKLY,  /* at most once per ISO week */
  RM_MONTHLY, /* at most once per calendar month */
  RM_NEVER,   /* at most once, ever */
} Remessage;

typedef struct CampOps {
  /* schedule */
  int has_schedule;
  SchedRule *rules;
  int nrules;
  char tz[128];          /* IANA zone; "UTC" when not given */
  char from[20];         /* validity start, "" when open */
  char until[20];        /* validity end (inclusive), "" when open */
  int64_t count;         /* number of launches, 0 = unlimited */
  Remessage remessage;
  /* approval */
  int approval;          /* 1: channel messages wait for an approval */
  char **approvers;       /* names (what `--as NAME` must say) */
  char **approver_addrs;  /* each one's e-mail address, or NULL */
  int napprovers;
  const Decl *notify;    /* the e-mail provider that sends approval requests,
                          * reminders and deadline notices; NULL: they are
                          * only recorded (camp_notifications) */
  char *group;           /* NULL when none */
  int64_t deadline;      /* seconds after the messages are parked, 0 = none */
  int deadline_send;     /* at the deadline: 1 send, 0 cancel */
  int64_t remind;        /* reminder interval in seconds, 0 = none */
  /* campaign dates (Dynamics' campaign card): outside them nothing launches */
  char start_date[20];   /* "" when open */
  char end_date[20];     /* inclusive; "" when open */
} CampOps;

/* The checked operations of a campaign (never NULL after program_check;
 * a zeroed default with tz "UTC" and RM_DAILY when the campaign says
 * nothing). */
const CampOps *program_ops(const Decl *campaign);

/* An approver as written in `approvers`: "Lena <lena@shop.example>" gives
 * name "Lena" and addr "lena@shop.example"; a bare "lena" an empty addr.
 * 0, or -1 when malformed (compiler/check/check_ops.c). */
int approver_parse(const char *text, char *name, size_t namelen, char *addr, size_t addrlen);

/* Name of a re-messaging policy as written (`daily`, ...). */
const char *remessage_name(Remessage r);

/* Is `name` an IANA zone of the system tz database ($TZDIR or
 * /usr/share/zoneinfo)?  Rejects path tricks (`..`, leading `/`). */
int ops_zone_exists(const char *name);

#endif
