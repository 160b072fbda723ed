/* track_server.c — camp track: libmicrohttpd, one thread per connection,
 * one writer thread that owns the database (see track_server.h). */
#include "runtime/delivery/track_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/db/store.h"
#include "runtime/delivery/track_events.h"
#include "runtime/delivery/track_request.h"

enum {
  MAX_BATCH = 512,       /* events per transaction */
  CONN_LIMIT = 1024,
  CONN_MEMORY = 16 * 1024,
  CONN_TIMEOUT = 10,     /* seconds */
  MAX_RETRIES = 50,      /* a busy database: retry a batch for ~10 s */
};

/* A request waiting for the writer. */
typedef struct Job {
  TrackEvent ev;
  int done, failed;
  struct Job *next;
} Job;

struct TrackServer {
  struct MHD_Daemon *d;
  TrackKey key;
  Db *db;
  TrackDb *tdb;
  int port;
  pthread_t writer;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  Job *head, *tail;
  int stopping;
  TrackStats stats;
};

/* The smallest transparent GIF (1x1, one transparent colour). */
static const unsigned char gif[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

static const char page_head[] =
    "<!doctype html><html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title></head>"
    "<body style=\"font-family: sans-serif; max-width: 32em; margin: 3em auto\">";

/* ------------------------------------------------------------ writer */

static void now_utc(char out[20]) { store_now(out); }

static void *writer_main(void *arg) {
  TrackServer *s = arg;
  Job *batch[MAX_BATCH];
  TrackEvent *evs[MAX_BATCH];
  char err[512];
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (!s->head && !s->stopping) pthread_cond_wait(&s->work, &s->mu);
    if (!s->head && s->stopping) break;
    int n = 0;
    while (s->head && n < MAX_BATCH) {
      batch[n] = s->head;
      evs[n] = &s->head->ev;
      s->head = s->head->next;
      n++;
    }
    if (!s->head) s->tail = NULL;
    pthread_mutex_unlock(&s->mu);
    char now[20];
    int rc = -1;
    for (int attempt = 0; rc != 0 && attempt < MAX_RETRIES; attempt++) {
      if (attempt) usleep(200 * 1000); /* another camp process holds the lock */
      now_utc(now);
      rc = track_db_apply(s->tdb, evs, n, now, err, sizeof err);
    }
    if (rc != 0) fprintf(stderr, "camp track: cannot record %d event%s: %s\n", n, n == 1 ? "" : "s", err);
    pthread_mutex_lock(&s->mu);
    s->stats.batches += rc == 0;
    for (int i = 0; i < n; i++) {
      batch[i]->failed = rc != 0;
      batch[i]->done = 1;
      if (rc == 0 && batch[i]->ev.recorded) s->stats.recorded++;
    }
    pthread_cond_broadcast(&s->done);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* Hands one event to the writer and waits until it is committed.  0, or -1
 * when the database could not take it. */
static int submit(TrackServer *s, Job *j) {
  pthread_mutex_lock(&s->mu);
  j->next = NULL;
  if (s->tail) s->tail->next = j; else s->head = j;
  s->tail = j;
  pthread_cond_signal(&s->work);
  while (!j->done) pthread_cond_wait(&s->done, &s->mu);
  pthread_mutex_unlock(&s->mu);
  return j->failed ? -1 : 0;
}

/* ---------------------------------------------------------- requests */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const void *body, size_t len, int copy, const char *location) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (location) MHD_add_response_header(r, "Location", location);
  enum MHD_Result rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result page(struct MHD_Connection *c, unsigned status, const char *title,
                            const char *body) {
  char buf[2048];
  int n = snprintf(buf, sizeof buf, page_head, title);
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%s</body></html>\n", body);
  return reply(c, status, "text/html; charset=utf-8", buf, strlen(buf), 1, NULL);
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *text) {
  return reply(c, status, "text/plain; charset=utf-8", text, strlen(text), 0, NULL);
}

/* Per-request state kept across MHD's calls: the POST body so far. */
typedef struct Req {
  char body[TRACK_BODY_MAX + 1];
  size_t len;
  int too_big;
} Req;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
  (void)version;
  TrackServer *s = cls;
  int post = !strcmp(method, MHD_HTTP_METHOD_POST);
  if (post) {
    Req *r = *con_cls;
    if (!r) {
      r = calloc(1, sizeof *r);
      if (!r) return MHD_NO;
      *con_cls = r;
      return MHD_YES;
    }
    if (*upload_size) {
      if (r->len + *upload_size > TRACK_BODY_MAX) r->too_big = 1;
      else {
        memcpy(r->body + r->len, upload, *upload_size);
        r->len += *upload_size;
        r->body[r->len] = 0;
      }
      *upload_size = 0;
      return MHD_YES;
    }
  }
  pthread_mutex_lock(&s->mu);
  s->stats.requests++;
  pthread_mutex_unlock(&s->mu);
  const Req *r = post ? *con_cls : NULL;
  TrackRequest q;
  switch (track_request_parse(&s->key, method, url, r ? r->body : NULL, r ? r->len : 0,
                              r && r->too_big, &q)) {
    case TRACK_REQ_HIT: break;
    case TRACK_REQ_BAD_METHOD: return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    case TRACK_REQ_TOO_LARGE: return plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
    case TRACK_REQ_INVALID:
      pthread_mutex_lock(&s->mu);
      s->stats.rejected++;
      pthread_mutex_unlock(&s->mu);
      return plain(c, MHD_HTTP_FORBIDDEN, "invalid link\n");
    case TRACK_REQ_NO_ONE_CLICK:
      return plain(c, MHD_HTTP_BAD_REQUEST, "expected List-Unsubscribe=One-Click\n");
  }
  TrackKind kind = q.kind;
  Job j = {.ev = {.kind = q.event, .outbox_id = q.outbox_id, .link = q.link}};
  if (submit(s, &j) != 0) {
    free(j.ev.url);
    return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "try again later\n");
  }
  enum MHD_Result rc;
  if (!j.ev.found) {
    pthread_mutex_lock(&s->mu);
    s->stats.not_found++;
    pthread_mutex_unlock(&s->mu);
    rc = plain(c, MHD_HTTP_NOT_FOUND, "unknown message\n");
  } else if (kind == TRACK_OPEN) {
    rc = reply(c, MHD_HTTP_OK, "image/gif", gif, sizeof gif, 0, NULL);
  } else if (kind == TRACK_CLICK) {
    rc = reply(c, MHD_HTTP_FOUND, "text/plain; charset=utf-8", "", 0, 0, j.ev.url);
  } else if (post) {
    rc = page(c, MHD_HTTP_OK, "Unsubscribed",
              "<h1>You are unsubscribed</h1><p>You will not receive these messages any more.</p>");
  } else {
    rc = page(c, MHD_HTTP_OK, "Unsubscribe",
              "<h1>Unsubscribe?</h1><p>Stop receiving these messages at this address.</p>"
              "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
              "value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>");
  }
  free(j.ev.url);
  return rc;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  free(*con_cls);
  *con_cls = NULL;
}

