/* cmd_track.c — `camp track --db DB --listen HOST:PORT`: the tracking and
 * unsubscribe server (runtime/delivery/track_server.c) until SIGINT or
 * SIGTERM, then a clean stop: requests in flight finish, every event is
 * committed, one summary line. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/delivery/track_server.h"

int cmd_track(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("track", argc, argv, "db,listen", &o);
  if (rc) return rc;
  if (!o.db || !o.listen || o.nfiles) {
    fprintf(stderr, "usage: camp track --db DB --listen HOST:PORT   (CAMP_TRACK_KEY in the environment)\n");
    return 2;
  }
  char err[1024];
  TrackKey key;
  if (track_key_from_env(&key, err, sizeof err)) {
    fprintf(stderr, "camp track: %s\n", err);
    return 2;
  }
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp track: %s\n", err);
    return 1;
  }
  if (!store_present(db)) {
    fprintf(stderr, "camp track: %s holds no camp runs (run a campaign first)\n", o.db);
    db_close(db);
    return 1;
  }
  if (store_migrate(db, err, sizeof err)) {
    fprintf(stderr, "camp track: %s\n", err);
    db_close(db);
    return 1;
  }
  /* Signals go to this thread only (sigwait below); the server's threads
   * inherit the blocked mask. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  TrackServer *s = track_server_start(db, &key, o.listen, err, sizeof err);
  if (!s) {
    fprintf(stderr, "camp track: %s\n", err);
    db_close(db);
    return 1;
  }
  char host[300];
  const char *colon = strrchr(o.listen, ':');
  snprintf(host, sizeof host, "%.*s", (int)(colon - o.listen), o.listen);
  printf("camp track: listening on http://%s:%d\n", host, track_server_port(s));
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  TrackStats st;
  track_server_stop(s, &st);
  printf("camp track: stopped (%s): %lld requests, %lld events recorded, %lld rejected, "
         "%lld not found, %lld transactions\n",
         sig == SIGINT ? "SIGINT" : "SIGTERM", (long long)st.requests, (long long)st.recorded,
         (long long)st.rejected, (long long)st.not_found, (long long)st.batches);
  return 0;
}
