/* store_track.h — camp's tables for tracking, opt-outs and delivery
 * feedback, migrated with their own version (camp_meta key
 * 'track_schema_version') so they evolve independently of store.c's list.
 *
 *   camp_links(outbox_id, idx, url, PRIMARY KEY(outbox_id, idx))
 *       the original URL of link idx of an e-mail whose links were
 *       rewritten to tracking URLs; a click redirects only to these
 *   camp_suppression(channel, address, reason, at, source, outbox_id,
 *                    PRIMARY KEY(channel, address))
 *       opt-outs and undeliverable addresses: reason unsubscribed |
 *       bounced_hard | complaint; address is normalized (trimmed; e-mail
 *       lower-cased, see store_track_norm_address); messages queued later
 *       to it on that channel get status 'suppressed' instead of 'queued'
 *   camp_feedback gains two columns:
 *       link    INTEGER  clicked: idx in camp_links
 *       detail  TEXT     bounce type (hard/soft), provider answer, source */
#ifndef CAMP_STORE_TRACK_H
#define CAMP_STORE_TRACK_H

#include <stddef.h>

#include "runtime/db/db.h"

#define STORE_TRACK_VERSION 1

/* Creates or migrates the tables above; runs inside store_migrate's
 * transaction (the caller commits or rolls back).  0, or -1 with err. */
int store_track_migrate(Db *db, char *err, size_t errlen);

/* The normalized form of an address on a channel (what camp_suppression
 * keys on): surrounding white space removed, e-mail addresses lower-case.
 * Writes at most outlen-1 bytes; returns out. */
char *store_track_norm_address(const char *channel, const char *address, char *out,
                               size_t outlen);

#endif
