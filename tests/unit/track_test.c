/* track_test.c — unit tests of tracking tokens (every single-bit change of
 * a token is rejected), what the tracking server makes of a request
 * (track_request.c), provider answers (reply.c), link rewriting and HTML
 * to text.  Expected values
 * are written out by hand.  Last line: `track_test: N passed, N failed`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/reply.h"
#include "runtime/delivery/track_links.h"
#include "runtime/delivery/track_request.h"
#include "runtime/delivery/track_token.h"

static int passed, failed;

#define CHECK(cond, ...)                     \
  do {                                       \
    if (cond) passed++;                      \
    else {                                   \
      failed++;                              \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                   \
      putchar('\n');                         \
    }                                        \
  } while (0)

static void tokens(void) {
  TrackKey k, other;
  CHECK(track_key_set(&k, "0123456789abcdef0123456789abcdef", 32) == 0, "key");
  CHECK(track_key_set(&other, "0123456789abcdef0123456789abcdeF", 32) == 0, "other key");
  CHECK(track_key_set(&other, "short", 5) != 0, "a short key is refused");
  char tok[TRACK_TOKEN_MAX];
  track_token_make(&k, TRACK_CLICK, 123456789012LL, 7, tok);
  CHECK(strlen(tok) == 40, "token length 40, got %zu", strlen(tok));
  TrackKind kind;
  int64_t id;
  int32_t link;
  CHECK(track_token_check(&k, tok, 40, &kind, &id, &link) == 0 && kind == TRACK_CLICK &&
            id == 123456789012LL && link == 7,
        "round trip");
  CHECK(track_token_check(&other, tok, 40, &kind, &id, &link) != 0, "another key is rejected");
  /* Every bit of every character, flipped within the base64url alphabet. */
  static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted = 0, tried = 0;
  for (int i = 0; i < 40; i++) {
    for (int a = 0; a < 64; a++) {
      if (alpha[a] == tok[i]) continue;
      char t[41];
      memcpy(t, tok, 41);
      t[i] = alpha[a];
      tried++;
      /* The last character carries only 2 significant bits out of 6; a
       * change in the 4 padding bits decodes to the same bytes and is
       * refused by libsodium's strict decoder, which counts as rejected. */
      if (track_token_check(&k, t, 40, &kind, &id, &link) == 0) accepted++;
    }
  }
  CHECK(accepted == 0, "%d of %d altered tokens accepted", accepted, tried);
  /* Every byte outside the alphabet at every place, in tok and in a token
   * full of `_` (libsodium's decoder reads every byte >= 0x80 as `_`:
   * tests/fuzz/regress/track). */
  char under[TRACK_TOKEN_MAX];
  track_token_make(&k, TRACK_UNSUB, INT64_MAX, -1, under);
  CHECK(strchr(under, '_') != NULL, "a token with `_`: %s", under);
  int outside = 0;
  for (int which = 0; which < 2; which++)
    for (int pos = 0; pos < 40; pos++)
      for (int b = 0; b < 256; b++) {
        if (b && strchr(alpha, b)) continue;
        char t2[TRACK_TOKEN_MAX];
        memcpy(t2, which ? under : tok, 41);
        t2[pos] = (char)b;
        outside += track_token_check(&k, t2, 40, &kind, &id, &link) == 0;
      }
  CHECK(outside == 0, "%d tokens with a byte outside base64url accepted", outside);
  CHECK(track_token_check(&k, tok, 39, &kind, &id, &link) != 0, "truncated");
  CHECK(track_token_check(&k, "", 0, &kind, &id, &link) != 0, "empty");
  char url[600];
  track_url("https://t.example.com/x/", &k, TRACK_OPEN, 5, 0, url, sizeof url);
  CHECK(!strncmp(url, "https://t.example.com/x/o/", 26) && strlen(url) == 66, "url %s", url);
  char err[200];
  CHECK(track_base_check("https://t.example.com", err, sizeof err) == 0, "good base");
  CHECK(track_base_check("javascript:alert(1)", err, sizeof err) != 0, "bad scheme");
  CHECK(track_base_check("https://t.example.com/\"><script>", err, sizeof err) != 0, "quotes");
  CHECK(track_base_check("https://t.example.com/?a=b", err, sizeof err) != 0, "query");
  CHECK(track_base_check("http://", err, sizeof err) != 0, "no host (tests/fuzz/regress/track)");
  CHECK(track_base_check("https:///t", err, sizeof err) != 0, "an empty host");
  CHECK(track_base_check("http://h", err, sizeof err) == 0, "a one-letter host");
}

