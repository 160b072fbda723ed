/* track_events.c — the database side of tracking hits (track_events.h). */
#include "runtime/delivery/track_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store_track.h"

struct TrackDb {
  Db *db;
  DbStmt *message, *link, *feedback, *unsub_seen, *suppress;
};

void track_db_close(TrackDb *t) {
  if (!t) return;
  db_finalize(t->message);
  db_finalize(t->link);
  db_finalize(t->feedback);
  db_finalize(t->unsub_seen);
  db_finalize(t->suppress);
  free(t);
}

TrackDb *track_db_open(Db *db, char *err, size_t errlen) {
  TrackDb *t = calloc(1, sizeof *t);
  if (!t) abort();
  t->db = db;
  t->message = db_prepare(db, "SELECT channel, address FROM camp_outbox WHERE id = ?");
  t->link = db_prepare(db, "SELECT url FROM camp_links WHERE outbox_id = ? AND idx = ?");
  t->feedback = db_prepare(db, "INSERT INTO camp_feedback(outbox_id, event, at, link, detail)"
                               " VALUES (?, ?, ?, ?, 'track')");
  t->unsub_seen = db_prepare(db, "SELECT 1 FROM camp_feedback WHERE outbox_id = ?"
                                 " AND event = 'unsubscribed'");
  t->suppress = db_prepare(db, "INSERT INTO camp_suppression(channel, address, reason,"
                               " at, source, outbox_id) VALUES (?, ?, 'unsubscribed', ?, 'track', ?)"
                               " ON CONFLICT DO NOTHING");
  if (!t->message || !t->link || !t->feedback || !t->unsub_seen || !t->suppress) {
    snprintf(err, errlen, "preparing the tracking statements: %s", db_error(db));
    track_db_close(t);
    return NULL;
  }
  return t;
}

static int record(TrackDb *t, int64_t id, const char *event, const char *now, int link) {
  db_reset(t->feedback);
  db_bind_int(t->feedback, 1, id);
  db_bind_text(t->feedback, 2, event);
  db_bind_text(t->feedback, 3, now);
  if (link >= 0) db_bind_int(t->feedback, 4, link); else db_bind_null(t->feedback, 4);
  int rc = db_step(t->feedback);
  db_reset(t->feedback);
  return rc < 0 ? -1 : 0;
}

/* Unsubscribe: one 'unsubscribed' row per message however often the link
 * is posted, and the address's opt-out on the message's channel. */
static int unsubscribe(TrackDb *t, TrackEvent *e, const char *channel, const char *address,
                       const char *now) {
  db_reset(t->unsub_seen);
  db_bind_int(t->unsub_seen, 1, e->outbox_id);
  int seen = db_step(t->unsub_seen);
  db_reset(t->unsub_seen);
  if (seen < 0) return -1;
  if (!seen) {
    if (record(t, e->outbox_id, "unsubscribed", now, -1)) return -1;
    e->recorded = 1;
  }
  if (!address || !*address) return 0;
  char norm[1024];
  store_track_norm_address(channel, address, norm, sizeof norm);
  db_reset(t->suppress);
  db_bind_text(t->suppress, 1, channel);
  db_bind_text(t->suppress, 2, norm);
  db_bind_text(t->suppress, 3, now);
  db_bind_int(t->suppress, 4, e->outbox_id);
  int rc = db_step(t->suppress);
  db_reset(t->suppress);
  return rc < 0 ? -1 : 0;
}

static int apply_one(TrackDb *t, TrackEvent *e, const char *now) {
  e->found = e->recorded = 0;
  free(e->url);
  e->url = NULL;
  db_reset(t->message);
  db_bind_int(t->message, 1, e->outbox_id);
  int rc = db_step(t->message);
  if (rc < 0) return -1;
  if (rc == 0) {
    db_reset(t->message);
    return 0; /* no such message (a database that was reset): 404 */
  }
  DbValue ch = db_column(t->message, 0), ad = db_column(t->message, 1);
  char channel[32], *address = ad.kind == DBV_TEXT ? strdup(ad.s) : NULL;
  snprintf(channel, sizeof channel, "%s", ch.kind == DBV_TEXT ? ch.s : "");
  db_reset(t->message);
  int out = 0;
  switch (e->kind) {
    case TE_CLICK:
    case TE_PEEK_CLICK:
      db_reset(t->link);
      db_bind_int(t->link, 1, e->outbox_id);
      db_bind_int(t->link, 2, e->link);
      rc = db_step(t->link);
      if (rc == 1) {
        e->url = strdup(db_column(t->link, 0).s ? db_column(t->link, 0).s : "");
        e->found = 1;
      }
      db_reset(t->link);
      if (rc < 0) out = -1;
      else if (rc == 1 && e->kind == TE_CLICK) {
        out = record(t, e->outbox_id, "clicked", now, e->link);
        e->recorded = out == 0;
      }
      break;
    case TE_OPEN:
      e->found = 1;
      out = record(t, e->outbox_id, "opened", now, -1);
      e->recorded = out == 0;
      break;
    case TE_UNSUB:
      e->found = 1;
      out = unsubscribe(t, e, channel, address, now);
      break;
    case TE_UNSUB_ASK:
    case TE_PEEK_OPEN:
      e->found = 1;
      break;
  }
  free(address);
  return out;
}

int track_db_apply(TrackDb *t, TrackEvent **ev, int n, const char *now, char *err,
                   size_t errlen) {
  if (db_begin(t->db) != 0) {
    snprintf(err, errlen, "%s", db_error(t->db));
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (apply_one(t, ev[i], now) != 0) {
      snprintf(err, errlen, "%s", db_error(t->db));
      db_rollback(t->db);
      return -1;
    }
  }
  if (db_commit(t->db) != 0) {
    snprintf(err, errlen, "%s", db_error(t->db));
    db_rollback(t->db);
    return -1;
  }
  return 0;
}
