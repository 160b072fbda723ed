/* sender_http.c — SMS and push through an HTTP API with libcurl's multi
 * interface: one thread keeps up to `concurrency` requests in flight over
 * reused keep-alive connections.  The request body is the provider's JSON
 * template with each string's {{placeholders}} filled by jansson (values
 * are JSON-escaped by construction); every request carries an
 * Idempotency-Key (camp-RUN-HEX, the same on every attempt). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/reply.h"
#include "runtime/delivery/sender.h"

typedef struct Req {
  CURL *c;
  Job *j;
  struct curl_slist *headers;
  char *body;
  char *url;
  char resp[4096];
  size_t resp_len;
  char ebuf[CURL_ERROR_SIZE];
} Req;

static size_t write_cb(char *data, size_t size, size_t n, void *ud) {
  Req *r = ud;
  size_t len = size * n, room = sizeof r->resp - 1 - r->resp_len;
  memcpy(r->resp + r->resp_len, data, len < room ? len : room);
  r->resp_len += len < room ? len : room;
  r->resp[r->resp_len] = 0;
  return len;
}

/* A copy of the template with every string rendered for j. */
static json_t *fill(json_t *t, const Job *j, int *bad) {
  if (json_is_string(t)) {
    const char *s = json_string_value(t);
    if (!strstr(s, "{{")) return json_incref(t);
    char *v = sender_render(s, j, 0);
    if (!v) {
      *bad = 1;
      return json_string("");
    }
    json_t *out = json_string(v);
    free(v);
    return out ? out : json_string("");
  }
  if (json_is_array(t)) {
    json_t *a = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(t, i, v) json_array_append_new(a, fill(v, j, bad));
    return a;
  }
  if (json_is_object(t)) {
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(t, k, v) json_object_set_new(o, k, fill(v, j, bad));
    return o;
  }
  return json_incref(t);
}

typedef struct Http {
  Sender *s;
  json_t *tmpl;      /* the parsed body template, or NULL */
  CURLM *m;
  Req *reqs;         /* concurrency slots */
  int *free_slots, nfree;
} Http;

/* Builds and starts the request of j in a free slot; a result instead when
 * the message cannot be built. */
static Result *start(Http *h, Job *j) {
  Provider *pv = h->s->pv;
  const char *key = j->key;
  snprintf(j->message_id, sizeof j->message_id, "%s", key);
  int bad = 0;
  char *body = NULL;
  if (h->tmpl) {
    json_t *b = fill(h->tmpl, j, &bad);
    body = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(b);
  }
  char *url = sender_render(pv->url, j, 1);
  if (bad || !url || (h->tmpl && !body)) {
    free(body);
    free(url);
    return result_new(j, OUT_FAILED, "request not built: malformed template");
  }
  if (h->s->dry_run) {
    Result *r = result_new(j, OUT_SENT, "dry run: %s %s", pv->method, url);
    free(body);
    free(url);
    return r;
  }
  Req *r = &h->reqs[h->free_slots[--h->nfree]];
  r->j = j;
  r->body = body;
  r->url = url;
  r->resp_len = 0;
  r->resp[0] = 0;
  r->ebuf[0] = 0;
  int has_ct = 0;
  for (int i = 0; i < pv->nheaders; i++) {
    char line[4096];
    snprintf(line, sizeof line, "%s: %s", pv->headers[i].name, pv->headers[i].value.value);
    r->headers = curl_slist_append(r->headers, line);
    has_ct |= !strcasecmp(pv->headers[i].name, "Content-Type");
  }
  if (!has_ct && body) r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
  char idem[128];
  snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
  r->headers = curl_slist_append(r->headers, idem);
  r->headers = curl_slist_append(r->headers, "Expect:");
  CURL *c = r->c;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
  if (!strcmp(pv->method, "GET")) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(pv->method, "POST") ? pv->method : NULL);
  }
  curl_multi_add_handle(h->m, c);
  return NULL;
}

