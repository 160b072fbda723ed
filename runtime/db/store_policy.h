/* store_policy.h — camp's tables for the contact policy (docs/policy.md),
 * migrated with their own version (camp_meta key 'policy_schema_version').
 *
 *   camp_policy_steps(run_id, step, channel, dimension, key_column,
 *                     address_column, consent_sql, transactional,
 *                     PRIMARY KEY(run_id, step))
 *       what a channel step of a run enforces, recorded when it renders, so
 *       `camp send` can enforce it again without the campaign's source:
 *       consent_sql is the consent rule as an SQL condition over the
 *       dimension row aliased t0 (NULL: none declared)
 *   camp_policy_removed(run_id, step, recipient_key, channel, address,
 *                       reason, stage, at, PRIMARY KEY(run_id, step,
 *                       recipient_key, stage))
 *       every recipient the policy took out: reason invalid_address |
 *       no_consent | suppressed; stage render (the run) | send (camp send)
 *   version 2: camp_policy_rules(id, channel (NULL = all channels),
 *                     max_messages, period_seconds, period, source,
 *                     installed_at): the pressure rules (`camp policy apply`);
 *       camp_policy_steps gains weight (default 5) and campaign;
 *       camp_policy_removed gains detail (pressure: the rule and count)
 *   version 3: camp_outbox gains policy_due_at (UTC): a message in a send
 *       window is not claimed by camp send before it
 *   version 4: index camp_outbox_key on camp_outbox(recipient_key): camp send
 *              counts each due message's recipient's recent messages (pressure)
 *   camp_suppression (store_track.c) gains nothing: manual entries have
 *       reason 'manual' and source 'camp suppress'. */
#ifndef CAMP_STORE_POLICY_H
#define CAMP_STORE_POLICY_H

#include <stddef.h>

#include "runtime/db/db.h"

#define STORE_POLICY_VERSION 4

/* Creates or migrates the tables above inside store_migrate's transaction.
 * 0, or -1 with err. */
int store_policy_migrate(Db *db, char *err, size_t errlen);

#endif
