/* fuzz_track.c — fuzz target: requests to the tracking server `camp track`
 * (runtime/delivery/track_request.c, the decision track_server.c takes for
 * every request, and track_token.c).  An input is a raw request:
 *   METHOD SP TARGET LF [header lines LF] LF BODY
 * TARGET is cut at `?` and percent-decoded by libmicrohttpd's own
 * MHD_http_unescape, as the server receives it; the body is cut to the
 * server's limit.  The key is the fixed one tests/track uses.
 * Invariants: a hit has a token that verifies, of the URL's kind, with a
 * method that kind allows (POST only for unsubscribe, with
 * List-Unsubscribe=One-Click); a token that verifies re-encodes to the
 * same bytes (no second spelling) and does not verify under another key
 * (nothing forged); the same for the whole input taken as a token; a base
 * URL that track_base_check accepts (the first line) makes links the server
 * takes back to the same message, link and kind.
 * Seeds: valid and damaged requests for every kind, method and prefix
 * (made with the key), and tests/fuzz/regress/track/.  See fuzz.h. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "runtime/delivery/track_request.h"
#include "tests/fuzz/fuzz.h"

static TrackKey key, other;
static const char test_key[] = "track-tests-key-0123456789abcdef0123456789";
static const char other_key[] = "another-key-that-signs-nothing-here-0123456789";

void fuzz_track_init(void) {
  if (track_key_set(&key, test_key, sizeof test_key - 1) ||
      track_key_set(&other, other_key, sizeof other_key - 1))
    abort();
}

/* A token that verifies must be the one track_token_make writes, and no
 * other key may take it. */
static void check_token(const char *tok, size_t len) {
  TrackKind kind;
  int64_t id;
  int32_t link;
  if (track_token_check(&key, tok, len, &kind, &id, &link) == 0) {
    char again[TRACK_TOKEN_MAX];
    track_token_make(&key, kind, id, link, again);
    if (strlen(again) != len || memcmp(again, tok, len)) abort(); /* a second spelling */
    if (kind != TRACK_OPEN && kind != TRACK_CLICK && kind != TRACK_UNSUB) abort();
  }
  if (track_token_check(&other, tok, len, &kind, &id, &link) == 0) {
    /* only tokens made with `other` verify under it: then not under key */
    if (track_token_check(&key, tok, len, &kind, &id, &link) == 0) abort();
  }
}

static const char *memmem_(const char *h, size_t hn, const char *n) {
  size_t k = strlen(n);
  for (size_t i = 0; i + k <= hn; i++)
    if (!memcmp(h + i, n, k)) return h + i;
  return NULL;
}

/* The server's answer must follow from the request. */
static void check_request(const char *method, const char *url, const char *body, size_t blen,
                          int too_big) {
  TrackRequest q;
  TrackReqStatus st = track_request_parse(&key, method, url, body, blen, too_big, &q);
  if (st != q.status) abort();
  const char *slash = strrchr(url, '/');
  if (slash) check_token(slash + 1, strlen(slash + 1));
  int get = !strcmp(method, "GET"), head = !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  if (!get && !head && !post && st != TRACK_REQ_BAD_METHOD) abort();
  if (st != TRACK_REQ_HIT) return;
  /* a hit: /K/TOKEN with K the token's kind, and the token verifies */
  if (!slash || slash - url < 2 || slash[-2] != '/' || slash[-1] != (char)q.kind) abort();
  TrackKind kind;
  int64_t id;
  int32_t link;
  if (track_token_check(&key, slash + 1, strlen(slash + 1), &kind, &id, &link) || kind != q.kind ||
      id != q.outbox_id || link != q.link)
    abort();
  if (post && (q.kind != TRACK_UNSUB || too_big || !body ||
               !memmem_(body, blen, "List-Unsubscribe=One-Click")))
    abort();
  TrackEventKind want = q.kind == TRACK_OPEN    ? (head ? TE_PEEK_OPEN : TE_OPEN)
                        : q.kind == TRACK_CLICK ? (head ? TE_PEEK_CLICK : TE_CLICK)
                                                : (post ? TE_UNSUB : TE_UNSUB_ASK);
  if (q.event != want) abort();
}

