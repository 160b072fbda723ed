/* window.h — send windows in the contact's time zone (docs/policy.md). */
#ifndef CAMP_POLICY_WINDOW_H
#define CAMP_POLICY_WINDOW_H

#include "compiler/check/policy.h"

/* The first instant at or after now_utc ('YYYY-MM-DD HH:MM:SS', UTC) when
 * the wall clock of `zone` (an IANA name) is inside window w, into out
 * (UTC, same format).  0, or -1 (no allowed day, bad time). */
int window_due(const PolicyWindow *w, const char *zone, const char *now_utc, char out[20]);

/* The first instant at or after from_utc when the wall clock of `zone`
 * shows `minutes` after local midnight (a wait `until 08:00 local`), into
 * out (UTC).  A local time that does not exist that day (the spring-forward
 * gap) moves forward by the gap; one that occurs twice (fall-back) is the
 * first.  0, or -1 (bad time). */
int local_time_due(int minutes, const char *zone, const char *from_utc, char out[20]);

#endif
