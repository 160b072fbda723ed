/* sender_start.c — starts the sender of a provider's kind.  The dispatch
 * sits above the senders (sender_smtp.c, sender_http.c, sender_file.c),
 * which use the shared queues and helpers of sender.c below them. */
#include <stdio.h>

#include "runtime/delivery/sender.h"

int sender_start(Sender *s, char *err, size_t errlen) {
  jobq_init(&s->jobs);
  ratelimit_init(&s->rl, s->pv->rate);
  switch (s->pv->kind) {
    case PK_SMTP: return smtp_start(s, err, errlen);
    case PK_HTTP: return http_start(s, err, errlen);
    case PK_FILE: return file_start(s, err, errlen);
    case PK_NONE: break;
  }
  snprintf(err, errlen, "provider %s has no kind", s->pv->name);
  return -1;
}