/* A link made on an accepted base URL comes back as the same hit. */
static void check_roundtrip(const char *base, uint64_t h) {
  char err[256];
  if (track_base_check(base, err, sizeof err) != 0) {
    if (!err[0]) abort();
    return;
  }
  static const TrackKind kinds[] = {TRACK_OPEN, TRACK_CLICK, TRACK_UNSUB};
  TrackKind kind = kinds[h % 3];
  int64_t id = (int64_t)(h >> 2);
  int32_t link = (int32_t)(h >> 17);
  char url[TRACK_BASE_MAX + 64];
  track_url(base, &key, kind, id, link, url, sizeof url);
  const char *path = strstr(url, "://");
  if (!path) abort();
  path = strchr(path + 3, '/');
  if (!path) abort();
  TrackRequest q;
  if (track_request_parse(&key, "GET", path, NULL, 0, 0, &q) != TRACK_REQ_HIT || q.kind != kind ||
      q.outbox_id != id || q.link != link)
    abort();
  /* so does its one-click POST, for unsubscribe links */
  if (kind == TRACK_UNSUB &&
      track_request_parse(&key, "POST", path, "List-Unsubscribe=One-Click", 26, 0, &q) != TRACK_REQ_HIT)
    abort();
}

int fuzz_track_one(const uint8_t *d, size_t n) {
  check_token((const char *)d, n);
  /* request line */
  size_t eol = 0;
  while (eol < n && d[eol] != '\n') eol++;
  char *line = malloc(eol + 1);
  if (!line) abort();
  memcpy(line, d, eol);
  line[eol] = 0;
  if (eol && line[eol - 1] == '\r') line[eol - 1] = 0;
  check_roundtrip(line, XXH3_64bits(d, n));
  char *sp = strchr(line, ' ');
  const char *method = line, *target = "";
  if (sp) {
    *sp = 0;
    target = sp + 1;
    char *sp2 = strchr(sp + 1, ' '); /* " HTTP/1.1" */
    if (sp2) *sp2 = 0;
  }
  char *url = strdup(target);
  if (!url) abort();
  char *qm = strchr(url, '?'); /* the query: libmicrohttpd keeps it apart */
  if (qm) *qm = 0;
  MHD_http_unescape(url);
  /* body: after the first empty line */
  const char *body = NULL;
  size_t blen = 0;
  for (size_t i = eol; i < n; i++) {
    if (d[i] == '\n' && i + 1 < n && (d[i + 1] == '\n' || (d[i + 1] == '\r' && i + 2 < n && d[i + 2] == '\n'))) {
      size_t start = i + (d[i + 1] == '\n' ? 2 : 3);
      body = (const char *)d + start;
      blen = n - start;
      break;
    }
  }
  int too_big = blen > TRACK_BODY_MAX;
  char *copy = malloc(TRACK_BODY_MAX + 1); /* exactly the server's buffer */
  if (!copy) abort();
  size_t keep = too_big ? 0 : blen;
  if (keep) memcpy(copy, body, keep);
  copy[keep] = 0;
  check_request(method, url, body ? copy : NULL, keep, too_big);
  free(copy);
  free(url);
  free(line);
  return 0;
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_track_seeds(FuzzEmit emit, void *ctx) {
  static const char *const methods[] = {"GET", "HEAD", "POST", "PUT"};
  static const char *const prefixes[] = {"", "/t", "/a/b%2Fc"};
  static const TrackKind kinds[] = {TRACK_OPEN, TRACK_CLICK, TRACK_UNSUB};
  char buf[2048], tok[TRACK_TOKEN_MAX];
  for (int k = 0; k < 3; k++)
    for (int m = 0; m < 4; m++)
      for (int p = 0; p < 3; p++) {
        track_token_make(&key, kinds[k], 1 + p + 3 * m, k == 1 ? p : 0, tok);
        snprintf(buf, sizeof buf, "%s %s/%c/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n%s", methods[m],
                 prefixes[p], (char)kinds[k], tok, m == 2 ? "List-Unsubscribe=One-Click" : "");
        emit_str(emit, ctx, buf);
      }
  track_token_make(&key, TRACK_CLICK, 4, 2, tok);
  snprintf(buf, sizeof buf, "GET /u/%s\n", tok); /* a click token used as unsubscribe */
  emit_str(emit, ctx, buf);
  snprintf(buf, sizeof buf, "GET /c/%.39s\n", tok); /* truncated */
  emit_str(emit, ctx, buf);
  snprintf(buf, sizeof buf, "GET /c/%sA?utm=x\n", tok); /* extended, with a query */
  emit_str(emit, ctx, buf);
  track_token_make(&key, TRACK_UNSUB, 9223372036854775807LL, -1, tok);
  snprintf(buf, sizeof buf, "POST /u/%s\n\nList-Unsubscribe=Nope", tok);
  emit_str(emit, ctx, buf);
  snprintf(buf, sizeof buf, "POST /u/%s\nContent-Type: multipart/form-data\n\n--x\r\n"
                            "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                            "One-Click\r\n--x--\r\nList-Unsubscribe=One-Click", tok);
  emit_str(emit, ctx, buf);
  emit_str(emit, ctx, "https://track.example.com/t/ GET /c/..%2f..%2fetc%2fpasswd\n");
  emit_str(emit, ctx, "http://127.0.0.1:9/t");
}

FUZZ_LIBFUZZER_MAIN(track)
