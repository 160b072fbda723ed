/* rules.h — the database's pressure rules (docs/policy.md): declared once
 * per database in a .camp file (`pressure email max 3 per 7d`) and
 * installed with `camp policy apply FILE --db DB`; every run and plan of
 * every campaign on that database applies them (pressure.c). */
#ifndef CAMP_POLICY_RULES_H
#define CAMP_POLICY_RULES_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

typedef struct PolicyRule {
  const char *channel;    /* NULL: all channels */
  int64_t max;
  int64_t period_seconds;
  const char *period;     /* as written: "7d" */
} PolicyRule;

/* Replaces the installed rules by r[0..n) in one transaction.  0, or -1
 * with err. */
int policy_rules_install(Db *db, const PolicyRule *r, int n, const char *source, const char *now, char *err,
                         size_t errlen);
/* Prints the installed rules, one `pressure ...` line each; returns how
 * many, or -1. */
int policy_rules_print(Db *db, FILE *out);

#endif
