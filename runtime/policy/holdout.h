/* holdout.h — control groups of one step (docs/policy.md): a channel
 * step's `holdout N%` and the audience step `holdout N% of INPUT`.  A key
 * is held out when camp_hash(seed, salt, key) % 10000 < basis points, salt
 * "holdout:CAMPAIGN:STEP" (program_holdout_salt): the same members in every
 * run of the campaign, by every engine, on every backend (the generated SQL
 * of the audience step computes the same hash with camp_hash). */
#ifndef CAMP_POLICY_HOLDOUT_H
#define CAMP_POLICY_HOLDOUT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"

/* 1 when key is held out by a step holdout of bp basis points (1..9999). */
int policy_step_held_out(int64_t seed, const char *salt, DbValue key, int bp);

/* Deletes from `table` (quoted, rows in column "_key") the rows held out
 * by the rule above; with run_id > 0 records each in camp_policy_removed
 * (reason holdout, stage render, channel, detail "holdout N% of STEP").
 * Adds the number held out to *held.  0, or -1 with err. */
int policy_step_holdout(Db *db, const char *channel, const char *table, int64_t seed, const char *salt, int bp,
                        int64_t run_id, const char *step, const char *now, int64_t *held, char *err,
                        size_t errlen);

/* The audience step `holdout N% of INPUT` after its SQL ran: the rows of
 * in_table missing from out_table are its control group.  Adds their
 * number to *held; with run_id > 0 records them as above (channel
 * "audience").  0, or -1 with err. */
int policy_record_control(Db *db, const char *in_table, const char *out_table, int bp, int64_t run_id,
                          const char *step, const char *now, int64_t *held, char *err, size_t errlen);

/* The detail recorded with a step holdout's rows ("holdout 5% of STEP");
 * a campaign-wide holdout records none. */
void policy_holdout_detail(int bp, const char *step, char *out, size_t n);

#endif
