/* send.c — the send worker: claims due messages in batches under a lease,
 * hands them to each provider's sender threads, records what happened
 * (one transaction per batch of outcomes), retries with backoff, and
 * reports progress.  The database is used from this thread only.  See
 * send.h for the states and guarantees. */
#include "runtime/delivery/send.h"
#include "runtime/policy/policy.h"

#include <assert.h>
#include <curl/curl.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/db/store.h"
#include "runtime/delivery/mime.h"
#include "runtime/delivery/send_store.h"

enum { FLUSH_EVERY = 50, FLUSH_MS = 25, FILE_BATCH = 10000, RECS_CAP = 4096 };

/* ------------------------------------------------------------ clock */

typedef struct Clock {
  time_t base;      /* the logical time at start */
  double start;     /* mono_now() at start */
} Clock;

static int parse_ts(const char *s, time_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int n = sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                 &tm.tm_min, &tm.tm_sec);
  if (n < 3) return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = timegm(&tm);
  return 0;
}

static time_t clock_now(const Clock *c) { return c->base + (time_t)(mono_now() - c->start); }

static void fmt_ts(time_t t, char out[20]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ------------------------------------------------------------ worker */

typedef struct ProvSlot {
  Provider *pv;
  Sender s;
  int started;
  int given_up;      /* its sender stopped: reported once */
} ProvSlot;

typedef struct Worker {
  Db *db;
  const SendOptions *o;
  SendStats *st;
  SendStore ss;
  Clock clock;
  ResultQueue results;
  Delivery *dl;
  int ndl;
  ProvSlot *slots;
  int nslots;
  int *dl_slot;      /* per delivery: its slot */
  int64_t inflight, dispatched, pending_total;
  SendRecord *recs;
  int nrecs;
  double last_flush, last_renew, last_progress, t0;
  int failed;        /* exit 1 */
  int dberr;         /* recording outcomes failed (w->err) */
  char err[1024];
} Worker;

static const char *source_of(ProviderKind k) {
  return k == PK_SMTP ? "smtp" : k == PK_HTTP ? "http" : "file";
}

/* Delay before attempt n+1: 30 s * 2^(n-1), at most 6 h; half of it fixed,
 * half random (so retries of many messages spread out). */
static int backoff(int attempts) {
  double d = 30.0 * pow(2.0, attempts > 1 ? attempts - 1 : 0);
  if (d > 6 * 3600) d = 6 * 3600;
  return (int)(d / 2 + (double)randombytes_uniform((uint32_t)(d / 2) + 1));
}

static int flush(Worker *w) {
  if (!w->nrecs) return 0;
  char now[20];
  fmt_ts(clock_now(&w->clock), now);
  int rc = w->o->dry_run ? 0 : sstore_record(&w->ss, w->recs, w->nrecs, now);
  for (int i = 0; i < w->nrecs; i++) {
    job_free(w->recs[i].r->job);
    free(w->recs[i].r);
  }
  w->nrecs = 0;
  w->last_flush = mono_now();
  if (rc) {
    snprintf(w->err, sizeof w->err, "recording outcomes: %s", db_error(w->db));
    return -1;
  }
  return 0;
}

static int slot_of_job(Worker *w, const Job *j) {
  for (int i = 0; i < w->ndl; i++)
    if (w->dl[i].run_id == j->run_id && !strcmp(w->dl[i].step, j->step)) return w->dl_slot[i];
  return -1;
}

/* Turns a result into what to record, with the retry policy. */
static void take_result(Worker *w, Result *r) {
  Job *j = r->job;
  int si = slot_of_job(w, j);
  ProvSlot *ps = si >= 0 ? &w->slots[si] : NULL;
  Provider *pv = ps ? ps->pv : NULL;
  SendRecord rec = {.r = r, .source = pv ? source_of(pv->kind) : "?"};
  time_t now = clock_now(&w->clock);
  w->inflight--;
  if (w->o->dry_run) {
    if (r->outcome == OUT_SENT) w->st->built++;
    else w->st->failed++;
    if (r->outcome != OUT_SENT)
      fprintf(stderr, "camp send: message %lld (%s): %s\n", (long long)j->id, j->address ? j->address : "",
              r->detail);
    rec.status = "sent";
  } else if (r->outcome == OUT_SENT) {
    rec.status = "sent";
    w->st->sent++;
  } else if (r->outcome == OUT_BOUNCED) {
    rec.status = "bounced";
    w->st->bounced++;
  } else if (r->outcome == OUT_FAILED) {
    rec.status = "failed";
    w->st->failed++;
  } else {
    time_t queued = 0;
    int expired = pv && !parse_ts(j->queued_at, &queued) && now - queued > pv->max_age;
    if (r->unavailable == 2) {
      rec.status = "deferred";
      rec.uncount = 1;
      int delay = backoff(1);
      fmt_ts(now + (r->retry_after > delay ? r->retry_after : delay), rec.next_at);
      w->st->deferred++;
    } else if (pv && (j->attempts >= pv->max_attempts || expired)) {
      char d[sizeof r->detail];
      snprintf(d, sizeof d, "%s", r->detail);
      if (expired) snprintf(r->detail, sizeof r->detail, "expired (max_age): %.400s", d);
      else snprintf(r->detail, sizeof r->detail, "gave up after %d attempts: %.400s", j->attempts, d);
      rec.status = "failed";
      w->st->failed++;
    } else {
      int delay = backoff(j->attempts);
      if (r->retry_after > delay) delay = r->retry_after;
      fmt_ts(now + delay, rec.next_at);
      rec.status = "deferred";
      w->st->deferred++;
    }
  }
  /* a stopped sender: claim nothing more for its steps */
  if (ps && ps->s.stop && !ps->given_up) {
    ps->given_up = 1;
    for (int i = 0; i < w->ndl; i++)
      if (w->dl_slot[i] == si) w->dl[i].exhausted = 1;
    if (ps->s.stop == SENDER_DOWN) {
      w->failed = 1;
      fprintf(stderr, "camp send: provider %s is unavailable (%s); its messages stay deferred\n", pv->name,
              r->detail);
    } else {
      fprintf(stderr, "camp send: provider %s asked to wait %d s (Retry-After); its messages are deferred\n",
              pv->name, ps->s.retry_after);
    }
  }
  w->recs[w->nrecs++] = rec;
  if (w->nrecs >= RECS_CAP && flush(w)) w->dberr = 1;
}

static void progress(Worker *w, int final) {
  double now = mono_now();
  if (!w->o->progress || (!final && now - w->last_progress < 0.5)) return;
  w->last_progress = now;
  double el = now - w->t0;
  int64_t done = w->st->sent + w->st->failed + w->st->bounced + w->st->deferred + w->st->built;
  double rate = el > 0 ? (double)done / el : 0;
  int64_t left = w->pending_total - done;
  fprintf(stderr, "\rsent %lld  deferred %lld  failed %lld  bounced %lld  %.0f msg/s", (long long)w->st->sent,
          (long long)w->st->deferred, (long long)w->st->failed, (long long)w->st->bounced, rate);
  if (!final && rate > 0 && left > 0) fprintf(stderr, "  ETA %.0f s ", (double)left / rate);
  else fprintf(stderr, "%12s", "");
  if (final) fputc('\n', stderr);
}

/* Hands the jobs to their provider's sender; expired ones are failed here. */
static void dispatch(Worker *w, int di, Job *jobs) {
  ProvSlot *ps = &w->slots[w->dl_slot[di]];
  time_t now = clock_now(&w->clock);
  Job *ready = NULL, **tail = &ready;
  while (jobs) {
    Job *j = jobs;
    jobs = j->next;
    w->inflight++;
    w->dispatched++;
    sender_message_key(j->run_id, j->step, j->recipient, j->key);
    j->date = (int64_t)now;
    time_t queued;
    if (!parse_ts(j->queued_at, &queued) && now - queued > ps->pv->max_age && !w->o->dry_run) {
      take_result(w, result_new(j, OUT_FAILED, "expired (max_age) before it could be sent"));
      continue;
    }
    /* claimed far more often than allowed: its workers stopped during
     * every attempt (a message that crashes them?) — do not try forever */
    if (j->attempts > 3 * ps->pv->max_attempts && !w->o->dry_run) {
      take_result(w, result_new(j, OUT_FAILED, "gave up after %d attempts (the worker stopped during them)",
                                j->attempts - 1));
      continue;
    }
    j->next = NULL;
    *tail = j;
    tail = &j->next;
  }
  /* one push: a file sender writes what was claimed together into one file */
  jobq_push_list(&ps->s.jobs, ready);
}

/* Claims (or, in a dry run, reads) the next jobs; 0 when nothing is due. */
static int claim_more(Worker *w, int64_t *peek_after) {
  char now[20];
  fmt_ts(clock_now(&w->clock), now);
  for (int i = 0; i < w->ndl; i++) {
    Delivery *d = &w->dl[i];
    if (d->exhausted) continue;
    /* direct mail goes out as files: claim a file's worth at once */
    int room = w->slots[w->dl_slot[i]].pv->kind == PK_FILE ? FILE_BATCH : w->o->batch;
    if (w->o->limit > 0 && w->dispatched + room > w->o->limit) room = (int)(w->o->limit - w->dispatched);
    if (room <= 0) return 0;
    Job *jobs = NULL;
    int n = w->o->dry_run ? sstore_peek(&w->ss, d, now, room, &peek_after[i], &jobs)
                          : sstore_claim(&w->ss, d, now, room, &jobs);
    if (n < 0) {
      snprintf(w->err, sizeof w->err, "claiming messages: %s", db_error(w->db));
      return -1;
    }
    if (n < room) d->exhausted = 1;
    if (n > 0) {
      dispatch(w, i, jobs);
      return n;
    }
  }
  return 0;
}

static int start_senders(Worker *w) {
  w->dl_slot = calloc((size_t)(w->ndl ? w->ndl : 1), sizeof *w->dl_slot);
  w->slots = calloc((size_t)(w->ndl ? w->ndl : 1), sizeof *w->slots);
  if (!w->dl_slot || !w->slots) abort();
  for (int i = 0; i < w->ndl; i++) {
    int found = -1;
    for (int k = 0; k < w->nslots && found < 0; k++)
      if (!strcmp(w->slots[k].pv->config, w->dl[i].config)) found = k;
    if (found < 0) {
      Provider *pv = provider_parse(w->dl[i].config, w->err, sizeof w->err);
      if (!pv) return -1;
      if (provider_resolve_env(pv, w->err, sizeof w->err)) {
        provider_free(pv);
        return -1;
      }
      ProvSlot *ps = &w->slots[w->nslots];
      ps->pv = pv;
      ps->s.pv = pv;
      ps->s.results = &w->results;
      ps->s.dry_run = w->o->dry_run;
      found = w->nslots++;
    }
    w->dl_slot[i] = found;
  }
  for (int k = 0; k < w->nslots; k++) {
    if (sender_start(&w->slots[k].s, w->err, sizeof w->err)) return -1;
    w->slots[k].started = 1;
  }
  return 0;
}

static void stop_senders(Worker *w) {
  for (int k = 0; k < w->nslots; k++) {
    if (w->slots[k].started) sender_join(&w->slots[k].s);
    provider_free(w->slots[k].pv);
  }
  free(w->slots);
  free(w->dl_slot);
}

static void summary(Worker *w) {
  FILE *out = w->o->out ? w->o->out : stdout;
  SendStats *st = w->st;
  double el = mono_now() - w->t0;
  st->seconds = el;
  if (w->o->dry_run) {
    fprintf(out, "dry run: %lld message%s built, %lld could not be built; nothing sent or changed\n",
            (long long)st->built, st->built == 1 ? "" : "s", (long long)st->failed);
  } else {
    int64_t n = st->sent + st->deferred + st->failed + st->bounced;
    fprintf(out, "sent %lld, deferred %lld, failed %lld, bounced %lld in %.2f s (%.0f messages/s)\n",
            (long long)st->sent, (long long)st->deferred, (long long)st->failed, (long long)st->bounced, el,
            el > 0 ? (double)n / el : 0.0);
  }
  if (st->reclaimed)
    fprintf(out, "%lld message%s of stopped workers reclaimed\n", (long long)st->reclaimed,
            st->reclaimed == 1 ? "" : "s");
  if (st->policy > 0)
    fprintf(out, "%lld message%s stopped by the contact policy (status suppressed; camp status shows why)\n",
            (long long)st->policy, st->policy == 1 ? "" : "s");
  if (st->no_provider)
    fprintf(out, "%lld queued message%s belong to steps without a provider and stay queued\n",
            (long long)st->no_provider, st->no_provider == 1 ? "" : "s");
  char first[20] = "";
  for (int i = 0; i < w->ndl && !w->o->dry_run; i++) {
    char t[20];
    sstore_next_due(&w->ss, &w->dl[i], t);
    if (t[0] && (!first[0] || strcmp(t, first) < 0)) memcpy(first, t, 20);
  }
  if (first[0]) fprintf(out, "next attempt of deferred messages at %s\n", first);
}

void send_options_init(SendOptions *o) {
  memset(o, 0, sizeof *o);
  o->lease = 120;
  o->batch = 200;
  o->out = stdout;
}

int send_outbox(Db *db, const SendOptions *o, SendStats *st) {
  /* a batch of 0 never claims and never finishes (the loop below) */
  assert(o->batch > 0 && o->lease > 0);
  memset(st, 0, sizeof *st);
  Worker w;
  memset(&w, 0, sizeof w);
  w.db = db;
  w.o = o;
  w.st = st;
  w.t0 = mono_now();
  w.clock.start = w.t0;
  w.clock.base = time(NULL);
  if (o->now && parse_ts(o->now, &w.clock.base)) {
    fprintf(stderr, "camp send: --now `%s` is not a date or time\n", o->now);
    return 1;
  }
  char err[1024];
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp send: %s\n", err);
    return 1;
  }
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT)) {
    fprintf(stderr, "camp send: cannot initialise libsodium/libcurl\n");
    return 1;
  }
  mime_init();
  if (sstore_open(&w.ss, db, o->lease, err, sizeof err)) {
    fprintf(stderr, "camp send: %s\n", err);
    return 1;
  }
  int rc = 1;
  resq_init(&w.results);
  w.recs = calloc(RECS_CAP, sizeof *w.recs);
  if (!w.recs) abort();
  int64_t *peek_after = NULL;
  if (!o->dry_run && (st->reclaimed = sstore_reclaim(&w.ss)) < 0) {
    snprintf(w.err, sizeof w.err, "reclaiming leases: %s", db_error(db));
    goto out;
  }
  if (!o->dry_run) {
    /* the contact policy again, on what is about to leave: consent
     * withdrawn, an address suppressed or found invalid since the run */
    char nowtxt[20];
    fmt_ts(clock_now(&w.clock), nowtxt);
    if ((st->policy = policy_sweep(db, o->run_id, o->channel, nowtxt, w.err, sizeof w.err)) < 0) goto out;
  }
  if (sstore_deliveries(&w.ss, o->run_id, o->channel, &w.dl, &w.ndl, w.err, sizeof w.err)) goto out;
  st->no_provider = sstore_count_unprovided(&w.ss, o->run_id, o->channel);
  if (start_senders(&w)) goto out;
  peek_after = calloc((size_t)(w.ndl ? w.ndl : 1), sizeof *peek_after);
  if (!peek_after) abort();
  if (o->progress)
    for (int i = 0; i < w.ndl; i++) w.pending_total += sstore_count_pending(&w.ss, &w.dl[i]);
  w.last_flush = w.last_renew = mono_now();
  int claiming = 1;
  for (;;) {
    /* keep the senders fed, with a bounded number of messages in memory */
    while (claiming && w.inflight < 4 * (int64_t)o->batch) {
      int n = claim_more(&w, peek_after);
      if (n < 0 || w.dberr) goto out;
      if (n == 0) claiming = 0;
    }
    if (!claiming && w.inflight == 0) break;
    Result *r = resq_take_all(&w.results, FLUSH_MS);
    while (r) {
      Result *next = r->next;
      take_result(&w, r);
      r = next;
    }
    if (w.dberr) goto out;
    double now = mono_now();
    if ((w.nrecs >= FLUSH_EVERY || now - w.last_flush >= FLUSH_MS / 1000.0) && flush(&w)) goto out;
    if (!o->dry_run && now - w.last_renew >= w.ss.lease / 3.0) {
      if (sstore_renew(&w.ss)) {
        snprintf(w.err, sizeof w.err, "renewing leases: %s", db_error(db));
        goto out;
      }
      w.last_renew = now;
    }
    progress(&w, 0);
    /* a provider given up: claim the others' messages again */
    if (!claiming) {
      int any = 0;
      for (int i = 0; i < w.ndl; i++) any |= !w.dl[i].exhausted;
      if (any && (o->limit <= 0 || w.dispatched < o->limit)) claiming = 1;
    }
  }
  if (flush(&w)) goto out;
  progress(&w, 1);
  rc = w.failed ? 1 : 0;
out:
  if (rc && w.err[0]) fprintf(stderr, "camp send: %s\n", w.err);
  /* senders drain what they hold; their outcomes are recorded */
  for (int k = 0; k < w.nslots; k++) w.slots[k].s.stop = rc && !w.failed;
  stop_senders(&w);
  for (Result *r = resq_take_all(&w.results, 0); r;) {
    Result *next = r->next;
    take_result(&w, r);
    r = next;
  }
  flush(&w);
  if (rc == 0 || w.failed) summary(&w);
  sstore_free_deliveries(w.dl, w.ndl);
  free(peek_after);
  free(w.recs);
  resq_destroy(&w.results);
  sstore_close(&w.ss);
  curl_global_cleanup();
  return rc;
}
