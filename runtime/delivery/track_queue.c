/* track_queue.c — suppression and link tracking of freshly queued
 * messages (see track_queue.h). */
#include "runtime/delivery/track_queue.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/db/store_track.h"
#include "runtime/delivery/track_links.h"
#include "runtime/delivery/track_token.h"

struct TrackQueue {
  Db *db;
  char channel[16];
  int tracking;
  char base[TRACK_BASE_MAX + 1];
  TrackKey key;
  DbStmt *find, *suppressed, *mark, *set_body, *add_link;
  int64_t nsuppressed;
};

void track_queue_close(TrackQueue *q) {
  if (!q) return;
  db_finalize(q->find);
  db_finalize(q->suppressed);
  db_finalize(q->mark);
  db_finalize(q->set_body);
  db_finalize(q->add_link);
  sodium_memzero(&q->key, sizeof q->key);
  free(q);
}

TrackQueue *track_queue_open(Db *db, const char *channel, char *err, size_t errlen) {
  TrackQueue *q = calloc(1, sizeof *q);
  if (!q) abort();
  q->db = db;
  snprintf(q->channel, sizeof q->channel, "%s", channel);
  const char *base = getenv("CAMP_TRACK_URL");
  if (!strcmp(channel, "email") && base && *base) {
    if (track_base_check(base, err, errlen) || track_key_from_env(&q->key, err, errlen)) {
      track_queue_close(q);
      return NULL;
    }
    snprintf(q->base, sizeof q->base, "%s", base);
    q->tracking = 1;
  }
  q->find = db_prepare(db, "SELECT id, body, status FROM camp_outbox"
                           " WHERE run_id = ? AND step = ? AND recipient_key = ?");
  q->suppressed = db_prepare(db, "SELECT 1 FROM camp_suppression WHERE channel = ? AND address = ?");
  q->mark = db_prepare(db, "UPDATE camp_outbox SET status = 'suppressed' WHERE id = ?"
                           " AND status = 'queued'");
  q->set_body = db_prepare(db, "UPDATE camp_outbox SET body = ? WHERE id = ?");
  q->add_link = db_prepare(db, "INSERT INTO camp_links(outbox_id, idx, url) VALUES (?, ?, ?)"
                               " ON CONFLICT(outbox_id, idx) DO UPDATE SET url = excluded.url");
  if (!q->find || !q->suppressed || !q->mark || !q->set_body || !q->add_link) {
    snprintf(err, errlen, "preparing suppression and tracking: %s", db_error(db));
    track_queue_close(q);
    return NULL;
  }
  return q;
}

int64_t track_queue_suppressed(const TrackQueue *q) { return q ? q->nsuppressed : 0; }

static int is_suppressed(TrackQueue *q, const char *address) {
  if (!address) return 0;
  char norm[1024];
  store_track_norm_address(q->channel, address, norm, sizeof norm);
  db_reset(q->suppressed);
  db_bind_text(q->suppressed, 1, q->channel);
  db_bind_text(q->suppressed, 2, norm);
  int rc = db_step(q->suppressed);
  db_reset(q->suppressed);
  return rc;
}

static int rewrite(TrackQueue *q, int64_t id, const char *body, char *err, size_t errlen) {
  TrackLinks links;
  char *html = track_rewrite_html(body, q->base, &q->key, id, &links);
  int rc = 0;
  db_reset(q->set_body);
  db_bind_text(q->set_body, 1, html);
  db_bind_int(q->set_body, 2, id);
  if (db_step(q->set_body) < 0) rc = -1;
  for (int i = 0; rc == 0 && i < links.n; i++) {
    db_reset(q->add_link);
    db_bind_int(q->add_link, 1, id);
    db_bind_int(q->add_link, 2, i);
    db_bind_text(q->add_link, 3, links.urls[i]);
    if (db_step(q->add_link) < 0) rc = -1;
  }
  if (rc) snprintf(err, errlen, "recording tracked links: %s", db_error(q->db));
  free(html);
  track_links_free(&links);
  return rc;
}

int track_queue_after(TrackQueue *q, int64_t run_id, const char *step, DbValue key,
                      const char *address, const char *body, char *err, size_t errlen) {
  if (!q) return 0;
  int s = is_suppressed(q, address);
  if (s < 0) {
    snprintf(err, errlen, "reading camp_suppression: %s", db_error(q->db));
    return -1;
  }
  if (!s && !(q->tracking && body)) return 0;
  db_reset(q->find);
  db_bind_int(q->find, 1, run_id);
  db_bind_text(q->find, 2, step);
  db_bind_key(q->find, 3, key);
  if (db_step(q->find) != 1) {
    db_reset(q->find);
    snprintf(err, errlen, "a queued message of %s is missing: %s", step, db_error(q->db));
    return -1;
  }
  int64_t id = db_column(q->find, 0).i;
  DbValue b = db_column(q->find, 1), st = db_column(q->find, 2);
  /* Only a row this call inserted (still queued, body as rendered) is
   * touched: an INSERT OR IGNORE that kept an older row changes nothing. */
  int fresh = st.kind == DBV_TEXT && !strcmp(st.s, "queued") && b.kind == DBV_TEXT && body &&
              !strcmp(b.s, body);
  db_reset(q->find);
  if (s) {
    db_reset(q->mark);
    db_bind_int(q->mark, 1, id);
    if (db_step(q->mark) < 0) {
      snprintf(err, errlen, "suppressing a message: %s", db_error(q->db));
      return -1;
    }
    q->nsuppressed++;
    return 0;
  }
  return fresh ? rewrite(q, id, body, err, errlen) : 0;
}