static Result *finish(Http *h, Req *r, CURLcode rc) {
  Provider *pv = h->s->pv;
  long code = 0;
  curl_off_t retry = 0;
  curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(r->c, CURLINFO_RETRY_AFTER, &retry);
  Job *j = r->j;
  Result *res;
  char excerpt[300];
  snprintf(excerpt, sizeof excerpt, "%.299s", r->resp);
  if (rc != CURLE_OK) {
    res = result_new(j, OUT_DEFERRED, "%s", r->ebuf[0] ? r->ebuf : curl_easy_strerror(rc));
    res->unavailable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
  } else {
    ReplyHttp cl = reply_http_classify(code, (int64_t)retry);
    if (cl.outcome == OUT_SENT) res = result_new(j, OUT_SENT, "HTTP %ld", code);
    else res = result_new(j, cl.outcome, "HTTP %ld %s", code, excerpt);
    res->retry_after = cl.retry_after;
    if (cl.outcome == OUT_SENT && pv->id_field)
      reply_http_id(r->resp, r->resp_len, pv->id_field, res->provider_id, sizeof res->provider_id);
    if (cl.pause) ratelimit_pause(&h->s->rl, cl.pause);
    if (cl.stop) sender_stop(h->s, SENDER_PAUSED, cl.retry_after);
  }
  curl_slist_free_all(r->headers);
  r->headers = NULL;
  free(r->body);
  free(r->url);
  r->body = r->url = NULL;
  r->j = NULL;
  return res;
}

static void *http_thread(void *arg) {
  Http *h = arg;
  Sender *s = h->s;
  int n = s->pv->concurrency, inflight = 0, closed = 0;
  Job *next = NULL; /* popped, waiting for a token */
  for (;;) {
    /* fill the free slots */
    while (h->nfree > 0) {
      if (!next) next = jobq_pop(&s->jobs, inflight == 0 && !closed);
      if (!next) {
        pthread_mutex_lock(&s->jobs.mu);
        closed = s->jobs.closed && !s->jobs.head;
        pthread_mutex_unlock(&s->jobs.mu);
        break;
      }
      if (s->stop) {
        resq_push(s->results, sender_not_attempted(s, next));
        next = NULL;
        continue;
      }
      double wait = s->dry_run ? 0 : ratelimit_try(&s->rl);
      /* a long Retry-After: hand the rest back instead of waiting */
      if (wait > SENDER_MAX_WAIT) sender_stop(s, SENDER_PAUSED, (int)wait + 1);
      if (s->stop) continue;
      if (wait > 0) break;
      Result *r = start(h, next);
      next = NULL;
      if (r) resq_push(s->results, r);
      else inflight++;
    }
    if (inflight == 0 && !next && closed) break;
    int running;
    curl_multi_perform(h->m, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->m, &left))) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL *c = msg->easy_handle;
      CURLcode rc = msg->data.result;
      curl_multi_remove_handle(h->m, c);
      for (int i = 0; i < n; i++)
        if (h->reqs[i].c == c) {
          Result *res = finish(h, &h->reqs[i], rc);
          sender_note(s, res);
          resq_push(s->results, res);
          h->free_slots[h->nfree++] = i;
          inflight--;
          break;
        }
    }
    if (inflight > 0) curl_multi_poll(h->m, NULL, 0, next ? 2 : 50, NULL);
    else if (next) {
      struct timespec ts = {0, 2000000};
      nanosleep(&ts, NULL);
    }
  }
  for (int i = 0; i < n; i++) curl_easy_cleanup(h->reqs[i].c);
  curl_multi_cleanup(h->m);
  json_decref(h->tmpl);
  free(h->reqs);
  free(h->free_slots);
  free(h);
  return NULL;
}

int http_start(Sender *s, char *err, size_t errlen) {
  Provider *pv = s->pv;
  Http *h = calloc(1, sizeof *h);
  if (!h) abort();
  h->s = s;
  if (pv->body) {
    h->tmpl = json_loads(pv->body, JSON_DECODE_ANY, NULL);
    if (!h->tmpl) {
      free(h);
      snprintf(err, errlen, "provider %s: its body is not JSON", pv->name);
      return -1;
    }
  }
  int n = pv->concurrency;
  h->m = curl_multi_init();
  curl_multi_setopt(h->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
  curl_multi_setopt(h->m, CURLMOPT_MAXCONNECTS, (long)n);
  h->reqs = calloc((size_t)n, sizeof *h->reqs);
  h->free_slots = calloc((size_t)n, sizeof *h->free_slots);
  if (!h->reqs || !h->free_slots) abort();
  for (int i = 0; i < n; i++) {
    CURL *c = curl_easy_init();
    h->reqs[i].c = c;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)pv->timeout);
    if (pv->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, pv->ca_file);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->reqs[i]);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->reqs[i].ebuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, &h->reqs[i]);
    h->free_slots[h->nfree++] = n - 1 - i;
  }
  if (pthread_create(&s->threads[0], NULL, http_thread, h)) {
    snprintf(err, errlen, "cannot start a sender thread");
    return -1;
  }
  s->nthreads = 1;
  return 0;
}
