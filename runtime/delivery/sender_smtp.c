/* sender_smtp.c — e-mail through an SMTP server with libcurl: one thread
 * per connection (the provider's max_connections), each with its own easy
 * handle so its connection is reused message after message; after
 * messages_per_connection messages the connection is closed and a new one
 * opened.  Messages are built with GMime (mime.c).  The server's last
 * answer is kept as the message's detail (e.g. "250 2.0.0 Ok: queued"). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/delivery/mime.h"
#include "runtime/delivery/reply.h"
#include "runtime/delivery/sender.h"

typedef struct Upload {
  const char *data;
  size_t len, off;
} Upload;

static size_t read_cb(char *buf, size_t size, size_t n, void *ud) {
  Upload *u = ud;
  size_t room = size * n, left = u->len - u->off;
  if (room > left) room = left;
  memcpy(buf, u->data + u->off, room);
  u->off += room;
  return room;
}

typedef struct Conn {
  Sender *s;
  CURL *c;
  int used;          /* messages sent on the current connection */
  SmtpReply reply;   /* the server's last answer lines (reply.h) */
} Conn;

/* Keeps the server's last answer line (CURLINFO_HEADER_IN is what the
 * server said; everything else is ignored). */
static int debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *ud) {
  (void)c;
  Conn *k = ud;
  if (type == CURLINFO_HEADER_IN) reply_smtp_note(&k->reply, data, size);
  return 0;
}

/* The bare address of "Name <addr>" for MAIL FROM. */
static void bare_address(const char *from, char *out, size_t outlen) {
  const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
  if (lt && gt) snprintf(out, outlen, "<%.*s>", (int)(gt - lt - 1), lt + 1);
  else snprintf(out, outlen, "<%s>", from);
}

static Result *send_one(Conn *k, Job *j) {
  Provider *pv = k->s->pv;
  char domain[256], err[256];
  const char *key = j->key;
  mime_domain(pv->from, domain, sizeof domain);
  snprintf(j->message_id, sizeof j->message_id, "<%.60s@%.90s>", key, domain);
  char mid[200];
  snprintf(mid, sizeof mid, "%.60s@%.130s", key, domain);
  char *unsub = pv->list_unsubscribe ? sender_render(pv->list_unsubscribe, j, 1) : NULL;
  MimeInput in = {.from = pv->from, .to = j->address, .subject = j->subject, .html = j->body,
                  .message_id = mid, .date = (time_t)j->date, .list_unsubscribe = unsub};
  size_t len = 0;
  char *msg = mime_build(&in, &len, err, sizeof err);
  free(unsub);
  if (!msg) return result_new(j, OUT_FAILED, "message not built: %s", err);
  if (k->s->dry_run) {
    free(msg);
    return result_new(j, OUT_SENT, "dry run: %zu bytes", len);
  }
  ratelimit_take(&k->s->rl);
  char rcpt[600], from[600];
  if (strpbrk(j->address, "<>\r\n")) {
    free(msg);
    return result_new(j, OUT_FAILED, "invalid recipient address");
  }
  snprintf(rcpt, sizeof rcpt, "<%s>", j->address);
  bare_address(pv->return_path ? pv->return_path : pv->from, from, sizeof from);
  struct curl_slist *to = curl_slist_append(NULL, rcpt);
  Upload up = {msg, len, 0};
  CURL *c = k->c;
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
  /* the last message of a connection closes it */
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, k->used + 1 >= pv->per_connection ? 1L : 0L);
  k->reply.last[0] = k->reply.error[0] = k->reply.ok[0] = 0;
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
  curl_slist_free_all(to);
  free(msg);
  k->used = rc == CURLE_OK && k->used + 1 < pv->per_connection ? k->used + 1 : 0;
  if (rc == CURLE_OK) return result_new(j, OUT_SENT, "%s", k->reply.ok[0] ? k->reply.ok : "250 OK");
  const char *why = k->reply.error[0] ? k->reply.error : ebuf[0] ? ebuf : curl_easy_strerror(rc);
  if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_COULDNT_CONNECT ||
      rc == CURLE_COULDNT_RESOLVE_HOST) {
    Result *r = result_new(j, OUT_DEFERRED, "%s", why);
    r->unavailable = 1;
    return r;
  }
  if (code >= 500 && code < 600) return result_new(j, OUT_BOUNCED, "%s", why);
  return result_new(j, OUT_DEFERRED, "%s", why); /* 4xx, timeouts, dropped connections */
}

static void *smtp_thread(void *arg) {
  Conn *k = arg;
  Sender *s = k->s;
  Job *j;
  while ((j = jobq_pop(&s->jobs, 1))) {
    Result *r = s->stop ? sender_not_attempted(s, j) : send_one(k, j);
    sender_note(s, r);
    resq_push(s->results, r);
  }
  curl_easy_cleanup(k->c);
  free(k);
  return NULL;
}

int smtp_start(Sender *s, char *err, size_t errlen) {
  Provider *pv = s->pv;
  int n = pv->max_connections;
  if (n > 64) n = 64;
  for (int i = 0; i < n; i++) {
    Conn *k = calloc(1, sizeof *k);
    if (!k) abort();
    k->s = s;
    k->c = curl_easy_init();
    if (!k->c) {
      free(k);
      snprintf(err, errlen, "cannot start libcurl");
      return -1;
    }
    CURL *c = k->c;
    curl_easy_setopt(c, CURLOPT_URL, pv->url);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)pv->timeout);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* for debug_cb: the server's answers */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, k);
    if (strncmp(pv->url, "smtps://", 8))
      curl_easy_setopt(c, CURLOPT_USE_SSL, pv->starttls == TLS_NONE ? (long)CURLUSESSL_NONE
                                           : pv->starttls == TLS_REQUIRED ? (long)CURLUSESSL_ALL
                                                                          : (long)CURLUSESSL_TRY);
    if (pv->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, pv->ca_file);
    if (pv->user.value) curl_easy_setopt(c, CURLOPT_USERNAME, pv->user.value);
    if (pv->password.value) curl_easy_setopt(c, CURLOPT_PASSWORD, pv->password.value);
    if (pthread_create(&s->threads[s->nthreads], NULL, smtp_thread, k)) {
      curl_easy_cleanup(c);
      free(k);
      snprintf(err, errlen, "cannot start a sender thread");
      return -1;
    }
    s->nthreads++;
  }
  return 0;
}
