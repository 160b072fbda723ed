/* ratelimit.h — a token bucket per provider, shared by its sender threads:
 * `rate` tokens per second, a burst of max(1, rate/10) tokens; a provider
 * that answered 429 with Retry-After is paused until then. */
#ifndef CAMP_DELIVERY_RATELIMIT_H
#define CAMP_DELIVERY_RATELIMIT_H

#include <pthread.h>

typedef struct RateLimit {
  pthread_mutex_t mu;
  double rate;          /* tokens per second; <= 0: unlimited */
  double burst;
  double tokens;
  double last;          /* monotonic seconds of the last refill */
  double paused_until;  /* monotonic seconds */
} RateLimit;

void ratelimit_init(RateLimit *rl, double rate);
void ratelimit_destroy(RateLimit *rl);
/* Takes a token if one is there: returns 0; else the seconds to wait. */
double ratelimit_try(RateLimit *rl);
/* Takes a token, sleeping until there is one. */
void ratelimit_take(RateLimit *rl);
/* No token is handed out for the next `seconds`. */
void ratelimit_pause(RateLimit *rl, double seconds);
/* Monotonic clock in seconds. */
double mono_now(void);

#endif
