/* direct.h — messages sent straight through a provider's sender, outside
 * the outbox: proofs (the suites' "proofs" / seed addresses: a channel
 * step's first rendered messages to test addresses, subject "[proof] ...")
 * and operators' notifications (approval requests, reminders, deadlines).
 * The same sender threads, MIME, HTTP body templates, rate limits and
 * secrets as `camp send`; no lease, no retry, no feedback, no
 * suppression — the caller records the outcome where it belongs. */
#ifndef CAMP_DELIVERY_DIRECT_H
#define CAMP_DELIVERY_DIRECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "lang/ast.h"

/* One message to send. */
typedef struct DirectMsg {
  const char *to;        /* the address */
  const char *recipient; /* a key or name, for the message id and reports */
  const char *subject;   /* NULL for SMS and push without one */
  const char *body;
  int64_t tag;           /* the caller's id, handed back in the outcome */
} DirectMsg;

/* What the provider answered for m: accepted (1) or not (0, with its
 * answer in detail); `temporary` when a later attempt may succeed. */
typedef void (*DirectDone)(void *ctx, const DirectMsg *m, int accepted, int temporary, const char *detail);

/* Sends the n messages of m through the provider recorded as
 * provider_json (provider_config_json; secrets read from the environment
 * now) on channel ("email", "sms", "push"), dated now; done is called once
 * per message, from this thread, after all were tried.  `step` names them
 * (message ids).  0, or -1 with a message in err when nothing could be
 * sent (bad config, a missing variable, threads). */
int direct_send(const char *provider_json, const char *channel, const char *step, const DirectMsg *m, int n,
                time_t now, DirectDone done, void *ctx, char *err, size_t errlen);

/* One rendered message of a step (as a run would queue it). */
typedef struct ProofMsg {
  char *recipient;   /* the recipient's key, as text */
  char *subject;
  char *body;
} ProofMsg;

/* Proofs: every message in m to every address in addrs through
 * provider_decl (a checked D_PROVIDER of source_file), subjects prefixed
 * "[proof] ".  One line per proof on out.  0 when the provider accepted
 * every proof, 1 when not, -1 with a message in err when nothing was sent. */
int proof_send(const Decl *provider_decl, const char *source_file, const char *step, const char *channel,
               const ProofMsg *m, int n, char *const *addrs, int naddrs, time_t now, FILE *out, char *err,
               size_t errlen);

#endif
