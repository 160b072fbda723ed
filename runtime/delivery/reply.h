/* reply.h — what camp reads from a provider's answers, apart from the
 * transfer itself (libcurl): the message id in an HTTP API's response
 * body, what an HTTP status means for the message, and the SMTP server's
 * answer lines.  Pure functions, used by sender_http.c / sender_smtp.c
 * and fuzzed by tests/fuzz/fuzz_reply.c. */
#ifndef CAMP_DELIVERY_REPLY_H
#define CAMP_DELIVERY_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/delivery/sender.h"

/* The value at a dotted path ("data.id", "messages.0.id": a number picks
 * an array element) of the JSON document body[0..len) as text into out
 * (always NUL-terminated; cut to outlen - 1 bytes): a string as is, an
 * integer in decimal; "" when the body is no JSON, the path leads nowhere
 * or ends at another kind of value. */
void reply_http_id(const char *body, size_t len, const char *path, char *out, size_t outlen);

/* What an HTTP status means for the message. */
typedef struct ReplyHttp {
  Outcome outcome;   /* 2xx sent; 408, 429, 5xx deferred; anything else failed */
  int retry_after;   /* deferred: the server's Retry-After in seconds, 0..86400 (0 = none) */
  int pause;         /* 429: seconds every message of the provider waits (>= 1), else 0 */
  int stop;          /* 429 asking for more than SENDER_MAX_WAIT: give the rest back */
} ReplyHttp;

/* code: the response status; retry_after: libcurl's CURLINFO_RETRY_AFTER
 * (seconds, <= 0 = none; any value is accepted). */
ReplyHttp reply_http_classify(long code, int64_t retry_after);

/* The SMTP server's answers as libcurl hands them over (CURLINFO_HEADER_IN
 * chunks). */
typedef struct SmtpReply {
  char last[400];    /* the last answer line (no CR/LF), cut to 399 bytes */
  char error[400];   /* the last 4xx/5xx line (curl says QUIT after one) */
  char ok[400];      /* the last 250 line: the one to the message's data */
} SmtpReply;

/* Notes one chunk data[0..size) (any bytes; a NUL ends it): its last line
 * becomes `last`, and `error` or `ok` when it starts with 4/5 or 250. */
void reply_smtp_note(SmtpReply *r, const char *data, size_t size);

#endif
