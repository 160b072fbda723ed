/* send_store.h — the send worker's database side (send_store.c): leases,
 * claims, outcomes; internal to runtime/delivery (send.c uses it). */
#ifndef CAMP_DELIVERY_SEND_STORE_H
#define CAMP_DELIVERY_SEND_STORE_H

#include <stdint.h>
#include <time.h>

#include "runtime/db/db.h"
#include "runtime/delivery/sender.h"

/* A channel step of a run that has a provider (a camp_delivery row). */
typedef struct Delivery {
  int64_t run_id;
  char *step, *channel, *campaign, *columns, *config;
  Sender *sender;       /* set by the worker */
  int exhausted;        /* nothing due left in this invocation */
} Delivery;

typedef struct SendStore {
  Db *db;
  char owner[128];      /* host:pid:nonce */
  char host[64];
  int lease;            /* seconds */
  DbStmt *claim_q, *claim_d, *peek_q, *peek_d;
  DbStmt *up_sent, *up_defer, *up_final, *fb;
} SendStore;

int sstore_open(SendStore *ss, Db *db, int lease, char *err, size_t errlen);
void sstore_close(SendStore *ss);

/* camp_delivery rows with a provider (filters: run 0 = all, channel NULL). */
int sstore_deliveries(SendStore *ss, int64_t run, const char *channel, Delivery **out, int *n,
                      char *err, size_t errlen);
void sstore_free_deliveries(Delivery *d, int n);

/* Queued messages of steps without a provider (filters as above). */
int64_t sstore_count_unprovided(SendStore *ss, int64_t run, const char *channel);
/* Messages queued or deferred for d (for progress and ETA). */
int64_t sstore_count_pending(SendStore *ss, const Delivery *d);
/* Earliest next_attempt_at of d's deferred messages ('' when none). */
void sstore_next_due(SendStore *ss, const Delivery *d, char out[20]);

/* Puts back to queued every 'sending' row whose lease expired or whose
 * owner is a dead process of this host.  Returns rows reclaimed, -1 on
 * error. */
int64_t sstore_reclaim(SendStore *ss);
/* Claims up to max due messages of d (deferred due first, then queued)
 * as 'sending' under this worker's lease; appends the jobs to *jobs.
 * now = the logical clock.  Returns the count, -1 on error. */
int sstore_claim(SendStore *ss, const Delivery *d, const char *now, int max, Job **jobs);
/* Dry run: reads up to max due messages of d with id > *after, without
 * claiming them.  Returns the count, -1 on error. */
int sstore_peek(SendStore *ss, const Delivery *d, const char *now, int max, int64_t *after, Job **jobs);
/* Extends this worker's leases.  0 or -1. */
int sstore_renew(SendStore *ss);

/* What to record for one result. */
typedef struct SendRecord {
  Result *r;
  const char *status;   /* sent | deferred | failed | bounced */
  char next_at[20];     /* deferred */
  int uncount;          /* deferred without an attempt: attempts - 1 */
  const char *source;   /* smtp | http | file */
} SendRecord;

/* Records outcomes in one transaction.  0 or -1. */
int sstore_record(SendStore *ss, SendRecord *o, int n, const char *now);

/* strdup that aborts when memory runs out; NULL stays NULL (a Job's
 * strings, which job_free frees). */
char *job_strdup(const char *s);
void job_free(Job *j);

#endif
