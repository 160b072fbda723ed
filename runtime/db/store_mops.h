/* store_mops.h — camp's tables for marketing operations (issue 18,
 * docs/marketing-ops.md), migrated with their own version (camp_meta key
 * 'mops_schema_version') so they evolve independently of store.c's list.
 * The DDL is the same on SQLite and PostgreSQL.
 *
 *   camp_mops_nodes(kind, name, parent, owner, start_date, end_date,
 *                   statuses, budget, over_budget, success, PRIMARY KEY(kind, name))
 *       the hierarchy: kind plan | program | campaign; parent is a
 *       program's plan or a campaign's program (NULL when none); budget in
 *       1/10000 units (NULL when none); over_budget warn | block and
 *       success (the event that counts as a success) for campaigns
 *   camp_mops_costs(campaign, name, kind, amount, scope, task,
 *                   PRIMARY KEY(campaign, name))
 *       cost lines: kind fixed | per_message | per_piece, amount in 1/10000
 *       units, scope as declared (`step letters`), task NULL or its task
 *   camp_mops_stock(item PRIMARY KEY, initial, alert, unit, on_shortage, alerted)
 *       stock items as declared; alerted = 1 once the alert notification
 *       for the current crossing of the threshold went out
 *   camp_mops_stock_orders(id, item, quantity, at, who, reason)
 *       order lines: quantities added to an item (`camp stock order`)
 *   camp_mops_consumes(campaign, name, item, step, per, PRIMARY KEY(campaign, name))
 *       a channel step's recipients use `per` units each: the level of an
 *       item = initial + orders - per x the step's messages in camp_outbox
 *       (not cancelled or suppressed)
 *   camp_mops_offer_defs(campaign, name, item, price, discount, segment,
 *                        targets_only, valid_from, valid_to, PRIMARY KEY(campaign, name))
 *       declared campaign prices (amount) and line discounts (percent),
 *       both in 1/10000 units; valid between the campaign's dates
 *   camp_mops_offers(campaign, offer, item, contact, price, discount,
 *                    valid_from, valid_to, run_id, PRIMARY KEY(campaign, offer, contact))
 *       activated offers: one row per contact (the key as text) of the
 *       segment in the campaign's latest run (`camp offers activate`)
 *   view camp_offer_prices(contact, item, campaign, offer, price,
 *                          discount_percent, valid_from, valid_to)
 *       the same in currency units and percent, for other systems
 *   camp_mops_interaction_templates(name PRIMARY KEY, type, channel, unit_cost, unit_minutes)
 *       what an interaction of a type (on a channel) costs and takes
 *   view camp_interactions(campaign, run_id, step, channel, contact, type, at, outbox_id)
 *       every interaction with a contact, logged by camp itself: a message
 *       sent (camp_outbox status sent) and each delivery event of it
 *       (camp_feedback: delivered, opened, clicked, ...; not the sender's
 *       `sent` event, which is the outbox row)
 *   camp_mops_cost_steps(campaign, cost, step, PRIMARY KEY(campaign, cost, step))
 *       the channel steps (labels, as in camp_outbox.step) a per-unit line counts
 *   camp_mops_status_codes(set_name, code, ord, PRIMARY KEY(set_name, code))
 *   camp_mops_status_next(set_name, code, next_code,
 *                         PRIMARY KEY(set_name, code, next_code))
 *       user-declared status codes in order and the codes allowed next
 *   camp_mops_status(campaign PRIMARY KEY, set_name, code, set_at, set_by)
 *       a campaign's business status (changes are in camp_audit)
 *   camp_mops_teams(team, member, PRIMARY KEY(team, member))
 *   camp_mops_tasks(id, campaign, name, after_task, formula, due_date,
 *                   owner, team, note, done_at, done_by,
 *                   PRIMARY KEY(id), UNIQUE(campaign, name))
 *       a campaign's tasks; due_date YYYY-MM-DD computed from the date
 *       formula at deploy time (NULL without a start_date); done_at set by
 *       `camp tasks --done ID`
 *
 * Version 2:
 *   camp_mops_interaction_log(id, campaign, contact, template, type, channel,
 *                             at, cost, minutes, source, imported_at, imported_by,
 *                             UNIQUE(campaign, contact, template, at))
 *       calls and meetings imported from CSV (`camp interactions import`):
 *       the template's type and channel, cost (1/10000 units) and minutes
 *       as imported or the template's; source is FILE:LINE.  They are
 *       rows of the view camp_interactions too (run_id, step, outbox_id NULL)
 *   camp_mops_segments(name PRIMARY KEY, dimension, source_file, version,
 *                      created_at, created_by)
 *       D365 segments (`camp segment`): the schema file their criteria are
 *       checked against and the current version
 *   camp_mops_segment_criteria(segment, seq, op, rule, PRIMARY KEY(segment, seq))
 *       the saved criteria in order: op add | reduce | refine, rule a camp
 *       rule over the dimension (`camp segment reapply` replays them)
 *   camp_mops_segment_versions(segment, version, op, rule, at, who, members,
 *                              added, removed, PRIMARY KEY(segment, version))
 *       the log of a segment: one row per version, what made it
 *   camp_mops_segment_members(segment, version, contact,
 *                             PRIMARY KEY(segment, version, contact))
 *       the members of every version (the dimension's key as text)
 *   camp_mops_offer_defs.saved_segment: an offer for a segment's members
 *   (v3) camp_mops_segments.declared: 1 when the segment is declared in a
 *       .camp file (source_file) and kept by `camp segment apply`, 0 when
 *       made by `camp segment create` */
#ifndef CAMP_STORE_MOPS_H
#define CAMP_STORE_MOPS_H

#include <stddef.h>

#include "runtime/db/db.h"

#define STORE_MOPS_VERSION 3

/* Creates or migrates the tables above; runs inside store_migrate's
 * transaction (the caller commits or rolls back).  0, or -1 with err. */
int store_mops_migrate(Db *db, char *err, size_t errlen);

/* The levels of stock items: item, initial, ordered, used, alert, unit,
 * on_shortage, alerted; level = initial + ordered - used, where used =
 * per x the consuming steps' messages in camp_outbox that are not
 * cancelled or suppressed, over every run.  Append WHERE/ORDER BY. */
#define STORE_MOPS_LEVELS_SQL                                                                        \
  "SELECT s.item, s.initial,"                                                                        \
  " (SELECT CAST(coalesce(sum(o.quantity), 0) AS BIGINT) FROM camp_mops_stock_orders o WHERE o.item = s.item),"      \
  " (SELECT CAST(coalesce(sum(c.per * (SELECT count(*) FROM camp_outbox x JOIN camp_runs r ON r.id = x.run_id" \
  "   WHERE r.campaign = c.campaign AND x.step = c.step AND x.status NOT IN ('cancelled', 'suppressed'))), 0) AS BIGINT)" \
  "   FROM camp_mops_consumes c WHERE c.item = s.item),"                                             \
  " s.alert, s.unit, s.on_shortage, s.alerted FROM camp_mops_stock s"

/* The level of one stock item (used by runtime/mops and by the executor's
 * `on_shortage limit`).  0, or -1 on error or an unknown item (*level
 * unset). */
int store_mops_stock_level(Db *db, const char *item, int64_t *level);

#endif
