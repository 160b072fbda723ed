/* uplift.h — `camp report`: a campaign's treated recipients against its
 * control group (`holdout N%`) on its declared conversion metric (`conversion
 * "filter"`, a filter with one timestamp parameter given the run's start):
 * conversions counted in SQL, the rates, absolute and relative uplift and
 * a 95% confidence interval of the difference (normal approximation, Wald),
 * and an SVG chart (docs/policy.md). */
#ifndef CAMP_REPORT_UPLIFT_H
#define CAMP_REPORT_UPLIFT_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

typedef struct Uplift {
  int64_t treated, treated_conv, control, control_conv;
  double p_treated, p_control;  /* conversion rates */
  double abs_uplift;            /* p_treated - p_control */
  double rel_uplift;            /* abs / p_control; NaN when p_control is 0 */
  double ci_low, ci_high;       /* 95% interval of abs_uplift */
  int significant;              /* the interval excludes 0 */
} Uplift;

/* Counts the groups of run `run` in SQL.  step NULL (the campaign's
 * `holdout N%`): treated = distinct recipients of its messages that were
 * not suppressed or cancelled; control = distinct recipients held out by
 * the campaign (camp_policy_removed, no detail) and not treated.  step set,
 * a channel step's `holdout N%`: that step's recipients against those it
 * held out; audience = 1, the step `holdout N% of INPUT`: its treated
 * members (camp_holdout_treated) against its control group.  converted =
 * those of each group for which `rule_sql` (an SQL condition over `dim`
 * aliased t0) holds.  Fills u (rates and interval computed in C from the
 * counts).  0, or -1 with err. */
int uplift_compute(Db *db, int64_t run, const char *step, int audience, const char *dim, const char *key_column,
                   const char *rule_sql, Uplift *u, char *err, size_t errlen);

/* The chart: conversion rate per group with its 95% interval, the uplift
 * in the title.  Self-contained SVG. */
void uplift_svg(FILE *out, const char *campaign, const char *metric, const Uplift *u);

#endif
