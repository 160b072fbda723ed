/* sender.c — the job and result queues between the send worker and the
 * provider threads, and what every sender shares (see sender.h). */
#include "runtime/delivery/sender.h"

#include "runtime/delivery/render.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void jobq_init(JobQueue *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
}

void jobq_destroy(JobQueue *q) {
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->cv);
}

void jobq_push(JobQueue *q, Job *j) {
  j->next = NULL;
  pthread_mutex_lock(&q->mu);
  if (q->tail) q->tail->next = j;
  else q->head = j;
  q->tail = j;
  q->len++;
  pthread_cond_signal(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

Job *jobq_pop(JobQueue *q, int wait) {
  pthread_mutex_lock(&q->mu);
  while (wait && !q->head && !q->closed) pthread_cond_wait(&q->cv, &q->mu);
  Job *j = q->head;
  if (j) {
    q->head = j->next;
    if (!q->head) q->tail = NULL;
    q->len--;
    j->next = NULL;
  }
  pthread_mutex_unlock(&q->mu);
  return j;
}

void jobq_push_list(JobQueue *q, Job *list) {
  if (!list) return;
  pthread_mutex_lock(&q->mu);
  for (Job *j = list, *next; j; j = next) {
    next = j->next;
    j->next = NULL;
    if (q->tail) q->tail->next = j;
    else q->head = j;
    q->tail = j;
    q->len++;
  }
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

void jobq_close(JobQueue *q) {
  pthread_mutex_lock(&q->mu);
  q->closed = 1;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

void resq_init(ResultQueue *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
}

void resq_destroy(ResultQueue *q) {
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->cv);
}

void resq_push(ResultQueue *q, Result *r) {
  r->next = NULL;
  pthread_mutex_lock(&q->mu);
  if (q->tail) q->tail->next = r;
  else q->head = r;
  q->tail = r;
  q->len++;
  pthread_cond_signal(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

Result *resq_take_all(ResultQueue *q, int timeout_ms) {
  pthread_mutex_lock(&q->mu);
  if (!q->head && timeout_ms > 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    while (!q->head) {
      if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT) break;
    }
  }
  Result *r = q->head;
  q->head = q->tail = NULL;
  q->len = 0;
  pthread_mutex_unlock(&q->mu);
  return r;
}

Result *result_new(Job *j, Outcome o, const char *fmt, ...) {
  Result *r = calloc(1, sizeof *r);
  if (!r) abort();
  r->job = j;
  r->outcome = o;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
  }
  /* one line, printable: details are shown in status tables */
  for (char *p = r->detail; *p; p++)
    if ((unsigned char)*p < 0x20) *p = ' ';
  return r;
}

void sender_message_key(int64_t run, const char *step, const char *recipient, char out[64]) {
  crypto_hash_sha256_state st;
  unsigned char h[crypto_hash_sha256_BYTES];
  char runs[32];
  snprintf(runs, sizeof runs, "%lld", (long long)run);
  crypto_hash_sha256_init(&st);
  /* the parts joined by NUL so ("a", "bc") and ("ab", "c") differ */
  crypto_hash_sha256_update(&st, (const unsigned char *)runs, strlen(runs) + 1);
  crypto_hash_sha256_update(&st, (const unsigned char *)step, strlen(step) + 1);
  crypto_hash_sha256_update(&st, (const unsigned char *)recipient, strlen(recipient));
  crypto_hash_sha256_final(&st, h);
  char hex[2 * 12 + 1];
  sodium_bin2hex(hex, sizeof hex, h, 12);
  snprintf(out, 64, "camp-%lld-%s", (long long)run, hex);
}

void sender_stop(Sender *s, int how, int seconds) {
  pthread_mutex_lock(&s->jobs.mu);
  if (!s->stop) {
    s->stop = how;
    s->retry_after = seconds;
  }
  pthread_mutex_unlock(&s->jobs.mu);
}

void sender_note(Sender *s, const Result *r) {
  pthread_mutex_lock(&s->jobs.mu);
  if (r->unavailable == 1) s->down_streak++;
  else if (r->outcome == OUT_SENT) s->down_streak = 0;
  int down = s->down_streak >= SENDER_GIVE_UP_AFTER;
  pthread_mutex_unlock(&s->jobs.mu);
  if (down) sender_stop(s, SENDER_DOWN, 0);
}

Result *sender_not_attempted(Sender *s, Job *j) {
  Result *r = s->stop == SENDER_PAUSED
                  ? result_new(j, OUT_DEFERRED, "not attempted: provider %s asked to wait %d s", s->pv->name,
                               s->retry_after)
                  : result_new(j, OUT_DEFERRED, "not attempted: provider %s unavailable", s->pv->name);
  r->unavailable = 2;
  r->retry_after = s->stop == SENDER_PAUSED ? s->retry_after : 0;
  return r;
}

void sender_join(Sender *s) {
  jobq_close(&s->jobs);
  for (int i = 0; i < s->nthreads; i++) pthread_join(s->threads[i], NULL);
  s->nthreads = 0;
  jobq_destroy(&s->jobs);
  ratelimit_destroy(&s->rl);
}

/* ------------------------------------------------ templates of a provider */

typedef struct JobCtx {
  const Job *j;
  int url;          /* values are URL-encoded (a URL template) */
  char *owned[4];   /* values made for this render */
  int nowned;
  char num[32];
} JobCtx;

static const char *keep(JobCtx *c, char *s) {
  if (!s) return NULL;
  if (c->nowned == 4) {
    free(c->owned[0]);
    memmove(c->owned, c->owned + 1, 3 * sizeof *c->owned);
    c->nowned = 3;
  }
  c->owned[c->nowned++] = s;
  return s;
}

static const char *job_lookup(void *ctx, const char *name) {
  JobCtx *c = ctx;
  const Job *j = c->j;
  const char *v = NULL;
  if (!strcmp(name, "to") || !strcmp(name, "address")) v = j->address;
  else if (!strcmp(name, "subject")) v = j->subject;
  else if (!strcmp(name, "body") || !strcmp(name, "text")) v = j->body;
  else if (!strcmp(name, "message_id")) v = j->key;
  else if (!strcmp(name, "recipient")) v = j->recipient;
  else if (!strcmp(name, "step")) v = j->step;
  else if (!strcmp(name, "campaign")) v = j->campaign;
  else if (!strcmp(name, "channel")) v = j->channel;
  else if (!strcmp(name, "run") || !strcmp(name, "outbox_id")) {
    snprintf(c->num, sizeof c->num, "%lld", (long long)(!strcmp(name, "run") ? j->run_id : j->id));
    v = c->num;
  }
  if (!v || !c->url) return v;
  char *e = curl_easy_escape(NULL, v, 0);
  if (!e) return NULL;
  char *copy = strdup(e);
  curl_free(e);
  if (!copy) abort();
  return keep(c, copy);
}

char *sender_render(const char *tmpl, const Job *j, int url_escape) {
  JobCtx c = {.j = j, .url = url_escape};
  char err[256];
  char *out = render_template(tmpl, job_lookup, &c, 0, NULL, err, sizeof err);
  for (int i = 0; i < c.nowned; i++) free(c.owned[i]);
  return out;
}
