/* abtest.h — A/B content tests on a channel step (docs/policy.md):
 *
 *   email offer {
 *     subject "Spring sale"            // variant A: the step's own texts
 *     body "<p>...</p>"
 *     subject_B "20% off this week"    // variant B (a capital letter: a test
 *     body_B "<p>...</p>"              //  variant; lowercase is a language)
 *     test "cells 10%; metric click_rate; after 2d"
 *   }
 *
 * Spec items, separated by `;`: `cells P%` (each variant's cell, P > 0 and
 * P times the number of variants below 100; `each` may follow), `metric
 * open_rate|click_rate|FILTER` (FILTER: a success rule, a filter on the
 * step's dimension with one timestamp parameter, given the test's start,
 * as `conversion` is), `after DURATION` (`30m`, `12h`, `2d`, `1w`), and
 * optionally `variants A B ...` (must name exactly the declared ones). */
#ifndef CAMP_CHECK_ABTEST_H
#define CAMP_CHECK_ABTEST_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/check/program.h"

typedef enum { AB_OPEN_RATE, AB_CLICK_RATE, AB_SUCCESS } AbMetric;

typedef struct AbSpec {
  double cell_percent;  /* each variant's cell */
  AbMetric metric;
  int64_t after;        /* seconds from the test's start to the decision */
  char variants[27];    /* "AB": the letters in order, A first */
  char success[64];     /* AB_SUCCESS: the filter's name */
} AbSpec;

/* "open_rate", "click_rate", or the success filter's name. */
const char *abtest_metric_text(const AbSpec *sp);

/* 1 when key is a test variant's text (`subject_B`, `body_C`, `template_B`:
 * a base, `_`, one capital letter B to Z; or with a language after it,
 * `subject_B_sv`, `template_B_pt_BR`); *letter gets the letter and *base
 * the base ("subject", "body", "template"). */
int abtest_variant_key(const char *key, char *letter, const char **base);

/* Channel step s's test: 0 and *out filled, 1 when it has none, -1 with err
 * (a bad spec; the spec's words are quoted).  The variants are A plus the
 * letters of s's variant texts, in order. */
int abtest_of(Step *s, AbSpec *out, char *err, size_t errlen);

#endif
