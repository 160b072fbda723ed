/* feedback_import.h — delivery events from an e-mail/SMS provider into
 * camp_feedback, all or nothing (`camp feedback import`).
 *
 * Input: CSV (RFC 4180, header row) or JSON lines (one object per line),
 * told apart by the first non-blank byte (`{` = JSON lines).  Fields
 * (CSV header names / JSON keys; others are ignored):
 *   event        delivered | bounced | complaint                  required
 *   type         hard | soft                            required for bounced
 *   outbox_id    camp's message number (camp_outbox.id)
 *   message_id   camp's message id (camp_outbox.message_id, written by
 *                camp send; `<...>` brackets are ignored)
 *   provider_id  the provider's message id (camp_outbox.provider_id,
 *                written by camp send)
 *   at           when: YYYY-MM-DD HH:MM[:SS] (a `T`, fractions and a
 *                trailing Z / +00:00 are accepted), or Unix seconds
 *                (up to 12 digits); years 0000-9999;
 *                default: the import's clock
 *   reason       the provider's answer (stored in camp_feedback.detail)
 * One of outbox_id, message_id, provider_id must name an existing message.
 *
 * Effects per event: a camp_feedback row (delivered -> 'delivered',
 * bounced -> 'bounced' with detail "hard: reason" / "soft: reason",
 * complaint -> 'complained'); an event already present with the same
 * message, event, time and detail is skipped, so importing a file twice
 * changes nothing.  A hard bounce or a complaint also puts the message's
 * address on its channel into camp_suppression (reason bounced_hard /
 * complaint): later messages to it are queued as 'suppressed'. */
#ifndef CAMP_FEEDBACK_IMPORT_H
#define CAMP_FEEDBACK_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"

typedef struct FeedbackCounts {
  int64_t rows, imported, duplicates, delivered, bounced_hard, bounced_soft, complaints,
      suppressed; /* addresses newly suppressed */
} FeedbackCounts;

/* Callback for each error message ("PATH:LINE: message"). */
typedef void (*FeedbackErr)(void *ctx, const char *msg);

/* Imports path in one transaction (opened and committed here).  now is
 * the default time ('YYYY-MM-DD HH:MM:SS').  Returns 0 when every row was
 * good and the transaction committed; otherwise the number of bad rows
 * (> 0), each reported through err_cb, or -1 for a file or database
 * failure (also reported) — and nothing is written. */
int feedback_import(Db *db, const char *path, const char *now, FeedbackCounts *counts,
                    FeedbackErr err_cb, void *ctx);

#endif
