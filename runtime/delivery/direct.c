/* direct.c — messages through a provider's own sender, fed from memory
 * instead of the outbox (see direct.h): proofs and notifications. */
#include "runtime/delivery/direct.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/mime.h"
#include "runtime/delivery/provider.h"
#include "runtime/delivery/send_store.h"
#include "runtime/delivery/sender.h"

/* The job of message i: a key of its own (run 0), so a provider's
 * idempotency never folds it into an outbox message. */
static Job *direct_job(const char *step, const char *channel, const DirectMsg *mi, int i, time_t now) {
  Job *j = calloc(1, sizeof *j);
  if (!j) abort();
  j->id = i; /* the index into the caller's array */
  j->attempts = 1;
  j->step = job_strdup(step);
  j->recipient = job_strdup(mi->recipient ? mi->recipient : mi->to);
  j->channel = job_strdup(channel);
  j->address = job_strdup(mi->to);
  j->campaign = job_strdup("direct");
  j->subject = job_strdup(mi->subject);
  j->body = job_strdup(mi->body);
  char who[600];
  snprintf(who, sizeof who, "direct:%lld:%d:%s:%s", (long long)mi->tag, i, j->recipient, mi->to);
  sender_message_key(0, step, who, j->key);
  j->date = (int64_t)now;
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(j->queued_at, sizeof j->queued_at, "%Y-%m-%d %H:%M:%S", &tm);
  return j;
}

int direct_send(const char *provider_json, const char *channel, const char *step, const DirectMsg *m, int n,
                time_t now, DirectDone done, void *ctx, char *err, size_t errlen) {
  Provider *pv = provider_parse(provider_json, err, errlen);
  if (!pv) return -1;
  if (provider_resolve_env(pv, err, errlen)) {
    provider_free(pv);
    return -1;
  }
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT)) {
    snprintf(err, errlen, "cannot initialise libsodium/libcurl");
    provider_free(pv);
    return -1;
  }
  mime_init();
  ResultQueue rq;
  resq_init(&rq);
  Sender s;
  memset(&s, 0, sizeof s);
  s.pv = pv;
  s.results = &rq;
  int rc = -1;
  if (sender_start(&s, err, errlen) == 0) {
    Job *list = NULL, **tail = &list;
    for (int i = 0; i < n; i++) {
      *tail = direct_job(step, channel, &m[i], i, now);
      tail = &(*tail)->next;
    }
    jobq_push_list(&s.jobs, list);
    sender_join(&s); /* the threads drain the queue, then stop */
    rc = 0;
    /* outcomes in the caller's order, whatever order the threads kept */
    Result **by = calloc((size_t)(n ? n : 1), sizeof *by);
    if (!by) abort();
    for (Result *r = resq_take_all(&rq, 0); r;) {
      Result *next = r->next;
      int i = (int)r->job->id;
      if (i >= 0 && i < n && !by[i]) by[i] = r;
      else {
        job_free(r->job);
        free(r);
      }
      r = next;
    }
    for (int i = 0; i < n; i++) {
      Result *r = by[i];
      if (r) {
        done(ctx, &m[i], r->outcome == OUT_SENT, r->outcome == OUT_DEFERRED || r->unavailable, r->detail);
        job_free(r->job);
        free(r);
      } else {
        done(ctx, &m[i], 0, 1, "no answer from the sender");
      }
    }
    free(by);
  }
  resq_destroy(&rq);
  provider_free(pv);
  curl_global_cleanup();
  return rc;
}

typedef struct ProofCtx {
  FILE *out;
  const char *step;
  int failed;
} ProofCtx;

static void proof_done(void *ctx, const DirectMsg *m, int accepted, int temporary, const char *detail) {
  ProofCtx *p = ctx;
  fprintf(p->out, "proof of %s (recipient %s) to %s: %s%s%s\n", p->step, m->recipient, m->to,
          accepted ? "accepted" : temporary ? "not accepted now (not retried for a proof)" : "refused",
          detail && detail[0] ? ": " : "", detail ? detail : "");
  if (!accepted) p->failed = 1;
}

int proof_send(const Decl *provider_decl, const char *source_file, const char *step, const char *channel,
               const ProofMsg *m, int n, char *const *addrs, int naddrs, time_t now, FILE *out, char *err,
               size_t errlen) {
  char *json = provider_config_json(provider_decl, source_file);
  if (!json) {
    snprintf(err, errlen, "provider %s: no configuration", provider_decl->name);
    return -1;
  }
  int total = n * naddrs, k = 0;
  DirectMsg *dm = calloc((size_t)(total ? total : 1), sizeof *dm);
  char **subjects = calloc((size_t)(total ? total : 1), sizeof *subjects);
  if (!dm || !subjects) abort();
  for (int a = 0; a < naddrs; a++)
    for (int i = 0; i < n; i++, k++) {
      if (m[i].subject) {
        size_t sl = strlen(m[i].subject) + 16;
        subjects[k] = malloc(sl);
        if (!subjects[k]) abort();
        snprintf(subjects[k], sl, "[proof] %s", m[i].subject);
      }
      dm[k] = (DirectMsg){.to = addrs[a], .recipient = m[i].recipient, .subject = subjects[k],
                          .body = m[i].body, .tag = k};
    }
  ProofCtx pc = {out, step, 0};
  int rc = direct_send(json, channel, step, dm, total, now, proof_done, &pc, err, errlen);
  for (int i = 0; i < total; i++) free(subjects[i]);
  free(subjects);
  free(dm);
  free(json);
  return rc < 0 ? -1 : pc.failed;
}
