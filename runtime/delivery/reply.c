/* reply.c — a provider's answers: jansson for HTTP response bodies (see
 * reply.h). */
#include "runtime/delivery/reply.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_http_id(const char *body, size_t len, const char *path, char *out, size_t outlen) {
  out[0] = 0;
  json_t *root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
  json_t *v = root;
  char part[128];
  for (const char *p = path; v && *p;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part), p);
    if (json_is_array(v)) {
      char *end;
      long i = strtol(part, &end, 10);
      v = *end ? NULL : json_array_get(v, (size_t)i);
    } else {
      v = json_object_get(v, part);
    }
    p = dot ? dot + 1 : p + n;
  }
  if (json_is_string(v)) snprintf(out, outlen, "%s", json_string_value(v));
  else if (json_is_integer(v)) snprintf(out, outlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  json_decref(root);
}

ReplyHttp reply_http_classify(long code, int64_t retry_after) {
  ReplyHttp r = {.outcome = OUT_FAILED};
  if (code >= 200 && code < 300) {
    r.outcome = OUT_SENT;
  } else if (code == 429 || code == 408 || code >= 500) {
    r.outcome = OUT_DEFERRED;
    r.retry_after = retry_after > 0 ? (int)(retry_after > 86400 ? 86400 : retry_after) : 0;
    /* the provider asked everybody to slow down, not only this message */
    if (code == 429) {
      r.pause = r.retry_after ? r.retry_after : 1;
      r.stop = r.retry_after > SENDER_MAX_WAIT;
    }
  }
  return r;
}

void reply_smtp_note(SmtpReply *r, const char *data, size_t size) {
  /* an answer line holds no NUL: one ends the chunk (the kept text is a C string) */
  const char *nul = memchr(data, 0, size);
  if (nul) size = (size_t)(nul - data);
  if (size == 0) return;
  size_t n = size;
  while (n && (data[n - 1] == '\n' || data[n - 1] == '\r')) n--;
  const char *line = data;
  for (size_t i = 0; i + 1 < n; i++)
    if (data[i] == '\n') line = data + i + 1; /* a multi-line answer: the last line */
  n -= (size_t)(line - data);
  if (n >= sizeof r->last) n = sizeof r->last - 1;
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--; /* a cut can end at a CR */
  memcpy(r->last, line, n);
  r->last[n] = 0;
  if (n && (line[0] == '4' || line[0] == '5')) memcpy(r->error, r->last, n + 1);
  if (n >= 3 && !strncmp(line, "250", 3)) memcpy(r->ok, r->last, n + 1);
}
