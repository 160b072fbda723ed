/* abtest_report.h — the A/B test section of `camp report` (docs/policy.md):
 * each cell's figures and whether the winner's difference from each other
 * cell is significant (two-proportion z-test, runtime/policy/abtest.h). */
#ifndef CAMP_ABTEST_REPORT_H
#define CAMP_ABTEST_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

/* Number of steps of run_id with an A/B test (0 on an older database). */
int abtest_report_count(Db *db, int64_t run_id);
/* Prints every test of run_id as text.  0, or -1 with err. */
int abtest_report_text(Db *db, int64_t run_id, FILE *out, char *err, size_t errlen);
/* The same as a JSON array (new reference), or NULL with err. */
json_t *abtest_report_json(Db *db, int64_t run_id, char *err, size_t errlen);

#endif
