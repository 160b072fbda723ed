/* fuzz_reply.c — fuzz target: provider answers (runtime/delivery/reply.c):
 * an HTTP API's response (status, Retry-After, the JSON body the message
 * id is read from, at the provider's id_field path) and an SMTP server's
 * answer lines.  An input is a raw HTTP response
 *   HTTP/1.1 CODE ...LF  headers LF  LF  BODY
 * where a header `X-Id-Field: PATH` sets the path (default "id") and
 * `Retry-After: N` stands for what libcurl parsed (CURLINFO_RETRY_AFTER,
 * any 64-bit value).  The same bytes are also the SMTP server's answer:
 * once as one chunk, once line by line (each an exact-size copy, so a read
 * past it is an ASan report).
 * Invariants: the id is NUL-terminated within its buffer for every buffer
 * size, and for a one-part path into a JSON object it is what jansson reads
 * there (cut to the buffer); the HTTP class follows the code (2xx sent;
 * 408, 429, 5xx deferred, Retry-After clamped to 0..86400; 429 pauses
 * the provider, stopping it past SENDER_MAX_WAIT; else failed); the SMTP
 * lines carry no line end and error / ok start with 4|5 / 250.
 * Seeds: the answers of tests/servers (http_provider.py, smtp_sink.py) as
 * tests/delivery provokes them, and tests/fuzz/regress/reply/.  See fuzz.h. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/delivery/reply.h"
#include "tests/fuzz/fuzz.h"

void fuzz_reply_init(void) {}

static void check_id(const char *body, size_t blen, const char *path) {
  static const size_t sizes[] = {1, 2, 9, 128};
  char want[512] = "";
  int known = 0;
  /* one key, no dots, into an object: read it with jansson directly */
  if (*path && !strchr(path, '.') && strlen(path) < 128) {
    json_t *root = json_loadb(body, blen, JSON_DECODE_ANY, NULL);
    if (json_is_object(root)) {
      known = 1;
      json_t *v = json_object_get(root, path);
      if (json_is_string(v)) snprintf(want, sizeof want, "%s", json_string_value(v));
      else if (json_is_integer(v)) snprintf(want, sizeof want, "%lld", (long long)json_integer_value(v));
    }
    json_decref(root);
  }
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char out[128 + 16];
    memset(out, 'X', sizeof out);
    reply_http_id(body, blen, path, out, sizes[i]);
    if (memchr(out, 0, sizes[i]) == NULL) abort();           /* not terminated */
    if (out[sizes[i]] != 'X') abort();                        /* written past */
    if (known && strncmp(out, want, sizes[i] - 1)) abort();   /* not what the body says */
  }
}

static void check_class(long code, int64_t retry) {
  ReplyHttp c = reply_http_classify(code, retry);
  int deferred = code == 408 || code == 429 || code >= 500;
  Outcome want = code >= 200 && code < 300 ? OUT_SENT : deferred ? OUT_DEFERRED : OUT_FAILED;
  if (c.outcome != want) abort();
  if (c.retry_after < 0 || c.retry_after > 86400) abort();
  if (!deferred && (c.retry_after || c.pause || c.stop)) abort();
  if (deferred && c.retry_after != (retry <= 0 ? 0 : retry > 86400 ? 86400 : (int)retry)) abort();
  if ((code == 429) != (c.pause >= 1)) abort();
  if (c.stop != (code == 429 && c.retry_after > SENDER_MAX_WAIT)) abort();
}

static void check_smtp_reply(const SmtpReply *r) {
  for (const char *s = r->last; s; s = s == r->last ? r->error : s == r->error ? r->ok : NULL) {
    size_t n = strnlen(s, 400);
    if (n >= 400) abort();
    if (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) abort();
  }
  if (r->error[0] && r->error[0] != '4' && r->error[0] != '5') abort();
  if (r->ok[0] && strncmp(r->ok, "250", 3)) abort();
}

static void smtp_chunk(SmtpReply *r, const uint8_t *d, size_t n) {
  char *copy = malloc(n ? n : 1);
  if (!copy) abort();
  memset(copy, 0, 1);
  if (n) memcpy(copy, d, n);
  reply_smtp_note(r, copy, n);
  free(copy);
  check_smtp_reply(r);
}

