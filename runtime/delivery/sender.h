/* sender.h — what the send worker (send.c) hands to a provider's sender
 * threads and gets back, and the senders themselves:
 *   sender_smtp.c  libcurl SMTP, one thread per connection (max_connections),
 *                  connection reuse, messages_per_connection
 *   sender_http.c  libcurl multi, `concurrency` requests in flight
 *   sender_file.c  a drop directory: CSV file + manifest (rows, SHA-256)
 * Senders never touch the database: the worker's thread owns it. */
#ifndef CAMP_DELIVERY_SENDER_H
#define CAMP_DELIVERY_SENDER_H

#include <pthread.h>
#include <stdint.h>

#include "runtime/delivery/provider.h"
#include "runtime/delivery/ratelimit.h"

/* One claimed message. */
typedef struct Job {
  int64_t id, run_id;
  int attempts;          /* including this one */
  char *step, *recipient, *channel, *address, *subject, *body, *campaign;
  char *columns;         /* mail: the extract's header columns (JSON array) */
  char queued_at[20];
  char key[64];          /* camp-RUN-HEX (sender_message_key), set by the worker */
  int64_t date;          /* the worker's clock when handed over (Date header) */
  char message_id[160];  /* email: <camp-R-HEX@domain>; http: camp-R-HEX */
  struct Job *next;
} Job;

typedef enum { OUT_SENT, OUT_DEFERRED, OUT_FAILED, OUT_BOUNCED } Outcome;

typedef struct Result {
  Job *job;              /* handed back (the worker frees it) */
  Outcome outcome;
  int retry_after;       /* seconds the provider asked to wait, or 0 */
  int unavailable;       /* 1: the provider could not be reached at all;
                          * 2: not attempted (the provider was given up) */
  char detail[512];      /* the provider's answer or the error */
  char provider_id[128]; /* http: the id_field of the answer */
  struct Result *next;
} Result;

/* A blocking FIFO of jobs (many producers and consumers). */
typedef struct JobQueue {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  Job *head, *tail;
  int len;
  int closed;            /* no more jobs will come */
} JobQueue;

void jobq_init(JobQueue *q);
void jobq_destroy(JobQueue *q);
void jobq_push(JobQueue *q, Job *j);
/* Next job; blocks while the queue is empty and open; NULL once closed and
 * empty.  With wait=0 returns NULL at once when empty. */
Job *jobq_pop(JobQueue *q, int wait);
void jobq_close(JobQueue *q);

/* Where every sender reports; the worker drains it. */
typedef struct ResultQueue {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  Result *head, *tail;
  int len;
} ResultQueue;

void resq_init(ResultQueue *q);
void resq_destroy(ResultQueue *q);
void resq_push(ResultQueue *q, Result *r);
/* Takes everything queued, waiting up to timeout_ms for the first one. */
Result *resq_take_all(ResultQueue *q, int timeout_ms);

/* A provider's sender: its threads consume `jobs` and report to `results`. */
typedef struct Sender {
  Provider *pv;
  JobQueue jobs;
  ResultQueue *results;
  RateLimit rl;
  pthread_t threads[64];
  int nthreads;
  int dry_run;           /* build every message, send nothing */
  volatile int stop;     /* stopped: queued jobs are handed back as not
                          * attempted; SENDER_DOWN or SENDER_PAUSED */
  int retry_after;       /* SENDER_PAUSED: seconds the provider asked for */
  int down_streak;       /* results in a row that could not reach it */
} Sender;

enum { SENDER_DOWN = 1, SENDER_PAUSED = 2 };
/* A provider unreachable this many times in a row is given up. */
enum { SENDER_GIVE_UP_AFTER = 3 };
/* A Retry-After longer than this (seconds) ends this invocation's sending
 * to the provider instead of waiting. */
enum { SENDER_MAX_WAIT = 10 };

/* Pushes a list of jobs (linked by next) at once: a reader sees them all. */
void jobq_push_list(JobQueue *q, Job *list);
/* Called by sender threads with each result before pushing it: counts
 * unreachable results in a row and stops the sender after
 * SENDER_GIVE_UP_AFTER of them. */
void sender_note(Sender *s, const Result *r);
/* Stops the sender for `how` (SENDER_DOWN / SENDER_PAUSED for seconds). */
void sender_stop(Sender *s, int how, int seconds);
/* The result of a job a stopped sender does not attempt. */
Result *sender_not_attempted(Sender *s, Job *j);

/* Starts the sender threads for s->pv (after provider_resolve_env).
 * 0, or -1 with a message in err. */
int sender_start(Sender *s, char *err, size_t errlen);
/* Closes the queue and joins the threads (after they drained it). */
void sender_join(Sender *s);

int smtp_start(Sender *s, char *err, size_t errlen);
int http_start(Sender *s, char *err, size_t errlen);
int file_start(Sender *s, char *err, size_t errlen);

/* Fills r for a job (helpers for the senders). */
Result *result_new(Job *j, Outcome o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Renders a provider template ({{address}}, {{message_id}}, ... see
 * compiler/check/provider.h) for job j; with url_escape=1 every value is
 * URL-encoded.  malloc'd, or NULL when the template is malformed. */
char *sender_render(const char *tmpl, const Job *j, int url_escape);

/* The deterministic message id of (run, step, recipient): "camp-R-HEX"
 * (HEX = 24 hex digits of SHA-256 over run, step and recipient). */
void sender_message_key(int64_t run, const char *step, const char *recipient, char out[64]);

#endif
