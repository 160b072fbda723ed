/* track_request.c — a `camp track` request into a hit or a refusal (see
 * track_request.h). */
#include "runtime/delivery/track_request.h"

#include <string.h>

static const char one_click[] = "List-Unsubscribe=One-Click";

TrackReqStatus track_request_parse(const TrackKey *k, const char *method, const char *url,
                                   const char *body, size_t body_len, int too_big,
                                   TrackRequest *out) {
  memset(out, 0, sizeof *out);
  int post = !strcmp(method, "POST"), head = !strcmp(method, "HEAD");
  if (!post && !head && strcmp(method, "GET")) return out->status = TRACK_REQ_BAD_METHOD;
  if (post && too_big) return out->status = TRACK_REQ_TOO_LARGE;
  /* .../K/TOKEN: any prefix, so the server may sit behind a proxy that
   * forwards the base URL's path unchanged. */
  const char *tok = strrchr(url, '/');
  size_t tlen = tok ? strlen(tok + 1) : 0;
  char kc = tok && tok - url >= 2 && tok[-2] == '/' ? tok[-1] : 0;
  TrackKind kind;
  int64_t id;
  int32_t link;
  if (!kc || !strchr("ocu", kc) || track_token_check(k, tok + 1, tlen, &kind, &id, &link) != 0 ||
      (char)kind != kc)
    return out->status = TRACK_REQ_INVALID;
  if (post && kind != TRACK_UNSUB) return out->status = TRACK_REQ_BAD_METHOD;
  /* RFC 8058: an application/x-www-form-urlencoded or multipart body that
   * holds List-Unsubscribe=One-Click. */
  if (post && (!body || !memmem(body, body_len, one_click, sizeof one_click - 1)))
    return out->status = TRACK_REQ_NO_ONE_CLICK;
  out->kind = kind;
  out->outbox_id = id;
  out->link = link;
  switch (kind) {
    case TRACK_OPEN: out->event = head ? TE_PEEK_OPEN : TE_OPEN; break;
    case TRACK_CLICK: out->event = head ? TE_PEEK_CLICK : TE_CLICK; break;
    case TRACK_UNSUB: out->event = post ? TE_UNSUB : TE_UNSUB_ASK; break;
  }
  return out->status = TRACK_REQ_HIT;
}
