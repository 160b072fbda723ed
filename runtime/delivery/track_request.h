/* track_request.h — what one HTTP request to `camp track` asks for: the
 * method, the URL's /K/TOKEN and a POST body turned into a verified hit or
 * a refusal.  Pure (no I/O, no allocation), so the server
 * (track_server.c) and the fuzz target tests/fuzz/fuzz_track.c run the
 * same code. */
#ifndef CAMP_TRACK_REQUEST_H
#define CAMP_TRACK_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/delivery/track_events.h"
#include "runtime/delivery/track_token.h"

enum { TRACK_BODY_MAX = 1024 }; /* POST bodies: `List-Unsubscribe=One-Click` and little else */

typedef enum {
  TRACK_REQ_HIT,          /* a verified token: look up / record `event` (200, 302 or 404) */
  TRACK_REQ_BAD_METHOD,   /* 405: not GET/HEAD/POST, or POST to an open or click token */
  TRACK_REQ_TOO_LARGE,    /* 413: a POST body over TRACK_BODY_MAX */
  TRACK_REQ_INVALID,      /* 403: no /K/TOKEN, a malformed token, or one that does not
                           * verify, or one whose kind is not K */
  TRACK_REQ_NO_ONE_CLICK, /* 400: POST /u/TOKEN without List-Unsubscribe=One-Click */
} TrackReqStatus;

typedef struct TrackRequest {
  TrackReqStatus status;
  /* TRACK_REQ_HIT only: */
  TrackKind kind;
  TrackEventKind event;
  int64_t outbox_id;
  int32_t link;
} TrackRequest;

/* Decides request (method, url, body) under key k into *out and returns
 * out->status.  url is the path as libmicrohttpd passes it (percent-decoded,
 * without the query string, which camp never reads): .../K/TOKEN with any
 * prefix, K one of o, c, u.  body/body_len: a POST's body bytes (may hold
 * NULs; only searched for List-Unsubscribe=One-Click, RFC 8058); too_big:
 * the body was longer than TRACK_BODY_MAX.  GET and HEAD of o/c -> open /
 * click (HEAD: a peek that records nothing), GET /u -> the confirmation page
 * (TE_UNSUB_ASK), POST /u -> TE_UNSUB. */
TrackReqStatus track_request_parse(const TrackKey *k, const char *method, const char *url,
                                   const char *body, size_t body_len, int too_big,
                                   TrackRequest *out);

#endif
