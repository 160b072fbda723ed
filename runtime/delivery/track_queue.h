/* track_queue.h — what happens to a message right after a channel step
 * queued it (called from runtime/exec/exec_channel.c, in the step's
 * transaction):
 *   - an address in camp_suppression for the message's channel (an
 *     unsubscribe, a hard bounce, a complaint) turns the row's status from
 *     'queued' into 'suppressed': it stays visible but is never sent;
 *   - with tracking configured (CAMP_TRACK_URL and CAMP_TRACK_KEY in the
 *     environment; `--track-url` sets the first), an e-mail's HTML body gets
 *     its links rewritten to signed click URLs and an open pixel (see
 *     track_links.h); the original URLs go to camp_links. */
#ifndef CAMP_TRACK_QUEUE_H
#define CAMP_TRACK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"

typedef struct TrackQueue TrackQueue;

/* Prepares for one channel step's messages.  Tracking applies to the
 * email channel only, and only when CAMP_TRACK_URL is set; then the URL and
 * CAMP_TRACK_KEY must be valid, else NULL with a message in err.  Also
 * NULL (with err) when the database has no tracking tables. */
TrackQueue *track_queue_open(Db *db, const char *channel, char *err, size_t errlen);
/* The row (run_id, step, key) was just inserted with `body`: applies the
 * suppression list and the link rewriting.  0, or -1 with err.  q NULL
 * (a dry run) does nothing. */
int track_queue_after(TrackQueue *q, int64_t run_id, const char *step, DbValue key,
                      const char *address, const char *body, char *err, size_t errlen);
/* Messages suppressed since open. */
int64_t track_queue_suppressed(const TrackQueue *q);
void track_queue_close(TrackQueue *q);

#endif
