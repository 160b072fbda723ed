/* send.h — the send worker (`camp send`, `camp run --send`): drains the
 * outbox through each channel step's provider.
 *
 * States of a camp_outbox row:
 *   queued -> sending -> sent | deferred | failed | bounced
 *   deferred -> sending (when next_attempt_at has come)
 * Every change is one transaction.  A worker claims a batch (UPDATE ...
 * RETURNING) by setting status 'sending', lease_owner (host:pid:nonce)
 * and lease_expires (unix seconds, real clock); it renews its leases while
 * it sends.  A lease that expired, or whose owner is a dead process on this
 * host, is reclaimed (the row goes back to queued), so two workers never
 * send a message in parallel and a killed worker's messages are sent by
 * the next one.  A message delivered but not yet recorded when a worker is
 * killed is sent again (at least once, never lost); its Message-ID /
 * Idempotency-Key is the same, derived from (run, step, recipient).
 *
 * Temporary failures (SMTP 4xx, HTTP 408/429/5xx, timeouts, refused
 * connections) are deferred: next attempt after min(6 h, 30 s * 2^(n-1))
 * with jitter (half fixed, half random), at least Retry-After.  After the
 * provider's max_attempts (default 8) or max_age (default 3d after
 * queueing) a message fails.  Permanent failures: SMTP 5xx -> bounced,
 * HTTP 4xx -> failed.  Each outcome is also a camp_feedback row (event
 * sent | deferred | failed | bounced, detail = the provider's answer).
 *
 * A claim counts as an attempt, also when its worker is killed before it
 * reports; a message claimed more than 3 * max_attempts times (its workers
 * always died) fails.
 *
 * Messages whose channel step has no provider stay queued and are counted.
 * A provider that cannot be reached at all (refused connection, failed
 * login) three times in a row is given up for this invocation: its
 * messages are deferred without counting an attempt and the exit status
 * is 1. */
#ifndef CAMP_DELIVERY_SEND_H
#define CAMP_DELIVERY_SEND_H

#include <stdint.h>
#include <stdio.h>

#include "lang/ast.h"
#include "runtime/db/db.h"

typedef struct SendOptions {
  int64_t run_id;       /* only this run (0 = all) */
  const char *channel;  /* only this channel (NULL = all) */
  int64_t limit;        /* at most this many messages (0 = all) */
  int dry_run;          /* build every message, send and change nothing */
  const char *now;      /* the clock starts here ('YYYY-MM-DD HH:MM:SS'),
                         * then advances with real time; NULL = real UTC */
  int lease;            /* lease seconds (default 120) */
  int batch;            /* messages claimed per transaction (default 200) */
  int progress;         /* progress line on stderr (a TTY) */
  FILE *out;            /* the summary line */
} SendOptions;

typedef struct SendStats {
  int64_t sent, deferred, failed, bounced, reclaimed, no_provider, built;
  int64_t policy;        /* messages the contact policy stopped before claiming */
  double seconds;
} SendStats;

/* Fills o with the defaults (every run and channel, lease 120 s, batch
 * 200, summary on stdout).  Callers start from it, so a zero batch (which
 * would claim nothing, forever) never reaches send_outbox. */
void send_options_init(SendOptions *o);

/* Sends what is due.  o->batch and o->lease must be positive (asserted).
 * Returns 0, or 1 after printing an error (database,
 * a missing environment variable, an unreachable provider). */
int send_outbox(Db *db, const SendOptions *o, SendStats *st);

/* Called by a run when channel step s (checked) queued its messages, in
 * the step's transaction: records its provider (camp_delivery).  0 or -1
 * with a message in err. */
int send_record_step(Db *db, int64_t run_id, const Step *s, const char *source_file, char *err,
                     size_t errlen);

#endif
