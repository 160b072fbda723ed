/* store_distrib.h — camp's tables for distributed marketing
 * (docs/distributed.md), migrated with their own version (camp_meta key
 * 'distrib_schema_version'), so they evolve apart from store.c's list.
 *
 *   camp_distrib_entities(name PK, label, central, parent, data)
 *   camp_distrib_operators(login PK, entity, role, pw_hash)
 *       pw_hash: libsodium crypto_pwhash_str, set by `camp packages passwd`;
 *       NULL = cannot log in.  The model never carries a password.
 *   camp_distrib_packages(name PK, label, campaign, visible_from,
 *       visible_until, register_by, personalize_by, automatic, variant,
 *       cost, share, params)   params: JSON array of the form parameters
 *   camp_distrib_offers(package, entity, PK(package, entity))
 *   camp_distrib_orders(package, entity, state, params, ordered_by,
 *       ordered_at, decided_by, decided_at, PK(package, entity))
 *       state: ordered (waits for the central entity) | approved |
 *       rejected | registered (automatic mode) | unsubscribed
 *   camp_distrib_contacts(run_id, step, recipient_key, value, entity, state,
 *       decided_by, decided_at, PK(run_id, step, recipient_key))
 *       a local approval's rows: state pending | approved | removed |
 *       unassigned (no breakdown value) | over_limit
 *   camp_distrib_requests(run_id, step, entity, campaign, requested_at,
 *       deadline_at, remind_every, next_reminder_at, reminders, contacts,
 *       approve_default, state, dim_table, dim_key, show_cols,
 *       PK(run_id, step, entity))
 *       one per local entity and approval step; state open | closed;
 *       dim_*: where the web page reads the contacts' columns (show_cols,
 *       comma-separated: the address and a few text columns)
 *   camp_distrib_values(run_id, step, entity, name, value,
 *       PK(run_id, step, entity, name))
 *       by form: each entity's form values when its local approval closed
 *       (its order's, else the declared default), read by the step's SQL
 *   camp_distrib_sessions(token_hash PK, login, csrf, created_at, expires_at)
 *       web sessions of `camp serve`: only a hash of the cookie is stored
 *   camp_distrib_log(at, who, entity, action, detail)  who did what
 * Version 2:
 *   camp_distrib_groups(name PK, label), camp_distrib_members(grp, login)
 *       operator groups: a local approval `assign group` hands a breakdown
 *       value to a group (its name in the entity column of contacts and
 *       requests); any member decides
 *   camp_distrib_children(run_id, step, package, entity, campaign, params,
 *       created_at, PK(run_id, package, entity))
 *       variant campaign: one child campaign per participating entity of a
 *       run, with the entity's parameter values
 *   camp_distrib_login_failures(who, at)  failed logins of camp serve
 *       ('login:NAME' and 'ip:ADDR'), for its rate limit
 *   camp_distrib_packages gains central_pct, per_message (cost sharing) */
#ifndef CAMP_STORE_DISTRIB_H
#define CAMP_STORE_DISTRIB_H

#include <stddef.h>

#include "compiler/check/distrib.h"
#include "runtime/db/db.h"

#define STORE_DISTRIB_VERSION 2

/* Creates or migrates the tables above; runs inside store_migrate's
 * transaction.  0, or -1 with err. */
int store_distrib_migrate(Db *db, char *err, size_t errlen);
/* 1 when the tables are at this camp's version. */
int store_distrib_current(Db *db);

/* Stores model m (entities, operators, packages, offers) in one
 * transaction of the caller's (operator groups and their members too):
 * rows of the model are inserted or updated,
 * operators keep their password hash, entities/operators/packages no longer
 * declared are removed (their orders and decisions stay).  Automatic
 * packages register every offered entity that has no order yet, at now.
 * 0, or -1 with err. */
int store_distrib_sync(Db *db, const DistModel *m, const char *now, char *err, size_t errlen);

/* Appends a line to camp_distrib_log. */
int store_distrib_log(Db *db, const char *now, const char *who, const char *entity,
                      const char *action, const char *detail);

#endif
