/* window.h — send windows in the contact's time zone (docs/policy.md). */
#ifndef CAMP_POLICY_WINDOW_H
#define CAMP_POLICY_WINDOW_H

#include "compiler/check/policy.h"

/* The first instant at or after now_utc ('YYYY-MM-DD HH:MM:SS', UTC) when
 * the wall clock of `zone` (an IANA name) is inside window w, into out
 * (UTC, same format).  0, or -1 (no allowed day, bad time). */
int window_due(const PolicyWindow *w, const char *zone, const char *now_utc, char out[20]);

#endif