int fuzz_reply_one(const uint8_t *d, size_t n) {
  /* SMTP: the whole input, then line by line as libcurl hands them over */
  SmtpReply r;
  memset(&r, 0, sizeof r);
  smtp_chunk(&r, d, n);
  memset(&r, 0, sizeof r);
  for (size_t i = 0, start = 0; i < n; i++)
    if (d[i] == '\n' || i + 1 == n) {
      smtp_chunk(&r, d + start, i + 1 - start);
      start = i + 1;
    }
  /* HTTP: status line, headers, body */
  char *t = malloc(n + 1);
  if (!t) abort();
  memcpy(t, d, n);
  t[n] = 0;
  long code = 0;
  int64_t retry = 0;
  char path[512] = "id";
  const char *body = NULL;
  size_t blen = 0;
  char *line = t, *end = t + n;
  for (int first = 1; line < end; first = 0) {
    char *nl = memchr(line, '\n', (size_t)(end - line));
    char *stop = nl ? nl : end;
    size_t len = (size_t)(stop - line);
    if (len && line[len - 1] == '\r') len--;
    if (!first && len == 0) {
      body = nl ? nl + 1 : end;
      blen = (size_t)(end - body);
      break;
    }
    char save = line[len];
    line[len] = 0;
    if (first) {
      const char *sp = strchr(line, ' ');
      code = sp ? strtol(sp + 1, NULL, 10) : strtol(line, NULL, 10);
    } else if (!strncasecmp(line, "Retry-After:", 12)) {
      retry = strtoll(line + 12, NULL, 10);
    } else if (!strncasecmp(line, "X-Id-Field:", 11)) {
      const char *v = line + 11;
      while (*v == ' ') v++;
      snprintf(path, sizeof path, "%s", v);
    }
    line[len] = save;
    if (!nl) break;
    line = nl + 1;
  }
  if (!body) body = t, blen = n; /* no head: all body */
  /* the body as the sender holds it: an exact-size copy */
  char *b = malloc(blen ? blen : 1);
  if (!b) abort();
  if (blen) memcpy(b, body, blen);
  check_id(b, blen, path);
  check_class(code, retry);
  check_class(code == LONG_MIN ? 0 : -code, retry == INT64_MIN ? 0 : -retry);
  free(b);
  free(t);
  return 0;
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_reply_seeds(FuzzEmit emit, void *ctx) {
  /* tests/servers/http_provider.py's answers */
  emit_str(emit, ctx, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
                      "{\"id\": \"prov-1\", \"status\": \"queued\"}");
  emit_str(emit, ctx, "HTTP/1.0 201 Created\r\nX-Id-Field: data.id\r\n\r\n{\"data\": {\"id\": 42}}");
  emit_str(emit, ctx, "HTTP/1.0 200 OK\r\nX-Id-Field: messages.0.id\r\n\r\n"
                      "{\"messages\": [{\"id\": \"m-1\"}, {\"id\": \"m-2\"}]}");
  emit_str(emit, ctx, "HTTP/1.0 200 OK\r\nX-Id-Field: 1\r\n\r\n[\"a\", \"b\"]");
  emit_str(emit, ctx, "HTTP/1.0 200 OK\r\n\r\n{\"ok\": true}");
  emit_str(emit, ctx, "HTTP/1.0 429 Too Many Requests\r\nRetry-After: 2\r\n\r\n"
                      "{\"error\": \"rule answered 429\"}");
  emit_str(emit, ctx, "HTTP/1.0 429 Too Many Requests\r\nRetry-After: 3600\r\n\r\n"
                      "{\"error\": \"rule answered 429\"}");
  emit_str(emit, ctx, "HTTP/1.0 500 Internal Server Error\r\n\r\n{\"error\": \"rule answered 500\"}");
  emit_str(emit, ctx, "HTTP/1.0 400 Bad Request\r\nRetry-After: 99999999999999999999\r\n\r\n"
                      "{\"error\": \"rule answered 400\"}");
  emit_str(emit, ctx, "HTTP/1.1 408 Request Timeout\r\nRetry-After: -5\r\n\r\n<html>busy</html>");
  /* tests/servers/smtp_sink.py's answers */
  emit_str(emit, ctx, "220 sink ESMTP\r\n250-sink\r\n250-SIZE 33554432\r\n250 8BITMIME\r\n"
                      "250 OK\r\n250 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                      "250 2.0.0 Ok: queued as 7\r\n221 Bye\r\n");
  emit_str(emit, ctx, "550 5.1.1 <gone@example.com>: Recipient address rejected\r\n");
  emit_str(emit, ctx, "450 4.2.0 busy, try later\r\n421 4.3.0 closing\r\n");
  emit_str(emit, ctx, "250");
}

FUZZ_LIBFUZZER_MAIN(reply)
