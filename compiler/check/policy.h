/* policy.h — what the checker knows of the contact policy
 * (compiler/check/check_policy.c, docs/policy.md). */
#ifndef CAMP_CHECK_POLICY_H
#define CAMP_CHECK_POLICY_H

#include "compiler/check/program.h"

/* The checked consent rule of channel ch on dimension dim (a condition
 * over dim's rows, SQL alias t0), or NULL when none is declared. */
Expr *program_consent(Program *p, const Schema *dim, Channel ch);
/* 1 when the campaign says `transactional true`: consent and the
 * suppression list are not applied to it (shown in plan). */
int program_transactional(const Decl *campaign);

/* The campaign's `weight N` header (pressure), 5 without one. */
int64_t program_weight(const Decl *campaign);
/* Appends every `pressure` declaration loaded (D_PRESSURE Decl*) to out;
 * returns out->len. */
int program_pressure(Program *p, PtrVec *out);

/* The campaign's `holdout N%` (0 without one) and `conversion "filter"` (NULL). */
double program_holdout(const Decl *campaign);
const char *program_conversion(const Decl *campaign);

/* A percentage as written (`5`, `2.5`, `12.25`) in basis points, 1..9999;
 * -1 when it is not above 0 and below 100 with at most two decimals. */
int policy_percent_bp(const char *text);
/* The holdout of one step in basis points: a channel step's `holdout N%`
 * setting or the step `holdout N% of INPUT`; 0 for none. */
int program_step_holdout_bp(const Step *s);
/* The salt of a step's holdout: a key is held out when camp_hash(seed,
 * salt, key) % 10000 < basis points (seed: the campaign's `seed`), the
 * same in SQL (compiler/sql) and in C (db_hash_values, runtime/policy). */
void program_holdout_salt(const char *campaign, const char *step, char *out, size_t n);

/* A send window: `window "weekdays 09:00-18:00"` on a channel step, in
 * the contact's time zone.  days: bit d set = weekday d allowed (0 =
 * Sunday); start < end in minutes after local midnight. */
typedef struct PolicyWindow {
  unsigned days;
  int start, end;
} PolicyWindow;
/* Parses "DAYS HH:MM-HH:MM", DAYS = daily | weekdays | weekends | a list
 * of mon tue wed thu fri sat sun or ranges (mon-fri, sat,sun).  0, or -1
 * with err. */
int policy_window_parse(const char *spec, PolicyWindow *w, char *err, size_t errlen);
/* The campaign's `contact_timezone "column"` (NULL) and `default_timezone
 * "Zone"` ("UTC" without one). */
const char *program_contact_tz(const Decl *campaign);
const char *program_default_tz(const Decl *campaign);
/* The wait `until HH:MM local` whose rows reach channel step s through
 * steps of one input that do not wait themselves (not through another
 * wait, a retarget or a local approval), or NULL. */
Step *program_local_wait(Step *s);

#endif