static int count(const char *s, const char *needle) {
  int n = 0;
  for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

static void rewrite(void) {
  TrackKey k;
  track_key_set(&k, "0123456789abcdef0123456789abcdef", 32);
  const char *html =
      "<html><body><a href=\"https://a.example/?x=1&amp;y=2\">A</a>"
      "<A HREF=https://b.example/>B</A><a href='mailto:m@x'>m</a>"
      "<script>var s = '<a href=\"https://no.example/\">';</script>"
      "<area href=\"http://c.example/\"><a href=\"camp:unsubscribe\">u</a></body></html>";
  TrackLinks l;
  char *out = track_rewrite_html(html, "https://t.example", &k, 42, &l);
  CHECK(l.n == 3, "3 links, got %d", l.n);
  if (l.n == 3) {
    CHECK(!strcmp(l.urls[0], "https://a.example/?x=1&y=2"), "link 0 decoded: %s", l.urls[0]);
    CHECK(!strcmp(l.urls[1], "https://b.example/"), "link 1 unquoted: %s", l.urls[1]);
    CHECK(!strcmp(l.urls[2], "http://c.example/"), "link 2 area: %s", l.urls[2]);
  }
  CHECK(count(out, "https://t.example/c/") == 3, "3 click URLs in %s", out);
  CHECK(count(out, "https://t.example/u/") == 1, "1 unsubscribe URL");
  CHECK(count(out, "https://t.example/o/") == 1, "1 pixel");
  CHECK(strstr(out, "<a href='mailto:m@x'>m</a>") != NULL, "mailto kept");
  CHECK(strstr(out, "'<a href=\"https://no.example/\">'") != NULL, "script text kept");
  CHECK(strstr(out, "\"></body></html>") != NULL, "pixel before </body>");
  /* The click token of link 1 names (42, 1). */
  const char *c = strstr(out, "/c/");
  c = c ? strstr(c + 1, "/c/") : NULL;
  TrackKind kind;
  int64_t id;
  int32_t link;
  CHECK(c && track_token_check(&k, c + 3, 40, &kind, &id, &link) == 0 && id == 42 && link == 1,
        "second token names link 1");
  free(out);
  track_links_free(&l);
  out = track_rewrite_html("plain text, no body", "https://t.example", &k, 1, &l);
  CHECK(l.n == 0 && !strncmp(out, "plain text, no body<img src=\"https://t.example/o/", 49),
        "a fragment gets the pixel at its end: %s", out);
  free(out);
  track_links_free(&l);
}

static void requests(void) {
  TrackKey k, other;
  track_key_set(&k, "0123456789abcdef0123456789abcdef", 32);
  track_key_set(&other, "0123456789abcdef0123456789abcdeF", 32);
  char c[TRACK_TOKEN_MAX], u[TRACK_TOKEN_MAX], url[128];
  track_token_make(&k, TRACK_CLICK, 42, 1, c);
  track_token_make(&k, TRACK_UNSUB, 7, 0, u);
  TrackRequest q;
  static const char oc[] = "List-Unsubscribe=One-Click";
  snprintf(url, sizeof url, "/t/c/%s", c);
  CHECK(track_request_parse(&k, "GET", url, NULL, 0, 0, &q) == TRACK_REQ_HIT && q.kind == TRACK_CLICK &&
            q.event == TE_CLICK && q.outbox_id == 42 && q.link == 1,
        "GET click");
  CHECK(track_request_parse(&k, "HEAD", url, NULL, 0, 0, &q) == TRACK_REQ_HIT && q.event == TE_PEEK_CLICK,
        "HEAD click: a peek");
  CHECK(track_request_parse(&k, "POST", url, oc, 26, 0, &q) == TRACK_REQ_BAD_METHOD, "POST click");
  CHECK(track_request_parse(&k, "PUT", url, NULL, 0, 0, &q) == TRACK_REQ_BAD_METHOD, "PUT");
  CHECK(track_request_parse(&other, "GET", url, NULL, 0, 0, &q) == TRACK_REQ_INVALID, "another key");
  CHECK(track_request_parse(&k, "GET", url + 2, NULL, 0, 0, &q) == TRACK_REQ_HIT, "no prefix");
  CHECK(track_request_parse(&k, "GET", url + 3, NULL, 0, 0, &q) == TRACK_REQ_INVALID, "c/TOKEN");
  snprintf(url, sizeof url, "/t/u/%s", c);
  CHECK(track_request_parse(&k, "GET", url, NULL, 0, 0, &q) == TRACK_REQ_INVALID, "click token as u");
  snprintf(url, sizeof url, "/t/c/%s?x=1", c);
  CHECK(track_request_parse(&k, "GET", url, NULL, 0, 0, &q) == TRACK_REQ_INVALID,
        "a query is the server's to strip (libmicrohttpd does)");
  snprintf(url, sizeof url, "/u/%s", u);
  CHECK(track_request_parse(&k, "GET", url, NULL, 0, 0, &q) == TRACK_REQ_HIT && q.event == TE_UNSUB_ASK &&
            q.outbox_id == 7,
        "GET unsubscribe: the page");
  CHECK(track_request_parse(&k, "POST", url, "a=b&List-Unsubscribe=One-Click", 30, 0, &q) == TRACK_REQ_HIT &&
            q.event == TE_UNSUB,
        "POST one-click");
  CHECK(track_request_parse(&k, "POST", url, "x\0List-Unsubscribe=One-Click", 28, 0, &q) == TRACK_REQ_HIT,
        "one-click after a NUL byte");
  CHECK(track_request_parse(&k, "POST", url, oc, 25, 0, &q) == TRACK_REQ_NO_ONE_CLICK, "cut body");
  CHECK(track_request_parse(&k, "POST", url, NULL, 0, 0, &q) == TRACK_REQ_NO_ONE_CLICK, "no body");
  CHECK(track_request_parse(&k, "POST", url, oc, 26, 1, &q) == TRACK_REQ_TOO_LARGE, "too large");
  CHECK(track_request_parse(&k, "GET", "", NULL, 0, 0, &q) == TRACK_REQ_INVALID, "empty URL");
}

static void replies(void) {
  char out[128];
  static const char body[] = "{\"data\":{\"id\":42},\"messages\":[{\"id\":\"m-1\"},{\"id\":\"m-2\"}]}";
  reply_http_id(body, sizeof body - 1, "data.id", out, sizeof out);
  CHECK(!strcmp(out, "42"), "data.id: [%s]", out);
  reply_http_id(body, sizeof body - 1, "messages.1.id", out, sizeof out);
  CHECK(!strcmp(out, "m-2"), "messages.1.id: [%s]", out);
  reply_http_id(body, sizeof body - 1, "data", out, sizeof out);
  CHECK(!strcmp(out, ""), "an object is no id: [%s]", out);
  reply_http_id(body, sizeof body - 1, "messages.x.id", out, sizeof out);
  CHECK(!strcmp(out, ""), "no index: [%s]", out);
  reply_http_id("{\"id\":\"prov-17\"}", 16, "id", out, 4);
  CHECK(!strcmp(out, "pro"), "cut to the buffer: [%s]", out);
  reply_http_id("{\"id\":\"x\"}garbage", 10, "id", out, sizeof out);
  CHECK(!strcmp(out, "x"), "only len bytes are read: [%s]", out);
  reply_http_id("<html>", 6, "id", out, sizeof out);
  CHECK(!strcmp(out, ""), "not JSON: [%s]", out);
  ReplyHttp r = reply_http_classify(200, 5);
  CHECK(r.outcome == OUT_SENT && !r.retry_after && !r.pause && !r.stop, "200");
  r = reply_http_classify(429, 2);
  CHECK(r.outcome == OUT_DEFERRED && r.retry_after == 2 && r.pause == 2 && !r.stop, "429, 2 s");
  r = reply_http_classify(429, 0);
  CHECK(r.outcome == OUT_DEFERRED && r.retry_after == 0 && r.pause == 1 && !r.stop, "429, none");
  r = reply_http_classify(429, 3600);
  CHECK(r.retry_after == 3600 && r.pause == 3600 && r.stop, "429, an hour: stop");
  r = reply_http_classify(503, 9999999999LL);
  CHECK(r.outcome == OUT_DEFERRED && r.retry_after == 86400 && !r.pause && !r.stop, "503, clamped");
  r = reply_http_classify(408, -5);
  CHECK(r.outcome == OUT_DEFERRED && r.retry_after == 0, "408");
  r = reply_http_classify(404, 60);
  CHECK(r.outcome == OUT_FAILED && r.retry_after == 0, "404");
  SmtpReply s;
  memset(&s, 0, sizeof s);
  const char *a = "250-sink\r\n250 2.0.0 Ok: queued as 7\r\n";
  reply_smtp_note(&s, a, strlen(a));
  CHECK(!strcmp(s.last, "250 2.0.0 Ok: queued as 7") && !strcmp(s.ok, s.last) && !s.error[0],
        "multi-line 250: [%s]", s.last);
  reply_smtp_note(&s, "550 5.1.1 gone\r\n", 16);
  CHECK(!strcmp(s.error, "550 5.1.1 gone") && !strcmp(s.ok, "250 2.0.0 Ok: queued as 7"), "550");
  char longline[600];
  memset(longline, 'x', sizeof longline);
  memcpy(longline, "451 ", 4);
  longline[398] = '\r'; /* the cut to 399 bytes ends at a CR: not kept */
  reply_smtp_note(&s, longline, sizeof longline);
  CHECK(strlen(s.last) == 398 && !strcmp(s.error, s.last), "a long line cut at a CR: %zu", strlen(s.last));
  reply_smtp_note(&s, "250 a\r\0\0junk\r\n", 15);
  CHECK(!strcmp(s.ok, "250 a"), "a NUL ends the answer: [%s]", s.ok);
  char *two = malloc(2); /* exactly "25": nothing may be read past it */
  memcpy(two, "25", 2);
  reply_smtp_note(&s, two, 2);
  CHECK(!strcmp(s.last, "25") && !strcmp(s.ok, "250 a"), "a short line");
  free(two);
}

static void text(void) {
  struct {
    const char *html, *want;
  } cases[] = {
      {"<p>spent &euro;1,573.10 &amp; more</p>", "spent €1,573.10 & more\n"},
      {"<html><head><title>T</title><style>p{}</style></head><body><h1>Hi</h1><p>a\n  b</p>"
       "<ul><li>one</li><li>two</li></ul>x<br>y</body></html>",
       "Hi\n\na b\n\n- one\n- two\nx\ny\n"},
      {"<p><a href=\"https://x.example/\">Shop</a> <a href=\"https://y.example/\">https://y.example/</a></p>",
       "Shop (https://x.example/) https://y.example/\n"},
      {"<p>&lt;b&gt; &quot;q&quot; &#8364; &#x20AC; caf&eacute;</p>", "<b> \"q\" € € café\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = html_to_text(cases[i].html);
    CHECK(!strcmp(got, cases[i].want), "html_to_text case %zu: got [%s]", i, got);
    free(got);
  }
}

int main(void) {
  tokens();
  requests();
  replies();
  rewrite();
  text();
  printf("track_test: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
