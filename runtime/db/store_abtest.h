/* store_abtest.h — the tables of A/B content tests (docs/policy.md),
 * migrated with their own version (camp_meta key 'abtest_schema_version').
 *
 *   camp_abtest(run_id, step, spec, variants, cell_percent, metric,
 *               started_at, due_at, winner, decided_at, PRIMARY KEY(run_id, step))
 *       one test per channel step of a run: its `test "..."` spec, the
 *       variant letters ("AB"), when it started and is decided, the winner
 *   camp_abtest_cells(run_id, step, recipient_key, cell,
 *                     PRIMARY KEY(run_id, step, recipient_key))
 *       each recipient's cell: a variant letter, or 'rest' (the remainder,
 *       which gets the winner after the wait)
 *   camp_abtest_results(run_id, step, cell, sent, opened, clicked, hits,
 *                       PRIMARY KEY(run_id, step, cell))
 *       each cell's figures when the winner was chosen (hits: the metric's
 *       count: opened or clicked) */
#ifndef CAMP_STORE_ABTEST_H
#define CAMP_STORE_ABTEST_H

#include <stddef.h>

#include "runtime/db/db.h"

#define STORE_ABTEST_VERSION 1

/* Creates or migrates the tables above inside store_migrate's transaction.
 * 0, or -1 with err. */
int store_abtest_migrate(Db *db, char *err, size_t errlen);

#endif
