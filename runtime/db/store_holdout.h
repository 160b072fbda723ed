/* store_holdout.h — the table of audience holdouts (docs/policy.md),
 * migrated with its own version (camp_meta key 'holdout_schema_version'):
 *
 *   camp_holdout_treated(run_id, step, recipient_key,
 *                        PRIMARY KEY(run_id, step, recipient_key))
 *       the treated members of an audience step `holdout N% of INPUT` in a
 *       run (keys as text); its control group is in camp_policy_removed
 *       (reason holdout, detail "holdout N% of STEP"). */
#ifndef CAMP_STORE_HOLDOUT_H
#define CAMP_STORE_HOLDOUT_H

#include <stddef.h>

#include "runtime/db/db.h"

#define STORE_HOLDOUT_VERSION 1

/* Creates or migrates the table above inside store_migrate's transaction.
 * 0, or -1 with err. */
int store_holdout_migrate(Db *db, char *err, size_t errlen);

#endif
