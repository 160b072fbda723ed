/* track_server.h — the HTTP server of `camp track` (libmicrohttpd).
 *
 *   GET  /o/TOKEN   open pixel: a 1x1 GIF; records 'opened'
 *   GET  /c/TOKEN   click: 302 to the link's original URL (camp_links);
 *                   records 'clicked' with the link's index
 *   GET  /u/TOKEN   unsubscribe confirmation page (records nothing: mail
 *                   scanners follow links)
 *   POST /u/TOKEN   one-click unsubscribe (RFC 8058: the body holds
 *                   List-Unsubscribe=One-Click): records 'unsubscribed'
 *                   once and the address's opt-out (camp_suppression)
 *   HEAD            like GET, records nothing
 * A token that is malformed or whose HMAC does not verify -> 403; one for a
 * message (or link) the database does not hold -> 404; nothing recorded.
 *
 * Every recording request waits until its event is committed: one writer
 * thread owns the database connection and commits the waiting events in
 * batches (one transaction per batch), so an answered hit is on disk and
 * a stopped server loses nothing.  Requests are bounded: URL and headers by
 * the connection memory limit, POST bodies to 1 KiB, 10 s idle timeout. */
#ifndef CAMP_TRACK_SERVER_H
#define CAMP_TRACK_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"
#include "runtime/delivery/track_token.h"

typedef struct TrackServer TrackServer;

typedef struct TrackStats {
  int64_t requests, recorded, rejected, not_found, batches;
} TrackStats;

/* Starts serving on `listen` (HOST:PORT, [IPv6]:PORT; port 0 = any free
 * port).  Takes over db (closed by track_server_stop).  NULL + err. */
TrackServer *track_server_start(Db *db, const TrackKey *key, const char *listen, char *err,
                                size_t errlen);
/* The port actually bound. */
int track_server_port(const TrackServer *s);
/* Stops accepting, finishes the requests in flight, commits every event
 * still waiting, closes the database and frees s; fills stats if given. */
void track_server_stop(TrackServer *s, TrackStats *stats);

#endif