/* ------------------------------------------------------------- start */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, char *err,
                        size_t errlen) {
  char host[256];
  const char *colon = strrchr(listen, ':');
  if (!colon || colon == listen || !colon[1]) {
    snprintf(err, errlen, "--listen `%s`: expected HOST:PORT, e.g. 127.0.0.1:8080", listen);
    return -1;
  }
  size_t hl = (size_t)(colon - listen);
  if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
    listen++;
    hl -= 2;
  }
  if (hl >= sizeof host) hl = sizeof host - 1;
  memcpy(host, listen, hl);
  host[hl] = 0;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) {
    snprintf(err, errlen, "--listen: `%s` is not a port number", colon + 1);
    return -1;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
  int g = getaddrinfo(host, NULL, &hints, &res);
  if (g != 0 || !res) {
    snprintf(err, errlen, "--listen: cannot resolve `%s`: %s", host, gai_strerror(g));
    return -1;
  }
  memset(ss, 0, sizeof *ss);
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (ss->ss_family == AF_INET) ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
  return 0;
}

TrackServer *track_server_start(Db *db, const TrackKey *key, const char *listen, char *err,
                                size_t errlen) {
  struct sockaddr_storage ss;
  if (parse_listen(listen, &ss, err, errlen)) return NULL;
  TrackServer *s = calloc(1, sizeof *s);
  if (!s) abort();
  s->key = *key;
  s->db = db;
  s->tdb = track_db_open(db, err, errlen);
  if (!s->tdb) {
    free(s);
    return NULL;
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->work, NULL);
  pthread_cond_init(&s->done, NULL);
  if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
    snprintf(err, errlen, "cannot start the writer thread");
    track_db_close(s->tdb);
    free(s);
    return NULL;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                   MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
                          MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
                          MHD_OPTION_END);
  if (!s->d) {
    snprintf(err, errlen, "cannot listen on %s (address in use or not available?)", listen);
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL);
    track_db_close(s->tdb);
    free(s);
    return NULL;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : 0;
  return s;
}

int track_server_port(const TrackServer *s) { return s->port; }

void track_server_stop(TrackServer *s, TrackStats *stats) {
  /* Joins every connection thread: requests in flight finish first, their
   * events committed by the writer, which is still running. */
  MHD_stop_daemon(s->d);
  pthread_mutex_lock(&s->mu);
  s->stopping = 1;
  pthread_cond_signal(&s->work);
  pthread_mutex_unlock(&s->mu);
  pthread_join(s->writer, NULL);
  if (stats) *stats = s->stats;
  track_db_close(s->tdb);
  db_close(s->db);
  sodium_memzero(&s->key, sizeof s->key);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->work);
  pthread_cond_destroy(&s->done);
  free(s);
}
