/* ratelimit.c — token bucket (see ratelimit.h). */
#include "runtime/delivery/ratelimit.h"

#include <time.h>

double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ratelimit_init(RateLimit *rl, double rate) {
  pthread_mutex_init(&rl->mu, NULL);
  rl->rate = rate;
  rl->burst = rate > 10 ? rate / 10 : 1;
  rl->tokens = rl->burst;
  rl->last = mono_now();
  rl->paused_until = 0;
}

void ratelimit_destroy(RateLimit *rl) { pthread_mutex_destroy(&rl->mu); }

double ratelimit_try(RateLimit *rl) {
  pthread_mutex_lock(&rl->mu);
  double now = mono_now(), wait = 0;
  if (now < rl->paused_until) {
    wait = rl->paused_until - now;
  } else if (rl->rate > 0) {
    rl->tokens += (now - rl->last) * rl->rate;
    if (rl->tokens > rl->burst) rl->tokens = rl->burst;
    rl->last = now;
    if (rl->tokens >= 1) rl->tokens -= 1;
    else wait = (1 - rl->tokens) / rl->rate;
  }
  pthread_mutex_unlock(&rl->mu);
  return wait;
}

void ratelimit_take(RateLimit *rl) {
  double wait;
  while ((wait = ratelimit_try(rl)) > 0) {
    if (wait > 0.5) wait = 0.5; /* re-check: a pause may have been lifted */
    struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    nanosleep(&ts, NULL);
  }
}

void ratelimit_pause(RateLimit *rl, double seconds) {
  pthread_mutex_lock(&rl->mu);
  double until = mono_now() + seconds;
  if (until > rl->paused_until) rl->paused_until = until;
  pthread_mutex_unlock(&rl->mu);
}
