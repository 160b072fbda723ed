/* track_events.h — what a tracking hit does to the database: the lookups
 * and writes of `camp track`, applied by its single writer thread in
 * batches, one transaction per batch (see track_server.c). */
#ifndef CAMP_TRACK_EVENTS_H
#define CAMP_TRACK_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"
#include "runtime/delivery/track_token.h"

typedef enum {
  TE_OPEN,        /* record 'opened' */
  TE_CLICK,       /* look up link, record 'clicked' with it */
  TE_UNSUB_ASK,   /* look up the message only (the confirmation page) */
  TE_UNSUB,       /* record 'unsubscribed' once, and the opt-out */
  TE_PEEK_OPEN,   /* HEAD of a pixel / link: look up, record nothing */
  TE_PEEK_CLICK,
} TrackEventKind;

typedef struct TrackEvent {
  TrackEventKind kind;
  int64_t outbox_id;
  int32_t link;
  /* results */
  int found;      /* the message (and link) exist */
  int recorded;   /* a camp_feedback row was written */
  char *url;      /* click: the original URL (malloc'd, caller frees) */
} TrackEvent;

typedef struct TrackDb TrackDb;

/* Prepares the statements on db (camp's tables must exist).  NULL + err. */
TrackDb *track_db_open(Db *db, char *err, size_t errlen);
void track_db_close(TrackDb *t);
/* Applies n events in one transaction stamped `now`.  0 when committed
 * (each event's results set); -1 when the transaction failed and was
 * rolled back (results undefined, nothing written), with err. */
int track_db_apply(TrackDb *t, TrackEvent **ev, int n, const char *now, char *err,
                   size_t errlen);

#endif
